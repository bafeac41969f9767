/*
 * test_fidelity.c - the checker on sequences real code runs (issue 20): one instant per
 * access, the exact scope of a TLBI by VA, break-before-make only where it can be observed,
 * pending TLBIs, FEAT_ETS2, speculative fills, causes. Each test names the Arm ARM rule
 * (and, for single-CPU sequences herd7's VMSA model can judge, the catalogue test with the
 * same shape); the assembly each event sequence stands for is shown above it. DESIGN §3 is
 * the contract they check.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "machine.h"

#define CODE RAM_BASE              /* code page, identity mapped */
#define PA1  (RAM_BASE + 0x200000) /* two data pages with different bytes */
#define PA2  (RAM_BASE + 0x201000)
#define VX   UINT64_C(0x10000000) /* VAs outside the identity map */
#define VX2  (VX + 0x1000)        /* the next page, same level-3 table */

static void dump(const struct machine *mt)
{
	for (unsigned i = 0; i < mt->nhz; i++) {
		const struct hazard *h = &mt->hz[i];
		fprintf(stderr, "  %s seq %llu pc 0x%llx: %s\n", hz_class_name(h->cls),
		        (unsigned long long)h->seq, (unsigned long long)h->pc, h->summary);
		for (unsigned k = 0; k < h->n_outcomes; k++)
			fprintf(stderr, "    - %s [%s, seq %llu]\n", h->outcomes[k].text,
			        h->outcomes[k].cause.what,
			        (unsigned long long)h->outcomes[k].cause.seq);
	}
}

#define EXPECT(mt, cls, n)                                                                         \
	do {                                                                                       \
		if ((mt)->count[cls] != (n))                                                       \
			dump(mt);                                                                  \
		ck_assert_uint_eq((mt)->count[cls], (n));                                          \
	} while (0)
#define EXPECT_NONE(mt)                                                                            \
	do {                                                                                       \
		if (mt_total(mt))                                                                  \
			dump(mt);                                                                  \
		ck_assert_uint_eq(mt_total(mt), 0);                                                \
	} while (0)

static void mt_init_ets2(struct machine *mt, bool ets2)
{
	mt_init(mt);
	if (!ets2)
		return;
	/* mt_init_cfg has no FEAT_ETS2 switch: make the model again with it. */
	model_free(mt->m);
	struct model_cfg cfg = {.ncpus = 1,
	                        .tlb_policy = TLB_POLICY_SPECULATIVE,
	                        .feat_ets = true,
	                        .pa_bits = MT_PA_BITS,
	                        .on_hazard = mt_on_hazard,
	                        .hazard_arg = mt};
	mt->m = model_new(&cfg, &mt->ops);
}

/* An identity map of RAM with VX -> pa_x and VX2 -> pa_x2; returns the root. */
static uint64_t table_with(struct machine *mt, uint64_t pa_x, uint64_t pa_x2)
{
	uint64_t root = mt_idmap(mt);
	mt_map(mt, root, VX, pa_x, ATTR_WB);
	mt_map(mt, root, VX2, pa_x2, ATTR_WB);
	return root;
}

static void two_pages(struct machine *mt)
{
	ram_w64(mt, PA1, 0x1111);
	ram_w64(mt, PA2, 0x2222);
}

/*
 * DESIGN §3 "One instant per access"; D8.13 TLB maintenance, D17.1 (an MSR is not in effect
 * before it executes), B2.3.12 (nothing after a DSB executes before it completes).
 * Linux's ___kvm_hyp_init after an earlier boot stage ran the EL2 MMU with other tables and
 * turned it off without a TLBI:
 *   msr ttbr0_el2, B; msr tcr_el2; isb; tlbi alle2; tlbi vmalls12e1; dsb sy;
 *   msr sctlr_el2, x0 (MMU on); isb
 * The isb is fetched either with the MMU off (before the MSR took effect: identity) or with
 * it on, which is after the MSR executed, after the DSB completed the TLBI: the boot stage's
 * entry for CODE can never be used. Clean.
 */
START_TEST(mmu_on_after_completed_tlbi_one_instant_D8_13)
{
	struct machine mt;
	mt_init(&mt);
	uint64_t boot = mt_idmap(&mt);
	mt_map(&mt, boot, CODE, PA1, ATTR_WB); /* the boot stage ran CODE from elsewhere */
	uint64_t b = mt_idmap(&mt);
	ram_w64(&mt, CODE + 0x10, 0xd5033fdfd5033fdf); /* isb */
	ram_w64(&mt, PA1 + 0x10, 0xd503201fd503201f);  /* nop */
	mt_mmu_on(&mt, 0, boot, SCTLR_ON);
	ev_fetch(&mt, 0, CODE + 0x10);
	/* msr sctlr_el2, (MMU off); isb */
	ev_msr(&mt, 0, SR_SCTLR_EL2, SCTLR_EL2_BOOT);
	ev_isb(&mt, 0);
	mt_clear(&mt);
	ev_msr(&mt, 0, SR_TTBR0_EL2, b);
	ev_msr(&mt, 0, SR_TCR_EL2, MT_TCR_EL2);
	ev_isb(&mt, 0);
	ev_tlbi(&mt, 0, TLBI_ALLE2, 0);
	ev_tlbi(&mt, 0, TLBI_VMALLS12E1, 0);
	ev_dsb(&mt, 0, DOM_SY, BAR_ALL);
	ev_msr(&mt, 0, SR_SCTLR_EL2, SCTLR_ON);
	ev_fetch(&mt, 0, CODE + 0x10); /* the isb */
	ev_isb(&mt, 0);
	ev_fetch(&mt, 0, CODE + 0x14);
	EXPECT_NONE(&mt);
	mt_fini(&mt);
}
END_TEST

/*
 * The same rule, the other way: with the MMU on throughout, `tlbi; dsb; br x` may run x as
 * fetched before the DSB (no context synchronisation since): the old entry is a possible
 * outcome (missing-isb), and the ISB removes it.
 */
START_TEST(mmu_on_throughout_tlbi_dsb_br_needs_isb_D8_13)
{
	for (int isb = 0; isb < 2; isb++) {
		struct machine mt;
		mt_init(&mt);
		uint64_t a = table_with(&mt, PA1, PA1);
		uint64_t b = table_with(&mt, PA2, PA2);
		two_pages(&mt);
		mt_mmu_on(&mt, 0, a, SCTLR_ON);
		ev_fetch(&mt, 0, VX);
		/* msr ttbr0_el2, B; isb; tlbi alle2; dsb sy; [isb;] br VX */
		ev_msr(&mt, 0, SR_TTBR0_EL2, b);
		ev_isb(&mt, 0);
		ev_tlbi(&mt, 0, TLBI_ALLE2, 0);
		ev_dsb(&mt, 0, DOM_SY, BAR_ALL);
		if (isb)
			ev_isb(&mt, 0);
		mt_clear(&mt);
		ev_fetch(&mt, 0, VX);
		if (isb)
			EXPECT_NONE(&mt);
		else
			EXPECT(&mt, HZ_MISSING_ISB, 1);
		mt_fini(&mt);
	}
}
END_TEST

/*
 * DESIGN §3 "TLBI scope"; D8.13.x (TLBI VAE2 invalidates the entries that translate the
 * VA): a leaf of another VA survives, though a walk-cache entry on its path is removed.
 *   (MMU on with A) ldr [VX]; msr ttbr0_el2, B; isb; tlbi vae2, VX2; dsb ish; isb; ldr [VX]
 * A's leaf for VX is still in the TLB: stale-tlb. TLBI VAE2 of VX itself removes it.
 */
START_TEST(tlbi_va_spares_other_va_leaf_D8_13)
{
	for (int own = 0; own < 2; own++) {
		struct machine mt;
		mt_init(&mt);
		uint64_t a = table_with(&mt, PA1, PA1);
		uint64_t b = table_with(&mt, PA2, PA2);
		two_pages(&mt);
		mt_mmu_on(&mt, 0, a, SCTLR_ON);
		ev_load(&mt, 0, VX, 8);
		ev_msr(&mt, 0, SR_TTBR0_EL2, b);
		ev_isb(&mt, 0);
		ev_tlbi(&mt, 0, TLBI_VAE2, own ? VX : VX2);
		ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
		ev_isb(&mt, 0);
		mt_clear(&mt);
		struct model_step_result r = ev_load(&mt, 0, VX, 8);
		ck_assert_uint_eq(r.tr.oa, PA2);
		if (own) {
			EXPECT_NONE(&mt);
		} else {
			EXPECT(&mt, HZ_STALE_TLB, 1);
			ck_assert(mt.hz[0].outcomes[1].has_pa && mt.hz[0].outcomes[1].pa == PA1);
		}
		mt_fini(&mt);
	}
}
END_TEST

/*
 * The same scope with a permission change (no break-before-make needed: D8.14.1): a
 * read-only page made writable, the TLBI aimed at the neighbouring page.
 *   str (VX writable), [desc]; dsb ishst; tlbi vae2, VX2|VX; dsb ish; isb; str [VX]
 * The read-only entry for VX survives a TLBI of VX2: the store may fault (stale-tlb).
 */
START_TEST(tlbi_va_spares_other_va_permission_D8_13)
{
	for (int own = 0; own < 2; own++) {
		struct machine mt;
		mt_init(&mt);
		uint64_t a = table_with(&mt, PA1, PA2);
		uint64_t dpa = mt_desc_pa(&mt, a, VX, 3);
		ram_w64(&mt, dpa, PAGE(PA1, ATTR_WB) | DESC_AP2);
		mt_mmu_on(&mt, 0, a, SCTLR_ON);
		ev_load(&mt, 0, VX, 8);
		ev_store(&mt, 0, dpa, 8, PAGE(PA1, ATTR_WB));
		ev_dsb(&mt, 0, DOM_ISH, BAR_ST);
		ev_tlbi(&mt, 0, TLBI_VAE2, own ? VX : VX2);
		ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
		ev_isb(&mt, 0);
		mt_clear(&mt);
		struct model_step_result r = ev_store(&mt, 0, VX, 8, 5);
		ck_assert_int_eq(r.fault.type, FAULT_NONE);
		if (own) {
			EXPECT_NONE(&mt);
		} else {
			EXPECT(&mt, HZ_STALE_TLB, 1);
			ck_assert(mt.hz[0].outcomes[1].fault);
			ck_assert_int_eq(mt.hz[0].outcomes[1].f.type, FAULT_PERMISSION);
		}
		mt_fini(&mt);
	}
}
END_TEST

/*
 * TLBI scope with a table descriptor rewritten (DESIGN §3 "TLBI scope", D8.13.x): the
 * level-2 entry of VX moved to a new level-3 table with break-before-make, the TLBI aimed
 * at VX2 (same level-2 span). The walk-cache entry for the old table goes, but the leaf
 * for VX made through it stays: stale-tlb. TLBI VAE2 of VX removes both (clean).
 *   str xzr, [l2]; dsb ish; tlbi vae2, VX2|VX; dsb ish; str (new table), [l2]; dsb ish;
 *   isb; ldr [VX]
 */
START_TEST(tlbi_va_spares_leaf_under_old_table_D8_13)
{
	for (int own = 0; own < 2; own++) {
		struct machine mt;
		mt_init(&mt);
		uint64_t a = table_with(&mt, PA1, PA1);
		uint64_t l2 = mt_desc_pa(&mt, a, VX, 2);
		uint64_t t2 = mt_table(&mt); /* the new level-3 table: VX -> PA2 */
		ram_w64(&mt, t2 + 8 * ((VX >> 12) & 511), PAGE(PA2, ATTR_WB));
		two_pages(&mt);
		mt_mmu_on(&mt, 0, a, SCTLR_ON);
		ev_load(&mt, 0, VX, 8);
		ev_store(&mt, 0, l2, 8, 0);
		ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
		ev_tlbi(&mt, 0, TLBI_VAE2, own ? VX : VX2);
		ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
		ev_store(&mt, 0, l2, 8, t2 | DESC_VALID | DESC_TABLE);
		ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
		ev_isb(&mt, 0);
		mt_clear(&mt);
		struct model_step_result r = ev_load(&mt, 0, VX, 8);
		ck_assert_uint_eq(r.tr.oa, PA2);
		if (own) {
			EXPECT_NONE(&mt);
		} else {
			EXPECT(&mt, HZ_STALE_TLB, 1);
			ck_assert(mt.hz[0].outcomes[1].has_pa && mt.hz[0].outcomes[1].pa == PA1);
		}
		mt_fini(&mt);
	}
}
END_TEST

/*
 * D8.14.1 (break-before-make) and DESIGN §3: a rewrite while the regime's MMU is off, with
 * the TLBI completed before the MMU is turned on again, can never be observed.
 *   (MMU on) ldr [VX]; msr sctlr_el2 (off); isb; str (VX -> PA2), [desc]; dc ivac, desc;
 *   dsb ish; tlbi alle2; dsb ish; isb; msr sctlr_el2 (on); isb; ldr [VX]
 * Clean. mode 1: the same rewrite with the MMU on (bbm at the store). mode 2: MMU off, but
 * turned on again before any TLBI (bbm, named at the store). mode 3: the TLBI is issued but
 * no DSB completes it before the MMU is on (bbm).
 */
START_TEST(bbm_only_where_the_regime_can_look_up_D8_14_1)
{
	for (int mode = 0; mode < 4; mode++) {
		struct machine mt;
		mt_init(&mt);
		uint64_t a = table_with(&mt, PA1, PA1);
		uint64_t dpa = mt_desc_pa(&mt, a, VX, 3);
		two_pages(&mt);
		mt_mmu_on(&mt, 0, a, SCTLR_ON);
		ev_load(&mt, 0, VX, 8);
		if (mode != 1) {
			ev_msr(&mt, 0, SR_SCTLR_EL2, SCTLR_EL2_BOOT);
			ev_isb(&mt, 0);
		}
		mt_clear(&mt);
		mt.pc[0] = CODE + 0x40; /* the store's PC, to check where bbm is named */
		ev_store(&mt, 0, dpa, 8, PAGE(PA2, ATTR_WB));
		mt.pc[0] = CODE + 0x44;
		/* The cacheable walks left a clean copy of the line: drop it (B2.4, D7.5.x). */
		ev_dc(&mt, 0, DC_IVAC, dpa);
		ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
		if (mode == 0 || mode == 1 || mode == 3)
			ev_tlbi(&mt, 0, TLBI_ALLE2, 0);
		if (mode == 0 || mode == 1)
			ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
		ev_isb(&mt, 0);
		if (mode != 1) {
			ev_msr(&mt, 0, SR_SCTLR_EL2, SCTLR_ON);
			ev_isb(&mt, 0);
		}
		if (mode == 3)
			ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
		struct model_step_result r = ev_load(&mt, 0, VX, 8);
		ck_assert_uint_eq(r.tr.oa, PA2);
		if (mode == 0) {
			EXPECT_NONE(&mt);
		} else {
			EXPECT(&mt, HZ_BBM, 1);
			unsigned i = 0;
			while (mt.hz[i].cls != HZ_BBM)
				i++;
			ck_assert_uint_eq(mt.hz[i].pc, CODE + 0x40);
		}
		mt_fini(&mt);
	}
}
END_TEST

/*
 * D8.13.x: a TLBI completes only at a DSB for reads and writes of enough shareability
 * (B2.3.12). herd7 VMSA: the old entry may still translate the load (Allowed).
 *   str xzr, [desc]; dsb ish; tlbi vae2is, VX; {dsb ishst | dsb ishld | -}; isb; ldr [VX]
 * The load may use the old entry (missing-dsb); with dsb ish it faults for sure.
 */
START_TEST(pending_tlbi_keeps_old_entry_D8_13)
{
	for (int mode = 0; mode < 4; mode++) {
		struct machine mt;
		mt_init(&mt);
		uint64_t a = table_with(&mt, PA1, PA1);
		uint64_t dpa = mt_desc_pa(&mt, a, VX, 3);
		two_pages(&mt);
		mt_mmu_on(&mt, 0, a, SCTLR_ON);
		ev_load(&mt, 0, VX, 8);
		ev_store(&mt, 0, dpa, 8, 0);
		ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
		ev_tlbi(&mt, 0, TLBI_VAE2IS, VX);
		if (mode == 0)
			ev_dsb(&mt, 0, DOM_ISH, BAR_ST);
		else if (mode == 1)
			ev_dsb(&mt, 0, DOM_ISH, BAR_LD);
		else if (mode == 3)
			ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
		ev_isb(&mt, 0);
		mt_clear(&mt);
		struct model_step_result r = ev_load(&mt, 0, VX, 8);
		ck_assert_int_eq(r.fault.type, FAULT_TRANSLATION);
		if (mode == 3) {
			EXPECT_NONE(&mt);
		} else {
			EXPECT(&mt, HZ_MISSING_DSB, 1);
			EXPECT(&mt, HZ_STALE_TLB, 0);
		}
		mt_fini(&mt);
	}
}
END_TEST

/*
 * DESIGN §3 "One instant per access" / "Completion": without FEAT_ETS2 (the Cortex-A72) a
 * completed TLBI is guaranteed to affect the translation of a later data access only after
 * a context synchronisation event. herd7 VMSA coRWExpNExp-style:
 *   str xzr, [desc]; dsb ish; tlbi vae2, VX; dsb ish; [isb;] ldr [VX]
 * Without the ISB the load may translate through the old entry (missing-isb); with it, or
 * with FEAT_ETS2, it faults for sure.
 */
START_TEST(data_after_completed_tlbi_needs_isb_without_ets2_D8_13)
{
	for (int mode = 0; mode < 3; mode++) {
		bool isb = mode == 1, ets2 = mode == 2;
		struct machine mt;
		mt_init_ets2(&mt, ets2);
		uint64_t a = table_with(&mt, PA1, PA1);
		uint64_t dpa = mt_desc_pa(&mt, a, VX, 3);
		two_pages(&mt);
		mt_mmu_on(&mt, 0, a, SCTLR_ON);
		ev_load(&mt, 0, VX, 8);
		ev_store(&mt, 0, dpa, 8, 0);
		ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
		ev_tlbi(&mt, 0, TLBI_VAE2, VX);
		ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
		if (isb)
			ev_isb(&mt, 0);
		mt_clear(&mt);
		struct model_step_result r = ev_load(&mt, 0, VX, 8);
		ck_assert_int_eq(r.fault.type, FAULT_TRANSLATION);
		if (isb || ets2)
			EXPECT_NONE(&mt);
		else
			EXPECT(&mt, HZ_MISSING_ISB, 1);
		mt_fini(&mt);
	}
}
END_TEST

/*
 * The same for a table store made visible by a DSB (herd7 VMSA I2V-UP-DSB: Allowed without
 * FEAT_ETS2): invalid -> valid needs no TLBI, but a DSB and, without FEAT_ETS2, an ISB.
 *   str (VX -> PA1), [desc]; dsb ish; [isb;] ldr [VX]
 * Without the ISB the load may fault (missing-isb); with it, or with FEAT_ETS2, clean.
 */
START_TEST(data_after_visible_table_store_needs_isb_without_ets2_D8_13)
{
	for (int mode = 0; mode < 3; mode++) {
		bool isb = mode == 1, ets2 = mode == 2;
		struct machine mt;
		mt_init_ets2(&mt, ets2);
		uint64_t a = table_with(&mt, PA1, PA1);
		uint64_t dpa = mt_desc_pa(&mt, a, VX, 3);
		ram_w64(&mt, dpa, 0);
		two_pages(&mt);
		mt_mmu_on(&mt, 0, a, SCTLR_ON);
		mt_clear(&mt);
		ev_store(&mt, 0, dpa, 8, PAGE(PA1, ATTR_WB));
		ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
		if (isb)
			ev_isb(&mt, 0);
		struct model_step_result r = ev_load(&mt, 0, VX, 8);
		ck_assert_int_eq(r.fault.type, FAULT_NONE);
		if (isb || ets2) {
			EXPECT_NONE(&mt);
		} else {
			EXPECT(&mt, HZ_MISSING_ISB, 1);
			ck_assert(mt.hz[0].outcomes[1].fault);
		}
		mt_fini(&mt);
	}
}
END_TEST

/*
 * DESIGN §3 "TLB" (speculative walks), D8.13: while a descriptor was valid and the MMU on,
 * the TLB may have filled it at any time (herd7 VMSA needTLBI: Allowed).
 *   str (VX -> PA1), [desc]; dsb ish; tlbi vae2, VX; dsb ish; isb; ...
 *   str xzr, [desc]; dsb ish; isb; [tlbi vae2, VX; dsb ish; isb;] ldr [VX]
 * Without a TLBI after the invalidation the load may use the entry filled while it was
 * valid (stale-tlb).
 */
START_TEST(speculative_fill_while_valid_needs_tlbi_D8_13)
{
	for (int tlbi = 0; tlbi < 2; tlbi++) {
		struct machine mt;
		mt_init(&mt);
		uint64_t a = table_with(&mt, PA1, PA1);
		uint64_t dpa = mt_desc_pa(&mt, a, VX, 3);
		ram_w64(&mt, dpa, 0);
		two_pages(&mt);
		mt_mmu_on(&mt, 0, a, SCTLR_ON);
		ev_store(&mt, 0, dpa, 8, PAGE(PA1, ATTR_WB));
		ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
		ev_tlbi(&mt, 0, TLBI_VAE2, VX);
		ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
		ev_isb(&mt, 0);
		ev_load(&mt, 0, RAM_BASE + 0x100000, 8); /* other work */
		ev_store(&mt, 0, dpa, 8, 0);
		ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
		ev_isb(&mt, 0);
		if (tlbi) {
			ev_tlbi(&mt, 0, TLBI_VAE2, VX);
			ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
			ev_isb(&mt, 0);
		}
		mt_clear(&mt);
		struct model_step_result r = ev_load(&mt, 0, VX, 8);
		ck_assert_int_eq(r.fault.type, FAULT_TRANSLATION);
		if (tlbi)
			EXPECT_NONE(&mt);
		else
			EXPECT(&mt, HZ_STALE_TLB, 1);
		mt_fini(&mt);
	}
}
END_TEST

/*
 * Causes (DESIGN §3: each outcome names the event that created it): an entry holding a
 * descriptor value that was in memory before the MMU was turned on was made possible by the
 * MMU enable, not "at machine reset".
 *   (loader wrote VX -> PA1) MMU on; ldr [VX]; str (VX -> PA2), [desc] (no bbm, MMU on);
 *   ... the stale-tlb outcome's cause is the msr sctlr_el2 that turned the MMU on.
 */
START_TEST(stale_entry_cause_is_the_mmu_enable_D8_13)
{
	struct machine mt;
	mt_init(&mt);
	uint64_t a = table_with(&mt, PA1, PA1);
	uint64_t dpa = mt_desc_pa(&mt, a, VX, 3);
	two_pages(&mt);
	mt.pc[0] = CODE + 0x80;
	mt_mmu_on(&mt, 0, a, SCTLR_ON);
	mt.pc[0] = CODE + 0x100;
	ev_load(&mt, 0, VX, 8);
	/* BBM done right but without the TLBI: the old entry stays. */
	ev_store(&mt, 0, dpa, 8, 0);
	ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
	ev_store(&mt, 0, dpa, 8, PAGE(PA2, ATTR_WB));
	ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
	ev_isb(&mt, 0);
	mt_clear(&mt);
	ev_load(&mt, 0, VX, 8);
	EXPECT(&mt, HZ_STALE_TLB, 1);
	ck_assert_uint_ne(mt.hz[0].outcomes[1].cause.seq, 0);
	ck_assert_uint_eq(mt.hz[0].outcomes[1].cause.pc, CODE + 0x80);
	mt_fini(&mt);
}
END_TEST

/*
 * DESIGN §3 "Modified code"; Arm ARM B2.2.5 (concurrent modification and execution of
 * instructions), D7.5.x: an instruction fetched after a store to its bytes and before a
 * context synchronisation event may be the old or the new one, caches or not.
 *   (caches off) str wzr-nop, [pc + 4]; <falls through to pc + 4>      -> missing-isb
 *   the same with an ISB between                                      -> clean
 *   (MMU and caches on) str; dc cvau; dsb ish; ic ivau; dsb ish; br   -> icache-stale
 *   ... ic ivau; dsb ish; isb; br                                     -> clean
 */
START_TEST(modified_code_needs_context_sync_B2_2_5)
{
	for (int mode = 0; mode < 4; mode++) {
		bool mmu = mode >= 2, isb = mode & 1;
		struct machine mt;
		mt_init(&mt);
		uint64_t a = mt_idmap(&mt);
		ram_w64(&mt, CODE, 0xd503201fd503201f); /* nop; nop */
		ram_w64(&mt, CODE + 8, 0xd503201fd503201f);
		if (mmu)
			mt_mmu_on(&mt, 0, a, SCTLR_ON);
		ev_fetch(&mt, 0, CODE);
		ev_fetch(&mt, 0, CODE + 4);
		ev_fetch(&mt, 0, CODE + 8);
		mt_clear(&mt);
		ev_store(&mt, 0, CODE + 8, 4, 0xd65f03c0); /* ret over the next instruction */
		if (mmu) {
			ev_dc(&mt, 0, DC_CVAU, CODE + 8);
			ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
			ev_ic(&mt, 0, IC_IVAU, CODE + 8);
			ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
		}
		if (isb)
			ev_isb(&mt, 0);
		ev_fetch(&mt, 0, CODE + 8);
		if (isb) {
			EXPECT_NONE(&mt);
		} else {
			/* With the I-cache on, the invalidation reaches fetch at the ISB (D7.5.x):
			 * the old line is still there, named first as icache-stale. */
			EXPECT(&mt, mmu ? HZ_ICACHE_STALE : HZ_MISSING_ISB, 1);
			ck_assert_uint_eq(mt_total(&mt), 1);
			ck_assert_uint_eq(mt.hz[0].outcomes[1].value, 0xd503201f);
		}
		/* Later fetches of code nobody stored to are untouched. */
		mt_clear(&mt);
		ev_fetch(&mt, 0, CODE + 0x40);
		EXPECT_NONE(&mt);
		mt_fini(&mt);
	}
}
END_TEST

static Suite *fidelity_suite(void)
{
	Suite *s = suite_create("fidelity");
	TCase *tc = tcase_create("issue20");
	tcase_add_test(tc, mmu_on_after_completed_tlbi_one_instant_D8_13);
	tcase_add_test(tc, mmu_on_throughout_tlbi_dsb_br_needs_isb_D8_13);
	tcase_add_test(tc, tlbi_va_spares_other_va_leaf_D8_13);
	tcase_add_test(tc, tlbi_va_spares_other_va_permission_D8_13);
	tcase_add_test(tc, tlbi_va_spares_leaf_under_old_table_D8_13);
	tcase_add_test(tc, bbm_only_where_the_regime_can_look_up_D8_14_1);
	tcase_add_test(tc, pending_tlbi_keeps_old_entry_D8_13);
	tcase_add_test(tc, data_after_completed_tlbi_needs_isb_without_ets2_D8_13);
	tcase_add_test(tc, data_after_visible_table_store_needs_isb_without_ets2_D8_13);
	tcase_add_test(tc, speculative_fill_while_valid_needs_tlbi_D8_13);
	tcase_add_test(tc, stale_entry_cause_is_the_mmu_enable_D8_13);
	tcase_add_test(tc, modified_code_needs_context_sync_B2_2_5);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(fidelity_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
