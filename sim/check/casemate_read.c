/*
 * casemate_read.c - the reader of Casemate's trace format (casemate_read.h, docs/casemate.md):
 * records as s-expressions (keyword or positional fields, over several lines), `!` verdict
 * lines, strict: the first malformed token is an error naming its line. Written from
 * Casemate's documentation (doc/asciidoc/sections/trace-format.adoc) and the traces of its
 * examples; no code of Casemate's is used. Also what hypsim makes of Casemate's verdicts.
 */
#include "check/casemate_read.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CM_MAX_ITEMS   12          /* fields of one record */
#define CM_MAX_LIST    3           /* elements of one (key value) list */
#define CM_MAX_WORD    256         /* characters of one atom or string */

/* ---------- reader ---------- */

struct tok {
	const char *s;
	size_t len;
	bool str; /* a "string" (s without its quotes) */
	unsigned line;
};

/* One field of a record: a bare atom/string, or a list of up to CM_MAX_LIST of them. */
struct item {
	bool list;
	unsigned n;
	unsigned line;
	struct tok t[CM_MAX_LIST];
};

struct rd {
	const char *p, *end;
	unsigned line;
	char *err;
	size_t errlen;
};

static int fail(struct rd *r, unsigned line, const char *fmt, ...)
{
	int n = snprintf(r->err, r->errlen, "%u: ", line);
	va_list ap;
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < r->errlen)
		vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static void skip_space(struct rd *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\r' || *r->p == '\n')) {
		if (*r->p == '\n')
			r->line++;
		r->p++;
	}
}

static bool is_delim(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '(' || c == ')' || c == '"';
}

/* An atom or a string at r->p (not a parenthesis). */
static int read_tok(struct rd *r, struct tok *t)
{
	t->line = r->line;
	t->str = *r->p == '"';
	if (t->str) {
		const char *q = ++r->p;
		while (r->p < r->end && *r->p != '"' && *r->p != '\n')
			r->p++;
		if (r->p >= r->end || *r->p != '"')
			return fail(r, t->line, "string not closed on its line");
		t->s = q;
		t->len = (size_t)(r->p - q);
		r->p++;
	} else {
		t->s = r->p;
		while (r->p < r->end && !is_delim(*r->p)) {
			unsigned char c = (unsigned char)*r->p;
			if (c < 0x20 || c >= 0x7f)
				return fail(r, t->line, "byte 0x%02x in a word", c);
			r->p++;
		}
		t->len = (size_t)(r->p - t->s);
	}
	if (t->len > CM_MAX_WORD)
		return fail(r, t->line, "word of more than %u characters", CM_MAX_WORD);
	return 0;
}

/* The record whose '(' is at r->p: items[0] is its kind. */
static int read_record(struct rd *r, struct item *it, unsigned *nit)
{
	unsigned open = r->line;
	r->p++;
	*nit = 0;
	for (;;) {
		skip_space(r);
		if (r->p >= r->end)
			return fail(r, open, "record not closed before the end of the file");
		if (*r->p == ')') {
			r->p++;
			return 0;
		}
		if (*nit == CM_MAX_ITEMS)
			return fail(r, r->line, "record with more than %u fields", CM_MAX_ITEMS);
		struct item *x = &it[(*nit)++];
		memset(x, 0, sizeof(*x));
		x->line = r->line;
		if (*r->p != '(') {
			if (read_tok(r, &x->t[0]))
				return -1;
			x->n = 1;
			continue;
		}
		x->list = true;
		r->p++;
		for (;;) {
			skip_space(r);
			if (r->p >= r->end)
				return fail(r, x->line, "field not closed before the end of the file");
			if (*r->p == ')') {
				r->p++;
				break;
			}
			if (*r->p == '(')
				return fail(r, r->line, "a list inside a field");
			if (x->n == CM_MAX_LIST)
				return fail(r, r->line, "field with more than %u elements", CM_MAX_LIST);
			if (read_tok(r, &x->t[x->n++]))
				return -1;
		}
		if (x->n == 0)
			return fail(r, x->line, "empty field ()");
	}
}

static bool tok_is(const struct tok *t, const char *w)
{
	return !t->str && strlen(w) == t->len && !memcmp(t->s, w, t->len);
}

static int parse_dec(struct rd *r, const struct tok *t, uint64_t *out)
{
	if (t->str || !t->len)
		return fail(r, t->line, "expected a decimal number, got \"%.*s\"", (int)t->len, t->s);
	uint64_t v = 0;
	for (size_t i = 0; i < t->len; i++) {
		char c = t->s[i];
		if (c < '0' || c > '9')
			return fail(r, t->line, "expected a decimal number, got \"%.*s\"", (int)t->len,
			            t->s);
		if (v > (UINT64_MAX - (uint64_t)(c - '0')) / 10)
			return fail(r, t->line, "number %.*s does not fit in 64 bits", (int)t->len,
			            t->s);
		v = v * 10 + (uint64_t)(c - '0');
	}
	*out = v;
	return 0;
}

/* Hexadecimal, 0x optional (Casemate's C checker reads every u64 field so). */
static int parse_hex(struct rd *r, const struct tok *t, uint64_t *out)
{
	const char *s = t->s;
	size_t n = t->len;
	if (!t->str && n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		n -= 2;
	}
	if (t->str || !n)
		return fail(r, t->line, "expected a hexadecimal number, got \"%.*s\"", (int)t->len,
		            t->s);
	while (n > 1 && *s == '0') {
		s++;
		n--;
	}
	if (n > 16)
		return fail(r, t->line, "number %.*s does not fit in 64 bits", (int)t->len, t->s);
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		unsigned d;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return fail(r, t->line, "expected a hexadecimal number, got \"%.*s\"",
			            (int)t->len, t->s);
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

/* Field cursor over one record's items. */
struct cur {
	struct rd *r;
	const struct item *it;
	unsigned n, i;
	const char *kind;
	unsigned line;
};

/* The value token of field `key` (a (key value) list or a bare value), or NULL + error. */
static const struct tok *field(struct cur *c, const char *key, const char *key2)
{
	if (c->i >= c->n) {
		fail(c->r, c->line, "%s record without its (%s ...) field", c->kind, key);
		return NULL;
	}
	const struct item *x = &c->it[c->i];
	if (!x->list) {
		c->i++;
		return &x->t[0];
	}
	if (x->n != 2 || !(tok_is(&x->t[0], key) || (key2 && tok_is(&x->t[0], key2)))) {
		fail(c->r, x->line, "%s record: expected (%s VALUE), got (%.*s ...)", c->kind, key,
		     (int)x->t[0].len, x->t[0].s);
		return NULL;
	}
	c->i++;
	return &x->t[1];
}

static int field_hex(struct cur *c, const char *key, uint64_t *out)
{
	const struct tok *t = field(c, key, NULL);
	return t ? parse_hex(c->r, t, out) : -1;
}

static int field_dec(struct cur *c, const char *key, const char *key2, uint64_t *out)
{
	const struct tok *t = field(c, key, key2);
	return t ? parse_dec(c->r, t, out) : -1;
}

/* One of names[] (NULL-terminated). */
static int field_enum(struct cur *c, const char *key, const char *const *names, int *out)
{
	const struct tok *t = field(c, key, NULL);
	if (!t)
		return -1;
	for (int i = 0; names[i]; i++)
		if (tok_is(t, names[i])) {
			*out = i;
			return 0;
		}
	return fail(c->r, t->line, "%s record: unknown %s \"%.*s\"", c->kind, key, (int)t->len,
	            t->s);
}

static const char *const kind_names[CM_KIND_COUNT + 1] = {
    "mem-write", "mem-read", "mem-init", "mem-free", "mem-set", "dsb", "isb", "tlbi",
    "sysreg-write", "hint", "lock", "trylock", "unlock", NULL};
static const char *const sysreg_names[CM_SYSREG_COUNT + 1] = {
    "vttbr_el2", "ttbr0_el2", "vtcr_el2", "tcr_el2", "hcr_el2", "sctlr_el2", "mair_el2", NULL};
static const char *const hint_names[] = {"set_root_lock", "set_owner_root", "release_table",
                                         "set_pte_thread_owner", NULL};
static const char *const order_names[] = {"plain", "release", NULL};
static const char *const dxb_names[] = {"nsh", "ish", "ishst", "sy", NULL};

const char *cm_kind_name(enum cm_kind k)
{
	return k < CM_KIND_COUNT ? kind_names[k] : "?";
}

const char *cm_sysreg_name(enum cm_sysreg r)
{
	return r < CM_SYSREG_COUNT ? sysreg_names[r] : "?";
}

const char *cm_hint_name(enum cm_hint h)
{
	return h <= CM_SET_PTE_THREAD_OWNER ? hint_names[h] : "?";
}

/* TLBIs that take an address operand: those by VA or IPA (D8.13.x). */
static bool tlbi_has_addr(enum tlbi_op op)
{
	switch (op) {
	case TLBI_VAE2: case TLBI_VAE2IS: case TLBI_VALE2: case TLBI_VALE2IS:
	case TLBI_VAE1: case TLBI_VAE1IS: case TLBI_VALE1: case TLBI_VALE1IS:
	case TLBI_VAAE1: case TLBI_VAAE1IS: case TLBI_VAALE1: case TLBI_VAALE1IS:
	case TLBI_ASIDE1: case TLBI_ASIDE1IS:
	case TLBI_IPAS2E1: case TLBI_IPAS2E1IS: case TLBI_IPAS2LE1: case TLBI_IPAS2LE1IS:
		return true;
	default:
		return false;
	}
}

static int parse_tail(struct cur *c, struct cm_record *e)
{
	int v;
	switch (e->kind) {
	case CM_MEM_WRITE:
		if (field_enum(c, "mem-order", order_names, &v))
			return -1;
		e->release = v == 1;
		return field_hex(c, "address", &e->addr) || field_hex(c, "value", &e->value) ? -1 : 0;
	case CM_MEM_READ:
		return field_hex(c, "address", &e->addr) || field_hex(c, "value", &e->value) ? -1 : 0;
	case CM_MEM_INIT:
	case CM_MEM_FREE:
		return field_hex(c, "address", &e->addr) || field_hex(c, "size", &e->size) ? -1 : 0;
	case CM_MEM_SET:
		return field_hex(c, "address", &e->addr) || field_hex(c, "size", &e->size) ||
		               field_hex(c, "value", &e->value)
		           ? -1
		           : 0;
	case CM_DSB: {
		/* "barrier" then the bare word dsb or isb: the kind was decided by the caller. */
		if (field_enum(c, "kind", dxb_names, &v))
			return -1;
		static const enum barrier_domain dom[] = {DOM_NSH, DOM_ISH, DOM_ISH, DOM_SY};
		e->dom = dom[v];
		e->btype = v == 2 ? BAR_ST : BAR_ALL;
		return 0;
	}
	case CM_ISB:
		return 0;
	case CM_TLBI: {
		const struct tok *t = field(c, "tlbi kind", NULL);
		if (!t)
			return -1;
		bool found = false;
		for (int i = 0; i < TLBI_OP_COUNT && !found; i++)
			if (tok_is(t, tlbi_op_name((enum tlbi_op)i))) {
				e->tlbi = (enum tlbi_op)i;
				found = true;
			}
		if (!found)
			return fail(c->r, t->line, "tlbi record: unknown TLBI \"%.*s\"", (int)t->len,
			            t->s);
		e->has_value = tlbi_has_addr(e->tlbi);
		return e->has_value ? field_hex(c, "value", &e->value) : 0;
	}
	case CM_SYSREG:
		if (field_enum(c, "sysreg", sysreg_names, &v))
			return -1;
		e->reg = (enum cm_sysreg)v;
		return field_hex(c, "value", &e->value);
	case CM_HINT:
		if (field_enum(c, "kind", hint_names, &v))
			return -1;
		e->hint = (enum cm_hint)v;
		return field_hex(c, "location", &e->addr) || field_hex(c, "value", &e->value) ? -1
		                                                                              : 0;
	case CM_LOCK:
	case CM_TRYLOCK:
	case CM_UNLOCK:
		return field_hex(c, "address", &e->addr);
	default:
		return fail(c->r, c->line, "internal: record kind %d", (int)e->kind);
	}
}

static int interpret(struct rd *r, const struct item *it, unsigned n, unsigned line,
                     struct cm_record *e)
{
	memset(e, 0, sizeof(*e));
	e->line = line;
	if (n == 0)
		return fail(r, line, "empty record ()");
	if (it[0].list || it[0].t[0].str)
		return fail(r, it[0].line, "a record starts with its kind (mem-write, barrier, ...)");
	const struct tok *k = &it[0].t[0];
	struct cur c = {.r = r, .it = it, .n = n, .i = 1, .line = line};
	bool barrier = tok_is(k, "barrier");
	int kind = -1;
	for (int i = 0; i < CM_KIND_COUNT && kind < 0; i++)
		if (i != CM_DSB && i != CM_ISB && tok_is(k, kind_names[i]))
			kind = i;
	if (!barrier && kind < 0)
		return fail(r, k->line, "unknown record kind \"%.*s\"", (int)k->len, k->s);
	c.kind = barrier ? "barrier" : kind_names[kind];
	if (field_dec(&c, "id", NULL, &e->id) || field_dec(&c, "tid", "thread", &e->tid))
		return -1;
	if (barrier) {
		const struct tok *b = field(&c, "barrier kind", NULL);
		if (!b)
			return -1;
		if (tok_is(b, "dsb"))
			kind = CM_DSB;
		else if (tok_is(b, "isb"))
			kind = CM_ISB;
		else
			return fail(r, b->line, "barrier record: \"%.*s\" is neither dsb nor isb",
			            (int)b->len, b->s);
	}
	e->kind = (enum cm_kind)kind;
	if (parse_tail(&c, e))
		return -1;
	/* The source location, optional, last: (src "file:line"), (src N) or a bare string. */
	if (c.i < c.n) {
		const struct item *x = &it[c.i];
		bool ok = x->list ? x->n == 2 && tok_is(&x->t[0], "src") : x->t[0].str;
		if (!ok)
			return fail(r, x->line, "%s record: unexpected field after its last one",
			            c.kind);
		c.i++;
	}
	if (c.i < c.n)
		return fail(r, it[c.i].line, "%s record: unexpected field after (src ...)", c.kind);
	return 0;
}

static int push_record(struct rd *r, struct cm_trace *t, const struct cm_record *e)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		void *p = realloc(t->rec, cap * sizeof(*t->rec));
		if (!p)
			return fail(r, e->line, "out of memory");
		t->rec = p;
		t->cap = cap;
	}
	t->rec[t->n++] = *e;
	return 0;
}

static int push_verdict(struct rd *r, struct cm_trace *t, unsigned line, const char *s,
                        size_t len)
{
	if (t->nver == t->capver) {
		size_t cap = t->capver ? 2 * t->capver : 8;
		void *p = realloc(t->ver, cap * sizeof(*t->ver));
		if (!p)
			return fail(r, line, "out of memory");
		t->ver = p;
		t->capver = cap;
	}
	struct cm_verdict *v = &t->ver[t->nver++];
	v->line = line;
	v->after = t->n;
	while (len && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
		len--;
	if (len >= sizeof(v->text))
		len = sizeof(v->text) - 1;
	memcpy(v->text, s, len);
	v->text[len] = '\0';
	return 0;
}

int cm_parse(const char *text, size_t len, struct cm_trace *t, char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	struct rd r = {.p = text, .end = text + len, .line = 1, .err = err, .errlen = errlen};
	if (memchr(text, '\0', len))
		return fail(&r, 1, "a NUL byte: not a text file");
	struct item it[CM_MAX_ITEMS];
	for (;;) {
		skip_space(&r);
		if (r.p >= r.end)
			return 0;
		unsigned line = r.line;
		if (*r.p == '!') {
			const char *s = r.p + 1;
			const char *nl = memchr(s, '\n', (size_t)(r.end - s));
			const char *e = nl ? nl : r.end;
			for (const char *q = s; q < e; q++)
				if ((unsigned char)*q < 0x20 && *q != '\t' && *q != '\r')
					return fail(&r, line, "control byte 0x%02x in a verdict line",
					            (unsigned char)*q);
			if (push_verdict(&r, t, line, s, (size_t)(e - s)))
				return -1;
			r.p = e;
			continue;
		}
		if (*r.p != '(')
			return fail(&r, line, "expected a record \"(...)\" or a verdict \"! ...\", got "
			                      "'%c'",
			            (unsigned char)*r.p >= 0x20 && (unsigned char)*r.p < 0x7f ? *r.p
			                                                                      : '?');
		unsigned nit;
		struct cm_record e;
		if (read_record(&r, it, &nit) || interpret(&r, it, nit, line, &e) ||
		    push_record(&r, t, &e))
			return -1;
	}
}

void cm_trace_free(struct cm_trace *t)
{
	free(t->rec);
	free(t->ver);
	memset(t, 0, sizeof(*t));
}

/* ---------- verdicts ---------- */

bool cm_verdict_judged(const char *text, const char **why)
{
	static const struct {
		const char *prefix;
		bool judged;
		const char *why;
	} map[] = {
	    {"BBM", true, "break-before-make: hypsim checks it at the store (bbm)"},
	    {"cannot release table", false,
	     "release_table is a ghost hint: hypsim would see a freed table only when it is "
	     "reused and walked"},
	    {"must have associated root with a lock", false, "locking discipline"},
	    {"must write to pte while holding owner lock", false, "locking discipline"},
	    {"double-use pte", false, "ownership of table pages"},
	    {"duplicate (VM/AS)ID", false,
	     "VMID/ASID allocation: a stale entry of a reused ID shows only at an access"},
	    {"root already associated", false,
	     "VMID/ASID allocation: a stale entry of a reused ID shows only at an access"},
	    {"TTBR0_EL2 ASID is reserved 0", false,
	     "TTBR0_EL2[63:48] is RES0 without VHE: hypsim does not check RES0 bits"},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strncmp(text, map[i].prefix, strlen(map[i].prefix))) {
			*why = map[i].why;
			return map[i].judged;
		}
	*why = "a verdict hypsim has no counterpart for";
	return false;
}
