/* u256.c: see u256.h. */
#include "lst.h"
#include "u256.h"

typedef unsigned __int128 u128;

int u256_cmp(const u256 *a, const u256 *b)
{
	for (int i = 3; i >= 0; i--)
		if (a->w[i] != b->w[i])
			return a->w[i] < b->w[i] ? -1 : 1;
	return 0;
}

int u256_add(u256 *r, const u256 *a, const u256 *b)
{
	u256 t;
	u128 c = 0;
	for (int i = 0; i < 4; i++) {
		c += (u128)a->w[i] + b->w[i];
		t.w[i] = (uint64_t)c;
		c >>= 64;
	}
	if (c)
		return -1;
	*r = t;
	return 0;
}

int u256_sub(u256 *r, const u256 *a, const u256 *b)
{
	if (u256_cmp(a, b) < 0)
		return -1;
	u256 t;
	uint64_t borrow = 0;
	for (int i = 0; i < 4; i++) {
		u128 d = (u128)a->w[i] - b->w[i] - borrow;
		t.w[i] = (uint64_t)d;
		borrow = (d >> 64) ? 1 : 0;
	}
	*r = t;
	return 0;
}

int u256_mul(u256 *r, const u256 *a, const u256 *b)
{
	uint64_t p[8] = {0};
	for (int i = 0; i < 4; i++) {
		u128 c = 0;
		for (int j = 0; j < 4; j++) {
			c += (u128)a->w[i] * b->w[j] + p[i + j];
			p[i + j] = (uint64_t)c;
			c >>= 64;
		}
		p[i + 4] = (uint64_t)c;
	}
	if (p[4] | p[5] | p[6] | p[7])
		return -1;
	memcpy(r->w, p, sizeof(r->w));
	return 0;
}

int u256_mul_small(u256 *r, const u256 *a, uint64_t m, uint64_t add)
{
	u256 t;
	u128 c = add;
	for (int i = 0; i < 4; i++) {
		c += (u128)a->w[i] * m;
		t.w[i] = (uint64_t)c;
		c >>= 64;
	}
	if (c)
		return -1;
	*r = t;
	return 0;
}

uint64_t u256_div_small(u256 *q, const u256 *a, uint64_t d)
{
	u128 rem = 0;
	u256 t;
	for (int i = 3; i >= 0; i--) {
		u128 cur = rem << 64 | a->w[i];
		t.w[i] = (uint64_t)(cur / d);
		rem = cur % d;
	}
	*q = t;
	return (uint64_t)rem;
}

int u256_from_dec(u256 *r, const char *s)
{
	u256 t = u256_from_u64(0);
	if (!*s || (s[0] == '0' && s[1]))
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (u256_mul_small(&t, &t, 10, (uint64_t)(*s - '0')) < 0)
			return -1;
	}
	*r = t;
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int u256_from_hex(u256 *r, const char *s)
{
	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return -1;
	s += 2;
	while (*s == '0' && s[1])
		s++;
	size_t n = strlen(s);
	if (n == 0 || n > 64)
		return -1;
	u256 t = u256_from_u64(0);
	for (size_t i = 0; i < n; i++) {
		int v = hexval((unsigned char)s[n - 1 - i]);
		if (v < 0)
			return -1;
		t.w[i / 16] |= (uint64_t)v << (4 * (i % 16));
	}
	*r = t;
	return 0;
}

int u256_from_str(u256 *r, const char *s)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return u256_from_hex(r, s);
	return u256_from_dec(r, s);
}

void u256_to_dec(char out[U256_DEC_MAX], const u256 *a)
{
	char buf[U256_DEC_MAX];
	size_t n = 0;
	u256 t = *a;
	do {
		buf[n++] = (char)('0' + u256_div_small(&t, &t, 10));
	} while (!u256_is_zero(&t));
	for (size_t i = 0; i < n; i++)
		out[i] = buf[n - 1 - i];
	out[n] = 0;
}

void u256_to_hex(char out[67], const u256 *a)
{
	static const char d[] = "0123456789abcdef";
	size_t n = 0;
	out[n++] = '0';
	out[n++] = 'x';
	bool started = false;
	for (int i = 63; i >= 0; i--) {
		unsigned v = (unsigned)(a->w[i / 16] >> (4 * (i % 16))) & 15;
		if (v || started || i == 0) {
			out[n++] = d[v];
			started = true;
		}
	}
	out[n] = 0;
}

int u256_from_be(u256 *r, const uint8_t *be, size_t len)
{
	u256 t = u256_from_u64(0);
	while (len > 32 && *be == 0)
		be++, len--;
	if (len > 32)
		return -1;
	for (size_t i = 0; i < len; i++) {
		size_t bit = 8 * (len - 1 - i);
		t.w[bit / 64] |= (uint64_t)be[i] << (bit % 64);
	}
	*r = t;
	return 0;
}

void u256_to_be32(uint8_t out[32], const u256 *a)
{
	for (int i = 0; i < 32; i++)
		out[31 - i] = (uint8_t)(a->w[i / 8] >> (8 * (i % 8)));
}

size_t u256_to_be_min(uint8_t out[32], const u256 *a)
{
	uint8_t full[32];
	u256_to_be32(full, a);
	size_t skip = 0;
	while (skip < 32 && full[skip] == 0)
		skip++;
	memcpy(out, full + skip, 32 - skip);
	return 32 - skip;
}
