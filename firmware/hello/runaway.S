/*
 * runaway.S - a guest that runs forever without hanging: a counting loop, which is not a
 * branch to self, so only --max-insns or a signal ends it. hypsim's tests use it for the
 * instruction budget on a busy guest and for SIGINT/SIGTERM ending a run with its trace
 * flushed (issue #6, "never lose a trace").
 */
#include "hypsim-fw.h"

	.section .text.boot, "ax"
	.global _start
	.type _start, %function
_start:
	puts	msg
	mov	x3, #0
count_forever:
	add	x3, x3, #1
	b	count_forever
	.size _start, . - _start

	.section .rodata
msg:	.asciz "runaway: counting forever\n"
