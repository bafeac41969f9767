/*
 * pkvm-host-s2 - protected KVM's host stage 2 (Linux arch/arm64/kvm/hyp/nvhe/mem_protect.c:
 * kvm_host_prepare_stage2, __pkvm_prot_finalize, handle_host_mem_abort/host_stage2_idmap,
 * and the host -> hyp donation of __pkvm_host_donate_hyp), issue 19.
 *
 * EL2 (the "hyp"), MMU and caches on through its own identity map of its image and the UART,
 * gives the host an EMPTY stage 2 (40-bit IPA, 4K granule, start at level 1 with two
 * concatenated level 1 tables, cacheable walks, VMID 0 as pKVM's host has) and turns it on as
 * __pkvm_prot_finalize does: the per-CPU init parameters cleaned to the PoC, MSR HCR_EL2 (VM,
 * TSC, RW), MSR VTCR_EL2 / VTTBR_EL2, ISB, TLBI VMALLS12E1, DSB NSH, ISB. Then it enters the
 * host at EL1.
 *
 * The host (EL1) turns its own MMU on (lib/el1-mmu.S) and runs; every first touch of memory
 * or MMIO is a stage 2 Translation fault taken to EL2, where host_stage2_idmap maps the IPA
 * flat with the largest block that fits in the fault's memory or MMIO range (a 2 MiB block
 * of RAM, a 1 GiB Device block below RAM): an invalid -> valid change, so a DSB ISHST and the
 * ERET are all it needs (no TLBI). Then the host donates one page to the hyp
 * (HYP_FN_HOST_DONATE): EL2 splits its 2 MiB block into a table of pages with
 * break-before-make (block invalid, DSB, TLBI IPAS2E1IS + VMALLE1IS, DSB, ISB as
 * __kvm_tlb_flush_vmid_ipa does; then the table), and unmaps the page (pKVM's owner
 * annotation: an invalid descriptor naming the hyp), with DSB ISHST, TLBI IPAS2E1IS, DSB ISH,
 * TLBI VMALLE1IS, DSB ISH, ISB. The host's next access to that page is a stage 2 fault on a
 * page the hyp owns: EL2 says so and skips the access. The host then reads its second page
 * through the new table and donates it too (the table is there: an unmap only), and its
 * access to it is refused the same way. The host's PSCI SYSTEM_OFF is trapped
 * (HCR_EL2.TSC) and forwarded by EL2, as pKVM's host PSCI relay does.
 *
 * Buggy variants (docs/firmware.md):
 *   PKVM_S2_BUG_NO_TLBI   no TLBI IPAS2E1IS after a page is unmapped (VMALLE1IS only):
 *                         the host's stage 2 entry for it survives (stale-tlb, host_reaccess;
 *                         at host_reaccess2 the entry the host's read of page 2 used)
 *   PKVM_S2_BUG_NO_DSB    no DSB between the unmapping store and the TLBI: the TLBI may run
 *                         before the walker sees the store (missing-dsb, host_reaccess)
 *   PKVM_S2_BUG_NO_BBM    the table written over the live block, no invalid step
 *                         (bbm, __host_s2_install_table)
 */
#include "hypsim-fw.h"
#include "hypsim-hyp.h"

/* The host's memory (pKVM's hyp_memory[]: one memblock), QEMU virt -m 256M and hypsim's
 * default RAM. Everything else is MMIO. */
#define RAM_START 0x40000000
#define RAM_END 0x50000000
#define IPA_BITS 40
/* The host's buffer: a 2 MiB block of its own, apart from the image's. */
#define HOST_BUF 0x40400000
#define DONATED (HOST_BUF + 0x1000)
#define DONATED2 (HOST_BUF + 0x2000)

#define HYP_FN_HOST_DONATE 0xc6000004 /* x1 = PA of a host page; returns x0 = 0 or -1 */

/* HCR_EL2 as pKVM's host runs (HCR_HOST_NVHE_PROTECTED_FLAGS | HCR_VM): EL1 is AArch64,
 * SMC trapped (the host's PSCI calls go through the hyp), stage 2 on. */
#define HCR_TSC (1 << 19)
#define HCR_VM (1 << 0)
#define HCR_HOST (HCR_RW | HCR_TSC | HCR_VM)

/* VTCR_EL2 (Arm ARM D17.2 "VTCR_EL2"): RES1 bit 31, PS 0b010 (40-bit PA), TG0 4K, SH0 inner,
 * ORGN0/IRGN0 write-back write-allocate (kvm_get_vtcr's values: walks are cacheable, so the
 * tables the hyp writes through its cache need no clean), SL0 1 (start at level 1), T0SZ 24
 * (40-bit IPA: two concatenated level 1 tables, the root aligned to 8 KiB). */
#define VTCR_VAL ((1 << 31) | (2 << 16) | (3 << 12) | (1 << 10) | (1 << 8) | (1 << 6) | (64 - IPA_BITS))
#define S2_ROOT_PAGES 2
/* Stage 2 descriptors (D8.3): MemAttr[5:2] (0b1111 Normal WB, 0b0001 Device-nGnRE),
 * S2AP[7:6] read/write, SH[9:8] inner, AF[10], XN[54] for MMIO (PKVM_HOST_MEM_PROT is RWX,
 * PKVM_HOST_MMIO_PROT RW). Bit 1: table at levels 1-2, page at level 3. */
#define S2_MEM (1 | (0xf << 2) | (3 << 6) | (3 << 8) | (1 << 10))
#define S2_DEV (1 | (0x1 << 2) | (3 << 6) | (3 << 8) | (1 << 10) | (1 << 54))
#define S2_TABLE 3
#define S2_PAGE (1 << 1)
/* An invalid descriptor with an owner (pKVM's KVM_INVALID_PTE_OWNER_MASK, bits [9:2]):
 * PKVM_ID_HYP = 1. */
#define S2_OWNER_HYP (1 << 2)
#define DESC_ADDR_MASK 0x0000fffffffff000
#define S2_POOL_PAGES 4

/* EL2's own stage 1: 48-bit VAs, cacheable walks, 40-bit PA. */
#define TCR_EL2_VAL (TCR_EL2_RES1 | TCR_T0SZ(48) | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA | TCR_SH0_INNER | TCR_TG0_4K | (2 << TCR_EL2_PS_SHIFT))
#define HYP_DEV_ATTRS (PTE_PAGE | PTE_ATTRIDX(MT_DEVICE_nGnRnE) | PTE_AP1 | PTE_AF | (1 << 54))
#define HYP_PT_PAGES 8

/* The host context EL2 saves on its stack at entry: x0..x30. */
#define CTX_X0 0
#define CTX_SIZE 256

/* Result codes of host_stage2_idmap (pKVM: 0, -EAGAIN, -EPERM). */
#define IDMAP_MAPPED 0
#define IDMAP_AGAIN 1
#define IDMAP_PERM 2

/* ------------------------------------------------------------------ EL2, boot */
	.section .text.boot, "ax"
	.global _start
_start:
	adr	x0, hyp_vectors
	msr	vbar_el2, x0
	adrp	x0, hyp_stack_end
	mov	sp, x0
	puts	msg_boot
	/* The hyp's identity map: its image up to .bss (text, rodata, its data and stage 2
	 * tables) and the UART. The host's .bss (its stage 1 tables, written with its MMU off)
	 * is not mapped at EL2, so no cacheable EL2 mapping can hold lines of it. */
	adrp	x0, hyp_pt
	add	x0, x0, :lo12:hyp_pt
	adrp	x1, hyp_pt_pool
	mov	x2, #(HYP_PT_PAGES * PAGE_SIZE)
	mov	x3, #0
	mov	x4, #0
	bl	fw_pt_init
	cmn	x0, #1
	b.eq	hyp_boot_fail
	mov	x19, x0
	adrp	x0, hyp_pt
	add	x0, x0, :lo12:hyp_pt
	adrp	x1, __image_start
	mov	x2, x1
	adrp	x3, __bss_start
	sub	x3, x3, x1
	mov64	x4, HYP_PAGE_ATTRS
	bl	fw_pt_map
	cbnz	x0, hyp_boot_fail
	adrp	x0, hyp_pt
	add	x0, x0, :lo12:hyp_pt
	mov64	x1, UART_BASE
	mov	x2, x1
	mov	x3, #PAGE_SIZE
	mov64	x4, HYP_DEV_ATTRS
	bl	fw_pt_map
	cbnz	x0, hyp_boot_fail
	el2_mmu_on x19, TCR_EL2_VAL

	/* kvm_host_prepare_stage2: an empty root (zeroed through the cache, as the hyp's
	 * allocator hands pages out). */
	adrp	x0, host_s2_pgd
	add	x1, x0, #(S2_ROOT_PAGES * PAGE_SIZE)
1:	stp	xzr, xzr, [x0], #16
	cmp	x0, x1
	b.lo	1b
	puts	msg_empty
	bl	__pkvm_prot_finalize
	puts	msg_s2_on

	/* Enter the host at EL1h, its MMU off, DAIF masked. */
	mov64	x0, SCTLR_EL1_RES1
	msr	sctlr_el1, x0
	adr	x0, host_vectors
	msr	vbar_el1, x0
	adr	x0, host_entry
	msr	elr_el2, x0
	mov	x0, #0x3c5
	msr	spsr_el2, x0
	eret

hyp_boot_fail:
	puts	msg_boot_fail
	psci	PSCI_SYSTEM_OFF
	b	.

/* ------------------------------------------------------------------ EL2 */
	.section .text
/*
 * __pkvm_prot_finalize: the per-CPU parameters (HCR_EL2, VTCR_EL2, VTTBR_EL2) a CPU coming
 * up with its MMU off loads are written and cleaned to the PoC, then the stage 2 is loaded:
 * HCR_EL2 with VM, VTCR_EL2, VTTBR_EL2 (VMID 0), the ISB that orders them before the TLBI,
 * TLBI VMALLS12E1 of whatever an earlier context (HCR_EL2.VM=0) left for VMID 0, DSB NSH, ISB.
 */
	.global __pkvm_prot_finalize
	.type __pkvm_prot_finalize, %function
__pkvm_prot_finalize:
	mov	x29, x30
	adrp	x9, hyp_params
	add	x9, x9, :lo12:hyp_params
	mov64	x10, HCR_HOST
	mov64	x11, VTCR_VAL
	adrp	x12, host_s2_pgd	/* VTTBR_EL2: BADDR, VMID 0 */
	stp	x10, x11, [x9]
	str	x12, [x9, #16]
	mov	x0, x9
	mov	x1, #24
	bl	fw_dcache_clean_poc
	adrp	x9, hyp_params
	add	x9, x9, :lo12:hyp_params
	ldp	x10, x11, [x9]
	ldr	x12, [x9, #16]
	msr	hcr_el2, x10
	msr	vtcr_el2, x11
	msr	vttbr_el2, x12
	isb
	.global __pkvm_prot_finalize_tlbi
__pkvm_prot_finalize_tlbi:
	tlbi	vmalls12e1
	dsb	nsh
	isb
	mov	x30, x29
	ret
	.size __pkvm_prot_finalize, . - __pkvm_prot_finalize

/* Lower EL, AArch64, synchronous: the host's HVCs, trapped SMCs and stage 2 aborts. */
	.type hyp_host_sync, %function
hyp_host_sync:
	sub	sp, sp, #CTX_SIZE
	stp	x0, x1, [sp, #0]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	str	x30, [sp, #240]
	mrs	x9, esr_el2
	lsr	x10, x9, #26
	cmp	x10, #0x16
	b.eq	handle_host_hcall
	cmp	x10, #0x17
	b.eq	handle_host_smc
	cmp	x10, #0x24
	b.eq	handle_host_mem_abort
	cmp	x10, #0x20
	b.eq	handle_host_mem_abort
	b	hyp_panic
hyp_host_return:
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	ldr	x30, [sp, #240]
	add	sp, sp, #CTX_SIZE
	eret
	.size hyp_host_sync, . - hyp_host_sync

/* Skip the host's faulting or trapped instruction. */
hyp_skip_insn:
	mrs	x0, elr_el2
	add	x0, x0, #4
	msr	elr_el2, x0
	b	hyp_host_return

/*
 * handle_host_mem_abort: ESR_EL2 says data or instruction abort (EC 0x24/0x20), FAR_EL2 the
 * host's VA, HPFAR_EL2 the IPA's page (FIPA, bits [39:4] = IPA[47:12]), which
 * host_stage2_idmap maps; a page the hyp owns is refused (pKVM would BUG: here EL2 says so
 * and skips the access, so that the run ends cleanly).
 */
	.type handle_host_mem_abort, %function
handle_host_mem_abort:
	mrs	x24, far_el2
	mrs	x0, hpfar_el2
	ubfx	x0, x0, #4, #36
	lsl	x0, x0, #PAGE_SHIFT	/* the IPA's page */
	mov	x19, x0
	mov	x20, x10		/* EC: 0x20 instruction, 0x24 data */
	bl	host_stage2_idmap
	cmp	x0, #IDMAP_PERM
	b.eq	1f
	cmp	x0, #IDMAP_AGAIN
	b.eq	2f
	/* x1 = start, x2 = size, x3 = 1 for memory */
	mov	x21, x1
	mov	x22, x2
	mov	x23, x3
	puts	msg_abort
	cmp	x20, #0x20
	adr	x0, msg_data
	adr	x1, msg_insn
	csel	x0, x1, x0, eq
	bl	fw_puts
	puts	msg_far
	mov	x0, x24
	bl	fw_puthex
	puts	msg_ipa
	mov	x0, x19
	bl	fw_puthex
	puts	msg_idmap
	mov	x0, x21
	bl	fw_puthex
	puts	msg_size
	mov	x0, x22
	bl	fw_puthex
	cmp	x23, #0
	adr	x0, msg_mem
	adr	x1, msg_mmio
	csel	x0, x1, x0, eq
	bl	fw_puts
	b	9f
1:	puts	msg_refused
	mov	x0, x19
	bl	fw_puthex
	puts	msg_refused2
	b	hyp_skip_insn
2:	puts	msg_again
	mov	x0, x19
	bl	fw_puthex
	puts	msg_nl
9:	b	hyp_host_return
	.size handle_host_mem_abort, . - handle_host_mem_abort

/*
 * host_stage2_idmap(x0 = IPA): maps the IPA flat with the largest block (level 1 or 2) that
 * lies within its memory or MMIO range (host_stage2_adjust_range), else a page. Returns
 * x0 = IDMAP_MAPPED with x1 = start, x2 = size, x3 = 1 for memory; IDMAP_AGAIN if a valid
 * entry maps it already; IDMAP_PERM if an invalid descriptor names an owner. Clobbers
 * x0..x17.
 */
	.type host_stage2_idmap, %function
host_stage2_idmap:
	mov	x17, x30
	/* The range: the memblock, or the MMIO gap below or above it. */
	mov	x3, #1
	mov64	x4, RAM_START
	mov64	x5, RAM_END
	cmp	x0, x4
	b.lo	1f
	cmp	x0, x5
	b.lo	2f
	mov	x4, x5			/* above RAM: [RAM_END, 2^IPA_BITS) */
	mov	x5, #1
	lsl	x5, x5, #IPA_BITS
	mov	x3, #0
	b	2f
1:	mov	x5, x4			/* below RAM: [0, RAM_START) */
	mov	x4, #0
	mov	x3, #0
2:	/* Level 1: the root's entry (two concatenated tables: index IPA[39:30]). */
	adrp	x6, host_s2_pgd
	lsr	x7, x0, #30
	add	x6, x6, x7, lsl #3
	ldr	x8, [x6]
	tbz	x8, #0, 3f
	tbz	x8, #1, 8f		/* a valid block: again */
	and	x6, x8, #DESC_ADDR_MASK
	b	4f
3:	cbnz	x8, 9f			/* invalid with an owner */
	mov	x9, #(1 << 30)
	bl	idmap_fits
	b.eq	idmap_block_l1
	bl	s2_alloc_table		/* x6 = the new level 2 table */
	cbz	x6, hyp_panic
	/* Level 2: index IPA[29:21]. */
4:	ubfx	x7, x0, #21, #9
	add	x6, x6, x7, lsl #3
	ldr	x8, [x6]
	tbz	x8, #0, 5f
	tbz	x8, #1, 8f
	and	x6, x8, #DESC_ADDR_MASK
	b	6f
5:	cbnz	x8, 9f
	mov	x9, #(1 << 21)
	bl	idmap_fits
	b.eq	idmap_block
	bl	s2_alloc_table
	cbz	x6, hyp_panic
	/* Level 3: index IPA[20:12]. */
6:	ubfx	x7, x0, #12, #9
	add	x6, x6, x7, lsl #3
	ldr	x8, [x6]
	tbnz	x8, #0, 8f
	cbnz	x8, 9f
	mov	x9, #PAGE_SIZE
	and	x1, x0, #~(PAGE_SIZE - 1)
	mov	x10, #S2_PAGE
	b	7f
idmap_block_l1:
idmap_block:
	mov	x10, #0
7:	/* x1 = start, x9 = size, x6 = the descriptor's address, x10 = page bit */
	cmp	x3, #0
	mov64	x11, S2_MEM
	mov64	x12, S2_DEV
	csel	x11, x12, x11, eq
	orr	x11, x11, x10
	orr	x11, x11, x1
	.global __host_s2_map_store
__host_s2_map_store:
	str	x11, [x6]
	/* kvm_pgtable_stage2_map's DSB ISHST: the walker sees the entry before the host
	 * retries (invalid -> valid: no TLBI; the ERET is the context synchronisation). */
	dsb	ishst
	mov	x2, x9
	mov	x0, #IDMAP_MAPPED
	mov	x30, x17
	ret
8:	mov	x0, #IDMAP_AGAIN
	mov	x30, x17
	ret
9:	mov	x0, #IDMAP_PERM
	mov	x30, x17
	ret
	.size host_stage2_idmap, . - host_stage2_idmap

/* idmap_fits: x1 = x0 aligned down to x9 (a power of two); Z set iff [x1, x1 + x9) lies
 * within [x4, x5). Clobbers x1, x13. */
idmap_fits:
	sub	x13, x9, #1
	bic	x1, x0, x13
	cmp	x1, x4
	b.lo	1f
	add	x13, x1, x9
	cmp	x13, x5
	b.hi	1f
	cmp	xzr, xzr		/* Z = 1 */
	ret
1:	cmp	x9, xzr			/* Z = 0 (x9 > 0) */
	ret

/* s2_alloc_table: a zeroed page from the stage 2 pool, installed as a table at x6 (an empty
 * descriptor: invalid -> valid, no break needed). The zeros are made visible (DSB ISHST)
 * before the table descriptor, as pKVM's smp_store_release orders them. Returns x6 = the
 * table (0 if the pool is empty). Clobbers x13..x16. */
s2_alloc_table:
	adrp	x13, host_s2_pool_next
	ldr	x14, [x13, :lo12:host_s2_pool_next]
	adrp	x15, host_s2_pool_end
	cmp	x14, x15
	b.hs	9f
	add	x15, x14, #PAGE_SIZE
	str	x15, [x13, :lo12:host_s2_pool_next]
	mov	x15, x14
	add	x16, x14, #PAGE_SIZE
3:	stp	xzr, xzr, [x15], #16
	cmp	x15, x16
	b.lo	3b
	dsb	ishst
	orr	x15, x14, #S2_TABLE
	.global __host_s2_table_store
__host_s2_table_store:
	str	x15, [x6]
	mov	x6, x14
	ret
9:	mov	x6, #0
	ret

/* HVCs from the host: x0 = function, x1 = argument. */
	.type handle_host_hcall, %function
handle_host_hcall:
	ldp	x0, x1, [sp, #CTX_X0]
	mov64	x9, HYP_FN_HOST_DONATE
	cmp	x0, x9
	b.ne	1f
	bl	__pkvm_host_donate_hyp
	str	x0, [sp, #CTX_X0]
	b	hyp_host_return
1:	mov64	x0, HVC_STUB_ERR
	str	x0, [sp, #CTX_X0]
	b	hyp_host_return
	.size handle_host_hcall, . - handle_host_hcall

/*
 * __pkvm_host_donate_hyp(x1 = PA of a host page): the host's stage 2 entry for the page
 * becomes an invalid descriptor owned by the hyp. The page lies in a 2 MiB block: it is split
 * into a table of pages first, with break-before-make (D8.14.1: a block replaced by a table
 * needs the invalid step, a DSB, the TLBIs and a DSB). Then the page's own entry is unmapped
 * (valid -> invalid: the TLBI is what removes a cached copy). Returns x0 = 0, or -1 if the
 * page is not mapped for the host.
 */
	.type __pkvm_host_donate_hyp, %function
__pkvm_host_donate_hyp:
	mov	x19, x30
	and	x20, x1, #~(PAGE_SIZE - 1)
	/* Level 1 -> level 2 entry. */
	adrp	x6, host_s2_pgd
	lsr	x7, x20, #30
	ldr	x8, [x6, x7, lsl #3]
	and	x9, x8, #3
	cmp	x9, #S2_TABLE
	b.ne	9f
	and	x6, x8, #DESC_ADDR_MASK
	ubfx	x7, x20, #21, #9
	add	x21, x6, x7, lsl #3	/* x21: the level 2 entry */
	ldr	x8, [x21]
	tbz	x8, #0, 9f
	tbnz	x8, #1, 2f		/* a table already */
	/* A block: the table of its 512 pages, same attributes, before the break. */
	and	x22, x8, #DESC_ADDR_MASK	/* the block's IPA = PA */
	mov	x23, x8
	bic	x23, x23, #DESC_ADDR_MASK
	orr	x23, x23, #S2_PAGE
	adrp	x13, host_s2_pool_next
	ldr	x14, [x13, :lo12:host_s2_pool_next]
	adrp	x15, host_s2_pool_end
	cmp	x14, x15
	b.hs	9f
	add	x15, x14, #PAGE_SIZE
	str	x15, [x13, :lo12:host_s2_pool_next]
	mov	x24, x14		/* x24: the level 3 table */
	mov	x15, x22
	mov	x16, #512
1:	orr	x9, x15, x23
	str	x9, [x14], #8
	add	x15, x15, #PAGE_SIZE
	subs	x16, x16, #1
	b.ne	1b
#ifndef PKVM_S2_BUG_NO_BBM
	/* Break: the block invalid, then __kvm_tlb_flush_vmid_ipa: DSB ISHST, TLBI IPAS2E1IS
	 * of the block (its stage 2 entry), DSB ISH, TLBI VMALLE1IS (combined stage 1 + 2
	 * entries through it), DSB ISH, ISB. */
	.global __host_s2_break_block
__host_s2_break_block:
	str	xzr, [x21]
	dsb	ishst
	lsr	x9, x22, #PAGE_SHIFT
	tlbi	ipas2e1is, x9
	dsb	ish
	tlbi	vmalle1is
	dsb	ish
	isb
#else
	dsb	ishst			/* the table's entries, visible before it */
#endif
	/* Make: the table (its entries were written before the DSB above). */
	orr	x9, x24, #S2_TABLE
	.global __host_s2_install_table
__host_s2_install_table:
	str	x9, [x21]
	dsb	ishst
	mov	x8, x9
	puts	msg_split
	mov	x0, x22
	bl	fw_puthex
	puts	msg_split2
2:	/* The page's level 3 entry: must be the host's, valid. */
	and	x6, x8, #DESC_ADDR_MASK
	ubfx	x7, x20, #12, #9
	add	x21, x6, x7, lsl #3
	ldr	x8, [x21]
	tbz	x8, #0, 9f
	/* Unmap: the entry invalid, owned by the hyp; then the TLB maintenance of
	 * __kvm_tlb_flush_vmid_ipa for the page. */
	mov	x9, #S2_OWNER_HYP
	.global __host_s2_unmap_store
__host_s2_unmap_store:
	str	x9, [x21]
#ifndef PKVM_S2_BUG_NO_DSB
	dsb	ishst
#endif
	lsr	x9, x20, #PAGE_SHIFT
	.global __host_s2_unmap_tlbi
__host_s2_unmap_tlbi:
#ifndef PKVM_S2_BUG_NO_TLBI
	tlbi	ipas2e1is, x9
#endif
	dsb	ish
	tlbi	vmalle1is
	dsb	ish
	isb
	puts	msg_donated
	mov	x0, x20
	bl	fw_puthex
	puts	msg_donated2
	mov	x0, #0
	mov	x30, x19
	ret
9:	mov	x0, #-1
	mov	x30, x19
	ret
	.size __pkvm_host_donate_hyp, . - __pkvm_host_donate_hyp

/* Trapped SMCs (HCR_EL2.TSC; ELR_EL2 is the SMC itself): PSCI SYSTEM_OFF is forwarded to the
 * firmware, as pKVM's host PSCI relay does; anything else returns NOT_SUPPORTED. */
	.type handle_host_smc, %function
handle_host_smc:
	ldr	x0, [sp, #CTX_X0]
	mov64	x9, PSCI_SYSTEM_OFF
	cmp	x0, x9
	b.ne	1f
	puts	msg_off
	psci	PSCI_SYSTEM_OFF
	b	.
1:	mov	x0, #-1
	str	x0, [sp, #CTX_X0]
	b	hyp_skip_insn
	.size handle_host_smc, . - handle_host_smc

hyp_panic:
	puts	msg_panic
	mrs	x0, esr_el2
	bl	fw_puthex
	puts	msg_elr
	mrs	x0, elr_el2
	bl	fw_puthex
	puts	msg_nl
	psci	PSCI_SYSTEM_OFF
	b	.

	.balign 2048
hyp_vectors:
	.rept 8
	b	hyp_panic
	.balign 0x80
	.endr
	b	hyp_host_sync		/* +0x400: lower EL, AArch64, synchronous */
	.balign 0x80
	.rept 7
	b	hyp_panic
	.balign 0x80
	.endr

/* ------------------------------------------------------------------ EL1, the host */
	.type host_entry, %function
host_entry:
	bl	fw_el1_mmu_on
	puts	msg_host
	/* Two pages of the host's buffer: its first touch faults the block in. */
	mov64	x19, HOST_BUF
	mov64	x0, 0x1111
	str	x0, [x19, #0x1000]
	mov64	x0, 0x2222
	str	x0, [x19, #0x2000]
	ldr	x20, [x19, #0x1000]
	puts	msg_read
	mov	x0, x20
	bl	fw_puthex
	puts	msg_nl
	/* Donate the first page to the hyp. */
	mov64	x0, HYP_FN_HOST_DONATE
	mov64	x1, DONATED
	hvc	#0
	cbnz	x0, host_fail
	puts	msg_host_donated
	/* Touch it again: the hyp owns it now (x20 keeps its marker if the load is skipped). */
	mov64	x20, 0xdead
	.global host_reaccess
host_reaccess:
	ldr	x20, [x19, #0x1000]
	puts	msg_read_again
	mov	x0, x20
	bl	fw_puthex
	puts	msg_nl
	/* The rest of the split block is still the host's: its page 2 entry is used (and so
	 * cached) now, then page 2 is donated too, with the table in place: an unmap only. */
	ldr	x20, [x19, #0x2000]
	puts	msg_read_other
	mov	x0, x20
	bl	fw_puthex
	puts	msg_nl
	mov64	x0, HYP_FN_HOST_DONATE
	mov64	x1, DONATED2
	hvc	#0
	cbnz	x0, host_fail
	puts	msg_host_donated2
	mov64	x20, 0xdead
	.global host_reaccess2
host_reaccess2:
	ldr	x20, [x19, #0x2000]
	puts	msg_read_again2
	mov	x0, x20
	bl	fw_puthex
	puts	msg_nl
	puts	msg_done
	psci	PSCI_SYSTEM_OFF
	b	.
host_fail:
	puts	msg_fail
	psci	PSCI_SYSTEM_OFF
	b	.
host_unexpected:
	puts	msg_host_unexpected
	psci	PSCI_SYSTEM_OFF
	b	.
	.size host_entry, . - host_entry

	.balign 2048
host_vectors:
	.rept 16
	b	host_unexpected
	.balign 0x80
	.endr

	.section .rodata
msg_boot:	.asciz	"hyp: EL2, MMU on, building the host stage 2\n"
msg_boot_fail:	.asciz	"hyp: no memory for the tables\n"
msg_empty:	.asciz	"hyp: host stage 2 empty (40-bit IPA, VMID 0)\n"
msg_s2_on:	.asciz	"hyp: host stage 2 on, entering the host\n"
msg_abort:	.asciz	"hyp: host "
msg_data:	.asciz	"data"
msg_insn:	.asciz	"instruction"
msg_far:	.asciz	" abort, FAR_EL2 "
msg_ipa:	.asciz	", IPA "
msg_idmap:	.asciz	": idmap "
msg_size:	.asciz	" size "
msg_mem:	.asciz	" memory\n"
msg_mmio:	.asciz	" device\n"
msg_again:	.asciz	"hyp: IPA already mapped: "
msg_refused:	.asciz	"hyp: host access to IPA "
msg_refused2:	.asciz	", owned by the hyp: refused, skipped\n"
msg_donated:	.asciz	"hyp: page "
msg_donated2:	.asciz	" donated by the host: unmapped\n"
msg_split:	.asciz	"hyp: block "
msg_split2:	.asciz	" split into pages\n"
msg_off:	.asciz	"hyp: host PSCI SYSTEM_OFF, forwarded\n"
msg_panic:	.asciz	"hyp: panic, ESR_EL2 "
msg_elr:	.asciz	" ELR_EL2 "
msg_nl:		.asciz	"\n"
msg_host:	.asciz	"host: EL1, MMU and caches on\n"
msg_read:	.asciz	"host: page 1 holds "
msg_host_donated: .asciz "host: page 1 donated to the hyp\n"
msg_read_again:	.asciz	"host: page 1 read again: "
msg_read_other:	.asciz	"host: page 2 holds "
msg_host_donated2: .asciz "host: page 2 donated to the hyp\n"
msg_read_again2: .asciz	"host: page 2 read again: "
msg_done:	.asciz	"host: done\n"
msg_fail:	.asciz	"host: FAILED\n"
msg_host_unexpected: .asciz "host: unexpected exception\n"

	.section .data
	.balign 64
hyp_params:		/* struct kvm_nvhe_init_params: hcr_el2, vtcr, vttbr */
	.space	64
hyp_pt:
	.space	PT_SIZE
	.balign 8
host_s2_pool_next:
	.quad	host_s2_pool
	.balign PAGE_SIZE
hyp_stack:
	.space	PAGE_SIZE
hyp_stack_end:
	.balign (S2_ROOT_PAGES * PAGE_SIZE)
	.global host_s2_pgd
host_s2_pgd:
	.space	S2_ROOT_PAGES * PAGE_SIZE
	.global host_s2_pool
host_s2_pool:
	.space	S2_POOL_PAGES * PAGE_SIZE
host_s2_pool_end:
hyp_pt_pool:
	.space	HYP_PT_PAGES * PAGE_SIZE
