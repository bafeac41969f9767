/*
 * devices.h - the machine's devices in Unicorn (devices.c): the PL011 (machine/pl011.h) and
 * the GICv2 (machine/gic.h) behind uc_mmio_map regions, their interrupt lines, and the
 * delivery of IRQ/FIQ/virtual IRQ/virtual FIQ exceptions to the running CPU.
 */
#ifndef HYPSIM_SIM_DEVICES_H
#define HYPSIM_SIM_DEVICES_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/sim.h"
#include "machine/timer.h"

/* Map the devices into s->uc and reset them. Returns a uc_err. */
int devices_setup(struct sim *s);
void devices_teardown(struct sim *s);

/* The guest's UART text so far goes to the trace as a line. */
void devices_uart_flush_line(struct sim *s);

/*
 * Block hook: whether an interrupt is to be taken before the block at addr runs (then the
 * caller stops Unicorn with STOP_IRQ). Cheap while no interrupt line of the running CPU is
 * high: the GIC's outputs are recomputed only when gic_generation() moved.
 */
bool devices_irq_due(struct sim *s);

/* Forget the cached interrupt lines (another CPU runs, HCR_EL2 changed, a reset). */
void devices_irq_recheck(struct sim *s);

/*
 * The run loop: take the interrupt devices_irq_due found, with preferred return address pc
 * (the next instruction, D1.10.1: ELR = the instruction that would have run). Returns 0, 1
 * when nothing is takeable any more (the state changed), -1 on a Unicorn failure (s->fatal).
 */
int devices_take_irq(struct sim *s, uint64_t pc);

/*
 * A WFI completed (Unicorn halted after it): true when the CPU wakes (D1.6.2: a pending
 * interrupt, masked or not; virtual ones only at EL0/EL1 with HCR_EL2.IMO/FMO), false when
 * nothing is pending.
 */
bool devices_wfi_wakes(struct sim *s);

/*
 * The generic timer's outputs (machine/timer.h) into the GIC: CPU cpu's PPIs 30, 27, 26 set
 * to the levels of its timers t at physical count now. Returns the count at which one of
 * them next rises (UINT64_MAX: none armed), where the engine must call it again; outputs
 * that are high stay high until the guest writes the timer (and then it is called again).
 */
uint64_t devices_timer_sync(struct sim *s, unsigned cpu, const struct timer_cpu *t, uint64_t now);

/* The lines into the running CPU (IRQ_LINE_* of machine/irq_route.h): the GIC's outputs
 * and HCR_EL2.VI/VF. */
unsigned devices_irq_lines(struct sim *s);

/*
 * Every CPU's timer PPIs at the current count (a block boundary: s->insns + s->idle_insns
 * instructions' worth of time), and s->timer_due, when one next rises. The block hook calls
 * it when that point is reached; a timer register write sets timer_due to 0.
 */
void devices_timers_update(struct sim *s);

/*
 * Every CPU waits (WFI) and nothing is pending: virtual time jumps to the next timer
 * deadline (s->idle_insns grows: the count stays a deterministic, monotonic function of the
 * instructions executed and the waits), and that timer's interrupt becomes pending. False
 * when no timer is armed: nothing can ever wake the machine.
 */
bool devices_idle_skip(struct sim *s);

#endif /* HYPSIM_SIM_DEVICES_H */
