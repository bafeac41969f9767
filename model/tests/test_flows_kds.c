/*
 * test_flows_kds.c - firmware/kvm-dual-step's init flow replayed at model level, suite 'model'.
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

/* ================================================================== kvm-dual-step */

/* firmware/kvm-dual-step, linked at 0x4010_0000, VA_BITS 39 (start level 1). */
#define KDS_IMAGE       UINT64_C(0x40100000)
#define KDS_HOST_MAIN   UINT64_C(0x4010103c)
#define KDS_INIT        UINT64_C(0x40102800) /* __kvm_hyp_init */
#define KDS_INIT_PAGE   UINT64_C(0x40102000)
#define KDS_INIT_END    UINT64_C(0x40103040) /* 0x4010303c without one insn (no-tlbi/dsb) */
#define KDS_HYP_TEXT    UINT64_C(0x40104000) /* __hyp_text_start = __kvm_hyp_vector */
#define KDS_HOST_HVC    UINT64_C(0x40104800) /* __kvm_hyp_host_hvc */
#define KDS_READ_ANSWER UINT64_C(0x40104820) /* __hyp_read_answer */
#define KDS_RODATA_END  UINT64_C(0x40108000)
#define KDS_BOUNCE      UINT64_C(0x40108000) /* kvm_bounce_page */
#define KDS_DATA        UINT64_C(0x40109000) /* hyp_data_page */
#define KDS_STACK       UINT64_C(0x4010a000) /* hyp_stack_page */
#define KDS_BOOT_POOL   UINT64_C(0x4010b000)
#define KDS_RT_POOL     UINT64_C(0x40113000)
#define KDS_BOOT_PT     UINT64_C(0x4011f000)
#define KDS_RT_PT       UINT64_C(0x4011f040)
#define KDS_SKEW        PG                     /* HYP VA = PA - 4 KiB */
#define KDS_TRAMP       UINT64_C(0x7ffffff000) /* (1 << 39) - 4 KiB */
#define KDS_DATA_VALUE  UINT64_C(0x4b564d0000000000)

static const struct lib kds_lib = {
    .el2_to_el1 = UINT64_C(0x40106028),
    .el1_mmu_on = UINT64_C(0x4010605c),
    .el1_pgd = UINT64_C(0x40120000),
    .stub_vectors = UINT64_C(0x40105800),
    .stub_sync = UINT64_C(0x40106000),
    .pt_init = UINT64_C(0x40106144),
    .pt_map = UINT64_C(0x401061c0),
    .pt_set_desc = UINT64_C(0x40106260),
    .clean_poc = UINT64_C(0x401062a8),
};

/* FW_BUG_PT_NO_CLEAN drops the DC loops from lib/pgtable.S: the routines move. */
static const struct lib kds_lib_no_clean = {
    .el2_to_el1 = UINT64_C(0x40106028),
    .el1_mmu_on = UINT64_C(0x4010605c),
    .el1_pgd = UINT64_C(0x40120000),
    .stub_vectors = UINT64_C(0x40105800),
    .stub_sync = UINT64_C(0x40106000),
    .pt_init = UINT64_C(0x40106144),
    .pt_map = UINT64_C(0x401061ac),
    .pt_set_desc = UINT64_C(0x40106238),
    .clean_poc = UINT64_C(0x4010627c),
};

enum kds_bug {
	KDS_OK,
	KDS_NO_TLBI,
	KDS_NO_DSB,
	KDS_TRAMP_PA,
	KDS_NO_TABLE_CLEAN,
	KDS_TABLE_IVAC,
	KDS_NO_BOUNCE_CLEAN,
	KDS_NO_BOUNCE,
};

/* The VA __kvm_hyp_init + off runs at before the MMU is on (bounce page, or in place). */
static uint64_t kds_init_base(enum kds_bug bug)
{
	return bug == KDS_NO_BOUNCE ? KDS_INIT : KDS_BOUNCE;
}

/* Tagged PCs the tests assert. */
#define KDS_PC_MMU_ON_4(bug) (kds_init_base(bug) + 0x464)      /* __kvm_hyp_init_mmu_on+4 */
#define KDS_PC_SWITCH_4      (KDS_TRAMP + 0x824)               /* __kvm_hyp_init_switch+4 */
#define KDS_PC_READ_ANSWER   (KDS_READ_ANSWER - KDS_SKEW)      /* HYP VA of __hyp_read_answer */
#define KDS_PC_HYP_VECTOR    (KDS_HYP_TEXT - KDS_SKEW + 0x400) /* HYP VA, lower-EL sync */

/*
 * The whole flow (firmware/kvm-dual-step/main.S host_main + the init code). Returns false
 * when the guest stops (an abort into `b .`), as the simulator's run would.
 */
static bool kds_flow(struct fm *f, enum kds_bug bug)
{
	const struct lib *l = bug == KDS_NO_TABLE_CLEAN ? &kds_lib_no_clean : &kds_lib;
	enum pt_bug ptb = bug == KDS_NO_TABLE_CLEAN ? PT_NO_CLEAN
	                  : bug == KDS_TABLE_IVAC   ? PT_IVAC
	                                            : PT_OK;
	bool short_switch = bug == KDS_NO_TLBI || bug == KDS_NO_DSB;
	uint64_t init_end = short_switch ? KDS_INIT_END - 4 : KDS_INIT_END;
	uint64_t h = KDS_HOST_MAIN;

	fm_init(f, UINT64_C(0x40000000), UINT64_C(4) << 20, 4 /* 44-bit PAs, Cortex-A72 */);
	load_code(f, KDS_IMAGE, KDS_RODATA_END);
	boot_to_el1_mmu_on(f, l, KDS_IMAGE);

	/* 1. Copy __kvm_hyp_init..__kvm_hyp_init_end to the bounce page through the cache
	 *    (EL1: MMU and caches on), DC CVAC + DSB ISH over the page, IC IALLU, DSB, ISB. */
	uint64_t x19 = KDS_INIT;
	if (bug != KDS_NO_BOUNCE) {
		for (uint64_t o = 0; KDS_INIT + o < init_end; o += 16) {
			ldp(f, h + 0x18, KDS_INIT + o);
			uint64_t a = 0, b = 0;
			fm_read(f, KDS_INIT + o, &a, 8);
			fm_read(f, KDS_INIT + o + 8, &b, 8);
			stp(f, h + 0x1c, KDS_BOUNCE + o, a, b);
		}
		if (bug != KDS_NO_BOUNCE_CLEAN) {
			clean_poc(f, l, KDS_BOUNCE, PG);
			ic(f, h + 0x34, IC_IALLU);
			dsb(f, h + 0x38, DOM_ISH, BAR_ALL);
			isb(f, h + 0x3c);
		}
		x19 = KDS_BOUNCE;
	}
	uint64_t init_page = x19 & ~(PG - 1);

	/* 2. Boot table: the init page at VA == PA and at the trampoline VA. */
	struct fwpt boot, rt;
	fw_pt_init(f, l, &boot, KDS_BOOT_PT, KDS_BOOT_POOL, 8 * PG, 0, 1, ptb);
	fw_pt_map(f, l, &boot, init_page, init_page, PG, HYP_PAGE_ATTRS, ptb);
	fw_pt_map(f, l, &boot, KDS_TRAMP, init_page, PG, HYP_PAGE_ATTRS, ptb);

	/* 3. Runtime table: trampoline -> the same page (tramp-pa: the unbounced one), and the
	 *    HYP VAs (PA - 4 KiB) of the hyp text, data and stack. */
	fw_pt_init(f, l, &rt, KDS_RT_PT, KDS_RT_POOL, 8 * PG, 0, 1, ptb);
	fw_pt_map(f, l, &rt, KDS_TRAMP, bug == KDS_TRAMP_PA ? KDS_INIT_PAGE : init_page, PG,
	          HYP_PAGE_ATTRS, ptb);
	fw_pt_map(f, l, &rt, KDS_HYP_TEXT - KDS_SKEW, KDS_HYP_TEXT, PG, HYP_PAGE_ATTRS, ptb);
	fw_pt_map(f, l, &rt, KDS_DATA - KDS_SKEW, KDS_DATA, PG, HYP_PAGE_ATTRS, ptb);
	fw_pt_map(f, l, &rt, KDS_STACK - KDS_SKEW, KDS_STACK, PG, HYP_PAGE_ATTRS, ptb);

	/* 4. Hyp data through the cache, cleaned to PoC. */
	str(f, h + 0x158, KDS_DATA, KDS_DATA_VALUE);
	clean_poc(f, l, KDS_DATA, 64);

	/* 5. Stub HVC: VBAR_EL2 = the init vectors. */
	stub_set_vectors(f, l, h + 0x16c, x19);

	/* 6. HVC init: __do_hyp_init at the vector (EL2, MMU off, SCTLR_EL2.I = 0). */
	uint64_t B = kds_init_base(bug);
	ck_assert_uint_eq(hvc(f, h + 0x190), B + 0x400);
	msr(f, B + 0x400, SR_TTBR0_EL2, boot.root);
	run(f, B + 0x404, 10);
	msr(f, B + 0x42c, SR_TCR_EL2, kds_tcr(f));
	run(f, B + 0x430, 4);
	msr(f, B + 0x440, SR_MAIR_EL2, FW_MAIR);
	isb(f, B + 0x444);
	tlbi(f, B + 0x448, TLBI_ALLE2, 0);
	dsb(f, B + 0x44c, DOM_ISH, BAR_ALL);
	run(f, B + 0x450, 4);
	msr(f, B + 0x460, SR_SCTLR_EL2, FW_SCTLR_EL2_ON); /* __kvm_hyp_init_mmu_on */
	isb(f, B + 0x464);
	run(f, B + 0x468, 1); /* b __kvm_hyp_init_page2 */
	struct model_step_result r = fetch(f, B + 0x800);
	if (r.fault.type != FAULT_NONE) {
		/* Prefetch abort to __kvm_hyp_init+0x200 (current EL, SPx): `b .` */
		uint64_t v = abort_el2(f, B + 0x800,
		                       ((uint64_t)EC_IABT_CUR << ESR_EC_SHIFT) | ESR_IL |
		                           FSC_TRANSLATION(3));
		run(f, v, 1);
		return false;
	}
	run(f, B + 0x804, 7); /* adr, and, mov64, orr, br x4 */

	/* At the trampoline VA: switch to the runtime table. */
	uint64_t t = KDS_TRAMP + 0x820;
	msr(f, t, SR_TTBR0_EL2, rt.root);
	isb(f, t + 4);
	t += 8;
	if (bug != KDS_NO_TLBI) {
		tlbi(f, t, TLBI_ALLE2, 0);
		t += 4;
	}
	if (bug != KDS_NO_DSB) {
		dsb(f, t, DOM_ISH, BAR_ALL);
		t += 4;
	}
	isb(f, t);
	run(f, t + 4, 1); /* mov sp, x2 */
	msr(f, t + 8, SR_VBAR_EL2, KDS_HYP_TEXT - KDS_SKEW);
	eret(f, t + 12, 1, h + 0x194);

	/* 7. HYP_FN_ANSWER: at HYP VAs, reads hyp_data_page at VA 0x4010_8000. */
	uint64_t v = hvc(f, h + 0x1b0);
	ck_assert_uint_eq(v, KDS_PC_HYP_VECTOR);
	run(f, v, 1); /* b __kvm_hyp_host_hvc */
	uint64_t hh = KDS_HOST_HVC - KDS_SKEW;
	run(f, hh, 6);
	stp(f, hh + 0x18, KDS_STACK + PG - KDS_SKEW - 16, 0, 0);
	run(f, hh + 0x1c, 1);
	r = ldr(f, KDS_PC_READ_ANSWER, KDS_DATA - KDS_SKEW);
	run(f, hh + 0x24, 2);
	ldp(f, hh + 0x2c, KDS_STACK + PG - KDS_SKEW - 16);
	eret(f, hh + 0x30, 1, h + 0x1b4);
	/* The coherent outcome is the runtime table's: the hyp data page. */
	ck_assert_uint_eq(r.tr.oa, KDS_DATA);
	return true;
}

/* D8.13 (TLB maintenance requirements), D8.2 (walks at the PoC), B2.4 (MMU-off fetches),
 * D17.1 (synchronization): the dual-step init as ARM KVM does it reports nothing. */
START_TEST(kds_correct_is_clean_D8_13_D8_2_D17_1)
{
	struct fm f;
	ck_assert(kds_flow(&f, KDS_OK));
	EXPECT_CLEAN(&f);
	fm_fini(&f);
}
END_TEST

/* A report of cls at the runtime vector fetch with a Translation fault among its outcomes:
 * the walk through the boot table's cached L1[1]/L2[0] entries. */
static bool vector_fault_reported(const struct fm *f, enum hz_class cls)
{
	for (unsigned i = 0; i < f->nhz && i < FM_MAX_HZ; i++) {
		const struct hazard *h = &f->hz[i];
		if (h->pc != KDS_PC_HYP_VECTOR || h->cls != cls)
			continue;
		for (unsigned k = 1; k < h->n_outcomes; k++)
			if (h->outcomes[k].fault && h->outcomes[k].f.type == FAULT_TRANSLATION)
				return true;
	}
	return false;
}

/*
 * D8.13 "TLB maintenance requirements": changing TTBR0_EL2 removes nothing; the boot
 * table's entries for VA 0x4010_8000 (identity, the bounce page) stay valid, and that VA
 * is hyp_data_page's HYP VA in the runtime table, so the load at __hyp_read_answer may
 * return the bounce page's bytes (what QEMU prints).
 *
 * It is not the first access with two outcomes, though: the first access at a HYP VA is the
 * fetch of the runtime vector (HYP VA 0x4010_3400, PA __kvm_hyp_vector+0x400). The boot
 * table's walk-cache entries for 0x4000_0000-0x401f_ffff (L1[1] -> boot L2, L2[0] -> boot
 * L3, used by every fetch of the bounce page) survive the TTBR write (the EL2 regime has
 * no ASID); a walk that starts from them reads the boot L3 table, where 0x4010_3000 is
 * invalid, so a Translation fault is a permitted outcome of that fetch (D8.13: table
 * entries may be cached and only a TLBI removes them; a fault is not cached, but a walk
 * from cached table entries can fault). This test asserts both reports.
 */
START_TEST(kds_no_tlbi_stale_tlb_D8_13)
{
	struct fm f;
	ck_assert(kds_flow(&f, KDS_NO_TLBI));
	bool at_read = false;
	for (unsigned i = 0; i < f.nhz && i < FM_MAX_HZ; i++)
		if (f.hz[i].pc == KDS_PC_READ_ANSWER && f.hz[i].ev == EV_LOAD &&
		    f.hz[i].cls == HZ_STALE_TLB) {
			at_read = true;
			/* Outcomes: hyp_data_page (coherent) and the bounce page's bytes. */
			bool bounce = false;
			for (unsigned k = 1; k < f.hz[i].n_outcomes; k++)
				bounce |= f.hz[i].outcomes[k].has_pa &&
				          f.hz[i].outcomes[k].pa == KDS_BOUNCE;
			ck_assert(bounce);
			ck_assert_uint_eq(f.hz[i].outcomes[0].pa, KDS_DATA);
		}
	if (!at_read)
		fm_dump(&f);
	ck_assert(at_read);
	/* The first report is at the runtime vector fetch (see above). */
	EXPECT_FIRST(&f, HZ_STALE_TLB, KDS_PC_HYP_VECTOR);
	ck_assert(vector_fault_reported(&f, HZ_STALE_TLB));
	fm_fini(&f);
}
END_TEST

/*
 * D8.13 / B2.3.12 "Ordering and completion of TLB maintenance instructions": TLBI ALLE2
 * with no DSB; the ISB does not wait for it and no DSB follows before the hypercall.
 * As for no-tlbi, the first access that depends on the incomplete TLBI is the runtime
 * vector fetch.
 */
START_TEST(kds_no_dsb_missing_dsb_D8_13_B2_3_12)
{
	struct fm f;
	ck_assert(kds_flow(&f, KDS_NO_DSB));
	bool at_read = false;
	for (unsigned i = 0; i < f.nhz && i < FM_MAX_HZ; i++)
		at_read |= f.hz[i].pc == KDS_PC_READ_ANSWER && f.hz[i].ev == EV_LOAD &&
		           f.hz[i].cls == HZ_MISSING_DSB;
	if (!at_read)
		fm_dump(&f);
	ck_assert(at_read);
	/* The first report is at the runtime vector fetch (see no-tlbi). */
	EXPECT_FIRST(&f, HZ_MISSING_DSB, KDS_PC_HYP_VECTOR);
	ck_assert(vector_fault_reported(&f, HZ_MISSING_DSB));
	fm_fini(&f);
}
END_TEST

/*
 * D17.1 "Synchronization requirements for AArch64 System registers" and D8.13: with the
 * trampoline mapped to different pages, the fetch after MSR TTBR0_EL2 (the ISB at
 * trampoline+0x824) may use the old TTBR (bounce page) or the new (original page).
 * docs/firmware.md allows stale-tlb or missing-isb; both explain the same outcome, and
 * the checker attributes it to the first possible cause, the unsynchronised TTBR.
 */
START_TEST(kds_tramp_pa_missing_isb_D17_1_D8_13)
{
	struct fm f;
	kds_flow(&f, KDS_TRAMP_PA);
	EXPECT_FIRST(&f, HZ_MISSING_ISB, KDS_PC_SWITCH_4);
	const struct hazard *h = &f.hz[0];
	/* Coherent: the new table's page (the original __kvm_hyp_init page, whose PA
	 * symbolizes as __kvm_hyp_init+0x24); the other outcome: the bounce page. */
	ck_assert_uint_eq(h->outcomes[0].pa, KDS_INIT_PAGE + 0x824);
	ck_assert_uint_ge(h->n_outcomes, 2);
	ck_assert_uint_eq(h->outcomes[1].pa, KDS_BOUNCE + 0x824);
	fm_fini(&f);
}
END_TEST

/* D8.2 "Translation table walks" (walks use TCR_EL2.IRGN0/ORGN0 = Non-cacheable: they
 * read the PoC), D7.5 (DC CVAC): tables written through the cache, never cleaned. */
START_TEST(kds_no_table_clean_walk_not_at_poc_D8_2_D7_5)
{
	struct fm f;
	kds_flow(&f, KDS_NO_TABLE_CLEAN);
	EXPECT_FIRST(&f, HZ_WALK_NOT_AT_POC, KDS_PC_MMU_ON_4(KDS_NO_TABLE_CLEAN));
	/* The PoC has zeros where the boot table should be: a Translation fault. */
	ck_assert(f.hz[0].outcomes[1].fault);
	ck_assert_int_eq(f.hz[0].outcomes[1].f.type, FAULT_TRANSLATION);
	fm_fini(&f);
}
END_TEST

/* D7.5 "Data cache maintenance instructions" (DC IVAC may discard a dirty line): the
 * first descriptor store is followed by DC IVAC at fw_pt_set_desc+4. */
START_TEST(kds_table_ivac_lost_write_D7_5)
{
	struct fm f;
	kds_flow(&f, KDS_TABLE_IVAC);
	EXPECT_FIRST(&f, HZ_LOST_WRITE, kds_lib.pt_set_desc + 4);
	/* The line is the boot root table's (its first table descriptor, L1[1]). */
	ck_assert_uint_eq(f.hz[0].outcomes[0].pa, KDS_BOOT_POOL);
	fm_fini(&f);
}
END_TEST

/* B2.4 / D8.2 "Behavior of instruction fetches when all associated stages of translation
 * are disabled": EL2 fetches Non-cacheable (SCTLR_EL2.I = 0) from the PoC, but the bounce
 * copy is only in the D-cache. */
START_TEST(kds_no_bounce_clean_fetch_not_at_poc_B2_4)
{
	struct fm f;
	kds_flow(&f, KDS_NO_BOUNCE_CLEAN);
	EXPECT_FIRST(&f, HZ_FETCH_NOT_AT_POC, KDS_BOUNCE + 0x400);
	fm_fini(&f);
}
END_TEST

/* D1.10 exception entry, DESIGN §3 "Exceptions are events, not hazards": used in place,
 * the init code's second page is not mapped by the boot table: a certain Translation
 * fault at __kvm_hyp_init_page2, taken to the init vectors' `b .` at __kvm_hyp_init+0x200.
 * The fault is the program's behaviour, not a hazard; the hang there is the simulator's
 * to detect and report, naming the exception. */
START_TEST(kds_no_bounce_certain_exception_is_an_event_D1_10)
{
	struct fm f;
	ck_assert(!kds_flow(&f, KDS_NO_BOUNCE));
	ck_assert_uint_eq(f.nhz, 0); /* the fetch of the `b .` itself is identity-mapped */
	ck_assert_uint_eq(f.pc, KDS_INIT + 0x200);
	fm_fini(&f);
}
END_TEST

/* ------------------------------------------------------------------ suite */

static Suite *flows_suite(void)
{
	Suite *s = suite_create("flows");
	TCase *kds = tcase_create("kvm-dual-step");
	tcase_add_test(kds, kds_correct_is_clean_D8_13_D8_2_D17_1);
	tcase_add_test(kds, kds_no_tlbi_stale_tlb_D8_13);
	tcase_add_test(kds, kds_no_dsb_missing_dsb_D8_13_B2_3_12);
	tcase_add_test(kds, kds_tramp_pa_missing_isb_D17_1_D8_13);
	tcase_add_test(kds, kds_no_table_clean_walk_not_at_poc_D8_2_D7_5);
	tcase_add_test(kds, kds_table_ivac_lost_write_D7_5);
	tcase_add_test(kds, kds_no_bounce_clean_fetch_not_at_poc_B2_4);
	tcase_add_test(kds, kds_no_bounce_certain_exception_is_an_event_D1_10);
	suite_add_tcase(s, kds);
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
