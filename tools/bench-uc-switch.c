/*
 * bench-uc-switch - what one CPU switch of `sim run --cpus` costs in Unicorn itself (run.c
 * "Scheduling"): uc_context_save of the running CPU, uc_context_restore of the next one
 * and the host TLBI ALLE2 + ALLE1 that flushes Unicorn's TLB, between two EL2 contexts;
 * and, for the alternative hypsim does not take, what a second engine on the same RAM
 * costs (time to open it and reach EL2, peak RSS). Run by hand (tools/bench-smp runs it).
 *
 *     bench-uc-switch [SWITCHES]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unicorn/unicorn.h>

#define RAM    UINT64_C(0x40000000)
#define RAM_SZ (UINT64_C(16) << 20)

static uint8_t *ram;

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static long peak_kib(void)
{
	struct rusage r;
	getrusage(RUSAGE_SELF, &r);
	return r.ru_maxrss;
}

static void cp_write(uc_engine *uc, int op0, int op1, int crn, int crm, int op2, uint64_t v)
{
	uc_arm64_cp_reg c = {.crn = crn, .crm = crm, .op0 = op0, .op1 = op1, .op2 = op2, .val = v};
	uc_reg_write(uc, UC_ARM64_REG_CP_REG, &c);
}

/* A new engine on the shared RAM, its CPU at EL2h (UNICORN-2.0.1.md's recipe). */
static uc_engine *engine_at_el2(void)
{
	static const uint32_t eret_wfi[] = {0xd69f03e0, 0xd503207f};
	uc_engine *uc;
	if (uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &uc) != UC_ERR_OK)
		return NULL;
	uc_ctl_set_cpu_model(uc, UC_CPU_ARM64_A72);
	uc_mem_map_ptr(uc, RAM, RAM_SZ, UC_PROT_ALL, ram);
	memcpy(ram, eret_wfi, sizeof(eret_wfi));
	uint64_t pstate = 0x3c9;
	cp_write(uc, 3, 6, 1, 1, 0, 0x501);      /* SCR_EL3 = NS | HCE | RW */
	uc_reg_write(uc, UC_ARM64_REG_PSTATE, &pstate);
	cp_write(uc, 3, 4, 4, 0, 0, 0x3c9);      /* SPSR_EL2 */
	cp_write(uc, 3, 0, 4, 0, 1, RAM + 4);    /* ELR_EL1 */
	cp_write(uc, 3, 4, 4, 0, 1, RAM + 4);    /* ELR_EL2 */
	uc_emu_start(uc, RAM, 0, 0, 0);          /* eret; wfi */
	return uc;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	ram = mmap(NULL, RAM_SZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ram == MAP_FAILED || n <= 0)
		return 2;
	long rss0 = peak_kib();
	double t0 = now();
	uc_engine *uc = engine_at_el2();
	double t1 = now();
	long rss1 = peak_kib();
	if (!uc)
		return 1;
	uc_context *ctx[2];
	uc_context_alloc(uc, &ctx[0]);
	uc_context_alloc(uc, &ctx[1]);
	uc_context_save(uc, ctx[0]);
	cp_write(uc, 3, 4, 2, 0, 0, 0x40080000); /* another TTBR0_EL2 for the second CPU */
	uc_context_save(uc, ctx[1]);
	double a = now();
	for (long i = 0; i < n; i++) {
		uc_context_save(uc, ctx[i & 1]);
		uc_context_restore(uc, ctx[!(i & 1)]);
		cp_write(uc, 1, 4, 8, 7, 0, 0); /* TLBI ALLE2 */
		cp_write(uc, 1, 4, 8, 7, 4, 0); /* TLBI ALLE1 */
	}
	double b = now();
	double t2 = now();
	uc_engine *second = engine_at_el2();
	double t3 = now();
	long rss2 = peak_kib();
	printf("uc_context: %zu bytes\n", uc_context_size(uc));
	printf("switch (save + restore + TLB flush): %.3f us (%ld switches)\n",
	       (b - a) / (double)n * 1e6, n);
	printf("first engine to EL2: %.2f ms, peak RSS +%ld KiB\n", (t1 - t0) * 1e3, rss1 - rss0);
	printf("one more engine to EL2: %.2f ms, peak RSS +%ld KiB\n", (t3 - t2) * 1e3,
	       rss2 - rss1);
	uc_context_free(ctx[0]);
	uc_context_free(ctx[1]);
	uc_close(second);
	uc_close(uc);
	return 0;
}
