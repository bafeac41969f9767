/*
 * devices.c - the PL011 and the GICv2 of hypsim's machine in Unicorn, and interrupt delivery.
 *
 * Both devices are the pure models of sim/machine (pl011.h, gic.h) behind uc_mmio_map
 * regions: Unicorn calls them with the offset in the region, the running CPU is s->cpu. The
 * PL011's interrupt output is the GIC's SPI 1 (INTID 33), as on QEMU virt; each CPU's
 * generic timer outputs are its PPIs 30 (CNTP), 27 (CNTV), 26 (CNTHP).
 *
 * Time. The count is timer_count_at(instructions executed by all CPUs + idle_insns): a
 * deterministic, monotonic function of the run. The timers' outputs are recomputed when a
 * timer register is written and when the count reaches the next deadline (timer_due, checked
 * by the block hook, so a timer interrupt is late by at most the rest of a block, as QEMU's
 * TB-boundary delivery is). When every CPU waits in WFI with nothing pending, idle_insns
 * jumps to the next deadline (devices_idle_skip): a waiting machine costs no host time, and
 * the guest sees the time it waited pass. With no armed timer and nothing pending, nothing
 * can wake it: that is the only WFI hang.
 *
 * Delivery. Unicorn 2.0.1 takes no asynchronous exception by itself (hypsim never raises
 * its CPU_INTERRUPT_HARD), so hypsim does, at block boundaries: the block hook asks
 * devices_irq_due() before a block runs, and when an interrupt is to be taken it stops
 * Unicorn before the block (which then has not run) and the run loop enters the exception
 * with ELR = the block's address, the instruction that would have executed next. A block
 * boundary comes soon after every event that can make an interrupt takeable: Unicorn ends
 * the block after an MSR (DAIF, HCR_EL2, ...), after MSR DAIFClr (QEMU's translator exits
 * to re-evaluate interrupts there), after an ERET, and a device write is followed by at
 * most the rest of its block. QEMU takes interrupts at the same kind of boundary (between
 * translation blocks), so the two agree on where an interrupt lands only up to a block.
 */
#include "engine/devices.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "arch.h"
#include "engine/cpu.h"
#include "engine/entry.h"
#include "engine/hazards.h"
#include "engine/mmu.h"
#include "machine/gic.h"
#include "machine/irq_route.h"
#include "machine/machine.h"
#include "machine/pl011.h"
#include "trace/trace.h"

/* ---- PL011 ---- */

void devices_uart_flush_line(struct sim *s)
{
	if (s->uart_len && s->trace)
		trace_uart(s->trace, s->cpu, s->uart_line, s->uart_len);
	s->uart_len = 0;
}

static void uart_tx(void *ctx, uint8_t byte)
{
	struct sim *s = ctx;
	char c = (char)byte;
	if (fputc(c, s->uart_out) == EOF && !s->uart_errno)
		s->uart_errno = errno; /* reported by main.c at the end of the run */
	s->uart_line[s->uart_len++] = c;
	if (c == '\n' || s->uart_len == sizeof(s->uart_line))
		devices_uart_flush_line(s);
}

static void uart_irq(struct sim *s)
{
	gic_set_irq_level(s->gic, PL011_INTID, 0, pl011_irq_level(&s->uart));
}

static uint64_t uart_read(uc_engine *uc, uint64_t offset, unsigned size, void *user)
{
	struct sim *s = user;
	uint64_t v = 0;
	(void)uc;
	pl011_read(&s->uart, offset, size, &v);
	return v;
}

static void uart_write(uc_engine *uc, uint64_t offset, unsigned size, uint64_t value, void *user)
{
	struct sim *s = user;
	(void)uc;
	pl011_write(&s->uart, offset, size, value);
	uart_irq(s);
}

/* ---- GIC ---- */

static uint64_t gic_read(uc_engine *uc, uint64_t offset, unsigned size, void *user)
{
	struct sim_mmio *m = user;
	uint64_t v = 0;
	(void)uc;
	gic_mmio_read(m->s->gic, m->base + offset, size, m->s->cpu, &v);
	return v;
}

static void gic_write(uc_engine *uc, uint64_t offset, unsigned size, uint64_t value, void *user)
{
	struct sim_mmio *m = user;
	(void)uc;
	gic_mmio_write(m->s->gic, m->base + offset, size, m->s->cpu, value);
}

int devices_setup(struct sim *s)
{
	pl011_init(&s->uart, uart_tx, s);
	s->gic = gic_new(s->ncpus);
	if (!s->gic)
		return UC_ERR_NOMEM;
	devices_irq_recheck(s);
	uc_err e = uc_mmio_map(s->uc, MACH_UART_BASE, MACH_UART_SIZE, uart_read, s, uart_write, s);
	for (unsigned i = 0; e == UC_ERR_OK && i < 4; i++) {
		s->gic_mmio[i] = (struct sim_mmio){.s = s, .base = mach_gic_regions[i].base};
		e = uc_mmio_map(s->uc, mach_gic_regions[i].base, mach_gic_regions[i].size, gic_read,
		                &s->gic_mmio[i], gic_write, &s->gic_mmio[i]);
	}
	return e;
}

void devices_teardown(struct sim *s)
{
	gic_free(s->gic);
	s->gic = NULL;
}

/* ---- interrupt delivery ---- */

void devices_irq_recheck(struct sim *s)
{
	s->irq_gen = UINT64_MAX; /* no generation: recompute at the next block */
}

/* The lines into the running CPU: the GIC's four outputs and HCR_EL2.VI/VF. */
static unsigned irq_lines(struct sim *s)
{
	unsigned c = s->cpu, l = 0;
	l |= gic_cpu_irq_pending(s->gic, c) ? IRQ_LINE_IRQ : 0;
	l |= gic_cpu_fiq_pending(s->gic, c) ? IRQ_LINE_FIQ : 0;
	l |= gic_cpu_virq_pending(s->gic, c) ? IRQ_LINE_VIRQ : 0;
	l |= gic_cpu_vfiq_pending(s->gic, c) ? IRQ_LINE_VFIQ : 0;
	return l;
}

static struct irq_pe irq_pe(struct sim *s, uint64_t pstate)
{
	return (struct irq_pe){
	    .el = s->el,
	    .pstate_i = (pstate & PSTATE_I) != 0,
	    .pstate_f = (pstate & PSTATE_F) != 0,
	    .hcr = cpu_read_sysreg(s, CSR_HCR_EL2),
	};
}

bool devices_irq_due(struct sim *s)
{
	if (!s->gic)
		return false;
	uint64_t gen = gic_generation(s->gic);
	if (gen != s->irq_gen) {
		s->irq_gen = gen;
		s->irq_lines = irq_lines(s);
		s->hcr_lines = irq_lines_from_hcr(cpu_read_sysreg(s, CSR_HCR_EL2));
	}
	unsigned lines = s->irq_lines | s->hcr_lines;
	if (!lines)
		return false;
	unsigned target;
	bool fiq;
	struct irq_pe pe = irq_pe(s, cpu_pstate(s));
	return irq_select(lines, &pe, &target, &fiq) != 0;
}

int devices_take_irq(struct sim *s, uint64_t pc)
{
	uint64_t pstate = cpu_pstate(s);
	struct irq_pe pe = irq_pe(s, pstate);
	unsigned target;
	bool fiq;
	unsigned line = irq_select(irq_lines(s) | irq_lines_from_hcr(pe.hcr), &pe, &target, &fiq);
	if (!line)
		return 1;
	return sim_take_interrupt(s, fiq, line == IRQ_LINE_VIRQ || line == IRQ_LINE_VFIQ, target,
	                          pc);
}

unsigned devices_irq_lines(struct sim *s)
{
	if (!s->gic)
		return 0;
	return irq_lines(s) | irq_lines_from_hcr(cpu_read_sysreg(s, CSR_HCR_EL2));
}

void devices_timers_update(struct sim *s)
{
	uint64_t now = timer_count_at(&s->timer_cfg, s->insns + s->idle_insns);
	uint64_t next = UINT64_MAX;
	for (unsigned i = 0; s->gic && i < s->ncpus; i++) {
		uint64_t n = devices_timer_sync(s, i, &s->cpus[i].timer, now);
		next = n < next ? n : next;
	}
	s->timer_due = next == UINT64_MAX ? UINT64_MAX : timer_insns_for(&s->timer_cfg, next);
}

bool devices_idle_skip(struct sim *s)
{
	devices_timers_update(s);
	uint64_t at = s->insns + s->idle_insns;
	if (s->timer_due == UINT64_MAX)
		return false;
	if (s->timer_due > at)
		s->idle_insns += s->timer_due - at;
	devices_timers_update(s);
	devices_irq_recheck(s);
	return true;
}

bool devices_wfi_wakes(struct sim *s)
{
	if (!s->gic)
		return false;
	uint64_t hcr = cpu_read_sysreg(s, CSR_HCR_EL2);
	struct irq_pe pe = irq_pe(s, cpu_pstate(s));
	return irq_wfi_wakes(irq_lines(s) | irq_lines_from_hcr(hcr), &pe);
}

uint64_t devices_timer_sync(struct sim *s, unsigned cpu, const struct timer_cpu *t, uint64_t now)
{
	uint64_t next = UINT64_MAX;
	for (int id = 0; id < TIMER_N; id++) {
		bool high = timer_output(t, (enum timer_id)id, now);
		gic_set_irq_level(s->gic, timer_ppi((enum timer_id)id), cpu, high);
		if (high || (t->ctl[id] & (CNT_CTL_ENABLE | CNT_CTL_IMASK)) != CNT_CTL_ENABLE)
			continue;
		/* Low, armed: it rises when its count reaches CVAL, cval - count ticks from now
		 * (both counts advance together, D11.2.4). */
		uint64_t count = timer_count_of(t, (enum timer_id)id, now);
		uint64_t at = now + (t->cval[id] - count);
		if (at > now && at < next)
			next = at;
	}
	return next;
}
