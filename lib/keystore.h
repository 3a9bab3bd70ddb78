/*
 * keystore.h: Ethereum keystore v3 (Web3 Secret Storage) files, the
 * encrypted key JSON that geth, ethers and MetaMask import and export.
 *
 * Reads scrypt or PBKDF2-HMAC-SHA256 with AES-128-CTR, under "crypto" or
 * "Crypto"; writes scrypt + AES-128-CTR as ethers does. Crypto comes from
 * OpenSSL's libcrypto (libsodium's scrypt where n >= 2^(16r), which OpenSSL
 * refuses and geth writes); secrets live in libsodium guarded memory. KDF parameters are bounded, so a hostile file can neither hang nor
 * exhaust memory: scrypt n a power of two up to 2^20, n*r at most 2^23
 * (1 GiB), r*p at most 1024, n*r*p at most 2^24; PBKDF2 c at most 10^7.
 */
#ifndef LST_KEYSTORE_H
#define LST_KEYSTORE_H

#include "lst.h"

/*
 * Decrypts keystore v3 JSON text with password into priv. The MAC,
 * keccak256(derived_key[16..32] || ciphertext), is compared in constant
 * time. Malformed JSON, a missing or bad field, an unsupported kdf or
 * cipher, or an "address" that is not the decrypted key's: status 6
 * (LST_EINVALID), naming the field. Wrong password: status 4
 * (LST_EREFUSED). 0, or -1 with priv zeroed.
 */
int keystore_decrypt(uint8_t priv[32], const char *json, size_t json_len,
		     const char *password, size_t password_len) LST_WUR;

typedef struct {
	uint64_t scrypt_n;
	uint32_t scrypt_r, scrypt_p;
} keystore_params;

#define KEYSTORE_PARAMS_DEFAULT {131072, 8, 1} /* what ethers writes */

/*
 * Writes keystore v3 JSON for priv into *json_out (compact, malloc'd,
 * NUL-terminated): version 3, a random UUID v4 "id", the lowercase
 * "address" without 0x, "crypto" with scrypt (params, or the default when
 * NULL) and AES-128-CTR under a fresh salt and iv. 0, or -1 (status 6 for
 * an invalid key or out-of-bounds params).
 */
int keystore_encrypt(char **json_out, const uint8_t priv[32], const char *password,
		     size_t password_len, const keystore_params *params) LST_WUR;

#endif
