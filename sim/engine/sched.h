/*
 * sched.h - several CPUs on one Unicorn instance, and PSCI (sched.c), for the run loop.
 */
#ifndef HYPSIM_SIM_SCHED_H
#define HYPSIM_SIM_SCHED_H

#include <stddef.h>
#include <stdint.h>

#include "engine/end.h"
#include "engine/sim.h"

/* Instructions each CPU executed, "cpu0 123, cpu1 45", for the end line. */
const char *sched_per_cpu_insns(struct sim *s, char *buf, size_t len);

/* The running CPU can never run again (DESIGN §2 guest hang): with one CPU the run ends
 * with this message; with several, it ends only when every CPU that is on hangs. */
void sched_mark_hung(struct sim *s, uint64_t pc, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* At the top of the run loop: switch to the next runnable CPU or end the run. */
enum loop_result sched_next(struct sim *s, int *status);

/* The SMC before pc_after: a PSCI call (machine/machine.h psci_dispatch). */
enum loop_result sched_smc(struct sim *s, uint64_t pc_after, int *status);

#endif /* HYPSIM_SIM_SCHED_H */
