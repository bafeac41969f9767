/*
 * checker_access.c - the outcome set of one access (see checker.c): the coherent
 * translation in each context, observations, and check_access, which runs the stages;
 * the fast path of single-outcome translations.
 */
#include "checker_int.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_cacheable(enum mem_type t)
{
	return t == MT_NORMAL_WT || t == MT_NORMAL_WB;
}

void ck_finish_attrs(struct xlat *x, uint64_t sctlr, enum access_type acc, uint64_t va,
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

/*
 * ck_translate_ctx with HCR_EL2.VM=1 at EL1/EL0 (Arm ARM D8.2, AArch64.FullTranslate): the
 * combined translation, stage 1 table reads translated by stage 2. The stage 2 registers
 * are the latest values (s2tlb_access gives the outcomes of their old ones).
 */
static void ck_translate_s2(const struct model *m, const struct sr_file *f, unsigned el,
                            const struct tlb_regs *r, enum access_type acc, uint64_t va,
                            unsigned size, bool zva, const struct mem_ops *ops, struct xlat *x)
{
	struct s12_regs sr = {
	    .sctlr_el1 = r->sctlr, .tcr_el1 = r->tcr, .ttbr0_el1 = r->ttbr0,
	    .ttbr1_el1 = r->ttbr1, .mair_el1 = r->mair, .hcr_el2 = f->latest[SR_HCR_EL2],
	    .vtcr_el2 = f->latest[SR_VTCR_EL2], .vttbr_el2 = f->latest[SR_VTTBR_EL2],
	};
	struct s12_result res;
	s12_translate(&sr, ck_s2_features(m), ops ? ops : &m->mem, va, acc, el, &res);
	x->s2_on = true;
	x->ipa = res.ipa;
	x->f12 = res.fault;
	x->s2cfg = res.s2cfg;
	x->fault = res.fault.f;
	if (res.s1_on) {
		x->cfg = res.s1cfg;
		x->tr = res.s1;
		/* The walk's descriptors where they are: the PA of each stage 1 table read. */
		for (unsigned i = 0; i < x->tr.nsteps && i < res.nptw; i++)
			x->tr.steps[i].desc_pa = res.ptw[i].pa | (x->tr.steps[i].desc_pa & 7);
		x->tr.nsteps = x->tr.nsteps < res.nptw ? x->tr.nsteps : res.nptw;
	} else {
		x->tr.va = va;
		x->tr.level = 3;
		x->tr.block_size = 4096;
		x->tr.af = true;
	}
	x->mmu_on = res.s1_on;
	x->tr.fault = res.fault.f;
	x->tr.oa = res.fault.f.type == FAULT_NONE ? res.pa : 0;
	x->tr.attrs = res.attrs;
	ck_finish_attrs(x, r->sctlr, acc, va, size, zva);
}

void ck_translate_ctx(const struct model *m, const struct sr_file *f, unsigned el,
                          uint32_t combo, enum access_type acc, uint64_t va, unsigned size,
                          bool zva, const struct mem_ops *ops, struct xlat *x)
{
	enum regime rg = regime_of(el);
	struct tlb_regs r = regs_of(f, rg, combo);
	memset(x, 0, sizeof(*x));
	if (el < 2 && (f->latest[SR_HCR_EL2] & HCR_EL2_VM)) {
		ck_translate_s2(m, f, el, &r, acc, va, size, zva, ops, x);
		return;
	}
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
		/* AArch64.S1DisabledOutput: the VA is the PA, and one beyond the implemented PA
		 * size is a level 0 Address size fault (AArch64.OAOutOfRange). */
		if (va >> m->cfg.pa_bits)
			x->tr.fault = x->fault = (struct fault){FAULT_ADDRESS_SIZE, 0};
		ck_finish_attrs(x, r.sctlr, acc, va, size, zva);
		return;
	}
	struct fault f0;
	if (!pt_cfg_from_regs(rg, m->cfg.pa_bits, r.sctlr, r.tcr, r.ttbr0, r.ttbr1, r.mair, va,
	                      &x->cfg, &f0)) {
		x->tr.fault = f0;
		x->fault = f0;
		return;
	}
	pt_translate(&x->cfg, ops ? ops : &m->mem, va, &x->tr);
	x->fault = x->tr.fault;
	if (x->fault.type == FAULT_NONE)
		x->fault = pt_check_perm(&x->cfg, &x->tr, acc, el);
	ck_finish_attrs(x, r.sctlr, acc, va, size, zva);
}


void ck_obs_fill(struct obs *o, const uint8_t *buf, unsigned size)
{
	o->n = size > 16 ? 16 : size;
	memcpy(o->bytes, buf, o->n);
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	for (unsigned i = 0; i < size; i++)
		h = (h ^ buf[i]) * UINT64_C(0x100000001b3);
	o->hash = h;
}


bool ck_obs_equal(const struct obs *a, const struct obs *b)
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

uint64_t ck_obs_value(const struct obs *o)
{
	uint64_t v = 0;
	for (unsigned i = o->n > 8 ? 8 : o->n; i-- > 0;)
		v = (v << 8) | o->bytes[i];
	return v;
}

/* The observation of translation x for the access: bytes read through view v. */
void ck_observe(struct acc_ctx *a, const struct xlat *x, enum cache_view v, struct obs *o)
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
		ck_obs_fill(o, buf, n);
}

enum cache_view ck_read_view(const struct acc_ctx *a, const struct xlat *x)
{
	if (a->acc == ACC_FETCH)
		return x->icache ? CV_LATEST : CV_POC;
	return x->dcache ? CV_CACHE : CV_POC;
}

struct alt *ck_add_alt(struct acc_ctx *a, enum hz_class cls, const struct obs *o,
                           const struct hz_cause *cause, const char *fmt_extra)
{
	if (ck_obs_equal(o, &a->o0))
		return NULL;
	for (unsigned i = 0; i < a->nalts; i++)
		if (ck_obs_equal(o, &a->alts[i].o))
			return NULL; /* already explained by an earlier class */
	if (a->nalts >= MAX_ALTS)
		return NULL;
	struct alt *t = &a->alts[a->nalts++];
	t->cls = cls;
	t->o = *o;
	t->cause = *cause;
	t->decided = NULL;
	t->summary = NULL;
	if (o->f.type != FAULT_NONE)
		snprintf(t->text, sizeof(t->text), "%s fault (level %d)%s%s",
		         pt_fault_name(o->f.type), o->f.level, fmt_extra ? ", " : "",
		         fmt_extra ? fmt_extra : "");
	else if (o->has_bytes)
		snprintf(t->text, sizeof(t->text), "PA 0x%" PRIx64 ", bytes 0x%" PRIx64 "%s%s",
		         o->pa, ck_obs_value(o), fmt_extra ? ", " : "", fmt_extra ? fmt_extra : "");
	else
		snprintf(t->text, sizeof(t->text), "PA 0x%" PRIx64 "%s%s", o->pa,
		         fmt_extra ? ", " : "", fmt_extra ? fmt_extra : "");
	return t;
}

/* An outcome the write-back policy decides (WB_NEVER, WB_RANDOM; not when maintenance in
 * flight leaves it open: missing-dsb). */
void ck_decide(const struct model *m, struct alt *t, const char *what)
{
	if (t && m->cfg.wb_policy != WB_ANY && t->cls != HZ_MISSING_DSB)
		t->decided = what;
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
		e->s2_on = x->s2_on;
		e->ipa_page = x->s2_on ? x->ipa & ~(uint64_t)(CACHE_PAGE_SIZE - 1) : 0;
		e->s2_table = s2tlb_active(m->s2) && s2tlb_table_page(m->s2, e->pa_page);
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
		ck_translate_ctx(m, &c->sr, c->el, 0, a->acc, a->va, a->size, zva, &o.ops, &wx);
		struct obs ob;
		ck_observe(a, &wx, CV_LATEST, &ob);
		snprintf(cz.what, sizeof(cz.what),
		         "descriptor 0x%" PRIx64 " stored at PA 0x%" PRIx64 ", no DSB since",
		         tr->steps[i].desc, o.pa);
		ck_add_alt(a, HZ_MISSING_DSB, &ob, &cz, "walk read the descriptor before the store");
	}
}

/* Step 5 of check_access: each descriptor of the coherent walk that a store made visible to
 * the walker after the earliest instant this access can have been performed at: without
 * FEAT_ETS2 the walk may still have read the value before it (DESIGN §3 "One instant per
 * access", "Completion"; herd7 VMSA I2V-UP-DSB: `str desc; dsb ish; ldr` may fault, an ISB
 * after the DSB forbids it). After the TLB stage, so that an old value a TLB may hold
 * anyway stays stale-tlb, which only a TLBI cures. */
static void recent_walk_alternatives(struct acc_ctx *a, struct cpu *c, bool zva,
                                     uint64_t since)
{
	struct model *m = a->m;
	const struct walk_result *tr = &a->co.tr;
	for (unsigned i = 0; i < tr->nsteps && i < PT_MAX_STEPS; i++) {
		uint64_t vals[4];
		struct hz_cause cz[4];
		uint64_t dpa = tr->steps[i].desc_pa;
		unsigned nv = tlb_recent_values(m->t, dpa, since, vals, cz, 4);
		for (unsigned k = 0; k < nv; k++) {
			struct desc_override o = {.base = &m->mem, .pa = dpa, .value = vals[k]};
			o.ops = (struct mem_ops){.read = override_read, .ctx = &o};
			struct xlat wx;
			ck_translate_ctx(m, &c->sr, c->el, 0, a->acc, a->va, a->size, zva, &o.ops,
			                 &wx);
			struct obs ob;
			ck_observe(a, &wx, CV_LATEST, &ob);
			snprintf(cz[k].what, sizeof(cz[k].what),
			         "store over descriptor 0x%" PRIx64 " at PA 0x%" PRIx64
			         ", visible, no context synchronisation since",
			         vals[k], dpa);
			struct alt *t = ck_add_alt(a, HZ_MISSING_ISB, &ob, &cz[k],
			                           "walk read the descriptor's earlier value");
			if (t)
				t->summary = SUMMARY_UNSYNCED;
		}
	}
}

/*
 * The earliest instant at which this access can be translated with the regime's MMU on
 * (DESIGN §3 "One instant per access"): the CPU's last context synchronisation event, but
 * a write of SCTLR.M = 1 not yet synchronised is in effect only from its MSR on (D17.1), and
 * an MSR after a DSB executes after the DSB completed (B2.3.12): from that instant on every
 * TLBI that DSB completed, and every table store it made visible, is in force. So a fetch
 * with the MMU just turned on cannot use an entry a completed TLBI removed before the MSR.
 * With FEAT_ETS2 a translation is ordered after an earlier DSB: now.
 */
uint64_t ck_access_instant(const struct model *m, const struct cpu *c, enum regime rg)
{
	if (m->cfg.feat_ets)
		return TLB_AT_NOW;
	enum sysreg_id sc = rg == REGIME_EL2 ? SR_SCTLR_EL2 : SR_SCTLR_EL1;
	if (!(c->sr.eff[sc] & SCTLR_ELx_M) && (c->sr.pending & (UINT32_C(1) << sc)))
		return c->sr.wcause[sc].seq;
	return c->last_cse;
}

void ck_check_access(struct model *m, const struct model_event *ev, enum access_type acc,
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

	/* 1. Coherent outcome. An access given by its PA (model_event.u.mem.pa) has that one
	 * translation: Normal Non-cacheable (no line of the cache is involved), as with the
	 * MMU off but without its Device type's alignment rule. */
	bool by_pa = (ev->kind == EV_LOAD || ev->kind == EV_STORE) && ev->u.mem.pa;
	if (by_pa) {
		memset(&a->co, 0, sizeof(a->co));
		a->co.tr.va = a->co.tr.oa = va;
		a->co.tr.level = 3;
		a->co.tr.block_size = 4096;
		a->co.tr.af = true;
		a->co.tr.attrs.inner = a->co.tr.attrs.outer = MT_NORMAL_NC;
		if (va >> m->cfg.pa_bits)
			a->co.tr.fault = a->co.fault = (struct fault){FAULT_ADDRESS_SIZE, 0};
		ck_finish_attrs(&a->co, 0, acc, va, a->size, zva);
	} else {
		ck_translate_ctx(m, &c->sr, c->el, 0, acc, va, a->size, zva, NULL, &a->co);
	}
	struct xlat *co = &a->co;
	ck_observe(a, co, CV_LATEST, &a->o0);
	/* Bytes other than the latest at the coherent PA claim their outcomes first. */
	ck_data_alternatives(a);
	/* 1b. Code stored to since this CPU's last context synchronisation. */
	if (acc == ACC_FETCH)
		ck_code_alternatives(a, c);

	/* 2. The walk reads through the cache (cacheable walk) or at the PoC. */
	enum cache_view wv = co->cfg.walk_cacheable ? CV_CACHE : CV_POC;
	if (co->mmu_on && co->tr.fault.type != FAULT_EXTERNAL_WALK &&
	    walk_view_differs(m, &co->tr, wv)) {
		struct cache_view_ops cv;
		cache_view_init(&cv, m->c, wv);
		struct xlat wx;
		ck_translate_ctx(m, &c->sr, c->el, 0, acc, va, a->size, zva, &cv.ops, &wx);
		struct obs o;
		ck_observe(a, &wx, CV_LATEST, &o);
		if (!ck_obs_equal(&o, &a->o0)) {
			bool pend = false;
			for (unsigned i = 0; i < co->tr.nsteps; i++)
				pend |= ck_maint_pending_on(m, co->tr.steps[i].desc_pa, false);
			for (unsigned i = 0; i < wx.tr.nsteps; i++)
				pend |= ck_maint_pending_on(m, wx.tr.steps[i].desc_pa, false);
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
			ck_decide(m,
			       ck_add_alt(a, pend ? HZ_MISSING_DSB : HZ_WALK_NOT_AT_POC, &o, &cz,
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
	unsigned ncombo = by_pa ? 1 : sr_ctx_count(&c->sr, rg);
	bool any_on = co->mmu_on;
	for (unsigned k = 1; k < ncombo && k < 32; k++) {
		struct xlat ox;
		ck_translate_ctx(m, &c->sr, c->el, k, acc, va, a->size, zva, NULL, &ox);
		any_on |= ox.mmu_on;
		struct obs o;
		ck_observe(a, &ox, ck_read_view(a, &ox), &o);
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
		ck_add_alt(a, HZ_MISSING_ISB, &o, &cz,
		        ox.mmu_on ? "old context" : "old context, MMU off");
	}
	if (any_on)
		ck_tlb_alternatives(a, c, rg, zva);
	/* 4b. Stage 2 (s2tlb.h): entries of old stage 2 descriptors, TLBIs of stage 2, and old
	 * values of HCR_EL2 / VTCR_EL2 / VTTBR_EL2. */
	if (!by_pa && ck_s2_possible(&c->sr, c->el)) {
		struct s12_regs s1 = {
		    .sctlr_el1 = c->sr.latest[SR_SCTLR_EL1], .tcr_el1 = c->sr.latest[SR_TCR_EL1],
		    .ttbr0_el1 = c->sr.latest[SR_TTBR0_EL1], .ttbr1_el1 = c->sr.latest[SR_TTBR1_EL1],
		    .mair_el1 = c->sr.latest[SR_MAIR_EL1]};
		uint16_t asid = tlb_el1_asid(s1.tcr_el1, s1.ttbr0_el1, s1.ttbr1_el1);
		struct s12_result sres;
		s2tlb_access(m->s2, ev->cpu, &s1, va, acc, c->el, asid, m->seq, ev->pc, &sres);
	}
	/* 5. Table stores made visible since the instant the access can have been made at. */
	if (co->mmu_on && co->tr.fault.type != FAULT_EXTERNAL_WALK && !m->cfg.feat_ets)
		recent_walk_alternatives(a, c, zva, ck_access_instant(m, c, rg));

	ck_report_alts(a);

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
				ck_data_effects(m, ev, acc, co, pa, (unsigned)chunk, acc == ACC_WRITE,
				             have ? vb + (a->size - rem) : NULL);
			/* A store to a stage 2 table: old value kept, break-before-make checked. */
			if (acc == ACC_WRITE && s2tlb_active(m->s2) && ev->kind == EV_STORE &&
			    a->size == 8 && !(pa & 7) &&
			    s2tlb_store(m->s2, ev->cpu, pa, ev->u.mem.value, m->seq, ev->pc))
				bump(m);
			if (acc == ACC_WRITE)
				m->stores_pending |= tlb_note_store(
				    m->t, ev->cpu, pa, (unsigned)chunk, m->seq,
				    &(struct hz_cause){m->seq, ev->cpu, ev->pc, ev->kind,
				                       "descriptor store"});
			pa += chunk;
			rem -= chunk;
		}
		/* Under stage 2 too: no outcome other than the coherent one (single) means no
		 * stage 2 register awaits its synchronisation and no old stage 2 value may be
		 * used; only an MSR, a context synchronisation or a store to a table (each a new
		 * generation) can change that. An access by PA is no VA's translation. */
		if (!by_pa && single && ncombo == 1 && !tlb_pending_any(m->t) &&
		    (va & (CACHE_PAGE_SIZE - 1)) + a->size <= CACHE_PAGE_SIZE &&
		    (acc == ACC_FETCH || acc == ACC_READ || acc == ACC_WRITE || acc == ACC_DC_READ))
			tc_fill(m, ev->cpu, va, acc, co);
	}
	if (res) {
		res->is_access = true;
		res->mmu_on = co->mmu_on;
		res->tr = co->tr;
		res->fault = co->fault;
		res->s2_on = co->s2_on;
		res->ipa = co->s2_on ? co->ipa : 0;
		memset(&res->fault12, 0, sizeof(res->fault12));
		if (co->s2_on) {
			res->fault12 = co->f12;
			if (co->f12.f.type == FAULT_NONE && co->fault.type != FAULT_NONE) {
				/* Alignment: a stage 1 matter, taken to EL1. */
				res->fault12.f = co->fault;
				res->fault12.stage = 1;
				res->fault12.target_el = 1;
			}
		}
	}
}

/* What model_step returns for an access served by e: a TLB hit reads no descriptors, so
 * everything but the walk steps. */
void ck_tc_result(const struct tc_entry *e, uint64_t va, uint64_t pa,
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
	res->s2_on = e->s2_on;
	res->ipa = e->s2_on ? e->ipa_page | (va & (CACHE_PAGE_SIZE - 1)) : 0;
	memset(&res->fault12, 0, sizeof(res->fault12));
}

/* The common case: a translation known to have one outcome and clean lines. */
bool ck_fast_access(struct model *m, const struct model_event *ev, enum access_type acc,
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
		if (pg->table || pg->code || e->s2_table)
			return false; /* a store to a stage 2 table must reach s2tlb_store */
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
		ck_tc_result(e, va, pa, res);
	return true;
}
