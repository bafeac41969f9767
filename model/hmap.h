/*
 * hmap.h - a small open-addressing hash map from uint64_t keys to pointers, internal to the
 * hypsim model (cache lines per page, descriptor histories, tracked table pages).
 *
 * Linear probing, power-of-two capacity, no deletion (the model's maps only grow during a run
 * and are freed with it). Keys are arbitrary 64-bit values; the map stores key + 1 so that
 * 0 can mark an empty slot.
 */
#ifndef HYPSIM_MODEL_HMAP_H
#define HYPSIM_MODEL_HMAP_H

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>

struct hmap {
	uint64_t *keys; /* key + 1, 0 = empty */
	void **vals;
	size_t cap, n;
};

static inline uint64_t hmap_hash(uint64_t k)
{
	k ^= k >> 33;
	k *= UINT64_C(0xff51afd7ed558ccd);
	k ^= k >> 33;
	return k;
}

static inline void *hmap_get(const struct hmap *h, uint64_t key)
{
	if (!h->cap)
		return NULL;
	size_t mask = h->cap - 1;
	for (size_t i = hmap_hash(key) & mask;; i = (i + 1) & mask) {
		if (h->keys[i] == key + 1)
			return h->vals[i];
		if (!h->keys[i])
			return NULL;
	}
}

static inline void hmap_put(struct hmap *h, uint64_t key, void *val);

static inline void hmap_grow(struct hmap *h)
{
	struct hmap old = *h;
	h->cap = old.cap ? old.cap * 2 : 64;
	h->n = 0;
	h->keys = calloc(h->cap, sizeof(*h->keys));
	h->vals = calloc(h->cap, sizeof(*h->vals));
	assert(h->keys && h->vals);
	for (size_t i = 0; i < old.cap; i++)
		if (old.keys[i])
			hmap_put(h, old.keys[i] - 1, old.vals[i]);
	free(old.keys);
	free(old.vals);
}

/* Insert or replace. */
static inline void hmap_put(struct hmap *h, uint64_t key, void *val)
{
	if ((h->n + 1) * 2 > h->cap)
		hmap_grow(h);
	size_t mask = h->cap - 1;
	for (size_t i = hmap_hash(key) & mask;; i = (i + 1) & mask) {
		if (h->keys[i] == key + 1) {
			h->vals[i] = val;
			return;
		}
		if (!h->keys[i]) {
			h->keys[i] = key + 1;
			h->vals[i] = val;
			h->n++;
			return;
		}
	}
}

/* Iterate: for (size_t i = 0; i < h->cap; i++) if (h->keys[i]) use h->vals[i]. */

static inline void hmap_free(struct hmap *h, void (*free_val)(void *))
{
	for (size_t i = 0; free_val && i < h->cap; i++)
		if (h->keys[i])
			free_val(h->vals[i]);
	free(h->keys);
	free(h->vals);
	h->keys = NULL;
	h->vals = NULL;
	h->cap = h->n = 0;
}

#endif /* HYPSIM_MODEL_HMAP_H */
