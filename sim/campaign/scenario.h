/*
 * scenario.h - hypsim scenario files (`sim run --scenario FILE`, schema in
 * docs/scenarios.md): one JSON object naming the firmware, the run's options, the
 * injections and the verdict expected (clean, the hazard classes expected and where, or a
 * run that does not finish). The run's exit status becomes 0 when the expectation holds and
 * 1 when it does not, with the difference explained on stderr; a file that cannot be used
 * is exit status 2 with one line naming the file and the problem.
 */
#ifndef HYPSIM_SIM_SCENARIO_H
#define HYPSIM_SIM_SCENARIO_H

#include <stddef.h>

#include "campaign/inject.h"
#include "engine/sim.h"

struct scenario;

/*
 * Read path and apply it: opt->firmware (resolved: $HYPSIM_FIRMWARE_DIR, the scenario's
 * directory, then the current directory) or opt->kernel (a "kernel" boot: Image, DTB and
 * symbols under $HYPSIM_KERNEL_DIR, the initrd under $HYPSIM_FIRMWARE_DIR, then the same
 * two places), RAM, TLB policy, budget, and the injections
 * (added to *inj, allocated if NULL). Returns NULL with one line in err on any problem.
 */
struct scenario *scenario_load(const char *path, struct sim_options *opt, struct inject **inj,
                               char *err, size_t len);

/*
 * Compare the run's outcome (its exit status and s->inj->reports) with the expectation,
 * print the verdict on stderr, and return the scenario's exit status: 0 holds, 1 does not,
 * or the run's own 2/4 (bad input, internal error).
 */
int scenario_judge(const struct scenario *sc, const struct sim *s, int status);

void scenario_free(struct scenario *sc);

#endif /* HYPSIM_SIM_SCENARIO_H */
