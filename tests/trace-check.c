/*
 * trace-check.c - end-to-end check of a hypsim trace (DESIGN §4), with the JSON library
 * rather than by pattern: every line parses as a JSON object; the first is the header
 * (schema 1 or 2, tool "hypsim", the firmware's sha256); every later line has a "type" and
 * a strictly increasing "seq"; the `end` event's instruction count equals the number of
 * `insn` events; `insn` events carry "asm" and "sym" always (schema 1) or at least the
 * first time their (pc, enc, el) appears (schema 2). Options add the checks a scenario
 * needs:
 *   --schema N         the header says schema N
 *   --sha256 HEX       the header names this digest
 *   --insns N          exactly N `insn` events
 *   --mmu-enable       a `sysreg` event writes SCTLR_EL2 with M 0 -> 1 (the MMU-enable)
 *   --type T           at least one event of type T (repeatable)
 * Prints one line per failure and exits 1 on any.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

static void fail(const char *fmt, const char *a, long n)
{
	fprintf(stderr, "trace-check: ");
	fprintf(stderr, fmt, a, n);
	fputc('\n', stderr);
	failures++;
}

static uint64_t hexval(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? strtoull(s, NULL, 16) : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: trace-check TRACE [--schema N] [--sha256 HEX] [--insns N] "
				"[--mmu-enable] [--type T]...\n");
		return 2;
	}
	const char *sha = NULL, *types[16];
	long want_insns = -1, want_schema = -1, schema = 0;
	int ntypes = 0;
	int mmu_enable = 0;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--schema") && i + 1 < argc)
			want_schema = atol(argv[++i]);
		else if (!strcmp(argv[i], "--sha256") && i + 1 < argc)
			sha = argv[++i];
		else if (!strcmp(argv[i], "--insns") && i + 1 < argc)
			want_insns = atol(argv[++i]);
		else if (!strcmp(argv[i], "--mmu-enable"))
			mmu_enable = 1;
		else if (!strcmp(argv[i], "--type") && i + 1 < argc && ntypes < 16)
			types[ntypes++] = argv[++i];
		else {
			fprintf(stderr, "trace-check: bad argument %s\n", argv[i]);
			return 2;
		}
	}
	FILE *f = fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	char *buf = NULL;
	size_t cap = 0;
	ssize_t len;
	long lineno = 0, insns = 0, end_insns = -1, last_seq = 0;
	int seen_mmu_enable = 0, seen[16] = {0};
	json_t *texts = json_object(); /* "pc/enc/el" of the insn events that had asm and sym */
	while ((len = getline(&buf, &cap, f)) > 0) {
		lineno++;
		json_error_t err;
		json_t *o = json_loads(buf, 0, &err);
		if (!json_is_object(o)) {
			fail("line %s%ld is not a JSON object", "", lineno);
			json_decref(o);
			continue;
		}
		const char *type = json_string_value(json_object_get(o, "type"));
		if (!type) {
			fail("line %s%ld has no \"type\"", "", lineno);
		} else if (lineno == 1) {
			if (strcmp(type, "header"))
				fail("first line is %s, not the header%.0ld", type, 0);
			schema = (long)json_integer_value(json_object_get(o, "schema"));
			if (schema != 1 && schema != 2)
				fail("header schema %s%ld is neither 1 nor 2", "", schema);
			if (want_schema >= 0 && schema != want_schema)
				fail("header schema %s%ld is not the one expected", "", schema);
			if (!json_is_string(json_object_get(o, "tool")) ||
			    strcmp(json_string_value(json_object_get(o, "tool")), "hypsim"))
				fail("header tool is not hypsim%s%.0ld", "", 0);
			json_t *fw = json_object_get(o, "firmware");
			const char *got = json_string_value(json_object_get(fw, "sha256"));
			if (sha && (!got || strcmp(got, sha)))
				fail("header sha256 %s differs%.0ld", got ? got : "(none)", 0);
			if (!json_is_object(json_object_get(o, "options")))
				fail("header has no options%s%.0ld", "", 0);
		} else {
			long seq = (long)json_integer_value(json_object_get(o, "seq"));
			if (seq <= last_seq)
				fail("seq does not increase at line %s%ld", "", lineno);
			last_seq = seq;
			if (!strcmp(type, "insn")) {
				insns++;
				char key[80];
				snprintf(key, sizeof(key), "%s/%s/%lld",
				         json_string_value(json_object_get(o, "pc")),
				         json_string_value(json_object_get(o, "enc")),
				         (long long)json_integer_value(json_object_get(o, "el")));
				bool text = json_is_string(json_object_get(o, "asm")) &&
				            json_is_string(json_object_get(o, "sym"));
				if (text)
					json_object_set_new(texts, key, json_true());
				else if (schema == 1)
					fail("schema 1: insn at line %s%ld without asm and sym", "",
					     lineno);
				else if (!json_object_get(texts, key))
					fail("insn at line %s%ld, the first of its pc/enc/el: "
					     "no asm and sym",
					     "", lineno);
			}
			if (!strcmp(type, "end"))
				end_insns = (long)json_integer_value(json_object_get(o, "insns"));
			for (int i = 0; i < ntypes; i++)
				if (!strcmp(type, types[i]))
					seen[i] = 1;
			const char *name = json_string_value(json_object_get(o, "name"));
			if (!strcmp(type, "sysreg") && name && !strcmp(name, "SCTLR_EL2") &&
			    !(hexval(o, "old") & 1) && (hexval(o, "new") & 1))
				seen_mmu_enable = 1;
		}
		json_decref(o);
	}
	free(buf);
	fclose(f);
	json_decref(texts);
	if (lineno == 0)
		fail("empty trace%s%.0ld", "", 0);
	if (end_insns < 0)
		fail("no end event%s%.0ld", "", 0);
	else if (end_insns != insns)
		fail("end event counts %s%ld instructions, the trace has a different number", "",
		     end_insns);
	if (want_insns >= 0 && insns != want_insns)
		fail("%s%ld insn events, not the number expected", "", insns);
	if (mmu_enable && !seen_mmu_enable)
		fail("no sysreg event enabling the EL2 MMU (SCTLR_EL2.M 0 -> 1)%s%.0ld", "", 0);
	for (int i = 0; i < ntypes; i++)
		if (!seen[i])
			fail("no %s event%.0ld", types[i], 0);
	if (!failures)
		printf("trace-check: %ld lines, %ld insn events: ok\n", lineno, insns);
	return failures ? 1 : 0;
}
