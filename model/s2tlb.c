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
#include "s2tlb_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

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
void s2t_combo_regs(const struct s2cpu *c, unsigned k, uint64_t out[S2R_COUNT], unsigned *old_reg)
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

void s2t_report(struct s2tlb *t, struct hazard *hz)
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
			alive = s2t_cached_state(t, c, v, false, 0, true, 0, true) > VS_DEAD ||
			        s2t_cached_state(t, c, v, true, 0, true, 0, true) > VS_DEAD;
		if (alive)
			s2t_report(t, &t->held[i].hz);
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
		s2t_combo_regs(c, k, r, &old);
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

bool s2t_any_on(const struct s2tlb *t)
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
			keep = s2t_fresh_state(t, c, v) > VS_DEAD ||
			       s2t_cached_state(t, c, v, false, 0, false, 0, false) > VS_DEAD ||
			       s2t_cached_state(t, c, v, true, 0, false, 0, false) > VS_DEAD;
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

bool s2tlb_table_page(struct s2tlb *t, uint64_t pa)
{
	if (!t->nctx)
		return false;
	/* A table store since the last retrack: memory may not show it yet (a store is
	 * delivered before it lands, and the fill of its own access comes in the same event),
	 * so the tables it links cannot be read now. Any page may be one; s2tlb_store
	 * retracks at the next store, when memory has it. Retracking here read the table
	 * descriptor before the store that linked a new table and lost that table's stores
	 * (pkvm-host-s2's unmap, tests/meson.build). */
	if (t->tab_dirty)
		return true;
	uint64_t page = pa & ~UINT64_C(0xfff);
	for (unsigned i = 0; i < t->ntab; i++) {
		const struct table *tb = &t->tab[i];
		if (page + 0x1000 > tb->pa && page < tb->pa + 8 * (uint64_t)tb->nentries)
			return true;
	}
	return false;
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

uint64_t s2t_level_size(int level, unsigned g)
{
	return UINT64_C(1) << (g + (unsigned)(3 - level) * (g - 3));
}

/* The newest older valid value of the descriptor of version vi (same VMID) that a break
 * to `value` would have had to remove and that a TLB may still hold as a stage 2 entry
 * (leaf or walk cache): no covering TLBI completed since the store that replaced it. vi
 * itself when there is none. Combined entries are left to the accesses (stale-tlb), as
 * for a valid -> valid store: IPAS2E1IS alone is a break here, VMALLE1IS is not needed. */
static unsigned unbroken(const struct s2tlb *t, unsigned vi, uint64_t value)
{
	const struct version *cur = &t->ver[vi];
	for (unsigned j = vi; j-- > 0;) {
		const struct version *v = &t->ver[j];
		if (v->desc_pa != cur->desc_pa || v->vmid != cur->vmid || !v->live ||
		    !s2_bbm_needed(v->value, value, v->level, v->g))
			continue;
		for (unsigned c = 0; c < t->cfg.ncpus; c++)
			if (s2t_cached_state(t, c, v, false, 0, true, 0, true) > VS_DEAD)
				return j;
	}
	return vi;
}

bool s2tlb_store(struct s2tlb *t, unsigned cpu, uint64_t pa, uint64_t value, uint64_t seq,
                 uint64_t pc)
{
	uint64_t old;
	bool hit = false, on = s2t_any_on(t);
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
		v.size = s2t_level_size(tb->level, tb->g);
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
		/* The value the break must remove: the one replaced now (valid -> valid) or,
		 * when that one is invalid (the break itself), an older valid value some TLB
		 * may still hold because no TLBI completed since it was replaced (invalid ->
		 * DSB -> new value without the TLBI: D8.14.1 needs all three steps). */
		unsigned vi = t->nver - 1;
		if (!(old & DESC_VALID) && (value & DESC_VALID))
			vi = unbroken(t, vi, value);
		const struct version *bv = &t->ver[vi];
		if (!bv->live || !s2_bbm_needed(bv->value, value, bv->level, bv->g))
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
		         v.ipa_base, (unsigned)v.vmid, v.level, bv->value, value);
		hz.n_outcomes = 2;
		hz.outcomes[0].has_pa = true;
		hz.outcomes[0].pa = pa;
		snprintf(hz.outcomes[0].text, sizeof(hz.outcomes[0].text),
		         "new stage 2 descriptor 0x%016" PRIx64, value);
		hz.outcomes[0].cause = mkcause(cpu, seq, pc, EV_STORE, "the descriptor store");
		hz.outcomes[1].has_pa = true;
		hz.outcomes[1].pa = pa;
		snprintf(hz.outcomes[1].text, sizeof(hz.outcomes[1].text),
		         "old stage 2 descriptor 0x%016" PRIx64 " may still be in a TLB",
		         bv->value);
		hz.outcomes[1].cause = bv->cause;
		hz.rule = RULE_S2_BBM;
		hz.fold_key = (pc * 31) ^ pa;
		if (on) {
			s2t_report(t, &hz);
		} else {
			GROW(t->held, t->nheld, t->capheld);
			t->held[t->nheld++] = (struct held_bbm){hz, vi};
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
