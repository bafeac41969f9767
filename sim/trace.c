/*
 * trace.c - writer of hypsim's JSON Lines traces. Rare events are built with jansson; the
 * frequent ones (insn, mem, barrier, walk, maintenance) are formatted by hand into the
 * buffer (printf's format interpretation cost more than the rest of a traced run), `insn`
 * from the decode cache's pre-quoted strings (the disassembly is escaped once per decode).
 *
 * Lines collect in one of a few fixed buffers. A full buffer goes to a writer thread, which
 * writes it (to the file, or through zlib's gzip stream) while the run fills the next one,
 * so the run does not wait for the kernel's copy into the page cache or for compression
 * unless every buffer is waiting: memory stays bounded at TRACE_NBUF buffers. Buffers hold
 * whole lines only, so a trace cut short by a crash ends on a complete event or a partial
 * last line; every ending of `sim run` goes through trace_close, which writes them all.
 */
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "disasm.h"
#include "model.h"

#ifndef BUF_SIZE
#define BUF_SIZE (1u << 19)
#endif
#define TRACE_NBUF 4
#define SEEN       (1u << 14)

/* Schema 2: an (pc, enc, el) whose asm and sym were written, and by which decode. */
struct seen {
	uint64_t pc, dis_id;
	uint32_t enc;
	uint8_t el;
	bool valid;
};

struct trace {
	int fd;    /* plain JSON Lines ... */
	gzFile gz; /* ... or gzip (path ending in ".gz") */
	unsigned schema;
	uint64_t seq;
	/* seq in decimal, kept up to date digit by digit: cheaper than converting it. */
	char seq_txt[24];
	unsigned seq_len;
	/* The run's side: the buffer being filled, whole lines only. */
	char *buf;
	size_t len;
	/* Shared with the writer thread, under mu. Buffers are used in turn: bufs[head] is
	 * the oldest of the `queued` ones handed over, the one after them is being filled. */
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	pthread_t thread;
	bool threaded, stop;
	char *bufs[TRACE_NBUF];
	size_t lens[TRACE_NBUF];
	unsigned head, queued;
	bool failed;
	int err; /* errno of the first failure */
	struct seen seen[SEEN];
};

/* Write one buffer out (the writer thread, or the run when there is none). */
static void write_out(struct trace *t, const char *p, size_t n, bool *failed, int *err)
{
	if (*failed)
		return;
	if (t->gz) {
		while (n) {
			unsigned chunk = n > (1u << 30) ? 1u << 30 : (unsigned)n;
			if (gzwrite(t->gz, p, chunk) != (int)chunk) {
				*failed = true;
				*err = errno ? errno : EIO;
				return;
			}
			p += chunk;
			n -= chunk;
		}
		return;
	}
	while (n) {
		ssize_t w = write(t->fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			*failed = true;
			*err = w < 0 ? errno : EIO;
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

static void *writer(void *arg)
{
	struct trace *t = arg;
	pthread_mutex_lock(&t->mu);
	for (;;) {
		while (!t->queued && !t->stop)
			pthread_cond_wait(&t->work, &t->mu);
		if (!t->queued)
			break;
		unsigned i = t->head;
		bool failed = t->failed;
		int err = t->err;
		pthread_mutex_unlock(&t->mu);
		write_out(t, t->bufs[i], t->lens[i], &failed, &err);
		pthread_mutex_lock(&t->mu);
		t->failed = failed;
		t->err = err;
		t->head = (t->head + 1) % TRACE_NBUF;
		t->queued--;
		pthread_cond_signal(&t->done);
	}
	pthread_mutex_unlock(&t->mu);
	return NULL;
}

/* Hand the buffer being filled to the writer and take the next free one (waiting for
 * the writer when every buffer is queued). */
static void submit(struct trace *t)
{
	if (!t->len)
		return;
	if (!t->threaded) {
		write_out(t, t->buf, t->len, &t->failed, &t->err);
		t->len = 0;
		return;
	}
	pthread_mutex_lock(&t->mu);
	unsigned i = (t->head + t->queued) % TRACE_NBUF;
	t->lens[i] = t->len;
	t->queued++;
	pthread_cond_signal(&t->work);
	while (t->queued == TRACE_NBUF)
		pthread_cond_wait(&t->done, &t->mu);
	t->buf = t->bufs[(t->head + t->queued) % TRACE_NBUF];
	pthread_mutex_unlock(&t->mu);
	t->len = 0;
}

static void free_trace(struct trace *t)
{
	for (unsigned i = 0; i < TRACE_NBUF; i++)
		free(t->bufs[i]);
	free(t);
}

struct trace *trace_open(const char *path, char *err, size_t errlen)
{
	struct trace *t = calloc(1, sizeof(*t));
	bool ok = t != NULL;
	for (unsigned i = 0; ok && i < TRACE_NBUF; i++)
		ok = (t->bufs[i] = malloc(BUF_SIZE)) != NULL;
	if (!ok) {
		if (t)
			free_trace(t);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t->buf = t->bufs[0];
	t->schema = TRACE_SCHEMA;
	t->seq_txt[0] = '0';
	t->seq_len = 1;
	t->fd = -1;
	size_t n = strlen(path);
	errno = 0;
	if (n > 3 && !strcmp(path + n - 3, ".gz"))
		t->gz = gzopen(path, "wb9");
	else
		t->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (t->fd < 0 && !t->gz) {
		snprintf(err, errlen, "cannot create: %s", strerror(errno ? errno : ENOMEM));
		free_trace(t);
		return NULL;
	}
	pthread_mutex_init(&t->mu, NULL);
	pthread_cond_init(&t->work, NULL);
	pthread_cond_init(&t->done, NULL);
	/* SIGINT and SIGTERM are the run's to handle (they end it with a complete trace):
	 * the writer starts with every signal blocked. Without a thread, the run writes. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	t->threaded = pthread_create(&t->thread, NULL, writer, t) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return t;
}

int trace_set_schema(struct trace *t, unsigned schema)
{
	if (schema < 1 || schema > TRACE_SCHEMA)
		return -1;
	t->schema = schema;
	return 0;
}

int trace_flush(struct trace *t)
{
	if (!t)
		return 0;
	submit(t);
	pthread_mutex_lock(&t->mu);
	while (t->queued)
		pthread_cond_wait(&t->done, &t->mu);
	bool failed = t->failed;
	pthread_mutex_unlock(&t->mu);
	return failed ? -1 : 0;
}

int trace_close(struct trace *t, char *err, size_t errlen)
{
	if (!t)
		return 0;
	trace_flush(t);
	if (t->threaded) {
		pthread_mutex_lock(&t->mu);
		t->stop = true;
		pthread_cond_signal(&t->work);
		pthread_mutex_unlock(&t->mu);
		pthread_join(t->thread, NULL);
	}
	errno = 0;
	int rc = t->gz ? gzclose(t->gz) : close(t->fd);
	if (rc != 0 && !t->failed) {
		t->failed = true;
		t->err = errno ? errno : EIO;
	}
	rc = 0;
	if (t->failed) {
		snprintf(err, errlen, "write error: %s", strerror(t->err));
		rc = -1;
	}
	pthread_mutex_destroy(&t->mu);
	pthread_cond_destroy(&t->work);
	pthread_cond_destroy(&t->done);
	free_trace(t);
	return rc;
}

/* Room for n more bytes in the buffer. */
static char *reserve(struct trace *t, size_t n)
{
	if (t->len + n > BUF_SIZE)
		submit(t);
	return t->buf + t->len;
}

/* ---- hand formatting: each returns the end of what it wrote ---- */

/* A string literal, without its NUL. */
#define PUT(p, lit) put_mem(p, lit, sizeof(lit) - 1)

static inline char *put_mem(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

static inline char *put_str(char *p, const char *s)
{
	return put_mem(p, s, strlen(s));
}

/* printf's %" PRIu64 " */
static inline char *put_dec(char *p, uint64_t v)
{
	char tmp[20];
	unsigned n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

/* printf's %d */
static inline char *put_int(char *p, int v)
{
	if (v < 0) {
		*p++ = '-';
		return put_dec(p, (uint64_t)0 - (uint64_t)(int64_t)v);
	}
	return put_dec(p, (uint64_t)v);
}

/* printf's 0x%0<width>" PRIx64 ": at least width digits (1: no padding). */
static inline char *put_hex(char *p, uint64_t v, unsigned width)
{
	static const char digits[] = "0123456789abcdef";
	unsigned n = v ? (unsigned)(67 - __builtin_clzll(v)) / 4 : 1;
	if (n < width)
		n = width;
	*p++ = '0';
	*p++ = 'x';
	for (unsigned i = n; i-- > 0; v >>= 4)
		p[i] = digits[v & 0xf];
	return p + n;
}

/* The next event's number: t->seq and its decimal text. */
static void next_seq(struct trace *t)
{
	t->seq++;
	unsigned i = t->seq_len;
	while (i > 0 && t->seq_txt[i - 1] == '9')
		t->seq_txt[--i] = '0';
	if (i > 0) {
		t->seq_txt[i - 1]++;
	} else { /* 99...9 + 1 */
		memmove(t->seq_txt + 1, t->seq_txt, t->seq_len++);
		t->seq_txt[0] = '1';
	}
}

/* The opening every hand-formatted event shares: {"type":"T","seq":N,"cpu":C (T given
 * with its length: a literal's is known at compile time). */
#define put_event(t, p, type, cpu) put_event_n(t, p, type, strlen(type), cpu)

static inline char *put_event_n(struct trace *t, char *p, const char *type, size_t tlen,
                                unsigned cpu)
{
	next_seq(t);
	p = PUT(p, "{\"type\":\"");
	p = put_mem(p, type, tlen);
	p = PUT(p, "\",\"seq\":");
	p = put_mem(p, t->seq_txt, t->seq_len);
	p = PUT(p, ",\"cpu\":");
	return put_dec(p, cpu);
}

/* End the line started at reserve(): "}\n", and count it in. */
static void end_line(struct trace *t, char *p)
{
	p = PUT(p, "}\n");
	t->len = (size_t)(p - t->buf);
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
	next_seq(t);
	json_object_set_new(line, "seq", json_integer((json_int_t)t->seq));
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
	json_object_set_new(o, "schema", json_integer(t->schema));
	json_object_set_new(o, "tool", json_string("hypsim"));
	json_object_set_new(o, "firmware", fw);
	json_object_set_new(o, "options", opt);
	json_object_set_new(o, "model", model);
	dump_line(t, o);
	json_decref(o);
}

/* Schema 2 writes asm and sym only when (pc, enc, el) has not had them from this decode
 * (readers take them from the latest insn with the same three that has them). A slot
 * lost to another instruction only means writing them again. */
static bool insn_needs_text(struct trace *t, uint64_t pc, unsigned el, const struct dis_insn *d)
{
	if (t->schema < 2)
		return true;
	struct seen *s = &t->seen[((pc >> 2) ^ ((uint64_t)el << 12)) % SEEN];
	if (s->valid && s->pc == pc && s->enc == d->enc && s->el == el && s->dis_id == d->id)
		return false;
	*s = (struct seen){
	    .pc = pc, .dis_id = d->id, .enc = d->enc, .el = (uint8_t)el, .valid = true};
	return true;
}

void trace_insn(struct trace *t, unsigned cpu, uint64_t pc, unsigned el, const struct dis_insn *d)
{
	char *p = put_event(t, reserve(t, 512), "insn", cpu);
	p = PUT(p, ",\"pc\":\"");
	p = put_hex(p, pc, 1);
	p = PUT(p, "\",\"el\":");
	p = put_dec(p, el);
	p = PUT(p, ",\"enc\":\"");
	p = put_hex(p, d->enc, 8);
	*p++ = '"';
	if (insn_needs_text(t, pc, el, d)) {
		p = PUT(p, ",\"asm\":");
		p = put_str(p, d->text_json);
		p = PUT(p, ",\"sym\":\"");
		p = put_str(p, d->sym);
		*p++ = '"';
	}
	end_line(t, p);
}

void trace_fetch_fault(struct trace *t, unsigned cpu, uint64_t pc, unsigned el)
{
	char *p = put_event(t, reserve(t, 128), "fetch-fault", cpu);
	p = PUT(p, ",\"pc\":\"");
	p = put_hex(p, pc, 1);
	p = PUT(p, "\",\"el\":");
	p = put_dec(p, el);
	end_line(t, p);
}

void trace_barrier(struct trace *t, unsigned cpu, uint64_t pc, const char *kind,
                   const char *domain, unsigned type)
{
	static const char *const types[] = {"ld", "st", "all"};
	char *p = put_event(t, reserve(t, 160), "barrier", cpu);
	p = PUT(p, ",\"pc\":\"");
	p = put_hex(p, pc, 1);
	p = PUT(p, "\",\"kind\":\"");
	p = put_str(p, kind);
	p = PUT(p, "\",\"domain\":\"");
	p = put_str(p, domain);
	p = PUT(p, "\",\"access\":\"");
	p = put_str(p, types[type < 3 ? type : 2]);
	*p++ = '"';
	end_line(t, p);
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
	char *p = put_event(t, reserve(t, 320), "mem", cpu);
	p = PUT(p, ",\"pc\":\"");
	p = put_hex(p, pc, 1);
	p = store ? PUT(p, "\",\"access\":\"store\",\"va\":\"")
	          : PUT(p, "\",\"access\":\"load\",\"va\":\"");
	p = put_hex(p, va, 1);
	if (ok) {
		p = PUT(p, "\",\"pa\":\"");
		p = put_hex(p, pa, 1);
		p = PUT(p, "\",\"size\":");
		p = put_dec(p, size);
		p = PUT(p, ",\"attrs\":\"");
		p = put_str(p, mem_type_name(mmu_on, mem_type));
		p = PUT(p, "\",\"mair\":\"");
		p = put_hex(p, mair_attr, 2);
	} else {
		p = PUT(p, "\",\"size\":");
		p = put_dec(p, size);
		p = PUT(p, ",\"fault\":\"");
		p = put_str(p, fault);
		if (!store)
			value = 0;
	}
	p = PUT(p, "\",\"value\":\"");
	p = put_hex(p, value, 1);
	*p++ = '"';
	end_line(t, p);
}

void trace_op(struct trace *t, unsigned cpu, uint64_t pc, const char *type, const char *op,
              const char *argname, uint64_t arg, const struct model_step_result *res)
{
	char *p = put_event(t, reserve(t, 256), type, cpu);
	p = PUT(p, ",\"pc\":\"");
	p = put_hex(p, pc, 1);
	p = PUT(p, "\",\"op\":\"");
	p = put_str(p, op);
	p = PUT(p, "\",\"");
	p = put_str(p, argname);
	p = PUT(p, "\":\"");
	p = put_hex(p, arg, 1);
	*p++ = '"';
	if (res && res->is_access) {
		if (res->fault.type == FAULT_NONE) {
			p = PUT(p, ",\"pa\":\"");
			p = put_hex(p, res->tr.oa, 1);
		} else {
			p = PUT(p, ",\"fault\":\"");
			p = put_str(p, pt_fault_name(res->fault.type));
		}
		*p++ = '"';
	}
	end_line(t, p);
}

void trace_walk(struct trace *t, unsigned cpu, uint64_t va, bool cacheable,
                const struct walk_result *w)
{
	char *p = put_event(t, reserve(t, 768), "walk", cpu);
	p = PUT(p, ",\"va\":\"");
	p = put_hex(p, va, 1);
	p = cacheable ? PUT(p, "\",\"cacheable\":true,\"steps\":[")
	              : PUT(p, "\",\"cacheable\":false,\"steps\":[");
	for (unsigned i = 0; i < w->nsteps && i < PT_MAX_STEPS; i++) {
		if (i)
			*p++ = ',';
		*p++ = '[';
		p = put_int(p, w->steps[i].level);
		p = PUT(p, ",\"");
		p = put_hex(p, w->steps[i].desc_pa, 1);
		p = PUT(p, "\",\"");
		p = put_hex(p, w->steps[i].desc, 1);
		p = PUT(p, "\"]");
	}
	*p++ = ']';
	if (w->fault.type == FAULT_NONE) {
		p = PUT(p, ",\"pa\":\"");
		p = put_hex(p, w->oa, 1);
		p = PUT(p, "\",\"level\":");
		p = put_int(p, w->level);
		p = PUT(p, ",\"size\":\"");
		p = put_hex(p, w->block_size, 1);
		p = PUT(p, "\",\"mair\":\"");
		p = put_hex(p, w->attrs.mair_attr, 2);
		*p++ = '"';
	} else {
		p = PUT(p, ",\"fault\":\"");
		p = put_str(p, pt_fault_name(w->fault.type));
		p = PUT(p, "\",\"level\":");
		p = put_int(p, w->fault.level);
	}
	end_line(t, p);
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
