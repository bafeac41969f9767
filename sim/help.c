/*
 * help.c - the texts `sim` prints for --help, `help` and --version (help.h). Kept apart from
 * main.c's option parsing so that a new option touches main.c in one place and its words
 * here; docs/sim.1 is the long form.
 */
#include "help.h"

#include <capstone/capstone.h>
#include <unicorn/unicorn.h>

#ifndef HYPSIM_VERSION
#error "HYPSIM_VERSION is set by sim/meson.build from the project version"
#endif

const char help_overview[] =
    "usage: sim COMMAND [ARGS]\n"
    "\n"
    "hypsim runs AArch64 code that sets up the EL2 MMU (hypervisor and firmware bring-up)\n"
    "on Unicorn and reports each step whose outcome the Armv8-A architecture does not\n"
    "promise: stale TLB entries, tables or code not cleaned to the PoC, missing DSB/ISB,\n"
    "break-before-make violations.\n"
    "\n"
    "commands:\n"
    "  run FIRMWARE.elf [OPTION]...    boot an ELF on hypsim's virt machine at EL2 and check\n"
    "                                  every step against the model\n"
    "  run --kernel Image [OPTION]...  boot a Linux arm64 Image as QEMU's -kernel does\n"
    "  run --scenario FILE             a pinned run and its expected verdict\n"
    "  campaign FIRMWARE.elf --drop-each CLASS[,CLASS]... [--only SYMBOL]...\n"
    "  campaign --kernel Image --drop-each CLASS[,CLASS]... [OPTION]...\n"
    "                                  drop each maintenance instruction in turn: which\n"
    "                                  omissions the checker reports\n"
    "  replay TRACE                    re-check a recorded trace with the model alone\n"
    "  replay --casemate FILE          check a Casemate (pKVM ghost model) trace, hypsim's\n"
    "                                  verdicts beside Casemate's\n"
    "  diff A B                        the first divergence of two traces\n"
    "  help [COMMAND]                  this text, or COMMAND's options (as COMMAND --help)\n"
    "  version                         the version (as --version)\n"
    "\n"
    "exit status of run: 0 SYSTEM_OFF and no hazard, 1 hazards reported, 2 bad input or\n"
    "usage, 3 the guest did not finish (instruction budget, hang) and nothing else was\n"
    "reported, 4 internal error (--check-unicorn)\n"
    "\n"
    "The manual: man sim (in the source tree: man -l docs/sim.1).\n";

const char help_run[] =
    "usage: sim run FIRMWARE.elf [--trace FILE [--trace-schema N] [--trace-limit SIZE]]\n"
    "                            [--uart FILE]\n"
    "                            [--max-insns N] [--cpus N] [--ram SIZE] [--ram-base ADDR]\n"
    "                            [--tlb speculative|accessed] [--json]\n"
    "                            [--check-unicorn] [--no-check] [--inject SPEC]...\n"
    "                            [--timing [--cpu-profile NAME|FILE] [--phase SYMBOL]...]\n"
    "       sim run --kernel Image [--dtb FILE] [--append ARGS] [--initrd FILE]\n"
    "                            [--symbols System.map|vmlinux] [--no-reboot] [OPTION]...\n"
    "       sim run --scenario FILE [--json] [--trace FILE] [--uart FILE]\n"
    "\n"
    "  Boot an AArch64 ELF at EL2 on hypsim's virt machine until PSCI SYSTEM_OFF,\n"
    "  checking every step against the Armv8-A model; hazards are reported on stderr\n"
    "  when the run ends.\n"
    "\n"
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
    "  --trace FILE       write a JSON Lines trace (gzip when FILE ends in .gz;\n"
    "                     docs/trace-format.md)\n"
    "  --trace-schema N   write trace schema N: 2 (default), or 1 for readers that\n"
    "                     expect \"asm\" and \"sym\" on every insn event\n"
    "  --trace-limit SIZE stop the run (exit status 3) when the trace file reaches SIZE\n"
    "                     (K/M/G suffix, default 4G); it still ends with its end event\n"
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
    "  -h, --help         this text\n"
    "\n"
    "exit status: 0 SYSTEM_OFF, 1 hazards reported, 2 bad input or usage, 3 the guest did\n"
    "not finish (instruction budget, hang, unrecoverable state) and no hazard other than\n"
    "the hang was reported, 4 internal error (--check-unicorn)\n";

void help_print_version(FILE *out)
{
	/* The engine versions matter to a bug report: UNICORN-2.0.1.md's facts are 2.0.1's. */
	fprintf(out, "sim (hypsim) %s\nbuilt with Unicorn Engine %d.%d.%d and Capstone %d.%d\n",
	        HYPSIM_VERSION, UC_VERSION_MAJOR, UC_VERSION_MINOR, UC_VERSION_PATCH, CS_API_MAJOR,
	        CS_API_MINOR);
}
