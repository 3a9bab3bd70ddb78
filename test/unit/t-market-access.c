/*
 * The market contract against an in-memory chain, access proofs, and
 * access_check against a fake JSON-RPC node (libmicrohttpd on loopback).
 */
#include "lst.h"
#include "unit.h"
#include "abi.h"
#include "access.h"
#include "buf.h"
#include "cid.h"
#include "contract.h"
#include "diag.h"
#include "fakeenv.h"
#include "hex.h"
#include "market.h"
#include "msg.h"
#include "secp.h"

#include <microhttpd.h>
#include <pthread.h>
#include <sodium.h>

static uint8_t A[20], B[20], C[20], D[20];
static uint8_t R1[32], R2[32], R3[32];
static fake_chain chain, saved;

static void reset_chain(void)
{
	memset(&chain, 0, sizeof(chain));
	fake_fund(&chain, A, 1000);
	fake_fund(&chain, B, 500);
	fake_fund(&chain, C, 5);
	fake_fund(&chain, D, 50);
}

static uint64_t bal(const uint8_t a[20])
{
	return fake_balance_u64(&chain, a);
}

static contract_env env_for(const uint8_t caller[20])
{
	return fake_env(&chain, MARKET_ADDRESS, caller, 42);
}

/*
 * Calls the market as the chain does: value moves from caller to the
 * market first. The state before is kept in `saved` for rollback().
 */
static int call_env(contract_result *r, contract_env *e, const uint8_t *cd, size_t len)
{
	const contract_def *c = contract_find(MARKET_ADDRESS);
	saved = chain;
	r->ok = false;
	r->ret = (buf)BUF_INIT;
	if (!u256_is_zero(&e->value) && fake_transfer(&chain, e->caller, MARKET_ADDRESS, &e->value))
		diag_die(LST_EFAIL, "the caller cannot pay the value");
	return c->call(r, e, cd, len);
}

/* What the chain does after a revert. */
static void rollback(void)
{
	chain = saved;
}

static int pay(contract_result *r, const uint8_t caller[20], uint64_t value, const char *sig,
	       const abi_value *args, size_t n)
{
	buf cd = BUF_INIT;
	contract_env e = env_for(caller);
	int rc;
	e.value = u256_from_u64(value);
	if (abi_encode_call(&cd, sig, args, n) < 0)
		diag_die(LST_EFAIL, "cannot encode %s", sig);
	rc = call_env(r, &e, cd.p, cd.len);
	buf_free(&cd);
	return rc;
}

static int call(contract_result *r, const uint8_t caller[20], const char *sig,
		const abi_value *args, size_t n)
{
	return pay(r, caller, 0, sig, args, n);
}

static void done(contract_result *r)
{
	buf_free(&r->ret);
}

static bool returned_nothing(contract_result *r)
{
	return r->ok && r->ret.len == 0;
}

static bool returned_word(contract_result *r, const uint8_t want[32])
{
	return r->ok && r->ret.len == 32 && !memcmp(r->ret.p, want, 32);
}

static bool returned_u64(contract_result *r, uint64_t v)
{
	uint8_t w[32];
	u256 u = u256_from_u64(v);
	u256_to_be32(w, &u);
	return returned_word(r, w);
}

static bool returned_addr(contract_result *r, const uint8_t a[20])
{
	uint8_t w[32];
	abi_address_word(w, a);
	return returned_word(r, w);
}

/* hasAccess(reader, root) as a view: 1, 0, or -1 when the call did not return a bool. */
static int has_access(const uint8_t reader[20], const uint8_t root[32])
{
	contract_result r;
	abi_value args[2] = {abi_address(reader), abi_fixed_bytes(root, 32)};
	static const uint8_t yes[32] = {[31] = 1}, no[32];
	int v = -1;
	if (call(&r, C, "hasAccess(address,bytes32)", args, 2) == 0)
		v = returned_word(&r, yes) ? 1 : returned_word(&r, no) ? 0 : -1;
	done(&r);
	return v;
}

static bool log_listed(size_t i, const uint8_t root[32], const uint8_t author[20], uint64_t price)
{
	uint8_t t[32], w[32], d[32];
	u256 p = u256_from_u64(price);
	const fake_logrec *l = fake_log_at(&chain, i);
	if (!l)
		return false;
	abi_event_topic(t, "Listed(bytes32,address,uint256)");
	abi_address_word(w, author);
	u256_to_be32(d, &p);
	return !memcmp(l->self, MARKET_ADDRESS, 20) && l->ntopics == 3 &&
	       !memcmp(l->topics[0], t, 32) && !memcmp(l->topics[1], root, 32) &&
	       !memcmp(l->topics[2], w, 32) && l->len == 32 && !memcmp(l->data, d, 32);
}

static bool log_bought(size_t i, const uint8_t root[32], const uint8_t buyer[20],
		       const uint8_t author[20], uint64_t price)
{
	uint8_t t[32], wb[32], wa[32], d[32];
	u256 p = u256_from_u64(price);
	const fake_logrec *l = fake_log_at(&chain, i);
	if (!l)
		return false;
	abi_event_topic(t, "Bought(bytes32,address,address,uint256)");
	abi_address_word(wb, buyer);
	abi_address_word(wa, author);
	u256_to_be32(d, &p);
	return !memcmp(l->self, MARKET_ADDRESS, 20) && l->ntopics == 4 &&
	       !memcmp(l->topics[0], t, 32) && !memcmp(l->topics[1], root, 32) &&
	       !memcmp(l->topics[2], wb, 32) && !memcmp(l->topics[3], wa, 32) && l->len == 32 &&
	       !memcmp(l->data, d, 32);
}

static const fake_slot *listing_slot(const uint8_t root[32])
{
	uint8_t key[MARKET_LISTING_KEY_SIZE];
	market_listing_key(key, root);
	return fake_find_slot(&chain, MARKET_ADDRESS, key, sizeof(key));
}

static const fake_slot *purchase_slot(const uint8_t root[32], const uint8_t buyer[20])
{
	uint8_t key[MARKET_PURCHASE_KEY_SIZE];
	market_purchase_key(key, root, buyer);
	return fake_find_slot(&chain, MARKET_ADDRESS, key, sizeof(key));
}

static int list(contract_result *r, const uint8_t caller[20], const uint8_t root[32], uint64_t price)
{
	abi_value args[2] = {abi_fixed_bytes(root, 32), abi_u64(price)};
	return call(r, caller, "list(bytes32,uint256)", args, 2);
}

static int buy(contract_result *r, const uint8_t caller[20], const uint8_t root[32], uint64_t value)
{
	abi_value arg = abi_fixed_bytes(root, 32);
	return pay(r, caller, value, "buy(bytes32)", &arg, 1);
}

/* ---- market ---- */

static void test_registry(void)
{
	const contract_def *c = contract_find(MARKET_ADDRESS);
	char s[43];
	ok(c == &market_contract && !strcmp(c->name, "market"), "contract_find finds the market");
	hex_encode(s, c ? c->address : MARKET_ADDRESS, 20);
	ok(!strcmp(s, "0x4c53540000000000000000000000000000000004"), "market address is %s", s);
	uint8_t key[MARKET_PURCHASE_KEY_SIZE], want[MARKET_PURCHASE_KEY_SIZE];
	market_listing_key(key, R1);
	ok(!memcmp(key, "list:", 5) && !memcmp(key + 5, R1, 32), "listing key is \"list:\" || root");
	market_purchase_key(key, R1, B);
	memcpy(want, "buy:", 4);
	memcpy(want + 4, R1, 32);
	memcpy(want + 36, B, 20);
	ok(!memcmp(key, want, sizeof(key)), "purchase key is \"buy:\" || root || buyer");
}

/* Every function in market.abi.json is dispatched with its stated mutability; the events match. */
static void test_abi_json(void)
{
	json_error_t err;
	json_t *abi = json_load_file("contracts/market.abi.json", 0, &err);
	size_t i, nfn = 0, nev = 0, bad = 0;
	json_t *e;
	if (!abi)
		diagf("contracts/market.abi.json: %s", err.text);
	json_array_foreach(abi, i, e) {
		const char *type = json_string_value(json_object_get(e, "type"));
		const char *name = json_string_value(json_object_get(e, "name"));
		buf sig = BUF_INIT;
		size_t k;
		json_t *in;
		buf_addf(&sig, "%s(", name);
		json_array_foreach(json_object_get(e, "inputs"), k, in)
			buf_addf(&sig, "%s%s", k ? "," : "",
				 json_string_value(json_object_get(in, "type")));
		buf_adds(&sig, ")");
		if (!strcmp(type, "event")) {
			nev++;
			bad += strcmp((char *)sig.p, "Listed(bytes32,address,uint256)") &&
			       strcmp((char *)sig.p, "Bought(bytes32,address,address,uint256)");
		} else {
			/* Zero arguments in a read-only call: views answer, the rest refuse to write. */
			contract_result r;
			uint8_t cd[4 + 64] = {0};
			contract_env env = env_for(A);
			const char *mut = json_string_value(json_object_get(e, "stateMutability"));
			char *why = NULL;
			size_t len = 4 + 32 * json_array_size(json_object_get(e, "inputs"));
			nfn++;
			abi_selector(cd, (char *)sig.p);
			env.readonly = true;
			if (call_env(&r, &env, cd, len) < 0) {
				bad++;
			} else if (!r.ok && abi_revert_reason(&why, r.ret.p, r.ret.len) < 0) {
				bad++;
			} else if (!strcmp(mut, "view") ? !r.ok && strcmp(why, "not listed")
							: !why || strcmp(why, "state change in a read-only call")) {
				diagf("%s (%s): %s", (char *)sig.p, mut, why ? why : "returned");
				bad++;
			}
			free(why);
			done(&r);
		}
		buf_free(&sig);
	}
	ok(abi && nfn == 5 && nev == 2 && !bad,
	   "market.abi.json: %zu functions dispatched, views read-only, %zu events", nfn, nev);
	json_decref(abi);
}

static void test_list(void)
{
	contract_result r;
	uint8_t zero[20] = {0};
	reset_chain();
	abi_value root = abi_fixed_bytes(R1, 32);
	ok(call(&r, A, "authorOf(bytes32)", &root, 1) == 0 && returned_addr(&r, zero),
	   "authorOf an unlisted root is the zero address");
	done(&r);
	ok(call(&r, A, "priceOf(bytes32)", &root, 1) == 0 && reverted_with(&r, "not listed"),
	   "priceOf an unlisted root reverts \"not listed\"");
	done(&r);

	ok(list(&r, A, R1, 100) == 0 && returned_nothing(&r), "list(R1, 100) by A returns nothing");
	done(&r);
	const fake_slot *s = listing_slot(R1);
	uint8_t rec[MARKET_LISTING_SIZE] = {0};
	memcpy(rec, A, 20);
	rec[51] = 100;
	ok(s && s->vlen == MARKET_LISTING_SIZE && !memcmp(s->val, rec, sizeof(rec)) &&
		   chain.nslot == 1,
	   "the listing is stored: author || price (32 bytes big-endian)");
	ok(chain.nlog == 1 && log_listed(0, R1, A, 100),
	   "Listed(R1, A, 100): root and author indexed, price in data");
	{
		char t0[67];
		hex_encode(t0, chain.logs[0].topics[0], 32);
		ok(!strcmp(t0, "0x7f1a2c3e2883554425dc0f9f24dcfcdf54213b186c550080373dcc65813aa8d0"),
		   "Listed topic 0 is %s", t0);
	}
	ok(call(&r, B, "authorOf(bytes32)", &root, 1) == 0 && returned_addr(&r, A), "authorOf(R1) is A");
	done(&r);
	ok(call(&r, B, "priceOf(bytes32)", &root, 1) == 0 && returned_u64(&r, 100), "priceOf(R1) is 100");
	done(&r);

	ok(list(&r, A, R1, 150) == 0 && returned_nothing(&r), "A lists R1 again at 150");
	done(&r);
	ok(call(&r, B, "priceOf(bytes32)", &root, 1) == 0 && returned_u64(&r, 150) &&
		   chain.nslot == 1 && chain.nlog == 2 && log_listed(1, R1, A, 150),
	   "... the price is 150, one listing, Listed(R1, A, 150) logged");
	done(&r);

	ok(list(&r, B, R1, 1) == 0 && reverted_with(&r, "listed by another author"),
	   "B listing R1 reverts \"listed by another author\"");
	done(&r);
	ok(chain.nlog == 2 && listing_slot(R1) && !memcmp(listing_slot(R1)->val, A, 20) &&
		   listing_slot(R1)->val[51] == 150,
	   "... and changes nothing");

	u256 big = u256_from_u64(0), max128, one = u256_from_u64(1);
	big.w[2] = 1; /* 2^128 */
	if (u256_sub(&max128, &big, &one) < 0)
		diag_die(LST_EFAIL, "u256_sub");
	abi_value args[2] = {abi_fixed_bytes(R3, 32), abi_u256(&big)};
	ok(call(&r, A, "list(bytes32,uint256)", args, 2) == 0 && reverted_with(&r, "price too large") &&
		   !listing_slot(R3),
	   "a price of 2^128 reverts \"price too large\"");
	done(&r);
	args[1] = abi_u256(&max128);
	ok(call(&r, A, "list(bytes32,uint256)", args, 2) == 0 && returned_nothing(&r) &&
		   listing_slot(R3),
	   "a price of 2^128 - 1 is listed");
	done(&r);

	contract_env env = env_for(A);
	buf cd = BUF_INIT;
	abi_value la[2] = {abi_fixed_bytes(R2, 32), abi_u64(1)};
	if (abi_encode_call(&cd, "list(bytes32,uint256)", la, 2) < 0)
		diag_die(LST_EFAIL, "encode");
	env.readonly = true;
	ok(call_env(&r, &env, cd.p, cd.len) == 0 &&
		   reverted_with(&r, "state change in a read-only call") && !listing_slot(R2),
	   "list in a read-only call reverts");
	done(&r);
	env.readonly = false;
	env.value = u256_from_u64(1);
	ok(call_env(&r, &env, cd.p, cd.len) == 0 &&
		   reverted_with(&r, "market does not accept LST sent with a call") && !listing_slot(R2),
	   "list with LST sent reverts (list is not payable)");
	done(&r);
	rollback();
	buf_free(&cd);
}

static void test_buy(void)
{
	contract_result r;
	reset_chain();
	ok(buy(&r, B, R1, 0) == 0 && reverted_with(&r, "not listed"), "buying an unlisted root reverts \"not listed\"");
	done(&r);
	ok(buy(&r, B, R1, 10) == 0 && reverted_with(&r, "not listed"), "... with LST sent as well");
	done(&r);
	rollback();
	ok(bal(B) == 500 && chain.nslot == 0 && chain.nlog == 0, "... and nothing moved");

	if (list(&r, A, R1, 100) < 0 || !r.ok)
		diag_die(LST_EFAIL, "list");
	done(&r);
	ok(has_access(A, R1) == 1 && has_access(B, R1) == 0 && has_access(C, R1) == 0,
	   "hasAccess before a purchase: the author yes, B and C no");

	ok(buy(&r, A, R1, 100) == 0 && reverted_with(&r, "the author cannot buy their own root"),
	   "the author buying reverts");
	done(&r);
	rollback();

	ok(buy(&r, B, R1, 99) == 0 && reverted_with(&r, "wrong amount"), "99 for a price of 100 reverts \"wrong amount\"");
	done(&r);
	ok(bal(A) == 1000 && chain.nlog == 1 && !purchase_slot(R1, B),
	   "... the market paid nobody, stored and logged nothing");
	rollback();
	ok(bal(B) == 500 && bal(MARKET_ADDRESS) == 0, "... and the chain's rollback gives B the 99 back");
	ok(buy(&r, B, R1, 101) == 0 && reverted_with(&r, "wrong amount"), "101 reverts \"wrong amount\"");
	done(&r);
	rollback();
	ok(buy(&r, B, R1, 0) == 0 && reverted_with(&r, "wrong amount"), "nothing sent reverts \"wrong amount\"");
	done(&r);
	rollback();
	ok(has_access(B, R1) == 0, "hasAccess(B, R1) still false");

	ok(buy(&r, B, R1, 100) == 0 && returned_nothing(&r), "B buys R1 for exactly 100");
	done(&r);
	ok(bal(A) == 1100 && bal(B) == 400 && bal(MARKET_ADDRESS) == 0,
	   "A is paid at once: A 1100, B 400, the market holds nothing");
	const fake_slot *s = purchase_slot(R1, B);
	uint8_t rec[MARKET_PURCHASE_SIZE] = {0};
	rec[7] = 42; /* the height */
	rec[8 + 31] = 100;
	ok(s && s->vlen == MARKET_PURCHASE_SIZE && !memcmp(s->val, rec, sizeof(rec)),
	   "the purchase is stored: height || price paid");
	ok(chain.nlog == 2 && log_bought(1, R1, B, A, 100),
	   "Bought(R1, B, A, 100): root, buyer and author indexed, price in data");
	{
		char t0[67];
		hex_encode(t0, chain.logs[1].topics[0], 32);
		ok(!strcmp(t0, "0x967c204ba2e1d0ce3cdf1c446b97c9265abdeec01dde2fd2d13cf5540e2c1b95"),
		   "Bought topic 0 is %s", t0);
	}
	ok(has_access(B, R1) == 1 && has_access(A, R1) == 1 && has_access(C, R1) == 0 &&
		   has_access(B, R2) == 0,
	   "hasAccess after: B and A yes, C no, B not for another root");

	ok(buy(&r, B, R1, 100) == 0 && reverted_with(&r, "already bought"), "buying twice reverts \"already bought\"");
	done(&r);
	ok(bal(A) == 1100 && chain.nlog == 2, "... the author is not paid twice");
	rollback();
	ok(bal(B) == 400, "... and B keeps the 100 after the rollback");

	/* A new price does not take access away. */
	if (list(&r, A, R1, 300) < 0 || !r.ok)
		diag_die(LST_EFAIL, "relist");
	done(&r);
	ok(has_access(B, R1) == 1, "a purchase survives a new price");

	/* Free roots: price 0, readers register with a buy of nothing. */
	if (list(&r, D, R2, 0) < 0 || !r.ok)
		diag_die(LST_EFAIL, "list free");
	done(&r);
	ok(has_access(C, R2) == 0, "a free root: no access before registering");
	ok(buy(&r, C, R2, 0) == 0 && returned_nothing(&r) && has_access(C, R2) == 1 && bal(D) == 50 &&
		   log_bought(chain.nlog - 1, R2, C, D, 0),
	   "buy of a free root with nothing sent registers C, logs Bought(R2, C, D, 0)");
	done(&r);
	ok(buy(&r, B, R2, 1) == 0 && reverted_with(&r, "wrong amount"), "sending 1 for a free root reverts");
	done(&r);
	rollback();

	/* Value to a view, read-only buy, malformed arguments. */
	contract_env env = env_for(B);
	buf cd = BUF_INIT;
	abi_value ha[2] = {abi_address(B), abi_fixed_bytes(R1, 32)};
	if (abi_encode_call(&cd, "hasAccess(address,bytes32)", ha, 2) < 0)
		diag_die(LST_EFAIL, "encode");
	env.value = u256_from_u64(1);
	ok(call_env(&r, &env, cd.p, cd.len) == 0 &&
		   reverted_with(&r, "market does not accept LST sent with a call"),
	   "hasAccess with LST sent reverts");
	done(&r);
	rollback();
	buf_reset(&cd);
	abi_value br = abi_fixed_bytes(R3, 32);
	if (list(&r, A, R3, 7) < 0 || !r.ok)
		diag_die(LST_EFAIL, "list R3");
	done(&r);
	if (abi_encode_call(&cd, "buy(bytes32)", &br, 1) < 0)
		diag_die(LST_EFAIL, "encode");
	env = env_for(B);
	env.value = u256_from_u64(7);
	env.readonly = true;
	ok(call_env(&r, &env, cd.p, cd.len) == 0 &&
		   reverted_with(&r, "state change in a read-only call") && !purchase_slot(R3, B) &&
		   bal(A) == 1100,
	   "buy in a read-only call reverts and pays nobody");
	done(&r);
	rollback();
	env.readonly = false;
	ok(call_env(&r, &env, cd.p, cd.len - 1) == 0 &&
		   reverted_with(&r, "invalid arguments for buy(bytes32)"),
	   "buy with truncated arguments reverts");
	done(&r);
	rollback();
	ok(bal(B) == 400 && !purchase_slot(R3, B), "... and B keeps its LST");
	buf_free(&cd);
}

/* Issue 6 appends fields to a listing: a relist keeps them; a short record is not ours. */
static void test_storage_forms(void)
{
	contract_result r;
	uint8_t key[MARKET_LISTING_KEY_SIZE], val[60];
	reset_chain();
	market_listing_key(key, R1);
	memset(val, 0, sizeof(val));
	memcpy(val, A, 20);
	val[51] = 9;
	memset(val + 52, 0xee, 8);
	if (fake_storage_put(&chain, MARKET_ADDRESS, key, sizeof(key), val, sizeof(val)) < 0)
		diag_die(LST_EFAIL, "put");
	ok(list(&r, A, R1, 10) == 0 && returned_nothing(&r) && listing_slot(R1)->vlen == 60 &&
		   listing_slot(R1)->val[51] == 10 && !memcmp(listing_slot(R1)->val + 52, val + 52, 8),
	   "a relist changes the price and keeps fields appended to the listing");
	done(&r);
	ok(buy(&r, B, R1, 10) == 0 && returned_nothing(&r) && bal(A) == 1010,
	   "a longer listing is bought as usual");
	done(&r);
	if (fake_storage_put(&chain, MARKET_ADDRESS, key, sizeof(key), val, 51) < 0)
		diag_die(LST_EFAIL, "put");
	ok(has_access(B, R1) == -1, "a listing shorter than 52 bytes fails the call (not a revert)");

	reset_chain();
	if (list(&r, A, R1, 10) < 0 || !r.ok)
		diag_die(LST_EFAIL, "list");
	done(&r);
	chain.fail = true;
	ok(list(&r, A, R1, 11) < 0, "a failing state makes list return -1");
	done(&r);
	ok(buy(&r, B, R1, 0) < 0, "... buy");
	done(&r);
	ok(has_access(B, R1) == -1, "... and hasAccess");
	chain.fail = false;
}

/* ---- access proofs ---- */

static uint8_t priv1[32], priv2[32];
static cid root1, root2, root0;

static void test_root_id(void)
{
	uint8_t id[32], want[32];
	root_id(id, &root1);
	crypto_hash_sha256(want, root1.bytes, root1.len);
	ok(!memcmp(id, want, 32), "root_id is the sha2-256 of the CID's binary form");
	root_id(id, &root0);
	crypto_hash_sha256(want, root0.bytes, root0.len);
	ok(root0.len == 34 && !memcmp(id, want, 32), "... of a CIDv0 too (its 34 bytes)");
}

/* s (four dot-separated parts) with part number `part` replaced by repl. */
static void replace_part(char out[ACCESS_STR_MAX * 2], const char *s, int part, const char *repl)
{
	const char *q = s;
	buf b = BUF_INIT;
	for (int i = 0; i < 4; i++) {
		const char *e = strchr(q, '.');
		size_t l = e ? (size_t)(e - q) : strlen(q);
		if (i)
			buf_addc(&b, '.');
		if (i == part)
			buf_adds(&b, repl);
		else
			buf_add(&b, q, l);
		q += l + (e ? 1 : 0);
	}
	snprintf(out, ACCESS_STR_MAX * 2, "%.*s", (int)b.len, (char *)b.p);
	buf_free(&b);
}

static bool refused(const char *s, uint64_t now, const char *want_reason)
{
	access_proof p;
	const char *why = NULL;
	if (access_proof_parse(&p, s) < 0)
		return !want_reason; /* refused at parsing */
	if (access_proof_verify(&p, now, &why) == 0)
		return false;
	if (want_reason && strcmp(why, want_reason)) {
		diagf("want \"%s\", got \"%s\"", want_reason, why);
		return false;
	}
	return true;
}

static void test_proofs(void)
{
	access_proof p, q;
	char s[ACCESS_STR_MAX], t[ACCESS_STR_MAX * 2], a[43], c[CID_STR_MAX], want[ACCESS_STR_MAX];
	uint8_t pub[65], addr1[20], addr2[20];
	const char *why = NULL;
	uint64_t exp = 1700003600, now = 1700000000;

	if (secp_address_from_priv(addr1, priv1) < 0 || secp_address_from_priv(addr2, priv2) < 0 ||
	    secp_pubkey(pub, priv1) < 0)
		diag_die(LST_EFAIL, "keys");
	ok(access_proof_make(&p, priv1, &root1, exp) == 0 && !memcmp(p.addr, addr1, 20) &&
		   cid_equal(&p.root, &root1) && p.expires == exp,
	   "access_proof_make fills address, root and expiry");
	access_proof_str(s, &p);
	hex_encode(a, addr1, 20);
	cid_str(c, &root1);
	snprintf(want, sizeof(want), "%s.%s.%llu.", a, c, (unsigned long long)exp);
	ok(!strncmp(s, want, strlen(want)) && strlen(s) == strlen(want) + 130,
	   "the header value is address.root.expires.signature");

	/* The signature is personal_sign over the documented text. */
	{
		char text[512];
		uint8_t digest[32], rpub[65];
		int n = snprintf(text, sizeof(text), "lst-access-v1\naddress: %s\nroot: %s\nexpires: %llu\n",
				 a, c, (unsigned long long)exp);
		msg_hash(digest, (const uint8_t *)text, (size_t)n);
		ok(msg_recover(rpub, p.sig, digest) == 0 && !memcmp(rpub, pub, 65),
		   "the signature recovers the key over the text of access.h");
	}

	ok(access_proof_parse(&q, s) == 0 && !memcmp(q.addr, p.addr, 20) && cid_equal(&q.root, &p.root) &&
		   q.expires == p.expires && !memcmp(q.sig, p.sig, 65),
	   "parse gives back every field");
	memset(q.pub, 0, 65);
	ok(access_proof_verify(&q, now, &why) == 0 && !memcmp(q.pub, pub, 65),
	   "verify accepts it and the recovered key is the signer's public key");
	ok(access_proof_verify(&q, exp, &why) == 0, "... up to the second it expires");
	ok(access_proof_verify(&q, exp - ACCESS_MAX_LIFETIME, &why) == 0,
	   "... and from ACCESS_MAX_LIFETIME before");
	ok(access_proof_verify(&q, exp + 1, &why) < 0 && !strcmp(why, "the access proof has expired"),
	   "one second after expiry: expired");
	ok(access_proof_verify(&q, exp - ACCESS_MAX_LIFETIME - 1, &why) < 0 &&
		   !strcmp(why, "the access proof expires too far in the future"),
	   "expiring more than ACCESS_MAX_LIFETIME ahead: too far");
	ok(access_proof_make(&q, priv1, &root1, UINT64_MAX) == 0 && access_proof_verify(&q, now, &why) < 0,
	   "an expiry of 2^64 - 1 is too far");

	/* CIDv0 roots and the expiry 0 round-trip too. */
	ok(access_proof_make(&q, priv2, &root0, 0) == 0, "a proof for a CIDv0 root expiring at 0");
	access_proof_str(t, &q);
	ok(access_proof_parse(&q, t) == 0 && cid_equal(&q.root, &root0) && q.expires == 0 &&
		   access_proof_verify(&q, 0, &why) == 0 && !memcmp(q.addr, addr2, 20),
	   "... parses and verifies");

	/* Forgeries. */
	q = p;
	q.sig[10] ^= 1;
	ok(access_proof_verify(&q, now, &why) < 0, "a changed signature byte is refused");
	q = p;
	q.sig[64] = 29;
	ok(access_proof_verify(&q, now, &why) < 0 && !strcmp(why, "the access proof's signature is malformed"),
	   "v = 29 is refused as malformed");
	q = p;
	memset(q.sig, 0, 64);
	ok(access_proof_verify(&q, now, &why) < 0, "a zero signature is refused");
	{
		/* The high-s twin of a valid signature: valid for ECDSA, refused (EIP-2). */
		static const uint8_t n_be[32] = {
			0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48,
			0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
		u256 n, sv, hs;
		q = p;
		if (u256_from_be(&n, n_be, 32) < 0 || u256_from_be(&sv, q.sig + 32, 32) < 0 ||
		    u256_sub(&hs, &n, &sv) < 0)
			diag_die(LST_EFAIL, "u256");
		u256_to_be32(q.sig + 32, &hs);
		q.sig[64] = q.sig[64] == 27 ? 28 : 27;
		ok(access_proof_verify(&q, now, &why) < 0, "the high-s twin of the signature is refused");
	}
	/* Another key signs, claiming addr1. */
	q = p;
	{
		access_proof o;
		if (access_proof_make(&o, priv2, &root1, exp) < 0)
			diag_die(LST_EFAIL, "make");
		memcpy(q.sig, o.sig, 65);
	}
	ok(access_proof_verify(&q, now, &why) < 0 &&
		   !strcmp(why, "the access proof is not signed by its address"),
	   "another key's signature for the address is refused");

	/* The header value with one field changed. */
	hex_encode(a, addr2, 20);
	replace_part(t, s, 0, a);
	ok(refused(t, now, "the access proof is not signed by its address"), "another address is refused");
	cid_str(c, &root2);
	replace_part(t, s, 1, c);
	ok(refused(t, now, "the access proof is not signed by its address"), "another root is refused");
	replace_part(t, s, 2, "1700003599");
	ok(refused(t, now, "the access proof is not signed by its address"), "another expiry is refused");
	replace_part(t, s, 2, "1700000000");
	ok(refused(t, now, "the access proof is not signed by its address"), "an earlier expiry is refused");
	ok(refused(s, exp + 1, "the access proof has expired"), "the unchanged header after expiry is refused");
	ok(refused(s, exp - ACCESS_MAX_LIFETIME - 1, "the access proof expires too far in the future"),
	   "... and too long before it");

	/* Malformed header values. */
	static const char *const bad_parts[][2] = {
		{"0", "4c53540000000000000000000000000000000004aa"},   /* no 0x */
		{"0", "0X1111111111111111111111111111111111111111"}, /* 0X */
		{"0", "0x111111111111111111111111111111111111111"},   /* 39 digits */
		{"0", "0x11111111111111111111111111111111111111111"}, /* 41 digits */
		{"0", "0x11111111111111111111111111111111111111zz"},  /* not hex */
		{"0", ""},
		{"1", ""},
		{"1", "bafkreixxxx"},            /* not a CID */
		{"1", "zQmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG"},
		{"2", ""},
		{"2", "01700003600"},  /* leading zero */
		{"2", "-1"},
		{"2", "+1700003600"},
		{"2", "1700003600 "},
		{"2", "18446744073709551616"}, /* 2^64 */
		{"2", "99999999999999999999"},
		{"2", "1e9"},
		{"3", ""},
		{"3", "00"},
	};
	group g = {"malformed header values are refused by parse", 0, 0};
	for (size_t i = 0; i < ARRAY_SIZE(bad_parts); i++) {
		g.cases++;
		replace_part(t, s, bad_parts[i][0][0] - '0', bad_parts[i][1]);
		if (access_proof_parse(&q, t) == 0)
			group_fail(&g, t, "parsed");
	}
	/* The signature: 128 and 132 digits, a 0x prefix, a non-hex digit, upper case passes. */
	{
		const char *sig = strrchr(s, '.') + 1;
		char v[140];
		const char *cases[5];
		char b1[140], b2[140], b3[140], b4[140];
		snprintf(b1, sizeof(b1), "%.128s", sig);
		snprintf(b2, sizeof(b2), "%s00", sig);
		snprintf(b3, sizeof(b3), "0x%.128s", sig);
		snprintf(b4, sizeof(b4), "%s", sig);
		b4[7] = 'g';
		cases[0] = b1, cases[1] = b2, cases[2] = b3, cases[3] = b4;
		snprintf(v, sizeof(v), "0x%s", sig);
		cases[4] = v;
		for (size_t i = 0; i < 5; i++) {
			g.cases++;
			replace_part(t, s, 3, cases[i]);
			if (access_proof_parse(&q, t) == 0)
				group_fail(&g, cases[i], "parsed");
		}
	}
	{
		char many[ACCESS_STR_MAX * 2];
		const char *shapes[] = {"", ".", "...", "....", "a.b.c", "a.b.c.d"};
		for (size_t i = 0; i < ARRAY_SIZE(shapes); i++) {
			g.cases++;
			if (access_proof_parse(&q, shapes[i]) == 0)
				group_fail(&g, shapes[i], "parsed");
		}
		snprintf(many, sizeof(many), "%s.", s); /* a fifth, empty part */
		g.cases++;
		if (access_proof_parse(&q, many) == 0)
			group_fail(&g, "trailing dot", "parsed");
		snprintf(many, sizeof(many), "%s.00", s);
		g.cases++;
		if (access_proof_parse(&q, many) == 0)
			group_fail(&g, "fifth part", "parsed");
		snprintf(many, sizeof(many), ".%s", s);
		g.cases++;
		if (access_proof_parse(&q, many) == 0)
			group_fail(&g, "leading dot", "parsed");
		/* three parts: the expiry missing */
		const char *d1 = strchr(s, '.'), *d2 = strchr(d1 + 1, '.'), *d3 = strchr(d2 + 1, '.');
		snprintf(many, sizeof(many), "%.*s%s", (int)(d2 - s), s, d3);
		g.cases++;
		if (access_proof_parse(&q, many) == 0)
			group_fail(&g, "no expiry", "parsed");
		memset(many, '1', ACCESS_STR_MAX + 10);
		many[ACCESS_STR_MAX + 10] = 0;
		g.cases++;
		if (access_proof_parse(&q, many) == 0)
			group_fail(&g, "overlong", "parsed");
	}
	/* A CID spelled in upper case (multibase 'B') names the same root but is not what was signed. */
	{
		char up[CID_STR_MAX];
		cid_str(c, &root1);
		for (size_t i = 0; c[i]; i++)
			up[i] = c[i] >= 'a' && c[i] <= 'z' ? (char)(c[i] - 32) : c[i];
		up[strlen(c)] = 0;
		replace_part(t, s, 1, up);
		g.cases++;
		if (access_proof_parse(&q, t) == 0)
			group_fail(&g, "upper-case CID", "parsed");
	}
	group_end(&g);
	/* The address may come in any case: it is the same 20 bytes that were signed. */
	{
		char up[43];
		hex_encode(up, addr1, 20);
		for (size_t i = 2; up[i]; i++)
			up[i] = up[i] >= 'a' && up[i] <= 'f' ? (char)(up[i] - 32) : up[i];
		replace_part(t, s, 0, up);
		ok(access_proof_parse(&q, t) == 0 && access_proof_verify(&q, now, &why) == 0,
		   "an upper-case address parses and verifies");
	}

	uint8_t zero[32] = {0};
	diag_set_quiet(true);
	ok(access_proof_make(&q, zero, &root1, exp) < 0 && diag_status() == LST_EINVALID,
	   "making a proof with an invalid key fails with status 6");
	diag_set_quiet(false);
}

/* ---- access_check against a fake node ---- */

enum mode { M_TRUE, M_FALSE, M_REVERT, M_SHORT, M_TWO, M_NOT_HEX, M_NOT_JSON, M_NULL };

static struct {
	pthread_mutex_t lock;
	enum mode mode;
	int requests;
	char last[1024]; /* the last request body */
} node = {PTHREAD_MUTEX_INITIALIZER, M_TRUE, 0, ""};

static enum MHD_Result fake_handler(void *cls, struct MHD_Connection *c, const char *url,
				     const char *method, const char *version, const char *upload,
				     size_t *upload_size, void **con_cls)
{
	buf *body = *con_cls;
	if (!body) {
		body = xcalloc(1, sizeof(*body));
		*body = (buf)BUF_INIT;
		*con_cls = body;
		return MHD_YES;
	}
	if (*upload_size) {
		buf_add(body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	static const char *const answers[] = {
		[M_TRUE] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x0000000000000000000000000000000000000000000000000000000000000001\"}",
		[M_FALSE] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x0000000000000000000000000000000000000000000000000000000000000000\"}",
		[M_REVERT] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":3,\"message\":\"execution reverted: nope\"}}",
		[M_SHORT] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x01\"}",
		[M_TWO] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x0000000000000000000000000000000000000000000000000000000000000002\"}",
		[M_NOT_HEX] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"yes\"}",
		[M_NOT_JSON] = "<html>hello</html>",
		[M_NULL] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":null}",
	};
	pthread_mutex_lock(&node.lock);
	node.requests++;
	snprintf(node.last, sizeof(node.last), "%.*s", (int)body->len, body->p ? (char *)body->p : "");
	const char *a = answers[node.mode];
	pthread_mutex_unlock(&node.lock);
	struct MHD_Response *r =
		MHD_create_response_from_buffer(strlen(a), (void *)a, MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(r, "Content-Type", "application/json");
	enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

static void fake_done(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	buf *body = *con_cls;
	if (body) {
		buf_free(body);
		free(body);
		*con_cls = NULL;
	}
}

static void set_mode(enum mode m)
{
	pthread_mutex_lock(&node.lock);
	node.mode = m;
	pthread_mutex_unlock(&node.lock);
}

static int requests(void)
{
	pthread_mutex_lock(&node.lock);
	int n = node.requests;
	pthread_mutex_unlock(&node.lock);
	return n;
}

static int check_quiet(const char *url, const uint8_t addr[20], const cid *root, int *status)
{
	diag_set_quiet(true);
	diag_set_status(LST_OK);
	int r = access_check(url, addr, root);
	*status = diag_status();
	diag_set_quiet(false);
	return r;
}

typedef struct {
	const char *url;
	int id, bad;
} worker;

static void *work(void *arg)
{
	worker *w = arg;
	uint8_t addr[20];
	for (int i = 0; i < 20; i++) {
		memset(addr, 0, 20);
		addr[0] = (uint8_t)w->id;
		addr[1] = (uint8_t)i;
		if (access_check_cached(w->url, addr, &root2, 5000 + (uint64_t)i) != 1)
			w->bad++;
	}
	return NULL;
}

static void test_check(void)
{
	int st;
	uint8_t addr[20];
	memset(addr, 0x5a, 20);

	ok(check_quiet("http://127.0.0.1:1", addr, &root1, &st) == -1 && st == LST_EUNAVAIL,
	   "access_check with no node there: -1, status 5");
	diag_set_quiet(true);
	ok(access_check_cached("http://127.0.0.1:1", addr, &root1, 100) == -1 &&
		   diag_status() == LST_EUNAVAIL,
	   "access_check_cached passes the error on");
	diag_set_quiet(false);

	struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL,
						fake_handler, NULL, MHD_OPTION_NOTIFY_COMPLETED,
						fake_done, NULL, MHD_OPTION_END);
	const union MHD_DaemonInfo *info = d ? MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT) : NULL;
	if (!info) {
		ok(0, "a fake node on loopback");
		return;
	}
	char url[64], url2[64];
	snprintf(url, sizeof(url), "http://127.0.0.1:%u", (unsigned)info->port);
	snprintf(url2, sizeof(url2), "http://localhost:%u", (unsigned)info->port);

	set_mode(M_TRUE);
	ok(check_quiet(url, addr, &root1, &st) == 1, "a node answering true: 1");
	{
		json_error_t je;
		json_t *j = json_loads(node.last, 0, &je);
		json_t *params = json_object_get(j, "params");
		json_t *o = json_array_get(params, 0);
		const char *to = json_string_value(json_object_get(o, "to"));
		const char *data = json_string_value(json_object_get(o, "data"));
		const char *tag = json_string_value(json_array_get(params, 1));
		char want[2 + 8 + 128 + 1], w[67];
		uint8_t id[32];
		root_id(id, &root1);
		hex_encode(w, id, 32);
		snprintf(want, sizeof(want), "0x7d294e62000000000000000000000000%s%s",
			 "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a", w + 2);
		ok(j && !strcmp(json_string_value(json_object_get(j, "method")), "eth_call") && to &&
			   !strcmp(to, "0x4c53540000000000000000000000000000000004") && data &&
			   !strcmp(data, want) && tag && !strcmp(tag, "latest"),
		   "the request is eth_call to the market of hasAccess(addr, root_id(root)) at latest");
		if (data && strcmp(data, want))
			diagf("data %s\nwant %s", data, want);
		json_decref(j);
	}
	set_mode(M_FALSE);
	ok(check_quiet(url, addr, &root1, &st) == 0, "a node answering false: 0");
	set_mode(M_REVERT);
	ok(check_quiet(url, addr, &root1, &st) == -1 && st == LST_EFAIL, "a revert: -1, status 1");
	set_mode(M_SHORT);
	ok(check_quiet(url, addr, &root1, &st) == -1 && st == LST_EFAIL, "a 1-byte answer: -1, status 1");
	set_mode(M_TWO);
	ok(check_quiet(url, addr, &root1, &st) == -1 && st == LST_EFAIL, "a word of 2 (not a bool): -1, status 1");
	set_mode(M_NOT_HEX);
	ok(check_quiet(url, addr, &root1, &st) == -1 && st == LST_EFAIL, "a result that is not hex: -1, status 1");
	set_mode(M_NULL);
	ok(check_quiet(url, addr, &root1, &st) == -1 && st == LST_EFAIL, "a null result: -1, status 1");
	set_mode(M_NOT_JSON);
	ok(check_quiet(url, addr, &root1, &st) == -1 && st == LST_EUNAVAIL,
	   "an answer that is not JSON-RPC (no node there): -1, status 5");

	/* The cache: times are arguments, nothing sleeps. */
	uint64_t T = 1000;
	int n0;
	set_mode(M_TRUE);
	n0 = requests();
	ok(access_check_cached(url, addr, &root2, T) == 1 && requests() == n0 + 1, "cached: a yes asked once");
	set_mode(M_FALSE);
	ok(access_check_cached(url, addr, &root2, T + ACCESS_CACHE_YES - 1) == 1 && requests() == n0 + 1,
	   "... remembered %d s later without asking", ACCESS_CACHE_YES - 1);
	ok(access_check_cached(url, addr, &root2, T + ACCESS_CACHE_YES) == 0 && requests() == n0 + 2,
	   "... asked again after %d s (now no)", ACCESS_CACHE_YES);
	set_mode(M_TRUE);
	ok(access_check_cached(url, addr, &root2, T + ACCESS_CACHE_YES + ACCESS_CACHE_NO - 1) == 0 &&
		   requests() == n0 + 2,
	   "a no is remembered %d s", ACCESS_CACHE_NO - 1);
	ok(access_check_cached(url, addr, &root2, T + ACCESS_CACHE_YES + ACCESS_CACHE_NO) == 1 &&
		   requests() == n0 + 3,
	   "... and asked again after %d s", ACCESS_CACHE_NO);
	ok(access_check_cached(url, addr, &root2, T - 1) == 1 && requests() == n0 + 4,
	   "a clock gone back does not use the cache");
	ok(access_check_cached(url2, addr, &root2, T + 70) == 1 && requests() == n0 + 5,
	   "another node URL is another entry");
	uint8_t other[20];
	memset(other, 0x6b, 20);
	set_mode(M_FALSE);
	ok(access_check_cached(url, other, &root2, T + 70) == 0 && requests() == n0 + 6,
	   "another address is another entry");
	ok(access_check_cached(url, addr, &root1, T + 70) == 0 && requests() == n0 + 7,
	   "another root is another entry");
	/* Salted: a no holds for its salt (a proof) only; a new proof asks again. */
	ok(access_check_salted(url, other, &root1, 11, T + 80) == 0 && requests() == n0 + 8, "salted: a no asked once");
	ok(access_check_salted(url, other, &root1, 11, T + 81) == 0 && requests() == n0 + 8,
	   "... remembered for the same salt");
	set_mode(M_TRUE);
	ok(access_check_salted(url, other, &root1, 12, T + 81) == 1 && requests() == n0 + 9,
	   "... another salt (a new proof after buying) asks again and gets the yes");
	set_mode(M_FALSE);
	ok(access_check_salted(url, other, &root1, 11, T + 82) == 1 && requests() == n0 + 9,
	   "... and a yes holds for every salt");
	set_mode(M_REVERT);
	diag_set_quiet(true);
	ok(access_check_cached(url, addr, &root0, T) == -1 && access_check_cached(url, addr, &root0, T) == -1 &&
		   requests() == n0 + 11,
	   "errors are not remembered");
	diag_set_quiet(false);

	/* Threads at once, each with its own addresses. */
	set_mode(M_TRUE);
	pthread_t th[4];
	worker w[4];
	int bad = 0;
	for (int i = 0; i < 4; i++) {
		w[i] = (worker){url, i + 1, 0};
		if (pthread_create(&th[i], NULL, work, &w[i]))
			diag_die(LST_EFAIL, "pthread_create");
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		bad += w[i].bad;
	}
	ok(!bad, "4 threads asking at once all get their answers");
	MHD_stop_daemon(d);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	memset(A, 0xaa, 20);
	memset(B, 0xbb, 20);
	memset(C, 0xcc, 20);
	memset(D, 0xdd, 20);
	memset(R1, 0x11, 32);
	memset(R2, 0x22, 32);
	memset(R3, 0x33, 32);
	for (int i = 0; i < 32; i++)
		priv1[i] = (uint8_t)(i + 1), priv2[i] = (uint8_t)(0x80 - i);
	cid_of(&root1, CODEC_RAW, (const uint8_t *)"hello", 5);
	cid_of(&root2, CODEC_DAG_PB, (const uint8_t *)"world", 5);
	if (cid_parse(&root0, "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG") < 0)
		diag_die(LST_EFAIL, "cid_parse of a CIDv0");

	test_registry();
	test_abi_json();
	test_list();
	test_buy();
	test_storage_forms();
	test_root_id();
	test_proofs();
	test_check();
	return unit_done();
}
