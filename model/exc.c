/*
 * exc.c - AArch64 synchronous exception entry and ERET for hypsim (Arm ARM D1.10, D1.11).
 *
 * The contract is in exc.h. The PE hypsim models has EL2 and (emulated) EL3 firmware, all
 * lower ELs in AArch64, no FEAT_VHE, FEAT_PAN, FEAT_BTI, FEAT_SSBS or FEAT_MTE; so entry
 * touches only M[3:0], nRW, DAIF, IL and SS, and an ERET to AArch32 is illegal.
 *
 * Choices hypsim makes where the contract leaves room:
 * - IL (ESR bit 25) is 1 for every cause: the modelled instructions are all A64 (32-bit),
 *   and for aborts, alignment faults and EC 0x00 the bit is RES1 (D17.2.37), so
 *   exc_info.il32 is not consulted.
 * - For aborts and PC alignment faults FAR_ELx is always valid (FnV=0): hypsim always
 *   knows the faulting VA, so exc_info.far_valid is not consulted either.
 * - Exception entry keeps NZCV in PSTATE (AArch64.TakeException changes only the fields
 *   above); the SPSR holds them too.
 */
#include "exc.h"

#include <assert.h>

#include "arch.h"

/* Fields of HCR_EL2 and PSTATE only this file needs (D17.2.48, D1.4). */
#define HCR_EL2_TSC   BIT64(19)
#define PSTATE_M_MASK UINT64_C(0xf)
#define PSTATE_NRW    BIT64(4)
#define PSTATE_IL     BIT64(20)
#define PSTATE_SS     BIT64(21)
#define PSTATE_NZCV   (UINT64_C(0xf) << 28)

#define ISS_FNV BIT64(10)

static unsigned pstate_el(uint64_t pstate)
{
	return (unsigned)FIELD_GET(pstate, PSTATE_EL_SHIFT, 2);
}

/*
 * D1.10.1 routing, for what hypsim models: EL2 never routes down; from EL0 (and EL1) an
 * exception that would go to EL1 goes to EL2 when HCR_EL2.TGE=1 (an EL1 with TGE=1 cannot be
 * entered by a legal ERET, but the routing rule is stated for "would be taken to EL1").
 */
unsigned exc_target_el(enum exc_cause cause, unsigned from_el, uint64_t hcr_el2)
{
	unsigned target;

	assert(from_el <= 2);
	switch (cause) {
	case EXC_CAUSE_HVC:
		/* HVC is UNDEFINED at EL0: taken as an undefined instruction to EL1/EL2. */
		target = from_el == 0 ? 1 : 2;
		break;
	case EXC_CAUSE_SMC:
		/* SMC is UNDEFINED at EL0; at EL1 HCR_EL2.TSC traps it to EL2 (D1.10.1). */
		if (from_el == 0)
			target = 1;
		else if (from_el == 1 && (hcr_el2 & HCR_EL2_TSC))
			target = 2;
		else
			return 3;
		break;
	default:
		target = from_el > 1 ? from_el : 1;
		break;
	}
	if (target == 1 && (hcr_el2 & HCR_EL2_TGE))
		target = 2;
	return target;
}

uint32_t exc_fsc(struct fault f)
{
	int l = f.level;

	switch (f.type) {
	case FAULT_TRANSLATION:
	case FAULT_ADDRESS_SIZE:
	case FAULT_ACCESS_FLAG:
	case FAULT_PERMISSION:
	case FAULT_EXTERNAL_WALK:
		/* Level -1 codes exist only with FEAT_LPA2, which hypsim does not model. */
		assert(l >= 0 && l <= 3);
		break;
	default:
		break;
	}
	switch (f.type) {
	case FAULT_TRANSLATION:
		return FSC_TRANSLATION(l);
	case FAULT_ADDRESS_SIZE:
		return FSC_ADDR_SIZE(l);
	case FAULT_ACCESS_FLAG:
		return FSC_ACCESS_FLAG(l);
	case FAULT_PERMISSION:
		return FSC_PERMISSION(l);
	case FAULT_EXTERNAL_WALK:
		return FSC_EXT_ABORT_WALK(l);
	case FAULT_EXTERNAL:
		return FSC_EXT_ABORT;
	case FAULT_ALIGNMENT:
		return FSC_ALIGNMENT;
	case FAULT_TLB_CONFLICT:
		return FSC_TLB_CONFLICT;
	case FAULT_NONE:
		break;
	}
	assert(0 && "no fault status code for FAULT_NONE");
	return 0;
}

/* The EC of an exception is fixed by its cause and by whether it changes EL (D17.2.37). */
static unsigned exc_ec(const struct exc_info *info, unsigned target_el)
{
	bool lower = info->from_el < target_el;

	switch (info->cause) {
	case EXC_CAUSE_SVC:
		return EC_SVC64;
	case EXC_CAUSE_HVC:
		return info->from_el == 0 ? EC_UNKNOWN : EC_HVC64;
	case EXC_CAUSE_SMC:
		return info->from_el == 0 ? EC_UNKNOWN : EC_SMC64;
	case EXC_CAUSE_BRK:
		return EC_BRK64;
	case EXC_CAUSE_UNDEFINED:
		return EC_UNKNOWN;
	case EXC_CAUSE_INSN_ABORT:
		return lower ? EC_IABT_LOW : EC_IABT_CUR;
	case EXC_CAUSE_DATA_ABORT:
		return lower ? EC_DABT_LOW : EC_DABT_CUR;
	case EXC_CAUSE_PC_ALIGN:
		return EC_PC_ALIGN;
	case EXC_CAUSE_SP_ALIGN:
		return EC_SP_ALIGN;
	case EXC_CAUSE_ILLEGAL_STATE:
		return EC_ILLEGAL_STATE;
	case EXC_CAUSE_SYSREG_TRAP:
		return EC_SYS64;
	}
	assert(0 && "unknown exception cause");
	return EC_UNKNOWN;
}

static uint32_t dabt_syndrome(unsigned sas, bool sse, unsigned rt, bool sf, bool ar)
{
	return (uint32_t)(ISS_DABT_ISV | (uint64_t)sas << ISS_DABT_SAS_SHIFT |
	                  (sse ? ISS_DABT_SSE : 0) | (uint64_t)rt << ISS_DABT_SRT_SHIFT |
	                  (sf ? ISS_DABT_SF : 0) | (ar ? ISS_DABT_AR : 0));
}

uint32_t exc_dabt_insn_syndrome(uint32_t enc)
{
	unsigned size = enc >> 30, rt = enc & 31;
	unsigned opc = (enc >> 22) & 3;
	/* C4.1.x Load register (literal): opc:011:V:00:imm19:Rt, V = 0 (general registers).
	 * opc 00 LDR Wt, 01 LDR Xt, 10 LDRSW Xt, 11 PRFM (no access that can fault). */
	if ((enc & 0x3f000000) == 0x18000000) {
		unsigned o = enc >> 30;
		if (o == 3)
			return 0;
		return dabt_syndrome(o == 1 ? 3 : 2, o == 2, rt, o != 0, false);
	}
	/* C4.1.x Load/store exclusive group: size:001000:o2:L:o1:Rs:o0:Rt2:Rn:Rt. Only the
	 * non-exclusive acquire/release forms, LDAR and STLR (o2 = 1, o1 = 0, o0 = 1). */
	if ((enc & 0x3f000000) == 0x08000000) {
		bool o2 = (enc >> 23) & 1, load = (enc >> 22) & 1, o1 = (enc >> 21) & 1;
		bool o0 = (enc >> 15) & 1;
		if (!o2 || o1 || !o0)
			return 0;
		(void)load;
		return dabt_syndrome(size, false, rt, size == 3, true);
	}
	/* C4.1.x Load/store register: size:111:V:0x:opc:..., V = 0. Unsigned immediate
	 * ([25:24] = 01), or [25:24] = 00 with [21] = 0 and [11:10] = 00 (unscaled, LDUR/STUR)
	 * or 10 (unprivileged, LDTR/STTR), or [21] = 1 and [11:10] = 10 (register offset).
	 * [11:10] = 01 or 11 (post- and pre-indexed: writeback) have none. */
	if ((enc & 0x3f000000) == 0x39000000) {
		/* unsigned immediate */
	} else if ((enc & 0x3f000000) == 0x38000000) {
		unsigned op2 = (enc >> 10) & 3;
		bool bit21 = (enc >> 21) & 1;
		if (bit21 ? op2 != 2 : (op2 == 1 || op2 == 3))
			return 0;
	} else {
		return 0;
	}
	if (opc == 0) /* STRB, STRH, STR Wt, STR Xt */
		return dabt_syndrome(size, false, rt, size == 3, false);
	if (opc == 1) /* LDRB, LDRH, LDR Wt, LDR Xt: zero-extended */
		return dabt_syndrome(size, false, rt, size == 3, false);
	/* opc 1x: LDRS{B,H,W} (sign-extended, 10: to Xt, 11: to Wt); size 11 with opc 10 is
	 * PRFM, and size 10 and 11 with opc 11 are unallocated. */
	if (size == 3 || (size == 2 && opc == 3))
		return 0;
	return dabt_syndrome(size, true, rt, opc == 2, false);
}

uint64_t exc_esr(const struct exc_info *info, unsigned target_el)
{
	unsigned ec = exc_ec(info, target_el);
	uint64_t iss = 0;

	assert(target_el >= info->from_el);
	switch (ec) {
	case EC_SVC64:
	case EC_HVC64:
	case EC_SMC64:
	case EC_BRK64: /* ISS[15:0]: the immediate (the BRK "comment") */
		iss = info->imm16;
		break;
	case EC_IABT_LOW:
	case EC_IABT_CUR:
		/* ISS: IFSC[5:0], S1PTW[7], EA[9]=0, FnV[10]=0 (FAR valid). */
		iss = exc_fsc(info->fault) | (info->s1ptw ? ISS_DABT_S1PTW : 0);
		break;
	case EC_DABT_LOW:
	case EC_DABT_CUR:
		/*
		 * ISV[24] and ISS[23:14] (below), DFSC[5:0], WnR[6], S1PTW[7], CM[8],
		 * FnV[10]=0. Faults on cache maintenance report CM=1 and WnR=1 (D17.2.37).
		 */
		iss = exc_fsc(info->fault);
		if (info->write || info->cache_maint)
			iss |= ISS_DABT_WNR;
		if (info->cache_maint)
			iss |= ISS_DABT_CM;
		if (info->s1ptw)
			iss |= ISS_DABT_S1PTW;
		/* ISV: an instruction syndrome for a stage 2 abort taken to EL2 of a single
		 * register load or store (not on a stage 1 walk, not a cache maintenance). */
		if (info->stage2 && !info->s1ptw && !info->cache_maint && target_el == 2 &&
		    info->insn_valid)
			iss |= exc_dabt_insn_syndrome(info->insn);
		break;
	case EC_SYS64:
		iss = info->iss;
		break;
	default: /* EC 0x00, Illegal Execution state, PC and SP alignment: ISS RES0 */
		break;
	}
	return (uint64_t)ec << ESR_EC_SHIFT | ESR_IL | (iss & ESR_ISS_MASK);
}

/* D1.10.2 Table D1-7: 0x000 current EL SP_EL0, 0x200 current EL SP_ELx, 0x400 lower EL
 * AArch64, 0x600 lower EL AArch32; within each group 0x80 per kind. */
uint64_t exc_vector_offset(enum exc_kind kind, unsigned from_el, unsigned target_el, bool from_spx,
                           bool lower_aarch64)
{
	uint64_t base;

	assert(from_el <= target_el);
	assert((unsigned)kind <= EXC_SERROR);
	if (from_el == target_el)
		base = from_spx ? 0x200 : 0x000;
	else
		base = lower_aarch64 ? 0x400 : 0x600;
	return base + 0x80 * (uint64_t)kind;
}

static bool cause_has_far(enum exc_cause c)
{
	return c == EXC_CAUSE_INSN_ABORT || c == EXC_CAUSE_DATA_ABORT || c == EXC_CAUSE_PC_ALIGN;
}

uint32_t exc_sysreg_iss(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2,
                        unsigned rt, bool read)
{
	return (op0 & 3u) << 20 | (op2 & 7u) << 17 | (op1 & 7u) << 14 | (crn & 15u) << 10 |
	       (rt & 31u) << 5 | (crm & 15u) << 1 | (read ? 1u : 0u);
}

struct exc_entry exc_take(const struct exc_info *info, const struct exc_cpu *cpu)
{
	struct exc_entry e = {0};

	assert(pstate_el(cpu->pstate) == info->from_el);
	e.target_el = exc_target_el(info->cause, info->from_el, cpu->hcr_el2);
	/* A stage 2 abort, a stage 1 walk's included, is taken to EL2 (pseudocode
	 * AArch64.Abort: IsSecondStage(fault) routes it to EL2). */
	if (info->stage2 && (info->cause == EXC_CAUSE_INSN_ABORT ||
	                     info->cause == EXC_CAUSE_DATA_ABORT))
		e.target_el = 2;
	/* A trap control of a higher EL (CNTHCTL_EL2 for an EL1 access) sends it higher. */
	if (info->cause == EXC_CAUSE_SYSREG_TRAP && info->trap_el > e.target_el)
		e.target_el = info->trap_el;
	/* SMC to EL3 is answered by the simulator as firmware, never taken here. */
	assert(e.target_el == 1 || e.target_el == 2);
	e.esr = exc_esr(info, e.target_el);
	e.elr = cpu->pc;
	e.spsr = cpu->pstate;
	e.far_valid = cause_has_far(info->cause);
	e.far = e.far_valid ? info->far : 0;
	/* Lower ELs are AArch64 only (HCR_EL2.RW is required for an AArch64 EL1). */
	e.vector = (e.target_el == 2 ? cpu->vbar_el2 : cpu->vbar_el1) +
	           exc_vector_offset(EXC_SYNC, info->from_el, e.target_el,
	                             (cpu->pstate & PSTATE_SP) != 0, true);
	/* AArch64.TakeException: ELxh, DAIF masked, IL and SS cleared, NZCV unchanged. */
	e.new_pstate = (cpu->pstate & PSTATE_NZCV) | PSTATE_DAIF |
	               (e.target_el == 2 ? PSTATE_M_EL2H : PSTATE_M_EL1H);
	return e;
}

/*
 * D1.11.3 (AArch64.ExceptionReturn / IllegalExceptionReturn): the return is illegal when
 * SPSR.M names AArch32 (not modelled), a reserved mode (M[1]=1, or EL0 with M[0]=1), an EL
 * above the current one, EL1 while HCR_EL2.TGE=1, or an AArch64 EL1/EL0 while HCR_EL2.RW=0
 * says EL1 is AArch32. On an illegal return PSTATE.EL/SP/nRW keep their values, the other
 * fields come from SPSR, and PSTATE.IL is set.
 */
struct eret_result exc_eret(uint64_t spsr, unsigned current_el, uint64_t hcr_el2)
{
	struct eret_result r = {0};
	unsigned m = (unsigned)(spsr & PSTATE_M_MASK);
	unsigned el = pstate_el(spsr);
	bool tge = (hcr_el2 & HCR_EL2_TGE) != 0, rw = (hcr_el2 & HCR_EL2_RW) != 0;
	bool illegal = false;

	assert(current_el >= 1 && current_el <= 2);
	if (spsr & PSTATE_NRW)
		illegal = true; /* AArch32: not modelled, so not implemented */
	else if (m & 2)
		illegal = true; /* M[1]=1 is reserved in AArch64 */
	else if (el == 0 && (m & 1))
		illegal = true; /* EL0 has only SP_EL0 */
	else if (el > current_el)
		illegal = true;
	else if (el == 1 && tge)
		illegal = true;
	else if (current_el == 2 && !rw && (el == 1 || (el == 0 && !tge)))
		illegal = true; /* HCR_EL2.RW=0: EL1 (and its EL0) are AArch32 */

	r.illegal = illegal;
	if (!illegal) {
		r.target_el = el;
		r.spx = (m & 1) != 0;
		r.new_pstate = spsr;
		return r;
	}
	/*
	 * EL and SP are unchanged. exc_eret does not receive PSTATE.SP; an ERET runs in a
	 * handler on SP_ELx in every flow hypsim models, so SP is taken as SP_ELx.
	 */
	r.target_el = current_el;
	r.spx = true;
	r.new_pstate = (spsr & ~(PSTATE_M_MASK | PSTATE_NRW)) | PSTATE_IL |
	               ((uint64_t)current_el << PSTATE_EL_SHIFT) | PSTATE_SP;
	return r;
}

const char *exc_cause_name(enum exc_cause c)
{
	switch (c) {
	case EXC_CAUSE_SVC:
		return "svc";
	case EXC_CAUSE_HVC:
		return "hvc";
	case EXC_CAUSE_SMC:
		return "smc";
	case EXC_CAUSE_BRK:
		return "brk";
	case EXC_CAUSE_UNDEFINED:
		return "undefined";
	case EXC_CAUSE_INSN_ABORT:
		return "insn-abort";
	case EXC_CAUSE_DATA_ABORT:
		return "data-abort";
	case EXC_CAUSE_PC_ALIGN:
		return "pc-align";
	case EXC_CAUSE_SP_ALIGN:
		return "sp-align";
	case EXC_CAUSE_ILLEGAL_STATE:
		return "illegal-state";
	case EXC_CAUSE_SYSREG_TRAP:
		return "sysreg-trap";
	}
	return "unknown";
}

const char *exc_ec_name(unsigned ec)
{
	switch (ec) {
	case EC_UNKNOWN:
		return "Unknown reason";
	case EC_WFX:
		return "WFI/WFE";
	case EC_ILLEGAL_STATE:
		return "Illegal Execution state";
	case EC_SVC64:
		return "SVC (AArch64)";
	case EC_HVC64:
		return "HVC (AArch64)";
	case EC_SMC64:
		return "SMC (AArch64)";
	case EC_SYS64:
		return "MSR/MRS/System instruction (AArch64)";
	case EC_IABT_LOW:
		return "Instruction Abort from a lower EL";
	case EC_IABT_CUR:
		return "Instruction Abort, same EL";
	case EC_PC_ALIGN:
		return "PC alignment fault";
	case EC_DABT_LOW:
		return "Data Abort from a lower EL";
	case EC_DABT_CUR:
		return "Data Abort, same EL";
	case EC_SP_ALIGN:
		return "SP alignment fault";
	case EC_SERROR:
		return "SError interrupt";
	case EC_BRK64:
		return "BRK (AArch64)";
	}
	return "reserved/unmodelled EC";
}
