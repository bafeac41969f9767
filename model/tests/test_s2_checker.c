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

/* cpu 0 at EL2 (MMU off) maintains; cpu 1 at EL1 runs with stage 2 of VMID 1 on (vm).
 * full: no fast path (model_cfg.full_check). */
static void start_machine(struct machine *m, bool vm, bool full)
{
	mt_init_full(m, 2, TLB_POLICY_SPECULATIVE, false, false, full);
	s2root = mt_table(m);
	for (uint64_t pa = RAM_BASE; pa < RAM_BASE + RAM_SIZE; pa += 4096)
		ram_w64(m, mt_desc_pa(m, s2root, pa, 3), S2_PAGE(pa, S2_RW));
	page_p = PA1;
	page_q = PA2;
	leaf_x = mt_desc_pa(m, s2root, IPA_X, 3);
	ram_w64(m, leaf_x, S2_PAGE(page_p, S2_RW));
	struct model_cpu_reset r = {.el = 1};
	r.sysreg[SR_SCTLR_EL2] = SCTLR_EL2_BOOT;
	r.sysreg[SR_SCTLR_EL1] = SCTLR_EL1_BOOT;
	r.sysreg[SR_HCR_EL2] = HCR_EL2_RW | (vm ? HCR_EL2_VM : 0);
	r.sysreg[SR_VTCR_EL2] = VTCR;
	r.sysreg[SR_VTTBR_EL2] = s2root | UINT64_C(1) << 48;
	model_reset_cpu(m->m, 1, &r);
}

static void start(bool vm)
{
	start_machine(&mt, vm, false);
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
static uint64_t stage1_on_machine(struct machine *m)
{
	uint64_t root = mt_idmap(m);
	uint64_t d = mt_map(m, root, VX, IPA_X, ATTR_WB);
	ev_msr(m, 1, SR_MAIR_EL1, MT_MAIR);
	ev_msr(m, 1, SR_TCR_EL1, TCR_EL1_39);
	ev_msr(m, 1, SR_TTBR0_EL1, root);
	ev_isb(m, 1);
	ev_msr(m, 1, SR_SCTLR_EL1, SCTLR_EL1_BOOT | SCTLR_ELx_M | SCTLR_ELx_C | SCTLR_ELx_I);
	ev_isb(m, 1);
	return d;
}

static uint64_t stage1_on(void)
{
	return stage1_on_machine(&mt);
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

/* Stage 1 of cpu 1 on with HCR_EL2.VM=0 (start(false)): RAM identity-mapped, VX -> PA1,
 * VX loaded once (its entry may be cached). Returns the stage 1 root. */
static uint64_t stage1_on_vm0(void)
{
	mt_fini(&mt);
	start(false);
	uint64_t root = mt_idmap(&mt);
	mt_map(&mt, root, VX, PA1, ATTR_WB);
	ev_msr(&mt, 1, SR_MAIR_EL1, MT_MAIR);
	ev_msr(&mt, 1, SR_TCR_EL1, TCR_EL1_39);
	ev_msr(&mt, 1, SR_TTBR0_EL1, root);
	ev_isb(&mt, 1);
	ev_msr(&mt, 1, SR_SCTLR_EL1, SCTLR_EL1_BOOT | SCTLR_ELx_M | SCTLR_ELx_C | SCTLR_ELx_I);
	ev_isb(&mt, 1);
	struct model_step_result r = ev_load(&mt, 1, VX, 8);
	ck_assert_uint_eq(r.tr.oa, PA1);
	return root;
}

/* pKVM's __pkvm_prot_finalize at EL2: HCR_EL2.VM=1, ISB, TLBI VMALLS12E1, DSB NSH, ISB. */
static void enable_stage2(bool tlbi)
{
	ev_msr(&mt, 1, SR_HCR_EL2, HCR_EL2_RW | HCR_EL2_VM);
	ev_isb(&mt, 1);
	if (tlbi) {
		ev_tlbi(&mt, 1, TLBI_VMALLS12E1, 0);
		ev_dsb(&mt, 1, DOM_NSH, BAR_ALL);
		ev_isb(&mt, 1);
	}
}

/* D8.2 (every stage 1 table read is an IPA translated by stage 2) with D8.13: after stage
 * 2 is enabled and the VM=0 entries invalidated, a walk whose stage 1 table read faults at
 * stage 2 (S1PTW) makes no entry: the fault is the one outcome (the false alarm hypsim
 * raised on pKVM's first host fetch after __pkvm_prot_finalize, docs/real-kernels.md). */
START_TEST(test_s2_no_stage1_entry_when_table_read_faults_at_stage2)
{
	uint64_t root = stage1_on_vm0();
	ram_w64(&mt, mt_desc_pa(&mt, s2root, root, 3), 0); /* stage 2 leaves out the root */
	enable_stage2(true);
	struct model_step_result r = ev_load(&mt, 1, VX, 8);
	ck_assert_int_eq(r.fault.type, FAULT_TRANSLATION);
	ck_assert_uint_eq(r.fault12.stage, 2);
	ck_assert(r.fault12.s1ptw);
	EXPECT_NONE(&mt);
}
END_TEST

/* D8.13 (HCR_EL2.VM may be cached in TLB entries): an entry made with VM=0 maps the VA to
 * a PA; with no TLBI after stage 2 is enabled it may still be used, where the combined
 * walk gives another PA (stage 2 maps IPA PA1 to PA2): stale-tlb. */
START_TEST(test_s2_vm0_entry_survives_stage2_enable_without_tlbi)
{
	stage1_on_vm0();
	ram_w64(&mt, mt_desc_pa(&mt, s2root, PA1, 3), S2_PAGE(PA2, S2_RW));
	enable_stage2(false);
	struct model_step_result r = ev_load(&mt, 1, VX, 8);
	ck_assert_uint_eq(r.tr.oa, PA2);
	EXPECT(&mt, HZ_STALE_TLB, 1);
	ck_assert_uint_eq(mt.hz[0].outcomes[1].pa, PA1);
}
END_TEST

/* Negative: with __pkvm_prot_finalize's TLBI VMALLS12E1, DSB, ISB the VM=0 entry is gone. */
START_TEST(test_s2_vm0_entry_removed_by_vmalls12e1_at_enable)
{
	stage1_on_vm0();
	ram_w64(&mt, mt_desc_pa(&mt, s2root, PA1, 3), S2_PAGE(PA2, S2_RW));
	enable_stage2(true);
	struct model_step_result r = ev_load(&mt, 1, VX, 8);
	ck_assert_uint_eq(r.tr.oa, PA2);
	EXPECT_NONE(&mt);
}
END_TEST

/* D8.13 with the translation cache: the EL2 CPU links a new stage 2 table (break, TLBI,
 * then the table descriptor), and later unmaps a page in it without a TLBI. The unmap is a
 * store to a live stage 2 table, even though memory did not yet show the table descriptor
 * when the store that linked it filled the translation cache (pkvm-host-s2-no-tlbi). */
START_TEST(test_s2_store_to_newly_linked_table_is_tracked)
{
	ev_msr(&mt, 0, SR_VTTBR_EL2, s2root | UINT64_C(1) << 48);
	ev_isb(&mt, 0);
	uint64_t l2 = mt_desc_pa(&mt, s2root, IPA_X, 2);
	uint64_t t2 = mt_table(&mt);
	uint64_t leaf2 = t2 + 8 * ((IPA_X >> 12) & 511);
	ram_w64(&mt, leaf2, S2_PAGE(page_p, S2_RW)); /* the new table, built before it is linked */
	ev_load(&mt, 1, IPA_X, 8);
	ev_store(&mt, 0, l2, 8, 0); /* break */
	ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
	ev_tlbi(&mt, 0, TLBI_IPAS2E1IS, IPA_X);
	ev_tlbi(&mt, 0, TLBI_VMALLE1IS, 0);
	ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
	ev_store(&mt, 0, l2, 8, t2 | DESC_VALID | DESC_TABLE); /* make */
	ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
	ev_isb(&mt, 1);
	struct model_step_result r = ev_load(&mt, 1, IPA_X, 8);
	ck_assert_uint_eq(r.tr.oa, page_p);
	EXPECT_NONE(&mt);
	ev_store(&mt, 0, leaf2, 8, 0); /* unmap, no TLBI */
	ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
	ev_isb(&mt, 1);
	r = ev_load(&mt, 1, IPA_X, 8);
	ck_assert_uint_eq(r.fault12.stage, 2);
	EXPECT(&mt, HZ_STALE_TLB, 1);
}
END_TEST

/* The translation cache under stage 2 (checker_access.c tc_fill): an EL1 translation
 * through stage 2 with one outcome is served by the fast path, with its IPA (D8.2: the
 * IPA's low 12 bits are the VA's); a store to the stage 2 tables ends it (D8.14.1, D8.13:
 * the next access walks the new descriptor). */
START_TEST(test_s2_fast_path_serves_stage2_translation_until_table_store)
{
	uint64_t pa, seq;
	struct model_step_result r = ev_fetch(&mt, 1, IPA_X + 0x40);
	ck_assert(r.s2_on);
	seq = model_seq(mt.m);
	ck_assert_uint_eq(model_fetch_fast(mt.m, 1, IPA_X + 0x44, &pa, &r), seq + 1);
	ck_assert_uint_eq(pa, page_p + 0x44);
	ck_assert(r.s2_on);
	ck_assert_uint_eq(r.ipa, IPA_X + 0x44);
	/* break-before-make by the EL2 CPU in VMID 1: invalid, DSB, TLBI, DSB, new page */
	ev_msr(&mt, 0, SR_VTTBR_EL2, s2root | UINT64_C(1) << 48);
	ev_isb(&mt, 0);
	ev_store(&mt, 0, leaf_x, 8, 0);
	ck_assert_uint_eq(model_fetch_fast(mt.m, 1, IPA_X + 0x48, &pa, NULL), 0);
	ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
	ev_tlbi(&mt, 0, TLBI_IPAS2E1IS, IPA_X);
	ev_tlbi(&mt, 0, TLBI_VMALLE1IS, 0);
	ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
	ev_store(&mt, 0, leaf_x, 8, S2_PAGE(page_q, S2_RW));
	ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
	ev_isb(&mt, 1);
	r = ev_load(&mt, 1, IPA_X + 0x48, 8);
	ck_assert_uint_eq(r.tr.oa, page_q + 0x48);
	EXPECT_NONE(&mt);
}
END_TEST

/* D8.14.1: the EL2 CPU read the stage 2 descriptor (its translation of that page is
 * cached for the fast path), then changes it valid -> valid: the store still reaches the
 * stage 2 TLB model and is bbm. */
START_TEST(test_s2_fast_path_store_to_stage2_table_is_checked)
{
	ev_load(&mt, 1, IPA_X, 8);
	ev_load(&mt, 0, leaf_x, 8);
	ev_load(&mt, 0, leaf_x, 8);
	ev_store(&mt, 0, leaf_x + 8, 8, 0); /* an invalid neighbour: no outcome changes */
	EXPECT_NONE(&mt);
	ev_store(&mt, 0, leaf_x, 8, S2_PAGE(page_q, S2_RW));
	EXPECT(&mt, HZ_BBM, 1);
}
END_TEST

/* The fetch as `sim` delivers it: the fast path first, model_step when it declines. */
static bool fetch1(struct machine *m, uint64_t pc, struct model_step_result *r)
{
	uint64_t pa;
	m->pc[1] = pc;
	if (model_fetch_fast(m->m, 1, pc, &pa, r))
		return true;
	*r = ev_fetch(m, 1, pc);
	return false;
}

/*
 * One random stream, two models: A takes the full check for every access
 * (model_cfg.full_check), B its fast paths as `sim` does. An EL2 CPU remaps, unmaps and
 * maps stage 2 pages, with and without DSB, TLBI (IPAS2E1IS, VMALLE1IS, VMALLS12E1IS, in
 * its VMID or another) and the EL1 CPU's context synchronisation, and switches VMID and
 * HCR_EL2.VM; the EL1 CPU fetches, loads and stores through both stages. Every result and
 * every report must be the same, event for event.
 */
static void s2_twin_run(uint64_t seed, unsigned n, bool s1)
{
	struct machine ma, mb;
	struct machine *t[2] = {&ma, &mb};
	for (int k = 0; k < 2; k++) {
		start_machine(t[k], true, k == 0);
		if (s1)
			stage1_on_machine(t[k]);
	}
	uint64_t x = seed, pc = RAM_BASE + 0x1000, fast = 0;
	uint64_t vx = s1 ? VX : IPA_X;
	for (unsigned i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		uint64_t va = (x & 0x100) ? vx + ((x >> 12) & 0xff8)
		                          : RAM_BASE + ((x >> 12) % (UINT64_C(1) << 20) & ~UINT64_C(7));
		/* a stage 2 leaf: IPA_X's, or one of the first MiB of RAM (identity) */
		uint64_t ipa = (x & 0x200) ? IPA_X : RAM_BASE + ((x >> 30) % 256) * 4096;
		uint64_t leaf = mt_desc_pa(&ma, s2root, ipa, 3);
		uint64_t leafval = (x & 0x400) ? 0
		                   : (x & 0x800) ? S2_PAGE(ipa == IPA_X ? page_q : ipa, S2_RW)
		                                 : S2_PAGE(ipa == IPA_X ? page_p : ipa, S2_RO);
		unsigned what = (unsigned)((x >> 40) % 48);
		struct model_step_result fr[2];
		memset(fr, 0, sizeof(fr));
		for (int k = 0; k < 2; k++) {
			struct machine *m = t[k];
			switch (what) {
			case 0:
				pc = (x & 1) ? vx + ((x >> 1) & 0xffc) : (va & ~UINT64_C(3));
				/* fall through */
			default: /* the next instruction */
				if (k == 0) {
					m->pc[1] = pc;
					fr[k] = ev_fetch(m, 1, pc);
				} else {
					fast += fetch1(m, pc, &fr[k]);
				}
				break;
			case 1:
			case 2:
				fr[k] = ev_load(m, 1, va, 8);
				break;
			case 3: /* to RAM: with HCR_EL2.VM=0 IPA_X is no memory */
				fr[k] = ev_store(m, 1, (va & 0xffff8) | RAM_BASE, 8, x);
				break;
			case 4:
			case 5:
				ev_store(m, 0, leaf, 8, leafval);
				break;
			case 6:
				fr[k] = ev_load(m, 0, leaf, 8);
				break;
			case 7:
				ev_dsb(m, 0, DOM_ISH, (x & 0x1000) ? BAR_ST : BAR_ALL);
				break;
			case 8:
				ev_tlbi(m, 0,
				        (x & 0x2000)   ? TLBI_IPAS2E1IS
				        : (x & 0x4000) ? TLBI_VMALLE1IS
				                       : TLBI_VMALLS12E1IS,
				        ipa);
				if ((x >> 16) & 3) {
					ev_dsb(m, 0, DOM_ISH, BAR_ALL);
					ev_isb(m, 1);
				}
				break;
			case 9:
				ev_isb(m, 1);
				break;
			case 10:
				ev_msr(m, 0, SR_VTTBR_EL2,
				       s2root | (uint64_t)((x >> 18) & 1) << 48);
				ev_isb(m, 0);
				break;
			case 11:
				ev_msr(m, 1, SR_HCR_EL2,
				       HCR_EL2_RW | ((x >> 19) % 4 ? HCR_EL2_VM : 0));
				if ((x >> 21) & 3)
					ev_isb(m, 1);
				break;
			}
		}
		ck_assert_int_eq(fr[0].fault.type, fr[1].fault.type);
		ck_assert_uint_eq(fr[0].fault12.stage, fr[1].fault12.stage);
		ck_assert_uint_eq(fr[0].s2_on, fr[1].s2_on);
		ck_assert_uint_eq(fr[0].ipa, fr[1].ipa);
		if (fr[0].fault.type == FAULT_NONE)
			ck_assert_uint_eq(fr[0].tr.oa, fr[1].tr.oa);
		MT_EXPECT_SAME_REPORTS(&ma, &mb);
		if (what > 11)
			pc += 4;
	}
	/* Not a vacuous comparison: many fetches through stage 2 took the fast path. */
	ck_assert_uint_gt(fast, n / 8);
	mt_fini(&ma);
	mt_fini(&mb);
}

START_TEST(test_s2_twin_models_fast_and_full_agree)
{
	for (uint64_t seed = 1; seed <= 6; seed++)
		s2_twin_run(seed * 0x9e3779b97f4a7c15, 3000, seed & 1);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("s2-checker");
	TCase *tc = tcase_create("model_step");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60); /* the twin-model test, on a loaded machine */
	tcase_add_test(tc, test_s2_step_translates_and_reports_stage2_fault);
	tcase_add_test(tc, test_s2_step_vm0_is_stage1_only);
	tcase_add_test(tc, test_s2_step_unmap_without_tlbi_is_stale_tlb);
	tcase_add_test(tc, test_s2_step_unmap_with_vmalls12e1is_is_clean);
	tcase_add_test(tc, test_s2_step_tlbi_in_other_vmid_is_stale_tlb);
	tcase_add_test(tc, test_s2_step_bbm_on_remap);
	tcase_add_test(tc, test_s2_step_dc_zva_over_stage2_table_is_stale_tlb);
	tcase_add_test(tc, test_s2_step_stale_stage1_entry_goes_through_stage2);
	tcase_add_test(tc, test_s2_step_stage1_unmap_with_vmalle1_is_clean);
	tcase_add_test(tc, test_s2_no_stage1_entry_when_table_read_faults_at_stage2);
	tcase_add_test(tc, test_s2_vm0_entry_survives_stage2_enable_without_tlbi);
	tcase_add_test(tc, test_s2_vm0_entry_removed_by_vmalls12e1_at_enable);
	tcase_add_test(tc, test_s2_store_to_newly_linked_table_is_tracked);
	tcase_add_test(tc, test_s2_fast_path_serves_stage2_translation_until_table_store);
	tcase_add_test(tc, test_s2_fast_path_store_to_stage2_table_is_checked);
	tcase_add_test(tc, test_s2_twin_models_fast_and_full_agree);
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
