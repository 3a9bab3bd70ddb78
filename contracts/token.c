/* token.c: see token.h. */
#include "lst.h"
#include "token.h"
#include "abi.h"
#include "kit.h"

#define TOKEN_NAME "Lightstreams Token"
#define TOKEN_SYMBOL "LST"
#define TOKEN_DECIMALS 18

#define EV_TRANSFER "Transfer(address,address,uint256)"
#define EV_APPROVAL "Approval(address,address,uint256)"

static int ret_true(contract_result *out)
{
	abi_value v = abi_bool(true);
	return kit_ret(out, &v);
}

static void emit(contract_env *env, const char *event, const uint8_t a[20], const uint8_t b[20],
		 const u256 *amount)
{
	uint8_t topics[3][32], data[32];
	abi_event_topic(topics[0], event);
	abi_address_word(topics[1], a);
	abi_address_word(topics[2], b);
	u256_to_be32(data, amount);
	env->log(env->ctx, env->self, (const uint8_t(*)[32])topics, 3, data, 32);
}

static void allowance_key(uint8_t key[41], const uint8_t owner[20], const uint8_t spender[20])
{
	key[0] = 'a';
	memcpy(key + 1, owner, 20);
	memcpy(key + 21, spender, 20);
}

static int allowance_get(contract_env *env, u256 *out, const uint8_t owner[20],
			 const uint8_t spender[20])
{
	uint8_t key[41];
	buf v = BUF_INIT;
	int rc;
	allowance_key(key, owner, spender);
	*out = u256_from_u64(0);
	rc = env->storage_get(env->ctx, &v, env->self, key, sizeof(key));
	if (rc == 0 && u256_from_be(out, v.p, v.len) < 0)
		rc = -1; /* longer than 32 bytes: not ours */
	buf_free(&v);
	return rc < 0 ? -1 : 0;
}

static int allowance_put(contract_env *env, const uint8_t owner[20], const uint8_t spender[20],
			 const u256 *amount)
{
	uint8_t key[41], val[32];
	allowance_key(key, owner, spender);
	u256_to_be32(val, amount);
	return env->storage_put(env->ctx, env->self, key, sizeof(key), val,
				u256_is_zero(amount) ? 0 : 32);
}

/*
 * Moves amount from `from` to `to` and logs Transfer; a revert if from
 * has too little. The balance is checked first so that nothing moves and
 * the reason is right whatever the chain's transfer says.
 */
static int move(contract_result *out, contract_env *env, const uint8_t from[20],
		const uint8_t to[20], const u256 *amount, bool *moved)
{
	u256 bal;
	int rc;
	*moved = false;
	if (env->balance(env->ctx, &bal, from) < 0)
		return FAILED;
	if (u256_cmp(&bal, amount) < 0)
		return kit_revert(out, "insufficient balance");
	rc = env->transfer(env->ctx, from, to, amount);
	if (rc < 0)
		return FAILED;
	if (rc > 0)
		return kit_revert(out, "insufficient balance");
	emit(env, EV_TRANSFER, from, to, amount);
	*moved = true;
	return DONE;
}

/* ---- the functions; args are decoded and checked against types ---- */

static int f_name(contract_result *out, contract_env *env, const abi_value *a)
{
	abi_value v = abi_string(TOKEN_NAME);
	return kit_ret(out, &v);
}

static int f_symbol(contract_result *out, contract_env *env, const abi_value *a)
{
	abi_value v = abi_string(TOKEN_SYMBOL);
	return kit_ret(out, &v);
}

static int f_decimals(contract_result *out, contract_env *env, const abi_value *a)
{
	u256 d = u256_from_u64(TOKEN_DECIMALS);
	abi_value v = abi_uint(8, &d);
	return kit_ret(out, &v);
}

static int f_total_supply(contract_result *out, contract_env *env, const abi_value *a)
{
	u256 s;
	if (env->total_supply(env->ctx, &s) < 0)
		return FAILED;
	return kit_ret_u256(out, &s);
}

static int f_balance_of(contract_result *out, contract_env *env, const abi_value *a)
{
	u256 b;
	if (env->balance(env->ctx, &b, a[0].addr) < 0)
		return FAILED;
	return kit_ret_u256(out, &b);
}

static int f_allowance(contract_result *out, contract_env *env, const abi_value *a)
{
	u256 v;
	if (allowance_get(env, &v, a[0].addr, a[1].addr) < 0)
		return FAILED;
	return kit_ret_u256(out, &v);
}

static int f_transfer(contract_result *out, contract_env *env, const abi_value *a)
{
	bool moved;
	if (move(out, env, env->caller, a[0].addr, &a[1].u, &moved) < 0)
		return FAILED;
	return moved ? ret_true(out) : DONE;
}

static int f_approve(contract_result *out, contract_env *env, const abi_value *a)
{
	if (allowance_put(env, env->caller, a[0].addr, &a[1].u) < 0)
		return FAILED;
	emit(env, EV_APPROVAL, env->caller, a[0].addr, &a[1].u);
	return ret_true(out);
}

static int f_transfer_from(contract_result *out, contract_env *env, const abi_value *a)
{
	const uint8_t *from = a[0].addr, *to = a[1].addr;
	const u256 *amount = &a[2].u;
	u256 allowed, left, infinite;
	bool moved;
	memset(&infinite, 0xff, sizeof(infinite));
	if (allowance_get(env, &allowed, from, env->caller) < 0)
		return FAILED;
	if (u256_cmp(&allowed, amount) < 0)
		return kit_revert(out, "insufficient allowance");
	if (move(out, env, from, to, amount, &moved) < 0)
		return FAILED;
	if (!moved)
		return DONE;
	if (u256_cmp(&allowed, &infinite) && (u256_sub(&left, &allowed, amount) < 0 ||
					     allowance_put(env, from, env->caller, &left) < 0))
		return FAILED;
	return ret_true(out);
}

static const contract_fn functions[] = {
	{{0x06, 0xfd, 0xde, 0x03}, "name()", "", false, f_name},
	{{0x95, 0xd8, 0x9b, 0x41}, "symbol()", "", false, f_symbol},
	{{0x31, 0x3c, 0xe5, 0x67}, "decimals()", "", false, f_decimals},
	{{0x18, 0x16, 0x0d, 0xdd}, "totalSupply()", "", false, f_total_supply},
	{{0x70, 0xa0, 0x82, 0x31}, "balanceOf(address)", "address", false, f_balance_of},
	{{0xdd, 0x62, 0xed, 0x3e}, "allowance(address,address)", "address,address", false,
	 f_allowance},
	{{0xa9, 0x05, 0x9c, 0xbb}, "transfer(address,uint256)", "address,uint256", true,
	 f_transfer},
	{{0x09, 0x5e, 0xa7, 0xb3}, "approve(address,uint256)", "address,uint256", true,
	 f_approve},
	{{0x23, 0xb8, 0x72, 0xdd}, "transferFrom(address,address,uint256)",
	 "address,address,uint256", true, f_transfer_from},
};

static int token_call(contract_result *out, contract_env *env, const uint8_t *calldata, size_t len)
{
	return contract_dispatch(out, env, "token", functions, ARRAY_SIZE(functions), calldata, len);
}

const contract_def token_contract = {
	"token",
	TOKEN_ADDRESS_BYTES,
	token_call,
};
