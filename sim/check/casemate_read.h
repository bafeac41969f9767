/*
 * casemate_read.h - the reader of Casemate's trace format (casemate_read.c; the format in
 * casemate.h and docs/casemate.md): records and verdict lines, parsed strictly, and what
 * hypsim makes of a Casemate verdict.
 */
#ifndef HYPSIM_SIM_CASEMATE_READ_H
#define HYPSIM_SIM_CASEMATE_READ_H

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
const char *cm_hint_name(enum cm_hint h);

/* What hypsim makes of one Casemate verdict text: judged (a break-before-make verdict,
 * which hypsim checks too) or not, with the reason. */
bool cm_verdict_judged(const char *text, const char **why);

#endif /* HYPSIM_SIM_CASEMATE_READ_H */
