/*
 * hello.S - hypsim's first firmware: the smallest EL2 bring-up that exercises every piece
 * of the simulator's machine (DESIGN §2).
 *
 * Boots at EL2h with the MMU off (Linux arm64 boot protocol), prints on the PL011, builds a
 * 4K-granule EL2 stage 1 map (identity for the UART and RAM, plus a non-identity alias of RAM
 * at HELLO_ALIAS_OFFSET, the way KVM's nVHE hyp code runs at "HYP VAs"), enables the MMU and
 * caches, prints again while running from the alias, drops to EL1 with ERET, comes back with
 * HVC, and powers off with PSCI SYSTEM_OFF. The same ELF boots in
 * `qemu-system-aarch64 -M virt,virtualization=on -cpu cortex-a72 -nic none -kernel hello.elf`.
 */
#include "hypsim-fw.h"

/* TCR_EL2: T0SZ=25 (39-bit VA, walk starts at level 1 with the 4K granule, D8.2.6),
 * IRGN0/ORGN0 = Normal WB WA, SH0 = Inner Shareable, TG0 = 4K, PS = 40 bits, RES1 [31], [23]. */
#define HELLO_TCR_EL2 ((1 << 31) | (1 << 23) | (2 << 16) | (3 << 12) | (1 << 10) | (1 << 8) | 25)
/* The alias: VA = PA + 256 GiB, level 1 entry 257 maps the RAM gigabyte a second time. */
#define HELLO_ALIAS_OFFSET 0x4000000000
#define L1_BLOCK_DEVICE (PTE_VALID | PTE_BLOCK | PTE_ATTRIDX(MT_DEVICE_nGnRnE) | PTE_AF)
#define L1_BLOCK_NORMAL (PTE_VALID | PTE_BLOCK | PTE_ATTRIDX(MT_NORMAL_WB) | PTE_SH_INNER | PTE_AF)
#define SPSR_EL1H_DAIF 0x3c5
#define ESR_EC_SHIFT 26
#define ESR_EC_HVC64 0x16

	.section .text.boot, "ax"
	.global _start
	.type _start, %function
_start:
	puts	msg_boot

	adr	x0, el2_vectors
	msr	vbar_el2, x0

	/* Zero the level 1 table with the MMU off (Device accesses: no DC ZVA). */
	adr	x19, l1_table
	mov	x0, x19
	add	x1, x19, #4096
1:	stp	xzr, xzr, [x0], #16
	cmp	x0, x1
	b.lo	1b

	/* [0 GiB, 1 GiB): Device, holds the UART. [1 GiB, 2 GiB): RAM, identity. */
	mov64	x0, L1_BLOCK_DEVICE
	str	x0, [x19, #0 * 8]
	mov64	x0, (0x40000000 | L1_BLOCK_NORMAL)
	str	x0, [x19, #1 * 8]
	/* The alias of the RAM gigabyte: entry (0x40000000 + HELLO_ALIAS_OFFSET) >> 30 = 257. */
	str	x0, [x19, #257 * 8]

	/* The tables were written with non-cacheable stores while the walker will read them
	 * cacheably: invalidate the lines so that no stale copy can hide them (DESIGN §3). */
	mov	x0, x19
	add	x1, x19, #4096
2:	dc	ivac, x0
	add	x0, x0, #64
	cmp	x0, x1
	b.lo	2b
	dsb	sy

	mov64	x0, MAIR_VALUE
	msr	mair_el2, x0
	mov64	x0, HELLO_TCR_EL2
	msr	tcr_el2, x0
	msr	ttbr0_el2, x19
	isb
	tlbi	alle2
	dsb	ish
	isb

	/* MMU, D-cache and I-cache on. The identity map makes the ISB below fetch the same
	 * bytes under the old and the new context. */
	mov64	x0, (SCTLR_EL2_RES1 | SCTLR_M | SCTLR_C | SCTLR_I)
	msr	sctlr_el2, x0
	isb

	/* Continue at the alias of the next instruction. */
	adr	x0, at_alias
	mov64	x1, HELLO_ALIAS_OFFSET
	add	x0, x0, x1
	br	x0
at_alias:
	puts	msg_alias
	adr	x0, at_alias
	bl	fw_puthex
	puts	msg_nl

	/* Enter EL1h (AArch64, MMU off, DAIF masked) at its physical address. */
	mov64	x0, HCR_RW
	msr	hcr_el2, x0
	mov64	x0, SCTLR_EL1_RES1
	msr	sctlr_el1, x0
	mov	x0, #SPSR_EL1H_DAIF
	msr	spsr_el2, x0
	ldr	x0, =el1_entry
	msr	elr_el2, x0
	isb
	eret
	.ltorg
	.size _start, . - _start

	.type el1_entry, %function
el1_entry:
	puts	msg_el1
	hvc	#0
	/* The EL2 handler never returns here. */
	b	.
	.size el1_entry, . - el1_entry

	.type hvc_from_el1, %function
hvc_from_el1:
	mrs	x0, esr_el2
	lsr	x0, x0, #ESR_EC_SHIFT
	cmp	x0, #ESR_EC_HVC64
	b.ne	el2_unexpected
	puts	msg_back
	psci	PSCI_SYSTEM_OFF
	b	.
	.size hvc_from_el1, . - hvc_from_el1

	.type el2_unexpected, %function
el2_unexpected:
	puts	msg_unexpected
	mrs	x0, esr_el2
	bl	fw_puthex
	puts	msg_nl
	b	.
	.size el2_unexpected, . - el2_unexpected

/* EL2 vector table (D1.10.2): only "lower EL, AArch64, synchronous" is expected. */
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

	.section .rodata
msg_boot:	.asciz "hello: EL2, MMU off\n"
msg_alias:	.asciz "hello: EL2 MMU on, running at VA "
msg_nl:		.asciz "\n"
msg_el1:	.asciz "hello: EL1\n"
msg_back:	.asciz "hello: back at EL2 via HVC\n"
msg_unexpected:	.asciz "hello: unexpected exception at EL2, ESR_EL2="

	.section .bss
	.balign 4096
l1_table:
	.space 4096
