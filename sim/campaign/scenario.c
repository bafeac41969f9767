/*
 * scenario.c - hypsim scenario files (see scenario.h, docs/scenarios.md).
 */
#include "campaign/scenario.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "machine/machine.h"
#include "machine/msg.h"
#include "model.h"

#define MAX_EXPECT 16

enum expect_kind { EXPECT_CLEAN, EXPECT_HAZARDS, EXPECT_UNFINISHED };

struct expected_hz {
	enum hz_class cls;
	char at[96]; /* "" : anywhere */
	bool has_cause;
	uint64_t cause_pc; /* "cause_at": the PC of the cause of another outcome */
	bool has_ev;
	enum ev_kind ev;
	bool has_cpu;
	unsigned cpu;
};

struct scenario {
	char *path;
	char *firmware; /* resolved: the ELF, or the kernel's Image */
	char *kfile[3]; /* resolved "initrd", "dtb", "symbols" of a "kernel" boot, NULL: none */
	char *append;
	char *description;
	enum expect_kind expect;
	struct expected_hz hz[MAX_EXPECT];
	size_t nhz;
	/* "only": true: no report of a class not listed; "listed": no report that matches
	 * none of the listed hazards (class, place and event). */
	enum { ONLY_NONE, ONLY_CLASSES, ONLY_LISTED } only;
};

void scenario_free(struct scenario *sc)
{
	if (!sc)
		return;
	free(sc->path);
	free(sc->firmware);
	for (size_t i = 0; i < sizeof(sc->kfile) / sizeof(sc->kfile[0]); i++)
		free(sc->kfile[i]);
	free(sc->append);
	free(sc->description);
	free(sc);
}

static struct scenario *bad(struct scenario *sc, json_t *root, char *err, size_t len,
                            const char *path, const char *why, const char *what)
{
	snprintf(err, len, "%s: %s%s%s", path, why, what ? ": " : "", what ? what : "");
	json_decref(root);
	scenario_free(sc);
	return NULL;
}

/* A file as written in the scenario, looked for where docs/scenarios.md says: under the
 * directory $env names, next to the scenario, then in the current directory. */
static char *resolve_file(const char *scenario_path, const char *fw, const char *env_name)
{
	char buf[4096];
	if (fw[0] == '/')
		return access(fw, R_OK) ? NULL : strdup(fw);
	const char *env = getenv(env_name);
	if (env && *env) {
		snprintf(buf, sizeof(buf), "%s/%s", env, fw);
		if (!access(buf, R_OK))
			return strdup(buf);
	}
	const char *slash = strrchr(scenario_path, '/');
	if (slash) {
		snprintf(buf, sizeof(buf), "%.*s/%s", (int)(slash - scenario_path), scenario_path,
		         fw);
		if (!access(buf, R_OK))
			return strdup(buf);
	}
	return access(fw, R_OK) ? NULL : strdup(fw);
}

static bool json_u64(json_t *v, uint64_t *out)
{
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = (uint64_t)json_integer_value(v);
		return true;
	}
	if (!json_is_string(v))
		return false;
	const char *s = json_string_value(v);
	char *end;
	if (*s < '0' || *s > '9')
		return false;
	*out = strtoull(s, &end, 0);
	return !*end;
}

static const char *const option_keys[] = {"ram_base", "ram", "max_insns", "tlb", "cpus"};
static const char *const top_keys[] = {"description", "firmware", "kernel",
                                       "options",     "inject",   "expect"};
static const char *const kernel_keys[] = {"image", "initrd", "dtb", "symbols", "append"};

static const char *unknown_key(json_t *obj, const char *const *keys, size_t n)
{
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v)
	{
		size_t i = 0;
		while (i < n && strcmp(keys[i], k))
			i++;
		if (i == n)
			return k;
	}
	return NULL;
}

/* "kernel": {"image", "initrd", "dtb", "symbols", "append"}: `sim run --kernel` with the
 * options of the same names. The Image, DTB and symbols are looked for under
 * $HYPSIM_KERNEL_DIR, the initrd under $HYPSIM_FIRMWARE_DIR (then, for each, next to the
 * scenario and in the current directory). */
static struct scenario *parse_kernel(struct scenario *sc, json_t *root, json_t *kj,
                                     struct sim_options *opt, char *err, size_t len,
                                     const char *path)
{
	if (!json_is_object(kj))
		return bad(sc, root, err, len, path,
		           "\"kernel\" must be an object {\"image\", \"initrd\", \"dtb\", "
		           "\"symbols\", \"append\"}",
		           NULL);
	const char *k = unknown_key(kj, kernel_keys, sizeof(kernel_keys) / sizeof(kernel_keys[0]));
	if (k)
		return bad(sc, root, err, len, path, "unknown key in \"kernel\"", k);
	const char *image = json_string_value(json_object_get(kj, "image"));
	if (!image)
		return bad(sc, root, err, len, path, "\"kernel\" needs \"image\" (a path string)",
		           NULL);
	if (!(sc->firmware = resolve_file(path, image, "HYPSIM_KERNEL_DIR")))
		return bad(sc, root, err, len, path,
		           "kernel image not found ($HYPSIM_KERNEL_DIR, the scenario's directory, "
		           "the current directory)",
		           image);
	opt->kernel.kernel = sc->firmware;
	static const char *const files[] = {"initrd", "dtb", "symbols"};
	const char **dst[] = {&opt->kernel.initrd, &opt->kernel.dtb, &opt->kernel.symbols};
	for (size_t i = 0; i < 3; i++) {
		json_t *v = json_object_get(kj, files[i]);
		if (!v)
			continue;
		if (!json_is_string(v))
			return bad(sc, root, err, len, path, "must be a path string", files[i]);
		const char *env = i ? "HYPSIM_KERNEL_DIR" : "HYPSIM_FIRMWARE_DIR";
		if (!(sc->kfile[i] = resolve_file(path, json_string_value(v), env))) {
			char why[128];
			snprintf(why, sizeof(why), "kernel %s not found ($%s, the scenario's "
			         "directory, the current directory)", files[i], env);
			return bad(sc, root, err, len, path, why, json_string_value(v));
		}
		*dst[i] = sc->kfile[i];
	}
	json_t *ap = json_object_get(kj, "append");
	if (ap && !json_is_string(ap))
		return bad(sc, root, err, len, path, "\"kernel.append\" must be a string", NULL);
	if (ap && !(sc->append = strdup(json_string_value(ap))))
		return bad(sc, root, err, len, path, "out of memory", NULL);
	opt->kernel.append = sc->append;
	return sc;
}

static struct scenario *parse_expect(struct scenario *sc, json_t *root, json_t *ex, char *err,
                                     size_t len, const char *path)
{
	if (json_is_string(ex)) {
		const char *v = json_string_value(ex);
		if (!strcmp(v, "clean"))
			sc->expect = EXPECT_CLEAN;
		else if (!strcmp(v, "unfinished"))
			sc->expect = EXPECT_UNFINISHED;
		else
			return bad(
			    sc, root, err, len, path,
			    "\"expect\" must be \"clean\", \"unfinished\" or {\"hazards\": [...]}",
			    v);
		return sc;
	}
	json_t *list = json_object_get(ex, "hazards");
	if (!json_is_object(ex) || !json_is_array(list) || !json_array_size(list))
		return bad(sc, root, err, len, path,
		           "\"expect\" must be \"clean\", \"unfinished\" or {\"hazards\": [...]} "
		           "with at least one hazard",
		           NULL);
	json_t *only = json_object_get(ex, "only");
	if (only && !json_is_boolean(only) &&
	    !(json_is_string(only) && !strcmp(json_string_value(only), "listed")))
		return bad(sc, root, err, len, path,
		           "\"expect.only\" must be true, false or \"listed\"", NULL);
	sc->only = json_is_string(only) ? ONLY_LISTED : json_is_true(only) ? ONLY_CLASSES : ONLY_NONE;
	sc->expect = EXPECT_HAZARDS;
	size_t i;
	json_t *h;
	json_array_foreach(list, i, h)
	{
		if (i >= MAX_EXPECT)
			return bad(sc, root, err, len, path, "more than 16 expected hazards", NULL);
		struct expected_hz *e = &sc->hz[sc->nhz++];
		memset(e, 0, sizeof(*e));
		const char *cls = json_string_value(json_object_get(h, "class"));
		if (!json_is_object(h) || !cls)
			return bad(sc, root, err, len, path,
			           "each expected hazard needs a \"class\" string", NULL);
		if (!hz_class_from_name(cls, &e->cls))
			return bad(sc, root, err, len, path, "unknown hazard class", cls);
		json_t *at = json_object_get(h, "at");
		if (at && !json_is_string(at))
			return bad(sc, root, err, len, path,
			           "\"at\" must be a string (symbol+0xoff, symbol or 0xVA)", NULL);
		snprintf(e->at, sizeof(e->at), "%s", at ? json_string_value(at) : "");
		json_t *cause = json_object_get(h, "cause_at");
		if (cause) {
			const char *c = json_string_value(cause);
			char *end = NULL;
			if (c && c[0] == '0' && c[1] == 'x')
				e->cause_pc = strtoull(c, &end, 16);
			if (!end || end == c + 2 || *end)
				return bad(sc, root, err, len, path,
				           "\"cause_at\" must be a PC string, 0x followed by hex digits",
				           NULL);
			e->has_cause = true;
		}
		json_t *cpu = json_object_get(h, "cpu");
		if (cpu && (!json_is_integer(cpu) || json_integer_value(cpu) < 0 ||
		            json_integer_value(cpu) >= SIM_MAX_CPUS))
			return bad(sc, root, err, len, path, "\"cpu\" must be a CPU number, 0 to 7",
			           NULL);
		e->has_cpu = cpu != NULL;
		e->cpu = cpu ? (unsigned)json_integer_value(cpu) : 0;
		const char *ev = json_string_value(json_object_get(h, "event"));
		if (ev) {
			int k = 0;
			while (k < EV_COUNT && strcmp(ev_kind_name((enum ev_kind)k), ev))
				k++;
			if (k == EV_COUNT)
				return bad(sc, root, err, len, path, "unknown event kind", ev);
			e->has_ev = true;
			e->ev = (enum ev_kind)k;
		}
	}
	return sc;
}

struct scenario *scenario_load(const char *path, struct sim_options *opt, struct inject **inj,
                               char *err, size_t len)
{
	json_error_t je;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	struct scenario *sc = calloc(1, sizeof(*sc));
	if (!sc)
		return bad(sc, root, err, len, path, "out of memory", NULL);
	char q[1024]; /* the path and the description are echoed in messages (msg.h) */
	sc->path = strdup(msg_quote(path, q, sizeof(q)));
	if (!root) {
		if (je.line < 0)
			return bad(sc, root, err, len, path, "cannot read", je.text);
		snprintf(err, len, "%s:%d: not valid JSON: %s", path, je.line, je.text);
		scenario_free(sc);
		return NULL;
	}
	if (!json_is_object(root))
		return bad(sc, root, err, len, path, "not a JSON object", NULL);
	const char *k = unknown_key(root, top_keys, sizeof(top_keys) / sizeof(top_keys[0]));
	if (k)
		return bad(sc, root, err, len, path, "unknown key", k);
	json_t *kj = json_object_get(root, "kernel");
	const char *fw = json_string_value(json_object_get(root, "firmware"));
	if (kj) {
		if (json_object_get(root, "firmware"))
			return bad(sc, root, err, len, path,
			           "\"firmware\" and \"kernel\" exclude each other", NULL);
		if (!parse_kernel(sc, root, kj, opt, err, len, path))
			return NULL;
	} else if (!fw) {
		return bad(sc, root, err, len, path,
		           "missing \"firmware\" (a path string) or \"kernel\" (an object)", NULL);
	} else if (!(sc->firmware = resolve_file(path, fw, "HYPSIM_FIRMWARE_DIR"))) {
		return bad(sc, root, err, len, path,
		           "firmware not found ($HYPSIM_FIRMWARE_DIR, the scenario's directory, "
		           "the current directory)",
		           fw);
	}
	opt->firmware = sc->firmware;
	/* The reports are judged through the injection state (inject_on_report). */
	if (!*inj && !(*inj = calloc(1, sizeof(**inj))))
		return bad(sc, root, err, len, path, "out of memory", NULL);
	const char *d = json_string_value(json_object_get(root, "description"));
	sc->description = strdup(msg_quote(d ? d : "", q, sizeof(q)));

	json_t *o = json_object_get(root, "options");
	if (o && !json_is_object(o))
		return bad(sc, root, err, len, path, "\"options\" must be an object", NULL);
	if (o && (k = unknown_key(o, option_keys, sizeof(option_keys) / sizeof(option_keys[0]))))
		return bad(sc, root, err, len, path, "unknown option", k);
	json_t *v;
	const char *why;
	if (o && (v = json_object_get(o, "ram_base")) &&
	    (!json_u64(v, &opt->ram_base) || !mach_ram_base_ok(opt->ram_base, &why)))
		return bad(sc, root, err, len, path,
		           "options.ram_base must be a 2 MiB-aligned PA string such as "
		           "\"0x100000000\" below 2^44",
		           NULL);
	if (o && (v = json_object_get(o, "ram"))) {
		if (!json_is_string(v) ||
		    !mach_parse_size(json_string_value(v), &opt->ram_size, &why))
			return bad(sc, root, err, len, path,
			           "options.ram must be a size such as \"256M\"", NULL);
	}
	if (o && (v = json_object_get(o, "max_insns")) &&
	    (!json_u64(v, &opt->max_insns) || !opt->max_insns))
		return bad(sc, root, err, len, path, "options.max_insns must be a positive number",
		           NULL);
	if (o && (v = json_object_get(o, "cpus"))) {
		uint64_t n;
		if (!json_is_integer(v) || !json_u64(v, &n) || n < 1 || n > SIM_MAX_CPUS)
			return bad(sc, root, err, len, path,
			           "options.cpus must be a number of CPUs from 1 to 8", NULL);
		opt->ncpus = (unsigned)n;
	}
	if (o && (v = json_object_get(o, "tlb"))) {
		const char *t = json_string_value(v);
		if (!t || (strcmp(t, "speculative") && strcmp(t, "accessed")))
			return bad(sc, root, err, len, path,
			           "options.tlb must be \"speculative\" or \"accessed\"", NULL);
		opt->tlb_accessed = !strcmp(t, "accessed");
	}

	json_t *list = json_object_get(root, "inject");
	if (list && !json_is_array(list))
		return bad(sc, root, err, len, path, "\"inject\" must be an array of spec strings",
		           NULL);
	size_t i;
	json_array_foreach(list, i, v)
	{
		const char *spec = json_string_value(v);
		if (!spec)
			return bad(sc, root, err, len, path,
			           "\"inject\" must be an array of spec strings", NULL);
		struct inj_spec sp;
		char why2[256];
		if (inj_parse(spec, &sp, why2, sizeof(why2)))
			return bad(sc, root, err, len, path, why2, NULL);
		if (inject_add(*inj, &sp))
			return bad(sc, root, err, len, path, "out of memory", NULL);
		inject_options(&sp, opt);
	}
	json_t *ex = json_object_get(root, "expect");
	if (!ex)
		return bad(sc, root, err, len, path, "missing \"expect\"", NULL);
	if (!parse_expect(sc, root, ex, err, len, path))
		return NULL;
	json_decref(root);
	return sc;
}

/* "at": "symbol+0xoff" exactly as reports print it, "symbol" (any offset in it), or "0xVA"
 * (the PC the report names, for code no symbol covers). */
static bool at_matches(const char *at, const struct inj_report *r)
{
	if (!at[0] || !strcmp(at, r->sym))
		return true;
	if (at[0] == '0' && at[1] == 'x') {
		char *end;
		uint64_t va = strtoull(at, &end, 16);
		return !*end && va == r->va;
	}
	size_t n = strlen(at);
	return !strchr(at, '+') && !strncmp(at, r->sym, n) && r->sym[n] == '+';
}

static bool cause_matches(const struct expected_hz *e, const struct inj_report *r)
{
	if (!e->has_cause)
		return true;
	for (unsigned k = 0; k < r->ncause; k++)
		if (r->cause_pc[k] == e->cause_pc)
			return true;
	return false;
}

static bool matches(const struct expected_hz *e, const struct inj_report *r)
{
	return e->cls == r->cls && at_matches(e->at, r) && cause_matches(e, r) &&
	       (!e->has_ev || e->ev == r->ev) && (!e->has_cpu || e->cpu == r->cpu);
}

/* Where a report is: its symbol+offset, or its PC when no symbol covers it. */
static const char *site(const struct inj_report *r, char *buf, size_t len)
{
	if (r->sym[0])
		snprintf(buf, len, "%s", r->sym);
	else
		snprintf(buf, len, "0x%" PRIx64, r->va);
	return buf;
}

static void describe(const struct expected_hz *e, char *buf, size_t len)
{
	char cpu[16] = "", q[160];
	if (e->has_cpu)
		snprintf(cpu, sizeof(cpu), " on cpu%u", e->cpu);
	snprintf(buf, len, "%s%s%s%s%s%s", hz_class_name(e->cls), e->at[0] ? " at " : "",
	         msg_quote(e->at, q, sizeof(q)), e->has_ev ? " on a " : "",
	         e->has_ev ? ev_kind_name(e->ev) : "", cpu);
}

int scenario_judge(const struct scenario *sc, const struct sim *s, int status)
{
	if (status == SIM_EXIT_USAGE || status == SIM_EXIT_INTERNAL)
		return status;
	const struct inj_report *r = s->inj ? s->inj->reports : NULL;
	size_t n = s->inj ? s->inj->nreports : 0;
	const char *p = sc->path;
	int fails = 0;
	char w[160], w2[80];
	switch (sc->expect) {
	case EXPECT_CLEAN:
		if (status != SIM_EXIT_OFF) {
			fprintf(stderr,
			        "sim: scenario %s: expected a clean run, got exit status %d%s%s\n",
			        p, status, s->end_msg[0] ? ": " : "", s->end_msg);
			fails++;
		}
		for (size_t i = 0; i < n; i++, fails++)
			fprintf(stderr, "sim: scenario %s: expected no hazard, got %s at %s: %s\n",
			        p, hz_class_name(r[i].cls), site(&r[i], w2, sizeof(w2)),
			        r[i].text);
		break;
	case EXPECT_UNFINISHED:
		if (status != SIM_EXIT_UNFINISHED) {
			fprintf(stderr,
			        "sim: scenario %s: expected a run that does not finish (exit "
			        "status 3), "
			        "got exit status %d\n",
			        p, status);
			fails++;
		}
		break;
	case EXPECT_HAZARDS:
		for (size_t k = 0; k < sc->nhz; k++) {
			size_t i = 0;
			while (i < n && !matches(&sc->hz[k], &r[i]))
				i++;
			if (i < n)
				continue;
			describe(&sc->hz[k], w, sizeof(w));
			fprintf(stderr, "sim: scenario %s: expected %s, not reported", p, w);
			for (i = 0; i < n && r[i].cls != sc->hz[k].cls; i++)
				;
			if (i < n)
				fprintf(stderr, " (%s reported at %s: %s)", hz_class_name(r[i].cls),
				        site(&r[i], w2, sizeof(w2)), r[i].text);
			else if (!n)
				fprintf(stderr, " (no hazard was reported; exit status %d)",
				        status);
			fputc('\n', stderr);
			fails++;
		}
		for (size_t i = 0; sc->only && i < n; i++) {
			size_t k = 0;
			while (k < sc->nhz && (sc->only == ONLY_LISTED ? !matches(&sc->hz[k], &r[i])
			                                               : sc->hz[k].cls != r[i].cls))
				k++;
			if (k < sc->nhz)
				continue;
			fprintf(stderr,
			        "sim: scenario %s: unexpected %s at %s: %s (\"only\": %s)\n", p,
			        hz_class_name(r[i].cls), site(&r[i], w2, sizeof(w2)), r[i].text,
			        sc->only == ONLY_LISTED ? "\"listed\"" : "true");
			fails++;
		}
		break;
	}
	if (fails)
		return SIM_EXIT_HAZARD;
	fprintf(stderr, "sim: scenario %s: expectation holds%s%s\n", p,
	        sc->description[0] ? " - " : "", sc->description);
	return SIM_EXIT_OFF;
}
