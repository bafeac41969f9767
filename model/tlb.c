/*
 * tlb.c - TLBs with walk caches, TLBI completion and descriptor histories (see tlb.h): the
 * lifecycle, tracking of reachable table pages, contexts and the digest. tlb_int.h lists the
 * other files.
 */
#include "tlb_int.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"

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
	free(t->bw);
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

bool tl_ctx_cfg(const struct tlb *t, const struct ctx *x, uint64_t va, struct pt_cfg *cfg)
{
	struct fault f;
	return pt_cfg_from_regs(x->regs.regime, t->cfg.pa_bits, x->regs.sctlr, x->regs.tcr,
	                        x->regs.ttbr0, x->regs.ttbr1, x->regs.mair, va, cfg, &f);
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
void tl_track_table(struct tlb *t, struct troot *r, uint64_t pa, int level, uint64_t va,
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
		tl_track_table(a->t, a->r, pt_desc_oa(e->desc, a->gs), e->level + 1, e->va, a->gs);
	return 0;
}

void tl_track_range(struct tlb *t, struct troot *r, const struct pt_cfg *cfg, uint64_t start,
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
		if (!tl_ctx_cfg(t, x, probes[i], &cfg))
			continue;
		unsigned bits = 64 - cfg.tsz;
		uint64_t lo = cfg.upper ? ~UINT64_C(0) << bits : 0;
		uint64_t hi = cfg.upper ? ~UINT64_C(0) : (UINT64_C(1) << bits) - 1;
		tl_track_table(t, r, cfg.ttbr, cfg.start_level, lo, cfg.granule_shift);
		tl_track_range(t, r, &cfg, lo, hi);
	}
}

/* Tracked pages = union of the pages of the configurations of non-dropped contexts. */
void tl_retrack_all(struct tlb *t)
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
		if (!tl_ctx_cfg(t, x, probes[p], &cfg))
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

void tlb_ctx_note(struct tlb *t, unsigned cpu, const struct tlb_regs *regs, const char *note)
{
	for (unsigned i = 0; i < t->nctx[cpu]; i++) {
		struct ctx *x = t->ctx[cpu][i];
		if (x->close == T_INF && regs_equal(&x->regs, regs) && !x->note[0])
			snprintf(x->note, sizeof(x->note), "%s", note);
	}
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

void tlb_cpu_reset(struct tlb *t, unsigned cpu)
{
	/* At power-up a CPU's TLB holds nothing (DESIGN §2: TLBs invalid at reset). */
	for (unsigned i = 0; i < t->nctx[cpu]; i++)
		tl_drop_ctx(t->ctx[cpu][i]);
	t->nuns[cpu] = 0;
	t->retrack = true;
	tl_prune_recs(t);
	tl_prune_versions(t);
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

/* A version's place among the descriptor's older values, as tl_versions() uses it: counted
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
 * (ver_dead: no query will use them), whether tl_prune_versions() has dropped the dead ones
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
	dg_u64(&d, t->cfg.pa_bits);
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
	dg_u64(&d, t->nbw);
	for (unsigned i = 0; i < t->nbw; i++) {
		const struct bbm_wait *bw = &t->bw[i];
		dg_u64(&d, bw->b.desc_pa);
		dg_u64(&d, bw->b.old_desc);
		dg_u64(&d, bw->b.new_desc);
		dg_time(&d, cfg, bw->b.store.seq);
		dg_u64(&d, bw->regime);
		const struct dhist *h = hmap_get(&t->hist, bw->b.desc_pa >> 3);
		dg_u64(&d, h ? ver_age(h, bw->ord) : 0);
	}
	uint64_t sum = dg_end(&d);
	/* Descriptor histories, as a set. */
	for (size_t i = 0; i < t->hist.cap; i++) {
		if (!t->hist.keys[i])
			continue;
		const struct dhist *h = t->hist.vals[i];
		struct dg e = dg_start(0x68697374);
		dg_u64(&e, t->hist.keys[i]);
		for (unsigned k = 0; k < h->n; k++) {
			if (tl_ver_dead(t, h, &h->v[k]))
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
