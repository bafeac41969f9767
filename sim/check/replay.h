/*
 * replay.h - `sim replay TRACE` (replay.c) and `sim diff A B` (tracediff.c): hypsim's
 * recorded traces read back (docs/trace-format.md).
 *
 * Exit statuses: replay exits with the status of the run it replays (DESIGN §5), 2 when
 * the trace cannot be read; diff exits 0 when the traces are equal, 1 when they differ,
 * 2 when one cannot be read.
 */
#ifndef HYPSIM_SIM_REPLAY_H
#define HYPSIM_SIM_REPLAY_H

int replay_main(int argc, char **argv);
int diff_main(int argc, char **argv);

#endif /* HYPSIM_SIM_REPLAY_H */
