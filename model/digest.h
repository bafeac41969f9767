/*
 * digest.h - canonical digests of the checker's state: `sim campaign` compares the state of
 * a variant (a run with one instruction dropped) with the unchanged run's at the same
 * instruction, and when they are equal the variant has rejoined the unchanged run: fed the
 * same events, the model makes the same decisions from then on.
 *
 * A digest is a 64-bit value, equal for equal states and different otherwise with
 * probability 1 - 2^-64 per comparison. What "equal" leaves out, and why that cannot change
 * a later decision of the model (the argument for each is next to the code that hashes the
 * state, in checker.c, tlb.c and cache.c):
 *  - Event numbers are compared after normalisation (struct model_digest_cfg): a variant
 *    numbers every event after its dropped instruction d lower than the unchanged run does.
 *    The model only compares event numbers with each other (windows, histories, contexts)
 *    and with the current one, so a uniform shift of the numbers after one point keeps every
 *    comparison.
 *  - hz_cause records (which earlier event made an outcome possible) are left out: they are
 *    copied into hazard reports and fold keys only, never into a decision.
 *  - Generation counters (the fast path's validity test) are left out; an entry of the
 *    translation cache counts only while it is valid, as its contents.
 *  - Hash maps are hashed as sets (the sum of their entries' digests), so equal contents
 *    inserted in another order give the same digest.
 *  - A line's dirty state (the PoC, or the PoU, may hold other bytes than memory) may be
 *    left out when the caller says so (skip_line, DG_LINE_DATA): the caller knows that
 *    nothing the model will do looks at it again (campaign: in the unchanged run, from that
 *    point on, no access to the line, no DC by VA on it, no DC by set/way, and no read of it
 *    through the PoC or PoU view, model_observe_views). Those are the only ways the model
 *    reads it: an access reads it for its own lines (the fast path's tests, a Non-cacheable
 *    read or store or fetch), a DC by VA for its line, a DC by set/way for all, and
 *    everything else (walks and reads through the PoC or PoU view, whatever the
 *    translation) reads through cache_read or cache_view_differs. (The cache view,
 *    CV_CACHE, shows stale copies, not dirty ones; presence and stale copies are always
 *    hashed.) A DC by VA pending on the line goes with it: when it completes it reads and
 *    changes only that line's dirty state.
 *  - Likewise a line's I-cache state (valid or not, modified since, the bytes as fetched;
 *    DG_LINE_ICACHE), which only a fetch of the line (its outcomes, the fast path's test,
 *    the fill) and a store to it (marking it modified) read; an IC changes it without
 *    reading it. An IC by VA pending on the line goes with it.
 * Everything else of the state is hashed.
 */
#ifndef HYPSIM_MODEL_DIGEST_H
#define HYPSIM_MODEL_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* The parts of a line's state skip_line may take out. */
enum { DG_LINE_DATA, DG_LINE_ICACHE };

struct model_digest_cfg {
	/* Event numbers above time_from are hashed as number + time_shift (mod 2^64);
	 * UINT64_MAX ("not yet") is kept. {0, 0}: as they are. */
	uint64_t time_from, time_shift;
	/*
	 * Called, under the write-back policy WB_ANY and while no DC by set/way is pending, for
	 * each line (64-byte aligned PA) with a dirty state (kind DG_LINE_DATA) or an I-cache
	 * state (DG_LINE_ICACHE) and each pending DC (DATA) or IC (ICACHE) by VA, with the
	 * line and the part of the digest that state, or that maintenance, adds
	 * (contribution). Returning true leaves that part out: the caller takes the line as
	 * clean (or out of the I-cache) and without pending maintenance of that kind, and must
	 * answer the same for every call naming the same line and kind. NULL: every part is
	 * hashed.
	 */
	bool (*skip_line)(void *arg, uint64_t line_pa, unsigned kind, uint64_t contribution);
	void *arg;
};

/*
 * The digest of m's whole state. A sum of independent parts, so that a caller may subtract
 * the contributions it learns through skip_line.
 */
uint64_t model_digest(const struct model *m, const struct model_digest_cfg *cfg);

/* A cheap digest of a few counts (pending maintenance, TLBIs, contexts, registers awaiting
 * synchronisation): different counts mean different states. */
uint64_t model_shape(const struct model *m);

/* Every 4 KiB page the model keeps a record of: every page a store or DC ZVA event reached
 * has one (cache.h), and pages that were only read or walked. */
void model_for_each_page(const struct model *m, void (*fn)(void *arg, uint64_t pa), void *arg);

/*
 * fn is told of every read of [pa, pa + len) through the views that show the copies dirty
 * lines keep (cache.h: cache_read and cache_view_differs of CV_POC and CV_POU, and
 * cache_line_differs): the PoC copies, the PoU copies. NULL: no longer. For the campaign's
 * recorder (sim/rejoin.c), which learns which lines' dirty state the model may look at
 * later.
 */
void model_observe_views(struct model *m, void (*fn)(void *arg, uint64_t pa, size_t len),
                         void *arg);

/* ---- building blocks (also used by tlb.c, cache.c, checker.c) ---- */

/* An order-dependent accumulator: one value per field, in a fixed order. */
struct dg {
	uint64_t h;
};

static inline uint64_t dg_fmix(uint64_t k)
{
	k ^= k >> 33;
	k *= UINT64_C(0xff51afd7ed558ccd);
	k ^= k >> 33;
	k *= UINT64_C(0xc4ceb9fe1a85ec53);
	k ^= k >> 33;
	return k;
}

/* A new accumulator for a part tagged tag (parts with different tags never coincide). */
static inline struct dg dg_start(uint64_t tag)
{
	return (struct dg){dg_fmix(tag + UINT64_C(0x9e3779b97f4a7c15))};
}

static inline void dg_u64(struct dg *d, uint64_t v)
{
	d->h = ((d->h << 27 | d->h >> 37) ^ v) * UINT64_C(0x9e3779b97f4a7c15) +
	       UINT64_C(0x632be59bd9b4e019);
}

void dg_bytes(struct dg *d, const void *p, size_t n);

/* An event number, normalised (struct model_digest_cfg). */
static inline void dg_time(struct dg *d, const struct model_digest_cfg *cfg, uint64_t t)
{
	if (t != UINT64_MAX && t > cfg->time_from)
		t += cfg->time_shift;
	dg_u64(d, t);
}

static inline uint64_t dg_end(const struct dg *d)
{
	return dg_fmix(d->h);
}

/* Internal to the model: the parts of model_digest. */
struct cache;
struct tlb;
/* setway: a DC by set/way is pending (no line is offered to skip_line). */
uint64_t cache_digest(const struct cache *c, const struct model_digest_cfg *cfg, bool setway);
void cache_for_each_page(const struct cache *c, void (*fn)(void *arg, uint64_t pa), void *arg);
void cache_set_observer(struct cache *c, void (*fn)(void *arg, uint64_t pa, size_t len), void *arg);
uint64_t tlb_digest(const struct tlb *t, const struct model_digest_cfg *cfg);
unsigned tlb_shape(const struct tlb *t, uint64_t out[4]);

#endif /* HYPSIM_MODEL_DIGEST_H */
