/* keyring.c: see keyring.h. */
#include "lst.h"
#include "keyring.h"
#include "buf.h"
#include "diag.h"
#include "hex.h"
#include "home.h"
#include "jsonio.h"
#include "secp.h"

#include <dirent.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEYFILE_VERSION 1

int secret_alloc(secret_key *k)
{
	if (sodium_init() < 0)
		return diag_error(LST_EFAIL, "cannot initialise libsodium");
	k->priv = sodium_malloc(32);
	if (!k->priv)
		return diag_error(LST_EFAIL, "cannot allocate secure memory");
	return 0;
}

void secret_free(secret_key *k)
{
	if (k->priv)
		sodium_free(k->priv);
	k->priv = NULL;
}

bool keyring_name_valid(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n >= 64 || name[0] == '-' || addr_looks_like(name))
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

void keyring_entry_free(key_entry *e)
{
	free(e->path);
	e->path = NULL;
}

void keyring_free_list(key_entry *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		keyring_entry_free(&list[i]);
	free(list);
}

static int load_entry(key_entry *e, const char *path)
{
	buf b = BUF_INIT;
	memset(e, 0, sizeof(*e));
	if (buf_read_file(&b, path, 1 << 16) < 0) {
		buf_free(&b);
		return diag_error(LST_EFAIL, "cannot read key file '%s': %s", path, strerror(errno));
	}
	json_t *j = jsonio_parse((const char *)b.p, b.len, path);
	buf_free(&b);
	if (!j)
		return -1;
	const char *addr = jsonio_get_str(j, "address"), *name = jsonio_get_str(j, "name");
	const char *pub = jsonio_get_str(j, "public_key"), *why;
	int r = 0;
	if (!addr || addr_parse(e->address, addr, &why) < 0 || !pub ||
	    hex_decode(e->public_key, 65, pub) < 0)
		r = diag_error(LST_EINVALID, "key file '%s' is damaged (address or public_key)", path);
	else {
		addr_to_str(e->address_str, e->address);
		snprintf(e->name, sizeof(e->name), "%s", name ? name : "");
		e->encrypted = !json_is_true(json_object_get(j, "plaintext"));
		e->path = xstrdup(path);
	}
	json_decref(j);
	return r;
}

static int cmp_entry(const void *a, const void *b)
{
	return memcmp(((const key_entry *)a)->address, ((const key_entry *)b)->address, 20);
}

int keyring_list(key_entry **out, size_t *n)
{
	char *dir = home_path("keys");
	DIR *d = opendir(dir);
	*out = NULL;
	*n = 0;
	if (!d) {
		free(dir);
		return 0; /* no keys yet */
	}
	struct dirent *de;
	int r = 0;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l != 47 || strcmp(de->d_name + 42, ".json") || strncmp(de->d_name, "0x", 2))
			continue;
		char *path = xasprintf("%s/%s", dir, de->d_name);
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		if (load_entry(&(*out)[*n], path) == 0)
			(*n)++;
		else
			r = -1;
		free(path);
	}
	closedir(d);
	free(dir);
	if (*n)
		qsort(*out, *n, sizeof(**out), cmp_entry);
	return r;
}

static int copy_entry(key_entry *out, const key_entry *in)
{
	*out = *in;
	out->path = xstrdup(in->path);
	return 0;
}

int keyring_find(key_entry *out, const char *spec)
{
	key_entry *list;
	size_t n;
	char *def = NULL;
	if (keyring_list(&list, &n) < 0 && n == 0)
		return -1;
	if (!spec) {
		def = config_get("key");
		spec = def;
	}
	int r = -1;
	if (!spec) {
		if (n == 1)
			r = copy_entry(out, &list[0]);
		else if (n == 0) {
			diag_error(LST_ENOTFOUND, "no keys in '%s'", home_dir());
			diag_hint("create one with 'lst-sign keygen' or 'lst init'");
		} else {
			diag_error(LST_ENOTFOUND, "%zu keys and no default: name one", n);
			diag_hint("pass an address or name, or set 'lst config key ADDRESS'");
		}
		goto out;
	}
	uint8_t a[20];
	const char *why;
	bool is_addr = addr_looks_like(spec);
	if (is_addr && addr_parse(a, spec, &why) < 0) {
		diag_error(LST_EINVALID, "'%s' is not a valid address: %s", spec, why);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (is_addr ? !memcmp(list[i].address, a, 20) : !strcmp(list[i].name, spec)) {
			r = copy_entry(out, &list[i]);
			goto out;
		}
	}
	diag_error(LST_ENOTFOUND, "no key '%s' in '%s'", spec, home_dir());
	diag_hint("'lst-sign list' shows the keys");
out:
	free(def);
	keyring_free_list(list, n);
	return r;
}

/* The file's symmetric key from the passphrase and the file's parameters. */
static int derive(uint8_t key[32], const passphrase *pass, const uint8_t *salt,
		  unsigned long long ops, size_t mem)
{
	if (crypto_pwhash(key, 32, pass->p, pass->len, salt, ops, mem, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return diag_error(LST_EFAIL, "cannot derive the key (out of memory?)");
	return 0;
}

int keyring_add(key_entry *out, const uint8_t priv[32], const char *name, const passphrase *pass)
{
	key_entry *list;
	size_t n;
	uint8_t pub[65], addr[20];
	if (home_ensure() < 0)
		return -1;
	if (!secp_seckey_valid(priv))
		return diag_error(LST_EINVALID, "not a valid secp256k1 private key (zero or >= n)");
	if (secp_pubkey(pub, priv) < 0)
		return diag_error(LST_EFAIL, "cannot compute the public key");
	secp_address_from_pub(addr, pub);
	if (keyring_list(&list, &n) < 0) {
		/* damaged files were reported; the others still guard duplicates */
	}
	for (size_t i = 0; i < n; i++) {
		if (!memcmp(list[i].address, addr, 20)) {
			diag_error(LST_EFAIL, "key '%s' already exists", list[i].address_str);
			keyring_free_list(list, n);
			return -1;
		}
		if (name && !strcmp(list[i].name, name)) {
			diag_error(LST_EFAIL, "the name '%s' is taken by '%s'", name, list[i].address_str);
			keyring_free_list(list, n);
			return -1;
		}
	}
	keyring_free_list(list, n);

	char addr_str[ADDR_STR], hexaddr[ADDR_STR];
	addr_to_str(addr_str, addr);
	hex_encode(hexaddr, addr, 20);
	json_t *j = jsonio_obj("version", json_integer(KEYFILE_VERSION), "address", json_string(addr_str),
			       "name", name ? jsonio_str(name) : json_null(),
			       "public_key", jsonio_hex(pub, 65), NULL);
	if (pass) {
		uint8_t salt[crypto_pwhash_SALTBYTES], nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
		uint8_t ct[32 + crypto_aead_xchacha20poly1305_ietf_ABYTES];
		unsigned long long ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
		size_t mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
		uint8_t *key = sodium_malloc(32);
		randombytes_buf(salt, sizeof(salt));
		randombytes_buf(nonce, sizeof(nonce));
		if (!key || derive(key, pass, salt, ops, mem) < 0) {
			if (key)
				sodium_free(key);
			json_decref(j);
			return -1;
		}
		crypto_aead_xchacha20poly1305_ietf_encrypt(ct, NULL, priv, 32, addr, 20, NULL, nonce, key);
		sodium_free(key);
		json_object_set_new(j, "kdf", jsonio_obj("algorithm", json_string("argon2id13"),
							 "opslimit", json_integer((json_int_t)ops),
							 "memlimit", json_integer((json_int_t)mem),
							 "salt", jsonio_hex(salt, sizeof(salt)), NULL));
		json_object_set_new(j, "cipher", jsonio_obj("algorithm", json_string("xchacha20poly1305-ietf"),
							    "nonce", jsonio_hex(nonce, sizeof(nonce)),
							    "ciphertext", jsonio_hex(ct, sizeof(ct)), NULL));
	} else {
		char *hex = sodium_malloc(67);
		hex_encode(hex, priv, 32);
		json_object_set_new(j, "plaintext", json_true());
		json_object_set_new(j, "private_key", json_string(hex));
		sodium_free(hex);
	}
	char *text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	char *rel = xasprintf("keys/%s.json", hexaddr);
	char *path = home_path(rel);
	free(rel);
	int r = write_file_atomic(path, text, strlen(text), 0600);
	sodium_memzero(text, strlen(text));
	free(text);
	if (r == 0)
		r = load_entry(out, path);
	free(path);
	return r;
}

static int unlock_file(secret_key *out, const key_entry *e, json_t *j, const passphrase *pass)
{
	if (json_is_true(json_object_get(j, "plaintext"))) {
		const char *hex = jsonio_get_str(j, "private_key");
		if (!hex || hex_decode(out->priv, 32, hex) < 0)
			return diag_error(LST_EINVALID, "key file '%s' is damaged (private_key)", e->path);
		return 0;
	}
	json_t *kdf = json_object_get(j, "kdf"), *cipher = json_object_get(j, "cipher");
	uint8_t salt[crypto_pwhash_SALTBYTES], nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
	uint8_t ct[32 + crypto_aead_xchacha20poly1305_ietf_ABYTES];
	json_int_t ops = json_integer_value(json_object_get(kdf, "opslimit"));
	json_int_t mem = json_integer_value(json_object_get(kdf, "memlimit"));
	const char *alg = jsonio_get_str(kdf, "algorithm");
	if (!alg || strcmp(alg, "argon2id13") || ops < 1 || ops > 64 || mem < 8192 || mem > (1LL << 32) ||
	    !jsonio_get_str(kdf, "salt") || hex_decode(salt, sizeof(salt), jsonio_get_str(kdf, "salt")) < 0 ||
	    !jsonio_get_str(cipher, "nonce") || hex_decode(nonce, sizeof(nonce), jsonio_get_str(cipher, "nonce")) < 0 ||
	    !jsonio_get_str(cipher, "ciphertext") ||
	    hex_decode(ct, sizeof(ct), jsonio_get_str(cipher, "ciphertext")) < 0)
		return diag_error(LST_EINVALID, "key file '%s' is damaged (kdf or cipher)", e->path);
	uint8_t *key = sodium_malloc(32);
	if (!key)
		return diag_error(LST_EFAIL, "cannot allocate secure memory");
	int r = derive(key, pass, salt, (unsigned long long)ops, (size_t)mem);
	if (r == 0 && crypto_aead_xchacha20poly1305_ietf_decrypt(out->priv, NULL, NULL, ct, sizeof(ct),
								 e->address, 20, nonce, key) != 0)
		r = diag_error(LST_EREFUSED, "wrong passphrase for key '%s'", e->address_str);
	sodium_free(key);
	return r;
}

int keyring_unlock(secret_key *out, const key_entry *e, const passphrase *pass)
{
	buf b = BUF_INIT;
	if (secret_alloc(out) < 0)
		return -1;
	if (buf_read_file(&b, e->path, 1 << 16) < 0) {
		buf_free(&b);
		secret_free(out);
		return diag_error(LST_EFAIL, "cannot read key file '%s': %s", e->path, strerror(errno));
	}
	json_t *j = jsonio_parse((const char *)b.p, b.len, e->path);
	buf_free(&b);
	int r = j ? unlock_file(out, e, j, pass) : -1;
	json_decref(j);
	uint8_t a[20];
	if (r == 0 && (secp_address_from_priv(a, out->priv) < 0 || memcmp(a, e->address, 20)))
		r = diag_error(LST_EINVALID, "key file '%s' holds a key for another address", e->path);
	if (r < 0)
		secret_free(out);
	return r;
}

/*
 * The passphrase that last unlocked a key in this process, and whose key:
 * a porcelain verb that unlocks the same key twice (to derive a content
 * key, then to sign the transaction) asks once. Kept in sodium_malloc'd
 * memory and wiped at exit; never written anywhere.
 */
static struct {
	uint8_t address[20];
	passphrase p;
} unlocked;

static void unlocked_forget(void)
{
	pass_free(&unlocked.p);
	sodium_memzero(unlocked.address, sizeof(unlocked.address));
}

int keyring_unlock_ask(secret_key *out, const key_entry *e)
{
	passphrase p = {NULL, 0};
	if (e->encrypted && unlocked.p.p && !memcmp(unlocked.address, e->address, 20))
		return keyring_unlock(out, e, &unlocked.p);
	if (e->encrypted) {
		char prompt[128];
		snprintf(prompt, sizeof(prompt), "Passphrase for %s: ", e->name[0] ? e->name : e->address_str);
		if (pass_get(&p, prompt, false) < 0)
			return -1;
	}
	int r = keyring_unlock(out, e, &p);
	if (r == 0 && e->encrypted) {
		if (!unlocked.p.p)
			atexit(unlocked_forget);
		pass_free(&unlocked.p);
		unlocked.p = p; /* kept, not freed */
		memcpy(unlocked.address, e->address, 20);
		return 0;
	}
	pass_free(&p);
	return r;
}

int keyring_remove(const key_entry *e)
{
	if (unlink(e->path) < 0)
		return diag_error(LST_EFAIL, "cannot remove '%s': %s", e->path, strerror(errno));
	return 0;
}
