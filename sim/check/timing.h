/*
 * timing.h - `sim run --timing`: hypsim's cost model (model/timing.h) behind the checker,
 * split into phases, printed as a table at the end of the run.
 *
 * The model's events reach it after the checker has stepped them (sim_timing_event, called
 * by the checking session for every event); it never changes a verdict. Phases are split,
 * by default, where the MMU of the running regime goes on or off, at writes of TTBR0_EL2,
 * TTBR0_EL1 and TTBR1_EL1, and at exception entry and return; --phase SYMBOL adds a split
 * wherever execution fetches the instruction at that symbol (ELF symbols are physical
 * addresses, so an alias or HYP VA of it counts too).
 *
 * Profiles: a NAME of a profile shipped in profiles/ (built into the binary) or a FILE in
 * the documented format (docs/timing.md). Errors come back as one line (err) for main to
 * print as "sim: FILE: problem", exit status 2.
 */
#ifndef HYPSIM_SIM_TIMING_H
#define HYPSIM_SIM_TIMING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../../model/timing.h"
#include "machine/image.h"
#include "mem_ops.h"
#include "model.h"

#define SIM_TIMING_DEFAULT_PROFILE "cortex-a72"
#define SIM_TIMING_MAX_PHASE_SYMS  32

/* What the command line asked for. */
struct sim_timing_args {
	bool on;
	const char *profile; /* NULL: SIM_TIMING_DEFAULT_PROFILE */
	const char *phase_syms[SIM_TIMING_MAX_PHASE_SYMS];
	unsigned nphase_syms;
};

struct sim_timing;

/*
 * Load the profile and resolve the --phase symbols in img. Returns NULL with one line in
 * err ("profiles/x.txt: line 3: unknown key 'y' in [tlb]", "--phase foo: no such symbol
 * in FIRMWARE") on failure.
 */
struct sim_timing *sim_timing_new(const struct sim_timing_args *a, const struct image *img,
                                  const struct mem_ops *mem, char *err, size_t errlen);
void sim_timing_free(struct sim_timing *st);

/* One model event, after model_step(m, ev, res); res may be NULL for non-accesses. */
void sim_timing_event(struct sim_timing *st, const struct model *m, const struct model_event *ev,
                      const struct model_step_result *res);

/* Write a `cost` event to t after every event the cost model charges (NULL: none). */
struct trace;
void sim_timing_set_trace(struct sim_timing *st, struct trace *t);

/* Cycles (x 100) charged so far: a stable pointer, for per-event deltas in a trace. */
const uint64_t *sim_timing_centicycles(const struct sim_timing *st);

/* The phase table (docs/timing.md), symbols named through img. */
void sim_timing_print(const struct sim_timing *st, const struct image *img, FILE *f);

/*
 * For `sim campaign --json` and other callers: the run's totals, its phases, and per
 * maintenance or barrier instruction (TLBI, DC, IC, DSB, DMB, ISB by PC) its count, the
 * cycles charged at it and the maintenance latency it queued:
 *   {"profile":"cortex-a72","insns":N,"cycles":N,"tlb_misses":N,"walk_reads":N,
 *    "dcache_misses":N,"icache_misses":N,"tlbi":N,"dc":N,"ic":N,"dsb":N,"isb":N,
 *    "dsb_wait_cycles":N,"phases":[{...}],"maintenance":[{"pc":"0x..","pa":"0x..",
 *    "sym":"..","op":"tlbi alle2","count":N,"cycles":N,"latency":N}]}
 * A new reference (json_t *) is returned; NULL if out of memory.
 */
struct json_t *sim_timing_json(const struct sim_timing *st, const struct image *img);

#endif /* HYPSIM_SIM_TIMING_H */
