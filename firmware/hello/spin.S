/*
 * spin.S - a guest that never finishes: `b .` after one line of output. hypsim must stop
 * it as a guest hang (exit 3) and name the PC and its symbol (DESIGN §2, §5).
 */
#include "hypsim-fw.h"

	.section .text.boot, "ax"
	.global _start
	.type _start, %function
_start:
	puts	msg
spin_forever:
	b	.
	.size _start, . - _start

	.section .rodata
msg:	.asciz "spin: about to branch to self\n"
