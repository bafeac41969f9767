/*
 * addr-size.S - issue 20 point 6: the PA size the guest reads is the one translation
 * obeys. ID_AA64MMFR0_EL1.PARange says 44 bits (the Cortex-A72, QEMU's and hypsim's);
 * TCR_EL2.PS = 0b101 asks for 48, which behaves as 44 (TCR_EL2.PS: a value above the
 * implemented size is treated as the implemented size; AArch64.PAMax()). So a 2 MiB block
 * whose output address is 2^44 gives a level 2 Address size fault (AArch64.OAOutOfRange,
 * DFSC 0b000010), and one at 2^44 - 2 MiB, in range with nothing behind it, an External
 * abort (DFSC 0b010000). Each through a VA in RAM's PA window (Unicorn walks it) and a VA
 * outside it (hypsim's walker decides, mmu.c), loads with the register kept. First, with
 * the MMU off, a load from PA 2^44: a level 0 Address size fault (AArch64.S1DisabledOutput:
 * a PA beyond the implemented size, DFSC 0b000000).
 */
#include "hypsim-fw.h"
#include "el2-mmu.h"

#define TCR_EL2_PS48 ((1 << 31) | (1 << 23) | (5 << 16) | (3 << 12) | 25)
#define OA_2_44 0x100000000000
#define VA_WIN_BIG 0x47e00010 /* l2 entry 63, inside RAM's PA window */
#define VA_WIN_TOP 0x47c00010 /* l2 entry 62 */
#define VA_OUT_BIG 0x7fe00010 /* l2 entry 511, outside it */
#define VA_OUT_TOP 0x7fc00010 /* l2 entry 510 */

/* ldr x20, [\va] with x20 = 0x1234 before it; print x20 after. */
.macro probe msg, va
	puts	\msg
	mov64	x19, \va
	mov	x20, #0x1234
	ldr	x20, [x19]
	puts	msg_after
	mov	x0, x20
	bl	fw_puthex
	puts	msg_nl
.endm

	.section .text.boot, "ax"
	.global _start
	.type _start, %function
_start:
	puts	msg_boot
	adr	x0, el2_vectors
	msr	vbar_el2, x0
	isb
	puts	msg_parange
	mrs	x0, id_aa64mmfr0_el1
	and	x0, x0, #0xf
	bl	fw_puthex
	puts	msg_nl
	probe	msg_off, (OA_2_44 + 0x10)
	l2_identity l2_table
	adr	x1, l2_table
	mov64	x0, (OA_2_44 | BLOCK_NORMAL)
	str	x0, [x1, #63 * 8]
	str	x0, [x1, #511 * 8]
	mov64	x0, ((OA_2_44 - 0x200000) | BLOCK_NORMAL)
	str	x0, [x1, #62 * 8]
	str	x0, [x1, #510 * 8]
	el2_mmu_on l1_table, l2_table, TCR_EL2_PS48

	probe	msg_win_big, VA_WIN_BIG
	probe	msg_win_top, VA_WIN_TOP
	probe	msg_out_big, VA_OUT_BIG
	probe	msg_out_top, VA_OUT_TOP
	puts	msg_done
	psci	PSCI_SYSTEM_OFF
	b	.
	.size _start, . - _start

	.type el2_abort, %function
/* Current EL with SP_ELx, synchronous: print ESR_EL2 (without ISS[24:14], where QEMU
 * differs: ext-abort.S), FAR_EL2 and ELR_EL2, skip the instruction. */
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
msg_boot:	.asciz "addr-size: EL2\n"
msg_parange:	.asciz "addr-size: ID_AA64MMFR0_EL1.PARange "
msg_off:	.asciz "addr-size: MMU off, PA 2^44\n"
msg_win_big:	.asciz "addr-size: TCR_EL2.PS 48 bits, OA 2^44, VA in RAM's window\n"
msg_win_top:	.asciz "addr-size: OA 2^44 - 2 MiB (nothing there), VA in RAM's window\n"
msg_out_big:	.asciz "addr-size: OA 2^44, VA outside RAM's window\n"
msg_out_top:	.asciz "addr-size: OA 2^44 - 2 MiB, VA outside RAM's window\n"
msg_after:	.asciz "addr-size: x20 after it: "
msg_done:	.asciz "addr-size: done\n"
msg_esr:	.asciz "  abort: ESR_EL2="
msg_far:	.asciz " FAR_EL2="
msg_elr:	.asciz " ELR_EL2="
msg_nl:		.asciz "\n"
msg_unexpected:	.asciz "addr-size: unexpected exception\n"

	.section .data
	.balign 4096
l1_table:	.space 4096
l2_table:	.space 4096
