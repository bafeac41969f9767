/*
 * checker.c - the hypsim checker: implements model.h on top of sysreg.h (contexts),
 * tlb.h (TLB and descriptor histories) and cache.h (lines, PoC, I-cache).
 *
 * For each access the coherent outcome is computed first (latest register values, a fresh
 * walk of memory as the program sees it, the latest bytes). Then every other outcome the
 * architecture allows is computed and attributed to one hazard class:
 *   - other combinations of pending system register values -> missing-isb (D1.x context
 *     synchronization);
 *   - translations a TLB may still hold (tlb_lookup) -> stale-tlb, or missing-dsb when only
 *     a TLBI not yet completed by a DSB would have removed them (D8.13);
 *   - the walk reading the PoC (non-cacheable walk) or a stale cached line (cacheable walk)
 *     -> walk-not-at-poc (D8.2.x, B2.4 / D7.5);
 *   - the bytes a read obtains: PoC bytes of a dirty line for a Non-cacheable access, the
 *     stale clean copy for a cacheable one -> data-not-at-poc / fetch-not-at-poc; I-cache
 *     contents or PoU bytes for a cacheable fetch -> icache-stale (D7.5, B2.4.4).
 * Outcomes are compared by fault, PA and (reads) bytes only, so identity maps and
 * trampolines are silent. An outcome already explained by an earlier class (in the order
 * data, walk, context, TLB) is not repeated under a later one.
 *
 * Choices hypsim makes, for its users to know:
 *   - every combination of pending register values with SCTLR.M = 1 opens a TLB context at
 *     the MSR (speculative walks may use it before the ISB), so writing TCR/TTBR/MAIR and
 *     SCTLR without an ISB in between is reported when the combinations differ;
 *   - the new bytes of a store are read from mem_ops when the store has landed (at a
 *     later event), so EV_STORE's value is not needed, and wide stores split into several
 *     events are handled;
 *   - a completed IC reaches instruction fetch at the issuing CPU's next context
 *     synchronisation (D7.5.x: DC CVAU, DSB ISH, IC, DSB ISH, ISB);
 *   - DC and IC complete at any DSB of their CPU other than DSB LD (IC IALLUIS: ISH or
 *     wider), TLBIs at a DSB of enough shareability other than DSB LD;
 *   - set/way operations act on every line (firmware loops over all sets and ways).
 *
 * Fast path: a small per-CPU direct-mapped cache of single-outcome translations, valid
 * while nothing changed (generation counters of the checker and the TLB), and per-page
 * line bitmaps; anything unusual falls back to the full computation.
 */
#include "model.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "cache.h"
#include "digest.h"
#include "sysreg.h"
#include "tlb.h"

#define TC_SIZE   256
#define MAX_CANDS 32
#define MAX_ALTS  24

#define RULE_TLB  "Arm ARM D8.13 (TLB maintenance requirements), D8.13.x TLBI completion by DSB"
#define RULE_BBM  "Arm ARM D8.14.1 (Using break-before-make when updating translation table entries)"
#define RULE_WALK "Arm ARM D8.2.x / B2.4 (walks and cacheability), D7.5 (cache maintenance to PoC)"
#define RULE_DATA "Arm ARM B2.4 / D7.5 (cache maintenance, PoC), B2.7.2 (mismatched attributes)"
#define RULE_ICACHE                                                                                \
	"Arm ARM D7.5.x / B2.4.4 (instruction cache coherency: DC CVAU, DSB, IC, DSB, ISB)"
#define RULE_LOST "Arm ARM D7.5.x (DC IVAC / set-way invalidate of dirty lines), B2.7.2"
#define RULE_DSB  "Arm ARM D8.13 / B2.3.12 (DSB completes TLB and cache maintenance)"
#define RULE_ISB  "Arm ARM D1.x (context synchronization events), D17.1 (sysreg synchronization)"
#define RULE_EXC  "Arm ARM D1.10 (exception entry)"

/* A translation known to have one outcome, compact so the working set stays in L1. */
struct tc_entry {
	uint64_t vpage; /* VA >> 12, plus 1 (0 = empty) */
	uint64_t gen;
	struct cache_page *pg;
	uint64_t pa_page;
	uint64_t block_size, leaf_desc;
	struct mem_attrs attrs;
	int8_t level;
	uint8_t el;
	uint8_t ok; /* bit per access type known to have one outcome */
	bool mmu_on, dcache, wb, icache, strict_align;
	bool ro, el0, xn, pxn, ng, contiguous, af;
};

struct pend_maint {
	unsigned cpu;
	enum ev_kind kind; /* EV_DC or EV_IC */
	int op;
	uint64_t pa; /* line base */
	bool all;
	bool done; /* IC: completed by a DSB, waiting for the CPU's context sync */
	uint64_t seq;
	bool has_snap;                    /* DC by VA: ... */
	uint8_t snap[CACHE_LINE_SIZE]; /* the line's bytes when the DC executed */
};

struct cpu {
	unsigned el;
	bool up;
	bool ctx_dirty; /* an MSR since the last context synchronisation */
	struct sr_file sr;
	struct tc_entry tc[TC_SIZE];
};

struct model {
	struct model_cfg cfg;
	struct mem_ops mem;
	struct cache *c;
	struct tlb *t;
	const uint64_t *tgen;  /* tlb_gen(t), read without a call */
	const unsigned *tpend; /* TLBIs issued, not completed */
	uint64_t seq, gen;
	struct cpu cpu[MODEL_MAX_CPUS];
	struct pend_maint *pm;
	unsigned npm, cappm;
	unsigned nhz;        /* hazards of the current event */
	struct tlb_cand nofetch[MAX_CANDS]; /* check_access: a fetch's entries seen as data's */
	bool stores_pending; /* table stores for tlb_finalize at the next event */
	const struct model_event *ev;
	/* "writeback=never", "writeback=random:SEED": hazard.decided_by */
	char wb_label[48];
};

/* ---------- helpers ---------- */

static struct hz_cause cause_of(const struct model *m, const struct model_event *ev,
                                const char *what)
{
	struct hz_cause c;
	c.seq = ev ? m->seq : 0;
	c.cpu = ev ? ev->cpu : 0;
	c.pc = ev ? ev->pc : 0;
	c.kind = ev ? ev->kind : EV_COUNT;
	size_t n = strlen(what);
	if (n >= sizeof(c.what))
		n = sizeof(c.what) - 1;
	memcpy(c.what, what, n);
	c.what[n] = 0;
	return c;
}

static enum regime regime_of(unsigned el)
{
	return el == 2 ? REGIME_EL2 : REGIME_EL10;
}

static struct tlb_regs regs_of(const struct sr_file *f, enum regime rg, uint32_t combo)
{
	struct tlb_regs r = {.regime = rg};
	if (rg == REGIME_EL2) {
		r.sctlr = sr_ctx_value(f, rg, combo, SR_SCTLR_EL2);
		r.tcr = sr_ctx_value(f, rg, combo, SR_TCR_EL2);
		r.ttbr0 = sr_ctx_value(f, rg, combo, SR_TTBR0_EL2);
		r.mair = sr_ctx_value(f, rg, combo, SR_MAIR_EL2);
	} else {
		r.sctlr = sr_ctx_value(f, rg, combo, SR_SCTLR_EL1);
		r.tcr = sr_ctx_value(f, rg, combo, SR_TCR_EL1);
		r.ttbr0 = sr_ctx_value(f, rg, combo, SR_TTBR0_EL1);
		r.ttbr1 = sr_ctx_value(f, rg, combo, SR_TTBR1_EL1);
		r.mair = sr_ctx_value(f, rg, combo, SR_MAIR_EL1);
	}
	return r;
}

static uint64_t hash64(uint64_t a, uint64_t b)
{
	uint64_t h = a * UINT64_C(0x9e3779b97f4a7c15) ^ (b + UINT64_C(0x632be59bd9b4e019));
	h ^= h >> 29;
	h *= UINT64_C(0xbf58476d1ce4e5b9);
	return h ^ (h >> 32);
}

static uint64_t cur_gen(const struct model *m)
{
	return m->gen + *m->tgen;
}

static void bump(struct model *m)
{
	m->gen++;
}

static void emit_hazard(struct model *m, struct hazard *hz)
{
	m->nhz++;
	if (m->cfg.on_hazard)
		m->cfg.on_hazard(m->cfg.hazard_arg, hz);
}

static void hz_init(struct model *m, struct hazard *hz, enum hz_class cls, const char *rule)
{
	const struct model_event *ev = m->ev;
	memset(hz, 0, sizeof(*hz));
	hz->cls = cls;
	hz->cpu = ev ? ev->cpu : 0;
	hz->seq = m->seq;
	hz->pc = ev ? ev->pc : 0;
	hz->insn = ev ? ev->insn : 0;
	hz->ev = ev ? ev->kind : EV_COUNT;
	hz->rule = rule;
}

/* ---------- contexts ---------- */

/* Open TLB contexts for every possible value combination with the MMU on; at a context
 * synchronisation, close those no longer in force. */
static void update_contexts(struct model *m, unsigned cpu, bool synced)
{
	struct cpu *c = &m->cpu[cpu];
	for (int rg = REGIME_EL2; rg <= REGIME_EL10; rg++) {
		unsigned n = sr_ctx_count(&c->sr, rg);
		struct tlb_regs keep[32];
		unsigned nkeep = 0;
		for (unsigned k = 0; k < n && k < 32; k++) {
			struct tlb_regs r = regs_of(&c->sr, rg, k);
			if (!(r.sctlr & SCTLR_ELx_M))
				continue;
			uint32_t pend = sr_regime_pending(&c->sr, rg);
			struct hz_cause cause = pend ? c->sr.wcause[__builtin_ctz(pend)]
			                             : cause_of(m, m->ev, "MMU enabled");
			tlb_ctx_open(m->t, cpu, &r, m->seq, &cause);
			keep[nkeep++] = r;
		}
		if (synced)
			tlb_ctx_close_others(m->t, cpu, rg, keep, nkeep, m->seq);
	}
	bump(m);
}

static void apply_ic(struct model *m, unsigned cpu);

static void context_sync(struct model *m, unsigned cpu)
{
	apply_ic(m, cpu);
	/* No MSR since the last synchronisation: the contexts in force are unchanged (the
	 * common ISB). */
	sr_sync(&m->cpu[cpu].sr);
	if (m->cpu[cpu].ctx_dirty)
		update_contexts(m, cpu, true);
	m->cpu[cpu].ctx_dirty = false;
	tlb_csync(m->t, cpu, m->seq);
}

/* ---------- one translation in one context ---------- */

struct xlat {
	bool mmu_on;
	struct pt_cfg cfg;
	struct walk_result tr;
	struct fault fault; /* coherent fault incl. permission and alignment */
	bool dcache, wb, icache, device;
	bool strict_align; /* Device memory or SCTLR.A: unaligned data accesses fault */
};

static bool is_cacheable(enum mem_type t)
{
	return t == MT_NORMAL_WT || t == MT_NORMAL_WB;
}

static void finish_attrs(struct xlat *x, uint64_t sctlr, enum access_type acc, uint64_t va,
                         unsigned size, bool zva)
{
	x->device = x->tr.attrs.inner == MT_DEVICE;
	x->dcache = x->mmu_on && (sctlr & SCTLR_ELx_C) && is_cacheable(x->tr.attrs.inner);
	x->wb = x->dcache && x->tr.attrs.inner == MT_NORMAL_WB;
	x->icache = (sctlr & SCTLR_ELx_I) && is_cacheable(x->tr.attrs.inner);
	x->strict_align = x->device || (sctlr & SCTLR_ELx_A);
	if (x->fault.type != FAULT_NONE || acc == ACC_FETCH)
		return;
	/* Device memory (and every data access with the MMU off) needs alignment; DC ZVA of
	 * Device memory is an Alignment fault (D7.5.x). */
	unsigned align = size > 8 ? 8 : size;
	bool unaligned = align && (va & (align - 1));
	if ((x->device && (unaligned || zva)) || ((sctlr & SCTLR_ELx_A) && unaligned)) {
		x->fault.type = FAULT_ALIGNMENT;
		x->fault.level = 0;
	}
}

static void translate_ctx(const struct model *m, const struct sr_file *f, unsigned el,
                          uint32_t combo, enum access_type acc, uint64_t va, unsigned size,
                          bool zva, const struct mem_ops *ops, struct xlat *x)
{
	enum regime rg = regime_of(el);
	struct tlb_regs r = regs_of(f, rg, combo);
	memset(x, 0, sizeof(*x));
	x->mmu_on = (r.sctlr & SCTLR_ELx_M) != 0;
	if (!x->mmu_on) {
		x->tr.va = va;
		x->tr.oa = va;
		x->tr.level = 3;
		x->tr.block_size = 4096;
		x->tr.af = true;
		if (acc == ACC_FETCH)
			x->tr.attrs.inner = x->tr.attrs.outer =
			    (r.sctlr & SCTLR_ELx_I) ? MT_NORMAL_WT : MT_NORMAL_NC;
		else
			x->tr.attrs.inner = x->tr.attrs.outer = MT_DEVICE;
		finish_attrs(x, r.sctlr, acc, va, size, zva);
		return;
	}
	struct fault f0;
	if (!pt_cfg_from_regs(rg, r.sctlr, r.tcr, r.ttbr0, r.ttbr1, r.mair, va, &x->cfg, &f0)) {
		x->tr.fault = f0;
		x->fault = f0;
		return;
	}
	pt_translate(&x->cfg, ops ? ops : &m->mem, va, &x->tr);
	x->fault = x->tr.fault;
	if (x->fault.type == FAULT_NONE)
		x->fault = pt_check_perm(&x->cfg, &x->tr, acc, el);
	finish_attrs(x, r.sctlr, acc, va, size, zva);
}

/* ---------- outcomes ---------- */

struct obs {
	struct fault f;
	uint64_t pa;
	bool has_bytes;
	unsigned n; /* bytes kept for reports (at most 16) */
	uint8_t bytes[16];
	uint64_t hash; /* of every byte read (fetch runs may be up to a page) */
};

#define MAX_READ CACHE_PAGE_SIZE

static void obs_fill(struct obs *o, const uint8_t *buf, unsigned size)
{
	o->n = size > 16 ? 16 : size;
	memcpy(o->bytes, buf, o->n);
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	for (unsigned i = 0; i < size; i++)
		h = (h ^ buf[i]) * UINT64_C(0x100000001b3);
	o->hash = h;
}

struct alt {
	enum hz_class cls;
	struct obs o;
	struct hz_cause cause;
	char text[128];
	/* The write-back policy makes this the one outcome (WB_NEVER, WB_RANDOM): what the
	 * access then does, for the report's summary; NULL when it is one possibility. */
	const char *decided;
};

struct acc_ctx {
	struct model *m;
	const struct model_event *ev;
	enum access_type acc;
	uint64_t va;
	unsigned size;
	bool reads; /* the bytes obtained matter */
	struct xlat co;
	struct obs o0;
	struct alt alts[MAX_ALTS];
	unsigned nalts;
};

static bool obs_equal(const struct obs *a, const struct obs *b)
{
	if (a->f.type != b->f.type)
		return false;
	if (a->f.type != FAULT_NONE)
		return a->f.level == b->f.level;
	if (a->pa != b->pa)
		return false;
	if (a->has_bytes && b->has_bytes)
		return a->hash == b->hash && a->n == b->n && !memcmp(a->bytes, b->bytes, a->n);
	return true;
}

static uint64_t obs_value(const struct obs *o)
{
	uint64_t v = 0;
	for (unsigned i = o->n > 8 ? 8 : o->n; i-- > 0;)
		v = (v << 8) | o->bytes[i];
	return v;
}

/* The observation of translation x for the access: bytes read through view v. */
static void observe(struct acc_ctx *a, const struct xlat *x, enum cache_view v, struct obs *o)
{
	memset(o, 0, sizeof(*o));
	o->f = x->fault;
	if (o->f.type != FAULT_NONE)
		return;
	o->pa = x->tr.oa;
	if (!a->reads)
		return;
	uint8_t buf[MAX_READ];
	unsigned n = a->size > MAX_READ ? MAX_READ : a->size;
	o->has_bytes = cache_read(a->m->c, v, o->pa, buf, n);
	if (o->has_bytes)
		obs_fill(o, buf, n);
}

static enum cache_view read_view(const struct acc_ctx *a, const struct xlat *x)
{
	if (a->acc == ACC_FETCH)
		return x->icache ? CV_LATEST : CV_POC;
	return x->dcache ? CV_CACHE : CV_POC;
}

static struct alt *add_alt(struct acc_ctx *a, enum hz_class cls, const struct obs *o,
                           const struct hz_cause *cause, const char *fmt_extra)
{
	if (obs_equal(o, &a->o0))
		return NULL;
	for (unsigned i = 0; i < a->nalts; i++)
		if (obs_equal(o, &a->alts[i].o))
			return NULL; /* already explained by an earlier class */
	if (a->nalts >= MAX_ALTS)
		return NULL;
	struct alt *t = &a->alts[a->nalts++];
	t->cls = cls;
	t->o = *o;
	t->cause = *cause;
	t->decided = NULL;
	if (o->f.type != FAULT_NONE)
		snprintf(t->text, sizeof(t->text), "%s fault (level %d)%s%s",
		         pt_fault_name(o->f.type), o->f.level, fmt_extra ? ", " : "",
		         fmt_extra ? fmt_extra : "");
	else if (o->has_bytes)
		snprintf(t->text, sizeof(t->text), "PA 0x%" PRIx64 ", bytes 0x%" PRIx64 "%s%s",
		         o->pa, obs_value(o), fmt_extra ? ", " : "", fmt_extra ? fmt_extra : "");
	else
		snprintf(t->text, sizeof(t->text), "PA 0x%" PRIx64 "%s%s", o->pa,
		         fmt_extra ? ", " : "", fmt_extra ? fmt_extra : "");
	return t;
}

/* An outcome the write-back policy decides (WB_NEVER, WB_RANDOM; not when maintenance in
 * flight leaves it open: missing-dsb). */
static void decide(const struct model *m, struct alt *t, const char *what)
{
	if (t && m->cfg.wb_policy != WB_ANY && t->cls != HZ_MISSING_DSB)
		t->decided = what;
}

static const char *class_rule(enum hz_class c)
{
	switch (c) {
	case HZ_STALE_TLB:
		return RULE_TLB;
	case HZ_BBM:
		return RULE_BBM;
	case HZ_WALK_NOT_AT_POC:
		return RULE_WALK;
	case HZ_FETCH_NOT_AT_POC:
	case HZ_DATA_NOT_AT_POC:
		return RULE_DATA;
	case HZ_ICACHE_STALE:
		return RULE_ICACHE;
	case HZ_LOST_WRITE:
		return RULE_LOST;
	case HZ_MISSING_DSB:
		return RULE_DSB;
	case HZ_MISSING_ISB:
		return RULE_ISB;
	default:
		return RULE_EXC;
	}
}

static const char *class_summary(enum hz_class c)
{
	switch (c) {
	case HZ_STALE_TLB:
		return "a TLB entry may give a translation other than the current tables";
	case HZ_WALK_NOT_AT_POC:
		return "the table walk may read a descriptor value other than the latest";
	case HZ_FETCH_NOT_AT_POC:
		return "a non-cacheable fetch may read code that is only in the data cache";
	case HZ_DATA_NOT_AT_POC:
		return "the read may obtain bytes other than the latest (line not at the PoC)";
	case HZ_ICACHE_STALE:
		return "the fetch may execute stale instructions (I-cache/PoU not maintained)";
	case HZ_MISSING_DSB:
		return "the access depends on maintenance no DSB has completed (a DSB LD or ST "
		       "completes none)";
	case HZ_MISSING_ISB:
		return "old and new (unsynchronised) register values give different outcomes";
	default:
		return "several outcomes are possible";
	}
}

static void outcome_text(const struct obs *o, const struct xlat *x, bool decided, char *buf,
                         size_t len)
{
	const char *run = decided ? ": the run continues with it" : "";
	if (o->f.type != FAULT_NONE)
		snprintf(buf, len, "%s fault (level %d) (coherent%s)", pt_fault_name(o->f.type),
		         o->f.level, run);
	else if (o->has_bytes)
		snprintf(buf, len, "PA 0x%" PRIx64 ", bytes 0x%" PRIx64 " (coherent%s%s)", o->pa,
		         obs_value(o), x->mmu_on ? "" : ", MMU off", run);
	else
		snprintf(buf, len, "PA 0x%" PRIx64 " (coherent%s%s)", o->pa,
		         x->mmu_on ? "" : ", MMU off", run);
}

/* An outcome in a few words: the bytes read, else the fault or the PA. */
static void obs_short(const struct obs *o, char *buf, size_t len)
{
	if (o->f.type != FAULT_NONE)
		snprintf(buf, len, "a %s fault at level %d", pt_fault_name(o->f.type), o->f.level);
	else if (o->has_bytes)
		snprintf(buf, len, "0x%" PRIx64, obs_value(o));
	else
		snprintf(buf, len, "PA 0x%" PRIx64, o->pa);
}

static void report_alts(struct acc_ctx *a)
{
	static const enum hz_class order[] = {
	    HZ_MISSING_ISB,     HZ_MISSING_DSB,      HZ_STALE_TLB,    HZ_WALK_NOT_AT_POC,
	    HZ_DATA_NOT_AT_POC, HZ_FETCH_NOT_AT_POC, HZ_ICACHE_STALE,
	};
	for (unsigned k = 0; k < sizeof(order) / sizeof(order[0]) && a->nalts; k++) {
		bool any = false;
		for (unsigned i = 0; i < a->nalts && !any; i++)
			any = a->alts[i].cls == order[k];
		if (!any)
			continue;
		/* Decided by the write-back policy when every outcome of the class is. */
		const struct alt *dec = NULL;
		bool all = true;
		for (unsigned i = 0; i < a->nalts; i++)
			if (a->alts[i].cls == order[k]) {
				all &= a->alts[i].decided != NULL;
				if (!dec)
					dec = &a->alts[i];
			}
		if (!all)
			dec = NULL;
		struct hazard hz;
		hz_init(a->m, &hz, order[k], class_rule(order[k]));
		hz.has_va = true;
		hz.va = a->va;
		hz.acc = a->acc;
		snprintf(hz.summary, sizeof(hz.summary), "%s", class_summary(order[k]));
		if (dec) {
			char got[64], coh[64];
			obs_short(&dec->o, got, sizeof(got));
			obs_short(&a->o0, coh, sizeof(coh));
			snprintf(hz.decided_by, sizeof(hz.decided_by), "%s", a->m->wb_label);
			/* A walk's outcome is what the access then gets, not the descriptor. */
			int n;
			if (order[k] == HZ_WALK_NOT_AT_POC)
				n = snprintf(
				    hz.summary, sizeof(hz.summary),
				    "under %s %s, so the %s gets %s; the coherent outcome is %s",
				    a->m->wb_label, dec->decided, ev_kind_name(a->ev->kind), got,
				    coh);
			else
				n = snprintf(hz.summary, sizeof(hz.summary),
				             "under %s %s (%s); the coherent outcome is %s",
				             a->m->wb_label, dec->decided, got, coh);
			if (n >= (int)sizeof(hz.summary))
				/* Long fault names: the outcomes below give both in full. */
				snprintf(hz.summary, sizeof(hz.summary),
				         "under %s %s, not the coherent outcome", a->m->wb_label,
				         dec->decided);
		}
		struct hz_outcome *o = &hz.outcomes[0];
		o->fault = a->o0.f.type != FAULT_NONE;
		o->f = a->o0.f;
		o->has_pa = !o->fault;
		o->pa = a->o0.pa;
		o->has_value = a->o0.has_bytes;
		o->value = obs_value(&a->o0);
		outcome_text(&a->o0, &a->co, dec != NULL, o->text, sizeof(o->text));
		o->cause.seq = a->m->seq;
		o->cause.cpu = a->ev->cpu;
		o->cause.pc = a->ev->pc;
		o->cause.kind = a->ev->kind;
		snprintf(o->cause.what, sizeof(o->cause.what), "the latest values");
		hz.n_outcomes = 1;
		/* Same cause: the same earlier events behind the other outcomes, for the
		 * same page (every instruction of a page fetched through one stale entry, or
		 * run between one MSR and its missing ISB, folds into one report). The event
		 * kind is part of it: an instruction's fetch and its own load of the same page
		 * are different accesses, each worth its report. */
		uint64_t key = hash64(order[k], hash64(a->va >> 12, a->ev->cpu));
		key = hash64(key, (uint64_t)a->ev->kind);
		for (unsigned i = 0; i < a->nalts && hz.n_outcomes < HZ_MAX_OUTCOMES; i++) {
			const struct alt *t = &a->alts[i];
			if (t->cls != order[k])
				continue;
			o = &hz.outcomes[hz.n_outcomes++];
			o->fault = t->o.f.type != FAULT_NONE;
			o->f = t->o.f;
			o->has_pa = !o->fault;
			o->pa = t->o.pa;
			o->has_value = t->o.has_bytes;
			o->value = obs_value(&t->o);
			snprintf(o->text, sizeof(o->text), "%s", t->text);
			o->cause = t->cause;
			key = hash64(key, hash64(t->cause.seq, t->cause.pc));
		}
		if (hz.n_outcomes < 2)
			continue;
		hz.fold_key = key;
		emit_hazard(a->m, &hz);
	}
}

/* ---------- pending maintenance ---------- */

static bool maint_pending_on(const struct model *m, uint64_t pa, bool clean_only)
{
	for (unsigned i = 0; i < m->npm; i++) {
		const struct pend_maint *p = &m->pm[i];
		if (p->kind != EV_DC)
			continue;
		if (clean_only && (p->op == DC_IVAC || p->op == DC_ISW))
			continue;
		if (p->all || p->pa == (pa & CACHE_LINE_MASK))
			return true;
	}
	return false;
}

static bool range_pending(const struct model *m, uint64_t pa, unsigned size)
{
	for (uint64_t l = pa & CACHE_LINE_MASK; l < pa + size; l += CACHE_LINE_SIZE)
		if (maint_pending_on(m, l, false))
			return true;
	return false;
}

/* ---------- data side of one access ---------- */

/* Bytes a read may obtain besides the latest (data-not-at-poc, fetch-not-at-poc). */
static void data_alternatives(struct acc_ctx *a)
{
	const struct xlat *x = &a->co;
	if (a->o0.f.type != FAULT_NONE || !a->reads)
		return;
	struct model *m = a->m;
	uint64_t pa = a->o0.pa;
	struct cache_page *pg = cache_page_find(m->c, pa);
	uint64_t lines = cache_line_mask(pa, a->size);
	if (!pg)
		return;
	struct obs o = a->o0;
	bool fetch = a->acc == ACC_FETCH;
	uint8_t buf[MAX_READ];
	unsigned n = a->size > MAX_READ ? MAX_READ : a->size;
	if (!fetch && x->dcache && (pg->stale & lines)) {
		cache_read(m->c, CV_CACHE, pa, buf, n);
		obs_fill(&o, buf, n);
		struct hz_cause cz = pg->x->stale_c[__builtin_ctzll(pg->stale & lines)];
		snprintf(cz.what, sizeof(cz.what), "Non-cacheable write while the line was cached");
		decide(
		    m,
		    add_alt(a, range_pending(m, pa, a->size) ? HZ_MISSING_DSB : HZ_DATA_NOT_AT_POC,
		            &o, &cz,
		            (pg->dirty & pg->stale & lines) ? "stale dirty line in the data cache"
		                                            : "stale clean line in the data cache"),
		    "the read hits the stale cached copy");
	}
	bool nc = fetch ? !x->icache : !x->dcache;
	if (nc && (pg->dirty & lines)) {
		cache_read(m->c, CV_POC, pa, buf, n);
		obs_fill(&o, buf, n);
		struct hz_cause cz = pg->x->dirty_c[__builtin_ctzll(pg->dirty & lines)];
		snprintf(cz.what, sizeof(cz.what), "cacheable store not cleaned to the PoC");
		enum hz_class cls = fetch ? HZ_FETCH_NOT_AT_POC : HZ_DATA_NOT_AT_POC;
		decide(m,
		       add_alt(a, range_pending(m, pa, a->size) ? HZ_MISSING_DSB : cls, &o, &cz,
		               "the PoC bytes"),
		       fetch ? "the fetch reads the PoC copy" : "the read obtains the PoC copy");
	}
	if (fetch && x->icache) {
		uint64_t iv = m->cfg.ctr_dic ? 0 : pg->ivalid & lines;
		if (iv & pg->imod) {
			/* The bytes as fetched into the I-cache, for the lines stored to since. */
			uint64_t off = pa & (CACHE_PAGE_SIZE - 1);
			cache_read(m->c, CV_LATEST, pa, buf, n);
			for (unsigned i = 0; i < n; i++)
				if ((iv & pg->imod) & (UINT64_C(1) << ((off + i) >> 6)))
					buf[i] = pg->x->icache[off + i];
			obs_fill(&o, buf, n);
			struct hz_cause cz = pg->x->ifill_c[__builtin_ctzll(iv & pg->imod)];
			snprintf(cz.what, sizeof(cz.what),
			         "I-cache line filled before the code was modified");
			add_alt(a, HZ_ICACHE_STALE, &o, &cz, "stale I-cache line");
		}
		uint64_t fill = lines & ~iv & pg->dirty_pou;
		if (fill) {
			cache_read(m->c, CV_POU, pa, buf, n);
			obs_fill(&o, buf, n);
			struct hz_cause cz = pg->x->dirty_c[__builtin_ctzll(fill)];
			snprintf(cz.what, sizeof(cz.what),
			         "store not cleaned to the PoU (DC CVAU)");
			decide(m,
			       add_alt(a,
			               range_pending(m, pa, a->size) ? HZ_MISSING_DSB
			                                             : HZ_ICACHE_STALE,
			               &o, &cz, "I-cache fill from the PoU"),
			       "the I-cache fill reads the PoU copy");
		}
	}
}

/* State changes of the coherent access: lines, I-cache, lost writes. bytes: what a store
 * writes (NULL: unknown). */
static void data_effects(struct model *m, const struct model_event *ev, enum access_type acc,
                         const struct xlat *x, uint64_t pa, unsigned size, bool is_store,
                         const uint8_t *bytes)
{
	struct cache_page *pg = cache_page_get(m->c, pa);
	uint64_t lines = cache_line_mask(pa, size);
	if (acc == ACC_FETCH) {
		if (x->icache && !m->cfg.ctr_dic && (~pg->ivalid | pg->imod) & lines) {
			struct hz_cause cz = cause_of(m, ev, "I-cache fill");
			cache_ifill(m->c, pa, size, &cz);
		}
		return;
	}
	if (!is_store) {
		if (x->dcache)
			pg->present |= lines;
		return;
	}
	struct hz_cause cz = cause_of(m, ev, "store");
	bool lost = false;
	struct hz_cause prev;
	if (m->cfg.wb_policy != WB_ANY && bytes) {
		/* The line stays in the cache until maintenance (or its eviction under
		 * WB_RANDOM): whether the store is lost is decided when the line is written
		 * back (do_dc, evict_due). */
	} else if (x->dcache && (pg->stale & lines)) {
		lost = true;
		prev = pg->x->stale_c[__builtin_ctzll(pg->stale & lines)];
	} else if (!x->dcache && (pg->dirty & lines)) {
		lost = true;
		prev = pg->x->dirty_c[__builtin_ctzll(pg->dirty & lines)];
	}
	if (lost) {
		struct hazard hz;
		hz_init(m, &hz, HZ_LOST_WRITE, RULE_LOST);
		hz.has_va = true;
		hz.va = ev->kind == EV_DC ? ev->u.dc.arg : ev->u.mem.va;
		hz.acc = acc;
		snprintf(hz.summary, sizeof(hz.summary),
		         x->dcache
		             ? "cacheable write to a line with a stale copy: its write-back may "
		               "overwrite a newer Non-cacheable write"
		             : "Non-cacheable write under a dirty line: the later write-back may "
		               "overwrite it");
		hz.n_outcomes = 1;
		hz.outcomes[0].has_pa = true;
		hz.outcomes[0].pa = pa;
		snprintf(hz.outcomes[0].text, sizeof(hz.outcomes[0].text),
		         "PA 0x%" PRIx64 " may end up holding the older line", pa);
		hz.outcomes[0].cause = prev;
		hz.fold_key = hash64(HZ_LOST_WRITE, hash64(ev->pc, prev.pc));
		emit_hazard(m, &hz);
	}
	if (x->wb)
		cache_store_wb(m->c, pa, size, m->cfg.ctr_idc, &cz, bytes);
	else if (x->dcache)
		cache_store_wt(m->c, pa, size, bytes);
	else
		cache_store_nc(m->c, pa, size, &cz, bytes);
}

/* ---------- the full access check ---------- */

/*
 * Whether a walk reading through view v may differ from the coherent walk tr: some
 * descriptor tr read lies in a line v shows with other bytes. Otherwise the walk through v
 * reads the same value at every step, hence the same descriptors in the same order (a walk
 * reads nothing but its steps), and ends in the same translation: nothing to compare.
 */
static bool walk_view_differs(struct model *m, const struct walk_result *tr, enum cache_view v)
{
	for (unsigned i = 0; i < tr->nsteps && i < PT_MAX_STEPS; i++)
		if (cache_view_differs(m->c, v, tr->steps[i].desc_pa, 8))
			return true;
	return false;
}

static void tc_fill(struct model *m, unsigned cpu, uint64_t va, enum access_type acc,
                    const struct xlat *x)
{
	struct cpu *c = &m->cpu[cpu];
	struct tc_entry *e = &c->tc[(va >> 12) % TC_SIZE];
	uint64_t g = cur_gen(m);
	if (e->vpage != (va >> 12) + 1 || e->gen != g || e->el != c->el) {
		/* Every field is rewritten: the entry holds one translation at a time. */
		e->vpage = (va >> 12) + 1;
		e->gen = g;
		e->el = (uint8_t)c->el;
		e->ok = 0;
		e->mmu_on = x->mmu_on;
		e->dcache = x->dcache;
		e->wb = x->wb;
		e->icache = x->icache;
		e->strict_align = x->strict_align;
		e->pa_page = x->tr.oa & ~(uint64_t)(CACHE_PAGE_SIZE - 1);
		e->block_size = x->tr.block_size;
		e->leaf_desc = x->tr.leaf_desc;
		e->attrs = x->tr.attrs;
		e->level = x->tr.level;
		e->ro = x->tr.ro;
		e->el0 = x->tr.el0;
		e->xn = x->tr.xn;
		e->pxn = x->tr.pxn;
		e->ng = x->tr.ng;
		e->contiguous = x->tr.contiguous;
		e->af = x->tr.af;
		e->pg = cache_page_get(m->c, x->tr.oa);
	}
	e->ok |= (uint8_t)(1u << acc);
}

/* Memory with one descriptor shown at another value: what a walker that has not yet
 * observed a store reads. */
struct desc_override {
	struct mem_ops ops;
	const struct mem_ops *base;
	uint64_t pa, value;
};

static bool override_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	const struct desc_override *o = ctx;
	if (!o->base->read(o->base->ctx, pa, buf, len))
		return false;
	for (unsigned i = 0; i < 8; i++)
		if (o->pa + i >= pa && o->pa + i < pa + len)
			((uint8_t *)buf)[o->pa + i - pa] = (uint8_t)(o->value >> (8 * i));
	return true;
}

/* Step 2b of check_access: each descriptor of the coherent walk that the CPU's walker may
 * not have observed yet, walked at its old value. */
static void unsynced_walk_alternatives(struct acc_ctx *a, struct cpu *c, bool zva)
{
	struct model *m = a->m;
	const struct walk_result *tr = &a->co.tr;
	for (unsigned i = 0; i < tr->nsteps && i < PT_MAX_STEPS; i++) {
		struct desc_override o = {.base = &m->mem, .pa = tr->steps[i].desc_pa};
		struct hz_cause cz;
		if (!tlb_walker_old_value(m->t, a->ev->cpu, o.pa, &o.value, &cz))
			continue;
		o.ops = (struct mem_ops){.read = override_read, .ctx = &o};
		struct xlat wx;
		translate_ctx(m, &c->sr, c->el, 0, a->acc, a->va, a->size, zva, &o.ops, &wx);
		struct obs ob;
		observe(a, &wx, CV_LATEST, &ob);
		snprintf(cz.what, sizeof(cz.what),
		         "descriptor 0x%" PRIx64 " stored at PA 0x%" PRIx64 ", no DSB since",
		         tr->steps[i].desc, o.pa);
		add_alt(a, HZ_MISSING_DSB, &ob, &cz, "walk read the descriptor before the store");
	}
}

static void check_access(struct model *m, const struct model_event *ev, enum access_type acc,
                         uint64_t va, unsigned size, bool zva, struct model_step_result *res)
{
	struct cpu *c = &m->cpu[ev->cpu];
	enum regime rg = regime_of(c->el);
	struct acc_ctx actx;
	struct acc_ctx *a = &actx;
	a->nalts = 0;
	a->m = m;
	a->ev = ev;
	a->acc = acc;
	a->va = va;
	a->size = size ? size : 1;
	a->reads = acc == ACC_FETCH || acc == ACC_READ;
	unsigned nh0 = m->nhz;

	/* 1. Coherent outcome. */
	translate_ctx(m, &c->sr, c->el, 0, acc, va, a->size, zva, NULL, &a->co);
	struct xlat *co = &a->co;
	observe(a, co, CV_LATEST, &a->o0);
	/* Bytes other than the latest at the coherent PA claim their outcomes first. */
	data_alternatives(a);

	/* 2. The walk reads through the cache (cacheable walk) or at the PoC. */
	enum cache_view wv = co->cfg.walk_cacheable ? CV_CACHE : CV_POC;
	if (co->mmu_on && co->tr.fault.type != FAULT_EXTERNAL_WALK &&
	    walk_view_differs(m, &co->tr, wv)) {
		struct cache_view_ops cv;
		cache_view_init(&cv, m->c, wv);
		struct xlat wx;
		translate_ctx(m, &c->sr, c->el, 0, acc, va, a->size, zva, &cv.ops, &wx);
		struct obs o;
		observe(a, &wx, CV_LATEST, &o);
		if (!obs_equal(&o, &a->o0)) {
			bool pend = false;
			for (unsigned i = 0; i < co->tr.nsteps; i++)
				pend |= maint_pending_on(m, co->tr.steps[i].desc_pa, false);
			for (unsigned i = 0; i < wx.tr.nsteps; i++)
				pend |= maint_pending_on(m, wx.tr.steps[i].desc_pa, false);
			struct hz_cause cz = cause_of(m, ev, "");
			const struct pt_step *s =
			    wx.tr.nsteps ? &wx.tr.steps[wx.tr.nsteps - 1] : NULL;
			struct cache_page *pg = s ? cache_page_find(m->c, s->desc_pa) : NULL;
			uint64_t lm = s ? cache_line_mask(s->desc_pa, 8) : 0;
			if (pg && pg->x && (pg->dirty & lm))
				cz = pg->x->dirty_c[__builtin_ctzll(pg->dirty & lm)];
			else if (pg && pg->x && (pg->stale & lm))
				cz = pg->x->stale_c[__builtin_ctzll(pg->stale & lm)];
			snprintf(cz.what, sizeof(cz.what),
			         "%s walk reads descriptor 0x%016" PRIx64 " at PA 0x%" PRIx64,
			         co->cfg.walk_cacheable ? "cacheable" : "non-cacheable",
			         s ? s->desc : 0, s ? s->desc_pa : 0);
			decide(m,
			       add_alt(a, pend ? HZ_MISSING_DSB : HZ_WALK_NOT_AT_POC, &o, &cz,
			               co->cfg.walk_cacheable ? "walk hit a stale clean line"
			                                      : "walk read the PoC"),
			       co->cfg.walk_cacheable ? "the walk hits a stale cached table line"
			                              : "the walk reads the tables' PoC copy");
		}
	}

	/* 2b. A descriptor this CPU stored, while its MMU was on, and no DSB has made visible to
	 * its walker yet: the walk may still read the value before the store (B2.3.12, D8.2:
	 * `str; dsb ishst; isb` before using a new mapping). */
	if (co->mmu_on && co->tr.fault.type != FAULT_EXTERNAL_WALK)
		unsynced_walk_alternatives(a, c, zva);

	/* 3. Other combinations of pending register values. */
	unsigned ncombo = sr_ctx_count(&c->sr, rg);
	bool any_on = co->mmu_on;
	for (unsigned k = 1; k < ncombo && k < 32; k++) {
		struct xlat ox;
		translate_ctx(m, &c->sr, c->el, k, acc, va, a->size, zva, NULL, &ox);
		any_on |= ox.mmu_on;
		struct obs o;
		observe(a, &ox, read_view(a, &ox), &o);
		/* Name the first register this combination takes at its old value. */
		enum sysreg_id ids[5], old = SR_COUNT;
		unsigned nids = sr_regime_regs(rg, ids), j = 0;
		for (unsigned i = 0; i < nids && old == SR_COUNT; i++) {
			if (!(c->sr.pending & (UINT32_C(1) << ids[i])))
				continue;
			if ((k >> j++) & 1)
				old = ids[i];
		}
		assert(old != SR_COUNT);
		struct hz_cause cz = c->sr.wcause[old];
		snprintf(cz.what, sizeof(cz.what), "MSR %s not yet synchronised by an ISB",
		         sysreg_name(old));
		add_alt(a, HZ_MISSING_ISB, &o, &cz,
		        ox.mmu_on ? "old context" : "old context, MMU off");
	}
	/* 4. TLB entries. */
	if (any_on) {
		struct tlb_cand cands[MAX_CANDS];
		uint16_t asid = tlb_el1_asid(c->sr.latest[SR_TCR_EL1], c->sr.latest[SR_TTBR0_EL1],
		                             c->sr.latest[SR_TTBR1_EL1]);
		struct tlb_regs cur = regs_of(&c->sr, rg, 0);
		const struct walk_result *walk = co->mmu_on ? &co->tr : NULL;
		unsigned n = tlb_lookup(m->t, ev->cpu, rg, va, acc == ACC_FETCH, asid, m->seq, &cur,
		                        walk, cands, MAX_CANDS);
		struct tlb_cand *nofetch = NULL;
		unsigned nn = 0;
		if (acc == ACC_FETCH && !m->cfg.feat_ets && n) {
			nofetch = m->nofetch;
			nn = tlb_lookup(m->t, ev->cpu, rg, va, false, asid, m->seq, &cur, walk,
			                nofetch, MAX_CANDS);
		}
		for (unsigned i = 0; i < n; i++) {
			struct tlb_cand *cd = &cands[i];
			/* The coherent walk itself: the same translation, attributes and views as
			 * the coherent outcome, whose other bytes data_alternatives has claimed,
			 * and no other context for a TLB conflict. Nothing to add. */
			if (cd->coherent)
				continue;
			struct xlat tx = *co;
			tx.mmu_on = true;
			tx.cfg = cd->cfg;
			tx.tr = cd->r;
			tx.fault = cd->r.fault;
			if (tx.fault.type == FAULT_NONE)
				tx.fault = pt_check_perm(&cd->cfg, &cd->r, acc, c->el);
			uint64_t sctlr = regs_of(&c->sr, rg, 0).sctlr;
			finish_attrs(&tx, sctlr, acc, va, a->size, zva);
			struct obs o;
			observe(a, &tx, read_view(a, &tx), &o);
			enum hz_class cls = cd->needs_pending ? HZ_MISSING_DSB : HZ_STALE_TLB;
			if (nofetch && cls == HZ_STALE_TLB) {
				bool in = false;
				for (unsigned k = 0; k < nn && !in; k++)
					in = nofetch[k].r.oa == cd->r.oa &&
					     nofetch[k].r.fault.type == cd->r.fault.type;
				if (!in)
					cls = HZ_MISSING_ISB; /* TLBI done, no context sync (no ETS)
					                       */
			}
			if (!obs_equal(&o, &a->o0))
				tlb_cand_describe(cd, cd->cause.what, sizeof(cd->cause.what));
			add_alt(a, cls, &o, &cd->cause,
			        cd->stale_leaf    ? "stale leaf entry"
			        : cd->stale_table ? "stale walk-cache entry"
			                          : "entry of an earlier context");
			/* Two entries of different sizes for one VA: TLB conflict possible. */
			if (cd->old_ctx && cd->r.fault.type == FAULT_NONE && co->mmu_on &&
			    co->tr.fault.type == FAULT_NONE &&
			    cd->r.block_size != co->tr.block_size) {
				struct hazard hz;
				hz_init(m, &hz, HZ_BBM, RULE_BBM);
				hz.has_va = true;
				hz.va = va;
				hz.acc = acc;
				snprintf(hz.summary, sizeof(hz.summary),
				         "TLB may hold entries of sizes 0x%" PRIx64
				         " and 0x%" PRIx64
				         " for this VA (table switch without TLBI): TLB conflict",
				         cd->r.block_size, co->tr.block_size);
				hz.n_outcomes = 2;
				hz.outcomes[0].has_pa = true;
				hz.outcomes[0].pa = co->tr.oa;
				snprintf(hz.outcomes[0].text, sizeof(hz.outcomes[0].text),
				         "current walk: block of 0x%" PRIx64 " bytes",
				         co->tr.block_size);
				hz.outcomes[0].cause = cause_of(m, ev, "current tables");
				hz.outcomes[1].fault = true;
				hz.outcomes[1].f.type = FAULT_TLB_CONFLICT;
				snprintf(hz.outcomes[1].text, sizeof(hz.outcomes[1].text),
				         "TLB conflict abort (entry of 0x%" PRIx64 " bytes)",
				         cd->r.block_size);
				hz.outcomes[1].cause = cd->cause;
				hz.fold_key = hash64(HZ_BBM, hash64(cd->cause.seq, va >> 21));
				emit_hazard(m, &hz);
			}
		}
	}

	report_alts(a);

	/* 6. State changes of the coherent outcome. */
	if (co->mmu_on && co->tr.fault.type == FAULT_NONE)
		tlb_note_access(m->t, ev->cpu, &co->cfg, va, m->seq);
	if (co->mmu_on && co->cfg.walk_cacheable)
		for (unsigned i = 0; i < co->tr.nsteps; i++)
			cache_touch(m->c, co->tr.steps[i].desc_pa, 8);
	bool single = m->nhz == nh0;
	if (co->fault.type == FAULT_NONE) {
		uint64_t pa = co->tr.oa;
		uint64_t rem = a->size;
		/* A store's bytes (EV_STORE carries up to 8, little-endian). */
		uint8_t vb[8];
		bool have = ev->kind == EV_STORE && a->size <= sizeof(vb);
		for (unsigned i = 0; have && i < sizeof(vb); i++)
			vb[i] = (uint8_t)(ev->u.mem.value >> (8 * i));
		while (rem) {
			uint64_t chunk = CACHE_PAGE_SIZE - (pa & (CACHE_PAGE_SIZE - 1));
			if (chunk > rem)
				chunk = rem;
			if (acc == ACC_FETCH || acc == ACC_READ || acc == ACC_WRITE)
				data_effects(m, ev, acc, co, pa, (unsigned)chunk, acc == ACC_WRITE,
				             have ? vb + (a->size - rem) : NULL);
			if (acc == ACC_WRITE)
				m->stores_pending |= tlb_note_store(
				    m->t, ev->cpu, pa, (unsigned)chunk, m->seq,
				    &(struct hz_cause){m->seq, ev->cpu, ev->pc, ev->kind,
				                       "descriptor store"});
			pa += chunk;
			rem -= chunk;
		}
		if (single && ncombo == 1 && !tlb_pending_any(m->t) &&
		    (va & (CACHE_PAGE_SIZE - 1)) + a->size <= CACHE_PAGE_SIZE &&
		    (acc == ACC_FETCH || acc == ACC_READ || acc == ACC_WRITE || acc == ACC_DC_READ))
			tc_fill(m, ev->cpu, va, acc, co);
	}
	if (res) {
		res->is_access = true;
		res->mmu_on = co->mmu_on;
		res->tr = co->tr;
		res->fault = co->fault;
	}
}

/*
 * The translation cache entry of va if it still holds va's one outcome for acc: nothing that
 * could add an outcome has happened since it was filled (generations of the checker and the
 * TLB), and no register write awaits its context synchronisation and no TLBI its DSB. NULL
 * otherwise. DC/IC maintenance not yet completed does not bar the fast path: it changes the
 * line state only at its DSB (IC: at the next context synchronisation), and until then it
 * only decides the class (missing-dsb) of an outcome other than the coherent one, which the
 * line checks of the callers exclude. Firmware cleans whole tables with DC CVAC and runs
 * thousands of instructions before the DSB.
 */
static inline struct tc_entry *tc_hit(struct model *m, struct cpu *c, enum access_type acc,
                                      uint64_t va)
{
	struct tc_entry *e = &c->tc[(va >> 12) % TC_SIZE];
	if (e->vpage != (va >> 12) + 1 || e->gen != cur_gen(m) || e->el != c->el ||
	    !(e->ok & (1u << acc)) || c->sr.pending || *m->tpend)
		return NULL;
	return e;
}

/*
 * A fetch of the lines of pa in e's page obtains the latest bytes and nothing else (D7.5.x,
 * B2.4.4): from the I-cache only lines filled since their last invalidation and not stored
 * to since (with CTR_EL0.DIC, lines whose PoU holds the latest bytes), and without the
 * I-cache no dirty line, whose PoC bytes a Non-cacheable fetch would read.
 */
static inline bool tc_fetch_lines_ok(const struct model *m, const struct tc_entry *e,
                                     uint64_t lines)
{
	const struct cache_page *pg = e->pg;
	if (!e->icache)
		return !(pg->dirty & lines);
	if (m->cfg.ctr_dic)
		return !(pg->dirty_pou & lines);
	return (pg->ivalid & lines) == lines && !(pg->imod & lines);
}

/* What model_step returns for an access served by e: a TLB hit reads no descriptors, so
 * everything but the walk steps. */
static void tc_result(const struct tc_entry *e, uint64_t va, uint64_t pa,
                      struct model_step_result *res)
{
	res->is_access = true;
	res->mmu_on = e->mmu_on;
	struct walk_result *t = &res->tr;
	t->va = va;
	t->oa = pa;
	t->attrs = e->attrs;
	t->level = e->level;
	t->block_size = e->block_size;
	t->leaf_desc = e->leaf_desc;
	t->ro = e->ro;
	t->el0 = e->el0;
	t->xn = e->xn;
	t->pxn = e->pxn;
	t->ng = e->ng;
	t->contiguous = e->contiguous;
	t->af = e->af;
	t->fault.type = FAULT_NONE;
	t->fault.level = 0;
	t->nsteps = 0;
	res->fault.type = FAULT_NONE;
	res->fault.level = 0;
	res->n_hazards = 0;
}

/* The common case: a translation known to have one outcome and clean lines. */
static bool fast_access(struct model *m, const struct model_event *ev, enum access_type acc,
                        uint64_t va, unsigned size, struct model_step_result *res)
{
	struct cpu *c = &m->cpu[ev->cpu];
	size = size ? size : 1;
	struct tc_entry *e = tc_hit(m, c, acc, va);
	if (!e)
		return false;
	uint64_t off = va & (CACHE_PAGE_SIZE - 1);
	if (off + size > CACHE_PAGE_SIZE)
		return false;
	if (acc != ACC_FETCH && e->strict_align && (va & ((size > 8 ? 8 : size) - 1)))
		return false;
	struct cache_page *pg = e->pg;
	uint64_t pa = e->pa_page | off;
	uint64_t lines = cache_line_mask(pa, size);
	switch (acc) {
	case ACC_READ:
		if (e->dcache) {
			if (pg->stale & lines)
				return false;
			pg->present |= lines;
		} else if (pg->dirty & lines) {
			return false;
		}
		break;
	case ACC_WRITE:
		if (pg->table)
			return false;
		if (e->wb) {
			if ((pg->dirty & lines) != lines || (pg->stale & lines) ||
			    (!m->cfg.ctr_idc && (pg->dirty_pou & lines) != lines))
				return false;
		} else if (e->dcache) {
			/* A dirty line's PoC copy takes a write-through store (under WB_NEVER and
			 * WB_RANDOM it is kept up to date). */
			if ((pg->stale | pg->dirty) & lines)
				return false;
			pg->present |= lines;
		} else if ((pg->present | pg->dirty) & lines) {
			return false;
		}
		pg->imod |= pg->ivalid & lines;
		break;
	case ACC_FETCH:
		if (!tc_fetch_lines_ok(m, e, lines))
			return false;
		break;
	case ACC_DC_READ: /* DC clean by VA: the translation only (no bytes, no line change) */
		break;
	default:
		return false;
	}
	if (res)
		tc_result(e, va, pa, res);
	return true;
}

/* ---------- maintenance, barriers, exceptions ---------- */

static void add_pending(struct model *m, const struct model_event *ev, int op, uint64_t pa,
                        bool all)
{
	if (m->npm == m->cappm) {
		m->cappm = m->cappm ? m->cappm * 2 : 16;
		m->pm = realloc(m->pm, m->cappm * sizeof(*m->pm));
		assert(m->pm);
	}
	struct pend_maint *p = &m->pm[m->npm++];
	p->cpu = ev->cpu;
	p->kind = ev->kind;
	p->op = op;
	p->pa = pa & CACHE_LINE_MASK;
	p->all = all;
	p->done = false;
	p->seq = m->seq;
	/* A DC by VA acts on the line as it is at the DC in program order (D7.5.9). */
	p->has_snap = ev->kind == EV_DC && !all &&
	              m->mem.read(m->mem.ctx, p->pa, p->snap, sizeof(p->snap));
}

static void lost_write_hazard(struct model *m, const struct model_event *ev, uint64_t va,
                              uint64_t pa, const struct hz_cause *dirty, const char *summary)
{
	struct hazard hz;
	hz_init(m, &hz, HZ_LOST_WRITE, RULE_LOST);
	hz.has_va = va != UINT64_MAX;
	hz.va = va;
	hz.acc = ACC_DC_WRITE;
	snprintf(hz.summary, sizeof(hz.summary), "%s", summary);
	hz.n_outcomes = 1;
	hz.outcomes[0].has_pa = true;
	hz.outcomes[0].pa = pa;
	snprintf(hz.outcomes[0].text, sizeof(hz.outcomes[0].text),
	         "dirty line at PA 0x%" PRIx64 " discarded: memory keeps the older bytes", pa);
	hz.outcomes[0].cause = *dirty;
	snprintf(hz.outcomes[0].cause.what, sizeof(hz.outcomes[0].cause.what),
	         "cacheable store not cleaned to the PoC");
	hz.fold_key = hash64(HZ_LOST_WRITE, hash64(ev->pc, dirty->pc));
	emit_hazard(m, &hz);
}

/*
 * A lost write the write-back policy decides (WB_NEVER, WB_RANDOM): the line at `line`
 * leaves the PoC holding view v's copy (CV_POC: discarded; CV_CACHE: a stale copy written
 * back) where the run goes on with memory as the program sees it. what: how ("DC IVAC
 * discards the dirty line"); va: the DC's VA, UINT64_MAX for none.
 */
static void wb_lost_write(struct model *m, uint64_t va, uint64_t line, enum cache_view v,
                          const struct hz_cause *cause, const char *cause_what, const char *what)
{
	uint8_t got[CACHE_LINE_SIZE], cur[CACHE_LINE_SIZE];
	uint64_t wpa = line, gv = 0, cv = 0;
	if (cache_read(m->c, v, line, got, sizeof(got)) &&
	    cache_read(m->c, CV_LATEST, line, cur, sizeof(cur)))
		for (unsigned off = 0; off < CACHE_LINE_SIZE; off += 8) {
			if (!memcmp(got + off, cur + off, 8))
				continue;
			wpa = line + off;
			for (unsigned i = 8; i-- > 0;) {
				gv = (gv << 8) | got[off + i];
				cv = (cv << 8) | cur[off + i];
			}
			break;
		}
	struct hazard hz;
	hz_init(m, &hz, HZ_LOST_WRITE, RULE_LOST);
	hz.has_va = va != UINT64_MAX;
	hz.va = va;
	hz.acc = ACC_DC_WRITE;
	snprintf(hz.decided_by, sizeof(hz.decided_by), "%s", m->wb_label);
	snprintf(hz.summary, sizeof(hz.summary),
	         "under %s %s: PA 0x%" PRIx64 " holds 0x%" PRIx64
	         "; the coherent value is 0x%" PRIx64,
	         m->wb_label, what, wpa, gv, cv);
	hz.n_outcomes = 1;
	struct hz_outcome *o = &hz.outcomes[0];
	o->has_pa = true;
	o->pa = wpa;
	o->has_value = true;
	o->value = gv;
	snprintf(o->text, sizeof(o->text),
	         "line at PA 0x%" PRIx64 " %s: memory holds 0x%" PRIx64 " at PA 0x%" PRIx64, line,
	         v == CV_POC ? "discarded" : "written back", gv, wpa);
	o->cause = *cause;
	snprintf(o->cause.what, sizeof(o->cause.what), "%s", cause_what);
	hz.fold_key = hash64(HZ_LOST_WRITE, hash64(m->ev ? m->ev->pc : 0, cause->pc));
	emit_hazard(m, &hz);
}

#define WHAT_DIRTY "cacheable store not cleaned to the PoC"
#define WHAT_NEWER "Non-cacheable store the write-back overwrites"

/* WB_RANDOM: the lines whose time has come leave the cache before event m->seq, unless DC
 * maintenance of them is in flight (it decides them; a new time is drawn). */
static bool maint_pending_on(const struct model *m, uint64_t pa, bool clean_only);

static void evict_due(struct model *m)
{
	uint64_t pa;
	while (cache_wb_due(m->c, m->seq, &pa)) {
		if (maint_pending_on(m, pa, false)) {
			cache_wb_defer(m->c, pa);
			continue;
		}
		struct hz_cause cz;
		if (cache_line_differs(m->c, CV_CACHE, pa, &cz))
			wb_lost_write(m, UINT64_MAX, pa, CV_CACHE, &cz, WHAT_NEWER,
			              "the line is evicted here and written back over newer bytes");
		cache_evict(m->c, pa);
	}
}

static bool line_dirty_differs(struct model *m, uint64_t pa, struct hz_cause *cause)
{
	struct cache_page *pg = cache_page_find(m->c, pa);
	uint64_t lm = cache_line_mask(pa & CACHE_LINE_MASK, CACHE_LINE_SIZE);
	if (!pg || !(pg->dirty & lm))
		return false;
	uint8_t poc[CACHE_LINE_SIZE], cur[CACHE_LINE_SIZE];
	uint64_t l = pa & CACHE_LINE_MASK;
	if (!cache_read(m->c, CV_POC, l, poc, sizeof(poc)) ||
	    !cache_read(m->c, CV_LATEST, l, cur, sizeof(cur)))
		return false;
	*cause = pg->x->dirty_c[__builtin_ctzll(pg->dirty & lm)];
	return memcmp(poc, cur, sizeof(poc)) != 0;
}

static void do_dc(struct model *m, const struct model_event *ev, struct model_step_result *res)
{
	enum dc_op op = ev->u.dc.op;
	bool wb = m->cfg.wb_policy != WB_ANY;
	if (op == DC_ISW || op == DC_CSW || op == DC_CISW) {
		uint64_t pa;
		struct hz_cause cz;
		if (wb && op == DC_ISW && cache_any_differs(m->c, CV_POC, &pa, &cz))
			wb_lost_write(m, UINT64_MAX, pa, CV_POC, &cz, WHAT_DIRTY,
			              "DC ISW discards a dirty line");
		else if (wb && op != DC_ISW && cache_any_differs(m->c, CV_CACHE, &pa, &cz))
			wb_lost_write(m, UINT64_MAX, pa, CV_CACHE, &cz, WHAT_NEWER,
			              op == DC_CSW ? "DC CSW writes a stale cached copy back"
			                           : "DC CISW writes a stale cached copy back");
		else if (!wb && op == DC_ISW && cache_any_dirty(m->c, &pa, &cz))
			lost_write_hazard(m, ev, UINT64_MAX, pa, &cz,
			                  "DC ISW (set/way invalidate) may discard a dirty line");
		add_pending(m, ev, op, 0, true);
		return;
	}
	uint64_t va = ev->u.dc.arg;
	bool wr = op == DC_IVAC || op == DC_ZVA;
	if (op == DC_ZVA)
		va &= CACHE_LINE_MASK; /* DCZID_EL0.BS: 64-byte blocks */
	struct model_step_result r;
	/* A clean by VA needs only its translation: firmware cleans tables and code line by
	 * line, so the single-outcome cache of translations serves it as it serves loads. */
	if (wr || !fast_access(m, ev, ACC_DC_READ, va, 1, &r))
		check_access(m, ev, wr ? ACC_DC_WRITE : ACC_DC_READ, va, op == DC_ZVA ? 64 : 1,
		             op == DC_ZVA, &r);
	if (res)
		*res = r;
	if (r.fault.type != FAULT_NONE)
		return;
	uint64_t pa = r.tr.oa;
	if (op == DC_ZVA) {
		struct cpu *c = &m->cpu[ev->cpu];
		struct xlat x;
		translate_ctx(m, &c->sr, c->el, 0, ACC_DC_WRITE, va, 64, true, NULL, &x);
		static const uint8_t zeros[64];
		data_effects(m, ev, ACC_WRITE, &x, pa, 64, true, zeros);
		m->stores_pending |=
		    tlb_note_store(m->t, ev->cpu, pa, 64, m->seq,
		                   &(struct hz_cause){m->seq, ev->cpu, ev->pc, ev->kind, "DC ZVA"});
		return;
	}
	struct hz_cause cz;
	uint64_t line = pa & CACHE_LINE_MASK;
	if (wb && op == DC_IVAC && cache_line_differs(m->c, CV_POC, line, &cz))
		wb_lost_write(m, va, line, CV_POC, &cz, WHAT_DIRTY,
		              "DC IVAC discards the dirty line");
	else if (wb && (op == DC_CVAC || op == DC_CVAP || op == DC_CIVAC) &&
	         cache_line_differs(m->c, CV_CACHE, line, &cz))
		wb_lost_write(m, va, line, CV_CACHE, &cz, WHAT_NEWER,
		              op == DC_CIVAC  ? "DC CIVAC writes a stale cached copy back"
		              : op == DC_CVAP ? "DC CVAP writes a stale cached copy back"
		                              : "DC CVAC writes a stale cached copy back");
	else if (!wb && op == DC_IVAC && line_dirty_differs(m, pa, &cz))
		lost_write_hazard(
		    m, ev, va, pa & CACHE_LINE_MASK, &cz,
		    "DC IVAC may discard a dirty line (its data never reaches the PoC)");
	add_pending(m, ev, op, pa, false);
}

static void do_ic(struct model *m, const struct model_event *ev, struct model_step_result *res)
{
	if (ev->u.ic.op == IC_IVAU) {
		struct model_step_result r;
		check_access(m, ev, ACC_DC_READ, ev->u.ic.va, 1, false, &r);
		if (res)
			*res = r;
		if (r.fault.type == FAULT_NONE)
			add_pending(m, ev, IC_IVAU, r.tr.oa, false);
		return;
	}
	add_pending(m, ev, ev->u.ic.op, 0, true);
}

static void complete_maint(struct model *m, unsigned cpu, enum barrier_domain dom)
{
	unsigned k = 0;
	for (unsigned i = 0; i < m->npm; i++) {
		struct pend_maint *p = &m->pm[i];
		/* IC IALLUIS reaches other CPUs: only a DSB ISH/OSH/SY waits for it. */
		bool is = p->kind == EV_IC && p->op == IC_IALLUIS;
		if (p->cpu != cpu || (is && dom == DOM_NSH)) {
			m->pm[k++] = *p;
			continue;
		}
		if (p->kind == EV_DC) {
			if (p->has_snap) {
				bool inval = p->op == DC_CIVAC || p->op == DC_IVAC;
				bool to_poc = p->op == DC_CVAC || p->op == DC_CVAP || p->op == DC_CIVAC;
				cache_complete_dc_line(m->c, p->pa, p->snap, to_poc, p->op == DC_CVAU,
				                       inval);
				continue;
			}
			switch (p->op) {
			case DC_CVAC:
			case DC_CVAP:
				cache_clean_poc(m->c, p->pa, CACHE_LINE_SIZE, false);
				break;
			case DC_CVAU:
				cache_clean_pou(m->c, p->pa, CACHE_LINE_SIZE, false);
				break;
			case DC_CIVAC:
			case DC_IVAC:
				cache_invalidate(m->c, p->pa, CACHE_LINE_SIZE, false);
				break;
			case DC_CSW:
				cache_clean_poc(m->c, 0, 0, true);
				break;
			case DC_ISW:
			case DC_CISW:
				cache_invalidate(m->c, 0, 0, true);
				break;
			default:
				break;
			}
		} else {
			/* Completed, but instructions already fetched may still be the old ones
			 * until this CPU's next context synchronisation (D7.5.x: ... DSB ISH;
			 * ISB): the invalidation takes effect for fetches there. */
			p->done = true;
			m->pm[k++] = *p;
		}
	}
	m->npm = k;
}

static void apply_ic(struct model *m, unsigned cpu)
{
	unsigned k = 0;
	for (unsigned i = 0; i < m->npm; i++) {
		struct pend_maint *p = &m->pm[i];
		if (p->kind == EV_IC && p->done && p->cpu == cpu)
			cache_ic_invalidate(m->c, p->pa, CACHE_LINE_SIZE, p->all);
		else
			m->pm[k++] = *p;
	}
	m->npm = k;
}

static void on_bbm(void *arg, const struct tlb_bbm *b)
{
	struct model *m = arg;
	struct hazard hz;
	hz_init(m, &hz, HZ_BBM, RULE_BBM);
	hz.cpu = b->store.cpu;
	hz.pc = b->store.pc;
	hz.ev = b->store.kind;
	hz.seq = b->store.seq;
	hz.insn = 0;
	hz.has_va = true;
	hz.va = b->va;
	hz.acc = ACC_WRITE;
	snprintf(hz.summary, sizeof(hz.summary),
	         "live level %d descriptor at PA 0x%" PRIx64 " changed 0x%016" PRIx64
	         " -> 0x%016" PRIx64 " without break-before-make",
	         b->level, b->desc_pa, b->old_desc, b->new_desc);
	hz.n_outcomes = 2;
	hz.outcomes[0].has_pa = true;
	hz.outcomes[0].pa = b->desc_pa;
	snprintf(hz.outcomes[0].text, sizeof(hz.outcomes[0].text), "new descriptor 0x%016" PRIx64,
	         b->new_desc);
	hz.outcomes[0].cause = b->store;
	snprintf(hz.outcomes[0].cause.what, sizeof(hz.outcomes[0].cause.what),
	         "the descriptor store");
	hz.outcomes[1].has_pa = true;
	hz.outcomes[1].pa = b->desc_pa;
	snprintf(hz.outcomes[1].text, sizeof(hz.outcomes[1].text),
	         "old descriptor 0x%016" PRIx64 " may still be in a TLB", b->old_desc);
	hz.outcomes[1].cause = b->cached;
	snprintf(hz.outcomes[1].cause.what, sizeof(hz.outcomes[1].cause.what),
	         "old value cacheable since event %" PRIu64 ", no TLBI completed since",
	         b->cached_since);
	hz.fold_key = hash64(HZ_BBM, hash64(b->store.pc, b->desc_pa));
	emit_hazard(m, &hz);
}

static void do_exc_entry(struct model *m, const struct model_event *ev)
{
	struct cpu *c = &m->cpu[ev->cpu];
	unsigned to = ev->u.exc.to_el;
	if (!ev->u.exc.requested) {
		struct hazard hz;
		hz_init(m, &hz, HZ_UNEXPECTED_EXCEPTION, RULE_EXC);
		snprintf(hz.summary, sizeof(hz.summary),
		         "unrequested exception from EL%u to EL%u (ESR 0x%" PRIx64 ", EC 0x%02x)",
		         ev->u.exc.from_el, to, ev->u.exc.esr,
		         (unsigned)(ev->u.exc.esr >> ESR_EC_SHIFT) & 0x3f);
		hz.n_outcomes = 1;
		hz.outcomes[0].has_pa = false;
		snprintf(hz.outcomes[0].text, sizeof(hz.outcomes[0].text),
		         "exception taken, vector 0x%" PRIx64 ", ELR 0x%" PRIx64, ev->u.exc.vector,
		         ev->u.exc.elr);
		hz.outcomes[0].cause = cause_of(m, ev, "the faulting instruction");
		hz.fold_key = hash64(HZ_UNEXPECTED_EXCEPTION, hash64(ev->u.exc.elr, ev->u.exc.esr));
		emit_hazard(m, &hz);
	}
	/* The vector base is read before the entry synchronises the context. */
	enum sysreg_id vb = to == 2 ? SR_VBAR_EL2 : SR_VBAR_EL1;
	if ((c->sr.pending & (UINT32_C(1) << vb)) && to >= 1) {
		struct hazard hz;
		hz_init(m, &hz, HZ_MISSING_ISB, RULE_ISB);
		snprintf(hz.summary, sizeof(hz.summary),
		         "exception taken with %s written but not synchronised", sysreg_name(vb));
		hz.n_outcomes = 2;
		snprintf(hz.outcomes[0].text, sizeof(hz.outcomes[0].text),
		         "vector base 0x%" PRIx64 " (new)", c->sr.latest[vb]);
		hz.outcomes[0].cause = c->sr.wcause[vb];
		snprintf(hz.outcomes[1].text, sizeof(hz.outcomes[1].text),
		         "vector base 0x%" PRIx64 " (old)", c->sr.eff[vb]);
		hz.outcomes[1].cause = cause_of(m, ev, "earlier value");
		hz.fold_key = hash64(HZ_MISSING_ISB, hash64(vb, c->sr.wcause[vb].seq));
		emit_hazard(m, &hz);
	}
	c->el = to;
	uint64_t sctlr = c->sr.latest[to == 2 ? SR_SCTLR_EL2 : SR_SCTLR_EL1];
	if (sctlr & SCTLR_ELx_EIS)
		context_sync(m, ev->cpu);
	bump(m);
}

/* ---------- public API ---------- */

struct model *model_new(const struct model_cfg *cfg, const struct mem_ops *mem)
{
	assert(cfg->ncpus >= 1 && cfg->ncpus <= MODEL_MAX_CPUS);
	struct model *m = calloc(1, sizeof(*m));
	assert(m);
	m->cfg = *cfg;
	m->mem = *mem;
	m->c = cache_new(mem);
	cache_set_policy(m->c, cfg->wb_policy, cfg->wb_seed);
	char pol[32];
	wb_policy_format(cfg->wb_policy, cfg->wb_seed, pol, sizeof(pol));
	snprintf(m->wb_label, sizeof(m->wb_label), "writeback=%s", pol);
	m->t = tlb_new(cfg, mem, m->c);
	m->tgen = tlb_gen_ptr(m->t);
	m->tpend = tlb_pending_ptr(m->t);
	for (unsigned i = 0; i < cfg->ncpus; i++) {
		struct model_cpu_reset r = {.el = 2};
		r.sysreg[SR_SCTLR_EL2] = SCTLR_EL2_BOOT;
		r.sysreg[SR_SCTLR_EL1] = SCTLR_EL1_BOOT;
		model_reset_cpu(m, i, &r);
	}
	return m;
}

void model_free(struct model *m)
{
	if (!m)
		return;
	tlb_free(m->t);
	cache_free(m->c);
	free(m->pm);
	free(m);
}

void model_reset_cpu(struct model *m, unsigned cpu, const struct model_cpu_reset *r)
{
	assert(cpu < m->cfg.ncpus);
	struct cpu *c = &m->cpu[cpu];
	memset(c->tc, 0, sizeof(c->tc));
	c->el = r->el;
	c->up = true;
	sr_reset(&c->sr, r->sysreg);
	tlb_cpu_reset(m->t, cpu);
	const struct model_event *saved = m->ev;
	m->ev = NULL;
	update_contexts(m, cpu, true);
	m->ev = saved;
}

static void finalize_stores(struct model *m)
{
	m->stores_pending = tlb_finalize(m->t, m->seq, on_bbm, m);
}

void model_cpu_off(struct model *m, unsigned cpu)
{
	assert(cpu < m->cfg.ncpus);
	struct cpu *c = &m->cpu[cpu];
	if (m->stores_pending)
		finalize_stores(m);
	/* The power-down sequence's DSB SY: TLBIs, DC and IC of this CPU complete. A completed
	 * IC has reached instruction fetch by the time the CPU runs again (a reset is a
	 * context synchronisation event). */
	tlb_dsb(m->t, cpu, DOM_SY, BAR_ALL, m->seq);
	complete_maint(m, cpu, DOM_SY);
	apply_ic(m, cpu);
	tlb_cpu_reset(m->t, cpu);
	memset(c->tc, 0, sizeof(c->tc));
	c->up = false;
}

void model_step(struct model *m, const struct model_event *ev, struct model_step_result *res)
{
	assert(ev->cpu < m->cfg.ncpus);
	m->seq++;
	m->ev = ev;
	m->nhz = 0;
	struct cpu *c = &m->cpu[ev->cpu];
	if (res && ev->kind > EV_STORE)
		memset(res, 0, sizeof(*res)); /* accesses fill every field themselves */
	if (m->stores_pending)
		finalize_stores(m);
	if (m->cfg.wb_policy == WB_RANDOM)
		evict_due(m);

	switch (ev->kind) {
	case EV_FETCH:
	case EV_LOAD:
	case EV_STORE: {
		enum access_type acc = ev->kind == EV_FETCH  ? ACC_FETCH
		                       : ev->kind == EV_LOAD ? ACC_READ
		                                             : ACC_WRITE;
		if (!fast_access(m, ev, acc, ev->u.mem.va, ev->u.mem.size, res))
			check_access(m, ev, acc, ev->u.mem.va, ev->u.mem.size, false, res);
		break;
	}
	case EV_SYSREG: {
		struct hz_cause cz = cause_of(m, ev, "MSR");
		snprintf(cz.what, sizeof(cz.what), "MSR %s, 0x%" PRIx64,
		         sysreg_name(ev->u.sysreg.reg), ev->u.sysreg.value);
		sr_write(&c->sr, ev->u.sysreg.reg, ev->u.sysreg.value, &cz);
		c->ctx_dirty = true;
		update_contexts(m, ev->cpu, false);
		break;
	}
	case EV_TLBI: {
		struct hz_cause cz;
		if (tlb_unsynced_store(m->t, ev->cpu, &cz)) {
			struct hazard hz;
			hz_init(m, &hz, HZ_MISSING_DSB, RULE_DSB);
			snprintf(hz.summary, sizeof(hz.summary),
			         "TLBI %s relies on a table store no DSB has made visible to the "
			         "walker: a speculative walk may re-cache the old entry",
			         tlbi_op_name(ev->u.tlbi.op));
			hz.n_outcomes = 1;
			snprintf(hz.outcomes[0].text, sizeof(hz.outcomes[0].text),
			         "the old descriptor value may be cached again after the TLBI");
			hz.outcomes[0].cause = cz;
			snprintf(
			    hz.outcomes[0].cause.what, sizeof(hz.outcomes[0].cause.what),
			    "store to a live translation table (no DSB ISHST before the TLBI)");
			hz.fold_key = hash64(HZ_MISSING_DSB, hash64(ev->pc, cz.seq));
			emit_hazard(m, &hz);
		}
		struct hz_cause tc = cause_of(m, ev, "TLBI");
		tlb_tlbi(m->t, ev->cpu, ev->u.tlbi.op, ev->u.tlbi.arg, m->seq, &tc);
		break;
	}
	case EV_DC:
		do_dc(m, ev, res);
		break;
	case EV_IC:
		do_ic(m, ev, res);
		break;
	case EV_AT: {
		enum at_op op = ev->u.at.op;
		bool w = op == AT_S1E2W || op == AT_S1E1W || op == AT_S1E0W;
		check_access(m, ev, w ? ACC_DC_WRITE : ACC_DC_READ, ev->u.at.va, 1, false, res);
		break;
	}
	case EV_DSB:
		tlb_dsb(m->t, ev->cpu, ev->u.barrier.dom, ev->u.barrier.type, m->seq);
		/* Cache maintenance, like TLB maintenance, completes only at a DSB whose
		 * required access types are reads and writes (B2.3.12), not a DSB LD or ST. */
		if (ev->u.barrier.type == BAR_ALL)
			complete_maint(m, ev->cpu, ev->u.barrier.dom);
		break;
	case EV_DMB:
		break;
	case EV_ISB:
		context_sync(m, ev->cpu);
		break;
	case EV_EXC_ENTRY:
		do_exc_entry(m, ev);
		break;
	case EV_ERET: {
		uint64_t sctlr = c->sr.latest[c->el == 2 ? SR_SCTLR_EL2 : SR_SCTLR_EL1];
		c->el = ev->u.eret.to_el;
		if (sctlr & SCTLR_ELx_EOS)
			context_sync(m, ev->cpu);
		bump(m);
		break;
	}
	default:
		break;
	}
	if (res)
		res->n_hazards = m->nhz;
	m->ev = NULL;
}

uint64_t model_fetch_fast(struct model *m, unsigned cpu, uint64_t va, uint64_t *pa_out,
                          struct model_step_result *res)
{
	assert(cpu < m->cfg.ncpus);
	/* Table stores waiting for tlb_finalize need model_step (break-before-make); so does a
	 * misaligned PC, whose 4 bytes may span two lines or pages, and an eviction due before
	 * this event (WB_RANDOM). */
	if (m->stores_pending || (va & 3) ||
	    (m->cfg.wb_policy == WB_RANDOM && cache_wb_next(m->c) <= m->seq + 1))
		return 0;
	struct tc_entry *e = tc_hit(m, &m->cpu[cpu], ACC_FETCH, va);
	if (!e)
		return 0;
	uint64_t pa = e->pa_page | (va & (CACHE_PAGE_SIZE - 1));
	if (!tc_fetch_lines_ok(m, e, UINT64_C(1) << ((pa & (CACHE_PAGE_SIZE - 1)) >> 6)))
		return 0;
	*pa_out = pa;
	if (res)
		tc_result(e, va, pa, res);
	return ++m->seq; /* the event model_step would have counted */
}

void model_report(struct model *m, struct hazard *hz)
{
	hz->seq = m->seq;
	if (!hz->fold_key)
		hz->fold_key = hash64(hz->cls, hz->pc);
	if (!hz->rule)
		hz->rule = class_rule(hz->cls);
	emit_hazard(m, hz);
}

uint64_t model_seq(const struct model *m)
{
	return m->seq;
}

uint64_t model_sysreg(const struct model *m, unsigned cpu, enum sysreg_id r)
{
	return m->cpu[cpu].sr.eff[r];
}

unsigned model_cpu_el(const struct model *m, unsigned cpu)
{
	return m->cpu[cpu].el;
}

enum model_line_state model_line_state(struct model *m, uint64_t pa)
{
	struct cache_page *pg = cache_page_find(m->c, pa);
	uint64_t lm = cache_line_mask(pa & CACHE_LINE_MASK, CACHE_LINE_SIZE);
	if (!pg || !(pg->dirty & lm))
		return MODEL_LINE_CLEAN;
	uint8_t poc[CACHE_LINE_SIZE], cur[CACHE_LINE_SIZE];
	uint64_t l = pa & CACHE_LINE_MASK;
	/* Bytes that cannot be read cannot be shown equal. */
	if (!cache_read(m->c, CV_POC, l, poc, sizeof(poc)) ||
	    !cache_read(m->c, CV_LATEST, l, cur, sizeof(cur)) || memcmp(poc, cur, sizeof(poc)))
		return MODEL_LINE_DIRTY_DIFFERS;
	return MODEL_LINE_DIRTY_SAME;
}

bool model_regime_cfg(const struct model *m, unsigned cpu, uint64_t va, struct pt_cfg *cfg,
                      struct fault *f)
{
	const struct cpu *c = &m->cpu[cpu];
	enum regime rg = regime_of(c->el);
	struct tlb_regs r = regs_of(&c->sr, rg, 0);
	memset(f, 0, sizeof(*f));
	if (!(r.sctlr & SCTLR_ELx_M))
		return false;
	return pt_cfg_from_regs(rg, r.sctlr, r.tcr, r.ttbr0, r.ttbr1, r.mair, va, cfg, f);
}

/* ---- digest (digest.h) ---- */

/*
 * The registers, the translation cache, the pending maintenance, then the cache lines and
 * the TLB (cache_digest, tlb_digest). Left out: gen (only compared with the translation
 * cache entries' gen, and an entry whose gen is not the current one is rewritten by
 * tc_fill and refused by the fast path, as an empty entry would be: so only valid entries
 * are hashed, without their gen); the MSR causes (sr.wcause: report text and fold keys);
 * nhz and ev (per event); the dirty state of lines cfg->skip_line takes out (digest.h),
 * with their pending DCs by VA.
 *
 * Pending maintenance: the entries that act on every line (set/way, IC IALLU[IS]) in their
 * order; each entry by VA as a part of its own, with its rank among the entries on its
 * line and the number of whole-cache entries before it (the order complete_maint and
 * apply_ic act in matters only there). An entry by VA is offered to skip_line with its
 * line: when it completes it reads and changes nothing but that line's dirty or I-cache
 * state, and the other readers of the list (maint_pending_on: the class of an outcome of
 * an access to the line, or of a walk that read it through a view) look at the line too.
 * No line is offered while a DC by set/way is pending: it will act on every line.
 */
uint64_t model_digest(const struct model *m, const struct model_digest_cfg *cfg)
{
	struct dg d = dg_start(0x6d6f64656c);
	dg_u64(&d, m->cfg.ncpus);
	dg_u64(&d, m->cfg.tlb_policy);
	dg_u64(&d, m->cfg.ctr_idc);
	dg_u64(&d, m->cfg.ctr_dic);
	dg_u64(&d, m->cfg.feat_ets);
	dg_u64(&d, m->cfg.wb_policy);
	dg_u64(&d, m->cfg.wb_seed);
	dg_time(&d, cfg, m->seq);
	dg_u64(&d, m->stores_pending);
	uint64_t g = cur_gen(m);
	for (unsigned i = 0; i < m->cfg.ncpus; i++) {
		const struct cpu *c = &m->cpu[i];
		dg_u64(&d, c->el);
		dg_u64(&d, c->up);
		dg_u64(&d, c->ctx_dirty);
		for (unsigned r = 0; r < SR_COUNT; r++) {
			dg_u64(&d, c->sr.eff[r]);
			dg_u64(&d, c->sr.latest[r]);
		}
		dg_u64(&d, c->sr.pending);
		for (unsigned k = 0; k < TC_SIZE; k++) {
			const struct tc_entry *e = &c->tc[k];
			if (!e->vpage || e->gen != g)
				continue;
			dg_u64(&d, k);
			dg_u64(&d, e->vpage);
			dg_u64(&d, e->pa_page);
			dg_u64(&d, e->block_size);
			dg_u64(&d, e->leaf_desc);
			dg_u64(&d, e->attrs.mair_attr);
			dg_u64(&d, e->attrs.inner);
			dg_u64(&d, e->attrs.outer);
			dg_u64(&d, e->attrs.sh);
			dg_u64(&d, (uint64_t)(int64_t)e->level);
			dg_u64(&d, e->el);
			dg_u64(&d, e->ok);
			dg_u64(&d, (uint64_t)e->mmu_on | (uint64_t)e->dcache << 1 |
			               (uint64_t)e->wb << 2 | (uint64_t)e->icache << 3 |
			               (uint64_t)e->strict_align << 4 | (uint64_t)e->ro << 5 |
			               (uint64_t)e->el0 << 6 | (uint64_t)e->xn << 7 |
			               (uint64_t)e->pxn << 8 | (uint64_t)e->ng << 9 |
			               (uint64_t)e->contiguous << 10 | (uint64_t)e->af << 11);
			/* e->pg is the record of pa_page (tc_fill). */
		}
	}
	bool setway = false;
	unsigned nall = 0;
	uint64_t parts = 0;
	for (unsigned i = 0; i < m->npm; i++) {
		const struct pend_maint *p = &m->pm[i];
		if (p->all)
			setway |= p->kind == EV_DC;
	}
	for (unsigned i = 0; i < m->npm; i++) {
		const struct pend_maint *p = &m->pm[i];
		struct dg e = dg_start(p->all ? 0x706d616c6c : 0x706d);
		dg_u64(&e, p->cpu);
		dg_u64(&e, p->kind);
		dg_u64(&e, (uint64_t)(int64_t)p->op);
		dg_u64(&e, p->pa);
		dg_u64(&e, p->done);
		dg_time(&e, cfg, p->seq);
		dg_u64(&e, p->has_snap);
		if (p->has_snap)
			dg_bytes(&e, p->snap, sizeof(p->snap));
		if (p->all) {
			dg_u64(&d, nall++);
			dg_u64(&d, dg_end(&e));
			continue;
		}
		unsigned rank = 0;
		for (unsigned j = 0; j < i; j++)
			rank += !m->pm[j].all && m->pm[j].pa == p->pa;
		dg_u64(&e, rank);
		dg_u64(&e, nall);
		uint64_t part = dg_end(&e);
		if (cfg->skip_line && !setway && m->cfg.wb_policy == WB_ANY &&
		    cfg->skip_line(cfg->arg, p->pa,
		                   p->kind == EV_IC ? DG_LINE_ICACHE : DG_LINE_DATA, part))
			continue;
		parts += part;
	}
	dg_u64(&d, nall);
	return dg_end(&d) + parts + cache_digest(m->c, cfg, setway) + tlb_digest(m->t, cfg);
}

void model_footprint(const struct model *m, struct model_footprint *f)
{
	memset(f, 0, sizeof(*f));
	tlb_footprint(m->t, f);
	f->pending_maint = m->npm;
}

uint64_t model_shape(const struct model *m)
{
	struct dg d = dg_start(0x7368617065);
	unsigned nall = 0; /* entries by VA may be left out of the digest (model_digest) */
	for (unsigned i = 0; i < m->npm; i++)
		nall += m->pm[i].all;
	dg_u64(&d, nall);
	dg_u64(&d, m->stores_pending);
	for (unsigned i = 0; i < m->cfg.ncpus; i++) {
		dg_u64(&d, m->cpu[i].el);
		dg_u64(&d, m->cpu[i].sr.pending);
		dg_u64(&d, m->cpu[i].ctx_dirty);
	}
	uint64_t t[4];
	unsigned n = tlb_shape(m->t, t);
	for (unsigned i = 0; i < n; i++)
		dg_u64(&d, t[i]);
	return dg_end(&d);
}

void model_for_each_page(const struct model *m, void (*fn)(void *arg, uint64_t pa), void *arg)
{
	cache_for_each_page(m->c, fn, arg);
}

void model_observe_views(struct model *m, void (*fn)(void *arg, uint64_t pa, size_t len), void *arg)
{
	cache_set_observer(m->c, fn, arg);
}
