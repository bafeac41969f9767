/*
 * checker_data.c - data and cache outcomes of one access (bytes other than the latest:
 * data-not-at-poc, fetch-not-at-poc, icache-stale) and the coherent access's effects on lines.
 */
#include "checker_int.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------- pending maintenance ---------- */

bool ck_maint_pending_on(const struct model *m, uint64_t pa, bool clean_only)
{
	for (unsigned i = 0; i < m->npm; i++) {
		const struct pend_maint *p = &m->pm[i];
		if (p->kind != EV_DC)
			continue;
		if (clean_only && (p->op == DC_IVAC || p->op == DC_ISW))
			continue;
		if (p->all || p->pa == (pa & CACHE_LINE_MASK))
			return true;
	}
	return false;
}

bool ck_range_pending(const struct model *m, uint64_t pa, unsigned size)
{
	for (uint64_t l = pa & CACHE_LINE_MASK; l < pa + size; l += CACHE_LINE_SIZE)
		if (ck_maint_pending_on(m, l, false))
			return true;
	return false;
}

/* ---------- data side of one access ---------- */

/* Bytes a read may obtain besides the latest (data-not-at-poc, fetch-not-at-poc). */
void ck_data_alternatives(struct acc_ctx *a)
{
	const struct xlat *x = &a->co;
	if (a->o0.f.type != FAULT_NONE || !a->reads)
		return;
	struct model *m = a->m;
	uint64_t pa = a->o0.pa;
	struct cache_page *pg = cache_page_find(m->c, pa);
	uint64_t lines = cache_line_mask(pa, a->size);
	if (!pg)
		return;
	struct obs o = a->o0;
	bool fetch = a->acc == ACC_FETCH;
	uint8_t buf[MAX_READ];
	unsigned n = a->size > MAX_READ ? MAX_READ : a->size;
	if (!fetch && x->dcache && (pg->stale & lines)) {
		cache_read(m->c, CV_CACHE, pa, buf, n);
		ck_obs_fill(&o, buf, n);
		struct hz_cause cz = pg->x->stale_c[__builtin_ctzll(pg->stale & lines)];
		snprintf(cz.what, sizeof(cz.what), "Non-cacheable write while the line was cached");
		ck_decide(
		    m,
		    ck_add_alt(a, ck_range_pending(m, pa, a->size) ? HZ_MISSING_DSB : HZ_DATA_NOT_AT_POC,
		            &o, &cz,
		            (pg->dirty & pg->stale & lines) ? "stale dirty line in the data cache"
		                                            : "stale clean line in the data cache"),
		    "the read hits the stale cached copy");
	}
	bool nc = fetch ? !x->icache : !x->dcache;
	if (nc && (pg->dirty & lines)) {
		cache_read(m->c, CV_POC, pa, buf, n);
		ck_obs_fill(&o, buf, n);
		struct hz_cause cz = pg->x->dirty_c[__builtin_ctzll(pg->dirty & lines)];
		snprintf(cz.what, sizeof(cz.what), "cacheable store not cleaned to the PoC");
		enum hz_class cls = fetch ? HZ_FETCH_NOT_AT_POC : HZ_DATA_NOT_AT_POC;
		ck_decide(m,
		       ck_add_alt(a, ck_range_pending(m, pa, a->size) ? HZ_MISSING_DSB : cls, &o, &cz,
		               "the PoC bytes"),
		       fetch ? "the fetch reads the PoC copy" : "the read obtains the PoC copy");
	}
	if (fetch && x->icache) {
		uint64_t iv = m->cfg.ctr_dic ? 0 : pg->ivalid & lines;
		if (iv & pg->imod) {
			/* The bytes as fetched into the I-cache, for the lines stored to since. */
			uint64_t off = pa & (CACHE_PAGE_SIZE - 1);
			cache_read(m->c, CV_LATEST, pa, buf, n);
			for (unsigned i = 0; i < n; i++)
				if ((iv & pg->imod) & (UINT64_C(1) << ((off + i) >> 6)))
					buf[i] = pg->x->icache[off + i];
			ck_obs_fill(&o, buf, n);
			struct hz_cause cz = pg->x->ifill_c[__builtin_ctzll(iv & pg->imod)];
			snprintf(cz.what, sizeof(cz.what),
			         "I-cache line filled before the code was modified; the fill was made");
			ck_add_alt(a, HZ_ICACHE_STALE, &o, &cz, "stale I-cache line");
		}
		uint64_t fill = lines & ~iv & pg->dirty_pou;
		if (fill) {
			cache_read(m->c, CV_POU, pa, buf, n);
			ck_obs_fill(&o, buf, n);
			struct hz_cause cz = pg->x->dirty_c[__builtin_ctzll(fill)];
			snprintf(cz.what, sizeof(cz.what),
			         "store not cleaned to the PoU (DC CVAU)");
			ck_decide(m,
			       ck_add_alt(a,
			               ck_range_pending(m, pa, a->size) ? HZ_MISSING_DSB
			                                             : HZ_ICACHE_STALE,
			               &o, &cz, "I-cache fill from the PoU"),
			       "the I-cache fill reads the PoU copy");
		}
	}
}

/* ---------- modified code (DESIGN §3 "Modified code") ---------- */

/* A store of size bytes at pa, in a page code was fetched from: keep each line's bytes as
 * they are before it (memory still shows them at the store's event). */
static void code_store(struct model *m, struct cache_page *pg, uint64_t pa, unsigned size,
                       const struct hz_cause *cause)
{
	for (uint64_t l = pa & CACHE_LINE_MASK; l < pa + size; l += CACHE_LINE_SIZE) {
		if (m->ncs == MAX_CODE_STORES) {
			/* Bounded: the oldest goes (a guest storing this much to code with no
			 * context synchronisation loses only the oldest alternatives). */
			memmove(m->cs, m->cs + 1, (m->ncs - 1) * sizeof(*m->cs));
			m->ncs--;
		}
		if (m->ncs == m->capcs) {
			m->capcs = m->capcs ? m->capcs * 2 : 16;
			m->cs = realloc(m->cs, m->capcs * sizeof(*m->cs));
			assert(m->cs);
		}
		struct code_store *s = &m->cs[m->ncs];
		if (!m->mem.read(m->mem.ctx, l, s->old, sizeof(s->old)))
			continue;
		s->line = l;
		s->seq = m->seq;
		s->cause = *cause;
		m->ncs++;
		pg->cstore |= cache_line_mask(l, CACHE_LINE_SIZE);
	}
}

/*
 * The instructions a fetch may obtain from before a store to them that this CPU has had no
 * context synchronisation event since (B2.2.5, DESIGN §3 "Modified code": the pipeline may
 * hold the old instruction, caches or not): missing-isb. With the I-cache on, a stale
 * I-cache line is claimed first by ck_data_alternatives (icache-stale).
 */
void ck_code_alternatives(struct acc_ctx *a, const struct cpu *c)
{
	struct model *m = a->m;
	if (a->o0.f.type != FAULT_NONE || !m->ncs)
		return;
	uint64_t pa = a->o0.pa;
	unsigned n = a->size > MAX_READ ? MAX_READ : a->size;
	const struct cache_page *pg = cache_page_find(m->c, pa);
	if (!pg || !(pg->cstore & cache_line_mask(pa, n)))
		return;
	for (unsigned i = 0; i < m->ncs; i++) {
		const struct code_store *s = &m->cs[i];
		if (s->seq <= c->last_cse || s->line + CACHE_LINE_SIZE <= pa || s->line >= pa + n)
			continue;
		uint8_t buf[MAX_READ];
		if (!cache_read(m->c, CV_LATEST, pa, buf, n))
			return;
		for (unsigned k = 0; k < n; k++)
			if (pa + k >= s->line && pa + k < s->line + CACHE_LINE_SIZE)
				buf[k] = s->old[pa + k - s->line];
		struct obs o = a->o0;
		ck_obs_fill(&o, buf, n);
		struct hz_cause cz = s->cause;
		snprintf(cz.what, sizeof(cz.what),
		         "store to code at PA 0x%" PRIx64 ", no context synchronisation since",
		         s->line);
		struct alt *t =
		    ck_add_alt(a, HZ_MISSING_ISB, &o, &cz, "instruction fetched before the store");
		if (t)
			t->summary = SUMMARY_UNSYNCED;
	}
}

/* At a context synchronisation: forget the stores every CPU that is up has synchronised. */
void ck_code_prune(struct model *m)
{
	uint64_t lo = UINT64_MAX;
	for (unsigned i = 0; i < m->cfg.ncpus; i++)
		if (m->cpu[i].up && m->cpu[i].last_cse < lo)
			lo = m->cpu[i].last_cse;
	unsigned k = 0;
	for (unsigned i = 0; i < m->ncs; i++) {
		struct cache_page *pg = cache_page_find(m->c, m->cs[i].line);
		if (pg)
			pg->cstore = 0;
		if (m->cs[i].seq > lo)
			m->cs[k++] = m->cs[i];
	}
	m->ncs = k;
	for (unsigned i = 0; i < m->ncs; i++) {
		struct cache_page *pg = cache_page_find(m->c, m->cs[i].line);
		if (pg)
			pg->cstore |= cache_line_mask(m->cs[i].line, CACHE_LINE_SIZE);
	}
}

/* State changes of the coherent access: lines, I-cache, lost writes. bytes: what a store
 * writes (NULL: unknown). */
void ck_data_effects(struct model *m, const struct model_event *ev, enum access_type acc,
                         const struct xlat *x, uint64_t pa, unsigned size, bool is_store,
                         const uint8_t *bytes)
{
	struct cache_page *pg = cache_page_get(m->c, pa);
	uint64_t lines = cache_line_mask(pa, size);
	if (acc == ACC_FETCH) {
		pg->code = true;
		if (x->icache && !m->cfg.ctr_dic && (~pg->ivalid | pg->imod) & lines) {
			struct hz_cause cz = cause_of(m, ev, "I-cache fill");
			cache_ifill(m->c, pa, size, &cz);
		}
		return;
	}
	if (!is_store) {
		if (x->dcache)
			pg->present |= lines;
		return;
	}
	struct hz_cause cz = cause_of(m, ev, "store");
	if (pg->code)
		code_store(m, pg, pa, size, &cz);
	bool lost = false;
	struct hz_cause prev;
	if (m->cfg.wb_policy != WB_ANY && bytes) {
		/* The line stays in the cache until maintenance (or its eviction under
		 * WB_RANDOM): whether the store is lost is decided when the line is written
		 * back (do_dc, evict_due). */
	} else if (x->dcache && (pg->stale & lines)) {
		lost = true;
		prev = pg->x->stale_c[__builtin_ctzll(pg->stale & lines)];
	} else if (!x->dcache && (pg->dirty & lines)) {
		lost = true;
		prev = pg->x->dirty_c[__builtin_ctzll(pg->dirty & lines)];
	}
	if (lost) {
		struct hazard hz;
		ck_hz_init(m, &hz, HZ_LOST_WRITE, RULE_LOST);
		hz.has_va = true;
		hz.va = ev->kind == EV_DC ? ev->u.dc.arg : ev->u.mem.va;
		hz.acc = acc;
		snprintf(hz.summary, sizeof(hz.summary),
		         x->dcache
		             ? "cacheable write to a line with a stale copy: its write-back may "
		               "overwrite a newer Non-cacheable write"
		             : "Non-cacheable write under a dirty line: the later write-back may "
		               "overwrite it");
		hz.n_outcomes = 1;
		hz.outcomes[0].has_pa = true;
		hz.outcomes[0].pa = pa;
		snprintf(hz.outcomes[0].text, sizeof(hz.outcomes[0].text),
		         "PA 0x%" PRIx64 " may end up holding the older line", pa);
		hz.outcomes[0].cause = prev;
		hz.fold_key = hash64(HZ_LOST_WRITE, hash64(ev->pc, prev.pc));
		ck_emit_hazard(m, &hz);
	}
	if (x->wb)
		cache_store_wb(m->c, pa, size, m->cfg.ctr_idc, &cz, bytes);
	else if (x->dcache)
		cache_store_wt(m->c, pa, size, bytes);
	else
		cache_store_nc(m->c, pa, size, &cz, bytes);
}
