/*
 * entry-base.S - issue 14 defect 4: the entry point is the RAM base itself (0x4000_0000).
 */
#include "hypsim-fw.h"

	.section .text.boot, "ax"
	.global _start
	.type _start, %function
_start:
	puts	msg_boot
	psci	PSCI_SYSTEM_OFF
	b	.
	.size _start, . - _start

	.section .rodata
msg_boot:	.asciz "entry-base: first instruction at the RAM base ran\n"
