/*
 * run.c - `sim run`: builds the machine in Unicorn, runs the guest, and ends the run in one
 * of the ways DESIGN §2/§5 names: SYSTEM_OFF (0), budget exhausted, guest hang or an
 * unrecoverable state (3).
 *
 * Counting is exact without a per-instruction hook (a UC_HOOK_CODE on every instruction
 * halves Unicorn's speed, UNICORN-2.0.1.md): UC_HOOK_BLOCK adds each translated block's
 * length before it runs; an exception in the middle of a block takes back the
 * instructions after the one that raised it. When the next block would cross --max-insns,
 * the block hook stops Unicorn before the block runs (measured: uc_emu_stop in a block hook
 * prevents the block) and the loop restarts it with `until` = the address after the last
 * instruction the budget allows: a block is straight-line code, so that address is reached
 * exactly when the budget is. (uc_emu_start's `count` is not used: measured on 2.0.1, it
 * overruns in blocks translated before it was first used.)
 *
 * Hooks only record why Unicorn must stop (struct sim.stop); the loop below acts between
 * uc_emu_start calls, where Unicorn's state is consistent: exception entry, the sweep of
 * placeholder VAs (mmu.c), ERET bookkeeping, PSCI.
 *
 * The loop is this file; the rest of the engine is split by concept: the Unicorn machine
 * and its hooks (hooks.c), CPU switching and PSCI (sched.c), the endings (end.c),
 * exception entry (entry.c), placeholder VAs and aborts (mmu.c), the checker's glue
 * (hazards.c), Unicorn's CPU registers (cpu.c).
 *
 * Scheduling (--cpus N > 1). The CPUs share one Unicorn instance; each CPU's state is a
 * uc_context, which on 2.0.1 is the whole CPUARMState up to its watchpoints: general and
 * system registers and the translator's cached EL flags (TTBR0_EL2, CurrentEL and an EL1
 * context's UNDEFINED `mrs ttbr0_el2` all follow the restored context). Unicorn's TLB is
 * not in it and is flushed at every switch; translated code is shared, so code one CPU
 * writes is seen by the others (one engine per CPU on the same RAM keeps running stale
 * translations). sim/engine/tests/test_unicorn_smp.c checks these three facts; a switch costs
 * about a microsecond in Unicorn (save, restore, TLB flush: tools/bench-uc-switch). CPUs
 * run in turn, round robin in index order, deterministically:
 *  - a CPU runs SIM_QUANTUM instructions, exactly (the budget's `until` mechanism; but at
 *    the first block boundary after them at EL0/EL1 when WFI traps there, HCR_EL2.TWI:
 *    Unicorn's stop at `until` imitates a WFI), then the next runnable CPU takes over;
 *  - it gives way early after a WFE or YIELD (Unicorn ends a block there), when it powers
 *    down (CPU_OFF) and when it hangs (branch to self, WFI: no interrupt can ever wake it,
 *    an abort whose vector faults again);
 *  - a CPU powered up by CPU_ON starts at its first turn (AFFINITY_INFO says ON_PENDING
 *    until then); while a CPU is the only runnable one it runs on, and gets SIM_QUANTUM
 *    more instructions when another becomes runnable.
 * The run ends on SYSTEM_OFF from any CPU, on the budget (all CPUs' instructions), when
 * every CPU that is on hangs (each gets its guest-hang report then), or when none is on.
 * With --cpus 1 nothing of this runs: no context is saved, no switch, no MRS hook.
 */
#include "engine/run.h"

#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "arch.h"
#include "engine/cpu.h"
#include "engine/devices.h"
#include "engine/end.h"
#include "engine/entry.h"
#include "engine/hazards.h"
#include "engine/hooks.h"
#include "engine/mmu.h"
#include "engine/sched.h"
#include "machine/kernel_boot.h"
#include "machine/machine.h"
#include "machine/msg.h"
#include "trace/trace.h"

/* A number in C syntax (decimal, 0x hex, 0 octal), nothing before or after it. */
static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;
	if (*s < '0' || *s > '9')
		return false;
	unsigned long long v = strtoull(s, &end, 0);
	if (*end)
		return false;
	*out = v;
	return true;
}

bool sim_parse_machine_option(const char *name, const char *arg, struct sim_options *o)
{
	const char *why = NULL;
	uint64_t v;
	if (!strcmp(name, "ram")) {
		if (mach_parse_size(arg, &o->ram_size, &why))
			return true;
	} else if (!strcmp(name, "ram-base")) {
		if (!parse_u64(arg, &v))
			why = "expected an address such as 0x40000000";
		else if (mach_ram_base_ok(v, &why)) {
			o->ram_base = v;
			return true;
		}
	} else if (!strcmp(name, "tlb")) {
		if (!strcmp(arg, "speculative") || !strcmp(arg, "accessed")) {
			o->tlb_accessed = !strcmp(arg, "accessed");
			return true;
		}
		why = "expected speculative or accessed";
	} else if (!strcmp(name, "max-insns")) {
		if (parse_u64(arg, &v) && v) {
			o->max_insns = v;
			return true;
		}
		why = "expected a positive number";
	} else if (!strcmp(name, "cpus")) {
		if (parse_u64(arg, &v) && v >= 1 && v <= SIM_MAX_CPUS) {
			o->ncpus = (unsigned)v;
			return true;
		}
		why = "expected a number of CPUs from 1 to 8";
	} else {
		assert(!"not a machine option");
	}
	char q[128];
	fprintf(stderr, "sim: --%s %s: %s\n", name, msg_quote(arg, q, sizeof(q)), why);
	return false;
}

bool sim_parse_kernel_option(const char *name, const char *arg, struct sim_options *o)
{
	struct kboot_args *k = &o->kernel;
	const char **slot = !strcmp(name, "kernel")    ? &k->kernel
	                    : !strcmp(name, "dtb")     ? &k->dtb
	                    : !strcmp(name, "append")  ? &k->append
	                    : !strcmp(name, "initrd")  ? &k->initrd
	                    : !strcmp(name, "symbols") ? &k->symbols
	                                               : NULL;
	if (slot)
		*slot = arg;
	return slot != NULL;
}

const char *sim_kernel_options_problem(const struct sim_options *o)
{
	const struct kboot_args *k = &o->kernel;
	if (!k->kernel && (k->dtb || k->append || k->initrd || k->symbols))
		return "--dtb, --append, --initrd and --symbols go with --kernel Image";
	return NULL;
}

bool sim_load_image(struct sim *s)
{
	char err[IMG_ERR_LEN];
	const struct kboot_args *k = &s->opt.kernel;
	if (k->kernel) {
		const char *bad = k->kernel;
		if (!kboot_load(k, s->opt.ram_base, s->opt.ram_size, s->opt.ncpus, &s->img,
		                &s->kinfo, &bad, err))
			return true;
		char q[512];
		fprintf(stderr, "sim: %s: %s\n", msg_quote(bad, q, sizeof(q)), err);
		return false;
	}
	if (!img_load(s->opt.firmware, &s->img, s->opt.ram_size, err) &&
	    !img_check_layout(&s->img, s->opt.ram_base, s->opt.ram_size, err))
		return true;
	fprintf(stderr, "sim: %s: %s\n", s->name, err);
	return false;
}

/*
 * An instruction abort whose vector is the faulting address itself: the vector's fetch
 * faults again and the CPU takes the same exception forever without completing an
 * instruction, which neither the budget nor the branch-to-self check can see. The CPU
 * hangs (DESIGN §2).
 */
static bool abort_loops(struct sim *s, uint64_t pc_insn)
{
	char w[128];
	if (!s->last_exc.valid || s->last_exc.cause != EXC_CAUSE_INSN_ABORT ||
	    s->last_exc.vector != pc_insn)
		return false;
	sched_mark_hung(s, pc_insn,
	          "the instruction abort vector faults itself: the same exception is taken "
	          "forever",
	          "the fetch at the instruction abort vector %s faults, taking the same "
	          "exception forever",
	          end_where_on(s, pc_insn, w, sizeof(w), false));
	return true;
}

/*
 * An exception storm: the handler takes the very exception it is handling again before any
 * ERET — nested (from the EL it targets), through the same vector, at the same instruction
 * with the same syndrome, within SIM_STORM_SPAN instructions of the previous entry. A
 * vector whose first instruction faults (an UNDEFINED vector, a stack push through a bad
 * SP) re-enters itself in a state the previous round made, and costs an exception entry
 * (tens of microseconds) per round: without this check only the budget ends it. When the
 * fault is at the vector itself, nothing ran between the two rounds but the faulting
 * instruction, so the second round with the same fault address proves the loop; further
 * in the handler, SIM_STORM_REPEATS rounds in a row make it a hang (a handler that gives
 * up after a few nested faults is not one). prev is the exception before this one.
 */
static void exception_storm(struct sim *s, const struct last_exc *prev)
{
	struct last_exc *l = &s->last_exc;
	char w[128];
	bool same = prev->valid && !prev->returned && l->from_el == l->to_el &&
	            prev->to_el == l->to_el && prev->vector == l->vector && prev->pc == l->pc &&
	            prev->esr == l->esr && prev->cause == l->cause &&
	            l->at_insns - prev->at_insns <= SIM_STORM_SPAN;
	l->repeats = same ? prev->repeats + 1 : 0;
	bool at_vector = l->pc == l->vector && prev->far_valid == l->far_valid &&
	                 (!l->far_valid || prev->far == l->far);
	if (!l->repeats || (!(same && at_vector) && l->repeats < SIM_STORM_REPEATS))
		return;
	sched_mark_hung(s, l->pc,
	                "exception storm: the handler takes the same exception again before "
	                "returning",
	                "exception storm: %s at %s taken again by its own handler (vector "
	                "0x%" PRIx64 ") %u times in a row, ESR 0x%" PRIx64,
	                exc_cause_name(l->cause), end_where_on(s, l->pc, w, sizeof(w), false),
	                l->vector, l->repeats + 1, l->esr);
}

/* The exception of the abort recorded in s->abort (mmu.c), by the instruction at pc. */
static struct exc_info abort_info(struct sim *s, uint64_t pc)
{
	uint32_t enc = 0;
	/* A stage 2 data abort's ESR_EL2 carries the instruction's syndrome (model/exc.h). */
	bool insn = !s->abort.fetch && s->abort.stage2 && hooks_read_insn(s, pc, &enc);
	return (struct exc_info){
	    .cause = s->abort.fetch ? EXC_CAUSE_INSN_ABORT : EXC_CAUSE_DATA_ABORT,
	    .fault = s->abort.fault,
	    /* WnR is 0 for a stage 1 table read (s2.h, s12_fault_syndrome). */
	    .write = s->abort.write && !s->abort.s1ptw,
	    .cache_maint = s->abort.cache_maint,
	    .stage2 = s->abort.stage2,
	    .s1ptw = s->abort.s1ptw,
	    .ipa = s->abort.ipa,
	    .far = s->abort.va,
	    .far_valid = true,
	    .insn_valid = insn,
	    .insn = enc,
	};
}

/* pc_insn raised info (preferred return address pref): it counts as executed, the rest of
 * its block did not run; the exception is taken. */
static enum loop_result take(struct sim *s, struct exc_info *info, uint64_t pc_insn,
                             uint64_t pref, int *status)
{
	end_uncount_after(s, pc_insn);
	struct last_exc prev = s->last_exc;
	if (sim_take_exception(s, info, pc_insn, pref)) {
		*status = end_finish(s, "fatal", SIM_EXIT_UNFINISHED, "%s", s->fatal);
		return LOOP_END;
	}
	if (info->cause != EXC_CAUSE_INSN_ABORT || !abort_loops(s, pc_insn))
		exception_storm(s, &prev);
	return LOOP_CONTINUE;
}

static enum loop_result exception(struct sim *s, uint64_t pc, int *status)
{
	struct exc_info info = {0};
	uint64_t pc_insn = pc, pref = pc;
	uint32_t enc = 0;
	char w[128];
	switch (s->intno) {
	case 11: /* HVC: Unicorn reports the PC after it, the preferred return address */
	case 2:  /* SVC */
		pc_insn = pc - 4;
		hooks_read_insn(s, pc_insn, &enc);
		info.cause = s->intno == 11 ? EXC_CAUSE_HVC : EXC_CAUSE_SVC;
		info.imm16 = (uint16_t)(enc >> 5);
		break;
	case 13: /* SMC: answered by hypsim as EL3 firmware (PSCI), no exception entry */
		return sched_smc(s, pc, status);
	case 12: /* EXCP_HYP_TRAP: an SMC at EL1 trapped by HCR_EL2.TSC (D1.x: taken to EL2,
		  * EC 0x17, its preferred return the SMC itself; pKVM's host handler skips it).
		  * Unicorn raises it before the SMC executes, at its PC (op_helper.c pre_smc). */
		if (!hooks_read_insn(s, pc, &enc) || (enc & 0xffe0001f) != 0xd4000003) {
			*status = end_finish(s, "fatal", SIM_EXIT_UNFINISHED,
			                     "unsupported trap to EL2 (Unicorn intno 12) at %s",
			                     end_where(s, pc, w, sizeof(w)));
			return LOOP_END;
		}
		info.cause = EXC_CAUSE_SMC;
		info.imm16 = (uint16_t)(enc >> 5);
		break;
	case 7: /* BRK: reported at the instruction, which is also the preferred return */
		hooks_read_insn(s, pc, &enc);
		info.cause = EXC_CAUSE_BRK;
		info.imm16 = (uint16_t)(enc >> 5);
		break;
	case 1: /* UNDEFINED, or a system register trap (Unicorn raises both alike) */
		if (!hooks_timer_trap(s, pc, &info))
			info.cause = EXC_CAUSE_UNDEFINED;
		break;
	case 3: /* prefetch abort after Unicorn's own walk */
	case 4: /* data abort */
		if (!mmu_classify_abort(s, s->intno == 3, pc)) {
			*status = end_finish(s, "fatal", SIM_EXIT_UNFINISHED, "%s at %s", s->fatal,
			                 end_where(s, pc, w, sizeof(w)));
			return LOOP_END;
		}
		info = abort_info(s, pc);
		break;
	default:
		*status = end_finish(s, "fatal", SIM_EXIT_UNFINISHED,
		                 "unsupported exception (Unicorn intno %u) at %s", s->intno,
		                 end_where(s, pc, w, sizeof(w)));
		return LOOP_END;
	}
	return take(s, &info, pc_insn, pref, status);
}

static enum loop_result abort_unmapped(struct sim *s, uint64_t pc, int *status)
{
	struct exc_info info = abort_info(s, pc);
	return take(s, &info, pc, pc, status);
}

static void after_eret(struct sim *s, uint64_t eret_pc, uint64_t target)
{
	unsigned from = s->el;
	s->last_exc.returned = true; /* ends any exception storm (exception_storm) */
	s->el = cpu_el(s);
	check_eret(s, eret_pc, from, s->el, target);
	if (s->trace) {
		char sym[64];
		trace_eret(s->trace, s->cpu, eret_pc, from, s->el, target,
		           mmu_symbolize(s, target, sym, sizeof(sym)));
	}
	mmu_sweep(s);
}

/* SPSR_ELx.M[4] (nRW) and T (D1.11.3, C5.2.18): the ERET returns to AArch32, in T32
 * when T is set. */
#define SPSR_NRW (UINT64_C(1) << 4)
#define SPSR_T (UINT64_C(1) << 5)
/* PSTATE.IL (D1.4): set by an illegal exception return. */
#define PSTATE_IL (UINT64_C(1) << 20)

/*
 * The ERET at eret_pc, taken at EL from_el, went to AArch32 state (Unicorn ran it as a
 * legal return: an illegal one stays in AArch64 with PSTATE.IL set, D1.11.3). hypsim does
 * not model AArch32 (its encodings are not A64, its SMC is not PSCI, its blocks are not
 * 4 bytes an instruction): the run ends before the first AArch32 instruction runs, so the
 * instruction count is exact. Returns true with *status set when it did.
 */
static bool eret_to_aarch32(struct sim *s, unsigned from_el, uint64_t eret_pc, uint64_t npc,
                            int *status)
{
	uint64_t spsr = cpu_read_sysreg(s, from_el == 2 ? CSR_SPSR_EL2 : CSR_SPSR_EL1);
	if (!(spsr & SPSR_NRW) || (cpu_pstate(s) & PSTATE_IL))
		return false;
	static const char *const modes[16] = {
	    [0x0] = "User", [0x1] = "FIQ",   [0x2] = "IRQ",       [0x3] = "Supervisor",
	    [0x7] = "Abort", [0xa] = "Hyp", [0xb] = "Undefined", [0xf] = "System"};
	unsigned m = (unsigned)(spsr & 0xf);
	char w[128];
	*status = end_finish(
	    s, "unsupported", SIM_EXIT_UNFINISHED,
	    "AArch32 state entered at PC 0x%" PRIx64 " (%s, %s mode; ERET at %s): not supported",
	    npc, (spsr & SPSR_T) ? "T32" : "A32", modes[m] ? modes[m] : "reserved",
	    end_where(s, eret_pc, w, sizeof(w)));
	return true;
}

/*
 * An illegal exception return (D1.11.3: to a higher EL, an unimplemented or reserved mode,
 * EL1 with HCR_EL2.TGE, an EL whose register width differs): Unicorn 2.0.1 sets PSTATE.IL
 * and stays at the EL, as the architecture says, but its translator never checks IL, so
 * the instruction at the return address would run. With PSTATE.IL set every instruction
 * takes an Illegal Execution state exception (D1.11.4, EC 0x0e) instead: taken here, at
 * npc, before it runs. SPSR_ELx records IL = 1.
 */
static enum loop_result illegal_return(struct sim *s, uint64_t npc, int *status)
{
	if (!(cpu_pstate(s) & PSTATE_IL))
		return LOOP_CONTINUE;
	/* The instruction is fetched, then raises the exception instead of executing: it
	 * counts as executed, as any instruction that raises a synchronous exception does
	 * here (take()), and the model sees its fetch. */
	uint32_t enc = 0;
	if (!s->opt.no_check && hooks_read_insn(s, npc, &enc))
		check_fetch(s, npc, enc);
	s->insns++;
	struct exc_info info = {.cause = EXC_CAUSE_ILLEGAL_STATE};
	struct last_exc prev = s->last_exc;
	if (sim_take_exception(s, &info, npc, npc)) {
		*status = end_finish(s, "fatal", SIM_EXIT_UNFINISHED, "%s", s->fatal);
		return LOOP_END;
	}
	exception_storm(s, &prev);
	return LOOP_CONTINUE;
}

/* Unicorn stopped for a fault at npc, outside the block that ended with an ERET: the
 * ERET ran and the fault is the fetch at its target. */
static bool ret_target_faulted(const struct sim *s, uint64_t npc)
{
	bool fault = s->stop == STOP_INTR || s->stop == STOP_ABORT || s->stop == STOP_PLACEHOLDER;
	return fault && (npc < s->blk_va || npc >= s->blk_va + s->blk_size);
}

/* Unicorn's stop at `until` imitates a WFI (UNICORN-2.0.1: translate-a64.c, DISAS_WFI), so
 * where WFI traps (HCR_EL2.TWI at EL0/EL1, SCTLR_EL1.nTWI = 0 at EL0: D1.x) a slice cannot
 * end there: it ends at a block boundary instead. */
static bool wfi_traps(struct sim *s)
{
	if (s->el >= 2)
		return false;
	if (cpu_read_sysreg(s, CSR_HCR_EL2) & (UINT64_C(1) << 13))
		return true;
	return s->el == 0 && !(cpu_read_sysreg(s, CSR_SCTLR_EL1) & (UINT64_C(1) << 16));
}

int sim_run(struct sim *s)
{
	int status = SIM_EXIT_UNFINISHED;
	char w[128], le[256], pi[160];
	s->ncpus = s->opt.ncpus ? s->opt.ncpus : 1;
	s->opt.ncpus = s->ncpus;
	s->ram_ops = (struct mem_ops){.read = hooks_ram_read, .ctx = s};
	if (hooks_machine_setup(s))
		return end_finish(s, "fatal", SIM_EXIT_UNFINISHED, "%s", s->fatal);
	for (;;) {
		if (s->interrupted)
			return end_finish(s, "interrupted", SIM_EXIT_UNFINISHED,
			                  "interrupted after %" PRIu64 " instructions (SIG%s)",
			                  s->insns, sigabbrev_np(s->interrupted));
		if (s->trace && trace_halt(s->trace) == TRACE_HALT_ERROR)
			return SIM_EXIT_USAGE; /* main.c reports the first write error */
		if (s->trace && trace_halt(s->trace) == TRACE_HALT_LIMIT)
			return end_finish(s, "trace-limit", SIM_EXIT_UNFINISHED,
			                  "trace limit of %s reached after %" PRIu64
			                  " instructions",
			                  s->opt.trace_limit_text, s->insns);
		if (sched_next(s, &status) == LOOP_END)
			return status;
		uint64_t pc = cpu_reg(s, UC_ARM64_REG_PC);
		if (s->opt.max_insns && s->insns >= s->opt.max_insns) {
			if (s->ncpus > 1)
				return end_finish(s, "budget", SIM_EXIT_UNFINISHED,
				              "instruction budget of %" PRIu64
				              " exhausted (%s) at %s; last exception: %s",
				              s->opt.max_insns, sched_per_cpu_insns(s, pi, sizeof(pi)),
				              end_where(s, pc, w, sizeof(w)),
				              (sim_describe_last_exc(s, le, sizeof(le)), le));
			return end_finish(s, "budget", SIM_EXIT_UNFINISHED,
			              "instruction budget of %" PRIu64
			              " exhausted at %s; last exception: %s",
			              s->opt.max_insns, end_where(s, pc, w, sizeof(w)),
			              (sim_describe_last_exc(s, le, sizeof(le)), le));
		}
		/* The block hook stops before a block that would cross the budget or the end of
		 * the slice (only while another CPU can run). */
		s->insn_limit = s->opt.max_insns;
		if (s->can_yield && (!s->insn_limit || s->slice_end < s->insn_limit))
			s->insn_limit = s->slice_end;
		uint32_t enc = 0;
		s->stop = STOP_NONE;
		s->blk_stopped = false;
		mmu_fetch_forget(s);
		mmu_window_forget(s);
		uc_err e = uc_emu_start(s->uc, pc, s->until ? s->until : UINT64_MAX, 0, 0);
		uint64_t npc = cpu_reg(s, UC_ARM64_REG_PC);
		if (s->stop == STOP_BUDGET || s->stop == STOP_ERET || s->stop == STOP_HANG ||
		    s->stop == STOP_YIELD || s->stop == STOP_INTERRUPTED || s->stop == STOP_IRQ ||
		    s->stop == STOP_EVICT) {
			npc = s->block_stop_pc;
			cpu_set_reg(s, UC_ARM64_REG_PC, npc);
		}
		/* `until` serves one stretch: reached, or left for an exception (a new one is
		 * computed when needed). A restarted access (placeholder) resumes the stretch. */
		bool reached = s->until && npc == s->until;
		if (s->stop != STOP_PLACEHOLDER && s->stop != STOP_TABLE_STORE)
			s->until = 0;
		mmu_fetch_forget(s);
		check_settle(s);
		if (s->internal_error)
			return end_finish(s, "internal-error", SIM_EXIT_INTERNAL, "%s at %s", s->fatal,
			              end_where(s, npc, w, sizeof(w)));
		enum loop_result r = LOOP_CONTINUE;
		if (s->prev_block_eret && ret_target_faulted(s, npc)) {
			/* The ERET that ended the last block went to a target whose fetch faults:
			 * no block hook ran after it, yet the EL has changed. */
			s->prev_block_eret = false;
			if (eret_to_aarch32(s, s->el, s->blk_va + s->blk_size - 4, npc, &status))
				return status;
			after_eret(s, s->blk_va + s->blk_size - 4, npc);
		}
		switch (s->stop) {
		case STOP_BUDGET:
			if (s->insn_limit != s->opt.max_insns && wfi_traps(s)) {
				s->switch_now = true; /* the slice ends at this block boundary */
				break;
			}
			s->until = s->budget_stop_at;
			/* Unicorn checks `until` when it translates: drop the block's cached
			 * translation so that the new one stops there. */
			uc_ctl_remove_cache(s->uc, npc, s->until + 4);
			break;
		case STOP_YIELD:
			s->switch_now = true;
			break;
		case STOP_INTR:
			r = exception(s, npc, &status);
			break;
		case STOP_ABORT:
			/* mmu_hook_mem: the CPU as it was before the access that reached nothing
			 * or faults on its address size (its PC the access's instruction, written
			 * back before every access). */
			if (uc_context_restore(s->uc, s->abort_ctx) != UC_ERR_OK)
				return end_finish(s, "fatal", SIM_EXIT_UNFINISHED,
				              "unicorn: cannot restore the CPU for an abort");
			npc = cpu_reg(s, UC_ARM64_REG_PC);
			r = abort_unmapped(s, npc, &status);
			break;
		case STOP_PLACEHOLDER:
			/* A load or store: the CPU before it (mmu_hook_unmapped), whatever ran
			 * after the miss in the same block (a helper's store does not stop at
			 * once). */
			if (s->abort_ctx_miss && !s->abort.fetch) {
				if (uc_context_restore(s->uc, s->abort_ctx) != UC_ERR_OK)
					return end_finish(s, "fatal", SIM_EXIT_UNFINISHED,
					              "unicorn: cannot restore the CPU for a restart");
				npc = cpu_reg(s, UC_ARM64_REG_PC);
			}
			s->abort_ctx_miss = false;
			/* Decided here, after after_eret above: with the EL the CPU is in. */
			if (!mmu_map_placeholder(s)) {
				s->until = 0; /* the stretch is left for the exception */
				r = abort_unmapped(s, npc, &status);
				break;
			}
			end_uncount_from(s, npc);
			/* A fetch that missed is restarted from its own address. */
			if (s->abort.fetch)
				cpu_set_reg(s, UC_ARM64_REG_PC, s->abort.va);
			else {
				/* A load or store restarts: the instruction is not fetched anew
				 * (one `insn` event, one occurrence for --inject); its accesses
				 * are delivered again after their `abandon`. */
				s->restart_pending = true;
				s->restart_cpu = s->cpu;
				s->restart_pc = npc;
			}
			break;
		case STOP_EVICT:
			/* The block runs again without that placeholder: its fetch misses and
			 * aborts there (mmu_block_guarded). */
			mmu_evict(s, s->ph_evict_va);
			break;
		case STOP_CONTEXT:
			mmu_sweep(s);
			check_context(s);
			break;
		case STOP_TABLE_STORE:
			/* hazards.c, hook_mem_bare: the CPU as it was before the store. */
			if (uc_context_restore(s->uc, s->abort_ctx) != UC_ERR_OK)
				return end_finish(s, "fatal", SIM_EXIT_UNFINISHED,
				              "unicorn: cannot restore the CPU for a restart");
			npc = cpu_reg(s, UC_ARM64_REG_PC);
			end_uncount_from(s, npc);
			check_bare_restart(s, npc);
			break;
		case STOP_ERET:
			if (eret_to_aarch32(s, s->el, s->blk_va + s->blk_size - 4, npc, &status))
				return status;
			after_eret(s, s->blk_va + s->blk_size - 4, npc);
			r = illegal_return(s, npc, &status);
			break;
		case STOP_HANG:
			if (s->idle_loop_blocks <= 1)
				sched_mark_hung(s, npc,
				          "branch to self: the guest can never leave this loop",
				          "branch to self at %s; last exception: %s",
				          end_where_on(s, npc, w, sizeof(w), false),
				          (sim_describe_last_exc(s, le, sizeof(le)), le));
			else
				sched_mark_hung(s, npc,
				          "idle loop (hint instructions and branches only) with "
				          "nothing to wake it",
				          "idle loop of %u blocks at %s with nothing to wake it; last "
				          "exception: %s",
				          s->idle_loop_blocks, end_where_on(s, npc, w, sizeof(w), false),
				          (sim_describe_last_exc(s, le, sizeof(le)), le));
			break;
		case STOP_IRQ: {
			int rc = devices_take_irq(s, npc);
			if (rc < 0)
				return end_finish(s, "fatal", SIM_EXIT_UNFINISHED, "%s", s->fatal);
			if (rc > 0)
				devices_irq_recheck(s);
			break;
		}
		case STOP_INTERRUPTED:
			break; /* reported at the top of the loop */
		case STOP_FATAL:
			return end_finish(s, "fatal", SIM_EXIT_UNFINISHED, "%s", s->fatal);
		case STOP_NONE:
			/* A signal stops Unicorn from outside any hook: reported at the top. */
			if (s->interrupted)
				break;
			if (e != UC_ERR_OK)
				return end_finish(s, "fatal", SIM_EXIT_UNFINISHED, "unicorn: %s at %s",
				              uc_strerror(e), end_where(s, npc, w, sizeof(w)));
			if (reached)
				break; /* the stretch's last instruction ran */
			/* Otherwise Unicorn returns by itself only when the CPU halts: WFI. */
			if (hooks_read_insn(s, npc - 4, &enc) && enc == ENC_WFI) {
				/* D1.6.2: a pending interrupt, masked or not, completes the WFI; with
				 * none, virtual time jumps to the next timer deadline (devices.c). */
				if (devices_wfi_wakes(s) || (s->ncpus == 1 && devices_idle_skip(s)))
					break;
				/* It waits: an interrupt that becomes pending for it wakes it (another
				 * CPU's SGI, its timer as time passes, or time skipped when every
				 * CPU waits: sched_next); a hang only when none ever can. */
				s->cpus[s->cpu].hung_wfi = true;
				sched_mark_hung(s, npc - 4, "WFI with no interrupt source",
				          "WFI with no interrupt source at %s; last exception: %s",
				          end_where_on(s, npc - 4, w, sizeof(w), false),
				          (sim_describe_last_exc(s, le, sizeof(le)), le));
				break;
			}
			return end_finish(s, "fatal", SIM_EXIT_UNFINISHED,
			              "unicorn stopped unexpectedly at %s",
			              end_where(s, npc, w, sizeof(w)));
		}
		if (r == LOOP_END)
			return status;
	}
}

void sim_free_machine(struct sim *s)
{
	hooks_machine_teardown(s);
	check_free(s);
	free(s->ph);
	s->ph = NULL;
	free(s->ph_frames);
	s->ph_frames = NULL;
	s->ph_frames_cap = s->ph_frames_used = 0;
}

