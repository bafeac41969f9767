/*
 * decode.c - encoding -> model event tables (see decode.h). Every row cites the operation
 * by its Arm ARM name; the unit test (sim/machine/tests/test_decode.c) checks each row against
 * encodings produced by the assembler.
 */
#include "machine/decode.h"

#include <stddef.h>

/* Arm ARM D17 register encodings (op0 = 3) of the registers the model tracks. */
static const struct {
	uint8_t op1, crn, crm, op2;
	enum sysreg_id id;
} sysregs[] = {
    {0, 1, 0, 0, SR_SCTLR_EL1}, {4, 1, 0, 0, SR_SCTLR_EL2}, {0, 2, 0, 0, SR_TTBR0_EL1},
    {0, 2, 0, 1, SR_TTBR1_EL1}, {4, 2, 0, 0, SR_TTBR0_EL2}, {0, 2, 0, 2, SR_TCR_EL1},
    {4, 2, 0, 2, SR_TCR_EL2},   {0, 10, 2, 0, SR_MAIR_EL1}, {4, 10, 2, 0, SR_MAIR_EL2},
    {0, 12, 0, 0, SR_VBAR_EL1}, {4, 12, 0, 0, SR_VBAR_EL2}, {4, 1, 1, 0, SR_HCR_EL2},
    {4, 2, 1, 2, SR_VTCR_EL2},  {4, 2, 1, 0, SR_VTTBR_EL2},
};

bool dec_sysreg(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2,
                enum sysreg_id *out)
{
	if (op0 != 3)
		return false;
	for (size_t i = 0; i < sizeof(sysregs) / sizeof(sysregs[0]); i++)
		if (sysregs[i].op1 == op1 && sysregs[i].crn == crn && sysregs[i].crm == crm &&
		    sysregs[i].op2 == op2) {
			*out = sysregs[i].id;
			return true;
		}
	return false;
}

#define ENC(op1, crn, crm, op2) (((op1) << 12) | ((crn) << 8) | ((crm) << 4) | (op2))

/* Arm ARM C5.3: TLB maintenance instructions (SYS op0 = 1, CRn = 8). */
static const struct {
	uint16_t enc;
	enum tlbi_op op;
} tlbis[] = {
    {ENC(4, 8, 7, 0), TLBI_ALLE2},      {ENC(4, 8, 3, 0), TLBI_ALLE2IS},
    {ENC(4, 8, 7, 1), TLBI_VAE2},       {ENC(4, 8, 3, 1), TLBI_VAE2IS},
    {ENC(4, 8, 7, 5), TLBI_VALE2},      {ENC(4, 8, 3, 5), TLBI_VALE2IS},
    {ENC(4, 8, 7, 4), TLBI_ALLE1},      {ENC(4, 8, 3, 4), TLBI_ALLE1IS},
    {ENC(0, 8, 7, 0), TLBI_VMALLE1},    {ENC(0, 8, 3, 0), TLBI_VMALLE1IS},
    {ENC(4, 8, 7, 6), TLBI_VMALLS12E1}, {ENC(4, 8, 3, 6), TLBI_VMALLS12E1IS},
    {ENC(0, 8, 7, 1), TLBI_VAE1},       {ENC(0, 8, 3, 1), TLBI_VAE1IS},
    {ENC(0, 8, 7, 5), TLBI_VALE1},      {ENC(0, 8, 3, 5), TLBI_VALE1IS},
    {ENC(0, 8, 7, 3), TLBI_VAAE1},      {ENC(0, 8, 3, 3), TLBI_VAAE1IS},
    {ENC(0, 8, 7, 7), TLBI_VAALE1},     {ENC(0, 8, 3, 7), TLBI_VAALE1IS},
    {ENC(0, 8, 7, 2), TLBI_ASIDE1},     {ENC(0, 8, 3, 2), TLBI_ASIDE1IS},
    {ENC(4, 8, 4, 1), TLBI_IPAS2E1},    {ENC(4, 8, 0, 1), TLBI_IPAS2E1IS},
    {ENC(4, 8, 4, 5), TLBI_IPAS2LE1},   {ENC(4, 8, 0, 5), TLBI_IPAS2LE1IS},
};

/* Arm ARM C5.3: data cache maintenance (CRn = 7). */
static const struct {
	uint16_t enc;
	enum dc_op op;
} dcs[] = {
    {ENC(0, 7, 6, 1), DC_IVAC},  {ENC(0, 7, 6, 2), DC_ISW},   {ENC(0, 7, 10, 2), DC_CSW},
    {ENC(0, 7, 14, 2), DC_CISW}, {ENC(3, 7, 4, 1), DC_ZVA},   {ENC(3, 7, 10, 1), DC_CVAC},
    {ENC(3, 7, 11, 1), DC_CVAU}, {ENC(3, 7, 12, 1), DC_CVAP}, {ENC(3, 7, 14, 1), DC_CIVAC},
};

/* Arm ARM C5.3: instruction cache maintenance. */
static const struct {
	uint16_t enc;
	enum ic_op op;
} ics[] = {
    {ENC(0, 7, 1, 0), IC_IALLUIS},
    {ENC(0, 7, 5, 0), IC_IALLU},
    {ENC(3, 7, 5, 1), IC_IVAU},
};

/* Arm ARM C5.3: address translation, stage 1 only (CRn = 7, CRm = 8). */
static const struct {
	uint16_t enc;
	enum at_op op;
} ats[] = {
    {ENC(0, 7, 8, 0), AT_S1E1R}, {ENC(0, 7, 8, 1), AT_S1E1W}, {ENC(0, 7, 8, 2), AT_S1E0R},
    {ENC(0, 7, 8, 3), AT_S1E0W}, {ENC(4, 7, 8, 0), AT_S1E2R}, {ENC(4, 7, 8, 1), AT_S1E2W},
};

#define FIND(tab, key, out)                                                                        \
	for (size_t i_ = 0; i_ < sizeof(tab) / sizeof(tab[0]); i_++)                               \
		if (tab[i_].enc == (key)) {                                                        \
			out = tab[i_].op;                                                          \
			found = true;                                                              \
			break;                                                                     \
		}

bool dec_sys(unsigned op1, unsigned crn, unsigned crm, unsigned op2, uint64_t xt,
             struct model_event *ev)
{
	if (op1 > 7 || crn > 15 || crm > 15 || op2 > 7)
		return false;
	unsigned key = ENC(op1, crn, crm, op2);
	bool found = false;
	if (crn == 8) {
		enum tlbi_op op = TLBI_OP_COUNT;
		FIND(tlbis, key, op);
		if (found) {
			ev->kind = EV_TLBI;
			ev->u.tlbi.op = op;
			ev->u.tlbi.arg = xt;
		}
		return found;
	}
	if (crn != 7)
		return false;
	enum dc_op dc = DC_OP_COUNT;
	FIND(dcs, key, dc);
	if (found) {
		ev->kind = EV_DC;
		ev->u.dc.op = dc;
		ev->u.dc.arg = xt;
		return true;
	}
	enum ic_op ic = IC_OP_COUNT;
	FIND(ics, key, ic);
	if (found) {
		ev->kind = EV_IC;
		ev->u.ic.op = ic;
		ev->u.ic.va = ic == IC_IVAU ? xt : 0;
		return true;
	}
	enum at_op at = AT_OP_COUNT;
	FIND(ats, key, at);
	if (found) {
		ev->kind = EV_AT;
		ev->u.at.op = at;
		ev->u.at.va = xt;
	}
	return found;
}

bool dec_barrier(uint32_t enc, struct model_event *ev)
{
	/* C6.2: 1101 0101 0000 0011 0011 CRm op2 11111; op2 = 100 DSB, 101 DMB, 110 ISB. */
	if (!dec_barrier_space(enc))
		return false;
	unsigned crm = (enc >> 8) & 0xf, op2 = (enc >> 5) & 7;
	if (op2 == 6) {
		ev->kind = EV_ISB;
		return true;
	}
	if (op2 != 4 && op2 != 5)
		return false;
	if ((crm & 3) == 0) {
		if (op2 == 4 && (crm == 0 || crm == 4))
			return false; /* SSBB, PSSBB */
		/* Reserved option values behave as SY (C6.2 DSB/DMB "option"). */
		crm = 0xf;
	}
	static const enum barrier_domain dom[4] = {DOM_OSH, DOM_NSH, DOM_ISH, DOM_SY};
	static const enum barrier_type type[4] = {BAR_ALL, BAR_LD, BAR_ST, BAR_ALL};
	ev->kind = op2 == 4 ? EV_DSB : EV_DMB;
	ev->u.barrier.dom = dom[crm >> 2];
	ev->u.barrier.type = type[crm & 3];
	return true;
}

bool dec_is_load_store(uint32_t enc)
{
	/* C4.1 Table C4-1: op0 = x1x0 is the Loads and Stores group. */
	return (enc & 0x0a000000) == 0x08000000;
}

bool dec_is_sys_reg(uint32_t enc, bool *is_msr)
{
	/* C5.2: MSR (register) 1101 0101 0001 ..., MRS 1101 0101 0011 ... (op0 = 2 or 3). */
	if ((enc & 0xffd00000) != 0xd5100000)
		return false;
	*is_msr = !(enc & (1u << 21));
	return true;
}

bool dec_is_sys(uint32_t enc)
{
	/* SYS 1101 0101 0000 1..., SYSL 1101 0101 0010 1... (op0 = 1). */
	return (enc & 0xffd80000) == 0xd5080000;
}

void dec_sys_fields(uint32_t enc, unsigned *op0, unsigned *op1, unsigned *crn, unsigned *crm,
                    unsigned *op2)
{
	*op0 = (enc >> 19) & 3;
	*op1 = (enc >> 16) & 7;
	*crn = (enc >> 12) & 0xf;
	*crm = (enc >> 8) & 0xf;
	*op2 = (enc >> 5) & 7;
}
