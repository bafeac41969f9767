/*
 * test_exc.c - Check tests of hypsim's exception entry/return model (model/exc.c), suite
 * 'model'. Every case names the Arm ARM (DDI 0487) rule or section it checks; ESR values
 * are the encodings real hardware and Linux logs show (e.g. 0x56000000 for SVC #0 from
 * EL0, 0xf2000800 for Linux's BUG() BRK #0x800, 0x92000007 for a user read of an
 * unmapped page).
 */
#include <check.h>
#include <inttypes.h>

#include "arch.h"
#include "exc.h"

#define HCR_TSC BIT64(19)
#define SPSR_IL BIT64(20)
#define N(a)    ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- D1.10.1: target Exception level ---------------------------------------------------- */

struct target_case {
	const char *rule;
	enum exc_cause cause;
	unsigned from;
	uint64_t hcr;
	unsigned target;
};

static const struct target_case target_cases[] = {
    {"D1.10.1 SVC from EL0 goes to EL1", EXC_CAUSE_SVC, 0, HCR_EL2_RW, 1},
    {"D1.10.1 SVC from EL0 with HCR_EL2.TGE goes to EL2", EXC_CAUSE_SVC, 0,
     HCR_EL2_RW | HCR_EL2_TGE, 2},
    {"D1.10.1 SVC from EL1 stays at EL1", EXC_CAUSE_SVC, 1, HCR_EL2_RW, 1},
    {"D1.10.1 SVC from EL1 with TGE goes to EL2", EXC_CAUSE_SVC, 1, HCR_EL2_TGE, 2},
    {"D1.10.1 SVC from EL2 stays at EL2", EXC_CAUSE_SVC, 2, 0, 2},
    {"D1.10.1 HVC from EL1 goes to EL2", EXC_CAUSE_HVC, 1, HCR_EL2_RW, 2},
    {"D1.10.1 HVC from EL2 stays at EL2", EXC_CAUSE_HVC, 2, 0, 2},
    {"D1.10.1 HVC at EL0 is UNDEFINED: to EL1", EXC_CAUSE_HVC, 0, HCR_EL2_RW, 1},
    {"D1.10.1 HVC at EL0 is UNDEFINED: to EL2 with TGE", EXC_CAUSE_HVC, 0, HCR_EL2_TGE, 2},
    {"D1.10.1 SMC from EL1 goes to EL3", EXC_CAUSE_SMC, 1, HCR_EL2_RW, 3},
    {"D1.10.1 SMC from EL1 with HCR_EL2.TSC traps to EL2", EXC_CAUSE_SMC, 1, HCR_EL2_RW | HCR_TSC,
     2},
    {"D1.10.1 SMC from EL2 goes to EL3 (TSC applies to EL1 only)", EXC_CAUSE_SMC, 2, HCR_TSC, 3},
    {"D1.10.1 SMC at EL0 is UNDEFINED: to EL1", EXC_CAUSE_SMC, 0, HCR_EL2_RW, 1},
    {"D1.10.1 BRK from EL0 goes to EL1", EXC_CAUSE_BRK, 0, HCR_EL2_RW, 1},
    {"D1.10.1 BRK from EL0 with TGE goes to EL2", EXC_CAUSE_BRK, 0, HCR_EL2_TGE, 2},
    {"D1.10.1 BRK from EL1 stays at EL1", EXC_CAUSE_BRK, 1, HCR_EL2_RW, 1},
    {"D1.10.1 BRK from EL2 stays at EL2", EXC_CAUSE_BRK, 2, HCR_EL2_TGE, 2},
    {"D1.10.1 undefined from EL0 goes to EL1", EXC_CAUSE_UNDEFINED, 0, HCR_EL2_RW, 1},
    {"D1.10.1 undefined from EL0 with TGE goes to EL2", EXC_CAUSE_UNDEFINED, 0, HCR_EL2_TGE, 2},
    {"D1.10.1 undefined from EL1 stays at EL1", EXC_CAUSE_UNDEFINED, 1, HCR_EL2_RW, 1},
    {"D1.10.1 undefined from EL2 stays at EL2", EXC_CAUSE_UNDEFINED, 2, 0, 2},
    {"D1.10.1 instruction abort from EL0 goes to EL1", EXC_CAUSE_INSN_ABORT, 0, HCR_EL2_RW, 1},
    {"D1.10.1 instruction abort from EL1 stays at EL1", EXC_CAUSE_INSN_ABORT, 1, HCR_EL2_RW, 1},
    {"D1.10.1 instruction abort from EL2 stays at EL2", EXC_CAUSE_INSN_ABORT, 2, 0, 2},
    {"D1.10.1 data abort from EL0 goes to EL1", EXC_CAUSE_DATA_ABORT, 0, HCR_EL2_RW, 1},
    {"D1.10.1 data abort from EL0 with TGE goes to EL2", EXC_CAUSE_DATA_ABORT, 0,
     HCR_EL2_RW | HCR_EL2_TGE, 2},
    {"D1.10.1 data abort from EL1 stays at EL1 (no stage 2)", EXC_CAUSE_DATA_ABORT, 1,
     HCR_EL2_RW | HCR_EL2_VM, 1},
    {"D1.10.1 data abort from EL2 stays at EL2", EXC_CAUSE_DATA_ABORT, 2, 0, 2},
    {"D1.10.1 PC alignment from EL1 stays at EL1", EXC_CAUSE_PC_ALIGN, 1, HCR_EL2_RW, 1},
    {"D1.10.1 SP alignment from EL2 stays at EL2", EXC_CAUSE_SP_ALIGN, 2, 0, 2},
    {"D1.10.1 SP alignment from EL0 goes to EL1", EXC_CAUSE_SP_ALIGN, 0, HCR_EL2_RW, 1},
    {"D1.11.4 Illegal Execution state at EL2 stays at EL2", EXC_CAUSE_ILLEGAL_STATE, 2, 0, 2},
    {"D1.11.4 Illegal Execution state at EL1 stays at EL1", EXC_CAUSE_ILLEGAL_STATE, 1,
     HCR_EL2_RW, 1},
};

START_TEST(d1_10_1_target_el)
{
	const struct target_case *c = &target_cases[_i];
	unsigned got = exc_target_el(c->cause, c->from, c->hcr);

	ck_assert_msg(got == c->target, "%s: got EL%u", c->rule, got);
}
END_TEST

/* ---- D17.2.37: ESR_ELx ------------------------------------------------------------------- */

struct esr_case {
	const char *rule;
	struct exc_info info;
	unsigned target;
	uint64_t esr;
};

#define FLT(t, l) ((struct fault){(t), (l)})

static const struct esr_case esr_cases[] = {
    {"D17.2.37 HVC #0 from EL1 to EL2: EC 0x16, IL",
     {.cause = EXC_CAUSE_HVC, .from_el = 1},
     2,
     0x5a000000},
    {"D17.2.37 HVC #0x1234 from EL1: ISS = imm16",
     {.cause = EXC_CAUSE_HVC, .from_el = 1, .imm16 = 0x1234},
     2,
     0x5a001234},
    {"D17.2.37 HVC #0xffff from EL2 to EL2",
     {.cause = EXC_CAUSE_HVC, .from_el = 2, .imm16 = 0xffff},
     2,
     0x5a00ffff},
    {"D17.2.37 SVC #0 from EL0 to EL1: EC 0x15",
     {.cause = EXC_CAUSE_SVC, .from_el = 0},
     1,
     0x56000000},
    {"D17.2.37 SVC #7 from EL2 to EL2",
     {.cause = EXC_CAUSE_SVC, .from_el = 2, .imm16 = 7},
     2,
     0x56000007},
    {"D17.2.37 SMC #0 from EL1 trapped to EL2 by TSC: EC 0x17",
     {.cause = EXC_CAUSE_SMC, .from_el = 1},
     2,
     0x5e000000},
    {"D17.2.37 BRK #0x800 (Linux BUG) at EL1: EC 0x3c, comment in ISS[15:0]",
     {.cause = EXC_CAUSE_BRK, .from_el = 1, .imm16 = 0x800},
     1,
     0xf2000800},
    {"D17.2.37 BRK #0 from EL0", {.cause = EXC_CAUSE_BRK, .from_el = 0}, 1, 0xf2000000},
    {"D17.2.37 undefined instruction: EC 0x00, IL RES1",
     {.cause = EXC_CAUSE_UNDEFINED, .from_el = 0},
     1,
     0x02000000},
    {"D17.2.37 HVC at EL0 is reported as EC 0x00",
     {.cause = EXC_CAUSE_HVC, .from_el = 0, .imm16 = 5},
     1,
     0x02000000},
    {"D17.2.37 L3 translation fault, data write at EL2: EC 0x25, WnR, DFSC 0x07",
     {.cause = EXC_CAUSE_DATA_ABORT,
      .from_el = 2,
      .fault = FLT(FAULT_TRANSLATION, 3),
      .write = true},
     2,
     0x96000047},
    {"D17.2.37 L3 translation fault, data read from EL0: EC 0x24",
     {.cause = EXC_CAUSE_DATA_ABORT, .from_el = 0, .fault = FLT(FAULT_TRANSLATION, 3)},
     1,
     0x92000007},
    {"D17.2.37 L3 translation fault, data write from EL0 (user segfault)",
     {.cause = EXC_CAUSE_DATA_ABORT,
      .from_el = 0,
      .fault = FLT(FAULT_TRANSLATION, 3),
      .write = true},
     1,
     0x92000047},
    {"D17.2.37 L3 permission fault, data write at EL1: DFSC 0x0f",
     {.cause = EXC_CAUSE_DATA_ABORT,
      .from_el = 1,
      .fault = FLT(FAULT_PERMISSION, 3),
      .write = true},
     1,
     0x9600004f},
    {"D17.2.37 L2 access flag fault, data read at EL2: DFSC 0x0a",
     {.cause = EXC_CAUSE_DATA_ABORT, .from_el = 2, .fault = FLT(FAULT_ACCESS_FLAG, 2)},
     2,
     0x9600000a},
    {"D17.2.37 L0 address size fault at EL2: DFSC 0x00",
     {.cause = EXC_CAUSE_DATA_ABORT, .from_el = 2, .fault = FLT(FAULT_ADDRESS_SIZE, 0)},
     2,
     0x96000000},
    {"D17.2.37 external abort on L1 walk at EL2: DFSC 0x15",
     {.cause = EXC_CAUSE_DATA_ABORT, .from_el = 2, .fault = FLT(FAULT_EXTERNAL_WALK, 1)},
     2,
     0x96000015},
    {"D17.2.37 synchronous external abort at EL2: DFSC 0x10",
     {.cause = EXC_CAUSE_DATA_ABORT, .from_el = 2, .fault = FLT(FAULT_EXTERNAL, 0)},
     2,
     0x96000010},
    {"D17.2.37 alignment fault (MMU off, Device) at EL2: DFSC 0x21",
     {.cause = EXC_CAUSE_DATA_ABORT, .from_el = 2, .fault = FLT(FAULT_ALIGNMENT, 0), .write = true},
     2,
     0x96000061},
    {"D17.2.37 TLB conflict abort at EL2: DFSC 0x30",
     {.cause = EXC_CAUSE_DATA_ABORT, .from_el = 2, .fault = FLT(FAULT_TLB_CONFLICT, 0)},
     2,
     0x96000030},
    {"D17.2.37 DC CVAC translation fault at EL1: CM=1 and WnR=1",
     {.cause = EXC_CAUSE_DATA_ABORT,
      .from_el = 1,
      .fault = FLT(FAULT_TRANSLATION, 3),
      .cache_maint = true},
     1,
     0x96000147},
    {"D17.2.37 DC IVAC permission fault at EL2: CM=1 and WnR=1",
     {.cause = EXC_CAUSE_DATA_ABORT,
      .from_el = 2,
      .fault = FLT(FAULT_PERMISSION, 2),
      .write = true,
      .cache_maint = true},
     2,
     0x9600014e},
    {"D17.2.37 S1PTW is reported when set",
     {.cause = EXC_CAUSE_DATA_ABORT,
      .from_el = 1,
      .fault = FLT(FAULT_TRANSLATION, 1),
      .s1ptw = true},
     2,
     0x92000085},
    {"D17.2.37 L3 translation fault on fetch at EL1: EC 0x21, IFSC 0x07",
     {.cause = EXC_CAUSE_INSN_ABORT, .from_el = 1, .fault = FLT(FAULT_TRANSLATION, 3)},
     1,
     0x86000007},
    {"D17.2.37 fetch from EL0 of an unmapped page: EC 0x20",
     {.cause = EXC_CAUSE_INSN_ABORT, .from_el = 0, .fault = FLT(FAULT_TRANSLATION, 3)},
     1,
     0x82000007},
    {"D17.2.37 L2 permission fault on fetch at EL2 (XN): IFSC 0x0e",
     {.cause = EXC_CAUSE_INSN_ABORT, .from_el = 2, .fault = FLT(FAULT_PERMISSION, 2)},
     2,
     0x8600000e},
    {"D17.2.37 instruction abort ignores WnR/CM",
     {.cause = EXC_CAUSE_INSN_ABORT,
      .from_el = 2,
      .fault = FLT(FAULT_TRANSLATION, 0),
      .write = true,
      .cache_maint = true},
     2,
     0x86000004},
    {"D17.2.37 PC alignment fault: EC 0x22, ISS RES0",
     {.cause = EXC_CAUSE_PC_ALIGN, .from_el = 1, .far = 0x1002},
     1,
     0x8a000000},
    {"D17.2.37 SP alignment fault: EC 0x26, ISS RES0",
     {.cause = EXC_CAUSE_SP_ALIGN, .from_el = 2},
     2,
     0x9a000000},
    {"D17.2.37 trapped MRS CNTPCT_EL0, x1: EC 0x18, ISS Op0/Op2/Op1/CRn/Rt/CRm/Dir",
     {.cause = EXC_CAUSE_SYSREG_TRAP, .from_el = 0, .iss = 0x32f821},
     1,
     0x6232f821},
    {"D17.2.37 Illegal Execution state: EC 0x0e, IL 1, ISS RES0",
     {.cause = EXC_CAUSE_ILLEGAL_STATE, .from_el = 2},
     2,
     0x3a000000},
};

START_TEST(d17_2_37_esr_encodings)
{
	const struct esr_case *c = &esr_cases[_i];
	uint64_t esr = exc_esr(&c->info, c->target);

	ck_assert_msg(esr == c->esr, "%s: got 0x%08" PRIx64 ", want 0x%08" PRIx64, c->rule, esr,
	              c->esr);
}
END_TEST

START_TEST(d17_2_37_fault_status_codes)
{
	/* DFSC/IFSC (ISS[5:0]) of every fault kind at every level it can occur at. */
	for (int l = 0; l <= 3; l++) {
		ck_assert_uint_eq(exc_fsc(FLT(FAULT_ADDRESS_SIZE, l)), 0x00 + (unsigned)l);
		ck_assert_uint_eq(exc_fsc(FLT(FAULT_TRANSLATION, l)), 0x04 + (unsigned)l);
		ck_assert_uint_eq(exc_fsc(FLT(FAULT_ACCESS_FLAG, l)), 0x08 + (unsigned)l);
		ck_assert_uint_eq(exc_fsc(FLT(FAULT_PERMISSION, l)), 0x0c + (unsigned)l);
		ck_assert_uint_eq(exc_fsc(FLT(FAULT_EXTERNAL_WALK, l)), 0x14 + (unsigned)l);
	}
	ck_assert_uint_eq(exc_fsc(FLT(FAULT_EXTERNAL, 0)), 0x10);
	ck_assert_uint_eq(exc_fsc(FLT(FAULT_ALIGNMENT, 0)), 0x21);
	ck_assert_uint_eq(exc_fsc(FLT(FAULT_TLB_CONFLICT, 0)), 0x30);
}
END_TEST

/* ---- D1.10.2: vector offsets ------------------------------------------------------------- */

struct vec_case {
	const char *rule;
	enum exc_kind kind;
	unsigned from, target;
	bool spx, a64;
	uint64_t off;
};

static const struct vec_case vec_cases[] = {
    {"D1.10.2 current EL with SP_EL0, synchronous", EXC_SYNC, 2, 2, false, true, 0x000},
    {"D1.10.2 current EL with SP_EL0, IRQ", EXC_IRQ, 1, 1, false, true, 0x080},
    {"D1.10.2 current EL with SP_EL0, FIQ", EXC_FIQ, 2, 2, false, true, 0x100},
    {"D1.10.2 current EL with SP_EL0, SError", EXC_SERROR, 2, 2, false, true, 0x180},
    {"D1.10.2 current EL with SP_ELx, synchronous", EXC_SYNC, 2, 2, true, true, 0x200},
    {"D1.10.2 current EL with SP_ELx, IRQ", EXC_IRQ, 2, 2, true, true, 0x280},
    {"D1.10.2 current EL with SP_ELx, FIQ", EXC_FIQ, 1, 1, true, true, 0x300},
    {"D1.10.2 current EL with SP_ELx, SError", EXC_SERROR, 2, 2, true, true, 0x380},
    {"D1.10.2 lower EL AArch64, synchronous (EL1 to EL2)", EXC_SYNC, 1, 2, true, true, 0x400},
    {"D1.10.2 lower EL AArch64, synchronous (EL0 to EL1)", EXC_SYNC, 0, 1, false, true, 0x400},
    {"D1.10.2 lower EL AArch64, IRQ", EXC_IRQ, 0, 2, false, true, 0x480},
    {"D1.10.2 lower EL AArch64, FIQ", EXC_FIQ, 1, 2, true, true, 0x500},
    {"D1.10.2 lower EL AArch64, SError", EXC_SERROR, 1, 2, false, true, 0x580},
    {"D1.10.2 lower EL AArch32, synchronous", EXC_SYNC, 1, 2, true, false, 0x600},
    {"D1.10.2 lower EL AArch32, IRQ", EXC_IRQ, 0, 1, false, false, 0x680},
    {"D1.10.2 lower EL AArch32, FIQ", EXC_FIQ, 1, 2, false, false, 0x700},
    {"D1.10.2 lower EL AArch32, SError", EXC_SERROR, 1, 2, false, false, 0x780},
};

START_TEST(d1_10_2_vector_offsets)
{
	const struct vec_case *c = &vec_cases[_i];
	uint64_t off = exc_vector_offset(c->kind, c->from, c->target, c->spx, c->a64);

	ck_assert_msg(off == c->off, "%s: got 0x%" PRIx64, c->rule, off);
}
END_TEST

/* ---- D1.10: exc_take --------------------------------------------------------------------- */

#define VBAR1   UINT64_C(0x40081000)
#define VBAR2   UINT64_C(0x40080000)
#define NZCV_ZC (UINT64_C(6) << 28)

START_TEST(d1_10_take_hvc_from_el1)
{
	/* AArch64.TakeException: SPSR_EL2 = PSTATE, ELR_EL2 = preferred return address (the
	 * instruction after HVC), PSTATE = EL2h with DAIF masked, PC = VBAR_EL2 + 0x400. */
	struct exc_info info = {.cause = EXC_CAUSE_HVC, .from_el = 1, .imm16 = 0};
	struct exc_cpu cpu = {.pstate = NZCV_ZC | PSTATE_M_EL1H, /* DAIF clear */
	                      .pc = 0x40201004,
	                      .hcr_el2 = HCR_EL2_RW,
	                      .vbar_el1 = VBAR1,
	                      .vbar_el2 = VBAR2};
	struct exc_entry e = exc_take(&info, &cpu);

	ck_assert_uint_eq(e.target_el, 2);
	ck_assert_uint_eq(e.esr, 0x5a000000);
	ck_assert_uint_eq(e.elr, 0x40201004);
	ck_assert_uint_eq(e.spsr, NZCV_ZC | PSTATE_M_EL1H);
	ck_assert(!e.far_valid);
	ck_assert_uint_eq(e.vector, VBAR2 + 0x400);
	ck_assert_uint_eq(e.new_pstate, NZCV_ZC | PSTATE_DAIF | PSTATE_M_EL2H);
}
END_TEST

START_TEST(d1_10_take_data_abort_at_el2)
{
	/* Same EL with SP_EL2 selected: VBAR_EL2 + 0x200; FAR_EL2 = faulting VA. */
	struct exc_info info = {.cause = EXC_CAUSE_DATA_ABORT,
	                        .from_el = 2,
	                        .fault = FLT(FAULT_TRANSLATION, 3),
	                        .write = true,
	                        .far = UINT64_C(0x0000dead0000beef)};
	struct exc_cpu cpu = {.pstate = PSTATE_DAIF | PSTATE_M_EL2H | BIT64(21) | SPSR_IL,
	                      .pc = 0x40100010,
	                      .vbar_el2 = VBAR2};
	struct exc_entry e = exc_take(&info, &cpu);

	ck_assert_uint_eq(e.target_el, 2);
	ck_assert_uint_eq(e.esr, 0x96000047);
	ck_assert(e.far_valid);
	ck_assert_uint_eq(e.far, UINT64_C(0x0000dead0000beef));
	ck_assert_uint_eq(e.vector, VBAR2 + 0x200);
	ck_assert_uint_eq(e.elr, 0x40100010);
	/* SS and IL are cleared on entry; SPSR keeps them. */
	ck_assert_uint_eq(e.new_pstate, PSTATE_DAIF | PSTATE_M_EL2H);
	ck_assert_uint_eq(e.spsr, cpu.pstate);
}
END_TEST

START_TEST(d1_10_take_on_sp_el0)
{
	/* EL2t (SPSel=0): the "current EL with SP_EL0" row, VBAR_EL2 + 0x000. */
	struct exc_info info = {.cause = EXC_CAUSE_BRK, .from_el = 2, .imm16 = 1};
	struct exc_cpu cpu = {
	    .pstate = UINT64_C(0x8) | PSTATE_DAIF, .pc = 0x40100000, .vbar_el2 = VBAR2};
	struct exc_entry e = exc_take(&info, &cpu);

	ck_assert_uint_eq(e.vector, VBAR2);
	ck_assert_uint_eq(e.esr, 0xf2000001);
	ck_assert_uint_eq(e.new_pstate, PSTATE_DAIF | PSTATE_M_EL2H);
}
END_TEST

START_TEST(d1_10_take_svc_from_el0_tge)
{
	/* D1.10.1: with HCR_EL2.TGE=1 an SVC from EL0 goes to EL2 (lower EL row, VBAR_EL2);
	 * without it to EL1 (VBAR_EL1). */
	struct exc_info info = {.cause = EXC_CAUSE_SVC, .from_el = 0, .imm16 = 0};
	struct exc_cpu cpu = {.pstate = 0,
	                      .pc = 0x400004,
	                      .hcr_el2 = HCR_EL2_RW | HCR_EL2_TGE,
	                      .vbar_el1 = VBAR1,
	                      .vbar_el2 = VBAR2};
	struct exc_entry e = exc_take(&info, &cpu);

	ck_assert_uint_eq(e.target_el, 2);
	ck_assert_uint_eq(e.vector, VBAR2 + 0x400);
	ck_assert_uint_eq(e.new_pstate, PSTATE_DAIF | PSTATE_M_EL2H);
	ck_assert_uint_eq(e.esr, 0x56000000);
	cpu.hcr_el2 = HCR_EL2_RW;
	e = exc_take(&info, &cpu);
	ck_assert_uint_eq(e.target_el, 1);
	ck_assert_uint_eq(e.vector, VBAR1 + 0x400);
	ck_assert_uint_eq(e.new_pstate, PSTATE_DAIF | PSTATE_M_EL1H);
}
END_TEST

START_TEST(d1_10_take_far_only_for_aborts_and_pc_alignment)
{
	/* FAR_ELx is written for Instruction/Data Aborts and PC alignment faults only
	 * (D17.2.40); SP alignment, SVC, BRK... leave it UNKNOWN/unchanged. */
	static const struct {
		enum exc_cause cause;
		bool far;
	} cases[] = {
	    {EXC_CAUSE_INSN_ABORT, true}, {EXC_CAUSE_DATA_ABORT, true}, {EXC_CAUSE_PC_ALIGN, true},
	    {EXC_CAUSE_SP_ALIGN, false},  {EXC_CAUSE_SVC, false},       {EXC_CAUSE_BRK, false},
	    {EXC_CAUSE_UNDEFINED, false}, {EXC_CAUSE_HVC, false},
	};
	for (int i = 0; i < N(cases); i++) {
		struct exc_info info = {.cause = cases[i].cause,
		                        .from_el = 1,
		                        .fault = FLT(FAULT_TRANSLATION, 2),
		                        .far = 0x1003};
		struct exc_cpu cpu = {.pstate = PSTATE_M_EL1H,
		                      .hcr_el2 = HCR_EL2_RW,
		                      .vbar_el1 = VBAR1,
		                      .vbar_el2 = VBAR2};
		struct exc_entry e = exc_take(&info, &cpu);

		ck_assert_msg(e.far_valid == cases[i].far, "%s", exc_cause_name(cases[i].cause));
		if (cases[i].far)
			ck_assert_uint_eq(e.far, 0x1003);
	}
}
END_TEST

/* ---- D1.11.3: ERET ----------------------------------------------------------------------- */

struct eret_case {
	const char *rule;
	uint64_t spsr;
	unsigned cur;
	uint64_t hcr;
	bool illegal;
	unsigned el;
	bool spx;
	uint64_t pstate;
};

static const struct eret_case eret_cases[] = {
    {"D1.11.3 EL2 to EL1h with HCR_EL2.RW=1 is legal", 0x3c5, 2, HCR_EL2_RW, false, 1, true, 0x3c5},
    {"D1.11.3 EL2 to EL1t is legal", 0x3c4, 2, HCR_EL2_RW, false, 1, false, 0x3c4},
    {"D1.11.3 EL2 to EL2h is legal", 0x600003c9, 2, 0, false, 2, true, 0x600003c9},
    {"D1.11.3 EL2 to EL2t is legal", 0x3c8, 2, 0, false, 2, false, 0x3c8},
    {"D1.11.3 EL2 to EL0 is legal with RW=1", 0x0, 2, HCR_EL2_RW, false, 0, false, 0x0},
    {"D1.11.3 EL2 to EL0 with TGE=1 is legal", 0x0, 2, HCR_EL2_TGE, false, 0, false, 0x0},
    {"D1.11.3 EL1 to EL0 is legal", 0x80000000, 1, HCR_EL2_RW, false, 0, false, 0x80000000},
    {"D1.11.3 EL1 to EL1h is legal", 0x3c5, 1, HCR_EL2_RW, false, 1, true, 0x3c5},
    {"D1.11.3 a legal return restores SPSR.IL", 0x3c5 | SPSR_IL, 2, HCR_EL2_RW, false, 1, true,
     0x3c5 | SPSR_IL},
    /* Illegal: PSTATE.EL and SP unchanged, IL set, other fields from SPSR. */
    {"D1.11.3 EL2 to AArch64 EL1 with HCR_EL2.RW=0 (EL1 is AArch32) is illegal", 0x600003c5, 2, 0,
     true, 2, true, 0x600003c9 | SPSR_IL},
    {"D1.11.3 EL2 to EL0 with RW=0 and TGE=0 is illegal", 0x0, 2, 0, true, 2, true, 0x9 | SPSR_IL},
    {"D1.11.3 EL2 to EL1 with HCR_EL2.TGE=1 is illegal", 0x3c5, 2, HCR_EL2_RW | HCR_EL2_TGE, true,
     2, true, 0x3c9 | SPSR_IL},
    {"D1.11.3 EL2 to EL3 (higher EL) is illegal", 0x3cd, 2, HCR_EL2_RW, true, 2, true,
     0x3c9 | SPSR_IL},
    {"D1.11.3 EL1 to EL2 (higher EL) is illegal", 0x3c9, 1, HCR_EL2_RW, true, 1, true,
     0x3c5 | SPSR_IL},
    {"D1.11.3 return to AArch32 (SPSR.M[4]=1, not modelled) is illegal", 0x1d3, 2, HCR_EL2_RW, true,
     2, true, 0x1c9 | SPSR_IL},
    {"D1.11.3 SPSR.M=0b0001 (EL0 with SP_ELx) is illegal", 0x3c1, 1, HCR_EL2_RW, true, 1, true,
     0x3c5 | SPSR_IL},
    {"D1.11.3 SPSR.M[1]=1 is a reserved mode: illegal", 0x3c6, 2, HCR_EL2_RW, true, 2, true,
     0x3c9 | SPSR_IL},
};

START_TEST(d1_11_3_eret)
{
	const struct eret_case *c = &eret_cases[_i];
	struct eret_result r = exc_eret(c->spsr, c->cur, c->hcr);

	ck_assert_msg(r.illegal == c->illegal, "%s: illegal=%d", c->rule, r.illegal);
	ck_assert_msg(r.target_el == c->el, "%s: EL%u", c->rule, r.target_el);
	ck_assert_msg(r.spx == c->spx, "%s: spx=%d", c->rule, r.spx);
	ck_assert_msg(r.new_pstate == c->pstate, "%s: pstate 0x%" PRIx64, c->rule, r.new_pstate);
}
END_TEST

/* D17.2.37 ISS for EC 0x18: MRS CNTPCT_EL0 (3, 3, 14, 0, 1) into x1 is 0x32f821; the same
 * as MSR CNTHCTL_EL2 (3, 4, 14, 1, 0) from x30 with Direction 0. */
START_TEST(d17_2_37_sysreg_iss)
{
	ck_assert_uint_eq(exc_sysreg_iss(3, 3, 14, 0, 1, 1, true), 0x32f821);
	ck_assert_uint_eq(exc_sysreg_iss(3, 4, 14, 1, 0, 30, false),
	                  3u << 20 | 4u << 14 | 14u << 10 | 30u << 5 | 1u << 1);
}
END_TEST

/* A trap control of EL2 (CNTHCTL_EL2) sends an EL1 access to EL2; one of EL1
 * (CNTKCTL_EL1) sends an EL0 access to EL1, or to EL2 when HCR_EL2.TGE routes EL1's
 * exceptions there (D1.10.1). */
START_TEST(d13_sysreg_trap_target_el)
{
	struct exc_info info = {.cause = EXC_CAUSE_SYSREG_TRAP, .from_el = 1, .trap_el = 2,
	                        .iss = 0x32f801};
	struct exc_cpu cpu = {.pstate = 0x3c5, .pc = 0x1000, .hcr_el2 = HCR_EL2_RW,
	                      .vbar_el1 = 0x10000, .vbar_el2 = 0x20000};
	struct exc_entry e = exc_take(&info, &cpu);
	ck_assert_uint_eq(e.target_el, 2);
	ck_assert_uint_eq(e.esr, 0x6232f801);
	ck_assert_uint_eq(e.vector, 0x20400); /* lower EL, AArch64, synchronous */
	info = (struct exc_info){.cause = EXC_CAUSE_SYSREG_TRAP, .from_el = 0, .trap_el = 1};
	cpu.pstate = 0x0;
	ck_assert_uint_eq(exc_take(&info, &cpu).target_el, 1);
	cpu.hcr_el2 = HCR_EL2_RW | HCR_EL2_TGE;
	ck_assert_uint_eq(exc_take(&info, &cpu).target_el, 2);
}
END_TEST

START_TEST(names)
{
	static const unsigned ecs[] = {EC_UNKNOWN,  EC_WFX,      EC_ILLEGAL_STATE, EC_SVC64,
	                               EC_HVC64,    EC_SMC64,    EC_SYS64,         EC_IABT_LOW,
	                               EC_IABT_CUR, EC_PC_ALIGN, EC_DABT_LOW,      EC_DABT_CUR,
	                               EC_SP_ALIGN, EC_SERROR,   EC_BRK64};
	for (int i = 0; i < N(ecs); i++)
		for (int j = i + 1; j < N(ecs); j++)
			ck_assert_str_ne(exc_ec_name(ecs[i]), exc_ec_name(ecs[j]));
	ck_assert_str_eq(exc_ec_name(0x3f), "reserved/unmodelled EC");
	for (int i = EXC_CAUSE_SVC; i <= EXC_CAUSE_SYSREG_TRAP; i++)
		for (int j = i + 1; j <= EXC_CAUSE_SYSREG_TRAP; j++)
			ck_assert_str_ne(exc_cause_name((enum exc_cause)i),
			                 exc_cause_name((enum exc_cause)j));
	ck_assert_str_eq(exc_cause_name(EXC_CAUSE_HVC), "hvc");
}
END_TEST

/*
 * D17.2 ESR_ELx, ISS encoding for a Data Abort, ISV: a stage 2 Data Abort taken to EL2
 * carries the instruction syndrome (SAS, SSE, SRT, SF, AR) for loads and stores of a single
 * general-purpose register, Acquire/Release ones included; none for pairs, writeback,
 * exclusives, PRFM or SIMD&FP registers. Encodings from the cross assembler.
 */
static const struct {
	uint32_t enc, iss;
} dabt_syndromes[] = {
	{0xf9400274, 0x1d48000}, /* ldr x20, [x19] */
	{0xf9000274, 0x1d48000}, /* str x20, [x19] */
	{0x39400c41, 0x1010000}, /* ldrb w1, [x2, #3] */
	{0xb9800083, 0x1a38000}, /* ldrsw x3, [x4] */
	{0x79c000c5, 0x1650000}, /* ldrsh w5, [x6] */
	{0xf85f8107, 0x1c78000}, /* ldur x7, [x8, #-8] */
	{0xb8400949, 0x1890000}, /* ldtr w9, [x10] */
	{0xf86d698b, 0x1cb8000}, /* ldr x11, [x12, x13] */
	{0xc8dffdee, 0x1cec000}, /* ldar x14, [x15] */
	{0x889ffe30, 0x1904000}, /* stlr w16, [x17] */
	{0x58000012, 0x1d28000}, /* ldr x18, <literal> */
	{0x98000001, 0x1a18000}, /* ldrsw x1, <literal> */
	{0x18000003, 0x1830000}, /* ldr w3, <literal> */
	{0x78227820, 0x1400000}, /* strh w0, [x1, x2, lsl #1] */
	{0x39800062, 0x1228000}, /* ldrsb x2, [x3] */
	{0xf900043f, 0x1df8000}, /* str xzr, [x1, #8] */
	{0xa9400440, 0},         /* ldp x0, x1, [x2] */
	{0xf8408420, 0},         /* ldr x0, [x1], #8 */
	{0xf8408c20, 0},         /* ldr x0, [x1, #8]! */
	{0xc85f7c20, 0},         /* ldxr x0, [x1] */
	{0xf9800000, 0},         /* prfm pldl1keep, [x0] */
	{0x3dc00020, 0},         /* ldr q0, [x1] */
};

START_TEST(d17_2_dabt_instruction_syndrome)
{
	for (unsigned i = 0; i < sizeof(dabt_syndromes) / sizeof(dabt_syndromes[0]); i++)
		ck_assert_msg(exc_dabt_insn_syndrome(dabt_syndromes[i].enc) == dabt_syndromes[i].iss,
		              "0x%08x: ISS[24:14] 0x%x, expected 0x%x", dabt_syndromes[i].enc,
		              exc_dabt_insn_syndrome(dabt_syndromes[i].enc), dabt_syndromes[i].iss);
}
END_TEST

/* ISV only for a stage 2 fault taken to EL2 that is not on a stage 1 walk: a stage 1 Data
 * Abort (to EL1 or EL2) and an S1PTW fault have ISV = 0. */
START_TEST(d17_2_dabt_isv_only_for_stage2)
{
	struct exc_info info = {.cause = EXC_CAUSE_DATA_ABORT, .from_el = 1,
	                        .fault = {.type = FAULT_TRANSLATION, .level = 3},
	                        .stage2 = true, .insn_valid = true, .insn = 0xf9400274};
	ck_assert_uint_eq(exc_esr(&info, 2), 0x93d48007u);
	info.s1ptw = true;
	ck_assert_uint_eq(exc_esr(&info, 2) & ISS_DABT_ISV, 0);
	info.s1ptw = false;
	info.stage2 = false;
	ck_assert_uint_eq(exc_esr(&info, 1), 0x96000007u);
	ck_assert_uint_eq(exc_esr(&info, 2) & ISS_DABT_ISV, 0);
}
END_TEST

static Suite *exc_suite(void)
{
	Suite *s = suite_create("exc");
	TCase *tc;

	tc = tcase_create("routing");
	tcase_add_loop_test(tc, d1_10_1_target_el, 0, N(target_cases));
	tcase_add_loop_test(tc, d1_10_2_vector_offsets, 0, N(vec_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("esr");
	tcase_add_loop_test(tc, d17_2_37_esr_encodings, 0, N(esr_cases));
	tcase_add_test(tc, d17_2_37_fault_status_codes);
	suite_add_tcase(s, tc);

	tc = tcase_create("entry-return");
	tcase_add_test(tc, d1_10_take_hvc_from_el1);
	tcase_add_test(tc, d1_10_take_data_abort_at_el2);
	tcase_add_test(tc, d1_10_take_on_sp_el0);
	tcase_add_test(tc, d1_10_take_svc_from_el0_tge);
	tcase_add_test(tc, d1_10_take_far_only_for_aborts_and_pc_alignment);
	tcase_add_loop_test(tc, d1_11_3_eret, 0, N(eret_cases));
	tcase_add_test(tc, d17_2_37_sysreg_iss);
	tcase_add_test(tc, d13_sysreg_trap_target_el);
	tcase_add_test(tc, names);
	tcase_add_test(tc, d17_2_dabt_instruction_syndrome);
	tcase_add_test(tc, d17_2_dabt_isv_only_for_stage2);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(exc_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
