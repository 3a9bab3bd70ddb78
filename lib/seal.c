/* seal.c: see seal.h. */
#include "lst.h"
#include "seal.h"
#include "scratch.h"
#include "secp.h"

#include <sodium.h>

#define VERSION 1

/*
 * The secrets of a seal (the ephemeral key, the derived key) in 64 bytes
 * of per-thread scratch, wiped after each use: a gateway seals for every
 * page request.
 */
static scratch_area seal_scratch = SCRATCH_AREA(64);

static int compress(uint8_t out[33], const uint8_t pub[65])
{
	secp256k1_pubkey pk;
	size_t n = 33;
	if (!secp256k1_ec_pubkey_parse(secp_ctx(), &pk, pub, 65))
		return -1;
	secp256k1_ec_pubkey_serialize(secp_ctx(), out, &n, &pk, SECP256K1_EC_COMPRESSED);
	return 0;
}

static int kdf(uint8_t key[32], const uint8_t x[32], const uint8_t eph[33], const uint8_t rcpt[33])
{
	static const uint8_t personal[crypto_generichash_blake2b_PERSONALBYTES] = "lst-seal-v1";
	uint8_t in[32 + 33 + 33];
	memcpy(in, x, 32);
	memcpy(in + 32, eph, 33);
	memcpy(in + 65, rcpt, 33);
	int r = crypto_generichash_blake2b_salt_personal(key, 32, in, sizeof(in), NULL, 0, NULL, personal);
	sodium_memzero(in, sizeof(in));
	return r;
}

int seal_to(uint8_t *out, const uint8_t recipient_pub[65], const uint8_t *in, size_t len)
{
	uint8_t *s = scratch_get(&seal_scratch), *eph_priv = s, *key = s ? s + 32 : NULL, x[32];
	uint8_t eph_pub[33], rcpt[33], ad[66];
	int r = -1;
	if (!s || compress(rcpt, recipient_pub) < 0)
		goto out;
	secp_keygen(eph_priv);
	if (secp_pubkey_compressed(eph_pub, eph_priv) < 0 || secp_ecdh_x(x, recipient_pub, eph_priv) < 0 ||
	    kdf(key, x, eph_pub, rcpt) < 0)
		goto out;
	out[0] = VERSION;
	memcpy(out + 1, eph_pub, 33);
	randombytes_buf(out + 34, 24);
	memcpy(ad, eph_pub, 33);
	memcpy(ad + 33, rcpt, 33);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + 58, NULL, in, len, ad, sizeof(ad), NULL, out + 34, key);
	r = 0;
out:
	sodium_memzero(x, sizeof(x));
	if (s)
		sodium_memzero(s, 64);
	return r;
}

int seal_open(uint8_t *out, const uint8_t priv[32], const uint8_t *in, size_t len)
{
	uint8_t eph65[65], rcpt[33], ad[66], x[32];
	uint8_t *key = sodium_malloc(32);
	int r = -1;
	if (!key || len < SEAL_OVERHEAD || in[0] != VERSION)
		goto out;
	if (secp_pubkey_parse(eph65, in + 1, 33) < 0 || secp_pubkey_compressed(rcpt, priv) < 0 ||
	    secp_ecdh_x(x, eph65, priv) < 0 || kdf(key, x, in + 1, rcpt) < 0)
		goto out;
	memcpy(ad, in + 1, 33);
	memcpy(ad + 33, rcpt, 33);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, NULL, NULL, in + 58, len - 58, ad, sizeof(ad),
						       in + 34, key) == 0)
		r = 0;
out:
	sodium_memzero(x, sizeof(x));
	if (key)
		sodium_free(key);
	return r;
}
