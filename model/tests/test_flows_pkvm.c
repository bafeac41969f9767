/*
 * test_flows_pkvm.c - firmware/pkvm-switch's flow replayed at model level, suite 'model'.
 * The machine, the conventions of these tests and what they replay: test_flows.h.
 */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "model.h"
#include "test_flows.h"

/* ================================================================== pkvm-switch */

enum pkvm_bug { PKVM_OK, PKVM_NO_ICACHE_MAINT, PKVM_POSTED_ORDER, PKVM_FIXMAP_NO_BBM };

static const struct nvhe nvhe_pkvm = {
    .image = UINT64_C(0x40100000),
    .image_end = UINT64_C(0x40135000),
    .data_start = UINT64_C(0x40108000),
    .va_bits = 48,
    .start = UINT64_C(0x40101000),
    .hyp_handle_call = UINT64_C(0x40101800),
    .hyp_vector = UINT64_C(0x40102800),
    .host_hvc = UINT64_C(0x40103000),
    .host_init = UINT64_C(0x40103030),
    .install = UINT64_C(0x401031a4),
    .idmap = UINT64_C(0x40105000),
    .idmap_end = UINT64_C(0x40107000),
    .kvm_hyp_init = UINT64_C(0x40105800),
    .do_hyp_init = UINT64_C(0x40106000),
    .mmu_on = UINT64_C(0x40106048),
    .kvm_hyp_reset = UINT64_C(0x40106088),
    .seed = 0,
    .va_offset_var = UINT64_C(0x4010b000),
    .params = UINT64_C(0x4010b040),
    .nvhe_pt = UINT64_C(0x4010b080),
    .hyp_stack_end = UINT64_C(0x40122000),
    .pool = UINT64_C(0x40122000),
    .lib = {.el2_to_el1 = UINT64_C(0x40104028),
            .el1_mmu_on = UINT64_C(0x4010405c),
            .el1_pgd = UINT64_C(0x40132000),
            .stub_vectors = UINT64_C(0x40103800),
            .stub_sync = UINT64_C(0x40104000),
            .pt_init = UINT64_C(0x40104144),
            .pt_map = UINT64_C(0x401041c0),
            .pt_set_desc = UINT64_C(0x40104260),
            .clean_poc = UINT64_C(0x401042a8)},
};

#define PKVM_INIT          UINT64_C(0x40101878) /* __pkvm_init */
#define PKVM_VEC_TMPL      UINT64_C(0x40102000)
#define PKVM_STATE         UINT64_C(0x40108000)
#define PKVM_PT            UINT64_C(0x40108040)
#define PKVM_PAGE_A        UINT64_C(0x40109000)
#define PKVM_PAGE_B        UINT64_C(0x4010a000)
#define PKVM_POOL          UINT64_C(0x4010c000)
#define PKVM_VEC_PAGE      UINT64_C(0x4011b000) /* pkvm_vector_page: last pool page */
#define PKVM_STACK_END     UINT64_C(0x4011d000)
#define PKVM_SWITCH        UINT64_C(0x40105000) /* __pkvm_init_switch_pgd */
#define PKVM_SWITCH_MMU_ON UINT64_C(0x40105024)
#define PKVM_FIXMAP_VA_PA  (UINT64_C(0x40135000) + 16 * PG) /* __image_end + 16 pages */

struct pkvm {
	struct nvhe n;
	enum pkvm_bug bug;
	uint64_t finalise, fixmap_read, fixmap_set; /* move with the variant's code */
	uint64_t fixmap_leaf;                       /* HYP VA of the fixmap PTE */
	bool prefetched_vector_line;                /* see pkvm_posted_order_with_prefetched_line */
};

/* HYP_FN_PKVM_INIT at EL2: the hyp's own table, the relocated vectors, the switch. */
static void pkvm_init(struct fm *f, struct pkvm *k)
{
	struct nvhe *n = &k->n;
	const struct lib *l = &n->lib;
	uint64_t hvc_pc = n->start + 0x40;
	nvhe_hypercall_enter(f, n, hvc_pc);
	run(f, HYP(n, n->hyp_handle_call), 6); /* mov64, cmp, b.eq __pkvm_init */
	/* The variant without the DC CVAU loop is 6 instructions shorter after it. */
	uint64_t s = k->bug == PKVM_NO_ICACHE_MAINT ? 0x18 : 0;
	uint64_t p = HYP(n, PKVM_INIT), st = HYP(n, PKVM_STATE);
	run(f, p, 1);
	ldr(f, p + 0x4, HYP(n, n->va_offset_var));
	run(f, p + 0x8, 2);
	str(f, p + 0x10, st + 0, n->off);
	run(f, p + 0x14, 4);
	str(f, p + 0x24, st + 16, PKVM_VEC_PAGE);
	run(f, p + 0x28, 4); /* adrp, add, mov, bl fw_pt_init */

	/* The table builder runs at HYP VAs now (EL2, caches on): the lib's HYP VAs. */
	struct lib hl = *l;
	hl.pt_init = HYP(n, l->pt_init);
	hl.pt_map = HYP(n, l->pt_map);
	hl.pt_set_desc = HYP(n, l->pt_set_desc);
	struct fwpt pt;
	fw_pt_init(f, &hl, &pt, HYP(n, PKVM_PT), PKVM_POOL, 15 * PG, n->off, 0, PT_OK);
	run(f, p + 0x38, 4);
	str(f, p + 0x48, st + 8, pt.root);
	run(f, p + 0x4c, 2);
	ldr(f, p + 0x54, st + 0);
	run(f, p + 0x58, 5); /* ..., bl pkvm_map */
	/* pkvm_map: stp, ..., bl fw_pt_map, ldp, cbnz, ret */
	uint64_t pm = HYP(n, PKVM_INIT + 0x13c) - s;
	stp(f, pm, HYP(n, n->hyp_stack_end) - 32, 0, 0);
	fw_pt_map(f, &hl, &pt, n->idmap, n->idmap, PG, HYP_PAGE_ATTRS, PT_OK);
	ldp(f, pm + 0x20, HYP(n, n->hyp_stack_end) - 32);
	run(f, pm + 0x24, 2);
	run(f, p + 0x6c, 2);
	ldr(f, p + 0x74, st + 0);
	run(f, p + 0x78, 5);
	stp(f, pm, HYP(n, n->hyp_stack_end) - 32, 0, 0);
	fw_pt_map(f, &hl, &pt, HYP(n, n->image), n->image, n->image_end - n->image, HYP_PAGE_ATTRS,
	          PT_OK);
	ldp(f, pm + 0x20, HYP(n, n->hyp_stack_end) - 32);
	run(f, pm + 0x24, 2);
	run(f, p + 0x8c, 4);
	str(f, p + 0x9c, st + 32, HYP(n, PKVM_FIXMAP_VA_PA));
	run(f, p + 0xa0, 2);
	ldr(f, p + 0xa8, st + 16);
	run(f, p + 0xac, 2);
	stp(f, pm, HYP(n, n->hyp_stack_end) - 32, 0, 0);
	k->fixmap_leaf = fw_pt_map(f, &hl, &pt, HYP(n, PKVM_FIXMAP_VA_PA), PKVM_VEC_PAGE, PG,
	                           HYP_PAGE_ATTRS, PT_OK);
	ldp(f, pm + 0x20, HYP(n, n->hyp_stack_end) - 32);
	run(f, pm + 0x24, 2);
	run(f, p + 0xb4, 2);
	str(f, p + 0xbc, st + 24, k->fixmap_leaf);

	if (k->prefetched_vector_line)
		/* Not an instruction of the flow: the speculative instruction fetch the
		 * architecture permits from any executable Normal location (the pool page is
		 * mapped executable and EL2 runs with SCTLR_EL2.I = 1), filling the I-cache
		 * with the page's old bytes before the copy. */
		fetch(f, HYP(n, PKVM_VEC_PAGE) + 0x400);

	/* Copy __pkvm_vectors_tmpl into pkvm_vector_page (2 KiB), patch the literal. */
	run(f, p + 0xc0, 3);
	for (uint64_t o = 0; o < 2048; o += 16) {
		uint64_t a = 0, b = 0;
		ldp(f, p + 0xcc, HYP(n, PKVM_VEC_TMPL) + o);
		fm_read(f, PKVM_VEC_TMPL + o, &a, 8);
		fm_read(f, PKVM_VEC_TMPL + o + 8, &b, 8);
		stp(f, p + 0xd0, HYP(n, PKVM_VEC_PAGE) + o, a, b);
	}
	run(f, p + 0xdc, 3);
	str(f, p + 0xe8, HYP(n, PKVM_VEC_PAGE) + 0x408, HYP(n, n->host_hvc));
	if (k->bug != PKVM_NO_ICACHE_MAINT) {
		/* DC CVAU over the page, DSB ISH (the IC is in the switch). */
		run(f, p + 0xec, 1);
		for (uint64_t o = 0; o < 2048; o += 64)
			dc(f, p + 0xf0, DC_CVAU, HYP(n, PKVM_VEC_PAGE) + o);
		dsb(f, p + 0x100, DOM_ISH, BAR_ALL);
	}
	run(f, p + 0x104 - s, 2);
	ldr(f, p + 0x10c - s, st + 8);
	run(f, p + 0x110 - s, 2);
	run(f, p + 0x118 - s, 2);
	ldr(f, p + 0x120 - s, st + 0);
	run(f, p + 0x124 - s, 4); /* adrp, add, sub, br x4 */

	/* __pkvm_init_switch_pgd, at VA == PA (mapped so by both tables). */
	uint64_t w = PKVM_SWITCH;
	run(f, w, 2);
	msr(f, w + 0x8, SR_SCTLR_EL2, FW_SCTLR_EL2_ON & ~SCTLR_ELx_M);
	isb(f, w + 0xc);
	tlbi(f, w + 0x10, TLBI_ALLE2, 0);
	msr(f, w + 0x14, SR_TTBR0_EL2, pt.root);
	run(f, w + 0x18, 1);
	dsb(f, w + 0x1c, DOM_NSH, BAR_ALL);
	isb(f, w + 0x20);
	uint64_t t = PKVM_SWITCH_MMU_ON;
	msr(f, t, SR_SCTLR_EL2, FW_SCTLR_EL2_ON);
	switch (k->bug) {
	case PKVM_POSTED_ORDER: /* msr sctlr_el2; ic iallu; isb */
		ic(f, t + 4, IC_IALLU);
		isb(f, t + 8);
		t += 12;
		break;
	case PKVM_NO_ICACHE_MAINT: /* msr sctlr_el2; isb */
		isb(f, t + 4);
		t += 8;
		break;
	default: /* msr sctlr_el2; isb; ic iallu; dsb nsh; isb */
		isb(f, t + 4);
		ic(f, t + 8, IC_IALLU);
		dsb(f, t + 0xc, DOM_NSH, BAR_ALL);
		isb(f, t + 0x10);
		t += 0x14;
		break;
	}
	run(f, t, 1); /* br x2 */

	/* __pkvm_init_finalise at its HYP VA, on the new table. */
	uint64_t fin = HYP(n, k->finalise);
	run(f, fin, 1);
	msr(f, fin + 4, SR_VBAR_EL2, HYP(n, PKVM_VEC_PAGE));
	run(f, fin + 8, 1);
	eret(f, fin + 0xc, 1, hvc_pc + 4);
}

/* A hypercall through the relocated vectors: ldr x16, literal; br x16. */
static void pkvm_vector_enter(struct fm *f, const struct pkvm *k, uint64_t hvc_pc)
{
	const struct nvhe *n = &k->n;
	uint64_t v = hvc(f, hvc_pc);
	ck_assert_uint_eq(v, HYP(n, PKVM_VEC_PAGE) + 0x400);
	ldr(f, v, v + 8);
	run(f, v + 4, 1);
	uint64_t hh = HYP(n, n->host_hvc);
	run(f, hh, 2);
	stp(f, hh + 0x8, HYP(n, PKVM_STACK_END) - 16, 0, 0);
	run(f, hh + 0xc, 1);
}

static void pkvm_vector_leave(struct fm *f, const struct pkvm *k, uint64_t hvc_pc)
{
	const struct nvhe *n = &k->n;
	uint64_t hh = HYP(n, n->host_hvc);
	ldp(f, hh + 0x10, HYP(n, PKVM_STACK_END) - 16);
	eret(f, hh + 0x14, 1, hvc_pc + 4);
}

/* HYP_FN_FIXMAP_READ(pa): break-before-make of the fixmap PTE (unless the variant skips
 * it), the new PTE, and the read through the fixmap. Returns the load's result. */
static struct model_step_result pkvm_fixmap_read(struct fm *f, const struct pkvm *k,
                                                 uint64_t hvc_pc, uint64_t pa)
{
	const struct nvhe *n = &k->n;
	uint64_t st = HYP(n, PKVM_STATE), fva = HYP(n, PKVM_FIXMAP_VA_PA);
	pkvm_vector_enter(f, k, hvc_pc);
	uint64_t c = HYP(n, n->hyp_handle_call);
	run(f, c, 12); /* ... b.eq __pkvm_fixmap_read */
	uint64_t r = HYP(n, k->fixmap_read);
	run(f, r, 2);
	ldr(f, r + 0x8, st + 24);
	run(f, r + 0xc, 2);
	ldr(f, r + 0x14, st + 32);
	ldr(f, r + 0x18, k->fixmap_leaf);
	run(f, r + 0x1c, 1); /* tbz: valid */
	if (k->bug != PKVM_FIXMAP_NO_BBM) {
		str(f, r + 0x20, k->fixmap_leaf, 0);
		dsb(f, r + 0x24, DOM_ISH, BAR_ST);
		run(f, r + 0x28, 1);
		tlbi(f, r + 0x2c, TLBI_VALE2, fva >> 12);
		dsb(f, r + 0x30, DOM_ISH, BAR_ALL);
		isb(f, r + 0x34);
	}
	uint64_t fs = HYP(n, k->fixmap_set);
	run(f, fs - 0x18, 6); /* and, mov64, orr */
	str(f, fs, k->fixmap_leaf, pa | HYP_PAGE_ATTRS);
	dsb(f, fs + 4, DOM_ISH, BAR_ST);
	isb(f, fs + 8);
	run(f, fs + 0xc, 1);
	struct model_step_result res = ldr(f, fs + 0x10, fva);
	run(f, fs + 0x14, 2);
	pkvm_vector_leave(f, k, hvc_pc);
	return res;
}

static void pkvm_setup(struct pkvm *k, enum pkvm_bug bug)
{
	memset(k, 0, sizeof(*k));
	k->n = nvhe_pkvm;
	k->bug = bug;
	k->finalise = UINT64_C(0x401019e8);
	k->fixmap_read = UINT64_C(0x401019f8);
	k->fixmap_set = UINT64_C(0x40101a48);
	if (bug == PKVM_NO_ICACHE_MAINT) {
		k->finalise = UINT64_C(0x401019d0);
		k->fixmap_read = UINT64_C(0x401019e0);
		k->fixmap_set = UINT64_C(0x40101a30);
	} else if (bug == PKVM_FIXMAP_NO_BBM) {
		k->fixmap_set = UINT64_C(0x40101a30);
	}
}

/* The whole pkvm-switch flow: nVHE init, __pkvm_init and the switch, a hypercall through
 * the relocated vectors, two fixmap reads (pages A and B). */
static void pkvm_flow(struct fm *f, struct pkvm *k)
{
	struct nvhe *n = &k->n;
	fm_init(f, UINT64_C(0x40000000), UINT64_C(4) << 20, 4);
	load_code(f, n->image, n->data_start);
	ram_w64(f, PKVM_PAGE_A, UINT64_C(0xaaaa0000aaaa0001));
	ram_w64(f, PKVM_PAGE_B, UINT64_C(0xbbbb0000bbbb0002));
	boot_to_el1_mmu_on(f, &n->lib, n->image);
	struct fwpt pt;
	nvhe_host_prepare(f, n, &pt);
	ck_assert(nvhe_install(f, n));
	pkvm_init(f, k);

	/* HYP_FN_ANSWER through the relocated vectors. */
	uint64_t hvc_pc = n->start + 0x64;
	pkvm_vector_enter(f, k, hvc_pc);
	run(f, HYP(n, n->hyp_handle_call), 25);
	pkvm_vector_leave(f, k, hvc_pc);

	struct model_step_result a = pkvm_fixmap_read(f, k, n->start + 0xac, PKVM_PAGE_A);
	struct model_step_result b = pkvm_fixmap_read(f, k, n->start + 0xe0, PKVM_PAGE_B);
	ck_assert_uint_eq(a.tr.oa, PKVM_PAGE_A);
	ck_assert_uint_eq(b.tr.oa, PKVM_PAGE_B);
}

/* D8.13, D8.14.1 (fixmap break-before-make), D7.5 / B2.4.4 (DC CVAU, DSB ISH, IC IALLU,
 * DSB NSH, ISB for the relocated vectors), D17.1: the upstream pKVM switch is clean. */
START_TEST(pkvm_correct_is_clean_D8_13_D8_14_1_B2_4_4)
{
	struct pkvm k;
	struct fm f;
	pkvm_setup(&k, PKVM_OK);
	pkvm_flow(&f, &k);
	EXPECT_CLEAN(&f);
	fm_fini(&f);
}
END_TEST

/* B2.4.4 "Concurrent modification and execution of instructions", D7.5 "Instruction cache
 * maintenance instructions": vectors written as data, fetched cacheably with no DC CVAU /
 * IC: the I-side may fill from the PoU's old bytes. */
START_TEST(pkvm_no_icache_maint_icache_stale_B2_4_4_D7_5)
{
	struct pkvm k;
	struct fm f;
	pkvm_setup(&k, PKVM_NO_ICACHE_MAINT);
	pkvm_flow(&f, &k);
	EXPECT_FIRST(&f, HZ_ICACHE_STALE, HYP(&k.n, PKVM_VEC_PAGE) + 0x400);
	fm_fini(&f);
}
END_TEST

/* D8.14.1 "Using break-before-make when updating translation table entries": the live
 * fixmap PTE (valid since __pkvm_init, pointing at the vector page) rewritten in place. */
START_TEST(pkvm_fixmap_no_bbm_D8_14_1)
{
	struct pkvm k;
	struct fm f;
	pkvm_setup(&k, PKVM_FIXMAP_NO_BBM);
	pkvm_flow(&f, &k);
	EXPECT_FIRST(&f, HZ_BBM, HYP(&k.n, k.fixmap_set));
	fm_fini(&f);
}
END_TEST

/*
 * pKVM's "posted order" switch tail: `msr sctlr_el2; ic iallu; isb`, no DSB after the IC.
 *
 * D7.5 "Ordering and completion of data and instruction cache instructions": an IC IALLU
 * is guaranteed complete only after a DSB; an ISB does not wait for it. So what the tail
 * leaves in the I-cache is exactly what was there before the IC. Under DESIGN §3 ("an
 * I-cache line holds only what was fetched cacheably since it was last invalidated"), the
 * only code written as data here, pkvm_vector_page, was cleaned to the PoU (DC CVAU + DSB
 * ISH, completed before the switch) and never fetched, so the I-cache holds no line of it:
 * every cacheable fetch of it fills from the PoU, which has the new bytes. The IC IALLU
 * executing before the SCTLR write is synchronised does not matter either: it does not
 * translate. The model's conclusion, asserted here, is therefore "clean", as
 * docs/firmware.md predicts.
 *
 * That answer rests on DESIGN §3's I-cache rule. The architecture also lets the I-cache
 * fill speculatively from any executable Normal location (the pool page was mapped
 * executable at EL2, and in EL1's identity map, both with SCTLR.I = 1), which is why the
 * Arm ARM's sequence has an IC at all; the next test shows that with one such line the
 * posted order is unsafe and the upstream order is not.
 */
START_TEST(pkvm_posted_order_clean_under_design_D7_5)
{
	struct pkvm k;
	struct fm f;
	pkvm_setup(&k, PKVM_POSTED_ORDER);
	pkvm_flow(&f, &k);
	EXPECT_CLEAN(&f);
	fm_fini(&f);
}
END_TEST

/*
 * D7.5 (IC completion by DSB), B2.4.4: the posted order vs the upstream order when the
 * I-cache holds a line of pkvm_vector_page from before the copy (a speculative fill the
 * architecture permits; modelled as one cacheable fetch of that line). The upstream tail
 * (`isb; ic iallu; dsb nsh; isb`) completes the IC and synchronises: clean. The posted
 * tail's IC is never completed before the first fetch through the relocated vectors (no
 * DSB between the switch and the hypercall): the stale line may be executed.
 */
START_TEST(pkvm_posted_order_with_prefetched_line_D7_5_B2_4_4)
{
	struct pkvm k;
	struct fm f;
	pkvm_setup(&k, PKVM_OK);
	k.prefetched_vector_line = true;
	pkvm_flow(&f, &k);
	EXPECT_CLEAN(&f);
	fm_fini(&f);

	pkvm_setup(&k, PKVM_POSTED_ORDER);
	k.prefetched_vector_line = true;
	pkvm_flow(&f, &k);
	EXPECT_FIRST(&f, HZ_ICACHE_STALE, HYP(&k.n, PKVM_VEC_PAGE) + 0x400);
	fm_fini(&f);
}
END_TEST

/* ------------------------------------------------------------------ suite */

static Suite *flows_suite(void)
{
	Suite *s = suite_create("flows");
	TCase *pk = tcase_create("pkvm-switch");
	tcase_add_test(pk, pkvm_correct_is_clean_D8_13_D8_14_1_B2_4_4);
	tcase_add_test(pk, pkvm_no_icache_maint_icache_stale_B2_4_4_D7_5);
	tcase_add_test(pk, pkvm_fixmap_no_bbm_D8_14_1);
	tcase_add_test(pk, pkvm_posted_order_clean_under_design_D7_5);
	tcase_add_test(pk, pkvm_posted_order_with_prefetched_line_D7_5_B2_4_4);
	suite_add_tcase(s, pk);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(flows_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
