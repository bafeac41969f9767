/*
 * test_cache.c - per-line cache and PoC state (cache.h): what the Arm ARM (B2.4, D7.4-D7.5
 * "caches, PoC and PoU, cache maintenance") lets memory hold beyond the latest bytes, and
 * the views the walker and reads use.
 */
#include <check.h>
#include <string.h>

#include "arch.h"
#include "cache.h"

#define BASE UINT64_C(0x40000000)
static uint8_t ram[64 * 1024];

static bool rd(void *ctx, uint64_t pa, void *buf, size_t len)
{
	(void)ctx;
	if (pa < BASE || pa + len > BASE + sizeof(ram))
		return false;
	memcpy(buf, ram + (pa - BASE), len);
	return true;
}

static struct cache *fresh(void)
{
	memset(ram, 0, sizeof(ram));
	struct mem_ops ops = {rd, NULL};
	return cache_new(&ops);
}

static uint64_t view64(struct cache *c, enum cache_view v, uint64_t pa)
{
	uint64_t x;
	ck_assert(cache_read(c, v, pa, &x, 8));
	return x;
}

static void put64(uint64_t pa, uint64_t v)
{
	memcpy(ram + (pa - BASE), &v, 8);
}

static const struct hz_cause cz = {.seq = 3, .what = "test"};

START_TEST(line_masks_D7_5)
{
	ck_assert_uint_eq(cache_line_mask(BASE, 8), 1);
	ck_assert_uint_eq(cache_line_mask(BASE + 60, 8), 3); /* crosses a line */
	ck_assert_uint_eq(cache_line_mask(BASE + 4032, 64), UINT64_C(1) << 63);
	ck_assert_uint_eq(cache_line_mask(BASE, 4096), ~UINT64_C(0));
	ck_assert_uint_eq(cache_line_mask(BASE + 4090, 64), UINT64_C(1) << 63); /* clipped */
}
END_TEST

/* B2.4: a write-back store leaves the older bytes at the PoC (and PoU) until cleaned. */
START_TEST(wb_store_keeps_poc_bytes_until_clean_B2_4)
{
	struct cache *c = fresh();
	put64(BASE + 0x100, 0x1111);
	cache_store_wb(c, BASE + 0x100, 8, false, &cz, NULL);
	put64(BASE + 0x100, 0x2222); /* the store lands */
	ck_assert_uint_eq(view64(c, CV_LATEST, BASE + 0x100), 0x2222);
	ck_assert_uint_eq(view64(c, CV_POC, BASE + 0x100), 0x1111);
	ck_assert_uint_eq(view64(c, CV_POU, BASE + 0x100), 0x1111);
	/* a second store does not move the PoC copy */
	cache_store_wb(c, BASE + 0x100, 8, false, &cz, NULL);
	put64(BASE + 0x100, 0x3333);
	ck_assert_uint_eq(view64(c, CV_POC, BASE + 0x100), 0x1111);
	/* DC CVAU: PoU only (D7.5: the PoU is not the PoC) */
	cache_clean_pou(c, BASE + 0x100, 64, false);
	ck_assert_uint_eq(view64(c, CV_POU, BASE + 0x100), 0x3333);
	ck_assert_uint_eq(view64(c, CV_POC, BASE + 0x100), 0x1111);
	/* DC CVAC */
	cache_clean_poc(c, BASE + 0x100, 64, false);
	ck_assert_uint_eq(view64(c, CV_POC, BASE + 0x100), 0x3333);
	cache_free(c);
}
END_TEST

/* CTR_EL0.IDC: no clean to PoU needed for instruction coherence. */
START_TEST(idc_leaves_pou_coherent_D7_5)
{
	struct cache *c = fresh();
	cache_store_wb(c, BASE, 8, true, &cz, NULL);
	put64(BASE, 0x55);
	ck_assert_uint_eq(view64(c, CV_POU, BASE), 0x55);
	ck_assert_uint_eq(view64(c, CV_POC, BASE), 0);
	cache_free(c);
}
END_TEST

/* B2.7.2: a Non-cacheable write to a cached line leaves a stale clean copy until DC IVAC. */
START_TEST(nc_store_to_present_line_goes_stale_B2_7_2)
{
	struct cache *c = fresh();
	put64(BASE + 0x40, 0xaa);
	cache_store_nc(c, BASE + 0x40, 8, &cz, NULL); /* not cached: nothing stale */
	put64(BASE + 0x40, 0xbb);
	ck_assert_uint_eq(view64(c, CV_CACHE, BASE + 0x40), 0xbb);
	cache_touch(c, BASE + 0x40, 8); /* a cacheable read brings it in */
	cache_store_nc(c, BASE + 0x40, 8, &cz, NULL);
	put64(BASE + 0x40, 0xcc);
	ck_assert_uint_eq(view64(c, CV_CACHE, BASE + 0x40), 0xbb);
	ck_assert_uint_eq(view64(c, CV_POC, BASE + 0x40), 0xcc);
	cache_invalidate(c, BASE + 0x40, 64, false);
	ck_assert_uint_eq(view64(c, CV_CACHE, BASE + 0x40), 0xcc);
	cache_free(c);
}
END_TEST

/* The walker's view: a mem_ops over the PoC. */
START_TEST(view_ops_for_the_walker_D8_2)
{
	struct cache *c = fresh();
	put64(BASE + 0x2000, 0x1);
	cache_store_wb(c, BASE + 0x2000, 8, false, &cz, NULL);
	put64(BASE + 0x2000, 0x2);
	struct cache_view_ops v;
	cache_view_init(&v, c, CV_POC);
	uint64_t d;
	ck_assert(mem_read64(&v.ops, BASE + 0x2000, &d));
	ck_assert_uint_eq(d, 1);
	/* Descriptors are little-endian (SCTLR.EE = 0): byte 0 is bits [7:0]. */
	static const uint8_t le[8] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
	memcpy(ram + 0x2040, le, 8);
	ck_assert(mem_read64(&v.ops, BASE + 0x2040, &d));
	ck_assert_uint_eq(d, UINT64_C(0x8877665544332211));
	ck_assert(!mem_read64(&v.ops, 0x1000, &d)); /* nothing behind it */
	uint64_t pa;
	struct hz_cause got;
	ck_assert(cache_any_dirty(c, &pa, &got));
	ck_assert_uint_eq(pa, BASE + 0x2000);
	ck_assert_uint_eq(got.seq, 3);
	cache_invalidate(c, 0, 0, true); /* set/way: every line */
	ck_assert(!cache_any_dirty(c, &pa, &got));
	cache_free(c);
}
END_TEST

/*
 * cache_view_differs: a view may show other bytes than the latest exactly where cache_read
 * overlays them (B2.4: the PoC of a dirty line, D7.5: the PoU of a line not cleaned by DC
 * CVAU, B2.7.2: the stale copy a Non-cacheable write left), line by line; where it says
 * no, the view reads the latest bytes.
 */
START_TEST(view_differs_only_on_overlaid_lines_B2_4)
{
	struct cache *c = fresh();
	uint64_t a = BASE + 0x3000, b = BASE + 0x3040, nc = BASE + 0x5000;
	for (int v = CV_LATEST; v <= CV_CACHE; v++)
		ck_assert(!cache_view_differs(c, (enum cache_view)v, a, 8)); /* untouched page */
	put64(a, 0x1);
	cache_store_wb(c, a, 8, false, &cz, NULL); /* dirty at the PoC and the PoU */
	put64(a, 0x2);
	cache_touch(c, nc, 8);
	cache_store_nc(c, nc, 8, &cz, NULL); /* a stale clean copy in the cache */
	put64(nc, 0x3);
	ck_assert(cache_view_differs(c, CV_POC, a, 8));
	ck_assert(cache_view_differs(c, CV_POU, a, 8));
	ck_assert(!cache_view_differs(c, CV_CACHE, a, 8));
	ck_assert(!cache_view_differs(c, CV_LATEST, a, 8));
	ck_assert(!cache_view_differs(c, CV_POC, b, 8));    /* the next line of the page */
	ck_assert(cache_view_differs(c, CV_POC, b - 4, 8)); /* spans both lines */
	ck_assert(cache_view_differs(c, CV_CACHE, nc, 8));
	ck_assert(!cache_view_differs(c, CV_POC, nc, 8));
	/* Where it says no, the view gives the latest bytes. */
	ck_assert_uint_eq(view64(c, CV_CACHE, a), view64(c, CV_LATEST, a));
	ck_assert_uint_eq(view64(c, CV_POC, nc), view64(c, CV_LATEST, nc));
	ck_assert_uint_eq(view64(c, CV_POC, b), view64(c, CV_LATEST, b));
	ck_assert_uint_ne(view64(c, CV_POC, a), view64(c, CV_LATEST, a));
	cache_clean_poc(c, a, 64, false); /* DC CVAC completed */
	ck_assert(!cache_view_differs(c, CV_POC, a, 8));
	cache_free(c);
}
END_TEST

/* D7.5 / B2.4.4: the I-cache keeps the bytes as fetched; stores mark the line modified. */
START_TEST(icache_keeps_fetched_bytes_B2_4_4)
{
	struct cache *c = fresh();
	put64(BASE + 0x3000, 0xd503201f);
	cache_ifill(c, BASE + 0x3000, 4, &cz);
	struct cache_page *pg = cache_page_find(c, BASE + 0x3000);
	ck_assert_ptr_nonnull(pg);
	ck_assert_uint_eq(pg->ivalid, 1);
	cache_store_wb(c, BASE + 0x3000, 4, false, &cz, NULL);
	ck_assert_uint_eq(pg->imod, 1);
	ck_assert_uint_eq(pg->x->icache[0], 0x1f);
	cache_ic_invalidate(c, 0, 0, true);
	ck_assert_uint_eq(pg->ivalid, 0);
	cache_free(c);
}
END_TEST

/*
 * B2.7.2 / D7.4 under WB_NEVER: a Non-cacheable store under a dirty line leaves the line in
 * the cache, dirty and stale: the PoC copy takes the store (and keeps the older bytes
 * elsewhere), the cached copy keeps what the line held before. A clean writes the cached
 * copy back: cache_line_differs(CV_CACHE) tells what it would overwrite.
 */
START_TEST(never_nc_store_under_dirty_line_keeps_both_copies_B2_7_2)
{
	struct cache *c = fresh();
	cache_set_policy(c, WB_NEVER, 0);
	cache_store_wb(c, BASE, 8, false, &cz, NULL);
	put64(BASE, 0x11); /* str x1, [BASE] through the cache */
	const uint8_t v[8] = {0x22};
	cache_store_nc(c, BASE + 8, 8, &cz, v);
	put64(BASE + 8, 0x22); /* str x2, [BASE + 8], Non-cacheable */
	ck_assert_uint_eq(view64(c, CV_POC, BASE), 0);
	ck_assert_uint_eq(view64(c, CV_POC, BASE + 8), 0x22);
	ck_assert_uint_eq(view64(c, CV_CACHE, BASE), 0x11);
	ck_assert_uint_eq(view64(c, CV_CACHE, BASE + 8), 0);
	struct hz_cause got;
	ck_assert(cache_line_differs(c, CV_CACHE, BASE, &got));
	ck_assert(cache_line_differs(c, CV_POC, BASE, &got));
	cache_clean_poc(c, BASE, 64, false); /* after the report, memory as the program sees it */
	ck_assert(!cache_line_differs(c, CV_CACHE, BASE, &got));
	ck_assert_uint_eq(view64(c, CV_CACHE, BASE + 8), 0x22);
	cache_free(c);
}
END_TEST

/* D7.4 under WB_RANDOM: every dirty line comes up for eviction within MODEL_WB_RANDOM_SPAN
 * events of becoming dirty, in time order; a line cleaned meanwhile does not. */
START_TEST(random_eviction_times_D7_4)
{
	struct cache *c = fresh();
	cache_set_policy(c, WB_RANDOM, 5);
	ck_assert(!cache_wb_due(c, 10, &(uint64_t){0})); /* event 10: times count from it */
	for (unsigned l = 0; l < 3; l++) {
		cache_store_wb(c, BASE + 64 * l, 8, false, &cz, NULL);
		put64(BASE + 64 * l, 1);
	}
	cache_clean_poc(c, BASE + 64, 64, false);
	uint64_t pa, seen = 0;
	for (uint64_t now = 11; now <= 10 + MODEL_WB_RANDOM_SPAN; now++)
		while (cache_wb_due(c, now, &pa)) {
			ck_assert(pa == BASE || pa == BASE + 128);
			seen |= UINT64_C(1) << ((pa - BASE) / 64);
			cache_evict(c, pa);
			ck_assert_uint_eq(view64(c, CV_POC, pa), 1); /* written back */
		}
	ck_assert_uint_eq(seen, 5);
	ck_assert(!cache_any_dirty(c, &pa, &(struct hz_cause){0}));
	cache_free(c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cache");
	TCase *tc = tcase_create("lines");
	tcase_add_test(tc, line_masks_D7_5);
	tcase_add_test(tc, wb_store_keeps_poc_bytes_until_clean_B2_4);
	tcase_add_test(tc, idc_leaves_pou_coherent_D7_5);
	tcase_add_test(tc, nc_store_to_present_line_goes_stale_B2_7_2);
	tcase_add_test(tc, view_ops_for_the_walker_D8_2);
	tcase_add_test(tc, view_differs_only_on_overlaid_lines_B2_4);
	tcase_add_test(tc, icache_keeps_fetched_bytes_B2_4_4);
	tcase_add_test(tc, never_nc_store_under_dirty_line_keeps_both_copies_B2_7_2);
	tcase_add_test(tc, random_eviction_times_D7_4);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
