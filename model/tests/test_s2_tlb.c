/*
 * test_s2_tlb.c - Check tests of the stage 2 TLB rules (model/s2tlb.c): VMID-tagged stage
 * 2 and combined entries, the scope of IPAS2E1(IS), IPAS2LE1(IS), VMALLS12E1(IS),
 * VMALLE1(IS), ALLE1(IS) and the stage 1 TLBIs by VA, completion by DSB and context
 * synchronisation, break-before-make of stage 2 descriptors, and the synchronisation of
 * HCR_EL2 / VTCR_EL2 / VTTBR_EL2 writes. Each rule has a positive test (the hazard is
 * reported, with its class) and a negative one (the correct sequence is clean).
 */
#include <check.h>
#include <stdlib.h>

#include "s2tlb.h"
#include "test_s2.h"

#define MAX_HZ  32
#define IPA_X   UINT64_C(0x80000000) /* a page mapped at stage 2 by a level 3 descriptor */
#define S1_MAIR UINT64_C(0xbb4400ff)
#define S1_TCR                                                                                     \
	(UINT64_C(25) | UINT64_C(1) << TCR_EL1_IRGN0_SHIFT | UINT64_C(3) << TCR_EL1_SH0_SHIFT |    \
	 TCR_EL1_EPD1 | UINT64_C(5) << TCR_EL1_IPS_SHIFT |                                         \
	 (uint64_t)TCR_TG1_4K << TCR_EL1_TG1_SHIFT)

static struct test_mem mem;
static struct mem_ops ops;
static struct s2tlb *t;
static uint64_t seq;
static struct hazard hz[MAX_HZ];
static unsigned nhz;
static uint64_t vttbr1, page_p, page_q, leaf_x; /* VMID 1's root; X -> P; X's descriptor */
static struct s12_regs s1;                      /* stage 1 off unless a test turns it on */

static void on_hz(void *arg, const struct hazard *h)
{
	(void)arg;
	if (nhz < MAX_HZ)
		hz[nhz++] = *h;
}

static unsigned count(enum hz_class c)
{
	unsigned n = 0;
	for (unsigned i = 0; i < nhz; i++)
		n += hz[i].cls == c;
	return n;
}

static void mk(unsigned ncpus, bool ets)
{
	struct s2tlb_cfg cfg = {ncpus, ets, S2_FEATURES_A72, on_hz, NULL};
	t = s2tlb_new(&cfg, &ops);
}

static void setup(void)
{
	test_mem_init(&mem, RAM_BASE, RAM_SIZE);
	ops = test_mem_ops(&mem);
	seq = 0;
	nhz = 0;
	memset(&s1, 0, sizeof(s1));
	s1.sctlr_el1 = SCTLR_EL1_BOOT;
	/* VMID 1: RAM identity-mapped with 2 MiB blocks, IPA_X -> page_p with a page. */
	vttbr1 = s2_alloc_root(&mem, VTCR_40, 1);
	for (uint64_t pa = RAM_BASE; pa < RAM_BASE + RAM_SIZE; pa += SZ_2M)
		s2_map(&mem, VTCR_40, vttbr1, pa, pa, 2, S2_LEAF_RW);
	page_p = test_mem_alloc(&mem, SZ_4K);
	page_q = test_mem_alloc(&mem, SZ_4K);
	leaf_x = s2_map(&mem, VTCR_40, vttbr1, IPA_X, page_p, 3, S2_LEAF_RW);
	mk(2, false);
}

static void teardown(void)
{
	s2tlb_free(t);
	t = NULL;
	test_mem_fini(&mem);
}

/* One event each, as the checker numbers them. */
static void msr(unsigned cpu, enum s2_reg r, uint64_t v)
{
	s2tlb_msr(t, cpu, r, v, ++seq, 0x1000);
}
static void isb(unsigned cpu)
{
	s2tlb_csync(t, cpu, ++seq);
}
static void dsb(unsigned cpu)
{
	s2tlb_dsb(t, cpu, DOM_ISH, BAR_ALL, ++seq);
}
static void tlbi(unsigned cpu, enum tlbi_op op, uint64_t arg)
{
	s2tlb_tlbi(t, cpu, op, arg, ++seq, 0x2000);
}
static void st(unsigned cpu, uint64_t pa, uint64_t v)
{
	s2tlb_store(t, cpu, pa, v, ++seq, 0x3000);
	test_mem_w64(&mem, pa, v);
}
static struct s12_result acc(unsigned cpu, uint64_t va, enum access_type a)
{
	struct s12_result r;
	s2tlb_access(t, cpu, &s1, va, a, 1, 0, ++seq, 0x4000, &r);
	return r;
}

/* Stage 2 of VMID 1 on for cpu: VTCR, VTTBR, HCR_EL2.VM, ISB. */
static void enable(unsigned cpu)
{
	msr(cpu, S2R_VTCR_EL2, VTCR_40);
	msr(cpu, S2R_VTTBR_EL2, vttbr1);
	msr(cpu, S2R_HCR_EL2, HCR_EL2_VM | HCR_EL2_RW);
	isb(cpu);
}

/* Stage 1 on: VA 0x1000 -> IPA_X (nG page, ASID 0), tables identity-mapped at stage 2. */
static void stage1_on(void)
{
	uint64_t l1 = test_mem_alloc(&mem, SZ_4K), l2 = test_mem_alloc(&mem, SZ_4K);
	uint64_t l3 = test_mem_alloc(&mem, SZ_4K);
	test_mem_w64(&mem, l1, l2 | 3);
	test_mem_w64(&mem, l2, l3 | 3);
	test_mem_w64(&mem, l3 + 8, IPA_X | DESC_AF | DESC_NG | (UINT64_C(3) << DESC_SH_SHIFT) | 3);
	test_mem_w64(&mem, l3 + 16, IPA_X | DESC_AF | DESC_NG | (UINT64_C(3) << DESC_SH_SHIFT) | 3);
	s1.sctlr_el1 = SCTLR_EL1_BOOT | SCTLR_ELx_M | SCTLR_ELx_C;
	s1.tcr_el1 = S1_TCR;
	s1.ttbr0_el1 = l1;
	s1.mair_el1 = S1_MAIR;
}

/* Unmap IPA_X at stage 2 (valid -> invalid: no break needed) and make it visible. */
static void unmap_x(unsigned cpu)
{
	st(cpu, leaf_x, 0);
	dsb(cpu);
}

#define IPA_ARG(ipa) ((ipa) >> 12)

/* ---------- stale entries and TLBI scope ---------- */

/* D8.13: a stage 2 entry survives a descriptor change until a covering TLBI: unmapping
 * without one leaves the old translation usable (stale-tlb). */
START_TEST(test_s2_unmap_without_tlbi_is_stale_tlb)
{
	enable(0);
	ck_assert_uint_eq(acc(0, IPA_X + 8, ACC_READ).pa, page_p + 8);
	unmap_x(0);
	isb(0);
	struct s12_result r = acc(0, IPA_X + 8, ACC_READ);
	ck_assert_int_eq(r.fault.stage, 2);
	ck_assert_int_eq(r.fault.f.type, FAULT_TRANSLATION);
	ck_assert_uint_eq(count(HZ_STALE_TLB), 1);
	ck_assert_uint_eq(nhz, 1);
	ck_assert(hz[0].outcomes[1].has_pa);
	ck_assert_uint_eq(hz[0].outcomes[1].pa, page_p + 8);
	ck_assert_uint_eq(hz[0].outcomes[1].cause.pc, 0x3000); /* the store */
}
END_TEST

/* D8.13.x VMALLS12E1IS removes stage 1 and stage 2 entries of the current VMID. */
START_TEST(test_s2_vmalls12e1is_dsb_isb_is_clean)
{
	enable(0);
	unmap_x(0);
	tlbi(0, TLBI_VMALLS12E1IS, 0);
	dsb(0);
	isb(0);
	struct s12_result r = acc(0, IPA_X, ACC_READ);
	ck_assert_int_eq(r.fault.stage, 2);
	ck_assert_uint_eq(nhz, 0);
}
END_TEST

/* D8.13.x: TLBI IPAS2E1IS need not remove combined (stage 1 + 2) entries: after it alone a
 * VA whose stage 1 maps it to the IPA may still reach the old PA. */
START_TEST(test_s2_ipas2e1_leaves_combined_entries)
{
	stage1_on();
	enable(0);
	ck_assert_uint_eq(acc(0, 0x1000, ACC_READ).pa, page_p);
	unmap_x(0);
	tlbi(0, TLBI_IPAS2E1IS, IPA_ARG(IPA_X));
	dsb(0);
	isb(0);
	struct s12_result r = acc(0, 0x1000, ACC_READ);
	ck_assert_int_eq(r.fault.stage, 2);
	ck_assert_uint_eq(count(HZ_STALE_TLB), 1);
	ck_assert_uint_eq(hz[0].outcomes[1].pa, page_p);
	/* The coherent outcome's cause is the access itself (the latest values), never the
	 * zero cause a report prints as "at machine reset". */
	ck_assert_uint_eq(hz[0].outcomes[0].cause.seq, hz[0].seq);
	ck_assert_str_eq(hz[0].outcomes[0].cause.what, "the latest values");
}
END_TEST

/* Linux's __kvm_tlb_flush_vmid_ipa: IPAS2E1IS, DSB ISH, VMALLE1IS, DSB ISH, ISB is clean. */
START_TEST(test_s2_ipas2e1_then_vmalle1_is_clean)
{
	stage1_on();
	enable(0);
	ck_assert_uint_eq(acc(0, 0x1000, ACC_READ).pa, page_p);
	unmap_x(0);
	tlbi(0, TLBI_IPAS2E1IS, IPA_ARG(IPA_X));
	dsb(0);
	tlbi(0, TLBI_VMALLE1IS, 0);
	dsb(0);
	isb(0);
	acc(0, 0x1000, ACC_READ);
	ck_assert_uint_eq(nhz, 0);
}
END_TEST

/* D8.13.x: VMALLE1IS removes stage 1 and combined entries only: a stage-2-only entry of
 * the IPA survives it. */
START_TEST(test_s2_vmalle1_leaves_stage2_only_entries)
{
	stage1_on();
	enable(0);
	unmap_x(0);
	tlbi(0, TLBI_VMALLE1IS, 0);
	dsb(0);
	isb(0);
	acc(0, 0x1000, ACC_READ);
	ck_assert_uint_eq(count(HZ_STALE_TLB), 1);
	ck_assert_uint_eq(nhz, 1);
}
END_TEST

/* Stage 1 TLBIs by VA remove the combined entries of that VA (and only of it). */
START_TEST(test_s2_vae1_removes_combined_entry_of_its_va)
{
	stage1_on();
	enable(0);
	unmap_x(0);
	tlbi(0, TLBI_IPAS2E1IS, IPA_ARG(IPA_X));
	tlbi(0, TLBI_VAE1IS, 0x1000 >> 12);
	dsb(0);
	isb(0);
	acc(0, 0x1000, ACC_READ);
	ck_assert_uint_eq(nhz, 0);
	acc(0, 0x2000, ACC_READ); /* another VA on the same IPA: its combined entry survives */
	ck_assert_uint_eq(count(HZ_STALE_TLB), 1);
}
END_TEST

/* D8.13.x IPAS2LE1 removes last-level stage 2 entries only: a cached stage 2 table
 * descriptor (walk cache) survives it, so a replaced level 3 table is still walked. */
START_TEST(test_s2_ipas2le1_leaves_walk_cache)
{
	enable(0);
	acc(0, IPA_X, ACC_READ);
	uint64_t l2d = leaf_x; /* find the level 2 descriptor above X's level 3 table */
	struct s2_cfg c;
	struct s2_walk w;
	s2_cfg_from_regs(VTCR_40, vttbr1, S2_FEATURES_A72, &c);
	s2_translate(&c, &ops, IPA_X, &w);
	ck_assert_uint_eq(w.nsteps, 3);
	l2d = w.steps[1].desc_pa;
	uint64_t l3new = test_mem_alloc(&mem, SZ_4K);
	test_mem_w64(&mem, l3new + (leaf_x & 0xfff), page_q | S2_LEAF_RW | 3);
	/* Break-before-make on the table descriptor, with IPAS2LE1IS. */
	st(0, l2d, 0);
	dsb(0);
	tlbi(0, TLBI_IPAS2LE1IS, IPA_ARG(IPA_X));
	tlbi(0, TLBI_VMALLE1IS, 0);
	dsb(0);
	st(0, l2d, l3new | 3);
	dsb(0);
	isb(0);
	/* D8.14.1: the break's TLBI did not remove the old table descriptor: bbm at the new
	 * value's store, and the access may still walk the old level 3 table. */
	ck_assert_uint_eq(count(HZ_BBM), 1);
	ck_assert_uint_eq(hz[0].cls, HZ_BBM);
	struct s12_result r = acc(0, IPA_X, ACC_READ);
	ck_assert_uint_eq(r.pa, page_q);
	ck_assert_uint_eq(count(HZ_STALE_TLB), 1);
	ck_assert_uint_eq(hz[1].outcomes[1].pa, page_p); /* through the old level 3 table */
}
END_TEST

/* Negative of the above: IPAS2E1IS removes the walk-cache entries on the IPA's path. */
START_TEST(test_s2_ipas2e1_removes_walk_cache)
{
	enable(0);
	struct s2_cfg c;
	struct s2_walk w;
	s2_cfg_from_regs(VTCR_40, vttbr1, S2_FEATURES_A72, &c);
	s2_translate(&c, &ops, IPA_X, &w);
	uint64_t l2d = w.steps[1].desc_pa;
	uint64_t l3new = test_mem_alloc(&mem, SZ_4K);
	test_mem_w64(&mem, l3new + (leaf_x & 0xfff), page_q | S2_LEAF_RW | 3);
	st(0, l2d, 0);
	dsb(0);
	tlbi(0, TLBI_IPAS2E1IS, IPA_ARG(IPA_X));
	tlbi(0, TLBI_VMALLE1IS, 0);
	dsb(0);
	st(0, l2d, l3new | 3);
	dsb(0);
	isb(0);
	ck_assert_uint_eq(acc(0, IPA_X, ACC_READ).pa, page_q);
	ck_assert_uint_eq(nhz, 0);
}
END_TEST

/* D8.13: TLBIs are per VMID: VMALLS12E1IS issued under VMID 2 leaves VMID 1's entries;
 * ALLE1IS removes every VMID's. */
START_TEST(test_s2_tlbi_of_other_vmid_does_not_cover)
{
	uint64_t vttbr2 = s2_alloc_root(&mem, VTCR_40, 2);
	enable(0);
	unmap_x(0);
	msr(0, S2R_VTTBR_EL2, vttbr2);
	isb(0);
	tlbi(0, TLBI_VMALLS12E1IS, 0);
	dsb(0);
	msr(0, S2R_VTTBR_EL2, vttbr1);
	isb(0);
	acc(0, IPA_X, ACC_READ);
	ck_assert_uint_eq(count(HZ_STALE_TLB), 1);
	nhz = 0;
	tlbi(0, TLBI_ALLE1IS, 0);
	dsb(0);
	isb(0);
	acc(0, IPA_X, ACC_READ);
	ck_assert_uint_eq(nhz, 0);
}
END_TEST

/* D8.13.x: a TLBI without IS reaches only the issuing CPU's TLB. */
START_TEST(test_s2_local_tlbi_leaves_other_cpus)
{
	enable(0);
	enable(1);
	unmap_x(1);
	tlbi(1, TLBI_VMALLS12E1, 0);
	dsb(1);
	isb(1);
	isb(0);
	acc(1, IPA_X, ACC_READ);
	ck_assert_uint_eq(nhz, 0);
	acc(0, IPA_X, ACC_READ);
	ck_assert_uint_eq(count(HZ_STALE_TLB), 1);
}
END_TEST

/* A CPU's TLB is empty at its reset (PSCI CPU_ON): an old value replaced before it is not
 * in that CPU's TLB, while another CPU may still hold it. */
START_TEST(test_s2_cpu_reset_empties_its_tlb)
{
	enable(0);
	enable(1);
	unmap_x(1);
	s2tlb_cpu_reset(t, 0, HCR_EL2_VM | HCR_EL2_RW, VTCR_40, vttbr1, ++seq);
	isb(1);
	acc(0, IPA_X, ACC_READ);
	ck_assert_uint_eq(nhz, 0);
	acc(1, IPA_X, ACC_READ);
	ck_assert_uint_eq(count(HZ_STALE_TLB), 1);
}
END_TEST

/* ---------- completion: DSB and context synchronisation ---------- */

/* D8.13.x / B2.3.12: a TLBI is complete only after a DSB: without it, missing-dsb. */
START_TEST(test_s2_tlbi_without_dsb_is_missing_dsb)
{
	enable(0);
	unmap_x(0);
	tlbi(0, TLBI_VMALLS12E1IS, 0);
	isb(0);
	acc(0, IPA_X, ACC_READ);
	ck_assert_uint_eq(count(HZ_MISSING_DSB), 1);
	ck_assert_uint_eq(nhz, 1);
	/* A DSB NSH does not complete an IS TLBI either. */
	s2tlb_dsb(t, 0, DOM_NSH, BAR_ALL, ++seq);
	isb(0);
	acc(0, IPA_X, ACC_READ);
	ck_assert_uint_eq(count(HZ_MISSING_DSB), 2);
}
END_TEST

/* DESIGN §3 "One instant per access" (no FEAT_ETS2): a completed TLBI counts for sure only
 * after a context synchronisation event: without the ISB, missing-isb; with FEAT_ETS2,
 * clean. */
START_TEST(test_s2_tlbi_without_isb_is_missing_isb)
{
	enable(0);
	unmap_x(0);
	tlbi(0, TLBI_VMALLS12E1IS, 0);
	dsb(0);
	acc(0, IPA_X, ACC_READ);
	ck_assert_uint_eq(count(HZ_MISSING_ISB), 1);
	ck_assert_uint_eq(nhz, 1);
}
END_TEST

START_TEST(test_s2_tlbi_without_isb_is_clean_with_ets2)
{
	s2tlb_free(t);
	mk(1, true);
	enable(0);
	unmap_x(0);
	tlbi(0, TLBI_VMALLS12E1IS, 0);
	dsb(0);
	acc(0, IPA_X, ACC_READ);
	ck_assert_uint_eq(nhz, 0);
}
END_TEST

/* DESIGN §3 "Completion": a TLBI issued before a DSB made the descriptor store visible may
 * be followed by a walk that re-caches the old value: missing-dsb. */
START_TEST(test_s2_store_not_visible_before_tlbi_is_missing_dsb)
{
	enable(0);
	st(0, leaf_x, 0);
	tlbi(0, TLBI_VMALLS12E1IS, 0);
	dsb(0);
	isb(0);
	acc(0, IPA_X, ACC_READ);
	ck_assert_uint_eq(count(HZ_MISSING_DSB), 1);
	ck_assert_uint_eq(nhz, 1);
}
END_TEST

/* invalid -> valid needs no TLBI (faults are never cached) but a DSB and, without
 * FEAT_ETS2, an ISB before the access that relies on it. */
START_TEST(test_s2_map_needs_dsb_and_isb_not_tlbi)
{
	enable(0);
	unmap_x(0);
	tlbi(0, TLBI_VMALLS12E1IS, 0);
	dsb(0);
	isb(0);
	st(0, leaf_x, page_q | S2_LEAF_RW | 3); /* invalid -> valid */
	acc(0, IPA_X, ACC_READ);
	ck_assert_uint_eq(count(HZ_MISSING_DSB), 1); /* no DSB: the walk may read the old 0 */
	dsb(0);
	acc(0, IPA_X, ACC_READ);
	ck_assert_uint_eq(count(HZ_MISSING_ISB), 1);
	isb(0);
	unsigned before = nhz;
	ck_assert_uint_eq(acc(0, IPA_X, ACC_READ).pa, page_q);
	ck_assert_uint_eq(nhz, before); /* DSB + ISB: clean, no TLBI needed */
	ck_assert_uint_eq(count(HZ_BBM), 0);
}
END_TEST

/* ---------- break-before-make ---------- */

/* D8.14.1: a live stage 2 descriptor changed valid -> valid with another output address
 * without break-before-make: bbm at the store. */
START_TEST(test_s2_bbm_valid_to_valid_oa_change)
{
	enable(0);
	st(0, leaf_x, page_q | S2_LEAF_RW | 3);
	ck_assert_uint_eq(count(HZ_BBM), 1);
	ck_assert_uint_eq(hz[0].ev, EV_STORE);
	ck_assert_uint_eq(hz[0].outcomes[0].pa, leaf_x);
}
END_TEST

/* Negative: a permission change (S2AP RW -> RO) needs no break, and the full sequence
 * (invalid, DSB, TLBI, DSB, new value) has none to report. */
START_TEST(test_s2_bbm_not_needed_for_s2ap_or_after_break)
{
	enable(0);
	st(0, leaf_x, page_p | S2_LEAF_RO | 3);
	ck_assert_uint_eq(nhz, 0);
	st(0, leaf_x, 0);
	dsb(0);
	tlbi(0, TLBI_IPAS2E1IS, IPA_ARG(IPA_X));
	dsb(0);
	st(0, leaf_x, page_q | S2_LEAF_RW | 3);
	ck_assert_uint_eq(count(HZ_BBM), 0);
}
END_TEST

/* D8.14.1 needs the TLBI of the break too: valid -> invalid -> DSB -> another valid value
 * with no TLBI leaves the old value in a TLB beside the new one: bbm at the second store
 * (Casemate's bad_bbm_missing_tlbi). With the TLBI completed, none (test above). */
START_TEST(test_s2_bbm_break_without_tlbi)
{
	enable(0);
	st(0, leaf_x, 0);
	dsb(0);
	ck_assert_uint_eq(nhz, 0);
	st(0, leaf_x, page_q | S2_LEAF_RW | 3);
	ck_assert_uint_eq(count(HZ_BBM), 1);
	ck_assert_uint_eq(hz[0].outcomes[0].pa, leaf_x);
}
END_TEST

/* Negative: the same break with its TLBI (ALLE1IS: every VMID) completed by a DSB. */
START_TEST(test_s2_bbm_break_with_alle1is_is_clean)
{
	enable(0);
	st(0, leaf_x, 0);
	dsb(0);
	tlbi(0, TLBI_ALLE1IS, 0);
	dsb(0);
	st(0, leaf_x, page_q | S2_LEAF_RW | 3);
	ck_assert_uint_eq(count(HZ_BBM), 0);
}
END_TEST

/* D8.14.1 "provided the regime can look the entry up": with stage 2 off everywhere the
 * violation is held back, and reported when stage 2 is turned on again while the old value
 * may still be cached (no covering TLBI completed in between). */
START_TEST(test_s2_bbm_while_off_reported_at_enable)
{
	enable(0);
	acc(0, IPA_X, ACC_READ);
	msr(0, S2R_HCR_EL2, HCR_EL2_RW);
	isb(0);
	st(0, leaf_x, page_q | S2_LEAF_RW | 3);
	ck_assert_uint_eq(nhz, 0);
	msr(0, S2R_HCR_EL2, HCR_EL2_RW | HCR_EL2_VM);
	ck_assert_uint_eq(count(HZ_BBM), 1);
	ck_assert_uint_eq(hz[0].pc, 0x3000); /* reported at the store, as stage 1's are */
	ck_assert_uint_eq(hz[0].n_outcomes, 2);
}
END_TEST

START_TEST(test_s2_bbm_while_off_with_tlbi_is_clean)
{
	enable(0);
	acc(0, IPA_X, ACC_READ);
	msr(0, S2R_HCR_EL2, HCR_EL2_RW);
	isb(0);
	st(0, leaf_x, page_q | S2_LEAF_RW | 3);
	dsb(0);
	tlbi(0, TLBI_VMALLS12E1IS, 0);
	dsb(0);
	msr(0, S2R_HCR_EL2, HCR_EL2_RW | HCR_EL2_VM);
	isb(0);
	ck_assert_uint_eq(acc(0, IPA_X, ACC_READ).pa, page_q);
	ck_assert_uint_eq(nhz, 0);
}
END_TEST

/* ---------- context synchronisation of the stage 2 registers ---------- */

/* D1.x: MSR HCR_EL2 (VM 0 -> 1) takes effect only at a context synchronisation event:
 * before the ISB both PA = IPA and stage 2's translation are possible (missing-isb). */
START_TEST(test_s2_hcr_vm_write_needs_isb)
{
	msr(0, S2R_VTCR_EL2, VTCR_40);
	msr(0, S2R_VTTBR_EL2, vttbr1);
	isb(0);
	msr(0, S2R_HCR_EL2, HCR_EL2_VM | HCR_EL2_RW);
	struct s12_result r = acc(0, IPA_X, ACC_READ);
	ck_assert_uint_eq(r.pa, page_p);
	ck_assert_uint_eq(count(HZ_MISSING_ISB), 1);
	ck_assert_uint_eq(hz[0].outcomes[1].pa, IPA_X); /* stage 2 still off */
}
END_TEST

/* Negative: identity-mapped at stage 2, old and new context give the same PA (DESIGN §3:
 * an identity map makes the sequence safe). */
START_TEST(test_s2_hcr_vm_write_on_identity_map_is_clean)
{
	msr(0, S2R_VTCR_EL2, VTCR_40);
	msr(0, S2R_VTTBR_EL2, vttbr1);
	isb(0);
	msr(0, S2R_HCR_EL2, HCR_EL2_VM | HCR_EL2_RW);
	ck_assert_uint_eq(acc(0, RAM_BASE + 0x10, ACC_READ).pa, RAM_BASE + 0x10);
	ck_assert_uint_eq(nhz, 0);
}
END_TEST

/* A VTTBR_EL2 switch to other tables without an ISB: missing-isb; with it, clean. */
START_TEST(test_s2_vttbr_write_needs_isb)
{
	uint64_t vttbr2 = s2_alloc_root(&mem, VTCR_40, 2);
	s2_map(&mem, VTCR_40, vttbr2, IPA_X, page_q, 3, S2_LEAF_RW);
	enable(0);
	msr(0, S2R_VTTBR_EL2, vttbr2);
	ck_assert_uint_eq(acc(0, IPA_X, ACC_READ).pa, page_q);
	ck_assert_uint_eq(count(HZ_MISSING_ISB), 1);
	isb(0);
	ck_assert_uint_eq(acc(0, IPA_X, ACC_READ).pa, page_q);
	ck_assert_uint_eq(nhz, 1);
}
END_TEST

/* HCR_EL2.VM=0 throughout: stage 2 takes no part (PA = IPA), whatever is stored. */
START_TEST(test_s2_vm0_reports_nothing)
{
	msr(0, S2R_VTCR_EL2, VTCR_40);
	msr(0, S2R_VTTBR_EL2, vttbr1);
	isb(0);
	st(0, leaf_x, page_q | S2_LEAF_RW | 3);
	struct s12_result r = acc(0, IPA_X, ACC_READ);
	ck_assert(!r.s2_on);
	ck_assert_uint_eq(r.pa, IPA_X);
	ck_assert_uint_eq(nhz, 0);
	struct s2tlb_counts c;
	s2tlb_counts(t, &c);
	ck_assert_uint_eq(c.contexts, 0);
	ck_assert_uint_eq(c.versions, 0);
}
END_TEST

/* ---------- stage 1 table reads through stale stage 2 entries ---------- */

/* D8.2 + D8.13: a stage 1 table read is translated by stage 2 and may use a stale stage 2
 * entry: unmapping the stage 1 table's IPA without a TLBI leaves a walk that succeeds
 * where the coherent one takes a stage 2 fault with S1PTW=1 (stale-tlb). */
START_TEST(test_s2_stale_entry_for_stage1_table_ipa)
{
	stage1_on();
	/* Map the stage 1 level 1 table's 2 MiB by pages at stage 2, to unmap one page. */
	uint64_t l1 = s1.ttbr0_el1;
	enable(0);
	struct s2_cfg c;
	struct s2_walk w;
	s2_cfg_from_regs(VTCR_40, vttbr1, S2_FEATURES_A72, &c);
	s2_translate(&c, &ops, l1, &w);
	uint64_t blk = w.steps[w.nsteps - 1].desc_pa;
	uint64_t l3 = test_mem_alloc(&mem, SZ_4K);
	for (unsigned i = 0; i < 512; i++)
		test_mem_w64(&mem, l3 + 8 * i, ((l1 & ~(SZ_2M - 1)) + i * SZ_4K) | S2_LEAF_RW | 3);
	st(0, blk, 0); /* break */
	dsb(0);
	tlbi(0, TLBI_VMALLS12E1IS, 0);
	dsb(0);
	st(0, blk, l3 | 3);
	dsb(0);
	isb(0);
	ck_assert_uint_eq(acc(0, 0x1000, ACC_READ).pa, page_p);
	ck_assert_uint_eq(nhz, 0);
	uint64_t l1_s2d = l3 + 8 * ((l1 >> 12) & 0x1ff);
	st(0, l1_s2d, 0); /* unmap the stage 1 table's page at stage 2, no TLBI */
	dsb(0);
	isb(0);
	struct s12_result r = acc(0, 0x1000, ACC_READ);
	ck_assert_int_eq(r.fault.stage, 2);
	ck_assert(r.fault.s1ptw);
	ck_assert_uint_eq(r.fault.ipa, l1);
	ck_assert_uint_eq(count(HZ_STALE_TLB), 1);
	ck_assert_uint_eq(hz[0].outcomes[1].pa, page_p);
	/* Negative: VMALLS12E1IS, DSB, ISB removes it. */
	nhz = 0;
	tlbi(0, TLBI_VMALLS12E1IS, 0);
	dsb(0);
	isb(0);
	r = acc(0, 0x1000, ACC_READ);
	ck_assert(r.fault.s1ptw);
	ck_assert_uint_eq(nhz, 0);
}
END_TEST

static Suite *s2tlb_suite(void)
{
	Suite *s = suite_create("s2-tlb");
	TCase *tc = tcase_create("scope");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_s2_unmap_without_tlbi_is_stale_tlb);
	tcase_add_test(tc, test_s2_vmalls12e1is_dsb_isb_is_clean);
	tcase_add_test(tc, test_s2_ipas2e1_leaves_combined_entries);
	tcase_add_test(tc, test_s2_ipas2e1_then_vmalle1_is_clean);
	tcase_add_test(tc, test_s2_vmalle1_leaves_stage2_only_entries);
	tcase_add_test(tc, test_s2_vae1_removes_combined_entry_of_its_va);
	tcase_add_test(tc, test_s2_ipas2le1_leaves_walk_cache);
	tcase_add_test(tc, test_s2_ipas2e1_removes_walk_cache);
	tcase_add_test(tc, test_s2_tlbi_of_other_vmid_does_not_cover);
	tcase_add_test(tc, test_s2_local_tlbi_leaves_other_cpus);
	tcase_add_test(tc, test_s2_cpu_reset_empties_its_tlb);
	suite_add_tcase(s, tc);

	tc = tcase_create("completion");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_s2_tlbi_without_dsb_is_missing_dsb);
	tcase_add_test(tc, test_s2_tlbi_without_isb_is_missing_isb);
	tcase_add_test(tc, test_s2_tlbi_without_isb_is_clean_with_ets2);
	tcase_add_test(tc, test_s2_store_not_visible_before_tlbi_is_missing_dsb);
	tcase_add_test(tc, test_s2_map_needs_dsb_and_isb_not_tlbi);
	suite_add_tcase(s, tc);

	tc = tcase_create("bbm");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_s2_bbm_valid_to_valid_oa_change);
	tcase_add_test(tc, test_s2_bbm_not_needed_for_s2ap_or_after_break);
	tcase_add_test(tc, test_s2_bbm_break_without_tlbi);
	tcase_add_test(tc, test_s2_bbm_break_with_alle1is_is_clean);
	tcase_add_test(tc, test_s2_bbm_while_off_reported_at_enable);
	tcase_add_test(tc, test_s2_bbm_while_off_with_tlbi_is_clean);
	suite_add_tcase(s, tc);

	tc = tcase_create("registers");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_s2_hcr_vm_write_needs_isb);
	tcase_add_test(tc, test_s2_hcr_vm_write_on_identity_map_is_clean);
	tcase_add_test(tc, test_s2_vttbr_write_needs_isb);
	tcase_add_test(tc, test_s2_vm0_reports_nothing);
	tcase_add_test(tc, test_s2_stale_entry_for_stage1_table_ipa);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(s2tlb_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
