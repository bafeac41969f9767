/*
 * hooks.c - the Unicorn machine of a run (RAM, the UART's MMIO, the hooks, each CPU's
 * context) and its hooks. The hooks are thin (STYLE 9): each turns Unicorn's arguments
 * into a model event (check/hazards.h) or a machine access (machine/machine.h), or records
 * in struct sim.stop why the run loop (run.c) must act, and returns.
 */
#include "engine/hooks.h"

#include <errno.h>
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
#include "machine/cpu_features.h"
#include "machine/decode.h"
#include "machine/irq_route.h"
#include "machine/machine.h"
#include "machine/timer.h"
#include "machine/wake.h"
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

/* An instruction that reads and writes nothing a loop could test (hint instructions):
 * NOP, YIELD, WFE, WFI, SEV, SEVL. */
static bool insn_is_idle(uint32_t enc)
{
	return enc == ENC_NOP || enc == ENC_YIELD || enc == ENC_WFE || enc == ENC_WFI ||
	       enc == ENC_SEV || enc == ENC_SEV_LOCAL;
}

/*
 * Whether the block [va, va + size) is idle: hint instructions only, the last possibly an
 * unconditional B imm26. *next is where it goes: the branch target, or va + size. Such a
 * block reads no register and no memory, so a chain of them always runs the same way.
 * last is the block's last instruction (block_last_insn), read already.
 */
static bool block_is_idle(struct sim *s, uint64_t va, uint32_t size, uint32_t last,
                          uint64_t *next)
{
	if (size < 4)
		return false;
	bool branch = (last & 0xfc000000) == 0x14000000;
	if (!branch && !insn_is_idle(last))
		return false;
	for (uint64_t off = 0; off + 4 < size; off += 4) {
		uint32_t enc;
		if (!hooks_read_insn(s, va + off, &enc) || !insn_is_idle(enc))
			return false;
	}
	*next = branch ? va + size - 4 + (uint64_t)((int64_t)((int32_t)(last << 6) >> 4))
	               : va + size;
	return true;
}

/*
 * Idle loops (DESIGN §2 guest hang): `b .`, `1: wfe; b 1b` (two blocks: Unicorn ends a
 * block after a WFE) and any cycle of at most SIM_IDLE_RING idle blocks. The consecutive
 * idle blocks just entered are kept in s->idle_va; a block that is reached as the
 * successor of the last of them and is already among them closes a cycle the CPU can
 * leave only by an interrupt (machine/wake.h). Anything else (a block that is not idle, a
 * block reached otherwise: an exception, a CPU switch) starts the chain again.
 * Returns true when the CPU hangs at va.
 */
static bool idle_loop(struct sim *s, uint64_t va, uint32_t size, uint32_t last)
{
	uint64_t next;
	if (s->nidle && va != s->idle_next)
		s->nidle = 0;
	if (!block_is_idle(s, va, size, last, &next)) {
		s->nidle = 0;
		return false;
	}
	for (unsigned i = 0; i < s->nidle; i++) {
		if (s->idle_va[i] != va)
			continue;
		s->idle_loop_blocks = s->nidle - i;
		if (hooks_cpu_can_wake(s, false))
			break; /* an interrupt will take it out: not a hang */
		return true;
	}
	if (s->nidle == SIM_IDLE_RING)
		s->nidle = 0; /* longer chains are not followed */
	s->idle_va[s->nidle++] = va;
	s->idle_next = next;
	return false;
}

bool hooks_cpu_can_wake(struct sim *s, bool waiting)
{
	uint64_t pstate = cpu_pstate(s), hcr = cpu_read_sysreg(s, CSR_HCR_EL2);
	struct mach_wake w = {
	    .waiting = waiting,
	    .el = s->el,
	    .pstate_i = (pstate & PSTATE_I) != 0,
	    .pstate_f = (pstate & PSTATE_F) != 0,
	    .hcr_imo = (hcr & HCR_EL2_IMO) != 0,
	    .hcr_fmo = (hcr & HCR_EL2_FMO) != 0,
	    .irq_pending = (devices_irq_lines(s) & (IRQ_LINE_IRQ | IRQ_LINE_VIRQ)) != 0,
	    .fiq_pending = (devices_irq_lines(s) & (IRQ_LINE_FIQ | IRQ_LINE_VFIQ)) != 0,
	    .timer_armed = timer_next_deadline(&s->cpus[s->cpu].timer,
	                                       hooks_machine_count(s, UINT64_MAX)) != UINT64_MAX,
	};
	return mach_can_wake(&w);
}

uint64_t hooks_machine_count(struct sim *s, uint64_t pc)
{
	uint64_t insns = s->insns;
	/* The block hook counted the whole block at its start: the instructions from pc on
	 * have not run yet. */
	if (pc >= s->blk_va && pc < s->blk_va + s->blk_size)
		insns -= (s->blk_va + s->blk_size - pc) / 4;
	return timer_count_at(&s->timer_cfg, insns + s->idle_insns);
}

/*
 * A block ending with an ERET is about to run. When that ERET returns to AArch64 EL0,
 * save the CPU's Unicorn state now, with the translator's flags of the EL it runs at:
 * Unicorn keeps EL0's flags until the next ERET, and hypsim's exception entry from EL0
 * needs an EL that can execute its ERET (cpu.c, leave_el0). No MSR precedes the ERET in
 * its block (Unicorn ends a block after each system register write), so SPSR_ELx and the
 * other system registers read now are the ERET's. Returns -1 (message in s->fatal) when
 * Unicorn cannot save it.
 */
static int eret_to_el0(struct sim *s)
{
	if (s->el == 0)
		return 0;
	uint64_t spsr = cpu_read_sysreg(s, s->el == 2 ? CSR_SPSR_EL2 : CSR_SPSR_EL1);
	if ((spsr & 0x1c) != 0) /* M[4] (AArch32) or M[3:2] (the EL) nonzero */
		return 0;
	struct sim_cpu *c = &s->cpus[s->cpu];
	uc_err e = c->eret_ctx ? UC_ERR_OK : uc_context_alloc(s->uc, &c->eret_ctx);
	if (e == UC_ERR_OK)
		e = uc_context_save(s->uc, c->eret_ctx);
	if (e != UC_ERR_OK) {
		snprintf(s->fatal, sizeof(s->fatal), "unicorn: saving the context of an ERET: %s",
		         uc_strerror(e));
		return -1;
	}
	return 0;
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
	if (s->trace && trace_halt(s->trace)) { /* full, or its limit reached */
		s->blk_stopped = true;
		sim_request_stop(s, STOP_INTERRUPTED);
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
	if (s->insns + s->idle_insns >= s->timer_due)
		devices_timers_update(s); /* a timer output rises: its PPI (devices.c) */
	if (devices_irq_due(s)) {
		/* An interrupt is taken before this block: the block's address is ELR. */
		s->blk_stopped = true;
		sim_request_stop(s, STOP_IRQ);
		return;
	}
	if (mmu_ph_any_guarded(s) && mmu_block_guarded(s, addr, size)) {
		/* The block lies over the other regime's placeholder, or a holey one, and the
		 * current regime sends it nowhere (mmu.c): dropped, the block is run again. */
		s->blk_stopped = true;
		sim_request_stop(s, STOP_EVICT);
		return;
	}
	uint32_t last = block_last_insn(s, addr, size);
	if (idle_loop(s, addr, size, last)) {
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
		ends_eret = last == ENC_ERET;
		ends_wfe = last == ENC_WFE || last == ENC_YIELD;
		if (ends_eret && eret_to_el0(s)) {
			s->blk_stopped = true;
			sim_request_stop(s, STOP_FATAL);
			return;
		}
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
	if (s->stop != STOP_NONE)
		return; /* a stop from the instruction before that did not end the block (a
		           * helper's unmapped store: DC ZVA): Unicorn stops after this hook */
	if (s->restart_pending) {
		s->restart_pending = false;
		if (addr == s->restart_pc && s->cpu == s->restart_cpu)
			return; /* its fetch reached the model before the access stopped */
	}
	uint32_t enc = 0;
	if (!hooks_read_insn(s, addr, &enc))
		return; /* Unicorn raises the abort */
	check_translated_insn(s, addr, &enc); /* not memory's bytes: a store in this block */
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

/*
 * A write to a generic timer register goes to the machine's timer model (machine/timer.h)
 * on the machine count. CTL/CVAL/TVAL/CNTVOFF/CNTFRQ are the model's alone (Unicorn's
 * timers follow the host clock): the MSR is skipped. CNTHCTL_EL2 and CNTKCTL_EL1 also
 * reach Unicorn, whose own access checks then agree with the model's. An access the
 * model's rules refuse (D13.8 accessibility: a trap or UNDEFINED) is left to Unicorn,
 * which raises it. Returns -1 for a register that is not the timer's, else the hook's
 * answer.
 */
static int timer_msr(struct sim *s, const uc_arm64_cp_reg *cp)
{
	enum timer_reg tr = timer_reg_decode(cp->op0, cp->op1, cp->crn, cp->crm, cp->op2);
	if (tr == TREG_NONE)
		return -1;
	struct timer_cpu *t = &s->cpus[s->cpu].timer;
	if (timer_access(t, tr, s->el, true) != TIMER_ACCESS_OK)
		return 0;
	uint64_t pc = cpu_reg(s, UC_ARM64_REG_PC); /* synced before the hook (translate-a64.c) */
	timer_write(t, tr, cp->val, hooks_machine_count(s, pc));
	s->timer_due = 0; /* its output and next deadline, at the next block (devices.c) */
	return tr != TREG_CNTHCTL_EL2 && tr != TREG_CNTKCTL_EL1;
}

bool hooks_timer_trap(struct sim *s, uint64_t pc, struct exc_info *info)
{
	uint32_t enc;
	if (!hooks_read_insn(s, pc, &enc))
		return false;
	/* MRS: 1101 0101 0011 o0 op1 CRn CRm op2 Rt; MSR (register): 1101 0101 0001 ...
	 * (C6.2), op0 = 2 + o0. */
	bool read = (enc & 0xfff00000) == 0xd5300000;
	if (!read && (enc & 0xfff00000) != 0xd5100000)
		return false;
	unsigned op0 = 2 + ((enc >> 19) & 1), op1 = (enc >> 16) & 7, crn = (enc >> 12) & 0xf,
	         crm = (enc >> 8) & 0xf, op2 = (enc >> 5) & 7;
	enum timer_reg tr = timer_reg_decode(op0, op1, crn, crm, op2);
	if (tr == TREG_NONE)
		return false;
	enum timer_access acc = timer_access(&s->cpus[s->cpu].timer, tr, s->el, !read);
	if (acc != TIMER_ACCESS_TRAP_EL1 && acc != TIMER_ACCESS_TRAP_EL2)
		return false;
	info->cause = EXC_CAUSE_SYSREG_TRAP;
	info->trap_el = acc == TIMER_ACCESS_TRAP_EL1 ? 1 : 2;
	info->iss = exc_sysreg_iss(op0, op1, crn, crm, op2, enc & 31, read);
	return true;
}

static uint32_t hook_msr(uc_engine *uc, uc_arm64_reg reg, const uc_arm64_cp_reg *cp, void *user)
{
	struct sim *s = user;
	(void)reg;
	int tm = s->host_op ? -1 : timer_msr(s, cp);
	if (tm >= 0)
		return (uint32_t)tm;
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

/*
 * MRS of what hypsim's machine answers rather than Unicorn's CPU (returning 1 skips the
 * MRS after Rt is written; the hook runs before Unicorn's permission check, so each
 * answer applies the register's own access rules first and leaves a refused access to
 * Unicorn, which raises it):
 *  - the generic timer (CNTFRQ, CNTPCT, CNTVCT, CNTP/CNTV/CNTHP CTL/CVAL/TVAL, CNTVOFF,
 *    CNTHCTL, CNTKCTL): the machine's timer model on the machine count, a function of the
 *    instructions executed (DESIGN §2: deterministic time), never the host's clock;
 *  - ID_AA64PFR0_EL1, ID_AA64MMFR0_EL1, ID_PFR1_EL1: the machine's description
 *    (machine/cpu_features.h), at EL1 and EL2 (UNDEFINED at EL0; at EL1 HCR_EL2.TID3 traps
 *    them to EL2, D13.2);
 *  - MPIDR_EL1 at EL2 on a CPU other than CPU 0 (--cpus > 1): Unicorn 2.0.1 has one MPIDR
 *    for every context (measured), so hypsim answers with the CPU's own (D17.2 MPIDR_EL1;
 *    EL1 reads VMPIDR_EL2, which each CPU's context holds).
 * MRS is rare (tools/bench: no measurable cost on the stress firmware).
 */
static uint32_t hook_mrs(uc_engine *uc, uc_arm64_reg reg, const uc_arm64_cp_reg *cp, void *user)
{
	struct sim *s = user;
	uint64_t v;
	if (s->host_op)
		return 0;
	enum timer_reg tr = timer_reg_decode(cp->op0, cp->op1, cp->crn, cp->crm, cp->op2);
	enum cpu_id_reg idr = cpu_id_reg_decode(cp->op0, cp->op1, cp->crn, cp->crm, cp->op2);
	if (tr != TREG_NONE) {
		const struct timer_cpu *t = &s->cpus[s->cpu].timer;
		if (timer_access(t, tr, s->el, false) != TIMER_ACCESS_OK)
			return 0;
		v = timer_read(t, tr, hooks_machine_count(s, cpu_reg(s, UC_ARM64_REG_PC)));
	} else if (idr != CPU_ID_NONE) {
		if (s->el == 0 ||
		    (s->el == 1 && (cpu_read_sysreg(s, CSR_HCR_EL2) & HCR_EL2_TID3)))
			return 0;
		v = s->id_value[idr];
	} else if (s->cpu && s->el >= 2 &&
	           cpu_sysreg_find(cp->op0, cp->op1, cp->crn, cp->crm, cp->op2) ==
	               CSR_MPIDR_EL1) {
		v = cpu_mpidr(s->cpu);
	} else {
		return 0;
	}
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
	if (cp->op0 == 1 && cp->crn == 8) { /* TLBI: the guest says the tables changed */
		struct model_event ev;
		bool by_va = false;
		/* The regimes it covers (D8.13: the *E2 forms EL2's, the *E1 forms EL1&0's,
		 * from EL1 or EL2); one it cannot decode: both. */
		unsigned regimes = (1u << PH_EL10) | (1u << PH_EL2);
		if (dec_sys(cp->op1, cp->crn, cp->crm, cp->op2, cp->val, &ev)) {
			switch (ev.u.tlbi.op) {
			case TLBI_VAE2: case TLBI_VAE2IS: case TLBI_VALE2: case TLBI_VALE2IS:
				by_va = true;
				/* fall through */
			case TLBI_ALLE2: case TLBI_ALLE2IS:
				regimes = 1u << PH_EL2;
				break;
			case TLBI_VAE1: case TLBI_VAE1IS: case TLBI_VALE1: case TLBI_VALE1IS:
			case TLBI_VAAE1: case TLBI_VAAE1IS: case TLBI_VAALE1: case TLBI_VAALE1IS:
				by_va = true;
				/* fall through */
			case TLBI_ALLE1: case TLBI_ALLE1IS: case TLBI_VMALLE1: case TLBI_VMALLE1IS:
			case TLBI_VMALLS12E1: case TLBI_VMALLS12E1IS: case TLBI_ASIDE1:
			case TLBI_ASIDE1IS:
				regimes = 1u << PH_EL10;
				break;
			default:
				break;
			}
		}
		mmu_note_tlbi(s, regimes, by_va, cp->val);
		sim_request_stop(s, STOP_CONTEXT);
	}
	return 0;
}

void hooks_uart_flush_line(struct sim *s)
{
	devices_uart_flush_line(s);
}

/* ---- the machine the hooks are added to ---- */

/* What the ID registers read (hook_mrs): Unicorn's Cortex-A72 values, with the fields the
 * machine's description decides (machine/cpu_features.h). The description's PA size must
 * be the one Unicorn implements (its MMU-off accesses check against it); the model and
 * hypsim's walker (mmu.c) take it from s->feat, and hypsim raises the Address size faults
 * Unicorn's walker lets through (an output address beyond it, mmu_hook_mem). */
static int machine_description(struct sim *s)
{
	static const enum cpu_sysreg regs[] = {
	    [CPU_ID_AA64PFR0_EL1] = CSR_ID_AA64PFR0_EL1,
	    [CPU_ID_AA64MMFR0_EL1] = CSR_ID_AA64MMFR0_EL1,
	    [CPU_ID_PFR1_EL1] = CSR_ID_PFR1_EL1,
	    [CPU_ID_DFR0_EL1] = CSR_ID_DFR0_EL1,
	};
	s->feat = cpu_features_hypsim();
	s->timer_cfg = timer_cfg_default();
	for (unsigned r = CPU_ID_AA64PFR0_EL1; r <= CPU_ID_DFR0_EL1; r++)
		s->id_value[r] =
		    cpu_id_value(&s->feat, (enum cpu_id_reg)r, cpu_read_sysreg(s, regs[r]));
	uint64_t mmfr0 = cpu_read_sysreg(s, CSR_ID_AA64MMFR0_EL1);
	if ((int)(mmfr0 & 0xf) != cpu_parange_of(s->feat.pa_bits) ||
	    s->feat.pa_bits != MACH_PA_BITS) {
		snprintf(s->fatal, sizeof(s->fatal),
		         "internal: Unicorn's PARange %u differs from the machine's %u-bit PA",
		         (unsigned)(mmfr0 & 0xf), s->feat.pa_bits);
		return -1;
	}
	return 0;
}

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
	 * leaves out this hook and the model's memory hooks: what remains is the machine (PSCI,
	 * UART, exception entry, placeholder VAs and External aborts, the instruction budget
	 * and hang detection). */
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
	if (e == UC_ERR_OK)
		e = uc_hook_add(s->uc, &h, UC_HOOK_INSN, (void *)hook_mrs, s, 1, 0,
		                UC_ARM64_INS_MRS);
	/* Before the checker's memory hook (hooks run in the order added): an access that
	 * reaches nothing is an External abort (mmu.c). Also what makes --no-check restart a
	 * placeholder miss at its own instruction (the PC is written back before each access:
	 * translate-a64.c, disas_ldst), not at an earlier block start (issue 14 defect 3). */
	if (e == UC_ERR_OK)
		e = uc_hook_add(s->uc, &h, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE,
		                (void *)mmu_hook_mem, s, 1, 0);
	if (e == UC_ERR_OK)
		e = uc_context_alloc(s->uc, &s->abort_ctx);
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
	if (machine_description(s))
		return -1;
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
	s->nidle = 0;
	/* DESIGN §2: CPU 0 starts at the ELF entry, the others are off until CPU_ON. */
	s->cpu = 0;
	for (unsigned i = 0; i < s->ncpus; i++) {
		struct sim_cpu *c = &s->cpus[i];
		uc_context *ctx = c->ctx, *eret_ctx = c->eret_ctx;
		*c = (struct sim_cpu){
		    .power = i ? PSCI_POWER_OFF : PSCI_POWER_ON, .ctx = ctx, .eret_ctx = eret_ctx};
	}
	s->slice_start = s->insns;
	s->slice_end = s->insns + SIM_QUANTUM;
	s->switch_now = false;
	/* Timers at reset (timer_cpu_reset: hypsim's defined values); the count goes on. */
	for (unsigned i = 0; i < SIM_MAX_CPUS; i++)
		timer_cpu_reset(&s->cpus[i].timer, &s->timer_cfg);
	s->timer_due = 0;
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
			if (s->cpus[i].eret_ctx)
				uc_context_free(s->cpus[i].eret_ctx);
			s->cpus[i].eret_ctx = NULL;
		}
		if (s->pristine)
			uc_context_free(s->pristine);
		s->pristine = NULL;
		if (s->abort_ctx)
			uc_context_free(s->abort_ctx);
		s->abort_ctx = NULL;
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

