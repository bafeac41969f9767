/*
 * test_wake.c - "can anything wake this CPU?" (machine/wake.h): D1.3.6 asynchronous
 * exception masking and routing with HCR_EL2.E2H = TGE = 0, and D1.6 WFI wake-up events.
 */
#include <check.h>

#include "wake.h"

/* D1.3.6: at EL2 a physical IRQ is taken only when HCR_EL2.IMO routes it to EL2 and
 * PSTATE.I is 0; with IMO = 0 it targets EL1, below EL2, and is never taken at EL2. */
START_TEST(d1_3_6_irq_at_el2)
{
	struct mach_wake w = {.el = 2};
	ck_assert(!mach_irq_takeable(&w, false)); /* IMO = 0 */
	w.hcr_imo = true;
	ck_assert(mach_irq_takeable(&w, false));
	w.pstate_i = true;
	ck_assert(!mach_irq_takeable(&w, false));
	/* FIQ follows FMO and PSTATE.F, not IMO and I. */
	ck_assert(!mach_irq_takeable(&w, true));
	w.hcr_fmo = true;
	ck_assert(mach_irq_takeable(&w, true));
	w.pstate_f = true;
	ck_assert(!mach_irq_takeable(&w, true));
}
END_TEST

/* D1.3.6: at EL1 and EL0 an interrupt routed to EL2 (IMO = 1) is taken whatever PSTATE.I
 * says; routed to EL1 (IMO = 0) it is masked by PSTATE.I. */
START_TEST(d1_3_6_irq_below_el2)
{
	for (unsigned el = 0; el <= 1; el++) {
		struct mach_wake w = {.el = el, .pstate_i = true};
		ck_assert(!mach_irq_takeable(&w, false));
		w.hcr_imo = true;
		ck_assert(mach_irq_takeable(&w, false));
		w = (struct mach_wake){.el = el};
		ck_assert(mach_irq_takeable(&w, false));
	}
}
END_TEST

/* DESIGN §2: with no source at all nothing wakes a CPU, waiting or looping, masks or not. */
START_TEST(no_source_never_wakes)
{
	for (unsigned el = 0; el <= 2; el++)
		for (int bits = 0; bits < 32; bits++) {
			struct mach_wake w = {.el = el,
			                      .waiting = bits & 1,
			                      .pstate_i = bits & 2,
			                      .pstate_f = bits & 4,
			                      .hcr_imo = bits & 8,
			                      .hcr_fmo = bits & 16};
			ck_assert(!mach_can_wake(&w));
		}
}
END_TEST

/* D1.6.2: a pending interrupt is a WFI wake-up event even when PSTATE masks it; an armed
 * timer is one that will become pending. */
START_TEST(d1_6_wfi_wakes_on_masked_interrupt)
{
	struct mach_wake w = {.el = 2, .waiting = true, .pstate_i = true, .pstate_f = true};
	w.irq_pending = true;
	ck_assert(mach_can_wake(&w));
	w.irq_pending = false;
	w.timer_armed = true;
	ck_assert(mach_can_wake(&w));
	w.timer_armed = false;
	w.fiq_pending = true;
	ck_assert(mach_can_wake(&w));
}
END_TEST

/* A loop of hint instructions is left only by taking the interrupt: an armed timer at EL2
 * with IMO = 0, or with PSTATE.I = 1, cannot end it. */
START_TEST(idle_loop_needs_a_takeable_interrupt)
{
	struct mach_wake w = {.el = 2, .timer_armed = true, .hcr_imo = true, .pstate_i = true};
	ck_assert(!mach_can_wake(&w));
	w.pstate_i = false;
	ck_assert(mach_can_wake(&w));
	w.hcr_imo = false;
	ck_assert(!mach_can_wake(&w));
	/* At EL1 an IRQ routed to EL2 takes the CPU out even with PSTATE.I = 1. */
	w = (struct mach_wake){.el = 1, .irq_pending = true, .hcr_imo = true, .pstate_i = true};
	ck_assert(mach_can_wake(&w));
	/* A pending FIQ with F masked and FMO = 0 at EL2: never taken. */
	w = (struct mach_wake){.el = 2, .fiq_pending = true, .pstate_f = true};
	ck_assert(!mach_can_wake(&w));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("wake");
	TCase *tc = tcase_create("wake");
	tcase_add_test(tc, d1_3_6_irq_at_el2);
	tcase_add_test(tc, d1_3_6_irq_below_el2);
	tcase_add_test(tc, no_source_never_wakes);
	tcase_add_test(tc, d1_6_wfi_wakes_on_masked_interrupt);
	tcase_add_test(tc, idle_loop_needs_a_takeable_interrupt);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
