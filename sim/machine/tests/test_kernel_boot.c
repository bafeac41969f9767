/*
 * test_kernel_boot.c - System.map parsing for `sim run --kernel --symbols` (kernel_boot.h):
 * nm's "ADDR TYPE NAME" lines, symbols moved from their link VAs to the Image's load PA,
 * those outside the Image dropped, malformed lines refused with their line number.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "machine/image.h"
#include "machine/kernel_boot.h"

static const char map[] = "0000000000000000 A _kernel_size_le_hi32\n"
                          "ffff800008000000 T _text\n"
                          "ffff800008010000 T __do_softirq\n"
                          "ffff800008010000 t __irqentry_text_start\n"
                          "ffff800008cee000 T __hyp_stub_vectors\n"
                          "ffff80000a00f000 B __bss_tail\n"
                          "ffff80000a010000 B _end\n"
                          "ffffffffffffffff B The_real_one_elsewhere\n";

START_TEST(test_moved_to_load_pa)
{
	struct image img = {0};
	char err[IMG_ERR_LEN];
	uint64_t text = 0;
	int rc = kboot_parse_system_map(map, strlen(map), 0x40200000, 0x2010000, &img, &text, err);
	ck_assert_msg(rc == 0, "%s", err);
	ck_assert_uint_eq(text, 0xffff800008000000);
	/* _text, the two at +0x10000, the stub vectors, __bss_tail: A, _end (one past the
	 * image) and the placeholder are dropped. */
	ck_assert_uint_eq(img.nsyms, 5);
	ck_assert_uint_eq(img.syms[0].addr, 0x40200000);
	ck_assert_str_eq(img.syms[0].name, "_text");
	/* A function sorts after a label at the same address: it names the PC. */
	ck_assert_uint_eq(img.syms[2].addr, 0x40210000);
	ck_assert_str_eq(img.syms[2].name, "__do_softirq");
	ck_assert_uint_eq(img.syms[3].addr, 0x40eee000);
	ck_assert_str_eq(img.syms[4].name, "__bss_tail");
	img.segs = calloc(1, sizeof(*img.segs));
	img.segs[0] = (struct img_segment){.paddr = 0x40200000, .memsz = 0x2010000};
	img.nsegs = 1;
	char buf[64];
	ck_assert_str_eq(img_symbolize(&img, 0x40eee400, buf, sizeof(buf)),
	                 "__hyp_stub_vectors+0x400");
	img_free(&img);
}
END_TEST

START_TEST(test_malformed)
{
	struct image img = {0};
	char err[IMG_ERR_LEN];
	uint64_t text;
	const char *bad[] = {
	    "ffff800008000000 T _text\nhello world\n",
	    "ffff800008000000 T _text\nffff80000800000 T short\n",
	    "ffff800008000000 T _text\nffff800008000000 T two names\n",
	    "ffff800008000000 TT _text\n",
	};
	const char *line[] = {"line 2:", "line 2:", "line 2:", "line 1:"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(kboot_parse_system_map(bad[i], strlen(bad[i]), 0x40000000, 0x1000,
		                                        &img, &text, err),
		                 -1);
		ck_assert_msg(!strncmp(err, line[i], strlen(line[i])), "%zu: %s", i, err);
		img_free(&img);
	}
	const char *notext = "ffff800008000040 T start\n";
	ck_assert_int_eq(
	    kboot_parse_system_map(notext, strlen(notext), 0x40000000, 0x1000, &img, &text, err),
	    -1);
	ck_assert(strstr(err, "no _text symbol"));
	img_free(&img);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("kernel_boot");
	TCase *tc = tcase_create("system_map");
	tcase_add_test(tc, test_moved_to_load_pa);
	tcase_add_test(tc, test_malformed);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
