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
#include "diag.h"
#include "hex.h"
#include "keccak.h"
#include "market.h"
#include "msg.h"
#include "secp.h"

#include <strings.h>

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
	return unit_done();
}
