/*
 * gic.c - GICv2 distributor, CPU interface and virtualization extensions (IHI 0048B).
 */
#include "gic.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define GIC_NR_PRIVATE  32
#define GIC_NR_SGIS     16
#define GIC_NR_SPIS     (GIC_NR_IRQS - GIC_NR_PRIVATE)
#define GIC_IIDR_VALUE  0x0000043bu /* GICD_IIDR: implementer Arm (JEP106 0x43B) */
#define GICC_IIDR_VALUE 0x0002043bu /* architecture version 2, implementer Arm */
#define GIC_IDLE_PRIO   0xffu
#define GICV_MIN_BPR    2 /* 5 preemption bits: group priority at most [7:3] (5.3.x) */
#define GICH_VMCR_MASK  0xfffc021fu
#define GICH_HCR_MASK   0xf80000ffu
#define GICH_LR_MASK    0xff8fffffu /* bits [22:20] reserved */

struct gic_irq {
	uint8_t prio;
	bool enabled, latch, active, level, group1, edge;
};

struct gic_cpu_if {
	uint32_t ctlr, pmr, bpr, abpr;
	uint32_t apr[4]; /* active group priorities: bit n <-> group priority 2n */
};

struct gic_vif {
	uint32_t hcr, vmcr, apr; /* apr: bit n <-> virtual group priority n << 3 */
	uint32_t lr[GIC_NR_LRS];
};

struct gic {
	unsigned ncpus;
	uint64_t gen; /* bumped by every change that can move an output */
	uint32_t ctlr;
	struct gic_irq priv[GIC_MAX_CPUS][GIC_NR_PRIVATE]; /* SGIs and PPIs, banked per CPU */
	struct gic_irq spi[GIC_NR_SPIS];
	uint8_t targets[GIC_NR_SPIS];
	uint8_t sgi_src[GIC_MAX_CPUS][GIC_NR_SGIS]; /* pending SGIs: a bit per source CPU */
	struct gic_cpu_if cpu[GIC_MAX_CPUS];
	struct gic_vif vif[GIC_MAX_CPUS];
};

static struct gic_irq *irq_st(struct gic *g, unsigned irq, unsigned cpu)
{
	return irq < GIC_NR_PRIVATE ? &g->priv[cpu][irq] : &g->spi[irq - GIC_NR_PRIVATE];
}

static const struct gic_irq *irq_cst(const struct gic *g, unsigned irq, unsigned cpu)
{
	return irq < GIC_NR_PRIVATE ? &g->priv[cpu][irq] : &g->spi[irq - GIC_NR_PRIVATE];
}

void gic_reset(struct gic *g)
{
	unsigned n = g->ncpus;
	uint64_t gen = g->gen;

	memset(g, 0, sizeof(*g));
	g->ncpus = n;
	g->gen = gen + 1;
	for (unsigned c = 0; c < GIC_MAX_CPUS; c++) {
		for (unsigned i = 0; i < GIC_NR_SGIS; i++) {
			/* SGIs: always enabled, always edge-triggered (4.3.5, 4.3.13). */
			g->priv[c][i].enabled = true;
			g->priv[c][i].edge = true;
		}
		/* Lowest binary points of 8 priority bits (IHI 0048B 3.3.3). */
		g->cpu[c].bpr = 0;
		g->cpu[c].abpr = 1;
		g->vif[c].vmcr = GICV_MIN_BPR << 21 | (GICV_MIN_BPR + 1) << 18;
	}
}

struct gic *gic_new(unsigned ncpus)
{
	struct gic *g;

	assert(ncpus >= 1 && ncpus <= GIC_MAX_CPUS);
	g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->ncpus = ncpus;
	gic_reset(g);
	return g;
}

void gic_free(struct gic *g)
{
	free(g);
}

struct gic *gic_clone(const struct gic *g)
{
	struct gic *c = malloc(sizeof(*c));

	if (c)
		memcpy(c, g, sizeof(*c));
	return c;
}

/* ---- pending state and priorities ---- */

static bool irq_pending(const struct gic *g, unsigned irq, unsigned cpu)
{
	const struct gic_irq *s = irq_cst(g, irq, cpu);

	if (irq < GIC_NR_SGIS)
		return g->sgi_src[cpu][irq] != 0;
	/* 3.2.4: a level-sensitive interrupt is pending while asserted or latched by ISPENDR. */
	return s->latch || (!s->edge && s->level);
}

uint64_t gic_generation(const struct gic *g)
{
	return g->gen;
}

bool gic_irq_is_pending(const struct gic *g, unsigned irq, unsigned cpu)
{
	assert(irq < GIC_NR_IRQS && cpu < g->ncpus);
	return irq_pending(g, irq, cpu);
}

bool gic_irq_is_active(const struct gic *g, unsigned irq, unsigned cpu)
{
	assert(irq < GIC_NR_IRQS && cpu < g->ncpus);
	return irq_cst(g, irq, cpu)->active;
}

/* The group priority of prio for an interrupt of group1 on this CPU interface (3.3.3). */
static unsigned group_prio(const struct gic_cpu_if *ci, bool group1, unsigned prio)
{
	unsigned bpr = ci->bpr;

	/* Group 1 uses GICC_ABPR unless CBPR, and ABPR n splits as BPR n - 1 does. */
	if (group1 && !(ci->ctlr & GICC_CTLR_CBPR))
		bpr = ci->abpr - 1;
	return prio & (0xffu << ((bpr & 7) + 1)) & 0xff;
}

static unsigned running_prio(const struct gic_cpu_if *ci)
{
	for (unsigned w = 0; w < 4; w++)
		if (ci->apr[w])
			return (w * 32 + (unsigned)__builtin_ctz(ci->apr[w])) * 2;
	return GIC_IDLE_PRIO;
}

static bool group_enabled_dist(const struct gic *g, bool group1)
{
	return g->ctlr & (group1 ? 2u : 1u);
}

static bool group_enabled_cpu(const struct gic_cpu_if *ci, bool group1)
{
	return ci->ctlr & (group1 ? GICC_CTLR_ENABLE_GRP1 : GICC_CTLR_ENABLE_GRP0);
}

/*
 * The highest-priority pending interrupt the distributor forwards to cpu (3.2.4, 4.3.x):
 * enabled, pending and not active, of a group GICD_CTLR enables, targeted at cpu if an SPI;
 * lowest priority value wins, then lowest ID. only_group1 restricts to Group 1 (AIAR).
 * Returns GIC_SPURIOUS when there is none.
 */
static unsigned best_irq(const struct gic *g, unsigned cpu, bool only_group1)
{
	unsigned best = GIC_SPURIOUS, best_prio = 0x100;

	for (unsigned irq = 0; irq < GIC_NR_IRQS; irq++) {
		const struct gic_irq *s = irq_cst(g, irq, cpu);

		if (!s->enabled || s->active || !irq_pending(g, irq, cpu))
			continue;
		if (!group_enabled_dist(g, s->group1) || (only_group1 && !s->group1))
			continue;
		if (irq >= GIC_NR_PRIVATE && !(g->targets[irq - GIC_NR_PRIVATE] & (1u << cpu)))
			continue;
		if (s->prio < best_prio) {
			best = irq;
			best_prio = s->prio;
		}
	}
	return best;
}

/* best_irq if the CPU interface would signal it: group enabled, above PMR and running. */
static unsigned signalled_irq(const struct gic *g, unsigned cpu, bool only_group1,
                              bool check_running)
{
	const struct gic_cpu_if *ci = &g->cpu[cpu];
	unsigned irq = best_irq(g, cpu, only_group1);
	const struct gic_irq *s;

	if (irq == GIC_SPURIOUS)
		return irq;
	s = irq_cst(g, irq, cpu);
	if (!group_enabled_cpu(ci, s->group1) || s->prio >= (ci->pmr & 0xff))
		return GIC_SPURIOUS;
	if (check_running && group_prio(ci, s->group1, s->prio) >= running_prio(ci))
		return GIC_SPURIOUS;
	return irq;
}

static bool signal_is_fiq(const struct gic *g, unsigned cpu, unsigned irq)
{
	/* 3.2.2: without Security Extensions Group 0 is FIQ only when FIQEn. */
	return !irq_cst(g, irq, cpu)->group1 && (g->cpu[cpu].ctlr & GICC_CTLR_FIQEN);
}

bool gic_cpu_irq_pending(const struct gic *g, unsigned cpu)
{
	unsigned irq = signalled_irq(g, cpu, false, true);

	return irq != GIC_SPURIOUS && !signal_is_fiq(g, cpu, irq);
}

bool gic_cpu_fiq_pending(const struct gic *g, unsigned cpu)
{
	unsigned irq = signalled_irq(g, cpu, false, true);

	return irq != GIC_SPURIOUS && signal_is_fiq(g, cpu, irq);
}

/* ---- state changes ---- */

static void update_maintenance(struct gic *g, unsigned cpu);

void gic_set_irq_level(struct gic *g, unsigned irq, unsigned cpu, bool level)
{
	struct gic_irq *s;

	assert(irq >= GIC_NR_SGIS && irq < GIC_NR_IRQS);
	assert(irq >= GIC_NR_PRIVATE || cpu < g->ncpus);
	s = irq_st(g, irq, irq < GIC_NR_PRIVATE ? cpu : 0);
	if (s->level == level)
		return;
	g->gen++;
	/* 3.2.4: an edge-triggered interrupt latches pending on the rising edge. */
	if (s->edge && level && !s->level)
		s->latch = true;
	s->level = level;
}

static void set_priority_drop(struct gic_cpu_if *ci)
{
	/* 3.2.5: priority drop clears the highest-priority active priority. */
	for (unsigned w = 0; w < 4; w++) {
		if (ci->apr[w]) {
			ci->apr[w] &= ci->apr[w] - 1;
			return;
		}
	}
}

static void deactivate(struct gic *g, unsigned irq, unsigned cpu)
{
	if (irq < GIC_NR_IRQS)
		irq_st(g, irq, cpu)->active = false;
}

/* GICC_IAR / GICC_AIAR read: acknowledge (4.4.4). */
static uint32_t acknowledge(struct gic *g, unsigned cpu, bool alias)
{
	struct gic_cpu_if *ci = &g->cpu[cpu];
	unsigned irq = signalled_irq(g, cpu, alias, true);
	struct gic_irq *s;
	uint32_t ret;
	unsigned gp;

	if (irq == GIC_SPURIOUS)
		return GIC_SPURIOUS;
	s = irq_st(g, irq, cpu);
	/* 4.4.4: a Group 1 interrupt read through GICC_IAR with AckCtl 0 is not acknowledged. */
	if (!alias && s->group1 && !(ci->ctlr & GICC_CTLR_ACKCTL))
		return 1022;
	ret = irq;
	if (irq < GIC_NR_SGIS) {
		/* The lowest-numbered source CPU first; its ID in bits [12:10]. */
		unsigned src = (unsigned)__builtin_ctz(g->sgi_src[cpu][irq]);

		g->sgi_src[cpu][irq] &= (uint8_t) ~(1u << src);
		ret |= src << 10;
	} else {
		/* Level-sensitive and still asserted: active and pending. */
		s->latch = false;
	}
	s->active = true;
	gp = group_prio(ci, s->group1, s->prio);
	ci->apr[gp / 64] |= 1u << ((gp / 2) % 32);
	return ret;
}

static void end_of_interrupt(struct gic *g, unsigned cpu, uint32_t val)
{
	struct gic_cpu_if *ci = &g->cpu[cpu];
	unsigned irq = val & 0x3ff;

	/* 4.4.5: EOI of a spurious ID (1020-1023) has no effect. */
	if (irq >= 1020)
		return;
	set_priority_drop(ci);
	/* EOImode 0: the same write deactivates; 1: GICC_DIR does (4.4.5, 4.4.15). */
	if (!(ci->ctlr & GICC_CTLR_EOIMODE))
		deactivate(g, irq, cpu);
}

/* ---- distributor ---- */

static bool spi_or_private_ok(unsigned irq)
{
	return irq < GIC_NR_IRQS;
}

/* One byte of GICD at off (not SGIR, which is word-only). */
static uint8_t dist_read_byte(struct gic *g, unsigned cpu, unsigned off)
{
	static const uint8_t id[12] = {0x04, 0x00, 0x00, 0x00, 0x90, 0xb4,
	                               0x2b, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
	unsigned irq, v = 0;

	if (off < 0x4)
		return off == 0 ? (uint8_t)g->ctlr : 0;
	if (off < 0x8) {
		/* ITLinesNumber [4:0], CPUNumber [7:5], SecurityExtn [10] = 0. */
		uint32_t typer = (GIC_NR_IRQS / 32 - 1) | (g->ncpus - 1) << 5;

		return (uint8_t)(typer >> (8 * (off - 4)));
	}
	if (off < 0xc)
		return (uint8_t)(GIC_IIDR_VALUE >> (8 * (off - 8)));
	if (off >= GICD_IGROUPR && off < GICD_IPRIORITYR) {
		unsigned base = (off - GICD_IGROUPR) % 0x80, kind = (off - GICD_IGROUPR) / 0x80;

		irq = base * 8;
		for (unsigned b = 0; b < 8; b++, irq++) {
			const struct gic_irq *s;
			bool bit;

			if (!spi_or_private_ok(irq))
				break;
			s = irq_cst(g, irq, cpu);
			switch (kind) {
			case 0:
				bit = s->group1;
				break; /* IGROUPR */
			case 1:
			case 2:
				bit = s->enabled;
				break; /* IS/ICENABLER */
			case 3:
			case 4:
				bit = irq_pending(g, irq, cpu);
				break; /* IS/ICPENDR */
			default:
				bit = s->active;
				break; /* IS/ICACTIVER */
			}
			v |= (unsigned)bit << b;
		}
		return (uint8_t)v;
	}
	if (off >= GICD_IPRIORITYR && off < GICD_IPRIORITYR + GIC_NR_IRQS)
		return irq_cst(g, off - GICD_IPRIORITYR, cpu)->prio;
	if (off >= GICD_ITARGETSR && off < GICD_ITARGETSR + GIC_NR_IRQS) {
		irq = off - GICD_ITARGETSR;
		/* 4.3.12: ITARGETSR0-7 read as the accessing CPU's own bit. */
		if (irq < GIC_NR_PRIVATE)
			return (uint8_t)(1u << cpu);
		return g->targets[irq - GIC_NR_PRIVATE];
	}
	if (off >= GICD_ICFGR && off < GICD_ICFGR + GIC_NR_IRQS / 4) {
		irq = (off - GICD_ICFGR) * 4;
		/* 4.3.13: Int_config[1] of each 2-bit field, 1 = edge; Int_config[0] reserved. */
		for (unsigned f = 0; f < 4; f++)
			v |= (unsigned)irq_cst(g, irq + f, cpu)->edge << (2 * f + 1);
		return (uint8_t)v;
	}
	if (off >= GICD_CPENDSGIR && off < GICD_CPENDSGIR + 0x20)
		return g->sgi_src[cpu][(off - GICD_CPENDSGIR) % 16];
	if (off >= 0xfd0 && off < 0x1000)
		return id[(off - 0xfd0) / 4 % 12] * ((off & 3) == 0);
	return 0;
}

static void dist_write_byte(struct gic *g, unsigned cpu, unsigned off, uint8_t val)
{
	unsigned irq;

	if (off == GICD_CTLR) {
		g->ctlr = val & 3u; /* EnableGrp0, EnableGrp1 */
		return;
	}
	if (off >= GICD_IGROUPR && off < GICD_IPRIORITYR) {
		unsigned base = (off - GICD_IGROUPR) % 0x80, kind = (off - GICD_IGROUPR) / 0x80;

		irq = base * 8;
		for (unsigned b = 0; b < 8; b++, irq++) {
			struct gic_irq *s;

			if (!spi_or_private_ok(irq))
				break;
			s = irq_st(g, irq, cpu);
			if (kind == 0) { /* IGROUPR: read-write */
				s->group1 = (val >> b) & 1;
				continue;
			}
			if (!((val >> b) & 1))
				continue; /* set/clear registers: writing 0 has no effect */
			switch (kind) {
			case 1:
				s->enabled = true;
				break;
			case 2:
				if (irq >= GIC_NR_SGIS) /* SGIs cannot be disabled */
					s->enabled = false;
				break;
			case 3:
				/* 4.3.7: SGI pending bits are set through GICD_SPENDSGIR only. */
				if (irq >= GIC_NR_SGIS)
					s->latch = true;
				break;
			case 4:
				/* 4.3.8: clears the latch; an asserted level keeps it pending. */
				if (irq >= GIC_NR_SGIS)
					s->latch = false;
				break;
			case 5:
				s->active = true;
				break;
			default:
				s->active = false;
				break;
			}
		}
		return;
	}
	if (off >= GICD_IPRIORITYR && off < GICD_IPRIORITYR + GIC_NR_IRQS) {
		irq_st(g, off - GICD_IPRIORITYR, cpu)->prio = val;
		return;
	}
	if (off >= GICD_ITARGETSR && off < GICD_ITARGETSR + GIC_NR_IRQS) {
		irq = off - GICD_ITARGETSR;
		/* Read-only for SGIs and PPIs; only implemented CPUs can be targets. */
		if (irq >= GIC_NR_PRIVATE)
			g->targets[irq - GIC_NR_PRIVATE] = val & (uint8_t)((1u << g->ncpus) - 1);
		return;
	}
	if (off >= GICD_ICFGR && off < GICD_ICFGR + GIC_NR_IRQS / 4) {
		irq = (off - GICD_ICFGR) * 4;
		if (irq < GIC_NR_SGIS)
			return; /* GICD_ICFGR0: SGIs are edge, read-only */
		for (unsigned f = 0; f < 4; f++)
			irq_st(g, irq + f, cpu)->edge = (val >> (2 * f + 1)) & 1;
		return;
	}
	if (off >= GICD_CPENDSGIR && off < GICD_CPENDSGIR + 0x10) {
		g->sgi_src[cpu][off - GICD_CPENDSGIR] &= (uint8_t)~val;
		return;
	}
	if (off >= GICD_SPENDSGIR && off < GICD_SPENDSGIR + 0x10) {
		g->sgi_src[cpu][off - GICD_SPENDSGIR] |= val & (uint8_t)((1u << g->ncpus) - 1);
		return;
	}
	/* Everything else: read-only (TYPER, IIDR, IDs) or reserved, WI. */
}

static void dist_sgir(struct gic *g, unsigned cpu, uint32_t val)
{
	unsigned sgi = val & 0xf, filter = (val >> 24) & 3;
	unsigned targets;

	/* 4.3.15: TargetListFilter 0 = the list, 1 = all but self, 2 = self, 3 reserved. */
	switch (filter) {
	case 0:
		targets = (val >> 16) & 0xff;
		break;
	case 1:
		targets = ((1u << g->ncpus) - 1) & ~(1u << cpu);
		break;
	case 2:
		targets = 1u << cpu;
		break;
	default:
		return;
	}
	for (unsigned t = 0; t < g->ncpus; t++)
		if (targets & (1u << t))
			g->sgi_src[t][sgi] |= (uint8_t)(1u << cpu);
}

/* ---- CPU interface ---- */

static uint32_t cpu_read(struct gic *g, unsigned cpu, unsigned off)
{
	struct gic_cpu_if *ci = &g->cpu[cpu];
	unsigned irq;

	switch (off) {
	case GICC_CTLR:
		return ci->ctlr;
	case GICC_PMR:
		return ci->pmr;
	case GICC_BPR:
		return ci->bpr;
	case GICC_ABPR:
		return ci->abpr;
	case GICC_IAR:
		return acknowledge(g, cpu, false);
	case GICC_AIAR:
		return acknowledge(g, cpu, true);
	case GICC_RPR:
		return running_prio(ci);
	case GICC_HPPIR:
	case GICC_AHPPIR:
		/* 4.4.8: the highest-priority pending interrupt, without acknowledging it. */
		irq = signalled_irq(g, cpu, off == GICC_AHPPIR, false);
		if (irq < GIC_NR_SGIS)
			irq |= (unsigned)__builtin_ctz(g->sgi_src[cpu][irq]) << 10;
		return irq;
	case GICC_IIDR:
		return GICC_IIDR_VALUE;
	default:
		if (off >= GICC_APR0 && off < GICC_APR0 + 16)
			return ci->apr[(off - GICC_APR0) / 4];
		return 0; /* EOIR, AEOIR, DIR are write-only; NSAPRn RAZ */
	}
}

static void cpu_write(struct gic *g, unsigned cpu, unsigned off, uint32_t val)
{
	struct gic_cpu_if *ci = &g->cpu[cpu];

	switch (off) {
	case GICC_CTLR:
		ci->ctlr = val & 0x7ffu;
		break;
	case GICC_PMR:
		ci->pmr = val & 0xffu;
		break;
	case GICC_BPR:
		ci->bpr = val & 7u;
		break; /* 8 priority bits: minimum 0 */
	case GICC_ABPR:
		ci->abpr = (val & 7u) < 1 ? 1 : (val & 7u);
		break;
	case GICC_EOIR:
	case GICC_AEOIR:
		end_of_interrupt(g, cpu, val);
		break;
	case GICC_DIR:
		/* 4.4.15: meaningful with EOImode 1 only; QEMU ignores it otherwise, so do we. */
		if (ci->ctlr & GICC_CTLR_EOIMODE)
			deactivate(g, val & 0x3ff, cpu);
		break;
	default:
		if (off >= GICC_APR0 && off < GICC_APR0 + 16)
			ci->apr[(off - GICC_APR0) / 4] = val;
		break;
	}
}

/* ---- virtualization: GICH and GICV (IHI 0048B chapter 5) ---- */

static unsigned lr_state(uint32_t lr)
{
	return lr & GICH_LR_STATE_MASK;
}

static unsigned lr_prio(uint32_t lr)
{
	return ((lr >> GICH_LR_PRIO_SHIFT) & 0x1f) << 3;
}

static uint32_t vif_eisr(const struct gic_vif *v)
{
	uint32_t m = 0;

	/* 5.3.6: an LR that is invalid, not HW, with EOI set, after an EOI. */
	for (unsigned i = 0; i < GIC_NR_LRS; i++)
		if (!lr_state(v->lr[i]) && !(v->lr[i] & GICH_LR_HW) && (v->lr[i] & GICH_LR_EOI))
			m |= 1u << i;
	return m;
}

static uint32_t vif_elrsr(const struct gic_vif *v)
{
	uint32_t m = 0;

	/* 5.3.7: an LR with no valid interrupt (invalid, and HW or not EOI-flagged). */
	for (unsigned i = 0; i < GIC_NR_LRS; i++)
		if (!lr_state(v->lr[i]) && ((v->lr[i] & GICH_LR_HW) || !(v->lr[i] & GICH_LR_EOI)))
			m |= 1u << i;
	return m;
}

static uint32_t vif_misr(const struct gic_vif *v)
{
	uint32_t m = 0, hcr = v->hcr, vmcr = v->vmcr;
	unsigned valid = 0, pending = 0;

	for (unsigned i = 0; i < GIC_NR_LRS; i++) {
		valid += lr_state(v->lr[i]) != 0;
		pending += lr_state(v->lr[i]) == GICH_LR_STATE_PENDING;
	}
	/* 5.3.5 GICH_MISR */
	if (vif_eisr(v))
		m |= GICH_MISR_EOI;
	if ((hcr & GICH_HCR_UIE) && valid <= 1)
		m |= GICH_MISR_U;
	if ((hcr & GICH_HCR_LRENPIE) && (hcr >> GICH_HCR_EOICOUNT_SHIFT))
		m |= GICH_MISR_LRENP;
	if ((hcr & GICH_HCR_NPIE) && !pending)
		m |= GICH_MISR_NP;
	if ((hcr & GICH_HCR_VGRP0EIE) && (vmcr & 1))
		m |= GICH_MISR_VGRP0E;
	if ((hcr & GICH_HCR_VGRP0DIE) && !(vmcr & 1))
		m |= GICH_MISR_VGRP0D;
	if ((hcr & GICH_HCR_VGRP1EIE) && (vmcr & 2))
		m |= GICH_MISR_VGRP1E;
	if ((hcr & GICH_HCR_VGRP1DIE) && !(vmcr & 2))
		m |= GICH_MISR_VGRP1D;
	return m;
}

static void update_maintenance(struct gic *g, unsigned cpu)
{
	const struct gic_vif *v = &g->vif[cpu];

	/* 5.3.1: the maintenance interrupt is asserted while En and any MISR bit is set. */
	gic_set_irq_level(g, GIC_MAINT_INTID, cpu, (v->hcr & GICH_HCR_EN) && vif_misr(v));
}

static unsigned vif_bpr(const struct gic_vif *v)
{
	return (v->vmcr >> 21) & 7;
}

static unsigned vif_abpr(const struct gic_vif *v)
{
	return (v->vmcr >> 18) & 7;
}

static unsigned vif_group_prio(const struct gic_vif *v, bool group1, unsigned prio)
{
	unsigned bpr = vif_bpr(v);

	if (group1 && !(v->vmcr & GICC_CTLR_CBPR))
		bpr = vif_abpr(v) - 1;
	return prio & (0xffu << ((bpr & 7) + 1)) & 0xff;
}

static unsigned vif_running_prio(const struct gic_vif *v)
{
	return v->apr ? (unsigned)__builtin_ctz(v->apr) << 3 : GIC_IDLE_PRIO;
}

/* The LR the virtual CPU interface would signal (5.4), or -1. */
static int vif_best_lr(const struct gic_vif *v, bool only_group1, bool check_running)
{
	int best = -1;
	unsigned best_prio = 0x100, pmr = v->vmcr >> 27 << 3;

	for (int i = 0; i < GIC_NR_LRS; i++) {
		uint32_t lr = v->lr[i];
		bool g1 = lr & GICH_LR_GRP1;

		if (lr_state(lr) != GICH_LR_STATE_PENDING)
			continue;
		if (!(v->vmcr & (g1 ? 2u : 1u)) || (only_group1 && !g1))
			continue;
		if (lr_prio(lr) >= pmr)
			continue;
		if (check_running && vif_group_prio(v, g1, lr_prio(lr)) >= vif_running_prio(v))
			continue;
		if (lr_prio(lr) < best_prio) {
			best = i;
			best_prio = lr_prio(lr);
		}
	}
	return best;
}

static bool vif_signal(const struct gic *g, unsigned cpu, bool fiq)
{
	const struct gic_vif *v = &g->vif[cpu];
	int i;
	bool is_fiq;

	if (!(v->hcr & GICH_HCR_EN))
		return false;
	i = vif_best_lr(v, false, true);
	if (i < 0)
		return false;
	is_fiq = !(v->lr[i] & GICH_LR_GRP1) && (v->vmcr & GICC_CTLR_FIQEN);
	return is_fiq == fiq;
}

bool gic_cpu_virq_pending(const struct gic *g, unsigned cpu)
{
	return vif_signal(g, cpu, false);
}

bool gic_cpu_vfiq_pending(const struct gic *g, unsigned cpu)
{
	return vif_signal(g, cpu, true);
}

bool gic_cpu_wake(const struct gic *g, unsigned cpu)
{
	return gic_cpu_irq_pending(g, cpu) || gic_cpu_fiq_pending(g, cpu) ||
	       gic_cpu_virq_pending(g, cpu) || gic_cpu_vfiq_pending(g, cpu);
}

static uint32_t vif_id(uint32_t lr)
{
	uint32_t id = GICH_LR_VIRTUALID(lr);

	/* A software SGI carries its source CPU in CPUID, reported in bits [12:10]. */
	if (id < GIC_NR_SGIS && !(lr & GICH_LR_HW))
		id |= GICH_LR_CPUID(lr) << 10;
	return id;
}

static uint32_t vif_acknowledge(struct gic *g, unsigned cpu, bool alias)
{
	struct gic_vif *v = &g->vif[cpu];
	int i;
	unsigned gp;
	bool g1;

	if (!(v->hcr & GICH_HCR_EN))
		return GIC_SPURIOUS;
	i = vif_best_lr(v, alias, true);
	if (i < 0)
		return GIC_SPURIOUS;
	g1 = v->lr[i] & GICH_LR_GRP1;
	if (!alias && g1 && !(v->vmcr & GICC_CTLR_ACKCTL))
		return 1022;
	v->lr[i] = (v->lr[i] & ~GICH_LR_STATE_MASK) | GICH_LR_STATE_ACTIVE;
	gp = vif_group_prio(v, g1, lr_prio(v->lr[i]));
	v->apr |= 1u << (gp >> 3);
	return vif_id(v->lr[i]);
}

static void vif_deactivate(struct gic *g, unsigned cpu, uint32_t val)
{
	struct gic_vif *v = &g->vif[cpu];
	unsigned id = val & 0x3ff;

	for (int i = 0; i < GIC_NR_LRS; i++) {
		uint32_t lr = v->lr[i];

		if (!(lr_state(lr) & GICH_LR_STATE_ACTIVE) || GICH_LR_VIRTUALID(lr) != id)
			continue;
		if (id < GIC_NR_SGIS && !(lr & GICH_LR_HW) &&
		    GICH_LR_CPUID(lr) != ((val >> 10) & 7))
			continue;
		v->lr[i] = lr & ~GICH_LR_STATE_ACTIVE;
		/* 5.4.1: a hardware interrupt deactivates its physical interrupt too. */
		if ((lr & GICH_LR_HW) && GICH_LR_PHYSID(lr) >= GIC_NR_SGIS)
			deactivate(g, GICH_LR_PHYSID(lr), cpu);
		return;
	}
	/* 5.3.2: no matching LR: count it in GICH_HCR.EOICount. */
	v->hcr += 1u << GICH_HCR_EOICOUNT_SHIFT;
}

static void vif_eoi(struct gic *g, unsigned cpu, uint32_t val)
{
	struct gic_vif *v = &g->vif[cpu];

	if ((val & 0x3ff) >= 1020)
		return;
	v->apr &= v->apr - 1;       /* priority drop */
	if (!(v->vmcr & (1u << 9))) /* VEM 0: EOI also deactivates */
		vif_deactivate(g, cpu, val);
}

static uint32_t hyp_read(struct gic *g, unsigned cpu, unsigned off)
{
	struct gic_vif *v = &g->vif[cpu];

	switch (off) {
	case GICH_HCR:
		return v->hcr;
	case GICH_VTR:
		return GICH_VTR_VALUE;
	case GICH_VMCR:
		return v->vmcr;
	case GICH_MISR:
		return vif_misr(v);
	case GICH_EISR0:
		return vif_eisr(v);
	case GICH_ELRSR0:
		return vif_elrsr(v);
	case GICH_APR:
		return v->apr;
	default:
		if (off >= GICH_LR0 && off < GICH_LR0 + 4 * GIC_NR_LRS)
			return v->lr[(off - GICH_LR0) / 4];
		return 0; /* EISR1, ELRSR1, LR4-63 and reserved: RAZ */
	}
}

static uint32_t vmcr_with_min_bpr(uint32_t vmcr)
{
	/* 5.3.3: VMBP / VMABP below the minimum read as the minimum. */
	if (((vmcr >> 21) & 7) < GICV_MIN_BPR)
		vmcr = (vmcr & ~(7u << 21)) | GICV_MIN_BPR << 21;
	if (((vmcr >> 18) & 7) < GICV_MIN_BPR + 1)
		vmcr = (vmcr & ~(7u << 18)) | (GICV_MIN_BPR + 1) << 18;
	return vmcr;
}

static void hyp_write(struct gic *g, unsigned cpu, unsigned off, uint32_t val)
{
	struct gic_vif *v = &g->vif[cpu];

	switch (off) {
	case GICH_HCR:
		v->hcr = val & GICH_HCR_MASK;
		break;
	case GICH_VMCR:
		v->vmcr = vmcr_with_min_bpr(val & GICH_VMCR_MASK);
		break;
	case GICH_APR:
		v->apr = val;
		break;
	default:
		if (off >= GICH_LR0 && off < GICH_LR0 + 4 * GIC_NR_LRS)
			v->lr[(off - GICH_LR0) / 4] = val & GICH_LR_MASK;
		break; /* VTR, MISR, EISR, ELRSR read-only; the rest reserved */
	}
}

static uint32_t vcpu_read(struct gic *g, unsigned cpu, unsigned off)
{
	struct gic_vif *v = &g->vif[cpu];
	int i;

	switch (off) {
	case GICC_CTLR:
		return v->vmcr & 0x21fu;
	case GICC_PMR:
		return v->vmcr >> 27 << 3;
	case GICC_BPR:
		return vif_bpr(v);
	case GICC_ABPR:
		return vif_abpr(v);
	case GICC_IAR:
		return vif_acknowledge(g, cpu, false);
	case GICC_AIAR:
		return vif_acknowledge(g, cpu, true);
	case GICC_RPR:
		return vif_running_prio(v);
	case GICC_HPPIR:
	case GICC_AHPPIR:
		i = vif_best_lr(v, off == GICC_AHPPIR, false);
		return i < 0 ? GIC_SPURIOUS : vif_id(v->lr[i]);
	case GICC_APR0:
		return v->apr;
	case GICC_IIDR:
		return GICC_IIDR_VALUE;
	default:
		return 0;
	}
}

static void vcpu_write(struct gic *g, unsigned cpu, unsigned off, uint32_t val)
{
	struct gic_vif *v = &g->vif[cpu];

	switch (off) {
	case GICC_CTLR:
		v->vmcr = (v->vmcr & ~0x21fu) | (val & 0x21fu);
		break;
	case GICC_PMR:
		v->vmcr = (v->vmcr & 0x07ffffffu) | (val >> 3) << 27;
		break;
	case GICC_BPR:
		v->vmcr = vmcr_with_min_bpr((v->vmcr & ~(7u << 21)) | (val & 7) << 21);
		break;
	case GICC_ABPR:
		v->vmcr = vmcr_with_min_bpr((v->vmcr & ~(7u << 18)) | (val & 7) << 18);
		break;
	case GICC_EOIR:
	case GICC_AEOIR:
		vif_eoi(g, cpu, val);
		break;
	case GICC_DIR:
		if (v->vmcr & (1u << 9))
			vif_deactivate(g, cpu, val);
		break;
	case GICC_APR0:
		v->apr = val;
		break;
	default:
		break;
	}
}

/* ---- MMIO dispatch ---- */

bool gic_mmio_read(struct gic *g, uint64_t pa, unsigned size, unsigned cpu, uint64_t *val)
{
	unsigned off = (unsigned)(pa & (GIC_REGION_SIZE - 1));
	uint64_t base = pa & ~(GIC_REGION_SIZE - 1);
	uint32_t v = 0;

	assert(cpu < g->ncpus);
	if (base != GIC_DIST_BASE && base != GIC_CPU_BASE && base != GIC_HYP_BASE &&
	    base != GIC_VCPU_BASE)
		return false;
	g->gen++; /* IAR reads acknowledge */
	*val = 0;
	if (size != 1 && size != 2 && size != 4)
		return true;
	if (base == GIC_DIST_BASE) {
		for (unsigned i = 0; i < size; i++)
			v |= (uint32_t)dist_read_byte(g, cpu, off + i) << (8 * i);
		*val = v;
		return true;
	}
	if (size != 4 || (off & 3))
		return true;
	if (base == GIC_CPU_BASE)
		v = cpu_read(g, cpu, off);
	else if (base == GIC_HYP_BASE)
		v = hyp_read(g, cpu, off);
	else
		v = vcpu_read(g, cpu, off);
	/* IAR reads change the list registers and so the maintenance interrupt. */
	update_maintenance(g, cpu);
	*val = v;
	return true;
}

bool gic_mmio_write(struct gic *g, uint64_t pa, unsigned size, unsigned cpu, uint64_t val)
{
	unsigned off = (unsigned)(pa & (GIC_REGION_SIZE - 1));
	uint64_t base = pa & ~(GIC_REGION_SIZE - 1);

	assert(cpu < g->ncpus);
	if (base != GIC_DIST_BASE && base != GIC_CPU_BASE && base != GIC_HYP_BASE &&
	    base != GIC_VCPU_BASE)
		return false;
	g->gen++;
	if (size != 1 && size != 2 && size != 4)
		return true;
	if (base == GIC_DIST_BASE) {
		if (off == GICD_SGIR) {
			if (size == 4)
				dist_sgir(g, cpu, (uint32_t)val);
			return true;
		}
		for (unsigned i = 0; i < size; i++)
			dist_write_byte(g, cpu, off + i, (uint8_t)(val >> (8 * i)));
		return true;
	}
	if (size != 4 || (off & 3))
		return true;
	if (base == GIC_CPU_BASE)
		cpu_write(g, cpu, off, (uint32_t)val);
	else if (base == GIC_HYP_BASE)
		hyp_write(g, cpu, off, (uint32_t)val);
	else
		vcpu_write(g, cpu, off, (uint32_t)val);
	update_maintenance(g, cpu);
	return true;
}
