/*
 * test_s2_checker.c - Check tests of stage 2 through the checker's one entry point
 * (model_step, model.h): an EL1 CPU with HCR_EL2.VM=1 next to an EL2 CPU that maintains
 * its stage 2 tables, as pKVM's host and hypervisor are. Each test names the Arm ARM rule;
 * each rule has its hazard (positive) and its correct sequence (negative). HCR_EL2.VM=0
 * must leave the checker as it was (the other model tests and the golden traces check the
 * rest of that).
 */
#include <check.h>
#include <stdlib.h>

#include "test_checker.h"

#define IPA_X          UINT64_C(0x80000000) /* outside RAM: stage 2 maps it to page_p */
#define S2_RW          ((UINT64_C(0xf) << 2) | (UINT64_C(3) << 6) | (UINT64_C(3) << DESC_SH_SHIFT) | DESC_AF)
#define S2_RO          ((UINT64_C(0xf) << 2) | (UINT64_C(1) << 6) | (UINT64_C(3) << DESC_SH_SHIFT) | DESC_AF)
#define S2_PAGE(pa, a) ((pa) | (a) | DESC_VALID | DESC_TABLE)
/* VTCR_EL2: T0SZ=25 (39-bit IPA), SL0=1 (level 1, the layout machine.h's tables have),
 * IRGN0/ORGN0 WB, SH0 Inner, 4K, PS 48 bits. */
#define VTCR                                                                                       \
	(UINT64_C(25) | UINT64_C(1) << 6 | UINT64_C(1) << 8 | UINT64_C(1) << 10 |                  \
	 UINT64_C(3) << 12 | UINT64_C(5) << 16)
#define TCR_EL1_39                                                                                 \
	(UINT64_C(25) | UINT64_C(1) << TCR_EL1_IRGN0_SHIFT | UINT64_C(3) << TCR_EL1_SH0_SHIFT |    \
	 TCR_EL1_EPD1 | UINT64_C(5) << TCR_EL1_IPS_SHIFT |                                         \
	 (uint64_t)TCR_TG1_4K << TCR_EL1_TG1_SHIFT)

static struct machine mt;
static uint64_t s2root, page_p, page_q, leaf_x;

/* cpu 0 at EL2 (MMU off) maintains; cpu 1 at EL1 runs with stage 2 of VMID 1 on (vm). */
static void start(bool vm)
{
	mt_init_cfg(&mt, 2, TLB_POLICY_SPECULATIVE, false, false);
	s2root = mt_table(&mt);
	for (uint64_t pa = RAM_BASE; pa < RAM_BASE + RAM_SIZE; pa += 4096)
		ram_w64(&mt, mt_desc_pa(&mt, s2root, pa, 3), S2_PAGE(pa, S2_RW));
	page_p = PA1;
	page_q = PA2;
	leaf_x = mt_desc_pa(&mt, s2root, IPA_X, 3);
	ram_w64(&mt, leaf_x, S2_PAGE(page_p, S2_RW));
	struct model_cpu_reset r = {.el = 1};
	r.sysreg[SR_SCTLR_EL2] = SCTLR_EL2_BOOT;
	r.sysreg[SR_SCTLR_EL1] = SCTLR_EL1_BOOT;
	r.sysreg[SR_HCR_EL2] = HCR_EL2_RW | (vm ? HCR_EL2_VM : 0);
	r.sysreg[SR_VTCR_EL2] = VTCR;
	r.sysreg[SR_VTTBR_EL2] = s2root | UINT64_C(1) << 48;
	model_reset_cpu(mt.m, 1, &r);
}

static void setup(void)
{
	start(true);
}

static void teardown(void)
{
	mt_fini(&mt);
}

/* Stage 1 of cpu 1 on: RAM identity-mapped, VX -> IPA_X. */
static uint64_t stage1_on(void)
{
	uint64_t root = mt_idmap(&mt);
	uint64_t d = mt_map(&mt, root, VX, IPA_X, ATTR_WB);
	ev_msr(&mt, 1, SR_MAIR_EL1, MT_MAIR);
	ev_msr(&mt, 1, SR_TCR_EL1, TCR_EL1_39);
	ev_msr(&mt, 1, SR_TTBR0_EL1, root);
	ev_isb(&mt, 1);
	ev_msr(&mt, 1, SR_SCTLR_EL1, SCTLR_EL1_BOOT | SCTLR_ELx_M | SCTLR_ELx_C | SCTLR_ELx_I);
	ev_isb(&mt, 1);
	return d;
}

/* D8.2: with HCR_EL2.VM=1 an EL1 access (stage 1 off: IPA = VA) goes through stage 2, and
 * a stage 2 fault is reported with its stage, taken to EL2, HPFAR_EL2 = the IPA's page. */
START_TEST(test_s2_step_translates_and_reports_stage2_fault)
{
	struct model_step_result r = ev_load(&mt, 1, IPA_X + 0x18, 8);
	ck_assert(r.s2_on);
	ck_assert_int_eq(r.fault.type, FAULT_NONE);
	ck_assert_uint_eq(r.tr.oa, page_p + 0x18);
	ck_assert_uint_eq(r.ipa, IPA_X + 0x18);
	r = ev_load(&mt, 1, UINT64_C(0x20000008), 8); /* no stage 2 entry */
	ck_assert_int_eq(r.fault.type, FAULT_TRANSLATION);
	ck_assert_uint_eq(r.fault12.stage, 2);
	ck_assert_uint_eq(r.fault12.target_el, 2);
	struct s12_syndrome syn;
	s12_fault_syndrome(&r.fault12, ACC_READ, 1, UINT64_C(0x20000008), &syn);
	ck_assert_uint_eq(syn.esr >> ESR_EC_SHIFT, EC_DABT_LOW);
	ck_assert_uint_eq(syn.hpfar, UINT64_C(0x20000) << 4);
	EXPECT_NONE(&mt); /* a certain fault is an event, not a hazard */
}
END_TEST

/* Negative: HCR_EL2.VM=0, the same accesses are stage 1 only (MMU off: PA = VA). */
START_TEST(test_s2_step_vm0_is_stage1_only)
{
	mt_fini(&mt);
	start(false);
	struct model_step_result r = ev_load(&mt, 1, RAM_BASE + 0x18, 8);
	ck_assert(!r.s2_on);
	ck_assert_uint_eq(r.tr.oa, RAM_BASE + 0x18);
	ck_assert_uint_eq(r.fault12.stage, 0);
	r = ev_load(&mt, 1, RAM_BASE + 0x18, 8);
	ck_assert(!r.s2_on);
	ev_store(&mt, 0, leaf_x, 8, 0); /* not a live stage 2 table: nothing kept */
	EXPECT_NONE(&mt);
}
END_TEST

/* D8.13: unmapping at stage 2 without a TLBI leaves the old entry (stale-tlb). */
START_TEST(test_s2_step_unmap_without_tlbi_is_stale_tlb)
{
	ev_load(&mt, 1, IPA_X, 8);
	ev_store(&mt, 0, leaf_x, 8, 0);
	ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
	ev_isb(&mt, 1);
	struct model_step_result r = ev_load(&mt, 1, IPA_X, 8);
	ck_assert_uint_eq(r.fault12.stage, 2);
	EXPECT(&mt, HZ_STALE_TLB, 1);
	ck_assert_uint_eq(mt.hz[0].outcomes[1].pa, page_p);
	ck_assert_uint_eq(mt.hz[0].cpu, 1);
}
END_TEST

/* Negative: the hypervisor's sequence, DSB, TLBI VMALLS12E1IS, DSB ISH, then the EL1
 * CPU's context synchronisation (its exception return), is clean. */
START_TEST(test_s2_step_unmap_with_vmalls12e1is_is_clean)
{
	ev_msr(&mt, 0, SR_VTTBR_EL2, s2root | UINT64_C(1) << 48); /* the guest's VMID */
	ev_isb(&mt, 0);
	ev_load(&mt, 1, IPA_X, 8);
	ev_store(&mt, 0, leaf_x, 8, 0);
	ev_dsb(&mt, 0, DOM_ISH, BAR_ST);
	ev_tlbi(&mt, 0, TLBI_VMALLS12E1IS, 0);
	ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
	ev_isb(&mt, 1);
	struct model_step_result r = ev_load(&mt, 1, IPA_X, 8);
	ck_assert_uint_eq(r.fault12.stage, 2);
	EXPECT_NONE(&mt);
}
END_TEST

/* D8.13.x: the TLBI is issued by the EL2 CPU while its own VTTBR_EL2 names VMID 0: it does
 * not reach VMID 1's entries. */
START_TEST(test_s2_step_tlbi_in_other_vmid_is_stale_tlb)
{
	ev_load(&mt, 1, IPA_X, 8);
	ev_store(&mt, 0, leaf_x, 8, 0);
	ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
	ev_tlbi(&mt, 0, TLBI_VMALLS12E1IS, 0); /* cpu 0's VTTBR_EL2 is 0: VMID 0 */
	ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
	ev_isb(&mt, 1);
	ev_load(&mt, 1, IPA_X, 8);
	EXPECT(&mt, HZ_STALE_TLB, 1);
	mt_clear(&mt);
	ev_msr(&mt, 0, SR_VTTBR_EL2, s2root | UINT64_C(1) << 48);
	ev_isb(&mt, 0);
	ev_tlbi(&mt, 0, TLBI_VMALLS12E1IS, 0);
	ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
	ev_isb(&mt, 1);
	ev_load(&mt, 1, IPA_X, 8);
	EXPECT_NONE(&mt);
}
END_TEST

/* D8.14.1: a live stage 2 page remapped valid -> valid without break-before-make is bbm at
 * the store; a permission change (S2AP) is not. */
START_TEST(test_s2_step_bbm_on_remap)
{
	ev_load(&mt, 1, IPA_X, 8);
	ev_store(&mt, 0, leaf_x, 8, S2_PAGE(page_p, S2_RO));
	EXPECT_NONE(&mt);
	ev_store(&mt, 0, leaf_x, 8, S2_PAGE(page_q, S2_RO));
	EXPECT(&mt, HZ_BBM, 1);
	ck_assert_uint_eq(mt.hz[0].cpu, 0);
}
END_TEST

/* DC ZVA over a live stage 2 table zeroes its descriptors: an unmap like a store of 0
 * (stale-tlb without a TLBI). */
START_TEST(test_s2_step_dc_zva_over_stage2_table_is_stale_tlb)
{
	ev_load(&mt, 1, IPA_X, 8);
	struct model_step_result r = ev_dc(&mt, 0, DC_ZVA, leaf_x);
	ck_assert_int_eq(r.fault.type, FAULT_ALIGNMENT); /* EL2 MMU off: Device memory */
	EXPECT_NONE(&mt);
	/* With the EL2 MMU on (identity, Normal WB) the DC ZVA zeroes the table line. */
	uint64_t root = mt_idmap(&mt);
	mt_mmu_on(&mt, 0, root, SCTLR_ON);
	ev_dc(&mt, 0, DC_ZVA, leaf_x);
	ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
	ev_isb(&mt, 1);
	r = ev_load(&mt, 1, IPA_X, 8);
	ck_assert_uint_eq(r.fault12.stage, 2);
	EXPECT(&mt, HZ_STALE_TLB, 1);
}
END_TEST

/* D8.2 + D8.13 for stage 1 under stage 2: a stale stage 1 entry gives an IPA, whose
 * outcome is its stage 2 translation (the PA, not the IPA). */
START_TEST(test_s2_step_stale_stage1_entry_goes_through_stage2)
{
	uint64_t d = stage1_on();
	struct model_step_result r = ev_load(&mt, 1, VX, 8);
	ck_assert_int_eq(r.fault.type, FAULT_NONE);
	ck_assert_uint_eq(r.tr.oa, page_p);
	ev_store(&mt, 1, d, 8, 0); /* EL1 unmaps its own page (cacheable store) */
	ev_dsb(&mt, 1, DOM_ISH, BAR_ALL);
	ev_isb(&mt, 1);
	r = ev_load(&mt, 1, VX, 8);
	ck_assert_uint_eq(r.fault12.stage, 1);
	ck_assert_uint_eq(r.fault12.target_el, 1);
	EXPECT(&mt, HZ_STALE_TLB, 1);
	ck_assert_uint_eq(mt.hz[0].outcomes[1].pa, page_p);
}
END_TEST

/* Negative: the EL1 CPU's TLBI VMALLE1IS, DSB, ISB removes the stage 1 entry. */
START_TEST(test_s2_step_stage1_unmap_with_vmalle1_is_clean)
{
	uint64_t d = stage1_on();
	ev_load(&mt, 1, VX, 8);
	ev_store(&mt, 1, d, 8, 0);
	ev_dsb(&mt, 1, DOM_ISH, BAR_ALL);
	ev_tlbi(&mt, 1, TLBI_VMALLE1IS, 0);
	ev_dsb(&mt, 1, DOM_ISH, BAR_ALL);
	ev_isb(&mt, 1);
	struct model_step_result r = ev_load(&mt, 1, VX, 8);
	ck_assert_uint_eq(r.fault12.stage, 1);
	EXPECT_NONE(&mt);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("s2-checker");
	TCase *tc = tcase_create("model_step");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_s2_step_translates_and_reports_stage2_fault);
	tcase_add_test(tc, test_s2_step_vm0_is_stage1_only);
	tcase_add_test(tc, test_s2_step_unmap_without_tlbi_is_stale_tlb);
	tcase_add_test(tc, test_s2_step_unmap_with_vmalls12e1is_is_clean);
	tcase_add_test(tc, test_s2_step_tlbi_in_other_vmid_is_stale_tlb);
	tcase_add_test(tc, test_s2_step_bbm_on_remap);
	tcase_add_test(tc, test_s2_step_dc_zva_over_stage2_table_is_stale_tlb);
	tcase_add_test(tc, test_s2_step_stale_stage1_entry_goes_through_stage2);
	tcase_add_test(tc, test_s2_step_stage1_unmap_with_vmalle1_is_clean);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
