/*
 * decode.h - hypsim's mapping from what Unicorn 2.0.1 hands a hook (an instruction
 * encoding, or the op0/op1/CRn/CRm/op2 of an MSR/SYS instruction) to the model's events
 * (model/model.h). Pure: no Unicorn, no state, so the tables are unit tested (suite 'sim').
 *
 * Encodings follow the Arm ARM (DDI 0487): C5.3 "A64 system instructions for cache
 * maintenance, address translation and TLB maintenance" (SYS with op0 = 1: TLBI at CRn 8,
 * DC/IC/AT at CRn 7), C5.2 / D17 for the system registers (op0 = 3), and C6.2 DSB / DMB /
 * ISB for the barriers, whose CRm option field names the domain and access types.
 * Barriers are decoded from the encoding because UC_HOOK_INSN does not fire for them
 * (UNICORN-2.0.1.md).
 */
#ifndef HYPSIM_SIM_DECODE_H
#define HYPSIM_SIM_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"

/* The model's register for an MSR/MRS encoding, or false when the model does not track it. */
bool dec_sysreg(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2,
                enum sysreg_id *out);

/*
 * A SYS instruction (op0 = 1) with Xt = xt: fills ev->kind and its operands for the TLBI,
 * DC, IC and AT operations the model knows. Returns false for any other operation (ev
 * untouched): TLBI *OS, AT S12E*, S1E3* and other SYS encodings are not modelled.
 */
bool dec_sys(unsigned op1, unsigned crn, unsigned crm, unsigned op2, uint64_t xt,
             struct model_event *ev);

/*
 * DSB, DMB or ISB: fills ev->kind and ev->u.barrier. False for any other encoding,
 * including the speculation barriers SSBB/PSSBB (DSB encodings with CRm 0b0000/0b0100),
 * which order nothing the model follows.
 */
bool dec_barrier(uint32_t enc, struct model_event *ev);

/* Whether enc lies in the space of DSB, DMB and ISB (C6.2: 0xd503301f with CRm and op2), the
 * only encodings dec_barrier can accept: a cheap test for every instruction fetched. */
static inline bool dec_barrier_space(uint32_t enc)
{
	return (enc & 0xfffff01f) == 0xd503301f;
}

/* Instruction classes, for hypsim's cross-check of what Unicorn executed. */
bool dec_is_load_store(uint32_t enc);            /* C4.1 "Loads and Stores" group */
bool dec_is_sys_reg(uint32_t enc, bool *is_msr); /* MSR/MRS (register form) */
bool dec_is_sys(uint32_t enc);                   /* SYS/SYSL: op0 = 1 */
/* The op0..op2 fields of an MSR/MRS/SYS encoding. */
void dec_sys_fields(uint32_t enc, unsigned *op0, unsigned *op1, unsigned *crn, unsigned *crm,
                    unsigned *op2);

#endif /* HYPSIM_SIM_DECODE_H */
