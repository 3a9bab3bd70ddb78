/*
 * keccak.h: Keccak-256 with the original (pre-SHA-3) padding, as Ethereum
 * uses it. Debian 12 ships no library for it; checked against the vectors
 * in ../shared/vectors (test/unit/t-keccak.c).
 */
#ifndef LST_KECCAK_H
#define LST_KECCAK_H

#include "lst.h"

typedef struct {
	uint64_t st[25];
	size_t pos; /* bytes absorbed into the current block */
} keccak_ctx;

void keccak256_init(keccak_ctx *ctx);
void keccak256_update(keccak_ctx *ctx, const uint8_t *in, size_t len);
void keccak256_final(keccak_ctx *ctx, uint8_t out[32]);
void keccak256(uint8_t out[32], const uint8_t *in, size_t len);

#endif
