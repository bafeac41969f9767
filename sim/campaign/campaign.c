/*
 * campaign.c - `sim campaign` (see campaign.h).
 *
 * Two runs of the unchanged firmware share nothing but the image: a baseline (its
 * occurrences within --only, its reports, its UART text, its length), then the forking run,
 * whose children are the variants; it ends once the last one is forked. The baseline is
 * what a variant is compared with: a variant that reports nothing the baseline did not and
 * prints other UART text is a miss of the checker, not "no hazard".
 */
#include "campaign/campaign.h"

#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "campaign/inject.h"
#include "campaign/only.h"
#include "campaign/outhash.h"
#include "campaign/rejoin.h"
#include "check/timing.h"
#include "engine/cpu.h"
#include "engine/hazards.h"
#include "engine/mmu.h"
#include "engine/run.h"
#include "engine/sim.h"
#include "machine/decode.h"
#include "machine/disasm.h"
#include "machine/machine.h"
#include "machine/msg.h"
#include "model.h"

enum verdict_kind { V_PENDING, V_HAZARD, V_CLEAN, V_OUTPUT, V_FAILED };

/* One variant, in memory shared with the children (MAP_SHARED). */
struct variant {
	/* Filled by the parent before the fork. */
	uint8_t cls;
	uint64_t nth, pc, insn_no;
	uint32_t enc;
	char sym[64];
	char text[96];
	char why[128]; /* what the model says about a dropped DC's line ("" : nothing) */
	/* Filled by the child. */
	int kind;
	int status;
	uint64_t rejoined; /* the instruction where it rejoined the unchanged run (0: did not) */
	uint64_t hz_insn;  /* the instruction at which its hazard was reported */
	uint8_t hz_cls, hz_ev;
	char hz_sym[64];
	char hz_text[96];
	char detail[256];
};

/* Which process of the campaign this is. */
enum role { ROLE_PARENT, ROLE_RECORDER, ROLE_VARIANT };

/* Instructions between the points where a variant's state is compared with the unchanged
 * run's (rejoin.h): a variant that has rejoined runs on at most this far. */
#define REJOIN_EVERY 64

struct campaign {
	const char *fw;
	const char *name; /* fw quoted, for messages (msg.h) */
	char name_q[512];
	struct sim_options opt;
	struct inj_spec *specs; /* --inject: applied to every run */
	size_t nspecs;
	uint32_t mask;
	unsigned jobs;
	bool json, user_budget;
	bool run_to_end; /* --run-to-end: no variant stops where it rejoins the unchanged run */
	struct only_set only; /* --only (only.h); no names: every occurrence is a variant */
	uint64_t only_count; /* the unchanged run's occurrences within them */
	uint64_t first_occ;  /* the unchanged run's instruction (inject.h insns) of its first
	                      * variant's occurrence (0: none) */
	uint64_t base_last_report; /* ... of its last report, folded or not (0: none) */

	/* Baseline. */
	int base_status;
	uint64_t base_insns;
	struct out_hash base_out;
	struct inj_report *base_rep;
	size_t nbase;
	char base_msg[512];
	const char *base_reason;  /* how the unchanged run ended (trace "end" reason) */
	uint64_t base_hook_insns; /* its instructions as the code hook counts them (inject.h) */
	json_t *base_timing;      /* --json: the unchanged run's cost model (timing.h), or NULL */

	/* Variants. */
	struct variant *v; /* shared */
	size_t nv, cap;
	pid_t *pid; /* parent: pid of variant i while it runs */
	unsigned running;
	size_t finished;
	FILE *err; /* the real stderr (runs write theirs to /dev/null) */
	bool tty;

	/* In a child. */
	bool in_child;
	size_t cur;
	struct out_hash *run_out; /* the forking run's UART hash (a child's copy goes on) */

	/* Rejoining the unchanged run (rejoin.h). */
	enum role role;
	struct rejoin *rj; /* NULL: every variant runs to its end */
	bool rj_ready;     /* the recorder's points are there to compare with */
	bool any_report;   /* this run made a report other than a guest hang */
};

static const char usage[] =
    "usage: sim campaign FIRMWARE.elf --drop-each CLASS[,CLASS]... [--jobs N] [--json]\n"
    "                    [--only SYMBOL[,SYMBOL]...]... [--ram SIZE] [--ram-base ADDR]\n"
    "                    [--tlb POLICY] [--max-insns N] [--cpus N] [--inject SPEC]...\n"
    "                    [--run-to-end]\n"
    "       sim campaign --kernel Image [--initrd FILE] [--append ARGS] [--dtb FILE]\n"
    "                    [--symbols System.map|vmlinux] --drop-each CLASS[,CLASS]...\n"
    "                    [OPTION]...\n"
    "\n"
    "  One run per dynamic occurrence of each CLASS (tlbi, dc, ic, dsb, dmb, isb, msr)\n"
    "  with that instruction dropped, sharing the unchanged prefix (fork), and a table:\n"
    "  instruction x verdict (the hazard class detected, \"no hazard: every outcome\n"
    "  coincides\", or the run's failure).\n"
    "  --kernel Image, --initrd, --append, --dtb, --symbols\n"
    "              boot a Linux arm64 Image, as sim run --kernel does\n"
    "  --only SYMBOL[,SYMBOL]...\n"
    "              only occurrences within these symbols become variants (repeatable;\n"
    "              a PC is named as reports name it: through the PA it runs from); a\n"
    "              kernel's nVHE hyp symbols may be named without their __kvm_nvhe_\n"
    "  --jobs N    variants run at once (default: online CPUs)\n"
    "  --json      the table as one JSON object on stdout\n"
    "  --inject    a further injection applied to every run (sim run --help)\n"
    "  --run-to-end  run every variant until its first new report or its end, also\n"
    "              when its state has become the unchanged run's (docs/scenarios.md)\n"
    "\n"
    "exit status: 0 table printed, 2 bad input or usage, 3 the unchanged run did not\n"
    "finish cleanly or a variant could not be run\n";

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void free_sim(struct sim *s)
{
	if (!s)
		return;
	sim_free_machine(s);
	disasm_free(s->dis);
	img_free(&s->img);
	inject_free(s->inj);
	free(s);
}

/* A fresh run of the firmware with the campaign's options; NULL after one line on stderr. */
static struct sim *new_sim(struct campaign *c, FILE *uart)
{
	struct sim *s = calloc(1, sizeof(*s));
	char err[IMG_ERR_LEN];
	if (!s || !(s->inj = calloc(1, sizeof(*s->inj)))) {
		fprintf(c->err, "sim: out of memory\n");
		free(s);
		return NULL;
	}
	s->opt = c->opt;
	s->name = c->name;
	s->uart_out = uart;
	s->inj_hooks = &inject_hooks;
	for (size_t i = 0; i < c->nspecs; i++)
		if (inject_add(s->inj, &c->specs[i])) {
			fprintf(c->err, "sim: out of memory\n");
			goto fail;
		}
	if (!sim_load_image(s)) /* the loader `sim run` uses: an ELF, or a kernel boot */
		goto fail;
	if (inject_resolve(s->inj, &s->img, s->opt.ram_base, s->opt.ram_size, err, sizeof(err))) {
		fprintf(c->err, "sim: %s\n", err);
		goto fail;
	}
	if (!(s->dis = disasm_new())) {
		fprintf(c->err, "sim: capstone: cannot open the AArch64 disassembler\n");
		goto fail;
	}
	return s;
fail:
	free_sim(s);
	return NULL;
}

/* Runs print their endings and reports on stderr: send them to /dev/null meanwhile. */
static int quiet_run(struct campaign *c, struct sim *s)
{
	fflush(stderr);
	int saved = dup(2), null = open("/dev/null", O_WRONLY);
	if (saved >= 0 && null >= 0)
		dup2(null, 2);
	if (null >= 0)
		close(null);
	int status = sim_run(s);
	if (c->in_child)
		return status; /* the child's stderr stays quiet; it exits right after */
	fflush(stderr);
	if (saved >= 0) {
		dup2(saved, 2);
		close(saved);
	}
	return status;
}

/* ---- the child: one variant ---- */

static bool in_baseline(const struct campaign *c, const struct rep_entry *e)
{
	for (size_t i = 0; i < c->nbase; i++)
		if (c->base_rep[i].cls == e->hz.cls && !strcmp(c->base_rep[i].sym, e->an.pc.sym))
			return true;
	return false;
}

/* The variant's first report that the unchanged run does not have is its verdict. */
static void child_report(void *arg, struct sim *s, const struct rep_entry *e, bool is_new)
{
	struct campaign *c = arg;
	if (c->role == ROLE_RECORDER)
		rejoin_record_report(c->rj, s);
	if (!is_new)
		return;
	if (e->hz.cls != HZ_GUEST_HANG)
		c->any_report = true; /* the run's exit status will be 1 (rejoin_extra) */
	if (!c->in_child || in_baseline(c, e))
		return;
	struct variant *v = &c->v[c->cur];
	v->hz_cls = (uint8_t)e->hz.cls;
	v->hz_insn = s->inj->insns;
	v->hz_ev = (uint8_t)e->hz.ev;
	snprintf(v->hz_sym, sizeof(v->hz_sym), "%s", e->an.pc.known ? e->an.pc.sym : "?");
	snprintf(v->hz_text, sizeof(v->hz_text), "%.95s", e->an.pc.known ? e->an.pc.text : "?");
	snprintf(v->detail, sizeof(v->detail), "%s", e->hz.summary);
	v->status = SIM_EXIT_HAZARD;
	__atomic_store_n(&v->kind, V_HAZARD, __ATOMIC_RELEASE);
	_exit(0); /* the verdict is known: nothing after it matters */
}

static void child_end(struct campaign *c, struct sim *s, int status)
{
	struct variant *v = &c->v[c->cur];
	fflush(s->uart_out);
	v->status = status;
	const struct out_hash *o = c->run_out;
	/* No report the unchanged run lacks (child_report would have ended us): the variant
	 * is judged on how it ended and what the guest printed. */
	bool same_end = status == c->base_status;
	bool same_out = o->h == c->base_out.h && o->len == c->base_out.len;
	int kind;
	if (same_end && same_out) {
		kind = V_CLEAN;
		snprintf(v->detail, sizeof(v->detail), "%s%s%s",
		         status == SIM_EXIT_OFF
		             ? "no hazard: every outcome coincides (same UART output, SYSTEM_OFF)"
		             : "no new hazard: every outcome coincides with the unchanged run's "
		               "(same reports, same ending, same UART output)",
		         v->why[0] ? "; " : "", v->why);
	} else if (same_end) {
		kind = V_OUTPUT;
		snprintf(v->detail, sizeof(v->detail),
		         "no new hazard reported, but the guest's UART output differs from the "
		         "unchanged run's (%" PRIu64 " bytes, not %" PRIu64 ")",
		         o->len, c->base_out.len);
	} else {
		kind = V_FAILED;
		snprintf(v->detail, sizeof(v->detail), "run failed (exit %d): %.200s", status,
		         s->end_msg);
	}
	__atomic_store_n(&v->kind, kind, __ATOMIC_RELEASE);
	_exit(0);
}

/*
 * The variant's state is the unchanged run's at instruction insn (rejoin.h): from here on it
 * would run as the unchanged run does, which reports nothing more, ends with its status and
 * prints its UART text. That is child_end's "no hazard" with the unchanged run's ending.
 */
static void child_rejoined(struct campaign *c, struct sim *s, uint64_t insn)
{
	struct variant *v = &c->v[c->cur];
	v->rejoined = insn;
	fflush(s->uart_out);
	*c->run_out = c->base_out; /* what the rest of the run prints */
	snprintf(s->end_msg, sizeof(s->end_msg), "%s", c->base_msg);
	child_end(c, s, c->base_status); /* does not return */
}

static struct rejoin_extra extra_of(struct campaign *c, struct sim *s)
{
	fflush(s->uart_out); /* the hash covers every byte printed so far */
	return (struct rejoin_extra){c->run_out->h, c->run_out->len, c->any_report};
}

/* Forks the recorder of the unchanged run (rejoin.h) and waits for it. */
static void start_recorder(struct campaign *c, struct sim *s)
{
	if (rejoin_attach(c->rj, s)) {
		rejoin_free(c->rj);
		c->rj = NULL;
		return;
	}
	fflush(NULL);
	pid_t p = fork();
	if (p == 0) {
		c->role = ROLE_RECORDER;
		c->in_child = false;
		s->inj->occ_mask = 0;
		if (rejoin_record_start(c->rj, s))
			_exit(3);
		s->inj->next_tick = rejoin_next_point(c->rj, s->inj->insns);
		return;
	}
	int st;
	if (p > 0 && waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 0)
		c->rj_ready = rejoin_prepare(c->rj);
	s->inj->next_tick = UINT64_MAX; /* the parent compares nothing */
}

/* At every point of the forking run's processes (inject.h tick). */
static void at_point(void *arg, struct sim *s)
{
	struct campaign *c = arg;
	uint64_t insn = s->inj->insns;
	switch (c->role) {
	case ROLE_PARENT:
		start_recorder(c, s);
		return;
	case ROLE_RECORDER: {
		struct rejoin_extra x = extra_of(c, s);
		rejoin_record_point(c->rj, s, &x);
		s->inj->next_tick = rejoin_next_point(c->rj, insn);
		return;
	}
	case ROLE_VARIANT: {
		struct rejoin_extra x = extra_of(c, s);
		uint64_t next;
		if (rejoin_variant_check(c->rj, s, &x, insn, &next))
			child_rejoined(c, s, insn); /* does not return */
		s->inj->next_tick = next;
		return;
	}
	}
}

/* ---- the parent ---- */

static void progress(struct campaign *c)
{
	if (!c->tty || c->json)
		return;
	size_t total = c->cap, w = 40, full = total ? c->finished * w / total : w;
	fprintf(c->err, "\r[");
	for (size_t i = 0; i < w; i++)
		fputc(i < full ? '#' : ' ', c->err);
	fprintf(c->err, "] %zu/%zu variants", c->finished, total);
	fflush(c->err);
}

static void reap(struct campaign *c, bool block)
{
	int st;
	pid_t p;
	while (c->running && (p = waitpid(-1, &st, block ? 0 : WNOHANG)) > 0) {
		size_t i = 0;
		while (i < c->nv && c->pid[i] != p)
			i++;
		if (i == c->nv)
			continue;
		c->pid[i] = 0;
		c->running--;
		c->finished++;
		struct variant *v = &c->v[i];
		if (__atomic_load_n(&v->kind, __ATOMIC_ACQUIRE) == V_PENDING) {
			v->kind = V_FAILED;
			if (WIFSIGNALED(st))
				snprintf(v->detail, sizeof(v->detail),
				         "the variant's process died of signal %d", WTERMSIG(st));
			else
				snprintf(v->detail, sizeof(v->detail),
				         "the variant's process exited %d without a verdict",
				         WEXITSTATUS(st));
		}
		progress(c);
		block = false;
	}
}

static void sym_cb(void *arg, uint64_t va, char *buf, size_t len)
{
	mmu_symbolize(arg, va, buf, len);
}

/*
 * Why dropping a DC by VA may change nothing: the model's state of its line at the DC
 * (model_line_state), the same in the parent and in the child that drops it. Empty when
 * the DC is not a clean/invalidate by VA or its address does not translate.
 */
/* The PA a clean or invalidate by VA (not DC ZVA) acts on, about to run with the registers
 * as they are; false for other instructions, and when its VA does not translate. */
static bool dc_target(struct sim *s, uint32_t enc, uint64_t *pa, enum dc_op *op)
{
	struct model_event ev;
	unsigned op0, op1, crn, crm, op2, rt = enc & 31;
	dec_sys_fields(enc, &op0, &op1, &crn, &crm, &op2);
	if (!dec_sys(op1, crn, crm, op2, 0, &ev) || ev.kind != EV_DC || ev.u.dc.op == DC_ZVA ||
	    ev.u.dc.op == DC_ISW || ev.u.dc.op == DC_CSW || ev.u.dc.op == DC_CISW)
		return false;
	uint64_t va = rt == 31   ? 0
	              : rt == 29 ? cpu_reg(s, UC_ARM64_REG_X29)
	              : rt == 30 ? cpu_reg(s, UC_ARM64_REG_X30)
	                         : cpu_reg(s, UC_ARM64_REG_X0 + (int)rt);
	struct mmu_xlate x;
	mmu_translate(s, va, ev.u.dc.op == DC_IVAC ? ACC_DC_WRITE : ACC_DC_READ, 1, &x);
	if (x.fault.type != FAULT_NONE)
		return false;
	*pa = x.mmu_on ? x.pa : va;
	*op = ev.u.dc.op;
	return true;
}

static void dc_reason(struct sim *s, uint32_t enc, char *buf, size_t len)
{
	buf[0] = 0;
	uint64_t pa;
	enum dc_op op;
	struct model *m = check_model(s);
	if (!m || !dc_target(s, enc, &pa, &op))
		return;
	bool inval = op == DC_IVAC;
	switch (model_line_state(m, pa)) {
	case MODEL_LINE_CLEAN:
		snprintf(buf, len, "the line at PA 0x%" PRIx64 " was clean: nothing to %s",
		         pa & ~UINT64_C(63), inval ? "discard" : "write back");
		break;
	case MODEL_LINE_DIRTY_SAME:
		snprintf(buf, len,
		         "the line at PA 0x%" PRIx64 " was dirty but the PoC held the same bytes",
		         pa & ~UINT64_C(63));
		break;
	case MODEL_LINE_DIRTY_DIFFERS:
		snprintf(buf, len,
		         "the line at PA 0x%" PRIx64 " held newer bytes than the PoC, but no later "
		         "access had an outcome that depended on them",
		         pa & ~UINT64_C(63));
		break;
	}
}

/* The unchanged run's occurrence hook: counts those that will be variants (--only). */
static bool count_only(void *arg, struct sim *s, enum inj_class cls, uint64_t nth, uint64_t pc,
                       uint32_t enc)
{
	(void)cls, (void)nth, (void)enc;
	struct campaign *c = arg;
	if (!only_has(&c->only, s, pc))
		return false;
	if (!c->only_count++)
		c->first_occ = s->inj->insns;
	return false;
}

/* The unchanged run's reports: where its last one came (rejoin_worth). */
static void base_report(void *arg, struct sim *s, const struct rep_entry *e, bool is_new)
{
	(void)e, (void)is_new;
	struct campaign *c = arg;
	c->base_last_report = s->inj->insns;
}

/* At each occurrence in the forking run: fork the variant that drops it. */
static bool at_occurrence(void *arg, struct sim *s, enum inj_class cls, uint64_t nth, uint64_t pc,
                          uint32_t enc)
{
	struct campaign *c = arg;
	if (c->in_child || c->nv == c->cap || !only_has(&c->only, s, pc))
		return false;
	reap(c, false); /* collect finished variants as they end (progress bar) */
	while (c->running >= c->jobs)
		reap(c, true);
	struct variant *v = &c->v[c->nv];
	memset(v, 0, sizeof(*v));
	v->cls = (uint8_t)cls;
	v->nth = nth;
	v->pc = pc;
	v->enc = enc;
	v->insn_no = s->inj->insns;
	mmu_symbolize(s, pc, v->sym, sizeof(v->sym));
	snprintf(v->text, sizeof(v->text), "%.95s", disasm_get(s->dis, pc, enc, sym_cb, s)->text);
	if (cls == INJ_CLS_DC)
		dc_reason(s, enc, v->why, sizeof(v->why));
	/* The variant goes on at pc + 4 in a translation block of its own, which no other run
	 * starts: translate it here, once, so that every variant finds it (the translation
	 * dirties pages of Unicorn's heap and code buffer, each a copy-on-write fault in a
	 * variant). Only within pc's page, which is mapped: a translation needing another page
	 * could fault from inside this hook. */
	if (((pc + 4) & ~UINT64_C(0xfff)) == (pc & ~UINT64_C(0xfff))) {
		uc_tb tb;
		/* uc_ctl_request_cache with the I/O bits unsigned: unicorn.h shifts a signed 3 into
		 * bit 31 (C11 6.5.7p4: undefined; UBSan stops the campaign there). */
		uc_ctl(s->uc, UC_CTL(UC_CTL_TB_REQUEST_CACHE, 2, (unsigned)UC_CTL_IO_READ_WRITE),
		       pc + 4, &tb);
	}
	fflush(NULL);
	pid_t p = fork();
	if (p < 0) {
		v->kind = V_FAILED;
		snprintf(v->detail, sizeof(v->detail), "fork failed: %m");
		c->nv++;
		c->finished++;
		return false;
	}
	if (p == 0) {
		c->in_child = true;
		c->role = ROLE_VARIANT;
		c->cur = c->nv;
		s->inj->occ_mask = 0;
		/* A dropped clean's line stays dirty in the variant: no point before the unchanged
		 * run's last touch of it can be equal. */
		uint64_t pa = UINT64_MAX;
		enum dc_op op;
		if (cls != INJ_CLS_DC || !dc_target(s, enc, &pa, &op))
			pa = UINT64_MAX;
		s->inj->next_tick =
		    c->rj_ready ? rejoin_variant_start(c->rj, s, s->inj->insns, pa) : UINT64_MAX;
		/* The variant's UART text goes on into its copy of the parent's hash, which
		 * holds the shared prefix (flushed above). */
		if (!c->user_budget)
			s->opt.max_insns = 2 * c->base_insns + 100000;
		return true;
	}
	c->pid[c->nv++] = p;
	c->running++;
	/* The last variant is forked: the rest of the forking run would decide nothing (the
	 * recorder has recorded the unchanged run). End it as a signal does; its message goes
	 * to /dev/null (quiet_run). With --only on a kernel that saves the 600 M instructions
	 * and more after the hyp-init code. */
	if (c->nv == c->cap) {
		s->interrupted = SIGTERM;
		uc_emu_stop(s->uc);
	}
	return false;
}

static const char *kind_name(int k)
{
	switch (k) {
	case V_HAZARD:
		return "hazard";
	case V_CLEAN:
		return "no-hazard";
	case V_OUTPUT:
		return "missed";
	case V_FAILED:
		return "failed";
	default:
		return "pending";
	}
}

static void print_table(struct campaign *c, double secs)
{
	size_t count[5] = {0}, rejoined = 0;
	printf("%-4s %-8s %-34s %-30s %s\n", "#", "dropped", "instruction", "disassembly",
	       "verdict");
	for (size_t i = 0; i < c->nv; i++) {
		const struct variant *v = &c->v[i];
		char what[32], verdict[512];
		count[v->kind]++;
		rejoined += v->rejoined != 0;
		snprintf(what, sizeof(what), "%s#%" PRIu64, inj_class_name(v->cls), v->nth);
		if (v->kind == V_HAZARD)
			snprintf(verdict, sizeof(verdict), "%s at %s `%s` (%.200s)",
			         hz_class_name(v->hz_cls), v->hz_sym, v->hz_text, v->detail);
		else
			snprintf(verdict, sizeof(verdict), "%s", v->detail);
		printf("%-4zu %-8s %-34s %-30s %s\n", i + 1, what, v->sym[0] ? v->sym : "?",
		       v->text, verdict);
	}
	printf("\n%zu variants in %.2f s (%.0f variants/s, %u jobs): %zu detected, %zu no hazard, "
	       "%zu missed (output differs), %zu failed; %zu stopped where they rejoined the "
	       "unchanged run\n",
	       c->nv, secs, secs > 0 ? (double)c->nv / secs : 0.0, c->jobs, count[V_HAZARD],
	       count[V_CLEAN], count[V_OUTPUT], count[V_FAILED], rejoined);
}

/*
 * The unchanged run's cost of the maintenance or barrier instruction at pc (all its
 * executions: count, cycles at the instruction, latency a DSB waited for), from the cost
 * model's per-instruction table; NULL when it cost nothing there or timing is off.
 */
static json_t *maint_cost(const struct campaign *c, const char *pc)
{
	json_t *arr = c->base_timing ? json_object_get(c->base_timing, "maintenance") : NULL;
	size_t i;
	json_t *e;
	json_array_foreach(arr, i, e)
	{
		const char *epc = json_string_value(json_object_get(e, "pc"));
		if (epc && !strcmp(epc, pc))
			return e;
	}
	return NULL;
}

static void print_json(struct campaign *c, double secs)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < c->nv; i++) {
		const struct variant *v = &c->v[i];
		char pc[24];
		snprintf(pc, sizeof(pc), "0x%" PRIx64, v->pc);
		json_t *o =
		    json_pack("{s:s, s:I, s:s, s:s, s:s, s:I, s:s, s:i, s:s}", "class",
		              inj_class_name(v->cls), "nth", (json_int_t)v->nth, "pc", pc, "sym",
		              v->sym, "insn", v->text, "at_insn", (json_int_t)v->insn_no, "verdict",
		              kind_name(v->kind), "status", v->status, "detail", v->detail);
		json_t *cost = maint_cost(c, pc);
		if (cost)
			json_object_set(o, "cost", cost);
		if (v->rejoined)
			json_object_set_new(o, "rejoined_at",
			                    json_integer((json_int_t)v->rejoined));
		if (v->kind == V_HAZARD) {
			json_object_set_new(o, "hazard", json_string(hz_class_name(v->hz_cls)));
			json_object_set_new(o, "hazard_sym", json_string(v->hz_sym));
			json_object_set_new(o, "hazard_insn", json_string(v->hz_text));
			json_object_set_new(o, "hazard_event",
			                    json_string(ev_kind_name((enum ev_kind)v->hz_ev)));
			json_object_set_new(o, "hazard_at_insn",
			                    json_integer((json_int_t)v->hz_insn));
		}
		json_array_append_new(arr, o);
	}
	json_t *root =
	    json_pack("{s:s, s:i, s:I, s:o, s:f, s:i}", "firmware", c->fw, "baseline_status",
	              c->base_status, "baseline_insns", (json_int_t)c->base_insns, "variants", arr,
	              "seconds", secs, "jobs", (int)c->jobs);
	if (c->base_timing)
		json_object_set(root, "timing", c->base_timing);
	json_object_set_new(root, "cpus", json_integer(c->opt.ncpus ? c->opt.ncpus : 1));
	json_dumpf(root, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(root);
}

static int parse_classes(const char *list, uint32_t *mask)
{
	*mask = 0;
	const char *p = list;
	while (*p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		enum inj_class cls = inj_class_from_name(p, n);
		if (cls == INJ_CLS_COUNT)
			return -1;
		*mask |= 1u << cls;
		p += n + (e ? 1 : 0);
	}
	return *mask ? 0 : -1;
}

static int run_campaign(struct campaign *c)
{
	double t0 = now();
	/* 1. The unchanged run: occurrences, reports, UART text, length. */
	FILE *uart = out_hash_file(&c->base_out, c->opt.kernel.kernel != NULL);
	struct sim *s = uart ? new_sim(c, uart) : NULL;
	if (!s || !only_resolve(&c->only, &s->img, c->opt.kernel.kernel != NULL,
	                           c->opt.kernel.kernel ? c->opt.kernel.symbols : c->fw, c->err)) {
		free_sim(s);
		if (uart)
			fclose(uart);
		return SIM_EXIT_USAGE;
	}
	s->inj->occ_mask = c->mask;
	s->inj->occ = count_only;
	s->inj->occ_arg = c;
	s->inj->on_report = base_report;
	s->inj->report_arg = c;
	/* --json: the unchanged run's cost (docs/timing.md), so that what each maintenance
	 * instruction costs, and at most saves when dropped, stands beside its verdict. The
	 * cost model follows one CPU: with --cpus above 1 there is none (as `sim run`). */
	if (c->json && c->opt.ncpus <= 1) {
		char terr[256];
		s->timing = sim_timing_new(&(struct sim_timing_args){.on = true}, &s->img,
		                           &s->ram_ops, terr, sizeof(terr));
		if (!s->timing) {
			fprintf(c->err, "sim: %s: %s\n", c->name, terr);
			free_sim(s);
			fclose(uart);
			return SIM_EXIT_USAGE;
		}
	}
	c->base_status = quiet_run(c, s);
	if (s->timing) {
		c->base_timing = sim_timing_json(s->timing, &s->img);
		sim_timing_free(s->timing);
		s->timing = NULL;
	}
	fflush(uart);
	c->base_insns = s->insns;
	c->base_hook_insns = s->inj->insns;
	c->base_reason = s->end_reason;
	snprintf(c->base_msg, sizeof(c->base_msg), "%s", s->end_msg);
	c->cap = c->only_count;
	c->nbase = s->inj->nreports;
	c->base_rep = malloc((c->nbase + 1) * sizeof(*c->base_rep));
	if (c->base_rep && c->nbase)
		memcpy(c->base_rep, s->inj->reports, c->nbase * sizeof(*c->base_rep));
	/* A --inject spec that named code which never ran is a mistake in the spec. */
	bool bad_input = c->base_status == SIM_EXIT_USAGE || inject_unapplied(s->inj, c->name);
	free_sim(s);
	fclose(uart);
	if (bad_input)
		return SIM_EXIT_USAGE;
	if (c->base_status != SIM_EXIT_OFF)
		fprintf(c->err,
		        "sim: %s: the unchanged run is not clean (exit %d: %s; %zu hazard "
		        "report%s): variants are judged on reports it does not have\n",
		        c->name, c->base_status, c->base_msg, c->nbase, c->nbase == 1 ? "" : "s");
	if (!c->cap) {
		fprintf(c->err, "sim: %s: no instruction of the classes asked for was executed%s\n",
		        c->name, c->only.nnames ? " within the --only symbols" : "");
		return SIM_EXIT_UNFINISHED;
	}

	/* 2. The forking run. */
	c->v = mmap(NULL, c->cap * sizeof(*c->v), PROT_READ | PROT_WRITE,
	            MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	c->pid = calloc(c->cap, sizeof(*c->pid));
	if (c->v == MAP_FAILED || !c->pid) {
		fprintf(c->err, "sim: out of memory for %zu variants\n", c->cap);
		return SIM_EXIT_UNFINISHED;
	}
	struct out_hash parent_out;
	uart = out_hash_file(&parent_out, c->opt.kernel.kernel != NULL);
	s = uart ? new_sim(c, uart) : NULL;
	if (!s)
		return SIM_EXIT_USAGE;
	s->inj->occ_mask = c->mask;
	s->inj->occ = at_occurrence;
	s->inj->occ_arg = c;
	c->run_out = &parent_out;
	s->inj->on_report = child_report;
	s->inj->report_arg = c;
	/* Variants stop where they rejoin the unchanged run (rejoin.h), unless that cannot be
	 * told: the unchanged run ended on its budget (a variant counts one instruction
	 * fewer), a flip writes RAM behind Unicorn's translated code, the `accessed` TLB
	 * policy makes the model's state depend on its translation cache, a write-back
	 * policy other than `any` gives dirty lines one definite content, or several CPUs
	 * share the instruction count's slices (a variant's count is one lower, so its CPUs
	 * would take turns one instruction later); nor when the unchanged run reports until
	 * near its end (rejoin_worth: recording would cost more than it saves). */
	bool flips = false;
	for (size_t i = 0; i < c->nspecs; i++)
		flips |= c->specs[i].kind == INJ_FLIP;
	if (!c->run_to_end && !flips && !c->opt.tlb_accessed && c->opt.wb_policy == WB_ANY &&
	    c->opt.ncpus <= 1 && c->base_reason && strcmp(c->base_reason, "budget") &&
	    strcmp(c->base_reason, "interrupted") && rejoin_worth(c->base_hook_insns, c->first_occ, c->base_last_report) &&
	    (c->rj = rejoin_new(c->base_hook_insns, REJOIN_EVERY))) {
		s->inj->tick = at_point;
		s->inj->tick_arg = c;
		s->inj->next_tick = 1; /* the recorder is forked at the first instruction */
	}
	progress(c);
	int status = quiet_run(c, s);
	if (c->role == ROLE_RECORDER) {
		rejoin_record_end(c->rj, s);
		_exit(0);
	}
	if (c->in_child)
		child_end(c, s, status); /* does not return */
	reap(c, true);
	while (c->running)
		reap(c, true);
	double secs = now() - t0;
	free_sim(s);
	fclose(uart);
	if (c->tty && !c->json)
		fputc('\n', c->err);
	if (c->nv != c->cap)
		fprintf(c->err,
		        "sim: %s: the forking run met %zu occurrences, the unchanged run %zu: "
		        "the firmware does not run deterministically\n",
		        c->name, c->nv, c->cap);
	if (c->json)
		print_json(c, secs);
	else
		print_table(c, secs);
	json_decref(c->base_timing);
	c->base_timing = NULL;
	rejoin_free(c->rj);
	c->rj = NULL;
	fflush(stdout);
	return c->base_status == SIM_EXIT_OFF && c->nv == c->cap ? 0 : SIM_EXIT_UNFINISHED;
}

int campaign_main(int argc, char **argv)
{
	enum {
		OPT_DROP = 1,
		OPT_JOBS,
		OPT_JSON,
		OPT_RAM,
		OPT_RAM_BASE,
		OPT_TLB,
		OPT_MAX,
		OPT_INJ,
		OPT_CPUS,
		OPT_RUN_TO_END,
		OPT_KERNEL,
		OPT_DTB,
		OPT_APPEND,
		OPT_INITRD,
		OPT_SYMBOLS,
		OPT_ONLY
	};
	static const struct option opts[] = {
	    {"drop-each", required_argument, NULL, OPT_DROP},
	    {"jobs", required_argument, NULL, OPT_JOBS},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"ram", required_argument, NULL, OPT_RAM},
	    {"ram-base", required_argument, NULL, OPT_RAM_BASE},
	    {"tlb", required_argument, NULL, OPT_TLB},
	    {"max-insns", required_argument, NULL, OPT_MAX},
	    {"cpus", required_argument, NULL, OPT_CPUS},
	    {"inject", required_argument, NULL, OPT_INJ},
	    {"run-to-end", no_argument, NULL, OPT_RUN_TO_END},
	    {"kernel", required_argument, NULL, OPT_KERNEL},
	    {"dtb", required_argument, NULL, OPT_DTB},
	    {"append", required_argument, NULL, OPT_APPEND},
	    {"initrd", required_argument, NULL, OPT_INITRD},
	    {"symbols", required_argument, NULL, OPT_SYMBOLS},
	    {"only", required_argument, NULL, OPT_ONLY},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct campaign c = {0};
	c.err = stderr;
	c.opt.ram_size = MACH_RAM_DEFAULT;
	c.opt.ram_base = MACH_RAM_BASE;
	c.opt.ncpus = 1;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	c.jobs = ncpu > 0 ? (unsigned)ncpu : 1;
	int ch, status = SIM_EXIT_USAGE;
	const char *why;
	char *end;
	char err[300];
	optind = 1;
	int idx = 0; /* which long option getopt_long matched */
	while ((ch = getopt_long(argc, argv, "h", opts, &idx)) != -1) {
		switch (ch) {
		case OPT_DROP:
			if (parse_classes(optarg, &c.mask)) {
				fprintf(
				    stderr,
				    "sim: --drop-each %s: expected a comma-separated list of tlbi, "
				    "dc, ic, dsb, dmb, isb, msr\n",
				    optarg);
				goto out;
			}
			break;
		case OPT_JOBS: {
			unsigned long j = strtoul(optarg, &end, 10);
			if (*end || !j || j > 1024 || *optarg < '0' || *optarg > '9') {
				fprintf(stderr,
				        "sim: --jobs %s: expected a number from 1 to 1024\n",
				        optarg);
				goto out;
			}
			c.jobs = (unsigned)j;
			break;
		}
		case OPT_JSON:
			c.json = true;
			break;
		case OPT_RUN_TO_END:
			c.run_to_end = true;
			break;
		case OPT_KERNEL:
		case OPT_DTB:
		case OPT_APPEND:
		case OPT_INITRD:
		case OPT_SYMBOLS:
			sim_parse_kernel_option(opts[idx].name, optarg, &c.opt);
			break;
		case OPT_ONLY:
			if (!only_add(&c.only, optarg))
				goto out;
			break;
		case OPT_RAM:
		case OPT_RAM_BASE:
		case OPT_TLB:
		case OPT_MAX:
		case OPT_CPUS:
			if (!sim_parse_machine_option(opts[idx].name, optarg, &c.opt))
				goto out;
			c.user_budget |= ch == OPT_MAX;
			break;
		case OPT_INJ: {
			struct inj_spec sp;
			if (inj_parse(optarg, &sp, err, sizeof(err))) {
				fprintf(stderr, "sim: %s\n", err);
				goto out;
			}
			struct inj_spec *n = realloc(c.specs, (c.nspecs + 1) * sizeof(*n));
			if (!n)
				goto out;
			c.specs = n;
			c.specs[c.nspecs++] = sp;
			inject_options(&sp, &c.opt);
			break;
		}
		case 'h':
			fputs(usage, stdout);
			status = 0;
			goto out;
		default:
			fprintf(stderr,
			        "sim: invalid option for 'campaign' (try 'sim campaign --help')\n");
			goto out;
		}
	}
	const char *kproblem = sim_kernel_options_problem(&c.opt);
	if (kproblem) {
		fprintf(stderr, "sim: campaign: %s (try 'sim campaign --help')\n", kproblem);
		goto out;
	}
	if (c.opt.kernel.kernel ? optind != argc : optind != argc - 1) {
		fprintf(stderr, "sim: campaign: %s (try 'sim campaign --help')\n",
		        c.opt.kernel.kernel ? "--kernel Image takes no FIRMWARE.elf"
		        : optind >= argc    ? "missing FIRMWARE.elf"
		                            : "exactly one FIRMWARE.elf expected");
		goto out;
	}
	if (c.only.nnames && c.opt.kernel.kernel && !c.opt.kernel.symbols) {
		fprintf(stderr, "sim: campaign: --only SYMBOL needs the kernel's symbols "
		                "(--symbols System.map|vmlinux)\n");
		goto out;
	}
	if (!c.mask) {
		fprintf(stderr, "sim: campaign: --drop-each CLASS[,CLASS]... is required\n");
		goto out;
	}
	if (!mach_ram_fits(c.opt.ram_base, c.opt.ram_size, &why)) {
		fprintf(stderr, "sim: --ram-base 0x%" PRIx64 " --ram 0x%" PRIx64 ": %s\n",
		        c.opt.ram_base, c.opt.ram_size, why);
		goto out;
	}
	c.fw = c.opt.kernel.kernel ? c.opt.kernel.kernel : argv[optind];
	c.opt.firmware = c.fw;
	c.name = msg_quote(c.fw, c.name_q, sizeof(c.name_q));
	c.tty = isatty(2);
	/* The runs' own stderr goes to /dev/null while they run (quiet_run): the campaign's
	 * messages and progress bar use a copy of the real one. */
	int errfd = dup(2);
	FILE *err_copy = errfd >= 0 ? fdopen(errfd, "w") : NULL;
	if (err_copy) {
		setvbuf(err_copy, NULL, _IONBF, 0);
		c.err = err_copy;
	}
	status = run_campaign(&c);
	if (err_copy)
		fclose(err_copy);
out:
	if (c.v && c.v != MAP_FAILED)
		munmap(c.v, c.cap * sizeof(*c.v));
	free(c.pid);
	free(c.base_rep);
	free(c.specs);
	only_free(&c.only);
	return status;
}
