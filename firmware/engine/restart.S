/*
 * restart.S - issue 14 defect 3: a load and a store that miss hypsim's placeholder map
 * in the middle of a block, after `add x1, x1, #1`. The access is restarted at its own
 * instruction: x1 must be 1, not 2, in checked and --no-check runs alike.
 */
#include "hypsim-fw.h"
#include "el2-mmu.h"

	.section .text.boot, "ax"
	.global _start
	.type _start, %function
_start:
	puts	msg_boot
	l2_identity l2_table
	el2_mmu_on l1_table, l2_table
	mov64	x5, ALIAS_OFFSET
	adr	x3, data_word
	add	x3, x3, x5		/* the alias: no placeholder yet */
	adrp	x6, data_far
	add	x6, x6, :lo12:data_far
	add	x6, x6, x5		/* another 2 MiB window of the alias */
	mov	x1, #0
	b	1f			/* a new block starts here */
1:	add	x1, x1, #1
	ldr	x2, [x3]		/* misses: restarted here, not at the block's start */
	add	x1, x1, #1
	str	x1, [x6]		/* misses again */
	add	x1, x1, x2
	mov	x0, x1
	bl	fw_puthex		/* 2 + 0x40 */
	puts	msg_nl
	adrp	x0, data_far
	add	x0, x0, :lo12:data_far
	ldr	x0, [x0]		/* the store reached RAM: 2 */
	bl	fw_puthex
	puts	msg_nl
	psci	PSCI_SYSTEM_OFF
	b	.
	.size _start, . - _start

	.section .rodata
msg_boot:	.asciz "restart: EL2\n"
msg_nl:		.asciz "\n"

	.section .data
	.balign 4096
l1_table:	.space 4096
l2_table:	.space 4096
data_word:	.quad 0x40

	.section .bss
	.balign 4096
	.space 0x200000
data_far:	.space 8
