/*
 * test_timer.c - the generic timer (Arm ARM D11.2 "The AArch64 view of the Generic Timer",
 * D11.2.4 "Timers": the CompareValue / TimerValue views and the timer condition) on hypsim's
 * deterministic count, and the CNTKCTL_EL1 / CNTHCTL_EL2 access controls (D13.8, E2H=0).
 */
#include <check.h>
#include <stdint.h>

#include "timer.h"

static struct timer_cpu fresh(void)
{
	struct timer_cfg cfg = timer_cfg_default();
	struct timer_cpu t;

	timer_cpu_reset(&t, &cfg);
	return t;
}

START_TEST(count_scaling)
{
	/* DESIGN §2: the count advances with instructions; the default is 1 tick each. */
	struct timer_cfg c = timer_cfg_default();

	ck_assert_uint_eq(c.freq_hz, 62500000);
	ck_assert_uint_eq(timer_count_at(&c, 0), 0);
	ck_assert_uint_eq(timer_count_at(&c, 12345), 12345);
	ck_assert_uint_eq(timer_insns_for(&c, 777), 777);
	/* 1 tick per 4 instructions: counts round down, instructions needed round up. */
	c.insns_per_tick = 4;
	ck_assert_uint_eq(timer_count_at(&c, 7), 1);
	ck_assert_uint_eq(timer_count_at(&c, 8), 2);
	ck_assert_uint_eq(timer_insns_for(&c, 2), 8);
	ck_assert_uint_eq(timer_count_at(&c, timer_insns_for(&c, 3)), 3);
	/* 3 ticks per instruction. */
	c.insns_per_tick = 1;
	c.ticks_per_insn = 3;
	ck_assert_uint_eq(timer_count_at(&c, 5), 15);
	ck_assert_uint_eq(timer_insns_for(&c, 16), 6);
	/* No wrap of the intermediate product. */
	ck_assert_uint_eq(timer_count_at(&c, UINT64_MAX / 2), (UINT64_MAX / 2) * 3);
}
END_TEST

START_TEST(reset_state)
{
	struct timer_cpu t = fresh();

	ck_assert_uint_eq(timer_read(&t, TREG_CNTFRQ_EL0, 0), 62500000);
	for (int id = 0; id < TIMER_N; id++) {
		ck_assert(!timer_istatus(&t, id, 1000));
		ck_assert(!timer_output(&t, id, 1000));
	}
	ck_assert_uint_eq(timer_next_deadline(&t, 1000), UINT64_MAX);
}
END_TEST

START_TEST(decode_encodings)
{
	/* The MRS/MSR encodings of D13.8 (op0, op1, CRn, CRm, op2). */
	ck_assert_int_eq(timer_reg_decode(3, 3, 14, 0, 0), TREG_CNTFRQ_EL0);
	ck_assert_int_eq(timer_reg_decode(3, 3, 14, 0, 1), TREG_CNTPCT_EL0);
	ck_assert_int_eq(timer_reg_decode(3, 3, 14, 0, 2), TREG_CNTVCT_EL0);
	ck_assert_int_eq(timer_reg_decode(3, 3, 14, 2, 0), TREG_CNTP_TVAL_EL0);
	ck_assert_int_eq(timer_reg_decode(3, 3, 14, 2, 1), TREG_CNTP_CTL_EL0);
	ck_assert_int_eq(timer_reg_decode(3, 3, 14, 2, 2), TREG_CNTP_CVAL_EL0);
	ck_assert_int_eq(timer_reg_decode(3, 3, 14, 3, 0), TREG_CNTV_TVAL_EL0);
	ck_assert_int_eq(timer_reg_decode(3, 3, 14, 3, 1), TREG_CNTV_CTL_EL0);
	ck_assert_int_eq(timer_reg_decode(3, 3, 14, 3, 2), TREG_CNTV_CVAL_EL0);
	ck_assert_int_eq(timer_reg_decode(3, 4, 14, 2, 0), TREG_CNTHP_TVAL_EL2);
	ck_assert_int_eq(timer_reg_decode(3, 4, 14, 2, 1), TREG_CNTHP_CTL_EL2);
	ck_assert_int_eq(timer_reg_decode(3, 4, 14, 2, 2), TREG_CNTHP_CVAL_EL2);
	ck_assert_int_eq(timer_reg_decode(3, 4, 14, 0, 3), TREG_CNTVOFF_EL2);
	ck_assert_int_eq(timer_reg_decode(3, 4, 14, 1, 0), TREG_CNTHCTL_EL2);
	ck_assert_int_eq(timer_reg_decode(3, 0, 14, 1, 0), TREG_CNTKCTL_EL1);
	/* CNTHV_* (VHE) and the secure timer are not modelled. */
	ck_assert_int_eq(timer_reg_decode(3, 4, 14, 3, 1), TREG_NONE);
	ck_assert_int_eq(timer_reg_decode(3, 7, 14, 2, 1), TREG_NONE);
	ck_assert_int_eq(timer_reg_decode(3, 0, 1, 0, 0), TREG_NONE);
	ck_assert_str_eq(timer_reg_name(TREG_CNTVOFF_EL2), "CNTVOFF_EL2");
}
END_TEST

START_TEST(cval_condition_and_output)
{
	/* D11.2.4: ISTATUS when enabled and count >= CVAL; output = ISTATUS && !IMASK. */
	struct timer_cpu t = fresh();

	timer_write(&t, TREG_CNTP_CVAL_EL0, 1000, 0);
	ck_assert(!timer_istatus(&t, TIMER_PHYS, 5000)); /* disabled: ISTATUS reads 0 */
	timer_write(&t, TREG_CNTP_CTL_EL0, CNT_CTL_ENABLE, 0);
	ck_assert(!timer_istatus(&t, TIMER_PHYS, 999));
	ck_assert(timer_istatus(&t, TIMER_PHYS, 1000));
	ck_assert(timer_output(&t, TIMER_PHYS, 1000));
	ck_assert_uint_eq(timer_read(&t, TREG_CNTP_CTL_EL0, 999), CNT_CTL_ENABLE);
	ck_assert_uint_eq(timer_read(&t, TREG_CNTP_CTL_EL0, 1000),
	                  CNT_CTL_ENABLE | CNT_CTL_ISTATUS);
	/* IMASK masks the output, not ISTATUS. */
	timer_write(&t, TREG_CNTP_CTL_EL0, CNT_CTL_ENABLE | CNT_CTL_IMASK, 0);
	ck_assert(timer_istatus(&t, TIMER_PHYS, 2000));
	ck_assert(!timer_output(&t, TIMER_PHYS, 2000));
	/* ISTATUS is read-only: writing it changes nothing. */
	timer_write(&t, TREG_CNTP_CTL_EL0, CNT_CTL_ISTATUS, 0);
	ck_assert_uint_eq(t.ctl[TIMER_PHYS], 0);
	ck_assert(!timer_istatus(&t, TIMER_PHYS, 2000));
	/* The compare is unsigned: CVAL = 2^63 is not met by a count of 1. */
	timer_write(&t, TREG_CNTP_CTL_EL0, CNT_CTL_ENABLE, 0);
	timer_write(&t, TREG_CNTP_CVAL_EL0, 1ull << 63, 0);
	ck_assert(!timer_istatus(&t, TIMER_PHYS, 1));
	ck_assert(timer_istatus(&t, TIMER_PHYS, 1ull << 63));
}
END_TEST

START_TEST(tval_semantics)
{
	struct timer_cpu t = fresh();

	/* D11.2.4: a TVAL write sets CVAL = count + SignExtend(TVAL[31:0]). */
	timer_write(&t, TREG_CNTP_TVAL_EL0, 500, 10000);
	ck_assert_uint_eq(t.cval[TIMER_PHYS], 10500);
	timer_write(&t, TREG_CNTP_TVAL_EL0, 0xffffffffull, 10000); /* -1 */
	ck_assert_uint_eq(t.cval[TIMER_PHYS], 9999);
	timer_write(&t, TREG_CNTP_TVAL_EL0, 0xdead00000000000aull, 10000); /* bits 63:32 ignored */
	ck_assert_uint_eq(t.cval[TIMER_PHYS], 10010);
	/* A TVAL read is (CVAL - count)[31:0] sign-extended: negative after expiry. */
	ck_assert_uint_eq(timer_read(&t, TREG_CNTP_TVAL_EL0, 10000), 10);
	ck_assert_uint_eq(timer_read(&t, TREG_CNTP_TVAL_EL0, 10011), (uint64_t)-1);
	/* Truncation: CVAL 2^32 + 5 ticks ahead reads as 5. */
	t.cval[TIMER_PHYS] = 10000 + (1ull << 32) + 5;
	ck_assert_uint_eq(timer_read(&t, TREG_CNTP_TVAL_EL0, 10000), 5);
	/* Each timer has its own TVAL view. */
	timer_write(&t, TREG_CNTHP_TVAL_EL2, 7, 100);
	ck_assert_uint_eq(t.cval[TIMER_HYP], 107);
	ck_assert_uint_eq(t.cval[TIMER_PHYS], 10000 + (1ull << 32) + 5);
}
END_TEST

START_TEST(virtual_offset)
{
	/* D11.2.2: CNTVCT_EL0 = CNTPCT_EL0 - CNTVOFF_EL2; CNTV compares against CNTVCT. */
	struct timer_cpu t = fresh();

	timer_write(&t, TREG_CNTVOFF_EL2, 3000, 0);
	ck_assert_uint_eq(timer_read(&t, TREG_CNTVCT_EL0, 10000), 7000);
	ck_assert_uint_eq(timer_read(&t, TREG_CNTPCT_EL0, 10000), 10000);
	timer_write(&t, TREG_CNTV_TVAL_EL0, 100, 10000);
	ck_assert_uint_eq(t.cval[TIMER_VIRT], 7100);
	timer_write(&t, TREG_CNTV_CTL_EL0, CNT_CTL_ENABLE, 0);
	ck_assert(!timer_output(&t, TIMER_VIRT, 10099));
	ck_assert(timer_output(&t, TIMER_VIRT, 10100));
	/* The deadline is in physical count: CVAL + CNTVOFF. */
	ck_assert_uint_eq(timer_next_deadline(&t, 10000), 10100);
	/* The physical timer ignores CNTVOFF. */
	timer_write(&t, TREG_CNTP_CVAL_EL0, 7100, 0);
	timer_write(&t, TREG_CNTP_CTL_EL0, CNT_CTL_ENABLE, 0);
	ck_assert(timer_output(&t, TIMER_PHYS, 7100));
	ck_assert(!timer_output(&t, TIMER_VIRT, 7100));
	/* Counts are read-only. */
	timer_write(&t, TREG_CNTPCT_EL0, 5, 0);
	timer_write(&t, TREG_CNTVCT_EL0, 5, 0);
	ck_assert_uint_eq(timer_read(&t, TREG_CNTPCT_EL0, 42), 42);
}
END_TEST

START_TEST(deadline)
{
	/* What a WFI fast-forwards to: the earliest armed, unmasked timer. */
	struct timer_cpu t = fresh();

	t.cval[TIMER_PHYS] = 5000;
	t.ctl[TIMER_PHYS] = CNT_CTL_ENABLE | CNT_CTL_IMASK; /* masked: not a wake-up */
	t.cval[TIMER_HYP] = 9000;
	t.ctl[TIMER_HYP] = CNT_CTL_ENABLE;
	t.cval[TIMER_VIRT] = 100;
	t.ctl[TIMER_VIRT] = 0; /* disabled */
	ck_assert_uint_eq(timer_next_deadline(&t, 1000), 9000);
	t.ctl[TIMER_PHYS] = CNT_CTL_ENABLE;
	ck_assert_uint_eq(timer_next_deadline(&t, 1000), 5000);
	/* Already firing: now. */
	ck_assert_uint_eq(timer_next_deadline(&t, 6000), 6000);
	/* A virtual deadline whose physical count is past 2^64 never comes. */
	t = fresh();
	t.cval[TIMER_VIRT] = 1000;
	t.ctl[TIMER_VIRT] = CNT_CTL_ENABLE;
	t.cntvoff = UINT64_MAX - 100; /* vcount = 0 at now = 2^64 - 101 */
	ck_assert_uint_eq(timer_next_deadline(&t, UINT64_MAX - 100), UINT64_MAX);
	/* One that is not: vcount = now + 10, so CVAL is reached 10 ticks earlier. */
	t.cntvoff = (uint64_t)-10;
	ck_assert_uint_eq(timer_next_deadline(&t, 0), 990);
}
END_TEST

START_TEST(ppis)
{
	/* QEMU virt / DTB: PPI 14 (INTID 30) phys, 11 (27) virt, 10 (26) hyp phys. */
	ck_assert_uint_eq(timer_ppi(TIMER_PHYS), 30);
	ck_assert_uint_eq(timer_ppi(TIMER_VIRT), 27);
	ck_assert_uint_eq(timer_ppi(TIMER_HYP), 26);
}
END_TEST

START_TEST(control_registers)
{
	struct timer_cpu t = fresh();

	timer_write(&t, TREG_CNTHCTL_EL2, 0xffffffffffffffffull, 0);
	ck_assert_uint_eq(timer_read(&t, TREG_CNTHCTL_EL2, 0), 0xff);
	timer_write(&t, TREG_CNTKCTL_EL1, 0xffffffffull, 0);
	ck_assert_uint_eq(timer_read(&t, TREG_CNTKCTL_EL1, 0), 0x3ff);
	timer_write(&t, TREG_CNTFRQ_EL0, 24000000, 0);
	ck_assert_uint_eq(timer_read(&t, TREG_CNTFRQ_EL0, 0), 24000000);
}
END_TEST

START_TEST(access_el1_cnthctl)
{
	/* D13.8 (E2H=0): EL1 accesses to CNTPCT / CNTP_* trap to EL2 unless EL1PCTEN / EL1PCEN. */
	struct timer_cpu t = fresh();

	ck_assert_int_eq(timer_access(&t, TREG_CNTPCT_EL0, 1, false), TIMER_ACCESS_TRAP_EL2);
	ck_assert_int_eq(timer_access(&t, TREG_CNTP_CTL_EL0, 1, true), TIMER_ACCESS_TRAP_EL2);
	ck_assert_int_eq(timer_access(&t, TREG_CNTP_TVAL_EL0, 1, false), TIMER_ACCESS_TRAP_EL2);
	ck_assert_int_eq(timer_access(&t, TREG_CNTV_CTL_EL0, 1, true), TIMER_ACCESS_OK);
	ck_assert_int_eq(timer_access(&t, TREG_CNTVCT_EL0, 1, false), TIMER_ACCESS_OK);
	/* Linux's init_el2 sets both bits before dropping to EL1. */
	t.cnthctl = CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN;
	ck_assert_int_eq(timer_access(&t, TREG_CNTPCT_EL0, 1, false), TIMER_ACCESS_OK);
	ck_assert_int_eq(timer_access(&t, TREG_CNTP_CVAL_EL0, 1, true), TIMER_ACCESS_OK);
	t.cnthctl = CNTHCTL_EL1PCTEN;
	ck_assert_int_eq(timer_access(&t, TREG_CNTPCT_EL0, 1, false), TIMER_ACCESS_OK);
	ck_assert_int_eq(timer_access(&t, TREG_CNTP_CVAL_EL0, 1, true), TIMER_ACCESS_TRAP_EL2);
	/* EL2-only registers are UNDEFINED at EL1; EL2 may access everything. */
	ck_assert_int_eq(timer_access(&t, TREG_CNTHP_CTL_EL2, 1, false), TIMER_ACCESS_UNDEF);
	ck_assert_int_eq(timer_access(&t, TREG_CNTVOFF_EL2, 1, true), TIMER_ACCESS_UNDEF);
	ck_assert_int_eq(timer_access(&t, TREG_CNTHCTL_EL2, 1, false), TIMER_ACCESS_UNDEF);
	ck_assert_int_eq(timer_access(&t, TREG_CNTHP_CTL_EL2, 2, true), TIMER_ACCESS_OK);
	ck_assert_int_eq(timer_access(&t, TREG_CNTPCT_EL0, 2, false), TIMER_ACCESS_OK);
	/* CNTFRQ_EL0 is writable only at the highest EL (EL2 here); counts never. */
	ck_assert_int_eq(timer_access(&t, TREG_CNTFRQ_EL0, 1, true), TIMER_ACCESS_UNDEF);
	ck_assert_int_eq(timer_access(&t, TREG_CNTFRQ_EL0, 1, false), TIMER_ACCESS_OK);
	ck_assert_int_eq(timer_access(&t, TREG_CNTFRQ_EL0, 2, true), TIMER_ACCESS_OK);
	ck_assert_int_eq(timer_access(&t, TREG_CNTVCT_EL0, 1, true), TIMER_ACCESS_UNDEF);
}
END_TEST

START_TEST(access_el0_cntkctl)
{
	/* D13.8: EL0 checks CNTKCTL_EL1 (trap to EL1) before CNTHCTL_EL2 (trap to EL2). */
	struct timer_cpu t = fresh();

	ck_assert_int_eq(timer_access(&t, TREG_CNTVCT_EL0, 0, false), TIMER_ACCESS_TRAP_EL1);
	ck_assert_int_eq(timer_access(&t, TREG_CNTFRQ_EL0, 0, false), TIMER_ACCESS_TRAP_EL1);
	ck_assert_int_eq(timer_access(&t, TREG_CNTV_CTL_EL0, 0, false), TIMER_ACCESS_TRAP_EL1);
	ck_assert_int_eq(timer_access(&t, TREG_CNTP_CTL_EL0, 0, false), TIMER_ACCESS_TRAP_EL1);
	ck_assert_int_eq(timer_access(&t, TREG_CNTKCTL_EL1, 0, false), TIMER_ACCESS_UNDEF);
	t.cntkctl = CNTKCTL_EL0VCTEN | CNTKCTL_EL0VTEN;
	ck_assert_int_eq(timer_access(&t, TREG_CNTVCT_EL0, 0, false), TIMER_ACCESS_OK);
	ck_assert_int_eq(timer_access(&t, TREG_CNTFRQ_EL0, 0, false), TIMER_ACCESS_OK);
	ck_assert_int_eq(timer_access(&t, TREG_CNTV_TVAL_EL0, 0, true), TIMER_ACCESS_OK);
	ck_assert_int_eq(timer_access(&t, TREG_CNTPCT_EL0, 0, false), TIMER_ACCESS_TRAP_EL1);
	/* EL0PCTEN/EL0PTEN pass EL1's check; CNTHCTL_EL2 = 0 then traps to EL2. */
	t.cntkctl = CNTKCTL_EL0PCTEN | CNTKCTL_EL0PTEN;
	ck_assert_int_eq(timer_access(&t, TREG_CNTPCT_EL0, 0, false), TIMER_ACCESS_TRAP_EL2);
	ck_assert_int_eq(timer_access(&t, TREG_CNTP_CTL_EL0, 0, false), TIMER_ACCESS_TRAP_EL2);
	t.cnthctl = CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN;
	ck_assert_int_eq(timer_access(&t, TREG_CNTPCT_EL0, 0, false), TIMER_ACCESS_OK);
	ck_assert_int_eq(timer_access(&t, TREG_CNTP_CTL_EL0, 0, false), TIMER_ACCESS_OK);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("timer");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, count_scaling);
	tcase_add_test(tc, reset_state);
	tcase_add_test(tc, decode_encodings);
	tcase_add_test(tc, cval_condition_and_output);
	tcase_add_test(tc, tval_semantics);
	tcase_add_test(tc, virtual_offset);
	tcase_add_test(tc, deadline);
	tcase_add_test(tc, ppis);
	tcase_add_test(tc, control_registers);
	tcase_add_test(tc, access_el1_cnthctl);
	tcase_add_test(tc, access_el0_cntkctl);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
