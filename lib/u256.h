/*
 * u256.h: unsigned 256-bit integers for amounts, gas and nonces.
 *
 * Limbs are little-endian uint64_t. Text forms: decimal ("1000") and
 * 0x-hex ("0x3e8"); JSON output uses decimal strings (DESIGN.md section 3).
 * Every parse refuses values of 2^256 and above rather than wrapping.
 */
#ifndef LST_U256_H
#define LST_U256_H

#include "lst.h"

typedef struct {
	uint64_t w[4];
} u256;

#define U256_DEC_MAX 79 /* 78 digits + NUL */

static inline u256 u256_from_u64(uint64_t v)
{
	u256 r = {{v, 0, 0, 0}};
	return r;
}
static inline bool u256_is_zero(const u256 *a)
{
	return !(a->w[0] | a->w[1] | a->w[2] | a->w[3]);
}
static inline bool u256_fits_u64(const u256 *a)
{
	return !(a->w[1] | a->w[2] | a->w[3]);
}
static inline bool u256_fits_u128(const u256 *a)
{
	return !(a->w[2] | a->w[3]);
}

int u256_cmp(const u256 *a, const u256 *b);
/* r = a + b; -1 on overflow (r untouched). */
int u256_add(u256 *r, const u256 *a, const u256 *b) LST_WUR;
/* r = a - b; -1 if b > a. */
int u256_sub(u256 *r, const u256 *a, const u256 *b) LST_WUR;
/* r = a * b; -1 on overflow. */
int u256_mul(u256 *r, const u256 *a, const u256 *b) LST_WUR;
/* r = a * m + add, small factor; -1 on overflow. */
int u256_mul_small(u256 *r, const u256 *a, uint64_t m, uint64_t add) LST_WUR;
/* q = a / d, returns remainder. */
uint64_t u256_div_small(u256 *q, const u256 *a, uint64_t d);

/* Decimal digits only, no sign, no leading zeros unless "0". */
int u256_from_dec(u256 *r, const char *s) LST_WUR;
/* "0x" followed by 1..64 hex digits (leading zeros allowed). */
int u256_from_hex(u256 *r, const char *s) LST_WUR;
/* Decimal or 0x-hex. */
int u256_from_str(u256 *r, const char *s) LST_WUR;
void u256_to_dec(char out[U256_DEC_MAX], const u256 *a);
/* "0x" + minimal hex ("0x0" for zero), as Ethereum JSON-RPC quantities. */
void u256_to_hex(char out[67], const u256 *a);

/* Big-endian bytes, at most 32; leading zeros allowed. */
int u256_from_be(u256 *r, const uint8_t *be, size_t len) LST_WUR;
/* 32 big-endian bytes. */
void u256_to_be32(uint8_t out[32], const u256 *a);
/* Minimal big-endian bytes (no leading zeros; zero is empty); returns length. */
size_t u256_to_be_min(uint8_t out[32], const u256 *a);

#endif
