/*
 * cpu_features.h - the CPU hypsim's machine presents, as one value (STYLE 6): what the
 * guest reads in the ID registers and what the engine and the model are configured with
 * come from the same struct cpu_features, so a program that reads the ID registers is told
 * the machine it runs on (DESIGN §2 "ID registers describe this machine").
 *
 * The base is the CPU Unicorn 2.0.1 emulates, a Cortex-A72 (QEMU's `-cpu cortex-a72`); the
 * description changes only what hypsim's machine really differs in:
 *  - EL3 is not implemented (QEMU virt with secure=off: the PSCI firmware is hypsim
 *    itself): ID_AA64PFR0_EL1.EL3 = 0 and the AArch32 view ID_PFR1_EL1.Security = 0, the
 *    two fields QEMU clears when has_el3 is false (target/arm/cpu.c, arm_cpu_realizefn).
 *  - The 16 KiB granule is implemented: Unicorn's walker and the model (model/pt.c) both
 *    walk TG0/TG1 = 16K as 16K, so ID_AA64MMFR0_EL1.TGran16 says so (the A72's own value,
 *    0 "not implemented", would describe a CPU that walks it as 4K, as QEMU 7.2 does).
 *  - PA size: 44 bits (PARange 4), Unicorn's and the A72's; RAM lies below it
 *    (machine.h, MACH_PA_BITS). The model (model_cfg.pa_bits, in a trace's header) and
 *    hypsim's walker cap TCR.PS/IPS at it: an output address beyond it, or a PA beyond it
 *    with the MMU off, is an Address size fault.
 *  - No FEAT_ETS (the A72 has none): the model's "no ISB after DSB" rules apply.
 * Not described here (the A72's values stand): AArch32 at EL0/EL1 (hypsim ends a run that
 * enters it), caches (CTR_EL0), debug, SIMD/FP.
 */
#ifndef HYPSIM_MACHINE_CPU_FEATURES_H
#define HYPSIM_MACHINE_CPU_FEATURES_H

#include <stdbool.h>
#include <stdint.h>

/* The Cortex-A72's PA size (its TRM: ID_AA64MMFR0_EL1.PARange = 0b0100), which Unicorn's
 * A72 reports too. Traces written before their header recorded model.pa_bits ran on it. */
#define CPU_A72_PA_BITS 44

struct cpu_features {
	bool el2;         /* EL2 implemented (AArch64 only) */
	bool el3;         /* EL3 implemented */
	unsigned pa_bits; /* implemented physical address size: 32, 36, 40, 42, 44, 48 or 52 */
	bool tgran4, tgran16, tgran64; /* translation granules implemented (stage 1) */
	bool feat_ets;                 /* FEAT_ETS */
};

/* The machine hypsim presents (above). */
struct cpu_features cpu_features_hypsim(void);

/* The ID registers the description decides, by their MRS encoding. */
enum cpu_id_reg {
	CPU_ID_NONE = 0,
	CPU_ID_AA64PFR0_EL1,  /* op0 3, op1 0, CRn 0, CRm 4, op2 0 */
	CPU_ID_AA64MMFR0_EL1, /* 3, 0, 0, 7, 0 */
	CPU_ID_PFR1_EL1,      /* 3, 0, 0, 1, 1: AArch32 ID_PFR1 */
	CPU_ID_DFR0_EL1,      /* 3, 0, 0, 1, 2: AArch32 ID_DFR0 (the last: arrays size by it) */
};

enum cpu_id_reg cpu_id_reg_decode(unsigned op0, unsigned op1, unsigned crn, unsigned crm,
                                  unsigned op2);

/*
 * The value the guest reads from reg: base (what the emulated CPU reports) with the fields
 * the description decides replaced: ID_AA64PFR0_EL1.EL3 [15:12] and EL2 [11:8] (0 or 1
 * "AArch64 only"; the A72's 2 "AArch64 and AArch32" for EL2 is kept when present),
 * ID_PFR1_EL1.Security [7:4], ID_DFR0_EL1.CopSDbg [7:4] (0 without EL3), ID_AA64MMFR0_EL1.PARange [3:0] and TGran4 [31:28],
 * TGran64 [27:24], TGran16 [23:20] (Arm ARM D17.2.x: TGran4/64 0 = implemented, 0xf = not;
 * TGran16 1 = implemented, 0 = not).
 */
uint64_t cpu_id_value(const struct cpu_features *f, enum cpu_id_reg reg, uint64_t base);

/* PARange encoding of a PA size (D17.2.64), or -1 for a size the architecture has none for. */
int cpu_parange_of(unsigned pa_bits);

#endif /* HYPSIM_MACHINE_CPU_FEATURES_H */
