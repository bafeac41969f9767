/*
 * checker.c - the hypsim checker: implements model.h on top of sysreg.h (contexts),
 * tlb.h (TLB and descriptor histories) and cache.h (lines, PoC, I-cache).
 *
 * For each access the coherent outcome is computed first (latest register values, a fresh
 * walk of memory as the program sees it, the latest bytes). Then every other outcome the
 * architecture allows is computed and attributed to one hazard class:
 *   - other combinations of pending system register values -> missing-isb (D1.x context
 *     synchronization);
 *   - translations a TLB may still hold (tlb_lookup) -> stale-tlb, or missing-dsb when only
 *     a TLBI not yet completed by a DSB would have removed them (D8.13);
 *   - the walk reading the PoC (non-cacheable walk) or a stale cached line (cacheable walk)
 *     -> walk-not-at-poc (D8.2.x, B2.4 / D7.5);
 *   - the bytes a read obtains: PoC bytes of a dirty line for a Non-cacheable access, the
 *     stale clean copy for a cacheable one -> data-not-at-poc / fetch-not-at-poc; I-cache
 *     contents or PoU bytes for a cacheable fetch -> icache-stale (D7.5, B2.4.4);
 *   - instructions stored to since the CPU's last context synchronisation -> missing-isb
 *     (B2.2.5, DESIGN §3 "Modified code");
 *   - descriptor values a table store replaced after the earliest instant the access can
 *     have (no FEAT_ETS2) -> missing-isb (DESIGN §3 "One instant per access").
 * Every outcome is one the access can have at a single instant (DESIGN §3): the TLB is
 * looked up at the earliest instant the access can be translated with the MMU on
 * (ck_access_instant), after the MSR that turned it on if it is not yet synchronised.
 * Outcomes are compared by fault, PA and (reads) bytes only, so identity maps and
 * trampolines are silent. An outcome already explained by an earlier class (in the order
 * data, code, walk, context, TLB, later table stores) is not repeated under a later one.
 * A certain exception is an event, not a hazard: nothing is reported at exception entry
 * but an unsynchronised VBAR.
 *
 * Choices hypsim makes, for its users to know:
 *   - every combination of pending register values with SCTLR.M = 1 opens a TLB context at
 *     the MSR (speculative walks may use it before the ISB), so writing TCR/TTBR/MAIR and
 *     SCTLR without an ISB in between is reported when the combinations differ;
 *   - the new bytes of a store are read from mem_ops when the store has landed (at a
 *     later event), so EV_STORE's value is not needed, and wide stores split into several
 *     events are handled;
 *   - a completed IC reaches instruction fetch at the issuing CPU's next context
 *     synchronisation (D7.5.x: DC CVAU, DSB ISH, IC, DSB ISH, ISB);
 *   - DC and IC complete at any DSB of their CPU other than DSB LD (IC IALLUIS: ISH or
 *     wider), TLBIs at a DSB of enough shareability other than DSB LD;
 *   - set/way operations act on every line (firmware loops over all sets and ways);
 *   - model_cfg.feat_ets is FEAT_ETS2 (off for the Cortex-A72): with it, fetches and data
 *     translations honour a completed TLBI and a visible table store without an ISB;
 *   - old instruction bytes are kept only for pages code was fetched from before the
 *     store (patching, self-modifying code), not for code copied to a page never fetched.
 *
 * Fast path: a small per-CPU direct-mapped cache of single-outcome translations, valid
 * while nothing changed (generation counters of the checker and the TLB), and per-page
 * line bitmaps; anything unusual falls back to the full computation.
 */
#include "checker_int.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"

/* ---------- contexts ---------- */

/*
 * A context combination k with the MMU turned on by a pending SCTLR write but another
 * register of the regime at its old value: its walks use that old value because the MSR
 * was not synchronised before the MMU-on (Linux 6.1's __pkvm_init_switch_pgd). Say so in
 * the reports of its entries.
 */
static void note_old_regs(struct model *m, unsigned cpu, enum regime rg, unsigned k,
                          const struct tlb_regs *r)
{
	const struct cpu *c = &m->cpu[cpu];
	enum sysreg_id sc = rg == REGIME_EL2 ? SR_SCTLR_EL2 : SR_SCTLR_EL1;
	if (!k || (c->sr.eff[sc] & SCTLR_ELx_M) || !(c->sr.pending & (UINT32_C(1) << sc)))
		return;
	enum sysreg_id ids[5];
	unsigned nids = sr_regime_regs(rg, ids), j = 0;
	for (unsigned i = 0; i < nids; i++) {
		if (!(c->sr.pending & (UINT32_C(1) << ids[i])))
			continue;
		if (((k >> j++) & 1) && ids[i] != sc) {
			char note[96];
			snprintf(note, sizeof(note),
			         "old %s=0x%" PRIx64 " (its MSR at 0x%" PRIx64
			         " not synchronised) at the MMU-on",
			         sysreg_name(ids[i]), c->sr.eff[ids[i]], c->sr.wcause[ids[i]].pc);
			tlb_ctx_note(m->t, cpu, r, note);
			return;
		}
	}
}

/* Open TLB contexts for every possible value combination with the MMU on; at a context
 * synchronisation, close those no longer in force. */
void ck_update_contexts(struct model *m, unsigned cpu, bool synced)
{
	struct cpu *c = &m->cpu[cpu];
	for (int rg = REGIME_EL2; rg <= REGIME_EL10; rg++) {
		unsigned n = sr_ctx_count(&c->sr, rg);
		struct tlb_regs keep[32];
		unsigned nkeep = 0;
		for (unsigned k = 0; k < n && k < 32; k++) {
			struct tlb_regs r = regs_of(&c->sr, rg, k);
			if (!(r.sctlr & SCTLR_ELx_M))
				continue;
			uint32_t pend = sr_regime_pending(&c->sr, rg);
			struct hz_cause cause = pend ? c->sr.wcause[__builtin_ctz(pend)]
			                             : cause_of(m, m->ev, "MMU enabled");
			tlb_ctx_open(m->t, cpu, &r, m->seq, &cause);
			note_old_regs(m, cpu, rg, k, &r);
			keep[nkeep++] = r;
		}
		if (synced)
			tlb_ctx_close_others(m->t, cpu, rg, keep, nkeep, m->seq);
	}
	if (tlb_bbm_pending(m->t))
		tlb_bbm_recheck(m->t, m->seq, ck_on_bbm, m);
	bump(m);
}


/* s2tlb's hazards, stamped as the checker's (ck_hz_init) and counted for the event. */
static void ck_s2_hazard(void *arg, const struct hazard *h)
{
	struct model *m = arg;
	struct hazard hz = *h;
	/* s2tlb names the event (a bbm held back while stage 2 was off names its store); the
	 * current one gets its encoding and kind (a DC ZVA's stores are EV_DC). */
	if (m->ev && hz.seq == m->seq) {
		hz.insn = m->ev->insn;
		hz.ev = m->ev->kind;
	}
	if (!hz.fold_key)
		hz.fold_key = hash64(hz.cls, hz.pc);
	ck_emit_hazard(m, &hz);
}

void ck_context_sync(struct model *m, unsigned cpu)
{
	ck_apply_ic(m, cpu);
	/* No MSR since the last synchronisation: the contexts in force are unchanged (the
	 * common ISB). */
	sr_sync(&m->cpu[cpu].sr);
	if (m->cpu[cpu].ctx_dirty)
		ck_update_contexts(m, cpu, true);
	m->cpu[cpu].ctx_dirty = false;
	m->cpu[cpu].last_cse = m->seq;
	if (m->ncs)
		ck_code_prune(m);
	tlb_csync(m->t, cpu, m->seq);
	s2tlb_csync(m->s2, cpu, m->seq);
}

static void do_exc_entry(struct model *m, const struct model_event *ev)
{
	struct cpu *c = &m->cpu[ev->cpu];
	unsigned to = ev->u.exc.to_el;
	/* DESIGN §3 "Exceptions are events, not hazards": an exception taken here is the
	 * coherent outcome of its instruction. Where the architecture allowed another outcome,
	 * the access that took it has already been reported under the class of its cause
	 * (check_access); a certain exception is the program's own behaviour (probing, fixups,
	 * page faults), traced and named by the caller in its end line or hang report. So
	 * unexpected-exception is no longer reported (its name stays for old traces). */
	/* The vector base is read before the entry synchronises the context. */
	enum sysreg_id vb = to == 2 ? SR_VBAR_EL2 : SR_VBAR_EL1;
	if ((c->sr.pending & (UINT32_C(1) << vb)) && to >= 1) {
		struct hazard hz;
		ck_hz_init(m, &hz, HZ_MISSING_ISB, RULE_ISB);
		snprintf(hz.summary, sizeof(hz.summary),
		         "exception taken with %s written but not synchronised", sysreg_name(vb));
		hz.n_outcomes = 2;
		snprintf(hz.outcomes[0].text, sizeof(hz.outcomes[0].text),
		         "vector base 0x%" PRIx64 " (new)", c->sr.latest[vb]);
		hz.outcomes[0].cause = c->sr.wcause[vb];
		snprintf(hz.outcomes[1].text, sizeof(hz.outcomes[1].text),
		         "vector base 0x%" PRIx64 " (old)", c->sr.eff[vb]);
		hz.outcomes[1].cause = cause_of(m, ev, "earlier value");
		hz.fold_key = hash64(HZ_MISSING_ISB, hash64(vb, c->sr.wcause[vb].seq));
		ck_emit_hazard(m, &hz);
	}
	c->el = to;
	uint64_t sctlr = c->sr.latest[to == 2 ? SR_SCTLR_EL2 : SR_SCTLR_EL1];
	if (sctlr & SCTLR_ELx_EIS)
		ck_context_sync(m, ev->cpu);
	bump(m);
}

/* ---------- public API ---------- */

struct model *model_new(const struct model_cfg *cfg, const struct mem_ops *mem)
{
	assert(cfg->ncpus >= 1 && cfg->ncpus <= MODEL_MAX_CPUS);
	assert(pt_pa_bits_ok(cfg->pa_bits));
	struct model *m = calloc(1, sizeof(*m));
	assert(m);
	m->cfg = *cfg;
	m->mem = *mem;
	m->c = cache_new(mem);
	cache_set_policy(m->c, cfg->wb_policy, cfg->wb_seed);
	char pol[32];
	wb_policy_format(cfg->wb_policy, cfg->wb_seed, pol, sizeof(pol));
	snprintf(m->wb_label, sizeof(m->wb_label), "writeback=%s", pol);
	m->t = tlb_new(cfg, mem, m->c);
	struct s2tlb_cfg s2c = {cfg->ncpus, cfg->feat_ets, ck_s2_features(m), ck_s2_hazard, m};
	m->s2 = s2tlb_new(&s2c, mem);
	m->tgen = tlb_gen_ptr(m->t);
	m->tpend = tlb_pending_ptr(m->t);
	for (unsigned i = 0; i < cfg->ncpus; i++) {
		struct model_cpu_reset r = {.el = 2};
		r.sysreg[SR_SCTLR_EL2] = SCTLR_EL2_BOOT;
		r.sysreg[SR_SCTLR_EL1] = SCTLR_EL1_BOOT;
		model_reset_cpu(m, i, &r);
	}
	return m;
}

void model_free(struct model *m)
{
	if (!m)
		return;
	tlb_free(m->t);
	s2tlb_free(m->s2);
	cache_free(m->c);
	free(m->pm);
	free(m->cs);
	free(m);
}

void model_reset_cpu(struct model *m, unsigned cpu, const struct model_cpu_reset *r)
{
	assert(cpu < m->cfg.ncpus);
	struct cpu *c = &m->cpu[cpu];
	memset(c->tc, 0, sizeof(c->tc));
	c->el = r->el;
	c->up = true;
	c->last_cse = m->seq; /* a reset is a context synchronisation event */
	sr_reset(&c->sr, r->sysreg);
	tlb_cpu_reset(m->t, cpu);
	s2tlb_cpu_reset(m->s2, cpu, r->sysreg[SR_HCR_EL2], r->sysreg[SR_VTCR_EL2],
	                r->sysreg[SR_VTTBR_EL2], m->seq);
	const struct model_event *saved = m->ev;
	m->ev = NULL;
	ck_update_contexts(m, cpu, true);
	m->ev = saved;
}

static void finalize_stores(struct model *m)
{
	m->stores_pending = tlb_finalize(m->t, m->seq, ck_on_bbm, m);
}

void model_cpu_off(struct model *m, unsigned cpu)
{
	assert(cpu < m->cfg.ncpus);
	struct cpu *c = &m->cpu[cpu];
	if (m->stores_pending)
		finalize_stores(m);
	/* The power-down sequence's DSB SY: TLBIs, DC and IC of this CPU complete. A completed
	 * IC has reached instruction fetch by the time the CPU runs again (a reset is a
	 * context synchronisation event). */
	tlb_dsb(m->t, cpu, DOM_SY, BAR_ALL, m->seq);
	s2tlb_dsb(m->s2, cpu, DOM_SY, BAR_ALL, m->seq);
	ck_complete_maint(m, cpu, DOM_SY);
	ck_apply_ic(m, cpu);
	tlb_cpu_reset(m->t, cpu);
	memset(c->tc, 0, sizeof(c->tc));
	c->up = false;
	if (m->ncs)
		ck_code_prune(m);
}

void model_step(struct model *m, const struct model_event *ev, struct model_step_result *res)
{
	assert(ev->cpu < m->cfg.ncpus);
	m->seq++;
	m->ev = ev;
	m->nhz = 0;
	struct cpu *c = &m->cpu[ev->cpu];
	if (res && ev->kind > EV_STORE)
		memset(res, 0, sizeof(*res)); /* accesses fill every field themselves */
	if (m->stores_pending)
		finalize_stores(m);
	if (m->cfg.wb_policy == WB_RANDOM)
		ck_evict_due(m);

	switch (ev->kind) {
	case EV_FETCH:
	case EV_LOAD:
	case EV_STORE: {
		enum access_type acc = ev->kind == EV_FETCH  ? ACC_FETCH
		                       : ev->kind == EV_LOAD ? ACC_READ
		                                             : ACC_WRITE;
		if (ev->u.mem.pa || !ck_fast_access(m, ev, acc, ev->u.mem.va, ev->u.mem.size, res))
			ck_check_access(m, ev, acc, ev->u.mem.va, ev->u.mem.size, false, res);
		break;
	}
	case EV_SYSREG: {
		struct hz_cause cz = cause_of(m, ev, "MSR");
		snprintf(cz.what, sizeof(cz.what), "MSR %s, 0x%" PRIx64,
		         sysreg_name(ev->u.sysreg.reg), ev->u.sysreg.value);
		sr_write(&c->sr, ev->u.sysreg.reg, ev->u.sysreg.value, &cz);
		if (ev->u.sysreg.reg == SR_HCR_EL2 || ev->u.sysreg.reg == SR_VTCR_EL2 ||
		    ev->u.sysreg.reg == SR_VTTBR_EL2)
			s2tlb_msr(m->s2, ev->cpu,
			          ev->u.sysreg.reg == SR_HCR_EL2    ? S2R_HCR_EL2
			          : ev->u.sysreg.reg == SR_VTCR_EL2 ? S2R_VTCR_EL2
			                                            : S2R_VTTBR_EL2,
			          ev->u.sysreg.value, m->seq, ev->pc);
		c->ctx_dirty = true;
		ck_update_contexts(m, ev->cpu, false);
		break;
	}
	case EV_TLBI: {
		struct hz_cause cz;
		if (tlb_unsynced_store(m->t, ev->cpu, &cz)) {
			struct hazard hz;
			ck_hz_init(m, &hz, HZ_MISSING_DSB, RULE_DSB);
			snprintf(hz.summary, sizeof(hz.summary),
			         "TLBI %s relies on a table store no DSB has made visible to the "
			         "walker: a speculative walk may re-cache the old entry",
			         tlbi_op_name(ev->u.tlbi.op));
			hz.n_outcomes = 1;
			snprintf(hz.outcomes[0].text, sizeof(hz.outcomes[0].text),
			         "the old descriptor value may be cached again after the TLBI");
			hz.outcomes[0].cause = cz;
			snprintf(
			    hz.outcomes[0].cause.what, sizeof(hz.outcomes[0].cause.what),
			    "store to a live translation table (no DSB ISHST before the TLBI)");
			hz.fold_key = hash64(HZ_MISSING_DSB, hash64(ev->pc, cz.seq));
			ck_emit_hazard(m, &hz);
		}
		struct hz_cause tc = cause_of(m, ev, "TLBI");
		tlb_tlbi(m->t, ev->cpu, ev->u.tlbi.op, ev->u.tlbi.arg, m->seq, &tc);
		s2tlb_tlbi(m->s2, ev->cpu, ev->u.tlbi.op, ev->u.tlbi.arg, m->seq, ev->pc);
		break;
	}
	case EV_DC:
		ck_do_dc(m, ev, res);
		break;
	case EV_IC:
		ck_do_ic(m, ev, res);
		break;
	case EV_AT: {
		enum at_op op = ev->u.at.op;
		bool w = op == AT_S1E2W || op == AT_S1E1W || op == AT_S1E0W;
		ck_check_access(m, ev, w ? ACC_DC_WRITE : ACC_DC_READ, ev->u.at.va, 1, false, res);
		break;
	}
	case EV_DSB:
		tlb_dsb(m->t, ev->cpu, ev->u.barrier.dom, ev->u.barrier.type, m->seq);
		s2tlb_dsb(m->s2, ev->cpu, ev->u.barrier.dom, ev->u.barrier.type, m->seq);
		/* Cache maintenance, like TLB maintenance, completes only at a DSB whose
		 * required access types are reads and writes (B2.3.12), not a DSB LD or ST. */
		if (ev->u.barrier.type == BAR_ALL)
			ck_complete_maint(m, ev->cpu, ev->u.barrier.dom);
		break;
	case EV_DMB:
		break;
	case EV_ISB:
		ck_context_sync(m, ev->cpu);
		break;
	case EV_EXC_ENTRY:
		do_exc_entry(m, ev);
		break;
	case EV_ERET: {
		uint64_t sctlr = c->sr.latest[c->el == 2 ? SR_SCTLR_EL2 : SR_SCTLR_EL1];
		c->el = ev->u.eret.to_el;
		if (sctlr & SCTLR_ELx_EOS)
			ck_context_sync(m, ev->cpu);
		bump(m);
		break;
	}
	default:
		break;
	}
	if (res)
		res->n_hazards = m->nhz;
	m->ev = NULL;
}

uint64_t model_fetch_fast(struct model *m, unsigned cpu, uint64_t va, uint64_t *pa_out,
                          struct model_step_result *res)
{
	assert(cpu < m->cfg.ncpus);
	/* Table stores waiting for tlb_finalize need model_step (break-before-make); so does a
	 * misaligned PC, whose 4 bytes may span two lines or pages, and an eviction due before
	 * this event (WB_RANDOM). */
	if (m->stores_pending || (va & 3) ||
	    (m->cfg.wb_policy == WB_RANDOM && cache_wb_next(m->c) <= m->seq + 1))
		return 0;
	struct tc_entry *e = tc_hit(m, &m->cpu[cpu], ACC_FETCH, va);
	if (!e)
		return 0;
	uint64_t pa = e->pa_page | (va & (CACHE_PAGE_SIZE - 1));
	if (!tc_fetch_lines_ok(m, e, UINT64_C(1) << ((pa & (CACHE_PAGE_SIZE - 1)) >> 6)))
		return 0;
	*pa_out = pa;
	if (res)
		ck_tc_result(e, va, pa, res);
	return ++m->seq; /* the event model_step would have counted */
}

void model_report(struct model *m, struct hazard *hz)
{
	hz->seq = m->seq;
	if (!hz->fold_key)
		hz->fold_key = hash64(hz->cls, hz->pc);
	if (!hz->rule)
		hz->rule = ck_class_rule(hz->cls);
	ck_emit_hazard(m, hz);
}

uint64_t model_seq(const struct model *m)
{
	return m->seq;
}

uint64_t model_sysreg(const struct model *m, unsigned cpu, enum sysreg_id r)
{
	return m->cpu[cpu].sr.eff[r];
}

unsigned model_cpu_el(const struct model *m, unsigned cpu)
{
	return m->cpu[cpu].el;
}

enum model_line_state model_line_state(struct model *m, uint64_t pa)
{
	struct cache_page *pg = cache_page_find(m->c, pa);
	uint64_t lm = cache_line_mask(pa & CACHE_LINE_MASK, CACHE_LINE_SIZE);
	if (!pg || !(pg->dirty & lm))
		return MODEL_LINE_CLEAN;
	uint8_t poc[CACHE_LINE_SIZE], cur[CACHE_LINE_SIZE];
	uint64_t l = pa & CACHE_LINE_MASK;
	/* Bytes that cannot be read cannot be shown equal. */
	if (!cache_read(m->c, CV_POC, l, poc, sizeof(poc)) ||
	    !cache_read(m->c, CV_LATEST, l, cur, sizeof(cur)) || memcmp(poc, cur, sizeof(poc)))
		return MODEL_LINE_DIRTY_DIFFERS;
	return MODEL_LINE_DIRTY_SAME;
}

bool model_regime_cfg(const struct model *m, unsigned cpu, uint64_t va, struct pt_cfg *cfg,
                      struct fault *f)
{
	const struct cpu *c = &m->cpu[cpu];
	enum regime rg = regime_of(c->el);
	struct tlb_regs r = regs_of(&c->sr, rg, 0);
	memset(f, 0, sizeof(*f));
	if (!(r.sctlr & SCTLR_ELx_M))
		return false;
	return pt_cfg_from_regs(rg, m->cfg.pa_bits, r.sctlr, r.tcr, r.ttbr0, r.ttbr1, r.mair, va,
	                        cfg, f);
}

/* ---- digest (digest.h) ---- */

/*
 * The registers, the translation cache, the pending maintenance, then the cache lines and
 * the TLB (cache_digest, tlb_digest). Left out: gen (only compared with the translation
 * cache entries' gen, and an entry whose gen is not the current one is rewritten by
 * tc_fill and refused by the fast path, as an empty entry would be: so only valid entries
 * are hashed, without their gen); the MSR causes (sr.wcause: report text and fold keys);
 * nhz and ev (per event); the dirty state of lines cfg->skip_line takes out (digest.h),
 * with their pending DCs by VA.
 *
 * Pending maintenance: the entries that act on every line (set/way, IC IALLU[IS]) in their
 * order; each entry by VA as a part of its own, with its rank among the entries on its
 * line and the number of whole-cache entries before it (the order complete_maint and
 * apply_ic act in matters only there). An entry by VA is offered to skip_line with its
 * line: when it completes it reads and changes nothing but that line's dirty or I-cache
 * state, and the other readers of the list (maint_pending_on: the class of an outcome of
 * an access to the line, or of a walk that read it through a view) look at the line too.
 * No line is offered while a DC by set/way is pending: it will act on every line.
 */
struct code_hash {
	struct cache *c;
	uint64_t *sum;
};

static void code_page_hash(void *arg, uint64_t pa)
{
	struct code_hash *h = arg;
	const struct cache_page *pg = cache_page_find(h->c, pa);
	if (pg && pg->code)
		*h->sum += hash64(pa, 0x636f6465);
}

uint64_t model_digest(const struct model *m, const struct model_digest_cfg *cfg)
{
	struct dg d = dg_start(0x6d6f64656c);
	dg_u64(&d, m->cfg.ncpus);
	dg_u64(&d, m->cfg.tlb_policy);
	dg_u64(&d, m->cfg.ctr_idc);
	dg_u64(&d, m->cfg.ctr_dic);
	dg_u64(&d, m->cfg.feat_ets);
	dg_u64(&d, m->cfg.pa_bits);
	dg_u64(&d, m->cfg.wb_policy);
	dg_u64(&d, m->cfg.wb_seed);
	dg_time(&d, cfg, m->seq);
	dg_u64(&d, m->stores_pending);
	uint64_t g = cur_gen(m);
	for (unsigned i = 0; i < m->cfg.ncpus; i++) {
		const struct cpu *c = &m->cpu[i];
		dg_u64(&d, c->el);
		dg_u64(&d, c->up);
		dg_u64(&d, c->ctx_dirty);
		dg_time(&d, cfg, c->last_cse);
		for (unsigned r = 0; r < SR_COUNT; r++) {
			dg_u64(&d, c->sr.eff[r]);
			dg_u64(&d, c->sr.latest[r]);
		}
		dg_u64(&d, c->sr.pending);
		for (unsigned k = 0; k < TC_SIZE; k++) {
			const struct tc_entry *e = &c->tc[k];
			if (!e->vpage || e->gen != g)
				continue;
			dg_u64(&d, k);
			dg_u64(&d, e->vpage);
			dg_u64(&d, e->pa_page);
			dg_u64(&d, e->block_size);
			dg_u64(&d, e->leaf_desc);
			dg_u64(&d, e->attrs.mair_attr);
			dg_u64(&d, e->attrs.inner);
			dg_u64(&d, e->attrs.outer);
			dg_u64(&d, e->attrs.sh);
			dg_u64(&d, (uint64_t)(int64_t)e->level);
			dg_u64(&d, e->el);
			dg_u64(&d, e->ok);
			dg_u64(&d, (uint64_t)e->mmu_on | (uint64_t)e->dcache << 1 |
			               (uint64_t)e->wb << 2 | (uint64_t)e->icache << 3 |
			               (uint64_t)e->strict_align << 4 | (uint64_t)e->ro << 5 |
			               (uint64_t)e->el0 << 6 | (uint64_t)e->xn << 7 |
			               (uint64_t)e->pxn << 8 | (uint64_t)e->ng << 9 |
			               (uint64_t)e->contiguous << 10 | (uint64_t)e->af << 11);
			/* e->pg is the record of pa_page (tc_fill). */
		}
	}
	bool setway = false;
	unsigned nall = 0;
	uint64_t parts = 0;
	for (unsigned i = 0; i < m->npm; i++) {
		const struct pend_maint *p = &m->pm[i];
		if (p->all)
			setway |= p->kind == EV_DC;
	}
	for (unsigned i = 0; i < m->npm; i++) {
		const struct pend_maint *p = &m->pm[i];
		struct dg e = dg_start(p->all ? 0x706d616c6c : 0x706d);
		dg_u64(&e, p->cpu);
		dg_u64(&e, p->kind);
		dg_u64(&e, (uint64_t)(int64_t)p->op);
		dg_u64(&e, p->pa);
		dg_u64(&e, p->done);
		dg_time(&e, cfg, p->seq);
		dg_u64(&e, p->has_snap);
		if (p->has_snap)
			dg_bytes(&e, p->snap, sizeof(p->snap));
		if (p->all) {
			dg_u64(&d, nall++);
			dg_u64(&d, dg_end(&e));
			continue;
		}
		unsigned rank = 0;
		for (unsigned j = 0; j < i; j++)
			rank += !m->pm[j].all && m->pm[j].pa == p->pa;
		dg_u64(&e, rank);
		dg_u64(&e, nall);
		uint64_t part = dg_end(&e);
		if (cfg->skip_line && !setway && m->cfg.wb_policy == WB_ANY &&
		    cfg->skip_line(cfg->arg, p->pa,
		                   p->kind == EV_IC ? DG_LINE_ICACHE : DG_LINE_DATA, part))
			continue;
		parts += part;
	}
	dg_u64(&d, nall);
	/* Modified code (ck_code_alternatives): the stores kept, and the pages code is
	 * fetched from (a store to them is kept). */
	dg_u64(&d, m->ncs);
	for (unsigned i = 0; i < m->ncs; i++) {
		dg_u64(&d, m->cs[i].line);
		dg_time(&d, cfg, m->cs[i].seq);
		dg_bytes(&d, m->cs[i].old, sizeof(m->cs[i].old));
	}
	uint64_t code = 0;
	cache_for_each_page(m->c, code_page_hash, &(struct code_hash){m->c, &code});
	dg_u64(&d, code);
	/* Stage 2's state, once stage 2 has been on (0 before: digests of runs without it are
	 * unchanged). */
	return dg_end(&d) + parts + cache_digest(m->c, cfg, setway) + tlb_digest(m->t, cfg) +
	       s2tlb_digest(m->s2, m->seq);
}

void model_footprint(const struct model *m, struct model_footprint *f)
{
	memset(f, 0, sizeof(*f));
	tlb_footprint(m->t, f);
	f->pending_maint = m->npm;
}

uint64_t model_shape(const struct model *m)
{
	struct dg d = dg_start(0x7368617065);
	unsigned nall = 0; /* entries by VA may be left out of the digest (model_digest) */
	for (unsigned i = 0; i < m->npm; i++)
		nall += m->pm[i].all;
	dg_u64(&d, nall);
	dg_u64(&d, m->stores_pending);
	for (unsigned i = 0; i < m->cfg.ncpus; i++) {
		dg_u64(&d, m->cpu[i].el);
		dg_u64(&d, m->cpu[i].sr.pending);
		dg_u64(&d, m->cpu[i].ctx_dirty);
	}
	uint64_t t[4];
	unsigned n = tlb_shape(m->t, t);
	for (unsigned i = 0; i < n; i++)
		dg_u64(&d, t[i]);
	return dg_end(&d);
}

void model_for_each_page(const struct model *m, void (*fn)(void *arg, uint64_t pa), void *arg)
{
	cache_for_each_page(m->c, fn, arg);
}

void model_observe_views(struct model *m, void (*fn)(void *arg, uint64_t pa, size_t len), void *arg)
{
	cache_set_observer(m->c, fn, arg);
}
