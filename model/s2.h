/*
 * s2.h - stage 2 of the EL1&0 translation regime (Arm ARM DDI 0487, D8 "The AArch64
 * Virtual Memory System Architecture"): VTTBR_EL2 / VTCR_EL2, the stage 2 walk with its
 * start level from VTCR_EL2.SL0 and concatenated initial tables, stage 2 descriptors
 * (S2AP, MemAttr, SH, AF, XN, Contiguous), stage 2 faults, the combined stage 1 + stage 2
 * translation (every stage 1 table read is itself an IPA translated by stage 2), the
 * combination of the two stages' attributes, and the syndrome of a stage 2 abort taken to
 * EL2 (ESR_EL2, HPFAR_EL2, FAR_EL2).
 *
 * Models: 4K, 16K and 64K stage 2 granules; VTCR_EL2.T0SZ 16..39 (48-bit IPA at most, no
 * FEAT_LPA/LPA2: no level -1); SL0 per granule and the consistency of SL0 with T0SZ,
 * including up to 16 concatenated tables at the initial lookup level (D8.2.x "Concatenated
 * translation tables for the initial stage 2 lookup"); VTCR_EL2.PS bounded by the 48-bit
 * implemented PA size; 8-bit VMIDs, 16-bit only with VTCR_EL2.VS and a CPU that has
 * FEAT_VMID16 (the Cortex-A72 has not); XN[54:53] per FEAT_XNX or XN[54] alone without it;
 * HCR_EL2.FWB=0 attribute combination. Faults are data (struct s12_fault), never control
 * flow.
 *
 * Does not model: HCR_EL2.FWB, HCR_EL2.PTW (a stage 1 walk to stage 2 Device memory),
 * FEAT_HAFDBS (VTCR_EL2.HA/HD), FEAT_S2FWB, FEAT_TTST, FEAT_LPA/LPA2, the Secure stage 2,
 * ESR_EL2.ISV in s12_fault_syndrome (exc.h's exc_esr adds the instruction syndrome from the
 * instruction, which the exception entry knows).
 */
#ifndef HYPSIM_MODEL_S2_H
#define HYPSIM_MODEL_S2_H

#include <stdbool.h>
#include <stdint.h>

#include "mem_ops.h"
#include "pt.h"

/* VTCR_EL2 (D17.2.x) */
#define VTCR_T0SZ_SHIFT  0
#define VTCR_SL0_SHIFT   6
#define VTCR_IRGN0_SHIFT 8
#define VTCR_ORGN0_SHIFT 10
#define VTCR_SH0_SHIFT   12
#define VTCR_TG0_SHIFT   14
#define VTCR_PS_SHIFT    16
#define VTCR_VS          (UINT64_C(1) << 19)

/* VTTBR_EL2: BADDR[47:1], VMID[55:48] (or [63:48] with VTCR_EL2.VS and FEAT_VMID16) */
#define VTTBR_VMID_SHIFT 48

/* Stage 2 descriptor fields (D8.3.x "Stage 2 attributes") */
#define S2_MEMATTR_SHIFT 2  /* MemAttr[3:0], bits [5:2] */
#define S2_S2AP_SHIFT    6  /* S2AP[1:0], bits [7:6]: [0] read, [1] write */
#define S2_XN_SHIFT      53 /* XN[1:0], bits [54:53] with FEAT_XNX; XN is bit 54 without */

/* What the CPU implements of the optional stage 2 features. */
struct s2_features {
	bool vmid16; /* FEAT_VMID16 (ID_AA64MMFR1_EL1.VMIDBits = 16) */
	bool xnx;    /* FEAT_XNX: XN[0] distinguishes EL1 and EL0 execution */
	/* The implemented PA size (ID_AA64MMFR0_EL1.PARange, model_cfg.pa_bits): VTCR_EL2.PS
	 * and TCR_EL1.IPS are capped at it (AArch64.PAMax). */
	unsigned pa_bits;
};

/* The Cortex-A72's: 8-bit VMIDs, no FEAT_XNX, 44-bit PAs. */
#define S2_FEATURES_A72 ((struct s2_features){false, false, 44})

struct s2_cfg {
	uint64_t root; /* PA of the first initial-level table (aligned) */
	uint16_t vmid;
	unsigned tsz;           /* VTCR_EL2.T0SZ, clamped to 16..39 */
	unsigned ia_bits;       /* 64 - tsz: IPA bits translated */
	unsigned granule_shift; /* 12, 14 or 16 */
	int start_level;        /* from SL0 and the granule */
	unsigned nconcat;       /* tables concatenated at the start level (1..16) */
	unsigned oa_bits;       /* min(VTCR_EL2.PS, implemented 48 bits) */
	bool sl_ok;             /* SL0 is valid and consistent with T0SZ (else every IPA faults) */
	bool walk_cacheable;    /* VTCR_EL2.IRGN0 != 0: stage 2 walks take their cacheability
	                           from VTCR_EL2 alone (HCR_EL2.CD is not modelled) */
	uint8_t irgn, orgn, sh;
	bool xnx;
};

/* Decode VTTBR_EL2 and VTCR_EL2 into *cfg (D8.2 stage 2, D17.2 VTCR_EL2/VTTBR_EL2). */
void s2_cfg_from_regs(uint64_t vtcr, uint64_t vttbr, struct s2_features feat, struct s2_cfg *cfg);

/* The VMID that tags EL1&0 TLB entries, given VTCR_EL2 and VTTBR_EL2 (D8.13 "VMID"). */
uint16_t s2_vmid(uint64_t vtcr, uint64_t vttbr, struct s2_features feat);

/* A stage 2 translation of one IPA. */
struct s2_walk {
	uint64_t ipa;
	uint64_t pa;  /* valid when fault.type == FAULT_NONE */
	int8_t level; /* of the leaf, or of the fault */
	uint64_t block_size;
	uint64_t leaf_desc;
	struct mem_attrs attrs; /* from MemAttr (mair_attr = MemAttr[3:0]) */
	bool r, w;              /* S2AP[0], S2AP[1] */
	bool xn_el1, xn_el0;    /* execute-never at EL1 / EL0 */
	bool af, contiguous;
	struct fault fault; /* translation, address size, access flag, external (walk) */
	unsigned nsteps;
	struct pt_step steps[PT_MAX_STEPS];
};

/* Walk the stage 2 tables of cfg for ipa through ops (D8.2, AArch64.S2Walk). */
void s2_translate(const struct s2_cfg *cfg, const struct mem_ops *ops, uint64_t ipa,
                  struct s2_walk *w);

/* The walk result a stage 2 leaf descriptor desc at level gives for ipa (what a TLB entry
 * made from it translates to). */
void s2_leaf_walk(const struct s2_cfg *cfg, uint64_t ipa, int level, uint64_t desc,
                  struct s2_walk *w);

/*
 * Stage 2 permission check (D8.4.x "Stage 2 access permissions", AArch64.S2CheckPermission)
 * of a successful walk: reads need S2AP[0], writes S2AP[1], fetches no XN at el; a stage 1
 * table read (s1ptw) is checked as a read whatever the access; DC maintenance by VA other
 * than DC IVAC/ZVA at EL1 is never a stage 2 Permission fault. Returns FAULT_NONE or
 * FAULT_PERMISSION at the leaf's level.
 */
struct fault s2_check_perm(const struct s2_walk *w, enum access_type acc, unsigned el, bool s1ptw);

/* MemAttr[3:0] of a stage 2 descriptor, HCR_EL2.FWB=0 (D8.5.x). */
struct mem_attrs s2_decode_memattr(uint8_t memattr, uint8_t sh);

/* Combined attributes of stage 1 and stage 2 (D8.5.x "Combining the stage 1 and stage 2
 * attributes", FWB=0): Device if either is, the less cacheable of each inner/outer, the more
 * shareable. */
struct mem_attrs s2_combine_attrs(struct mem_attrs s1, struct mem_attrs s2);

/* True if changing stage 2 descriptor old into new at level needs break-before-make (D8.14.1):
 * output address, MemAttr, SH, block size or table<->block, Contiguous. */
bool s2_bbm_needed(uint64_t old_desc, uint64_t new_desc, int level, unsigned granule_shift);

/* A fault of the EL1&0 regime with its stage. */
struct s12_fault {
	struct fault f;     /* type and level; FAULT_NONE: no fault */
	uint8_t stage;      /* 1 or 2 (0 when no fault) */
	bool s1ptw;         /* stage 2 fault on a stage 1 table walk read */
	uint64_t ipa;       /* stage 2 faults: the faulting IPA (HPFAR_EL2.FIPA) */
	unsigned target_el; /* where it is taken: 2 for stage 2, 1 for stage 1 (TGE=0) */
};

/* Inputs of a combined translation: the EL1&0 stage 1 registers and the stage 2 ones. */
struct s12_regs {
	uint64_t sctlr_el1, tcr_el1, ttbr0_el1, ttbr1_el1, mair_el1;
	uint64_t hcr_el2, vtcr_el2, vttbr_el2;
};

struct s12_result {
	uint64_t va, ipa, pa;
	bool s1_on;            /* SCTLR_EL1.M: otherwise IPA = VA (stage 1 flat map) */
	bool s2_on;            /* HCR_EL2.VM: otherwise PA = IPA */
	struct pt_cfg s1cfg;   /* when s1_on */
	struct s2_cfg s2cfg;   /* when s2_on */
	struct walk_result s1; /* stage 1 walk (oa is the IPA); steps hold IPAs */
	struct s2_walk s2;     /* stage 2 walk of the final IPA */
	unsigned nptw;         /* stage 2 walks of the stage 1 table reads, in order */
	struct s2_walk ptw[PT_MAX_STEPS];
	struct mem_attrs attrs; /* combined */
	struct s12_fault fault; /* the first fault, permissions included */
};

/*
 * Translate va for an access acc at el (0 or 1) through stage 1 of EL1&0 and, when
 * HCR_EL2.VM=1, stage 2 (D8.2 "Translation table walks": AArch64.FullTranslate): every
 * stage 1 descriptor read is at an IPA translated by stage 2 (a stage 2 fault there has
 * S1PTW=1 and the IPA of the descriptor), then the output IPA is translated. Stage 1 faults
 * (permissions included) come before the stage 2 translation of the output IPA.
 */
void s12_translate(const struct s12_regs *regs, struct s2_features feat, const struct mem_ops *ops,
                   uint64_t va, enum access_type acc, unsigned el, struct s12_result *res);

/*
 * One stage 2 translation to use instead of a fresh walk for the IPAs [ipa, ipa + size):
 * a TLB entry (s2tlb.c). w is the walk of ipa itself; an IPA inside the range gets w's PA
 * plus its offset (or w's fault).
 */
struct s2_override {
	uint64_t ipa, size;
	struct s2_walk w;
};

/* s12_translate with stage 2 translations of the IPAs in ovr (may be NULL) taken from it. */
void s12_translate_ovr(const struct s12_regs *regs, struct s2_features feat,
                       const struct mem_ops *ops, uint64_t va, enum access_type acc, unsigned el,
                       const struct s2_override *ovr, struct s12_result *res);

/* The registers a fault writes when it is taken (D1.10 / D17.2 ESR_EL2, HPFAR_EL2). */
struct s12_syndrome {
	unsigned target_el;
	uint64_t esr;   /* ESR_EL1 or ESR_EL2 */
	uint64_t far;   /* FAR_EL1 / FAR_EL2: the VA */
	uint64_t hpfar; /* HPFAR_EL2 (stage 2 faults only): FIPA[43:4] = IPA[51:12] */
	bool hpfar_valid;
};

/*
 * The syndrome of fault f on an access acc at from_el (0 or 1) to va: EC Data/Instruction
 * Abort from a lower EL (stage 2, to EL2) or from EL1/EL0 to EL1 (stage 1: EC_DABT_CUR /
 * EC_IABT_CUR from EL1, the _LOW ones from EL0), IL=1, ISS DFSC/IFSC, WnR (0 for S1PTW
 * faults: the walk reads), S1PTW, CM for cache maintenance.
 */
void s12_fault_syndrome(const struct s12_fault *f, enum access_type acc, unsigned from_el,
                        uint64_t va, struct s12_syndrome *out);

/* The Fault Status Code of f (ISS[5:0], D17.2.37). */
unsigned s12_fsc(const struct fault *f);

#endif /* HYPSIM_MODEL_S2_H */
