/*
 * market-load: purchases for a running lst-chain daemon (make bench).
 *
 *   market-load RPC-URL FUNDER-PRIVKEY-HEX CHAIN-ID BOOK PRICE [BUYERS] [CONNS]
 *
 * BOOK (0x-hex) is published on the market at PRICE (Photons). Funds
 * BUYERS fresh keys with PRICE each (the funder pays one key per thousand
 * buyers, which pays its buyers; untimed), pre-signs each buyer's
 * buy(BOOK) with value PRICE, sends them in JSON-RPC batches over CONNS
 * connections at once, and waits until every buyer's purchase is
 * committed (its nonce is 1; the book's sales count says the same).
 * Prints JSON: {"purchases","seconds","committed_per_s","sales",...}.
 */
#include "lst.h"
#include "bench.h"
#include "addr.h"
#include "book.h"
#include "buf.h"
#include "diag.h"
#include "hex.h"
#include "market.h"
#include "rpcclient.h"
#include "secp.h"
#include "tx.h"

#include <curl/curl.h>
#include <sodium.h>
#include <jansson.h>
#include <pthread.h>
#include <time.h>

#define PER_FUNDER 1000

static const char *url;
static uint64_t chain_id;

/* A sender and its pre-signed transactions, nonces 0.. in order (base: its first nonce). */
typedef struct {
	uint8_t addr[20];
	uint64_t base;
	size_t n;
	char **raws;
} lane;

typedef struct {
	lane *lanes;
	size_t nlanes, conn, conns, batch, refused;
} sender_job;

/* One connection's share: lanes k with k % conns == conn, round by round (nonce order per lane). */
static void *send_lanes(void *arg)
{
	sender_job *j = arg;
	if (j->conn >= j->nlanes)
		return NULL;
	CURL *c = curl_easy_init();
	buf body = BUF_INIT, out = BUF_INIT;
	size_t rounds = 0;
	for (size_t k = 0; k < j->nlanes; k++)
		rounds = j->lanes[k].n > rounds ? j->lanes[k].n : rounds;
	size_t r = 0, k = j->conn;
	while (r < rounds) {
		size_t in_batch = 0;
		buf_reset(&body);
		buf_addc(&body, '[');
		while (r < rounds && in_batch < j->batch) {
			if (r < j->lanes[k].n) {
				buf_addf(&body, "%s{\"jsonrpc\":\"2.0\",\"id\":%zu,\"method\":\"eth_sendRawTransaction\",\"params\":[\"%s\"]}",
					 in_batch ? "," : "", in_batch, j->lanes[k].raws[r]);
				in_batch++;
			}
			k += j->conns;
			if (k >= j->nlanes) {
				k = j->conn;
				r++;
			}
		}
		buf_addc(&body, ']');
		if (!in_batch)
			break;
		if (bench_post(c, url, &out, (const char *)body.p, body.len) < 0) {
			j->refused += in_batch;
			continue;
		}
		for (const char *p = (const char *)out.p; (p = strstr(p, "\"error\"")); p++)
			j->refused++;
	}
	buf_free(&body);
	buf_free(&out);
	curl_easy_cleanup(c);
	return NULL;
}

/*
 * Send every lane's transactions over conns connections, then wait until
 * each lane's committed nonce is base + n, resending (as any client would)
 * from the committed nonce of a lane that a bounded pool dropped. The
 * seconds from the first send to the last commit, or -1 after 900 s.
 */
static double run_lanes(CURL *c, lane *lanes, size_t nlanes, size_t conns, size_t *refused)
{
	double s0 = bench_now();
	pthread_t *th = xmalloc(conns * sizeof(pthread_t));
	sender_job *jobs = xcalloc(conns, sizeof(sender_job));
	for (size_t i = 0; i < conns; i++) {
		jobs[i] = (sender_job){lanes, nlanes, i, conns, 1000, 0};
		pthread_create(&th[i], NULL, send_lanes, &jobs[i]);
	}
	for (size_t i = 0; i < conns; i++) {
		pthread_join(th[i], NULL);
		*refused += jobs[i].refused;
	}
	free(th);
	free(jobs);
	bool *done = xcalloc(nlanes, sizeof(bool));
	size_t left = nlanes;
	buf q = BUF_INIT, ans = BUF_INIT, resend = BUF_INIT, out = BUF_INIT;
	double last_progress = bench_now();
	while (left) {
		size_t before = left, nresend = 0;
		buf_reset(&resend);
		buf_addc(&resend, '[');
		/* The committed nonces of the lanes not done yet, a thousand per batch. */
		for (size_t a = 0; a < nlanes;) {
			size_t ids[1000], m = 0;
			buf_reset(&q);
			buf_addc(&q, '[');
			for (; a < nlanes && m < 1000; a++) {
				if (done[a])
					continue;
				char s[ADDR_STR];
				addr_to_str(s, lanes[a].addr);
				buf_addf(&q, "%s{\"jsonrpc\":\"2.0\",\"id\":%zu,\"method\":\"eth_getTransactionCount\",\"params\":[\"%s\",\"latest\"]}",
					 m ? "," : "", m, s);
				ids[m++] = a;
			}
			buf_addc(&q, ']');
			if (!m)
				break;
			json_t *arr = bench_post(c, url, &ans, (const char *)q.p, q.len) == 0 ? json_loadb((const char *)ans.p, ans.len, 0, NULL) : NULL;
			size_t i;
			json_t *e;
			json_array_foreach(arr, i, e) {
				json_int_t id = json_integer_value(json_object_get(e, "id"));
				const char *v = json_string_value(json_object_get(e, "result"));
				if (id < 0 || (size_t)id >= m || !v)
					continue;
				lane *l = &lanes[ids[id]];
				uint64_t have = strtoull(v, NULL, 16);
				if (have >= l->base + l->n) {
					done[ids[id]] = true;
					left--;
					continue;
				}
				/* Stalled: resend the front of the gap. */
				if (bench_now() - last_progress > 2)
					for (uint64_t n = have - l->base; n < l->n && n < have - l->base + 20; n++, nresend++)
						buf_addf(&resend, "%s{\"jsonrpc\":\"2.0\",\"id\":%zu,\"method\":\"eth_sendRawTransaction\",\"params\":[\"%s\"]}",
							 nresend ? "," : "", nresend, l->raws[n]);
			}
			json_decref(arr);
		}
		if (left < before)
			last_progress = bench_now();
		if (nresend) {
			buf_addc(&resend, ']');
			if (bench_post(c, url, &out, (const char *)resend.p, resend.len) < 0)
				fprintf(stderr, "market-load: resend failed\n");
		}
		if (!left)
			break;
		if (bench_now() - s0 > 900) {
			fprintf(stderr, "market-load: %zu of %zu senders not committed after 900 s\n", left, nlanes);
			break;
		}
		bench_nap(100);
	}
	double t = left ? -1 : bench_now() - s0;
	buf_free(&q);
	buf_free(&ans);
	buf_free(&resend);
	buf_free(&out);
	free(done);
	return t;
}

static void lanes_free(lane *l, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < l[i].n; k++)
			free(l[i].raws[k]);
		free(l[i].raws);
	}
	free(l);
}

int main(int argc, char **argv)
{
	diag_init("market-load");
	if (argc < 6) {
		fprintf(stderr, "usage: market-load RPC-URL FUNDER-PRIVKEY CHAIN-ID BOOK PRICE [BUYERS] [CONNS]\n");
		return 2;
	}
	url = argv[1];
	chain_id = strtoull(argv[3], NULL, 10);
	size_t nbuy = argc > 6 ? strtoull(argv[6], NULL, 10) : 50000;
	size_t conns = argc > 7 ? strtoull(argv[7], NULL, 10) : 4;
	uint8_t fpriv[32], faddr[20], book[32], market[20] = MARKET_ADDRESS_BYTES;
	u256 price, fund;
	if (hex_decode(fpriv, 32, argv[2]) < 0 || secp_address_from_priv(faddr, fpriv) < 0 ||
	    book_id_parse(book, argv[4]) < 0 || u256_from_dec(&price, argv[5]) < 0 || !nbuy || !conns ||
	    u256_mul_small(&fund, &price, PER_FUNDER, 0) < 0)
		return 2;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rpcc_set_url(url);
	CURL *c = curl_easy_init();
	book_info b0;
	if (book_get(&b0, book) != 0)
		return 1;
	if (u256_cmp(&b0.price, &price) != 0) {
		fprintf(stderr, "market-load: the book's price is not %s\n", argv[5]);
		return 2;
	}
	json_t *n0;
	char fstr[ADDR_STR];
	addr_to_str(fstr, faddr);
	if (rpcc_call(&n0, "eth_getTransactionCount", json_pack("[s,s]", fstr, "pending")) < 0)
		return 1;
	uint64_t fnonce = strtoull(json_string_value(n0), NULL, 16);
	json_decref(n0);

	/* Keys: a funder per thousand buyers, then the buyers. */
	size_t nfund = (nbuy + PER_FUNDER - 1) / PER_FUNDER;
	uint8_t (*fprivs)[32] = xmalloc(nfund * 32), (*bprivs)[32] = xmalloc(nbuy * 32);
	lane *top = xcalloc(1, sizeof(lane)), *mid = xcalloc(nfund, sizeof(lane)), *buys = xcalloc(nbuy, sizeof(lane));
	memcpy(top->addr, faddr, 20);
	top->base = fnonce;
	top->n = nfund;
	top->raws = xmalloc(nfund * sizeof(char *));
	for (size_t i = 0; i < nbuy; i++) {
		secp_keygen(bprivs[i]);
		if (secp_address_from_priv(buys[i].addr, bprivs[i]) < 0)
			return 1;
	}
	for (size_t f = 0; f < nfund; f++) {
		secp_keygen(fprivs[f]);
		if (secp_address_from_priv(mid[f].addr, fprivs[f]) < 0)
			return 1;
		top->raws[f] = bench_sign(fpriv, faddr, chain_id, fnonce + f, mid[f].addr, &fund, NULL, 0, NULL);
		size_t first = f * PER_FUNDER, end = first + PER_FUNDER < nbuy ? first + PER_FUNDER : nbuy;
		mid[f].n = end - first;
		mid[f].raws = xmalloc(mid[f].n * sizeof(char *));
		for (size_t i = first; i < end; i++)
			mid[f].raws[i - first] = bench_sign(fprivs[f], mid[f].addr, chain_id, i - first, buys[i].addr, &price, NULL, 0, NULL);
	}
	size_t refused_funding = 0, refused = 0;
	double fund_s = bench_now();
	if (run_lanes(c, top, 1, 1, &refused_funding) < 0 || run_lanes(c, mid, nfund, conns, &refused_funding) < 0)
		return 1;
	fund_s = bench_now() - fund_s;

	/* Pre-sign the purchases: buy(book) at the price, nonce 0 of each buyer. */
	buf cd = BUF_INIT;
	if (book_call_buy(&cd, book) < 0)
		return 1;
	double t0 = bench_now();
	for (size_t i = 0; i < nbuy; i++) {
		buys[i].n = 1;
		buys[i].raws = xmalloc(sizeof(char *));
		buys[i].raws[0] = bench_sign(bprivs[i], buys[i].addr, chain_id, 0, market, &price, cd.p, cd.len, NULL);
	}
	double signing = bench_now() - t0;

	json_t *bn;
	uint64_t h0 = 0, h1 = 0;
	if (rpcc_call(&bn, "eth_blockNumber", json_array()) == 0) {
		h0 = strtoull(json_string_value(bn), NULL, 16);
		json_decref(bn);
	}
	double elapsed = run_lanes(c, buys, nbuy, conns, &refused);
	if (rpcc_call(&bn, "eth_blockNumber", json_array()) == 0) {
		h1 = strtoull(json_string_value(bn), NULL, 16);
		json_decref(bn);
	}
	book_info b1;
	if (book_get(&b1, book) != 0)
		return 1;
	uint64_t sales = b1.sales - b0.sales;
	printf("{\"purchases\":%zu,\"buyers_funded_s\":%.2f,\"signing_s\":%.2f,\"refused\":%zu,\"connections\":%zu,"
	       "\"seconds\":%.2f,\"blocks\":%llu,\"committed_per_s\":%.0f,\"sales\":%llu}\n",
	       nbuy, fund_s, signing, refused, conns, elapsed, (unsigned long long)(h1 - h0),
	       elapsed > 0 ? nbuy / elapsed : 0.0, (unsigned long long)sales);
	book_info_free(&b0);
	book_info_free(&b1);
	buf_free(&cd);
	lanes_free(top, 1);
	lanes_free(mid, nfund);
	lanes_free(buys, nbuy);
	free(fprivs);
	sodium_memzero(bprivs, nbuy * 32);
	free(bprivs);
	curl_easy_cleanup(c);
	return elapsed > 0 && sales == nbuy ? 0 : 1;
}
