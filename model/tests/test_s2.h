/*
 * test_s2.h - what the Check tests of stage 2 (model/s2.c, model/s2tlb.c) share: VTCR_EL2
 * and VTTBR_EL2 values, stage 2 descriptors, and a stage 2 table builder. The builder is
 * test_util.h's test_map() given a pt_cfg that describes the stage 2 tables (root, T0SZ,
 * granule, start level), so the walker is checked against test_util.h's own statement of
 * the index arithmetic, concatenated initial tables included (the index at the start level
 * takes every IPA bit above it, D8.2.x).
 */
#ifndef HYPSIM_MODEL_TESTS_TEST_S2_H
#define HYPSIM_MODEL_TESTS_TEST_S2_H

#include <check.h>

#include "arch.h"
#include "s2.h"
#include "test_util.h"

#define RAM_BASE UINT64_C(0x40000000)
#define RAM_SIZE (UINT64_C(8) << 20)
#define SZ_4K    UINT64_C(0x1000)
#define SZ_2M    UINT64_C(0x200000)

/* Stage 2 leaf attributes: MemAttr Normal iWB/oWB, Inner Shareable, AF. */
#define S2_MEMATTR_WB  (UINT64_C(0xf) << S2_MEMATTR_SHIFT)
#define S2_MEMATTR_NC  (UINT64_C(0x5) << S2_MEMATTR_SHIFT)
#define S2_MEMATTR_DEV (UINT64_C(0x0) << S2_MEMATTR_SHIFT)
#define S2AP_R         (UINT64_C(1) << S2_S2AP_SHIFT)
#define S2AP_W         (UINT64_C(2) << S2_S2AP_SHIFT)
#define S2_LEAF_RW     (S2_MEMATTR_WB | S2AP_R | S2AP_W | DESC_AF | (UINT64_C(3) << DESC_SH_SHIFT))
#define S2_LEAF_RO     (S2_MEMATTR_WB | S2AP_R | DESC_AF | (UINT64_C(3) << DESC_SH_SHIFT))

/* VTCR_EL2: T0SZ, SL0, granule (TG0 encoding), PS; IRGN0=ORGN0=WB, SH0=Inner. */
static inline uint64_t vtcr(unsigned t0sz, unsigned sl0, unsigned tg0, unsigned ps)
{
	return (uint64_t)t0sz << VTCR_T0SZ_SHIFT | (uint64_t)sl0 << VTCR_SL0_SHIFT |
	       UINT64_C(1) << VTCR_IRGN0_SHIFT | UINT64_C(1) << VTCR_ORGN0_SHIFT |
	       UINT64_C(3) << VTCR_SH0_SHIFT | (uint64_t)tg0 << VTCR_TG0_SHIFT |
	       (uint64_t)ps << VTCR_PS_SHIFT;
}

/* The usual test configuration: 4K, 40-bit IPA (T0SZ=24), start level 1 (SL0=1): two
 * concatenated level 1 tables, PS=48 bits. */
#define VTCR_40 vtcr(24, 1, TCR_TG0_4K, 5)

/* A pt_cfg describing stage 2 tables rooted at root, for test_map(). */
static inline struct pt_cfg s2_map_cfg(const struct s2_cfg *c)
{
	struct pt_cfg p;

	memset(&p, 0, sizeof(p));
	p.ttbr = c->root;
	p.tsz = c->tsz;
	p.granule_shift = c->granule_shift;
	p.start_level = c->start_level;
	return p;
}

/* Allocate the (concatenated) root for vtcr value v and return VTTBR_EL2 with vmid. */
static inline uint64_t s2_alloc_root(struct test_mem *m, uint64_t v, uint16_t vmid)
{
	struct s2_cfg c;

	s2_cfg_from_regs(v, 0, S2_FEATURES_A72, &c);
	ck_assert(c.sl_ok);
	uint64_t bytes = (UINT64_C(1) << c.granule_shift) * c.nconcat;
	return test_mem_alloc(m, bytes) | (uint64_t)vmid << VTTBR_VMID_SHIFT;
}

/* Map ipa with stage 2 leaf attributes at level; returns the descriptor's PA. */
static inline uint64_t s2_map(struct test_mem *m, uint64_t v, uint64_t vttbr, uint64_t ipa,
                              uint64_t pa, int level, uint64_t attrs)
{
	struct s2_cfg c;

	s2_cfg_from_regs(v, vttbr, S2_FEATURES_A72, &c);
	struct pt_cfg p = s2_map_cfg(&c);
	return test_map(m, &p, ipa, level, pa | attrs, 0);
}

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

#endif
