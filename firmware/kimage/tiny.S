/*
 * tiny.S - the smallest arm64 "Image" (Documentation/arm64/booting.rst §4: the 64-byte
 * header, code0 branching past it) for the tests of `sim run --kernel` (tests/e2e-kernel-
 * options.sh). It checks the boot registers a boot loader must set: x0 = the PA of a
 * device tree (its first word is the FDT magic 0xd00dfeed, big-endian), x1..x3 = 0; prints
 * the result and calls PSCI SYSTEM_OFF, or SYSTEM_RESET when built with -DTINY_RESET (for
 * --no-reboot). Linked at a kernel VA (tiny.ld) and position independent: the loader may put it anywhere.
 */
#include "hypsim-fw.h"

	.section .text.boot, "ax"
	.global _text
_text:
	b	tiny_start		/* code0 */
	.long	0			/* code1 */
	.quad	0			/* text_offset */
	.quad	_end - _text		/* image_size */
	.quad	0xa			/* flags: little-endian, 4K pages, anywhere in PA */
	.quad	0, 0, 0			/* res2..res4 */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* res5 (PE header offset) */

	.global tiny_start
	.type tiny_start, %function
tiny_start:
	orr	x4, x1, x2
	orr	x4, x4, x3
	cbnz	x4, tiny_bad
	ldr	w1, [x0]
	mov64	x2, 0xedfe0dd0		/* 0xd00dfeed read little-endian */
	cmp	w1, w2
	b.ne	tiny_bad
	puts	msg_ok
#ifdef TINY_RESET
	psci	PSCI_SYSTEM_RESET
#else
	psci	PSCI_SYSTEM_OFF
#endif
	b	.
	.size tiny_start, . - tiny_start

	.global tiny_bad
	.type tiny_bad, %function
tiny_bad:
	puts	msg_bad
tiny_spin:
	b	tiny_spin
	.size tiny_bad, . - tiny_bad

	.section .rodata
msg_ok:		.asciz "tiny: x0 = DTB, x1..x3 = 0\n"
msg_bad:	.asciz "tiny: bad boot registers\n"
