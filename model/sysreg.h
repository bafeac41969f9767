/*
 * sysreg.h - effective and pending system register values of one hypsim CPU.
 *
 * Models the rule that a direct write to SCTLR/TTBR/TCR/MAIR/VBAR/HCR is guaranteed to be
 * seen by later instructions only after a context synchronisation event (Arm ARM D1.x
 * "Context synchronization event", D17.1.x "Synchronization requirements for System
 * registers"): ISB, exception entry when SCTLR_ELx.EIS = 1, exception return when
 * SCTLR_ELx.EOS = 1. Until then each written register has two possible values, the
 * effective (old) one and the latest one; several pending registers give every
 * combination of old and new.
 *
 * Does not model: intermediate values when a register is written more than once before a
 * synchronisation (only the effective value and the latest are kept), registers that are
 * self-synchronising, and the indirect reads of other registers.
 *
 * A struct sr_file is a plain value: the checker copies it to build the possible contexts.
 */
#ifndef HYPSIM_MODEL_SYSREG_H
#define HYPSIM_MODEL_SYSREG_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"

struct sr_file {
	uint64_t eff[SR_COUNT];           /* value after the last context synchronisation */
	uint64_t latest[SR_COUNT];        /* last value written (what Unicorn uses) */
	uint32_t pending;                 /* bit r: latest[r] != eff[r] */
	struct hz_cause wcause[SR_COUNT]; /* the MSR that made the register pending */
};

void sr_reset(struct sr_file *f, const uint64_t vals[SR_COUNT]);

/* An MSR: returns true if the register becomes (or stays) pending with a new value. */
bool sr_write(struct sr_file *f, enum sysreg_id r, uint64_t v, const struct hz_cause *c);

/* A context synchronisation event: every pending write takes effect. Returns the mask of
 * registers whose effective value changed. */
uint32_t sr_sync(struct sr_file *f);

/* Registers that select a regime's translation (SCTLR, TCR, TTBR0(/1), MAIR). */
unsigned sr_regime_regs(enum regime r, enum sysreg_id out[5]);

/* Mask of the regime's registers that are pending. */
uint32_t sr_regime_pending(const struct sr_file *f, enum regime r);

/*
 * The value of r in the possible context numbered combo: bit i of combo selects the old
 * (effective) value of the i-th pending register of the regime, in sr_regime_regs order.
 * combo 0 is the coherent (latest) context.
 */
uint64_t sr_ctx_value(const struct sr_file *f, enum regime rg, uint32_t combo, enum sysreg_id r);

/* Number of possible contexts of a regime: 2^(pending regime registers). */
unsigned sr_ctx_count(const struct sr_file *f, enum regime r);

#endif /* HYPSIM_MODEL_SYSREG_H */
