/*
 * replay.c - `sim replay TRACE`: the checker alone (no Unicorn) on a recorded trace, and
 * `sim diff A B`: the first divergence of two traces, in words.
 *
 * Replay rebuilds what the checker needs from the trace and the firmware it names: memory
 * as the program saw it (the ELF's PT_LOAD segments, then every store and DC ZVA applied
 * after its event is delivered, as Unicorn performs them; an `abandon` event takes back
 * the stores of an access that did not complete), the model's configuration (header
 * `model`), and the events themselves through the same session functions `sim run` uses
 * (session.h). The report it prints is therefore the run's, byte for byte; a difference
 * means the trace is incomplete, which is what the regression suite checks.
 */
#include "check/replay.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "check/casemate.h"
#include "check/session.h"
#include "machine/cpu_features.h"
#include "machine/disasm.h"
#include "machine/image.h"
#include "machine/kernel_boot.h"
#include "machine/machine.h"
#include "machine/msg.h"
#include "model.h"
#include "trace/tracefile.h"

enum { EXIT_OK = 0, EXIT_DIFF = 1, EXIT_USAGE = 2, EXIT_UNFINISHED = 3 };

/* ---- memory as the program sees it ---- */

struct undo {
	uint64_t pa;
	unsigned size;
	uint8_t old[64];
};

#define MAX_UNDO 8

struct replay {
	const char *path; /* the trace */
	struct image img;
	uint64_t ram_base, ram_size;
	uint8_t *ram;
	struct mem_ops ops;
	struct session *ss;
	unsigned ncpus; /* the model's: an event of another CPU is no trace of this header */
	struct undo undo[MAX_UNDO]; /* the stores of the current instruction */
	unsigned nundo;
	uint64_t lines, events;
	bool before_reset; /* a model event came before the first `reset` (no model yet) */
};

static bool ram_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	struct replay *r = ctx;
	if (!mach_pa_in_ram(r->ram_base, r->ram_size, pa, len))
		return false;
	memcpy(buf, r->ram + (pa - r->ram_base), len);
	return true;
}

/* A store (or DC ZVA) the machine performed: keep the old bytes for an `abandon`. */
static void ram_write(struct replay *r, uint64_t pa, const void *bytes, unsigned size)
{
	if (!mach_pa_in_ram(r->ram_base, r->ram_size, pa, size))
		return; /* the UART, or nothing: no memory changes */
	uint8_t *p = r->ram + (pa - r->ram_base);
	if (r->nundo < MAX_UNDO) {
		struct undo *u = &r->undo[r->nundo++];
		u->pa = pa;
		u->size = size;
		memcpy(u->old, p, size);
	}
	memcpy(p, bytes, size);
}

static void abandon(struct replay *r)
{
	while (r->nundo) {
		struct undo *u = &r->undo[--r->nundo];
		memcpy(r->ram + (u->pa - r->ram_base), u->old, u->size);
	}
}

/* A fresh machine: RAM zeroed, the ELF's segments loaded (engine/hooks.c hooks_machine_setup). */
static int machine_reset(struct replay *r)
{
	if (r->ram)
		munmap(r->ram, r->ram_size);
	r->ram = mmap(NULL, r->ram_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
	              0);
	if (r->ram == MAP_FAILED) {
		r->ram = NULL;
		return -1;
	}
	for (size_t i = 0; i < r->img.nsegs; i++) {
		const struct img_segment *g = &r->img.segs[i];
		memcpy(r->ram + (g->paddr - r->ram_base), r->img.file + g->offset, g->filesz);
	}
	r->nundo = 0;
	return session_machine(r->ss);
}

/* ---- events ---- */

static bool name_to(const struct tf_field *f, const char *(*name)(int), int count, int *out)
{
	if (!f)
		return false;
	for (int i = 0; i < count; i++) {
		const char *n = name(i);
		if (n && strlen(n) == f->vlen && !memcmp(n, f->val, f->vlen)) {
			*out = i;
			return true;
		}
	}
	return false;
}

static const char *sysreg_n(int i) { return sysreg_name((enum sysreg_id)i); }
static const char *tlbi_n(int i) { return tlbi_op_name((enum tlbi_op)i); }
static const char *dc_n(int i) { return dc_op_name((enum dc_op)i); }
static const char *ic_n(int i) { return ic_op_name((enum ic_op)i); }
static const char *at_n(int i) { return at_op_name((enum at_op)i); }

/* A copy of a string field, unescaped by jansson when it has escapes. Every use of the
 * text is a message or a report: it comes quoted (msg.h). */
static void field_text(const struct tf_field *f, char *buf, size_t len)
{
	buf[0] = '\0';
	if (!f)
		return;
	if (!memchr(f->val, '\\', f->vlen)) {
		snprintf(buf, len, "%.*s", (int)f->vlen, f->val);
		return;
	}
	char q[1024], t[1024];
	snprintf(q, sizeof(q), "\"%.*s\"", (int)f->vlen, f->val);
	json_t *s = json_loads(q, JSON_DECODE_ANY, NULL);
	snprintf(buf, len, "%s",
	         msg_quote(s && json_string_value(s) ? json_string_value(s) : "", t, sizeof(t)));
	json_decref(s);
}

struct ending {
	bool seen;
	char reason[32];
	char message[512];
	int status;
};

/* The end event is input too: its reason must be one sim writes (docs/trace-format.md)
 * and its status the one sim gives that reason (run.c finish), else the trace is bad. */
static bool ending_valid(const struct ending *e)
{
	static const struct {
		const char *reason;
		int status;
	} ok[] = {
	    {"system-off", 0},  {"budget", 3}, {"hang", 3},           {"cpu-off", 3},
	    {"interrupted", 3}, {"fatal", 3},  {"internal-error", 4}, {"trace-limit", 3},
	    {"unsupported", 3},
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcmp(e->reason, ok[i].reason))
			return e->status == ok[i].status;
	return false;
}

/* Deliver one event line. Returns false when the line is not a trace event. */
static bool replay_line(struct replay *r, const char *line, size_t len, struct ending *end)
{
	struct tf_field f[TF_MAX_FIELDS];
	int n = tf_scan(line, len, f, TF_MAX_FIELDS);
	if (n < 1)
		return false;
	const struct tf_field *type = tf_get(f, n, "type");
	if (!type || !type->str)
		return false;
	r->lines++;
	struct model_event ev = {.cpu = (unsigned)tf_u64(tf_get(f, n, "cpu"))};
	if (ev.cpu >= r->ncpus)
		return false;
	struct model_step_result res;
	int op;
	const char *t = type->val;
	/* The model is made at `reset`, the first event of every run (only a run that could not
	 * start ends before it): any other event before then is no trace sim wrote. */
	if (!r->ram && !tf_is(type, "reset") && !tf_is(type, "end")) {
		r->before_reset = true;
		return false;
	}
	switch (type->vlen) {
	case 4:
		if (!memcmp(t, "insn", 4)) {
			r->nundo = 0;
			session_fetch(r->ss, ev.cpu, tf_u64(tf_get(f, n, "pc")),
			              (uint32_t)tf_u64(tf_get(f, n, "enc")),
			              (unsigned)tf_u64(tf_get(f, n, "el")), false, NULL);
			return true;
		}
		if (!memcmp(t, "eret", 4)) {
			ev.kind = EV_ERET;
			ev.pc = tf_u64(tf_get(f, n, "pc"));
			ev.u.eret.from_el = (unsigned)tf_u64(tf_get(f, n, "from_el"));
			ev.u.eret.to_el = (unsigned)tf_u64(tf_get(f, n, "to_el"));
			ev.u.eret.target = tf_u64(tf_get(f, n, "target"));
			session_step(r->ss, &ev, NULL);
			return true;
		}
		if (!memcmp(t, "hang", 4)) {
			char what[200];
			field_text(tf_get(f, n, "what"), what, sizeof(what));
			session_hang(r->ss, ev.cpu, tf_u64(tf_get(f, n, "pc")), what);
			return true;
		}
		break;
	case 3:
		if (!memcmp(t, "mem", 3)) {
			bool store = tf_is(tf_get(f, n, "access"), "store");
			ev.kind = store ? EV_STORE : EV_LOAD;
			ev.u.mem.va = tf_u64(tf_get(f, n, "va"));
			uint64_t size = tf_u64(tf_get(f, n, "size"));
			/* sim writes 1 to 16 bytes per access (a pair of X registers, a Q
			 * register); a larger size is no trace of sim's (found by tests/fuzz
			 * replay: the model's store record holds at most 80 bytes). */
			if (size < 1 || size > 16)
				return false;
			ev.u.mem.size = (unsigned)size;
			if (store)
				ev.u.mem.value = tf_u64(tf_get(f, n, "value"));
			session_step(r->ss, &ev, &res);
			if (store && res.fault.type == FAULT_NONE && ev.u.mem.size <= 8) {
				uint8_t b[8];
				for (unsigned i = 0; i < 8; i++)
					b[i] = (uint8_t)(ev.u.mem.value >> (8 * i));
				ram_write(r, res.tr.oa, b, ev.u.mem.size);
			}
			return true;
		}
		if (!memcmp(t, "end", 3)) {
			end->seen = true;
			field_text(tf_get(f, n, "reason"), end->reason, sizeof(end->reason));
			field_text(tf_get(f, n, "message"), end->message, sizeof(end->message));
			const struct tf_field *st = tf_get(f, n, "status");
			end->status = st && !st->str && st->vlen == 1 ? st->val[0] - '0' : -1;
			return true;
		}
		break;
	default:
		break;
	}
	if (tf_is(type, "sysreg")) {
		/* Registers the model does not track (SPSR, ELR, ...) are informative. */
		if (!name_to(tf_get(f, n, "name"), sysreg_n, SR_COUNT, &op))
			return true;
		ev.kind = EV_SYSREG;
		ev.u.sysreg.reg = (enum sysreg_id)op;
		ev.u.sysreg.value = tf_u64(tf_get(f, n, "new"));
		session_step(r->ss, &ev, NULL);
	} else if (tf_is(type, "tlbi") && name_to(tf_get(f, n, "op"), tlbi_n, TLBI_OP_COUNT, &op)) {
		ev.kind = EV_TLBI;
		ev.u.tlbi.op = (enum tlbi_op)op;
		ev.u.tlbi.arg = tf_u64(tf_get(f, n, "arg"));
		session_step(r->ss, &ev, NULL);
	} else if (tf_is(type, "dc") && name_to(tf_get(f, n, "op"), dc_n, DC_OP_COUNT, &op)) {
		ev.kind = EV_DC;
		ev.u.dc.op = (enum dc_op)op;
		ev.u.dc.arg = tf_u64(tf_get(f, n, "arg"));
		session_step(r->ss, &ev, &res);
		if (op == DC_ZVA && res.is_access && res.fault.type == FAULT_NONE) {
			/* DCZID_EL0.BS: 64-byte blocks of zeros (the model's view too). */
			static const uint8_t zeros[64];
			ram_write(r, res.tr.oa & ~UINT64_C(63), zeros, 64);
		}
	} else if (tf_is(type, "ic") && name_to(tf_get(f, n, "op"), ic_n, IC_OP_COUNT, &op)) {
		ev.kind = EV_IC;
		ev.u.ic.op = (enum ic_op)op;
		ev.u.ic.va = tf_u64(tf_get(f, n, "va"));
		session_step(r->ss, &ev, NULL);
	} else if (tf_is(type, "at") && name_to(tf_get(f, n, "op"), at_n, AT_OP_COUNT, &op)) {
		ev.kind = EV_AT;
		ev.u.at.op = (enum at_op)op;
		ev.u.at.va = tf_u64(tf_get(f, n, "va"));
		session_step(r->ss, &ev, NULL);
	} else if (tf_is(type, "exc-entry")) {
		char what[80];
		field_text(tf_get(f, n, "what"), what, sizeof(what));
		session_exception(
		    r->ss, ev.cpu, tf_bool(tf_get(f, n, "insn_abort")), tf_u64(tf_get(f, n, "far")),
		    tf_u64(tf_get(f, n, "pc")), (unsigned)tf_u64(tf_get(f, n, "from_el")),
		    (unsigned)tf_u64(tf_get(f, n, "to_el")), tf_bool(tf_get(f, n, "requested")),
		    tf_u64(tf_get(f, n, "esr")), tf_u64(tf_get(f, n, "elr")),
		    tf_u64(tf_get(f, n, "vector")), what);
	} else if (tf_is(type, "abandon")) {
		abandon(r);
	} else if (tf_is(type, "cpu-on")) {
		session_cpu_on(r->ss, ev.cpu, (unsigned)tf_u64(tf_get(f, n, "by")),
		               tf_u64(tf_get(f, n, "pc")), tf_u64(tf_get(f, n, "entry")),
		               tf_u64(tf_get(f, n, "context_id")));
	} else if (tf_is(type, "cpu-off")) {
		session_cpu_off(r->ss, ev.cpu, tf_u64(tf_get(f, n, "pc")));
	} else if (tf_is(type, "reset")) {
		if (machine_reset(r)) {
			fprintf(stderr, "sim: %s: cannot allocate %" PRIu64 " bytes of RAM\n", r->path,
			        r->ram_size);
			exit(EXIT_USAGE);
		}
	}
	/* Everything else (barrier: delivered with its insn; fetch-fault: with its
	 * exc-entry; exception, psci, uart, walk, tlb-fill, hazard) is informative. */
	return true;
}

static const char replay_usage[] =
    "usage: sim replay TRACE [--firmware ELF] [--json] [--bench]\n"
    "       sim replay --casemate FILE\n"
    "  re-check a trace recorded by `sim run --trace` with the model alone: prints the\n"
    "  run's hazard report and exits with the run's status\n"
    "  --firmware ELF  the firmware the trace names, when it has moved (its sha256 must\n"
    "                  match the header's)\n"
    "  --json          one JSON object per hazard report on stdout, as sim run --json\n"
    "  --bench         print the replay speed (events/s) on stdout\n"
    "  --casemate FILE check a trace in Casemate's format (the pKVM ghost-model checker's\n"
    "                  s-expressions, docs/casemate.md) and print hypsim's hazards beside\n"
    "                  Casemate's own '!' verdicts; exit 0 no hazard, 1 hazards, 2 bad input\n";

static const char *hdr_str(json_t *h, const char *obj, const char *key)
{
	return json_string_value(json_object_get(json_object_get(h, obj), key));
}

static uint64_t hdr_hex(json_t *h, const char *obj, const char *key, uint64_t dflt)
{
	const char *s = hdr_str(h, obj, key);
	return s ? strtoull(s, NULL, 0) : dflt;
}

static bool hdr_bool(json_t *h, const char *obj, const char *key)
{
	return json_is_true(json_object_get(json_object_get(h, obj), key));
}

int replay_main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"firmware", required_argument, NULL, 'f'},
	    {"json", no_argument, NULL, 'j'},
	    {"bench", no_argument, NULL, 'b'},
	    {"casemate", required_argument, NULL, 'c'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *fw = NULL, *casemate = NULL;
	bool json = false, bench = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			fw = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'b':
			bench = true;
			break;
		case 'c':
			casemate = optarg;
			break;
		case 'h':
			fputs(replay_usage, stdout);
			return EXIT_OK;
		default:
			fprintf(stderr, "sim: invalid option for 'replay' (try 'sim replay --help')\n");
			return EXIT_USAGE;
		}
	}
	if (casemate) {
		if (optind != argc || fw || json || bench) {
			fprintf(stderr, "sim: replay: --casemate FILE takes no TRACE and no other "
			                "option (try 'sim replay --help')\n");
			return EXIT_USAGE;
		}
		return casemate_main(casemate);
	}
	if (optind != argc - 1) {
		fprintf(stderr, "sim: replay: exactly one TRACE expected (try 'sim replay --help')\n");
		return EXIT_USAGE;
	}
	const char *file = argv[optind];
	char qpath[512], qfw[512];
	struct replay r = {.path = msg_quote(file, qpath, sizeof(qpath))};
	char err[IMG_ERR_LEN];
	json_t *h = NULL;
	struct disasm *dis = NULL;
	char *name = NULL;
	int status = EXIT_USAGE;
	struct tf_reader *rd = tf_open(file, &h, err, sizeof(err));
	if (!rd) {
		fprintf(stderr, "sim: %s: %s\n", r.path, err);
		return EXIT_USAGE;
	}
	json_t *model = json_object_get(h, "model");
	const char *path = hdr_str(h, "firmware", "path"), *sha = hdr_str(h, "firmware", "sha256");
	if (!json_is_object(model) || !path || !sha) {
		fprintf(stderr,
		        "sim: %s: the header has no model configuration or firmware (written by "
		        "a hypsim without replay): record the trace again with sim run --trace\n",
		        r.path);
		goto out;
	}
	const char *fwq = msg_quote(fw ? fw : path, qfw, sizeof(qfw));
	r.ram_size = hdr_hex(h, "options", "ram", MACH_RAM_DEFAULT);
	json_t *kj = json_object_get(h, "kernel");
	bool kernel = json_is_object(kj);
	if (kernel) {
		/* sim run --kernel: the same Image, DTB and initrd, placed the same way. */
		struct kboot_args ka = {
		    .kernel = fw ? fw : hdr_str(h, "kernel", "image"),
		    .dtb = hdr_str(h, "kernel", "dtb"),
		    .append = hdr_str(h, "kernel", "append"),
		    .initrd = hdr_str(h, "kernel", "initrd"),
		    .symbols = hdr_str(h, "kernel", "symbols"),
		};
		struct kboot_info ki;
		const char *bad = ka.kernel;
		json_t *cpus = json_object_get(json_object_get(h, "options"), "cpus");
		if (!ka.kernel ||
		    kboot_load(&ka, hdr_hex(h, "options", "ram_base", MACH_RAM_BASE), r.ram_size,
		               cpus ? (unsigned)json_integer_value(cpus) : 1, &r.img, &ki, &bad,
		               err)) {
			fprintf(stderr, "sim: %s: kernel %s: %s\n", r.path, bad ? bad : "?",
			        ka.kernel ? err : "no image in the header");
			goto out;
		}
	} else if (img_load(fw ? fw : path, &r.img, r.ram_size, err)) {
		fprintf(stderr, "sim: %s: firmware %s: %s%s\n", r.path, fwq, err,
		        fw ? "" : " (name it with --firmware)");
		goto out;
	}
	if (strcmp(r.img.sha256, sha)) {
		fprintf(stderr,
		        "sim: %s: firmware %s has sha256 %.12s..., the trace was recorded from "
		        "%.12s... (name the right ELF with --firmware)\n",
		        r.path, fwq, r.img.sha256, sha);
		goto out;
	}
	/* Traces written before the write-back policy existed have none: WB_ANY. */
	json_t *wbv = json_object_get(model, "writeback");
	enum wb_policy wb = WB_ANY;
	uint64_t wb_seed = 0;
	if (wbv && (!json_is_string(wbv) || !wb_policy_parse(json_string_value(wbv), &wb, &wb_seed))) {
		fprintf(stderr,
		        "sim: %s: the header's model.writeback is not any, never or random:SEED\n",
		        r.path);
		goto out;
	}
	/* The CPU's PA size (model_cfg.pa_bits). Traces written before it was recorded ran
	 * on the Cortex-A72's 44 bits. */
	json_t *pav = json_object_get(model, "pa_bits");
	unsigned pa_bits = CPU_A72_PA_BITS;
	if (pav) {
		json_int_t v = json_integer_value(pav);
		if (!json_is_integer(pav) || v < 0 || v > 64 || !pt_pa_bits_ok((unsigned)v)) {
			fprintf(stderr,
			        "sim: %s: the header's model.pa_bits is not 32, 36, 40, 42, 44 or "
			        "48\n",
			        r.path);
			goto out;
		}
		pa_bits = (unsigned)v;
	}
	r.ram_base = hdr_hex(h, "options", "ram_base", MACH_RAM_BASE);
	r.ram_size = hdr_hex(h, "options", "ram", MACH_RAM_DEFAULT);
	if (!kernel && img_check_layout(&r.img, r.ram_base, r.ram_size, err)) {
		fprintf(stderr, "sim: %s: firmware %s: %s\n", r.path, fwq, err);
		goto out;
	}
	if (!(dis = disasm_new())) {
		fprintf(stderr, "sim: capstone: cannot open the AArch64 disassembler\n");
		goto out;
	}
	name = strdup(msg_quote(path, qfw, sizeof(qfw))); /* as the run's messages name it */
	r.ops = (struct mem_ops){.read = ram_read, .ctx = &r};
	const char *pol = json_string_value(json_object_get(model, "tlb_policy"));
	struct session_cfg cfg = {
	    .img = &r.img,
	    .dis = dis,
	    .mem = &r.ops,
	    .ram_base = r.ram_base,
	    .ram_size = r.ram_size,
	    .name = name,
	    .json = json,
	    .ncpus = (unsigned)json_integer_value(json_object_get(model, "ncpus")),
	    .tlb_policy = pol && !strcmp(pol, "accessed") ? TLB_POLICY_ACCESSED
	                                                  : TLB_POLICY_SPECULATIVE,
	    .ctr_idc = hdr_bool(h, "model", "ctr_idc"),
	    .ctr_dic = hdr_bool(h, "model", "ctr_dic"),
	    .feat_ets = hdr_bool(h, "model", "feat_ets"),
	    .pa_bits = pa_bits,
	    .wb_policy = wb,
	    .wb_seed = wb_seed,
	};
	if (!cfg.ncpus || cfg.ncpus > MODEL_MAX_CPUS)
		cfg.ncpus = 1;
	r.ncpus = cfg.ncpus;
	if (!name || !(r.ss = session_new(&cfg))) {
		fprintf(stderr, "sim: out of memory\n");
		goto out;
	}
	struct ending end = {0};
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	char *line;
	size_t len;
	bool bad = false;
	while (!end.seen && tf_next(rd, &line, &len) == 1)
		if (!replay_line(&r, line, len, &end)) {
			bad = true;
			break;
		}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (bad) {
		fprintf(stderr, "sim: %s: line %" PRIu64 " %s\n", r.path, tf_lineno(rd),
		        r.before_reset ? "comes before the first `reset` event"
		                       : "is not a trace event");
		goto out;
	}
	if (end.seen && !ending_valid(&end)) {
		fprintf(stderr,
		        "sim: %s: line %" PRIu64 ": the `end` event has reason \"%s\" and status "
		        "%d, which sim never writes\n",
		        r.path, tf_lineno(rd), end.reason, end.status);
		goto out;
	}
	if (bench) {
		double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		printf("replay: %" PRIu64 " trace events (%" PRIu64 " checker events) in %.3f s: "
		       "%.2f M trace events/s, %.2f M checker events/s\n",
		       r.lines, session_events(r.ss), s, (double)r.lines / s / 1e6,
		       (double)session_events(r.ss) / s / 1e6);
	}
	if (end.seen) {
		if (!strcmp(end.reason, "internal-error"))
			fprintf(stderr, "sim: internal error: %s (%s)\n", end.message, name);
		else
			fprintf(stderr, "sim: %s: %s\n", name, end.message);
		status = end.status;
	} else {
		fprintf(stderr,
		        "sim: %s: warning: the trace ends without its `end` event%s after line %" PRIu64
		        ": replayed up to its last complete event\n",
		        r.path, tf_truncated(rd) ? " (cut off mid-line)" : "", tf_lineno(rd));
		status = EXIT_UNFINISHED;
	}
	status = session_end(r.ss, status);
out:
	session_free(r.ss);
	if (r.ram)
		munmap(r.ram, r.ram_size);
	disasm_free(dis);
	img_free(&r.img);
	free(name);
	json_decref(h);
	tf_close(rd);
	return status;
}
