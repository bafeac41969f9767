/*
 * test_util.h - helpers shared by hypsim's model unit tests.
 *
 * An array-backed physical memory behind a struct mem_ops (STYLE 1: tests back the ops
 * table with an array, the simulator with guest RAM), a bump allocator for translation
 * tables, and test_map(), which writes a leaf descriptor and creates the tables above it.
 * test_map() computes table indices on its own (not with the walker's code) so that the
 * walker is checked against an independent statement of D8.2's index arithmetic.
 */
#ifndef HYPSIM_MODEL_TESTS_TEST_UTIL_H
#define HYPSIM_MODEL_TESTS_TEST_UTIL_H

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "mem_ops.h"
#include "pt.h"

struct test_mem {
	uint64_t base; /* PA of buf[0] */
	uint64_t size;
	uint8_t *buf;
	uint64_t next;  /* bump allocator: next free PA */
	unsigned reads; /* descriptor reads seen, for tests of walk behaviour */
};

static inline bool test_mem_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	struct test_mem *m = ctx;

	m->reads++;
	if (pa < m->base || pa - m->base > m->size || len > m->size - (pa - m->base))
		return false; /* nothing behind it: External abort */
	memcpy(buf, m->buf + (pa - m->base), len);
	return true;
}

static inline void test_mem_init(struct test_mem *m, uint64_t base, uint64_t size)
{
	m->base = base;
	m->size = size;
	m->buf = calloc(1, size);
	assert(m->buf);
	m->next = base;
	m->reads = 0;
}

static inline void test_mem_fini(struct test_mem *m)
{
	free(m->buf);
	m->buf = NULL;
}

static inline struct mem_ops test_mem_ops(struct test_mem *m)
{
	struct mem_ops ops = {test_mem_read, m};
	return ops;
}

static inline void test_mem_w64(struct test_mem *m, uint64_t pa, uint64_t v)
{
	assert(pa >= m->base && pa + 8 <= m->base + m->size);
	for (int i = 0; i < 8; i++)
		m->buf[pa - m->base + (uint64_t)i] = (uint8_t)(v >> (8 * i));
}

static inline uint64_t test_mem_r64(struct test_mem *m, uint64_t pa)
{
	uint64_t v = 0;

	assert(pa >= m->base && pa + 8 <= m->base + m->size);
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | m->buf[pa - m->base + (uint64_t)i];
	return v;
}

/* A zeroed (all-invalid) table of one granule, granule-aligned. */
static inline uint64_t test_mem_alloc(struct test_mem *m, uint64_t bytes)
{
	uint64_t pa = (m->next + bytes - 1) & ~(bytes - 1);

	assert(pa + bytes <= m->base + m->size);
	m->next = pa + bytes;
	memset(m->buf + (pa - m->base), 0, bytes);
	return pa;
}

/* D8.2: level n resolves VA[g + (4-n)*(g-3) - 1 : g + (3-n)*(g-3)]. */
static inline unsigned test_level_shift(int level, unsigned g)
{
	return g + (unsigned)(3 - level) * (g - 3);
}

static inline uint64_t test_index(const struct pt_cfg *cfg, uint64_t va, int level)
{
	unsigned g = cfg->granule_shift, shift = test_level_shift(level, g);
	unsigned top = level == cfg->start_level ? 64 - cfg->tsz : shift + g - 3;

	return (va >> shift) & ((UINT64_C(1) << (top - shift)) - 1);
}

/*
 * Write leaf (a block or page descriptor without its type bits) for va at leaf_level,
 * creating missing tables from cfg->ttbr down; new table descriptors get table_bits.
 * Returns the PA of the leaf descriptor.
 */
static inline uint64_t test_map(struct test_mem *m, const struct pt_cfg *cfg, uint64_t va,
                                int leaf_level, uint64_t leaf, uint64_t table_bits)
{
	uint64_t table = cfg->ttbr, gsize = UINT64_C(1) << cfg->granule_shift;

	for (int level = cfg->start_level; level < leaf_level; level++) {
		uint64_t dpa = table + 8 * test_index(cfg, va, level);
		uint64_t d = test_mem_r64(m, dpa);

		if ((d & 3) != 3) {
			d = test_mem_alloc(m, gsize) | 3 | table_bits;
			test_mem_w64(m, dpa, d);
		}
		table = d & UINT64_C(0x0000ffffffffffff) & ~(gsize - 1);
	}
	uint64_t dpa = table + 8 * test_index(cfg, va, leaf_level);
	test_mem_w64(m, dpa, leaf | (leaf_level == 3 ? 3 : 1));
	return dpa;
}

#endif /* HYPSIM_MODEL_TESTS_TEST_UTIL_H */
