/* The mempool: gaps, order, replacement, limits and refusals. */
#include "lst.h"
#include "unit.h"
#include "mempool.h"
#include "secp.h"
#include "diag.h"

static uint8_t key[32], from[20];

static pooled_tx *mk(uint64_t nonce, uint64_t value, uint64_t gas_price)
{
	pooled_tx *p = xcalloc(1, sizeof(*p));
	tx_init(&p->t);
	p->t.type = 0;
	p->t.has_chain_id = true;
	p->t.chain_id = 161;
	p->t.nonce = nonce;
	p->t.gas = 21000;
	p->t.gas_price = u256_from_u64(gas_price);
	p->t.has_to = true;
	memset(p->t.to, 0x22, 20);
	p->t.value = u256_from_u64(value);
	if (tx_sign(&p->t, &p->raw, key, from) < 0)
		abort();
	return p;
}

static int add(mempool *m, char *err, pooled_tx *p, uint64_t committed, uint64_t balance)
{
	u256 b = u256_from_u64(balance);
	int r = mempool_add(m, err, 128, p, committed, &b);
	if (r < 0)
		pooled_tx_free(p);
	return r;
}

static size_t take(mempool *m, uint64_t *nonces, size_t max)
{
	pooled_tx **out;
	buf raw = BUF_INIT;
	size_t n = mempool_take(m, &out, max);
	for (size_t i = 0; i < n; i++)
		if (mempool_find(m, &raw, out[i]->t.hash) != 0)
			ok(0, "a taken transaction is still found until released");
	mempool_release(m, out, n);
	for (size_t i = 0; i < n && n; i++)
		if (mempool_find(m, &raw, out[i]->t.hash) == 0)
			ok(0, "a released transaction is gone");
	buf_free(&raw);
	for (size_t i = 0; i < n; i++) {
		nonces[i] = out[i]->t.nonce;
		pooled_tx_free(out[i]);
	}
	free(out);
	return n;
}

int main(void)
{
	char err[128];
	uint64_t got[16];
	secp_keygen(key);
	if (secp_address_from_priv(from, key) < 0)
		return 1;

	mempool *m = mempool_new(100, 4);
	ok(add(m, err, mk(2, 1, 1), 0, 100) == 0, "a future nonce is held");
	ok(take(m, got, 10) == 0, "nothing is ready behind a gap");
	ok(mempool_pending_nonce(m, from, 0) == 0, "pending nonce does not jump the gap");
	ok(add(m, err, mk(0, 1, 1), 0, 100) == 0 && add(m, err, mk(1, 1, 1), 0, 100) == 0, "the gap fills");
	ok(mempool_pending_nonce(m, from, 0) == 3, "pending nonce counts ready ones");
	size_t n = take(m, got, 10);
	ok(n == 3 && got[0] == 0 && got[1] == 1 && got[2] == 2, "taken in nonce order (%zu)", n);
	ok(mempool_pending_nonce(m, from, 0) == 3, "taken ones still count until committed");
	mempool_committed(m, from, 3);
	ok(mempool_size(m) == 0, "empty after the commit");

	ok(add(m, err, mk(1, 1, 1), 3, 100) < 0 && !strcmp(err, "nonce too low"), "nonce too low: %s", err);
	ok(add(m, err, mk(3, 101, 1), 3, 100) < 0 && strstr(err, "insufficient funds"), "value above balance refused");
	ok(add(m, err, mk(3, 60, 1), 3, 100) == 0, "affordable alone");
	ok(add(m, err, mk(4, 60, 1), 3, 100) < 0 && strstr(err, "insufficient funds"),
	   "two together above the balance refused");
	pooled_tx *dup = mk(3, 60, 1);
	ok(add(m, err, dup, 3, 100) < 0 && !strcmp(err, "already known"), "the same transaction twice: already known");
	ok(add(m, err, mk(3, 10, 2), 3, 100) == 0 && mempool_size(m) == 1, "same nonce replaces");
	n = take(m, got, 10);
	ok(n == 1 && got[0] == 3, "the replacement is what gets taken");
	mempool_committed(m, from, 4);

	/* Per-sender limit 4: futures fill it, the gap-filler still gets in. */
	for (uint64_t i = 10; i < 14; i++)
		if (add(m, err, mk(i, 1, 1), 4, 100) < 0)
			diagf("add %llu: %s", (unsigned long long)i, err);
	ok(mempool_size(m) == 4, "four futures held");
	ok(add(m, err, mk(20, 1, 1), 4, 100) < 0 && strstr(err, "txpool is full"), "a fifth further one refused");
	ok(add(m, err, mk(4, 1, 1), 4, 100) == 0 && mempool_size(m) == 4,
	   "the nonce that fills the gap evicts the furthest instead");
	n = take(m, got, 10);
	ok(n == 1 && got[0] == 4, "and it is ready");
	mempool_free(m);

	m = mempool_new(2, 100);
	ok(add(m, err, mk(0, 1, 1), 0, 100) == 0 && add(m, err, mk(1, 1, 1), 0, 100) == 0, "two fit");
	ok(add(m, err, mk(2, 1, 1), 0, 100) < 0 && !strcmp(err, "txpool is full"),
	   "the total limit refuses a third when nothing waits behind a gap");
	n = take(m, got, 1);
	ok(n == 1 && got[0] == 0, "take honours max");
	mempool_free(m);

	/* Futures fill the whole pool: a ready one still gets in, evicting the furthest future. */
	m = mempool_new(3, 100);
	ok(add(m, err, mk(5, 1, 1), 0, 100) == 0 && add(m, err, mk(6, 1, 1), 0, 100) == 0 &&
	   add(m, err, mk(9, 1, 1), 0, 100) == 0, "three futures fill the pool");
	ok(add(m, err, mk(7, 1, 1), 0, 100) < 0 && !strcmp(err, "txpool is full"), "another future is refused");
	ok(add(m, err, mk(0, 1, 1), 0, 100) == 0 && mempool_size(m) == 3, "a ready one gets in by evicting");
	n = take(m, got, 10);
	ok(n == 1 && got[0] == 0, "and it is ready (%zu)", n);
	mempool_free(m);
	return unit_done();
}
