/*
 * report.h - hypsim's hazard reports (DESIGN §3 "Every report carries ..."): the model's
 * struct hazard, annotated with what only the simulator knows (the symbol and PA of each
 * PC, its disassembly), folded by the model's fold_key so that a loop repeating one cause
 * gives one report with a count, and printed in words (stderr) or as one JSON object per
 * report (stdout with --json, and `hazard` events in the trace).
 *
 * Pure apart from the FILE it prints to: no Unicorn, so folding and printing are unit
 * tested (suite 'sim').
 */
#ifndef HYPSIM_SIM_REPORT_H
#define HYPSIM_SIM_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "model.h"

/* An instruction as a report shows it: where it ran and what it was. */
struct rep_site {
	bool known;      /* false: the instruction could not be found (machine reset, ...) */
	uint64_t va, pa; /* its VA, and the PA it was fetched from */
	unsigned el;
	char sym[64];   /* "name+0xoff" of the PA (symbols are link = physical addresses) */
	char text[200]; /* disassembly */
};

/* What the simulator adds to one hazard. */
struct rep_annot {
	struct rep_site pc;                     /* the instruction the hazard is reported at */
	struct rep_site cause[HZ_MAX_OUTCOMES]; /* the instruction of each outcome's cause */
};

struct rep_entry {
	struct hazard hz; /* the first report of this cause */
	struct rep_annot an;
	uint64_t count; /* reports folded into this one, itself included */
};

struct report;

struct report *report_new(void);
void report_free(struct report *r);

/*
 * Add one report. Returns the entry it was folded into (count incremented) or the new
 * entry; *is_new says which. The pointer stays valid until the next report_add.
 */
const struct rep_entry *report_add(struct report *r, const struct hazard *hz,
                                   const struct rep_annot *an, bool *is_new);

size_t report_count(const struct report *r);                            /* entries (folded) */
const struct rep_entry *report_entry(const struct report *r, size_t i); /* first-seen order */
/* Entries of classes other than cls (used for "only a guest hang was reported"). */
size_t report_count_except(const struct report *r, enum hz_class cls);

/* The report of e in words, several lines ending in '\n'. */
void report_print_text(const struct rep_entry *e, FILE *f);

/* The report of e as a JSON object (the caller owns the reference). */
json_t *report_json(const struct rep_entry *e);

#endif /* HYPSIM_SIM_REPORT_H */
