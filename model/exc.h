/*
 * exc.h - AArch64 exception entry and return, the pure parts (Arm ARM D1.10, D1.11).
 *
 * Models: the choice of target EL for synchronous exceptions the simulator takes (SVC,
 * HVC, BRK, undefined instruction, instruction/data aborts, PC/SP alignment), the ESR_ELx
 * value (EC, IL, ISS incl. DFSC/IFSC, WnR, CM, S1PTW), the vector offset (D1.10.2: current
 * EL with SP0 / SPx, lower EL AArch64 / AArch32), and the PSTATE/SPSR transfer of entry and
 * ERET. Does not model: AArch32 lower ELs, SError/IRQ/FIQ generation (the offsets are
 * computed), FEAT_PAN/UAO/SSBS/BTI PSTATE bits, MDCR_EL2.TDE routing; of stage 2 faults
 * only their routing to EL2 and their ESR (the walk and HPFAR_EL2 are s2.h's).
 * Pure: the simulator applies the result to the CPU.
 */
#ifndef HYPSIM_MODEL_EXC_H
#define HYPSIM_MODEL_EXC_H

#include <stdbool.h>
#include <stdint.h>

#include "pt.h"

enum exc_kind {
	EXC_SYNC = 0,
	EXC_IRQ = 1,
	EXC_FIQ = 2,
	EXC_SERROR = 3,
};

/* What the simulator observed, in the architecture's terms. */
enum exc_cause {
	EXC_CAUSE_SVC,
	EXC_CAUSE_HVC,
	EXC_CAUSE_SMC, /* taken to EL3 only when not emulated as firmware */
	EXC_CAUSE_BRK,
	EXC_CAUSE_UNDEFINED,
	EXC_CAUSE_INSN_ABORT,
	EXC_CAUSE_DATA_ABORT,
	EXC_CAUSE_PC_ALIGN,
	EXC_CAUSE_SP_ALIGN,
	/* An instruction executed with PSTATE.IL set, after an illegal exception return
	 * (D1.11.3, D1.11.4 "Illegal Execution state"): EC 0x0e, ISS RES0. */
	EXC_CAUSE_ILLEGAL_STATE,
	/* An MSR/MRS trapped by a control register (e.g. CNTKCTL_EL1, CNTHCTL_EL2): EC 0x18,
	 * ISS from exc_sysreg_iss(), taken to at least exc_info.trap_el (D13.x traps). */
	EXC_CAUSE_SYSREG_TRAP,
};

struct exc_info {
	enum exc_cause cause;
	unsigned from_el;    /* EL the exception was taken from */
	uint16_t imm16;	     /* SVC/HVC/SMC/BRK immediate */
	struct fault fault;  /* aborts */
	bool write;	     /* data abort: WnR */
	bool cache_maint;    /* data abort caused by DC/IC/AT: CM=1 and WnR=1 (D17.2.37) */
	bool stage2;	     /* aborts: a stage 2 fault of the EL1&0 regime, taken to EL2 (D8.x
			        "Stage 2 fault"; HPFAR_EL2 is the caller's to write) */
	bool s1ptw;	     /* stage 2 fault on a stage 1 walk */
	uint64_t ipa;	     /* stage 2 aborts: the faulting IPA, for HPFAR_EL2 */
	uint64_t far;	     /* faulting VA for aborts and PC alignment */
	bool far_valid;
	bool il32;	     /* instruction length: 32-bit (always, for A64) */
	uint32_t iss;	     /* EXC_CAUSE_SYSREG_TRAP: the ISS (exc_sysreg_iss) */
	bool insn_valid;     /* data aborts: insn is the A64 instruction that faulted */
	uint32_t insn;
	unsigned trap_el;    /* EXC_CAUSE_SYSREG_TRAP: the EL the trap control sends it to */
};

/* CPU state the entry computation needs (all before the exception). */
struct exc_cpu {
	uint64_t pstate;     /* as SPSR would encode it: NZCV, DAIF, M[3:0] incl. SPSel */
	uint64_t pc;	     /* preferred return address, already chosen by the caller */
	uint64_t hcr_el2;
	uint64_t vbar_el1, vbar_el2;
};

struct exc_entry {
	unsigned target_el;
	uint64_t esr;
	uint64_t elr;
	uint64_t spsr;
	uint64_t far;	     /* only meaningful when far_valid */
	bool far_valid;
	uint64_t vector;     /* VBAR_ELx + offset */
	uint64_t new_pstate; /* ELxh, DAIF all set, NZCV kept in SPSR */
};

/* Target EL of a synchronous exception from from_el (D1.10.1, HCR_EL2.TGE considered). */
unsigned exc_target_el(enum exc_cause cause, unsigned from_el, uint64_t hcr_el2);

/*
 * ISS[24:14] of a Data Abort's instruction syndrome (ISV=1, SAS, SSE, SRT, SF, AR) for the
 * A64 instructions the Arm ARM gives one for (ESR_ELx, ISS encoding for a Data Abort, ISV:
 * loads and stores of a single general-purpose register, Acquire/Release ones included,
 * neither exclusive nor with writeback), 0 for every other instruction.
 */
uint32_t exc_dabt_insn_syndrome(uint32_t enc);

/* ESR_ELx for the exception when taken to target_el. A Data Abort taken to EL2 for a stage 2
 * fault that is not on a stage 1 walk carries exc_dabt_insn_syndrome of its instruction. */
uint64_t exc_esr(const struct exc_info *info, unsigned target_el);

/* Fault status code (DFSC/IFSC, ISS[5:0]) for a fault. */
uint32_t exc_fsc(struct fault f);

/* Vector offset from VBAR_ELx (D1.10.2 Table D1-7). */
uint64_t exc_vector_offset(enum exc_kind kind, unsigned from_el, unsigned target_el,
			   bool from_spx, bool lower_aarch64);

/* ISS of a trapped MSR/MRS (D17.2.37, EC 0x18): Op0 [21:20], Op2 [19:17], Op1 [16:14],
 * CRn [13:10], Rt [9:5], CRm [4:1], Direction [0] (1: MRS, a read). */
uint32_t exc_sysreg_iss(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2,
			unsigned rt, bool read);

/* Full synchronous entry computation. */
struct exc_entry exc_take(const struct exc_info *info, const struct exc_cpu *cpu);

/* ERET: the PSTATE restored from spsr, and whether the return is legal (D1.11.3). */
struct eret_result {
	bool illegal;	     /* illegal return: PSTATE.IL set, EL unchanged */
	unsigned target_el;
	bool spx;
	uint64_t new_pstate;
};
struct eret_result exc_eret(uint64_t spsr, unsigned current_el, uint64_t hcr_el2);

/* Short names, also the `cause` vocabulary of hypsim traces (docs/trace-format.md). */
const char *exc_cause_name(enum exc_cause c);
const char *exc_ec_name(unsigned ec);

#endif /* HYPSIM_MODEL_EXC_H */
