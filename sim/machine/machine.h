/*
 * machine.h - the "virt" machine hypsim simulates (DESIGN §2), as pure data and functions.
 *
 * Physical map: RAM at 0x4000_0000 (default 256 MiB, --ram), the PL011 UART at 0x0900_0000
 * (machine/pl011.h), the GICv2 distributor, CPU interface, GICH and GICV at 0x0800_0000,
 * 0x0801_0000, 0x0803_0000, 0x0804_0000 (machine/gic.h). Nothing else: any other PA is an
 * External abort. PSCI over SMC is answered here as EL3 firmware would answer it, without any
 * exception entry: psci_dispatch() is pure so its table is unit tested.
 */
#ifndef HYPSIM_SIM_MACHINE_H
#define HYPSIM_SIM_MACHINE_H

#include <stdbool.h>
#include <stdint.h>

#define MACH_RAM_BASE    UINT64_C(0x40000000)
#define MACH_RAM_DEFAULT (UINT64_C(256) << 20)
#define MACH_RAM_MAX     (UINT64_C(64) << 30)
#define MACH_UART_BASE   UINT64_C(0x09000000)
#define MACH_UART_SIZE   UINT64_C(0x1000)
#define MACH_UART_DR     0x00
#define MACH_UART_FR     0x18
/* The GICv2's four frames (machine/gic.h, the addresses of QEMU virt). */
#define MACH_GIC_DIST_BASE   UINT64_C(0x08000000)
#define MACH_GIC_CPU_BASE    UINT64_C(0x08010000)
#define MACH_GIC_HYP_BASE    UINT64_C(0x08030000)
#define MACH_GIC_VCPU_BASE   UINT64_C(0x08040000)
#define MACH_GIC_REGION_SIZE UINT64_C(0x10000)

/* A physical region of the machine (RAM or a device), for layout checks and messages. */
struct mach_region {
	const char *name;
	uint64_t base, size;
};

/*
 * Parse a RAM size: decimal with an optional K, M or G suffix (powers of 1024). Returns
 * false with a reason in *why when it is malformed, not a multiple of 4 KiB, smaller than
 * 1 MiB or larger than MACH_RAM_MAX.
 */
bool mach_parse_size(const char *s, uint64_t *out, const char **why);

/*
 * Physical address size of the CPU hypsim runs: Unicorn 2.0.1's Cortex-A72 (and every other
 * A64 model it has, "max" included) reports ID_AA64MMFR0_EL1.PARange = 44 bits, and its
 * MMU-off accesses above that take an Address size fault. RAM must lie below it.
 */
#define MACH_PA_BITS 44

/*
 * --ram-base: a 2 MiB-aligned PA below 2^MACH_PA_BITS.
 * mach_ram_fits: the whole RAM lies below 2^MACH_PA_BITS and clear of the UART.
 */
bool mach_ram_base_ok(uint64_t base, const char **why);
bool mach_ram_fits(uint64_t base, uint64_t size, const char **why);

/* Whether [pa, pa + len) lies entirely inside RAM of ram_size bytes at ram_base, or
 * inside the UART. */
bool mach_pa_in_ram(uint64_t ram_base, uint64_t ram_size, uint64_t pa, uint64_t len);
bool mach_pa_in_uart(uint64_t pa, uint64_t len);
/* The UART or one of the GIC's frames (mach_gic_regions). */
bool mach_pa_in_device(uint64_t pa, uint64_t len);
extern const struct mach_region mach_gic_regions[4];
bool mach_pa_backed(uint64_t ram_base, uint64_t ram_size, uint64_t pa, uint64_t len);

/* PSCI function ids (SMC Calling Convention, PSCI 1.1, DEN0022). */
#define PSCI_0_2_VERSION           UINT32_C(0x84000000)
#define PSCI_0_2_CPU_SUSPEND       UINT32_C(0x84000001)
#define PSCI_0_2_CPU_OFF           UINT32_C(0x84000002)
#define PSCI_0_2_CPU_ON            UINT32_C(0x84000003)
#define PSCI_0_2_CPU_ON_64         UINT32_C(0xc4000003)
#define PSCI_0_2_AFFINITY_INFO     UINT32_C(0x84000004)
#define PSCI_0_2_AFFINITY_INFO_64  UINT32_C(0xc4000004)
#define PSCI_0_2_MIGRATE_INFO_TYPE UINT32_C(0x84000006)
#define PSCI_0_2_SYSTEM_OFF        UINT32_C(0x84000008)
#define PSCI_0_2_SYSTEM_RESET      UINT32_C(0x84000009)
#define PSCI_1_0_FEATURES          UINT32_C(0x8400000a)

#define PSCI_RET_SUCCESS         0
#define PSCI_RET_NOT_SUPPORTED   (-1)
#define PSCI_RET_INVALID_PARAMS  (-2)
#define PSCI_RET_DENIED          (-3)
#define PSCI_RET_ALREADY_ON      (-4)
#define PSCI_RET_ON_PENDING      (-5)
#define PSCI_RET_INVALID_ADDRESS (-9)

/* AFFINITY_INFO's answers (PSCI DEN0022 §5.7.2). */
#define PSCI_AFF_ON         0
#define PSCI_AFF_OFF        1
#define PSCI_AFF_ON_PENDING 2

/* PSCI 1.1, what QEMU's virt answers too. */
#define PSCI_VERSION_VALUE UINT64_C(0x00010001)

/* The power state of one CPU as EL3 firmware tracks it (PSCI DEN0022 §5.7: ON, OFF,
 * ON_PENDING). ON_PENDING: CPU_ON succeeded, the CPU has not executed yet. */
enum psci_power { PSCI_POWER_OFF, PSCI_POWER_ON_PENDING, PSCI_POWER_ON };

/* The machine as PSCI sees it: its CPUs (MPIDR_EL1 Aff0 = index, Aff1..3 = 0), their power
 * states, and where an entry point may lie (RAM). */
struct psci_machine {
	unsigned ncpus;
	const enum psci_power *power; /* [ncpus] */
	uint64_t ram_base, ram_size;
};

enum psci_action {
	PSCI_ACT_RETURN,       /* write x0 and resume after the SMC */
	PSCI_ACT_SYSTEM_OFF,   /* the run ends cleanly */
	PSCI_ACT_SYSTEM_RESET, /* the machine restarts from the ELF entry */
	PSCI_ACT_CPU_OFF,      /* the calling CPU powers down; the call does not return */
	PSCI_ACT_CPU_ON,       /* x0 = SUCCESS; target becomes ON_PENDING at entry, context */
};

struct psci_result {
	enum psci_action action;
	int64_t x0;       /* the value returned in x0 (RETURN, CPU_ON) */
	const char *name; /* "SYSTEM_OFF", ... or "unknown" */
	/* PSCI_ACT_CPU_ON: the CPU to power up, where it enters and its x0 (context id). */
	unsigned target;
	uint64_t entry, context_id;
};

/*
 * Answer an SMC from CPU cpu as the EL3 firmware of machine m. fn is W0 (SMCCC: the upper
 * half of X0 is ignored); x1..x3 the arguments (only their low 32 bits for SMC32 ids). Any
 * function other than the PSCI ones listed above returns NOT_SUPPORTED.
 *  - CPU_ON (§5.6): INVALID_PARAMETERS for an MPIDR naming no CPU, ALREADY_ON for one that
 *    is on, ON_PENDING for one already powering up, INVALID_ADDRESS for an entry point that
 *    is not a 4-byte aligned address in RAM (the CPU starts with its MMU off), else
 *    PSCI_ACT_CPU_ON.
 *  - AFFINITY_INFO (§5.7): ON, OFF or ON_PENDING of the CPU at lowest affinity level 0;
 *    INVALID_PARAMETERS for another level or no such CPU.
 *  - CPU_OFF (§5.5): the caller powers down.
 */
struct psci_result psci_dispatch(uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3,
                                 const struct psci_machine *m, unsigned cpu);

#endif /* HYPSIM_SIM_MACHINE_H */
