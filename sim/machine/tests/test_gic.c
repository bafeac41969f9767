/*
 * test_gic.c - the GICv2 model against Arm IHI 0048B (GIC architecture v2.0): distributor
 * registers and banking (4.3), CPU interface acknowledge / priority / EOI flow (3.2, 3.3,
 * 4.4), SGIs (4.3.15), and the virtualization extensions' GICH / GICV (chapter 5).
 */
#include <check.h>
#include <stdint.h>

#include "gic.h"

#define D(off) (GIC_DIST_BASE + (off))
#define C(off) (GIC_CPU_BASE + (off))
#define H(off) (GIC_HYP_BASE + (off))
#define V(off) (GIC_VCPU_BASE + (off))

static uint32_t rd(struct gic *g, uint64_t pa, unsigned cpu)
{
	uint64_t v = 0xdeadbeef;

	ck_assert(gic_mmio_read(g, pa, 4, cpu, &v));
	return (uint32_t)v;
}

static uint32_t rd8(struct gic *g, uint64_t pa, unsigned cpu)
{
	uint64_t v = 0xdeadbeef;

	ck_assert(gic_mmio_read(g, pa, 1, cpu, &v));
	return (uint32_t)v;
}

static void wr(struct gic *g, uint64_t pa, unsigned cpu, uint32_t v)
{
	ck_assert(gic_mmio_write(g, pa, 4, cpu, v));
}

static void wr8(struct gic *g, uint64_t pa, unsigned cpu, uint8_t v)
{
	ck_assert(gic_mmio_write(g, pa, 1, cpu, v));
}

/* What Linux's gic_dist_init/gic_cpu_init leave: both enabled, PMR 0xf0, all Group 0. */
static struct gic *booted(unsigned ncpus)
{
	struct gic *g = gic_new(ncpus);

	ck_assert_ptr_nonnull(g);
	wr(g, D(GICD_CTLR), 0, 1);
	for (unsigned c = 0; c < ncpus; c++) {
		wr(g, C(GICC_PMR), c, 0xf0);
		wr(g, C(GICC_CTLR), c, GICC_CTLR_ENABLE_GRP0);
	}
	return g;
}

/* Enable irq with priority prio, targeted at CPU 0 if an SPI. */
static void enable(struct gic *g, unsigned irq, unsigned cpu, uint8_t prio)
{
	wr(g, D(GICD_ISENABLER + irq / 32 * 4), cpu, 1u << (irq % 32));
	wr8(g, D(GICD_IPRIORITYR + irq), cpu, prio);
	if (irq >= 32)
		wr8(g, D(GICD_ITARGETSR + irq), cpu, 1);
}

START_TEST(dist_identification)
{
	struct gic *g = gic_new(2);

	/* 4.3.2: ITLinesNumber = 288/32 - 1 = 8, CPUNumber = 1, SecurityExtn (bit 10) = 0. */
	ck_assert_uint_eq(rd(g, D(GICD_TYPER), 0), 0x28);
	ck_assert_uint_eq(rd(g, D(GICD_IIDR), 0) & 0xfff, 0x43b);
	/* 4.3.x identification: PIDR2.ArchRev = 2 (GICv2), CIDR = 0xb105f00d. */
	ck_assert_uint_eq((rd(g, D(GICD_PIDR2), 0) >> 4) & 0xf, 2);
	ck_assert_uint_eq(rd(g, D(0xff0), 0) | rd(g, D(0xff4), 0) << 8 | rd(g, D(0xff8), 0) << 16 |
	                      rd(g, D(0xffc), 0) << 24,
	                  0xb105f00d);
	/* Read-only: writes ignored. */
	wr(g, D(GICD_TYPER), 0, 0);
	ck_assert_uint_eq(rd(g, D(GICD_TYPER), 0), 0x28);
	/* GICD_CTLR: EnableGrp0 and EnableGrp1 only. */
	wr(g, D(GICD_CTLR), 0, 0xffffffff);
	ck_assert_uint_eq(rd(g, D(GICD_CTLR), 0), 3);
	/* GICC_IIDR: architecture version 2 ([19:16]), implementer Arm. */
	ck_assert_uint_eq(rd(g, C(GICC_IIDR), 0), 0x0002043b);
	gic_free(g);
	g = gic_new(8);
	ck_assert_uint_eq(rd(g, D(GICD_TYPER), 0), 0xe8);
	gic_free(g);
}
END_TEST

START_TEST(regions_and_reserved)
{
	struct gic *g = gic_new(1);
	uint64_t v;

	/* Outside the four regions (e.g. the GICv2m frame QEMU has at 0x08020000): not ours. */
	ck_assert(!gic_mmio_read(g, 0x08020000, 4, 0, &v));
	ck_assert(!gic_mmio_write(g, 0x08050000, 4, 0, 0));
	ck_assert(!gic_mmio_read(g, 0x07fffffc, 4, 0, &v));
	/* 4.1.4: reserved offsets inside read as zero, writes ignored. */
	wr(g, D(0x0d00), 0, 0xffffffff);
	ck_assert_uint_eq(rd(g, D(0x0d00), 0), 0);
	ck_assert_uint_eq(rd(g, D(0x8000), 0), 0);
	wr(g, C(0x0040), 0, 0xffffffff);
	ck_assert_uint_eq(rd(g, C(0x0040), 0), 0);
	ck_assert_uint_eq(rd(g, H(0x0200), 0), 0);
	ck_assert_uint_eq(rd(g, V(0x2000), 0), 0);
	/* Interrupts beyond ITLinesNumber: RAZ/WI. */
	wr(g, D(GICD_ISENABLER + 9 * 4), 0, 0xffffffff);
	ck_assert_uint_eq(rd(g, D(GICD_ISENABLER + 9 * 4), 0), 0);
	wr(g, D(GICD_IPRIORITYR + 300), 0, 0xffffffff);
	ck_assert_uint_eq(rd(g, D(GICD_IPRIORITYR + 300), 0), 0);
	/* GICC is word-only: a byte read is RAZ, a byte write WI. */
	ck_assert(gic_mmio_write(g, C(GICC_PMR), 1, 0, 0xff));
	ck_assert_uint_eq(rd(g, C(GICC_PMR), 0), 0);
	ck_assert(gic_mmio_read(g, C(GICC_IIDR), 1, 0, &v));
	ck_assert_uint_eq(v, 0);
	gic_free(g);
}
END_TEST

START_TEST(enable_set_clear)
{
	struct gic *g = gic_new(2);

	/* 4.3.5: SGIs here are always enabled (IMPLEMENTATION DEFINED; QEMU does the same). */
	ck_assert_uint_eq(rd(g, D(GICD_ISENABLER), 0), 0x0000ffff);
	wr(g, D(GICD_ICENABLER), 0, 0xffffffff);
	ck_assert_uint_eq(rd(g, D(GICD_ISENABLER), 0), 0x0000ffff);
	/* Set: writing 1 sets, 0 has no effect; both registers read the enables. */
	wr(g, D(GICD_ISENABLER + 4), 0, 0x5);
	wr(g, D(GICD_ISENABLER + 4), 0, 0x8);
	ck_assert_uint_eq(rd(g, D(GICD_ISENABLER + 4), 0), 0xd);
	ck_assert_uint_eq(rd(g, D(GICD_ICENABLER + 4), 0), 0xd);
	wr(g, D(GICD_ICENABLER + 4), 0, 0x4);
	ck_assert_uint_eq(rd(g, D(GICD_ISENABLER + 4), 0), 0x9);
	/* PPI enables are banked per CPU; SPI enables are shared. */
	wr(g, D(GICD_ISENABLER), 0, 1u << 27);
	ck_assert_uint_eq(rd(g, D(GICD_ISENABLER), 0), 0x0800ffff);
	ck_assert_uint_eq(rd(g, D(GICD_ISENABLER), 1), 0x0000ffff);
	ck_assert_uint_eq(rd(g, D(GICD_ISENABLER + 4), 1), 0x9);
	gic_free(g);
}
END_TEST

START_TEST(priority_and_targets)
{
	struct gic *g = gic_new(2);

	/* 4.3.11: byte-accessible, 8 bits implemented here; PPI priorities banked. */
	wr8(g, D(GICD_IPRIORITYR + 30), 0, 0xa0);
	wr8(g, D(GICD_IPRIORITYR + 30), 1, 0x20);
	ck_assert_uint_eq(rd8(g, D(GICD_IPRIORITYR + 30), 0), 0xa0);
	ck_assert_uint_eq(rd8(g, D(GICD_IPRIORITYR + 30), 1), 0x20);
	wr(g, D(GICD_IPRIORITYR + 32), 0, 0x44332211);
	ck_assert_uint_eq(rd8(g, D(GICD_IPRIORITYR + 34), 1), 0x33);
	ck_assert_uint_eq(rd(g, D(GICD_IPRIORITYR + 32), 1), 0x44332211);
	/* 4.3.12: ITARGETSR0-7 read as the reading CPU's bit and ignore writes. */
	ck_assert_uint_eq(rd(g, D(GICD_ITARGETSR), 0), 0x01010101);
	ck_assert_uint_eq(rd(g, D(GICD_ITARGETSR + 28), 1), 0x02020202);
	wr(g, D(GICD_ITARGETSR + 28), 0, 0xffffffff);
	ck_assert_uint_eq(rd(g, D(GICD_ITARGETSR + 28), 0), 0x01010101);
	/* SPI targets: only implemented CPUs can be set. */
	wr8(g, D(GICD_ITARGETSR + 33), 0, 0xff);
	ck_assert_uint_eq(rd8(g, D(GICD_ITARGETSR + 33), 1), 0x03);
	gic_free(g);
}
END_TEST

START_TEST(config_register)
{
	struct gic *g = gic_new(2);

	/* 4.3.13: SGIs are edge (Int_config[1] = 1) and read-only. */
	ck_assert_uint_eq(rd(g, D(GICD_ICFGR), 0), 0xaaaaaaaa);
	wr(g, D(GICD_ICFGR), 0, 0);
	ck_assert_uint_eq(rd(g, D(GICD_ICFGR), 0), 0xaaaaaaaa);
	/* PPIs reset level, writable and banked; Int_config[0] is reserved (reads 0). */
	ck_assert_uint_eq(rd(g, D(GICD_ICFGR + 4), 0), 0);
	wr(g, D(GICD_ICFGR + 4), 0, 0xffffffff);
	ck_assert_uint_eq(rd(g, D(GICD_ICFGR + 4), 0), 0xaaaaaaaa);
	ck_assert_uint_eq(rd(g, D(GICD_ICFGR + 4), 1), 0);
	wr(g, D(GICD_ICFGR + 8), 1, 0x2); /* INTID 32 edge */
	ck_assert_uint_eq(rd(g, D(GICD_ICFGR + 8), 0), 0x2);
	gic_free(g);
}
END_TEST

START_TEST(level_spi_flow)
{
	/* 3.2.4 state machine for a level-sensitive interrupt. */
	struct gic *g = booted(1);

	enable(g, 40, 0, 0x80);
	ck_assert(!gic_cpu_irq_pending(g, 0));
	ck_assert_uint_eq(rd(g, C(GICC_IAR), 0), GIC_SPURIOUS);
	gic_set_irq_level(g, 40, 0, true);
	ck_assert(gic_irq_is_pending(g, 40, 0));
	ck_assert(gic_cpu_irq_pending(g, 0));
	ck_assert(!gic_cpu_fiq_pending(g, 0));
	ck_assert_uint_eq(rd(g, D(GICD_ISPENDR + 4), 0), 1u << 8);
	/* Acknowledge: active, and still pending while asserted. */
	ck_assert_uint_eq(rd(g, C(GICC_IAR), 0), 40);
	ck_assert(gic_irq_is_active(g, 40, 0));
	ck_assert(gic_irq_is_pending(g, 40, 0));
	ck_assert_uint_eq(rd(g, D(GICD_ISACTIVER + 4), 0), 1u << 8);
	/* Active and pending is not signalled again (same priority = running priority). */
	ck_assert(!gic_cpu_irq_pending(g, 0));
	ck_assert_uint_eq(rd(g, C(GICC_RPR), 0), 0x80);
	/* The device deasserts; EOI deactivates and drops the running priority. */
	gic_set_irq_level(g, 40, 0, false);
	ck_assert(!gic_irq_is_pending(g, 40, 0));
	wr(g, C(GICC_EOIR), 0, 40);
	ck_assert(!gic_irq_is_active(g, 40, 0));
	ck_assert_uint_eq(rd(g, C(GICC_RPR), 0), 0xff);
	ck_assert(!gic_cpu_irq_pending(g, 0));
	/* Still asserted at EOI: pending again at once. */
	gic_set_irq_level(g, 40, 0, true);
	ck_assert_uint_eq(rd(g, C(GICC_IAR), 0), 40);
	wr(g, C(GICC_EOIR), 0, 40);
	ck_assert(gic_cpu_irq_pending(g, 0));
	gic_free(g);
}
END_TEST

START_TEST(edge_spi_flow)
{
	struct gic *g = booted(1);

	enable(g, 41, 0, 0x80);
	wr(g, D(GICD_ICFGR + 41 / 16 * 4), 0, 2u << (2 * (41 % 16))); /* edge */
	gic_set_irq_level(g, 41, 0, true);
	ck_assert(gic_irq_is_pending(g, 41, 0));
	ck_assert_uint_eq(rd(g, C(GICC_IAR), 0), 41);
	/* Edge: the acknowledge clears pending even though the line is still high. */
	ck_assert(!gic_irq_is_pending(g, 41, 0));
	wr(g, C(GICC_EOIR), 0, 41);
	ck_assert(!gic_cpu_irq_pending(g, 0));
	/* Holding the line high is not a new edge; a new rising edge is. */
	gic_set_irq_level(g, 41, 0, true);
	ck_assert(!gic_irq_is_pending(g, 41, 0));
	gic_set_irq_level(g, 41, 0, false);
	gic_set_irq_level(g, 41, 0, true);
	ck_assert(gic_irq_is_pending(g, 41, 0));
	/* ICPENDR clears an edge interrupt's pending state. */
	wr(g, D(GICD_ICPENDR + 4), 0, 1u << 9);
	ck_assert(!gic_irq_is_pending(g, 41, 0));
	gic_free(g);
}
END_TEST

START_TEST(software_pending_and_active)
{
	struct gic *g = booted(1);

	enable(g, 50, 0, 0x10);
	/* 4.3.7: ISPENDR sets pending on a level interrupt whose line is low... */
	wr(g, D(GICD_ISPENDR + 4), 0, 1u << 18);
	ck_assert(gic_irq_is_pending(g, 50, 0));
	/* 4.3.8: ...ICPENDR clears it, but not while the line is asserted. */
	gic_set_irq_level(g, 50, 0, true);
	wr(g, D(GICD_ICPENDR + 4), 0, 1u << 18);
	ck_assert(gic_irq_is_pending(g, 50, 0));
	gic_set_irq_level(g, 50, 0, false);
	ck_assert(!gic_irq_is_pending(g, 50, 0));
	/* ISACTIVER / ICACTIVER. */
	wr(g, D(GICD_ISACTIVER + 4), 0, 1u << 18);
	ck_assert(gic_irq_is_active(g, 50, 0));
	ck_assert_uint_eq(rd(g, D(GICD_ICACTIVER + 4), 0), 1u << 18);
	wr(g, D(GICD_ICACTIVER + 4), 0, 1u << 18);
	ck_assert(!gic_irq_is_active(g, 50, 0));
	/* SGI pending bits cannot be set through ISPENDR (4.3.7: use SPENDSGIR). */
	wr(g, D(GICD_ISPENDR), 0, 0xffff);
	ck_assert_uint_eq(rd(g, D(GICD_ISPENDR), 0) & 0xffff, 0);
	gic_free(g);
}
END_TEST

START_TEST(spurious_cases)
{
	/* 4.4.4: 1023 when nothing of sufficient priority is pending and enabled. */
	struct gic *g = booted(1);

	gic_set_irq_level(g, 42, 0, true); /* pending but disabled */
	ck_assert_uint_eq(rd(g, C(GICC_IAR), 0), GIC_SPURIOUS);
	enable(g, 42, 0, 0xf0); /* priority not higher than PMR 0xf0 */
	ck_assert_uint_eq(rd(g, C(GICC_IAR), 0), GIC_SPURIOUS);
	ck_assert(!gic_cpu_irq_pending(g, 0));
	wr8(g, D(GICD_IPRIORITYR + 42), 0, 0xe0);
	/* Distributor group disabled: not forwarded. */
	wr(g, D(GICD_CTLR), 0, 0);
	ck_assert_uint_eq(rd(g, C(GICC_IAR), 0), GIC_SPURIOUS);
	wr(g, D(GICD_CTLR), 0, 1);
	/* CPU interface disabled. */
	wr(g, C(GICC_CTLR), 0, 0);
	ck_assert(!gic_cpu_irq_pending(g, 0));
	ck_assert_uint_eq(rd(g, C(GICC_IAR), 0), GIC_SPURIOUS);
	wr(g, C(GICC_CTLR), 0, 1);
	/* Not targeted at this CPU. */
	wr8(g, D(GICD_ITARGETSR + 42), 0, 0);
	ck_assert_uint_eq(rd(g, C(GICC_IAR), 0), GIC_SPURIOUS);
	wr8(g, D(GICD_ITARGETSR + 42), 0, 1);
	ck_assert_uint_eq(rd(g, C(GICC_HPPIR), 0), 42);
	ck_assert_uint_eq(rd(g, C(GICC_IAR), 0), 42);
	/* EOI of 1023 does nothing (no priority drop). */
	wr(g, C(GICC_EOIR), 0, GIC_SPURIOUS);
	ck_assert_uint_eq(rd(g, C(GICC_RPR), 0), 0xe0);
	gic_free(g);
}
END_TEST

START_TEST(priority_order_and_preemption)
{
	struct gic *g = booted(1);

	enable(g, 60, 0, 0x80);
	enable(g, 61, 0, 0x40);
	enable(g, 62, 0, 0x40);
	gic_set_irq_level(g, 60, 0, true);
	gic_set_irq_level(g, 62, 0, true);
	gic_set_irq_level(g, 61, 0, true);
	/* Highest priority (lowest value) first; equal priority: lowest ID. */
	ck_assert_uint_eq(rd(g, C(GICC_HPPIR), 0), 61);
	ck_assert_uint_eq(rd(g, C(GICC_IAR), 0), 61);
	/* 62 has the same group priority as the running one: no preemption. */
	ck_assert(!gic_cpu_irq_pending(g, 0));
	ck_assert_uint_eq(rd(g, C(GICC_IAR), 0), GIC_SPURIOUS);
	gic_set_irq_level(g, 61, 0, false);
	wr(g, C(GICC_EOIR), 0, 61);
	ck_assert_uint_eq(rd(g, C(GICC_IAR), 0), 62);
	gic_set_irq_level(g, 62, 0, false);
	wr(g, C(GICC_EOIR), 0, 62);
	ck_assert_uint_eq(rd(g, C(GICC_IAR), 0), 60);
	ck_assert_uint_eq(rd(g, C(GICC_RPR), 0), 0x80);
	/* 3.3.3: a higher group priority preempts; nesting drops in priority order. */
	enable(g, 63, 0, 0x20);
	gic_set_irq_level(g, 63, 0, true);
	ck_assert(gic_cpu_irq_pending(g, 0));
	ck_assert_uint_eq(rd(g, C(GICC_IAR), 0), 63);
	ck_assert_uint_eq(rd(g, C(GICC_RPR), 0), 0x20);
	/* Active priorities (IMPLEMENTATION DEFINED layout): bit n <-> group priority 2n. */
	ck_assert_uint_eq(rd(g, C(GICC_APR0), 0), 1u << (0x20 / 2));
	ck_assert_uint_eq(rd(g, C(GICC_APR0 + 8), 0), 1u << (0x80 / 2 - 64));
	wr(g, C(GICC_EOIR), 0, 63);
	ck_assert_uint_eq(rd(g, C(GICC_RPR), 0), 0x80);
	gic_free(g);
}
END_TEST

START_TEST(binary_point)
{
	/* 3.3.3: BPR n makes the group priority field [7:n+1]. */
	struct gic *g = booted(1);

	wr(g, C(GICC_BPR), 0, 3); /* group priority [7:4] */
	ck_assert_uint_eq(rd(g, C(GICC_BPR), 0), 3);
	enable(g, 70, 0, 0x68);
	enable(g, 71, 0, 0x60);
	enable(g, 72, 0, 0x50);
	gic_set_irq_level(g, 70, 0, true);
	ck_assert_uint_eq(rd(g, C(GICC_IAR), 0), 70);
	ck_assert_uint_eq(rd(g, C(GICC_RPR), 0), 0x60); /* the group priority */
	/* 0x60 has the same group priority 0x60: no preemption, though 0x60 < 0x68. */
	gic_set_irq_level(g, 71, 0, true);
	ck_assert(!gic_cpu_irq_pending(g, 0));
	/* 0x50: group priority 0x50 < 0x60: preempts. */
	gic_set_irq_level(g, 72, 0, true);
	ck_assert(gic_cpu_irq_pending(g, 0));
	ck_assert_uint_eq(rd(g, C(GICC_IAR), 0), 72);
	gic_free(g);
}
END_TEST

START_TEST(sgi_delivery)
{
	/* 4.3.15 GICD_SGIR and the source CPU ID in GICC_IAR[12:10]. */
	struct gic *g = booted(4);

	wr(g, D(GICD_SGIR), 0, (0u << 24) | (0x6u << 16) | 3); /* SGI 3 to CPUs 1, 2 */
	ck_assert(!gic_cpu_irq_pending(g, 0));
	ck_assert(gic_cpu_irq_pending(g, 1));
	ck_assert(gic_cpu_irq_pending(g, 2));
	ck_assert(!gic_cpu_irq_pending(g, 3));
	ck_assert_uint_eq(rd(g, C(GICC_IAR), 1), 3 | 0 << 10);
	wr(g, C(GICC_EOIR), 1, 3);
	/* Two sources: each acknowledged separately, lowest CPU first. */
	wr(g, D(GICD_SGIR), 3, (2u << 24) | 5); /* filter 2: to self (CPU 3) */
	wr(g, D(GICD_SGIR), 2, (0u << 24) | (0x8u << 16) | 5);
	ck_assert_uint_eq(rd8(g, D(GICD_SPENDSGIR + 5), 3), 0x0c);
	ck_assert_uint_eq(rd(g, C(GICC_IAR), 3), 5 | 2 << 10);
	wr(g, C(GICC_EOIR), 3, 5 | 2 << 10);
	ck_assert_uint_eq(rd(g, C(GICC_IAR), 3), 5 | 3 << 10);
	wr(g, C(GICC_EOIR), 3, 5 | 3 << 10);
	ck_assert_uint_eq(rd(g, C(GICC_IAR), 3), GIC_SPURIOUS);
	/* Filter 1: all but self. */
	wr(g, D(GICD_SGIR), 1, (1u << 24) | 7);
	ck_assert(gic_cpu_irq_pending(g, 0));
	ck_assert(!gic_irq_is_pending(g, 7, 1));
	ck_assert(gic_irq_is_pending(g, 7, 3));
	/* 4.3.16: CPENDSGIR clears by source bit. */
	wr8(g, D(GICD_CPENDSGIR + 7), 0, 0x2);
	ck_assert(!gic_irq_is_pending(g, 7, 0));
	/* 4.3.17: SPENDSGIR sets (the reading CPU is the target). */
	wr8(g, D(GICD_SPENDSGIR + 1), 0, 0x4);
	ck_assert_uint_eq(rd(g, C(GICC_IAR), 0), 1 | 2 << 10);
	/* Filter 3 is reserved: nothing happens. SGIR needs a word write. */
	wr(g, D(GICD_SGIR), 0, (3u << 24) | (0xfu << 16) | 9);
	ck_assert(gic_mmio_write(g, D(GICD_SGIR), 1, 0, 9));
	for (unsigned c = 0; c < 4; c++)
		ck_assert(!gic_irq_is_pending(g, 9, c));
	/* SGIR is write-only. */
	ck_assert_uint_eq(rd(g, D(GICD_SGIR), 0), 0);
	gic_free(g);
}
END_TEST

START_TEST(eoimode_split)
{
	/* 4.4.5 / 4.4.15: EOImode 1: GICC_EOIR drops priority, GICC_DIR deactivates. */
	struct gic *g = booted(1);

	wr(g, C(GICC_CTLR), 0, GICC_CTLR_ENABLE_GRP0 | GICC_CTLR_EOIMODE);
	ck_assert_uint_eq(rd(g, C(GICC_CTLR), 0), GICC_CTLR_ENABLE_GRP0 | GICC_CTLR_EOIMODE);
	enable(g, 27, 0, 0xa0);
	gic_set_irq_level(g, 27, 0, true);
	ck_assert_uint_eq(rd(g, C(GICC_IAR), 0), 27);
	gic_set_irq_level(g, 27, 0, false);
	wr(g, C(GICC_EOIR), 0, 27);
	ck_assert_uint_eq(rd(g, C(GICC_RPR), 0), 0xff);
	ck_assert(gic_irq_is_active(g, 27, 0));
	/* Still active: a new assertion is pending but not signalled. */
	gic_set_irq_level(g, 27, 0, true);
	ck_assert(!gic_cpu_irq_pending(g, 0));
	wr(g, C(GICC_DIR), 0, 27);
	ck_assert(!gic_irq_is_active(g, 27, 0));
	ck_assert(gic_cpu_irq_pending(g, 0));
	/* EOImode 0: DIR has no effect (as QEMU). */
	wr(g, C(GICC_CTLR), 0, GICC_CTLR_ENABLE_GRP0);
	ck_assert_uint_eq(rd(g, C(GICC_IAR), 0), 27);
	wr(g, C(GICC_DIR), 0, 27);
	ck_assert(gic_irq_is_active(g, 27, 0));
	gic_free(g);
}
END_TEST

START_TEST(groups_fiq_ackctl)
{
	/* 3.2.2 / 4.4.4: grouping without Security Extensions. */
	struct gic *g = booted(1);

	enable(g, 80, 0, 0x80);
	gic_set_irq_level(g, 80, 0, true);
	/* Group 0 with FIQEn: signalled as FIQ. */
	wr(g, C(GICC_CTLR), 0, GICC_CTLR_ENABLE_GRP0 | GICC_CTLR_FIQEN);
	ck_assert(gic_cpu_fiq_pending(g, 0));
	ck_assert(!gic_cpu_irq_pending(g, 0));
	ck_assert(gic_cpu_wake(g, 0));
	/* Group 1: IRQ, needs EnableGrp1 in both GICD_CTLR and GICC_CTLR. */
	wr(g, D(GICD_IGROUPR + 8), 0, 1u << 16);
	ck_assert_uint_eq(rd(g, D(GICD_IGROUPR + 8), 0), 1u << 16);
	ck_assert(!gic_cpu_irq_pending(g, 0));
	wr(g, D(GICD_CTLR), 0, 3);
	ck_assert(!gic_cpu_irq_pending(g, 0));
	wr(g, C(GICC_CTLR), 0, GICC_CTLR_ENABLE_GRP1 | GICC_CTLR_FIQEN);
	ck_assert(gic_cpu_irq_pending(g, 0));
	ck_assert(!gic_cpu_fiq_pending(g, 0));
	/* AckCtl 0: GICC_IAR returns 1022 for a Group 1 interrupt and leaves it pending. */
	ck_assert_uint_eq(rd(g, C(GICC_IAR), 0), 1022);
	ck_assert(!gic_irq_is_active(g, 80, 0));
	/* GICC_AIAR acknowledges Group 1. */
	ck_assert_uint_eq(rd(g, C(GICC_AIAR), 0), 80);
	ck_assert(gic_irq_is_active(g, 80, 0));
	wr(g, C(GICC_AEOIR), 0, 80);
	ck_assert(!gic_irq_is_active(g, 80, 0));
	/* AckCtl 1: GICC_IAR acknowledges it too. */
	wr(g, C(GICC_CTLR), 0, GICC_CTLR_ENABLE_GRP1 | GICC_CTLR_ACKCTL);
	ck_assert_uint_eq(rd(g, C(GICC_IAR), 0), 80);
	gic_free(g);
}
END_TEST

START_TEST(spi_one_of_n)
{
	/* 1-N model: an SPI targeting two CPUs is signalled to both; the first ack wins. */
	struct gic *g = booted(2);

	enable(g, 90, 0, 0x80);
	wr8(g, D(GICD_ITARGETSR + 90), 0, 3);
	gic_set_irq_level(g, 90, 0, true);
	ck_assert(gic_cpu_irq_pending(g, 0));
	ck_assert(gic_cpu_irq_pending(g, 1));
	ck_assert_uint_eq(rd(g, C(GICC_IAR), 1), 90);
	ck_assert(!gic_cpu_irq_pending(g, 0));
	ck_assert_uint_eq(rd(g, C(GICC_IAR), 0), GIC_SPURIOUS);
	gic_free(g);
}
END_TEST

START_TEST(ppi_banked_lines)
{
	/* A timer PPI asserted on CPU 1 is not pending on CPU 0. */
	struct gic *g = booted(2);

	enable(g, 30, 0, 0xa0);
	enable(g, 30, 1, 0xa0);
	gic_set_irq_level(g, 30, 1, true);
	ck_assert(!gic_cpu_irq_pending(g, 0));
	ck_assert(gic_cpu_irq_pending(g, 1));
	ck_assert_uint_eq(rd(g, D(GICD_ISPENDR), 1), 1u << 30);
	ck_assert_uint_eq(rd(g, D(GICD_ISPENDR), 0), 0);
	gic_free(g);
}
END_TEST

START_TEST(pmr_and_bpr_registers)
{
	struct gic *g = gic_new(1);

	wr(g, C(GICC_PMR), 0, 0x1ff);
	ck_assert_uint_eq(rd(g, C(GICC_PMR), 0), 0xff);
	wr(g, C(GICC_BPR), 0, 0xf);
	ck_assert_uint_eq(rd(g, C(GICC_BPR), 0), 7);
	/* ABPR's minimum is BPR's + 1. */
	wr(g, C(GICC_ABPR), 0, 0);
	ck_assert_uint_eq(rd(g, C(GICC_ABPR), 0), 1);
	ck_assert_uint_eq(rd(g, C(GICC_RPR), 0), 0xff);
	gic_free(g);
}
END_TEST

/* ---- virtualization (chapter 5) ---- */

static uint32_t lr(unsigned vid, unsigned prio5, uint32_t state, uint32_t extra)
{
	return vid | prio5 << GICH_LR_PRIO_SHIFT | state | extra;
}

/* A guest that enabled its GICV: Group 1 on, PMR 0xf8 (5 bits), as KVM's vgic sets VMCR. */
static void vguest(struct gic *g, unsigned cpu)
{
	wr(g, H(GICH_HCR), cpu, GICH_HCR_EN);
	wr(g, V(GICC_CTLR), cpu, GICC_CTLR_ENABLE_GRP1 | GICC_CTLR_ACKCTL);
	wr(g, V(GICC_PMR), cpu, 0xf8);
}

START_TEST(gich_identification)
{
	struct gic *g = gic_new(2);

	/* 5.3.3: ListRegs = 3 (4 LRs), PREbits = PRIbits = 4 (5 bits), as QEMU. */
	ck_assert_uint_eq(rd(g, H(GICH_VTR), 0), 0x90000003);
	wr(g, H(GICH_VTR), 0, 0);
	ck_assert_uint_eq(rd(g, H(GICH_VTR), 0), 0x90000003);
	/* Empty LRs are all free; none has an EOI. */
	ck_assert_uint_eq(rd(g, H(GICH_ELRSR0), 0), 0xf);
	ck_assert_uint_eq(rd(g, H(GICH_ELRSR1), 0), 0);
	ck_assert_uint_eq(rd(g, H(GICH_EISR0), 0), 0);
	ck_assert_uint_eq(rd(g, H(GICH_MISR), 0), 0);
	/* LR4 and beyond do not exist. */
	wr(g, H(GICH_LR0 + 16), 0, 0xffffffff);
	ck_assert_uint_eq(rd(g, H(GICH_LR0 + 16), 0), 0);
	/* LRs are banked per CPU, reserved bits [22:20] read 0. */
	wr(g, H(GICH_LR0 + 4), 1, 0xffffffff);
	ck_assert_uint_eq(rd(g, H(GICH_LR0 + 4), 1), 0xff8fffff);
	ck_assert_uint_eq(rd(g, H(GICH_LR0 + 4), 0), 0);
	ck_assert_uint_eq(rd(g, H(GICH_ELRSR0), 1), 0xd);
	ck_assert_uint_eq(rd(g, H(0x0fc), 0), 0);
	ck_assert_uint_eq(rd(g, V(GICC_IIDR), 0), 0x0002043b);
	gic_free(g);
}
END_TEST

START_TEST(vmcr_aliases)
{
	/* 5.3.4 / 5.4: GICV_CTLR, PMR, BPR, ABPR are views of GICH_VMCR. */
	struct gic *g = gic_new(1);
	uint32_t vmcr;

	wr(g, V(GICC_CTLR), 0, 0xffffffff);
	ck_assert_uint_eq(rd(g, V(GICC_CTLR), 0), 0x21f);
	wr(g, V(GICC_PMR), 0, 0xff);
	ck_assert_uint_eq(rd(g, V(GICC_PMR), 0), 0xf8); /* 5 priority bits */
	wr(g, V(GICC_BPR), 0, 4);
	wr(g, V(GICC_ABPR), 0, 5);
	vmcr = rd(g, H(GICH_VMCR), 0);
	ck_assert_uint_eq(vmcr >> 27, 0x1f);    /* VMPriMask */
	ck_assert_uint_eq((vmcr >> 21) & 7, 4); /* VMBP */
	ck_assert_uint_eq((vmcr >> 18) & 7, 5); /* VMABP */
	ck_assert_uint_eq(vmcr & 0x21f, 0x21f);
	/* Binary points below the minimum of 5 preemption bits read as the minimum. */
	wr(g, V(GICC_BPR), 0, 0);
	ck_assert_uint_eq(rd(g, V(GICC_BPR), 0), 2);
	wr(g, H(GICH_VMCR), 0, 0);
	ck_assert_uint_eq(rd(g, V(GICC_BPR), 0), 2);
	ck_assert_uint_eq(rd(g, V(GICC_ABPR), 0), 3);
	ck_assert_uint_eq(rd(g, V(GICC_PMR), 0), 0);
	gic_free(g);
}
END_TEST

START_TEST(virtual_irq_flow)
{
	/* 5.4: a pending LR is signalled as a virtual IRQ; GICV_IAR/EOIR move it. */
	struct gic *g = gic_new(1);

	wr(g, H(GICH_LR0 + 8), 0, lr(44, 0x10, GICH_LR_STATE_PENDING, GICH_LR_GRP1 | GICH_LR_EOI));
	ck_assert_uint_eq(rd(g, H(GICH_ELRSR0), 0), 0xb);
	/* GICH_HCR.En = 0: nothing is signalled, GICV_IAR is spurious. */
	ck_assert(!gic_cpu_virq_pending(g, 0));
	ck_assert_uint_eq(rd(g, V(GICC_IAR), 0), GIC_SPURIOUS);
	vguest(g, 0);
	ck_assert(gic_cpu_virq_pending(g, 0));
	ck_assert(!gic_cpu_vfiq_pending(g, 0));
	ck_assert(!gic_cpu_irq_pending(g, 0)); /* no physical interrupt */
	ck_assert(gic_cpu_wake(g, 0));
	ck_assert_uint_eq(rd(g, V(GICC_HPPIR), 0), 44);
	ck_assert_uint_eq(rd(g, V(GICC_IAR), 0), 44);
	/* Acknowledged: LR active, the virtual running priority is the LR's (0x10 << 3). */
	ck_assert_uint_eq(rd(g, H(GICH_LR0 + 8), 0) & GICH_LR_STATE_MASK, GICH_LR_STATE_ACTIVE);
	ck_assert_uint_eq(rd(g, V(GICC_RPR), 0), 0x80);
	ck_assert_uint_eq(rd(g, H(GICH_APR), 0), 1u << 0x10);
	ck_assert(!gic_cpu_virq_pending(g, 0));
	/* EOI: priority drop and deactivation; with LR.EOI the LR shows in EISR (5.3.6). */
	wr(g, V(GICC_EOIR), 0, 44);
	ck_assert_uint_eq(rd(g, H(GICH_LR0 + 8), 0) & GICH_LR_STATE_MASK, 0);
	ck_assert_uint_eq(rd(g, H(GICH_APR), 0), 0);
	ck_assert_uint_eq(rd(g, V(GICC_RPR), 0), 0xff);
	ck_assert_uint_eq(rd(g, H(GICH_EISR0), 0), 1u << 2);
	ck_assert_uint_eq(rd(g, H(GICH_ELRSR0), 0), 0xb); /* EOI set: not yet free */
	ck_assert_uint_eq(rd(g, H(GICH_MISR), 0), GICH_MISR_EOI);
	/* The maintenance interrupt (PPI 9 = INTID 25) is asserted... */
	ck_assert(gic_irq_is_pending(g, GIC_MAINT_INTID, 0));
	/* ...until the hypervisor cleans the LR. */
	wr(g, H(GICH_LR0 + 8), 0, 0);
	ck_assert_uint_eq(rd(g, H(GICH_MISR), 0), 0);
	ck_assert(!gic_irq_is_pending(g, GIC_MAINT_INTID, 0));
	ck_assert_uint_eq(rd(g, H(GICH_ELRSR0), 0), 0xf);
	gic_free(g);
}
END_TEST

START_TEST(virtual_masking)
{
	struct gic *g = gic_new(1);

	vguest(g, 0);
	/* Priority 0x1f << 3 = 0xf8 is not above PMR 0xf8. */
	wr(g, H(GICH_LR0), 0, lr(40, 0x1f, GICH_LR_STATE_PENDING, GICH_LR_GRP1));
	ck_assert(!gic_cpu_virq_pending(g, 0));
	ck_assert_uint_eq(rd(g, V(GICC_IAR), 0), GIC_SPURIOUS);
	/* Group 0 LR while only Group 1 is enabled: not signalled. */
	wr(g, H(GICH_LR0), 0, lr(40, 0x08, GICH_LR_STATE_PENDING, 0));
	ck_assert(!gic_cpu_virq_pending(g, 0));
	/* Group 0 enabled with VMFIQEn: a virtual FIQ. */
	wr(g, V(GICC_CTLR), 0, GICC_CTLR_ENABLE_GRP0 | GICC_CTLR_FIQEN);
	ck_assert(gic_cpu_vfiq_pending(g, 0));
	ck_assert(!gic_cpu_virq_pending(g, 0));
	/* Highest priority LR first; an active one blocks equal group priority. */
	vguest(g, 0);
	wr(g, H(GICH_LR0), 0, lr(40, 0x08, GICH_LR_STATE_PENDING, GICH_LR_GRP1));
	wr(g, H(GICH_LR0 + 4), 0, lr(41, 0x04, GICH_LR_STATE_PENDING, GICH_LR_GRP1));
	ck_assert_uint_eq(rd(g, V(GICC_IAR), 0), 41);
	/* Running priority 0x20: the 0x40 one waits for the EOI. */
	ck_assert(!gic_cpu_virq_pending(g, 0));
	wr(g, V(GICC_EOIR), 0, 41);
	ck_assert(gic_cpu_virq_pending(g, 0));
	ck_assert_uint_eq(rd(g, V(GICC_IAR), 0), 40);
	gic_free(g);
}
END_TEST

START_TEST(virtual_hw_deactivates_physical)
{
	/*
	 * 5.4.1: an LR with HW = 1 links a physical interrupt: the guest's deactivation
	 * deactivates PhysicalID in the distributor (KVM's arch timer uses this for PPI 27).
	 */
	struct gic *g = booted(1);

	wr(g, C(GICC_CTLR), 0, GICC_CTLR_ENABLE_GRP0 | GICC_CTLR_EOIMODE);
	enable(g, 27, 0, 0xa0);
	gic_set_irq_level(g, 27, 0, true);
	ck_assert_uint_eq(rd(g, C(GICC_IAR), 0), 27);
	wr(g, C(GICC_EOIR), 0, 27); /* host drops priority, leaves it active for the guest */
	ck_assert(gic_irq_is_active(g, 27, 0));
	vguest(g, 0);
	wr(g, H(GICH_LR0), 0,
	   lr(27, 0x0a, GICH_LR_STATE_PENDING, GICH_LR_GRP1 | GICH_LR_HW | 27u << 10));
	ck_assert_uint_eq(rd(g, V(GICC_IAR), 0), 27);
	wr(g, V(GICC_EOIR), 0, 27);
	ck_assert(!gic_irq_is_active(g, 27, 0));
	/* HW LRs never report in EISR; the LR is free again. */
	ck_assert_uint_eq(rd(g, H(GICH_EISR0), 0), 0);
	ck_assert_uint_eq(rd(g, H(GICH_ELRSR0), 0), 0xf);
	gic_free(g);
}
END_TEST

START_TEST(virtual_eoicount_and_vem)
{
	struct gic *g = gic_new(1);

	vguest(g, 0);
	wr(g, H(GICH_HCR), 0, GICH_HCR_EN | GICH_HCR_LRENPIE);
	/* 5.3.2: an EOI with no matching LR counts in EOICount, raising LRENP. */
	wr(g, H(GICH_APR), 0, 1u << 4);
	wr(g, V(GICC_EOIR), 0, 99);
	ck_assert_uint_eq(rd(g, H(GICH_HCR), 0) >> GICH_HCR_EOICOUNT_SHIFT, 1);
	ck_assert_uint_eq(rd(g, H(GICH_APR), 0), 0); /* the priority still dropped */
	ck_assert_uint_eq(rd(g, H(GICH_MISR), 0), GICH_MISR_LRENP);
	ck_assert(gic_irq_is_pending(g, GIC_MAINT_INTID, 0));
	wr(g, H(GICH_HCR), 0, GICH_HCR_EN | GICH_HCR_LRENPIE);
	ck_assert_uint_eq(rd(g, H(GICH_MISR), 0), 0);
	/* VEM (GICV_CTLR.EOImode): EOIR only drops priority, GICV_DIR deactivates. */
	wr(g, V(GICC_CTLR), 0, GICC_CTLR_ENABLE_GRP1 | GICC_CTLR_ACKCTL | GICC_CTLR_EOIMODE);
	wr(g, H(GICH_LR0 + 12), 0, lr(50, 0x02, GICH_LR_STATE_PENDING, GICH_LR_GRP1));
	ck_assert_uint_eq(rd(g, V(GICC_IAR), 0), 50);
	wr(g, V(GICC_EOIR), 0, 50);
	ck_assert_uint_eq(rd(g, H(GICH_APR), 0), 0);
	ck_assert_uint_eq(rd(g, H(GICH_LR0 + 12), 0) & GICH_LR_STATE_MASK, GICH_LR_STATE_ACTIVE);
	wr(g, V(GICC_DIR), 0, 50);
	ck_assert_uint_eq(rd(g, H(GICH_LR0 + 12), 0) & GICH_LR_STATE_MASK, 0);
	gic_free(g);
}
END_TEST

START_TEST(virtual_maintenance_conditions)
{
	/* 5.3.5 GICH_MISR: U (<= 1 valid LR), NP (no pending LR), VGrpNE / VGrpND. */
	struct gic *g = gic_new(1);

	wr(g, H(GICH_HCR), 0, GICH_HCR_EN | GICH_HCR_UIE | GICH_HCR_NPIE);
	ck_assert_uint_eq(rd(g, H(GICH_MISR), 0), GICH_MISR_U | GICH_MISR_NP);
	wr(g, H(GICH_LR0), 0, lr(40, 1, GICH_LR_STATE_PENDING, 0));
	ck_assert_uint_eq(rd(g, H(GICH_MISR), 0), GICH_MISR_U);
	wr(g, H(GICH_LR0 + 4), 0, lr(41, 1, GICH_LR_STATE_ACTIVE, 0));
	ck_assert_uint_eq(rd(g, H(GICH_MISR), 0), 0);
	ck_assert(!gic_irq_is_pending(g, GIC_MAINT_INTID, 0));
	wr(g, H(GICH_HCR), 0, GICH_HCR_EN | GICH_HCR_VGRP0DIE | GICH_HCR_VGRP1EIE);
	ck_assert_uint_eq(rd(g, H(GICH_MISR), 0), GICH_MISR_VGRP0D);
	wr(g, V(GICC_CTLR), 0, GICC_CTLR_ENABLE_GRP0 | GICC_CTLR_ENABLE_GRP1);
	ck_assert_uint_eq(rd(g, H(GICH_MISR), 0), GICH_MISR_VGRP1E);
	/* With En = 0 MISR still reads, but the maintenance interrupt is not asserted. */
	wr(g, H(GICH_HCR), 0, GICH_HCR_VGRP1EIE);
	ck_assert_uint_eq(rd(g, H(GICH_MISR), 0), GICH_MISR_VGRP1E);
	ck_assert(!gic_irq_is_pending(g, GIC_MAINT_INTID, 0));
	gic_free(g);
}
END_TEST

START_TEST(virtual_sgi_and_ackctl)
{
	struct gic *g = gic_new(1);

	vguest(g, 0);
	/* A software virtual SGI reports its CPUID in bits [12:10]. */
	wr(g, H(GICH_LR0), 0, lr(3, 1, GICH_LR_STATE_PENDING, GICH_LR_GRP1 | 2u << 10));
	ck_assert_uint_eq(rd(g, V(GICC_IAR), 0), 3 | 2 << 10);
	/* Deactivation must name the same source. */
	wr(g, V(GICC_EOIR), 0, 3 | 1 << 10);
	ck_assert_uint_eq(rd(g, H(GICH_LR0), 0) & GICH_LR_STATE_MASK, GICH_LR_STATE_ACTIVE);
	ck_assert_uint_eq(rd(g, H(GICH_HCR), 0) >> GICH_HCR_EOICOUNT_SHIFT, 1);
	wr(g, V(GICC_DIR), 0, 3 | 2 << 10); /* VEM 0: DIR ignored */
	ck_assert_uint_eq(rd(g, H(GICH_LR0), 0) & GICH_LR_STATE_MASK, GICH_LR_STATE_ACTIVE);
	wr(g, H(GICH_APR), 0, 1u << 1);
	wr(g, V(GICC_EOIR), 0, 3 | 2 << 10);
	ck_assert_uint_eq(rd(g, H(GICH_LR0), 0) & GICH_LR_STATE_MASK, 0);
	/* Group 1 with AckCtl 0: GICV_IAR gives 1022, GICV_AIAR acknowledges. */
	wr(g, V(GICC_CTLR), 0, GICC_CTLR_ENABLE_GRP1);
	wr(g, H(GICH_LR0), 0, lr(60, 1, GICH_LR_STATE_PENDING, GICH_LR_GRP1));
	ck_assert_uint_eq(rd(g, V(GICC_IAR), 0), 1022);
	ck_assert_uint_eq(rd(g, V(GICC_AIAR), 0), 60);
	gic_free(g);
}
END_TEST

START_TEST(clone_is_deep)
{
	struct gic *g = booted(1), *c;

	enable(g, 40, 0, 0x80);
	c = gic_clone(g);
	ck_assert_ptr_nonnull(c);
	gic_set_irq_level(g, 40, 0, true);
	ck_assert(gic_cpu_irq_pending(g, 0));
	ck_assert(!gic_cpu_irq_pending(c, 0));
	gic_set_irq_level(c, 40, 0, true);
	ck_assert_uint_eq(rd(c, C(GICC_IAR), 0), 40);
	ck_assert(!gic_irq_is_active(g, 40, 0));
	gic_reset(c);
	ck_assert_uint_eq(rd(c, D(GICD_CTLR), 0), 0);
	ck_assert_uint_eq(rd(c, D(GICD_TYPER), 0), 0x08);
	gic_free(c);
	gic_free(g);
}
END_TEST

START_TEST(generation_tracks_changes)
{
	struct gic *g = booted(1);
	uint64_t g0;

	enable(g, 30, 0, 0xa0);
	g0 = gic_generation(g);
	/* Same level again: nothing changed, nothing to recompute. */
	gic_set_irq_level(g, 30, 0, false);
	ck_assert_uint_eq(gic_generation(g), g0);
	ck_assert(!gic_cpu_irq_pending(g, 0));
	gic_set_irq_level(g, 30, 0, true);
	ck_assert_uint_ne(gic_generation(g), g0);
	ck_assert(gic_cpu_irq_pending(g, 0));
	g0 = gic_generation(g);
	ck_assert_uint_eq(rd(g, C(GICC_IAR), 0), 30);
	ck_assert_uint_ne(gic_generation(g), g0);
	ck_assert(!gic_cpu_irq_pending(g, 0));
	g0 = gic_generation(g);
	wr(g, C(GICC_EOIR), 0, 30);
	ck_assert_uint_ne(gic_generation(g), g0);
	gic_free(g);
}
END_TEST

START_TEST(linux_gicv2_driver_sequence)
{
	/*
	 * The accesses of Linux's drivers/irqchip/irq-gic.c when the kernel booted at EL2
	 * (gic_dist_init, gic_cpu_init, gic_cpu_if_up with EOImode 1 because the GICC region is
	 * 64 KiB, then gic_handle_irq for the virtual timer, PPI 27) on 2 CPUs.
	 */
	struct gic *g = gic_new(2);
	uint32_t typer, mask = 0, irqstat;
	unsigned nirq;

	wr(g, D(GICD_CTLR), 0, 0);
	typer = rd(g, D(GICD_TYPER), 0);
	nirq = ((typer & 0x1f) + 1) * 32;
	ck_assert_uint_eq(nirq, 288);
	/* gic_get_cpumask: OR of ITARGETSR0-7; zero would mean "kernel will fail to boot". */
	for (unsigned i = 0; i < 32; i += 4)
		mask |= rd(g, D(GICD_ITARGETSR + i), 0);
	mask |= mask >> 16;
	mask |= mask >> 8;
	ck_assert_uint_eq(mask & 0xff, 1);
	for (unsigned i = 32; i < nirq; i += 4)
		wr(g, D(GICD_ITARGETSR + i), 0, 0x01010101);
	for (unsigned i = 32; i < nirq; i += 16)
		wr(g, D(GICD_ICFGR + i / 4), 0, 0);
	for (unsigned i = 32; i < nirq; i += 4)
		wr(g, D(GICD_IPRIORITYR + i), 0, 0xa0a0a0a0);
	for (unsigned i = 32; i < nirq; i += 32) {
		wr(g, D(GICD_ICACTIVER + i / 8), 0, 0xffffffff);
		wr(g, D(GICD_ICENABLER + i / 8), 0, 0xffffffff);
	}
	wr(g, D(GICD_CTLR), 0, 1);
	for (unsigned c = 0; c < 2; c++) {
		/* gic_cpu_config */
		wr(g, D(GICD_ICACTIVER), c, 0xffffffff);
		wr(g, D(GICD_ICENABLER), c, 0xffff0000);
		wr(g, D(GICD_ISENABLER), c, 0x0000ffff);
		for (unsigned i = 0; i < 32; i += 4)
			wr(g, D(GICD_IPRIORITYR + i), c, 0xa0a0a0a0);
		wr(g, C(GICC_PMR), c, 0xf0);
		/* gic_cpu_if_up: keep the bypass bits, set Enable and EOImode. */
		wr(g, C(GICC_CTLR), c, (rd(g, C(GICC_CTLR), c) & 0x1e0) | 1 | GICC_CTLR_EOIMODE);
	}
	/* arch_timer: enable PPI 27 (level, as the timer's DT flags say) on each CPU. */
	for (unsigned c = 0; c < 2; c++)
		wr(g, D(GICD_ISENABLER), c, 1u << 27);
	gic_set_irq_level(g, 27, 1, true);
	ck_assert(!gic_cpu_irq_pending(g, 0));
	ck_assert(gic_cpu_irq_pending(g, 1));
	/* gic_handle_irq on CPU 1: IAR, EOIR (priority drop), handler masks the timer, DIR. */
	irqstat = rd(g, C(GICC_IAR), 1);
	ck_assert_uint_eq(irqstat & 0x3ff, 27);
	wr(g, C(GICC_EOIR), 1, irqstat);
	ck_assert_uint_eq(rd(g, C(GICC_RPR), 1), 0xff);
	gic_set_irq_level(g, 27, 1, false); /* CNTV_CTL.IMASK set by the handler */
	wr(g, C(GICC_DIR), 1, irqstat);
	ck_assert(!gic_irq_is_active(g, 27, 1));
	ck_assert_uint_eq(rd(g, C(GICC_IAR), 1), GIC_SPURIOUS);
	/* An IPI (smp_cross_call): SGIR to CPU 0, handled with EOI then DIR as well. */
	wr(g, D(GICD_SGIR), 1, 1u << 16 | 1);
	irqstat = rd(g, C(GICC_IAR), 0);
	ck_assert_uint_eq(irqstat, 1 | 1 << 10);
	wr(g, C(GICC_EOIR), 0, irqstat);
	wr(g, C(GICC_DIR), 0, irqstat);
	ck_assert(!gic_irq_is_active(g, 1, 0));
	/* KVM's vgic-v2 probe: the number of list registers from GICH_VTR. */
	ck_assert_uint_eq((rd(g, H(GICH_VTR), 0) & 0x3f) + 1, 4);
	gic_free(g);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("gic");
	TCase *d = tcase_create("distributor"), *c = tcase_create("cpu"),
	      *v = tcase_create("virtualization");
	SRunner *sr;
	int failed;

	tcase_add_test(d, dist_identification);
	tcase_add_test(d, regions_and_reserved);
	tcase_add_test(d, enable_set_clear);
	tcase_add_test(d, priority_and_targets);
	tcase_add_test(d, config_register);
	tcase_add_test(d, software_pending_and_active);
	tcase_add_test(d, sgi_delivery);
	tcase_add_test(d, spi_one_of_n);
	tcase_add_test(d, ppi_banked_lines);
	tcase_add_test(c, level_spi_flow);
	tcase_add_test(c, edge_spi_flow);
	tcase_add_test(c, spurious_cases);
	tcase_add_test(c, priority_order_and_preemption);
	tcase_add_test(c, binary_point);
	tcase_add_test(c, eoimode_split);
	tcase_add_test(c, groups_fiq_ackctl);
	tcase_add_test(c, pmr_and_bpr_registers);
	tcase_add_test(c, clone_is_deep);
	tcase_add_test(c, generation_tracks_changes);
	tcase_add_test(c, linux_gicv2_driver_sequence);
	tcase_add_test(v, gich_identification);
	tcase_add_test(v, vmcr_aliases);
	tcase_add_test(v, virtual_irq_flow);
	tcase_add_test(v, virtual_masking);
	tcase_add_test(v, virtual_hw_deactivates_physical);
	tcase_add_test(v, virtual_eoicount_and_vem);
	tcase_add_test(v, virtual_maintenance_conditions);
	tcase_add_test(v, virtual_sgi_and_ackctl);
	suite_add_tcase(s, d);
	suite_add_tcase(s, c);
	suite_add_tcase(s, v);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
