/*
 * chain-load: load for a running lst-chain daemon (make bench).
 *
 *   chain-load RPC-URL FUNDER-PRIVKEY-HEX CHAIN-ID [TXS] [KEYS] [CONNS]
 *
 * Funds KEYS fresh keys from the funder, pre-signs TXS transfers spread
 * over them (each to a fresh address, so accounts grow), sends them in
 * JSON-RPC batches over CONNS connections at once, and waits until every
 * one is committed. Then it hammers eth_getBalance. Prints JSON:
 * {"txs","seconds","committed_tx_per_s","balance_req_per_s","recover_per_s"}.
 */
#include "lst.h"
#include "bench.h"
#include "addr.h"
#include "buf.h"
#include "diag.h"
#include "hex.h"
#include "keccak.h"
#include "secp.h"
#include "tx.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <time.h>

static const char *url;
static uint64_t chain_id;

static json_t *call(CURL *c, const char *method, json_t *params)
{
	json_t *req = json_pack("{s:s,s:i,s:s,s:o}", "jsonrpc", "2.0", "id", 1, "method", method, "params", params);
	char *body = json_dumps(req, JSON_COMPACT);
	buf out = BUF_INIT;
	json_t *res = NULL;
	if (bench_post(c, url, &out, body, strlen(body)) == 0) {
		json_t *j = json_loadb((const char *)out.p, out.len, 0, NULL);
		res = json_incref(json_object_get(j, "result"));
		if (!res)
			fprintf(stderr, "chain-load: %s: %.*s\n", method, (int)out.len, out.p);
		json_decref(j);
	}
	free(body);
	buf_free(&out);
	json_decref(req);
	return res;
}

static char *sign_transfer(const uint8_t priv[32], const uint8_t from[20], uint64_t nonce, const uint8_t to[20],
			   uint64_t value)
{
	u256 v = u256_from_u64(value);
	return bench_sign(priv, from, chain_id, nonce, to, &v, NULL, 0, NULL);
}

static uint64_t qty(json_t *j)
{
	return j ? strtoull(json_string_value(j), NULL, 16) : 0;
}

/*
 * One connection's share: the keys k with k % conns == conn, each key's
 * transactions in nonce order, as independent clients each sending their
 * own in order would. raws[n * nkeys + k] is key k's nonce n.
 */
typedef struct {
	char **raws;
	size_t ntx, nkeys, conn, conns, batch;
	size_t refused;
} sender_job;

static void *send_range(void *arg)
{
	sender_job *j = arg;
	CURL *c = curl_easy_init();
	buf body = BUF_INIT, out = BUF_INIT;
	size_t i = 0;
	while (i < j->ntx) {
		size_t in_batch = 0;
		buf_reset(&body);
		buf_addc(&body, '[');
		for (; i < j->ntx && in_batch < j->batch; i++) {
			if ((i % j->nkeys) % j->conns != j->conn)
				continue;
			buf_addf(&body, "%s{\"jsonrpc\":\"2.0\",\"id\":%zu,\"method\":\"eth_sendRawTransaction\",\"params\":[\"%s\"]}",
				 in_batch ? "," : "", i, j->raws[i]);
			in_batch++;
		}
		buf_addc(&body, ']');
		if (!in_batch)
			break;
		if (bench_post(c, url, &out, (const char *)body.p, body.len) < 0) {
			j->refused += j->batch;
			continue;
		}
		/* count errors in the answer */
		for (const char *p = (const char *)out.p; (p = strstr(p, "\"error\"")); p++)
			j->refused++;
	}
	buf_free(&body);
	buf_free(&out);
	curl_easy_cleanup(c);
	return NULL;
}

typedef struct {
	double until;
	uint64_t n;
	const char *addr;
} bal_job;

static void *balance_loop(void *arg)
{
	bal_job *j = arg;
	CURL *c = curl_easy_init();
	buf out = BUF_INIT;
	char body[256];
	int len = snprintf(body, sizeof(body),
			   "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getBalance\",\"params\":[\"%s\",\"latest\"]}", j->addr);
	while (bench_now() < j->until) {
		if (bench_post(c, url, &out, body, (size_t)len) == 0 && out.len)
			j->n++;
	}
	buf_free(&out);
	curl_easy_cleanup(c);
	return NULL;
}

int main(int argc, char **argv)
{
	diag_init("chain-load");
	if (argc < 4) {
		fprintf(stderr, "usage: chain-load RPC-URL FUNDER-PRIVKEY CHAIN-ID [TXS] [KEYS] [CONNS]\n");
		return 2;
	}
	url = argv[1];
	chain_id = strtoull(argv[3], NULL, 10);
	size_t ntx = argc > 4 ? strtoull(argv[4], NULL, 10) : 100000;
	size_t nkeys = argc > 5 ? strtoull(argv[5], NULL, 10) : 200;
	size_t conns = argc > 6 ? strtoull(argv[6], NULL, 10) : 4;
	uint8_t fpriv[32], faddr[20];
	if (hex_decode(fpriv, 32, argv[2]) < 0 || secp_address_from_priv(faddr, fpriv) < 0)
		return 2;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	CURL *c = curl_easy_init();
	char fstr[ADDR_STR];
	addr_to_str(fstr, faddr);
	uint64_t fnonce = qty(call(c, "eth_getTransactionCount", json_pack("[s,s]", fstr, "pending")));

	/* Keys and their funding. */
	uint8_t (*privs)[32] = xmalloc(nkeys * 32), (*addrs)[20] = xmalloc(nkeys * 20);
	char **fund = xmalloc(nkeys * sizeof(char *));
	for (size_t i = 0; i < nkeys; i++) {
		secp_keygen(privs[i]);
		if (secp_address_from_priv(addrs[i], privs[i]) < 0)
			return 1;
		fund[i] = sign_transfer(fpriv, faddr, fnonce + i, addrs[i], 1000000000000ULL);
	}
	sender_job fj = {fund, nkeys, nkeys, 0, 1, 500, 0};
	send_range(&fj);
	for (;;) {
		uint64_t n = qty(call(c, "eth_getTransactionCount", json_pack("[s,s]", fstr, "latest")));
		if (n >= fnonce + nkeys)
			break;
		struct timespec ts = {0, 100000000L};
		nanosleep(&ts, NULL);
	}

	/* Pre-sign the load: each key sends ntx/nkeys transfers to fresh addresses. */
	double t0 = bench_now();
	char **raws = xmalloc(ntx * sizeof(char *));
	for (size_t i = 0; i < ntx; i++) {
		size_t k = i % nkeys;
		uint8_t to[20];
		uint8_t seed[32];
		memcpy(seed, &i, sizeof(i));
		memcpy(seed + 8, addrs[k], 20);
		uint8_t h[32];
		keccak256(h, seed, 28);
		memcpy(to, h, 20);
		raws[i] = sign_transfer(privs[k], addrs[k], i / nkeys, to, 1);
	}
	double signing = bench_now() - t0;

	/* Recovery rate of this machine, for the ratio. */
	uint8_t d[32] = {1}, sig[64], pub[65];
	int recid;
	if (secp_sign(sig, &recid, fpriv, d) < 0)
		return 1;
	double r0 = bench_now();
	for (int i = 0; i < 20000; i++)
		if (secp_recover(pub, sig, recid, d, false) < 0)
			return 1;
	double recover_rate = 20000 / (bench_now() - r0);

	uint64_t h0 = qty(call(c, "eth_blockNumber", json_array()));
	double s0 = bench_now();
	pthread_t *th = xmalloc(conns * sizeof(pthread_t));
	sender_job *jobs = xcalloc(conns, sizeof(sender_job));
	for (size_t i = 0; i < conns; i++) {
		jobs[i] = (sender_job){raws, ntx, nkeys, i, conns, 1000, 0};
		pthread_create(&th[i], NULL, send_range, &jobs[i]);
	}
	size_t refused = 0;
	for (size_t i = 0; i < conns; i++) {
		pthread_join(th[i], NULL);
		refused += jobs[i].refused;
	}
	double sent = bench_now() - s0;
	/*
	 * Committed: every key's nonce reaches its share. A bounded pool may
	 * refuse or evict transactions waiting behind a gap (as a node under
	 * load should); like any client, resend from each key's committed nonce.
	 */
	buf body = BUF_INIT, out = BUF_INIT;
	for (;;) {
		size_t behind = 0;
		buf_reset(&body);
		buf_addc(&body, '[');
		json_t *q = json_array();
		for (size_t k = 0; k < nkeys; k++) {
			char a[ADDR_STR];
			addr_to_str(a, addrs[k]);
			json_array_append_new(q, json_pack("{s:s,s:i,s:s,s:[s,s]}", "jsonrpc", "2.0", "id", (int)k, "method",
							   "eth_getTransactionCount", "params", a, "latest"));
		}
		char *qs = json_dumps(q, JSON_COMPACT);
		json_decref(q);
		buf nonces = BUF_INIT;
		int pr = bench_post(c, url, &nonces, qs, strlen(qs));
		free(qs);
		json_t *ans = pr == 0 ? json_loadb((const char *)nonces.p, nonces.len, 0, NULL) : NULL;
		buf_free(&nonces);
		size_t first = 1;
		for (size_t k = 0; k < nkeys && ans; k++) {
			json_t *e = json_array_get(ans, k);
			uint64_t have = qty(json_object_get(e, "result"));
			uint64_t want = ntx / nkeys + (k < ntx % nkeys);
			if (have >= want)
				continue;
			behind++;
			for (uint64_t n = have; n < want && n < have + 20; n++) {
				size_t i = (size_t)n * nkeys + k;
				buf_addf(&body, "%s{\"jsonrpc\":\"2.0\",\"id\":%zu,\"method\":\"eth_sendRawTransaction\",\"params\":[\"%s\"]}",
					 first ? "" : ",", i, raws[i]);
				first = 0;
			}
		}
		json_decref(ans);
		if (!behind)
			break;
		buf_addc(&body, ']');
		/* The front of each key's gap is ready work: a full pool makes room for it. */
		if (!first && bench_post(c, url, &out, (const char *)body.p, body.len) < 0)
			fprintf(stderr, "chain-load: resend failed\n");
		if (bench_now() - s0 > 900) {
			fprintf(stderr, "chain-load: not all committed after 900 s (%zu keys behind)\n", behind);
			break;
		}
		struct timespec ts = {0, 200000000L};
		nanosleep(&ts, NULL);
	}
	buf_free(&body);
	buf_free(&out);
	double elapsed = bench_now() - s0;
	uint64_t h1 = qty(call(c, "eth_blockNumber", json_array()));

	/* eth_getBalance rate over conns keep-alive connections, 3 s. */
	bal_job *bj = xcalloc(conns, sizeof(bal_job));
	double until = bench_now() + 3;
	for (size_t i = 0; i < conns; i++) {
		bj[i] = (bal_job){until, 0, fstr};
		pthread_create(&th[i], NULL, balance_loop, &bj[i]);
	}
	uint64_t nb = 0;
	for (size_t i = 0; i < conns; i++) {
		pthread_join(th[i], NULL);
		nb += bj[i].n;
	}
	printf("{\"txs\":%zu,\"refused\":%zu,\"keys\":%zu,\"connections\":%zu,\"signing_s\":%.2f,\"send_s\":%.2f,"
	       "\"seconds\":%.2f,\"blocks\":%llu,\"committed_tx_per_s\":%.0f,\"recover_per_s\":%.0f,"
	       "\"ratio_to_recovery\":%.2f,\"balance_req_per_s\":%.0f}\n",
	       ntx, refused, nkeys, conns, signing, sent, elapsed, (unsigned long long)(h1 - h0), ntx / elapsed,
	       recover_rate, ntx / elapsed / recover_rate, nb / 3.0);
	return 0;
}
