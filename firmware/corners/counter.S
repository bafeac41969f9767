/*
 * counter.S - the generic counter on hypsim's instruction-driven time base (DESIGN §2,
 * machine/timer.h: count = instructions executed by the machine, 1 tick each, CNTFRQ_EL0
 * 62.5 MHz). At EL2 it prints:
 *  - "pct delta": CNTPCT_EL0 read twice with 5 NOPs between: exactly 6 (the first MRS and
 *    the NOPs ran between the reads);
 *  - "vct offset": CNTPCT_EL0 + 1 - CNTVCT_EL0 with CNTVOFF_EL2 = 1000: exactly 1000;
 *  - "hp cval-pct": CNTHP_TVAL_EL2 = 500 written right after a CNTPCT read: CVAL = count at
 *    the MSR + 500, so CVAL - that read = 501; CNTHP_CTL_EL2 then reads 3 (ENABLE and
 *    IMASK as written, ISTATUS 0);
 *  - "hp ctl later": after the count has passed CVAL, CTL reads 7 (ISTATUS set, D11.2.4);
 *  - "delay iterations": the iterations of a 1 ms busy wait on CNTPCT (62,500 ticks),
 *    the same number on every run.
 * Then SYSTEM_OFF. Two runs print the same text and execute the same instruction count.
 */
#include "hypsim-fw.h"

	.section .text.boot, "ax"
	.global _start
	.type _start, %function
_start:
	puts	m_pct
	mrs	x20, cntpct_el0
	nop
	nop
	nop
	nop
	nop
	mrs	x21, cntpct_el0
	sub	x0, x21, x20
	bl	fw_puthex

	puts	m_vct
	mov	x0, #1000
	msr	cntvoff_el2, x0
	isb
	mrs	x20, cntpct_el0
	mrs	x21, cntvct_el0
	add	x0, x20, #1
	sub	x0, x0, x21
	bl	fw_puthex

	puts	m_hp
	mov	x1, #500
	mrs	x20, cntpct_el0
	msr	cnthp_tval_el2, x1
	mov	x1, #3			/* ENABLE, IMASK */
	msr	cnthp_ctl_el2, x1
	mrs	x21, cnthp_cval_el2
	sub	x0, x21, x20
	bl	fw_puthex
	puts	m_ctl
	mrs	x0, cnthp_ctl_el2
	bl	fw_puthex

	/* Wait past CVAL, then read CTL again. */
1:	mrs	x0, cntpct_el0
	cmp	x0, x21
	b.lo	1b
	puts	m_ctl2
	mrs	x0, cnthp_ctl_el2
	bl	fw_puthex

	/* A 1 ms delay loop, as firmware writes it: CNTFRQ / 1000 ticks. */
	puts	m_delay
	mrs	x1, cntfrq_el0
	mov	x2, #1000
	udiv	x1, x1, x2
	mrs	x2, cntpct_el0
	add	x2, x2, x1
	mov	x3, #0
delay_loop:
	add	x3, x3, #1
	mrs	x0, cntpct_el0
	cmp	x0, x2
	b.lo	delay_loop
	mov	x0, x3
	bl	fw_puthex
	puts	nl
	psci	PSCI_SYSTEM_OFF
	.size _start, . - _start

	.section .rodata
m_pct:	.asciz "pct delta "
m_vct:	.asciz "\nvct offset "
m_hp:	.asciz "\nhp cval-pct "
m_ctl:	.asciz "\nhp ctl "
m_ctl2:	.asciz "\nhp ctl later "
m_delay: .asciz "\ndelay iterations "
nl:	.asciz "\n"
