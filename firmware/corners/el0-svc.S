/*
 * el0-svc.S - exceptions taken from EL0 (hypsim enters them itself; Unicorn 2.0.1 keeps
 * EL0's translation flags, under which its own ERET is UNDEFINED: cpu.c, leave_el0).
 * EL2 drops to AArch64 EL0 with x19, x29, SP_EL0, NZCV and v0 set; EL0 calls SVC #1; the
 * EL1 handler prints ESR_EL1, the registers EL0 left (they must survive the entry), then
 * returns to EL0, which calls SVC #2 with x19 + 1; the handler prints again and powers off.
 * The same text in QEMU and in `sim run`.
 */
#include "hypsim-fw.h"

	.section .text.boot, "ax"
	.global _start
	.type _start, %function
_start:
	puts	msg
	adr	x0, el1_vectors
	msr	vbar_el1, x0
	mov64	x0, HCR_RW
	msr	hcr_el2, x0
	mov	x0, #(3 << 20)		/* CPACR_EL1.FPEN: FP/SIMD at EL0/EL1 (QEMU resets 0) */
	msr	cpacr_el1, x0
	mov64	x0, 0x40200000
	msr	sp_el0, x0
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
	mov64	x19, 0x1919
	mov64	x29, 0x2929
	mov64	x0, 0x0123456789abcdef
	fmov	d0, x0
	cmp	x19, x19		/* Z and C set: NZCV 0x6 */
	svc	#1
	add	x19, x19, #1
	svc	#2
	b	.
	.size el0_code, . - el0_code

	.type el1_handler, %function
el1_handler:
	puts	m_esr
	mrs	x0, esr_el1
	bl	fw_puthex
	puts	m_x19
	mov	x0, x19
	bl	fw_puthex
	puts	m_x29
	mov	x0, x29
	bl	fw_puthex
	puts	m_sp
	mrs	x0, sp_el0
	bl	fw_puthex
	puts	m_spsr
	mrs	x0, spsr_el1
	bl	fw_puthex
	puts	m_d0
	fmov	x0, d0
	bl	fw_puthex
	puts	nl
	mrs	x0, esr_el1
	and	x0, x0, #0xffff
	cmp	x0, #2
	b.eq	1f
	eret				/* back to EL0, after the SVC */
1:	psci	PSCI_SYSTEM_OFF
	.size el1_handler, . - el1_handler

	.balign 2048
el1_vectors:
	.rept 16
	b	el1_handler
	.balign 128
	.endr

	.section .rodata
msg:	.asciz "el0-svc: SVC from EL0 to EL1 and back\n"
m_esr:	.asciz "ESR_EL1 "
m_x19:	.asciz " x19 "
m_x29:	.asciz " x29 "
m_sp:	.asciz " SP_EL0 "
m_spsr:	.asciz " SPSR_EL1 "
m_d0:	.asciz " d0 "
nl:	.asciz "\n"
