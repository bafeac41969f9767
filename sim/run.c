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
 * Scheduling (--cpus N > 1). The CPUs share one Unicorn instance; each CPU's state is a
 * uc_context, which on 2.0.1 is the whole CPUARMState up to its watchpoints: general and
 * system registers and the translator's cached EL flags (TTBR0_EL2, CurrentEL and an EL1
 * context's UNDEFINED `mrs ttbr0_el2` all follow the restored context). Unicorn's TLB is
 * not in it and is flushed at every switch; translated code is shared, so code one CPU
 * writes is seen by the others (one engine per CPU on the same RAM keeps running stale
 * translations). sim/tests/test_unicorn_smp.c checks these three facts; a switch costs
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
#include "run.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "arch.h"
#include "hazards.h"
#include "inject.h"
#include "cpu.h"
#include "disasm.h"
#include "machine.h"
#include "mmu.h"
#include "msg.h"
#include "timing.h"
#include "trace.h"

#define ENC_ERET      UINT32_C(0xd69f03e0)
#define ENC_WFI       UINT32_C(0xd503207f)
#define ENC_WFE       UINT32_C(0xd503205f)
#define ENC_NOP       UINT32_C(0xd503201f)
#define ENC_YIELD     UINT32_C(0xd503203f)
#define ENC_SEV_LOCAL UINT32_C(0xd50320bf)

void sim_request_stop(struct sim *s, enum stop_kind k)
{
	if (s->stop == STOP_NONE)
		s->stop = k;
	uc_emu_stop(s->uc);
}

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

char *sim_symbolize(struct sim *s, uint64_t va, char *buf, size_t len)
{
	img_symbolize(&s->img, va, buf, len);
	if (buf[0] || !s->uc)
		return buf;
	/* A VA of the MMU-on regime (an alias, a HYP VA): name the PA it runs from. */
	struct mmu_xlate x;
	mmu_translate(s, va, ACC_FETCH, 4, &x);
	if (x.mmu_on && x.fault.type == FAULT_NONE)
		img_symbolize(&s->img, x.pa, buf, len);
	return buf;
}

/* The instruction at va (fetch permission, current regime); false if it cannot be read. */
static bool read_insn(struct sim *s, uint64_t va, uint32_t *enc)
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
 * sim/rejoin.c). The read hits the cached instruction-page translation. */
static uint32_t block_last_insn(struct sim *s, uint64_t va, uint32_t size)
{
	uint32_t last = 0;
	if (size < 4 || !read_insn(s, va + size - 4, &last))
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
		if (!read_insn(s, va + off, &enc))
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
	if (!read_insn(s, addr, &enc))
		return; /* Unicorn raises the abort */
	if (s->inj && inject_code(s, addr, &enc))
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
		trace_sysreg(s->trace, s->cpu, pc, sim_symbolize(s, pc, sym, sizeof(sym)), s->el,
		             cpu_sysregs[r].name, cpu_read_sysreg(s, r), cp->val);
	}
	if (!s->opt.no_check)
		check_msr(s, cp);
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

static uint64_t uart_read(uc_engine *uc, uint64_t offset, unsigned size, void *user)
{
	(void)uc;
	(void)size;
	(void)user;
	/* PL011 UARTFR: TX FIFO empty, RX FIFO empty, never busy. */
	return offset == MACH_UART_FR ? (1u << 7) | (1u << 4) : 0;
}

static void uart_flush_line(struct sim *s)
{
	if (s->uart_len && s->trace)
		trace_uart(s->trace, s->cpu, s->uart_line, s->uart_len);
	s->uart_len = 0;
}

static void uart_write(uc_engine *uc, uint64_t offset, unsigned size, uint64_t value, void *user)
{
	struct sim *s = user;
	(void)uc;
	(void)size;
	if (offset != MACH_UART_DR)
		return;
	char c = (char)(value & 0xff);
	if (fputc(c, s->uart_out) == EOF && !s->uart_errno)
		s->uart_errno = errno; /* reported by main.c at the end of the run */
	s->uart_line[s->uart_len++] = c;
	if (c == '\n' || s->uart_len == sizeof(s->uart_line))
		uart_flush_line(s);
}

/* ---- machine ---- */

static int machine_setup(struct sim *s)
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
		e = uc_mmio_map(s->uc, MACH_UART_BASE, MACH_UART_SIZE, uart_read, s, uart_write, s);
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

static void machine_teardown(struct sim *s)
{
	check_free_machine(s);
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

static bool ram_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	struct sim *s = ctx;
	if (!mach_pa_in_ram(s->opt.ram_base, s->opt.ram_size, pa, len))
		return false;
	memcpy(buf, s->ram + (pa - s->opt.ram_base), len);
	return true;
}

/* ---- endings ---- */

static int finish(struct sim *s, const char *reason, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int finish(struct sim *s, const char *reason, int status, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->end_reason = reason;
	snprintf(s->end_msg, sizeof(s->end_msg), "%s", msg);
	uart_flush_line(s);
	fflush(s->uart_out);
	uint64_t pc = s->uc ? cpu_reg(s, UC_ARM64_REG_PC) : 0;
	char sym[64] = "";
	if (s->uc)
		sim_symbolize(s, pc, sym, sizeof(sym));
	if (status == SIM_EXIT_INTERNAL)
		fprintf(stderr, "sim: internal error: %s (%s)\n", msg, s->name);
	else
		fprintf(stderr, "sim: %s: %s\n", s->name, msg);
	int run_status = status;
	status = check_end(s, status);
	if (s->timing)
		sim_timing_print(s->timing, &s->img, stderr);
	if (s->trace)
		trace_end(s->trace, reason, run_status, status, s->insns, pc, sym, msg);
	return status;
}

/* "0x40101010 (spin_forever+0x0) at EL2"; with several CPUs and name_cpu, "... at EL2 on
 * CPU 1". */
static const char *where_on(struct sim *s, uint64_t pc, char *buf, size_t len, bool name_cpu)
{
	char sym[64], on[16] = "";
	sim_symbolize(s, pc, sym, sizeof(sym));
	if (s->ncpus > 1 && name_cpu)
		snprintf(on, sizeof(on), " on CPU %u", s->cpu);
	snprintf(buf, len, "0x%" PRIx64 "%s%s%s at EL%u%s", pc, sym[0] ? " (" : "", sym,
	         sym[0] ? ")" : "", s->el, on);
	return buf;
}

static const char *where(struct sim *s, uint64_t pc, char *buf, size_t len)
{
	return where_on(s, pc, buf, len, true);
}

/* Unicorn left the block counted at its start before pc: take back the instructions
 * from pc on, which did not run. */
static void uncount_from(struct sim *s, uint64_t pc)
{
	if (pc < s->blk_va || pc >= s->blk_va + s->blk_size)
		return;
	s->insns -= (s->blk_va + s->blk_size - pc) / 4;
}

/* An exception raised by pc_insn: it counts as executed, the ones after it did not run. */
static void uncount_after(struct sim *s, uint64_t pc_insn)
{
	uncount_from(s, pc_insn + 4);
}

enum loop_result { LOOP_CONTINUE, LOOP_END };

/* ---- scheduling (--cpus > 1, see the top of this file) ---- */

static bool runnable(const struct sim_cpu *c)
{
	return c->power != PSCI_POWER_OFF && !c->hung;
}

/* Instructions each CPU executed, "cpu0 123, cpu1 45", for the end line. */
static const char *per_cpu_insns(struct sim *s, char *buf, size_t len)
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
 * when every CPU that is on hangs (schedule()).
 */
static void mark_hung(struct sim *s, uint64_t pc, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void mark_hung(struct sim *s, uint64_t pc, const char *what, const char *fmt, ...)
{
	struct sim_cpu *c = &s->cpus[s->cpu];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->hang_msg, sizeof(c->hang_msg), fmt, ap);
	va_end(ap);
	c->hung = true;
	c->hang_pc = pc;
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
	uart_flush_line(s); /* each `uart` trace line is one CPU's */
	struct regime_key before = regime_key(s);
	o->insns += s->insns - s->slice_start;
	o->el = s->el;
	o->prev_block_eret = s->prev_block_eret;
	o->prev_block_wfe = s->prev_block_wfe;
	o->prev_block_va = s->prev_block_va;
	o->last_exc = s->last_exc;
	uc_err e = uc_context_save(s->uc, o->ctx);
	if (e == UC_ERR_OK)
		e = uc_context_restore(s->uc, n->power == PSCI_POWER_ON ? n->ctx : s->pristine);
	if (e != UC_ERR_OK) {
		snprintf(s->fatal, sizeof(s->fatal), "unicorn: switching to CPU %u: %s", next,
		         uc_strerror(e));
		return -1;
	}
	s->cpu = next;
	s->until = 0;
	s->fetch_valid = false;
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
	} else {
		/* Its first turn since CPU_ON: Unicorn's reset CPU, then DESIGN §2's. */
		s->el = 1;
		s->prev_block_eret = s->prev_block_wfe = false;
		s->prev_block_va = UINT64_MAX;
		s->last_exc = (struct last_exc){0};
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
static enum loop_result schedule(struct sim *s, int *status)
{
	unsigned cur = s->cpu, next = cur;
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
			*status = finish(s, "fatal", SIM_EXIT_UNFINISHED, "%s at %s", s->fatal,
			                 where(s, cpu_reg(s, UC_ARM64_REG_PC), w, sizeof(w)));
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
		return finish(s, "cpu-off", SIM_EXIT_UNFINISHED, "%s", s->off_msg);
	if (s->ncpus == 1)
		return finish(s, "hang", SIM_EXIT_UNFINISHED, "guest hang: %s",
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
	return finish(s, "hang", SIM_EXIT_UNFINISHED, "%s", msg);
}

/* ---- PSCI ---- */

static enum loop_result smc(struct sim *s, uint64_t pc_after, int *status)
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
		s->cpus[r.target].hung = false;
		s->cpus[r.target].entry = r.entry;
		s->cpus[r.target].context_id = r.context_id;
		check_cpu_on(s, r.target, pc_after - 4, r.entry, r.context_id);
		cpu_set_reg(s, UC_ARM64_REG_X0, (uint64_t)r.x0);
		return LOOP_CONTINUE;
	case PSCI_ACT_SYSTEM_OFF:
		if (s->ncpus == 1)
			*status =
			    finish(s, "system-off", SIM_EXIT_OFF,
			           "PSCI SYSTEM_OFF after %" PRIu64 " instructions", s->insns);
		else {
			char msg[512], part[128];
			snprintf(msg, sizeof(msg),
			         "PSCI SYSTEM_OFF from CPU %u after %" PRIu64 " instructions (%s)",
			         s->cpu, s->insns, per_cpu_insns(s, part, sizeof(part)));
			/* A CPU that hangs while the system powers off is worth a word. */
			for (unsigned i = 0; i < s->ncpus; i++) {
				if (s->cpus[i].power == PSCI_POWER_OFF || !s->cpus[i].hung)
					continue;
				size_t l = strlen(msg);
				snprintf(msg + l, sizeof(msg) - l, " [CPU %u hangs] %s", i,
				         s->cpus[i].hang_msg);
			}
			*status = finish(s, "system-off", SIM_EXIT_OFF, "%s", msg);
		}
		return LOOP_END;
	case PSCI_ACT_SYSTEM_RESET:
		s->resets++;
		machine_teardown(s);
		s->ram_ops.ctx = s;
		if (machine_setup(s)) {
			*status = finish(s, "fatal", SIM_EXIT_UNFINISHED, "%s", s->fatal);
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
		         s->cpu, where(s, pc_after - 4, w, sizeof(w)));
		return LOOP_CONTINUE;
	}
	return LOOP_CONTINUE;
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
	mark_hung(s, pc_insn,
	          "the instruction abort vector faults itself: the same exception is taken "
	          "forever",
	          "the fetch at the instruction abort vector %s faults, taking the same "
	          "exception forever",
	          where_on(s, pc_insn, w, sizeof(w), false));
	return true;
}

/* The exception of the abort recorded in s->abort (mmu.c). */
static struct exc_info abort_info(const struct sim *s)
{
	return (struct exc_info){
	    .cause = s->abort.fetch ? EXC_CAUSE_INSN_ABORT : EXC_CAUSE_DATA_ABORT,
	    .fault = s->abort.fault,
	    .write = s->abort.write,
	    .cache_maint = s->abort.cache_maint,
	    .far = s->abort.va,
	    .far_valid = true,
	};
}

/* pc_insn raised info (preferred return address pref): it counts as executed, the rest of
 * its block did not run; the exception is taken. */
static enum loop_result take(struct sim *s, struct exc_info *info, uint64_t pc_insn,
                             uint64_t pref, int *status)
{
	uncount_after(s, pc_insn);
	if (sim_take_exception(s, info, pc_insn, pref)) {
		*status = finish(s, "fatal", SIM_EXIT_UNFINISHED, "%s", s->fatal);
		return LOOP_END;
	}
	if (info->cause == EXC_CAUSE_INSN_ABORT)
		abort_loops(s, pc_insn);
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
		read_insn(s, pc_insn, &enc);
		info.cause = s->intno == 11 ? EXC_CAUSE_HVC : EXC_CAUSE_SVC;
		info.imm16 = (uint16_t)(enc >> 5);
		break;
	case 13: /* SMC: answered by hypsim as EL3 firmware (PSCI), no exception entry */
		return smc(s, pc, status);
	case 7: /* BRK: reported at the instruction, which is also the preferred return */
		read_insn(s, pc, &enc);
		info.cause = EXC_CAUSE_BRK;
		info.imm16 = (uint16_t)(enc >> 5);
		break;
	case 1: /* UNDEFINED */
		info.cause = EXC_CAUSE_UNDEFINED;
		break;
	case 3: /* prefetch abort after Unicorn's own walk */
	case 4: /* data abort */
		if (!mmu_classify_abort(s, s->intno == 3, pc)) {
			*status = finish(s, "fatal", SIM_EXIT_UNFINISHED, "%s at %s", s->fatal,
			                 where(s, pc, w, sizeof(w)));
			return LOOP_END;
		}
		info = abort_info(s);
		break;
	default:
		*status = finish(s, "fatal", SIM_EXIT_UNFINISHED,
		                 "unsupported exception (Unicorn intno %u) at %s", s->intno,
		                 where(s, pc, w, sizeof(w)));
		return LOOP_END;
	}
	return take(s, &info, pc_insn, pref, status);
}

static enum loop_result abort_unmapped(struct sim *s, uint64_t pc, int *status)
{
	struct exc_info info = abort_info(s);
	return take(s, &info, pc, pc, status);
}

static void after_eret(struct sim *s, uint64_t eret_pc, uint64_t target)
{
	unsigned from = s->el;
	s->el = cpu_el(s);
	check_eret(s, eret_pc, from, s->el, target);
	if (s->trace) {
		char sym[64];
		trace_eret(s->trace, s->cpu, eret_pc, from, s->el, target,
		           sim_symbolize(s, target, sym, sizeof(sym)));
	}
	mmu_sweep(s);
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
	s->ram_ops = (struct mem_ops){.read = ram_read, .ctx = s};
	if (machine_setup(s))
		return finish(s, "fatal", SIM_EXIT_UNFINISHED, "%s", s->fatal);
	for (;;) {
		if (s->interrupted)
			return finish(s, "interrupted", SIM_EXIT_UNFINISHED,
			              "interrupted after %" PRIu64 " instructions (SIG%s)", s->insns,
			              sigabbrev_np(s->interrupted));
		if (s->trace && trace_halt(s->trace) == TRACE_HALT_ERROR)
			return SIM_EXIT_USAGE; /* main.c reports the first write error */
		if (s->trace && trace_halt(s->trace) == TRACE_HALT_LIMIT)
			return finish(s, "trace-limit", SIM_EXIT_UNFINISHED,
			              "trace limit of %s reached after %" PRIu64 " instructions",
			              s->opt.trace_limit_text, s->insns);
		if (schedule(s, &status) == LOOP_END)
			return status;
		uint64_t pc = cpu_reg(s, UC_ARM64_REG_PC);
		if (s->opt.max_insns && s->insns >= s->opt.max_insns) {
			if (s->ncpus > 1)
				return finish(s, "budget", SIM_EXIT_UNFINISHED,
				              "instruction budget of %" PRIu64
				              " exhausted (%s) at %s; last exception: %s",
				              s->opt.max_insns, per_cpu_insns(s, pi, sizeof(pi)),
				              where(s, pc, w, sizeof(w)),
				              (sim_describe_last_exc(s, le, sizeof(le)), le));
			return finish(s, "budget", SIM_EXIT_UNFINISHED,
			              "instruction budget of %" PRIu64
			              " exhausted at %s; last exception: %s",
			              s->opt.max_insns, where(s, pc, w, sizeof(w)),
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
		s->fetch_valid = false;
		uc_err e = uc_emu_start(s->uc, pc, s->until ? s->until : UINT64_MAX, 0, 0);
		uint64_t npc = cpu_reg(s, UC_ARM64_REG_PC);
		if (s->stop == STOP_BUDGET || s->stop == STOP_ERET || s->stop == STOP_HANG ||
		    s->stop == STOP_YIELD || s->stop == STOP_INTERRUPTED) {
			npc = s->block_stop_pc;
			cpu_set_reg(s, UC_ARM64_REG_PC, npc);
		}
		/* `until` serves one stretch: reached, or left for an exception (a new one is
		 * computed when needed). A restarted access (placeholder) resumes the stretch. */
		bool reached = s->until && npc == s->until;
		if (s->stop != STOP_PLACEHOLDER)
			s->until = 0;
		s->fetch_valid = false;
		check_settle(s);
		if (s->internal_error)
			return finish(s, "internal-error", SIM_EXIT_INTERNAL, "%s at %s", s->fatal,
			              where(s, npc, w, sizeof(w)));
		enum loop_result r = LOOP_CONTINUE;
		if (s->prev_block_eret && ret_target_faulted(s, npc)) {
			/* The ERET that ended the last block went to a target whose fetch faults:
			 * no block hook ran after it, yet the EL has changed. */
			s->prev_block_eret = false;
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
			r = abort_unmapped(s, npc, &status);
			break;
		case STOP_PLACEHOLDER:
			uncount_from(s, npc);
			/* A fetch that missed is restarted from its own address. */
			if (!mmu_map_placeholder(s))
				r = abort_unmapped(s, npc, &status);
			else if (s->abort.fetch)
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
		case STOP_CONTEXT:
			mmu_sweep(s);
			check_context(s);
			break;
		case STOP_ERET:
			after_eret(s, s->blk_va + s->blk_size - 4, npc);
			break;
		case STOP_HANG:
			mark_hung(s, npc, "branch to self: the guest can never leave this loop",
			          "branch to self at %s; last exception: %s",
			          where_on(s, npc, w, sizeof(w), false),
			          (sim_describe_last_exc(s, le, sizeof(le)), le));
			break;
		case STOP_INTERRUPTED:
			break; /* reported at the top of the loop */
		case STOP_FATAL:
			return finish(s, "fatal", SIM_EXIT_UNFINISHED, "%s", s->fatal);
		case STOP_NONE:
			/* A signal stops Unicorn from outside any hook: reported at the top. */
			if (s->interrupted)
				break;
			if (e != UC_ERR_OK)
				return finish(s, "fatal", SIM_EXIT_UNFINISHED, "unicorn: %s at %s",
				              uc_strerror(e), where(s, npc, w, sizeof(w)));
			if (reached)
				break; /* the stretch's last instruction ran */
			/* Otherwise Unicorn returns by itself only when the CPU halts: WFI. */
			if (read_insn(s, npc - 4, &enc) && enc == ENC_WFI) {
				mark_hung(s, npc - 4, "WFI with no interrupt source",
				          "WFI with no interrupt source at %s; last exception: %s",
				          where_on(s, npc - 4, w, sizeof(w), false),
				          (sim_describe_last_exc(s, le, sizeof(le)), le));
				break;
			}
			return finish(s, "fatal", SIM_EXIT_UNFINISHED,
			              "unicorn stopped unexpectedly at %s",
			              where(s, npc, w, sizeof(w)));
		}
		if (r == LOOP_END)
			return status;
	}
}

void sim_free_machine(struct sim *s)
{
	machine_teardown(s);
	check_free(s);
	free(s->ph);
	s->ph = NULL;
}
