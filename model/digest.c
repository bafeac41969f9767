/*
 * digest.c - the accumulator of digest.h. The state itself is hashed next to its
 * definition (checker.c: registers, the translation cache, pending maintenance; tlb.c:
 * contexts, TLBIs, descriptor histories, table tracking; cache.c: lines), so that a field
 * added to a structure is added to its digest in the same place.
 */
#include "digest.h"

#include <string.h>

void dg_bytes(struct dg *d, const void *p, size_t n)
{
	const unsigned char *b = p;
	dg_u64(d, n);
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, b, 8);
		dg_u64(d, w);
		b += 8;
		n -= 8;
	}
	if (n) {
		uint64_t w = 0;
		memcpy(&w, b, n);
		dg_u64(d, w);
	}
}
