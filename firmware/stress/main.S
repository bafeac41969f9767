/*
 * stress - hypsim's performance workload (issue #8): a large 4K-page linear map built and
 * used at EL2 with the MMU and caches on, so that `sim run`, tools/bench and QEMU time the
 * same instruction mix the init flows use (descriptor stores each cleaned to PoC, a TTBR
 * switch, translated loads), only many more of them.
 *
 *  1. MMU off: tag each page of the alias window (page i holds i), build a boot table that
 *     identity-maps the image, the UART and the runtime pool, turn the MMU and caches on.
 *  2. MMU on: build the runtime table with fw_pt_map (every descriptor and table page
 *     cleaned to PoC): the image and the UART at VA == PA, and STRESS_SIZE bytes at
 *     STRESS_VA in 4K pages - STRESS_SIZE / 4K leaf writes.
 *  3. Switch TTBR0_EL2 to it: ISB, TLBI ALLE2, DSB ISH, ISB (Arm ARM D8.13 "TLB maintenance";
 *     both tables map the code executing the switch identically, so no break-before-make).
 *  4. Load one doubleword from every page of the range, check the sum, power off.
 *
 * RAM: the machine has 256 MiB by default and the range can be 1 GiB, so the range aliases
 * one ALIAS_SIZE window of RAM: VA STRESS_VA + k * ALIAS_SIZE + i * 4K maps PA ALIAS_PA +
 * i * 4K for every k. Every touched page exists, and the sum of what the loads return proves
 * each one went through its own leaf. The tables themselves take STRESS_SIZE / 512 bytes
 * (2 MiB for 1 GiB) plus a few pages, from the RT_POOL window.
 *
 * STRESS_SIZE (assembler define, a multiple of ALIAS_SIZE, at most 1 GiB): 64 MiB for the
 * `stress` ELF the tests run, 1 GiB for `stress-1g` (262,144 leaf writes), meant for
 * tools/bench and too slow for the test suite under full checking.
 */
#include "hypsim-fw.h"
#include "hypsim-hyp.h"

#ifndef STRESS_SIZE
#define STRESS_SIZE 0x4000000
#endif
#define STRESS_VA 0x8000000000 /* 512 GiB: an L0 entry of its own, 1 GiB aligned */
#define ALIAS_PA 0x41000000
#define ALIAS_SIZE 0x200000 /* 512 pages */
#define ALIAS_PAGES (ALIAS_SIZE / PAGE_SIZE)
#define BOOT_POOL 0x40400000
#define BOOT_POOL_SIZE 0x10000
#define RT_POOL 0x40800000
#define RT_POOL_SIZE 0x400000 /* 1 GiB needs 512 L3 tables + 1 L2 + the identity tables */
#define STRESS_SUM ((STRESS_SIZE / ALIAS_SIZE) * (ALIAS_PAGES * (ALIAS_PAGES - 1) / 2))
#define UART_ATTRS (PTE_PAGE | PTE_ATTRIDX(MT_DEVICE_nGnRnE) | PTE_AP1 | PTE_AF | (3 << 53))
#define TCR_EL2_VALUE                                                                            \
	(TCR_EL2_RES1 | TCR_T0SZ(48) | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA | TCR_SH0_INNER |           \
	 TCR_TG0_4K | (2 << TCR_EL2_PS_SHIFT))

#if STRESS_SIZE % ALIAS_SIZE || STRESS_SIZE > 0x40000000 || STRESS_SIZE == 0
#error "STRESS_SIZE must be a non-zero multiple of 2 MiB, at most 1 GiB"
#endif

	.section .text.boot, "ax"
	.global _start
_start:
	adrp	x0, stress_stack_end
	mov	sp, x0
	puts	msg_start

	/* 1. Tag the alias window (MMU off: Device stores that reach RAM). */
	mov64	x1, ALIAS_PA
	mov	x2, #0
1:	str	x2, [x1]
	add	x1, x1, #PAGE_SIZE
	add	x2, x2, #1
	cmp	x2, #ALIAS_PAGES
	b.lo	1b

	/* The boot table: image and runtime pool at VA == PA, the UART page. */
	adrp	x0, boot_pt
	mov64	x1, BOOT_POOL
	mov64	x2, BOOT_POOL_SIZE
	mov	x3, #0
	mov	x4, #0
	bl	fw_pt_init
	cmn	x0, #1
	b.eq	stress_fail
	mov	x19, x0
	adrp	x0, boot_pt
	bl	map_image_uart
	adrp	x0, boot_pt
	mov64	x1, RT_POOL
	mov	x2, x1
	mov64	x3, RT_POOL_SIZE
	mov64	x4, HYP_PAGE_ATTRS
	bl	fw_pt_map
	cbnz	x0, stress_fail

	el2_mmu_on x19, TCR_EL2_VALUE
	puts	msg_mmu_on

	/* 2. The runtime table, built with the MMU and caches on. */
	adrp	x0, rt_pt
	mov64	x1, RT_POOL
	mov64	x2, RT_POOL_SIZE
	mov	x3, #0
	mov	x4, #0
	bl	fw_pt_init
	cmn	x0, #1
	b.eq	stress_fail
	mov	x20, x0
	adrp	x0, rt_pt
	bl	map_image_uart
	mov64	x21, STRESS_VA
	mov64	x22, STRESS_VA + STRESS_SIZE
2:	adrp	x0, rt_pt
	mov	x1, x21
	mov64	x2, ALIAS_PA
	mov64	x3, ALIAS_SIZE
	mov64	x4, HYP_PAGE_ATTRS
	bl	fw_pt_map
	cbnz	x0, stress_fail
	add	x21, x21, #ALIAS_SIZE
	cmp	x21, x22
	b.lo	2b
	puts	msg_built
	mov64	x0, STRESS_SIZE
	bl	fw_puthex
	puts	msg_nl

	/* 3. Switch (fw_pt_map ended with DSB ISH: every descriptor is visible to walks). */
	msr	ttbr0_el2, x20
	isb
	tlbi	alle2
	dsb	ish
	isb

	/* 4. One load per page through the new map. */
	mov64	x1, STRESS_VA
	mov64	x3, STRESS_VA + STRESS_SIZE
	mov	x5, #0
3:	ldr	x4, [x1]
	add	x5, x5, x4
	add	x1, x1, #PAGE_SIZE
	cmp	x1, x3
	b.lo	3b
	mov64	x6, STRESS_SUM
	cmp	x5, x6
	b.ne	stress_fail
	puts	msg_done
	psci	PSCI_SYSTEM_OFF
	b	.

stress_fail:
	puts	msg_fail
	psci	PSCI_SYSTEM_OFF
	b	.

/* map_image_uart(x0 = ctx): the image at VA == PA and the UART page, Device-nGnRnE.
 * Clobbers x0..x18, x23. */
map_image_uart:
	mov	x23, x30
	mov	x18, x0
	adrp	x1, __image_start
	mov	x2, x1
	adrp	x3, __image_end
	sub	x3, x3, x1
	mov64	x4, HYP_PAGE_ATTRS
	bl	fw_pt_map
	cbnz	x0, stress_fail
	mov	x0, x18
	mov64	x1, UART_BASE
	mov	x2, x1
	mov	x3, #PAGE_SIZE
	mov64	x4, UART_ATTRS
	bl	fw_pt_map
	cbnz	x0, stress_fail
	mov	x30, x23
	ret

	.section .rodata
msg_start:
	.asciz	"stress: EL2, tagging the alias window\n"
msg_mmu_on:
	.asciz	"stress: MMU and caches on, building the 4K linear map\n"
msg_built:
	.asciz	"stress: built, bytes mapped: "
msg_nl:
	.asciz	"\n"
msg_done:
	.asciz	"stress: every page touched through the new map, sum ok\n"
msg_fail:
	.asciz	"stress: FAIL\n"

	.section .bss
	.balign	8
boot_pt:
	.skip	40
rt_pt:
	.skip	40
	.balign	4096
stress_stack:
	.skip	4096
stress_stack_end:
