/*
 * mem_ops.h - how physical memory reaches the model.
 *
 * The model never owns guest RAM. The caller (sim/ with guest RAM, trace replay with a
 * reconstructed image, tests with an array) passes an ops table, as Linux's
 * kvm_pgtable_mm_ops does. The contents seen through it are "memory as the program sees
 * it": the latest value written, the coherent outcome that Unicorn executes. Older values
 * (at the Point of Coherency, or stale lines in a cache) are the model's own state.
 */
#ifndef HYPSIM_MODEL_MEM_OPS_H
#define HYPSIM_MODEL_MEM_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mem_ops {
	/*
	 * Copy len bytes at physical address pa into buf. Returns false when any byte of
	 * the range has nothing behind it (an External abort for the accessor).
	 */
	bool (*read)(void *ctx, uint64_t pa, void *buf, size_t len);
	void *ctx;
};

/* Read a little-endian 64-bit word (descriptors are always little-endian here: SCTLR.EE=0). */
static inline bool mem_read64(const struct mem_ops *ops, uint64_t pa, uint64_t *out)
{
	uint8_t b[8];
	if (!ops->read(ops->ctx, pa, b, sizeof(b)))
		return false;
	/* Spelled out so that the compiler makes it one load on a little-endian host. */
	*out = (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 | (uint64_t)b[3] << 24 |
	       (uint64_t)b[4] << 32 | (uint64_t)b[5] << 40 | (uint64_t)b[6] << 48 |
	       (uint64_t)b[7] << 56;
	return true;
}

#endif /* HYPSIM_MODEL_MEM_OPS_H */
