/*
 * irq_route.c - asynchronous exception routing and masking (irq_route.h, D1.3.6).
 */
#include "irq_route.h"

unsigned irq_lines_from_hcr(uint64_t hcr)
{
	return ((hcr & IRQR_HCR_VI) ? IRQ_LINE_VIRQ : 0) |
	       ((hcr & IRQR_HCR_VF) ? IRQ_LINE_VFIQ : 0);
}

/* A physical interrupt routed by HCR_EL2.IMO/FMO (route_bit): taken now, and where. */
static bool physical(const struct irq_pe *pe, uint64_t route_bit, bool masked, unsigned *target)
{
	bool to_el2 = (pe->hcr & route_bit) || (pe->hcr & IRQR_HCR_TGE);
	if (to_el2) {
		*target = 2;
		return pe->el < 2 || !masked;
	}
	*target = 1;
	return pe->el < 2 && !masked;
}

/* A virtual interrupt: exists only with IMO/FMO 1 and TGE 0, taken at EL0/EL1 to EL1. */
static bool virtual(const struct irq_pe *pe, uint64_t route_bit, bool masked, unsigned *target)
{
	*target = 1;
	return (pe->hcr & route_bit) && !(pe->hcr & IRQR_HCR_TGE) && pe->el < 2 && !masked;
}

unsigned irq_select(unsigned lines, const struct irq_pe *pe, unsigned *target_el, bool *fiq)
{
	if ((lines & IRQ_LINE_FIQ) && physical(pe, IRQR_HCR_FMO, pe->pstate_f, target_el)) {
		*fiq = true;
		return IRQ_LINE_FIQ;
	}
	if ((lines & IRQ_LINE_IRQ) && physical(pe, IRQR_HCR_IMO, pe->pstate_i, target_el)) {
		*fiq = false;
		return IRQ_LINE_IRQ;
	}
	if ((lines & IRQ_LINE_VIRQ) && virtual(pe, IRQR_HCR_IMO, pe->pstate_i, target_el)) {
		*fiq = false;
		return IRQ_LINE_VIRQ;
	}
	if ((lines & IRQ_LINE_VFIQ) && virtual(pe, IRQR_HCR_FMO, pe->pstate_f, target_el)) {
		*fiq = true;
		return IRQ_LINE_VFIQ;
	}
	return 0;
}

bool irq_wfi_wakes(unsigned lines, const struct irq_pe *pe)
{
	if (lines & (IRQ_LINE_IRQ | IRQ_LINE_FIQ))
		return true;
	unsigned t;
	struct irq_pe unmasked = *pe;
	unmasked.pstate_i = unmasked.pstate_f = false;
	return ((lines & IRQ_LINE_VIRQ) && virtual(&unmasked, IRQR_HCR_IMO, false, &t)) ||
	       ((lines & IRQ_LINE_VFIQ) && virtual(&unmasked, IRQR_HCR_FMO, false, &t));
}
