/*
 * remap - hypsim's memory-bound workload: one page remapped REMAP_N times at run time, with
 * the break-before-make sequence every hypervisor uses for its stage-1 updates (pKVM's
 * hyp_fixmap_map/unmap, KVM's stage-2 updates): the model's state must stay the same size
 * however many times this runs (tools/bench prints `sim run`'s peak RSS for two REMAP_N).
 *
 *  1. MMU off: tag pages A and B (each holds its own tag), build a table (fw_pt_map) that
 *     identity-maps the image, the UART and the table pool, and maps REMAP_VA to A; turn the
 *     MMU and caches on at EL2.
 *  2. REMAP_N times: invalid descriptor, DSB ISHST, TLBI VALE2IS, DSB ISH (Arm ARM D8.14.1
 *     break-before-make: the old entry is gone from every TLB), the other page's descriptor,
 *     DSB ISHST, ISB (D8.13: the new descriptor is visible to walks), then load through
 *     REMAP_VA and check that the load returns the new page's tag.
 *  3. Power off.
 *
 * REMAP_N (assembler define, 1 to 2^32 - 1): 10,000 for `remap`, 1,000,000 for `remap-1m`.
 */
#include "hypsim-fw.h"
#include "hypsim-hyp.h"

#ifndef REMAP_N
#define REMAP_N 10000
#endif
#if REMAP_N < 1 || REMAP_N > 0xffffffff
#error "REMAP_N must be between 1 and 2^32 - 1"
#endif
#define REMAP_VA 0x8000000000 /* 512 GiB: an L0 entry of its own */
#define PAGE_A 0x41000000
#define PAGE_B 0x41001000
#define TAG_A 0xa0a0a0a0
#define TAG_B 0xb0b0b0b0
#define POOL 0x40800000
#define POOL_SIZE 0x10000
#define UART_ATTRS (PTE_PAGE | PTE_ATTRIDX(MT_DEVICE_nGnRnE) | PTE_AP1 | PTE_AF | (3 << 53))
#define TCR_EL2_VALUE                                                                            \
	(TCR_EL2_RES1 | TCR_T0SZ(48) | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA | TCR_SH0_INNER |           \
	 TCR_TG0_4K | (2 << TCR_EL2_PS_SHIFT))

	.section .text.boot, "ax"
	.global _start
_start:
	adrp	x0, remap_stack_end
	mov	sp, x0
	puts	msg_start

	/* 1. Tags (MMU off: Device stores that reach RAM), the table, MMU on. */
	mov64	x1, PAGE_A
	mov64	x2, TAG_A
	str	x2, [x1]
	mov64	x1, PAGE_B
	mov64	x2, TAG_B
	str	x2, [x1]

	adrp	x0, remap_pt
	mov64	x1, POOL
	mov64	x2, POOL_SIZE
	mov	x3, #0
	mov	x4, #0
	bl	fw_pt_init
	cmn	x0, #1
	b.eq	remap_fail
	mov	x19, x0
	adrp	x0, remap_pt
	adrp	x1, __image_start
	mov	x2, x1
	adrp	x3, __image_end
	sub	x3, x3, x1
	mov64	x4, HYP_PAGE_ATTRS
	bl	fw_pt_map
	cbnz	x0, remap_fail
	adrp	x0, remap_pt
	mov64	x1, UART_BASE
	mov	x2, x1
	mov	x3, #PAGE_SIZE
	mov64	x4, UART_ATTRS
	bl	fw_pt_map
	cbnz	x0, remap_fail
	adrp	x0, remap_pt
	mov64	x1, POOL
	mov	x2, x1
	mov64	x3, POOL_SIZE
	mov64	x4, HYP_PAGE_ATTRS
	bl	fw_pt_map
	cbnz	x0, remap_fail
	adrp	x0, remap_pt
	mov64	x1, REMAP_VA
	mov64	x2, PAGE_A
	mov	x3, #PAGE_SIZE
	mov64	x4, HYP_PAGE_ATTRS
	bl	fw_pt_map
	cbnz	x0, remap_fail
	mov	x20, x1			/* the leaf descriptor (VA == PA) */

	el2_mmu_on x19, TCR_EL2_VALUE
	puts	msg_mmu_on

	/* 2. The remap loop: x21/x22 the next and the current leaf, x25/x26 their tags. */
	mov64	x21, PAGE_B | HYP_PAGE_ATTRS
	mov64	x22, PAGE_A | HYP_PAGE_ATTRS
	mov64	x25, TAG_B
	mov64	x26, TAG_A
	mov64	x23, REMAP_VA
	lsr	x24, x23, #PAGE_SHIFT
	mov64	x27, REMAP_N
1:	str	xzr, [x20]
	dsb	ishst
	tlbi	vale2is, x24
	dsb	ish
	str	x21, [x20]
	dsb	ishst
	isb
	ldr	x0, [x23]
	cmp	x0, x25
	b.ne	remap_fail
	mov	x0, x21
	mov	x21, x22
	mov	x22, x0
	mov	x0, x25
	mov	x25, x26
	mov	x26, x0
	subs	x27, x27, #1
	b.ne	1b

	/* 3. Done. */
	puts	msg_done
	mov64	x0, REMAP_N
	bl	fw_puthex
	puts	msg_nl
	psci	PSCI_SYSTEM_OFF
	b	.

remap_fail:
	puts	msg_fail
	psci	PSCI_SYSTEM_OFF
	b	.

	.section .rodata
msg_start:
	.asciz	"remap: EL2, building the table\n"
msg_mmu_on:
	.asciz	"remap: MMU and caches on, remapping\n"
msg_done:
	.asciz	"remap: every load saw the new page, remaps: "
msg_nl:
	.asciz	"\n"
msg_fail:
	.asciz	"remap: FAIL\n"

	.section .bss
	.balign	8
remap_pt:
	.skip	40
	.balign	4096
remap_stack:
	.skip	4096
remap_stack_end:
