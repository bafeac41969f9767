/*
 * pt.h - VMSAv8-64 stage 1 translation table walker (Arm ARM D8.1-D8.4).
 *
 * Models: the EL2 regime (TTBR0_EL2, non-VHE) and the EL1&0 regime (TTBR0_EL1/TTBR1_EL1);
 * 4K, 16K and 64K granules; TxSZ and the start level it implies (D8.2.6, incl. level -1
 * is NOT modelled: no FEAT_LPA2); output addresses up to 48 bits bounded by TCR.PS/IPS and
 * the implemented PA size, a value the caller passes (the CPU's ID_AA64MMFR0_EL1.PARange,
 * STYLE 6: the model holds no CPU of its own); table, block and page descriptors; AttrIndx -> MAIR; AP, XN,
 * PXN, UXN, hierarchical APTable/XNTable/PXNTable; AF; the Contiguous and nG bits carried
 * through. Faults are data (struct fault), never control flow.
 *
 * Does not model: stage 2, VHE (E2H=1: the EL2&0 regime with TTBR1_EL2), FEAT_LPA/LPA2,
 * FEAT_HAFDBS (hardware AF/dirty update), FEAT_PAN, TCR.HPD, 52-bit addresses, big-endian
 * table walks.
 *
 * One walker, visitors for the rest (as Linux's kvm_pgtable_walk): pt_translate() and
 * pt_visit() share the same descriptor decoding and the same walk core.
 */
#ifndef HYPSIM_MODEL_PT_H
#define HYPSIM_MODEL_PT_H

#include <stdbool.h>
#include <stdint.h>

#include "mem_ops.h"

enum regime {
	REGIME_EL2, /* stage 1, EL2 (non-VHE): TTBR0_EL2 only */
	REGIME_EL10 /* stage 1, EL1&0: TTBR0_EL1 / TTBR1_EL1 */
};

enum fault_type {
	FAULT_NONE = 0,
	FAULT_TRANSLATION,
	FAULT_ADDRESS_SIZE,
	FAULT_ACCESS_FLAG,
	FAULT_PERMISSION,
	FAULT_ALIGNMENT,
	FAULT_EXTERNAL,	     /* access to a PA with nothing behind it */
	FAULT_EXTERNAL_WALK, /* a descriptor read hit a PA with nothing behind it */
	FAULT_TLB_CONFLICT,
};

struct fault {
	enum fault_type type;
	int8_t level; /* level of the walk for translation/AF/permission/addr-size/walk faults */
};

enum access_type {
	ACC_FETCH,
	ACC_READ,
	ACC_WRITE,
	ACC_DC_READ,  /* DC CVAC/CIVAC/CVAU, IC IVAU, AT: permission as a read (D7.5.9) */
	ACC_DC_WRITE, /* DC IVAC, DC ZVA: needs write permission */
};

enum mem_type {
	MT_DEVICE, /* any Device-xxxx attribute, and every data access with the MMU off */
	MT_NORMAL_NC,
	MT_NORMAL_WT,
	MT_NORMAL_WB,
};

struct mem_attrs {
	uint8_t mair_attr;	/* the 8-bit MAIR field selected, 0 for MMU-off accesses */
	enum mem_type inner;	/* inner cacheability (what this CPU's caches do) */
	enum mem_type outer;
	uint8_t sh;		/* SH[1:0] of the descriptor */
};

/* Regime configuration, derived from SCTLR/TCR/TTBR/MAIR by pt_cfg_from_regs(). */
struct pt_cfg {
	enum regime regime;
	uint64_t ttbr;		/* table base PA (BADDR, already masked) */
	unsigned tsz;		/* T0SZ or T1SZ */
	unsigned granule_shift; /* 12, 14 or 16 */
	int start_level;	/* from tsz and granule (D8.2.6) */
	unsigned oa_bits;	/* min(TCR.PS/IPS, implemented PA size): the effective PA size */
	uint64_t mair;
	bool upper;		/* walking TTBR1 (VA bits [63:VA_BITS] all ones) */
	bool walk_cacheable;	/* SCTLR.C=1 and TCR.IRGNn != 0 (DESIGN §3 "Walks") */
	bool wxn;
	bool epd;		/* TCR.EPDn: walks disabled for this half (EL1&0 only) */
	bool tbi;		/* top byte ignored */
};

/*
 * Implemented PA sizes (ID_AA64MMFR0_EL1.PARange, D17.2.64): PARange 0..5 are 32, 36, 40,
 * 42, 44 and 48 bits. 52 bits (PARange 6, FEAT_LPA) is not modelled. pt_parange_bits gives
 * the size of an encoding, 0 for one the walker does not model; pt_pa_bits_ok says whether
 * a size is one of them.
 */
unsigned pt_parange_bits(unsigned parange);
bool pt_pa_bits_ok(unsigned pa_bits);

/*
 * Select the translation for va in regime r of a CPU whose implemented PA size is
 * impl_pa_bits (pt_pa_bits_ok), and fill *cfg: cfg->oa_bits is TCR.PS/IPS capped at
 * impl_pa_bits (AArch64.PAMax()). Returns false with *f set (Translation fault, level 0
 * per D8.2.x "Input address size checks") when va lies in neither half of the input
 * address range or the half's walks are disabled by EPDn. Does not look at SCTLR.M: the
 * caller decides whether the MMU is on.
 */
bool pt_cfg_from_regs(enum regime r, unsigned impl_pa_bits, uint64_t sctlr, uint64_t tcr,
		      uint64_t ttbr0, uint64_t ttbr1, uint64_t mair, uint64_t va,
		      struct pt_cfg *cfg, struct fault *f);

/* One descriptor read by a walk: where, what, at which level. */
struct pt_step {
	uint64_t desc_pa;
	uint64_t desc;
	int8_t level;
};

#define PT_MAX_STEPS 5

struct walk_result {
	uint64_t va;		/* input address, TBI already applied */
	uint64_t oa;		/* output PA of va (valid when fault.type == FAULT_NONE) */
	struct mem_attrs attrs;
	int8_t level;		/* level of the leaf descriptor */
	uint64_t block_size;	/* bytes mapped by the leaf (page, or block) */
	uint64_t leaf_desc;	/* the leaf descriptor's value */
	/* Effective permissions after hierarchical controls (APTable, XNTable, PXNTable). */
	bool ro;		/* AP[2] (or APTable[1]) */
	bool el0;		/* AP[1] (EL1&0 only) */
	bool xn;		/* XN (EL2), UXN (EL1&0, EL0 execute) */
	bool pxn;		/* PXN (EL1&0 only) */
	bool ng, contiguous, af;
	struct fault fault;
	unsigned nsteps;	/* descriptors read, in order, for traces and walk caches */
	struct pt_step steps[PT_MAX_STEPS];
};

/*
 * Translate va (already inside cfg's range) by walking the tables through ops. Address
 * size, translation and access flag faults are reported in result->fault; permissions
 * are checked separately by pt_check_perm() so a TLB entry can be re-checked without a
 * walk. A descriptor read that ops refuses gives FAULT_EXTERNAL_WALK at that level.
 */
void pt_translate(const struct pt_cfg *cfg, const struct mem_ops *ops, uint64_t va,
		  struct walk_result *result);

/*
 * Permission check of a successful translation (D8.4): returns FAULT_NONE or
 * FAULT_PERMISSION at the leaf's level. el is the accessing Exception level (0, 1, 2).
 */
struct fault pt_check_perm(const struct pt_cfg *cfg, const struct walk_result *r,
			   enum access_type acc, unsigned el);

/* Decode MAIR attribute byte attr into memory type/cacheability (D17.2.97). */
struct mem_attrs pt_decode_mair_attr(uint8_t attr, uint8_t sh);

/* Classification of one descriptor (TF-A xlat_tables' action_t style): pure. */
enum desc_class {
	DESC_INVALID,
	DESC_IS_TABLE,
	DESC_IS_BLOCK,
	DESC_IS_PAGE,
	DESC_RESERVED, /* block at a level that has none, or 0b01 at level 3: Translation fault */
};
enum desc_class pt_desc_classify(uint64_t desc, int level, unsigned granule_shift);

/* Output address of a table/block/page descriptor, for the cfg's granule. */
uint64_t pt_desc_oa(uint64_t desc, unsigned granule_shift);

/* Bytes covered by one entry at level (granule 4K: L1 1 GiB, L2 2 MiB, L3 4 KiB). */
uint64_t pt_level_size(int level, unsigned granule_shift);

/* Visitor interface. */
enum pt_visit_flags {
	PT_VISIT_LEAF = 1u << 0,      /* valid block/page descriptors */
	PT_VISIT_TABLE_PRE = 1u << 1, /* valid table descriptors, before descending */
	PT_VISIT_INVALID = 1u << 2,   /* invalid/reserved entries (large walks: use sparingly) */
};

struct pt_visit_entry {
	uint64_t va;	  /* first VA covered by the entry */
	uint64_t size;	  /* bytes covered */
	int8_t level;
	uint64_t desc_pa; /* where the descriptor lives */
	uint64_t desc;	  /* its value */
	enum desc_class cls;
	/* For leaves: the complete translation, as pt_translate() would give for va. */
	const struct walk_result *leaf;
};

/* Return 0 to continue, non-zero to stop the walk (the value is returned by pt_visit). */
typedef int (*pt_visitor_fn)(const struct pt_visit_entry *e, void *arg);

/*
 * Walk every entry of cfg's tables that covers [va_start, va_end] (inclusive end, so the
 * whole 64-bit space can be named) and call fn for those selected by flags, in VA order.
 * A descriptor read that ops refuses ends that subtree silently (it would be an External
 * abort for an access there). Returns 0 or the first non-zero visitor result.
 */
int pt_visit(const struct pt_cfg *cfg, const struct mem_ops *ops, uint64_t va_start,
	     uint64_t va_end, unsigned flags, pt_visitor_fn fn, void *arg);

/* Human-readable names, for reports. */
const char *pt_fault_name(enum fault_type t);
const char *pt_access_name(enum access_type a);

#endif /* HYPSIM_MODEL_PT_H */
