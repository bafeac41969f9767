/*
 * nvhe-host.S - the EL1 host side of arm64 KVM's nVHE init, for hypsim's arm64-nvhe-init,
 * stub-teardown and pkvm-switch flows: choose the HYP VA range (kvm_compute_layout in
 * arch/arm64/kvm/va_layout.c), build the hyp's stage-1 table with every write cleaned to
 * PoC, fill struct hyp_init_params and clean it (cpu_prepare_hyp_mode), then install the
 * hyp with the stub HVC and the init HVC (cpu_init_hyp_mode).
 *
 * HYP VA choice: the hyp's single TTBR0_EL2 range holds the identity page too, so HYP VAs
 * take the half of the VA_BITS space the idmap PA is not in: if the idmap PA has bit
 * VA_BITS-1 set, HYP VA = PA with that bit cleared, otherwise with it set. (Linux also
 * inserts random tag bits below; hypsim keeps the offset linear, tag 0.)
 *
 * Buggy variant: NVHE_BUG_NO_PARAMS_CLEAN leaves the parameters dirty in the cache, where
 * EL2's MMU-off reads cannot see them: data-not-at-poc at __kvm_hyp_init_load_params.
 */
#include "hypsim-fw.h"
#include "hypsim-hyp.h"

#ifndef VA_BITS
#define VA_BITS 48
#endif
#if VA_BITS == 48
#define START_LEVEL 0
#elif VA_BITS == 39
#define START_LEVEL 1
#else
#error "VA_BITS must be 48 or 39"
#endif
#define POOL_PAGES 16

	.section .text
/*
 * fw_nvhe_host_init: at EL1 with the MMU on. Returns x0 = 0 when the hyp is installed
 * (running at HYP VAs), nonzero otherwise. Clobbers x0..x17.
 */
	.global fw_nvhe_host_init
	.type fw_nvhe_host_init, %function
fw_nvhe_host_init:
	stp	x29, x30, [sp, #-48]!
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]

	/* kvm_compute_layout: the half of the VA space opposite the idmap's. */
	adrp	x19, __hyp_idmap_text_start
	mov	x1, #1
	lsl	x1, x1, #(VA_BITS - 1)
	and	x2, x19, x1
	eor	x2, x2, x1		/* hyp_va_msb */
	sub	x3, x1, #1
	adrp	x4, __image_start
	and	x5, x4, x3
	orr	x5, x5, x2		/* HYP VA of the image */
	sub	x20, x5, x4		/* hyp_va_offset */
	adrp	x0, hyp_va_offset
	add	x0, x0, :lo12:hyp_va_offset
	str	x20, [x0]
	mov	x1, #8
	bl	fw_dcache_clean_poc

	/* The hyp's table: the idmap page at VA == PA, the whole image at HYP VAs. */
	adrp	x0, nvhe_pt
	add	x0, x0, :lo12:nvhe_pt
	adrp	x1, nvhe_pt_pool
	mov	x2, #(POOL_PAGES * PAGE_SIZE)
	mov	x3, #0
	mov	x4, #START_LEVEL
	bl	fw_pt_init
	cmn	x0, #1
	b.eq	9f
	mov	x21, x0
	adrp	x0, nvhe_pt
	add	x0, x0, :lo12:nvhe_pt
	mov	x1, x19
	mov	x2, x19
	adrp	x3, __hyp_idmap_text_end
	sub	x3, x3, x19
	mov64	x4, HYP_PAGE_ATTRS
	bl	fw_pt_map
	cbnz	x0, 9f
	adrp	x0, nvhe_pt
	add	x0, x0, :lo12:nvhe_pt
	adrp	x2, __image_start
	add	x1, x2, x20
	adrp	x3, __image_end
	sub	x3, x3, x2
	mov64	x4, HYP_PAGE_ATTRS
	bl	fw_pt_map
	cbnz	x0, 9f

	/* struct hyp_init_params, written through the cache, read by EL2 with its MMU off. */
	adrp	x22, nvhe_init_params
	add	x22, x22, :lo12:nvhe_init_params
	mrs	x1, id_aa64mmfr0_el1
	and	x1, x1, #0xf
	cmp	x1, #5
	mov	x2, #5
	csel	x1, x1, x2, ls
	mov64	x0, (TCR_EL2_RES1 | TCR_T0SZ(VA_BITS) | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA | TCR_SH0_INNER | TCR_TG0_4K)
	orr	x0, x0, x1, lsl #TCR_EL2_PS_SHIFT
	str	x0, [x22, #HIP_TCR]
	mov64	x0, MAIR_VALUE
	str	x0, [x22, #HIP_MAIR]
	str	x21, [x22, #HIP_PGD]
	adrp	x0, hyp_stack_end
	add	x0, x0, x20
	str	x0, [x22, #HIP_STACK]
	adrp	x0, __kvm_hyp_vector
	add	x0, x0, :lo12:__kvm_hyp_vector
	add	x0, x0, x20
	str	x0, [x22, #HIP_VECTORS]
	mov64	x0, SCTLR_EL2_MMU_ON
	str	x0, [x22, #HIP_SCTLR]
#ifndef NVHE_BUG_NO_PARAMS_CLEAN
	mov	x0, x22
	mov	x1, #HIP_SIZE
	bl	fw_dcache_clean_poc
#endif
	bl	fw_nvhe_install
	b	10f
9:	mov	x0, #-1
10:	ldp	x21, x22, [sp, #32]
	ldp	x19, x20, [sp, #16]
	ldp	x29, x30, [sp], #48
	ret
	.size fw_nvhe_host_init, . - fw_nvhe_host_init

/*
 * fw_nvhe_install: with the stub at EL2, install the init vectors and run the init HVC on
 * the parameters fw_nvhe_host_init prepared (also used to reload after __kvm_hyp_reset).
 * Returns x0 = 0 on success. Clobbers x0..x17.
 */
	.global fw_nvhe_install
	.type fw_nvhe_install, %function
fw_nvhe_install:
	mov	x0, #HVC_SET_VECTORS
	adrp	x1, __kvm_hyp_init
	add	x1, x1, :lo12:__kvm_hyp_init
	hvc	#0
	cbnz	x0, 1f
	mov64	x0, HYP_FN_INIT
	adrp	x1, nvhe_init_params
	add	x1, x1, :lo12:nvhe_init_params
	hvc	#0
1:	ret
	.size fw_nvhe_install, . - fw_nvhe_install

	.section .data
	.balign 64
	.global nvhe_init_params
nvhe_init_params:
	.space HIP_SIZE
	.balign 64
nvhe_pt:
	.space PT_SIZE

	.section .bss
	.balign PAGE_SIZE
nvhe_pt_pool:
	.space POOL_PAGES * PAGE_SIZE
