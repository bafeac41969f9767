/*
 * s2tlb.c - the stage 2 side of the EL1&0 TLBs and its hazards. Contract in s2tlb.h.
 *
 * A version is an old value of a descriptor of some context's live stage 2 tables. Whether
 * an access may still use it is a state (enum vstate), computed per route by which the TLB
 * could supply it: a stage-2-only entry (leaf, or walk-cache for tables), a combined entry
 * (VA -> PA, leaf), or a fresh walk that reads the old value because the store is not yet
 * visible to it. The state of a path of the walk is the least of its versions' (every one
 * of them is needed), the state of an outcome the greatest of its routes' (any one will do).
 */
#include "s2tlb.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"

#define T_INF         UINT64_MAX
#define MAX_CTX       16
#define MAX_TABLES    16384 /* tracked stage 2 tables: 32 GiB mapped with 4K pages */
#define MAX_CANDS     16
#define IPA_PAGE_MASK ((UINT64_C(1) << 36) - 1) /* IPAS2*: IPA[47:12] in Xt[35:0] */
#define VA_PAGE_MASK  ((UINT64_C(1) << 44) - 1) /* VA[55:12] in Xt[43:0] */

#define RULE_S2_TLB                                                                                \
	"Arm ARM D8.13 (TLB maintenance: IPAS2E1, IPAS2LE1, VMALLS12E1, VMALLE1, ALLE1 scope), "   \
	"D8.13.x TLBI completion by DSB"
#define RULE_S2_BBM "Arm ARM D8.14.1 (break-before-make), stage 2 translation table entries"
#define RULE_S2_ISB "Arm ARM D1.x (context synchronization): HCR_EL2, VTCR_EL2, VTTBR_EL2 writes"

/* How an old value may still be used, weakest first (the class of its hazard). */
enum vstate {
	VS_DEAD = 0,   /* removed for sure */
	VS_UNSYNC = 1, /* only a completed TLBI / visible store not yet synchronised: missing-isb */
	VS_NODSB = 2, /* only a TLBI not completed, or issued before the store's DSB: missing-dsb */
	VS_LIVE = 3,  /* no TLBI covers it: stale-tlb */
	VS_CUR = 4,   /* the current value (no constraint) */
};

enum tk { TK_IPA, TK_S12_ALL, TK_S1_ALL, TK_ALL, TK_VA, TK_ASID };

struct tlbi {
	enum tk kind;
	unsigned issuer;
	bool is, leaf_only, all_asid;
	uint16_t vmid, asid;
	uint64_t page; /* IPA or VA page number */
	uint64_t issue, done;
	struct hz_cause cause;
};

struct s2ctx {
	uint16_t vmid;
	uint64_t vtcr, vttbr;
};

struct table {
	uint64_t pa;
	unsigned nentries;
	int level;
	uint64_t ipa_base;
	uint16_t vmid;
	unsigned g;
};

struct version {
	uint64_t desc_pa, value;
	int level;
	uint64_t ipa_base, size;
	uint16_t vmid;
	unsigned g;
	bool live; /* the value was current while stage 2 may have been on */
	unsigned storer;
	uint64_t end_store;    /* the store that replaced it */
	uint64_t end_vis;      /* the storer's DSB that made that store visible (T_INF: none) */
	struct hz_cause cause; /* the store */
};

struct since {
	uint64_t desc_pa, from;
};

struct held_bbm {
	struct hazard hz;
	unsigned version;
};

struct s2cpu {
	uint64_t eff[S2R_COUNT], latest[S2R_COUNT];
	unsigned pending; /* bit per enum s2_reg */
	struct hz_cause wcause[S2R_COUNT];
	uint64_t last_cse;
	uint64_t reset; /* its last reset (CPU_ON): its TLB was empty then */
};

struct s2tlb {
	struct s2tlb_cfg cfg;
	struct mem_ops mem;
	struct s2cpu cpu[MODEL_MAX_CPUS];
	struct s2ctx ctx[MAX_CTX];
	unsigned nctx;
	struct table *tab;
	unsigned ntab, captab;
	bool tab_dirty;
	struct version *ver;
	unsigned nver, capver;
	struct since *snc;
	unsigned nsnc, capsnc;
	struct tlbi *tl;
	unsigned ntl, captl;
	struct held_bbm *held;
	unsigned nheld, capheld;
	uint64_t last_on; /* latest event at which stage 2 may have been on on some CPU */
};

#define GROW(arr, n, cap)                                                                          \
	do {                                                                                       \
		if ((n) == (cap)) {                                                                \
			(cap) = (cap) ? (cap)*2 : 16;                                              \
			(arr) = realloc((arr), (cap) * sizeof(*(arr)));                            \
			assert(arr);                                                               \
		}                                                                                  \
	} while (0)

static struct hz_cause mkcause(unsigned cpu, uint64_t seq, uint64_t pc, enum ev_kind k,
                               const char *what)
{
	struct hz_cause c;
	memset(&c, 0, sizeof(c));
	c.seq = seq;
	c.cpu = cpu;
	c.pc = pc;
	c.kind = k;
	snprintf(c.what, sizeof(c.what), "%s", what);
	return c;
}

struct s2tlb *s2tlb_new(const struct s2tlb_cfg *cfg, const struct mem_ops *mem)
{
	struct s2tlb *t = calloc(1, sizeof(*t));
	assert(t && cfg->ncpus >= 1 && cfg->ncpus <= MODEL_MAX_CPUS);
	t->cfg = *cfg;
	t->mem = *mem;
	return t;
}

void s2tlb_free(struct s2tlb *t)
{
	if (!t)
		return;
	free(t->tab);
	free(t->ver);
	free(t->snc);
	free(t->tl);
	free(t->held);
	free(t);
}

void s2tlb_counts(const struct s2tlb *t, struct s2tlb_counts *c)
{
	c->contexts = t->nctx;
	c->tables = t->ntab;
	c->versions = t->nver;
	c->tlbis = t->ntl;
}

uint64_t s2tlb_reg(const struct s2tlb *t, unsigned cpu, enum s2_reg r)
{
	return t->cpu[cpu].eff[r];
}

/* Register values of combination k: bit j of k takes the old (synchronised) value of the
 * j-th pending register; k = 0 is the latest values, the coherent context. */
static void combo_regs(const struct s2cpu *c, unsigned k, uint64_t out[S2R_COUNT],
                       unsigned *old_reg)
{
	unsigned j = 0;
	*old_reg = S2R_COUNT;
	for (unsigned r = 0; r < S2R_COUNT; r++) {
		out[r] = c->latest[r];
		if (!(c->pending & (1u << r)))
			continue;
		if ((k >> j++) & 1) {
			out[r] = c->eff[r];
			*old_reg = r;
		}
	}
}

/* ---------- contexts and tracked tables ---------- */

static void track_table(struct s2tlb *t, uint64_t pa, unsigned n, int level, uint64_t ipa_base,
                        uint16_t vmid, unsigned g)
{
	if (t->ntab >= MAX_TABLES)
		return; /* tables shared by many entries (not a real layout): track no more */
	for (unsigned i = 0; i < t->ntab; i++)
		if (t->tab[i].pa == pa && t->tab[i].vmid == vmid && t->tab[i].level == level &&
		    t->tab[i].ipa_base == ipa_base)
			return;
	GROW(t->tab, t->ntab, t->captab);
	t->tab[t->ntab++] = (struct table){pa, n, level, ipa_base, vmid, g};
	if (level == 3)
		return;
	unsigned shift = g + (unsigned)(3 - level) * (g - 3);
	for (unsigned i = 0; i < n; i++) {
		uint64_t d;
		if (!mem_read64(&t->mem, pa + 8 * (uint64_t)i, &d))
			return;
		if (pt_desc_classify(d, level, g) != DESC_IS_TABLE)
			continue;
		track_table(t, pt_desc_oa(d, g), 1u << (g - 3), level + 1,
		            ipa_base + ((uint64_t)i << shift), vmid, g);
	}
}

/* The tables of every context (a superset of what is live: contexts are never dropped). */
static void retrack(struct s2tlb *t)
{
	if (!t->tab_dirty)
		return;
	t->ntab = 0;
	for (unsigned i = 0; i < t->nctx; i++) {
		struct s2_cfg c;
		s2_cfg_from_regs(t->ctx[i].vtcr, t->ctx[i].vttbr, t->cfg.feat, &c);
		if (!c.sl_ok)
			continue;
		unsigned shift =
		    c.granule_shift + (unsigned)(3 - c.start_level) * (c.granule_shift - 3);
		track_table(t, c.root, 1u << (c.ia_bits - shift), c.start_level, 0, c.vmid,
		            c.granule_shift);
	}
	t->tab_dirty = false;
}

static enum vstate cached_state(const struct s2tlb *t, unsigned cpu, const struct version *v,
                                bool combined, uint64_t va, bool ng, uint16_t asid, bool at_enable);

static void report(struct s2tlb *t, struct hazard *hz)
{
	if (t->cfg.on_hazard)
		t->cfg.on_hazard(t->cfg.hazard_arg, hz);
}

/* Held-back bbm: reported now that stage 2 may be on again, if the old value may still be
 * cached on some CPU (D8.14.1: with stage 2 off nothing could look both values up). */
static void recheck_held(struct s2tlb *t)
{
	for (unsigned i = 0; i < t->nheld; i++) {
		const struct version *v = &t->ver[t->held[i].version];
		bool alive = false;
		for (unsigned c = 0; c < t->cfg.ncpus && !alive; c++)
			alive = cached_state(t, c, v, false, 0, true, 0, true) > VS_DEAD ||
			        cached_state(t, c, v, true, 0, true, 0, true) > VS_DEAD;
		if (alive)
			report(t, &t->held[i].hz);
	}
	t->nheld = 0;
}

/* Open the contexts of cpu's combinations with HCR_EL2.VM=1. */
static void open_contexts(struct s2tlb *t, unsigned cpu, uint64_t seq)
{
	const struct s2cpu *c = &t->cpu[cpu];
	unsigned n = 1u << __builtin_popcount(c->pending);
	bool opened = false;
	for (unsigned k = 0; k < n; k++) {
		uint64_t r[S2R_COUNT];
		unsigned old;
		combo_regs(c, k, r, &old);
		if (!(r[S2R_HCR_EL2] & HCR_EL2_VM))
			continue;
		t->last_on = seq;
		opened = true;
		struct s2ctx x = {s2_vmid(r[S2R_VTCR_EL2], r[S2R_VTTBR_EL2], t->cfg.feat),
		                  r[S2R_VTCR_EL2], r[S2R_VTTBR_EL2]};
		bool found = false;
		for (unsigned i = 0; i < t->nctx && !found; i++)
			found = t->ctx[i].vmid == x.vmid && t->ctx[i].vtcr == x.vtcr &&
			        t->ctx[i].vttbr == x.vttbr;
		if (found)
			continue;
		if (t->nctx == MAX_CTX) /* the oldest goes: its tables are no longer tracked */
			memmove(t->ctx, t->ctx + 1, (MAX_CTX - 1) * sizeof(*t->ctx)), t->nctx--;
		t->ctx[t->nctx++] = x;
		t->tab_dirty = true;
	}
	if (opened && t->nheld)
		recheck_held(t);
}

static bool any_on(const struct s2tlb *t)
{
	for (unsigned i = 0; i < t->cfg.ncpus; i++) {
		const struct s2cpu *c = &t->cpu[i];
		if ((c->eff[S2R_HCR_EL2] | c->latest[S2R_HCR_EL2]) & HCR_EL2_VM)
			return true;
	}
	return false;
}

void s2tlb_msr(struct s2tlb *t, unsigned cpu, enum s2_reg r, uint64_t value, uint64_t seq,
               uint64_t pc)
{
	static const char *names[S2R_COUNT] = {"HCR_EL2", "VTCR_EL2", "VTTBR_EL2"};
	struct s2cpu *c = &t->cpu[cpu];
	char what[96];
	c->latest[r] = value;
	if (value == c->eff[r]) {
		c->pending &= ~(1u << r);
		return;
	}
	c->pending |= 1u << r;
	snprintf(what, sizeof(what), "MSR %s, 0x%" PRIx64 " not yet synchronised", names[r], value);
	c->wcause[r] = mkcause(cpu, seq, pc, EV_SYSREG, what);
	open_contexts(t, cpu, seq);
}

static enum vstate fresh_state(const struct s2tlb *t, unsigned cpu, const struct version *v);

/* Forget the old values no CPU can use any more (removed by completed, synchronised TLBIs,
 * and visible to every walker), and the TLBIs once no old value is left: what is kept does
 * not grow with the length of the run. Combined entries are asked for as global entries of
 * VA 0, so a VA-form TLBI never counts here (a value may be kept longer than needed). */
static void prune(struct s2tlb *t)
{
	unsigned j = 0;
	for (unsigned i = 0; i < t->nver; i++) {
		const struct version *v = &t->ver[i];
		bool keep = false;
		for (unsigned c = 0; c < t->cfg.ncpus && !keep; c++)
			keep = fresh_state(t, c, v) > VS_DEAD ||
			       cached_state(t, c, v, false, 0, false, 0, false) > VS_DEAD ||
			       cached_state(t, c, v, true, 0, false, 0, false) > VS_DEAD;
		for (unsigned h = 0; h < t->nheld && !keep; h++)
			keep = t->held[h].version == i;
		if (!keep)
			continue;
		for (unsigned h = 0; h < t->nheld; h++)
			if (t->held[h].version == i)
				t->held[h].version = j;
		t->ver[j++] = t->ver[i];
	}
	t->nver = j;
	if (!t->nver)
		t->ntl = 0;
}

void s2tlb_csync(struct s2tlb *t, unsigned cpu, uint64_t seq)
{
	struct s2cpu *c = &t->cpu[cpu];
	memcpy(c->eff, c->latest, sizeof(c->eff));
	c->pending = 0;
	c->last_cse = seq;
	open_contexts(t, cpu, seq);
	if (t->nver)
		prune(t);
}

void s2tlb_cpu_reset(struct s2tlb *t, unsigned cpu, uint64_t hcr, uint64_t vtcr, uint64_t vttbr,
                     uint64_t seq)
{
	struct s2cpu *c = &t->cpu[cpu];
	c->eff[S2R_HCR_EL2] = c->latest[S2R_HCR_EL2] = hcr;
	c->eff[S2R_VTCR_EL2] = c->latest[S2R_VTCR_EL2] = vtcr;
	c->eff[S2R_VTTBR_EL2] = c->latest[S2R_VTTBR_EL2] = vttbr;
	c->pending = 0;
	c->last_cse = seq;
	c->reset = seq;
	open_contexts(t, cpu, seq);
}

bool s2tlb_active(const struct s2tlb *t)
{
	return t->nctx != 0;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + UINT64_C(0x9e3779b97f4a7c15) + (h << 6) + (h >> 2);
	return h * UINT64_C(0xbf58476d1ce4e5b9);
}

static uint64_t rel(uint64_t t, uint64_t now)
{
	return t == T_INF ? T_INF : now - t;
}

uint64_t s2tlb_digest(const struct s2tlb *t, uint64_t now)
{
	if (!t->nctx)
		return 0;
	uint64_t h = 0x7332746c62;
	for (unsigned i = 0; i < t->nctx; i++)
		h = mix(mix(mix(h, t->ctx[i].vmid), t->ctx[i].vtcr), t->ctx[i].vttbr);
	for (unsigned i = 0; i < t->cfg.ncpus; i++)
		h = mix(mix(h, t->cpu[i].pending), rel(t->cpu[i].last_cse, now));
	for (unsigned i = 0; i < t->nver; i++) {
		const struct version *v = &t->ver[i];
		h = mix(mix(mix(h, v->desc_pa), v->value), v->vmid);
		h = mix(mix(mix(h, v->live), rel(v->end_store, now)), rel(v->end_vis, now));
	}
	for (unsigned i = 0; i < t->ntl; i++) {
		const struct tlbi *r = &t->tl[i];
		h = mix(mix(mix(h, r->kind), r->page), r->vmid);
		h = mix(mix(h, rel(r->issue, now)), rel(r->done, now));
	}
	return mix(h, t->nheld);
}

/* ---------- stores ---------- */

static uint64_t since_of(const struct s2tlb *t, uint64_t desc_pa)
{
	for (unsigned i = 0; i < t->nsnc; i++)
		if (t->snc[i].desc_pa == desc_pa)
			return t->snc[i].from;
	return 0;
}

static void set_since(struct s2tlb *t, uint64_t desc_pa, uint64_t from)
{
	for (unsigned i = 0; i < t->nsnc; i++)
		if (t->snc[i].desc_pa == desc_pa) {
			t->snc[i].from = from;
			return;
		}
	GROW(t->snc, t->nsnc, t->capsnc);
	t->snc[t->nsnc++] = (struct since){desc_pa, from};
}

static uint64_t level_size(int level, unsigned g)
{
	return UINT64_C(1) << (g + (unsigned)(3 - level) * (g - 3));
}

bool s2tlb_store(struct s2tlb *t, unsigned cpu, uint64_t pa, uint64_t value, uint64_t seq,
                 uint64_t pc)
{
	uint64_t old;
	bool hit = false, on = any_on(t);
	if (on)
		t->last_on = seq;
	if (!t->nctx || (pa & 7) || !mem_read64(&t->mem, pa, &old) || old == value)
		return false;
	retrack(t);
	unsigned ntab = t->ntab;
	for (unsigned i = 0; i < ntab; i++) {
		const struct table *tb = &t->tab[i];
		if (pa < tb->pa || pa >= tb->pa + 8 * (uint64_t)tb->nentries)
			continue;
		hit = true;
		struct version v;
		memset(&v, 0, sizeof(v));
		v.desc_pa = pa;
		v.value = old;
		v.level = tb->level;
		v.size = level_size(tb->level, tb->g);
		v.ipa_base = tb->ipa_base + (pa - tb->pa) / 8 * v.size;
		v.vmid = tb->vmid;
		v.g = tb->g;
		v.live = on || since_of(t, pa) <= t->last_on;
		v.storer = cpu;
		v.end_store = seq;
		v.end_vis = T_INF;
		char what[96];
		snprintf(what, sizeof(what),
		         "stage 2 descriptor at 0x%" PRIx64 " (IPA 0x%" PRIx64
		         ", VMID %u) was 0x%" PRIx64,
		         pa, v.ipa_base, (unsigned)v.vmid, old);
		v.cause = mkcause(cpu, seq, pc, EV_STORE, what);
		GROW(t->ver, t->nver, t->capver);
		t->ver[t->nver++] = v;
		if (!v.live || !s2_bbm_needed(old, value, v.level, v.g))
			continue;
		/* D8.14.1: a valid -> valid change that needs a break, of a value that may be
		 * cached. */
		struct hazard hz;
		memset(&hz, 0, sizeof(hz));
		hz.cls = HZ_BBM;
		hz.cpu = cpu;
		hz.seq = seq;
		hz.pc = pc;
		hz.ev = EV_STORE;
		hz.has_va = false;
		hz.acc = ACC_WRITE;
		snprintf(hz.summary, sizeof(hz.summary),
		         "stage 2 descriptor of IPA 0x%" PRIx64 " (VMID %u, level %d) changed from "
		         "0x%" PRIx64 " to 0x%" PRIx64 " without break-before-make",
		         v.ipa_base, (unsigned)v.vmid, v.level, old, value);
		hz.n_outcomes = 2;
		hz.outcomes[0].has_pa = true;
		hz.outcomes[0].pa = pa;
		snprintf(hz.outcomes[0].text, sizeof(hz.outcomes[0].text),
		         "new stage 2 descriptor 0x%016" PRIx64, value);
		hz.outcomes[0].cause = mkcause(cpu, seq, pc, EV_STORE, "the descriptor store");
		hz.outcomes[1].has_pa = true;
		hz.outcomes[1].pa = pa;
		snprintf(hz.outcomes[1].text, sizeof(hz.outcomes[1].text),
		         "old stage 2 descriptor 0x%016" PRIx64 " may still be in a TLB", old);
		hz.outcomes[1].cause = v.cause;
		hz.rule = RULE_S2_BBM;
		hz.fold_key = (pc * 31) ^ pa;
		if (on) {
			report(t, &hz);
		} else {
			GROW(t->held, t->nheld, t->capheld);
			t->held[t->nheld++] = (struct held_bbm){hz, t->nver - 1};
		}
	}
	if (hit) {
		set_since(t, pa, seq);
		t->tab_dirty = true; /* the store may add or remove a table */
	}
	return hit;
}

/* ---------- TLBI and DSB ---------- */

static uint16_t cur_vmid(const struct s2tlb *t, unsigned cpu)
{
	const struct s2cpu *c = &t->cpu[cpu];
	return s2_vmid(c->latest[S2R_VTCR_EL2], c->latest[S2R_VTTBR_EL2], t->cfg.feat);
}

void s2tlb_tlbi(struct s2tlb *t, unsigned cpu, enum tlbi_op op, uint64_t arg, uint64_t seq,
                uint64_t pc)
{
	struct tlbi r;
	memset(&r, 0, sizeof(r));
	switch (op) {
	case TLBI_IPAS2E1IS:
	case TLBI_IPAS2LE1IS:
	case TLBI_VMALLS12E1IS:
	case TLBI_VMALLE1IS:
	case TLBI_ALLE1IS:
	case TLBI_VAE1IS:
	case TLBI_VALE1IS:
	case TLBI_VAAE1IS:
	case TLBI_VAALE1IS:
	case TLBI_ASIDE1IS:
		r.is = true;
		break;
	default:
		break;
	}
	switch (op) {
	case TLBI_IPAS2E1:
	case TLBI_IPAS2E1IS:
	case TLBI_IPAS2LE1:
	case TLBI_IPAS2LE1IS:
		r.kind = TK_IPA;
		r.leaf_only = op == TLBI_IPAS2LE1 || op == TLBI_IPAS2LE1IS;
		r.page = arg & IPA_PAGE_MASK;
		break;
	case TLBI_VMALLS12E1:
	case TLBI_VMALLS12E1IS:
		r.kind = TK_S12_ALL;
		break;
	case TLBI_VMALLE1:
	case TLBI_VMALLE1IS:
		r.kind = TK_S1_ALL;
		break;
	case TLBI_ALLE1:
	case TLBI_ALLE1IS:
		r.kind = TK_ALL;
		break;
	case TLBI_VAE1:
	case TLBI_VAE1IS:
	case TLBI_VALE1:
	case TLBI_VALE1IS:
	case TLBI_VAAE1:
	case TLBI_VAAE1IS:
	case TLBI_VAALE1:
	case TLBI_VAALE1IS:
		r.kind = TK_VA;
		r.page = arg & VA_PAGE_MASK;
		r.asid = (uint16_t)(arg >> 48);
		r.all_asid = op == TLBI_VAAE1 || op == TLBI_VAAE1IS || op == TLBI_VAALE1 ||
		             op == TLBI_VAALE1IS;
		break;
	case TLBI_ASIDE1:
	case TLBI_ASIDE1IS:
		r.kind = TK_ASID;
		r.asid = (uint16_t)(arg >> 48);
		break;
	default:
		return; /* EL2 regime TLBIs: stage 1 of EL2, model/tlb.c's */
	}
	/* A TLBI matters only for old values replaced before it: with none recorded, neither
	 * it nor any earlier one can remove anything (stage 2 never on: nothing is kept). */
	if (!t->nver) {
		t->ntl = 0;
		return;
	}
	r.issuer = cpu;
	r.vmid = cur_vmid(t, cpu);
	r.issue = seq;
	r.done = T_INF;
	char what[96];
	snprintf(what, sizeof(what), "TLBI %s (VMID %u)", tlbi_op_name(op), (unsigned)r.vmid);
	r.cause = mkcause(cpu, seq, pc, EV_TLBI, what);
	GROW(t->tl, t->ntl, t->captl);
	t->tl[t->ntl++] = r;
}

void s2tlb_dsb(struct s2tlb *t, unsigned cpu, enum barrier_domain dom, enum barrier_type type,
               uint64_t seq)
{
	if (type == BAR_LD)
		return; /* B2.3.12: DSB LD completes neither stores nor TLBIs */
	for (unsigned i = 0; i < t->nver; i++)
		if (t->ver[i].storer == cpu && t->ver[i].end_vis == T_INF)
			t->ver[i].end_vis = seq;
	for (unsigned i = 0; i < t->ntl; i++) {
		struct tlbi *r = &t->tl[i];
		if (r->issuer == cpu && r->done == T_INF && (!r->is || dom != DOM_NSH))
			r->done = seq;
	}
}

/* ---------- what an access may use ---------- */

static bool covers(const struct tlbi *r, const struct version *v, bool combined, uint64_t va,
                   bool ng, uint16_t asid)
{
	if (r->kind == TK_ALL)
		return true;
	if (r->vmid != v->vmid)
		return false;
	switch (r->kind) {
	case TK_S12_ALL:
		return true;
	case TK_S1_ALL:
		return combined; /* stage 1 and combined entries only */
	case TK_IPA: {
		if (combined)
			return false; /* D8.13.x: IPAS2* need not remove combined entries */
		if (r->leaf_only && pt_desc_classify(v->value, v->level, v->g) == DESC_IS_TABLE)
			return false;
		uint64_t ipa = r->page << 12;
		return ipa >= v->ipa_base && ipa - v->ipa_base < v->size;
	}
	case TK_VA:
		return combined && ((va >> 12) & VA_PAGE_MASK) == r->page &&
		       (r->all_asid || !ng || r->asid == asid);
	case TK_ASID:
		return combined && ng && r->asid == asid;
	case TK_ALL:
		break;
	}
	return false;
}

/*
 * Whether cpu's TLB may still supply v through a stage-2-only or a combined entry.
 * at_enable: asked at the MSR that turns stage 2 on, which executes after the DSB that
 * completed earlier TLBIs (DESIGN §3): a completed TLBI then removes the entry for sure.
 */
static enum vstate cached_state(const struct s2tlb *t, unsigned cpu, const struct version *v,
                                bool combined, uint64_t va, bool ng, uint16_t asid, bool at_enable)
{
	if (!v->live || !(v->value & DESC_VALID))
		return VS_DEAD; /* faulting translations are never cached */
	if (v->end_store <= t->cpu[cpu].reset)
		return VS_DEAD; /* replaced before the CPU's reset: never in its TLB */
	if (!combined && pt_desc_classify(v->value, v->level, v->g) == DESC_RESERVED)
		return VS_DEAD;
	enum vstate st = VS_LIVE;
	for (unsigned i = 0; i < t->ntl; i++) {
		const struct tlbi *r = &t->tl[i];
		if ((!r->is && r->issuer != cpu) || r->issue < v->end_store ||
		    !covers(r, v, combined, va, ng, asid))
			continue;
		enum vstate s;
		if (v->end_vis == T_INF || r->issue < v->end_vis)
			s = VS_NODSB; /* a walk may re-cache the old value after the TLBI */
		else if (r->done == T_INF)
			s = VS_NODSB;
		else if (!at_enable && !t->cfg.feat_ets && t->cpu[cpu].last_cse < r->done)
			s = VS_UNSYNC;
		else
			return VS_DEAD;
		if (s < st)
			st = s;
	}
	return st;
}

/* Whether a fresh walk of cpu may read v (the store that replaced it not yet visible, or
 * visible after cpu's last context synchronisation: DESIGN §3 "One instant per access"). */
static enum vstate fresh_state(const struct s2tlb *t, unsigned cpu, const struct version *v)
{
	if (v->end_vis == T_INF)
		return VS_NODSB;
	if (!t->cfg.feat_ets && v->end_vis > t->cpu[cpu].last_cse)
		return VS_UNSYNC;
	return VS_DEAD;
}

struct cand {
	struct s2_override o;
	enum vstate st;
	struct hz_cause cause;
};

struct penum {
	struct s2tlb *t;
	unsigned cpu;
	const struct s2_cfg *cfg;
	uint64_t ipa, va;
	bool ng;
	uint16_t asid;
	struct cand out[MAX_CANDS];
	unsigned n;
};

static enum vstate vmin(enum vstate a, enum vstate b)
{
	return a < b ? a : b;
}

/* Visit the values of the descriptor for p->ipa in the table at table_pa: the current one
 * and the surviving old ones; st* are the path's states so far per route. */
static void enum_paths(struct penum *p, int level, uint64_t table_pa, enum vstate s2o,
                       enum vstate comb, enum vstate fresh, const struct hz_cause *cause)
{
	const struct s2_cfg *cfg = p->cfg;
	unsigned g = cfg->granule_shift;
	unsigned shift = g + (unsigned)(3 - level) * (g - 3);
	unsigned bits = level == cfg->start_level ? cfg->ia_bits - shift : g - 3;
	uint64_t desc_pa = table_pa + ((p->ipa >> shift) & ((UINT64_C(1) << bits) - 1)) * 8;
	uint64_t cur;

	for (int vi = -1; vi < (int)p->t->nver; vi++) {
		uint64_t val;
		enum vstate a = s2o, b = comb, c = fresh;
		const struct hz_cause *why = cause;
		if (vi < 0) {
			if (!mem_read64(&p->t->mem, desc_pa, &cur))
				return;
			val = cur;
		} else {
			const struct version *v = &p->t->ver[vi];
			if (v->desc_pa != desc_pa || v->vmid != cfg->vmid || v->level != level ||
			    p->ipa < v->ipa_base || p->ipa - v->ipa_base >= v->size)
				continue;
			a = vmin(
			    a, cached_state(p->t, p->cpu, v, false, p->va, p->ng, p->asid, false));
			b = vmin(b,
			         cached_state(p->t, p->cpu, v, true, p->va, p->ng, p->asid, false));
			c = vmin(c, fresh_state(p->t, p->cpu, v));
			if (a == VS_DEAD && b == VS_DEAD && c == VS_DEAD)
				continue;
			val = v->value;
			why = &v->cause;
		}
		enum desc_class cl = pt_desc_classify(val, level, g);
		if (cl == DESC_IS_TABLE && level < 3) {
			enum_paths(p, level + 1, pt_desc_oa(val, g), a, b, c, why);
			continue;
		}
		/* A leaf or a fault: a candidate unless the path is all current values. */
		enum vstate st = a > b ? a : b;
		if (c > st)
			st = c;
		if (st == VS_CUR || st == VS_DEAD || p->n == MAX_CANDS)
			continue;
		struct cand *k = &p->out[p->n++];
		memset(k, 0, sizeof(*k));
		k->st = st;
		k->cause = *why;
		k->o.size = level_size(level, g);
		k->o.ipa = p->ipa & ~(k->o.size - 1);
		if (cl == DESC_IS_BLOCK || cl == DESC_IS_PAGE) {
			s2_leaf_walk(cfg, k->o.ipa, level, val, &k->o.w);
		} else {
			k->o.w.ipa = k->o.ipa;
			k->o.w.level = (int8_t)level;
			k->o.w.fault.type = FAULT_TRANSLATION;
			k->o.w.fault.level = (int8_t)level;
		}
	}
}

static unsigned enum_ipa(struct s2tlb *t, unsigned cpu, const struct s2_cfg *cfg, uint64_t ipa,
                         uint64_t va, bool ng, uint16_t asid, struct cand *out)
{
	struct penum p;
	memset(&p, 0, sizeof(p));
	p.t = t;
	p.cpu = cpu;
	p.cfg = cfg;
	p.ipa = ipa;
	p.va = va;
	p.ng = ng;
	p.asid = asid;
	if (!cfg->sl_ok || (ipa >> cfg->ia_bits))
		return 0;
	enum_paths(&p, cfg->start_level, cfg->root, VS_CUR, VS_CUR, VS_CUR, NULL);
	memcpy(out, p.out, p.n * sizeof(*out));
	return p.n;
}

static bool same_outcome(const struct s12_result *a, const struct s12_result *b)
{
	if (a->fault.f.type != b->fault.f.type)
		return false;
	if (a->fault.f.type != FAULT_NONE)
		return a->fault.stage == b->fault.stage && a->fault.f.level == b->fault.f.level &&
		       a->fault.s1ptw == b->fault.s1ptw;
	return a->pa == b->pa;
}

static void outcome_text(const struct s12_result *r, char *buf, size_t len, const char *extra)
{
	if (r->fault.f.type != FAULT_NONE)
		snprintf(buf, len, "stage %u %s fault (level %d)%s, to EL%u%s%s",
		         (unsigned)r->fault.stage, pt_fault_name(r->fault.f.type), r->fault.f.level,
		         r->fault.s1ptw ? " on a stage 1 walk" : "", r->fault.target_el,
		         extra ? ", " : "", extra ? extra : "");
	else
		snprintf(buf, len, "IPA 0x%" PRIx64 " -> PA 0x%" PRIx64 "%s%s", r->ipa, r->pa,
		         extra ? ", " : "", extra ? extra : "");
}

struct accx {
	struct s2tlb *t;
	unsigned cpu;
	uint64_t va, seq, pc;
	enum access_type acc;
	const struct s12_result *co;
	struct s12_result seen[MAX_CANDS];
	unsigned nseen, nhz;
};

static void add_alt(struct accx *a, enum hz_class cls, const struct s12_result *alt,
                    const struct hz_cause *cause, const char *rule, const char *summary)
{
	if (same_outcome(alt, a->co))
		return;
	for (unsigned i = 0; i < a->nseen; i++)
		if (same_outcome(alt, &a->seen[i]))
			return;
	if (a->nseen < MAX_CANDS)
		a->seen[a->nseen++] = *alt;
	struct hazard hz;
	memset(&hz, 0, sizeof(hz));
	hz.cls = cls;
	hz.cpu = a->cpu;
	hz.seq = a->seq;
	hz.pc = a->pc;
	hz.ev = a->acc == ACC_FETCH   ? EV_FETCH
	        : a->acc == ACC_WRITE ? EV_STORE
	        : a->acc == ACC_READ  ? EV_LOAD
	                              : EV_DC;
	hz.has_va = true;
	hz.va = a->va;
	hz.acc = a->acc;
	snprintf(hz.summary, sizeof(hz.summary), "%s", summary);
	hz.n_outcomes = 2;
	struct hz_outcome *o = &hz.outcomes[0];
	o->fault = a->co->fault.f.type != FAULT_NONE;
	o->f = a->co->fault.f;
	o->has_pa = !o->fault;
	o->pa = a->co->pa;
	outcome_text(a->co, o->text, sizeof(o->text), "the current tables and registers");
	o = &hz.outcomes[1];
	o->fault = alt->fault.f.type != FAULT_NONE;
	o->f = alt->fault.f;
	o->has_pa = !o->fault;
	o->pa = alt->pa;
	outcome_text(alt, o->text, sizeof(o->text), cause->what);
	o->cause = *cause;
	hz.rule = rule;
	hz.fold_key = cause->seq * 31 + a->va;
	a->nhz++;
	report(a->t, &hz);
}

static enum hz_class class_of(enum vstate s)
{
	return s == VS_UNSYNC ? HZ_MISSING_ISB : s == VS_NODSB ? HZ_MISSING_DSB : HZ_STALE_TLB;
}

static const char *summary_of(enum vstate s)
{
	switch (s) {
	case VS_UNSYNC:
		return "stage 2: a completed TLBI or a visible stage 2 table store is not yet "
		       "followed by a context synchronisation event";
	case VS_NODSB:
		return "stage 2: a TLBI not completed by a DSB, or a stage 2 table store not made "
		       "visible by a DSB before the TLBI or the access";
	default:
		return "stage 2: a TLB may still hold a translation of an old stage 2 descriptor "
		       "(no TLBI of that scope since)";
	}
}

unsigned s2tlb_access(struct s2tlb *t, unsigned cpu, const struct s12_regs *s1, uint64_t va,
                      enum access_type acc, unsigned el, uint16_t asid, uint64_t seq, uint64_t pc,
                      struct s12_result *coherent)
{
	struct s2cpu *c = &t->cpu[cpu];
	struct s12_regs r = *s1;
	struct accx a;

	memset(&a, 0, sizeof(a));
	a.t = t;
	a.cpu = cpu;
	a.va = va;
	a.seq = seq;
	a.pc = pc;
	a.acc = acc;
	a.co = coherent;
	if (any_on(t))
		t->last_on = seq;
	r.hcr_el2 = c->latest[S2R_HCR_EL2];
	r.vtcr_el2 = c->latest[S2R_VTCR_EL2];
	r.vttbr_el2 = c->latest[S2R_VTTBR_EL2];
	s12_translate(&r, t->cfg.feat, &t->mem, va, acc, el, coherent);

	/* D1.x: old values of HCR_EL2 / VTCR_EL2 / VTTBR_EL2 not yet synchronised. */
	unsigned n = 1u << __builtin_popcount(c->pending);
	for (unsigned k = 1; k < n; k++) {
		uint64_t v[S2R_COUNT];
		unsigned old;
		struct s12_regs ro = r;
		struct s12_result alt;
		combo_regs(c, k, v, &old);
		ro.hcr_el2 = v[S2R_HCR_EL2];
		ro.vtcr_el2 = v[S2R_VTCR_EL2];
		ro.vttbr_el2 = v[S2R_VTTBR_EL2];
		s12_translate(&ro, t->cfg.feat, &t->mem, va, acc, el, &alt);
		add_alt(&a, HZ_MISSING_ISB, &alt, &c->wcause[old], RULE_S2_ISB,
		        "a stage 2 register write is not yet synchronised by a context "
		        "synchronisation event");
	}
	if (!coherent->s2_on || !t->nver)
		return a.nhz;

	/* Stale stage 2 entries for the IPA of each stage 1 table read and of the access. */
	uint64_t ipas[PT_MAX_STEPS + 1];
	unsigned nipa = 0;
	for (unsigned i = 0; i < coherent->nptw; i++)
		ipas[nipa++] = coherent->ptw[i].ipa;
	if (coherent->fault.stage != 1 && !coherent->fault.s1ptw)
		ipas[nipa++] = coherent->ipa;
	bool ng = coherent->s1_on && coherent->s1.ng;
	for (unsigned i = 0; i < nipa; i++) {
		struct cand cs[MAX_CANDS];
		unsigned nc = enum_ipa(t, cpu, &coherent->s2cfg, ipas[i], va, ng, asid, cs);
		for (unsigned j = 0; j < nc; j++) {
			struct s12_result alt;
			s12_translate_ovr(&r, t->cfg.feat, &t->mem, va, acc, el, &cs[j].o, &alt);
			add_alt(&a, class_of(cs[j].st), &alt, &cs[j].cause, RULE_S2_TLB,
			        summary_of(cs[j].st));
		}
	}
	return a.nhz;
}
