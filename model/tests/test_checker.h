/*
 * test_checker.h - what the Check tests of the hypsim checker (model.h) share: the addresses
 * of the tiny machine of machine.h they use, the hazard expectations and two_tables().
 * test_checker_tlb.c (translation and context synchronization), test_checker_cache.c (caches
 * and the PoC) and test_checker_misc.c (several CPUs, exceptions, the report, random
 * streams) hold the tests; the functions here are static inline so that a file may leave
 * some unused.
 */
#ifndef HYPSIM_MODEL_TESTS_TEST_CHECKER_H
#define HYPSIM_MODEL_TESTS_TEST_CHECKER_H

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "machine.h"

#define CODE RAM_BASE              /* code page, identity mapped */
#define DATA (RAM_BASE + 0x100000) /* data, identity mapped */
#define PA1  (RAM_BASE + 0x200000)
#define PA2  (RAM_BASE + 0x201000)
#define VX   UINT64_C(0x10000000) /* a VA outside the identity map */
#define VY   UINT64_C(0x10200000) /* another one, 2 MiB further */

static inline void dump(const struct machine *mt)
{
	for (unsigned i = 0; i < mt->nhz; i++) {
		const struct hazard *h = &mt->hz[i];
		fprintf(stderr, "  %s seq %llu pc 0x%llx: %s\n", hz_class_name(h->cls),
		        (unsigned long long)h->seq, (unsigned long long)h->pc, h->summary);
		for (unsigned k = 0; k < h->n_outcomes; k++)
			fprintf(stderr, "    - %s [%s]\n", h->outcomes[k].text,
			        h->outcomes[k].cause.what);
	}
}

#define EXPECT(mt, cls, n)                                                                         \
	do {                                                                                       \
		if ((mt)->count[cls] != (n))                                                       \
			dump(mt);                                                                  \
		ck_assert_uint_eq((mt)->count[cls], (n));                                          \
	} while (0)
#define EXPECT_NONE(mt)                                                                            \
	do {                                                                                       \
		if (mt_total(mt))                                                                  \
			dump(mt);                                                                  \
		ck_assert_uint_eq(mt_total(mt), 0);                                                \
	} while (0)

/* Two tables: both identity-map RAM; VX -> PA1 in A, VX -> pa_b in B. */
static inline void two_tables(struct machine *mt, uint64_t *a, uint64_t *b, uint64_t pa_b)
{
	*a = mt_idmap(mt);
	*b = mt_idmap(mt);
	mt_map(mt, *a, VX, PA1, ATTR_WB);
	mt_map(mt, *b, VX, pa_b, ATTR_WB);
	mt_map(mt, *a, VY, PA1, ATTR_WB);
	mt_map(mt, *b, VY, PA2, ATTR_WB);
}

#endif
