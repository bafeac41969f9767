/*
 * checker_maint.c - DC and IC maintenance, its completion at a DSB, lost writes, and
 * the break-before-make report of a live descriptor rewrite.
 */
#include "checker_int.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------- maintenance, barriers, exceptions ---------- */

static void add_pending(struct model *m, const struct model_event *ev, int op, uint64_t pa,
                        bool all)
{
	if (m->npm == m->cappm) {
		m->cappm = m->cappm ? m->cappm * 2 : 16;
		m->pm = realloc(m->pm, m->cappm * sizeof(*m->pm));
		assert(m->pm);
	}
	struct pend_maint *p = &m->pm[m->npm++];
	p->cpu = ev->cpu;
	p->kind = ev->kind;
	p->op = op;
	p->pa = pa & CACHE_LINE_MASK;
	p->all = all;
	p->done = false;
	p->seq = m->seq;
	/* A DC by VA acts on the line as it is at the DC in program order (D7.5.9). */
	p->has_snap = ev->kind == EV_DC && !all &&
	              m->mem.read(m->mem.ctx, p->pa, p->snap, sizeof(p->snap));
}

static void lost_write_hazard(struct model *m, const struct model_event *ev, uint64_t va,
                              uint64_t pa, const struct hz_cause *dirty, const char *summary)
{
	struct hazard hz;
	ck_hz_init(m, &hz, HZ_LOST_WRITE, RULE_LOST);
	hz.has_va = va != UINT64_MAX;
	hz.va = va;
	hz.acc = ACC_DC_WRITE;
	snprintf(hz.summary, sizeof(hz.summary), "%s", summary);
	hz.n_outcomes = 1;
	hz.outcomes[0].has_pa = true;
	hz.outcomes[0].pa = pa;
	snprintf(hz.outcomes[0].text, sizeof(hz.outcomes[0].text),
	         "dirty line at PA 0x%" PRIx64 " discarded: memory keeps the older bytes", pa);
	hz.outcomes[0].cause = *dirty;
	snprintf(hz.outcomes[0].cause.what, sizeof(hz.outcomes[0].cause.what),
	         "cacheable store not cleaned to the PoC");
	hz.fold_key = hash64(HZ_LOST_WRITE, hash64(ev->pc, dirty->pc));
	ck_emit_hazard(m, &hz);
}

/*
 * A lost write the write-back policy decides (WB_NEVER, WB_RANDOM): the line at `line`
 * leaves the PoC holding view v's copy (CV_POC: discarded; CV_CACHE: a stale copy written
 * back) where the run goes on with memory as the program sees it. what: how ("DC IVAC
 * discards the dirty line"); va: the DC's VA, UINT64_MAX for none.
 */
static void wb_lost_write(struct model *m, uint64_t va, uint64_t line, enum cache_view v,
                          const struct hz_cause *cause, const char *cause_what, const char *what)
{
	uint8_t got[CACHE_LINE_SIZE], cur[CACHE_LINE_SIZE];
	uint64_t wpa = line, gv = 0, cv = 0;
	if (cache_read(m->c, v, line, got, sizeof(got)) &&
	    cache_read(m->c, CV_LATEST, line, cur, sizeof(cur)))
		for (unsigned off = 0; off < CACHE_LINE_SIZE; off += 8) {
			if (!memcmp(got + off, cur + off, 8))
				continue;
			wpa = line + off;
			for (unsigned i = 8; i-- > 0;) {
				gv = (gv << 8) | got[off + i];
				cv = (cv << 8) | cur[off + i];
			}
			break;
		}
	struct hazard hz;
	ck_hz_init(m, &hz, HZ_LOST_WRITE, RULE_LOST);
	hz.has_va = va != UINT64_MAX;
	hz.va = va;
	hz.acc = ACC_DC_WRITE;
	snprintf(hz.decided_by, sizeof(hz.decided_by), "%s", m->wb_label);
	snprintf(hz.summary, sizeof(hz.summary),
	         "under %s %s: PA 0x%" PRIx64 " holds 0x%" PRIx64
	         "; the coherent value is 0x%" PRIx64,
	         m->wb_label, what, wpa, gv, cv);
	hz.n_outcomes = 1;
	struct hz_outcome *o = &hz.outcomes[0];
	o->has_pa = true;
	o->pa = wpa;
	o->has_value = true;
	o->value = gv;
	snprintf(o->text, sizeof(o->text),
	         "line at PA 0x%" PRIx64 " %s: memory holds 0x%" PRIx64 " at PA 0x%" PRIx64, line,
	         v == CV_POC ? "discarded" : "written back", gv, wpa);
	o->cause = *cause;
	snprintf(o->cause.what, sizeof(o->cause.what), "%s", cause_what);
	hz.fold_key = hash64(HZ_LOST_WRITE, hash64(m->ev ? m->ev->pc : 0, cause->pc));
	ck_emit_hazard(m, &hz);
}

#define WHAT_DIRTY "cacheable store not cleaned to the PoC"
#define WHAT_NEWER "Non-cacheable store the write-back overwrites"

/* WB_RANDOM: the lines whose time has come leave the cache before event m->seq, unless DC
 * maintenance of them is in flight (it decides them; a new time is drawn). */
void ck_evict_due(struct model *m)
{
	uint64_t pa;
	while (cache_wb_due(m->c, m->seq, &pa)) {
		if (ck_maint_pending_on(m, pa, false)) {
			cache_wb_defer(m->c, pa);
			continue;
		}
		struct hz_cause cz;
		if (cache_line_differs(m->c, CV_CACHE, pa, &cz))
			wb_lost_write(m, UINT64_MAX, pa, CV_CACHE, &cz, WHAT_NEWER,
			              "the line is evicted here and written back over newer bytes");
		cache_evict(m->c, pa);
	}
}

static bool line_dirty_differs(struct model *m, uint64_t pa, struct hz_cause *cause)
{
	struct cache_page *pg = cache_page_find(m->c, pa);
	uint64_t lm = cache_line_mask(pa & CACHE_LINE_MASK, CACHE_LINE_SIZE);
	if (!pg || !(pg->dirty & lm))
		return false;
	uint8_t poc[CACHE_LINE_SIZE], cur[CACHE_LINE_SIZE];
	uint64_t l = pa & CACHE_LINE_MASK;
	if (!cache_read(m->c, CV_POC, l, poc, sizeof(poc)) ||
	    !cache_read(m->c, CV_LATEST, l, cur, sizeof(cur)))
		return false;
	*cause = pg->x->dirty_c[__builtin_ctzll(pg->dirty & lm)];
	return memcmp(poc, cur, sizeof(poc)) != 0;
}

void ck_do_dc(struct model *m, const struct model_event *ev, struct model_step_result *res)
{
	enum dc_op op = ev->u.dc.op;
	bool wb = m->cfg.wb_policy != WB_ANY;
	if (op == DC_ISW || op == DC_CSW || op == DC_CISW) {
		uint64_t pa;
		struct hz_cause cz;
		if (wb && op == DC_ISW && cache_any_differs(m->c, CV_POC, &pa, &cz))
			wb_lost_write(m, UINT64_MAX, pa, CV_POC, &cz, WHAT_DIRTY,
			              "DC ISW discards a dirty line");
		else if (wb && op != DC_ISW && cache_any_differs(m->c, CV_CACHE, &pa, &cz))
			wb_lost_write(m, UINT64_MAX, pa, CV_CACHE, &cz, WHAT_NEWER,
			              op == DC_CSW ? "DC CSW writes a stale cached copy back"
			                           : "DC CISW writes a stale cached copy back");
		else if (!wb && op == DC_ISW && cache_any_dirty(m->c, &pa, &cz))
			lost_write_hazard(m, ev, UINT64_MAX, pa, &cz,
			                  "DC ISW (set/way invalidate) may discard a dirty line");
		add_pending(m, ev, op, 0, true);
		return;
	}
	uint64_t va = ev->u.dc.arg;
	bool wr = op == DC_IVAC || op == DC_ZVA;
	if (op == DC_ZVA)
		va &= CACHE_LINE_MASK; /* DCZID_EL0.BS: 64-byte blocks */
	struct model_step_result r;
	/* A clean by VA needs only its translation: firmware cleans tables and code line by
	 * line, so the single-outcome cache of translations serves it as it serves loads. */
	if (wr || !ck_fast_access(m, ev, ACC_DC_READ, va, 1, &r))
		ck_check_access(m, ev, wr ? ACC_DC_WRITE : ACC_DC_READ, va, op == DC_ZVA ? 64 : 1,
		             op == DC_ZVA, &r);
	if (res)
		*res = r;
	if (r.fault.type != FAULT_NONE)
		return;
	uint64_t pa = r.tr.oa;
	if (op == DC_ZVA) {
		struct cpu *c = &m->cpu[ev->cpu];
		struct xlat x;
		ck_translate_ctx(m, &c->sr, c->el, 0, ACC_DC_WRITE, va, 64, true, NULL, &x);
		static const uint8_t zeros[64];
		ck_data_effects(m, ev, ACC_WRITE, &x, pa, 64, true, zeros);
		m->stores_pending |=
		    tlb_note_store(m->t, ev->cpu, pa, 64, m->seq,
		                   &(struct hz_cause){m->seq, ev->cpu, ev->pc, ev->kind, "DC ZVA"});
		/* Zeroing a live stage 2 table: eight descriptor stores of 0 (invalid). */
		bool s2hit = false;
		for (unsigned i = 0; i < 64 && s2tlb_active(m->s2); i += 8)
			s2hit |= s2tlb_store(m->s2, ev->cpu, (pa & CACHE_LINE_MASK) + i, 0, m->seq,
			                     ev->pc);
		if (s2hit)
			bump(m); /* translations cached for the fast path may have changed */
		return;
	}
	struct hz_cause cz;
	uint64_t line = pa & CACHE_LINE_MASK;
	if (wb && op == DC_IVAC && cache_line_differs(m->c, CV_POC, line, &cz))
		wb_lost_write(m, va, line, CV_POC, &cz, WHAT_DIRTY,
		              "DC IVAC discards the dirty line");
	else if (wb && (op == DC_CVAC || op == DC_CVAP || op == DC_CIVAC) &&
	         cache_line_differs(m->c, CV_CACHE, line, &cz))
		wb_lost_write(m, va, line, CV_CACHE, &cz, WHAT_NEWER,
		              op == DC_CIVAC  ? "DC CIVAC writes a stale cached copy back"
		              : op == DC_CVAP ? "DC CVAP writes a stale cached copy back"
		                              : "DC CVAC writes a stale cached copy back");
	else if (!wb && op == DC_IVAC && line_dirty_differs(m, pa, &cz))
		lost_write_hazard(
		    m, ev, va, pa & CACHE_LINE_MASK, &cz,
		    "DC IVAC may discard a dirty line (its data never reaches the PoC)");
	add_pending(m, ev, op, pa, false);
}

void ck_do_ic(struct model *m, const struct model_event *ev, struct model_step_result *res)
{
	if (ev->u.ic.op == IC_IVAU) {
		struct model_step_result r;
		ck_check_access(m, ev, ACC_DC_READ, ev->u.ic.va, 1, false, &r);
		if (res)
			*res = r;
		if (r.fault.type == FAULT_NONE)
			add_pending(m, ev, IC_IVAU, r.tr.oa, false);
		return;
	}
	add_pending(m, ev, ev->u.ic.op, 0, true);
}

void ck_complete_maint(struct model *m, unsigned cpu, enum barrier_domain dom)
{
	unsigned k = 0;
	for (unsigned i = 0; i < m->npm; i++) {
		struct pend_maint *p = &m->pm[i];
		/* IC IALLUIS reaches other CPUs: only a DSB ISH/OSH/SY waits for it. */
		bool is = p->kind == EV_IC && p->op == IC_IALLUIS;
		if (p->cpu != cpu || (is && dom == DOM_NSH)) {
			m->pm[k++] = *p;
			continue;
		}
		if (p->kind == EV_DC) {
			if (p->has_snap) {
				bool inval = p->op == DC_CIVAC || p->op == DC_IVAC;
				bool to_poc = p->op == DC_CVAC || p->op == DC_CVAP || p->op == DC_CIVAC;
				cache_complete_dc_line(m->c, p->pa, p->snap, to_poc, p->op == DC_CVAU,
				                       inval);
				continue;
			}
			switch (p->op) {
			case DC_CVAC:
			case DC_CVAP:
				cache_clean_poc(m->c, p->pa, CACHE_LINE_SIZE, false);
				break;
			case DC_CVAU:
				cache_clean_pou(m->c, p->pa, CACHE_LINE_SIZE, false);
				break;
			case DC_CIVAC:
			case DC_IVAC:
				cache_invalidate(m->c, p->pa, CACHE_LINE_SIZE, false);
				break;
			case DC_CSW:
				cache_clean_poc(m->c, 0, 0, true);
				break;
			case DC_ISW:
			case DC_CISW:
				cache_invalidate(m->c, 0, 0, true);
				break;
			default:
				break;
			}
		} else {
			/* Completed, but instructions already fetched may still be the old ones
			 * until this CPU's next context synchronisation (D7.5.x: ... DSB ISH;
			 * ISB): the invalidation takes effect for fetches there. */
			p->done = true;
			m->pm[k++] = *p;
		}
	}
	m->npm = k;
}

void ck_apply_ic(struct model *m, unsigned cpu)
{
	unsigned k = 0;
	for (unsigned i = 0; i < m->npm; i++) {
		struct pend_maint *p = &m->pm[i];
		if (p->kind == EV_IC && p->done && p->cpu == cpu)
			cache_ic_invalidate(m->c, p->pa, CACHE_LINE_SIZE, p->all);
		else
			m->pm[k++] = *p;
	}
	m->npm = k;
}

void ck_on_bbm(void *arg, const struct tlb_bbm *b)
{
	struct model *m = arg;
	struct hazard hz;
	ck_hz_init(m, &hz, HZ_BBM, RULE_BBM);
	hz.cpu = b->store.cpu;
	hz.pc = b->store.pc;
	hz.ev = b->store.kind;
	hz.seq = b->store.seq;
	hz.insn = 0;
	hz.has_va = true;
	hz.va = b->va;
	hz.acc = ACC_WRITE;
	snprintf(hz.summary, sizeof(hz.summary),
	         "live level %d descriptor at PA 0x%" PRIx64 " changed 0x%016" PRIx64
	         " -> 0x%016" PRIx64 " without break-before-make",
	         b->level, b->desc_pa, b->old_desc, b->new_desc);
	hz.n_outcomes = 2;
	hz.outcomes[0].has_pa = true;
	hz.outcomes[0].pa = b->desc_pa;
	snprintf(hz.outcomes[0].text, sizeof(hz.outcomes[0].text), "new descriptor 0x%016" PRIx64,
	         b->new_desc);
	hz.outcomes[0].cause = b->store;
	snprintf(hz.outcomes[0].cause.what, sizeof(hz.outcomes[0].cause.what),
	         "the descriptor store");
	hz.outcomes[1].has_pa = true;
	hz.outcomes[1].pa = b->desc_pa;
	snprintf(hz.outcomes[1].text, sizeof(hz.outcomes[1].text),
	         "old descriptor 0x%016" PRIx64 " may still be in a TLB", b->old_desc);
	hz.outcomes[1].cause = b->cached;
	snprintf(hz.outcomes[1].cause.what, sizeof(hz.outcomes[1].cause.what),
	         "old value cacheable since event %" PRIu64 ", no TLBI completed since",
	         b->cached_since);
	hz.fold_key = hash64(HZ_BBM, hash64(b->store.pc, b->desc_pa));
	ck_emit_hazard(m, &hz);
}
