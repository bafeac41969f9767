/*
 * rejoin.c - when a variant of `sim campaign` has rejoined the unchanged run (rejoin.h).
 *
 * What a point holds, and what a variant compares, part by part:
 *  - the model (model_digest): everything but what model/digest.h lists, with the variant's
 *    event numbers after its fork shifted by the events its dropped instruction made in the
 *    unchanged run, and with the lines described below taken as clean;
 *  - the machine (rejoin_machine_digest): Unicorn's whole CPU state (uc_context_save: every
 *    register, system registers, PSTATE, the exclusive monitor, pending exception syndrome
 *    fields) byte for byte, but for one word of host time (rejoin_attach); a value QEMU
 *    keeps in more than one form (the condition flags are kept as results) can only make
 *    equal states look different, never the reverse; hypsim's run state (EL, pending stop,
 *    the block being counted, budget marks, the cached fetch translation, placeholders),
 *    the checking glue's state (check_state_digest) and the injections' counters;
 *  - guest RAM (rejoin_ram_digest): every page that is not all zeros;
 *  - the UART text so far and whether a report other than a hang was made (rejoin_extra).
 *
 * Left out, and why that is safe:
 *  - The instruction count s->insns (and each CPU's): a variant counts one instruction
 *    fewer. With one CPU it decides only when the budget ends the run (the slices that
 *    share time between CPUs are not applied while no other CPU can run). The campaign
 *    compares only one-CPU runs whose unchanged run did not end on its budget, and a
 *    variant's budget is at least the unchanged run's length, so a variant that follows the
 *    unchanged run from a point ends as it does, one instruction short of it, before any
 *    budget.
 *  - The budget itself (opt.max_insns, insn_limit) and the slice marks: the same argument.
 *  - Texts kept for messages: a CPU's hang and CPU_OFF messages, the end message, the line
 *    of UART text being collected for the trace.
 *  - The checking session (session.c): its ring of recent fetches, the instruction in
 *    progress, its copy of the registers and the reports. They name the instructions of
 *    reports (annotation), fold reports and write the trace. A point is used only if the
 *    unchanged run reports nothing from there to its end (not even a repeat), so a variant
 *    rejoined there reports nothing either: the model, equal in state and fed the same
 *    events, finds no hazard. The session's `cur` instruction, which fills the pc of later
 *    events, is replaced by the next fetch before any other event. Whether a report other
 *    than a hang was made before is compared (rejoin_extra): the exit status depends on it.
 *  - The last exception taken and the exception count: text of the guest-hang report, which
 *    is a report (see above); likewise the idle-loop chain and the exception-storm count,
 *    which decide only when a hang is reported.
 *  - The machine count (CNTPCT_EL0) follows s->insns, one short in a variant. A value read
 *    before the point lives in registers or memory, which are compared; but a read after
 *    the point gives the variant one tick less than the unchanged run: a variant rejoined
 *    before a read whose result steers the guest (a delay loop ending one iteration
 *    apart) is taken as equal when it may not be. Known limitation, open: none of the
 *    campaign flows reads the counter. The timers' registers are compared.
 *  - The disassembler's cache and Unicorn's translation blocks and TLB: caches of memory,
 *    registers and tables that are compared. Unicorn's TLB follows the guest's tables at
 *    every instruction whatever the guest's TLBIs (hazards.c flushes it after every store to
 *    a live table and at every context change). The campaign does not compare when a flip
 *    injection is given (flips write RAM behind Unicorn's translated code).
 *  - The dirty state of lines the unchanged run never looks at again (model/digest.h): from
 *    the point on, no access (fetch, load, store) to the line, no DC on it, no DC by
 *    set/way at all, and no read of it through the PoC or PoU view. Every way
 *    the model reads a line's dirty state is one of those (model/digest.h). By induction
 *    over the events after the point, the variant's model computes what the unchanged run's
 *    computes, and so never reaches such a read either. The recorder learns the accesses
 *    from Unicorn's hooks (every fetch, load and store Unicorn makes, translated by hypsim's
 *    walker, the coherent translation as the model's; every DC from the SYS hook) and the
 *    view reads from the model (model_observe_views). A run with a PSCI SYSTEM_RESET is not
 *    compared (the new machine has neither hook).
 *  - The `accessed` TLB policy is not compared at all (the campaign refuses it): there the
 *    model's translation cache decides which accesses are recorded.
 */
#include "campaign/rejoin.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unicorn/unicorn.h>

#include "arch.h"
#include "campaign/inject.h"
#include "digest.h"
#include "engine/cpu.h"
#include "engine/hazards.h"
#include "engine/mmu.h"
#include "engine/sim.h"
#include "hmap.h"
#include "machine/decode.h"
#include "machine/machine.h"
#include "model.h"

#define PAGE UINT64_C(4096)

/* A line (PA >> 6), the last instruction that could look at its dirty state (an access, a
 * DC, a read through the PoC or PoU view) and the last that could look at its I-cache state
 * (a fetch, a store, an IC by VA). */
struct rj_line {
	uint64_t line, last, ilast;
};

/* A part of the unchanged run's digest at a point that skip_line offered: its line, kind
 * (digest.h DG_LINE_*) and value. */
struct rj_dirty {
	uint64_t line, kind, part;
};

struct rj_point {
	uint64_t insn, seq, shape, model, machine, ram;
	uint64_t uart_hash, uart_len;
	uint64_t dfirst, dcount; /* its entries in dirty[] */
	bool any_report;
	bool valid;  /* recorded */
	bool usable; /* rejoin_prepare: no report from here on, model digest final */
};

/* The shared part, written by the recorder (then by rejoin_prepare in the parent). */
struct rj_shared {
	bool done, overflow;
	uint64_t npoints;
	uint64_t last_report; /* instruction of the last report, folded or not (0: none) */
	uint64_t setway;      /* instruction of the last DC by set/way (0: none) */
	uint64_t nlines, ndirty;
	uint64_t comparisons;
};

struct rejoin {
	struct rj_shared *sh;
	void *map;
	size_t map_len;
	struct rj_point *points;
	struct rj_line *lines;
	struct rj_dirty *dirty;
	uint64_t cap_points, cap_lines, cap_dirty;
	uint64_t every;
	/* Per process. */
	uc_context *ctx;
	size_t ctx_len;
	uint8_t *ctx_skip; /* per 8-byte word of ctx: host state, left out */
	struct sim *s;
	struct hmap touch, itouch; /* recorder: line -> last instruction (rj_line) */
	uint64_t fetches, insns0; /* recorder: fetches its code hook saw, inject.h insns at start */
	uint64_t s0;              /* variant: model events before its fork */
	uint64_t at;              /* variant: the point being compared */
	unsigned fails;           /* variant: full comparisons that failed */
};

static size_t align_up(size_t n)
{
	return (n + 63) & ~(size_t)63;
}

/* A recording of at most this many instructions is made even when few of its points can be
 * rejoined (kvm-dual-step-no-tlbi: its reports come near the end, yet variants still stop
 * in its last thousand instructions). */
#define REJOIN_CHEAP UINT64_C(16000000)

bool rejoin_worth(uint64_t end, uint64_t from, uint64_t last_report)
{
	uint64_t usable_from = last_report > from ? last_report : from;
	return end <= from + REJOIN_CHEAP || 2 * (end - usable_from) >= end - from;
}

struct rejoin *rejoin_new(uint64_t insns, uint64_t every)
{
	struct rejoin *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->every = every;
	r->cap_points = insns / every + 2;
	/* One instruction touches at most its fetch line, the lines of its data access (at
	 * most 64 bytes: 2 lines, 3 when unaligned) and a DC's line. */
	r->cap_lines = 8 * insns + 1024;
	r->cap_dirty = 4 * insns + (UINT64_C(1) << 16);
	size_t off_points = align_up(sizeof(struct rj_shared));
	size_t off_lines = off_points + align_up(r->cap_points * sizeof(struct rj_point));
	size_t off_dirty = off_lines + align_up(r->cap_lines * sizeof(struct rj_line));
	r->map_len = off_dirty + r->cap_dirty * sizeof(struct rj_dirty);
	/* Pages are committed only as the recorder writes them. */
	r->map = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE,
	              MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (r->map == MAP_FAILED) {
		free(r);
		return NULL;
	}
	r->sh = r->map;
	r->points = (struct rj_point *)((char *)r->map + off_points);
	r->lines = (struct rj_line *)((char *)r->map + off_lines);
	r->dirty = (struct rj_dirty *)((char *)r->map + off_dirty);
	return r;
}

void rejoin_free(struct rejoin *r)
{
	if (!r)
		return;
	if (r->ctx)
		uc_context_free(r->ctx);
	free(r->ctx_skip);
	hmap_free(&r->touch, NULL);
	hmap_free(&r->itouch, NULL);
	munmap(r->map, r->map_len);
	free(r);
}

uint64_t rejoin_next_point(const struct rejoin *r, uint64_t insn)
{
	return (insn / r->every + 1) * r->every;
}

uint64_t rejoin_comparisons(const struct rejoin *r)
{
	return __atomic_load_n(&r->sh->comparisons, __ATOMIC_RELAXED);
}

int rejoin_attach(struct rejoin *r, struct sim *s)
{
	r->s = s;
	if (uc_context_alloc(s->uc, &r->ctx) != UC_ERR_OK) {
		r->ctx = NULL;
		return -1;
	}
	/* Unicorn 2.0.1 (Debian 12): the context is a small header (the state's size, mode,
	 * architecture) and the CPU state (QEMU's CPUARMState up to its watchpoints). */
	r->ctx_len = uc_context_size(s->uc);
	r->ctx_skip = calloc(r->ctx_len / 8 + 1, 1);
	if (!r->ctx_skip)
		return -1;
	/*
	 * One word of it is host time, not guest state: QEMU keeps the PMU cycle counter's
	 * offset from the host clock (CPUARMState.cp15.c15_ccnt_delta, declared right after
	 * the counter c15_ccnt) and rebases it at every exception entry and return; with the
	 * counter disabled it is the host's clock at the last one. Find c15_ccnt by writing
	 * PMCCNTR_EL0 (D13.2.xx; Unicorn writes it raw) with a marker, and leave out the
	 * word after it. A run that enables the cycle counter reads host time and is not
	 * deterministic in the first place.
	 */
	uc_arm64_cp_reg pm = {.op0 = 3, .op1 = 3, .crn = 9, .crm = 13, .op2 = 0};
	if (uc_reg_read(s->uc, UC_ARM64_REG_CP_REG, &pm) != UC_ERR_OK)
		return 0;
	uint64_t old = pm.val, marker = UINT64_C(0x5a17c0de5a17c0de);
	pm.val = marker;
	if (uc_reg_write(s->uc, UC_ARM64_REG_CP_REG, &pm) == UC_ERR_OK &&
	    uc_context_save(s->uc, r->ctx) == UC_ERR_OK) {
		const uint8_t *b = (const uint8_t *)r->ctx;
		size_t found = 0, at = 0;
		for (size_t i = 0; i + 1 < r->ctx_len / 8; i++)
			if (!memcmp(b + 8 * i, &marker, 8)) {
				found++;
				at = i;
			}
		if (found == 1)
			r->ctx_skip[at + 1] = 1;
	}
	pm.val = old;
	uc_reg_write(s->uc, UC_ARM64_REG_CP_REG, &pm);
	return 0;
}

/* ---- digests of the machine ---- */

uint64_t rejoin_machine_digest(struct rejoin *r, struct sim *s)
{
	struct dg d = dg_start(0x6d616368696e65);
	/* The context buffer was allocated before the forks: its header bytes (sizes, the
	 * engine pointer, padding) are the same in every process, the rest is the CPU. */
	if (r->ctx && uc_context_save(s->uc, r->ctx) == UC_ERR_OK) {
		const uint8_t *b = (const uint8_t *)r->ctx;
		for (size_t i = 0; i < r->ctx_len / 8; i++) {
			uint64_t w;
			memcpy(&w, b + 8 * i, 8);
			dg_u64(&d, r->ctx_skip[i] ? 0 : w);
		}
	} else {
		dg_u64(&d, UINT64_MAX);
	}
	dg_u64(&d, s->el);
	dg_u64(&d, s->resets);
	dg_u64(&d, s->stop);
	if (s->stop == STOP_INTR)
		dg_u64(&d, s->intno);
	if (s->stop == STOP_ABORT || s->stop == STOP_PLACEHOLDER) {
		dg_u64(&d, s->abort.fetch);
		dg_u64(&d, s->abort.write);
		dg_u64(&d, s->abort.cache_maint);
		dg_u64(&d, s->abort.va);
		dg_u64(&d, s->abort.fault.type);
		dg_u64(&d, (uint64_t)(int64_t)s->abort.fault.level);
	}
	dg_u64(&d, s->until);
	dg_u64(&d, s->budget_stop_at);
	dg_u64(&d, s->blk_va);
	dg_u64(&d, s->blk_size);
	dg_u64(&d, s->prev_block_eret);
	dg_u64(&d, s->prev_block_wfe);
	dg_u64(&d, s->prev_block_va);
	/* CPUs (the campaign compares one-CPU runs only: with several, who runs next depends
	 * on the instruction count, see campaign.c). The slice marks and insn_limit count
	 * instructions and matter only while another CPU can run (can_yield). */
	dg_u64(&d, s->ncpus);
	dg_u64(&d, s->cpu);
	dg_u64(&d, s->can_yield);
	dg_u64(&d, s->switch_now);
	for (unsigned i = 0; i < s->ncpus; i++) {
		dg_u64(&d, s->cpus[i].power);
		dg_u64(&d, s->cpus[i].entry);
		dg_u64(&d, s->cpus[i].context_id);
		dg_u64(&d, s->cpus[i].hung);
		/* Its generic timer (hooks.c): what later MRS of the timer registers read. */
		const struct timer_cpu *tm = &s->cpus[i].timer;
		dg_u64(&d, tm->cntfrq);
		for (unsigned k = 0; k < TIMER_N; k++) {
			dg_u64(&d, tm->ctl[k]);
			dg_u64(&d, tm->cval[k]);
		}
		dg_u64(&d, tm->cntvoff);
		dg_u64(&d, tm->cnthctl);
		dg_u64(&d, tm->cntkctl);
	}
	dg_u64(&d, s->host_op);
	dg_u64(&d, s->blk_stopped);
	dg_u64(&d, s->internal_error);
	dg_u64(&d, (uint64_t)s->interrupted);
	dg_u64(&d, s->fetch_valid);
	if (s->fetch_valid) {
		dg_u64(&d, s->fetch_el);
		dg_u64(&d, s->fetch_va_page);
		dg_u64(&d, (uint64_t)(s->fetch_host - s->ram));
		for (size_t i = 0; i < sizeof(s->fetch_cache) / sizeof(s->fetch_cache[0]); i++) {
			const struct fetch_entry *e = &s->fetch_cache[i];
			if (e->gen != s->fetch_gen + 1)
				continue;
			dg_u64(&d, i);
			dg_u64(&d, e->el);
			dg_u64(&d, e->va_page);
			dg_u64(&d, (uint64_t)(e->host - s->ram));
		}
	}
	/* What the next placeholder sweep of each regime re-checks (mmu_sweep). */
	for (unsigned g = 0; g < PH_NREGIMES; g++) {
		const struct ph_regime *st = &s->ph_rg[g];
		dg_u64(&d, st->regs_valid);
		if (st->regs_valid) {
			dg_u64(&d, st->regs.el);
			dg_u64(&d, st->regs.sctlr);
			dg_u64(&d, st->regs.tcr);
			dg_u64(&d, st->regs.ttbr0);
			dg_u64(&d, st->regs.ttbr1);
			dg_u64(&d, st->regs.mair);
		}
		dg_u64(&d, st->tlbi_all);
		dg_u64(&d, st->ntlbi_va);
		for (unsigned i = 0; i < st->ntlbi_va; i++)
			dg_u64(&d, st->tlbi_va[i]);
	}
	dg_u64(&d, s->nph);
	for (size_t i = 0; i < s->nph; i++) {
		dg_u64(&d, s->ph[i].va);
		dg_u64(&d, s->ph[i].size);
		dg_u64(&d, s->ph[i].regime);
		dg_u64(&d, s->ph[i].holey);
	}
	dg_u64(&d, check_state_digest(s));
	const struct inject *inj = s->inj;
	if (inj) {
		dg_u64(&d, inj->insns);
		for (int k = 0; k < INJ_CLS_COUNT; k++)
			dg_u64(&d, inj->count[k]);
		dg_u64(&d, inj->nspecs);
		for (size_t i = 0; i < inj->nspecs; i++) {
			dg_u64(&d, inj->specs[i].seen);
			dg_u64(&d, inj->specs[i].applied);
		}
	}
	return dg_end(&d);
}

struct page_set {
	uint64_t *pa;
	size_t n, cap;
	uint64_t base, size;
};

static void page_add(void *arg, uint64_t pa)
{
	struct page_set *ps = arg;
	pa &= ~(PAGE - 1);
	if (!mach_pa_in_ram(ps->base, ps->size, pa, PAGE))
		return;
	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? 2 * ps->cap : 256;
		uint64_t *n = realloc(ps->pa, cap * sizeof(*n));
		if (!n)
			return;
		ps->pa = n;
		ps->cap = cap;
	}
	ps->pa[ps->n++] = pa;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static bool page_zero(const uint8_t *p)
{
	const uint64_t *w = (const uint64_t *)(const void *)p;
	uint64_t acc = 0;
	for (size_t i = 0; i < PAGE / 8; i++)
		acc |= w[i];
	return acc == 0;
}

/*
 * RAM is zero when a machine is set up, then the image's file bytes are copied in; after
 * that only the guest writes it (host writes: flip injections, which the campaign
 * excludes). Every guest write is a store or DC ZVA event the model received, and the model
 * keeps a record of every page such an event reached (model_for_each_page). So the pages
 * that can be non-zero are those of the image's file bytes (not its zero-filled .bss) and
 * the model's, and the digest is the sum over those of the non-zero ones: equal RAM gives
 * equal sums whichever pages each run happened to read. (A .bss page the guest never
 * touched is not even read here: reading it would make the kernel map it.)
 */
uint64_t rejoin_ram_digest(struct sim *s)
{
	struct page_set ps = {.base = s->opt.ram_base, .size = s->opt.ram_size};
	for (size_t i = 0; i < s->img.nsegs; i++) {
		const struct img_segment *g = &s->img.segs[i];
		for (uint64_t pa = g->paddr & ~(PAGE - 1); pa < g->paddr + g->filesz; pa += PAGE)
			page_add(&ps, pa);
	}
	struct model *m = check_model(s);
	if (m)
		model_for_each_page(m, page_add, &ps);
	if (ps.n) /* qsort(NULL, 0) is undefined (C11 7.22.5) */
		qsort(ps.pa, ps.n, sizeof(*ps.pa), cmp_u64);
	uint64_t sum = 0;
	for (size_t i = 0; i < ps.n; i++) {
		if (i && ps.pa[i] == ps.pa[i - 1])
			continue;
		const uint8_t *p = s->ram + (ps.pa[i] - s->opt.ram_base);
		if (page_zero(p))
			continue;
		struct dg d = dg_start(0x72616d);
		dg_u64(&d, ps.pa[i]);
		dg_bytes(&d, p, PAGE);
		sum += dg_end(&d);
	}
	free(ps.pa);
	return sum;
}

/* ---- the recorder ---- */

/* icache: the touch may look at the I-cache state too (a fetch, a store, an IC). */
static void touch_pa(struct rejoin *r, uint64_t pa, uint64_t len, bool icache)
{
	uint64_t now = r->s->inj->insns;
	for (uint64_t l = pa >> 6; l <= (pa + len - 1) >> 6; l++) {
		hmap_put(&r->touch, l, (void *)(uintptr_t)now);
		if (icache)
			hmap_put(&r->itouch, l, (void *)(uintptr_t)now);
	}
}

/* The lines an access of len bytes at va reaches, through the current translation. */
static void touch_va(struct rejoin *r, uint64_t va, uint64_t len, enum access_type acc, bool icache)
{
	struct sim *s = r->s;
	while (len) {
		uint64_t chunk = PAGE - (va & (PAGE - 1));
		if (chunk > len)
			chunk = len;
		struct mmu_xlate x;
		mmu_translate(s, va, acc, (unsigned)chunk, &x);
		if (x.fault.type == FAULT_NONE)
			touch_pa(r, x.pa, chunk, icache);
		va += chunk;
		len -= chunk;
	}
}

static void rj_hook_code(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	struct rejoin *r = user;
	(void)uc;
	(void)size;
	if (r->s->host_op || r->s->blk_stopped)
		return;
	if (!r->fetches++)
		r->insns0 = r->s->inj->insns - 1; /* the run's own hook counted this one */
	touch_va(r, addr, 4, ACC_FETCH, true);
}

static void rj_hook_mem(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                        void *user)
{
	struct rejoin *r = user;
	(void)uc;
	(void)value;
	if (r->s->host_op || r->s->blk_stopped || size <= 0)
		return;
	bool write = type == UC_MEM_WRITE;
	touch_va(r, addr, (uint64_t)size, write ? ACC_WRITE : ACC_READ, write);
}

/* model_observe_views: the model read [pa, pa + len) through the PoC or PoU view. */
static void rj_observe(void *arg, uint64_t pa, size_t len)
{
	if (len)
		touch_pa(arg, pa, len, false);
}

static uint32_t rj_hook_sys(uc_engine *uc, uc_arm64_reg reg, const uc_arm64_cp_reg *cp, void *user)
{
	struct rejoin *r = user;
	(void)uc;
	(void)reg;
	struct model_event ev;
	if (r->s->host_op || cp->op0 != 1 ||
	    !dec_sys(cp->op1, cp->crn, cp->crm, cp->op2, cp->val, &ev))
		return 0;
	if (ev.kind == EV_IC && ev.u.ic.op == IC_IVAU)
		touch_va(r, ev.u.ic.va & CACHE_LINE_MASK, CACHE_LINE_SIZE, ACC_DC_READ, true);
	if (ev.kind != EV_DC)
		return 0;
	if (ev.u.dc.op == DC_ISW || ev.u.dc.op == DC_CSW || ev.u.dc.op == DC_CISW)
		r->sh->setway = r->s->inj->insns;
	else
		touch_va(r, ev.u.dc.arg & CACHE_LINE_MASK, CACHE_LINE_SIZE, ACC_DC_READ, false);
	return 0;
}

int rejoin_record_start(struct rejoin *r, struct sim *s)
{
	r->s = s;
	/* Unicorn 2.0.1 builds the calls of the hooks that exist into each block when it
	 * translates it: the block running now (the run's first) was translated without the
	 * recorder's. Drop its translation (it runs on to its end; a later entry translates it
	 * again), so that every later instruction is seen; rejoin_record_end checks it. */
	uint64_t pc = cpu_reg(s, UC_ARM64_REG_PC);
	uc_ctl_remove_cache(s->uc, pc, pc + 4);
	uc_hook h;
	uc_err e = uc_hook_add(s->uc, &h, UC_HOOK_CODE, (void *)rj_hook_code, r, 1, 0);
	if (e == UC_ERR_OK)
		e = uc_hook_add(s->uc, &h, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE,
		                (void *)rj_hook_mem, r, 1, 0);
	if (e == UC_ERR_OK)
		e = uc_hook_add(s->uc, &h, UC_HOOK_INSN, (void *)rj_hook_sys, r, 1, 0,
		                UC_ARM64_INS_SYS);
	struct model *m = check_model(s);
	if (m)
		model_observe_views(m, rj_observe, r);
	return e == UC_ERR_OK && m ? 0 : -1;
}

static bool record_dirty(void *arg, uint64_t line, unsigned kind, uint64_t part)
{
	struct rejoin *r = arg;
	if (r->sh->ndirty == r->cap_dirty)
		r->sh->overflow = true;
	else
		r->dirty[r->sh->ndirty++] = (struct rj_dirty){line >> 6, kind, part};
	return false; /* the unchanged run's digest keeps every line; rejoin_prepare subtracts */
}

void rejoin_record_point(struct rejoin *r, struct sim *s, const struct rejoin_extra *x)
{
	uint64_t insn = s->inj->insns;
	uint64_t k = insn / r->every;
	struct model *m = check_model(s);
	if (!m || insn % r->every)
		return;
	if (k >= r->cap_points) {
		r->sh->overflow = true;
		return;
	}
	struct rj_point *p = &r->points[k];
	p->insn = insn;
	p->seq = model_seq(m);
	p->shape = model_shape(m);
	p->dfirst = r->sh->ndirty;
	struct model_digest_cfg cfg = {.skip_line = record_dirty, .arg = r};
	p->model = model_digest(m, &cfg);
	p->dcount = r->sh->ndirty - p->dfirst;
	p->machine = rejoin_machine_digest(r, s);
	p->ram = rejoin_ram_digest(s);
	p->uart_hash = x->uart_hash;
	p->uart_len = x->uart_len;
	p->any_report = x->any_report;
	p->valid = true;
	if (k + 1 > r->sh->npoints)
		r->sh->npoints = k + 1;
}

void rejoin_record_report(struct rejoin *r, struct sim *s)
{
	r->sh->last_report = s->inj->insns;
}

static int cmp_line(const void *a, const void *b)
{
	const struct rj_line *x = a, *y = b;
	return x->line < y->line ? -1 : x->line > y->line;
}

void rejoin_record_end(struct rejoin *r, struct sim *s)
{
	/* PSCI SYSTEM_RESET made a new machine: Unicorn's hooks and the model's observer were
	 * the old one's, so what the new one touched is not known. And from its first call on,
	 * the code hook added here must have seen every instruction the run's own saw (blocks
	 * translated before it was added call only the hooks that existed then:
	 * rejoin_record_start). The memory and SYS hooks are built into the same blocks. */
	if (s->resets || r->fetches < s->inj->insns - r->insns0)
		r->sh->overflow = true;
	uint64_t n = 0;
	/* Every line the I-side table has is in the other (touch_pa). */
	for (size_t i = 0; i < r->touch.cap; i++) {
		if (!r->touch.keys[i])
			continue;
		if (n == r->cap_lines) {
			r->sh->overflow = true;
			break;
		}
		uint64_t line = r->touch.keys[i] - 1;
		r->lines[n++] = (struct rj_line){line, (uintptr_t)r->touch.vals[i],
		                                 (uintptr_t)hmap_get(&r->itouch, line)};
	}
	qsort(r->lines, n, sizeof(*r->lines), cmp_line);
	r->sh->nlines = n;
	__atomic_store_n(&r->sh->done, true, __ATOMIC_RELEASE);
}

/* ---- the parent ---- */

/* The last instruction of the unchanged run that could look at line's (PA >> 6) state of
 * that kind (DG_LINE_DATA, DG_LINE_ICACHE), 0 if none. */
static uint64_t last_touch(const struct rejoin *r, uint64_t line, unsigned kind)
{
	uint64_t lo = 0, hi = r->sh->nlines;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (r->lines[mid].line < line)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == r->sh->nlines || r->lines[lo].line != line)
		return 0;
	return kind == DG_LINE_ICACHE ? r->lines[lo].ilast : r->lines[lo].last;
}

/* May line's state of that kind be left out at the point of insn: nothing looks at it from
 * there on? */
static bool line_dead(const struct rejoin *r, uint64_t line, unsigned kind, uint64_t insn)
{
	return (kind == DG_LINE_ICACHE || r->sh->setway < insn) && last_touch(r, line, kind) < insn;
}

bool rejoin_prepare(struct rejoin *r)
{
	if (!__atomic_load_n(&r->sh->done, __ATOMIC_ACQUIRE) || r->sh->overflow)
		return false;
	for (uint64_t k = 0; k < r->sh->npoints; k++) {
		struct rj_point *p = &r->points[k];
		if (!p->valid)
			continue;
		/* The unchanged run's own dirty-but-equal lines that nothing touches from here
		 * on: hashed as clean, as a variant's are. */
		for (uint64_t i = p->dfirst; i < p->dfirst + p->dcount; i++)
			if (line_dead(r, r->dirty[i].line, (unsigned)r->dirty[i].kind, p->insn))
				p->model -= r->dirty[i].part;
		p->usable = r->sh->last_report < p->insn;
	}
	return true;
}

/* ---- a variant ---- */

uint64_t rejoin_variant_start(struct rejoin *r, struct sim *s, uint64_t insn, uint64_t line_pa)
{
	r->s = s;
	r->s0 = model_seq(check_model(s));
	r->fails = 0;
	uint64_t last = line_pa == UINT64_MAX ? 0 : last_touch(r, line_pa >> 6, DG_LINE_DATA);
	return rejoin_next_point(r, last > insn ? last : insn);
}

static bool variant_skip(void *arg, uint64_t line, unsigned kind, uint64_t part)
{
	struct rejoin *r = arg;
	(void)part;
	return line_dead(r, line >> 6, kind, r->at);
}

bool rejoin_variant_check(struct rejoin *r, struct sim *s, const struct rejoin_extra *x,
                          uint64_t insn, uint64_t *next)
{
	uint64_t k = insn / r->every;
	*next = insn + r->every;
	if (k >= r->sh->npoints) {
		*next = UINT64_MAX; /* past the unchanged run's last point */
		return false;
	}
	const struct rj_point *p = &r->points[k];
	struct model *m = check_model(s);
	if (!m || !p->valid || !p->usable || p->insn != insn)
		return false;
	/* Cheap first: the UART text, the counts, then the machine. */
	if (x->uart_hash != p->uart_hash || x->uart_len != p->uart_len ||
	    x->any_report != p->any_report)
		return false;
	uint64_t seq = model_seq(m);
	/* The dropped instruction made a few events in the unchanged run (its fetch, its own
	 * event, maybe an exception): anything else cannot be the same state. */
	if (seq >= p->seq || p->seq - seq > 64 || model_shape(m) != p->shape)
		return false;
	unsigned shift = r->fails < 4 ? r->fails : 4;
	if (rejoin_machine_digest(r, s) != p->machine) {
		r->fails++;
		*next = insn + (r->every << shift);
		return false;
	}
	__atomic_add_fetch(&r->sh->comparisons, 1, __ATOMIC_RELAXED);
	r->at = insn;
	struct model_digest_cfg cfg = {
	    .time_from = r->s0, .time_shift = p->seq - seq, .skip_line = variant_skip, .arg = r};
	if (model_digest(m, &cfg) != p->model || rejoin_ram_digest(s) != p->ram) {
		r->fails++;
		*next = insn + (r->every << shift);
		return false;
	}
	return true;
}
