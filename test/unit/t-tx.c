/* Transactions, keys and addresses against ethereum/tests and ethers. */
#include "lst.h"
#include "unit.h"
#include "tx.h"
#include "txjson.h"
#include "secp.h"
#include "addr.h"
#include "hex.h"
#include "buf.h"
#include "jsonio.h"
#include "diag.h"

#include <dirent.h>

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* Expected result of a TransactionTests case: Cancun if filled, else Shanghai. */
static json_t *expected(json_t *c)
{
	json_t *r = json_object_get(c, "result");
	json_t *e = json_object_get(r, "Cancun");
	return e ? e : json_object_get(r, "Shanghai");
}

static void run_tt_file(group *valid, group *invalid, const char *rel)
{
	json_t *v = vector_json(rel);
	const char *name;
	json_t *c;
	json_object_foreach(v, name, c) {
		json_t *e = expected(c);
		const char *want_hash = str(e, "hash"), *want_sender = str(e, "sender");
		uint8_t *raw;
		size_t n;
		tx t;
		char err[256];
		int r = -1;
		if (hex_decode_alloc(&raw, &n, str(c, "txbytes")) == 0) {
			r = tx_decode(&t, err, sizeof(err), raw, n);
			/* The tests are filled for chain id 1. */
			if (r == 0 && (tx_validate(err, sizeof(err), &t) < 0 ||
				       tx_check_chain(err, sizeof(err), &t, 1) < 0)) {
				tx_free(&t);
				r = -1;
			}
			free(raw);
		} else {
			snprintf(err, sizeof(err), "not hex");
		}
		if (want_hash) {
			valid->cases++;
			if (r < 0) {
				group_fail(valid, name, "refused: %s", err);
				continue;
			}
			char h[67], from[ADDR_STR];
			hex_encode(h, t.hash, 32);
			addr_to_str(from, t.from);
			if (strcmp(h, want_hash) || strcasecmp(from, want_sender))
				group_fail(valid, name, "hash %s sender %s", h, from);
			tx_free(&t);
		} else {
			invalid->cases++;
			if (r == 0) {
				group_fail(invalid, name, "accepted, expected %s",
					   str(e, "exception") ? str(e, "exception") : "an RLP error");
				tx_free(&t);
			}
		}
	}
	json_decref(v);
}

static void test_transaction_tests(void)
{
	group valid = {"TransactionTests valid: sender and hash", 0, 0};
	group invalid = {"TransactionTests invalid: every case refused", 0, 0};
	char *dir = vector_path("ethereum-tests/TransactionTests");
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char *sub = xasprintf("%s/%s", dir, de->d_name);
		DIR *sd = opendir(sub);
		struct dirent *fe;
		while (sd && (fe = readdir(sd))) {
			size_t l = strlen(fe->d_name);
			if (l < 5 || strcmp(fe->d_name + l - 5, ".json"))
				continue;
			char *rel = xasprintf("ethereum-tests/TransactionTests/%s/%s", de->d_name, fe->d_name);
			run_tt_file(&valid, &invalid, rel);
			free(rel);
		}
		if (sd)
			closedir(sd);
		free(sub);
	}
	if (d)
		closedir(d);
	free(dir);
	group_end(&valid);
	group_end(&invalid);
}

/* Builds a tx of `type` from an ethers vector's transaction object. */
static int ethers_tx(tx *t, char *err, size_t errlen, json_t *vt, int type, bool chain)
{
	json_t *j = json_object();
	const char *keys[] = {"to", "nonce", "gasLimit", "data", "value"};
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (json_object_get(vt, keys[i]))
			json_object_set(j, keys[i], json_object_get(vt, keys[i]));
	json_object_set_new(j, "type", json_integer(type));
	if (chain)
		json_object_set(j, "chainId", json_object_get(vt, "chainId"));
	if (type == 2) {
		json_object_set(j, "maxFeePerGas", json_object_get(vt, "maxFeePerGas"));
		json_object_set(j, "maxPriorityFeePerGas", json_object_get(vt, "maxPriorityFeePerGas"));
	} else {
		json_object_set(j, "gasPrice", json_object_get(vt, "gasPrice"));
	}
	if (type != 0)
		json_object_set(j, "accessList", json_object_get(vt, "accessList"));
	int r = tx_from_json(t, err, errlen, j);
	json_decref(j);
	return r;
}

static void test_ethers_transactions(void)
{
	static const struct {
		const char *label, *unsigned_key, *signed_key;
		int type;
		bool chain;
	} forms[] = {
		{"legacy", "unsignedLegacy", "signedLegacy", 0, false},
		{"EIP-155", "unsignedEip155", "signedEip155", 0, true},
		{"EIP-2930", "unsignedBerlin", "signedBerlin", 1, true},
		{"EIP-1559", "unsignedLondon", "signedLondon", 2, true},
	};
	json_t *v = vector_json("ethers/transactions.json.gz");
	for (size_t f = 0; f < ARRAY_SIZE(forms); f++) {
		char label[128];
		snprintf(label, sizeof(label), "ethers transactions.json %s: unsigned, signed, decoded", forms[f].label);
		group g = {label, 0, 0};
		size_t i;
		json_t *c;
		json_array_foreach(v, i, c) {
			const char *name = str(c, "name");
			const char *want_u = str(c, forms[f].unsigned_key);
			const char *want_s = str(c, forms[f].signed_key);
			uint8_t priv[32], from[20];
			char err[256] = "";
			tx t, d;
			if (!want_u || !want_s || !*want_u || !*want_s)
				continue;
			g.cases++;
			if (hex_decode(priv, 32, str(c, "privateKey")) < 0 ||
			    ethers_tx(&t, err, sizeof(err), json_object_get(c, "transaction"), forms[f].type, forms[f].chain) < 0) {
				group_fail(&g, name, "cannot build the transaction: %s", err);
				continue;
			}
			buf u = BUF_INIT, s = BUF_INIT;
			tx_encode_unsigned(&u, &t);
			char *uh = hex_encode_alloc(u.p, u.len);
			if (strcmp(uh, want_u)) {
				group_fail(&g, name, "unsigned %s", uh);
			} else if (secp_address_from_priv(from, priv) < 0 || tx_sign(&t, &s, priv, from) < 0) {
				group_fail(&g, name, "cannot sign");
			} else {
				char *sh = hex_encode_alloc(s.p, s.len);
				if (strcmp(sh, want_s))
					group_fail(&g, name, "signed %s", sh);
				else if (tx_decode(&d, err, sizeof(err), s.p, s.len) < 0)
					group_fail(&g, name, "decode refused: %s", err);
				else {
					if (memcmp(d.from, t.from, 20) || memcmp(d.hash, t.hash, 32))
						group_fail(&g, name, "decoded sender or hash differs");
					tx_free(&d);
				}
				free(sh);
			}
			free(uh);
			buf_free(&u);
			buf_free(&s);
			tx_free(&t);
		}
		group_end(&g);
	}
	json_decref(v);
}

static void test_accounts(void)
{
	json_t *v = vector_json("ethers/accounts.json.gz");
	group g = {"ethers accounts.json: address and EIP-55 checksum", 0, 0};
	size_t i;
	json_t *c;
	json_array_foreach(v, i, c) {
		uint8_t priv[32], a[20], parsed[20];
		char s[ADDR_STR];
		const char *want = str(c, "address"), *why;
		g.cases++;
		if (hex_decode(priv, 32, str(c, "privateKey")) < 0 || secp_address_from_priv(a, priv) < 0) {
			group_fail(&g, str(c, "name"), "bad key");
			continue;
		}
		addr_to_str(s, a);
		if (strcmp(s, want))
			group_fail(&g, str(c, "name"), "got %s", s);
		else if (addr_parse(parsed, want, &why) < 0 || memcmp(parsed, a, 20))
			group_fail(&g, str(c, "name"), "parse: %s", why);
	}
	group_end(&g);
	json_decref(v);
}

static void test_addr_parse(void)
{
	uint8_t a[20];
	const char *why = "";
	ok(addr_parse(a, "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf", &why) == 0, "lowercase address accepted");
	ok(addr_parse(a, "0x7E5F4552091A69125D5DFCB7B8C2659029395BDF", &why) == 0, "uppercase address accepted");
	ok(addr_parse(a, "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf", &why) == 0, "right checksum accepted");
	ok(addr_parse(a, "0x7E5F4552091A69125d5DfCb7b8C2659029395BdF", &why) < 0 &&
	   strstr(why, "checksum"), "wrong checksum in mixed case refused");
	ok(addr_parse(a, "0x7e5f4552091a69125d5dfcb7b8c2659029395b", &why) < 0, "short address refused");
	ok(addr_parse(a, "0x7e5f4552091a69125d5dfcb7b8c2659029395bdg", &why) < 0, "non-hex address refused");
}

static void test_forgery(void)
{
	uint8_t priv[32], *raw;
	size_t n;
	tx t, d;
	char err[256];
	memset(priv, 0x11, 32);
	json_t *j = json_pack("{s:i,s:i,s:s,s:s,s:i,s:s}", "chain_id", 161, "nonce", 0, "to",
			      "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf", "value", "1000", "gas", 21000,
			      "gas_price", "1");
	uint8_t from[20];
	buf b = BUF_INIT;
	ok(tx_from_json(&t, err, sizeof(err), j) == 0 && secp_address_from_priv(from, priv) == 0 &&
	   tx_sign(&t, &b, priv, from) == 0, "sign a legacy EIP-155 tx");
	raw = b.p;
	n = b.len;
	/* Flip a bit of the value: decodes, but to another sender. */
	buf c = BUF_INIT;
	buf_add(&c, raw, n);
	c.p[n - 70] ^= 1;
	int r = tx_decode(&d, err, sizeof(err), c.p, c.len);
	ok(r < 0 || memcmp(d.from, t.from, 20), "a tampered tx does not recover the signer");
	if (r == 0)
		tx_free(&d);
	/* High s (n - s) is refused even though it verifies. */
	tx hs = t;
	static const uint8_t nn[32] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				       0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48,
				       0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
	int borrow = 0;
	for (int i = 31; i >= 0; i--) {
		int x = nn[i] - t.s[i] - borrow;
		borrow = x < 0;
		hs.s[i] = (uint8_t)(x + (borrow ? 256 : 0));
	}
	buf h = BUF_INIT;
	tx_encode(&h, &hs);
	ok(tx_decode(&d, err, sizeof(err), h.p, h.len) < 0 && strstr(err, "s > n/2"),
	   "high-s signature refused (%s)", err);
	ok(tx_decode(&d, err, sizeof(err), raw, n - 1) < 0, "truncated tx refused (%s)", err);
	buf_free(&b);
	buf_free(&c);
	buf_free(&h);
	tx_free(&t);
	json_decref(j);

	json_t *big = json_pack("{s:i,s:s}", "chain_id", 1, "value",
				"115792089237316195423570985008687907853269984665640564039457584007913129639936");
	ok(tx_from_json(&t, err, sizeof(err), big) < 0 && strstr(err, "2^256"), "value 2^256 refused (%s)", err);
	json_decref(big);
	json_t *typo = json_pack("{s:i,s:s}", "chain_id", 1, "gasprice", "1");
	ok(tx_from_json(&t, err, sizeof(err), typo) < 0 && strstr(err, "gasprice"), "unknown field refused (%s)", err);
	json_decref(typo);
}

int main(void)
{
	test_transaction_tests();
	test_ethers_transactions();
	test_accounts();
	test_addr_parse();
	test_forgery();
	return unit_done();
}
