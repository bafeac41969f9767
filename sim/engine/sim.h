/*
 * sim.h - the one context of a hypsim run (STYLE 9: thin hooks, one context, no globals).
 *
 * Every Unicorn hook receives a struct sim * as user data, turns its arguments into
 * architectural terms and returns; decisions that need the CPU stopped (exception entry,
 * aborts, keeping placeholder VAs in step with the tables) are recorded in `stop` and
 * taken by the run loop (run.c) between uc_emu_start calls.
 *
 * Fields are grouped by lifetime: configuration (the command line, the image), the
 * machine (one Unicorn instance, rebuilt on PSCI SYSTEM_RESET), and per-run state.
 *
 * Several CPUs (--cpus N) share that one Unicorn instance: each CPU's registers, system
 * registers included, live in a uc_context while another CPU runs, and the per-CPU fields
 * of this struct (el, the block bookkeeping, last_exc) always describe the CPU that runs,
 * `cpu`; the others' are kept in cpus[] (run.c, top: "Scheduling"; sched.c).
 */
#ifndef HYPSIM_SIM_SIM_H
#define HYPSIM_SIM_SIM_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <unicorn/unicorn.h>

#include "exc.h"
#include "machine/cpu_features.h"
#include "machine/image.h"
#include "machine/kernel_boot.h"
#include "machine/machine.h"
#include "machine/pl011.h"
#include "machine/timer.h"
#include "mem_ops.h"
#include "model.h"
#include "pt.h"

struct trace;
struct disasm;
struct check;
struct sim_timing;
struct inject;
struct rep_entry;
struct sim;

/*
 * What the engine and the checker tell fault injection (campaign/inject.c) about a run. They
 * sit below campaign/ and never call it (sim/README.md "Layout": dependencies point down), so
 * they call through this table instead, as the model calls RAM through struct mem_ops and
 * Linux's page-table code calls its owner through kvm_pgtable_mm_ops. campaign/inject.h
 * provides inject_hooks; whoever sets struct sim.inj sets inj_hooks with it.
 */
struct sim_inject_hooks {
	/* The code hook, before the model sees the instruction at pc. May change *enc (a
	 * weakened barrier). True when the instruction is dropped: Unicorn's PC is already past
	 * it and the caller must not deliver it. */
	bool (*code)(struct sim *s, uint64_t pc, uint32_t *enc);
	/* Every folded hazard report (is_new: a cause not seen before in this run). */
	void (*report)(struct sim *s, const struct rep_entry *e, bool is_new);
};

/* Exit statuses (DESIGN §5, README). A run that reported hazards (other than only a
 * guest hang) exits 1 whatever its ending; 4 is hypsim's own failure (--check-unicorn). */
enum sim_exit {
	SIM_EXIT_OFF = 0,
	SIM_EXIT_HAZARD = 1,
	SIM_EXIT_USAGE = 2,
	SIM_EXIT_UNFINISHED = 3,
	SIM_EXIT_INTERNAL = 4,
};

struct sim_options {
	const char *firmware;
	const char *trace_path; /* NULL: no trace */
	unsigned trace_schema;  /* --trace-schema; 0: TRACE_SCHEMA */
	uint64_t trace_limit;   /* --trace-limit: the run stops when the trace is this big */
	const char *trace_limit_text; /* as given ("4G"), for the message */
	const char *uart_path;  /* NULL: guest text to stdout */
	uint64_t max_insns;     /* 0: no budget */
	uint64_t ram_base;      /* PA of RAM (--ram-base, default MACH_RAM_BASE) */
	uint64_t ram_size;
	unsigned ncpus;     /* --cpus: CPUs of the machine (0 is taken as 1) */
	bool json;          /* --json: one JSON object per hazard report on stdout */
	bool check_unicorn; /* --check-unicorn: compare Unicorn with the model (debug) */
	bool no_check;      /* --no-check: no model hooks, for benchmarks (tools/bench) */
	bool tlb_accessed;  /* --tlb accessed (default speculative) */
	enum wb_policy wb_policy; /* --inject writeback=... (default WB_ANY) */
	uint64_t wb_seed;
	struct kboot_args kernel; /* --kernel, --dtb, --append, --initrd, --symbols */
	bool no_reboot;           /* --no-reboot: PSCI SYSTEM_RESET ends the run (exit 0) */
	int argc;           /* the command line, recorded in the trace header */
	char **argv;
};

/* Why the run loop regained control (set by hooks, consumed by run.c). */
enum stop_kind {
	STOP_NONE,
	STOP_INTR,        /* UC_HOOK_INTR: intno and the PC Unicorn reported */
	STOP_ABORT,       /* an abort decided by hypsim (unmapped VA, PA with nothing behind it) */
	STOP_PLACEHOLDER, /* an access Unicorn has no region for: a placeholder and a restart, or an abort */
	STOP_CONTEXT,     /* a write that changes translation: re-check placeholder VAs */
	STOP_TABLE_STORE, /* --no-check: a store reached a live table: restart it, TLB flushed */
	STOP_ERET,        /* the previous block ended with ERET: the EL may have changed */
	STOP_BUDGET,      /* the next block would exceed --max-insns: run up to the limit */
	STOP_HANG,        /* a block that branches to itself doing nothing */
	STOP_IRQ,         /* an interrupt is taken before the next block (devices.c) */
	STOP_YIELD,       /* the previous block ended with WFE/YIELD, or the slice ends here */
	STOP_INTERRUPTED, /* a signal, or the trace's limit or write error (trace_halt) */
	STOP_FATAL,       /* a host-side failure inside a hook (message in fatal) */
	STOP_EVICT,       /* a block over a placeholder (the other regime's, or holey) that must
	                   * not run there (ph_evict_va): drop it, run the block again (mmu.c) */
};

struct pending_abort {
	bool fetch;
	bool write;
	bool cache_maint;
	uint64_t va;
	struct fault fault;
	/* A fault of the EL1&0 regime under stage 2 (HCR_EL2.VM=1): taken to EL2 with
	 * HPFAR_EL2 = the IPA (D8.x "Stage 2 fault"); s1ptw on a stage 1 table read. */
	bool stage2, s1ptw;
	uint64_t ipa;
};

/* The last exception hypsim performed, for the hang report ("last exception taken"). */
/* One device region Unicorn calls back (devices.c): the run and the region's base PA. */
struct sim_mmio {
	struct sim *s;
	uint64_t base;
};

struct gic;

struct last_exc {
	bool valid;
	enum exc_cause cause;
	unsigned from_el, to_el;
	uint64_t pc, esr, far, vector;
	bool far_valid;
	char sym[64];
	/* Exception storms (run.c, exception_storm): the instruction count when it was
	 * taken, whether an ERET ran since, and how many exceptions in a row repeated it. */
	uint64_t at_insns;
	bool returned;
	unsigned repeats;
};

/* A VA that Unicorn must see as mapped so that it walks the guest's tables (mmu.c). */
/* The registers of the current EL's regime (engine/mmu.c, one read for many walks). */
struct mmu_regs {
	unsigned el;
	uint64_t sctlr, tcr, ttbr0, ttbr1, mair;
	uint64_t hcr, vtcr, vttbr; /* EL1/EL0: stage 2 when HCR_EL2.VM (else 0) */
};

/* A placeholder VA window (engine/mmu.c), checked against the walk of one translation
 * regime: PH_EL10 (EL1&0, also EL0's) or PH_EL2. */
enum { PH_EL10, PH_EL2, PH_NREGIMES };
#define PH_REGIME(el) ((el) == 2 ? PH_EL2 : PH_EL10)
struct placeholder {
	uint64_t va, size;
	unsigned regime;
	/* Some of its pages translation-fault (a TLBI by VA after the descriptor was cleared):
	 * Unicorn raises those itself, and an access there is checked (mmu_ph_guarded). */
	bool holey;
};
/* The 2 MiB frames that hold placeholders, by regime (mmu.c: an access in a frame of the
 * regime the CPU is not in is checked before Unicorn performs it). */
struct ph_frame {
	uint64_t frame; /* va >> 21, plus one (0: a free slot) */
	uint32_t n[PH_NREGIMES]; /* placeholders */
	uint32_t h[PH_NREGIMES]; /* of which holey */
};

/* At most as many CPUs as the model follows (MODEL_MAX_CPUS). */
#define SIM_MAX_CPUS 8
/* Idle blocks followed in a chain to find an idle loop (hooks.c, idle_loop). */
#define SIM_IDLE_RING 8
/* Instructions a CPU runs before the next runnable CPU takes over (run.c, top: "Scheduling"; sched.c). */
#define SIM_QUANTUM 1000
/* Exception storms (run.c): nested repeats of one exception, each within SIM_STORM_SPAN
 * instructions of the previous, that make a hang. */
#define SIM_STORM_REPEATS 8
#define SIM_STORM_SPAN 64

/* One CPU of the machine. While it runs, the fields below marked "saved" are struct sim's
 * own (el, last_exc, ...); they are copied here when another CPU takes over. */
struct sim_cpu {
	enum psci_power power;
	uc_context *ctx; /* its Unicorn state while another CPU runs (--cpus > 1) */
	uint64_t entry;  /* PSCI CPU_ON: where it enters, and its x0 */
	uint64_t context_id;
	bool hung; /* it can never run again: branch to self, WFI, a looping abort */
	bool hung_wfi; /* hung in a WFI: an interrupt another CPU raises (an SGI) wakes it */
	uint64_t hang_pc;
	char hang_what[96]; /* what its guest-hang report says */
	char hang_msg[400]; /* "branch to self at ...; last exception: ..." */
	uint64_t insns;     /* instructions it executed, before its current slice */
	/* saved */
	unsigned el;
	bool prev_block_eret, prev_block_wfe;
	uint64_t prev_block_va;
	struct last_exc last_exc;
	uint64_t idle_va[SIM_IDLE_RING];
	unsigned nidle;
	uint64_t idle_next;
	/* Not saved: always this CPU's. Its generic timer (machine/timer.h), read and written
	 * by the MRS/MSR hooks (hooks.c) on the machine count. */
	struct timer_cpu timer;
	/* Its Unicorn state at the last ERET to EL0 (hooks.c, block hook), from which an
	 * exception from EL0 is entered (cpu.c, leave_el0); NULL until one happens. */
	uc_context *eret_ctx;
};

struct sim {
	/* Configuration: fixed for the whole program. */
	struct sim_options opt;
	struct image img;
	struct kboot_info kinfo; /* --kernel: what was loaded where (kernel_boot.h) */
	const char *name; /* the firmware path as given, for messages */

	/* The CPU the machine presents (ID registers, the model's features), and what its
	 * ID registers read, indexed by enum cpu_id_reg (hooks.c, hook_mrs). */
	struct cpu_features feat;
	uint64_t id_value[CPU_ID_DFR0_EL1 + 1];
	/* The system counter: count = timer_count_at(timer_cfg, instructions executed by all
	 * CPUs) (hooks.c, hooks_machine_count). */
	struct timer_cfg timer_cfg;

	/* Machine: one Unicorn instance and the memory behind it. */
	uc_engine *uc;
	unsigned ncpus; /* opt.ncpus, at least 1 */
	unsigned cpu;   /* the CPU that runs (or ran last) */
	struct sim_cpu cpus[SIM_MAX_CPUS];
	uc_context *pristine; /* Unicorn's CPU as uc_open made it (--cpus > 1): CPU_ON */
	uint8_t *ram; /* host copy of guest RAM, shared with Unicorn (uc_mem_map_ptr) */
	struct mem_ops ram_ops;
	uint64_t scratch_pa; /* a free page for the ERET used to change EL (cpu.c) */
	struct placeholder *ph;
	size_t nph, ph_cap;
	struct pl011 uart; /* the console (devices.c) */
	struct gic *gic;   /* the interrupt controller (devices.c) */
	struct sim_mmio gic_mmio[4];
	/* Interrupt lines into the running CPU, recomputed when the GIC's generation moves
	 * (irq_gen; UINT64_MAX: recompute) or HCR_EL2 is written (devices.c). */
	uint64_t irq_gen;
	unsigned irq_lines, hcr_lines;
	uint64_t interrupts; /* IRQs/FIQs taken */
	/* Virtual time (devices.c): the count is timer_count_at(timer_cfg, insns + idle_insns),
	 * idle_insns the instructions' worth of time skipped while every CPU waited in WFI
	 * for a timer. timer_due: insns + idle_insns at which a timer output next rises
	 * (UINT64_MAX: none armed; 0: recompute at the next block). */
	uint64_t idle_insns;
	uint64_t timer_due;
	/* What each regime's placeholders were last checked against (mmu_sweep): its
	 * registers, and the TLBIs that cover it since. A sweep whose registers are unchanged
	 * re-checks only the pages of the TLBIs by VA; a TLBI of another form re-checks every
	 * placeholder of the regime. The other regime's placeholders wait for the CPU to
	 * return to it (an exception to EL2 and the ERET back keep EL1's). */
	struct ph_regime {
		struct mmu_regs regs;
		bool regs_valid, tlbi_all;
		unsigned ntlbi_va;
		uint64_t tlbi_va[8];
	} ph_rg[PH_NREGIMES];
	size_t ph_count[PH_NREGIMES]; /* placeholders of each regime */
	size_t ph_holey[PH_NREGIMES]; /* of which holey */
	struct ph_frame *ph_frames;   /* open addressing on the frame; never shrinks */
	size_t ph_frames_cap, ph_frames_used;
	uint64_t ph_frames_gen; /* moves with every change of ph_frames */
	struct {
		uint64_t gen, frame; /* valid while gen == ph_frames_gen + 1 */
		unsigned regime;
		bool hit;
	} guard_last; /* mmu_ph_guarded's last answer */
	FILE *uart_out;
	char uart_line[256];
	size_t uart_len;
	struct trace *trace;
	struct disasm *dis;
	struct check *chk; /* the model and the hazard reports (hazards.c) */
	struct sim_timing *timing; /* --timing: the cost model and its phases (timing.c) */
	struct inject *inj; /* --inject, scenarios, campaigns (inject.h); NULL: none */
	const struct sim_inject_hooks *inj_hooks; /* set with inj; NULL: none */
	/* One cached instruction-page translation (mmu_read_va), dropped whenever the run
	 * loop regains control (MSR, TLBI, exceptions, ERET) and whenever hypsim flushes
	 * Unicorn's TLB (cpu_flush_tlb: a store to a live table, inside a block). */
	bool fetch_valid;
	unsigned fetch_el;
	uint64_t fetch_va_page;
	const uint8_t *fetch_host;
	/* Earlier instruction pages of the same stretch (mmu_fetch_cached): an entry is valid
	 * while its gen is fetch_gen + 1; mmu_fetch_forget drops them all with fetch_valid. */
	struct fetch_entry {
		uint64_t va_page, gen;
		const uint8_t *host;
		unsigned el;
	} fetch_cache[32];
	uint64_t fetch_gen;

	/* Per run. */
	uint64_t insns;  /* instructions executed so far (exact) */
	uint64_t blk_va; /* the block being executed, counted at its start */
	uint32_t blk_size;
	uint64_t until; /* end of the budget's last stretch (0: none), see run.c */
	uint64_t budget_stop_at;
	uint64_t block_stop_pc;
	uint64_t ph_evict_va; /* STOP_EVICT */
	bool host_op;        /* hypsim itself runs Unicorn (cpu_enter): hooks stand aside */
	bool blk_stopped;    /* the block hook stopped Unicorn before the block ran */
	/* An access of restart_pc (on CPU restart_cpu) stopped for its placeholder and is
	 * restarted: its instruction was fetched, counted by injections and checked already. */
	bool restart_pending;
	unsigned restart_cpu;
	uint64_t restart_pc;
	bool internal_error; /* --check-unicorn found a disagreement (message in fatal) */
	bool prev_block_eret;
	bool prev_block_wfe;
	uint64_t prev_block_va;
	/* The idle blocks (hint instructions and B only) just run in a chain, where the last
	 * goes, and the length of the idle loop found (hooks.c, idle_loop). */
	uint64_t idle_va[SIM_IDLE_RING];
	unsigned nidle;
	uint64_t idle_next;
	unsigned idle_loop_blocks;
	/* Scheduling (--cpus > 1): the current slice ends at slice_end instructions; another
	 * CPU is runnable (can_yield); a WFE/YIELD or the slice's end asks for a switch. */
	uint64_t slice_start, slice_end;
	uint64_t insn_limit; /* what the block hook stops at: the budget, or slice_end */
	bool can_yield;
	bool switch_now;
	char off_msg[256]; /* the last CPU_OFF, for the "cpu-off" ending */
	unsigned el;     /* current EL, kept by hypsim (PSTATE is read when it changes) */
	unsigned resets; /* PSCI SYSTEM_RESET count */
	enum stop_kind stop;
	uint32_t intno;
	struct pending_abort abort;
	/* A VA Unicorn maps (the PA window of RAM or a device) that the guest's tables send to a
	 * PA with nothing behind it (mmu_hook_mem): the CPU as it was before the access,
	 * restored before the External abort is taken. Also the CPU at a load or store that
	 * missed a placeholder (mmu_hook_unmapped, abort_ctx_miss set), restored before the
	 * instruction is restarted or its abort taken. */
	uc_context *abort_ctx;
	bool abort_ctx_miss;
	/* mmu_hook_mem's view of the current regime, dropped whenever the run loop regains
	 * control and whenever hypsim flushes Unicorn's TLB: whether its MMU is on (0: not
	 * known yet, 1: off, 2: on) and, per VA page, the abort hypsim takes itself there
	 * (External: no device; Address size) or FAULT_NONE. */
	unsigned win_mmu;
	uint64_t win_gen;
	struct win_entry {
		uint64_t page, gen;
		struct fault abort;
	} win_cache[64];
	char fatal[160];
	struct last_exc last_exc;
	uint64_t exceptions;
	volatile sig_atomic_t interrupted; /* the signal that ended the run (main.c) */
	int uart_errno;         /* the first failed write of the guest's text (errno), 0: none */
	const char *end_reason; /* how the run ended (trace "end" reason) and why */
	char end_msg[512];
};

/* Request that the run loop regain control with reason k (first reason wins). Inline here
 * rather than in run.c: the hooks of every engine file call it, and none of them may call
 * back into the run loop (sim/engine/README.md). */
static inline void sim_request_stop(struct sim *s, enum stop_kind k)
{
	if (s->stop == STOP_NONE)
		s->stop = k;
	uc_emu_stop(s->uc);
}

#endif /* HYPSIM_SIM_SIM_H */
