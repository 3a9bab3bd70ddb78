/*
 * scratch.h: per-thread scratch memory for secrets.
 *
 * Owns the one pattern of a hot path that needs a few secret bytes per
 * call (a seal's ephemeral key, a page answer's keys): sodium_malloc'd
 * memory made once per thread and area, reused, and wiped and freed when
 * the thread ends, because sodium_malloc's guard pages (mmap, mprotect,
 * munmap) cost more than the work. The caller wipes it (sodium_memzero)
 * after each use. Areas are separate, so one may be in use while another
 * is (a page answer's keys while they are sealed).
 *
 *	static scratch_area area = SCRATCH_AREA(64);
 *	uint8_t *s = scratch_get(&area);   NULL: out of memory
 */
#ifndef LST_SCRATCH_H
#define LST_SCRATCH_H

#include "lst.h"

#include <pthread.h>
#include <stdatomic.h>

typedef struct {
	size_t size;
	atomic_bool ready; /* key made */
	pthread_key_t key;
} scratch_area;

#define SCRATCH_AREA(bytes) {.size = (bytes)}

/* This thread's size bytes of area (made on first use), or NULL when out of memory. */
uint8_t *scratch_get(scratch_area *area);

#endif
