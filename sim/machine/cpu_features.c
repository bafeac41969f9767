/*
 * cpu_features.c - the CPU hypsim presents (cpu_features.h) and the ID register values
 * that describe it.
 */
#include "cpu_features.h"

struct cpu_features cpu_features_hypsim(void)
{
	return (struct cpu_features){
	    .el2 = true,
	    .el3 = false,
	    .pa_bits = CPU_A72_PA_BITS,
	    .tgran4 = true,
	    .tgran16 = true,
	    .tgran64 = true,
	    .feat_ets = false,
	};
}

enum cpu_id_reg cpu_id_reg_decode(unsigned op0, unsigned op1, unsigned crn, unsigned crm,
                                  unsigned op2)
{
	if (op0 != 3 || op1 != 0 || crn != 0)
		return CPU_ID_NONE;
	if (crm == 4 && op2 == 0)
		return CPU_ID_AA64PFR0_EL1;
	if (crm == 7 && op2 == 0)
		return CPU_ID_AA64MMFR0_EL1;
	if (crm == 1 && op2 == 1)
		return CPU_ID_PFR1_EL1;
	if (crm == 1 && op2 == 2)
		return CPU_ID_DFR0_EL1;
	return CPU_ID_NONE;
}

int cpu_parange_of(unsigned pa_bits)
{
	static const unsigned bits[] = {32, 36, 40, 42, 44, 48, 52};
	for (int i = 0; i < (int)(sizeof(bits) / sizeof(bits[0])); i++)
		if (bits[i] == pa_bits)
			return i;
	return -1;
}

static uint64_t set_field(uint64_t v, unsigned shift, uint64_t field)
{
	return (v & ~(UINT64_C(0xf) << shift)) | (field & 0xf) << shift;
}

uint64_t cpu_id_value(const struct cpu_features *f, enum cpu_id_reg reg, uint64_t base)
{
	switch (reg) {
	case CPU_ID_AA64PFR0_EL1: {
		/* EL2/EL3 [11:8]/[15:12]: 0 not implemented, 1 AArch64 only, 2 both. */
		uint64_t el2 = (base >> 8) & 0xf, el3 = (base >> 12) & 0xf;
		base = set_field(base, 8, f->el2 ? (el2 ? el2 : 1) : 0);
		return set_field(base, 12, f->el3 ? (el3 ? el3 : 1) : 0);
	}
	case CPU_ID_PFR1_EL1: {
		/* Security [7:4]: 0 when EL3 (the Security Extensions) is not implemented. */
		uint64_t sec = (base >> 4) & 0xf;
		return set_field(base, 4, f->el3 ? (sec ? sec : 1) : 0);
	}
	case CPU_ID_DFR0_EL1: {
		/* CopSDbg [7:4], coprocessor-based Secure debug: there is no Secure state to
		 * debug without EL3 (QEMU clears it too when EL3 is absent). */
		uint64_t sdbg = (base >> 4) & 0xf;
		return set_field(base, 4, f->el3 ? (sdbg ? sdbg : 1) : 0);
	}
	case CPU_ID_AA64MMFR0_EL1: {
		int pa = cpu_parange_of(f->pa_bits);
		base = set_field(base, 0, pa < 0 ? 0 : (uint64_t)pa);
		base = set_field(base, 28, f->tgran4 ? 0 : 0xf);
		base = set_field(base, 24, f->tgran64 ? 0 : 0xf);
		return set_field(base, 20, f->tgran16 ? 1 : 0);
	}
	case CPU_ID_NONE:
		break;
	}
	return base;
}
