/*
 * cache.c - per-line cache and PoC state (see cache.h for the contract).
 */
#include "cache.h"
#include "arch.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "hmap.h"

struct cache {
	struct mem_ops mem;
	struct hmap pages; /* pa >> 12 -> struct cache_page */
	struct cache_page *last;
};

struct cache *cache_new(const struct mem_ops *mem)
{
	struct cache *c = calloc(1, sizeof(*c));
	assert(c);
	c->mem = *mem;
	return c;
}

static void free_page(void *p)
{
	struct cache_page *pg = p;
	free(pg->x);
	free(pg);
}

void cache_free(struct cache *c)
{
	if (!c)
		return;
	hmap_free(&c->pages, free_page);
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

struct cache_page_ext *cache_ext(struct cache_page *pg)
{
	if (!pg->x) {
		pg->x = calloc(1, sizeof(*pg->x));
		assert(pg->x);
	}
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

void cache_store_wb(struct cache *c, uint64_t pa, uint64_t size, bool idc,
                    const struct hz_cause *cause)
{
	struct cache_page *pg = cache_page_get(c, pa);
	uint64_t lines = cache_line_mask(pa, size);
	uint64_t fresh = lines & ~pg->dirty;
	if (fresh) {
		struct cache_page_ext *x = cache_ext(pg);
		capture(c, pg, fresh, x->poc);
		set_causes(x->dirty_c, fresh, cause);
		pg->dirty |= fresh;
	}
	uint64_t fresh_pou = idc ? 0 : lines & ~pg->dirty_pou;
	if (fresh_pou) {
		capture(c, pg, fresh_pou, cache_ext(pg)->pou);
		pg->dirty_pou |= fresh_pou;
	}
	/* The line now holds the latest data: a stale copy is overwritten (the checker has
	 * reported the lost write its later write-back may cause). */
	pg->stale &= ~lines;
	pg->present |= lines;
	pg->imod |= pg->ivalid & lines;
}

void cache_store_wt(struct cache *c, uint64_t pa, uint64_t size)
{
	struct cache_page *pg = cache_page_get(c, pa);
	uint64_t lines = cache_line_mask(pa, size);
	pg->stale &= ~lines;
	pg->present |= lines;
	pg->imod |= pg->ivalid & lines;
}

void cache_store_nc(struct cache *c, uint64_t pa, uint64_t size, const struct hz_cause *cause)
{
	struct cache_page *pg = cache_page_get(c, pa);
	uint64_t lines = cache_line_mask(pa, size);
	uint64_t fresh = lines & pg->present & ~pg->stale & ~pg->dirty;
	if (fresh) {
		struct cache_page_ext *x = cache_ext(pg);
		capture(c, pg, fresh, x->stale);
		set_causes(x->stale_c, fresh, cause);
		pg->stale |= fresh;
	}
	pg->dirty &= ~lines;
	pg->dirty_pou &= ~lines;
	pg->imod |= pg->ivalid & lines;
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
			if (c->pages.keys[i])
				fn(c->pages.vals[i], ~UINT64_C(0));
		return;
	}
	while (size) {
		uint64_t chunk = CACHE_PAGE_SIZE - (pa & (CACHE_PAGE_SIZE - 1));
		if (chunk > size)
			chunk = size;
		struct cache_page *pg = cache_page_find(c, pa);
		if (pg)
			fn(pg, cache_line_mask(pa, chunk));
		pa += chunk;
		size -= chunk;
	}
}

static void do_clean_poc(struct cache_page *pg, uint64_t lines)
{
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
		return;
	}
	/* Stores after the DC in program order: the line holds newer bytes than it wrote back. */
	unsigned off = (unsigned)(pa & (CACHE_PAGE_SIZE - 1) & CACHE_LINE_MASK);
	if (op_pou_only) {
		if (pg->dirty_pou & line)
			memcpy(cache_ext(pg)->pou + off, snap, CACHE_LINE_SIZE);
		return;
	}
	if (op_clean_poc && (pg->dirty & line)) {
		memcpy(cache_ext(pg)->poc + off, snap, CACHE_LINE_SIZE);
		if (pg->dirty_pou & line)
			memcpy(cache_ext(pg)->pou + off, snap, CACHE_LINE_SIZE);
	}
}

void cache_ifill(struct cache *c, uint64_t pa, uint64_t size, const struct hz_cause *cause)
{
	struct cache_page *pg = cache_page_get(c, pa);
	uint64_t lines = cache_line_mask(pa, size);
	struct cache_page_ext *x = cache_ext(pg);
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
