/*
 * arch.h - Armv8-A architectural constants used by the hypsim model.
 *
 * Register fields are named as in the Arm ARM (DDI 0487): SCTLR_ELx (D17.2.118/120),
 * TCR_EL1/TCR_EL2 (D17.2.131/132), HCR_EL2 (D17.2.48), ESR_ELx (D17.2.37),
 * VMSAv8-64 descriptors (D8.3). Only what the model and the simulator use is here;
 * everything is a plain constant so tests and the simulator share one vocabulary.
 */
#ifndef HYPSIM_MODEL_ARCH_H
#define HYPSIM_MODEL_ARCH_H

#include <stdint.h>

#define BIT64(n) (UINT64_C(1) << (n))
#define FIELD_GET(val, shift, width) (((val) >> (shift)) & ((UINT64_C(1) << (width)) - 1))

/* SCTLR_EL1 / SCTLR_EL2 */
#define SCTLR_ELx_M BIT64(0)
#define SCTLR_ELx_A BIT64(1)
#define SCTLR_ELx_C BIT64(2)
#define SCTLR_ELx_SA BIT64(3)
#define SCTLR_ELx_EOS BIT64(11) /* RES1 without FEAT_ExS */
#define SCTLR_ELx_I BIT64(12)
#define SCTLR_ELx_WXN BIT64(19)
#define SCTLR_ELx_EIS BIT64(22) /* RES1 without FEAT_ExS */
#define SCTLR_ELx_EE BIT64(25)

/* Reset values the simulator defines for the UNKNOWN ones (DESIGN §2). */
#define SCTLR_EL2_BOOT UINT64_C(0x30c50830)
#define SCTLR_EL1_BOOT UINT64_C(0x30d00800)

/* TCR_EL2 (non-VHE, one TTBR) */
#define TCR_EL2_T0SZ_SHIFT 0
#define TCR_EL2_IRGN0_SHIFT 8
#define TCR_EL2_ORGN0_SHIFT 10
#define TCR_EL2_SH0_SHIFT 12
#define TCR_EL2_TG0_SHIFT 14
#define TCR_EL2_PS_SHIFT 16
#define TCR_EL2_TBI BIT64(20)

/* TCR_EL1 */
#define TCR_EL1_T0SZ_SHIFT 0
#define TCR_EL1_EPD0 BIT64(7)
#define TCR_EL1_IRGN0_SHIFT 8
#define TCR_EL1_ORGN0_SHIFT 10
#define TCR_EL1_SH0_SHIFT 12
#define TCR_EL1_TG0_SHIFT 14
#define TCR_EL1_T1SZ_SHIFT 16
#define TCR_EL1_A1 BIT64(22)
#define TCR_EL1_EPD1 BIT64(23)
#define TCR_EL1_IRGN1_SHIFT 24
#define TCR_EL1_ORGN1_SHIFT 26
#define TCR_EL1_SH1_SHIFT 28
#define TCR_EL1_TG1_SHIFT 30
#define TCR_EL1_IPS_SHIFT 32
#define TCR_EL1_TBI0 BIT64(37)
#define TCR_EL1_TBI1 BIT64(38)

/* TCR_ELx.TG0 encodings (TG1 differs: 1=16K, 2=4K, 3=64K) */
#define TCR_TG0_4K 0
#define TCR_TG0_64K 1
#define TCR_TG0_16K 2
#define TCR_TG1_16K 1
#define TCR_TG1_4K 2
#define TCR_TG1_64K 3

/* HCR_EL2 */
#define HCR_EL2_VM BIT64(0)
#define HCR_EL2_FMO BIT64(3)
#define HCR_EL2_IMO BIT64(4)
#define HCR_EL2_TID3 BIT64(18)
#define HCR_EL2_TGE BIT64(27)
#define HCR_EL2_RW BIT64(31)
#define HCR_EL2_E2H BIT64(34)

/* TTBRn_ELx */
#define TTBR_ASID_SHIFT 48
#define TTBR_BADDR_MASK UINT64_C(0x0000fffffffffffe)

/* VMSAv8-64 descriptors (D8.3) */
#define DESC_VALID BIT64(0)
#define DESC_TABLE BIT64(1) /* at levels 0..2: table; at level 3: page */
#define DESC_ATTRINDX_SHIFT 2
#define DESC_NS BIT64(5)
#define DESC_AP1 BIT64(6) /* AP[1]: EL0 access (RES1 in the EL2 regime) */
#define DESC_AP2 BIT64(7) /* AP[2]: read-only */
#define DESC_SH_SHIFT 8
#define DESC_AF BIT64(10)
#define DESC_NG BIT64(11)
#define DESC_DBM BIT64(51)
#define DESC_CONTIG BIT64(52)
#define DESC_PXN BIT64(53)
#define DESC_XN BIT64(54) /* UXN in the EL1&0 regime, XN in EL2 */
#define DESC_SW_MASK (UINT64_C(0xf) << 55)
/* Table descriptor hierarchical attributes */
#define DESC_PXNTABLE BIT64(59)
#define DESC_XNTABLE BIT64(60)
#define DESC_APTABLE_SHIFT 61
#define DESC_NSTABLE BIT64(63)
/* Output address bits [47:12] for the 4K granule; the walker masks per granule. */
#define DESC_OA_MASK_48 UINT64_C(0x0000fffffffff000)

/* ESR_ELx (D17.2.37) */
#define ESR_EC_SHIFT 26
#define ESR_IL BIT64(25)
#define ESR_ISS_MASK UINT64_C(0x1ffffff)

#define EC_UNKNOWN 0x00
#define EC_WFX 0x01
#define EC_ILLEGAL_STATE 0x0e
#define EC_SVC64 0x15
#define EC_HVC64 0x16
#define EC_SMC64 0x17
#define EC_SYS64 0x18
#define EC_IABT_LOW 0x20
#define EC_IABT_CUR 0x21
#define EC_PC_ALIGN 0x22
#define EC_DABT_LOW 0x24
#define EC_DABT_CUR 0x25
#define EC_SP_ALIGN 0x26
#define EC_SERROR 0x2f
#define EC_BRK64 0x3c

/* Data/Instruction Fault Status Codes (ISS[5:0]) */
#define FSC_ADDR_SIZE(l) (0x00 + (l)) /* level 0..3 */
#define FSC_TRANSLATION(l) (0x04 + (l))
#define FSC_ACCESS_FLAG(l) (0x08 + (l))
#define FSC_PERMISSION(l) (0x0c + (l))
#define FSC_EXT_ABORT 0x10
#define FSC_EXT_ABORT_WALK(l) (0x14 + (l))
#define FSC_ALIGNMENT 0x21
#define FSC_TLB_CONFLICT 0x30

/* ISS bits of a Data Abort */
#define ISS_DABT_WNR BIT64(6)
#define ISS_DABT_S1PTW BIT64(7)
#define ISS_DABT_CM BIT64(8)
/* The instruction syndrome of a Data Abort (ISV[24], SAS[23:22], SSE[21], SRT[20:16],
 * SF[15], AR[14]). */
#define ISS_DABT_ISV       BIT64(24)
#define ISS_DABT_SAS_SHIFT 22
#define ISS_DABT_SSE       BIT64(21)
#define ISS_DABT_SRT_SHIFT 16
#define ISS_DABT_SF        BIT64(15)
#define ISS_DABT_AR        BIT64(14)

/* PSTATE / SPSR */
#define PSTATE_SP BIT64(0)
#define PSTATE_EL_SHIFT 2
#define PSTATE_F BIT64(6)
#define PSTATE_I BIT64(7)
#define PSTATE_A BIT64(8)
#define PSTATE_D BIT64(9)
#define PSTATE_DAIF (PSTATE_D | PSTATE_A | PSTATE_I | PSTATE_F)
#define PSTATE_M_EL2H UINT64_C(0x9)
#define PSTATE_M_EL1H UINT64_C(0x5)

/* Cache geometry the model assumes (CTR_EL0.DminLine/IminLine = 4 words^4 = 64 bytes). */
#define CACHE_LINE_SIZE 64u
#define CACHE_LINE_MASK (~(uint64_t)(CACHE_LINE_SIZE - 1))

#endif /* HYPSIM_MODEL_ARCH_H */
