/*
 * hazards.c - the checking glue between Unicorn and the model (see hazards.h).
 *
 * Hooks stay thin (STYLE 9): each turns its arguments into a struct model_event, hands it
 * to the checking session (session.h: the model, the reports and their annotation, the
 * trace lines of every event, all without Unicorn, so that `sim replay` shares them) and
 * returns. What stays here is Unicorn's side: keeping its TLB on the fresh translation,
 * and --check-unicorn.
 */
#include "engine/hazards.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "check/report.h"
#include "check/session.h"
#include "check/timing.h"
#include "digest.h"
#include "engine/cpu.h"
#include "engine/mmu.h"
#include "engine/sim.h"
#include "machine/decode.h"
#include "machine/disasm.h"
#include "machine/machine.h"
#include "model.h"
#include "trace/trace.h"

/* hypsim's CPUs are the model's (sim.h, model.h). */
_Static_assert(SIM_MAX_CPUS == MODEL_MAX_CPUS, "one CPU count for the machine and the model");

#define PAGE_BITS 12
#define MAX_LOADS 4

/* A load whose value --check-unicorn compares when Unicorn has performed it. */
struct pend_load {
	uint64_t va, pa;
	unsigned size;
};

struct check {
	struct session *ss; /* per run: survives SYSTEM_RESET (a new model inside) */
	/* Live translation table pages (PA >> 12), sorted. */
	uint64_t *tpages;
	size_t ntpages, cap_tpages;
	/* Those that hold table descriptors (a TTBR's, or below a table descriptor of a level
	 * before the last), sorted: a store elsewhere cannot change the set of table pages. */
	uint64_t *upages;
	size_t nupages, cap_upages;
	/* The registers the set was computed from (tp_key), and whether a store (or an
	 * injected flip) may have changed a table descriptor since: check_context recomputes
	 * only then (a TLBI alone cannot change the set). */
	uint64_t tp_key[7];
	bool tp_key_valid, tp_dirty;
	bool tables_written; /* a store hit a live table since the last flush */
	/* --no-check (hook_mem_bare): per VA page of a store, whether it reaches a live table
	 * page, while gen == bare_gen: check_context drops them (a TLBI, a register that
	 * selects the tables, a store to a table, another CPU), and the EL is part of the key. */
	uint64_t bare_gen;
	struct bare_page {
		uint64_t page, gen;
		uint64_t pa_page;
		unsigned el;
		bool table, upper;
	} bare[64];
	/* The restarted store (check_bare_restart) that must not stop again. */
	bool bare_skip;
	unsigned bare_skip_cpu;
	uint64_t bare_skip_pc, bare_skip_insns;
	bool mem_seen;	     /* a memory hook fired for the instruction in progress */
	/* --check-unicorn */
	struct pend_load loads[MAX_LOADS];
	unsigned nloads;
	bool store_pending;
	uint64_t store_pa, store_value;
	unsigned store_size;
	/* Instructions of the running block that a store overwrote before they ran, with the
	 * bytes Unicorn translated: what it executes (keep_translated). The block is named by
	 * its VA and the instruction count at its start. */
	uint64_t tr_blk_va, tr_blk_insns;
	/* The bytes the reports of the fetch in progress give as possible (--check-unicorn):
	 * Unicorn running one of them is no disagreement. */
	uint64_t fetch_alt_pc;
	uint32_t fetch_alt[4];
	unsigned nfetch_alt;
	unsigned ntr;
	struct {
		uint64_t va;
		uint32_t enc;
	} tr[16];
};

/* The instruction in progress as the session saw its fetch (zeros before the first). */
static const struct session_insn *cur(const struct sim *s)
{
	static const struct session_insn none;
	const struct session_insn *r = session_current(s->chk->ss, s->cpu);
	return r ? r : &none;
}

/* The session's report callback: fault injection follows the reports (struct sim_inject_hooks). */
static void on_report(void *arg, const struct rep_entry *e, bool is_new)
{
	struct sim *s = arg;
	struct check *c = s->chk;
	if (e->hz.ev == EV_FETCH)
		for (unsigned i = 0; i < e->hz.n_outcomes && i < HZ_MAX_OUTCOMES; i++)
			if (e->hz.outcomes[i].has_value && c->nfetch_alt < 4) {
				c->fetch_alt_pc = e->hz.pc;
				c->fetch_alt[c->nfetch_alt++] = (uint32_t)e->hz.outcomes[i].value;
			}
	if (s->inj_hooks)
		s->inj_hooks->report(s, e, is_new); /* scenarios, campaigns */
}

/* The session's step callback: --timing's cost model follows every event (timing.h). */
static void on_step(void *arg, const struct model *m, const struct model_event *ev,
                    const struct model_step_result *res)
{
	sim_timing_event(arg, m, ev, res);
}

/* ---- --check-unicorn ---- */

static void internal_error(struct sim *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void internal_error(struct sim *s, const char *fmt, ...)
{
	if (s->internal_error)
		return;
	s->internal_error = true;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->fatal, sizeof(s->fatal), fmt, ap);
	va_end(ap);
	uc_emu_stop(s->uc);
}

static bool ram_bytes(struct sim *s, uint64_t pa, void *buf, unsigned len)
{
	return s->ram_ops.read(s->ram_ops.ctx, pa, buf, len);
}

static uint64_t le_value(const uint8_t *b, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = n; i-- > 0;)
		v = (v << 8) | b[i];
	return v;
}

/* The store announced last has been performed by now: RAM at the model's PA holds it. */
static void verify_store(struct sim *s)
{
	struct check *c = s->chk;
	if (!c->store_pending)
		return;
	c->store_pending = false;
	uint8_t b[8];
	if (!ram_bytes(s, c->store_pa, b, c->store_size))
		return;
	uint64_t mask = c->store_size == 8 ? UINT64_MAX : (UINT64_C(1) << (8 * c->store_size)) - 1;
	uint64_t v = le_value(b, c->store_size);
	if (v != (c->store_value & mask))
		internal_error(s,
		               "store at PC 0x%" PRIx64 ": Unicorn did not write 0x%" PRIx64
		               " at the model's PA 0x%" PRIx64 " (it holds 0x%" PRIx64 ")",
		               cur(s)->va, c->store_value & mask, c->store_pa, v);
}

static void hook_read_after(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                            void *user)
{
	struct sim *s = user;
	struct check *c = s->chk;
	(void)uc;
	(void)type;
	if (s->host_op || size <= 0 || size > 8)
		return;
	for (unsigned i = 0; i < c->nloads; i++) {
		struct pend_load *l = &c->loads[i];
		if (l->va != addr || l->size != (unsigned)size)
			continue;
		uint8_t b[8];
		uint64_t pa = l->pa;
		c->loads[i] = c->loads[--c->nloads];
		if (!ram_bytes(s, pa, b, (unsigned)size))
			return;
		uint64_t mask = size == 8 ? UINT64_MAX : (UINT64_C(1) << (8 * size)) - 1;
		uint64_t want = le_value(b, (unsigned)size);
		if (((uint64_t)value & mask) != want)
			internal_error(s,
			               "load of VA 0x%" PRIx64 " at PC 0x%" PRIx64
			               ": Unicorn read 0x%" PRIx64 ", the model's PA 0x%" PRIx64
			               " holds 0x%" PRIx64,
			               addr, cur(s)->va, (uint64_t)value & mask, pa, want);
		return;
	}
}

/* The instruction Unicorn reports an access or a system instruction for must be the one
 * at the model's PA. */
static void verify_class(struct sim *s, bool mem, const uc_arm64_cp_reg *cp)
{
	struct check *c = s->chk;
	if (!s->opt.check_unicorn || !session_current(c->ss, s->cpu))
		return;
	uint32_t enc = cur(s)->enc;
	if (mem) {
		if (!dec_is_load_store(enc) && !dec_is_sys(enc))
			internal_error(s,
			               "Unicorn made a memory access at PC 0x%" PRIx64
			               " where the model's PA 0x%" PRIx64
			               " holds 0x%08x, not a load/store",
			               cur(s)->va, cur(s)->pa, enc);
		return;
	}
	unsigned op0, op1, crn, crm, op2;
	dec_sys_fields(enc, &op0, &op1, &crn, &crm, &op2);
	if (op0 != cp->op0 || op1 != cp->op1 || crn != cp->crn || crm != cp->crm || op2 != cp->op2)
		internal_error(
		    s,
		    "Unicorn executed a system instruction (op0 %u op1 %u CRn %u CRm %u "
		    "op2 %u) at PC 0x%" PRIx64 " where the model's PA 0x%" PRIx64 " holds 0x%08x",
		    cp->op0, cp->op1, cp->crn, cp->crm, cp->op2, cur(s)->va, cur(s)->pa, enc);
}

/* ---- live translation tables (when a store hits one, Unicorn's TLB is flushed) ---- */

struct tp_arg {
	struct check *c;
	unsigned gs;
};

static void tp_push(uint64_t **v, size_t *n, size_t *cap, uint64_t pa, uint64_t size)
{
	for (uint64_t p = pa >> PAGE_BITS; p <= (pa + size - 1) >> PAGE_BITS; p++) {
		if (*n == *cap) {
			size_t ncap = *cap ? 2 * *cap : 64;
			uint64_t *nv = realloc(*v, ncap * sizeof(*nv));
			if (!nv)
				return;
			*v = nv;
			*cap = ncap;
		}
		(*v)[(*n)++] = p;
	}
}

/* A table page; upper: its entries are at a level that may hold table descriptors. */
static void tp_add(struct check *c, uint64_t pa, uint64_t size, bool upper)
{
	tp_push(&c->tpages, &c->ntpages, &c->cap_tpages, pa, size);
	if (upper)
		tp_push(&c->upages, &c->nupages, &c->cap_upages, pa, size);
}

static int tp_visit(const struct pt_visit_entry *e, void *arg)
{
	struct tp_arg *a = arg;
	/* The table it points to has entries of level e->level + 1; the last level (3)
	 * holds pages only (D8.3, "Translation table descriptor formats"). */
	if (e->cls == DESC_IS_TABLE)
		tp_add(a->c, pt_desc_oa(e->desc, a->gs), UINT64_C(1) << a->gs, e->level + 1 < 3);
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void tp_regime(struct sim *s, enum regime rg)
{
	bool el2 = rg == REGIME_EL2;
	uint64_t sctlr = cpu_read_sysreg(s, el2 ? CSR_SCTLR_EL2 : CSR_SCTLR_EL1);
	if (!(sctlr & SCTLR_ELx_M))
		return; /* no walks, no TLB entries made from tables */
	uint64_t tcr = cpu_read_sysreg(s, el2 ? CSR_TCR_EL2 : CSR_TCR_EL1);
	uint64_t t0 = cpu_read_sysreg(s, el2 ? CSR_TTBR0_EL2 : CSR_TTBR0_EL1);
	uint64_t t1 = el2 ? 0 : cpu_read_sysreg(s, CSR_TTBR1_EL1);
	uint64_t mair = cpu_read_sysreg(s, el2 ? CSR_MAIR_EL2 : CSR_MAIR_EL1);
	for (int half = 0; half < (el2 ? 1 : 2); half++) {
		struct pt_cfg cfg;
		struct fault f;
		uint64_t probe = half ? UINT64_MAX : 0;
		if (!pt_cfg_from_regs(rg, s->feat.pa_bits, sctlr, tcr, t0, t1, mair, probe, &cfg,
		                      &f))
			continue;
		uint64_t span = cfg.tsz ? UINT64_C(1) << (64 - cfg.tsz) : 0;
		uint64_t lo = half ? 0 - span : 0, hi = half ? UINT64_MAX : span - 1;
		struct tp_arg a = {.c = s->chk, .gs = cfg.granule_shift};
		tp_add(s->chk, cfg.ttbr, UINT64_C(1) << cfg.granule_shift, true);
		pt_visit(&cfg, &s->ram_ops, lo, hi, PT_VISIT_TABLE_PRE, tp_visit, &a);
	}
}

static void tables_recompute(struct sim *s)
{
	struct check *c = s->chk;
	c->ntpages = 0;
	c->nupages = 0;
	tp_regime(s, REGIME_EL2);
	tp_regime(s, REGIME_EL10);
	if (c->ntpages) /* no table yet: NULL, which qsort may not take (C11 7.22.5) */
		qsort(c->tpages, c->ntpages, sizeof(c->tpages[0]), cmp_u64);
	if (c->nupages)
		qsort(c->upages, c->nupages, sizeof(c->upages[0]), cmp_u64);
}

static bool in_sorted(const uint64_t *v, size_t n, uint64_t pa)
{
	uint64_t p = pa >> PAGE_BITS;
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (v[mid] < p)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo] == p;
}

static bool is_table_page(const struct check *c, uint64_t pa)
{
	return in_sorted(c->tpages, c->ntpages, pa);
}

void check_tables_dirty(struct sim *s)
{
	if (s->chk)
		s->chk->tp_dirty = true;
}

void check_context(struct sim *s)
{
	struct check *c = s->chk;
	c->tables_written = false;
	c->bare_gen++;
	cpu_flush_tlb(s);
	/* The registers tp_regime reads (both regimes, each CPU's own). */
	uint64_t key[7] = {
	    cpu_read_sysreg(s, CSR_SCTLR_EL2), cpu_read_sysreg(s, CSR_TCR_EL2),
	    cpu_read_sysreg(s, CSR_TTBR0_EL2), cpu_read_sysreg(s, CSR_SCTLR_EL1),
	    cpu_read_sysreg(s, CSR_TCR_EL1),   cpu_read_sysreg(s, CSR_TTBR0_EL1),
	    cpu_read_sysreg(s, CSR_TTBR1_EL1)};
	if (c->tp_key_valid && !c->tp_dirty && !memcmp(key, c->tp_key, sizeof(key)))
		return;
	tables_recompute(s);
	memcpy(c->tp_key, key, sizeof(key));
	c->tp_key_valid = true;
	c->tp_dirty = false;
}

/*
 * A store to a live translation table has been performed: flush Unicorn's TLB before the
 * next instruction. Not by stopping Unicorn from the memory hook: a stop there abandons
 * the rest of the block with a stale PC (measured: the store re-executes forever). A host
 * TLBI from the code hook is what a guest TLBI does inside a block (QEMU's tlb_flush on
 * the running CPU).
 */
static void flush_if_tables(struct sim *s)
{
	if (s->chk->tables_written)
		check_context(s);
}

/* ---- events ---- */

static struct model_event ev_of(enum ev_kind k, unsigned cpu)
{
	/* pc and insn: the session fills in the current instruction's. */
	return (struct model_event){.kind = k, .cpu = cpu};
}

void check_fetch(struct sim *s, uint64_t pc, uint32_t enc)
{
	struct check *c = s->chk;
	if (c->store_pending)
		verify_store(s);
	flush_if_tables(s);
	c->nloads = 0;
	c->mem_seen = false;
	if (!s->opt.check_unicorn) {
		session_fetch(c->ss, s->cpu, pc, enc, s->el, false, NULL);
		return;
	}
	struct model_step_result res;
	c->nfetch_alt = 0;
	session_fetch(c->ss, s->cpu, pc, enc, s->el, false, &res);
	bool alt = false; /* Unicorn's bytes are an outcome the model reported (modified code) */
	for (unsigned i = 0; i < c->nfetch_alt; i++)
		alt |= c->fetch_alt_pc == pc && c->fetch_alt[i] == enc;
	uint32_t want = 0;
	if (res.fault.type != FAULT_NONE)
		internal_error(s,
		               "Unicorn executes the instruction at VA 0x%" PRIx64
		               " where the model's coherent fetch takes a %s fault",
		               pc, pt_fault_name(res.fault.type));
	else if (ram_bytes(s, res.tr.oa, &want, 4) && want != enc && !alt)
		internal_error(s,
		               "fetch at VA 0x%" PRIx64 ": Unicorn runs 0x%08x, the model's "
		               "PA 0x%" PRIx64 " holds 0x%08x",
		               pc, enc, res.tr.oa, want);
}

void check_msr(struct sim *s, const uc_arm64_cp_reg *cp)
{
	verify_class(s, false, cp);
	struct model_event ev = ev_of(EV_SYSREG, s->cpu);
	if (!dec_sysreg(cp->op0, cp->op1, cp->crn, cp->crm, cp->op2, &ev.u.sysreg.reg))
		return;
	ev.u.sysreg.value = cp->val;
	session_step(s->chk->ss, &ev, NULL);
}

void check_sys(struct sim *s, const uc_arm64_cp_reg *cp)
{
	verify_class(s, false, cp);
	struct model_event ev = ev_of(EV_COUNT, s->cpu);
	if (cp->op0 != 1 || !dec_sys(cp->op1, cp->crn, cp->crm, cp->op2, cp->val, &ev))
		return;
	ev.pc = 0;
	ev.insn = 0;
	session_step(s->chk->ss, &ev, NULL);
}

/*
 * Bytes off..off+7 of the data a store instruction writes, from its source registers
 * (C4.1.4 "Loads and Stores": STR/STP of X, W, D or Q registers). Unicorn's write hook
 * passes at most 8 bytes of value, so the bytes of a wider store come from here. 0 when
 * enc is not a store hypsim decodes.
 */
static uint64_t wide_store_bytes(struct sim *s, uint32_t enc, unsigned off)
{
	uint8_t data[32] = {0};
	unsigned rt = enc & 31, rt2 = (enc >> 10) & 31, n = 0;
	bool vec = (enc >> 26) & 1;
	bool pair = ((enc >> 27) & 7) == 5;
	unsigned regsize;
	if (pair)
		regsize = vec ? 4u << (enc >> 30) : ((enc >> 31) ? 8 : 4);
	else if (((enc >> 27) & 7) == 7)
		regsize = vec && !(enc >> 30) && ((enc >> 23) & 1) ? 16 : 1u << (enc >> 30);
	else
		return 0;
	unsigned regs[2] = {rt, rt2};
	for (unsigned i = 0; i < (pair ? 2u : 1u) && regsize <= 16; i++) {
		if (vec) {
			uint8_t q[16];
			if (uc_reg_read(s->uc, UC_ARM64_REG_Q0 + (int)regs[i], q) != UC_ERR_OK)
				return 0;
			memcpy(data + n, q, regsize);
		} else if (regs[i] != 31) { /* XZR stores zeros */
			uint64_t x = cpu_reg(s, UC_ARM64_REG_X0 + (int)regs[i]);
			memcpy(data + n, &x, regsize);
		}
		n += regsize;
	}
	uint64_t v = 0;
	for (unsigned i = 8; i-- > 0;)
		v = (v << 8) | (off + i < sizeof(data) ? data[off + i] : 0);
	return v;
}

/* The header of the trace: everything that decides the result (DESIGN §4). */
static void check_trace_header(struct sim *s, const struct session_cfg *cfg)
{
	struct trace_header_info h = {
	    .kernel = s->opt.kernel.kernel ? &s->opt.kernel : NULL,
	    .kinfo = &s->kinfo,
	    .firmware_path = s->opt.firmware,
	    .sha256 = s->img.sha256,
	    .build_id = s->img.build_id,
	    .entry = s->img.entry,
	    .ram_base = s->opt.ram_base,
	    .ram_size = s->opt.ram_size,
	    .max_insns = s->opt.max_insns,
	    .uart_path = s->opt.uart_path,
	    .tlb = s->opt.tlb_accessed ? "accessed" : "speculative",
	    .check_unicorn = s->opt.check_unicorn,
	    .ncpus = cfg->ncpus,
	    .ctr_idc = cfg->ctr_idc,
	    .ctr_dic = cfg->ctr_dic,
	    .feat_ets = cfg->feat_ets,
	    .pa_bits = cfg->pa_bits,
	    .wb_policy = cfg->wb_policy,
	    .wb_seed = cfg->wb_seed,
	    .argc = s->opt.argc,
	    .argv = s->opt.argv,
	};
	trace_header(s->trace, &h);
}

/*
 * A store of n bytes at PA pa, before it is performed. Unicorn does not see a store into the
 * block it is running (no precise self-modifying code on Arm in QEMU: the rest of the block
 * runs the bytes it translated, later runs translate again): keep those bytes for each
 * instruction after the store's in this block that it overwrites, so that the model and
 * the trace get the instruction Unicorn executes (issue 14 defect 9) and --check-unicorn
 * reports that it differs from memory. An A64 block never crosses a page
 * (translate-a64.c: DISAS_TOO_MANY at a page end): only the store instruction's own page,
 * at the same offsets, can hold it.
 */
static void keep_translated(struct sim *s, uint64_t pa, unsigned n)
{
	struct check *c = s->chk;
	const struct session_insn *in = session_current(c->ss, s->cpu);
	uint64_t end = s->blk_va + s->blk_size;
	if (!in || in->faulted || (pa >> PAGE_BITS) != (in->pa >> PAGE_BITS) ||
	    in->va < s->blk_va || in->va + 4 >= end)
		return;
	if (c->tr_blk_va != s->blk_va || c->tr_blk_insns != s->insns) {
		c->tr_blk_va = s->blk_va;
		c->tr_blk_insns = s->insns;
		c->ntr = 0;
	}
	uint64_t lo = in->pa + 4, hi = in->pa + (end - in->va);
	if (pa > lo)
		lo = pa & ~UINT64_C(3);
	if (pa + n < hi)
		hi = pa + n;
	for (uint64_t p = lo; p < hi; p += 4) {
		uint64_t va = in->va + (p - in->pa);
		uint32_t enc;
		bool known = false;
		for (unsigned i = 0; i < c->ntr && !known; i++)
			known = c->tr[i].va == va;
		if (known || c->ntr == sizeof(c->tr) / sizeof(c->tr[0]) || !ram_bytes(s, p, &enc, 4))
			continue;
		c->tr[c->ntr].va = va;
		c->tr[c->ntr++].enc = enc;
	}
}

void check_translated_insn(struct sim *s, uint64_t pc, uint32_t *enc)
{
	struct check *c = s->chk;
	if (!c->ntr || c->tr_blk_va != s->blk_va || c->tr_blk_insns != s->insns)
		return;
	for (unsigned i = 0; i < c->ntr; i++)
		if (c->tr[i].va == pc) {
			*enc = c->tr[i].enc;
			return;
		}
}

static void hook_mem(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                     void *user)
{
	struct sim *s = user;
	struct check *c = s->chk;
	(void)uc;
	if (s->host_op || s->blk_stopped || size <= 0)
		return;
	verify_store(s);
	verify_class(s, true, NULL);
	bool write = type == UC_MEM_WRITE;
	c->mem_seen = true;
	/* DC ZVA is the model's EV_DC (from the SYS hook): not a store as well. */
	if (write && session_current(c->ss, s->cpu) && dec_is_sys(cur(s)->enc))
		return;
	for (unsigned off = 0; off < (unsigned)size; off += 8) {
		unsigned n = (unsigned)size - off < 8 ? (unsigned)size - off : 8;
		struct model_event ev = ev_of(write ? EV_STORE : EV_LOAD, s->cpu);
		ev.u.mem.va = addr + off;
		ev.u.mem.size = n;
		ev.u.mem.value = off ? 0 : (uint64_t)value;
		if (write && off)
			/* Unicorn passes at most 8 bytes of a wider store's value (measured on
			 * 2.0.1, QEMU splits 128-bit stores, so this path is defensive): the
			 * rest is taken from the source register when it can be decoded. */
			ev.u.mem.value = wide_store_bytes(s, cur(s)->enc, off);
		struct model_step_result res;
		session_step(c->ss, &ev, &res);
		if (res.fault.type != FAULT_NONE)
			continue;
		uint64_t pa = res.tr.oa;
		if (write)
			keep_translated(s, pa, n);
		if (write && is_table_page(c, pa)) {
			c->tables_written =
			    true; /* Unicorn's TLB must follow it: flush_if_tables */
			if (in_sorted(c->upages, c->nupages, pa))
				c->tp_dirty = true; /* may add or remove a table */
		}
		if (!s->opt.check_unicorn ||
		    !mach_pa_in_ram(s->opt.ram_base, s->opt.ram_size, pa, n))
			continue;
		if (write) {
			c->store_pending = true;
			c->store_pa = pa;
			c->store_size = n;
			c->store_value = ev.u.mem.value;
		} else if (c->nloads < MAX_LOADS && size <= 8) {
			c->loads[c->nloads++] = (struct pend_load){.va = addr, .pa = pa, .size = n};
		}
	}
}

static bool requested(enum exc_cause cause)
{
	return cause == EXC_CAUSE_SVC || cause == EXC_CAUSE_HVC || cause == EXC_CAUSE_SMC ||
	       cause == EXC_CAUSE_BRK;
}

void check_exc_entry(struct sim *s, const struct exc_info *info, const struct exc_entry *e,
                     uint64_t pc)
{
	struct check *c = s->chk;
	check_note_insn(s, pc);
	c->store_pending = false; /* a faulting store did not write */
	c->nloads = 0;
	/* A load or store whose translation Unicorn's own walk faulted before any memory hook
	 * fired (Unicorn 2.0.1 calls the read hook after its TLB fill): the model must still
	 * judge the access, whose TLB may hold a translation that does not fault (herd7's
	 * V2I-W-DSB.ISH-TLBI-DSB.ST-ISB-R, needTLBI1: docs/herd.md). One byte at the FAR: the
	 * width is not decoded, and a translation is decided per page. */
	if (info->cause == EXC_CAUSE_DATA_ABORT && !info->cache_maint && !c->mem_seen &&
	    session_current(c->ss, s->cpu) &&
	    !dec_is_sys(cur(s)->enc)) { /* DC ZVA: the model had its EV_DC from the SYS hook */
		struct model_event ev = ev_of(info->write ? EV_STORE : EV_LOAD, s->cpu);
		ev.u.mem.va = info->far;
		ev.u.mem.size = 1;
		ev.u.mem.value = 0;
		session_step(c->ss, &ev, NULL);
	}
	c->mem_seen = false;
	char what[80];
	snprintf(what, sizeof(what), "%s exception taken to EL%u (ESR 0x%" PRIx64 ")",
	         exc_cause_name(info->cause), e->target_el, e->esr);
	session_exception(c->ss, s->cpu, info->cause == EXC_CAUSE_INSN_ABORT, info->far, pc,
	                  info->from_el, e->target_el, requested(info->cause), e->esr, e->elr,
	                  e->vector, what);
}

void check_irq_entry(struct sim *s, bool fiq, bool virt, uint64_t pc, unsigned from_el,
                     unsigned to_el, uint64_t vector)
{
	struct check *c = s->chk;
	c->store_pending = false;
	c->nloads = 0;
	char what[80];
	snprintf(what, sizeof(what), "%s%s exception taken to EL%u", virt ? "virtual " : "",
	         fiq ? "FIQ" : "IRQ", to_el);
	session_exception(c->ss, s->cpu, false, 0, pc, from_el, to_el, true, 0, pc, vector, what);
}

void check_eret(struct sim *s, uint64_t pc, unsigned from_el, unsigned to_el, uint64_t target)
{
	struct model_event ev = ev_of(EV_ERET, s->cpu);
	ev.pc = pc;
	ev.u.eret.from_el = from_el;
	ev.u.eret.to_el = to_el;
	ev.u.eret.target = target;
	session_step(s->chk->ss, &ev, NULL);
}

void check_note_insn(struct sim *s, uint64_t pc)
{
	if (!s->opt.no_check || !s->chk)
		return;
	struct mmu_xlate x;
	uint32_t enc = 0;
	mmu_translate(s, pc, ACC_FETCH, 4, &x);
	bool ok = x.fault.type == FAULT_NONE && mmu_read_va(s, pc, &enc, 4, ACC_FETCH) == 0;
	session_note_insn(s->chk->ss, s->cpu, pc, ok ? x.pa : pc, enc, s->el, !ok);
}

void check_hang(struct sim *s, unsigned cpu, uint64_t pc, const char *what)
{
	session_hang(s->chk->ss, cpu, pc, what);
}

void check_cpu_on(struct sim *s, unsigned cpu, uint64_t pc, uint64_t entry, uint64_t context_id)
{
	session_cpu_on(s->chk->ss, cpu, s->cpu, pc, entry, context_id);
}

void check_cpu_off(struct sim *s, uint64_t pc)
{
	session_cpu_off(s->chk->ss, s->cpu, pc);
}

void check_settle(struct sim *s)
{
	if (!s->chk)
		return;
	if (s->stop == STOP_PLACEHOLDER || s->stop == STOP_ABORT || s->stop == STOP_INTR) {
		/* The access did not complete: it is restarted (placeholder) or becomes an
		 * exception. Its events reached the model already; a restart delivers them
		 * again, which changes nothing the model reports. A replay must not apply
		 * its stores: the trace says so (`abandon`). */
		s->chk->store_pending = false;
		s->chk->nloads = 0;
		session_abandon(s->chk->ss, s->cpu);
	}
	verify_store(s);
	flush_if_tables(s);
}

/*
 * --no-check: what keeps Unicorn's TLB on the live tables as the checked run does
 * (flush_if_tables, from the code hook before the instruction after a store to a live
 * table), without a code hook. Without it Unicorn kept its old entries for the rest of the
 * block and the text could differ (fidelity-spec-fill, herd-VIS7: e2e-no-check-all.sh).
 * Flushing from this memory hook is not possible: Unicorn's load and store helpers read
 * their TLB entry before calling the hooks and use it after (cputlb.c; measured: a flush
 * here makes the store write through a cleared entry, SIGSEGV). So a store that reaches a
 * live table page saves the CPU (before the instruction: its PC is written back before
 * every access) and stops; its bytes land, and the run loop restores the CPU, flushes and
 * runs the instruction again (check_bare_restart), which stores the same bytes through
 * the new tables' TLB (a store that changes the translation of its own page is the one
 * case the two runs differ). That second execution passes here (bare_skip: its PC in the
 * first block after the restart); it leaves tables_written, so the stretch's end flushes
 * once more (check_settle). A store-exclusive is not restarted (its first execution
 * cleared the monitor: the second would fail); it only sets tables_written.
 * No flush is needed, and none is made, when the 8-byte descriptor stored over was
 * invalid or keeps its value: Unicorn's TLB holds only translations that succeeded (a
 * failed walk, or one below an invalid table descriptor, leaves nothing), so no entry
 * can come from it; the table pages are recomputed at the next store (a new table
 * descriptor adds a table page).
 */
static bool is_exclusive(uint32_t enc)
{
	/* C4.1.x "Load/store exclusive": op0 bits [29:24] = 0b001000. */
	return (enc & 0x3f000000u) == 0x08000000u;
}

static void hook_mem_bare(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                          void *user)
{
	struct sim *s = user;
	struct check *c = s->chk;
	(void)type; /* UC_HOOK_MEM_WRITE only */
	if (!c->ntpages || s->host_op || s->blk_stopped || s->stop != STOP_NONE || size <= 0)
		return;
	if (c->tp_dirty) {
		/* The last table store may have added or removed a table. */
		tables_recompute(s);
		c->tp_dirty = false;
		c->bare_gen++;
	}
	uint64_t page = addr >> PAGE_BITS;
	struct bare_page *b = &c->bare[page % 64];
	if (b->gen != c->bare_gen || b->page != page || b->el != s->el) {
		struct mmu_xlate x;
		mmu_translate(s, addr, ACC_WRITE, 1, &x);
		bool ok = x.fault.type == FAULT_NONE;
		*b = (struct bare_page){.page = page,
		                        .gen = c->bare_gen,
		                        .el = s->el,
		                        .pa_page = x.pa >> PAGE_BITS,
		                        .table = ok && is_table_page(c, x.pa),
		                        .upper = ok && in_sorted(c->upages, c->nupages, x.pa)};
	}
	if (!b->table)
		return;
	if (b->upper)
		c->tp_dirty = true; /* may add or remove a table */
	uint64_t old, pa = b->pa_page << PAGE_BITS | (addr & ((UINT64_C(1) << PAGE_BITS) - 1));
	if (size == 8 && !(addr & 7) && ram_bytes(s, pa, &old, 8) &&
	    (!(old & DESC_VALID) || old == (uint64_t)value))
		return;
	uint64_t pc = cpu_reg(s, UC_ARM64_REG_PC);
	if (c->bare_skip && s->cpu == c->bare_skip_cpu && pc == c->bare_skip_pc) {
		if (c->bare_skip_insns == UINT64_MAX)
			c->bare_skip_insns = s->insns; /* the first block after the restart */
		if (s->insns == c->bare_skip_insns) {
			c->tables_written = true;
			return;
		}
	}
	c->bare_skip = false;
	uint32_t enc = 0;
	if (mmu_read_va(s, pc, &enc, 4, ACC_FETCH) == 0 && is_exclusive(enc)) {
		c->tables_written = true;
		return;
	}
	if (uc_context_save(uc, s->abort_ctx) != UC_ERR_OK) {
		snprintf(s->fatal, sizeof(s->fatal), "unicorn: cannot save the CPU for a restart");
		sim_request_stop(s, STOP_FATAL);
		return;
	}
	sim_request_stop(s, STOP_TABLE_STORE);
}

void check_bare_restart(struct sim *s, uint64_t pc)
{
	struct check *c = s->chk;
	check_context(s);
	c->bare_skip = true;
	c->bare_skip_cpu = s->cpu;
	c->bare_skip_pc = pc;
	c->bare_skip_insns = UINT64_MAX;
}

/* ---- life cycle ---- */

int check_new(struct sim *s)
{
	struct check *c = s->chk;
	/* CTR_EL0.IDC/DIC of the CPU Unicorn emulates decide which I/D coherence steps its
	 * code needs (DESIGN §3 "Instruction side"). */
	uint64_t ctr = cpu_read_sysreg(s, CSR_CTR_EL0);
	if (!c) {
		c = calloc(1, sizeof(*c));
		struct session_cfg cfg = {
		    .img = &s->img,
		    .dis = s->dis,
		    .mem = &s->ram_ops,
		    .ram_base = s->opt.ram_base,
		    .ram_size = s->opt.ram_size,
		    .name = s->name,
		    .json = s->opt.json,
		    .trace = s->trace,
		    .on_report = on_report,
		    .report_arg = s,
		    .ncpus = s->opt.ncpus,
		    .tlb_policy =
		        s->opt.tlb_accessed ? TLB_POLICY_ACCESSED : TLB_POLICY_SPECULATIVE,
		    .ctr_idc = (ctr >> 28) & 1,
		    .ctr_dic = (ctr >> 29) & 1,
		    .feat_ets = s->feat.feat_ets, /* machine/cpu_features.h */
		    .pa_bits = s->feat.pa_bits,
		    .wb_policy = s->opt.wb_policy,
		    .wb_seed = s->opt.wb_seed,
		    .on_step = s->timing ? on_step : NULL,
		    .step_arg = s->timing,
		};
		if (!c || !(c->ss = session_new(&cfg))) {
			free(c);
			snprintf(s->fatal, sizeof(s->fatal), "out of memory");
			return -1;
		}
		s->chk = c;
		if (s->trace)
			check_trace_header(s, &cfg);
	}
	if (session_machine(c->ss)) {
		snprintf(s->fatal, sizeof(s->fatal), "out of memory");
		return -1;
	}
	c->ntpages = 0;
	c->nupages = 0;
	c->tp_key_valid = false;
	c->nloads = 0;
	c->store_pending = false;
	uc_hook h;
	uc_err e;
	if (s->opt.no_check) {
		/* The benchmarks' bare Unicorn: no load/store events (run.c), only the flushes
		 * after a store to a live table. */
		memset(c->bare, 0, sizeof(c->bare));
		c->bare_gen = 1;
		c->bare_skip = false;
		e = uc_hook_add(s->uc, &h, UC_HOOK_MEM_WRITE, (void *)hook_mem_bare, s, 1, 0);
		if (e != UC_ERR_OK) {
			snprintf(s->fatal, sizeof(s->fatal), "unicorn: %s", uc_strerror(e));
			return -1;
		}
		return 0;
	}
	e = uc_hook_add(s->uc, &h, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, (void *)hook_mem, s, 1, 0);
	if (e == UC_ERR_OK && s->opt.check_unicorn)
		e = uc_hook_add(s->uc, &h, UC_HOOK_MEM_READ_AFTER, (void *)hook_read_after, s, 1,
		                0);
	if (e != UC_ERR_OK) {
		snprintf(s->fatal, sizeof(s->fatal), "unicorn: %s", uc_strerror(e));
		return -1;
	}
	return 0;
}

void check_free_machine(struct sim *s)
{
	(void)s; /* the session replaces its model at the next check_new */
}

int check_end(struct sim *s, int status)
{
	if (!s->chk)
		return status;
	return session_end(s->chk->ss, status);
}

struct model *check_model(struct sim *s)
{
	return s->chk && s->chk->ss ? session_model(s->chk->ss) : NULL;
}

void check_free(struct sim *s)
{

	struct check *c = s->chk;
	if (!c)
		return;
	session_free(c->ss);
	free(c->tpages);
	free(c->upages);
	free(c);
	s->chk = NULL;
}

uint64_t check_state_digest(struct sim *s)
{
	const struct check *c = s->chk;
	struct dg d = dg_start(0x636865636b);
	if (!c)
		return dg_end(&d);
	dg_u64(&d, c->ntpages);
	for (size_t i = 0; i < c->ntpages; i++)
		dg_u64(&d, c->tpages[i]);
	dg_u64(&d, c->tables_written);
	dg_u64(&d, c->nupages);
	for (size_t i = 0; i < c->nupages; i++)
		dg_u64(&d, c->upages[i]);
	dg_u64(&d, c->tp_dirty);
	dg_u64(&d, c->tp_key_valid);
	for (size_t i = 0; c->tp_key_valid && i < 7; i++)
		dg_u64(&d, c->tp_key[i]);
	dg_u64(&d, c->nloads);
	for (unsigned i = 0; i < c->nloads; i++) {
		dg_u64(&d, c->loads[i].va);
		dg_u64(&d, c->loads[i].pa);
		dg_u64(&d, c->loads[i].size);
	}
	dg_u64(&d, c->store_pending);
	if (c->store_pending) {
		dg_u64(&d, c->store_pa);
		dg_u64(&d, c->store_value);
		dg_u64(&d, c->store_size);
	}
	/* The session (reports, their annotation, the trace) decides nothing the model or the
	 * machine does next: sim/campaign/rejoin.c says why it may be left out. */
	return dg_end(&d);
}
