/*
 * test_pt_walk.c - Check tests of hypsim's stage 1 walker (model/pt.c):
 * the regime registers, descriptors and faults; suite 'model'.
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

/* ---- D8.2.6: start level from TxSZ and the granule; TxSZ limits ------------------------ */

struct start_case {
	const char *rule;
	unsigned g, tsz_field, tsz_eff;
	int start;
};

static const struct start_case start_cases[] = {
    {"D8.2.6 4K TxSZ=16 starts at L0", 12, 16, 16, 0},
    {"D8.2.6 4K TxSZ=24 starts at L0", 12, 24, 24, 0},
    {"D8.2.6 4K TxSZ=25 starts at L1", 12, 25, 25, 1},
    {"D8.2.6 4K TxSZ=33 starts at L1", 12, 33, 33, 1},
    {"D8.2.6 4K TxSZ=34 starts at L2", 12, 34, 34, 2},
    {"D8.2.6 4K TxSZ=39 starts at L2", 12, 39, 39, 2},
    {"D8.2.6 16K TxSZ=16 starts at L0", 14, 16, 16, 0},
    {"D8.2.6 16K TxSZ=17 starts at L1", 14, 17, 17, 1},
    {"D8.2.6 16K TxSZ=27 starts at L1", 14, 27, 27, 1},
    {"D8.2.6 16K TxSZ=28 starts at L2", 14, 28, 28, 2},
    {"D8.2.6 16K TxSZ=38 starts at L2", 14, 38, 38, 2},
    {"D8.2.6 16K TxSZ=39 starts at L3", 14, 39, 39, 3},
    {"D8.2.6 64K TxSZ=16 starts at L1", 16, 16, 16, 1},
    {"D8.2.6 64K TxSZ=21 starts at L1", 16, 21, 21, 1},
    {"D8.2.6 64K TxSZ=22 starts at L2", 16, 22, 22, 2},
    {"D8.2.6 64K TxSZ=34 starts at L2", 16, 34, 34, 2},
    {"D8.2.6 64K TxSZ=35 starts at L3", 16, 35, 35, 3},
    {"D8.2.6 64K TxSZ=39 starts at L3", 16, 39, 39, 3},
    /* TxSZ below 16 (no FEAT_LVA) or above 39 (no FEAT_TTST) is CONSTRAINED
     * UNPREDICTABLE: hypsim behaves as the nearest valid value (R_SNRMR-style clamp). */
    {"D8.2.6 TxSZ=0 below minimum behaves as 16 (4K)", 12, 0, 16, 0},
    {"D8.2.6 TxSZ=10 below minimum behaves as 16 (64K)", 16, 10, 16, 1},
    {"D8.2.6 TxSZ=40 above maximum behaves as 39 (4K)", 12, 40, 39, 2},
    {"D8.2.6 TxSZ=63 above maximum behaves as 39 (16K)", 14, 63, 39, 3},
};

START_TEST(d8_2_6_start_level_and_walk_length)
{
	const struct start_case *c = &start_cases[_i];
	struct test_mem m;
	struct pt_cfg cfg;
	struct fault f;
	uint64_t gsize = UINT64_C(1) << c->g, root, va, pa = RAM_BASE + 0x123 * gsize;
	unsigned va_bits = 64 - c->tsz_eff;
	struct walk_result r;

	test_mem_init(&m, RAM_BASE, RAM_SIZE);
	root = test_mem_alloc(&m, gsize);
	ck_assert_msg(pt_cfg_from_regs(REGIME_EL2, TEST_PA_BITS, SCTLR_ON,
	                               tcr_el2(c->tsz_field, tg0_for(c->g), 5), root, 0, TEST_MAIR,
	                               0, &cfg, &f),
	              "%s", c->rule);
	ck_assert_msg(cfg.tsz == c->tsz_eff, "%s: tsz %u", c->rule, cfg.tsz);
	ck_assert_msg(cfg.start_level == c->start, "%s: start level %d", c->rule, cfg.start_level);
	ck_assert_uint_eq(cfg.granule_shift, c->g);

	/* The last page of the input range walks from the start level down to level 3. */
	va = (UINT64_C(1) << va_bits) - gsize;
	test_map(&m, &cfg, va, 3, pa | LEAF_RW, 0);
	r = translate(&cfg, &m, va + 0x18);
	ck_fault(r, FAULT_NONE, 3);
	ck_assert_msg(r.oa == pa + 0x18, "%s: oa %" PRIx64, c->rule, r.oa);
	ck_assert_uint_eq(r.nsteps, (unsigned)(4 - c->start));
	ck_assert_int_eq(r.steps[0].level, c->start);
	ck_assert_uint_eq(r.steps[0].desc_pa >> c->g, root >> c->g);

	/* One byte past the input range: level 0 Translation fault (AArch64.S1Walk). */
	r = translate(&cfg, &m, UINT64_C(1) << va_bits);
	ck_fault(r, FAULT_TRANSLATION, 0);
	ck_assert(!pt_cfg_from_regs(REGIME_EL2, TEST_PA_BITS, SCTLR_ON,
	                            tcr_el2(c->tsz_field, tg0_for(c->g), 5), root, 0, TEST_MAIR,
	                            UINT64_C(1) << va_bits, &cfg, &f));
	ck_fault((struct walk_result){.fault = f}, FAULT_TRANSLATION, 0);
	test_mem_fini(&m);
}
END_TEST

/* ---- D17.2.131/132: TG0/TG1 and PS/IPS encodings ---------------------------------------- */

START_TEST(d17_2_131_tg0_tg1_encodings)
{
	/* TG0: 0=4K 1=64K 2=16K, 3 reserved; TG1: 1=16K 2=4K 3=64K, 0 reserved. hypsim
	 * treats the reserved values as 4K (IMPLEMENTATION DEFINED choice of a granule). */
	static const unsigned tg0_g[4] = {12, 16, 14, 12}, tg1_g[4] = {12, 14, 12, 16};
	struct pt_cfg cfg;
	struct fault f;

	for (unsigned tg = 0; tg < 4; tg++) {
		uint64_t tcr = tcr_el1(25, tg, 25, tg, 5);

		ck_assert(pt_cfg_from_regs(REGIME_EL10, TEST_PA_BITS, SCTLR_ON, tcr, 0x40000000,
		                           0x40010000, TEST_MAIR, 0x1000, &cfg, &f));
		ck_assert_msg(cfg.granule_shift == tg0_g[tg], "TG0=%u -> %u", tg,
		              cfg.granule_shift);
		ck_assert(!cfg.upper);
		ck_assert(pt_cfg_from_regs(REGIME_EL10, TEST_PA_BITS, SCTLR_ON, tcr, 0x40000000,
		                           0x40010000, TEST_MAIR, UINT64_C(0xffffff8000001000),
		                           &cfg, &f));
		ck_assert_msg(cfg.granule_shift == tg1_g[tg], "TG1=%u -> %u", tg,
		              cfg.granule_shift);
		ck_assert(cfg.upper);
		ck_assert_uint_eq(cfg.ttbr, 0x40010000);
		/* EL2 uses the TG0 encoding. */
		ck_assert(pt_cfg_from_regs(REGIME_EL2, TEST_PA_BITS, SCTLR_ON, tcr_el2(25, tg, 5),
		                           0x40000000, 0, TEST_MAIR, 0, &cfg, &f));
		ck_assert_uint_eq(cfg.granule_shift, tg0_g[tg]);
	}
}
END_TEST

START_TEST(d17_2_131_ps_ips_encodings)
{
	/* PS/IPS 0..5 = 32,36,40,42,44,48; 52 (0b110) and the reserved 0b111 are above every
	 * implemented size the walker models. A value above the implemented PA size (the
	 * CPU's PARange, 32..48 bits here) behaves as the implemented size (AArch64.PAMax()). */
	static const unsigned bits[8] = {32, 36, 40, 42, 44, 48, 52, 52};
	struct pt_cfg cfg;
	struct fault f;

	for (unsigned pr = 0; pt_parange_bits(pr); pr++) {
		unsigned impl = pt_parange_bits(pr);
		for (unsigned ps = 0; ps < 8; ps++) {
			unsigned want = bits[ps] < impl ? bits[ps] : impl;
			ck_assert(pt_cfg_from_regs(REGIME_EL2, impl, SCTLR_ON, tcr_el2(16, 0, ps),
			                           0x40000000, 0, TEST_MAIR, 0, &cfg, &f));
			ck_assert_msg(cfg.oa_bits == want, "PARange %u-bit PS=%u -> %u", impl, ps,
			              cfg.oa_bits);
			ck_assert(pt_cfg_from_regs(REGIME_EL10, impl, SCTLR_ON,
			                           tcr_el1(16, 0, 16, 2, ps), 0x40000000, 0,
			                           TEST_MAIR, 0, &cfg, &f));
			ck_assert_msg(cfg.oa_bits == want, "PARange %u-bit IPS=%u -> %u", impl, ps,
			              cfg.oa_bits);
		}
	}
	/* D17.2.64: PARange 0..5 are the sizes modelled, 6 (52 bits, FEAT_LPA) is not. */
	ck_assert_uint_eq(pt_parange_bits(4), 44);
	ck_assert_uint_eq(pt_parange_bits(6), 0);
	ck_assert(pt_pa_bits_ok(44) && pt_pa_bits_ok(48) && !pt_pa_bits_ok(52) &&
	          !pt_pa_bits_ok(0));
}
END_TEST

START_TEST(oa_between_2_44_and_2_48_on_44_bit_cpu_OAOutOfRange_PAMax)
{
	/* TCR_EL2.PS = 0b101 (48 bits) on a CPU whose PARange says 44 bits: the effective
	 * size is 44 (AArch64.PAMax()), so a page, a 2 MiB block and a next-level table at
	 * or above 2^44 are Address size faults at their level (AArch64.OAOutOfRange); on a
	 * 48-bit CPU the same tables translate. */
	static const uint64_t oa = (UINT64_C(1) << 44) + UINT64_C(0x40200000);
	static const struct {
		int level;
		bool table;
	} cases[] = {{3, false}, {2, false}, {2, true}};
	uint64_t va = UINT64_C(0x00000000c0203000);

	for (unsigned i = 0; i < 3; i++) {
		for (unsigned impl = 44; impl <= 48; impl += 4) {
			struct test_mem m;
			struct pt_cfg cfg;
			struct fault f;
			struct walk_result r;

			test_mem_init(&m, RAM_BASE, RAM_SIZE);
			uint64_t root = test_mem_alloc(&m, SZ_4K);
			ck_assert(pt_cfg_from_regs(REGIME_EL2, impl, SCTLR_ON, tcr_el2(16, 0, 5),
			                           root, 0, TEST_MAIR, 0, &cfg, &f));
			ck_assert_uint_eq(cfg.oa_bits, impl);
			if (cases[i].table) {
				test_map(&m, &cfg, va, 3, 0x40000000 | LEAF_RW, 0);
				r = translate(&cfg, &m, va);
				test_mem_w64(&m, r.steps[cases[i].level].desc_pa, oa | 3);
			} else {
				uint64_t size = pt_level_size(cases[i].level, 12);
				test_map(&m, &cfg, va & ~(size - 1), cases[i].level, oa | LEAF_RW,
				         0);
			}
			r = translate(&cfg, &m, va);
			if (impl == 44) {
				ck_fault(r, FAULT_ADDRESS_SIZE, cases[i].level);
			} else if (cases[i].table) {
				/* the table at 2^44 + ... lies outside the test's RAM */
				ck_fault(r, FAULT_EXTERNAL_WALK, cases[i].level + 1);
			} else {
				ck_fault(r, FAULT_NONE, cases[i].level);
				ck_assert_uint_eq(
				    r.oa, oa + (va & (pt_level_size(cases[i].level, 12) - 1)));
			}
			test_mem_fini(&m);
		}
	}
}
END_TEST

START_TEST(design_walks_cacheable_from_sctlr_c_and_irgn)
{
	/* DESIGN §3 "Walks": cacheable iff SCTLR.C=1 and TCR.IRGNn != 0b00. */
	struct pt_cfg cfg;
	struct fault f;

	for (unsigned c = 0; c < 2; c++) {
		for (unsigned irgn = 0; irgn < 4; irgn++) {
			uint64_t sctlr = SCTLR_EL2_BOOT | SCTLR_ELx_M | (c ? SCTLR_ELx_C : 0);
			uint64_t tcr = (tcr_el2(16, 0, 5) & ~(UINT64_C(3) << TCR_EL2_IRGN0_SHIFT)) |
			               (uint64_t)irgn << TCR_EL2_IRGN0_SHIFT;

			ck_assert(pt_cfg_from_regs(REGIME_EL2, TEST_PA_BITS, sctlr, tcr, 0x40000000,
			                           0, 0, 0, &cfg, &f));
			ck_assert_msg(cfg.walk_cacheable == (c && irgn), "C=%u IRGN0=%u", c, irgn);
			/* EL1&0 upper half follows IRGN1, not IRGN0. */
			uint64_t t1 =
			    (tcr_el1(16, 0, 16, 2, 5) & ~(UINT64_C(3) << TCR_EL1_IRGN1_SHIFT)) |
			    (uint64_t)irgn << TCR_EL1_IRGN1_SHIFT;
			ck_assert(pt_cfg_from_regs(REGIME_EL10, TEST_PA_BITS, sctlr, t1, 0x40000000,
			                           0x40000000, 0, ~UINT64_C(0), &cfg, &f));
			ck_assert_msg(cfg.walk_cacheable == (c && irgn), "EL1 C=%u IRGN1=%u", c,
			              irgn);
		}
	}
}
END_TEST

/* ---- D8.3: blocks and pages of every granule ------------------------------------------- */

struct leaf_case {
	const char *rule;
	unsigned g;
	int level;
	uint64_t size;
};

static const struct leaf_case leaf_cases[] = {
    {"D8.3.1 4K level 1 block maps 1 GiB", 12, 1, SZ_1G},
    {"D8.3.1 4K level 2 block maps 2 MiB", 12, 2, SZ_2M},
    {"D8.3.1 4K level 3 page maps 4 KiB", 12, 3, SZ_4K},
    {"D8.3.1 16K level 2 block maps 32 MiB", 14, 2, SZ_32M},
    {"D8.3.1 16K level 3 page maps 16 KiB", 14, 3, SZ_16K},
    {"D8.3.1 64K level 2 block maps 512 MiB", 16, 2, SZ_512M},
    {"D8.3.1 64K level 3 page maps 64 KiB", 16, 3, SZ_64K},
};

START_TEST(d8_3_blocks_and_pages)
{
	const struct leaf_case *c = &leaf_cases[_i];
	struct test_mem m;
	struct pt_cfg cfg;
	uint64_t va = 3 * c->size, pa = 5 * c->size, off = c->size / 2 + 0x18, dpa;
	struct walk_result r;

	test_mem_init(&m, RAM_BASE, RAM_SIZE);
	cfg = el2_cfg(&m, 16, c->g, 5, SCTLR_ON);
	ck_assert_uint_eq(pt_level_size(c->level, c->g), c->size);
	dpa = test_map(&m, &cfg, va, c->level, pa | LEAF_RW | DESC_NG | DESC_CONTIG, 0);
	r = translate(&cfg, &m, va + off);
	ck_fault(r, FAULT_NONE, c->level);
	ck_assert_msg(r.oa == pa + off, "%s: oa %" PRIx64, c->rule, r.oa);
	ck_assert_int_eq(r.level, c->level);
	ck_assert_uint_eq(r.block_size, c->size);
	ck_assert_uint_eq(r.va, va + off);
	ck_assert_uint_eq(r.leaf_desc, test_mem_r64(&m, dpa));
	ck_assert_uint_eq(r.steps[r.nsteps - 1].desc_pa, dpa);
	ck_assert_uint_eq(r.nsteps, (unsigned)(c->level - cfg.start_level + 1));
	ck_assert(r.af && r.contiguous);
	ck_assert(!r.ng); /* nG is RES0 in the EL2 regime (no ASIDs) */
	ck_assert_int_eq(r.attrs.inner, MT_NORMAL_WB);
	ck_assert_uint_eq(r.attrs.sh, 3);
	/* The last byte of the leaf, and the first byte after it (unmapped). */
	r = translate(&cfg, &m, va + c->size - 1);
	ck_assert_uint_eq(r.oa, pa + c->size - 1);
	r = translate(&cfg, &m, va + c->size);
	ck_fault(r, FAULT_TRANSLATION, c->level);
	test_mem_fini(&m);
}
END_TEST

START_TEST(d8_3_block_oa_res0_bits_ignored)
{
	/* D8.3.1: OA bits [20:12] of a 4K level 2 block descriptor are RES0; hypsim ignores
	 * them, so the OA stays block-aligned. */
	struct test_mem m;
	struct pt_cfg cfg;
	struct walk_result r;

	test_mem_init(&m, RAM_BASE, RAM_SIZE);
	cfg = el2_cfg(&m, 16, 12, 5, SCTLR_ON);
	test_map(&m, &cfg, 0x80000000, 2, 0x80000000 | 0x1f000 | LEAF_RW, 0);
	r = translate(&cfg, &m, 0x80000010);
	ck_fault(r, FAULT_NONE, 2);
	ck_assert_uint_eq(r.oa, 0x80000010);
	test_mem_fini(&m);
}
END_TEST

/* ---- STYLE 4: pt_desc_classify, a pure function, by a table of cases -------------------- */

struct class_case {
	const char *rule;
	uint64_t desc;
	int level;
	unsigned g;
	enum desc_class cls;
};

static const struct class_case class_cases[] = {
    {"D8.3 bit[0]=0 is invalid at L0", 0, 0, 12, DESC_INVALID},
    {"D8.3 bit[0]=0 is invalid at L3", 0, 3, 12, DESC_INVALID},
    {"D8.3 bit[0]=0 is invalid whatever else is set", UINT64_C(0xfffffffffffffffe), 2, 12,
     DESC_INVALID},
    {"D8.3 0b10 is invalid", 2, 1, 14, DESC_INVALID},
    {"D8.3 0b11 at L0 is a table (4K)", 3, 0, 12, DESC_IS_TABLE},
    {"D8.3 0b11 at L1 is a table (16K)", 3, 1, 14, DESC_IS_TABLE},
    {"D8.3 0b11 at L2 is a table (64K)", 3, 2, 16, DESC_IS_TABLE},
    {"D8.3 0b11 at L3 is a page (4K)", 3, 3, 12, DESC_IS_PAGE},
    {"D8.3 0b11 at L3 is a page (64K)", 3, 3, 16, DESC_IS_PAGE},
    {"D8.3 0b01 at L3 is reserved", 1, 3, 12, DESC_RESERVED},
    {"D8.3 0b01 at L0 is reserved for 4K without FEAT_LPA2", 1, 0, 12, DESC_RESERVED},
    {"D8.3 0b01 at L1 is a 1 GiB block for 4K", 1, 1, 12, DESC_IS_BLOCK},
    {"D8.3 0b01 at L2 is a 2 MiB block for 4K", 1, 2, 12, DESC_IS_BLOCK},
    {"D8.3 0b01 at L0 is reserved for 16K", 1, 0, 14, DESC_RESERVED},
    {"D8.3 0b01 at L1 is reserved for 16K without FEAT_LPA2", 1, 1, 14, DESC_RESERVED},
    {"D8.3 0b01 at L2 is a 32 MiB block for 16K", 1, 2, 14, DESC_IS_BLOCK},
    {"D8.3 0b01 at L1 is reserved for 64K without 52-bit PA", 1, 1, 16, DESC_RESERVED},
    {"D8.3 0b01 at L2 is a 512 MiB block for 64K", 1, 2, 16, DESC_IS_BLOCK},
    {"D8.3 attributes do not change the class (block)", UINT64_C(0xfff0000040000fd1), 2, 12,
     DESC_IS_BLOCK},
    {"D8.3 attributes do not change the class (table)", UINT64_C(0xf800000040001003), 1, 12,
     DESC_IS_TABLE},
};

START_TEST(style4_desc_classify_table)
{
	const struct class_case *c = &class_cases[_i];
	enum desc_class got = pt_desc_classify(c->desc, c->level, c->g);

	ck_assert_msg(got == c->cls, "%s: got class %d", c->rule, (int)got);
}
END_TEST

START_TEST(d8_3_desc_oa_and_level_size)
{
	/* D8.3: the OA/next-table field is [47:granule]; D8.2: entry sizes per level. */
	uint64_t d = UINT64_C(0xffffffffffffffff);

	ck_assert_uint_eq(pt_desc_oa(d, 12), UINT64_C(0x0000fffffffff000));
	ck_assert_uint_eq(pt_desc_oa(d, 14), UINT64_C(0x0000ffffffffc000));
	ck_assert_uint_eq(pt_desc_oa(d, 16), UINT64_C(0x0000ffffffff0000));
	ck_assert_uint_eq(pt_level_size(0, 12), UINT64_C(1) << 39);
	ck_assert_uint_eq(pt_level_size(1, 12), SZ_1G);
	ck_assert_uint_eq(pt_level_size(2, 12), SZ_2M);
	ck_assert_uint_eq(pt_level_size(3, 12), SZ_4K);
	ck_assert_uint_eq(pt_level_size(0, 14), UINT64_C(1) << 47);
	ck_assert_uint_eq(pt_level_size(1, 14), UINT64_C(1) << 36);
	ck_assert_uint_eq(pt_level_size(2, 14), SZ_32M);
	ck_assert_uint_eq(pt_level_size(3, 14), SZ_16K);
	ck_assert_uint_eq(pt_level_size(1, 16), UINT64_C(1) << 42);
	ck_assert_uint_eq(pt_level_size(2, 16), SZ_512M);
	ck_assert_uint_eq(pt_level_size(3, 16), SZ_64K);
}
END_TEST

/* ---- Faults: translation, address size, access flag, external abort on walk ------------ */

struct reserved_case {
	const char *rule;
	unsigned g;
	int level;
};

static const struct reserved_case reserved_cases[] = {
    {"D8.3 4K block at L0 gives a level 0 Translation fault", 12, 0},
    {"D8.3 16K block at L1 gives a level 1 Translation fault", 14, 1},
    {"D8.3 64K block at L1 gives a level 1 Translation fault", 16, 1},
    {"D8.3 0b01 at L3 gives a level 3 Translation fault (4K)", 12, 3},
    {"D8.3 0b01 at L3 gives a level 3 Translation fault (16K)", 14, 3},
};

START_TEST(d8_3_reserved_encoding_translation_fault)
{
	const struct reserved_case *c = &reserved_cases[_i];
	struct test_mem m;
	struct pt_cfg cfg;
	uint64_t dpa, va = UINT64_C(0x0000123456789000) & ~((UINT64_C(1) << c->g) - 1);
	struct walk_result r;

	test_mem_init(&m, RAM_BASE, RAM_SIZE);
	cfg = el2_cfg(&m, 16, c->g, 5, SCTLR_ON);
	dpa = test_map(&m, &cfg, va, c->level, LEAF_RW, 0);
	test_mem_w64(&m, dpa, test_mem_r64(&m, dpa) & ~UINT64_C(2)); /* force 0b01 */
	r = translate(&cfg, &m, va);
	ck_fault(r, FAULT_TRANSLATION, c->level);
	ck_assert_uint_eq(r.nsteps, (unsigned)(c->level - cfg.start_level + 1));
	test_mem_fini(&m);
}
END_TEST

START_TEST(d8_translation_fault_invalid_at_each_level)
{
	/* AArch64.S1Walk: an invalid descriptor gives a Translation fault at its level. */
	int level = _i;
	struct test_mem m;
	struct pt_cfg cfg;
	uint64_t va = UINT64_C(0x0000812345678000);
	struct walk_result r;

	test_mem_init(&m, RAM_BASE, RAM_SIZE);
	cfg = el2_cfg(&m, 16, 12, 5, SCTLR_ON);
	test_map(&m, &cfg, va, 3, 0x40000000 | LEAF_RW, 0);
	r = translate(&cfg, &m, va);
	ck_fault(r, FAULT_NONE, 3);
	test_mem_w64(&m, r.steps[level].desc_pa, 0);
	r = translate(&cfg, &m, va);
	ck_fault(r, FAULT_TRANSLATION, level);
	ck_assert_uint_eq(r.nsteps, (unsigned)level + 1);
	test_mem_fini(&m);
}
END_TEST

struct range_case {
	const char *rule;
	enum regime regime;
	unsigned t0sz, t1sz, g;
	uint64_t va;
};

static const struct range_case range_cases[] = {
    {"D8.2 EL2 VA[48] set with T0SZ=16: level 0 Translation fault", REGIME_EL2, 16, 0, 12,
     UINT64_C(1) << 48},
    {"D8.2 EL2 VA above 39 bits with start level 1 still faults at level 0", REGIME_EL2, 25, 0, 12,
     UINT64_C(1) << 39},
    {"D8.2 EL2 upper-half VA in the one-range regime faults at level 0", REGIME_EL2, 39, 0, 12,
     UINT64_C(0xfffffffffffff000)},
    {"D8.2 EL2 64K start level 3 out-of-range VA faults at level 0", REGIME_EL2, 39, 0, 16,
     UINT64_C(1) << 25},
    {"D8.2 EL1 lower half VA[39] with T0SZ=25 faults at level 0", REGIME_EL10, 25, 25, 12,
     UINT64_C(0x0000008000000000)},
    {"D8.2 EL1 upper half VA[39]=0 with T1SZ=25 faults at level 0", REGIME_EL10, 25, 25, 12,
     UINT64_C(0xffffff0000000000)},
    {"D8.2 EL1 VA[55]=1 but VA[63:56]=0 (no TBI) faults at level 0", REGIME_EL10, 16, 16, 12,
     UINT64_C(0x00ffffffffff0000)},
};

START_TEST(d8_2_out_of_range_va)
{
	const struct range_case *c = &range_cases[_i];
	struct test_mem m;
	struct pt_cfg cfg;
	struct fault f;
	uint64_t root;
	bool ok;

	test_mem_init(&m, RAM_BASE, RAM_SIZE);
	root = test_mem_alloc(&m, SZ_64K);
	if (c->regime == REGIME_EL2)
		ok = pt_cfg_from_regs(REGIME_EL2, TEST_PA_BITS, SCTLR_ON,
		                      tcr_el2(c->t0sz, tg0_for(c->g), 5), root, 0, TEST_MAIR, c->va,
		                      &cfg, &f);
	else
		ok = pt_cfg_from_regs(REGIME_EL10, TEST_PA_BITS, SCTLR_ON,
		                      tcr_el1(c->t0sz, tg0_for(c->g), c->t1sz, tg1_for(c->g), 5),
		                      root, root, TEST_MAIR, c->va, &cfg, &f);
	ck_assert_msg(!ok, "%s", c->rule);
	ck_fault((struct walk_result){.fault = f}, FAULT_TRANSLATION, 0);
	/* pt_translate checks the range too, without reading a descriptor. */
	m.reads = 0;
	struct walk_result r = translate(&cfg, &m, c->va);
	ck_fault(r, FAULT_TRANSLATION, 0);
	ck_assert_uint_eq(r.nsteps, 0);
	ck_assert_uint_eq(m.reads, 0);
	test_mem_fini(&m);
}
END_TEST

struct as_case {
	const char *rule;
	int level;    /* level of the descriptor holding the out-of-range address */
	bool table;   /* the address is a next-level table address */
	uint64_t bad; /* the out-of-range address */
	unsigned ps;  /* TCR_EL2.PS */
};

static const struct as_case as_cases[] = {
    {"D8.3 table address above PS=32 bits at L0: level 0 Address size fault", 0, true,
     UINT64_C(0x100000000), 0},
    {"D8.3 table address above PS=32 bits at L1: level 1 Address size fault", 1, true,
     UINT64_C(0x100000000), 0},
    {"D8.3 table address above PS=32 bits at L2: level 2 Address size fault", 2, true,
     UINT64_C(0x180000000000), 0},
    {"D8.3 1 GiB block OA above PS=32 bits: level 1 Address size fault", 1, false,
     UINT64_C(0x100000000), 0},
    {"D8.3 2 MiB block OA above PS=36 bits: level 2 Address size fault", 2, false,
     UINT64_C(0x1000200000), 1},
    {"D8.3 page OA at 2^40 with PS=40 bits: level 3 Address size fault", 3, false,
     UINT64_C(0x10000000000), 2},
    {"D8.3 page OA at 2^47 with PS=44 bits: level 3 Address size fault", 3, false,
     UINT64_C(0x800000000000), 4},
};

START_TEST(d8_3_address_size_fault_from_oa)
{
	const struct as_case *c = &as_cases[_i];
	struct test_mem m;
	struct pt_cfg cfg;
	uint64_t va = UINT64_C(0x00000000c0203000), dpa;
	struct walk_result r;

	test_mem_init(&m, RAM_BASE, RAM_SIZE);
	cfg = el2_cfg(&m, 16, 12, c->ps, SCTLR_ON);
	if (c->table) {
		dpa = test_map(&m, &cfg, va, c->level + 1, 0x40000000 | LEAF_RW, 0);
		r = translate(&cfg, &m, va);
		ck_fault(r, FAULT_NONE, c->level + 1);
		dpa = r.steps[c->level].desc_pa;
		test_mem_w64(&m, dpa, c->bad | 3);
	} else {
		uint64_t size = pt_level_size(c->level, 12);
		test_map(&m, &cfg, va & ~(size - 1), c->level, c->bad | LEAF_RW, 0);
	}
	r = translate(&cfg, &m, va);
	ck_fault(r, FAULT_ADDRESS_SIZE, c->level);
	ck_assert_uint_eq(r.nsteps, (unsigned)c->level + 1);

	/* The same address is in range when PS allows 48 bits: no fault from its size. */
	cfg.oa_bits = 48;
	r = translate(&cfg, &m, va);
	ck_assert_msg(r.fault.type != FAULT_ADDRESS_SIZE, "%s", c->rule);
	test_mem_fini(&m);
}
END_TEST

START_TEST(d8_3_address_size_boundary_and_priority)
{
	/* PS=40: the last page below 2^40 is fine; AArch64.S1Walk checks the OA size before
	 * the Access flag, so an out-of-range OA with AF=0 is an Address size fault. */
	struct test_mem m;
	struct pt_cfg cfg;
	struct walk_result r;

	test_mem_init(&m, RAM_BASE, RAM_SIZE);
	cfg = el2_cfg(&m, 16, 12, 2, SCTLR_ON);
	test_map(&m, &cfg, 0x1000, 3, ((UINT64_C(1) << 40) - SZ_4K) | LEAF_RW, 0);
	test_map(&m, &cfg, 0x2000, 3, (UINT64_C(1) << 40) | (uint64_t)(LEAF_RW & ~DESC_AF), 0);
	r = translate(&cfg, &m, 0x1008);
	ck_fault(r, FAULT_NONE, 3);
	ck_assert_uint_eq(r.oa, (UINT64_C(1) << 40) - SZ_4K + 8);
	r = translate(&cfg, &m, 0x2000);
	ck_fault(r, FAULT_ADDRESS_SIZE, 3);
	test_mem_fini(&m);
}
END_TEST

START_TEST(d8_3_address_size_fault_from_ttbr_baddr)
{
	/* AArch64.S1Walk: a TTBR base address above the OA size is a level 0 Address size
	 * fault, detected before any descriptor is read, whatever the start level. */
	struct test_mem m;
	struct pt_cfg cfg;
	struct fault f;
	struct walk_result r;

	test_mem_init(&m, RAM_BASE, RAM_SIZE);
	for (unsigned tsz = 16; tsz <= 39; tsz += 23) {
		ck_assert(pt_cfg_from_regs(REGIME_EL2, TEST_PA_BITS, SCTLR_ON, tcr_el2(tsz, 0, 0),
		                           UINT64_C(0x100000000), 0, TEST_MAIR, 0x1000, &cfg, &f));
		m.reads = 0;
		r = translate(&cfg, &m, 0x1000);
		ck_fault(r, FAULT_ADDRESS_SIZE, 0);
		ck_assert_uint_eq(m.reads, 0);
	}
	/* TTBR ASID bits [63:48] and CnP (bit 0) are not part of BADDR. */
	ck_assert(pt_cfg_from_regs(REGIME_EL10, TEST_PA_BITS, SCTLR_ON, tcr_el1(16, 0, 16, 2, 0),
	                           UINT64_C(0xabcd000040000001), 0, TEST_MAIR, 0x1000, &cfg, &f));
	ck_assert_uint_eq(cfg.ttbr, 0x40000000);
	test_mem_fini(&m);
}
END_TEST

START_TEST(d8_2_ttbr_baddr_low_bits_treated_as_zero)
{
	/*
	 * TTBR BADDR bits below the start-level table's alignment (at least 64 bytes) are
	 * RES0; a non-zero value is CONSTRAINED UNPREDICTABLE and hypsim treats the bits as
	 * zero. 4K/48-bit: a 4 KiB table; 16K/48-bit: a 2-entry level 0 table (64-byte
	 * alignment applies).
	 */
	static const struct {
		unsigned g;
		uint64_t junk;
	} cases[] = {{12, 0x7f0}, {14, 0x30}};

	for (int i = 0; i < 2; i++) {
		struct test_mem m;
		struct pt_cfg cfg;
		struct walk_result r;

		test_mem_init(&m, RAM_BASE, RAM_SIZE);
		cfg = el2_cfg(&m, 16, cases[i].g, 5, SCTLR_ON);
		test_map(&m, &cfg, UINT64_C(0x0000800000000000), 3, 0x40000000 | LEAF_RW, 0);
		uint64_t root = cfg.ttbr;
		cfg.ttbr |= cases[i].junk;
		r = translate(&cfg, &m, UINT64_C(0x0000800000000000));
		ck_fault(r, FAULT_NONE, 3);
		ck_assert_uint_eq(r.steps[0].desc_pa,
		                  root + 8 * test_index(&cfg, r.va, cfg.start_level));
		test_mem_fini(&m);
	}
}
END_TEST

START_TEST(d8_5_ng_carried_in_el10_only)
{
	/* nG tags a TLB entry with the ASID in the EL1&0 regime; the EL2 regime (no ASIDs)
	 * treats the bit as RES0. */
	struct test_mem m;
	struct pt_cfg cfg;
	struct fault f;
	uint64_t root;

	test_mem_init(&m, RAM_BASE, RAM_SIZE);
	root = test_mem_alloc(&m, SZ_4K);
	ck_assert(pt_cfg_from_regs(REGIME_EL10, TEST_PA_BITS, SCTLR_ON, tcr_el1(16, 0, 16, 2, 5),
	                           root, 0, TEST_MAIR, 0x1000, &cfg, &f));
	test_map(&m, &cfg, 0x1000, 3, 0x40000000 | LEAF_RW | DESC_NG, 0);
	test_map(&m, &cfg, 0x2000, 3, 0x40000000 | LEAF_RW, 0);
	ck_assert(translate(&cfg, &m, 0x1000).ng);
	ck_assert(!translate(&cfg, &m, 0x2000).ng);
	cfg.regime = REGIME_EL2;
	ck_assert(!translate(&cfg, &m, 0x1000).ng);
	test_mem_fini(&m);
}
END_TEST

START_TEST(d8_4_access_flag_fault_at_each_level)
{
	/* No FEAT_HAFDBS: a leaf with AF=0 gives an Access flag fault at its level. */
	int level = _i + 1;
	struct test_mem m;
	struct pt_cfg cfg;
	uint64_t size = pt_level_size(level, 12), va = 7 * size;
	struct walk_result r;

	test_mem_init(&m, RAM_BASE, RAM_SIZE);
	cfg = el2_cfg(&m, 16, 12, 5, SCTLR_ON);
	test_map(&m, &cfg, va, level, 9 * size | (LEAF_RW & ~DESC_AF), 0);
	r = translate(&cfg, &m, va + 8);
	ck_fault(r, FAULT_ACCESS_FLAG, level);
	ck_assert(!r.af);
	test_mem_fini(&m);
}
END_TEST

START_TEST(d8_external_abort_on_walk)
{
	/* A descriptor read with nothing behind the PA (DESIGN §2) is a synchronous External
	 * abort on the translation table walk, at the level of that descriptor. */
	struct test_mem m;
	struct pt_cfg cfg;
	struct walk_result r;
	uint64_t va = 0xc0201000;

	test_mem_init(&m, RAM_BASE, RAM_SIZE);
	cfg = el2_cfg(&m, 16, 12, 5, SCTLR_ON);
	test_map(&m, &cfg, va, 3, 0x40000000 | LEAF_RW, 0);
	r = translate(&cfg, &m, va);
	ck_fault(r, FAULT_NONE, 3);
	for (int level = 1; level <= 3; level++) {
		struct walk_result bad;

		/* Point the table descriptor above `level` outside RAM. */
		test_mem_w64(&m, r.steps[level - 1].desc_pa, UINT64_C(0x10000000) | 3);
		bad = translate(&cfg, &m, va);
		ck_fault(bad, FAULT_EXTERNAL_WALK, level);
		ck_assert_uint_eq(bad.nsteps, (unsigned)level);
		test_mem_w64(&m, r.steps[level - 1].desc_pa, r.steps[level - 1].desc);
	}
	/* A root table outside RAM faults at the start level. */
	cfg.ttbr = 0x1000;
	r = translate(&cfg, &m, va);
	ck_fault(r, FAULT_EXTERNAL_WALK, 0);
	ck_assert_uint_eq(r.nsteps, 0);
	test_mem_fini(&m);
}
END_TEST

/* ---- D8.8 TBI, TTBR1 half, EPD ----------------------------------------------------------- */

struct tbi_case {
	const char *rule;
	enum regime regime;
	uint64_t tbi_bits; /* TCR bits to set */
	uint64_t va;
	bool ok;
	uint64_t canon; /* expected walk_result.va */
};

#define LOW_VA  UINT64_C(0x0000000040001000)
#define HIGH_VA UINT64_C(0xffffff8000001000)

static const struct tbi_case tbi_cases[] = {
    {"D8.8 EL2 TBI=1: top byte ignored", REGIME_EL2, TCR_EL2_TBI, UINT64_C(0xab00000040001000),
     true, LOW_VA},
    {"D8.8 EL2 TBI=0: tagged VA is out of range", REGIME_EL2, 0, UINT64_C(0xab00000040001000),
     false, 0},
    {"D8.8 EL2 TBI=1: VA[55] is not ignored", REGIME_EL2, TCR_EL2_TBI, UINT64_C(0xab80000040001000),
     false, 0},
    {"D8.8 EL1 TBI0=1: lower half tag ignored", REGIME_EL10, TCR_EL1_TBI0,
     UINT64_C(0x5a00000040001000), true, LOW_VA},
    {"D8.8 EL1 TBI0=0: lower half tag faults", REGIME_EL10, TCR_EL1_TBI1,
     UINT64_C(0x5a00000040001000), false, 0},
    {"D8.8 EL1 TBI1=1: upper half tag ignored", REGIME_EL10, TCR_EL1_TBI1,
     UINT64_C(0x12ffff8000001000), true, HIGH_VA},
    {"D8.8 EL1 TBI1=0: upper half tag faults", REGIME_EL10, TCR_EL1_TBI0,
     UINT64_C(0x12ffff8000001000), false, 0},
    {"D8.8 EL1 TBI1=0: untagged upper VA translates", REGIME_EL10, 0, HIGH_VA, true, HIGH_VA},
};

START_TEST(d8_8_top_byte_ignore)
{
	const struct tbi_case *c = &tbi_cases[_i];
	struct test_mem m;
	struct pt_cfg cfg, map_cfg;
	struct fault f;
	uint64_t root0, root1, tcr;
	bool ok;
	struct walk_result r;

	test_mem_init(&m, RAM_BASE, RAM_SIZE);
	root0 = test_mem_alloc(&m, SZ_4K);
	root1 = test_mem_alloc(&m, SZ_4K);
	if (c->regime == REGIME_EL2) {
		tcr = tcr_el2(16, 0, 5) | c->tbi_bits;
		ck_assert(pt_cfg_from_regs(REGIME_EL2, TEST_PA_BITS, SCTLR_ON, tcr, root0, 0,
		                           TEST_MAIR, LOW_VA, &map_cfg, &f));
		test_map(&m, &map_cfg, LOW_VA, 3, 0x50000000 | LEAF_RW, 0);
	} else {
		tcr = tcr_el1(16, 0, 25, TCR_TG1_4K, 5) | c->tbi_bits;
		ck_assert(pt_cfg_from_regs(REGIME_EL10, TEST_PA_BITS, SCTLR_ON, tcr, root0, root1,
		                           TEST_MAIR, LOW_VA, &map_cfg, &f));
		test_map(&m, &map_cfg, LOW_VA, 3, 0x50000000 | LEAF_RW, 0);
		ck_assert(pt_cfg_from_regs(REGIME_EL10, TEST_PA_BITS, SCTLR_ON, tcr, root0, root1,
		                           TEST_MAIR, HIGH_VA, &map_cfg, &f));
		test_map(&m, &map_cfg, HIGH_VA, 3, 0x50000000 | LEAF_RW, 0);
	}
	ok = pt_cfg_from_regs(c->regime, TEST_PA_BITS, SCTLR_ON, tcr, root0, root1, TEST_MAIR,
	                      c->va, &cfg, &f);
	ck_assert_msg(ok == c->ok, "%s", c->rule);
	r = translate(&cfg, &m, c->va);
	if (c->ok) {
		ck_fault(r, FAULT_NONE, 3);
		ck_assert_uint_eq(r.va, c->canon);
		ck_assert_uint_eq(r.oa, 0x50000000);
	} else {
		ck_fault(r, FAULT_TRANSLATION, 0);
	}
	test_mem_fini(&m);
}
END_TEST

START_TEST(d8_2_ttbr1_upper_half_with_its_own_granule)
{
	/* D8.2: VA[55]=1 selects TTBR1_EL1 with T1SZ and TG1; each half has its own granule. */
	struct test_mem m;
	struct pt_cfg lo, hi;
	struct fault f;
	uint64_t root0, root1, tcr = tcr_el1(25, TCR_TG0_4K, 25, TCR_TG1_16K, 5);
	struct walk_result r;

	test_mem_init(&m, RAM_BASE, RAM_SIZE);
	root0 = test_mem_alloc(&m, SZ_16K);
	root1 = test_mem_alloc(&m, SZ_16K);
	ck_assert(pt_cfg_from_regs(REGIME_EL10, TEST_PA_BITS, SCTLR_ON, tcr, root0, root1,
	                           TEST_MAIR, 0x1000, &lo, &f));
	ck_assert(pt_cfg_from_regs(REGIME_EL10, TEST_PA_BITS, SCTLR_ON, tcr, root0, root1,
	                           TEST_MAIR, UINT64_C(0xffffff8000004000), &hi, &f));
	ck_assert(!lo.upper && hi.upper);
	ck_assert_uint_eq(lo.granule_shift, 12);
	ck_assert_uint_eq(hi.granule_shift, 14);
	ck_assert_int_eq(lo.start_level, 1);
	ck_assert_int_eq(hi.start_level, 1);
	ck_assert_uint_eq(hi.ttbr, root1);

	test_map(&m, &lo, 0x1000, 3, 0x41000000 | LEAF_RW, 0);
	test_map(&m, &hi, UINT64_C(0xffffff8000004000), 3, 0x42000000 | LEAF_RW, 0);
	test_map(&m, &hi, UINT64_C(0xffffffffffffc000), 3, 0x43000000 | LEAF_RW, 0);
	r = translate(&lo, &m, 0x1010);
	ck_assert_uint_eq(r.oa, 0x41000010);
	r = translate(&hi, &m, UINT64_C(0xffffff8000004010));
	ck_fault(r, FAULT_NONE, 3);
	ck_assert_uint_eq(r.oa, 0x42000010);
	ck_assert_uint_eq(r.block_size, SZ_16K);
	ck_assert_uint_eq(r.steps[0].desc_pa, root1); /* first entry of the TTBR1 table */
	r = translate(&hi, &m, UINT64_C(0xffffffffffffffff));
	ck_assert_uint_eq(r.oa, 0x43003fff);
	/* Index 0 of the TTBR1 tables is not the lower half's page at 0x1000: unmapped. */
	r = translate(&hi, &m, UINT64_C(0xffffff8000001000));
	ck_fault(r, FAULT_TRANSLATION, 3);
	test_mem_fini(&m);
}
END_TEST

START_TEST(d8_2_epd_disables_one_half)
{
	/* TCR_EL1.EPDn=1: a TLB miss in that half is a level 0 Translation fault. */
	struct test_mem m;
	struct pt_cfg cfg;
	struct fault f;
	uint64_t tcr = tcr_el1(25, 0, 25, TCR_TG1_4K, 5);
	struct walk_result r;

	test_mem_init(&m, RAM_BASE, RAM_SIZE);
	ck_assert(!pt_cfg_from_regs(REGIME_EL10, TEST_PA_BITS, SCTLR_ON, tcr | TCR_EL1_EPD0,
	                            RAM_BASE, RAM_BASE, TEST_MAIR, 0x1000, &cfg, &f));
	ck_fault((struct walk_result){.fault = f}, FAULT_TRANSLATION, 0);
	ck_assert(cfg.epd);
	m.reads = 0;
	r = translate(&cfg, &m, 0x1000);
	ck_fault(r, FAULT_TRANSLATION, 0);
	ck_assert_uint_eq(m.reads, 0);
	/* EPD0 leaves the upper half alone, and EPD1 the lower. */
	ck_assert(pt_cfg_from_regs(REGIME_EL10, TEST_PA_BITS, SCTLR_ON, tcr | TCR_EL1_EPD0,
	                           RAM_BASE, RAM_BASE, TEST_MAIR, HIGH_VA, &cfg, &f));
	ck_assert(!pt_cfg_from_regs(REGIME_EL10, TEST_PA_BITS, SCTLR_ON, tcr | TCR_EL1_EPD1,
	                            RAM_BASE, RAM_BASE, TEST_MAIR, HIGH_VA, &cfg, &f));
	ck_fault((struct walk_result){.fault = f}, FAULT_TRANSLATION, 0);
	ck_assert(pt_cfg_from_regs(REGIME_EL10, TEST_PA_BITS, SCTLR_ON, tcr | TCR_EL1_EPD1,
	                           RAM_BASE, RAM_BASE, TEST_MAIR, 0x1000, &cfg, &f));
	test_mem_fini(&m);
}
END_TEST

/* ---- D17.2.97 MAIR decode ---------------------------------------------------------------- */

struct mair_case {
	const char *rule;
	uint8_t attr;
	enum mem_type inner, outer;
};

static const struct mair_case mair_cases[] = {
    {"D17.2.97 0x00 Device-nGnRnE", 0x00, MT_DEVICE, MT_DEVICE},
    {"D17.2.97 0x04 Device-nGnRE", 0x04, MT_DEVICE, MT_DEVICE},
    {"D17.2.97 0x08 Device-nGRE", 0x08, MT_DEVICE, MT_DEVICE},
    {"D17.2.97 0x0c Device-GRE", 0x0c, MT_DEVICE, MT_DEVICE},
    {"D17.2.97 0x44 Normal iNC oNC", 0x44, MT_NORMAL_NC, MT_NORMAL_NC},
    {"D17.2.97 0xff Normal iWB oWB RW-allocate", 0xff, MT_NORMAL_WB, MT_NORMAL_WB},
    {"D17.2.97 0xcc Normal iWB oWB no-allocate", 0xcc, MT_NORMAL_WB, MT_NORMAL_WB},
    {"D17.2.97 0xbb Normal iWT oWT", 0xbb, MT_NORMAL_WT, MT_NORMAL_WT},
    {"D17.2.97 0x88 Normal iWT oWT no-allocate", 0x88, MT_NORMAL_WT, MT_NORMAL_WT},
    {"D17.2.97 0x4f Normal iWB oNC", 0x4f, MT_NORMAL_WB, MT_NORMAL_NC},
    {"D17.2.97 0xf4 Normal iNC oWB", 0xf4, MT_NORMAL_NC, MT_NORMAL_WB},
    {"D17.2.97 0xb4 Normal iNC oWT", 0xb4, MT_NORMAL_NC, MT_NORMAL_WT},
    {"D17.2.97 0x77 WB transient treated as WB", 0x77, MT_NORMAL_WB, MT_NORMAL_WB},
    {"D17.2.97 0x55 WB transient (W) treated as WB", 0x55, MT_NORMAL_WB, MT_NORMAL_WB},
    {"D17.2.97 0x33 WT transient treated as WT", 0x33, MT_NORMAL_WT, MT_NORMAL_WT},
    {"D17.2.97 0x11 WT transient (W) treated as WT", 0x11, MT_NORMAL_WT, MT_NORMAL_WT},
    {"D17.2.97 0x7b iWT oWB-transient", 0x7b, MT_NORMAL_WT, MT_NORMAL_WB},
    {"D17.2.97 0x40 (FEAT_XS) Normal iNC oNC", 0x40, MT_NORMAL_NC, MT_NORMAL_NC},
    {"D17.2.97 0xa0 (FEAT_XS) Normal iWT oWT", 0xa0, MT_NORMAL_WT, MT_NORMAL_WT},
    {"D17.2.97 0xf0 (FEAT_MTE2) Tagged Normal iWB oWB", 0xf0, MT_NORMAL_WB, MT_NORMAL_WB},
};

START_TEST(d17_2_97_mair_decode)
{
	const struct mair_case *c = &mair_cases[_i];
	struct mem_attrs a = pt_decode_mair_attr(c->attr, 2);

	ck_assert_msg(a.inner == c->inner && a.outer == c->outer, "%s: inner %d outer %d", c->rule,
	              (int)a.inner, (int)a.outer);
	ck_assert_uint_eq(a.mair_attr, c->attr);
	ck_assert_uint_eq(a.sh, 2);
}
END_TEST

START_TEST(d8_5_attrindx_selects_mair_field)
{
	/* D8.5: descriptor AttrIndx[2:0] selects MAIR_ELx.Attr<n>; SH[1:0] is carried. */
	static const uint8_t attr[8] = {0xff, 0x00, 0x44, 0xbb, 0x04, 0x4f, 0xf4, 0x0c};
	struct test_mem m;
	struct pt_cfg cfg;
	uint64_t mair = 0;

	for (int i = 0; i < 8; i++)
		mair |= (uint64_t)attr[i] << (8 * i);
	test_mem_init(&m, RAM_BASE, RAM_SIZE);
	cfg = el2_cfg(&m, 16, 12, 5, SCTLR_ON);
	cfg.mair = mair;
	for (unsigned i = 0; i < 8; i++) {
		uint64_t va = 0x100000 + i * SZ_4K;
		test_map(&m, &cfg, va, 3,
		         0x40000000 | DESC_AF | (uint64_t)i << DESC_ATTRINDX_SHIFT |
		             (uint64_t)(i & 3) << DESC_SH_SHIFT,
		         0);
		struct walk_result r = translate(&cfg, &m, va);
		struct mem_attrs want = pt_decode_mair_attr(attr[i], (uint8_t)(i & 3));
		ck_fault(r, FAULT_NONE, 3);
		ck_assert_uint_eq(r.attrs.mair_attr, attr[i]);
		ck_assert_int_eq(r.attrs.inner, want.inner);
		ck_assert_int_eq(r.attrs.outer, want.outer);
		ck_assert_uint_eq(r.attrs.sh, i & 3);
	}
	test_mem_fini(&m);
}
END_TEST

static Suite *pt_suite(void)
{
	Suite *s = suite_create("pt");
	TCase *tc;

	tc = tcase_create("regs");
	tcase_add_loop_test(tc, d8_2_6_start_level_and_walk_length, 0, N(start_cases));
	tcase_add_test(tc, d17_2_131_tg0_tg1_encodings);
	tcase_add_test(tc, d17_2_131_ps_ips_encodings);
	tcase_add_test(tc, design_walks_cacheable_from_sctlr_c_and_irgn);
	tcase_add_loop_test(tc, d8_8_top_byte_ignore, 0, N(tbi_cases));
	tcase_add_test(tc, d8_2_ttbr1_upper_half_with_its_own_granule);
	tcase_add_test(tc, d8_2_epd_disables_one_half);
	suite_add_tcase(s, tc);

	tc = tcase_create("descriptors");
	tcase_add_loop_test(tc, d8_3_blocks_and_pages, 0, N(leaf_cases));
	tcase_add_test(tc, d8_3_block_oa_res0_bits_ignored);
	tcase_add_loop_test(tc, style4_desc_classify_table, 0, N(class_cases));
	tcase_add_test(tc, d8_3_desc_oa_and_level_size);
	tcase_add_loop_test(tc, d17_2_97_mair_decode, 0, N(mair_cases));
	tcase_add_test(tc, d8_5_attrindx_selects_mair_field);
	tcase_add_test(tc, d8_5_ng_carried_in_el10_only);
	suite_add_tcase(s, tc);

	tc = tcase_create("faults");
	tcase_add_loop_test(tc, d8_3_reserved_encoding_translation_fault, 0, N(reserved_cases));
	tcase_add_loop_test(tc, d8_translation_fault_invalid_at_each_level, 0, 4);
	tcase_add_loop_test(tc, d8_2_out_of_range_va, 0, N(range_cases));
	tcase_add_loop_test(tc, d8_3_address_size_fault_from_oa, 0, N(as_cases));
	tcase_add_test(tc, d8_3_address_size_boundary_and_priority);
	tcase_add_test(tc, d8_3_address_size_fault_from_ttbr_baddr);
	tcase_add_test(tc, oa_between_2_44_and_2_48_on_44_bit_cpu_OAOutOfRange_PAMax);
	tcase_add_test(tc, d8_2_ttbr_baddr_low_bits_treated_as_zero);
	tcase_add_loop_test(tc, d8_4_access_flag_fault_at_each_level, 0, 3);
	tcase_add_test(tc, d8_external_abort_on_walk);
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
