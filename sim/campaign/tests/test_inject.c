/*
 * test_inject.c - hypsim's fault-injection specs (sim/campaign/inject.c): the grammar of
 * docs/scenarios.md, the one-line errors for bad specs, and the instruction classes a
 * dynamic occurrence counts (encodings from aarch64-linux-gnu-as, as in the comments:
 * C5.3 TLBI/DC/IC, C6.2 DSB/DMB/ISB and their option field, C5.2 MSR).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "campaign/inject.h"
#include "engine/sim.h"

static struct inj_spec parse_ok(const char *text)
{
	struct inj_spec o;
	char err[256] = "";
	ck_assert_msg(inj_parse(text, &o, err, sizeof(err)) == 0, "%s: %s", text, err);
	return o;
}

START_TEST(test_spec_grammar)
{
	struct inj_spec o = parse_ok("drop=dsb#3");
	ck_assert_int_eq(o.kind, INJ_DROP);
	ck_assert_int_eq(o.cls, INJ_CLS_DSB);
	ck_assert_uint_eq(o.nth, 3);

	o = parse_ok("drop@__kvm_hyp_init_switch+0xc");
	ck_assert_int_eq(o.cls, INJ_CLS_NONE);
	ck_assert_str_eq(o.sym, "__kvm_hyp_init_switch");
	ck_assert_uint_eq(o.sym_off, 0xc);
	ck_assert_uint_eq(o.nth, 0); /* every execution */

	o = parse_ok("drop@0x40104828#2");
	ck_assert_str_eq(o.sym, "");
	ck_assert_uint_eq(o.addr, 0x40104828);
	ck_assert_uint_eq(o.nth, 2);

	/* C6.2: DSB option NSH is CRm 0b0111, NSHLD 0b0101. */
	o = parse_ok("weaken@kvm_bounce_page+0x82c:nsh");
	ck_assert_int_eq(o.kind, INJ_WEAKEN);
	ck_assert_uint_eq(o.option, 7);
	o = parse_ok("weaken=dsb#14:nshld");
	ck_assert_uint_eq(o.option, 5);
	ck_assert_uint_eq(o.nth, 14);

	o = parse_ok("flip@0x40113008:0#15000");
	ck_assert_int_eq(o.kind, INJ_FLIP);
	ck_assert_uint_eq(o.pa, 0x40113008);
	ck_assert_uint_eq(o.bit, 0);
	ck_assert_uint_eq(o.nth, 15000);

	o = parse_ok("tlb=accessed");
	ck_assert_int_eq(o.kind, INJ_TLB);
	ck_assert(o.tlb_accessed);

	o = parse_ok("writeback=never");
	ck_assert_int_eq(o.kind, INJ_WRITEBACK);
	ck_assert_int_eq(o.wb, WB_NEVER);
	o = parse_ok("writeback=random:1234");
	ck_assert_int_eq(o.wb, WB_RANDOM);
	ck_assert_uint_eq(o.wb_seed, 1234);
	o = parse_ok("writeback=any");
	ck_assert_int_eq(o.wb, WB_ANY);
	/* the options a spec sets, the last one winning */
	struct sim_options opt = {0};
	inject_options(&(struct inj_spec){.kind = INJ_WRITEBACK, .wb = WB_RANDOM, .wb_seed = 9},
	               &opt);
	inject_options(&(struct inj_spec){.kind = INJ_TLB, .tlb_accessed = true}, &opt);
	ck_assert_int_eq(opt.wb_policy, WB_RANDOM);
	ck_assert_uint_eq(opt.wb_seed, 9);
	ck_assert(opt.tlb_accessed);
}
END_TEST

START_TEST(test_bad_specs_one_line)
{
	static const struct {
		const char *spec, *words;
	} cases[] = {
	    {"bogus", "unknown injection"},
	    {"drop=foo#1", "unknown class"},
	    {"drop=dsb#0", "N >= 1"},
	    {"drop=dsb", "expected CLASS#N"},
	    {"drop@", "missing SYMBOL"},
	    {"drop@sym+zz", "bad offset"},
	    {"drop@sym+0x2", "multiple of 4"},
	    {"drop@0x1002", "4-byte aligned"},
	    {"weaken=isb#1:nsh", "only a dsb or dmb"},
	    {"weaken=dsb#1", ":OPTION"},
	    {"weaken=dsb#1:nshh", ":OPTION"},
	    {"flip@0x1000:3", "flip@PA:BIT#N"},
	    {"flip@0x1004:3#1", "8-byte aligned"},
	    {"flip@0x1000:64#1", "0..63"},
	    {"flip@0x1000:1#0", "N >= 1"},
	    {"tlb=maybe", "tlb=speculative"},
	    {"writeback=sometimes", "writeback=never"},
	    {"writeback=random:", "random:SEED"},
	    {"writeback=random:xyz", "random:SEED"},
	    {"writeback=", "writeback=any"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct inj_spec o;
		char err[256] = "";
		ck_assert_msg(inj_parse(cases[i].spec, &o, err, sizeof(err)) == -1, "%s",
		              cases[i].spec);
		ck_assert_msg(strstr(err, cases[i].words) && strstr(err, cases[i].spec) &&
		                  !strchr(err, '\n'),
		              "%s: '%s' lacks '%s'", cases[i].spec, err, cases[i].words);
	}
}
END_TEST

/* The classes a dynamic occurrence counts (inject.h): C5.3, C6.2, C5.2 encodings. */
START_TEST(test_c5_c6_classes)
{
	static const struct {
		uint32_t enc;
		enum inj_class cls;
	} cases[] = {
	    {0xd50c871f, INJ_CLS_TLBI}, /* tlbi alle2 */
	    {0xd50c83ac, INJ_CLS_TLBI}, /* tlbi vale2is, x12 */
	    {0xd50b7a2a, INJ_CLS_DC},   /* dc cvac, x10 */
	    {0xd50b7420, INJ_CLS_DC},   /* dc zva, x0 */
	    {0xd5087620, INJ_CLS_DC},   /* dc ivac, x0 */
	    {0xd508751f, INJ_CLS_IC},   /* ic iallu */
	    {0xd50b7520, INJ_CLS_IC},   /* ic ivau, x0 */
	    {0xd5033b9f, INJ_CLS_DSB},  /* dsb ish */
	    {0xd503379f, INJ_CLS_DSB},  /* dsb nsh */
	    {0xd5033bbf, INJ_CLS_DMB},  /* dmb ish */
	    {0xd5033fdf, INJ_CLS_ISB},  /* isb */
	    {0xd51c2000, INJ_CLS_MSR},  /* msr ttbr0_el2, x0 */
	    {0xd53c1000, INJ_CLS_NONE}, /* mrs x0, sctlr_el2 */
	    {0xd50c7800, INJ_CLS_NONE}, /* at s1e2r, x0 */
	    {0xd503309f, INJ_CLS_NONE}, /* ssbb: a DSB encoding that orders nothing modelled */
	    {0xd503201f, INJ_CLS_NONE}, /* nop */
	    {0xf9400020, INJ_CLS_NONE}, /* ldr x0, [x1] */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(inj_classify(cases[i].enc) == cases[i].cls, "0x%08x: %s, not %s",
		              cases[i].enc, inj_class_name(inj_classify(cases[i].enc)),
		              inj_class_name(cases[i].cls));
	ck_assert_int_eq(inj_class_from_name("isb", 3), INJ_CLS_ISB);
	ck_assert_int_eq(inj_class_from_name("isbx", 4), INJ_CLS_COUNT);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("inject");
	TCase *tc = tcase_create("inject");
	tcase_add_test(tc, test_spec_grammar);
	tcase_add_test(tc, test_bad_specs_one_line);
	tcase_add_test(tc, test_c5_c6_classes);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
