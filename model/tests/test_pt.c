/*
 * test_pt.c - Check tests of hypsim's stage 1 walker (model/pt.c), suite 'model'.
 *
 * Every test names the Arm ARM (DDI 0487) rule or section it checks. Tables are built in an
 * array-backed physical memory (test_util.h) whose RAM starts at PA 0x4000_0000, as in the
 * simulated machine; reads outside it are refused, which the walker must turn into an
 * External abort on the walk.
 */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "arch.h"
#include "pt.h"
#include "test_util.h"

#define RAM_BASE UINT64_C(0x40000000)
#define RAM_SIZE (UINT64_C(8) << 20)

/* MAIR: index 0 Normal WB, 1 Device-nGnRnE, 2 Normal NC, 3 Normal WT. */
#define TEST_MAIR UINT64_C(0xbb4400ff)
/* A valid leaf's attributes: AttrIndx 0, Inner Shareable, AF set. */
#define LEAF_RW (DESC_AF | (UINT64_C(3) << DESC_SH_SHIFT))
#define SZ_4K   UINT64_C(0x1000)
#define SZ_16K  UINT64_C(0x4000)
#define SZ_64K  UINT64_C(0x10000)
#define SZ_2M   UINT64_C(0x200000)
#define SZ_32M  UINT64_C(0x2000000)
#define SZ_512M UINT64_C(0x20000000)
#define SZ_1G   UINT64_C(0x40000000)

static unsigned tg0_for(unsigned g)
{
	return g == 12 ? TCR_TG0_4K : g == 14 ? TCR_TG0_16K : TCR_TG0_64K;
}

static unsigned tg1_for(unsigned g)
{
	return g == 12 ? TCR_TG1_4K : g == 14 ? TCR_TG1_16K : TCR_TG1_64K;
}

/* TCR_EL2 with IRGN0=ORGN0=WB, SH0=Inner Shareable. */
static uint64_t tcr_el2(unsigned tsz, unsigned tg0, unsigned ps)
{
	return (uint64_t)tsz << TCR_EL2_T0SZ_SHIFT | UINT64_C(1) << TCR_EL2_IRGN0_SHIFT |
	       UINT64_C(1) << TCR_EL2_ORGN0_SHIFT | UINT64_C(3) << TCR_EL2_SH0_SHIFT |
	       (uint64_t)tg0 << TCR_EL2_TG0_SHIFT | (uint64_t)ps << TCR_EL2_PS_SHIFT;
}

/* TCR_EL1 with both halves WB/Inner Shareable. */
static uint64_t tcr_el1(unsigned t0sz, unsigned tg0, unsigned t1sz, unsigned tg1, unsigned ips)
{
	return (uint64_t)t0sz << TCR_EL1_T0SZ_SHIFT | UINT64_C(1) << TCR_EL1_IRGN0_SHIFT |
	       UINT64_C(1) << TCR_EL1_ORGN0_SHIFT | UINT64_C(3) << TCR_EL1_SH0_SHIFT |
	       (uint64_t)tg0 << TCR_EL1_TG0_SHIFT | (uint64_t)t1sz << TCR_EL1_T1SZ_SHIFT |
	       UINT64_C(1) << TCR_EL1_IRGN1_SHIFT | UINT64_C(1) << TCR_EL1_ORGN1_SHIFT |
	       UINT64_C(3) << TCR_EL1_SH1_SHIFT | (uint64_t)tg1 << TCR_EL1_TG1_SHIFT |
	       (uint64_t)ips << TCR_EL1_IPS_SHIFT;
}

#define SCTLR_ON (SCTLR_EL2_BOOT | SCTLR_ELx_M | SCTLR_ELx_C | SCTLR_ELx_I)

/* An EL2 regime with a fresh root table allocated in m. */
static struct pt_cfg el2_cfg(struct test_mem *m, unsigned tsz, unsigned g, unsigned ps,
                             uint64_t sctlr)
{
	struct pt_cfg cfg;
	struct fault f;
	uint64_t root = test_mem_alloc(m, UINT64_C(1) << g);

	ck_assert(pt_cfg_from_regs(REGIME_EL2, sctlr, tcr_el2(tsz, tg0_for(g), ps), root, 0,
	                           TEST_MAIR, 0, &cfg, &f));
	ck_assert_int_eq(f.type, FAULT_NONE);
	return cfg;
}

static struct walk_result translate(const struct pt_cfg *cfg, struct test_mem *m, uint64_t va)
{
	struct mem_ops ops = test_mem_ops(m);
	struct walk_result r;

	pt_translate(cfg, &ops, va, &r);
	return r;
}

#define ck_fault(r, t, l)                                                                          \
	do {                                                                                       \
		ck_assert_msg((r).fault.type == (t) && (r).fault.level == (l),                     \
		              "expected %s at level %d, got %s at level %d", pt_fault_name(t),     \
		              (int)(l), pt_fault_name((r).fault.type), (int)(r).fault.level);      \
	} while (0)

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
	ck_assert_msg(pt_cfg_from_regs(REGIME_EL2, SCTLR_ON,
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
	ck_assert(!pt_cfg_from_regs(REGIME_EL2, SCTLR_ON, tcr_el2(c->tsz_field, tg0_for(c->g), 5),
	                            root, 0, TEST_MAIR, UINT64_C(1) << va_bits, &cfg, &f));
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

		ck_assert(pt_cfg_from_regs(REGIME_EL10, SCTLR_ON, tcr, 0x40000000, 0x40010000,
		                           TEST_MAIR, 0x1000, &cfg, &f));
		ck_assert_msg(cfg.granule_shift == tg0_g[tg], "TG0=%u -> %u", tg,
		              cfg.granule_shift);
		ck_assert(!cfg.upper);
		ck_assert(pt_cfg_from_regs(REGIME_EL10, SCTLR_ON, tcr, 0x40000000, 0x40010000,
		                           TEST_MAIR, UINT64_C(0xffffff8000001000), &cfg, &f));
		ck_assert_msg(cfg.granule_shift == tg1_g[tg], "TG1=%u -> %u", tg,
		              cfg.granule_shift);
		ck_assert(cfg.upper);
		ck_assert_uint_eq(cfg.ttbr, 0x40010000);
		/* EL2 uses the TG0 encoding. */
		ck_assert(pt_cfg_from_regs(REGIME_EL2, SCTLR_ON, tcr_el2(25, tg, 5), 0x40000000, 0,
		                           TEST_MAIR, 0, &cfg, &f));
		ck_assert_uint_eq(cfg.granule_shift, tg0_g[tg]);
	}
}
END_TEST

START_TEST(d17_2_131_ps_ips_encodings)
{
	/* PS/IPS 0..5 = 32,36,40,42,44,48; 52 (0b110) and reserved 0b111 are above the
	 * implemented 48 bits and behave as the implemented size. */
	static const unsigned bits[8] = {32, 36, 40, 42, 44, 48, 48, 48};
	struct pt_cfg cfg;
	struct fault f;

	for (unsigned ps = 0; ps < 8; ps++) {
		ck_assert(pt_cfg_from_regs(REGIME_EL2, SCTLR_ON, tcr_el2(16, 0, ps), 0x40000000, 0,
		                           TEST_MAIR, 0, &cfg, &f));
		ck_assert_msg(cfg.oa_bits == bits[ps], "PS=%u -> %u", ps, cfg.oa_bits);
		ck_assert(pt_cfg_from_regs(REGIME_EL10, SCTLR_ON, tcr_el1(16, 0, 16, 2, ps),
		                           0x40000000, 0, TEST_MAIR, 0, &cfg, &f));
		ck_assert_msg(cfg.oa_bits == bits[ps], "IPS=%u -> %u", ps, cfg.oa_bits);
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

			ck_assert(pt_cfg_from_regs(REGIME_EL2, sctlr, tcr, 0x40000000, 0, 0, 0,
			                           &cfg, &f));
			ck_assert_msg(cfg.walk_cacheable == (c && irgn), "C=%u IRGN0=%u", c, irgn);
			/* EL1&0 upper half follows IRGN1, not IRGN0. */
			uint64_t t1 =
			    (tcr_el1(16, 0, 16, 2, 5) & ~(UINT64_C(3) << TCR_EL1_IRGN1_SHIFT)) |
			    (uint64_t)irgn << TCR_EL1_IRGN1_SHIFT;
			ck_assert(pt_cfg_from_regs(REGIME_EL10, sctlr, t1, 0x40000000, 0x40000000,
			                           0, ~UINT64_C(0), &cfg, &f));
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
		ok = pt_cfg_from_regs(REGIME_EL2, SCTLR_ON, tcr_el2(c->t0sz, tg0_for(c->g), 5),
		                      root, 0, TEST_MAIR, c->va, &cfg, &f);
	else
		ok = pt_cfg_from_regs(REGIME_EL10, SCTLR_ON,
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
		ck_assert(pt_cfg_from_regs(REGIME_EL2, SCTLR_ON, tcr_el2(tsz, 0, 0),
		                           UINT64_C(0x100000000), 0, TEST_MAIR, 0x1000, &cfg, &f));
		m.reads = 0;
		r = translate(&cfg, &m, 0x1000);
		ck_fault(r, FAULT_ADDRESS_SIZE, 0);
		ck_assert_uint_eq(m.reads, 0);
	}
	/* TTBR ASID bits [63:48] and CnP (bit 0) are not part of BADDR. */
	ck_assert(pt_cfg_from_regs(REGIME_EL10, SCTLR_ON, tcr_el1(16, 0, 16, 2, 0),
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
	ck_assert(pt_cfg_from_regs(REGIME_EL10, SCTLR_ON, tcr_el1(16, 0, 16, 2, 5), root, 0,
	                           TEST_MAIR, 0x1000, &cfg, &f));
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
		ck_assert(pt_cfg_from_regs(REGIME_EL2, sctlr, tcr_el2(16, 0, 5), root, 0, TEST_MAIR,
		                           va, &cfg, &f));
	else
		ck_assert(pt_cfg_from_regs(REGIME_EL10, sctlr, tcr_el1(16, 0, 16, 2, 5), root, 0,
		                           TEST_MAIR, va, &cfg, &f));
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
	ck_assert(pt_cfg_from_regs(REGIME_EL10, SCTLR_ON, tcr_el1(16, 0, 16, 2, 5), root, 0,
	                           TEST_MAIR, va, &cfg, &f));
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
		ck_assert(pt_cfg_from_regs(REGIME_EL2, SCTLR_ON, tcr, root0, 0, TEST_MAIR, LOW_VA,
		                           &map_cfg, &f));
		test_map(&m, &map_cfg, LOW_VA, 3, 0x50000000 | LEAF_RW, 0);
	} else {
		tcr = tcr_el1(16, 0, 25, TCR_TG1_4K, 5) | c->tbi_bits;
		ck_assert(pt_cfg_from_regs(REGIME_EL10, SCTLR_ON, tcr, root0, root1, TEST_MAIR,
		                           LOW_VA, &map_cfg, &f));
		test_map(&m, &map_cfg, LOW_VA, 3, 0x50000000 | LEAF_RW, 0);
		ck_assert(pt_cfg_from_regs(REGIME_EL10, SCTLR_ON, tcr, root0, root1, TEST_MAIR,
		                           HIGH_VA, &map_cfg, &f));
		test_map(&m, &map_cfg, HIGH_VA, 3, 0x50000000 | LEAF_RW, 0);
	}
	ok = pt_cfg_from_regs(c->regime, SCTLR_ON, tcr, root0, root1, TEST_MAIR, c->va, &cfg, &f);
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
	ck_assert(
	    pt_cfg_from_regs(REGIME_EL10, SCTLR_ON, tcr, root0, root1, TEST_MAIR, 0x1000, &lo, &f));
	ck_assert(pt_cfg_from_regs(REGIME_EL10, SCTLR_ON, tcr, root0, root1, TEST_MAIR,
	                           UINT64_C(0xffffff8000004000), &hi, &f));
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
	ck_assert(!pt_cfg_from_regs(REGIME_EL10, SCTLR_ON, tcr | TCR_EL1_EPD0, RAM_BASE, RAM_BASE,
	                            TEST_MAIR, 0x1000, &cfg, &f));
	ck_fault((struct walk_result){.fault = f}, FAULT_TRANSLATION, 0);
	ck_assert(cfg.epd);
	m.reads = 0;
	r = translate(&cfg, &m, 0x1000);
	ck_fault(r, FAULT_TRANSLATION, 0);
	ck_assert_uint_eq(m.reads, 0);
	/* EPD0 leaves the upper half alone, and EPD1 the lower. */
	ck_assert(pt_cfg_from_regs(REGIME_EL10, SCTLR_ON, tcr | TCR_EL1_EPD0, RAM_BASE, RAM_BASE,
	                           TEST_MAIR, HIGH_VA, &cfg, &f));
	ck_assert(!pt_cfg_from_regs(REGIME_EL10, SCTLR_ON, tcr | TCR_EL1_EPD1, RAM_BASE, RAM_BASE,
	                            TEST_MAIR, HIGH_VA, &cfg, &f));
	ck_fault((struct walk_result){.fault = f}, FAULT_TRANSLATION, 0);
	ck_assert(pt_cfg_from_regs(REGIME_EL10, SCTLR_ON, tcr | TCR_EL1_EPD1, RAM_BASE, RAM_BASE,
	                           TEST_MAIR, 0x1000, &cfg, &f));
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

/* ---- STYLE 3: the visitor ---------------------------------------------------------------- */

#define MAX_SEEN 4096

struct seen {
	unsigned n;
	int stop_at; /* stop (return stop_rc) at this call number, -1 never */
	int stop_rc;
	struct {
		uint64_t va, size, desc_pa, desc, oa;
		int level;
		enum desc_class cls;
		bool has_leaf;
		enum fault_type fault;
	} e[MAX_SEEN];
};

static int record(const struct pt_visit_entry *e, void *arg)
{
	struct seen *s = arg;

	ck_assert(s->n < MAX_SEEN);
	s->e[s->n].va = e->va;
	s->e[s->n].size = e->size;
	s->e[s->n].level = e->level;
	s->e[s->n].desc_pa = e->desc_pa;
	s->e[s->n].desc = e->desc;
	s->e[s->n].cls = e->cls;
	s->e[s->n].has_leaf = e->leaf != NULL;
	s->e[s->n].oa = e->leaf ? e->leaf->oa : 0;
	s->e[s->n].fault = e->leaf ? e->leaf->fault.type : FAULT_NONE;
	if (e->leaf) {
		/* The leaf's walk_result describes this entry (STYLE 3). */
		ck_assert_uint_eq(e->leaf->va, e->va);
		ck_assert_uint_eq(e->leaf->block_size, e->size);
		ck_assert_int_eq(e->leaf->level, e->level);
	}
	s->n++;
	if (s->stop_at >= 0 && (int)s->n == s->stop_at)
		return s->stop_rc;
	return 0;
}

/*
 * A small EL2 4K map: 1 GiB block at 0x4000_0000; table at L1 for 0x8000_0000 holding a
 * 2 MiB block at 0x8020_0000 and a table with pages 0x8040_0000, 0x8040_1000, 0x8040_3000;
 * a page at 0x1_0000_0000.
 */
static struct pt_cfg visit_fixture(struct test_mem *m)
{
	struct pt_cfg cfg;

	test_mem_init(m, RAM_BASE, RAM_SIZE);
	cfg = el2_cfg(m, 16, 12, 5, SCTLR_ON);
	test_map(m, &cfg, 0x40000000, 1, 0x40000000 | LEAF_RW, 0);
	test_map(m, &cfg, 0x80200000, 2, 0x90200000 | LEAF_RW, 0);
	test_map(m, &cfg, 0x80400000, 3, 0x91000000 | LEAF_RW, 0);
	test_map(m, &cfg, 0x80401000, 3, 0x91001000 | LEAF_RW, 0);
	test_map(m, &cfg, 0x80403000, 3, 0x91003000 | LEAF_RW, 0);
	test_map(m, &cfg, UINT64_C(0x100000000), 3, 0x92000000 | LEAF_RW, 0);
	return cfg;
}

static int visit(const struct pt_cfg *cfg, struct test_mem *m, uint64_t lo, uint64_t hi,
                 unsigned flags, struct seen *s)
{
	struct mem_ops ops = test_mem_ops(m);

	s->n = 0;
	return pt_visit(cfg, &ops, lo, hi, flags, record, s);
}

START_TEST(style3_visit_leaves_in_va_order)
{
	static const struct {
		uint64_t va, size, oa;
		int level;
		enum desc_class cls;
	} want[] = {
	    {0x40000000, SZ_1G, 0x40000000, 1, DESC_IS_BLOCK},
	    {0x80200000, SZ_2M, 0x90200000, 2, DESC_IS_BLOCK},
	    {0x80400000, SZ_4K, 0x91000000, 3, DESC_IS_PAGE},
	    {0x80401000, SZ_4K, 0x91001000, 3, DESC_IS_PAGE},
	    {0x80403000, SZ_4K, 0x91003000, 3, DESC_IS_PAGE},
	    {UINT64_C(0x100000000), SZ_4K, 0x92000000, 3, DESC_IS_PAGE},
	};
	static struct seen s = {.stop_at = -1};
	struct test_mem m;
	struct pt_cfg cfg = visit_fixture(&m);

	ck_assert_int_eq(visit(&cfg, &m, 0, UINT64_MAX, PT_VISIT_LEAF, &s), 0);
	ck_assert_uint_eq(s.n, 6);
	for (unsigned i = 0; i < 6; i++) {
		ck_assert_uint_eq(s.e[i].va, want[i].va);
		ck_assert_uint_eq(s.e[i].size, want[i].size);
		ck_assert_uint_eq(s.e[i].oa, want[i].oa);
		ck_assert_int_eq(s.e[i].level, want[i].level);
		ck_assert_int_eq(s.e[i].cls, want[i].cls);
		ck_assert(s.e[i].has_leaf);
		ck_assert_int_eq(s.e[i].fault, FAULT_NONE);
		/* desc_pa/desc name the descriptor the walk reads for that VA. */
		struct walk_result r = translate(&cfg, &m, want[i].va);
		ck_assert_uint_eq(s.e[i].desc_pa, r.steps[r.nsteps - 1].desc_pa);
		ck_assert_uint_eq(s.e[i].desc, r.leaf_desc);
	}
	test_mem_fini(&m);
}
END_TEST

START_TEST(style3_visit_table_pre_before_children)
{
	static const struct {
		uint64_t va;
		int level;
		enum desc_class cls;
	} want[] = {
	    {0, 0, DESC_IS_TABLE},
	    {0x40000000, 1, DESC_IS_BLOCK},
	    {0x80000000, 1, DESC_IS_TABLE},
	    {0x80200000, 2, DESC_IS_BLOCK},
	    {0x80400000, 2, DESC_IS_TABLE},
	    {0x80400000, 3, DESC_IS_PAGE},
	    {0x80401000, 3, DESC_IS_PAGE},
	    {0x80403000, 3, DESC_IS_PAGE},
	    {UINT64_C(0x100000000), 1, DESC_IS_TABLE},
	    {UINT64_C(0x100000000), 2, DESC_IS_TABLE},
	    {UINT64_C(0x100000000), 3, DESC_IS_PAGE},
	};
	static struct seen s = {.stop_at = -1};
	struct test_mem m;
	struct pt_cfg cfg = visit_fixture(&m);

	ck_assert_int_eq(visit(&cfg, &m, 0, UINT64_MAX, PT_VISIT_LEAF | PT_VISIT_TABLE_PRE, &s), 0);
	ck_assert_uint_eq(s.n, sizeof(want) / sizeof(want[0]));
	for (unsigned i = 0; i < s.n; i++) {
		ck_assert_uint_eq(s.e[i].va, want[i].va);
		ck_assert_int_eq(s.e[i].level, want[i].level);
		ck_assert_int_eq(s.e[i].cls, want[i].cls);
		ck_assert_uint_eq(s.e[i].size, pt_level_size(want[i].level, 12));
		ck_assert(s.e[i].has_leaf == (want[i].cls != DESC_IS_TABLE));
	}
	/* TABLE_PRE alone: only the five tables, without reading the level 3 tables (which
	 * cannot hold tables): 512 L0 + 512 L1 + 2 x 512 L2 descriptors. */
	m.reads = 0;
	ck_assert_int_eq(visit(&cfg, &m, 0, UINT64_MAX, PT_VISIT_TABLE_PRE, &s), 0);
	ck_assert_uint_eq(s.n, 5);
	ck_assert_uint_eq(m.reads, 4 * 512);
	test_mem_fini(&m);
}
END_TEST

START_TEST(style3_visit_invalid_entries)
{
	/* PT_VISIT_INVALID reports every invalid entry in range with its Translation fault. */
	static struct seen s = {.stop_at = -1};
	struct test_mem m;
	struct pt_cfg cfg = visit_fixture(&m);
	unsigned leaves = 0, invalid = 0;

	ck_assert_int_eq(
	    visit(&cfg, &m, 0x80400000, 0x805fffff, PT_VISIT_LEAF | PT_VISIT_INVALID, &s), 0);
	for (unsigned i = 0; i < s.n; i++) {
		if (s.e[i].cls == DESC_INVALID) {
			invalid++;
			ck_assert_int_eq(s.e[i].fault, FAULT_TRANSLATION);
			ck_assert_int_eq(s.e[i].level, 3);
		} else {
			leaves++;
		}
		if (i)
			ck_assert(s.e[i].va > s.e[i - 1].va);
	}
	ck_assert_uint_eq(leaves, 3);
	ck_assert_uint_eq(invalid, 509);
	ck_assert_uint_eq(s.e[2].va, 0x80402000); /* the hole between the pages */
	test_mem_fini(&m);
}
END_TEST

START_TEST(style3_visit_early_stop)
{
	static struct seen s;
	struct test_mem m;
	struct pt_cfg cfg = visit_fixture(&m);

	s.stop_at = 2;
	s.stop_rc = 7;
	ck_assert_int_eq(visit(&cfg, &m, 0, UINT64_MAX, PT_VISIT_LEAF, &s), 7);
	ck_assert_uint_eq(s.n, 2);
	/* Stopping inside a subtree stops the parents' loops too. */
	s.stop_at = 4;
	s.stop_rc = -3;
	ck_assert_int_eq(visit(&cfg, &m, 0, UINT64_MAX, PT_VISIT_LEAF | PT_VISIT_TABLE_PRE, &s),
	                 -3);
	ck_assert_uint_eq(s.n, 4);
	test_mem_fini(&m);
}
END_TEST

START_TEST(style3_visit_range_clipping)
{
	static struct seen s = {.stop_at = -1};
	struct test_mem m;
	struct pt_cfg cfg = visit_fixture(&m);

	/* A range inside a block gives the whole block once (va and size of the entry). */
	ck_assert_int_eq(visit(&cfg, &m, 0x40001000, 0x40001fff, PT_VISIT_LEAF, &s), 0);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_uint_eq(s.e[0].va, 0x40000000);
	ck_assert_uint_eq(s.e[0].size, SZ_1G);
	/* The inclusive end includes the page that starts there. */
	ck_assert_int_eq(visit(&cfg, &m, 0x80400800, 0x80403000, PT_VISIT_LEAF, &s), 0);
	ck_assert_uint_eq(s.n, 3);
	ck_assert_uint_eq(s.e[2].va, 0x80403000);
	ck_assert_int_eq(visit(&cfg, &m, 0x80401001, 0x80402fff, PT_VISIT_LEAF, &s), 0);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_uint_eq(s.e[0].va, 0x80401000);
	/* Empty and out-of-range requests visit nothing. */
	ck_assert_int_eq(visit(&cfg, &m, 0x80403000, 0x80400000, PT_VISIT_LEAF, &s), 0);
	ck_assert_uint_eq(s.n, 0);
	ck_assert_int_eq(visit(&cfg, &m, UINT64_C(1) << 48, UINT64_MAX,
	                       PT_VISIT_LEAF | PT_VISIT_INVALID | PT_VISIT_TABLE_PRE, &s),
	                 0);
	ck_assert_uint_eq(s.n, 0);
	/* Only the descriptors in range are read: L0, L1, L2 and L3 entry, once each. */
	m.reads = 0;
	ck_assert_int_eq(visit(&cfg, &m, 0x80401000, 0x80401fff, PT_VISIT_LEAF, &s), 0);
	ck_assert_uint_eq(m.reads, 4);
	test_mem_fini(&m);
}
END_TEST

START_TEST(style3_visit_skips_unreadable_subtree)
{
	/* A table descriptor pointing where nothing is (External abort for an access there):
	 * pt_visit skips it silently, pt_translate reports it. */
	static struct seen s = {.stop_at = -1};
	struct test_mem m;
	struct pt_cfg cfg = visit_fixture(&m);
	struct walk_result r = translate(&cfg, &m, 0x80400000);

	test_mem_w64(&m, r.steps[2].desc_pa, UINT64_C(0x10000000) | 3);
	ck_assert_int_eq(visit(&cfg, &m, 0, UINT64_MAX, PT_VISIT_LEAF | PT_VISIT_INVALID, &s), 0);
	for (unsigned i = 0; i < s.n; i++)
		ck_assert(s.e[i].va < 0x80400000 || s.e[i].va >= 0x80600000);
	unsigned leaves = 0;
	for (unsigned i = 0; i < s.n; i++)
		leaves += s.e[i].cls != DESC_INVALID;
	ck_assert_uint_eq(leaves, 3);
	r = translate(&cfg, &m, 0x80401000);
	ck_fault(r, FAULT_EXTERNAL_WALK, 3);
	test_mem_fini(&m);
}
END_TEST

START_TEST(style3_visit_address_size_table_is_invalid)
{
	/* A table descriptor whose next-level address exceeds PS cannot be descended; the
	 * visitor reports it among the faulting (INVALID) entries with its Address size
	 * fault, as pt_translate gives for every VA under it. */
	static struct seen s = {.stop_at = -1};
	struct test_mem m;
	struct pt_cfg cfg = visit_fixture(&m);
	struct walk_result r = translate(&cfg, &m, 0x80400000);

	test_mem_w64(&m, r.steps[2].desc_pa, (UINT64_C(1) << 44) | 3);
	cfg.oa_bits = 40;
	ck_assert_int_eq(visit(&cfg, &m, 0x80400000, 0x80400000,
	                       PT_VISIT_LEAF | PT_VISIT_INVALID | PT_VISIT_TABLE_PRE, &s),
	                 0);
	/* L0 and L1 tables, then the L2 entry as a faulting table. */
	ck_assert_uint_eq(s.n, 3);
	ck_assert_int_eq(s.e[2].cls, DESC_IS_TABLE);
	ck_assert(s.e[2].has_leaf);
	ck_assert_int_eq(s.e[2].fault, FAULT_ADDRESS_SIZE);
	r = translate(&cfg, &m, 0x80401234);
	ck_fault(r, FAULT_ADDRESS_SIZE, 2);
	test_mem_fini(&m);
}
END_TEST

START_TEST(style3_visit_ttbr1_sign_extended)
{
	/* D8.2: TTBR1 VAs are the top of the 64-bit space; entries come in VA order with
	 * VA[63:va_bits] all ones. */
	static struct seen s = {.stop_at = -1};
	static const uint64_t vas[3] = {UINT64_C(0xffffff8000000000), UINT64_C(0xffffffc000200000),
	                                UINT64_C(0xfffffffffffff000)};
	struct test_mem m;
	struct pt_cfg cfg;
	struct fault f;
	uint64_t root;

	test_mem_init(&m, RAM_BASE, RAM_SIZE);
	root = test_mem_alloc(&m, SZ_4K);
	ck_assert(pt_cfg_from_regs(REGIME_EL10, SCTLR_ON, tcr_el1(16, 0, 25, TCR_TG1_4K, 5), 0,
	                           root, TEST_MAIR, vas[0], &cfg, &f));
	/* Mapped in reverse order to show that the order comes from the VA. */
	for (int i = 2; i >= 0; i--)
		test_map(&m, &cfg, vas[i], 3, (0x50000000 + (uint64_t)i * SZ_4K) | LEAF_RW, 0);
	ck_assert_int_eq(visit(&cfg, &m, 0, UINT64_MAX, PT_VISIT_LEAF, &s), 0);
	ck_assert_uint_eq(s.n, 3);
	for (unsigned i = 0; i < 3; i++) {
		ck_assert_uint_eq(s.e[i].va, vas[i]);
		ck_assert_uint_eq(s.e[i].oa, 0x50000000 + i * SZ_4K);
	}
	/* A range in the lower half of the space visits nothing of the TTBR1 tables. */
	ck_assert_int_eq(visit(&cfg, &m, 0, UINT64_C(0x0000ffffffffffff), PT_VISIT_LEAF, &s), 0);
	ck_assert_uint_eq(s.n, 0);
	test_mem_fini(&m);
}
END_TEST

/* Deterministic pseudo-random numbers (64-bit LCG, Knuth MMIX). */
static uint64_t lcg(uint64_t *st)
{
	*st = *st * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
	return *st >> 17;
}

/*
 * The first field in which two walk results differ, or NULL. Plain comparisons, not
 * ck_assert: in fork mode every passing Check assertion writes a checkpoint, far too slow
 * for the hundreds of thousands of entries the agreement test compares.
 */
static const char *result_diff(const struct walk_result *a, const struct walk_result *b)
{
	if (a->va != b->va)
		return "va";
	if (a->fault.type != b->fault.type || a->fault.level != b->fault.level)
		return "fault";
	if (a->level != b->level || a->block_size != b->block_size)
		return "level/block_size";
	if (a->nsteps != b->nsteps)
		return "nsteps";
	for (unsigned i = 0; i < a->nsteps; i++)
		if (a->steps[i].desc_pa != b->steps[i].desc_pa ||
		    a->steps[i].desc != b->steps[i].desc || a->steps[i].level != b->steps[i].level)
			return "steps";
	if (a->fault.type == FAULT_TRANSLATION || a->fault.type == FAULT_EXTERNAL_WALK)
		return NULL;
	if (a->oa != b->oa || a->leaf_desc != b->leaf_desc)
		return "oa/leaf_desc";
	if (a->attrs.mair_attr != b->attrs.mair_attr || a->attrs.inner != b->attrs.inner ||
	    a->attrs.outer != b->attrs.outer || a->attrs.sh != b->attrs.sh)
		return "attrs";
	if (a->ro != b->ro || a->el0 != b->el0 || a->xn != b->xn || a->pxn != b->pxn)
		return "permissions";
	if (a->ng != b->ng || a->contiguous != b->contiguous || a->af != b->af)
		return "ng/contiguous/af";
	return NULL;
}

struct agree_arg {
	const struct pt_cfg *cfg;
	struct test_mem *m;
	uint64_t rng, prev_end;
	unsigned leaves, faults;
	const char *bad; /* first disagreement */
	uint64_t bad_va;
};

static int agree(const struct pt_visit_entry *e, void *arg)
{
	struct agree_arg *a = arg;
	struct walk_result r = translate(a->cfg, a->m, e->va), r2;
	uint64_t off = lcg(&a->rng) % e->size;

	a->bad_va = e->va;
	/* Entries come in VA order and, with PT_VISIT_INVALID, leave no gaps. */
	if (e->va != a->prev_end)
		a->bad = "gap or overlap before this entry";
	else if (!e->leaf)
		a->bad = "entry without walk_result";
	else if ((a->bad = result_diff(e->leaf, &r)) == NULL && r.fault.type == FAULT_NONE) {
		/* Any VA inside a leaf translates the same way, offset included. */
		r2 = translate(a->cfg, a->m, e->va + off);
		if (r2.fault.type != FAULT_NONE || r2.level != r.level || r2.oa != r.oa + off)
			a->bad = "translate of a VA inside the leaf";
	}
	if (a->bad)
		return 1;
	a->prev_end = e->va + e->size;
	if (r.fault.type == FAULT_NONE)
		a->leaves++;
	else
		a->faults++;
	return 0;
}

struct agree_case {
	const char *rule;
	enum regime regime;
	unsigned g, tsz;
	bool upper;
};

static const struct agree_case agree_cases[] = {
    {"STYLE 3 visit agrees with translate: EL2 4K 48-bit", REGIME_EL2, 12, 16, false},
    {"STYLE 3 visit agrees with translate: EL2 16K 47-bit", REGIME_EL2, 14, 17, false},
    {"STYLE 3 visit agrees with translate: EL2 64K 42-bit", REGIME_EL2, 16, 22, false},
    {"STYLE 3 visit agrees with translate: EL1 TTBR1 4K 39-bit", REGIME_EL10, 12, 25, true},
    {"STYLE 3 visit agrees with translate: EL1 TTBR0 16K 36-bit", REGIME_EL10, 14, 28, false},
    {"STYLE 3 visit agrees with translate: EL1 TTBR1 64K 48-bit", REGIME_EL10, 16, 16, true},
};

START_TEST(style3_visit_agrees_with_translate)
{
	const struct agree_case *c = &agree_cases[_i];
	struct test_mem m;
	struct pt_cfg cfg;
	struct fault f;
	uint64_t rng = 0x1234 + (uint64_t)_i, root, gsize = UINT64_C(1) << c->g;
	unsigned va_bits = 64 - c->tsz;
	struct agree_arg a;

	test_mem_init(&m, RAM_BASE, UINT64_C(16) << 20);
	root = test_mem_alloc(&m, gsize);
	if (c->regime == REGIME_EL2)
		ck_assert(pt_cfg_from_regs(REGIME_EL2, SCTLR_ON | SCTLR_ELx_WXN,
		                           tcr_el2(c->tsz, tg0_for(c->g), 2), root, 0, TEST_MAIR, 0,
		                           &cfg, &f));
	else
		ck_assert(pt_cfg_from_regs(
		    REGIME_EL10, SCTLR_ON, tcr_el1(c->tsz, tg0_for(c->g), c->tsz, tg1_for(c->g), 2),
		    root, root, TEST_MAIR, c->upper ? UINT64_MAX : 0, &cfg, &f));
	/*
	 * 300 random leaves in 4 clusters of 32 level-2 entries each, far apart in the input
	 * range, so that tables are shared and blocks overwrite tables (and the reverse).
	 */
	uint64_t span = 32 * pt_level_size(2, c->g);
	for (int i = 0; i < 300; i++) {
		uint64_t cluster = lcg(&rng) % 4, va, leaf, tbl = 0;
		int level = 3;

		if (lcg(&rng) % 12 == 0)
			level = c->g == 12 && lcg(&rng) % 8 == 0 ? 1 : 2;
		va = (cluster << (va_bits - 2)) | (lcg(&rng) % span);
		va &= (UINT64_C(1) << va_bits) - 1;
		if (c->upper)
			va |= ~((UINT64_C(1) << va_bits) - 1);
		va &= ~(pt_level_size(level, c->g) - 1);
		leaf = (lcg(&rng) << 12) & ((UINT64_C(1) << 40) - 1);
		if (lcg(&rng) % 8 == 0) /* above PS = 40 bits: Address size fault */
			leaf |= UINT64_C(1) << 40;
		leaf |= (lcg(&rng) & 7) << DESC_ATTRINDX_SHIFT;
		leaf |= (lcg(&rng) & 3) << DESC_SH_SHIFT;
		leaf |= lcg(&rng) % 8 ? DESC_AF : 0;
		leaf |= lcg(&rng) & (DESC_AP1 | DESC_AP2 | DESC_NG);
		leaf |= lcg(&rng) & (DESC_XN | DESC_PXN | DESC_CONTIG);
		tbl = lcg(&rng) & (DESC_XNTABLE | DESC_PXNTABLE | (UINT64_C(3) << 61));
		uint64_t dpa = test_map(&m, &cfg, va, level, leaf, tbl);
		if (level == 3 && lcg(&rng) % 8 == 0) /* the reserved 0b01 at level 3 */
			test_mem_w64(&m, dpa, test_mem_r64(&m, dpa) & ~UINT64_C(2));
	}
	memset(&a, 0, sizeof(a));
	a.cfg = &cfg;
	a.m = &m;
	a.rng = 99;
	a.prev_end = c->upper ? ~((UINT64_C(1) << va_bits) - 1) : 0;
	struct mem_ops ops = test_mem_ops(&m);
	int rc = pt_visit(&cfg, &ops, 0, UINT64_MAX, PT_VISIT_LEAF | PT_VISIT_INVALID, agree, &a);
	ck_assert_msg(rc == 0 && !a.bad, "%s: %s at VA 0x%" PRIx64, c->rule, a.bad ? a.bad : "",
	              a.bad_va);
	ck_assert_msg(a.leaves > 30, "%s: %u leaves", c->rule, a.leaves);
	ck_assert_msg(a.faults > 10, "%s: %u faulting entries", c->rule, a.faults);
	/* The entries tile the whole half of the input range. */
	uint64_t half_end = c->upper ? 0 : UINT64_C(1) << va_bits;
	ck_assert_uint_eq(a.prev_end, half_end);
	test_mem_fini(&m);
}
END_TEST

struct count_arg {
	unsigned n;
	uint64_t next_va, next_pa;
	bool ok;
};

static int count_linear(const struct pt_visit_entry *e, void *arg)
{
	struct count_arg *c = arg;

	c->ok &=
	    e->va == c->next_va && e->leaf->oa == c->next_pa && e->leaf->fault.type == FAULT_NONE;
	c->next_va += e->size;
	c->next_pa += e->size;
	c->n++;
	return 0;
}

START_TEST(style3_visit_large_linear_map_fast)
{
	/*
	 * 1 GiB of 4K pages (262,144 PTEs): one read per descriptor, well under 100 ms of CPU
	 * time (CPU, not wall-clock, time so that a loaded CI machine does not fail it).
	 */
	struct test_mem m;
	struct pt_cfg cfg;
	struct mem_ops ops;
	double best = 1e9;
	uint64_t va0 = UINT64_C(0x0000004000000000), pa0 = UINT64_C(0x0000008000000000);

	test_mem_init(&m, RAM_BASE, UINT64_C(4) << 20);
	cfg = el2_cfg(&m, 16, 12, 5, SCTLR_ON);
	for (uint64_t off = 0; off < SZ_1G; off += SZ_4K)
		test_map(&m, &cfg, va0 + off, 3, (pa0 + off) | LEAF_RW, 0);
	ops = test_mem_ops(&m);
	for (int run = 0; run < 3; run++) {
		struct count_arg c = {0, va0, pa0, true};
		struct timespec t0, t1;

		m.reads = 0;
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
		ck_assert_int_eq(
		    pt_visit(&cfg, &ops, 0, UINT64_MAX, PT_VISIT_LEAF, count_linear, &c), 0);
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
		ck_assert_uint_eq(c.n, 262144);
		ck_assert(c.ok);
		/* 512 L0 + 512 L1 + 512 L2 + 262,144 L3 entries read once each. */
		ck_assert_uint_eq(m.reads, 512 + 512 + 512 + 262144);
		double ms =
		    (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
		if (ms < best)
			best = ms;
	}
	ck_assert_msg(best < 100.0, "1 GiB of 4K pages visited in %.1f ms of CPU time", best);
	test_mem_fini(&m);
}
END_TEST

START_TEST(names_are_distinct)
{
	static const enum fault_type faults[] = {
	    FAULT_NONE,        FAULT_TRANSLATION,   FAULT_ADDRESS_SIZE,
	    FAULT_ACCESS_FLAG, FAULT_PERMISSION,    FAULT_ALIGNMENT,
	    FAULT_EXTERNAL,    FAULT_EXTERNAL_WALK, FAULT_TLB_CONFLICT,
	};
	static const enum access_type accs[] = {ACC_FETCH, ACC_READ, ACC_WRITE, ACC_DC_READ,
	                                        ACC_DC_WRITE};
	unsigned nf = sizeof(faults) / sizeof(faults[0]), na = sizeof(accs) / sizeof(accs[0]);

	for (unsigned i = 0; i < nf; i++)
		for (unsigned j = i + 1; j < nf; j++)
			ck_assert_str_ne(pt_fault_name(faults[i]), pt_fault_name(faults[j]));
	for (unsigned i = 0; i < na; i++)
		for (unsigned j = i + 1; j < na; j++)
			ck_assert_str_ne(pt_access_name(accs[i]), pt_access_name(accs[j]));
	ck_assert_str_eq(pt_fault_name(FAULT_PERMISSION), "permission");
	ck_assert_str_eq(pt_access_name(ACC_WRITE), "write");
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

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
	tcase_add_test(tc, d8_2_ttbr_baddr_low_bits_treated_as_zero);
	tcase_add_loop_test(tc, d8_4_access_flag_fault_at_each_level, 0, 3);
	tcase_add_test(tc, d8_external_abort_on_walk);
	suite_add_tcase(s, tc);

	tc = tcase_create("permissions");
	tcase_add_loop_test(tc, d8_4_permissions, 0, N(perm_cases));
	tcase_add_test(tc, d8_4_permission_fault_level_is_leaf_level);
	tcase_add_test(tc, d8_4_hierarchical_attributes_accumulate_over_levels);
	suite_add_tcase(s, tc);

	tc = tcase_create("visit");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, style3_visit_leaves_in_va_order);
	tcase_add_test(tc, style3_visit_table_pre_before_children);
	tcase_add_test(tc, style3_visit_invalid_entries);
	tcase_add_test(tc, style3_visit_early_stop);
	tcase_add_test(tc, style3_visit_range_clipping);
	tcase_add_test(tc, style3_visit_skips_unreadable_subtree);
	tcase_add_test(tc, style3_visit_address_size_table_is_invalid);
	tcase_add_test(tc, style3_visit_ttbr1_sign_extended);
	tcase_add_loop_test(tc, style3_visit_agrees_with_translate, 0, N(agree_cases));
	tcase_add_test(tc, style3_visit_large_linear_map_fast);
	tcase_add_test(tc, names_are_distinct);
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
