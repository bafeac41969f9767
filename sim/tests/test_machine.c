/*
 * test_machine.c - the pure parts of hypsim's virt machine: PSCI answered as EL3 firmware
 * (PSCI DEN0022 1.1 §5: return codes, function ids), the physical map, --ram parsing.
 */
#include <check.h>
#include <stdlib.h>

#include "machine.h"

/* PSCI DEN0022 §5.1.1 PSCI_VERSION: major in [31:16], minor in [15:0]. */
START_TEST(test_psci_version_is_1_1)
{
	struct psci_result r = psci_dispatch(0x84000000, 0, 0, 0, 1, 0);
	ck_assert_int_eq(r.action, PSCI_ACT_RETURN);
	ck_assert_int_eq(r.x0, 0x10001);
	/* SMCCC: the function id is W0; the upper half of X0 is ignored. */
	r = psci_dispatch(0xffffffff84000000, 0, 0, 0, 1, 0);
	ck_assert_int_eq(r.x0, 0x10001);
}
END_TEST

START_TEST(test_psci_system_off_and_reset_end_the_call)
{
	ck_assert_int_eq(psci_dispatch(0x84000008, 0, 0, 0, 1, 0).action, PSCI_ACT_SYSTEM_OFF);
	ck_assert_int_eq(psci_dispatch(0x84000009, 0, 0, 0, 1, 0).action, PSCI_ACT_SYSTEM_RESET);
	ck_assert_int_eq(psci_dispatch(0x84000002, 0, 0, 0, 1, 0).action, PSCI_ACT_CPU_OFF);
}
END_TEST

/* §5.6 CPU_ON: ALREADY_ON for a CPU that is on, INVALID_PARAMETERS for no such CPU. */
START_TEST(test_psci_cpu_on_uniprocessor)
{
	struct psci_result r = psci_dispatch(0xc4000003, 0, 0x40100000, 0, 1, 0);
	ck_assert_int_eq(r.action, PSCI_ACT_RETURN);
	ck_assert_int_eq(r.x0, PSCI_RET_ALREADY_ON);
	r = psci_dispatch(0xc4000003, 1, 0x40100000, 0, 1, 0);
	ck_assert_int_eq(r.x0, PSCI_RET_INVALID_PARAMS);
	r = psci_dispatch(0x84000003, 0x100000000, 0x40100000, 0, 1, 0); /* SMC32: W1 */
	ck_assert_int_eq(r.x0, PSCI_RET_ALREADY_ON);
}
END_TEST

/* §5.7 AFFINITY_INFO: 0 = ON for an existing CPU at level 0. */
START_TEST(test_psci_affinity_info)
{
	ck_assert_int_eq(psci_dispatch(0xc4000004, 0, 0, 0, 1, 0).x0, 0);
	ck_assert_int_eq(psci_dispatch(0xc4000004, 3, 0, 0, 1, 0).x0, PSCI_RET_INVALID_PARAMS);
	ck_assert_int_eq(psci_dispatch(0xc4000004, 0, 1, 0, 1, 0).x0, PSCI_RET_INVALID_PARAMS);
}
END_TEST

/* §5.15 PSCI_FEATURES, and any function that is not implemented: NOT_SUPPORTED (-1). */
START_TEST(test_psci_features_and_unknown)
{
	ck_assert_int_eq(psci_dispatch(0x8400000a, 0x84000008, 0, 0, 1, 0).x0, 0);
	ck_assert_int_eq(psci_dispatch(0x8400000a, 0xc4000005, 0, 0, 1, 0).x0, -1);
	struct psci_result r = psci_dispatch(0xc4000005, 0, 0, 0, 1, 0); /* MIGRATE */
	ck_assert_int_eq(r.action, PSCI_ACT_RETURN);
	ck_assert_int_eq(r.x0, PSCI_RET_NOT_SUPPORTED);
	r = psci_dispatch(0x80000000, 0, 0, 0, 1, 0); /* SMCCC_VERSION: not implemented */
	ck_assert_int_eq(r.x0, PSCI_RET_NOT_SUPPORTED);
	ck_assert_int_eq(psci_dispatch(0x84000006, 0, 0, 0, 1, 0).x0, 2); /* no Trusted OS */
}
END_TEST

START_TEST(test_physical_map)
{
	ck_assert(mach_pa_in_ram(MACH_RAM_BASE, MACH_RAM_DEFAULT, 0x40000000, 1));
	ck_assert(mach_pa_in_ram(MACH_RAM_BASE, MACH_RAM_DEFAULT, 0x4ffffff8, 8));
	ck_assert(!mach_pa_in_ram(MACH_RAM_BASE, MACH_RAM_DEFAULT, 0x4ffffffc, 8));
	ck_assert(!mach_pa_in_ram(MACH_RAM_BASE, MACH_RAM_DEFAULT, 0x3fffffff, 1));
	ck_assert(mach_pa_backed(MACH_RAM_BASE, MACH_RAM_DEFAULT, 0x09000000, 4));
	ck_assert(mach_pa_backed(MACH_RAM_BASE, MACH_RAM_DEFAULT, 0x09000018, 4));
	ck_assert(!mach_pa_backed(MACH_RAM_BASE, MACH_RAM_DEFAULT, 0x09001000, 4));
	ck_assert(!mach_pa_backed(MACH_RAM_BASE, MACH_RAM_DEFAULT, 0x0, 4));
	ck_assert(!mach_pa_backed(MACH_RAM_BASE, MACH_RAM_DEFAULT, UINT64_MAX - 3, 8)); /* no wrap-around */
}
END_TEST

START_TEST(test_ram_size_parsing)
{
	uint64_t v;
	const char *why;
	ck_assert(mach_parse_size("256M", &v, &why));
	ck_assert_uint_eq(v, 256u << 20);
	ck_assert(mach_parse_size("1G", &v, &why));
	ck_assert_uint_eq(v, 1u << 30);
	ck_assert(mach_parse_size("2048k", &v, &why));
	ck_assert_uint_eq(v, 2u << 20);
	ck_assert(mach_parse_size("1048576", &v, &why));
	ck_assert(!mach_parse_size("", &v, &why));
	ck_assert(!mach_parse_size("12X", &v, &why));
	ck_assert(!mach_parse_size("-1M", &v, &why));
	ck_assert(!mach_parse_size("512K", &v, &why));    /* below 1M */
	ck_assert(!mach_parse_size("1048577", &v, &why)); /* not a multiple of 4K */
	ck_assert(!mach_parse_size("65G", &v, &why));
	ck_assert(!mach_parse_size("99999999999999999999G", &v, &why));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("machine");
	TCase *tc = tcase_create("psci");
	tcase_add_test(tc, test_psci_version_is_1_1);
	tcase_add_test(tc, test_psci_system_off_and_reset_end_the_call);
	tcase_add_test(tc, test_psci_cpu_on_uniprocessor);
	tcase_add_test(tc, test_psci_affinity_info);
	tcase_add_test(tc, test_psci_features_and_unknown);
	tcase_add_test(tc, test_physical_map);
	tcase_add_test(tc, test_ram_size_parsing);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
