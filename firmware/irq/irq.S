/*
 * irq.S - interrupt delivery on hypsim's machine, compared with QEMU (tests/meson.build,
 * suite 'kernel'): GICv2 SGIs a CPU sends itself (GICD_SGIR, target list filter "self"),
 * taken as IRQ exceptions by the routing and masking rules of Arm ARM D1.3.6:
 *   A. EL2, HCR_EL2.IMO = 1: masked by PSTATE.I at EL2 (the SGI stays pending), a WFI
 *      completes on it all the same (D1.6.2), MSR DAIFClr takes it at the next instruction
 *      (EL2 vector +0x280: current EL, SPx, IRQ).
 *   B. EL1, IMO = 0: the IRQ targets EL1, masked by PSTATE.I there, taken after DAIFClr
 *      at VBAR_EL1 + 0x280.
 *   C. EL1, IMO = 1: the IRQ targets EL2 and is taken from EL1 with PSTATE.I = 1 (a higher
 *      EL is not masked by the lower EL's PSTATE.I), at VBAR_EL2 + 0x480.
 *   D. EL2: the EL2 physical timer (CNTHP, PPI 26) armed 1000 ticks ahead; a WFI with
 *      PSTATE.I = 1 waits for it (hypsim: virtual time jumps to its deadline), DAIFClr takes
 *      it at EL2.
 *   E. EL1, IMO = 0: the virtual timer (CNTV, PPI 27), the same at EL1.
 * The timer handlers disable their timer (its output is a level) before the EOI.
 * Each handler prints the INTID from GICC_IAR, whether ELR is the instruction after the
 * unmasking (or the SGI's write, for C) and SPSR, then writes GICC_EOIR and returns.
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
#define SPSR_EL1H_DAIF 0x3c5

/* Send SGI \n to this CPU (GICD_SGIR: TargetListFilter 0b10, "the requesting CPU"). */
.macro sgi_self n
	mov64	x0, GICD_BASE
	mov64	x1, ((2 << 24) | \n)
	str	w1, [x0, #GICD_SGIR]
	dsb	sy
	isb
.endm

	.section .text.boot, "ax"
	.global _start
	.type _start, %function
_start:
	/* NZCV is UNKNOWN at reset: QEMU's reset reads Z = 1, hypsim's 0. Make it defined, as
	 * the SPSRs printed below include it. */
	msr	nzcv, xzr
	puts	msg_boot
	adr	x0, el2_vectors
	msr	vbar_el2, x0
	adr	x0, el1_vectors
	msr	vbar_el1, x0

	/* Distributor and CPU interface on, SGIs enabled, every priority unmasked. */
	mov64	x0, GICD_BASE
	mov	w1, #1
	str	w1, [x0, #GICD_CTLR]
	mov	w1, #0xffffffff
	str	w1, [x0, #GICD_ISENABLER]
	mov64	x0, GICC_BASE
	mov	w1, #0xf0
	str	w1, [x0, #GICC_PMR]
	mov	w1, #1
	str	w1, [x0, #GICC_CTLR]

	/* A: EL2, IMO = 1, PSTATE.I = 1 (the boot state). */
	mov64	x0, (HCR_RW | HCR_IMO)
	msr	hcr_el2, x0
	isb
	sgi_self 1
	puts	msg_a_masked
	wfi
	puts	msg_a_wfi
	adr	x19, a_after
	msr	daifclr, #2
a_after:
	puts	msg_a_back
	msr	daifset, #2

	/* D: the EL2 physical timer. */
	mov	x0, #1000
	msr	cnthp_tval_el2, x0
	mov	x0, #1
	msr	cnthp_ctl_el2, x0
	isb
	wfi
	puts	msg_d_wfi
	adr	x19, d_after
	msr	daifclr, #2
d_after:
	puts	msg_d_back
	msr	daifset, #2

	/* B: EL1, IMO = 0. */
	mov64	x0, HCR_RW
	msr	hcr_el2, x0
	mov64	x0, SCTLR_EL1_RES1
	msr	sctlr_el1, x0
	mov	x0, #SPSR_EL1H_DAIF
	msr	spsr_el2, x0
	adr	x0, el1_entry
	msr	elr_el2, x0
	isb
	eret
	.size _start, . - _start

	.type el1_entry, %function
el1_entry:
	puts	msg_b_el1
	sgi_self 2
	puts	msg_b_masked
	adr	x19, b_after
	msr	daifclr, #2
b_after:
	puts	msg_b_back
	msr	daifset, #2
	/* E: the virtual timer at EL1, IMO = 0. */
	mov	x0, #1000
	msr	cntv_tval_el0, x0
	mov	x0, #1
	msr	cntv_ctl_el0, x0
	isb
	wfi
	puts	msg_e_wfi
	adr	x19, e_after
	msr	daifclr, #2
e_after:
	puts	msg_e_back
	msr	daifset, #2
	/* C: ask EL2 for IMO = 1, then an SGI while PSTATE.I = 1 at EL1. */
	hvc	#1
	puts	msg_c_imo
	mov64	x0, GICD_BASE
	mov64	x1, ((2 << 24) | 3)
	adr	x19, c_after
	str	w1, [x0, #GICD_SGIR]
	/* Taken at a boundary after the write: QEMU and hypsim agree on this barrier. */
	dsb	sy
	isb
c_after:
	puts	msg_c_back
	hvc	#2
	b	.
	.size el1_entry, . - el1_entry

/* The IRQ handlers: x20 = the message. Print INTID, ELR check, SPSR; EOI; return. */
	.type irq_common, %function
irq_common:
	mov	x27, x30
	mov	x0, x20
	bl	fw_puts
	mov64	x0, GICC_BASE
	ldr	w21, [x0, #GICC_IAR]
	puts	msg_intid
	mov	x0, x21
	bl	fw_puthex
	puts	msg_elr
	mov	x0, x22
	cmp	x0, x19
	b.ne	1f
	puts	msg_ok
	b	2f
1:	bl	fw_puthex
2:	puts	msg_spsr
	mov	x0, x23
	bl	fw_puthex
	puts	msg_nl
	/* A timer's output stays high until the timer is disabled. */
	and	w0, w21, #0x3ff
	cmp	w0, #26
	b.ne	3f
	msr	cnthp_ctl_el2, xzr
3:	cmp	w0, #27
	b.ne	4f
	msr	cntv_ctl_el0, xzr
4:	isb
	mov64	x0, GICC_BASE
	str	w21, [x0, #GICC_EOIR]
	mov	x30, x27
	ret
	.size irq_common, . - irq_common

	.type irq_el2_cur, %function
irq_el2_cur:
	mov	x26, x30
	adr	x20, msg_irq_el2_cur
	mrs	x22, elr_el2
	mrs	x23, spsr_el2
	bl	irq_common
	mov	x30, x26
	eret
	.size irq_el2_cur, . - irq_el2_cur

	.type irq_el2_lower, %function
irq_el2_lower:
	mov	x26, x30
	adr	x20, msg_irq_el2_lower
	/* The SGI's write may retire before the IRQ is taken: any of the three
	 * instructions after it is accepted (printed as ok when ELR is at or after it). */
	mrs	x22, elr_el2
	sub	x0, x22, x19
	cmp	x0, #12
	csel	x22, x19, x22, ls
	mrs	x23, spsr_el2
	bl	irq_common
	mov	x30, x26
	eret
	.size irq_el2_lower, . - irq_el2_lower

	.type irq_el1_cur, %function
irq_el1_cur:
	mov	x26, x30
	adr	x20, msg_irq_el1_cur
	mrs	x22, elr_el1
	mrs	x23, spsr_el1
	bl	irq_common
	mov	x30, x26
	eret
	.size irq_el1_cur, . - irq_el1_cur

	.type hvc_el2, %function
hvc_el2:
	mrs	x0, esr_el2
	and	x0, x0, #0xffff
	cmp	x0, #1
	b.ne	1f
	mrs	x0, hcr_el2
	orr	x0, x0, #HCR_IMO
	msr	hcr_el2, x0
	isb
	eret
1:	puts	msg_done
	psci	PSCI_SYSTEM_OFF
	b	.
	.size hvc_el2, . - hvc_el2

	.type unexpected, %function
unexpected:
	puts	msg_unexpected
	mrs	x0, CurrentEL
	bl	fw_puthex
	puts	msg_nl
	psci	PSCI_SYSTEM_OFF
	b	.
	.size unexpected, . - unexpected

	.balign 2048
el2_vectors:
	.rept 5
	b	unexpected
	.balign 128
	.endr
	b	irq_el2_cur		/* +0x280: current EL, SPx, IRQ */
	.balign 128
	.rept 2
	b	unexpected
	.balign 128
	.endr
	b	hvc_el2			/* +0x400: lower EL AArch64, synchronous */
	.balign 128
	b	irq_el2_lower		/* +0x480: lower EL AArch64, IRQ */
	.balign 128
	.rept 6
	b	unexpected
	.balign 128
	.endr

	.balign 2048
el1_vectors:
	.rept 5
	b	unexpected
	.balign 128
	.endr
	b	irq_el1_cur		/* +0x280 */
	.balign 128
	.rept 10
	b	unexpected
	.balign 128
	.endr

	.section .rodata
msg_boot:		.asciz "irq: EL2, GICv2 on\n"
msg_a_masked:		.asciz "irq: A: SGI 1 pending, PSTATE.I masks it at EL2\n"
msg_a_wfi:		.asciz "irq: A: WFI completed\n"
msg_a_back:		.asciz "irq: A: back after DAIFClr\n"
msg_d_wfi:		.asciz "irq: D: WFI completed on the EL2 timer\n"
msg_d_back:		.asciz "irq: D: back after DAIFClr\n"
msg_e_wfi:		.asciz "irq: E: WFI completed on the virtual timer\n"
msg_e_back:		.asciz "irq: E: back after DAIFClr\n"
msg_b_el1:		.asciz "irq: B: EL1, IMO=0\n"
msg_b_masked:		.asciz "irq: B: SGI 2 pending, PSTATE.I masks it at EL1\n"
msg_b_back:		.asciz "irq: B: back after DAIFClr\n"
msg_c_imo:		.asciz "irq: C: EL1, IMO=1, PSTATE.I=1\n"
msg_c_back:		.asciz "irq: C: back at EL1\n"
msg_irq_el2_cur:	.asciz "irq: IRQ at EL2 from EL2"
msg_irq_el2_lower:	.asciz "irq: IRQ at EL2 from EL1"
msg_irq_el1_cur:	.asciz "irq: IRQ at EL1 from EL1"
msg_intid:		.asciz ": IAR "
msg_elr:		.asciz ", ELR "
msg_ok:			.asciz "ok"
msg_spsr:		.asciz ", SPSR "
msg_nl:			.asciz "\n"
msg_done:		.asciz "irq: done\n"
msg_unexpected:		.asciz "irq: unexpected exception, CurrentEL "
