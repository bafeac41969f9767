/*
 * cpu.c - Unicorn 2.0.1 CPU glue. Every fact used here was measured on Debian 12's
 * libunicorn 2.0.1 (UNICORN-2.0.1.md, and /tmp experiments when this was written):
 *  - SCR_EL3 = NS|HCE|RW, PSTATE = EL2h, then an ERET at EL2 is the only way to make the
 *    translator generate EL2 code; a PSTATE write alone leaves the cached EL flags stale.
 *  - Unicorn translates that ERET with the EL it cached (it reads ELR_EL1 when the flags
 *    still say EL1) but checks the return with PSTATE's EL: so ELR_EL1 and ELR_EL2 both
 *    hold the target during the ERET and are restored afterwards.
 *  - A PSTATE write does not swap the banked stack pointers: the ERET then saves the live
 *    SP into the wrong bank, so the banks are read before and rewritten after.
 *  - The ERET is fetched under the current regime: that regime's MMU is switched off for
 *    that one instruction (a raw host write of SCTLR, undone after), and Unicorn's TLB is
 *    flushed around it so that no translation made in between survives.
 */
#include "engine/cpu.h"

#include <inttypes.h>
#include <stdio.h>

#include "arch.h"
#include "engine/sim.h"

#define SR(n, a, b, c, d, e, t, x) [CSR_##n] = {#n, a, b, c, d, e, t, x}
const struct cpu_sysreg_desc cpu_sysregs[CSR_COUNT] = {
    SR(SCTLR_EL1, 3, 0, 1, 0, 0, true, true),
    SR(SCTLR_EL2, 3, 4, 1, 0, 0, true, true),
    SR(TTBR0_EL1, 3, 0, 2, 0, 0, true, true),
    SR(TTBR1_EL1, 3, 0, 2, 0, 1, true, true),
    SR(TTBR0_EL2, 3, 4, 2, 0, 0, true, true),
    SR(TCR_EL1, 3, 0, 2, 0, 2, true, true),
    SR(TCR_EL2, 3, 4, 2, 0, 2, true, true),
    SR(MAIR_EL1, 3, 0, 10, 2, 0, true, true),
    SR(MAIR_EL2, 3, 4, 10, 2, 0, true, true),
    SR(VBAR_EL1, 3, 0, 12, 0, 0, true, false),
    SR(VBAR_EL2, 3, 4, 12, 0, 0, true, false),
    SR(HCR_EL2, 3, 4, 1, 1, 0, true, true),
    SR(SPSR_EL1, 3, 0, 4, 0, 0, true, false),
    SR(SPSR_EL2, 3, 4, 4, 0, 0, true, false),
    SR(ELR_EL1, 3, 0, 4, 0, 1, true, false),
    SR(ELR_EL2, 3, 4, 4, 0, 1, true, false),
    SR(ESR_EL1, 3, 0, 5, 2, 0, false, false),
    SR(ESR_EL2, 3, 4, 5, 2, 0, false, false),
    SR(FAR_EL1, 3, 0, 6, 0, 0, false, false),
    SR(FAR_EL2, 3, 4, 6, 0, 0, false, false),
    SR(VTCR_EL2, 3, 4, 2, 1, 2, true, true),
    SR(VTTBR_EL2, 3, 4, 2, 1, 0, true, true),
    SR(HPFAR_EL2, 3, 4, 6, 0, 4, false, false),
    SR(SCR_EL3, 3, 6, 1, 1, 0, false, false),
    SR(CTR_EL0, 3, 3, 0, 0, 1, false, false),
    SR(ID_AA64MMFR0_EL1, 3, 0, 0, 7, 0, false, false),
    SR(MPIDR_EL1, 3, 0, 0, 0, 5, false, false),
    SR(VMPIDR_EL2, 3, 4, 0, 0, 5, false, false),
    SR(ID_AA64PFR0_EL1, 3, 0, 0, 4, 0, false, false),
    SR(ID_PFR1_EL1, 3, 0, 0, 1, 1, false, false),
    SR(ID_DFR0_EL1, 3, 0, 0, 1, 2, false, false),
};
#undef SR

enum cpu_sysreg cpu_sysreg_find(unsigned op0, unsigned op1, unsigned crn, unsigned crm,
                                unsigned op2)
{
	for (int i = 0; i < CSR_COUNT; i++) {
		const struct cpu_sysreg_desc *d = &cpu_sysregs[i];
		if (d->op0 == op0 && d->op1 == op1 && d->crn == crn && d->crm == crm &&
		    d->op2 == op2)
			return (enum cpu_sysreg)i;
	}
	return CSR_COUNT;
}

static int cp_access(struct sim *s, bool write, unsigned op0, unsigned op1, unsigned crn,
                     unsigned crm, unsigned op2, uint64_t *v)
{
	uc_arm64_cp_reg cp = {.crn = crn, .crm = crm, .op0 = op0, .op1 = op1, .op2 = op2};
	uc_err e;
	if (write) {
		cp.val = *v;
		e = uc_reg_write(s->uc, UC_ARM64_REG_CP_REG, &cp);
	} else {
		e = uc_reg_read(s->uc, UC_ARM64_REG_CP_REG, &cp);
		*v = cp.val;
	}
	return e == UC_ERR_OK ? 0 : -1;
}

uint64_t cpu_read_sysreg(struct sim *s, enum cpu_sysreg r)
{
	const struct cpu_sysreg_desc *d = &cpu_sysregs[r];
	uint64_t v = 0;
	int rc = cp_access(s, false, d->op0, d->op1, d->crn, d->crm, d->op2, &v);
	/* Every register of the table is implemented by all of Unicorn's A64 CPU models. */
	if (rc)
		fprintf(stderr, "sim: internal: cannot read %s through Unicorn\n", d->name);
	return v;
}

int cpu_write_sysreg(struct sim *s, enum cpu_sysreg r, uint64_t v)
{
	const struct cpu_sysreg_desc *d = &cpu_sysregs[r];
	if (cp_access(s, true, d->op0, d->op1, d->crn, d->crm, d->op2, &v)) {
		snprintf(s->fatal, sizeof(s->fatal), "unicorn: cannot write %s", d->name);
		return -1;
	}
	return 0;
}

uint64_t cpu_reg(struct sim *s, int uc_reg)
{
	uint64_t v = 0;
	uc_reg_read(s->uc, uc_reg, &v);
	return v;
}

void cpu_set_reg(struct sim *s, int uc_reg, uint64_t v)
{
	uc_reg_write(s->uc, uc_reg, &v);
}

uint64_t cpu_pstate(struct sim *s)
{
	return cpu_reg(s, UC_ARM64_REG_PSTATE);
}

unsigned cpu_el(struct sim *s)
{
	/* Not CurrentEL through CP_REG: that read aborts Unicorn 2.0.1 (raw_read assert). */
	return (unsigned)FIELD_GET(cpu_pstate(s), PSTATE_EL_SHIFT, 2);
}

void cpu_flush_tlb(struct sim *s)
{
	uint64_t zero = 0;
	/* The instruction pages may translate elsewhere now (mmu_fetch_forget). */
	s->fetch_valid = false;
	s->fetch_gen++;
	s->win_mmu = 0; /* mmu_hook_mem's view of the tables (mmu_window_forget) */
	s->win_gen++;
	cp_access(s, true, 1, 4, 8, 7, 0, &zero); /* TLBI ALLE2 */
	cp_access(s, true, 1, 4, 8, 7, 4, &zero); /* TLBI ALLE1 */
}

/* Stack pointer bank selected by a PSTATE value (D1.6.2: SP_EL0 for ELxt). */
static unsigned sp_bank(uint64_t pstate)
{
	return (pstate & PSTATE_SP) ? (unsigned)FIELD_GET(pstate, PSTATE_EL_SHIFT, 2) : 0;
}

static const int sp_regs[3] = {UC_ARM64_REG_SP_EL0, UC_ARM64_REG_SP_EL1, UC_ARM64_REG_SP_EL2};

/*
 * Unicorn translates with the flags of the EL it had at the last ERET; at EL0 the scratch
 * ERET below would be UNDEFINED, and no host call rebuilds those flags (only a context
 * restore brings others back). So the CPU's state saved at the ERET that entered EL0
 * (hooks.c, eret_to_el0), whose flags are its EL's, is restored, with what EL0 can have
 * changed since carried over: the general registers, SP_EL0, NZCV, the FP/SIMD
 * registers, FPCR/FPSR and TPIDR_EL0 (the system registers of EL1 and EL2 can change
 * only through an exception, which hypsim enters through here). PSTATE is the saved one's
 * (EL1h or EL2h): the caller computed the entry from EL0's before.
 */
static int xreg(int i)
{
	/* X0..X28 are consecutive ids; X29 and X30 are not (unicorn/arm64.h). */
	return i <= 28 ? UC_ARM64_REG_X0 + i : i == 29 ? UC_ARM64_REG_X29 : UC_ARM64_REG_X30;
}

static int leave_el0(struct sim *s)
{
	uc_context *saved = s->cpus[s->cpu].eret_ctx;
	if (!saved) {
		snprintf(s->fatal, sizeof(s->fatal), "internal: at EL0 without an ERET to EL0");
		return -1;
	}
	static const int one[] = {UC_ARM64_REG_SP_EL0, UC_ARM64_REG_NZCV, UC_ARM64_REG_FPCR,
	                          UC_ARM64_REG_FPSR, UC_ARM64_REG_TPIDR_EL0};
	uint64_t x[31], v[5];
	uint8_t q[32][16];
	for (int i = 0; i < 31; i++)
		x[i] = cpu_reg(s, xreg(i));
	for (int i = 0; i < 5; i++)
		v[i] = cpu_reg(s, one[i]);
	for (int i = 0; i < 32; i++)
		uc_reg_read(s->uc, UC_ARM64_REG_Q0 + i, q[i]);
	if (uc_context_restore(s->uc, saved) != UC_ERR_OK) {
		snprintf(s->fatal, sizeof(s->fatal), "unicorn: cannot restore the context of EL0's ERET");
		return -1;
	}
	for (int i = 0; i < 31; i++)
		cpu_set_reg(s, xreg(i), x[i]);
	for (int i = 0; i < 5; i++)
		cpu_set_reg(s, one[i], v[i]);
	for (int i = 0; i < 32; i++)
		uc_reg_write(s->uc, UC_ARM64_REG_Q0 + i, q[i]);
	return 0;
}

int cpu_enter(struct sim *s, uint64_t pstate, uint64_t pc)
{
	static const uint32_t eret = 0xd69f03e0; /* eret */
	if (FIELD_GET(cpu_pstate(s), PSTATE_EL_SHIFT, 2) == 0 && leave_el0(s))
		return -1;
	uint64_t old = cpu_pstate(s);
	uint64_t sp[3];
	for (int i = 0; i < 3; i++)
		sp[i] = cpu_reg(s, sp_regs[i]);
	sp[sp_bank(old)] = cpu_reg(s, UC_ARM64_REG_SP);

	enum cpu_sysreg sctlr =
	    FIELD_GET(old, PSTATE_EL_SHIFT, 2) == 2 ? CSR_SCTLR_EL2 : CSR_SCTLR_EL1;
	uint64_t sctlr_v = cpu_read_sysreg(s, sctlr);
	uint64_t elr1 = cpu_read_sysreg(s, CSR_ELR_EL1), elr2 = cpu_read_sysreg(s, CSR_ELR_EL2);
	uint64_t spsr2 = cpu_read_sysreg(s, CSR_SPSR_EL2);

	/* A page outside RAM and the UART that no placeholder uses right now: the guest
	 * never runs while it is mapped. */
	static const uint64_t scratch[] = {0x1000, 0x7ff000, 0x3ffff000, 0xfffff000, 0xfffffff000};
	bool mapped = false;
	for (size_t i = 0; !mapped && i < sizeof(scratch) / sizeof(scratch[0]); i++) {
		s->scratch_pa = scratch[i];
		mapped = uc_mem_map(s->uc, s->scratch_pa, 0x1000, UC_PROT_ALL) == UC_ERR_OK;
	}
	if (!mapped || uc_mem_write(s->uc, s->scratch_pa, &eret, sizeof(eret)) != UC_ERR_OK) {
		snprintf(s->fatal, sizeof(s->fatal), "unicorn: cannot map a scratch page");
		return -1;
	}
	/* The translator keeps the old EL's flags until the ERET (a PSTATE write does not
	 * rebuild them): from EL1/EL0 the scratch page is fetched in the EL1&0 regime, whose
	 * stage 2 (HCR_EL2.VM) may not map it (pKVM's host stage 2 maps only what the host
	 * touched): stage 2 is off too until the ERET has run. */
	uint64_t hcr = cpu_read_sysreg(s, CSR_HCR_EL2);
	int rc = 0;
	if (sctlr_v & SCTLR_ELx_M)
		rc |= cpu_write_sysreg(s, sctlr, sctlr_v & ~SCTLR_ELx_M);
	if (hcr & HCR_EL2_VM)
		rc |= cpu_write_sysreg(s, CSR_HCR_EL2, hcr & ~HCR_EL2_VM);
	cpu_flush_tlb(s);
	cpu_set_reg(s, UC_ARM64_REG_PSTATE, (old & ~UINT64_C(0xf)) | PSTATE_M_EL2H);
	rc |= cpu_write_sysreg(s, CSR_SPSR_EL2, pstate);
	rc |= cpu_write_sysreg(s, CSR_ELR_EL1, pc);
	rc |= cpu_write_sysreg(s, CSR_ELR_EL2, pc);
	/* Not uc_emu_start's `count`: on 2.0.1 it makes the process touch 1 GiB (measured:
	 * 11 MB -> 1 GB peak RSS, 0.2-5 s). hook_block stops Unicorn at the first block
	 * after the ERET, before it runs; `until` = pc covers a target already translated. */
	s->host_op = true;
	uc_err e = rc ? UC_ERR_OK : uc_emu_start(s->uc, s->scratch_pa, pc, 0, 0);
	s->host_op = false;
	/* Unicorn translated a block at `until` = pc that only halts (translate-a64.c: an exit
	 * address becomes a WFI) and drops it afterwards through the byte before it (cpus.c,
	 * uc_exit_invalidate_iter: exit - 1). When pc starts a region (the RAM base, a
	 * placeholder), that byte is unmapped, nothing is dropped, and the guest's first block
	 * there would halt at once (issue 14 defect 4). Drop it here, under the regime it was
	 * translated in (the SCTLR write below is not undone yet). */
	if (!rc) {
		/* Its lookup of pc may meet a VA with no region: the unmapped hook then
		 * records a stop that belongs to nobody. */
		enum stop_kind stop = s->stop;
		struct pending_abort abort = s->abort;
		uc_ctl_remove_cache(s->uc, pc, pc + 4);
		s->stop = stop;
		s->abort = abort;
	}
	cpu_set_reg(s, UC_ARM64_REG_PC, pc); /* a stop in a block hook leaves PC stale */
	rc |= cpu_write_sysreg(s, sctlr, sctlr_v);
	if (hcr & HCR_EL2_VM)
		rc |= cpu_write_sysreg(s, CSR_HCR_EL2, hcr);
	rc |= cpu_write_sysreg(s, CSR_ELR_EL1, elr1);
	rc |= cpu_write_sysreg(s, CSR_ELR_EL2, elr2);
	rc |= cpu_write_sysreg(s, CSR_SPSR_EL2, spsr2);
	cpu_flush_tlb(s);
	uc_mem_unmap(s->uc, s->scratch_pa, 0x1000);
	for (int i = 0; i < 3; i++)
		cpu_set_reg(s, sp_regs[i], sp[i]);
	cpu_set_reg(s, UC_ARM64_REG_SP, sp[sp_bank(pstate)]);

	uint64_t now = cpu_pstate(s);
	if (rc || e != UC_ERR_OK || (now & 0x3cf) != (pstate & 0x3cf)) {
		snprintf(s->fatal, sizeof(s->fatal),
		         "unicorn: entering PSTATE 0x%" PRIx64 " at 0x%" PRIx64
		         " failed (%s, PSTATE 0x%" PRIx64 ")",
		         pstate, pc, uc_strerror(e), now);
		return -1;
	}
	s->el = (unsigned)FIELD_GET(pstate, PSTATE_EL_SHIFT, 2);
	return 0;
}

uint64_t cpu_mpidr(unsigned cpu)
{
	/* Aff0 = the CPU's index, Aff1..3 = 0; bit 31 RES1; U (bit 30) = 0: a multiprocessor
	 * system (what Unicorn 2.0.1 reads for its one CPU: 0x80000000, measured). */
	return UINT64_C(0x80000000) | cpu;
}

int cpu_boot(struct sim *s, uint64_t entry, uint64_t context_id)
{
	/* EL3 exists only as the PSCI firmware hypsim plays: non-secure, EL2 enabled,
	 * lower ELs AArch64. The UNKNOWN reset values get the ones DESIGN §2 defines. */
	static const struct {
		enum cpu_sysreg r;
		uint64_t v;
	} reset[] = {
	    {CSR_SCR_EL3, 0x501},
	    {CSR_SCTLR_EL2, SCTLR_EL2_BOOT},
	    {CSR_SCTLR_EL1, SCTLR_EL1_BOOT},
	    {CSR_HCR_EL2, 0},
	    {CSR_TTBR0_EL2, 0},
	    {CSR_TTBR0_EL1, 0},
	    {CSR_TTBR1_EL1, 0},
	    {CSR_TCR_EL2, 0},
	    {CSR_TCR_EL1, 0},
	    {CSR_MAIR_EL2, 0},
	    {CSR_MAIR_EL1, 0},
	    {CSR_VBAR_EL2, 0},
	    {CSR_VBAR_EL1, 0},
	};
	for (size_t i = 0; i < sizeof(reset) / sizeof(reset[0]); i++)
		if (cpu_write_sysreg(s, reset[i].r, reset[i].v))
			return -1;
	/* What EL1 reads as MPIDR_EL1 (D17.2: VMPIDR_EL2 while EL2 is enabled): the CPU's own
	 * MPIDR, as QEMU resets it. Unicorn has one MPIDR for every context: EL2 reads of
	 * other CPUs are answered by hooks.c's MRS hook. */
	if (s->cpu && cpu_write_sysreg(s, CSR_VMPIDR_EL2, cpu_mpidr(s->cpu)))
		return -1;
	/* Linux arm64 boot protocol: EL2h, DAIF masked, x0..x3 = 0; PSCI CPU_ON: x0 = the
	 * context id (DEN0022 §6.4.3), the other registers as at reset. */
	if (cpu_enter(s, PSTATE_DAIF | PSTATE_M_EL2H, entry))
		return -1;
	if (s->cpu)
		cpu_set_reg(s, UC_ARM64_REG_X0, context_id);
	else if (s->img.entry_x0) /* a Linux Image: x0 = its DTB's PA (booting.rst §4) */
		cpu_set_reg(s, UC_ARM64_REG_X0, s->img.entry_x0);
	return 0;
}
