/*
 * campaign.h - `sim campaign FIRMWARE.elf --drop-each CLASSES [--jobs N] [--json]`: one
 * variant of the run per dynamic occurrence of each named instruction class, each with that
 * one instruction dropped (inject.h), and a detection table: for every instruction, the
 * hazard class the checker reports when it is missing, or "no hazard: every outcome
 * coincides", or how the run failed.
 *
 * Variants share the unchanged prefix by fork(): one parent runs the firmware unchanged
 * and, at each occurrence, forks a child that drops the instruction and runs on from there
 * (Unicorn's whole state, guest RAM and the model are copied on write by the kernel). A
 * child stops at its first hazard report that the unchanged run does not have, or at the
 * run's end, and writes its verdict into a shared table. At most --jobs children run at
 * once (default: the online CPUs).
 */
#ifndef HYPSIM_SIM_CAMPAIGN_H
#define HYPSIM_SIM_CAMPAIGN_H

/* The `sim campaign` command: argv[0] is "campaign". Returns the exit status. */
int campaign_main(int argc, char **argv);

#endif /* HYPSIM_SIM_CAMPAIGN_H */
