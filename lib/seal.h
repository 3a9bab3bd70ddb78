/*
 * seal.h: sealing bytes to a secp256k1 public key (ECIES), used to hand a
 * book's content key to its buyer.
 *
 * Format, version 1:
 *   0x01 || ephemeral public key (33, compressed) || nonce (24) ||
 *   XChaCha20-Poly1305 ciphertext with tag (len + 16)
 * The key is BLAKE2b-256 over ECDH x || ephemeral pub || recipient pub
 * (compressed), with the personalisation "lst-seal-v1"; the associated data
 * is the two public keys. A fresh ephemeral key per seal.
 */
#ifndef LST_SEAL_H
#define LST_SEAL_H

#include "lst.h"

#define SEAL_OVERHEAD (1 + 33 + 24 + 16)

/* out must hold len + SEAL_OVERHEAD bytes. */
int seal_to(uint8_t *out, const uint8_t recipient_pub[65], const uint8_t *in, size_t len) LST_WUR;
/* out must hold len - SEAL_OVERHEAD bytes; -1 if not for this key or altered. */
int seal_open(uint8_t *out, const uint8_t priv[32], const uint8_t *in, size_t len) LST_WUR;

#endif
