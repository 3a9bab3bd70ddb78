/*
 * cid.c: see cid.h. Varints, multihash (sha2-256 through libcrypto,
 * identity), binary CIDs and their multibase strings: base32 lowercase
 * ('b') for v1, base58btc for v0.
 */
#include "lst.h"
#include "cid.h"

#include <openssl/sha.h>

#define VARINT_MAX 9 /* multiformats: at most 9 bytes, 63 bits */

size_t varint_put(uint8_t out[10], uint64_t v)
{
	size_t n = 0;
	while (v >= 0x80) {
		out[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	out[n++] = (uint8_t)v;
	return n;
}

int varint_get(uint64_t *v, size_t *used, const uint8_t *in, size_t len)
{
	uint64_t x = 0;
	for (size_t i = 0; i < len && i < VARINT_MAX; i++) {
		x |= (uint64_t)(in[i] & 0x7f) << (7 * i);
		if (in[i] & 0x80)
			continue;
		if (i > 0 && in[i] == 0)
			return -1; /* not minimal: a trailing zero group */
		*v = x;
		*used = i + 1;
		return 0;
	}
	return -1; /* truncated, or a tenth byte (over 63 bits) */
}

void sha256(uint8_t out[32], const uint8_t *data, size_t len)
{
	static const uint8_t none;
	SHA256(data ? data : &none, len, out);
}

void cid_from_sha256(cid *out, uint64_t codec, const uint8_t digest[32])
{
	size_t n = varint_put(out->bytes, 1);
	n += varint_put(out->bytes + n, codec);
	out->bytes[n++] = MH_SHA2_256;
	out->bytes[n++] = 32;
	memcpy(out->bytes + n, digest, 32);
	out->len = n + 32;
}

void cid_of(cid *out, uint64_t codec, const uint8_t *data, size_t len)
{
	uint8_t d[32];
	sha256(d, data, len);
	cid_from_sha256(out, codec, d);
}

int cid_decode(cid *out, size_t *used, const uint8_t *in, size_t len)
{
	uint64_t version, codec, code, dlen;
	size_t n = 0, k;
	if (len >= 2 && in[0] == MH_SHA2_256 && in[1] == 32) {
		if (len < 34)
			return -1;
		memcpy(out->bytes, in, 34);
		out->len = 34;
		if (used)
			*used = 34;
		return 0;
	}
	if (varint_get(&version, &k, in, len) < 0 || version != 1)
		return -1;
	n += k;
	if (varint_get(&codec, &k, in + n, len - n) < 0)
		return -1;
	n += k;
	if (varint_get(&code, &k, in + n, len - n) < 0)
		return -1;
	n += k;
	if (varint_get(&dlen, &k, in + n, len - n) < 0 || dlen > 64)
		return -1;
	n += k;
	if (dlen > len - n || n + dlen > CID_MAX)
		return -1;
	n += (size_t)dlen;
	memcpy(out->bytes, in, n);
	out->len = n;
	if (used)
		*used = n;
	return 0;
}

/* Skips the version and codec of a v1 (no-op for v0): offset of the multihash. */
static size_t mh_offset(const cid *c, uint64_t *codec)
{
	uint64_t v;
	size_t a, b;
	if (c->len > CID_MAX)
		return 0;
	if (cid_version(c) == 0) {
		if (codec)
			*codec = CODEC_DAG_PB;
		return 0;
	}
	if (varint_get(&v, &a, c->bytes, c->len) < 0 || varint_get(&v, &b, c->bytes + a, c->len - a) < 0)
		return c->len; /* not a decoded cid */
	if (codec)
		*codec = v;
	return a + b;
}

int cid_version(const cid *c)
{
	return c->len == 34 && c->bytes[0] == MH_SHA2_256 && c->bytes[1] == 32 ? 0 : 1;
}

uint64_t cid_codec(const cid *c)
{
	uint64_t codec = 0;
	mh_offset(c, &codec);
	return codec;
}

/* The multihash of c: 0, or -1 when c is not a decoded CID. */
static int multihash(const cid *c, uint64_t *mh_code, const uint8_t **digest, size_t *dlen)
{
	size_t off = mh_offset(c, NULL), a, b;
	uint64_t code, len;
	if (c->len > CID_MAX || varint_get(&code, &a, c->bytes + off, c->len - off) < 0 ||
	    varint_get(&len, &b, c->bytes + off + a, c->len - off - a) < 0 || len != c->len - off - a - b)
		return -1;
	*mh_code = code;
	*digest = c->bytes + off + a + b;
	*dlen = (size_t)len;
	return 0;
}

void cid_digest(const cid *c, uint64_t *mh_code, const uint8_t **digest, size_t *dlen)
{
	if (multihash(c, mh_code, digest, dlen) < 0) {
		*mh_code = UINT64_MAX;
		*digest = c->bytes;
		*dlen = 0;
	}
}

bool cid_equal(const cid *a, const cid *b)
{
	return a->len == b->len && !memcmp(a->bytes, b->bytes, a->len);
}

int cid_check(const cid *c, const uint8_t *data, size_t len)
{
	uint64_t code;
	const uint8_t *d;
	size_t dlen;
	uint8_t h[32];
	if (multihash(c, &code, &d, &dlen) < 0)
		return -1;
	if (code == MH_SHA2_256 && dlen == 32) {
		sha256(h, data, len);
		return memcmp(h, d, 32) ? -1 : 0;
	}
	if (code == MH_IDENTITY && dlen == len)
		return len == 0 || !memcmp(d, data, len) ? 0 : -1;
	return -1;
}

/* base32, RFC 4648 lowercase, no padding */

static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";

size_t base32_encode(char *out, size_t cap, const uint8_t *in, size_t len)
{
	size_t n = 0;
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < len; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			if (n + 1 < cap)
				out[n] = b32[(acc >> bits) & 31];
			n++;
		}
	}
	if (bits > 0) {
		if (n + 1 < cap)
			out[n] = b32[(acc << (5 - bits)) & 31];
		n++;
	}
	if (cap > 0)
		out[n < cap ? n : cap - 1] = 0;
	return n;
}

static int b32_value(int ch)
{
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a';
	if (ch >= '2' && ch <= '7')
		return ch - '2' + 26;
	return -1;
}

int base32_decode(uint8_t *out, size_t *outlen, const char *in, size_t len)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t n = 0;
	*outlen = 0;
	for (size_t i = 0; i < len; i++) {
		int v = b32_value((unsigned char)in[i]);
		if (v < 0)
			return -1;
		acc = (acc << 5) | (uint32_t)v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	/* Canonical: fewer than 5 bits left over, and those zero. */
	if (bits >= 5 || (acc & ((1u << bits) - 1)))
		return -1;
	*outlen = n;
	return 0;
}

/* base58btc, for CIDv0 only (34 bytes <-> 46 characters) */

static const char b58[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

static size_t base58_encode(char *out, size_t cap, const uint8_t *in, size_t len)
{
	uint8_t digits[CID_STR_MAX];
	size_t nd = 0, zeros = 0, n = 0;
	while (zeros < len && in[zeros] == 0)
		zeros++;
	for (size_t i = zeros; i < len; i++) {
		unsigned carry = in[i];
		for (size_t j = 0; j < nd; j++) {
			carry += (unsigned)digits[j] << 8;
			digits[j] = (uint8_t)(carry % 58);
			carry /= 58;
		}
		while (carry && nd < sizeof(digits)) {
			digits[nd++] = (uint8_t)(carry % 58);
			carry /= 58;
		}
	}
	for (size_t i = 0; i < zeros && n + 1 < cap; i++)
		out[n++] = '1';
	for (size_t i = nd; i > 0 && n + 1 < cap; i--)
		out[n++] = b58[digits[i - 1]];
	out[n] = 0;
	return n;
}

/* -1 on a bad character or more than cap bytes. */
static int base58_decode(uint8_t *out, size_t *outlen, size_t cap, const char *in)
{
	uint8_t tmp[CID_MAX];
	size_t nb = 0, zeros = 0;
	if (cap > sizeof(tmp))
		cap = sizeof(tmp);
	while (in[zeros] == '1')
		zeros++;
	for (const char *p = in + zeros; *p; p++) {
		const char *hit = strchr(b58, *p);
		if (!hit)
			return -1;
		unsigned carry = (unsigned)(hit - b58);
		for (size_t j = 0; j < nb; j++) {
			carry += (unsigned)tmp[j] * 58;
			tmp[j] = (uint8_t)carry;
			carry >>= 8;
		}
		while (carry) {
			if (nb == cap)
				return -1;
			tmp[nb++] = (uint8_t)carry;
			carry >>= 8;
		}
	}
	if (zeros + nb > cap)
		return -1;
	memset(out, 0, zeros);
	for (size_t i = 0; i < nb; i++)
		out[zeros + i] = tmp[nb - 1 - i];
	*outlen = zeros + nb;
	return 0;
}

int cid_parse(cid *out, const char *s)
{
	uint8_t bin[CID_MAX];
	size_t n, used, slen = strlen(s);
	if (slen == 46 && s[0] == 'Q' && s[1] == 'm') {
		char back[CID_STR_MAX];
		if (base58_decode(bin, &n, sizeof(bin), s) < 0 || n != 34 || bin[0] != MH_SHA2_256 ||
		    bin[1] != 32)
			return -1;
		base58_encode(back, sizeof(back), bin, n);
		if (strcmp(back, s))
			return -1;
		memcpy(out->bytes, bin, 34);
		out->len = 34;
		return 0;
	}
	if (s[0] != 'b' || slen < 2 || (slen - 1) * 5 / 8 > sizeof(bin))
		return -1;
	if (base32_decode(bin, &n, s + 1, slen - 1) < 0 || cid_decode(out, &used, bin, n) < 0 || used != n ||
	    cid_version(out) != 1)
		return -1;
	return 0;
}

void cid_str(char out[CID_STR_MAX], const cid *c)
{
	if (cid_version(c) == 0) {
		base58_encode(out, CID_STR_MAX, c->bytes, c->len);
		return;
	}
	out[0] = 'b';
	base32_encode(out + 1, CID_STR_MAX - 1, c->bytes, c->len);
}
