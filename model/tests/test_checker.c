/*
 * test_checker.c - hazard classes of the hypsim checker (model.h), each with positive and
 * negative cases built on the tiny machine of machine.h. Each test names the Arm ARM rule
 * it checks; the assembly each event sequence stands for is shown above it.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "machine.h"

#define CODE RAM_BASE              /* code page, identity mapped */
#define DATA (RAM_BASE + 0x100000) /* data, identity mapped */
#define PA1  (RAM_BASE + 0x200000)
#define PA2  (RAM_BASE + 0x201000)
#define VX   UINT64_C(0x10000000) /* a VA outside the identity map */
#define VY   UINT64_C(0x10200000) /* another one, 2 MiB further */

static void dump(const struct machine *mt)
{
	for (unsigned i = 0; i < mt->nhz; i++) {
		const struct hazard *h = &mt->hz[i];
		fprintf(stderr, "  %s seq %llu pc 0x%llx: %s\n", hz_class_name(h->cls),
		        (unsigned long long)h->seq, (unsigned long long)h->pc, h->summary);
		for (unsigned k = 0; k < h->n_outcomes; k++)
			fprintf(stderr, "    - %s [%s]\n", h->outcomes[k].text,
			        h->outcomes[k].cause.what);
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

/* Two tables: both identity-map RAM; VX -> PA1 in A, VX -> pa_b in B. */
static void two_tables(struct machine *mt, uint64_t *a, uint64_t *b, uint64_t pa_b)
{
	*a = mt_idmap(mt);
	*b = mt_idmap(mt);
	mt_map(mt, *a, VX, PA1, ATTR_WB);
	mt_map(mt, *b, VX, pa_b, ATTR_WB);
	mt_map(mt, *a, VY, PA1, ATTR_WB);
	mt_map(mt, *b, VY, PA2, ATTR_WB);
}

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

/* D8.2.x / D7.5: tables written through the cache, walked non-cacheably. */
static void walk_poc_case(int variant)
{
	struct machine mt;
	mt_init(&mt);
	uint64_t a = mt_idmap(&mt);
	uint64_t dpa = mt_desc_pa(&mt, a, VX, 3); /* VX invalid for now */
	mt_mmu_on(&mt, 0, a, SCTLR_ON);
	/* str x1, [dpa] (cacheable, C=1): VX -> PA1; invalid -> valid needs no TLBI */
	ev_store(&mt, 0, dpa, 8, PAGE(PA1, ATTR_WB));
	if (variant == 1)
		ev_dc(&mt, 0, DC_CVAC, dpa); /* dc cvac, dpa */
	if (variant == 2)
		ev_dc(&mt, 0, DC_CVAU, dpa); /* dc cvau, dpa: PoU only */
	if (variant == 3 || variant == 4)
		ev_dc(&mt, 0, DC_CVAC, dpa); /* dc cvac, dpa; and no DSB, or a DSB ISHST */
	if (variant == 4)
		ev_dsb(&mt, 0, DOM_ISH, BAR_ST);
	else if (variant != 3)
		ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
	/* msr sctlr_el2, (C=0): walks become non-cacheable; isb */
	ev_msr(&mt, 0, SR_SCTLR_EL2, SCTLR_ON & ~SCTLR_ELx_C);
	ev_isb(&mt, 0);
	mt_clear(&mt);
	ev_load(&mt, 0, VX, 8);
	if (variant == 1)
		EXPECT_NONE(&mt);
	else if (variant == 3 || variant == 4)
		EXPECT(&mt, HZ_MISSING_DSB, 1);
	else
		EXPECT(&mt, HZ_WALK_NOT_AT_POC, 1);
	mt_fini(&mt);
}

START_TEST(walk_not_at_poc_D8_2_D7_5)
{
	walk_poc_case(0);
}
END_TEST

START_TEST(walk_after_dc_cvac_is_clean_D7_5)
{
	walk_poc_case(1);
}
END_TEST

START_TEST(walk_after_dc_cvau_only_still_not_at_poc_D7_5)
{
	walk_poc_case(2);
}
END_TEST

/* B2.3.12 / D7.5: a DC CVAC completes only at a DSB. */
START_TEST(walk_after_dc_cvac_without_dsb_missing_dsb_B2_3)
{
	walk_poc_case(3);
}
END_TEST

/* B2.3.12: only a DSB whose required access types are reads and writes completes cache
 * maintenance; a DSB ISHST orders the stores and leaves the DC CVAC pending. */
START_TEST(walk_after_dc_cvac_and_dsb_ishst_missing_dsb_B2_3_12)
{
	walk_poc_case(4);
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

/* D8.2.x / B2.7.2: tables rewritten with the MMU off (Non-cacheable stores) while their
 * lines may still be cached, then walked cacheably: the walk may hit the stale clean copy
 * unless DC IVAC removed it (DESIGN: "tables zeroed with the MMU off and walked cacheably
 * without an invalidate"). */
START_TEST(cacheable_walk_of_stale_clean_table_D8_2_B2_7)
{
	for (int ivac = 0; ivac < 2; ivac++) {
		struct machine mt;
		mt_init(&mt);
		uint64_t a = mt_idmap(&mt);
		uint64_t dpa = mt_map(&mt, a, VX, PA1, ATTR_WB);
		mt_mmu_on(&mt, 0, a, SCTLR_ON);
		ev_load(&mt, 0, VX, 8); /* the walk brings the descriptor's line into the cache */
		/* msr sctlr_el2, (M=0); isb; str x1, [dpa] (VX -> PA2, Device store) */
		ev_msr(&mt, 0, SR_SCTLR_EL2, SCTLR_EL2_BOOT);
		ev_isb(&mt, 0);
		ev_store(&mt, 0, dpa, 8, PAGE(PA2, ATTR_WB));
		if (ivac)
			ev_dc(&mt, 0, DC_IVAC, dpa); /* dc ivac, dpa */
		/* tlbi alle2; dsb sy; msr sctlr_el2, (M=1); isb; ldr x1, [VX] */
		ev_tlbi(&mt, 0, TLBI_ALLE2, 0);
		ev_dsb(&mt, 0, DOM_SY, BAR_ALL);
		ev_msr(&mt, 0, SR_SCTLR_EL2, SCTLR_ON);
		ev_isb(&mt, 0);
		mt_clear(&mt);
		struct model_step_result r = ev_load(&mt, 0, VX, 8);
		ck_assert_uint_eq(r.tr.oa, PA2);
		if (ivac)
			EXPECT_NONE(&mt);
		else
			EXPECT(&mt, HZ_WALK_NOT_AT_POC, 1);
		mt_fini(&mt);
	}
}
END_TEST

/* D7.5.x: DC IVAC of a dirty line may discard its data. */
START_TEST(dc_ivac_dirty_line_lost_write_D7_5)
{
	struct machine mt;
	mt_init(&mt);
	uint64_t a = mt_idmap(&mt);
	mt_mmu_on(&mt, 0, a, SCTLR_ON);
	mt_clear(&mt);
	/* str x1, [DATA]; dc ivac, DATA */
	ev_store(&mt, 0, DATA, 8, 0x1234);
	ev_dc(&mt, 0, DC_IVAC, DATA);
	EXPECT(&mt, HZ_LOST_WRITE, 1);
	mt_clear(&mt);
	/* str x1, [DATA+64]; dc civac, DATA+64; dsb sy; dc ivac, DATA+64: clean */
	ev_store(&mt, 0, DATA + 64, 8, 0x1234);
	ev_dc(&mt, 0, DC_CIVAC, DATA + 64);
	ev_dsb(&mt, 0, DOM_SY, BAR_ALL);
	ev_dc(&mt, 0, DC_IVAC, DATA + 64);
	EXPECT_NONE(&mt);
	mt_fini(&mt);
}
END_TEST

/*
 * D7.5 (ordering of cache maintenance by VA): a DC CVAC is ordered with earlier and later
 * stores to the same line in program order; the DSB only guarantees its completion. So the
 * clean captures A but not B, and B is still only in the cache when the MMU goes off.
 */
START_TEST(dc_cvac_cleans_in_program_order_not_at_dsb_D7_5)
{
	struct machine mt;
	mt_init(&mt);
	uint64_t a = mt_idmap(&mt);
	mt_mmu_on(&mt, 0, a, SCTLR_ON);
	/* str x1, [DATA]; dc cvac, DATA; str x2, [DATA+8]; dsb sy */
	ev_store(&mt, 0, DATA, 8, 0x1111);
	ev_dc(&mt, 0, DC_CVAC, DATA);
	ev_store(&mt, 0, DATA + 8, 8, 0x2222);
	ev_dsb(&mt, 0, DOM_SY, BAR_ALL);
	/* msr sctlr_el2, MMU and caches off; isb; ldr x3, [DATA+8]: a Device read of the PoC */
	ev_msr(&mt, 0, SR_SCTLR_EL2, SCTLR_EL2_BOOT);
	ev_isb(&mt, 0);
	mt_clear(&mt);
	ev_load(&mt, 0, DATA + 8, 8);
	EXPECT(&mt, HZ_DATA_NOT_AT_POC, 1);
	mt_fini(&mt);
}
END_TEST

/*
 * B2.3 / D7.5.9 and the checker's fast path: a DC CVAC that no DSB has completed does not
 * bar the fast path for other lines, but the line it cleans stays dirty until the DSB, so a
 * Non-cacheable read of it after the MMU goes off still has the PoC's older bytes as an
 * outcome: missing-dsb (and, with the DSB, nothing).
 */
START_TEST(pending_clean_with_fast_path_accesses_still_missing_dsb_B2_3)
{
	for (int with_dsb = 0; with_dsb < 2; with_dsb++) {
		struct machine mt;
		mt_init(&mt);
		uint64_t a = mt_idmap(&mt);
		mt_mmu_on(&mt, 0, a, SCTLR_ON);
		/* str x1, [DATA]; dc cvac, DATA; then a loop over other data (fast path) */
		ev_store(&mt, 0, DATA, 8, 0x5555);
		ev_dc(&mt, 0, DC_CVAC, DATA);
		for (unsigned i = 1; i < 64; i++)
			ev_load(&mt, 0, DATA + 0x1000 + 64 * i, 8);
		if (with_dsb)
			ev_dsb(&mt, 0, DOM_SY, BAR_ALL);
		/* msr sctlr_el2, MMU off; isb; ldr x2, [DATA]: a Device read of the PoC */
		ev_msr(&mt, 0, SR_SCTLR_EL2, SCTLR_EL2_BOOT);
		ev_isb(&mt, 0);
		mt_clear(&mt);
		ev_load(&mt, 0, DATA, 8);
		if (with_dsb)
			EXPECT_NONE(&mt);
		else
			EXPECT(&mt, HZ_MISSING_DSB, 1);
		mt_fini(&mt);
	}
}
END_TEST

/* B2.7.2 / D7.5: a Non-cacheable write to a line that may be cached leaves a stale copy. */
START_TEST(nc_write_then_cacheable_read_data_not_at_poc_B2_7)
{
	for (int inval = 0; inval < 2; inval++) {
		struct machine mt;
		mt_init(&mt);
		uint64_t a = mt_idmap(&mt);
		mt_map(&mt, a, VX, DATA, ATTR_NC); /* NC alias of DATA */
		mt_mmu_on(&mt, 0, a, SCTLR_ON);
		ev_load(&mt, 0, DATA, 8);        /* ldr: line now cached */
		ev_store(&mt, 0, VX, 8, 0xabcd); /* str through the NC alias */
		if (inval) {
			ev_dc(&mt, 0, DC_IVAC, DATA); /* dc ivac, DATA; dsb sy */
			ev_dsb(&mt, 0, DOM_SY, BAR_ALL);
		}
		mt_clear(&mt);
		ev_load(&mt, 0, DATA, 8); /* ldr: cacheable read */
		if (inval)
			EXPECT_NONE(&mt);
		else
			EXPECT(&mt, HZ_DATA_NOT_AT_POC, 1);
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

/* D7.5.x / B2.4.4: modified code executed through a stale I-cache. */
/* full: 0 no maintenance, 1 the whole sequence, 2 the sequence without the final ISB */
static void icache_case(int full)
{
	struct machine mt;
	mt_init(&mt);
	uint64_t a = mt_idmap(&mt);
	uint64_t fn = CODE + 0x2000;
	ram_w64(&mt, fn, 0xd65f03c0d503201f); /* nop; ret */
	mt_mmu_on(&mt, 0, a, SCTLR_ON);
	ev_fetch(&mt, 0, fn); /* the I-cache now holds the old code */
	mt_clear(&mt);
	/* str w1, [fn] (new instruction) */
	ev_store(&mt, 0, fn, 4, 0xd2800020); /* mov x0, #1 */
	if (full) {
		/* dc cvau, fn; dsb ish; ic iallu; dsb ish; isb */
		ev_dc(&mt, 0, DC_CVAU, fn);
		ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
		ev_ic(&mt, 0, IC_IALLU, 0);
		ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
		if (full == 1)
			ev_isb(&mt, 0);
	}
	ev_fetch(&mt, 0, fn);
	if (full == 1)
		EXPECT_NONE(&mt);
	else
		EXPECT(&mt, HZ_ICACHE_STALE, 1);
	mt_fini(&mt);
}

START_TEST(icache_stale_without_maintenance_D7_5)
{
	icache_case(0);
}
END_TEST

START_TEST(icache_full_sequence_clean_D7_5)
{
	icache_case(1);
}
END_TEST

/* D7.5.x: after IC + DSB the already-fetched instructions may be old until an ISB. */
START_TEST(icache_without_final_isb_D7_5)
{
	icache_case(2);
}
END_TEST

/* The check compares every byte a fetch run could obtain, not only the first ones. */
START_TEST(icache_stale_inside_a_fetch_run_D7_5)
{
	struct machine mt;
	mt_init(&mt);
	uint64_t a = mt_idmap(&mt);
	uint64_t fn = CODE + 0x2000;
	mt_mmu_on(&mt, 0, a, SCTLR_ON);
	struct model_event ev = {.kind = EV_FETCH, .pc = fn};
	ev.u.mem.va = fn;
	ev.u.mem.size = 128; /* a straight-line run of 32 instructions */
	mt_step(&mt, &ev);
	ev_store(&mt, 0, fn + 100, 4, 0xd2800020); /* patch the 26th instruction */
	mt_clear(&mt);
	mt_step(&mt, &ev);
	EXPECT(&mt, HZ_ICACHE_STALE, 1);
	mt_fini(&mt);
}
END_TEST

/* D7.5 / B2.4: IC IALLU without DC CVAU: the I-cache refills from a PoU that is stale. */
START_TEST(icache_without_dc_cvau_D7_5)
{
	struct machine mt;
	mt_init(&mt);
	uint64_t a = mt_idmap(&mt);
	uint64_t fn = CODE + 0x2000;
	mt_mmu_on(&mt, 0, a, SCTLR_ON);
	mt_clear(&mt);
	ev_store(&mt, 0, fn, 4, 0xd2800020);
	/* ic iallu; dsb ish; isb; (no dc cvau) */
	ev_ic(&mt, 0, IC_IALLU, 0);
	ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
	ev_isb(&mt, 0);
	ev_fetch(&mt, 0, fn);
	EXPECT(&mt, HZ_ICACHE_STALE, 1);
	mt_fini(&mt);
	/* with CTR_EL0.IDC = 1 no DC CVAU is needed */
	mt_init_cfg(&mt, 1, TLB_POLICY_SPECULATIVE, true, false);
	a = mt_idmap(&mt);
	mt_mmu_on(&mt, 0, a, SCTLR_ON);
	mt_clear(&mt);
	ev_store(&mt, 0, fn, 4, 0xd2800020);
	ev_ic(&mt, 0, IC_IALLU, 0);
	ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
	ev_isb(&mt, 0);
	ev_fetch(&mt, 0, fn);
	EXPECT_NONE(&mt);
	mt_fini(&mt);
}
END_TEST

/* B2.4 / D7.5: a Non-cacheable fetch (SCTLR.I=0) reads the PoC. */
START_TEST(fetch_not_at_poc_B2_4)
{
	for (int clean = 0; clean < 2; clean++) {
		struct machine mt;
		mt_init(&mt);
		uint64_t a = mt_idmap(&mt);
		uint64_t fn = CODE + 0x3000;
		mt_mmu_on(&mt, 0, a, (SCTLR_ON & ~SCTLR_ELx_I));
		ev_store(&mt, 0, fn, 4, 0xd2800020); /* str w1, [fn] with C=1 */
		if (clean) {
			ev_dc(&mt, 0, DC_CVAC, fn); /* dc cvac, fn; dsb sy */
			ev_dsb(&mt, 0, DOM_SY, BAR_ALL);
		}
		mt_clear(&mt);
		ev_fetch(&mt, 0, fn);
		if (clean)
			EXPECT_NONE(&mt);
		else
			EXPECT(&mt, HZ_FETCH_NOT_AT_POC, 1);
		mt_fini(&mt);
	}
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

/* D1.10: an exception the guest did not ask for. */
/* DESIGN §3 "Exceptions are events, not hazards" (D1.10 exception entry): an HVC, or a
 * data abort the architecture makes certain (a probe, a fixup, a page fault), is the
 * program's own behaviour: no report. unexpected-exception is retired. */
START_TEST(certain_exception_is_an_event_D1_10)
{
	struct machine mt;
	mt_init(&mt);
	ev_exc(&mt, 0, true, (uint64_t)EC_HVC64 << ESR_EC_SHIFT); /* hvc #0 */
	EXPECT_NONE(&mt);
	ev_exc(&mt, 0, false, ((uint64_t)EC_DABT_CUR << ESR_EC_SHIFT) | FSC_TRANSLATION(3));
	EXPECT_NONE(&mt);
	EXPECT(&mt, HZ_UNEXPECTED_EXCEPTION, 0);
	mt_fini(&mt);
}
END_TEST

/* D8.13: a local TLBI reaches only the issuing CPU; the IS form reaches every CPU. */
START_TEST(local_tlbi_other_cpu_keeps_entry_D8_13)
{
	for (int is = 0; is < 2; is++) {
		struct machine mt;
		mt_init_cfg(&mt, 2, TLB_POLICY_SPECULATIVE, false, false);
		uint64_t a = mt_idmap(&mt);
		uint64_t dpa = mt_map(&mt, a, VX, PA1, ATTR_WB);
		mt_mmu_on(&mt, 0, a, SCTLR_ON);
		mt_mmu_on(&mt, 1, a, SCTLR_ON);
		ev_load(&mt, 1, VX, 8);
		/* cpu0: str xzr, [dpa]; dsb ish; tlbi vae2[is], VX; dsb ish; str x1, [dpa] */
		ev_store(&mt, 0, dpa, 8, 0);
		ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
		ev_tlbi(&mt, 0, is ? TLBI_VAE2IS : TLBI_VAE2, VX);
		ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
		ev_store(&mt, 0, dpa, 8, PAGE(PA2, ATTR_WB));
		ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
		mt_clear(&mt);
		/* cpu1: ldr x1, [VX] */
		ev_load(&mt, 1, VX, 8);
		EXPECT(&mt, HZ_STALE_TLB, is ? 0u : 1u);
		mt_fini(&mt);
	}
}
END_TEST

/*
 * PSCI CPU_OFF (DEN0022 §5.5): a powered-down core keeps no TLB entry, so the tables only
 * it used are no longer live: changing one of their descriptors needs no break-before-make
 * for it (Arm ARM D8.14.1 concerns entries that may be cached). And a CPU brought up
 * again (CPU_ON: model_reset_cpu) starts with an empty TLB, so a local TLBI it missed while
 * off leaves it nothing stale (D8.13). With the CPU left on, both are hazards.
 */
START_TEST(cpu_off_drops_its_tlb_D8_14_1_D8_13_psci_5_5)
{
	for (int off = 0; off < 2; off++) {
		struct machine mt;
		mt_init_cfg(&mt, 2, TLB_POLICY_SPECULATIVE, false, false);
		uint64_t a = mt_idmap(&mt);
		uint64_t b = mt_table(&mt);
		uint64_t dpa = mt_map(&mt, b, VX, PA1, ATTR_WB);
		mt_mmu_on(&mt, 0, a, SCTLR_ON);
		/* cpu1: its own table b, VX used */
		mt_mmu_on(&mt, 1, b, SCTLR_ON);
		ev_load(&mt, 1, VX, 8);
		if (off)
			model_cpu_off(mt.m, 1);
		mt_clear(&mt);
		/* cpu0 (idmap): str x1, [dpa] (VX -> PA2, valid to valid); dsb ish */
		ev_store(&mt, 0, dpa, 8, PAGE(PA2, ATTR_WB));
		ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
		EXPECT(&mt, HZ_BBM, off ? 0u : 1u);
		mt_fini(&mt);
	}
	for (int off = 0; off < 2; off++) {
		struct machine mt;
		mt_init_cfg(&mt, 2, TLB_POLICY_SPECULATIVE, false, false);
		uint64_t a = mt_idmap(&mt);
		uint64_t dpa = mt_map(&mt, a, VX, PA1, ATTR_WB);
		mt_mmu_on(&mt, 0, a, SCTLR_ON);
		mt_mmu_on(&mt, 1, a, SCTLR_ON);
		ev_load(&mt, 1, VX, 8);
		if (off)
			model_cpu_off(mt.m, 1);
		/* cpu0: break-before-make with a local TLBI (cpu1's TLB is not reached) */
		ev_store(&mt, 0, dpa, 8, 0);
		ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
		ev_tlbi(&mt, 0, TLBI_VAE2, VX);
		ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
		ev_store(&mt, 0, dpa, 8, PAGE(PA2, ATTR_WB));
		ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
		if (off) {
			struct model_cpu_reset r = {.el = 2};
			r.sysreg[SR_SCTLR_EL2] = SCTLR_EL2_BOOT;
			r.sysreg[SR_SCTLR_EL1] = SCTLR_EL1_BOOT;
			model_reset_cpu(mt.m, 1, &r);
			mt_mmu_on(&mt, 1, a, SCTLR_ON);
		}
		mt_clear(&mt);
		struct model_step_result res = ev_load(&mt, 1, VX, 8);
		EXPECT(&mt, HZ_STALE_TLB, off ? 0u : 1u);
		ck_assert_uint_eq(res.tr.oa, PA2);
		mt_fini(&mt);
	}
}
END_TEST

/*
 * The power-down sequence of CPU_OFF ends with a DSB SY (PSCI DEN0022 §6.4): a TLBI IS the
 * CPU issued just before is complete for the CPUs that stay on (Arm ARM D8.13, B2.3.12).
 */
START_TEST(cpu_off_completes_its_maintenance_B2_3_12_psci_6_4)
{
	for (int off = 0; off < 2; off++) {
		struct machine mt;
		mt_init_cfg(&mt, 2, TLB_POLICY_SPECULATIVE, false, false);
		uint64_t a = mt_idmap(&mt);
		uint64_t dpa = mt_map(&mt, a, VX, PA1, ATTR_WB);
		mt_mmu_on(&mt, 0, a, SCTLR_ON);
		mt_mmu_on(&mt, 1, a, SCTLR_ON);
		ev_load(&mt, 0, VX, 8);
		/* cpu1: str xzr, [dpa]; dsb ish; tlbi vae2is, VX; (no dsb) then CPU_OFF */
		ev_store(&mt, 1, dpa, 8, 0);
		ev_dsb(&mt, 1, DOM_ISH, BAR_ALL);
		ev_tlbi(&mt, 1, TLBI_VAE2IS, VX);
		if (off)
			model_cpu_off(mt.m, 1);
		mt_clear(&mt);
		/* cpu0: ldr x1, [VX]: the entry is gone only if the TLBI completed */
		ev_load(&mt, 0, VX, 8);
		ck_assert_uint_eq(mt.count[HZ_MISSING_DSB] + mt.count[HZ_STALE_TLB],
		                  (off ? 0u : 1u));
		mt_fini(&mt);
	}
}
END_TEST

/* D7.5.x: DC ZVA needs Normal memory (Alignment fault with the MMU off). */
START_TEST(dc_zva_mmu_off_alignment_fault_D7_5)
{
	struct machine mt;
	mt_init(&mt);
	struct model_step_result r = ev_dc(&mt, 0, DC_ZVA, DATA);
	ck_assert_int_eq(r.fault.type, FAULT_ALIGNMENT);
	uint64_t a = mt_idmap(&mt);
	mt_mmu_on(&mt, 0, a, SCTLR_ON);
	r = ev_dc(&mt, 0, DC_ZVA, DATA);
	ck_assert_int_eq(r.fault.type, FAULT_NONE);
	mt_fini(&mt);
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

/* D7.5.x: DC ISW (set/way invalidate) discards dirty lines; DC CISW cleans first. */
START_TEST(dc_isw_with_dirty_lines_lost_write_D7_5)
{
	struct machine mt;
	mt_init(&mt);
	uint64_t a = mt_idmap(&mt);
	mt_mmu_on(&mt, 0, a, SCTLR_ON);
	ev_store(&mt, 0, DATA, 8, 1);
	mt_clear(&mt);
	struct model_event ev = {.kind = EV_DC};
	ev.u.dc.op = DC_CISW;
	mt_step(&mt, &ev); /* dc cisw; dsb sy */
	ev_dsb(&mt, 0, DOM_SY, BAR_ALL);
	EXPECT_NONE(&mt);
	ev_store(&mt, 0, DATA, 8, 2);
	ev.u.dc.op = DC_ISW;
	mt_step(&mt, &ev); /* dc isw */
	EXPECT(&mt, HZ_LOST_WRITE, 1);
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

/* model_report: hazards found by the simulator (guest-hang) get the current event number. */
START_TEST(model_report_and_names)
{
	struct machine mt;
	mt_init(&mt);
	ev_fetch(&mt, 0, CODE);
	struct hazard hz = {.cls = HZ_GUEST_HANG, .pc = CODE};
	model_report(mt.m, &hz);
	EXPECT(&mt, HZ_GUEST_HANG, 1);
	ck_assert_uint_eq(mt.hz[0].seq, model_seq(mt.m));
	ck_assert_ptr_nonnull(mt.hz[0].rule);
	for (unsigned i = 0; i < HZ_CLASS_COUNT; i++) {
		enum hz_class c;
		ck_assert(hz_class_from_name(hz_class_name((enum hz_class)i), &c));
		ck_assert_uint_eq(c, i);
	}
	enum hz_class none;
	ck_assert(!hz_class_from_name("no-such-class", &none));
	ck_assert_str_eq(tlbi_op_name(TLBI_VALE2IS), "vale2is");
	ck_assert_str_eq(sysreg_name(SR_TTBR0_EL2), "TTBR0_EL2");
	ck_assert_str_eq(dc_op_name(DC_CVAU), "cvau");
	mt_fini(&mt);
}
END_TEST

/* B2.7.2 / D7.5: a Non-cacheable write under a dirty line can be overwritten by the line's
 * later write-back. */
START_TEST(nc_write_under_dirty_line_lost_write_B2_7_2)
{
	struct machine mt;
	mt_init(&mt);
	uint64_t a = mt_idmap(&mt);
	mt_map(&mt, a, VX, DATA, ATTR_NC);
	mt_mmu_on(&mt, 0, a, SCTLR_ON);
	ev_store(&mt, 0, DATA, 8, 1); /* str through the cacheable map: dirty */
	mt_clear(&mt);
	ev_store(&mt, 0, VX + 8, 8, 2); /* str through the NC alias, same line */
	EXPECT(&mt, HZ_LOST_WRITE, 1);
	mt_clear(&mt);
	/* after dc civac; dsb sy the NC write is safe */
	ev_store(&mt, 0, DATA + 64, 8, 1);
	ev_dc(&mt, 0, DC_CIVAC, DATA + 64);
	ev_dsb(&mt, 0, DOM_SY, BAR_ALL);
	ev_store(&mt, 0, VX + 64, 8, 2);
	EXPECT_NONE(&mt);
	mt_fini(&mt);
}
END_TEST

/* B2.5.2 / D8 (MMU off: Device-nGnRnE): unaligned data accesses fault, also after the
 * translation was cached by an aligned access; SCTLR_ELx.A=1 checks Normal memory too. */
START_TEST(alignment_faults_device_and_sctlr_a_B2_5)
{
	struct machine mt;
	mt_init(&mt);
	ck_assert_int_eq(ev_load(&mt, 0, DATA, 8).fault.type, FAULT_NONE);
	ck_assert_int_eq(ev_load(&mt, 0, DATA, 8).fault.type, FAULT_NONE);
	ck_assert_int_eq(ev_load(&mt, 0, DATA + 4, 8).fault.type, FAULT_ALIGNMENT);
	uint64_t a = mt_idmap(&mt);
	mt_mmu_on(&mt, 0, a, SCTLR_ON);
	ck_assert_int_eq(ev_load(&mt, 0, DATA, 8).fault.type, FAULT_NONE);
	ck_assert_int_eq(ev_load(&mt, 0, DATA + 4, 8).fault.type, FAULT_NONE);
	ev_msr(&mt, 0, SR_SCTLR_EL2, SCTLR_ON | SCTLR_ELx_A);
	ev_isb(&mt, 0);
	ck_assert_int_eq(ev_load(&mt, 0, DATA, 8).fault.type, FAULT_NONE);
	ck_assert_int_eq(ev_load(&mt, 0, DATA, 8).fault.type, FAULT_NONE);
	ck_assert_int_eq(ev_load(&mt, 0, DATA + 4, 8).fault.type, FAULT_ALIGNMENT);
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

/* Robustness and determinism: a random stream of events (garbage registers, stores into
 * live tables, maintenance of every kind) never crashes the model, and the same stream
 * gives the same hazards (DESIGN §3: reports are deterministic). */
static uint64_t random_run(uint64_t seed, unsigned n, unsigned *nhz)
{
	struct machine mt;
	mt_init_cfg(&mt, 2, (seed & 1) ? TLB_POLICY_ACCESSED : TLB_POLICY_SPECULATIVE, false,
	            false);
	uint64_t a = mt_idmap(&mt), b = mt_idmap(&mt);
	mt_mmu_on(&mt, 0, a, SCTLR_ON);
	uint64_t x = seed, digest = 0;
	unsigned total = 0;
	for (unsigned i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		unsigned cpu = (unsigned)(x >> 60) & 1;
		uint64_t va = RAM_BASE + ((x >> 8) % RAM_SIZE);
		switch ((x >> 40) % 16) {
		case 0:
		case 1:
		case 2:
			ev_fetch(&mt, cpu, va & ~UINT64_C(3));
			break;
		case 3:
		case 4:
		case 5:
			ev_load(&mt, cpu, va & ~UINT64_C(7), 8);
			break;
		case 6:
		case 7:
			/* stores, half of them into the table area */
			if ((x >> 20) & 1)
				va = RAM_BASE + (UINT64_C(8) << 20) + ((x >> 24) % 0x20000);
			ev_store(&mt, cpu, va & ~UINT64_C(7), 8, x);
			break;
		case 8:
			ev_msr(&mt, cpu, SR_TTBR0_EL2, (x & 0x100) ? a : b);
			break;
		case 9: {
			/* Garbage in any register, but TCRs from a few layouts (each new table
			 * configuration costs the model one walk of all its tables). */
			static const uint64_t tcrs[] = {MT_TCR_EL2, 16, 32 | (UINT64_C(1) << 14),
			                                0x80823510};
			enum sysreg_id r = (enum sysreg_id)((x >> 12) % SR_COUNT);
			bool tcr = r == SR_TCR_EL1 || r == SR_TCR_EL2;
			ev_msr(&mt, cpu, r, tcr ? tcrs[(x >> 20) & 3] : x);
			break;
		}
		case 10:
			ev_isb(&mt, cpu);
			break;
		case 11:
			ev_dsb(&mt, cpu, (enum barrier_domain)((x >> 3) & 3),
			       (enum barrier_type)((x >> 5) % 3));
			break;
		case 12:
			ev_tlbi(&mt, cpu, (enum tlbi_op)((x >> 9) % TLBI_OP_COUNT), va);
			break;
		case 13:
			ev_dc(&mt, cpu, (enum dc_op)((x >> 9) % DC_OP_COUNT), va);
			break;
		case 14:
			ev_ic(&mt, cpu, (enum ic_op)((x >> 9) % IC_OP_COUNT), va);
			break;
		default:
			if ((x >> 9) & 1) {
				ev_exc(&mt, cpu, (x >> 10) & 1, x);
			} else {
				struct model_event er = {.kind = EV_ERET, .cpu = cpu};
				er.u.eret.to_el = 2 - (unsigned)((x >> 11) & 1);
				mt_step(&mt, &er);
			}
			break;
		}
		for (unsigned k = 0; k < mt.nhz; k++)
			digest = digest * 31 + mt.hz[k].fold_key + mt.hz[k].cls;
		total += mt.nhz;
		mt_clear(&mt);
	}
	mt_fini(&mt);
	*nhz = total;
	return digest;
}

START_TEST(random_streams_are_deterministic)
{
	for (uint64_t seed = 1; seed <= 4; seed++) {
		unsigned n1, n2;
		uint64_t d1 = random_run(seed * 0x9e3779b97f4a7c15, 4000, &n1);
		uint64_t d2 = random_run(seed * 0x9e3779b97f4a7c15, 4000, &n2);
		ck_assert_uint_eq(n1, n2);
		ck_assert_uint_eq(d1, d2);
		ck_assert_uint_gt(n1, 0); /* random streams do break the rules */
	}
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
	tcase_add_test(tc, walk_not_at_poc_D8_2_D7_5);
	tcase_add_test(tc, walk_after_dc_cvac_is_clean_D7_5);
	tcase_add_test(tc, walk_after_dc_cvau_only_still_not_at_poc_D7_5);
	tcase_add_test(tc, walk_after_dc_cvac_without_dsb_missing_dsb_B2_3);
	tcase_add_test(tc, walk_after_dc_cvac_and_dsb_ishst_missing_dsb_B2_3_12);
	tcase_add_test(tc, tlbi_then_dsb_ishst_is_missing_dsb_B2_3_12);
	tcase_add_test(tc, new_mapping_used_before_its_dsb_is_missing_dsb_B2_3_12_D8_2);
	tcase_add_test(tc, cacheable_walk_of_stale_clean_table_D8_2_B2_7);
	tcase_add_test(tc, dc_ivac_dirty_line_lost_write_D7_5);
	tcase_add_test(tc, dc_cvac_cleans_in_program_order_not_at_dsb_D7_5);
	tcase_add_test(tc, pending_clean_with_fast_path_accesses_still_missing_dsb_B2_3);
	tcase_add_test(tc, nc_write_then_cacheable_read_data_not_at_poc_B2_7);
	tcase_add_test(tc, tlbi_vale2_keeps_walk_cache_stale_tlb_D8_13);
	tcase_add_test(tc, tlbi_vae2_removes_walk_cache_D8_13);
	tcase_add_test(tc, bbm_valid_to_valid_on_live_mapping_D8_14_1);
	tcase_add_test(tc, bbm_full_sequence_is_clean_D8_14_1);
	tcase_add_test(tc, bbm_without_tlbi_D8_14_1);
	tcase_add_test(tc, icache_stale_without_maintenance_D7_5);
	tcase_add_test(tc, icache_full_sequence_clean_D7_5);
	tcase_add_test(tc, icache_without_final_isb_D7_5);
	tcase_add_test(tc, icache_stale_inside_a_fetch_run_D7_5);
	tcase_add_test(tc, icache_without_dc_cvau_D7_5);
	tcase_add_test(tc, fetch_not_at_poc_B2_4);
	tcase_add_test(tc, table_store_then_tlbi_without_dsb_D8_13);
	tcase_add_test(tc, certain_exception_is_an_event_D1_10);
	tcase_add_test(tc, local_tlbi_other_cpu_keeps_entry_D8_13);
	tcase_add_test(tc, cpu_off_drops_its_tlb_D8_14_1_D8_13_psci_5_5);
	tcase_add_test(tc, cpu_off_completes_its_maintenance_B2_3_12_psci_6_4);
	tcase_add_test(tc, dc_zva_mmu_off_alignment_fault_D7_5);
	tcase_add_test(tc, dc_by_va_uses_stale_tlb_D8_13);
	tcase_add_test(tc, fast_path_revalidates_after_ttbr_switch);
	tcase_add_test(tc, ttbr_switch_two_sizes_for_one_va_bbm_D8_14_1);
	tcase_add_test(tc, fetch_after_tlbi_needs_isb_without_ets_D8_13);
	tcase_add_test(tc, vbar_written_without_isb_D1_10);
	tcase_add_test(tc, dc_isw_with_dirty_lines_lost_write_D7_5);
	tcase_add_test(tc, el1_regime_stale_tlb_D8_13);
	tcase_add_test(tc, model_report_and_names);
	tcase_add_test(tc, split_wide_store_to_live_table_bbm_D8_14_1);
	tcase_add_test(tc, random_streams_are_deterministic);
	tcase_add_test(tc, accessed_policy_refill_after_tlbi_bbm_D8_14_1);
	tcase_add_test(tc, alignment_faults_device_and_sctlr_a_B2_5);
	tcase_add_test(tc, nc_write_under_dirty_line_lost_write_B2_7_2);
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
