/*
 * test_trace.c - the first line of every hypsim trace (DESIGN §4): schema version, tool,
 * firmware path/sha256/build-id and options, parsed back with jansson; an `insn` line from
 * the decode cache; and the decode cache and effective addresses of disasm.c.
 */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unicorn/unicorn.h>
#include <unistd.h>

#include "disasm.h"
#include "sha256.h"
#include "trace.h"

static json_t *line(FILE *f)
{
	char buf[4096];
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	json_error_t err;
	json_t *j = json_loads(buf, 0, &err);
	ck_assert_msg(j != NULL, "not JSON: %s (%s)", buf, err.text);
	return j;
}

START_TEST(test_header_fields)
{
	char path[] = "/tmp/hypsim-trace-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	char err[128];
	struct trace *t = trace_open(path, err, sizeof(err));
	ck_assert_ptr_nonnull(t);
	char *argv[] = {"sim", "run", "fw.elf", "--trace", path};
	struct trace_header_info h = {
	    .firmware_path = "fw.elf",
	    .sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	    .build_id = "0123456789abcdef0123456789abcdef01234567",
	    .entry = 0x40101000,
	    .ram_size = 256 << 20,
	    .max_insns = 1000,
	    .argc = 5,
	    .argv = argv,
	};
	trace_header(t, &h);
	struct disasm *d = disasm_new();
	ck_assert_ptr_nonnull(d);
	/* d51c1000  msr sctlr_el2, x0 */
	trace_insn(t, 0, 0x40101000, 2, disasm_get(d, 0x40101000, 0xd51c1000, NULL, NULL));
	ck_assert_int_eq(trace_close(t, err, sizeof(err)), 0);
	disasm_free(d);

	FILE *f = fopen(path, "r");
	json_t *hj = line(f);
	ck_assert_str_eq(json_string_value(json_object_get(hj, "type")), "header");
	ck_assert_int_eq(json_integer_value(json_object_get(hj, "schema")), TRACE_SCHEMA);
	ck_assert_str_eq(json_string_value(json_object_get(hj, "tool")), "hypsim");
	json_t *fw = json_object_get(hj, "firmware");
	ck_assert_str_eq(json_string_value(json_object_get(fw, "path")), "fw.elf");
	ck_assert_str_eq(json_string_value(json_object_get(fw, "sha256")), h.sha256);
	ck_assert_str_eq(json_string_value(json_object_get(fw, "build_id")), h.build_id);
	ck_assert_str_eq(json_string_value(json_object_get(fw, "entry")), "0x40101000");
	json_t *opt = json_object_get(hj, "options");
	ck_assert_str_eq(json_string_value(json_object_get(opt, "ram")), "0x10000000");
	ck_assert_int_eq(json_integer_value(json_object_get(opt, "max_insns")), 1000);
	ck_assert(json_is_null(json_object_get(opt, "uart")));
	ck_assert_int_eq(json_array_size(json_object_get(opt, "argv")), 5);
	json_decref(hj);

	json_t *ij = line(f);
	ck_assert_str_eq(json_string_value(json_object_get(ij, "type")), "insn");
	ck_assert_int_eq(json_integer_value(json_object_get(ij, "seq")), 1);
	ck_assert_str_eq(json_string_value(json_object_get(ij, "pc")), "0x40101000");
	ck_assert_int_eq(json_integer_value(json_object_get(ij, "el")), 2);
	ck_assert_str_eq(json_string_value(json_object_get(ij, "enc")), "0xd51c1000");
	ck_assert_str_eq(json_string_value(json_object_get(ij, "asm")), "msr sctlr_el2, x0");
	json_decref(ij);
	fclose(f);
	unlink(path);
}
END_TEST

/* FIPS 180-4 test vectors. */
START_TEST(test_sha256_vectors)
{
	char hex[65];
	sha256_hex("", 0, hex);
	ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_hex("abc", 3, hex);
	ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	sha256_hex(m, strlen(m), hex);
	ck_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}
END_TEST

START_TEST(test_decode_cache_decodes_once)
{
	struct disasm *d = disasm_new();
	/* d503201f  nop */
	const struct dis_insn *a = disasm_get(d, 0x40100000, 0xd503201f, NULL, NULL);
	ck_assert_str_eq(a->text, "nop");
	for (int i = 0; i < 100; i++)
		disasm_get(d, 0x40100000, 0xd503201f, NULL, NULL);
	ck_assert_uint_eq(disasm_decodes(d), 1);
	/* Same address, new encoding (code rewritten or remapped): decoded again. */
	/* d69f03e0  eret */
	ck_assert_str_eq(disasm_get(d, 0x40100000, 0xd69f03e0, NULL, NULL)->text, "eret");
	ck_assert_uint_eq(disasm_decodes(d), 2);
	disasm_free(d);
}
END_TEST

static uint64_t regs[UC_ARM64_REG_ENDING];
static uint64_t reg(void *arg, int r)
{
	(void)arg;
	return regs[r];
}

/* The FAR of a data abort is the access's VA (D17.2.40); WnR and CM per D17.2.37. */
START_TEST(test_effective_addresses)
{
	struct disasm *d = disasm_new();
	struct dis_access a;
	for (int i = 0; i < 29; i++)
		regs[UC_ARM64_REG_X0 + i] = 0x1000 * (uint64_t)(i + 1);
	regs[UC_ARM64_REG_SP] = 0x80000;
	/* f9400420  ldr x0, [x1, #8] */
	ck_assert(disasm_access(d, 0x40100000, 0xf9400420, reg, NULL, &a));
	ck_assert_uint_eq(a.va, 0x2008);
	ck_assert(!a.write);
	/* f8010462  str x2, [x3], #16   (post-index: the access is at x3) */
	ck_assert(disasm_access(d, 0x40100000, 0xf8010462, reg, NULL, &a));
	ck_assert_uint_eq(a.va, 0x4000);
	ck_assert(a.write && a.perm_write && !a.cache_maint);
	/* b8625820  ldr w0, [x1, w2, uxtw #2] */
	ck_assert(disasm_access(d, 0x40100000, 0xb8625820, reg, NULL, &a));
	ck_assert_uint_eq(a.va, 0x2000 + (0x3000 << 2));
	/* a9bf07e0  stp x0, x1, [sp, #-16]!   (pre-index) */
	ck_assert(disasm_access(d, 0x40100000, 0xa9bf07e0, reg, NULL, &a));
	ck_assert_uint_eq(a.va, 0x80000 - 16);
	/* d5087625  dc ivac, x5   (CM=1, WnR=1, needs write permission) */
	ck_assert(disasm_access(d, 0x40100000, 0xd5087625, reg, NULL, &a));
	ck_assert_uint_eq(a.va, 0x6000);
	ck_assert(a.write && a.perm_write && a.cache_maint);
	/* d50b7a26  dc cvac, x6   (CM=1, WnR=1, read permission) */
	ck_assert(disasm_access(d, 0x40100000, 0xd50b7a26, reg, NULL, &a));
	ck_assert(a.write && !a.perm_write && a.cache_maint);
	/* d50b7427  dc zva, x7   (a store: CM=0) */
	ck_assert(disasm_access(d, 0x40100000, 0xd50b7427, reg, NULL, &a));
	ck_assert_uint_eq(a.va, 0x8000);
	ck_assert(a.write && a.perm_write && !a.cache_maint);
	/* 58000009  ldr x9, .   (literal) */
	ck_assert(disasm_access(d, 0x4010001c, 0x58000009, reg, NULL, &a));
	ck_assert_uint_eq(a.va, 0x4010001c);
	/* d503201f  nop: no access */
	ck_assert(!disasm_access(d, 0x40100000, 0xd503201f, reg, NULL, &a));
	disasm_free(d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("trace");
	TCase *tc = tcase_create("trace");
	tcase_add_test(tc, test_header_fields);
	tcase_add_test(tc, test_sha256_vectors);
	tcase_add_test(tc, test_decode_cache_decodes_once);
	tcase_add_test(tc, test_effective_addresses);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
