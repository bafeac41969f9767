/*
 * test_checker_cache.c - hazard classes of the hypsim checker (model.h): caches and the PoC (walk-,
 * data- and fetch-not-at-poc, lost-write, icache-stale, the DSB a clean needs, alignment), each
 * with positive and negative cases built on the tiny machine of machine.h. Each test names the Arm
 * ARM rule it checks; the assembly each event sequence stands for is shown above it. Shared
 * definitions: test_checker.h.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "machine.h"
#include "test_checker.h"

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

static Suite *checker_suite(void)
{
	Suite *s = suite_create("checker");
	TCase *tc = tcase_create("hazards");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, walk_not_at_poc_D8_2_D7_5);
	tcase_add_test(tc, walk_after_dc_cvac_is_clean_D7_5);
	tcase_add_test(tc, walk_after_dc_cvau_only_still_not_at_poc_D7_5);
	tcase_add_test(tc, walk_after_dc_cvac_without_dsb_missing_dsb_B2_3);
	tcase_add_test(tc, walk_after_dc_cvac_and_dsb_ishst_missing_dsb_B2_3_12);
	tcase_add_test(tc, cacheable_walk_of_stale_clean_table_D8_2_B2_7);
	tcase_add_test(tc, dc_ivac_dirty_line_lost_write_D7_5);
	tcase_add_test(tc, dc_cvac_cleans_in_program_order_not_at_dsb_D7_5);
	tcase_add_test(tc, pending_clean_with_fast_path_accesses_still_missing_dsb_B2_3);
	tcase_add_test(tc, nc_write_then_cacheable_read_data_not_at_poc_B2_7);
	tcase_add_test(tc, icache_stale_without_maintenance_D7_5);
	tcase_add_test(tc, icache_full_sequence_clean_D7_5);
	tcase_add_test(tc, icache_without_final_isb_D7_5);
	tcase_add_test(tc, icache_stale_inside_a_fetch_run_D7_5);
	tcase_add_test(tc, icache_without_dc_cvau_D7_5);
	tcase_add_test(tc, fetch_not_at_poc_B2_4);
	tcase_add_test(tc, dc_zva_mmu_off_alignment_fault_D7_5);
	tcase_add_test(tc, dc_isw_with_dirty_lines_lost_write_D7_5);
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
