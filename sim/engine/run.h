/*
 * run.h - hypsim's `sim run`: the machine set-up, the run loop and its endings (run.c), and
 * architectural exception entry (exc.c).
 */
#ifndef HYPSIM_SIM_RUN_H
#define HYPSIM_SIM_RUN_H

#include <stdint.h>

#include "exc.h"
#include "sim.h"

/* Run the firmware in s->img until it ends; returns the exit status (DESIGN §5). */
int sim_run(struct sim *s);

/*
 * The machine options `sim run` and `sim campaign` share: name is "ram", "ram-base",
 * "tlb", "max-insns" or "cpus" (without dashes), arg its value. Stores it in *o, or prints one line
 * "sim: --NAME ARG: problem" on stderr and returns false.
 */
bool sim_parse_machine_option(const char *name, const char *arg, struct sim_options *o);

/*
 * Take a synchronous exception described by info (from_el filled in here) with preferred
 * return address pref_return (D1.10.1): ESR/ELR/FAR/SPSR of the target EL, PSTATE, PC =
 * vector. pc is the instruction that caused it (for the trace). Returns 0 or -1 (s->fatal).
 */
int sim_take_exception(struct sim *s, struct exc_info *info, uint64_t pc, uint64_t pref_return);

/* Release the Unicorn instance and guest RAM. */
void sim_free_machine(struct sim *s);

/* One line describing s->last_exc ("none" when no exception was taken). */
void sim_describe_last_exc(struct sim *s, char *buf, size_t len);

#endif /* HYPSIM_SIM_RUN_H */
