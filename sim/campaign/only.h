/*
 * only.h - `sim campaign --only SYMBOL[,SYMBOL]...`: the symbols whose occurrences become
 * variants.
 *
 * A symbol covers its address up to its end (an ELF symbol's st_size) or, without a size
 * (System.map), up to the next symbol's address, which is how a report attributes a PC. An
 * occurrence is inside when the address its PC is named by (mmu_symbol_addr, engine/mmu.h:
 * the PC itself for code running where it was loaded, an ELF or an idmap; else the PA the
 * current regime fetches it from, a kernel VA or a HYP VA) lies in one of the ranges.
 */
#ifndef HYPSIM_SIM_ONLY_H
#define HYPSIM_SIM_ONLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "machine/image.h"

struct sim;

struct only_set {
	char **names; /* as given, in order */
	size_t nnames;
	struct only_range {
		uint64_t lo, hi;
	} *ranges; /* [lo, hi), in the addresses symbols use */
	size_t nranges;
};

/* Append the names of one --only argument. False after one line on stderr (an empty name,
 * out of memory). */
bool only_add(struct only_set *o, const char *list);

/*
 * Resolve the names against img's symbols. kernel: also look a name up with the
 * `__kvm_nvhe_` prefix Linux gives its nVHE hypervisor symbols. False after one line on err:
 * "sim: NAME: no such symbol in FILE" (file: where the symbols came from).
 */
bool only_resolve(struct only_set *o, const struct image *img, bool kernel, const char *file,
                  FILE *err);

/* Is the instruction at pc within the set? Always true for a set without names. */
bool only_has(const struct only_set *o, struct sim *s, uint64_t pc);

void only_free(struct only_set *o);

#endif /* HYPSIM_SIM_ONLY_H */
