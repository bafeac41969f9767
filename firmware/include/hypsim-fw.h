/*
 * hypsim-fw.h - shared definitions for hypsim's firmware (assembly, included by .S files).
 *
 * The machine is QEMU's `virt` with virtualization=on (DESIGN §2): RAM at 0x4000_0000,
 * PL011 UART data register at 0x0900_0000, PSCI through SMC. Every firmware boots at EL2h
 * with the MMU and caches off and ends with PSCI SYSTEM_OFF, so the same ELF runs in
 * `sim run` and in qemu-system-aarch64.
 */
#ifndef HYPSIM_FW_H
#define HYPSIM_FW_H

#define UART_BASE 0x09000000
#define UART_DR 0x00
#define UART_FR 0x18
#define UART_FR_TXFF (1 << 5)

#define PSCI_VERSION 0x84000000
#define PSCI_CPU_OFF 0x84000002
#define PSCI_CPU_ON_64 0xc4000003
#define PSCI_AFFINITY_INFO_64 0xc4000004
#define PSCI_SYSTEM_OFF 0x84000008
#define PSCI_SYSTEM_RESET 0x84000009

/* SCTLR_ELx bits (Arm ARM D17.2.118/120) */
#define SCTLR_M (1 << 0)
#define SCTLR_C (1 << 2)
#define SCTLR_I (1 << 12)
#define SCTLR_EL2_RES1 0x30c50830
#define SCTLR_EL1_RES1 0x30d00800

#define HCR_RW (1 << 31)

/* MAIR attribute indices used by every hypsim firmware. */
#define MT_DEVICE_nGnRnE 0 /* attr 0x00 */
#define MT_NORMAL_WB 1	   /* attr 0xff */
#define MT_NORMAL_NC 2	   /* attr 0x44 */
#define MAIR_VALUE 0x44ff00

/* 4K-granule descriptor bits */
#define PTE_VALID (1 << 0)
#define PTE_TABLE (1 << 1) /* table at L0-L2, page at L3 */
#define PTE_BLOCK (0 << 1)
#define PTE_ATTRIDX(n) ((n) << 2)
#define PTE_AP_RO (1 << 7)
#define PTE_SH_INNER (3 << 8)
#define PTE_AF (1 << 10)

#ifdef __ASSEMBLER__

/* Load a 64-bit constant with movz/movk (no literal pool, position independent). */
.macro mov64 reg, val
	movz	\reg, #((\val) & 0xffff)
	movk	\reg, #(((\val) >> 16) & 0xffff), lsl #16
	movk	\reg, #(((\val) >> 32) & 0xffff), lsl #32
	movk	\reg, #(((\val) >> 48) & 0xffff), lsl #48
.endm

/* PSCI call through SMC: function id in w0, arguments in x1..x3. */
.macro psci fn
	mov64	x0, \fn
	smc	#0
.endm

/* Print the NUL-terminated string at label \str (clobbers x0, x1, x2). */
.macro puts str
	adr	x0, \str
	bl	fw_puts
.endm

#endif /* __ASSEMBLER__ */
#endif /* HYPSIM_FW_H */
