/*
 * hooks.h - the Unicorn machine of a run and its hooks (hooks.c), for the run loop.
 */
#ifndef HYPSIM_SIM_HOOKS_H
#define HYPSIM_SIM_HOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/sim.h"

/* Encodings the hooks and the run loop look for at the end of a block. */
#define ENC_ERET      UINT32_C(0xd69f03e0)
#define ENC_WFI       UINT32_C(0xd503207f)
#define ENC_WFE       UINT32_C(0xd503205f)
#define ENC_NOP       UINT32_C(0xd503201f)
#define ENC_YIELD     UINT32_C(0xd503203f)
#define ENC_SEV       UINT32_C(0xd503209f)
#define ENC_SEV_LOCAL UINT32_C(0xd50320bf)

/* Open Unicorn, map RAM and the UART, add the hooks, load the image and boot CPU 0 at its
 * entry. Returns 0, or -1 with a message in s->fatal. */
int hooks_machine_setup(struct sim *s);
/* Release what hooks_machine_setup made (the reports are kept). */
void hooks_machine_teardown(struct sim *s);

/* The instruction at va (fetch permission, current regime); false if it cannot be read. */
bool hooks_read_insn(struct sim *s, uint64_t va, uint32_t *enc);

/* Whether anything can take the running CPU out of a wait (waiting: WFI/WFE) or of an idle
 * loop: the machine's answer (machine/wake.h) for the CPU's state. */
bool hooks_cpu_can_wake(struct sim *s, bool waiting);

/* The machine count (CNTPCT_EL0) seen by the instruction at pc of the running block
 * (UINT64_MAX: between blocks): timer_count_at() of the instructions all CPUs executed
 * before it. One count for the whole machine, as one system counter feeds every PE (Arm
 * ARM D11.1.2): monotonic on every CPU, and identical between runs since the CPUs are
 * scheduled deterministically. With N CPUs running, each advances it. */
uint64_t hooks_machine_count(struct sim *s, uint64_t pc);

/* Unicorn raised UNDEFINED at pc: when pc is an MRS/MSR of a generic timer register
 * that the timer model's rules trap (CNTKCTL_EL1 to EL1, CNTHCTL_EL2 to EL2: D13.8
 * accessibility pseudocode), fill *info with that trap (EC 0x18, the instruction's ISS)
 * and return true. The MRS/MSR hooks leave such accesses to Unicorn, which raises them
 * all as UNDEFINED. */
bool hooks_timer_trap(struct sim *s, uint64_t pc, struct exc_info *info);

/* Write the guest's pending UART text (a partial line) out. */
void hooks_uart_flush_line(struct sim *s);

/* struct mem_ops read of guest RAM (ctx: the struct sim). */
bool hooks_ram_read(void *ctx, uint64_t pa, void *buf, size_t len);

#endif /* HYPSIM_SIM_HOOKS_H */
