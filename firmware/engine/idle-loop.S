/*
 * idle-loop.S - guests that wait forever in a loop of several translation blocks
 * (DESIGN §2 guest hang: "WFI/WFE with nothing to wake it"). Unicorn ends a block after
 * each WFE and YIELD, so `1: wfe; b 1b` is two blocks; built with -DLONG_LOOP the loop is
 * three (`nop; wfe`, `nop; yield`, `b`). No interrupt source exists and DAIF stays masked
 * (the boot convention): `sim run` must end each as a hang (exit 3) naming the loop.
 */
#include "hypsim-fw.h"

	.section .text.boot, "ax"
	.global _start
	.type _start, %function
_start:
	puts	msg
	b	wait_loop
	.size _start, . - _start

	.type wait_loop, %function
wait_loop:
#ifdef LONG_LOOP
1:	nop
	wfe
	nop
	yield
	b	1b
#else
1:	wfe
	b	1b
#endif
	.size wait_loop, . - wait_loop

	.section .rodata
msg:	.asciz "idle-loop: waiting for an event that never comes\n"
