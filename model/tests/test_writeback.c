/*
 * test_writeback.c - the checker under each cache write-back policy (model.h enum
 * wb_policy, docs/scenarios.md "writeback="). The Arm ARM lets a cache evict a line, and
 * so write a dirty one back to the PoC, at any time (D7.4: IMPLEMENTATION DEFINED); WB_ANY
 * takes both outcomes as possible, WB_NEVER and WB_RANDOM leave one, and a hazard is then
 * reported exactly when that one differs from the coherent outcome the run continues with.
 * Each test names the rule behind the hazard class and shows the assembly it stands for.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "machine.h"

#define CODE RAM_BASE              /* code page, identity mapped */
#define DATA (RAM_BASE + 0x100000) /* data, identity mapped */
#define PA1  (RAM_BASE + 0x200000)
#define VX   UINT64_C(0x10000000) /* a VA outside the identity map */

static void mt_init_wb(struct machine *mt, enum wb_policy p, uint64_t seed)
{
	mt_init(mt);
	model_free(mt->m);
	struct model_cfg cfg = {.ncpus = 1,
	                        .tlb_policy = TLB_POLICY_SPECULATIVE,
	                        .wb_policy = p,
	                        .wb_seed = seed,
	                        .pa_bits = MT_PA_BITS,
	                        .on_hazard = mt_on_hazard,
	                        .hazard_arg = mt};
	mt->m = model_new(&cfg, &mt->ops);
}

static void dump(const struct machine *mt)
{
	for (unsigned i = 0; i < mt->nhz; i++) {
		const struct hazard *h = &mt->hz[i];
		fprintf(stderr, "  %s seq %llu [%s]: %s\n", hz_class_name(h->cls),
		        (unsigned long long)h->seq, h->decided_by, h->summary);
		for (unsigned k = 0; k < h->n_outcomes; k++)
			fprintf(stderr, "    - %s [%s]\n", h->outcomes[k].text,
			        h->outcomes[k].cause.what);
	}
}

#define EXPECT(mt, cls, n)                                                                         \
	do {                                                                                       \
		if ((mt)->count[cls] != (n) || mt_total(mt) != (n))                                \
			dump(mt);                                                                  \
		ck_assert_uint_eq((mt)->count[cls], (n));                                          \
		ck_assert_uint_eq(mt_total(mt), (n));                                              \
	} while (0)
#define EXPECT_NONE(mt)                                                                            \
	do {                                                                                       \
		if (mt_total(mt))                                                                  \
			dump(mt);                                                                  \
		ck_assert_uint_eq(mt_total(mt), 0);                                                \
	} while (0)

/* The one report: decided by `by` (NULL: not decided, both outcomes listed), the coherent
 * outcome's value first and the other's second. */
static const struct hazard *check_outcomes(const struct machine *mt, const char *by,
                                           uint64_t coherent, uint64_t other)
{
	ck_assert_uint_eq(mt->nhz, 1);
	const struct hazard *h = &mt->hz[0];
	ck_assert_str_eq(h->decided_by, by ? by : "");
	ck_assert_uint_eq(h->n_outcomes, 2);
	ck_assert(h->outcomes[0].has_value && h->outcomes[1].has_value);
	ck_assert_uint_eq(h->outcomes[0].value, coherent);
	ck_assert_uint_eq(h->outcomes[1].value, other);
	if (by) {
		char want[96];
		snprintf(want, sizeof(want), "under %s ", by);
		ck_assert_msg(!strncmp(h->summary, want, strlen(want)), "summary: %s", h->summary);
	}
	return h;
}

/* msr sctlr_el2, (MMU and caches off); isb: data accesses are Device, at the PoC. */
static void mmu_off(struct machine *mt)
{
	ev_msr(mt, 0, SR_SCTLR_EL2, SCTLR_EL2_BOOT);
	ev_isb(mt, 0);
}

/*
 * B2.4 / D7.5 (PoC), D7.4 (eviction): a store through the cache, then a Device read with the
 * MMU off. WB_ANY: the line may or may not have been written back (both outcomes);
 * WB_NEVER: only maintenance writes it back, so the read obtains the PoC copy, 0; with
 * DC CVAC and a DSB: nothing under either.
 */
START_TEST(never_mmu_off_read_of_dirty_line_obtains_poc_copy_B2_4_D7_5)
{
	for (int clean = 0; clean < 2; clean++)
		for (int pol = WB_ANY; pol <= WB_NEVER; pol++) {
			struct machine mt;
			mt_init_wb(&mt, (enum wb_policy)pol, 0);
			uint64_t a = mt_idmap(&mt);
			mt_mmu_on(&mt, 0, a, SCTLR_ON);
			/* str x1, [DATA] (x1 = 0x1234); [dc cvac, DATA; dsb sy] */
			ev_store(&mt, 0, DATA, 8, 0x1234);
			if (clean) {
				ev_dc(&mt, 0, DC_CVAC, DATA);
				ev_dsb(&mt, 0, DOM_SY, BAR_ALL);
			}
			mmu_off(&mt);
			mt_clear(&mt);
			ev_load(&mt, 0, DATA, 8); /* ldr x2, [DATA] */
			if (clean)
				EXPECT_NONE(&mt);
			else {
				EXPECT(&mt, HZ_DATA_NOT_AT_POC, 1);
				check_outcomes(&mt, pol == WB_NEVER ? "writeback=never" : NULL,
				               0x1234, 0);
			}
			mt_fini(&mt);
		}
}
END_TEST

/* D7.4 / B2.3.12: a DC CVAC not completed by a DSB may or may not have written the line
 * back: the policy does not decide that (missing-dsb, both outcomes). */
START_TEST(never_pending_clean_still_both_outcomes_B2_3)
{
	struct machine mt;
	mt_init_wb(&mt, WB_NEVER, 0);
	uint64_t a = mt_idmap(&mt);
	mt_mmu_on(&mt, 0, a, SCTLR_ON);
	ev_store(&mt, 0, DATA, 8, 0x1234); /* str x1, [DATA]; dc cvac, DATA (no dsb) */
	ev_dc(&mt, 0, DC_CVAC, DATA);
	mmu_off(&mt);
	mt_clear(&mt);
	ev_load(&mt, 0, DATA, 8);
	EXPECT(&mt, HZ_MISSING_DSB, 1);
	check_outcomes(&mt, NULL, 0x1234, 0);
	mt_fini(&mt);
}
END_TEST

/* B2.4 / D7.5: a Non-cacheable fetch (SCTLR.I=0) of code stored through the data cache and
 * not cleaned: under WB_NEVER it executes the PoC copy. */
START_TEST(never_nc_fetch_of_dirty_code_reads_poc_B2_4)
{
	for (int clean = 0; clean < 2; clean++) {
		struct machine mt;
		mt_init_wb(&mt, WB_NEVER, 0);
		uint64_t a = mt_idmap(&mt);
		uint64_t fn = CODE + 0x3000;
		mt_mmu_on(&mt, 0, a, SCTLR_ON & ~SCTLR_ELx_I);
		ev_store(&mt, 0, fn, 4, 0xd2800020); /* str w1, [fn]: mov x0, #1 */
		if (clean) {
			ev_dc(&mt, 0, DC_CVAC, fn); /* dc cvac, fn; dsb sy */
			ev_dsb(&mt, 0, DOM_SY, BAR_ALL);
		}
		mt_clear(&mt);
		ev_fetch(&mt, 0, fn);
		if (clean)
			EXPECT_NONE(&mt);
		else {
			EXPECT(&mt, HZ_FETCH_NOT_AT_POC, 1);
			check_outcomes(&mt, "writeback=never", 0xd2800020, 0);
		}
		mt_fini(&mt);
	}
}
END_TEST

/* D8.2.x / D7.5: a descriptor written through the cache and walked non-cacheably (SCTLR.C=0)
 * is read at the PoC under WB_NEVER: VX is still invalid there, a Translation fault. */
START_TEST(never_nc_walk_of_dirty_table_reads_poc_D8_2_D7_5)
{
	for (int clean = 0; clean < 2; clean++) {
		struct machine mt;
		mt_init_wb(&mt, WB_NEVER, 0);
		uint64_t a = mt_idmap(&mt);
		uint64_t dpa = mt_desc_pa(&mt, a, VX, 3);
		mt_mmu_on(&mt, 0, a, SCTLR_ON);
		ev_store(&mt, 0, dpa, 8, PAGE(PA1, ATTR_WB)); /* str x1, [dpa]: VX -> PA1 */
		if (clean)
			ev_dc(&mt, 0, DC_CVAC, dpa); /* dc cvac, dpa */
		ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
		/* msr sctlr_el2, (C=0): walks become non-cacheable; isb; ldr x2, [VX] */
		ev_msr(&mt, 0, SR_SCTLR_EL2, SCTLR_ON & ~SCTLR_ELx_C);
		ev_isb(&mt, 0);
		mt_clear(&mt);
		ev_load(&mt, 0, VX, 8);
		if (clean) {
			EXPECT_NONE(&mt);
		} else {
			EXPECT(&mt, HZ_WALK_NOT_AT_POC, 1);
			const struct hazard *h = &mt.hz[0];
			ck_assert_str_eq(h->decided_by, "writeback=never");
			ck_assert(!h->outcomes[0].fault && h->outcomes[0].pa == PA1);
			ck_assert(h->outcomes[1].fault);
			ck_assert_int_eq(h->outcomes[1].f.type, FAULT_TRANSLATION);
			ck_assert_msg(strstr(h->summary, "under writeback=never the walk reads the "
			                                 "tables' PoC copy, so the load gets a "
			                                 "translation fault at level 3"),
			              "summary: %s", h->summary);
		}
		mt_fini(&mt);
	}
}
END_TEST

/* B2.7.2 / D7.5: a Non-cacheable write leaves the line's older copy in the cache; under
 * WB_NEVER it stays there, so a cacheable read hits it (0) until DC IVAC removes it. */
START_TEST(never_cacheable_read_hits_stale_copy_B2_7_2)
{
	for (int inval = 0; inval < 2; inval++) {
		struct machine mt;
		mt_init_wb(&mt, WB_NEVER, 0);
		uint64_t a = mt_idmap(&mt);
		mt_map(&mt, a, VX, DATA, ATTR_NC); /* NC alias of DATA */
		mt_mmu_on(&mt, 0, a, SCTLR_ON);
		ev_load(&mt, 0, DATA, 8);        /* ldr: the line is cached */
		ev_store(&mt, 0, VX, 8, 0xabcd); /* str through the NC alias */
		if (inval) {
			ev_dc(&mt, 0, DC_IVAC, DATA); /* dc ivac, DATA; dsb sy */
			ev_dsb(&mt, 0, DOM_SY, BAR_ALL);
		}
		mt_clear(&mt);
		ev_load(&mt, 0, DATA, 8);
		if (inval)
			EXPECT_NONE(&mt);
		else {
			EXPECT(&mt, HZ_DATA_NOT_AT_POC, 1);
			check_outcomes(&mt, "writeback=never", 0xabcd, 0);
		}
		mt_fini(&mt);
	}
}
END_TEST

/*
 * B2.7.2 / D7.5.x: a Non-cacheable write under a dirty line. WB_ANY: the later write-back
 * may overwrite it (lost-write at the store). WB_NEVER: no eviction writes the line back,
 * so nothing is lost until maintenance does: DC CVAC writes the cached copy (0 at +8) over
 * the Non-cacheable store; DC IVAC discards the cached store (0 stays at +0). Until then
 * the line differs from memory on both sides: a read with the MMU off obtains the PoC copy
 * (0 at +0), a cacheable one the cached copy (0 at +8).
 */
START_TEST(never_nc_write_under_dirty_line_lost_only_by_maintenance_B2_7_2)
{
	for (int variant = 0; variant < 4; variant++) {
		struct machine mt;
		mt_init_wb(&mt, variant == 3 ? WB_ANY : WB_NEVER, 0);
		uint64_t a = mt_idmap(&mt);
		mt_map(&mt, a, VX, DATA, ATTR_NC);
		mt_mmu_on(&mt, 0, a, SCTLR_ON);
		ev_store(&mt, 0, DATA, 8, 0x1111); /* str x1, [DATA]: dirty */
		mt_clear(&mt);
		ev_store(&mt, 0, VX + 8, 8, 0x2222); /* str x2, [VX, #8]: NC, same line */
		if (variant == 3) {                  /* WB_ANY */
			EXPECT(&mt, HZ_LOST_WRITE, 1);
			ck_assert_str_eq(mt.hz[0].decided_by, "");
			mt_fini(&mt);
			continue;
		}
		EXPECT_NONE(&mt);
		ev_load(&mt, 0, DATA + 8, 8); /* ldr x3, [DATA, #8]: hits the cached copy */
		EXPECT(&mt, HZ_DATA_NOT_AT_POC, 1);
		check_outcomes(&mt, "writeback=never", 0x2222, 0);
		mt_clear(&mt);
		ev_load(&mt, 0, VX, 8); /* ldr x4, [VX]: Non-cacheable, the PoC copy */
		EXPECT(&mt, HZ_DATA_NOT_AT_POC, 1);
		check_outcomes(&mt, "writeback=never", 0x1111, 0);
		mt_clear(&mt);
		if (variant == 2) {
			/* no maintenance: nothing is ever written back */
			for (unsigned i = 0; i < 2 * MODEL_WB_RANDOM_SPAN / 64; i++)
				ev_load(&mt, 0, DATA + 0x1000 + 8 * i, 8);
			EXPECT_NONE(&mt);
			mt_fini(&mt);
			continue;
		}
		/* dc cvac, DATA | dc ivac, DATA; dsb sy */
		ev_dc(&mt, 0, variant == 0 ? DC_CVAC : DC_IVAC, DATA);
		EXPECT(&mt, HZ_LOST_WRITE, 1);
		const struct hazard *h = &mt.hz[0];
		ck_assert_str_eq(h->decided_by, "writeback=never");
		ck_assert_uint_eq(h->n_outcomes, 1);
		ck_assert_uint_eq(h->outcomes[0].pa, variant == 0 ? DATA + 8 : DATA);
		ck_assert_uint_eq(h->outcomes[0].value, 0);
		ck_assert(strstr(h->summary, variant == 0 ? "0x2222" : "0x1111"));
		mt_clear(&mt);
		ev_dsb(&mt, 0, DOM_SY, BAR_ALL);
		ev_load(&mt, 0, DATA, 8); /* the run goes on with memory as it sees it */
		ev_load(&mt, 0, VX + 8, 8);
		EXPECT_NONE(&mt);
		mt_fini(&mt);
	}
}
END_TEST

/* B2.7.2 / D7.5.x: a cacheable store into a line with a stale copy makes the copy dirty;
 * under WB_NEVER its write-back at DC CIVAC overwrites the Non-cacheable store at +0. */
START_TEST(never_store_into_stale_copy_written_back_by_civac_B2_7_2)
{
	struct machine mt;
	mt_init_wb(&mt, WB_NEVER, 0);
	uint64_t a = mt_idmap(&mt);
	mt_map(&mt, a, VX, DATA, ATTR_NC);
	mt_mmu_on(&mt, 0, a, SCTLR_ON);
	ev_load(&mt, 0, DATA, 8);        /* ldr: cached */
	ev_store(&mt, 0, VX, 8, 0x3333); /* str x1, [VX]: NC, the cached copy is stale */
	mt_clear(&mt);
	ev_store(&mt, 0, DATA + 8, 8, 0x4444); /* str x2, [DATA, #8]: into the stale copy */
	EXPECT_NONE(&mt);
	ev_dc(&mt, 0, DC_CIVAC, DATA); /* dc civac, DATA */
	EXPECT(&mt, HZ_LOST_WRITE, 1);
	ck_assert_str_eq(mt.hz[0].decided_by, "writeback=never");
	ck_assert_uint_eq(mt.hz[0].outcomes[0].pa, DATA);
	ck_assert_uint_eq(mt.hz[0].outcomes[0].value, 0);
	mt_fini(&mt);
}
END_TEST

/*
 * D7.5.x (DC IVAC may or may not write a dirty line back first): WB_NEVER says not, so the
 * data is discarded and memory keeps the older bytes (0): lost-write, decided. A dirty
 * line holding what the PoC holds loses nothing; after DC CIVAC and a DSB nothing is dirty.
 */
START_TEST(never_dc_ivac_discards_dirty_line_D7_5)
{
	struct machine mt;
	mt_init_wb(&mt, WB_NEVER, 0);
	uint64_t a = mt_idmap(&mt);
	mt_mmu_on(&mt, 0, a, SCTLR_ON);
	mt_clear(&mt);
	ev_store(&mt, 0, DATA + 16, 8, 0x1234); /* str x1, [DATA, #16]; dc ivac, DATA */
	ev_dc(&mt, 0, DC_IVAC, DATA);
	EXPECT(&mt, HZ_LOST_WRITE, 1);
	const struct hazard *h = &mt.hz[0];
	ck_assert_str_eq(h->decided_by, "writeback=never");
	ck_assert_uint_eq(h->outcomes[0].pa, DATA + 16);
	ck_assert_uint_eq(h->outcomes[0].value, 0);
	ck_assert(strstr(h->summary, "the coherent value is 0x1234"));
	mt_clear(&mt);
	ev_store(&mt, 0, DATA + 64, 8, 0); /* str xzr, [DATA + 64]: dirty, same bytes */
	ev_dc(&mt, 0, DC_IVAC, DATA + 64);
	EXPECT_NONE(&mt);
	ev_store(&mt, 0, DATA + 128, 8, 5); /* str; dc civac; dsb sy; dc ivac: clean */
	ev_dc(&mt, 0, DC_CIVAC, DATA + 128);
	ev_dsb(&mt, 0, DOM_SY, BAR_ALL);
	ev_dc(&mt, 0, DC_IVAC, DATA + 128);
	EXPECT_NONE(&mt);
	mt_fini(&mt);
}
END_TEST

/* D7.5.x: DC ISW discards dirty lines. WB_ANY reports any dirty line; WB_NEVER only one whose
 * PoC copy differs (a line rewritten with the bytes it had loses nothing). */
START_TEST(never_dc_isw_discards_only_differing_lines_D7_5)
{
	for (int differ = 0; differ < 2; differ++)
		for (int pol = WB_ANY; pol <= WB_NEVER; pol++) {
			struct machine mt;
			mt_init_wb(&mt, (enum wb_policy)pol, 0);
			uint64_t a = mt_idmap(&mt);
			mt_mmu_on(&mt, 0, a, SCTLR_ON);
			ev_store(&mt, 0, DATA, 8, differ ? 7 : 0); /* str x1, [DATA] */
			mt_clear(&mt);
			struct model_event ev = {.kind = EV_DC};
			ev.u.dc.op = DC_ISW;
			mt_step(&mt, &ev); /* dc isw */
			if (pol == WB_NEVER && !differ) {
				EXPECT_NONE(&mt);
			} else {
				EXPECT(&mt, HZ_LOST_WRITE, 1);
				ck_assert_str_eq(mt.hz[0].decided_by,
				                 pol == WB_NEVER ? "writeback=never" : "");
			}
			mt_fini(&mt);
		}
}
END_TEST

/*
 * D7.5.x / B2.4.4: code stored through the cache, IC IALLU without DC CVAU: the I-cache fill
 * reads the PoU copy, decided under WB_NEVER. An I-cache line that is merely old (fetched
 * before the store, DC CVAU done, no IC) is not the data cache's: the policy does not
 * decide it.
 */
START_TEST(never_icache_fill_from_pou_decided_stale_icache_line_not_D7_5)
{
	for (int old_line = 0; old_line < 2; old_line++) {
		struct machine mt;
		mt_init_wb(&mt, WB_NEVER, 0);
		uint64_t a = mt_idmap(&mt);
		uint64_t fn = CODE + 0x2000;
		mt_mmu_on(&mt, 0, a, SCTLR_ON);
		if (old_line)
			ev_fetch(&mt, 0, fn); /* fetched (I-cache filled) before the store */
		mt_clear(&mt);
		ev_store(&mt, 0, fn, 4, 0xd2800020); /* str w1, [fn] */
		if (old_line) {
			ev_dc(&mt, 0, DC_CVAU, fn); /* dc cvau, fn; dsb ish; isb (no ic) */
			ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
		} else {
			ev_ic(&mt, 0, IC_IALLU, 0); /* ic iallu; dsb ish; isb (no dc cvau) */
			ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
		}
		ev_isb(&mt, 0);
		ev_fetch(&mt, 0, fn);
		EXPECT(&mt, HZ_ICACHE_STALE, 1);
		check_outcomes(&mt, old_line ? NULL : "writeback=never", 0xd2800020, 0);
		mt_fini(&mt);
	}
}
END_TEST

/*
 * One run of the MMU-off read under WB_RANDOM: str x1, [DATA]; `gap` loads of other
 * lines; MMU off; ldr x2, [DATA]. Returns whether the read was reported; *dirty: whether
 * the model still held the line dirty just before the read (the eviction had not come).
 */
static bool random_read(uint64_t seed, unsigned gap, bool *dirty, struct hazard *hz)
{
	struct machine mt;
	mt_init_wb(&mt, WB_RANDOM, seed);
	uint64_t a = mt_idmap(&mt);
	mt_mmu_on(&mt, 0, a, SCTLR_ON);
	ev_store(&mt, 0, DATA, 8, 0x1234);
	for (unsigned i = 0; i < gap; i++)
		ev_load(&mt, 0, DATA + 0x1000 + 8 * (i % 4096), 8);
	mmu_off(&mt);
	*dirty = model_line_state(mt.m, DATA) == MODEL_LINE_DIRTY_DIFFERS;
	mt_clear(&mt);
	ev_load(&mt, 0, DATA, 8);
	bool reported = mt.nhz > 0;
	if (reported) {
		EXPECT(&mt, HZ_DATA_NOT_AT_POC, 1);
		*hz = mt.hz[0];
	}
	mt_fini(&mt);
	return reported;
}

/*
 * D7.4 (eviction IMPLEMENTATION DEFINED) / B2.4: under WB_RANDOM one seed writes the line
 * back before the read (nothing to report: the PoC holds the store) and another does not
 * (the read obtains the PoC copy, decided by that seed); the report agrees with the model's
 * own line state at the read, and the same seed gives the same run twice.
 */
START_TEST(random_eviction_before_or_after_reader_D7_4_B2_4)
{
	const unsigned gap = MODEL_WB_RANDOM_SPAN / 2;
	uint64_t evicted = 0, kept = 0;
	for (uint64_t seed = 1; seed <= 40 && (!evicted || !kept); seed++) {
		bool dirty;
		struct hazard hz;
		bool rep = random_read(seed, gap, &dirty, &hz);
		ck_assert_int_eq(rep, dirty);
		if (!rep) {
			evicted = seed;
			continue;
		}
		kept = seed;
		char by[48];
		snprintf(by, sizeof(by), "writeback=random:%llu", (unsigned long long)seed);
		ck_assert_str_eq(hz.decided_by, by);
		ck_assert_uint_eq(hz.outcomes[0].value, 0x1234);
		ck_assert_uint_eq(hz.outcomes[1].value, 0);
	}
	ck_assert_msg(evicted && kept, "40 seeds, evicted by %llu, kept by %llu",
	              (unsigned long long)evicted, (unsigned long long)kept);
	/* deterministic: each seed again, the same outcome and report */
	uint64_t seeds[2] = {evicted, kept};
	for (int i = 0; i < 2; i++) {
		bool d1, d2;
		struct hazard h1, h2;
		memset(&h1, 0, sizeof(h1));
		memset(&h2, 0, sizeof(h2));
		bool r1 = random_read(seeds[i], gap, &d1, &h1);
		bool r2 = random_read(seeds[i], gap, &d2, &h2);
		ck_assert_int_eq(r1, i == 1);
		ck_assert_int_eq(r1, r2);
		ck_assert_uint_eq(h1.seq, h2.seq);
		ck_assert_uint_eq(h1.fold_key, h2.fold_key);
		ck_assert_str_eq(h1.summary, h2.summary);
	}
	/* A line lives at most MODEL_WB_RANDOM_SPAN events: after that, always written back. */
	for (uint64_t seed = 1; seed <= 4; seed++) {
		bool dirty;
		struct hazard hz;
		ck_assert(!random_read(seed, MODEL_WB_RANDOM_SPAN + 1, &dirty, &hz));
	}
}
END_TEST

/*
 * B2.7.2 / D7.4: under WB_RANDOM a dirty line with a Non-cacheable store under it is
 * evicted within MODEL_WB_RANDOM_SPAN events, and its write-back then overwrites the store:
 * one lost-write, at the event of the eviction. While DC maintenance of the line is in
 * flight (no DSB yet) the line is not evicted: the DC decides it (reported once, at the DC).
 */
START_TEST(random_eviction_overwrites_nc_store_once_B2_7_2_D7_4)
{
	for (int with_dc = 0; with_dc < 2; with_dc++) {
		struct machine mt;
		mt_init_wb(&mt, WB_RANDOM, 99);
		uint64_t a = mt_idmap(&mt);
		mt_map(&mt, a, VX, DATA, ATTR_NC);
		mt_mmu_on(&mt, 0, a, SCTLR_ON);
		ev_store(&mt, 0, DATA, 8, 0x1111);   /* str x1, [DATA]: dirty */
		ev_store(&mt, 0, VX + 8, 8, 0x2222); /* str x2, [VX, #8]: NC under it */
		mt_clear(&mt);
		if (with_dc) {
			ev_dc(&mt, 0, DC_CVAC, DATA); /* dc cvac, DATA; ... no dsb */
			EXPECT(&mt, HZ_LOST_WRITE, 1);
			mt_clear(&mt);
		}
		unsigned n = 0;
		for (unsigned i = 0; i <= MODEL_WB_RANDOM_SPAN; i++) {
			ev_load(&mt, 0, DATA + 0x1000 + 8 * (i % 4096), 8);
			n += mt.nhz;
			if (mt.nhz) {
				EXPECT(&mt, HZ_LOST_WRITE, 1);
				ck_assert_str_eq(mt.hz[0].decided_by, "writeback=random:99");
				ck_assert_uint_eq(mt.hz[0].outcomes[0].pa, DATA + 8);
				ck_assert_uint_eq(mt.hz[0].outcomes[0].value, 0);
				ck_assert(strstr(mt.hz[0].summary, "evicted here"));
			}
			mt_clear(&mt);
		}
		ck_assert_uint_eq(n, with_dc ? 0u : 1u);
		ev_dsb(&mt, 0, DOM_SY, BAR_ALL); /* the clean completes: nothing more */
		for (unsigned i = 0; i <= MODEL_WB_RANDOM_SPAN; i++)
			ev_load(&mt, 0, DATA + 0x1000 + 8 * (i % 4096), 8);
		EXPECT_NONE(&mt);
		mt_fini(&mt);
	}
}
END_TEST

START_TEST(policy_names)
{
	enum wb_policy p;
	uint64_t seed;
	char buf[32];
	ck_assert(wb_policy_parse("any", &p, &seed) && p == WB_ANY);
	ck_assert(wb_policy_parse("never", &p, &seed) && p == WB_NEVER);
	ck_assert(wb_policy_parse("random:42", &p, &seed) && p == WB_RANDOM && seed == 42);
	ck_assert(wb_policy_parse("random:0x10", &p, &seed) && seed == 16);
	ck_assert(wb_policy_parse("random:18446744073709551615", &p, &seed) && seed == UINT64_MAX);
	static const char *const bad[] = {"",          "sometimes",  "random",
	                                  "random:",   "random:xyz", "random:-1",
	                                  "random: 1", "random:1x",  "random:18446744073709551616",
	                                  "Never"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!wb_policy_parse(bad[i], &p, &seed), "accepted '%s'", bad[i]);
	wb_policy_format(WB_RANDOM, 7, buf, sizeof(buf));
	ck_assert_str_eq(buf, "random:7");
	wb_policy_format(WB_NEVER, 0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "never");
	wb_policy_format(WB_ANY, 0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "any");
}
END_TEST

static Suite *writeback_suite(void)
{
	Suite *s = suite_create("writeback");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, never_mmu_off_read_of_dirty_line_obtains_poc_copy_B2_4_D7_5);
	tcase_add_test(tc, never_pending_clean_still_both_outcomes_B2_3);
	tcase_add_test(tc, never_nc_fetch_of_dirty_code_reads_poc_B2_4);
	tcase_add_test(tc, never_nc_walk_of_dirty_table_reads_poc_D8_2_D7_5);
	tcase_add_test(tc, never_cacheable_read_hits_stale_copy_B2_7_2);
	tcase_add_test(tc, never_nc_write_under_dirty_line_lost_only_by_maintenance_B2_7_2);
	tcase_add_test(tc, never_store_into_stale_copy_written_back_by_civac_B2_7_2);
	tcase_add_test(tc, never_dc_ivac_discards_dirty_line_D7_5);
	tcase_add_test(tc, never_dc_isw_discards_only_differing_lines_D7_5);
	tcase_add_test(tc, never_icache_fill_from_pou_decided_stale_icache_line_not_D7_5);
	tcase_add_test(tc, random_eviction_before_or_after_reader_D7_4_B2_4);
	tcase_add_test(tc, random_eviction_overwrites_nc_store_once_B2_7_2_D7_4);
	tcase_add_test(tc, policy_names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(writeback_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
