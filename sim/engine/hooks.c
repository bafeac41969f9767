/*
 * hooks.c - the Unicorn machine of a run (RAM, the UART's MMIO, the hooks, each CPU's
 * context) and its hooks. The hooks are thin (STYLE 9): each turns Unicorn's arguments
 * into a model event (check/hazards.h) or a machine access (machine/machine.h), or records
 * in struct sim.stop why the run loop (run.c) must act, and returns.
 */
#include "engine/hooks.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "arch.h"
#include "engine/cpu.h"
#include "engine/devices.h"
#include "engine/hazards.h"
#include "engine/mmu.h"
#include "machine/machine.h"
#include "trace/trace.h"

/* The instruction at va (fetch permission, current regime); false if it cannot be read. */
bool hooks_read_insn(struct sim *s, uint64_t va, uint32_t *enc)
{
	const uint8_t *cached = mmu_fetch_cached(s, va, 4);
	if (cached) {
		memcpy(enc, cached, 4);
		return true;
	}
	return mmu_read_va(s, va, enc, 4, ACC_FETCH) == 0;
}

/* ---- hooks (thin: record and return) ---- */

/* The last instruction of the block [va, va + size) (0 if it cannot be read): whether it
 * ends with an ERET, a WFE or a YIELD. Read from the code at every block, not remembered:
 * code rewritten and translated again is judged on its new bytes, and the run's state holds
 * nothing derived from code it no longer runs (`sim campaign` compares states,
 * sim/campaign/rejoin.c). The read hits the cached instruction-page translation. */
static uint32_t block_last_insn(struct sim *s, uint64_t va, uint32_t size)
{
	uint32_t last = 0;
	if (size < 4 || !hooks_read_insn(s, va + size - 4, &last))
		return 0;
	return last;
}

/* A block that re-enters itself and does nothing else can never leave (no interrupt
 * sources exist on this machine): `b .`, or `1: wfe; b 1b`. Asked only when a block
 * re-enters itself; a loop doing work fails at its first instruction. */
static bool block_is_hang(struct sim *s, uint64_t va, uint32_t size)
{
	for (uint64_t off = 0; off + 4 <= size; off += 4) {
		uint32_t enc;
		if (!hooks_read_insn(s, va + off, &enc))
			return false;
		if (off + 4 == size) /* B imm26 back to the block's start */
			return (enc & 0xfc000000) == 0x14000000 &&
			       (int64_t)((int32_t)(enc << 6) >> 4) == -(int64_t)off;
		if (enc != ENC_WFE && enc != ENC_WFI && enc != ENC_NOP && enc != ENC_YIELD &&
		    enc != ENC_SEV_LOCAL)
			return false;
	}
	return false;
}

static void hook_block(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	struct sim *s = user;
	if (s->host_op) {
		/* hypsim's own ERET in the scratch page (cpu_enter): stop at the first block
		 * after it, before it runs. */
		if (addr != s->scratch_pa)
			uc_emu_stop(uc);
		return;
	}
	/* If this hook stops Unicorn, the block does not run, but the PC Unicorn reports may
	 * be stale (a chained branch does not write it back): the block's address is the PC. */
	s->block_stop_pc = addr;
	if (s->stop != STOP_NONE) {
		/* A stop requested in the previous block (a store to a live table, ...): this
		 * block does not run, so none of its events may reach the model. */
		s->blk_stopped = true;
		uc_emu_stop(uc);
		return;
	}
	if (s->prev_block_eret) {
		/* Unicorn took the ERET natively: regain control before the new EL runs. */
		s->prev_block_eret = false;
		s->blk_stopped = true;
		sim_request_stop(s, STOP_ERET);
		return;
	}
	if (s->prev_block_wfe) {
		/* The CPU waits for an event (WFE) or says it spins (YIELD): another CPU runs. */
		s->prev_block_wfe = false;
		if (s->can_yield) {
			s->blk_stopped = true;
			sim_request_stop(s, STOP_YIELD);
			return;
		}
	}
	if (devices_irq_due(s)) {
		/* An interrupt is taken before this block: the block's address is ELR. */
		s->blk_stopped = true;
		sim_request_stop(s, STOP_IRQ);
		return;
	}
	if (addr == s->prev_block_va && block_is_hang(s, addr, size)) {
		s->blk_stopped = true;
		sim_request_stop(s, STOP_HANG);
		return;
	}
	uint64_t n = size / 4;
	bool ends_eret, ends_wfe;
	if (s->until && s->until >= addr && s->until < addr + size) {
		/* The last stretch of the budget or slice: Unicorn stops at s->until inside this
		 * block. */
		n = (s->until - addr) / 4;
		ends_eret = ends_wfe = false;
	} else if (s->insn_limit && s->insns + n > s->insn_limit) {
		s->budget_stop_at = addr + 4 * (s->insn_limit - s->insns);
		s->blk_stopped = true;
		sim_request_stop(s, STOP_BUDGET);
		return;
	} else {
		uint32_t last = block_last_insn(s, addr, size);
		ends_eret = last == ENC_ERET;
		ends_wfe = last == ENC_WFE || last == ENC_YIELD;
	}
	s->insns += n;
	s->blk_va = addr;
	s->blk_size = (uint32_t)(4 * n);
	s->prev_block_va = addr;
	s->prev_block_eret = ends_eret;
	s->prev_block_wfe = ends_wfe;
}

static void hook_code(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	struct sim *s = user;
	(void)uc;
	(void)size;
	if (s->blk_stopped || s->host_op)
		return; /* the block hook stopped Unicorn: this instruction does not run */
	if (s->restart_pending) {
		s->restart_pending = false;
		if (addr == s->restart_pc && s->cpu == s->restart_cpu)
			return; /* its fetch reached the model before the access stopped */
	}
	uint32_t enc = 0;
	if (!hooks_read_insn(s, addr, &enc))
		return; /* Unicorn raises the abort */
	if (s->inj_hooks && s->inj_hooks->code(s, addr, &enc))
		return; /* dropped (inject.h): Unicorn continues after it, the model never sees it */
	check_fetch(s, addr, enc); /* also its `insn` trace event (session.c) */
}

static void hook_intr(uc_engine *uc, uint32_t intno, void *user)
{
	struct sim *s = user;
	if (s->host_op) {
		/* hypsim's own ERET (cpu_enter) reached a target whose fetch faults: stop, or
		 * Unicorn retries that fetch forever. The run loop then meets the fault. */
		uc_emu_stop(uc);
		return;
	}
	s->intno = intno;
	sim_request_stop(s, STOP_INTR);
}

/* Minimum EL that may write a register named by MSR op1 (D17.2: op1 0 -> EL1, 4 -> EL2). */
static unsigned msr_min_el(unsigned op1)
{
	return op1 == 4 ? 2 : op1 == 6 ? 3 : 1;
}

static uint32_t hook_msr(uc_engine *uc, uc_arm64_reg reg, const uc_arm64_cp_reg *cp, void *user)
{
	struct sim *s = user;
	(void)reg;
	enum cpu_sysreg r = cpu_sysreg_find(cp->op0, cp->op1, cp->crn, cp->crm, cp->op2);
	if (s->host_op || r == CSR_COUNT || s->el < msr_min_el(cp->op1))
		return 0; /* not ours, or UNDEFINED at this EL: Unicorn raises it */
	if (s->trace && cpu_sysregs[r].traced) {
		uint64_t pc = 0;
		char sym[64];
		uc_reg_read(uc, UC_ARM64_REG_PC, &pc);
		trace_sysreg(s->trace, s->cpu, pc, mmu_symbolize(s, pc, sym, sizeof(sym)), s->el,
		             cpu_sysregs[r].name, cpu_read_sysreg(s, r), cp->val);
	}
	if (!s->opt.no_check)
		check_msr(s, cp);
	if (r == CSR_HCR_EL2)
		devices_irq_recheck(s); /* VI/VF and the routing of interrupts */
	if (cpu_sysregs[r].translation)
		sim_request_stop(s, STOP_CONTEXT); /* Unicorn ends the block after an MSR */
	return 0;
}

/* MRS MPIDR_EL1 at EL2 on a CPU other than CPU 0 (--cpus > 1): Unicorn 2.0.1 has one
 * MPIDR for every context (measured), so hypsim answers with the CPU's own (D17.2 MPIDR_EL1;
 * EL1 reads VMPIDR_EL2, which each CPU's context holds). Returning 1 skips the MRS. */
static uint32_t hook_mrs(uc_engine *uc, uc_arm64_reg reg, const uc_arm64_cp_reg *cp, void *user)
{
	struct sim *s = user;
	if (s->host_op || !s->cpu || s->el < 2 ||
	    cpu_sysreg_find(cp->op0, cp->op1, cp->crn, cp->crm, cp->op2) != CSR_MPIDR_EL1)
		return 0;
	uint64_t v = cpu_mpidr(s->cpu);
	uc_reg_write(uc, reg, &v);
	return 1;
}

static uint32_t hook_sys(uc_engine *uc, uc_arm64_reg reg, const uc_arm64_cp_reg *cp, void *user)
{
	struct sim *s = user;
	(void)uc;
	(void)reg;
	if (s->host_op)
		return 0;
	if (!s->opt.no_check)
		check_sys(s, cp);
	if (cp->op0 == 1 && cp->crn == 8) /* TLBI: the guest says the tables changed */
		sim_request_stop(s, STOP_CONTEXT);
	return 0;
}

void hooks_uart_flush_line(struct sim *s)
{
	devices_uart_flush_line(s);
}

/* ---- the machine the hooks are added to ---- */

int hooks_machine_setup(struct sim *s)
{
	uc_err e = uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &s->uc);
	if (e != UC_ERR_OK) {
		snprintf(s->fatal, sizeof(s->fatal), "unicorn: %s", uc_strerror(e));
		s->uc = NULL;
		return -1;
	}
	/* Before any other call (UNICORN-2.0.1.md): the CPU QEMU's peer run uses too. Every
	 * A64 model of Unicorn 2.0.1 (A57, A53, A72, max) reports PARange <= 44 bits
	 * (measured), hence MACH_PA_BITS. */
	uc_ctl_set_cpu_model(s->uc, UC_CPU_ARM64_A72);
	s->ram =
	    mmap(NULL, s->opt.ram_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s->ram == MAP_FAILED) {
		s->ram = NULL;
		snprintf(s->fatal, sizeof(s->fatal), "cannot allocate %" PRIu64 " bytes of RAM",
		         s->opt.ram_size);
		return -1;
	}
	e = uc_mem_map_ptr(s->uc, s->opt.ram_base, s->opt.ram_size, UC_PROT_ALL, s->ram);
	if (e == UC_ERR_OK)
		e = devices_setup(s);
	uc_hook h;
	if (e == UC_ERR_OK)
		e = uc_hook_add(s->uc, &h, UC_HOOK_BLOCK, (void *)hook_block, s, 1, 0);
	/* Every instruction is a fetch event for the model (hazards.c). --no-check (tools/bench)
	 * leaves out this hook and the memory hooks: what remains is the machine (PSCI, UART,
	 * exception entry, placeholder VAs, the instruction budget and hang detection). */
	if (e == UC_ERR_OK && !s->opt.no_check)
		e = uc_hook_add(s->uc, &h, UC_HOOK_CODE, (void *)hook_code, s, 1, 0);
	if (e == UC_ERR_OK)
		e = uc_hook_add(s->uc, &h, UC_HOOK_INTR, (void *)hook_intr, s, 1, 0);
	if (e == UC_ERR_OK)
		e = uc_hook_add(s->uc, &h, UC_HOOK_INSN, (void *)hook_msr, s, 1, 0,
		                UC_ARM64_INS_MSR);
	if (e == UC_ERR_OK)
		e = uc_hook_add(s->uc, &h, UC_HOOK_INSN, (void *)hook_sys, s, 1, 0,
		                UC_ARM64_INS_SYS);
	if (e == UC_ERR_OK)
		e = uc_hook_add(s->uc, &h, UC_HOOK_MEM_UNMAPPED, (void *)mmu_hook_unmapped, s, 1,
		                0);
	if (e == UC_ERR_OK && s->ncpus > 1)
		e = uc_hook_add(s->uc, &h, UC_HOOK_INSN, (void *)hook_mrs, s, 1, 0,
		                UC_ARM64_INS_MRS);
	/* Each CPU's registers while another runs, and Unicorn's reset CPU for CPU_ON. */
	for (unsigned i = 0; e == UC_ERR_OK && s->ncpus > 1 && i < s->ncpus; i++)
		e = uc_context_alloc(s->uc, &s->cpus[i].ctx);
	if (e == UC_ERR_OK && s->ncpus > 1 &&
	    (e = uc_context_alloc(s->uc, &s->pristine)) == UC_ERR_OK)
		e = uc_context_save(s->uc, s->pristine);
	if (e != UC_ERR_OK) {
		snprintf(s->fatal, sizeof(s->fatal), "unicorn: %s", uc_strerror(e));
		return -1;
	}
	if (check_new(s))
		return -1;
	for (size_t i = 0; i < s->img.nsegs; i++) {
		const struct img_segment *g = &s->img.segs[i];
		memcpy(s->ram + (g->paddr - s->opt.ram_base), s->img.file + g->offset, g->filesz);
	}
	s->el = 1; /* Unicorn's reset state; cpu_boot moves to EL2 */
	s->prev_block_eret = false;
	s->prev_block_wfe = false;
	s->prev_block_va = UINT64_MAX;
	/* DESIGN §2: CPU 0 starts at the ELF entry, the others are off until CPU_ON. */
	s->cpu = 0;
	for (unsigned i = 0; i < s->ncpus; i++) {
		struct sim_cpu *c = &s->cpus[i];
		uc_context *ctx = c->ctx;
		*c = (struct sim_cpu){.power = i ? PSCI_POWER_OFF : PSCI_POWER_ON, .ctx = ctx};
	}
	s->slice_start = s->insns;
	s->slice_end = s->insns + SIM_QUANTUM;
	s->switch_now = false;
	return cpu_boot(s, s->img.entry, 0);
}

void hooks_machine_teardown(struct sim *s)
{
	check_free_machine(s);
	devices_teardown(s);
	if (s->uc) {
		mmu_clear(s);
		for (unsigned i = 0; i < SIM_MAX_CPUS; i++) {
			if (s->cpus[i].ctx)
				uc_context_free(s->cpus[i].ctx);
			s->cpus[i].ctx = NULL;
		}
		if (s->pristine)
			uc_context_free(s->pristine);
		s->pristine = NULL;
		uc_close(s->uc);
		s->uc = NULL;
	}
	if (s->ram) {
		munmap(s->ram, s->opt.ram_size);
		s->ram = NULL;
	}
}

bool hooks_ram_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	struct sim *s = ctx;
	if (!mach_pa_in_ram(s->opt.ram_base, s->opt.ram_size, pa, len))
		return false;
	memcpy(buf, s->ram + (pa - s->opt.ram_base), len);
	return true;
}

