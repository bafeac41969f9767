/*
 * cpu.h - hypsim's glue to Unicorn 2.0.1's AArch64 CPU (facts measured in
 * UNICORN-2.0.1.md): system register access through UC_ARM64_REG_CP_REG, the EL of
 * PSTATE, and the one way to change Exception level from the host (an ERET executed in a
 * scratch page, since a PSTATE write does not rebuild Unicorn's cached EL flags).
 */
#ifndef HYPSIM_SIM_CPU_H
#define HYPSIM_SIM_CPU_H

#include <stdbool.h>
#include <stdint.h>
#include <unicorn/unicorn.h>

struct sim;

/* System registers hypsim reads, writes or traces, by their MSR/MRS encoding. */
enum cpu_sysreg {
	CSR_SCTLR_EL1,
	CSR_SCTLR_EL2,
	CSR_TTBR0_EL1,
	CSR_TTBR1_EL1,
	CSR_TTBR0_EL2,
	CSR_TCR_EL1,
	CSR_TCR_EL2,
	CSR_MAIR_EL1,
	CSR_MAIR_EL2,
	CSR_VBAR_EL1,
	CSR_VBAR_EL2,
	CSR_HCR_EL2,
	CSR_SPSR_EL1,
	CSR_SPSR_EL2,
	CSR_ELR_EL1,
	CSR_ELR_EL2,
	CSR_ESR_EL1,
	CSR_ESR_EL2,
	CSR_FAR_EL1,
	CSR_FAR_EL2,
	CSR_VTCR_EL2,
	CSR_VTTBR_EL2,
	CSR_HPFAR_EL2,
	CSR_SCR_EL3,
	CSR_CTR_EL0,
	CSR_ID_AA64MMFR0_EL1,
	CSR_MPIDR_EL1,
	CSR_VMPIDR_EL2,
	CSR_ID_AA64PFR0_EL1,
	CSR_ID_PFR1_EL1,
	CSR_ID_DFR0_EL1,
	CSR_COUNT
};

struct cpu_sysreg_desc {
	const char *name;
	uint8_t op0, op1, crn, crm, op2;
	bool traced;      /* a `sysreg` trace event on every guest write (DESIGN §4) */
	bool translation; /* a write can change how VAs translate (placeholders, mmu.c) */
};

extern const struct cpu_sysreg_desc cpu_sysregs[CSR_COUNT];

/* The register an MSR/SYS encoding names, or CSR_COUNT. */
enum cpu_sysreg cpu_sysreg_find(unsigned op0, unsigned op1, unsigned crn, unsigned crm,
                                unsigned op2);

uint64_t cpu_read_sysreg(struct sim *s, enum cpu_sysreg r);
int cpu_write_sysreg(struct sim *s, enum cpu_sysreg r, uint64_t v);

uint64_t cpu_reg(struct sim *s, int uc_reg);
void cpu_set_reg(struct sim *s, int uc_reg, uint64_t v);

/* PSTATE as SPSR encodes it (NZCV, DAIF, M[3:0]), and its EL. */
uint64_t cpu_pstate(struct sim *s);
unsigned cpu_el(struct sim *s);

/* Drop every translation Unicorn caches (host write of TLBI ALLE2 and ALLE1). */
void cpu_flush_tlb(struct sim *s);

/*
 * Set PSTATE (EL, SPSel, DAIF, NZCV) to pstate and PC to pc, as an exception entry or a
 * reset would, keeping SP_EL0/SP_EL1/SP_EL2 banked correctly. Returns 0, or -1 with a
 * message in s->fatal.
 */
int cpu_enter(struct sim *s, uint64_t pstate, uint64_t pc);

/* MPIDR_EL1 of CPU cpu of hypsim's machine: Aff0 = cpu. */
uint64_t cpu_mpidr(unsigned cpu);

/*
 * Reset state of the running CPU, s->cpu (DESIGN §2 boot convention; for a CPU other than
 * CPU 0, Unicorn's own reset state first: sched.c restores it), then enter EL2h at entry with
 * x0 = context_id (PSCI CPU_ON; 0 for CPU 0 at boot).
 */
int cpu_boot(struct sim *s, uint64_t entry, uint64_t context_id);

#endif /* HYPSIM_SIM_CPU_H */
