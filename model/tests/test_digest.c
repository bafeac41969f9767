/*
 * test_digest.c - model_digest() (digest.h): equal states give equal digests, whatever the
 * order their hash maps were filled in and however their event numbers are shifted; a
 * difference in any one part of the state gives another digest. `sim campaign` stops a
 * variant when its digest equals the unchanged run's (sim/rejoin.h), so a part the digest
 * missed would stop a variant whose future still differs.
 *
 * Each test runs two machines through the same set-up and then one step apart.
 */
#include <check.h>

#include "digest.h"
#include "machine.h"

#define DATA  (RAM_BASE + 0x100000) /* identity mapped, Normal WB */
#define CODE  (RAM_BASE + 0x200000)
#define OTHER (RAM_BASE + 0x300000)

static uint64_t digest(struct machine *mt)
{
	return model_digest(mt->m, &(struct model_digest_cfg){0});
}

/* Both machines: identity map, MMU and caches on. */
static void twins(struct machine *a, struct machine *b)
{
	struct machine *mt[2] = {a, b};
	for (int i = 0; i < 2; i++) {
		mt_init(mt[i]);
		uint64_t root = mt_idmap(mt[i]);
		mt_mmu_on(mt[i], 0, root, SCTLR_ON);
	}
}

static void ev_dmb(struct machine *mt)
{
	struct model_event ev = {.kind = EV_DMB, .cpu = 0};
	ev.u.barrier.dom = DOM_ISH;
	ev.u.barrier.type = BAR_ALL;
	mt_step(mt, &ev);
}

static void ev_eret(struct machine *mt, unsigned to_el)
{
	struct model_event ev = {.kind = EV_ERET, .cpu = 0};
	ev.u.eret.from_el = 2;
	ev.u.eret.to_el = to_el;
	ev.u.eret.target = CODE;
	mt_step(mt, &ev);
}

static void fini(struct machine *a, struct machine *b)
{
	mt_fini(a);
	mt_fini(b);
}

START_TEST(same_history_same_digest)
{
	struct machine a, b;
	twins(&a, &b);
	struct machine *mt[2] = {&a, &b};
	for (int i = 0; i < 2; i++) {
		ev_fetch(mt[i], 0, CODE);
		ev_store(mt[i], 0, DATA, 8, 0x1234);
		ev_dc(mt[i], 0, DC_CVAC, DATA);
		ev_load(mt[i], 0, DATA + 0x40, 8);
	}
	ck_assert_uint_eq(digest(&a), digest(&b));
	ck_assert_uint_eq(model_shape(a.m), model_shape(b.m));
	fini(&a, &b);
}
END_TEST

/* The cache's page map and the descriptor histories filled in opposite orders. */
START_TEST(maps_hashed_as_sets)
{
	struct machine a, b;
	twins(&a, &b);
	for (int i = 0; i < 200; i++) {
		ev_store(&a, 0, DATA + (uint64_t)i * 4096, 8, (uint64_t)i + 1);
		ev_store(&b, 0, DATA + (uint64_t)(199 - i) * 4096, 8, (uint64_t)(200 - i));
	}
	struct machine *mt[2] = {&a, &b};
	for (int k = 0; k < 2; k++) {
		for (int i = 0; i < 200; i++)
			ev_dc(mt[k], 0, DC_CVAC, DATA + (uint64_t)i * 4096);
		ev_dsb(mt[k], 0, DOM_ISH, BAR_ALL);
	}
	ck_assert_uint_eq(digest(&a), digest(&b));
	fini(&a, &b);
}
END_TEST

/* A variant that dropped an event numbers every later one lower: normalised, the same. */
START_TEST(event_numbers_normalised)
{
	struct machine a, b;
	mt_init(&a);
	mt_init(&b);
	uint64_t ra = mt_idmap(&a), rb = mt_idmap(&b);
	ev_dmb(&a); /* the instruction b drops */
	uint64_t from = model_seq(b.m);
	mt_mmu_on(&a, 0, ra, SCTLR_ON);
	mt_mmu_on(&b, 0, rb, SCTLR_ON);
	ev_store(&a, 0, DATA, 8, 1);
	ev_store(&b, 0, DATA, 8, 1);
	ck_assert_uint_ne(digest(&a), digest(&b)); /* contexts opened, TLBI issued: 1 later */
	struct model_digest_cfg cfg = {.time_from = from, .time_shift = 1};
	ck_assert_uint_eq(digest(&a), model_digest(b.m, &cfg));
	fini(&a, &b);
}
END_TEST

START_TEST(differs_event_number)
{
	struct machine a, b;
	twins(&a, &b);
	ev_dmb(&a);
	ev_dmb(&b);
	ev_dmb(&b);
	ck_assert_uint_ne(digest(&a), digest(&b));
	fini(&a, &b);
}
END_TEST

/* D17.1: a register written and not yet synchronised has two possible values. */
START_TEST(differs_pending_sysreg_D17_1)
{
	struct machine a, b;
	twins(&a, &b);
	ev_msr(&a, 0, SR_VBAR_EL2, CODE);
	ev_msr(&b, 0, SR_VBAR_EL2, CODE);
	ev_isb(&a, 0);
	ev_dmb(&b);
	ck_assert_uint_ne(digest(&a), digest(&b));
	ck_assert_uint_ne(model_shape(a.m), model_shape(b.m));
	fini(&a, &b);
}
END_TEST

START_TEST(differs_sysreg_value)
{
	struct machine a, b;
	twins(&a, &b);
	ev_msr(&a, 0, SR_VBAR_EL2, CODE);
	ev_msr(&b, 0, SR_VBAR_EL2, CODE + 0x800);
	ev_isb(&a, 0);
	ev_isb(&b, 0);
	ck_assert_uint_ne(digest(&a), digest(&b));
	fini(&a, &b);
}
END_TEST

START_TEST(differs_exception_level)
{
	struct machine a, b;
	twins(&a, &b);
	ev_eret(&a, 1);
	ev_eret(&b, 2);
	ck_assert_uint_ne(digest(&a), digest(&b));
	fini(&a, &b);
}
END_TEST

/* The translation cache decides which accesses take the full check: an entry valid in one
 * model only is a difference. */
START_TEST(differs_translation_cache)
{
	struct machine a, b;
	twins(&a, &b);
	struct machine *mt[2] = {&a, &b};
	for (int i = 0; i < 2; i++)
		ev_load(mt[i], 0, DATA + 0x1000, 8); /* the same table lines walked in both */
	ev_dc(&a, 0, DC_CVAC, DATA); /* a clean line: only the translation is looked at */
	ev_dmb(&b);
	ev_dsb(&a, 0, DOM_ISH, BAR_ALL);
	ev_dsb(&b, 0, DOM_ISH, BAR_ALL);
	ck_assert_uint_ne(digest(&a), digest(&b));
	/* The same DC in b: equal again. */
	ev_dc(&a, 0, DC_CVAC, DATA);
	ev_dc(&b, 0, DC_CVAC, DATA);
	ev_dsb(&a, 0, DOM_ISH, BAR_ALL);
	ev_dsb(&b, 0, DOM_ISH, BAR_ALL);
	ck_assert_uint_eq(digest(&a), digest(&b));
	fini(&a, &b);
}
END_TEST

/* D7.5.9: a DC by VA completes at the next DSB. */
START_TEST(differs_pending_maintenance_D7_5_9)
{
	struct machine a, b;
	twins(&a, &b);
	struct machine *mt[2] = {&a, &b};
	for (int i = 0; i < 2; i++) {
		ev_dc(mt[i], 0, DC_CVAC, DATA + 0x40);
		ev_dsb(mt[i], 0, DOM_ISH, BAR_ALL);
	}
	ev_dc(&a, 0, DC_CVAC, DATA);
	ev_dmb(&b);
	ck_assert_uint_ne(digest(&a), digest(&b));
	fini(&a, &b);
}
END_TEST

/* A store to a live table is recorded at the next event (tlb_finalize). */
START_TEST(differs_table_store_awaiting_finalisation)
{
	struct machine a, b;
	mt_init(&a);
	mt_init(&b);
	uint64_t ra = mt_idmap(&a), rb = mt_idmap(&b);
	mt_mmu_on(&a, 0, ra, SCTLR_ON);
	mt_mmu_on(&b, 0, rb, SCTLR_ON);
	uint64_t d = mt_desc_pa(&a, ra, OTHER, 3);
	ck_assert_uint_eq(d, mt_desc_pa(&b, rb, OTHER, 3));
	ev_store(&a, 0, d, 8, 0);
	ev_dmb(&a);
	ev_dmb(&b);
	ev_store(&b, 0, d, 8, 0);
	ck_assert_uint_ne(digest(&a), digest(&b));
	fini(&a, &b);
}
END_TEST

/* B2.4: a cacheable read brings the line into a cache (present). */
START_TEST(differs_line_present_B2_4)
{
	struct machine a, b;
	twins(&a, &b);
	ev_load(&a, 0, DATA, 8);
	ev_load(&b, 0, DATA + 0x40, 8);
	ck_assert_uint_ne(digest(&a), digest(&b));
	fini(&a, &b);
}
END_TEST

/* B2.7.2: a Non-cacheable store under a cached line leaves a stale copy. */
START_TEST(differs_stale_line_B2_7_2)
{
	struct machine a, b;
	twins(&a, &b);
	struct machine *mt[2] = {&a, &b};
	for (int i = 0; i < 2; i++) {
		ev_load(mt[i], 0, DATA, 8);
		ev_msr(mt[i], 0, SR_SCTLR_EL2, SCTLR_EL2_BOOT);
		ev_isb(mt[i], 0);
	}
	ev_store(&a, 0, DATA, 8, 5);
	ev_store(&b, 0, DATA + 0x40, 8, 5);
	ck_assert_uint_ne(digest(&a), digest(&b));
	fini(&a, &b);
}
END_TEST

/* The stale copy's bytes are what a cacheable read may still obtain. */
START_TEST(differs_stale_bytes)
{
	struct machine a, b;
	twins(&a, &b);
	ram_w64(&a, DATA, 1);
	ram_w64(&b, DATA, 2);
	struct machine *mt[2] = {&a, &b};
	for (int i = 0; i < 2; i++) {
		ev_load(mt[i], 0, DATA, 8);
		ev_msr(mt[i], 0, SR_SCTLR_EL2, SCTLR_EL2_BOOT);
		ev_isb(mt[i], 0);
		ev_store(mt[i], 0, DATA, 8, 9);
	}
	ck_assert_uint_ne(digest(&a), digest(&b));
	fini(&a, &b);
}
END_TEST

/* D7.5.x / B2.4.4: the I-cache holds the bytes as fetched. */
START_TEST(differs_icache_line_B2_4_4)
{
	struct machine a, b;
	twins(&a, &b);
	ev_fetch(&a, 0, CODE);
	ev_fetch(&b, 0, CODE + 0x40);
	ck_assert_uint_ne(digest(&a), digest(&b));
	fini(&a, &b);
}
END_TEST

START_TEST(differs_icache_bytes)
{
	struct machine a, b;
	twins(&a, &b);
	ram_w64(&a, CODE, 0xd503201f);
	ram_w64(&b, CODE, 0xd503203f);
	ev_fetch(&a, 0, CODE);
	ev_fetch(&b, 0, CODE);
	ram_w64(&a, CODE, 0);
	ram_w64(&b, CODE, 0);
	ck_assert_uint_ne(digest(&a), digest(&b));
	fini(&a, &b);
}
END_TEST

/* A store to a line fetched into the I-cache (imod): the I-cache may hold the old code. */
START_TEST(differs_icache_modified)
{
	struct machine a, b;
	twins(&a, &b);
	ev_fetch(&a, 0, CODE);
	ev_store(&a, 0, CODE, 8, 0);
	ev_store(&b, 0, CODE, 8, 0);
	ev_fetch(&b, 0, CODE);
	struct machine *mt[2] = {&a, &b};
	for (int i = 0; i < 2; i++) {
		ev_dc(mt[i], 0, DC_CVAU, CODE);
		ev_dsb(mt[i], 0, DOM_ISH, BAR_ALL);
	}
	ck_assert_uint_ne(digest(&a), digest(&b));
	fini(&a, &b);
}
END_TEST

/* B2.4 / D7.5: a dirty line's PoC copy is what a Non-cacheable reader obtains. */
START_TEST(differs_poc_bytes_of_dirty_line_D7_5)
{
	struct machine a, b;
	twins(&a, &b);
	ram_w64(&a, DATA, 5);
	ram_w64(&b, DATA, 7);
	ev_store(&a, 0, DATA, 8, 9);
	ev_store(&b, 0, DATA, 8, 9);
	ck_assert_uint_ne(digest(&a), digest(&b));
	fini(&a, &b);
}
END_TEST

START_TEST(differs_dirty_line)
{
	struct machine a, b;
	twins(&a, &b);
	ev_store(&a, 0, DATA, 8, 9);
	ev_store(&b, 0, DATA + 0x40, 8, 9);
	ck_assert_uint_ne(digest(&a), digest(&b));
	fini(&a, &b);
}
END_TEST

/* D8.2: a context (the registers the MMU was on with) can hold TLB entries. */
START_TEST(differs_tlb_context_D8_2)
{
	struct machine a, b;
	mt_init(&a);
	mt_init(&b);
	uint64_t ra = mt_idmap(&a), rb = mt_idmap(&b);
	mt_idmap(&b); /* b's root is one table further */
	rb = mt_idmap(&b);
	mt_idmap(&a);
	mt_mmu_on(&a, 0, ra, SCTLR_ON);
	mt_mmu_on(&b, 0, rb, SCTLR_ON);
	ck_assert_uint_ne(digest(&a), digest(&b));
	fini(&a, &b);
}
END_TEST

/* D8.13: a TLBI not completed by a DSB. */
START_TEST(differs_pending_tlbi_D8_13)
{
	struct machine a, b;
	twins(&a, &b);
	ev_tlbi(&a, 0, TLBI_VAE2, DATA);
	ev_dmb(&b);
	ck_assert_uint_ne(digest(&a), digest(&b));
	ck_assert_uint_ne(model_shape(a.m), model_shape(b.m));
	fini(&a, &b);
}
END_TEST

/* D8.13: a completed TLBI bounds when entries could have been made. */
START_TEST(differs_completed_tlbi_D8_13)
{
	struct machine a, b;
	twins(&a, &b);
	ev_tlbi(&a, 0, TLBI_ALLE2, 0);
	ev_dmb(&b);
	struct machine *mt[2] = {&a, &b};
	for (int i = 0; i < 2; i++) {
		ev_dsb(mt[i], 0, DOM_ISH, BAR_ALL);
		ev_isb(mt[i], 0);
	}
	ck_assert_uint_ne(digest(&a), digest(&b));
	fini(&a, &b);
}
END_TEST

/* D8.14: the values a live descriptor had (a TLB may still hold an old one). */
START_TEST(differs_descriptor_history_D8_14)
{
	struct machine a, b;
	mt_init(&a);
	mt_init(&b);
	uint64_t ra = mt_idmap(&a), rb = mt_idmap(&b);
	mt_mmu_on(&a, 0, ra, SCTLR_ON);
	mt_mmu_on(&b, 0, rb, SCTLR_ON);
	uint64_t d = mt_desc_pa(&a, ra, OTHER, 3);
	ev_store(&a, 0, d, 8, 0);                    /* unmapped */
	ev_store(&b, 0, d, 8, PAGE(OTHER, ATTR_WB)); /* the same value again */
	struct machine *mt[2] = {&a, &b};
	/* b's store is dropped after a few events that still show the old value (tlb.c):
	 * then the history is all that differs. */
	for (int i = 0; i < 2; i++) {
		ev_dsb(mt[i], 0, DOM_ISH, BAR_ALL);
		for (int k = 0; k < 4; k++)
			ev_dmb(mt[i]);
	}
	ck_assert_uint_ne(digest(&a), digest(&b));
	fini(&a, &b);
}
END_TEST

/* The pages that hold live tables (their stores are recorded as descriptor versions). */
START_TEST(differs_tracked_table_pages)
{
	struct machine a, b;
	mt_init(&a);
	mt_init(&b);
	uint64_t ra = mt_idmap(&a), rb = mt_idmap(&b);
	/* One more level 3 table, reachable in a only. */
	mt_map(&a, ra, RAM_BASE + 0x2000000, RAM_BASE, ATTR_WB);
	mt_table(&b);
	mt_mmu_on(&a, 0, ra, SCTLR_ON);
	mt_mmu_on(&b, 0, rb, SCTLR_ON);
	ck_assert_uint_ne(digest(&a), digest(&b));
	fini(&a, &b);
}
END_TEST

/* ---- lines whose dirty copies equal memory (digest.h skip_line) ---- */

struct offered {
	uint64_t line[8];
	unsigned kind[8];
	unsigned n;
	bool take;
};

static bool offer(void *arg, uint64_t line, unsigned kind, uint64_t part)
{
	struct offered *o = arg;
	(void)part;
	if (o->n < 8) {
		o->kind[o->n] = kind;
		o->line[o->n++] = line;
	}
	return o->take;
}

/* A dirty line (b dropped its clean) taken as clean when the caller says so gives the
 * cleaned line's digest: whether the PoC holds the same bytes (str xzr over zeros) or older
 * ones (str of 7). */
static void dirty_line_taken_as_clean(uint64_t value)
{
	struct machine a, b;
	twins(&a, &b);
	struct machine *mt[2] = {&a, &b};
	for (int i = 0; i < 2; i++) {
		ev_store(mt[i], 0, DATA, 8, value);
		ev_dc(mt[i], 0, DC_CVAC, DATA + 0x40); /* the page's translation in both */
		ev_dsb(mt[i], 0, DOM_ISH, BAR_ALL);
	}
	ev_dc(&a, 0, DC_CVAC, DATA); /* b drops this clean */
	ev_dsb(&a, 0, DOM_ISH, BAR_ALL);
	ev_dmb(&b);
	ev_dmb(&b);
	struct offered none = {.take = false}, all = {.take = true};
	ck_assert_uint_ne(digest(&a), model_digest(b.m, &(struct model_digest_cfg){
	                                                    .skip_line = offer, .arg = &none}));
	ck_assert_uint_eq(none.n, 1);
	ck_assert_uint_eq(none.line[0], DATA);
	ck_assert_uint_eq(none.kind[0], DG_LINE_DATA);
	ck_assert_uint_eq(digest(&a), model_digest(b.m, &(struct model_digest_cfg){
	                                                    .skip_line = offer, .arg = &all}));
	fini(&a, &b);
}

START_TEST(dirty_same_line_taken_as_clean)
{
	dirty_line_taken_as_clean(0);
}
END_TEST

START_TEST(dirty_differs_line_taken_as_clean)
{
	dirty_line_taken_as_clean(7);
}
END_TEST

/* Everything the model reads through the PoC or the PoU (the copies dirty lines keep) is
 * observed: the campaign's recorder learns from it which lines' dirty state may be looked at
 * again. Reads of stale cached copies (CV_CACHE: cacheable walks) are not about dirty lines. */
struct seen {
	uint64_t pa[64];
	unsigned n;
};

static void observe(void *arg, uint64_t pa, size_t len)
{
	struct seen *s = arg;
	(void)len;
	if (s->n < 64)
		s->pa[s->n++] = pa;
}

static bool seen(const struct seen *s, uint64_t pa)
{
	for (unsigned i = 0; i < s->n; i++)
		if (s->pa[i] <= pa && pa < s->pa[i] + 8)
			return true;
	return false;
}

START_TEST(view_reads_observed)
{
	struct machine a;
	mt_init(&a);
	uint64_t root = mt_idmap(&a);
	mt_mmu_on(&a, 0, root, SCTLR_ON);
	struct seen s = {0};
	model_observe_views(a.m, observe, &s);
	/* A cacheable walk looks at its descriptors through the cache view: not observed. */
	ev_load(&a, 0, OTHER, 8);
	ck_assert(!seen(&s, mt_desc_pa(&a, root, OTHER, 3)));
	/* A Non-cacheable read of a dirty line obtains its PoC copy. */
	ev_store(&a, 0, DATA, 8, 7);
	ev_msr(&a, 0, SR_SCTLR_EL2, SCTLR_EL2_BOOT);
	ev_isb(&a, 0);
	s.n = 0;
	ev_load(&a, 0, DATA, 8);
	ck_assert(seen(&s, DATA));
	model_observe_views(a.m, NULL, NULL);
	mt_fini(&a);
}
END_TEST

/* B2.4.4: a line in the I-cache (b never fetched it) taken out of the I-cache when the caller
 * says so gives b's digest. */
START_TEST(icache_line_taken_out)
{
	struct machine a, b;
	twins(&a, &b);
	ev_fetch(&a, 0, CODE + 0x40); /* the page's translation in both */
	ev_fetch(&b, 0, CODE + 0x40);
	ev_fetch(&a, 0, CODE);
	ev_dmb(&b);
	struct offered none = {.take = false}, all = {.take = true};
	struct model_digest_cfg cfg_none = {.skip_line = offer, .arg = &none};
	ck_assert_uint_ne(model_digest(a.m, &cfg_none), digest(&b));
	ck_assert_uint_eq(none.n, 2);
	ck_assert_uint_eq(none.kind[0], DG_LINE_ICACHE);
	ck_assert_uint_eq(none.kind[1], DG_LINE_ICACHE);
	struct offered bonly = {.take = false};
	uint64_t db =
	    model_digest(b.m, &(struct model_digest_cfg){.skip_line = offer, .arg = &bonly});
	ck_assert_uint_eq(bonly.n, 1);
	/* Both lines out of both: equal. */
	struct offered all_b = {.take = true};
	ck_assert_uint_eq(
	    model_digest(a.m, &(struct model_digest_cfg){.skip_line = offer, .arg = &all}),
	    model_digest(b.m, &(struct model_digest_cfg){.skip_line = offer, .arg = &all_b}));
	(void)db;
	fini(&a, &b);
}
END_TEST

/* D7.5.9: a DC pending on a dirty line completes at the next DSB and changes only that
 * line: offered with it. b dropped the DC: taken as clean without pending cleans, the two
 * are equal before the DSB. */
START_TEST(pending_dc_offered_with_its_line_D7_5_9)
{
	struct machine a, b;
	twins(&a, &b);
	struct machine *mt[2] = {&a, &b};
	for (int i = 0; i < 2; i++) {
		ev_store(mt[i], 0, DATA, 8, 7);
		ev_dc(mt[i], 0, DC_CVAC, DATA + 0x40); /* the page's translation in both */
		ev_dsb(mt[i], 0, DOM_ISH, BAR_ALL);
	}
	ev_dc(&a, 0, DC_CVAC, DATA);
	ev_dmb(&b);
	struct offered oa = {.take = true}, ob = {.take = true};
	uint64_t da = model_digest(a.m, &(struct model_digest_cfg){.skip_line = offer, .arg = &oa});
	uint64_t db = model_digest(b.m, &(struct model_digest_cfg){.skip_line = offer, .arg = &ob});
	ck_assert_uint_eq(da, db);
	ck_assert_uint_eq(oa.n, 2); /* the dirty line and its pending clean */
	ck_assert_uint_eq(oa.line[0] == DATA && oa.line[1] == DATA, 1);
	ck_assert_uint_eq(ob.n, 1);
	ck_assert_uint_ne(digest(&a), digest(&b));
	fini(&a, &b);
}
END_TEST

/* A DC by set/way acts on every line when it completes: while one is pending, no line is
 * offered. */
START_TEST(pending_set_way_offers_nothing)
{
	struct machine a;
	mt_init(&a);
	mt_mmu_on(&a, 0, mt_idmap(&a), SCTLR_ON);
	ev_store(&a, 0, DATA, 8, 7);
	ev_dc(&a, 0, DC_CSW, 0);
	struct offered o = {.take = true};
	model_digest(a.m, &(struct model_digest_cfg){.skip_line = offer, .arg = &o});
	ck_assert_uint_eq(o.n, 0);
	ev_dsb(&a, 0, DOM_ISH, BAR_ALL);
	mt_fini(&a);
}
END_TEST

/* The memory digest of sim/rejoin.c takes the pages the model keeps records of as those a
 * store may have reached. */
static void collect(void *arg, uint64_t pa)
{
	struct offered *o = arg;
	if (o->n < 8)
		o->line[o->n++] = pa;
}

START_TEST(every_stored_page_has_a_record)
{
	struct machine a;
	mt_init(&a);
	ev_store(&a, 0, DATA + 0x123, 1, 1); /* MMU off: Device */
	mt_mmu_on(&a, 0, mt_idmap(&a), SCTLR_ON);
	ev_store(&a, 0, OTHER + 0x8, 8, 1);
	ev_dc(&a, 0, DC_ZVA, CODE);
	struct offered o = {0};
	model_for_each_page(a.m, collect, &o);
	bool found[3] = {false, false, false};
	for (unsigned i = 0; i < o.n; i++) {
		found[0] |= o.line[i] == DATA;
		found[1] |= o.line[i] == OTHER;
		found[2] |= o.line[i] == CODE;
	}
	ck_assert(found[0] && found[1] && found[2]);
	mt_fini(&a);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("digest");
	TCase *tc = tcase_create("digest");
	tcase_add_test(tc, same_history_same_digest);
	tcase_add_test(tc, maps_hashed_as_sets);
	tcase_add_test(tc, event_numbers_normalised);
	tcase_add_test(tc, differs_event_number);
	tcase_add_test(tc, differs_pending_sysreg_D17_1);
	tcase_add_test(tc, differs_sysreg_value);
	tcase_add_test(tc, differs_exception_level);
	tcase_add_test(tc, differs_translation_cache);
	tcase_add_test(tc, differs_pending_maintenance_D7_5_9);
	tcase_add_test(tc, differs_table_store_awaiting_finalisation);
	tcase_add_test(tc, differs_line_present_B2_4);
	tcase_add_test(tc, differs_stale_line_B2_7_2);
	tcase_add_test(tc, differs_stale_bytes);
	tcase_add_test(tc, differs_icache_line_B2_4_4);
	tcase_add_test(tc, differs_icache_bytes);
	tcase_add_test(tc, differs_icache_modified);
	tcase_add_test(tc, differs_poc_bytes_of_dirty_line_D7_5);
	tcase_add_test(tc, differs_dirty_line);
	tcase_add_test(tc, differs_tlb_context_D8_2);
	tcase_add_test(tc, differs_pending_tlbi_D8_13);
	tcase_add_test(tc, differs_completed_tlbi_D8_13);
	tcase_add_test(tc, differs_descriptor_history_D8_14);
	tcase_add_test(tc, differs_tracked_table_pages);
	tcase_add_test(tc, dirty_same_line_taken_as_clean);
	tcase_add_test(tc, dirty_differs_line_taken_as_clean);
	tcase_add_test(tc, view_reads_observed);
	tcase_add_test(tc, icache_line_taken_out);
	tcase_add_test(tc, pending_dc_offered_with_its_line_D7_5_9);
	tcase_add_test(tc, pending_set_way_offers_nothing);
	tcase_add_test(tc, every_stored_page_has_a_record);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
