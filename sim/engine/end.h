/*
 * end.h - how a run ends (end.c), for the run loop and the scheduler.
 */
#ifndef HYPSIM_SIM_END_H
#define HYPSIM_SIM_END_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/sim.h"

/* What a step of the run loop decided. */
enum loop_result { LOOP_CONTINUE, LOOP_END };

/* End the run: flush the UART, print the end line (fmt) and the reports, write the trace's
 * `end` event with reason. Returns the exit status (status, or 1 for hazards). */
int end_finish(struct sim *s, const char *reason, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* "0x40101010 (spin_forever+0x0) at EL2"; with several CPUs and name_cpu, "... on cpuN". */
const char *end_where_on(struct sim *s, uint64_t pc, char *buf, size_t len, bool name_cpu);
const char *end_where(struct sim *s, uint64_t pc, char *buf, size_t len);

/* Unicorn left the block counted at its start before pc: take back the instructions
 * from pc on. */
void end_uncount_from(struct sim *s, uint64_t pc);
/* An exception raised by pc_insn: it counts as executed, the ones after it did not run. */
void end_uncount_after(struct sim *s, uint64_t pc_insn);

#endif /* HYPSIM_SIM_END_H */
