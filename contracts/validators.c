/* validators.c: see validators.h. */
#include "lst.h"
#include "validators.h"
#include "abi.h"
#include "diag.h"
#include "kit.h"

#define EV_VALIDATOR_UPDATE "ValidatorUpdate(address,uint256,uint256)"

const uint8_t VALIDATORS_ADDRESS[20] = VALIDATORS_ADDRESS_BYTES;

void validators_update_key(uint8_t key[12], uint64_t effective_height)
{
	memcpy(key, "upd:", 4);
	kit_put_be64(key + 4, effective_height);
}

int validators_parse_updates(validator_update **out, size_t *n, const uint8_t *val, size_t len)
{
	size_t k = len / VALIDATORS_RECORD_SIZE;
	validator_update *u = NULL;
	*out = NULL;
	*n = 0;
	if (len % VALIDATORS_RECORD_SIZE)
		return -1;
	if (k) {
		u = xcalloc(k, sizeof(*u));
		for (size_t i = 0; i < k; i++, val += VALIDATORS_RECORD_SIZE) {
			memcpy(u[i].address, val, 20);
			u[i].power = kit_get_be64(val + 20);
		}
	}
	*out = u;
	*n = k;
	return 0;
}

static void emit_update(contract_env *env, const uint8_t validator[20], uint64_t power,
			uint64_t effective)
{
	uint8_t topics[2][32], data[64];
	u256 p = u256_from_u64(power), h = u256_from_u64(effective);
	abi_event_topic(topics[0], EV_VALIDATOR_UPDATE);
	abi_address_word(topics[1], validator);
	u256_to_be32(data, &p);
	u256_to_be32(data + 32, &h);
	env->log(env->ctx, env->self, (const uint8_t(*)[32])topics, 2, data, sizeof(data));
}

/* ---- the functions; args are decoded and checked against types ---- */

static int f_set_validator(contract_result *out, contract_env *env, const abi_value *a)
{
	static const uint8_t zero[20];
	const uint8_t *validator = a[0].addr;
	uint8_t key[12], rec[VALIDATORS_RECORD_SIZE];
	uint64_t power, effective;
	buf v = BUF_INIT;
	size_t i;
	int rc;

	if (!env->foundation || memcmp(env->caller, env->foundation, 20))
		return kit_revert(out, "not the foundation");
	if (!u256_fits_u64(&a[1].u) || a[1].u.w[0] > VALIDATORS_MAX_POWER)
		return kit_revert(out, "power too large");
	if (!memcmp(validator, zero, 20))
		return kit_revert(out, "the zero address cannot be a validator");
	if (env->height > UINT64_MAX - 2)
		return kit_revert(out, "height overflow");
	power = a[1].u.w[0];
	effective = env->height + 2;

	validators_update_key(key, effective);
	rc = env->storage_get(env->ctx, &v, env->self, key, sizeof(key));
	if (rc < 0 || (rc == 0 && v.len % VALIDATORS_RECORD_SIZE)) {
		buf_free(&v); /* an error, or a value that is not ours */
		return FAILED;
	}
	if (rc > 0)
		buf_reset(&v);
	for (i = 0; i < v.len; i += VALIDATORS_RECORD_SIZE)
		if (!memcmp(v.p + i, validator, 20))
			break;
	memcpy(rec, validator, 20);
	kit_put_be64(rec + 20, power);
	if (i < v.len)
		memcpy(v.p + i, rec, sizeof(rec)); /* the same block: replace in place */
	else
		buf_add(&v, rec, sizeof(rec));
	rc = env->storage_put(env->ctx, env->self, key, sizeof(key), v.p, v.len);
	buf_free(&v);
	if (rc < 0)
		return FAILED;
	emit_update(env, validator, power, effective);
	return kit_ret_nothing(out);
}

static const contract_fn functions[] = {
	{{0xab, 0xb9, 0x40, 0x6b}, "setValidator(address,uint256)", "address,uint256", true,
	 f_set_validator},
};

static int validators_call(contract_result *out, contract_env *env, const uint8_t *calldata, size_t len)
{
	return contract_dispatch(out, env, "validators", functions, ARRAY_SIZE(functions), calldata, len);
}

const contract_def validators_contract = {
	"validators",
	VALIDATORS_ADDRESS_BYTES,
	validators_call,
};
