/*
 * idle-loop.S - guests that wait forever in a loop of several translation blocks
 * (DESIGN §2 guest hang: "WFI/WFE with nothing to wake it"). Unicorn ends a block after
 * each WFE and YIELD, so `1: wfe; b 1b` is two blocks; built with -DLONG_LOOP the loop is
 * three (`nop; wfe`, `nop; yield`, `b`). No interrupt source exists and DAIF stays masked
 * (the boot convention): `sim run` must end each as a hang (exit 3) naming the loop.
 * Built with -DTIMER_ARMED, the EL2 timer is armed and IRQs unmasked first: neither the
 * WFI nor the loop is a hang then (machine/wake.h), and only the budget ends the run.
 */
#include "hypsim-fw.h"

	.section .text.boot, "ax"
	.global _start
	.type _start, %function
_start:
	puts	msg
#ifdef TIMER_ARMED
	/* The EL2 physical timer enabled and unmasked, IRQs routed to EL2 and unmasked: an
	 * interrupt can end the loop (not a hang), though none is delivered yet. */
	mov64	x0, (HCR_RW | (1 << 4))	/* HCR_EL2.RW, IMO */
	msr	hcr_el2, x0
	mov	x0, #50000
	msr	cnthp_tval_el2, x0
	mov	x0, #1			/* ENABLE, IMASK = 0 */
	msr	cnthp_ctl_el2, x0
	msr	daifclr, #2
	isb
	wfi				/* returns: the timer can wake it */
#endif
	b	wait_loop
	.size _start, . - _start

	.type wait_loop, %function
wait_loop:
#ifdef LONG_LOOP
1:	nop
	wfe
	nop
	yield
	b	1b
#else
1:	wfe
	b	1b
#endif
	.size wait_loop, . - wait_loop

	.section .rodata
msg:	.asciz "idle-loop: waiting for an event that never comes\n"
