/*
 * The market's client side (lib/book.c): ids, terms and their JSON, the
 * foundation's co-signature, calldata. Expected values are computed here
 * from the formulas of contracts/market.h, independently of book.c, and
 * checked against ethers v6 (solidityPackedKeccak256, signMessage,
 * Interface.encodeFunctionData) for one set of terms.
 */
#include "lst.h"
#include "unit.h"
#include "abi.h"
#include "addr.h"
#include "book.h"
#include "buf.h"
#include "cid.h"
#include "contract.h"
#include "diag.h"
#include "fakeenv.h"
#include "hex.h"
#include "home.h"
#include "jsonio.h"
#include "keccak.h"
#include "keyring.h"
#include "market.h"
#include "msg.h"
#include "rpcclient.h"
#include "secp.h"
#include "tx.h"

#include <microhttpd.h>
#include <strings.h>
#include <unistd.h>

/* From ethers v6 for the terms of sample() (see the file comment). */
#define ETH_BOOK "0x1f04a723706dc8114529a89338974c611387e172f4fdf80d3d02254f74e17902"
#define ETH_TERMS "0x0c327357fb4201b49b64a33c4d563de0aa977147c221e17b213af2ee0847d92f"
#define ETH_SIG                                                                                            \
	"0x1efc336a4de497f6b53acd38dbd937d13a190b04c5023316bcd3f81f7673609f70bb922c54fab411f903013b6d4f5e34af" \
	"b0d44985b5766ce517867d68db78821b"
#define ETH_PUBLISH_KECCAK "0x343d77716874289a8c987c3961e3dae046680caf0ea38d26018cc7292f4e7973"
#define TITLE "A Book \xc3\xa9"

static uint8_t KEY1[32], KEY2[32], ADDR1[20], ADDR2[20];

static bool hex_is(const uint8_t *p, size_t len, const char *want)
{
	char *h = hex_encode_alloc(p, len);
	bool same = !strcmp(h, want);
	if (!same)
		diagf("got %s, want %s", h, want);
	free(h);
	return same;
}

/* The sample terms, finished. */
static void sample(book_terms *t)
{
	memset(t, 0, sizeof(*t));
	t->chain_id = 4242;
	memset(t->author, 0x11, 20);
	t->title = xstrdup(TITLE);
	t->details = xstrdup("{\"blurb\":\"x\"}");
	t->price = u256_from_u64(1500000000000000000ULL);
	cid_of(&t->root, CODEC_RAW, (const uint8_t *)"hello", 5);
	memset(t->tree, 0x22, 32);
	t->label = xstrdup("v1.0");
	if (book_terms_finish(t) < 0)
		diag_die(LST_EFAIL, "the sample terms do not finish");
}

static void put_be(uint8_t *p, uint64_t x)
{
	memset(p, 0, 32);
	for (int i = 0; i < 8; i++)
		p[31 - i] = (uint8_t)(x >> (8 * i));
}

static void test_ids(void)
{
	uint8_t a[20], got[32], want[32], back[32];
	char s[67];
	buf cat = BUF_INIT;
	memset(a, 0xab, 20);
	const char *titles[] = {"t", TITLE, "a title of some length, with commas, and \"quotes\""};
	int bad = 0;
	for (size_t i = 0; i < ARRAY_SIZE(titles); i++) {
		buf_reset(&cat);
		buf_adds(&cat, "lst-book-v1");
		buf_add(&cat, a, 20);
		buf_adds(&cat, titles[i]);
		keccak256(want, cat.p, cat.len);
		book_id(got, a, titles[i]);
		bad += memcmp(got, want, 32) != 0;
	}
	ok(!bad, "book_id is keccak256 of \"lst-book-v1\" || author || title");
	book_id(got, a, "t");
	book_id(want, a, "T");
	ok(memcmp(got, want, 32), "another title, another book");
	a[19] ^= 1;
	book_id(want, a, "t");
	ok(memcmp(got, want, 32), "another author, another book");

	book_terms t;
	sample(&t);
	ok(hex_is(t.book, 32, ETH_BOOK), "book id as ethers' solidityPackedKeccak256 computes it");

	book_id_str(s, got);
	ok(strlen(s) == 66 && book_id_parse(back, s) == 0 && !memcmp(back, got, 32), "book id string round trip");
	diag_set_quiet(true);
	s[65] = 0;
	int r1 = book_id_parse(back, s);
	s[65] = 'g';
	int r2 = book_id_parse(back, s);
	int r3 = book_id_parse(back, s + 2);
	diag_set_quiet(false);
	ok(r1 < 0 && r2 < 0 && r3 < 0 && diag_status() == LST_EINVALID,
	   "book ids short, non-hex or without 0x refused (exit 6)");
	book_terms_free(&t);
	buf_free(&cat);
}

/* The terms hash from its definition in market.h, built here. */
static void terms_by_hand(uint8_t out[32], const book_terms *t)
{
	buf b = BUF_INIT;
	uint8_t w[32];
	buf_adds(&b, "lst-publish-v1");
	put_be(w, t->chain_id);
	buf_add(&b, w, 32);
	buf_add(&b, MARKET_ADDRESS, 20);
	buf_add(&b, t->author, 20);
	book_id(w, t->author, t->title);
	buf_add(&b, w, 32);
	u256_to_be32(w, &t->price);
	buf_add(&b, w, 32);
	keccak256(w, t->root.bytes, t->root.len);
	buf_add(&b, w, 32);
	buf_add(&b, t->tree, 32);
	keccak256(w, (const uint8_t *)t->details, strlen(t->details));
	buf_add(&b, w, 32);
	keccak256(w, (const uint8_t *)t->label, strlen(t->label));
	buf_add(&b, w, 32);
	keccak256(out, b.p, b.len);
	buf_free(&b);
}

static void test_terms_hash(void)
{
	book_terms t;
	uint8_t want[32], first[32];
	sample(&t);
	terms_by_hand(want, &t);
	ok(!memcmp(t.hash, want, 32), "terms hash is the concatenation of market.h, hashed");
	ok(hex_is(t.hash, 32, ETH_TERMS), "terms hash as ethers computes it");
	memcpy(first, t.hash, 32);

	/* Every field is bound: changing any one changes the hash. */
	int unbound = 0;
	for (int f = 0; f < 8; f++) {
		book_terms u;
		sample(&u);
		switch (f) {
		case 0: u.chain_id++; break;
		case 1: u.author[0] ^= 1; break;
		case 2: u.title[0] = 'B'; break;
		case 3: u.details[2] = 'c'; break;
		case 4: u.price.w[0]++; break;
		case 5: cid_of(&u.root, CODEC_RAW, (const uint8_t *)"hellp", 5); break;
		case 6: u.tree[31] ^= 1; break;
		case 7: u.label[3] = '1'; break;
		}
		if (book_terms_finish(&u) < 0 || !memcmp(u.hash, first, 32)) {
			diagf("field %d is not bound", f);
			unbound++;
		}
		terms_by_hand(want, &u);
		unbound += memcmp(u.hash, want, 32) != 0;
		book_terms_free(&u);
	}
	ok(!unbound, "each of the 8 fields changes the hash, as the hand-built concatenation does");

	/* No details and no label mean "". */
	book_terms e;
	memset(&e, 0, sizeof(e));
	e.chain_id = 1;
	e.title = xstrdup("x");
	cid_of(&e.root, CODEC_RAW, (const uint8_t *)"x", 1);
	ok(book_terms_finish(&e) == 0 && e.details && !strcmp(e.details, "") && e.label && !strcmp(e.label, ""),
	   "finish: details and label default to \"\"");
	terms_by_hand(want, &e);
	ok(!memcmp(e.hash, want, 32), "the terms hash with empty details and label");
	book_terms_free(&e);
	book_terms_free(&t);
}

/* finish refuses: returns whether it did with exit 6. */
static bool finish_refuses(book_terms *t)
{
	diag_set_quiet(true);
	diag_set_status(LST_OK);
	int r = book_terms_finish(t);
	diag_set_quiet(false);
	return r < 0 && diag_status() == LST_EINVALID;
}

static void test_limits(void)
{
	book_terms t;
	char *big;
	int good = 0;

	sample(&t);
	free(t.title);
	t.title = xstrdup("");
	good += finish_refuses(&t);
	book_terms_free(&t);

	sample(&t);
	free(t.title);
	big = xmalloc(MARKET_TITLE_MAX + 2);
	memset(big, 'a', MARKET_TITLE_MAX + 1);
	big[MARKET_TITLE_MAX + 1] = 0;
	t.title = big;
	good += finish_refuses(&t);
	big[MARKET_TITLE_MAX] = 0;
	good += book_terms_finish(&t) == 0; /* exactly 200 bytes */
	book_terms_free(&t);

	sample(&t);
	free(t.details);
	big = xmalloc(MARKET_DETAILS_MAX + 2);
	memset(big, 'd', MARKET_DETAILS_MAX + 1);
	big[MARKET_DETAILS_MAX + 1] = 0;
	t.details = big;
	good += finish_refuses(&t);
	big[MARKET_DETAILS_MAX] = 0;
	good += book_terms_finish(&t) == 0;
	book_terms_free(&t);

	sample(&t);
	free(t.label);
	big = xmalloc(MARKET_LABEL_MAX + 2);
	memset(big, 'l', MARKET_LABEL_MAX + 1);
	big[MARKET_LABEL_MAX + 1] = 0;
	t.label = big;
	good += finish_refuses(&t);
	big[MARKET_LABEL_MAX] = 0;
	good += book_terms_finish(&t) == 0;
	book_terms_free(&t);

	sample(&t);
	t.price.w[2] = 1; /* 2^128 */
	good += finish_refuses(&t);
	t.price.w[2] = 0;
	t.price.w[0] = t.price.w[1] = UINT64_MAX; /* 2^128-1 */
	good += book_terms_finish(&t) == 0;
	book_terms_free(&t);

	sample(&t);
	t.root.len = 0;
	good += finish_refuses(&t);
	book_terms_free(&t);

	sample(&t);
	t.chain_id = 0;
	good += finish_refuses(&t);
	book_terms_free(&t);
	ok(good == 11, "limits: title 1..200, details <= 16384, label <= 64, price < 2^128, a root, a chain id "
		       "(%d of 11)", good);
}

/* Parse j (stolen); return whether it was refused with exit 6, t left empty. */
static bool json_refuses(json_t *j)
{
	book_terms t;
	diag_set_quiet(true);
	diag_set_status(LST_OK);
	int r = book_terms_from_json(&t, j);
	diag_set_quiet(false);
	bool refused = r < 0 && diag_status() == LST_EINVALID && !t.title && !t.details && !t.label;
	if (r == 0)
		book_terms_free(&t);
	json_decref(j);
	return refused;
}

/* A copy of the sample's JSON with key set to v (NULL: removed). */
static json_t *altered(const char *key, json_t *v)
{
	book_terms t;
	sample(&t);
	json_t *j = book_terms_json(&t);
	book_terms_free(&t);
	if (v)
		json_object_set_new(j, key, v);
	else
		json_object_del(j, key);
	return j;
}

static void test_json(void)
{
	book_terms t, u;
	sample(&t);
	json_t *j = book_terms_json(&t);
	char author[ADDR_STR], market[ADDR_STR], root[CID_STR_MAX];
	addr_to_str(author, t.author);
	addr_to_str(market, MARKET_ADDRESS);
	cid_str(root, &t.root);
	ok(json_integer_value(json_object_get(j, "chain_id")) == 4242 &&
	   !strcmp(json_string_value(json_object_get(j, "market")), market) && !strcasecmp(market, "0x4c53540000000000000000000000000000000004") &&
	   !strcmp(json_string_value(json_object_get(j, "author")), author) &&
	   !strcmp(json_string_value(json_object_get(j, "book")), ETH_BOOK) &&
	   !strcmp(json_string_value(json_object_get(j, "title")), TITLE) &&
	   !strcmp(json_string_value(json_object_get(j, "details")), "{\"blurb\":\"x\"}") &&
	   !strcmp(json_string_value(json_object_get(j, "price")), "1500000000000000000") &&
	   !strcmp(json_string_value(json_object_get(j, "root")), root) && root[0] == 'b' &&
	   !strcmp(json_string_value(json_object_get(j, "tree")), "0x2222222222222222222222222222222222222222222222222222222222222222") &&
	   !strcmp(json_string_value(json_object_get(j, "label")), "v1.0") &&
	   !strcmp(json_string_value(json_object_get(j, "terms_hash")), ETH_TERMS) && json_object_size(j) == 11,
	   "terms JSON: the 11 keys of book.h, price in Photons, root a CIDv1 string");

	ok(book_terms_from_json(&u, j) == 0 && u.chain_id == t.chain_id && !memcmp(u.author, t.author, 20) &&
	   !memcmp(u.book, t.book, 32) && !strcmp(u.title, t.title) && !strcmp(u.details, t.details) &&
	   !u256_cmp(&u.price, &t.price) && cid_equal(&u.root, &t.root) && !memcmp(u.tree, t.tree, 32) &&
	   !strcmp(u.label, t.label) && !memcmp(u.hash, t.hash, 32),
	   "terms JSON round trip");
	json_t *again = book_terms_json(&u);
	ok(json_equal(again, j), "the parsed terms print the same JSON");
	json_decref(again);
	book_terms_free(&u);

	/* Stated ids are optional (computed) but never wrong. */
	json_t *bare = json_deep_copy(j);
	json_object_del(bare, "book");
	json_object_del(bare, "terms_hash");
	ok(book_terms_from_json(&u, bare) == 0 && !memcmp(u.hash, t.hash, 32) && !memcmp(u.book, t.book, 32),
	   "without book and terms_hash they are computed");
	book_terms_free(&u);
	json_decref(bare);

	json_t *lower = json_deep_copy(j);
	json_object_set_new(lower, "author", json_string("0x1111111111111111111111111111111111111111"));
	ok(book_terms_from_json(&u, lower) == 0 && !memcmp(u.hash, t.hash, 32), "an all-lowercase author is the same");
	book_terms_free(&u);
	json_decref(lower);

	/* Forgeries: a stated id that the fields do not make. */
	char h[67];
	uint8_t x[32];
	memcpy(x, t.book, 32);
	x[0] ^= 1;
	hex_encode(h, x, 32);
	ok(json_refuses(altered("book", json_string(h))), "an altered book id is refused");
	memcpy(x, t.hash, 32);
	x[31] ^= 0x80;
	hex_encode(h, x, 32);
	ok(json_refuses(altered("terms_hash", json_string(h))), "an altered terms_hash is refused");
	ok(json_refuses(altered("price", json_string("1500000000000000001"))), "a changed price under the old hash is refused");
	ok(json_refuses(altered("label", json_string("v1.1"))), "a changed label under the old hash is refused");
	ok(json_refuses(altered("title", json_string("A Book"))), "a changed title under the old book and hash is refused");
	char r2[CID_STR_MAX];
	cid c2;
	cid_of(&c2, CODEC_RAW, (const uint8_t *)"hellp", 5);
	cid_str(r2, &c2);
	ok(json_refuses(altered("root", json_string(r2))), "a changed root under the old hash is refused");
	ok(json_refuses(altered("chain_id", json_integer(4243))), "a changed chain id under the old hash is refused");

	/* Malformed fields and documents. */
	int bad = 0, cases = 0;
	struct {
		const char *key;
		json_t *v;
	} m[] = {
		{"chain_id", NULL},
		{"chain_id", json_string("4242")},
		{"chain_id", json_integer(0)},
		{"chain_id", json_integer(-1)},
		{"market", json_string("0x4c53540000000000000000000000000000000005")},
		{"market", NULL},
		{"author", json_string("0x11111111111111111111111111111111111111")},
		{"author", json_string("0x1111111111111111111111111111111111111111 ")},
		{"author", json_integer(1)},
		{"title", NULL},
		{"title", json_string("")},
		{"title", json_stringn("A\0Book", 6)},
		{"details", NULL},
		{"details", json_object()},
		{"label", NULL},
		{"price", NULL},
		{"price", json_integer(15)},
		{"price", json_string("1.5")},
		{"price", json_string("-1")},
		{"price", json_string("0x10")},
		{"price", json_string("340282366920938463463374607431768211456")}, /* 2^128 */
		{"root", NULL},
		{"root", json_string("bafy-not-a-cid")},
		{"root", json_string("")},
		{"tree", json_string("0x22")},
		{"tree", json_string("2222222222222222222222222222222222222222222222222222222222222222")},
		{"tree", NULL},
		{"book", json_string("0x1f04")},
		{"terms_hash", json_integer(7)},
		{"extra", json_string("x")},
	};
	for (size_t i = 0; i < ARRAY_SIZE(m); i++) {
		json_t *d = altered(m[i].key, m[i].v);
		cases++;
		if (!json_refuses(d)) {
			diagf("malformed case %zu (%s) accepted", i, m[i].key);
			bad++;
		}
	}
	ok(!bad, "%d malformed documents refused (missing, mistyped, out of range, unknown keys)", cases);
	json_t *arr = json_array();
	ok(json_refuses(arr), "a JSON array is refused");

	/* Limits through JSON, with a genuine hash: still refused. */
	char *longlabel = xmalloc(MARKET_LABEL_MAX + 2);
	memset(longlabel, 'l', MARKET_LABEL_MAX + 1);
	longlabel[MARKET_LABEL_MAX + 1] = 0;
	json_t *ll = altered("label", json_string(longlabel));
	json_object_del(ll, "terms_hash");
	ok(json_refuses(ll), "a 65-byte label is refused");
	free(longlabel);
	json_decref(j);
	book_terms_free(&t);
}

static void test_cosign(void)
{
	book_terms t, u;
	uint8_t sig[65], want[65];
	sample(&t);
	ok(book_cosign(sig, KEY1, &t) == 0, "cosign with key 1");
	ok(hex_decode(want, 65, ETH_SIG) == 0 && !memcmp(sig, want, 65), "the signature is ethers' signMessage of the 32 bytes");
	ok(book_cosig_verify(sig, &t, ADDR1) == 0, "it verifies as key 1's");
	ok(book_cosig_verify(sig, &t, ADDR2) < 0, "it is not key 2's");
	uint8_t s2[65];
	ok(book_cosign(s2, KEY2, &t) == 0 && book_cosig_verify(s2, &t, ADDR1) < 0 && book_cosig_verify(s2, &t, ADDR2) == 0,
	   "key 2's co-signature is not the foundation's (key 1)");

	/* The same signature over altered terms. */
	int fooled = 0;
	for (int f = 0; f < 4; f++) {
		sample(&u);
		if (f == 0)
			u.price.w[0] += 1;
		else if (f == 1)
			u.label[0] = 'w';
		else if (f == 2)
			cid_of(&u.root, CODEC_RAW, (const uint8_t *)"hellp", 5);
		else
			u.author[5] ^= 4;
		if (book_terms_finish(&u) < 0 || book_cosig_verify(sig, &u, ADDR1) == 0)
			fooled++;
		book_terms_free(&u);
	}
	ok(!fooled, "the signature does not verify for altered price, label, root or author");

	memcpy(s2, sig, 65);
	s2[64] = 29;
	ok(book_cosig_verify(s2, &t, ADDR1) < 0, "v = 29 refused");
	s2[64] = sig[64] == 27 ? 28 : 27;
	ok(book_cosig_verify(s2, &t, ADDR1) < 0, "the other v recovers someone else");
	s2[64] = sig[64] - 27;
	ok(book_cosig_verify(s2, &t, ADDR1) == 0, "v as 0/1 accepted, as msg_recover does");
	memcpy(s2, sig, 65);
	s2[10] ^= 1;
	ok(book_cosig_verify(s2, &t, ADDR1) < 0, "an altered r refused");
	memset(s2, 0, 65);
	s2[64] = 27;
	ok(book_cosig_verify(s2, &t, ADDR1) < 0, "a zero signature refused");
	book_terms_free(&t);
}

static void test_calldata(void)
{
	book_terms t;
	uint8_t sig[65], sel[4], k[32];
	abi_value v[8];
	size_t n;
	buf cd = BUF_INIT;
	sample(&t);
	if (book_cosign(sig, KEY1, &t) < 0)
		diag_die(LST_EFAIL, "cannot sign");

	ok(book_call_publish(&cd, &t, sig) == 0, "publish calldata");
	abi_selector(sel, "publish(string,string,uint256,bytes,bytes32,string,bytes)");
	keccak256(k, cd.p, cd.len);
	ok(hex_is(k, 32, ETH_PUBLISH_KECCAK), "publish calldata is what ethers' Interface encodes");
	ok(cd.len > 4 && !memcmp(cd.p, sel, 4) &&
	   abi_decode(v, 8, &n, "string,string,uint256,bytes,bytes32,string,bytes", cd.p + 4, cd.len - 4) == 0 &&
	   n == 7 && v[0].len == strlen(TITLE) && !memcmp(v[0].data, TITLE, v[0].len) &&
	   !strcmp((const char *)v[1].data, t.details) && !u256_cmp(&v[2].u, &t.price) &&
	   v[3].len == t.root.len && !memcmp(v[3].data, t.root.bytes, t.root.len) && !memcmp(v[4].fixed, t.tree, 32) &&
	   !strcmp((const char *)v[5].data, "v1.0") && v[6].len == 65 && !memcmp(v[6].data, sig, 65),
	   "publish decodes back to title, details, price, root bytes, tree, label, signature");
	abi_free(v, n);

	u256 p = u256_from_u64(777);
	buf_reset(&cd);
	abi_selector(sel, "setPrice(bytes32,uint256)");
	ok(book_call_set_price(&cd, t.book, &p) == 0 && !memcmp(cd.p, sel, 4) && cd.len == 68 &&
	   abi_decode(v, 2, &n, "bytes32,uint256", cd.p + 4, cd.len - 4) == 0 && !memcmp(v[0].fixed, t.book, 32) &&
	   !u256_cmp(&v[1].u, &p),
	   "setPrice(book, 777)");
	abi_free(v, n);
	p.w[2] = 1;
	size_t before = cd.len;
	diag_set_quiet(true);
	ok(book_call_set_price(&cd, t.book, &p) < 0 && cd.len == before, "setPrice of 2^128 refused, nothing appended");
	diag_set_quiet(false);

	cid r2;
	cid_of(&r2, CODEC_DAG_PB, (const uint8_t *)"v2", 2);
	uint8_t tree2[32];
	memset(tree2, 0x33, 32);
	buf_reset(&cd);
	abi_selector(sel, "addVersion(bytes32,bytes,bytes32,string)");
	ok(book_call_add_version(&cd, t.book, &r2, tree2, "v2.0") == 0 && !memcmp(cd.p, sel, 4) &&
	   abi_decode(v, 4, &n, "bytes32,bytes,bytes32,string", cd.p + 4, cd.len - 4) == 0 &&
	   !memcmp(v[0].fixed, t.book, 32) && v[1].len == r2.len && !memcmp(v[1].data, r2.bytes, r2.len) &&
	   !memcmp(v[2].fixed, tree2, 32) && !strcmp((const char *)v[3].data, "v2.0"),
	   "addVersion(book, root bytes, tree, label)");
	abi_free(v, n);
	char label[MARKET_LABEL_MAX + 2];
	memset(label, 'x', sizeof(label) - 1);
	label[sizeof(label) - 1] = 0;
	before = cd.len;
	diag_set_quiet(true);
	int r = book_call_add_version(&cd, t.book, &r2, tree2, label);
	cid empty = {.len = 0};
	int r3 = book_call_add_version(&cd, t.book, &empty, tree2, "x");
	diag_set_quiet(false);
	ok(r < 0 && r3 < 0 && cd.len == before, "addVersion with a 65-byte label or an empty root refused");

	buf_reset(&cd);
	abi_selector(sel, "buy(bytes32)");
	ok(book_call_buy(&cd, t.book) == 0 && cd.len == 36 && !memcmp(cd.p, sel, 4) && !memcmp(cd.p + 4, t.book, 32),
	   "buy(book)");

	buf_free(&cd);
	book_terms_free(&t);
}

/* ---- against the market contract (contracts/market.c) on the fake chain ---- */

#define CHAIN_ID 4242
#define LISTING_FEE 1000
#define FEE_BPS 250

static fake_chain chain, scratch;

static contract_env market_env(fake_chain *f, const uint8_t caller[20], const u256 *value, uint64_t height)
{
	contract_env e = fake_env(f, MARKET_ADDRESS, caller, height);
	e.chain_id = CHAIN_ID;
	e.foundation = ADDR1;
	e.service_fee_bps = FEE_BPS;
	e.listing_fee = u256_from_u64(LISTING_FEE);
	e.value = *value;
	return e;
}

/* A call as the chain makes it: the value moves first. -1 if the state failed. */
static int market_run(contract_result *r, fake_chain *f, const uint8_t from[20], const u256 *value,
		      const uint8_t *data, size_t len, uint64_t height)
{
	contract_env e = market_env(f, from, value, height);
	r->ok = false;
	r->ret = (buf)BUF_INIT;
	if (!u256_is_zero(value) && fake_transfer(f, from, MARKET_ADDRESS, value) != 0) {
		abi_revert(&r->ret, "insufficient funds");
		return 0;
	}
	return contract_find(MARKET_ADDRESS)->call(r, &e, data, len);
}

static void test_contract_accepts(void)
{
	book_terms t;
	uint8_t sig[65], h[32], b[32];
	buf cd = BUF_INIT;
	contract_result r;
	sample(&t);
	memcpy(t.author, ADDR2, 20);
	t.chain_id = CHAIN_ID;
	if (book_terms_finish(&t) < 0)
		diag_die(LST_EFAIL, "cannot finish");
	market_book_id(b, t.author, t.title, strlen(t.title));
	market_terms m = {t.chain_id, {0}, {0}, t.price, t.root.bytes, t.root.len, {0}, t.details, strlen(t.details),
			  t.label, strlen(t.label)};
	memcpy(m.author, t.author, 20);
	memcpy(m.book, t.book, 32);
	memcpy(m.tree, t.tree, 32);
	market_terms_hash(h, &m);
	ok(!memcmp(b, t.book, 32) && !memcmp(h, t.hash, 32), "book_id and the terms hash are the contract's");

	memset(&chain, 0, sizeof(chain));
	fake_fund(&chain, ADDR2, 5000);
	u256 fee = u256_from_u64(LISTING_FEE);
	int bad = 0;
	/* Another key's co-signature, then the foundation's. */
	if (book_cosign(sig, KEY2, &t) < 0 || book_call_publish(&cd, &t, sig) < 0)
		diag_die(LST_EFAIL, "cannot build publish");
	scratch = chain;
	bad += market_run(&r, &scratch, ADDR2, &fee, cd.p, cd.len, 10) < 0 || !reverted_with(&r, "bad foundation signature");
	buf_free(&r.ret);
	buf_reset(&cd);
	if (book_cosign(sig, KEY1, &t) < 0 || book_call_publish(&cd, &t, sig) < 0)
		diag_die(LST_EFAIL, "cannot build publish");
	bad += market_run(&r, &chain, ADDR2, &fee, cd.p, cd.len, 10) < 0 || !r.ok;
	ok(!bad && r.ret.len == 32 && !memcmp(r.ret.p, t.book, 32),
	   "the contract accepts book_call_publish with book_cosign by the foundation (and returns the book), "
	   "not with another key's");
	buf_free(&r.ret);
	buf_free(&cd);
	book_terms_free(&t);
}

/* The fake node: JSON-RPC over the fake chain, one request at a time. */
static struct {
	uint64_t height;
	int sent;          /* eth_sendRawTransaction calls */
	bool lie;          /* eth_call answers success without running */
	json_t *receipts;  /* hash -> receipt */
	struct {
		uint8_t addr[20];
		uint64_t nonce;
	} nonces[8];
	size_t nnonces;
	uint64_t log_height[ARRAY_SIZE(((fake_chain *)0)->logs)];
	uint8_t log_tx[ARRAY_SIZE(((fake_chain *)0)->logs)][32];
} node;

static uint64_t *nonce_of(const uint8_t a[20])
{
	for (size_t i = 0; i < node.nnonces; i++)
		if (!memcmp(node.nonces[i].addr, a, 20))
			return &node.nonces[i].nonce;
	if (node.nnonces == ARRAY_SIZE(node.nonces))
		diag_die(LST_EFAIL, "fake node: too many senders");
	memcpy(node.nonces[node.nnonces].addr, a, 20);
	return &node.nonces[node.nnonces++].nonce;
}

static json_t *qty(uint64_t x)
{
	char s[32];
	snprintf(s, sizeof(s), "0x%llx", (unsigned long long)x);
	return json_string(s);
}

static json_t *rpc_error(int code, const char *fmt, ...) LST_PRINTF(2, 3);
static json_t *rpc_error(int code, const char *fmt, ...)
{
	char m[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	return json_pack("{s:i,s:s}", "code", code, "message", m);
}

static json_t *reverted(const contract_result *r)
{
	char *why = NULL;
	json_t *e = abi_revert_reason(&why, r->ret.p, r->ret.len) == 0 ? rpc_error(3, "execution reverted: %s", why)
								       : rpc_error(3, "execution reverted");
	free(why);
	return e;
}

static json_t *m_call(json_t *p, json_t **err)
{
	json_t *o = json_array_get(p, 0);
	const char *from = json_string_value(json_object_get(o, "from"));
	const char *value = json_string_value(json_object_get(o, "value"));
	const char *data = json_string_value(json_object_get(o, "data"));
	uint8_t f[20] = {0}, *d = NULL;
	size_t dlen = 0;
	u256 v = u256_from_u64(0);
	if ((from && hex_decode(f, 20, from) < 0) || (value && u256_from_hex(&v, value) < 0) || !data ||
	    hex_decode_alloc(&d, &dlen, data) < 0) {
		*err = rpc_error(-32602, "invalid call");
		return NULL;
	}
	if (node.lie) {
		free(d);
		return json_string("0x");
	}
	contract_result r;
	scratch = chain;
	json_t *res = NULL;
	if (market_run(&r, &scratch, f, &v, d, dlen, node.height + 1) < 0)
		*err = rpc_error(-32603, "state failed");
	else if (!r.ok)
		*err = reverted(&r);
	else
		res = jsonio_hex(r.ret.p, r.ret.len);
	buf_free(&r.ret);
	free(d);
	return res;
}

static json_t *log_json(size_t i)
{
	const fake_logrec *l = fake_log_at(&chain, i);
	json_t *topics = json_array();
	for (size_t k = 0; k < l->ntopics; k++)
		json_array_append_new(topics, jsonio_hex(l->topics[k], 32));
	char a[ADDR_STR];
	addr_to_str(a, l->self);
	return json_pack("{s:s,s:o,s:o,s:o,s:o,s:o}", "address", a, "topics", topics, "data", jsonio_hex(l->data, l->len),
			 "blockNumber", qty(node.log_height[i]), "transactionHash", jsonio_hex(node.log_tx[i], 32),
			 "logIndex", qty(i));
}

static json_t *m_send(json_t *p, json_t **err)
{
	const char *raw = json_string_value(json_array_get(p, 0));
	uint8_t *b = NULL;
	size_t len = 0;
	tx t;
	char why[256];
	if (!raw || hex_decode_alloc(&b, &len, raw) < 0 || tx_decode(&t, why, sizeof(why), b, len) < 0) {
		free(b);
		*err = rpc_error(-32602, "bad transaction");
		return NULL;
	}
	free(b);
	uint64_t *n = nonce_of(t.from);
	if (t.chain_id != CHAIN_ID || t.nonce != *n || !t.has_to || memcmp(t.to, MARKET_ADDRESS, 20)) {
		tx_free(&t);
		*err = rpc_error(-32000, "refused: chain id, nonce or recipient");
		return NULL;
	}
	node.sent++;
	(*n)++;
	node.height++;
	contract_result r;
	fake_chain *saved = xmalloc(sizeof(*saved));
	*saved = chain;
	size_t before = chain.nlog;
	if (market_run(&r, &chain, t.from, &t.value, t.data, t.data_len, node.height) < 0)
		diag_die(LST_EFAIL, "fake node: the state failed");
	if (!r.ok)
		chain = *saved;
	free(saved);
	json_t *logs = json_array();
	for (size_t i = before; i < chain.nlog; i++) {
		node.log_height[i] = node.height;
		memcpy(node.log_tx[i], t.hash, 32);
		json_array_append_new(logs, log_json(i));
	}
	char h[67];
	hex_encode(h, t.hash, 32);
	json_object_set_new(node.receipts, h,
			    json_pack("{s:s,s:o,s:o,s:o}", "transactionHash", h, "status", qty(r.ok), "blockNumber",
				      qty(node.height), "logs", logs));
	buf_free(&r.ret);
	tx_free(&t);
	return json_string(h);
}

static json_t *m_logs(json_t *p)
{
	json_t *f = json_array_get(p, 0), *topics = json_object_get(f, "topics"), *out = json_array();
	for (size_t i = 0; i < chain.nlog; i++) {
		const fake_logrec *l = fake_log_at(&chain, i);
		bool match = !memcmp(l->self, MARKET_ADDRESS, 20);
		for (size_t k = 0; match && k < json_array_size(topics); k++) {
			uint8_t w[32];
			json_t *want = json_array_get(topics, k);
			if (json_is_null(want))
				continue;
			match = k < l->ntopics && hex_decode(w, 32, json_string_value(want)) == 0 &&
				!memcmp(w, l->topics[k], 32);
		}
		if (match)
			json_array_append_new(out, log_json(i));
	}
	return out;
}

static json_t *answer(json_t *req)
{
	const char *m = json_string_value(json_object_get(req, "method"));
	json_t *p = json_object_get(req, "params"), *res = NULL, *err = NULL;
	if (!m)
		err = rpc_error(-32600, "no method");
	else if (!strcmp(m, "eth_chainId"))
		res = qty(CHAIN_ID);
	else if (!strcmp(m, "eth_call"))
		res = m_call(p, &err);
	else if (!strcmp(m, "eth_getTransactionCount")) {
		uint8_t a[20];
		if (hex_decode(a, 20, json_string_value(json_array_get(p, 0))) < 0)
			err = rpc_error(-32602, "bad address");
		else
			res = qty(*nonce_of(a));
	} else if (!strcmp(m, "eth_sendRawTransaction"))
		res = m_send(p, &err);
	else if (!strcmp(m, "eth_getTransactionReceipt")) {
		res = json_object_get(node.receipts, json_string_value(json_array_get(p, 0)));
		res = res ? json_incref(res) : json_null();
	} else if (!strcmp(m, "eth_getLogs"))
		res = m_logs(p);
	else
		err = rpc_error(-32601, "the method %s does not exist", m);
	json_t *id = json_object_get(req, "id");
	json_t *o = json_pack("{s:s,s:O}", "jsonrpc", "2.0", "id", id ? id : json_null());
	json_object_set_new(o, err ? "error" : "result", err ? err : res);
	return o;
}

static enum MHD_Result node_handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				     const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	buf *body = *con_cls;
	if (!body) {
		body = xcalloc(1, sizeof(*body));
		*con_cls = body;
		return MHD_YES;
	}
	if (*upload_size) {
		buf_add(body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	json_t *req = json_loadb(body->p ? (const char *)body->p : "", body->len, 0, NULL);
	json_t *resp = req ? answer(req) : json_pack("{s:s,s:n,s:{s:i,s:s}}", "jsonrpc", "2.0", "id", "error", "code",
						     -32700, "message", "parse error");
	char *text = json_dumps(resp, JSON_COMPACT);
	json_decref(req);
	json_decref(resp);
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(r, "Content-Type", "application/json");
	enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

static void node_done(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	buf *body = *con_cls;
	if (body) {
		buf_free(body);
		free(body);
		*con_cls = NULL;
	}
}

/* hush(), then a call, then failed_with(its return, the status it should fail with). */
static void hush(void)
{
	diag_set_quiet(true);
	diag_set_status(LST_OK);
}

static bool failed_with(int rc, int want)
{
	diag_set_quiet(false);
	if (rc >= 0 || diag_status() != want)
		diagf("got %d with status %d, want -1 with status %d", rc, diag_status(), want);
	return rc < 0 && diag_status() == want;
}

static bool status_is(json_t *rc, const char *want)
{
	const char *s = rc ? json_string_value(json_object_get(rc, "status")) : NULL;
	return s && !strcmp(s, want);
}

static void test_node(void)
{
	char home[] = "/tmp/t-book.XXXXXX";
	if (!mkdtemp(home))
		diag_die(LST_EFAIL, "mkdtemp: %s", strerror(errno));
	home_set(home);
	key_entry author, reader;
	uint8_t key3[32] = {0};
	key3[31] = 3;
	if (keyring_add(&author, KEY2, "author", NULL) < 0 || keyring_add(&reader, key3, "reader", NULL) < 0)
		diag_die(LST_EFAIL, "cannot make the test keys");

	memset(&chain, 0, sizeof(chain));
	fake_fund(&chain, author.address, 100000);
	fake_fund(&chain, reader.address, 100000);
	node.receipts = json_object();
	struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, node_handler, NULL,
						MHD_OPTION_NOTIFY_COMPLETED, node_done, NULL, MHD_OPTION_END);
	const union MHD_DaemonInfo *info = d ? MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT) : NULL;
	if (!info)
		diag_die(LST_EFAIL, "cannot start a fake node on loopback");
	char url[64];
	snprintf(url, sizeof(url), "http://127.0.0.1:%u", (unsigned)info->port);
	rpcc_set_url(url);

	uint64_t chain_id = 0, bps = 0;
	u256 listing;
	uint8_t fnd[20], other[32];
	ok(book_chain_id(&chain_id) == 0 && chain_id == CHAIN_ID, "book_chain_id");
	ok(book_fees(&bps, &listing, fnd) == 0 && bps == FEE_BPS && u256_fits_u64(&listing) &&
	   listing.w[0] == LISTING_FEE && !memcmp(fnd, ADDR1, 20),
	   "book_fees: the service fee, the listing fee and the foundation");

	book_terms t;
	sample(&t);
	memcpy(t.author, author.address, 20);
	t.chain_id = CHAIN_ID;
	if (book_terms_finish(&t) < 0)
		diag_die(LST_EFAIL, "cannot finish");
	book_info bi;
	book_version *vs = NULL;
	size_t nv = 0;
	bool yes = true;
	ok(book_get(&bi, t.book) == 1 && book_versions(&vs, &nv, t.book) == 1 && book_of_root(other, &t.root) == 1 &&
	   book_has_access(&yes, t.book, reader.address) == 0 && !yes,
	   "before publishing: no such book, no versions, the root is no book's, no access");

	/* Refusals: nothing is sent, nothing changes. */
	uint8_t sig[65];
	buf cd = BUF_INIT;
	json_t *rc = NULL;
	u256 fee = u256_from_u64(LISTING_FEE), none = u256_from_u64(0);
	if (book_cosign(sig, key3, &t) < 0 || book_call_publish(&cd, &t, sig) < 0)
		diag_die(LST_EFAIL, "cannot build publish");
	hush();
	int rc1 = book_send(&rc, &author, &cd, &fee, 5);
	ok(failed_with(rc1, LST_EREFUSED) && !rc && node.sent == 0 && chain.nlog == 0,
	   "publish without the foundation's co-signature: refused (exit 4) by the dry run, nothing sent");
	buf_reset(&cd);
	if (book_cosign(sig, KEY1, &t) < 0 || book_call_publish(&cd, &t, sig) < 0)
		diag_die(LST_EFAIL, "cannot build publish");
	hush();
	int rc2 = book_send(&rc, &author, &cd, &none, 5);
	ok(failed_with(rc2, LST_EREFUSED) && node.sent == 0 &&
	   fake_balance_u64(&chain, author.address) == 100000,
	   "publish without the listing fee: refused, nothing sent, nothing paid");

	ok(book_send(&rc, &author, &cd, &fee, 5) == 0 && status_is(rc, "0x1") && node.sent == 1, "publish sent");
	json_decref(rc);
	rc = NULL;
	ok(book_get(&bi, t.book) == 0 && !memcmp(bi.book, t.book, 32) && !memcmp(bi.author, author.address, 20) &&
	   !u256_cmp(&bi.price, &t.price) && bi.versions == 1 && bi.sales == 0 && bi.published == 1 &&
	   !strcmp(bi.title, TITLE) && !strcmp(bi.details, t.details),
	   "book_get: author, price, 1 version, no sales, published at height 1, title, details");
	book_info_free(&bi);
	ok(book_versions(&vs, &nv, t.book) == 0 && nv == 1 && cid_equal(&vs[0].root, &t.root) &&
	   !memcmp(vs[0].tree, t.tree, 32) && !strcmp(vs[0].label, "v1.0") && vs[0].height == 1,
	   "book_versions: the first version's root, tree, label and height");
	book_versions_free(vs, nv);
	ok(book_of_root(other, &t.root) == 0 && !memcmp(other, t.book, 32), "book_of_root finds the book");
	ok(book_has_access(&yes, t.book, author.address) == 0 && yes && book_has_access(&yes, t.book, reader.address) == 0 &&
	   !yes, "the author has access, the reader not yet");

	/* Price: the reader may not set it, the author may. */
	u256 p2 = u256_from_u64(2000);
	buf_reset(&cd);
	if (book_call_set_price(&cd, t.book, &p2) < 0)
		diag_die(LST_EFAIL, "cannot build setPrice");
	hush();
	int rc3 = book_send(&rc, &reader, &cd, NULL, 5);
	ok(failed_with(rc3, LST_EREFUSED) && node.sent == 1,
	   "setPrice by someone else: refused, nothing sent");
	ok(book_send(&rc, &author, &cd, NULL, 5) == 0 && status_is(rc, "0x1") && book_get(&bi, t.book) == 0 &&
	   !u256_cmp(&bi.price, &p2), "setPrice by the author");
	json_decref(rc);
	rc = NULL;
	book_info_free(&bi);

	/* A second version. */
	cid r2;
	uint8_t tree2[32];
	cid_of(&r2, CODEC_RAW, (const uint8_t *)"v2", 2);
	memset(tree2, 0x44, 32);
	buf_reset(&cd);
	if (book_call_add_version(&cd, t.book, &r2, tree2, "v2.0") < 0)
		diag_die(LST_EFAIL, "cannot build addVersion");
	ok(book_send(&rc, &author, &cd, NULL, 5) == 0 && book_versions(&vs, &nv, t.book) == 0 && nv == 2 &&
	   cid_equal(&vs[0].root, &t.root) && cid_equal(&vs[1].root, &r2) && !strcmp(vs[1].label, "v2.0") &&
	   !memcmp(vs[1].tree, tree2, 32) && vs[1].height == 3 && book_of_root(other, &r2) == 0 &&
	   !memcmp(other, t.book, 32),
	   "addVersion: two versions, oldest first; the new root is the book's");
	book_versions_free(vs, nv);
	json_decref(rc);
	rc = NULL;

	/* Buying: the wrong price is refused by the dry run, the right one pays. */
	u256 low = u256_from_u64(1999);
	buf_reset(&cd);
	if (book_call_buy(&cd, t.book) < 0)
		diag_die(LST_EFAIL, "cannot build buy");
	int sent = node.sent;
	hush();
	int rc4 = book_send(&rc, &reader, &cd, &low, 5);
	ok(failed_with(rc4, LST_EREFUSED) && node.sent == sent &&
	   fake_balance_u64(&chain, reader.address) == 100000,
	   "buy at a price below the current one: refused, nothing sent or paid");
	book_purchase *ps = NULL;
	size_t np = 9;
	ok(book_purchases(&ps, &np, NULL, NULL, NULL) == 0 && np == 0, "no purchases yet");
	free(ps);
	ok(book_send(&rc, &reader, &cd, &p2, 5) == 0 && status_is(rc, "0x1"), "buy at the price");
	const char *txh = json_string_value(json_object_get(rc, "transactionHash"));
	uint8_t txb[32];
	if (!txh || hex_decode(txb, 32, txh) < 0)
		memset(txb, 0, 32);
	json_decref(rc);
	rc = NULL;
	ok(book_has_access(&yes, t.book, reader.address) == 0 && yes, "the reader has access now");
	ok(book_purchases(&ps, &np, NULL, NULL, NULL) == 0 && np == 1 && !memcmp(ps[0].book, t.book, 32) &&
	   !memcmp(ps[0].buyer, reader.address, 20) && !memcmp(ps[0].author, author.address, 20) &&
	   ps[0].price.w[0] == 2000 && ps[0].fee.w[0] == 2000 * FEE_BPS / 10000 && ps[0].height == 4 &&
	   !memcmp(ps[0].tx, txb, 32),
	   "book_purchases: book, buyer, author, price, fee, height and transaction");
	free(ps);
	size_t n1 = 9, n2 = 9, n3 = 9, n4 = 9;
	uint8_t nobook[32] = {1};
	int f1 = book_purchases(&ps, &n1, t.book, reader.address, author.address);
	free(ps);
	int f2 = book_purchases(&ps, &n2, NULL, author.address, NULL);
	free(ps);
	int f3 = book_purchases(&ps, &n3, nobook, NULL, NULL);
	free(ps);
	int f4 = book_purchases(&ps, &n4, NULL, NULL, reader.address);
	free(ps);
	ok(!f1 && !f2 && !f3 && !f4 && n1 == 1 && n2 == 0 && n3 == 0 && n4 == 0,
	   "filters: by book, buyer and author; another buyer, book or author finds none");
	hush();
	int rc5 = book_send(&rc, &reader, &cd, &p2, 5);
	ok(failed_with(rc5, LST_EREFUSED) && !rc, "buying twice: refused");

	/* A node whose dry run passes but whose block reverts: the receipt's status is checked. */
	node.lie = true;
	sent = node.sent;
	hush();
	int rc6 = book_send(&rc, &reader, &cd, &p2, 5);
	ok(failed_with(rc6, LST_EREFUSED) && node.sent == sent + 1 && status_is(rc, "0x0"),
	   "a reverted transaction: -1, exit 4, its receipt (status 0x0) given");
	json_decref(rc);
	rc = NULL;
	node.lie = false;

	MHD_stop_daemon(d);
	hush();
	int rc7 = book_get(&bi, t.book);
	ok(failed_with(rc7, LST_EUNAVAIL), "no node: exit 5");

	json_decref(node.receipts);
	buf_free(&cd);
	book_terms_free(&t);
	ok(keyring_remove(&author) == 0 && keyring_remove(&reader) == 0, "the test keys removed");
	keyring_entry_free(&author);
	keyring_entry_free(&reader);
	char *keys = home_path("keys");
	if (rmdir(keys) < 0 || rmdir(home) < 0)
		diagf("cannot remove the test home '%s': %s", home, strerror(errno));
	free(keys);
}

int main(void)
{
	diag_init("t-book");
	memset(KEY1, 0, 32);
	KEY1[31] = 1;
	memset(KEY2, 0, 32);
	KEY2[31] = 2;
	if (secp_address_from_priv(ADDR1, KEY1) < 0 || secp_address_from_priv(ADDR2, KEY2) < 0)
		diag_die(LST_EFAIL, "cannot derive addresses");
	test_ids();
	test_terms_hash();
	test_limits();
	test_json();
	test_cosign();
	test_calldata();
	test_contract_accepts();
	test_node();
	return unit_done();
}
