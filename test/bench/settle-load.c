/*
 * settle-load: the settlement of one subscription category at scale (make
 * bench), in-process on the chain's own SQLite state (lib/state.h) and
 * executor (lib/exec.h), no daemon, no network.
 *
 *   settle-load DIR [BOOKS] [READERS] [BOOKS-PER-READER]
 *
 * In a new database DIR/chain.db: the foundation creates a category; AUTHORS
 * (BOOKS / 5) publish BOOKS books on the market (co-signed by the
 * foundation), enroll them and register a serving key each; READERS
 * readers subscribe for one period; each reader reads BOOKS-PER-READER
 * random books (1 to 20 pages each), and every thousandth reader also
 * reads 1,500 pages of one more book (two calls: 500 of them over the
 * per-reader cap), each read recorded with recordPages and a receipt
 * signed by the author's serving key. All of it runs as blocks of
 * transactions through exec_block (senders taken as given: the
 * signatures a node would check at admission are not the subject here;
 * the receipts' signatures are, recovered by the contract).
 *
 * Then the period ends and settle(category, period) runs twice from the
 * same state: once through a contract_env over the state whose callbacks
 * count what it does (storage rows read, found or absent, and written;
 * balances read, transfers and logs), in a transaction rolled back after
 * the check; then as the chain runs it, a transaction in a block through
 * exec_block, committed. Each time every author's balance must grow by
 * exactly what an independent 128-bit model of the split says, the
 * foundation's by the fee and the remainder, and the contract's fall by
 * the pool; a mismatch fails the run ("wrong" counts them).
 *
 * Prints JSON: pages recorded per second (transactions and pages through
 * exec_block and the commit), the settlement's seconds (in a block,
 * committed; and the counted call alone) and the rows it touched. Setup
 * (keys, receipts signed, the untimed phases) is reported apart.
 */
#include "lst.h"
#include "bench.h"
#include "abi.h"
#include "addr.h"
#include "book.h"
#include "buf.h"
#include "cid.h"
#include "contract.h"
#include "diag.h"
#include "exec.h"
#include "keccak.h"
#include "market.h"
#include "mempool.h"
#include "msg.h"
#include "secp.h"
#include "settle.h"
#include "state.h"
#include "subs.h"
#include "subscription.h"
#include "tx.h"
#include "u256.h"

#include <sys/stat.h>

#define CHAIN_ID 161
#define BPS 500
#define PERIOD_LEN 1000000     /* seconds: one period holds the whole load */
#define PERIOD_K 1800          /* the period read in */
#define BLOCK_TXS 5000
#define BOOKS_PER_AUTHOR 5
#define MAX_PAGE_START 2000
#define HEAVY_EVERY 1000       /* every thousandth reader reads HEAVY_PAGES of one more book */
#define HEAVY_PAGES 1500

typedef unsigned __int128 u128;

typedef struct {
	uint8_t addr[20];
	uint8_t server_priv[32], server[20];
	uint64_t nonce;
	u256 before;
} author_t;

typedef struct {
	uint8_t id[32];
	uint32_t author;
	uint64_t counted; /* the model: pages that count, summed over readers (each capped) */
} book_t;

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void derive(uint8_t out[20], const char *what, uint64_t i)
{
	uint8_t in[40], h[32];
	size_t n = strlen(what);
	memcpy(in, what, n);
	for (int b = 0; b < 8; b++)
		in[n + b] = (uint8_t)(i >> (8 * b));
	keccak256(h, in, n + 8);
	memcpy(out, h + 12, 20);
}

static const uint8_t FOUNDATION_SEED[32] = {0xf0, 0x0d, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
					     15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30};

static state *st;
static exec_block_info info;
static uint8_t foundation[20], prev_hash[32];
static u256 listing_fee, supply;
static uint64_t height;

/* ---- blocks through exec_block ---- */

typedef struct {
	pooled_tx **txs;
	size_t n, cap;
} block_t;

static void block_add(block_t *b, const uint8_t from[20], uint64_t *nonce, const uint8_t to[20], const u256 *value,
		      buf *data)
{
	pooled_tx *p = xcalloc(1, sizeof(*p));
	tx_init(&p->t);
	p->t.type = 2;
	p->t.has_chain_id = true;
	p->t.chain_id = CHAIN_ID;
	p->t.nonce = (*nonce)++;
	p->t.gas = 1000000;
	p->t.has_to = true;
	memcpy(p->t.to, to, 20);
	p->t.value = value ? *value : u256_from_u64(0);
	p->t.data = data->p;
	p->t.data_len = data->len;
	*data = (buf)BUF_INIT;
	memcpy(p->t.from, from, 20);
	uint8_t in[28];
	memcpy(in, from, 20);
	for (int i = 0; i < 8; i++)
		in[20 + i] = (uint8_t)(p->t.nonce >> (8 * i));
	keccak256(p->t.hash, in, sizeof(in));
	buf_add(&p->raw, p->t.hash, 32); /* stands in for the signed bytes */
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 1024;
		b->txs = xrealloc(b->txs, b->cap * sizeof(*b->txs));
	}
	b->txs[b->n++] = p;
}

/* Execute and commit b as one block at time t; every tx must succeed. Seconds taken. */
static double block_run(block_t *b, uint64_t t)
{
	if (!b->n)
		return 0;
	exec_tx_result *res = xcalloc(b->n, sizeof(*res));
	uint8_t app[32];
	info.height = ++height;
	info.time = t;
	double t0 = bench_now();
	if (state_begin(st) < 0 || exec_block(st, res, app, &info, b->txs, b->n, prev_hash) < 0 || state_commit(st) < 0)
		diag_die(LST_EFAIL, "executing block %llu failed", (unsigned long long)height);
	double dt = bench_now() - t0;
	memcpy(prev_hash, app, 32);
	for (size_t i = 0; i < b->n; i++) {
		if (res[i].included && res[i].status == 1)
			continue;
		tx_row row;
		char *why = NULL;
		memset(&row, 0, sizeof(row));
		if (res[i].included && state_get_tx(st, &row, b->txs[i]->t.hash) == 0)
			if (abi_revert_reason(&why, row.ret.p, row.ret.len) < 0)
				why = NULL;
		diag_die(LST_EFAIL, "block %llu: tx %zu %s: %s", (unsigned long long)height, i,
			 res[i].included ? "reverted" : "left out", why ? why : "?");
	}
	for (size_t i = 0; i < b->n; i++)
		pooled_tx_free(b->txs[i]);
	b->n = 0;
	free(res);
	return dt;
}

/* ---- the counting env for settle ---- */

typedef struct {
	uint64_t gets, found, absent, puts, deletes, balances, transfers, logs, bytes_read, bytes_written;
	bool failed;
} counts;

static int c_balance(void *ctx, u256 *out, const uint8_t a[20])
{
	counts *c = ctx;
	account acc;
	c->balances++;
	if (state_get_account(st, &acc, a) < 0) {
		c->failed = true;
		return -1;
	}
	*out = acc.balance;
	return 0;
}

static int c_transfer(void *ctx, const uint8_t from[20], const uint8_t to[20], const u256 *amount)
{
	counts *c = ctx;
	account f, t;
	c->transfers++;
	if (state_get_account(st, &f, from) < 0) {
		c->failed = true;
		return -1;
	}
	if (u256_sub(&f.balance, &f.balance, amount) < 0)
		return 1;
	if (state_put_account(st, from, &f) < 0 || state_get_account(st, &t, to) < 0 ||
	    u256_add(&t.balance, &t.balance, amount) < 0 || state_put_account(st, to, &t) < 0) {
		c->failed = true;
		return -1;
	}
	return 0;
}

static int c_supply(void *ctx, u256 *out)
{
	(void)ctx;
	*out = supply;
	return 0;
}

static int c_get(void *ctx, buf *out, const uint8_t self[20], const uint8_t *key, size_t klen)
{
	counts *c = ctx;
	int r = state_storage_get(st, out, self, key, klen);
	c->gets++;
	if (r == 0) {
		c->found++;
		c->bytes_read += out->len;
	} else if (r == 1) {
		c->absent++;
	} else {
		c->failed = true;
	}
	return r;
}

static int c_put(void *ctx, const uint8_t self[20], const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
	counts *c = ctx;
	if (vlen)
		c->puts++;
	else
		c->deletes++;
	c->bytes_written += vlen;
	int r = state_storage_put(st, self, key, klen, val, vlen);
	if (r < 0)
		c->failed = true;
	return r;
}

static void c_log(void *ctx, const uint8_t self[20], const uint8_t (*topics)[32], size_t ntopics, const uint8_t *data,
		  size_t len)
{
	(void)self, (void)topics, (void)ntopics, (void)data, (void)len;
	((counts *)ctx)->logs++;
}

static u256 balance_of(const uint8_t a[20])
{
	account acc;
	if (state_get_account(st, &acc, a) < 0)
		diag_die(LST_EFAIL, "reading a balance failed");
	return acc.balance;
}

static void fund(const uint8_t a[20], const u256 *v)
{
	account acc = {*v, 0};
	if (state_put_account(st, a, &acc) < 0 || u256_add(&supply, &supply, v) < 0)
		diag_die(LST_EFAIL, "funding failed");
}

static u128 to128(const u256 *v)
{
	return ((u128)v->w[1] << 64) | v->w[0];
}

/*
 * How many of the authors, the foundation and the contract were not paid
 * (or did not pay) exactly what the model says: each author want[a] more
 * than before, the foundation to_fnd more, the contract pool less.
 */
static size_t paid_wrong(const author_t *authors, size_t nauthors, const u128 *want, const u256 *fnd0,
			 const u256 *sub0, u128 to_fnd, u128 pool)
{
	size_t wrong = 0;
	for (size_t a = 0; a < nauthors; a++) {
		u256 now = balance_of(authors[a].addr);
		wrong += to128(&now) - to128(&authors[a].before) != want[a];
	}
	u256 fnd1 = balance_of(foundation), sub1 = balance_of(SUBSCRIPTION_ADDRESS);
	wrong += to128(&fnd1) - to128(fnd0) != to_fnd;
	wrong += to128(sub0) - to128(&sub1) != pool;
	return wrong;
}

static void dec128(char out[48], u128 v)
{
	char tmp[48];
	size_t n = 0;
	do {
		tmp[n++] = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = 0;
}

static uint64_t arg(int argc, char **argv, int i, uint64_t dflt)
{
	if (argc <= i)
		return dflt;
	char *end;
	unsigned long long v = strtoull(argv[i], &end, 10);
	if (*end || !v)
		diag_die(LST_EUSAGE, "'%s' is not a positive count", argv[i]);
	return v;
}

int main(int argc, char **argv)
{
	diag_init("settle-load");
	if (argc < 2 || argc > 5)
		diag_die(LST_EUSAGE, "usage: settle-load DIR [BOOKS] [READERS] [BOOKS-PER-READER]");
	size_t nbooks = arg(argc, argv, 2, 10000), nreaders = arg(argc, argv, 3, 100000);
	size_t per_reader = arg(argc, argv, 4, 3);
	size_t nauthors = (nbooks + BOOKS_PER_AUTHOR - 1) / BOOKS_PER_AUTHOR;
	if (per_reader + 1 > nbooks)
		diag_die(LST_EUSAGE, "more books per reader than books");
	char path[4096];
	mkdir(argv[1], 0700);
	snprintf(path, sizeof(path), "%s/chain.db", argv[1]);
	if (state_open(&st, path, true) < 0)
		return 1;
	double s0 = bench_now(), setup_signing = 0;

	/* The genesis: the foundation, the authors and the readers, funded. */
	uint8_t fpriv[32];
	memcpy(fpriv, FOUNDATION_SEED, 32);
	if (secp_address_from_priv(foundation, fpriv) < 0)
		diag_die(LST_EFAIL, "the foundation key");
	listing_fee = u256_from_u64(1000000000000000000ULL);
	u256 fee;
	if (u256_from_dec(&fee, "3000000000000000007") < 0)
		abort();
	memset(&info, 0, sizeof(info));
	info.chain_id = CHAIN_ID;
	info.foundation = foundation;
	info.service_fee_bps = BPS;
	info.listing_fee = &listing_fee;
	info.subscription_period = PERIOD_LEN;
	supply = u256_from_u64(0);
	author_t *authors = xcalloc(nauthors, sizeof(*authors));
	book_t *books = xcalloc(nbooks, sizeof(*books));
	uint8_t (*readers)[20] = xcalloc(nreaders, 20);
	uint64_t *rnonce = xcalloc(nreaders, sizeof(uint64_t)), fnonce = 0;
	if (state_begin(st) < 0)
		return 1;
	u256 ample = u256_from_u64(1000000000000000000ULL), v;
	if (u256_mul_small(&ample, &ample, 1000000, 0) < 0)
		abort();
	fund(foundation, &ample);
	for (size_t a = 0; a < nauthors; a++) {
		derive(authors[a].addr, "author", a);
		secp_keygen(authors[a].server_priv);
		if (secp_address_from_priv(authors[a].server, authors[a].server_priv) < 0)
			abort();
		if (u256_mul_small(&v, &listing_fee, BOOKS_PER_AUTHOR, 0) < 0)
			abort();
		fund(authors[a].addr, &v);
	}
	for (size_t r = 0; r < nreaders; r++) {
		derive(readers[r], "reader", r);
		fund(readers[r], &fee);
	}
	info.supply = supply;
	if (state_commit(st) < 0)
		return 1;

	/* The category, the books, their enrolment and the authors' serving keys. */
	const uint64_t t_read = (uint64_t)PERIOD_LEN * PERIOD_K + 100;
	block_t blk = {0};
	buf d = BUF_INIT;
	if (subs_call_create_category(&d, "Bench", &fee) < 0)
		abort();
	block_add(&blk, foundation, &fnonce, SUBSCRIPTION_ADDRESS, NULL, &d);
	block_run(&blk, t_read);
	const uint64_t cat = 1;
	for (size_t i = 0; i < nbooks; i++) {
		book_t *b = &books[i];
		author_t *a = &authors[i / BOOKS_PER_AUTHOR];
		book_terms t;
		char title[64];
		uint8_t sig[65], seed[16];
		memset(&t, 0, sizeof(t));
		snprintf(title, sizeof(title), "Bench book %zu", i);
		t.chain_id = CHAIN_ID;
		memcpy(t.author, a->addr, 20);
		t.title = xstrdup(title);
		t.details = xstrdup("");
		t.label = xstrdup("v1");
		t.price = listing_fee;
		memcpy(seed, "bench-root", 10);
		for (int q = 0; q < 6; q++)
			seed[10 + q] = (uint8_t)(i >> (8 * q));
		cid_of(&t.root, CODEC_RAW, seed, sizeof(seed));
		keccak256(t.tree, seed, sizeof(seed));
		if (book_terms_finish(&t) < 0 || book_cosign(sig, fpriv, &t) < 0 || book_call_publish(&d, &t, sig) < 0)
			diag_die(LST_EFAIL, "publishing book %zu", i);
		memcpy(b->id, t.book, 32);
		b->author = (uint32_t)(i / BOOKS_PER_AUTHOR);
		block_add(&blk, a->addr, &a->nonce, MARKET_ADDRESS, &listing_fee, &d);
		book_terms_free(&t);
		if (blk.n == BLOCK_TXS)
			block_run(&blk, t_read);
	}
	block_run(&blk, t_read);
	for (size_t i = 0; i < nbooks; i++) {
		author_t *a = &authors[books[i].author];
		if (subs_call_enroll(&d, books[i].id, cat) < 0)
			abort();
		block_add(&blk, a->addr, &a->nonce, SUBSCRIPTION_ADDRESS, NULL, &d);
		if (blk.n == BLOCK_TXS)
			block_run(&blk, t_read);
	}
	for (size_t a = 0; a < nauthors; a++) {
		if (subs_call_set_server(&d, authors[a].server, true) < 0)
			abort();
		block_add(&blk, authors[a].addr, &authors[a].nonce, SUBSCRIPTION_ADDRESS, NULL, &d);
		if (blk.n == BLOCK_TXS)
			block_run(&blk, t_read);
	}
	block_run(&blk, t_read);
	double setup_s = bench_now() - s0;

	/* Every reader subscribes for the period. */
	double sub_s = 0;
	for (size_t r = 0; r < nreaders; r++) {
		if (subs_call_subscribe(&d, cat, 1) < 0)
			abort();
		block_add(&blk, readers[r], &rnonce[r], SUBSCRIPTION_ADDRESS, &fee, &d);
		if (blk.n == BLOCK_TXS)
			sub_s += block_run(&blk, t_read);
	}
	sub_s += block_run(&blk, t_read);

	/* The reading: receipts signed (untimed), recordPages through exec_block (timed). */
	uint32_t *pages = xmalloc(SUB_PAGES_PER_CALL * sizeof(uint32_t));
	size_t *mine = xmalloc((per_reader + 1) * sizeof(size_t));
	uint64_t calls = 0, npages = 0, over_cap = 0;
	double rec_s = 0;
	for (size_t r = 0; r < nreaders; r++) {
		size_t k = per_reader + (r % HEAVY_EVERY == HEAVY_EVERY - 1 ? 1 : 0);
		for (size_t j = 0; j < k; j++) {
			size_t bi;
			bool dup;
			do { /* distinct books per reader */
				bi = rnd() % nbooks;
				dup = false;
				for (size_t q = 0; q < j; q++)
					dup |= mine[q] == bi;
			} while (dup);
			mine[j] = bi;
			book_t *b = &books[bi];
			bool heavy = j == per_reader;
			uint32_t n = heavy ? HEAVY_PAGES : (uint32_t)(1 + rnd() % 20);
			uint32_t start = heavy ? 1 : (uint32_t)(1 + rnd() % MAX_PAGE_START);
			b->counted += n < SUB_PAGE_CAP ? n : SUB_PAGE_CAP;
			over_cap += n > SUB_PAGE_CAP ? n - SUB_PAGE_CAP : 0;
			for (uint32_t from = 0; from < n; from += SUB_PAGES_PER_CALL) {
				uint32_t m = n - from < SUB_PAGES_PER_CALL ? n - from : SUB_PAGES_PER_CALL;
				uint8_t h[32], dig[32], sig[65];
				for (uint32_t p = 0; p < m; p++)
					pages[p] = start + from + p;
				double g0 = bench_now();
				sub_receipt_hash(h, CHAIN_ID, readers[r], b->id, PERIOD_K, pages, m);
				msg_hash(dig, h, 32);
				if (msg_sign(sig, authors[b->author].server_priv, dig) < 0)
					abort();
				setup_signing += bench_now() - g0;
				if (subs_call_record_pages(&d, b->id, PERIOD_K, pages, m, sig) < 0)
					abort();
				block_add(&blk, readers[r], &rnonce[r], SUBSCRIPTION_ADDRESS, NULL, &d);
				calls++;
				npages += m;
				if (blk.n == BLOCK_TXS)
					rec_s += block_run(&blk, t_read + 1);
			}
		}
	}
	rec_s += block_run(&blk, t_read + 1);

	/* The model of the split (independent of settle.c: 128-bit integers here). */
	u256 pool256;
	if (u256_mul_small(&pool256, &fee, nreaders, 0) < 0)
		abort();
	u128 pool = to128(&pool256), fee_f = pool * BPS / 10000, rest = pool - fee_f, paid = 0, total = 0;
	for (size_t i = 0; i < nbooks; i++)
		total += books[i].counted;
	u128 *want = xcalloc(nauthors, sizeof(u128));
	size_t read_books = 0;
	for (size_t i = 0; i < nbooks; i++) {
		if (!books[i].counted)
			continue;
		u128 p = rest * books[i].counted / total;
		want[books[i].author] += p;
		paid += p;
		read_books++;
	}
	for (size_t a = 0; a < nauthors; a++)
		authors[a].before = balance_of(authors[a].addr);
	u256 fnd0 = balance_of(foundation), sub0 = balance_of(SUBSCRIPTION_ADDRESS);

	/*
	 * The settlement, after the period's end: first through the counting
	 * env in a transaction rolled back after the check, then as the chain
	 * runs it, a transaction in a block through exec_block, committed.
	 */
	counts c;
	memset(&c, 0, sizeof(c));
	contract_env env;
	memset(&env, 0, sizeof(env));
	uint8_t anyone[20];
	uint64_t settler_nonce = 0, t_settle = (uint64_t)PERIOD_LEN * (PERIOD_K + 1) + 5;
	derive(anyone, "settler", 0);
	env.ctx = &c;
	env.caller = anyone;
	env.self = SUBSCRIPTION_ADDRESS;
	env.value = u256_from_u64(0);
	env.height = height + 1;
	env.time = t_settle;
	env.chain_id = CHAIN_ID;
	env.foundation = foundation;
	env.service_fee_bps = BPS;
	env.listing_fee = listing_fee;
	env.subscription_period = PERIOD_LEN;
	env.balance = c_balance;
	env.transfer = c_transfer;
	env.total_supply = c_supply;
	env.storage_get = c_get;
	env.storage_put = c_put;
	env.log = c_log;
	const contract_def *sc = contract_find(SUBSCRIPTION_ADDRESS);
	contract_result res;
	memset(&res, 0, sizeof(res));
	if (!sc || subs_call_settle(&d, cat, PERIOD_K) < 0)
		diag_die(LST_EFAIL, "no subscription contract");
	if (state_begin(st) < 0)
		return 1;
	double t0 = bench_now();
	int cr = sc->call(&res, &env, d.p, d.len);
	double counted_s = bench_now() - t0;
	if (cr < 0 || c.failed || !res.ok) {
		char *why = NULL;
		if (cr == 0 && !res.ok)
			if (abi_revert_reason(&why, res.ret.p, res.ret.len) < 0)
				why = NULL;
		diag_die(LST_EFAIL, "settle failed: %s", why ? why : "the state failed");
	}
	buf_free(&res.ret);
	size_t wrong_counted = paid_wrong(authors, nauthors, want, &fnd0, &sub0, fee_f + (rest - paid), pool);
	state_rollback(st);
	buf_reset(&d);
	if (subs_call_settle(&d, cat, PERIOD_K) < 0)
		abort();
	block_add(&blk, anyone, &settler_nonce, SUBSCRIPTION_ADDRESS, NULL, &d);
	double settle_s = block_run(&blk, t_settle);
	size_t wrong = paid_wrong(authors, nauthors, want, &fnd0, &sub0, fee_f + (rest - paid), pool);
	bool exact = !wrong && !wrong_counted;
	char spool[48], sfee[48], srem[48];
	dec128(spool, pool);
	dec128(sfee, fee_f);
	dec128(srem, rest - paid);
	struct stat sb;
	long long db_mb = stat(path, &sb) == 0 ? (long long)(sb.st_size >> 20) : -1;
	printf("{\"books\":%zu,\"readers\":%zu,\"authors\":%zu,\"books_read\":%zu,"
	       "\"record_calls\":%llu,\"pages_recorded\":%llu,\"pages_over_cap\":%llu,\"pages_counted\":%llu,"
	       "\"record_seconds\":%.2f,\"record_calls_per_s\":%.0f,\"record_pages_per_s\":%.0f,"
	       "\"subscribe_per_s\":%.0f,"
	       "\"settle_seconds\":%.3f,\"settle_counted_seconds\":%.3f,\"rows_read\":%llu,\"rows_found\":%llu,\"rows_absent\":%llu,"
	       "\"rows_written\":%llu,\"rows_deleted\":%llu,\"bytes_read\":%llu,\"bytes_written\":%llu,"
	       "\"balances_read\":%llu,\"transfers\":%llu,\"logs\":%llu,"
	       "\"pool\":\"%s\",\"fee\":\"%s\",\"remainder\":\"%s\",\"wrong\":%zu,\"exact\":%s,"
	       "\"setup_seconds\":%.1f,\"receipt_signing_seconds\":%.1f,\"db_mib\":%lld}\n",
	       nbooks, nreaders, nauthors, read_books, (unsigned long long)calls, (unsigned long long)npages,
	       (unsigned long long)over_cap, (unsigned long long)total, rec_s, calls / rec_s, npages / rec_s,
	       nreaders / sub_s, settle_s, counted_s, (unsigned long long)c.gets, (unsigned long long)c.found,
	       (unsigned long long)c.absent, (unsigned long long)c.puts, (unsigned long long)c.deletes,
	       (unsigned long long)c.bytes_read, (unsigned long long)c.bytes_written, (unsigned long long)c.balances,
	       (unsigned long long)c.transfers, (unsigned long long)c.logs, spool, sfee, srem, wrong + wrong_counted,
	       exact ? "true" : "false", setup_s, setup_signing, db_mb);
	buf_free(&d);
	free(want);
	free(pages);
	free(mine);
	free(rnonce);
	free(readers);
	free(books);
	free(authors);
	state_close(st);
	return exact ? 0 : 1;
}
