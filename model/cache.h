/*
 * cache.h - data/instruction cache and Point of Coherency state shared by hypsim's CPUs.
 *
 * Models, per 64-byte line (CTR_EL0.DminLine/IminLine = 64 bytes), what the Arm ARM allows
 * the memory system to hold beyond "memory as the program sees it" (the caller's mem_ops):
 *   - dirty: a write-back store with SCTLR.C=1 left the PoC holding older bytes (kept here);
 *     dirty_pou: the Point of Unification, where instruction fetches fill from, may also hold
 *     older bytes until DC CVAU (never set when CTR_EL0.IDC=1);
 *   - present: the line may be in a data cache (a cacheable access touched it since it was
 *     last invalidated);
 *   - stale: a Non-cacheable write went to the PoC while the line may be cached, so a
 *     cacheable read may still return the older clean bytes (kept here) until DC IVAC/CIVAC;
 *   - I-cache: a line fetched cacheably since it was last invalidated, with the bytes as
 *     fetched; imod marks lines stored to since.
 * Arm ARM B2.4 / D7.4-D7.5 (caches, PoC and PoU, cache maintenance), B2.7.2 (mismatched
 * attributes), D7.5.9 (data cache maintenance by VA). Lines are tracked per 4 KiB page in a
 * hash map, and only pages that were touched have a record, so clean memory costs nothing.
 *
 * Evictions follow the write-back policy (model.h enum wb_policy). Under WB_ANY a dirty line
 * stays dirty until cleaned and the checker takes both outcomes as possible. Under WB_NEVER
 * and WB_RANDOM the state is one definite cache and PoC, so a line can also be dirty and
 * stale at once: its cached copy (stale[], dirty) differs from memory as the program sees
 * it, and its PoC copy (poc[]) too (a Non-cacheable store under a dirty line, a cacheable
 * store into a stale copy). Under WB_RANDOM each line that becomes dirty or stale is given
 * an eviction time from a splitmix64 stream; the checker evicts it when the time comes.
 *
 * Does not model: cache geometry, sets and ways (set/way operations act on every line),
 * evictions of clean lines that are merely present, per-CPU instruction caches (one I-cache
 * state is shared by all CPUs, and no policy evicts it), the PoU of other CPUs. Decisions
 * (which hazard) are the checker's; this module holds state and gives views of memory for
 * the walker and for reads.
 */
#ifndef HYPSIM_MODEL_CACHE_H
#define HYPSIM_MODEL_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "mem_ops.h"
#include "model.h"

#define CACHE_PAGE_SIZE      4096u
#define CACHE_LINES_PER_PAGE 64u

struct cache_page_ext {
	uint8_t poc[CACHE_PAGE_SIZE];    /* PoC bytes of dirty lines */
	uint8_t pou[CACHE_PAGE_SIZE];    /* PoU bytes of dirty_pou lines */
	uint8_t stale[CACHE_PAGE_SIZE];  /* cached bytes of stale lines */
	uint8_t icache[CACHE_PAGE_SIZE]; /* I-cache bytes of ivalid lines */
	struct hz_cause dirty_c[CACHE_LINES_PER_PAGE];
	struct hz_cause stale_c[CACHE_LINES_PER_PAGE];
	struct hz_cause ifill_c[CACHE_LINES_PER_PAGE];
	uint64_t evict_at[CACHE_LINES_PER_PAGE]; /* WB_RANDOM: evicted before this event; 0: none */
};

/* One 4 KiB page of PA space; bit i of each mask is line i. Public for the fast path. */
struct cache_page {
	uint64_t pa; /* page base */
	uint64_t present, dirty, dirty_pou, stale, ivalid, imod;
	/* Translation-table tracking, owned by tlb.c: the page holds descriptors that a TLB
	 * context can reach (level of that table and the VA its entry 0 maps). */
	bool table;
	int8_t tbl_level;
	uint64_t tbl_va;
	const void *tbl_ctx;      /* a TLB context that reaches it (tlb.c) */
	struct cache_page_ext *x; /* allocated when a line first needs bytes kept */
	/* Owned by the checker (DESIGN §3 "Modified code"): code was fetched from the page;
	 * lines stored to since, with their old bytes kept until every CPU synchronised. */
	bool code;
	uint64_t cstore;
};

enum cache_view {
	CV_LATEST, /* memory as the program sees it */
	CV_POC,    /* what a Non-cacheable read obtains: dirty lines at their PoC bytes */
	CV_POU,    /* what an I-cache fill obtains: dirty_pou lines at their PoU bytes */
	CV_CACHE,  /* what a cacheable read may obtain: stale lines at their cached bytes */
};

struct cache;

struct cache *cache_new(const struct mem_ops *mem);
void cache_free(struct cache *c);
/* The write-back policy (WB_ANY until set; set it before the first access). */
void cache_set_policy(struct cache *c, enum wb_policy p, uint64_t seed);
enum wb_policy cache_policy(const struct cache *c);

/* The record of the page holding pa: _find returns NULL when the page was never touched. */
struct cache_page *cache_page_find(struct cache *c, uint64_t pa);
struct cache_page *cache_page_get(struct cache *c, uint64_t pa);
struct cache_page_ext *cache_ext(struct cache *c, struct cache_page *pg);

/* Mask of the lines of pa's page covered by [pa, pa + size), clipped to the page. */
static inline uint64_t cache_line_mask(uint64_t pa, uint64_t size)
{
	uint64_t off = pa & (CACHE_PAGE_SIZE - 1);
	uint64_t end = off + size;
	if (end > CACHE_PAGE_SIZE)
		end = CACHE_PAGE_SIZE;
	unsigned first = (unsigned)(off >> 6), last = (unsigned)((end - 1) >> 6);
	uint64_t hi = last == 63 ? ~UINT64_C(0) : (UINT64_C(1) << (last + 1)) - 1;
	return hi & ~((UINT64_C(1) << first) - 1);
}

/* Read len bytes at pa as view v sees them (false: nothing behind some byte). */
bool cache_read(struct cache *c, enum cache_view v, uint64_t pa, void *buf, size_t len);

/* Whether view v may show [pa, pa + len) (inside one page) with bytes other than the latest:
 * false means cache_read through v gives exactly what CV_LATEST gives there. */
bool cache_view_differs(struct cache *c, enum cache_view v, uint64_t pa, size_t len);

/* A mem_ops table reading through view v (valid while c lives): handed to the walker. */
struct cache_view_ops {
	struct mem_ops ops;
	struct cache *c;
	enum cache_view v;
};
void cache_view_init(struct cache_view_ops *cv, struct cache *c, enum cache_view v);

/*
 * State transitions (the caller has already decided hazards). All act on the lines of
 * [pa, pa + size) inside one page; mem_ops must still show the bytes before the access.
 * bytes: the size bytes the store writes (used under WB_NEVER/WB_RANDOM, where a stale or
 * PoC copy takes them; NULL: unknown, handled as under WB_ANY).
 */
/* Write-back cacheable store: lines become dirty (PoC, and PoU unless idc) and present. A
 * stale copy is overwritten (WB_ANY: the checker reported the lost write its write-back may
 * cause) or, under the other policies, takes the bytes and stays. */
void cache_store_wb(struct cache *c, uint64_t pa, uint64_t size, bool idc,
                    const struct hz_cause *cause, const uint8_t *bytes);
/* Write-through cacheable store: present, PoC updated (WB_ANY: nothing to keep; otherwise a
 * stale or PoC copy takes the bytes). */
void cache_store_wt(struct cache *c, uint64_t pa, uint64_t size, const uint8_t *bytes);
/* Non-cacheable store: present lines become stale (their cached bytes kept). WB_ANY: dirty
 * lines are dropped (the checker reported the possible lost write); otherwise a dirty line
 * stays in the cache, stale and dirty, and its PoC copy takes the bytes. */
void cache_store_nc(struct cache *c, uint64_t pa, uint64_t size, const struct hz_cause *cause,
                    const uint8_t *bytes);
/* A cacheable read or walk brought the lines into a data cache. */
void cache_touch(struct cache *c, uint64_t pa, uint64_t size);
/* Maintenance of the lines of one page (or every page when all). */
void cache_clean_poc(struct cache *c, uint64_t pa, uint64_t size, bool all);
void cache_clean_pou(struct cache *c, uint64_t pa, uint64_t size, bool all);
void cache_invalidate(struct cache *c, uint64_t pa, uint64_t size, bool all);
void cache_ic_invalidate(struct cache *c, uint64_t pa, uint64_t size, bool all);
/*
 * Completion of a DC by VA on the line at pa whose bytes were snap[] when the DC executed.
 * A DC by VA is ordered with stores to the same line in program order (D7.5.9); its DSB only
 * completes it. So what reaches the PoC (or PoU) is snap; a later store that changed the line
 * keeps it dirty, with snap as its PoC (PoU) bytes. op_clean_poc: CVAC/CVAP/CIVAC;
 * op_pou_only: CVAU; op_invalidate: CIVAC/IVAC (IVAC with !op_clean_poc: the PoC keeps what
 * it had, since the line may have been discarded).
 */
void cache_complete_dc_line(struct cache *c, uint64_t pa, const uint8_t snap[64], bool op_clean_poc,
                            bool op_pou_only, bool op_invalidate);
/* I-cache fill of the lines with the latest bytes. */
void cache_ifill(struct cache *c, uint64_t pa, uint64_t size, const struct hz_cause *cause);

/* True if some line anywhere is dirty (for set/way invalidation); *pa gets one of them. */
bool cache_any_dirty(struct cache *c, uint64_t *pa, struct hz_cause *cause);

/*
 * Whether the line at pa leaves the PoC other than memory as the program sees it (WB_NEVER,
 * WB_RANDOM): CV_CACHE, when written back (a dirty and stale line: its cached copy would
 * overwrite newer bytes); CV_POC, when discarded (a dirty line whose PoC copy is older).
 * *cause: the store that left that copy behind. _any: the first such line anywhere (*pa).
 */
bool cache_line_differs(struct cache *c, enum cache_view v, uint64_t pa, struct hz_cause *cause);
bool cache_any_differs(struct cache *c, enum cache_view v, uint64_t *pa, struct hz_cause *cause);

/*
 * WB_RANDOM. cache_wb_due: the next line whose eviction time is at or before event now
 * (false: none); the caller then evicts it (cache_evict) or defers it (cache_wb_defer: a new
 * time is drawn). Every call also sets the event new eviction times count from.
 */
bool cache_wb_due(struct cache *c, uint64_t now, uint64_t *pa);
/* The earliest eviction time held (perhaps of a line cleaned since), UINT64_MAX: none. */
uint64_t cache_wb_next(const struct cache *c);
void cache_wb_defer(struct cache *c, uint64_t pa);
/* The line at pa leaves the cache: written back if dirty (the PoC takes the cached copy),
 * then invalid. The caller has reported what the write-back overwrites. */
void cache_evict(struct cache *c, uint64_t pa);

#endif /* HYPSIM_MODEL_CACHE_H */
