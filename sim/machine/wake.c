/*
 * wake.c - whether an interrupt can take a CPU out of a wait or an idle loop (wake.h has
 * the rules and their Arm ARM sections).
 */
#include "wake.h"

bool mach_irq_takeable(const struct mach_wake *w, bool fiq)
{
	bool routed_el2 = fiq ? w->hcr_fmo : w->hcr_imo;
	bool masked = fiq ? w->pstate_f : w->pstate_i;
	if (w->el == 2)
		return routed_el2 && !masked; /* IMO = 0: the target is EL1, below EL2 */
	return routed_el2 || !masked;         /* to EL2 whatever PSTATE says, or to EL1 */
}

bool mach_can_wake(const struct mach_wake *w)
{
	bool irq = w->irq_pending || w->timer_armed;
	if (w->waiting)
		return irq || w->fiq_pending;
	return (irq && mach_irq_takeable(w, false)) ||
	       (w->fiq_pending && mach_irq_takeable(w, true));
}
