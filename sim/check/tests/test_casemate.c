/*
 * test_casemate.c - the reader of Casemate's trace format (sim/check/casemate.c,
 * docs/casemate.md): numbers as Casemate's C checker reads them (hex without 0x, decimal
 * ids), the positional form equal to the keyword form, records over several lines, verdict
 * lines attributed to the record before them, and the first error named by its line.
 */
#include <check.h>
#include <string.h>

#include "check/casemate_read.h"

static int parse(const char *s, struct cm_trace *t, char *err)
{
	return cm_parse(s, strlen(s), t, err, 200);
}

/* Casemate's newer logs print "(size 1000)" for a page and "(value dead001)". */
START_TEST(hex_without_0x_and_decimal_ids)
{
	struct cm_trace t;
	char err[200];
	ck_assert_int_eq(parse("(mem-init (id 10) (tid 3) (address 23f000) (size 1000))\n"
	                       "(mem-write (id 11) (thread 3) (mem-order release) (address "
	                       "0x240000) (value dead001) (src \"a.c:1\"))\n",
	                       &t, err),
	                 0);
	ck_assert_uint_eq(t.n, 2);
	ck_assert_int_eq(t.rec[0].kind, CM_MEM_INIT);
	ck_assert_uint_eq(t.rec[0].id, 10);
	ck_assert_uint_eq(t.rec[0].tid, 3);
	ck_assert_uint_eq(t.rec[0].addr, 0x23f000);
	ck_assert_uint_eq(t.rec[0].size, 0x1000);
	ck_assert_int_eq(t.rec[1].kind, CM_MEM_WRITE);
	ck_assert(t.rec[1].release);
	ck_assert_uint_eq(t.rec[1].tid, 3);
	ck_assert_uint_eq(t.rec[1].value, 0xdead001);
	cm_trace_free(&t);
}
END_TEST

START_TEST(positional_equals_keyword_form)
{
	struct cm_trace a, b;
	char err[200];
	ck_assert_int_eq(parse("(tlbi (id 4) (tid 0) vae2is (value 0x300000000000) (src \"x:9\"))\n"
	                       "(barrier (id 5) (tid 0) dsb (kind ishst))\n"
	                       "(sysreg-write (id 6) (tid 0) (sysreg vttbr_el2) (value 0x1000))\n",
	                       &a, err),
	                 0);
	ck_assert_int_eq(parse("(tlbi 4 0 vae2is 300000000000 \"x:9\")\n(barrier 5 0 dsb ishst)\n"
	                       "(sysreg-write 6 0 vttbr_el2 1000)\n",
	                       &b, err),
	                 0);
	ck_assert_uint_eq(a.n, 3);
	ck_assert_uint_eq(b.n, 3);
	/* Line numbers differ: compare the rest. */
	for (size_t i = 0; i < 3; i++) {
		const struct cm_record *x = &a.rec[i], *y = &b.rec[i];
		ck_assert(x->kind == y->kind && x->id == y->id && x->tid == y->tid &&
		          x->addr == y->addr && x->value == y->value && x->size == y->size &&
		          x->release == y->release && x->has_value == y->has_value &&
		          x->dom == y->dom && x->btype == y->btype && x->tlbi == y->tlbi &&
		          x->reg == y->reg && x->hint == y->hint);
	}
	ck_assert_uint_eq(a.rec[0].value, 0x300000000000);
	ck_assert_int_eq(a.rec[0].tlbi, TLBI_VAE2IS);
	ck_assert(a.rec[0].has_value);
	ck_assert_int_eq(a.rec[1].dom, DOM_ISH);
	ck_assert_int_eq(a.rec[1].btype, BAR_ST);
	ck_assert_int_eq(a.rec[2].reg, CM_VTTBR_EL2);
	cm_trace_free(&a);
	cm_trace_free(&b);
}
END_TEST

START_TEST(verdicts_follow_their_record)
{
	struct cm_trace t;
	char err[200];
	ck_assert_int_eq(parse("!  before anything \n(barrier\n (id 0)\n (tid 0)\n isb)\n"
	                       "! BBM valid->valid\n",
	                       &t, err),
	                 0);
	ck_assert_uint_eq(t.nver, 2);
	ck_assert_uint_eq(t.ver[0].after, 0);
	ck_assert_str_eq(t.ver[0].text, "before anything");
	ck_assert_uint_eq(t.rec[0].line, 2);
	ck_assert_uint_eq(t.ver[1].after, 1);
	ck_assert_uint_eq(t.ver[1].line, 6);
	const char *why;
	ck_assert(cm_verdict_judged(t.ver[1].text, &why));
	ck_assert(!cm_verdict_judged("double-use pte", &why));
	ck_assert(!cm_verdict_judged("something new", &why));
	cm_trace_free(&t);
}
END_TEST

/* The first problem, by the line of the token at fault, in records over several lines. */
START_TEST(errors_name_their_line)
{
	static const struct {
		const char *text;
		const char *err;
	} cases[] = {
	    {"(barrier (id 0) (tid 0) isb)\n\n(mem-write\n (id 1)\n (tid 0)\n (mem-order plain)\n"
	     " (address 0x8)\n (value 0xg))\n",
	     "8: expected a hexadecimal number, got \"0xg\""},
	    {"(mem-write (id 1) (tid 0) (mem-order acquire) (address 0) (value 0))",
	     "1: mem-write record: unknown mem-order \"acquire\""},
	    {"(hint (id 1) (tid 0) (kind set_root_lock) (location 0))",
	     "1: hint record without its (value ...) field"},
	    {"(lock (id 1) (tid 0) (addr 0))", "1: lock record: expected (address VALUE), got (addr ...)"},
	    {"(tlbi (id 1) (tid 0) alle2is (value 0))",
	     "1: tlbi record: unexpected field after its last one"},
	    {"(isb (id 1) (tid 0))", "1: unknown record kind \"isb\""},
	    {"()", "1: empty record ()"},
	    {"(barrier () (tid 0) isb)", "1: empty field ()"},
	    {"(mem-init (id 18446744073709551616) (tid 0) (address 0) (size 0))",
	     "1: number 18446744073709551616 does not fit in 64 bits"},
	    {"\n\n  )", "3: expected a record \"(...)\" or a verdict \"! ...\", got ')'"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cm_trace t;
		char err[200] = "";
		ck_assert_msg(parse(cases[i].text, &t, err) == -1, "case %zu parsed", i);
		ck_assert_str_eq(err, cases[i].err);
		cm_trace_free(&t);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("casemate");
	TCase *tc = tcase_create("reader");
	tcase_add_test(tc, hex_without_0x_and_decimal_ids);
	tcase_add_test(tc, positional_equals_keyword_form);
	tcase_add_test(tc, verdicts_follow_their_record);
	tcase_add_test(tc, errors_name_their_line);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
