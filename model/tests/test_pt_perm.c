/*
 * test_pt_perm.c - Check tests of hypsim's stage 1 walker (model/pt.c):
 * permissions (D8.4); suite 'model'.
 * Shared definitions and the conventions of these tests: test_pt.h.
 */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "arch.h"
#include "pt.h"
#include "test_pt.h"
#include "test_util.h"

/* ---- D8.4: permissions ------------------------------------------------------------------ */

#define APT0  (UINT64_C(1) << DESC_APTABLE_SHIFT) /* APTable[0]: no EL0 */
#define APT1  (UINT64_C(2) << DESC_APTABLE_SHIFT) /* APTable[1]: read-only */
#define AP_00 0
#define AP_01 DESC_AP1
#define AP_10 DESC_AP2
#define AP_11 (DESC_AP1 | DESC_AP2)

struct perm_case {
	const char *rule;
	enum regime regime;
	uint64_t leaf; /* AP/XN/PXN bits */
	uint64_t tbl;  /* hierarchical bits on every table descriptor */
	bool wxn;
	unsigned el;
	enum access_type acc;
	bool fault;
};

static const struct perm_case perm_cases[] = {
    /* EL2 regime (D8.4.x): AP[2] only, AP[1] RES1/ignored, XN only. */
    {"D8.4 EL2 RW: read", REGIME_EL2, AP_00, 0, false, 2, ACC_READ, false},
    {"D8.4 EL2 RW: write", REGIME_EL2, AP_00, 0, false, 2, ACC_WRITE, false},
    {"D8.4 EL2 RW: fetch", REGIME_EL2, AP_00, 0, false, 2, ACC_FETCH, false},
    {"D8.4 EL2 RW: DC CVAC", REGIME_EL2, AP_00, 0, false, 2, ACC_DC_READ, false},
    {"D8.4 EL2 RW: DC IVAC/ZVA", REGIME_EL2, AP_00, 0, false, 2, ACC_DC_WRITE, false},
    {"D8.4 EL2 AP[2]=1: read", REGIME_EL2, AP_10, 0, false, 2, ACC_READ, false},
    {"D8.4 EL2 AP[2]=1: write faults", REGIME_EL2, AP_10, 0, false, 2, ACC_WRITE, true},
    {"D8.4 EL2 AP[2]=1: DC IVAC/ZVA need write permission", REGIME_EL2, AP_10, 0, false, 2,
     ACC_DC_WRITE, true},
    {"D8.4 EL2 AP[2]=1: DC CVAC needs only read", REGIME_EL2, AP_10, 0, false, 2, ACC_DC_READ,
     false},
    {"D8.4 EL2 AP[2]=1: fetch", REGIME_EL2, AP_10, 0, false, 2, ACC_FETCH, false},
    {"D8.4 EL2 AP[1] is ignored: write", REGIME_EL2, AP_01, 0, false, 2, ACC_WRITE, false},
    {"D8.4 EL2 AP[1] is ignored: fetch", REGIME_EL2, AP_01, 0, false, 2, ACC_FETCH, false},
    {"D8.4 EL2 AP=11: write faults", REGIME_EL2, AP_11, 0, false, 2, ACC_WRITE, true},
    {"D8.4 EL2 XN: fetch faults", REGIME_EL2, DESC_XN, 0, false, 2, ACC_FETCH, true},
    {"D8.4 EL2 XN: read", REGIME_EL2, DESC_XN, 0, false, 2, ACC_READ, false},
    {"D8.4 EL2 XN: DC CVAC unaffected by XN", REGIME_EL2, DESC_XN | AP_10, 0, false, 2, ACC_DC_READ,
     false},
    {"D8.4 EL2 PXN is RES0: fetch", REGIME_EL2, DESC_PXN, 0, false, 2, ACC_FETCH, false},
    {"D8.4 EL2 WXN: writable is XN", REGIME_EL2, AP_00, 0, true, 2, ACC_FETCH, true},
    {"D8.4 EL2 WXN: read-only is executable", REGIME_EL2, AP_10, 0, true, 2, ACC_FETCH, false},
    {"D8.4 EL2 WXN: writable is still readable", REGIME_EL2, AP_00, 0, true, 2, ACC_READ, false},
    {"D8.4 EL2 APTable[1]: write faults", REGIME_EL2, AP_00, APT1, false, 2, ACC_WRITE, true},
    {"D8.4 EL2 APTable[1] with WXN: executable", REGIME_EL2, AP_00, APT1, true, 2, ACC_FETCH,
     false},
    {"D8.4 EL2 APTable[0] is RES0: write", REGIME_EL2, AP_00, APT0, false, 2, ACC_WRITE, false},
    {"D8.4 EL2 XNTable: fetch faults", REGIME_EL2, AP_00, DESC_XNTABLE, false, 2, ACC_FETCH, true},
    {"D8.4 EL2 PXNTable is RES0: fetch", REGIME_EL2, AP_00, DESC_PXNTABLE, false, 2, ACC_FETCH,
     false},
    /* EL1&0 regime: AP[2:1] 00 EL1 RW; 01 EL1 RW EL0 RW; 10 EL1 RO; 11 EL1 RO EL0 RO. */
    {"D8.4 EL1&0 AP=00: EL1 read", REGIME_EL10, AP_00, 0, false, 1, ACC_READ, false},
    {"D8.4 EL1&0 AP=00: EL1 write", REGIME_EL10, AP_00, 0, false, 1, ACC_WRITE, false},
    {"D8.4 EL1&0 AP=00: EL1 fetch", REGIME_EL10, AP_00, 0, false, 1, ACC_FETCH, false},
    {"D8.4 EL1&0 AP=00: EL0 read faults", REGIME_EL10, AP_00, 0, false, 0, ACC_READ, true},
    {"D8.4 EL1&0 AP=00: EL0 write faults", REGIME_EL10, AP_00, 0, false, 0, ACC_WRITE, true},
    {"D8.4 EL1&0 AP=00: EL0 DC CVAC needs EL0 read", REGIME_EL10, AP_00, 0, false, 0, ACC_DC_READ,
     true},
    {"D8.4 EL1&0 AP=00 UXN=0: EL0 execute-only", REGIME_EL10, AP_00, 0, false, 0, ACC_FETCH, false},
    {"D8.4 EL1&0 AP=01: EL0 read", REGIME_EL10, AP_01, 0, false, 0, ACC_READ, false},
    {"D8.4 EL1&0 AP=01: EL0 write", REGIME_EL10, AP_01, 0, false, 0, ACC_WRITE, false},
    {"D8.4 EL1&0 AP=01: EL0 fetch", REGIME_EL10, AP_01, 0, false, 0, ACC_FETCH, false},
    {"D8.4 EL1&0 AP=01: EL1 write", REGIME_EL10, AP_01, 0, false, 1, ACC_WRITE, false},
    {"D8.4 EL1&0 AP=01: EL0-writable is never EL1-executable", REGIME_EL10, AP_01, 0, false, 1,
     ACC_FETCH, true},
    {"D8.4 EL1&0 AP=10: EL1 read", REGIME_EL10, AP_10, 0, false, 1, ACC_READ, false},
    {"D8.4 EL1&0 AP=10: EL1 write faults", REGIME_EL10, AP_10, 0, false, 1, ACC_WRITE, true},
    {"D8.4 EL1&0 AP=10: EL1 DC IVAC faults", REGIME_EL10, AP_10, 0, false, 1, ACC_DC_WRITE, true},
    {"D8.4 EL1&0 AP=10: EL1 DC CVAC", REGIME_EL10, AP_10, 0, false, 1, ACC_DC_READ, false},
    {"D8.4 EL1&0 AP=10: EL0 read faults", REGIME_EL10, AP_10, 0, false, 0, ACC_READ, true},
    {"D8.4 EL1&0 AP=11: EL0 read", REGIME_EL10, AP_11, 0, false, 0, ACC_READ, false},
    {"D8.4 EL1&0 AP=11: EL0 write faults", REGIME_EL10, AP_11, 0, false, 0, ACC_WRITE, true},
    {"D8.4 EL1&0 AP=11: EL0 DC ZVA faults", REGIME_EL10, AP_11, 0, false, 0, ACC_DC_WRITE, true},
    {"D8.4 EL1&0 AP=11: EL0 DC CVAC", REGIME_EL10, AP_11, 0, false, 0, ACC_DC_READ, false},
    {"D8.4 EL1&0 AP=11: EL1 fetch", REGIME_EL10, AP_11, 0, false, 1, ACC_FETCH, false},
    {"D8.4 EL1&0 UXN: EL0 fetch faults", REGIME_EL10, AP_11 | DESC_XN, 0, false, 0, ACC_FETCH,
     true},
    {"D8.4 EL1&0 UXN: EL1 fetch", REGIME_EL10, AP_11 | DESC_XN, 0, false, 1, ACC_FETCH, false},
    {"D8.4 EL1&0 PXN: EL1 fetch faults", REGIME_EL10, AP_11 | DESC_PXN, 0, false, 1, ACC_FETCH,
     true},
    {"D8.4 EL1&0 PXN: EL0 fetch", REGIME_EL10, AP_11 | DESC_PXN, 0, false, 0, ACC_FETCH, false},
    {"D8.4 EL1&0 PXN: EL1 read", REGIME_EL10, AP_11 | DESC_PXN, 0, false, 1, ACC_READ, false},
    {"D8.4 EL1&0 WXN: EL1-writable is EL1 XN", REGIME_EL10, AP_00, 0, true, 1, ACC_FETCH, true},
    {"D8.4 EL1&0 WXN: EL1-only writable stays EL0 executable", REGIME_EL10, AP_00, 0, true, 0,
     ACC_FETCH, false},
    {"D8.4 EL1&0 WXN: EL0-writable is EL0 XN", REGIME_EL10, AP_01, 0, true, 0, ACC_FETCH, true},
    {"D8.4 EL1&0 WXN: read-only is EL1 executable", REGIME_EL10, AP_10, 0, true, 1, ACC_FETCH,
     false},
    {"D8.4 EL1&0 WXN: read-only is EL0 executable", REGIME_EL10, AP_11, 0, true, 0, ACC_FETCH,
     false},
    {"D8.4 EL1&0 APTable[0]: no EL0 read", REGIME_EL10, AP_01, APT0, false, 0, ACC_READ, true},
    {"D8.4 EL1&0 APTable[0]: EL1 write still allowed", REGIME_EL10, AP_01, APT0, false, 1,
     ACC_WRITE, false},
    {"D8.4 EL1&0 APTable[0]: no longer EL0-writable, so EL1-executable", REGIME_EL10, AP_01, APT0,
     false, 1, ACC_FETCH, false},
    {"D8.4 EL1&0 APTable[1]: EL0 write faults", REGIME_EL10, AP_01, APT1, false, 0, ACC_WRITE,
     true},
    {"D8.4 EL1&0 APTable[1]: EL1 write faults", REGIME_EL10, AP_01, APT1, false, 1, ACC_WRITE,
     true},
    {"D8.4 EL1&0 APTable[1]: EL0 read", REGIME_EL10, AP_01, APT1, false, 0, ACC_READ, false},
    {"D8.4 EL1&0 UXNTable: EL0 fetch faults", REGIME_EL10, AP_11, DESC_XNTABLE, false, 0, ACC_FETCH,
     true},
    {"D8.4 EL1&0 UXNTable: EL1 fetch", REGIME_EL10, AP_11, DESC_XNTABLE, false, 1, ACC_FETCH,
     false},
    {"D8.4 EL1&0 PXNTable: EL1 fetch faults", REGIME_EL10, AP_11, DESC_PXNTABLE, false, 1,
     ACC_FETCH, true},
    {"D8.4 EL1&0 PXNTable: EL0 fetch", REGIME_EL10, AP_11, DESC_PXNTABLE, false, 0, ACC_FETCH,
     false},
};

START_TEST(d8_4_permissions)
{
	const struct perm_case *c = &perm_cases[_i];
	struct test_mem m;
	struct pt_cfg cfg;
	struct fault f;
	uint64_t root, va = 0x12345000, sctlr = SCTLR_ON | (c->wxn ? SCTLR_ELx_WXN : 0);
	struct walk_result r;

	test_mem_init(&m, RAM_BASE, RAM_SIZE);
	root = test_mem_alloc(&m, SZ_4K);
	if (c->regime == REGIME_EL2)
		ck_assert(pt_cfg_from_regs(REGIME_EL2, TEST_PA_BITS, sctlr, tcr_el2(16, 0, 5), root,
		                           0, TEST_MAIR, va, &cfg, &f));
	else
		ck_assert(pt_cfg_from_regs(REGIME_EL10, TEST_PA_BITS, sctlr,
		                           tcr_el1(16, 0, 16, 2, 5), root, 0, TEST_MAIR, va, &cfg,
		                           &f));
	ck_assert(cfg.wxn == c->wxn);
	test_map(&m, &cfg, va, 3, 0x40000000 | LEAF_RW | c->leaf, c->tbl);
	r = translate(&cfg, &m, va);
	ck_fault(r, FAULT_NONE, 3);
	f = pt_check_perm(&cfg, &r, c->acc, c->el);
	ck_assert_msg(f.type == (c->fault ? FAULT_PERMISSION : FAULT_NONE),
	              "%s: %s at EL%u gave %s", c->rule, pt_access_name(c->acc), c->el,
	              pt_fault_name(f.type));
	if (c->fault)
		ck_assert_int_eq(f.level, 3);
	test_mem_fini(&m);
}
END_TEST

START_TEST(d8_4_permission_fault_level_is_leaf_level)
{
	/* A Permission fault is reported at the level of the leaf (a 2 MiB block here). */
	struct test_mem m;
	struct pt_cfg cfg;
	struct walk_result r;
	struct fault f;

	test_mem_init(&m, RAM_BASE, RAM_SIZE);
	cfg = el2_cfg(&m, 16, 12, 5, SCTLR_ON);
	test_map(&m, &cfg, 0x80000000, 2, 0x80000000 | LEAF_RW | DESC_AP2, 0);
	r = translate(&cfg, &m, 0x80001000);
	f = pt_check_perm(&cfg, &r, ACC_WRITE, 2);
	ck_assert_int_eq(f.type, FAULT_PERMISSION);
	ck_assert_int_eq(f.level, 2);
	test_mem_fini(&m);
}
END_TEST

START_TEST(d8_4_hierarchical_attributes_accumulate_over_levels)
{
	/* D8.4: APTable/XNTable/PXNTable at any table level apply to every later level, and
	 * are ORed together; a table entry never grants what a higher one removed. */
	struct test_mem m;
	struct pt_cfg cfg;
	struct fault f;
	uint64_t root, va = UINT64_C(0x0000008040201000);
	struct walk_result r;

	test_mem_init(&m, RAM_BASE, RAM_SIZE);
	root = test_mem_alloc(&m, SZ_4K);
	ck_assert(pt_cfg_from_regs(REGIME_EL10, TEST_PA_BITS, SCTLR_ON, tcr_el1(16, 0, 16, 2, 5),
	                           root, 0, TEST_MAIR, va, &cfg, &f));
	test_map(&m, &cfg, va, 3, 0x40000000 | LEAF_RW | AP_01, 0);
	r = translate(&cfg, &m, va);
	ck_assert(!r.ro && r.el0 && !r.xn && !r.pxn);

	uint64_t l0 = r.steps[0].desc_pa, l1 = r.steps[1].desc_pa, l2 = r.steps[2].desc_pa;
	test_mem_w64(&m, l0, r.steps[0].desc | APT1);
	test_mem_w64(&m, l1, r.steps[1].desc | DESC_PXNTABLE);
	test_mem_w64(&m, l2, r.steps[2].desc | DESC_XNTABLE | APT0);
	r = translate(&cfg, &m, va);
	ck_fault(r, FAULT_NONE, 3);
	ck_assert(r.ro && !r.el0 && r.xn && r.pxn);
	ck_assert_int_eq(pt_check_perm(&cfg, &r, ACC_WRITE, 1).type, FAULT_PERMISSION);
	ck_assert_int_eq(pt_check_perm(&cfg, &r, ACC_READ, 0).type, FAULT_PERMISSION);
	ck_assert_int_eq(pt_check_perm(&cfg, &r, ACC_FETCH, 1).type, FAULT_PERMISSION);
	ck_assert_int_eq(pt_check_perm(&cfg, &r, ACC_READ, 1).type, FAULT_NONE);
	/* The leaf's own AP[2]=0 does not undo APTable[1] from level 0. */
	ck_assert(!(r.leaf_desc & DESC_AP2));
	test_mem_fini(&m);
}
END_TEST

static Suite *pt_suite(void)
{
	Suite *s = suite_create("pt");
	TCase *tc;

	tc = tcase_create("permissions");
	tcase_add_loop_test(tc, d8_4_permissions, 0, N(perm_cases));
	tcase_add_test(tc, d8_4_permission_fault_level_is_leaf_level);
	tcase_add_test(tc, d8_4_hierarchical_attributes_accumulate_over_levels);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pt_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
