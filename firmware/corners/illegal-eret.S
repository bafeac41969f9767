/*
 * illegal-eret.S - illegal exception returns (Arm ARM D1.11.3) and the Illegal Execution
 * state exception they lead to (D1.11.4). Two ERETs from EL2:
 *  1. to EL3h (SPSR_EL2 = 0x3cd): an EL above the current one (and EL3 is not implemented);
 *  2. to EL1h AArch64 while HCR_EL2.RW = 0 says EL1 is AArch32: a register width mismatch.
 * Each must leave PSTATE.EL at 2, set PSTATE.IL, and make the instruction at ELR_EL2 take an
 * Illegal Execution state exception to EL2 (ESR_EL2.EC 0x0e, IL 1: 0x3a000000), with
 * SPSR_EL2.IL = 1 and DAIF from the SPSR (0x1003c9). The handler prints ESR, ELR - the
 * target, SPSR, then the second step or SYSTEM_OFF. The same text in QEMU and in `sim run`.
 */
#include "hypsim-fw.h"

	.section .text.boot, "ax"
	.global _start
	.type _start, %function
_start:
	puts	msg
	adr	x0, illegal_vectors
	msr	vbar_el2, x0
	mov	x19, #0			/* step */
	mov64	x0, HCR_RW
	msr	hcr_el2, x0
	mov	x0, #0x3cd		/* EL3h, DAIF masked */
	msr	spsr_el2, x0
	adr	x0, not_reached
	msr	elr_el2, x0
	isb
	eret
	.size _start, . - _start

	.type step2, %function
step2:
	msr	hcr_el2, xzr		/* RW = 0: EL1 is AArch32 */
	mov	x0, #0x3c5		/* EL1h AArch64 */
	msr	spsr_el2, x0
	adr	x0, not_reached
	msr	elr_el2, x0
	isb
	eret
	.size step2, . - step2

	.global not_reached
	.type not_reached, %function
not_reached:
	puts	bad
	psci	PSCI_SYSTEM_OFF
	.size not_reached, . - not_reached

	.balign 2048
	.global illegal_vectors
illegal_vectors:
	.rept 8				/* current EL with SP0 (4), current EL with SPx (4) */
	b	handler
	.balign 128
	.endr
	.rept 8
	b	.
	.balign 128
	.endr

	.type handler, %function
handler:
	puts	esr_msg
	mrs	x0, esr_el2
	bl	fw_puthex
	puts	elr_msg
	mrs	x0, elr_el2
	adr	x1, not_reached
	sub	x0, x0, x1
	bl	fw_puthex
	puts	spsr_msg
	mrs	x0, spsr_el2
	bl	fw_puthex
	puts	nl
	add	x19, x19, #1
	cmp	x19, #1
	b.eq	step2
	psci	PSCI_SYSTEM_OFF
	.size handler, . - handler

	.section .rodata
msg:	.asciz "illegal-eret: ERET to EL3, then to AArch64 EL1 with HCR_EL2.RW=0\n"
esr_msg: .asciz "ESR_EL2 "
elr_msg: .asciz " ELR_EL2-target "
spsr_msg: .asciz " SPSR_EL2 "
nl:	.asciz "\n"
bad:	.asciz "illegal-eret: the target instruction ran\n"
