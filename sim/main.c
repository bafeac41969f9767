/*
 * main.c - the `sim` command line (DESIGN §5). Environment and input failures come back
 * here as values and are printed as one line "sim: FILE: problem", exit status 2.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign/campaign.h"
#include "campaign/inject.h"
#include "campaign/scenario.h"
#include "check/replay.h"
#include "check/timing.h"
#include "engine/run.h"
#include "engine/sim.h"
#include "help.h"
#include "machine/disasm.h"
#include "machine/kernel_boot.h"
#include "machine/machine.h"
#include "machine/msg.h"
#include "trace/trace.h"
#include "trace/tracediff.h"

/* The one global: the signal handler's way to the run in progress (STYLE 9). */
static struct sim *signal_sim;

static void on_signal(int sig)
{
	if (signal_sim) {
		signal_sim->interrupted = sig;
		if (signal_sim->uc)
			uc_emu_stop(signal_sim->uc);
	}
}

/* Every signal whose default action ends the process ends the run as SIGINT does: the
 * trace written up to an `end` event that says so, exit status 3 (a broken pipe and a
 * hung-up terminal lose nothing). Not SIGQUIT, which asks for a core dump. A SIGHUP or
 * SIGPIPE the parent ignores stays ignored (nohup; a closed pipe is then a write error);
 * the others are caught even so: sh starts background jobs with SIGINT ignored. */
static void catch_signals(bool on)
{
	static const int sigs[] = {SIGHUP,  SIGINT,  SIGTERM,   SIGPIPE,  SIGUSR1,
	                           SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF,  SIGXCPU,
	                           SIGXFSZ, SIGIO,   SIGPWR,    SIGSTKFLT};
	for (int i = 0; i < (int)(sizeof(sigs) / sizeof(sigs[0])) + SIGRTMAX - SIGRTMIN + 1; i++) {
		int sig = i < (int)(sizeof(sigs) / sizeof(sigs[0]))
		              ? sigs[i]
		              : SIGRTMIN + i - (int)(sizeof(sigs) / sizeof(sigs[0]));
		struct sigaction old,
		    sa = {.sa_handler = on ? on_signal : SIG_DFL, .sa_flags = SA_RESTART};
		sigemptyset(&sa.sa_mask);
		if (sigaction(sig, NULL, &old) ||
		    (on ? old.sa_handler == SIG_IGN && (sig == SIGHUP || sig == SIGPIPE)
		        : old.sa_handler != on_signal))
			continue;
		sigaction(sig, &sa, NULL);
	}
}

/* first, or the error of flushing f (errno; EIO when the stream failed earlier). */
static int flush_errno(FILE *f, int first)
{
	errno = 0;
	if ((fflush(f) || ferror(f)) && !first)
		return errno ? errno : EIO;
	return first;
}

static int usage_error(const char *fmt, const char *arg)
{
	char q[256];
	fprintf(stderr, "sim: ");
	fprintf(stderr, fmt, msg_quote(arg, q, sizeof(q)));
	fprintf(stderr, " (try 'sim --help')\n");
	return SIM_EXIT_USAGE;
}

/*
 * HYPSIM_TRACE_DIRECT: after how many bytes a --trace file is written with direct I/O
 * (trace_set_direct; docs/trace-format.md, "Files"): a size with an optional K, M or G
 * suffix, or "never". Unset or empty: *set stays false (the default). false after a
 * one-line message when it is malformed.
 */
static bool trace_direct_env(uint64_t *after, bool *set)
{
	const char *env = getenv("HYPSIM_TRACE_DIRECT");
	if (!env || !*env)
		return true;
	*set = true;
	if (!strcmp(env, "never")) {
		*after = UINT64_MAX;
		return true;
	}
	char *end;
	errno = 0;
	unsigned long long v = strtoull(env, &end, 10);
	unsigned shift = *end == 'K' ? 10 : *end == 'M' ? 20 : *end == 'G' ? 30 : 0;
	end += shift != 0;
	if (errno || end == env || *env < '0' || *env > '9' || *end || v > (UINT64_MAX >> shift)) {
		char q[128];
		fprintf(stderr, "sim: HYPSIM_TRACE_DIRECT=%s: expected a size (K/M/G suffix) or "
		        "'never'\n", msg_quote(env, q, sizeof(q)));
		return false;
	}
	*after = v << shift;
	return true;
}

static int cmd_run(int argc, char **argv, char **all_argv, int all_argc)
{
	enum {
		OPT_TRACE = 1,
		OPT_UART,
		OPT_MAX,
		OPT_RAM,
		OPT_RAM_BASE,
		OPT_TLB,
		OPT_JSON,
		OPT_CHECK,
		OPT_INJECT,
		OPT_SCENARIO,
		OPT_TIMING,
		OPT_CPU_PROFILE,
		OPT_PHASE,
		OPT_NO_CHECK,
		OPT_TRACE_SCHEMA,
		OPT_TRACE_LIMIT,
		OPT_CPUS,
		OPT_KERNEL,
		OPT_DTB,
		OPT_APPEND,
		OPT_INITRD,
		OPT_SYMBOLS,
		OPT_NO_REBOOT
	};
	static const struct option opts[] = {
	    {"trace", required_argument, NULL, OPT_TRACE},
	    {"trace-schema", required_argument, NULL, OPT_TRACE_SCHEMA},
	    {"trace-limit", required_argument, NULL, OPT_TRACE_LIMIT},
	    {"uart", required_argument, NULL, OPT_UART},
	    {"max-insns", required_argument, NULL, OPT_MAX},
	    {"cpus", required_argument, NULL, OPT_CPUS},
	    {"ram", required_argument, NULL, OPT_RAM},
	    {"ram-base", required_argument, NULL, OPT_RAM_BASE},
	    {"tlb", required_argument, NULL, OPT_TLB},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"check-unicorn", no_argument, NULL, OPT_CHECK},
	    {"no-check", no_argument, NULL, OPT_NO_CHECK},
	    {"inject", required_argument, NULL, OPT_INJECT},
	    {"scenario", required_argument, NULL, OPT_SCENARIO},
	    {"timing", no_argument, NULL, OPT_TIMING},
	    {"cpu-profile", required_argument, NULL, OPT_CPU_PROFILE},
	    {"phase", required_argument, NULL, OPT_PHASE},
	    {"kernel", required_argument, NULL, OPT_KERNEL},
	    {"dtb", required_argument, NULL, OPT_DTB},
	    {"append", required_argument, NULL, OPT_APPEND},
	    {"initrd", required_argument, NULL, OPT_INITRD},
	    {"symbols", required_argument, NULL, OPT_SYMBOLS},
	    {"no-reboot", no_argument, NULL, OPT_NO_REBOOT},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct sim_timing_args targs = {0};
	struct sim *s = calloc(1, sizeof(*s));
	if (!s) {
		fprintf(stderr, "sim: out of memory\n");
		return SIM_EXIT_USAGE;
	}
	s->opt.ram_size = MACH_RAM_DEFAULT;
	s->opt.ram_base = MACH_RAM_BASE;
	s->opt.ncpus = 1;
	s->opt.trace_limit = UINT64_C(4) << 30; /* a runaway guest writes 340 MB/s */
	s->opt.trace_limit_text = "4G";
	s->opt.argc = all_argc;
	s->opt.argv = all_argv;
	int c, status = SIM_EXIT_USAGE;
	const char *why, *scenario_path = NULL;
	struct scenario *sc = NULL;
	struct inj_spec spec;
	char ierr[300], q[512], qname[512]; /* q, qname: input quoted for messages (msg.h) */
	optind = 1;
	int idx = 0; /* which long option getopt_long matched */
	while ((c = getopt_long(argc, argv, "h", opts, &idx)) != -1) {
		switch (c) {
		case OPT_TRACE:
			s->opt.trace_path = optarg;
			break;
		case OPT_TRACE_SCHEMA:
			if (strcmp(optarg, "1") && strcmp(optarg, "2")) {
				status = usage_error("--trace-schema %s: 1 or 2 expected", optarg);
				goto out;
			}
			s->opt.trace_schema = (unsigned)atoi(optarg);
			break;
		case OPT_TRACE_LIMIT:
			if (!mach_parse_size(optarg, &s->opt.trace_limit, &why)) {
				status =
				    usage_error("--trace-limit %s: expected a size from 1M to 64G "
				                "such as 4G",
				                optarg);
				goto out;
			}
			s->opt.trace_limit_text = optarg;
			break;
		case OPT_UART:
			s->opt.uart_path = optarg;
			break;
		case OPT_MAX:
		case OPT_CPUS:
		case OPT_RAM:
		case OPT_RAM_BASE:
		case OPT_TLB:
			if (!sim_parse_machine_option(opts[idx].name, optarg, &s->opt))
				goto out;
			break;
		case OPT_JSON:
			s->opt.json = true;
			break;
		case OPT_CHECK:
			s->opt.check_unicorn = true;
			break;
		case OPT_NO_CHECK:
			s->opt.no_check = true;
			break;
		case OPT_INJECT:
			if (inj_parse(optarg, &spec, ierr, sizeof(ierr))) {
				fprintf(stderr, "sim: %s\n", msg_quote(ierr, q, sizeof(q)));
				goto out;
			}
			if ((!s->inj && !(s->inj = calloc(1, sizeof(*s->inj)))) ||
			    inject_add(s->inj, &spec)) {
				fprintf(stderr, "sim: out of memory\n");
				goto out;
			}
			inject_options(&spec, &s->opt);
			break;
		case OPT_SCENARIO:
			scenario_path = optarg;
			break;
		case OPT_KERNEL:
		case OPT_DTB:
		case OPT_APPEND:
		case OPT_INITRD:
		case OPT_SYMBOLS:
			sim_parse_kernel_option(opts[idx].name, optarg, &s->opt);
			break;
		case OPT_NO_REBOOT:
			s->opt.no_reboot = true;
			break;
		case OPT_TIMING: /* --cpu-profile and --phase imply it */
			targs.on = true;
			break;
		case OPT_CPU_PROFILE:
			targs.on = true;
			targs.profile = optarg;
			break;
		case OPT_PHASE:
			targs.on = true;
			if (targs.nphase_syms == SIM_TIMING_MAX_PHASE_SYMS) {
				status = usage_error("--phase %s: at most 32 --phase symbols", optarg);
				goto out;
			}
			targs.phase_syms[targs.nphase_syms++] = optarg;
			break;
		case 'h':
			fputs(help_run, stdout);
			status = 0;
			goto out;
		default:
			status = usage_error("%s", "invalid option for 'run'");
			goto out;
		}
	}
	const struct kboot_args *ka = &s->opt.kernel;
	const char *kproblem = sim_kernel_options_problem(&s->opt);
	if (kproblem) {
		char kmsg[160];
		snprintf(kmsg, sizeof(kmsg), "run: %s", kproblem);
		status = usage_error("%s", kmsg);
		goto out;
	}
	if (ka->kernel) {
		if (scenario_path || optind != argc) {
			status = usage_error("%s", "run: --kernel Image takes no FIRMWARE.elf nor "
			                           "--scenario");
			goto out;
		}
		s->opt.firmware = s->name = ka->kernel;
	} else if (scenario_path) {
		/* The file names the firmware and its settings win over the command line's. */
		if (optind != argc) {
			status = usage_error("%s", "run: --scenario FILE takes no FIRMWARE.elf");
			goto out;
		}
		if (!(sc = scenario_load(scenario_path, &s->opt, &s->inj, ierr, sizeof(ierr)))) {
			fprintf(stderr, "sim: %s\n", msg_quote(ierr, q, sizeof(q)));
			goto out;
		}
		s->name = msg_quote(s->opt.firmware, qname, sizeof(qname));
	} else if (optind != argc - 1) {
		status =
		    usage_error("%s", optind >= argc ? "run: missing FIRMWARE.elf"
		                                     : "run: exactly one FIRMWARE.elf expected");
		goto out;
	} else {
		s->opt.firmware = argv[optind];
		s->name = msg_quote(argv[optind], qname, sizeof(qname));
	}
	if (s->opt.trace_schema && !s->opt.trace_path) {
		status = usage_error("%s", "run: --trace-schema without --trace");
		goto out;
	}
	/* Everything else needs the model's events (a trace is its record of them). */
	if (s->opt.no_check && (scenario_path || s->opt.trace_path || s->opt.json ||
	                        s->opt.check_unicorn || s->inj || targs.on)) {
		status = usage_error("%s", "run: --no-check takes none of --trace, --json, "
		                           "--check-unicorn, --inject, --scenario, --timing");
		goto out;
	}

	/* --timing's cost model follows one CPU's pipeline, caches and phases. */
	if (targs.on && s->opt.ncpus > 1) {
		status =
		    usage_error("%s", "run: --timing models one CPU: it takes no --cpus above 1");
		goto out;
	}

	char err[IMG_ERR_LEN];
	if (!mach_ram_fits(s->opt.ram_base, s->opt.ram_size, &why)) {
		fprintf(stderr, "sim: --ram-base 0x%" PRIx64 " --ram 0x%" PRIx64 ": %s\n",
		        s->opt.ram_base, s->opt.ram_size, why);
		goto out;
	}
	if (!sim_load_image(s))
		goto out;
	if (s->inj &&
	    inject_resolve(s->inj, &s->img, s->opt.ram_base, s->opt.ram_size, ierr, sizeof(ierr))) {
		fprintf(stderr, "sim: %s\n", msg_quote(ierr, q, sizeof(q)));
		goto out;
	}
	for (size_t i = 0; s->inj && s->opt.check_unicorn && i < s->inj->nspecs; i++)
		if (s->inj->specs[i].kind == INJ_WEAKEN) {
			/* The model sees another encoding than Unicorn runs, by design. */
			fprintf(stderr, "sim: --inject %s: not with --check-unicorn\n",
			        s->inj->specs[i].text);
			goto out;
		}
	if (targs.on && !(s->timing = sim_timing_new(&targs, &s->img, &s->ram_ops, ierr,
	                                             sizeof(ierr)))) {
		fprintf(stderr, "sim: %s\n", msg_quote(ierr, q, sizeof(q)));
		goto out;
	}
	/* With --json, stdout carries only the hazard reports. The guest's text goes out line
	 * by line, as a terminal shows it: a reader of a pipe sees it as it comes, and a
	 * reader that has gone (| head -1) ends the run then (SIGPIPE). */
	s->uart_out = s->opt.json ? stderr : stdout;
	if (!s->opt.json)
		setvbuf(stdout, NULL, _IOLBF, 0);
	if (s->opt.uart_path && !(s->uart_out = fopen(s->opt.uart_path, "w"))) {
		fprintf(stderr, "sim: %s: cannot create: %m\n",
		        msg_quote(s->opt.uart_path, q, sizeof(q)));
		s->uart_out = NULL;
		goto out;
	}
	uint64_t direct_after = 0;
	bool direct_set = false;
	if (s->opt.trace_path && !trace_direct_env(&direct_after, &direct_set))
		goto out;
	if (s->opt.trace_path) {
		s->trace = trace_open(s->opt.trace_path, err, sizeof(err));
		if (!s->trace) {
			fprintf(stderr, "sim: %s: %s\n", msg_quote(s->opt.trace_path, q, sizeof(q)),
			        err);
			goto out;
		}
		if (s->opt.trace_schema)
			trace_set_schema(s->trace, s->opt.trace_schema);
		trace_set_limit(s->trace, s->opt.trace_limit);
		if (direct_set)
			trace_set_direct(s->trace, direct_after);
		/* The header is written when the model is configured (hazards.c). */
		if (s->timing)
			sim_timing_set_trace(s->timing, s->trace);
	}
	s->dis = disasm_new();
	if (!s->dis) {
		fprintf(stderr, "sim: capstone: cannot open the AArch64 disassembler\n");
		goto out;
	}
	signal_sim = s;
	catch_signals(true); /* until the trace is closed and the output flushed */
	s->inj_hooks = s->inj ? &inject_hooks : NULL;
	status = sim_run(s);
	/* A spec that named code which never ran is a mistake in the spec (exit 2). */
	if (s->inj && inject_unapplied(s->inj, s->name) && status != SIM_EXIT_INTERNAL)
		status = SIM_EXIT_USAGE;
	else if (sc)
		status = scenario_judge(sc, s, status);
out:
	signal_sim = NULL; /* a signal from here on is ignored: the run is over */
	sim_free_machine(s);
	if (s->trace && trace_close(s->trace, err, sizeof(err))) {
		fprintf(stderr, "sim: %s: %s\n", msg_quote(s->opt.trace_path, q, sizeof(q)), err);
		status = SIM_EXIT_USAGE; /* the trace lacks what the run did after the error */
	}
	/* The guest's text (stdout or --uart FILE) and the --json reports must have arrived: a
	 * closed pipe or a full disk is said, exit status 2 (3 when a broken pipe ended the
	 * run, as any signal does). */
	bool uart_file = s->uart_out && s->uart_out != stdout && s->uart_out != stderr;
	int uerr = s->uart_out && s->uart_out != stderr ? s->uart_errno : 0;
	if (uart_file) {
		uerr = flush_errno(s->uart_out, uerr);
		fclose(s->uart_out);
	}
	int serr = flush_errno(stdout, uart_file ? 0 : uerr);
	if (uart_file && uerr)
		fprintf(stderr, "sim: %s: write error: %s\n",
		        msg_quote(s->opt.uart_path, q, sizeof(q)), strerror(uerr));
	if (serr)
		fprintf(stderr, "sim: stdout: write error: %s\n", strerror(serr));
	if ((uart_file && uerr) || serr)
		status = s->interrupted ? SIM_EXIT_UNFINISHED : SIM_EXIT_USAGE;
	disasm_free(s->dis);
	img_free(&s->img);
	inject_free(s->inj);
	scenario_free(sc);
	sim_timing_free(s->timing);
	free(s);
	catch_signals(false);
	return status;
}

/* The commands `sim help COMMAND` knows: each prints its text for --help. */
static int run_command(int argc, char **argv, char **all_argv, int all_argc)
{
	if (!strcmp(argv[0], "run"))
		return cmd_run(argc, argv, all_argv, all_argc);
	if (!strcmp(argv[0], "campaign"))
		return campaign_main(argc, argv);
	if (!strcmp(argv[0], "replay"))
		return replay_main(argc, argv);
	if (!strcmp(argv[0], "diff"))
		return diff_main(argc, argv);
	return -1;
}

/* sim help [COMMAND]: the overview, or COMMAND's own --help text. */
static int cmd_help(int argc, char **argv)
{
	if (argc == 1) {
		fputs(help_overview, stdout);
		return 0;
	}
	if (argc > 2)
		return usage_error("%s", "help: at most one COMMAND");
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "version")) {
		fputs(help_overview, stdout);
		return 0;
	}
	static char help_opt[] = "--help";
	char *help_argv[] = {argv[1], help_opt, NULL};
	int status = run_command(2, help_argv, help_argv, 2);
	return status < 0 ? usage_error("help: unknown command '%s'", argv[1]) : status;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("%s", "missing command");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cmd_help(1, argv + 1);
	if (!strcmp(argv[1], "help"))
		return cmd_help(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		if (argc > 2)
			return usage_error("%s", "version takes no arguments");
		help_print_version(stdout);
		return 0;
	}
	int status = run_command(argc - 1, argv + 1, argv, argc);
	return status < 0 ? usage_error("unknown command '%s'", argv[1]) : status;
}
