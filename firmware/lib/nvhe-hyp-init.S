/*
 * nvhe-hyp-init.S - the EL2 side of arm64 KVM's single-step nVHE init (Linux
 * arch/arm64/kvm/hyp/nvhe/hyp-init.S), shared by hypsim's arm64-nvhe-init, stub-teardown
 * and pkvm-switch flows.
 *
 * __kvm_hyp_init (in .hyp.idmap.text, a page the host maps at VA == PA) is a vector table
 * whose only live entry takes the init HVC: x0 = HYP_FN_INIT, x1 = PA of the
 * struct hyp_init_params the host filled and cleaned to PoC. It reads them with the MMU
 * off, invalidates the EL2 TLB (entries from the boot loader or an earlier init must not
 * survive), enables the MMU from the identity page, and ERETs with SP_EL2 and VBAR_EL2 at
 * HYP VAs. __kvm_hyp_reset (module unload) turns the MMU off from the identity page and
 * puts the stub vectors back. The runtime vectors __kvm_hyp_vector (ordinary .text, run at
 * HYP VAs) pass HVC_RESET_VECTORS to it and every other call to the flow's hyp_handle_call.
 *
 * Buggy variant: NVHE_BUG_MMU_ON_NOT_IDMAP puts the MMU enable in ordinary .text (not
 * idmapped) and drops its ISB: missing-isb at __kvm_hyp_init_mmu_on.
 */
#include "hypsim-fw.h"
#include "hypsim-hyp.h"

/* The tail of the init: MMU on (x3 = SCTLR_EL2), SP = x4, VBAR_EL2 = x5, back to the host.
 * ERET synchronises the VBAR write (EOS is RES1). */
.macro hyp_init_mmu_on isb=1
	.global __kvm_hyp_init_mmu_on
__kvm_hyp_init_mmu_on:
	msr	sctlr_el2, x3
	.if \isb
	isb
	.endif
	mov	sp, x4
	msr	vbar_el2, x5
	mov	x0, #0
	eret
.endm

	.section .hyp.idmap.text, "ax"
	.balign 2048
	.global __kvm_hyp_init
__kvm_hyp_init:
	invalid_vector		/* current EL, SP0 */
	invalid_vector
	invalid_vector
	invalid_vector
	invalid_vector		/* current EL, SPx */
	invalid_vector
	invalid_vector
	invalid_vector
	.balign 0x80		/* lower EL, AArch64, synchronous */
	b	__do_hyp_init
	invalid_vector
	invalid_vector
	invalid_vector
	invalid_vector		/* lower EL, AArch32 */
	invalid_vector
	invalid_vector
	invalid_vector
	.balign 0x80

	.global __do_hyp_init
__do_hyp_init:
	mov64	x9, HYP_FN_INIT
	cmp	x0, x9
	b.ne	__kvm_handle_stub_hvc
	/* The parameters are read with the MMU off: Device-nGnRnE, from the PoC. */
	.global __kvm_hyp_init_load_params
__kvm_hyp_init_load_params:
	ldr	x2, [x1, #HIP_TCR]
	msr	tcr_el2, x2
	ldr	x2, [x1, #HIP_MAIR]
	msr	mair_el2, x2
	ldr	x2, [x1, #HIP_PGD]
	msr	ttbr0_el2, x2
	isb
	/* Invalidate the stale TLBs from the boot loader or a previous init (the MMU is off,
	 * so no walk can refill them), completed before the MMU goes on. */
	tlbi	alle2
	dsb	ish
	ldr	x3, [x1, #HIP_SCTLR]
	ldr	x4, [x1, #HIP_STACK]
	ldr	x5, [x1, #HIP_VECTORS]
#ifdef NVHE_BUG_MMU_ON_NOT_IDMAP
	b	__kvm_hyp_init_mmu_on
#else
	/* Executed at VA == PA: the fetches after the MSR give the same bytes whether the new
	 * SCTLR_EL2 is in force yet or not (DESIGN §3). */
	hyp_init_mmu_on
#endif

/* Stub calls while the init vectors are installed (as Linux's __kvm_handle_stub_hvc). */
__kvm_handle_stub_hvc:
	cmp	x0, #HVC_SET_VECTORS
	b.ne	1f
	msr	vbar_el2, x1
	mov	x0, #0
	eret
1:	mov64	x0, HVC_STUB_ERR
	eret

/* Module unload: MMU and caches off from the identity page, stub vectors back. The
 * MSR SCTLR_EL2 + ISB is safe here for the same reason as the enable. */
	.global __kvm_hyp_reset
__kvm_hyp_reset:
	mov64	x5, SCTLR_EL2_RES1
	msr	sctlr_el2, x5
	isb
	adr	x5, __hyp_stub_vectors
	msr	vbar_el2, x5
	mov	x0, #0
	eret

	.section .text
#ifdef NVHE_BUG_MMU_ON_NOT_IDMAP
	/* Not identity-mapped: after the MSR, the next fetch is at a PA that the new
	 * translation regime does not map, and no ISB says which regime fetches it. */
	hyp_init_mmu_on isb=0
#endif

/* ------------------------------------------- runtime vectors, at HYP VAs */
	.balign 2048
	.global __kvm_hyp_vector
__kvm_hyp_vector:
	vectors_lower_sync __kvm_hyp_host_hvc

/* Host hypercalls: x0 = function, x1..x3 = arguments; results in x0, x1. Clobbers x2..x17. */
	.global __kvm_hyp_host_hvc
__kvm_hyp_host_hvc:
	cmp	x0, #HVC_RESET_VECTORS
	b.eq	1f
	stp	x29, x30, [sp, #-16]!
	bl	hyp_handle_call
	ldp	x29, x30, [sp], #16
	eret
	/* To the identity page: PA = HYP VA - hyp_va_offset. */
1:	adrp	x5, hyp_va_offset
	ldr	x5, [x5, :lo12:hyp_va_offset]
	adrp	x6, __kvm_hyp_reset
	add	x6, x6, :lo12:__kvm_hyp_reset
	sub	x6, x6, x5
	br	x6

	.section .data
	.balign 64
/* HYP VA - PA for the image (kvm_compute_layout's result); written by the host. */
	.global hyp_va_offset
hyp_va_offset:
	.quad	0

	.section .bss
	.balign PAGE_SIZE
	.global hyp_stack
hyp_stack:
	.space PAGE_SIZE
	.global hyp_stack_end
hyp_stack_end:
