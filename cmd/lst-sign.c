/*
 * lst-sign: keys, signatures and sealing (see lst-sign(1)).
 *
 * Each verb parses its options, calls lib/ and prints JSON on stdout; the
 * verbs are a table, as in git.c.
 */
#include "lst.h"
#include "addr.h"
#include "amount.h"
#include "book.h"
#include "buf.h"
#include "diag.h"
#include "hex.h"
#include "home.h"
#include "jsonio.h"
#include "keyring.h"
#include "keystore.h"
#include "market.h"
#include "msg.h"
#include "opt.h"
#include "pass.h"
#include "seal.h"
#include "secp.h"
#include "tx.h"
#include "txjson.h"
#include "verbs.h"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

static const char *opt_home, *opt_passfile;

#define COMMON_OPTS                                                                  \
	OPT_STRING(0, "home", &opt_home, "DIR", "state directory (default $LST_HOME)"), \
	OPT_STRING(0, "passphrase-file", &opt_passfile, "FILE", "read the key passphrase from FILE")

static int parse(int argc, char **argv, const struct opt *opts, const char *const *usage)
{
	int n = opt_parse(argc, argv, opts, usage);
	if (opt_home)
		home_set(opt_home);
	if (opt_passfile)
		pass_set_file(opt_passfile);
	return n;
}

static int print(json_t *j)
{
	if (jsonio_print(j) < 0)
		return diag_error(LST_EFAIL, "cannot write standard output");
	return 0;
}

static json_t *entry_json(const key_entry *e)
{
	return jsonio_obj("address", json_string(e->address_str),
			  "name", e->name[0] ? jsonio_str(e->name) : json_null(),
			  "public_key", jsonio_hex(e->public_key, 65),
			  "encrypted", json_boolean(e->encrypted), NULL);
}

/* A new key's passphrase, or none with --insecure-plaintext-key. */
static int new_passphrase(passphrase *p, bool plaintext)
{
	p->p = NULL;
	p->len = 0;
	if (plaintext)
		return 0;
	if (pass_get(p, "New passphrase: ", true) < 0)
		return -1;
	if (p->len == 0) {
		pass_free(p);
		diag_error(LST_EUSAGE, "empty passphrase");
		diag_hint("choose one, or pass --insecure-plaintext-key to store the key unencrypted");
		return -1;
	}
	return 0;
}

static int store_key(const uint8_t priv[32], const char *name, bool plaintext)
{
	passphrase p;
	key_entry e;
	if (name && !keyring_name_valid(name))
		return diag_error(LST_EUSAGE, "invalid key name '%s' (letters, digits, '_', '.', '-'; not an address)", name);
	if (new_passphrase(&p, plaintext) < 0)
		return -1;
	int r = keyring_add(&e, priv, name, plaintext ? NULL : &p);
	pass_free(&p);
	if (r < 0)
		return -1;
	r = print(entry_json(&e));
	keyring_entry_free(&e);
	return r;
}

static int cmd_keygen(int argc, char **argv)
{
	const char *name = NULL;
	bool plaintext = false;
	static const char *const usage[] = {"lst-sign keygen [--name NAME] [--insecure-plaintext-key]", NULL};
	const struct opt opts[] = {
		OPT_STRING('n', "name", &name, "NAME", "a name for the key"),
		OPT_BOOL(0, "insecure-plaintext-key", &plaintext, "store the key unencrypted (tests, CI)"),
		COMMON_OPTS, OPT_END(),
	};
	if (parse(argc, argv, opts, usage) != 0)
		opt_usage_die(opts, usage, "keygen takes no operands");
	secret_key k;
	if (secret_alloc(&k) < 0)
		return -1;
	secp_keygen(k.priv);
	int r = store_key(k.priv, name, plaintext);
	secret_free(&k);
	return r;
}

static int cmd_list(int argc, char **argv)
{
	static const char *const usage[] = {"lst-sign list", NULL};
	const struct opt opts[] = {COMMON_OPTS, OPT_END()};
	if (parse(argc, argv, opts, usage) != 0)
		opt_usage_die(opts, usage, "list takes no operands");
	key_entry *list;
	size_t n;
	int r = keyring_list(&list, &n);
	char *def = config_get("key");
	uint8_t da[20];
	const char *why;
	bool has_def = def && addr_parse(da, def, &why) == 0;
	for (size_t i = 0; i < n; i++) {
		json_t *j = entry_json(&list[i]);
		bool is_def = has_def ? !memcmp(da, list[i].address, 20) : (!def && n == 1);
		json_object_set_new(j, "default", json_boolean(is_def));
		if (print(j) < 0)
			r = -1;
	}
	free(def);
	keyring_free_list(list, n);
	return r;
}

static int cmd_address(int argc, char **argv)
{
	static const char *const usage[] = {"lst-sign address [NAME|ADDRESS]", NULL};
	const struct opt opts[] = {COMMON_OPTS, OPT_END()};
	int n = parse(argc, argv, opts, usage);
	if (n > 1)
		opt_usage_die(opts, usage, "address takes at most one key");
	key_entry e;
	if (keyring_find(&e, n ? argv[0] : NULL) < 0)
		return -1;
	int r = print(entry_json(&e));
	keyring_entry_free(&e);
	return r;
}

static int read_stdin(buf *b, const char *what, size_t max)
{
	if (buf_read_fd(b, 0, max) < 0)
		return diag_error(LST_EFAIL, "cannot read %s from standard input: %s", what, strerror(errno));
	return 0;
}

static int cmd_import(int argc, char **argv)
{
	const char *name = NULL, *keystore = NULL, *kspass = NULL;
	bool plaintext = false;
	static const char *const usage[] = {
		"lst-sign import [--name NAME] [--insecure-plaintext-key] < HEX-PRIVATE-KEY",
		"lst-sign import --keystore FILE [--keystore-passphrase-file F] [--name NAME]", NULL};
	const struct opt opts[] = {
		OPT_STRING('n', "name", &name, "NAME", "a name for the key"),
		OPT_STRING(0, "keystore", &keystore, "FILE", "import an Ethereum keystore v3 file"),
		OPT_STRING(0, "keystore-passphrase-file", &kspass, "FILE",
			   "the keystore's password (default: the key passphrase)"),
		OPT_BOOL(0, "insecure-plaintext-key", &plaintext, "store the key unencrypted (tests, CI)"),
		COMMON_OPTS, OPT_END(),
	};
	if (parse(argc, argv, opts, usage) != 0)
		opt_usage_die(opts, usage, "import takes no operands");
	secret_key k;
	buf b = BUF_INIT;
	int r = -1;
	if (secret_alloc(&k) < 0)
		return -1;
	if (keystore) {
		passphrase p;
		if (buf_read_file(&b, keystore, 1 << 20) < 0) {
			diag_error(errno == ENOENT ? LST_ENOTFOUND : LST_EFAIL, "cannot read keystore '%s': %s",
				   keystore, strerror(errno));
			goto out;
		}
		if ((kspass ? pass_from_file(&p, kspass) : pass_get(&p, "Keystore password: ", false)) < 0)
			goto out;
		r = keystore_decrypt(k.priv, (const char *)b.p, b.len, p.p, p.len);
		pass_free(&p);
		if (r < 0)
			goto out;
	} else {
		if (read_stdin(&b, "a private key", 4096) < 0)
			goto out;
		char *hex = hex_trim((char *)(b.p ? b.p : (uint8_t *)""));
		if (hex_decode(k.priv, 32, hex) < 0) {
			diag_error(LST_EINVALID, "standard input is not a private key (expected 32 bytes of hex)");
			goto out;
		}
	}
	r = store_key(k.priv, name, plaintext);
out:
	if (b.p)
		sodium_memzero(b.p, b.cap);
	buf_free(&b);
	secret_free(&k);
	return r;
}

static int cmd_export(int argc, char **argv)
{
	bool as_keystore = false, as_hex = false;
	const char *kspass = NULL;
	static const char *const usage[] = {
		"lst-sign export --keystore [--keystore-passphrase-file F] [NAME|ADDRESS]",
		"lst-sign export --hex [NAME|ADDRESS]", NULL};
	const struct opt opts[] = {
		OPT_BOOL(0, "keystore", &as_keystore, "write an Ethereum keystore v3 (scrypt) that ethers opens"),
		OPT_STRING(0, "keystore-passphrase-file", &kspass, "FILE",
			   "password for the keystore (default: the key passphrase)"),
		OPT_BOOL(0, "hex", &as_hex, "print the private key as hex"),
		COMMON_OPTS, OPT_END(),
	};
	int n = parse(argc, argv, opts, usage);
	if (n > 1)
		opt_usage_die(opts, usage, "export takes at most one key");
	if (as_keystore == as_hex)
		opt_usage_die(opts, usage, "choose one of --keystore and --hex");
	key_entry e;
	secret_key k;
	passphrase p = {NULL, 0}, ksp = {NULL, 0};
	int r = -1;
	if (keyring_find(&e, n ? argv[0] : NULL) < 0)
		return -1;
	if (e.encrypted) {
		char prompt[128];
		snprintf(prompt, sizeof(prompt), "Passphrase for %s: ", e.address_str);
		if (pass_get(&p, prompt, false) < 0)
			goto out_entry;
	}
	if (keyring_unlock(&k, &e, &p) < 0)
		goto out_pass;
	if (as_hex) {
		char hex[67];
		hex_encode(hex, k.priv, 32);
		r = print(jsonio_obj("address", json_string(e.address_str), "private_key", json_string(hex), NULL));
		sodium_memzero(hex, sizeof(hex));
	} else {
		const passphrase *use = &p;
		if (kspass) {
			if (pass_from_file(&ksp, kspass) < 0)
				goto out_key;
			use = &ksp;
		} else if (!e.encrypted) {
			diag_error(LST_EUSAGE, "a plaintext key has no passphrase to protect the keystore with");
			diag_hint("pass --keystore-passphrase-file FILE");
			goto out_key;
		}
		char *json;
		keystore_params params = KEYSTORE_PARAMS_DEFAULT;
		if (keystore_encrypt(&json, k.priv, use->p, use->len, &params) == 0) {
			r = puts(json) == EOF ? diag_error(LST_EFAIL, "cannot write standard output") : 0;
			free(json);
		}
	}
out_key:
	secret_free(&k);
out_pass:
	pass_free(&p);
	pass_free(&ksp);
out_entry:
	keyring_entry_free(&e);
	return r;
}

static int cmd_rm(int argc, char **argv)
{
	static const char *const usage[] = {"lst-sign rm NAME|ADDRESS", NULL};
	const struct opt opts[] = {COMMON_OPTS, OPT_END()};
	if (parse(argc, argv, opts, usage) != 1)
		opt_usage_die(opts, usage, "rm takes exactly one key (no default, on purpose)");
	key_entry e;
	if (keyring_find(&e, argv[0]) < 0)
		return -1;
	int r = keyring_remove(&e);
	if (r == 0)
		r = print(jsonio_obj("address", json_string(e.address_str), "removed", json_true(), NULL));
	keyring_entry_free(&e);
	return r;
}

/* Signs one tx JSON object; prints {"raw","hash","from"}. */
static int sign_one(json_t *j, const key_entry *e, const secret_key *k, const char *where)
{
	tx t;
	char err[256];
	const char *from = jsonio_get_str(j, "from"), *why;
	uint8_t fa[20];
	if (tx_from_json(&t, err, sizeof(err), j) < 0)
		return diag_error(LST_EINVALID, "%s: %s", where, err);
	int r = -1;
	if (from && (addr_parse(fa, from, &why) < 0 || memcmp(fa, e->address, 20)))
		diag_error(LST_EINVALID, "%s: 'from' is '%s' but the key is '%s'", where, from, e->address_str);
	else if (!t.has_chain_id || (!json_object_get(j, "chain_id") && !json_object_get(j, "chainId")))
		diag_error(LST_EINVALID, "%s: 'chain_id' is required (unprotected transactions are not signed)", where);
	else {
		buf b = BUF_INIT;
		if (tx_sign(&t, &b, k->priv, e->address) < 0) {
			tx_free(&t);
			buf_free(&b);
			return diag_error(LST_EFAIL, "%s: signing failed", where);
		}
		char hash[67], from_s[ADDR_STR];
		hex_encode(hash, t.hash, 32);
		addr_to_str(from_s, t.from);
		char *raw = hex_encode_alloc(b.p, b.len);
		r = printf("{\"raw\":\"%s\",\"hash\":\"%s\",\"from\":\"%s\"}\n", raw, hash, from_s) < 0
			    ? diag_error(LST_EFAIL, "cannot write standard output") : 0;
		free(raw);
		buf_free(&b);
	}
	tx_free(&t);
	return r;
}

static int cmd_sign(int argc, char **argv)
{
	const char *from = NULL;
	bool batch = false;
	static const char *const usage[] = {"lst-sign sign [--from KEY] < TX-JSON",
					    "lst-sign sign --batch [--from KEY] < TX-JSON-LINES", NULL};
	const struct opt opts[] = {
		OPT_STRING('f', "from", &from, "KEY", "the signing key (name or address)"),
		OPT_BOOL(0, "batch", &batch, "sign one JSON object per line"),
		COMMON_OPTS, OPT_END(),
	};
	if (parse(argc, argv, opts, usage) != 0)
		opt_usage_die(opts, usage, "sign takes no operands (the transaction comes on stdin)");
	json_t *single = NULL;
	if (!batch) {
		single = jsonio_read_stdin("transaction");
		if (!single)
			return -1;
		if (!from && json_is_object(single))
			from = jsonio_get_str(single, "from");
	}
	key_entry e;
	secret_key k;
	int r = -1;
	if (keyring_find(&e, from) < 0)
		goto out;
	if (keyring_unlock_ask(&k, &e) < 0)
		goto out_entry;
	if (!batch) {
		r = sign_one(single, &e, &k, "transaction");
	} else {
		buf line = BUF_INIT;
		size_t lineno = 0;
		r = 0;
		while (r == 0 && buf_getline(&line, stdin)) {
			char where[64];
			lineno++;
			if (line.len == 0)
				continue;
			snprintf(where, sizeof(where), "line %zu", lineno);
			json_t *j = jsonio_parse((const char *)line.p, line.len, where);
			r = j ? sign_one(j, &e, &k, where) : -1;
			json_decref(j);
		}
		buf_free(&line);
	}
	secret_free(&k);
out_entry:
	keyring_entry_free(&e);
out:
	json_decref(single);
	return r;
}

/* Decimal or 0x-hex, as everywhere else (never octal). */
static int parse_u64(uint64_t *out, const char *s)
{
	u256 v;
	if (u256_from_str(&v, s) < 0 || !u256_fits_u64(&v))
		return -1;
	*out = v.w[0];
	return 0;
}

static int cmd_decode(int argc, char **argv)
{
	const char *chain = NULL;
	static const char *const usage[] = {"lst-sign decode [--chain-id N] < RAW-TX-HEX", NULL};
	const struct opt opts[] = {
		OPT_STRING(0, "chain-id", &chain, "N", "also refuse a transaction for another chain"),
		COMMON_OPTS, OPT_END(),
	};
	if (parse(argc, argv, opts, usage) != 0)
		opt_usage_die(opts, usage, "decode takes no operands (the raw tx comes on stdin)");
	uint64_t chain_id = 0;
	if (chain && (parse_u64(&chain_id, chain) < 0 || chain_id == 0))
		opt_usage_die(opts, usage, "--chain-id takes a positive integer, not '%s'", chain);
	buf b = BUF_INIT;
	if (read_stdin(&b, "a raw transaction", 1 << 24) < 0)
		return -1;
	char *hex = hex_trim((char *)(b.p ? b.p : (uint8_t *)""));
	uint8_t *raw;
	size_t n;
	tx t;
	char err[256];
	int r = -1;
	if (!*hex)
		diag_error(LST_EINVALID, "no raw transaction on standard input");
	else if (hex_decode_alloc(&raw, &n, hex) < 0)
		diag_error(LST_EINVALID, "the raw transaction is not hex");
	else {
		if (tx_decode(&t, err, sizeof(err), raw, n) < 0)
			diag_error(LST_EINVALID, "invalid transaction: %s", err);
		else {
			if (tx_validate(err, sizeof(err), &t) < 0 ||
			    (chain && tx_check_chain(err, sizeof(err), &t, chain_id) < 0))
				diag_error(LST_EINVALID, "invalid transaction: %s", err);
			else
				r = print(tx_to_json(&t));
			tx_free(&t);
		}
		free(raw);
	}
	buf_free(&b);
	return r;
}

/* The message: the operand, or all of stdin. */
static int message(buf *b, int n, char **argv)
{
	if (n == 1) {
		buf_adds(b, argv[0]);
		return 0;
	}
	return read_stdin(b, "the message", 64u << 20);
}

static int cmd_sign_message(int argc, char **argv)
{
	const char *from = NULL;
	static const char *const usage[] = {"lst-sign sign-message [--from KEY] [MESSAGE]  (else stdin)", NULL};
	const struct opt opts[] = {
		OPT_STRING('f', "from", &from, "KEY", "the signing key (name or address)"),
		COMMON_OPTS, OPT_END(),
	};
	int n = parse(argc, argv, opts, usage);
	if (n > 1)
		opt_usage_die(opts, usage, "sign-message takes one message (quote it)");
	buf m = BUF_INIT;
	key_entry e;
	secret_key k;
	uint8_t digest[32], sig[65];
	int r = -1;
	if (message(&m, n, argv) < 0)
		return -1;
	if (keyring_find(&e, from) < 0)
		goto out;
	if (keyring_unlock_ask(&k, &e) == 0) {
		msg_hash(digest, m.p, m.len);
		if (msg_sign(sig, k.priv, digest) < 0)
			diag_error(LST_EFAIL, "signing failed");
		else
			r = print(jsonio_obj("address", json_string(e.address_str),
					     "message_hash", jsonio_hex(digest, 32),
					     "signature", jsonio_hex(sig, 65), NULL));
		secret_free(&k);
	}
	keyring_entry_free(&e);
out:
	buf_free(&m);
	return r;
}

static int parse_sig(uint8_t sig[65], const char *s)
{
	if (!s || hex_decode(sig, 65, s) < 0)
		return diag_error(LST_EINVALID, "the signature must be 65 bytes of hex (r, s, v)");
	return 0;
}

/* Recovers the signer of sig over digest into pub/addr. */
static int recover(uint8_t pub[65], uint8_t addr[20], const uint8_t sig[65], const uint8_t digest[32])
{
	if (msg_recover(pub, sig, digest) < 0)
		return diag_error(LST_EINVALID, "malformed signature (bad v, r or s, or s > n/2)");
	secp_address_from_pub(addr, pub);
	return 0;
}

static int cmd_verify_message(int argc, char **argv)
{
	const char *address = NULL, *signature = NULL, *why;
	static const char *const usage[] = {
		"lst-sign verify-message --address ADDRESS --signature SIG [MESSAGE]  (else stdin)", NULL};
	const struct opt opts[] = {
		OPT_STRING('a', "address", &address, "ADDRESS", "the claimed signer"),
		OPT_STRING('s', "signature", &signature, "SIG", "65-byte signature, 0x-hex"),
		COMMON_OPTS, OPT_END(),
	};
	int n = parse(argc, argv, opts, usage);
	if (n > 1 || !address || !signature)
		opt_usage_die(opts, usage, "verify-message needs --address, --signature and one message");
	uint8_t want[20], got[20], pub[65], sig[65], digest[32];
	if (addr_parse(want, address, &why) < 0)
		return diag_error(LST_EINVALID, "'%s' is not a valid address: %s", address, why);
	if (parse_sig(sig, signature) < 0)
		return -1;
	buf m = BUF_INIT;
	if (message(&m, n, argv) < 0)
		return -1;
	msg_hash(digest, m.p, m.len);
	buf_free(&m);
	if (recover(pub, got, sig, digest) < 0)
		return -1;
	char got_s[ADDR_STR], want_s[ADDR_STR];
	addr_to_str(got_s, got);
	addr_to_str(want_s, want);
	bool valid = sodium_memcmp(got, want, 20) == 0;
	if (print(jsonio_obj("valid", json_boolean(valid), "address", json_string(want_s),
			     "recovered", json_string(got_s), NULL)) < 0)
		return -1;
	if (!valid)
		return diag_error(LST_EREFUSED, "bad signature: signed by '%s', not '%s'", got_s, want_s);
	return 0;
}

static int cmd_recover(int argc, char **argv)
{
	const char *signature = NULL, *hash = NULL;
	static const char *const usage[] = {"lst-sign recover --signature SIG [MESSAGE]  (else stdin)",
					    "lst-sign recover --signature SIG --hash DIGEST", NULL};
	const struct opt opts[] = {
		OPT_STRING('s', "signature", &signature, "SIG", "65-byte signature, 0x-hex"),
		OPT_STRING(0, "hash", &hash, "DIGEST", "a 32-byte digest signed as is (no EIP-191 prefix)"),
		COMMON_OPTS, OPT_END(),
	};
	int n = parse(argc, argv, opts, usage);
	if (!signature || n > 1 || (hash && n))
		opt_usage_die(opts, usage, "recover needs --signature and a message or --hash");
	uint8_t sig[65], digest[32], pub[65], addr[20];
	if (parse_sig(sig, signature) < 0)
		return -1;
	if (hash) {
		if (hex_decode(digest, 32, hash) < 0)
			return diag_error(LST_EINVALID, "--hash must be 32 bytes of hex");
	} else {
		buf m = BUF_INIT;
		if (message(&m, n, argv) < 0)
			return -1;
		msg_hash(digest, m.p, m.len);
		buf_free(&m);
	}
	if (recover(pub, addr, sig, digest) < 0)
		return -1;
	char a[ADDR_STR];
	addr_to_str(a, addr);
	return print(jsonio_obj("address", json_string(a), "public_key", jsonio_hex(pub, 65), NULL));
}

/* Reads stdin as bytes, or as hex text with --hex. */
static int read_input(buf *b, bool hex, const char *what)
{
	if (read_stdin(b, what, 64u << 20) < 0)
		return -1;
	if (!hex)
		return 0;
	uint8_t *p;
	size_t n;
	if (hex_decode_alloc(&p, &n, hex_trim((char *)(b->p ? b->p : (uint8_t *)""))) < 0)
		return diag_error(LST_EINVALID, "%s on standard input is not hex", what);
	sodium_memzero(b->p, b->len);
	buf_reset(b);
	buf_add(b, p, n);
	sodium_memzero(p, n);
	free(p);
	return 0;
}

static int write_output(const uint8_t *p, size_t n, bool hex)
{
	if (hex) {
		char *s = hex_encode_alloc(p, n);
		int r = puts(s);
		free(s);
		return r == EOF ? diag_error(LST_EFAIL, "cannot write standard output") : 0;
	}
	if (fwrite(p, 1, n, stdout) != n)
		return diag_error(LST_EFAIL, "cannot write standard output");
	return 0;
}

static int cmd_seal(int argc, char **argv)
{
	const char *to = NULL;
	bool hex = false;
	static const char *const usage[] = {"lst-sign seal --to PUBLIC-KEY|KEY [--hex] < PLAINTEXT", NULL};
	const struct opt opts[] = {
		OPT_STRING('t', "to", &to, "PUBKEY", "recipient: 33/65-byte public key hex, or a local key"),
		OPT_BOOL(0, "hex", &hex, "read and write hex text instead of bytes"),
		COMMON_OPTS, OPT_END(),
	};
	if (parse(argc, argv, opts, usage) != 0 || !to)
		opt_usage_die(opts, usage, "seal needs --to and no operands");
	uint8_t pub[65], raw[65];
	size_t rn = (strlen(to) - (to[0] == '0' && to[1] == 'x' ? 2 : 0)) / 2;
	if ((rn == 33 || rn == 65) && hex_decode(raw, rn, to) == 0) {
		if (secp_pubkey_parse(pub, raw, rn) < 0)
			return diag_error(LST_EINVALID, "'%s' is not a secp256k1 public key", to);
	} else {
		key_entry e;
		if (keyring_find(&e, to) < 0)
			return -1;
		memcpy(pub, e.public_key, 65);
		keyring_entry_free(&e);
	}
	buf in = BUF_INIT;
	if (read_input(&in, hex, "the plaintext") < 0)
		return -1;
	uint8_t *out = xmalloc(in.len + SEAL_OVERHEAD);
	int r = seal_to(out, pub, in.p ? in.p : (const uint8_t *)"", in.len) < 0
		    ? diag_error(LST_EFAIL, "sealing failed") : write_output(out, in.len + SEAL_OVERHEAD, hex);
	if (in.p)
		sodium_memzero(in.p, in.len);
	buf_free(&in);
	free(out);
	return r;
}

static int cmd_open(int argc, char **argv)
{
	const char *with = NULL;
	bool hex = false;
	static const char *const usage[] = {"lst-sign open [--with KEY] [--hex] < SEALED", NULL};
	const struct opt opts[] = {
		OPT_STRING('w', "with", &with, "KEY", "the recipient key (name or address)"),
		OPT_BOOL(0, "hex", &hex, "read and write hex text instead of bytes"),
		COMMON_OPTS, OPT_END(),
	};
	if (parse(argc, argv, opts, usage) != 0)
		opt_usage_die(opts, usage, "open takes no operands (the sealed bytes come on stdin)");
	key_entry e;
	secret_key k;
	buf in = BUF_INIT;
	int r = -1;
	if (read_input(&in, hex, "the sealed bytes") < 0)
		return -1;
	if (in.len < SEAL_OVERHEAD) {
		buf_free(&in);
		return diag_error(LST_EINVALID, "standard input is too short to be sealed (%zu bytes)", in.len);
	}
	if (keyring_find(&e, with) < 0)
		goto out;
	if (keyring_unlock_ask(&k, &e) == 0) {
		size_t n = in.len - SEAL_OVERHEAD;
		uint8_t *out = sodium_malloc(n + 1);
		if (seal_open(out, k.priv, in.p, in.len) < 0)
			diag_error(LST_EREFUSED, "cannot open: not sealed to '%s', or altered", e.address_str);
		else
			r = write_output(out, n, hex);
		sodium_free(out);
		secret_free(&k);
	}
	keyring_entry_free(&e);
out:
	buf_free(&in);
	return r;
}

/* ---- cosign: the foundation's co-signature of a book's publishing terms ---- */

/* The terms document: FILE ("-": stdin) or stdin. NULL (reported). */
static json_t *read_terms(int n, char **argv)
{
	buf b = BUF_INIT;
	const char *src = n && strcmp(argv[0], "-") ? argv[0] : NULL;
	if (src) {
		if (buf_read_file(&b, src, 1 << 20) < 0) {
			diag_error(errno == ENOENT ? LST_ENOTFOUND : LST_EFAIL, "cannot read terms '%s': %s", src,
				   strerror(errno));
			buf_free(&b);
			return NULL;
		}
	} else if (read_stdin(&b, "the terms", 1 << 20) < 0) {
		buf_free(&b);
		return NULL;
	}
	json_t *j = jsonio_parse(b.p ? (const char *)b.p : "", b.len, src ? src : "standard input");
	buf_free(&b);
	return j;
}

/* --complete: fill in chain_id (from --chain-id), market, book and terms_hash. */
static int cosign_complete(json_t *j, const char *chain)
{
	uint64_t id = 0;
	if (!json_is_object(j))
		return diag_error(LST_EINVALID, "the terms are not a JSON object");
	json_t *have = json_object_get(j, "chain_id");
	if (chain) {
		if (parse_u64(&id, chain) < 0 || id == 0 || id > (uint64_t)INT64_MAX)
			return diag_error(LST_EUSAGE, "--chain-id takes a positive integer, not '%s'", chain);
		if (have && (!json_is_integer(have) || (uint64_t)json_integer_value(have) != id))
			return diag_error(LST_EINVALID, "terms field 'chain_id' is not --chain-id %s", chain);
		json_object_set_new(j, "chain_id", json_integer((json_int_t)id));
	} else if (!have) {
		diag_error(LST_EUSAGE, "terms field 'chain_id' is missing and no --chain-id was given");
		diag_hint("pass --chain-id N: the chain's id, as 'lst-chain status' shows it");
		return -1;
	}
	if (!json_object_get(j, "market")) {
		char m[ADDR_STR];
		addr_to_str(m, MARKET_ADDRESS);
		json_object_set_new(j, "market", json_string(m));
	}
	book_terms t;
	if (book_terms_from_json(&t, j) < 0)
		return -1;
	int r = print(book_terms_json(&t));
	book_terms_free(&t);
	return r;
}

/*
 * s on the terminal with control characters (C0, DEL, C1) escaped, so a
 * title cannot move the cursor over what else is shown; at most max bytes.
 */
static void put_safe(const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	for (; p[i] && i < max; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f)
			fprintf(stderr, "\\x%02x", p[i]);
		else if (p[i] == 0xc2 && p[i + 1] >= 0x80 && p[i + 1] < 0xa0)
			fprintf(stderr, "\\u%04x", p[++i]);
		else
			fputc(p[i], stderr);
	}
	if (p[i])
		fputs("...", stderr);
	fputc('\n', stderr);
}

/* What is being signed, for the human at the terminal. */
static void cosign_summary(const book_terms *t, const key_entry *e)
{
	char author[ADDR_STR], book[67], hash[67], price[96], root[CID_STR_MAX];
	addr_to_str(author, t->author);
	book_id_str(book, t->book);
	hex_encode(hash, t->hash, 32);
	amount_format(price, sizeof(price), &t->price);
	cid_str(root, &t->root);
	fputs("Co-signing the publication of a book:\n  title:    ", stderr);
	put_safe(t->title, MARKET_TITLE_MAX);
	fprintf(stderr, "  author:   %s\n  price:    %s\n  root:     %s\n  label:    ", author, price, root);
	put_safe(t->label, MARKET_LABEL_MAX);
	fprintf(stderr, "  details:  (%zu bytes) ", strlen(t->details));
	put_safe(t->details, 160);
	fprintf(stderr, "  book:     %s\n  chain id: %llu\n  terms:    %s\n  signer:   %s\n", book,
		(unsigned long long)t->chain_id, hash, e->address_str);
}

/* Ask on the terminal: 0 yes, -1 (reported: 2 no terminal, 4 not confirmed). */
static int cosign_confirm(const book_terms *t)
{
	char book[67];
	book_id_str(book, t->book);
	int tty = isatty(2) ? open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC) : -1;
	if (tty < 0) {
		diag_error(LST_EUSAGE, "not co-signing the terms of book '%s' without a confirmation", book);
		diag_hint("pass --yes to sign without a terminal, after checking the terms");
		return -1;
	}
	static const char q[] = "Sign these terms? [y/N] ";
	char line[16] = "";
	ssize_t k = write(tty, q, sizeof(q) - 1) < 0 ? -1 : read(tty, line, sizeof(line) - 1);
	close(tty);
	if (k <= 0 || (line[0] != 'y' && line[0] != 'Y'))
		return diag_error(LST_EREFUSED, "not signed: the terms of book '%s' were not confirmed", book);
	return 0;
}

/* --check SIG: is sig the expected signer's over the terms? */
static int cosign_check(const book_terms *t, const char *signature, const char *address, const char *from)
{
	uint8_t sig[65], want[20], d[32], pub[65], got[20];
	char want_s[ADDR_STR], hash[67];
	const char *why;
	if (parse_sig(sig, signature) < 0)
		return -1;
	if (address) {
		if (addr_parse(want, address, &why) < 0)
			return diag_error(LST_EINVALID, "'%s' is not a valid address: %s", address, why);
	} else {
		key_entry e;
		if (keyring_find(&e, from) < 0)
			return -1;
		memcpy(want, e.address, 20);
		keyring_entry_free(&e);
	}
	addr_to_str(want_s, want);
	hex_encode(hash, t->hash, 32);
	bool valid = book_cosig_verify(sig, t, want) == 0;
	msg_hash(d, t->hash, 32);
	json_t *rec = json_null();
	if (msg_recover(pub, sig, d) == 0) {
		char a[ADDR_STR];
		secp_address_from_pub(got, pub);
		addr_to_str(a, got);
		rec = json_string(a);
	}
	if (print(jsonio_obj("valid", json_boolean(valid), "terms_hash", json_string(hash), "signer",
			     json_string(want_s), "recovered", rec, NULL)) < 0)
		return -1;
	if (!valid)
		return diag_error(LST_EREFUSED, "bad co-signature: not by '%s' over terms '%s'", want_s, hash);
	return 0;
}

static int cosign_sign(const book_terms *t, const char *from, bool yes)
{
	key_entry e;
	secret_key k;
	uint8_t sig[65];
	int r = -1;
	if (keyring_find(&e, from) < 0)
		return -1;
	if (isatty(2))
		cosign_summary(t, &e);
	if ((yes || cosign_confirm(t) == 0) && keyring_unlock_ask(&k, &e) == 0) {
		if (book_cosign(sig, k.priv, t) == 0) {
			char hash[67];
			hex_encode(hash, t->hash, 32);
			r = print(jsonio_obj("terms_hash", json_string(hash), "signature", jsonio_hex(sig, 65), "signer",
					     json_string(e.address_str), NULL));
		}
		secret_free(&k);
	}
	keyring_entry_free(&e);
	return r;
}

static int cmd_cosign(int argc, char **argv)
{
	const char *from = NULL, *check = NULL, *address = NULL, *chain = NULL;
	bool yes = false, complete = false;
	static const char *const usage[] = {
		"lst-sign cosign [--from KEY] [--yes] [TERMS-FILE]  (else stdin)",
		"lst-sign cosign --check SIG [--address ADDRESS | --from KEY] [TERMS-FILE]",
		"lst-sign cosign --complete [--chain-id N] [TERMS-FILE]", NULL};
	const struct opt opts[] = {
		OPT_STRING('f', "from", &from, "KEY", "the foundation's key (name or address); with --check, the signer"),
		OPT_BOOL('y', "yes", &yes, "sign without asking for a confirmation"),
		OPT_STRING(0, "check", &check, "SIG", "verify a co-signature instead (exit 4 when not valid)"),
		OPT_STRING(0, "address", &address, "ADDRESS", "with --check: the signer, when not a local key"),
		OPT_BOOL(0, "complete", &complete, "print the terms with book and terms_hash filled in, unsigned"),
		OPT_STRING(0, "chain-id", &chain, "N", "with --complete: the chain id, when the terms lack it"),
		COMMON_OPTS, OPT_END(),
	};
	int n = parse(argc, argv, opts, usage);
	if (n > 1)
		opt_usage_die(opts, usage, "cosign takes at most one terms file");
	if (complete && (check || yes || from || address))
		opt_usage_die(opts, usage, "--complete signs nothing: it takes no --check, --yes, --from or --address");
	if (chain && !complete)
		opt_usage_die(opts, usage, "--chain-id goes with --complete");
	if (address && !check)
		opt_usage_die(opts, usage, "--address goes with --check");
	if (address && from)
		opt_usage_die(opts, usage, "--check takes the signer from --address or --from, not both");
	json_t *j = read_terms(n, argv);
	if (!j)
		return -1;
	int r = -1;
	book_terms t;
	if (complete) {
		r = cosign_complete(j, chain);
	} else if (json_is_object(j) && !json_object_get(j, "book")) {
		diag_error(LST_EINVALID, "terms field '%s' is missing", "book");
		diag_hint("a co-signer signs complete terms; 'lst-sign cosign --complete' fills it in");
	} else if (json_is_object(j) && !json_object_get(j, "terms_hash")) {
		diag_error(LST_EINVALID, "terms field '%s' is missing", "terms_hash");
		diag_hint("a co-signer signs complete terms; 'lst-sign cosign --complete' fills it in");
	} else if (book_terms_from_json(&t, j) == 0) {
		r = check ? cosign_check(&t, check, address, from) : cosign_sign(&t, from, yes);
		book_terms_free(&t);
	}
	json_decref(j);
	return r;
}

static const struct verb verbs[] = {
	{"keygen", cmd_keygen, "make a new key"},
	{"list", cmd_list, "list the keys"},
	{"address", cmd_address, "show a key's address and public key"},
	{"import", cmd_import, "import a hex private key or a keystore v3 file"},
	{"export", cmd_export, "export a key as keystore v3 or hex"},
	{"rm", cmd_rm, "remove a key"},
	{"sign", cmd_sign, "sign a transaction (JSON in, raw tx out)"},
	{"decode", cmd_decode, "decode and check a raw transaction"},
	{"sign-message", cmd_sign_message, "sign a message (EIP-191 personal_sign)"},
	{"verify-message", cmd_verify_message, "check a message signature"},
	{"recover", cmd_recover, "recover the signer of a message or digest"},
	{"seal", cmd_seal, "encrypt bytes to a public key"},
	{"open", cmd_open, "decrypt bytes sealed to a local key"},
	{"cosign", cmd_cosign, "co-sign a book's publishing terms (the foundation)"},
};

int main(int argc, char **argv)
{
	diag_init("lst-sign");
	if (sodium_init() < 0)
		diag_die(LST_EFAIL, "cannot initialise libsodium");
	static const struct global_opt globals[] = {
		{"home", "DIR", &opt_home},
		{"passphrase-file", "FILE", &opt_passfile},
	};
	verbs_main("lst-sign", verbs, ARRAY_SIZE(verbs), globals, ARRAY_SIZE(globals), argc, argv);
}
