/* scratch.c: see scratch.h. */
#include "lst.h"
#include "scratch.h"

#include <sodium.h>

static pthread_mutex_t make_lock = PTHREAD_MUTEX_INITIALIZER;

static void scratch_free(void *p)
{
	sodium_free(p);
}

uint8_t *scratch_get(scratch_area *area)
{
	if (!atomic_load_explicit(&area->ready, memory_order_acquire)) {
		pthread_mutex_lock(&make_lock);
		if (!atomic_load_explicit(&area->ready, memory_order_relaxed)) {
			if (pthread_key_create(&area->key, scratch_free) != 0)
				abort();
			atomic_store_explicit(&area->ready, true, memory_order_release);
		}
		pthread_mutex_unlock(&make_lock);
	}
	uint8_t *p = pthread_getspecific(area->key);
	if (!p && (p = sodium_malloc(area->size)) && pthread_setspecific(area->key, p) != 0) {
		sodium_free(p);
		p = NULL;
	}
	return p;
}
