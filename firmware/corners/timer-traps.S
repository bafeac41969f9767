/*
 * timer-traps.S - the generic timer's access controls (Arm ARM D13.8, HCR_EL2.E2H = 0):
 * with CNTKCTL_EL1 = EL0VCTEN only and CNTHCTL_EL2 = 0,
 *  - EL0 reads CNTVCT_EL0 (allowed), then CNTPCT_EL0 into x1: trapped to EL1 by
 *    CNTKCTL_EL1.EL0PCTEN = 0, ESR_EL1 = EC 0x18 with the MRS's ISS (0x6232f821);
 *  - the EL1 handler reads CNTPCT_EL0 into x2: trapped to EL2 by CNTHCTL_EL2.EL1PCTEN = 0,
 *    ESR_EL2 = 0x6232f841.
 * Each handler prints its ESR; then SYSTEM_OFF. The same text in QEMU and in `sim run`.
 */
#include "hypsim-fw.h"

	.section .text.boot, "ax"
	.global _start
	.type _start, %function
_start:
	puts	msg
	adr	x0, el2_vectors
	msr	vbar_el2, x0
	adr	x0, el1_vectors
	msr	vbar_el1, x0
	mov64	x0, HCR_RW
	msr	hcr_el2, x0
	msr	cnthctl_el2, xzr
	mov	x0, #2			/* CNTKCTL_EL1.EL0VCTEN */
	msr	cntkctl_el1, x0
	mov	x0, #0x3c0		/* EL0t, DAIF masked */
	msr	spsr_el2, x0
	adr	x0, el0_code
	msr	elr_el2, x0
	isb
	eret
	.size _start, . - _start

	.global el0_code
	.type el0_code, %function
el0_code:
	mrs	x0, cntvct_el0
	mrs	x1, cntpct_el0
	b	.
	.size el0_code, . - el0_code

	.type el1_handler, %function
el1_handler:
	puts	m_el1
	mrs	x0, esr_el1
	bl	fw_puthex
	puts	nl
	mrs	x2, cntpct_el0
	b	.
	.size el1_handler, . - el1_handler

	.type el2_handler, %function
el2_handler:
	puts	m_el2
	mrs	x0, esr_el2
	bl	fw_puthex
	puts	nl
	psci	PSCI_SYSTEM_OFF
	.size el2_handler, . - el2_handler

	.balign 2048
el1_vectors:
	.rept 16
	b	el1_handler
	.balign 128
	.endr

	.balign 2048
el2_vectors:
	.rept 16
	b	el2_handler
	.balign 128
	.endr

	.section .rodata
msg:	.asciz "timer-traps: CNTKCTL_EL1 and CNTHCTL_EL2 trap CNTPCT_EL0 reads\n"
m_el1:	.asciz "EL1: ESR_EL1 "
m_el2:	.asciz "EL2: ESR_EL2 "
nl:	.asciz "\n"
