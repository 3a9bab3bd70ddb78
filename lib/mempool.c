/* mempool.c: see mempool.h. */
#include "lst.h"
#include "mempool.h"
#include "diag.h"
#include "hmap.h"

#include <pthread.h>

/* One sender's waiting transactions, sorted by nonce. */
typedef struct {
	uint8_t address[20];
	uint64_t committed;   /* the sender's committed nonce */
	pooled_tx **txs;
	size_t n, cap;
	u256 spending;        /* sum of values waiting */
	uint64_t first_seq;   /* arrival of its oldest entry, for fairness */
} sender_q;

struct mempool {
	pthread_mutex_t lock;
	hmap senders; /* address -> sender_q */
	hmap by_hash; /* hash -> pooled_tx */
	size_t total, max_total, max_per_sender;
	uint64_t seq;
};

void pooled_tx_free(pooled_tx *p)
{
	if (!p)
		return;
	tx_free(&p->t);
	buf_free(&p->raw);
	free(p);
}

mempool *mempool_new(size_t max_total, size_t max_per_sender)
{
	mempool *m = xcalloc(1, sizeof(*m));
	pthread_mutex_init(&m->lock, NULL);
	hmap_init(&m->senders, 20);
	hmap_init(&m->by_hash, 32);
	m->max_total = max_total;
	m->max_per_sender = max_per_sender;
	return m;
}

static void free_sender(sender_q *q)
{
	for (size_t i = 0; i < q->n; i++)
		pooled_tx_free(q->txs[i]);
	free(q->txs);
	free(q);
}

void mempool_free(mempool *m)
{
	size_t it = 0;
	const uint8_t *k;
	void *v;
	while (hmap_next(&m->senders, &it, &k, &v))
		free_sender(v);
	hmap_free(&m->senders);
	hmap_free(&m->by_hash);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

/* Index of the first entry with nonce >= n. */
static size_t lower_bound(const sender_q *q, uint64_t n)
{
	size_t lo = 0, hi = q->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (q->txs[mid]->t.nonce < n)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void recompute(sender_q *q)
{
	q->spending = u256_from_u64(0);
	q->first_seq = UINT64_MAX;
	for (size_t i = 0; i < q->n; i++) {
		u256 s;
		if (u256_add(&s, &q->spending, &q->txs[i]->t.value) == 0)
			q->spending = s;
		if (q->txs[i]->seq < q->first_seq)
			q->first_seq = q->txs[i]->seq;
	}
}

/* The nonce after q's ready run: what would execute next. */
static uint64_t frontier(const sender_q *q)
{
	uint64_t n = q->committed;
	for (size_t i = lower_bound(q, n); i < q->n && q->txs[i]->t.nonce == n; i++)
		n++;
	return n;
}

/*
 * The pool is full. A transaction that could execute next (it extends its
 * sender's ready run) takes the place of the one waiting furthest behind a
 * gap, from any sender, so futures parked by many senders can never lock
 * out ready work; anything else is refused. -1 if p may not come in.
 */
static int evict_future(mempool *m, const sender_q *mine, const pooled_tx *p)
{
	if (p->t.nonce != frontier(mine))
		return -1;
	sender_q *victim = NULL;
	uint64_t worst = 0;
	size_t it = 0;
	const uint8_t *k;
	void *v;
	while (hmap_next(&m->senders, &it, &k, &v)) {
		sender_q *q = v;
		if (q->n == 0)
			continue;
		/* O(1): a queue with no gap ends at committed + n - 1; past that, its last waits. */
		uint64_t last = q->txs[q->n - 1]->t.nonce, end = q->committed + q->n - 1;
		if (last > end && last - end > worst) {
			worst = last - end;
			victim = q;
		}
	}
	if (!victim)
		return -1;
	pooled_tx *last = victim->txs[--victim->n];
	u256 sp;
	if (u256_sub(&sp, &victim->spending, &last->t.value) == 0)
		victim->spending = sp;
	hmap_del(&m->by_hash, last->t.hash);
	pooled_tx_free(last);
	m->total--;
	return 0;
}

static int refuse(char *err, size_t errlen, const char *msg)
{
	snprintf(err, errlen, "%s", msg);
	return -1;
}

int mempool_add(mempool *m, char *err, size_t errlen, pooled_tx *p, uint64_t committed_nonce, const u256 *balance)
{
	int r = 0;
	pthread_mutex_lock(&m->lock);
	if (hmap_get(&m->by_hash, p->t.hash)) {
		r = refuse(err, errlen, "already known");
		goto out;
	}
	sender_q *q = hmap_get(&m->senders, p->t.from);
	if (!q) {
		q = xcalloc(1, sizeof(*q));
		memcpy(q->address, p->t.from, 20);
		q->committed = committed_nonce;
		q->first_seq = UINT64_MAX;
		hmap_put(&m->senders, q->address, q);
	}
	if (committed_nonce > q->committed)
		q->committed = committed_nonce;
	if (p->t.nonce < q->committed) {
		r = refuse(err, errlen, "nonce too low");
		goto cleanup;
	}
	size_t i = lower_bound(q, p->t.nonce);
	bool replace = i < q->n && q->txs[i]->t.nonce == p->t.nonce;
	if (!replace && q->n >= m->max_per_sender) {
		/*
		 * Full: a transaction before the furthest one waiting (e.g. the one
		 * that fills a gap) takes that one's place, so a sender can never
		 * lock itself out; one after it is refused.
		 */
		if (p->t.nonce > q->txs[q->n - 1]->t.nonce) {
			r = refuse(err, errlen, "txpool is full: too many transactions from this sender");
			goto cleanup;
		}
		pooled_tx *last = q->txs[--q->n];
		u256 sp;
		if (u256_sub(&sp, &q->spending, &last->t.value) == 0)
			q->spending = sp;
		hmap_del(&m->by_hash, last->t.hash);
		pooled_tx_free(last);
		m->total--;
	}
	if (!replace && m->total >= m->max_total && evict_future(m, q, p) < 0) {
		r = refuse(err, errlen, "txpool is full");
		goto cleanup;
	}
	/* Everything waiting from this sender, with this one, must be affordable. */
	u256 need = q->spending, t;
	if (replace && u256_sub(&need, &need, &q->txs[i]->t.value) < 0)
		need = u256_from_u64(0);
	if (u256_add(&t, &need, &p->t.value) < 0 || u256_cmp(&t, balance) > 0) {
		r = refuse(err, errlen, "insufficient funds for transfer");
		goto cleanup;
	}
	p->seq = ++m->seq;
	/* spending and first_seq kept up as we go: adds stay O(log n). */
	q->spending = t;
	if (p->seq < q->first_seq)
		q->first_seq = p->seq;
	if (replace) {
		hmap_del(&m->by_hash, q->txs[i]->t.hash);
		pooled_tx_free(q->txs[i]);
		q->txs[i] = p;
	} else {
		if (q->n == q->cap) {
			q->cap = q->cap ? q->cap * 2 : 8;
			q->txs = xrealloc(q->txs, q->cap * sizeof(*q->txs));
		}
		memmove(&q->txs[i + 1], &q->txs[i], (q->n - i) * sizeof(*q->txs));
		q->txs[i] = p;
		q->n++;
		m->total++;
	}
	hmap_put(&m->by_hash, p->t.hash, p);
	goto out;
cleanup:
	if (q->n == 0)
		free_sender(hmap_del(&m->senders, q->address));
out:
	pthread_mutex_unlock(&m->lock);
	return r;
}

typedef struct {
	sender_q *q;
} sender_ref;

static int by_age(const void *a, const void *b)
{
	uint64_t x = ((const sender_ref *)a)->q->first_seq, y = ((const sender_ref *)b)->q->first_seq;
	return x < y ? -1 : x > y;
}

size_t mempool_take(mempool *m, pooled_tx ***out, size_t max)
{
	pthread_mutex_lock(&m->lock);
	size_t nq = m->senders.len, k = 0, it = 0, taken = 0;
	sender_ref *refs = xmalloc((nq + 1) * sizeof(*refs));
	const uint8_t *key;
	void *v;
	while (hmap_next(&m->senders, &it, &key, &v))
		refs[k++].q = v;
	qsort(refs, k, sizeof(*refs), by_age);
	*out = xmalloc((max < m->total ? max : m->total) * sizeof(**out) + sizeof(**out));
	for (size_t s = 0; s < k && taken < max; s++) {
		sender_q *q = refs[s].q;
		size_t ready = 0;
		while (ready < q->n && taken < max && q->txs[ready]->t.nonce == q->committed + ready)
			(*out)[taken++] = q->txs[ready++];
		if (!ready)
			continue;
		/* Taken ones stay findable by hash until mempool_release. */
		memmove(q->txs, q->txs + ready, (q->n - ready) * sizeof(*q->txs));
		q->n -= ready;
		m->total -= ready;
		/*
		 * Optimistic: the block will commit them, and until it does the
		 * pending nonce must count them, so the queue stays even when
		 * empty; mempool_committed sets the truth and frees it.
		 */
		q->committed += ready;
		recompute(q);
	}
	free(refs);
	pthread_mutex_unlock(&m->lock);
	return taken;
}

size_t mempool_peek(mempool *m, pooled_tx ***out, size_t max)
{
	pthread_mutex_lock(&m->lock);
	size_t nq = m->senders.len, k = 0, it = 0, taken = 0;
	sender_ref *refs = xmalloc((nq + 1) * sizeof(*refs));
	const uint8_t *key;
	void *v;
	while (hmap_next(&m->senders, &it, &key, &v))
		refs[k++].q = v;
	qsort(refs, k, sizeof(*refs), by_age);
	*out = xmalloc((max < m->total ? max : m->total) * sizeof(**out) + sizeof(**out));
	for (size_t s = 0; s < k && taken < max; s++) {
		sender_q *q = refs[s].q;
		size_t first = lower_bound(q, q->committed);
		for (size_t i = first; i < q->n && taken < max && q->txs[i]->t.nonce == q->committed + (i - first); i++) {
			pooled_tx *src = q->txs[i], *p = xcalloc(1, sizeof(*p));
			char err[64];
			buf_add(&p->raw, src->raw.p, src->raw.len);
			p->seq = src->seq;
			if (tx_decode_trusted(&p->t, err, sizeof(err), p->raw.p, p->raw.len, src->t.from) < 0) {
				pooled_tx_free(p); /* cannot happen: it decoded on the way in */
				break;
			}
			(*out)[taken++] = p;
		}
	}
	free(refs);
	pthread_mutex_unlock(&m->lock);
	return taken;
}

int mempool_sender(mempool *m, uint8_t from[20], const uint8_t hash[32])
{
	pthread_mutex_lock(&m->lock);
	pooled_tx *p = hmap_get(&m->by_hash, hash);
	if (p)
		memcpy(from, p->t.from, 20);
	pthread_mutex_unlock(&m->lock);
	return p ? 0 : 1;
}

void mempool_release(mempool *m, pooled_tx *const *txs, size_t n)
{
	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < n; i++)
		if (hmap_get(&m->by_hash, txs[i]->t.hash) == txs[i])
			hmap_del(&m->by_hash, txs[i]->t.hash);
	pthread_mutex_unlock(&m->lock);
}

void mempool_committed(mempool *m, const uint8_t sender[20], uint64_t nonce)
{
	pthread_mutex_lock(&m->lock);
	sender_q *q = hmap_get(&m->senders, sender);
	if (q) {
		q->committed = nonce;
		size_t stale = lower_bound(q, nonce);
		for (size_t i = 0; i < stale; i++) {
			hmap_del(&m->by_hash, q->txs[i]->t.hash);
			pooled_tx_free(q->txs[i]);
		}
		memmove(q->txs, q->txs + stale, (q->n - stale) * sizeof(*q->txs));
		q->n -= stale;
		m->total -= stale;
		recompute(q);
		if (q->n == 0)
			free_sender(hmap_del(&m->senders, q->address));
	}
	pthread_mutex_unlock(&m->lock);
}

size_t mempool_size(mempool *m)
{
	pthread_mutex_lock(&m->lock);
	size_t n = m->total;
	pthread_mutex_unlock(&m->lock);
	return n;
}

uint64_t mempool_pending_nonce(mempool *m, const uint8_t sender[20], uint64_t committed_nonce)
{
	pthread_mutex_lock(&m->lock);
	uint64_t n = committed_nonce;
	sender_q *q = hmap_get(&m->senders, sender);
	if (q) {
		if (q->committed > n)
			n = q->committed;
		for (size_t i = lower_bound(q, n); i < q->n && q->txs[i]->t.nonce == n; i++)
			n++;
	}
	pthread_mutex_unlock(&m->lock);
	return n;
}

int mempool_find(mempool *m, buf *raw, const uint8_t hash[32])
{
	pthread_mutex_lock(&m->lock);
	pooled_tx *p = hmap_get(&m->by_hash, hash);
	if (p) {
		buf_reset(raw);
		buf_add(raw, p->raw.p, p->raw.len);
	}
	pthread_mutex_unlock(&m->lock);
	return p ? 0 : 1;
}
