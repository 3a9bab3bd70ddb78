/* evidence.c: see evidence.h. */
#include "lst.h"
#include "evidence.h"
#include "abi.h"
#include "block.h"
#include "kit.h"
#include "rlp.h"

#define EV_DOUBLE_SIGN "DoubleSign(address,uint256,uint256,uint8,address)"

const uint8_t EVIDENCE_ADDRESS[20] = EVIDENCE_ADDRESS_BYTES;

void evidence_key(uint8_t key[EVIDENCE_KEY_SIZE], const uint8_t validator[20], uint64_t height,
		  uint32_t round, uint8_t type)
{
	memcpy(key, "dbl:", 4);
	memcpy(key + 4, validator, 20);
	kit_put_be64(key + 24, height);
	key[32] = (uint8_t)(round >> 24);
	key[33] = (uint8_t)(round >> 16);
	key[34] = (uint8_t)(round >> 8);
	key[35] = (uint8_t)round;
	key[36] = type;
}

void evidence_count_key(uint8_t key[EVIDENCE_COUNT_KEY_SIZE], const uint8_t validator[20])
{
	memcpy(key, "cnt:", 4);
	memcpy(key + 4, validator, 20);
}

/*
 * Is p a vote as vote_decode parses it, whatever its signature? Tells a
 * malformed vote from one whose signature recovers no key.
 */
static bool vote_well_formed(const uint8_t *p, size_t len)
{
	rlp_item top, f[6];
	size_t n;
	uint64_t x;
	if (rlp_decode(&top, p, len) < 0 || rlp_list_items(f, 6, &n, &top) < 0 || n != 6)
		return false;
	for (int i = 0; i < 4; i++)
		if (rlp_to_u64(&x, &f[i]) < 0 ||
		    (i == 0 && x != VOTE_PREVOTE && x != VOTE_PRECOMMIT) ||
		    (i == 3 && x > UINT32_MAX))
			return false;
	return !f[4].list && f[4].len == 32 && !f[5].list && f[5].len == 65;
}

/* Decodes a submitted vote; 0, or a revert. */
static int decode(contract_result *out, vote *v, const abi_value *a)
{
	if (vote_decode(v, a->data, a->len) == 0)
		return 0;
	kit_revert(out, vote_well_formed(a->data, a->len) ? "bad vote signature" : "malformed vote");
	return -1;
}

static void emit_double_sign(contract_env *env, const vote *v)
{
	uint8_t topics[2][32], data[128];
	u256 h = u256_from_u64(v->height), r = u256_from_u64(v->round), t = u256_from_u64(v->type);
	abi_event_topic(topics[0], EV_DOUBLE_SIGN);
	abi_address_word(topics[1], v->validator);
	u256_to_be32(data, &h);
	u256_to_be32(data + 32, &r);
	u256_to_be32(data + 64, &t);
	abi_address_word(data + 96, env->caller);
	env->log(env->ctx, env->self, (const uint8_t(*)[32])topics, 2, data, sizeof(data));
}

/* The count stored at key; 0 or -1 (the state failed, or the value is not ours). */
static int count_get(contract_env *env, uint64_t *out, const uint8_t key[EVIDENCE_COUNT_KEY_SIZE])
{
	buf v = BUF_INIT;
	int rc = env->storage_get(env->ctx, &v, env->self, key, EVIDENCE_COUNT_KEY_SIZE);
	*out = 0;
	if (rc == 0 && v.len != 8)
		rc = -1;
	else if (rc == 0)
		*out = kit_get_be64(v.p);
	buf_free(&v);
	return rc < 0 ? -1 : 0;
}

/* ---- the functions; args are decoded and checked against types ---- */

static int f_submit(contract_result *out, contract_env *env, const abi_value *a)
{
	uint8_t key[EVIDENCE_KEY_SIZE], ckey[EVIDENCE_COUNT_KEY_SIZE], rec[EVIDENCE_RECORD_SIZE],
		cval[8];
	vote va, vb;
	uint64_t count;
	buf old = BUF_INIT;
	int rc;

	/* Decide everything first: a revert writes nothing. */
	if (decode(out, &va, &a[0]) < 0 || decode(out, &vb, &a[1]) < 0)
		return DONE;
	if (va.chain_id != env->chain_id || vb.chain_id != env->chain_id)
		return kit_revert(out, "wrong chain");
	if (memcmp(va.validator, vb.validator, 20))
		return kit_revert(out, "different validators");
	if (va.type != vb.type || va.height != vb.height || va.round != vb.round)
		return kit_revert(out, "not the same height, round and type");
	if (!memcmp(va.block_hash, vb.block_hash, 32))
		return kit_revert(out, "votes agree: not a double sign");

	evidence_key(key, va.validator, va.height, va.round, va.type);
	rc = env->storage_get(env->ctx, &old, env->self, key, sizeof(key));
	buf_free(&old);
	if (rc < 0)
		return FAILED;
	if (rc == 0)
		return kit_revert(out, "evidence already recorded");
	evidence_count_key(ckey, va.validator);
	if (count_get(env, &count, ckey) < 0 || count == UINT64_MAX)
		return FAILED;

	memcpy(rec, va.block_hash, 32);
	memcpy(rec + 32, vb.block_hash, 32);
	memcpy(rec + 64, env->caller, 20);
	kit_put_be64(rec + 84, env->height);
	kit_put_be64(cval, count + 1);
	if (env->storage_put(env->ctx, env->self, key, sizeof(key), rec, sizeof(rec)) < 0 ||
	    env->storage_put(env->ctx, env->self, ckey, sizeof(ckey), cval, sizeof(cval)) < 0)
		return FAILED;
	emit_double_sign(env, &va);
	return kit_ret_nothing(out);
}

static int f_count(contract_result *out, contract_env *env, const abi_value *a)
{
	uint8_t ckey[EVIDENCE_COUNT_KEY_SIZE];
	uint64_t count;
	u256 c;
	evidence_count_key(ckey, a[0].addr);
	if (count_get(env, &count, ckey) < 0)
		return FAILED;
	c = u256_from_u64(count);
	return kit_ret_u256(out, &c);
}

static const contract_fn functions[] = {
	{{0x39, 0xb9, 0x73, 0xad}, "submit(bytes,bytes)", "bytes,bytes", true, f_submit},
	{{0x05, 0xd8, 0x5e, 0xda}, "count(address)", "address", false, f_count},
};

static int evidence_call(contract_result *out, contract_env *env, const uint8_t *calldata, size_t len)
{
	return contract_dispatch(out, env, "evidence", functions, ARRAY_SIZE(functions), calldata, len);
}

const contract_def evidence_contract = {
	"evidence",
	EVIDENCE_ADDRESS_BYTES,
	evidence_call,
};
