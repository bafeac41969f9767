/*
 * tlb_lookup.c - entries and lookup: the translations a TLB may hold for one VA,
 * built from the descriptor histories and the TLBIs that reached each context (see tlb.h).
 */
#include "tlb_int.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- lookup ---- */

/* The walker reading the chosen versions of the descriptors on one path. */
struct pview {
	struct mem_ops ops;
	const struct mem_ops *base;
	unsigned n;
	uint64_t pa[PT_MAX_STEPS], val[PT_MAX_STEPS];
};

static bool pview_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	struct pview *v = ctx;
	for (unsigned i = 0; i < v->n; i++) {
		if (len == 8 && pa == v->pa[i]) {
			uint8_t *b = buf;
			for (unsigned k = 0; k < 8; k++)
				b[k] = (uint8_t)(v->val[i] >> (8 * k));
			return true;
		}
	}
	return v->base->read(v->base->ctx, pa, buf, len);
}

struct lk {
	struct tlb *t;
	const struct ctx *x;
	struct pt_cfg cfg;
	uint64_t va, now, hi;
	uint64_t at; /* the instant of the access (tl_window) */
	bool incl, same_ctx;
	uint16_t cur_asid;
	const struct walk_result *coherent_tr; /* see tlb_lookup */
	struct pview pv;
	bool stale_table;
	struct hz_cause table_cause;
	uint64_t table_desc, table_pa;
	struct tlb_cand *out;
	unsigned n, max;
};

static bool acc_bound(const struct lk *s, int level, uint64_t base, uint64_t *lo, uint64_t *hi)
{
	if (s->t->cfg.tlb_policy != TLB_POLICY_ACCESSED)
		return true;
	uint64_t key = ((uint64_t)(level + 1) << 56) | ((base >> 12) & VA_PAGE_MASK);
	const struct acc_rec *a = hmap_get(&s->x->acc, key);
	if (!a || a->last < *lo)
		return false;
	if (a->first > *lo)
		*lo = a->first;
	if (a->last < *hi)
		*hi = a->last;
	return true;
}

static void emit(struct lk *s, const struct walk_result *r, bool stale_leaf,
                 const struct dver *leafv, uint64_t leaf_pa, bool coherent)
{
	if (s->n >= s->max)
		return;
	struct tlb_cand *c = &s->out[s->n++];
	c->r = *r;
	c->cfg = s->cfg;
	c->needs_pending = false;
	c->stale_leaf = stale_leaf;
	c->stale_table = s->stale_table;
	c->old_ctx = !s->same_ctx;
	c->coherent = coherent;
	c->ctx_regime = s->x->regs.regime;
	c->ctx_ttbr = s->x->regs.ttbr0;
	c->ctx_open = s->x->open;
	c->ctx_s2 = s->x->regs.s2;
	c->ctx_note = s->x->note[0] ? s->x->note : NULL;
	/* The text is formatted only if the candidate ends up in a report. The event that made
	 * an old value cacheable: its store, or, for a value in memory before the context
	 * opened (a loader's tables), the MMU enable that opened it (as tlb_bbm.cached). */
	if (stale_leaf) {
		c->cause = leafv->from <= s->x->open ? s->x->cause : leafv->cause;
		c->old_desc = leafv->value;
		c->desc_pa = leaf_pa;
	} else if (s->stale_table) {
		c->cause = s->table_cause;
		c->old_desc = s->table_desc;
		c->desc_pa = s->table_pa;
	} else {
		c->cause = s->x->cause;
	}
}

void tlb_cand_describe(const struct tlb_cand *c, char *buf, size_t len)
{
	if (c->stale_leaf)
		snprintf(buf, len,
		         "TLB entry holding old descriptor 0x%016" PRIx64 " at PA 0x%" PRIx64,
		         c->old_desc, c->desc_pa);
	else if (c->stale_table)
		snprintf(buf, len,
		         "walk-cache entry holding old table descriptor 0x%016" PRIx64
		         " at PA 0x%" PRIx64,
		         c->old_desc, c->desc_pa);
	else if (c->ctx_note)
		snprintf(buf, len, "%s", c->ctx_note);
	else
		snprintf(buf, len,
		         "TLB entry made under TTBR0_%s=0x%" PRIx64 " (MMU on since event %" PRIu64
		         ")",
		         c->ctx_regime == REGIME_EL2 ? "EL2" : "EL1", c->ctx_ttbr, c->ctx_open);
}

/*
 * The versions of the level-`level` descriptor of s->va in the table at table_pa that a TLB
 * may hold or a walk may read. [a, b]: the instants at which a walk could have reached this
 * table, through descriptors live then or walk-cache entries made from them and not yet
 * invalidated; wc: walk-cache entries of every table level above are present now, so a walk
 * performed now may start from them.
 *
 * DESIGN §3 "TLBI scope": a leaf entry, once made, does not depend on the walk-cache entries
 * of the walk that made it. So a TLBI that removes a walk-cache entry on the path (TLBI VAE2
 * of another VA in its span) ends the time in which new leaves can be made through it, not
 * the life of the leaves made before; only a TLBI that covers the leaf's own VA (its window,
 * tl_window) removes those.
 */
static void lk_level(struct lk *s, int level, uint64_t table_pa, uint64_t a, uint64_t b,
                     bool wc)
{
	unsigned gs = s->cfg.granule_shift, stride = gs - 3;
	unsigned shift = gs + (unsigned)(3 - level) * stride;
	unsigned inbits = 64 - s->cfg.tsz;
	unsigned width = inbits - shift < stride ? inbits - shift : stride;
	uint64_t idx = (s->va >> shift) & ((UINT64_C(1) << width) - 1);
	uint64_t desc_pa = table_pa + idx * 8;
	uint64_t size = pt_level_size(level, gs);
	uint64_t base = s->va & ~(size - 1);
	struct dver vers[MAX_VERSIONS];
	bool cur_ok;
	unsigned nv = tl_versions(s->t, desc_pa, vers, &cur_ok);

	for (unsigned i = 0; i < nv; i++) {
		const struct dver *v = &vers[i];
		bool current = cur_ok && i == nv - 1;
		enum desc_class cls = pt_desc_classify(v->value, level, gs);
		unsigned d = s->pv.n;
		s->pv.pa[d] = desc_pa;
		s->pv.val[d] = v->value;
		if (cls == DESC_IS_TABLE && level < 3) {
			/* The instants a walk could read v: while it was live, inside [a, b]. */
			if (v->end == 0 || v->from > b || v->end <= a)
				continue;
			uint64_t ra = v->from > a ? v->from : a;
			uint64_t rb = v->end - 1 < b ? v->end - 1 : b;
			/* A walk-cache entry of v present now: made at or after the last TLBI
			 * covering it, while v was live. */
			uint64_t wlo = tl_window(s->t, s->x, base, size, false, false, s->at, s->incl);
			uint64_t lo = wlo > ra ? wlo : ra, hi = rb;
			bool cached = acc_bound(s, level, base, &lo, &hi) && lo <= hi;
			/* Leaves below can have been made through v until its walk-cache entries
			 * went: until now if one is present, else until just before the last
			 * covering TLBI (an upper bound of when the first one after v's life
			 * removed them; an entry made at a TLBI's issue survives it). */
			uint64_t cb = cached || !wlo ? b : (wlo - 1 < b ? wlo - 1 : b);
			if (cb < rb)
				cb = rb;
			bool saved = s->stale_table;
			struct hz_cause saved_cause = s->table_cause;
			uint64_t saved_desc = s->table_desc, saved_pa = s->table_pa;
			if (!current && !s->stale_table) {
				s->stale_table = true;
				s->table_cause = v->from <= s->x->open ? s->x->cause : v->cause;
				s->table_desc = v->value;
				s->table_pa = desc_pa;
			}
			s->pv.n = d + 1;
			lk_level(s, level + 1, pt_desc_oa(v->value, gs), ra, cb, wc && cached);
			s->pv.n = d;
			s->stale_table = saved;
			s->table_cause = saved_cause;
			s->table_desc = saved_desc;
			s->table_pa = saved_pa;
			continue;
		}
		/* Leaf, invalid or reserved. */
		bool leaf = cls == DESC_IS_BLOCK || cls == DESC_IS_PAGE;
		bool cached_ok = false;
		if (leaf && (v->value & DESC_AF)) {
			bool ng = (v->value & DESC_NG) != 0;
			uint64_t lo = tl_window(s->t, s->x, base, size, true, ng, s->at, s->incl);
			uint64_t hi = b;
			if (lo < a)
				lo = a;
			if (acc_bound(s, level, base, &lo, &hi))
				cached_ok = lo <= hi && v->from <= hi && v->end > lo;
		}
		/*
		 * A walk now that starts from cached table entries reads the latest value here:
		 * entries of an old table value, or of an earlier context's tables (walk-cache
		 * entries are not tagged with the TTBR, and the EL2 regime has no ASID), can
		 * lead it to another descriptor, which may even be invalid (D8.13: a fault is
		 * not cached, but a walk from cached table entries can fault). In the EL1&0
		 * regime hypsim takes walk-cache entries as tagged with the ASID they were
		 * made under, so another ASID's entries are not used.
		 */
		bool other_ctx =
		    !s->same_ctx && (s->x->regs.regime == REGIME_EL2 || s->x->asid == s->cur_asid);
		bool fresh_ok = wc && current && level > s->cfg.start_level &&
		                (s->stale_table || other_ctx);
		if (!cached_ok && !fresh_ok)
			continue;
		/* The coherent context over the current descriptors: the coherent walk. */
		bool coherent = s->coherent_tr && s->same_ctx && current && !s->stale_table;
		struct walk_result r;
		if (coherent) {
			r = *s->coherent_tr;
		} else {
			s->pv.n = d + 1;
			pt_translate(&s->cfg, &s->pv.ops, s->va, &r);
			s->pv.n = d;
		}
		if (r.fault.type != FAULT_NONE && !fresh_ok)
			continue; /* faulting translations are never cached */
		if (s->x->regs.regime == REGIME_EL10 && r.fault.type == FAULT_NONE && r.ng &&
		    s->x->asid != s->cur_asid)
			continue;
		emit(s, &r, !current, v, desc_pa, coherent);
	}
}

static unsigned lookup_once(struct tlb *t, unsigned cpu, enum regime rg, uint64_t va, uint64_t at,
                            uint16_t cur_asid, uint64_t now, const struct tlb_regs *coherent,
                            const struct walk_result *coherent_tr, bool incl,
                            struct tlb_cand *out, unsigned max)
{
	unsigned n = 0;
	for (unsigned i = 0; i < t->nctx[cpu] && n < max; i++) {
		const struct ctx *x = t->ctx[cpu][i];
		if (x->dropped || x->regs.regime != rg)
			continue;
		struct lk s;
		memset(&s, 0, sizeof(s));
		if (!tl_ctx_cfg(t, x, va, &s.cfg))
			continue;
		s.t = t;
		s.x = x;
		s.va = va;
		s.now = now;
		s.hi = x->close == T_INF ? now : x->close;
		s.at = at;
		s.incl = incl;
		s.same_ctx = coherent && regs_equal(&x->regs, coherent);
		s.cur_asid = cur_asid;
		s.coherent_tr = coherent_tr;
		s.pv.ops.read = pview_read;
		s.pv.ops.ctx = &s.pv;
		s.pv.base = &t->mem;
		s.out = out + n;
		s.max = max - n;
		lk_level(&s, s.cfg.start_level, s.cfg.ttbr, 0, s.hi, true);
		n += s.n;
	}
	return n;
}

static bool same_translation(const struct walk_result *a, const struct walk_result *b)
{
	if (a->fault.type != b->fault.type)
		return false;
	if (a->fault.type != FAULT_NONE)
		return true;
	return a->oa == b->oa && a->block_size == b->block_size && a->ro == b->ro &&
	       a->xn == b->xn && a->pxn == b->pxn && a->el0 == b->el0 &&
	       a->attrs.inner == b->attrs.inner;
}

unsigned tlb_lookup(struct tlb *t, unsigned cpu, enum regime rg, uint64_t va, uint64_t at,
                    uint16_t cur_asid, uint64_t now, const struct tlb_regs *coherent,
                    const struct walk_result *coherent_tr, struct tlb_cand *out, unsigned max)
{
	unsigned n = lookup_once(t, cpu, rg, va, at, cur_asid, now, coherent, coherent_tr,
	                         false, out, max);
	if (!t->npending || !n)
		return n;
	/* Which of them only a not-yet-completed TLBI would remove (missing DSB)? */
	struct tlb_cand *with = calloc(max, sizeof(*with));
	assert(with);
	unsigned m = lookup_once(t, cpu, rg, va, at, cur_asid, now, coherent, coherent_tr, true,
	                         with, max);
	for (unsigned i = 0; i < n; i++) {
		bool found = false;
		for (unsigned k = 0; k < m && !found; k++)
			found = same_translation(&out[i].r, &with[k].r);
		out[i].needs_pending = !found;
	}
	free(with);
	return n;
}
