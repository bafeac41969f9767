/*
 * test_line_state.c - model_line_state() (model.h): the question `sim campaign` asks to
 * explain why dropping a data-cache clean changed nothing. Arm ARM B2.4 / D7.5: a store
 * through a Normal write-back cacheable mapping with SCTLR.C=1 may leave newer bytes in the
 * cache than at the PoC until DC CVAC completes (D7.5.9: at the DSB that follows it).
 */
#include <check.h>

#include "machine.h"

#define DATA (RAM_BASE + 0x100000) /* identity mapped, Normal WB */

/*
 *     str  x1, [DATA]     // with the MMU and caches on
 *     dc   cvac, DATA
 *     dsb  ish
 */
START_TEST(wb_store_dirty_until_clean_completes_D7_5_9)
{
	struct machine mt;
	mt_init(&mt);
	uint64_t root = mt_idmap(&mt);
	mt_mmu_on(&mt, 0, root, SCTLR_ON);
	ck_assert_int_eq(model_line_state(mt.m, DATA), MODEL_LINE_CLEAN);
	ev_store(&mt, 0, DATA, 8, 0x1234);
	ck_assert_int_eq(model_line_state(mt.m, DATA), MODEL_LINE_DIRTY_DIFFERS);
	ck_assert_int_eq(model_line_state(mt.m, DATA + 0x38), MODEL_LINE_DIRTY_DIFFERS);
	ck_assert_int_eq(model_line_state(mt.m, DATA + 0x40), MODEL_LINE_CLEAN);
	ev_dc(&mt, 0, DC_CVAC, DATA);
	/* Not complete before the DSB: the line is still dirty. */
	ck_assert_int_eq(model_line_state(mt.m, DATA), MODEL_LINE_DIRTY_DIFFERS);
	ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
	ck_assert_int_eq(model_line_state(mt.m, DATA), MODEL_LINE_CLEAN);
	ck_assert_uint_eq(mt_total(&mt), 0);
	mt_fini(&mt);
}
END_TEST

/*
 *     str  xzr, [DATA]    // RAM already holds zeros there
 *
 * The line is dirty (a write-back may still happen) but the PoC holds the same bytes: a
 * Non-cacheable reader obtains the same value whatever the write-back does.
 */
START_TEST(wb_store_of_same_bytes_is_dirty_same_B2_4)
{
	struct machine mt;
	mt_init(&mt);
	uint64_t root = mt_idmap(&mt);
	mt_mmu_on(&mt, 0, root, SCTLR_ON);
	ev_store(&mt, 0, DATA, 8, 0);
	ck_assert_int_eq(model_line_state(mt.m, DATA), MODEL_LINE_DIRTY_SAME);
	ev_store(&mt, 0, DATA + 8, 8, 7);
	ck_assert_int_eq(model_line_state(mt.m, DATA), MODEL_LINE_DIRTY_DIFFERS);
	ck_assert_uint_eq(mt_total(&mt), 0);
	mt_fini(&mt);
}
END_TEST

/* With SCTLR_EL2.C = 0 data accesses are Non-cacheable (D8.2.x): stores go to the PoC. */
START_TEST(nc_store_leaves_line_clean_D8_2)
{
	struct machine mt;
	mt_init(&mt);
	uint64_t root = mt_idmap(&mt);
	mt_mmu_on(&mt, 0, root, SCTLR_ON & ~SCTLR_ELx_C);
	ev_store(&mt, 0, DATA, 8, 0x55);
	ck_assert_int_eq(model_line_state(mt.m, DATA), MODEL_LINE_CLEAN);
	mt_fini(&mt);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("line_state");
	TCase *tc = tcase_create("line_state");
	tcase_add_test(tc, wb_store_dirty_until_clean_completes_D7_5_9);
	tcase_add_test(tc, wb_store_of_same_bytes_is_dirty_same_B2_4);
	tcase_add_test(tc, nc_store_leaves_line_clean_D8_2);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
