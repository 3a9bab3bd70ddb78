/* secp.c: see secp.h. */
#include "lst.h"
#include "secp.h"
#include "keccak.h"
#include "diag.h"

#include <secp256k1_ecdh.h>
#include <secp256k1_recovery.h>
#include <sodium.h>

static secp256k1_context *ctx;

const secp256k1_context *secp_ctx(void)
{
	if (!ctx) {
		uint8_t seed[32];
		if (sodium_init() < 0)
			diag_die(LST_EFAIL, "cannot initialise libsodium");
		ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
		randombytes_buf(seed, sizeof(seed));
		if (!secp256k1_context_randomize(ctx, seed))
			diag_die(LST_EFAIL, "cannot randomise the secp256k1 context");
		sodium_memzero(seed, sizeof(seed));
	}
	return ctx;
}

bool secp_seckey_valid(const uint8_t priv[32])
{
	return secp256k1_ec_seckey_verify(secp_ctx(), priv) == 1;
}

void secp_keygen(uint8_t priv[32])
{
	do
		randombytes_buf(priv, 32);
	while (!secp_seckey_valid(priv));
}

int secp_pubkey(uint8_t pub[65], const uint8_t priv[32])
{
	secp256k1_pubkey pk;
	size_t n = 65;
	if (!secp256k1_ec_pubkey_create(secp_ctx(), &pk, priv))
		return -1;
	secp256k1_ec_pubkey_serialize(secp_ctx(), pub, &n, &pk, SECP256K1_EC_UNCOMPRESSED);
	return 0;
}

int secp_pubkey_compressed(uint8_t pub[33], const uint8_t priv[32])
{
	secp256k1_pubkey pk;
	size_t n = 33;
	if (!secp256k1_ec_pubkey_create(secp_ctx(), &pk, priv))
		return -1;
	secp256k1_ec_pubkey_serialize(secp_ctx(), pub, &n, &pk, SECP256K1_EC_COMPRESSED);
	return 0;
}

int secp_pubkey_parse(uint8_t pub[65], const uint8_t *in, size_t len)
{
	secp256k1_pubkey pk;
	size_t n = 65;
	if ((len != 33 && len != 65) || !secp256k1_ec_pubkey_parse(secp_ctx(), &pk, in, len))
		return -1;
	secp256k1_ec_pubkey_serialize(secp_ctx(), pub, &n, &pk, SECP256K1_EC_UNCOMPRESSED);
	return 0;
}

void secp_address_from_pub(uint8_t addr[20], const uint8_t pub[65])
{
	uint8_t h[32];
	keccak256(h, pub + 1, 64);
	memcpy(addr, h + 12, 20);
}

int secp_address_from_priv(uint8_t addr[20], const uint8_t priv[32])
{
	uint8_t pub[65];
	if (secp_pubkey(pub, priv) < 0)
		return -1;
	secp_address_from_pub(addr, pub);
	return 0;
}

int secp_sign(uint8_t sig[64], int *recid, const uint8_t priv[32], const uint8_t digest[32])
{
	secp256k1_ecdsa_recoverable_signature rs;
	if (!secp256k1_ecdsa_sign_recoverable(secp_ctx(), &rs, digest, priv, NULL, NULL))
		return -1;
	secp256k1_ecdsa_recoverable_signature_serialize_compact(secp_ctx(), sig, recid, &rs);
	return 0;
}

/* n/2, big-endian. */
static const uint8_t half_n[32] = {
	0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4,
	0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
};

bool secp_s_is_low(const uint8_t s[32])
{
	return memcmp(s, half_n, 32) <= 0;
}

int secp_recover(uint8_t pub[65], const uint8_t sig[64], int recid,
		 const uint8_t digest[32], bool require_low_s)
{
	static const uint8_t zero[32];
	secp256k1_ecdsa_recoverable_signature rs;
	secp256k1_pubkey pk;
	size_t n = 65;
	if (recid < 0 || recid > 3)
		return -1;
	if (!memcmp(sig, zero, 32) || !memcmp(sig + 32, zero, 32))
		return -1;
	if (require_low_s && !secp_s_is_low(sig + 32))
		return -1;
	/* parse_compact refuses r or s >= n (overflow). */
	if (!secp256k1_ecdsa_recoverable_signature_parse_compact(secp_ctx(), &rs, sig, recid))
		return -1;
	if (!secp256k1_ecdsa_recover(secp_ctx(), &pk, &rs, digest))
		return -1;
	secp256k1_ec_pubkey_serialize(secp_ctx(), pub, &n, &pk, SECP256K1_EC_UNCOMPRESSED);
	return 0;
}

static int copy_x(unsigned char *out, const unsigned char *x, const unsigned char *y, void *data)
{
	memcpy(out, x, 32);
	return 1;
}

int secp_ecdh_x(uint8_t x[32], const uint8_t pub[65], const uint8_t priv[32])
{
	secp256k1_pubkey pk;
	if (!secp256k1_ec_pubkey_parse(secp_ctx(), &pk, pub, 65))
		return -1;
	if (!secp256k1_ecdh(secp_ctx(), x, &pk, priv, copy_x, NULL))
		return -1;
	return 0;
}
