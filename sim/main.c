/*
 * main.c - the `sim` command line (DESIGN §5). Environment and input failures come back
 * here as values and are printed as one line "sim: FILE: problem", exit status 2.
 */
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
#include "machine/disasm.h"
#include "machine/kernel_boot.h"
#include "machine/machine.h"
#include "trace/trace.h"
#include "trace/tracediff.h"

static const char usage[] =
    "usage: sim run FIRMWARE.elf [--trace FILE [--trace-schema N]] [--uart FILE]\n"
    "                            [--max-insns N] [--cpus N] [--ram SIZE] [--ram-base ADDR]\n"
    "                            [--tlb speculative|accessed] [--json]\n"
    "                            [--check-unicorn] [--no-check] [--inject SPEC]...\n"
    "                            [--timing [--cpu-profile NAME|FILE] [--phase SYMBOL]...]\n"
    "       sim run --kernel Image [--dtb FILE] [--append ARGS] [--initrd FILE]\n"
    "                            [--symbols System.map|vmlinux] [--no-reboot] [run options]\n"
    "       sim run --scenario FILE [--json] [--trace FILE] [--uart FILE]\n"
    "       sim campaign FIRMWARE.elf --drop-each CLASS[,CLASS]... [--jobs N] [--json]\n"
    "       sim replay TRACE [--firmware ELF] [--json] [--bench]\n"
    "       sim diff A B\n"
    "\n"
    "  run FIRMWARE.elf   boot an AArch64 ELF at EL2 on hypsim's virt machine until PSCI\n"
    "                     SYSTEM_OFF, checking every step against the Armv8-A model\n"
    "  --kernel Image     boot a Linux arm64 Image (or a gzip'd one) instead of an ELF,\n"
    "                     as QEMU's -kernel: placed by its header, entered at EL2h with\n"
    "                     x0 = the device tree's PA\n"
    "  --dtb FILE         the device tree to pass (default: one generated for hypsim's\n"
    "                     machine); its /chosen gets --append and --initrd\n"
    "  --append ARGS      the kernel command line (/chosen bootargs)\n"
    "  --initrd FILE      an initrd/initramfs, loaded in RAM and named in /chosen\n"
    "  --symbols FILE     the kernel's System.map or vmlinux: reports name kernel\n"
    "                     functions (symbols are moved to the PAs the Image runs at)\n"
    "  --no-reboot        PSCI SYSTEM_RESET ends the run with status 0 (QEMU's\n"
    "                     -no-reboot) instead of restarting the machine\n"
    "  --trace FILE       write a JSON Lines trace (docs/trace-format.md)\n"
    "  --trace-schema N   write trace schema N: 2 (default), or 1 for readers that\n"
    "                     expect \"asm\" and \"sym\" on every insn event\n"
    "  --uart FILE        write the guest's UART output to FILE instead of stdout\n"
    "                     (with --json and no --uart: to stderr)\n"
    "  --max-insns N      stop after N instructions of all CPUs (exit status 3)\n"
    "  --cpus N           CPUs of the machine, 1 to 8 (default 1); CPU 0 boots, the\n"
    "                     others wait for PSCI CPU_ON\n"
    "  --ram SIZE         RAM size, with K/M/G suffix (default 256M)\n"
    "  --ram-base ADDR    RAM physical address (default 0x40000000, 2 MiB aligned)\n"
    "  --tlb POLICY       speculative (default): a TLB may hold any translation of the\n"
    "                     live tables; accessed: only translations used\n"
    "  --json             one JSON object per hazard report on stdout\n"
    "  --check-unicorn    debug: stop with an internal error (exit 4) when Unicorn's\n"
    "                     accesses disagree with the model's coherent translation\n"
    "  --no-check         for benchmarks: runs on Unicorn with the same loader and\n"
    "                     machine, without the model's hooks (no hazard is looked for)\n"
    "  --inject SPEC      a fault to inject (repeatable): drop@SYMBOL[+OFF][#N],\n"
    "                     drop@0xPC, drop=CLASS#N (tlbi dc ic dsb dmb isb msr),\n"
    "                     weaken@WHERE:OPT or weaken=dsb#N:OPT (e.g. nsh), flip@PA:BIT#N,\n"
    "                     tlb=speculative|accessed, writeback=any|never|random:SEED\n"
    "                     (the model's cache write-back policy; docs/scenarios.md)\n"
    "  --timing           estimate cycles with a CPU profile's cost model; at the end,\n"
    "                     a table of phases (split at MMU on/off, TTBR writes, exception\n"
    "                     entry/return) on stderr (docs/timing.md)\n"
    "  --cpu-profile P    cortex-a72 (default), cortex-a53, or a profile FILE\n"
    "  --phase SYMBOL     also split phases where SYMBOL is fetched (repeatable)\n"
    "  --scenario FILE    run a scenario file (docs/scenarios.md): exit 0 when its\n"
    "                     expected verdict holds, 1 when not\n"
    "  campaign           one run per dropped instruction, a detection table (sim\n"
    "                     campaign --help)\n"
    "  replay TRACE       re-check a recorded trace with the model alone (sim replay\n"
    "                     --help); diff A B: the first divergence of two traces\n"
    "\n"
    "exit status: 0 SYSTEM_OFF, 1 hazards reported, 2 bad input or usage, 3 the guest did\n"
    "not finish (instruction budget, hang, unrecoverable state) and no hazard other than\n"
    "the hang was reported, 4 internal error (--check-unicorn)\n";

/* The one global: the signal handler's way to the run in progress (STYLE 9). */
static struct sim *signal_sim;

static void on_signal(int sig)
{
	(void)sig;
	if (signal_sim) {
		signal_sim->interrupted = 1;
		if (signal_sim->uc)
			uc_emu_stop(signal_sim->uc);
	}
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "sim: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (try 'sim --help')\n");
	return SIM_EXIT_USAGE;
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
	s->opt.argc = all_argc;
	s->opt.argv = all_argv;
	int c, status = SIM_EXIT_USAGE;
	const char *why, *scenario_path = NULL;
	struct scenario *sc = NULL;
	struct inj_spec spec;
	char ierr[300];
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
				fprintf(stderr, "sim: %s\n", ierr);
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
			s->opt.kernel.kernel = optarg;
			break;
		case OPT_DTB:
			s->opt.kernel.dtb = optarg;
			break;
		case OPT_APPEND:
			s->opt.kernel.append = optarg;
			break;
		case OPT_INITRD:
			s->opt.kernel.initrd = optarg;
			break;
		case OPT_SYMBOLS:
			s->opt.kernel.symbols = optarg;
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
			fputs(usage, stdout);
			status = 0;
			goto out;
		default:
			status = usage_error("%s", "invalid option for 'run'");
			goto out;
		}
	}
	const struct kboot_args *ka = &s->opt.kernel;
	if (!ka->kernel && (ka->dtb || ka->append || ka->initrd || ka->symbols)) {
		status = usage_error("%s", "run: --dtb, --append, --initrd and --symbols go with "
		                           "--kernel Image");
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
			fprintf(stderr, "sim: %s\n", ierr);
			goto out;
		}
		s->name = s->opt.firmware;
	} else if (optind != argc - 1) {
		status =
		    usage_error("%s", optind >= argc ? "run: missing FIRMWARE.elf"
		                                     : "run: exactly one FIRMWARE.elf expected");
		goto out;
	} else {
		s->opt.firmware = s->name = argv[optind];
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
	if (ka->kernel) {
		const char *bad = ka->kernel;
		if (kboot_load(ka, s->opt.ram_base, s->opt.ram_size, s->opt.ncpus, &s->img,
		               &s->kinfo, &bad, err)) {
			fprintf(stderr, "sim: %s: %s\n", bad, err);
			goto out;
		}
	} else if (img_load(s->opt.firmware, &s->img, err) ||
	           img_check_layout(&s->img, s->opt.ram_base, s->opt.ram_size, err)) {
		fprintf(stderr, "sim: %s: %s\n", s->name, err);
		goto out;
	}
	if (s->inj &&
	    inject_resolve(s->inj, &s->img, s->opt.ram_base, s->opt.ram_size, ierr, sizeof(ierr))) {
		fprintf(stderr, "sim: %s\n", ierr);
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
		fprintf(stderr, "sim: %s\n", ierr);
		goto out;
	}
	/* With --json, stdout carries only the hazard reports. */
	s->uart_out = s->opt.json ? stderr : stdout;
	if (s->opt.uart_path && !(s->uart_out = fopen(s->opt.uart_path, "w"))) {
		fprintf(stderr, "sim: %s: cannot create: %m\n", s->opt.uart_path);
		s->uart_out = NULL;
		goto out;
	}
	if (s->opt.trace_path) {
		s->trace = trace_open(s->opt.trace_path, err, sizeof(err));
		if (!s->trace) {
			fprintf(stderr, "sim: %s: %s\n", s->opt.trace_path, err);
			goto out;
		}
		if (s->opt.trace_schema)
			trace_set_schema(s->trace, s->opt.trace_schema);
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
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	s->inj_hooks = s->inj ? &inject_hooks : NULL;
	status = sim_run(s);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal_sim = NULL;
	/* A spec that named code which never ran is a mistake in the spec (exit 2). */
	if (s->inj && inject_unapplied(s->inj, s->name) && status != SIM_EXIT_INTERNAL)
		status = SIM_EXIT_USAGE;
	else if (sc)
		status = scenario_judge(sc, s, status);
out:
	sim_free_machine(s);
	if (s->trace && trace_close(s->trace, err, sizeof(err))) {
		fprintf(stderr, "sim: %s: %s\n", s->opt.trace_path, err);
		status = status ? status : SIM_EXIT_USAGE;
	}
	if (s->uart_out && s->uart_out != stdout && s->uart_out != stderr)
		fclose(s->uart_out);
	else
		fflush(stdout);
	disasm_free(s->dis);
	img_free(&s->img);
	inject_free(s->inj);
	scenario_free(sc);
	sim_timing_free(s->timing);
	free(s);
	return status;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("%s", "missing command");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1, argv, argc);
	if (!strcmp(argv[1], "campaign"))
		return campaign_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "replay"))
		return replay_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "diff"))
		return diff_main(argc - 1, argv + 1);
	return usage_error("unknown command '%s'", argv[1]);
}
