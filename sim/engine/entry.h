/*
 * entry.h - architectural exception entry, as the run loop performs it (entry.c).
 */
#ifndef HYPSIM_SIM_ENTRY_H
#define HYPSIM_SIM_ENTRY_H

#include <stddef.h>
#include <stdint.h>

#include "engine/sim.h"
#include "exc.h"

/*
 * Take a synchronous exception described by info (from_el filled in here) with preferred
 * return address pref_return (D1.10.1): ESR/ELR/FAR/SPSR of the target EL, PSTATE, PC =
 * vector. pc is the instruction that caused it (for the trace). Returns 0 or -1 (s->fatal).
 */
int sim_take_exception(struct sim *s, struct exc_info *info, uint64_t pc, uint64_t pref_return);

/*
 * Take an asynchronous exception (D1.10): IRQ (fiq false) or FIQ, virtual or physical, to
 * target_el, interrupting the CPU before the instruction at pc: ELR = pc, SPSR = PSTATE,
 * PSTATE = target ELxh with DAIF set, PC = VBAR_ELx + the IRQ/FIQ offset; ESR and FAR are
 * not written (D1.10.4: they are UNKNOWN... not changed for IRQ/FIQ). Returns 0 or -1.
 */
int sim_take_interrupt(struct sim *s, bool fiq, bool virt, unsigned target_el, uint64_t pc);

/* One line describing s->last_exc ("none" when no exception was taken). */
void sim_describe_last_exc(struct sim *s, char *buf, size_t len);

#endif /* HYPSIM_SIM_ENTRY_H */
