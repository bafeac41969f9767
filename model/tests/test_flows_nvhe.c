/*
 * test_flows_nvhe.c - firmware/arm64-nvhe-init's and stub-teardown's flows replayed at model
 * level, suite 'model'.
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

static const struct nvhe nvhe_va48_low = {
    .image = UINT64_C(0x40100000),
    .image_end = UINT64_C(0x4011f000),
    .data_start = UINT64_C(0x40106000),
    .va_bits = 48,
    .start = UINT64_C(0x40101000),
    .hyp_handle_call = UINT64_C(0x4010110c),
    .hyp_vector = UINT64_C(0x40101800),
    .host_hvc = UINT64_C(0x40102000),
    .host_init = UINT64_C(0x40102030),
    .install = UINT64_C(0x401021a4),
    .idmap = UINT64_C(0x40104000),
    .idmap_end = UINT64_C(0x40105000),
    .kvm_hyp_init = UINT64_C(0x40104000),
    .do_hyp_init = UINT64_C(0x40104800),
    .mmu_on = UINT64_C(0x40104848),
    .kvm_hyp_reset = UINT64_C(0x40104888),
    .seed = UINT64_C(0x40106000),
    .va_offset_var = UINT64_C(0x40106040),
    .params = UINT64_C(0x40106080),
    .nvhe_pt = UINT64_C(0x401060c0),
    .hyp_stack_end = UINT64_C(0x4010c000),
    .pool = UINT64_C(0x4010c000),
    .lib = {.el2_to_el1 = UINT64_C(0x40103028),
            .el1_mmu_on = UINT64_C(0x4010305c),
            .el1_pgd = UINT64_C(0x4011c000),
            .stub_vectors = UINT64_C(0x40102800),
            .stub_sync = UINT64_C(0x40103000),
            .pt_init = UINT64_C(0x40103144),
            .pt_map = UINT64_C(0x401031c0),
            .pt_set_desc = UINT64_C(0x40103260),
            .clean_poc = UINT64_C(0x401032a8)},
};

/* The same image linked elsewhere (the "high" builds: code identical, all symbols moved). */
static struct nvhe nvhe_moved(const struct nvhe *n, uint64_t link, unsigned va_bits)
{
	struct nvhe r = *n;
	uint64_t d = link - n->image;
	uint64_t *fields[] = {&r.image,
	                      &r.image_end,
	                      &r.data_start,
	                      &r.start,
	                      &r.hyp_handle_call,
	                      &r.hyp_vector,
	                      &r.host_hvc,
	                      &r.host_init,
	                      &r.install,
	                      &r.idmap,
	                      &r.idmap_end,
	                      &r.kvm_hyp_init,
	                      &r.do_hyp_init,
	                      &r.mmu_on,
	                      &r.kvm_hyp_reset,
	                      &r.seed,
	                      &r.va_offset_var,
	                      &r.params,
	                      &r.nvhe_pt,
	                      &r.hyp_stack_end,
	                      &r.pool,
	                      &r.lib.el2_to_el1,
	                      &r.lib.el1_mmu_on,
	                      &r.lib.el1_pgd,
	                      &r.lib.stub_vectors,
	                      &r.lib.stub_sync,
	                      &r.lib.pt_init,
	                      &r.lib.pt_map,
	                      &r.lib.pt_set_desc,
	                      &r.lib.clean_poc};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		*fields[i] += d;
	r.va_bits = va_bits;
	return r;
}

/* arm64-nvhe-init's HYP_FN_ANSWER: reads hyp_seed at its HYP VA. */
static struct model_step_result nvhe_answer(struct fm *f, const struct nvhe *n, uint64_t hvc_pc)
{
	nvhe_hypercall_enter(f, n, hvc_pc);
	uint64_t c = HYP(n, n->hyp_handle_call);
	run(f, c, 8); /* mov64, cmp, b.ne, adrp, add */
	struct model_step_result r = ldr(f, c + 0x20, HYP(n, n->seed));
	run(f, c + 0x24, 3);
	nvhe_hypercall_leave(f, n, hvc_pc);
	return r;
}

/* The whole arm64-nvhe-init flow. Returns false if the guest stops in an abort. */
static bool nvhe_flow(struct fm *f, struct nvhe *n)
{
	uint64_t ram = n->image - UINT64_C(0x100000);
	unsigned parange = n->image >= (UINT64_C(1) << 44) ? 5 : 4;
	fm_init(f, ram, UINT64_C(4) << 20, parange);
	load_code(f, n->image, n->data_start);
	boot_to_el1_mmu_on(f, &n->lib, n->image);
	/* _start: the host writes hyp_seed through the cache (never cleaned: EL2 reads it
	 * with its MMU and caches on). */
	str(f, n->start + 0x2c, n->seed, UINT64_C(0x6e76686500000000));
	struct fwpt pt;
	nvhe_host_prepare(f, n, &pt);
	if (!nvhe_install(f, n))
		return false;
	struct model_step_result r = nvhe_answer(f, n, n->start + 0x98);
	ck_assert_int_eq(r.fault.type, FAULT_NONE);
	ck_assert_uint_eq(r.tr.oa, n->seed);
	return true;
}

/* D8.13, D8.2, D17.1 and "Enabling stage 1 translation" (from a flat-mapped page): the
 * single-step nVHE init is clean for VA_BITS 48/39 with RAM below and above
 * 2^(VA_BITS-1) (both choices of kvm_compute_layout's HYP half, start levels 0 and 1). */
START_TEST(nvhe_init_clean_D8_13_D17_1)
{
	static const struct {
		uint64_t link;
		unsigned va_bits;
		uint64_t hyp_image; /* expected HYP VA of the image */
	} cases[] = {
	    {UINT64_C(0x40100000), 48, UINT64_C(0x800040100000)}, /* va48-low */
	    {UINT64_C(0x800040100000), 48, UINT64_C(0x40100000)}, /* va48-high */
	    {UINT64_C(0x40100000), 39, UINT64_C(0x4040100000)},   /* va39-low */
	    {UINT64_C(0x4040100000), 39, UINT64_C(0x40100000)},   /* va39-high */
	};
	struct nvhe n = nvhe_moved(&nvhe_va48_low, cases[_i].link, cases[_i].va_bits);
	struct fm f;
	ck_assert(nvhe_flow(&f, &n));
	ck_assert_uint_eq(HYP(&n, n.image), cases[_i].hyp_image);
	EXPECT_CLEAN(&f);
	fm_fini(&f);
}
END_TEST

/* B2.4 / D7.5 (PoC) and "Behavior of ... when all stages of translation are disabled":
 * EL2's MMU-off reads are Device-nGnRnE and read the PoC; the parameters are dirty. */
START_TEST(nvhe_no_params_clean_data_not_at_poc_B2_4_D7_5)
{
	struct nvhe n = nvhe_va48_low;
	n.no_params_clean = true;
	n.install = UINT64_C(0x40102198); /* fw_nvhe_install moves up by the missing call */
	struct fm f;
	nvhe_flow(&f, &n);
	EXPECT_FIRST(&f, HZ_DATA_NOT_AT_POC, n.do_hyp_init + 0x18); /* _load_params */
	fm_fini(&f);
}
END_TEST

/* D17.1 "Synchronization requirements for AArch64 System registers", "Enabling stage 1
 * translation": MSR SCTLR_EL2 (M=1) in a page that is not idmapped and no ISB: the next
 * fetch may be translated (Translation fault) or not. */
START_TEST(nvhe_mmu_on_not_idmap_missing_isb_D17_1)
{
	struct nvhe n = nvhe_va48_low;
	n.mmu_on_not_idmap = true;
	/* NVHE_BUG_MMU_ON_NOT_IDMAP moves __kvm_hyp_init_mmu_on into .text. */
	n.mmu_on = UINT64_C(0x40101800);
	n.hyp_vector = UINT64_C(0x40102000);
	n.host_hvc = UINT64_C(0x40102800);
	n.host_init = UINT64_C(0x40102830);
	n.install = UINT64_C(0x401029a4);
	n.kvm_hyp_reset = UINT64_C(0x40104874);
	n.lib.stub_vectors = UINT64_C(0x40103000);
	n.lib.stub_sync = UINT64_C(0x40103800);
	n.lib.el2_to_el1 = UINT64_C(0x40103828);
	n.lib.el1_mmu_on = UINT64_C(0x4010385c);
	n.lib.pt_init = UINT64_C(0x40103944);
	n.lib.pt_map = UINT64_C(0x401039c0);
	n.lib.pt_set_desc = UINT64_C(0x40103a60);
	n.lib.clean_poc = UINT64_C(0x40103aa8);
	struct fm f;
	ck_assert(!nvhe_flow(&f, &n));
	EXPECT_FIRST(&f, HZ_MISSING_ISB, n.mmu_on + 4);
	/* Coherent (MMU on): Translation fault; the other outcome: MMU off, PA == VA. */
	ck_assert(f.hz[0].outcomes[0].fault);
	ck_assert(!f.hz[0].outcomes[1].fault && f.hz[0].outcomes[1].pa == n.mmu_on + 4);
	/* Then the fault, taken to the init vectors: an event, not a report (DESIGN §3). */
	for (unsigned i = 0; i < f.nhz; i++)
		ck_assert_int_ne(f.hz[i].cls, HZ_UNEXPECTED_EXCEPTION);
	fm_fini(&f);
}
END_TEST

/* ================================================================== stub-teardown */

static const struct nvhe nvhe_teardown = {
    .image = UINT64_C(0x40100000),
    .image_end = UINT64_C(0x4011f000),
    .data_start = UINT64_C(0x40106000),
    .va_bits = 48,
    .start = UINT64_C(0x40101000),
    .hyp_handle_call = UINT64_C(0x40101114),
    .hyp_vector = UINT64_C(0x40101800),
    .host_hvc = UINT64_C(0x40102000),
    .host_init = UINT64_C(0x40102030),
    .install = UINT64_C(0x401021a4),
    .idmap = UINT64_C(0x40104000),
    .idmap_end = UINT64_C(0x40105000),
    .kvm_hyp_init = UINT64_C(0x40104000),
    .do_hyp_init = UINT64_C(0x40104800),
    .mmu_on = UINT64_C(0x40104848),
    .kvm_hyp_reset = UINT64_C(0x40104888),
    .seed = UINT64_C(0x40106000), /* hyp_calls */
    .va_offset_var = UINT64_C(0x40106040),
    .params = UINT64_C(0x40106080),
    .nvhe_pt = UINT64_C(0x401060c0),
    .hyp_stack_end = UINT64_C(0x4010c000),
    .pool = UINT64_C(0x4010c000),
    .lib = {.el2_to_el1 = UINT64_C(0x40103028),
            .el1_mmu_on = UINT64_C(0x4010305c),
            .el1_pgd = UINT64_C(0x4011c000),
            .stub_vectors = UINT64_C(0x40102800),
            .stub_sync = UINT64_C(0x40103000),
            .pt_init = UINT64_C(0x40103144),
            .pt_map = UINT64_C(0x401031c0),
            .pt_set_desc = UINT64_C(0x40103260),
            .clean_poc = UINT64_C(0x401032a8)},
};

/* stub-teardown's hyp_handle_call: hyp_calls++ (a cacheable store at EL2). */
static void teardown_answer(struct fm *f, const struct nvhe *n, uint64_t hvc_pc)
{
	nvhe_hypercall_enter(f, n, hvc_pc);
	uint64_t c = HYP(n, n->hyp_handle_call), calls = 0;
	run(f, c, 8);
	struct model_step_result r = ldr(f, c + 0x20, HYP(n, n->seed));
	ck_assert_uint_eq(r.tr.oa, n->seed);
	fm_read(f, n->seed, &calls, 8);
	run(f, c + 0x24, 1);
	str(f, c + 0x28, HYP(n, n->seed), calls + 1);
	run(f, c + 0x2c, 7);
	nvhe_hypercall_leave(f, n, hvc_pc);
}

/*
 * D8.13 (the reload's TLBI ALLE2 + DSB before the MMU goes on), D17.1 and "Enabling stage
 * 1 translation" / disabling it from the idmap page (__kvm_hyp_reset: MSR SCTLR_EL2 with
 * M/C/I clear + ISB at VA == PA), B2.4 (the MMU-off reload reads parameters cleaned to
 * PoC and not written since): init, hypercall, HVC_RESET_VECTORS, stub call, reload,
 * hypercall is clean.
 */
START_TEST(teardown_reload_clean_D8_13_D17_1)
{
	struct nvhe n = nvhe_teardown;
	struct fm f;
	fm_init(&f, UINT64_C(0x40000000), UINT64_C(4) << 20, 4);
	load_code(&f, n.image, n.data_start);
	boot_to_el1_mmu_on(&f, &n.lib, n.image);
	struct fwpt pt;
	nvhe_host_prepare(&f, &n, &pt);
	ck_assert(nvhe_install(&f, &n));
	teardown_answer(&f, &n, n.start + 0x3c);

	/* HVC_RESET_VECTORS: runtime vectors -> __kvm_hyp_reset at its PA (idmap page). */
	uint64_t hvc_pc = n.start + 0x60;
	uint64_t v = hvc(&f, hvc_pc);
	run(&f, v, 1);
	uint64_t hh = HYP(&n, n.host_hvc);
	run(&f, hh, 2); /* cmp, b.eq 1f */
	run(&f, hh + 0x18, 1);
	ldr(&f, hh + 0x1c, HYP(&n, n.va_offset_var));
	run(&f, hh + 0x20, 4); /* adrp, add, sub, br x6 */
	uint64_t rs = n.kvm_hyp_reset;
	run(&f, rs, 4);
	msr(&f, rs + 0x10, SR_SCTLR_EL2, FW_SCTLR_EL2_RES1);
	isb(&f, rs + 0x14);
	run(&f, rs + 0x18, 1);
	msr(&f, rs + 0x1c, SR_VBAR_EL2, n.lib.stub_vectors);
	run(&f, rs + 0x20, 1);
	eret(&f, rs + 0x24, 1, hvc_pc + 4);

	/* The stub answers an unknown call with HVC_STUB_ERR. */
	hvc_pc = n.start + 0x6c;
	v = hvc(&f, hvc_pc);
	ck_assert_uint_eq(v, n.lib.stub_vectors + 0x400);
	run(&f, v, 1);
	run(&f, n.lib.stub_sync, 2);
	run(&f, n.lib.stub_sync + 0x14, 4);
	eret(&f, n.lib.stub_sync + 0x24, 1, hvc_pc + 4);

	/* Reload on the same tables and parameters, and the hypercall again. */
	ck_assert(nvhe_install(&f, &n));
	teardown_answer(&f, &n, n.start + 0xb4);
	EXPECT_CLEAN(&f);
	uint64_t calls = 0;
	fm_read(&f, n.seed, &calls, 8);
	ck_assert_uint_eq(calls, 2); /* the counter survived the reload */
	fm_fini(&f);
}
END_TEST

/* ------------------------------------------------------------------ suite */

static Suite *flows_suite(void)
{
	Suite *s = suite_create("flows");
	TCase *nv = tcase_create("arm64-nvhe-init");
	tcase_add_loop_test(nv, nvhe_init_clean_D8_13_D17_1, 0, 4);
	tcase_add_test(nv, nvhe_no_params_clean_data_not_at_poc_B2_4_D7_5);
	tcase_add_test(nv, nvhe_mmu_on_not_idmap_missing_isb_D17_1);
	tcase_add_test(nv, teardown_reload_clean_D8_13_D17_1);
	suite_add_tcase(s, nv);
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
