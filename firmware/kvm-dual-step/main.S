/*
 * kvm-dual-step - ARM KVM's dual-step HYP init (Linux arch/arm/kvm/init.S, v3.x-v5.6),
 * ported to AArch64 for hypsim.
 *
 * The problem it solves: the hyp runs at HYP VAs (here the host's "linear" addresses of
 * hyp memory), and the physical address of the init code may itself be one of those VAs.
 * So the MMU cannot be enabled on the runtime tables from an identity map. The host builds
 * two tables instead: a boot table mapping the init page at VA == PA and at a fixed
 * trampoline VA (top of the VA space), and the runtime table mapping the trampoline VA to
 * the same page plus the HYP VAs of hyp code, data and stack. EL2 enables the MMU on the
 * boot table, jumps to the trampoline, switches TTBR0_EL2 to the runtime table, invalidates
 * the EL2 TLB (the boot table's identity entries would otherwise shadow HYP VAs), and ERETs.
 *
 * In this port HYP VA = PA - HYP_VA_SKEW (one page): the hyp data page's HYP VA is exactly
 * the init page's PA, the collision the trampoline exists for. The init code (a 2 KiB vector
 * table followed by the second step) straddles a page boundary, so the host copies it to a
 * page-aligned bounce page (as arm/kvm/mmu.c's init_bounce_page) and cleans that to PoC.
 * The EL2 walks are non-cacheable (TCR_EL2.IRGN0/ORGN0 = 0b00, as an LPAE HTCR with
 * non-cacheable walk attributes), so every table write must reach the PoC.
 *
 * Buggy variants (one define each; docs/firmware.md has the expected hazards):
 *   KVM_BUG_NO_TLBI         no TLBI ALLE2 after the switch to the runtime table
 *   KVM_BUG_NO_DSB          TLBI ALLE2 with no DSB before the accesses that depend on it
 *   KVM_BUG_TRAMP_PA        runtime table maps the trampoline to the unbounced init page
 *   KVM_BUG_NO_BOUNCE_CLEAN bounce page written through the cache and never cleaned
 *   KVM_BUG_NO_BOUNCE       init code used in place, across the page boundary
 *   FW_BUG_PT_NO_CLEAN, FW_BUG_PT_DC_IVAC (lib/pgtable.S)
 */
#include "hypsim-fw.h"
#include "hypsim-hyp.h"

#define VA_BITS 39
#define START_LEVEL 1
#define HYP_VA_SKEW PAGE_SIZE
#define TRAMP_VA ((1 << VA_BITS) - PAGE_SIZE)
#define POOL_PAGES 8
/* Walks by the EL2 MMU are Normal Non-cacheable: IRGN0 = ORGN0 = 0b00. */
#define KVM_TCR_EL2 (TCR_EL2_RES1 | TCR_T0SZ(VA_BITS) | TCR_SH0_INNER | TCR_TG0_4K)

/* ---------------------------------------------------------------- host, EL1 */
	.section .text.boot, "ax"
	.global _start
_start:
	bl	fw_el2_to_el1
	/* EL1h from here on. */
	adrp	x0, host_stack_end
	mov	sp, x0
	bl	fw_el1_mmu_on
	puts	msg_hello
	bl	host_main
	puts	msg_bye
	psci	PSCI_SYSTEM_OFF
	b	.

	.section .text
/* Print string \str then value \reg (a callee-saved register) and a newline. */
.macro say str, reg
	puts	\str
	mov	x0, \reg
	bl	fw_puthex
	puts	msg_nl
.endm

host_main:
	stp	x29, x30, [sp, #-16]!

	/* 1. The init code straddles a page: copy it to the bounce page, make it coherent for
	 *    EL2's MMU-off (non-cacheable) fetches and later cacheable ones. */
#ifndef KVM_BUG_NO_BOUNCE
	adrp	x0, kvm_bounce_page
	adrp	x1, __kvm_hyp_init
	add	x1, x1, :lo12:__kvm_hyp_init
	adrp	x2, __kvm_hyp_init_end
	add	x2, x2, :lo12:__kvm_hyp_init_end
1:	ldp	x3, x4, [x1], #16
	stp	x3, x4, [x0], #16
	cmp	x1, x2
	b.lo	1b
#ifndef KVM_BUG_NO_BOUNCE_CLEAN
	adrp	x0, kvm_bounce_page
	mov	x1, #PAGE_SIZE
	bl	fw_dcache_clean_poc
	ic	iallu
	dsb	ish
	isb
#endif
	adrp	x19, kvm_bounce_page
#else
	adrp	x19, __kvm_hyp_init
	add	x19, x19, :lo12:__kvm_hyp_init
#endif
	say	msg_init, x19
	and	x24, x19, #~(PAGE_SIZE - 1)	/* the init page */

	/* 2. Boot table: init page at VA == PA and at the trampoline VA. */
	adrp	x0, boot_pt
	add	x0, x0, :lo12:boot_pt
	adrp	x1, boot_pool
	mov	x2, #(POOL_PAGES * PAGE_SIZE)
	mov	x3, #0
	mov	x4, #START_LEVEL
	bl	fw_pt_init
	mov	x20, x0
	mov	x1, x24
	mov	x2, x24
	bl	map_boot_page
	mov64	x1, TRAMP_VA
	mov	x2, x24
	bl	map_boot_page

	/* 3. Runtime table: trampoline VA -> the same page, and the HYP VAs. */
	adrp	x0, rt_pt
	add	x0, x0, :lo12:rt_pt
	adrp	x1, rt_pool
	mov	x2, #(POOL_PAGES * PAGE_SIZE)
	mov	x3, #0
	mov	x4, #START_LEVEL
	bl	fw_pt_init
	mov	x21, x0
	mov64	x1, TRAMP_VA
#ifdef KVM_BUG_TRAMP_PA
	adrp	x2, __kvm_hyp_init	/* the unbounced copy: a different page */
#else
	mov	x2, x24
#endif
	mov	x3, #PAGE_SIZE
	bl	map_rt
	adrp	x2, __hyp_text_start
	adrp	x3, __hyp_text_end
	sub	x3, x3, x2
	sub	x1, x2, #HYP_VA_SKEW
	bl	map_rt
	adrp	x2, hyp_data_page
	sub	x1, x2, #HYP_VA_SKEW
	mov	x3, #PAGE_SIZE
	bl	map_rt
	adrp	x2, hyp_stack_page
	sub	x1, x2, #HYP_VA_SKEW
	mov	x3, #PAGE_SIZE
	bl	map_rt
	say	msg_boot_pgd, x20
	say	msg_rt_pgd, x21

	/* 4. Hyp data, written through the cache; the hyp reads it with its MMU on, but a
	 *    kernel cleans what it shares with EL2 anyway. */
	adrp	x0, hyp_data_page
	mov64	x1, 0x4b564d0000000000
	str	x1, [x0]
	mov	x1, #64
	bl	fw_dcache_clean_poc

	/* 5. Stub HVC: install the init vectors (in the bounce page). */
	mov	x0, #HVC_SET_VECTORS
	mov	x1, x19
	hvc	#0
	cbnz	x0, fail

	/* 6. HVC init: boot pgd, runtime pgd, stack and vectors (HYP VAs). */
	mov	x0, x20
	mov	x1, x21
	adrp	x2, hyp_stack_page
	add	x2, x2, #PAGE_SIZE
	sub	x2, x2, #HYP_VA_SKEW
	adrp	x3, __kvm_hyp_vector
	sub	x3, x3, #HYP_VA_SKEW
	hvc	#0
	puts	msg_hyp_up

	/* 7. A hypercall that runs at a HYP VA. */
	mov64	x0, HYP_FN_ANSWER
	mov	x1, #0x2a
	hvc	#0
	mov	x22, x0
	mov	x23, x1
	say	msg_hyp_va, x23
	say	msg_answer, x22
	ldp	x29, x30, [sp], #16
	ret

fail:
	puts	msg_fail
	psci	PSCI_SYSTEM_OFF
	b	.

/* fw_pt_map of one page (x1 = VA, x2 = PA) in the boot table; stop on failure. */
map_boot_page:
	adrp	x0, boot_pt
	add	x0, x0, :lo12:boot_pt
	mov	x3, #PAGE_SIZE
	b	map_common
/* fw_pt_map(runtime table, x1 = VA, x2 = PA, x3 = size). */
map_rt:
	adrp	x0, rt_pt
	add	x0, x0, :lo12:rt_pt
map_common:
	stp	x29, x30, [sp, #-16]!
	mov64	x4, HYP_PAGE_ATTRS
	bl	fw_pt_map
	cbnz	x0, fail
	ldp	x29, x30, [sp], #16
	ret

/* ------------------------------------------------- hyp init code (bounced) */
	.section .text.kvm_init, "ax"
	.balign PAGE_SIZE
	/* Where the linker would put the idmap text of a kernel that does not care: the second
	 * half of a page, so that the init code crosses into the next one. */
	.space 0x800
	.global __kvm_hyp_init
__kvm_hyp_init:
	invalid_vector		/* current EL, SP0 */
	invalid_vector
	invalid_vector
	invalid_vector
	invalid_vector		/* current EL, SPx: an abort during init hangs here */
	invalid_vector
	invalid_vector
	invalid_vector
	.balign 0x80		/* lower EL, AArch64, synchronous: the init HVC */
/*
 * __do_hyp_init: x0 = boot pgd, x1 = runtime pgd, x2 = stack, x3 = vectors (HYP VAs).
 * Step 1, at VA == PA with the MMU off: enable the MMU on the boot table. Must fit the
 * 0x80-byte vector slot (checked by the .org below) and stay in the init page.
 */
	.global __do_hyp_init
__do_hyp_init:
	msr	ttbr0_el2, x0
	mrs	x4, id_aa64mmfr0_el1
	and	x4, x4, #0xf
	cmp	x4, #5
	mov	x5, #5
	csel	x4, x4, x5, ls
	mov64	x5, KVM_TCR_EL2
	orr	x5, x5, x4, lsl #TCR_EL2_PS_SHIFT
	msr	tcr_el2, x5
	mov64	x5, MAIR_VALUE
	msr	mair_el2, x5
	isb
	/* The EL2 TLB may hold entries from the boot loader or an earlier hyp (Arm ARM "TLB
	 * maintenance requirements"). */
	tlbi	alle2
	dsb	ish
	mov64	x5, SCTLR_EL2_MMU_ON
	.global __kvm_hyp_init_mmu_on
__kvm_hyp_init_mmu_on:
	msr	sctlr_el2, x5
	isb
	b	__kvm_hyp_init_page2
	.org	__kvm_hyp_init + 0x480
	invalid_vector		/* lower EL, AArch64: IRQ, FIQ, SError */
	invalid_vector
	invalid_vector
	invalid_vector		/* lower EL, AArch32 */
	invalid_vector
	invalid_vector
	invalid_vector
	.balign 0x80
/* Step 2: in the original placement this is the first byte of the next page. */
	.global __kvm_hyp_init_page2
__kvm_hyp_init_page2:
	adr	x4, __kvm_hyp_init_switch
	and	x4, x4, #(PAGE_SIZE - 1)
	mov64	x5, TRAMP_VA
	orr	x4, x4, x5
	br	x4
/* Now at the trampoline VA, mapped to the same page by both tables. */
	.global __kvm_hyp_init_switch
__kvm_hyp_init_switch:
	msr	ttbr0_el2, x1
	isb
#ifndef KVM_BUG_NO_TLBI
	/* The boot table's identity entry for the init page is a live translation of a HYP
	 * VA in the runtime table: only a TLBI removes it (DESIGN §3 "TLB"). */
	tlbi	alle2
#endif
#ifndef KVM_BUG_NO_DSB
	dsb	ish
#endif
	isb
	mov	sp, x2
	msr	vbar_el2, x3
	eret
	.global __kvm_hyp_init_end
__kvm_hyp_init_end:

/* ---------------------------------------------- hyp runtime code, at HYP VAs */
	.section .text.kvm_hyp, "ax"
	.balign PAGE_SIZE
	.global __hyp_text_start
__hyp_text_start:
	.balign 2048
	.global __kvm_hyp_vector
__kvm_hyp_vector:
	vectors_lower_sync __kvm_hyp_host_hvc
/* HYP_FN_ANSWER(x1): x0 = hyp data seed + x1, x1 = the HYP VA the seed was read at. */
__kvm_hyp_host_hvc:
	mov64	x9, HYP_FN_ANSWER
	cmp	x0, x9
	b.ne	1f
	stp	x29, x30, [sp, #-16]!
	adrp	x9, hyp_data_page
	.global __hyp_read_answer
__hyp_read_answer:
	ldr	x10, [x9]
	add	x0, x10, x1
	mov	x1, x9
	ldp	x29, x30, [sp], #16
	eret
1:	mov64	x0, HVC_STUB_ERR
	eret
	.balign PAGE_SIZE
	.global __hyp_text_end
__hyp_text_end:

	.section .rodata
msg_hello:	.asciz	"kvm-dual-step: host at EL1, MMU and caches on\n"
msg_init:	.asciz	"init code at "
msg_boot_pgd:	.asciz	"boot pgd     "
msg_rt_pgd:	.asciz	"runtime pgd  "
msg_hyp_up:	.asciz	"HYP initialised through the trampoline\n"
msg_hyp_va:	.asciz	"hypercall read HYP VA "
msg_answer:	.asciz	"hypercall returned "
msg_fail:	.asciz	"kvm-dual-step: FAILED\n"
msg_bye:	.asciz	"kvm-dual-step: done\n"
msg_nl:		.asciz	"\n"

	.section .bss
	.balign PAGE_SIZE
/* These three pages are consecutive: hyp_data_page's HYP VA is kvm_bounce_page's PA. */
	.global kvm_bounce_page
kvm_bounce_page:
	.space PAGE_SIZE
	.global hyp_data_page
hyp_data_page:
	.space PAGE_SIZE
	.global hyp_stack_page
hyp_stack_page:
	.space PAGE_SIZE
boot_pool:
	.space POOL_PAGES * PAGE_SIZE
rt_pool:
	.space POOL_PAGES * PAGE_SIZE
host_stack:
	.space 4 * PAGE_SIZE
host_stack_end:
	.balign 64
boot_pt:
	.space PT_SIZE
	.balign 64
rt_pt:
	.space PT_SIZE

#ifdef KVM_HOTPLUG
#include "hotplug.S"
#endif
