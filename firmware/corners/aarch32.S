/*
 * aarch32.S - an ERET from EL2 to AArch32 state, which hypsim does not model yet: `sim run`
 * must stop before the first AArch32 instruction (exit 3, one line "AArch32 state entered
 * at PC ...: not supported"), with an exact instruction count, instead of counting T16
 * blocks as size/4, decoding A32 as A64 or taking an A32 SMC as PSCI.
 *  - default: EL1 in A32 (HCR_EL2.RW = 0, SPSR_EL2 = Supervisor mode), an A32 SMC first;
 *  - -DTHUMB_EL0: EL0 in T32 (HCR_EL2.RW = 1, SPSR_EL2 = User mode with T), a T16 loop.
 * The AArch32 code is given as .inst/.hword: the assembler is an AArch64 one.
 */
#include "hypsim-fw.h"

	.section .text.boot, "ax"
	.global _start
	.type _start, %function
_start:
	puts	msg
#ifdef THUMB_EL0
	mov64	x0, HCR_RW
	msr	hcr_el2, x0
	mov	x0, #0x30		/* AArch32 User mode (M[4:0] = 0x10), T = 1 */
	adr	x1, t32_code
	orr	x1, x1, #1
#else
	msr	hcr_el2, xzr		/* RW = 0: EL1 is AArch32 */
	mov	x0, #0x1d3		/* AArch32 Supervisor mode, A32, AIF masked */
	adr	x1, a32_code
#endif
	msr	spsr_el2, x0
	msr	elr_el2, x1
	isb
aarch32_eret:
	eret
	.size _start, . - _start

	.balign 16
	.global a32_code
a32_code:
	.inst	0xe3a00008		/* mov r0, #8 (PSCI SYSTEM_OFF's low bits) */
	.inst	0xe1600070		/* smc #0 */
	.inst	0xeafffffe		/* b . */

	.balign 16
	.global t32_code
t32_code:
	.hword	0x3001			/* adds r0, #1 */
	.hword	0xe7fd			/* b t32_code */

	.section .rodata
msg:	.asciz "aarch32: ERET to AArch32\n"
