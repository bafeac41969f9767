/*
 * test_pt_visit.c - Check tests of hypsim's stage 1 walker (model/pt.c):
 * the table visitor (STYLE 3); suite 'model'.
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
	ck_assert(pt_cfg_from_regs(REGIME_EL10, TEST_PA_BITS, SCTLR_ON,
	                           tcr_el1(16, 0, 25, TCR_TG1_4K, 5), 0, root, TEST_MAIR, vas[0],
	                           &cfg, &f));
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
		ck_assert(pt_cfg_from_regs(REGIME_EL2, TEST_PA_BITS, SCTLR_ON | SCTLR_ELx_WXN,
		                           tcr_el2(c->tsz, tg0_for(c->g), 2), root, 0, TEST_MAIR, 0,
		                           &cfg, &f));
	else
		ck_assert(pt_cfg_from_regs(REGIME_EL10, TEST_PA_BITS, SCTLR_ON,
		                           tcr_el1(c->tsz, tg0_for(c->g), c->tsz, tg1_for(c->g), 2),
		                           root, root, TEST_MAIR, c->upper ? UINT64_MAX : 0, &cfg,
		                           &f));
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

static Suite *pt_suite(void)
{
	Suite *s = suite_create("pt");
	TCase *tc;

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
