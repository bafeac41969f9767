/*
 * test_rejoin.c - the digests of the machine a variant of `sim campaign` compares with the
 * unchanged run's (rejoin.h): every part of Unicorn's CPU and of hypsim's run state that
 * can decide what happens next changes the machine digest; guest RAM's digest depends on
 * the bytes only, not on which pages a run happened to touch.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unicorn/unicorn.h>

#include "campaign/rejoin.h"
#include "engine/sim.h"
#include "machine/machine.h"

#define RAM (UINT64_C(16) << 20)

struct bare {
	struct sim s;
	struct rejoin *r;
};

/* A Unicorn CPU and RAM as engine/hooks.c makes them, without a guest. */
static void bare_init(struct bare *b)
{
	memset(b, 0, sizeof(*b));
	struct sim *s = &b->s;
	ck_assert_int_eq(uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &s->uc), UC_ERR_OK);
	uc_ctl_set_cpu_model(s->uc, UC_CPU_ARM64_A72);
	s->opt.ram_base = MACH_RAM_BASE;
	s->opt.ram_size = RAM;
	s->ram = mmap(NULL, RAM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert(s->ram != MAP_FAILED);
	ck_assert_int_eq(uc_mem_map_ptr(s->uc, MACH_RAM_BASE, RAM, UC_PROT_ALL, s->ram), UC_ERR_OK);
	s->ncpus = 1;
	s->el = 2;
	b->r = rejoin_new(1000, 64);
	ck_assert_ptr_nonnull(b->r);
	ck_assert_int_eq(rejoin_attach(b->r, s), 0);
}

static void bare_fini(struct bare *b)
{
	rejoin_free(b->r);
	uc_close(b->s.uc);
	munmap(b->s.ram, RAM);
	free(b->s.img.segs);
}

static uint64_t machine(struct bare *b)
{
	return rejoin_machine_digest(b->r, &b->s);
}

/* Two Unicorn instances in the same state: the same digest (nothing of the host in it). */
START_TEST(same_state_same_digest)
{
	struct bare a, b;
	bare_init(&a);
	bare_init(&b);
	ck_assert_uint_eq(machine(&a), machine(&a));
	ck_assert_uint_eq(machine(&a), machine(&b));
	bare_fini(&a);
	bare_fini(&b);
}
END_TEST

static void reg(struct bare *b, int id, uint64_t v)
{
	ck_assert_int_eq(uc_reg_write(b->s.uc, id, &v), UC_ERR_OK);
}

/* Every architectural register (C5.2 / D17): general, stack pointers, PC, flags, SIMD&FP,
 * system registers Unicorn holds. */
START_TEST(cpu_registers_change_the_digest)
{
	struct bare b;
	bare_init(&b);
	uint64_t d0 = machine(&b);
	static const int gprs[] = {UC_ARM64_REG_X0,       UC_ARM64_REG_X17,    UC_ARM64_REG_X30,
	                           UC_ARM64_REG_SP_EL0,   UC_ARM64_REG_SP_EL1, UC_ARM64_REG_SP_EL2,
	                           UC_ARM64_REG_PC,       UC_ARM64_REG_NZCV,   UC_ARM64_REG_ELR_EL1,
	                           UC_ARM64_REG_TPIDR_EL0};
	for (size_t i = 0; i < sizeof(gprs) / sizeof(gprs[0]); i++) {
		uint64_t old;
		uc_reg_read(b.s.uc, gprs[i], &old);
		reg(&b, gprs[i], old ^ UINT64_C(0x40000000));
		ck_assert_uint_ne(machine(&b), d0);
		reg(&b, gprs[i], old);
		/* QEMU keeps the flags as results (Z: zero or not), so writing NZCV back
		 * may leave other bytes for the same flags: a difference where there is none,
		 * never the reverse. */
		if (gprs[i] != UC_ARM64_REG_NZCV)
			ck_assert_msg(machine(&b) == d0, "register %zu", i);
		d0 = machine(&b);
	}
	uint8_t q[16] = {0}, q1[16] = {1};
	uc_reg_read(b.s.uc, UC_ARM64_REG_Q7, q);
	ck_assert_int_eq(uc_reg_write(b.s.uc, UC_ARM64_REG_Q7, q1), UC_ERR_OK);
	ck_assert_uint_ne(machine(&b), d0);
	ck_assert_int_eq(uc_reg_write(b.s.uc, UC_ARM64_REG_Q7, q), UC_ERR_OK);
	ck_assert_uint_eq(machine(&b), d0);
	/* VBAR_EL2 (op0 3, op1 4, CRn 12, CRm 0, op2 0) and HCR_EL2. */
	uc_arm64_cp_reg cps[] = {{.op0 = 3, .op1 = 4, .crn = 12, .crm = 0, .op2 = 0},
	                         {.op0 = 3, .op1 = 4, .crn = 1, .crm = 1, .op2 = 0}};
	for (size_t i = 0; i < sizeof(cps) / sizeof(cps[0]); i++) {
		uc_arm64_cp_reg c = cps[i];
		ck_assert_int_eq(uc_reg_read(b.s.uc, UC_ARM64_REG_CP_REG, &c), UC_ERR_OK);
		uint64_t old = c.val;
		c.val = old ^ 0x800;
		ck_assert_int_eq(uc_reg_write(b.s.uc, UC_ARM64_REG_CP_REG, &c), UC_ERR_OK);
		ck_assert_uint_ne(machine(&b), d0);
		c.val = old;
		ck_assert_int_eq(uc_reg_write(b.s.uc, UC_ARM64_REG_CP_REG, &c), UC_ERR_OK);
		ck_assert_uint_eq(machine(&b), d0);
	}
	bare_fini(&b);
}
END_TEST

/* hypsim's own run state: the EL it keeps, a pending stop, the block being counted, the
 * cached fetch translation, placeholder VAs (mmu.c). */
START_TEST(run_state_changes_the_digest)
{
	struct bare b;
	bare_init(&b);
	struct sim *s = &b.s;
	uint64_t d0 = machine(&b);
	s->el = 1;
	ck_assert_uint_ne(machine(&b), d0);
	s->el = 2;
	s->stop = STOP_CONTEXT;
	ck_assert_uint_ne(machine(&b), d0);
	s->stop = STOP_NONE;
	s->prev_block_va = 0x40101000;
	ck_assert_uint_ne(machine(&b), d0);
	s->prev_block_va = 0;
	s->prev_block_eret = true;
	ck_assert_uint_ne(machine(&b), d0);
	s->prev_block_eret = false;
	s->fetch_valid = true;
	s->fetch_host = s->ram;
	ck_assert_uint_ne(machine(&b), d0);
	s->fetch_valid = false;
	struct placeholder ph = {.va = 0x8000000000, .size = 0x200000};
	s->ph = &ph;
	s->nph = 1;
	ck_assert_uint_ne(machine(&b), d0);
	s->nph = 0;
	s->ph = NULL;
	ck_assert_uint_eq(machine(&b), d0);
	bare_fini(&b);
}
END_TEST

/* RAM: the bytes decide, not which pages were touched; the image's file bytes are hashed
 * whether or not the model has a record of their page. */
START_TEST(ram_digest_is_the_bytes)
{
	struct bare a, b;
	bare_init(&a);
	bare_init(&b);
	struct img_segment seg = {.paddr = MACH_RAM_BASE, .filesz = 0x2000, .memsz = 0x8000};
	struct sim *sa = &a.s, *sb = &b.s;
	sa->img.segs = malloc(sizeof(seg));
	sb->img.segs = malloc(sizeof(seg));
	*sa->img.segs = *sb->img.segs = seg;
	sa->img.nsegs = sb->img.nsegs = 1;
	sa->ram[0x10] = sb->ram[0x10] = 0x42;
	/* b reads (maps) a .bss page and a page far away: still zeros. */
	volatile uint8_t sink = sb->ram[0x5000] + sb->ram[0x300000];
	(void)sink;
	ck_assert_uint_eq(rejoin_ram_digest(sa), rejoin_ram_digest(sb));
	sb->ram[0x1fff] = 1;
	ck_assert_uint_ne(rejoin_ram_digest(sa), rejoin_ram_digest(sb));
	sa->ram[0x1fff] = 1;
	ck_assert_uint_eq(rejoin_ram_digest(sa), rejoin_ram_digest(sb));
	bare_fini(&a);
	bare_fini(&b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rejoin");
	TCase *tc = tcase_create("rejoin");
	tcase_add_test(tc, same_state_same_digest);
	tcase_add_test(tc, cpu_registers_change_the_digest);
	tcase_add_test(tc, run_state_changes_the_digest);
	tcase_add_test(tc, ram_digest_is_the_bytes);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
