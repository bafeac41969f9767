/*
 * rejoin.h - when a variant of `sim campaign` has rejoined the unchanged run.
 *
 * A variant drops one instruction and runs on. Once its whole state - the model's, the
 * CPU's, guest RAM, hypsim's own run state, the UART text so far - is the unchanged run's
 * state at the same instruction, the rest of the variant is the rest of the unchanged run:
 * the same events reach the same model, which decides the same. If the unchanged run
 * reports nothing from there on, neither does the variant, and it ends as the unchanged run
 * ends: its verdict is known without running it.
 *
 * The unchanged run is recorded by a "recorder": a fork of the forking run taken at its
 * first instruction, which runs to the end and leaves, in memory shared with the parent and
 * the variants, at every `every`-th instruction (a point): digests of each part of the
 * state (model/digest.h, rejoin.c), and for every 64-byte line the last instruction that
 * touched it (an access, a DC, the model reading it through the PoC or PoU view). A
 * variant compares its digests with the point's at the points after its dropped
 * instruction, cheapest first.
 *
 * The parts of the state left out of the comparison, and why they cannot change what the
 * variant would do next, are listed in rejoin.c and model/digest.h.
 */
#ifndef HYPSIM_SIM_REJOIN_H
#define HYPSIM_SIM_REJOIN_H

#include <stdbool.h>
#include <stdint.h>

struct sim;
struct rejoin;

/* State the campaign keeps beside the run: the UART text's hash so far, and whether a
 * report other than a guest hang was made (the run's exit status depends on it). */
struct rejoin_extra {
	uint64_t uart_hash, uart_len;
	bool any_report;
};

/*
 * Is recording the unchanged run worth its cost? It ends at instruction end (inject.h
 * insns), variants start at instruction from, its last report came at last_report (0:
 * none). A variant can only rejoin at a point after the unchanged run's last report (a
 * point is usable when nothing is reported from there on), while the recorder records
 * every point. When the reports go on to near the end of a long run (Debian's kernel
 * reports at its init, 880 M instructions in, while its hyp-init runs at 100 M), recording
 * would cost a run of its own and gigabytes of points and save no variant anything: the
 * variants then run to their first new report or their end, as with --run-to-end (the same
 * table).
 */
bool rejoin_worth(uint64_t end, uint64_t from, uint64_t last_report);

/* Shared memory for a run of at most insns instructions (code-hook count), a point every
 * `every` instructions. NULL when out of memory. Created before any fork. */
struct rejoin *rejoin_new(uint64_t insns, uint64_t every);
void rejoin_free(struct rejoin *r);

/* The first point after instruction insn (insn counted from 1 as inject.h's insns). */
uint64_t rejoin_next_point(const struct rejoin *r, uint64_t insn);

/* Before the recorder is forked: what the digests need from the machine (an Unicorn
 * context buffer allocated once, so that the forks share its bytes). 0, or -1. */
int rejoin_attach(struct rejoin *r, struct sim *s);

/* ---- in the recorder ---- */
int rejoin_record_start(struct rejoin *r, struct sim *s);
void rejoin_record_point(struct rejoin *r, struct sim *s, const struct rejoin_extra *x);
/* Every report, folded or not. */
void rejoin_record_report(struct rejoin *r, struct sim *s);
/* The run has ended: publish the line table. */
void rejoin_record_end(struct rejoin *r, struct sim *s);

/* ---- in the parent, once the recorder has exited ---- */
/* Turns the points into what variants compare with. False: nothing to compare with (the
 * recorder failed or ran out of room); variants then run to their end. */
bool rejoin_prepare(struct rejoin *r);

/* ---- in a variant ---- */
/* At the fork, before the dropped instruction: returns the first point to check. line_pa:
 * a line the variant leaves otherwise than the unchanged run (a dropped clean's), whose
 * state cannot be taken as clean before the unchanged run's last touch of it; UINT64_MAX:
 * none. It only saves comparisons bound to fail. */
uint64_t rejoin_variant_start(struct rejoin *r, struct sim *s, uint64_t insn, uint64_t line_pa);
/*
 * At point `insn`: true when the variant's state is the unchanged run's there. Otherwise
 * *next is the next point worth checking (later after each full comparison that failed).
 */
bool rejoin_variant_check(struct rejoin *r, struct sim *s, const struct rejoin_extra *x,
                          uint64_t insn, uint64_t *next);

/* Statistics for the campaign's summary: full comparisons made (in all processes). */
uint64_t rejoin_comparisons(const struct rejoin *r);

/* ---- digests of the machine (also for tests) ---- */
/* CPU (Unicorn's whole CPU state), hypsim's run state, the checking glue, the injections. */
uint64_t rejoin_machine_digest(struct rejoin *r, struct sim *s);
/* Guest RAM: every page that is not all zeros. */
uint64_t rejoin_ram_digest(struct sim *s);

#endif /* HYPSIM_SIM_REJOIN_H */
