/*
 * hazards.h - hypsim's checking glue: every architectural step Unicorn takes becomes a model
 * event (model/model.h), the model's hazards become reports (report.h), and Unicorn is kept
 * on the coherent outcome.
 *
 *  - Fetch (from the per-instruction code hook; kept in check_fetch so that a later
 *    per-block fetch path replaces one function), DSB/DMB/ISB decoded from that encoding,
 *    loads and stores (UC_HOOK_MEM_READ/WRITE, split into <= 8-byte events), MSR to the
 *    registers the model tracks, TLBI/DC/IC/AT (decode.h), exception entry and ERET (from
 *    entry.c and the run loop). Each event is delivered before its instruction takes effect.
 *  - Unicorn follows the fresh translation: after MSRs to translation registers, TLBIs and
 *    stores to a page of a live translation table, the run loop flushes Unicorn's TLB
 *    (check_context). The live table pages are recomputed there with the walker's visitor.
 *  - --check-unicorn compares what Unicorn did with the model's coherent outcome and stops
 *    with an internal error (exit status 4) on any difference.
 */
#ifndef HYPSIM_SIM_HAZARDS_H
#define HYPSIM_SIM_HAZARDS_H

#include <stdbool.h>
#include <stdint.h>
#include <unicorn/unicorn.h>

#include "exc.h"

struct sim;

/* Create the model and the report for a fresh machine and add the memory hooks. */
int check_new(struct sim *s);
/* Release them (machine teardown). The reports are kept until check_end. */
void check_free_machine(struct sim *s);

/* Events, called from run.c / entry.c. */
void check_fetch(struct sim *s, uint64_t pc, uint32_t enc);
void check_msr(struct sim *s, const uc_arm64_cp_reg *cp);
void check_sys(struct sim *s, const uc_arm64_cp_reg *cp);
/* An IRQ/FIQ (virtual: from HCR_EL2.VI/VF or the GIC's virtual interface) taken at pc from
 * from_el to to_el: a requested exception for the model (not a fault), ESR untouched. */
void check_irq_entry(struct sim *s, bool fiq, bool virt, uint64_t pc, unsigned from_el,
                     unsigned to_el, uint64_t vector);
void check_exc_entry(struct sim *s, const struct exc_info *info, const struct exc_entry *e,
                     uint64_t pc);
void check_eret(struct sim *s, uint64_t pc, unsigned from_el, unsigned to_el, uint64_t target);
/* CPU cpu hangs at pc (reported as guest-hang: a class of its own, DESIGN §3). */
void check_hang(struct sim *s, unsigned cpu, uint64_t pc, const char *what);
/* The encoding Unicorn executes at pc, when a store overwrote it in the running block
 * before it ran (*enc unchanged otherwise). */
void check_translated_insn(struct sim *s, uint64_t pc, uint32_t *enc);

/* --no-check: tell the session the instruction at pc the running CPU is executing, so that
 * a report about it names it (its model sees no fetch). Nothing in checked runs. */
void check_note_insn(struct sim *s, uint64_t pc);
/* PSCI: the current CPU, at the SMC at pc, powered cpu up to enter at entry with x0 =
 * context_id; or powers itself down. The model follows (session_cpu_on/off). */
void check_cpu_on(struct sim *s, unsigned cpu, uint64_t pc, uint64_t entry, uint64_t context_id);
void check_cpu_off(struct sim *s, uint64_t pc);

/* After a stop for a context change: Unicorn's TLB follows the fresh translation. */
void check_context(struct sim *s);
/* --no-check: the store at pc that reached a live table runs again with Unicorn's TLB
 * flushed (STOP_TABLE_STORE, the CPU restored to before it). */
void check_bare_restart(struct sim *s, uint64_t pc);
/* RAM changed behind the guest's stores (an injected flip): the next check_context
 * recomputes the live table pages. */
void check_tables_dirty(struct sim *s);
/* Called by the run loop when Unicorn has returned: pending --check-unicorn checks. */
void check_settle(struct sim *s);

/*
 * End of run: print every folded report (stderr; JSON Lines on stdout with --json) and
 * return the exit status given the run's own: hazards other than a guest hang make it 1
 * (DESIGN §5), unless it is 2 or 4.
 */
int check_end(struct sim *s, int status);
void check_free(struct sim *s);

/* The model of the running machine (NULL before check_new), for questions that change
 * nothing: `sim campaign` asks it why a dropped DC changed nothing (inject.h). */
struct model *check_model(struct sim *s);

/* A digest (model/digest.h) of the checking glue's own state: the live table pages, a table
 * store awaiting Unicorn's TLB flush, --check-unicorn's pending comparisons. */
uint64_t check_state_digest(struct sim *s);

#endif /* HYPSIM_SIM_HAZARDS_H */
