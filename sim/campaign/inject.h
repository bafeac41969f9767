/*
 * inject.h - hypsim's fault injection (`sim run --inject SPEC`, scenario files, `sim
 * campaign`): the answer to "which of my maintenance instructions are necessary, and does
 * the checker catch the omission of each?".
 *
 * An injection changes what the guest executes, never what the model believes about it:
 *  - drop: the instruction does not execute. Unicorn skips it (its PC is written past it from
 *    the code hook, measured on 2.0.1: the rest of the block is abandoned and a new block
 *    starts at the next instruction) and the model sees no event of it, not even its fetch.
 *  - weaken: a DSB/DMB executes with another option (`dsb ish` -> `dsb nsh`). Unicorn has no
 *    memory ordering to weaken; the model sees the weaker barrier (Arm ARM C6.2 DSB: the
 *    option selects the shareability domain and access types it waits for).
 *  - flip: one bit of a 64-bit word of guest RAM is inverted just before the Nth
 *    instruction, as a fault in the memory the program sees (a descriptor, a parameter).
 *    The model's own copies (the PoC bytes of a dirty line) are not changed.
 *  - tlb: the TLB policy of the model (speculative or accessed, DESIGN §3).
 *  - writeback: the model's cache write-back policy (model.h enum wb_policy): any, never,
 *    or random:SEED (deterministic for a given seed).
 *
 * The Nth dynamic occurrence of a class counts executed instructions of that class in
 * program order, as the model would see them: tlbi, dc, ic (SYS, Arm ARM C5.3), dsb, dmb,
 * isb (C6.2) and msr (MSR register form, C5.2). Counting is deterministic: the same
 * firmware and options give the same sequence, which `sim campaign` relies on.
 *
 * Spec grammar (docs/scenarios.md), WHERE = SYMBOL[+OFF] | 0xADDR (a VA or the PA it is
 * fetched from; symbols are link addresses, which are PAs):
 *     drop@WHERE[#N]        every execution at WHERE, or only the Nth
 *     drop=CLASS#N          the Nth dynamic occurrence of CLASS
 *     weaken@WHERE[#N]:OPT  a DSB/DMB with option OPT instead (sy, st, ld, ish, ishst,
 *     weaken=CLASS#N:OPT    ishld, nsh, nshst, nshld, osh, oshst, oshld); CLASS dsb or dmb
 *     flip@PA:BIT#N         invert bit BIT (0..63) of the 8-byte-aligned word at PA before
 *                           the Nth instruction (counted from 1 like trace insn events)
 *     tlb=speculative|accessed
 *     writeback=any|never|random:SEED
 */
#ifndef HYPSIM_SIM_INJECT_H
#define HYPSIM_SIM_INJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check/report.h"
#include "machine/image.h"

struct sim;
struct sim_options;
struct sim_inject_hooks;

enum inj_class {
	INJ_CLS_TLBI,
	INJ_CLS_DC,
	INJ_CLS_IC,
	INJ_CLS_DSB,
	INJ_CLS_DMB,
	INJ_CLS_ISB,
	INJ_CLS_MSR,
	INJ_CLS_COUNT,
	INJ_CLS_NONE = INJ_CLS_COUNT,
};

enum inj_kind { INJ_DROP, INJ_WEAKEN, INJ_FLIP, INJ_TLB, INJ_WRITEBACK };

struct inj_spec {
	enum inj_kind kind;
	char text[128]; /* the spec as given, for messages */
	/* Where: the Nth occurrence of a class, or an address (its Nth execution, 0 = all). */
	enum inj_class cls; /* INJ_CLS_NONE: by address */
	char sym[96];       /* "" : addr given as a number */
	uint64_t sym_off;
	uint64_t addr; /* resolved address (inj_resolve) */
	uint64_t nth;
	unsigned option;   /* weaken: the barrier's new CRm (C6.2 option) */
	uint64_t pa;       /* flip */
	unsigned bit;      /* flip */
	bool tlb_accessed; /* tlb */
	enum wb_policy wb; /* writeback */
	uint64_t wb_seed;  /* writeback=random:SEED */
	uint64_t seen;     /* executions at addr so far */
	uint64_t applied;  /* times the injection took effect */
};

/* A hazard report as hypsim folded it: what scenarios and campaigns compare. */
struct inj_report {
	enum hz_class cls;
	unsigned cpu;
	uint64_t va;   /* the PC */
	char sym[64];  /* symbol+offset of the PC (through its PA) */
	char text[96]; /* disassembly */
	enum ev_kind ev;
	char summary[160];
	/* The PCs of the events that made the other outcomes possible (the causes of
	 * outcomes 1..), for a scenario's "cause_at". */
	unsigned ncause;
	uint64_t cause_pc[4];
};

/*
 * Called at each dynamic occurrence of a class in occ_mask (bit = 1 << class), before the
 * instruction runs: `sim campaign` forks there. Returns true when this process must drop
 * the instruction (the variant's child).
 */
typedef bool (*inj_occ_fn)(void *arg, struct sim *s, enum inj_class cls, uint64_t nth, uint64_t pc,
                           uint32_t enc);
/* Called for every (folded) report: is_new for the first of its cause, false for the
 * repeats folded into it. */
typedef void (*inj_report_fn)(void *arg, struct sim *s, const struct rep_entry *e, bool is_new);
/* Called at instruction number `next_tick` (counted as insns), before anything else happens
 * to it: `sim campaign` compares a variant's state with the unchanged run's there. */
typedef void (*inj_tick_fn)(void *arg, struct sim *s);

struct inject {
	struct inj_spec *specs;
	size_t nspecs, cap;
	uint64_t insns;                /* code-hook instructions so far */
	uint64_t count[INJ_CLS_COUNT]; /* dynamic occurrences so far, per class */
	bool any_addr;                 /* some spec is by address: translate PCs */
	uint32_t occ_mask;
	inj_occ_fn occ;
	void *occ_arg;
	inj_report_fn on_report;
	void *report_arg;
	inj_tick_fn tick; /* NULL: none */
	void *tick_arg;
	uint64_t next_tick;         /* the callee sets the next one */
	struct inj_report *reports; /* every new report of the run, in order */
	size_t nreports, cap_reports;
};

/* Class names as specs and tables write them ("tlbi", ...); INJ_CLS_COUNT if unknown. */
const char *inj_class_name(enum inj_class c);
enum inj_class inj_class_from_name(const char *name, size_t len);

/* The class of an instruction encoding, or INJ_CLS_NONE. */
enum inj_class inj_classify(uint32_t enc);

/* Parse one spec. Returns 0, or -1 with one line in err (without "sim: "). */
int inj_parse(const char *spec, struct inj_spec *out, char *err, size_t len);

/* The barrier option name -> CRm value (C6.2), false if unknown. */
bool inj_barrier_option(const char *name, unsigned *crm);

/* Append a parsed spec. Returns 0, -1 on allocation failure. */
int inject_add(struct inject *inj, const struct inj_spec *spec);

/*
 * Resolve symbols against the image and check flips against RAM. Returns 0, or -1 with one
 * line in err naming the spec and the problem.
 */
int inject_resolve(struct inject *inj, const struct image *img, uint64_t ram_base,
                   uint64_t ram_size, char *err, size_t len);

/*
 * The code hook's entry, before the model sees the instruction at pc. May change *enc (a
 * weakened barrier: the model sees that encoding). Returns true when the instruction is
 * dropped: Unicorn's PC is already past it and the caller must not deliver it.
 */
bool inject_code(struct sim *s, uint64_t pc, uint32_t *enc);

/* From hazards.c for every report (is_new: a cause not seen before in this run). */
void inject_on_report(struct sim *s, const struct rep_entry *e, bool is_new);

/* inject_code and inject_on_report, for struct sim.inj_hooks (engine/sim.h): the engine and
 * the checker reach fault injection only through it. */
extern const struct sim_inject_hooks inject_hooks;

/*
 * Apply the model options among the specs (tlb=, writeback=) to o, the last one winning.
 */
void inject_options(const struct inj_spec *spec, struct sim_options *o);

/*
 * End of run: one line on stderr for every drop/weaken/flip that never took effect (a spec
 * naming code that did not run). Returns the number of such specs.
 */
size_t inject_unapplied(const struct inject *inj, const char *name);

void inject_free(struct inject *inj);

#endif /* HYPSIM_SIM_INJECT_H */
