/*
 * late-clean.S - data-cache cleans whose omission shows only thousands of instructions
 * later, and cleans whose omission nothing ever observes: `sim campaign` must stop the
 * variants of the second kind early (they rejoin the unchanged run) and not those of the
 * first (tests/meson.build, campaign-rejoin-late-clean).
 *
 * With the EL2 MMU and caches on (identity map, Normal write-back), four lines are written
 * with cacheable stores and each cleaned to the PoC (DC CVAC, DSB ISH): A and B zeroed (RAM
 * already holds zeros: dirty, the PoC holds the same bytes), C and D given a value (dirty,
 * the PoC holds older bytes). A few thousand instructions of counting follow. Then the MMU
 * goes off, A is written and D read again, non-cacheably: had A stayed dirty, its later
 * write-back would overwrite the store (lost-write, Arm ARM B2.7.2 / D7.5.x); had D, the
 * read would obtain the PoC's older bytes (data-not-at-poc, B2.4 / D7.5). B and C are never
 * touched again.
 */
#include "hypsim-fw.h"

/* TCR_EL2: T0SZ=25 (39-bit VA, walk starts at level 1), IRGN0/ORGN0 = Normal WB WA,
 * SH0 = Inner Shareable, TG0 = 4K, PS = 40 bits, RES1 [31], [23]. */
#define LC_TCR_EL2 ((1 << 31) | (1 << 23) | (2 << 16) | (3 << 12) | (1 << 10) | (1 << 8) | 25)
#define L1_BLOCK_DEVICE (PTE_VALID | PTE_BLOCK | PTE_ATTRIDX(MT_DEVICE_nGnRnE) | PTE_AF)
#define L1_BLOCK_NORMAL (PTE_VALID | PTE_BLOCK | PTE_ATTRIDX(MT_NORMAL_WB) | PTE_SH_INNER | PTE_AF)
#define LC_COUNT 3000

	.section .text.boot, "ax"
	.global _start
	.type _start, %function
_start:
	puts	msg_boot

	/* [0 GiB, 1 GiB): Device, holds the UART. [1 GiB, 2 GiB): RAM, identity. The table is
	 * in .bss (zero) and written with the MMU off, so at the PoC; no line of it was ever
	 * cached, but invalidate it as a real boot must. */
	adr	x19, l1_table
	mov64	x0, L1_BLOCK_DEVICE
	str	x0, [x19, #0 * 8]
	mov64	x0, (0x40000000 | L1_BLOCK_NORMAL)
	str	x0, [x19, #1 * 8]
	dc	ivac, x19
	dsb	sy

	mov64	x0, MAIR_VALUE
	msr	mair_el2, x0
	mov64	x0, LC_TCR_EL2
	msr	tcr_el2, x0
	msr	ttbr0_el2, x19
	isb
	tlbi	alle2
	dsb	ish
	isb
	mov64	x0, (SCTLR_EL2_RES1 | SCTLR_M | SCTLR_C | SCTLR_I)
	msr	sctlr_el2, x0
	isb

	/* Line A: zeroed and cleaned. Its clean matters: A is written again, non-cacheably. */
	adr	x20, line_a
	stp	xzr, xzr, [x20, #0]
	stp	xzr, xzr, [x20, #16]
	stp	xzr, xzr, [x20, #32]
	stp	xzr, xzr, [x20, #48]
	dc	cvac, x20
	dsb	ish
	/* Line B: zeroed and cleaned. Nothing reads or writes B again. */
	adr	x21, line_b
	stp	xzr, xzr, [x21, #0]
	stp	xzr, xzr, [x21, #16]
	stp	xzr, xzr, [x21, #32]
	stp	xzr, xzr, [x21, #48]
	dc	cvac, x21
	dsb	ish
	/* Line C: a value, cleaned. Nothing reads or writes C again. */
	adr	x22, line_c
	mov64	x0, 0x1122334455667788
	str	x0, [x22]
	dc	cvac, x22
	dsb	ish
	/* Line D: a value, cleaned. Read again non-cacheably at the end. */
	adr	x23, line_d
	str	x0, [x23]
	dc	cvac, x23
	dsb	ish

	/* Work that touches neither line. */
	mov	x0, #LC_COUNT
1:	sub	x0, x0, #1
	cbnz	x0, 1b

	/* MMU off: data accesses are Device, non-cacheable. */
	mov64	x0, (SCTLR_EL2_RES1 | SCTLR_I)
	msr	sctlr_el2, x0
	isb
	mov	x0, #1
	str	x0, [x20]
	ldr	x1, [x23]

	puts	msg_done
	psci	PSCI_SYSTEM_OFF
	b	.
	.size _start, . - _start

	.section .rodata
msg_boot:	.asciz "late-clean: EL2\n"
msg_done:	.asciz "late-clean: done\n"

	.section .bss
	.balign 4096
l1_table:
	.space 4096
line_a:
	.space 64
line_b:
	.space 64
line_c:
	.space 64
line_d:
	.space 64
