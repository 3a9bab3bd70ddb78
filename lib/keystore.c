/* keystore.c: see keystore.h. */
#include "lst.h"
#include "keystore.h"
#include "addr.h"
#include "diag.h"
#include "hex.h"
#include "jsonio.h"
#include "keccak.h"
#include "secp.h"

#include <limits.h>
#include <openssl/evp.h>
#include <sodium.h>

#define SCRYPT_MAX_N (1u << 20)
#define SCRYPT_MAX_NR (1u << 23)  /* 128 * n * r bytes: 1 GiB */
#define SCRYPT_MAX_RP 1024u
#define SCRYPT_MAX_NRP (1u << 24) /* 16 times geth's "standard" work */
#define PBKDF2_MAX_C 10000000u
#define SALT_MAX 1024

enum { KDF_SCRYPT, KDF_PBKDF2 };

struct kdf {
	int kind;
	uint64_t n, r, p, c;
	uint8_t *salt;
	size_t salt_len;
};

static int init_sodium(void)
{
	if (sodium_init() < 0)
		return diag_error(LST_EFAIL, "cannot initialise libsodium");
	return 0;
}

static int scrypt_check(uint64_t n, uint64_t r, uint64_t p)
{
	if (n < 2 || n > SCRYPT_MAX_N || (n & (n - 1)))
		return diag_error(LST_EINVALID, "keystore: scrypt \"n\" must be a power of two "
				  "from 2 to 2^20, not %llu", (unsigned long long)n);
	if (r < 1 || p < 1 || r > SCRYPT_MAX_RP || p > SCRYPT_MAX_RP || r * p > SCRYPT_MAX_RP)
		return diag_error(LST_EINVALID, "keystore: scrypt \"r\" and \"p\" must be at least 1 "
				  "with r*p at most %u, not r=%llu p=%llu", SCRYPT_MAX_RP,
				  (unsigned long long)r, (unsigned long long)p);
	if (n * r > SCRYPT_MAX_NR || n * r * p > SCRYPT_MAX_NRP)
		return diag_error(LST_EINVALID, "keystore: scrypt parameters n=%llu r=%llu p=%llu "
				  "need too much memory or time (n*r at most 2^23, n*r*p at most 2^24)",
				  (unsigned long long)n, (unsigned long long)r, (unsigned long long)p);
	return 0;
}

/* 32 bytes of derived key into dk, from checked parameters. */
static int derive(uint8_t dk[32], const struct kdf *k, const char *pw, size_t pw_len)
{
	int ok;
	if (k->kind == KDF_SCRYPT && k->r < 4 && k->n >= 1ull << (16 * k->r)) {
		/*
		 * OpenSSL holds to RFC 7914's n < 2^(16r), which geth and
		 * ethers do not (r=1, n=2^18 is in ethereum/tests): libsodium.
		 */
		ok = crypto_pwhash_scryptsalsa208sha256_ll(
			(const uint8_t *)(pw ? pw : ""), pw_len, k->salt, k->salt_len,
			k->n, (uint32_t)k->r, (uint32_t)k->p, dk, 32) == 0;
	} else if (k->kind == KDF_SCRYPT) {
		/* OpenSSL needs 128*r*(n+2) for V and 128*r*p for B. */
		uint64_t mem = 128 * k->r * (k->n + 2) + 128 * k->r * k->p + (1u << 20);
		ok = EVP_PBE_scrypt(pw, pw_len, k->salt, k->salt_len, k->n, k->r, k->p,
				    mem, dk, 32);
	} else {
		if (pw_len > INT_MAX)
			return diag_error(LST_EINVALID, "keystore: password too long");
		ok = PKCS5_PBKDF2_HMAC(pw, (int)pw_len, k->salt, (int)k->salt_len, (int)k->c,
				       EVP_sha256(), 32, dk);
	}
	if (ok != 1)
		return diag_error(LST_EFAIL, "keystore: %s key derivation failed (out of memory?)",
				  k->kind == KDF_SCRYPT ? "scrypt" : "pbkdf2");
	return 0;
}

static void mac_of(uint8_t mac[32], const uint8_t dk[32], const uint8_t ct[32])
{
	keccak_ctx c;
	keccak256_init(&c);
	keccak256_update(&c, dk + 16, 16);
	keccak256_update(&c, ct, 32);
	keccak256_final(&c, mac);
}

/* AES-128-CTR is its own inverse: out = in xor keystream(key, iv). */
static int aes_ctr(uint8_t out[32], const uint8_t key[16], const uint8_t iv[16],
		   const uint8_t in[32])
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int len = 0, fin = 0, ok = c &&
		EVP_EncryptInit_ex(c, EVP_aes_128_ctr(), NULL, key, iv) == 1 &&
		EVP_EncryptUpdate(c, out, &len, in, 32) == 1 &&
		EVP_EncryptFinal_ex(c, out + len, &fin) == 1 && len + fin == 32;
	EVP_CIPHER_CTX_free(c);
	if (!ok)
		return diag_error(LST_EFAIL, "keystore: aes-128-ctr failed");
	return 0;
}

/* Field parsing: path names the field in messages ("crypto.kdfparams.n"). */

static json_t *get(json_t *obj, const char *key, const char *path)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		diag_error(LST_EINVALID, "keystore: missing \"%s\"", path);
	return v;
}

static const char *get_str(json_t *obj, const char *key, const char *path)
{
	json_t *v = get(obj, key, path);
	if (v && !json_is_string(v)) {
		diag_error(LST_EINVALID, "keystore: \"%s\" is not a string", path);
		return NULL;
	}
	return json_string_value(v);
}

static json_t *get_obj(json_t *obj, const char *key, const char *path)
{
	json_t *v = get(obj, key, path);
	if (v && !json_is_object(v)) {
		diag_error(LST_EINVALID, "keystore: \"%s\" is not an object", path);
		return NULL;
	}
	return v;
}

static int get_hex(uint8_t *out, size_t len, json_t *obj, const char *key, const char *path)
{
	const char *s = get_str(obj, key, path);
	if (!s)
		return -1;
	if (hex_decode(out, len, s) < 0)
		return diag_error(LST_EINVALID, "keystore: \"%s\" is not %zu bytes of hex",
				  path, len);
	return 0;
}

static int get_uint(uint64_t *out, json_t *obj, const char *key, const char *path)
{
	json_t *v = get(obj, key, path);
	if (!v)
		return -1;
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return diag_error(LST_EINVALID, "keystore: \"%s\" is not a non-negative integer",
				  path);
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

static int parse_kdf(struct kdf *k, json_t *cr, const char *c)
{
	char path[64];
	uint64_t dklen;
	const char *name, *prf, *salt;
	json_t *kp;
#define P(field) (snprintf(path, sizeof(path), "%s.kdfparams." field, c), path)
	snprintf(path, sizeof(path), "%s.kdf", c);
	if (!(name = get_str(cr, "kdf", path)))
		return -1;
	if (!strcmp(name, "scrypt"))
		k->kind = KDF_SCRYPT;
	else if (!strcmp(name, "pbkdf2"))
		k->kind = KDF_PBKDF2;
	else
		return diag_error(LST_EINVALID, "keystore: unsupported \"%s\" \"%.40s\" "
				  "(scrypt or pbkdf2)", path, name);
	snprintf(path, sizeof(path), "%s.kdfparams", c);
	if (!(kp = get_obj(cr, "kdfparams", path)))
		return -1;
	if (get_uint(&dklen, kp, "dklen", P("dklen")) < 0)
		return -1;
	if (dklen != 32)
		return diag_error(LST_EINVALID, "keystore: \"%s\" must be 32", path);
	if (k->kind == KDF_SCRYPT) {
		if (get_uint(&k->n, kp, "n", P("n")) < 0 || get_uint(&k->r, kp, "r", P("r")) < 0 ||
		    get_uint(&k->p, kp, "p", P("p")) < 0 || scrypt_check(k->n, k->r, k->p) < 0)
			return -1;
	} else {
		if (get_uint(&k->c, kp, "c", P("c")) < 0)
			return -1;
		if (k->c < 1 || k->c > PBKDF2_MAX_C)
			return diag_error(LST_EINVALID, "keystore: \"%s\" must be from 1 to %u, "
					  "not %llu", path, PBKDF2_MAX_C, (unsigned long long)k->c);
		if (!(prf = get_str(kp, "prf", P("prf"))))
			return -1;
		if (strcmp(prf, "hmac-sha256"))
			return diag_error(LST_EINVALID, "keystore: unsupported \"%s\" \"%.40s\" "
					  "(hmac-sha256)", path, prf);
	}
	if (!(salt = get_str(kp, "salt", P("salt"))))
		return -1;
	if (strlen(salt) > 2 + 2 * SALT_MAX ||
	    hex_decode_alloc(&k->salt, &k->salt_len, salt) < 0 || k->salt_len > SALT_MAX)
		return diag_error(LST_EINVALID, "keystore: \"%s\" is not hex of at most %d bytes",
				  path, SALT_MAX);
#undef P
	return 0;
}

static int check_version(json_t *root)
{
	json_t *v = get(root, "version", "version");
	if (!v)
		return -1;
	if ((json_is_integer(v) && json_integer_value(v) == 3) ||
	    (json_is_string(v) && !strcmp(json_string_value(v), "3")))
		return 0;
	return diag_error(LST_EINVALID, "keystore: unsupported \"version\" (only 3)");
}

/* Derive, check the MAC, decrypt into pk, check the key and address. */
static int unlock(uint8_t *pk, const struct kdf *k, json_t *root, const uint8_t iv[16],
		  const uint8_t ct[32], const uint8_t mac[32], const char *pw, size_t pw_len)
{
	uint8_t *dk = sodium_malloc(32), want[32], a[20], b[20];
	int r = -1;
	if (!dk)
		return diag_error(LST_EFAIL, "keystore: out of secure memory");
	if (derive(dk, k, pw, pw_len) < 0)
		goto out;
	mac_of(want, dk, ct);
	if (sodium_memcmp(want, mac, 32) != 0) {
		diag_error(LST_EREFUSED, "wrong passphrase for keystore");
		goto out;
	}
	if (aes_ctr(pk, dk, iv, ct) < 0)
		goto out;
	if (!secp_seckey_valid(pk)) {
		diag_error(LST_EINVALID, "keystore: the decrypted key is not a valid secp256k1 key");
		goto out;
	}
	if (json_object_get(root, "address")) {
		const char *s = get_str(root, "address", "address");
		if (!s || hex_decode(a, 20, s) < 0) {
			if (s)
				diag_error(LST_EINVALID, "keystore: \"address\" is not 20 bytes of hex");
			goto out;
		}
		if (secp_address_from_priv(b, pk) < 0)
			goto out;
		if (memcmp(a, b, 20)) {
			char as[ADDR_STR], bs[ADDR_STR];
			addr_to_str(as, a);
			addr_to_str(bs, b);
			diag_error(LST_EINVALID, "keystore: \"address\" %s is not the key's address %s",
				   as, bs);
			goto out;
		}
	}
	r = 0;
out:
	sodium_free(dk);
	return r;
}

int keystore_decrypt(uint8_t priv[32], const char *json, size_t json_len,
		     const char *password, size_t password_len)
{
	struct kdf k = {0};
	uint8_t iv[16], ct[32], mac[32], *pk = NULL;
	char path[48];
	const char *c, *cipher, *cts;
	json_t *root, *cr, *cp;
	int r = -1;

	sodium_memzero(priv, 32);
	if (init_sodium() < 0 || !(root = jsonio_parse(json, json_len, "keystore")))
		return -1;
	if (!json_is_object(root)) {
		diag_error(LST_EINVALID, "keystore: not a JSON object");
		goto out;
	}
	if (check_version(root) < 0)
		goto out;
	c = json_object_get(root, "crypto") ? "crypto" : "Crypto";
	if (!(cr = get_obj(root, c, json_object_get(root, c) ? c : "crypto")))
		goto out;
	snprintf(path, sizeof(path), "%s.cipher", c);
	if (!(cipher = get_str(cr, "cipher", path)))
		goto out;
	if (strcmp(cipher, "aes-128-ctr")) {
		diag_error(LST_EINVALID, "keystore: unsupported \"%s\" \"%.40s\" (aes-128-ctr)",
			   path, cipher);
		goto out;
	}
	snprintf(path, sizeof(path), "%s.cipherparams", c);
	if (!(cp = get_obj(cr, "cipherparams", path)))
		goto out;
	snprintf(path, sizeof(path), "%s.cipherparams.iv", c);
	if (get_hex(iv, 16, cp, "iv", path) < 0)
		goto out;
	snprintf(path, sizeof(path), "%s.ciphertext", c);
	if (!(cts = get_str(cr, "ciphertext", path)))
		goto out;
	if (hex_decode(ct, 32, cts) < 0) {
		diag_error(LST_EINVALID, "keystore: \"%s\" is not 32 bytes of hex "
			   "(an encrypted secp256k1 key)", path);
		goto out;
	}
	snprintf(path, sizeof(path), "%s.mac", c);
	if (get_hex(mac, 32, cr, "mac", path) < 0 || parse_kdf(&k, cr, c) < 0)
		goto out;
	if (!(pk = sodium_malloc(32))) {
		diag_error(LST_EFAIL, "keystore: out of secure memory");
		goto out;
	}
	if (unlock(pk, &k, root, iv, ct, mac, password, password_len) < 0)
		goto out;
	memcpy(priv, pk, 32);
	r = 0;
out:
	sodium_free(pk);
	free(k.salt);
	json_decref(root);
	return r;
}

/* Lowercase hex without 0x, as geth and ethers write keystore fields. */
static json_t *hexstr(const uint8_t *p, size_t len)
{
	char *h = hex_encode_alloc(p, len);
	json_t *j = jsonio_str(h + 2);
	free(h);
	return j;
}

static char *to_json(const uint8_t addr[20], const uint8_t id[16], const struct kdf *k,
		     const uint8_t iv[16], const uint8_t ct[32], const uint8_t mac[32])
{
	char h[35], idstr[37];
	hex_encode(h, id, 16);
	snprintf(idstr, sizeof(idstr), "%.8s-%.4s-%.4s-%.4s-%.12s",
		 h + 2, h + 10, h + 14, h + 18, h + 22);
	json_t *j = jsonio_obj(
		"address", hexstr(addr, 20),
		"crypto", jsonio_obj(
			"cipher", jsonio_str("aes-128-ctr"),
			"ciphertext", hexstr(ct, 32),
			"cipherparams", jsonio_obj("iv", hexstr(iv, 16), NULL),
			"kdf", jsonio_str("scrypt"),
			"kdfparams", jsonio_obj(
				"dklen", json_integer(32),
				"n", json_integer((json_int_t)k->n),
				"p", json_integer((json_int_t)k->p),
				"r", json_integer((json_int_t)k->r),
				"salt", hexstr(k->salt, k->salt_len), NULL),
			"mac", hexstr(mac, 32), NULL),
		"id", jsonio_str(idstr),
		"version", json_integer(3), NULL);
	size_t flags = JSON_COMPACT | JSON_PRESERVE_ORDER;
	size_t n = json_dumpb(j, NULL, 0, flags);
	char *out = n ? xmalloc(n + 1) : NULL;
	if (out && json_dumpb(j, out, n, flags) == n) {
		out[n] = 0;
	} else {
		free(out);
		out = NULL;
		diag_error(LST_EFAIL, "keystore: cannot write JSON");
	}
	json_decref(j);
	return out;
}

int keystore_encrypt(char **json_out, const uint8_t priv[32], const char *password,
		     size_t password_len, const keystore_params *params)
{
	static const keystore_params def = KEYSTORE_PARAMS_DEFAULT;
	uint8_t salt[32], iv[16], id[16], ct[32], mac[32], a[20], *dk;
	struct kdf k = {0};
	int r = -1;

	*json_out = NULL;
	if (!params)
		params = &def;
	if (init_sodium() < 0 || scrypt_check(params->scrypt_n, params->scrypt_r,
					      params->scrypt_p) < 0)
		return -1;
	if (!secp_seckey_valid(priv) || secp_address_from_priv(a, priv) < 0)
		return diag_error(LST_EINVALID, "keystore: not a valid secp256k1 private key");
	if (!(dk = sodium_malloc(32)))
		return diag_error(LST_EFAIL, "keystore: out of secure memory");
	randombytes_buf(salt, sizeof(salt));
	randombytes_buf(iv, sizeof(iv));
	randombytes_buf(id, sizeof(id));
	id[6] = (uint8_t)((id[6] & 0x0f) | 0x40); /* UUID version 4 */
	id[8] = (uint8_t)((id[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	k.kind = KDF_SCRYPT;
	k.n = params->scrypt_n;
	k.r = params->scrypt_r;
	k.p = params->scrypt_p;
	k.salt = salt;
	k.salt_len = sizeof(salt);
	if (derive(dk, &k, password, password_len) < 0 || aes_ctr(ct, dk, iv, priv) < 0)
		goto out;
	mac_of(mac, dk, ct);
	if ((*json_out = to_json(a, id, &k, iv, ct, mac)))
		r = 0;
out:
	sodium_free(dk);
	return r;
}
