/* keccak.c: Keccak-f[1600] sponge, rate 136 bytes, padding 0x01..0x80. */
#include "lst.h"
#include "keccak.h"

#define RATE 136

static const uint64_t rc[24] = {
	0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL,
	0x8000000080008000ULL, 0x000000000000808bULL, 0x0000000080000001ULL,
	0x8000000080008081ULL, 0x8000000000008009ULL, 0x000000000000008aULL,
	0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
	0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL,
	0x8000000000008003ULL, 0x8000000000008002ULL, 0x8000000000000080ULL,
	0x000000000000800aULL, 0x800000008000000aULL, 0x8000000080008081ULL,
	0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};
static const unsigned rotc[24] = {
	1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14,
	27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44,
};
static const unsigned piln[24] = {
	10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4,
	15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1,
};

static inline uint64_t rol(uint64_t x, unsigned n)
{
	return x << n | x >> (64 - n);
}

static void keccakf(uint64_t st[25])
{
	uint64_t bc[5], t;
	for (int round = 0; round < 24; round++) {
		for (int i = 0; i < 5; i++)
			bc[i] = st[i] ^ st[i + 5] ^ st[i + 10] ^ st[i + 15] ^ st[i + 20];
		for (int i = 0; i < 5; i++) {
			t = bc[(i + 4) % 5] ^ rol(bc[(i + 1) % 5], 1);
			for (int j = 0; j < 25; j += 5)
				st[j + i] ^= t;
		}
		t = st[1];
		for (int i = 0; i < 24; i++) {
			unsigned j = piln[i];
			bc[0] = st[j];
			st[j] = rol(t, rotc[i]);
			t = bc[0];
		}
		for (int j = 0; j < 25; j += 5) {
			for (int i = 0; i < 5; i++)
				bc[i] = st[j + i];
			for (int i = 0; i < 5; i++)
				st[j + i] ^= (~bc[(i + 1) % 5]) & bc[(i + 2) % 5];
		}
		st[0] ^= rc[round];
	}
}

void keccak256_init(keccak_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
}

/* Lanes are little-endian; XOR byte by byte so any host works. */
static inline void xor_byte(uint64_t *st, size_t i, uint8_t b)
{
	st[i / 8] ^= (uint64_t)b << (8 * (i % 8));
}

void keccak256_update(keccak_ctx *ctx, const uint8_t *in, size_t len)
{
	size_t pos = ctx->pos;
	while (len) {
		if (pos == 0 && len >= RATE) {
			for (size_t i = 0; i < RATE / 8; i++) {
				uint64_t lane = 0;
				for (int b = 7; b >= 0; b--)
					lane = lane << 8 | in[8 * i + b];
				ctx->st[i] ^= lane;
			}
			keccakf(ctx->st);
			in += RATE;
			len -= RATE;
			continue;
		}
		xor_byte(ctx->st, pos++, *in++);
		len--;
		if (pos == RATE) {
			keccakf(ctx->st);
			pos = 0;
		}
	}
	ctx->pos = pos;
}

void keccak256_final(keccak_ctx *ctx, uint8_t out[32])
{
	xor_byte(ctx->st, ctx->pos, 0x01);
	xor_byte(ctx->st, RATE - 1, 0x80);
	keccakf(ctx->st);
	for (size_t i = 0; i < 32; i++)
		out[i] = (uint8_t)(ctx->st[i / 8] >> (8 * (i % 8)));
	memset(ctx, 0, sizeof(*ctx));
}

void keccak256(uint8_t out[32], const uint8_t *in, size_t len)
{
	keccak_ctx ctx;
	keccak256_init(&ctx);
	keccak256_update(&ctx, in, len);
	keccak256_final(&ctx, out);
}
