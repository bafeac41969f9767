/*
 * checker_report.c - hazards: the rule and summary of each class, and the report of
 * one access's outcome set (one hazard per class, the coherent outcome first).
 */
#include "checker_int.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ck_emit_hazard(struct model *m, struct hazard *hz)
{
	m->nhz++;
	if (m->cfg.on_hazard)
		m->cfg.on_hazard(m->cfg.hazard_arg, hz);
}

void ck_hz_init(struct model *m, struct hazard *hz, enum hz_class cls, const char *rule)
{
	const struct model_event *ev = m->ev;
	memset(hz, 0, sizeof(*hz));
	hz->cls = cls;
	hz->cpu = ev ? ev->cpu : 0;
	hz->seq = m->seq;
	hz->pc = ev ? ev->pc : 0;
	hz->insn = ev ? ev->insn : 0;
	hz->ev = ev ? ev->kind : EV_COUNT;
	hz->rule = rule;
}


const char *ck_class_rule(enum hz_class c)
{
	switch (c) {
	case HZ_STALE_TLB:
		return RULE_TLB;
	case HZ_BBM:
		return RULE_BBM;
	case HZ_WALK_NOT_AT_POC:
		return RULE_WALK;
	case HZ_FETCH_NOT_AT_POC:
	case HZ_DATA_NOT_AT_POC:
		return RULE_DATA;
	case HZ_ICACHE_STALE:
		return RULE_ICACHE;
	case HZ_LOST_WRITE:
		return RULE_LOST;
	case HZ_MISSING_DSB:
		return RULE_DSB;
	case HZ_MISSING_ISB:
		return RULE_ISB;
	default:
		return RULE_EXC;
	}
}

static const char *class_summary(enum hz_class c)
{
	switch (c) {
	case HZ_STALE_TLB:
		return "a TLB entry may give a translation other than the current tables";
	case HZ_WALK_NOT_AT_POC:
		return "the table walk may read a descriptor value other than the latest";
	case HZ_FETCH_NOT_AT_POC:
		return "a non-cacheable fetch may read code that is only in the data cache";
	case HZ_DATA_NOT_AT_POC:
		return "the read may obtain bytes other than the latest (line not at the PoC)";
	case HZ_ICACHE_STALE:
		return "the fetch may execute stale instructions (I-cache/PoU not maintained)";
	case HZ_MISSING_DSB:
		return "the access depends on maintenance no DSB has completed (a DSB LD or ST "
		       "completes none)";
	case HZ_MISSING_ISB:
		return "old and new (unsynchronised) register values give different outcomes";
	default:
		return "several outcomes are possible";
	}
}

static void outcome_text(const struct obs *o, const struct xlat *x, bool decided, char *buf,
                         size_t len)
{
	const char *run = decided ? ": the run continues with it" : "";
	if (o->f.type != FAULT_NONE)
		snprintf(buf, len, "%s fault (level %d) (coherent%s)", pt_fault_name(o->f.type),
		         o->f.level, run);
	else if (o->has_bytes)
		snprintf(buf, len, "PA 0x%" PRIx64 ", bytes 0x%" PRIx64 " (coherent%s%s)", o->pa,
		         ck_obs_value(o), x->mmu_on ? "" : ", MMU off", run);
	else
		snprintf(buf, len, "PA 0x%" PRIx64 " (coherent%s%s)", o->pa,
		         x->mmu_on ? "" : ", MMU off", run);
}

/* An outcome in a few words: the bytes read, else the fault or the PA. */
static void obs_short(const struct obs *o, char *buf, size_t len)
{
	if (o->f.type != FAULT_NONE)
		snprintf(buf, len, "a %s fault at level %d", pt_fault_name(o->f.type), o->f.level);
	else if (o->has_bytes)
		snprintf(buf, len, "0x%" PRIx64, ck_obs_value(o));
	else
		snprintf(buf, len, "PA 0x%" PRIx64, o->pa);
}

void ck_report_alts(struct acc_ctx *a)
{
	static const enum hz_class order[] = {
	    HZ_MISSING_ISB,     HZ_MISSING_DSB,      HZ_STALE_TLB,    HZ_WALK_NOT_AT_POC,
	    HZ_DATA_NOT_AT_POC, HZ_FETCH_NOT_AT_POC, HZ_ICACHE_STALE,
	};
	for (unsigned k = 0; k < sizeof(order) / sizeof(order[0]) && a->nalts; k++) {
		bool any = false;
		for (unsigned i = 0; i < a->nalts && !any; i++)
			any = a->alts[i].cls == order[k];
		if (!any)
			continue;
		/* Decided by the write-back policy when every outcome of the class is. */
		const struct alt *dec = NULL;
		bool all = true;
		for (unsigned i = 0; i < a->nalts; i++)
			if (a->alts[i].cls == order[k]) {
				all &= a->alts[i].decided != NULL;
				if (!dec)
					dec = &a->alts[i];
			}
		if (!all)
			dec = NULL;
		struct hazard hz;
		ck_hz_init(a->m, &hz, order[k], ck_class_rule(order[k]));
		hz.has_va = true;
		hz.va = a->va;
		hz.acc = a->acc;
		const char *summary = class_summary(order[k]);
		for (unsigned i = 0; i < a->nalts; i++)
			if (a->alts[i].cls == order[k]) {
				if (a->alts[i].summary)
					summary = a->alts[i].summary;
				break;
			}
		snprintf(hz.summary, sizeof(hz.summary), "%s", summary);
		if (dec) {
			char got[64], coh[64];
			obs_short(&dec->o, got, sizeof(got));
			obs_short(&a->o0, coh, sizeof(coh));
			snprintf(hz.decided_by, sizeof(hz.decided_by), "%s", a->m->wb_label);
			/* A walk's outcome is what the access then gets, not the descriptor. */
			int n;
			if (order[k] == HZ_WALK_NOT_AT_POC)
				n = snprintf(
				    hz.summary, sizeof(hz.summary),
				    "under %s %s, so the %s gets %s; the coherent outcome is %s",
				    a->m->wb_label, dec->decided, ev_kind_name(a->ev->kind), got,
				    coh);
			else
				n = snprintf(hz.summary, sizeof(hz.summary),
				             "under %s %s (%s); the coherent outcome is %s",
				             a->m->wb_label, dec->decided, got, coh);
			if (n >= (int)sizeof(hz.summary))
				/* Long fault names: the outcomes below give both in full. */
				snprintf(hz.summary, sizeof(hz.summary),
				         "under %s %s, not the coherent outcome", a->m->wb_label,
				         dec->decided);
		}
		struct hz_outcome *o = &hz.outcomes[0];
		o->fault = a->o0.f.type != FAULT_NONE;
		o->f = a->o0.f;
		o->has_pa = !o->fault;
		o->pa = a->o0.pa;
		o->has_value = a->o0.has_bytes;
		o->value = ck_obs_value(&a->o0);
		outcome_text(&a->o0, &a->co, dec != NULL, o->text, sizeof(o->text));
		o->cause.seq = a->m->seq;
		o->cause.cpu = a->ev->cpu;
		o->cause.pc = a->ev->pc;
		o->cause.kind = a->ev->kind;
		snprintf(o->cause.what, sizeof(o->cause.what), "the latest values");
		hz.n_outcomes = 1;
		/* Same cause: the same earlier events behind the other outcomes, for the
		 * same page (every instruction of a page fetched through one stale entry, or
		 * run between one MSR and its missing ISB, folds into one report). The event
		 * kind is part of it: an instruction's fetch and its own load of the same page
		 * are different accesses, each worth its report. */
		uint64_t key = hash64(order[k], hash64(a->va >> 12, a->ev->cpu));
		key = hash64(key, (uint64_t)a->ev->kind);
		for (unsigned i = 0; i < a->nalts && hz.n_outcomes < HZ_MAX_OUTCOMES; i++) {
			const struct alt *t = &a->alts[i];
			if (t->cls != order[k])
				continue;
			o = &hz.outcomes[hz.n_outcomes++];
			o->fault = t->o.f.type != FAULT_NONE;
			o->f = t->o.f;
			o->has_pa = !o->fault;
			o->pa = t->o.pa;
			o->has_value = t->o.has_bytes;
			o->value = ck_obs_value(&t->o);
			snprintf(o->text, sizeof(o->text), "%s", t->text);
			o->cause = t->cause;
			key = hash64(key, hash64(t->cause.seq, t->cause.pc));
		}
		if (hz.n_outcomes < 2)
			continue;
		hz.fold_key = key;
		ck_emit_hazard(a->m, &hz);
	}
}
