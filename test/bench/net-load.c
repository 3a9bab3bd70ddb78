/*
 * net-load: load for a local multi-validator network (make bench).
 *
 *   net-load RPC-URLS FUNDER-PRIVKEY-HEX CHAIN-ID [TXS] [KEYS] [CONNS]
 *
 * RPC-URLS is comma-separated, one per validator. Funds KEYS fresh keys
 * from the funder through the first URL and waits until they are funded,
 * pre-signs TXS transfers spread over the keys (type 2, each to a fresh
 * address), then sends them in JSON-RPC batches over CONNS connections at
 * once: connection i talks to URL i % nurls (so every validator takes
 * transactions from clients and gossip carries them to the others) and
 * sends the keys k with k % CONNS == i, each key's in nonce order. A tx's
 * send time is the moment its batch's POST returned. A watcher polls the
 * first URL's eth_blockNumber every 20 ms and fetches each new block's tx
 * hashes: a tx's commit time is when the watcher saw its block.
 *
 * Refused transactions ("txpool is full") are sent again once the first
 * pass is over, and if nothing commits for NET_LOAD_STALL_S (default 10)
 * seconds the first uncommitted tx of every unfinished key is sent again
 * (a pool under load may evict what waits behind a gap), as a client
 * would; both are counted and reported. Only one per key: a node recovers
 * the sender of every tx it is sent, even one it already has.
 * NET_LOAD_TIMEOUT_S (default 900) bounds the wait for commits;
 * NET_LOAD_BATCH (default 400) is the batch size.
 *
 * Prints one JSON line: {"txs","committed","seconds" (first send to last
 * commit),"committed_tx_per_s","blocks","latency_p50_ms","latency_p99_ms",
 * "recover_per_s" (one core, best of 5 runs),"ratio_to_recovery_div4",
 * ...}. Exit 1 on an RPC failure, 3 (after printing) if not everything
 * committed in time.
 */
#include "lst.h"
#include "bench.h"
#include "addr.h"
#include "buf.h"
#include "diag.h"
#include "hex.h"
#include "hmap.h"
#include "keccak.h"
#include "secp.h"
#include "tx.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <time.h>

static char **urls;
static size_t nurls;
static uint64_t chain_id;
static double t_start;

/* Per tx: nanoseconds since t_start + 1 (0: not yet), written with __atomic. */
static uint64_t *send_ns, *commit_ns;
static char **raws;
static size_t ntx, nkeys, conns, batch_size;

static uint64_t stamp(void)
{
	return (uint64_t)((bench_now() - t_start) * 1e9) + 1;
}

LST_NORETURN static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("net-load: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static size_t sink(char *p, size_t s, size_t n, void *ud)
{
	buf_add(ud, p, s * n);
	return s * n;
}

/* POST body to u, response into out. 0, or -1 with the reason in err. */
static int post(CURL *c, const char *u, buf *out, const char *body, size_t len, char *err, size_t errlen)
{
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	buf_reset(out);
	curl_easy_setopt(c, CURLOPT_URL, u);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
	CURLcode r = curl_easy_perform(c);
	curl_slist_free_all(h);
	long code = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (r != CURLE_OK) {
		snprintf(err, errlen, "%s: %s", u, curl_easy_strerror(r));
		return -1;
	}
	if (code != 200) {
		snprintf(err, errlen, "%s: HTTP %ld: %.200s", u, code, out->len ? (const char *)out->p : "");
		return -1;
	}
	return 0;
}

/* One call; its result (new reference), or exit 1. */
static json_t *call(CURL *c, const char *u, const char *method, json_t *params)
{
	json_t *req = json_pack("{s:s,s:i,s:s,s:o}", "jsonrpc", "2.0", "id", 1, "method", method, "params", params);
	char *body = json_dumps(req, JSON_COMPACT);
	buf out = BUF_INIT;
	char err[512];
	json_t *res = NULL;
	for (int attempt = 0;; attempt++) {
		if (post(c, u, &out, body, strlen(body), err, sizeof(err)) == 0)
			break;
		if (attempt == 4)
			die("%s: %s", method, err);
		bench_nap(200);
	}
	json_t *j = json_loadb((const char *)out.p, out.len, 0, NULL);
	res = json_incref(json_object_get(j, "result"));
	if (!res)
		die("%s at %s: %.*s", method, u, (int)(out.len > 500 ? 500 : out.len), out.p);
	json_decref(j);
	free(body);
	buf_free(&out);
	json_decref(req);
	return res;
}

static uint64_t qty(json_t *j)
{
	const char *s = json_string_value(j);
	if (!s)
		die("expected a hex quantity");
	return strtoull(s, NULL, 16);
}

static uint64_t call_qty(CURL *c, const char *u, const char *method, json_t *params)
{
	json_t *r = call(c, u, method, params);
	uint64_t v = qty(r);
	json_decref(r);
	return v;
}

static char *sign_transfer(const uint8_t priv[32], const uint8_t from[20], uint64_t nonce, const uint8_t to[20],
			   uint64_t value, uint8_t hash[32])
{
	u256 v = u256_from_u64(value);
	return bench_sign(priv, from, chain_id, nonce, to, &v, NULL, 0, hash);
}

/* ---- sending ---- */

typedef struct {
	size_t refused, known, sent, batches;
	char first_refusal[200];
} send_stats;

/*
 * POST one batch of n eth_sendRawTransaction calls (ids are tx indices)
 * and stamp the accepted. A refusal the pool gives under load is counted
 * (the tx is sent again later); anything else is fatal.
 */
static void send_batch(CURL *c, const char *u, buf *body, buf *out, size_t n, send_stats *st)
{
	char err[512];
	if (post(c, u, out, (const char *)body->p, body->len, err, sizeof(err)) < 0)
		die("eth_sendRawTransaction batch of %zu: %s", n, err);
	uint64_t t = stamp();
	st->batches++;
	json_error_t je;
	json_t *ans = json_loadb((const char *)out->p, out->len, 0, &je);
	if (!json_is_array(ans) || json_array_size(ans) != n)
		die("eth_sendRawTransaction batch of %zu at %s: unexpected answer: %.300s", n, u, (const char *)out->p);
	size_t k;
	json_t *e;
	json_array_foreach(ans, k, e) {
		json_t *id = json_object_get(e, "id");
		if (!json_is_integer(id) || (size_t)json_integer_value(id) >= ntx)
			die("eth_sendRawTransaction: answer without a valid id: %.300s", (const char *)out->p);
		size_t i = (size_t)json_integer_value(id);
		json_t *error = json_object_get(e, "error");
		if (!error) {
			__atomic_store_n(&send_ns[i], t, __ATOMIC_RELAXED);
			st->sent++;
			continue;
		}
		const char *msg = json_string_value(json_object_get(error, "message"));
		msg = msg ? msg : "(no message)";
		if (strstr(msg, "already known") || strstr(msg, "nonce too low")) {
			/* sent again: it was there (or is committed) already */
			if (!__atomic_load_n(&send_ns[i], __ATOMIC_RELAXED))
				__atomic_store_n(&send_ns[i], t, __ATOMIC_RELAXED);
			st->known++;
		} else if (strstr(msg, "txpool is full")) {
			if (!st->refused)
				snprintf(st->first_refusal, sizeof(st->first_refusal), "%s", msg);
			st->refused++;
		} else {
			die("eth_sendRawTransaction at %s refused tx %zu (key %zu, nonce %zu): %s", u, i, i % nkeys,
			    i / nkeys, msg);
		}
	}
	json_decref(ans);
}

/* Send the given txs (indices, in order) to u in batches. */
static void send_list(CURL *c, const char *u, const size_t *list, size_t n, send_stats *st)
{
	buf body = BUF_INIT, out = BUF_INIT;
	for (size_t at = 0; at < n;) {
		size_t in_batch = 0;
		buf_reset(&body);
		buf_addc(&body, '[');
		for (; at < n && in_batch < batch_size; at++, in_batch++) {
			size_t i = list[at];
			buf_addf(&body, "%s{\"jsonrpc\":\"2.0\",\"id\":%zu,\"method\":\"eth_sendRawTransaction\",\"params\":[\"%s\"]}",
				 in_batch ? "," : "", i, raws[i]);
		}
		buf_addc(&body, ']');
		send_batch(c, u, &body, &out, in_batch, st);
	}
	buf_free(&body);
	buf_free(&out);
}

typedef struct {
	size_t conn;
	send_stats st;
} sender_job;

/* Connection j->conn: its keys' txs in index order, so each key's in nonce order. */
static void *sender(void *arg)
{
	sender_job *j = arg;
	CURL *c = curl_easy_init();
	size_t n = 0, *list = xmalloc((ntx / conns + nkeys + 1) * sizeof(size_t));
	for (size_t i = 0; i < ntx; i++)
		if ((i % nkeys) % conns == j->conn)
			list[n++] = i;
	send_list(c, urls[j->conn % nurls], list, n, &j->st);
	free(list);
	curl_easy_cleanup(c);
	return NULL;
}

/* ---- watching commits ---- */

static hmap by_hash; /* tx hash -> index + 1; read-only once built */
static volatile int watch_stop;
static size_t n_committed; /* __atomic */
static uint64_t h_first, h_last_ours, h_seen;
static size_t max_block_txs, foreign_txs;

static void *watcher(void *arg)
{
	(void)arg;
	CURL *c = curl_easy_init();
	while (!watch_stop) {
		uint64_t h = call_qty(c, urls[0], "eth_blockNumber", json_array());
		uint64_t t = stamp();
		for (uint64_t b = h_seen + 1; b <= h; b++) {
			char num[24];
			snprintf(num, sizeof(num), "0x%llx", (unsigned long long)b);
			json_t *blk = call(c, urls[0], "eth_getBlockByNumber", json_pack("[s,b]", num, 0));
			json_t *txs = json_object_get(blk, "transactions");
			if (!json_is_array(txs))
				die("eth_getBlockByNumber %s: no transactions list", num);
			size_t k, ours = 0;
			json_t *e;
			json_array_foreach(txs, k, e) {
				uint8_t hash[32];
				const char *s = json_string_value(e);
				if (!s || hex_decode(hash, 32, s) < 0)
					die("eth_getBlockByNumber %s: bad tx hash", num);
				void *v = hmap_get(&by_hash, hash);
				if (!v) {
					foreign_txs++;
					continue;
				}
				size_t i = (size_t)(uintptr_t)v - 1;
				if (!__atomic_load_n(&commit_ns[i], __ATOMIC_RELAXED)) {
					__atomic_store_n(&commit_ns[i], t, __ATOMIC_RELAXED);
					__atomic_add_fetch(&n_committed, 1, __ATOMIC_RELAXED);
					ours++;
				}
			}
			if (ours) {
				h_last_ours = b;
				if (ours > max_block_txs)
					max_block_txs = ours;
			}
			json_decref(blk);
			__atomic_store_n(&h_seen, b, __ATOMIC_RELAXED);
		}
		if (__atomic_load_n(&n_committed, __ATOMIC_RELAXED) == ntx)
			break;
		bench_nap(20);
	}
	curl_easy_cleanup(c);
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static long env_long(const char *name, long def)
{
	const char *e = getenv(name);
	return e && *e ? strtol(e, NULL, 10) : def;
}

int main(int argc, char **argv)
{
	diag_init("net-load");
	if (argc < 4) {
		fprintf(stderr, "usage: net-load RPC-URLS FUNDER-PRIVKEY CHAIN-ID [TXS] [KEYS] [CONNS]\n");
		return 2;
	}
	t_start = bench_now();
	char *ul = xstrdup(argv[1]);
	urls = xmalloc((strlen(ul) / 2 + 2) * sizeof(char *));
	for (char *save = NULL, *p = strtok_r(ul, ",", &save); p; p = strtok_r(NULL, ",", &save))
		urls[nurls++] = p;
	if (!nurls)
		die("no RPC URLs");
	chain_id = strtoull(argv[3], NULL, 10);
	ntx = argc > 4 ? strtoull(argv[4], NULL, 10) : 100000;
	nkeys = argc > 5 ? strtoull(argv[5], NULL, 10) : 1000;
	conns = argc > 6 ? strtoull(argv[6], NULL, 10) : 8;
	batch_size = (size_t)env_long("NET_LOAD_BATCH", 400);
	double timeout = (double)env_long("NET_LOAD_TIMEOUT_S", 900);
	double stall_s = (double)env_long("NET_LOAD_STALL_S", 10);
	if (!ntx || !nkeys || !conns || !batch_size)
		die("TXS, KEYS, CONNS and NET_LOAD_BATCH must be positive");
	uint8_t fpriv[32], faddr[20];
	if (hex_decode(fpriv, 32, argv[2]) < 0 || secp_address_from_priv(faddr, fpriv) < 0)
		die("the funder key must be 32 bytes of hex");
	curl_global_init(CURL_GLOBAL_DEFAULT);
	CURL *c = curl_easy_init();
	char fstr[ADDR_STR];
	addr_to_str(fstr, faddr);

	/* Every validator answers, on the one chain. */
	for (size_t u = 0; u < nurls; u++) {
		uint64_t id = call_qty(c, urls[u], "eth_chainId", json_array());
		if (id != chain_id)
			die("%s is chain %llu, not %llu", urls[u], (unsigned long long)id, (unsigned long long)chain_id);
	}

	/* Keys and their funding, through the first URL. */
	uint64_t fnonce = call_qty(c, urls[0], "eth_getTransactionCount", json_pack("[s,s]", fstr, "pending"));
	uint8_t (*privs)[32] = xmalloc(nkeys * 32), (*addrs)[20] = xmalloc(nkeys * 20);
	char **fund = xmalloc(nkeys * sizeof(char *));
	for (size_t i = 0; i < nkeys; i++) {
		secp_keygen(privs[i]);
		if (secp_address_from_priv(addrs[i], privs[i]) < 0)
			die("cannot make a key");
		fund[i] = sign_transfer(fpriv, faddr, fnonce + i, addrs[i], 1000000000000ULL, NULL);
	}
	{
		/* The funding txs are the "txs" of send_list for a moment. */
		char **saved = raws;
		size_t saved_n = ntx;
		raws = fund;
		ntx = nkeys;
		send_ns = xcalloc(nkeys, sizeof(uint64_t));
		size_t *list = xmalloc(nkeys * sizeof(size_t));
		for (size_t i = 0; i < nkeys; i++)
			list[i] = i;
		send_stats st = {0};
		send_list(c, urls[0], list, nkeys, &st);
		if (st.refused)
			die("funding: %zu of %zu refused: %s", st.refused, nkeys, st.first_refusal);
		free(list);
		free(send_ns);
		raws = saved;
		ntx = saved_n;
	}
	double f0 = bench_now();
	for (;;) {
		uint64_t n = call_qty(c, urls[0], "eth_getTransactionCount", json_pack("[s,s]", fstr, "latest"));
		if (n >= fnonce + nkeys)
			break;
		if (bench_now() - f0 > 120)
			die("funding: only %llu of %zu funding txs committed after 120 s",
			    (unsigned long long)(n - fnonce), nkeys);
		bench_nap(100);
	}
	for (size_t i = 0; i < nkeys; i++)
		free(fund[i]);
	free(fund);

	/* Pre-sign the load: tx i is key i % nkeys's nonce i / nkeys, to a fresh address. */
	double s0 = bench_now();
	raws = xmalloc(ntx * sizeof(char *));
	hmap_init(&by_hash, 32);
	for (size_t i = 0; i < ntx; i++) {
		size_t k = i % nkeys;
		uint8_t to[20], seed[28], h[32], txh[32];
		memcpy(seed, &i, sizeof(i));
		memcpy(seed + 8, addrs[k], 20);
		keccak256(h, seed, 28);
		memcpy(to, h, 20);
		raws[i] = sign_transfer(privs[k], addrs[k], i / nkeys, to, 1, txh);
		if (hmap_put(&by_hash, txh, (void *)(uintptr_t)(i + 1)))
			die("two txs with one hash");
	}
	double signing = bench_now() - s0;

	/*
	 * Recovery rate of one core, as chain-load measures it, but the best
	 * of 5 runs of 4000: on a shared machine a single run can catch other
	 * work on the core, and the ratio is against what the core can do.
	 */
	uint8_t d[32] = {1}, sig[64], pub[65];
	int recid;
	if (secp_sign(sig, &recid, fpriv, d) < 0)
		die("cannot sign");
	double recover_rate = 0;
	for (int run = 0; run < 5; run++) {
		double r0 = bench_now();
		for (int i = 0; i < 4000; i++)
			if (secp_recover(pub, sig, recid, d, false) < 0)
				die("cannot recover");
		double r = 4000 / (bench_now() - r0);
		if (r > recover_rate)
			recover_rate = r;
	}

	send_ns = xcalloc(ntx, sizeof(uint64_t));
	commit_ns = xcalloc(ntx, sizeof(uint64_t));
	h_seen = h_first = call_qty(c, urls[0], "eth_blockNumber", json_array());
	pthread_t wth;
	pthread_create(&wth, NULL, watcher, NULL);

	double send0 = bench_now();
	pthread_t *th = xmalloc(conns * sizeof(pthread_t));
	sender_job *jobs = xcalloc(conns, sizeof(sender_job));
	for (size_t i = 0; i < conns; i++) {
		jobs[i].conn = i;
		pthread_create(&th[i], NULL, sender, &jobs[i]);
	}
	send_stats total = {0};
	for (size_t i = 0; i < conns; i++) {
		pthread_join(th[i], NULL);
		total.refused += jobs[i].st.refused;
		total.known += jobs[i].st.known;
		total.sent += jobs[i].st.sent;
		total.batches += jobs[i].st.batches;
		if (jobs[i].st.refused && !total.first_refusal[0])
			memcpy(total.first_refusal, jobs[i].st.first_refusal, sizeof(total.first_refusal));
	}
	double send_s = bench_now() - send0;
	if (total.refused)
		fprintf(stderr, "net-load: first pass: %zu of %zu refused (%s); sending them again\n", total.refused, ntx,
			total.first_refusal);

	/*
	 * Wait for the commits. Send again what a full pool refused (each
	 * connection's, to its own URL, in nonce order); if nothing commits
	 * for stall_s, send the first uncommitted tx of every key again.
	 */
	size_t resent = 0, stalls = 0, last_n = 0;
	double last_progress = bench_now();
	bool timed_out = false;
	size_t *list = xmalloc((ntx + 1) * sizeof(size_t));
	uint64_t *next = xcalloc(nkeys, sizeof(uint64_t)); /* first uncommitted nonce per key */
	CURL **rc = xmalloc(nurls * sizeof(CURL *));
	for (size_t u = 0; u < nurls; u++)
		rc[u] = curl_easy_init();
	for (;;) {
		size_t n = __atomic_load_n(&n_committed, __ATOMIC_RELAXED);
		if (n == ntx)
			break;
		if (n != last_n) {
			last_n = n;
			last_progress = bench_now();
		}
		if (bench_now() - send0 > timeout) {
			timed_out = true;
			break;
		}
		bool stalled = bench_now() - last_progress > stall_s;
		if (stalled) {
			stalls++;
			fprintf(stderr, "net-load: no commits for %.0f s (%zu of %zu committed, watcher at block %llu); "
				"sending the first uncommitted tx of each unfinished key again\n",
				stall_s, n, ntx, (unsigned long long)__atomic_load_n(&h_seen, __ATOMIC_RELAXED));
			last_progress = bench_now();
		}
		for (size_t k = 0; k < nkeys; k++) {
			while (next[k] * nkeys + k < ntx && __atomic_load_n(&commit_ns[next[k] * nkeys + k], __ATOMIC_RELAXED))
				next[k]++;
		}
		for (size_t conn = 0; conn < conns; conn++) {
			size_t m = 0;
			for (size_t k = conn; k < nkeys; k += conns) {
				for (uint64_t nn = next[k], seen = 0; nn * nkeys + k < ntx; nn++) {
					size_t i = (size_t)nn * nkeys + k;
					if (__atomic_load_n(&commit_ns[i], __ATOMIC_RELAXED))
						continue;
					if (stalled ? seen++ < 1 : !__atomic_load_n(&send_ns[i], __ATOMIC_RELAXED))
						list[m++] = i;
					else if (stalled)
						break;
				}
			}
			if (!m)
				continue;
			send_stats st = {0};
			send_list(rc[conn % nurls], urls[conn % nurls], list, m, &st);
			resent += m;
		}
		bench_nap(500);
	}
	watch_stop = 1;
	pthread_join(wth, NULL);

	/* Results. */
	size_t committed = __atomic_load_n(&n_committed, __ATOMIC_RELAXED);
	uint64_t last_commit = 0;
	uint64_t *lat = xmalloc((committed + 1) * sizeof(uint64_t));
	size_t nl = 0, early = 0;
	for (size_t i = 0; i < ntx; i++) {
		uint64_t s = send_ns[i], cm = commit_ns[i];
		if (!cm)
			continue;
		if (cm > last_commit)
			last_commit = cm;
		if (!s) {
			continue; /* committed, but its batch never answered 'accepted' */
		}
		if (cm < s) {
			early++; /* seen committed before its own batch's POST returned */
			lat[nl++] = 0;
		} else {
			lat[nl++] = cm - s;
		}
	}
	qsort(lat, nl, sizeof(uint64_t), cmp_u64);
	double p50 = nl ? lat[nl / 2] / 1e6 : 0, p99 = nl ? lat[(nl * 99) / 100 < nl ? (nl * 99) / 100 : nl - 1] / 1e6 : 0;
	/* From the moment the first batch went out to the last commit seen. */
	double seconds = committed ? (double)last_commit / 1e9 - (send0 - t_start) : 0;
	double rate = seconds > 0 ? committed / seconds : 0;
	if (timed_out)
		fprintf(stderr, "net-load: timeout: %zu of %zu committed after %.0f s\n", committed, ntx, timeout);
	printf("{\"txs\":%zu,\"committed\":%zu,\"validators\":%zu,\"keys\":%zu,\"connections\":%zu,\"batch\":%zu,"
	       "\"signing_s\":%.2f,\"send_s\":%.2f,\"refused_first_pass\":%zu,\"resent\":%zu,\"stalls\":%zu,"
	       "\"timed_out\":%s,\"seconds\":%.2f,\"committed_tx_per_s\":%.0f,\"blocks\":%llu,\"max_block_txs\":%zu,"
	       "\"foreign_txs\":%zu,\"latency_p50_ms\":%.0f,\"latency_p99_ms\":%.0f,\"committed_before_ack\":%zu,"
	       "\"recover_per_s\":%.0f,\"ratio_to_recovery_div4\":%.2f}\n",
	       ntx, committed, nurls, nkeys, conns, batch_size, signing, send_s, total.refused, resent, stalls,
	       timed_out ? "true" : "false", seconds, rate,
	       (unsigned long long)(h_last_ours > h_first ? h_last_ours - h_first : 0), max_block_txs, foreign_txs,
	       p50, p99, early, recover_rate, rate / (recover_rate / 4));
	fflush(stdout);
	return timed_out ? 3 : 0;
}
