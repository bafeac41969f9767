/*
 * hypsim-hyp.h - definitions shared by hypsim's hypervisor init flows (kvm-dual-step,
 * arm64-nvhe-init, pkvm-switch, stub-teardown): translation control values, the hypercall
 * numbers between the EL1 "host" and the EL2 "hyp", and the layout of the structures the
 * host hands to EL2. Included by .S files after hypsim-fw.h.
 */
#ifndef HYPSIM_HYP_H
#define HYPSIM_HYP_H

#define PAGE_SHIFT 12
#define PAGE_SIZE (1 << PAGE_SHIFT)

/* Stub hypercalls (x0), as Linux's arch/arm64/include/asm/virt.h numbers them. */
#define HVC_SET_VECTORS 0
#define HVC_RESET_VECTORS 2
#define HVC_STUB_ERR 0xbadca11

/* Hypercalls to the initialised hyp (x0 = function id, SMCCC fast-call style). */
#define HYP_FN_INIT 0xc6000000	   /* x1 = PA of struct hyp_init_params (nVHE flows) */
#define HYP_FN_ANSWER 0xc6000001   /* x1 = argument; returns x0 = seed + arg, x1 = VA read */
#define HYP_FN_PKVM_INIT 0xc6000002 /* x1 = pool PA, x2 = pool pages */
#define HYP_FN_FIXMAP_READ 0xc6000003 /* x1 = PA; returns x0 = the u64 there, x1 = VBAR_EL2 */

/* struct hyp_init_params: what the nVHE host gives __do_hyp_init (read with the MMU off). */
#define HIP_TCR 0
#define HIP_MAIR 8
#define HIP_PGD 16
#define HIP_STACK 24
#define HIP_VECTORS 32
#define HIP_SCTLR 40
#define HIP_SIZE 48

/* SCTLR_EL2 with the MMU, data and instruction caches on (Arm ARM "SCTLR_EL2, System Control Register (EL2)"). */
#define SCTLR_EL2_MMU_ON (SCTLR_EL2_RES1 | SCTLR_M | SCTLR_C | SCTLR_I)
#define SCTLR_EL1_MMU_ON (SCTLR_EL1_RES1 | SCTLR_M | SCTLR_C | SCTLR_I)

/* TCR_ELx fields (Arm ARM "TCR_EL1" and "TCR_EL2" register descriptions). RGN encoding 01 = write-back write-allocate. */
#define TCR_T0SZ(va_bits) (64 - (va_bits))
#define TCR_IRGN0_WBWA (1 << 8)
#define TCR_ORGN0_WBWA (1 << 10)
#define TCR_SH0_INNER (3 << 12)
#define TCR_TG0_4K (0 << 14)
#define TCR_EL2_PS_SHIFT 16
#define TCR_EL2_RES1 ((1 << 31) | (1 << 23))
#define TCR_EL1_EPD1 (1 << 23)
#define TCR_EL1_TG1_4K (2 << 30)
#define TCR_EL1_IPS_SHIFT 32

/* EL2 stage-1 descriptors: the EL2 regime has one VA range, so AP[1] is RES1 (Arm ARM "Data access permissions for stage 1 translations"). */
#define PTE_AP1 (1 << 6)
#define PTE_PAGE (PTE_VALID | PTE_TABLE)
#define HYP_PAGE_ATTRS (PTE_PAGE | PTE_ATTRIDX(MT_NORMAL_WB) | PTE_AP1 | PTE_SH_INNER | PTE_AF)
#define HYP_TABLE_DESC (PTE_VALID | PTE_TABLE)

/* struct fw_pt: a translation table being built (see lib/pgtable.S). */
#define PT_ROOT 0	  /* PA of the root table */
#define PT_NEXT 8	  /* PA of the next free pool page */
#define PT_END 16	  /* PA one past the pool */
#define PT_VA_OFF 24	  /* the builder reaches PA p at VA p + va_off */
#define PT_START_LEVEL 32 /* 0 for 48-bit VAs, 1 for 39-bit VAs (4K granule) */
#define PT_SIZE 40

#ifdef __ASSEMBLER__
/*
 * The MMU on at EL2 through the tables whose root PA is in register \ttbr, with TCR_EL2 =
 * \tcr and MAIR_VALUE: MAIR, TCR, TTBR0, ISB; TLBI ALLE2 and IC IALLU of whatever an
 * earlier context left, DSB, ISB; then SCTLR_EL2 with M, C and I, ISB. Clobbers x0.
 */
.macro el2_mmu_on ttbr, tcr
	mov64	x0, MAIR_VALUE
	msr	mair_el2, x0
	mov64	x0, \tcr
	msr	tcr_el2, x0
	msr	ttbr0_el2, \ttbr
	isb
	tlbi	alle2
	ic	iallu
	dsb	ish
	isb
	mov64	x0, SCTLR_EL2_MMU_ON
	msr	sctlr_el2, x0
	isb
.endm

/* A vector entry (Arm ARM "Exception vectors": 0x80 bytes each) that nothing should reach. */
.macro invalid_vector
	.balign 0x80
	b	.
.endm

/*
 * The 16 entries of a vector table whose only live entry is "lower EL using AArch64,
 * synchronous" (VBAR + 0x400), branching to \handler: a hypervisor's stub or runtime vectors
 * taking the host's HVCs. The caller aligns the table to 2 KiB and places its label.
 */
.macro vectors_lower_sync handler
	invalid_vector		/* current EL, SP0 */
	invalid_vector
	invalid_vector
	invalid_vector
	invalid_vector		/* current EL, SPx */
	invalid_vector
	invalid_vector
	invalid_vector
	.balign 0x80		/* lower EL, AArch64: synchronous */
	b	\handler
	invalid_vector
	invalid_vector
	invalid_vector
	invalid_vector		/* lower EL, AArch32 */
	invalid_vector
	invalid_vector
	invalid_vector
	.balign 0x80
.endm
#endif /* __ASSEMBLER__ */

#endif /* HYPSIM_HYP_H */
