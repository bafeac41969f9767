/*
 * hazards.c - the checking glue between Unicorn and the model (see hazards.h).
 *
 * Hooks stay thin (STYLE 9): each turns its arguments into a struct model_event, calls
 * model_step and returns. What the simulator adds to a hazard (the PA, symbol and
 * disassembly of each instruction it names) is looked up in a ring of recent fetches, so
 * that code running at a HYP VA or from a bounce page is named by the PA it was fetched
 * from: ELF symbols are link addresses, which are physical.
 */
#include "hazards.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "cpu.h"
#include "decode.h"
#include "disasm.h"
#include "inject.h"
#include "machine.h"
#include "mmu.h"
#include "model.h"
#include "report.h"
#include "sim.h"
#include "trace.h"

#define RING      (1u << 16)
#define PAGE_BITS 12
#define MAX_LOADS 4

/* One instruction fetch as the model saw it. */
struct fetch_rec {
	uint64_t seq; /* the EV_FETCH event's number */
	uint64_t va, pa;
	uint32_t enc;
	uint8_t el;
	bool faulted; /* the fetch faulted (prefetch abort): enc unknown, pa = va */
};

/* A load whose value --check-unicorn compares when Unicorn has performed it. */
struct pend_load {
	uint64_t va, pa;
	unsigned size;
};

struct check {
	struct model *m;    /* per machine */
	struct report *rep; /* per run: survives SYSTEM_RESET */
	struct fetch_rec *ring;
	uint64_t nfetch; /* fetches recorded so far (ring index = nfetch % RING) */
	/* The instruction in progress. */
	bool cur_valid, cur_pa_known;
	struct fetch_rec cur;
	/* Live translation table pages (PA >> 12), sorted. */
	uint64_t *tpages;
	size_t ntpages, cap_tpages;
	/* The last exception entry, for the guest-hang report. */
	uint64_t exc_seq, exc_pc;
	char exc_what[80];
	bool tables_written; /* a store hit a live table since the last flush */
	/* --check-unicorn */
	struct pend_load loads[MAX_LOADS];
	unsigned nloads;
	bool store_pending;
	uint64_t store_pa, store_value;
	unsigned store_size;
};

/* ---- annotations: PA, symbol and disassembly of the instructions a report names ---- */

static void sym_cb(void *arg, uint64_t va, char *buf, size_t len)
{
	sim_symbolize(arg, va, buf, len);
}

static void fill_site(struct sim *s, const struct fetch_rec *r, struct rep_site *site)
{
	site->known = true;
	site->va = r->va;
	site->pa = r->pa;
	site->el = r->el;
	img_symbolize(&s->img, r->pa, site->sym, sizeof(site->sym));
	if (r->faulted) {
		snprintf(site->text, sizeof(site->text), "(not fetched: the fetch faults)");
		return;
	}
	const struct dis_insn *d = disasm_get(s->dis, r->va, r->enc, sym_cb, s);
	snprintf(site->text, sizeof(site->text), "%s", d->text);
}

/*
 * A fetch whose outcomes differ in PA (missing-isb, stale-tlb after a TTBR switch) is named
 * after the PA that continues the program's sequence: the one following the previous
 * instruction's PA. That is the code the programmer wrote at that place (the bounced copy
 * of a trampoline, say), whichever outcome Unicorn executes; the outcomes list every PA.
 */
static void sequential_pa(struct sim *s, const struct hazard *hz, struct fetch_rec *r)
{
	struct check *c = s->chk;
	/* The current fetch is the newest ring entry; the one before it precedes it. */
	if (hz->ev != EV_FETCH || hz->n_outcomes < 2 || c->nfetch < 2)
		return;
	const struct fetch_rec *prev = &c->ring[(c->nfetch - 2) % RING];
	if (prev->va + 4 != r->va)
		return;
	for (unsigned i = 0; i < hz->n_outcomes && i < HZ_MAX_OUTCOMES; i++)
		if (hz->outcomes[i].has_pa && hz->outcomes[i].pa == prev->pa + 4) {
			r->pa = prev->pa + 4;
			/* Disassemble what that outcome fetches, so name and text agree. */
			if (hz->outcomes[i].has_value)
				r->enc = (uint32_t)hz->outcomes[i].value;
			return;
		}
}

/* The latest fetch of pc at or before event seq, searched among the last RING fetches. */
static const struct fetch_rec *find_fetch(const struct check *c, uint64_t pc, uint64_t seq)
{
	uint64_t n = c->nfetch < RING ? c->nfetch : RING;
	uint64_t first = c->nfetch - n;
	/* Binary search for the last record with rec.seq <= seq (seqs increase). */
	uint64_t lo = first, hi = c->nfetch;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (c->ring[mid % RING].seq <= seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (uint64_t i = lo; i > first && lo - i < 256; i--) {
		const struct fetch_rec *r = &c->ring[(i - 1) % RING];
		if (r->va == pc)
			return r;
	}
	return NULL;
}

static void annotate(struct sim *s, const struct hazard *hz, struct rep_annot *an)
{
	struct check *c = s->chk;
	memset(an, 0, sizeof(*an));
	const struct fetch_rec *r = NULL;
	struct fetch_rec cur;
	if (c->cur_valid && c->cur.va == hz->pc) {
		cur = c->cur;
		if (!c->cur_pa_known && !cur.faulted) {
			struct mmu_xlate x;
			mmu_translate(s, cur.va, ACC_FETCH, 4, &x);
			cur.pa = x.mmu_on && x.fault.type == FAULT_NONE ? x.pa : cur.va;
		}
		r = &cur;
		sequential_pa(s, hz, &cur);
	} else
		r = find_fetch(c, hz->pc, hz->seq);
	if (r)
		fill_site(s, r, &an->pc);
	for (unsigned i = 0; i < hz->n_outcomes && i < HZ_MAX_OUTCOMES; i++) {
		const struct hz_cause *cz = &hz->outcomes[i].cause;
		if (cz->seq == 0)
			continue;
		if (an->pc.known && cz->pc == hz->pc && cz->seq >= c->cur.seq && c->cur_valid)
			an->cause[i] = an->pc; /* this very instruction */
		else if ((r = find_fetch(c, cz->pc, cz->seq)))
			fill_site(s, r, &an->cause[i]);
	}
}

static void on_hazard(void *arg, const struct hazard *hz)
{
	struct sim *s = arg;
	struct rep_annot an;
	annotate(s, hz, &an);
	bool is_new;
	const struct rep_entry *e = report_add(s->chk->rep, hz, &an, &is_new);
	if (e && s->inj)
		inject_on_report(s, e, is_new); /* scenarios, campaigns */
	if (!e || !s->trace)
		return;
	json_t *o;
	if (is_new) {
		/* The trace's own "seq" numbers its lines: the model's event number is
		 * "model_seq" here. */
		o = report_json(e);
		json_object_set(o, "model_seq", json_object_get(o, "seq"));
		json_object_del(o, "seq");
	} else {
		/* A repeat: which report it folds into, and where it happened this time. */
		char k[24], pc[24];
		snprintf(k, sizeof(k), "0x%" PRIx64, hz->fold_key);
		snprintf(pc, sizeof(pc), "0x%" PRIx64, hz->pc);
		o = json_pack("{s:s, s:I, s:s, s:s, s:I}", "class", hz_class_name(hz->cls), "cpu",
		              (json_int_t)hz->cpu, "pc", pc, "fold_key", k, "count",
		              (json_int_t)e->count);
		json_object_set_new(o, "model_seq", json_integer((json_int_t)hz->seq));
	}
	trace_json_event(s->trace, "hazard", o);
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
		               c->cur.va, c->store_value & mask, c->store_pa, v);
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
			               addr, c->cur.va, (uint64_t)value & mask, pa, want);
		return;
	}
}

/* The instruction Unicorn reports an access or a system instruction for must be the one
 * at the model's PA. */
static void verify_class(struct sim *s, bool mem, const uc_arm64_cp_reg *cp)
{
	struct check *c = s->chk;
	if (!s->opt.check_unicorn || !c->cur_valid)
		return;
	uint32_t enc = c->cur.enc;
	if (mem) {
		if (!dec_is_load_store(enc) && !dec_is_sys(enc))
			internal_error(s,
			               "Unicorn made a memory access at PC 0x%" PRIx64
			               " where the model's PA 0x%" PRIx64
			               " holds 0x%08x, not a load/store",
			               c->cur.va, c->cur.pa, enc);
		return;
	}
	unsigned op0, op1, crn, crm, op2;
	dec_sys_fields(enc, &op0, &op1, &crn, &crm, &op2);
	if (op0 != cp->op0 || op1 != cp->op1 || crn != cp->crn || crm != cp->crm || op2 != cp->op2)
		internal_error(
		    s,
		    "Unicorn executed a system instruction (op0 %u op1 %u CRn %u CRm %u "
		    "op2 %u) at PC 0x%" PRIx64 " where the model's PA 0x%" PRIx64 " holds 0x%08x",
		    cp->op0, cp->op1, cp->crn, cp->crm, cp->op2, c->cur.va, c->cur.pa, enc);
}

/* ---- live translation tables (when a store hits one, Unicorn's TLB is flushed) ---- */

struct tp_arg {
	struct check *c;
	unsigned gs;
};

static void tp_add(struct check *c, uint64_t pa, uint64_t size)
{
	for (uint64_t p = pa >> PAGE_BITS; p <= (pa + size - 1) >> PAGE_BITS; p++) {
		if (c->ntpages == c->cap_tpages) {
			size_t cap = c->cap_tpages ? 2 * c->cap_tpages : 64;
			uint64_t *n = realloc(c->tpages, cap * sizeof(*n));
			if (!n)
				return;
			c->tpages = n;
			c->cap_tpages = cap;
		}
		c->tpages[c->ntpages++] = p;
	}
}

static int tp_visit(const struct pt_visit_entry *e, void *arg)
{
	struct tp_arg *a = arg;
	if (e->cls == DESC_IS_TABLE)
		tp_add(a->c, pt_desc_oa(e->desc, a->gs), UINT64_C(1) << a->gs);
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
		if (!pt_cfg_from_regs(rg, sctlr, tcr, t0, t1, mair, probe, &cfg, &f))
			continue;
		uint64_t span = cfg.tsz ? UINT64_C(1) << (64 - cfg.tsz) : 0;
		uint64_t lo = half ? 0 - span : 0, hi = half ? UINT64_MAX : span - 1;
		struct tp_arg a = {.c = s->chk, .gs = cfg.granule_shift};
		tp_add(s->chk, cfg.ttbr, UINT64_C(1) << cfg.granule_shift);
		pt_visit(&cfg, &s->ram_ops, lo, hi, PT_VISIT_TABLE_PRE, tp_visit, &a);
	}
}

static void tables_recompute(struct sim *s)
{
	struct check *c = s->chk;
	c->ntpages = 0;
	tp_regime(s, REGIME_EL2);
	tp_regime(s, REGIME_EL10);
	qsort(c->tpages, c->ntpages, sizeof(c->tpages[0]), cmp_u64);
}

static bool is_table_page(const struct check *c, uint64_t pa)
{
	uint64_t p = pa >> PAGE_BITS;
	size_t lo = 0, hi = c->ntpages;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (c->tpages[mid] < p)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->ntpages && c->tpages[lo] == p;
}

void check_context(struct sim *s)
{
	s->chk->tables_written = false;
	cpu_flush_tlb(s);
	tables_recompute(s);
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

static struct model_event ev_of(struct sim *s, enum ev_kind k)
{
	struct check *c = s->chk;
	struct model_event ev = {.kind = k, .cpu = 0};
	if (c->cur_valid) {
		ev.pc = c->cur.va;
		ev.insn = c->cur.enc;
	}
	return ev;
}

/* The EV_FETCH of the instruction at pc; faulted: Unicorn took a prefetch abort there. */
static void deliver_fetch(struct sim *s, uint64_t pc, uint32_t enc, bool faulted,
                          struct model_step_result *res)
{
	struct check *c = s->chk;
	struct model_event ev = {.kind = EV_FETCH, .cpu = 0, .pc = pc, .insn = enc};
	ev.u.mem.va = pc;
	ev.u.mem.size = 4;
	c->cur_valid = true;
	c->cur = (struct fetch_rec){
	    .va = pc, .pa = pc, .enc = enc, .el = (uint8_t)s->el, .faulted = faulted};
	/* The PA is known after the step; a hazard of this very fetch is annotated with the
	 * sim's own walk of the VA (annotate), which is the same coherent translation. */
	c->cur_pa_known = false;
	c->cur.seq = model_seq(c->m) + 1;
	/* Recorded first, so that a hazard of this fetch finds the one before it. */
	c->ring[c->nfetch++ % RING] = c->cur;
	model_step(c->m, &ev, res);
	if (res->fault.type == FAULT_NONE && !faulted)
		c->cur.pa = res->tr.oa;
	c->cur_pa_known = true;
	c->ring[(c->nfetch - 1) % RING] = c->cur;
}

void check_fetch(struct sim *s, uint64_t pc, uint32_t enc)
{
	struct check *c = s->chk;
	verify_store(s);
	flush_if_tables(s);
	c->nloads = 0;
	struct model_step_result res;
	deliver_fetch(s, pc, enc, false, &res);
	if (s->opt.check_unicorn) {
		uint32_t want = 0;
		if (res.fault.type != FAULT_NONE)
			internal_error(s,
			               "Unicorn executes the instruction at VA 0x%" PRIx64
			               " where the model's coherent fetch takes a %s fault",
			               pc, pt_fault_name(res.fault.type));
		else if (ram_bytes(s, res.tr.oa, &want, 4) && want != enc)
			internal_error(s,
			               "fetch at VA 0x%" PRIx64
			               ": Unicorn runs 0x%08x, the model's "
			               "PA 0x%" PRIx64 " holds 0x%08x",
			               pc, enc, res.tr.oa, want);
	}
	struct model_event bar = {.cpu = 0, .pc = pc, .insn = enc};
	if (dec_barrier(enc, &bar))
		model_step(c->m, &bar, NULL);
}

void check_msr(struct sim *s, const uc_arm64_cp_reg *cp)
{
	verify_class(s, false, cp);
	struct model_event ev = ev_of(s, EV_SYSREG);
	if (!dec_sysreg(cp->op0, cp->op1, cp->crn, cp->crm, cp->op2, &ev.u.sysreg.reg))
		return;
	ev.u.sysreg.value = cp->val;
	model_step(s->chk->m, &ev, NULL);
}

void check_sys(struct sim *s, const uc_arm64_cp_reg *cp)
{
	verify_class(s, false, cp);
	struct model_event ev = ev_of(s, EV_COUNT);
	if (cp->op0 != 1 || !dec_sys(cp->op1, cp->crn, cp->crm, cp->op2, cp->val, &ev))
		return;
	model_step(s->chk->m, &ev, NULL);
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
	/* DC ZVA is the model's EV_DC (from the SYS hook): not a store as well. */
	if (write && c->cur_valid && dec_is_sys(c->cur.enc))
		return;
	for (unsigned off = 0; off < (unsigned)size; off += 8) {
		unsigned n = (unsigned)size - off < 8 ? (unsigned)size - off : 8;
		struct model_event ev = ev_of(s, write ? EV_STORE : EV_LOAD);
		ev.u.mem.va = addr + off;
		ev.u.mem.size = n;
		/* Unicorn passes at most 8 bytes of a wider store's value. */
		ev.u.mem.value = off ? 0 : (uint64_t)value;
		struct model_step_result res;
		model_step(c->m, &ev, &res);
		if (res.fault.type != FAULT_NONE)
			continue;
		uint64_t pa = res.tr.oa;
		if (write && is_table_page(c, pa))
			c->tables_written =
			    true; /* Unicorn's TLB must follow it: flush_if_tables */
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
	c->store_pending = false; /* a faulting store did not write */
	c->nloads = 0;
	if (info->cause == EXC_CAUSE_INSN_ABORT) {
		/* Unicorn's fetch faulted before any hook saw it: the model checks that fetch
		 * too (MMU switched on outside the idmap: the other context may not fault). */
		struct model_step_result res;
		deliver_fetch(s, info->far, 0, true, &res);
	}
	struct model_event ev = ev_of(s, EV_EXC_ENTRY);
	ev.pc = pc;
	ev.u.exc.from_el = info->from_el;
	ev.u.exc.to_el = e->target_el;
	ev.u.exc.requested = requested(info->cause);
	ev.u.exc.esr = e->esr;
	ev.u.exc.elr = e->elr;
	ev.u.exc.vector = e->vector;
	model_step(c->m, &ev, NULL);
	c->exc_seq = model_seq(c->m);
	c->exc_pc = pc;
	snprintf(c->exc_what, sizeof(c->exc_what), "%s exception taken to EL%u (ESR 0x%" PRIx64 ")",
	         exc_cause_name(info->cause), e->target_el, e->esr);
}

void check_eret(struct sim *s, uint64_t pc, unsigned from_el, unsigned to_el, uint64_t target)
{
	struct model_event ev = ev_of(s, EV_ERET);
	ev.pc = pc;
	ev.u.eret.from_el = from_el;
	ev.u.eret.to_el = to_el;
	ev.u.eret.target = target;
	model_step(s->chk->m, &ev, NULL);
}

void check_hang(struct sim *s, uint64_t pc, const char *what)
{
	struct check *c = s->chk;
	struct hazard hz;
	memset(&hz, 0, sizeof(hz));
	hz.cls = HZ_GUEST_HANG;
	hz.pc = pc;
	const struct fetch_rec *r = find_fetch(c, pc, UINT64_MAX);
	hz.insn = r ? r->enc : 0;
	hz.ev = EV_FETCH;
	snprintf(hz.summary, sizeof(hz.summary), "%s", what);
	hz.n_outcomes = 1;
	snprintf(hz.outcomes[0].text, sizeof(hz.outcomes[0].text),
	         "the CPU loops here forever: hypsim's virt machine has no interrupt source");
	if (c->exc_seq) {
		hz.outcomes[0].cause = (struct hz_cause){
		    .seq = c->exc_seq, .cpu = 0, .pc = c->exc_pc, .kind = EV_EXC_ENTRY};
		snprintf(hz.outcomes[0].cause.what, sizeof(hz.outcomes[0].cause.what),
		         "last exception: %.78s", c->exc_what);
	} else {
		snprintf(hz.outcomes[0].cause.what, sizeof(hz.outcomes[0].cause.what),
		         "no exception was taken since reset");
	}
	hz.rule = "DESIGN §2: a branch to self, or WFI/WFE with nothing to wake it, never "
	          "ends (Arm ARM D1.x wait for interrupt / event)";
	model_report(c->m, &hz);
}

void check_settle(struct sim *s)
{
	if (!s->chk)
		return;
	if (s->stop == STOP_PLACEHOLDER || s->stop == STOP_ABORT || s->stop == STOP_INTR) {
		/* The access did not complete: it is restarted (placeholder) or becomes an
		 * exception. Its events reached the model already; a restart delivers them
		 * again, which changes nothing the model reports. */
		s->chk->store_pending = false;
		s->chk->nloads = 0;
	}
	verify_store(s);
	flush_if_tables(s);
}

/* ---- life cycle ---- */

int check_new(struct sim *s)
{
	struct check *c = s->chk;
	if (!c) {
		c = calloc(1, sizeof(*c));
		if (!c || !(c->rep = report_new()) || !(c->ring = calloc(RING, sizeof(*c->ring)))) {
			if (c)
				report_free(c->rep);
			free(c);
			snprintf(s->fatal, sizeof(s->fatal), "out of memory");
			return -1;
		}
		s->chk = c;
	}
	/* CTR_EL0.IDC/DIC of the CPU Unicorn emulates decide which I/D coherence steps its
	 * code needs (DESIGN §3 "Instruction side"). */
	uint64_t ctr = cpu_read_sysreg(s, CSR_CTR_EL0);
	struct model_cfg cfg = {
	    .ncpus = 1,
	    .tlb_policy = s->opt.tlb_accessed ? TLB_POLICY_ACCESSED : TLB_POLICY_SPECULATIVE,
	    .ctr_idc = (ctr >> 28) & 1,
	    .ctr_dic = (ctr >> 29) & 1,
	    .feat_ets = false,
	    .on_hazard = on_hazard,
	    .hazard_arg = s,
	};
	c->m = model_new(&cfg, &s->ram_ops);
	c->cur_valid = false;
	c->ntpages = 0;
	c->nloads = 0;
	c->store_pending = false;
	c->exc_seq = 0;
	uc_hook h;
	uc_err e =
	    uc_hook_add(s->uc, &h, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, (void *)hook_mem, s, 1, 0);
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
	if (s->chk && s->chk->m) {
		model_free(s->chk->m);
		s->chk->m = NULL;
	}
}

int check_end(struct sim *s, int status)
{
	struct check *c = s->chk;
	if (!c)
		return status;
	size_t n = report_count(c->rep);
	for (size_t i = 0; i < n; i++) {
		const struct rep_entry *e = report_entry(c->rep, i);
		report_print_text(e, stderr);
		if (s->opt.json) {
			json_t *o = report_json(e);
			json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
			fputc('\n', stdout);
			json_decref(o);
		}
	}
	if (n) {
		uint64_t total = 0;
		for (size_t i = 0; i < n; i++)
			total += report_entry(c->rep, i)->count;
		fprintf(stderr, "sim: %s: %zu hazard report%s (%" PRIu64 " before folding)\n",
		        s->name, n, n == 1 ? "" : "s", total);
	}
	fflush(stdout);
	if (status == SIM_EXIT_USAGE || status == SIM_EXIT_INTERNAL)
		return status;
	if (report_count_except(c->rep, HZ_GUEST_HANG))
		return SIM_EXIT_HAZARD;
	return status;
}

void check_free(struct sim *s)
{
	struct check *c = s->chk;
	if (!c)
		return;
	check_free_machine(s);
	report_free(c->rep);
	free(c->ring);
	free(c->tpages);
	free(c);
	s->chk = NULL;
}
