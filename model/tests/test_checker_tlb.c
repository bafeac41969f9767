/*
 * test_checker_tlb.c - hazard classes of the hypsim checker (model.h): translation and context
 * synchronization (stale-tlb, bbm, missing-isb, the DSB a TLBI or a table store needs), each with
 * positive and negative cases built on the tiny machine of machine.h. Each test names the Arm ARM
 * rule it checks; the assembly each event sequence stands for is shown above it. Shared
 * definitions: test_checker.h.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "machine.h"
#include "test_checker.h"

/* D8.13: changing TTBR0_EL2 removes nothing from the TLB (no ASID in the EL2 regime). */
START_TEST(stale_tlb_ttbr_switch_without_tlbi_D8_13)
{
	struct machine mt;
	uint64_t a, b;
	mt_init(&mt);
	two_tables(&mt, &a, &b, PA2);
	mt_mmu_on(&mt, 0, a, SCTLR_ON);
	ev_load(&mt, 0, VX, 8); /* ldr x1, [VX]  (under A: PA1) */
	mt_clear(&mt);
	/* msr ttbr0_el2, B; isb; ldr x1, [VX] */
	ev_msr(&mt, 0, SR_TTBR0_EL2, b);
	ev_isb(&mt, 0);
	struct model_step_result r = ev_load(&mt, 0, VX, 8);
	ck_assert_uint_eq(r.tr.oa, PA2); /* coherent: the new tables */
	EXPECT(&mt, HZ_STALE_TLB, 1);
	ck_assert_uint_eq(mt.hz[0].n_outcomes, 2);
	ck_assert(mt.hz[0].outcomes[1].has_pa && mt.hz[0].outcomes[1].pa == PA1);
	ck_assert_ptr_nonnull(mt.hz[0].rule);
	mt_fini(&mt);
}
END_TEST

/*
 * D8.13, and the fold_key contract of model.h: an instruction fetched through a stale entry
 * that also loads from the same page through it makes two accesses, each with its own
 * report; folding must not merge a fetch with a load.
 */
START_TEST(stale_fetch_and_load_of_one_page_fold_apart_D8_13)
{
	struct machine mt;
	uint64_t a, b;
	mt_init(&mt);
	two_tables(&mt, &a, &b, PA2);
	ram_w64(&mt, PA1 + 8, 0x1111); /* the two pages differ at the loaded address */
	ram_w64(&mt, PA2 + 8, 0x2222);
	mt_mmu_on(&mt, 0, a, SCTLR_ON);
	ev_fetch(&mt, 0, VX);
	mt_clear(&mt);
	/* msr ttbr0_el2, B; isb; then at VX: ldr x1, [VX + 8] */
	ev_msr(&mt, 0, SR_TTBR0_EL2, b);
	ev_isb(&mt, 0);
	ev_fetch(&mt, 0, VX);
	ev_load(&mt, 0, VX + 8, 8);
	EXPECT(&mt, HZ_STALE_TLB, 2);
	ck_assert_int_eq(mt.hz[0].ev, EV_FETCH);
	ck_assert_int_eq(mt.hz[1].ev, EV_LOAD);
	ck_assert_uint_ne(mt.hz[0].fold_key, mt.hz[1].fold_key);
	mt_fini(&mt);
}
END_TEST

/* D8.13: a trampoline page (same VA -> same PA in both tables) gives one outcome. */
START_TEST(trampoline_same_pa_is_silent_D8_13)
{
	struct machine mt;
	uint64_t a, b;
	mt_init(&mt);
	two_tables(&mt, &a, &b, PA1);
	mt_mmu_on(&mt, 0, a, SCTLR_ON);
	ev_load(&mt, 0, VX, 8);
	mt_clear(&mt);
	/* msr ttbr0_el2, B; isb; ldr x1, [VX]; fetch from the idmapped code page */
	ev_msr(&mt, 0, SR_TTBR0_EL2, b);
	ev_fetch(&mt, 0, CODE + 4);
	ev_isb(&mt, 0);
	ev_load(&mt, 0, VX, 8);
	ev_fetch(&mt, 0, CODE + 8);
	EXPECT_NONE(&mt);
	mt_fini(&mt);
}
END_TEST

/* D8.13: walk-cache entries are not tagged with the TTBR: after a switch without TLBI, a walk
 * may start from the old tables' cached table entries and reach an invalid old entry. */
START_TEST(old_walk_cache_entries_can_fault_D8_13)
{
	struct machine mt;
	uint64_t a, b;
	mt_init(&mt);
	a = mt_idmap(&mt);
	b = mt_idmap(&mt);
	mt_map(&mt, a, VX, PA1, ATTR_WB);          /* A: VX mapped, VX + 4K invalid */
	mt_map(&mt, b, VX + 0x1000, PA2, ATTR_WB); /* B: VX + 4K mapped */
	mt_mmu_on(&mt, 0, a, SCTLR_ON);
	ev_load(&mt, 0, VX, 8);
	/* msr ttbr0_el2, B; isb; ldr x1, [VX + 4K] */
	ev_msr(&mt, 0, SR_TTBR0_EL2, b);
	ev_isb(&mt, 0);
	mt_clear(&mt);
	struct model_step_result r = ev_load(&mt, 0, VX + 0x1000, 8);
	ck_assert_uint_eq(r.tr.oa, PA2);
	EXPECT(&mt, HZ_STALE_TLB, 1);
	bool fault = false;
	for (unsigned k = 1; k < mt.hz[0].n_outcomes; k++)
		fault |=
		    mt.hz[0].outcomes[k].fault && mt.hz[0].outcomes[k].f.type == FAULT_TRANSLATION;
	ck_assert(fault);
	mt_fini(&mt);
}
END_TEST

/* D8.13 speculative walks: a VA never accessed under A may still be in the TLB. */
START_TEST(speculative_policy_flags_unaccessed_va_D8_13)
{
	for (int pol = 0; pol < 2; pol++) {
		struct machine mt;
		uint64_t a, b;
		mt_init_cfg(&mt, 1, pol ? TLB_POLICY_ACCESSED : TLB_POLICY_SPECULATIVE, false,
		            false);
		two_tables(&mt, &a, &b, PA2);
		mt_mmu_on(&mt, 0, a, SCTLR_ON);
		ev_fetch(&mt, 0, CODE);
		/* VY is never touched under A. msr ttbr0_el2, B; isb; ldr x1, [VY] */
		ev_msr(&mt, 0, SR_TTBR0_EL2, b);
		ev_isb(&mt, 0);
		mt_clear(&mt);
		ev_load(&mt, 0, VY, 8);
		EXPECT(&mt, HZ_STALE_TLB, pol ? 0u : 1u);
		mt_fini(&mt);
	}
}
END_TEST

/* D8.13 / B2.3.12: a TLBI completes only at a later DSB (DESIGN: TLBI ALLE2 then MSR
 * SCTLR without DSB). */
START_TEST(tlbi_without_dsb_is_missing_dsb_D8_13)
{
	for (int with_dsb = 0; with_dsb < 2; with_dsb++) {
		struct machine mt;
		uint64_t a, b;
		mt_init(&mt);
		two_tables(&mt, &a, &b, PA2);
		mt_mmu_on(&mt, 0, a, SCTLR_ON);
		ev_load(&mt, 0, VX, 8);
		/* msr sctlr_el2, (M=0); isb; msr ttbr0_el2, B; isb */
		ev_msr(&mt, 0, SR_SCTLR_EL2, SCTLR_EL2_BOOT);
		ev_isb(&mt, 0);
		ev_msr(&mt, 0, SR_TTBR0_EL2, b);
		ev_isb(&mt, 0);
		mt_clear(&mt);
		/* tlbi alle2; [dsb ish;] msr sctlr_el2, (M=1); isb; ldr x1, [VX] */
		ev_tlbi(&mt, 0, TLBI_ALLE2, 0);
		if (with_dsb)
			ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
		ev_msr(&mt, 0, SR_SCTLR_EL2, SCTLR_ON);
		ev_isb(&mt, 0);
		ev_load(&mt, 0, VX, 8);
		if (with_dsb) {
			EXPECT_NONE(&mt);
		} else {
			EXPECT(&mt, HZ_MISSING_DSB, 1);
			EXPECT(&mt, HZ_STALE_TLB, 0);
		}
		mt_fini(&mt);
	}
}
END_TEST

/* D1.x: TTBR0_EL2 written and a TLBI issued before the ISB: walks may still use the old
 * TTBR after the TLBI, so its entries may come back (msr ttbr; isb; tlbi is the order). */
START_TEST(tlbi_before_ttbr_sync_leaves_old_entries_D8_13_D1)
{
	struct machine mt;
	uint64_t a, b;
	mt_init(&mt);
	two_tables(&mt, &a, &b, PA2);
	mt_mmu_on(&mt, 0, a, SCTLR_ON);
	mt_clear(&mt);
	/* msr ttbr0_el2, B; tlbi alle2; dsb ish; isb; ldr x1, [VX] */
	ev_msr(&mt, 0, SR_TTBR0_EL2, b);
	ev_tlbi(&mt, 0, TLBI_ALLE2, 0);
	ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
	ev_isb(&mt, 0);
	ev_load(&mt, 0, VX, 8);
	EXPECT(&mt, HZ_STALE_TLB, 1);
	mt_clear(&mt);
	/* msr ttbr0_el2, A; isb; tlbi alle2; dsb ish; isb; ldr x1, [VX]: clean */
	ev_msr(&mt, 0, SR_TTBR0_EL2, a);
	ev_isb(&mt, 0);
	ev_tlbi(&mt, 0, TLBI_ALLE2, 0);
	ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
	ev_isb(&mt, 0);
	ev_load(&mt, 0, VX, 8);
	EXPECT_NONE(&mt);
	mt_fini(&mt);
}
END_TEST

/* D1.x context synchronization: SCTLR_EL2.M written, no ISB yet. */
START_TEST(mmu_enable_without_isb_D1_context_sync)
{
	struct machine mt;
	mt_init(&mt);
	uint64_t a = mt_idmap(&mt);
	/* A VA that is also a PA of RAM but mapped elsewhere: old (MMU off) and new differ. */
	uint64_t elsewhere = CODE + 0x3000;
	mt_map(&mt, a, elsewhere, PA1, ATTR_WB);
	ev_msr(&mt, 0, SR_MAIR_EL2, MT_MAIR);
	ev_msr(&mt, 0, SR_TCR_EL2, MT_TCR_EL2);
	ev_msr(&mt, 0, SR_TTBR0_EL2, a);
	ev_isb(&mt, 0);
	ram_w64(&mt, PA1, 0xd503201fd503201f); /* nop; nop */
	mt_clear(&mt);
	/* msr sctlr_el2, x0 (M=1); next fetch from the identity-mapped page: silent */
	ev_msr(&mt, 0, SR_SCTLR_EL2, SCTLR_ON);
	ev_fetch(&mt, 0, CODE + 4);
	EXPECT_NONE(&mt);
	/* a fetch from the page mapped elsewhere before the ISB: missing-isb */
	ev_fetch(&mt, 0, elsewhere);
	EXPECT(&mt, HZ_MISSING_ISB, 1);
	ck_assert_ptr_nonnull(strstr(mt.hz[0].outcomes[1].cause.what, "SCTLR_EL2"));
	ck_assert_uint_eq(mt.hz[0].outcomes[1].cause.kind, EV_SYSREG);
	mt_clear(&mt);
	ev_isb(&mt, 0);
	ev_fetch(&mt, 0, elsewhere);
	EXPECT_NONE(&mt);
	mt_fini(&mt);
}
END_TEST

/* DESIGN §3 clean cases: `tlbi alle2; dsb sy; msr sctlr_el2, x0; isb` in an idmap, with
 * the ISB fetched under both contexts; and a TTBR switch with the MMU off. */
START_TEST(clean_mmu_enable_and_mmu_off_switch_D8_13_D1)
{
	struct machine mt;
	uint64_t a, b;
	mt_init(&mt);
	two_tables(&mt, &a, &b, PA2);
	ev_fetch(&mt, 0, CODE);
	ev_msr(&mt, 0, SR_MAIR_EL2, MT_MAIR);
	ev_msr(&mt, 0, SR_TCR_EL2, MT_TCR_EL2);
	ev_msr(&mt, 0, SR_TTBR0_EL2, a);
	ev_isb(&mt, 0);
	ev_tlbi(&mt, 0, TLBI_ALLE2, 0);
	ev_dsb(&mt, 0, DOM_SY, BAR_ALL);
	ev_msr(&mt, 0, SR_SCTLR_EL2, SCTLR_ON);
	ev_fetch(&mt, 0, CODE + 0x10); /* the isb itself, fetched under both contexts */
	ev_isb(&mt, 0);
	ev_fetch(&mt, 0, CODE + 0x14);
	ev_load(&mt, 0, VX, 8);
	EXPECT_NONE(&mt);
	/* MMU off; msr ttbr0_el2, B; isb; tlbi alle2; dsb sy; MMU on: clean */
	ev_msr(&mt, 0, SR_SCTLR_EL2, SCTLR_EL2_BOOT);
	ev_isb(&mt, 0);
	ev_msr(&mt, 0, SR_TTBR0_EL2, b);
	ev_isb(&mt, 0);
	ev_tlbi(&mt, 0, TLBI_ALLE2, 0);
	ev_dsb(&mt, 0, DOM_SY, BAR_ALL);
	ev_msr(&mt, 0, SR_SCTLR_EL2, SCTLR_ON);
	ev_isb(&mt, 0);
	ev_load(&mt, 0, VX, 8);
	ev_fetch(&mt, 0, CODE + 0x18);
	EXPECT_NONE(&mt);
	mt_fini(&mt);
}
END_TEST

/* B2.3.12, D8.2: a walk is guaranteed to observe a store to a translation table only after a
 * DSB; `str desc (invalid -> valid); isb; ldr` may still fault on the old entry. `dsb ishst`
 * publishes the store, `dsb ishld` does not. */
START_TEST(new_mapping_used_before_its_dsb_is_missing_dsb_B2_3_12_D8_2)
{
	for (int variant = 0; variant < 3; variant++) {
		struct machine mt;
		mt_init(&mt);
		uint64_t a = mt_idmap(&mt);
		uint64_t dpa = mt_desc_pa(&mt, a, VX, 3); /* VX invalid for now */
		mt_mmu_on(&mt, 0, a, SCTLR_ON);
		mt_clear(&mt);
		/* str x1, [dpa]; [dsb ishst | dsb ishld;] isb; ldr x2, [VX] */
		ev_store(&mt, 0, dpa, 8, PAGE(PA1, ATTR_WB));
		if (variant == 1)
			ev_dsb(&mt, 0, DOM_ISH, BAR_ST);
		if (variant == 2)
			ev_dsb(&mt, 0, DOM_ISH, BAR_LD);
		ev_isb(&mt, 0);
		ev_load(&mt, 0, VX, 8);
		if (variant == 1) {
			EXPECT_NONE(&mt);
		} else {
			EXPECT(&mt, HZ_MISSING_DSB, 1);
			EXPECT(&mt, HZ_STALE_TLB, 0);
		}
		mt_fini(&mt);
	}
}
END_TEST

/* B2.3.12, D8.13: likewise for TLB maintenance: `tlbi; dsb ishst` leaves the TLBI incomplete
 * (the `dsb ishst` before a TLBI publishes the table stores; the one after must be `dsb ish`). */
START_TEST(tlbi_then_dsb_ishst_is_missing_dsb_B2_3_12)
{
	for (int full = 0; full < 2; full++) {
		struct machine mt;
		uint64_t a, b;
		mt_init(&mt);
		two_tables(&mt, &a, &b, PA2);
		mt_mmu_on(&mt, 0, a, SCTLR_ON);
		ev_load(&mt, 0, VX, 8);
		ev_msr(&mt, 0, SR_SCTLR_EL2, SCTLR_EL2_BOOT);
		ev_isb(&mt, 0);
		ev_msr(&mt, 0, SR_TTBR0_EL2, b);
		ev_isb(&mt, 0);
		mt_clear(&mt);
		/* tlbi alle2; dsb ishst | dsb ish; msr sctlr_el2, (M=1); isb; ldr x1, [VX] */
		ev_tlbi(&mt, 0, TLBI_ALLE2, 0);
		ev_dsb(&mt, 0, DOM_ISH, full ? BAR_ALL : BAR_ST);
		ev_msr(&mt, 0, SR_SCTLR_EL2, SCTLR_ON);
		ev_isb(&mt, 0);
		ev_load(&mt, 0, VX, 8);
		if (full) {
			EXPECT_NONE(&mt);
		} else {
			EXPECT(&mt, HZ_MISSING_DSB, 1);
			EXPECT(&mt, HZ_STALE_TLB, 0);
		}
		mt_fini(&mt);
	}
}
END_TEST

/* D8.13: TLBI VALE2 removes last-level entries only; the walk cache keeps the old table. */
static void walk_cache_case(enum tlbi_op op)
{
	struct machine mt;
	mt_init(&mt);
	uint64_t a = mt_idmap(&mt);
	mt_map(&mt, a, VX, PA1, ATTR_WB);
	uint64_t l2 = mt_desc_pa(&mt, a, VX, 2);
	uint64_t t2 = mt_table(&mt); /* new level 3 table: VX -> PA2 */
	ram_w64(&mt, t2 + 8 * ((VX >> 12) & 511), PAGE(PA2, ATTR_WB));
	mt_mmu_on(&mt, 0, a, SCTLR_ON);
	ev_load(&mt, 0, VX, 8);
	/* str xzr, [l2]; dsb ish; tlbi op, VX; dsb ish; str x2, [l2]; dsb ish; isb */
	ev_store(&mt, 0, l2, 8, 0);
	ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
	ev_tlbi(&mt, 0, op, VX);
	ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
	ev_store(&mt, 0, l2, 8, t2 | DESC_VALID | DESC_TABLE);
	ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
	ev_isb(&mt, 0);
	if (op == TLBI_VAE2)
		EXPECT_NONE(&mt);
	mt_clear(&mt);
	struct model_step_result r = ev_load(&mt, 0, VX, 8);
	ck_assert_uint_eq(r.tr.oa, PA2);
	if (op == TLBI_VAE2)
		EXPECT_NONE(&mt);
	else
		EXPECT(&mt, HZ_STALE_TLB, 1);
	mt_fini(&mt);
}

START_TEST(tlbi_vale2_keeps_walk_cache_stale_tlb_D8_13)
{
	walk_cache_case(TLBI_VALE2);
}
END_TEST

START_TEST(tlbi_vae2_removes_walk_cache_D8_13)
{
	walk_cache_case(TLBI_VAE2);
}
END_TEST

/* D8.14.1: changing the OA of a live valid descriptor needs break-before-make. */
START_TEST(bbm_valid_to_valid_on_live_mapping_D8_14_1)
{
	struct machine mt;
	mt_init(&mt);
	uint64_t a = mt_idmap(&mt);
	uint64_t dpa = mt_map(&mt, a, VX, PA1, ATTR_WB);
	mt_mmu_on(&mt, 0, a, SCTLR_ON);
	mt_clear(&mt);
	/* str x1, [dpa] (VX -> PA2); dsb ish */
	ev_store(&mt, 0, dpa, 8, PAGE(PA2, ATTR_WB));
	ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
	EXPECT(&mt, HZ_BBM, 1);
	/* AP change (read-only) on another live descriptor needs no BBM */
	uint64_t dpa_y = mt_desc_pa(&mt, a, VY, 3);
	mt_clear(&mt);
	ev_store(&mt, 0, dpa_y, 8, PAGE(PA1, ATTR_WB) | DESC_AP2);
	ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
	EXPECT(&mt, HZ_BBM, 0);
	mt_fini(&mt);
}
END_TEST

START_TEST(bbm_full_sequence_is_clean_D8_14_1)
{
	struct machine mt;
	mt_init(&mt);
	uint64_t a = mt_idmap(&mt);
	uint64_t dpa = mt_map(&mt, a, VX, PA1, ATTR_WB);
	mt_mmu_on(&mt, 0, a, SCTLR_ON);
	ev_load(&mt, 0, VX, 8);
	mt_clear(&mt);
	/* str xzr, [dpa]; dsb ishst; tlbi vae2, VX; dsb ish; str x1, [dpa]; dsb ish; isb */
	ev_store(&mt, 0, dpa, 8, 0);
	ev_dsb(&mt, 0, DOM_ISH, BAR_ST);
	ev_tlbi(&mt, 0, TLBI_VAE2, VX);
	ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
	ev_store(&mt, 0, dpa, 8, PAGE(PA2, ATTR_WB));
	ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
	ev_isb(&mt, 0);
	struct model_step_result r = ev_load(&mt, 0, VX, 8);
	ck_assert_uint_eq(r.tr.oa, PA2);
	EXPECT_NONE(&mt);
	mt_fini(&mt);
}
END_TEST

/* model_event.u.mem.pa (traces that record PAs, sim/check/casemate.h): the store is not
 * translated (VX as a PA, not the PA1 the live tables give VX), and a store by PA to a live
 * descriptor is checked for break-before-make as any store. */
static struct model_step_result store_by_pa(struct machine *mt, uint64_t pa, uint64_t value)
{
	struct model_event ev = {.kind = EV_STORE, .cpu = 0};
	ev.u.mem.va = pa;
	ev.u.mem.size = 8;
	ev.u.mem.value = value;
	ev.u.mem.pa = true;
	struct model_step_result r = mt_step(mt, &ev);
	if (pa >= RAM_BASE && pa + 8 <= RAM_BASE + RAM_SIZE)
		memcpy(mt->ram + (pa - RAM_BASE), &value, 8);
	return r;
}

START_TEST(store_by_pa_is_untranslated_and_checked_for_bbm_D8_14_1)
{
	struct machine mt;
	mt_init(&mt);
	uint64_t a = mt_idmap(&mt);
	uint64_t dpa = mt_map(&mt, a, VX, PA1, ATTR_WB);
	mt_mmu_on(&mt, 0, a, SCTLR_ON);
	mt_clear(&mt);
	struct model_step_result r = store_by_pa(&mt, VX, 1);
	ck_assert(!r.mmu_on);
	ck_assert_int_eq(r.fault.type, FAULT_NONE);
	ck_assert_uint_eq(r.tr.oa, VX);
	EXPECT_NONE(&mt);
	store_by_pa(&mt, dpa, PAGE(PA2, ATTR_WB));
	ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
	EXPECT(&mt, HZ_BBM, 1);
	mt_fini(&mt);
}
END_TEST

/* D8.14.1 / D8.13: valid -> invalid -> valid' without the TLBI still needs BBM. */
START_TEST(bbm_without_tlbi_D8_14_1)
{
	struct machine mt;
	mt_init(&mt);
	uint64_t a = mt_idmap(&mt);
	uint64_t dpa = mt_map(&mt, a, VX, PA1, ATTR_WB);
	mt_mmu_on(&mt, 0, a, SCTLR_ON);
	mt_clear(&mt);
	/* str xzr, [dpa]; dsb ish; str x1, [dpa] */
	ev_store(&mt, 0, dpa, 8, 0);
	ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
	ev_store(&mt, 0, dpa, 8, PAGE(PA2, ATTR_WB));
	ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
	EXPECT(&mt, HZ_BBM, 1);
	mt_fini(&mt);
}
END_TEST

/* D8.13: a store to a live table must be made visible by a DSB before the TLBI. */
START_TEST(table_store_then_tlbi_without_dsb_D8_13)
{
	for (int dsb = 0; dsb < 2; dsb++) {
		struct machine mt;
		mt_init(&mt);
		uint64_t a = mt_idmap(&mt);
		uint64_t dpa = mt_map(&mt, a, VX, PA1, ATTR_WB);
		mt_mmu_on(&mt, 0, a, SCTLR_ON);
		mt_clear(&mt);
		/* str xzr, [dpa]; [dsb ishst;] tlbi vae2, VX; dsb ish */
		ev_store(&mt, 0, dpa, 8, 0);
		if (dsb)
			ev_dsb(&mt, 0, DOM_ISH, BAR_ST);
		ev_tlbi(&mt, 0, TLBI_VAE2, VX);
		ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
		EXPECT(&mt, HZ_MISSING_DSB, dsb ? 0u : 1u);
		mt_fini(&mt);
	}
}
END_TEST

/* D8.13: DC by VA translates through the TLB: a stale entry names the wrong PA. */
START_TEST(dc_by_va_uses_stale_tlb_D8_13)
{
	struct machine mt;
	uint64_t a, b;
	mt_init(&mt);
	two_tables(&mt, &a, &b, PA2);
	mt_mmu_on(&mt, 0, a, SCTLR_ON);
	ev_msr(&mt, 0, SR_TTBR0_EL2, b);
	ev_isb(&mt, 0);
	mt_clear(&mt);
	ev_dc(&mt, 0, DC_CVAC, VX);
	EXPECT(&mt, HZ_STALE_TLB, 1);
	mt_fini(&mt);
}
END_TEST

/* The fast path must not hide a hazard that appears after it cached a translation. */
START_TEST(fast_path_revalidates_after_ttbr_switch)
{
	struct machine mt;
	uint64_t a, b;
	mt_init(&mt);
	two_tables(&mt, &a, &b, PA2);
	mt_mmu_on(&mt, 0, a, SCTLR_ON);
	for (int i = 0; i < 10; i++)
		ev_load(&mt, 0, VX, 8);
	EXPECT_NONE(&mt);
	ev_msr(&mt, 0, SR_TTBR0_EL2, b);
	ev_isb(&mt, 0);
	ev_load(&mt, 0, VX, 8);
	EXPECT(&mt, HZ_STALE_TLB, 1);
	ck_assert_uint_eq(model_seq(mt.m) > 10, 1);
	mt_fini(&mt);
}
END_TEST

/* D8.14.1: a table switch without TLBI that leaves a 2 MiB block and a 4K page for one VA
 * in the TLB risks a TLB conflict, even when both give the same PA. */
START_TEST(ttbr_switch_two_sizes_for_one_va_bbm_D8_14_1)
{
	struct machine mt;
	mt_init(&mt);
	uint64_t a = mt_idmap(&mt), b = mt_idmap(&mt);
	mt_map_block(&mt, a, VY, PA1 & ~UINT64_C(0x1fffff), ATTR_WB); /* 2 MiB block in A */
	mt_map(&mt, b, VY, PA1 & ~UINT64_C(0x1fffff), ATTR_WB);       /* 4K page in B */
	mt_mmu_on(&mt, 0, a, SCTLR_ON);
	ev_load(&mt, 0, VY, 8);
	/* msr ttbr0_el2, B; isb; ldr x1, [VY] */
	ev_msr(&mt, 0, SR_TTBR0_EL2, b);
	ev_isb(&mt, 0);
	mt_clear(&mt);
	ev_load(&mt, 0, VY, 8);
	EXPECT(&mt, HZ_BBM, 1);
	EXPECT(&mt, HZ_STALE_TLB, 0); /* same PA, same bytes: one outcome */
	mt_fini(&mt);
}
END_TEST

/* D8.13 (no FEAT_ETS): a completed TLBI affects instruction fetch only after a context
 * synchronisation event. */
START_TEST(fetch_after_tlbi_needs_isb_without_ets_D8_13)
{
	for (int isb = 0; isb < 2; isb++) {
		struct machine mt;
		mt_init(&mt);
		uint64_t a = mt_idmap(&mt);
		uint64_t dpa = mt_map(&mt, a, VX, PA1, ATTR_WB);
		ram_w64(&mt, PA1, 0xd503201fd503201f);
		ram_w64(&mt, PA2, 0xd65f03c0d65f03c0);
		mt_mmu_on(&mt, 0, a, SCTLR_ON);
		ev_fetch(&mt, 0, VX);
		/* str xzr, [dpa]; dsb ishst; tlbi vae2, VX; dsb ish; str x1, [dpa] (VX -> PA2);
		 * dsb ish; [isb;] br VX */
		ev_store(&mt, 0, dpa, 8, 0);
		ev_dsb(&mt, 0, DOM_ISH, BAR_ST);
		ev_tlbi(&mt, 0, TLBI_VAE2, VX);
		ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
		ev_store(&mt, 0, dpa, 8, PAGE(PA2, ATTR_WB));
		ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
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

/* D1.10 / D17.1: VBAR_EL2 written, exception taken before an ISB: either vector. */
START_TEST(vbar_written_without_isb_D1_10)
{
	struct machine mt;
	mt_init(&mt);
	ev_msr(&mt, 0, SR_VBAR_EL2, RAM_BASE + 0x800);
	ev_exc(&mt, 0, true, (uint64_t)EC_HVC64 << ESR_EC_SHIFT);
	EXPECT(&mt, HZ_MISSING_ISB, 1);
	mt_clear(&mt);
	ev_msr(&mt, 0, SR_VBAR_EL2, RAM_BASE + 0x1000);
	ev_isb(&mt, 0);
	ev_exc(&mt, 0, true, (uint64_t)EC_HVC64 << ESR_EC_SHIFT);
	EXPECT_NONE(&mt);
	mt_fini(&mt);
}
END_TEST

/* EL1&0 regime (D8.1): TTBR0_EL1 switched without TLBI while running at EL1. */
START_TEST(el1_regime_stale_tlb_D8_13)
{
	struct machine mt;
	uint64_t a, b;
	mt_init(&mt);
	two_tables(&mt, &a, &b, PA2);
	ev_msr(&mt, 0, SR_MAIR_EL1, MT_MAIR);
	ev_msr(&mt, 0, SR_TCR_EL1,
	       25 | (UINT64_C(1) << 8) | (UINT64_C(1) << 10) | (UINT64_C(3) << 12) | TCR_EL1_EPD1 |
	           (UINT64_C(2) << TCR_EL1_IPS_SHIFT));
	ev_msr(&mt, 0, SR_TTBR0_EL1, a);
	ev_msr(&mt, 0, SR_SCTLR_EL1, SCTLR_EL1_BOOT | SCTLR_ELx_M | SCTLR_ELx_C | SCTLR_ELx_I);
	ev_isb(&mt, 0);
	struct model_event er = {.kind = EV_ERET};
	er.u.eret.from_el = 2;
	er.u.eret.to_el = 1;
	mt_step(&mt, &er); /* eret to EL1h */
	ck_assert_uint_eq(model_cpu_el(mt.m, 0), 1);
	struct model_step_result r = ev_load(&mt, 0, VX, 8);
	ck_assert_uint_eq(r.tr.oa, PA1);
	mt_clear(&mt);
	/* msr ttbr0_el1, B (same ASID 0, global entries); isb; ldr x1, [VX] */
	ev_msr(&mt, 0, SR_TTBR0_EL1, b);
	ev_isb(&mt, 0);
	ev_load(&mt, 0, VX, 8);
	EXPECT(&mt, HZ_STALE_TLB, 1);
	mt_clear(&mt);
	/* tlbi vmalle1; dsb nsh; isb: clean */
	ev_tlbi(&mt, 0, TLBI_VMALLE1, 0);
	ev_dsb(&mt, 0, DOM_NSH, BAR_ALL);
	ev_isb(&mt, 0);
	ev_load(&mt, 0, VX, 8);
	EXPECT_NONE(&mt);
	mt_fini(&mt);
}
END_TEST

/* D8.14.1 under the `accessed` policy: an entry removed by a TLBI and re-filled by a later
 * access is live again, so rewriting its descriptor still needs break-before-make. */
START_TEST(accessed_policy_refill_after_tlbi_bbm_D8_14_1)
{
	struct machine mt;
	mt_init_cfg(&mt, 1, TLB_POLICY_ACCESSED, false, false);
	uint64_t a = mt_idmap(&mt);
	uint64_t dpa = mt_map(&mt, a, VX, PA1, ATTR_WB);
	mt_mmu_on(&mt, 0, a, SCTLR_ON);
	ev_load(&mt, 0, VX, 8);
	ev_load(&mt, 0, VX, 8);
	/* tlbi vae2, VX; dsb ish; isb; ldr x1, [VX] (re-fills the entry) */
	ev_tlbi(&mt, 0, TLBI_VAE2, VX);
	ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
	ev_isb(&mt, 0);
	ev_load(&mt, 0, VX, 8);
	mt_clear(&mt);
	/* str x1, [dpa] (VX -> PA2) */
	ev_store(&mt, 0, dpa, 8, PAGE(PA2, ATTR_WB));
	ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
	EXPECT(&mt, HZ_BBM, 1);
	mt_fini(&mt);
}
END_TEST

/* A 16-byte store delivered as two 8-byte events before it lands (as the simulator does for
 * STP): the descriptor change is still seen, and break-before-make still checked (D8.14.1). */
START_TEST(split_wide_store_to_live_table_bbm_D8_14_1)
{
	struct machine mt;
	mt_init(&mt);
	uint64_t a = mt_idmap(&mt);
	uint64_t dpa = mt_map(&mt, a, VX, PA1, ATTR_WB);
	mt_map(&mt, a, VX + 0x1000, PA1 + 0x1000, ATTR_WB);
	mt_mmu_on(&mt, 0, a, SCTLR_ON);
	mt_clear(&mt);
	/* stp x1, x2, [dpa]: VX -> PA2, VX + 4K unchanged */
	struct model_event ev = {.kind = EV_STORE, .pc = CODE};
	ev.u.mem.va = dpa;
	ev.u.mem.size = 8;
	ev.u.mem.value = PAGE(PA2, ATTR_WB);
	mt_step(&mt, &ev);
	ev.u.mem.va = dpa + 8;
	ev.u.mem.value = 0; /* the simulator does not know the upper half's value */
	mt_step(&mt, &ev);
	ram_w64(&mt, dpa, PAGE(PA2, ATTR_WB)); /* now the store lands */
	ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
	EXPECT(&mt, HZ_BBM, 1);
	ck_assert_uint_eq(mt.hz[0].outcomes[0].cause.seq, model_seq(mt.m) - 2);
	mt_fini(&mt);
}
END_TEST

/*
 * The implemented PA size (model_cfg.pa_bits, the CPU's ID_AA64MMFR0_EL1.PARange) caps
 * TCR_EL2.PS: a PS above it behaves as the implemented size (TCR_EL2.PS, D17.2.131;
 * AArch64.PAMax() in AArch64.S1Walk), and an output address at or above 2^size is an
 * Address size fault (AArch64.OAOutOfRange). mt_pa_cpu: the machine of machine.h on a CPU
 * of pa_bits, EL2 MMU on with TCR_EL2.PS = 0b101 (48 bits), VX -> OA_2_44 + 0x123000.
 */
#define OA_2_44 (UINT64_C(1) << 44)

static uint64_t mt_pa_cpu(struct machine *mt, unsigned pa_bits, uint64_t *dpa)
{
	mt_init(mt);
	model_free(mt->m);
	struct model_cfg cfg = {.ncpus = 1,
	                        .tlb_policy = TLB_POLICY_SPECULATIVE,
	                        .pa_bits = pa_bits,
	                        .on_hazard = mt_on_hazard,
	                        .hazard_arg = mt};
	mt->m = model_new(&cfg, &mt->ops);
	uint64_t root = mt_idmap(mt);
	*dpa = mt_map(mt, root, VX, OA_2_44 + 0x123000, ATTR_WB);
	ev_msr(mt, 0, SR_MAIR_EL2, MT_MAIR);
	ev_msr(mt, 0, SR_TCR_EL2,
	       (MT_TCR_EL2 & ~(UINT64_C(7) << TCR_EL2_PS_SHIFT)) |
	           (UINT64_C(5) << TCR_EL2_PS_SHIFT));
	ev_msr(mt, 0, SR_TTBR0_EL2, root);
	ev_isb(mt, 0);
	ev_tlbi(mt, 0, TLBI_ALLE2, 0);
	ev_dsb(mt, 0, DOM_SY, BAR_ALL);
	ev_msr(mt, 0, SR_SCTLR_EL2, SCTLR_ON);
	ev_isb(mt, 0);
	return root;
}

START_TEST(oa_above_parange_with_ps_48_is_address_size_fault_D17_2_131_OAOutOfRange)
{
	/* ldr x0, [VX+8] on a 44-bit CPU (the Cortex-A72): PS = 48 bits walks as 44, the OA
	 * 2^44 + 0x123008 is out of range: a level 3 Address size fault, certain (an event,
	 * no hazard). */
	struct machine mt;
	uint64_t dpa;
	mt_pa_cpu(&mt, 44, &dpa);
	struct model_step_result r = ev_load(&mt, 0, VX + 8, 8);
	ck_assert_int_eq(r.fault.type, FAULT_ADDRESS_SIZE);
	ck_assert_int_eq(r.fault.level, 3);
	EXPECT_NONE(&mt);
	mt_fini(&mt);
	/* The same tables on a 48-bit CPU: PS = 48 bits holds, the load translates. */
	mt_pa_cpu(&mt, 48, &dpa);
	r = ev_load(&mt, 0, VX + 8, 8);
	ck_assert_int_eq(r.fault.type, FAULT_NONE);
	ck_assert_uint_eq(r.tr.oa, OA_2_44 + 0x123008);
	EXPECT_NONE(&mt);
	mt_fini(&mt);
}
END_TEST

START_TEST(oa_above_parange_is_never_cached_so_no_bbm_D8_14_1)
{
	/* DESIGN §3 "TLB": a translation that would fault (Address size included) is never
	 * cached, so replacing VX's out-of-range OA by PA1 is invalid -> valid for the TLB of
	 * a 44-bit CPU: no break-before-make. On a 48-bit CPU the old OA is a valid live
	 * translation, and changing it without BBM is a bbm hazard (D8.14.1). */
	static const struct {
		unsigned pa_bits, bbm;
	} cases[] = {{44, 0}, {48, 1}};
	for (unsigned i = 0; i < 2; i++) {
		struct machine mt;
		uint64_t dpa;
		mt_pa_cpu(&mt, cases[i].pa_bits, &dpa);
		mt_clear(&mt);
		/* str x1, [dpa] (VX -> PA1); dsb ish */
		ev_store(&mt, 0, dpa, 8, PAGE(PA1, ATTR_WB));
		ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
		EXPECT(&mt, HZ_BBM, cases[i].bbm);
		mt_fini(&mt);
	}
}
END_TEST

START_TEST(mmu_off_pa_above_parange_is_address_size_fault_S1DisabledOutput)
{
	/* AArch64.S1DisabledOutput: with the MMU off the VA is the PA; at or above 2^44 on a
	 * 44-bit CPU it is a level 0 Address size fault (a certain one: no hazard), below it
	 * an access (here to nothing: the machine decides what is there). */
	struct machine mt;
	mt_init(&mt);
	struct model_step_result r = ev_load(&mt, 0, OA_2_44 + 0x10, 8);
	ck_assert(!r.mmu_on);
	ck_assert_int_eq(r.fault.type, FAULT_ADDRESS_SIZE);
	ck_assert_int_eq(r.fault.level, 0);
	r = ev_load(&mt, 0, OA_2_44 - 0x10, 8);
	ck_assert_int_eq(r.fault.type, FAULT_NONE);
	EXPECT_NONE(&mt);
	mt_fini(&mt);
}
END_TEST

static Suite *checker_suite(void)
{
	Suite *s = suite_create("checker");
	TCase *tc = tcase_create("hazards");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, stale_tlb_ttbr_switch_without_tlbi_D8_13);
	tcase_add_test(tc, stale_fetch_and_load_of_one_page_fold_apart_D8_13);
	tcase_add_test(tc, trampoline_same_pa_is_silent_D8_13);
	tcase_add_test(tc, old_walk_cache_entries_can_fault_D8_13);
	tcase_add_test(tc, speculative_policy_flags_unaccessed_va_D8_13);
	tcase_add_test(tc, tlbi_without_dsb_is_missing_dsb_D8_13);
	tcase_add_test(tc, tlbi_before_ttbr_sync_leaves_old_entries_D8_13_D1);
	tcase_add_test(tc, mmu_enable_without_isb_D1_context_sync);
	tcase_add_test(tc, clean_mmu_enable_and_mmu_off_switch_D8_13_D1);
	tcase_add_test(tc, tlbi_then_dsb_ishst_is_missing_dsb_B2_3_12);
	tcase_add_test(tc, new_mapping_used_before_its_dsb_is_missing_dsb_B2_3_12_D8_2);
	tcase_add_test(tc, tlbi_vale2_keeps_walk_cache_stale_tlb_D8_13);
	tcase_add_test(tc, tlbi_vae2_removes_walk_cache_D8_13);
	tcase_add_test(tc, bbm_valid_to_valid_on_live_mapping_D8_14_1);
	tcase_add_test(tc, bbm_full_sequence_is_clean_D8_14_1);
	tcase_add_test(tc, bbm_without_tlbi_D8_14_1);
	tcase_add_test(tc, store_by_pa_is_untranslated_and_checked_for_bbm_D8_14_1);
	tcase_add_test(tc, table_store_then_tlbi_without_dsb_D8_13);
	tcase_add_test(tc, dc_by_va_uses_stale_tlb_D8_13);
	tcase_add_test(tc, fast_path_revalidates_after_ttbr_switch);
	tcase_add_test(tc, ttbr_switch_two_sizes_for_one_va_bbm_D8_14_1);
	tcase_add_test(tc, fetch_after_tlbi_needs_isb_without_ets_D8_13);
	tcase_add_test(tc, vbar_written_without_isb_D1_10);
	tcase_add_test(tc, el1_regime_stale_tlb_D8_13);
	tcase_add_test(tc, split_wide_store_to_live_table_bbm_D8_14_1);
	tcase_add_test(tc, accessed_policy_refill_after_tlbi_bbm_D8_14_1);
	tcase_add_test(tc,
	               oa_above_parange_with_ps_48_is_address_size_fault_D17_2_131_OAOutOfRange);
	tcase_add_test(tc, oa_above_parange_is_never_cached_so_no_bbm_D8_14_1);
	tcase_add_test(tc, mmu_off_pa_above_parange_is_address_size_fault_S1DisabledOutput);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(checker_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
