/*
 * pgtable.S - a small 4K-granule stage-1 table builder for hypsim's hyp init flows, used by
 * the EL1 host for the hyp's tables and by pKVM-style EL2 code for its own.
 *
 * Every descriptor and every freshly zeroed table page is cleaned to the Point of
 * Coherency (DC CVAC) and a DSB ISH ends each call, as Linux's KVM host code does for hyp
 * tables: the hyp may walk them non-cacheably or with its MMU off, where only the PoC counts
 * (DESIGN §3 "Walks"). Tables are reached at VA = PA + va_off.
 *
 * Assembler defines that make a buggy variant (each one bug, the rest unchanged):
 *   FW_BUG_PT_NO_CLEAN  no DC CVAC at all: tables stay dirty in the cache (walk-not-at-poc)
 *   FW_BUG_PT_DC_IVAC   descriptors "cleaned" with DC IVAC, which may discard the dirty line
 *                       holding the store just made (lost-write, at fw_pt_set_desc)
 */
#include "hypsim-fw.h"
#include "hypsim-hyp.h"

#define PTE_ADDR_MASK 0x0000fffffffff000

	.section .text

/* Take one page from the pool of ctx x9 into x14 (PA), zero it through VA x14 + x11 and
 * clean it to PoC. x16 = D-cache line size. Clobbers x10, x15. Branches to \fail if empty. */
.macro pt_alloc fail
	ldp	x14, x15, [x9, #PT_NEXT]
	cmp	x14, x15
	b.hs	\fail
	add	x10, x14, #PAGE_SIZE
	str	x10, [x9, #PT_NEXT]
	add	x10, x14, x11
	add	x15, x10, #PAGE_SIZE
.Lzero\@:
	stp	xzr, xzr, [x10], #16
	cmp	x10, x15
	b.lo	.Lzero\@
#ifndef FW_BUG_PT_NO_CLEAN
	add	x10, x14, x11
.Lclean\@:
	dc	cvac, x10
	add	x10, x10, x16
	cmp	x10, x15
	b.lo	.Lclean\@
#endif
.endm

.macro line_size_x16
	mrs	x16, ctr_el0
	ubfx	x16, x16, #16, #4
	mov	x10, #4
	lsl	x16, x10, x16
.endm

/*
 * fw_pt_init(x0 = ctx, x1 = pool PA, x2 = pool bytes, x3 = va_off, x4 = start level):
 * takes the root table from the pool. Returns x0 = root PA, or -1 if the pool is empty.
 * Clobbers x0..x16.
 */
	.global fw_pt_init
	.type fw_pt_init, %function
fw_pt_init:
	mov	x9, x0
	add	x2, x1, x2
	stp	x1, x2, [x9, #PT_NEXT]
	str	x3, [x9, #PT_VA_OFF]
	str	x4, [x9, #PT_START_LEVEL]
	mov	x11, x3
	line_size_x16
	pt_alloc 9f
	str	x14, [x9, #PT_ROOT]
	dsb	ish
	mov	x0, x14
	ret
9:	mov	x0, #-1
	ret
	.size fw_pt_init, . - fw_pt_init

/*
 * fw_pt_map(x0 = ctx, x1 = VA, x2 = PA, x3 = size, x4 = leaf attributes): maps
 * [VA, VA + size) to PA with 4K pages, allocating intermediate tables from the pool.
 * Existing table descriptors are followed; a leaf is written whatever it held before, so
 * callers change live leaves only through a break-before-make sequence of their own.
 * Returns x0 = 0 and x1 = VA of the last leaf written, or x0 = -1 if the pool ran out.
 * Clobbers x0..x17.
 */
	.global fw_pt_map
	.type fw_pt_map, %function
fw_pt_map:
	mov	x9, x0
	ldr	x11, [x9, #PT_VA_OFF]
	line_size_x16
	add	x3, x1, x3
.Lpage:
	ldr	x5, [x9, #PT_START_LEVEL]
	ldr	x6, [x9, #PT_ROOT]
.Llevel:
	/* index = VA[(47 - 9 * level) : (39 - 9 * level)] */
	mov	x7, #9
	mul	x7, x7, x5
	mov	x8, #39
	sub	x7, x8, x7
	lsr	x8, x1, x7
	and	x8, x8, #0x1ff
	add	x12, x6, x11
	add	x12, x12, x8, lsl #3
	cmp	x5, #3
	b.eq	.Lleaf
	ldr	x13, [x12]
	tbnz	x13, #0, .Lnext_level
	pt_alloc .Lfail
	orr	x13, x14, #HYP_TABLE_DESC
	b	fw_pt_set_desc
.Lleaf:
	orr	x13, x2, x4
	mov	x17, x12

/* Store descriptor x13 at VA x12 and push it to the PoC. */
	.global fw_pt_set_desc
fw_pt_set_desc:
	str	x13, [x12]
#if defined(FW_BUG_PT_DC_IVAC)
	dc	ivac, x12
#elif !defined(FW_BUG_PT_NO_CLEAN)
	dc	cvac, x12
#endif
	cmp	x5, #3
	b.eq	.Lleaf_done
.Lnext_level:
	and	x6, x13, #PTE_ADDR_MASK
	add	x5, x5, #1
	b	.Llevel
.Lleaf_done:
	add	x1, x1, #PAGE_SIZE
	add	x2, x2, #PAGE_SIZE
	cmp	x1, x3
	b.lo	.Lpage
	dsb	ish
	mov	x0, #0
	mov	x1, x17
	ret
.Lfail:
	dsb	ish
	mov	x0, #-1
	ret
	.size fw_pt_map, . - fw_pt_map
