/* market.c: see market.h. */
#include "lst.h"
#include "market.h"
#include "abi.h"

#define EV_LISTED "Listed(bytes32,address,uint256)"
#define EV_BOUGHT "Bought(bytes32,address,address,uint256)"

const uint8_t MARKET_ADDRESS[20] = MARKET_ADDRESS_BYTES;

/* A function's outcome: ok or reverted (out->ret filled), or a failed state. */
enum { DONE = 0, FAILED = -1 };

/* A listing as stored; rest is what issue 6 appends, kept as it is on a relist. */
typedef struct {
	bool found;
	uint8_t author[20];
	u256 price;
	buf raw;
} listing;

static int revert(contract_result *out, const char *reason)
{
	out->ok = false;
	abi_revert(&out->ret, reason);
	return DONE;
}

static int ret(contract_result *out, const abi_value *v)
{
	buf_reset(&out->ret);
	if (abi_encode(&out->ret, v, 1) < 0)
		return FAILED;
	out->ok = true;
	return DONE;
}

static int ret_nothing(contract_result *out)
{
	out->ok = true;
	buf_reset(&out->ret);
	return DONE;
}

static void put_be64(uint8_t *p, uint64_t x)
{
	for (int i = 7; i >= 0; i--, x >>= 8)
		p[i] = (uint8_t)x;
}

void market_listing_key(uint8_t key[MARKET_LISTING_KEY_SIZE], const uint8_t root[32])
{
	memcpy(key, "list:", 5);
	memcpy(key + 5, root, 32);
}

void market_purchase_key(uint8_t key[MARKET_PURCHASE_KEY_SIZE], const uint8_t root[32],
			 const uint8_t buyer[20])
{
	memcpy(key, "buy:", 4);
	memcpy(key + 4, root, 32);
	memcpy(key + 36, buyer, 20);
}

/* Reads root's listing into l (l->found false when unlisted); the caller frees l->raw. 0 or -1. */
static int listing_get(contract_env *env, listing *l, const uint8_t root[32])
{
	uint8_t key[MARKET_LISTING_KEY_SIZE];
	int rc;
	memset(l, 0, sizeof(*l));
	l->raw = (buf)BUF_INIT;
	market_listing_key(key, root);
	rc = env->storage_get(env->ctx, &l->raw, env->self, key, sizeof(key));
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (l->raw.len < MARKET_LISTING_SIZE ||
	    u256_from_be(&l->price, l->raw.p + 20, 32) < 0)
		return -1; /* a value that is not ours */
	memcpy(l->author, l->raw.p, 20);
	l->found = true;
	return 0;
}

/* 0 and *bought, or -1. */
static int purchase_get(contract_env *env, bool *bought, const uint8_t root[32],
			const uint8_t buyer[20])
{
	uint8_t key[MARKET_PURCHASE_KEY_SIZE];
	buf v = BUF_INIT;
	int rc;
	market_purchase_key(key, root, buyer);
	rc = env->storage_get(env->ctx, &v, env->self, key, sizeof(key));
	buf_free(&v);
	*bought = rc == 0;
	return rc < 0 ? -1 : 0;
}

/*
 * The one place money leaves the market: amount, which the chain has
 * already moved to the market with the call, goes to the author. Issue 6's
 * service fee splits it here. 0 paid, 1 reverted, -1 failed.
 */
static int market_pay(contract_result *out, contract_env *env, const uint8_t author[20],
		      const u256 *amount)
{
	int rc;
	if (u256_is_zero(amount))
		return 0;
	rc = env->transfer(env->ctx, env->self, author, amount);
	if (rc < 0)
		return -1;
	if (rc > 0) {
		revert(out, "insufficient balance");
		return 1;
	}
	return 0;
}

/* ---- the functions; args are decoded and checked against types ---- */

static int f_list(contract_result *out, contract_env *env, const abi_value *a)
{
	const uint8_t *root = a[0].fixed;
	const u256 *price = &a[1].u;
	uint8_t key[MARKET_LISTING_KEY_SIZE], topics[3][32], data[32];
	listing l;
	int rc;

	if (!u256_fits_u128(price))
		return revert(out, "price too large"); /* more than any balance can pay */
	if (listing_get(env, &l, root) < 0) {
		buf_free(&l.raw);
		return FAILED;
	}
	if (l.found && memcmp(l.author, env->caller, 20)) {
		buf_free(&l.raw);
		return revert(out, "listed by another author");
	}
	u256_to_be32(data, price);
	if (!l.found) {
		buf_reset(&l.raw);
		buf_add(&l.raw, env->caller, 20);
		buf_add(&l.raw, data, 32);
	}
	memcpy(l.raw.p + 20, data, 32); /* the price; appended fields stay */
	market_listing_key(key, root);
	rc = env->storage_put(env->ctx, env->self, key, sizeof(key), l.raw.p, l.raw.len);
	buf_free(&l.raw);
	if (rc < 0)
		return FAILED;
	abi_event_topic(topics[0], EV_LISTED);
	memcpy(topics[1], root, 32);
	abi_address_word(topics[2], env->caller);
	env->log(env->ctx, env->self, (const uint8_t(*)[32])topics, 3, data, 32);
	return ret_nothing(out);
}

static int f_buy(contract_result *out, contract_env *env, const abi_value *a)
{
	const uint8_t *root = a[0].fixed;
	uint8_t key[MARKET_PURCHASE_KEY_SIZE], rec[MARKET_PURCHASE_SIZE], topics[4][32], data[32];
	bool bought;
	listing l;
	int rc;

	rc = listing_get(env, &l, root);
	buf_free(&l.raw);
	if (rc < 0)
		return FAILED;
	if (!l.found)
		return revert(out, "not listed");
	if (!memcmp(l.author, env->caller, 20))
		return revert(out, "the author cannot buy their own root");
	if (purchase_get(env, &bought, root, env->caller) < 0)
		return FAILED;
	if (bought)
		return revert(out, "already bought");
	if (u256_cmp(&env->value, &l.price))
		return revert(out, "wrong amount");

	rc = market_pay(out, env, l.author, &env->value);
	if (rc)
		return rc < 0 ? FAILED : DONE;
	market_purchase_key(key, root, env->caller);
	put_be64(rec, env->height);
	u256_to_be32(rec + 8, &env->value);
	if (env->storage_put(env->ctx, env->self, key, sizeof(key), rec, sizeof(rec)) < 0)
		return FAILED;
	abi_event_topic(topics[0], EV_BOUGHT);
	memcpy(topics[1], root, 32);
	abi_address_word(topics[2], env->caller);
	abi_address_word(topics[3], l.author);
	u256_to_be32(data, &env->value);
	env->log(env->ctx, env->self, (const uint8_t(*)[32])topics, 4, data, 32);
	return ret_nothing(out);
}

static int f_has_access(contract_result *out, contract_env *env, const abi_value *a)
{
	const uint8_t *reader = a[0].addr, *root = a[1].fixed;
	bool yes = false;
	listing l;
	int rc;

	rc = listing_get(env, &l, root);
	buf_free(&l.raw);
	if (rc < 0)
		return FAILED;
	if (l.found && !memcmp(l.author, reader, 20))
		yes = true;
	else if (l.found && purchase_get(env, &yes, root, reader) < 0)
		return FAILED;
	abi_value v = abi_bool(yes);
	return ret(out, &v);
}

static int f_price_of(contract_result *out, contract_env *env, const abi_value *a)
{
	listing l;
	int rc = listing_get(env, &l, a[0].fixed);
	buf_free(&l.raw);
	if (rc < 0)
		return FAILED;
	if (!l.found)
		return revert(out, "not listed");
	abi_value v = abi_u256(&l.price);
	return ret(out, &v);
}

static int f_author_of(contract_result *out, contract_env *env, const abi_value *a)
{
	listing l;
	int rc = listing_get(env, &l, a[0].fixed);
	buf_free(&l.raw);
	if (rc < 0)
		return FAILED;
	abi_value v = abi_address(l.author); /* zeroed when unlisted */
	return ret(out, &v);
}

static const contract_fn functions[] = {
	{{0x34, 0x5c, 0x55, 0x0f}, "list(bytes32,uint256)", "bytes32,uint256", true, f_list},
	{{0x9c, 0x9a, 0x10, 0x61}, "buy(bytes32)", "bytes32", true, f_buy},
	{{0x7d, 0x29, 0x4e, 0x62}, "hasAccess(address,bytes32)", "address,bytes32", false,
	 f_has_access},
	{{0xee, 0xc3, 0x32, 0xfd}, "priceOf(bytes32)", "bytes32", false, f_price_of},
	{{0x96, 0x7f, 0x08, 0x47}, "authorOf(bytes32)", "bytes32", false, f_author_of},
};

static const uint8_t payable[][4] = {
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
