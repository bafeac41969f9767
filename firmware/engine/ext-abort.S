/*
 * ext-abort.S - issue 14 defect 2: VAs inside RAM's PA window (0x4000_0000 +
 * 256 MiB) that the EL2 tables send elsewhere. VA 0x47e0_0000 reaches PA 0x0f00_0000,
 * where QEMU virt and hypsim have nothing: a load and a store there are precise
 * synchronous External aborts (DESIGN §2), reported with ESR and FAR, the destination
 * register untouched. VA 0x47c0_0000 reaches the UART's PA: its text must appear.
 */
#include "hypsim-fw.h"
#include "el2-mmu.h"

#define VA_NOTHING 0x47e00010
#define VA_UART 0x47c00000

	.section .text.boot, "ax"
	.global _start
	.type _start, %function
_start:
	puts	msg_boot
	adr	x0, el2_vectors
	msr	vbar_el2, x0
	l2_identity l2_table
	adr	x1, l2_table
	mov64	x0, (0x0f000000 | BLOCK_NORMAL)
	str	x0, [x1, #63 * 8]	/* VA 0x47e0_0000 -> PA 0x0f00_0000 */
	mov64	x0, (0x09000000 | BLOCK_DEVICE)
	str	x0, [x1, #62 * 8]	/* VA 0x47c0_0000 -> the UART */
	el2_mmu_on l1_table, l2_table

	puts	msg_load
	mov64	x19, VA_NOTHING
	mov	x20, #0x1234
	ldr	x20, [x19]
	puts	msg_after
	mov	x0, x20			/* untouched by the aborted load: 0x1234 */
	bl	fw_puthex
	puts	msg_nl
	puts	msg_store
	str	x20, [x19, #8]
	puts	msg_uart
	mov64	x19, VA_UART
	mov	w0, #'U'
	str	w0, [x19]
	mov	w0, #'\n'
	str	w0, [x19]
	puts	msg_done
	psci	PSCI_SYSTEM_OFF
	b	.
	.size _start, . - _start

	.type el2_abort, %function
/* Current EL with SP_ELx, synchronous: print ESR_EL2, FAR_EL2 and ELR_EL2, skip it.
 * ESR_EL2 is printed without ISS[24:14] (ISV, SAS, SSE, SRT, SF, AR): QEMU fills them in for
 * any data abort taken to EL2 (QEMU issue 1057), where the Arm ARM (ESR_EL2, ISS encoding
 * for a Data Abort, ISV) makes ISV 0 for every fault but some stage 2 aborts; hypsim gives
 * ISV = 0 (0x96000010 / 0x96000050, checked by tests/e2e-engine.sh). EC, IL, WnR and the
 * DFSC (0b010000, synchronous External abort) must agree. */
el2_abort:
	puts	msg_esr
	mrs	x0, esr_el2
	bic	x0, x0, #0x1ffc000
	bl	fw_puthex
	puts	msg_far
	mrs	x0, far_el2
	bl	fw_puthex
	puts	msg_elr
	mrs	x0, elr_el2
	bl	fw_puthex
	puts	msg_nl
	mrs	x0, elr_el2
	add	x0, x0, #4
	msr	elr_el2, x0
	eret
	.size el2_abort, . - el2_abort

	.type el2_unexpected, %function
el2_unexpected:
	puts	msg_unexpected
	psci	PSCI_SYSTEM_OFF
	.size el2_unexpected, . - el2_unexpected

	.balign 2048
el2_vectors:
	.rept 4
	b	el2_unexpected
	.balign 128
	.endr
	b	el2_abort		/* +0x200: current EL, SP_ELx, synchronous */
	.balign 128
	.rept 11
	b	el2_unexpected
	.balign 128
	.endr

	.section .rodata
msg_boot:	.asciz "ext-abort: EL2\n"
msg_load:	.asciz "ext-abort: load from a PA with nothing behind it\n"
msg_after:	.asciz "ext-abort: x20 after it: "
msg_store:	.asciz "ext-abort: store to it\n"
msg_uart:	.asciz "ext-abort: the UART through a VA in RAM's window: "
msg_done:	.asciz "ext-abort: done\n"
msg_esr:	.asciz "  abort: ESR_EL2="
msg_far:	.asciz " FAR_EL2="
msg_elr:	.asciz " ELR_EL2="
msg_nl:		.asciz "\n"
msg_unexpected:	.asciz "ext-abort: unexpected exception\n"

	.section .data
	.balign 4096
l1_table:	.space 4096
l2_table:	.space 4096
