/*
 * storm.S - exception storms (DESIGN §2 guest hang): an exception handler that takes the
 * exception it handles again before returning, forever.
 *  - default: every vector entry is UDF, and the program runs one UDF: each entry of the
 *    EL2 synchronous vector is another Undefined Instruction exception at the vector.
 *  - -DSTORM_SP: the handler pushes its frame below SP_EL2, which points to a PA with
 *    nothing behind it: each round takes a data abort (External abort) at the same store,
 *    0x100 bytes lower each time (the fault address changes, the loop does not end).
 * `sim run` must end each as a hang at once (exit 3), not after one exception entry per
 * round until the budget.
 */
#include "hypsim-fw.h"

	.section .text.boot, "ax"
	.global _start
	.type _start, %function
_start:
	puts	msg
	adr	x0, storm_vectors
	msr	vbar_el2, x0
	isb
#ifdef STORM_SP
	mov	x0, #0x8000		/* no RAM and no device there */
	mov	sp, x0
#endif
trigger:
	udf	#1
	.size _start, . - _start

	.balign 2048
	.global storm_vectors
storm_vectors:
	.rept 16
#ifdef STORM_SP
	sub	sp, sp, #0x100
	stp	x0, x1, [sp]
	b	.
#else
	udf	#2
#endif
	.balign 128
	.endr

	.section .rodata
msg:	.asciz "storm: a handler that faults on itself\n"
