/* exec.c: see exec.h. */
#include "lst.h"
#include "exec.h"
#include "contract.h"
#include "diag.h"
#include "hmap.h"
#include "keccak.h"

typedef struct {
	account a;
	bool dirty;
} cached;

/* A change to undo if a contract call reverts. */
typedef struct {
	uint8_t address[20];
	account before;
	bool was_dirty;
} undo;

typedef struct {
	state *st;
	hmap accounts;    /* address -> cached */
	const exec_block_info *info;
	keccak_ctx storage_log; /* every storage write, in order, for the app hash */
	undo *journal;
	size_t njournal, capjournal;
	bool journaling;
	/* Logs of the transaction being executed. */
	log_row *logs;
	size_t nlogs;
	bool failed;      /* a database error inside a contract callback */
	/*
	 * eth_call and eth_estimateGas run on a read-only connection: their
	 * storage writes go to this overlay (contract || key -> value) and are
	 * dropped with it, as Ethereum discards a simulated call's state.
	 */
	bool simulate;
	hmap overlay;
} exec_ctx;

static cached *get(exec_ctx *x, const uint8_t a[20])
{
	cached *c = hmap_get(&x->accounts, a);
	if (c)
		return c;
	c = xcalloc(1, sizeof(*c));
	if (state_get_account(x->st, &c->a, a) < 0)
		x->failed = true;
	hmap_put(&x->accounts, a, c);
	return c;
}

static void touch(exec_ctx *x, const uint8_t a[20], cached *c)
{
	if (x->journaling) {
		if (x->njournal == x->capjournal) {
			x->capjournal = x->capjournal ? 2 * x->capjournal : 16;
			x->journal = xrealloc(x->journal, x->capjournal * sizeof(undo));
		}
		undo *u = &x->journal[x->njournal++];
		memcpy(u->address, a, 20);
		u->before = c->a;
		u->was_dirty = c->dirty;
	}
	c->dirty = true;
}

/* 0 moved, 1 insufficient funds (nothing moved). */
static int move(exec_ctx *x, const uint8_t from[20], const uint8_t to[20], const u256 *amount)
{
	cached *f = get(x, from);
	u256 nb;
	if (u256_sub(&nb, &f->a.balance, amount) < 0)
		return 1;
	touch(x, from, f);
	f->a.balance = nb;
	cached *t = get(x, to);
	touch(x, to, t);
	/* Cannot overflow: the supply fits in 128 bits. */
	if (u256_add(&t->a.balance, &t->a.balance, amount) < 0)
		x->failed = true;
	return x->failed ? -1 : 0;
}

/* ---- the environment native contracts see ---- */

static int env_balance(void *ctx, u256 *out, const uint8_t addr[20])
{
	*out = get(ctx, addr)->a.balance;
	return ((exec_ctx *)ctx)->failed ? -1 : 0;
}

/* Overlay key: contract || keccak(key). */
static void overlay_key(uint8_t out[52], const uint8_t self[20], const uint8_t *key, size_t klen)
{
	memcpy(out, self, 20);
	keccak256(out + 20, key, klen);
}

static int env_transfer(void *ctx, const uint8_t from[20], const uint8_t to[20], const u256 *amount)
{
	return move(ctx, from, to, amount);
}

static int env_total_supply(void *ctx, u256 *out)
{
	*out = ((exec_ctx *)ctx)->info->supply;
	return 0;
}

static int env_storage_get(void *ctx, buf *out, const uint8_t self[20], const uint8_t *key, size_t klen)
{
	exec_ctx *x = ctx;
	if (x->simulate) {
		uint8_t ok[52];
		overlay_key(ok, self, key, klen);
		buf *v = hmap_get(&x->overlay, ok);
		if (v) {
			buf_reset(out);
			buf_add(out, v->p, v->len);
			return v->len ? 0 : 1;
		}
	}
	int r = state_storage_get(x->st, out, self, key, klen);
	if (r < 0)
		x->failed = true;
	return r;
}

static int env_storage_put(void *ctx, const uint8_t self[20], const uint8_t *key, size_t klen,
			   const uint8_t *val, size_t vlen)
{
	exec_ctx *x = ctx;
	uint8_t h[32];
	if (x->simulate) {
		uint8_t ok[52];
		buf *v = xcalloc(1, sizeof(*v));
		overlay_key(ok, self, key, klen);
		buf_add(v, val, vlen);
		buf *old = hmap_put(&x->overlay, ok, v);
		if (old) {
			buf_free(old);
			free(old);
		}
		return 0;
	}
	if (state_storage_put(x->st, self, key, klen, val, vlen) < 0) {
		x->failed = true;
		return -1;
	}
	keccak256_update(&x->storage_log, self, 20);
	keccak256(h, key, klen);
	keccak256_update(&x->storage_log, h, 32);
	keccak256(h, val, vlen);
	keccak256_update(&x->storage_log, h, 32);
	return 0;
}

static void env_log(void *ctx, const uint8_t self[20], const uint8_t (*topics)[32], size_t ntopics,
		    const uint8_t *data, size_t len)
{
	exec_ctx *x = ctx;
	if (ntopics > 4)
		ntopics = 4;
	x->logs = xrealloc(x->logs, (x->nlogs + 1) * sizeof(*x->logs));
	log_row *l = &x->logs[x->nlogs++];
	memset(l, 0, sizeof(*l));
	memcpy(l->address, self, 20);
	memcpy(l->topics, topics, ntopics * 32);
	l->ntopics = (int)ntopics;
	buf_add(&l->data, data, len);
}

static void env_init(contract_env *env, exec_ctx *x, const uint8_t *caller, const uint8_t *self,
		     const u256 *value, bool readonly)
{
	memset(env, 0, sizeof(*env));
	env->ctx = x;
	env->caller = caller;
	env->self = self;
	env->value = *value;
	env->height = x->info->height;
	env->time = x->info->time;
	env->chain_id = x->info->chain_id;
	env->foundation = x->info->foundation;
	env->service_fee_bps = x->info->service_fee_bps;
	if (x->info->listing_fee)
		env->listing_fee = *x->info->listing_fee;
	env->subscription_period = x->info->subscription_period;
	env->readonly = readonly;
	env->balance = env_balance;
	env->transfer = env_transfer;
	env->total_supply = env_total_supply;
	env->storage_get = env_storage_get;
	env->storage_put = env_storage_put;
	env->log = env_log;
}

static void drop_logs(exec_ctx *x)
{
	for (size_t i = 0; i < x->nlogs; i++)
		buf_free(&x->logs[i].data);
	free(x->logs);
	x->logs = NULL;
	x->nlogs = 0;
}

static void revert_journal(exec_ctx *x)
{
	for (size_t i = x->njournal; i-- > 0;) {
		cached *c = hmap_get(&x->accounts, x->journal[i].address);
		c->a = x->journal[i].before;
		c->dirty = x->journal[i].was_dirty;
	}
	x->njournal = 0;
}

/* Runs a native contract; on revert every change it made is undone. */
static int run_contract(exec_ctx *x, bool *ok, buf *ret, const contract_def *c, const uint8_t from[20],
			const u256 *value, const uint8_t *data, size_t len, bool readonly)
{
	contract_env env;
	contract_result res;
	memset(&res, 0, sizeof(res));
	if (state_savepoint(x->st) < 0)
		return -1;
	x->journaling = true;
	x->njournal = 0;
	env_init(&env, x, from, c->address, value, readonly);
	/* As in the EVM, the value moves to the contract first (undone on revert). */
	int r = u256_is_zero(value) ? 0 : move(x, from, c->address, value);
	if (r == 1) {
		res.ok = false; /* cannot pay the value: a revert with no data */
		r = 0;
	} else if (r == 0) {
		r = c->call(&res, &env, data, len);
	}
	if (r < 0)
		x->failed = true;
	*ok = r == 0 && res.ok && !x->failed;
	x->journaling = false;
	if (*ok && !x->simulate) {
		if (state_release(x->st) < 0)
			x->failed = true;
	} else {
		revert_journal(x);
		state_rollback_to(x->st);
		drop_logs(x);
	}
	x->njournal = 0;
	buf_reset(ret);
	buf_add(ret, res.ret.p, res.ret.len);
	buf_free(&res.ret);
	return x->failed ? -1 : 0;
}

static int cmp_addr(const void *a, const void *b)
{
	return memcmp(*(const uint8_t *const *)a, *(const uint8_t *const *)b, 20);
}

/* Write dirty accounts in address order and hash them into the app hash. */
static int flush(exec_ctx *x, uint8_t app_hash[32], const uint8_t prev[32])
{
	const uint8_t **keys = xmalloc((x->accounts.len + 1) * sizeof(*keys));
	size_t n = 0, it = 0;
	const uint8_t *k;
	void *v;
	while (hmap_next(&x->accounts, &it, &k, &v))
		if (((cached *)v)->dirty)
			keys[n++] = k;
	qsort(keys, n, sizeof(*keys), cmp_addr);
	keccak_ctx h;
	uint8_t storage[32], be[32], hb[8];
	keccak256_final(&x->storage_log, storage);
	keccak256_init(&h);
	keccak256_update(&h, prev, 32);
	for (int i = 0; i < 8; i++)
		hb[i] = (uint8_t)(x->info->height >> (56 - 8 * i));
	keccak256_update(&h, hb, 8);
	int r = 0;
	for (size_t i = 0; i < n && r == 0; i++) {
		cached *c = hmap_get(&x->accounts, keys[i]);
		r = state_put_account(x->st, keys[i], &c->a);
		u256_to_be32(be, &c->a.balance);
		for (int b = 0; b < 8; b++)
			hb[b] = (uint8_t)(c->a.nonce >> (56 - 8 * b));
		keccak256_update(&h, keys[i], 20);
		keccak256_update(&h, be + 16, 16);
		keccak256_update(&h, hb, 8);
	}
	keccak256_update(&h, storage, 32);
	keccak256_final(&h, app_hash);
	free(keys);
	return r;
}

static void ctx_free(exec_ctx *x)
{
	size_t it = 0;
	const uint8_t *k;
	void *v;
	while (hmap_next(&x->accounts, &it, &k, &v))
		free(v);
	hmap_free(&x->accounts);
	it = 0;
	while (hmap_next(&x->overlay, &it, &k, &v)) {
		buf_free(v);
		free(v);
	}
	hmap_free(&x->overlay);
	free(x->journal);
	drop_logs(x);
}

static int exec_one(exec_ctx *x, exec_tx_result *res, const pooled_tx *p, uint32_t idx)
{
	const tx *t = &p->t;
	cached *f = get(x, t->from);
	res->included = false;
	if (x->failed)
		return -1;
	if (t->nonce != f->a.nonce || u256_cmp(&t->value, &f->a.balance) > 0 || !t->has_to)
		return 0; /* no longer valid: left out */
	tx_row row;
	memset(&row, 0, sizeof(row));
	memcpy(row.hash, t->hash, 32);
	row.height = x->info->height;
	row.idx = idx;
	memcpy(row.from, t->from, 20);
	row.has_to = true;
	memcpy(row.to, t->to, 20);
	row.nonce = t->nonce;
	row.gas_used = tx_intrinsic_gas(t);
	buf_add(&row.raw, p->raw.p, p->raw.len);
	touch(x, t->from, f);
	f->a.nonce++;
	const contract_def *c = contract_find(t->to);
	bool ok = true;
	if (c) {
		if (run_contract(x, &ok, &row.ret, c, t->from, &t->value, t->data, t->data_len, false) < 0) {
			tx_row_free(&row);
			return -1;
		}
	} else if (move(x, t->from, t->to, &t->value) != 0) {
		ok = false; /* cannot happen: checked above */
	}
	row.status = ok ? 1 : 0;
	int r = state_put_tx(x->st, &row);
	for (size_t i = 0; i < x->nlogs && r == 0; i++) {
		log_row *l = &x->logs[i];
		l->height = x->info->height;
		l->tx_idx = idx;
		l->log_idx = (uint32_t)i;
		memcpy(l->tx_hash, t->hash, 32);
		r = state_put_log(x->st, l);
	}
	drop_logs(x);
	tx_row_free(&row);
	res->included = r == 0;
	res->status = row.status;
	res->gas_used = row.gas_used;
	return r;
}

int exec_block(state *st, exec_tx_result *results, uint8_t app_hash[32], const exec_block_info *info,
	       pooled_tx *const *txs, size_t n, const uint8_t prev_app_hash[32])
{
	exec_ctx x;
	memset(&x, 0, sizeof(x));
	x.st = st;
	x.info = info;
	hmap_init(&x.accounts, 20);
	hmap_init(&x.overlay, 52);
	keccak256_init(&x.storage_log);
	uint32_t idx = 0;
	int r = 0;
	for (size_t i = 0; i < n && r == 0; i++) {
		r = exec_one(&x, &results[i], txs[i], idx);
		if (results[i].included)
			idx++;
	}
	if (r == 0 && !x.failed)
		r = flush(&x, app_hash, prev_app_hash);
	else
		r = -1;
	ctx_free(&x);
	return r;
}

int exec_call(state *st, bool *ok, buf *ret, const exec_block_info *info, const uint8_t from[20],
	      const uint8_t to[20], const u256 *value, const uint8_t *data, size_t len)
{
	exec_ctx x;
	memset(&x, 0, sizeof(x));
	x.st = st;
	x.info = info;
	x.simulate = true;
	hmap_init(&x.accounts, 20);
	hmap_init(&x.overlay, 52);
	keccak256_init(&x.storage_log);
	const contract_def *c = contract_find(to);
	int r = 0;
	buf_reset(ret);
	if (!c) {
		*ok = true; /* a call to an account returns nothing, as on Ethereum */
	} else {
		/* Simulated: nothing is written back (no flush; storage in the overlay). */
		r = run_contract(&x, ok, ret, c, from, value, data, len, false);
	}
	ctx_free(&x);
	return r;
}
