/*
 * test_trace.c - the first line of every hypsim trace (DESIGN §4): schema version, tool,
 * firmware path/sha256/build-id and options, parsed back with jansson; an `insn` line from
 * the decode cache, with its asm and sym the first time an (pc, enc, el) appears (schema 2)
 * or every time (schema 1); the hand-formatted frequent events against the printf formats
 * they replace; and the decode cache and effective addresses of disasm.c.
 */
#include <check.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unicorn/unicorn.h>
#include <unistd.h>

#include "machine/disasm.h"
#include "machine/sha256.h"
#include "model.h"
#include "trace/trace.h"

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
	trace_insn(t, 0, 0x40101000, 2, 0xd51c1000, d, NULL, NULL);
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

static char *tmp_trace(void)
{
	static char path[32];
	snprintf(path, sizeof(path), "/tmp/hypsim-trace-XXXXXX");
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	return path;
}

/* Whether the next line is an insn event with asm (and sym) as given, or without both. */
static void expect_insn(FILE *f, const char *pc, int el, const char *text)
{
	json_t *j = line(f);
	ck_assert_str_eq(json_string_value(json_object_get(j, "type")), "insn");
	ck_assert_str_eq(json_string_value(json_object_get(j, "pc")), pc);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "el")), el);
	if (text) {
		ck_assert_str_eq(json_string_value(json_object_get(j, "asm")), text);
		ck_assert_ptr_nonnull(json_object_get(j, "sym"));
	} else {
		ck_assert_ptr_null(json_object_get(j, "asm"));
		ck_assert_ptr_null(json_object_get(j, "sym"));
	}
	json_decref(j);
}

/* Schema 2: asm and sym once per (pc, enc, el) and decode; schema 1: on every insn. */
START_TEST(test_insn_text_once)
{
	for (unsigned schema = 1; schema <= 2; schema++) {
		char *path = tmp_trace(), err[128];
		struct trace *t = trace_open(path, err, sizeof(err));
		ck_assert_ptr_nonnull(t);
		ck_assert_int_eq(trace_set_schema(t, schema), 0);
		struct disasm *d = disasm_new();
		/* d503201f  nop;  d69f03e0  eret */
		trace_insn(t, 0, 0x40100000, 2, 0xd503201f, d, NULL, NULL);
		trace_insn(t, 0, 0x40100000, 2, 0xd503201f, d, NULL, NULL);
		trace_insn(t, 0, 0x40100000, 1, 0xd503201f, d, NULL, NULL);
		/* Rewritten code: a new encoding at the same PC, then the old one decoded again. */
		trace_insn(t, 0, 0x40100000, 2, 0xd69f03e0, d, NULL, NULL);
		trace_insn(t, 0, 0x40100000, 2, 0xd503201f, d, NULL, NULL);
		trace_insn(t, 0, 0x40100000, 1, 0xd503201f, d, NULL, NULL);
		ck_assert_int_eq(trace_close(t, err, sizeof(err)), 0);
		disasm_free(d);
		bool all = schema == 1;
		FILE *f = fopen(path, "r");
		expect_insn(f, "0x40100000", 2, "nop");
		expect_insn(f, "0x40100000", 2, all ? "nop" : NULL);
		expect_insn(f, "0x40100000", 1, "nop");
		expect_insn(f, "0x40100000", 2, "eret");
		expect_insn(f, "0x40100000", 2, "nop");
		/* Decoded anew since EL1's nop was written: its text is written again. */
		expect_insn(f, "0x40100000", 1, "nop");
		fclose(f);
		unlink(path);
	}
	/* Decodes elsewhere leave an instruction's decode alone; evicting it (another PC in
	 * the same slot of the decode cache, 8192 instructions on) means decoding it anew. */
	char *path = tmp_trace(), err[128];
	struct trace *t = trace_open(path, err, sizeof(err));
	struct disasm *d = disasm_new();
	trace_insn(t, 0, 0x40100000, 2, 0xd503201f, d, NULL, NULL);
	disasm_get(d, 0x40100004, 0xd69f03e0, NULL, NULL);
	trace_insn(t, 0, 0x40100000, 2, 0xd503201f, d, NULL, NULL);
	disasm_get(d, 0x40100000 + 8192 * 4, 0xd69f03e0, NULL, NULL);
	trace_insn(t, 0, 0x40100000, 2, 0xd503201f, d, NULL, NULL);
	ck_assert_int_eq(trace_close(t, err, sizeof(err)), 0);
	disasm_free(d);
	FILE *f = fopen(path, "r");
	expect_insn(f, "0x40100000", 2, "nop");
	expect_insn(f, "0x40100000", 2, NULL);
	expect_insn(f, "0x40100000", 2, "nop");
	fclose(f);
	unlink(path);

	path = tmp_trace();
	t = trace_open(path, err, sizeof(err));
	ck_assert_int_eq(trace_set_schema(t, 0), -1);
	ck_assert_int_eq(trace_set_schema(t, TRACE_SCHEMA + 1), -1);
	ck_assert_int_eq(trace_close(t, err, sizeof(err)), 0);
	unlink(path);
}
END_TEST

/* Write the same events to a file: with direct I/O from its first block (after = 0), from
 * some way in (an unaligned size), or never. */
static char *write_many(uint64_t after, unsigned events, uint64_t *direct)
{
	char *tmp = tmp_trace(), err[128];
	char *path = strdup(tmp);
	struct trace *t = trace_open(path, err, sizeof(err));
	ck_assert_ptr_nonnull(t);
	trace_set_direct(t, after);
	struct disasm *d = disasm_new();
	for (unsigned i = 0; i < events; i++) {
		uint64_t pc = 0xffff800008000000ull + 4 * (i % 5000);
		trace_insn(t, i % 3, pc, 1, 0xd503201f, d, NULL, NULL);
		trace_mem(t, i % 3, pc, i & 1, 0xffff000040000000ull + 8 * i, true,
		          0x40000000ull + 8 * i, 8, true, 3, 0xff, (uint64_t)i * 0x9e3779b9u, NULL);
	}
	ck_assert_int_eq(trace_flush(t), 0);
	*direct = trace_direct_bytes(t);
	ck_assert_int_eq(trace_close(t, err, sizeof(err)), 0);
	disasm_free(d);
	return path;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	rewind(f);
	char *b = malloc(*len + 1);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(fread(b, 1, *len, f), *len);
	fclose(f);
	return b;
}

/* Direct I/O (trace_set_direct) writes the bytes the page cache would: whole blocks while
 * the run goes on, the unaligned tail at the end, every line once and in order (its seq),
 * whether direct I/O starts at the first block, part way (an offset that is no block's),
 * or never; a file system without O_DIRECT falls back to the page cache and gives the same. */
START_TEST(test_direct_io_same_bytes)
{
	const unsigned events = 24000; /* about 6.8 MB: several writes of 1-2 MiB */
	uint64_t direct[3];
	char *paths[3] = {write_many(UINT64_MAX, events, &direct[0]),
	                  write_many(0, events, &direct[1]),
	                  write_many(2 * 1000 * 1000 + 7, events, &direct[2])};
	size_t len[3];
	char *text[3];
	for (unsigned i = 0; i < 3; i++)
		text[i] = slurp(paths[i], &len[i]);
	ck_assert_uint_gt(len[0], 6u << 20);
	for (unsigned i = 1; i < 3; i++) {
		ck_assert_uint_eq(len[i], len[0]);
		ck_assert_msg(!memcmp(text[i], text[0], len[0]), "direct I/O (%u): other bytes", i);
	}
	/* Direct I/O was used where /tmp takes it: most of the file in whole blocks. */
	ck_assert_uint_eq(direct[0], 0);
	int fd = open(paths[0], O_WRONLY | O_DIRECT);
	if (fd >= 0) {
		close(fd);
		ck_assert_uint_gt(direct[1], len[0] - (4u << 20));
		ck_assert_uint_gt(direct[2], 0);
		ck_assert_uint_lt(direct[2], direct[1]);
		ck_assert_uint_eq(direct[1] % 4096, 0);
		ck_assert_uint_eq(direct[2] % 4096, 0);
	}
	/* Every event once, in order, the last line whole. */
	text[0][len[0]] = '\0';
	uint64_t seq = 0;
	for (char *line = text[0], *nl; (nl = strchr(line, '\n')); line = nl + 1) {
		*nl = '\0';
		const char *q = strstr(line, ",\"seq\":");
		ck_assert_msg(line[0] == '{' && nl[-1] == '}' && q, "not an event: %.80s", line);
		ck_assert_uint_eq(strtoull(q + 7, NULL, 10), ++seq);
	}
	ck_assert_uint_eq(seq, 2ull * events);
	ck_assert_int_eq(text[0][len[0] - 1], '\0'); /* the last byte was a '\n' */
	for (unsigned i = 0; i < 3; i++) {
		unlink(paths[i]);
		free(paths[i]);
		free(text[i]);
	}
}
END_TEST

/* The hand-formatted events are what the printf formats of schema 1 gave, byte for byte
 * (numbers of every width, zero padding, negative levels, the fault forms). */
START_TEST(test_hand_formatting)
{
	char *path = tmp_trace(), err[128];
	struct trace *t = trace_open(path, err, sizeof(err));
	struct disasm *d = disasm_new();
	char want[64][512];
	unsigned n = 0;
	uint64_t seq = 0;
	/* Enough events that seq crosses 9 -> 10, 99 -> 100 and 999 -> 1000. */
	for (unsigned i = 0; i < 1100; i++) {
		uint64_t pc = i & 1 ? 0x40101000 + 4 * i : 0xffff800000000000ull | i;
		trace_fetch_fault(t, i % 2, pc, 2);
		seq++;
		if (i == 8 || i == 98 || i == 998 || i == 1099)
			snprintf(want[n++], sizeof(want[0]),
			         "{\"type\":\"fetch-fault\",\"seq\":%" PRIu64
			         ",\"cpu\":%u,\"pc\":\"0x%" PRIx64 "\",\"el\":2}\n",
			         seq, i % 2, pc);
	}
	trace_mem(t, 0, 0, false, 0x0, true, 0x0, 1, false, 0, 0, 0, NULL);
	snprintf(want[n++], sizeof(want[0]),
	         "{\"type\":\"mem\",\"seq\":%" PRIu64 ",\"cpu\":0,\"pc\":\"0x0\",\"access\":"
	         "\"load\",\"va\":\"0x0\",\"pa\":\"0x0\",\"size\":1,\"attrs\":\"device\","
	         "\"mair\":\"0x00\",\"value\":\"0x0\"}\n",
	         ++seq);
	trace_mem(t, 0, 0x40101004, true, 0xffffffffffffffffull, true, 0xfffffffff000ull, 8, true,
	          3, 0xff, 0x8000000000000001ull, NULL);
	snprintf(want[n++], sizeof(want[0]),
	         "{\"type\":\"mem\",\"seq\":%" PRIu64 ",\"cpu\":0,\"pc\":\"0x40101004\",\"access\":"
	         "\"store\",\"va\":\"0xffffffffffffffff\",\"pa\":\"0xfffffffff000\",\"size\":8,"
	         "\"attrs\":\"normal-wb\",\"mair\":\"0xff\",\"value\":\"0x8000000000000001\"}\n",
	         ++seq);
	trace_mem(t, 0, 0x40101008, false, 0x1234, false, 0, 4, true, 3, 0xff, 0x55, "translation");
	snprintf(
	    want[n++], sizeof(want[0]),
	    "{\"type\":\"mem\",\"seq\":%" PRIu64 ",\"cpu\":0,\"pc\":\"0x40101008\",\"access\":"
	    "\"load\",\"va\":\"0x1234\",\"size\":4,\"fault\":\"translation\",\"value\":\"0x0\"}\n",
	    ++seq);
	trace_barrier(t, 0, 0x4010100c, "dsb", "ish", 1);
	snprintf(want[n++], sizeof(want[0]),
	         "{\"type\":\"barrier\",\"seq\":%" PRIu64
	         ",\"cpu\":0,\"pc\":\"0x4010100c\",\"kind\":"
	         "\"dsb\",\"domain\":\"ish\",\"access\":\"st\"}\n",
	         ++seq);
	trace_op(t, 0, 0x40101010, "tlbi", "alle2", "arg", 0, NULL);
	snprintf(want[n++], sizeof(want[0]),
	         "{\"type\":\"tlbi\",\"seq\":%" PRIu64 ",\"cpu\":0,\"pc\":\"0x40101010\",\"op\":"
	         "\"alle2\",\"arg\":\"0x0\"}\n",
	         ++seq);
	struct walk_result w = {.oa = 0x40200000, .level = 2, .block_size = 0x200000};
	w.attrs.mair_attr = 0x4;
	w.nsteps = 2;
	w.steps[0].level = -1;
	w.steps[0].desc_pa = 0x40400000;
	w.steps[0].desc = 0x40401003;
	w.steps[1].level = 2;
	w.steps[1].desc_pa = 0x40401008;
	w.steps[1].desc = 0x40200401;
	trace_walk(t, 0, 0x40200abc, true, &w);
	snprintf(
	    want[n++], sizeof(want[0]),
	    "{\"type\":\"walk\",\"seq\":%" PRIu64 ",\"cpu\":0,\"va\":\"0x40200abc\","
	    "\"cacheable\":true,\"steps\":[[-1,\"0x40400000\",\"0x40401003\"],[2,\"0x40401008\","
	    "\"0x40200401\"]],\"pa\":\"0x40200000\",\"level\":2,\"size\":\"0x200000\","
	    "\"mair\":\"0x04\"}\n",
	    ++seq);
	w.fault.type = FAULT_TRANSLATION;
	w.fault.level = 3;
	trace_walk(t, 1, 0x0, false, &w);
	snprintf(
	    want[n++], sizeof(want[0]),
	    "{\"type\":\"walk\",\"seq\":%" PRIu64 ",\"cpu\":1,\"va\":\"0x0\","
	    "\"cacheable\":false,\"steps\":[[-1,\"0x40400000\",\"0x40401003\"],[2,\"0x40401008\","
	    "\"0x40200401\"]],\"fault\":\"%s\",\"level\":3}\n",
	    ++seq, pt_fault_name(FAULT_TRANSLATION));
	/* d51c1000  msr sctlr_el2, x0 */
	trace_insn(t, 0, 0x40101000, 2, 0xd51c1000, d, NULL, NULL);
	trace_insn(t, 0, 0x40101000, 2, 0xd51c1000, d, NULL, NULL);
	snprintf(want[n++], sizeof(want[0]),
	         "{\"type\":\"insn\",\"seq\":%" PRIu64 ",\"cpu\":0,\"pc\":\"0x40101000\",\"el\":2,"
	         "\"enc\":\"0xd51c1000\",\"asm\":\"msr sctlr_el2, x0\",\"sym\":\"\"}\n",
	         ++seq);
	snprintf(want[n++], sizeof(want[0]),
	         "{\"type\":\"insn\",\"seq\":%" PRIu64 ",\"cpu\":0,\"pc\":\"0x40101000\",\"el\":2,"
	         "\"enc\":\"0xd51c1000\"}\n",
	         ++seq);
	/* 00000001: not an instruction; enc is zero-padded to 8 digits */
	trace_insn(t, 0, 0x40101004, 2, 0x1, d, NULL, NULL);
	snprintf(want[n++], sizeof(want[0]),
	         "{\"type\":\"insn\",\"seq\":%" PRIu64 ",\"cpu\":0,\"pc\":\"0x40101004\",\"el\":2,"
	         "\"enc\":\"0x00000001\",\"asm\":\".inst 0x00000001\",\"sym\":\"\"}\n",
	         ++seq);
	/* A 16-digit PC, one at EL1, and 0x40101000 again, each a different instruction for
	 * the writer's text of the last one formatted at a PC (same slot: PC / 4 mod 1024).
	 * The first also takes the decode cache's slot of 0x40101000, so the third is decoded
	 * anew and carries asm and sym again. */
	static const struct {
		uint64_t pc;
		unsigned el;
	} again[] = {{0xffff800000001000ull, 2}, {0x40101000, 1}, {0x40101000, 2}};
	for (unsigned i = 0; i < 3; i++) {
		trace_insn(t, 1, again[i].pc, again[i].el, 0xd51c1000, d, NULL, NULL);
		snprintf(want[n++], sizeof(want[0]),
		         "{\"type\":\"insn\",\"seq\":%" PRIu64 ",\"cpu\":1,\"pc\":\"0x%" PRIx64
		         "\",\"el\":%u,\"enc\":\"0xd51c1000\",\"asm\":\"msr sctlr_el2, x0\","
		         "\"sym\":\"\"}\n",
		         ++seq, again[i].pc, again[i].el);
	}
	ck_assert_int_eq(trace_close(t, err, sizeof(err)), 0);
	disasm_free(d);
	FILE *f = fopen(path, "r");
	char buf[1024];
	unsigned k = 0;
	while (fgets(buf, sizeof(buf), f)) {
		json_t *j = json_loads(buf, 0, NULL);
		ck_assert_msg(j != NULL, "not JSON: %s", buf);
		uint64_t s = (uint64_t)json_integer_value(json_object_get(j, "seq"));
		json_decref(j);
		if (s == 9 || s == 99 || s == 999 || s >= 1100)
			ck_assert_str_eq(buf, want[k++]);
	}
	ck_assert_uint_eq(k, n);
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
	/* test_direct_io_same_bytes writes 20 MB to /tmp: past Check's 4 s on a loaded machine. */
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_header_fields);
	tcase_add_test(tc, test_insn_text_once);
	tcase_add_test(tc, test_hand_formatting);
	tcase_add_test(tc, test_direct_io_same_bytes);
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
