/*
 * cache.c - per-line cache and PoC state (see cache.h for the contract).
 */
#include "cache.h"
#include "arch.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "hmap.h"

/* WB_RANDOM: one line's eviction time; order breaks ties in the order they were drawn. */
struct wb_event {
	uint64_t at, order, pa;
};

struct cache {
	struct mem_ops mem;
	struct hmap pages; /* pa >> 12 -> struct cache_page */
	struct cache_page *last;
	/* The write-back policy. WB_RANDOM: the splitmix64 state, the event eviction times
	 * count from, and the lines' times as a binary min-heap on (at, order); an entry whose
	 * line has another time (cleaned, then dirty again) is skipped when it comes up. */
	enum wb_policy wb;
	uint64_t rng, now, order;
	struct wb_event *heap;
	size_t nheap, capheap;
	/* digest.h model_observe_views: told of every read of the copies dirty lines keep
	 * (the CV_POC and CV_POU views, cache_line_differs). */
	void (*observe)(void *arg, uint64_t pa, size_t len);
	void *observe_arg;
	/* The pages' extensions (cache_ext). */
	void **chunks;
	size_t nchunks, capchunks;
	uint8_t *ext_next;
	size_t ext_left;
};

struct cache *cache_new(const struct mem_ops *mem)
{
	struct cache *c = calloc(1, sizeof(*c));
	assert(c);
	c->mem = *mem;
	return c;
}

void cache_set_policy(struct cache *c, enum wb_policy p, uint64_t seed)
{
	c->wb = p;
	c->rng = seed;
}

enum wb_policy cache_policy(const struct cache *c)
{
	return c->wb;
}

/* splitmix64 (Steele, Lea, Flood 2014): the documented stream of writeback=random:SEED. */
static uint64_t wb_next(struct cache *c)
{
	uint64_t z = (c->rng += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static bool wb_before(const struct wb_event *a, const struct wb_event *b)
{
	return a->at < b->at || (a->at == b->at && a->order < b->order);
}

static void heap_push(struct cache *c, uint64_t at, uint64_t pa)
{
	if (c->nheap == c->capheap) {
		c->capheap = c->capheap ? 2 * c->capheap : 64;
		c->heap = realloc(c->heap, c->capheap * sizeof(*c->heap));
		assert(c->heap);
	}
	size_t i = c->nheap++;
	struct wb_event e = {at, c->order++, pa};
	while (i && wb_before(&e, &c->heap[(i - 1) / 2])) {
		c->heap[i] = c->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	c->heap[i] = e;
}

static struct wb_event heap_pop(struct cache *c)
{
	struct wb_event top = c->heap[0], e = c->heap[--c->nheap];
	size_t i = 0;
	for (;;) {
		size_t k = 2 * i + 1;
		if (k >= c->nheap)
			break;
		if (k + 1 < c->nheap && wb_before(&c->heap[k + 1], &c->heap[k]))
			k++;
		if (!wb_before(&c->heap[k], &e))
			break;
		c->heap[i] = c->heap[k];
		i = k;
	}
	if (c->nheap)
		c->heap[i] = e;
	return top;
}

/* WB_RANDOM: a line of mask that became dirty or stale gets its eviction time; one that is
 * neither any more loses it. */
static void wb_track(struct cache *c, struct cache_page *pg, uint64_t mask)
{
	if (c->wb != WB_RANDOM || !pg->x)
		return;
	uint64_t cand = pg->dirty | pg->stale;
	for (unsigned l = 0; l < CACHE_LINES_PER_PAGE; l++) {
		uint64_t bit = UINT64_C(1) << l;
		if (!(mask & bit))
			continue;
		if (!(cand & bit)) {
			pg->x->evict_at[l] = 0;
		} else if (!pg->x->evict_at[l]) {
			uint64_t at = c->now + 1 + wb_next(c) % MODEL_WB_RANDOM_SPAN;
			pg->x->evict_at[l] = at;
			heap_push(c, at, pg->pa + l * 64u);
		}
	}
}

static void free_page(void *p)
{
	free(p); /* its extension lives in the cache's chunks */
}

void cache_free(struct cache *c)
{
	if (!c)
		return;
	hmap_free(&c->pages, free_page);
	for (size_t i = 0; i < c->nchunks; i++)
		free(c->chunks[i]);
	free(c->chunks);
	free(c->heap);
	free(c);
}

struct cache_page *cache_page_find(struct cache *c, uint64_t pa)
{
	uint64_t base = pa & ~(uint64_t)(CACHE_PAGE_SIZE - 1);
	if (c->last && c->last->pa == base)
		return c->last;
	struct cache_page *pg = hmap_get(&c->pages, base >> 12);
	if (pg)
		c->last = pg;
	return pg;
}

struct cache_page *cache_page_get(struct cache *c, uint64_t pa)
{
	struct cache_page *pg = cache_page_find(c, pa);
	if (pg)
		return pg;
	pg = calloc(1, sizeof(*pg));
	assert(pg);
	pg->pa = pa & ~(uint64_t)(CACHE_PAGE_SIZE - 1);
	hmap_put(&c->pages, pg->pa >> 12, pg);
	c->last = pg;
	return pg;
}

/*
 * A page's extension (41 KiB: four page copies and three lines' worth of causes) is carved
 * from chunks far above glibc's mmap threshold, which calloc returns untouched: only the
 * parts a page uses become resident (a dirty data page its PoC copy and dirty causes, a
 * code page its I-cache copy and fill causes), a third of what one calloc per page
 * touched. The chunks are freed with the cache.
 */
#define EXT_STRIDE (((sizeof(struct cache_page_ext) + 4095) / 4096) * 4096)
#define EXT_CHUNK  (UINT64_C(64) << 20)

struct cache_page_ext *cache_ext(struct cache *c, struct cache_page *pg)
{
	if (pg->x)
		return pg->x;
	if (c->ext_left < EXT_STRIDE) {
		if (c->nchunks == c->capchunks) {
			size_t cap = c->capchunks ? 2 * c->capchunks : 8;
			void **n = realloc(c->chunks, cap * sizeof(*n));
			assert(n);
			c->chunks = n;
			c->capchunks = cap;
		}
		uint8_t *chunk = calloc(1, EXT_CHUNK);
		assert(chunk);
		c->chunks[c->nchunks++] = chunk;
		/* Page-aligned strides: an unused part spans whole pages, never resident. */
		uintptr_t a = ((uintptr_t)chunk + 4095) & ~(uintptr_t)4095;
		c->ext_next = (uint8_t *)a;
		c->ext_left = EXT_CHUNK - (a - (uintptr_t)chunk);
	}
	pg->x = (struct cache_page_ext *)c->ext_next;
	c->ext_next += EXT_STRIDE;
	c->ext_left -= EXT_STRIDE;
	return pg->x;
}

/* Replace the bytes of [pa, pa+len) that fall in lines of mask with src (page-relative). */
static void overlay(uint8_t *buf, uint64_t pa, size_t len, uint64_t mask, const uint8_t *src)
{
	uint64_t off = pa & (CACHE_PAGE_SIZE - 1);
	for (size_t i = 0; i < len; i++) {
		unsigned line = (unsigned)((off + i) >> 6);
		if (mask & (UINT64_C(1) << line))
			buf[i] = src[off + i];
	}
}

bool cache_read(struct cache *c, enum cache_view v, uint64_t pa, void *buf, size_t len)
{
	if (!c->mem.read(c->mem.ctx, pa, buf, len))
		return false;
	if (v == CV_LATEST)
		return true;
	if (c->observe && v != CV_CACHE)
		c->observe(c->observe_arg, pa, len);
	uint8_t *out = buf;
	while (len) {
		size_t chunk = CACHE_PAGE_SIZE - (pa & (CACHE_PAGE_SIZE - 1));
		if (chunk > len)
			chunk = len;
		struct cache_page *pg = cache_page_find(c, pa);
		if (pg && pg->x) {
			uint64_t lines = cache_line_mask(pa, chunk);
			if (v == CV_POC && (pg->dirty & lines))
				overlay(out, pa, chunk, pg->dirty & lines, pg->x->poc);
			else if (v == CV_POU && (pg->dirty_pou & lines))
				overlay(out, pa, chunk, pg->dirty_pou & lines, pg->x->pou);
			else if (v == CV_CACHE && (pg->stale & lines))
				overlay(out, pa, chunk, pg->stale & lines, pg->x->stale);
		}
		out += chunk;
		pa += chunk;
		len -= chunk;
	}
	return true;
}

bool cache_view_differs(struct cache *c, enum cache_view v, uint64_t pa, size_t len)
{
	if (v == CV_LATEST)
		return false;
	if (c->observe && v != CV_CACHE)
		c->observe(c->observe_arg, pa, len);
	struct cache_page *pg = cache_page_find(c, pa);
	if (!pg || !pg->x)
		return false; /* cache_read overlays nothing */
	uint64_t lines = cache_line_mask(pa, len);
	switch (v) {
	case CV_POC:
		return (pg->dirty & lines) != 0;
	case CV_POU:
		return (pg->dirty_pou & lines) != 0;
	case CV_CACHE:
		return (pg->stale & lines) != 0;
	default:
		return false;
	}
}

static bool view_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	struct cache_view_ops *cv = ctx;
	return cache_read(cv->c, cv->v, pa, buf, len);
}

void cache_view_init(struct cache_view_ops *cv, struct cache *c, enum cache_view v)
{
	cv->ops.read = view_read;
	cv->ops.ctx = cv;
	cv->c = c;
	cv->v = v;
}

/* Copy the latest bytes of the lines in mask into dst (page-relative offsets). */
static void capture(struct cache *c, struct cache_page *pg, uint64_t mask, uint8_t *dst)
{
	for (unsigned l = 0; l < CACHE_LINES_PER_PAGE; l++) {
		if (!(mask & (UINT64_C(1) << l)))
			continue;
		if (!c->mem.read(c->mem.ctx, pg->pa + l * 64u, dst + l * 64u, 64))
			memset(dst + l * 64u, 0, 64);
	}
}

static void set_causes(struct hz_cause *arr, uint64_t mask, const struct hz_cause *cause)
{
	for (unsigned l = 0; l < CACHE_LINES_PER_PAGE; l++)
		if (mask & (UINT64_C(1) << l))
			arr[l] = *cause;
}

/* A store's bytes into a kept copy (page-relative), clipped to the page. */
static void put_bytes(uint8_t *dst, uint64_t pa, uint64_t size, const uint8_t *bytes)
{
	uint64_t off = pa & (CACHE_PAGE_SIZE - 1);
	if (off + size > CACHE_PAGE_SIZE)
		size = CACHE_PAGE_SIZE - off;
	memcpy(dst + off, bytes, size);
}

void cache_store_wb(struct cache *c, uint64_t pa, uint64_t size, bool idc,
                    const struct hz_cause *cause, const uint8_t *bytes)
{
	struct cache_page *pg = cache_page_get(c, pa);
	uint64_t lines = cache_line_mask(pa, size);
	uint64_t fresh = lines & ~pg->dirty;
	if (fresh) {
		struct cache_page_ext *x = cache_ext(c, pg);
		capture(c, pg, fresh, x->poc);
		set_causes(x->dirty_c, fresh, cause);
		pg->dirty |= fresh;
	}
	uint64_t fresh_pou = idc ? 0 : lines & ~pg->dirty_pou;
	if (fresh_pou) {
		capture(c, pg, fresh_pou, cache_ext(c, pg)->pou);
		pg->dirty_pou |= fresh_pou;
	}
	if (c->wb != WB_ANY && bytes && (pg->stale & lines)) {
		/* The line stays in the cache: the store merges into its stale copy, which still
		 * differs from memory elsewhere in the line (and is now dirty). */
		put_bytes(pg->x->stale, pa, size, bytes);
	} else {
		/* The line now holds the latest data: a stale copy is overwritten (the checker
		 * has reported the lost write its later write-back may cause). */
		pg->stale &= ~lines;
	}
	pg->present |= lines;
	pg->imod |= pg->ivalid & lines;
	wb_track(c, pg, lines);
}

void cache_store_wt(struct cache *c, uint64_t pa, uint64_t size, const uint8_t *bytes)
{
	struct cache_page *pg = cache_page_get(c, pa);
	uint64_t lines = cache_line_mask(pa, size);
	if (c->wb != WB_ANY && bytes && pg->x) {
		/* Written through: the cached copy and the PoC (past the PoU) both take it. */
		if (pg->stale & lines)
			put_bytes(pg->x->stale, pa, size, bytes);
		if (pg->dirty & lines)
			put_bytes(pg->x->poc, pa, size, bytes);
		if (pg->dirty_pou & lines)
			put_bytes(pg->x->pou, pa, size, bytes);
	} else {
		pg->stale &= ~lines;
	}
	pg->present |= lines;
	pg->imod |= pg->ivalid & lines;
}

void cache_store_nc(struct cache *c, uint64_t pa, uint64_t size, const struct hz_cause *cause,
                    const uint8_t *bytes)
{
	struct cache_page *pg = cache_page_get(c, pa);
	uint64_t lines = cache_line_mask(pa, size);
	if (c->wb != WB_ANY && bytes) {
		/* The line stays cached, with what it held before the store: a dirty line keeps
		 * its (dirty) bytes as a stale copy, and its PoC copy takes the store. */
		uint64_t fresh = lines & (pg->present | pg->dirty) & ~pg->stale;
		if (fresh) {
			struct cache_page_ext *x = cache_ext(c, pg);
			capture(c, pg, fresh, x->stale);
			set_causes(x->stale_c, fresh, cause);
			pg->stale |= fresh;
		}
		if (pg->dirty & lines)
			put_bytes(pg->x->poc, pa, size, bytes);
		if (pg->dirty_pou & lines)
			put_bytes(pg->x->pou, pa, size, bytes);
		pg->imod |= pg->ivalid & lines;
		wb_track(c, pg, lines);
		return;
	}
	uint64_t fresh = lines & pg->present & ~pg->stale & ~pg->dirty;
	if (fresh) {
		struct cache_page_ext *x = cache_ext(c, pg);
		capture(c, pg, fresh, x->stale);
		set_causes(x->stale_c, fresh, cause);
		pg->stale |= fresh;
	}
	pg->dirty &= ~lines;
	pg->dirty_pou &= ~lines;
	pg->imod |= pg->ivalid & lines;
	wb_track(c, pg, lines);
}

void cache_touch(struct cache *c, uint64_t pa, uint64_t size)
{
	struct cache_page *pg = cache_page_get(c, pa);
	pg->present |= cache_line_mask(pa, size);
}

typedef void (*line_fn)(struct cache_page *pg, uint64_t lines);

static void for_lines(struct cache *c, uint64_t pa, uint64_t size, bool all, line_fn fn)
{
	if (all) {
		for (size_t i = 0; i < c->pages.cap; i++)
			if (c->pages.keys[i]) {
				fn(c->pages.vals[i], ~UINT64_C(0));
				wb_track(c, c->pages.vals[i], ~UINT64_C(0));
			}
		return;
	}
	while (size) {
		uint64_t chunk = CACHE_PAGE_SIZE - (pa & (CACHE_PAGE_SIZE - 1));
		if (chunk > size)
			chunk = size;
		struct cache_page *pg = cache_page_find(c, pa);
		if (pg) {
			fn(pg, cache_line_mask(pa, chunk));
			wb_track(c, pg, cache_line_mask(pa, chunk));
		}
		pa += chunk;
		size -= chunk;
	}
}

static void do_clean_poc(struct cache_page *pg, uint64_t lines)
{
	/* A dirty and stale line (WB_NEVER, WB_RANDOM) wrote its cached copy back: the checker
	 * reported what that overwrote, and the model goes on with memory as the program sees
	 * it, like the run. */
	pg->stale &= ~(lines & pg->dirty);
	pg->dirty &= ~lines;
	pg->dirty_pou &= ~lines;
}

static void do_clean_pou(struct cache_page *pg, uint64_t lines)
{
	pg->dirty_pou &= ~lines;
}

static void do_invalidate(struct cache_page *pg, uint64_t lines)
{
	pg->dirty &= ~lines;
	pg->dirty_pou &= ~lines;
	pg->stale &= ~lines;
	pg->present &= ~lines;
}

static void do_ic_invalidate(struct cache_page *pg, uint64_t lines)
{
	pg->ivalid &= ~lines;
	pg->imod &= ~lines;
}

void cache_clean_poc(struct cache *c, uint64_t pa, uint64_t size, bool all)
{
	for_lines(c, pa, size, all, do_clean_poc);
}

void cache_clean_pou(struct cache *c, uint64_t pa, uint64_t size, bool all)
{
	for_lines(c, pa, size, all, do_clean_pou);
}

void cache_invalidate(struct cache *c, uint64_t pa, uint64_t size, bool all)
{
	for_lines(c, pa, size, all, do_invalidate);
}

void cache_ic_invalidate(struct cache *c, uint64_t pa, uint64_t size, bool all)
{
	for_lines(c, pa, size, all, do_ic_invalidate);
}

void cache_complete_dc_line(struct cache *c, uint64_t pa, const uint8_t snap[64], bool op_clean_poc,
                            bool op_pou_only, bool op_invalidate)
{
	struct cache_page *pg = cache_page_find(c, pa);
	if (!pg)
		return;
	uint64_t line = cache_line_mask(pa & CACHE_LINE_MASK, CACHE_LINE_SIZE);
	if ((pg->dirty & pg->stale & line) && !op_pou_only) {
		/* A dirty and stale line (WB_NEVER, WB_RANDOM): its cached copy was written back
		 * or discarded at the DC, as the checker reported there; the model goes on with
		 * memory as the program sees it. */
		if (op_invalidate)
			do_invalidate(pg, line);
		else
			do_clean_poc(pg, line);
		wb_track(c, pg, line);
		return;
	}
	uint8_t cur[CACHE_LINE_SIZE];
	bool changed = !c->mem.read(c->mem.ctx, pa & CACHE_LINE_MASK, cur, sizeof(cur)) ||
	               memcmp(cur, snap, sizeof(cur)) != 0;
	if (!changed) {
		if (op_invalidate)
			do_invalidate(pg, line);
		else if (op_pou_only)
			do_clean_pou(pg, line);
		else
			do_clean_poc(pg, line);
		wb_track(c, pg, line);
		return;
	}
	/* Stores after the DC in program order: the line holds newer bytes than it wrote back. */
	unsigned off = (unsigned)(pa & (CACHE_PAGE_SIZE - 1) & CACHE_LINE_MASK);
	if (op_pou_only) {
		if (pg->dirty_pou & line)
			memcpy(cache_ext(c, pg)->pou + off, snap, CACHE_LINE_SIZE);
		return;
	}
	if (op_clean_poc && (pg->dirty & line)) {
		memcpy(cache_ext(c, pg)->poc + off, snap, CACHE_LINE_SIZE);
		if (pg->dirty_pou & line)
			memcpy(cache_ext(c, pg)->pou + off, snap, CACHE_LINE_SIZE);
	}
}

void cache_ifill(struct cache *c, uint64_t pa, uint64_t size, const struct hz_cause *cause)
{
	struct cache_page *pg = cache_page_get(c, pa);
	uint64_t lines = cache_line_mask(pa, size);
	struct cache_page_ext *x = cache_ext(c, pg);
	capture(c, pg, lines, x->icache);
	set_causes(x->ifill_c, lines, cause);
	pg->ivalid |= lines;
	pg->imod &= ~lines;
}

bool cache_any_dirty(struct cache *c, uint64_t *pa, struct hz_cause *cause)
{
	for (size_t i = 0; i < c->pages.cap; i++) {
		if (!c->pages.keys[i])
			continue;
		struct cache_page *pg = c->pages.vals[i];
		if (pg->dirty) {
			unsigned l = (unsigned)__builtin_ctzll(pg->dirty);
			*pa = pg->pa + l * 64u;
			*cause = pg->x->dirty_c[l];
			return true;
		}
	}
	return false;
}

/*
 * Line l of pg against memory as the program sees it: CV_CACHE, the cached copy of a dirty
 * and stale line (what its write-back writes); CV_POC, the PoC copy of a dirty line (what
 * stays when it is discarded). *cause: the store that left that copy behind.
 */
static bool line_differs(struct cache *c, enum cache_view v, struct cache_page *pg, unsigned l,
                         struct hz_cause *cause)
{
	uint64_t bit = UINT64_C(1) << l;
	bool cached = v == CV_CACHE;
	assert(cached || v == CV_POC);
	if (!(pg->dirty & bit) || (cached && !(pg->stale & bit)))
		return false;
	uint8_t cur[CACHE_LINE_SIZE];
	if (!c->mem.read(c->mem.ctx, pg->pa + l * 64u, cur, sizeof(cur)))
		return false;
	const uint8_t *copy = (cached ? pg->x->stale : pg->x->poc) + l * 64u;
	if (!memcmp(cur, copy, sizeof(cur)))
		return false;
	*cause = cached ? pg->x->stale_c[l] : pg->x->dirty_c[l];
	return true;
}

bool cache_line_differs(struct cache *c, enum cache_view v, uint64_t pa, struct hz_cause *cause)
{
	if (c->observe)
		c->observe(c->observe_arg, pa & CACHE_LINE_MASK, CACHE_LINE_SIZE);
	struct cache_page *pg = cache_page_find(c, pa);
	return pg && line_differs(c, v, pg, (unsigned)((pa & (CACHE_PAGE_SIZE - 1)) >> 6), cause);
}

bool cache_any_differs(struct cache *c, enum cache_view v, uint64_t *pa, struct hz_cause *cause)
{
	for (size_t i = 0; i < c->pages.cap; i++) {
		if (!c->pages.keys[i])
			continue;
		struct cache_page *pg = c->pages.vals[i];
		for (uint64_t m = pg->dirty; m; m &= m - 1) {
			unsigned l = (unsigned)__builtin_ctzll(m);
			if (line_differs(c, v, pg, l, cause)) {
				*pa = pg->pa + l * 64u;
				return true;
			}
		}
	}
	return false;
}

bool cache_wb_due(struct cache *c, uint64_t now, uint64_t *pa)
{
	c->now = now;
	while (c->nheap && c->heap[0].at <= now) {
		struct wb_event e = heap_pop(c);
		struct cache_page *pg = cache_page_find(c, e.pa);
		unsigned l = (unsigned)((e.pa & (CACHE_PAGE_SIZE - 1)) >> 6);
		if (!pg || !pg->x || !(((pg->dirty | pg->stale) >> l) & 1) ||
		    pg->x->evict_at[l] != e.at)
			continue; /* cleaned or invalidated since, perhaps with a new time */
		*pa = e.pa;
		return true;
	}
	return false;
}

uint64_t cache_wb_next(const struct cache *c)
{
	return c->nheap ? c->heap[0].at : UINT64_MAX;
}

void cache_wb_defer(struct cache *c, uint64_t pa)
{
	struct cache_page *pg = cache_page_find(c, pa);
	uint64_t lm = cache_line_mask(pa & CACHE_LINE_MASK, CACHE_LINE_SIZE);
	assert(pg && pg->x);
	pg->x->evict_at[__builtin_ctzll(lm)] = 0;
	wb_track(c, pg, lm);
}

void cache_evict(struct cache *c, uint64_t pa)
{
	struct cache_page *pg = cache_page_find(c, pa);
	if (!pg)
		return;
	uint64_t lm = cache_line_mask(pa & CACHE_LINE_MASK, CACHE_LINE_SIZE);
	/* Written back (a dirty line's PoC takes its cached copy) and gone: as DC CIVAC. */
	do_invalidate(pg, lm);
	wb_track(c, pg, lm);
}

/* ---- digest (digest.h) ---- */

void cache_set_observer(struct cache *c, void (*fn)(void *arg, uint64_t pa, size_t len), void *arg)
{
	c->observe = fn;
	c->observe_arg = arg;
}

/*
 * Per page the data cache's presence and stale copies; per line its dirty copies and its
 * I-cache state (valid, modified since, the bytes as fetched), a part of its own that
 * skip_line may take out (digest.h). Bytes of the ext arrays outside their mask are never
 * read (cache_read overlays only the lines in the mask, and a line entering a mask has its
 * bytes captured first), so they are not hashed; the causes (dirty_c, stale_c, ifill_c)
 * are report text only; `last` is a lookup memo; the table fields belong to tlb.c and are
 * hashed there (tlb_digest). A page or line with nothing set adds nothing: every reader
 * treats it as one never touched.
 */
uint64_t cache_digest(const struct cache *c, const struct model_digest_cfg *cfg, bool setway)
{
	/* The write-back policy and, under WB_RANDOM, its stream and the eviction times (as a
	 * set: the heap's layout depends on the order of its pushes). Under another policy
	 * than WB_ANY a dirty line is one definite cache's content, written back by
	 * evictions: no line is taken as clean. */
	struct dg w = dg_start(0x7762);
	dg_u64(&w, c->wb);
	dg_u64(&w, c->rng);
	dg_u64(&w, c->order);
	dg_time(&w, cfg, c->now);
	uint64_t sum = dg_end(&w);
	for (size_t i = 0; i < c->nheap; i++) {
		struct dg e = dg_start(0x6865);
		dg_time(&e, cfg, c->heap[i].at);
		dg_u64(&e, c->heap[i].order);
		dg_u64(&e, c->heap[i].pa);
		sum += dg_end(&e);
	}
	bool offer = cfg->skip_line && c->wb == WB_ANY && !setway;
	for (size_t i = 0; i < c->pages.cap; i++) {
		if (!c->pages.keys[i])
			continue;
		const struct cache_page *pg = c->pages.vals[i];
		/* The data cache's presence and stale copies, per page. (A record with nothing
		 * in it is no record: cache_page_get makes them for accesses that leave
		 * nothing, a clean by VA or a translation cache fill.) */
		if (pg->present | pg->stale) {
			struct dg d = dg_start(0x6361636865);
			dg_u64(&d, pg->pa);
			dg_u64(&d, pg->present);
			dg_u64(&d, pg->stale);
			for (uint64_t m = pg->stale; m; m &= m - 1)
				dg_bytes(&d, pg->x->stale + (unsigned)__builtin_ctzll(m) * 64u,
				         CACHE_LINE_SIZE);
			sum += dg_end(&d);
		}
		/* Per line, the dirty copies, then the I-cache: parts skip_line may take out. */
		uint64_t lines = pg->dirty | pg->dirty_pou | pg->ivalid | pg->imod;
		for (unsigned l = 0; pg->x && l < CACHE_LINES_PER_PAGE; l++)
			if (pg->x->evict_at[l])
				lines |= UINT64_C(1) << l;
		while (lines) {
			unsigned l = (unsigned)__builtin_ctzll(lines);
			uint64_t bit = UINT64_C(1) << l;
			lines &= lines - 1;
			uint64_t line = pg->pa + l * 64u;
			if ((pg->dirty | pg->dirty_pou) & bit || (pg->x && pg->x->evict_at[l])) {
				struct dg e = dg_start(0x6469727479);
				dg_u64(&e, line);
				dg_u64(&e, (pg->dirty & bit) ? 1 : 0);
				dg_u64(&e, (pg->dirty_pou & bit) ? 1 : 0);
				if (pg->dirty & bit)
					dg_bytes(&e, pg->x->poc + l * 64u, CACHE_LINE_SIZE);
				if (pg->dirty_pou & bit)
					dg_bytes(&e, pg->x->pou + l * 64u, CACHE_LINE_SIZE);
				if (pg->x && pg->x->evict_at[l])
					dg_time(&e, cfg, pg->x->evict_at[l]);
				uint64_t part = dg_end(&e);
				if (!offer || !cfg->skip_line(cfg->arg, line, DG_LINE_DATA, part))
					sum += part;
			}
			if ((pg->ivalid | pg->imod) & bit) {
				struct dg e = dg_start(0x696361636865);
				dg_u64(&e, line);
				dg_u64(&e, (pg->ivalid & bit) ? 1 : 0);
				dg_u64(&e, (pg->imod & bit) ? 1 : 0);
				if (pg->ivalid & bit)
					dg_bytes(&e, pg->x->icache + l * 64u, CACHE_LINE_SIZE);
				uint64_t part = dg_end(&e);
				if (!offer || !cfg->skip_line(cfg->arg, line, DG_LINE_ICACHE, part))
					sum += part;
			}
		}
	}
	return sum;
}

void cache_for_each_page(const struct cache *c, void (*fn)(void *arg, uint64_t pa), void *arg)
{
	for (size_t i = 0; i < c->pages.cap; i++)
		if (c->pages.keys[i])
			fn(arg, ((const struct cache_page *)c->pages.vals[i])->pa);
}
