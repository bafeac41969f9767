/*
 * test_cpu_features.c - the ID register values of hypsim's machine (machine/cpu_features.h):
 * Arm ARM D17.2 field encodings of ID_AA64PFR0_EL1, ID_PFR1_EL1 and ID_AA64MMFR0_EL1, and
 * agreement with QEMU's `-M virt,virtualization=on -cpu cortex-a72` (secure=off) where the
 * machines are the same.
 */
#include <check.h>

#include "cpu_features.h"

/* Unicorn 2.0.1's Cortex-A72 (qemu/target/arm/cpu64.c, aarch64_a72_initfn). */
#define A72_AA64PFR0  UINT64_C(0x00002222)
#define A72_PFR1      UINT64_C(0x00011011)
#define A72_AA64MMFR0 UINT64_C(0x00001124)
#define A72_DFR0      UINT64_C(0x03010066)

/* D17.2.67: EL3 [15:12] = 0 "not implemented"; QEMU with has_el3 = false clears the same
 * field and keeps the rest: 0x0222 is what `-M virt,virtualization=on` shows. */
START_TEST(d17_2_aa64pfr0_no_el3_as_qemu_virt)
{
	struct cpu_features f = cpu_features_hypsim();
	ck_assert(!f.el3);
	ck_assert(f.el2);
	ck_assert_uint_eq(cpu_id_value(&f, CPU_ID_AA64PFR0_EL1, A72_AA64PFR0), 0x0222);
	/* With EL3 described, the A72's own value is kept; without EL2, its field is 0. */
	f.el3 = true;
	ck_assert_uint_eq(cpu_id_value(&f, CPU_ID_AA64PFR0_EL1, A72_AA64PFR0), A72_AA64PFR0);
	f.el2 = false;
	ck_assert_uint_eq(cpu_id_value(&f, CPU_ID_AA64PFR0_EL1, A72_AA64PFR0), 0x2022);
	/* A base with EL2/EL3 absent gets "AArch64 only" when the description has them. */
	f.el2 = f.el3 = true;
	ck_assert_uint_eq(cpu_id_value(&f, CPU_ID_AA64PFR0_EL1, 0x0022), 0x1122);
}
END_TEST

/* G8.2.x ID_PFR1: Security [7:4] = 0 without EL3 (QEMU clears the same nibble). */
START_TEST(g8_id_pfr1_no_security)
{
	struct cpu_features f = cpu_features_hypsim();
	ck_assert_uint_eq(cpu_id_value(&f, CPU_ID_PFR1_EL1, A72_PFR1), 0x00011001);
}
END_TEST

/* ID_DFR0_EL1 (D17.2 / G8.2): CopSDbg [7:4], coprocessor-based Secure debug, is 0 without
 * EL3, the rest is the A72's: 0x03010006, what Xen 4.17 prints as "Debug Features" under
 * QEMU's `-M virt,virtualization=on` (QEMU clears the same nibble when EL3 is absent). */
START_TEST(d17_2_id_dfr0_no_secure_debug)
{
	struct cpu_features f = cpu_features_hypsim();
	ck_assert_uint_eq(cpu_id_value(&f, CPU_ID_DFR0_EL1, A72_DFR0), 0x03010006);
	f.el3 = true;
	ck_assert_uint_eq(cpu_id_value(&f, CPU_ID_DFR0_EL1, A72_DFR0), A72_DFR0);
	ck_assert_int_eq(cpu_id_reg_decode(3, 0, 0, 1, 2), CPU_ID_DFR0_EL1);
}
END_TEST

/* D17.2.64 ID_AA64MMFR0_EL1: PARange [3:0] 4 = 44 bits; TGran4 [31:28] and TGran64
 * [27:24] 0 = implemented, TGran16 [23:20] 1 = implemented (the engine and the model walk
 * 16K); the other fields (ASIDBits, BigEnd, SNSMem) are the A72's. */
START_TEST(d17_2_aa64mmfr0_granules_and_pa)
{
	struct cpu_features f = cpu_features_hypsim();
	ck_assert_uint_eq(f.pa_bits, 44);
	ck_assert_uint_eq(cpu_id_value(&f, CPU_ID_AA64MMFR0_EL1, A72_AA64MMFR0), 0x00101124);
	f.tgran16 = false;
	f.tgran64 = false;
	f.pa_bits = 48;
	ck_assert_uint_eq(cpu_id_value(&f, CPU_ID_AA64MMFR0_EL1, A72_AA64MMFR0), 0x0f001125);
	f.tgran4 = false;
	ck_assert_uint_eq(cpu_id_value(&f, CPU_ID_AA64MMFR0_EL1, A72_AA64MMFR0), 0xff001125);
}
END_TEST

START_TEST(d17_2_parange_encodings)
{
	static const unsigned bits[] = {32, 36, 40, 42, 44, 48, 52};
	for (int i = 0; i < 7; i++)
		ck_assert_int_eq(cpu_parange_of(bits[i]), i);
	ck_assert_int_eq(cpu_parange_of(39), -1);
}
END_TEST

/* The MRS encodings (op0, op1, CRn, CRm, op2) of the three registers, and no other. */
START_TEST(id_reg_decode)
{
	ck_assert_int_eq(cpu_id_reg_decode(3, 0, 0, 4, 0), CPU_ID_AA64PFR0_EL1);
	ck_assert_int_eq(cpu_id_reg_decode(3, 0, 0, 7, 0), CPU_ID_AA64MMFR0_EL1);
	ck_assert_int_eq(cpu_id_reg_decode(3, 0, 0, 1, 1), CPU_ID_PFR1_EL1);
	ck_assert_int_eq(cpu_id_reg_decode(3, 0, 0, 4, 1), CPU_ID_NONE); /* ID_AA64PFR1 */
	ck_assert_int_eq(cpu_id_reg_decode(3, 0, 0, 7, 1), CPU_ID_NONE); /* ID_AA64MMFR1 */
	ck_assert_int_eq(cpu_id_reg_decode(3, 4, 0, 0, 5), CPU_ID_NONE); /* VMPIDR_EL2 */
	ck_assert_int_eq(cpu_id_value(&(struct cpu_features){0}, CPU_ID_NONE, 0x1234), 0x1234);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cpu_features");
	TCase *tc = tcase_create("cpu_features");
	tcase_add_test(tc, d17_2_aa64pfr0_no_el3_as_qemu_virt);
	tcase_add_test(tc, g8_id_pfr1_no_security);
	tcase_add_test(tc, d17_2_id_dfr0_no_secure_debug);
	tcase_add_test(tc, d17_2_aa64mmfr0_granules_and_pa);
	tcase_add_test(tc, d17_2_parange_encodings);
	tcase_add_test(tc, id_reg_decode);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
