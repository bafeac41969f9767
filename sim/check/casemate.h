/*
 * casemate.h - `sim replay --casemate FILE` (casemate_read.c: the reader; casemate.c: the
 * replay): a trace in the format of Casemate,
 * the pKVM ghost-model checker (github.com/rems-project/casemate, doc/asciidoc/sections/
 * trace-format.adoc; docs/casemate.md), read, translated into model events and checked by
 * the model, with hypsim's hazards printed beside the verdict lines (`! ...`) the file
 * carries from Casemate itself.
 *
 * The format: one s-expression per record, `(KIND (id N) (tid N) FIELDS... (src "..."))`,
 * records possibly spread over several lines, each field either `(key value)` or its bare
 * value in its place; a line starting with `!` is Casemate's verdict on what precedes it.
 * Numbers: id and tid decimal; addresses, values and sizes hexadecimal with or without 0x
 * (as Casemate's C checker reads them: its expected logs print `(size 1000)` for 4 KiB).
 *
 * What is judged: mem-write (an aligned 8-byte store to a PA), mem-set, sysreg-write,
 * barrier, tlbi; mem-init sets memory to zero without an event. mem-read, mem-free, hint,
 * lock, trylock and unlock are Casemate's ownership and locking discipline, which hypsim
 * does not judge (they are read and checked for form only).
 *
 * Exit status (DESIGN §5): 0 hypsim reports no hazard, 1 it reports some, 2 the file is
 * not a Casemate trace (`sim: FILE:LINE: problem`). Casemate's own verdicts are printed,
 * never counted.
 */
#ifndef HYPSIM_SIM_CASEMATE_H
#define HYPSIM_SIM_CASEMATE_H

#include "check/casemate_read.h"

/* `sim replay --casemate FILE`: status as above. */
int casemate_main(const char *file);

#endif /* HYPSIM_SIM_CASEMATE_H */
