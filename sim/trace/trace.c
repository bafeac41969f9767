/*
 * trace.c - writer of hypsim's JSON Lines traces.
 *
 * The run's thread only records: the two frequent events, `insn` and `mem`, as small binary
 * records (their asm/sym text, when an `insn` carries it, pre-formatted); every other
 * event as its line of text, formatted by hand (walk, barrier, maintenance) or with
 * jansson (the rare ones), without its "seq". Records fill one of a few fixed buffers; a
 * full buffer goes to a writer thread, which formats the lines, numbers them ("seq") and
 * writes them (to the file, or through zlib's gzip stream) while the run fills the next
 * buffer. The run waits only when every buffer is queued, so memory stays bounded. On
 * firmware/stress, formatting and the kernel's copy into the page cache cost more than the
 * run itself; this way the run pays neither.
 *
 * The file side (traceout.h): a regular file's text in asynchronous writes, with direct
 * I/O once it is large (Debian's kernel boot writes 140 bytes per instruction); a trace
 * cut short by a crash ends in at most one partial line; every ending of `sim run` goes
 * through trace_close, which writes everything.
 */
#include "trace/trace.h"
#include "machine/kernel_boot.h"
#include "trace/traceout.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine/disasm.h"
#include "model.h"

#define BUF_SIZE   (1u << 20) /* records */
#define TRACE_NBUF 4
#define SEEN       (1u << 12)
#define INSN_TXT   (1u << 10)

/* Schema 2: an (pc, enc, el) whose asm and sym were written, by which decode, and the
 * decode cache's count of decodes when that was last checked. */
struct seen {
	uint64_t pc, dis_id, decodes;
	uint32_t enc;
	uint8_t el;
	bool valid;
};

/* ---- records: what the run hands the writer, 8-byte aligned ---- */

enum rec_kind {
	REC_LINE, /* a line of text; "seq" goes in at `split` */
	REC_INSN,
	REC_MEM,
};

struct rec {
	uint32_t kind;
	uint32_t len; /* of the whole record, a multiple of 8 */
};

#define NO_SEQ UINT32_MAX

struct rec_line {
	struct rec r;
	uint32_t split; /* ",\"seq\":N" is inserted after this many bytes; NO_SEQ: none */
	uint32_t n;     /* bytes of text that follow, '\n' included */
};

struct rec_insn {
	struct rec r;
	uint64_t pc;
	uint32_t enc;
	uint8_t cpu, el;
	uint16_t ntext; /* bytes that follow: ,"asm":...,"sym":"..." (0: none) */
};

struct rec_mem {
	struct rec r;
	uint64_t pc, va, pa, value;
	const char *fault; /* a static string, when !ok */
	uint8_t cpu, size, store, ok, mair, attrs; /* attrs: index in attrs_txt */
};

/* The writer's: an insn line's ,"pc":...,"el":...,"enc":"..." as last formatted. */
struct insn_txt {
	uint64_t pc;
	uint32_t enc;
	uint8_t el, len; /* len 0: empty */
	char txt[58];    /* 54 at most: 16 hex digits of pc, 3 decimal of el, 8 hex of enc */
};

struct trace {
	unsigned schema;
	/* The run's side: the buffer being filled. */
	char *buf;
	size_t len;
	struct seen seen[SEEN];
	const struct disasm *dis;  /* the decode cache of the last trace_insn ... */
	const uint64_t *decodes;   /* ... and its count of decodes (disasm_decodes) */
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
	/* The writer's side (the run's when there is no thread): the file, lines and their
	 * numbers. */
	struct trace_out o;
	struct insn_txt insn_txt[INSN_TXT]; /* loops format the same instructions again */
	char seq_txt[24]; /* the last seq in decimal but its last digit, kept up to date */
	char seq_last;    /* its last digit */
	unsigned seq_len; /* its digits, the last one included */
};

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
	if (v < 10) { /* cpu, el, size: the common case */
		*p = (char)('0' + v);
		return p + 1;
	}
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

/* The 8 hex digits of v as ASCII, the first in the lowest byte (little-endian x86-64 and
 * AArch64 store it first): nibbles spread to bytes, then '0'..'9' or 'a'..'f' added to
 * all eight at once. */
static inline uint64_t hex8(uint32_t v)
{
	uint64_t x = v;
	x = ((x & 0xffff0000u) << 16) | (x & 0xffffu);
	x = ((x & 0x0000ff000000ff00ull) << 8) | (x & 0x000000ff000000ffull);
	x = ((x & 0x00f000f000f000f0ull) << 4) | (x & 0x000f000f000f000full);
	uint64_t letters = ((x + 0x0606060606060606ull) >> 4) & 0x0101010101010101ull;
	x += 0x3030303030303030ull + letters * ('a' - '0' - 10);
	return __builtin_bswap64(x);
}

/*
 * printf's 0x%0<width>" PRIx64 ": at least width digits (1: no padding). Writes up to 18
 * bytes whatever the value (the digits left-aligned, then bytes the next put overwrites),
 * so every caller reserves that much beyond what it keeps.
 */
static inline char *put_hex(char *p, uint64_t v, unsigned width)
{
	unsigned n = v ? (unsigned)(67 - __builtin_clzll(v)) / 4 : 1;
	if (n < width)
		n = width;
	*p++ = '0';
	*p++ = 'x';
	if (n <= 8) {
		/* Encodings, most addresses: one word, the first digit at its top. */
		uint64_t d = hex8((uint32_t)(v << (4 * (8 - n))));
		memcpy(p, &d, 8);
		return p + n;
	}
	uint64_t x = n < 16 ? v << (4 * (16 - n)) : v;
	uint64_t hi = hex8((uint32_t)(x >> 32)), lo = hex8((uint32_t)x);
	memcpy(p, &hi, 8);
	memcpy(p + 8, &lo, 8);
	return p + n;
}

/* ---- the writer: records to lines ---- */

/* The next event's ",\"seq\":N", N counted here (every record but the header's is one
 * event, in order). Its last digit is kept apart from the others: changing it in place
 * and then copying all of them would stall the copy on the byte just stored. */
static char *put_seq(struct trace *t, char *p)
{
	p = PUT(p, ",\"seq\":");
	if (t->seq_last < '9') {
		t->seq_last++;
	} else { /* ...x9 + 1 = ...(x+1)0 */
		t->seq_last = '0';
		unsigned i = t->seq_len - 1;
		while (i > 0 && t->seq_txt[i - 1] == '9')
			t->seq_txt[--i] = '0';
		if (i > 0) {
			t->seq_txt[i - 1]++;
		} else { /* 99...9 + 1 */
			memmove(t->seq_txt + 1, t->seq_txt, t->seq_len - 1);
			t->seq_txt[0] = '1';
			t->seq_len++;
		}
	}
	memcpy(p, t->seq_txt, sizeof(t->seq_txt)); /* a fixed size: no call to memcpy */
	p[t->seq_len - 1] = t->seq_last;
	return p + t->seq_len;
}

static char *format_insn(struct trace *t, char *p, const struct rec_insn *r)
{
	p = PUT(p, "{\"type\":\"insn\"");
	p = put_seq(t, p);
	p = PUT(p, ",\"cpu\":");
	p = put_dec(p, r->cpu);
	struct insn_txt *c = &t->insn_txt[(r->pc >> 2) % INSN_TXT];
	if (!c->len || c->pc != r->pc || c->enc != r->enc || c->el != r->el) {
		char *q = PUT(c->txt, ",\"pc\":\"");
		q = put_hex(q, r->pc, 1);
		q = PUT(q, "\",\"el\":");
		q = put_dec(q, r->el);
		q = PUT(q, ",\"enc\":\"");
		q = put_hex(q, r->enc, 8);
		*q++ = '"';
		c->pc = r->pc;
		c->enc = r->enc;
		c->el = r->el;
		c->len = (uint8_t)(q - c->txt);
	}
	memcpy(p, c->txt, sizeof(c->txt)); /* a fixed size: no call to memcpy */
	p += c->len;
	if (r->ntext) /* rarely (schema 2): no call to memcpy for nothing */
		p = put_mem(p, (const char *)(r + 1), r->ntext);
	return PUT(p, "}\n");
}

/* enum mem_type's names (the inner attributes), padded for a copy of fixed size. */
static const char attrs_txt[5][16] = {"device", "normal-nc", "normal-wt", "normal-wb", "?"};
static const uint8_t attrs_len[5] = {6, 9, 9, 9, 1};

static char *format_mem(struct trace *t, char *p, const struct rec_mem *r)
{
	p = PUT(p, "{\"type\":\"mem\"");
	p = put_seq(t, p);
	p = PUT(p, ",\"cpu\":");
	p = put_dec(p, r->cpu);
	p = PUT(p, ",\"pc\":\"");
	p = put_hex(p, r->pc, 1);
	p = r->store ? PUT(p, "\",\"access\":\"store\",\"va\":\"")
	             : PUT(p, "\",\"access\":\"load\",\"va\":\"");
	p = put_hex(p, r->va, 1);
	if (r->ok) {
		p = PUT(p, "\",\"pa\":\"");
		p = put_hex(p, r->pa, 1);
		p = PUT(p, "\",\"size\":");
		p = put_dec(p, r->size);
		p = PUT(p, ",\"attrs\":\"");
		memcpy(p, attrs_txt[r->attrs], sizeof(attrs_txt[0])); /* no call to memcpy */
		p += attrs_len[r->attrs];
		p = PUT(p, "\",\"mair\":\"");
		p = put_hex(p, r->mair, 2);
	} else {
		p = PUT(p, "\",\"size\":");
		p = put_dec(p, r->size);
		p = PUT(p, ",\"fault\":\"");
		p = put_str(p, r->fault);
	}
	p = PUT(p, "\",\"value\":\"");
	p = put_hex(p, r->value, 1);
	return PUT(p, "\"}\n");
}

static char *format_line(struct trace *t, char *p, const struct rec_line *r)
{
	const char *text = (const char *)(r + 1);
	if (r->split == NO_SEQ)
		return put_mem(p, text, r->n);
	p = put_mem(p, text, r->split);
	p = put_seq(t, p);
	return put_mem(p, text + r->split, r->n - r->split);
}

/* Format and write one buffer of records (whole lines: the output is written when the
 * next line might not fit, and at the end; with direct I/O, whole blocks). */
static void format_buffer(struct trace *t, const char *buf, size_t len, bool *failed, int *err)
{
	for (size_t off = 0; off < len;) {
		const struct rec *r = (const struct rec *)(buf + off);
		size_t room = r->kind == REC_LINE   ? ((const struct rec_line *)r)->n + 64
		              : r->kind == REC_INSN ? ((const struct rec_insn *)r)->ntext + 160u
		                                    : 320u;
		/* Lines are formatted in a small buffer that stays in the cache, then copied
		 * (copy_stream); a line too long for it, in place. */
		struct trace_out *o = &t->o;
		bool staged = room <= TOUT_STAGE / 2;
		if (!staged || o->stage_len + room > TOUT_STAGE) {
			if (o->out_len + o->stage_len + room > TOUT_SIZE)
				tout_drain(o, false, failed, err); /* the staged lines come after */
			tout_stage_flush(o);
		}
		char *base = staged ? o->stage : o->out;
		size_t *blen = staged ? &o->stage_len : &o->out_len;
		char *p = base + *blen;
		switch (r->kind) {
		case REC_INSN:
			p = format_insn(t, p, (const struct rec_insn *)r);
			break;
		case REC_MEM:
			p = format_mem(t, p, (const struct rec_mem *)r);
			break;
		default:
			p = format_line(t, p, (const struct rec_line *)r);
			break;
		}
		*blen = (size_t)(p - base);
		off += r->len;
	}
	struct trace_out *o = &t->o;
	if (o->out_len + o->stage_len > TOUT_SIZE)
		tout_drain(o, false, failed, err);
	tout_stage_flush(o);
	/* A regular file's text goes out in large writes (the larger, the faster direct I/O
	 * runs); a pipe's at the end of every buffer. */
	if (!o->regular || o->out_len >= TOUT_SIZE / 2)
		tout_drain(o, false, failed, err);
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
		format_buffer(t, t->bufs[i], t->lens[i], &failed, &err);
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
		format_buffer(t, t->buf, t->len, &t->failed, &t->err);
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
	t->seq_last = '0';
	t->seq_len = 1;
	if (tout_open(&t->o, path, err, errlen)) {
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

void trace_set_limit(struct trace *t, uint64_t limit)
{
	t->o.limit = limit;
}

void trace_set_direct(struct trace *t, uint64_t after)
{
	t->o.direct_after = after;
}

uint64_t trace_direct_bytes(const struct trace *t)
{
	return t->o.direct_bytes;
}

_Static_assert(TRACE_GOING == (int)TOUT_GOING && TRACE_HALT_LIMIT == (int)TOUT_HALT_LIMIT &&
                   TRACE_HALT_ERROR == (int)TOUT_HALT_ERROR,
               "trace_halt returns traceout's halt");

enum trace_halt trace_halt(const struct trace *t)
{
	return (enum trace_halt)atomic_load_explicit(&t->o.halt, memory_order_relaxed);
}

int trace_flush(struct trace *t)
{
	if (!t)
		return 0;
	submit(t);
	pthread_mutex_lock(&t->mu);
	while (t->queued)
		pthread_cond_wait(&t->done, &t->mu);
	/* The writer waits for work: what it kept back for direct I/O is ours to write. */
	tout_drain(&t->o, true, &t->failed, &t->err);
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
	int e = tout_close(&t->o);
	if (e && !t->failed) {
		t->failed = true;
		t->err = e;
	}
	int rc = 0;
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

/* ---- the run's side: records ---- */

/* Room for a record of up to n bytes in the buffer. */
static void *reserve(struct trace *t, size_t n)
{
	if (t->len + n > BUF_SIZE)
		submit(t);
	return t->buf + t->len;
}

static void commit(struct trace *t, struct rec *r, enum rec_kind kind, size_t len)
{
	r->kind = kind;
	r->len = (uint32_t)((len + 7) & ~(size_t)7);
	t->len += r->len;
}

/* A line record: the caller writes the text at the returned pointer, up to max bytes. */
static char *line_start(struct trace *t, size_t max)
{
	struct rec_line *r = reserve(t, sizeof(*r) + max + 8);
	return (char *)(r + 1);
}

/* The line that starts at text ends at p ('\n' included); seq goes in after split bytes. */
static void line_end(struct trace *t, char *text, char *p, uint32_t split)
{
	struct rec_line *r = (struct rec_line *)text - 1;
	r->split = split;
	r->n = (uint32_t)(p - text);
	commit(t, &r->r, REC_LINE, sizeof(*r) + r->n);
}

/* The opening of every hand-formatted line, {"type":"T" then ,"cpu":C, written at text;
 * *split is where the seq goes in between. */
static char *put_event(char *text, const char *type, unsigned cpu, uint32_t *split)
{
	char *p = PUT(text, "{\"type\":\"");
	p = put_str(p, type);
	*p++ = '"';
	*split = (uint32_t)(p - text);
	p = PUT(p, ",\"cpu\":");
	return put_dec(p, cpu);
}

static json_t *hex(uint64_t v)
{
	char b[24];
	snprintf(b, sizeof(b), "0x%" PRIx64, v);
	return json_string(b);
}

/* A line without seq: the header. */
static void dump_line(struct trace *t, json_t *o)
{
	size_t n = json_dumpb(o, NULL, 0, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (n + 64 > BUF_SIZE)
		return; /* cannot happen: events are small */
	char *text = line_start(t, n + 1);
	json_dumpb(o, text, n, JSON_COMPACT | JSON_PRESERVE_ORDER);
	text[n] = '\n';
	line_end(t, text, text + n + 1, NO_SEQ);
}

/* Write "type", the seq and then the fields of o as one line, and release o. */
static void emit(struct trace *t, const char *type, json_t *o)
{
	json_object_del(o, "type"); /* the line's own */
	json_object_del(o, "seq");
	size_t n = json_dumpb(o, NULL, 0, JSON_COMPACT | JSON_PRESERVE_ORDER);
	size_t tl = strlen(type);
	if (n + tl + 64 > BUF_SIZE) {
		json_decref(o);
		return; /* cannot happen: events are small */
	}
	char *text = line_start(t, n + tl + 16);
	char *p = PUT(text, "{\"type\":\"");
	p = put_mem(p, type, tl);
	*p++ = '"';
	uint32_t split = (uint32_t)(p - text);
	if (n > 2) { /* {"a":...}: its fields follow the type (and the seq) */
		json_dumpb(o, p, n, JSON_COMPACT | JSON_PRESERVE_ORDER);
		*p = ',';
		p += n;
	} else {
		*p++ = '}';
	}
	*p++ = '\n';
	line_end(t, text, p, split);
	json_decref(o);
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
	json_t *model =
	    json_pack("{s:I, s:s, s:b, s:b, s:b, s:I}", "ncpus", (json_int_t)h->ncpus, "tlb_policy",
	              h->tlb, "ctr_idc", h->ctr_idc, "ctr_dic", h->ctr_dic, "feat_ets", h->feat_ets,
	              "pa_bits", (json_int_t)h->pa_bits);
	char wb[32];
	wb_policy_format(h->wb_policy, h->wb_seed, wb, sizeof(wb));
	json_object_set_new(model, "writeback", json_string(wb));
	json_t *o = json_object();
	json_object_set_new(o, "type", json_string("header"));
	json_object_set_new(o, "schema", json_integer(t->schema));
	json_object_set_new(o, "tool", json_string("hypsim"));
	json_object_set_new(o, "firmware", fw);
	json_object_set_new(o, "options", opt);
	json_object_set_new(o, "model", model);
	if (h->kernel && h->kinfo) {
		const struct kboot_args *k = h->kernel;
		const struct kboot_info *ki = h->kinfo;
		json_t *kj = json_object();
		json_object_set_new(kj, "image", json_string(k->kernel));
		json_object_set_new(kj, "sha256", json_string(ki->kernel_sha256));
		json_object_set_new(kj, "dtb", k->dtb ? json_string(k->dtb) : json_null());
		json_object_set_new(kj, "dtb_sha256", json_string(ki->dtb_sha256));
		json_object_set_new(kj, "append", k->append ? json_string(k->append) : json_null());
		json_object_set_new(kj, "initrd", k->initrd ? json_string(k->initrd) : json_null());
		json_object_set_new(kj, "initrd_sha256",
		                    k->initrd ? json_string(ki->initrd_sha256) : json_null());
		json_object_set_new(kj, "symbols", k->symbols ? json_string(k->symbols) : json_null());
		json_object_set_new(kj, "symbols_sha256", k->symbols && ki->symbols_sha256[0]
		                                              ? json_string(ki->symbols_sha256)
		                                              : json_null());
		json_object_set_new(kj, "kernel_pa", hex(ki->plan.kernel_pa));
		json_object_set_new(kj, "dtb_pa", hex(ki->plan.dtb_pa));
		json_object_set_new(kj, "initrd_pa", hex(ki->plan.initrd_pa));
		json_object_set_new(o, "kernel", kj);
	}
	dump_line(t, o);
	json_decref(o);
}

/*
 * Schema 2 writes asm and sym only when (pc, enc, el) has not had them from this decode
 * (readers take them from the latest insn with the same three that has them). While the
 * cache has decoded nothing since the last check, its entry is the same decode: no lookup.
 * A slot lost to another instruction only means writing them again. *d is the decode when
 * it was looked up, else NULL.
 */
static bool insn_needs_text(struct trace *t, uint64_t pc, unsigned el, uint32_t enc,
                            struct disasm *dis,
                            void (*sym_fn)(void *arg, uint64_t va, char *buf, size_t len),
                            void *arg, const struct dis_insn **d)
{
	*d = NULL;
	if (t->schema < 2)
		return true;
	if (t->dis != dis) {
		t->dis = dis;
		t->decodes = disasm_decodes_counter(dis);
	}
	struct seen *s = &t->seen[((pc >> 2) ^ ((uint64_t)el << 12)) % SEEN];
	bool same = s->valid && s->pc == pc && s->enc == enc && s->el == el;
	if (same && s->decodes == *t->decodes)
		return false;
	*d = disasm_get(dis, pc, enc, sym_fn, arg);
	bool text = !same || s->dis_id != (*d)->id;
	*s = (struct seen){.pc = pc,
	                   .dis_id = (*d)->id,
	                   .decodes = *t->decodes,
	                   .enc = enc,
	                   .el = (uint8_t)el,
	                   .valid = true};
	return text;
}

void trace_insn(struct trace *t, unsigned cpu, uint64_t pc, unsigned el, uint32_t enc,
                struct disasm *dis, void (*sym_fn)(void *arg, uint64_t va, char *buf, size_t len),
                void *arg)
{
	const struct dis_insn *d;
	bool text = insn_needs_text(t, pc, el, enc, dis, sym_fn, arg, &d);
	struct rec_insn *r = reserve(t, sizeof(*r) + (text ? 360 : 0));
	r->pc = pc;
	r->enc = enc;
	r->cpu = (uint8_t)cpu;
	r->el = (uint8_t)el;
	r->ntext = 0;
	if (text) {
		if (!d)
			d = disasm_get(dis, pc, enc, sym_fn, arg);
		char *p = (char *)(r + 1), *q = p;
		q = PUT(q, ",\"asm\":");
		q = put_str(q, d->text_json);
		q = PUT(q, ",\"sym\":\"");
		q = put_str(q, d->sym);
		*q++ = '"';
		r->ntext = (uint16_t)(q - p);
	}
	commit(t, &r->r, REC_INSN, sizeof(*r) + r->ntext);
}

void trace_fetch_fault(struct trace *t, unsigned cpu, uint64_t pc, unsigned el)
{
	uint32_t split;
	char *text = line_start(t, 128);
	char *p = put_event(text, "fetch-fault", cpu, &split);
	p = PUT(p, ",\"pc\":\"");
	p = put_hex(p, pc, 1);
	p = PUT(p, "\",\"el\":");
	p = put_dec(p, el);
	p = PUT(p, "}\n");
	line_end(t, text, p, split);
}

void trace_barrier(struct trace *t, unsigned cpu, uint64_t pc, const char *kind,
                   const char *domain, unsigned type)
{
	static const char *const types[] = {"ld", "st", "all"};
	uint32_t split;
	char *text = line_start(t, 160);
	char *p = put_event(text, "barrier", cpu, &split);
	p = PUT(p, ",\"pc\":\"");
	p = put_hex(p, pc, 1);
	p = PUT(p, "\",\"kind\":\"");
	p = put_str(p, kind);
	p = PUT(p, "\",\"domain\":\"");
	p = put_str(p, domain);
	p = PUT(p, "\",\"access\":\"");
	p = put_str(p, types[type < 3 ? type : 2]);
	p = PUT(p, "\"}\n");
	line_end(t, text, p, split);
}

void trace_mem(struct trace *t, unsigned cpu, uint64_t pc, bool store, uint64_t va, bool ok,
               uint64_t pa, unsigned size, bool mmu_on, unsigned mem_type, unsigned mair_attr,
               uint64_t value, const char *fault)
{
	struct rec_mem *r = reserve(t, sizeof(*r));
	r->pc = pc;
	r->va = va;
	r->pa = pa;
	r->value = ok || store ? value : 0; /* a load that faults obtains nothing */
	(void)mmu_on; /* an MMU-off data access is Device (DESIGN §3): the model's MT_DEVICE */
	r->attrs = (uint8_t)(mem_type < 4 ? mem_type : 4);
	r->fault = fault;
	r->cpu = (uint8_t)cpu;
	r->size = (uint8_t)size;
	r->store = store;
	r->ok = ok;
	r->mair = (uint8_t)mair_attr;
	commit(t, &r->r, REC_MEM, sizeof(*r));
}

void trace_op(struct trace *t, unsigned cpu, uint64_t pc, const char *type, const char *op,
              const char *argname, uint64_t arg, const struct model_step_result *res)
{
	uint32_t split;
	char *text = line_start(t, 256);
	char *p = put_event(text, type, cpu, &split);
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
	p = PUT(p, "}\n");
	line_end(t, text, p, split);
}

void trace_walk(struct trace *t, unsigned cpu, uint64_t va, bool cacheable,
                const struct walk_result *w)
{
	uint32_t split;
	char *text = line_start(t, 768);
	char *p = put_event(text, "walk", cpu, &split);
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
	p = PUT(p, "}\n");
	line_end(t, text, p, split);
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
	if (e->stage2)
		json_object_set_new(o, "hpfar", hex(e->hpfar));
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
