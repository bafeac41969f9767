/*
 * hazard-check - checks the hazard reports of `sim run --json` (JSON Lines on stdin)
 * against what a firmware variant must give (docs/firmware.md "Buggy variants").
 *
 *   hazard-check CLASS SYMBOL[@cpuN] [CLASS@SYMBOL[@EVENT][@cpuN]]...
 *
 * The first report must be of CLASS at SYMBOL; each further argument names a report that
 * must also be present. SYMBOL is "name" (any offset) or "name+0xoff" (exact); @cpuN also
 * asks for the CPU the report names (runs with --cpus). Exit 0 when all hold, 1 otherwise
 * (with the reports printed), 2 on unreadable input.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool sym_matches(const char *want, const char *sym)
{
	if (strchr(want, '+'))
		return strcmp(want, sym) == 0;
	size_t n = strlen(want);
	return strncmp(want, sym, n) == 0 && (sym[n] == '\0' || sym[n] == '+');
}

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* A trailing "@cpuN" of a word (cut off): N, or -1 when there is none. */
static int cut_cpu(char *word)
{
	char *at = strrchr(word, '@');
	if (!at || strncmp(at, "@cpu", 4) || !at[4])
		return -1;
	*at = '\0';
	return atoi(at + 4);
}

static bool report_matches(json_t *o, const char *cls, const char *sym, const char *ev, int cpu)
{
	return !strcmp(str(o, "class"), cls) && sym_matches(sym, str(o, "sym")) &&
	       (!ev || !strcmp(str(o, "event"), ev)) &&
	       (cpu < 0 || json_integer_value(json_object_get(o, "cpu")) == cpu);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr,
		        "usage: hazard-check CLASS SYMBOL [CLASS@SYMBOL[@EVENT]]... < json\n");
		return 2;
	}
	json_t *reps = json_array();
	char line[1 << 16];
	while (fgets(line, sizeof(line), stdin)) {
		json_error_t err;
		json_t *o = json_loads(line, 0, &err);
		if (!o || !json_is_object(o)) {
			fprintf(stderr, "hazard-check: line %zu is not a JSON object: %s\n",
			        json_array_size(reps) + 1, err.text);
			return 2;
		}
		json_array_append_new(reps, o);
	}
	int fails = 0;
	json_t *first = json_array_get(reps, 0);
	char first_sym[256];
	snprintf(first_sym, sizeof(first_sym), "%s", argv[2]);
	int first_cpu = cut_cpu(first_sym);
	if (!first || !report_matches(first, argv[1], first_sym, NULL, first_cpu)) {
		printf("FAIL: first report is %s at %s, expected %s at %s\n",
		       first ? str(first, "class") : "(none)", first ? str(first, "sym") : "-",
		       argv[1], argv[2]);
		fails++;
	} else {
		printf("ok: first report %s at %s (%s)\n", str(first, "class"), str(first, "sym"),
		       str(first, "insn"));
	}
	for (int i = 3; i < argc; i++) {
		char buf[256];
		snprintf(buf, sizeof(buf), "%s", argv[i]);
		int cpu = cut_cpu(buf);
		char *cls = buf, *sym = strchr(buf, '@'), *ev = NULL;
		if (!sym) {
			fprintf(stderr, "hazard-check: %s: expected CLASS@SYMBOL\n", argv[i]);
			return 2;
		}
		*sym++ = '\0';
		if ((ev = strchr(sym, '@')))
			*ev++ = '\0';
		bool found = false;
		size_t k;
		json_t *o;
		json_array_foreach(reps, k, o) found |= report_matches(o, cls, sym, ev, cpu);
		printf("%s: a %s report at %s%s%s\n", found ? "ok" : "FAIL", cls, sym,
		       ev ? " for a " : "", ev ? ev : "");
		fails += !found;
	}
	if (fails) {
		size_t k;
		json_t *o;
		json_array_foreach(reps, k, o)
		    printf("  report %zu: %s at %s on cpu%d (%s, %s)\n", k, str(o, "class"),
		           str(o, "sym"), (int)json_integer_value(json_object_get(o, "cpu")),
		           str(o, "event"), str(o, "insn"));
	}
	json_decref(reps);
	return fails ? 1 : 0;
}
