/*
 * tracediff.c - `sim diff A B`: compares two hypsim traces event by event and names the
 * first divergence in words (event number, CPU, PC with symbol and disassembly, the field
 * and both values), then counts the events that differ after it.
 *
 * Compared: every field of every event except `seq` (the line's number), and the header
 * fields that decide a run (entry, RAM, budget, TLB policy, the model's configuration).
 * Ignored because they legitimately vary: the firmware's path, the command line and the
 * --uart path. A different firmware sha256 is noted, not counted: the events say whether
 * it behaves differently.
 *
 * Traces of schema 2 write an `insn` event's "asm" and "sym" only the first time its
 * (pc, enc, el) appears: each trace's events are completed from the latest ones given
 * before being compared, so a schema 1 and a schema 2 trace of one run are equal, and the
 * header's "schema" is not compared (a difference is noted).
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine/cpu_features.h"
#include "machine/msg.h"
#include "trace/tracediff.h"
#include "trace/tracefile.h"

/* The instruction an event belongs to: the latest `insn` of its trace. */
struct ctx {
	bool valid;
	json_int_t cpu;
	char pc[24], sym[80], text[200];
};

/*
 * Schema 2: fill in an `insn` event's "asm" and "sym" from the latest event with the same
 * (pc, enc, el) that had them; texts maps "pc/enc/el" to {"asm", "sym"}. Events that carry
 * them (every one in schema 1) update the map.
 */
static void complete_insn(json_t *texts, json_t *ev)
{
	const char *type = json_string_value(json_object_get(ev, "type"));
	if (!type || strcmp(type, "insn"))
		return;
	const char *pc = json_string_value(json_object_get(ev, "pc"));
	const char *enc = json_string_value(json_object_get(ev, "enc"));
	char key[80];
	snprintf(key, sizeof(key), "%s/%s/%" JSON_INTEGER_FORMAT, pc ? pc : "", enc ? enc : "",
	         json_integer_value(json_object_get(ev, "el")));
	json_t *a = json_object_get(ev, "asm"), *s = json_object_get(ev, "sym");
	if (a || s) {
		json_object_set_new(texts, key, json_pack("{s:O?,s:O?}", "asm", a, "sym", s));
		return;
	}
	json_t *known = json_object_get(texts, key);
	if (!known)
		return;
	if ((a = json_object_get(known, "asm")) && !json_is_null(a))
		json_object_set(ev, "asm", a);
	if ((s = json_object_get(known, "sym")) && !json_is_null(s))
		json_object_set(ev, "sym", s);
}

static void ctx_update(struct ctx *c, json_t *ev)
{
	const char *type = json_string_value(json_object_get(ev, "type"));
	if (!type || strcmp(type, "insn"))
		return;
	c->valid = true;
	c->cpu = json_integer_value(json_object_get(ev, "cpu"));
	const char *s;
	snprintf(c->pc, sizeof(c->pc), "%s",
	         (s = json_string_value(json_object_get(ev, "pc"))) ? s : "?");
	snprintf(c->sym, sizeof(c->sym), "%s",
	         (s = json_string_value(json_object_get(ev, "sym"))) ? s : "");
	snprintf(c->text, sizeof(c->text), "%s",
	         (s = json_string_value(json_object_get(ev, "asm"))) ? s : "?");
}

static bool ignored(const char *path)
{
	static const char *const skip[] = {
	    "seq",          "schema",       "firmware.path",    "firmware.sha256",
	    "options.argv", "options.uart", "firmware.build_id"};
	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (!strcmp(path, skip[i]))
			return true;
	return false;
}

/* A value in at most 100 characters, "(absent)" for none. */
static void show(json_t *v, char *buf, size_t len)
{
	if (!v) {
		snprintf(buf, len, "(absent)");
		return;
	}
	if (json_is_string(v)) {
		snprintf(buf, len, "%s", json_string_value(v));
		return;
	}
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
	snprintf(buf, len, "%.100s%s", s ? s : "?", s && strlen(s) > 100 ? "..." : "");
	free(s);
}

/*
 * Field-by-field comparison of two objects (recursing into nested objects so that the
 * field is named by its path). Calls out for each differing field when out is non-NULL;
 * returns the number of differing fields.
 */
static unsigned compare(json_t *a, json_t *b, const char *prefix, FILE *out)
{
	unsigned n = 0;
	char path[128];
	for (int pass = 0; pass < 2; pass++) {
		json_t *x = pass ? b : a, *y = pass ? a : b;
		const char *key;
		json_t *v;
		json_object_foreach(x, key, v)
		{
			snprintf(path, sizeof(path), "%s%s%s", prefix, prefix[0] ? "." : "", key);
			if (ignored(path))
				continue;
			json_t *w = json_object_get(y, key);
			if (pass && w)
				continue; /* compared in the first pass */
			if (w && json_is_object(v) && json_is_object(w)) {
				n += compare(pass ? w : v, pass ? v : w, path, out);
				continue;
			}
			if (w && json_equal(v, w))
				continue;
			n++;
			if (out) {
				char va[128], vb[128];
				show(pass ? w : v, va, sizeof(va));
				show(pass ? v : w, vb, sizeof(vb));
				fprintf(out, "  %s: %s in A, %s in B\n", path, va, vb);
			}
		}
	}
	return n;
}

static void describe(const struct ctx *c, const char *side, json_t *ev, FILE *out)
{
	const char *type = ev ? json_string_value(json_object_get(ev, "type")) : NULL;
	if (!c->valid)
		fprintf(out, "  %s: %s before any instruction\n", side, type ? type : "(no event)");
	else
		fprintf(out, "  %s: %s on cpu%" JSON_INTEGER_FORMAT " at PC %s %s `%s`\n", side,
		        type ? type : "(no event: the trace has ended)", c->cpu, c->pc,
		        c->sym[0] ? c->sym : "(no symbol)", c->text);
}

static const char diff_usage[] =
    "usage: sim diff A B\n"
    "  compare two traces event by event: the first divergence in words, then the number\n"
    "  of further differences; exit 0 when equal, 1 when not, 2 when a file is no trace\n";

int diff_main(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(diff_usage, stdout);
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr, "sim: diff: two traces expected (try 'sim diff --help')\n");
		return 2;
	}
	char err[256], qa[256], qb[256]; /* the names, quoted for messages (msg.h) */
	const char *pa = msg_quote(argv[1], qa, sizeof(qa)),
	           *pb = msg_quote(argv[2], qb, sizeof(qb));
	json_t *ha = NULL, *hb = NULL;
	struct tf_reader *ra = tf_open(argv[1], &ha, err, sizeof(err)), *rb = NULL;
	if (!ra) {
		fprintf(stderr, "sim: %s: %s\n", pa, err);
		return 2;
	}
	if (!(rb = tf_open(argv[2], &hb, err, sizeof(err)))) {
		fprintf(stderr, "sim: %s: %s\n", pb, err);
		json_decref(ha);
		tf_close(ra);
		return 2;
	}
	FILE *out = stdout;
	uint64_t further = 0, event = 0, na = 0, nb = 0;
	bool first_done = false;
	const char *sa = json_string_value(json_object_get(json_object_get(ha, "firmware"), "sha256"));
	const char *sb = json_string_value(json_object_get(json_object_get(hb, "firmware"), "sha256"));
	if (sa && sb && strcmp(sa, sb))
		fprintf(out, "note: the firmware differs (sha256 %.12s... in A, %.12s... in B)\n", sa,
		        sb);
	json_int_t schema_a = json_integer_value(json_object_get(ha, "schema"));
	json_int_t schema_b = json_integer_value(json_object_get(hb, "schema"));
	if (schema_a != schema_b)
		fprintf(out,
		        "note: trace schema %" JSON_INTEGER_FORMAT " in A, %" JSON_INTEGER_FORMAT
		        " in B (insn events compared with their asm and sym filled in)\n",
		        schema_a, schema_b);
	/* A header without model.writeback predates the write-back policy: it ran under the
	 * default, "any"; one without model.pa_bits predates it too: the Cortex-A72's size. */
	json_t *mods[2] = {json_object_get(ha, "model"), json_object_get(hb, "model")};
	for (int i = 0; i < 2; i++) {
		if (json_is_object(mods[i]) && !json_object_get(mods[i], "writeback"))
			json_object_set_new(mods[i], "writeback", json_string("any"));
		if (json_is_object(mods[i]) && !json_object_get(mods[i], "pa_bits"))
			json_object_set_new(mods[i], "pa_bits", json_integer(CPU_A72_PA_BITS));
	}
	if (compare(ha, hb, "", NULL)) {
		fprintf(out, "A = %s, B = %s\nfirst divergence in the header (the runs' settings):\n",
		        pa, pb);
		compare(ha, hb, "", out);
		first_done = true;
	}
	struct ctx ca = {0}, cb = {0};
	json_t *texts_a = json_object(), *texts_b = json_object();
	int rc = 2;
	for (;;) {
		char *la = NULL, *lb = NULL;
		size_t lena = 0, lenb = 0;
		json_t *ea = NULL, *eb = NULL;
		if (tf_next(ra, &la, &lena) == 1) {
			na++;
			ea = json_loadb(la, lena, 0, NULL);
		}
		if (tf_next(rb, &lb, &lenb) == 1) {
			nb++;
			eb = json_loadb(lb, lenb, 0, NULL);
		}
		if (!la && !lb)
			break;
		event++;
		if ((la && !ea) || (lb && !eb)) {
			fprintf(stderr, "sim: %s: line %" PRIu64 " is not a trace event\n",
			        la && !ea ? pa : pb, event + 1);
			json_decref(ea);
			json_decref(eb);
			goto out;
		}
		if (ea) {
			complete_insn(texts_a, ea);
			ctx_update(&ca, ea);
		}
		if (eb) {
			complete_insn(texts_b, eb);
			ctx_update(&cb, eb);
		}
		bool differ = !ea || !eb || compare(ea, eb, "", NULL);
		if (differ && !first_done) {
			first_done = true;
			fprintf(out,
			        "A = %s, B = %s\nfirst divergence at event %" PRIu64 " (line %" PRIu64
			        "):\n",
			        pa, pb, event, event + 1);
			describe(&ca, "A", ea, out);
			describe(&cb, "B", eb, out);
			if (ea && eb)
				compare(ea, eb, "", out);
			else
				fprintf(out, "  %s ends here\n", ea ? "B" : "A");
		} else if (differ) {
			further++;
		}
		json_decref(ea);
		json_decref(eb);
	}
	for (int i = 0; i < 2; i++)
		if (tf_truncated(i ? rb : ra))
			fprintf(stderr,
			        "sim: %s: warning: cut off mid-line: compared up to its last complete "
			        "event\n",
			        i ? pb : pa);
	if (first_done)
		fprintf(out, "%" PRIu64 " further event%s differ (A has %" PRIu64 " events, B %" PRIu64
		             ")\n",
		        further, further == 1 ? "" : "s", na, nb);
	rc = first_done ? 1 : 0;
out:
	json_decref(ha);
	json_decref(hb);
	json_decref(texts_a);
	json_decref(texts_b);
	tf_close(ra);
	tf_close(rb);
	return rc;
}
