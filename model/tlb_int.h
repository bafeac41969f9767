/*
 * tlb_int.h - internals shared by the TLB model's files (tlb*.c): its state and the
 * helpers more than one of them uses. Not part of tlb.h.
 *
 *   tlb.c         lifecycle, tracking of reachable table pages, contexts, digest
 *   tlb_tlbi.c    TLBI decoding, scope, completion at a DSB, synchronisation
 *   tlb_hist.c    descriptor histories: stores, break-before-make, pruning, `accessed`
 *   tlb_lookup.c  entries and lookup: what a TLB may hold for one VA
 */
#ifndef HYPSIM_TLB_INT_H
#define HYPSIM_TLB_INT_H

#include "tlb.h"

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "arch.h"
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
	char note[96];      /* why it exists, for reports (tlb_ctx_note); "" for none */
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

/* A break-before-make violation found while no MMU of the regime was on: reported only if
 * the old value may still be cached when one is turned on (tlb_bbm_recheck). */
struct bbm_wait {
	struct tlb_bbm b;
	enum regime regime;
	unsigned gs;
	uint64_t size; /* of the VA range the descriptor maps (b.va is its base) */
	uint64_t ord;  /* the old value's version */
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
	bool prune_due;     /* some version may have become prunable since tl_prune_versions() */
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
	uint64_t epoch;    /* bumped by tl_retrack_all() */
	bool retrack;      /* a context was dropped: the tracked set is a superset until redone */
	uint64_t gen;
	/* Each CPU's last context synchronisation event: a table store made visible after it
	 * may still be missed by that CPU's walks (no FEAT_ETS2), so its old value is kept. */
	uint64_t csync[MODEL_MAX_CPUS];
	bool recent_kept; /* some version is kept only for that: prune at the next csync */
	struct bbm_wait *bw;
	unsigned nbw, capbw;
};

#define GROW(arr, n, cap)                                                                          \
	do {                                                                                       \
		if ((n) == (cap)) {                                                                \
			(cap) = (cap) ? (cap)*2 : 8;                                               \
			(arr) = realloc((arr), (cap) * sizeof(*(arr)));                            \
			assert(arr);                                                               \
		}                                                                                  \
	} while (0)

struct troot;

static inline uint64_t max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static inline bool regs_equal(const struct tlb_regs *a, const struct tlb_regs *b)
{
	return a->regime == b->regime && a->tcr == b->tcr && a->ttbr0 == b->ttbr0 &&
	       (a->regime == REGIME_EL2 || a->ttbr1 == b->ttbr1) && a->mair == b->mair &&
	       (a->sctlr & SCTLR_ELx_WXN) == (b->sctlr & SCTLR_ELx_WXN) && a->s2 == b->s2;
}

bool tl_ctx_cfg(const struct tlb *t, const struct ctx *x, uint64_t va, struct pt_cfg *cfg);

void tl_drop_ctx(struct ctx *x);

struct dver *tl_find_version(struct dhist *h, uint64_t ord);

void tl_prune_recs(struct tlb *t);

void tl_prune_versions(struct tlb *t);

void tl_retrack_all(struct tlb *t);

void tl_track_range(struct tlb *t, struct troot *r, const struct pt_cfg *cfg, uint64_t start,
                        uint64_t end);

void tl_track_table(struct tlb *t, struct troot *r, uint64_t pa, int level, uint64_t va,
                        unsigned gs);

bool tl_ver_dead(const struct tlb *t, const struct dhist *h, const struct dver *v);

unsigned tl_versions(struct tlb *t, uint64_t desc_pa, struct dver *out, bool *cur_ok);

uint64_t tl_window(const struct tlb *t, const struct ctx *x, uint64_t base, uint64_t size,
                       bool leaf, bool ng, uint64_t at, bool incl_pending);

#endif
