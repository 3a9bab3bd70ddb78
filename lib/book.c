/*
 * book.c: see book.h. The one place the client side encodes the market's
 * ABI: ids, terms and their JSON, calldata, views over eth_call, sending
 * (a dry run first, so a refusal costs nothing), Purchased logs.
 */
#include "lst.h"
#include "book.h"
#include "abi.h"
#include "access.h"
#include "addr.h"
#include "diag.h"
#include "hex.h"
#include "jsonio.h"
#include "market.h"
#include "msg.h"
#include "rpcclient.h"
#include "wallet.h"

/* The market's functions and events (contracts/market.h). */
#define SIG_PUBLISH "publish(string,string,uint256,bytes,bytes32,string,bytes)"
#define SIG_SET_PRICE "setPrice(bytes32,uint256)"
#define SIG_ADD_VERSION "addVersion(bytes32,bytes,bytes32,string)"
#define SIG_BUY "buy(bytes32)"
#define SIG_HAS_ACCESS "hasAccess(bytes32,address)"
#define SIG_BOOK "book(bytes32)"
#define SIG_VERSIONS "versions(bytes32)"
#define SIG_BOOK_OF "bookOf(bytes32)"
#define SIG_FEES "fees()"
#define EV_PURCHASED "Purchased(bytes32,address,address,uint256,uint256)"

#define REVERTED "execution reverted"

/* ---- ids ---- */

/* The contract's own definitions (contracts/market.h), so client and chain cannot disagree. */
void book_id(uint8_t out[32], const uint8_t author[20], const char *title)
{
	market_book_id(out, author, title, strlen(title));
}

int book_id_parse(uint8_t out[32], const char *s)
{
	if (strlen(s) != 66 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || hex_decode(out, 32, s) < 0) {
		diag_error(LST_EINVALID, "not a book id '%s'", s);
		diag_hint("a book id is 0x and 64 hex digits, as 'lst publish' and 'lst show' print it");
		return -1;
	}
	return 0;
}

void book_id_str(char out[67], const uint8_t book[32])
{
	hex_encode(out, book, 32);
}

/* ---- terms ---- */

int book_terms_finish(book_terms *t)
{
	if (!t->details)
		t->details = xstrdup("");
	if (!t->label)
		t->label = xstrdup("");
	size_t tl = t->title ? strlen(t->title) : 0;
	if (t->chain_id == 0)
		return diag_error(LST_EINVALID, "terms field '%s' is zero", "chain_id");
	if (tl == 0)
		return diag_error(LST_EINVALID, "terms field '%s' is empty", "title");
	if (tl > MARKET_TITLE_MAX)
		return diag_error(LST_EINVALID, "terms field '%s' is longer than %d bytes", "title", MARKET_TITLE_MAX);
	if (strlen(t->details) > MARKET_DETAILS_MAX)
		return diag_error(LST_EINVALID, "terms field '%s' is longer than %d bytes", "details",
				  MARKET_DETAILS_MAX);
	if (strlen(t->label) > MARKET_LABEL_MAX)
		return diag_error(LST_EINVALID, "terms field '%s' is longer than %d bytes", "label", MARKET_LABEL_MAX);
	if (!u256_fits_u128(&t->price))
		return diag_error(LST_EINVALID, "terms field '%s' is above 2^128-1 Photons", "price");
	if (t->root.len == 0 || t->root.len > MARKET_ROOT_MAX)
		return diag_error(LST_EINVALID, "terms field '%s' is not a CID of 1 to %d bytes", "root",
				  MARKET_ROOT_MAX);

	book_id(t->book, t->author, t->title);
	market_terms m = {
		.chain_id = t->chain_id,
		.price = t->price,
		.root = t->root.bytes,
		.root_len = t->root.len,
		.details = t->details,
		.details_len = strlen(t->details),
		.label = t->label,
		.label_len = strlen(t->label),
	};
	memcpy(m.author, t->author, 20);
	memcpy(m.book, t->book, 32);
	memcpy(m.tree, t->tree, 32);
	market_terms_hash(t->hash, &m);
	return 0;
}

json_t *book_terms_json(const book_terms *t)
{
	char market[ADDR_STR], author[ADDR_STR], book[67], tree[67], hash[67];
	char price[U256_DEC_MAX], root[CID_STR_MAX];
	addr_to_str(market, MARKET_ADDRESS);
	addr_to_str(author, t->author);
	book_id_str(book, t->book);
	hex_encode(tree, t->tree, 32);
	hex_encode(hash, t->hash, 32);
	u256_to_dec(price, &t->price);
	cid_str(root, &t->root);
	return json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "chain_id", (json_int_t)t->chain_id,
			 "market", market, "author", author, "book", book, "title", t->title ? t->title : "",
			 "details", t->details ? t->details : "", "price", price, "root", root, "tree", tree,
			 "label", t->label ? t->label : "", "terms_hash", hash);
}

static const char *const TERMS_KEYS[] = {"chain_id", "market", "author", "book", "title", "details",
					 "price", "root", "tree", "label", "terms_hash"};

/* A string field without NUL bytes; NULL (reported) when missing or not one. */
static const char *terms_str(const json_t *j, const char *key)
{
	json_t *v = json_object_get(j, key);
	if (!v) {
		diag_error(LST_EINVALID, "terms field '%s' is missing", key);
		return NULL;
	}
	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
		diag_error(LST_EINVALID, "terms field '%s' is not a string", key);
		return NULL;
	}
	return json_string_value(v);
}

static int terms_parse(book_terms *t, const json_t *j)
{
	const char *key, *s, *why;
	json_t *v;
	json_object_foreach((json_t *)j, key, v) {
		size_t i = 0;
		while (i < ARRAY_SIZE(TERMS_KEYS) && strcmp(key, TERMS_KEYS[i]))
			i++;
		if (i == ARRAY_SIZE(TERMS_KEYS))
			return diag_error(LST_EINVALID, "unknown terms field '%s'", key);
	}
	v = json_object_get(j, "chain_id");
	if (!v)
		return diag_error(LST_EINVALID, "terms field '%s' is missing", "chain_id");
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return diag_error(LST_EINVALID, "terms field '%s' is not a positive integer", "chain_id");
	t->chain_id = (uint64_t)json_integer_value(v);

	uint8_t market[20];
	if (!(s = terms_str(j, "market")))
		return -1;
	if (addr_parse(market, s, &why) < 0)
		return diag_error(LST_EINVALID, "terms field '%s' is not an address (%s)", "market", why);
	if (memcmp(market, MARKET_ADDRESS, 20)) {
		char m[ADDR_STR];
		addr_to_str(m, MARKET_ADDRESS);
		return diag_error(LST_EINVALID, "terms field '%s' is not the market '%s'", "market", m);
	}
	if (!(s = terms_str(j, "author")))
		return -1;
	if (addr_parse(t->author, s, &why) < 0)
		return diag_error(LST_EINVALID, "terms field '%s' is not an address (%s)", "author", why);
	if (!(s = terms_str(j, "title")))
		return -1;
	t->title = xstrdup(s);
	if (!(s = terms_str(j, "details")))
		return -1;
	t->details = xstrdup(s);
	if (!(s = terms_str(j, "label")))
		return -1;
	t->label = xstrdup(s);
	if (!(s = terms_str(j, "price")))
		return -1;
	if (u256_from_dec(&t->price, s) < 0)
		return diag_error(LST_EINVALID, "terms field '%s' is not a decimal string of Photons", "price");
	if (!(s = terms_str(j, "root")))
		return -1;
	if (cid_parse(&t->root, s) < 0)
		return diag_error(LST_EINVALID, "terms field '%s' is not a CID", "root");
	if (!(s = terms_str(j, "tree")))
		return -1;
	if (strlen(s) != 66 || hex_decode(t->tree, 32, s) < 0)
		return diag_error(LST_EINVALID, "terms field '%s' is not 0x and 64 hex digits", "tree");
	if (book_terms_finish(t) < 0)
		return -1;

	/* The stated ids, when given, must be what the fields make. */
	static const char *const stated[] = {"book", "terms_hash"};
	for (size_t i = 0; i < ARRAY_SIZE(stated); i++) {
		uint8_t got[32];
		const uint8_t *want = i == 0 ? t->book : t->hash;
		if (!json_object_get(j, stated[i]))
			continue;
		if (!(s = terms_str(j, stated[i])))
			return -1;
		if (strlen(s) != 66 || hex_decode(got, 32, s) < 0)
			return diag_error(LST_EINVALID, "terms field '%s' is not 0x and 64 hex digits", stated[i]);
		if (memcmp(got, want, 32)) {
			char h[67];
			hex_encode(h, want, 32);
			diag_error(LST_EINVALID, "terms field '%s' does not match the other fields (they make '%s')",
				   stated[i], h);
			diag_hint("the document was altered or made for other terms: ask its sender for the terms again");
			return -1;
		}
	}
	return 0;
}

int book_terms_from_json(book_terms *t, const json_t *j)
{
	memset(t, 0, sizeof(*t));
	if (!json_is_object(j))
		return diag_error(LST_EINVALID, "the terms are not a JSON object");
	if (terms_parse(t, j) < 0) {
		book_terms_free(t);
		return -1;
	}
	return 0;
}

void book_terms_free(book_terms *t)
{
	free(t->title);
	free(t->details);
	free(t->label);
	memset(t, 0, sizeof(*t));
}

int book_cosign(uint8_t sig[65], const uint8_t priv[32], const book_terms *t)
{
	uint8_t d[32];
	msg_hash(d, t->hash, 32);
	if (msg_sign(sig, priv, d) < 0)
		return diag_error(LST_EFAIL, "cannot sign the terms of '%s'", t->title ? t->title : "");
	return 0;
}

int book_cosig_verify(const uint8_t sig[65], const book_terms *t, const uint8_t foundation[20])
{
	return market_cosig_verify(sig, t->hash, foundation);
}

/* ---- calldata ---- */

static int encode(buf *out, const char *sig, const abi_value *args, size_t n)
{
	if (abi_encode_call(out, sig, args, n) < 0)
		return diag_error(LST_EFAIL, "cannot encode the market's call '%s'", sig);
	return 0;
}

int book_call_publish(buf *out, const book_terms *t, const uint8_t sig[65])
{
	abi_value a[7] = {
		abi_string(t->title ? t->title : ""),
		abi_string(t->details ? t->details : ""),
		abi_u256(&t->price),
		abi_bytes(t->root.bytes, t->root.len),
		abi_fixed_bytes(t->tree, 32),
		abi_string(t->label ? t->label : ""),
		abi_bytes(sig, 65),
	};
	return encode(out, SIG_PUBLISH, a, 7);
}

int book_call_set_price(buf *out, const uint8_t book[32], const u256 *price)
{
	if (!u256_fits_u128(price))
		return diag_error(LST_EINVALID, "price is above 2^128-1 Photons");
	abi_value a[2] = {abi_fixed_bytes(book, 32), abi_u256(price)};
	return encode(out, SIG_SET_PRICE, a, 2);
}

int book_call_add_version(buf *out, const uint8_t book[32], const cid *root, const uint8_t tree[32],
			  const char *label)
{
	if (root->len == 0 || root->len > MARKET_ROOT_MAX)
		return diag_error(LST_EINVALID, "a version's root must be a CID of 1 to %d bytes", MARKET_ROOT_MAX);
	if (strlen(label) > MARKET_LABEL_MAX)
		return diag_error(LST_EINVALID, "label '%s' is longer than %d bytes", label, MARKET_LABEL_MAX);
	abi_value a[4] = {abi_fixed_bytes(book, 32), abi_bytes(root->bytes, root->len), abi_fixed_bytes(tree, 32),
			  abi_string(label)};
	return encode(out, SIG_ADD_VERSION, a, 4);
}

int book_call_buy(buf *out, const uint8_t book[32])
{
	abi_value a[1] = {abi_fixed_bytes(book, 32)};
	return encode(out, SIG_BUY, a, 1);
}

/* ---- views ---- */

static const char *const MARKET_SIGS[] = {SIG_PUBLISH, SIG_SET_PRICE, SIG_ADD_VERSION, SIG_BUY};
static const book_contract MARKET = {MARKET_ADDRESS, "the market", "no such book", MARKET_SIGS,
				     ARRAY_SIZE(MARKET_SIGS)};

static void report_node(int code, const char *msg, const book_contract *c, const char *what)
{
	if (code == RPCC_E_TRANSPORT) {
		diag_error(LST_EUNAVAIL, "%s", msg);
		diag_hint("start one with 'lst node start' (lst-chain daemon --detach), or point --rpc at one");
		return;
	}
	diag_error(code == 3 ? LST_EREFUSED : LST_EFAIL, "cannot read %s from %s: %s", what, c->name, msg);
}

/* A revert's reason from the node's message ("execution reverted: R"). */
static const char *revert_reason(const char *msg)
{
	size_t n = strlen(REVERTED);
	if (!strncmp(msg, REVERTED, n))
		msg += n;
	if (msg[0] == ':' && msg[1] == ' ')
		msg += 2;
	return msg[0] ? msg : "no reason given";
}

/*
 * eth_call of calldata cd to c, from `from` (NULL: none) with value (NULL:
 * none); *ret malloc'd unless ret is NULL. 0, 1 reverted (its message in
 * msg), -1 (reported, what naming the subject).
 */
static int eth_call(uint8_t **ret, size_t *rlen, char *msg, size_t msglen, const book_contract *c,
		    const char *from, const u256 *value, const buf *cd, const char *what)
{
	char to[ADDR_STR], v[67];
	int code;
	json_t *res = NULL;
	addr_to_str(to, c->address);
	char *data = hex_encode_alloc(cd->p, cd->len);
	json_t *call = json_pack("{s:s,s:s}", "to", to, "data", data);
	free(data);
	if (from)
		json_object_set_new(call, "from", json_string(from));
	if (value) {
		u256_to_hex(v, value);
		json_object_set_new(call, "value", json_string(v));
	}
	if (rpcc_call_quiet(&res, &code, msg, msglen, "eth_call", json_pack("[o,s]", call, "latest")) < 0) {
		if (code == 3)
			return 1;
		report_node(code, msg, c, what);
		return -1;
	}
	const char *hex = json_string_value(res);
	int r = !ret || (hex && hex_decode_alloc(ret, rlen, hex) == 0) ? 0 : -1;
	json_decref(res);
	if (r < 0)
		return diag_error(LST_EFAIL, "the node sent a bad answer about %s", what);
	return 0;
}

int book_contract_view(abi_value *out, size_t want, const book_contract *c, const char *types, const char *sig,
		       const abi_value *args, size_t nargs, const char *what)
{
	buf cd = BUF_INIT;
	uint8_t *ret = NULL;
	size_t rlen = 0, n = 0;
	char msg[512];
	if (abi_encode_call(&cd, sig, args, nargs) < 0) {
		buf_free(&cd);
		return diag_error(LST_EFAIL, "cannot encode the call '%s' to %s", sig, c->name);
	}
	int r = eth_call(&ret, &rlen, msg, sizeof(msg), c, NULL, NULL, &cd, what);
	buf_free(&cd);
	if (r == 1) {
		if (c->notfound && strstr(msg, c->notfound))
			return 1;
		report_node(3, msg, c, what);
		return -1;
	}
	if (r == 0 && (abi_decode(out, want, &n, types, ret, rlen) < 0 || n != want)) {
		if (n)
			abi_free(out, n);
		r = diag_error(LST_EFAIL, "the answer of %s about %s is not (%s)", c->name, what, types);
	}
	free(ret);
	return r;
}

/* Call sig(args) on the market and decode its answer as types into out[0..want). */
static int view(abi_value *out, size_t want, const char *types, const char *sig, const abi_value *args,
		size_t nargs, const char *what)
{
	return book_contract_view(out, want, &MARKET, types, sig, args, nargs, what);
}

static char *dup_value(const abi_value *v)
{
	char *s = xmalloc(v->len + 1);
	memcpy(s, v->data, v->len);
	s[v->len] = 0;
	return s;
}

static int u64_of(uint64_t *out, const abi_value *v, const char *what)
{
	if (!u256_fits_u64(&v->u))
		return diag_error(LST_EFAIL, "the market's %s is out of range", what);
	*out = v->u.w[0];
	return 0;
}

int book_get(book_info *out, const uint8_t book[32])
{
	char what[96], id[67];
	abi_value a = abi_fixed_bytes(book, 32), v[7];
	memset(out, 0, sizeof(*out));
	book_id_str(id, book);
	snprintf(what, sizeof(what), "book '%s'", id);
	int r = view(v, 7, "address,uint256,uint256,uint256,uint256,string,string", SIG_BOOK, &a, 1, what);
	if (r)
		return r;
	memcpy(out->book, book, 32);
	memcpy(out->author, v[0].addr, 20);
	out->price = v[1].u;
	if (u64_of(&out->versions, &v[2], "version count") < 0 || u64_of(&out->sales, &v[3], "sales count") < 0 ||
	    u64_of(&out->published, &v[4], "publication height") < 0) {
		abi_free(v, 7);
		return -1;
	}
	out->title = dup_value(&v[5]);
	out->details = dup_value(&v[6]);
	abi_free(v, 7);
	return 0;
}

void book_info_free(book_info *b)
{
	free(b->title);
	free(b->details);
	memset(b, 0, sizeof(*b));
}

int book_versions(book_version **out, size_t *n, const uint8_t book[32])
{
	char what[96], id[67];
	abi_value a = abi_fixed_bytes(book, 32), v[4];
	*out = NULL;
	*n = 0;
	book_id_str(id, book);
	snprintf(what, sizeof(what), "the versions of '%s'", id);
	int r = view(v, 4, "bytes[],bytes32[],string[],uint256[]", SIG_VERSIONS, &a, 1, what);
	if (r)
		return r;
	size_t k = v[0].n;
	if (v[1].n != k || v[2].n != k || v[3].n != k) {
		abi_free(v, 4);
		return diag_error(LST_EFAIL, "the market's answer about %s has lists of different lengths", what);
	}
	book_version *vs = xcalloc(k ? k : 1, sizeof(*vs));
	for (size_t i = 0; i < k; i++) {
		size_t used = 0;
		const abi_value *root = &v[0].items[i];
		if (cid_decode(&vs[i].root, &used, root->data, root->len) < 0 || used != root->len ||
		    u64_of(&vs[i].height, &v[3].items[i], "version height") < 0) {
			book_versions_free(vs, i);
			abi_free(v, 4);
			return diag_error(LST_EFAIL, "the market's version %zu of '%s' is malformed", i, id);
		}
		memcpy(vs[i].tree, v[1].items[i].fixed, 32);
		vs[i].label = dup_value(&v[2].items[i]);
	}
	abi_free(v, 4);
	*out = vs;
	*n = k;
	return 0;
}

void book_versions_free(book_version *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i].label);
	free(v);
}

int book_of_root(uint8_t out[32], const cid *root)
{
	static const uint8_t zero[32];
	char what[CID_STR_MAX + 16], r[CID_STR_MAX];
	uint8_t id[32];
	abi_value v[1];
	cid_str(r, root);
	snprintf(what, sizeof(what), "root '%s'", r);
	root_id(id, root);
	abi_value a = abi_fixed_bytes(id, 32);
	int k = view(v, 1, "bytes32", SIG_BOOK_OF, &a, 1, what);
	if (k)
		return k;
	memcpy(out, v[0].fixed, 32);
	abi_free(v, 1);
	return memcmp(out, zero, 32) ? 0 : 1;
}

int book_has_access(bool *yes, const uint8_t book[32], const uint8_t reader[20])
{
	char what[160], id[67], a[ADDR_STR];
	abi_value args[2] = {abi_fixed_bytes(book, 32), abi_address(reader)}, v[1];
	*yes = false;
	book_id_str(id, book);
	addr_to_str(a, reader);
	snprintf(what, sizeof(what), "the access of '%s' to '%s'", a, id);
	int k = view(v, 1, "bool", SIG_HAS_ACCESS, args, 2, what);
	if (k < 0)
		return -1;
	if (k == 0) {
		*yes = v[0].b;
		abi_free(v, 1);
	}
	return 0;
}

int book_fees(uint64_t *service_fee_bps, u256 *listing_fee, uint8_t foundation[20])
{
	abi_value v[3];
	int k = view(v, 3, "uint256,uint256,address", SIG_FEES, NULL, 0, "the fees");
	if (k)
		return k < 0 ? -1 : diag_error(LST_EFAIL, "the market has no fees");
	k = u64_of(service_fee_bps, &v[0], "service fee");
	*listing_fee = v[1].u;
	memcpy(foundation, v[2].addr, 20);
	abi_free(v, 3);
	return k;
}

/* A quantity the node answered method with: 0 or -1 (reported). */
static int node_quantity(uint64_t *out, const char *method, const char *what)
{
	json_t *r;
	u256 c;
	if (rpcc_call(&r, method, NULL) < 0)
		return -1;
	int k = json_is_string(r) && u256_from_hex(&c, json_string_value(r)) == 0 && u256_fits_u64(&c) ? 0 : -1;
	json_decref(r);
	if (k < 0)
		return diag_error(LST_EFAIL, "the node sent a bad %s", what);
	*out = c.w[0];
	return 0;
}

int book_height(uint64_t *out)
{
	return node_quantity(out, "eth_blockNumber", "block number");
}

int book_chain_id(uint64_t *out)
{
	return node_quantity(out, "eth_chainId", "chain id");
}

/* ---- sending ---- */

/* The function of c that calldata calls, for messages: its name, up to '(' (at most 63 bytes). */
static void call_name(char out[64], const book_contract *c, const buf *cd)
{
	snprintf(out, 64, "the call");
	for (size_t i = 0; cd->len >= 4 && i < c->nsigs; i++) {
		uint8_t s[4];
		abi_selector(s, c->sigs[i]);
		if (!memcmp(s, cd->p, 4)) {
			snprintf(out, 64, "%.*s", (int)strcspn(c->sigs[i], "("), c->sigs[i]);
			return;
		}
	}
}

/* eth_call as e would send it: 0 would pass, 1 would revert (reason in msg), -1 (reported). */
static int dry_run(char *msg, size_t msglen, const book_contract *c, const key_entry *e, const buf *cd,
		   const u256 *value, const char *fn)
{
	char what[80];
	u256 zero = u256_from_u64(0);
	snprintf(what, sizeof(what), "'%s'", fn);
	return eth_call(NULL, NULL, msg, msglen, c, e->address_str, value ? value : &zero, cd, what);
}

int book_contract_send(json_t **receipt, const book_contract *c, const key_entry *e, const buf *calldata,
		       const u256 *value, double timeout)
{
	char msg[512], fn[64];
	call_name(fn, c, calldata);
	*receipt = NULL;
	int k = dry_run(msg, sizeof(msg), c, e, calldata, value, fn);
	if (k < 0)
		return -1;
	if (k > 0)
		return diag_error(LST_EREFUSED, "%s refuses '%s': %s", c->name, fn, revert_reason(msg));
	if (wallet_call(receipt, e, c->address, value, calldata->p, calldata->len, timeout) < 0)
		return -1;
	const char *st = jsonio_get_str(*receipt, "status");
	if (st && !strcmp(st, "0x1"))
		return 0;
	const char *h = jsonio_get_str(*receipt, "transactionHash");
	/* The receipt carries no reason: ask again, the state is what the call met. */
	if (dry_run(msg, sizeof(msg), c, e, calldata, value, fn) == 1)
		return diag_error(LST_EREFUSED, "%s reverted '%s' in transaction '%s': %s", c->name, fn, h ? h : "?",
				  revert_reason(msg));
	return diag_error(LST_EREFUSED, "%s reverted '%s' in transaction '%s'", c->name, fn, h ? h : "?");
}

int book_send(json_t **receipt, const key_entry *e, const buf *calldata, const u256 *value, double timeout)
{
	return book_contract_send(receipt, &MARKET, e, calldata, value, timeout);
}

/* ---- events ---- */

static int hex32(uint8_t out[32], json_t *v)
{
	const char *s = json_string_value(v);
	return s && strlen(s) == 66 && hex_decode(out, 32, s) == 0 ? 0 : -1;
}

int book_contract_events(void **out, size_t *n, size_t size, const book_contract *c, const char *event,
			 const uint8_t (*topics)[32], const bool *have, size_t ntopics, book_log_parse parse)
{
	uint8_t t0[32];
	char a[ADDR_STR];
	json_t *logs;
	*out = NULL;
	*n = 0;
	abi_event_topic(t0, event);
	addr_to_str(a, c->address);
	json_t *t = json_array();
	json_array_append_new(t, jsonio_hex(t0, 32));
	for (size_t i = 0; i < ntopics; i++)
		json_array_append_new(t, have[i] ? jsonio_hex(topics[i], 32) : json_null());
	json_t *filter = json_pack("{s:s,s:s,s:s,s:o}", "fromBlock", "0x0", "toBlock", "latest", "address", a,
				   "topics", t);
	if (rpcc_call(&logs, "eth_getLogs", json_pack("[o]", filter)) < 0)
		return -1;
	if (!json_is_array(logs)) {
		json_decref(logs);
		return diag_error(LST_EFAIL, "the node sent a bad answer to eth_getLogs");
	}
	size_t k = json_array_size(logs);
	uint8_t *items = xcalloc(k ? k : 1, size);
	for (size_t i = 0; i < k; i++) {
		if (parse(items + i * size, json_array_get(logs, i)) < 0) {
			free(items);
			json_decref(logs);
			return diag_error(LST_EFAIL, "the node sent a malformed %.*s log (number %zu)",
					  (int)strcspn(event, "("), event, i);
		}
	}
	json_decref(logs);
	*out = items;
	*n = k;
	return 0;
}

int book_contract_log(uint8_t (*words)[32], size_t ntopics, uint8_t **data, size_t *dlen, uint64_t *height,
		      uint8_t tx[32], const book_contract *c, const char *event, json_t *log)
{
	uint8_t t0[32], w[32], addr[20];
	const char *why;
	u256 h;
	*data = NULL;
	*dlen = 0;
	abi_event_topic(t0, event);
	json_t *topics = json_object_get(log, "topics");
	const char *a = json_string_value(json_object_get(log, "address"));
	const char *d = json_string_value(json_object_get(log, "data"));
	const char *bn = json_string_value(json_object_get(log, "blockNumber"));
	if (!a || addr_parse(addr, a, &why) < 0 || memcmp(addr, c->address, 20) ||
	    json_array_size(topics) != ntopics + 1 || !d || !bn || u256_from_hex(&h, bn) < 0 || !u256_fits_u64(&h) ||
	    hex32(tx, json_object_get(log, "transactionHash")) < 0 || hex32(w, json_array_get(topics, 0)) < 0 ||
	    memcmp(w, t0, 32))
		return -1;
	for (size_t i = 0; i < ntopics; i++)
		if (hex32(words[i], json_array_get(topics, i + 1)) < 0)
			return -1;
	if (hex_decode_alloc(data, dlen, d) < 0)
		return -1;
	*height = h.w[0];
	return 0;
}

static int word_addr(uint8_t out[20], const uint8_t w[32])
{
	static const uint8_t zero[12];
	if (memcmp(w, zero, 12))
		return -1;
	memcpy(out, w + 12, 20);
	return 0;
}

static int parse_purchase(void *item, json_t *log)
{
	book_purchase *p = item;
	uint8_t w[3][32], *data = NULL;
	size_t dlen = 0;
	if (book_contract_log(w, 3, &data, &dlen, &p->height, p->tx, &MARKET, EV_PURCHASED, log) < 0)
		return -1;
	memcpy(p->book, w[0], 32);
	int r = word_addr(p->buyer, w[1]) == 0 && word_addr(p->author, w[2]) == 0 && dlen == 64 &&
			u256_from_be(&p->price, data, 32) == 0 && u256_from_be(&p->fee, data + 32, 32) == 0
		? 0
		: -1;
	free(data);
	return r;
}

int book_purchases(book_purchase **out, size_t *n, const uint8_t *book, const uint8_t *buyer,
		   const uint8_t *author)
{
	uint8_t t[3][32] = {{0}};
	bool have[3] = {book != NULL, buyer != NULL, author != NULL};
	if (book)
		memcpy(t[0], book, 32);
	if (buyer)
		abi_address_word(t[1], buyer);
	if (author)
		abi_address_word(t[2], author);
	void *items = NULL;
	int r = book_contract_events(&items, n, sizeof(**out), &MARKET, EV_PURCHASED, t, have, 3, parse_purchase);
	*out = items;
	return r;
}
