/*
 * bench.h: what the load generators of make bench (chain-load,
 * market-load, net-load) share: a monotonic clock, a nap, one JSON-RPC
 * POST over a reused libcurl handle, and a pre-signed EIP-1559
 * transaction. Header-only: each benchmark is a program of its own.
 */
#ifndef LST_BENCH_H
#define LST_BENCH_H

#include "lst.h"
#include "buf.h"
#include "diag.h"
#include "hex.h"
#include "tx.h"

#include <curl/curl.h>
#include <time.h>

static inline double bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline void bench_nap(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static inline size_t bench_sink(char *p, size_t s, size_t n, void *ud)
{
	buf_add(ud, p, s * n);
	return s * n;
}

/* POST body to url as JSON, the response into out. 0, or -1 when no answer came. */
static inline int bench_post(CURL *c, const char *url, buf *out, const char *body, size_t len)
{
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	buf_reset(out);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, bench_sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	CURLcode r = curl_easy_perform(c);
	curl_slist_free_all(h);
	return r == CURLE_OK ? 0 : -1;
}

/*
 * A signed type-2 transaction as 0x-hex (malloc'd): value to `to`, with
 * data[0..len) as calldata (gas 200000) or none (21000). hash, when not
 * NULL, gets the transaction hash.
 */
static inline char *bench_sign(const uint8_t priv[32], const uint8_t from[20], uint64_t chain_id, uint64_t nonce,
			       const uint8_t to[20], const u256 *value, const uint8_t *data, size_t len,
			       uint8_t hash[32])
{
	tx t;
	buf raw = BUF_INIT;
	tx_init(&t);
	t.type = 2;
	t.has_chain_id = true;
	t.chain_id = chain_id;
	t.nonce = nonce;
	t.gas = len ? 200000 : 21000;
	t.max_fee = u256_from_u64(100);
	t.max_priority_fee = u256_from_u64(1);
	t.has_to = true;
	memcpy(t.to, to, 20);
	t.value = *value;
	if (len) {
		t.data = xmalloc(len);
		memcpy(t.data, data, len);
		t.data_len = len;
	}
	if (tx_sign(&t, &raw, priv, from) < 0)
		abort();
	if (hash)
		memcpy(hash, t.hash, 32);
	tx_free(&t);
	char *hex = hex_encode_alloc(raw.p, raw.len);
	buf_free(&raw);
	return hex;
}

#endif
