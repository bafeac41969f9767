/*
 * timer.c - the generic timer of one CPU (Arm ARM D11) on hypsim's instruction-driven count.
 */
#include "timer.h"

#include <assert.h>
#include <stddef.h>

struct timer_cfg timer_cfg_default(void)
{
	struct timer_cfg c = {TIMER_FREQ_HZ, 1, 1};

	return c;
}

uint64_t timer_count_at(const struct timer_cfg *cfg, uint64_t insns)
{
	assert(cfg->ticks_per_insn >= 1 && cfg->insns_per_tick >= 1);
	/* 128-bit intermediate: the product must not wrap after 2^64 / ticks_per_insn insns. */
	return (uint64_t)((unsigned __int128)insns * cfg->ticks_per_insn / cfg->insns_per_tick);
}

uint64_t timer_insns_for(const struct timer_cfg *cfg, uint64_t count)
{
	unsigned __int128 n;

	assert(cfg->ticks_per_insn >= 1 && cfg->insns_per_tick >= 1);
	n = ((unsigned __int128)count * cfg->insns_per_tick + cfg->ticks_per_insn - 1) /
	    cfg->ticks_per_insn;
	return n > UINT64_MAX ? UINT64_MAX : (uint64_t)n;
}

#define ENC(op0, op1, crn, crm, op2) ((op0) << 14 | (op1) << 11 | (crn) << 7 | (crm) << 3 | (op2))

enum timer_reg timer_reg_decode(unsigned op0, unsigned op1, unsigned crn, unsigned crm,
                                unsigned op2)
{
	switch (ENC(op0, op1, crn, crm, op2)) {
	case ENC(3, 3, 14, 0, 0):
		return TREG_CNTFRQ_EL0;
	case ENC(3, 3, 14, 0, 1):
		return TREG_CNTPCT_EL0;
	case ENC(3, 3, 14, 0, 2):
		return TREG_CNTVCT_EL0;
	case ENC(3, 3, 14, 2, 0):
		return TREG_CNTP_TVAL_EL0;
	case ENC(3, 3, 14, 2, 1):
		return TREG_CNTP_CTL_EL0;
	case ENC(3, 3, 14, 2, 2):
		return TREG_CNTP_CVAL_EL0;
	case ENC(3, 3, 14, 3, 0):
		return TREG_CNTV_TVAL_EL0;
	case ENC(3, 3, 14, 3, 1):
		return TREG_CNTV_CTL_EL0;
	case ENC(3, 3, 14, 3, 2):
		return TREG_CNTV_CVAL_EL0;
	case ENC(3, 4, 14, 2, 0):
		return TREG_CNTHP_TVAL_EL2;
	case ENC(3, 4, 14, 2, 1):
		return TREG_CNTHP_CTL_EL2;
	case ENC(3, 4, 14, 2, 2):
		return TREG_CNTHP_CVAL_EL2;
	case ENC(3, 4, 14, 0, 3):
		return TREG_CNTVOFF_EL2;
	case ENC(3, 4, 14, 1, 0):
		return TREG_CNTHCTL_EL2;
	case ENC(3, 0, 14, 1, 0):
		return TREG_CNTKCTL_EL1;
	default:
		return TREG_NONE;
	}
}

const char *timer_reg_name(enum timer_reg reg)
{
	static const char *const names[] = {
	    [TREG_NONE] = "?",
	    [TREG_CNTFRQ_EL0] = "CNTFRQ_EL0",
	    [TREG_CNTPCT_EL0] = "CNTPCT_EL0",
	    [TREG_CNTVCT_EL0] = "CNTVCT_EL0",
	    [TREG_CNTP_CTL_EL0] = "CNTP_CTL_EL0",
	    [TREG_CNTP_CVAL_EL0] = "CNTP_CVAL_EL0",
	    [TREG_CNTP_TVAL_EL0] = "CNTP_TVAL_EL0",
	    [TREG_CNTV_CTL_EL0] = "CNTV_CTL_EL0",
	    [TREG_CNTV_CVAL_EL0] = "CNTV_CVAL_EL0",
	    [TREG_CNTV_TVAL_EL0] = "CNTV_TVAL_EL0",
	    [TREG_CNTHP_CTL_EL2] = "CNTHP_CTL_EL2",
	    [TREG_CNTHP_CVAL_EL2] = "CNTHP_CVAL_EL2",
	    [TREG_CNTHP_TVAL_EL2] = "CNTHP_TVAL_EL2",
	    [TREG_CNTVOFF_EL2] = "CNTVOFF_EL2",
	    [TREG_CNTHCTL_EL2] = "CNTHCTL_EL2",
	    [TREG_CNTKCTL_EL1] = "CNTKCTL_EL1",
	};

	return (unsigned)reg < sizeof(names) / sizeof(names[0]) ? names[reg] : "?";
}

void timer_cpu_reset(struct timer_cpu *t, const struct timer_cfg *cfg)
{
	*t = (struct timer_cpu){.cntfrq = cfg->freq_hz};
}

uint64_t timer_count_of(const struct timer_cpu *t, enum timer_id id, uint64_t now)
{
	/* D11.2.2: CNTVCT_EL0 = CNTPCT_EL0 - CNTVOFF_EL2 (E2H=0, so the offset always applies). */
	return id == TIMER_VIRT ? now - t->cntvoff : now;
}

bool timer_istatus(const struct timer_cpu *t, enum timer_id id, uint64_t now)
{
	/*
	 * D11.2.4: the condition is met when (count - CVAL) >= 0 as unsigned 64-bit values,
	 * i.e. count >= CVAL. ISTATUS is UNKNOWN while the timer is disabled: hypsim reads 0,
	 * as QEMU does.
	 */
	if (!(t->ctl[id] & CNT_CTL_ENABLE))
		return false;
	return timer_count_of(t, id, now) >= t->cval[id];
}

bool timer_output(const struct timer_cpu *t, enum timer_id id, uint64_t now)
{
	return !(t->ctl[id] & CNT_CTL_IMASK) && timer_istatus(t, id, now);
}

unsigned timer_ppi(enum timer_id id)
{
	static const unsigned ppi[TIMER_N] = {TIMER_PPI_PHYS, TIMER_PPI_VIRT, TIMER_PPI_HYP};

	assert(id < TIMER_N);
	return ppi[id];
}

uint64_t timer_next_deadline(const struct timer_cpu *t, uint64_t now)
{
	uint64_t best = UINT64_MAX;

	for (int id = 0; id < TIMER_N; id++) {
		uint64_t count, at;

		if ((t->ctl[id] & (CNT_CTL_ENABLE | CNT_CTL_IMASK)) != CNT_CTL_ENABLE)
			continue;
		count = timer_count_of(t, (enum timer_id)id, now);
		if (count >= t->cval[id])
			return now;
		/* Both counts advance together: the condition is met cval - count ticks later. */
		at = now + (t->cval[id] - count);
		if (at < now)
			continue; /* beyond 2^64: never */
		if (at < best)
			best = at;
	}
	return best;
}

static int timer_of_reg(enum timer_reg reg)
{
	switch (reg) {
	case TREG_CNTP_CTL_EL0:
	case TREG_CNTP_CVAL_EL0:
	case TREG_CNTP_TVAL_EL0:
		return TIMER_PHYS;
	case TREG_CNTV_CTL_EL0:
	case TREG_CNTV_CVAL_EL0:
	case TREG_CNTV_TVAL_EL0:
		return TIMER_VIRT;
	case TREG_CNTHP_CTL_EL2:
	case TREG_CNTHP_CVAL_EL2:
	case TREG_CNTHP_TVAL_EL2:
		return TIMER_HYP;
	default:
		return -1;
	}
}

uint64_t timer_read(const struct timer_cpu *t, enum timer_reg reg, uint64_t now)
{
	int id = timer_of_reg(reg);

	switch (reg) {
	case TREG_CNTFRQ_EL0:
		return t->cntfrq;
	case TREG_CNTPCT_EL0:
		return now;
	case TREG_CNTVCT_EL0:
		return now - t->cntvoff;
	case TREG_CNTP_CTL_EL0:
	case TREG_CNTV_CTL_EL0:
	case TREG_CNTHP_CTL_EL2:
		return t->ctl[id] |
		       (timer_istatus(t, (enum timer_id)id, now) ? CNT_CTL_ISTATUS : 0);
	case TREG_CNTP_CVAL_EL0:
	case TREG_CNTV_CVAL_EL0:
	case TREG_CNTHP_CVAL_EL2:
		return t->cval[id];
	case TREG_CNTP_TVAL_EL0:
	case TREG_CNTV_TVAL_EL0:
	case TREG_CNTHP_TVAL_EL2: {
		/* D11.2.4: TimerValue = (CVAL - count)[31:0], read as a signed 32-bit value. */
		uint32_t tv = (uint32_t)(t->cval[id] - timer_count_of(t, (enum timer_id)id, now));

		return (uint64_t)(int64_t)(int32_t)tv;
	}
	case TREG_CNTVOFF_EL2:
		return t->cntvoff;
	case TREG_CNTHCTL_EL2:
		return t->cnthctl;
	case TREG_CNTKCTL_EL1:
		return t->cntkctl;
	case TREG_NONE:
		break;
	}
	assert(!"timer_read: not a timer register");
	return 0;
}

void timer_write(struct timer_cpu *t, enum timer_reg reg, uint64_t val, uint64_t now)
{
	int id = timer_of_reg(reg);

	switch (reg) {
	case TREG_CNTFRQ_EL0:
		t->cntfrq = (uint32_t)val;
		return;
	case TREG_CNTPCT_EL0:
	case TREG_CNTVCT_EL0:
		return; /* read-only counts */
	case TREG_CNTP_CTL_EL0:
	case TREG_CNTV_CTL_EL0:
	case TREG_CNTHP_CTL_EL2:
		/* ISTATUS is read-only; bits [63:3] RES0. */
		t->ctl[id] = (uint32_t)val & (CNT_CTL_ENABLE | CNT_CTL_IMASK);
		return;
	case TREG_CNTP_CVAL_EL0:
	case TREG_CNTV_CVAL_EL0:
	case TREG_CNTHP_CVAL_EL2:
		t->cval[id] = val;
		return;
	case TREG_CNTP_TVAL_EL0:
	case TREG_CNTV_TVAL_EL0:
	case TREG_CNTHP_TVAL_EL2:
		/* D11.2.4: CompareValue = count + SignExtend(TimerValue[31:0]). */
		t->cval[id] = timer_count_of(t, (enum timer_id)id, now) +
		              (uint64_t)(int64_t)(int32_t)(uint32_t)val;
		return;
	case TREG_CNTVOFF_EL2:
		t->cntvoff = val;
		return;
	case TREG_CNTHCTL_EL2:
		/* E2H=0 layout: EL1PCTEN, EL1PCEN, EVNTEN, EVNTDIR, EVNTI[7:4]. */
		t->cnthctl = (uint32_t)val & 0xffu;
		return;
	case TREG_CNTKCTL_EL1:
		/* EL0PCTEN, EL0VCTEN, EVNTEN, EVNTDIR, EVNTI[7:4], EL0VTEN, EL0PTEN. */
		t->cntkctl = (uint32_t)val & 0x3ffu;
		return;
	case TREG_NONE:
		break;
	}
	assert(!"timer_write: not a timer register");
}

enum timer_access timer_access(const struct timer_cpu *t, enum timer_reg reg, unsigned el,
                               bool write)
{
	uint32_t k = t->cntkctl, h = t->cnthctl;

	assert(el <= 2);
	if (el == 2)
		return TIMER_ACCESS_OK;
	switch (reg) {
	case TREG_CNTFRQ_EL0:
		/* D13.8: writable only at the highest implemented EL (EL2: no EL3 here). */
		if (write)
			return TIMER_ACCESS_UNDEF;
		if (el == 0 && !(k & (CNTKCTL_EL0PCTEN | CNTKCTL_EL0VCTEN)))
			return TIMER_ACCESS_TRAP_EL1;
		return TIMER_ACCESS_OK;
	case TREG_CNTPCT_EL0:
		if (write)
			return TIMER_ACCESS_UNDEF;
		if (el == 0 && !(k & CNTKCTL_EL0PCTEN))
			return TIMER_ACCESS_TRAP_EL1;
		if (!(h & CNTHCTL_EL1PCTEN))
			return TIMER_ACCESS_TRAP_EL2;
		return TIMER_ACCESS_OK;
	case TREG_CNTVCT_EL0:
		if (write)
			return TIMER_ACCESS_UNDEF;
		if (el == 0 && !(k & CNTKCTL_EL0VCTEN))
			return TIMER_ACCESS_TRAP_EL1;
		return TIMER_ACCESS_OK;
	case TREG_CNTP_CTL_EL0:
	case TREG_CNTP_CVAL_EL0:
	case TREG_CNTP_TVAL_EL0:
		if (el == 0 && !(k & CNTKCTL_EL0PTEN))
			return TIMER_ACCESS_TRAP_EL1;
		if (!(h & CNTHCTL_EL1PCEN))
			return TIMER_ACCESS_TRAP_EL2;
		return TIMER_ACCESS_OK;
	case TREG_CNTV_CTL_EL0:
	case TREG_CNTV_CVAL_EL0:
	case TREG_CNTV_TVAL_EL0:
		if (el == 0 && !(k & CNTKCTL_EL0VTEN))
			return TIMER_ACCESS_TRAP_EL1;
		return TIMER_ACCESS_OK;
	case TREG_CNTKCTL_EL1:
		return el == 0 ? TIMER_ACCESS_UNDEF : TIMER_ACCESS_OK;
	case TREG_CNTHP_CTL_EL2:
	case TREG_CNTHP_CVAL_EL2:
	case TREG_CNTHP_TVAL_EL2:
	case TREG_CNTVOFF_EL2:
	case TREG_CNTHCTL_EL2:
	case TREG_NONE:
		return TIMER_ACCESS_UNDEF;
	}
	return TIMER_ACCESS_UNDEF;
}
