/*
 * tlb_tlbi.c - TLBI: decoding an operation into its scope, completion at a DSB of
 * enough shareability, and its reach into instruction fetch at a context synchronisation
 * (see tlb.h).
 */
#include "tlb_int.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- TLBI ---- */

static bool tlbi_decode(struct tlbi_rec *r, enum tlbi_op op, uint64_t arg, enum regime *rg)
{
	r->va_page = arg & VA_PAGE_MASK;
	r->asid = (uint16_t)(arg >> 48);
	*rg = REGIME_EL10;
	switch (op) {
	case TLBI_ALLE2IS:
		r->is = true; /* fall through */
	case TLBI_ALLE2:
		*rg = REGIME_EL2;
		r->kind = INV_ALL;
		return true;
	case TLBI_VAE2IS:
		r->is = true; /* fall through */
	case TLBI_VAE2:
		*rg = REGIME_EL2;
		r->kind = INV_VA;
		r->all_asid = true;
		return true;
	case TLBI_VALE2IS:
		r->is = true; /* fall through */
	case TLBI_VALE2:
		*rg = REGIME_EL2;
		r->kind = INV_VA;
		r->all_asid = true;
		r->leaf_only = true;
		return true;
	case TLBI_ALLE1IS:
	case TLBI_VMALLE1IS:
	case TLBI_VMALLS12E1IS:
		r->is = true; /* fall through */
	case TLBI_ALLE1:
	case TLBI_VMALLE1:
	case TLBI_VMALLS12E1:
		r->kind = INV_ALL;
		return true;
	case TLBI_VAE1IS:
		r->is = true; /* fall through */
	case TLBI_VAE1:
		r->kind = INV_VA;
		return true;
	case TLBI_VALE1IS:
		r->is = true; /* fall through */
	case TLBI_VALE1:
		r->kind = INV_VA;
		r->leaf_only = true;
		return true;
	case TLBI_VAAE1IS:
		r->is = true; /* fall through */
	case TLBI_VAAE1:
		r->kind = INV_VA;
		r->all_asid = true;
		return true;
	case TLBI_VAALE1IS:
		r->is = true; /* fall through */
	case TLBI_VAALE1:
		r->kind = INV_VA;
		r->all_asid = true;
		r->leaf_only = true;
		return true;
	case TLBI_ASIDE1IS:
		r->is = true; /* fall through */
	case TLBI_ASIDE1:
		r->kind = INV_ASID;
		return true;
	case TLBI_IPAS2E1IS:
	case TLBI_IPAS2LE1IS:
		r->is = true; /* fall through */
	default:
		/* Stage 2 by IPA: hypsim models no stage 2, so nothing cached is affected. */
		r->kind = INV_NONE;
		return false;
	}
}

void tlb_tlbi(struct tlb *t, unsigned cpu, enum tlbi_op op, uint64_t arg, uint64_t seq,
              const struct hz_cause *cause)
{
	(void)cause;
	struct tlbi_rec *r = calloc(1, sizeof(*r));
	assert(r);
	enum regime rg;
	r->op = op;
	r->issuer = cpu;
	r->issue = seq;
	r->done = T_INF;
	for (unsigned c = 0; c < MODEL_MAX_CPUS; c++)
		r->sync[c] = T_INF;
	tlbi_decode(r, op, arg, &rg);
	GROW(t->recs, t->nrecs, t->caprecs);
	t->recs[t->nrecs++] = r;
	t->npending++;
	for (unsigned c = 0; c < t->cfg.ncpus; c++) {
		if (c != cpu && !r->is)
			continue;
		for (unsigned i = 0; i < t->nctx[c]; i++) {
			struct ctx *x = t->ctx[c][i];
			if (x->dropped || x->regs.regime != rg || r->kind == INV_NONE)
				continue;
			GROW(x->inv, x->ninv, x->capinv);
			x->inv[x->ninv++] = r;
			r->refs++;
		}
	}
}

bool tlb_done_unsynced(const struct tlb *t, unsigned cpu)
{
	if (t->cfg.feat_ets)
		return false;
	for (unsigned i = 0; i < t->nrecs; i++)
		if (t->recs[i]->done != T_INF && t->recs[i]->sync[cpu] == T_INF)
			return true;
	return false;
}

bool tlb_pending_any(const struct tlb *t)
{
	return t->npending != 0;
}

/* Does invalidation r remove an entry of x covering [base, base+size)? */
static bool inv_matches(const struct tlbi_rec *r, const struct ctx *x, uint64_t base, uint64_t size,
                        bool leaf, bool ng)
{
	switch (r->kind) {
	case INV_ALL:
		return true;
	case INV_ASID:
		return (!leaf || ng) && x->asid == r->asid;
	case INV_VA: {
		if (r->leaf_only && !leaf)
			return false;
		if (leaf && ng && !r->all_asid && x->regs.regime == REGIME_EL10 &&
		    x->asid != r->asid)
			return false;
		uint64_t lo = (base >> 12) & VA_PAGE_MASK;
		uint64_t hi = ((base + size - 1) >> 12) & VA_PAGE_MASK;
		return r->va_page >= lo && r->va_page <= hi;
	}
	default:
		return false;
	}
}

static uint64_t va_key(unsigned shift, uint64_t va_page)
{
	return ((uint64_t)shift << 56) | ((va_page << 12) >> shift);
}

/*
 * Earliest event at which x may have cached an entry covering [base, base+size) that is
 * still present for an access performed at the instant `at` (see tlb.h): TLBIs completed
 * by then, and pending ones too if incl_pending. A TLBI completed and followed by a context
 * synchronisation of x's CPU (or any completed one, with FEAT_ETS2) is settled and counts
 * for every instant an access of that CPU can have (DESIGN §3 "One instant per access": an
 * instant after the last context synchronisation event); the others count only for an
 * instant at or after their completion. at = 0: the earliest instant, at = T_INF: now.
 */
uint64_t tl_window(const struct tlb *t, const struct ctx *x, uint64_t base, uint64_t size,
                   bool leaf, bool ng, uint64_t at, bool incl_pending)
{
	uint64_t w = max64(x->open, x->s_all);
	if (!leaf || ng)
		w = max64(w, x->s_asid);
	if (x->sva.n) {
		unsigned shift = (unsigned)__builtin_ctzll(size);
		const struct settled_va *v =
		    hmap_get(&x->sva, va_key(shift, (base >> 12) & VA_PAGE_MASK));
		if (v) {
			w = max64(w, v->any);
			if (leaf)
				w = max64(w, v->leaf);
			if (!(leaf && ng))
				w = max64(w, v->g_any);
			if (leaf && !ng)
				w = max64(w, v->g_leaf);
		}
	}
	for (unsigned i = 0; i < x->ninv; i++) {
		const struct tlbi_rec *r = x->inv[i];
		bool counted;
		if (r->done == T_INF)
			counted = incl_pending;
		else
			counted = incl_pending || r->done <= at || t->cfg.feat_ets ||
			          r->sync[x->cpu] != T_INF;
		if (!counted || r->issue <= w)
			continue;
		if (inv_matches(r, x, base, size, leaf, ng))
			w = r->issue;
	}
	return w;
}

/* Fold r into x's settled state: it now applies to every kind of access. */
static void settle(struct ctx *x, const struct tlbi_rec *r)
{
	switch (r->kind) {
	case INV_ALL:
		x->s_all = max64(x->s_all, r->issue);
		return;
	case INV_ASID:
		if (x->asid == r->asid)
			x->s_asid = max64(x->s_asid, r->issue);
		return;
	case INV_VA:
		break;
	default:
		return;
	}
	bool every = r->all_asid || x->regs.regime == REGIME_EL2 || x->asid == r->asid;
	for (unsigned i = 0; i < x->nshift; i++) {
		uint64_t key = va_key(x->shifts[i], r->va_page);
		struct settled_va *v = hmap_get(&x->sva, key);
		if (!v) {
			v = calloc(1, sizeof(*v));
			assert(v);
			hmap_put(&x->sva, key, v);
		}
		uint64_t *f = every ? (r->leaf_only ? &v->leaf : &v->any)
		                    : (r->leaf_only ? &v->g_leaf : &v->g_any);
		*f = max64(*f, r->issue);
	}
}

/* A dropped context is never looked at again (lookups, TLBIs, BBM checks and the digest
 * skip it): the TLBIs it lists no longer need to be kept for it. */
void tl_drop_ctx(struct ctx *x)
{
	x->dropped = true;
	for (unsigned j = 0; j < x->ninv; j++)
		x->inv[j]->refs--;
	x->ninv = 0;
}

/*
 * Free the TLBI records nothing can read any more. A record is read through the inv lists
 * of the contexts it reached (tl_window(), until settle() folds it into the context's settled
 * state) and, while pending, by tlb_dsb(); tlb_csync() sets sync[] of done records, which
 * only tl_window() reads for the contexts of that CPU, through their inv lists. So a record
 * that is done and listed by no context decides nothing more, whatever the other CPUs do
 * later (no TLBI is ever added to an inv list after it is issued): it is freed. The records
 * kept are therefore the pending ones and those listed by a live context: a guest that
 * issues TLBIs and completes them with DSB (and ISB, for fetch without FEAT_ETS) keeps
 * none, however many it issues.
 */
void tl_prune_recs(struct tlb *t)
{
	unsigned k = 0;
	for (unsigned i = 0; i < t->nrecs; i++) {
		struct tlbi_rec *r = t->recs[i];
		if (r->done != T_INF && !r->refs)
			free(r);
		else
			t->recs[k++] = r;
	}
	t->nrecs = k;
}

/* Settle what can be, then drop contexts an ALL-form TLBI emptied after they closed. */
static void settle_all(struct tlb *t)
{
	bool dropped = false;
	for (unsigned c = 0; c < MODEL_MAX_CPUS; c++)
		for (unsigned i = 0; i < t->nctx[c]; i++) {
			struct ctx *x = t->ctx[c][i];
			unsigned k = 0;
			for (unsigned j = 0; j < x->ninv; j++) {
				struct tlbi_rec *r = x->inv[j];
				if (r->done != T_INF && (t->cfg.feat_ets || r->sync[c] != T_INF)) {
					settle(x, r);
					r->refs--;
					t->prune_due = true; /* a window may have moved */
				} else {
					x->inv[k++] = r;
				}
			}
			x->ninv = k;
			if (!x->dropped && x->close != T_INF && x->s_all >= x->close) {
				tl_drop_ctx(x);
				dropped = true;
			}
		}
	if (dropped)
		t->retrack = true; /* done lazily: extra tracked pages only cost slow paths */
}

bool tlb_dsb(struct tlb *t, unsigned cpu, enum barrier_domain dom, enum barrier_type type,
             uint64_t seq)
{
	if (type == BAR_LD)
		return false; /* a DSB LD waits for loads only */
	/* The CPU's descriptor stores are now visible to every walker. */
	for (unsigned i = 0; i < t->nuns[cpu]; i++) {
		struct dhist *h = hmap_get(&t->hist, t->uns[cpu][i].desc_pa >> 3);
		struct dver *v = tl_find_version(h, t->uns[cpu][i].ord);
		assert(v);
		v->end = seq;
		t->prune_due = true;
	}
	t->nuns[cpu] = 0;
	/* TLB maintenance completes only at a DSB whose required access types are reads and
	 * writes (B2.3.12): a DSB ST makes the stores visible and leaves the TLBIs pending. */
	if (type != BAR_ALL)
		return false;
	bool completed = false;
	for (unsigned i = 0; i < t->nrecs; i++) {
		struct tlbi_rec *r = t->recs[i];
		if (r->done != T_INF || r->issuer != cpu)
			continue;
		if (r->is && dom == DOM_NSH)
			continue;
		r->done = seq;
		t->npending--;
		completed = true;
	}
	if (completed) {
		settle_all(t);
		tl_prune_recs(t);
		/* Under `accessed`, the caller's fast path skips tlb_note_access(): make it
		 * re-record the accesses that may re-fill what this TLBI removed. */
		if (t->cfg.tlb_policy == TLB_POLICY_ACCESSED)
			t->gen++;
	}
	if (t->prune_due)
		tl_prune_versions(t);
	return completed;
}

void tlb_csync(struct tlb *t, unsigned cpu, uint64_t seq)
{
	t->csync[cpu] = seq;
	if (t->recent_kept)
		t->prune_due = true; /* the versions only this CPU's walks could still read */
	bool any = false;
	for (unsigned i = 0; i < t->nrecs; i++) {
		struct tlbi_rec *r = t->recs[i];
		if (r->done != T_INF && r->sync[cpu] == T_INF) {
			r->sync[cpu] = seq;
			any = true;
		}
	}
	if (any) {
		settle_all(t);
		tl_prune_recs(t);
		if (t->cfg.tlb_policy == TLB_POLICY_ACCESSED)
			t->gen++;
	}
	if (t->prune_due)
		tl_prune_versions(t);
}
