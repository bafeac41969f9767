/*
 * psci-smp - the PSCI calls of a multi-CPU machine (DESIGN §2, PSCI DEN0022 §5.5-5.7), seen
 * from the guest: run with `sim run psci-smp.elf --cpus 2`.
 *
 * CPU 0 (EL2, MMU off) asks AFFINITY_INFO of CPUs 0..3, makes the CPU_ON calls that must
 * fail (itself: ALREADY_ON; MPIDR Aff1 = 1: INVALID_PARAMETERS; an entry outside RAM:
 * INVALID_ADDRESS), then powers CPU 1 up with context id 0x1234 and asks again at once
 * (AFFINITY_INFO: ON_PENDING; CPU_ON: ON_PENDING), since CPU 1 runs only at its first
 * turn. CPU 1 enters `secondary` at EL2h with the MMU off and x0 = the context id, prints
 * what it finds (MPIDR_EL1, CurrentEL, SCTLR_EL2, TTBR0_EL2: the reset values), changes
 * TTBR0_EL2, counts itself in `cpu1_runs` and calls CPU_OFF. CPU 0 waits (WFE) until
 * AFFINITY_INFO says OFF, powers CPU 1 up a second time (context id 0x5678: TTBR0_EL2 is
 * back to its reset value), and this time CPU 1 ends the run with SYSTEM_OFF.
 *
 * Every access is made with the MMU off (Device memory, at the PoC): the two CPUs share
 * `cpu1_runs` coherently. CPU 0 prints nothing while CPU 1 runs, so the output does not
 * depend on how the CPUs interleave.
 *
 * PSCI_SMP_HANG (psci-smp-hang): CPU 1 branches to itself instead of calling CPU_OFF and
 * CPU 0 waits in WFI: every CPU that is on hangs, the run ends as a guest hang (exit 3).
 * PSCI_SMP_ALL_OFF (psci-smp-all-off): CPU 0 calls CPU_OFF once CPU 1 is off: no CPU is
 * left on and SYSTEM_OFF never comes (exit 3).
 */
#include "hypsim-fw.h"

#define PSCI_AFFINITY_INFO_64 0xc4000004
#define WAIT_LOOPS 100000

/* Print string \str, the value in \reg (not x0..x4: fw_puts clobbers them) and a newline. */
.macro say str, reg
	puts	\str
	mov	x0, \reg
	bl	fw_puthex
	puts	msg_nl
.endm

/* x0 = PSCI function \fn(x1 = \a1, x2 = \a2, x3 = \a3). */
.macro call fn, a1, a2, a3
	mov	x1, \a1
	mov	x2, \a2
	mov	x3, \a3
	psci	\fn
.endm

	.section .text.boot, "ax"
	.global _start
	.type _start, %function
_start:
	puts	msg_boot
	/* AFFINITY_INFO(CPU n, level 0) for n = 0..3. */
	mov	x19, #0
1:	call	PSCI_AFFINITY_INFO_64, x19, xzr, xzr
	mov	x20, x0
	puts	msg_aff
	mov	x0, x19
	bl	fw_puthex
	say	msg_is, x20
	add	x19, x19, #1
	cmp	x19, #4
	b.lo	1b

	adr	x21, secondary
	/* CPU_ON of the caller: ALREADY_ON (-4). */
	call	PSCI_CPU_ON_64, xzr, x21, xzr
	mov	x20, x0
	say	msg_on_self, x20
	/* MPIDR 0x100 (Aff1 = 1): no such CPU, INVALID_PARAMETERS (-2). */
	mov	x19, #0x100
	call	PSCI_CPU_ON_64, x19, x21, xzr
	mov	x20, x0
	say	msg_on_aff1, x20
	/* An entry point with no RAM behind it: INVALID_ADDRESS (-9). */
	mov	x19, #1
	mov	x20, #0x1000
	call	PSCI_CPU_ON_64, x19, x20, xzr
	mov	x20, x0
	say	msg_on_noram, x20

	/* CPU 1 up: SUCCESS; it has not run yet, so it is ON_PENDING. The answers are
	 * printed once CPU 1 is off again, so that the two CPUs' lines do not mix. */
	mov	x20, #0x1234
	call	PSCI_CPU_ON_64, x19, x21, x20
	mov	x24, x0
	call	PSCI_AFFINITY_INFO_64, x19, xzr, xzr
	mov	x25, x0
	call	PSCI_CPU_ON_64, x19, x21, x20
	mov	x26, x0
#ifdef PSCI_SMP_HANG
	wfi
	b	.
#endif
	bl	wait_cpu1_off
	mov	x27, x0
	say	msg_on_1, x24
	say	msg_aff1_now, x25
	say	msg_on_again, x26
	say	msg_aff1_now, x27
#ifdef PSCI_SMP_ALL_OFF
	psci	PSCI_CPU_OFF
	b	.
#endif

	/* Once more: CPU 1 starts from its reset state again, and powers the system off. */
	mov	x20, #0x5678
	call	PSCI_CPU_ON_64, x19, x21, x20
	mov	x24, x0
	bl	wait_cpu1_off
	say	msg_on_1, x24
	puts	msg_timeout
	psci	PSCI_SYSTEM_OFF
	b	.

/*
 * Wait, WFE by WFE, until AFFINITY_INFO(CPU 1) is OFF (x0 = 1) or WAIT_LOOPS rounds
 * passed (x0 = its last answer). Clobbers x0..x3, x22, x23.
 */
wait_cpu1_off:
	mov	x23, x30
	mov64	x22, WAIT_LOOPS
1:	wfe
	mov	x1, #1
	mov	x2, #0
	psci	PSCI_AFFINITY_INFO_64
	cmp	x0, #1
	b.eq	2f
	subs	x22, x22, #1
	b.ne	1b
2:	mov	x30, x23
	ret

/* CPU 1: EL2h, MMU off, x0 = context id. */
	.balign 4
secondary:
	mov	x19, x0
	say	msg_cpu1, x19
	mrs	x20, mpidr_el1
	say	msg_mpidr, x20
	mrs	x20, currentel
	say	msg_el, x20
	mrs	x20, sctlr_el2
	say	msg_sctlr, x20
	mrs	x20, ttbr0_el2
	say	msg_ttbr, x20
	/* A value the next power-up must not see. */
	mov64	x0, 0x40200000
	msr	ttbr0_el2, x0
	adr	x1, cpu1_runs
	ldr	w0, [x1]
	add	w0, w0, #1
	str	w0, [x1]
	dsb	sy
	mov	x20, x0
	say	msg_runs, x20
	mov	x0, #0x1234
	cmp	x19, x0
	b.ne	3f
#ifdef PSCI_SMP_HANG
	puts	msg_cpu1_spin
	b	.
#endif
	psci	PSCI_CPU_OFF
	b	.
3:	puts	msg_cpu1_off
	psci	PSCI_SYSTEM_OFF
	b	.

	.section .rodata
msg_boot:	.asciz	"psci-smp: CPU 0 at EL2\n"
msg_aff:	.asciz	"AFFINITY_INFO("
msg_is:		.asciz	") = "
msg_on_self:	.asciz	"CPU_ON(0) = "
msg_on_aff1:	.asciz	"CPU_ON(0x100) = "
msg_on_noram:	.asciz	"CPU_ON(1, entry 0x1000) = "
msg_on_1:	.asciz	"CPU_ON(1) = "
msg_aff1_now:	.asciz	"AFFINITY_INFO(1) = "
msg_on_again:	.asciz	"CPU_ON(1) again = "
msg_timeout:	.asciz	"psci-smp: CPU 1 never powered the system off\n"
msg_cpu1:	.asciz	"CPU 1 up, x0 = "
msg_mpidr:	.asciz	"  MPIDR_EL1 = "
msg_el:		.asciz	"  CurrentEL = "
msg_sctlr:	.asciz	"  SCTLR_EL2 = "
msg_ttbr:	.asciz	"  TTBR0_EL2 = "
msg_runs:	.asciz	"  runs = "
msg_cpu1_spin:	.asciz	"CPU 1: branch to self\n"
msg_cpu1_off:	.asciz	"CPU 1: SYSTEM_OFF\n"
msg_nl:		.asciz	"\n"

	.section .data
	.balign 8
cpu1_runs:	.quad	0
