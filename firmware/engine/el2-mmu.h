/*
 * el2-mmu.h - EL2 MMU on for firmware/engine's guests (assembly macro): a 39-bit EL2
 * stage 1 whose level 1 table maps [0, 1 GiB) as Device (the UART), [1 GiB, 2 GiB) through
 * the level 2 table `l2` given (the caller fills it) and, at entry 257, the RAM gigabyte a
 * second time (VA = PA + 256 GiB, an alias Unicorn has no region for). Non-cacheable walks
 * and data (SCTLR_EL2.C = 0): tables written with the MMU off need no maintenance.
 */
#ifndef FW_ENGINE_EL2_MMU_H
#define FW_ENGINE_EL2_MMU_H

#define ALIAS_OFFSET 0x4000000000
#define TCR_EL2_VAL ((1 << 31) | (1 << 23) | (2 << 16) | (3 << 12) | 25)
#define BLOCK_DEVICE (PTE_VALID | PTE_BLOCK | PTE_ATTRIDX(MT_DEVICE_nGnRnE) | PTE_AF)
#define BLOCK_NORMAL (PTE_VALID | PTE_BLOCK | PTE_ATTRIDX(MT_NORMAL_WB) | PTE_SH_INNER | PTE_AF)

#ifdef __ASSEMBLER__
/* \l1: a zeroed 4 KiB table, \l2: the level 2 table of [1 GiB, 2 GiB), \tcr TCR_EL2's value.
 * Clobbers x0, x1. */
.macro el2_mmu_on l1, l2, tcr=TCR_EL2_VAL
	adr	x1, \l1
	mov64	x0, BLOCK_DEVICE
	str	x0, [x1, #0 * 8]
	adr	x0, \l2
	orr	x0, x0, #(PTE_VALID | PTE_TABLE)
	str	x0, [x1, #1 * 8]
	mov64	x0, (0x40000000 | BLOCK_NORMAL)
	str	x0, [x1, #257 * 8]
	dsb	sy
	mov64	x0, MAIR_VALUE
	msr	mair_el2, x0
	mov64	x0, \tcr
	msr	tcr_el2, x0
	msr	ttbr0_el2, x1
	isb
	tlbi	alle2
	dsb	ish
	isb
	mov64	x0, (SCTLR_EL2_RES1 | SCTLR_M)
	msr	sctlr_el2, x0
	isb
.endm

/* Fill the level 2 table \l2 with the identity map of [1 GiB, 2 GiB) in 2 MiB blocks.
 * Clobbers x0-x3. */
.macro l2_identity l2
	adr	x1, \l2
	mov64	x0, (0x40000000 | BLOCK_NORMAL)
	mov	x2, #512
	mov	x3, #0x200000
99:	str	x0, [x1], #8
	add	x0, x0, x3
	subs	x2, x2, #1
	b.ne	99b
.endm
#endif
#endif
