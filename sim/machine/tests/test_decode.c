/*
 * test_decode.c - hypsim's encoding -> model event mapping (sim/machine/decode.c). Every encoding
 * below was produced by aarch64-linux-gnu-as from the assembly in its comment; the event it
 * must give is the Arm ARM's meaning of that instruction (C5.3 system instructions for
 * cache maintenance, address translation and TLB maintenance; C6.2 DSB/DMB/ISB; D17 system
 * register encodings).
 */
#include <check.h>
#include <stdlib.h>

#include "machine/decode.h"

/* Decode a SYS encoding as Unicorn's UC_HOOK_INSN would hand it over. */
static bool sys(uint32_t enc, uint64_t xt, struct model_event *ev)
{
	unsigned op0, op1, crn, crm, op2;
	dec_sys_fields(enc, &op0, &op1, &crn, &crm, &op2);
	ck_assert_uint_eq(op0, 1);
	return dec_sys(op1, crn, crm, op2, xt, ev);
}

/* Arm ARM C5.3 TLB maintenance: every EL2 and EL1 form the model knows, by encoding. */
START_TEST(test_c5_3_tlbi_encodings)
{
	static const struct {
		uint32_t enc;
		enum tlbi_op op;
	} cases[] = {
	    {0xd50c871f, TLBI_ALLE2},     /* tlbi alle2 */
	    {0xd50c831f, TLBI_ALLE2IS},   /* tlbi alle2is */
	    {0xd50c8720, TLBI_VAE2},      /* tlbi vae2, x0 */
	    {0xd50c83a1, TLBI_VALE2IS},   /* tlbi vale2is, x1 */
	    {0xd508871f, TLBI_VMALLE1},   /* tlbi vmalle1 */
	    {0xd5088322, TLBI_VAE1IS},    /* tlbi vae1is, x2 */
	    {0xd50c8023, TLBI_IPAS2E1IS}, /* tlbi ipas2e1is, x3 */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct model_event ev = {0};
		ck_assert_msg(sys(cases[i].enc, 0x1234, &ev), "0x%08x", cases[i].enc);
		ck_assert_int_eq(ev.kind, EV_TLBI);
		ck_assert_int_eq(ev.u.tlbi.op, cases[i].op);
		ck_assert_uint_eq(ev.u.tlbi.arg, 0x1234);
	}
}
END_TEST

/* C5.3 data and instruction cache maintenance, AT stage 1. */
START_TEST(test_c5_3_dc_ic_at_encodings)
{
	static const struct {
		uint32_t enc;
		enum ev_kind kind;
		int op;
	} cases[] = {
	    {0xd50b7a20, EV_DC, DC_CVAC},    /* dc cvac, x0 */
	    {0xd50b7e20, EV_DC, DC_CIVAC},   /* dc civac, x0 */
	    {0xd5087620, EV_DC, DC_IVAC},    /* dc ivac, x0 */
	    {0xd50b7420, EV_DC, DC_ZVA},     /* dc zva, x0 */
	    {0xd50b7b20, EV_DC, DC_CVAU},    /* dc cvau, x0 */
	    {0xd5087e40, EV_DC, DC_CISW},    /* dc cisw, x0 */
	    {0xd508751f, EV_IC, IC_IALLU},   /* ic iallu */
	    {0xd508711f, EV_IC, IC_IALLUIS}, /* ic ialluis */
	    {0xd50b7520, EV_IC, IC_IVAU},    /* ic ivau, x0 */
	    {0xd50c7800, EV_AT, AT_S1E2R},   /* at s1e2r, x0 */
	    {0xd5087820, EV_AT, AT_S1E1W},   /* at s1e1w, x0 */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct model_event ev = {0};
		ck_assert_msg(sys(cases[i].enc, 0x40100040, &ev), "0x%08x", cases[i].enc);
		ck_assert_int_eq(ev.kind, cases[i].kind);
		int op = ev.kind == EV_DC   ? (int)ev.u.dc.op
		         : ev.kind == EV_IC ? (int)ev.u.ic.op
		                            : (int)ev.u.at.op;
		ck_assert_int_eq(op, cases[i].op);
	}
	/* The VA operand travels with the by-VA forms. */
	struct model_event ev = {0};
	sys(0xd50b7520, 0x40100040, &ev); /* ic ivau, x0 */
	ck_assert_uint_eq(ev.u.ic.va, 0x40100040);
	sys(0xd50c7800, 0x40100040, &ev); /* at s1e2r, x0 */
	ck_assert_uint_eq(ev.u.at.va, 0x40100040);
}
END_TEST

/* SYS encodings the model does not follow are refused, not mis-mapped. */
START_TEST(test_unmodelled_sys_refused)
{
	struct model_event ev = {.kind = EV_COUNT};
	/* tlbi alle3 (op1 6): EL3 is hypsim's own firmware. */
	ck_assert(!dec_sys(6, 8, 7, 0, 0, &ev));
	/* at s12e1r (op1 4, CRm 8, op2 4): stage 2 is not modelled. */
	ck_assert(!dec_sys(4, 7, 8, 4, 0, &ev));
	ck_assert_int_eq(ev.kind, EV_COUNT);
}
END_TEST

/* C6.2 DSB/DMB: CRm<3:2> is the domain, CRm<1:0> the access types; ISB any CRm. */
START_TEST(test_c6_2_barriers)
{
	static const struct {
		uint32_t enc;
		enum ev_kind kind;
		enum barrier_domain dom;
		enum barrier_type type;
	} cases[] = {
	    {0xd5033b9f, EV_DSB, DOM_ISH, BAR_ALL}, /* dsb ish */
	    {0xd5033a9f, EV_DSB, DOM_ISH, BAR_ST},  /* dsb ishst */
	    {0xd503379f, EV_DSB, DOM_NSH, BAR_ALL}, /* dsb nsh */
	    {0xd5033f9f, EV_DSB, DOM_SY, BAR_ALL},  /* dsb sy */
	    {0xd503319f, EV_DSB, DOM_OSH, BAR_LD},  /* dsb oshld */
	    {0xd5033bbf, EV_DMB, DOM_ISH, BAR_ALL}, /* dmb ish */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct model_event ev = {0};
		ck_assert_msg(dec_barrier(cases[i].enc, &ev), "0x%08x", cases[i].enc);
		ck_assert_int_eq(ev.kind, cases[i].kind);
		ck_assert_int_eq(ev.u.barrier.dom, cases[i].dom);
		ck_assert_int_eq(ev.u.barrier.type, cases[i].type);
	}
	struct model_event ev = {0};
	ck_assert(dec_barrier(0xd5033fdf, &ev)); /* isb */
	ck_assert_int_eq(ev.kind, EV_ISB);
	ck_assert(!dec_barrier(0xd503309f, &ev)); /* ssbb: a speculation barrier */
	ck_assert(!dec_barrier(0xd503201f, &ev)); /* nop */
	ck_assert(!dec_barrier(0xf9400020, &ev)); /* ldr x0, [x1] */
}
END_TEST

/* D17 encodings (op0 3) of the registers the model follows, as MSR hands them over. */
START_TEST(test_d17_sysreg_encodings)
{
	enum sysreg_id id;
	unsigned op0, op1, crn, crm, op2;
	bool msr;
	ck_assert(dec_is_sys_reg(0xd51c2000, &msr) && msr); /* msr ttbr0_el2, x0 */
	dec_sys_fields(0xd51c2000, &op0, &op1, &crn, &crm, &op2);
	ck_assert(dec_sysreg(op0, op1, crn, crm, op2, &id));
	ck_assert_int_eq(id, SR_TTBR0_EL2);
	ck_assert(dec_is_sys_reg(0xd53c1000, &msr) && !msr);      /* mrs x0, sctlr_el2 */
	dec_sys_fields(0xd51c1100, &op0, &op1, &crn, &crm, &op2); /* msr hcr_el2, x0 */
	ck_assert(dec_sysreg(op0, op1, crn, crm, op2, &id));
	ck_assert_int_eq(id, SR_HCR_EL2);
	ck_assert(dec_sysreg(3, 0, 2, 0, 1, &id) && id == SR_TTBR1_EL1);
	ck_assert(dec_sysreg(3, 4, 10, 2, 0, &id) && id == SR_MAIR_EL2);
	dec_sys_fields(0xd51c2140, &op0, &op1, &crn, &crm, &op2); /* msr vtcr_el2, x0 */
	ck_assert(dec_sysreg(op0, op1, crn, crm, op2, &id));
	ck_assert_int_eq(id, SR_VTCR_EL2);
	dec_sys_fields(0xd51c2101, &op0, &op1, &crn, &crm, &op2); /* msr vttbr_el2, x1 */
	ck_assert(dec_sysreg(op0, op1, crn, crm, op2, &id));
	ck_assert_int_eq(id, SR_VTTBR_EL2);
	dec_sys_fields(0xd51c6082, &op0, &op1, &crn, &crm, &op2); /* msr hpfar_el2, x2 */
	ck_assert(!dec_sysreg(op0, op1, crn, crm, op2, &id)); /* HPFAR_EL2: not a model register */
	ck_assert(!dec_sysreg(3, 4, 4, 0, 1, &id)); /* ELR_EL2: not a model register */
}
END_TEST

/* C4.1: the instruction classes --check-unicorn compares with Unicorn's hooks. */
START_TEST(test_c4_1_classes)
{
	ck_assert(dec_is_load_store(0xf9400020));  /* ldr x0, [x1] */
	ck_assert(dec_is_load_store(0xa9bf07e0));  /* stp x0, x1, [sp, #-16]! */
	ck_assert(!dec_is_load_store(0xd503201f)); /* nop */
	ck_assert(dec_is_sys(0xd50b7420));         /* dc zva, x0 */
	ck_assert(!dec_is_sys(0xd51c2000));        /* msr ttbr0_el2, x0 */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("decode");
	TCase *tc = tcase_create("decode");
	tcase_add_test(tc, test_c5_3_tlbi_encodings);
	tcase_add_test(tc, test_c5_3_dc_ic_at_encodings);
	tcase_add_test(tc, test_unmodelled_sys_refused);
	tcase_add_test(tc, test_c6_2_barriers);
	tcase_add_test(tc, test_d17_sysreg_encodings);
	tcase_add_test(tc, test_c4_1_classes);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
