/*
 * s2tlb_lookup.c - what an access may use from the stage 2 side of the TLBs (s2tlb.h): the
 * scope of each TLBI, the state of an old stage 2 value per route (stage-2-only entry,
 * combined entry, fresh walk), the paths of a stage 2 walk through current and old values,
 * and the outcomes they give the access, reported with their class. State in s2tlb_int.h.
 */
#include "s2tlb_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* ---------- what an access may use ---------- */

static bool covers(const struct tlbi *r, const struct version *v, bool combined, uint64_t va,
                   bool ng, uint16_t asid)
{
	if (r->kind == TK_ALL)
		return true;
	if (r->vmid != v->vmid)
		return false;
	switch (r->kind) {
	case TK_S12_ALL:
		return true;
	case TK_S1_ALL:
		return combined; /* stage 1 and combined entries only */
	case TK_IPA: {
		if (combined)
			return false; /* D8.13.x: IPAS2* need not remove combined entries */
		if (r->leaf_only && pt_desc_classify(v->value, v->level, v->g) == DESC_IS_TABLE)
			return false;
		uint64_t ipa = r->page << 12;
		return ipa >= v->ipa_base && ipa - v->ipa_base < v->size;
	}
	case TK_VA:
		return combined && ((va >> 12) & VA_PAGE_MASK) == r->page &&
		       (r->all_asid || !ng || r->asid == asid);
	case TK_ASID:
		return combined && ng && r->asid == asid;
	case TK_ALL:
		break;
	}
	return false;
}

/*
 * Whether cpu's TLB may still supply v through a stage-2-only or a combined entry.
 * at_enable: asked at the MSR that turns stage 2 on, which executes after the DSB that
 * completed earlier TLBIs (DESIGN §3): a completed TLBI then removes the entry for sure.
 */
enum vstate s2t_cached_state(const struct s2tlb *t, unsigned cpu, const struct version *v,
                             bool combined, uint64_t va, bool ng, uint16_t asid, bool at_enable)
{
	if (!v->live || !(v->value & DESC_VALID))
		return VS_DEAD; /* faulting translations are never cached */
	if (v->end_store <= t->cpu[cpu].reset)
		return VS_DEAD; /* replaced before the CPU's reset: never in its TLB */
	if (!combined && pt_desc_classify(v->value, v->level, v->g) == DESC_RESERVED)
		return VS_DEAD;
	enum vstate st = VS_LIVE;
	for (unsigned i = 0; i < t->ntl; i++) {
		const struct tlbi *r = &t->tl[i];
		if ((!r->is && r->issuer != cpu) || r->issue < v->end_store ||
		    !covers(r, v, combined, va, ng, asid))
			continue;
		enum vstate s;
		if (v->end_vis == T_INF || r->issue < v->end_vis)
			s = VS_NODSB; /* a walk may re-cache the old value after the TLBI */
		else if (r->done == T_INF)
			s = VS_NODSB;
		else if (!at_enable && !t->cfg.feat_ets && t->cpu[cpu].last_cse < r->done)
			s = VS_UNSYNC;
		else
			return VS_DEAD;
		if (s < st)
			st = s;
	}
	return st;
}

/* Whether a fresh walk of cpu may read v (the store that replaced it not yet visible, or
 * visible after cpu's last context synchronisation: DESIGN §3 "One instant per access"). */
enum vstate s2t_fresh_state(const struct s2tlb *t, unsigned cpu, const struct version *v)
{
	if (v->end_vis == T_INF)
		return VS_NODSB;
	if (!t->cfg.feat_ets && v->end_vis > t->cpu[cpu].last_cse)
		return VS_UNSYNC;
	return VS_DEAD;
}

struct cand {
	struct s2_override o;
	enum vstate st;
	struct hz_cause cause;
};

struct penum {
	struct s2tlb *t;
	unsigned cpu;
	const struct s2_cfg *cfg;
	uint64_t ipa, va;
	bool ng;
	uint16_t asid;
	struct cand out[MAX_CANDS];
	unsigned n;
};

static enum vstate vmin(enum vstate a, enum vstate b)
{
	return a < b ? a : b;
}

/* Visit the values of the descriptor for p->ipa in the table at table_pa: the current one
 * and the surviving old ones; st* are the path's states so far per route. */
static void enum_paths(struct penum *p, int level, uint64_t table_pa, enum vstate s2o,
                       enum vstate comb, enum vstate fresh, const struct hz_cause *cause)
{
	const struct s2_cfg *cfg = p->cfg;
	unsigned g = cfg->granule_shift;
	unsigned shift = g + (unsigned)(3 - level) * (g - 3);
	unsigned bits = level == cfg->start_level ? cfg->ia_bits - shift : g - 3;
	uint64_t desc_pa = table_pa + ((p->ipa >> shift) & ((UINT64_C(1) << bits) - 1)) * 8;
	uint64_t cur;

	for (int vi = -1; vi < (int)p->t->nver; vi++) {
		uint64_t val;
		enum vstate a = s2o, b = comb, c = fresh;
		const struct hz_cause *why = cause;
		if (vi < 0) {
			if (!mem_read64(&p->t->mem, desc_pa, &cur))
				return;
			val = cur;
		} else {
			const struct version *v = &p->t->ver[vi];
			if (v->desc_pa != desc_pa || v->vmid != cfg->vmid || v->level != level ||
			    p->ipa < v->ipa_base || p->ipa - v->ipa_base >= v->size)
				continue;
			a = vmin(a, s2t_cached_state(p->t, p->cpu, v, false, p->va, p->ng, p->asid,
			                             false));
			b = vmin(b, s2t_cached_state(p->t, p->cpu, v, true, p->va, p->ng, p->asid,
			                             false));
			c = vmin(c, s2t_fresh_state(p->t, p->cpu, v));
			if (a == VS_DEAD && b == VS_DEAD && c == VS_DEAD)
				continue;
			val = v->value;
			why = &v->cause;
		}
		enum desc_class cl = pt_desc_classify(val, level, g);
		if (cl == DESC_IS_TABLE && level < 3) {
			enum_paths(p, level + 1, pt_desc_oa(val, g), a, b, c, why);
			continue;
		}
		/* A leaf or a fault: a candidate unless the path is all current values. */
		enum vstate st = a > b ? a : b;
		if (c > st)
			st = c;
		if (st == VS_CUR || st == VS_DEAD || p->n == MAX_CANDS)
			continue;
		struct cand *k = &p->out[p->n++];
		memset(k, 0, sizeof(*k));
		k->st = st;
		k->cause = *why;
		k->o.size = s2t_level_size(level, g);
		k->o.ipa = p->ipa & ~(k->o.size - 1);
		if (cl == DESC_IS_BLOCK || cl == DESC_IS_PAGE) {
			s2_leaf_walk(cfg, k->o.ipa, level, val, &k->o.w);
		} else {
			k->o.w.ipa = k->o.ipa;
			k->o.w.level = (int8_t)level;
			k->o.w.fault.type = FAULT_TRANSLATION;
			k->o.w.fault.level = (int8_t)level;
		}
	}
}

static unsigned enum_ipa(struct s2tlb *t, unsigned cpu, const struct s2_cfg *cfg, uint64_t ipa,
                         uint64_t va, bool ng, uint16_t asid, struct cand *out)
{
	struct penum p;
	memset(&p, 0, sizeof(p));
	p.t = t;
	p.cpu = cpu;
	p.cfg = cfg;
	p.ipa = ipa;
	p.va = va;
	p.ng = ng;
	p.asid = asid;
	if (!cfg->sl_ok || (ipa >> cfg->ia_bits))
		return 0;
	enum_paths(&p, cfg->start_level, cfg->root, VS_CUR, VS_CUR, VS_CUR, NULL);
	memcpy(out, p.out, p.n * sizeof(*out));
	return p.n;
}

static bool same_outcome(const struct s12_result *a, const struct s12_result *b)
{
	if (a->fault.f.type != b->fault.f.type)
		return false;
	if (a->fault.f.type != FAULT_NONE)
		return a->fault.stage == b->fault.stage && a->fault.f.level == b->fault.f.level &&
		       a->fault.s1ptw == b->fault.s1ptw;
	return a->pa == b->pa;
}

static void outcome_text(const struct s12_result *r, char *buf, size_t len, const char *extra)
{
	if (r->fault.f.type != FAULT_NONE)
		snprintf(buf, len, "stage %u %s fault (level %d)%s, to EL%u%s%s",
		         (unsigned)r->fault.stage, pt_fault_name(r->fault.f.type), r->fault.f.level,
		         r->fault.s1ptw ? " on a stage 1 walk" : "", r->fault.target_el,
		         extra ? ", " : "", extra ? extra : "");
	else
		snprintf(buf, len, "IPA 0x%" PRIx64 " -> PA 0x%" PRIx64 "%s%s", r->ipa, r->pa,
		         extra ? ", " : "", extra ? extra : "");
}

struct accx {
	struct s2tlb *t;
	unsigned cpu;
	uint64_t va, seq, pc;
	enum access_type acc;
	const struct s12_result *co;
	struct s12_result seen[MAX_CANDS];
	unsigned nseen, nhz;
};

static void add_alt(struct accx *a, enum hz_class cls, const struct s12_result *alt,
                    const struct hz_cause *cause, const char *rule, const char *summary)
{
	if (same_outcome(alt, a->co))
		return;
	for (unsigned i = 0; i < a->nseen; i++)
		if (same_outcome(alt, &a->seen[i]))
			return;
	if (a->nseen < MAX_CANDS)
		a->seen[a->nseen++] = *alt;
	struct hazard hz;
	memset(&hz, 0, sizeof(hz));
	hz.cls = cls;
	hz.cpu = a->cpu;
	hz.seq = a->seq;
	hz.pc = a->pc;
	hz.ev = a->acc == ACC_FETCH   ? EV_FETCH
	        : a->acc == ACC_WRITE ? EV_STORE
	        : a->acc == ACC_READ  ? EV_LOAD
	                              : EV_DC;
	hz.has_va = true;
	hz.va = a->va;
	hz.acc = a->acc;
	snprintf(hz.summary, sizeof(hz.summary), "%s", summary);
	hz.n_outcomes = 2;
	struct hz_outcome *o = &hz.outcomes[0];
	o->fault = a->co->fault.f.type != FAULT_NONE;
	o->f = a->co->fault.f;
	o->has_pa = !o->fault;
	o->pa = a->co->pa;
	outcome_text(a->co, o->text, sizeof(o->text), "the current tables and registers");
	/* The reported access itself, as stage 1's coherent outcome names it (a zero cause
	 * would read "at machine reset"). */
	o->cause.seq = a->seq;
	o->cause.cpu = a->cpu;
	o->cause.pc = a->pc;
	o->cause.kind = hz.ev;
	snprintf(o->cause.what, sizeof(o->cause.what), "the latest values");
	o = &hz.outcomes[1];
	o->fault = alt->fault.f.type != FAULT_NONE;
	o->f = alt->fault.f;
	o->has_pa = !o->fault;
	o->pa = alt->pa;
	outcome_text(alt, o->text, sizeof(o->text), cause->what);
	o->cause = *cause;
	hz.rule = rule;
	hz.fold_key = cause->seq * 31 + a->va;
	a->nhz++;
	s2t_report(a->t, &hz);
}

static enum hz_class class_of(enum vstate s)
{
	return s == VS_UNSYNC ? HZ_MISSING_ISB : s == VS_NODSB ? HZ_MISSING_DSB : HZ_STALE_TLB;
}

static const char *summary_of(enum vstate s)
{
	switch (s) {
	case VS_UNSYNC:
		return "stage 2: a completed TLBI or a visible stage 2 table store is not yet "
		       "followed by a context synchronisation event";
	case VS_NODSB:
		return "stage 2: a TLBI not completed by a DSB, or a stage 2 table store not made "
		       "visible by a DSB before the TLBI or the access";
	default:
		return "stage 2: a TLB may still hold a translation of an old stage 2 descriptor "
		       "(no TLBI of that scope since)";
	}
}

unsigned s2tlb_access(struct s2tlb *t, unsigned cpu, const struct s12_regs *s1, uint64_t va,
                      enum access_type acc, unsigned el, uint16_t asid, uint64_t seq, uint64_t pc,
                      struct s12_result *coherent)
{
	struct s2cpu *c = &t->cpu[cpu];
	struct s12_regs r = *s1;
	struct accx a;

	memset(&a, 0, sizeof(a));
	a.t = t;
	a.cpu = cpu;
	a.va = va;
	a.seq = seq;
	a.pc = pc;
	a.acc = acc;
	a.co = coherent;
	if (s2t_any_on(t))
		t->last_on = seq;
	r.hcr_el2 = c->latest[S2R_HCR_EL2];
	r.vtcr_el2 = c->latest[S2R_VTCR_EL2];
	r.vttbr_el2 = c->latest[S2R_VTTBR_EL2];
	s12_translate(&r, t->cfg.feat, &t->mem, va, acc, el, coherent);

	/* D1.x: old values of HCR_EL2 / VTCR_EL2 / VTTBR_EL2 not yet synchronised. */
	unsigned n = 1u << __builtin_popcount(c->pending);
	for (unsigned k = 1; k < n; k++) {
		uint64_t v[S2R_COUNT];
		unsigned old;
		struct s12_regs ro = r;
		struct s12_result alt;
		s2t_combo_regs(c, k, v, &old);
		ro.hcr_el2 = v[S2R_HCR_EL2];
		ro.vtcr_el2 = v[S2R_VTCR_EL2];
		ro.vttbr_el2 = v[S2R_VTTBR_EL2];
		s12_translate(&ro, t->cfg.feat, &t->mem, va, acc, el, &alt);
		add_alt(&a, HZ_MISSING_ISB, &alt, &c->wcause[old], RULE_S2_ISB,
		        "a stage 2 register write is not yet synchronised by a context "
		        "synchronisation event");
	}
	if (!coherent->s2_on || !t->nver)
		return a.nhz;

	/* Stale stage 2 entries for the IPA of each stage 1 table read and of the access. */
	uint64_t ipas[PT_MAX_STEPS + 1];
	unsigned nipa = 0;
	for (unsigned i = 0; i < coherent->nptw; i++)
		ipas[nipa++] = coherent->ptw[i].ipa;
	if (coherent->fault.stage != 1 && !coherent->fault.s1ptw)
		ipas[nipa++] = coherent->ipa;
	bool ng = coherent->s1_on && coherent->s1.ng;
	for (unsigned i = 0; i < nipa; i++) {
		struct cand cs[MAX_CANDS];
		unsigned nc = enum_ipa(t, cpu, &coherent->s2cfg, ipas[i], va, ng, asid, cs);
		for (unsigned j = 0; j < nc; j++) {
			struct s12_result alt;
			s12_translate_ovr(&r, t->cfg.feat, &t->mem, va, acc, el, &cs[j].o, &alt);
			add_alt(&a, class_of(cs[j].st), &alt, &cs[j].cause, RULE_S2_TLB,
			        summary_of(cs[j].st));
		}
	}
	return a.nhz;
}
