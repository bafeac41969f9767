/*
 * tlb_hist.c - descriptor histories: the older values of table descriptors a TLB may
 * still hold, table stores and their visibility to the walker, break-before-make, pruning
 * of values no query can use, and the `accessed` TLB policy (see tlb.h).
 */
#include "tlb_int.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- descriptor histories ---- */

/*
 * Which older descriptor values can never be used again, so that a descriptor rewritten
 * N times does not keep N versions.
 *
 * A version v (a value the descriptor at desc_pa held for walks in [v.from, v.end)) is read
 * by three queries: tlb_lookup (lk_level: a table value lets the walk go on, a leaf value
 * with AF set gives a cached translation, for a context x when v.end > lo and v.from <= hi,
 * where lo >= tl_window(x, base, size, leaf, nG, at, pending) and hi is x's close, or now
 * while x is open); the break-before-make check of a later store to the same descriptor
 * (version_maybe_cached, the same test with at = now, pending = false); and the digest.
 * Invalid, reserved and AF = 0 leaf values are never used as cached ones (a walk that
 * faults is not cached; D8.13), and BBM is never needed from them (D8.14.1).
 *
 * tl_window() only grows with time (TLBIs are added, complete, get synchronised; settled ones
 * fold into maxima), and for a given context it is smallest with at = 0 (without FEAT_ETS2 a
 * completed TLBI counts for an access at any instant only after the CPU's next context
 * synchronisation event; B2.3.12 / D8.13) and pending = false (a TLBI not yet completed by a
 * DSB removes nothing for sure; D8.13.x). A context opened later than v.end has window >=
 * its open > v.end. So once v.end is final (the storing CPU's DSB made the next value
 * visible) v is dead - no query will ever use it - when for every context x not dropped:
 *  - x closed before v.from (v.from > hi for ever), or
 *  - v.end <= tl_window(x, base, size, class of v, at = 0, pending = false), where
 *    (level, base, size) is where x's walks reach desc_pa; the class (table, leaf, nG) of
 *    the value follows from the level and granule.
 * Where walks reach a descriptor is known from the table tracking (struct reach): every
 * page the tables of some context reach is tracked with its level, the VA its entry 0
 * maps and its granule. Contexts of a regime that never reached the page are skipped. A
 * page reached at two places (shared tables, or under a page that is) is an alias: its
 * versions use the part of the window that does not depend on the VA, max(x.open, x.s_all)
 * (an ALL-form TLBI or the context's start), and so are pruned only after TLBI ALL. So are
 * table values: a leaf made through one stays until a TLBI of its own VA (TLBI scope).
 * A version whose end is not final (T_INF) is kept: t->uns refers to it until that DSB.
 *
 * Lookups see the newest MAX_VERSIONS - 1 older values (by ord, pruned ones included), so
 * pruning never brings an older value into sight.
 */
/* A CPU whose MMU may be on (some open context) and whose walks may still read v: v became
 * invisible after its last context synchronisation (no FEAT_ETS2: tlb_recent_values). */
static bool ver_recent(const struct tlb *t, const struct dver *v)
{
	if (t->cfg.feat_ets)
		return false;
	for (unsigned c = 0; c < t->cfg.ncpus; c++) {
		if (v->end <= t->csync[c])
			continue;
		for (unsigned i = 0; i < t->nctx[c]; i++)
			if (!t->ctx[c][i]->dropped && t->ctx[c][i]->close == T_INF)
				return true;
	}
	return false;
}

bool tl_ver_dead(const struct tlb *t, const struct dhist *h, const struct dver *v)
{
	if (v->end == T_INF || ver_recent(t, v))
		return false;
	if (!(v->value & 1))
		return true; /* invalid at every level, whatever the granule */
	const struct reach *rc = hmap_get(&t->reach, h->desc_pa >> 12);
	bool alias = !rc || rc->alias;
	bool leaf = false, ng = false, never = false;
	uint64_t base = 0, size = 0;
	if (!alias) {
		size = pt_level_size(rc->level, rc->gs);
		base = rc->va + ((h->desc_pa & (CACHE_PAGE_SIZE - 1)) / 8) * size;
		enum desc_class cls = pt_desc_classify(v->value, rc->level, rc->gs);
		leaf = cls == DESC_IS_BLOCK || cls == DESC_IS_PAGE;
		ng = (v->value & DESC_NG) != 0;
		never = leaf ? !(v->value & DESC_AF) : !(cls == DESC_IS_TABLE && rc->level < 3);
		if (never)
			return true;
	}
	for (unsigned c = 0; c < MODEL_MAX_CPUS; c++)
		for (unsigned i = 0; i < t->nctx[c]; i++) {
			const struct ctx *x = t->ctx[c][i];
			if (x->dropped)
				continue;
			if (!alias && !(rc->regimes & (1u << x->regs.regime)))
				continue;
			if (x->close != T_INF && v->from > x->close)
				continue;
			/* A table value: leaves made through it outlive its walk-cache entries
			 * (lk_level), each until a TLBI of its own VA: only the part of the window
			 * that covers every VA frees it. */
			uint64_t lo = alias || !leaf ? max64(x->open, x->s_all)
			                             : tl_window(t, x, base, size, leaf, ng, 0, false);
			if (x->close != T_INF && lo > x->close)
				continue;
			if (v->end > lo)
				return false;
		}
	return true;
}

struct dver *tl_find_version(struct dhist *h, uint64_t ord)
{
	for (unsigned i = h->n; i-- > 0;)
		if (h->v[i].ord == ord)
			return &h->v[i];
	return NULL;
}

/* Drop the dead versions of every history that has some (see ver_dead). */
void tl_prune_versions(struct tlb *t)
{
	t->prune_due = false;
	t->recent_kept = false;
	unsigned k = 0;
	for (unsigned i = 0; i < t->nlive; i++) {
		struct dhist *h = t->live[i];
		unsigned n = 0;
		for (unsigned j = 0; j < h->n; j++)
			if (!tl_ver_dead(t, h, &h->v[j])) {
				if (!t->recent_kept && h->v[j].end != T_INF)
					t->recent_kept = ver_recent(t, &h->v[j]);
				h->v[n++] = h->v[j];
			}
		h->n = n;
		if (n)
			t->live[k++] = h;
		else
			h->listed = false;
	}
	t->nlive = k;
}

unsigned tl_versions(struct tlb *t, uint64_t desc_pa, struct dver *out, bool *cur_ok)
{
	struct dhist *h = hmap_get(&t->hist, desc_pa >> 3);
	unsigned n = 0;
	if (h) {
		for (unsigned i = 0; i < h->n; i++)
			if (h->v[i].ord + (MAX_VERSIONS - 1) >= h->total)
				out[n++] = h->v[i];
	}
	uint64_t cur;
	*cur_ok = mem_read64(&t->mem, desc_pa, &cur);
	if (*cur_ok) {
		memset(&out[n], 0, sizeof(out[n]));
		out[n].value = cur;
		out[n].from = h ? h->cur_from : 0;
		out[n].end = T_INF;
		if (h)
			out[n].cause = h->cur_cause;
		n++;
	}
	return n;
}

bool tlb_note_store(struct tlb *t, unsigned cpu, uint64_t pa, unsigned size, uint64_t seq,
                    const struct hz_cause *cause)
{
	if (t->retrack)
		tl_retrack_all(t);
	struct cache_page *a = cache_page_find(t->c, pa);
	struct cache_page *b = cache_page_find(t->c, pa + size - 1);
	if (!(a && a->table) && !(b && b->table))
		return false;
	uint64_t start = pa & ~UINT64_C(7);
	uint64_t end = (pa + size + 7) & ~UINT64_C(7);
	GROW(t->ps, t->nps, t->capps);
	struct pstore *p = &t->ps[t->nps++];
	p->cpu = cpu;
	p->pa = start;
	p->len = (unsigned)(end - start);
	assert(p->len <= sizeof(p->old));
	if (!t->mem.read(t->mem.ctx, start, p->old, p->len))
		memset(p->old, 0, p->len);
	p->seq = seq;
	p->tries = 0;
	p->cause = *cause;
	t->gen++;
	return true;
}

bool tlb_bbm_needed(uint64_t o, uint64_t n, int level, unsigned gs)
{
	enum desc_class co = pt_desc_classify(o, level, gs), cn = pt_desc_classify(n, level, gs);
	bool vo = co == DESC_IS_TABLE || co == DESC_IS_BLOCK || co == DESC_IS_PAGE;
	bool vn = cn == DESC_IS_TABLE || cn == DESC_IS_BLOCK || cn == DESC_IS_PAGE;
	if (!vo || !vn)
		return false; /* invalid <-> valid needs no BBM */
	if (co != cn)
		return true; /* table <-> block */
	if (pt_desc_oa(o, gs) != pt_desc_oa(n, gs))
		return true;
	if (co == DESC_IS_TABLE)
		return false;
	uint64_t attr =
	    (UINT64_C(7) << DESC_ATTRINDX_SHIFT) | (UINT64_C(3) << DESC_SH_SHIFT) | DESC_CONTIG;
	if ((o ^ n) & attr)
		return true;
	return (o & DESC_NG) && !(n & DESC_NG);
}

/* May version v of the descriptor for [base, base+size) at level still be in some TLB? */
static const struct ctx *version_maybe_cached(struct tlb *t, enum regime rg,
                                              const struct dver *v, int level, unsigned gs,
                                              uint64_t base, uint64_t size, uint64_t now)
{
	enum desc_class cls = pt_desc_classify(v->value, level, gs);
	bool leaf = cls == DESC_IS_BLOCK || cls == DESC_IS_PAGE;
	if (leaf && !(v->value & DESC_AF))
		return NULL; /* never cached: the walk faults */
	if (!leaf && cls != DESC_IS_TABLE)
		return NULL;
	bool ng = (v->value & DESC_NG) != 0;
	uint64_t oa = pt_desc_oa(v->value, gs);
	for (unsigned c = 0; c < MODEL_MAX_CPUS; c++)
		for (unsigned i = 0; i < t->nctx[c]; i++) {
			const struct ctx *x = t->ctx[c][i];
			struct pt_cfg xc;
			if (x->dropped || x->regs.regime != rg)
				continue;
			/* An output or next-level table address beyond the context's PA size
			 * (TCR.PS capped at the CPU's PARange) is an Address size fault
			 * (AArch64.OAOutOfRange): that walk is never cached either. */
			if (tl_ctx_cfg(t, x, base, &xc) && (oa >> xc.oa_bits))
				continue;
			uint64_t lo = tl_window(t, x, base, size, leaf, ng, T_INF, false);
			uint64_t hi = x->close == T_INF ? now : x->close;
			if (t->cfg.tlb_policy == TLB_POLICY_ACCESSED) {
				uint64_t key =
				    ((uint64_t)(level + 1) << 56) | ((base >> 12) & VA_PAGE_MASK);
				const struct acc_rec *a = hmap_get(&x->acc, key);
				if (!a || a->last < lo)
					continue;
				if (a->first > lo)
					lo = a->first;
				if (a->last < hi)
					hi = a->last;
			}
			if (lo <= hi && v->from <= hi && v->end > lo)
				return x;
		}
	return NULL;
}

/* Some CPU's MMU of regime rg may be on: an open context. */
static bool regime_live(const struct tlb *t, enum regime rg)
{
	for (unsigned c = 0; c < MODEL_MAX_CPUS; c++)
		for (unsigned i = 0; i < t->nctx[c]; i++) {
			const struct ctx *x = t->ctx[c][i];
			if (!x->dropped && x->close == T_INF && x->regs.regime == rg)
				return true;
		}
	return false;
}

/* Record the store to word w if memory now shows it; false if it shows the old value. */
static bool finalize_word(struct tlb *t, const struct pstore *p, uint64_t w, uint64_t old,
                          uint64_t now, void (*fn)(void *, const struct tlb_bbm *), void *arg)
{
	struct cache_page *pg = cache_page_find(t->c, w);
	uint64_t cur;
	if (!pg || !pg->table || !mem_read64(&t->mem, w, &cur))
		return true; /* nothing to record */
	if (cur == old)
		return false;
	struct dhist *h = hmap_get(&t->hist, w >> 3);
	if (!h) {
		h = calloc(1, sizeof(*h));
		assert(h);
		h->desc_pa = w;
		hmap_put(&t->hist, w >> 3, h);
	}
	if (!h->listed) {
		GROW(t->live, t->nlive, t->caplive);
		t->live[t->nlive++] = h;
		h->listed = true;
	}
	GROW(h->v, h->n, h->cap);
	struct dver *nv = &h->v[h->n++];
	nv->value = old;
	nv->from = h->cur_from;
	nv->end = T_INF; /* until this CPU's next DSB makes the store visible to walkers */
	nv->cause = h->cur_cause;
	nv->ord = h->total++;
	h->cur_from = p->seq;
	h->cur_cause = p->cause;

	GROW(t->uns[p->cpu], t->nuns[p->cpu], t->capuns[p->cpu]);
	struct unsynced *u = &t->uns[p->cpu][t->nuns[p->cpu]++];
	u->desc_pa = w;
	u->ord = nv->ord;
	u->live = tlb_any_open(t);
	u->cause = p->cause;

	const struct ctx *owner = pg->tbl_ctx;
	struct pt_cfg cfg;
	if (!tl_ctx_cfg(t, owner, pg->tbl_va, &cfg))
		return true;
	unsigned gs = cfg.granule_shift;
	int level = pg->tbl_level;
	uint64_t size = pt_level_size(level, gs);
	uint64_t base = pg->tbl_va + ((w & (CACHE_PAGE_SIZE - 1)) / 8) * size;

	/* Break-before-make (D8.14.1): the newest old value that may still be cached. */
	for (unsigned i = h->n; i-- > 0;) {
		const struct dver *v = &h->v[i];
		if (!tlb_bbm_needed(v->value, cur, level, gs))
			continue;
		enum regime rg = owner->regs.regime;
		const struct ctx *x = version_maybe_cached(t, rg, v, level, gs, base, size, now);
		if (!x)
			continue;
		struct tlb_bbm b = {w, v->value, cur, (int8_t)level, base, p->cause, v->cause, 0};
		/* A value older than the context: the MMU enable made it live. */
		if (v->from <= x->open)
			b.cached = x->cause;
		b.cached_since = x->open > v->from ? x->open : v->from;
		/* D8.14.1 and DESIGN §3 "Break-before-make": with every MMU of the regime off no
		 * lookup can see the old and the new entry together; only one turned on before
		 * a TLBI removing the old value completes can. Decided then. */
		if (!regime_live(t, rg)) {
			GROW(t->bw, t->nbw, t->capbw);
			t->bw[t->nbw++] = (struct bbm_wait){b, rg, gs, size, v->ord};
			break;
		}
		fn(arg, &b);
		break;
	}
	/* A new table descriptor makes its subtree reachable: through every place this page
	 * is reached, though it is tracked through the owner's (struct reach). */
	if (level < 3 && pt_desc_classify(cur, level, gs) == DESC_IS_TABLE) {
		const struct reach *rc = hmap_get(&t->reach, w >> 12);
		if (rc)
			t->inherit = *rc;
		else
			t->inherit.alias = true;
		tl_track_table(t, owner->root, pt_desc_oa(cur, gs), level + 1, base, gs);
		if (tl_ctx_cfg(t, owner, base, &cfg))
			tl_track_range(t, owner->root, &cfg, base, base + size - 1);
		memset(&t->inherit, 0, sizeof(t->inherit));
	}
	return true;
}

void tlb_bbm_recheck(struct tlb *t, uint64_t now, void (*fn)(void *arg, const struct tlb_bbm *b),
                     void *arg)
{
	unsigned k = 0;
	for (unsigned i = 0; i < t->nbw; i++) {
		struct bbm_wait *bw = &t->bw[i];
		if (!regime_live(t, bw->regime)) {
			t->bw[k++] = *bw;
			continue;
		}
		/* The old value is gone (pruned: no TLB can hold it), or the descriptor holds
		 * a value again that needs no break-before-make from it: nothing to report. */
		struct dhist *h = hmap_get(&t->hist, bw->b.desc_pa >> 3);
		const struct dver *v = h ? tl_find_version(h, bw->ord) : NULL;
		uint64_t cur;
		if (!v || !mem_read64(&t->mem, bw->b.desc_pa, &cur) ||
		    !tlb_bbm_needed(v->value, cur, bw->b.level, bw->gs))
			continue;
		const struct ctx *x = version_maybe_cached(t, bw->regime, v, bw->b.level, bw->gs,
		                                           bw->b.va, bw->size, now);
		if (!x)
			continue; /* a completed TLBI removed it before the MMU came on */
		bw->b.new_desc = cur;
		fn(arg, &bw->b);
	}
	t->nbw = k;
}

bool tlb_bbm_pending(const struct tlb *t)
{
	return t->nbw != 0;
}

bool tlb_finalize(struct tlb *t, uint64_t now, void (*fn)(void *arg, const struct tlb_bbm *b),
                  void *arg)
{
	unsigned k = 0;
	for (unsigned i = 0; i < t->nps; i++) {
		struct pstore *p = &t->ps[i];
		bool any = false;
		for (unsigned off = 0; off < p->len; off += 8) {
			uint64_t old = 0;
			for (int b = 7; b >= 0; b--)
				old = (old << 8) | p->old[off + (unsigned)b];
			any |= finalize_word(t, p, p->pa + off, old, now, fn, arg);
		}
		/* Memory does not show the store yet (a wide store delivered as several
		 * events lands after the last of them): look again at the next events; a
		 * store of the value already there is dropped after a few. */
		if (!any && ++p->tries < 4)
			t->ps[k++] = *p;
	}
	if (t->nps)
		t->gen++;
	t->nps = k;
	return k != 0;
}

unsigned tlb_recent_values(const struct tlb *t, uint64_t desc_pa, uint64_t since,
                           uint64_t *vals, struct hz_cause *causes, unsigned max)
{
	const struct dhist *h = hmap_get(&t->hist, desc_pa >> 3);
	unsigned n = 0;
	for (unsigned i = h ? h->n : 0; i-- > 0 && n < max;) {
		const struct dver *v = &h->v[i];
		if (v->end == T_INF || v->end <= since)
			continue;
		vals[n] = v->value;
		/* The store that replaced it: the next value's cause. */
		causes[n] = i + 1 < h->n ? h->v[i + 1].cause : h->cur_cause;
		n++;
	}
	return n;
}

bool tlb_unsynced_store(const struct tlb *t, unsigned cpu, struct hz_cause *cause)
{
	for (unsigned i = 0; i < t->nuns[cpu]; i++)
		if (t->uns[cpu][i].live) {
			*cause = t->uns[cpu][i].cause;
			return true;
		}
	return false;
}

bool tlb_walker_old_value(const struct tlb *t, unsigned cpu, uint64_t desc_pa, uint64_t *old,
                          struct hz_cause *cause)
{
	/* uns[cpu] is in store order: the first entry for desc_pa overwrote the value the
	 * walker last had to see. */
	for (unsigned i = 0; i < t->nuns[cpu]; i++) {
		const struct unsynced *u = &t->uns[cpu][i];
		if (!u->live || u->desc_pa != (desc_pa & ~UINT64_C(7)))
			continue;
		const struct dver *v = tl_find_version(hmap_get(&t->hist, desc_pa >> 3), u->ord);
		if (!v)
			return false;
		*old = v->value;
		*cause = u->cause;
		return true;
	}
	return false;
}

/* ---- the `accessed` policy ---- */

void tlb_note_access(struct tlb *t, unsigned cpu, const struct pt_cfg *cfg, uint64_t va,
                     uint64_t seq)
{
	if (t->cfg.tlb_policy != TLB_POLICY_ACCESSED)
		return;
	for (unsigned i = 0; i < t->nctx[cpu]; i++) {
		struct ctx *x = t->ctx[cpu][i];
		if (x->close != T_INF || x->regs.regime != cfg->regime)
			continue;
		for (int l = cfg->start_level; l <= 3; l++) {
			uint64_t size = pt_level_size(l, cfg->granule_shift);
			uint64_t key =
			    ((uint64_t)(l + 1) << 56) | (((va & ~(size - 1)) >> 12) & VA_PAGE_MASK);
			struct acc_rec *a = hmap_get(&x->acc, key);
			if (!a) {
				a = malloc(sizeof(*a));
				assert(a);
				a->first = seq;
				hmap_put(&x->acc, key, a);
			}
			if (a->first <
			    tl_window(t, x, va & ~(size - 1), size, true, false, T_INF, false))
				a->first = seq; /* the earlier accesses' entries are gone */
			a->last = seq;
		}
	}
}
