/*
 * test_report.c - folding and printing of hypsim's hazard reports (sim/check/report.c): reports
 * of one cause (equal fold_key) become one with a count, in first-seen order; the text and
 * JSON forms carry every field DESIGN §3 requires (class, CPU, PC symbol and disassembly,
 * VA, each outcome with its cause, the Arm ARM rule).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check/report.h"

static struct hazard stale(uint64_t key, uint64_t pc)
{
	struct hazard hz;
	memset(&hz, 0, sizeof(hz));
	hz.cls = HZ_STALE_TLB;
	hz.pc = pc;
	hz.ev = EV_LOAD;
	hz.has_va = true;
	hz.va = 0x40108000;
	hz.acc = ACC_READ;
	hz.n_outcomes = 2;
	snprintf(hz.outcomes[0].text, sizeof(hz.outcomes[0].text), "PA 0x40109000 (coherent)");
	hz.outcomes[0].has_pa = true;
	hz.outcomes[0].pa = 0x40109000;
	hz.outcomes[0].cause.seq = 30;
	snprintf(hz.outcomes[1].text, sizeof(hz.outcomes[1].text), "PA 0x40108000 (stale)");
	hz.outcomes[1].has_pa = true;
	hz.outcomes[1].pa = 0x40108000;
	hz.outcomes[1].cause.seq = 12;
	snprintf(hz.outcomes[1].cause.what, sizeof(hz.outcomes[1].cause.what), "TLB entry made");
	hz.rule = "Arm ARM D8.13";
	hz.fold_key = key;
	return hz;
}

static struct rep_annot annot(void)
{
	struct rep_annot an;
	memset(&an, 0, sizeof(an));
	an.pc = (struct rep_site){.known = true, .va = 0x40103820, .pa = 0x40104820, .el = 2};
	snprintf(an.pc.sym, sizeof(an.pc.sym), "__hyp_read_answer+0x0");
	snprintf(an.pc.text, sizeof(an.pc.text), "ldr x10, [x9]");
	an.cause[1] = (struct rep_site){.known = true, .va = 0x40108460, .pa = 0x40108460};
	snprintf(an.cause[1].sym, sizeof(an.cause[1].sym), "kvm_bounce_page+0x460");
	snprintf(an.cause[1].text, sizeof(an.cause[1].text), "msr sctlr_el2, x5");
	return an;
}

/* "Duplicate reports of the same cause are folded into one with a count" (issue #5). */
START_TEST(test_fold_by_key_in_first_seen_order)
{
	struct report *r = report_new();
	struct rep_annot an = annot();
	bool is_new;
	struct hazard a = stale(7, 0x100), b = stale(9, 0x200);
	ck_assert_ptr_nonnull(report_add(r, &a, &an, &is_new));
	ck_assert(is_new);
	ck_assert_ptr_nonnull(report_add(r, &b, &an, &is_new));
	ck_assert(is_new);
	for (int i = 0; i < 1000; i++) {
		struct hazard again = stale(7, 0x100 + 4 * (uint64_t)i);
		const struct rep_entry *e = report_add(r, &again, &an, &is_new);
		ck_assert(!is_new);
		ck_assert_uint_eq(e->count, (uint64_t)i + 2);
	}
	ck_assert_uint_eq(report_count(r), 2);
	ck_assert_uint_eq(report_entry(r, 0)->hz.fold_key, 7);
	ck_assert_uint_eq(report_entry(r, 0)->count, 1001);
	ck_assert_uint_eq(report_entry(r, 0)->hz.pc, 0x100); /* the first one is kept */
	ck_assert_uint_eq(report_entry(r, 1)->count, 1);
	/* Many distinct causes: the fold table grows and keeps every count. */
	for (uint64_t k = 100; k < 300; k++) {
		struct hazard h = stale(k, k);
		report_add(r, &h, &an, &is_new);
		report_add(r, &h, &an, &is_new);
	}
	ck_assert_uint_eq(report_count(r), 202);
	ck_assert_uint_eq(report_entry(r, 201)->count, 2);
	struct hazard hang = stale(5000, 0x300);
	hang.cls = HZ_GUEST_HANG;
	report_add(r, &hang, &an, &is_new);
	ck_assert_uint_eq(report_count_except(r, HZ_GUEST_HANG), 202);
	report_free(r);
}
END_TEST

/* DESIGN §3: class, CPU, PC symbol + disassembly, VA, outcomes with causes, rule, count. */
START_TEST(test_text_report_fields)
{
	struct report *r = report_new();
	struct rep_annot an = annot();
	bool is_new;
	struct hazard a = stale(7, 0x40103820);
	report_add(r, &a, &an, &is_new);
	report_add(r, &a, &an, &is_new);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	report_print_text(report_entry(r, 0), f);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf,
	                             "hazard stale-tlb on cpu0 at EL2, 0x40103820 "
	                             "__hyp_read_answer+0x0 (PA 0x40104820): ldr x10, [x9]\n"));
	ck_assert_ptr_nonnull(strstr(buf, "load of VA 0x40108000 has 2 possible outcomes:"));
	ck_assert_ptr_nonnull(strstr(buf, "- PA 0x40108000 (stale) (cause: TLB entry made by "
	                                  "`msr sctlr_el2, x5` at 0x40108460 "
	                                  "kvm_bounce_page+0x460 (event #12))"));
	ck_assert_ptr_nonnull(strstr(buf, "rule: Arm ARM D8.13\n"));
	ck_assert_ptr_nonnull(strstr(buf, "[folded: 1 more report of the same cause]"));
	free(buf);
	report_free(r);
}
END_TEST

START_TEST(test_json_report_fields)
{
	struct report *r = report_new();
	struct rep_annot an = annot();
	bool is_new;
	struct hazard a = stale(7, 0x40103820);
	const struct rep_entry *e = report_add(r, &a, &an, &is_new);
	json_t *o = report_json(e);
	ck_assert_str_eq(json_string_value(json_object_get(o, "class")), "stale-tlb");
	ck_assert_str_eq(json_string_value(json_object_get(o, "sym")), "__hyp_read_answer+0x0");
	ck_assert_str_eq(json_string_value(json_object_get(o, "pc_pa")), "0x40104820");
	ck_assert_str_eq(json_string_value(json_object_get(o, "va")), "0x40108000");
	ck_assert_str_eq(json_string_value(json_object_get(o, "event")), "load");
	json_t *outs = json_object_get(o, "outcomes");
	ck_assert_uint_eq(json_array_size(outs), 2);
	json_t *c1 = json_object_get(json_array_get(outs, 1), "cause");
	ck_assert_int_eq(json_integer_value(json_object_get(c1, "seq")), 12);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(c1, "site"), "sym")),
	                 "kvm_bounce_page+0x460");
	ck_assert_str_eq(json_string_value(json_object_get(o, "rule")), "Arm ARM D8.13");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "count")), 1);
	json_decref(o);
	report_free(r);
}
END_TEST

/* A report whose outcome the write-back policy decided says so, in words and in JSON; one
 * that lists the architecture's outcomes has no decided_by. */
START_TEST(test_decided_by_policy)
{
	struct report *r = report_new();
	struct rep_annot an = annot();
	bool is_new;
	struct hazard a = stale(7, 0x40103820);
	a.cls = HZ_DATA_NOT_AT_POC;
	snprintf(a.decided_by, sizeof(a.decided_by), "writeback=never");
	struct hazard lw = a;
	lw.cls = HZ_LOST_WRITE;
	lw.n_outcomes = 1;
	lw.fold_key = 8;
	lw.seq = 44;
	struct hazard plain = stale(9, 0x40103820);
	report_add(r, &a, &an, &is_new);
	report_add(r, &lw, &an, &is_new);
	report_add(r, &plain, &an, &is_new);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	for (int i = 0; i < 3; i++)
		report_print_text(report_entry(r, (size_t)i), f);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "load of VA 0x40108000 has one outcome under "
	                                  "writeback=never, the second (the run continues with "
	                                  "the first):"));
	ck_assert_ptr_nonnull(strstr(buf, "(event #44, decided by writeback=never):"));
	ck_assert_ptr_nonnull(strstr(buf, "load of VA 0x40108000 has 2 possible outcomes:"));
	free(buf);
	for (int i = 0; i < 3; i++) {
		json_t *o = report_json(report_entry(r, (size_t)i));
		const char *by = json_string_value(json_object_get(o, "decided_by"));
		if (i < 2)
			ck_assert_str_eq(by, "writeback=never");
		else
			ck_assert_ptr_null(json_object_get(o, "decided_by"));
		json_decref(o);
	}
	report_free(r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("report");
	tcase_add_test(tc, test_fold_by_key_in_first_seen_order);
	tcase_add_test(tc, test_text_report_fields);
	tcase_add_test(tc, test_json_report_fields);
	tcase_add_test(tc, test_decided_by_policy);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
