/*
 * test_tlb.c - the TLB model (tlb.h): break-before-make classification (Arm ARM D8.14.1
 * "Using break-before-make when updating translation table entries") and the possible
 * translations a TLB may supply under D8.13 "Translation Lookaside Buffers" and its TLB
 * maintenance rules, driven directly through the tlb API.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "tlb.h"

#define BASE UINT64_C(0x40000000)
#define SIZE (UINT64_C(4) << 20)
/* The implemented PA size of the CPU these TLBs belong to: the Cortex-A72's 44 bits. */
#define TEST_PA_BITS 44
static uint8_t *ram;

static bool rd(void *ctx, uint64_t pa, void *buf, size_t len)
{
	(void)ctx;
	if (pa < BASE || pa + len > BASE + SIZE)
		return false;
	memcpy(buf, ram + (pa - BASE), len);
	return true;
}

static void put64(uint64_t pa, uint64_t v)
{
	memcpy(ram + (pa - BASE), &v, 8);
}

#define PAGE_DESC(pa)  ((pa) | DESC_AF | (UINT64_C(3) << DESC_SH_SHIFT) | 3)
#define BLOCK_DESC(pa) ((pa) | DESC_AF | (UINT64_C(3) << DESC_SH_SHIFT) | 1)

struct case_ {
	uint64_t old, new_;
	int level;
	bool bbm;
	const char *why;
};

/* D8.14.1: which changes of a live valid descriptor need break-before-make. */
START_TEST(bbm_classification_D8_14_1)
{
	const uint64_t p = PAGE_DESC(BASE);
	const struct case_ cases[] = {
	    {p, PAGE_DESC(BASE + 0x1000), 3, true, "output address"},
	    {p, p | (UINT64_C(2) << DESC_ATTRINDX_SHIFT), 3, true, "memory type (AttrIndx)"},
	    {p, p & ~(UINT64_C(3) << DESC_SH_SHIFT), 3, true, "shareability"},
	    {p, p | DESC_CONTIG, 3, true, "Contiguous bit"},
	    {p | DESC_NG, p, 3, true, "nG 1 -> 0"},
	    {p, p | DESC_NG, 3, false, "nG 0 -> 1"},
	    {p, p | DESC_AP2, 3, false, "AP (read-only)"},
	    {p, p | DESC_XN | DESC_PXN, 3, false, "XN/PXN"},
	    {p & ~DESC_AF, p, 3, false, "AF 0 -> 1"},
	    {p, p | DESC_DBM | (UINT64_C(1) << 55), 3, false, "DBM, software bits"},
	    {0, p, 3, false, "invalid -> valid"},
	    {p, 0, 3, false, "valid -> invalid"},
	    {BLOCK_DESC(BASE), (BASE + 0x1000) | 3, 2, true, "block -> table (split)"},
	    {(BASE + 0x1000) | 3, BLOCK_DESC(BASE), 2, true, "table -> block"},
	    {(BASE + 0x1000) | 3, (BASE + 0x2000) | 3, 2, true, "table address"},
	    {(BASE + 0x1000) | 3, (BASE + 0x1000) | 3 | DESC_XNTABLE, 2, false, "XNTable"},
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct case_ *c = &cases[i];
		bool got = tlb_bbm_needed(c->old, c->new_, c->level, 12);
		ck_assert_msg(got == c->bbm, "%s: expected %d", c->why, c->bbm);
	}
}
END_TEST

struct rig {
	struct mem_ops ops;
	struct cache *c;
	struct tlb *t;
	struct tlb_regs regs;
	uint64_t l3; /* PA of the level 3 table */
};

#define VA UINT64_C(0x200000)

/* One level-1 table -> level-2 -> level-3 with VA -> BASE + 0x100000. */
static void rig_init(struct rig *r, enum tlb_policy pol, unsigned ncpus)
{
	ram = calloc(1, SIZE);
	ck_assert_ptr_nonnull(ram);
	uint64_t l1 = BASE + 0x10000, l2 = BASE + 0x11000;
	r->l3 = BASE + 0x12000;
	put64(l1 + 8 * 0, l2 | 3);
	put64(l2 + 8 * 1, r->l3 | 3);
	put64(r->l3, PAGE_DESC(BASE + 0x100000));
	r->ops.read = rd;
	r->ops.ctx = NULL;
	struct model_cfg cfg = {.ncpus = ncpus, .tlb_policy = pol, .pa_bits = TEST_PA_BITS};
	r->c = cache_new(&r->ops);
	r->t = tlb_new(&cfg, &r->ops, r->c);
	r->regs.regime = REGIME_EL2;
	r->regs.sctlr = SCTLR_ELx_M;
	r->regs.tcr = 25 | (UINT64_C(2) << TCR_EL2_PS_SHIFT);
	r->regs.ttbr0 = l1;
	r->regs.mair = 0xff;
}

static void rig_fini(struct rig *r)
{
	tlb_free(r->t);
	cache_free(r->c);
	free(ram);
}

static void no_bbm(void *arg, const struct tlb_bbm *b)
{
	(void)b;
	(*(unsigned *)arg)++;
}

/* Rewrite the leaf at time seq as a store would (note, land, finalise at seq + 1). */
static unsigned store_leaf(struct rig *r, uint64_t v, uint64_t seq)
{
	struct hz_cause cz = {.seq = seq};
	unsigned nbbm = 0;
	ck_assert(tlb_note_store(r->t, 0, r->l3, 8, seq, &cz));
	put64(r->l3, v);
	tlb_finalize(r->t, seq + 1, no_bbm, &nbbm);
	return nbbm;
}

static unsigned lookup(struct rig *r, unsigned cpu, uint64_t now, struct tlb_cand *out)
{
	return tlb_lookup(r->t, cpu, REGIME_EL2, VA, TLB_AT_NOW, 0, now, &r->regs, NULL, out, 16);
}

static bool has_pa(const struct tlb_cand *c, unsigned n, uint64_t pa, bool *pending)
{
	for (unsigned i = 0; i < n; i++)
		if (c[i].r.fault.type == FAULT_NONE && c[i].r.oa == pa) {
			if (pending)
				*pending = c[i].needs_pending;
			return true;
		}
	return false;
}

/* D8.13: the old leaf stays possible until a covering TLBI completes (at a DSB), and only
 * a DSB before the TLBI keeps the walker from re-caching it. */
START_TEST(old_leaf_possible_until_tlbi_completes_D8_13)
{
	struct rig r;
	struct tlb_cand c[16];
	struct hz_cause cz = {.seq = 1};
	rig_init(&r, TLB_POLICY_SPECULATIVE, 1);
	tlb_ctx_open(r.t, 0, &r.regs, 1, &cz);
	unsigned n = lookup(&r, 0, 2, c);
	ck_assert(has_pa(c, n, BASE + 0x100000, NULL));

	ck_assert_uint_eq(store_leaf(&r, 0, 10), 0); /* valid -> invalid: no BBM */
	tlb_dsb(r.t, 0, DOM_ISH, BAR_ST, 11);        /* the store is visible */
	n = lookup(&r, 0, 12, c);
	ck_assert(has_pa(c, n, BASE + 0x100000, NULL)); /* still cached */
	tlb_tlbi(r.t, 0, TLBI_VAE2, VA >> 12, 13, &cz);
	bool pending = false;
	n = lookup(&r, 0, 14, c);
	ck_assert(has_pa(c, n, BASE + 0x100000, &pending));
	ck_assert(pending); /* only the incomplete TLBI would remove it: missing DSB */
	ck_assert(tlb_dsb(r.t, 0, DOM_NSH, BAR_ALL, 15));
	n = lookup(&r, 0, 16, c);
	ck_assert(!has_pa(c, n, BASE + 0x100000, NULL));
	/* invalid -> valid elsewhere: no BBM needed, nothing stale */
	ck_assert_uint_eq(store_leaf(&r, PAGE_DESC(BASE + 0x200000), 17), 0);
	rig_fini(&r);
}
END_TEST

START_TEST(tlbi_before_store_visible_may_recache_D8_13)
{
	struct rig r;
	struct tlb_cand c[16];
	struct hz_cause cz = {.seq = 1}, got;
	rig_init(&r, TLB_POLICY_SPECULATIVE, 1);
	tlb_ctx_open(r.t, 0, &r.regs, 1, &cz);
	store_leaf(&r, 0, 10);
	ck_assert(tlb_unsynced_store(r.t, 0, &got)); /* str; tlbi without dsb ishst */
	ck_assert_uint_eq(got.seq, 10);
	tlb_tlbi(r.t, 0, TLBI_VAE2, VA >> 12, 11, &cz);
	tlb_dsb(r.t, 0, DOM_ISH, BAR_ALL, 12);
	unsigned n = lookup(&r, 0, 13, c);
	ck_assert(has_pa(c, n, BASE + 0x100000, NULL)); /* re-cached between 11 and 12 */
	rig_fini(&r);
}
END_TEST

/* D8.13: a local TLBI completes only for its CPU; IS forms need DSB ISH or wider. */
START_TEST(is_forms_reach_every_cpu_and_need_ish_D8_13)
{
	struct rig r;
	struct tlb_cand c[16];
	struct hz_cause cz = {.seq = 1};
	rig_init(&r, TLB_POLICY_SPECULATIVE, 2);
	tlb_ctx_open(r.t, 0, &r.regs, 1, &cz);
	tlb_ctx_open(r.t, 1, &r.regs, 1, &cz);
	store_leaf(&r, 0, 10);
	tlb_dsb(r.t, 0, DOM_ISH, BAR_ST, 11);
	tlb_tlbi(r.t, 0, TLBI_VAE2IS, VA >> 12, 12, &cz);
	ck_assert(!tlb_dsb(r.t, 0, DOM_NSH, BAR_ALL, 13)); /* NSH does not wait for IS */
	ck_assert(tlb_pending_any(r.t));
	ck_assert(tlb_dsb(r.t, 0, DOM_ISH, BAR_ALL, 14));
	unsigned n = lookup(&r, 1, 15, c);
	ck_assert(!has_pa(c, n, BASE + 0x100000, NULL));
	rig_fini(&r);
}
END_TEST

/* The `accessed` policy: only what an access used can be in the TLB. */
START_TEST(accessed_policy_needs_an_access_D8_13)
{
	struct rig r;
	struct tlb_cand c[16];
	struct hz_cause cz = {.seq = 1};
	rig_init(&r, TLB_POLICY_ACCESSED, 1);
	tlb_ctx_open(r.t, 0, &r.regs, 1, &cz);
	store_leaf(&r, PAGE_DESC(BASE + 0x300000), 10);
	tlb_dsb(r.t, 0, DOM_ISH, BAR_ALL, 11);
	unsigned n = lookup(&r, 0, 12, c);
	ck_assert(!has_pa(c, n, BASE + 0x100000, NULL)); /* never accessed */
	struct pt_cfg cfg;
	struct fault f;
	ck_assert(pt_cfg_from_regs(REGIME_EL2, TEST_PA_BITS, r.regs.sctlr, r.regs.tcr, r.regs.ttbr0,
	                           0, r.regs.mair, VA, &cfg, &f));
	tlb_note_access(r.t, 0, &cfg, VA, 13);
	store_leaf(&r, PAGE_DESC(BASE + 0x100000), 14);
	tlb_dsb(r.t, 0, DOM_ISH, BAR_ALL, 15);
	n = lookup(&r, 0, 16, c);
	ck_assert(has_pa(c, n, BASE + 0x300000, NULL)); /* used at 13 */
	rig_fini(&r);
}
END_TEST

/* ---- the model's memory does not grow with the events (tlb.c prune_recs, ver_dead) ---- */

static struct model_footprint fp(struct rig *r)
{
	struct model_footprint f;
	memset(&f, 0, sizeof(f));
	tlb_footprint(r->t, &f);
	return f;
}

static unsigned lookup_fetch(struct rig *r, unsigned cpu, uint64_t now, struct tlb_cand *out)
{
	return tlb_lookup(r->t, cpu, REGIME_EL2, VA, TLB_AT_FIRST, 0, now, &r->regs, NULL, out, 16);
}

/*
 * One break-before-make remap of the leaf at VA to pa (D8.14.1): invalid, DSB ISHST, tlbi,
 * DSB ISH, new leaf, DSB ISHST, ISB on CPU 0. Events from *seq on. Returns the number of
 * break-before-make violations found (an old value another CPU may still hold).
 */
static unsigned remap(struct rig *r, uint64_t pa, enum tlbi_op op, uint64_t *seq)
{
	struct hz_cause cz = {.seq = *seq};
	ck_assert_uint_eq(store_leaf(r, 0, (*seq)++), 0);
	(*seq)++;
	tlb_dsb(r->t, 0, DOM_ISH, BAR_ST, (*seq)++);
	tlb_tlbi(r->t, 0, op, VA >> 12, (*seq)++, &cz);
	tlb_dsb(r->t, 0, DOM_ISH, BAR_ALL, (*seq)++);
	unsigned bbm = store_leaf(r, PAGE_DESC(pa), (*seq)++);
	(*seq)++;
	tlb_dsb(r->t, 0, DOM_ISH, BAR_ST, (*seq)++);
	tlb_csync(r->t, 0, (*seq)++);
	return bbm;
}

/* K remap cycles keep no TLBI record and no older descriptor value: each one is removed by
 * the completed, synchronised TLBI (D8.13, D8.14.1; B2.3.12 for the ISB). The lookups after
 * every cycle give only the current page, for data and for instruction fetch. */
START_TEST(remap_cycles_keep_footprint_bounded_D8_14_1)
{
	struct rig r;
	struct tlb_cand c[16];
	struct hz_cause cz = {.seq = 1};
	rig_init(&r, TLB_POLICY_SPECULATIVE, 1);
	tlb_ctx_open(r.t, 0, &r.regs, 1, &cz);
	uint64_t seq = 10;
	for (unsigned k = 0; k < 1000; k++) {
		uint64_t pa = BASE + (k & 1 ? 0x100000 : 0x200000);
		ck_assert_uint_eq(remap(&r, pa, k % 3 ? TLBI_VALE2IS : TLBI_VAE2, &seq), 0);
		struct model_footprint f = fp(&r);
		ck_assert_uint_eq(f.tlbi_records, 0);
		ck_assert_uint_eq(f.desc_versions, 0);
		ck_assert_uint_eq(f.desc_histories, 1);
		ck_assert_uint_eq(f.tlb_contexts, 1);
		unsigned n = lookup(&r, 0, seq, c);
		ck_assert(has_pa(c, n, pa, NULL));
		ck_assert(!has_pa(c, n, BASE + (k & 1 ? 0x200000 : 0x100000), NULL));
		n = lookup_fetch(&r, 0, seq, c);
		ck_assert(!has_pa(c, n, BASE + (k & 1 ? 0x200000 : 0x100000), NULL));
	}
	rig_fini(&r);
}
END_TEST

/* A TLBI no DSB has completed (D8.13.x): its record and the old value it would remove are
 * kept, and the old translation is still possible, marked as needing that DSB. */
START_TEST(prune_keeps_tlbi_without_dsb_D8_13)
{
	struct rig r;
	struct tlb_cand c[16];
	struct hz_cause cz = {.seq = 1};
	rig_init(&r, TLB_POLICY_SPECULATIVE, 1);
	tlb_ctx_open(r.t, 0, &r.regs, 1, &cz);
	uint64_t seq = 10;
	for (unsigned k = 0; k < 50; k++)
		remap(&r, BASE + (k & 1 ? 0x100000 : 0x200000), TLBI_VALE2IS, &seq);
	/* Now at BASE + 0x100000: remap to 0x200000 with no DSB after the TLBI. */
	store_leaf(&r, 0, seq++);
	tlb_dsb(r.t, 0, DOM_ISH, BAR_ST, ++seq);
	tlb_tlbi(r.t, 0, TLBI_VALE2IS, VA >> 12, ++seq, &cz);
	store_leaf(&r, PAGE_DESC(BASE + 0x200000), ++seq);
	seq += 2;
	struct model_footprint f = fp(&r);
	ck_assert_uint_eq(f.tlbi_records, 1);
	ck_assert_uint_ge(f.desc_versions, 1);
	bool pending = false;
	unsigned n = lookup(&r, 0, ++seq, c);
	ck_assert(has_pa(c, n, BASE + 0x100000, &pending));
	ck_assert(pending);
	/* The DSB completes it, the ISB synchronises it: nothing is kept. */
	ck_assert(tlb_dsb(r.t, 0, DOM_ISH, BAR_ALL, ++seq));
	tlb_csync(r.t, 0, ++seq);
	f = fp(&r);
	ck_assert_uint_eq(f.tlbi_records, 0);
	ck_assert_uint_eq(f.desc_versions, 0);
	rig_fini(&r);
}
END_TEST

/* Without FEAT_ETS, a completed TLBI is honoured by instruction fetch on a CPU only after
 * that CPU's next context synchronisation event (B2.3.12, D8.13): an IS TLBI of CPU 0 that
 * CPU 1 has not synchronised keeps the old value for CPU 1's fetches, not for its loads. */
START_TEST(prune_keeps_versions_until_other_cpu_synchronises_B2_3_12)
{
	struct rig r;
	struct tlb_cand c[16];
	struct hz_cause cz = {.seq = 1};
	rig_init(&r, TLB_POLICY_SPECULATIVE, 2);
	tlb_ctx_open(r.t, 0, &r.regs, 1, &cz);
	tlb_ctx_open(r.t, 1, &r.regs, 1, &cz);
	uint64_t seq = 10;
	ck_assert_uint_eq(remap(&r, BASE + 0x200000, TLBI_VALE2IS, &seq), 0); /* ISB on CPU 0 */
	struct model_footprint f = fp(&r);
	ck_assert_uint_eq(f.tlbi_records, 1);    /* listed by CPU 1's context */
	/* The old valid leaf, and the invalid value between: CPU 1 has had no context
	 * synchronisation since the DSB that made the new leaf visible, so without FEAT_ETS2
	 * its walks may still read it (DESIGN §3 "One instant per access"). */
	ck_assert_uint_eq(f.desc_versions, 2);
	unsigned n = lookup_fetch(&r, 1, seq, c);
	ck_assert(has_pa(c, n, BASE + 0x100000, NULL));
	n = lookup(&r, 1, seq, c);
	ck_assert(!has_pa(c, n, BASE + 0x100000, NULL));
	tlb_csync(r.t, 1, seq++);
	f = fp(&r);
	ck_assert_uint_eq(f.tlbi_records, 0);
	ck_assert_uint_eq(f.desc_versions, 0);
	n = lookup_fetch(&r, 1, seq, c);
	ck_assert(!has_pa(c, n, BASE + 0x100000, NULL));
	rig_fini(&r);
}
END_TEST

/* A local TLBI (VAE2, not IS) removes nothing from another CPU's TLB (D8.13, D8.14.1: the
 * broadcast form is needed): the old value stays for CPU 1, whatever CPU 0 does. */
START_TEST(prune_keeps_versions_a_local_tlbi_leaves_on_other_cpus_D8_13)
{
	struct rig r;
	struct tlb_cand c[16];
	struct hz_cause cz = {.seq = 1};
	rig_init(&r, TLB_POLICY_SPECULATIVE, 2);
	tlb_ctx_open(r.t, 0, &r.regs, 1, &cz);
	tlb_ctx_open(r.t, 1, &r.regs, 1, &cz);
	uint64_t seq = 10;
	for (unsigned k = 0; k < 20; k++) /* each new leaf: CPU 1 may hold the last one */
		ck_assert_uint_eq(remap(&r, BASE + (k & 1 ? 0x100000 : 0x200000), TLBI_VAE2, &seq), 1);
	tlb_csync(r.t, 1, seq++);
	struct model_footprint f = fp(&r);
	ck_assert_uint_eq(f.tlbi_records, 0);  /* CPU 1 was never reached */
	ck_assert_uint_eq(f.desc_versions, 20); /* every valid value: CPU 1 may hold each */
	unsigned n = lookup(&r, 1, seq, c);
	ck_assert(has_pa(c, n, BASE + 0x100000, NULL));
	ck_assert(has_pa(c, n, BASE + 0x200000, NULL));
	n = lookup(&r, 0, seq, c);
	ck_assert(!has_pa(c, n, BASE + 0x200000, NULL)); /* now at 0x100000 */
	/* The broadcast form reaches CPU 1: everything older goes. */
	ck_assert_uint_eq(remap(&r, BASE + 0x200000, TLBI_VAE2IS, &seq), 0);
	tlb_csync(r.t, 1, seq++);
	f = fp(&r);
	ck_assert_uint_eq(f.desc_versions, 0);
	n = lookup(&r, 1, seq, c);
	ck_assert(!has_pa(c, n, BASE + 0x100000, NULL));
	rig_fini(&r);
}
END_TEST

/* A level-3 table reached at two VAs (shared tables): a TLBI by one VA does not remove the
 * entries of the other (D8.13.x: TLBI by VA covers that VA only), so the old value stays
 * possible there; only a TLBI ALLE2 removes it for both. */
START_TEST(prune_keeps_versions_of_tables_reached_at_two_vas_D8_13)
{
	struct rig r;
	struct tlb_cand c[16];
	struct hz_cause cz = {.seq = 1};
	rig_init(&r, TLB_POLICY_SPECULATIVE, 1);
	uint64_t l2 = BASE + 0x11000, va2 = VA + 0x200000;
	put64(l2 + 8 * 2, r.l3 | 3); /* VA + 2 MiB: the same level 3 table */
	tlb_ctx_open(r.t, 0, &r.regs, 1, &cz);
	uint64_t seq = 10;
	remap(&r, BASE + 0x200000, TLBI_VALE2IS, &seq);
	ck_assert_uint_eq(fp(&r).desc_versions, 1);
	unsigned n = tlb_lookup(r.t, 0, REGIME_EL2, va2, TLB_AT_NOW, 0, seq, &r.regs, NULL, c, 16);
	ck_assert(has_pa(c, n, BASE + 0x100000, NULL));
	tlb_tlbi(r.t, 0, TLBI_ALLE2IS, 0, seq++, &cz);
	tlb_dsb(r.t, 0, DOM_ISH, BAR_ALL, seq++);
	tlb_csync(r.t, 0, seq++);
	ck_assert_uint_eq(fp(&r).desc_versions, 0);
	n = tlb_lookup(r.t, 0, REGIME_EL2, va2, TLB_AT_NOW, 0, seq, &r.regs, NULL, c, 16);
	ck_assert(!has_pa(c, n, BASE + 0x100000, NULL));
	rig_fini(&r);
}
END_TEST

/* Candidates with and without the caller's coherent walk: the same list, entry for entry. */
static void same_cands(const struct tlb_cand *a, unsigned na, const struct tlb_cand *b, unsigned nb)
{
	ck_assert_uint_eq(na, nb);
	for (unsigned i = 0; i < na; i++) {
		ck_assert_int_eq(a[i].r.fault.type, b[i].r.fault.type);
		ck_assert_uint_eq(a[i].r.oa, b[i].r.oa);
		ck_assert_uint_eq(a[i].r.block_size, b[i].r.block_size);
		ck_assert_uint_eq(a[i].r.nsteps, b[i].r.nsteps);
		ck_assert_uint_eq(a[i].r.leaf_desc, b[i].r.leaf_desc);
		ck_assert_int_eq(a[i].stale_leaf, b[i].stale_leaf);
		ck_assert_int_eq(a[i].stale_table, b[i].stale_table);
		ck_assert_int_eq(a[i].old_ctx, b[i].old_ctx);
		ck_assert_int_eq(a[i].needs_pending, b[i].needs_pending);
	}
}

/*
 * D8.13: the entry the coherent context makes from the current descriptors is the walk of
 * the current tables with the current registers. tlb_lookup takes it from the caller's walk
 * (marked coherent) and gives the same list as when it walks; an entry holding an old leaf
 * value, or made under another TTBR, is never the coherent walk.
 */
START_TEST(coherent_entry_is_the_current_walk_D8_13)
{
	struct rig r;
	struct tlb_cand a[16], b[16];
	struct hz_cause cz = {.seq = 1};
	rig_init(&r, TLB_POLICY_SPECULATIVE, 1);
	tlb_ctx_open(r.t, 0, &r.regs, 1, &cz);
	struct pt_cfg cfg;
	struct fault f;
	struct walk_result w;
	ck_assert(pt_cfg_from_regs(REGIME_EL2, TEST_PA_BITS, r.regs.sctlr, r.regs.tcr, r.regs.ttbr0,
	                           0, r.regs.mair, VA, &cfg, &f));
	pt_translate(&cfg, &r.ops, VA, &w);
	unsigned na = lookup(&r, 0, 2, a);
	unsigned nb = tlb_lookup(r.t, 0, REGIME_EL2, VA, TLB_AT_NOW, 0, 2, &r.regs, &w, b, 16);
	same_cands(a, na, b, nb);
	ck_assert_uint_eq(nb, 1);
	ck_assert(b[0].coherent && !a[0].coherent);
	/* The leaf rewritten in place (VA -> +2 MiB), no TLBI: old and new entries. */
	store_leaf(&r, PAGE_DESC(BASE + 0x300000), 10);
	tlb_dsb(r.t, 0, DOM_ISH, BAR_ALL, 11);
	pt_translate(&cfg, &r.ops, VA, &w);
	ck_assert_uint_eq(w.oa, BASE + 0x300000);
	na = lookup(&r, 0, 12, a);
	nb = tlb_lookup(r.t, 0, REGIME_EL2, VA, TLB_AT_NOW, 0, 12, &r.regs, &w, b, 16);
	same_cands(a, na, b, nb);
	ck_assert_uint_eq(nb, 2);
	for (unsigned i = 0; i < nb; i++)
		ck_assert_int_eq(b[i].coherent, b[i].r.oa == BASE + 0x300000 && !b[i].stale_leaf);
	/* The level 2 descriptor pointed at a new level 3 table (VA -> +4 MiB), no TLBI: a
	 * walk-cache entry still leads to the old table, whose leaf is current there. */
	uint64_t l2e = BASE + 0x11000 + 8, l3b = BASE + 0x13000;
	put64(l3b, PAGE_DESC(BASE + 0x400000));
	unsigned nbbm = 0;
	ck_assert(tlb_note_store(r.t, 0, l2e, 8, 20, &cz));
	put64(l2e, l3b | 3);
	tlb_finalize(r.t, 21, no_bbm, &nbbm);
	tlb_dsb(r.t, 0, DOM_ISH, BAR_ALL, 22);
	pt_translate(&cfg, &r.ops, VA, &w);
	ck_assert_uint_eq(w.oa, BASE + 0x400000);
	na = lookup(&r, 0, 23, a);
	nb = tlb_lookup(r.t, 0, REGIME_EL2, VA, TLB_AT_NOW, 0, 23, &r.regs, &w, b, 16);
	same_cands(a, na, b, nb);
	ck_assert(has_pa(b, nb, BASE + 0x300000, NULL)); /* through the old table */
	for (unsigned i = 0; i < nb; i++)
		ck_assert_int_eq(b[i].coherent, b[i].r.oa == BASE + 0x400000);
	/* Another TTBR is the coherent one now: no entry of the old context is coherent. */
	struct tlb_regs other = r.regs;
	other.ttbr0 = BASE + 0x20000;
	nb = tlb_lookup(r.t, 0, REGIME_EL2, VA, TLB_AT_NOW, 0, 13, &other, &w, b, 16);
	na = tlb_lookup(r.t, 0, REGIME_EL2, VA, TLB_AT_NOW, 0, 13, &other, NULL, a, 16);
	same_cands(a, na, b, nb);
	for (unsigned i = 0; i < nb; i++)
		ck_assert(!b[i].coherent && b[i].old_ctx);
	rig_fini(&r);
}
END_TEST

/* D8.13: an ASID-tagged (nG) entry matches only its ASID; TCR_EL1.A1 selects the TTBR. */
START_TEST(el1_asid_selection_D8_13)
{
	uint64_t t0 = UINT64_C(5) << TTBR_ASID_SHIFT, t1 = UINT64_C(9) << TTBR_ASID_SHIFT;
	ck_assert_uint_eq(tlb_el1_asid(0, t0, t1), 5);
	ck_assert_uint_eq(tlb_el1_asid(TCR_EL1_A1, t0, t1), 9);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tlb");
	TCase *tc = tcase_create("tlb");
	tcase_add_test(tc, bbm_classification_D8_14_1);
	tcase_add_test(tc, old_leaf_possible_until_tlbi_completes_D8_13);
	tcase_add_test(tc, tlbi_before_store_visible_may_recache_D8_13);
	tcase_add_test(tc, is_forms_reach_every_cpu_and_need_ish_D8_13);
	tcase_add_test(tc, accessed_policy_needs_an_access_D8_13);
	tcase_add_test(tc, el1_asid_selection_D8_13);
	tcase_add_test(tc, coherent_entry_is_the_current_walk_D8_13);
	tcase_add_test(tc, remap_cycles_keep_footprint_bounded_D8_14_1);
	tcase_add_test(tc, prune_keeps_tlbi_without_dsb_D8_13);
	tcase_add_test(tc, prune_keeps_versions_until_other_cpu_synchronises_B2_3_12);
	tcase_add_test(tc, prune_keeps_versions_a_local_tlbi_leaves_on_other_cpus_D8_13);
	tcase_add_test(tc, prune_keeps_versions_of_tables_reached_at_two_vas_D8_13);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
