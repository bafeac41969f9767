/*
 * cache.S - data and instruction cache maintenance by VA range, as Linux's
 * dcache_clean_poc / caches_clean_inval_pou do. The line size comes from CTR_EL0 (the
 * smallest D-cache line the CPU has), never from a constant.
 */
#include "hypsim-fw.h"

	.section .text

/* x2 = smallest D-cache line size in bytes (CTR_EL0.DminLine). Clobbers x3. */
.macro dcache_line_size
	mrs	x3, ctr_el0
	ubfx	x3, x3, #16, #4
	mov	x2, #4
	lsl	x2, x2, x3
.endm

/* fw_dcache_clean_poc(x0 = start, x1 = size): DC CVAC over the range, then DSB ISH, so that
 * the bytes are at the Point of Coherency for non-cacheable observers (MMU-off EL2 data
 * reads and fetches, non-cacheable table walks). Clobbers x0..x4. */
	.global fw_dcache_clean_poc
	.type fw_dcache_clean_poc, %function
fw_dcache_clean_poc:
	dcache_line_size
	add	x1, x0, x1
	sub	x4, x2, #1
	bic	x0, x0, x4
1:	dc	cvac, x0
	add	x0, x0, x2
	cmp	x0, x1
	b.lo	1b
	dsb	ish
	ret
	.size fw_dcache_clean_poc, . - fw_dcache_clean_poc

/* fw_sync_icache_pou(x0 = start, x1 = size): make code written by data stores executable:
 * DC CVAU over the range, DSB ISH, IC IALLU, DSB ISH, ISB (Arm ARM "Concurrent modification
 * and execution of instructions", "Instruction cache maintenance instructions"). */
	.global fw_sync_icache_pou
	.type fw_sync_icache_pou, %function
fw_sync_icache_pou:
	dcache_line_size
	add	x1, x0, x1
	sub	x4, x2, #1
	bic	x0, x0, x4
1:	dc	cvau, x0
	add	x0, x0, x2
	cmp	x0, x1
	b.lo	1b
	dsb	ish
	ic	iallu
	dsb	ish
	isb
	ret
	.size fw_sync_icache_pou, . - fw_sync_icache_pou
