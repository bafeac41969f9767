/*
 * idregs.S - the CPU as the guest sees it (DESIGN §2 "ID registers describe this
 * machine"): prints ID_AA64PFR0_EL1 (EL3 not implemented: [15:12] = 0, as QEMU virt with
 * secure=off), ID_PFR1_EL1 (Security [7:4] = 0), ID_AA64MMFR0_EL1 (PARange 44 bits, the
 * granules Unicorn and the model walk: 4K, 16K, 64K) and CNTFRQ_EL0 (62.5 MHz), one per
 * line, at EL2. Every line but ID_AA64MMFR0's must read the same in QEMU
 * (-M virt,virtualization=on -cpu cortex-a72), whose A72 walks 16K as 4K and says
 * TGran16 = 0.
 */
#include "hypsim-fw.h"

	.section .text.boot, "ax"
	.global _start
	.type _start, %function
_start:
	puts	pfr0
	mrs	x0, id_aa64pfr0_el1
	bl	fw_puthex
	puts	pfr1
	mrs	x0, id_pfr1_el1
	bl	fw_puthex
	puts	mmfr0
	mrs	x0, id_aa64mmfr0_el1
	bl	fw_puthex
	puts	frq
	mrs	x0, cntfrq_el0
	bl	fw_puthex
	puts	nl
	psci	PSCI_SYSTEM_OFF
	.size _start, . - _start

	.section .rodata
pfr0:	.asciz "ID_AA64PFR0_EL1 "
pfr1:	.asciz "\nID_PFR1_EL1 "
mmfr0:	.asciz "\nID_AA64MMFR0_EL1 "
frq:	.asciz "\nCNTFRQ_EL0 "
nl:	.asciz "\n"
