/*
 * run.h - hypsim's `sim run`: the run loop (run.c; the machine and hooks in hooks.c, CPUs in sched.c, endings in end.c).
 */
#ifndef HYPSIM_SIM_RUN_H
#define HYPSIM_SIM_RUN_H

#include <stdint.h>

#include "engine/sim.h"

/* Run the firmware in s->img until it ends; returns the exit status (DESIGN §5). */
int sim_run(struct sim *s);

/*
 * The machine options `sim run` and `sim campaign` share: name is "ram", "ram-base",
 * "tlb", "max-insns" or "cpus" (without dashes), arg its value. Stores it in *o, or prints one line
 * "sim: --NAME ARG: problem" on stderr and returns false.
 */
bool sim_parse_machine_option(const char *name, const char *arg, struct sim_options *o);

/*
 * The kernel-boot options `sim run` and `sim campaign` share: name is "kernel", "dtb",
 * "append", "initrd" or "symbols"; arg is stored in o->kernel. False for another name.
 */
bool sim_parse_kernel_option(const char *name, const char *arg, struct sim_options *o);

/* After parsing: NULL, or why the kernel-boot options do not go together ("--dtb ... go
 * with --kernel Image"), for a usage error. */
const char *sim_kernel_options_problem(const struct sim_options *o);

/*
 * Load what s->opt names into s->img: the kernel boot (o->kernel.kernel, s->kinfo) or the
 * ELF s->opt.firmware, checked against the RAM. False after one line "sim: FILE: problem"
 * on stderr (FILE: the file at fault; s->name for the ELF).
 */
bool sim_load_image(struct sim *s);

/* Release the Unicorn instance and guest RAM. */
void sim_free_machine(struct sim *s);

#endif /* HYPSIM_SIM_RUN_H */
