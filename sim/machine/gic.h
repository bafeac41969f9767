/*
 * gic.h - a GICv2 (Arm IHI 0048B, "ARM Generic Interrupt Controller Architecture Specification
 * version 2.0") as QEMU virt with gic-version=2,virtualization=on has it: distributor at
 * 0x0800_0000, CPU interface 0x0801_0000, virtual interface control (GICH) 0x0803_0000 and
 * virtual CPU interface (GICV) 0x0804_0000, 64 KiB each.
 *
 * Models: 288 interrupt IDs (16 SGIs, 16 PPIs, 256 SPIs, GICD_TYPER.ITLinesNumber = 8 as
 * QEMU virt's 256 SPIs give), up to 8 CPUs, no Security Extensions (all accesses are treated
 * as Secure, IHI 0048B 1.4 / 4.1.2; interrupt groups exist, Group 0 signalled as FIQ only if
 * GICC_CTLR.FIQEn), 8 priority bits, 1-N delivery of SPIs to every CPU in ITARGETSR,
 * level-sensitive and edge-triggered PPIs/SPIs (GICD_ICFGR; SGIs always edge and always
 * enabled, an IMPLEMENTATION DEFINED choice QEMU makes too), the active-priority stack and
 * split priority drop / deactivation (GICC_CTLR.EOImode, GICC_DIR at 0x1000: Linux uses it
 * when it boots at EL2). Virtualization Extensions (IHI 0048B chapter 5): 4 list registers,
 * 5 priority and preemption bits (GICH_VTR = 0x90000003, as QEMU), GICH_HCR/VMCR/MISR/EISR/
 * ELRSR/APR/LR0-3 banked per CPU at the GICH base, the maintenance interrupt as PPI 9
 * (INTID 25), and a GICV driven by the list registers (IAR/EOIR/DIR/HPPIR/RPR/PMR/BPR/CTLR).
 * Does not model: the per-CPU GICH alias frames (GICH base + 0x200 * n), GICv2m (MSI), the
 * bypass and wake-up logic, GICD_NSACR / GICC_NSAPR (RAZ/WI without Security Extensions).
 *
 * Register accesses go through gic_mmio_read/write with the physical address: true when the
 * address is in one of the four regions (reserved or unimplemented offsets there read as zero
 * and ignore writes, IHI 0048B 4.1.4 "RAZ/WI"), false when it is not the GIC's.
 */
#ifndef HYPSIM_MACHINE_GIC_H
#define HYPSIM_MACHINE_GIC_H

#include <stdbool.h>
#include <stdint.h>

#define GIC_DIST_BASE   0x08000000ull
#define GIC_CPU_BASE    0x08010000ull
#define GIC_HYP_BASE    0x08030000ull
#define GIC_VCPU_BASE   0x08040000ull
#define GIC_REGION_SIZE 0x10000ull

#define GIC_NR_IRQS     288 /* 32 private + 256 SPIs */
#define GIC_MAX_CPUS    8
#define GIC_NR_LRS      4
#define GIC_SPURIOUS    1023
#define GIC_MAINT_INTID 25 /* PPI 9 */

/* GICD register offsets (IHI 0048B Table 4-1) */
#define GICD_CTLR       0x000
#define GICD_TYPER      0x004
#define GICD_IIDR       0x008
#define GICD_IGROUPR    0x080
#define GICD_ISENABLER  0x100
#define GICD_ICENABLER  0x180
#define GICD_ISPENDR    0x200
#define GICD_ICPENDR    0x280
#define GICD_ISACTIVER  0x300
#define GICD_ICACTIVER  0x380
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR  0x800
#define GICD_ICFGR      0xc00
#define GICD_SGIR       0xf00
#define GICD_CPENDSGIR  0xf10
#define GICD_SPENDSGIR  0xf20
#define GICD_PIDR2      0xfe8

/* GICC / GICV register offsets (Table 4-2 / 5-5) */
#define GICC_CTLR   0x000
#define GICC_PMR    0x004
#define GICC_BPR    0x008
#define GICC_IAR    0x00c
#define GICC_EOIR   0x010
#define GICC_RPR    0x014
#define GICC_HPPIR  0x018
#define GICC_ABPR   0x01c
#define GICC_AIAR   0x020
#define GICC_AEOIR  0x024
#define GICC_AHPPIR 0x028
#define GICC_APR0   0x0d0
#define GICC_NSAPR0 0x0e0
#define GICC_IIDR   0x0fc
#define GICC_DIR    0x1000

#define GICC_CTLR_ENABLE_GRP0 (1u << 0)
#define GICC_CTLR_ENABLE_GRP1 (1u << 1)
#define GICC_CTLR_ACKCTL      (1u << 2)
#define GICC_CTLR_FIQEN       (1u << 3)
#define GICC_CTLR_CBPR        (1u << 4)
#define GICC_CTLR_EOIMODE     (1u << 9) /* EOImodeS: the one that counts without Security Ext. */

/* GICH register offsets (Table 5-1) */
#define GICH_HCR    0x000
#define GICH_VTR    0x004
#define GICH_VMCR   0x008
#define GICH_MISR   0x010
#define GICH_EISR0  0x020
#define GICH_EISR1  0x024
#define GICH_ELRSR0 0x030
#define GICH_ELRSR1 0x034
#define GICH_APR    0x0f0
#define GICH_LR0    0x100

#define GICH_HCR_EN             (1u << 0)
#define GICH_HCR_UIE            (1u << 1)
#define GICH_HCR_LRENPIE        (1u << 2)
#define GICH_HCR_NPIE           (1u << 3)
#define GICH_HCR_VGRP0EIE       (1u << 4)
#define GICH_HCR_VGRP0DIE       (1u << 5)
#define GICH_HCR_VGRP1EIE       (1u << 6)
#define GICH_HCR_VGRP1DIE       (1u << 7)
#define GICH_HCR_EOICOUNT_SHIFT 27

#define GICH_MISR_EOI    (1u << 0)
#define GICH_MISR_U      (1u << 1)
#define GICH_MISR_LRENP  (1u << 2)
#define GICH_MISR_NP     (1u << 3)
#define GICH_MISR_VGRP0E (1u << 4)
#define GICH_MISR_VGRP0D (1u << 5)
#define GICH_MISR_VGRP1E (1u << 6)
#define GICH_MISR_VGRP1D (1u << 7)

#define GICH_VTR_VALUE 0x90000003u /* PRIbits 4 (5 bits), PREbits 4 (5 bits), ListRegs 3 */

/* GICH_LR fields (5.3.10) */
#define GICH_LR_VIRTUALID(lr) ((lr)&0x3ffu)
#define GICH_LR_PHYSID(lr)    (((lr) >> 10) & 0x3ffu)
#define GICH_LR_CPUID(lr)     (((lr) >> 10) & 7u)
#define GICH_LR_EOI           (1u << 19)
#define GICH_LR_PRIO_SHIFT    23
#define GICH_LR_STATE_SHIFT   28
#define GICH_LR_STATE_PENDING (1u << 28)
#define GICH_LR_STATE_ACTIVE  (2u << 28)
#define GICH_LR_STATE_MASK    (3u << 28)
#define GICH_LR_GRP1          (1u << 30)
#define GICH_LR_HW            (1u << 31)

struct gic;

/* A GIC for ncpus CPUs (1..GIC_MAX_CPUS), in its reset state. NULL when out of memory. */
struct gic *gic_new(unsigned ncpus);
void gic_free(struct gic *gic);
/* A deep copy (snapshot for a fork of the run), or NULL. */
struct gic *gic_clone(const struct gic *gic);
void gic_reset(struct gic *gic);

/*
 * An access by CPU cpu of size bytes (1, 2 or 4) at physical address pa. Returns false when
 * pa is outside the GIC's four regions. GICD takes byte, halfword and word accesses (byte
 * access is architected for IPRIORITYR, ITARGETSR, CPENDSGIR, SPENDSGIR; GICD_SGIR needs a
 * word); GICC, GICH and GICV are word-only (other sizes RAZ/WI).
 */
bool gic_mmio_read(struct gic *gic, uint64_t pa, unsigned size, unsigned cpu, uint64_t *val);
bool gic_mmio_write(struct gic *gic, uint64_t pa, unsigned size, unsigned cpu, uint64_t val);

/*
 * The input line of interrupt irq (16..287): for a PPI (16..31) the one of CPU cpu, for an
 * SPI cpu is ignored. Level-sensitive interrupts are pending while the line is high (or a
 * write to GICD_ISPENDR latched them); edge-triggered ones latch pending on a rising edge.
 */
void gic_set_irq_level(struct gic *gic, unsigned irq, unsigned cpu, bool level);

/*
 * The CPU interface's outputs to the PE (IHI 0048B 3.2 / 5.1): IRQ and FIQ for physical
 * interrupts (a pending, enabled interrupt of a group enabled in GICD_CTLR and GICC_CTLR,
 * with priority above GICC_PMR and group priority above the running priority), and virtual
 * IRQ / FIQ from the list registers (GICH_HCR.En, GICV_CTLR, GICV_PMR, GICH_APR). These are
 * the lines; masking by PSTATE.I/F and routing by HCR_EL2.IMO/FMO are the PE's business.
 */
bool gic_cpu_irq_pending(const struct gic *gic, unsigned cpu);
bool gic_cpu_fiq_pending(const struct gic *gic, unsigned cpu);
bool gic_cpu_virq_pending(const struct gic *gic, unsigned cpu);
bool gic_cpu_vfiq_pending(const struct gic *gic, unsigned cpu);

/* Any of the four: what wakes a WFI (Arm ARM D1.16.2 WFI wake-up events). */
bool gic_cpu_wake(const struct gic *gic, unsigned cpu);

/*
 * A counter that changes whenever something that can change the four outputs above
 * happens (an MMIO access to the GIC, an input line changing level, a reset). The outputs
 * are pure functions of the state, so an engine can keep them cached per CPU and recompute
 * only when the generation moved, instead of scanning 288 interrupts every block.
 */
uint64_t gic_generation(const struct gic *gic);

/* Introspection for tests and traces: the interrupt's state as CPU cpu sees it. */
bool gic_irq_is_pending(const struct gic *gic, unsigned irq, unsigned cpu);
bool gic_irq_is_active(const struct gic *gic, unsigned irq, unsigned cpu);

#endif /* HYPSIM_MACHINE_GIC_H */
