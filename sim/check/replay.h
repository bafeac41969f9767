/*
 * replay.h - `sim replay TRACE` (replay.c): a recorded trace (docs/trace-format.md) read
 * back and run through the model's session again, as `sim run` ran it.
 *
 * Exit status: the status of the run it replays (DESIGN §5), 2 when the trace cannot be
 * read.
 */
#ifndef HYPSIM_SIM_REPLAY_H
#define HYPSIM_SIM_REPLAY_H

int replay_main(int argc, char **argv);

#endif /* HYPSIM_SIM_REPLAY_H */
