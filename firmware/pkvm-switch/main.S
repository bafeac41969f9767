/*
 * pkvm-switch - protected KVM's switch from the host-built hyp tables to the hyp's own
 * (Linux arch/arm64/kvm/hyp/nvhe/setup.c __pkvm_init + hyp-init.S __pkvm_init_switch_pgd).
 *
 * The host installs an nVHE hyp as arm64-nvhe-init does (lib/nvhe-*.S), then donates a page
 * pool with HYP_FN_PKVM_INIT. At EL2, running on the host's tables, the hyp builds a new
 * stage-1 table from the pool (identity page + its image at the same HYP VAs + a fixmap
 * slot), writes a relocated copy of its vector table into the last pool page, makes that
 * code coherent (DC CVAU, DSB ISH; the IC IALLU is part of the switch), and calls the switch
 * in the identity page: MMU off, TLBI ALLE2, new TTBR0_EL2, new SP, DSB NSH + ISB, MMU on,
 * then IC IALLU, DSB NSH, ISB (the order the upstream review settled on), and returns to a
 * HYP VA under the new table, where it points VBAR_EL2 at the relocated vectors.
 * Afterwards the host calls through those vectors, and reads two host pages through the
 * hyp's fixmap slot, which is remapped with break-before-make (as pKVM's hyp_fixmap_map).
 *
 * Buggy variants (docs/firmware.md):
 *   PKVM_BUG_NO_ICACHE_MAINT  no DC CVAU / IC IALLU / DSB / ISB for the relocated vectors
 *   PKVM_BUG_POSTED_ORDER     the switch tail as first posted: MSR SCTLR_EL2; IC IALLU; ISB
 *   PKVM_BUG_FIXMAP_NO_BBM    the live fixmap PTE rewritten in place to another page
 *   PKVM_BUG_V61_ORDER        Linux 6.1's switch: no DSB/ISB between the TTBR write and
 *                             the MMU-on (with PKVM_ALIAS_CONT, so it shows)
 * PKVM_ALIAS_CONT (clean on its own): the switch continues at an alias of the finalise
 * page that only the new table maps, so the old and the new table differ there.
 */
#include "hypsim-fw.h"
#include "hypsim-hyp.h"

#define POOL_PAGES 16

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

	mov64	x0, HYP_FN_PKVM_INIT
	adrp	x1, pkvm_pool
	mov	x2, #(POOL_PAGES * PAGE_SIZE)
	hvc	#0
	cbnz	x0, fail
	puts	msg_switched

	mov64	x0, HYP_FN_ANSWER
	mov	x1, #0x2a
	hvc	#0
	mov	x19, x0
	mov	x20, x1
	puts	msg_vbar
	mov	x0, x20
	bl	fw_puthex
	puts	msg_answer
	mov	x0, x19
	bl	fw_puthex
	puts	msg_nl

	mov64	x0, HYP_FN_FIXMAP_READ
	adrp	x1, host_page_a
	hvc	#0
	mov	x19, x0
	puts	msg_fixmap
	mov	x0, x19
	bl	fw_puthex
	puts	msg_nl
	mov64	x0, HYP_FN_FIXMAP_READ
	adrp	x1, host_page_b
	hvc	#0
	mov	x19, x0
	puts	msg_fixmap
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

/* ---------------------------------------------------------- EL2, HYP VAs */
	.section .text
/* hyp_handle_call: x0 = function. Uses x0..x17 only: the host's x19..x28 live on. */
	.global hyp_handle_call
hyp_handle_call:
	mov64	x9, HYP_FN_PKVM_INIT
	cmp	x0, x9
	b.eq	__pkvm_init
	mov64	x9, HYP_FN_FIXMAP_READ
	cmp	x0, x9
	b.eq	__pkvm_fixmap_read
	mov64	x9, HYP_FN_ANSWER
	cmp	x0, x9
	b.ne	1f
	mov64	x0, 0x706b766d00000000
	add	x0, x0, x1
	mrs	x1, vbar_el2
	ret
1:	mov64	x0, HVC_STUB_ERR
	ret

/* Store x1 at pkvm_state + \off. */
.macro state_str reg, off
	adrp	x16, pkvm_state
	add	x16, x16, :lo12:pkvm_state
	str	\reg, [x16, #\off]
.endm
.macro state_ldr reg, off
	adrp	x16, pkvm_state
	add	x16, x16, :lo12:pkvm_state
	ldr	\reg, [x16, #\off]
.endm
#define ST_VA_OFF 0
#define ST_PGD 8
#define ST_VEC_PA 16
#define ST_FIXMAP_PTE 24
#define ST_FIXMAP_VA 32

/* __pkvm_init(x1 = pool PA, x2 = pool bytes); does not return: it ERETs to the host from
 * __pkvm_init_finalise, on the new tables and the new stack. */
__pkvm_init:
	adrp	x3, hyp_va_offset
	ldr	x3, [x3, :lo12:hyp_va_offset]
	state_str x3, ST_VA_OFF
	sub	x2, x2, #PAGE_SIZE
	add	x4, x1, x2		/* last pool page: the relocated vectors */
	state_str x4, ST_VEC_PA
	adrp	x0, pkvm_pt
	add	x0, x0, :lo12:pkvm_pt
	mov	x4, #0			/* 48-bit VAs, level 0 */
	bl	fw_pt_init
	cmn	x0, #1
	b.eq	9f
	state_str x0, ST_PGD

	/* The identity page, at its PA. */
	state_ldr x3, ST_VA_OFF
	adrp	x1, __hyp_idmap_text_start
	sub	x1, x1, x3
	mov	x2, x1
	mov	x3, #PAGE_SIZE
	bl	pkvm_map
	/* The image, at the HYP VAs it runs at now. */
	state_ldr x3, ST_VA_OFF
	adrp	x1, __image_start
	sub	x2, x1, x3
	adrp	x4, __image_end
	sub	x3, x4, x1
	bl	pkvm_map
	/* The fixmap slot, a page above the image; first pointing at the vector page. */
	adrp	x1, __image_end
	add	x1, x1, #(16 * PAGE_SIZE)
	state_str x1, ST_FIXMAP_VA
	state_ldr x2, ST_VEC_PA
	mov	x3, #PAGE_SIZE
	bl	pkvm_map
	state_str x1, ST_FIXMAP_PTE
#ifdef PKVM_ALIAS_CONT
	/* The alias of the continuation page, only in the new table. */
	adrp	x1, __image_end
	add	x1, x1, #(32 * PAGE_SIZE)
	state_ldr x3, ST_VA_OFF
	adrp	x2, __pkvm_alias_page
	sub	x2, x2, x3
	mov	x3, #PAGE_SIZE
	bl	pkvm_map
#endif

	/* Relocated vectors: copy the template into the pool page (through its HYP VA). */
	adrp	x0, pkvm_vector_page
	adr	x1, __pkvm_vectors_tmpl
	add	x2, x1, #2048
1:	ldp	x3, x4, [x1], #16
	stp	x3, x4, [x0], #16
	cmp	x1, x2
	b.lo	1b
	adrp	x0, pkvm_vector_page
	adrp	x1, __kvm_hyp_host_hvc
	add	x1, x1, :lo12:__kvm_hyp_host_hvc
	str	x1, [x0, #(0x400 + __pkvm_vectors_lit - __pkvm_vectors_sync)]
#ifndef PKVM_BUG_NO_ICACHE_MAINT
	/* Code written as data: clean it to the PoU before it is fetched; the switch does the
	 * IC IALLU + DSB + ISB (Arm ARM B2.4.4). */
	add	x1, x0, #2048
2:	dc	cvau, x0
	add	x0, x0, #64
	cmp	x0, x1
	b.lo	2b
	dsb	ish
#endif

	/* To the switch, at its identity address. */
	state_ldr x0, ST_PGD
	adrp	x1, pkvm_stack_end
	adr	x2, __pkvm_init_finalise
#ifdef PKVM_ALIAS_CONT
	mov	x5, x2			/* the trampoline at the alias goes on there */
	adrp	x2, __image_end
	add	x2, x2, #(32 * PAGE_SIZE)
#endif
	state_ldr x3, ST_VA_OFF
	adrp	x4, __pkvm_init_switch_pgd
	add	x4, x4, :lo12:__pkvm_init_switch_pgd
	sub	x4, x4, x3
	br	x4
	/* Failure: back to the host with an error (the ELR of its HVC is intact). */
9:	mov	x0, #-1
	eret

/* fw_pt_map(&pkvm_pt, x1 = VA, x2 = PA, x3 = size); returns x1 = VA of the leaf, or fails
 * the init. */
pkvm_map:
	stp	x29, x30, [sp, #-16]!
	adrp	x0, pkvm_pt
	add	x0, x0, :lo12:pkvm_pt
	mov64	x4, HYP_PAGE_ATTRS
	bl	fw_pt_map
	ldp	x29, x30, [sp], #16
	cbnz	x0, 1f
	ret
1:	mov	x0, #-1
	eret

#ifdef PKVM_ALIAS_CONT
/* Reached at its alias VA, which only the new table maps: on to x5 (its HYP VA). */
	.balign	PAGE_SIZE
	.global __pkvm_alias_page
__pkvm_alias_page:
	br	x5
	.balign	PAGE_SIZE
#endif

/* On the new tables, at a HYP VA: the relocated vectors take over. */
__pkvm_init_finalise:
	adrp	x0, pkvm_vector_page
	msr	vbar_el2, x0
	mov	x0, #0
	eret

/* HYP_FN_FIXMAP_READ(x1 = PA): map the page at the fixmap slot (break-before-make if it
 * holds another page), return x0 = the u64 at x1 and x1 = VBAR_EL2. */
__pkvm_fixmap_read:
	state_ldr x9, ST_FIXMAP_PTE
	state_ldr x11, ST_FIXMAP_VA
	ldr	x10, [x9]
	tbz	x10, #0, 1f
#ifndef PKVM_BUG_FIXMAP_NO_BBM
	/* Break: invalid, DSB (the walker sees it), TLBI, DSB; then make. */
	str	xzr, [x9]
	dsb	ishst
	lsr	x12, x11, #PAGE_SHIFT
	tlbi	vale2, x12
	dsb	ish
	isb
#endif
1:	and	x10, x1, #~(PAGE_SIZE - 1)
	mov64	x12, HYP_PAGE_ATTRS
	orr	x10, x10, x12
	.global __pkvm_fixmap_set
__pkvm_fixmap_set:
	str	x10, [x9]
	dsb	ishst
	isb
	and	x12, x1, #(PAGE_SIZE - 1)
	ldr	x0, [x11, x12]
	mrs	x1, vbar_el2
	ret

/* The vector table pKVM relocates into the pool. Position independent: the one live entry
 * jumps through a literal patched with the HYP VA of the handler. Clobbers x16. */
	.balign 2048
	.global __pkvm_vectors_tmpl
__pkvm_vectors_tmpl:
	.rept 8
	.balign 0x80
	b	.
	.endr
	.balign 0x80
__pkvm_vectors_sync:
	ldr	x16, __pkvm_vectors_lit
	br	x16
__pkvm_vectors_lit:
	.quad	0
	.rept 7
	.balign 0x80
	b	.
	.endr
	.balign 0x80

/* ------------------------------------------------------ the identity page */
	.section .hyp.idmap.text, "ax"
/*
 * __pkvm_init_switch_pgd(x0 = new pgd PA, x1 = new SP, x2 = continuation HYP VA), run at
 * VA == PA. With the MMU off no walk can refill the TLB, so TLBI ALLE2 then the new TTBR;
 * the DSB NSH completes the TLBI before the MMU is back on. SCTLR_EL2.I stays 1, so the
 * I-cache may hold lines fetched under the old tables: IC IALLU, DSB NSH, ISB after.
 */
	.global __pkvm_init_switch_pgd
__pkvm_init_switch_pgd:
	mrs	x3, sctlr_el2
	bic	x4, x3, #SCTLR_M
	msr	sctlr_el2, x4
	isb
	tlbi	alle2
	msr	ttbr0_el2, x0
	mov	sp, x1
#ifndef PKVM_BUG_V61_ORDER
	dsb	nsh
	isb
#endif
	.global __pkvm_init_switch_mmu_on
__pkvm_init_switch_mmu_on:
	msr	sctlr_el2, x3
#if defined(PKVM_BUG_POSTED_ORDER)
	ic	iallu
	isb
#elif defined(PKVM_BUG_NO_ICACHE_MAINT)
	isb
#else
	isb
	ic	iallu
	dsb	nsh
	isb
#endif
	br	x2

	.section .rodata
msg_hello:	.asciz	"pkvm-switch: host at EL1, MMU and caches on\n"
msg_up:		.asciz	"HYP initialised on host-built tables\n"
msg_switched:	.asciz	"HYP switched to its own tables\n"
msg_vbar:	.asciz	"hypercall through VBAR_EL2 "
msg_answer:	.asciz	", returned "
msg_fixmap:	.asciz	"fixmap read "
msg_fail:	.asciz	"pkvm-switch: FAILED\n"
msg_bye:	.asciz	"pkvm-switch: done\n"
msg_nl:		.asciz	"\n"

	.section .data
	.balign 64
pkvm_state:
	.space 64
pkvm_pt:
	.space PT_SIZE
	.balign PAGE_SIZE
host_page_a:
	.quad	0xaaaa0000aaaa0001
	.balign PAGE_SIZE
host_page_b:
	.quad	0xbbbb0000bbbb0002
	.balign PAGE_SIZE

	.section .bss
	.balign PAGE_SIZE
	.global pkvm_pool
pkvm_pool:
	.space (POOL_PAGES - 1) * PAGE_SIZE
	.global pkvm_vector_page
pkvm_vector_page:
	.space PAGE_SIZE
pkvm_stack:
	.space PAGE_SIZE
pkvm_stack_end:
host_stack:
	.space 4 * PAGE_SIZE
host_stack_end:
