/*
 * dc-zva.S - issue 14 defect 3: a DC ZVA loop (memset's `dc zva; add; subs; b.gt`) over a
 * VA with no placeholder yet, whose range crosses into a second 2 MiB window of the alias
 * in the middle of the loop. Unicorn drops a helper's unmapped store without leaving the
 * block: the miss must restart at DC ZVA with the registers it had. The text holds the
 * bytes the loop counted (0x200), the OR of the words cleared (0; before the fix one block
 * at each miss kept its pattern in both modes: the checked run took DC ZVA as done with its
 * writes dropped, --no-check ran the rest of the loop's block a second time and skipped a
 * block) and the word after the range (kept). tests/e2e-engine.sh also compares the
 * instruction counts of both modes (3177 and 3167 before the fix).
 */
#include "hypsim-fw.h"
#include "el2-mmu.h"

#define PATTERN 0x1111111111111111

	.section .text.boot, "ax"
	.global _start
	.type _start, %function
_start:
	puts	msg_boot
	l2_identity l2_table
	el2_mmu_on l1_table, l2_table
	/* x3: a 2 MiB boundary inside `big`; the range is [x3 - 256, x3 + 256).
	 * fw_puthex clobbers x0-x4: x19 keeps the range. */
	adrp	x3, big
	add	x3, x3, :lo12:big
	mov	x0, #0x200000
	add	x3, x3, x0
	and	x3, x3, #~0x1fffff
	sub	x3, x3, #256
	mov64	x9, PATTERN
	mov	x0, x3
	mov	x2, #(512 + 8)
1:	str	x9, [x0], #8		/* through RAM's own VA: the range and one word after */
	subs	x2, x2, #8
	b.ne	1b
	mrs	x5, dczid_el0		/* the block size: 4 << BS bytes */
	and	x5, x5, #0xf
	mov	x4, #4
	lsl	x5, x4, x5
	mov64	x8, ALIAS_OFFSET
	add	x8, x8, x3		/* the alias: no placeholder yet */
	mov	x2, #512
	mov	x1, #0
	b	2f			/* a new block starts here */
2:	dc	zva, x8			/* misses at the start and at the 2 MiB boundary */
	add	x8, x8, x5
	add	x1, x1, x5
	subs	x2, x2, x5
	b.gt	2b
	mov	x19, x3			/* fw_puthex clobbers x0-x4 */
	mov	x0, x1
	bl	fw_puthex		/* the bytes counted: 0x200 */
	puts	msg_nl
	mov	x0, #0
	mov	x2, #512
3:	ldr	x7, [x19], #8
	orr	x0, x0, x7
	subs	x2, x2, #8
	b.ne	3b
	bl	fw_puthex		/* the words cleared: 0 */
	puts	msg_nl
	ldr	x0, [x19]
	bl	fw_puthex		/* the word after: the pattern */
	puts	msg_nl
	psci	PSCI_SYSTEM_OFF
	b	.
	.size _start, . - _start

	.section .rodata
msg_boot:	.asciz "dc-zva: EL2\n"
msg_nl:		.asciz "\n"

	.section .data
	.balign 4096
l1_table:	.space 4096
l2_table:	.space 4096

	.section .bss
	.balign 4096
big:	.space 0x200400
