/*
 * checker_int.h - internals shared by the checker's files (checker*.c): its state, one
 * access's outcome set, and the stages check_access runs. Not part of model.h.
 *
 *   checker.c         contexts, exception entry, the public API (model.h), digest
 *   checker_access.c  one translation per context, outcome sets, check_access, fast path
 *   checker_data.c    data/cache outcomes of an access and its effects on lines
 *   checker_tlb.c     TLB outcomes of an access (entries a TLB may still hold)
 *   checker_maint.c   DC/IC maintenance, its completion, lost writes, break-before-make
 *   checker_report.c  hazards: rules, summaries, the report of an outcome set
 */
#ifndef HYPSIM_CHECKER_INT_H
#define HYPSIM_CHECKER_INT_H

#include "model.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "arch.h"
#include "cache.h"
#include "s2tlb.h"
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
#define SUMMARY_UNSYNCED                                                                           \
	"with no context synchronisation event since, the access may have been made before "      \
	"completed maintenance, a table store or a code store took effect for it"

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
	/* Through stage 2 (HCR_EL2.VM=1 at EL1/EL0): the IPA page of the translation. */
	bool s2_on;
	uint64_t ipa_page;
	/* The PA page holds stage 2 descriptors (s2tlb_table_page): a store goes to
	 * s2tlb_store. */
	bool s2_table;
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

/* A store to a line of a page code is fetched from: until every CPU that may fetch it has
 * had a context synchronisation event, its old bytes may still be executed (DESIGN §3
 * "Modified code"; B2.2.5 concurrent modification and execution of instructions). */
struct code_store {
	uint64_t line; /* PA of the line */
	uint64_t seq;
	struct hz_cause cause;
	uint8_t old[CACHE_LINE_SIZE];
};
#define MAX_CODE_STORES 4096

struct cpu {
	unsigned el;
	bool up;
	bool ctx_dirty; /* an MSR since the last context synchronisation */
	uint64_t last_cse; /* event of the last context synchronisation (or reset) */
	struct sr_file sr;
	struct tc_entry tc[TC_SIZE];
};

struct model {
	struct model_cfg cfg;
	struct mem_ops mem;
	struct cache *c;
	struct tlb *t;
	struct s2tlb *s2;      /* stage 2 of EL1&0: its TLB entries and hazards */
	const uint64_t *tgen;  /* tlb_gen(t), read without a call */
	const unsigned *tpend; /* TLBIs issued, not completed */
	uint64_t seq, gen;
	struct cpu cpu[MODEL_MAX_CPUS];
	struct pend_maint *pm;
	unsigned npm, cappm;
	struct code_store *cs;
	unsigned ncs, capcs;
	unsigned nhz;        /* hazards of the current event */
	struct tlb_cand at_now[MAX_CANDS]; /* ck_tlb_alternatives: the entries present now */
	bool stores_pending; /* table stores for tlb_finalize at the next event */
	const struct model_event *ev;
	/* "writeback=never", "writeback=random:SEED": hazard.decided_by */
	char wb_label[48];
};

/* ---------- helpers ---------- */

/* Stage 2 may be in force for an access of c at EL1/EL0: HCR_EL2.VM in its latest or its
 * synchronised value (the old one matters until the ISB: s2tlb_access). */
static inline bool ck_s2_possible(const struct sr_file *f, unsigned el)
{
	return el < 2 && ((f->latest[SR_HCR_EL2] | f->eff[SR_HCR_EL2]) & HCR_EL2_VM);
}

static inline struct hz_cause cause_of(const struct model *m, const struct model_event *ev,
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

static inline enum regime regime_of(unsigned el)
{
	return el == 2 ? REGIME_EL2 : REGIME_EL10;
}

static inline struct tlb_regs regs_of(const struct sr_file *f, enum regime rg, uint32_t combo)
{
	struct tlb_regs r = {.regime = rg};
	if (rg == REGIME_EL2) {
		r.sctlr = sr_ctx_value(f, rg, combo, SR_SCTLR_EL2);
		r.tcr = sr_ctx_value(f, rg, combo, SR_TCR_EL2);
		r.ttbr0 = sr_ctx_value(f, rg, combo, SR_TTBR0_EL2);
		r.mair = sr_ctx_value(f, rg, combo, SR_MAIR_EL2);
	} else {
		r.sctlr = sr_ctx_value(f, rg, combo, SR_SCTLR_EL1);
		r.s2 = (f->latest[SR_HCR_EL2] & HCR_EL2_VM) != 0;
		r.tcr = sr_ctx_value(f, rg, combo, SR_TCR_EL1);
		r.ttbr0 = sr_ctx_value(f, rg, combo, SR_TTBR0_EL1);
		r.ttbr1 = sr_ctx_value(f, rg, combo, SR_TTBR1_EL1);
		r.mair = sr_ctx_value(f, rg, combo, SR_MAIR_EL1);
	}
	return r;
}

static inline uint64_t hash64(uint64_t a, uint64_t b)
{
	uint64_t h = a * UINT64_C(0x9e3779b97f4a7c15) ^ (b + UINT64_C(0x632be59bd9b4e019));
	h ^= h >> 29;
	h *= UINT64_C(0xbf58476d1ce4e5b9);
	return h ^ (h >> 32);
}

static inline uint64_t cur_gen(const struct model *m)
{
	return m->gen + *m->tgen;
}

static inline void bump(struct model *m)
{
	m->gen++;
}

/* ---------- one translation in one context ---------- */

struct xlat {
	bool mmu_on;
	struct pt_cfg cfg;
	struct walk_result tr;
	struct fault fault; /* coherent fault incl. permission and alignment */
	bool dcache, wb, icache, device;
	bool strict_align; /* Device memory or SCTLR.A: unaligned data accesses fault */
	/* HCR_EL2.VM=1 at EL1/EL0: tr is the stage 1 walk with oa the PA after stage 2, its
	 * steps at the PAs stage 2 gives their IPAs; fault includes both stages. */
	bool s2_on;
	uint64_t ipa;
	struct s12_fault f12;
	struct s2_cfg s2cfg;
};

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

struct alt {
	enum hz_class cls;
	struct obs o;
	struct hz_cause cause;
	char text[128];
	/* The write-back policy makes this the one outcome (WB_NEVER, WB_RANDOM): what the
	 * access then does, for the report's summary; NULL when it is one possibility. */
	const char *decided;
	/* The report's summary when not the class's own (class_summary): missing-isb for a
	 * state other than register values (TLBI, table store, modified code). */
	const char *summary;
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
	    !(e->ok & (1u << acc)) || c->sr.pending || *m->tpend || m->cfg.full_check)
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
	if (pg->cstore & lines)
		return false; /* modified code: ck_code_alternatives */
	if (!e->icache)
		return !(pg->dirty & lines);
	if (m->cfg.ctr_dic)
		return !(pg->dirty_pou & lines);
	return (pg->ivalid & lines) == lines && !(pg->imod & lines);
}


/* checker.c */
void ck_update_contexts(struct model *m, unsigned cpu, bool synced);
void ck_context_sync(struct model *m, unsigned cpu);

/* checker_access.c */
void ck_finish_attrs(struct xlat *x, uint64_t sctlr, enum access_type acc, uint64_t va,
                     unsigned size, bool zva);
void ck_translate_ctx(const struct model *m, const struct sr_file *f, unsigned el,
                      uint32_t combo, enum access_type acc, uint64_t va, unsigned size,
                      bool zva, const struct mem_ops *ops, struct xlat *x);
void ck_obs_fill(struct obs *o, const uint8_t *buf, unsigned size);
bool ck_obs_equal(const struct obs *a, const struct obs *b);
uint64_t ck_obs_value(const struct obs *o);
void ck_observe(struct acc_ctx *a, const struct xlat *x, enum cache_view v, struct obs *o);
enum cache_view ck_read_view(const struct acc_ctx *a, const struct xlat *x);
struct alt *ck_add_alt(struct acc_ctx *a, enum hz_class cls, const struct obs *o,
                       const struct hz_cause *cause, const char *fmt_extra);
void ck_decide(const struct model *m, struct alt *t, const char *what);
uint64_t ck_access_instant(const struct model *m, const struct cpu *c, enum regime rg);
void ck_check_access(struct model *m, const struct model_event *ev, enum access_type acc,
                     uint64_t va, unsigned size, bool zva, struct model_step_result *res);
void ck_tc_result(const struct tc_entry *e, uint64_t va, uint64_t pa,
                  struct model_step_result *res);
bool ck_fast_access(struct model *m, const struct model_event *ev, enum access_type acc,
                    uint64_t va, unsigned size, struct model_step_result *res);

/* checker_data.c */
bool ck_maint_pending_on(const struct model *m, uint64_t pa, bool clean_only);
bool ck_range_pending(const struct model *m, uint64_t pa, unsigned size);
void ck_data_alternatives(struct acc_ctx *a);
void ck_code_alternatives(struct acc_ctx *a, const struct cpu *c);
void ck_code_prune(struct model *m);
void ck_data_effects(struct model *m, const struct model_event *ev, enum access_type acc,
                     const struct xlat *x, uint64_t pa, unsigned size, bool is_store,
                     const uint8_t *bytes);

/* checker_tlb.c */
void ck_tlb_alternatives(struct acc_ctx *a, struct cpu *c, enum regime rg, bool zva);

/* checker_maint.c */
void ck_evict_due(struct model *m);
void ck_do_dc(struct model *m, const struct model_event *ev, struct model_step_result *res);
void ck_do_ic(struct model *m, const struct model_event *ev, struct model_step_result *res);
void ck_complete_maint(struct model *m, unsigned cpu, enum barrier_domain dom);
void ck_apply_ic(struct model *m, unsigned cpu);
void ck_on_bbm(void *arg, const struct tlb_bbm *b);

/* checker_report.c */
void ck_emit_hazard(struct model *m, struct hazard *hz);
void ck_hz_init(struct model *m, struct hazard *hz, enum hz_class cls, const char *rule);
const char *ck_class_rule(enum hz_class c);
void ck_report_alts(struct acc_ctx *a);

/* The stage 2 features of the modelled CPU: the A72's, with the configured PA size. */
static inline struct s2_features ck_s2_features(const struct model *m)
{
	struct s2_features f = S2_FEATURES_A72;
	f.pa_bits = m->cfg.pa_bits;
	return f;
}

#endif
