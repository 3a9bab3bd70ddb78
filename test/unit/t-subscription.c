/*
 * The subscription contract (contracts/subscription.h) against an
 * in-memory chain with the market beside it: periods in months and in
 * seconds, categories, enrolment, subscribing, cancelling, servers, page
 * records with their receipts (and forged ones), the per-reader cap,
 * settlement to the Photon, the contract's balance, the market's canRead
 * for members, and every revert reason leaving state and balances as
 * they were.
 */
#include "lst.h"
#include "unit.h"
#include "abi.h"
#include "addr.h"
#include "buf.h"
#include "contract.h"
#include "diag.h"
#include "fakeenv.h"
#include "hex.h"
#include "keccak.h"
#include "market.h"
#include "msg.h"
#include "secp.h"
#include "settle.h"
#include "subscription.h"

#include <inttypes.h>
#include <sodium.h>
#include <time.h>

#define CHAIN_ID 4242
#define FEE_BPS 500
#define LISTING_FEE 10
#define PRICE 100
#define FEE1 1000 /* category 1's fee per period */
#define FEE2 777  /* category 2's */

/* 2026-11-01, 2026-12-01, 2027-01-01, 2027-02-01 at 00:00 UTC, and 2026-11 as a period. */
#define T_NOV 1793491200u
#define T_DEC 1796083200u
#define T_JAN 1798761600u
#define T_FEB 1801440000u
#define K_NOV 682u

static const uint8_t *S = SUBSCRIPTION_ADDRESS;
static uint8_t F[20], A1[20], A2[20], R1[20], R2[20], R3[20], X[20], Y[20];
static uint8_t SV1[20], SV2[20], SV3[20], SV4[20];
static uint8_t privF[32], privR1[32], privSV1[32], privSV2[32], privSV3[32], privSV4[32];
static uint8_t B1[32], B2[32], B3[32], B4[32];
static fake_chain chain;
static fake_undo undo; /* the state before the last call */
static uint64_t now, plen, height = 42;

/* ---- calling contracts as the chain does ---- */

static contract_env env_for(const uint8_t self[20], const uint8_t caller[20])
{
	contract_env e = fake_env(&chain, self, caller, height);
	e.time = now;
	e.chain_id = CHAIN_ID;
	e.foundation = F;
	e.service_fee_bps = FEE_BPS;
	e.listing_fee = u256_from_u64(LISTING_FEE);
	e.subscription_period = plen;
	return e;
}

/* A call as the chain makes it (fake_call); the state before is kept in `undo`. */
static int call_env(contract_result *r, contract_env *e, const uint8_t *cd, size_t len)
{
	return fake_call(r, &chain, &undo, e, cd, len);
}

static void done(contract_result *r)
{
	buf_free(&r->ret);
}

/* A call of self's sig by caller with value; the logs start afresh. */
static int call_to(contract_result *r, const uint8_t self[20], const uint8_t caller[20], uint64_t value,
		   const char *sig, const abi_value *args, size_t n)
{
	buf cd = BUF_INIT;
	contract_env e = env_for(self, caller);
	int rc;
	e.value = u256_from_u64(value);
	if (abi_encode_call(&cd, sig, args, n) < 0)
		diag_die(LST_EFAIL, "cannot encode %s", sig);
	chain.nlog = 0;
	rc = call_env(r, &e, cd.p, cd.len);
	buf_free(&cd);
	return rc;
}

static int scall(contract_result *r, const uint8_t caller[20], uint64_t value, const char *sig,
		 const abi_value *args, size_t n)
{
	return call_to(r, S, caller, value, sig, args, n);
}

/* A view of self decoded as types into v (abi_free them); 0, or -1 (reverted, failed). Logs stay. */
static int view_of(const uint8_t self[20], abi_value *v, size_t max, const char *sig, const char *types,
		   const abi_value *args, size_t n)
{
	contract_result r;
	buf cd = BUF_INIT;
	contract_env e = env_for(self, Y);
	size_t got;
	int rc = -1;
	e.readonly = true;
	if (abi_encode_call(&cd, sig, args, n) < 0)
		diag_die(LST_EFAIL, "cannot encode %s", sig);
	if (call_env(&r, &e, cd.p, cd.len) == 0 && r.ok && abi_decode(v, max, &got, types, r.ret.p, r.ret.len) == 0)
		rc = 0;
	done(&r);
	buf_free(&cd);
	return rc;
}

static int view(abi_value *v, size_t max, const char *sig, const char *types, const abi_value *args, size_t n)
{
	return view_of(S, v, max, sig, types, args, n);
}

/* After a revert: nothing stored, logged or paid; the chain's rollback returns the value. Frees r. */
static bool unchanged(contract_result *r, bool same, const char *why)
{
	return fake_unchanged(r, &chain, &undo, same, why);
}

static bool refused_with(contract_result *r, const char *why)
{
	return unchanged(r, reverted_with(r, why), why);
}

/* Refused with a reason that starts with prefix and ends with suffix (an address not known in advance). */
static bool refused_like(contract_result *r, const char *prefix, const char *suffix)
{
	char *why = NULL;
	bool same = !r->ok && abi_revert_reason(&why, r->ret.p, r->ret.len) == 0 &&
		    !strncmp(why, prefix, strlen(prefix)) && strlen(why) >= strlen(prefix) + strlen(suffix) &&
		    !strcmp(why + strlen(why) - strlen(suffix), suffix);
	if (!same)
		diagf("want revert \"%s...%s\", got %s \"%s\"", prefix, suffix, r->ok ? "ok" : "revert", why ? why : "");
	free(why);
	return unchanged(r, same, prefix);
}

static bool returned_nothing(contract_result *r)
{
	bool yes = r->ok && r->ret.len == 0;
	done(r);
	return yes;
}

static uint64_t bal(const uint8_t a[20])
{
	return fake_balance_u64(&chain, a);
}

static u256 u128_top(void) /* 2^128 */
{
	u256 u = u256_from_u64(0);
	u.w[2] = 1;
	return u;
}

/* ---- logs ---- */

static void topic_u64(uint8_t w[32], uint64_t x)
{
	u256 u = u256_from_u64(x);
	u256_to_be32(w, &u);
}

/* Log i is self's event with topics[0..nt) after topic 0 and data the encoding of d[0..nd). */
static bool log_is(size_t i, const char *event, const uint8_t (*topics)[32], size_t nt, const abi_value *d,
		   size_t nd)
{
	const fake_logrec *l = fake_log_at(&chain, i);
	uint8_t t0[32];
	buf data = BUF_INIT;
	bool same;
	abi_event_topic(t0, event);
	if (abi_encode(&data, d, nd) < 0)
		diag_die(LST_EFAIL, "encode");
	same = l && !memcmp(l->self, S, 20) && l->ntopics == nt + 1 && !memcmp(l->topics[0], t0, 32) &&
	       !memcmp(l->topics[1], topics, 32 * nt) && l->len == data.len && !memcmp(l->data, data.p, data.len);
	if (!same)
		diagf("log %zu is not %s as expected", i, event);
	buf_free(&data);
	return same;
}

/* ---- the market: books to enroll ---- */

static int publish(contract_result *r, const uint8_t author[20], const char *title, uint8_t book[32])
{
	uint8_t hash[32], sig[65], root[64];
	int n = snprintf((char *)root, sizeof(root), "root:%s", title);
	market_terms t = {.chain_id = CHAIN_ID, .price = u256_from_u64(PRICE), .root = root, .root_len = (size_t)n,
			  .details = "{}", .details_len = 2, .label = "v1", .label_len = 2};
	memcpy(t.author, author, 20);
	market_book_id(t.book, author, title, strlen(title));
	memcpy(book, t.book, 32);
	memset(t.tree, 0x71, 32);
	market_terms_hash(hash, &t);
	fake_sign32(sig, privF, hash);
	abi_value args[7] = {abi_string(title), abi_string("{}"), abi_u256(&t.price), abi_bytes(root, (size_t)n),
			     abi_fixed_bytes(t.tree, 32), abi_string("v1"), abi_bytes(sig, 65)};
	chain.nlog = 0;
	return call_to(r, MARKET_ADDRESS, author, LISTING_FEE,
		       "publish(string,string,uint256,bytes,bytes32,string,bytes)", args, 7);
}

static void root_id_of(uint8_t rid[32], const char *title)
{
	char root[64];
	int n = snprintf(root, sizeof(root), "root:%s", title);
	crypto_hash_sha256(rid, (const uint8_t *)root, (size_t)n);
}

static void must(int rc, contract_result *r, const char *what)
{
	char *why = NULL;
	if (rc < 0 || !r->ok) {
		if (rc == 0)
			(void)!abi_revert_reason(&why, r->ret.p, r->ret.len);
		diag_die(LST_EFAIL, "%s: %s", what, why ? why : "failed");
	}
	done(r);
}

/* ---- the subscription's calls ---- */

static int create_category(contract_result *r, const uint8_t caller[20], const char *name, size_t len,
			   const u256 *fee)
{
	abi_value args[2] = {{.kind = ABI_STRING, .data = (const uint8_t *)name, .len = len}, abi_u256(fee)};
	return scall(r, caller, 0, "createCategory(string,uint256)", args, 2);
}

static int enroll(contract_result *r, const uint8_t caller[20], const uint8_t book[32], uint64_t cat)
{
	abi_value args[2] = {abi_fixed_bytes(book, 32), abi_u64(cat)};
	return scall(r, caller, 0, "enroll(bytes32,uint256)", args, 2);
}

static int subscribe_u(contract_result *r, const uint8_t caller[20], uint64_t cat, const u256 *months,
		       uint64_t value)
{
	abi_value args[2] = {abi_u64(cat), abi_u256(months)};
	return scall(r, caller, value, "subscribe(uint256,uint256)", args, 2);
}

static int subscribe(contract_result *r, const uint8_t caller[20], uint64_t cat, uint64_t months, uint64_t value)
{
	u256 m = u256_from_u64(months);
	return subscribe_u(r, caller, cat, &m, value);
}

static int cancel(contract_result *r, const uint8_t caller[20], uint64_t cat)
{
	abi_value arg = abi_u64(cat);
	return scall(r, caller, 0, "cancel(uint256)", &arg, 1);
}

static int set_server(contract_result *r, const uint8_t caller[20], const uint8_t server[20], bool on)
{
	abi_value args[2] = {abi_address(server), abi_bool(on)};
	return scall(r, caller, 0, "setServer(address,bool)", args, 2);
}

static int settle(contract_result *r, const uint8_t caller[20], uint64_t cat, uint64_t period)
{
	abi_value args[2] = {abi_u64(cat), abi_u64(period)};
	return scall(r, caller, 0, "settle(uint256,uint256)", args, 2);
}

/* The serving key priv's receipt (personal_sign of sub_receipt_hash) for pages[0..n). */
static void receipt_for(uint8_t sig[65], const uint8_t priv[32], uint64_t chain_id, const uint8_t reader[20],
			const uint8_t book[32], uint64_t period, const uint64_t *pages, size_t n)
{
	uint8_t hash[32];
	uint32_t *p = xcalloc(n ? n : 1, sizeof(*p));
	for (size_t i = 0; i < n; i++)
		p[i] = (uint32_t)pages[i];
	sub_receipt_hash(hash, chain_id, reader, book, period, p, n);
	free(p);
	fake_sign32(sig, priv, hash);
}

/* recordPages by reader with a receipt of siglen bytes at sig. */
static int record_with(contract_result *r, const uint8_t reader[20], const uint8_t book[32], const u256 *period,
		       const uint64_t *pages, size_t n, const uint8_t *sig, size_t siglen)
{
	abi_value *items = xcalloc(n ? n : 1, sizeof(*items));
	for (size_t i = 0; i < n; i++)
		items[i] = abi_u64(pages[i]);
	abi_value args[4] = {abi_fixed_bytes(book, 32), abi_u256(period), abi_array(items, n, false),
			     abi_bytes(sig, siglen)};
	int rc = scall(r, reader, 0, "recordPages(bytes32,uint256,uint256[],bytes)", args, 4);
	free(items);
	return rc;
}

/* recordPages with a good receipt by server key priv. */
static int record(contract_result *r, const uint8_t reader[20], const uint8_t priv[32], const uint8_t book[32],
		  uint64_t period, const uint64_t *pages, size_t n)
{
	uint8_t sig[65];
	u256 k = u256_from_u64(period);
	receipt_for(sig, priv, CHAIN_ID, reader, book, period, pages, n);
	return record_with(r, reader, book, &k, pages, n, sig, 65);
}

/* The counted pages a good record returned; -1 if it did not. */
static int64_t recorded(const uint8_t reader[20], const uint8_t priv[32], const uint8_t book[32], uint64_t period,
			const uint64_t *pages, size_t n)
{
	contract_result r;
	int64_t c = -1;
	if (record(&r, reader, priv, book, period, pages, n) == 0 && r.ok && r.ret.len == 32)
		c = (int64_t)r.ret.p[31] | (int64_t)r.ret.p[30] << 8 | (int64_t)r.ret.p[29] << 16;
	else if (!r.ok) {
		char *why = NULL;
		if (abi_revert_reason(&why, r.ret.p, r.ret.len) == 0)
			diagf("recordPages reverted: %s", why);
		free(why);
	}
	done(&r);
	return c;
}

/* pages[0..n) = from, from + 1, ... */
static size_t span(uint64_t *pages, uint64_t from, uint64_t to)
{
	size_t n = 0;
	for (uint64_t p = from; p <= to; p++)
		pages[n++] = p;
	return n;
}

/* ---- views ---- */

static int is_member(uint64_t cat, const uint8_t reader[20])
{
	abi_value args[2] = {abi_u64(cat), abi_address(reader)}, v[1];
	int yes;
	if (view(v, 1, "isMember(uint256,address)", "bool", args, 2) < 0)
		return -1;
	yes = v[0].b;
	abi_free(v, 1);
	return yes;
}

/* membership(cat, reader) is (from, until, ends). */
static bool membership_is(uint64_t cat, const uint8_t reader[20], uint64_t from, uint64_t until, uint64_t ends)
{
	abi_value args[2] = {abi_u64(cat), abi_address(reader)}, v[3];
	bool same;
	if (view(v, 3, "membership(uint256,address)", "uint256,uint256,uint256", args, 2) < 0)
		return false;
	same = v[0].u.w[0] == from && v[1].u.w[0] == until && v[2].u.w[0] == ends;
	if (!same)
		diagf("membership is (%" PRIu64 ", %" PRIu64 ", %" PRIu64 ")", v[0].u.w[0], v[1].u.w[0], v[2].u.w[0]);
	abi_free(v, 3);
	return same;
}

typedef struct {
	uint64_t pool, pages, books;
	bool settled;
} pool_view;

static pool_view pool_of(uint64_t cat, uint64_t k)
{
	abi_value args[2] = {abi_u64(cat), abi_u64(k)}, v[4];
	pool_view p = {UINT64_MAX, UINT64_MAX, UINT64_MAX, false};
	if (view(v, 4, "pool(uint256,uint256)", "uint256,uint256,uint256,bool", args, 2) == 0) {
		p = (pool_view){v[0].u.w[0], v[1].u.w[0], v[2].u.w[0], v[3].b};
		abi_free(v, 4);
	}
	return p;
}

static bool reader_pages_are(const uint8_t reader[20], const uint8_t book[32], uint64_t k, uint64_t counted,
			     uint64_t rec)
{
	abi_value args[3] = {abi_address(reader), abi_fixed_bytes(book, 32), abi_u64(k)}, v[2];
	bool same;
	if (view(v, 2, "readerPages(address,bytes32,uint256)", "uint256,uint256", args, 3) < 0)
		return false;
	same = v[0].u.w[0] == counted && v[1].u.w[0] == rec;
	if (!same)
		diagf("readerPages is (%" PRIu64 ", %" PRIu64 ")", v[0].u.w[0], v[1].u.w[0]);
	abi_free(v, 2);
	return same;
}

static int page_recorded(const uint8_t reader[20], const uint8_t book[32], uint64_t k, const u256 *page)
{
	abi_value args[4] = {abi_address(reader), abi_fixed_bytes(book, 32), abi_u64(k), abi_u256(page)}, v[1];
	int yes;
	if (view(v, 1, "pageRecorded(address,bytes32,uint256,uint256)", "bool", args, 4) < 0)
		return -1;
	yes = v[0].b;
	abi_free(v, 1);
	return yes;
}

static int page_recorded_u(const uint8_t reader[20], const uint8_t book[32], uint64_t k, uint64_t page)
{
	u256 p = u256_from_u64(page);
	return page_recorded(reader, book, k, &p);
}

static bool server_owner_is(const uint8_t server[20], const uint8_t *owner)
{
	static const uint8_t zero[20];
	abi_value arg = abi_address(server), v[1];
	bool same;
	if (view(v, 1, "serverOwner(address)", "address", &arg, 1) < 0)
		return false;
	same = !memcmp(v[0].addr, owner ? owner : zero, 20);
	abi_free(v, 1);
	return same;
}

/* The sum of the pools of categories 1..2 in periods [from, to) not settled: what S must hold. */
static uint64_t unsettled(uint64_t from, uint64_t to)
{
	uint64_t sum = 0;
	for (uint64_t c = 1; c <= 2; c++)
		for (uint64_t k = from; k < to; k++) {
			pool_view p = pool_of(c, k);
			sum += p.settled ? 0 : p.pool;
		}
	return sum;
}

/* ---- a fresh chain ---- */

static void reset_chain(uint64_t period_len, uint64_t t)
{
	memset(&chain, 0, sizeof(chain));
	fake_fund(&chain, F, 0);
	fake_fund(&chain, A1, 1000);
	fake_fund(&chain, A2, 1000);
	fake_fund(&chain, R1, 1000000);
	fake_fund(&chain, R2, 1000000);
	fake_fund(&chain, R3, 1000000);
	fake_fund(&chain, X, 1000000);
	fake_fund(&chain, Y, 1000);
	plen = period_len;
	now = t;
}

/* Categories 1 (FEE1) and 2 (FEE2); books B1, B3 by A1, B2, B4 by A2; B1, B2 in 1, B3 in 2; X bought B2. */
static void setup_market(void)
{
	contract_result r;
	u256 f1 = u256_from_u64(FEE1), f2 = u256_from_u64(FEE2);
	must(create_category(&r, F, "Fiction", 7, &f1), &r, "category 1");
	must(create_category(&r, F, "Science", 7, &f2), &r, "category 2");
	must(publish(&r, A1, "One", B1), &r, "publish One");
	must(publish(&r, A2, "Two", B2), &r, "publish Two");
	must(publish(&r, A1, "Three", B3), &r, "publish Three");
	must(publish(&r, A2, "Four", B4), &r, "publish Four");
	must(enroll(&r, A1, B1, 1), &r, "enroll One");
	must(enroll(&r, A2, B2, 1), &r, "enroll Two");
	must(enroll(&r, A1, B3, 2), &r, "enroll Three");
	abi_value arg = abi_fixed_bytes(B2, 32);
	must(call_to(&r, MARKET_ADDRESS, X, PRICE, "buy(bytes32)", &arg, 1), &r, "buy Two");
}

/* ---- the tests ---- */

static void test_registry(void)
{
	const contract_def *c = contract_find(S);
	char s[43];
	ok(c == &subscription_contract && !strcmp(c->name, "subscription"), "contract_find finds the subscription");
	hex_encode(s, S, 20);
	ok(!strcmp(s, "0x4c53540000000000000000000000000000000005"), "subscription address is %s", s);
}

/* Civil dates from gmtime_r (UTC whatever TZ says), the model of the months. */
static void test_periods(void)
{
	static const struct {
		uint64_t t, k;
	} marks[] = {
		{0, 0}, {T_NOV - 1, K_NOV - 1}, {T_NOV, K_NOV}, {T_DEC - 1, K_NOV}, {T_DEC, K_NOV + 1},
		{T_JAN - 1, K_NOV + 1}, {T_JAN, K_NOV + 2}, {T_FEB, K_NOV + 3},
		{1706745600, 649}, {1709251199, 649}, {1709251200, 650}, /* 2024-02 has 29 days */
		{4105123200, 1561}, {4107542399, 1561}, {4107542400, 1562}, /* 2100-02 has 28 */
		{951868800 - 1, 361}, {951868800, 362},                     /* 2000-02 has 29: 2000-03-01 */
	};
	size_t bad = 0, bad_model = 0;
	for (size_t i = 0; i < ARRAY_SIZE(marks); i++)
		if (sub_period_of(0, marks[i].t) != marks[i].k) {
			diagf("period of %" PRIu64 ": %" PRIu64 ", want %" PRIu64, marks[i].t, sub_period_of(0, marks[i].t),
			      marks[i].k);
			bad++;
		}
	ok(!bad, "months: 2026-11 and its ends, Dec to Jan, leap Februaries (2024, 2000) and 2100's 28 days");
	ok(sub_period_start(0, K_NOV) == T_NOV && sub_period_start(0, K_NOV + 1) == T_DEC &&
		   sub_period_start(0, K_NOV + 2) == T_JAN && sub_period_start(0, K_NOV + 3) == T_FEB &&
		   sub_period_start(0, 650) - sub_period_start(0, 649) == 29 * 86400 &&
		   sub_period_start(0, 1562) - sub_period_start(0, 1561) == 28 * 86400 && sub_period_start(0, 0) == 0,
	   "months: period starts on the 1st at 00:00 UTC (2026-11-01 is %u)", T_NOV);

	/* 20000 random times to year 9999 against gmtime_r. */
	uint64_t rng = 88172645463325252ull;
	for (int i = 0; i < 20000; i++) {
		rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
		time_t t = (time_t)(rng % 253402300800ull);
		struct tm tm;
		if (!gmtime_r(&t, &tm))
			diag_die(LST_EFAIL, "gmtime_r");
		uint64_t k = (uint64_t)(tm.tm_year + 1900 - 1970) * 12 + (uint64_t)tm.tm_mon;
		uint64_t s = sub_period_start(0, k);
		time_t st = (time_t)s;
		struct tm sm;
		if (!gmtime_r(&st, &sm))
			diag_die(LST_EFAIL, "gmtime_r");
		if (sub_period_of(0, (uint64_t)t) != k || s > (uint64_t)t || sub_period_start(0, k + 1) <= (uint64_t)t ||
		    sm.tm_mday != 1 || sm.tm_hour || sm.tm_min || sm.tm_sec || sm.tm_mon != tm.tm_mon ||
		    sm.tm_year != tm.tm_year)
			bad_model++;
	}
	ok(!bad_model, "months: 20000 random times to year 9999 fall in the month gmtime_r says, which starts on its 1st");

	ok(sub_period_of(20, 0) == 0 && sub_period_of(20, 19) == 0 && sub_period_of(20, 20) == 1 &&
		   sub_period_of(20, 1000) == 50 && sub_period_start(20, 50) == 1000 && sub_period_start(1, 7) == 7,
	   "seconds: period k is [k * L, (k + 1) * L)");
	ok(sub_period_start(10, UINT64_MAX / 10 + 1) == UINT64_MAX && sub_period_start(0, UINT64_MAX) == UINT64_MAX &&
		   sub_period_of(0, UINT64_MAX) > 0 && sub_period_start(0, sub_period_of(0, UINT64_MAX)) <= UINT64_MAX,
	   "starts past 2^64 - 1 seconds saturate; the last second of time has a month");

	char s[32];
	sub_period_label(s, sizeof(s), 0, K_NOV);
	bool labels = !strcmp(s, "2026-11");
	sub_period_label(s, sizeof(s), 0, 0);
	labels = labels && !strcmp(s, "1970-01");
	sub_period_label(s, sizeof(s), 0, K_NOV + 2);
	labels = labels && !strcmp(s, "2027-01");
	sub_period_label(s, sizeof(s), 20, 89674560);
	labels = labels && !strcmp(s, "89674560");
	ok(labels, "labels: 2026-11, 1970-01, 2027-01 for months, the decimal index for seconds");

	size_t trips = 0;
	uint64_t k;
	for (uint64_t i = 0; i < 3000; i++) {
		uint64_t km = i * 37 % 96000, ks = i * 7919 + (i << 40);
		sub_period_label(s, sizeof(s), 0, km);
		trips += sub_period_parse(&k, 0, s) == 0 && k == km;
		sub_period_label(s, sizeof(s), 30, ks);
		trips += sub_period_parse(&k, 30, s) == 0 && k == ks;
	}
	ok(trips == 6000, "sub_period_label and sub_period_parse: %zu of 6000 round trips", trips);
	ok(sub_period_parse(&k, 0, "2026-11") == 0 && k == K_NOV && sub_period_parse(&k, 0, "682") == 0 && k == K_NOV &&
		   sub_period_parse(&k, 0, "1970-01") == 0 && k == 0 && sub_period_parse(&k, 20, "18446744073709551615") == 0 &&
		   k == UINT64_MAX,
	   "parse: YYYY-MM or an index for months, an index for seconds");
	static const char *const bad_months[] = {"2026-13", "2026-00", "1969-12", "2026-1", "26-11", "2026-11x", "abc",
						 "", "-1", "+5", "2026-1a", "18446744073709551616", " 5", "2026--1"};
	size_t refused = 0;
	k = 77;
	for (size_t i = 0; i < ARRAY_SIZE(bad_months); i++)
		refused += sub_period_parse(&k, 0, bad_months[i]) < 0;
	ok(refused == ARRAY_SIZE(bad_months) && k == 77 && sub_period_parse(&k, 20, "2026-11") < 0 &&
		   sub_period_parse(&k, 20, "") < 0 && k == 77,
	   "parse refuses bad months, dates for periods of seconds, and writes nothing");
}

/* The receipt hash as Solidity computes it: keccak256(abi.encodePacked(...)). */
static void test_receipts(void)
{
	uint8_t reader[20], book[32], h[32], ph[32], signer[20], sig[65], priv[32], who[20], w[32] = {0};
	const uint32_t pages[] = {1, 2, 1000, 4294967295u};
	char hex[67];
	buf b = BUF_INIT, pb = BUF_INIT;
	memset(reader, 0x11, 20);
	memset(book, 0x22, 32);
	memset(priv, 0x07, 32);

	/* By hand: the concatenation, then keccak256. */
	for (size_t i = 0; i < ARRAY_SIZE(pages); i++) {
		memset(w, 0, 32);
		for (int j = 0; j < 4; j++)
			w[31 - j] = (uint8_t)(pages[i] >> (8 * j));
		buf_add(&pb, w, 32);
	}
	keccak256(ph, pb.p, pb.len);
	buf_adds(&b, "lst-pages-v1");
	memset(w, 0, 32);
	w[30] = CHAIN_ID >> 8, w[31] = CHAIN_ID & 0xff;
	buf_add(&b, w, 32);
	buf_add(&b, SUBSCRIPTION_ADDRESS, 20);
	buf_add(&b, reader, 20);
	buf_add(&b, book, 32);
	memset(w, 0, 32);
	w[30] = K_NOV >> 8, w[31] = K_NOV & 0xff;
	buf_add(&b, w, 32);
	buf_add(&b, ph, 32);
	uint8_t want[32];
	keccak256(want, b.p, b.len);
	sub_receipt_hash(h, CHAIN_ID, reader, book, K_NOV, pages, ARRAY_SIZE(pages));
	hex_encode(hex, h, 32);
	ok(!memcmp(h, want, 32), "sub_receipt_hash is keccak256 of the concatenation, computed here by hand");
	/* ethers: solidityPackedKeccak256(["string","uint256","address","address","bytes32","uint256","bytes32"], ...) */
	ok(!strcmp(hex, "0xcdddfea91bbc2ce767095987ffcb6abd1099a76b4e1c77b356f181854d6ec9a6"),
	   "... and what ethers' solidityPackedKeccak256 gives for the same: %s", hex);
	hex_encode(hex, ph, 32);
	ok(!strcmp(hex, "0x641d05a63168d19fcdaf25b7c238340c7f2a32ad28604bb9ba50544b0a4b9464"),
	   "the pages' hash is keccak256(abi.encodePacked(uint256[] pages))");

	/* The signer: ethers' Wallet(0x07..07).signMessage(getBytes(hash)). */
	uint8_t want_sig[65];
	if (hex_decode(want_sig, 65, "0xbd58ad7f05488592aa9e935c151bcd3cc3cc41a6f02e86ae98103de40d4df5451778f8c49ea75884"
				     "d4638d4004a3fe4f15b9231fe125527889a91281481fe7fb1b") < 0 ||
	    secp_address_from_priv(who, priv) < 0)
		diag_die(LST_EFAIL, "vector");
	uint8_t digest[32];
	msg_hash(digest, h, 32);
	ok(msg_sign(sig, priv, digest) == 0 && !memcmp(sig, want_sig, 65) && sub_receipt_signer(signer, want_sig, h) == 0 &&
		   !memcmp(signer, who, 20),
	   "a receipt is ethers' signMessage of the 32 bytes; sub_receipt_signer recovers its key's address");
	memset(sig, 0, 65);
	ok(sub_receipt_signer(signer, sig, h) < 0, "a receipt of zeros has no signer");
	want_sig[64] = 29;
	ok(sub_receipt_signer(signer, want_sig, h) < 0, "nor one with v = 29");
	buf_free(&b);
	buf_free(&pb);
}

/*
 * Every function of subscription.abi.json is dispatched with the
 * mutability of subscription.h: views answer a read-only call with zero
 * arguments (or revert for a reason of their own), the others refuse to
 * write in one; only subscribe takes LST. The events are those of the
 * header, indexed as it says.
 */
static void test_abi_json(void)
{
	static const fake_abi_fn fns[] = {
		{"createCategory(string,uint256)", "nonpayable"},
		{"enroll(bytes32,uint256)", "nonpayable"},
		{"subscribe(uint256,uint256)", "payable"},
		{"cancel(uint256)", "nonpayable"},
		{"setServer(address,bool)", "nonpayable"},
		{"recordPages(bytes32,uint256,uint256[],bytes)", "nonpayable"},
		{"settle(uint256,uint256)", "nonpayable"},
		{"isMember(uint256,address)", "view"},
		{"membership(uint256,address)", "view"},
		{"categoryCount()", "view"},
		{"category(uint256)", "view"},
		{"categoryId(string)", "view"},
		{"categoryOf(bytes32)", "view"},
		{"period()", "view"},
		{"periodOf(uint256)", "view"},
		{"periodStart(uint256)", "view"},
		{"pageAccess(address,bytes32)", "view"},
		{"serverOwner(address)", "view"},
		{"pool(uint256,uint256)", "view"},
		{"booksRead(uint256,uint256,uint256,uint256)", "view"},
		{"readerPages(address,bytes32,uint256)", "view"},
		{"pageRecorded(address,bytes32,uint256,uint256)", "view"},
		{"settlement(uint256,uint256)", "view"},
	};
	static const fake_abi_event evs[] = {
		{"CategoryCreated(uint256,string,uint256)", "inn", NULL},
		{"Enrolled(bytes32,uint256,address)", "iii", NULL},
		{"Subscribed(uint256,address,uint256,uint256,uint256)", "iinnn", NULL},
		{"Cancelled(uint256,address,uint256,uint256)", "iinn", NULL},
		{"ServerSet(address,address,bool)", "iin", NULL},
		{"PagesRecorded(bytes32,address,uint256,uint256,uint256)", "iiinn", NULL},
		{"Payout(bytes32,address,uint256,uint256,uint256,uint256)", "iiinnn", NULL},
		{"Settled(uint256,uint256,uint256,uint256,uint256,uint256)", "iinnnn", NULL},
	};
	size_t nfn, nev;
	uint32_t seen_fn, seen_ev;
	reset_chain(0, T_NOV);
	int bad = fake_abi_check(&nfn, &nev, &seen_fn, &seen_ev, &chain, &undo, env_for(S, A1),
				 "contracts/subscription.abi.json", "subscription.h", fns, ARRAY_SIZE(fns), evs,
				 ARRAY_SIZE(evs), "no such category", "subscription does not accept LST sent with a call");
	ok(bad == 0 && nfn == ARRAY_SIZE(fns) && nev == ARRAY_SIZE(evs) && seen_fn == (1u << ARRAY_SIZE(fns)) - 1 &&
		   seen_ev == (1u << ARRAY_SIZE(evs)) - 1,
	   "subscription.abi.json: %zu functions dispatched with their mutability, %zu events", nfn, nev);
	ok(bal(A1) == 1000 && chain.nslot == 0 && chain.nlog == 0, "... and none of it changed anything");
}

static void test_categories(void)
{
	contract_result r;
	u256 fee = u256_from_u64(FEE1), zero = u256_from_u64(0), top = u128_top(), max = top;
	uint8_t topics[1][32];
	abi_value v[4], arg;
	char name64[65];
	reset_chain(0, T_NOV);
	if (u256_sub(&max, &top, &(u256){{1, 0, 0, 0}}) < 0)
		diag_die(LST_EFAIL, "u256");

	ok(create_category(&r, F, "Fiction", 7, &fee) == 0 && r.ok && r.ret.len == 32 && r.ret.p[31] == 1,
	   "the foundation creates category 1");
	done(&r);
	topic_u64(topics[0], 1);
	abi_value d[2] = {abi_string("Fiction"), abi_u256(&fee)};
	ok(chain.nlog == 1 && log_is(0, "CategoryCreated(uint256,string,uint256)", (const uint8_t(*)[32])topics, 1, d, 2),
	   "... logging CategoryCreated(1, \"Fiction\", fee)");
	memset(name64, 'x', 64);
	name64[64] = 0;
	memcpy(name64, "\xc3\xa9", 2); /* é: UTF-8 counts bytes */
	ok(create_category(&r, F, name64, 64, &max) == 0 && r.ok && r.ret.p[31] == 2,
	   "category 2: a name of 64 bytes in UTF-8, the largest fee (2^128 - 1)");
	done(&r);

	arg = abi_u64(1);
	ok(view(v, 4, "category(uint256)", "string,uint256,uint256,uint256", &arg, 1) == 0 && v[0].len == 7 &&
		   !memcmp(v[0].data, "Fiction", 7) && v[1].u.w[0] == FEE1 && v[2].u.w[0] == 0 && v[3].u.w[0] == 0,
	   "category(1): name, fee, no books, no members");
	abi_free(v, 4);
	arg = abi_string("Fiction");
	ok(view(v, 1, "categoryId(string)", "uint256", &arg, 1) == 0 && v[0].u.w[0] == 1, "categoryId(\"Fiction\") is 1");
	abi_free(v, 1);
	arg = abi_string("fiction");
	ok(view(v, 1, "categoryId(string)", "uint256", &arg, 1) == 0 && v[0].u.w[0] == 0,
	   "categoryId of a name never created is 0 (names are exact)");
	abi_free(v, 1);
	ok(view(v, 1, "categoryCount()", "uint256", NULL, 0) == 0 && v[0].u.w[0] == 2, "categoryCount() is 2");
	abi_free(v, 1);
	arg = abi_u64(3);
	contract_env e = env_for(S, Y);
	buf cd = BUF_INIT;
	if (abi_encode_call(&cd, "category(uint256)", &arg, 1) < 0)
		diag_die(LST_EFAIL, "encode");
	ok(call_env(&r, &e, cd.p, cd.len) == 0 && refused_with(&r, "no such category"), "category(3): no such category");
	buf_free(&cd);

	ok(create_category(&r, A1, "Poetry", 6, &fee) == 0 && refused_with(&r, "not the foundation"),
	   "anyone else: not the foundation");
	static const struct {
		const char *name;
		size_t len;
	} bad[] = {
		{"", 0}, {"x\ny", 3}, {"tab\t", 4}, {"del\x7f", 4}, {"nul\0x", 5}, {"\xff", 1}, {"\xc3", 1},
		{"\xc2\x85", 2} /* C1 NEL */, {"\xed\xa0\x80", 3} /* a surrogate */, {"\xc0\xaf", 2} /* overlong */,
	};
	size_t nbad = 0;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		nbad += create_category(&r, F, bad[i].name, bad[i].len, &fee) == 0 && refused_with(&r, "bad category name");
	char name65[66];
	memset(name65, 'y', 65);
	nbad += create_category(&r, F, name65, 65, &fee) == 0 && refused_with(&r, "bad category name");
	ok(nbad == ARRAY_SIZE(bad) + 1, "bad category name: empty, 65 bytes, control characters, DEL, not UTF-8 (%zu)",
	   nbad);
	ok(create_category(&r, F, "Fiction", 7, &fee) == 0 && refused_with(&r, "category exists"), "category exists");
	ok(create_category(&r, F, "Poetry", 6, &zero) == 0 && refused_with(&r, "fee must be positive"),
	   "fee must be positive");
	ok(create_category(&r, F, "Poetry", 6, &top) == 0 && refused_with(&r, "fee too large"), "fee too large (2^128)");
	ok(view(v, 1, "categoryCount()", "uint256", NULL, 0) == 0 && v[0].u.w[0] == 2 && chain.nslot == 5,
	   "after the refusals: still 2 categories, 5 slots (count, 2 records, 2 names)");
	abi_free(v, 1);
}

static void test_enroll(void)
{
	contract_result r;
	uint8_t topics[3][32];
	abi_value v[4], arg;
	reset_chain(0, T_NOV);
	u256 f1 = u256_from_u64(FEE1), f2 = u256_from_u64(FEE2);
	must(create_category(&r, F, "Fiction", 7, &f1), &r, "category 1");
	must(create_category(&r, F, "Science", 7, &f2), &r, "category 2");
	must(publish(&r, A1, "One", B1), &r, "publish One");
	must(publish(&r, A2, "Two", B2), &r, "publish Two");

	ok(enroll(&r, A1, B1, 1) == 0 && returned_nothing(&r), "the author enrolls a book in category 1");
	memcpy(topics[0], B1, 32);
	topic_u64(topics[1], 1);
	abi_address_word(topics[2], A1);
	ok(chain.nlog == 1 && log_is(0, "Enrolled(bytes32,uint256,address)", (const uint8_t(*)[32])topics, 3, NULL, 0),
	   "... logging Enrolled(book, 1, author)");
	arg = abi_fixed_bytes(B1, 32);
	ok(view(v, 1, "categoryOf(bytes32)", "uint256", &arg, 1) == 0 && v[0].u.w[0] == 1, "categoryOf(book) is 1");
	abi_free(v, 1);
	arg = abi_fixed_bytes(B2, 32);
	ok(view(v, 1, "categoryOf(bytes32)", "uint256", &arg, 1) == 0 && v[0].u.w[0] == 0,
	   "categoryOf a book not enrolled is 0");
	abi_free(v, 1);
	arg = abi_u64(1);
	ok(view(v, 4, "category(uint256)", "string,uint256,uint256,uint256", &arg, 1) == 0 && v[2].u.w[0] == 1,
	   "category(1) counts 1 book");
	abi_free(v, 4);

	uint8_t none[32];
	memset(none, 0x5a, 32);
	ok(enroll(&r, A1, none, 1) == 0 && refused_with(&r, "no such book"), "no such book");
	ok(enroll(&r, A1, B2, 1) == 0 && refused_with(&r, "not the author"), "not the author (a book of A2 by A1)");
	ok(enroll(&r, X, B1, 2) == 0 && refused_with(&r, "not the author"), "not the author (a reader)");
	ok(enroll(&r, A2, B2, 3) == 0 && refused_with(&r, "no such category"), "no such category (3)");
	ok(enroll(&r, A2, B2, 0) == 0 && refused_with(&r, "no such category"), "no such category (0)");
	ok(enroll(&r, A1, B1, 2) == 0 && refused_with(&r, "already enrolled in category 1"),
	   "already enrolled in category 1 (into another)");
	ok(enroll(&r, A1, B1, 1) == 0 && refused_with(&r, "already enrolled in category 1"),
	   "already enrolled in category 1 (again)");
}

static void test_subscribe(void)
{
	contract_result r;
	uint8_t topics[2][32];
	abi_value v[4], arg;
	reset_chain(0, T_NOV + 10 * 86400);
	u256 f1 = u256_from_u64(FEE1), big = u256_from_u64(0);
	big.w[1] = 1ull << 63; /* 2^127 */
	must(create_category(&r, F, "Fiction", 7, &f1), &r, "category 1");
	must(create_category(&r, F, "Big", 3, &big), &r, "category 2");

	ok(is_member(1, R1) == 0 && membership_is(1, R1, 0, 0, 0), "never subscribed: no member, membership zeros");
	ok(subscribe(&r, R1, 1, 3, 3 * FEE1) == 0 && returned_nothing(&r), "subscribe(1, 3) paying 3 fees");
	topic_u64(topics[0], 1);
	abi_address_word(topics[1], R1);
	abi_value d[3] = {abi_u64(K_NOV), abi_u64(K_NOV + 3), abi_u64(3 * FEE1)};
	ok(chain.nlog == 1 &&
		   log_is(0, "Subscribed(uint256,address,uint256,uint256,uint256)", (const uint8_t(*)[32])topics, 2, d, 3),
	   "... logging Subscribed(1, reader, 682, 685, 3000)");
	ok(is_member(1, R1) == 1 && membership_is(1, R1, K_NOV, K_NOV + 3, T_FEB) && bal(R1) == 1000000 - 3 * FEE1 &&
		   bal(S) == 3 * FEE1,
	   "a member now, of periods [682, 685) ending 2027-02-01; the fees are the contract's");
	ok(pool_of(1, K_NOV).pool == FEE1 && pool_of(1, K_NOV + 2).pool == FEE1 && pool_of(1, K_NOV + 3).pool == 0 &&
		   pool_of(1, K_NOV - 1).pool == 0,
	   "each period's fee is in that period's pool");
	ok(subscribe(&r, R1, 1, 2, 2 * FEE1) == 0 && returned_nothing(&r), "a member subscribes 2 months more");
	abi_value d2[3] = {abi_u64(K_NOV + 3), abi_u64(K_NOV + 5), abi_u64(2 * FEE1)};
	ok(log_is(0, "Subscribed(uint256,address,uint256,uint256,uint256)", (const uint8_t(*)[32])topics, 2, d2, 3) &&
		   membership_is(1, R1, K_NOV, K_NOV + 5, sub_period_start(0, K_NOV + 5)) &&
		   pool_of(1, K_NOV + 4).pool == FEE1 && pool_of(1, K_NOV).pool == FEE1 && bal(S) == 5 * FEE1,
	   "... which extends the span from its end: [682, 687), paid for 685 and 686");
	arg = abi_u64(1);
	ok(view(v, 4, "category(uint256)", "string,uint256,uint256,uint256", &arg, 1) == 0 && v[3].u.w[0] == 1,
	   "category(1) counts 1 member (who subscribed twice)");
	abi_free(v, 4);
	ok(subscribe(&r, R2, 1, 1, FEE1) == 0 && returned_nothing(&r) && pool_of(1, K_NOV).pool == 2 * FEE1 &&
		   membership_is(1, R2, K_NOV, K_NOV + 1, T_DEC),
	   "another reader: 1 month, the pool of 2026-11 holds both fees");

	u256 m0 = u256_from_u64(0), m121 = u256_from_u64(121), mbig = u128_top();
	ok(subscribe(&r, R3, 3, 1, FEE1) == 0 && refused_with(&r, "no such category"), "no such category");
	ok(subscribe_u(&r, R3, 1, &m0, 0) == 0 && refused_with(&r, "months must be 1 to 120"), "months 0");
	ok(subscribe_u(&r, R3, 1, &m121, 121 * FEE1) == 0 && refused_with(&r, "months must be 1 to 120"), "months 121");
	ok(subscribe_u(&r, R3, 1, &mbig, FEE1) == 0 && refused_with(&r, "months must be 1 to 120"), "months 2^128");
	ok(subscribe(&r, R3, 1, 2, FEE1) == 0 && refused_with(&r, "fee is 2000 for 2 months, not 1000"),
	   "too little: fee is 2000 for 2 months, not 1000");
	ok(subscribe(&r, R3, 1, 2, 2 * FEE1 + 1) == 0 && refused_with(&r, "fee is 2000 for 2 months, not 2001"),
	   "too much: fee is 2000 for 2 months, not 2001");
	ok(subscribe(&r, R3, 1, 1, 0) == 0 && refused_with(&r, "fee is 1000 for 1 months, not 0"), "nothing sent");
	ok(subscribe(&r, R3, 2, 1, 0) == 0 && refused_with(&r, "fee is 170141183460469231731687303715884105728 for 1 "
								"months, not 0"),
	   "a fee of 2^127 for 1 month is quoted");
	ok(subscribe(&r, R3, 2, 2, 0) == 0 && refused_with(&r, "fee too large for 2 months"),
	   "fee * months of 2^128 or more: fee too large for 2 months");
	ok(is_member(1, R3) == 0 && membership_is(1, R3, 0, 0, 0) && bal(S) == 6 * FEE1 && bal(R3) == 1000000,
	   "after the refusals R3 is no member and paid nothing");

	/* The longest subscription, on a chain of its own (120 pools). */
	reset_chain(0, T_NOV);
	must(create_category(&r, F, "Fiction", 7, &f1), &r, "category 1");
	ok(subscribe(&r, R1, 1, 120, 120 * FEE1) == 0 && returned_nothing(&r) &&
		   membership_is(1, R1, K_NOV, K_NOV + 120, sub_period_start(0, K_NOV + 120)) &&
		   pool_of(1, K_NOV + 119).pool == FEE1 && pool_of(1, K_NOV + 120).pool == 0 &&
		   unsettled(K_NOV, K_NOV + 121) == 120 * FEE1 && bal(S) == 120 * FEE1,
	   "120 months: 120 pools of one fee, ending 2036-11-01 (%" PRIu64 ")", sub_period_start(0, K_NOV + 120));
}

static void test_cancel(void)
{
	contract_result r;
	uint8_t topics[2][32];
	reset_chain(0, T_NOV + 5 * 86400);
	u256 f1 = u256_from_u64(FEE1);
	must(create_category(&r, F, "Fiction", 7, &f1), &r, "category 1");
	must(subscribe(&r, R1, 1, 5, 5 * FEE1), &r, "subscribe 5");
	must(subscribe(&r, R2, 1, 1, FEE1), &r, "subscribe 1");

	ok(cancel(&r, R1, 1) == 0 && returned_nothing(&r), "a member of [682, 687) cancels in 682");
	topic_u64(topics[0], 1);
	abi_address_word(topics[1], R1);
	abi_value d[2] = {abi_u64(K_NOV + 1), abi_u64(4 * FEE1)};
	ok(chain.nlog == 1 && log_is(0, "Cancelled(uint256,address,uint256,uint256)", (const uint8_t(*)[32])topics, 2, d, 2),
	   "... logging Cancelled(1, reader, 683, 4000)");
	ok(bal(R1) == 1000000 - FEE1 && bal(S) == 2 * FEE1 && membership_is(1, R1, K_NOV, K_NOV + 1, T_DEC) &&
		   pool_of(1, K_NOV).pool == 2 * FEE1 && pool_of(1, K_NOV + 1).pool == 0 && pool_of(1, K_NOV + 4).pool == 0 &&
		   unsettled(K_NOV, K_NOV + 6) == bal(S),
	   "the 4 periods after the current one are refunded and leave their pools; 2026-11 is not");
	now = T_DEC - 1;
	ok(is_member(1, R1) == 1, "still a member at 2026-11-30 23:59:59");
	now = T_DEC;
	ok(is_member(1, R1) == 0 && is_member(1, R2) == 0, "no member at 2026-12-01 00:00:00 (nor the 1-month reader)");
	now = T_NOV + 6 * 86400;
	ok(cancel(&r, R1, 1) == 0 && refused_with(&r, "membership already ends with period 682"),
	   "cancel again: membership already ends with period 682");
	ok(cancel(&r, R2, 1) == 0 && refused_with(&r, "membership already ends with period 682"),
	   "a 1-month membership has nothing to cancel");
	ok(cancel(&r, R3, 1) == 0 && refused_with(&r, "not a member of category 1"), "never subscribed: not a member");
	ok(cancel(&r, R1, 2) == 0 && refused_with(&r, "not a member of category 2"), "no such category: not a member");
	ok(subscribe(&r, R1, 1, 2, 2 * FEE1) == 0 && returned_nothing(&r) &&
		   membership_is(1, R1, K_NOV, K_NOV + 3, T_FEB),
	   "subscribing again after a cancel in the same period extends from its end");
	now = T_FEB;
	ok(cancel(&r, R1, 1) == 0 && refused_with(&r, "not a member of category 1"), "after the span: not a member");
	ok(bal(S) == unsettled(K_NOV, K_NOV + 6) && bal(S) == 4 * FEE1,
	   "the contract holds the sum of the unsettled pools (4000)");
}

static void test_servers(void)
{
	contract_result r;
	uint8_t topics[2][32];
	reset_chain(0, T_NOV);
	ok(server_owner_is(SV1, NULL), "serverOwner of an unknown key is zero");
	ok(set_server(&r, A1, SV1, true) == 0 && returned_nothing(&r) && server_owner_is(SV1, A1),
	   "setServer(key, true): the caller owns its receipts");
	abi_address_word(topics[0], SV1);
	abi_address_word(topics[1], A1);
	abi_value d = abi_bool(true);
	ok(chain.nlog == 1 && log_is(0, "ServerSet(address,address,bool)", (const uint8_t(*)[32])topics, 2, &d, 1),
	   "... logging ServerSet(key, owner, true)");
	ok(set_server(&r, X, SV1, true) == 0 && refused_with(&r, "server belongs to another account"),
	   "server belongs to another account");
	ok(set_server(&r, A1, SV1, true) == 0 && refused_with(&r, "server is already yours"), "server is already yours");
	ok(set_server(&r, X, SV1, false) == 0 && refused_with(&r, "not your server"), "off by another: not your server");
	ok(set_server(&r, X, SV2, false) == 0 && refused_with(&r, "not your server"), "off of a key nobody owns");
	ok(set_server(&r, A1, SV1, false) == 0 && returned_nothing(&r) && server_owner_is(SV1, NULL),
	   "off by its owner: nobody owns it");
	d = abi_bool(false);
	ok(log_is(0, "ServerSet(address,address,bool)", (const uint8_t(*)[32])topics, 2, &d, 1) && chain.nslot == 0,
	   "... logging ServerSet(key, owner, false), its record gone");
	ok(set_server(&r, X, SV1, true) == 0 && returned_nothing(&r) && server_owner_is(SV1, X),
	   "then another account may take it");
}

/* booksRead(1, k, off, lim) is books[0..n) with pages[0..n). */
static bool books_read_are(uint64_t k, uint64_t off, uint64_t lim, const uint8_t (*books)[32], const uint64_t *pages,
			   size_t n)
{
	abi_value args[4] = {abi_u64(1), abi_u64(k), abi_u64(off), abi_u64(lim)}, v[2];
	bool same;
	if (view(v, 2, "booksRead(uint256,uint256,uint256,uint256)", "bytes32[],uint256[]", args, 4) < 0)
		return false;
	same = v[0].n == n && v[1].n == n;
	for (size_t i = 0; same && i < n; i++)
		same = !memcmp(v[0].items[i].fixed, books[i], 32) && v[1].items[i].u.w[0] == pages[i];
	abi_free(v, 2);
	return same;
}

static int can_read(const uint8_t reader[20], const char *title)
{
	uint8_t rid[32];
	abi_value args[2], v[1];
	int yes;
	root_id_of(rid, title);
	args[0] = abi_address(reader);
	args[1] = abi_fixed_bytes(rid, 32);
	if (view_of(MARKET_ADDRESS, v, 1, "canRead(address,bytes32)", "bool", args, 2) < 0)
		return -1;
	yes = v[0].b;
	abi_free(v, 1);
	return yes;
}

static bool page_access_is(const uint8_t reader[20], const char *title, const uint8_t *book, uint64_t cat, uint64_t k,
			   uint64_t until)
{
	static const uint8_t zero[32];
	uint8_t rid[32];
	abi_value args[2], v[4];
	bool same;
	root_id_of(rid, title);
	args[0] = abi_address(reader);
	args[1] = abi_fixed_bytes(rid, 32);
	if (view(v, 4, "pageAccess(address,bytes32)", "bytes32,uint256,uint256,uint256", args, 2) < 0)
		return false;
	same = !memcmp(v[0].fixed, book ? book : zero, 32) && v[1].u.w[0] == cat && v[2].u.w[0] == k &&
	       v[3].u.w[0] == until;
	abi_free(v, 4);
	return same;
}

static uint64_t pg[1500];

/* Pages, the cap, receipts and their forgeries, in 2026-11. */
static void test_record(void)
{
	contract_result r;
	uint8_t topics[3][32], sig[65];
	size_t n;
	reset_chain(0, T_NOV + 10 * 86400);
	setup_market();
	contract_result rr;
	must(set_server(&rr, A1, SV1, true), &rr, "SV1"); /* the author of B1 */
	must(set_server(&rr, X, SV3, true), &rr, "SV3");  /* a buyer of B2 */
	must(set_server(&rr, Y, SV2, true), &rr, "SV2");  /* an account holding nothing */
	must(subscribe(&rr, R1, 1, 3, 3 * FEE1), &rr, "R1");
	must(subscribe(&rr, R2, 1, 1, FEE1), &rr, "R2");
	must(subscribe(&rr, R3, 2, 2, 2 * FEE2), &rr, "R3");

	n = span(pg, 1, 3);
	ok(recorded(R1, privSV1, B1, K_NOV, pg, n) == 3, "a member records pages 1-3 served by the author's key: 3 count");
	memcpy(topics[0], B1, 32);
	abi_address_word(topics[1], R1);
	topic_u64(topics[2], K_NOV);
	abi_value d[2] = {abi_u64(3), abi_u64(3)};
	ok(chain.nlog == 1 &&
		   log_is(0, "PagesRecorded(bytes32,address,uint256,uint256,uint256)", (const uint8_t(*)[32])topics, 3, d, 2),
	   "... logging PagesRecorded(book, reader, 682, 3, 3)");
	ok(reader_pages_are(R1, B1, K_NOV, 3, 3) && page_recorded_u(R1, B1, K_NOV, 2) == 1 &&
		   page_recorded_u(R1, B1, K_NOV, 4) == 0 && page_recorded_u(R1, B1, K_NOV, 0) == 0 &&
		   page_recorded_u(R1, B1, K_NOV + 1, 2) == 0 && page_recorded_u(R2, B1, K_NOV, 2) == 0,
	   "readerPages (3, 3); pageRecorded for pages 2 (yes), 4, 0, another period, another reader (no)");
	size_t nput = chain.nput;
	ok(recorded(R1, privSV1, B1, K_NOV, pg, n) == 0 && chain.nput == nput && reader_pages_are(R1, B1, K_NOV, 3, 3),
	   "the same pages again count 0 and write nothing (idempotent)");
	abi_value d0[2] = {abi_u64(0), abi_u64(0)};
	ok(log_is(0, "PagesRecorded(bytes32,address,uint256,uint256,uint256)", (const uint8_t(*)[32])topics, 3, d0, 2),
	   "... logging PagesRecorded(book, reader, 682, 0, 0)");
	uint64_t some[] = {5, 3, 4, 4, 5};
	ok(recorded(R1, privSV1, B1, K_NOV, some, 5) == 2 && reader_pages_are(R1, B1, K_NOV, 5, 5),
	   "pages 5, 3, 4, 4, 5: 4 and 5 are new (a page repeated in one call counts once)");

	/* The cap: 1,500 pages of one book count 1,000. */
	n = span(pg, 6, 1005);
	ok(recorded(R1, privSV1, B1, K_NOV, pg, n) == 995, "1,000 more pages (6-1005): 995 count, up to the cap");
	n = span(pg, 1006, 1500);
	ok(recorded(R1, privSV1, B1, K_NOV, pg, n) == 0 && reader_pages_are(R1, B1, K_NOV, 1000, 1500) &&
		   page_recorded_u(R1, B1, K_NOV, 1500) == 1 && page_recorded_u(R1, B1, K_NOV, 1501) == 0,
	   "495 more (1006-1500) are recorded and count 0: readerPages (1000, 1500)");
	abi_value dc[2] = {abi_u64(495), abi_u64(0)};
	ok(log_is(0, "PagesRecorded(bytes32,address,uint256,uint256,uint256)", (const uint8_t(*)[32])topics, 3, dc, 2),
	   "... logging PagesRecorded(book, reader, 682, 495, 0)");
	n = span(pg, 1, 10);
	ok(recorded(R2, privSV1, B1, K_NOV, pg, n) == 10 && reader_pages_are(R2, B1, K_NOV, 10, 10),
	   "another reader's pages of the same book still count (10)");
	n = span(pg, 1, 7);
	ok(recorded(R2, privSV3, B2, K_NOV, pg, n) == 7, "a buyer's serving key serves the other book: 7");
	pool_view p = pool_of(1, K_NOV);
	uint8_t both[2][32];
	memcpy(both[0], B1, 32);
	memcpy(both[1], B2, 32);
	uint64_t counts[2] = {1010, 7};
	ok(p.pool == 2 * FEE1 && p.pages == 1017 && p.books == 2 && !p.settled,
	   "pool(1, 682): 2000 Photons, 1017 counted pages, 2 books, not settled");
	ok(books_read_are(K_NOV, 0, 10, (const uint8_t(*)[32])both, counts, 2) &&
		   books_read_are(K_NOV, 1, 1, (const uint8_t(*)[32])both + 1, counts + 1, 1) &&
		   books_read_are(K_NOV, 2, 10, NULL, NULL, 0) && books_read_are(K_NOV, 0, 0, NULL, NULL, 0) &&
		   books_read_are(K_NOV + 1, 0, 10, NULL, NULL, 0),
	   "booksRead: in the order first read, by offset and limit; none past the end or in another period");
	abi_value args[4] = {abi_u64(1), abi_u64(K_NOV), abi_u64(0), abi_u64(1001)};
	contract_env e = env_for(S, Y);
	buf cd = BUF_INIT;
	if (abi_encode_call(&cd, "booksRead(uint256,uint256,uint256,uint256)", args, 4) < 0)
		diag_die(LST_EFAIL, "encode");
	ok(call_env(&r, &e, cd.p, cd.len) == 0 && refused_with(&r, "limit is at most 1000"),
	   "booksRead with a limit of 1001: limit is at most 1000");
	buf_free(&cd);

	/* Refusals, in the order of subscription.h; each changes nothing. */
	u256 k = u256_from_u64(K_NOV), kbig = u128_top();
	char why[160], who[ADDR_STR];
	n = span(pg, 20, 22);
	ok(record(&r, R1, privSV1, B4, K_NOV, pg, n) == 0 && refused_with(&r, "book is not enrolled"),
	   "a book not enrolled: book is not enrolled");
	ok(record(&r, R1, privSV1, B1, K_NOV + 1, pg, n) == 0 && refused_with(&r, "period 683 cannot be recorded now"),
	   "the next period: period 683 cannot be recorded now");
	ok(record(&r, R1, privSV1, B1, K_NOV - 2, pg, n) == 0 && refused_with(&r, "period 680 cannot be recorded now"),
	   "two periods back: cannot be recorded now");
	receipt_for(sig, privSV1, CHAIN_ID, R1, B1, K_NOV, pg, n);
	ok(record_with(&r, R1, B1, &kbig, pg, n, sig, 65) == 0 &&
		   refused_with(&r, "period 340282366920938463463374607431768211456 cannot be recorded now"),
	   "period 2^128: cannot be recorded now");
	ok(record(&r, X, privSV1, B1, K_NOV, pg, n) == 0 && refused_with(&r, "not a member of category 1 in period 682"),
	   "a non-member: not a member of category 1 in period 682");
	ok(record(&r, R3, privSV1, B1, K_NOV, pg, n) == 0 && refused_with(&r, "not a member of category 1 in period 682"),
	   "a member of another category: not a member of category 1");
	ok(record(&r, R1, privSV1, B1, K_NOV, pg, 0) == 0 && refused_with(&r, "1 to 1000 pages per call"), "no pages");
	n = span(pg, 1, 1001);
	ok(record(&r, R1, privSV1, B1, K_NOV, pg, n) == 0 && refused_with(&r, "1 to 1000 pages per call"), "1001 pages");
	uint64_t zero_page[] = {3, 0}, far_page[] = {4294967296ull}, last_page[] = {4294967295ull};
	ok(record(&r, R1, privSV1, B1, K_NOV, zero_page, 2) == 0 && refused_with(&r, "page 0 does not exist"),
	   "page 0 does not exist");
	ok(record(&r, R1, privSV1, B1, K_NOV, far_page, 1) == 0 && refused_with(&r, "page 4294967296 does not exist"),
	   "page 2^32 does not exist");
	n = span(pg, 20, 22);
	ok(record_with(&r, R1, B1, &k, pg, n, sig, 64) == 0 && refused_with(&r, "bad receipt"), "a receipt of 64 bytes");
	uint8_t junk[65] = {0};
	ok(record_with(&r, R1, B1, &k, pg, n, junk, 65) == 0 && refused_with(&r, "bad receipt"), "a receipt of zeros");

	/* Forged receipts. */
	uint64_t other[] = {20, 21, 23};
	receipt_for(sig, privSV1, CHAIN_ID, R1, B1, K_NOV, other, 3);
	ok(record_with(&r, R1, B1, &k, pg, n, sig, 65) == 0 &&
		   refused_like(&r, "receipt signer 0x", " is not a registered server"),
	   "a receipt for other pages: its signer is no registered server");
	receipt_for(sig, privSV1, CHAIN_ID, R1, B1, K_NOV - 1, pg, n);
	ok(record_with(&r, R1, B1, &k, pg, n, sig, 65) == 0 &&
		   refused_like(&r, "receipt signer 0x", " is not a registered server"),
	   "a receipt for another period: refused");
	receipt_for(sig, privSV1, CHAIN_ID + 1, R1, B1, K_NOV, pg, n);
	ok(record_with(&r, R1, B1, &k, pg, n, sig, 65) == 0 &&
		   refused_like(&r, "receipt signer 0x", " is not a registered server"),
	   "a receipt for another chain id: refused");
	receipt_for(sig, privSV1, CHAIN_ID, R2, B1, K_NOV, pg, n);
	ok(record_with(&r, R1, B1, &k, pg, n, sig, 65) == 0 &&
		   refused_like(&r, "receipt signer 0x", " is not a registered server"),
	   "another reader's receipt: refused");
	receipt_for(sig, privSV1, CHAIN_ID, R1, B2, K_NOV, pg, n);
	ok(record_with(&r, R1, B1, &k, pg, n, sig, 65) == 0 &&
		   refused_like(&r, "receipt signer 0x", " is not a registered server"),
	   "a receipt for another book: refused");
	addr_to_str(who, R1);
	snprintf(why, sizeof(why), "receipt signer %s is not a registered server", who);
	ok(record(&r, R1, privR1, B1, K_NOV, pg, n) == 0 && refused_with(&r, why),
	   "signed by the reader's own key: %s", why);
	must(set_server(&rr, R1, R1, true), &rr, "R1 as a server");
	ok(record(&r, R1, privR1, B1, K_NOV, pg, n) == 0 && refused_with(&r, "a reader cannot serve themselves"),
	   "the reader's own key registered as a server: a reader cannot serve themselves");
	must(set_server(&rr, R1, SV4, true), &rr, "R1's second key");
	ok(record(&r, R1, privSV4, B1, K_NOV, pg, n) == 0 && refused_with(&r, "a reader cannot serve themselves"),
	   "a server key the reader owns: a reader cannot serve themselves");
	addr_to_str(who, Y);
	snprintf(why, sizeof(why), "server's owner %s cannot hold the book", who);
	ok(record(&r, R1, privSV2, B1, K_NOV, pg, n) == 0 && refused_with(&r, why),
	   "a server registered by an account without the book: %s", why);
	addr_to_str(who, A1);
	snprintf(why, sizeof(why), "server's owner %s cannot hold the book", who);
	ok(record(&r, R2, privSV1, B2, K_NOV, pg, n) == 0 && refused_with(&r, why),
	   "the author of one book serving another: server's owner cannot hold the book");
	ok(recorded(R1, privSV1, B1, K_NOV, last_page, 1) == 0 && reader_pages_are(R1, B1, K_NOV, 1000, 1501) &&
		   page_recorded_u(R1, B1, K_NOV, 4294967295ull) == 1,
	   "page 2^32 - 1 exists (recorded past the cap)");
	p = pool_of(1, K_NOV);
	ok(p.pages == 1017 && p.books == 2 && reader_pages_are(R1, B1, K_NOV, 1000, 1501) &&
		   reader_pages_are(R2, B1, K_NOV, 10, 10),
	   "after the refusals the counts are as they were");

	/* The market's gate: members of the book's category read its blocks. */
	ok(can_read(R1, "One") == 1 && can_read(R2, "Two") == 1 && can_read(R3, "Three") == 1,
	   "canRead: members of the category read its books");
	ok(can_read(R3, "One") == 0 && can_read(Y, "One") == 0 && can_read(R1, "Four") == 0 && can_read(R1, "None") == 0,
	   "canRead: not a member of another category's book, a stranger, a book not enrolled, no book");
	ok(can_read(A1, "One") == 1 && can_read(X, "Two") == 1 && can_read(A2, "One") == 0,
	   "canRead: the author and a buyer still; another author not");
	ok(page_access_is(R1, "One", B1, 1, K_NOV, T_FEB) && page_access_is(R3, "One", B1, 1, K_NOV, 0) &&
		   page_access_is(R1, "Four", B4, 0, K_NOV, 0) && page_access_is(R1, "None", NULL, 0, K_NOV, 0),
	   "pageAccess: book, category, period, and the member's end (2027-02-01), else 0");

	/* 2026-12: the one-month reader's membership has ended; 2026-11 may still be recorded. */
	now = T_DEC;
	ok(is_member(1, R2) == 0 && can_read(R2, "One") == 0 && page_access_is(R2, "One", B1, 1, K_NOV + 1, 0),
	   "at 2026-12-01 00:00:00 the one-month reader is no member and cannot read");
	n = span(pg, 11, 12);
	ok(recorded(R2, privSV1, B1, K_NOV, pg, n) == 2, "... but records what it read in 2026-11, the period before");
	ok(record(&r, R2, privSV1, B1, K_NOV + 1, pg, n) == 0 &&
		   refused_with(&r, "not a member of category 1 in period 683"),
	   "and nothing in 2026-12: not a member of category 1 in period 683");
	must(subscribe(&rr, R2, 1, 1, FEE1), &rr, "R2 again");
	ok(membership_is(1, R2, K_NOV + 1, K_NOV + 2, T_JAN) && recorded(R2, privSV1, B1, K_NOV, pg + 1, 1) == 0 &&
		   recorded(R2, privSV1, B1, K_NOV, (uint64_t[]){13}, 1) == 1 &&
		   recorded(R2, privSV1, B1, K_NOV + 1, pg, n) == 2,
	   "subscribed afresh for 2026-12: both its last span (2026-11) and the new one record");
	ok(record(&r, R1, privSV1, B1, K_NOV - 1, pg, n) == 0 && refused_with(&r, "period 681 cannot be recorded now"),
	   "2026-10 cannot be recorded now");
	ok(bal(S) == unsettled(K_NOV - 1, K_NOV + 4), "the contract holds the sum of the unsettled pools (%" PRIu64 ")",
	   bal(S));
}

/* Settling 2026-11 of the chain test_record left. */
static void test_settle(void)
{
	contract_result r;
	uint8_t topics[3][32];
	char why[160];
	now = T_DEC - 1;
	snprintf(why, sizeof(why), "period %u has not ended (ends at %u)", K_NOV, T_DEC);
	ok(settle(&r, X, 1, K_NOV) == 0 && refused_with(&r, why), "one second before its end: %s", why);
	snprintf(why, sizeof(why), "period %u has not ended (ends at %u)", K_NOV + 1, T_JAN);
	now = T_DEC;
	ok(settle(&r, X, 1, K_NOV + 1) == 0 && refused_with(&r, why), "the current period: %s", why);
	ok(settle(&r, X, 3, K_NOV) == 0 && refused_with(&r, "no such category"), "no such category");

	pool_view p = pool_of(1, K_NOV);
	uint64_t pages[2] = {1013, 7}; /* B1: R1's 1000 and R2's 13; B2: R2's 7 */
	u256 pool = u256_from_u64(p.pool), pay[2], fee, rem;
	uint64_t a1 = bal(A1), a2 = bal(A2), f = bal(F), s = bal(S), x = bal(X);
	ok(p.pages == 1020 && p.books == 2 && settle_split(pay, &fee, &rem, &pool, FEE_BPS, pages, 2) == 0,
	   "2026-11 of category 1: 2000 Photons over 1013 + 7 counted pages");
	ok(settle(&r, X, 1, K_NOV) == 0 && returned_nothing(&r), "anyone settles it once it has ended");
	ok(bal(A1) == a1 + pay[0].w[0] && bal(A2) == a2 + pay[1].w[0] && bal(F) == f + fee.w[0] + rem.w[0] &&
		   bal(S) == s - p.pool && bal(X) == x && pay[0].w[0] + pay[1].w[0] + fee.w[0] + rem.w[0] == p.pool,
	   "each author is paid settle_split's amount (%" PRIu64 ", %" PRIu64 "), the foundation fee %" PRIu64
	   " + remainder %" PRIu64 ": the pool exactly",
	   pay[0].w[0], pay[1].w[0], fee.w[0], rem.w[0]);
	bool logs = chain.nlog == 3;
	for (int i = 0; i < 2; i++) {
		memcpy(topics[0], i ? B2 : B1, 32);
		abi_address_word(topics[1], i ? A2 : A1);
		topic_u64(topics[2], K_NOV);
		abi_value d[3] = {abi_u64(1), abi_u64(pages[i]), abi_u256(&pay[i])};
		logs = logs && log_is((size_t)i, "Payout(bytes32,address,uint256,uint256,uint256,uint256)",
				      (const uint8_t(*)[32])topics, 3, d, 3);
	}
	topic_u64(topics[0], 1);
	topic_u64(topics[1], K_NOV);
	abi_value ds[4] = {abi_u256(&pool), abi_u256(&fee), abi_u256(&rem), abi_u64(2)};
	logs = logs && log_is(2, "Settled(uint256,uint256,uint256,uint256,uint256,uint256)", (const uint8_t(*)[32])topics,
			      2, ds, 4);
	ok(logs, "... logging Payout per book read (first read first), then Settled(1, 682, pool, fee, remainder, 2)");
	abi_value args[2] = {abi_u64(1), abi_u64(K_NOV)}, v[5];
	ok(view(v, 5, "settlement(uint256,uint256)", "bool,uint256,uint256,uint256,uint256", args, 2) == 0 && v[0].b &&
		   !u256_cmp(&v[1].u, &fee) && !u256_cmp(&v[2].u, &rem) && v[3].u.w[0] == pay[0].w[0] + pay[1].w[0] &&
		   v[4].u.w[0] == height && pool_of(1, K_NOV).settled,
	   "settlement(1, 682): settled, fee, remainder, paid, height; pool(1, 682) says settled");
	abi_free(v, 5);
	snprintf(why, sizeof(why), "period %u is already settled", K_NOV);
	ok(settle(&r, Y, 1, K_NOV) == 0 && refused_with(&r, why), "settle twice: %s", why);
	{
		uint64_t late[] = {30};
		snprintf(why, sizeof(why), "period %u is settled", K_NOV);
		ok(record(&r, R1, privSV1, B1, K_NOV, late, 1) == 0 && refused_with(&r, why),
		   "recording 2026-11 after its settlement: %s", why);
	}
	ok(bal(S) == unsettled(K_NOV - 1, K_NOV + 4), "the contract holds the sum of the unsettled pools (%" PRIu64 ")",
	   bal(S));

	/* Category 2's member read nothing: the foundation gets the pool. */
	f = bal(F);
	s = bal(S);
	a1 = bal(A1);
	ok(settle(&r, X, 2, K_NOV) == 0 && returned_nothing(&r) && bal(F) == f + FEE2 && bal(S) == s - FEE2 &&
		   bal(A1) == a1,
	   "a period with no page read pays its whole pool (777) to the foundation");
	u256 p2 = u256_from_u64(FEE2), fee2 = u256_from_u64(FEE2 * FEE_BPS / 10000),
	     rem2 = u256_from_u64(FEE2 - FEE2 * FEE_BPS / 10000);
	topic_u64(topics[0], 2);
	abi_value d2[4] = {abi_u256(&p2), abi_u256(&fee2), abi_u256(&rem2), abi_u64(0)};
	ok(chain.nlog == 1 && log_is(0, "Settled(uint256,uint256,uint256,uint256,uint256,uint256)",
				     (const uint8_t(*)[32])topics, 2, d2, 4),
	   "... no Payout, Settled(2, 682, 777, 38, 739, 0)");
	ok(settle(&r, X, 1, K_NOV - 5) == 0 && returned_nothing(&r) && chain.nlog == 1 && pool_of(1, K_NOV - 5).settled,
	   "a past period nobody paid for settles to nothing");

	/* 2027-01: R1 cancels in 2026-12 and reads to its end. */
	now = T_DEC + 86400;
	uint64_t r1 = bal(R1);
	ok(cancel(&r, R1, 1) == 0 && returned_nothing(&r) && bal(R1) == r1 + FEE1 &&
		   membership_is(1, R1, K_NOV, K_NOV + 2, T_JAN),
	   "R1 cancels in 2026-12: 2027-01 refunded");
	uint64_t more[] = {1, 2};
	ok(recorded(R1, privSV1, B1, K_NOV + 1, more, 2) == 2, "... and reads in 2026-12");
	now = T_JAN - 1;
	ok(is_member(1, R1) == 1 && can_read(R1, "One") == 1, "a member until 2026-12-31 23:59:59");
	now = T_JAN;
	ok(is_member(1, R1) == 0 && can_read(R1, "One") == 0, "not at 2027-01-01 00:00:00");
	ok(recorded(R1, privSV1, B1, K_NOV + 1, (uint64_t[]){3}, 1) == 1, "2026-12 is still recorded in 2027-01");
	p = pool_of(1, K_NOV + 1);
	a1 = bal(A1), f = bal(F);
	ok(settle(&r, X, 1, K_NOV + 1) == 0 && returned_nothing(&r) && p.pages == 5 && p.books == 1 &&
		   bal(A1) + bal(F) == a1 + f + p.pool && bal(A1) == a1 + (p.pool - p.pool * FEE_BPS / 10000),
	   "2026-12 settles: one book read, its author gets the pool less the fee");
	ok(bal(S) == unsettled(K_NOV - 1, K_NOV + 4) && bal(S) == FEE2,
	   "the contract holds only category 2's unsettled 2026-12 (%" PRIu64 ")", bal(S));
}

/* Periods of 20 seconds, a test network's month. */
static void test_seconds(void)
{
	contract_result r;
	abi_value v[4], arg;
	reset_chain(20, 1005);
	setup_market();
	ok(view(v, 4, "period()", "uint256,uint256,uint256,uint256", NULL, 0) == 0 && v[0].u.w[0] == 50 &&
		   v[1].u.w[0] == 1000 && v[2].u.w[0] == 1020 && v[3].u.w[0] == 20,
	   "period(): 50, from 1000 to 1020, length 20");
	abi_free(v, 4);
	arg = abi_u64(1039);
	ok(view(v, 1, "periodOf(uint256)", "uint256", &arg, 1) == 0 && v[0].u.w[0] == 51, "periodOf(1039) is 51");
	abi_free(v, 1);
	arg = abi_u64(51);
	ok(view(v, 1, "periodStart(uint256)", "uint256", &arg, 1) == 0 && v[0].u.w[0] == 1020, "periodStart(51) is 1020");
	abi_free(v, 1);
	u256 huge = u128_top();
	arg = abi_u256(&huge);
	contract_env e = env_for(S, Y);
	buf cd = BUF_INIT;
	if (abi_encode_call(&cd, "periodStart(uint256)", &arg, 1) < 0)
		diag_die(LST_EFAIL, "encode");
	ok(call_env(&r, &e, cd.p, cd.len) == 0 && refused_with(&r, "period too large"), "periodStart(2^128): too large");
	buf_reset(&cd);
	if (abi_encode_call(&cd, "periodOf(uint256)", &arg, 1) < 0)
		diag_die(LST_EFAIL, "encode");
	ok(call_env(&r, &e, cd.p, cd.len) == 0 && refused_with(&r, "time too large"), "periodOf(2^128): too large");
	buf_free(&cd);

	ok(subscribe(&r, R1, 1, 2, 2 * FEE1) == 0 && returned_nothing(&r) && membership_is(1, R1, 50, 52, 1040),
	   "2 periods of 20 seconds: [50, 52), ending at 1040");
	must(set_server(&r, A1, SV1, true), &r, "SV1");
	ok(recorded(R1, privSV1, B1, 50, (uint64_t[]){1, 2}, 2) == 2, "pages recorded in period 50");
	now = 1039;
	ok(is_member(1, R1) == 1, "a member at 1039");
	now = 1040;
	ok(is_member(1, R1) == 0, "not at 1040");
	now = 1019;
	ok(settle(&r, X, 1, 50) == 0 && refused_with(&r, "period 50 has not ended (ends at 1020)"),
	   "period 50 has not ended (ends at 1020)");
	now = 1020;
	uint64_t a1 = bal(A1), f = bal(F);
	ok(settle(&r, X, 1, 50) == 0 && returned_nothing(&r) && bal(A1) == a1 + 950 && bal(F) == f + 50,
	   "at 1020 it settles: 950 to the author, 50 to the foundation");
	ok(bal(S) == FEE1 && pool_of(1, 51).pool == FEE1, "period 51's fee stays in the contract");
}

/* A state that fails is never a revert. */
static void test_failures(void)
{
	contract_result r;
	reset_chain(0, T_NOV);
	setup_market();
	chain.fail = true;
	int bad = 0;
	bad += subscribe(&r, R1, 1, 1, 0) != -1;
	done(&r);
	bad += cancel(&r, R1, 1) != -1;
	done(&r);
	bad += settle(&r, X, 1, 0) != -1;
	done(&r);
	bad += enroll(&r, A2, B4, 1) != -1;
	done(&r);
	abi_value args[2] = {abi_u64(1), abi_address(R1)}, v[1];
	bad += view(v, 1, "isMember(uint256,address)", "bool", args, 2) != -1;
	chain.fail = false;
	ok(!bad, "a failing state makes subscribe, cancel, settle, enroll and isMember return -1, not revert");
	chain.fail = false;
	bool member = false;
	contract_env e = env_for(MARKET_ADDRESS, R1);
	chain.fail = true;
	ok(subscription_member_of_book(&e, &member, B1, R1) < 0, "subscription_member_of_book: -1 when the state fails");
	chain.fail = false;
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	for (int i = 0; i < 32; i++) {
		privF[i] = (uint8_t)(0x40 + i), privR1[i] = (uint8_t)(0x21 + i), privSV1[i] = (uint8_t)(0x61 + i);
		privSV2[i] = (uint8_t)(0x81 + i), privSV3[i] = (uint8_t)(0x91 + i), privSV4[i] = (uint8_t)(0x31 + i);
	}
	if (secp_address_from_priv(F, privF) < 0 || secp_address_from_priv(R1, privR1) < 0 ||
	    secp_address_from_priv(SV1, privSV1) < 0 || secp_address_from_priv(SV2, privSV2) < 0 ||
	    secp_address_from_priv(SV3, privSV3) < 0 || secp_address_from_priv(SV4, privSV4) < 0)
		diag_die(LST_EFAIL, "keys");
	memset(A1, 0xa1, 20);
	memset(A2, 0xa2, 20);
	memset(R2, 0xb2, 20);
	memset(R3, 0xb3, 20);
	memset(X, 0xcc, 20);
	memset(Y, 0xdd, 20);

	test_registry();
	test_periods();
	test_receipts();
	test_abi_json();
	test_categories();
	test_enroll();
	test_subscribe();
	test_cancel();
	test_servers();
	test_record();
	test_settle();
	test_seconds();
	test_failures();
	return unit_done();
}
