/*
 * trace.c - writer of hypsim's JSON Lines traces. Events other than `insn` are built with
 * jansson; `insn`, the one emitted per executed instruction, is printed directly from the
 * decode cache's pre-quoted strings (the disassembly is escaped once per decode).
 */
#include "trace.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disasm.h"

struct trace {
	FILE *f;
	uint64_t seq;
	char *buf;
};

struct trace *trace_open(const char *path, char *err, size_t errlen)
{
	struct trace *t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t->f = fopen(path, "w");
	if (!t->f) {
		snprintf(err, errlen, "cannot create: %s", strerror(errno));
		free(t);
		return NULL;
	}
	t->buf = malloc(1 << 20);
	if (t->buf)
		setvbuf(t->f, t->buf, _IOFBF, 1 << 20);
	return t;
}

int trace_close(struct trace *t, char *err, size_t errlen)
{
	if (!t)
		return 0;
	int rc = 0;
	if (fflush(t->f) != 0 || ferror(t->f)) {
		snprintf(err, errlen, "write error: %s", strerror(errno));
		rc = -1;
	}
	if (fclose(t->f) != 0 && rc == 0) {
		snprintf(err, errlen, "write error: %s", strerror(errno));
		rc = -1;
	}
	free(t->buf);
	free(t);
	return rc;
}

static json_t *hex(uint64_t v)
{
	char b[24];
	snprintf(b, sizeof(b), "0x%" PRIx64, v);
	return json_string(b);
}

/* Add "type" and "seq", write the object as one line, and release it. */
static void emit(struct trace *t, const char *type, json_t *o)
{
	json_t *line = json_object();
	json_object_set_new(line, "type", json_string(type));
	json_object_set_new(line, "seq", json_integer((json_int_t)++t->seq));
	json_object_update(line, o);
	json_decref(o);
	json_dumpf(line, t->f, JSON_COMPACT | JSON_PRESERVE_ORDER);
	fputc('\n', t->f);
	json_decref(line);
}

void trace_json_event(struct trace *t, const char *type, json_t *o)
{
	emit(t, type, o);
}

void trace_header(struct trace *t, const struct trace_header_info *h)
{
	json_t *argv = json_array();
	for (int i = 0; i < h->argc; i++)
		json_array_append_new(argv, json_string(h->argv[i]));
	json_t *fw = json_object();
	json_object_set_new(fw, "path", json_string(h->firmware_path));
	json_object_set_new(fw, "sha256", json_string(h->sha256));
	json_object_set_new(fw, "build_id",
	                    h->build_id[0] ? json_string(h->build_id) : json_null());
	json_object_set_new(fw, "entry", hex(h->entry));
	json_t *opt = json_object();
	json_object_set_new(opt, "ram", hex(h->ram_size));
	json_object_set_new(opt, "max_insns",
	                    h->max_insns ? json_integer((json_int_t)h->max_insns) : json_null());
	json_object_set_new(opt, "uart", h->uart_path ? json_string(h->uart_path) : json_null());
	json_object_set_new(opt, "cpus", json_integer(1));
	json_object_set_new(opt, "argv", argv);
	json_t *o = json_object();
	json_object_set_new(o, "type", json_string("header"));
	json_object_set_new(o, "schema", json_integer(TRACE_SCHEMA));
	json_object_set_new(o, "tool", json_string("hypsim"));
	json_object_set_new(o, "firmware", fw);
	json_object_set_new(o, "options", opt);
	json_dumpf(o, t->f, JSON_COMPACT | JSON_PRESERVE_ORDER);
	fputc('\n', t->f);
	json_decref(o);
}

void trace_insn(struct trace *t, unsigned cpu, uint64_t pc, unsigned el, const struct dis_insn *d)
{
	fprintf(t->f,
	        "{\"type\":\"insn\",\"seq\":%" PRIu64 ",\"cpu\":%u,\"pc\":\"0x%" PRIx64
	        "\",\"el\":%u,\"enc\":\"0x%08" PRIx32 "\",\"asm\":%s,\"sym\":\"%s\"}\n",
	        ++t->seq, cpu, pc, el, d->enc, d->text_json, d->sym);
}

void trace_sysreg(struct trace *t, unsigned cpu, uint64_t pc, const char *sym, unsigned el,
                  const char *name, uint64_t old, uint64_t new_value)
{
	json_t *o = json_object();
	json_object_set_new(o, "cpu", json_integer(cpu));
	json_object_set_new(o, "pc", hex(pc));
	json_object_set_new(o, "sym", json_string(sym));
	json_object_set_new(o, "el", json_integer(el));
	json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "old", hex(old));
	json_object_set_new(o, "new", hex(new_value));
	emit(t, "sysreg", o);
}

void trace_exception(struct trace *t, const struct trace_exc *e)
{
	json_t *o = json_object();
	json_object_set_new(o, "cpu", json_integer(e->cpu));
	json_object_set_new(o, "cause", json_string(e->cause));
	json_object_set_new(o, "requested", json_boolean(e->requested));
	json_object_set_new(o, "from_el", json_integer(e->from_el));
	json_object_set_new(o, "to_el", json_integer(e->to_el));
	json_object_set_new(o, "pc", hex(e->pc));
	json_object_set_new(o, "sym", json_string(e->sym));
	json_object_set_new(o, "esr", hex(e->esr));
	json_object_set_new(o, "ec", json_string(e->ec));
	json_object_set_new(o, "elr", hex(e->elr));
	json_object_set_new(o, "spsr", hex(e->spsr));
	json_object_set_new(o, "vector", hex(e->vector));
	json_object_set_new(o, "far", e->far_valid ? hex(e->far) : json_null());
	if (e->fault) {
		json_object_set_new(o, "fault", json_string(e->fault));
		json_object_set_new(o, "level", json_integer(e->fault_level));
	}
	emit(t, "exception", o);
}

void trace_eret(struct trace *t, unsigned cpu, uint64_t pc, unsigned from_el, unsigned to_el,
                uint64_t target, const char *target_sym)
{
	json_t *o = json_object();
	json_object_set_new(o, "cpu", json_integer(cpu));
	json_object_set_new(o, "pc", hex(pc));
	json_object_set_new(o, "from_el", json_integer(from_el));
	json_object_set_new(o, "to_el", json_integer(to_el));
	json_object_set_new(o, "target", hex(target));
	json_object_set_new(o, "target_sym", json_string(target_sym));
	emit(t, "eret", o);
}

void trace_psci(struct trace *t, unsigned cpu, uint64_t pc, uint32_t fn, const char *name,
                const uint64_t args[3], bool returns, int64_t ret)
{
	json_t *o = json_object();
	json_object_set_new(o, "cpu", json_integer(cpu));
	json_object_set_new(o, "pc", hex(pc));
	json_object_set_new(o, "fn", hex(fn));
	json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "args",
	                    json_pack("[o,o,o]", hex(args[0]), hex(args[1]), hex(args[2])));
	json_object_set_new(o, "ret", returns ? json_integer(ret) : json_null());
	emit(t, "psci", o);
}

void trace_uart(struct trace *t, unsigned cpu, const char *text, size_t len)
{
	json_t *o = json_object();
	json_object_set_new(o, "cpu", json_integer(cpu));
	json_t *str = json_stringn(text, len);
	if (!str) { /* not UTF-8: keep ASCII, show other bytes as '?' */
		char clean[256];
		size_t n = len < sizeof(clean) ? len : sizeof(clean);
		for (size_t i = 0; i < n; i++)
			clean[i] = (unsigned char)text[i] < 0x80 ? text[i] : '?';
		str = json_stringn(clean, n);
	}
	json_object_set_new(o, "text", str);
	emit(t, "uart", o);
}

void trace_end(struct trace *t, const char *reason, int exit_status, uint64_t insns, uint64_t pc,
               const char *sym, const char *message)
{
	json_t *o = json_object();
	json_object_set_new(o, "reason", json_string(reason));
	json_object_set_new(o, "exit", json_integer(exit_status));
	json_object_set_new(o, "insns", json_integer((json_int_t)insns));
	json_object_set_new(o, "pc", hex(pc));
	json_object_set_new(o, "sym", json_string(sym));
	json_object_set_new(o, "message", json_string(message));
	emit(t, "end", o);
}
