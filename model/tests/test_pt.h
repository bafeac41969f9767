/*
 * test_pt.h - what the Check tests of hypsim's stage 1 walker (model/pt.c) share:
 * test_pt_walk.c (registers, descriptors, faults), test_pt_perm.c (permissions) and
 * test_pt_visit.c (the table visitor). The helpers are static inline so that a file may
 * leave some unused.
 *
 * Every test names the Arm ARM (DDI 0487) rule or section it checks. Tables are built in an
 * array-backed physical memory (test_util.h) whose RAM starts at PA 0x4000_0000, as in the
 * simulated machine; reads outside it are refused, which the walker must turn into an
 * External abort on the walk.
 */
#ifndef HYPSIM_MODEL_TESTS_TEST_PT_H
#define HYPSIM_MODEL_TESTS_TEST_PT_H

#include <check.h>

#include "arch.h"
#include "pt.h"
#include "test_util.h"

#define RAM_BASE UINT64_C(0x40000000)
#define RAM_SIZE (UINT64_C(8) << 20)

/* The implemented PA size the walker tests give pt_cfg_from_regs: the largest it models,
 * so that TCR.PS/IPS alone sets the output size (tests of the cap pass their own). */
#define TEST_PA_BITS 48

/* MAIR: index 0 Normal WB, 1 Device-nGnRnE, 2 Normal NC, 3 Normal WT. */
#define TEST_MAIR UINT64_C(0xbb4400ff)
/* A valid leaf's attributes: AttrIndx 0, Inner Shareable, AF set. */
#define LEAF_RW (DESC_AF | (UINT64_C(3) << DESC_SH_SHIFT))
#define SZ_4K   UINT64_C(0x1000)
#define SZ_16K  UINT64_C(0x4000)
#define SZ_64K  UINT64_C(0x10000)
#define SZ_2M   UINT64_C(0x200000)
#define SZ_32M  UINT64_C(0x2000000)
#define SZ_512M UINT64_C(0x20000000)
#define SZ_1G   UINT64_C(0x40000000)

static inline unsigned tg0_for(unsigned g)
{
	return g == 12 ? TCR_TG0_4K : g == 14 ? TCR_TG0_16K : TCR_TG0_64K;
}

static inline unsigned tg1_for(unsigned g)
{
	return g == 12 ? TCR_TG1_4K : g == 14 ? TCR_TG1_16K : TCR_TG1_64K;
}

/* TCR_EL2 with IRGN0=ORGN0=WB, SH0=Inner Shareable. */
static inline uint64_t tcr_el2(unsigned tsz, unsigned tg0, unsigned ps)
{
	return (uint64_t)tsz << TCR_EL2_T0SZ_SHIFT | UINT64_C(1) << TCR_EL2_IRGN0_SHIFT |
	       UINT64_C(1) << TCR_EL2_ORGN0_SHIFT | UINT64_C(3) << TCR_EL2_SH0_SHIFT |
	       (uint64_t)tg0 << TCR_EL2_TG0_SHIFT | (uint64_t)ps << TCR_EL2_PS_SHIFT;
}

/* TCR_EL1 with both halves WB/Inner Shareable. */
static inline uint64_t tcr_el1(unsigned t0sz, unsigned tg0, unsigned t1sz, unsigned tg1,
                               unsigned ips)
{
	return (uint64_t)t0sz << TCR_EL1_T0SZ_SHIFT | UINT64_C(1) << TCR_EL1_IRGN0_SHIFT |
	       UINT64_C(1) << TCR_EL1_ORGN0_SHIFT | UINT64_C(3) << TCR_EL1_SH0_SHIFT |
	       (uint64_t)tg0 << TCR_EL1_TG0_SHIFT | (uint64_t)t1sz << TCR_EL1_T1SZ_SHIFT |
	       UINT64_C(1) << TCR_EL1_IRGN1_SHIFT | UINT64_C(1) << TCR_EL1_ORGN1_SHIFT |
	       UINT64_C(3) << TCR_EL1_SH1_SHIFT | (uint64_t)tg1 << TCR_EL1_TG1_SHIFT |
	       (uint64_t)ips << TCR_EL1_IPS_SHIFT;
}

#define SCTLR_ON (SCTLR_EL2_BOOT | SCTLR_ELx_M | SCTLR_ELx_C | SCTLR_ELx_I)

/* An EL2 regime with a fresh root table allocated in m. */
static inline struct pt_cfg el2_cfg(struct test_mem *m, unsigned tsz, unsigned g, unsigned ps,
                                    uint64_t sctlr)
{
	struct pt_cfg cfg;
	struct fault f;
	uint64_t root = test_mem_alloc(m, UINT64_C(1) << g);

	ck_assert(pt_cfg_from_regs(REGIME_EL2, TEST_PA_BITS, sctlr, tcr_el2(tsz, tg0_for(g), ps),
	                           root, 0, TEST_MAIR, 0, &cfg, &f));
	ck_assert_int_eq(f.type, FAULT_NONE);
	return cfg;
}

static inline struct walk_result translate(const struct pt_cfg *cfg, struct test_mem *m,
                                           uint64_t va)
{
	struct mem_ops ops = test_mem_ops(m);
	struct walk_result r;

	pt_translate(cfg, &ops, va, &r);
	return r;
}

#define ck_fault(r, t, l)                                                                          \
	do {                                                                                       \
		ck_assert_msg((r).fault.type == (t) && (r).fault.level == (l),                     \
		              "expected %s at level %d, got %s at level %d", pt_fault_name(t),     \
		              (int)(l), pt_fault_name((r).fault.type), (int)(r).fault.level);      \
	} while (0)

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

#endif
