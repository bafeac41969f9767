/*
 * s2-abort.S - issue 19: stage 2 aborts of an EL1 guest taken to EL2, as pKVM's host stage 2
 * takes the host's. EL2 gives its EL1 a stage 2 (VTCR_EL2: 32-bit IPA, 4K granule, start at
 * level 1; VTTBR_EL2 VMID 1; HCR_EL2.VM) that maps IPA = PA in 2 MiB blocks except:
 *   IPA 0x47e0_0000: no entry - the EL1 load there is a stage 2 Translation fault (level 2),
 *     EL2 maps the block (invalid -> valid: a DSB, no TLBI; the ERET synchronises) and the
 *     load is retried, as pKVM's host_stage2_idmap does;
 *   IPA 0x47c0_0000: no entry - EL1 branches there: an instruction abort, mapped the same way;
 *   IPA 0x47a0_0000: read-only (S2AP = 01) - the EL1 store is a stage 2 Permission fault,
 *     EL2 skips it; the load after it reads the block.
 *   IPA 0x4780_0000: no entry - EL1's stage 1 level 2 table of VAs [2 GiB, 3 GiB) lives
 *     there (VA 2 GiB + n -> IPA 1 GiB + n): EL1's load at VA 0x87e0_0010 faults in its
 *     stage 1 walk's read of that table: S1PTW = 1, FAR_EL2 the VA, HPFAR_EL2 the table's
 *     IPA, the level of the stage 2 lookup (AArch64.S2Walk's fault record); once EL2 has
 *     mapped it, the same load faults on its output IPA 0x47e0_0010 (above).
 * EL1 starts with its stage 1 off (IPA = VA), then turns it on with VA = IPA for [0, 2 GiB)
 * (its level 1 table in mapped memory: the fetches after the MSR give the same PA in the old
 * and the new context). Each abort is printed at EL2 with ESR_EL2 (EC
 * 0x24/0x20: from a lower EL), FAR_EL2 (the VA), HPFAR_EL2 (FIPA = IPA[47:12] in bits
 * [43:4], D17.2 HPFAR_EL2) and ELR_EL2, as QEMU virt prints them.
 */
#include "hypsim-fw.h"

#define IPA_LAZY_DATA 0x47e00010
#define IPA_LAZY_CODE 0x47c00000
#define IPA_RO 0x47a00008
#define IPA_S1_L2 0x47800000
#define VA_VIA_L2 0x87e00010
/* EL1's stage 1: 39-bit VA (start at level 1), 4K, non-cacheable walks, TTBR1 walks off
 * (EPD1), 32-bit IPA. */
#define TCR_EL1_VAL ((1 << 23) | 25)
#define BLOCK_DEVICE (PTE_VALID | PTE_BLOCK | PTE_ATTRIDX(MT_DEVICE_nGnRnE) | PTE_AF)
#define BLOCK_NORMAL (PTE_VALID | PTE_BLOCK | PTE_ATTRIDX(MT_NORMAL_WB) | PTE_SH_INNER | PTE_AF)

/* VTCR_EL2: RES1 bit 31, PS 0 (32-bit PA), TG0 4K, SH0/ORGN0/IRGN0 0 (non-cacheable
 * walks: tables written with the MMU off need no maintenance), SL0 1 (level 1), T0SZ 32. */
#define VTCR_VAL ((1 << 31) | (1 << 6) | 32)
/* Stage 2 block descriptors (D8.3 stage 2 attributes): valid, MemAttr[5:2], S2AP[7:6]
 * (01 read-only, 11 read/write), SH[9:8] inner, AF[10]. */
#define S2_NORMAL (1 | (0xf << 2) | (3 << 6) | (3 << 8) | (1 << 10))
#define S2_NORMAL_RO (1 | (0xf << 2) | (1 << 6) | (3 << 8) | (1 << 10))
#define S2_DEVICE (1 | (0 << 2) | (3 << 6) | (1 << 10))
#define HCR_VM (1 << 0)

	.section .text.boot, "ax"
	.global _start
	.type _start, %function
_start:
	puts	msg_boot
	adr	x0, el2_vectors
	msr	vbar_el2, x0
	/* Data behind the blocks EL1 reads, and the code EL1 calls (mov x0, #42; ret). */
	mov64	x1, IPA_LAZY_DATA
	mov64	x0, 0x1111
	str	x0, [x1]
	mov64	x1, IPA_RO
	mov64	x0, 0x2222
	str	x0, [x1]
	mov64	x1, IPA_LAZY_CODE
	mov64	x0, 0xd65f03c0d2800540
	str	x0, [x1]
	/* EL1's level 1 table: [0, 1 GiB) Device, [1 GiB, 2 GiB) Normal, VA = IPA; [2 GiB,
	 * 3 GiB) through the level 2 table at IPA_S1_L2 (VA 2 GiB + n -> IPA 1 GiB + n). */
	adr	x1, s1_l1
	mov64	x0, BLOCK_DEVICE
	str	x0, [x1, #0 * 8]
	mov64	x0, (0x40000000 | BLOCK_NORMAL)
	str	x0, [x1, #1 * 8]
	mov64	x0, (IPA_S1_L2 | PTE_VALID | PTE_TABLE)
	str	x0, [x1, #2 * 8]
	mov64	x1, IPA_S1_L2
	mov64	x0, (0x40000000 | BLOCK_NORMAL)
	mov	x2, #512
	mov	x3, #0x200000
1:	str	x0, [x1], #8
	add	x0, x0, x3
	subs	x2, x2, #1
	b.ne	1b
	/* Stage 2: level 1 [0, 1 GiB) Device, [1 GiB, 2 GiB) through s2_l2. */
	adr	x1, s2_l2
	mov64	x0, (0x40000000 | S2_NORMAL)
	mov	x2, #512
	mov	x3, #0x200000
1:	str	x0, [x1], #8
	add	x0, x0, x3
	subs	x2, x2, #1
	b.ne	1b
	adr	x1, s2_l2
	str	xzr, [x1, #63 * 8]	/* IPA 0x47e0_0000: not mapped yet */
	str	xzr, [x1, #62 * 8]	/* IPA 0x47c0_0000: not mapped yet */
	str	xzr, [x1, #60 * 8]	/* IPA 0x4780_0000: not mapped yet */
	mov64	x0, (0x47a00000 | S2_NORMAL_RO)
	str	x0, [x1, #61 * 8]	/* IPA 0x47a0_0000: read-only */
	adr	x1, s2_l1
	mov64	x0, S2_DEVICE
	str	x0, [x1, #0 * 8]
	adr	x0, s2_l2
	orr	x0, x0, #3		/* table */
	str	x0, [x1, #1 * 8]
	dsb	sy
	mov64	x0, VTCR_VAL
	msr	vtcr_el2, x0
	mov64	x0, (1 << 48)		/* VMID 1 */
	orr	x0, x0, x1
	msr	vttbr_el2, x0
	mov64	x0, (HCR_RW | HCR_VM)
	msr	hcr_el2, x0
	isb
	tlbi	vmalls12e1
	dsb	ish
	/* EL1: stage 1 off, its own vectors; EL1h with DAIF masked. */
	mov64	x0, SCTLR_EL1_RES1
	msr	sctlr_el1, x0
	adr	x0, el1_vectors
	msr	vbar_el1, x0
	adr	x0, el1_entry
	msr	elr_el2, x0
	mov	x0, #0x3c5
	msr	spsr_el2, x0
	eret
	.size _start, . - _start

	.type el1_entry, %function
el1_entry:
	puts	msg_el1
	mov64	x0, MAIR_VALUE
	msr	mair_el1, x0
	mov64	x0, TCR_EL1_VAL
	msr	tcr_el1, x0
	adr	x0, s1_l1
	msr	ttbr0_el1, x0
	isb
	mov64	x0, (SCTLR_EL1_RES1 | SCTLR_M)
	msr	sctlr_el1, x0
	isb
	puts	msg_s1_on
	puts	msg_load
	mov64	x19, VA_VIA_L2
	ldr	x20, [x19]
	puts	msg_value
	mov	x0, x20
	bl	fw_puthex
	puts	msg_nl
	puts	msg_call
	mov64	x19, IPA_LAZY_CODE
	mov	x0, #0
	blr	x19
	mov	x20, x0
	puts	msg_value
	mov	x0, x20
	bl	fw_puthex
	puts	msg_nl
	puts	msg_store
	mov64	x19, IPA_RO
	mov	x20, #0x3333
	str	x20, [x19]
	ldr	x20, [x19]
	puts	msg_value
	mov	x0, x20
	bl	fw_puthex
	puts	msg_nl
	puts	msg_done
	psci	PSCI_SYSTEM_OFF
	b	.
	.size el1_entry, . - el1_entry

	.type el2_lower_sync, %function
/* Lower EL, AArch64, synchronous. ESR_EL2 is printed whole: EC, IL, WnR, S1PTW, the
 * DFSC/IFSC and, for a stage 2 data abort of a single register load or store, the
 * instruction syndrome (ISV, SAS, SSE, SRT, SF, AR) must agree with QEMU's. A Translation
 * fault maps the IPA's 2 MiB block (IPA = PA) and retries; a Permission fault skips the
 * instruction. */
el2_lower_sync:
	/* EL1's x0-x4 and x30 (fw_puts/fw_puthex clobber them) live in x23-x28 meanwhile. */
	mov	x23, x0
	mov	x24, x1
	mov	x25, x2
	mov	x26, x3
	mov	x27, x4
	mov	x28, x30
	mrs	x9, esr_el2
	lsr	x10, x9, #26
	cmp	x10, #0x24
	b.eq	1f
	cmp	x10, #0x20
	b.ne	el2_unexpected
1:	puts	msg_esr
	mov	x0, x9
	bl	fw_puthex
	puts	msg_far
	mrs	x0, far_el2
	bl	fw_puthex
	puts	msg_hpfar
	mrs	x0, hpfar_el2
	bl	fw_puthex
	puts	msg_elr
	mrs	x0, elr_el2
	bl	fw_puthex
	puts	msg_nl
	ubfx	x10, x9, #2, #4		/* FSC[5:2]: 0b0001 Translation, 0b0011 Permission */
	cmp	x10, #1
	b.eq	2f
	cmp	x10, #3
	b.ne	el2_unexpected
	mrs	x0, elr_el2
	add	x0, x0, #4
	msr	elr_el2, x0
	b	3f
2:	mrs	x0, hpfar_el2
	lsl	x0, x0, #8		/* FIPA [43:4] -> IPA [51:12] */
	and	x0, x0, #0xffffffffffe00000	/* its 2 MiB block */
	mov64	x13, 0x40000000
	sub	x11, x0, x13
	lsr	x11, x11, #21		/* index in s2_l2 */
	adr	x12, s2_l2
	mov64	x10, S2_NORMAL
	orr	x0, x0, x10
	str	x0, [x12, x11, lsl #3]
	dsb	ish
3:	mov	x0, x23
	mov	x1, x24
	mov	x2, x25
	mov	x3, x26
	mov	x4, x27
	mov	x30, x28
	eret
	.size el2_lower_sync, . - el2_lower_sync

	.type el2_unexpected, %function
el2_unexpected:
	puts	msg_unexpected
	psci	PSCI_SYSTEM_OFF
	.size el2_unexpected, . - el2_unexpected

	.type el1_unexpected, %function
el1_unexpected:
	puts	msg_el1_unexpected
	psci	PSCI_SYSTEM_OFF
	.size el1_unexpected, . - el1_unexpected

	.balign 2048
el2_vectors:
	.rept 8
	b	el2_unexpected
	.balign 128
	.endr
	b	el2_lower_sync		/* +0x400: lower EL, AArch64, synchronous */
	.balign 128
	.rept 7
	b	el2_unexpected
	.balign 128
	.endr

	.balign 2048
el1_vectors:
	.rept 16
	b	el1_unexpected
	.balign 128
	.endr

	.section .rodata
msg_boot:	.asciz "s2-abort: EL2, stage 2 for EL1 (VMID 1)\n"
msg_el1:	.asciz "s2-abort: EL1\n"
msg_s1_on:	.asciz "s2-abort: EL1 stage 1 on\n"
msg_load:	.asciz "s2-abort: load through a stage 1 table, to an IPA, that stage 2 does not map yet\n"
msg_call:	.asciz "s2-abort: call code at an IPA stage 2 does not map yet\n"
msg_store:	.asciz "s2-abort: store to a read-only IPA, then load it\n"
msg_value:	.asciz "s2-abort: value "
msg_done:	.asciz "s2-abort: done\n"
msg_esr:	.asciz "  stage 2 abort: ESR_EL2="
msg_far:	.asciz " FAR_EL2="
msg_hpfar:	.asciz " HPFAR_EL2="
msg_elr:	.asciz " ELR_EL2="
msg_nl:		.asciz "\n"
msg_unexpected:	.asciz "s2-abort: unexpected exception at EL2\n"
msg_el1_unexpected: .asciz "s2-abort: unexpected exception at EL1\n"

	.section .data
	.balign 4096
s1_l1:	.space 4096
s2_l1:	.space 4096
s2_l2:	.space 4096
