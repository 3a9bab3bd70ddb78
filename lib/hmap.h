/*
 * hmap.h: a hash map from fixed-length byte keys (addresses, hashes) to
 * pointers; open addressing with linear probing and tombstones. Keys are
 * copied in; values are the caller's. Not thread-safe.
 */
#ifndef LST_HMAP_H
#define LST_HMAP_H

#include "lst.h"

typedef struct {
	size_t keylen, cap, len, used; /* used counts tombstones too */
	uint8_t *keys;
	void **vals;
	uint8_t *state; /* 0 empty, 1 full, 2 deleted */
} hmap;

void hmap_init(hmap *m, size_t keylen);
void hmap_free(hmap *m);
void *hmap_get(const hmap *m, const uint8_t *key);
/* Insert or replace; returns the old value or NULL. */
void *hmap_put(hmap *m, const uint8_t *key, void *val);
/* Remove; returns the old value or NULL. */
void *hmap_del(hmap *m, const uint8_t *key);
/* Iterate: for (size_t i = 0; hmap_next(m, &i, &k, &v); ) */
bool hmap_next(const hmap *m, size_t *iter, const uint8_t **key, void **val);

#endif
