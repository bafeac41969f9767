/*
 * test_machine.c - the pure parts of hypsim's virt machine: PSCI answered as EL3 firmware
 * (PSCI DEN0022 1.1 §5: return codes, function ids), the physical map, --ram parsing.
 */
#include <check.h>
#include <stdlib.h>

#include "machine/cpu_features.h"
#include "machine/machine.h"

/* A machine of n CPUs with the given power states (CPU 0 on when p is NULL). */
static struct psci_machine mach(unsigned n, const enum psci_power *p)
{
	static const enum psci_power uni[1] = {PSCI_POWER_ON};
	return (struct psci_machine){.ncpus = n,
	                             .power = p ? p : uni,
	                             .ram_base = MACH_RAM_BASE,
	                             .ram_size = MACH_RAM_DEFAULT};
}

static struct psci_result call(uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3)
{
	struct psci_machine m = mach(1, NULL);
	return psci_dispatch(x0, x1, x2, x3, &m, 0);
}

/* PSCI DEN0022 §5.1.1 PSCI_VERSION: major in [31:16], minor in [15:0]. */
START_TEST(test_psci_version_is_1_1)
{
	struct psci_result r = call(0x84000000, 0, 0, 0);
	ck_assert_int_eq(r.action, PSCI_ACT_RETURN);
	ck_assert_int_eq(r.x0, 0x10001);
	/* SMCCC: the function id is W0; the upper half of X0 is ignored. */
	r = call(0xffffffff84000000, 0, 0, 0);
	ck_assert_int_eq(r.x0, 0x10001);
}
END_TEST

START_TEST(test_psci_system_off_and_reset_end_the_call)
{
	ck_assert_int_eq(call(0x84000008, 0, 0, 0).action, PSCI_ACT_SYSTEM_OFF);
	ck_assert_int_eq(call(0x84000009, 0, 0, 0).action, PSCI_ACT_SYSTEM_RESET);
	ck_assert_int_eq(call(0x84000002, 0, 0, 0).action, PSCI_ACT_CPU_OFF);
}
END_TEST

/* §5.6 CPU_ON: ALREADY_ON for a CPU that is on, INVALID_PARAMETERS for no such CPU. */
START_TEST(test_psci_cpu_on_uniprocessor)
{
	struct psci_result r = call(0xc4000003, 0, 0x40100000, 0);
	ck_assert_int_eq(r.action, PSCI_ACT_RETURN);
	ck_assert_int_eq(r.x0, PSCI_RET_ALREADY_ON);
	r = call(0xc4000003, 1, 0x40100000, 0);
	ck_assert_int_eq(r.x0, PSCI_RET_INVALID_PARAMS);
	r = call(0x84000003, 0x100000000, 0x40100000, 0); /* SMC32: W1 */
	ck_assert_int_eq(r.x0, PSCI_RET_ALREADY_ON);
}
END_TEST

/*
 * §5.6 CPU_ON with four CPUs: a CPU that is off powers up at the entry with the context id
 * (the caller gets SUCCESS); one already powering up answers ON_PENDING; Aff1..Aff3 name no
 * CPU here; the entry must be an aligned PA in RAM (INVALID_ADDRESS, §5.6.2).
 */
START_TEST(test_psci_cpu_on_smp)
{
	enum psci_power p[4] = {PSCI_POWER_ON, PSCI_POWER_OFF, PSCI_POWER_ON_PENDING,
	                        PSCI_POWER_OFF};
	struct psci_machine m = mach(4, p);
	struct psci_result r = psci_dispatch(0xc4000003, 3, 0x40200000, 0xfeedbeef12, &m, 0);
	ck_assert_int_eq(r.action, PSCI_ACT_CPU_ON);
	ck_assert_int_eq(r.x0, PSCI_RET_SUCCESS);
	ck_assert_uint_eq(r.target, 3);
	ck_assert_uint_eq(r.entry, 0x40200000);
	ck_assert_uint_eq(r.context_id, 0xfeedbeef12);
	/* SMC32: the entry and the context id are W2 and W3. */
	r = psci_dispatch(0x84000003, 1, 0x140200000, 0xfeedbeef12, &m, 0);
	ck_assert_int_eq(r.action, PSCI_ACT_CPU_ON);
	ck_assert_uint_eq(r.entry, 0x40200000);
	ck_assert_uint_eq(r.context_id, 0xedbeef12);
	ck_assert_int_eq(psci_dispatch(0xc4000003, 2, 0x40200000, 0, &m, 0).x0,
	                 PSCI_RET_ON_PENDING);
	ck_assert_int_eq(psci_dispatch(0xc4000003, 0, 0x40200000, 0, &m, 1).x0,
	                 PSCI_RET_ALREADY_ON);
	ck_assert_int_eq(psci_dispatch(0xc4000003, 4, 0x40200000, 0, &m, 0).x0,
	                 PSCI_RET_INVALID_PARAMS);
	ck_assert_int_eq(psci_dispatch(0xc4000003, 0x101, 0x40200000, 0, &m, 0).x0,
	                 PSCI_RET_INVALID_PARAMS);
	ck_assert_int_eq(psci_dispatch(0xc4000003, 1, 0x1000, 0, &m, 0).x0,
	                 PSCI_RET_INVALID_ADDRESS);
	ck_assert_int_eq(psci_dispatch(0xc4000003, 1, 0x40200002, 0, &m, 0).x0,
	                 PSCI_RET_INVALID_ADDRESS);
	ck_assert_int_eq(psci_dispatch(0xc4000003, 1, 0x4ffffffc, 0, &m, 0).action,
	                 PSCI_ACT_CPU_ON);
	ck_assert_int_eq(psci_dispatch(0xc4000003, 1, 0x50000000, 0, &m, 0).x0,
	                 PSCI_RET_INVALID_ADDRESS);
}
END_TEST

/* §5.7 AFFINITY_INFO: ON (0), OFF (1), ON_PENDING (2) of a CPU at level 0. */
START_TEST(test_psci_affinity_info)
{
	ck_assert_int_eq(call(0xc4000004, 0, 0, 0).x0, PSCI_AFF_ON);
	ck_assert_int_eq(call(0xc4000004, 3, 0, 0).x0, PSCI_RET_INVALID_PARAMS);
	ck_assert_int_eq(call(0xc4000004, 0, 1, 0).x0, PSCI_RET_INVALID_PARAMS);
	enum psci_power p[3] = {PSCI_POWER_ON, PSCI_POWER_OFF, PSCI_POWER_ON_PENDING};
	struct psci_machine m = mach(3, p);
	ck_assert_int_eq(psci_dispatch(0xc4000004, 0, 0, 0, &m, 1).x0, PSCI_AFF_ON);
	ck_assert_int_eq(psci_dispatch(0xc4000004, 1, 0, 0, &m, 0).x0, PSCI_AFF_OFF);
	ck_assert_int_eq(psci_dispatch(0x84000004, 2, 0x100000000, 0, &m, 0).x0,
	                 PSCI_AFF_ON_PENDING); /* SMC32: W2 = 0 */
	ck_assert_int_eq(psci_dispatch(0xc4000004, 3, 0, 0, &m, 0).x0, PSCI_RET_INVALID_PARAMS);
}
END_TEST

/* §5.15 PSCI_FEATURES, and any function that is not implemented: NOT_SUPPORTED (-1). */
START_TEST(test_psci_features_and_unknown)
{
	ck_assert_int_eq(call(0x8400000a, 0x84000008, 0, 0).x0, 0);
	ck_assert_int_eq(call(0x8400000a, 0xc4000005, 0, 0).x0, -1);
	struct psci_result r = call(0xc4000005, 0, 0, 0); /* MIGRATE */
	ck_assert_int_eq(r.action, PSCI_ACT_RETURN);
	ck_assert_int_eq(r.x0, PSCI_RET_NOT_SUPPORTED);
	r = call(0x80000000, 0, 0, 0); /* SMCCC_VERSION: not implemented */
	ck_assert_int_eq(r.x0, PSCI_RET_NOT_SUPPORTED);
	ck_assert_int_eq(call(0x84000006, 0, 0, 0).x0, 2); /* no Trusted OS */
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

/* One description (cpu_features.h): the PA size the ID registers present is the one the
 * physical map checks RAM against. */
START_TEST(test_pa_bits_are_the_description)
{
	ck_assert_uint_eq(cpu_features_hypsim().pa_bits, MACH_PA_BITS);
	ck_assert(!mach_ram_fits(UINT64_C(1) << cpu_features_hypsim().pa_bits, 1 << 20,
	                         &(const char *){NULL}));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("machine");
	TCase *tc = tcase_create("psci");
	tcase_add_test(tc, test_psci_version_is_1_1);
	tcase_add_test(tc, test_pa_bits_are_the_description);
	tcase_add_test(tc, test_psci_system_off_and_reset_end_the_call);
	tcase_add_test(tc, test_psci_cpu_on_uniprocessor);
	tcase_add_test(tc, test_psci_cpu_on_smp);
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
