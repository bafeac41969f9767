/*
 * test_s2_walk.c - Check tests of stage 2 of the EL1&0 regime (model/s2.c): VTCR_EL2 and
 * VTTBR_EL2, the stage 2 walk, stage 2 descriptors and faults, the combined stage 1 +
 * stage 2 translation, combined attributes, and the syndrome of stage 1 and stage 2 aborts.
 * Each test names the Arm ARM (DDI 0487) D8 rule it checks; each rule has a positive case
 * and a negative one (the rule must not fire where it does not apply).
 */
#include <check.h>
#include <stdlib.h>

#include "test_s2.h"

#define IPA_OFF UINT64_C(0x100000000) /* stage 1 tables live at IPA = PA + IPA_OFF */
#define S1_MAIR UINT64_C(0xbb4400ff)  /* 0 Normal WB, 1 Device-nGnRnE, 2 NC, 3 WT */
#define S1_LEAF (DESC_AF | (UINT64_C(3) << DESC_SH_SHIFT))
#define S1_TCR                                                                                     \
	(UINT64_C(25) | UINT64_C(1) << TCR_EL1_IRGN0_SHIFT | UINT64_C(3) << TCR_EL1_SH0_SHIFT |    \
	 UINT64_C(25) << TCR_EL1_T1SZ_SHIFT | TCR_EL1_EPD1 | UINT64_C(5) << TCR_EL1_IPS_SHIFT |    \
	 (uint64_t)TCR_TG1_4K << TCR_EL1_TG1_SHIFT)
#define SCTLR1_ON (SCTLR_EL1_BOOT | SCTLR_ELx_M | SCTLR_ELx_C | SCTLR_ELx_I)

static struct test_mem mem;
static struct mem_ops ops;

static void setup(void)
{
	test_mem_init(&mem, RAM_BASE, RAM_SIZE);
	ops = test_mem_ops(&mem);
}

static void teardown(void)
{
	test_mem_fini(&mem);
}

/* Stage 1 (TTBR0_EL1, 4K, T0SZ=25: start level 1) mapping va to ipa with a level 3 page;
 * every table address written in a descriptor (and the TTBR) is PA + off. */
static uint64_t s1_root;

static uint64_t s1_map(uint64_t off, uint64_t va, uint64_t ipa, uint64_t attrs)
{
	if (!s1_root)
		s1_root = test_mem_alloc(&mem, SZ_4K);
	uint64_t table = s1_root;
	for (int level = 1; level < 3; level++) {
		unsigned shift = test_level_shift(level, 12);
		uint64_t idx = (va >> shift) & 0x1ff;
		uint64_t d = test_mem_r64(&mem, table + 8 * idx);
		if ((d & 3) != 3) {
			d = (test_mem_alloc(&mem, SZ_4K) + off) | 3;
			test_mem_w64(&mem, table + 8 * idx, d);
		}
		table = (d & DESC_OA_MASK_48) - off;
	}
	uint64_t dpa = table + 8 * ((va >> 12) & 0x1ff);
	test_mem_w64(&mem, dpa, ipa | attrs | 3);
	return dpa;
}

/* Stage 2 of VMID 1, 4K, 40-bit IPA; identity 2 MiB blocks over RAM and, at IPA + IPA_OFF,
 * 2 MiB blocks to the same RAM (so stage 1 tables can be given IPAs other than their PAs). */
static struct s12_regs regs_s2(uint64_t s2_attrs)
{
	struct s12_regs r = {
	    .sctlr_el1 = SCTLR1_ON,
	    .tcr_el1 = S1_TCR,
	    .mair_el1 = S1_MAIR,
	    .hcr_el2 = HCR_EL2_VM | HCR_EL2_RW,
	    .vtcr_el2 = VTCR_40,
	};
	r.vttbr_el2 = s2_alloc_root(&mem, VTCR_40, 1);
	for (uint64_t pa = RAM_BASE; pa < RAM_BASE + RAM_SIZE; pa += SZ_2M) {
		s2_map(&mem, VTCR_40, r.vttbr_el2, pa, pa, 2, s2_attrs);
		s2_map(&mem, VTCR_40, r.vttbr_el2, pa + IPA_OFF, pa, 2, s2_attrs);
	}
	return r;
}

static struct s12_result xlate(const struct s12_regs *r, uint64_t va, enum access_type acc,
                               unsigned el)
{
	struct s12_result res;
	s12_translate(r, S2_FEATURES_A72, &ops, va, acc, el, &res);
	return res;
}

#define ck_s12_fault(res, st, t, l)                                                                \
	do {                                                                                       \
		ck_assert_msg((res).fault.stage == (st) && (res).fault.f.type == (t) &&            \
		                  (res).fault.f.level == (l),                                      \
		              "expected stage %d %s at level %d, got stage %d %s at level %d",     \
		              (int)(st), pt_fault_name(t), (int)(l), (int)(res).fault.stage,       \
		              pt_fault_name((res).fault.f.type), (int)(res).fault.f.level);        \
	} while (0)

/* ---------- registers ---------- */

/* D8.13 / VTTBR_EL2.VMID: 8 bits on a CPU without FEAT_VMID16, whatever VTCR_EL2.VS. */
START_TEST(test_s2_vmid_is_8_bits_without_vmid16)
{
	uint64_t vttbr = UINT64_C(0x1234) << VTTBR_VMID_SHIFT;
	ck_assert_uint_eq(s2_vmid(VTCR_40 | VTCR_VS, vttbr, S2_FEATURES_A72), 0x34);
	struct s2_features f16 = {true, false, 44};
	ck_assert_uint_eq(s2_vmid(VTCR_40 | VTCR_VS, vttbr, f16), 0x1234);
	ck_assert_uint_eq(s2_vmid(VTCR_40, vttbr, f16), 0x34); /* VS=0: 8 bits */
}
END_TEST

/* D8.2.x stage 2 start level from SL0 and the granule: 4K SL0=1 level 1, SL0=0 level 2;
 * 64K SL0=1 level 2. */
START_TEST(test_s2_start_level_from_sl0)
{
	struct s2_cfg c;
	s2_cfg_from_regs(vtcr(25, 1, TCR_TG0_4K, 5), 0, S2_FEATURES_A72, &c);
	ck_assert(c.sl_ok);
	ck_assert_int_eq(c.start_level, 1);
	ck_assert_uint_eq(c.nconcat, 1);
	s2_cfg_from_regs(vtcr(32, 0, TCR_TG0_4K, 5), 0, S2_FEATURES_A72, &c);
	ck_assert(c.sl_ok);
	ck_assert_int_eq(c.start_level, 2);
	ck_assert_uint_eq(c.nconcat, 4); /* 32-bit IPA from level 2: 11 bits, 4 tables */
	s2_cfg_from_regs(vtcr(22, 1, TCR_TG0_64K, 5), 0, S2_FEATURES_A72, &c);
	ck_assert(c.sl_ok);
	ck_assert_int_eq(c.start_level, 2);
	ck_assert_uint_eq(c.granule_shift, 16);
}
END_TEST

/* D8.2.x "Concatenated translation tables for the initial stage 2 lookup": a 40-bit IPA
 * from level 1 (4K) uses two concatenated level 1 tables; IPA[39] selects the second. */
START_TEST(test_s2_concatenated_initial_tables)
{
	struct s2_cfg c;
	uint64_t vttbr = s2_alloc_root(&mem, VTCR_40, 1);
	uint64_t ipa = UINT64_C(0x8040000000); /* bit 39 set */
	uint64_t dpa = s2_map(&mem, VTCR_40, vttbr, ipa, RAM_BASE + SZ_2M, 2, S2_LEAF_RW);
	struct s2_walk w;

	s2_cfg_from_regs(VTCR_40, vttbr, S2_FEATURES_A72, &c);
	ck_assert_uint_eq(c.nconcat, 2);
	s2_translate(&c, &ops, ipa + 0x1234, &w);
	ck_assert_int_eq(w.fault.type, FAULT_NONE);
	ck_assert_uint_eq(w.pa, RAM_BASE + SZ_2M + 0x1234);
	/* The level 1 descriptor read lies in the second 4 KiB table of the root. */
	ck_assert_uint_eq(w.steps[0].desc_pa,
	                  (vttbr & TTBR_BADDR_MASK & ~UINT64_C(0xffff000000000000)) + SZ_4K +
	                      8 * 1);
	ck_assert_uint_eq(w.steps[1].desc_pa, dpa);
	/* Negative: the same IPA without bit 39 misses (nothing mapped in the first table). */
	s2_translate(&c, &ops, ipa & ~(UINT64_C(1) << 39), &w);
	ck_assert_int_eq(w.fault.type, FAULT_TRANSLATION);
	ck_assert_int_eq(w.fault.level, 1);
}
END_TEST

/* AArch64.S2InconsistentSL: SL0 that needs more than 16 concatenated tables (4K, 40-bit IPA
 * from level 2) or resolves no bit, and reserved SL0 (4K 0b11): every IPA faults. */
START_TEST(test_s2_inconsistent_sl0_faults)
{
	struct s2_cfg c;
	struct s2_walk w;
	s2_cfg_from_regs(vtcr(24, 0, TCR_TG0_4K, 5), RAM_BASE, S2_FEATURES_A72, &c);
	ck_assert(!c.sl_ok);
	s2_translate(&c, &ops, 0x1000, &w);
	ck_assert_int_eq(w.fault.type, FAULT_TRANSLATION);
	ck_assert_int_eq(w.fault.level, 1);
	ck_assert_uint_eq(w.nsteps, 0);
	s2_cfg_from_regs(vtcr(24, 3, TCR_TG0_4K, 5), RAM_BASE, S2_FEATURES_A72, &c);
	ck_assert(!c.sl_ok);
	s2_cfg_from_regs(vtcr(39, 2, TCR_TG0_4K, 5), RAM_BASE, S2_FEATURES_A72, &c);
	ck_assert(!c.sl_ok); /* 25-bit IPA from level 0 resolves no level 0 bit */
	s2_cfg_from_regs(vtcr(39, 1, TCR_TG0_4K, 5), RAM_BASE, S2_FEATURES_A72, &c);
	ck_assert(!c.sl_ok); /* 25-bit IPA from level 1 (a level 1 entry maps 1 GiB) */
	/* Negative: 4K, 31-bit IPA from level 1 (one bit at level 1) is consistent. */
	s2_cfg_from_regs(vtcr(33, 1, TCR_TG0_4K, 5), RAM_BASE, S2_FEATURES_A72, &c);
	ck_assert(c.sl_ok);
}
END_TEST

/* Stage 2 input address size: an IPA at or above 2^(64-T0SZ) is a level 0 Translation fault. */
START_TEST(test_s2_ipa_out_of_range_translation_fault)
{
	struct s2_cfg c;
	struct s2_walk w;
	uint64_t vttbr = s2_alloc_root(&mem, VTCR_40, 1);
	s2_map(&mem, VTCR_40, vttbr, UINT64_C(0xff00000000), RAM_BASE, 2, S2_LEAF_RW);
	s2_cfg_from_regs(VTCR_40, vttbr, S2_FEATURES_A72, &c);
	s2_translate(&c, &ops, UINT64_C(0x10000000000), &w);
	ck_assert_int_eq(w.fault.type, FAULT_TRANSLATION);
	ck_assert_int_eq(w.fault.level, 0);
	s2_translate(&c, &ops, UINT64_C(0xff00000000), &w); /* the last 2 MiB: mapped */
	ck_assert_int_eq(w.fault.type, FAULT_NONE);
}
END_TEST

/* ---------- descriptors and stage 2 faults ---------- */

/* D8.3.x stage 2 Translation fault at the level of the invalid descriptor; AF=0 an Access
 * flag fault; an OA above VTCR_EL2.PS an Address size fault. */
START_TEST(test_s2_translation_af_and_address_size_faults)
{
	struct s2_cfg c;
	struct s2_walk w;
	uint64_t v = vtcr(24, 1, TCR_TG0_4K, 2); /* PS = 40 bits */
	uint64_t vttbr = s2_alloc_root(&mem, v, 1);
	s2_map(&mem, v, vttbr, 0x200000, RAM_BASE, 2, S2_LEAF_RW & ~DESC_AF);
	s2_map(&mem, v, vttbr, 0x400000, UINT64_C(0x10000000000), 2, S2_LEAF_RW);
	s2_map(&mem, v, vttbr, 0x600000, RAM_BASE, 2, S2_LEAF_RW);
	s2_cfg_from_regs(v, vttbr, S2_FEATURES_A72, &c);
	s2_translate(&c, &ops, 0x200000, &w);
	ck_assert_int_eq(w.fault.type, FAULT_ACCESS_FLAG);
	ck_assert_int_eq(w.fault.level, 2);
	s2_translate(&c, &ops, 0x400000, &w);
	ck_assert_int_eq(w.fault.type, FAULT_ADDRESS_SIZE);
	s2_translate(&c, &ops, 0x800000, &w);
	ck_assert_int_eq(w.fault.type, FAULT_TRANSLATION);
	ck_assert_int_eq(w.fault.level, 2);
	s2_translate(&c, &ops, 0x600010, &w); /* negative: a valid block */
	ck_assert_int_eq(w.fault.type, FAULT_NONE);
	ck_assert_uint_eq(w.pa, RAM_BASE + 0x10);
}
END_TEST

/* AArch64.PAMax: VTCR_EL2.PS = 48 bits on a CPU whose PARange is 44 bits gives 44-bit output
 * addresses; a block at 2^44 is an Address size fault there and translates on a 48-bit CPU. */
START_TEST(test_s2_ps_capped_at_implemented_pa_size_PAMax)
{
	struct s2_cfg c;
	struct s2_walk w;
	uint64_t v = vtcr(24, 1, TCR_TG0_4K, 5); /* PS = 48 bits */
	uint64_t vttbr = s2_alloc_root(&mem, v, 1);
	s2_map(&mem, v, vttbr, 0x400000, UINT64_C(1) << 44, 2, S2_LEAF_RW);
	s2_map(&mem, v, vttbr, 0x600000, RAM_BASE, 2, S2_LEAF_RW);
	s2_cfg_from_regs(v, vttbr, S2_FEATURES_A72, &c);
	ck_assert_uint_eq(c.oa_bits, 44);
	s2_translate(&c, &ops, 0x400000, &w);
	ck_assert_int_eq(w.fault.type, FAULT_ADDRESS_SIZE);
	s2_translate(&c, &ops, 0x600010, &w); /* negative: below 2^44 */
	ck_assert_int_eq(w.fault.type, FAULT_NONE);
	struct s2_features f48 = {false, false, 48};
	s2_cfg_from_regs(v, vttbr, f48, &c);
	s2_translate(&c, &ops, 0x400000, &w);
	ck_assert_int_eq(w.fault.type, FAULT_NONE);
	ck_assert_uint_eq(w.pa, UINT64_C(1) << 44);
}
END_TEST

/* D8.4.x stage 2 access permissions: S2AP[0] read, S2AP[1] write, checked for EL1 and EL0
 * alike. */
START_TEST(test_s2_s2ap_permissions)
{
	struct s2_walk w = {.fault = {FAULT_NONE, 3}, .level = 3, .r = true, .w = false};
	ck_assert_int_eq(s2_check_perm(&w, ACC_READ, 1, false).type, FAULT_NONE);
	ck_assert_int_eq(s2_check_perm(&w, ACC_WRITE, 1, false).type, FAULT_PERMISSION);
	ck_assert_int_eq(s2_check_perm(&w, ACC_WRITE, 0, false).type, FAULT_PERMISSION);
	ck_assert_int_eq(s2_check_perm(&w, ACC_DC_WRITE, 1, false).type, FAULT_PERMISSION);
	w.r = false;
	w.w = true;
	ck_assert_int_eq(s2_check_perm(&w, ACC_READ, 1, false).type, FAULT_PERMISSION);
	ck_assert_int_eq(s2_check_perm(&w, ACC_WRITE, 1, false).type, FAULT_NONE);
	/* A stage 1 table read is checked as a read whatever the access. */
	ck_assert_int_eq(s2_check_perm(&w, ACC_WRITE, 1, true).type, FAULT_PERMISSION);
}
END_TEST

/* AArch64.S2CheckPermission: DC by VA at EL1 other than DC IVAC/ZVA takes no stage 2
 * Permission fault; at EL0 it needs read permission. */
START_TEST(test_s2_dc_at_el1_no_stage2_permission_fault)
{
	struct s2_walk w = {.fault = {FAULT_NONE, 3}, .level = 3, .r = false, .w = false};
	ck_assert_int_eq(s2_check_perm(&w, ACC_DC_READ, 1, false).type, FAULT_NONE);
	ck_assert_int_eq(s2_check_perm(&w, ACC_DC_READ, 0, false).type, FAULT_PERMISSION);
}
END_TEST

/* D8.4.x stage 2 execute-never: without FEAT_XNX only XN[1] (bit 54) counts, for EL1 and
 * EL0; bit 53 is RES0 and ignored. */
START_TEST(test_s2_xn_without_xnx)
{
	struct s2_cfg c;
	struct s2_walk w;
	uint64_t vttbr = s2_alloc_root(&mem, VTCR_40, 1);
	s2_map(&mem, VTCR_40, vttbr, 0x200000, RAM_BASE, 2, S2_LEAF_RO | BIT64(53));
	s2_map(&mem, VTCR_40, vttbr, 0x400000, RAM_BASE, 2, S2_LEAF_RO | BIT64(54));
	s2_cfg_from_regs(VTCR_40, vttbr, S2_FEATURES_A72, &c);
	s2_translate(&c, &ops, 0x200000, &w);
	ck_assert_int_eq(s2_check_perm(&w, ACC_FETCH, 1, false).type, FAULT_NONE);
	ck_assert_int_eq(s2_check_perm(&w, ACC_FETCH, 0, false).type, FAULT_NONE);
	s2_translate(&c, &ops, 0x400000, &w);
	ck_assert_int_eq(s2_check_perm(&w, ACC_FETCH, 1, false).type, FAULT_PERMISSION);
	ck_assert_int_eq(s2_check_perm(&w, ACC_FETCH, 0, false).type, FAULT_PERMISSION);
	ck_assert_int_eq(s2_check_perm(&w, ACC_READ, 1, false).type, FAULT_NONE);
}
END_TEST

/* FEAT_XNX, XN[1:0]: 01 executable at EL0 only, 11 at EL1 only, 10 at neither. */
START_TEST(test_s2_xnx_distinguishes_el0_el1)
{
	struct s2_features fx = {false, true, 44};
	struct s2_cfg c;
	struct s2_walk w;
	uint64_t vttbr = s2_alloc_root(&mem, VTCR_40, 1);
	s2_map(&mem, VTCR_40, vttbr, 0x200000, RAM_BASE, 2, S2_LEAF_RO | UINT64_C(1) << 53);
	s2_map(&mem, VTCR_40, vttbr, 0x400000, RAM_BASE, 2, S2_LEAF_RO | UINT64_C(3) << 53);
	s2_cfg_from_regs(VTCR_40, vttbr, fx, &c);
	s2_translate(&c, &ops, 0x200000, &w);
	ck_assert_int_eq(s2_check_perm(&w, ACC_FETCH, 1, false).type, FAULT_PERMISSION);
	ck_assert_int_eq(s2_check_perm(&w, ACC_FETCH, 0, false).type, FAULT_NONE);
	s2_translate(&c, &ops, 0x400000, &w);
	ck_assert_int_eq(s2_check_perm(&w, ACC_FETCH, 1, false).type, FAULT_NONE);
	ck_assert_int_eq(s2_check_perm(&w, ACC_FETCH, 0, false).type, FAULT_PERMISSION);
}
END_TEST

/* D8.5.x stage 2 MemAttr (FWB=0): 0b00xx Device, 0bOOII Normal outer OO / inner II. */
START_TEST(test_s2_memattr_decode)
{
	struct mem_attrs a = s2_decode_memattr(0x0, 3);
	ck_assert_int_eq(a.inner, MT_DEVICE);
	a = s2_decode_memattr(0xf, 3);
	ck_assert_int_eq(a.inner, MT_NORMAL_WB);
	ck_assert_int_eq(a.outer, MT_NORMAL_WB);
	a = s2_decode_memattr(0x5, 3);
	ck_assert_int_eq(a.inner, MT_NORMAL_NC);
	a = s2_decode_memattr(0xe, 3); /* outer WB, inner WT */
	ck_assert_int_eq(a.outer, MT_NORMAL_WB);
	ck_assert_int_eq(a.inner, MT_NORMAL_WT);
}
END_TEST

/* D8.5.x "Combining the stage 1 and stage 2 attributes": the less cacheable, Device over
 * Normal, the more shareable; two Write-Back stages stay Write-Back. */
START_TEST(test_s2_combined_attrs_take_the_stricter)
{
	struct mem_attrs wb = {.inner = MT_NORMAL_WB, .outer = MT_NORMAL_WB, .sh = 3};
	struct mem_attrs nc = {.inner = MT_NORMAL_NC, .outer = MT_NORMAL_NC, .sh = 0};
	struct mem_attrs dev = {.inner = MT_DEVICE, .outer = MT_DEVICE, .sh = 2};
	struct mem_attrs r = s2_combine_attrs(wb, nc);
	ck_assert_int_eq(r.inner, MT_NORMAL_NC);
	ck_assert_int_eq(r.sh, 3);
	r = s2_combine_attrs(nc, wb);
	ck_assert_int_eq(r.inner, MT_NORMAL_NC);
	r = s2_combine_attrs(dev, wb);
	ck_assert_int_eq(r.inner, MT_DEVICE);
	r = s2_combine_attrs(wb, dev);
	ck_assert_int_eq(r.inner, MT_DEVICE);
	ck_assert_int_eq(r.sh, 2);
	r = s2_combine_attrs(wb, wb);
	ck_assert_int_eq(r.inner, MT_NORMAL_WB);
	ck_assert_int_eq(r.outer, MT_NORMAL_WB);
}
END_TEST

/* D8.14.1 for stage 2 descriptors: OA, MemAttr, SH, Contiguous and table<->block need a
 * break; S2AP, XN and AF do not, nor invalid<->valid. */
START_TEST(test_s2_bbm_needed)
{
	uint64_t d = RAM_BASE | S2_LEAF_RW | 1;
	ck_assert(s2_bbm_needed(d, (RAM_BASE + SZ_2M) | S2_LEAF_RW | 1, 2, 12));
	ck_assert(
	    s2_bbm_needed(d, RAM_BASE | (S2_LEAF_RW & ~S2_MEMATTR_WB) | S2_MEMATTR_NC | 1, 2, 12));
	ck_assert(s2_bbm_needed(d, d | DESC_CONTIG, 2, 12));
	ck_assert(s2_bbm_needed(d, RAM_BASE | 3, 2, 12)); /* block -> table */
	ck_assert(!s2_bbm_needed(d, RAM_BASE | S2_LEAF_RO | 1, 2, 12));
	ck_assert(!s2_bbm_needed(d, d | BIT64(54), 2, 12));
	ck_assert(!s2_bbm_needed(d, d & ~DESC_AF, 2, 12));
	ck_assert(!s2_bbm_needed(d, 0, 2, 12));
	ck_assert(!s2_bbm_needed(0, d, 2, 12));
}
END_TEST

/* ---------- the combined translation ---------- */

/* D8.2 with HCR_EL2.VM=1: stage 1 table addresses are IPAs, each translated by stage 2
 * before the read; the output IPA is translated too. */
START_TEST(test_s2_combined_walk_translates_s1_tables)
{
	struct s12_regs r = regs_s2(S2_LEAF_RW);
	uint64_t page = test_mem_alloc(&mem, SZ_4K);
	s1_map(IPA_OFF, 0x1000, page + IPA_OFF, S1_LEAF);
	r.ttbr0_el1 = s1_root + IPA_OFF;
	struct s12_result res = xlate(&r, 0x1234, ACC_READ, 1);
	ck_s12_fault(res, 0, FAULT_NONE, res.fault.f.level);
	ck_assert_uint_eq(res.ipa, page + IPA_OFF + 0x234);
	ck_assert_uint_eq(res.pa, page + 0x234);
	ck_assert_uint_eq(res.nptw, 3); /* one stage 2 walk per stage 1 descriptor read */
	ck_assert_uint_eq(res.ptw[0].ipa, s1_root + IPA_OFF + 0);
	ck_assert_uint_eq(res.ptw[0].pa, s1_root);
	/* Negative: HCR_EL2.VM=0 reads the TTBR as a PA: there is no RAM at PA + IPA_OFF. */
	r.hcr_el2 = HCR_EL2_RW;
	res = xlate(&r, 0x1234, ACC_READ, 1);
	ck_s12_fault(res, 1, FAULT_EXTERNAL_WALK, 1);
}
END_TEST

/* With HCR_EL2.VM=0 the combined translation is stage 1 alone (pt_translate's answer). */
START_TEST(test_s2_vm0_is_stage1_only)
{
	struct s12_regs r = regs_s2(S2_LEAF_RO);
	uint64_t page = test_mem_alloc(&mem, SZ_4K);
	s1_map(0, 0x1000, page, S1_LEAF);
	r.ttbr0_el1 = s1_root;
	r.hcr_el2 = HCR_EL2_RW;
	struct s12_result res = xlate(&r, 0x1008, ACC_WRITE, 1);
	struct walk_result w;
	pt_translate(&res.s1cfg, &ops, 0x1008, &w);
	ck_assert_int_eq(res.fault.f.type, FAULT_NONE); /* stage 2 RO is not in force */
	ck_assert_uint_eq(res.pa, w.oa);
	ck_assert_uint_eq(res.nptw, 0);
	r.hcr_el2 |= HCR_EL2_VM; /* positive: with VM=1 the write takes the stage 2 fault */
	res = xlate(&r, 0x1008, ACC_WRITE, 1);
	ck_s12_fault(res, 2, FAULT_PERMISSION, 2);
}
END_TEST

/* D8.2 / AArch64.S2Walk s2fs1walk: a stage 2 fault on a stage 1 table read is a stage 2
 * fault with S1PTW=1, taken to EL2, HPFAR_EL2.FIPA the descriptor's IPA, WnR=0. */
START_TEST(test_s2_walk_s1ptw_fault_sets_hpfar)
{
	struct s12_regs r = regs_s2(S2_LEAF_RW);
	uint64_t page = test_mem_alloc(&mem, SZ_4K);
	s1_map(IPA_OFF, 0x1000, page + IPA_OFF, S1_LEAF);
	r.ttbr0_el1 = s1_root + IPA_OFF;
	/* Unmap at stage 2 the 2 MiB holding the level 2 table's IPA. */
	uint64_t l1d = test_mem_r64(&mem, s1_root);
	uint64_t l2_ipa = l1d & DESC_OA_MASK_48;
	uint64_t s2d = s2_map(&mem, VTCR_40, r.vttbr_el2, l2_ipa & ~(SZ_2M - 1), 0, 2, 0);
	test_mem_w64(&mem, s2d, 0);
	struct s12_result res = xlate(&r, 0x1000, ACC_WRITE, 1);
	ck_s12_fault(res, 2, FAULT_TRANSLATION, 2);
	ck_assert(res.fault.s1ptw);
	ck_assert_uint_eq(res.fault.ipa, l2_ipa); /* the level 2 descriptor is entry 0 */
	struct s12_syndrome syn;
	s12_fault_syndrome(&res.fault, ACC_WRITE, 1, 0x1000, &syn);
	ck_assert_uint_eq(syn.target_el, 2);
	ck_assert_uint_eq(syn.esr >> ESR_EC_SHIFT, EC_DABT_LOW);
	ck_assert(syn.esr & ISS_DABT_S1PTW);
	ck_assert(!(syn.esr & ISS_DABT_WNR));
	ck_assert_uint_eq(syn.esr & 0x3f, FSC_TRANSLATION(2));
	ck_assert(syn.hpfar_valid);
	ck_assert_uint_eq(syn.hpfar, (l2_ipa >> 12) << 4);
	ck_assert_uint_eq(syn.far, 0x1000);
	/* Negative: mapped again, the same access succeeds and has no fault. */
	test_mem_w64(&mem, s2d, (l2_ipa - IPA_OFF) | S2_LEAF_RW | 1);
	res = xlate(&r, 0x1000, ACC_WRITE, 1);
	ck_assert_int_eq(res.fault.f.type, FAULT_NONE);
}
END_TEST

/* A stage 1 table read needs stage 2 read permission: S2AP=00 there is a Permission fault
 * with S1PTW=1 even for a fetch. */
START_TEST(test_s2_s1ptw_needs_stage2_read_permission)
{
	struct s12_regs r = regs_s2(S2_LEAF_RW);
	uint64_t page = test_mem_alloc(&mem, SZ_4K);
	s1_map(IPA_OFF, 0x1000, page + IPA_OFF, S1_LEAF);
	r.ttbr0_el1 = s1_root + IPA_OFF;
	uint64_t ipa = (s1_root + IPA_OFF) & ~(SZ_2M - 1);
	uint64_t s2d = s2_map(&mem, VTCR_40, r.vttbr_el2, ipa, ipa - IPA_OFF, 2,
	                      S2_LEAF_RW & ~(S2AP_R | S2AP_W));
	struct s12_result res = xlate(&r, 0x1000, ACC_FETCH, 1);
	ck_s12_fault(res, 2, FAULT_PERMISSION, 2);
	ck_assert(res.fault.s1ptw);
	struct s12_syndrome syn;
	s12_fault_syndrome(&res.fault, ACC_FETCH, 1, 0x1000, &syn);
	ck_assert_uint_eq(syn.esr >> ESR_EC_SHIFT, EC_IABT_LOW);
	ck_assert(syn.esr & ISS_DABT_S1PTW);
	/* Negative: read-only at stage 2 is enough for the walk. */
	test_mem_w64(&mem, s2d, (ipa - IPA_OFF) | S2_LEAF_RO | 1);
	res = xlate(&r, 0x1000, ACC_FETCH, 1);
	ck_assert_int_eq(res.fault.f.type, FAULT_NONE);
}
END_TEST

/* D8.2 with SCTLR_EL1.M=0 and HCR_EL2.VM=1: IPA = VA, stage 2 still applies (and its
 * fault goes to EL2 with HPFAR_EL2 = the VA's page). */
START_TEST(test_s2_mmu_off_ipa_equals_va)
{
	struct s12_regs r = regs_s2(S2_LEAF_RW);
	r.sctlr_el1 = SCTLR_EL1_BOOT;
	struct s12_result res = xlate(&r, RAM_BASE + IPA_OFF + 0x2008, ACC_READ, 1);
	ck_assert_int_eq(res.fault.f.type, FAULT_NONE);
	ck_assert(!res.s1_on);
	ck_assert_uint_eq(res.ipa, RAM_BASE + IPA_OFF + 0x2008);
	ck_assert_uint_eq(res.pa, RAM_BASE + 0x2008);
	ck_assert_int_eq(res.attrs.inner, MT_DEVICE);       /* stage 1 off: data is Device */
	res = xlate(&r, UINT64_C(0x20001000), ACC_READ, 1); /* not mapped at stage 2 */
	ck_s12_fault(res, 2, FAULT_TRANSLATION, 1);
	ck_assert(!res.fault.s1ptw);
	struct s12_syndrome syn;
	s12_fault_syndrome(&res.fault, ACC_READ, 1, UINT64_C(0x20001000), &syn);
	ck_assert_uint_eq(syn.hpfar, UINT64_C(0x20001) << 4);
}
END_TEST

/* D8.4: permissions of both stages apply; a stage 1 fault (to EL1) comes before the stage 2
 * translation of the output IPA. */
START_TEST(test_s2_combined_permissions_both_stages)
{
	struct s12_regs r = regs_s2(S2_LEAF_RO);
	uint64_t page = test_mem_alloc(&mem, SZ_4K);
	s1_map(0, 0x1000, page, S1_LEAF);            /* stage 1 RW */
	s1_map(0, 0x2000, page, S1_LEAF | DESC_AP2); /* stage 1 RO */
	r.ttbr0_el1 = s1_root;
	struct s12_result res = xlate(&r, 0x1000, ACC_WRITE, 1);
	ck_s12_fault(res, 2, FAULT_PERMISSION, 2);
	ck_assert_uint_eq(res.fault.ipa, page);
	res = xlate(&r, 0x2000, ACC_WRITE, 1);
	ck_s12_fault(res, 1, FAULT_PERMISSION, 3);
	ck_assert_uint_eq(res.fault.target_el, 1);
	res = xlate(&r, 0x1000, ACC_READ, 1); /* negative: reads pass both stages */
	ck_assert_int_eq(res.fault.f.type, FAULT_NONE);
	ck_assert_uint_eq(res.pa, page);
}
END_TEST

/* Combined memory type through the walk: stage 1 WB with stage 2 Non-cacheable is NC. */
START_TEST(test_s2_combined_walk_attrs)
{
	struct s12_regs r = regs_s2((S2_LEAF_RW & ~S2_MEMATTR_WB) | S2_MEMATTR_NC);
	uint64_t page = test_mem_alloc(&mem, SZ_4K);
	s1_map(0, 0x1000, page, S1_LEAF);
	r.ttbr0_el1 = s1_root;
	struct s12_result res = xlate(&r, 0x1000, ACC_READ, 1);
	ck_assert_int_eq(res.fault.f.type, FAULT_NONE);
	ck_assert_int_eq(res.s1.attrs.inner, MT_NORMAL_WB);
	ck_assert_int_eq(res.attrs.inner, MT_NORMAL_NC);
	r.hcr_el2 &= ~HCR_EL2_VM; /* negative: stage 1 alone keeps WB */
	res = xlate(&r, 0x1000, ACC_READ, 1);
	ck_assert_int_eq(res.attrs.inner, MT_NORMAL_WB);
}
END_TEST

/* D17.2.37 ESR_ELx: a stage 1 fault of EL1&0 goes to EL1 (EC 0x25 from EL1, 0x24 from EL0),
 * without HPFAR_EL2; a stage 2 one to EL2 with EC 0x24/0x20 and WnR for writes. */
START_TEST(test_s2_fault_syndrome_by_stage)
{
	struct s12_fault f1 = {{FAULT_TRANSLATION, 3}, 1, false, 0, 1};
	struct s12_fault f2 = {{FAULT_PERMISSION, 3}, 2, false, UINT64_C(0x4567000), 2};
	struct s12_syndrome s;
	s12_fault_syndrome(&f1, ACC_WRITE, 1, 0x8000, &s);
	ck_assert_uint_eq(s.target_el, 1);
	ck_assert_uint_eq(s.esr >> ESR_EC_SHIFT, EC_DABT_CUR);
	ck_assert(!s.hpfar_valid);
	ck_assert(s.esr & ISS_DABT_WNR);
	s12_fault_syndrome(&f1, ACC_READ, 0, 0x8000, &s);
	ck_assert_uint_eq(s.esr >> ESR_EC_SHIFT, EC_DABT_LOW);
	ck_assert(!(s.esr & ISS_DABT_WNR));
	s12_fault_syndrome(&f2, ACC_WRITE, 1, 0x8000, &s);
	ck_assert_uint_eq(s.target_el, 2);
	ck_assert_uint_eq(s.esr >> ESR_EC_SHIFT, EC_DABT_LOW);
	ck_assert_uint_eq(s.esr & 0x3f, FSC_PERMISSION(3));
	ck_assert(s.esr & ISS_DABT_WNR);
	ck_assert(!(s.esr & ISS_DABT_S1PTW));
	ck_assert(s.esr & ESR_IL);
	ck_assert_uint_eq(s.hpfar, UINT64_C(0x4567) << 4);
	s12_fault_syndrome(&f2, ACC_FETCH, 0, 0x8000, &s);
	ck_assert_uint_eq(s.esr >> ESR_EC_SHIFT, EC_IABT_LOW);
	s12_fault_syndrome(&f2, ACC_DC_WRITE, 1, 0x8000, &s);
	ck_assert(s.esr & ISS_DABT_CM);
}
END_TEST

static Suite *s2_suite(void)
{
	Suite *s = suite_create("s2-walk");
	TCase *tc = tcase_create("regs");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_s2_vmid_is_8_bits_without_vmid16);
	tcase_add_test(tc, test_s2_start_level_from_sl0);
	tcase_add_test(tc, test_s2_concatenated_initial_tables);
	tcase_add_test(tc, test_s2_inconsistent_sl0_faults);
	tcase_add_test(tc, test_s2_ipa_out_of_range_translation_fault);
	suite_add_tcase(s, tc);

	tc = tcase_create("descriptors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_s2_translation_af_and_address_size_faults);
	tcase_add_test(tc, test_s2_ps_capped_at_implemented_pa_size_PAMax);
	tcase_add_test(tc, test_s2_s2ap_permissions);
	tcase_add_test(tc, test_s2_dc_at_el1_no_stage2_permission_fault);
	tcase_add_test(tc, test_s2_xn_without_xnx);
	tcase_add_test(tc, test_s2_xnx_distinguishes_el0_el1);
	tcase_add_test(tc, test_s2_memattr_decode);
	tcase_add_test(tc, test_s2_combined_attrs_take_the_stricter);
	tcase_add_test(tc, test_s2_bbm_needed);
	suite_add_tcase(s, tc);

	tc = tcase_create("combined");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_s2_combined_walk_translates_s1_tables);
	tcase_add_test(tc, test_s2_vm0_is_stage1_only);
	tcase_add_test(tc, test_s2_walk_s1ptw_fault_sets_hpfar);
	tcase_add_test(tc, test_s2_s1ptw_needs_stage2_read_permission);
	tcase_add_test(tc, test_s2_mmu_off_ipa_equals_va);
	tcase_add_test(tc, test_s2_combined_permissions_both_stages);
	tcase_add_test(tc, test_s2_combined_walk_attrs);
	tcase_add_test(tc, test_s2_fault_syndrome_by_stage);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(s2_suite());
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
