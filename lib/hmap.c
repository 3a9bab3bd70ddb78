/* hmap.c: see hmap.h. */
#include "lst.h"
#include "hmap.h"
#include "diag.h"

void hmap_init(hmap *m, size_t keylen)
{
	memset(m, 0, sizeof(*m));
	m->keylen = keylen;
}

void hmap_free(hmap *m)
{
	free(m->keys);
	free(m->vals);
	free(m->state);
	size_t k = m->keylen;
	hmap_init(m, k);
}

/* Keys are hashes or addresses already: their first bytes mix well; FNV on top for safety. */
static size_t hash(const hmap *m, const uint8_t *key)
{
	uint64_t h = 1469598103934665603ULL;
	size_t n = m->keylen < 16 ? m->keylen : 16;
	for (size_t i = 0; i < n; i++)
		h = (h ^ key[i]) * 1099511628211ULL;
	return (size_t)h;
}

static size_t find(const hmap *m, const uint8_t *key, bool *found)
{
	size_t mask = m->cap - 1, i = hash(m, key) & mask, tomb = SIZE_MAX;
	for (;;) {
		if (m->state[i] == 0) {
			*found = false;
			return tomb != SIZE_MAX ? tomb : i;
		}
		if (m->state[i] == 2) {
			if (tomb == SIZE_MAX)
				tomb = i;
		} else if (!memcmp(m->keys + i * m->keylen, key, m->keylen)) {
			*found = true;
			return i;
		}
		i = (i + 1) & mask;
	}
}

static void grow(hmap *m)
{
	hmap old = *m;
	m->cap = old.cap ? (old.len * 4 > old.cap ? old.cap * 2 : old.cap) : 64;
	m->keys = xmalloc(m->cap * m->keylen);
	m->vals = xcalloc(m->cap, sizeof(void *));
	m->state = xcalloc(m->cap, 1);
	m->len = m->used = 0;
	for (size_t i = 0; i < old.cap; i++)
		if (old.state[i] == 1)
			hmap_put(m, old.keys + i * old.keylen, old.vals[i]);
	free(old.keys);
	free(old.vals);
	free(old.state);
}

void *hmap_get(const hmap *m, const uint8_t *key)
{
	bool found;
	if (!m->cap)
		return NULL;
	size_t i = find(m, key, &found);
	return found ? m->vals[i] : NULL;
}

void *hmap_put(hmap *m, const uint8_t *key, void *val)
{
	bool found;
	if ((m->used + 1) * 4 > m->cap * 3)
		grow(m);
	size_t i = find(m, key, &found);
	if (found) {
		void *old = m->vals[i];
		m->vals[i] = val;
		return old;
	}
	if (m->state[i] == 0)
		m->used++;
	m->state[i] = 1;
	memcpy(m->keys + i * m->keylen, key, m->keylen);
	m->vals[i] = val;
	m->len++;
	return NULL;
}

void *hmap_del(hmap *m, const uint8_t *key)
{
	bool found;
	if (!m->cap)
		return NULL;
	size_t i = find(m, key, &found);
	if (!found)
		return NULL;
	m->state[i] = 2;
	m->len--;
	return m->vals[i];
}

bool hmap_next(const hmap *m, size_t *iter, const uint8_t **key, void **val)
{
	for (; *iter < m->cap; (*iter)++) {
		if (m->state[*iter] == 1) {
			*key = m->keys + *iter * m->keylen;
			*val = m->vals[*iter];
			(*iter)++;
			return true;
		}
	}
	return false;
}
