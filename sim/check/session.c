/*
 * session.c - the Unicorn-free checking session shared by `sim run` and `sim replay`
 * (see session.h).
 *
 * What the simulator adds to a hazard (the PA, symbol and disassembly of each instruction
 * it names) is looked up in a ring of recent fetches, so that code running at a HYP VA or
 * from a bounce page is named by the PA it was fetched from: ELF symbols are link
 * addresses, which are physical. The ring is filled from fetch events only, and the
 * translation used for a fetch whose PA the model has not returned yet is computed here
 * from the registers as last written (tracked from the events), so a replay finds exactly
 * what the run found.
 */
#include "check/session.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "check/report.h"
#include "machine/decode.h"
#include "machine/disasm.h"
#include "machine/machine.h"
#include "trace/trace.h"

#define RING (1u << 16)
#define MAX_PENDING 16
#define WALK_SEEN   4096

/* What the session follows of one CPU. */
struct session_cpu {
	/* The instruction in progress. */
	bool cur_valid, cur_pa_known;
	struct session_insn cur;
	unsigned nstores; /* store events of the current instruction */
	/* Registers as last written (what Unicorn translates with), for annotations. */
	uint64_t sr[SR_COUNT];
	/* The last exception entry, for the guest-hang report. */
	uint64_t exc_seq, exc_pc;
	char exc_what[80];
};

struct session {
	struct session_cfg cfg;
	struct model *m;           /* per machine */
	struct report *rep;        /* per run: survives SYSTEM_RESET */
	struct session_insn *ring; /* fetches of every CPU, in the order they happened */
	uint64_t nfetch;           /* fetches recorded so far (ring index = nfetch % RING) */
	uint64_t events;           /* delivered to the model, all machines */
	struct session_cpu cpu[MODEL_MAX_CPUS];
	/* Hazard trace events found during one model_step: written after its event line. */
	json_t *pending[MAX_PENDING];
	unsigned npending;
	uint64_t walk_seen[WALK_SEEN]; /* per page: a hash of the last walk traced */
};

/* ---- translation with the registers as last written ---- */

static bool translate(struct session *ss, unsigned cpu, uint64_t va, unsigned el,
                      enum access_type acc, uint64_t *pa)
{
	bool el2 = el == 2;
	const uint64_t *sr = ss->cpu[cpu].sr;
	uint64_t sctlr = sr[el2 ? SR_SCTLR_EL2 : SR_SCTLR_EL1];
	if (!(sctlr & SCTLR_ELx_M))
		return false;
	struct pt_cfg cfg;
	struct fault f;
	if (!pt_cfg_from_regs(el2 ? REGIME_EL2 : REGIME_EL10, ss->cfg.pa_bits, sctlr,
	                      sr[el2 ? SR_TCR_EL2 : SR_TCR_EL1],
	                      sr[el2 ? SR_TTBR0_EL2 : SR_TTBR0_EL1], el2 ? 0 : sr[SR_TTBR1_EL1],
	                      sr[el2 ? SR_MAIR_EL2 : SR_MAIR_EL1], va, &cfg, &f))
		return false;
	struct walk_result w;
	pt_translate(&cfg, ss->cfg.mem, va, &w);
	if (w.fault.type != FAULT_NONE || pt_check_perm(&cfg, &w, acc, el).type != FAULT_NONE)
		return false;
	if (!mach_pa_backed(ss->cfg.ram_base, ss->cfg.ram_size, w.oa, 4))
		return false;
	*pa = w.oa;
	return true;
}

uint64_t session_fetch_pa(struct session *ss, unsigned cpu, uint64_t va, unsigned el)
{
	uint64_t pa;
	return translate(ss, cpu, va, el, ACC_FETCH, &pa) ? pa : va;
}

void session_symbolize(struct session *ss, unsigned cpu, uint64_t va, unsigned el, char *buf,
                       size_t len)
{
	img_symbolize_pc(ss->cfg.img, va, el, buf, len);
	uint64_t pa;
	if (!buf[0] && translate(ss, cpu, va, el, ACC_FETCH, &pa))
		img_symbolize_pc(ss->cfg.img, pa, el, buf, len);
}

/* ---- annotations: PA, symbol and disassembly of the instructions a report names ---- */

struct sym_arg {
	struct session *ss;
	unsigned cpu, el;
};

static void sym_cb(void *arg, uint64_t va, char *buf, size_t len)
{
	struct sym_arg *a = arg;
	session_symbolize(a->ss, a->cpu, va, a->el, buf, len);
}

static const struct dis_insn *dis(struct session *ss, unsigned cpu, uint64_t va, uint32_t enc,
                                  unsigned el)
{
	struct sym_arg a = {ss, cpu, el};
	return disasm_get(ss->cfg.dis, va, enc, sym_cb, &a);
}

/* The `insn` line of a fetch (the trace decodes it only when the line carries its text). */
static void trace_insn_of(struct session *ss, unsigned cpu, uint64_t pc, uint32_t enc, unsigned el)
{
	struct sym_arg a = {ss, cpu, el};
	trace_insn(ss->cfg.trace, cpu, pc, el, enc, ss->cfg.dis, sym_cb, &a);
}

static void fill_site(struct session *ss, const struct session_insn *r, struct rep_site *site)
{
	site->known = true;
	site->va = r->va;
	site->pa = r->pa;
	site->el = r->el;
	img_symbolize_pc(ss->cfg.img, r->pa, r->el, site->sym, sizeof(site->sym));
	if (r->faulted) {
		snprintf(site->text, sizeof(site->text), "(not fetched: the fetch faults)");
		return;
	}
	snprintf(site->text, sizeof(site->text), "%s", dis(ss, r->cpu, r->va, r->enc, r->el)->text);
}

/*
 * A fetch whose outcomes differ in PA (missing-isb, stale-tlb after a TTBR switch) is named
 * after the PA that continues the program's sequence: the one following the previous
 * instruction's PA. That is the code the programmer wrote at that place (the bounced copy
 * of a trampoline, say), whichever outcome Unicorn executes; the outcomes list every PA.
 */
static void sequential_pa(struct session *ss, const struct hazard *hz, struct session_insn *r)
{
	/* The current fetch is the newest ring entry; the CPU's one before it precedes it
	 * (other CPUs' fetches may come in between, at a switch). */
	if (hz->ev != EV_FETCH || hz->n_outcomes < 2 || ss->nfetch < 2)
		return;
	const struct session_insn *prev = NULL;
	uint64_t n = ss->nfetch < RING ? ss->nfetch : RING;
	for (uint64_t i = 2; i <= n && i < 4096 && !prev; i++)
		if (ss->ring[(ss->nfetch - i) % RING].cpu == r->cpu)
			prev = &ss->ring[(ss->nfetch - i) % RING];
	if (!prev || prev->va + 4 != r->va)
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

/* The latest fetch of pc by cpu at or before event seq, searched among the last RING
 * fetches. */
static const struct session_insn *find_fetch(const struct session *ss, unsigned cpu, uint64_t pc,
                                             uint64_t seq)
{
	uint64_t n = ss->nfetch < RING ? ss->nfetch : RING;
	uint64_t first = ss->nfetch - n;
	/* Binary search for the last record with rec.seq <= seq (seqs increase). */
	uint64_t lo = first, hi = ss->nfetch;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (ss->ring[mid % RING].seq <= seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (uint64_t i = lo; i > first && lo - i < 256; i--) {
		const struct session_insn *r = &ss->ring[(i - 1) % RING];
		if (r->va == pc && r->cpu == cpu)
			return r;
	}
	return NULL;
}

static void annotate(struct session *ss, const struct hazard *hz, struct rep_annot *an)
{
	memset(an, 0, sizeof(*an));
	const struct session_insn *r = NULL;
	struct session_insn cur;
	const struct session_cpu *c = &ss->cpu[hz->cpu];
	if (c->cur_valid && c->cur.va == hz->pc) {
		cur = c->cur;
		if (!c->cur_pa_known && !cur.faulted)
			cur.pa = session_fetch_pa(ss, hz->cpu, cur.va, cur.el);
		r = &cur;
		sequential_pa(ss, hz, &cur);
	} else
		r = find_fetch(ss, hz->cpu, hz->pc, hz->seq);
	if (r)
		fill_site(ss, r, &an->pc);
	for (unsigned i = 0; i < hz->n_outcomes && i < HZ_MAX_OUTCOMES; i++) {
		const struct hz_cause *cz = &hz->outcomes[i].cause;
		if (cz->seq == 0)
			continue;
		if (an->pc.known && cz->pc == hz->pc && cz->cpu == hz->cpu &&
		    cz->seq >= c->cur.seq && c->cur_valid)
			an->cause[i] = an->pc; /* this very instruction */
		else if ((r = find_fetch(ss, cz->cpu, cz->pc, cz->seq)))
			fill_site(ss, r, &an->cause[i]);
	}
}

static void flush_pending(struct session *ss)
{
	for (unsigned i = 0; i < ss->npending; i++)
		trace_json_event(ss->cfg.trace, "hazard", ss->pending[i]);
	ss->npending = 0;
}

static void on_hazard(void *arg, const struct hazard *hz)
{
	struct session *ss = arg;
	struct rep_annot an;
	annotate(ss, hz, &an);
	bool is_new;
	const struct rep_entry *e = report_add(ss->rep, hz, &an, &is_new);
	if (e && ss->cfg.on_report)
		ss->cfg.on_report(ss->cfg.report_arg, e, is_new);
	if (!e || !ss->cfg.trace)
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
	if (ss->npending == MAX_PENDING) /* keep the order: write what waits, then this */
		flush_pending(ss);
	ss->pending[ss->npending++] = o;
}

/* ---- per-CPU state ---- */

/* A CPU powering up (boot, PSCI CPU_ON): DESIGN §2 boot convention, the values cpu_boot
 * gives Unicorn and model_new gives the model. */
static void cpu_reset(struct session *ss, unsigned cpu)
{
	struct session_cpu *c = &ss->cpu[cpu];
	memset(c, 0, sizeof(*c));
	c->sr[SR_SCTLR_EL2] = SCTLR_EL2_BOOT;
	c->sr[SR_SCTLR_EL1] = SCTLR_EL1_BOOT;
}

static uint64_t hash_cpu_pc(unsigned cpu, uint64_t pc)
{
	uint64_t h = (pc ^ ((uint64_t)cpu << 56) ^ HZ_GUEST_HANG) * UINT64_C(0x9e3779b97f4a7c15);
	return h ^ (h >> 29);
}

/* ---- events ---- */

static void step(struct session *ss, const struct model_event *ev, struct model_step_result *res)
{
	ss->events++;
	model_step(ss->m, ev, res);
	if (ss->cfg.on_step)
		ss->cfg.on_step(ss->cfg.step_arg, ss->m, ev, res);
}

/*
 * The descriptors a real walk read (none on a model-TLB hit) and the entry it made. A walk
 * that read the same descriptors as the last one traced for its page is not repeated: the
 * model re-walks on every access it does not cache, and those lines would dominate a
 * trace without saying anything new.
 */
static void trace_walk_of(struct session *ss, const struct model_event *ev,
                          const struct model_step_result *res, uint64_t va)
{
	if (!ss->cfg.trace || !res->is_access || !res->mmu_on || !res->tr.nsteps)
		return;
	uint64_t h = (va >> 12) ^ ((uint64_t)ev->cpu << 52);
	for (unsigned i = 0; i < res->tr.nsteps && i < PT_MAX_STEPS; i++)
		h = (h ^ res->tr.steps[i].desc_pa ^ (res->tr.steps[i].desc << 1)) *
		    UINT64_C(0x9e3779b97f4a7c15);
	uint64_t *slot = &ss->walk_seen[(va >> 12) % WALK_SEEN];
	if (*slot == h)
		return;
	*slot = h;
	unsigned el = model_cpu_el(ss->m, ev->cpu);
	bool el2 = el == 2;
	const uint64_t *sr = ss->cpu[ev->cpu].sr;
	/* DESIGN §3 "Walks": cacheable iff SCTLR.C and TCR.IRGN0 != 00 (D8.2.x). */
	uint64_t tcr = sr[el2 ? SR_TCR_EL2 : SR_TCR_EL1];
	bool cacheable =
	    (sr[el2 ? SR_SCTLR_EL2 : SR_SCTLR_EL1] & SCTLR_ELx_C) && ((tcr >> 8) & 3) != 0;
	trace_walk(ss->cfg.trace, ev->cpu, va, cacheable, &res->tr);
}

/* The fetch through model_step: the first of a page, after anything that may change what it
 * obtains, a faulting one, or every one under --timing. */
static void deliver_fetch(struct session *ss, unsigned cpu, uint64_t pc, uint32_t enc, unsigned el,
                          bool faulted, struct model_step_result *res)
{
	struct session_cpu *c = &ss->cpu[cpu];
	struct session_insn *slot = &ss->ring[ss->nfetch++ % RING];
	c->cur_valid = true;
	c->nstores = 0;
	/* The PA is known after the step; a hazard of this very fetch is annotated with the
	 * session's own walk of the VA (annotate), which is the same coherent translation.
	 * Recorded first, so that a hazard of this fetch finds the one before it. Both copies
	 * are made from the local r: storing c->cur field by field and then copying it whole
	 * would make the CPU wait for the stores (no store forwarding). */
	struct session_insn r = {.seq = model_seq(ss->m) + 1,
	                         .va = pc,
	                         .pa = pc,
	                         .enc = enc,
	                         .el = (uint8_t)el,
	                         .cpu = (uint8_t)cpu,
	                         .faulted = faulted};
	c->cur = r;
	c->cur_pa_known = false;
	*slot = r;
	if (ss->cfg.trace) {
		if (faulted)
			trace_fetch_fault(ss->cfg.trace, cpu, pc, el);
		else
			trace_insn_of(ss, cpu, pc, enc, el);
	}
	struct model_event ev = {.kind = EV_FETCH, .cpu = cpu, .pc = pc, .insn = enc};
	ev.u.mem.va = pc;
	ev.u.mem.size = 4;
	struct model_step_result local;
	if (!res)
		res = &local;
	step(ss, &ev, res);
	if (res->fault.type == FAULT_NONE && !faulted)
		r.pa = res->tr.oa;
	c->cur.pa = r.pa;
	c->cur_pa_known = true;
	*slot = r;
	trace_walk_of(ss, &ev, res, pc);
}

void session_note_insn(struct session *ss, unsigned cpu, uint64_t va, uint64_t pa, uint32_t enc,
                       unsigned el, bool faulted)
{
	struct session_cpu *c = &ss->cpu[cpu];
	struct session_insn r = {.seq = model_seq(ss->m),
	                         .va = va,
	                         .pa = pa,
	                         .enc = enc,
	                         .el = (uint8_t)el,
	                         .cpu = (uint8_t)cpu,
	                         .faulted = faulted};
	ss->ring[ss->nfetch++ % RING] = r;
	c->cur = r;
	c->cur_valid = true;
	c->cur_pa_known = true;
}

void session_fetch(struct session *ss, unsigned cpu, uint64_t pc, uint32_t enc, unsigned el,
                   bool faulted, struct model_step_result *res)
{
	/* The model already knows this fetch's one outcome: no hazard, no walk to trace (a
	 * cached translation reads no descriptors), so nothing is written between the fetch
	 * and its `insn` line and the order of the two does not matter. */
	uint64_t pa, seq;
	if (!faulted && !ss->cfg.on_step && (seq = model_fetch_fast(ss->m, cpu, pc, &pa, res))) {
		struct session_cpu *c = &ss->cpu[cpu];
		struct session_insn r = {.seq = seq,
		                         .va = pc,
		                         .pa = pa,
		                         .enc = enc,
		                         .el = (uint8_t)el,
		                         .cpu = (uint8_t)cpu};
		ss->ring[ss->nfetch++ % RING] = r;
		c->cur = r;
		c->cur_valid = true;
		c->cur_pa_known = true;
		c->nstores = 0;
		ss->events++;
		if (ss->cfg.trace)
			trace_insn_of(ss, cpu, pc, enc, el);
	} else {
		deliver_fetch(ss, cpu, pc, enc, el, faulted, res);
	}
	struct model_event bar;
	if (!faulted && dec_barrier_space(enc)) {
		bar = (struct model_event){.cpu = cpu, .pc = pc, .insn = enc};
		if (dec_barrier(enc, &bar)) {
			if (ss->cfg.trace)
				trace_barrier(ss->cfg.trace, cpu, pc, ev_kind_name(bar.kind),
				              barrier_domain_name(bar.u.barrier.dom),
				              bar.u.barrier.type);
			step(ss, &bar, NULL);
		}
	}
	if (ss->cfg.trace)
		flush_pending(ss);
}

const struct session_insn *session_current(const struct session *ss, unsigned cpu)
{
	return ss->cpu[cpu].cur_valid ? &ss->cpu[cpu].cur : NULL;
}

struct model *session_model(struct session *ss)
{
	return ss->m;
}

static void trace_event_of(struct session *ss, const struct model_event *ev,
                           const struct model_step_result *res)
{
	struct trace *t = ss->cfg.trace;
	switch (ev->kind) {
	case EV_LOAD:
	case EV_STORE: {
		bool ok = res->fault.type == FAULT_NONE;
		uint64_t value = ev->u.mem.value;
		if (ev->kind == EV_LOAD && ok) { /* the bytes the program obtains */
			uint8_t b[8] = {0};
			value = 0;
			if (ss->cfg.mem->read(ss->cfg.mem->ctx, res->tr.oa, b, ev->u.mem.size))
				for (unsigned i = ev->u.mem.size; i-- > 0;)
					value = (value << 8) | b[i];
		}
		trace_mem(t, ev->cpu, ev->pc, ev->kind == EV_STORE, ev->u.mem.va, ok,
		          res->tr.oa, ev->u.mem.size, res->mmu_on, res->tr.attrs.inner,
		          res->tr.attrs.mair_attr, value,
		          ok ? NULL : pt_fault_name(res->fault.type));
		trace_walk_of(ss, ev, res, ev->u.mem.va);
		break;
	}
	case EV_TLBI:
		trace_op(t, ev->cpu, ev->pc, "tlbi", tlbi_op_name(ev->u.tlbi.op), "arg",
		         ev->u.tlbi.arg, NULL);
		break;
	case EV_DC:
		trace_op(t, ev->cpu, ev->pc, "dc", dc_op_name(ev->u.dc.op), "arg", ev->u.dc.arg,
		         res);
		trace_walk_of(ss, ev, res, ev->u.dc.arg);
		break;
	case EV_IC:
		trace_op(t, ev->cpu, ev->pc, "ic", ic_op_name(ev->u.ic.op), "va", ev->u.ic.va, res);
		trace_walk_of(ss, ev, res, ev->u.ic.va);
		break;
	case EV_AT:
		trace_op(t, ev->cpu, ev->pc, "at", at_op_name(ev->u.at.op), "va", ev->u.at.va, res);
		trace_walk_of(ss, ev, res, ev->u.at.va);
		break;
	default: /* sysreg, exception, eret: written by the machine before the step */
		break;
	}
}

void session_step(struct session *ss, struct model_event *ev, struct model_step_result *res)
{
	struct model_step_result local;
	struct session_cpu *c = &ss->cpu[ev->cpu];
	if (!res)
		res = &local;
	if (c->cur_valid) { /* the current instruction's, unless the caller knows better */
		if (!ev->pc)
			ev->pc = c->cur.va;
		if (!ev->insn)
			ev->insn = c->cur.enc;
	}
	step(ss, ev, res);
	if (ev->kind == EV_SYSREG)
		c->sr[ev->u.sysreg.reg] = ev->u.sysreg.value;
	if (ev->kind == EV_STORE || (ev->kind == EV_DC && ev->u.dc.op == DC_ZVA))
		c->nstores++;
	if (ss->cfg.trace) {
		trace_event_of(ss, ev, res);
		flush_pending(ss);
	}
}

void session_exception(struct session *ss, unsigned cpu, bool insn_abort, uint64_t far, uint64_t pc,
                       unsigned from_el, unsigned to_el, bool requested, uint64_t esr, uint64_t elr,
                       uint64_t vector, const char *what)
{
	struct session_cpu *c = &ss->cpu[cpu];
	if (insn_abort)
		deliver_fetch(ss, cpu, far, 0, from_el, true, NULL);
	struct model_event ev = {.kind = EV_EXC_ENTRY, .cpu = cpu, .pc = pc};
	if (c->cur_valid)
		ev.insn = c->cur.enc;
	ev.u.exc.from_el = from_el;
	ev.u.exc.to_el = to_el;
	ev.u.exc.requested = requested;
	ev.u.exc.esr = esr;
	ev.u.exc.elr = elr;
	ev.u.exc.vector = vector;
	if (ss->cfg.trace)
		trace_exc_entry(ss->cfg.trace, cpu, pc, insn_abort, far, from_el, to_el, requested,
		                esr, elr, vector, what);
	step(ss, &ev, NULL);
	c->exc_seq = model_seq(ss->m);
	c->exc_pc = pc;
	snprintf(c->exc_what, sizeof(c->exc_what), "%s", what);
	if (ss->cfg.trace)
		flush_pending(ss);
}

void session_abandon(struct session *ss, unsigned cpu)
{
	struct session_cpu *c = &ss->cpu[cpu];
	if (c->nstores && ss->cfg.trace)
		trace_simple(ss->cfg.trace, "abandon", cpu, c->cur.va, NULL);
	c->nstores = 0;
}

void session_hang(struct session *ss, unsigned cpu, uint64_t pc, const char *what)
{
	const struct session_cpu *c = &ss->cpu[cpu];
	if (ss->cfg.trace)
		trace_simple(ss->cfg.trace, "hang", cpu, pc, what);
	struct hazard hz;
	memset(&hz, 0, sizeof(hz));
	hz.cls = HZ_GUEST_HANG;
	hz.cpu = cpu;
	hz.pc = pc;
	/* One report per hanging CPU, even at the same PC (model_report's key for CPU 0). */
	hz.fold_key = cpu ? hash_cpu_pc(cpu, pc) : 0;
	const struct session_insn *r = find_fetch(ss, cpu, pc, UINT64_MAX);
	hz.insn = r ? r->enc : 0;
	hz.ev = EV_FETCH;
	snprintf(hz.summary, sizeof(hz.summary), "%s", what);
	hz.n_outcomes = 1;
	snprintf(hz.outcomes[0].text, sizeof(hz.outcomes[0].text),
	         "the CPU loops here forever: hypsim's virt machine has no interrupt source");
	if (c->exc_seq) {
		hz.outcomes[0].cause = (struct hz_cause){
		    .seq = c->exc_seq, .cpu = cpu, .pc = c->exc_pc, .kind = EV_EXC_ENTRY};
		snprintf(hz.outcomes[0].cause.what, sizeof(hz.outcomes[0].cause.what),
		         "last exception: %.78s", c->exc_what);
	} else {
		snprintf(hz.outcomes[0].cause.what, sizeof(hz.outcomes[0].cause.what),
		         "no exception was taken since reset");
	}
	hz.rule = "DESIGN §2: a branch to self, or WFI/WFE with nothing to wake it, never "
	          "ends (Arm ARM D1.x wait for interrupt / event)";
	model_report(ss->m, &hz);
	if (ss->cfg.trace)
		flush_pending(ss);
}

void session_cpu_on(struct session *ss, unsigned cpu, unsigned by, uint64_t pc, uint64_t entry,
                    uint64_t context_id)
{
	struct model_cpu_reset r = {.el = 2};
	r.sysreg[SR_SCTLR_EL2] = SCTLR_EL2_BOOT;
	r.sysreg[SR_SCTLR_EL1] = SCTLR_EL1_BOOT;
	if (ss->cfg.trace) {
		char a[24], e[24], x[24];
		snprintf(a, sizeof(a), "0x%" PRIx64, pc);
		snprintf(e, sizeof(e), "0x%" PRIx64, entry);
		snprintf(x, sizeof(x), "0x%" PRIx64, context_id);
		trace_json_event(ss->cfg.trace, "cpu-on",
		                 json_pack("{s:I, s:I, s:s, s:s, s:s}", "cpu", (json_int_t)cpu,
		                           "by", (json_int_t)by, "pc", a, "entry", e, "context_id",
		                           x));
	}
	model_reset_cpu(ss->m, cpu, &r);
	cpu_reset(ss, cpu);
}

void session_cpu_off(struct session *ss, unsigned cpu, uint64_t pc)
{
	if (ss->cfg.trace)
		trace_simple(ss->cfg.trace, "cpu-off", cpu, pc, NULL);
	model_cpu_off(ss->m, cpu);
	ss->cpu[cpu].cur_valid = false;
	ss->cpu[cpu].nstores = 0;
}

/* ---- life cycle ---- */

struct session *session_new(const struct session_cfg *cfg)
{
	struct session *ss = calloc(1, sizeof(*ss));
	if (!ss)
		return NULL;
	ss->cfg = *cfg;
	if (!(ss->rep = report_new()) || !(ss->ring = calloc(RING, sizeof(*ss->ring)))) {
		session_free(ss);
		return NULL;
	}
	return ss;
}

int session_machine(struct session *ss)
{
	if (ss->m)
		model_free(ss->m);
	struct model_cfg mc = {
	    .ncpus = ss->cfg.ncpus,
	    .tlb_policy = ss->cfg.tlb_policy,
	    .ctr_idc = ss->cfg.ctr_idc,
	    .ctr_dic = ss->cfg.ctr_dic,
	    .feat_ets = ss->cfg.feat_ets,
	    .pa_bits = ss->cfg.pa_bits,
	    .wb_policy = ss->cfg.wb_policy,
	    .wb_seed = ss->cfg.wb_seed,
	    .on_hazard = on_hazard,
	    .hazard_arg = ss,
	};
	ss->m = model_new(&mc, ss->cfg.mem);
	if (!ss->m)
		return -1;
	for (unsigned i = 0; i < MODEL_MAX_CPUS; i++)
		cpu_reset(ss, i);
	memset(ss->walk_seen, 0, sizeof(ss->walk_seen));
	if (ss->cfg.trace)
		trace_simple(ss->cfg.trace, "reset", 0, 0, NULL);
	return 0;
}

void session_free(struct session *ss)
{
	if (!ss)
		return;
	for (unsigned i = 0; i < ss->npending; i++)
		json_decref(ss->pending[i]);
	if (ss->m)
		model_free(ss->m);
	report_free(ss->rep);
	free(ss->ring);
	free(ss);
}

uint64_t session_events(const struct session *ss)
{
	return ss->events;
}

int session_end(struct session *ss, int status)
{
	size_t n = report_count(ss->rep);
	for (size_t i = 0; i < n; i++) {
		const struct rep_entry *e = report_entry(ss->rep, i);
		report_print_text(e, stderr);
		if (ss->cfg.json) {
			json_t *o = report_json(e);
			json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
			fputc('\n', stdout);
			json_decref(o);
		}
	}
	if (n) {
		uint64_t total = 0;
		for (size_t i = 0; i < n; i++)
			total += report_entry(ss->rep, i)->count;
		fprintf(stderr, "sim: %s: %zu hazard report%s (%" PRIu64 " before folding)\n",
		        ss->cfg.name, n, n == 1 ? "" : "s", total);
	}
	fflush(stdout);
	if (status == 2 || status == 4) /* usage / internal: they stand (DESIGN §5) */
		return status;
	if (report_count_except(ss->rep, HZ_GUEST_HANG))
		return 1;
	return status;
}
