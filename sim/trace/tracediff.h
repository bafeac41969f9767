/*
 * tracediff.h - `sim diff A B` (tracediff.c): two recorded traces (docs/trace-format.md)
 * compared event by event.
 *
 * Exit status: 0 when the traces are equal, 1 when they differ, 2 when one cannot be read.
 */
#ifndef HYPSIM_SIM_TRACEDIFF_H
#define HYPSIM_SIM_TRACEDIFF_H

int diff_main(int argc, char **argv);

#endif /* HYPSIM_SIM_TRACEDIFF_H */
