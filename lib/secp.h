/*
 * secp.h: secp256k1 keys, recoverable signatures and ECDH, through
 * libsecp256k1 (recovery and ecdh modules).
 *
 * One context per process, randomized at creation against side channels.
 * Signatures use RFC 6979 nonces and low-s, so they are byte-for-byte what
 * ethers and geth produce for the same key and digest.
 */
#ifndef LST_SECP_H
#define LST_SECP_H

#include "lst.h"
#include <secp256k1.h>

const secp256k1_context *secp_ctx(void);

/* A valid private key (0 < k < n)? */
bool secp_seckey_valid(const uint8_t priv[32]);
/* Fresh random private key from the system RNG. */
void secp_keygen(uint8_t priv[32]);
/* 65-byte uncompressed (0x04 x y) public key. 0 or -1. */
int secp_pubkey(uint8_t pub[65], const uint8_t priv[32]) LST_WUR;
/* 33-byte compressed public key. */
int secp_pubkey_compressed(uint8_t pub[33], const uint8_t priv[32]) LST_WUR;
/* Parse a 33- or 65-byte public key into 65-byte uncompressed form. */
int secp_pubkey_parse(uint8_t pub[65], const uint8_t *in, size_t len) LST_WUR;
void secp_address_from_pub(uint8_t addr[20], const uint8_t pub[65]);
int secp_address_from_priv(uint8_t addr[20], const uint8_t priv[32]) LST_WUR;

/* Sign a 32-byte digest: r||s in sig, recovery id (0/1) in *recid. */
int secp_sign(uint8_t sig[64], int *recid, const uint8_t priv[32],
	      const uint8_t digest[32]) LST_WUR;
/*
 * Recover the public key of r||s with recovery id over digest. Refuses
 * r or s zero or >= n; with require_low_s, s > n/2 too (EIP-2).
 */
int secp_recover(uint8_t pub[65], const uint8_t sig[64], int recid,
		 const uint8_t digest[32], bool require_low_s) LST_WUR;
/* Is s (32 bytes big-endian) at most n/2? */
bool secp_s_is_low(const uint8_t s[32]);

/* ECDH: the shared point's x coordinate. */
int secp_ecdh_x(uint8_t x[32], const uint8_t pub[65], const uint8_t priv[32]) LST_WUR;

#endif
