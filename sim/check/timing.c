/*
 * timing.c - `sim run --timing` (timing.h): profile loading, phases, the phase table and
 * the per-instruction cost of maintenance for campaigns.
 */
#include "check/timing.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "trace/trace.h"

struct sim_builtin_profile {
	const char *name, *path, *text;
	size_t len;
};
/* The text files of profiles/, built in by profiles/embed.py. */
extern const struct sim_builtin_profile sim_builtin_profiles[];

#define MAX_PROFILE_BYTES (1u << 20)
#define MAINT_SLOTS       4096

struct phase {
	char reason[64];
	bool loc_known; /* va/pa/el: the first instruction fetched in the phase */
	uint64_t va, pa;
	unsigned el;
	struct tm_counters start;
};

/* A maintenance or barrier instruction, by PC and operation. */
struct maint {
	bool used;
	uint64_t pc, pa;
	enum ev_kind kind;
	int op;
	uint64_t count, centicycles, latency;
};

struct sim_timing {
	struct tm *tm;
	const struct mem_ops *mem; /* the machine's, filled in when the machine is built */
	struct tm_profile prof;
	const char *profile_src; /* the file, or "profiles/NAME.txt" */
	uint64_t phase_pa[SIM_TIMING_MAX_PHASE_SYMS];
	const char *phase_name[SIM_TIMING_MAX_PHASE_SYMS];
	unsigned nphase;
	const struct model *last_model; /* a new model: a new machine, caches invalid */
	struct trace *trace;
	struct phase *ph;
	size_t nph, cap;
	uint64_t cur_pa; /* PA of the instruction in progress */
	struct maint maint[MAINT_SLOTS];
	size_t nmaint;
};

/* ---- profile ---- */

static int read_file(const char *path, char **text, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	char *buf = malloc(MAX_PROFILE_BYTES + 1);
	size_t n = buf ? fread(buf, 1, MAX_PROFILE_BYTES + 1, f) : 0;
	bool bad = ferror(f);
	fclose(f);
	if (!buf || bad) {
		free(buf);
		snprintf(err, errlen, "%s: cannot read", path);
		return -1;
	}
	if (n > MAX_PROFILE_BYTES) {
		free(buf);
		snprintf(err, errlen, "%s: larger than 1 MiB: not a CPU profile", path);
		return -1;
	}
	*text = buf;
	*len = n;
	return 0;
}

/* NAME of a built-in profile, else a FILE (a NAME that is not built in and has no '/'
 * or '.' is reported as an unknown profile, not as a missing file). */
static int load_profile(struct sim_timing *st, const char *arg, char *err, size_t errlen)
{
	char perr[160];
	for (const struct sim_builtin_profile *b = sim_builtin_profiles; b->name; b++)
		if (!strcmp(b->name, arg)) {
			st->profile_src = b->path;
			if (tm_profile_parse(b->text, b->len, &st->prof, perr, sizeof(perr))) {
				snprintf(err, errlen, "%s: %s", b->path, perr);
				return -1;
			}
			return 0;
		}
	if (!strchr(arg, '/') && !strchr(arg, '.')) {
		char names[128] = "";
		for (const struct sim_builtin_profile *b = sim_builtin_profiles; b->name; b++)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
			         names[0] ? ", " : "", b->name);
		snprintf(err, errlen,
		         "--cpu-profile %s: no such built-in profile (%s) and not a file path", arg,
		         names);
		return -1;
	}
	char *text;
	size_t len;
	if (read_file(arg, &text, &len, err, errlen))
		return -1;
	st->profile_src = arg;
	int rc = tm_profile_parse(text, len, &st->prof, perr, sizeof(perr));
	free(text);
	if (rc) {
		snprintf(err, errlen, "%s: %s", arg, perr);
		return -1;
	}
	return 0;
}

/* The cost model's own walks read memory as the program sees it: the machine's mem_ops,
 * which sim_run sets up after the command line is parsed. */
static bool mem_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	const struct sim_timing *st = ctx;
	return st->mem->read && st->mem->read(st->mem->ctx, pa, buf, len);
}

/* ---- phases ---- */

static void open_phase(struct sim_timing *st, const char *reason, const struct tm_counters *start)
{
	struct phase *cur = st->nph ? &st->ph[st->nph - 1] : NULL;
	if (cur && cur->start.insns == start->insns) {
		/* Nothing executed since the last split (an ERET whose target runs with the
		 * MMU off, say): one phase, both reasons. */
		size_t l = strlen(cur->reason);
		if (!strstr(cur->reason, reason))
			snprintf(cur->reason + l, sizeof(cur->reason) - l, ", %s", reason);
		return;
	}
	if (st->nph == st->cap) {
		size_t cap = st->cap ? 2 * st->cap : 64;
		struct phase *n = realloc(st->ph, cap * sizeof(*n));
		if (!n)
			return; /* out of memory: the current phase grows instead */
		st->ph = n;
		st->cap = cap;
	}
	struct phase *p = &st->ph[st->nph++];
	memset(p, 0, sizeof(*p));
	snprintf(p->reason, sizeof(p->reason), "%s", reason);
	p->start = *start;
}

struct sim_timing *sim_timing_new(const struct sim_timing_args *a, const struct image *img,
                                  const struct mem_ops *mem, char *err, size_t errlen)
{
	struct sim_timing *st = calloc(1, sizeof(*st));
	if (!st) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (load_profile(st, a->profile ? a->profile : SIM_TIMING_DEFAULT_PROFILE, err, errlen))
		goto fail;
	for (unsigned i = 0; i < a->nphase_syms; i++) {
		const char *name = a->phase_syms[i];
		bool found = false;
		for (size_t k = 0; k < img->nsyms && !found; k++)
			if (!strcmp(img->syms[k].name, name)) {
				st->phase_pa[st->nphase] = img->syms[k].addr;
				st->phase_name[st->nphase++] = name;
				found = true;
			}
		if (!found) {
			snprintf(err, errlen, "--phase %s: no such symbol in %s", name, img->path);
			goto fail;
		}
	}
	st->mem = mem;
	st->tm = tm_new(&st->prof, 1, &(struct mem_ops){.read = mem_read, .ctx = st});
	if (!st->tm) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	open_phase(st, "reset", tm_counters(st->tm));
	return st;
fail:
	sim_timing_free(st);
	return NULL;
}

void sim_timing_free(struct sim_timing *st)
{
	if (!st)
		return;
	tm_free(st->tm);
	free(st->ph);
	free(st);
}

void sim_timing_set_trace(struct sim_timing *st, struct trace *t)
{
	st->trace = t;
}

/* "1.5" for 150 hundredths of a cycle. */
static json_t *cycles_json(uint64_t centi)
{
	return centi % 100 ? json_real((double)centi / 100)
	                   : json_integer((json_int_t)(centi / 100));
}

const uint64_t *sim_timing_centicycles(const struct sim_timing *st)
{
	return &tm_counters(st->tm)->centicycles;
}

static struct maint *maint_slot(struct sim_timing *st, uint64_t pc, enum ev_kind k, int op)
{
	uint64_t h = (pc * UINT64_C(0x9e3779b97f4a7c15)) ^ ((uint64_t)k << 8 | (unsigned)op);
	for (size_t i = 0; i < MAINT_SLOTS; i++) {
		struct maint *m = &st->maint[(h + i) % MAINT_SLOTS];
		if (m->used && m->pc == pc && m->kind == k && m->op == op)
			return m;
		if (!m->used) {
			if (st->nmaint >= MAINT_SLOTS / 2)
				return NULL; /* keep probing short: later sites go uncounted */
			st->nmaint++;
			*m = (struct maint){.used = true, .pc = pc, .kind = k, .op = op};
			return m;
		}
	}
	return NULL;
}

static int op_of(const struct model_event *ev)
{
	switch (ev->kind) {
	case EV_TLBI:
		return (int)ev->u.tlbi.op;
	case EV_DC:
		return (int)ev->u.dc.op;
	case EV_IC:
		return (int)ev->u.ic.op;
	case EV_DSB:
	case EV_DMB:
		return (int)ev->u.barrier.dom;
	default:
		return 0;
	}
}

void sim_timing_event(struct sim_timing *st, const struct model *m, const struct model_event *ev,
                      const struct model_step_result *res)
{
	if (m != st->last_model) {
		/* A new machine (boot, PSCI SYSTEM_RESET): caches and TLBs start invalid
		 * (DESIGN §2 boot convention). */
		if (st->last_model)
			tm_reset(st->tm);
		st->last_model = m;
	}
	struct tm_counters before = *tm_counters(st->tm);
	struct tm_step out;
	tm_event(st->tm, m, ev, res, &out);
	if (st->trace && (out.centicycles || out.queued)) {
		/* docs/trace-format.md `cost`: the event is named by its model number. */
		char pc[24];
		snprintf(pc, sizeof(pc), "0x%" PRIx64, ev->pc);
		json_t *o =
		    json_pack("{s:I, s:I, s:s, s:s, s:o}", "cpu", (json_int_t)ev->cpu, "model_seq",
		              (json_int_t)model_seq(m), "event", ev_kind_name(ev->kind), "pc", pc,
		              "cyc", cycles_json(out.centicycles));
		if (out.queued)
			json_object_set_new(o, "queued", cycles_json(out.queued));
		trace_json_event(st->trace, "cost", o);
	}
	char why[64];
	switch (ev->kind) {
	case EV_FETCH: {
		uint64_t pa = res && res->is_access && res->mmu_on && res->fault.type == FAULT_NONE
		                  ? res->tr.oa
		                  : ev->u.mem.va;
		st->cur_pa = pa;
		if (out.mmu_switch)
			open_phase(st, res->mmu_on ? "MMU on" : "MMU off", &before);
		for (unsigned i = 0; i < st->nphase; i++)
			if (st->phase_pa[i] == pa) {
				snprintf(why, sizeof(why), "--phase %s", st->phase_name[i]);
				open_phase(st, why, &before);
			}
		struct phase *p = &st->ph[st->nph - 1];
		if (!p->loc_known) {
			p->loc_known = true;
			p->va = ev->u.mem.va;
			p->pa = pa;
			p->el = model_cpu_el(m, ev->cpu);
		}
		break;
	}
	case EV_SYSREG:
		if (out.ttbr_write) {
			snprintf(why, sizeof(why), "%s", sysreg_name(ev->u.sysreg.reg));
			open_phase(st, why, &before);
		}
		break;
	case EV_EXC_ENTRY:
		snprintf(why, sizeof(why), "exc EL%u->EL%u", ev->u.exc.from_el, ev->u.exc.to_el);
		open_phase(st, why, &before);
		break;
	case EV_ERET:
		snprintf(why, sizeof(why), "eret EL%u->EL%u", ev->u.eret.from_el, ev->u.eret.to_el);
		open_phase(st, why, &before);
		break;
	case EV_TLBI:
	case EV_DC:
	case EV_IC:
	case EV_DSB:
	case EV_DMB:
	case EV_ISB: {
		struct maint *mt = maint_slot(st, ev->pc, ev->kind, op_of(ev));
		if (mt) {
			mt->pa = st->cur_pa;
			mt->count++;
			mt->centicycles += out.centicycles;
			mt->latency += out.queued;
		}
		break;
	}
	default:
		break;
	}
}

/* ---- report ---- */

static void diff(const struct tm_counters *a, const struct tm_counters *b, struct tm_counters *d)
{
	const uint64_t *x = (const uint64_t *)(const void *)a,
	               *y = (const uint64_t *)(const void *)b;
	uint64_t *z = (uint64_t *)(void *)d;
	for (size_t i = 0; i < sizeof(*d) / sizeof(uint64_t); i++)
		z[i] = y[i] - x[i];
}

/* "symbol+0xoff" of a phase's first instruction (its PA: symbols are link addresses). */
static void where(const struct phase *p, const struct image *img, char *buf, size_t len)
{
	if (!p->loc_known) {
		snprintf(buf, len, "(no instruction)");
		return;
	}
	char sym[96];
	img_symbolize_pc(img, p->pa, p->el, sym, sizeof(sym));
	if (sym[0])
		snprintf(buf, len, "%s", sym);
	else
		snprintf(buf, len, "0x%" PRIx64, p->va);
}

static uint64_t cyc(uint64_t centi)
{
	return (centi + 50) / 100;
}

static const char *maint_op_name(const struct maint *m, char *buf, size_t len)
{
	switch (m->kind) {
	case EV_TLBI:
		snprintf(buf, len, "tlbi %s", tlbi_op_name((enum tlbi_op)m->op));
		break;
	case EV_DC:
		snprintf(buf, len, "dc %s", dc_op_name((enum dc_op)m->op));
		break;
	case EV_IC:
		snprintf(buf, len, "ic %s", ic_op_name((enum ic_op)m->op));
		break;
	case EV_DSB:
	case EV_DMB:
		snprintf(buf, len, "%s %s", m->kind == EV_DSB ? "dsb" : "dmb",
		         barrier_domain_name((enum barrier_domain)m->op));
		break;
	default:
		snprintf(buf, len, "isb");
		break;
	}
	return buf;
}

static int cmp_maint(const void *a, const void *b)
{
	const struct maint *x = a, *y = b;
	if (x->pc != y->pc)
		return x->pc < y->pc ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return x->op < y->op ? -1 : x->op > y->op;
}

static int cmp_cost(const void *a, const void *b)
{
	const struct maint *x = a, *y = b;
	uint64_t cx = x->centicycles + x->latency, cy = y->centicycles + y->latency;
	if (cx != cy)
		return cx > cy ? -1 : 1;
	return cmp_maint(a, b);
}

/* The maintenance and barrier instructions seen, sorted by cmp, in a new array of *n
 * (NULL and *n = 0 when out of memory). */
static struct maint *sorted_maint(const struct sim_timing *st,
                                  int (*cmp)(const void *, const void *), size_t *n)
{
	struct maint *all = malloc(sizeof(*all) * (st->nmaint ? st->nmaint : 1));
	*n = 0;
	for (size_t i = 0; all && i < MAINT_SLOTS; i++)
		if (st->maint[i].used)
			all[(*n)++] = st->maint[i];
	if (all)
		qsort(all, *n, sizeof(*all), cmp);
	return all;
}

/* The maintenance and barrier instructions that cost most (charged plus queued), most
 * first, ties in PC order; returns how many were copied into out. */
static size_t top_maint(const struct sim_timing *st, struct maint *out, size_t max)
{
	size_t n;
	struct maint *all = sorted_maint(st, cmp_cost, &n);
	if (n > max)
		n = max;
	if (n)
		memcpy(out, all, n * sizeof(*all));
	free(all);
	return n;
}

void sim_timing_print(const struct sim_timing *st, const struct image *img, FILE *f)
{
	const struct tm_counters *end = tm_counters(st->tm);
	fprintf(f,
	        "sim: timing, CPU profile %s (%s); phases split at MMU on/off, TTBR writes, "
	        "exception entry/return%s\n",
	        st->prof.name, st->profile_src, st->nphase ? " and --phase symbols" : "");
	/* Columns as wide as their widest entry: a symbol+offset is never cut short. */
	int wloc = 5, wreason = 6;
	for (size_t i = 0; i < st->nph; i++) {
		char loc[96];
		where(&st->ph[i], img, loc, sizeof(loc));
		int l = (int)strlen(loc), r = (int)strlen(st->ph[i].reason);
		wloc = l > wloc ? l : wloc;
		wreason = r > wreason ? r : wreason;
	}
	fprintf(f, "%3s %-*s %-*s %2s %8s %9s %5s %5s %5s %5s %5s %5s %4s %4s %4s %4s %4s\n", "#",
	        wloc, "start", wreason, "reason", "EL", "insns", "cycles", "tlbm", "walk", "wchit",
	        "dmiss", "imiss", "nc", "tlbi", "dc", "ic", "dsb", "isb");
	for (size_t i = 0; i < st->nph; i++) {
		const struct phase *p = &st->ph[i];
		struct tm_counters d;
		diff(&p->start, i + 1 < st->nph ? &st->ph[i + 1].start : end, &d);
		char loc[96];
		where(p, img, loc, sizeof(loc));
		fprintf(f,
		        "%3zu %-*s %-*s %2u %8" PRIu64 " %9" PRIu64 " %5" PRIu64
		        " %5" PRIu64 " %5" PRIu64 " %5" PRIu64 " %5" PRIu64 " %5" PRIu64
		        " %4" PRIu64 " %4" PRIu64 " %4" PRIu64 " %4" PRIu64 " %4" PRIu64 "\n",
		        i, wloc, loc, wreason, p->reason, p->el, d.insns, cyc(d.centicycles), d.tlb_misses,
		        d.walk_reads, d.walk_cache_hits, d.dcache_misses, d.icache_misses,
		        d.nc_accesses, d.tlbi, d.dc, d.ic, d.dsb, d.isb);
	}
	fprintf(f,
	        "%3s %-*s %-*s %2s %8" PRIu64 " %9" PRIu64 " %5" PRIu64 " %5" PRIu64 " %5" PRIu64
	        " %5" PRIu64 " %5" PRIu64 " %5" PRIu64 " %4" PRIu64 " %4" PRIu64 " %4" PRIu64
	        " %4" PRIu64 " %4" PRIu64 "\n",
	        "", wloc, "total", wreason, "", "", end->insns, cyc(end->centicycles), end->tlb_misses,
	        end->walk_reads, end->walk_cache_hits, end->dcache_misses, end->icache_misses,
	        end->nc_accesses, end->tlbi, end->dc, end->ic, end->dsb, end->isb);
	fprintf(f, "sim: timing: DSBs waited %" PRIu64 " cycles for maintenance in flight\n",
	        cyc(end->dsb_wait));
	struct maint top[8];
	size_t n = top_maint(st, top, 8);
	if (n)
		fprintf(f, "sim: timing: costliest maintenance and barriers (cycles at the "
		           "instruction + latency queued for a DSB):\n");
	for (size_t i = 0; i < n; i++) {
		char sym[96], op[48];
		img_symbolize(img, top[i].pa, sym, sizeof(sym));
		fprintf(f,
		        "    %-30s pc 0x%-10" PRIx64 " %-14s x%-5" PRIu64 " %7" PRIu64
		        " + %7" PRIu64 "\n",
		        sym[0] ? sym : "?", top[i].pc, maint_op_name(&top[i], op, sizeof(op)),
		        top[i].count, cyc(top[i].centicycles), cyc(top[i].latency));
	}
}

static json_t *hex(uint64_t v)
{
	char b[24];
	snprintf(b, sizeof(b), "0x%" PRIx64, v);
	return json_string(b);
}

static json_t *counters_json(const struct tm_counters *c)
{
	return json_pack(
	    "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "insns",
	    (json_int_t)c->insns, "cycles", (json_int_t)cyc(c->centicycles), "tlb_misses",
	    (json_int_t)c->tlb_misses, "walk_reads", (json_int_t)c->walk_reads, "walk_cache_hits",
	    (json_int_t)c->walk_cache_hits, "dcache_misses", (json_int_t)c->dcache_misses,
	    "icache_misses", (json_int_t)c->icache_misses, "noncacheable",
	    (json_int_t)c->nc_accesses, "tlbi", (json_int_t)c->tlbi, "dc", (json_int_t)c->dc, "ic",
	    (json_int_t)c->ic, "dsb", (json_int_t)c->dsb, "isb", (json_int_t)c->isb,
	    "dsb_wait_cycles", (json_int_t)cyc(c->dsb_wait));
}

json_t *sim_timing_json(const struct sim_timing *st, const struct image *img)
{
	const struct tm_counters *end = tm_counters(st->tm);
	json_t *o = counters_json(end);
	if (!o)
		return NULL;
	json_object_set_new(o, "profile", json_string(st->prof.name));
	json_t *phases = json_array();
	for (size_t i = 0; i < st->nph; i++) {
		const struct phase *p = &st->ph[i];
		struct tm_counters d;
		diff(&p->start, i + 1 < st->nph ? &st->ph[i + 1].start : end, &d);
		char loc[96];
		where(p, img, loc, sizeof(loc));
		json_t *j = counters_json(&d);
		json_object_set_new(j, "start", json_string(loc));
		json_object_set_new(j, "pc", p->loc_known ? hex(p->va) : json_null());
		json_object_set_new(j, "reason", json_string(p->reason));
		json_array_append_new(phases, j);
	}
	json_object_set_new(o, "phases", phases);
	/* In PC order, so the output is the same from run to run. */
	size_t n;
	struct maint *ms = sorted_maint(st, cmp_maint, &n);
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		char sym[96], op[48];
		img_symbolize(img, ms[i].pa, sym, sizeof(sym));
		json_array_append_new(arr, json_pack("{s:o, s:o, s:s, s:s, s:I, s:I, s:I}", "pc",
		                                     hex(ms[i].pc), "pa", hex(ms[i].pa), "sym", sym,
		                                     "op", maint_op_name(&ms[i], op, sizeof(op)),
		                                     "count", (json_int_t)ms[i].count, "cycles",
		                                     (json_int_t)cyc(ms[i].centicycles), "latency",
		                                     (json_int_t)cyc(ms[i].latency)));
	}
	free(ms);
	json_object_set_new(o, "maintenance", arr);
	return o;
}
