/*
 * test_unicorn_smp.c - the Unicorn 2.0.1 behaviour `sim run --cpus` rests on (run.c
 * "Scheduling"), checked against the library the build links, so that another Unicorn
 * that behaves otherwise fails here rather than in a multi-CPU run:
 *  - a uc_context holds a CPU's system registers and its Exception level: restoring one
 *    brings back TTBR0_EL2 and CurrentEL, and an EL1 context's `mrs x1, ttbr0_el2` is
 *    UNDEFINED again (the translator's cached EL flags follow the context);
 *  - within one engine, code stored by one context is what another context then runs
 *    (translated code is shared and invalidated by stores);
 *  - two engines mapping the same host RAM do not see each other's stores to code they
 *    have translated, which is why hypsim does not give each CPU an engine.
 * The switch's cost is measured by tools/bench-smp, not here.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unicorn/unicorn.h>

#define RAM     UINT64_C(0x40000000)
#define RAM_SZ  (UINT64_C(1) << 20)
#define SCRATCH (RAM + 0xf0000)

static uint8_t *ram;

static void put(uint64_t pa, const uint32_t *w, size_t n)
{
	memcpy(ram + (pa - RAM), w, 4 * n);
}

static uint64_t reg(uc_engine *uc, int r)
{
	uint64_t v = 0;
	uc_reg_read(uc, r, &v);
	return v;
}

static void set(uc_engine *uc, int r, uint64_t v)
{
	uc_reg_write(uc, r, &v);
}

static int cp(uc_engine *uc, bool w, int op0, int op1, int crn, int crm, int op2, uint64_t *v)
{
	uc_arm64_cp_reg c = {.crn = crn, .crm = crm, .op0 = op0, .op1 = op1, .op2 = op2};
	uc_err e;
	if (w) {
		c.val = *v;
		e = uc_reg_write(uc, UC_ARM64_REG_CP_REG, &c);
	} else {
		e = uc_reg_read(uc, UC_ARM64_REG_CP_REG, &c);
		*v = c.val;
	}
	return e == UC_ERR_OK ? 0 : -1;
}

static uc_engine *engine(void)
{
	uc_engine *uc;
	ck_assert_int_eq(uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &uc), UC_ERR_OK);
	uc_ctl_set_cpu_model(uc, UC_CPU_ARM64_A72);
	ck_assert_int_eq(uc_mem_map_ptr(uc, RAM, RAM_SZ, UC_PROT_ALL, ram), UC_ERR_OK);
	return uc;
}

/* EL2h at entry (UNICORN-2.0.1.md: SCR_EL3, PSTATE, SPSR/ELR, an ERET in a scratch page). */
static void to_el2(uc_engine *uc, uint64_t entry)
{
	static const uint32_t eret = 0xd69f03e0;
	put(SCRATCH, &eret, 1);
	uint64_t v = 0x501;
	cp(uc, true, 3, 6, 1, 1, 0, &v);
	set(uc, UC_ARM64_REG_PSTATE, 0x3c9);
	v = 0x3c9;
	cp(uc, true, 3, 4, 4, 0, 0, &v);
	v = entry;
	cp(uc, true, 3, 0, 4, 0, 1, &v);
	cp(uc, true, 3, 4, 4, 0, 1, &v);
	ck_assert_int_eq(uc_emu_start(uc, SCRATCH, entry, 0, 0), UC_ERR_OK);
}

static void setup(void)
{
	ram = mmap(NULL, RAM_SZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert(ram != MAP_FAILED);
}

static void teardown(void)
{
	munmap(ram, RAM_SZ);
}

START_TEST(test_context_holds_sysregs_and_el)
{
	/* mrs x0, currentel; mrs x1, ttbr0_el2; wfi */
	static const uint32_t code[] = {0xd5384240, 0xd53c2001, 0xd503207f};
	put(RAM + 0x1000, code, 3);
	uc_engine *uc = engine();
	uc_context *reset, *a, *b;
	ck_assert_int_eq(uc_context_alloc(uc, &reset), UC_ERR_OK);
	ck_assert_int_eq(uc_context_alloc(uc, &a), UC_ERR_OK);
	ck_assert_int_eq(uc_context_alloc(uc, &b), UC_ERR_OK);
	uc_context_save(uc, reset);
	uint64_t ttbr = 0x40080000, flush = 0;
	to_el2(uc, RAM + 0x1000);
	cp(uc, true, 3, 4, 2, 0, 0, &ttbr);
	uc_context_save(uc, a);
	uc_context_restore(uc, reset);
	to_el2(uc, RAM + 0x1000);
	ttbr = 0x40090000;
	cp(uc, true, 3, 4, 2, 0, 0, &ttbr);
	uc_context_save(uc, b);

	uc_context_restore(uc, a);
	cp(uc, true, 1, 4, 8, 7, 0, &flush); /* TLBI ALLE2: the TLB is not in a context */
	ck_assert_int_eq(uc_emu_start(uc, RAM + 0x1000, 0, 0, 0), UC_ERR_OK);
	ck_assert_uint_eq(reg(uc, UC_ARM64_REG_X0), 8); /* CurrentEL: EL2 */
	ck_assert_uint_eq(reg(uc, UC_ARM64_REG_X1), 0x40080000);
	uc_context_restore(uc, b);
	ck_assert_int_eq(uc_emu_start(uc, RAM + 0x1000, 0, 0, 0), UC_ERR_OK);
	ck_assert_uint_eq(reg(uc, UC_ARM64_REG_X1), 0x40090000);
	/* Unicorn's reset CPU is at EL1, where MRS TTBR0_EL2 is UNDEFINED. */
	uc_context_restore(uc, reset);
	set(uc, UC_ARM64_REG_X1, 0x1234);
	ck_assert_int_eq(uc_emu_start(uc, RAM + 0x1000, 0, 0, 0), UC_ERR_EXCEPTION);
	ck_assert_uint_eq(reg(uc, UC_ARM64_REG_X0), 4);
	ck_assert_uint_eq(reg(uc, UC_ARM64_REG_X1), 0x1234);
	uc_context_free(reset);
	uc_context_free(a);
	uc_context_free(b);
	uc_close(uc);
}
END_TEST

/* mov x0, #1; wfi at 0x4000, and str w1, [x2]; wfi at 0x5000. */
static void code_and_store(void)
{
	static const uint32_t code[] = {0xd2800020, 0xd503207f};
	static const uint32_t store[] = {0xb9000041, 0xd503207f};
	put(RAM + 0x4000, code, 2);
	put(RAM + 0x5000, store, 2);
}

/* Store `mov x0, #2` over the code at 0x4000 from uc's current CPU. */
static void store_new_code(uc_engine *uc)
{
	set(uc, UC_ARM64_REG_X1, 0xd2800040);
	set(uc, UC_ARM64_REG_X2, RAM + 0x4000);
	ck_assert_int_eq(uc_emu_start(uc, RAM + 0x5000, 0, 0, 0), UC_ERR_OK);
}

START_TEST(test_one_engine_shares_code)
{
	code_and_store();
	uc_engine *uc = engine();
	uc_context *c0, *c1;
	uc_context_alloc(uc, &c0);
	uc_context_alloc(uc, &c1);
	to_el2(uc, RAM + 0x4000);
	uc_context_save(uc, c1);
	ck_assert_int_eq(uc_emu_start(uc, RAM + 0x4000, 0, 0, 0), UC_ERR_OK);
	ck_assert_uint_eq(reg(uc, UC_ARM64_REG_X0), 1);
	uc_context_save(uc, c0);
	uc_context_restore(uc, c1);
	store_new_code(uc);
	uc_context_restore(uc, c0);
	ck_assert_int_eq(uc_emu_start(uc, RAM + 0x4000, 0, 0, 0), UC_ERR_OK);
	ck_assert_uint_eq(reg(uc, UC_ARM64_REG_X0), 2);
	uc_context_free(c0);
	uc_context_free(c1);
	uc_close(uc);
}
END_TEST

START_TEST(test_two_engines_keep_stale_code)
{
	code_and_store();
	uc_engine *u0 = engine(), *u1 = engine();
	to_el2(u0, RAM + 0x4000);
	to_el2(u1, RAM + 0x5000);
	ck_assert_int_eq(uc_emu_start(u0, RAM + 0x4000, 0, 0, 0), UC_ERR_OK);
	ck_assert_uint_eq(reg(u0, UC_ARM64_REG_X0), 1);
	store_new_code(u1);
	ck_assert_uint_eq(*(uint32_t *)(ram + 0x4000), 0xd2800040);
	set(u0, UC_ARM64_REG_X0, 0);
	ck_assert_int_eq(uc_emu_start(u0, RAM + 0x4000, 0, 0, 0), UC_ERR_OK);
	ck_assert_uint_eq(reg(u0, UC_ARM64_REG_X0), 1); /* the old translation */
	uc_close(u0);
	uc_close(u1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("unicorn-smp");
	TCase *tc = tcase_create("context");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_context_holds_sysregs_and_el);
	tcase_add_test(tc, test_one_engine_shares_code);
	tcase_add_test(tc, test_two_engines_keep_stale_code);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
