/*
 * test_irq_route.c - asynchronous exception routing and masking (irq_route.h; Arm ARM D1.3.6,
 * EL3 not implemented, E2H = 0) and the WFI wake-up events (D1.6.2).
 */
#include <check.h>
#include <stdlib.h>

#include "irq_route.h"

static struct irq_pe pe(unsigned el, bool i, uint64_t hcr)
{
	return (struct irq_pe){.el = el, .pstate_i = i, .pstate_f = i, .hcr = hcr};
}

/* IMO = 0, TGE = 0: a physical IRQ targets EL1, masked there by PSTATE.I, never at EL2. */
START_TEST(test_physical_to_el1)
{
	unsigned t = 9;
	bool fiq = true;
	struct irq_pe p = pe(1, false, 0);
	ck_assert_uint_eq(irq_select(IRQ_LINE_IRQ, &p, &t, &fiq), IRQ_LINE_IRQ);
	ck_assert_uint_eq(t, 1);
	ck_assert(!fiq);
	p = pe(0, false, 0);
	ck_assert_uint_eq(irq_select(IRQ_LINE_IRQ, &p, &t, &fiq), IRQ_LINE_IRQ);
	ck_assert_uint_eq(t, 1);
	p = pe(1, true, 0);
	ck_assert_uint_eq(irq_select(IRQ_LINE_IRQ, &p, &t, &fiq), 0);
	p = pe(2, false, 0); /* a lower target EL: not taken at EL2 */
	ck_assert_uint_eq(irq_select(IRQ_LINE_IRQ, &p, &t, &fiq), 0);
}
END_TEST

/* IMO = 1 (or TGE = 1): EL2 is the target; from EL0/EL1 PSTATE.I does not mask it. */
START_TEST(test_physical_to_el2)
{
	unsigned t = 9;
	bool fiq;
	struct irq_pe p = pe(1, true, IRQR_HCR_IMO);
	ck_assert_uint_eq(irq_select(IRQ_LINE_IRQ, &p, &t, &fiq), IRQ_LINE_IRQ);
	ck_assert_uint_eq(t, 2);
	p = pe(0, true, IRQR_HCR_TGE);
	ck_assert_uint_eq(irq_select(IRQ_LINE_IRQ, &p, &t, &fiq), IRQ_LINE_IRQ);
	ck_assert_uint_eq(t, 2);
	p = pe(2, true, IRQR_HCR_IMO);
	ck_assert_uint_eq(irq_select(IRQ_LINE_IRQ, &p, &t, &fiq), 0);
	p = pe(2, false, IRQR_HCR_IMO);
	ck_assert_uint_eq(irq_select(IRQ_LINE_IRQ, &p, &t, &fiq), IRQ_LINE_IRQ);
	ck_assert_uint_eq(t, 2);
	/* FMO routes FIQs only. */
	p = pe(1, true, IRQR_HCR_FMO);
	ck_assert_uint_eq(irq_select(IRQ_LINE_IRQ, &p, &t, &fiq), 0);
	ck_assert_uint_eq(irq_select(IRQ_LINE_FIQ, &p, &t, &fiq), IRQ_LINE_FIQ);
	ck_assert(fiq);
	ck_assert_uint_eq(t, 2);
}
END_TEST

/* Virtual interrupts: only with IMO/FMO = 1 and TGE = 0, at EL0/EL1, masked by PSTATE. */
START_TEST(test_virtual)
{
	unsigned t = 9;
	bool fiq;
	struct irq_pe p = pe(1, false, IRQR_HCR_IMO | IRQR_HCR_VI);
	unsigned l = irq_lines_from_hcr(p.hcr);
	ck_assert_uint_eq(l, IRQ_LINE_VIRQ);
	ck_assert_uint_eq(irq_select(l, &p, &t, &fiq), IRQ_LINE_VIRQ);
	ck_assert_uint_eq(t, 1);
	p.pstate_i = true;
	ck_assert_uint_eq(irq_select(l, &p, &t, &fiq), 0);
	p = pe(1, false, IRQR_HCR_VI); /* IMO = 0: no virtual IRQ */
	ck_assert_uint_eq(irq_select(IRQ_LINE_VIRQ, &p, &t, &fiq), 0);
	p = pe(1, false, IRQR_HCR_IMO | IRQR_HCR_TGE);
	ck_assert_uint_eq(irq_select(IRQ_LINE_VIRQ, &p, &t, &fiq), 0);
	p = pe(2, false, IRQR_HCR_IMO);
	ck_assert_uint_eq(irq_select(IRQ_LINE_VIRQ, &p, &t, &fiq), 0);
	p = pe(0, false, IRQR_HCR_FMO | IRQR_HCR_VF);
	ck_assert_uint_eq(irq_select(irq_lines_from_hcr(p.hcr), &p, &t, &fiq), IRQ_LINE_VFIQ);
	ck_assert(fiq);
}
END_TEST

/* Several lines: FIQ before IRQ before virtual IRQ before virtual FIQ (QEMU's order). */
START_TEST(test_order)
{
	unsigned t;
	bool fiq;
	struct irq_pe p = pe(1, false, IRQR_HCR_IMO | IRQR_HCR_FMO);
	unsigned all = IRQ_LINE_IRQ | IRQ_LINE_FIQ | IRQ_LINE_VIRQ | IRQ_LINE_VFIQ;
	ck_assert_uint_eq(irq_select(all, &p, &t, &fiq), IRQ_LINE_FIQ);
	ck_assert_uint_eq(irq_select(all & ~IRQ_LINE_FIQ, &p, &t, &fiq), IRQ_LINE_IRQ);
	ck_assert_uint_eq(irq_select(IRQ_LINE_VIRQ | IRQ_LINE_VFIQ, &p, &t, &fiq), IRQ_LINE_VIRQ);
}
END_TEST

/* D1.6.2: a WFI completes on a pending physical interrupt even when masked or targeting a
 * lower EL; a virtual one only where it exists. */
START_TEST(test_wfi)
{
	struct irq_pe p = pe(2, true, 0);
	ck_assert(irq_wfi_wakes(IRQ_LINE_IRQ, &p));
	ck_assert(irq_wfi_wakes(IRQ_LINE_FIQ, &p));
	ck_assert(!irq_wfi_wakes(0, &p));
	ck_assert(!irq_wfi_wakes(IRQ_LINE_VIRQ, &p));
	p = pe(1, true, IRQR_HCR_IMO);
	ck_assert(irq_wfi_wakes(IRQ_LINE_VIRQ, &p));
	p = pe(1, true, 0);
	ck_assert(!irq_wfi_wakes(IRQ_LINE_VIRQ, &p));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("irq_route");
	TCase *tc = tcase_create("route");
	tcase_add_test(tc, test_physical_to_el1);
	tcase_add_test(tc, test_physical_to_el2);
	tcase_add_test(tc, test_virtual);
	tcase_add_test(tc, test_order);
	tcase_add_test(tc, test_wfi);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
