/*
 * campaign-check - assertions on the detection table of `sim campaign --json` (stdin).
 *
 *   campaign-check [--min N] RULE...
 *     SYM=CLASS      every variant that dropped the instruction at SYM reports CLASS first
 *     SYM~CLASS      at least one of them does (a loop over lines, some of them dead)
 *     SYM=no-hazard  every one of them ends clean with the unchanged run's UART output
 *     SYM:TEXT       every one of them has TEXT in its verdict's detail (the model's reason)
 *   and always: at least one variant per SYM named, at least N variants in all, none
 *   "missed" (output changed without a hazard) and none "failed"; the unchanged run's cost
 *   ("timing" with cycles > 0, issue #9) and, for every variant, the cost of the dropped
 *   instruction in that run ("cost": executed at least once, cycles and latency given);
 *   with "cpus" above 1, no cost at all (the cost model follows one CPU).
 *
 * Prints one line per failed assertion; exit status 0 when all hold, 1 otherwise.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	json_error_t je;
	json_t *root = json_loadf(stdin, 0, &je);
	if (!root) {
		printf("FAIL: campaign output is not JSON: %s (line %d)\n", je.text, je.line);
		return 1;
	}
	json_t *vs = json_object_get(root, "variants");
	if (!json_is_array(vs)) {
		printf("FAIL: no \"variants\" array\n");
		return 1;
	}
	int fails = 0, first = 1;
	size_t min = 1, i;
	if (argc > 2 && !strcmp(argv[1], "--min")) {
		min = strtoul(argv[2], NULL, 10);
		first = 3;
	}
	if (json_array_size(vs) < min) {
		printf("FAIL: %zu variants, expected at least %zu\n", json_array_size(vs), min);
		fails++;
	}
	json_t *timing = json_object_get(root, "timing");
	bool smp = json_integer_value(json_object_get(root, "cpus")) > 1;
	if (smp ? timing != NULL : json_integer_value(json_object_get(timing, "cycles")) <= 0) {
		printf(smp ? "FAIL: a \"timing\" with several CPUs\n"
		           : "FAIL: no \"timing\" of the unchanged run with its cycles\n");
		fails++;
	}
	json_t *v;
	json_array_foreach(vs, i, v)
	{
		json_t *cost = json_object_get(v, "cost");
		if (smp && cost) {
			printf("FAIL: variant %zu has a cost with several CPUs\n", i + 1);
			fails++;
		} else if (!smp && (json_integer_value(json_object_get(cost, "count")) < 1 ||
		                    !json_is_integer(json_object_get(cost, "cycles")) ||
		                    !json_is_integer(json_object_get(cost, "latency")))) {
			printf("FAIL: variant %zu (%s at %s) has no cost of its instruction\n", i + 1,
			       json_string_value(json_object_get(v, "insn")),
			       json_string_value(json_object_get(v, "sym")));
			fails++;
		}
		const char *verdict = json_string_value(json_object_get(v, "verdict"));
		if (verdict && (!strcmp(verdict, "missed") || !strcmp(verdict, "failed"))) {
			printf("FAIL: variant %zu (%s at %s): %s: %s\n", i + 1,
			       json_string_value(json_object_get(v, "insn")),
			       json_string_value(json_object_get(v, "sym")), verdict,
			       json_string_value(json_object_get(v, "detail")));
			fails++;
		}
	}
	for (int a = first; a < argc; a++) {
		char sym[128];
		const char *sep = strpbrk(argv[a], "=~:");
		if (!sep || (size_t)(sep - argv[a]) >= sizeof(sym)) {
			printf("FAIL: bad rule '%s'\n", argv[a]);
			fails++;
			continue;
		}
		memcpy(sym, argv[a], (size_t)(sep - argv[a]));
		sym[sep - argv[a]] = 0;
		const char *want = sep + 1;
		int all = *sep != '~', clean = !strcmp(want, "no-hazard"), text = *sep == ':';
		size_t seen = 0, match = 0;
		json_array_foreach(vs, i, v)
		{
			if (strcmp(json_string_value(json_object_get(v, "sym")), sym))
				continue;
			seen++;
			const char *verdict = json_string_value(json_object_get(v, "verdict"));
			const char *cls = json_string_value(json_object_get(v, "hazard"));
			const char *detail = json_string_value(json_object_get(v, "detail"));
			int ok = text    ? detail && strstr(detail, want) != NULL
			         : clean ? !strcmp(verdict, "no-hazard")
			                 : !strcmp(verdict, "hazard") && cls && !strcmp(cls, want);
			match += ok;
			if (!ok && all)
				printf("FAIL: %s (%s #%lld): expected %s, got %s%s%s at %s\n", sym,
				       json_string_value(json_object_get(v, "class")),
				       (long long)json_integer_value(json_object_get(v, "nth")),
				       want, verdict, cls ? " " : "", cls ? cls : "",
				       json_string_value(json_object_get(v, "hazard_sym"))
				           ? json_string_value(json_object_get(v, "hazard_sym"))
				           : "-");
		}
		if (!seen) {
			printf("FAIL: no variant dropped an instruction at %s\n", sym);
			fails++;
		} else if (all ? match != seen : match == 0) {
			if (!all)
				printf("FAIL: %s: none of its %zu variants reports %s\n", sym, seen,
				       want);
			fails++;
		} else {
			printf("ok: %s %s %s (%zu variant%s)\n", sym,
			       all ? "always" : "at least once", want, seen, seen == 1 ? "" : "s");
		}
	}
	json_decref(root);
	return fails ? 1 : 0;
}
