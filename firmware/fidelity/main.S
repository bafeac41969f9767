/*
 * fidelity - short EL2 sequences real code runs, one per build (FID_CASE), on which the
 * checker must follow DESIGN §3 exactly (issue 20). Each case prints what it saw and powers
 * off; the tests expect the clean cases clean and each buggy case's classes at fid_load
 * (fid_remap, fid_load_code).
 *
 * Set-up (MMU off): pages A and B tagged, table T1 mapping the image, the UART, the table
 * pools, FID_VA -> A and FID_VA + 4K -> A; table T2 the same with FID_VA (and FID_VA + 4K)
 * -> B; table BOOT the same as T1 but with the page of fid_hyp_init mapped to A. Then:
 *
 *  1 hyp-init-after-boot (clean): a boot stage runs the MMU on BOOT (M only, no caches),
 *    turns it off without a TLBI; then Linux's ___kvm_hyp_init order: msr ttbr0_el2 (T1);
 *    msr tcr_el2; isb; tlbi alle2; tlbi vmalls12e1; dsb sy; msr sctlr_el2 (on); isb. The
 *    boot stage's entry for that page can never be used (DESIGN §3 "One instant per
 *    access": with the MMU on, the TLBI is complete).
 *  2 tlbi-other-va (stale-tlb): MMU on T1; ldr FID_VA; msr ttbr0_el2 (T2); isb;
 *    tlbi vae2, FID_VA + 4K; dsb ish; isb; ldr FID_VA: T1's leaf survives (TLBI scope).
 *  3 bbm-mmu-off (clean): MMU on T1; ldr; MMU off; leaf FID_VA -> B; dc ivac; dsb ish;
 *    tlbi alle2; dsb ish; isb; MMU on; ldr (D8.14.1: nothing can see both entries).
 *  4 pending-tlbi (bbm at fid_remap, missing-dsb at fid_load): break-before-make of FID_VA
 *    to B with DSB ISHST after the TLBI: it is not complete, the load may use the old entry
 *    (D8.13.x, B2.3.12).
 *  5 no-isb-after-tlbi (missing-isb): the same with DSB ISH and no ISB before the load:
 *    without FEAT_ETS2 the load may be translated before the TLBI completed.
 *  6 spec-fill (bbm at fid_remap, stale-tlb at fid_load): FID_VA invalidated and mapped to
 *    B with DSB and ISB but no TLBI: the entry filled while it mapped A may still be used.
 *  7 modified-code (missing-isb): MMU off, caches off: a store over the next instruction
 *    and no ISB (B2.2.5): the old or the new instruction may run.
 */
#include "hypsim-fw.h"
#include "hypsim-hyp.h"

#ifndef FID_CASE
#define FID_CASE 1
#endif
#define FID_VA 0x8000000000 /* 512 GiB: an L0 entry of its own */
#define PAGE_A 0x41000000
#define PAGE_B 0x41001000
#define TAG_A 0xa0a0a0a0
#define TAG_B 0xb0b0b0b0
#define POOL1 0x40800000
#define POOL2 0x40810000
#define POOL3 0x40820000
#define POOL_SIZE 0x10000
#define POOLS_SIZE 0x30000
#define UART_ATTRS (PTE_PAGE | PTE_ATTRIDX(MT_DEVICE_nGnRnE) | PTE_AP1 | PTE_AF | (3 << 53))
#define TCR_EL2_VALUE                                                                            \
	(TCR_EL2_RES1 | TCR_T0SZ(48) | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA | TCR_SH0_INNER |           \
	 TCR_TG0_4K | (2 << TCR_EL2_PS_SHIFT))

/* Map [\va, \va + \size) to \pa in the table of ctx \pt (fw_pt_map); fail on error. */
.macro map pt, va, pa, size, attrs
	adrp	x0, \pt
	mov64	x1, \va
	mov64	x2, \pa
	mov64	x3, \size
	mov64	x4, \attrs
	bl	fw_pt_map
	cbnz	x0, fid_fail
.endm

/* The common part of a table: the image (but the hyp-init page in BOOT), UART, pools.
 * Its root PA in \root. */
.macro common pt, pool, boot, root
	adrp	x0, \pt
	mov64	x1, \pool
	mov64	x2, POOL_SIZE
	mov	x3, #0
	mov	x4, #0
	bl	fw_pt_init
	cmn	x0, #1
	b.eq	fid_fail
	mov	\root, x0
	adrp	x0, \pt
	adrp	x1, __image_start
	mov	x2, x1
	adrp	x3, fid_hyp_init
	sub	x3, x3, x1
	mov64	x4, HYP_PAGE_ATTRS
	bl	fw_pt_map
	cbnz	x0, fid_fail
	adrp	x0, \pt
	adrp	x1, fid_hyp_init
	.if \boot
	mov64	x2, PAGE_A
	.else
	mov	x2, x1
	.endif
	mov	x3, #PAGE_SIZE
	mov64	x4, HYP_PAGE_ATTRS
	bl	fw_pt_map
	cbnz	x0, fid_fail
	adrp	x0, \pt
	adrp	x1, fid_hyp_init_end
	mov	x2, x1
	adrp	x3, __image_end
	sub	x3, x3, x1
	mov64	x4, HYP_PAGE_ATTRS
	bl	fw_pt_map
	cbnz	x0, fid_fail
	map	\pt, UART_BASE, UART_BASE, PAGE_SIZE, UART_ATTRS
	map	\pt, POOL1, POOL1, POOLS_SIZE, HYP_PAGE_ATTRS
.endm

	.section .text.boot, "ax"
	.global _start
_start:
	puts	msg_start
	mov64	x1, PAGE_A
	mov64	x2, TAG_A
	str	x2, [x1]
	mov64	x1, PAGE_B
	mov64	x2, TAG_B
	str	x2, [x1]
#if FID_CASE == 7
	b	fid_modified_code
#endif
	common	pt1, POOL1, 0, x19
	map	pt1, FID_VA, PAGE_A, PAGE_SIZE, HYP_PAGE_ATTRS
	mov	x20, x1			/* the leaf of FID_VA in T1 (VA == PA) */
	map	pt1, FID_VA + PAGE_SIZE, PAGE_A, PAGE_SIZE, HYP_PAGE_ATTRS
	common	pt2, POOL2, 0, x21
	map	pt2, FID_VA, PAGE_B, 2 * PAGE_SIZE, HYP_PAGE_ATTRS
	common	pt3, POOL3, 1, x22
	map	pt3, FID_VA, PAGE_A, PAGE_SIZE, HYP_PAGE_ATTRS
	mov64	x23, FID_VA
	lsr	x24, x23, #PAGE_SHIFT
	mov64	x25, PAGE_B | HYP_PAGE_ATTRS
#if FID_CASE == 1
	/* The boot stage: MMU on with BOOT (no caches: nothing dirty is left behind). */
	mov64	x0, MAIR_VALUE
	msr	mair_el2, x0
	mov64	x0, TCR_EL2_VALUE
	msr	tcr_el2, x0
	msr	ttbr0_el2, x22
	isb
	tlbi	alle2
	dsb	ish
	isb
	mov64	x0, SCTLR_EL2_RES1 | SCTLR_M
	msr	sctlr_el2, x0
	isb
	ldr	x0, [x23]		/* the boot stage at work */
	mov64	x0, SCTLR_EL2_RES1
	msr	sctlr_el2, x0		/* MMU off, no TLBI */
	isb
	b	fid_hyp_init
#else
	el2_mmu_on x19, TCR_EL2_VALUE
	ldr	x0, [x23]		/* FID_VA -> A, in the TLB */
#endif
#if FID_CASE == 2
	msr	ttbr0_el2, x21
	isb
	add	x0, x24, #1
	tlbi	vae2, x0
	dsb	ish
	isb
#elif FID_CASE == 3
	mov64	x0, SCTLR_EL2_RES1
	msr	sctlr_el2, x0		/* MMU and caches off */
	isb
	str	x25, [x20]
	dc	ivac, x20		/* the cacheable walks left a clean copy */
	dsb	ish
	tlbi	alle2
	dsb	ish
	isb
	mov64	x0, SCTLR_EL2_MMU_ON
	msr	sctlr_el2, x0
	isb
#elif FID_CASE == 4
	str	xzr, [x20]
	dsb	ish
	tlbi	vae2is, x24
	dsb	ishst			/* completes no TLBI */
	.global fid_remap
fid_remap:
	str	x25, [x20]
	dsb	ishst
	isb
#elif FID_CASE == 5
	str	xzr, [x20]
	dsb	ish
	tlbi	vae2, x24
	dsb	ish
	str	x25, [x20]
	dsb	ish			/* no ISB */
#elif FID_CASE == 6
	str	xzr, [x20]
	dsb	ish
	isb
	.global fid_remap
fid_remap:
	str	x25, [x20]		/* no TLBI since FID_VA mapped A */
	dsb	ish
	isb
#endif
	.global fid_load
fid_load:
	ldr	x0, [x23]
	b	fid_report

fid_report:
	mov	x19, x0
	puts	msg_read
	mov	x0, x19
	bl	fw_puthex
	puts	msg_nl
	psci	PSCI_SYSTEM_OFF
	b	.

fid_fail:
	puts	msg_fail
	psci	PSCI_SYSTEM_OFF
	b	.

/* Case 7: a store over the next instruction, caches off, no ISB. */
	.global fid_modified_code
fid_modified_code:
	adr	x1, fid_load_code
	ldr	w2, fid_new_insn
	str	w2, [x1]
	.global fid_load_code
fid_load_code:
	mov64	x0, TAG_A		/* becomes `movz x0, #0xb0b0` */
	b	fid_report
fid_new_insn:
	movz	x0, #0xb0b0

/* Case 1: the hyp init on its own page (BOOT maps it elsewhere). */
	.balign	PAGE_SIZE
	.global fid_hyp_init
fid_hyp_init:
	msr	ttbr0_el2, x19
	mov64	x0, TCR_EL2_VALUE
	msr	tcr_el2, x0
	isb
	tlbi	alle2
	tlbi	vmalls12e1
	dsb	sy
	mov64	x0, SCTLR_EL2_MMU_ON
	msr	sctlr_el2, x0
	isb
	ldr	x0, [x23]
	b	fid_report
	.balign	PAGE_SIZE
fid_hyp_init_end:

	.section .rodata
msg_start:
	.asciz	"fidelity: EL2\n"
msg_read:
	.asciz	"fidelity: read "
msg_nl:
	.asciz	"\n"
msg_fail:
	.asciz	"fidelity: FAIL\n"

	.section .bss
	.balign	8
pt1:	.space	PT_SIZE
pt2:	.space	PT_SIZE
pt3:	.space	PT_SIZE
