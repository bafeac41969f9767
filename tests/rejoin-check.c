/*
 * rejoin-check - `sim campaign` stops variants where they rejoin the unchanged run: the table
 * must be the one --run-to-end gives.
 *
 *   rejoin-check EARLY.json FULL.json MIN [RULE]...
 *     EARLY.json  `sim campaign --json` (variants stop where they rejoin)
 *     FULL.json   the same campaign with --run-to-end
 *     MIN         at least this many variants of EARLY stopped where they rejoined
 *     CLASS#N=HAZARD@GAP  that variant reports HAZARD at least GAP instructions after its
 *                         dropped instruction, and did not stop early (a late effect)
 *     CLASS#N=rejoined    that variant stopped where it rejoined the unchanged run
 *   and always: the same variants in the same order, each with the same fields in both
 *   (verdict, status, detail, hazard and where it was reported, ...) but "rejoined_at";
 *   no "rejoined_at" in FULL; a rejoined variant has no hazard and rejoined after its
 *   dropped instruction; the same firmware, baseline status and length.
 *
 * Prints one line per failed assertion; exit status 0 when all hold, 1 otherwise.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *load(const char *path)
{
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je);
	if (!root)
		printf("FAIL: %s: not JSON: %s (line %d)\n", path, je.text, je.line);
	return root;
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static json_int_t num(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* The variant "CLASS#N" of vs, or NULL. */
static json_t *find(json_t *vs, const char *cls, long long nth)
{
	size_t i;
	json_t *v;
	json_array_foreach(vs, i, v)
	{
		if (!strcmp(str(v, "class"), cls) && num(v, "nth") == nth)
			return v;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: rejoin-check EARLY.json FULL.json MIN [RULE]...\n");
		return 2;
	}
	json_t *early = load(argv[1]), *full = load(argv[2]);
	if (!early || !full)
		return 1;
	int fails = 0;
	const char *same[] = {"firmware", "baseline_status", "baseline_insns"};
	for (size_t k = 0; k < sizeof(same) / sizeof(same[0]); k++)
		if (!json_equal(json_object_get(early, same[k]), json_object_get(full, same[k]))) {
			printf("FAIL: \"%s\" differs\n", same[k]);
			fails++;
		}
	json_t *ve = json_object_get(early, "variants"), *vf = json_object_get(full, "variants");
	if (json_array_size(ve) != json_array_size(vf) || !json_array_size(ve)) {
		printf("FAIL: %zu variants, %zu with --run-to-end\n", json_array_size(ve),
		       json_array_size(vf));
		return 1;
	}
	long rejoined = 0;
	for (size_t i = 0; i < json_array_size(ve); i++) {
		json_t *a = json_deep_copy(json_array_get(ve, i)), *b = json_array_get(vf, i);
		json_t *at = json_object_get(a, "rejoined_at");
		if (json_object_get(b, "rejoined_at")) {
			printf("FAIL: variant %zu stopped early under --run-to-end\n", i + 1);
			fails++;
		}
		if (at) {
			rejoined++;
			if (strcmp(str(a, "verdict"), "no-hazard") ||
			    json_object_get(a, "hazard") ||
			    json_integer_value(at) <= num(a, "at_insn")) {
				printf("FAIL: variant %zu (%s#%lld) rejoined at %lld: verdict %s, "
				       "dropped at %lld\n",
				       i + 1, str(a, "class"), (long long)num(a, "nth"),
				       (long long)json_integer_value(at), str(a, "verdict"),
				       (long long)num(a, "at_insn"));
				fails++;
			}
			json_object_del(a, "rejoined_at");
		}
		if (!json_equal(a, b)) {
			char *ja = json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS);
			char *jb = json_dumps(b, JSON_COMPACT | JSON_SORT_KEYS);
			printf("FAIL: variant %zu differs:\n  early: %s\n  full:  %s\n", i + 1, ja,
			       jb);
			free(ja);
			free(jb);
			fails++;
		}
		json_decref(a);
	}
	long min = strtol(argv[3], NULL, 10);
	if (rejoined < min) {
		printf("FAIL: %ld variants stopped where they rejoined, expected at least %ld\n",
		       rejoined, min);
		fails++;
	}
	for (int k = 4; k < argc; k++) {
		char cls[16], want[64];
		long long nth, gap = 0;
		int n = 0;
		if (sscanf(argv[k], "%15[a-z]#%lld=%63[a-z-]%n", cls, &nth, want, &n) != 3 ||
		    (argv[k][n] && sscanf(argv[k] + n, "@%lld", &gap) != 1)) {
			printf("FAIL: bad rule '%s'\n", argv[k]);
			fails++;
			continue;
		}
		json_t *v = find(ve, cls, nth);
		if (!v) {
			printf("FAIL: %s: no such variant\n", argv[k]);
			fails++;
		} else if (!strcmp(want, "rejoined")) {
			if (!json_object_get(v, "rejoined_at")) {
				printf("FAIL: %s: ran to its end (%s)\n", argv[k],
				       str(v, "detail"));
				fails++;
			}
		} else if (strcmp(str(v, "hazard"), want) || json_object_get(v, "rejoined_at") ||
		           num(v, "hazard_at_insn") - num(v, "at_insn") < gap) {
			printf("FAIL: %s: %s %s, dropped at %lld, reported at %lld%s\n", argv[k],
			       str(v, "verdict"), str(v, "hazard"), (long long)num(v, "at_insn"),
			       (long long)num(v, "hazard_at_insn"),
			       json_object_get(v, "rejoined_at") ? ", stopped early" : "");
			fails++;
		}
	}
	json_decref(early);
	json_decref(full);
	return fails ? 1 : 0;
}
