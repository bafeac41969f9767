/*
 * smc-stale.S - issue 14 defect 9: a store over a later instruction of the block that
 * runs, with no cache maintenance. Unicorn (like QEMU, no precise self-modifying code on
 * Arm) runs the bytes it translated: `mov x2, #1`. The trace and the model must record
 * that encoding, not the `mov x2, #2` memory holds by then.
 */
#include "hypsim-fw.h"

	.section .text.boot, "ax"
	.global _start
	.type _start, %function
_start:
	puts	msg_boot
	adr	x0, patched
	ldr	w1, new_insn
	mov	x2, #0
	str	w1, [x0]
	.global patched
patched:
	mov	x2, #1			/* replaced in memory by `mov x2, #2` */
	mov	x0, x2
	bl	fw_puthex
	puts	msg_nl
	psci	PSCI_SYSTEM_OFF
	b	.
	.size _start, . - _start
	.balign 4
new_insn:
	mov	x2, #2

	.section .rodata
msg_boot:	.asciz "smc-stale: x2="
msg_nl:		.asciz "\n"
