/*
 * trace-summary.c - a short account of a hypsim trace for people: the firmware it came
 * from, how many events of each type, every system register write (old -> new), the
 * exceptions and ERETs, the UART text and how the run ended. Used by tools/demo.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TYPES 32

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: trace-summary TRACE.jsonl\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	char *types[MAX_TYPES];
	long counts[MAX_TYPES];
	int ntypes = 0;
	char *buf = NULL;
	size_t cap = 0;
	long lineno = 0;
	printf("trace %s\n", argv[1]);
	while (getline(&buf, &cap, f) > 0) {
		lineno++;
		json_error_t err;
		json_t *o = json_loads(buf, 0, &err);
		if (!o) {
			fprintf(stderr, "trace-summary: %s:%ld: %s\n", argv[1], lineno, err.text);
			free(buf);
			fclose(f);
			return 1;
		}
		const char *type = str(o, "type");
		if (!strcmp(type, "header")) {
			json_t *fw = json_object_get(o, "firmware");
			printf("  firmware %s (sha256 %.16s..., entry %s), schema %lld\n",
			       str(fw, "path"), str(fw, "sha256"), str(fw, "entry"),
			       json_integer_value(json_object_get(o, "schema")));
			json_decref(o);
			continue;
		}
		int i;
		for (i = 0; i < ntypes && strcmp(types[i], type); i++)
			;
		if (i == ntypes && ntypes < MAX_TYPES) {
			types[ntypes] = strdup(type);
			counts[ntypes++] = 0;
		}
		if (i < ntypes)
			counts[i]++;
		if (!strcmp(type, "sysreg"))
			printf("  sysreg    %-10s %s -> %s  at %s (EL%lld)\n", str(o, "name"),
			       str(o, "old"), str(o, "new"), str(o, "sym"),
			       json_integer_value(json_object_get(o, "el")));
		else if (!strcmp(type, "exception"))
			printf("  exception %s EL%lld -> EL%lld at %s, ESR %s (%s), vector %s\n",
			       str(o, "cause"), json_integer_value(json_object_get(o, "from_el")),
			       json_integer_value(json_object_get(o, "to_el")), str(o, "sym"),
			       str(o, "esr"), str(o, "ec"), str(o, "vector"));
		else if (!strcmp(type, "eret"))
			printf("  eret      EL%lld -> EL%lld to %s (%s)\n",
			       json_integer_value(json_object_get(o, "from_el")),
			       json_integer_value(json_object_get(o, "to_el")), str(o, "target"),
			       str(o, "target_sym"));
		else if (!strcmp(type, "psci"))
			printf("  psci      %s\n", str(o, "name"));
		else if (!strcmp(type, "uart"))
			printf("  uart      %s", str(o, "text"));
		else if (!strcmp(type, "end"))
			printf("  end       %s, exit %lld: %s\n", str(o, "reason"),
			       json_integer_value(json_object_get(o, "exit")), str(o, "message"));
		json_decref(o);
	}
	free(buf);
	fclose(f);
	printf("  events:");
	for (int i = 0; i < ntypes; i++) {
		printf(" %s=%ld", types[i], counts[i]);
		free(types[i]);
	}
	printf("\n");
	return 0;
}
