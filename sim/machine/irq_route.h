/*
 * irq_route.h - which asynchronous exception a PE takes, and at which EL, given the
 * interrupt lines it receives (Arm ARM DDI 0487 D1.3.6 "Asynchronous exception routing" and
 * "masking"; EL3 not implemented, HCR_EL2.E2H = 0: the machine hypsim has).
 *
 *  - A physical IRQ (FIQ) is routed to EL2 when HCR_EL2.IMO (FMO) or TGE is 1: from EL0/EL1
 *    it is taken whatever PSTATE.I (F) says (an exception to a higher EL is not masked), at
 *    EL2 only when PSTATE.I (F) is 0. Otherwise it targets EL1: taken from EL0/EL1 when
 *    PSTATE.I (F) is 0, never at EL2 (a lower EL than the current one).
 *  - A virtual IRQ (FIQ), from HCR_EL2.VI (VF) or the GIC's virtual CPU interface, exists
 *    only when IMO (FMO) is 1 and TGE is 0; it is taken at EL0/EL1 to EL1 when PSTATE.I (F)
 *    is 0, never at EL2.
 *  - Several at once: FIQ, IRQ, virtual IRQ, virtual FIQ, QEMU's order (arm_cpu_exec_interrupt,
 *    the one hypsim is compared with; the architecture leaves the order open).
 * Pure.
 */
#ifndef HYPSIM_MACHINE_IRQ_ROUTE_H
#define HYPSIM_MACHINE_IRQ_ROUTE_H

#include <stdbool.h>
#include <stdint.h>

/* Interrupt lines into a PE. */
#define IRQ_LINE_IRQ  1u
#define IRQ_LINE_FIQ  2u
#define IRQ_LINE_VIRQ 4u
#define IRQ_LINE_VFIQ 8u

#define IRQR_HCR_FMO (UINT64_C(1) << 3)
#define IRQR_HCR_IMO (UINT64_C(1) << 4)
#define IRQR_HCR_VF  (UINT64_C(1) << 6)
#define IRQR_HCR_VI  (UINT64_C(1) << 7)
#define IRQR_HCR_TGE (UINT64_C(1) << 27)

struct irq_pe {
	unsigned el;   /* 0..2 */
	bool pstate_i; /* PSTATE.I, PSTATE.F */
	bool pstate_f;
	uint64_t hcr; /* HCR_EL2 */
};

/* The lines HCR_EL2.VI/VF assert (IRQ_LINE_VIRQ, IRQ_LINE_VFIQ). */
unsigned irq_lines_from_hcr(uint64_t hcr);

/*
 * The line (IRQ_LINE_*) whose exception the PE takes now, with its target EL in *target_el
 * (and whether it is a FIQ in *fiq), or 0 when none of lines is taken.
 */
unsigned irq_select(unsigned lines, const struct irq_pe *pe, unsigned *target_el, bool *fiq);

/* Whether a WFI completes (D1.6.2 "WFI wake-up events"): a physical line, masked or not; a
 * virtual one only at EL0/EL1 while it exists (IMO/FMO 1, TGE 0). */
bool irq_wfi_wakes(unsigned lines, const struct irq_pe *pe);

#endif /* HYPSIM_MACHINE_IRQ_ROUTE_H */
