/*
 * sched.c - several CPUs on one Unicorn instance (--cpus N > 1; the rules are at the top
 * of run.c): switching the running CPU, the round robin, hung CPUs, and PSCI calls (SMC),
 * which power CPUs on and off.
 */
#include "engine/sched.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "engine/cpu.h"
#include "engine/devices.h"
#include "engine/end.h"
#include "engine/hazards.h"
#include "engine/hooks.h"
#include "engine/mmu.h"
#include "machine/gic.h"
#include "machine/machine.h"
#include "trace/trace.h"

/* ---- scheduling (--cpus > 1, see the top of run.c) ---- */

static bool runnable(const struct sim_cpu *c)
{
	return c->power != PSCI_POWER_OFF && !c->hung;
}

/* Instructions each CPU executed, "cpu0 123, cpu1 45", for the end line. */
const char *sched_per_cpu_insns(struct sim *s, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = '\0';
	for (unsigned i = 0; i < s->ncpus && n < len; i++) {
		uint64_t k = s->cpus[i].insns + (i == s->cpu ? s->insns - s->slice_start : 0);
		int w = snprintf(buf + n, len - n, "%scpu%u %" PRIu64, i ? ", " : "", i, k);
		n += w > 0 ? (size_t)w : 0;
	}
	return buf;
}

/*
 * The running CPU can never run again (DESIGN §2 guest hang). With one CPU the run ends
 * with this message; with several, the others run on, and the run ends as a hang only
 * when every CPU that is on hangs (sched_next()).
 */
void sched_mark_hung(struct sim *s, uint64_t pc, const char *what, const char *fmt, ...)
{
	struct sim_cpu *c = &s->cpus[s->cpu];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->hang_msg, sizeof(c->hang_msg), fmt, ap);
	va_end(ap);
	c->hung = true;
	c->hang_pc = pc;
	check_note_insn(s, pc); /* --no-check: its guest-hang report names it */
	snprintf(c->hang_what, sizeof(c->hang_what), "%s", what);
}

/* The registers that decide what a VA is for the running CPU's regime: placeholders
 * (mmu.c) made for one CPU stay valid for the next one only when these are equal. */
struct regime_key {
	unsigned el;
	uint64_t sctlr, tcr, ttbr0, ttbr1;
};

static struct regime_key regime_key(struct sim *s)
{
	bool el2 = s->el == 2;
	struct regime_key k = {.el = s->el};
	k.sctlr = cpu_read_sysreg(s, el2 ? CSR_SCTLR_EL2 : CSR_SCTLR_EL1);
	if (!(k.sctlr & SCTLR_ELx_M))
		return k;
	k.tcr = cpu_read_sysreg(s, el2 ? CSR_TCR_EL2 : CSR_TCR_EL1);
	k.ttbr0 = cpu_read_sysreg(s, el2 ? CSR_TTBR0_EL2 : CSR_TTBR0_EL1);
	k.ttbr1 = el2 ? 0 : cpu_read_sysreg(s, CSR_TTBR1_EL1);
	return k;
}

/* Make CPU next the running one: save the running CPU's state, restore next's (or power
 * it up at its CPU_ON entry), and keep Unicorn's TLB, placeholders and block cache true to
 * its regime. Returns 0, or -1 with a message in s->fatal. */
static int switch_to(struct sim *s, unsigned next)
{
	struct sim_cpu *o = &s->cpus[s->cpu], *n = &s->cpus[next];
	hooks_uart_flush_line(s); /* each `uart` trace line is one CPU's */
	struct regime_key before = regime_key(s);
	o->insns += s->insns - s->slice_start;
	o->el = s->el;
	o->prev_block_eret = s->prev_block_eret;
	o->prev_block_wfe = s->prev_block_wfe;
	o->prev_block_va = s->prev_block_va;
	o->last_exc = s->last_exc;
	memcpy(o->idle_va, s->idle_va, sizeof(o->idle_va));
	o->nidle = s->nidle;
	o->idle_next = s->idle_next;
	uc_err e = uc_context_save(s->uc, o->ctx);
	if (e == UC_ERR_OK)
		e = uc_context_restore(s->uc, n->power == PSCI_POWER_ON ? n->ctx : s->pristine);
	if (e != UC_ERR_OK) {
		snprintf(s->fatal, sizeof(s->fatal), "unicorn: switching to CPU %u: %s", next,
		         uc_strerror(e));
		return -1;
	}
	s->cpu = next;
	devices_irq_recheck(s); /* the interrupt lines are this CPU's now */
	s->until = 0;
	mmu_fetch_forget(s);
	s->switch_now = false;
	s->slice_start = s->insns;
	s->slice_end = s->insns + SIM_QUANTUM;
	cpu_flush_tlb(s); /* Unicorn's TLB holds the previous CPU's translations */
	if (n->power == PSCI_POWER_ON) {
		s->el = n->el;
		s->prev_block_eret = n->prev_block_eret;
		s->prev_block_wfe = n->prev_block_wfe;
		s->prev_block_va = n->prev_block_va;
		s->last_exc = n->last_exc;
		memcpy(s->idle_va, n->idle_va, sizeof(s->idle_va));
		s->nidle = n->nidle;
		s->idle_next = n->idle_next;
	} else {
		/* Its first turn since CPU_ON: Unicorn's reset CPU, then DESIGN §2's. */
		s->el = 1;
		s->prev_block_eret = s->prev_block_wfe = false;
		s->prev_block_va = UINT64_MAX;
		s->last_exc = (struct last_exc){0};
		s->nidle = 0;
		mmu_clear(s);
		if (cpu_boot(s, n->entry, n->context_id))
			return -1;
		n->power = PSCI_POWER_ON;
	}
	struct regime_key after = regime_key(s);
	if (memcmp(&before, &after, sizeof(before))) {
		/* Another regime: the placeholders were the other CPU's. */
		mmu_clear(s);
	}
	check_context(s); /* the live tables of this CPU's regime */
	return 0;
}

static int end_of_cpus(struct sim *s);

/*
 * At the top of the run loop: switch to the next runnable CPU (round robin) when the
 * running one cannot run, or its slice is over, or it waits (WFE/YIELD) and another can
 * run; end the run when no CPU can. Sets the limits the block hook applies.
 */
enum loop_result sched_next(struct sim *s, int *status)
{
	unsigned cur = s->cpu, next = cur;
	/* Every CPU that is on waits in WFI: virtual time jumps to the next timer deadline
	 * (devices.c), whose interrupt may wake one. */
	bool any = false, waiting = false;
	for (unsigned i = 0; i < s->ncpus; i++) {
		any |= runnable(&s->cpus[i]);
		waiting |= s->cpus[i].hung && s->cpus[i].hung_wfi;
	}
	if (!any && waiting)
		devices_idle_skip(s);
	/* A CPU waiting in WFI wakes when an interrupt is pending for it (another CPU's SGI,
	 * its timer; D1.6.2): its PC is already after the WFI. */
	for (unsigned i = 0; s->gic && i < s->ncpus; i++) {
		struct sim_cpu *c = &s->cpus[i];
		if (c->hung && c->hung_wfi && gic_cpu_wake(s->gic, i)) {
			c->hung = c->hung_wfi = false;
			if (i == s->cpu)
				devices_irq_recheck(s);
		}
	}
	for (unsigned k = 1; k <= s->ncpus && next == cur; k++)
		if (runnable(&s->cpus[(cur + k) % s->ncpus]) && (cur + k) % s->ncpus != cur)
			next = (cur + k) % s->ncpus;
	bool other = next != cur;
	if (!runnable(&s->cpus[cur]) && !other) {
		*status = end_of_cpus(s);
		return LOOP_END;
	}
	if (other && (!runnable(&s->cpus[cur]) || s->switch_now || s->insns >= s->slice_end)) {
		if (switch_to(s, next)) {
			char w[128];
			*status = end_finish(s, "fatal", SIM_EXIT_UNFINISHED, "%s at %s", s->fatal,
			                 end_where(s, cpu_reg(s, UC_ARM64_REG_PC), w, sizeof(w)));
			return LOOP_END;
		}
		other = true;
	} else if (!other) {
		s->slice_end =
		    s->insns + SIM_QUANTUM; /* alone: its slice starts when another can run */
	}
	s->switch_now = false;
	s->can_yield = other;
	return LOOP_CONTINUE;
}

/* No CPU can run: every CPU that is on hangs (the guest-hang reports, one per CPU), or
 * none is on. */
static int end_of_cpus(struct sim *s)
{
	bool any_hung = false;
	for (unsigned i = 0; i < s->ncpus; i++) {
		const struct sim_cpu *c = &s->cpus[i];
		if (c->power != PSCI_POWER_OFF && c->hung) {
			any_hung = true;
			check_hang(s, i, c->hang_pc, c->hang_what);
		}
	}
	if (!any_hung)
		return end_finish(s, "cpu-off", SIM_EXIT_UNFINISHED, "%s", s->off_msg);
	if (s->ncpus == 1)
		return end_finish(s, "hang", SIM_EXIT_UNFINISHED, "guest hang: %s",
		              s->cpus[0].hang_msg);
	char msg[512], part[256];
	snprintf(msg, sizeof(msg), "guest hang on every CPU that is on:");
	for (unsigned i = 0; i < s->ncpus; i++) {
		const struct sim_cpu *c = &s->cpus[i];
		if (c->power == PSCI_POWER_OFF || !c->hung)
			continue;
		snprintf(part, sizeof(part), " [CPU %u] %s", i, c->hang_msg);
		strncat(msg, part, sizeof(msg) - strlen(msg) - 1);
	}
	return end_finish(s, "hang", SIM_EXIT_UNFINISHED, "%s", msg);
}

/* ---- PSCI ---- */

enum loop_result sched_smc(struct sim *s, uint64_t pc_after, int *status)
{
	uint64_t x[4];
	for (int i = 0; i < 4; i++)
		x[i] = cpu_reg(s, UC_ARM64_REG_X0 + i);
	enum psci_power power[SIM_MAX_CPUS];
	for (unsigned i = 0; i < s->ncpus; i++)
		power[i] = s->cpus[i].power;
	struct psci_machine mc = {.ncpus = s->ncpus,
	                          .power = power,
	                          .ram_base = s->opt.ram_base,
	                          .ram_size = s->opt.ram_size};
	struct psci_result r = psci_dispatch(x[0], x[1], x[2], x[3], &mc, s->cpu);
	if (s->trace)
		trace_psci(s->trace, s->cpu, pc_after - 4, (uint32_t)x[0], r.name, &x[1],
		           r.action == PSCI_ACT_RETURN || r.action == PSCI_ACT_CPU_ON, r.x0);
	char w[128];
	switch (r.action) {
	case PSCI_ACT_RETURN:
		/* EL3 firmware returns to the instruction after the SMC with the result in x0. */
		cpu_set_reg(s, UC_ARM64_REG_X0, (uint64_t)r.x0);
		return LOOP_CONTINUE;
	case PSCI_ACT_CPU_ON:
		/* The target powers up at its first turn (switch_to); the model starts it now. */
		s->cpus[r.target].power = PSCI_POWER_ON_PENDING;
		s->cpus[r.target].hung = s->cpus[r.target].hung_wfi = false;
		s->cpus[r.target].entry = r.entry;
		s->cpus[r.target].context_id = r.context_id;
		check_cpu_on(s, r.target, pc_after - 4, r.entry, r.context_id);
		cpu_set_reg(s, UC_ARM64_REG_X0, (uint64_t)r.x0);
		return LOOP_CONTINUE;
	case PSCI_ACT_SYSTEM_OFF:
		if (s->ncpus == 1)
			*status =
			    end_finish(s, "system-off", SIM_EXIT_OFF,
			           "PSCI SYSTEM_OFF after %" PRIu64 " instructions", s->insns);
		else {
			char msg[512], part[128];
			snprintf(msg, sizeof(msg),
			         "PSCI SYSTEM_OFF from CPU %u after %" PRIu64 " instructions (%s)",
			         s->cpu, s->insns, sched_per_cpu_insns(s, part, sizeof(part)));
			/* A CPU that hangs while the system powers off is worth a word. */
			for (unsigned i = 0; i < s->ncpus; i++) {
				if (s->cpus[i].power == PSCI_POWER_OFF || !s->cpus[i].hung)
					continue;
				size_t l = strlen(msg);
				snprintf(msg + l, sizeof(msg) - l, " [CPU %u hangs] %s", i,
				         s->cpus[i].hang_msg);
			}
			*status = end_finish(s, "system-off", SIM_EXIT_OFF, "%s", msg);
		}
		return LOOP_END;
	case PSCI_ACT_SYSTEM_RESET:
		if (s->opt.no_reboot) {
			/* --no-reboot: as QEMU's -no-reboot, a reset ends the run, and like QEMU
			 * (which exits 0 then) with SYSTEM_OFF's status. */
			*status = end_finish(s, "system-reset", SIM_EXIT_OFF,
			                     "PSCI SYSTEM_RESET after %" PRIu64
			                     " instructions (--no-reboot)",
			                     s->insns);
			return LOOP_END;
		}
		s->resets++;
		hooks_machine_teardown(s);
		s->ram_ops.ctx = s;
		if (hooks_machine_setup(s)) {
			*status = end_finish(s, "fatal", SIM_EXIT_UNFINISHED, "%s", s->fatal);
			return LOOP_END;
		}
		return LOOP_CONTINUE;
	case PSCI_ACT_CPU_OFF:
		/* The CPU powers down: if no CPU is left, the run ends (end_of_cpus). */
		s->cpus[s->cpu].power = PSCI_POWER_OFF;
		check_cpu_off(s, pc_after - 4);
		snprintf(s->off_msg, sizeof(s->off_msg),
		         "CPU %u called PSCI CPU_OFF at %s: no CPU is left running and SYSTEM_OFF "
		         "never came",
		         s->cpu, end_where(s, pc_after - 4, w, sizeof(w)));
		return LOOP_CONTINUE;
	}
	return LOOP_CONTINUE;
}

