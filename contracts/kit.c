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

bool kit_utf8_valid(const uint8_t *p, size_t len, bool controls)
{
	size_t i = 0;
	while (i < len) {
		uint8_t c = p[i];
		size_t n;
		uint32_t cp, min;
		if (c < 0x80) {
			if (!controls && (c < 0x20 || c == 0x7f))
				return false;
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			n = 1, cp = c & 0x1f, min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2, cp = c & 0x0f, min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3, cp = c & 0x07, min = 0x10000;
		} else {
			return false;
		}
		if (len - i - 1 < n)
			return false;
		for (size_t k = 1; k <= n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
		    (!controls && cp >= 0x80 && cp <= 0x9f))
			return false;
		i += n + 1;
	}
	return true;
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
