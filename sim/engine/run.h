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

/* Release the Unicorn instance and guest RAM. */
void sim_free_machine(struct sim *s);

#endif /* HYPSIM_SIM_RUN_H */
