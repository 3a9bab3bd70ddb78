/* access.c: see access.h. */
#include "lst.h"
#include "access.h"
#include "abi.h"
#include "diag.h"
#include "hex.h"
#include "market.h"
#include "msg.h"
#include "rpcclient.h"
#include "secp.h"

#include <inttypes.h>
#include <sodium.h>

#include <pthread.h>

#define PROOF_TAG "lst-access-v1"
#define CAN_READ "canRead(address,bytes32)"
#define EXPIRES_DIGITS 20 /* UINT64_MAX */

void root_id(uint8_t out[32], const cid *root)
{
	sha256(out, root->bytes, root->len);
}

/* The text a proof signs (access.h); its length. */
static size_t proof_text(char *out, size_t cap, const uint8_t addr[20], const cid *root,
			 uint64_t expires)
{
	char a[43], r[CID_STR_MAX];
	hex_encode(a, addr, 20);
	cid_str(r, root);
	int n = snprintf(out, cap, PROOF_TAG "\naddress: %s\nroot: %s\nexpires: %llu\n", a, r,
			 (unsigned long long)expires);
	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

static size_t proof_digest(uint8_t digest[32], const access_proof *p)
{
	char text[ACCESS_STR_MAX];
	size_t n = proof_text(text, sizeof(text), p->addr, &p->root, p->expires);
	if (n)
		msg_hash(digest, (const uint8_t *)text, n);
	return n;
}

int access_proof_make(access_proof *p, const uint8_t priv[32], const cid *root, uint64_t expires)
{
	uint8_t digest[32];
	char r[CID_STR_MAX];
	memset(p, 0, sizeof(*p));
	p->root = *root;
	p->expires = expires;
	cid_str(r, root);
	if (secp_address_from_priv(p->addr, priv) < 0 || secp_pubkey(p->pub, priv) < 0)
		return diag_error(LST_EINVALID, "cannot sign an access proof for '%s': invalid key", r);
	if (!proof_digest(digest, p) || msg_sign(p->sig, priv, digest) < 0)
		return diag_error(LST_EFAIL, "cannot sign an access proof for '%s'", r);
	return 0;
}

void access_proof_str(char out[ACCESS_STR_MAX], const access_proof *p)
{
	char a[43], r[CID_STR_MAX], s[133];
	hex_encode(a, p->addr, 20);
	cid_str(r, &p->root);
	hex_encode(s, p->sig, 65);
	snprintf(out, ACCESS_STR_MAX, "%s.%s.%llu.%s", a, r, (unsigned long long)p->expires, s + 2);
}

/* A decimal without sign, leading zeros or overflow. */
static int parse_u64(uint64_t *out, const char *s, size_t len)
{
	uint64_t v = 0;
	if (!len || len > EXPIRES_DIGITS || (len > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

int access_proof_parse(access_proof *p, const char *s)
{
	const char *part[4], *end;
	size_t len[4], n = 0;
	char tmp[CID_STR_MAX], back[CID_STR_MAX];
	size_t total = strnlen(s, ACCESS_STR_MAX);

	memset(p, 0, sizeof(*p));
	if (total >= ACCESS_STR_MAX)
		return -1;
	for (const char *q = s;; q = end + 1) {
		end = strchr(q, '.');
		if (n == 4)
			return -1; /* a fifth part */
		part[n] = q;
		len[n++] = end ? (size_t)(end - q) : strlen(q);
		if (!end)
			break;
	}
	if (n != 4)
		return -1;
	/* address: 0x and 40 hex digits */
	if (len[0] != 42 || part[0][0] != '0' || part[0][1] != 'x')
		return -1;
	memcpy(tmp, part[0], 42);
	tmp[42] = 0;
	if (hex_decode(p->addr, 20, tmp) < 0)
		return -1;
	/* root: a CID in its own string form */
	if (!len[1] || len[1] >= sizeof(tmp))
		return -1;
	memcpy(tmp, part[1], len[1]);
	tmp[len[1]] = 0;
	if (cid_parse(&p->root, tmp) < 0)
		return -1;
	cid_str(back, &p->root);
	if (strcmp(back, tmp))
		return -1; /* another spelling of it: not what was signed */
	if (parse_u64(&p->expires, part[2], len[2]) < 0)
		return -1;
	/* signature: 130 hex digits, no prefix */
	if (len[3] != 130 || hex_decode(p->sig, 65, part[3]) < 0)
		return -1; /* with a 0x prefix, too few digits */
	return 0;
}

int access_proof_verify(access_proof *p, uint64_t now, const char **reason)
{
	uint8_t digest[32], pub[65], addr[20];
	if (now > p->expires) {
		*reason = "the access proof has expired";
		return -1;
	}
	if (p->expires - now > ACCESS_MAX_LIFETIME) {
		*reason = "the access proof expires too far in the future";
		return -1;
	}
	if (!proof_digest(digest, p) || msg_recover(pub, p->sig, digest) < 0) {
		*reason = "the access proof's signature is malformed";
		return -1;
	}
	secp_address_from_pub(addr, pub);
	if (memcmp(addr, p->addr, 20)) {
		*reason = "the access proof is not signed by its address";
		return -1;
	}
	memcpy(p->pub, pub, 65);
	return 0;
}

/* ---- asking the chain ---- */

int access_check(const char *rpc_url, const uint8_t addr[20], const cid *root)
{
	uint8_t id[32];
	buf cd = BUF_INIT;
	char to[43], msg[512], r[CID_STR_MAX], *data;
	json_t *res = NULL;
	abi_value args[2], out[1];
	size_t n;
	int code, answer = -1;

	cid_str(r, root);
	root_id(id, root);
	args[0] = abi_address(addr);
	args[1] = abi_fixed_bytes(id, 32);
	if (abi_encode_call(&cd, CAN_READ, args, 2) < 0) {
		buf_free(&cd);
		return diag_error(LST_EFAIL, "cannot encode the access check of '%s'", r);
	}
	hex_encode(to, MARKET_ADDRESS, 20);
	data = hex_encode_alloc(cd.p, cd.len);
	buf_free(&cd);
	json_t *call = json_pack("{s:s,s:s}", "to", to, "data", data);
	free(data);
	if (rpcc_call_at(&res, &code, msg, sizeof(msg), rpc_url, "eth_call",
			 json_pack("[o,s]", call, "latest")) < 0) {
		if (code == RPCC_E_TRANSPORT)
			return diag_error(LST_EUNAVAIL, "cannot ask the market about '%s': %s", r, msg);
		return diag_error(LST_EFAIL, "the market's answer about '%s' is an error: %s", r, msg);
	}
	const char *hex = json_string_value(res);
	uint8_t *bytes = NULL;
	size_t blen = 0;
	if (hex && hex[0] == '0' && hex[1] == 'x' && hex_decode_alloc(&bytes, &blen, hex) == 0 &&
	    blen == 32 && abi_decode(out, 1, &n, "bool", bytes, blen) == 0)
		answer = out[0].b ? 1 : 0;
	free(bytes);
	json_decref(res);
	if (answer < 0)
		return diag_error(LST_EFAIL, "the market's answer about '%s' is not a bool", r);
	return answer;
}

/* eth_call of the market's sig(args) whose answer is one 32-byte word. 0 or -1 (reported, as access_check). */
static int market_word(uint8_t word[32], const char *rpc_url, const char *sig, const abi_value *args, size_t n,
		       const cid *root)
{
	buf cd = BUF_INIT;
	char to[43], msg[512], r[CID_STR_MAX];
	json_t *res = NULL;
	int code;
	cid_str(r, root);
	if (abi_encode_call(&cd, sig, args, n) < 0) {
		buf_free(&cd);
		return diag_error(LST_EFAIL, "cannot encode the market's %s for '%s'", sig, r);
	}
	hex_encode(to, MARKET_ADDRESS, 20);
	char *data = hex_encode_alloc(cd.p, cd.len);
	buf_free(&cd);
	json_t *call = json_pack("{s:s,s:s}", "to", to, "data", data);
	free(data);
	if (rpcc_call_at(&res, &code, msg, sizeof(msg), rpc_url, "eth_call", json_pack("[o,s]", call, "latest")) < 0) {
		if (code == RPCC_E_TRANSPORT)
			return diag_error(LST_EUNAVAIL, "cannot ask the market about '%s': %s", r, msg);
		return diag_error(LST_EFAIL, "the market's answer about '%s' is an error: %s", r, msg);
	}
	const char *hex = json_string_value(res);
	int ok = hex && hex[0] == '0' && hex[1] == 'x' && strlen(hex) == 66 && hex_decode(word, 32, hex) == 0;
	json_decref(res);
	if (!ok)
		return diag_error(LST_EFAIL, "the market's answer to %s about '%s' is not one word", sig, r);
	return 0;
}

int access_check_key(const char *rpc_url, const uint8_t addr[20], const cid *root)
{
	static const uint8_t zero[32];
	uint8_t id[32], book[32], yes[32];
	root_id(id, root);
	abi_value a1[1] = {abi_fixed_bytes(id, 32)};
	if (market_word(book, rpc_url, "bookOf(bytes32)", a1, 1, root) < 0)
		return -1;
	if (!memcmp(book, zero, 32))
		return 0;
	abi_value a2[2] = {abi_fixed_bytes(book, 32), abi_address(addr)};
	if (market_word(yes, rpc_url, "hasAccess(bytes32,address)", a2, 2, root) < 0)
		return -1;
	if (memcmp(yes, zero, 31) || yes[31] > 1) {
		char r[CID_STR_MAX];
		cid_str(r, root);
		return diag_error(LST_EFAIL, "the market's answer about '%s' is not a bool", r);
	}
	return yes[31];
}

/*
 * The cache: ACCESS_CACHE_SIZE entries in buckets of WAYS, by the hash of
 * (url, address, root). An entry answers while at <= now < until.
 */
#define WAYS 4

typedef struct {
	uint8_t key[32];
	uint64_t at, until;
	bool used, yes;
} cache_entry;

static cache_entry cache[ACCESS_CACHE_SIZE];
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static void cache_key(uint8_t key[32], const char *url, const uint8_t addr[20], const cid *root)
{
	buf b = BUF_INIT;
	buf_add(&b, url, strlen(url) + 1);
	buf_add(&b, addr, 20);
	buf_add(&b, root->bytes, root->len);
	sha256(key, b.p, b.len);
	buf_free(&b);
}

static cache_entry *bucket(const uint8_t key[32])
{
	uint32_t h = (uint32_t)key[0] << 24 | (uint32_t)key[1] << 16 | (uint32_t)key[2] << 8 | key[3];
	return &cache[(h % (ACCESS_CACHE_SIZE / WAYS)) * WAYS];
}

/* 1 yes, 0 no, -1 not known. */
static int cache_get(const uint8_t key[32], uint64_t now)
{
	int r = -1;
	pthread_mutex_lock(&cache_lock);
	cache_entry *e = bucket(key);
	for (int i = 0; i < WAYS; i++)
		if (e[i].used && !memcmp(e[i].key, key, 32) && e[i].at <= now && now < e[i].until)
			r = e[i].yes;
	pthread_mutex_unlock(&cache_lock);
	return r;
}

static void cache_put(const uint8_t key[32], uint64_t now, bool yes)
{
	pthread_mutex_lock(&cache_lock);
	cache_entry *e = bucket(key), *victim = NULL;
	for (int i = 0; i < WAYS && !victim; i++)
		if (e[i].used && !memcmp(e[i].key, key, 32))
			victim = &e[i];
	for (int i = 0; i < WAYS && !victim; i++)
		if (!e[i].used)
			victim = &e[i];
	if (!victim) { /* a full bucket: the one that lapses first gives way */
		victim = e;
		for (int i = 1; i < WAYS; i++)
			if (e[i].until < victim->until)
				victim = &e[i];
	}
	memcpy(victim->key, key, 32);
	victim->at = now;
	victim->until = now + (yes ? ACCESS_CACHE_YES : ACCESS_CACHE_NO);
	victim->used = true;
	victim->yes = yes;
	pthread_mutex_unlock(&cache_lock);
}

int access_check_cached(const char *rpc_url, const uint8_t addr[20], const cid *root, uint64_t now)
{
	return access_check_salted(rpc_url, addr, root, 0, now);
}

int access_check_salted(const char *rpc_url, const uint8_t addr[20], const cid *root, uint64_t salt, uint64_t now)
{
	uint8_t key[32], nkey[32], s8[8];
	int r;
	cache_key(key, rpc_url, addr, root);
	/* A no is remembered per salt: a new proof (a reader who just bought) asks again. */
	for (int i = 0; i < 8; i++)
		s8[i] = (uint8_t)(salt >> (56 - 8 * i));
	crypto_generichash(nkey, 32, s8, 8, key, 32);
	if (cache_get(key, now) == 1)
		return 1;
	if (cache_get(nkey, now) == 0)
		return 0;
	if ((r = access_check(rpc_url, addr, root)) >= 0)
		cache_put(r == 1 ? key : nkey, now, r == 1);
	return r;
}

int access_headers_make(access_headers *h, const uint8_t priv[32], const cid *root, uint64_t now, uint64_t lifetime,
			uint64_t min_height)
{
	access_proof p;
	char v[ACCESS_STR_MAX];
	if (access_proof_make(&p, priv, root, now + lifetime) < 0)
		return -1;
	access_proof_str(v, &p);
	snprintf(h->proof, sizeof(h->proof), "%s: %s", ACCESS_HEADER, v);
	h->list[0] = h->proof;
	h->n = 1;
	if (min_height) {
		snprintf(h->height, sizeof(h->height), "%s: %" PRIu64, ACCESS_HEIGHT_HEADER, min_height);
		h->list[h->n++] = h->height;
	}
	return 0;
}
