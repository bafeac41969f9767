/*
 * casemate.h - `sim replay --casemate FILE` (casemate.c): a trace in the format of Casemate,
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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

enum cm_kind {
	CM_MEM_WRITE,
	CM_MEM_READ,
	CM_MEM_INIT,
	CM_MEM_FREE,
	CM_MEM_SET,
	CM_DSB,
	CM_ISB,
	CM_TLBI,
	CM_SYSREG,
	CM_HINT,
	CM_LOCK,
	CM_TRYLOCK,
	CM_UNLOCK,
	CM_KIND_COUNT
};

/* The sysregs Casemate's traces write (its sysreg_map). */
enum cm_sysreg {
	CM_VTTBR_EL2,
	CM_TTBR0_EL2,
	CM_VTCR_EL2,
	CM_TCR_EL2,
	CM_HCR_EL2,
	CM_SCTLR_EL2,
	CM_MAIR_EL2,
	CM_SYSREG_COUNT
};

enum cm_hint { CM_SET_ROOT_LOCK, CM_SET_OWNER_ROOT, CM_RELEASE_TABLE, CM_SET_PTE_THREAD_OWNER };

struct cm_record {
	enum cm_kind kind;
	unsigned line; /* of its opening parenthesis */
	uint64_t id, tid;
	uint64_t addr;  /* mem-*: address; hint: location; lock: address */
	uint64_t value; /* mem-write/read/set, sysreg-write, hint, tlbi by address */
	uint64_t size;  /* mem-init/free/set */
	bool release;   /* mem-write: (mem-order release) */
	bool has_value; /* tlbi: an address operand */
	enum barrier_domain dom; /* dsb */
	enum barrier_type btype; /* dsb: BAR_ST for ishst */
	enum tlbi_op tlbi;
	enum cm_sysreg reg;
	enum cm_hint hint;
};

struct cm_verdict {
	unsigned line;
	size_t after; /* records before it */
	char text[160];
};

struct cm_trace {
	struct cm_record *rec;
	size_t n, cap;
	struct cm_verdict *ver;
	size_t nver, capver;
};

/*
 * Parse len bytes of text (need not be NUL-terminated). 0 on success; -1 with err filled
 * with "LINE: problem" (the first problem: the format is strict, every malformed record is
 * an error). Free t with cm_trace_free in either case.
 */
int cm_parse(const char *text, size_t len, struct cm_trace *t, char *err, size_t errlen);
void cm_trace_free(struct cm_trace *t);

const char *cm_kind_name(enum cm_kind k);
const char *cm_sysreg_name(enum cm_sysreg r);

/* What hypsim makes of one Casemate verdict text: judged (a break-before-make verdict,
 * which hypsim checks too) or not, with the reason. */
bool cm_verdict_judged(const char *text, const char **why);

/* `sim replay --casemate FILE`: status as above. */
int casemate_main(const char *file);

#endif /* HYPSIM_SIM_CASEMATE_H */
