/*
 * test_msg.c - msg_quote: input text echoed into a one-line message can neither start a
 * line of its own nor reach the terminal as an escape sequence (issue #15, defect 3).
 */
#include <check.h>
#include <string.h>

#include "msg.h"

START_TEST(test_clean_text_is_echoed_as_is)
{
	char buf[64];
	const char *s = "firmware/hello/hello.elf drop@__kvm_hyp_init+0x8#2 \xc3\xa9t\xc3\xa9";
	ck_assert_ptr_eq(msg_quote(s, buf, sizeof(buf)), s);
	ck_assert_str_eq(msg_quote(NULL, buf, sizeof(buf)), "(null)");
}
END_TEST

START_TEST(test_newline_cannot_forge_a_line)
{
	char buf[128];
	const char *q = msg_quote("x\nsim: scenario s.json: expectation holds", buf, sizeof(buf));
	ck_assert_str_eq(q, "x\\nsim: scenario s.json: expectation holds");
	ck_assert_str_eq(msg_quote("a\r\tb", buf, sizeof(buf)), "a\\r\\tb");
}
END_TEST

START_TEST(test_escape_sequences_are_shown_not_sent)
{
	char buf[64];
	/* ESC [ 2 J (clear screen), DEL, a C1 CSI (U+009B) and a stray byte of bad UTF-8. */
	ck_assert_str_eq(msg_quote("\x1b[2J\x7f", buf, sizeof(buf)), "\\x1b[2J\\x7f");
	ck_assert_str_eq(msg_quote("\xc2\x9b"
	                           "1m",
	                           buf, sizeof(buf)),
	                 "\\xc2\\x9b1m");
	ck_assert_str_eq(msg_quote("a\xff"
	                           "b",
	                           buf, sizeof(buf)),
	                 "a\\xffb");
	ck_assert_str_eq(msg_quote("\xed\xa0\x80", buf, sizeof(buf)), "\\xed\\xa0\\x80");
	ck_assert_str_eq(msg_quote("\xe2\x82", buf, sizeof(buf)), "\\xe2\\x82"); /* cut short */
}
END_TEST

START_TEST(test_long_text_is_cut_with_dots)
{
	char buf[12];
	const char *q = msg_quote("\n0123456789abcdef", buf, sizeof(buf));
	ck_assert_uint_le(strlen(q), sizeof(buf) - 1);
	ck_assert_str_eq(q + strlen(q) - 3, "...");
	ck_assert_int_eq(strncmp(q, "\\n", 2), 0);
	/* An escape is never cut in half. */
	char small[8];
	ck_assert_str_eq(msg_quote("ab\x01\x02\x03", small, sizeof(small)), "ab...");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("msg");
	TCase *tc = tcase_create("quote");
	tcase_add_test(tc, test_clean_text_is_echoed_as_is);
	tcase_add_test(tc, test_newline_cannot_forge_a_line);
	tcase_add_test(tc, test_escape_sequences_are_shown_not_sent);
	tcase_add_test(tc, test_long_text_is_cut_with_dots);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
