/*
 * irq-smp.S - a CPU waiting in WFI woken by another CPU's SGI (`sim run --cpus 2`; QEMU
 * -smp 2 prints the same). CPU 0 enables the distributor and powers CPU 1 up (PSCI CPU_ON);
 * CPU 1 enables its CPU interface, routes IRQs to EL2 (HCR_EL2.IMO) and waits in WFI with
 * PSTATE.I = 1. CPU 0 sends SGI 5 to CPU 1 (GICD_SGIR, target list CPU 1): CPU 1's WFI
 * completes (D1.6.2), it unmasks and takes the IRQ (IAR: SGI 5 from CPU 0), EOIs it, says
 * so and powers itself off; CPU 0, which polled, powers the system off.
 * Every access is made with the MMU off (Device memory): the flags are shared coherently.
 */
#include "hypsim-fw.h"

#define GICD_BASE      0x08000000
#define GICC_BASE      0x08010000
#define GICD_CTLR      0x000
#define GICD_ISENABLER 0x100
#define GICD_SGIR      0xf00
#define GICC_CTLR      0x000
#define GICC_PMR       0x004
#define GICC_IAR       0x00c
#define GICC_EOIR      0x010
#define HCR_IMO        (1 << 4)

	.section .text.boot, "ax"
	.global _start
	.type _start, %function
_start:
	msr	nzcv, xzr
	puts	msg_boot
	mov64	x0, GICD_BASE
	mov	w1, #1
	str	w1, [x0, #GICD_CTLR]
	/* CPU_ON(MPIDR 1, secondary, 0). */
	mov	x1, #1
	adr	x2, secondary
	mov	x3, #0
	psci	PSCI_CPU_ON_64
	/* Wait for CPU 1 to wait. */
	adr	x19, cpu1_ready
1:	ldr	w0, [x19]
	cbz	w0, 1b
	/* SGI 5 to CPU 1: TargetListFilter 0 (the list), CPUTargetList bit 1 (CPU 1). */
	mov64	x0, GICD_BASE
	mov64	x1, ((2 << 16) | 5)
	str	w1, [x0, #GICD_SGIR]
	adr	x19, cpu1_done
2:	ldr	w0, [x19]
	cbz	w0, 2b
	puts	msg_done
	psci	PSCI_SYSTEM_OFF
	b	.
	.size _start, . - _start

	.type secondary, %function
secondary:
	msr	nzcv, xzr
	adr	x0, el2_vectors
	msr	vbar_el2, x0
	mov64	x0, GICD_BASE
	mov	w1, #0xffff
	str	w1, [x0, #GICD_ISENABLER]	/* banked: CPU 1's SGIs */
	mov64	x0, GICC_BASE
	mov	w1, #0xf0
	str	w1, [x0, #GICC_PMR]
	mov	w1, #1
	str	w1, [x0, #GICC_CTLR]
	mov64	x0, (HCR_RW | HCR_IMO)
	msr	hcr_el2, x0
	isb
	puts	msg_cpu1
	adr	x0, cpu1_ready
	mov	w1, #1
	str	w1, [x0]
	dsb	sy
	wfi
	puts	msg_woke
	adr	x19, cpu1_after
	msr	daifclr, #2
cpu1_after:
	msr	daifset, #2
	adr	x0, cpu1_done
	mov	w1, #1
	str	w1, [x0]
	dsb	sy
	psci	PSCI_CPU_OFF
	b	.
	.size secondary, . - secondary

	.type irq_el2, %function
irq_el2:
	mov	x26, x30
	mov64	x0, GICC_BASE
	ldr	w21, [x0, #GICC_IAR]
	puts	msg_irq
	mov	x0, x21
	bl	fw_puthex
	puts	msg_elr
	mrs	x0, elr_el2
	cmp	x0, x19
	b.ne	1f
	puts	msg_ok
	b	2f
1:	bl	fw_puthex
2:	puts	msg_nl
	mov64	x0, GICC_BASE
	str	w21, [x0, #GICC_EOIR]
	mov	x30, x26
	eret
	.size irq_el2, . - irq_el2

	.type unexpected, %function
unexpected:
	puts	msg_unexpected
	psci	PSCI_SYSTEM_OFF
	b	.
	.size unexpected, . - unexpected

	.balign 2048
el2_vectors:
	.rept 5
	b	unexpected
	.balign 128
	.endr
	b	irq_el2			/* +0x280: current EL, SPx, IRQ */
	.balign 128
	.rept 10
	b	unexpected
	.balign 128
	.endr

	.section .rodata
msg_boot:	.asciz "irq-smp: CPU 0 powers CPU 1 up\n"
msg_cpu1:	.asciz "irq-smp: CPU 1 waits in WFI, PSTATE.I = 1\n"
msg_woke:	.asciz "irq-smp: CPU 1 woke\n"
msg_irq:	.asciz "irq-smp: CPU 1 IRQ at EL2: IAR "
msg_elr:	.asciz ", ELR "
msg_ok:		.asciz "ok"
msg_nl:		.asciz "\n"
msg_done:	.asciz "irq-smp: CPU 0 saw CPU 1 done\n"
msg_unexpected:	.asciz "irq-smp: unexpected exception\n"

	.section .data
	.balign 8
cpu1_ready:	.word 0
cpu1_done:	.word 0
