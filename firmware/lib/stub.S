/*
 * stub.S - the EL2 stub every hypsim hypervisor flow starts from, and the drop to EL1.
 *
 * Like Linux's arch/arm64/kernel/hyp-stub.S, the boot CPU leaves a minimal vector table at
 * EL2 before entering the "kernel" at EL1, so that the kernel can later install a real
 * hypervisor: HVC_SET_VECTORS (x0 = 0, x1 = new VBAR_EL2) is the one call it answers.
 * Every other call returns HVC_STUB_ERR. The stub uses no stack and no memory.
 */
#include "hypsim-fw.h"
#include "hypsim-hyp.h"

	.section .text
	.balign 2048
	.global __hyp_stub_vectors
__hyp_stub_vectors:
	vectors_lower_sync __hyp_stub_sync

	.global __hyp_stub_sync
__hyp_stub_sync:
	cmp	x0, #HVC_SET_VECTORS
	b.ne	1f
	/* ERET is a context synchronization event (SCTLR_EL2.EOS is RES1 without FEAT_ExS),
	 * so the new VBAR_EL2 is in force for the next exception without an ISB. */
	msr	vbar_el2, x1
	mov	x0, #0
	eret
1:	mov64	x0, HVC_STUB_ERR
	eret

/*
 * fw_el2_to_el1: called at EL2 straight from the reset entry; returns to the caller's x30 at
 * EL1h with the stub installed, HCR_EL2.RW set (EL1 is AArch64) and EL1's MMU and caches off.
 * Clobbers x0.
 */
	.global fw_el2_to_el1
	.type fw_el2_to_el1, %function
fw_el2_to_el1:
	adr	x0, __hyp_stub_vectors
	msr	vbar_el2, x0
	mov	x0, #HCR_RW
	msr	hcr_el2, x0
	mov64	x0, SCTLR_EL1_RES1
	msr	sctlr_el1, x0
	mov	x0, #0x3c5		/* EL1h, D, A, I, F masked */
	msr	spsr_el2, x0
	msr	elr_el2, x30
	eret
	.size fw_el2_to_el1, . - fw_el2_to_el1
