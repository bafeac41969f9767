/*
 * test_timing.c - Check tests of hypsim's cost model (model/timing.h, issue #9).
 *
 * Checks of sanity, not of exact numbers: the shipped profiles parse and bad profile
 * text is refused with a line number; the classifier puts encodings in their C4.1 group;
 * a TLBI ALLE2 makes the next accesses miss (D8.13); a warm loop costs about its
 * instruction count; a walk to the PoC costs more than a cacheable walk (D8.2.x
 * "walks and cacheability"); a DSB waits for the maintenance in flight (B2.3.12 / D8.13);
 * timing is deterministic and never changes a hazard verdict.
 *
 * The event stream is the checker's (machine.h's RAM and tables); every event goes to
 * model_step first and then, with its result, to tm_event, as sim/timing.c does.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine.h"
#include "timing.h"

#ifndef PROFILE_DIR
#error "PROFILE_DIR must name the profiles/ directory"
#endif

#define CODE       (RAM_BASE + 0x1000)
#define DATA       (RAM_BASE + 0x200000)
#define ENC_ADD    UINT32_C(0x91000400) /* add x0, x0, #1 */
#define ENC_B_BACK UINT32_C(0x17fffff9) /* b . - 28 (back to the loop's first instruction) */
#define ENC_LDR    UINT32_C(0xf9400020) /* ldr x0, [x1] */

static char *read_text(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	char *buf = malloc(1 << 16);
	ck_assert_ptr_nonnull(buf);
	*len = fread(buf, 1, (1 << 16) - 1, f);
	buf[*len] = 0;
	fclose(f);
	return buf;
}

static void load_profile(const char *name, struct tm_profile *p)
{
	char path[512], err[160];
	snprintf(path, sizeof(path), "%s/%s.txt", PROFILE_DIR, name);
	size_t len;
	char *text = read_text(path, &len);
	int rc = tm_profile_parse(text, len, p, err, sizeof(err));
	ck_assert_msg(rc == 0, "%s: %s", path, err);
	free(text);
}

/* ---- the rig: a checker machine with the cost model fed behind it ---- */

struct rig {
	struct machine mt;
	struct tm *t;
	struct tm_step last;
};

static void rig_init(struct rig *r, const char *profile)
{
	struct tm_profile p;
	load_profile(profile, &p);
	mt_init(&r->mt);
	r->t = tm_new(&p, 1, &r->mt.ops);
	ck_assert_ptr_nonnull(r->t);
}

static void rig_fini(struct rig *r)
{
	tm_free(r->t);
	mt_fini(&r->mt);
}

static struct model_step_result step(struct rig *r, struct model_event *ev)
{
	struct model_step_result res;
	if (!ev->pc)
		ev->pc = r->mt.pc[0];
	model_step(r->mt.m, ev, &res);
	if (ev->kind == EV_STORE && res.fault.type == FAULT_NONE)
		memcpy(r->mt.ram + (res.tr.oa - RAM_BASE), &ev->u.mem.value, ev->u.mem.size);
	if (r->t)
		tm_event(r->t, r->mt.m, ev, &res, &r->last);
	return res;
}

static uint32_t fetch(struct rig *r, uint64_t pc, uint32_t enc)
{
	struct model_event ev = {.kind = EV_FETCH, .pc = pc, .insn = enc};
	ev.u.mem.va = pc;
	ev.u.mem.size = 4;
	r->mt.pc[0] = pc;
	step(r, &ev);
	return r->last.centicycles;
}

static uint32_t mem(struct rig *r, enum ev_kind k, uint64_t va, uint64_t value)
{
	struct model_event ev = {.kind = k};
	ev.u.mem.va = va;
	ev.u.mem.size = 8;
	ev.u.mem.value = value;
	step(r, &ev);
	return r->last.centicycles;
}

static void msr(struct rig *r, enum sysreg_id reg, uint64_t v)
{
	struct model_event ev = {.kind = EV_SYSREG};
	ev.u.sysreg.reg = reg;
	ev.u.sysreg.value = v;
	step(r, &ev);
}

static uint32_t simple(struct rig *r, enum ev_kind k)
{
	struct model_event ev = {.kind = k};
	ev.u.barrier.dom = DOM_SY;
	ev.u.barrier.type = BAR_ALL;
	step(r, &ev);
	return r->last.centicycles;
}

static uint32_t tlbi(struct rig *r, enum tlbi_op op, uint64_t va)
{
	struct model_event ev = {.kind = EV_TLBI};
	ev.u.tlbi.op = op;
	ev.u.tlbi.arg = (va >> 12) & ((UINT64_C(1) << 44) - 1);
	step(r, &ev);
	return r->last.queued;
}

static uint32_t dc(struct rig *r, enum dc_op op, uint64_t va)
{
	struct model_event ev = {.kind = EV_DC};
	ev.u.dc.op = op;
	ev.u.dc.arg = va;
	step(r, &ev);
	return r->last.queued;
}

/* The identity map and MMU on with the given SCTLR_EL2 (and TCR_EL2 IRGN0 = WB). */
static void mmu_on(struct rig *r, uint64_t sctlr)
{
	uint64_t root = mt_idmap(&r->mt);
	msr(r, SR_MAIR_EL2, MT_MAIR);
	msr(r, SR_TCR_EL2, MT_TCR_EL2);
	msr(r, SR_TTBR0_EL2, root);
	simple(r, EV_ISB);
	tlbi(r, TLBI_ALLE2, 0);
	simple(r, EV_DSB);
	msr(r, SR_SCTLR_EL2, sctlr);
	simple(r, EV_ISB);
}

/* A loop of 7 ALU instructions and a branch back, run once. */
static void loop_once(struct rig *r)
{
	for (unsigned i = 0; i < 7; i++)
		fetch(r, CODE + 4 * i, ENC_ADD);
	fetch(r, CODE + 28, ENC_B_BACK);
}

/* ---- profiles ---- */

START_TEST(shipped_profiles_parse)
{
	struct tm_profile a53, a72;
	load_profile("cortex-a53", &a53);
	load_profile("cortex-a72", &a72);
	ck_assert_str_eq(a53.name, "cortex-a53");
	ck_assert_str_eq(a72.name, "cortex-a72");
	/* The orders the profiles promise (their header comments). */
	const struct tm_profile *ps[2] = {&a53, &a72};
	for (unsigned i = 0; i < 2; i++) {
		const struct tm_profile *p = ps[i];
		ck_assert_uint_gt(p->walk_poc, p->walk_cache_l2);
		ck_assert_uint_gt(p->walk_cache_l2, p->walk_cache_l1);
		ck_assert_uint_gt(p->tlbi_va_is, p->tlbi_va);
		ck_assert_uint_gt(p->tlbi_all_is, p->tlbi_all);
		ck_assert_uint_gt(p->tlbi_all, p->tlbi_va);
		ck_assert_uint_gt(p->dc_hit, p->dc_miss);
	}
	/* Values in hundredths of a cycle: "alu = 0.5". */
	ck_assert_uint_eq(a53.cls[TM_ALU], 50);
	ck_assert_uint_eq(a72.l1i_ways, 3);
}
END_TEST

static const char good_tail[] =
    "[instructions]\nalu=1\nmul=1\ndiv=1\nbranch=1\nload=1\nstore=1\nfp=1\nsysreg=1\n"
    "sys=1\nhint=1\nbarrier=1\nexception=1\n"
    "[tlb]\nutlb_entries=8\ntlb_entries=64\ntlb_ways=4\nwalk_cache_entries=16\n"
    "walk_cache_ways=4\ntlb_hit=1\n"
    "[walk]\nwalk_cache_hit=1\ncacheable_l1_hit=2\ncacheable_l1_miss=3\npoc=4\n"
    "[cache]\nline=64\nl1d_kib=4\nl1d_ways=2\nl1i_kib=4\nl1i_ways=2\nload_miss=1\n"
    "store_miss=1\nfetch_miss=1\nnoncacheable=1\ndevice=1\nfetch_noncacheable=1\n"
    "[maintenance]\ndc_hit=1\ndc_miss=1\ndc_zva=1\ndc_sw=1\nic_iallu=1\nic_ivau=1\n"
    "tlbi_va=1\ntlbi_va_is=1\ntlbi_all=1\ntlbi_all_is=1\nat=1\n"
    "[barrier]\ndsb=1\ndmb=1\nisb=1\n"
    "[exception]\nentry=1\nreturn=1\n";

/* Parse "[profile]\nname = t\n" + middle + good_tail; return the error (or "" if ok). */
static const char *parse_with(const char *head, const char *tail, char *err, size_t len)
{
	char text[4096];
	snprintf(text, sizeof(text), "%s%s", head, tail);
	struct tm_profile p;
	if (tm_profile_parse(text, strlen(text), &p, err, len) == 0)
		err[0] = 0;
	return err;
}

START_TEST(bad_profiles_are_refused_with_line_and_problem)
{
	char err[160];
	ck_assert_str_eq(parse_with("[profile]\nname = t  # comment\n", good_tail, err, 160), "");
	static const struct {
		const char *head, *tail, *want;
	} cases[] = {
	    {"[profile]\nname = t\nalu = 1\n", good_tail, "line 3: unknown key 'alu' in [profile]"},
	    {"[profile]\nname = t\n[bogus]\n", good_tail, "line 3: unknown section [bogus]"},
	    {"name = t\n", good_tail, "line 1: 'name' before any [section]"},
	    {"[profile]\nname t\n", good_tail, "line 2: expected 'key = value'"},
	    {"[profile]\nname = t\nname = u\n", good_tail, "line 3: [profile] name given twice"},
	    {"[profile]\nname = t\n[barrier]\ndsb = fast\n", good_tail,
	     "line 4: [barrier] dsb: expected cycles"},
	    {"[profile]\nname = t\n[barrier]\ndsb = 1.234\n", good_tail,
	     "line 4: [barrier] dsb: expected cycles"},
	    {"[profile]\nname = t\n[barrier]\ndsb = -3\n", good_tail,
	     "line 4: [barrier] dsb: expected cycles"},
	    {"[profile]\nname = t\n[tlb]\ntlb_ways = 0\n", good_tail,
	     "line 4: [tlb] tlb_ways: expected a whole number"},
	    {"[profile]\nname = t\n[profile\n", good_tail, "line 3: expected '[section]'"},
	    {"[profile]\nname = t\n", "[barrier]\ndsb=1\n", "missing key [instructions] alu"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		parse_with(cases[i].head, cases[i].tail, err, sizeof(err));
		ck_assert_msg(!strncmp(err, cases[i].want, strlen(cases[i].want)),
		              "case %zu: got '%s', want '%s...'", i, err, cases[i].want);
	}
	/* Structure checks: 63 entries cannot be split into 4 ways; a 48-byte line. */
	char text[4096];
	snprintf(text, sizeof(text), "[profile]\nname=t\n%s", good_tail);
	char *at = strstr(text, "tlb_entries=64");
	memcpy(at, "tlb_entries=63", 14);
	struct tm_profile p;
	ck_assert_int_eq(tm_profile_parse(text, strlen(text), &p, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "[tlb] tlb_entries: 63 entries cannot be split into 4 ways");
	memcpy(at, "tlb_entries=64", 14);
	memcpy(strstr(text, "line=64"), "line=48", 7);
	ck_assert_int_eq(tm_profile_parse(text, strlen(text), &p, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "[cache] line: 48 is not a power of two from 16 to 256");
	/* Binary input. */
	char bin[] = "[profile]\nna\0me = t\n";
	ck_assert_int_eq(tm_profile_parse(bin, sizeof(bin) - 1, &p, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "line 2: a NUL byte: not a text profile");
}
END_TEST

/* ---- classifier (Arm ARM C4.1 top-level encoding groups) ---- */

START_TEST(classifier_C4_1_groups)
{
	static const struct {
		uint32_t enc;
		enum tm_class cls;
	} cases[] = {
	    {0x91000400, TM_ALU},     /* add x0, x0, #1 */
	    {0x8b020020, TM_ALU},     /* add x0, x1, x2 */
	    {0x9b027c20, TM_MUL},     /* mul x0, x1, x2 */
	    {0x9b427c20, TM_MUL},     /* smulh x0, x1, x2 */
	    {0x9ac20820, TM_DIV},     /* udiv x0, x1, x2 */
	    {0x1ac20c20, TM_DIV},     /* sdiv w0, w1, w2 */
	    {0x14000000, TM_BRANCH},  /* b . */
	    {0xd65f03c0, TM_BRANCH},  /* ret */
	    {0xd61f0000, TM_BRANCH},  /* br x0 */
	    {0xb4000000, TM_BRANCH},  /* cbz x0, . */
	    {0x54000000, TM_BRANCH},  /* b.eq . */
	    {0xf9400020, TM_LOAD},    /* ldr x0, [x1] */
	    {0xa9400440, TM_LOAD},    /* ldp x0, x1, [x2] */
	    {0x58000000, TM_LOAD},    /* ldr x0, <literal> */
	    {0x39400020, TM_LOAD},    /* ldrb w0, [x1] */
	    {0xc85f7c20, TM_LOAD},    /* ldxr x0, [x1] */
	    {0x3dc00020, TM_LOAD},    /* ldr q0, [x1] */
	    {0xf9000020, TM_STORE},   /* str x0, [x1] */
	    {0xa9000440, TM_STORE},   /* stp x0, x1, [x2] */
	    {0x39000020, TM_STORE},   /* strb w0, [x1] */
	    {0xc8027c20, TM_STORE},   /* stxr w2, x0, [x1] */
	    {0x3d800020, TM_STORE},   /* str q0, [x1] */
	    {0x1e622820, TM_FP},      /* fadd d0, d1, d2 */
	    {0xd51c1000, TM_SYSREG},  /* msr sctlr_el2, x0 */
	    {0xd53c1000, TM_SYSREG},  /* mrs x0, sctlr_el2 */
	    {0xd50343df, TM_SYSREG},  /* msr daifset, #3 */
	    {0xd50c871f, TM_SYS},     /* tlbi alle2 */
	    {0xd50b7a20, TM_SYS},     /* dc cvac, x0 */
	    {0xd5033f9f, TM_BARRIER}, /* dsb sy */
	    {0xd5033fdf, TM_BARRIER}, /* isb */
	    {0xd503201f, TM_HINT},    /* nop */
	    {0xd4000002, TM_EXC},     /* hvc #0 */
	    {0xd69f03e0, TM_EXC},     /* eret */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(tm_classify(cases[i].enc) == cases[i].cls, "0x%08x: %s, want %s",
		              cases[i].enc, tm_class_name(tm_classify(cases[i].enc)),
		              tm_class_name(cases[i].cls));
}
END_TEST

/* ---- sanity of the costs ---- */

/* A warm loop (code in the I-cache, translation in the micro TLB) costs its instructions'
 * class costs and nothing else: about one cycle per instruction or less. */
START_TEST(warm_loop_costs_about_its_instruction_count)
{
	const char *profiles[] = {"cortex-a53", "cortex-a72"};
	for (unsigned k = 0; k < 2; k++) {
		struct rig r;
		rig_init(&r, profiles[k]);
		mmu_on(&r, SCTLR_ON);
		loop_once(&r); /* cold: walks and I-cache misses */
		struct tm_counters a = *tm_counters(r.t);
		for (unsigned i = 0; i < 100; i++)
			loop_once(&r);
		struct tm_counters b = *tm_counters(r.t);
		uint64_t insns = b.insns - a.insns, cyc = (b.centicycles - a.centicycles) / 100;
		ck_assert_uint_eq(insns, 800);
		ck_assert_uint_eq(b.tlb_misses, a.tlb_misses);
		ck_assert_uint_eq(b.utlb_misses, a.utlb_misses);
		ck_assert_uint_eq(b.icache_misses, a.icache_misses);
		ck_assert_msg(cyc >= insns / 4 && cyc <= 2 * insns,
		              "%s: %llu cycles for %llu insns", profiles[k],
		              (unsigned long long)cyc, (unsigned long long)insns);
		/* The cold pass cost more than a warm one. */
		ck_assert_uint_gt(a.tlb_misses, 0);
		rig_fini(&r);
	}
}
END_TEST

/* D8.13: after TLBI ALLE2 completes, no EL2 translation is held: the next fetch and the
 * next load each walk again, where the same accesses hit before it. */
START_TEST(tlbi_alle2_makes_next_accesses_miss_D8_13)
{
	struct rig r;
	rig_init(&r, "cortex-a53");
	mmu_on(&r, SCTLR_ON);
	fetch(&r, CODE, ENC_LDR);
	mem(&r, EV_LOAD, DATA, 0);
	struct tm_counters a = *tm_counters(r.t);
	fetch(&r, CODE, ENC_LDR);
	mem(&r, EV_LOAD, DATA, 0);
	struct tm_counters b = *tm_counters(r.t);
	ck_assert_uint_eq(b.tlb_misses, a.tlb_misses); /* warm: no miss */
	ck_assert_uint_eq(b.utlb_misses, a.utlb_misses);
	/* The maintenance runs from another page: its own fetches walk again too. */
	const uint64_t code2 = CODE + 0x1000;
	fetch(&r, code2, 0xd50c871f); /* tlbi alle2 */
	tlbi(&r, TLBI_ALLE2, 0);
	uint64_t before_dsb = tm_counters(r.t)->tlb_misses;
	fetch(&r, code2 + 4, 0xd5033f9f); /* dsb sy */
	ck_assert_uint_eq(tm_counters(r.t)->tlb_misses, before_dsb + 1);
	simple(&r, EV_DSB);
	fetch(&r, code2 + 8, 0xd5033fdf); /* isb */
	simple(&r, EV_ISB);
	struct tm_counters c = *tm_counters(r.t);
	fetch(&r, CODE, ENC_LDR);
	struct tm_counters d = *tm_counters(r.t);
	ck_assert_uint_eq(d.tlb_misses, c.tlb_misses + 1); /* the fetch walks */
	mem(&r, EV_LOAD, DATA, 0);
	struct tm_counters e = *tm_counters(r.t);
	ck_assert_uint_eq(e.tlb_misses, d.tlb_misses + 1); /* the load walks */
	/* Its upper levels come from the walk cache? No: ALLE2 removed walk entries too; the
	 * fetch's walk refilled the shared upper levels, so the load's walk starts below. */
	ck_assert_uint_gt(e.walk_cache_hits, d.walk_cache_hits);
	/* TLBI VALE2 leaves walk-cache entries: the next walk of that VA hits them. */
	tlbi(&r, TLBI_VALE2, DATA);
	simple(&r, EV_DSB);
	struct tm_counters f = *tm_counters(r.t);
	mem(&r, EV_LOAD, DATA, 0);
	struct tm_counters g = *tm_counters(r.t);
	ck_assert_uint_eq(g.tlb_misses, f.tlb_misses + 1);
	ck_assert_uint_eq(g.walk_reads, f.walk_reads + 1); /* only the leaf level is read */
	rig_fini(&r);
}
END_TEST

/* D8.2.x / DESIGN §3 "Walks": a walk with SCTLR.C=0 is non-cacheable and reads every
 * descriptor at the PoC; with SCTLR.C=1 and IRGN0=WB it looks up the data cache. The same
 * cold load after TLBI ALLE2 costs more in the first case. */
START_TEST(walk_to_poc_costs_more_than_cacheable_walk_D8_2)
{
	uint32_t cost[2];
	uint64_t poc_reads[2];
	for (unsigned cacheable = 0; cacheable < 2; cacheable++) {
		struct rig r;
		rig_init(&r, "cortex-a72");
		mmu_on(&r, cacheable ? SCTLR_ON : SCTLR_ON & ~SCTLR_ELx_C);
		mem(&r, EV_LOAD, DATA, 0);
		tlbi(&r, TLBI_ALLE2, 0);
		simple(&r, EV_DSB);
		simple(&r, EV_ISB);
		struct tm_counters a = *tm_counters(r.t);
		cost[cacheable] = mem(&r, EV_LOAD, DATA + 8, 0);
		poc_reads[cacheable] = tm_counters(r.t)->walk_poc - a.walk_poc;
		rig_fini(&r);
	}
	ck_assert_uint_eq(poc_reads[1], 0);
	ck_assert_uint_eq(poc_reads[0], 3); /* levels 1, 2, 3 (T0SZ = 25) */
	ck_assert_msg(cost[0] > cost[1], "PoC walk %u <= cacheable walk %u", cost[0], cost[1]);
}
END_TEST

/* B2.3.12 / D8.13: a DSB waits for the maintenance it completes. Right after a TLBI the
 * DSB costs more than alone; after enough independent work the TLBI has finished. */
START_TEST(dsb_waits_for_maintenance_in_flight_B2_3_12)
{
	struct rig r;
	rig_init(&r, "cortex-a53");
	mmu_on(&r, SCTLR_ON);
	uint32_t alone = simple(&r, EV_DSB);
	uint32_t lat = tlbi(&r, TLBI_ALLE2IS, 0);
	ck_assert_uint_eq(lat, tm_profile_of(r.t)->tlbi_all_is);
	uint32_t after = simple(&r, EV_DSB);
	ck_assert_uint_eq(after, alone + lat);
	tlbi(&r, TLBI_ALLE2IS, 0);
	for (unsigned i = 0; i < 200; i++)
		fetch(&r, CODE + 4 * (i % 8), ENC_ADD);
	ck_assert_uint_eq(simple(&r, EV_DSB), alone);
	/* DC CVAC of a line in the cache (written just before) vs one never touched. */
	mem(&r, EV_STORE, DATA, 1);
	ck_assert_uint_eq(dc(&r, DC_CVAC, DATA), tm_profile_of(r.t)->dc_hit);
	ck_assert_uint_eq(dc(&r, DC_CVAC, DATA + 0x10000), tm_profile_of(r.t)->dc_miss);
	rig_fini(&r);
}
END_TEST

/* A fixed stream of every event kind, for determinism and verdict tests. */
static void stream(struct rig *r, bool stale)
{
	mmu_on(r, SCTLR_ON);
	for (unsigned i = 0; i < 50; i++) {
		fetch(r, CODE + 4 * (i % 16), i % 3 ? ENC_ADD : ENC_LDR);
		mem(r, i % 2 ? EV_STORE : EV_LOAD, DATA + 64 * (i * 7 % 40), i);
	}
	/* Remap DATA's page: with stale set, no TLBI (a stale-tlb hazard follows). */
	uint64_t root = model_sysreg(r->mt.m, 0, SR_TTBR0_EL2);
	uint64_t dpa = mt_desc_pa(&r->mt, root, DATA, 3);
	struct model_event inv = {.kind = EV_STORE};
	inv.u.mem.va = dpa;
	inv.u.mem.size = 8;
	inv.u.mem.value = 0;
	step(r, &inv);
	simple(r, EV_DSB);
	if (!stale) {
		tlbi(r, TLBI_VAE2, DATA);
		simple(r, EV_DSB);
	}
	inv.u.mem.value = PAGE(DATA + 0x1000, ATTR_WB);
	step(r, &inv);
	simple(r, EV_DSB);
	simple(r, EV_ISB);
	mem(r, EV_LOAD, DATA, 0);
	dc(r, DC_CIVAC, DATA);
	struct model_event ic = {.kind = EV_IC};
	ic.u.ic.op = IC_IALLU;
	step(r, &ic);
	simple(r, EV_DSB);
	simple(r, EV_ISB);
	struct model_event exc = {.kind = EV_EXC_ENTRY};
	exc.u.exc.from_el = exc.u.exc.to_el = 2;
	exc.u.exc.requested = true;
	step(r, &exc);
	fetch(r, CODE + 0x200, ENC_ADD);
	struct model_event eret = {.kind = EV_ERET};
	eret.u.eret.from_el = eret.u.eret.to_el = 2;
	eret.u.eret.target = CODE;
	step(r, &eret);
	fetch(r, CODE, ENC_ADD);
}

START_TEST(timing_is_deterministic)
{
	struct tm_counters n[2];
	for (unsigned k = 0; k < 2; k++) {
		struct rig r;
		rig_init(&r, "cortex-a72");
		stream(&r, false);
		n[k] = *tm_counters(r.t);
		rig_fini(&r);
	}
	ck_assert_int_eq(memcmp(&n[0], &n[1], sizeof(n[0])), 0);
	ck_assert_uint_gt(n[0].centicycles, 0);
	ck_assert_uint_eq(n[0].exc, 1);
	ck_assert_uint_eq(n[0].eret, 1);
	ck_assert_uint_eq(n[0].ic, 1);
}
END_TEST

/* The cost model reads the checker and never writes it: the hazards a stream produces are
 * the same with and without it (here the stale-tlb of a remap without TLBI, D8.13). */
START_TEST(timing_never_changes_a_verdict_D8_13)
{
	unsigned with[HZ_CLASS_COUNT], without[HZ_CLASS_COUNT];
	struct rig r;
	rig_init(&r, "cortex-a53");
	stream(&r, true);
	memcpy(with, r.mt.count, sizeof(with));
	rig_fini(&r);
	/* The same stream with the cost model left out. */
	struct rig q;
	rig_init(&q, "cortex-a53");
	tm_free(q.t);
	q.t = NULL;
	stream(&q, true);
	memcpy(without, q.mt.count, sizeof(without));
	rig_fini(&q);
	ck_assert_uint_gt(with[HZ_STALE_TLB], 0);
	ck_assert_int_eq(memcmp(with, without, sizeof(with)), 0);
}
END_TEST

static Suite *timing_suite(void)
{
	Suite *s = suite_create("timing");
	TCase *tc = tcase_create("timing");
	tcase_add_test(tc, shipped_profiles_parse);
	tcase_add_test(tc, bad_profiles_are_refused_with_line_and_problem);
	tcase_add_test(tc, classifier_C4_1_groups);
	tcase_add_test(tc, warm_loop_costs_about_its_instruction_count);
	tcase_add_test(tc, tlbi_alle2_makes_next_accesses_miss_D8_13);
	tcase_add_test(tc, walk_to_poc_costs_more_than_cacheable_walk_D8_2);
	tcase_add_test(tc, dsb_waits_for_maintenance_in_flight_B2_3_12);
	tcase_add_test(tc, timing_is_deterministic);
	tcase_add_test(tc, timing_never_changes_a_verdict_D8_13);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(timing_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
