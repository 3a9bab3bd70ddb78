/* kit.c: see kit.h. */
#include "lst.h"
#include "kit.h"

int kit_revert(contract_result *out, const char *reason)
{
	out->ok = false;
	abi_revert(&out->ret, reason);
	return DONE;
}

int kit_revertf(contract_result *out, const char *fmt, ...)
{
	char why[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return kit_revert(out, why);
}

int kit_ret_values(contract_result *out, const abi_value *v, size_t n)
{
	buf_reset(&out->ret);
	if (abi_encode(&out->ret, v, n) < 0)
		return FAILED;
	out->ok = true;
	return DONE;
}

int kit_ret(contract_result *out, const abi_value *v)
{
	return kit_ret_values(out, v, 1);
}

int kit_ret_u256(contract_result *out, const u256 *u)
{
	abi_value v = abi_u256(u);
	return kit_ret(out, &v);
}

int kit_ret_nothing(contract_result *out)
{
	out->ok = true;
	buf_reset(&out->ret);
	return DONE;
}

abi_value kit_str_value(const uint8_t *p, size_t len)
{
	abi_value v = {.kind = ABI_STRING, .data = p, .len = len};
	return v;
}

void kit_put_be64(uint8_t *p, uint64_t x)
{
	for (int i = 7; i >= 0; i--, x >>= 8)
		p[i] = (uint8_t)x;
}

uint64_t kit_get_be64(const uint8_t *p)
{
	uint64_t x = 0;
	for (int i = 0; i < 8; i++)
		x = x << 8 | p[i];
	return x;
}

void kit_word_u64(uint8_t w[32], uint64_t x)
{
	memset(w, 0, 24);
	kit_put_be64(w + 24, x);
}

int kit_emit(contract_env *env, const uint8_t self[20], const char *event, const uint8_t (*topics)[32],
	     size_t ntopics, const abi_value *vals, size_t nvals)
{
	uint8_t t[4][32];
	buf data = BUF_INIT;
	if (ntopics > 3)
		return -1;
	abi_event_topic(t[0], event);
	if (ntopics)
		memcpy(t[1], topics, 32 * ntopics);
	if (abi_encode(&data, vals, nvals) < 0) {
		buf_free(&data);
		return -1;
	}
	env->log(env->ctx, self, (const uint8_t(*)[32])t, ntopics + 1, data.p, data.len);
	buf_free(&data);
	return 0;
}
