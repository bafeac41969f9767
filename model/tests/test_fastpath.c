/*
 * test_fastpath.c - the checker's shortcuts give exactly what the full check gives.
 *
 * model_fetch_fast() serves an instruction fetch from the translation cache without the
 * rest of model_step. Each test below warms that cache with a fetch, then delivers one event
 * that can change what the next fetch of the same page may obtain (a store to the code, a
 * register write without ISB, a TLBI without DSB, a descriptor store, an exception return)
 * and checks that the fast path declines, so that model_step reports the hazard the Arm
 * rule named in the test's name calls for. A twin-machine test then feeds one random event
 * stream to two models, fetching through model_fetch_fast in one of them only, and requires
 * the same results and reports, event for event.
 *
 * The walk of the access check through the PoC or a stale cache line is skipped when none of
 * the descriptors the coherent walk read lies in such a line: walk_not_at_poc_* check both
 * sides of that condition.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "cache.h"
#include "machine.h"

#define CODE  RAM_BASE              /* code page, identity mapped */
#define CODE2 (RAM_BASE + 0x5000)   /* code page mapped to PA1 at EL2 */
#define PA1   (RAM_BASE + 0x200000) /* bytes differ from CODE2's */
#define PA2   (RAM_BASE + 0x201000)
#define VX    UINT64_C(0x10000000) /* a VA outside the identity map */

static void dump(const struct machine *mt)
{
	for (unsigned i = 0; i < mt->nhz; i++)
		fprintf(stderr, "  %s seq %llu: %s\n", hz_class_name(mt->hz[i].cls),
		        (unsigned long long)mt->hz[i].seq, mt->hz[i].summary);
}

#define EXPECT(mt, cls, n)                                                                         \
	do {                                                                                       \
		if ((mt)->count[cls] != (n))                                                       \
			dump(mt);                                                                  \
		ck_assert_uint_eq((mt)->count[cls], (n));                                          \
	} while (0)
#define EXPECT_NONE(mt)                                                                            \
	do {                                                                                       \
		if (mt_total(mt))                                                                  \
			dump(mt);                                                                  \
		ck_assert_uint_eq(mt_total(mt), 0);                                                \
	} while (0)

/* The fetch as `sim` delivers it: the fast path first, model_step when it declines. */
static bool fetch(struct machine *mt, uint64_t pc, struct model_step_result *r)
{
	uint64_t pa, seq = model_seq(mt->m);
	mt->pc[0] = pc;
	if (model_fetch_fast(mt->m, 0, pc, &pa, r)) {
		ck_assert_uint_eq(pa, r->tr.oa);
		ck_assert_uint_eq(model_seq(mt->m), seq + 1);
		return true;
	}
	ck_assert_uint_eq(model_seq(mt->m), seq); /* declined: nothing changed */
	*r = ev_fetch(mt, 0, pc);
	return false;
}

/* A fetch of a page fetched before, with nothing in between, is served by the fast path:
 * one event, and the result model_step gives. */
START_TEST(fast_fetch_is_one_event_with_model_steps_result)
{
	struct machine mt;
	mt_init(&mt);
	uint64_t a = mt_idmap(&mt);
	mt_map(&mt, a, CODE2, PA1, ATTR_WB);
	mt_mmu_on(&mt, 0, a, SCTLR_ON);
	struct model_step_result slow, fast;
	ck_assert(!fetch(&mt, CODE2, &slow)); /* fills the I-cache line and the cache */
	uint64_t seq = model_seq(mt.m);
	uint64_t pa;
	ck_assert_uint_eq(model_fetch_fast(mt.m, 0, CODE2, &pa, NULL), seq + 1);
	ck_assert_uint_eq(pa, PA1);
	ck_assert(fetch(&mt, CODE2, &fast));
	ck_assert_uint_eq(fast.tr.oa, PA1);
	ck_assert_uint_eq(fast.tr.oa, slow.tr.oa);
	ck_assert_uint_eq(fast.tr.block_size, slow.tr.block_size);
	ck_assert_int_eq(fast.tr.attrs.inner, slow.tr.attrs.inner);
	ck_assert_int_eq(fast.fault.type, FAULT_NONE);
	ck_assert(fast.is_access && fast.mmu_on);
	ck_assert_uint_eq(fast.tr.nsteps, 0); /* a TLB hit reads no descriptors */
	/* Another line of the page has not been fetched: its I-cache state is unknown. */
	ck_assert(!fetch(&mt, CODE2 + 0x40, &fast));
	ck_assert(fetch(&mt, CODE2 + 0x44, &fast));
	ck_assert_uint_eq(fast.tr.oa, PA1 + 0x44);
	/* A misaligned PC is left to model_step (it would span lines at a line's end). */
	ck_assert(!fetch(&mt, CODE2 + 0x3e, &fast));
	EXPECT_NONE(&mt);
	mt_fini(&mt);
}
END_TEST

/* D7.5.x / B2.4.4 (instruction cache coherency): a store to a line of code fetched before
 * leaves the I-cache holding the old instruction; the next fetch of that line must see it,
 * while the other lines of the page stay on the fast path. */
START_TEST(fetch_after_code_store_icache_stale_D7_5)
{
	struct machine mt;
	mt_init(&mt);
	uint64_t a = mt_idmap(&mt);
	uint64_t fn = CODE + 0x2000;
	mt_mmu_on(&mt, 0, a, SCTLR_ON);
	struct model_step_result r;
	fetch(&mt, fn, &r);
	fetch(&mt, fn + 0x100, &r);
	ck_assert(fetch(&mt, fn, &r));
	/* str w1, [fn] (patch the instruction); ldr/fetch of another line: still fast */
	ev_store(&mt, 0, fn, 4, 0xd2800020);
	ck_assert(fetch(&mt, fn + 0x100, &r));
	mt_clear(&mt);
	ck_assert(!fetch(&mt, fn, &r));
	EXPECT(&mt, HZ_ICACHE_STALE, 1);
	mt_fini(&mt);
}
END_TEST

/* D17.1 / D1.x (synchronization of System register writes): TTBR0_EL2 written without an
 * ISB, the next fetch may use either table, which map the code to different PAs. */
START_TEST(fetch_after_msr_without_isb_missing_isb_D1)
{
	struct machine mt;
	mt_init(&mt);
	uint64_t a = mt_idmap(&mt), b = mt_idmap(&mt);
	mt_map(&mt, b, CODE2, PA1, ATTR_WB);
	ram_w64(&mt, CODE2, 0xd503201fd503201f);
	ram_w64(&mt, PA1, 0xd65f03c0d65f03c0);
	mt_mmu_on(&mt, 0, a, SCTLR_ON);
	struct model_step_result r;
	fetch(&mt, CODE2, &r);
	ck_assert(fetch(&mt, CODE2 + 4, &r));
	/* msr ttbr0_el2, B (no isb) */
	ev_msr(&mt, 0, SR_TTBR0_EL2, b);
	mt_clear(&mt);
	ck_assert(!fetch(&mt, CODE2 + 8, &r));
	EXPECT(&mt, HZ_MISSING_ISB, 1);
	mt_fini(&mt);
}
END_TEST

/* D8.13 / B2.3.12 (TLB maintenance completes at a DSB): after break-before-make's TLBI with
 * no DSB, a fetch of the code page may still use the old entry. */
START_TEST(fetch_after_tlbi_without_dsb_missing_dsb_D8_13)
{
	for (int dsb = 0; dsb < 2; dsb++) {
		struct machine mt;
		mt_init(&mt);
		uint64_t a = mt_idmap(&mt);
		uint64_t dpa = mt_map(&mt, a, VX, PA1, ATTR_WB);
		ram_w64(&mt, PA1, 0xd503201fd503201f);
		mt_mmu_on(&mt, 0, a, SCTLR_ON);
		struct model_step_result r;
		fetch(&mt, VX, &r);
		ck_assert(fetch(&mt, VX + 4, &r));
		/* str xzr, [dpa]; dsb ishst; tlbi vae2, VX; [dsb ish; isb;] (fetch at VX + 8):
		 * without FEAT_ETS the ISB is what makes fetches honour the TLBI */
		ev_store(&mt, 0, dpa, 8, 0);
		ev_dsb(&mt, 0, DOM_ISH, BAR_ST);
		ev_tlbi(&mt, 0, TLBI_VAE2, VX);
		if (dsb) {
			ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
			ev_isb(&mt, 0);
		}
		mt_clear(&mt);
		ck_assert(!fetch(&mt, VX + 8, &r));
		ck_assert_int_eq(r.fault.type, FAULT_TRANSLATION);
		if (dsb)
			EXPECT_NONE(&mt);
		else
			EXPECT(&mt, HZ_MISSING_DSB, 1);
		mt_fini(&mt);
	}
}
END_TEST

/* D8.14.1 (break-before-make): the descriptor of the code page rewritten in place to another
 * PA while live; the next fetch may use the old or the new entry. */
START_TEST(fetch_after_live_descriptor_store_D8_14_1)
{
	struct machine mt;
	mt_init(&mt);
	uint64_t a = mt_idmap(&mt);
	uint64_t dpa = mt_map(&mt, a, VX, PA1, ATTR_WB);
	ram_w64(&mt, PA1, 0xd503201fd503201f);
	ram_w64(&mt, PA2, 0xd65f03c0d65f03c0);
	mt_mmu_on(&mt, 0, a, SCTLR_ON);
	struct model_step_result r;
	fetch(&mt, VX, &r);
	ck_assert(fetch(&mt, VX + 4, &r));
	/* str x1, [dpa] (VX -> PA2); dsb ish; (fetch at VX + 8) */
	mt_clear(&mt);
	ev_store(&mt, 0, dpa, 8, PAGE(PA2, ATTR_WB));
	ev_dsb(&mt, 0, DOM_ISH, BAR_ALL); /* the store is final: break-before-make checked */
	ck_assert(!fetch(&mt, VX + 8, &r));
	ck_assert_uint_eq(r.tr.oa, PA2 + 8);
	EXPECT(&mt, HZ_BBM, 1);
	EXPECT(&mt, HZ_STALE_TLB, 1);
	mt_fini(&mt);
}
END_TEST

/* D1.x (exception return and entry change the Exception level, so the translation regime):
 * after an ERET to EL1, whose MMU is off, the same VA is fetched from another PA. */
START_TEST(fetch_after_eret_and_exception_uses_the_new_regime_D1)
{
	struct machine mt;
	mt_init(&mt);
	uint64_t a = mt_idmap(&mt);
	mt_map(&mt, a, CODE2, PA1, ATTR_WB);
	mt_mmu_on(&mt, 0, a, SCTLR_ON);
	struct model_step_result r;
	fetch(&mt, CODE2, &r);
	ck_assert(fetch(&mt, CODE2, &r));
	ck_assert_uint_eq(r.tr.oa, PA1);
	/* eret (to EL1, SCTLR_EL1.M = 0) */
	struct model_event er = {.kind = EV_ERET, .cpu = 0};
	er.u.eret.from_el = 2;
	er.u.eret.to_el = 1;
	er.u.eret.target = CODE2;
	mt_step(&mt, &er);
	ck_assert(!fetch(&mt, CODE2, &r));
	ck_assert_uint_eq(r.tr.oa, CODE2);
	ck_assert(!r.mmu_on);
	/* hvc #0: back at EL2 */
	struct model_event ex = {.kind = EV_EXC_ENTRY, .cpu = 0};
	ex.u.exc.from_el = 1;
	ex.u.exc.to_el = 2;
	ex.u.exc.requested = true;
	mt_step(&mt, &ex);
	ck_assert(!fetch(&mt, CODE2, &r));
	ck_assert_uint_eq(r.tr.oa, PA1);
	EXPECT_NONE(&mt);
	mt_fini(&mt);
}
END_TEST

/*
 * One random stream, two models: A fetches with model_step only, B tries model_fetch_fast
 * first, as `sim` does. Every result and every report must be the same, event for event;
 * fetches mostly follow the previous one, so B takes its fast path often.
 */
static void twin_run(uint64_t seed, unsigned n, enum tlb_policy pol)
{
	struct machine ma, mb;
	struct machine *t[2] = {&ma, &mb};
	uint64_t dpa = 0;
	for (int k = 0; k < 2; k++) {
		mt_init_cfg(t[k], 1, pol, false, false);
		uint64_t a = mt_idmap(t[k]);
		dpa = mt_map(t[k], a, VX, PA1, ATTR_WB);
		mt_mmu_on(t[k], 0, a, SCTLR_ON);
	}
	uint64_t x = seed, pc = CODE, fast = 0;
	for (unsigned i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		uint64_t va = RAM_BASE + ((x >> 8) % (UINT64_C(1) << 20));
		/* VX's descriptor, or another one of its table */
		uint64_t table =
		    (x & 0x1000) ? dpa : (dpa & ~UINT64_C(0xfff)) + ((x >> 24) & 0xff8);
		unsigned what = (unsigned)((x >> 40) % 64);
		struct model_step_result fr[2];
		for (int k = 0; k < 2; k++) {
			struct machine *mt = t[k];
			struct model_step_result r;
			switch (what) {
			case 0:
				pc = (x & 1) ? VX + ((x >> 1) & 0xffc) : (va & ~UINT64_C(3));
				/* fall through */
			default: /* the next instruction */
				if (k == 0) {
					mt->pc[0] = pc;
					r = ev_fetch(mt, 0, pc);
				} else {
					fast += fetch(mt, pc, &r);
				}
				fr[k] = r;
				break;
			case 1:
			case 2:
			case 3:
				ev_load(mt, 0, va & ~UINT64_C(7), 8);
				break;
			case 4:
			case 5:
				/* a store, to code near the PC, to data or to the last table */
				ev_store(mt, 0,
				         (x & 2) ? pc + ((x >> 4) & 0x1c) : va & ~UINT64_C(7), 4,
				         (uint32_t)x);
				break;
			case 6:
				ev_store(mt, 0, table, 8, (x & 4) ? 0 : PAGE(PA2, ATTR_WB));
				break;
			case 7:
				ev_isb(mt, 0);
				break;
			case 8:
				ev_dsb(mt, 0, DOM_ISH, (enum barrier_type)((x >> 5) % 3));
				break;
			case 9: /* mostly completed and synchronised at once, as firmware does */
				ev_tlbi(mt, 0, (x & 8) ? TLBI_VAE2 : TLBI_ALLE2,
				        (x & 16) ? VX : pc);
				if ((x >> 10) & 3) {
					ev_dsb(mt, 0, DOM_ISH, BAR_ALL);
					ev_isb(mt, 0);
				}
				break;
			case 10:
				ev_dc(mt, 0, (x & 32) ? DC_CVAU : DC_CVAC, (x & 64) ? pc : table);
				break;
			case 11:
				ev_ic(mt, 0, (x & 128) ? IC_IALLU : IC_IVAU, pc);
				break;
			case 12:
				ev_msr(mt, 0, SR_SCTLR_EL2,
				       (x & 256) ? SCTLR_ON : (SCTLR_ON & ~SCTLR_ELx_I));
				if ((x >> 12) & 3)
					ev_isb(mt, 0);
				break;
			}
		}
		/* Same event count, same reports (in the same order), same fetch result. */
		if (what == 0 || what > 12) {
			ck_assert_int_eq(fr[0].fault.type, fr[1].fault.type);
			ck_assert_uint_eq(fr[0].mmu_on, fr[1].mmu_on);
			if (fr[0].fault.type == FAULT_NONE)
				ck_assert_uint_eq(fr[0].tr.oa, fr[1].tr.oa);
		}
		MT_EXPECT_SAME_REPORTS(&ma, &mb);
		if (what == 0 || what > 12)
			pc += 4;
	}
	/* Not a vacuous comparison: many fetches took the fast path (the others follow a
	 * jump, a new line, or an MSR, TLBI or code store not yet completed). */
	ck_assert_uint_gt(fast, n / 8);
	mt_fini(&ma);
	mt_fini(&mb);
}

START_TEST(twin_models_fast_and_full_fetches_agree)
{
	for (uint64_t seed = 1; seed <= 6; seed++)
		twin_run(seed * 0x9e3779b97f4a7c15, 3000,
		         (seed & 1) ? TLB_POLICY_ACCESSED : TLB_POLICY_SPECULATIVE);
}
END_TEST

/*
 * D8.2.x / D7.5 (walks read the PoC when non-cacheable): a dirty line of a table page holds
 * other descriptors than the ones this walk reads: the walk at the PoC reads the same
 * descriptors, nothing to report; when the dirty line holds the walk's own descriptor, the
 * old PoC value gives another outcome.
 */
START_TEST(walk_not_at_poc_only_for_the_descriptors_read_D8_2)
{
	for (int own = 0; own < 2; own++) {
		struct machine mt;
		mt_init(&mt);
		uint64_t a = mt_idmap(&mt);
		uint64_t dpa = mt_desc_pa(&mt, a, VX, 3); /* VX invalid for now */
		mt_mmu_on(&mt, 0, a, SCTLR_ON);
		if (own) {
			ev_store(&mt, 0, dpa, 8, PAGE(PA1, ATTR_WB));
		} else {
			/* VX mapped by the loader; another entry of the table, one line
			 * further, written through the cache (VX + 64K -> PA2). */
			ram_w64(&mt, dpa, PAGE(PA1, ATTR_WB));
			ev_store(&mt, 0, dpa + 0x80, 8, PAGE(PA2, ATTR_WB));
		}
		ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
		/* msr sctlr_el2, (C=0): walks become non-cacheable; isb */
		ev_msr(&mt, 0, SR_SCTLR_EL2, SCTLR_ON & ~SCTLR_ELx_C);
		ev_isb(&mt, 0);
		mt_clear(&mt);
		struct model_step_result r = ev_load(&mt, 0, VX, 8);
		ck_assert_uint_eq(r.tr.oa, PA1);
		if (own)
			EXPECT(&mt, HZ_WALK_NOT_AT_POC, 1);
		else
			EXPECT_NONE(&mt);
		mt_fini(&mt);
	}
}
END_TEST

static Suite *fastpath_suite(void)
{
	Suite *s = suite_create("fastpath");
	TCase *tc = tcase_create("fetch");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, fast_fetch_is_one_event_with_model_steps_result);
	tcase_add_test(tc, fetch_after_code_store_icache_stale_D7_5);
	tcase_add_test(tc, fetch_after_msr_without_isb_missing_isb_D1);
	tcase_add_test(tc, fetch_after_tlbi_without_dsb_missing_dsb_D8_13);
	tcase_add_test(tc, fetch_after_live_descriptor_store_D8_14_1);
	tcase_add_test(tc, fetch_after_eret_and_exception_uses_the_new_regime_D1);
	tcase_add_test(tc, twin_models_fast_and_full_fetches_agree);
	tcase_add_test(tc, walk_not_at_poc_only_for_the_descriptors_read_D8_2);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(fastpath_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
