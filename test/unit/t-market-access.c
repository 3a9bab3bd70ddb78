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
#include "keccak.h"
#include "market.h"
#include "msg.h"
#include "secp.h"

#include <microhttpd.h>
#include <pthread.h>
#include <sodium.h>

#define CHAIN_ID 4242
#define FEE_BPS 500
#define LISTING_FEE 10
#define HEIGHT 42

static uint8_t A[20], B[20], C[20], D[20], F[20], X[20];
static uint8_t privF[32], privX[32];
static cid V1, V2, V3, V4;
static uint8_t T1[32], T2[32];
static fake_chain chain;
static fake_undo undo; /* the state before the last call */
static uint64_t height = HEIGHT, bps = FEE_BPS;

/* Event topics as market.abi.json states the events (test_abi_json). */
static uint8_t TOPIC_PUBLISHED[32], TOPIC_PRICE[32], TOPIC_VERSION[32], TOPIC_PURCHASED[32];

static void reset_chain(void)
{
	memset(&chain, 0, sizeof(chain));
	fake_fund(&chain, A, 1000);
	fake_fund(&chain, B, 500);
	fake_fund(&chain, C, 5);
	fake_fund(&chain, D, 50);
	fake_fund(&chain, F, 0);
	height = HEIGHT;
	bps = FEE_BPS;
}

static uint64_t bal(const uint8_t a[20])
{
	return fake_balance_u64(&chain, a);
}

static uint64_t supply(void)
{
	u256 s;
	if (fake_total_supply(&chain, &s) < 0)
		diag_die(LST_EFAIL, "supply");
	return s.w[0];
}

static contract_env env_for(const uint8_t caller[20])
{
	contract_env e = fake_env(&chain, MARKET_ADDRESS, caller, height);
	e.chain_id = CHAIN_ID;
	e.foundation = F;
	e.service_fee_bps = bps;
	e.listing_fee = u256_from_u64(LISTING_FEE);
	return e;
}

/* Calls the market (e->self) as the chain does (fake_call); the state before is kept in `undo` for rollback(). */
static int call_env(contract_result *r, contract_env *e, const uint8_t *cd, size_t len)
{
	return fake_call(r, &chain, &undo, e, cd, len);
}

/* What the chain does after a revert. */
static void rollback(void)
{
	chain = undo.before;
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

/*
 * r reverted with why, and the market stored, logged and paid nothing
 * (the value sent is still its own); then the chain's rollback gives
 * everything back. Frees r.
 */
static bool refused_with(contract_result *r, const char *why)
{
	return fake_unchanged(r, &chain, &undo, reverted_with(r, why), why);
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

/* ---- what the market should compute, computed here from market.h's formulas ---- */

static void want_book(uint8_t out[32], const uint8_t author[20], const char *title)
{
	buf b = BUF_INIT;
	buf_adds(&b, "lst-book-v1");
	buf_add(&b, author, 20);
	buf_adds(&b, title);
	keccak256(out, b.p, b.len);
	buf_free(&b);
}

static void root_id_of(uint8_t out[32], const cid *c)
{
	crypto_hash_sha256(out, c->bytes, c->len);
}

/* A publication: what the author sends. */
typedef struct {
	const uint8_t *author;
	const char *title, *details, *label;
	u256 price;
	const uint8_t *root;
	size_t root_len;
	const uint8_t *tree;
} pubreq;

static pubreq pub_of(const uint8_t *author, const char *title, uint64_t price, const cid *root)
{
	pubreq p = {author, title, "{\"blurb\":\"a book\"}", "v1", u256_from_u64(price), root->bytes,
		 root->len, T1};
	return p;
}

static void keccak_into(buf *b, const void *p, size_t len)
{
	uint8_t h[32];
	keccak256(h, p, len);
	buf_add(b, h, 32);
}

static void want_terms(uint8_t out[32], const pubreq *p, uint64_t chain_id)
{
	uint8_t w[32] = {0}, book[32];
	buf b = BUF_INIT;
	buf_adds(&b, "lst-publish-v1");
	for (int i = 0; i < 8; i++)
		w[31 - i] = (uint8_t)(chain_id >> (8 * i));
	buf_add(&b, w, 32);
	buf_add(&b, MARKET_ADDRESS, 20);
	buf_add(&b, p->author, 20);
	want_book(book, p->author, p->title);
	buf_add(&b, book, 32);
	u256_to_be32(w, &p->price);
	buf_add(&b, w, 32);
	keccak_into(&b, p->root, p->root_len);
	buf_add(&b, p->tree, 32);
	keccak_into(&b, p->details, strlen(p->details));
	keccak_into(&b, p->label, strlen(p->label));
	keccak256(out, b.p, b.len);
	buf_free(&b);
}


static int publish_with(contract_result *r, const pubreq *p, uint64_t value, const uint8_t *sig,
			size_t siglen)
{
	abi_value args[7] = {
		abi_string(p->title), abi_string(p->details), abi_u256(&p->price),
		abi_bytes(p->root, p->root_len), abi_fixed_bytes(p->tree, 32), abi_string(p->label),
		abi_bytes(sig, siglen),
	};
	return pay(r, p->author, value, "publish(string,string,uint256,bytes,bytes32,string,bytes)", args,
		   7);
}

/* Published with the foundation's signature over its terms and the listing fee. */
static int publish(contract_result *r, const pubreq *p)
{
	uint8_t hash[32], sig[65];
	want_terms(hash, p, CHAIN_ID);
	fake_sign32(sig, privF, hash);
	return publish_with(r, p, LISTING_FEE, sig, 65);
}

static void publish_or_die(const pubreq *p)
{
	contract_result r;
	if (publish(&r, p) < 0 || !r.ok)
		diag_die(LST_EFAIL, "publish '%s'", p->title);
	done(&r);
}

static int set_price(contract_result *r, const uint8_t caller[20], const uint8_t book[32], const u256 *price)
{
	abi_value args[2] = {abi_fixed_bytes(book, 32), abi_u256(price)};
	return call(r, caller, "setPrice(bytes32,uint256)", args, 2);
}

static int add_version(contract_result *r, const uint8_t caller[20], const uint8_t book[32],
		       const uint8_t *root, size_t root_len, const uint8_t tree[32], const char *label)
{
	abi_value args[4] = {abi_fixed_bytes(book, 32), abi_bytes(root, root_len), abi_fixed_bytes(tree, 32),
			     abi_string(label)};
	return call(r, caller, "addVersion(bytes32,bytes,bytes32,string)", args, 4);
}

static int buy(contract_result *r, const uint8_t caller[20], const uint8_t book[32], uint64_t value)
{
	abi_value arg = abi_fixed_bytes(book, 32);
	return pay(r, caller, value, "buy(bytes32)", &arg, 1);
}

/* A view's return values decoded as types into v (abi_free them); 0 or -1 (reverted, failed). */
static int view(abi_value *v, size_t max, const char *sig, const char *types, const abi_value *args,
		size_t n)
{
	contract_result r;
	size_t got;
	int rc = -1;
	if (call(&r, C, sig, args, n) == 0 && r.ok && abi_decode(v, max, &got, types, r.ret.p, r.ret.len) == 0)
		rc = 0;
	done(&r);
	return rc;
}

/* hasAccess(book, reader): 1, 0, or -1 when the call did not return a bool. */
static int has_access(const uint8_t book[32], const uint8_t reader[20])
{
	abi_value args[2] = {abi_fixed_bytes(book, 32), abi_address(reader)}, v[1];
	int yes;
	if (view(v, 1, "hasAccess(bytes32,address)", "bool", args, 2) < 0)
		return -1;
	yes = v[0].b;
	abi_free(v, 1);
	return yes;
}

/* canRead(reader, rootId): 1, 0, -1. */
static int can_read(const uint8_t reader[20], const cid *root)
{
	uint8_t rid[32];
	abi_value args[2], v[1];
	int yes;
	root_id_of(rid, root);
	args[0] = abi_address(reader);
	args[1] = abi_fixed_bytes(rid, 32);
	if (view(v, 1, "canRead(address,bytes32)", "bool", args, 2) < 0)
		return -1;
	yes = v[0].b;
	abi_free(v, 1);
	return yes;
}

/* ---- storage and logs as market.h lays them out ---- */

static void word_u256(buf *b, const u256 *u)
{
	uint8_t w[32];
	u256_to_be32(w, u);
	buf_add(b, w, 32);
}

static void word_u64(buf *b, uint64_t x)
{
	u256 u = u256_from_u64(x);
	word_u256(b, &u);
}

static void be64(buf *b, uint64_t x)
{
	for (int i = 7; i >= 0; i--)
		buf_addc(b, (uint8_t)(x >> (8 * i)));
}

/* A bytes/string tail: length word, data, zero padding to 32. */
static void tail(buf *b, const void *p, size_t len)
{
	static const uint8_t zero[32];
	word_u64(b, len);
	buf_add(b, p, len);
	buf_add(b, zero, (32 - len % 32) % 32);
}

static size_t padded(size_t len)
{
	return 32 + (len + 31) / 32 * 32;
}

static const fake_slot *slot(const char *prefix, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	uint8_t key[64];
	size_t n = strlen(prefix);
	memcpy(key, prefix, n);
	memcpy(key + n, a, alen);
	if (blen)
		memcpy(key + n + alen, b, blen);
	return fake_find_slot(&chain, MARKET_ADDRESS, key, n + alen + blen);
}

static const fake_slot *book_slot(const uint8_t book[32])
{
	return slot("book:", book, 32, NULL, 0);
}

static const fake_slot *ver_slot(const uint8_t book[32], uint64_t idx)
{
	uint8_t i8[8];
	for (int i = 0; i < 8; i++)
		i8[i] = (uint8_t)(idx >> (56 - 8 * i));
	return slot("ver:", book, 32, i8, 8);
}

static const fake_slot *root_slot(const cid *root)
{
	uint8_t rid[32];
	root_id_of(rid, root);
	return slot("root:", rid, 32, NULL, 0);
}

static const fake_slot *buy_slot(const uint8_t book[32], const uint8_t buyer[20])
{
	return slot("buy:", book, 32, buyer, 20);
}

static bool slot_is(const fake_slot *s, const buf *want)
{
	if (!s) {
		diagf("no such slot");
		return false;
	}
	if (s->vlen != want->len || memcmp(s->val, want->p, want->len)) {
		diagf("slot of %zu bytes, want %zu", s->vlen, want->len);
		return false;
	}
	return true;
}

static bool book_stored(const uint8_t book[32], const pubreq *p, uint64_t versions, uint64_t sales,
			uint64_t h, uint64_t escrow)
{
	buf b = BUF_INIT;
	size_t tl = strlen(p->title);
	u256 e = u256_from_u64(escrow);
	buf_add(&b, p->author, 20);
	word_u256(&b, &p->price);
	be64(&b, versions);
	be64(&b, sales);
	be64(&b, h);
	word_u256(&b, &e);
	buf_addc(&b, (uint8_t)(tl >> 8));
	buf_addc(&b, (uint8_t)tl);
	buf_adds(&b, p->title);
	buf_adds(&b, p->details);
	bool same = slot_is(book_slot(book), &b);
	buf_free(&b);
	return same;
}

static bool version_stored(const uint8_t book[32], uint64_t idx, const uint8_t *root, size_t root_len,
			   const uint8_t tree[32], uint64_t h, const char *label)
{
	buf b = BUF_INIT;
	buf_add(&b, tree, 32);
	be64(&b, h);
	buf_addc(&b, (uint8_t)root_len);
	buf_add(&b, root, root_len);
	buf_adds(&b, label);
	bool same = slot_is(ver_slot(book, idx), &b);
	buf_free(&b);
	return same;
}

static bool log_is(size_t i, const uint8_t topic0[32], const uint8_t (*topics)[32], size_t ntopics,
		   const buf *data)
{
	const fake_logrec *l = fake_log_at(&chain, i);
	if (!l) {
		diagf("no log %zu", i);
		return false;
	}
	if (memcmp(l->self, MARKET_ADDRESS, 20) || l->ntopics != ntopics + 1 || memcmp(l->topics[0], topic0, 32)) {
		diagf("log %zu: another event", i);
		return false;
	}
	for (size_t k = 0; k < ntopics; k++)
		if (memcmp(l->topics[k + 1], topics[k], 32)) {
			diagf("log %zu: topic %zu differs", i, k + 1);
			return false;
		}
	if (l->len != data->len || memcmp(l->data, data->p, data->len)) {
		diagf("log %zu: data of %zu bytes, want %zu", i, l->len, data->len);
		return false;
	}
	return true;
}

static bool log_published(size_t i, const uint8_t book[32], const pubreq *p)
{
	uint8_t t[2][32];
	buf d = BUF_INIT;
	memcpy(t[0], book, 32);
	abi_address_word(t[1], p->author);
	word_u256(&d, &p->price);
	word_u64(&d, 64);
	tail(&d, p->title, strlen(p->title));
	bool same = log_is(i, TOPIC_PUBLISHED, (const uint8_t(*)[32])t, 2, &d);
	buf_free(&d);
	return same;
}

static bool log_version(size_t i, const uint8_t book[32], uint64_t idx, const uint8_t *root,
			size_t root_len, const uint8_t tree[32], const char *label)
{
	uint8_t t[2][32];
	buf d = BUF_INIT;
	memcpy(t[0], book, 32);
	crypto_hash_sha256(t[1], root, root_len);
	word_u64(&d, idx);
	word_u64(&d, 128);
	buf_add(&d, tree, 32);
	word_u64(&d, 128 + padded(root_len));
	tail(&d, root, root_len);
	tail(&d, label, strlen(label));
	bool same = log_is(i, TOPIC_VERSION, (const uint8_t(*)[32])t, 2, &d);
	buf_free(&d);
	return same;
}

static bool log_price(size_t i, const uint8_t book[32], uint64_t old, uint64_t new)
{
	buf d = BUF_INIT;
	word_u64(&d, old);
	word_u64(&d, new);
	bool same = log_is(i, TOPIC_PRICE, (const uint8_t(*)[32])book, 1, &d);
	buf_free(&d);
	return same;
}

static bool log_purchased(size_t i, const uint8_t book[32], const uint8_t buyer[20],
			  const uint8_t author[20], uint64_t price, uint64_t fee)
{
	uint8_t t[3][32];
	buf d = BUF_INIT;
	memcpy(t[0], book, 32);
	abi_address_word(t[1], buyer);
	abi_address_word(t[2], author);
	word_u64(&d, price);
	word_u64(&d, fee);
	bool same = log_is(i, TOPIC_PURCHASED, (const uint8_t(*)[32])t, 3, &d);
	buf_free(&d);
	return same;
}

/* ---- the tests ---- */

static void test_registry(void)
{
	const contract_def *c = contract_find(MARKET_ADDRESS);
	char s[43];
	ok(c == &market_contract && !strcmp(c->name, "market"), "contract_find finds the market");
	hex_encode(s, c ? c->address : MARKET_ADDRESS, 20);
	ok(!strcmp(s, "0x4c53540000000000000000000000000000000004"), "market address is %s", s);
}

/*
 * Every function in market.abi.json is dispatched with its stated
 * mutability: in a read-only call with zero arguments views answer or
 * revert for a reason of their own, the others refuse to write; LST sent
 * is refused by all but the payable ones. The events are the four of
 * market.h with their indexed inputs; their topics are kept for the logs.
 */
static void test_abi_json(void)
{
	static const fake_abi_fn fns[] = {
		{"publish(string,string,uint256,bytes,bytes32,string,bytes)", "payable"},
		{"setPrice(bytes32,uint256)", "nonpayable"},
		{"addVersion(bytes32,bytes,bytes32,string)", "nonpayable"},
		{"buy(bytes32)", "payable"},
		{"hasAccess(bytes32,address)", "view"},
		{"canRead(address,bytes32)", "view"},
		{"book(bytes32)", "view"},
		{"versions(bytes32)", "view"},
		{"bookOf(bytes32)", "view"},
		{"bookId(address,string)", "view"},
		{"termsHash(address,string,string,uint256,bytes,bytes32,string)", "view"},
		{"purchaseOf(bytes32,address)", "view"},
		{"escrowOf(bytes32)", "view"},
		{"fees()", "view"},
	};
	static const fake_abi_event evs[] = {
		{"Published(bytes32,address,uint256,string)", "iinn", TOPIC_PUBLISHED},
		{"PriceChanged(bytes32,uint256,uint256)", "inn", TOPIC_PRICE},
		{"VersionAdded(bytes32,bytes32,uint256,bytes,bytes32,string)", "iinnnn", TOPIC_VERSION},
		{"Purchased(bytes32,address,address,uint256,uint256)", "iiinn", TOPIC_PURCHASED},
	};
	size_t i, nfn, nev;
	uint32_t seen_fn, seen_ev;
	reset_chain();
	int bad = fake_abi_check(&nfn, &nev, &seen_fn, &seen_ev, &chain, &undo, env_for(A), "contracts/market.abi.json",
				 "market.h", fns, ARRAY_SIZE(fns), evs, ARRAY_SIZE(evs), "no such book",
				 "market does not accept LST sent with a call");
	ok(bad == 0 && nfn == ARRAY_SIZE(fns) && nev == ARRAY_SIZE(evs) &&
		   seen_fn == (1u << ARRAY_SIZE(fns)) - 1 && seen_ev == (1u << ARRAY_SIZE(evs)) - 1,
	   "market.abi.json: %zu functions dispatched with their mutability, %zu events", nfn, nev);
	ok(bal(A) == 1000 && chain.nslot == 0 && chain.nlog == 0, "... and none of it changed anything");

	/* Topic 0 of each event, as keccak256 of its signature. */
	static const char *const want[] = {
		"0x1d86134c6a266caf6a829e45f6afb994179e0dacd39b51682dbd6d40e50373e3",
		"0x37bd5226920628ef1b4c04162f8d6a07aacc0c50e27679fd16e35affe7a2fdf2",
		"0xd0b7486955e34a5258da0b8b7f3f3d6456a85667fd04c9e377a47d159bd3c778",
		"0xd177b081729a6857b3b8c6f7f8f5ab71059845c69e77757e1f158a02106824c4",
	};
	bad = 0;
	for (i = 0; i < ARRAY_SIZE(evs); i++) {
		char t[67];
		hex_encode(t, evs[i].topic, 32);
		if (strcmp(t, want[i])) {
			diagf("%s: %s", evs[i].sig, t);
			bad++;
		}
	}
	ok(!bad, "the events' topic 0 are keccak256 of their signatures");
}

static void test_ids(void)
{
	uint8_t got[32], want[32], sig[65];
	contract_result r;
	pubreq p = pub_of(A, "The Book", 100, &V1);

	market_book_id(got, A, "The Book", 8);
	want_book(want, A, "The Book");
	ok(!memcmp(got, want, 32), "market_book_id is keccak256(\"lst-book-v1\" || author || title)");
	market_book_id(got, B, "The Book", 8);
	ok(memcmp(got, want, 32), "... another author, another id");
	market_book_id(got, A, "The Book", 7);
	ok(memcmp(got, want, 32), "... the title's length counts");

	abi_value ba[2] = {abi_address(A), abi_string("The Book")};
	ok(call(&r, C, "bookId(address,string)", ba, 2) == 0 && returned_word(&r, want),
	   "bookId(author, title) is the same id");
	done(&r);

	market_terms t = {.chain_id = CHAIN_ID, .price = p.price, .root = p.root, .root_len = p.root_len,
			  .details = p.details, .details_len = strlen(p.details), .label = p.label,
			  .label_len = strlen(p.label)};
	memcpy(t.author, A, 20);
	want_book(t.book, A, p.title);
	memcpy(t.tree, p.tree, 32);
	market_terms_hash(got, &t);
	want_terms(want, &p, CHAIN_ID);
	ok(!memcmp(got, want, 32), "market_terms_hash is keccak256 of the concatenation in market.h");
	abi_value ta[7] = {abi_address(A), abi_string(p.title), abi_string(p.details), abi_u256(&p.price),
			   abi_bytes(p.root, p.root_len), abi_fixed_bytes(p.tree, 32), abi_string(p.label)};
	ok(call(&r, C, "termsHash(address,string,string,uint256,bytes,bytes32,string)", ta, 7) == 0 &&
		   returned_word(&r, want),
	   "termsHash(...) is the same hash, with the chain's id and the market's address");
	done(&r);
	{
		/* Each field of the terms changes the hash. */
		uint8_t h[32];
		size_t same = 0;
		market_terms u = t;
		u.chain_id++;
		market_terms_hash(h, &u), same += !memcmp(h, want, 32), u = t;
		u.author[0] ^= 1;
		market_terms_hash(h, &u), same += !memcmp(h, want, 32), u = t;
		u.book[0] ^= 1;
		market_terms_hash(h, &u), same += !memcmp(h, want, 32), u = t;
		u.price = u256_from_u64(101);
		market_terms_hash(h, &u), same += !memcmp(h, want, 32), u = t;
		u.root_len--;
		market_terms_hash(h, &u), same += !memcmp(h, want, 32), u = t;
		u.tree[31] ^= 1;
		market_terms_hash(h, &u), same += !memcmp(h, want, 32), u = t;
		u.details_len--;
		market_terms_hash(h, &u), same += !memcmp(h, want, 32), u = t;
		u.label_len--;
		market_terms_hash(h, &u), same += !memcmp(h, want, 32), u = t;
		ok(!same, "every field of the terms changes their hash");
	}

	fake_sign32(sig, privF, want);
	ok(market_cosig_verify(sig, want, F) == 0, "market_cosig_verify: the foundation's personal_sign");
	ok(market_cosig_verify(sig, want, X) < 0, "... is not X's");
	ok(market_cosig_verify(sig, want, A) < 0, "... nor A's");
	fake_sign32(sig, privX, want);
	ok(market_cosig_verify(sig, want, F) < 0, "X's signature is not the foundation's");
	{
		uint8_t other[32];
		memcpy(other, want, 32);
		other[0] ^= 1;
		fake_sign32(sig, privF, other);
		ok(market_cosig_verify(sig, want, F) < 0, "the foundation's signature over other terms is refused");
		int recid;
		if (secp_sign(sig, &recid, privF, want) < 0)
			diag_die(LST_EFAIL, "secp_sign");
		sig[64] = (uint8_t)(27 + recid);
		ok(market_cosig_verify(sig, want, F) < 0,
		   "a signature of the bare hash (no personal_sign prefix) is refused");
		memset(sig, 0, 65);
		ok(market_cosig_verify(sig, want, F) < 0, "a zero signature is refused");
	}
}

static void test_publish(void)
{
	contract_result r;
	uint8_t book[32], hash[32], sig[65], rid[32];
	pubreq p = pub_of(A, "The Book", 100, &V1);

	reset_chain();
	want_book(book, A, p.title);
	root_id_of(rid, &V1);
	ok(publish(&r, &p) == 0 && returned_word(&r, book), "publish returns the book id");
	done(&r);
	ok(book_stored(book, &p, 1, 0, HEIGHT, LISTING_FEE),
	   "the book is stored: author, price, 1 version, 0 sales, height, escrow, title, details");
	ok(version_stored(book, 0, p.root, p.root_len, p.tree, HEIGHT, p.label),
	   "version 0 is stored: tree, height, root, label");
	ok(root_slot(&V1) && root_slot(&V1)->vlen == 32 && !memcmp(root_slot(&V1)->val, book, 32),
	   "the root's id names the book");
	ok(chain.nslot == 3, "three slots in all");
	ok(bal(A) == 1000 - LISTING_FEE && bal(MARKET_ADDRESS) == LISTING_FEE && bal(F) == 0,
	   "the listing fee is held by the market");
	ok(chain.nlog == 2 && log_published(0, book, &p) &&
		   log_version(1, book, 0, p.root, p.root_len, p.tree, p.label),
	   "Published then VersionAdded(index 0) are logged with their topics and data");

	/* Each refusal stores, logs and pays nothing. */
	pubreq q = pub_of(A, "Another", 100, &V2);
	want_terms(hash, &q, CHAIN_ID);
	fake_sign32(sig, privF, hash);
	ok(publish_with(&r, &q, LISTING_FEE, sig, 0) == 0 && refused_with(&r, "bad foundation signature"),
	   "no foundation signature: refused");
	ok(publish_with(&r, &q, LISTING_FEE, sig, 64) == 0 && refused_with(&r, "bad foundation signature"),
	   "a 64-byte signature: refused");
	{
		uint8_t longer[66];
		memcpy(longer, sig, 65);
		longer[65] = 0;
		ok(publish_with(&r, &q, LISTING_FEE, longer, 66) == 0 &&
			   refused_with(&r, "bad foundation signature"),
		   "a 66-byte signature: refused");
	}
	{
		uint8_t s2[65];
		fake_sign32(s2, privX, hash);
		ok(publish_with(&r, &q, LISTING_FEE, s2, 65) == 0 && refused_with(&r, "bad foundation signature"),
		   "the terms signed by another key: refused");
		pubreq other = q;
		uint8_t h2[32];
		other.price = u256_from_u64(1);
		want_terms(h2, &other, CHAIN_ID);
		fake_sign32(s2, privF, h2);
		ok(publish_with(&r, &q, LISTING_FEE, s2, 65) == 0 && refused_with(&r, "bad foundation signature"),
		   "the foundation's signature over another price: refused");
		ok(publish_with(&r, &other, LISTING_FEE, s2, 65) == 0 && r.ok, "... which publishes at that price");
		done(&r);
		rollback();
		other = q;
		other.details = "{}";
		want_terms(h2, &other, CHAIN_ID);
		fake_sign32(s2, privF, h2);
		ok(publish_with(&r, &q, LISTING_FEE, s2, 65) == 0 && refused_with(&r, "bad foundation signature"),
		   "... over other details: refused");
		other = q;
		other.label = "v2";
		want_terms(h2, &other, CHAIN_ID);
		fake_sign32(s2, privF, h2);
		ok(publish_with(&r, &q, LISTING_FEE, s2, 65) == 0 && refused_with(&r, "bad foundation signature"),
		   "... over another label: refused");
		other = q;
		other.tree = T2;
		want_terms(h2, &other, CHAIN_ID);
		fake_sign32(s2, privF, h2);
		ok(publish_with(&r, &q, LISTING_FEE, s2, 65) == 0 && refused_with(&r, "bad foundation signature"),
		   "... over another tree: refused");
		other = q;
		other.author = B;
		want_terms(h2, &other, CHAIN_ID);
		fake_sign32(s2, privF, h2);
		ok(publish_with(&r, &q, LISTING_FEE, s2, 65) == 0 && refused_with(&r, "bad foundation signature"),
		   "... for another author: refused");
		want_terms(h2, &q, CHAIN_ID + 1);
		fake_sign32(s2, privF, h2);
		ok(publish_with(&r, &q, LISTING_FEE, s2, 65) == 0 && refused_with(&r, "bad foundation signature"),
		   "... on another chain: refused");
		memcpy(s2, sig, 65);
		s2[5] ^= 1;
		ok(publish_with(&r, &q, LISTING_FEE, s2, 65) == 0 && refused_with(&r, "bad foundation signature"),
		   "a changed byte of the signature: refused");
		memcpy(s2, sig, 65);
		s2[64] = 30;
		ok(publish_with(&r, &q, LISTING_FEE, s2, 65) == 0 && refused_with(&r, "bad foundation signature"),
		   "v = 30: refused");
	}
	ok(publish_with(&r, &q, LISTING_FEE - 1, sig, 65) == 0 && refused_with(&r, "listing fee is 10"),
	   "a listing fee of 9: refused \"listing fee is 10\"");
	ok(publish_with(&r, &q, LISTING_FEE + 1, sig, 65) == 0 && refused_with(&r, "listing fee is 10"),
	   "... of 11: refused");
	ok(publish_with(&r, &q, 0, sig, 65) == 0 && refused_with(&r, "listing fee is 10"), "... of 0: refused");

	pubreq bad = q;
	bad.title = "";
	ok(publish(&r, &bad) == 0 && refused_with(&r, "empty title"), "an empty title: refused");
	char big[MARKET_DETAILS_MAX + 2];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	bad = q;
	bad.title = big + sizeof(big) - 1 - (MARKET_TITLE_MAX + 1);
	ok(publish(&r, &bad) == 0 && refused_with(&r, "title too long"), "a title of 201 bytes: refused");
	bad = q;
	bad.details = big;
	ok(publish(&r, &bad) == 0 && refused_with(&r, "details too long"), "details of 16385 bytes: refused");
	bad = q;
	bad.label = big + sizeof(big) - 1 - (MARKET_LABEL_MAX + 1);
	ok(publish(&r, &bad) == 0 && refused_with(&r, "label too long"), "a label of 65 bytes: refused");
	static const char *const not_utf8[] = {
		"\xff", "a\xc3", "\xc0\xaf" /* overlong '/' */, "\xed\xa0\x80" /* a surrogate */,
		"\xf4\x90\x80\x80" /* above U+10FFFF */,
	};
	for (size_t i = 0; i < ARRAY_SIZE(not_utf8); i++) {
		bad = q;
		bad.title = not_utf8[i];
		ok(publish(&r, &bad) == 0 && refused_with(&r, "not UTF-8"), "a title that is not UTF-8 (%zu): refused", i);
	}
	bad = q;
	bad.label = "v1\x80";
	ok(publish(&r, &bad) == 0 && refused_with(&r, "not UTF-8"), "a label that is not UTF-8: refused");
	bad = q;
	bad.details = "{\"t\":\"\xe2\x82\"}";
	ok(publish(&r, &bad) == 0 && refused_with(&r, "not UTF-8"), "details that are not UTF-8: refused");
	uint8_t longroot[MARKET_ROOT_MAX + 1];
	memset(longroot, 0x42, sizeof(longroot));
	bad = q;
	bad.root_len = 0;
	ok(publish(&r, &bad) == 0 && refused_with(&r, "bad root"), "an empty root: refused \"bad root\"");
	bad.root = longroot;
	bad.root_len = sizeof(longroot);
	ok(publish(&r, &bad) == 0 && refused_with(&r, "bad root"), "a root of 65 bytes: refused");
	u256 two128 = u256_from_u64(0), one = u256_from_u64(1), max128;
	two128.w[2] = 1;
	if (u256_sub(&max128, &two128, &one) < 0)
		diag_die(LST_EFAIL, "u256");
	bad = q;
	bad.price = two128;
	ok(publish(&r, &bad) == 0 && refused_with(&r, "price too large"), "a price of 2^128: refused");

	pubreq again = p;
	again.root = V2.bytes;
	again.root_len = V2.len;
	ok(publish(&r, &again) == 0 && refused_with(&r, "already published"),
	   "the same author and title again (another root): refused \"already published\"");
	again = pub_of(B, "Mine", 1, &V1);
	ok(publish(&r, &again) == 0 && refused_with(&r, "root already published"),
	   "another author publishing the same root: refused \"root already published\"");
	ok(chain.nslot == 3 && chain.nlog == 2 && bal(MARKET_ADDRESS) == LISTING_FEE && bal(A) == 990 &&
		   bal(B) == 500,
	   "after every refusal the state is as it was");

	/* The limits themselves are accepted. */
	pubreq edge = q;
	edge.title = big + sizeof(big) - 1 - MARKET_TITLE_MAX;
	edge.details = big + 1;
	edge.label = big + sizeof(big) - 1 - MARKET_LABEL_MAX;
	edge.root = longroot;
	edge.root_len = MARKET_ROOT_MAX;
	edge.price = max128;
	want_book(book, A, edge.title);
	ok(publish(&r, &edge) == 0 && returned_word(&r, book) && book_stored(book, &edge, 1, 0, HEIGHT, LISTING_FEE) &&
		   version_stored(book, 0, longroot, MARKET_ROOT_MAX, edge.tree, HEIGHT, edge.label),
	   "a title of 200, details of 16384, a label of 64 and a root of 64 bytes at 2^128 - 1 are published");
	done(&r);
	ok(bal(MARKET_ADDRESS) == 2 * LISTING_FEE, "the market holds both listing fees");

	/* A UTF-8 title with its bytes, and a book with no details. */
	pubreq utf = pub_of(B, "Ελληνικά \xe2\x82\xac \xf0\x9f\x93\x96", 0, &V3); /* 2-, 3- and 4-byte characters */
	utf.details = "";
	want_book(book, B, utf.title);
	ok(publish(&r, &utf) == 0 && returned_word(&r, book) && book_stored(book, &utf, 1, 0, HEIGHT, LISTING_FEE),
	   "a UTF-8 title and empty details are published");
	done(&r);
}

static void test_set_price(void)
{
	contract_result r;
	uint8_t book[32], nobook[32] = {0};
	pubreq p = pub_of(A, "Priced", 100, &V1);
	u256 price = u256_from_u64(250), two128 = u256_from_u64(0);
	two128.w[2] = 1;

	reset_chain();
	publish_or_die(&p);
	want_book(book, A, p.title);
	size_t nlog = chain.nlog;
	ok(set_price(&r, B, book, &price) == 0 && refused_with(&r, "not the author"),
	   "setPrice by another: refused \"not the author\"");
	ok(set_price(&r, F, book, &price) == 0 && refused_with(&r, "not the author"),
	   "... by the foundation too");
	ok(set_price(&r, A, nobook, &price) == 0 && refused_with(&r, "no such book"),
	   "setPrice of no book: refused \"no such book\"");
	ok(set_price(&r, A, book, &two128) == 0 && refused_with(&r, "price too large"),
	   "a price of 2^128: refused");
	ok(book_stored(book, &p, 1, 0, HEIGHT, LISTING_FEE), "... the book is as it was");

	ok(set_price(&r, A, book, &price) == 0 && returned_nothing(&r), "the author sets 250");
	done(&r);
	p.price = price;
	ok(book_stored(book, &p, 1, 0, HEIGHT, LISTING_FEE) && chain.nlog == nlog + 1 &&
		   log_price(nlog, book, 100, 250),
	   "the price is stored and PriceChanged(book, 100, 250) logged");
	price = u256_from_u64(0);
	ok(set_price(&r, A, book, &price) == 0 && returned_nothing(&r) && log_price(nlog + 1, book, 250, 0),
	   "... and 0: PriceChanged(book, 250, 0)");
	done(&r);
}

static void test_add_version(void)
{
	contract_result r;
	uint8_t book[32], bookB[32], nobook[32] = {0};
	pubreq p = pub_of(A, "Versions", 100, &V1);

	reset_chain();
	publish_or_die(&p);
	publish_or_die(&(pubreq){B, "Other", "", "b1", u256_from_u64(5), V4.bytes, V4.len, T1});
	want_book(book, A, p.title);
	want_book(bookB, B, "Other");
	size_t nlog = chain.nlog;

	ok(add_version(&r, B, book, V2.bytes, V2.len, T2, "v2") == 0 && refused_with(&r, "not the author"),
	   "addVersion by another: refused \"not the author\"");
	ok(add_version(&r, A, nobook, V2.bytes, V2.len, T2, "v2") == 0 && refused_with(&r, "no such book"),
	   "addVersion of no book: refused");
	ok(add_version(&r, A, book, V1.bytes, V1.len, T2, "v2") == 0 &&
		   refused_with(&r, "root already published"),
	   "its own first root again: refused \"root already published\"");
	ok(add_version(&r, A, book, V4.bytes, V4.len, T2, "v2") == 0 &&
		   refused_with(&r, "root already published"),
	   "another book's root: refused");
	ok(add_version(&r, A, book, V2.bytes, 0, T2, "v2") == 0 && refused_with(&r, "bad root"),
	   "an empty root: refused");
	{
		uint8_t lr[MARKET_ROOT_MAX + 1] = {0};
		ok(add_version(&r, A, book, lr, sizeof(lr), T2, "v2") == 0 && refused_with(&r, "bad root"),
		   "a root of 65 bytes: refused");
		char ll[MARKET_LABEL_MAX + 2];
		memset(ll, 'l', sizeof(ll) - 1);
		ll[sizeof(ll) - 1] = 0;
		ok(add_version(&r, A, book, V2.bytes, V2.len, T2, ll) == 0 && refused_with(&r, "label too long"),
		   "a label of 65 bytes: refused");
	}
	ok(book_stored(book, &p, 1, 0, HEIGHT, LISTING_FEE) && !ver_slot(book, 1) && !root_slot(&V2),
	   "... and the book still has one version");

	height = HEIGHT + 5;
	ok(add_version(&r, A, book, V2.bytes, V2.len, T2, "v2") == 0 && returned_u64(&r, 1),
	   "the author adds v2: index 1");
	done(&r);
	ok(book_stored(book, &p, 2, 0, HEIGHT, LISTING_FEE) &&
		   version_stored(book, 1, V2.bytes, V2.len, T2, HEIGHT + 5, "v2") && root_slot(&V2) &&
		   !memcmp(root_slot(&V2)->val, book, 32),
	   "2 versions stored; v2 with its height; its root names the book");
	ok(chain.nlog == nlog + 1 && log_version(nlog, book, 1, V2.bytes, V2.len, T2, "v2"),
	   "VersionAdded(book, rootId, 1, root, tree, label)");
	height = HEIGHT + 6;
	ok(add_version(&r, A, book, V3.bytes, V3.len, T1, "") == 0 && returned_u64(&r, 2) &&
		   log_version(nlog + 1, book, 2, V3.bytes, V3.len, T1, ""),
	   "v3 with an empty label: index 2");
	done(&r);
	ok(add_version(&r, A, book, V2.bytes, V2.len, T2, "v2") == 0 && refused_with(&r, "root already published"),
	   "adding v2 again: refused");
}

static void test_buy(void)
{
	contract_result r;
	uint8_t book[32], nobook[32] = {0};
	pubreq p = pub_of(A, "For Sale", 100, &V1);
	uint64_t s0;

	reset_chain();
	publish_or_die(&p);
	want_book(book, A, p.title);
	s0 = supply();
	size_t nlog = chain.nlog;

	ok(buy(&r, B, nobook, 100) == 0 && refused_with(&r, "no such book"), "buying no book: refused");
	ok(buy(&r, A, book, 100) == 0 && refused_with(&r, "the author cannot buy their own book"),
	   "the author buying: refused");
	ok(buy(&r, B, book, 99) == 0 && refused_with(&r, "price is 100, not 99"), "99 for 100: refused \"price is 100, not 99\"");
	ok(buy(&r, B, book, 101) == 0 && refused_with(&r, "price is 100, not 101"), "101: refused");
	ok(buy(&r, B, book, 0) == 0 && refused_with(&r, "price is 100, not 0"), "nothing sent: refused");
	ok(buy(&r, C, book, 100) == 0 && !r.ok && r.ret.len == 0 && bal(C) == 5 && bal(A) == 990 &&
		   chain.nput == undo.before.nput && chain.nlog == nlog,
	   "C with 5 cannot send 100: the chain refuses, nothing moved, nothing stored");
	done(&r);
	rollback();
	ok(has_access(book, B) == 0 && !buy_slot(book, B), "B has no access yet");

	ok(buy(&r, B, book, 100) == 0 && returned_nothing(&r), "B buys for exactly 100");
	done(&r);
	ok(bal(B) == 400 && bal(A) == 990 + 95 && bal(F) == 5 && bal(MARKET_ADDRESS) == LISTING_FEE,
	   "the author gets 95, the foundation 5 (500 bps), the market keeps only the escrow");
	ok(supply() == s0, "the supply is unchanged");
	{
		buf want = BUF_INIT;
		be64(&want, HEIGHT);
		word_u64(&want, 100);
		word_u64(&want, 5);
		ok(slot_is(buy_slot(book, B), &want), "the purchase is stored: height, price, fee");
		buf_free(&want);
	}
	ok(book_stored(book, &p, 1, 1, HEIGHT, LISTING_FEE), "the book counts 1 sale");
	ok(chain.nlog == nlog + 1 && log_purchased(nlog, book, B, A, 100, 5),
	   "Purchased(book, buyer, author, 100, 5)");
	ok(buy(&r, B, book, 100) == 0 && refused_with(&r, "already bought"), "buying again: refused");

	/* The price changed just before: the buyer's value is what they agreed to. */
	u256 np = u256_from_u64(200);
	if (set_price(&r, A, book, &np) < 0 || !r.ok)
		diag_die(LST_EFAIL, "setPrice");
	done(&r);
	fake_fund(&chain, D, 300);
	ok(buy(&r, D, book, 100) == 0 && refused_with(&r, "price is 200, not 100"),
	   "D sending the old price after a change: refused");
	ok(bal(D) == 300 && bal(A) == 1085 && !buy_slot(book, D), "... D keeps its LST, nothing is recorded");
	ok(buy(&r, D, book, 200) == 0 && returned_nothing(&r) && bal(D) == 100 && bal(A) == 1085 + 190 &&
		   bal(F) == 15,
	   "at the new price: 190 to the author, 10 to the foundation");
	done(&r);
	ok(book_stored(book, &(pubreq){A, p.title, p.details, p.label, np, p.root, p.root_len, p.tree}, 1, 2,
			       HEIGHT, LISTING_FEE),
	   "two sales");
}

static void test_access(void)
{
	contract_result r;
	uint8_t book[32], book2[32], nobook[32] = {0};
	pubreq p = pub_of(A, "Readable", 100, &V1);

	reset_chain();
	publish_or_die(&p);
	publish_or_die(&(pubreq){D, "Another", "", "x", u256_from_u64(1), V4.bytes, V4.len, T1});
	want_book(book, A, p.title);
	want_book(book2, D, "Another");
	if (add_version(&r, A, book, V2.bytes, V2.len, T2, "v2") < 0 || !r.ok)
		diag_die(LST_EFAIL, "addVersion");
	done(&r);

	ok(has_access(book, A) == 1 && can_read(A, &V1) == 1 && can_read(A, &V2) == 1,
	   "the author may read every version");
	ok(has_access(book, B) == 0 && can_read(B, &V1) == 0 && can_read(B, &V2) == 0,
	   "B before buying may not");
	ok(has_access(nobook, A) == 0 && can_read(A, &V3) == 0, "no book, an unknown root: no");
	if (buy(&r, B, book, 100) < 0 || !r.ok)
		diag_die(LST_EFAIL, "buy");
	done(&r);
	ok(has_access(book, B) == 1 && can_read(B, &V1) == 1 && can_read(B, &V2) == 1,
	   "B after buying may read both versions");
	height++;
	if (add_version(&r, A, book, V3.bytes, V3.len, T1, "v3") < 0 || !r.ok)
		diag_die(LST_EFAIL, "addVersion");
	done(&r);
	ok(can_read(B, &V3) == 1, "... and a version added after the purchase");
	ok(has_access(book, C) == 0 && can_read(C, &V1) == 0 && can_read(C, &V3) == 0, "C may not");
	ok(has_access(book2, B) == 0 && can_read(B, &V4) == 0 && can_read(D, &V4) == 1 && can_read(D, &V1) == 0,
	   "a purchase opens that book only; D reads its own book, not A's");
	u256 np = u256_from_u64(1000);
	if (set_price(&r, A, book, &np) < 0 || !r.ok)
		diag_die(LST_EFAIL, "setPrice");
	done(&r);
	ok(has_access(book, B) == 1, "a new price does not take access away");
}

static void test_views(void)
{
	contract_result r;
	uint8_t book[32], nobook[32] = {0}, rid[32];
	pubreq p = pub_of(A, "Viewed", 100, &V1);
	abi_value v[8];

	reset_chain();
	publish_or_die(&p);
	want_book(book, A, p.title);
	height = HEIGHT + 3;
	if (add_version(&r, A, book, V2.bytes, V2.len, T2, "second") < 0 || !r.ok)
		diag_die(LST_EFAIL, "addVersion");
	done(&r);
	height = HEIGHT + 9;
	if (buy(&r, B, book, 100) < 0 || !r.ok)
		diag_die(LST_EFAIL, "buy");
	done(&r);

	abi_value arg = abi_fixed_bytes(book, 32);
	ok(view(v, 8, "book(bytes32)", "address,uint256,uint256,uint256,uint256,string,string", &arg, 1) == 0 &&
		   !memcmp(v[0].addr, A, 20) && v[1].u.w[0] == 100 && v[2].u.w[0] == 2 && v[3].u.w[0] == 1 &&
		   v[4].u.w[0] == HEIGHT && v[5].len == strlen(p.title) && !memcmp(v[5].data, p.title, v[5].len) &&
		   v[6].len == strlen(p.details) && !memcmp(v[6].data, p.details, v[6].len),
	   "book(): author, price, 2 versions, 1 sale, published at its height, title, details");
	abi_free(v, 7);
	arg = abi_fixed_bytes(nobook, 32);
	ok(call(&r, C, "book(bytes32)", &arg, 1) == 0 && reverted_with(&r, "no such book"),
	   "book() of no book reverts \"no such book\"");
	done(&r);
	ok(call(&r, C, "versions(bytes32)", &arg, 1) == 0 && reverted_with(&r, "no such book"),
	   "versions() of no book too");
	done(&r);

	arg = abi_fixed_bytes(book, 32);
	ok(view(v, 4, "versions(bytes32)", "bytes[],bytes32[],string[],uint256[]", &arg, 1) == 0 &&
		   v[0].n == 2 && v[1].n == 2 && v[2].n == 2 && v[3].n == 2 &&
		   v[0].items[0].len == V1.len && !memcmp(v[0].items[0].data, V1.bytes, V1.len) &&
		   v[0].items[1].len == V2.len && !memcmp(v[0].items[1].data, V2.bytes, V2.len) &&
		   !memcmp(v[1].items[0].fixed, T1, 32) && !memcmp(v[1].items[1].fixed, T2, 32) &&
		   !strcmp((const char *)v[2].items[0].data, "v1") &&
		   !strcmp((const char *)v[2].items[1].data, "second") && v[3].items[0].u.w[0] == HEIGHT &&
		   v[3].items[1].u.w[0] == HEIGHT + 3,
	   "versions(): roots, trees, labels and heights, oldest first");
	abi_free(v, 4);

	root_id_of(rid, &V2);
	arg = abi_fixed_bytes(rid, 32);
	ok(call(&r, C, "bookOf(bytes32)", &arg, 1) == 0 && returned_word(&r, book), "bookOf(v2's id) is the book");
	done(&r);
	root_id_of(rid, &V3);
	arg = abi_fixed_bytes(rid, 32);
	ok(call(&r, C, "bookOf(bytes32)", &arg, 1) == 0 && returned_word(&r, nobook), "bookOf(an unknown root) is zero");
	done(&r);

	abi_value pa[2] = {abi_fixed_bytes(book, 32), abi_address(B)};
	ok(view(v, 3, "purchaseOf(bytes32,address)", "uint256,uint256,uint256", pa, 2) == 0 &&
		   v[0].u.w[0] == HEIGHT + 9 && v[1].u.w[0] == 100 && v[2].u.w[0] == 5,
	   "purchaseOf(book, B): height, price, fee");
	abi_free(v, 3);
	pa[1] = abi_address(C);
	ok(view(v, 3, "purchaseOf(bytes32,address)", "uint256,uint256,uint256", pa, 2) == 0 &&
		   u256_is_zero(&v[0].u) && u256_is_zero(&v[1].u) && u256_is_zero(&v[2].u),
	   "purchaseOf(book, C): zeros");
	abi_free(v, 3);

	arg = abi_fixed_bytes(book, 32);
	ok(call(&r, C, "escrowOf(bytes32)", &arg, 1) == 0 && returned_u64(&r, LISTING_FEE),
	   "escrowOf(book) is the listing fee");
	done(&r);
	arg = abi_fixed_bytes(nobook, 32);
	ok(call(&r, C, "escrowOf(bytes32)", &arg, 1) == 0 && returned_u64(&r, 0), "escrowOf(no book) is 0");
	done(&r);

	ok(view(v, 3, "fees()", "uint256,uint256,address", NULL, 0) == 0 && v[0].u.w[0] == FEE_BPS &&
		   v[1].u.w[0] == LISTING_FEE && !memcmp(v[2].addr, F, 20),
	   "fees(): service fee bps, listing fee, foundation (genesis)");
	abi_free(v, 3);
}

/* Fee rounding, a free book, a fee of 0 bps. */
static void test_money(void)
{
	contract_result r;
	uint8_t book[32];

	reset_chain();
	publish_or_die(&(pubreq){A, "Cheap", "", "v1", u256_from_u64(1), V1.bytes, V1.len, T1});
	want_book(book, A, "Cheap");
	ok(buy(&r, B, book, 1) == 0 && returned_nothing(&r) && bal(A) == 991 && bal(F) == 0 &&
		   log_purchased(chain.nlog - 1, book, B, A, 1, 0),
	   "a price of 1 photon at 500 bps: fee 0 (rounded down), 1 to the author");
	done(&r);
	publish_or_die(&(pubreq){A, "Odd", "", "v1", u256_from_u64(39), V2.bytes, V2.len, T1});
	want_book(book, A, "Odd");
	uint64_t a0 = bal(A), f0 = bal(F);
	ok(buy(&r, B, book, 39) == 0 && returned_nothing(&r) && bal(F) == f0 + 1 && bal(A) == a0 + 38 &&
		   log_purchased(chain.nlog - 1, book, B, A, 39, 1),
	   "39 at 500 bps: fee 1 (1.95 rounded down), 38 to the author");
	done(&r);

	publish_or_die(&(pubreq){D, "Free", "", "v1", u256_from_u64(0), V3.bytes, V3.len, T1});
	want_book(book, D, "Free");
	ok(has_access(book, C) == 0, "a free book: no access before buying");
	ok(buy(&r, C, book, 1) == 0 && refused_with(&r, "price is 0, not 1"), "sending 1 for a free book: refused");
	ok(buy(&r, C, book, 0) == 0 && returned_nothing(&r) && has_access(book, C) == 1 && bal(D) == 40 &&
		   bal(C) == 5 && log_purchased(chain.nlog - 1, book, C, D, 0, 0),
	   "buying a free book with nothing sent registers C; Purchased(book, C, D, 0, 0)");
	done(&r);

	bps = 0;
	publish_or_die(&(pubreq){A, "No fee", "", "v1", u256_from_u64(50), V4.bytes, V4.len, T1});
	want_book(book, A, "No fee");
	a0 = bal(A), f0 = bal(F);
	ok(buy(&r, B, book, 50) == 0 && returned_nothing(&r) && bal(A) == a0 + 50 && bal(F) == f0,
	   "a service fee of 0 bps: the whole price to the author");
	done(&r);
	bps = 10000;
	cid v5;
	cid_of(&v5, CODEC_DAG_PB, (const uint8_t *)"v5", 2);
	publish_or_die(&(pubreq){A, "All fee", "", "v1", u256_from_u64(50), v5.bytes, v5.len, T1});
	want_book(book, A, "All fee");
	a0 = bal(A), f0 = bal(F);
	ok(buy(&r, B, book, 50) == 0 && returned_nothing(&r) && bal(A) == a0 && bal(F) == f0 + 50,
	   "10000 bps: the whole price to the foundation");
	done(&r);
	ok(bal(MARKET_ADDRESS) == 5 * LISTING_FEE, "the market holds the sum of the escrows, nothing else");
}

/* 1 if calldata cd from caller with value fails (-1) once the value has moved and the state fails. */
static int fail_call(const uint8_t caller[20], uint64_t value, const buf *cd)
{
	contract_result r = {.ret = BUF_INIT};
	contract_env e = env_for(caller);
	int rc;
	e.value = u256_from_u64(value);
	undo.before = chain;
	if (fake_transfer(&chain, caller, MARKET_ADDRESS, &e.value))
		diag_die(LST_EFAIL, "the caller cannot pay the value");
	chain.fail = true;
	rc = market_contract.call(&r, &e, cd->p, cd->len);
	chain.fail = false;
	done(&r);
	rollback();
	return rc < 0;
}

/* Read-only calls refuse writes; a failing state fails the call, never a revert. */
static void test_readonly_and_failures(void)
{
	contract_result r;
	uint8_t book[32], rid[32], sig[65], hash[32];
	pubreq p = pub_of(A, "Fragile", 100, &V1);
	buf cd = BUF_INIT;

	reset_chain();
	publish_or_die(&p);
	want_book(book, A, p.title);
	root_id_of(rid, &V1);

	/* Read-only: publish, setPrice, addVersion, buy. */
	pubreq q = pub_of(B, "Readonly", 1, &V2);
	want_terms(hash, &q, CHAIN_ID);
	fake_sign32(sig, privF, hash);
	abi_value pa[7] = {abi_string(q.title), abi_string(q.details), abi_u256(&q.price),
			   abi_bytes(q.root, q.root_len), abi_fixed_bytes(q.tree, 32), abi_string(q.label),
			   abi_bytes(sig, 65)};
	if (abi_encode_call(&cd, "publish(string,string,uint256,bytes,bytes32,string,bytes)", pa, 7) < 0)
		diag_die(LST_EFAIL, "encode");
	contract_env env = env_for(B);
	env.value = u256_from_u64(LISTING_FEE);
	env.readonly = true;
	ok(call_env(&r, &env, cd.p, cd.len) == 0 && refused_with(&r, "state change in a read-only call"),
	   "publish in a read-only call: refused");
	buf_reset(&cd);
	abi_value ba = abi_fixed_bytes(book, 32);
	if (abi_encode_call(&cd, "buy(bytes32)", &ba, 1) < 0)
		diag_die(LST_EFAIL, "encode");
	env.value = u256_from_u64(100);
	ok(call_env(&r, &env, cd.p, cd.len) == 0 && refused_with(&r, "state change in a read-only call"),
	   "buy in a read-only call: refused");
	buf_reset(&cd);
	u256 np = u256_from_u64(7);
	abi_value sa[2] = {abi_fixed_bytes(book, 32), abi_u256(&np)};
	if (abi_encode_call(&cd, "setPrice(bytes32,uint256)", sa, 2) < 0)
		diag_die(LST_EFAIL, "encode");
	env = env_for(A);
	env.readonly = true;
	ok(call_env(&r, &env, cd.p, cd.len) == 0 && refused_with(&r, "state change in a read-only call"),
	   "setPrice in a read-only call: refused");
	buf_reset(&cd);
	abi_value va[4] = {abi_fixed_bytes(book, 32), abi_bytes(V2.bytes, V2.len), abi_fixed_bytes(T2, 32),
			   abi_string("v2")};
	if (abi_encode_call(&cd, "addVersion(bytes32,bytes,bytes32,string)", va, 4) < 0)
		diag_die(LST_EFAIL, "encode");
	ok(call_env(&r, &env, cd.p, cd.len) == 0 && refused_with(&r, "state change in a read-only call"),
	   "addVersion in a read-only call: refused");
	ok(call_env(&r, &env, cd.p, cd.len - 1) == 0 &&
		   reverted_with(&r, "state change in a read-only call"),
	   "... before its arguments are read");
	done(&r);
	env.readonly = false;
	ok(call_env(&r, &env, cd.p, cd.len - 32) == 0 &&
		   refused_with(&r, "invalid arguments for addVersion(bytes32,bytes,bytes32,string)"),
	   "addVersion with truncated arguments: refused");
	ok(has_access(book, B) == 0 && book_stored(book, &p, 1, 0, HEIGHT, LISTING_FEE) && chain.nlog == 2,
	   "nothing changed");

	/* The state fails: every function that reads it fails, buy and publish after their value moved. */
	u256 one = u256_from_u64(1);
	abi_value a1 = abi_fixed_bytes(book, 32), a2[2] = {abi_fixed_bytes(book, 32), abi_address(B)},
		  a3[2] = {abi_address(B), abi_fixed_bytes(rid, 32)}, a4[2] = {abi_address(A), abi_string("x")};
	int failed = 0;
	buf_reset(&cd);
	if (abi_encode_call(&cd, "publish(string,string,uint256,bytes,bytes32,string,bytes)", pa, 7) < 0)
		diag_die(LST_EFAIL, "encode");
	failed += fail_call(B, LISTING_FEE, &cd);
	buf_reset(&cd);
	if (abi_encode_call(&cd, "buy(bytes32)", &a1, 1) < 0)
		diag_die(LST_EFAIL, "encode");
	failed += fail_call(B, 100, &cd);
	chain.fail = true;
	failed += set_price(&r, A, book, &one) < 0, done(&r);
	failed += add_version(&r, A, book, V2.bytes, V2.len, T2, "v2") < 0, done(&r);
	failed += call(&r, C, "hasAccess(bytes32,address)", a2, 2) < 0, done(&r);
	failed += call(&r, C, "canRead(address,bytes32)", a3, 2) < 0, done(&r);
	failed += call(&r, C, "book(bytes32)", &a1, 1) < 0, done(&r);
	failed += call(&r, C, "versions(bytes32)", &a1, 1) < 0, done(&r);
	failed += call(&r, C, "bookOf(bytes32)", &a1, 1) < 0, done(&r);
	failed += call(&r, C, "purchaseOf(bytes32,address)", a2, 2) < 0, done(&r);
	failed += call(&r, C, "escrowOf(bytes32)", &a1, 1) < 0, done(&r);
	ok(failed == 11, "with a failing state every function reading it returns -1 (%d of 11)", failed);
	abi_value v[3];
	ok(view(v, 3, "fees()", "uint256,uint256,address", NULL, 0) == 0 && v[1].u.w[0] == LISTING_FEE,
	   "fees() and bookId() read no state: they answer");
	abi_free(v, 3);
	ok(call(&r, C, "bookId(address,string)", a4, 2) == 0 && r.ok, "... bookId too");
	done(&r);
	chain.fail = false;
	buf_free(&cd);
	ok(has_access(book, B) == 0 && book_stored(book, &p, 1, 0, HEIGHT, LISTING_FEE) && chain.nlog == 2 &&
		   bal(B) == 500,
	   "and nothing changed");

	/* A record that is not the market's fails the call. */
	{
		uint8_t key[37];
		memcpy(key, "book:", 5);
		memcpy(key + 5, book, 32);
		fake_slot *s = fake_find_slot(&chain, MARKET_ADDRESS, key, 37);
		size_t keep = s ? s->vlen : 0;
		if (s)
			s->vlen = 109;
		ok(s && has_access(book, A) == -1, "a book record shorter than its fixed part fails the call");
		if (s)
			s->vlen = 110 + strlen(p.title) - 1;
		ok(s && has_access(book, A) == -1, "... and one cut inside its title");
		if (s)
			s->vlen = keep;
		ok(has_access(book, A) == 1, "... and restored, it answers");
		/* A root that names no book. */
		uint8_t rkey[37], other[32];
		memcpy(rkey, "root:", 5);
		root_id_of(rkey + 5, &V3);
		memset(other, 0x99, 32);
		if (fake_storage_put(&chain, MARKET_ADDRESS, rkey, 37, other, 32) < 0)
			diag_die(LST_EFAIL, "put");
		ok(can_read(A, &V3) == -1, "a root whose book is missing fails canRead");
		if (fake_storage_put(&chain, MARKET_ADDRESS, rkey, 37, other, 31) < 0)
			diag_die(LST_EFAIL, "put");
		ok(can_read(A, &V3) == -1, "... and so does a root record that is not 32 bytes");
	}
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
		snprintf(want, sizeof(want), "0xa7b88506000000000000000000000000%s%s",
			 "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a", w + 2);
		ok(j && !strcmp(json_string_value(json_object_get(j, "method")), "eth_call") && to &&
			   !strcmp(to, "0x4c53540000000000000000000000000000000004") && data &&
			   !strcmp(data, want) && tag && !strcmp(tag, "latest"),
		   "the request is eth_call to the market of canRead(addr, root_id(root)) at latest");
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
	memset(T1, 0x71, 32);
	memset(T2, 0x72, 32);
	for (int i = 0; i < 32; i++) {
		priv1[i] = (uint8_t)(i + 1), priv2[i] = (uint8_t)(0x80 - i);
		privF[i] = (uint8_t)(0x40 + i), privX[i] = (uint8_t)(0x10 + 2 * i);
	}
	if (secp_address_from_priv(F, privF) < 0 || secp_address_from_priv(X, privX) < 0)
		diag_die(LST_EFAIL, "keys");
	cid_of(&V1, CODEC_DAG_PB, (const uint8_t *)"v1", 2);
	cid_of(&V2, CODEC_DAG_PB, (const uint8_t *)"v2", 2);
	cid_of(&V3, CODEC_DAG_PB, (const uint8_t *)"v3", 2);
	cid_of(&V4, CODEC_DAG_PB, (const uint8_t *)"v4", 2);
	cid_of(&root1, CODEC_RAW, (const uint8_t *)"hello", 5);
	cid_of(&root2, CODEC_DAG_PB, (const uint8_t *)"world", 5);
	if (cid_parse(&root0, "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG") < 0)
		diag_die(LST_EFAIL, "cid_parse of a CIDv0");

	test_registry();
	test_abi_json();
	test_ids();
	test_publish();
	test_set_price();
	test_add_version();
	test_buy();
	test_access();
	test_views();
	test_money();
	test_readonly_and_failures();
	test_root_id();
	test_proofs();
	test_check();
	return unit_done();
}
