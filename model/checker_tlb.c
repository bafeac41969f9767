/*
 * checker_tlb.c - TLB outcomes of one access (stage 4 of check_access): the
 * translations a TLB may still hold for the VA, classed stale-tlb, missing-dsb (a TLBI no DSB
 * completed) or missing-isb (a completed TLBI no context synchronisation has reached), and a
 * TLB conflict when two entries of different sizes may cover the VA.
 */
#include "checker_int.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ck_tlb_alternatives(struct acc_ctx *a, struct cpu *c, enum regime rg, bool zva)
{
	struct model *m = a->m;
	const struct model_event *ev = a->ev;
	enum access_type acc = a->acc;
	uint64_t va = a->va;
	struct xlat *co = &a->co;
	struct tlb_cand cands[MAX_CANDS];
	uint16_t asid = tlb_el1_asid(c->sr.latest[SR_TCR_EL1], c->sr.latest[SR_TTBR0_EL1],
	                             c->sr.latest[SR_TTBR1_EL1]);
	struct tlb_regs cur = regs_of(&c->sr, rg, 0);
	/* The coherent walk stands for the coherent context's entry of the current
	 * descriptors, under stage 2 too: there a walk now reads its tables through stage 2
	 * (D8.2), so when a table read faults at stage 2 (S1PTW) no such entry can be made
	 * now, and one made earlier, when stage 2 mapped the table, is an entry of an old
	 * stage 2 value (s2tlb's: the IPA of each stage 1 table read). tlb.c's own walk
	 * reads the tables at their IPAs taken as PAs, without stage 2. */
	const struct walk_result *walk = co->mmu_on ? &co->tr : NULL;
	/* One instant per access (DESIGN §3): the entries present at the earliest instant the
	 * access can have with the MMU on; those a TLBI completed since then removes are
	 * possible only because no context synchronisation followed it (missing-isb). */
	uint64_t at = ck_access_instant(m, c, rg);
	unsigned n = tlb_lookup(m->t, ev->cpu, rg, va, at, asid, m->seq, &cur, walk, cands,
	                        MAX_CANDS);
	struct tlb_cand *now = NULL;
	unsigned nn = 0;
	if (at != TLB_AT_NOW && n && tlb_done_unsynced(m->t, ev->cpu)) {
		now = m->at_now;
		nn = tlb_lookup(m->t, ev->cpu, rg, va, TLB_AT_NOW, asid, m->seq, &cur, walk, now,
		                MAX_CANDS);
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
		if (co->s2_on && cd->ctx_s2 && tx.fault.type == FAULT_NONE) {
			/* The entry's output is an IPA: the combined outcome goes through the
			 * current stage 2 (its stale entries are s2tlb's). An entry made with
			 * HCR_EL2.VM=0 maps the VA to a PA itself. */
			struct s2_walk w;
			s2_translate(&co->s2cfg, &m->mem, cd->r.oa, &w);
			tx.fault = w.fault;
			if (tx.fault.type == FAULT_NONE)
				tx.fault = s2_check_perm(&w, acc, c->el, false);
			tx.tr.oa = w.pa;
			tx.tr.attrs = s2_combine_attrs(cd->r.attrs, w.attrs);
		}
		uint64_t sctlr = regs_of(&c->sr, rg, 0).sctlr;
		ck_finish_attrs(&tx, sctlr, acc, va, a->size, zva);
		struct obs o;
		ck_observe(a, &tx, ck_read_view(a, &tx), &o);
		enum hz_class cls = cd->needs_pending ? HZ_MISSING_DSB : HZ_STALE_TLB;
		if (now && cls == HZ_STALE_TLB) {
			bool in = false;
			for (unsigned k = 0; k < nn && !in; k++)
				in = now[k].r.oa == cd->r.oa &&
				     now[k].r.fault.type == cd->r.fault.type;
			if (!in)
				cls = HZ_MISSING_ISB; /* TLBI done, no context sync (no ETS2) */
		}
		if (!ck_obs_equal(&o, &a->o0))
			tlb_cand_describe(cd, cd->cause.what, sizeof(cd->cause.what));
		struct alt *t = ck_add_alt(a, cls, &o, &cd->cause,
		                           cd->stale_leaf    ? "stale leaf entry"
		                           : cd->stale_table ? "stale walk-cache entry"
		                                             : "entry of an earlier context");
		if (t && cls == HZ_MISSING_ISB)
			t->summary = SUMMARY_UNSYNCED;
		/* Two entries of different sizes for one VA: TLB conflict possible. */
		if (cd->old_ctx && cd->r.fault.type == FAULT_NONE && co->mmu_on &&
		    co->tr.fault.type == FAULT_NONE &&
		    cd->r.block_size != co->tr.block_size) {
			struct hazard hz;
			ck_hz_init(m, &hz, HZ_BBM, RULE_BBM);
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
			ck_emit_hazard(m, &hz);
		}
	}
}
