/*
 * keyring.h: the secret keys in HOME/keys, one file per key.
 *
 * keys/0xADDRESS.json (lowercase address, mode 0600) holds the address,
 * an optional name, the public key and the private key sealed with
 * XChaCha20-Poly1305 under a key derived from the passphrase by Argon2id
 * (parameters stored in the file, the address bound as associated data).
 * A key made with --insecure-plaintext-key stores the private key as hex
 * and says so in the file. Private keys only ever live in sodium_malloc'd
 * memory and are wiped when freed.
 */
#ifndef LST_KEYRING_H
#define LST_KEYRING_H

#include "lst.h"
#include "addr.h"
#include "pass.h"

typedef struct {
	uint8_t address[20];
	char address_str[ADDR_STR];
	char name[64];
	uint8_t public_key[65];
	bool encrypted;
	char *path;
} key_entry;

/* A private key in secure memory. */
typedef struct {
	uint8_t *priv; /* 32 bytes, sodium_malloc'd */
} secret_key;

int secret_alloc(secret_key *k) LST_WUR;
void secret_free(secret_key *k);

/* All keys, sorted by address. *out is malloc'd. */
int keyring_list(key_entry **out, size_t *n) LST_WUR;
void keyring_free_list(key_entry *list, size_t n);
/*
 * Find by name or address (any case; a wrong checksum is refused). NULL
 * spec means the default key: config "key", else the only key. -1 with
 * exit status 3 when there is no such key.
 */
int keyring_find(key_entry *out, const char *spec) LST_WUR;
void keyring_entry_free(key_entry *e);
bool keyring_name_valid(const char *name);

/* Store priv under name (may be NULL). pass NULL means plaintext. */
int keyring_add(key_entry *out, const uint8_t priv[32], const char *name,
		const passphrase *pass) LST_WUR;
/* Decrypt e's private key; wrong passphrase gives exit status 4. */
int keyring_unlock(secret_key *out, const key_entry *e, const passphrase *pass) LST_WUR;
/* Like keyring_unlock, asking for the passphrase only if e is encrypted. */
int keyring_unlock_ask(secret_key *out, const key_entry *e) LST_WUR;
int keyring_remove(const key_entry *e) LST_WUR;

#endif
