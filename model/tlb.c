/*
 * tlb.c - TLBs with walk caches, TLBI completion and descriptor histories (see tlb.h).
 */
#include "tlb.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "digest.h"
#include "hmap.h"

#define T_INF        UINT64_MAX
#define MAX_VERSIONS 16
#define VA_PAGE_MASK ((UINT64_C(1) << 44) - 1) /* VA[55:12], as TLBI operands carry it */

enum inv_kind { INV_NONE, INV_ALL, INV_VA, INV_ASID };

/* One TLBI instruction: shared by the contexts (of one or every CPU) it reaches. */
struct tlbi_rec {
	enum tlbi_op op;
	unsigned issuer;
	bool is; /* Inner Shareable form: completes only at DSB ISH/OSH/SY */
	enum inv_kind kind;
	bool leaf_only; /* VALE*, VAALE1: walk-cache entries survive */
	bool all_asid;  /* VAAE1, VAALE1 */
	uint64_t va_page;
	uint16_t asid;
	uint64_t issue, done;          /* done = T_INF while pending */
	uint64_t sync[MODEL_MAX_CPUS]; /* first context sync of each CPU after done */
	unsigned refs;                 /* contexts whose inv lists it */
};

struct acc_rec {
	uint64_t first, last;
};

struct ctx {
	struct tlb_regs regs;
	unsigned cpu;
	uint16_t asid;
	uint64_t open, close; /* close = T_INF while the context is in use */
	bool dropped;         /* every entry it could have made is invalidated */
	struct hz_cause cause;
	/* TLBIs that reached this context and are not settled yet (pending, or completed but
	 * not yet synchronised for instruction fetch). */
	struct tlbi_rec **inv;
	unsigned ninv, capinv;
	/* Settled TLBIs, folded: latest issue of an ALL form, of an ASID form for x->asid, and
	 * per VA range (one key per level size of the context's granules). */
	uint64_t s_all, s_asid;
	struct hmap sva;
	unsigned nshift;
	uint8_t shifts[10];
	struct troot *root; /* its table configuration */
	struct hmap acc;    /* `accessed` policy: (level, VA range) -> struct acc_rec */
};

struct settled_va {
	uint64_t any;    /* leaf and walk entries, any ASID */
	uint64_t leaf;   /* leaf entries only, any ASID */
	uint64_t g_any;  /* walk entries and global leaf entries (other ASID's VAE1) */
	uint64_t g_leaf; /* global leaf entries only */
};

struct dver {
	uint64_t value, from, end; /* live for walks in [from, end); end = T_INF: not yet
	                              overwritten visibly */
	uint64_t ord;              /* this descriptor's ord-th overwritten value (0-based) */
	struct hz_cause cause;
};

struct dhist {
	unsigned n, cap;
	struct dver *v; /* older values that may still be cached, oldest first */
	uint64_t total; /* older values ever recorded (pruned ones included) */
	uint64_t cur_from;
	struct hz_cause cur_cause;
	uint64_t desc_pa;
	bool listed; /* in t->live */
};

/* Where the descriptors of one 4 KiB table page are reached (track_page): level, the VA
 * entry 0 maps, granule, the regimes whose tables reach it; alias: reached at more than one
 * (level, VA, granule), or under a page that is. */
struct reach {
	int8_t level;
	uint8_t gs, regimes;
	bool alias;
	uint64_t va;
};

struct pstore {
	unsigned cpu;
	uint64_t pa; /* 8-aligned start */
	unsigned len;
	uint8_t old[80];
	uint64_t seq;
	unsigned tries; /* events at which memory still showed the old bytes */
	struct hz_cause cause;
};

struct unsynced {
	uint64_t desc_pa;
	uint64_t ord; /* the version whose end its DSB sets (never pruned while end = T_INF) */
	bool live;
	struct hz_cause cause;
};

struct tlb {
	struct model_cfg cfg;
	struct mem_ops mem;
	struct cache *c;
	struct ctx **ctx[MODEL_MAX_CPUS];
	unsigned nctx[MODEL_MAX_CPUS], capctx[MODEL_MAX_CPUS];
	struct hmap hist; /* desc_pa >> 3 -> struct dhist */
	struct dhist **live; /* the histories with n > 0 */
	unsigned nlive, caplive;
	bool prune_due;     /* some version may have become prunable since prune_versions() */
	struct hmap reach;  /* table page PA >> 12 -> struct reach */
	struct reach inherit; /* finalize_word: what pages it tracks inherit (regimes, alias) */
	/* TLBIs that are pending or listed in some context's inv, in issue order (prune_recs) */
	struct tlbi_rec **recs;
	unsigned nrecs, caprecs;
	unsigned npending;
	struct pstore *ps;
	unsigned nps, capps;
	struct unsynced *uns[MODEL_MAX_CPUS];
	unsigned nuns[MODEL_MAX_CPUS], capuns[MODEL_MAX_CPUS];
	struct cache_page **tracked;
	unsigned ntracked, captracked;
	struct hmap roots; /* root_key() -> struct troot: every table configuration seen */
	uint64_t epoch;    /* bumped by retrack_all() */
	bool retrack;      /* a context was dropped: the tracked set is a superset until redone */
	uint64_t gen;
};

#define GROW(arr, n, cap)                                                                          \
	do {                                                                                       \
		if ((n) == (cap)) {                                                                \
			(cap) = (cap) ? (cap)*2 : 8;                                               \
			(arr) = realloc((arr), (cap) * sizeof(*(arr)));                            \
			assert(arr);                                                               \
		}                                                                                  \
	} while (0)

struct tlb *tlb_new(const struct model_cfg *cfg, const struct mem_ops *mem, struct cache *c)
{
	struct tlb *t = calloc(1, sizeof(*t));
	assert(t);
	t->cfg = *cfg;
	t->mem = *mem;
	t->c = c;
	return t;
}

static void free_root(void *p);
static void prune_versions(struct tlb *t);
static struct dver *find_version(struct dhist *h, uint64_t ord);

static void free_hist(void *p)
{
	struct dhist *h = p;
	free(h->v);
	free(h);
}

void tlb_free(struct tlb *t)
{
	if (!t)
		return;
	for (unsigned c = 0; c < MODEL_MAX_CPUS; c++) {
		for (unsigned i = 0; i < t->nctx[c]; i++) {
			struct ctx *x = t->ctx[c][i];
			free(x->inv);
			hmap_free(&x->sva, free);
			hmap_free(&x->acc, free);
			free(x);
		}
		free(t->ctx[c]);
		free(t->uns[c]);
	}
	for (unsigned i = 0; i < t->nrecs; i++)
		free(t->recs[i]);
	free(t->recs);
	hmap_free(&t->hist, free_hist);
	free(t->live);
	hmap_free(&t->reach, free);
	free(t->ps);
	free(t->tracked);
	hmap_free(&t->roots, free_root);
	free(t);
}

uint64_t tlb_gen(const struct tlb *t)
{
	return t->gen;
}

const uint64_t *tlb_gen_ptr(const struct tlb *t)
{
	return &t->gen;
}

const unsigned *tlb_pending_ptr(const struct tlb *t)
{
	return &t->npending;
}

uint16_t tlb_el1_asid(uint64_t tcr, uint64_t ttbr0, uint64_t ttbr1)
{
	return (uint16_t)((tcr & TCR_EL1_A1 ? ttbr1 : ttbr0) >> TTBR_ASID_SHIFT);
}

static bool regs_equal(const struct tlb_regs *a, const struct tlb_regs *b)
{
	return a->regime == b->regime && a->tcr == b->tcr && a->ttbr0 == b->ttbr0 &&
	       (a->regime == REGIME_EL2 || a->ttbr1 == b->ttbr1) && a->mair == b->mair &&
	       (a->sctlr & SCTLR_ELx_WXN) == (b->sctlr & SCTLR_ELx_WXN);
}

static bool ctx_cfg(const struct ctx *x, uint64_t va, struct pt_cfg *cfg)
{
	struct fault f;
	return pt_cfg_from_regs(x->regs.regime, x->regs.sctlr, x->regs.tcr, x->regs.ttbr0,
	                        x->regs.ttbr1, x->regs.mair, va, cfg, &f);
}

/* ---- tracking which pages hold reachable translation tables ---- */

/*
 * The table pages of one table configuration (TTBRs and TCR): contexts that differ only in
 * MAIR, WXN or time share it, so the tables are visited once per configuration, and
 * re-marking the tracked set after a context is dropped needs no walk.
 */
struct troot {
	enum regime regime;
	uint64_t ttbr0, ttbr1, tcr;
	const struct ctx *owner; /* a context of this configuration (for pt_cfg) */
	struct tpage {
		struct cache_page *pg;
		int8_t level;
		uint64_t va;
	} * pages;
	unsigned n, cap;
	struct hmap set; /* page PA >> 12 of pages[] */
	uint64_t epoch;  /* t->epoch when last marked */
};

static void free_root(void *p)
{
	struct troot *r = p;
	free(r->pages);
	hmap_free(&r->set, NULL);
	free(r);
}

static void mark_page(struct tlb *t, const struct troot *r, const struct tpage *p)
{
	struct cache_page *pg = p->pg;
	if (pg->table)
		return;
	pg->table = true;
	pg->tbl_level = p->level;
	pg->tbl_va = p->va;
	pg->tbl_ctx = r->owner;
	GROW(t->tracked, t->ntracked, t->captracked);
	t->tracked[t->ntracked++] = pg;
}

/* Record that pa's page is reached at (level, va, gs) by r's regime (struct reach). */
static void note_reach(struct tlb *t, const struct troot *r, uint64_t pa, int level, uint64_t va,
                       unsigned gs)
{
	struct reach *h = hmap_get(&t->reach, pa >> 12);
	uint8_t rg = (uint8_t)((1u << r->regime) | t->inherit.regimes);
	if (!h) {
		h = calloc(1, sizeof(*h));
		assert(h);
		h->level = (int8_t)level;
		h->va = va;
		h->gs = (uint8_t)gs;
		hmap_put(&t->reach, pa >> 12, h);
	} else if (h->level != level || h->va != va || h->gs != gs) {
		h->alias = true;
	}
	h->regimes |= rg;
	h->alias |= t->inherit.alias;
}

static void track_page(struct tlb *t, struct troot *r, uint64_t pa, int level, uint64_t va,
                       unsigned gs)
{
	note_reach(t, r, pa, level, va, gs);
	struct cache_page *pg = cache_page_get(t->c, pa);
	if (!hmap_get(&r->set, pa >> 12)) {
		GROW(r->pages, r->n, r->cap);
		r->pages[r->n].pg = pg;
		r->pages[r->n].level = (int8_t)level;
		r->pages[r->n].va = va;
		hmap_put(&r->set, pa >> 12, pg);
		r->n++;
	}
	struct tpage p = {pg, (int8_t)level, va};
	mark_page(t, r, &p);
}

/* A whole table of one granule at pa, whose entry 0 maps va at level. */
static void track_table(struct tlb *t, struct troot *r, uint64_t pa, int level, uint64_t va,
                        unsigned gs)
{
	uint64_t gsize = UINT64_C(1) << gs;
	uint64_t per_page = pt_level_size(level, gs) * (CACHE_PAGE_SIZE / 8);
	pa &= ~(gsize - 1);
	for (uint64_t off = 0; off < gsize; off += CACHE_PAGE_SIZE)
		track_page(t, r, pa + off, level, va + (off / CACHE_PAGE_SIZE) * per_page, gs);
}

struct track_arg {
	struct tlb *t;
	struct troot *r;
	unsigned gs;
};

static int track_visitor(const struct pt_visit_entry *e, void *arg)
{
	struct track_arg *a = arg;
	if (e->cls == DESC_IS_TABLE && e->level < 3)
		track_table(a->t, a->r, pt_desc_oa(e->desc, a->gs), e->level + 1, e->va, a->gs);
	return 0;
}

static void track_range(struct tlb *t, struct troot *r, const struct pt_cfg *cfg, uint64_t start,
                        uint64_t end)
{
	struct track_arg a = {t, r, cfg->granule_shift};
	pt_visit(cfg, &t->mem, start, end, PT_VISIT_TABLE_PRE, track_visitor, &a);
}

static uint64_t root_key(const struct tlb_regs *g)
{
	uint64_t k = g->ttbr0 * UINT64_C(0x9e3779b97f4a7c15) ^ g->tcr ^
	             (g->regime == REGIME_EL10 ? g->ttbr1 * UINT64_C(31) + 1 : 0);
	return k & ~(UINT64_C(1) << 63); /* hmap keys: anything but all-ones */
}

static void track_ctx(struct tlb *t, struct ctx *x)
{
	uint64_t key = root_key(&x->regs);
	struct troot *r = hmap_get(&t->roots, key);
	/* A rare hash collision between configurations: chain by probing the next keys. */
	while (r &&
	       !(r->regime == x->regs.regime && r->ttbr0 == x->regs.ttbr0 &&
	         (r->regime == REGIME_EL2 || r->ttbr1 == x->regs.ttbr1) && r->tcr == x->regs.tcr))
		r = hmap_get(&t->roots, ++key & ~(UINT64_C(1) << 63));
	x->root = r;
	if (r) {
		if (r->epoch != t->epoch) {
			r->epoch = t->epoch;
			for (unsigned i = 0; i < r->n; i++)
				mark_page(t, r, &r->pages[i]);
		}
		return;
	}
	r = calloc(1, sizeof(*r));
	assert(r);
	r->regime = x->regs.regime;
	r->ttbr0 = x->regs.ttbr0;
	r->ttbr1 = x->regs.ttbr1;
	r->tcr = x->regs.tcr;
	r->owner = x;
	r->epoch = t->epoch;
	hmap_put(&t->roots, key & ~(UINT64_C(1) << 63), r);
	x->root = r;
	uint64_t probes[2] = {0, UINT64_MAX};
	unsigned nprobe = x->regs.regime == REGIME_EL10 ? 2 : 1;
	for (unsigned i = 0; i < nprobe; i++) {
		struct pt_cfg cfg;
		if (!ctx_cfg(x, probes[i], &cfg))
			continue;
		unsigned bits = 64 - cfg.tsz;
		uint64_t lo = cfg.upper ? ~UINT64_C(0) << bits : 0;
		uint64_t hi = cfg.upper ? ~UINT64_C(0) : (UINT64_C(1) << bits) - 1;
		track_table(t, r, cfg.ttbr, cfg.start_level, lo, cfg.granule_shift);
		track_range(t, r, &cfg, lo, hi);
	}
}

/* Tracked pages = union of the pages of the configurations of non-dropped contexts. */
static void retrack_all(struct tlb *t)
{
	t->retrack = false;
	for (unsigned i = 0; i < t->ntracked; i++)
		t->tracked[i]->table = false;
	t->ntracked = 0;
	t->epoch++;
	for (unsigned c = 0; c < MODEL_MAX_CPUS; c++)
		for (unsigned i = 0; i < t->nctx[c]; i++)
			if (!t->ctx[c][i]->dropped)
				track_ctx(t, t->ctx[c][i]);
}

/* ---- contexts ---- */

void tlb_ctx_open(struct tlb *t, unsigned cpu, const struct tlb_regs *regs, uint64_t seq,
                  const struct hz_cause *cause)
{
	for (unsigned i = 0; i < t->nctx[cpu]; i++) {
		struct ctx *x = t->ctx[cpu][i];
		if (x->close == T_INF && regs_equal(&x->regs, regs))
			return;
	}
	struct ctx *x = calloc(1, sizeof(*x));
	assert(x);
	x->regs = *regs;
	x->cpu = cpu;
	x->asid =
	    regs->regime == REGIME_EL10 ? tlb_el1_asid(regs->tcr, regs->ttbr0, regs->ttbr1) : 0;
	x->open = seq;
	x->close = T_INF;
	x->cause = *cause;
	uint64_t probes[2] = {0, UINT64_MAX};
	for (unsigned p = 0; p < (regs->regime == REGIME_EL10 ? 2u : 1u); p++) {
		struct pt_cfg cfg;
		if (!ctx_cfg(x, probes[p], &cfg))
			continue;
		for (int l = cfg.start_level; l <= 3 && x->nshift < 10; l++)
			x->shifts[x->nshift++] =
			    (uint8_t)__builtin_ctzll(pt_level_size(l, cfg.granule_shift));
	}
	GROW(t->ctx[cpu], t->nctx[cpu], t->capctx[cpu]);
	t->ctx[cpu][t->nctx[cpu]++] = x;
	track_ctx(t, x);
	t->gen++;
}

void tlb_ctx_close_others(struct tlb *t, unsigned cpu, enum regime rg, const struct tlb_regs *keep,
                          unsigned nkeep, uint64_t seq)
{
	for (unsigned i = 0; i < t->nctx[cpu]; i++) {
		struct ctx *x = t->ctx[cpu][i];
		if (x->close != T_INF || x->regs.regime != rg)
			continue;
		bool kept = false;
		for (unsigned k = 0; k < nkeep && !kept; k++)
			kept = regs_equal(&x->regs, &keep[k]);
		if (!kept)
			x->close = seq;
	}
}

bool tlb_any_open(const struct tlb *t)
{
	for (unsigned c = 0; c < MODEL_MAX_CPUS; c++)
		for (unsigned i = 0; i < t->nctx[c]; i++)
			if (t->ctx[c][i]->close == T_INF)
				return true;
	return false;
}

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

static uint64_t max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* Earliest event at which x may have cached an entry covering [base, base+size) that is
 * still present for an access now (see tlb.h: completed TLBIs only, unless incl_pending;
 * for instruction fetch without FEAT_ETS, only those followed by a context sync). */
static uint64_t window(const struct tlb *t, const struct ctx *x, uint64_t base, uint64_t size,
                       bool leaf, bool ng, bool fetch, bool incl_pending)
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
		else if (fetch && !t->cfg.feat_ets)
			counted = incl_pending || r->sync[x->cpu] != T_INF;
		else
			counted = true;
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
static void drop_ctx(struct ctx *x)
{
	x->dropped = true;
	for (unsigned j = 0; j < x->ninv; j++)
		x->inv[j]->refs--;
	x->ninv = 0;
}

/*
 * Free the TLBI records nothing can read any more. A record is read through the inv lists
 * of the contexts it reached (window(), until settle() folds it into the context's settled
 * state) and, while pending, by tlb_dsb(); tlb_csync() sets sync[] of done records, which
 * only window() reads for the contexts of that CPU, through their inv lists. So a record
 * that is done and listed by no context decides nothing more, whatever the other CPUs do
 * later (no TLBI is ever added to an inv list after it is issued): it is freed. The records
 * kept are therefore the pending ones and those listed by a live context: a guest that
 * issues TLBIs and completes them with DSB (and ISB, for fetch without FEAT_ETS) keeps
 * none, however many it issues.
 */
static void prune_recs(struct tlb *t)
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
				drop_ctx(x);
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
		struct dver *v = find_version(h, t->uns[cpu][i].ord);
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
		prune_recs(t);
		/* Under `accessed`, the caller's fast path skips tlb_note_access(): make it
		 * re-record the accesses that may re-fill what this TLBI removed. */
		if (t->cfg.tlb_policy == TLB_POLICY_ACCESSED)
			t->gen++;
	}
	if (t->prune_due)
		prune_versions(t);
	return completed;
}

void tlb_csync(struct tlb *t, unsigned cpu, uint64_t seq)
{
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
		prune_recs(t);
		if (t->cfg.tlb_policy == TLB_POLICY_ACCESSED)
			t->gen++;
	}
	if (t->prune_due)
		prune_versions(t);
}

/* ---- descriptor histories ---- */

/*
 * Which older descriptor values can never be used again, so that a descriptor rewritten
 * N times does not keep N versions.
 *
 * A version v (a value the descriptor at desc_pa held for walks in [v.from, v.end)) is read
 * by three queries: tlb_lookup (lk_level: a table value lets the walk go on, a leaf value
 * with AF set gives a cached translation, for a context x when v.end > lo and v.from <= hi,
 * where lo >= window(x, base, size, leaf, nG, fetch, pending) and hi is x's close, or now
 * while x is open); the break-before-make check of a later store to the same descriptor
 * (version_maybe_cached, the same test with fetch = false, pending = false); and the digest.
 * Invalid, reserved and AF = 0 leaf values are never used as cached ones (a walk that
 * faults is not cached; D8.13), and BBM is never needed from them (D8.14.1).
 *
 * window() only grows with time (TLBIs are added, complete, get synchronised; settled ones
 * fold into maxima), and for a given context it is smallest with fetch = true (without
 * FEAT_ETS a completed TLBI counts for instruction fetch only after the CPU's next context
 * synchronisation event; B2.3.12 / D8.13) and pending = false (a TLBI not yet completed by a
 * DSB removes nothing for sure; D8.13.x). A context opened later than v.end has window >=
 * its open > v.end. So once v.end is final (the storing CPU's DSB made the next value
 * visible) v is dead - no query will ever use it - when for every context x not dropped:
 *  - x closed before v.from (v.from > hi for ever), or
 *  - v.end <= window(x, base, size, class of v, fetch = true, pending = false), where
 *    (level, base, size) is where x's walks reach desc_pa; the class (table, leaf, nG) of
 *    the value follows from the level and granule.
 * Where walks reach a descriptor is known from the table tracking (struct reach): every
 * page the tables of some context reach is tracked with its level, the VA its entry 0
 * maps and its granule. Contexts of a regime that never reached the page are skipped. A
 * page reached at two places (shared tables, or under a page that is) is an alias: its
 * versions use the part of the window that does not depend on the VA, max(x.open, x.s_all)
 * (an ALL-form TLBI or the context's start), and so are pruned only after TLBI ALL.
 * A version whose end is not final (T_INF) is kept: t->uns refers to it until that DSB.
 *
 * Lookups see the newest MAX_VERSIONS - 1 older values (by ord, pruned ones included), so
 * pruning never brings an older value into sight.
 */
static bool ver_dead(const struct tlb *t, const struct dhist *h, const struct dver *v)
{
	if (v->end == T_INF)
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
			uint64_t lo = alias ? max64(x->open, x->s_all)
			                    : window(t, x, base, size, leaf, ng, true, false);
			if (x->close != T_INF && lo > x->close)
				continue;
			if (v->end > lo)
				return false;
		}
	return true;
}

static struct dver *find_version(struct dhist *h, uint64_t ord)
{
	for (unsigned i = h->n; i-- > 0;)
		if (h->v[i].ord == ord)
			return &h->v[i];
	return NULL;
}

/* Drop the dead versions of every history that has some (see ver_dead). */
static void prune_versions(struct tlb *t)
{
	t->prune_due = false;
	unsigned k = 0;
	for (unsigned i = 0; i < t->nlive; i++) {
		struct dhist *h = t->live[i];
		unsigned n = 0;
		for (unsigned j = 0; j < h->n; j++)
			if (!ver_dead(t, h, &h->v[j]))
				h->v[n++] = h->v[j];
		h->n = n;
		if (n)
			t->live[k++] = h;
		else
			h->listed = false;
	}
	t->nlive = k;
}

static unsigned versions(struct tlb *t, uint64_t desc_pa, struct dver *out, bool *cur_ok)
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
		retrack_all(t);
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
static const struct ctx *version_maybe_cached(struct tlb *t, const struct ctx *owner,
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
	for (unsigned c = 0; c < MODEL_MAX_CPUS; c++)
		for (unsigned i = 0; i < t->nctx[c]; i++) {
			const struct ctx *x = t->ctx[c][i];
			if (x->dropped || x->regs.regime != owner->regs.regime)
				continue;
			uint64_t lo = window(t, x, base, size, leaf, ng, false, false);
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
	if (!ctx_cfg(owner, pg->tbl_va, &cfg))
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
		const struct ctx *x = version_maybe_cached(t, owner, v, level, gs, base, size, now);
		if (!x)
			continue;
		struct tlb_bbm b = {w, v->value, cur, (int8_t)level, base, p->cause, v->cause, 0};
		/* A value older than the context: the MMU enable made it live. */
		if (v->from <= x->open)
			b.cached = x->cause;
		b.cached_since = x->open > v->from ? x->open : v->from;
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
		track_table(t, owner->root, pt_desc_oa(cur, gs), level + 1, base, gs);
		if (ctx_cfg(owner, base, &cfg))
			track_range(t, owner->root, &cfg, base, base + size - 1);
		memset(&t->inherit, 0, sizeof(t->inherit));
	}
	return true;
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
		const struct dver *v = find_version(hmap_get(&t->hist, desc_pa >> 3), u->ord);
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
			    window(t, x, va & ~(size - 1), size, true, false, false, false))
				a->first = seq; /* the earlier accesses' entries are gone */
			a->last = seq;
		}
	}
}

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
	bool fetch, incl, same_ctx;
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
	/* The text is formatted only if the candidate ends up in a report. */
	if (stale_leaf) {
		c->cause = leafv->cause;
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
	else
		snprintf(buf, len,
		         "TLB entry made under TTBR0_%s=0x%" PRIx64 " (MMU on since event %" PRIu64
		         ")",
		         c->ctx_regime == REGIME_EL2 ? "EL2" : "EL1", c->ctx_ttbr, c->ctx_open);
}

static void lk_level(struct lk *s, int level, uint64_t table_pa, uint64_t t_lo)
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
	unsigned nv = versions(s->t, desc_pa, vers, &cur_ok);

	for (unsigned i = 0; i < nv; i++) {
		const struct dver *v = &vers[i];
		bool current = cur_ok && i == nv - 1;
		enum desc_class cls = pt_desc_classify(v->value, level, gs);
		unsigned d = s->pv.n;
		s->pv.pa[d] = desc_pa;
		s->pv.val[d] = v->value;
		if (cls == DESC_IS_TABLE && level < 3) {
			uint64_t lo =
			    window(s->t, s->x, base, size, false, false, s->fetch, s->incl);
			uint64_t hi = s->hi;
			if (lo < t_lo)
				lo = t_lo;
			if (!acc_bound(s, level, base, &lo, &hi))
				continue;
			if (lo > hi || v->from > hi || v->end <= lo)
				continue;
			bool saved = s->stale_table;
			struct hz_cause saved_cause = s->table_cause;
			uint64_t saved_desc = s->table_desc, saved_pa = s->table_pa;
			if (!current && !s->stale_table) {
				s->stale_table = true;
				s->table_cause = v->cause;
				s->table_desc = v->value;
				s->table_pa = desc_pa;
			}
			s->pv.n = d + 1;
			lk_level(s, level + 1, pt_desc_oa(v->value, gs),
			         v->from > lo ? v->from : lo);
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
			uint64_t lo = window(s->t, s->x, base, size, true, ng, s->fetch, s->incl);
			uint64_t hi = s->hi;
			if (lo < t_lo)
				lo = t_lo;
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
		bool fresh_ok =
		    current && level > s->cfg.start_level && (s->stale_table || other_ctx);
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

static unsigned lookup_once(struct tlb *t, unsigned cpu, enum regime rg, uint64_t va, bool fetch,
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
		if (!ctx_cfg(x, va, &s.cfg))
			continue;
		s.t = t;
		s.x = x;
		s.va = va;
		s.now = now;
		s.hi = x->close == T_INF ? now : x->close;
		s.fetch = fetch;
		s.incl = incl;
		s.same_ctx = coherent && regs_equal(&x->regs, coherent);
		s.cur_asid = cur_asid;
		s.coherent_tr = coherent_tr;
		s.pv.ops.read = pview_read;
		s.pv.ops.ctx = &s.pv;
		s.pv.base = &t->mem;
		s.out = out + n;
		s.max = max - n;
		lk_level(&s, s.cfg.start_level, s.cfg.ttbr, 0);
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

unsigned tlb_lookup(struct tlb *t, unsigned cpu, enum regime rg, uint64_t va, bool fetch,
                    uint16_t cur_asid, uint64_t now, const struct tlb_regs *coherent,
                    const struct walk_result *coherent_tr, struct tlb_cand *out, unsigned max)
{
	unsigned n = lookup_once(t, cpu, rg, va, fetch, cur_asid, now, coherent, coherent_tr,
	                         false, out, max);
	if (!t->npending || !n)
		return n;
	/* Which of them only a not-yet-completed TLBI would remove (missing DSB)? */
	struct tlb_cand *with = calloc(max, sizeof(*with));
	assert(with);
	unsigned m = lookup_once(t, cpu, rg, va, fetch, cur_asid, now, coherent, coherent_tr, true,
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

void tlb_cpu_reset(struct tlb *t, unsigned cpu)
{
	/* At power-up a CPU's TLB holds nothing (DESIGN §2: TLBs invalid at reset). */
	for (unsigned i = 0; i < t->nctx[cpu]; i++)
		drop_ctx(t->ctx[cpu][i]);
	t->nuns[cpu] = 0;
	t->retrack = true;
	prune_recs(t);
	prune_versions(t);
}

/* ---- digest (digest.h) ---- */

static void dg_regs(struct dg *d, const struct tlb_regs *r)
{
	dg_u64(d, r->regime);
	dg_u64(d, r->sctlr);
	dg_u64(d, r->tcr);
	dg_u64(d, r->ttbr0);
	dg_u64(d, r->ttbr1);
	dg_u64(d, r->mair);
}

static void dg_rec(struct dg *d, const struct tlb *t, const struct model_digest_cfg *cfg,
                   const struct tlbi_rec *r)
{
	dg_u64(d, r->op);
	dg_u64(d, r->issuer);
	dg_u64(d, r->is);
	dg_u64(d, r->kind);
	dg_u64(d, r->leaf_only);
	dg_u64(d, r->all_asid);
	dg_u64(d, r->va_page);
	dg_u64(d, r->asid);
	dg_time(d, cfg, r->issue);
	dg_time(d, cfg, r->done);
	for (unsigned c = 0; c < t->cfg.ncpus; c++)
		dg_time(d, cfg, r->sync[c]);
}

/* The part of a context that can still decide something. A dropped context (every entry
 * it could have made is invalidated) is skipped by every lookup, TLBI, tracking pass and
 * BBM check, and is never reopened (tlb_ctx_open looks for open ones): only its registers
 * remain in use, as the owner of a table configuration, and those are hashed there. */
static void dg_ctx(struct dg *d, const struct tlb *t, const struct model_digest_cfg *cfg,
                   const struct ctx *x)
{
	dg_regs(d, &x->regs);
	dg_u64(d, x->cpu);
	dg_u64(d, x->asid);
	dg_time(d, cfg, x->open);
	dg_time(d, cfg, x->close);
	dg_u64(d, x->ninv);
	for (unsigned i = 0; i < x->ninv; i++)
		dg_rec(d, t, cfg, x->inv[i]);
	dg_time(d, cfg, x->s_all);
	dg_time(d, cfg, x->s_asid);
	uint64_t sva = 0, acc = 0;
	for (size_t i = 0; i < x->sva.cap; i++) {
		if (!x->sva.keys[i])
			continue;
		const struct settled_va *v = x->sva.vals[i];
		struct dg e = dg_start(0x737661);
		dg_u64(&e, x->sva.keys[i]);
		dg_time(&e, cfg, v->any);
		dg_time(&e, cfg, v->leaf);
		dg_time(&e, cfg, v->g_any);
		dg_time(&e, cfg, v->g_leaf);
		sva += dg_end(&e);
	}
	for (size_t i = 0; i < x->acc.cap; i++) {
		if (!x->acc.keys[i])
			continue;
		const struct acc_rec *a = x->acc.vals[i];
		struct dg e = dg_start(0x616363);
		dg_u64(&e, x->acc.keys[i]);
		dg_time(&e, cfg, a->first);
		dg_time(&e, cfg, a->last);
		acc += dg_end(&e);
	}
	dg_u64(d, sva);
	dg_u64(d, acc);
	dg_u64(d, x->nshift);
	for (unsigned i = 0; i < x->nshift; i++)
		dg_u64(d, x->shifts[i]);
	/* x->root is the configuration of x->regs (track_ctx): hashed with the roots. */
}

/* A version's place among the descriptor's older values, as versions() uses it: counted
 * from the newest, and any place from MAX_VERSIONS on is the same (never looked up). */
static uint64_t ver_age(const struct dhist *h, uint64_t ord)
{
	uint64_t age = h->total - ord;
	return age < MAX_VERSIONS ? age : MAX_VERSIONS;
}

/*
 * Everything but the generation counter (the fast path's validity test) and the hz_cause
 * records (report text and fold keys only). TLBI records: t->recs holds only those that
 * can still decide something (prune_recs), all hashed. Descriptor versions: those not dead
 * (ver_dead: no query will use them), whether prune_versions() has dropped the dead ones
 * yet or not, each with its age (ver_age); a version is named by its age in t->uns too.
 * Reach records (struct reach) only grow and decide only which versions are dead, which is
 * hashed as the versions themselves. The epoch is hashed only as each configuration's
 * "marked in this epoch".
 */
uint64_t tlb_digest(const struct tlb *t, const struct model_digest_cfg *cfg)
{
	struct dg d = dg_start(0x746c62);
	dg_u64(&d, t->cfg.ncpus);
	dg_u64(&d, t->cfg.tlb_policy);
	dg_u64(&d, t->cfg.feat_ets);
	for (unsigned c = 0; c < MODEL_MAX_CPUS; c++) {
		unsigned live = 0;
		for (unsigned i = 0; i < t->nctx[c]; i++) {
			const struct ctx *x = t->ctx[c][i];
			if (x->dropped)
				continue;
			dg_ctx(&d, t, cfg, x);
			live++;
		}
		dg_u64(&d, live);
		dg_u64(&d, t->nuns[c]);
		for (unsigned i = 0; i < t->nuns[c]; i++) {
			const struct dhist *h = hmap_get(&t->hist, t->uns[c][i].desc_pa >> 3);
			dg_u64(&d, t->uns[c][i].desc_pa);
			dg_u64(&d, ver_age(h, t->uns[c][i].ord));
			dg_u64(&d, t->uns[c][i].live);
		}
	}
	dg_u64(&d, t->nrecs);
	for (unsigned i = 0; i < t->nrecs; i++)
		dg_rec(&d, t, cfg, t->recs[i]);
	dg_u64(&d, t->npending);
	dg_u64(&d, t->nps);
	for (unsigned i = 0; i < t->nps; i++) {
		const struct pstore *p = &t->ps[i];
		dg_u64(&d, p->cpu);
		dg_u64(&d, p->pa);
		dg_bytes(&d, p->old, p->len);
		dg_time(&d, cfg, p->seq);
		dg_u64(&d, p->tries);
	}
	dg_u64(&d, t->retrack);
	uint64_t sum = dg_end(&d);
	/* Descriptor histories, as a set. */
	for (size_t i = 0; i < t->hist.cap; i++) {
		if (!t->hist.keys[i])
			continue;
		const struct dhist *h = t->hist.vals[i];
		struct dg e = dg_start(0x68697374);
		dg_u64(&e, t->hist.keys[i]);
		for (unsigned k = 0; k < h->n; k++) {
			if (ver_dead(t, h, &h->v[k]))
				continue;
			dg_u64(&e, ver_age(h, h->v[k].ord));
			dg_u64(&e, h->v[k].value);
			dg_time(&e, cfg, h->v[k].from);
			dg_time(&e, cfg, h->v[k].end);
		}
		dg_time(&e, cfg, h->cur_from);
		sum += dg_end(&e);
	}
	/* Tracked table pages (the table fields of struct cache_page), as a set. */
	for (unsigned i = 0; i < t->ntracked; i++) {
		const struct cache_page *pg = t->tracked[i];
		struct dg e = dg_start(0x74726b);
		dg_u64(&e, pg->pa);
		dg_u64(&e, (uint64_t)(int64_t)pg->tbl_level);
		dg_u64(&e, pg->tbl_va);
		dg_regs(&e, &((const struct ctx *)pg->tbl_ctx)->regs);
		sum += dg_end(&e);
	}
	/* Table configurations, as a set; each one's pages in order (the first configuration
	 * to mark a page gives it its level and VA). */
	for (size_t i = 0; i < t->roots.cap; i++) {
		if (!t->roots.keys[i])
			continue;
		const struct troot *r = t->roots.vals[i];
		struct dg e = dg_start(0x726f6f74);
		dg_u64(&e, t->roots.keys[i]);
		dg_u64(&e, r->regime);
		dg_u64(&e, r->ttbr0);
		dg_u64(&e, r->ttbr1);
		dg_u64(&e, r->tcr);
		dg_regs(&e, &r->owner->regs);
		dg_u64(&e, r->epoch == t->epoch);
		dg_u64(&e, r->n);
		for (unsigned k = 0; k < r->n; k++) {
			dg_u64(&e, r->pages[k].pg->pa);
			dg_u64(&e, (uint64_t)(int64_t)r->pages[k].level);
			dg_u64(&e, r->pages[k].va);
		}
		sum += dg_end(&e);
	}
	return sum;
}

void tlb_footprint(const struct tlb *t, struct model_footprint *f)
{
	f->tlbi_records = t->nrecs;
	f->desc_versions = 0;
	for (unsigned i = 0; i < t->nlive; i++)
		f->desc_versions += t->live[i]->n;
	f->desc_histories = t->hist.n;
	f->tlb_contexts = 0;
	for (unsigned c = 0; c < MODEL_MAX_CPUS; c++)
		f->tlb_contexts += t->nctx[c];
}

unsigned tlb_shape(const struct tlb *t, uint64_t out[4])
{
	unsigned live = 0;
	for (unsigned c = 0; c < MODEL_MAX_CPUS; c++)
		for (unsigned i = 0; i < t->nctx[c]; i++)
			live += !t->ctx[c][i]->dropped;
	out[0] = live;
	out[1] = t->npending;
	out[2] = t->nps;
	out[3] = t->ntracked;
	return 4;
}
