/*
 * trace.c - writer of hypsim's JSON Lines traces. Rare events are built with jansson; the
 * frequent ones (insn, mem, barrier, walk) are printed directly, `insn` from the decode
 * cache's pre-quoted strings (the disassembly is escaped once per decode). Lines collect in
 * a buffer that is written (to a file, or through zlib's gzip stream) only as whole lines,
 * so a trace cut short by a kill still ends on a complete event or a partial last line.
 */
#include "trace.h"

#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "disasm.h"
#include "model.h"

#define BUF_SIZE (1u << 20)

struct trace {
	FILE *f;   /* plain JSON Lines ... */
	gzFile gz; /* ... or gzip (path ending in ".gz") */
	uint64_t seq;
	char *buf; /* whole lines only: a flush never cuts one */
	size_t len;
	bool failed;
	int err; /* errno of the first failure */
};

struct trace *trace_open(const char *path, char *err, size_t errlen)
{
	struct trace *t = calloc(1, sizeof(*t));
	if (t)
		t->buf = malloc(BUF_SIZE);
	if (!t || !t->buf) {
		free(t);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	size_t n = strlen(path);
	if (n > 3 && !strcmp(path + n - 3, ".gz"))
		t->gz = gzopen(path, "wb9");
	else
		t->f = fopen(path, "w");
	if (!t->f && !t->gz) {
		snprintf(err, errlen, "cannot create: %s", strerror(errno ? errno : ENOMEM));
		free(t->buf);
		free(t);
		return NULL;
	}
	return t;
}

int trace_flush(struct trace *t)
{
	if (!t || !t->len)
		return t && t->failed ? -1 : 0;
	if (!t->failed) {
		bool ok = t->gz ? gzwrite(t->gz, t->buf, (unsigned)t->len) == (int)t->len
		                : fwrite(t->buf, 1, t->len, t->f) == t->len;
		if (!ok) {
			t->failed = true;
			t->err = errno ? errno : EIO;
		}
	}
	t->len = 0;
	return t->failed ? -1 : 0;
}

int trace_close(struct trace *t, char *err, size_t errlen)
{
	if (!t)
		return 0;
	trace_flush(t);
	int rc = t->gz ? gzclose(t->gz) : fclose(t->f);
	if (rc != 0 && !t->failed) {
		t->failed = true;
		t->err = errno ? errno : EIO;
	}
	rc = 0;
	if (t->failed) {
		snprintf(err, errlen, "write error: %s", strerror(t->err));
		rc = -1;
	}
	free(t->buf);
	free(t);
	return rc;
}

/* Room for n more bytes in the buffer. */
static char *reserve(struct trace *t, size_t n)
{
	if (t->len + n > BUF_SIZE)
		trace_flush(t);
	return t->buf + t->len;
}

/* Append one printf-formatted line (n bytes at most, '\n' included by the caller). */
static void line_printf(struct trace *t, size_t max, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void line_printf(struct trace *t, size_t max, const char *fmt, ...)
{
	char *p = reserve(t, max);
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(p, max, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->len += (size_t)n < max ? (size_t)n : max - 1;
}

static void dump_line(struct trace *t, json_t *o)
{
	size_t n = json_dumpb(o, NULL, 0, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (n + 1 > BUF_SIZE)
		return; /* cannot happen: events are small */
	char *p = reserve(t, n + 1);
	json_dumpb(o, p, n, JSON_COMPACT | JSON_PRESERVE_ORDER);
	p[n] = '\n';
	t->len += n + 1;
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
	dump_line(t, line);
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
	json_object_set_new(opt, "ram_base", hex(h->ram_base));
	json_object_set_new(opt, "ram", hex(h->ram_size));
	json_object_set_new(opt, "max_insns",
	                    h->max_insns ? json_integer((json_int_t)h->max_insns) : json_null());
	json_object_set_new(opt, "tlb", json_string(h->tlb));
	json_object_set_new(opt, "check_unicorn", json_boolean(h->check_unicorn));
	json_object_set_new(opt, "uart", h->uart_path ? json_string(h->uart_path) : json_null());
	json_object_set_new(opt, "cpus", json_integer(h->ncpus));
	json_object_set_new(opt, "argv", argv);
	json_t *model = json_object();
	json_object_set_new(model, "ncpus", json_integer(h->ncpus));
	json_object_set_new(model, "tlb_policy", json_string(h->tlb));
	json_object_set_new(model, "ctr_idc", json_boolean(h->ctr_idc));
	json_object_set_new(model, "ctr_dic", json_boolean(h->ctr_dic));
	json_object_set_new(model, "feat_ets", json_boolean(h->feat_ets));
	json_t *o = json_object();
	json_object_set_new(o, "type", json_string("header"));
	json_object_set_new(o, "schema", json_integer(TRACE_SCHEMA));
	json_object_set_new(o, "tool", json_string("hypsim"));
	json_object_set_new(o, "firmware", fw);
	json_object_set_new(o, "options", opt);
	json_object_set_new(o, "model", model);
	dump_line(t, o);
	json_decref(o);
}

void trace_insn(struct trace *t, unsigned cpu, uint64_t pc, unsigned el, const struct dis_insn *d)
{
	line_printf(t, 512,
	            "{\"type\":\"insn\",\"seq\":%" PRIu64 ",\"cpu\":%u,\"pc\":\"0x%" PRIx64
	            "\",\"el\":%u,\"enc\":\"0x%08" PRIx32 "\",\"asm\":%s,\"sym\":\"%s\"}\n",
	            ++t->seq, cpu, pc, el, d->enc, d->text_json, d->sym);
}

void trace_fetch_fault(struct trace *t, unsigned cpu, uint64_t pc, unsigned el)
{
	line_printf(t, 128,
	            "{\"type\":\"fetch-fault\",\"seq\":%" PRIu64 ",\"cpu\":%u,\"pc\":\"0x%" PRIx64
	            "\",\"el\":%u}\n",
	            ++t->seq, cpu, pc, el);
}

void trace_barrier(struct trace *t, unsigned cpu, uint64_t pc, const char *kind,
                   const char *domain, unsigned type)
{
	static const char *const types[] = {"ld", "st", "all"};
	line_printf(t, 160,
	            "{\"type\":\"barrier\",\"seq\":%" PRIu64 ",\"cpu\":%u,\"pc\":\"0x%" PRIx64
	            "\",\"kind\":\"%s\",\"domain\":\"%s\",\"access\":\"%s\"}\n",
	            ++t->seq, cpu, pc, kind, domain, types[type < 3 ? type : 2]);
}

static const char *mem_type_name(bool mmu_on, unsigned mt)
{
	static const char *const names[] = {"device", "normal-nc", "normal-wt", "normal-wb"};
	if (!mmu_on && mt == 0)
		return "device"; /* every data access with the MMU off (DESIGN §3) */
	return mt < 4 ? names[mt] : "?";
}

void trace_mem(struct trace *t, unsigned cpu, uint64_t pc, bool store, uint64_t va, bool ok,
               uint64_t pa, unsigned size, bool mmu_on, unsigned mem_type, unsigned mair_attr,
               uint64_t value, const char *fault)
{
	if (ok)
		line_printf(t, 320,
		            "{\"type\":\"mem\",\"seq\":%" PRIu64 ",\"cpu\":%u,\"pc\":\"0x%" PRIx64
		            "\",\"access\":\"%s\",\"va\":\"0x%" PRIx64 "\",\"pa\":\"0x%" PRIx64
		            "\",\"size\":%u,\"attrs\":\"%s\",\"mair\":\"0x%02x\",\"value\":\"0x%" PRIx64
		            "\"}\n",
		            ++t->seq, cpu, pc, store ? "store" : "load", va, pa, size,
		            mem_type_name(mmu_on, mem_type), mair_attr, value);
	else
		line_printf(t, 320,
		            "{\"type\":\"mem\",\"seq\":%" PRIu64 ",\"cpu\":%u,\"pc\":\"0x%" PRIx64
		            "\",\"access\":\"%s\",\"va\":\"0x%" PRIx64
		            "\",\"size\":%u,\"fault\":\"%s\",\"value\":\"0x%" PRIx64 "\"}\n",
		            ++t->seq, cpu, pc, store ? "store" : "load", va, size, fault,
		            store ? value : 0);
}

void trace_op(struct trace *t, unsigned cpu, uint64_t pc, const char *type, const char *op,
              const char *argname, uint64_t arg, const struct model_step_result *res)
{
	char tail[64] = "";
	if (res && res->is_access) {
		if (res->fault.type == FAULT_NONE)
			snprintf(tail, sizeof(tail), ",\"pa\":\"0x%" PRIx64 "\"", res->tr.oa);
		else
			snprintf(tail, sizeof(tail), ",\"fault\":\"%s\"",
			         pt_fault_name(res->fault.type));
	}
	line_printf(t, 256,
	            "{\"type\":\"%s\",\"seq\":%" PRIu64 ",\"cpu\":%u,\"pc\":\"0x%" PRIx64
	            "\",\"op\":\"%s\",\"%s\":\"0x%" PRIx64 "\"%s}\n",
	            type, ++t->seq, cpu, pc, op, argname, arg, tail);
}

void trace_walk(struct trace *t, unsigned cpu, uint64_t va, bool cacheable,
                const struct walk_result *w)
{
	char steps[PT_MAX_STEPS * 72] = "";
	size_t n = 0;
	for (unsigned i = 0; i < w->nsteps && i < PT_MAX_STEPS; i++)
		n += (size_t)snprintf(steps + n, sizeof(steps) - n,
		                      "%s[%d,\"0x%" PRIx64 "\",\"0x%" PRIx64 "\"]", i ? "," : "",
		                      w->steps[i].level, w->steps[i].desc_pa, w->steps[i].desc);
	char fill[160] = "";
	if (w->fault.type == FAULT_NONE)
		snprintf(fill, sizeof(fill),
		         ",\"pa\":\"0x%" PRIx64 "\",\"level\":%d,\"size\":\"0x%" PRIx64
		         "\",\"mair\":\"0x%02x\"",
		         w->oa, w->level, w->block_size, w->attrs.mair_attr);
	else
		snprintf(fill, sizeof(fill), ",\"fault\":\"%s\",\"level\":%d",
		         pt_fault_name(w->fault.type), w->fault.level);
	line_printf(t, 768,
	            "{\"type\":\"walk\",\"seq\":%" PRIu64 ",\"cpu\":%u,\"va\":\"0x%" PRIx64
	            "\",\"cacheable\":%s,\"steps\":[%s]%s}\n",
	            ++t->seq, cpu, va, cacheable ? "true" : "false", steps, fill);
}

void trace_exc_entry(struct trace *t, unsigned cpu, uint64_t pc, bool insn_abort, uint64_t far,
                     unsigned from_el, unsigned to_el, bool requested, uint64_t esr,
                     uint64_t elr, uint64_t vector, const char *what)
{
	json_t *o = json_object();
	json_object_set_new(o, "cpu", json_integer(cpu));
	json_object_set_new(o, "pc", hex(pc));
	json_object_set_new(o, "insn_abort", json_boolean(insn_abort));
	json_object_set_new(o, "far", hex(far));
	json_object_set_new(o, "from_el", json_integer(from_el));
	json_object_set_new(o, "to_el", json_integer(to_el));
	json_object_set_new(o, "requested", json_boolean(requested));
	json_object_set_new(o, "esr", hex(esr));
	json_object_set_new(o, "elr", hex(elr));
	json_object_set_new(o, "vector", hex(vector));
	json_object_set_new(o, "what", json_string(what));
	emit(t, "exc-entry", o);
}

void trace_simple(struct trace *t, const char *type, unsigned cpu, uint64_t pc, const char *what)
{
	json_t *o = json_object();
	json_object_set_new(o, "cpu", json_integer(cpu));
	json_object_set_new(o, "pc", hex(pc));
	if (what)
		json_object_set_new(o, "what", json_string(what));
	emit(t, type, o);
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

void trace_end(struct trace *t, const char *reason, int status, int exit_status, uint64_t insns,
               uint64_t pc, const char *sym, const char *message)
{
	json_t *o = json_object();
	json_object_set_new(o, "reason", json_string(reason));
	json_object_set_new(o, "status", json_integer(status));
	json_object_set_new(o, "exit", json_integer(exit_status));
	json_object_set_new(o, "insns", json_integer((json_int_t)insns));
	json_object_set_new(o, "pc", hex(pc));
	json_object_set_new(o, "sym", json_string(sym));
	json_object_set_new(o, "message", json_string(message));
	emit(t, "end", o);
}
