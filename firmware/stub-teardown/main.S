/*
 * stub-teardown - KVM module unload and reload on arm64 nVHE (Linux's
 * cpu_hyp_reset / __kvm_hyp_reset, then cpu_init_hyp_mode again): install the hyp from the
 * stub, make a hypercall, tear the hyp down with HVC_RESET_VECTORS (EL2 MMU off from the
 * identity page, stub vectors back), then install it again on the same tables and
 * parameters and make the hypercall once more.
 *
 * What keeps the reload clean: the init invalidates the EL2 TLB before enabling the MMU
 * (the first run's entries are still there), and the parameters it reads with the MMU off
 * were cleaned to PoC and not written since.
 */
#include "hypsim-fw.h"
#include "hypsim-hyp.h"

.macro call_hyp
	mov64	x0, HYP_FN_ANSWER
	mov	x1, #0x2a
	hvc	#0
	mov	x19, x0
	puts	msg_answer
	mov	x0, x19
	bl	fw_puthex
	puts	msg_nl
.endm

	.section .text.boot, "ax"
	.global _start
_start:
	bl	fw_el2_to_el1
	adrp	x0, host_stack_end
	mov	sp, x0
	bl	fw_el1_mmu_on
	puts	msg_hello
	bl	fw_nvhe_host_init
	cbnz	x0, fail
	puts	msg_up
	call_hyp

	/* Unload: the hyp turns its MMU off and gives EL2 back to the stub. */
	mov	x0, #HVC_RESET_VECTORS
	hvc	#0
	cbnz	x0, fail
	/* The stub answers again: an unknown call returns HVC_STUB_ERR. */
	mov	x0, #1
	hvc	#0
	mov64	x1, HVC_STUB_ERR
	cmp	x0, x1
	b.ne	fail
	puts	msg_down

	/* Reload. */
	bl	fw_nvhe_install
	cbnz	x0, fail
	puts	msg_again
	call_hyp
	puts	msg_bye
	psci	PSCI_SYSTEM_OFF
	b	.
fail:
	puts	msg_fail
	psci	PSCI_SYSTEM_OFF
	b	.

	.section .text
/* hyp_handle_call (EL2, HYP VA): HYP_FN_ANSWER(x1) = hyp_seed + x1 + the number of calls
 * so far (hyp data that survives the reload). */
	.global hyp_handle_call
hyp_handle_call:
	mov64	x9, HYP_FN_ANSWER
	cmp	x0, x9
	b.ne	1f
	adrp	x9, hyp_calls
	add	x9, x9, :lo12:hyp_calls
	ldr	x10, [x9]
	add	x11, x10, #1
	str	x11, [x9]
	mov64	x11, 0x7374756200000000
	add	x0, x11, x1
	add	x0, x0, x10, lsl #8
	ret
1:	mov64	x0, HVC_STUB_ERR
	ret

	.section .rodata
msg_hello:	.asciz	"stub-teardown: host at EL1, MMU and caches on\n"
msg_up:		.asciz	"HYP initialised\n"
msg_answer:	.asciz	"hypercall returned "
msg_down:	.asciz	"HYP torn down, stub vectors back\n"
msg_again:	.asciz	"HYP initialised again\n"
msg_fail:	.asciz	"stub-teardown: FAILED\n"
msg_bye:	.asciz	"stub-teardown: done\n"
msg_nl:		.asciz	"\n"

	.section .data
	.balign 64
hyp_calls:
	.quad	0

	.section .bss
	.balign PAGE_SIZE
host_stack:
	.space 4 * PAGE_SIZE
host_stack_end:
