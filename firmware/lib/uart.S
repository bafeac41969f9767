/*
 * uart.S - PL011 output for hypsim firmware. Works at any EL, MMU on or off, as long as
 * the UART's PA (0x0900_0000) is reachable at the same VA (identity-mapped Device memory,
 * or MMU off). Only the data register is written: the simulator's and QEMU's PL011 never
 * report TX full.
 */
#include "hypsim-fw.h"

	.section .text
	.global fw_puts
	.type fw_puts, %function
/* fw_puts(x0 = NUL-terminated string). Clobbers x0, x1, x2. */
fw_puts:
	mov64	x1, UART_BASE
1:	ldrb	w2, [x0], #1
	cbz	w2, 2f
	str	w2, [x1, #UART_DR]
	b	1b
2:	ret
	.size fw_puts, . - fw_puts

	.global fw_puthex
	.type fw_puthex, %function
/* fw_puthex(x0 = value): print "0x" and 16 hex digits. Clobbers x0..x4. */
fw_puthex:
	mov64	x1, UART_BASE
	mov	w2, #'0'
	str	w2, [x1, #UART_DR]
	mov	w2, #'x'
	str	w2, [x1, #UART_DR]
	mov	x3, #60
3:	lsr	x4, x0, x3
	and	x4, x4, #0xf
	cmp	x4, #10
	add	x2, x4, #'0'
	add	x4, x4, #('a' - 10)
	csel	x2, x4, x2, hs
	str	w2, [x1, #UART_DR]
	subs	x3, x3, #4
	b.pl	3b
	ret
	.size fw_puthex, . - fw_puthex
