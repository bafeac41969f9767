/*
 * outhash.h - what a campaign compares of a run's UART text with the unchanged run's.
 *
 * FNV-1a of everything the guest prints: the UART text compared with the baseline. With
 * skip_stamps (a kernel boot), the digits of a printk timestamp ("[    1.234567] " at a
 * line's start) are left out: a variant runs one instruction fewer, and the kernel's clock
 * (the system counter follows the instruction count, sim/machine/timer.h) moves with it,
 * so its timestamps differ from the unchanged run's in their last digits while the text
 * is the same.
 */
#ifndef HYPSIM_SIM_OUTHASH_H
#define HYPSIM_SIM_OUTHASH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct out_hash {
	uint64_t h, len;
	bool skip_stamps;
	enum { OUT_LINE_START, OUT_STAMP, OUT_TEXT } at;
};

/* A stream whose writes go into o (reset; skip_stamps as above); NULL when out of memory. */
FILE *out_hash_file(struct out_hash *o, bool skip_stamps);

#endif /* HYPSIM_SIM_OUTHASH_H */
