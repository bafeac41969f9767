/*
 * wake.h - "can anything wake this CPU?", the one question hang detection asks the machine
 * (DESIGN §2: a run ends as a guest hang on a branch to self, an idle loop or a WFI/WFE
 * "with nothing to wake it").
 *
 * A CPU that waits (WFI, WFE) or spins in a loop that reads nothing (only NOP, WFE, WFI,
 * YIELD, SEV/SEVL and unconditional branches) can leave it only by taking an interrupt.
 * The engine describes the CPU and the machine's interrupt sources in a struct mach_wake;
 * mach_can_wake() answers. Today hypsim's machine delivers no interrupt (the GIC is not
 * wired to the CPU yet), so irq_pending/fiq_pending are false; the generic timer's state
 * already counts as a source that will become pending (an armed timer).
 *
 * The rules (Arm ARM DDI 0487 D1.3.6 "Asynchronous exception masking" and D1.6 "Wait for
 * Interrupt"/"Wait for Event", HCR_EL2.E2H = 0, TGE = 0, EL3 not implemented):
 *  - WFI completes on a pending interrupt whether or not PSTATE masks it (the "WFI wake-up
 *    events"), so a waiting CPU wakes on any source.
 *  - A loop is left only by taking the interrupt: a physical IRQ (FIQ) is taken at EL2 when
 *    HCR_EL2.IMO (FMO) routes it there and PSTATE.I (F) is 0; at EL0/EL1 it is taken at EL2
 *    whatever PSTATE.I says when IMO is 1, and at EL1 when IMO is 0 and PSTATE.I is 0. At
 *    EL2 with IMO = 0 the interrupt targets EL1, a lower EL, and is not taken.
 *  - An event (SEV from another CPU) ends a WFE but not an idle loop around it; it is not a
 *    source here.
 */
#ifndef HYPSIM_MACHINE_WAKE_H
#define HYPSIM_MACHINE_WAKE_H

#include <stdbool.h>

struct mach_wake {
	bool waiting;  /* in WFI/WFE (true) or spinning in an idle loop (false) */
	unsigned el;   /* the CPU's Exception level, 0..2 */
	bool pstate_i; /* PSTATE.I, PSTATE.F */
	bool pstate_f;
	bool hcr_imo; /* HCR_EL2.IMO, FMO */
	bool hcr_fmo;
	bool irq_pending; /* an IRQ/FIQ is pending for this CPU now (the GIC) */
	bool fiq_pending;
	bool timer_armed; /* a timer of this CPU is enabled and unmasked (IMASK = 0): its
	                   * output, an IRQ, is high now or will rise */
};

/* Whether an IRQ (fiq: FIQ) could be taken by the CPU w describes (D1.3.6). */
bool mach_irq_takeable(const struct mach_wake *w, bool fiq);

/* Whether the CPU can ever leave its wait or idle loop (rules above). */
bool mach_can_wake(const struct mach_wake *w);

#endif /* HYPSIM_MACHINE_WAKE_H */
