/*
 * eret-alias.S - issue 14 defect 1: an EL1 OS running with its MMU on at a high alias VA
 * (TTBR1_EL1, 0xffff8000_0000_0000 + PA, as Linux's kernel VAs) calls HVC; EL2 returns with
 * ERET to that VA, which EL2's own regime does not map. EL1 must continue there.
 * ERET_ALIAS_DIRECT: EL2 turns EL1's MMU on and enters EL1 at the alias directly.
 * Otherwise: EL1 enters at its PA with the MMU off, turns it on (idmap in TTBR0_EL1) and
 * jumps to the alias. Same UART text in `sim run` and in QEMU virt.
 */
#include "hypsim-fw.h"

#define ALIAS 0xffff800000000000
/* TCR_EL1: T0SZ=25 (39-bit, walk from L1), T1SZ=16 (48-bit, walk from L0), 4K granules,
 * non-cacheable walks (IRGN/ORGN 0: tables written with the MMU off need no cleaning),
 * inner shareable, IPS=40 bits. */
#define TCR_EL1_VAL ((2 << 32) | (2 << 30) | (3 << 28) | (16 << 16) | (3 << 12) | 25)
#define L1_BLOCK_DEVICE (PTE_VALID | PTE_BLOCK | PTE_ATTRIDX(MT_DEVICE_nGnRnE) | PTE_AF)
#define L1_BLOCK_NORMAL (PTE_VALID | PTE_BLOCK | PTE_ATTRIDX(MT_NORMAL_WB) | PTE_SH_INNER | PTE_AF)
#define SPSR_EL1H_DAIF 0x3c5
#define ESR_EC_HVC64 0x16

	.section .text.boot, "ax"
	.global _start
	.type _start, %function
_start:
	puts	msg_boot
	adr	x0, el2_vectors
	msr	vbar_el2, x0

	/* EL1's tables, written with the MMU off (the tables are in .data: zeroed by the
	 * loader, only the entries below are set). */
	adr	x19, l1_low
	mov64	x0, L1_BLOCK_DEVICE
	str	x0, [x19, #0 * 8]
	mov64	x0, (0x40000000 | L1_BLOCK_NORMAL)
	str	x0, [x19, #1 * 8]
	adr	x20, l1_high
	str	x0, [x20, #1 * 8]
	adr	x21, l0_high
	orr	x0, x20, #(PTE_VALID | PTE_TABLE)
	str	x0, [x21, #256 * 8]
	dsb	sy

	mov64	x0, HCR_RW
	msr	hcr_el2, x0
	mov64	x0, MAIR_VALUE
	msr	mair_el1, x0
	mov64	x0, TCR_EL1_VAL
	msr	tcr_el1, x0
	msr	ttbr0_el1, x19
	msr	ttbr1_el1, x21
	adr	x0, el1_vectors
	msr	vbar_el1, x0
	mov	x0, #SPSR_EL1H_DAIF
	msr	spsr_el2, x0
#ifdef ERET_ALIAS_DIRECT
	mov64	x0, (SCTLR_EL1_RES1 | SCTLR_M)
	msr	sctlr_el1, x0
	adr	x0, el1_main
	mov64	x1, ALIAS
	add	x0, x0, x1
#else
	mov64	x0, SCTLR_EL1_RES1
	msr	sctlr_el1, x0
	adr	x0, el1_entry
#endif
	msr	elr_el2, x0
	isb
	eret
	.size _start, . - _start

	.type el1_entry, %function
el1_entry:
	puts	msg_el1_pa
	tlbi	vmalle1
	dsb	nsh
	isb
	mov64	x0, (SCTLR_EL1_RES1 | SCTLR_M)
	msr	sctlr_el1, x0
	isb
	adr	x0, el1_main
	mov64	x1, ALIAS
	add	x0, x0, x1
	br	x0
	.size el1_entry, . - el1_entry

	.type el1_main, %function
el1_main:
	puts	msg_el1
	adr	x0, el1_main
	bl	fw_puthex
	puts	msg_nl
	mov	x19, #0
1:	hvc	#1
	add	x19, x19, #1
	puts	msg_back
	mov	x0, x19
	bl	fw_puthex
	puts	msg_nl
	cmp	x19, #3
	b.lo	1b
	hvc	#2
	b	.
	.size el1_main, . - el1_main

	.type hvc_from_el1, %function
hvc_from_el1:
	mrs	x0, esr_el2
	lsr	x1, x0, #26
	cmp	x1, #ESR_EC_HVC64
	b.ne	el2_unexpected
	and	x0, x0, #0xffff
	cmp	x0, #2
	b.eq	1f
	eret
1:	puts	msg_off
	psci	PSCI_SYSTEM_OFF
	b	.
	.size hvc_from_el1, . - hvc_from_el1

	.type el2_unexpected, %function
el2_unexpected:
	puts	msg_unexpected
	mrs	x0, esr_el2
	bl	fw_puthex
	puts	msg_nl
	psci	PSCI_SYSTEM_OFF
	.size el2_unexpected, . - el2_unexpected

	.type el1_unexpected, %function
el1_unexpected:
	puts	msg_unexpected1
	mrs	x0, esr_el1
	bl	fw_puthex
	puts	msg_nl
	psci	PSCI_SYSTEM_OFF
	.size el1_unexpected, . - el1_unexpected

	.balign 2048
el2_vectors:
	.rept 8
	b	el2_unexpected
	.balign 128
	.endr
	b	hvc_from_el1		/* +0x400: lower EL AArch64, synchronous */
	.balign 128
	.rept 7
	b	el2_unexpected
	.balign 128
	.endr

	.balign 2048
el1_vectors:
	.rept 16
	b	el1_unexpected
	.balign 128
	.endr

	.section .rodata
msg_boot:	.asciz "eret-alias: EL2\n"
msg_el1_pa:	.asciz "eret-alias: EL1, MMU off\n"
msg_el1:	.asciz "eret-alias: EL1 at VA "
msg_back:	.asciz "eret-alias: back from HVC "
msg_nl:		.asciz "\n"
msg_off:	.asciz "eret-alias: done\n"
msg_unexpected:	.asciz "eret-alias: unexpected exception at EL2, ESR_EL2="
msg_unexpected1: .asciz "eret-alias: unexpected exception at EL1, ESR_EL1="

	.section .data
	.balign 4096
l1_low:	.space 4096
l1_high: .space 4096
l0_high: .space 4096
