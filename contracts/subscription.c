/* subscription.c: see subscription.h (periods and receipts: subperiod.c). */
#include "lst.h"
#include "subscription.h"
#include "abi.h"
#include "addr.h"
#include "diag.h"
#include "keccak.h"
#include "kit.h"
#include "market.h"
#include "settle.h"

#include <inttypes.h>

#define EV_CATEGORY_CREATED "CategoryCreated(uint256,string,uint256)"
#define EV_ENROLLED "Enrolled(bytes32,uint256,address)"
#define EV_SUBSCRIBED "Subscribed(uint256,address,uint256,uint256,uint256)"
#define EV_CANCELLED "Cancelled(uint256,address,uint256,uint256)"
#define EV_SERVER_SET "ServerSet(address,address,bool)"
#define EV_PAGES_RECORDED "PagesRecorded(bytes32,address,uint256,uint256,uint256)"
#define EV_PAYOUT "Payout(bytes32,address,uint256,uint256,uint256,uint256)"
#define EV_SETTLED "Settled(uint256,uint256,uint256,uint256,uint256,uint256)"

const uint8_t SUBSCRIPTION_ADDRESS[20] = SUBSCRIPTION_ADDRESS_BYTES;
#define S SUBSCRIPTION_ADDRESS

/* Page bitmaps: 2048 pages per record (subscription.h, Storage). */
#define CHUNK_PAGES 2048
#define CHUNK_BYTES (CHUNK_PAGES / 8)

/* Record sizes (subscription.h, Storage). */
#define CAT_FIXED 48 /* fee books members */
#define MEM_SIZE 32  /* from until prev-from prev-until */
#define POOL_SIZE 48 /* pool pages books */
#define RP_SIZE 16   /* counted recorded */
#define STL_SIZE 104 /* fee remainder paid height */

/* ---- periods of this chain ---- */

static uint64_t current(const contract_env *env)
{
	return sub_period_of(env->subscription_period, env->time);
}

static uint64_t start_of(const contract_env *env, uint64_t k)
{
	return sub_period_start(env->subscription_period, k);
}

/* ---- storage: key builders ---- */

typedef struct {
	uint8_t b[80];
	size_t n;
} key;

static key key_of(const char *prefix)
{
	key k = {.n = strlen(prefix)};
	memcpy(k.b, prefix, k.n);
	return k;
}

static void key_add(key *k, const uint8_t *p, size_t n)
{
	memcpy(k->b + k->n, p, n);
	k->n += n;
}

static void key_u64(key *k, uint64_t x)
{
	kit_put_be64(k->b + k->n, x);
	k->n += 8;
}

/* Reads a fixed-size record: 0 and *found, or -1 (a failure, or a value that is not ours). */
static int get_fixed(contract_env *env, bool *found, uint8_t *rec, size_t size, const key *k)
{
	buf v = BUF_INIT;
	int rc = env->storage_get(env->ctx, &v, S, k->b, k->n);
	memset(rec, 0, size);
	*found = false;
	if (rc == 0 && v.len == size) {
		memcpy(rec, v.p, size);
		*found = true;
	} else if (rc == 0) {
		rc = -1;
	}
	buf_free(&v);
	return rc < 0 ? -1 : 0;
}

static int put(contract_env *env, const key *k, const uint8_t *val, size_t len)
{
	return env->storage_put(env->ctx, S, k->b, k->n, val, len);
}

/* An 8-byte count: absent reads 0. */
static int get_u64(contract_env *env, uint64_t *x, const key *k)
{
	uint8_t v[8];
	bool found;
	if (get_fixed(env, &found, v, 8, k) < 0)
		return -1;
	*x = kit_get_be64(v);
	return 0;
}

static int put_u64(contract_env *env, const key *k, uint64_t x)
{
	uint8_t v[8];
	kit_put_be64(v, x);
	return put(env, k, v, 8);
}

/* ---- categories ---- */

typedef struct {
	bool found;
	u256 fee;
	uint64_t books, members;
	buf raw; /* the record; the name after CAT_FIXED */
} cat_rec;

static key cat_key(uint64_t id)
{
	key k = key_of("cat:");
	key_u64(&k, id);
	return k;
}

static key cname_key(const uint8_t *name, size_t len)
{
	uint8_t h[32];
	key k = key_of("cname:");
	keccak256(h, name, len);
	key_add(&k, h, 32);
	return k;
}

/* Category id into c (c->found false when none); the caller frees c->raw. 0 or -1. */
static int cat_get(contract_env *env, cat_rec *c, uint64_t id)
{
	key k = cat_key(id);
	int rc;
	memset(c, 0, sizeof(*c));
	c->raw = (buf)BUF_INIT;
	rc = env->storage_get(env->ctx, &c->raw, S, k.b, k.n);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (c->raw.len <= CAT_FIXED || u256_from_be(&c->fee, c->raw.p, 32) < 0)
		return -1;
	c->books = kit_get_be64(c->raw.p + 32);
	c->members = kit_get_be64(c->raw.p + 40);
	c->found = true;
	return 0;
}

static int cat_put(contract_env *env, cat_rec *c, uint64_t id)
{
	key k = cat_key(id);
	u256_to_be32(c->raw.p, &c->fee);
	kit_put_be64(c->raw.p + 32, c->books);
	kit_put_be64(c->raw.p + 40, c->members);
	return put(env, &k, c->raw.p, c->raw.len);
}

/* The category id a[i] names when it exists: 0 with *id set, or revert "no such category". */
static int cat_arg(contract_result *out, contract_env *env, cat_rec *c, uint64_t *id, const abi_value *a,
		   bool *go)
{
	*go = false;
	memset(c, 0, sizeof(*c));
	c->raw = (buf)BUF_INIT;
	*id = u256_fits_u64(&a->u) ? a->u.w[0] : 0;
	if (*id && cat_get(env, c, *id) < 0)
		return FAILED;
	if (!c->found)
		return kit_revert(out, "no such category");
	*go = true;
	return DONE;
}

/* The category book is enrolled in, 0 if none. */
static key enr_key(const uint8_t book[32])
{
	key k = key_of("enr:");
	key_add(&k, book, 32);
	return k;
}

static int enrolled_in(contract_env *env, uint64_t *cat, const uint8_t book[32])
{
	key k = enr_key(book);
	return get_u64(env, cat, &k);
}

/* ---- membership ---- */

typedef struct {
	bool found;
	uint64_t from, until, pfrom, puntil; /* the span, and the one before it */
} mem_rec;

static key mem_key(uint64_t cat, const uint8_t reader[20])
{
	key k = key_of("mem:");
	key_u64(&k, cat);
	key_add(&k, reader, 20);
	return k;
}

static int mem_get(contract_env *env, mem_rec *m, uint64_t cat, const uint8_t reader[20])
{
	uint8_t v[MEM_SIZE];
	key k = mem_key(cat, reader);
	if (get_fixed(env, &m->found, v, sizeof(v), &k) < 0)
		return -1;
	m->from = kit_get_be64(v);
	m->until = kit_get_be64(v + 8);
	m->pfrom = kit_get_be64(v + 16);
	m->puntil = kit_get_be64(v + 24);
	return 0;
}

static int mem_put(contract_env *env, const mem_rec *m, uint64_t cat, const uint8_t reader[20])
{
	uint8_t v[MEM_SIZE];
	key k = mem_key(cat, reader);
	kit_put_be64(v, m->from);
	kit_put_be64(v + 8, m->until);
	kit_put_be64(v + 16, m->pfrom);
	kit_put_be64(v + 24, m->puntil);
	return put(env, &k, v, sizeof(v));
}

static bool member_in(const mem_rec *m, uint64_t k)
{
	return m->found && ((m->from <= k && k < m->until) || (m->pfrom <= k && k < m->puntil));
}

static bool member_now(const mem_rec *m, uint64_t cur)
{
	return m->found && m->from <= cur && cur < m->until;
}

int subscription_member_of_book(contract_env *env, bool *yes, const uint8_t book[32], const uint8_t reader[20])
{
	uint64_t cat;
	mem_rec m;
	*yes = false;
	if (enrolled_in(env, &cat, book) < 0)
		return -1;
	if (!cat)
		return 0;
	if (mem_get(env, &m, cat, reader) < 0)
		return -1;
	*yes = member_now(&m, current(env));
	return 0;
}

/* ---- pools and settlements ---- */

typedef struct {
	u256 pool;
	uint64_t pages, books;
} pool_rec;

static key pool_key(uint64_t cat, uint64_t period)
{
	key k = key_of("pool:");
	key_u64(&k, cat);
	key_u64(&k, period);
	return k;
}

static int pool_get(contract_env *env, pool_rec *p, uint64_t cat, uint64_t period)
{
	uint8_t v[POOL_SIZE];
	bool found;
	key k = pool_key(cat, period);
	if (get_fixed(env, &found, v, sizeof(v), &k) < 0 || u256_from_be(&p->pool, v, 32) < 0)
		return -1;
	p->pages = kit_get_be64(v + 32);
	p->books = kit_get_be64(v + 40);
	return 0;
}

static int pool_put(contract_env *env, const pool_rec *p, uint64_t cat, uint64_t period)
{
	uint8_t v[POOL_SIZE] = {0};
	key k = pool_key(cat, period);
	if (u256_is_zero(&p->pool) && !p->pages && !p->books)
		return put(env, &k, v, 0); /* nothing left: absent reads the same */
	u256_to_be32(v, &p->pool);
	kit_put_be64(v + 32, p->pages);
	kit_put_be64(v + 40, p->books);
	return put(env, &k, v, sizeof(v));
}

typedef struct {
	bool settled;
	u256 fee, remainder, paid;
	uint64_t height;
} stl_rec;

static key stl_key(uint64_t cat, uint64_t period)
{
	key k = key_of("stl:");
	key_u64(&k, cat);
	key_u64(&k, period);
	return k;
}

static int stl_get(contract_env *env, stl_rec *s, uint64_t cat, uint64_t period)
{
	uint8_t v[STL_SIZE];
	key k = stl_key(cat, period);
	if (get_fixed(env, &s->settled, v, sizeof(v), &k) < 0 || u256_from_be(&s->fee, v, 32) < 0 ||
	    u256_from_be(&s->remainder, v + 32, 32) < 0 || u256_from_be(&s->paid, v + 64, 32) < 0)
		return -1;
	s->height = kit_get_be64(v + 96);
	return 0;
}

static int stl_put(contract_env *env, const stl_rec *s, uint64_t cat, uint64_t period)
{
	uint8_t v[STL_SIZE];
	key k = stl_key(cat, period);
	u256_to_be32(v, &s->fee);
	u256_to_be32(v + 32, &s->remainder);
	u256_to_be32(v + 64, &s->paid);
	kit_put_be64(v + 96, s->height);
	return put(env, &k, v, sizeof(v));
}

/* The i-th book read in (cat, period), first read first. */
static key read_key(uint64_t cat, uint64_t period, uint64_t i)
{
	key k = key_of("read:");
	key_u64(&k, cat);
	key_u64(&k, period);
	key_u64(&k, i);
	return k;
}

/* A book's counted pages in a period (over all its readers). */
static key bp_key(const uint8_t book[32], uint64_t period)
{
	key k = key_of("bp:");
	key_add(&k, book, 32);
	key_u64(&k, period);
	return k;
}

/* A reader's pages of a book in a period: counted, recorded. */
static key rp_key(const uint8_t reader[20], const uint8_t book[32], uint64_t period)
{
	key k = key_of("rp:");
	key_add(&k, reader, 20);
	key_add(&k, book, 32);
	key_u64(&k, period);
	return k;
}

static int rp_get(contract_env *env, uint64_t *counted, uint64_t *recorded, const uint8_t reader[20],
		  const uint8_t book[32], uint64_t period)
{
	uint8_t v[RP_SIZE];
	bool found;
	key k = rp_key(reader, book, period);
	if (get_fixed(env, &found, v, sizeof(v), &k) < 0)
		return -1;
	*counted = kit_get_be64(v);
	*recorded = kit_get_be64(v + 8);
	return 0;
}

/* The bitmap of a reader's recorded pages [chunk * 2048, chunk * 2048 + 2048) of a book in a period. */
static key pg_key(const uint8_t reader[20], const uint8_t book[32], uint64_t period, uint32_t chunk)
{
	key k = key_of("pg:");
	uint8_t c[4] = {(uint8_t)(chunk >> 24), (uint8_t)(chunk >> 16), (uint8_t)(chunk >> 8), (uint8_t)chunk};
	key_add(&k, reader, 20);
	key_add(&k, book, 32);
	key_u64(&k, period);
	key_add(&k, c, 4);
	return k;
}

/* ---- money ---- */

/* Pays amount from S to whom: 0 paid (or nothing to pay), 1 S cannot (reverted), -1. */
static int pay(contract_result *out, contract_env *env, const uint8_t *whom, const u256 *amount)
{
	int rc;
	if (u256_is_zero(amount))
		return 0;
	if (!whom)
		return -1;
	rc = env->transfer(env->ctx, S, whom, amount);
	if (rc > 0)
		kit_revert(out, "insufficient balance"); /* S holds the unsettled pools: cannot happen */
	return rc;
}

/* ---- the functions; args are decoded and checked against types ---- */

/* Category names: 1..64 bytes of UTF-8 (RFC 3629), no C0 or C1 controls nor DEL. */
static bool good_name(const uint8_t *p, size_t len)
{
	return len && len <= SUB_NAME_MAX && kit_utf8_valid(p, len, false);
}

static int f_create_category(contract_result *out, contract_env *env, const abi_value *a)
{
	const abi_value *name = &a[0];
	const u256 *fee = &a[1].u;
	uint8_t topics[1][32];
	uint64_t n, id;
	key nk = key_of("ncat"), ck;
	cat_rec c;
	int rc;

	if (!env->foundation || memcmp(env->caller, env->foundation, 20))
		return kit_revert(out, "not the foundation");
	if (!good_name(name->data, name->len))
		return kit_revert(out, "bad category name");
	ck = cname_key(name->data, name->len);
	if (get_u64(env, &id, &ck) < 0)
		return FAILED;
	if (id)
		return kit_revert(out, "category exists");
	if (u256_is_zero(fee))
		return kit_revert(out, "fee must be positive");
	if (!u256_fits_u128(fee))
		return kit_revert(out, "fee too large");
	if (get_u64(env, &n, &nk) < 0)
		return FAILED;
	id = n + 1;

	memset(&c, 0, sizeof(c));
	c.raw = (buf)BUF_INIT;
	buf_grow(&c.raw, CAT_FIXED + name->len);
	memset(c.raw.p, 0, CAT_FIXED);
	c.raw.len = CAT_FIXED;
	buf_add(&c.raw, name->data, name->len);
	c.fee = *fee;
	rc = cat_put(env, &c, id);
	buf_free(&c.raw);
	if (rc < 0 || put_u64(env, &nk, id) < 0 || put_u64(env, &ck, id) < 0)
		return FAILED;
	kit_word_u64(topics[0], id);
	abi_value d[2] = {kit_str_value(name->data, name->len), abi_u256(fee)};
	if (kit_emit(env, S, EV_CATEGORY_CREATED, (const uint8_t(*)[32])topics, 1, d, 2) < 0)
		return FAILED;
	abi_value v = abi_u64(id);
	return kit_ret(out, &v);
}

static int f_enroll(contract_result *out, contract_env *env, const abi_value *a)
{
	const uint8_t *book = a[0].fixed;
	uint8_t author[20], topics[3][32];
	uint64_t id, already;
	key ek = enr_key(book);
	cat_rec c;
	bool found, go;
	int rc;

	if (market_book_author(env, &found, author, book) < 0)
		return FAILED;
	if (!found)
		return kit_revert(out, "no such book");
	if (memcmp(author, env->caller, 20))
		return kit_revert(out, "not the author");
	rc = cat_arg(out, env, &c, &id, &a[1], &go);
	if (rc < 0 || !go) {
		buf_free(&c.raw);
		return rc;
	}
	if (get_u64(env, &already, &ek) < 0) {
		buf_free(&c.raw);
		return FAILED;
	}
	if (already) {
		buf_free(&c.raw);
		return kit_revertf(out, "already enrolled in category %" PRIu64, already);
	}
	c.books++;
	rc = cat_put(env, &c, id);
	buf_free(&c.raw);
	if (rc < 0 || put_u64(env, &ek, id) < 0)
		return FAILED;
	memcpy(topics[0], book, 32);
	kit_word_u64(topics[1], id);
	abi_address_word(topics[2], author);
	if (kit_emit(env, S, EV_ENROLLED, (const uint8_t(*)[32])topics, 3, NULL, 0) < 0)
		return FAILED;
	return kit_ret_nothing(out);
}

/* Adds (or with sub, takes) fee to the pools of periods [from, until). 0, 1 reverted, -1. */
static int pools_add(contract_result *out, contract_env *env, uint64_t cat, uint64_t from, uint64_t until,
		     const u256 *fee, bool sub)
{
	for (uint64_t k = from; k < until; k++) {
		pool_rec p;
		if (pool_get(env, &p, cat, k) < 0)
			return -1;
		if (sub ? u256_sub(&p.pool, &p.pool, fee) < 0 : u256_add(&p.pool, &p.pool, fee) < 0)
			return -1;
		if (!sub && !u256_fits_u128(&p.pool)) {
			kit_revert(out, "pool too large"); /* more than all the LST there is */
			return 1;
		}
		if (pool_put(env, &p, cat, k) < 0)
			return -1;
	}
	return 0;
}

static int f_subscribe(contract_result *out, contract_env *env, const abi_value *a)
{
	const u256 *months_arg = &a[1].u;
	uint8_t topics[2][32];
	char f[U256_DEC_MAX], v[U256_DEC_MAX];
	uint64_t id, months, cur = current(env), start;
	cat_rec c;
	mem_rec m;
	u256 total;
	bool go;
	int rc = cat_arg(out, env, &c, &id, &a[0], &go);

	buf_free(&c.raw);
	if (rc < 0 || !go)
		return rc;
	if (!u256_fits_u64(months_arg) || !months_arg->w[0] || months_arg->w[0] > SUB_MONTHS_MAX)
		return kit_revertf(out, "months must be 1 to %d", SUB_MONTHS_MAX);
	months = months_arg->w[0];
	if (u256_mul_small(&total, &c.fee, months, 0) < 0 || !u256_fits_u128(&total))
		return kit_revertf(out, "fee too large for %" PRIu64 " months", months);
	if (u256_cmp(&env->value, &total)) {
		u256_to_dec(f, &total);
		u256_to_dec(v, &env->value);
		return kit_revertf(out, "fee is %s for %" PRIu64 " months, not %s", f, months, v);
	}
	if (mem_get(env, &m, id, env->caller) < 0)
		return FAILED;
	if (member_now(&m, cur)) {
		start = m.until; /* extends the span */
	} else {
		if (m.found) { /* keep the last span: its periods may still be recorded */
			m.pfrom = m.from;
			m.puntil = m.until;
		}
		m.from = start = cur;
	}
	if (start > UINT64_MAX - months)
		return kit_revert(out, "membership too long");
	m.until = start + months;
	rc = pools_add(out, env, id, start, m.until, &c.fee, false);
	if (rc)
		return rc < 0 ? FAILED : DONE;
	if (!m.found) {
		if (cat_get(env, &c, id) < 0) {
			buf_free(&c.raw);
			return FAILED;
		}
		c.members++;
		rc = cat_put(env, &c, id);
		buf_free(&c.raw);
		if (rc < 0)
			return FAILED;
	}
	m.found = true;
	if (mem_put(env, &m, id, env->caller) < 0)
		return FAILED;
	kit_word_u64(topics[0], id);
	abi_address_word(topics[1], env->caller);
	abi_value d[3] = {abi_u64(start), abi_u64(m.until), abi_u256(&total)};
	if (kit_emit(env, S, EV_SUBSCRIBED, (const uint8_t(*)[32])topics, 2, d, 3) < 0)
		return FAILED;
	return kit_ret_nothing(out);
}

static int f_cancel(contract_result *out, contract_env *env, const abi_value *a)
{
	uint8_t topics[2][32];
	uint64_t id, cur = current(env);
	cat_rec c;
	mem_rec m;
	u256 refund;
	bool go;
	int rc = cat_arg(out, env, &c, &id, &a[0], &go);

	buf_free(&c.raw);
	if (rc < 0 || !go) {
		/* not a category: nobody is a member of it */
		if (rc == DONE && !go) {
			char n[U256_DEC_MAX];
			u256_to_dec(n, &a[0].u);
			return kit_revertf(out, "not a member of category %s", n);
		}
		return rc;
	}
	if (mem_get(env, &m, id, env->caller) < 0)
		return FAILED;
	if (!member_now(&m, cur))
		return kit_revertf(out, "not a member of category %" PRIu64, id);
	if (m.until == cur + 1)
		return kit_revertf(out, "membership already ends with period %" PRIu64, cur);
	if (u256_mul_small(&refund, &c.fee, m.until - cur - 1, 0) < 0)
		return FAILED;
	rc = pay(out, env, env->caller, &refund);
	if (rc)
		return rc < 0 ? FAILED : DONE;
	if (pools_add(out, env, id, cur + 1, m.until, &c.fee, true) < 0)
		return FAILED;
	m.until = cur + 1;
	if (mem_put(env, &m, id, env->caller) < 0)
		return FAILED;
	kit_word_u64(topics[0], id);
	abi_address_word(topics[1], env->caller);
	abi_value d[2] = {abi_u64(m.until), abi_u256(&refund)};
	if (kit_emit(env, S, EV_CANCELLED, (const uint8_t(*)[32])topics, 2, d, 2) < 0)
		return FAILED;
	return kit_ret_nothing(out);
}

static key srv_key(const uint8_t server[20])
{
	key k = key_of("srv:");
	key_add(&k, server, 20);
	return k;
}

static int server_owner(contract_env *env, bool *found, uint8_t owner[20], const uint8_t server[20])
{
	key k = srv_key(server);
	return get_fixed(env, found, owner, 20, &k);
}

static int f_set_server(contract_result *out, contract_env *env, const abi_value *a)
{
	const uint8_t *server = a[0].addr;
	bool on = a[1].b, found;
	uint8_t owner[20], topics[2][32];
	key k = srv_key(server);

	if (server_owner(env, &found, owner, server) < 0)
		return FAILED;
	if (on && found)
		return kit_revert(out, memcmp(owner, env->caller, 20) ? "server belongs to another account"
								  : "server is already yours");
	if (!on && (!found || memcmp(owner, env->caller, 20)))
		return kit_revert(out, "not your server");
	if (put(env, &k, env->caller, on ? 20 : 0) < 0)
		return FAILED;
	abi_address_word(topics[0], server);
	abi_address_word(topics[1], env->caller);
	abi_value d = abi_bool(on);
	if (kit_emit(env, S, EV_SERVER_SET, (const uint8_t(*)[32])topics, 2, &d, 1) < 0)
		return FAILED;
	return kit_ret_nothing(out);
}

static int cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	return a < b ? -1 : a > b;
}

/*
 * Sets the bits of the sorted, distinct pages p[0..n) in the reader's
 * bitmaps; *added the pages that were not set. 0 or -1.
 */
static int mark_pages(contract_env *env, uint64_t *added, const uint8_t reader[20], const uint8_t book[32],
		      uint64_t period, const uint32_t *p, size_t n)
{
	*added = 0;
	for (size_t i = 0; i < n;) {
		uint32_t chunk = p[i] / CHUNK_PAGES;
		uint8_t bits[CHUNK_BYTES];
		uint64_t before = *added;
		bool found;
		key k = pg_key(reader, book, period, chunk);
		if (get_fixed(env, &found, bits, sizeof(bits), &k) < 0)
			return -1;
		for (; i < n && p[i] / CHUNK_PAGES == chunk; i++) {
			uint32_t bit = p[i] % CHUNK_PAGES;
			if (!(bits[bit / 8] & 1u << (bit % 8))) {
				bits[bit / 8] |= (uint8_t)(1u << (bit % 8));
				++*added;
			}
		}
		if (*added != before && put(env, &k, bits, sizeof(bits)) < 0)
			return -1;
	}
	return 0;
}

/*
 * recordPages' checks, in the order of subscription.h, on book in
 * period k with the pages already converted: DONE with *go when they
 * pass, DONE after a revert, or FAILED.
 */
static int record_checks(contract_result *out, contract_env *env, bool *go, uint64_t *cat, const uint8_t book[32],
			 const abi_value *period, const abi_value *pages, uint32_t *p, const abi_value *receipt)
{
	uint8_t hash[32], signer[20], owner[20];
	char kd[U256_DEC_MAX], who[ADDR_STR];
	uint64_t cur = current(env), k;
	stl_rec st;
	mem_rec m;
	bool found, yes;

	*go = false;
	if (enrolled_in(env, cat, book) < 0)
		return FAILED;
	if (!*cat)
		return kit_revert(out, "book is not enrolled");
	u256_to_dec(kd, &period->u);
	k = period->u.w[0];
	if (!u256_fits_u64(&period->u) || (k != cur && k + 1 != cur))
		return kit_revertf(out, "period %s cannot be recorded now", kd);
	if (stl_get(env, &st, *cat, k) < 0)
		return FAILED;
	if (st.settled)
		return kit_revertf(out, "period %s is settled", kd);
	if (mem_get(env, &m, *cat, env->caller) < 0)
		return FAILED;
	if (!member_in(&m, k))
		return kit_revertf(out, "not a member of category %" PRIu64 " in period %s", *cat, kd);
	if (!pages->n || pages->n > SUB_PAGES_PER_CALL)
		return kit_revertf(out, "1 to %d pages per call", SUB_PAGES_PER_CALL);
	for (size_t i = 0; i < pages->n; i++) {
		const u256 *x = &pages->items[i].u;
		if (u256_is_zero(x) || !u256_fits_u64(x) || x->w[0] > UINT32_MAX) {
			char pd[U256_DEC_MAX];
			u256_to_dec(pd, x);
			return kit_revertf(out, "page %s does not exist", pd);
		}
		p[i] = (uint32_t)x->w[0];
	}
	sub_receipt_hash(hash, env->chain_id, env->caller, book, k, p, pages->n);
	if (receipt->len != 65 || sub_receipt_signer(signer, receipt->data, hash) < 0)
		return kit_revert(out, "bad receipt");
	if (server_owner(env, &found, owner, signer) < 0)
		return FAILED;
	if (!found) {
		addr_to_str(who, signer);
		return kit_revertf(out, "receipt signer %s is not a registered server", who);
	}
	if (!memcmp(signer, env->caller, 20) || !memcmp(owner, env->caller, 20))
		return kit_revert(out, "a reader cannot serve themselves");
	if (market_has_access(env, &yes, book, owner) < 0)
		return FAILED;
	if (!yes) {
		addr_to_str(who, owner);
		return kit_revertf(out, "server's owner %s cannot hold the book", who);
	}
	*go = true;
	return DONE;
}

/* Counts c more pages of book in (cat, k): the book's count, the pool's, the list of books read. 0 or -1. */
static int count_pages(contract_env *env, uint64_t cat, const uint8_t book[32], uint64_t k, uint64_t c)
{
	uint64_t have;
	pool_rec p;
	key bk = bp_key(book, k);
	if (get_u64(env, &have, &bk) < 0 || pool_get(env, &p, cat, k) < 0)
		return -1;
	if (!have) { /* first read in k */
		key rk = read_key(cat, k, p.books);
		if (put(env, &rk, book, 32) < 0)
			return -1;
		p.books++;
	}
	p.pages += c;
	if (put_u64(env, &bk, have + c) < 0 || pool_put(env, &p, cat, k) < 0)
		return -1;
	return 0;
}

static int f_record_pages(contract_result *out, contract_env *env, const abi_value *a)
{
	const uint8_t *book = a[0].fixed;
	uint8_t topics[3][32], rec[RP_SIZE];
	uint64_t cat, k = a[1].u.w[0], added, counted, recorded, c;
	uint32_t *p = xcalloc(a[2].n ? a[2].n : 1, sizeof(*p));
	size_t n = 0;
	bool go;
	int rc = record_checks(out, env, &go, &cat, book, &a[1], &a[2], p, &a[3]);

	if (rc < 0 || !go) {
		free(p);
		return rc;
	}
	qsort(p, a[2].n, sizeof(*p), cmp_u32);
	for (size_t i = 0; i < a[2].n; i++)
		if (!n || p[n - 1] != p[i])
			p[n++] = p[i];
	rc = mark_pages(env, &added, env->caller, book, k, p, n);
	free(p);
	if (rc < 0 || rp_get(env, &counted, &recorded, env->caller, book, k) < 0)
		return FAILED;
	c = settle_capped(counted, added);
	if (added) {
		key rk = rp_key(env->caller, book, k);
		kit_put_be64(rec, counted + c);
		kit_put_be64(rec + 8, recorded + added);
		if (put(env, &rk, rec, sizeof(rec)) < 0 || (c && count_pages(env, cat, book, k, c) < 0))
			return FAILED;
	}
	memcpy(topics[0], book, 32);
	abi_address_word(topics[1], env->caller);
	kit_word_u64(topics[2], k);
	abi_value d[2] = {abi_u64(added), abi_u64(c)};
	if (kit_emit(env, S, EV_PAGES_RECORDED, (const uint8_t(*)[32])topics, 3, d, 2) < 0)
		return FAILED;
	abi_value v = abi_u64(c);
	return kit_ret(out, &v);
}

/* The books read in (cat, k) and their counted pages, first read first: n books. 0 or -1. */
static int books_read(contract_env *env, uint8_t (*books)[32], uint64_t *pages, uint64_t cat, uint64_t k,
		      uint64_t offset, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		bool found;
		key rk = read_key(cat, k, offset + i), bk;
		if (get_fixed(env, &found, books[i], 32, &rk) < 0 || !found)
			return -1;
		bk = bp_key(books[i], k);
		if (get_u64(env, &pages[i], &bk) < 0)
			return -1;
	}
	return 0;
}

/* Pays the split of (cat, k)'s pool and logs the payouts. 0, 1 reverted, -1. */
static int pay_out(contract_result *out, contract_env *env, stl_rec *st, uint64_t cat, uint64_t k,
		   const pool_rec *pool)
{
	uint64_t n = pool->books;
	uint8_t (*books)[32], author[20], topics[3][32];
	uint64_t *pages;
	u256 *payouts, rest;
	bool found;
	int rc = -1;

	if (n > SIZE_MAX / sizeof(u256))
		return -1;
	books = xcalloc(n ? n : 1, 32);
	pages = xcalloc(n ? n : 1, sizeof(*pages));
	payouts = xcalloc(n ? n : 1, sizeof(*payouts));
	st->paid = u256_from_u64(0);
	if (books_read(env, books, pages, cat, k, 0, n) < 0 ||
	    settle_split(payouts, &st->fee, &st->remainder, &pool->pool, env->service_fee_bps, pages, n) < 0)
		goto out;
	for (uint64_t i = 0; i < n; i++) {
		if (market_book_author(env, &found, author, books[i]) < 0 || !found)
			goto out;
		if ((rc = pay(out, env, author, &payouts[i])) != 0)
			goto out;
		rc = -1;
		if (u256_add(&st->paid, &st->paid, &payouts[i]) < 0)
			goto out;
		memcpy(topics[0], books[i], 32);
		abi_address_word(topics[1], author);
		kit_word_u64(topics[2], k);
		abi_value d[3] = {abi_u64(cat), abi_u64(pages[i]), abi_u256(&payouts[i])};
		if (kit_emit(env, S, EV_PAYOUT, (const uint8_t(*)[32])topics, 3, d, 3) < 0)
			goto out;
	}
	if (u256_add(&rest, &st->fee, &st->remainder) < 0)
		goto out;
	rc = pay(out, env, env->foundation, &rest);
out:
	free(books);
	free(pages);
	free(payouts);
	return rc;
}

static int f_settle(contract_result *out, contract_env *env, const abi_value *a)
{
	uint8_t topics[2][32];
	char kd[U256_DEC_MAX];
	uint64_t id, k = a[1].u.w[0], end;
	cat_rec c;
	pool_rec pool;
	stl_rec st;
	bool go;
	int rc = cat_arg(out, env, &c, &id, &a[0], &go);

	buf_free(&c.raw);
	if (rc < 0 || !go)
		return rc;
	u256_to_dec(kd, &a[1].u);
	end = u256_fits_u64(&a[1].u) && k < UINT64_MAX ? start_of(env, k + 1) : UINT64_MAX;
	if (env->time < end || end == UINT64_MAX)
		return kit_revertf(out, "period %s has not ended (ends at %" PRIu64 ")", kd, end);
	if (stl_get(env, &st, id, k) < 0 || pool_get(env, &pool, id, k) < 0)
		return FAILED;
	if (st.settled)
		return kit_revertf(out, "period %s is already settled", kd);
	rc = pay_out(out, env, &st, id, k, &pool);
	if (rc)
		return rc < 0 ? FAILED : DONE;
	st.height = env->height;
	if (stl_put(env, &st, id, k) < 0)
		return FAILED;
	kit_word_u64(topics[0], id);
	kit_word_u64(topics[1], k);
	abi_value d[4] = {abi_u256(&pool.pool), abi_u256(&st.fee), abi_u256(&st.remainder), abi_u64(pool.books)};
	if (kit_emit(env, S, EV_SETTLED, (const uint8_t(*)[32])topics, 2, d, 4) < 0)
		return FAILED;
	return kit_ret_nothing(out);
}

/* ---- views ---- */

/* A period or time argument that fits in 64 bits, else revert with what. */
static int u64_arg(contract_result *out, uint64_t *x, const abi_value *a, const char *what, bool *go)
{
	*go = u256_fits_u64(&a->u);
	*x = a->u.w[0];
	return *go ? DONE : kit_revertf(out, "%s too large", what);
}

static int f_is_member(contract_result *out, contract_env *env, const abi_value *a)
{
	mem_rec m = {0};
	if (u256_fits_u64(&a[0].u) && mem_get(env, &m, a[0].u.w[0], a[1].addr) < 0)
		return FAILED;
	abi_value v = abi_bool(member_now(&m, current(env)));
	return kit_ret(out, &v);
}

static int f_membership(contract_result *out, contract_env *env, const abi_value *a)
{
	mem_rec m = {0};
	if (u256_fits_u64(&a[0].u) && mem_get(env, &m, a[0].u.w[0], a[1].addr) < 0)
		return FAILED;
	abi_value v[3] = {abi_u64(m.from), abi_u64(m.until), abi_u64(m.found ? start_of(env, m.until) : 0)};
	return kit_ret_values(out, v, 3);
}

static int f_category_count(contract_result *out, contract_env *env, const abi_value *a)
{
	uint64_t n;
	key k = key_of("ncat");
	if (get_u64(env, &n, &k) < 0)
		return FAILED;
	abi_value v = abi_u64(n);
	return kit_ret(out, &v);
}

static int f_category(contract_result *out, contract_env *env, const abi_value *a)
{
	uint64_t id;
	cat_rec c;
	bool go;
	int rc = cat_arg(out, env, &c, &id, &a[0], &go);
	if (rc == DONE && go) {
		abi_value v[4] = {kit_str_value(c.raw.p + CAT_FIXED, c.raw.len - CAT_FIXED),
				  abi_u256(&c.fee), abi_u64(c.books), abi_u64(c.members)};
		rc = kit_ret_values(out, v, 4);
	}
	buf_free(&c.raw);
	return rc;
}

static int f_category_id(contract_result *out, contract_env *env, const abi_value *a)
{
	uint64_t id;
	key k = cname_key(a[0].data, a[0].len);
	if (get_u64(env, &id, &k) < 0)
		return FAILED;
	abi_value v = abi_u64(id);
	return kit_ret(out, &v);
}

static int f_category_of(contract_result *out, contract_env *env, const abi_value *a)
{
	uint64_t id;
	if (enrolled_in(env, &id, a[0].fixed) < 0)
		return FAILED;
	abi_value v = abi_u64(id);
	return kit_ret(out, &v);
}

static int f_period(contract_result *out, contract_env *env, const abi_value *a)
{
	uint64_t cur = current(env);
	abi_value v[4] = {abi_u64(cur), abi_u64(start_of(env, cur)), abi_u64(start_of(env, cur + 1)),
			  abi_u64(env->subscription_period)};
	return kit_ret_values(out, v, 4);
}

static int f_period_of(contract_result *out, contract_env *env, const abi_value *a)
{
	uint64_t t;
	bool go;
	int rc = u64_arg(out, &t, &a[0], "time", &go);
	if (!go)
		return rc;
	abi_value v = abi_u64(sub_period_of(env->subscription_period, t));
	return kit_ret(out, &v);
}

static int f_period_start(contract_result *out, contract_env *env, const abi_value *a)
{
	uint64_t k, t;
	bool go;
	int rc = u64_arg(out, &k, &a[0], "period", &go);
	if (!go)
		return rc;
	if ((t = start_of(env, k)) == UINT64_MAX)
		return kit_revert(out, "period too large");
	abi_value v = abi_u64(t);
	return kit_ret(out, &v);
}

static int f_page_access(contract_result *out, contract_env *env, const abi_value *a)
{
	const uint8_t *reader = a[0].addr;
	uint8_t book[32];
	uint64_t cat = 0, cur = current(env), until = 0;
	mem_rec m;
	bool found;
	if (market_book_of(env, &found, book, a[1].fixed) < 0 || (found && enrolled_in(env, &cat, book) < 0))
		return FAILED;
	if (cat) {
		if (mem_get(env, &m, cat, reader) < 0)
			return FAILED;
		if (member_now(&m, cur))
			until = start_of(env, m.until);
	}
	abi_value v[4] = {abi_fixed_bytes(book, 32), abi_u64(cat), abi_u64(cur), abi_u64(until)};
	return kit_ret_values(out, v, 4);
}

static int f_server_owner(contract_result *out, contract_env *env, const abi_value *a)
{
	uint8_t owner[20];
	bool found;
	if (server_owner(env, &found, owner, a[0].addr) < 0)
		return FAILED;
	abi_value v = abi_address(owner); /* zero if none */
	return kit_ret(out, &v);
}

/* (category, period) arguments as 64-bit numbers; too large ones name nothing. */
static bool cat_period(const abi_value *a, uint64_t *cat, uint64_t *k)
{
	*cat = a[0].u.w[0];
	*k = a[1].u.w[0];
	return u256_fits_u64(&a[0].u) && u256_fits_u64(&a[1].u);
}

static int f_pool(contract_result *out, contract_env *env, const abi_value *a)
{
	uint64_t cat, k;
	pool_rec p = {0};
	stl_rec st = {0};
	if (cat_period(a, &cat, &k) && (pool_get(env, &p, cat, k) < 0 || stl_get(env, &st, cat, k) < 0))
		return FAILED;
	abi_value v[4] = {abi_u256(&p.pool), abi_u64(p.pages), abi_u64(p.books), abi_bool(st.settled)};
	return kit_ret_values(out, v, 4);
}

static int f_books_read(contract_result *out, contract_env *env, const abi_value *a)
{
	uint64_t cat, k, off, lim, n = 0;
	pool_rec p = {0};
	uint8_t (*books)[32];
	uint64_t *pages;
	abi_value *items, cols[2];
	int rc = DONE;

	if (!u256_fits_u64(&a[3].u) || a[3].u.w[0] > SUB_BOOKS_READ_LIMIT)
		return kit_revertf(out, "limit is at most %d", SUB_BOOKS_READ_LIMIT);
	lim = a[3].u.w[0];
	off = u256_fits_u64(&a[2].u) ? a[2].u.w[0] : UINT64_MAX;
	if (cat_period(a, &cat, &k) && pool_get(env, &p, cat, k) < 0)
		return FAILED;
	if (off < p.books)
		n = p.books - off < lim ? p.books - off : lim;
	books = xcalloc(n ? n : 1, 32);
	pages = xcalloc(n ? n : 1, sizeof(*pages));
	items = xcalloc(2 * (n ? n : 1), sizeof(*items));
	if (books_read(env, books, pages, cat, k, off, n) < 0) {
		rc = FAILED;
	} else {
		for (uint64_t i = 0; i < n; i++) {
			items[i] = abi_fixed_bytes(books[i], 32);
			items[n + i] = abi_u64(pages[i]);
		}
		cols[0] = abi_array(items, n, false);
		cols[1] = abi_array(items + n, n, false);
		rc = kit_ret_values(out, cols, 2);
	}
	free(books);
	free(pages);
	free(items);
	return rc;
}

static int f_reader_pages(contract_result *out, contract_env *env, const abi_value *a)
{
	uint64_t counted = 0, recorded = 0;
	if (u256_fits_u64(&a[2].u) && rp_get(env, &counted, &recorded, a[0].addr, a[1].fixed, a[2].u.w[0]) < 0)
		return FAILED;
	abi_value v[2] = {abi_u64(counted), abi_u64(recorded)};
	return kit_ret_values(out, v, 2);
}

static int f_page_recorded(contract_result *out, contract_env *env, const abi_value *a)
{
	const u256 *page = &a[3].u;
	uint8_t bits[CHUNK_BYTES] = {0};
	bool found = false, yes = false;
	if (u256_fits_u64(&a[2].u) && u256_fits_u64(page) && page->w[0] && page->w[0] <= UINT32_MAX) {
		uint32_t pg = (uint32_t)page->w[0];
		key k = pg_key(a[0].addr, a[1].fixed, a[2].u.w[0], pg / CHUNK_PAGES);
		if (get_fixed(env, &found, bits, sizeof(bits), &k) < 0)
			return FAILED;
		yes = bits[pg % CHUNK_PAGES / 8] & 1u << (pg % 8);
	}
	abi_value v = abi_bool(yes);
	return kit_ret(out, &v);
}

static int f_settlement(contract_result *out, contract_env *env, const abi_value *a)
{
	uint64_t cat, k;
	stl_rec st = {0};
	if (cat_period(a, &cat, &k) && stl_get(env, &st, cat, k) < 0)
		return FAILED;
	abi_value v[5] = {abi_bool(st.settled), abi_u256(&st.fee), abi_u256(&st.remainder), abi_u256(&st.paid),
			  abi_u64(st.height)};
	return kit_ret_values(out, v, 5);
}

static const contract_fn functions[] = {
	{{0x30, 0xf1, 0x08, 0x1a}, "createCategory(string,uint256)", "string,uint256", true, f_create_category},
	{{0xdc, 0x3a, 0x4e, 0x9b}, "enroll(bytes32,uint256)", "bytes32,uint256", true, f_enroll},
	{{0x84, 0x37, 0x08, 0x13}, "subscribe(uint256,uint256)", "uint256,uint256", true, f_subscribe},
	{{0x40, 0xe5, 0x8e, 0xe5}, "cancel(uint256)", "uint256", true, f_cancel},
	{{0xb8, 0xf5, 0xf8, 0xf8}, "setServer(address,bool)", "address,bool", true, f_set_server},
	{{0xce, 0xcf, 0x53, 0x14}, "recordPages(bytes32,uint256,uint256[],bytes)", "bytes32,uint256,uint256[],bytes",
	 true, f_record_pages},
	{{0x9a, 0x9c, 0x29, 0xf6}, "settle(uint256,uint256)", "uint256,uint256", true, f_settle},
	{{0x7d, 0x9e, 0x10, 0xf5}, "isMember(uint256,address)", "uint256,address", false, f_is_member},
	{{0xd2, 0xcf, 0xdb, 0x1d}, "membership(uint256,address)", "uint256,address", false, f_membership},
	{{0x2b, 0xe3, 0x2d, 0xbb}, "categoryCount()", "", false, f_category_count},
	{{0x25, 0x3e, 0xca, 0x1f}, "category(uint256)", "uint256", false, f_category},
	{{0x63, 0xa1, 0x59, 0x44}, "categoryId(string)", "string", false, f_category_id},
	{{0xc8, 0x95, 0xc2, 0xab}, "categoryOf(bytes32)", "bytes32", false, f_category_of},
	{{0xef, 0x78, 0xd4, 0xfd}, "period()", "", false, f_period},
	{{0xf8, 0x54, 0x9a, 0xf9}, "periodOf(uint256)", "uint256", false, f_period_of},
	{{0xa3, 0x6f, 0x12, 0x55}, "periodStart(uint256)", "uint256", false, f_period_start},
	{{0x1e, 0xa9, 0x14, 0xfe}, "pageAccess(address,bytes32)", "address,bytes32", false, f_page_access},
	{{0x6a, 0x4f, 0x66, 0x62}, "serverOwner(address)", "address", false, f_server_owner},
	{{0x9b, 0x1b, 0x61, 0x5e}, "pool(uint256,uint256)", "uint256,uint256", false, f_pool},
	{{0xd8, 0x78, 0x36, 0xca}, "booksRead(uint256,uint256,uint256,uint256)", "uint256,uint256,uint256,uint256",
	 false, f_books_read},
	{{0xf5, 0x48, 0x03, 0xbb}, "readerPages(address,bytes32,uint256)", "address,bytes32,uint256", false,
	 f_reader_pages},
	{{0xe5, 0x20, 0xdf, 0xec}, "pageRecorded(address,bytes32,uint256,uint256)", "address,bytes32,uint256,uint256",
	 false, f_page_recorded},
	{{0x9e, 0xab, 0xf5, 0x97}, "settlement(uint256,uint256)", "uint256,uint256", false, f_settlement},
};

static const uint8_t payable[][4] = {
	{0x84, 0x37, 0x08, 0x13}, /* subscribe */
};

static int subscription_call(contract_result *out, contract_env *env, const uint8_t *calldata, size_t len)
{
	return contract_dispatch_payable(out, env, "subscription", functions, ARRAY_SIZE(functions), payable,
					 ARRAY_SIZE(payable), calldata, len);
}

const contract_def subscription_contract = {
	"subscription",
	SUBSCRIPTION_ADDRESS_BYTES,
	subscription_call,
};
