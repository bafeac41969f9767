/*
 * sysreg.c - effective/pending system register values (see sysreg.h for the contract).
 */
#include "sysreg.h"

#include <string.h>

void sr_reset(struct sr_file *f, const uint64_t vals[SR_COUNT])
{
	memset(f, 0, sizeof(*f));
	memcpy(f->eff, vals, sizeof(f->eff));
	memcpy(f->latest, vals, sizeof(f->latest));
}

bool sr_write(struct sr_file *f, enum sysreg_id r, uint64_t v, const struct hz_cause *c)
{
	f->latest[r] = v;
	if (v == f->eff[r]) {
		/* Writing back the effective value: nothing can differ any more. */
		f->pending &= ~(UINT32_C(1) << r);
		return false;
	}
	f->pending |= UINT32_C(1) << r;
	f->wcause[r] = *c;
	return true;
}

uint32_t sr_sync(struct sr_file *f)
{
	uint32_t changed = 0;
	for (unsigned r = 0; r < SR_COUNT; r++) {
		if (f->eff[r] != f->latest[r])
			changed |= UINT32_C(1) << r;
		f->eff[r] = f->latest[r];
	}
	f->pending = 0;
	return changed;
}

unsigned sr_regime_regs(enum regime r, enum sysreg_id out[5])
{
	if (r == REGIME_EL2) {
		out[0] = SR_SCTLR_EL2;
		out[1] = SR_TCR_EL2;
		out[2] = SR_TTBR0_EL2;
		out[3] = SR_MAIR_EL2;
		return 4;
	}
	out[0] = SR_SCTLR_EL1;
	out[1] = SR_TCR_EL1;
	out[2] = SR_TTBR0_EL1;
	out[3] = SR_TTBR1_EL1;
	out[4] = SR_MAIR_EL1;
	return 5;
}

uint32_t sr_regime_pending(const struct sr_file *f, enum regime r)
{
	enum sysreg_id ids[5];
	unsigned n = sr_regime_regs(r, ids);
	uint32_t m = 0;
	for (unsigned i = 0; i < n; i++)
		m |= f->pending & (UINT32_C(1) << ids[i]);
	return m;
}

unsigned sr_ctx_count(const struct sr_file *f, enum regime r)
{
	return 1u << __builtin_popcount(sr_regime_pending(f, r));
}

uint64_t sr_ctx_value(const struct sr_file *f, enum regime rg, uint32_t combo, enum sysreg_id r)
{
	if (!combo) /* the coherent context: every register at its latest value */
		return f->latest[r];
	enum sysreg_id ids[5];
	unsigned n = sr_regime_regs(rg, ids);
	unsigned k = 0;
	for (unsigned i = 0; i < n; i++) {
		if (!(f->pending & (UINT32_C(1) << ids[i])))
			continue;
		if (ids[i] == r)
			return (combo >> k) & 1 ? f->eff[r] : f->latest[r];
		k++;
	}
	return f->latest[r];
}
