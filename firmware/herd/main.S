/*
 * herd - single-CPU VMSA sequences from the herdtools7 catalogue (aarch64-VMSA, tag 7.58),
 * written again as EL2 firmware, one per build (HERD_CASE), with herd7's verdict as the
 * expectation (issue 20 point 11, docs/herd.md). No herdtools7 text is copied: each case
 * below is our own EL2 code for the sequence the named test describes, with the E1
 * TLBIs turned into their E2 forms (VAAE1IS/VAE1IS -> VAE2IS, VAAE1 -> VAE2,
 * VMALLE1IS -> ALLE2IS) and a handler for the faults the test expects.
 *
 * Herd's names: x is the VA HERD_VA, pte_x its level-3 descriptor (address in x20), phy_x
 * and phy_y the pages PAGE_X and PAGE_Y (tags TAG_X, TAG_Y). "Allowed" below is herd's
 * verdict (`herd7 -variant vmsa`, no FEAT_ETS2, no hardware AF/DBM) for the non-coherent
 * outcome the test asks about: hypsim must then report a hazard at herd_l0 (or at
 * herd_pte, the descriptor store); "Forbidden" means only the coherent outcome exists and
 * the run must be clean. Cases whose pte_x starts valid load x once first so the TLB
 * holds the entry (herd's TLB may fill from a valid descriptor at any time).
 *
 * Each case prints `herd: val=V fault=F` (the register the access loaded, or 0, and 1 if
 * the access at herd_l0 faulted) and powers off. The fault handler (VBAR_EL2, current
 * EL with SPx, synchronous) sets x16 = 1 and returns past the faulting access: herd's
 * fault(P0:L0,x) outcome.
 */
#include "hypsim-fw.h"
#include "hypsim-hyp.h"

#ifndef HERD_CASE
#define HERD_CASE 1
#endif
#define HERD_VA 0x8000000000 /* 512 GiB: an L0 entry of its own */
#define PAGE_X 0x41000000
#define PAGE_Y 0x41001000
#define TAG_X 0x0
#define TAG_Y 0x1
#define POOL 0x40800000
#define POOL_SIZE 0x10000
#define UART_ATTRS (PTE_PAGE | PTE_ATTRIDX(MT_DEVICE_nGnRnE) | PTE_AP1 | PTE_AF | (3 << 53))
#define TCR_EL2_VALUE                                                                            \
	(TCR_EL2_RES1 | TCR_T0SZ(48) | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA | TCR_SH0_INNER |           \
	 TCR_TG0_4K | (2 << TCR_EL2_PS_SHIFT))

/*
 * The sequences. Invalid -> valid (herd's weak outcome: the access faults):
 *   coWRExpNExp                       str; ldr                                Allowed
 *   coWRExpNExp+DSB-ISB               str; dsb ish; isb; ldr                  Forbidden
 *   coWRExpNExp+DSB-TLBI-DSB          str; dsb ish; tlbi vae2is; dsb ish; ldr Allowed
 *   coWRExpNExp+DSB-TLBI-DSB+VMALL    the same with tlbi alle2is              Allowed
 *   I2V-UP-DSB / I2V-UP-DSB-ISB       str (-> phy_y); dsb ish; [isb]; ldr     Allowed / Forbidden
 *   I2V-W-DSB.{ISH,LD,ST}-ISB-{R,W}   str; dsb <d>; isb; ldr|str              ISH, ST: Forbidden;
 *                                                                             LD: Allowed
 *   D15347-load-DMB                   str; dmb ish; ldr                       Allowed
 *   D15347-load-rel-acq               stlr; ldar                              Allowed
 *   D15347-load-shoot                 str; dsb ish; tlbi vae2is; dsb ish; ldr Allowed
 *   D15347-store[-DMBST|-DSB|-DSB-ISB] str; [dmb ishst|dsb ish|dsb ish; isb]; str
 *                                                                             Allowed but -DSB-ISB
 *   needTLBI1                         str valid; dsb; tlbi; dsb; str invalid; dsb; ldr
 *                                     (weak: the load does not fault)         Allowed
 *   load-valid                        ldr; str valid (weak: no fault)         Forbidden
 *   LDRv0 / STRv0                     ldr|str through an invalid pte          fault Required
 * Valid -> invalid (weak outcome: the access does not fault):
 *   TA2                               str; dsb ish; tlbi vae2is; dsb ish; isb; ldr   Forbidden
 *   V2I-W-DSB.ISH-TLBI-DSB.ISH-ISB-W  ... tlbi vae2; dsb ish; isb; str       Forbidden
 *   V2I-W-DSB.ISH-TLBI-DSB.{LD,ST}-ISB-{R,W}  the TLBI completed by DSB LD/ST Allowed
 *   V2I-W-DSB.ST-TLBI-DSB.ISH-ISB-R   dsb st before the TLBI                  Forbidden
 *   V2I-W-DSB.LD-TLBI-DSB.ISH-ISB-R   dsb ld before the TLBI                  Allowed
 *   V2I-load-DSB-ISB                  str; dsb ish; isb; ldr (no TLBI)        Allowed
 * Valid -> valid (phy_x -> phy_y; weak outcome: the load reads through phy_x):
 *   VIS7 / VIS7+DSB / VIS7+TLBI       str; [dsb ish | dsb; tlbi; dsb]; ldr    Allowed
 *   load-xy                           ldr; str (weak: the load reads phy_y)   Forbidden
 *   D15347-load[-DSB|-DSB-ISB]        str (-> phy_y); [dsb ish [; isb]]; ldr  Allowed but -DSB-ISB
 *   D15347-store-{DMB,DMBLD,rel}      str; dmb ish|dmb ishld|stlr             Allowed
 *   needTLBI2                         needTLBI1 with a load branched over     Allowed
 *   coRR-pte16-UP[+ISB]               ldr; ldr; break-before-make to phy_y    Forbidden
 *                                     (weak: the loads see phy_y)
 * Data only:
 *   coWR-pte                          str pte_x; ldr pte_x (weak: old value)  Forbidden
 */
#if HERD_CASE == 1 /* coWRExpNExp */
#define HERD_SEQ pte str x25, [x20]; l0 ldr w4, [x23]
#elif HERD_CASE == 2 /* coWRExpNExp+DSB-ISB */
#define HERD_SEQ pte str x25, [x20]; dsb ish; isb; l0 ldr w4, [x23]
#elif HERD_CASE == 3 /* coWRExpNExp+DSB-TLBI-DSB */
#define HERD_SEQ pte str x25, [x20]; dsb ish; tlbi vae2is, x24; dsb ish; l0 ldr w4, [x23]
#elif HERD_CASE == 4 /* coWRExpNExp+DSB-TLBI-DSB+VMALL */
#define HERD_SEQ pte str x25, [x20]; dsb ish; tlbi alle2is; dsb ish; l0 ldr w4, [x23]
#elif HERD_CASE == 5 /* I2V-UP-DSB */
#define HERD_SEQ pte str x26, [x20]; dsb ish; l0 ldr w4, [x23]
#elif HERD_CASE == 6 /* I2V-UP-DSB-ISB */
#define HERD_SEQ pte str x26, [x20]; dsb ish; isb; l0 ldr w4, [x23]
#elif HERD_CASE == 7 /* I2V-W-DSB.ISH-ISB-W */
#define HERD_SEQ pte str x25, [x20]; dsb ish; isb; l0 str w9, [x23]
#elif HERD_CASE == 8 /* I2V-W-DSB.LD-ISB-R */
#define HERD_SEQ pte str x25, [x20]; dsb ld; isb; l0 ldr w4, [x23]
#elif HERD_CASE == 9 /* I2V-W-DSB.LD-ISB-W */
#define HERD_SEQ pte str x25, [x20]; dsb ld; isb; l0 str w9, [x23]
#elif HERD_CASE == 10 /* I2V-W-DSB.ST-ISB-R */
#define HERD_SEQ pte str x25, [x20]; dsb st; isb; l0 ldr w4, [x23]
#elif HERD_CASE == 11 /* I2V-W-DSB.ST-ISB-W */
#define HERD_SEQ pte str x25, [x20]; dsb st; isb; l0 str w9, [x23]
#elif HERD_CASE == 12 /* D15347-load-DMB */
#define HERD_SEQ pte str x26, [x20]; dmb ish; l0 ldr w4, [x23]
#elif HERD_CASE == 13 /* D15347-load-rel-acq */
#define HERD_SEQ pte stlr x26, [x20]; l0 ldar w4, [x23]
#elif HERD_CASE == 14 /* D15347-load-shoot */
#define HERD_SEQ pte str x26, [x20]; dsb ish; tlbi vae2is, x24; dsb ish; l0 ldr w4, [x23]
#elif HERD_CASE == 15 /* D15347-store */
#define HERD_SEQ pte str x26, [x20]; l0 str w9, [x23]
#elif HERD_CASE == 16 /* D15347-store-DMBST */
#define HERD_SEQ pte str x26, [x20]; dmb ishst; l0 str w9, [x23]
#elif HERD_CASE == 17 /* D15347-store-DSB */
#define HERD_SEQ pte str x26, [x20]; dsb ish; l0 str w9, [x23]
#elif HERD_CASE == 18 /* D15347-store-DSB-ISB */
#define HERD_SEQ pte str x26, [x20]; dsb ish; isb; l0 str w9, [x23]
#elif HERD_CASE == 19 /* needTLBI1 */
#define HERD_SEQ str x26, [x20]; dsb ish; tlbi vae2is, x24; dsb ish; \
	pte str x28, [x20]; dsb ish; l0 ldr w4, [x23]
#elif HERD_CASE == 20 /* load-valid */
#define HERD_SEQ l0 ldr w4, [x23]; pte str x25, [x20]
#elif HERD_CASE == 21 /* LDRv0 */
#define HERD_SEQ l0 ldr w4, [x23]
#elif HERD_CASE == 22 /* STRv0 */
#define HERD_SEQ l0 str w9, [x23]
#elif HERD_CASE == 23 /* TA2 */
#define HERD_SEQ pte str x27, [x20]; dsb ish; tlbi vae2is, x24; dsb ish; isb; l0 ldr w4, [x23]
#elif HERD_CASE == 24 /* V2I-W-DSB.ISH-TLBI-DSB.ISH-ISB-W */
#define HERD_SEQ pte str x27, [x20]; dsb ish; tlbi vae2, x24; dsb ish; isb; l0 str w9, [x23]
#elif HERD_CASE == 25 /* V2I-W-DSB.ISH-TLBI-DSB.LD-ISB-R */
#define HERD_SEQ pte str x27, [x20]; dsb ish; tlbi vae2, x24; dsb ld; isb; l0 ldr w4, [x23]
#elif HERD_CASE == 26 /* V2I-W-DSB.ISH-TLBI-DSB.LD-ISB-W */
#define HERD_SEQ pte str x27, [x20]; dsb ish; tlbi vae2, x24; dsb ld; isb; l0 str w9, [x23]
#elif HERD_CASE == 27 /* V2I-W-DSB.ISH-TLBI-DSB.ST-ISB-R */
#define HERD_SEQ pte str x27, [x20]; dsb ish; tlbi vae2, x24; dsb st; isb; l0 ldr w4, [x23]
#elif HERD_CASE == 28 /* V2I-W-DSB.ISH-TLBI-DSB.ST-ISB-W */
#define HERD_SEQ pte str x27, [x20]; dsb ish; tlbi vae2, x24; dsb st; isb; l0 str w9, [x23]
#elif HERD_CASE == 29 /* V2I-W-DSB.ST-TLBI-DSB.ISH-ISB-R */
#define HERD_SEQ pte str x27, [x20]; dsb st; tlbi vae2, x24; dsb ish; isb; l0 ldr w4, [x23]
#elif HERD_CASE == 30 /* V2I-W-DSB.LD-TLBI-DSB.ISH-ISB-R */
#define HERD_SEQ pte str x27, [x20]; dsb ld; tlbi vae2, x24; dsb ish; isb; l0 ldr w4, [x23]
#elif HERD_CASE == 31 /* V2I-load-DSB-ISB */
#define HERD_SEQ pte str x27, [x20]; dsb ish; isb; l0 ldr w4, [x23]
#elif HERD_CASE == 32 /* VIS7 */
#define HERD_SEQ pte str x26, [x20]; l0 ldr w4, [x23]
#elif HERD_CASE == 33 /* VIS7+DSB */
#define HERD_SEQ pte str x26, [x20]; dsb ish; l0 ldr w4, [x23]
#elif HERD_CASE == 34 /* VIS7+TLBI */
#define HERD_SEQ pte str x26, [x20]; dsb ish; tlbi vae2is, x24; dsb ish; l0 ldr w4, [x23]
#elif HERD_CASE == 35 /* load-xy */
#define HERD_SEQ l0 ldr w4, [x23]; pte str x26, [x20]
#elif HERD_CASE == 36 /* coWR-pte */
#define HERD_SEQ pte str x26, [x20]; l0 ldr x4, [x20]
#elif HERD_CASE == 37 /* D15347-load */
#define HERD_SEQ pte str x26, [x20]; l0 ldr w4, [x23]
#elif HERD_CASE == 38 /* D15347-load-DSB */
#define HERD_SEQ pte str x26, [x20]; dsb ish; l0 ldr w4, [x23]
#elif HERD_CASE == 39 /* D15347-load-DSB-ISB */
#define HERD_SEQ pte str x26, [x20]; dsb ish; isb; l0 ldr w4, [x23]
#elif HERD_CASE == 40 /* D15347-store-DMB */
#define HERD_SEQ pte str x26, [x20]; dmb ish; l0 str w9, [x23]
#elif HERD_CASE == 41 /* D15347-store-DMBLD */
#define HERD_SEQ pte str x26, [x20]; dmb ishld; l0 str w9, [x23]
#elif HERD_CASE == 42 /* D15347-store-rel */
#define HERD_SEQ pte str x26, [x20]; l0 stlr w9, [x23]
#elif HERD_CASE == 43 /* needTLBI2: a load never executed may still fill the TLB */
#define HERD_SEQ str x26, [x20]; dsb ish; tlbi vae2is, x24; dsb ish; mov x10, #0; \
	cbz x10, 1f; ldr x11, [x23]; 1: pte str x28, [x20]; dsb ish; l0 ldr w4, [x23]
#elif HERD_CASE == 44 /* coRR-pte16-UP */
#define HERD_SEQ ldr w2, [x23]; l0 ldr w4, [x23]; pte str x27, [x20]; dsb ish; \
	tlbi vae2is, x24; dsb ish; str x26, [x20]
#elif HERD_CASE == 45 /* coRR-pte16-UP+ISB */
#define HERD_SEQ ldr w2, [x23]; l0 ldr w4, [x23]; pte str x27, [x20]; dsb ish; \
	tlbi vae2is, x24; dsb ish; isb; str x26, [x20]
#else
#error "unknown HERD_CASE"
#endif

#if HERD_CASE <= 22 || (HERD_CASE >= 36 && HERD_CASE <= 43)
#define HERD_INIT_INVALID 1 /* pte_x=(valid:0) initially */
#else
#define HERD_INIT_INVALID 0
#endif

/* Map [\va, \va + \size) to \pa in pt1 (fw_pt_map); fail on error. */
.macro map va, pa, size, attrs
	adrp	x0, pt1
	mov64	x1, \va
	mov64	x2, \pa
	mov64	x3, \size
	mov64	x4, \attrs
	bl	fw_pt_map
	cbnz	x0, herd_fail
.endm

/* The access herd's test names L0 (the one whose fault or value is asked about). */
.macro l0 insn:vararg
	.global herd_l0
herd_l0:
	\insn
.endm

/* The store of the new descriptor to pte_x. */
.macro pte insn:vararg
	.global herd_pte
herd_pte:
	\insn
.endm

	.section .text.boot, "ax"
	.global _start
_start:
	puts	msg_start
	adr	x0, herd_vectors
	msr	vbar_el2, x0
	mov64	x1, PAGE_X
	mov64	x2, TAG_X
	str	x2, [x1]
	mov64	x1, PAGE_Y
	mov64	x2, TAG_Y
	str	x2, [x1]
	adrp	x0, pt1
	mov64	x1, POOL
	mov64	x2, POOL_SIZE
	mov	x3, #0
	mov	x4, #0
	bl	fw_pt_init
	cmn	x0, #1
	b.eq	herd_fail
	mov	x19, x0
	adrp	x0, pt1
	adrp	x1, __image_start
	mov	x2, x1
	adrp	x3, __image_end
	sub	x3, x3, x1
	mov64	x4, HYP_PAGE_ATTRS
	bl	fw_pt_map
	cbnz	x0, herd_fail
	map	UART_BASE, UART_BASE, PAGE_SIZE, UART_ATTRS
	map	POOL, POOL, POOL_SIZE, HYP_PAGE_ATTRS
	map	HERD_VA, PAGE_X, PAGE_SIZE, HYP_PAGE_ATTRS
	mov	x20, x1			/* pte_x (VA == PA) */
	mov64	x23, HERD_VA		/* x */
	lsr	x24, x23, #PAGE_SHIFT	/* x's page number, for TLBI VAE2 */
	mov64	x25, PAGE_X | HYP_PAGE_ATTRS		/* (oa:phy_x) */
	mov64	x26, PAGE_Y | HYP_PAGE_ATTRS		/* (oa:phy_y) */
	mov64	x27, PAGE_X | (HYP_PAGE_ATTRS & ~1)	/* (oa:phy_x, valid:0) */
	mov64	x28, PAGE_Y | (HYP_PAGE_ATTRS & ~1)	/* (oa:phy_y, valid:0) */
	mov	w9, #1
	mov	x4, #0
	mov	x16, #0
#if HERD_INIT_INVALID
	str	x27, [x20]		/* pte_x=(valid:0), before the MMU is on */
#endif
	el2_mmu_on x19, TCR_EL2_VALUE
#if !HERD_INIT_INVALID
	ldr	x0, [x23]		/* pte_x valid: its entry in the TLB */
#endif
	HERD_SEQ
	b	herd_report

herd_report:
	mov	x19, x4
	puts	msg_val
	mov	x0, x19
	bl	fw_puthex
	puts	msg_fault
	mov	x0, x16
	bl	fw_puthex
	puts	msg_nl
	psci	PSCI_SYSTEM_OFF
	b	.

herd_fail:
	puts	msg_fail
	psci	PSCI_SYSTEM_OFF
	b	.

/* EL2 vectors: only "current EL with SPx, synchronous" is live (the expected faults). */
	.balign	0x800
herd_vectors:
	invalid_vector		/* current EL, SP0 */
	invalid_vector
	invalid_vector
	invalid_vector
	.balign	0x80		/* current EL, SPx: synchronous */
	mov	x16, #1
	mrs	x17, elr_el2
	add	x17, x17, #4
	msr	elr_el2, x17
	eret
	invalid_vector
	invalid_vector
	invalid_vector
	invalid_vector		/* lower EL, AArch64 */
	invalid_vector
	invalid_vector
	invalid_vector
	invalid_vector		/* lower EL, AArch32 */
	invalid_vector
	invalid_vector
	invalid_vector

	.section .rodata
msg_start:
	.asciz	"herd: EL2\n"
msg_val:
	.asciz	"herd: val="
msg_fault:
	.asciz	" fault="
msg_nl:
	.asciz	"\n"
msg_fail:
	.asciz	"herd: FAIL\n"

	.section .bss
	.balign	8
pt1:	.space	PT_SIZE
