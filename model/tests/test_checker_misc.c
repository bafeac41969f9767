/*
 * test_checker_misc.c - hazard classes of the hypsim checker (model.h): what involves several CPUs,
 * exceptions as events, the report and its names, random event streams, each with positive and
 * negative cases built on the tiny machine of machine.h. Each test names the Arm ARM rule
 * it checks; the assembly each event sequence stands for is shown above it. Shared
 * definitions: test_checker.h.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "machine.h"
#include "test_checker.h"

/* D1.10: an exception the guest did not ask for. */
/* DESIGN §3 "Exceptions are events, not hazards" (D1.10 exception entry): an HVC, or a
 * data abort the architecture makes certain (a probe, a fixup, a page fault), is the
 * program's own behaviour: no report. unexpected-exception is retired. */
START_TEST(certain_exception_is_an_event_D1_10)
{
	struct machine mt;
	mt_init(&mt);
	ev_exc(&mt, 0, true, (uint64_t)EC_HVC64 << ESR_EC_SHIFT); /* hvc #0 */
	EXPECT_NONE(&mt);
	ev_exc(&mt, 0, false, ((uint64_t)EC_DABT_CUR << ESR_EC_SHIFT) | FSC_TRANSLATION(3));
	EXPECT_NONE(&mt);
	EXPECT(&mt, HZ_UNEXPECTED_EXCEPTION, 0);
	mt_fini(&mt);
}
END_TEST

/* D8.13: a local TLBI reaches only the issuing CPU; the IS form reaches every CPU. */
START_TEST(local_tlbi_other_cpu_keeps_entry_D8_13)
{
	for (int is = 0; is < 2; is++) {
		struct machine mt;
		mt_init_cfg(&mt, 2, TLB_POLICY_SPECULATIVE, false, false);
		uint64_t a = mt_idmap(&mt);
		uint64_t dpa = mt_map(&mt, a, VX, PA1, ATTR_WB);
		mt_mmu_on(&mt, 0, a, SCTLR_ON);
		mt_mmu_on(&mt, 1, a, SCTLR_ON);
		ev_load(&mt, 1, VX, 8);
		/* cpu0: str xzr, [dpa]; dsb ish; tlbi vae2[is], VX; dsb ish; str x1, [dpa] */
		ev_store(&mt, 0, dpa, 8, 0);
		ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
		ev_tlbi(&mt, 0, is ? TLBI_VAE2IS : TLBI_VAE2, VX);
		ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
		ev_store(&mt, 0, dpa, 8, PAGE(PA2, ATTR_WB));
		ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
		mt_clear(&mt);
		/* cpu1: ldr x1, [VX] */
		ev_load(&mt, 1, VX, 8);
		EXPECT(&mt, HZ_STALE_TLB, is ? 0u : 1u);
		mt_fini(&mt);
	}
}
END_TEST

/*
 * PSCI CPU_OFF (DEN0022 §5.5): a powered-down core keeps no TLB entry, so the tables only
 * it used are no longer live: changing one of their descriptors needs no break-before-make
 * for it (Arm ARM D8.14.1 concerns entries that may be cached). And a CPU brought up
 * again (CPU_ON: model_reset_cpu) starts with an empty TLB, so a local TLBI it missed while
 * off leaves it nothing stale (D8.13). With the CPU left on, both are hazards.
 */
START_TEST(cpu_off_drops_its_tlb_D8_14_1_D8_13_psci_5_5)
{
	for (int off = 0; off < 2; off++) {
		struct machine mt;
		mt_init_cfg(&mt, 2, TLB_POLICY_SPECULATIVE, false, false);
		uint64_t a = mt_idmap(&mt);
		uint64_t b = mt_table(&mt);
		uint64_t dpa = mt_map(&mt, b, VX, PA1, ATTR_WB);
		mt_mmu_on(&mt, 0, a, SCTLR_ON);
		/* cpu1: its own table b, VX used */
		mt_mmu_on(&mt, 1, b, SCTLR_ON);
		ev_load(&mt, 1, VX, 8);
		if (off)
			model_cpu_off(mt.m, 1);
		mt_clear(&mt);
		/* cpu0 (idmap): str x1, [dpa] (VX -> PA2, valid to valid); dsb ish */
		ev_store(&mt, 0, dpa, 8, PAGE(PA2, ATTR_WB));
		ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
		EXPECT(&mt, HZ_BBM, off ? 0u : 1u);
		mt_fini(&mt);
	}
	for (int off = 0; off < 2; off++) {
		struct machine mt;
		mt_init_cfg(&mt, 2, TLB_POLICY_SPECULATIVE, false, false);
		uint64_t a = mt_idmap(&mt);
		uint64_t dpa = mt_map(&mt, a, VX, PA1, ATTR_WB);
		mt_mmu_on(&mt, 0, a, SCTLR_ON);
		mt_mmu_on(&mt, 1, a, SCTLR_ON);
		ev_load(&mt, 1, VX, 8);
		if (off)
			model_cpu_off(mt.m, 1);
		/* cpu0: break-before-make with a local TLBI (cpu1's TLB is not reached) */
		ev_store(&mt, 0, dpa, 8, 0);
		ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
		ev_tlbi(&mt, 0, TLBI_VAE2, VX);
		ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
		ev_store(&mt, 0, dpa, 8, PAGE(PA2, ATTR_WB));
		ev_dsb(&mt, 0, DOM_ISH, BAR_ALL);
		if (off) {
			struct model_cpu_reset r = {.el = 2};
			r.sysreg[SR_SCTLR_EL2] = SCTLR_EL2_BOOT;
			r.sysreg[SR_SCTLR_EL1] = SCTLR_EL1_BOOT;
			model_reset_cpu(mt.m, 1, &r);
			mt_mmu_on(&mt, 1, a, SCTLR_ON);
		}
		mt_clear(&mt);
		struct model_step_result res = ev_load(&mt, 1, VX, 8);
		EXPECT(&mt, HZ_STALE_TLB, off ? 0u : 1u);
		ck_assert_uint_eq(res.tr.oa, PA2);
		mt_fini(&mt);
	}
}
END_TEST

/*
 * The power-down sequence of CPU_OFF ends with a DSB SY (PSCI DEN0022 §6.4): a TLBI IS the
 * CPU issued just before is complete for the CPUs that stay on (Arm ARM D8.13, B2.3.12).
 */
START_TEST(cpu_off_completes_its_maintenance_B2_3_12_psci_6_4)
{
	for (int off = 0; off < 2; off++) {
		struct machine mt;
		mt_init_cfg(&mt, 2, TLB_POLICY_SPECULATIVE, false, false);
		uint64_t a = mt_idmap(&mt);
		uint64_t dpa = mt_map(&mt, a, VX, PA1, ATTR_WB);
		mt_mmu_on(&mt, 0, a, SCTLR_ON);
		mt_mmu_on(&mt, 1, a, SCTLR_ON);
		ev_load(&mt, 0, VX, 8);
		/* cpu1: str xzr, [dpa]; dsb ish; tlbi vae2is, VX; (no dsb) then CPU_OFF */
		ev_store(&mt, 1, dpa, 8, 0);
		ev_dsb(&mt, 1, DOM_ISH, BAR_ALL);
		ev_tlbi(&mt, 1, TLBI_VAE2IS, VX);
		if (off)
			model_cpu_off(mt.m, 1);
		mt_clear(&mt);
		/* cpu0: ldr x1, [VX]: the entry is gone only if the TLBI completed */
		ev_load(&mt, 0, VX, 8);
		ck_assert_uint_eq(mt.count[HZ_MISSING_DSB] + mt.count[HZ_STALE_TLB],
		                  (off ? 0u : 1u));
		mt_fini(&mt);
	}
}
END_TEST

/* model_report: hazards found by the simulator (guest-hang) get the current event number. */
START_TEST(model_report_and_names)
{
	struct machine mt;
	mt_init(&mt);
	ev_fetch(&mt, 0, CODE);
	struct hazard hz = {.cls = HZ_GUEST_HANG, .pc = CODE};
	model_report(mt.m, &hz);
	EXPECT(&mt, HZ_GUEST_HANG, 1);
	ck_assert_uint_eq(mt.hz[0].seq, model_seq(mt.m));
	ck_assert_ptr_nonnull(mt.hz[0].rule);
	for (unsigned i = 0; i < HZ_CLASS_COUNT; i++) {
		enum hz_class c;
		ck_assert(hz_class_from_name(hz_class_name((enum hz_class)i), &c));
		ck_assert_uint_eq(c, i);
	}
	enum hz_class none;
	ck_assert(!hz_class_from_name("no-such-class", &none));
	ck_assert_str_eq(tlbi_op_name(TLBI_VALE2IS), "vale2is");
	ck_assert_str_eq(sysreg_name(SR_TTBR0_EL2), "TTBR0_EL2");
	ck_assert_str_eq(dc_op_name(DC_CVAU), "cvau");
	mt_fini(&mt);
}
END_TEST

/* Robustness and determinism: a random stream of events (garbage registers, stores into
 * live tables, maintenance of every kind) never crashes the model, and the same stream
 * gives the same hazards (DESIGN §3: reports are deterministic). */
static uint64_t random_run(uint64_t seed, unsigned n, unsigned *nhz)
{
	struct machine mt;
	mt_init_cfg(&mt, 2, (seed & 1) ? TLB_POLICY_ACCESSED : TLB_POLICY_SPECULATIVE, false,
	            false);
	uint64_t a = mt_idmap(&mt), b = mt_idmap(&mt);
	mt_mmu_on(&mt, 0, a, SCTLR_ON);
	uint64_t x = seed, digest = 0;
	unsigned total = 0;
	for (unsigned i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		unsigned cpu = (unsigned)(x >> 60) & 1;
		uint64_t va = RAM_BASE + ((x >> 8) % RAM_SIZE);
		switch ((x >> 40) % 16) {
		case 0:
		case 1:
		case 2:
			ev_fetch(&mt, cpu, va & ~UINT64_C(3));
			break;
		case 3:
		case 4:
		case 5:
			ev_load(&mt, cpu, va & ~UINT64_C(7), 8);
			break;
		case 6:
		case 7:
			/* stores, half of them into the table area */
			if ((x >> 20) & 1)
				va = RAM_BASE + (UINT64_C(8) << 20) + ((x >> 24) % 0x20000);
			ev_store(&mt, cpu, va & ~UINT64_C(7), 8, x);
			break;
		case 8:
			ev_msr(&mt, cpu, SR_TTBR0_EL2, (x & 0x100) ? a : b);
			break;
		case 9: {
			/* Garbage in any register, but TCRs from a few layouts (each new table
			 * configuration costs the model one walk of all its tables). */
			static const uint64_t tcrs[] = {MT_TCR_EL2, 16, 32 | (UINT64_C(1) << 14),
			                                0x80823510};
			enum sysreg_id r = (enum sysreg_id)((x >> 12) % SR_COUNT);
			bool tcr = r == SR_TCR_EL1 || r == SR_TCR_EL2;
			ev_msr(&mt, cpu, r, tcr ? tcrs[(x >> 20) & 3] : x);
			break;
		}
		case 10:
			ev_isb(&mt, cpu);
			break;
		case 11:
			ev_dsb(&mt, cpu, (enum barrier_domain)((x >> 3) & 3),
			       (enum barrier_type)((x >> 5) % 3));
			break;
		case 12:
			ev_tlbi(&mt, cpu, (enum tlbi_op)((x >> 9) % TLBI_OP_COUNT), va);
			break;
		case 13:
			ev_dc(&mt, cpu, (enum dc_op)((x >> 9) % DC_OP_COUNT), va);
			break;
		case 14:
			ev_ic(&mt, cpu, (enum ic_op)((x >> 9) % IC_OP_COUNT), va);
			break;
		default:
			if ((x >> 9) & 1) {
				ev_exc(&mt, cpu, (x >> 10) & 1, x);
			} else {
				struct model_event er = {.kind = EV_ERET, .cpu = cpu};
				er.u.eret.to_el = 2 - (unsigned)((x >> 11) & 1);
				mt_step(&mt, &er);
			}
			break;
		}
		for (unsigned k = 0; k < mt.nhz; k++)
			digest = digest * 31 + mt.hz[k].fold_key + mt.hz[k].cls;
		total += mt.nhz;
		mt_clear(&mt);
	}
	mt_fini(&mt);
	*nhz = total;
	return digest;
}

START_TEST(random_streams_are_deterministic)
{
	for (uint64_t seed = 1; seed <= 4; seed++) {
		unsigned n1, n2;
		uint64_t d1 = random_run(seed * 0x9e3779b97f4a7c15, 4000, &n1);
		uint64_t d2 = random_run(seed * 0x9e3779b97f4a7c15, 4000, &n2);
		ck_assert_uint_eq(n1, n2);
		ck_assert_uint_eq(d1, d2);
		ck_assert_uint_gt(n1, 0); /* random streams do break the rules */
	}
}
END_TEST

static Suite *checker_suite(void)
{
	Suite *s = suite_create("checker");
	TCase *tc = tcase_create("hazards");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, certain_exception_is_an_event_D1_10);
	tcase_add_test(tc, local_tlbi_other_cpu_keeps_entry_D8_13);
	tcase_add_test(tc, cpu_off_drops_its_tlb_D8_14_1_D8_13_psci_5_5);
	tcase_add_test(tc, cpu_off_completes_its_maintenance_B2_3_12_psci_6_4);
	tcase_add_test(tc, model_report_and_names);
	tcase_add_test(tc, random_streams_are_deterministic);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(checker_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
