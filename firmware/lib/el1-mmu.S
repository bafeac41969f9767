/*
 * el1-mmu.S - the host kernel's MMU-on at EL1, as a kernel's early boot does it: a simple
 * identity map in 1 GiB blocks (the GiB holding the UART as Device-nGnRnE, the GiB holding
 * the image as Normal write-back), 48-bit VAs, caches on. Everything the host then writes
 * (including the hyp's page tables) goes through the data cache, which is what makes the
 * clean-to-PoC steps of the hyp init flows necessary.
 *
 * The tables are written with EL1's MMU off, so the stores are Device accesses that reach
 * the PoC directly; the caches are invalid at boot (DESIGN §2), so the first cacheable walk
 * cannot hit a stale line.
 */
#include "hypsim-fw.h"
#include "hypsim-hyp.h"

#define L1_BLOCK_SHIFT 30
#define L0_SHIFT 39

	.section .text
/*
 * fw_el1_mmu_on: at EL1 with the MMU off. Builds the identity map in el1_pgd/el1_pud_*,
 * enables the MMU, D- and I-caches. Returns at the same (identity) address. Clobbers x0..x7.
 */
	.global fw_el1_mmu_on
	.type fw_el1_mmu_on, %function
fw_el1_mmu_on:
	/* Zero the three table pages (Device stores with the MMU off, no DC ZVA). */
	adrp	x0, el1_pgd
	add	x1, x0, #(3 * PAGE_SIZE)
1:	stp	xzr, xzr, [x0], #16
	cmp	x0, x1
	b.lo	1b

	adrp	x4, el1_pgd
	/* L0[0] -> pud_lo; GiB 0 (UART at 0x0900_0000) Device-nGnRnE, never executable. */
	adrp	x5, el1_pud_lo
	orr	x0, x5, #HYP_TABLE_DESC
	str	x0, [x4]
	mov64	x0, (PTE_VALID | PTE_BLOCK | PTE_ATTRIDX(MT_DEVICE_nGnRnE) | PTE_AF | (3 << 53))
	str	x0, [x5]

	/* The image's GiB, Normal WB, inner shareable. Its L0 slot may differ from the UART's
	 * (RAM above 512 GiB): then it gets the second L1 table. */
	adrp	x1, __image_start
	lsr	x2, x1, #L0_SHIFT
	and	x2, x2, #0x1ff
	cbz	x2, 2f
	adrp	x5, el1_pud_hi
	orr	x0, x5, #HYP_TABLE_DESC
	str	x0, [x4, x2, lsl #3]
2:	lsr	x2, x1, #L1_BLOCK_SHIFT
	and	x3, x2, #0x1ff
	lsl	x2, x2, #L1_BLOCK_SHIFT
	mov64	x0, (PTE_VALID | PTE_BLOCK | PTE_ATTRIDX(MT_NORMAL_WB) | PTE_SH_INNER | PTE_AF)
	orr	x0, x0, x2
	str	x0, [x5, x3, lsl #3]

	mov64	x0, MAIR_VALUE
	msr	mair_el1, x0
	/* IPS from the CPU's PA range (ID_AA64MMFR0_EL1.PARange), capped at 48 bits. */
	mrs	x1, id_aa64mmfr0_el1
	and	x1, x1, #0xf
	cmp	x1, #5
	mov	x2, #5
	csel	x1, x1, x2, ls
	mov64	x0, (TCR_T0SZ(48) | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA | TCR_SH0_INNER | TCR_TG0_4K | TCR_EL1_EPD1 | TCR_EL1_TG1_4K)
	orr	x0, x0, x1, lsl #TCR_EL1_IPS_SHIFT
	msr	tcr_el1, x0
	msr	ttbr0_el1, x4
	isb
	/* The EL1&0 TLB may hold entries from the boot loader: drop them before the MMU is on. */
	tlbi	vmalle1
	dsb	nsh
	isb
	mov64	x0, SCTLR_EL1_MMU_ON
	msr	sctlr_el1, x0
	isb
	ret
	.size fw_el1_mmu_on, . - fw_el1_mmu_on

	.section .bss
	.balign PAGE_SIZE
el1_pgd:
	.space PAGE_SIZE
el1_pud_lo:
	.space PAGE_SIZE
el1_pud_hi:
	.space PAGE_SIZE
