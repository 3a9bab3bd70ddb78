/* Keystore v3 against ethereum/tests and ethers vectors, round trips, bad files. */
#include "lst.h"
#include "unit.h"
#include "keystore.h"
#include "addr.h"
#include "diag.h"
#include "hex.h"
#include "secp.h"

#include <ctype.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool is_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* ethereum/tests KeyStoreTests: "json" is an object; decrypted key must equal "priv". */
static void test_basic_tests(void)
{
	json_t *v = vector_json("ethereum-tests/KeyStoreTests/basic_tests.json");
	group g = {"KeyStoreTests basic_tests.json", 0, 0};
	const char *name;
	json_t *c;
	double t = now();
	json_object_foreach(v, name, c) {
		const char *pw = json_string_value(json_object_get(c, "password"));
		const char *want = json_string_value(json_object_get(c, "priv"));
		char *text = json_dumps(json_object_get(c, "json"), JSON_COMPACT);
		uint8_t priv[32], exp[32];
		g.cases++;
		if (!pw || !want || !text || hex_decode(exp, 32, want) < 0)
			group_fail(&g, name, "bad vector");
		else if (keystore_decrypt(priv, text, strlen(text), pw, strlen(pw)) < 0)
			group_fail(&g, name, "decrypt failed (status %d)", diag_status());
		else if (memcmp(priv, exp, 32))
			group_fail(&g, name, "wrong key");
		free(text);
	}
	group_end(&g);
	diagf("basic_tests.json: %.2f s", now() - t);
	json_decref(v);
}

/* ethers wallets.json: keystore "content" with 0x-hex "password"; EIP-55 "address". */
static void test_ethers_wallets(void)
{
	json_t *v = vector_json("ethers/wallets.json.gz");
	group g = {"ethers wallets.json keystores", 0, 0};
	size_t i;
	json_t *c;
	double t = now();
	json_array_foreach(v, i, c) {
		const char *type = json_string_value(json_object_get(c, "type"));
		const char *name = json_string_value(json_object_get(c, "name"));
		const char *content = json_string_value(json_object_get(c, "content"));
		const char *pwhex = json_string_value(json_object_get(c, "password"));
		const char *want = json_string_value(json_object_get(c, "address"));
		uint8_t priv[32], a[20], *pw = NULL;
		size_t pw_len = 0;
		char got[ADDR_STR];
		if (!type || strcmp(type, "keystore"))
			continue;
		g.cases++;
		if (!name)
			name = "?";
		if (!content || !pwhex || !want || hex_decode_alloc(&pw, &pw_len, pwhex) < 0)
			group_fail(&g, name, "bad vector");
		else if (keystore_decrypt(priv, content, strlen(content), (const char *)pw, pw_len) < 0)
			group_fail(&g, name, "decrypt failed (status %d)", diag_status());
		else if (secp_address_from_priv(a, priv) < 0)
			group_fail(&g, name, "no address");
		else if (addr_to_str(got, a), strcmp(got, want))
			group_fail(&g, name, "address %s, want %s", got, want);
		free(pw);
	}
	group_end(&g);
	diagf("wallets.json: %.2f s", now() - t);
	json_decref(v);
}

/* A string field's value, "" when absent. */
static const char *sv(json_t *j)
{
	const char *s = json_string_value(j);
	return s ? s : "";
}

static const uint8_t key1[32] = {
	0x4c, 0x08, 0x83, 0xa6, 0x91, 0x02, 0x93, 0x7d, 0x62, 0x31, 0x47, 0x1b, 0x5d, 0xbb,
	0x62, 0x04, 0xfe, 0x51, 0x29, 0x61, 0x70, 0x82, 0x79, 0x2a, 0xe4, 0x68, 0xd0, 0x1a,
	0x3f, 0x36, 0x23, 0x18,
};
static const keystore_params fast = {1024, 8, 1};

static bool is_uuid4(const char *s)
{
	if (!s || strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i])) {
			return false;
		}
	}
	return s[14] == '4' && strchr("89ab", s[19]);
}

static void test_round_trip(void)
{
	char *j1 = NULL, *j2 = NULL, want[ADDR_STR];
	uint8_t priv[32], a[20];
	json_t *root;

	ok(keystore_encrypt(&j1, key1, "hunter2", 7, &fast) == 0 && j1, "encrypt n=1024");
	ok(keystore_encrypt(&j2, key1, "hunter2", 7, &fast) == 0 && j2, "encrypt again");
	ok(j1 && j2 && strcmp(j1, j2), "two encryptions differ (fresh salt, iv, id)");
	root = j1 ? json_loads(j1, 0, NULL) : NULL;
	json_t *cr = json_object_get(root, "crypto");
	json_t *kp = json_object_get(cr, "kdfparams");
	if (secp_address_from_priv(a, key1) < 0)
		memset(a, 0, 20);
	hex_encode(want, a, 20);
	ok(json_integer_value(json_object_get(root, "version")) == 3, "version is 3");
	ok(is_uuid4(json_string_value(json_object_get(root, "id"))), "id is a UUID v4");
	ok(!strcmp(sv(json_object_get(root, "address")), want + 2),
	   "address is lowercase hex without 0x");
	ok(!strcmp(sv(json_object_get(cr, "kdf")), "scrypt") &&
	   !strcmp(sv(json_object_get(cr, "cipher")), "aes-128-ctr") &&
	   json_integer_value(json_object_get(kp, "n")) == 1024 &&
	   json_integer_value(json_object_get(kp, "r")) == 8 &&
	   json_integer_value(json_object_get(kp, "p")) == 1 &&
	   json_integer_value(json_object_get(kp, "dklen")) == 32 &&
	   strlen(sv(json_object_get(kp, "salt"))) == 64,
	   "crypto is scrypt (n, r, p as asked) with aes-128-ctr");
	json_decref(root);

	ok(j1 && keystore_decrypt(priv, j1, strlen(j1), "hunter2", 7) == 0 &&
	   !memcmp(priv, key1, 32), "decrypt gives the key back");
	ok(j2 && keystore_decrypt(priv, j2, strlen(j2), "hunter2", 7) == 0 &&
	   !memcmp(priv, key1, 32), "decrypt the second one too");
	free(j1);
	free(j2);

	/* Empty password, and a password with a NUL inside. */
	j1 = NULL;
	ok(keystore_encrypt(&j1, key1, "", 0, &fast) == 0 &&
	   keystore_decrypt(priv, j1, strlen(j1), "", 0) == 0 && !memcmp(priv, key1, 32),
	   "round trip with the empty password");
	free(j1);
	j1 = NULL;
	ok(keystore_encrypt(&j1, key1, "a\0b", 3, &fast) == 0 &&
	   keystore_decrypt(priv, j1, strlen(j1), "a\0b", 3) == 0 &&
	   keystore_decrypt(priv, j1, strlen(j1), "a", 1) < 0, "password bytes after a NUL count");
	free(j1);

	/* r=1 with n >= 2^16 (beyond RFC 7914, as geth allows) takes libsodium's scrypt. */
	keystore_params r1 = {65536, 1, 2};
	j1 = NULL;
	ok(keystore_encrypt(&j1, key1, "pw", 2, &r1) == 0 &&
	   keystore_decrypt(priv, j1, strlen(j1), "pw", 2) == 0 && !memcmp(priv, key1, 32),
	   "round trip with n=65536, r=1, p=2");
	free(j1);

	/* The default parameters (what ethers writes), explicit and NULL. */
	double t = now();
	keystore_params def = KEYSTORE_PARAMS_DEFAULT;
	j1 = NULL;
	ok(keystore_encrypt(&j1, key1, "pw", 2, &def) == 0 &&
	   keystore_decrypt(priv, j1, strlen(j1), "pw", 2) == 0 && !memcmp(priv, key1, 32),
	   "round trip with KEYSTORE_PARAMS_DEFAULT (n=131072, r=8, p=1)");
	diagf("default params encrypt + decrypt: %.2f s", now() - t);
	free(j1);
	j1 = NULL;
	ok(keystore_encrypt(&j1, key1, "pw", 2, NULL) == 0 && j1 &&
	   strstr(j1, "\"n\":131072"), "NULL params mean the default");
	free(j1);
}

/* A copy of base with root[.o1[.o2]].key set to val (NULL: deleted), compact. */
static char *with(const char *base, const char *o1, const char *o2, const char *key, json_t *val)
{
	json_t *root = json_loads(base, 0, NULL), *o = root;
	if (o1)
		o = json_object_get(o, o1);
	if (o2)
		o = json_object_get(o, o2);
	if (val)
		json_object_set_new(o, key, val);
	else
		json_object_del(o, key);
	char *s = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	return s;
}

static void expect(const char *json, const char *pw, int status, const char *what)
{
	uint8_t priv[32];
	memset(priv, 0xa5, sizeof(priv));
	diag_set_status(LST_OK);
	int r = keystore_decrypt(priv, json, strlen(json), pw, strlen(pw));
	ok(r == -1 && diag_status() == status && is_zero(priv, 32),
	   "%s: status %d (got %d, status %d)", what, status, r, diag_status());
}

/* Like expect() on with(...), freeing the copy. */
static void expect_with(const char *base, const char *o1, const char *o2, const char *key,
			json_t *val, int status, const char *what)
{
	char *s = with(base, o1, o2, key, val);
	expect(s, "pw", status, what);
	free(s);
}

static void test_bad(void)
{
	char *base = NULL, *s;
	if (keystore_encrypt(&base, key1, "pw", 2, &fast) < 0)
		base = xstrdup("{}");
	json_t *root = json_loads(base, 0, NULL);
	json_t *cr = json_object_get(root, "crypto");
	char mac[70], ct[70];
	snprintf(mac, sizeof(mac), "%s", sv(json_object_get(cr, "mac")));
	snprintf(ct, sizeof(ct), "%s", sv(json_object_get(cr, "ciphertext")));
	json_decref(root);

	expect(base, "wrong", LST_EREFUSED, "wrong password");
	expect(base, "", LST_EREFUSED, "empty password for a keyed file");
	mac[0] = mac[0] == '0' ? '1' : '0';
	expect_with(base, "crypto", NULL, "mac", json_string(mac), LST_EREFUSED,
		    "a flipped MAC digit cannot be told from a wrong password");
	mac[62] = 0;
	expect_with(base, "crypto", NULL, "mac", json_string(mac), LST_EINVALID, "MAC of 31 bytes");
	expect_with(base, "crypto", NULL, "mac", json_string("zz"), LST_EINVALID, "MAC not hex");
	expect_with(base, "crypto", NULL, "mac", json_integer(7), LST_EINVALID, "MAC a number");
	expect_with(base, "crypto", NULL, "mac", NULL, LST_EINVALID, "MAC missing");
	ct[62] = 0;
	expect_with(base, "crypto", NULL, "ciphertext", json_string(ct), LST_EINVALID,
		    "ciphertext truncated to 31 bytes");
	ct[61] = 0;
	expect_with(base, "crypto", NULL, "ciphertext", json_string(ct), LST_EINVALID,
		    "ciphertext of odd length");
	expect_with(base, "crypto", "cipherparams", "iv",
		    json_string("0g000000000000000000000000000000"), LST_EINVALID, "iv bad hex");
	expect_with(base, "crypto", "cipherparams", "iv", json_string("00"), LST_EINVALID,
		    "iv of 1 byte");
	expect_with(base, "crypto", "kdfparams", "salt", json_string("abc"), LST_EINVALID,
		    "salt of odd length");
	expect_with(base, "crypto", "kdfparams", "salt", json_string("xy"), LST_EINVALID,
		    "salt bad hex");
	expect_with(base, "crypto", NULL, "kdf", json_string("argon2id"), LST_EINVALID,
		    "unsupported kdf");
	expect_with(base, "crypto", NULL, "cipher", json_string("aes-128-cbc"), LST_EINVALID,
		    "unsupported cipher");
	expect_with(base, "crypto", "kdfparams", "n", json_integer(1 << 30), LST_EINVALID,
		    "absurd scrypt n = 2^30");
	expect_with(base, "crypto", "kdfparams", "n", json_integer(1000), LST_EINVALID,
		    "scrypt n not a power of two");
	expect_with(base, "crypto", "kdfparams", "n", json_integer(-1024), LST_EINVALID,
		    "scrypt n negative");
	expect_with(base, "crypto", "kdfparams", "n", json_string("1024"), LST_EINVALID,
		    "scrypt n a string");
	expect_with(base, "crypto", "kdfparams", "p", json_integer(1 << 20), LST_EINVALID,
		    "absurd scrypt p");
	expect_with(base, "crypto", "kdfparams", "r", json_integer(0), LST_EINVALID,
		    "scrypt r = 0");
	expect_with(base, "crypto", "kdfparams", "dklen", json_integer(16), LST_EINVALID,
		    "dklen 16");
	expect_with(base, NULL, NULL, "address",
		    json_string("0000000000000000000000000000000000000001"), LST_EINVALID,
		    "address not the key's");
	expect_with(base, NULL, NULL, "address", json_string("12"), LST_EINVALID,
		    "address not 20 bytes");
	expect_with(base, NULL, NULL, "version", json_integer(4), LST_EINVALID, "version 4");
	expect_with(base, NULL, NULL, "crypto", NULL, LST_EINVALID, "crypto missing");
	expect_with(base, NULL, NULL, "crypto", json_string("x"), LST_EINVALID,
		    "crypto not an object");

	/* PBKDF2 bounds: swap the kdf for pbkdf2 with a huge c. */
	s = with(base, "crypto", NULL, "kdf", json_string("pbkdf2"));
	char *s2 = with(s, "crypto", "kdfparams", "prf", json_string("hmac-sha256"));
	char *s3 = with(s2, "crypto", "kdfparams", "c", json_integer(1000000000));
	double t = now();
	expect(s3, "pw", LST_EINVALID, "absurd pbkdf2 c = 10^9");
	ok(now() - t < 1.0, "absurd parameters are refused at once");
	free(s3);
	s3 = with(s2, "crypto", "kdfparams", "prf", json_string("hmac-sha512"));
	expect_with(s3, "crypto", "kdfparams", "c", json_integer(1000), LST_EINVALID,
		    "unsupported prf");
	free(s3);
	s3 = with(s2, "crypto", "kdfparams", "c", json_integer(1000));
	expect(s3, "pw", LST_EREFUSED, "pbkdf2 with the scrypt MAC: MAC mismatch");
	free(s3);
	free(s2);
	free(s);

	/* "Crypto" (as ethers writes it) is accepted. */
	root = json_loads(base, JSON_PRESERVE_ORDER, NULL);
	json_object_set(root, "Crypto", json_object_get(root, "crypto"));
	json_object_del(root, "crypto");
	s = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	uint8_t priv[32];
	ok(s && keystore_decrypt(priv, s, strlen(s), "pw", 2) == 0 && !memcmp(priv, key1, 32),
	   "\"Crypto\" accepted for \"crypto\"");
	free(s);

	expect("not json", "pw", LST_EINVALID, "not JSON");
	expect("", "pw", LST_EINVALID, "empty text");
	expect("[1,2]", "pw", LST_EINVALID, "a JSON array");
	expect("{\"version\":3}", "pw", LST_EINVALID, "no crypto");
	size_t half = strlen(base) / 2;
	base[half] = 0;
	expect(base, "pw", LST_EINVALID, "truncated JSON");
	free(base);
}

static void test_encrypt_bad(void)
{
	uint8_t zero[32] = {0};
	char *j = (char *)"x";
	keystore_params huge = {1u << 21, 8, 1}, odd = {1000, 8, 1}, nop = {1024, 8, 0};
	diag_set_status(LST_OK);
	ok(keystore_encrypt(&j, zero, "pw", 2, &fast) < 0 && !j && diag_status() == LST_EINVALID,
	   "encrypt refuses the zero key");
	diag_set_status(LST_OK);
	ok(keystore_encrypt(&j, key1, "pw", 2, &huge) < 0 && diag_status() == LST_EINVALID,
	   "encrypt refuses n = 2^21");
	diag_set_status(LST_OK);
	ok(keystore_encrypt(&j, key1, "pw", 2, &odd) < 0 && diag_status() == LST_EINVALID,
	   "encrypt refuses n = 1000");
	diag_set_status(LST_OK);
	ok(keystore_encrypt(&j, key1, "pw", 2, &nop) < 0 && diag_status() == LST_EINVALID,
	   "encrypt refuses p = 0");
}

int main(void)
{
	diag_init("t-keystore");
	double t = now();
	test_round_trip();
	test_bad();
	test_encrypt_bad();
	test_basic_tests();
	test_ethers_wallets();
	diagf("total: %.2f s", now() - t);
	return unit_done();
}
