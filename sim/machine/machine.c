/*
 * machine.c - the pure parts of hypsim's "virt" machine: sizes, the physical map, PSCI.
 */
#include "machine/machine.h"

#include <errno.h>
#include <stdlib.h>

bool mach_parse_size(const char *s, uint64_t *out, const char **why)
{
	char *end;
	if (!s || *s < '0' || *s > '9') {
		*why = "expected a number with an optional K, M or G suffix";
		return false;
	}
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	unsigned shift = 0;
	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'G' || *end == 'g')
		shift = 30;
	if (shift)
		end++;
	if (errno || *end != '\0') {
		*why = "expected a number with an optional K, M or G suffix";
		return false;
	}
	if (v > (MACH_RAM_MAX >> shift)) {
		*why = "larger than the 64G hypsim supports";
		return false;
	}
	uint64_t bytes = (uint64_t)v << shift;
	if (bytes < (UINT64_C(1) << 20)) {
		*why = "smaller than 1M";
		return false;
	}
	if (bytes & 0xfff) {
		*why = "not a multiple of 4K";
		return false;
	}
	*out = bytes;
	return true;
}

static bool inside(uint64_t base, uint64_t size, uint64_t pa, uint64_t len)
{
	return pa >= base && len <= size && pa - base <= size - len;
}

bool mach_ram_base_ok(uint64_t base, const char **why)
{
	if (base & ((UINT64_C(2) << 20) - 1)) {
		*why = "not a multiple of 2 MiB";
		return false;
	}
	if (base >> MACH_PA_BITS) {
		*why = "beyond the 44-bit physical address range of the emulated CPU (Unicorn "
		       "2.0.1's A64 CPUs all report PARange 44 bits)";
		return false;
	}
	return true;
}

bool mach_ram_fits(uint64_t base, uint64_t size, const char **why)
{
	if (base + size > (UINT64_C(1) << MACH_PA_BITS) || base + size < base) {
		*why = "RAM would end beyond the 44-bit physical address range of the emulated CPU";
		return false;
	}
	if (base < MACH_UART_BASE + MACH_UART_SIZE && MACH_UART_BASE < base + size) {
		*why = "RAM would overlap the UART at 0x09000000";
		return false;
	}
	if (base < MACH_GIC_VCPU_BASE + MACH_GIC_REGION_SIZE && MACH_GIC_DIST_BASE < base + size) {
		*why = "RAM would overlap the GIC at 0x08000000-0x0804ffff";
		return false;
	}
	return true;
}

bool mach_pa_in_ram(uint64_t ram_base, uint64_t ram_size, uint64_t pa, uint64_t len)
{
	return inside(ram_base, ram_size, pa, len);
}

bool mach_pa_in_uart(uint64_t pa, uint64_t len)
{
	return inside(MACH_UART_BASE, MACH_UART_SIZE, pa, len);
}

bool mach_pa_in_device(uint64_t pa, uint64_t len)
{
	if (mach_pa_in_uart(pa, len))
		return true;
	for (size_t i = 0; i < sizeof(mach_gic_regions) / sizeof(mach_gic_regions[0]); i++)
		if (inside(mach_gic_regions[i].base, mach_gic_regions[i].size, pa, len))
			return true;
	return false;
}

bool mach_pa_backed(uint64_t ram_base, uint64_t ram_size, uint64_t pa, uint64_t len)
{
	return mach_pa_in_ram(ram_base, ram_size, pa, len) || mach_pa_in_device(pa, len);
}

const struct mach_region mach_gic_regions[4] = {
    {"GICD", MACH_GIC_DIST_BASE, MACH_GIC_REGION_SIZE},
    {"GICC", MACH_GIC_CPU_BASE, MACH_GIC_REGION_SIZE},
    {"GICH", MACH_GIC_HYP_BASE, MACH_GIC_REGION_SIZE},
    {"GICV", MACH_GIC_VCPU_BASE, MACH_GIC_REGION_SIZE},
};

static struct psci_result ret(const char *name, int64_t x0)
{
	return (struct psci_result){.action = PSCI_ACT_RETURN, .x0 = x0, .name = name};
}

/* PSCI target CPUs are named by MPIDR; this machine's CPUs are Aff0 = 0..ncpus-1. */
static bool mpidr_valid(uint64_t mpidr, unsigned ncpus)
{
	return (mpidr & ~UINT64_C(0xff)) == 0 && (mpidr & 0xff) < ncpus;
}

static struct psci_result cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context_id,
                                 const struct psci_machine *m)
{
	if (!mpidr_valid(mpidr, m->ncpus))
		return ret("CPU_ON", PSCI_RET_INVALID_PARAMS);
	unsigned t = (unsigned)(mpidr & 0xff);
	if (m->power[t] == PSCI_POWER_ON)
		return ret("CPU_ON", PSCI_RET_ALREADY_ON);
	if (m->power[t] == PSCI_POWER_ON_PENDING)
		return ret("CPU_ON", PSCI_RET_ON_PENDING);
	/* The CPU enters with its MMU off: the entry is a PA, of an A64 instruction. */
	if ((entry & 3) || !mach_pa_in_ram(m->ram_base, m->ram_size, entry, 4))
		return ret("CPU_ON", PSCI_RET_INVALID_ADDRESS);
	return (struct psci_result){.action = PSCI_ACT_CPU_ON,
	                            .x0 = PSCI_RET_SUCCESS,
	                            .name = "CPU_ON",
	                            .target = t,
	                            .entry = entry,
	                            .context_id = context_id};
}

struct psci_result psci_dispatch(uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3,
                                 const struct psci_machine *m, unsigned cpu)
{
	uint32_t fn = (uint32_t)x0;
	(void)cpu;
	switch (fn) {
	case PSCI_0_2_VERSION:
		return ret("VERSION", (int64_t)PSCI_VERSION_VALUE);
	case PSCI_0_2_SYSTEM_OFF:
		return (struct psci_result){.action = PSCI_ACT_SYSTEM_OFF, .name = "SYSTEM_OFF"};
	case PSCI_0_2_SYSTEM_RESET:
		return (struct psci_result){.action = PSCI_ACT_SYSTEM_RESET,
		                            .name = "SYSTEM_RESET"};
	case PSCI_0_2_CPU_OFF:
		return (struct psci_result){.action = PSCI_ACT_CPU_OFF, .name = "CPU_OFF"};
	case PSCI_0_2_CPU_ON:
		/* SMC32: the arguments are W1..W3. */
		return cpu_on((uint32_t)x1, (uint32_t)x2, (uint32_t)x3, m);
	case PSCI_0_2_CPU_ON_64:
		return cpu_on(x1, x2, x3, m);
	case PSCI_0_2_AFFINITY_INFO:
	case PSCI_0_2_AFFINITY_INFO_64:
		if (fn == PSCI_0_2_AFFINITY_INFO) {
			x1 = (uint32_t)x1;
			x2 = (uint32_t)x2;
		}
		/* x2 = lowest affinity level: only level 0 names a single CPU here. */
		if (x2 != 0 || !mpidr_valid(x1, m->ncpus))
			return ret("AFFINITY_INFO", PSCI_RET_INVALID_PARAMS);
		switch (m->power[x1 & 0xff]) {
		case PSCI_POWER_ON:
			return ret("AFFINITY_INFO", PSCI_AFF_ON);
		case PSCI_POWER_ON_PENDING:
			return ret("AFFINITY_INFO", PSCI_AFF_ON_PENDING);
		default:
			return ret("AFFINITY_INFO", PSCI_AFF_OFF);
		}
	case PSCI_0_2_MIGRATE_INFO_TYPE:
		return ret("MIGRATE_INFO_TYPE", 2 /* no Trusted OS that needs migration */);
	case PSCI_1_0_FEATURES: {
		uint32_t q = (uint32_t)x1;
		bool known = q == PSCI_0_2_VERSION || q == PSCI_0_2_SYSTEM_OFF ||
		             q == PSCI_0_2_SYSTEM_RESET || q == PSCI_0_2_CPU_OFF ||
		             q == PSCI_0_2_CPU_ON || q == PSCI_0_2_CPU_ON_64 ||
		             q == PSCI_0_2_AFFINITY_INFO || q == PSCI_0_2_AFFINITY_INFO_64 ||
		             q == PSCI_0_2_MIGRATE_INFO_TYPE || q == PSCI_1_0_FEATURES;
		return ret("FEATURES", known ? PSCI_RET_SUCCESS : PSCI_RET_NOT_SUPPORTED);
	}
	default:
		return ret("unknown", PSCI_RET_NOT_SUPPORTED);
	}
}
