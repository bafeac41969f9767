/*
 * arm64-nvhe-init - arm64 KVM's single-step nVHE init (Linux arch/arm64/kvm/arm.c
 * cpu_init_hyp_mode + hyp/nvhe/hyp-init.S) with the HYP VA range chosen against the idmap's
 * PA (kvm_compute_layout). Built for VA_BITS 48 and 39 and linked with RAM below and above
 * 2^(VA_BITS-1) (FW_LINK_BASE), so both choices of the HYP half are exercised.
 *
 * The host (EL1, MMU and caches on) builds the hyp table and parameters (lib/nvhe-host.S),
 * installs the hyp (lib/nvhe-hyp-init.S), then makes one hypercall that reads hyp data at a
 * HYP VA and prints the VA and the value.
 *
 * Buggy variants: NVHE_BUG_NO_PARAMS_CLEAN (data-not-at-poc), NVHE_BUG_MMU_ON_NOT_IDMAP
 * (missing-isb); see docs/firmware.md.
 */
#include "hypsim-fw.h"
#include "hypsim-hyp.h"

#ifndef VA_BITS
#define VA_BITS 48
#endif

	.section .text.boot, "ax"
	.global _start
_start:
	bl	fw_el2_to_el1
	adrp	x0, host_stack_end
	mov	sp, x0
	bl	fw_el1_mmu_on
	puts	msg_hello
	adrp	x0, hyp_seed
	mov64	x1, 0x6e76686500000000
	str	x1, [x0, :lo12:hyp_seed]
	bl	fw_nvhe_host_init
	cbnz	x0, fail
	puts	msg_idmap
	adrp	x0, __hyp_idmap_text_start
	bl	fw_puthex
	puts	msg_half
	adrp	x0, hyp_va_offset
	ldr	x0, [x0, :lo12:hyp_va_offset]
	adrp	x1, __image_start
	add	x0, x0, x1
	mov	x1, #1
	lsl	x1, x1, #(VA_BITS - 1)
	tst	x0, x1
	adr	x0, msg_high
	adr	x1, msg_low
	csel	x0, x1, x0, eq
	bl	fw_puts
	puts	msg_up
	mov64	x0, HYP_FN_ANSWER
	mov	x1, #0x2a
	hvc	#0
	mov	x19, x0
	mov	x20, x1
	puts	msg_va
	mov	x0, x20
	bl	fw_puthex
	puts	msg_answer
	mov	x0, x19
	bl	fw_puthex
	puts	msg_nl
	puts	msg_bye
	psci	PSCI_SYSTEM_OFF
	b	.
fail:
	puts	msg_fail
	psci	PSCI_SYSTEM_OFF
	b	.

	.section .text
/* hyp_handle_call (EL2, HYP VA): HYP_FN_ANSWER(x1) returns x0 = hyp_seed + x1 and x1 = the
 * HYP VA of hyp_seed. */
	.global hyp_handle_call
hyp_handle_call:
	mov64	x9, HYP_FN_ANSWER
	cmp	x0, x9
	b.ne	1f
	adrp	x9, hyp_seed
	add	x9, x9, :lo12:hyp_seed
	ldr	x10, [x9]
	add	x0, x10, x1
	mov	x1, x9
	ret
1:	mov64	x0, HVC_STUB_ERR
	ret

	.section .rodata
#if VA_BITS == 48
msg_hello:	.asciz	"arm64-nvhe-init (VA_BITS 48): host at EL1, MMU and caches on\n"
#else
msg_hello:	.asciz	"arm64-nvhe-init (VA_BITS 39): host at EL1, MMU and caches on\n"
#endif
msg_idmap:	.asciz	"idmap PA "
msg_half:	.asciz	", HYP VAs in the "
msg_high:	.asciz	"high half\n"
msg_low:	.asciz	"low half\n"
msg_up:		.asciz	"HYP initialised from the idmap\n"
msg_va:		.asciz	"hypercall read HYP VA "
msg_answer:	.asciz	", returned "
msg_fail:	.asciz	"arm64-nvhe-init: FAILED\n"
msg_bye:	.asciz	"arm64-nvhe-init: done\n"
msg_nl:		.asciz	"\n"

	.section .data
	.balign 64
hyp_seed:
	.quad	0

	.section .bss
	.balign PAGE_SIZE
host_stack:
	.space 4 * PAGE_SIZE
host_stack_end:
