/*
 * test_sysreg.c - effective and pending system register values (sysreg.h), the rule of
 * Arm ARM D1.x "Context synchronization event" / D17.1 "Synchronization requirements for
 * AArch64 System registers": a write is guaranteed visible only after a context
 * synchronisation; until then old and new values are both possible, per register.
 */
#include <check.h>

#include "arch.h"
#include "sysreg.h"

static struct hz_cause cause(uint64_t seq)
{
	struct hz_cause c = {.seq = seq};
	return c;
}

/* D17.1: an MSR makes the register pending until the next context synchronisation. */
START_TEST(write_is_pending_until_sync_D17_1)
{
	uint64_t reset[SR_COUNT] = {0};
	reset[SR_SCTLR_EL2] = SCTLR_EL2_BOOT;
	struct sr_file f;
	sr_reset(&f, reset);
	struct hz_cause c = cause(7);
	ck_assert(sr_write(&f, SR_TTBR0_EL2, 0x40000000, &c));
	ck_assert_uint_eq(f.eff[SR_TTBR0_EL2], 0);
	ck_assert_uint_eq(f.latest[SR_TTBR0_EL2], 0x40000000);
	ck_assert_uint_eq(f.wcause[SR_TTBR0_EL2].seq, 7);
	ck_assert_uint_eq(sr_ctx_count(&f, REGIME_EL2), 2);
	ck_assert_uint_eq(sr_ctx_count(&f, REGIME_EL10), 1);
	uint32_t changed = sr_sync(&f);
	ck_assert_uint_eq(changed, 1u << SR_TTBR0_EL2);
	ck_assert_uint_eq(f.eff[SR_TTBR0_EL2], 0x40000000);
	ck_assert_uint_eq(f.pending, 0);
}
END_TEST

/* Writing back the effective value leaves nothing to differ: no longer pending. */
START_TEST(write_back_of_effective_value_clears_pending_D17_1)
{
	uint64_t reset[SR_COUNT] = {0};
	struct sr_file f;
	sr_reset(&f, reset);
	struct hz_cause c = cause(1);
	sr_write(&f, SR_TCR_EL2, 25, &c);
	ck_assert(!sr_write(&f, SR_TCR_EL2, 0, &c));
	ck_assert_uint_eq(f.pending, 0);
	ck_assert_uint_eq(sr_ctx_count(&f, REGIME_EL2), 1);
}
END_TEST

/* Several pending registers: every combination of old and new is a possible context;
 * combination 0 is the coherent (latest) one. */
START_TEST(pending_registers_give_combinations_D1_context_sync)
{
	uint64_t reset[SR_COUNT] = {0};
	struct sr_file f;
	sr_reset(&f, reset);
	struct hz_cause c = cause(1);
	sr_write(&f, SR_TCR_EL2, 25, &c);
	sr_write(&f, SR_SCTLR_EL2, 1, &c);
	sr_write(&f, SR_VBAR_EL2, 0x800, &c); /* not a translation register */
	ck_assert_uint_eq(sr_regime_pending(&f, REGIME_EL2),
	                  (1u << SR_TCR_EL2) | (1u << SR_SCTLR_EL2));
	ck_assert_uint_eq(sr_ctx_count(&f, REGIME_EL2), 4);
	unsigned seen = 0;
	for (uint32_t k = 0; k < 4; k++) {
		uint64_t s = sr_ctx_value(&f, REGIME_EL2, k, SR_SCTLR_EL2);
		uint64_t t = sr_ctx_value(&f, REGIME_EL2, k, SR_TCR_EL2);
		seen |= 1u << (unsigned)((s ? 1 : 0) | (t ? 2 : 0));
		/* Registers not pending always read their latest value. */
		ck_assert_uint_eq(sr_ctx_value(&f, REGIME_EL2, k, SR_TTBR0_EL2), 0);
	}
	ck_assert_uint_eq(seen, 0xf);
	/* Combination 0 is the coherent context: every register at its latest value. */
	ck_assert_uint_eq(sr_ctx_value(&f, REGIME_EL2, 0, SR_SCTLR_EL2), 1);
	ck_assert_uint_eq(sr_ctx_value(&f, REGIME_EL2, 0, SR_TCR_EL2), 25);
	ck_assert_uint_eq(sr_ctx_value(&f, REGIME_EL2, 0, SR_VBAR_EL2), 0x800);
	/* The last combination: every pending register of the regime at its old value. */
	ck_assert_uint_eq(sr_ctx_value(&f, REGIME_EL2, 3, SR_SCTLR_EL2), 0);
	ck_assert_uint_eq(sr_ctx_value(&f, REGIME_EL2, 3, SR_TCR_EL2), 0);
}
END_TEST

START_TEST(regime_registers_D8_1)
{
	enum sysreg_id ids[5];
	ck_assert_uint_eq(sr_regime_regs(REGIME_EL2, ids), 4);
	ck_assert_int_eq(ids[2], SR_TTBR0_EL2);
	ck_assert_uint_eq(sr_regime_regs(REGIME_EL10, ids), 5);
	ck_assert_int_eq(ids[3], SR_TTBR1_EL1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sysreg");
	TCase *tc = tcase_create("sync");
	tcase_add_test(tc, write_is_pending_until_sync_D17_1);
	tcase_add_test(tc, write_back_of_effective_value_clears_pending_D17_1);
	tcase_add_test(tc, pending_registers_give_combinations_D1_context_sync);
	tcase_add_test(tc, regime_registers_D8_1);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
