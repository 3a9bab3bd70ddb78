/* market.c: see market.h. */
#include "lst.h"
#include "market.h"
#include "abi.h"
#include "cid.h"
#include "diag.h"
#include "keccak.h"
#include "kit.h"
#include "msg.h"
#include "secp.h"
#include "subscription.h"

#define EV_PUBLISHED "Published(bytes32,address,uint256,string)"
#define EV_PRICE_CHANGED "PriceChanged(bytes32,uint256,uint256)"
#define EV_VERSION_ADDED "VersionAdded(bytes32,bytes32,uint256,bytes,bytes32,string)"
#define EV_PURCHASED "Purchased(bytes32,address,address,uint256,uint256)"

#define BOOK_TAG "lst-book-v1"
#define TERMS_TAG "lst-publish-v1"

const uint8_t MARKET_ADDRESS[20] = MARKET_ADDRESS_BYTES;

/* Storage keys and the fixed part of the records (market.h). */
#define BOOK_KEY 37     /* "book:" book */
#define VER_KEY 44      /* "ver:" book idx */
#define ROOT_KEY 37     /* "root:" root id */
#define BUY_KEY 56      /* "buy:" book buyer */
#define BOOK_FIXED 110  /* author price versions sales height escrow title-length */
#define VER_FIXED 41    /* tree height root-length */
#define BUY_SIZE 72     /* height price fee */

/* Offsets in a book record. */
enum { B_AUTHOR = 0, B_PRICE = 20, B_VERSIONS = 52, B_SALES = 60, B_HEIGHT = 68, B_ESCROW = 76,
       B_TITLE_LEN = 108, B_TITLE = 110 };

/* A book as stored; title and details point into raw. */
typedef struct {
	bool found;
	uint8_t author[20];
	u256 price, escrow;
	uint64_t versions, sales, height;
	const uint8_t *title, *details;
	size_t title_len, details_len;
	buf raw;
} book_rec;

/* A version as stored; root and label point into raw. */
typedef struct {
	uint8_t tree[32];
	uint64_t height;
	const uint8_t *root, *label;
	size_t root_len, label_len;
	buf raw;
} ver_rec;

/* ---- ids, terms, the co-signature ---- */

void market_book_id(uint8_t book[32], const uint8_t author[20], const char *title, size_t len)
{
	keccak_ctx k;
	keccak256_init(&k);
	keccak256_update(&k, (const uint8_t *)BOOK_TAG, strlen(BOOK_TAG));
	keccak256_update(&k, author, 20);
	keccak256_update(&k, (const uint8_t *)title, len);
	keccak256_final(&k, book);
}

void market_terms_hash(uint8_t out[32], const market_terms *t)
{
	uint8_t w[32], h[32];
	keccak_ctx k;
	keccak256_init(&k);
	keccak256_update(&k, (const uint8_t *)TERMS_TAG, strlen(TERMS_TAG));
	kit_word_u64(w, t->chain_id);
	keccak256_update(&k, w, 32);
	keccak256_update(&k, MARKET_ADDRESS, 20);
	keccak256_update(&k, t->author, 20);
	keccak256_update(&k, t->book, 32);
	u256_to_be32(w, &t->price);
	keccak256_update(&k, w, 32);
	keccak256(h, t->root, t->root_len);
	keccak256_update(&k, h, 32);
	keccak256_update(&k, t->tree, 32);
	keccak256(h, (const uint8_t *)t->details, t->details_len);
	keccak256_update(&k, h, 32);
	keccak256(h, (const uint8_t *)t->label, t->label_len);
	keccak256_update(&k, h, 32);
	keccak256_final(&k, out);
}

int market_cosig_verify(const uint8_t sig[65], const uint8_t terms_hash[32], const uint8_t foundation[20])
{
	uint8_t digest[32], pub[65], addr[20];
	msg_hash(digest, terms_hash, 32);
	if (msg_recover(pub, sig, digest) < 0)
		return -1;
	secp_address_from_pub(addr, pub);
	return memcmp(addr, foundation, 20) ? -1 : 0;
}

/* ---- storage ---- */

static void book_key(uint8_t key[BOOK_KEY], const uint8_t book[32])
{
	memcpy(key, "book:", 5);
	memcpy(key + 5, book, 32);
}

static void ver_key(uint8_t key[VER_KEY], const uint8_t book[32], uint64_t idx)
{
	memcpy(key, "ver:", 4);
	memcpy(key + 4, book, 32);
	kit_put_be64(key + 36, idx);
}

static void root_key(uint8_t key[ROOT_KEY], const uint8_t root_id[32])
{
	memcpy(key, "root:", 5);
	memcpy(key + 5, root_id, 32);
}

static void buy_key(uint8_t key[BUY_KEY], const uint8_t book[32], const uint8_t buyer[20])
{
	memcpy(key, "buy:", 4);
	memcpy(key + 4, book, 32);
	memcpy(key + 36, buyer, 20);
}

/* Reads book into b (b->found false when there is none); the caller frees b->raw. 0 or -1. */
static int book_get(contract_env *env, book_rec *b, const uint8_t book[32])
{
	uint8_t key[BOOK_KEY];
	const uint8_t *p;
	int rc;
	memset(b, 0, sizeof(*b));
	b->raw = (buf)BUF_INIT;
	book_key(key, book);
	rc = env->storage_get(env->ctx, &b->raw, MARKET_ADDRESS, key, sizeof(key));
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	p = b->raw.p;
	if (b->raw.len < BOOK_FIXED)
		return -1; /* a value that is not ours */
	b->title_len = (size_t)p[B_TITLE_LEN] << 8 | p[B_TITLE_LEN + 1];
	if (b->raw.len < BOOK_FIXED + b->title_len || u256_from_be(&b->price, p + B_PRICE, 32) < 0 ||
	    u256_from_be(&b->escrow, p + B_ESCROW, 32) < 0)
		return -1;
	memcpy(b->author, p + B_AUTHOR, 20);
	b->versions = kit_get_be64(p + B_VERSIONS);
	b->sales = kit_get_be64(p + B_SALES);
	b->height = kit_get_be64(p + B_HEIGHT);
	b->title = p + B_TITLE;
	b->details = p + B_TITLE + b->title_len;
	b->details_len = b->raw.len - BOOK_FIXED - b->title_len;
	b->found = true;
	return 0;
}

/* Writes b's fields back into its record. 0 or -1. */
static int book_put(contract_env *env, book_rec *b, const uint8_t book[32])
{
	uint8_t key[BOOK_KEY];
	uint8_t *p = b->raw.p;
	memcpy(p + B_AUTHOR, b->author, 20);
	u256_to_be32(p + B_PRICE, &b->price);
	kit_put_be64(p + B_VERSIONS, b->versions);
	kit_put_be64(p + B_SALES, b->sales);
	kit_put_be64(p + B_HEIGHT, b->height);
	u256_to_be32(p + B_ESCROW, &b->escrow);
	book_key(key, book);
	return env->storage_put(env->ctx, env->self, key, sizeof(key), b->raw.p, b->raw.len);
}

/* Version idx of book into v; the caller frees v->raw. 0, or -1 (missing: not ours either). */
static int ver_get(contract_env *env, ver_rec *v, const uint8_t book[32], uint64_t idx)
{
	uint8_t key[VER_KEY];
	const uint8_t *p;
	memset(v, 0, sizeof(*v));
	v->raw = (buf)BUF_INIT;
	ver_key(key, book, idx);
	if (env->storage_get(env->ctx, &v->raw, MARKET_ADDRESS, key, sizeof(key)) != 0)
		return -1;
	p = v->raw.p;
	if (v->raw.len < VER_FIXED || v->raw.len < VER_FIXED + (size_t)p[40])
		return -1;
	memcpy(v->tree, p, 32);
	v->height = kit_get_be64(p + 32);
	v->root_len = p[40];
	v->root = p + VER_FIXED;
	v->label = v->root + v->root_len;
	v->label_len = v->raw.len - VER_FIXED - v->root_len;
	return 0;
}

static int ver_put(contract_env *env, const uint8_t book[32], uint64_t idx, const abi_value *root,
		   const uint8_t tree[32], const abi_value *label)
{
	uint8_t key[VER_KEY], h[8];
	buf v = BUF_INIT;
	int rc;
	buf_add(&v, tree, 32);
	kit_put_be64(h, env->height);
	buf_add(&v, h, 8);
	buf_addc(&v, (uint8_t)root->len);
	buf_add(&v, root->data, root->len);
	buf_add(&v, label->data, label->len);
	ver_key(key, book, idx);
	rc = env->storage_put(env->ctx, env->self, key, sizeof(key), v.p, v.len);
	buf_free(&v);
	return rc;
}

/* The book root_id is a version of: 0 and *found, or -1. */
static int root_get(contract_env *env, bool *found, uint8_t book[32], const uint8_t root_id[32])
{
	uint8_t key[ROOT_KEY];
	buf v = BUF_INIT;
	int rc;
	root_key(key, root_id);
	memset(book, 0, 32);
	*found = false;
	rc = env->storage_get(env->ctx, &v, MARKET_ADDRESS, key, sizeof(key));
	if (rc == 0 && v.len == 32) {
		memcpy(book, v.p, 32);
		*found = true;
	} else if (rc == 0) {
		rc = -1; /* not ours */
	}
	buf_free(&v);
	return rc < 0 ? -1 : 0;
}

static int root_put(contract_env *env, const uint8_t root_id[32], const uint8_t book[32])
{
	uint8_t key[ROOT_KEY];
	root_key(key, root_id);
	return env->storage_put(env->ctx, env->self, key, sizeof(key), book, 32);
}

/* buyer's purchase of book: 0 and *found (rec filled, zeros if none), or -1. */
static int buy_get(contract_env *env, bool *found, uint8_t rec[BUY_SIZE], const uint8_t book[32],
		   const uint8_t buyer[20])
{
	uint8_t key[BUY_KEY];
	buf v = BUF_INIT;
	int rc;
	buy_key(key, book, buyer);
	memset(rec, 0, BUY_SIZE);
	*found = false;
	rc = env->storage_get(env->ctx, &v, MARKET_ADDRESS, key, sizeof(key));
	if (rc == 0 && v.len == BUY_SIZE) {
		memcpy(rec, v.p, BUY_SIZE);
		*found = true;
	} else if (rc == 0) {
		rc = -1;
	}
	buf_free(&v);
	return rc < 0 ? -1 : 0;
}

/* Is reader the author or a buyer of the stored book b: 0 and *yes, or -1. */
static int reader_of(contract_env *env, bool *yes, const book_rec *b, const uint8_t book[32],
		     const uint8_t reader[20])
{
	uint8_t rec[BUY_SIZE];
	*yes = false;
	if (!b->found)
		return 0;
	if (!memcmp(b->author, reader, 20)) {
		*yes = true;
		return 0;
	}
	return buy_get(env, yes, rec, book, reader);
}

/* ---- money and logs ---- */

/*
 * The one place money leaves the market: value, which the chain has
 * already moved here with the call, is split into fee (to the foundation)
 * and the rest (to the author). 0 paid, 1 reverted, -1 failed.
 */
static int market_pay(contract_result *out, contract_env *env, const uint8_t author[20],
		      const u256 *value, const u256 *fee)
{
	u256 rest;
	int rc = 0;
	if (u256_sub(&rest, value, fee) < 0)
		return -1;
	if (!u256_is_zero(fee)) {
		if (!env->foundation)
			return -1;
		rc = env->transfer(env->ctx, env->self, env->foundation, fee);
	}
	if (rc == 0 && !u256_is_zero(&rest))
		rc = env->transfer(env->ctx, env->self, author, &rest);
	if (rc < 0)
		return -1;
	if (rc > 0) {
		kit_revert(out, "insufficient balance");
		return 1;
	}
	return 0;
}

/* fee = value * service_fee_bps / 10000, rounded down. 0 or -1. */
static int service_fee(u256 *fee, const contract_env *env, const u256 *value)
{
	u256 t;
	if (env->service_fee_bps > 10000 || u256_mul_small(&t, value, env->service_fee_bps, 0) < 0)
		return -1;
	u256_div_small(fee, &t, 10000);
	return 0;
}

static int emit_version(contract_env *env, const uint8_t book[32], const uint8_t root_id[32],
			uint64_t idx, const abi_value *root, const uint8_t tree[32], const abi_value *label)
{
	uint8_t topics[2][32];
	abi_value d[4] = {abi_u64(idx), abi_bytes(root->data, root->len), abi_fixed_bytes(tree, 32),
			  kit_str_value(label->data, label->len)};
	memcpy(topics[0], book, 32);
	memcpy(topics[1], root_id, 32);
	return kit_emit(env, env->self, EV_VERSION_ADDED, (const uint8_t(*)[32])topics, 2, d, 4);
}

/* ---- the functions; args are decoded and checked against types ---- */

static bool bad_root(const abi_value *root)
{
	return !root->len || root->len > MARKET_ROOT_MAX;
}

static int f_publish(contract_result *out, contract_env *env, const abi_value *a)
{
	const abi_value *title = &a[0], *details = &a[1], *root = &a[3], *label = &a[5], *sig = &a[6];
	const u256 *price = &a[2].u;
	const uint8_t *tree = a[4].fixed;
	uint8_t book[32], rid[32], owner[32], topics[2][32], w[32], hash[32];
	char fee[U256_DEC_MAX];
	book_rec b;
	bool taken;
	int rc;

	if (!title->len)
		return kit_revert(out, "empty title");
	if (title->len > MARKET_TITLE_MAX)
		return kit_revert(out, "title too long");
	if (details->len > MARKET_DETAILS_MAX)
		return kit_revert(out, "details too long");
	if (label->len > MARKET_LABEL_MAX)
		return kit_revert(out, "label too long");
	if (!kit_utf8_valid(title->data, title->len, true) || !kit_utf8_valid(details->data, details->len, true) ||
	    !kit_utf8_valid(label->data, label->len, true))
		return kit_revert(out, "not UTF-8");
	if (bad_root(root))
		return kit_revert(out, "bad root");
	if (!u256_fits_u128(price))
		return kit_revert(out, "price too large"); /* more than any balance can pay */
	if (u256_cmp(&env->value, &env->listing_fee)) {
		u256_to_dec(fee, &env->listing_fee);
		abi_revertf(&out->ret, "listing fee is %s", fee);
		out->ok = false;
		return DONE;
	}
	market_book_id(book, env->caller, (const char *)title->data, title->len);
	rc = book_get(env, &b, book);
	buf_free(&b.raw);
	if (rc < 0)
		return FAILED;
	if (b.found)
		return kit_revert(out, "already published");
	sha256(rid, root->data, root->len);
	if (root_get(env, &taken, owner, rid) < 0)
		return FAILED;
	if (taken)
		return kit_revert(out, "root already published");

	market_terms t = {
		.chain_id = env->chain_id, .price = *price, .root = root->data, .root_len = root->len,
		.details = (const char *)details->data, .details_len = details->len,
		.label = (const char *)label->data, .label_len = label->len,
	};
	memcpy(t.author, env->caller, 20);
	memcpy(t.book, book, 32);
	memcpy(t.tree, tree, 32);
	market_terms_hash(hash, &t);
	if (sig->len != 65 || !env->foundation || market_cosig_verify(sig->data, hash, env->foundation) < 0)
		return kit_revert(out, "bad foundation signature");

	/* The book, its first version, the root's owner. */
	memset(&b, 0, sizeof(b));
	b.raw = (buf)BUF_INIT;
	{
		uint8_t fixed[BOOK_FIXED] = {0};
		fixed[B_TITLE_LEN] = (uint8_t)(title->len >> 8);
		fixed[B_TITLE_LEN + 1] = (uint8_t)title->len;
		buf_add(&b.raw, fixed, sizeof(fixed));
	}
	buf_add(&b.raw, title->data, title->len);
	buf_add(&b.raw, details->data, details->len);
	memcpy(b.author, env->caller, 20);
	b.price = *price;
	b.versions = 1;
	b.height = env->height;
	b.escrow = env->value; /* the listing fee, held for the book's reviewers */
	rc = book_put(env, &b, book);
	buf_free(&b.raw);
	if (rc < 0 || ver_put(env, book, 0, root, tree, label) < 0 || root_put(env, rid, book) < 0)
		return FAILED;

	memcpy(topics[0], book, 32);
	abi_address_word(topics[1], env->caller);
	abi_value d[2] = {abi_u256(price), kit_str_value(title->data, title->len)};
	if (kit_emit(env, env->self, EV_PUBLISHED, (const uint8_t(*)[32])topics, 2, d, 2) < 0 ||
	    emit_version(env, book, rid, 0, root, tree, label) < 0)
		return FAILED;
	memcpy(w, book, 32);
	abi_value v = abi_fixed_bytes(w, 32);
	return kit_ret(out, &v);
}

/* Reads book a[0] for its author: 0 with b found and the caller the author, DONE after a revert, -1. */
static int author_book(contract_result *out, contract_env *env, book_rec *b, const uint8_t book[32],
		       bool *go)
{
	*go = false;
	if (book_get(env, b, book) < 0)
		return FAILED;
	if (!b->found)
		return kit_revert(out, "no such book");
	if (memcmp(b->author, env->caller, 20))
		return kit_revert(out, "not the author");
	*go = true;
	return DONE;
}

static int f_set_price(contract_result *out, contract_env *env, const abi_value *a)
{
	const uint8_t *book = a[0].fixed;
	const u256 *price = &a[1].u;
	uint8_t topics[1][32];
	book_rec b;
	bool go;
	u256 old;
	int rc = author_book(out, env, &b, book, &go);
	if (rc < 0 || !go) {
		buf_free(&b.raw);
		return rc;
	}
	if (!u256_fits_u128(price)) {
		buf_free(&b.raw);
		return kit_revert(out, "price too large");
	}
	old = b.price;
	b.price = *price;
	rc = book_put(env, &b, book);
	buf_free(&b.raw);
	if (rc < 0)
		return FAILED;
	memcpy(topics[0], book, 32);
	abi_value d[2] = {abi_u256(&old), abi_u256(price)};
	if (kit_emit(env, env->self, EV_PRICE_CHANGED, (const uint8_t(*)[32])topics, 1, d, 2) < 0)
		return FAILED;
	return kit_ret_nothing(out);
}

static int f_add_version(contract_result *out, contract_env *env, const abi_value *a)
{
	const uint8_t *book = a[0].fixed, *tree = a[2].fixed;
	const abi_value *root = &a[1], *label = &a[3];
	uint8_t rid[32], owner[32];
	uint64_t idx;
	book_rec b;
	bool go, taken;
	int rc = author_book(out, env, &b, book, &go);
	if (rc < 0 || !go) {
		buf_free(&b.raw);
		return rc;
	}
	idx = b.versions;
	const char *why = bad_root(root) ? "bad root"
			  : label->len > MARKET_LABEL_MAX ? "label too long"
			  : !kit_utf8_valid(label->data, label->len, true) ? "not UTF-8"
			  : idx == UINT64_MAX ? "too many versions" : NULL;
	if (why) {
		buf_free(&b.raw);
		return kit_revert(out, why);
	}
	sha256(rid, root->data, root->len);
	if (root_get(env, &taken, owner, rid) < 0) {
		buf_free(&b.raw);
		return FAILED;
	}
	if (taken) {
		buf_free(&b.raw);
		return kit_revert(out, "root already published");
	}
	b.versions = idx + 1;
	rc = book_put(env, &b, book);
	buf_free(&b.raw);
	if (rc < 0 || ver_put(env, book, idx, root, tree, label) < 0 || root_put(env, rid, book) < 0 ||
	    emit_version(env, book, rid, idx, root, tree, label) < 0)
		return FAILED;
	abi_value v = abi_u64(idx);
	return kit_ret(out, &v);
}

static int f_buy(contract_result *out, contract_env *env, const abi_value *a)
{
	const uint8_t *book = a[0].fixed;
	uint8_t key[BUY_KEY], rec[BUY_SIZE], topics[3][32];
	char want[U256_DEC_MAX], got[U256_DEC_MAX];
	book_rec b;
	bool bought;
	u256 fee;
	int rc;

	if (book_get(env, &b, book) < 0) {
		buf_free(&b.raw);
		return FAILED;
	}
	if (!b.found)
		rc = kit_revert(out, "no such book");
	else if (!memcmp(b.author, env->caller, 20))
		rc = kit_revert(out, "the author cannot buy their own book");
	else if (buy_get(env, &bought, rec, book, env->caller) < 0)
		rc = FAILED;
	else if (bought)
		rc = kit_revert(out, "already bought");
	else if (u256_cmp(&env->value, &b.price)) {
		u256_to_dec(want, &b.price);
		u256_to_dec(got, &env->value);
		abi_revertf(&out->ret, "price is %s, not %s", want, got);
		out->ok = false;
		rc = DONE;
	} else if (service_fee(&fee, env, &env->value) < 0) {
		rc = FAILED;
	} else {
		rc = 1; /* go on */
	}
	if (rc != 1) {
		buf_free(&b.raw);
		return rc;
	}

	rc = market_pay(out, env, b.author, &env->value, &fee);
	if (rc) {
		buf_free(&b.raw);
		return rc < 0 ? FAILED : DONE;
	}
	b.sales++;
	rc = book_put(env, &b, book);
	buf_free(&b.raw);
	if (rc < 0)
		return FAILED;
	kit_put_be64(rec, env->height);
	u256_to_be32(rec + 8, &env->value);
	u256_to_be32(rec + 40, &fee);
	buy_key(key, book, env->caller);
	if (env->storage_put(env->ctx, env->self, key, sizeof(key), rec, sizeof(rec)) < 0)
		return FAILED;
	memcpy(topics[0], book, 32);
	abi_address_word(topics[1], env->caller);
	abi_address_word(topics[2], b.author);
	abi_value d[2] = {abi_u256(&env->value), abi_u256(&fee)};
	if (kit_emit(env, env->self, EV_PURCHASED, (const uint8_t(*)[32])topics, 3, d, 2) < 0)
		return FAILED;
	return kit_ret_nothing(out);
}

static int f_has_access(contract_result *out, contract_env *env, const abi_value *a)
{
	const uint8_t *book = a[0].fixed, *reader = a[1].addr;
	book_rec b;
	bool yes = false;
	int rc = book_get(env, &b, book);
	if (rc == 0)
		rc = reader_of(env, &yes, &b, book, reader);
	buf_free(&b.raw);
	if (rc < 0)
		return FAILED;
	abi_value v = abi_bool(yes);
	return kit_ret(out, &v);
}

static int f_can_read(contract_result *out, contract_env *env, const abi_value *a)
{
	const uint8_t *reader = a[0].addr, *rid = a[1].fixed;
	uint8_t book[32];
	book_rec b = {.raw = BUF_INIT};
	bool found, yes = false;
	int rc = root_get(env, &found, book, rid);
	if (rc == 0 && found && (rc = book_get(env, &b, book)) == 0)
		rc = b.found ? reader_of(env, &yes, &b, book, reader) : -1; /* a root of no book */
	if (rc == 0 && found && !yes) /* a member of the category the book is enrolled in */
		rc = subscription_member_of_book(env, &yes, book, reader);
	buf_free(&b.raw);
	if (rc < 0)
		return FAILED;
	abi_value v = abi_bool(yes);
	return kit_ret(out, &v);
}

static int f_book(contract_result *out, contract_env *env, const abi_value *a)
{
	book_rec b;
	int rc;
	if (book_get(env, &b, a[0].fixed) < 0) {
		buf_free(&b.raw);
		return FAILED;
	}
	if (!b.found) {
		buf_free(&b.raw);
		return kit_revert(out, "no such book");
	}
	abi_value v[7] = {
		abi_address(b.author), abi_u256(&b.price), abi_u64(b.versions), abi_u64(b.sales),
		abi_u64(b.height), kit_str_value(b.title, b.title_len), kit_str_value(b.details, b.details_len),
	};
	rc = kit_ret_values(out, v, 7);
	buf_free(&b.raw);
	return rc;
}

static int f_versions(contract_result *out, contract_env *env, const abi_value *a)
{
	const uint8_t *book = a[0].fixed;
	abi_value *items = NULL, cols[4];
	ver_rec *vs = NULL;
	uint64_t n, i = 0;
	book_rec b;
	int rc = DONE;

	if (book_get(env, &b, book) < 0) {
		buf_free(&b.raw);
		return FAILED;
	}
	buf_free(&b.raw);
	if (!b.found)
		return kit_revert(out, "no such book");
	n = b.versions;
	if (!n || n > SIZE_MAX / (4 * sizeof(abi_value)) || n > SIZE_MAX / sizeof(ver_rec))
		return FAILED; /* a book has a first version */
	items = xcalloc(4 * (size_t)n, sizeof(*items));
	vs = xcalloc((size_t)n, sizeof(*vs));
	for (i = 0; i < n; i++) {
		if (ver_get(env, &vs[i], book, i) < 0) {
			buf_free(&vs[i].raw);
			rc = FAILED;
			break;
		}
		items[i] = abi_bytes(vs[i].root, vs[i].root_len);
		items[n + i] = abi_fixed_bytes(vs[i].tree, 32);
		items[2 * n + i] = kit_str_value(vs[i].label, vs[i].label_len);
		items[3 * n + i] = abi_u64(vs[i].height);
	}
	if (rc == DONE) {
		for (int c = 0; c < 4; c++)
			cols[c] = abi_array(items + (size_t)c * n, (size_t)n, false);
		rc = kit_ret_values(out, cols, 4);
	}
	for (uint64_t k = 0; k < i; k++)
		buf_free(&vs[k].raw);
	free(vs);
	free(items);
	return rc;
}

static int f_book_of(contract_result *out, contract_env *env, const abi_value *a)
{
	uint8_t book[32];
	bool found;
	if (root_get(env, &found, book, a[0].fixed) < 0)
		return FAILED;
	abi_value v = abi_fixed_bytes(book, 32); /* zero if none */
	return kit_ret(out, &v);
}

static int f_book_id(contract_result *out, contract_env *env, const abi_value *a)
{
	uint8_t book[32];
	market_book_id(book, a[0].addr, (const char *)a[1].data, a[1].len);
	abi_value v = abi_fixed_bytes(book, 32);
	return kit_ret(out, &v);
}

static int f_terms_hash(contract_result *out, contract_env *env, const abi_value *a)
{
	uint8_t hash[32];
	market_terms t = {
		.chain_id = env->chain_id, .price = a[3].u, .root = a[4].data, .root_len = a[4].len,
		.details = (const char *)a[2].data, .details_len = a[2].len,
		.label = (const char *)a[6].data, .label_len = a[6].len,
	};
	memcpy(t.author, a[0].addr, 20);
	market_book_id(t.book, a[0].addr, (const char *)a[1].data, a[1].len);
	memcpy(t.tree, a[5].fixed, 32);
	market_terms_hash(hash, &t);
	abi_value v = abi_fixed_bytes(hash, 32);
	return kit_ret(out, &v);
}

static int f_purchase_of(contract_result *out, contract_env *env, const abi_value *a)
{
	uint8_t rec[BUY_SIZE];
	bool found;
	u256 price, fee;
	if (buy_get(env, &found, rec, a[0].fixed, a[1].addr) < 0 ||
	    u256_from_be(&price, rec + 8, 32) < 0 || u256_from_be(&fee, rec + 40, 32) < 0)
		return FAILED;
	abi_value v[3] = {abi_u64(kit_get_be64(rec)), abi_u256(&price), abi_u256(&fee)};
	return kit_ret_values(out, v, 3);
}

static int f_escrow_of(contract_result *out, contract_env *env, const abi_value *a)
{
	book_rec b;
	u256 e;
	int rc = book_get(env, &b, a[0].fixed);
	buf_free(&b.raw);
	if (rc < 0)
		return FAILED;
	e = b.found ? b.escrow : u256_from_u64(0);
	abi_value v = abi_u256(&e);
	return kit_ret(out, &v);
}

static int f_fees(contract_result *out, contract_env *env, const abi_value *a)
{
	static const uint8_t none[20];
	abi_value v[3] = {abi_u64(env->service_fee_bps), abi_u256(&env->listing_fee),
			  abi_address(env->foundation ? env->foundation : none)};
	return kit_ret_values(out, v, 3);
}

/* ---- for the subscription contract (market.h) ---- */

int market_book_author(contract_env *env, bool *found, uint8_t author[20], const uint8_t book[32])
{
	book_rec b;
	int rc = book_get(env, &b, book);
	*found = rc == 0 && b.found;
	if (*found)
		memcpy(author, b.author, 20);
	else
		memset(author, 0, 20);
	buf_free(&b.raw);
	return rc;
}

int market_has_access(contract_env *env, bool *yes, const uint8_t book[32], const uint8_t reader[20])
{
	book_rec b;
	int rc = book_get(env, &b, book);
	*yes = false;
	if (rc == 0)
		rc = reader_of(env, yes, &b, book, reader);
	buf_free(&b.raw);
	return rc;
}

int market_book_of(contract_env *env, bool *found, uint8_t book[32], const uint8_t root_id[32])
{
	return root_get(env, found, book, root_id);
}

static const contract_fn functions[] = {
	{{0x9f, 0x69, 0x94, 0x88}, "publish(string,string,uint256,bytes,bytes32,string,bytes)",
	 "string,string,uint256,bytes,bytes32,string,bytes", true, f_publish},
	{{0x10, 0xd8, 0xd7, 0x4d}, "setPrice(bytes32,uint256)", "bytes32,uint256", true, f_set_price},
	{{0x3c, 0x14, 0x53, 0xf1}, "addVersion(bytes32,bytes,bytes32,string)", "bytes32,bytes,bytes32,string",
	 true, f_add_version},
	{{0x9c, 0x9a, 0x10, 0x61}, "buy(bytes32)", "bytes32", true, f_buy},
	{{0x83, 0x17, 0x7d, 0xb3}, "hasAccess(bytes32,address)", "bytes32,address", false, f_has_access},
	{{0xa7, 0xb8, 0x85, 0x06}, "canRead(address,bytes32)", "address,bytes32", false, f_can_read},
	{{0x67, 0xcd, 0xfc, 0xaa}, "book(bytes32)", "bytes32", false, f_book},
	{{0xc7, 0xce, 0xc7, 0xf8}, "versions(bytes32)", "bytes32", false, f_versions},
	{{0xc7, 0x5f, 0xef, 0xc3}, "bookOf(bytes32)", "bytes32", false, f_book_of},
	{{0x84, 0x76, 0xb1, 0x43}, "bookId(address,string)", "address,string", false, f_book_id},
	{{0xc7, 0x47, 0x3e, 0xe1}, "termsHash(address,string,string,uint256,bytes,bytes32,string)",
	 "address,string,string,uint256,bytes,bytes32,string", false, f_terms_hash},
	{{0xee, 0xaf, 0x7c, 0x1c}, "purchaseOf(bytes32,address)", "bytes32,address", false, f_purchase_of},
	{{0x83, 0xa2, 0x65, 0xa7}, "escrowOf(bytes32)", "bytes32", false, f_escrow_of},
	{{0x9a, 0xf1, 0xd3, 0x5a}, "fees()", "", false, f_fees},
};

static const uint8_t payable[][4] = {
	{0x9f, 0x69, 0x94, 0x88}, /* publish */
	{0x9c, 0x9a, 0x10, 0x61}, /* buy */
};

static int market_call(contract_result *out, contract_env *env, const uint8_t *calldata, size_t len)
{
	return contract_dispatch_payable(out, env, "market", functions, ARRAY_SIZE(functions),
					 payable, ARRAY_SIZE(payable), calldata, len);
}

const contract_def market_contract = {
	"market",
	MARKET_ADDRESS_BYTES,
	market_call,
};
