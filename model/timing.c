/*
 * timing.c - hypsim's cost model (timing.h): profile parser, instruction classifier, and
 * the per-CPU TLB / walk cache / L1 cache occupancy that turns model events into cycles.
 *
 * Everything is deterministic: the structures are plain arrays with LRU stamps from a
 * counter, no hashing of host pointers, no clocks.
 */
#include "timing.h"

#include <assert.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "pt.h"

/* ---------- instruction classes (Arm ARM C4.1, A64 instruction set encoding) ---------- */

static bool is_load_store_load(uint32_t enc)
{
	/* Load register (literal): bits[29:27] = 011, bit 24 = 0. */
	if (((enc >> 27) & 7) == 3 && !((enc >> 24) & 1))
		return true;
	/* Load/store register (immediate, register offset, unsigned offset, atomics):
	 * bits[29:28] = 11: for general registers opc = bits[23:22] is 00 for a store and
	 * anything else for a load or prefetch; for SIMD&FP registers (V = bit 26) bit 22
	 * alone says load (opc 10 is STR Qt) (C4.1.4). */
	if (((enc >> 28) & 3) == 3)
		return (enc >> 26) & 1 ? (enc >> 22) & 1 : ((enc >> 22) & 3) != 0;
	/* Pairs, exclusives, SIMD structures: L = bit 22. */
	return (enc >> 22) & 1;
}

enum tm_class tm_classify(uint32_t enc)
{
	unsigned op0 = (enc >> 25) & 0xf;
	if ((op0 & 0xe) == 0x8) /* 100x: data processing, immediate */
		return TM_ALU;
	if ((op0 & 0xe) == 0xa) { /* 101x: branches, exception generating, system */
		if ((enc & 0xff000000) == 0xd4000000)
			return TM_EXC; /* SVC, HVC, SMC, BRK, HLT */
		if (enc == 0xd69f03e0)
			return TM_EXC; /* ERET */
		if ((enc & 0xffc00000) == 0xd5000000) {
			/* System instructions (C5.2): op0 = bits[20:19]. */
			unsigned sop0 = (enc >> 19) & 3;
			unsigned crn = (enc >> 12) & 0xf;
			if (sop0 == 0 && crn == 2)
				return TM_HINT;
			if (sop0 == 0 && crn == 3)
				return TM_BARRIER; /* CLREX, DSB, DMB, ISB, SB */
			if (sop0 == 0)
				return TM_SYSREG; /* MSR (immediate): PSTATE fields */
			if (sop0 == 1)
				return TM_SYS; /* SYS / SYSL: TLBI, DC, IC, AT */
			return TM_SYSREG;      /* MRS, MSR (register) */
		}
		return TM_BRANCH;
	}
	if ((op0 & 0x5) == 0x4) /* x1x0: loads and stores */
		return is_load_store_load(enc) ? TM_LOAD : TM_STORE;
	if ((op0 & 0x7) == 0x5) { /* x101: data processing, register */
		if ((enc & 0x1f000000) == 0x1b000000)
			return TM_MUL; /* data-processing (3 source) */
		if ((enc & 0x5fe0f800) == 0x1ac00800)
			return TM_DIV; /* data-processing (2 source), opcode 00001x */
		return TM_ALU;
	}
	if ((op0 & 0x7) == 0x7) /* x111: scalar FP and Advanced SIMD */
		return TM_FP;
	return TM_ALU; /* reserved, unallocated, SVE: an average instruction */
}

const char *tm_class_name(enum tm_class c)
{
	static const char *const names[TM_CLASS_COUNT] = {
	    "alu", "mul",    "div", "branch", "load",    "store",
	    "fp",  "sysreg", "sys", "hint",   "barrier", "exception",
	};
	return c < TM_CLASS_COUNT ? names[c] : "?";
}

/* ---------- profile parser ---------- */

enum key_kind { K_COST, K_COUNT, K_NAME };

struct key {
	const char *section, *name;
	enum key_kind kind;
	size_t off;
};

#define COST(sec, nm, field)                                                                       \
	{                                                                                          \
		sec, nm, K_COST, offsetof(struct tm_profile, field)                                \
	}
#define COUNT(sec, nm, field)                                                                      \
	{                                                                                          \
		sec, nm, K_COUNT, offsetof(struct tm_profile, field)                               \
	}

static const struct key keys[] = {
    {"profile", "name", K_NAME, offsetof(struct tm_profile, name)},
    COST("instructions", "alu", cls[TM_ALU]),
    COST("instructions", "mul", cls[TM_MUL]),
    COST("instructions", "div", cls[TM_DIV]),
    COST("instructions", "branch", cls[TM_BRANCH]),
    COST("instructions", "load", cls[TM_LOAD]),
    COST("instructions", "store", cls[TM_STORE]),
    COST("instructions", "fp", cls[TM_FP]),
    COST("instructions", "sysreg", cls[TM_SYSREG]),
    COST("instructions", "sys", cls[TM_SYS]),
    COST("instructions", "hint", cls[TM_HINT]),
    COST("instructions", "barrier", cls[TM_BARRIER]),
    COST("instructions", "exception", cls[TM_EXC]),
    COUNT("tlb", "utlb_entries", utlb_entries),
    COUNT("tlb", "tlb_entries", tlb_entries),
    COUNT("tlb", "tlb_ways", tlb_ways),
    COUNT("tlb", "walk_cache_entries", walk_cache_entries),
    COUNT("tlb", "walk_cache_ways", walk_cache_ways),
    COST("tlb", "tlb_hit", tlb_hit),
    COST("walk", "walk_cache_hit", walk_cache_hit),
    COST("walk", "cacheable_l1_hit", walk_cache_l1),
    COST("walk", "cacheable_l1_miss", walk_cache_l2),
    COST("walk", "poc", walk_poc),
    COUNT("cache", "line", line),
    COUNT("cache", "l1d_kib", l1d_kib),
    COUNT("cache", "l1d_ways", l1d_ways),
    COUNT("cache", "l1i_kib", l1i_kib),
    COUNT("cache", "l1i_ways", l1i_ways),
    COST("cache", "load_miss", dcache_miss),
    COST("cache", "store_miss", store_miss),
    COST("cache", "fetch_miss", icache_miss),
    COST("cache", "noncacheable", noncacheable),
    COST("cache", "device", device),
    COST("cache", "fetch_noncacheable", fetch_noncacheable),
    COST("maintenance", "dc_hit", dc_hit),
    COST("maintenance", "dc_miss", dc_miss),
    COST("maintenance", "dc_zva", dc_zva),
    COST("maintenance", "dc_sw", dc_sw),
    COST("maintenance", "ic_iallu", ic_iallu),
    COST("maintenance", "ic_ivau", ic_ivau),
    COST("maintenance", "tlbi_va", tlbi_va),
    COST("maintenance", "tlbi_va_is", tlbi_va_is),
    COST("maintenance", "tlbi_all", tlbi_all),
    COST("maintenance", "tlbi_all_is", tlbi_all_is),
    COST("maintenance", "at", at),
    COST("barrier", "dsb", dsb),
    COST("barrier", "dmb", dmb),
    COST("barrier", "isb", isb),
    COST("exception", "entry", exc_entry),
    COST("exception", "return", exc_return),
};

#define NKEYS     (sizeof(keys) / sizeof(keys[0]))
#define MAX_COST  1000000u /* cycles: beyond this a value is a typo */
#define MAX_COUNT (1u << 20)
#define MAX_TOKEN 48

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* "12", "0.5", "3.25": hundredths of a cycle. */
static bool parse_cost(const char *s, uint32_t *out)
{
	uint64_t v = 0;
	unsigned frac = 0;
	bool dot = false, digit = false;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9') {
			digit = true;
			if (dot) {
				if (++frac > 2)
					return false;
			}
			v = v * 10 + (uint64_t)(*s - '0');
			if (v > (uint64_t)MAX_COST * 100)
				return false;
		} else if (*s == '.' && !dot) {
			dot = true;
		} else {
			return false;
		}
	}
	if (!digit)
		return false;
	while (frac++ < 2)
		v *= 10;
	if (v > (uint64_t)MAX_COST * 100)
		return false;
	*out = (uint32_t)v;
	return true;
}

static bool parse_count(const char *s, unsigned *out)
{
	uint64_t v = 0;
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > MAX_COUNT)
			return false;
	}
	if (v == 0)
		return false;
	*out = (unsigned)v;
	return true;
}

/* Copy [b, e) trimmed into buf (at most len-1 characters; false if longer). */
static bool token(const char *b, const char *e, char *buf, size_t len)
{
	while (b < e && is_space(*b))
		b++;
	while (e > b && is_space(e[-1]))
		e--;
	if ((size_t)(e - b) >= len)
		return false;
	memcpy(buf, b, (size_t)(e - b));
	buf[e - b] = 0;
	return true;
}

static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

static int check_structure(const struct tm_profile *p, char *err, size_t errlen)
{
	struct {
		const char *what;
		unsigned entries, ways;
	} sa[] = {
	    {"[tlb] tlb_entries", p->tlb_entries, p->tlb_ways},
	    {"[tlb] walk_cache_entries", p->walk_cache_entries, p->walk_cache_ways},
	    {"[cache] l1d_kib", p->l1d_kib * 1024 / (p->line ? p->line : 1), p->l1d_ways},
	    {"[cache] l1i_kib", p->l1i_kib * 1024 / (p->line ? p->line : 1), p->l1i_ways},
	};
	if (p->line < 16 || p->line > 256 || (p->line & (p->line - 1))) {
		snprintf(err, errlen, "[cache] line: %u is not a power of two from 16 to 256",
		         p->line);
		return -1;
	}
	if (p->l1d_kib > 4096 || p->l1i_kib > 4096) {
		snprintf(err, errlen, "[cache] l1d_kib/l1i_kib: at most 4096");
		return -1;
	}
	for (size_t i = 0; i < sizeof(sa) / sizeof(sa[0]); i++)
		if (sa[i].ways > sa[i].entries || sa[i].entries % sa[i].ways) {
			snprintf(err, errlen, "%s: %u entries cannot be split into %u ways",
			         sa[i].what, sa[i].entries, sa[i].ways);
			return -1;
		}
	return 0;
}

int tm_profile_parse(const char *text, size_t len, struct tm_profile *p, char *err, size_t errlen)
{
	bool seen[NKEYS] = {false};
	char section[MAX_TOKEN] = "";
	memset(p, 0, sizeof(*p));
	const char *s = text, *end = text + len;
	for (unsigned lineno = 1; s < end; lineno++) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *le = nl ? nl : end;
		const char *hash = memchr(s, '#', (size_t)(le - s));
		const char *ce = hash ? hash : le;
		const char *b = s;
		s = nl ? nl + 1 : end;
		if (memchr(b, 0, (size_t)(le - b))) {
			snprintf(err, errlen, "line %u: a NUL byte: not a text profile", lineno);
			return -1;
		}
		while (b < ce && is_space(*b))
			b++;
		if (b == ce)
			continue;
		char k[MAX_TOKEN], v[MAX_TOKEN];
		if (*b == '[') {
			const char *close = memchr(b, ']', (size_t)(ce - b));
			if (!close || !token(b + 1, close, section, sizeof(section)) ||
			    !token(close + 1, ce, k, sizeof(k)) || k[0]) {
				snprintf(err, errlen, "line %u: expected '[section]'", lineno);
				return -1;
			}
			bool known = false;
			for (size_t i = 0; i < NKEYS; i++)
				known |= !strcmp(keys[i].section, section);
			if (!known) {
				snprintf(err, errlen, "line %u: unknown section [%.40s]", lineno,
				         printable(section) ? section : "?");
				return -1;
			}
			continue;
		}
		const char *eq = memchr(b, '=', (size_t)(ce - b));
		if (!eq) {
			snprintf(err, errlen, "line %u: expected 'key = value'", lineno);
			return -1;
		}
		if (!token(b, eq, k, sizeof(k)) || !k[0] || !printable(k)) {
			snprintf(err, errlen, "line %u: expected 'key = value'", lineno);
			return -1;
		}
		if (!section[0]) {
			snprintf(err, errlen, "line %u: '%s' before any [section]", lineno, k);
			return -1;
		}
		size_t ki = NKEYS;
		for (size_t i = 0; i < NKEYS; i++)
			if (!strcmp(keys[i].section, section) && !strcmp(keys[i].name, k))
				ki = i;
		if (ki == NKEYS) {
			snprintf(err, errlen, "line %u: unknown key '%s' in [%s]", lineno, k,
			         section);
			return -1;
		}
		if (seen[ki]) {
			snprintf(err, errlen, "line %u: [%s] %s given twice", lineno, section, k);
			return -1;
		}
		seen[ki] = true;
		bool ok = token(eq + 1, ce, v, sizeof(v)) && printable(v);
		char *dst = (char *)p + keys[ki].off;
		switch (keys[ki].kind) {
		case K_NAME:
			ok = ok && v[0] && strlen(v) < sizeof(p->name);
			if (ok)
				memcpy(dst, v, strlen(v) + 1);
			break;
		case K_COST:
			ok = ok && parse_cost(v, (uint32_t *)(void *)dst);
			break;
		case K_COUNT:
			ok = ok && parse_count(v, (unsigned *)(void *)dst);
			break;
		}
		if (!ok) {
			snprintf(err, errlen, "line %u: [%s] %s: expected %s, got '%.40s'", lineno,
			         section, k,
			         keys[ki].kind == K_NAME   ? "a name"
			         : keys[ki].kind == K_COST ? "cycles (0 to 1000000, at most two "
			                                     "decimals)"
			                                   : "a whole number from 1 to 1048576",
			         printable(v) ? v : "?");
			return -1;
		}
	}
	for (size_t i = 0; i < NKEYS; i++)
		if (!seen[i]) {
			snprintf(err, errlen, "missing key [%s] %s", keys[i].section, keys[i].name);
			return -1;
		}
	return check_structure(p, err, errlen);
}

/* ---------- set-associative structures with LRU ---------- */

struct sa_way {
	uint64_t tag;   /* VA >> shift, or PA >> line bits */
	uint32_t meta;  /* see tlb_meta(); 0 for caches */
	uint64_t stamp; /* LRU: larger is more recent; 0 = invalid */
};

struct sa {
	unsigned sets, ways;
	struct sa_way *w;
	uint64_t *clock; /* shared counter of the owning CPU */
};

static bool sa_init(struct sa *s, unsigned entries, unsigned ways, uint64_t *clock)
{
	s->ways = ways;
	s->sets = entries / ways;
	s->clock = clock;
	s->w = calloc(entries, sizeof(*s->w));
	return s->w != NULL;
}

static struct sa_way *sa_set(struct sa *s, uint64_t tag)
{
	return &s->w[(size_t)(tag % s->sets) * s->ways];
}

static bool sa_lookup(struct sa *s, uint64_t tag, uint32_t meta)
{
	struct sa_way *w = sa_set(s, tag);
	for (unsigned i = 0; i < s->ways; i++)
		if (w[i].stamp && w[i].tag == tag && w[i].meta == meta) {
			w[i].stamp = ++*s->clock;
			return true;
		}
	return false;
}

static void sa_insert(struct sa *s, uint64_t tag, uint32_t meta)
{
	struct sa_way *w = sa_set(s, tag), *victim = &w[0];
	for (unsigned i = 0; i < s->ways; i++) {
		if (w[i].stamp && w[i].tag == tag && w[i].meta == meta) {
			w[i].stamp = ++*s->clock;
			return;
		}
		if (w[i].stamp < victim->stamp)
			victim = &w[i];
	}
	*victim = (struct sa_way){.tag = tag, .meta = meta, .stamp = ++*s->clock};
}

static void sa_remove(struct sa *s, uint64_t tag, uint32_t meta)
{
	struct sa_way *w = sa_set(s, tag);
	for (unsigned i = 0; i < s->ways; i++)
		if (w[i].stamp && w[i].tag == tag && w[i].meta == meta)
			w[i].stamp = 0;
}

static void sa_clear(struct sa *s)
{
	for (size_t i = 0; i < (size_t)s->sets * s->ways; i++)
		s->w[i].stamp = 0;
}

/* ---------- TLB entries ---------- */

/*
 * meta of a TLB / walk-cache entry: bit 0 regime (1 = EL1&0), bits [6:1] the shift of the
 * range it covers (log2 of page/block size, or of the region a table descriptor covers),
 * bits [9:7] the walk level + 1 for walk-cache entries, bits [26:10] ASID + 1 for nG
 * entries of the EL1&0 regime (0: global).
 */
static uint32_t tlb_meta(enum regime rg, unsigned shift, unsigned asid_tag)
{
	return (rg == REGIME_EL10 ? 1u : 0u) | (shift << 1) | (asid_tag << 10);
}

static unsigned meta_shift(uint32_t meta)
{
	return (meta >> 1) & 0x3f;
}

static bool meta_el10(uint32_t meta)
{
	return meta & 1;
}

static unsigned meta_asid(uint32_t meta)
{
	return meta >> 10;
}

struct tm_cpu {
	uint64_t clock;    /* LRU stamps */
	struct sa utlb[2]; /* 0 instruction, 1 data: fully associative */
	struct sa tlb, wc;
	struct sa l1d, l1i;
	uint64_t shifts;     /* bit n: some TLB entry covers 2^n bytes (lookups probe these) */
	uint64_t queue_done; /* centicycle at which the maintenance in flight completes */
	int last_mmu;        /* -1 unknown, else the MMU state of the last fetch */
};

struct tm {
	struct tm_profile p;
	unsigned ncpus;
	struct mem_ops mem;
	unsigned line_bits;
	struct tm_counters n;
	struct tm_cpu cpu[MODEL_MAX_CPUS];
};

static void cpu_free(struct tm_cpu *c)
{
	free(c->utlb[0].w);
	free(c->utlb[1].w);
	free(c->tlb.w);
	free(c->wc.w);
	free(c->l1d.w);
	free(c->l1i.w);
}

struct tm *tm_new(const struct tm_profile *p, unsigned ncpus, const struct mem_ops *mem)
{
	assert(ncpus >= 1 && ncpus <= MODEL_MAX_CPUS);
	struct tm *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->p = *p;
	t->ncpus = ncpus;
	t->mem = *mem;
	while ((1u << t->line_bits) < p->line)
		t->line_bits++;
	for (unsigned i = 0; i < ncpus; i++) {
		struct tm_cpu *c = &t->cpu[i];
		c->last_mmu = -1;
		bool ok = sa_init(&c->utlb[0], p->utlb_entries, p->utlb_entries, &c->clock) &&
		          sa_init(&c->utlb[1], p->utlb_entries, p->utlb_entries, &c->clock) &&
		          sa_init(&c->tlb, p->tlb_entries, p->tlb_ways, &c->clock) &&
		          sa_init(&c->wc, p->walk_cache_entries, p->walk_cache_ways, &c->clock) &&
		          sa_init(&c->l1d, p->l1d_kib * 1024 / p->line, p->l1d_ways, &c->clock) &&
		          sa_init(&c->l1i, p->l1i_kib * 1024 / p->line, p->l1i_ways, &c->clock);
		if (!ok) {
			tm_free(t);
			return NULL;
		}
	}
	return t;
}

void tm_free(struct tm *t)
{
	if (!t)
		return;
	for (unsigned i = 0; i < t->ncpus; i++)
		cpu_free(&t->cpu[i]);
	free(t);
}

void tm_reset(struct tm *t)
{
	for (unsigned i = 0; i < t->ncpus; i++) {
		struct tm_cpu *c = &t->cpu[i];
		sa_clear(&c->utlb[0]);
		sa_clear(&c->utlb[1]);
		sa_clear(&c->tlb);
		sa_clear(&c->wc);
		sa_clear(&c->l1d);
		sa_clear(&c->l1i);
		c->shifts = 0;
		c->last_mmu = -1;
	}
}

const struct tm_counters *tm_counters(const struct tm *t)
{
	return &t->n;
}

const struct tm_profile *tm_profile_of(const struct tm *t)
{
	return &t->p;
}

/* ---------- accounting ---------- */

struct acct {
	struct tm *t;
	struct tm_cpu *c;
	uint32_t cost;
};

static void charge(struct acct *a, uint32_t centicycles)
{
	a->cost += centicycles;
}

/* The ASID tag an nG entry of the EL1&0 regime gets (TTBR0_EL1.ASID, TCR_EL1.A1 = 0). */
static unsigned cur_asid_tag(const struct model *m, unsigned cpu)
{
	return (unsigned)(model_sysreg(m, cpu, SR_TTBR0_EL1) >> TTBR_ASID_SHIFT & 0xffff) + 1;
}

/* A TLB (or micro-TLB) lookup for va over every entry size in use; *hit gets the entry. */
static bool tlb_probe(struct tm_cpu *c, struct sa *s, enum regime rg, uint64_t va,
                      unsigned asid_tag, uint64_t *tag, uint32_t *meta)
{
	for (unsigned sh = 12; sh < 64; sh++) {
		if (!(c->shifts >> sh & 1))
			continue;
		uint32_t g = tlb_meta(rg, sh, 0), ng = tlb_meta(rg, sh, asid_tag);
		*tag = va >> sh;
		if (sa_lookup(s, *tag, g)) {
			*meta = g;
			return true;
		}
		if (rg == REGIME_EL10 && sa_lookup(s, *tag, ng)) {
			*meta = ng;
			return true;
		}
	}
	return false;
}

/* Is the line holding pa in the L1 data cache? Walks look it up (and allocate on a miss). */
static bool l1d_touch(struct acct *a, uint64_t pa)
{
	uint64_t tag = pa >> a->t->line_bits;
	if (sa_lookup(&a->c->l1d, tag, 0))
		return true;
	sa_insert(&a->c->l1d, tag, 0);
	return false;
}

/*
 * The translation of va for an access from side (0 instruction, 1 data): micro-TLB, main
 * TLB, then a walk of the current tables that starts below the deepest walk-cache hit.
 */
static void translate(struct acct *a, const struct model *m, unsigned cpu, unsigned side,
                      uint64_t va)
{
	struct tm *t = a->t;
	struct tm_cpu *c = a->c;
	struct pt_cfg cfg;
	struct fault f;
	if (!model_regime_cfg(m, cpu, va, &cfg, &f))
		return; /* MMU off, or va outside both halves: no lookup, no walk */
	unsigned asid = cur_asid_tag(m, cpu);
	uint64_t tag;
	uint32_t meta;
	if (tlb_probe(c, &c->utlb[side], cfg.regime, va, asid, &tag, &meta))
		return;
	t->n.utlb_misses++;
	if (tlb_probe(c, &c->tlb, cfg.regime, va, asid, &tag, &meta)) {
		charge(a, t->p.tlb_hit);
		sa_insert(&c->utlb[side], tag, meta);
		return;
	}
	struct walk_result wr;
	pt_translate(&cfg, &t->mem, va, &wr);
	unsigned leaf_shift = 0;
	if (wr.fault.type == FAULT_NONE)
		while ((UINT64_C(1) << leaf_shift) < wr.block_size)
			leaf_shift++;
	uint32_t leaf_meta =
	    tlb_meta(cfg.regime, leaf_shift, wr.ng && cfg.regime == REGIME_EL10 ? asid : 0);
	t->n.tlb_misses++;
	/* The deepest table descriptor the walk cache holds for va: the walk starts below it.
	 * Walk-cache entries are tagged by VA, not by TTBR (EL2 has no ASID), as in the
	 * checker's model of walk caches (DESIGN §3 "TLB"). */
	int skip = -1;
	for (unsigned i = 0; i < wr.nsteps; i++) {
		const struct pt_step *st = &wr.steps[i];
		bool is_leaf = i + 1 == wr.nsteps;
		if (is_leaf)
			break;
		unsigned sh = 0;
		while ((UINT64_C(1) << sh) < pt_level_size(st->level, cfg.granule_shift))
			sh++;
		uint32_t meta = tlb_meta(cfg.regime, sh, 0) | (uint32_t)(st->level + 1) << 7;
		if (sa_lookup(&c->wc, va >> sh, meta))
			skip = (int)i;
	}
	if (skip >= 0) {
		t->n.walk_cache_hits++;
		charge(a, t->p.walk_cache_hit);
	}
	for (unsigned i = (unsigned)(skip + 1); i < wr.nsteps; i++) {
		const struct pt_step *st = &wr.steps[i];
		t->n.walk_reads++;
		if (!cfg.walk_cacheable) {
			t->n.walk_poc++;
			charge(a, t->p.walk_poc);
		} else {
			charge(a,
			       l1d_touch(a, st->desc_pa) ? t->p.walk_cache_l1 : t->p.walk_cache_l2);
		}
		if (i + 1 < wr.nsteps) {
			unsigned sh = 0;
			while ((UINT64_C(1) << sh) < pt_level_size(st->level, cfg.granule_shift))
				sh++;
			uint32_t meta = tlb_meta(cfg.regime, sh, 0) | (uint32_t)(st->level + 1)
			                                                  << 7;
			sa_insert(&c->wc, va >> sh, meta);
		}
	}
	/* Translations that fault are never cached (DESIGN §3 "TLB"). */
	if (wr.fault.type != FAULT_NONE)
		return;
	c->shifts |= UINT64_C(1) << leaf_shift;
	sa_insert(&c->tlb, va >> leaf_shift, leaf_meta);
	sa_insert(&c->utlb[side], va >> leaf_shift, leaf_meta);
}

static bool cacheable_type(enum mem_type mt)
{
	return mt == MT_NORMAL_WB || mt == MT_NORMAL_WT;
}

static uint64_t regime_sctlr(const struct model *m, unsigned cpu)
{
	return model_sysreg(m, cpu, model_cpu_el(m, cpu) == 2 ? SR_SCTLR_EL2 : SR_SCTLR_EL1);
}

/* Every line of [pa, pa + size) in cache s: a miss allocates and costs miss. */
static void lines(struct acct *a, struct sa *s, uint64_t pa, unsigned size, uint32_t miss,
                  uint64_t *misses)
{
	unsigned lb = a->t->line_bits;
	uint64_t last = (pa + (size ? size : 1) - 1) >> lb;
	for (uint64_t l = pa >> lb; l <= last; l++)
		if (!sa_lookup(s, l, 0)) {
			sa_insert(s, l, 0);
			(*misses)++;
			charge(a, miss);
		}
}

static uint64_t access_pa(const struct model_step_result *res, uint64_t va)
{
	return res->mmu_on ? res->tr.oa : va;
}

static bool faulted(const struct model_step_result *res)
{
	return !res || !res->is_access || res->fault.type != FAULT_NONE;
}

static void fetch(struct acct *a, const struct model *m, const struct model_event *ev,
                  const struct model_step_result *res, struct tm_step *out)
{
	struct tm *t = a->t;
	t->n.insns++;
	charge(a, t->p.cls[tm_classify(ev->insn)]);
	if (res && res->is_access) {
		int mmu = res->mmu_on;
		if (a->c->last_mmu >= 0 && a->c->last_mmu != mmu)
			out->mmu_switch = true;
		a->c->last_mmu = mmu;
	}
	translate(a, m, ev->cpu, 0, ev->u.mem.va);
	if (faulted(res))
		return;
	/* D8.2.x / DESIGN §3 "Instruction side": MMU off and SCTLR.I=1 is write-through
	 * cacheable, SCTLR.I=0 makes every fetch Non-cacheable. */
	bool icache = regime_sctlr(m, ev->cpu) & SCTLR_ELx_I;
	if (res->mmu_on)
		icache = icache && cacheable_type(res->tr.attrs.inner);
	if (icache) {
		lines(a, &a->c->l1i, access_pa(res, ev->u.mem.va), ev->u.mem.size, t->p.icache_miss,
		      &t->n.icache_misses);
	} else {
		t->n.nc_accesses++;
		charge(a, t->p.fetch_noncacheable);
	}
}

static void data(struct acct *a, const struct model *m, const struct model_event *ev,
                 const struct model_step_result *res)
{
	struct tm *t = a->t;
	translate(a, m, ev->cpu, 1, ev->u.mem.va);
	if (faulted(res))
		return;
	/* With the MMU off every data access is Device-nGnRnE (D8.2.x); SCTLR.C=0 makes
	 * Normal memory Non-cacheable. */
	enum mem_type mt = res->mmu_on ? res->tr.attrs.inner : MT_DEVICE;
	if (mt == MT_DEVICE) {
		t->n.nc_accesses++;
		charge(a, t->p.device);
	} else if (!cacheable_type(mt) || !(regime_sctlr(m, ev->cpu) & SCTLR_ELx_C)) {
		t->n.nc_accesses++;
		charge(a, t->p.noncacheable);
	} else {
		lines(a, &a->c->l1d, access_pa(res, ev->u.mem.va), ev->u.mem.size,
		      ev->kind == EV_STORE ? t->p.store_miss : t->p.dcache_miss,
		      &t->n.dcache_misses);
	}
}

/* Maintenance proceeds in the background; a DSB waits for what remains (D7.5.10). */
static void queue(struct acct *a, uint64_t now, uint32_t latency, struct tm_step *out)
{
	struct tm_cpu *c = a->c;
	if (c->queue_done < now)
		c->queue_done = now;
	c->queue_done += latency;
	out->queued += latency;
}

static uint64_t tlbi_va(uint64_t arg)
{
	/* Xt holds VA[55:12] in bits [43:0] (D8.13 / C5.5 TLBI operand); VA[63:56] follow
	 * bit 55 for the upper half. */
	uint64_t va = (arg & ((UINT64_C(1) << 44) - 1)) << 12;
	if (va >> 55 & 1)
		va |= UINT64_C(0xff) << 56;
	return va;
}

/* Remove TLB and (if walks) walk-cache entries of regime el10 that match. */
static void tlb_inval(struct tm_cpu *c, bool el10, bool all, uint64_t va, bool walks, int asid_tag)
{
	struct sa *ss[2] = {&c->tlb, &c->wc};
	for (unsigned k = 0; k < (walks ? 2u : 1u); k++) {
		struct sa *s = ss[k];
		for (size_t i = 0; i < (size_t)s->sets * s->ways; i++) {
			struct sa_way *w = &s->w[i];
			if (!w->stamp || meta_el10(w->meta) != el10)
				continue;
			if (asid_tag >= 0 && meta_asid(w->meta) != (unsigned)asid_tag)
				continue;
			if (all || (va >> meta_shift(w->meta)) == w->tag)
				w->stamp = 0;
		}
	}
	/* The micro TLBs are flushed by every TLB maintenance operation (Cortex-A53/A35
	 * TRM "TLB organization"). */
	sa_clear(&c->utlb[0]);
	sa_clear(&c->utlb[1]);
}

static void tlbi(struct acct *a, const struct model *m, const struct model_event *ev, uint64_t now,
                 struct tm_step *out)
{
	struct tm *t = a->t;
	struct tm_cpu *c = a->c;
	t->n.tlbi++;
	enum tlbi_op op = ev->u.tlbi.op;
	uint64_t va = tlbi_va(ev->u.tlbi.arg);
	bool is = false, all = false;
	switch (op) {
	case TLBI_ALLE2IS:
		is = true; /* fall through */
	case TLBI_ALLE2:
		all = true;
		tlb_inval(c, false, true, 0, true, -1);
		break;
	case TLBI_VAE2IS:
		is = true; /* fall through */
	case TLBI_VAE2:
		tlb_inval(c, false, false, va, true, -1);
		break;
	case TLBI_VALE2IS:
		is = true; /* fall through */
	case TLBI_VALE2:
		tlb_inval(c, false, false, va, false, -1);
		break;
	case TLBI_ALLE1IS:
	case TLBI_VMALLE1IS:
	case TLBI_VMALLS12E1IS:
		is = true; /* fall through */
	case TLBI_ALLE1:
	case TLBI_VMALLE1:
	case TLBI_VMALLS12E1:
		all = true;
		tlb_inval(c, true, true, 0, true, -1);
		break;
	case TLBI_VAE1IS:
	case TLBI_VAAE1IS:
		is = true; /* fall through */
	case TLBI_VAE1:
	case TLBI_VAAE1:
		tlb_inval(c, true, false, va, true, -1);
		break;
	case TLBI_VALE1IS:
	case TLBI_VAALE1IS:
		is = true; /* fall through */
	case TLBI_VALE1:
	case TLBI_VAALE1:
		tlb_inval(c, true, false, va, false, -1);
		break;
	case TLBI_ASIDE1IS:
		is = true; /* fall through */
	case TLBI_ASIDE1:
		all = true;
		tlb_inval(c, true, true, 0, true,
		          (int)((ev->u.tlbi.arg >> TTBR_ASID_SHIFT & 0xffff) + 1));
		break;
	case TLBI_IPAS2E1IS:
	case TLBI_IPAS2LE1IS:
		is = true; /* fall through */
	default:
		/* Stage 2 is not modelled: the operation costs, removes nothing cached here. */
		break;
	}
	(void)m;
	uint32_t lat =
	    all ? (is ? t->p.tlbi_all_is : t->p.tlbi_all) : (is ? t->p.tlbi_va_is : t->p.tlbi_va);
	queue(a, now, lat, out);
}

static void dc(struct acct *a, const struct model *m, const struct model_event *ev,
               const struct model_step_result *res, uint64_t now, struct tm_step *out)
{
	struct tm *t = a->t;
	t->n.dc++;
	enum dc_op op = ev->u.dc.op;
	if (op == DC_ISW || op == DC_CSW || op == DC_CISW) {
		queue(a, now, t->p.dc_sw, out);
		return;
	}
	uint64_t va = ev->u.dc.arg;
	translate(a, m, ev->cpu, 1, va);
	if (faulted(res))
		return;
	uint64_t tag = access_pa(res, va) >> t->line_bits;
	if (op == DC_ZVA) {
		/* Writes a zeroed line into the cache like a store (Device memory faults). */
		sa_insert(&a->c->l1d, tag, 0);
		charge(a, t->p.dc_zva);
		return;
	}
	bool hit = sa_lookup(&a->c->l1d, tag, 0);
	if (op == DC_IVAC || op == DC_CIVAC)
		sa_remove(&a->c->l1d, tag, 0);
	queue(a, now, hit ? t->p.dc_hit : t->p.dc_miss, out);
}

static void ic(struct acct *a, const struct model *m, const struct model_event *ev,
               const struct model_step_result *res, uint64_t now, struct tm_step *out)
{
	struct tm *t = a->t;
	t->n.ic++;
	if (ev->u.ic.op != IC_IVAU) {
		sa_clear(&a->c->l1i);
		queue(a, now, t->p.ic_iallu, out);
		return;
	}
	translate(a, m, ev->cpu, 1, ev->u.ic.va);
	if (!faulted(res))
		sa_remove(&a->c->l1i, access_pa(res, ev->u.ic.va) >> t->line_bits, 0);
	queue(a, now, t->p.ic_ivau, out);
}

void tm_event(struct tm *t, const struct model *m, const struct model_event *ev,
              const struct model_step_result *res, struct tm_step *out)
{
	struct tm_step local;
	if (!out)
		out = &local;
	memset(out, 0, sizeof(*out));
	assert(ev->cpu < t->ncpus);
	struct acct a = {.t = t, .c = &t->cpu[ev->cpu]};
	uint64_t now = t->n.centicycles;
	switch (ev->kind) {
	case EV_FETCH:
		fetch(&a, m, ev, res, out);
		break;
	case EV_LOAD:
	case EV_STORE:
		data(&a, m, ev, res);
		break;
	case EV_SYSREG:
		switch (ev->u.sysreg.reg) {
		case SR_TTBR0_EL2:
		case SR_TTBR0_EL1:
		case SR_TTBR1_EL1:
			out->ttbr_write = true;
			break;
		default:
			break;
		}
		break;
	case EV_TLBI:
		tlbi(&a, m, ev, now, out);
		break;
	case EV_DC:
		dc(&a, m, ev, res, now, out);
		break;
	case EV_IC:
		ic(&a, m, ev, res, now, out);
		break;
	case EV_AT:
		translate(&a, m, ev->cpu, 1, ev->u.at.va);
		charge(&a, t->p.at);
		break;
	case EV_DSB: {
		t->n.dsb++;
		uint64_t wait = a.c->queue_done > now ? a.c->queue_done - now : 0;
		a.c->queue_done = 0;
		t->n.dsb_wait += wait;
		charge(&a, t->p.dsb);
		charge(&a, (uint32_t)(wait > UINT32_MAX / 2 ? UINT32_MAX / 2 : wait));
		break;
	}
	case EV_DMB:
		t->n.dmb++;
		charge(&a, t->p.dmb);
		break;
	case EV_ISB:
		t->n.isb++;
		charge(&a, t->p.isb);
		break;
	case EV_EXC_ENTRY:
		t->n.exc++;
		out->exc_entry = true;
		charge(&a, t->p.exc_entry);
		break;
	case EV_ERET:
		t->n.eret++;
		out->exc_return = true;
		charge(&a, t->p.exc_return);
		break;
	case EV_COUNT:
		break;
	}
	t->n.centicycles += a.cost;
	out->centicycles = a.cost;
}
