/* The Solidity ABI against ethereum/tests and ethers vectors, and hostile data. */
#include "lst.h"
#include "unit.h"
#include "abi.h"
#include "hex.h"
#include "buf.h"
#include "diag.h"

/* ---- JSON values to abi_value, guided by a parsed type ---- */

static int parse_int(u256 *out, const char *s, bool sign)
{
	bool neg = sign && *s == '-';
	if (neg)
		s++;
	if (u256_from_str(out, s) < 0)
		return -1;
	if (neg && !u256_is_zero(out)) { /* two's complement: ~x + 1 */
		u256 one = u256_from_u64(1), t;
		for (int i = 0; i < 4; i++)
			out->w[i] = ~out->w[i];
		if (u256_add(&t, out, &one) < 0)
			return -1;
		*out = t;
	}
	return 0;
}

/* Text for bytes: 0x-hex, else the characters themselves (ABITests). */
static int json_bytes(uint8_t **p, size_t *n, json_t *j)
{
	const char *s = json_string_value(j);
	if (!s)
		return -1;
	if (!strncmp(s, "0x", 2) && hex_is_valid(s))
		return hex_decode_alloc(p, n, s);
	*n = json_string_length(j);
	*p = xmalloc(*n + 1);
	memcpy(*p, s, *n + 1);
	return 0;
}

static int from_json(abi_value *v, const abi_type *t, json_t *j)
{
	uint8_t *p;
	size_t n;
	memset(v, 0, sizeof(*v));
	v->kind = t->kind;
	v->size = t->size;
	switch (t->kind) {
	case ABI_UINT:
	case ABI_INT:
		if (json_is_integer(j)) {
			char dec[32];
			snprintf(dec, sizeof(dec), "%lld", (long long)json_integer_value(j));
			return parse_int(&v->u, dec, t->kind == ABI_INT);
		}
		return json_is_string(j) ? parse_int(&v->u, json_string_value(j), t->kind == ABI_INT)
					 : -1;
	case ABI_ADDRESS:
		return json_is_string(j) ? hex_decode(v->addr, 20, json_string_value(j)) : -1;
	case ABI_BOOL:
		if (!json_is_boolean(j))
			return -1;
		v->b = json_is_true(j);
		return 0;
	case ABI_FIXED_BYTES:
		if (json_bytes(&p, &n, j) < 0)
			return -1;
		if (n == t->size)
			memcpy(v->fixed, p, n);
		free(p);
		return n == t->size ? 0 : -1;
	case ABI_BYTES:
	case ABI_STRING:
		if (t->kind == ABI_BYTES) {
			if (json_bytes(&p, &n, j) < 0)
				return -1;
		} else {
			if (!json_is_string(j))
				return -1;
			n = json_string_length(j);
			p = xmalloc(n + 1);
			memcpy(p, json_string_value(j), n + 1);
		}
		v->data = p;
		v->len = n;
		return 0;
	case ABI_ARRAY:
	case ABI_FIXED_ARRAY:
	case ABI_TUPLE:
		n = json_array_size(j);
		if (!json_is_array(j) || (t->kind != ABI_ARRAY && n != t->n))
			return -1;
		v->n = n;
		v->items = n ? xcalloc(n, sizeof(*v->items)) : NULL;
		for (size_t i = 0; i < n; i++) {
			const abi_type *ti = t->kind == ABI_TUPLE ? &t->sub[i] : t->sub;
			if (from_json(&v->items[i], ti, json_array_get(j, i)) < 0)
				return -1;
		}
		return 0;
	}
	return -1;
}

static bool equal(const abi_value *a, const abi_value *b)
{
	if (a->kind != b->kind || a->size != b->size)
		return false;
	switch (a->kind) {
	case ABI_UINT:
	case ABI_INT:
		return !u256_cmp(&a->u, &b->u);
	case ABI_ADDRESS:
		return !memcmp(a->addr, b->addr, 20);
	case ABI_BOOL:
		return a->b == b->b;
	case ABI_FIXED_BYTES:
		return !memcmp(a->fixed, b->fixed, a->size);
	case ABI_BYTES:
	case ABI_STRING:
		return a->len == b->len && (!a->len || !memcmp(a->data, b->data, a->len));
	default:
		if (a->n != b->n)
			return false;
		for (size_t i = 0; i < a->n; i++)
			if (!equal(&a->items[i], &b->items[i]))
				return false;
		return true;
	}
}

/*
 * One case: encode the values of `types` from JSON `args` (an array, one
 * per type) and compare with `want`; decode `want` back and compare the
 * values; re-encode what was decoded. Every proper prefix is refused.
 */
static void run_case(group *g, const char *name, const abi_type *list, json_t *args,
		     const char *want)
{
	abi_value *v = xcalloc(list->n + 1, sizeof(*v)), *d = xcalloc(list->n + 1, sizeof(*d));
	buf enc = BUF_INIT, again = BUF_INIT;
	uint8_t *w = NULL;
	size_t wn = 0;
	bool bad = false;
	g->cases++;
	for (size_t i = 0; i < list->n; i++)
		if (from_json(&v[i], &list->sub[i], json_array_get(args, i)) < 0)
			bad = true;
	if (bad || hex_decode_alloc(&w, &wn, want) < 0) {
		group_fail(g, name, "cannot read the vector");
		goto done;
	}
	if (abi_encode(&enc, v, list->n) < 0) {
		group_fail(g, name, "encode refused");
		goto done;
	}
	if (enc.len != wn || memcmp(enc.p, w, wn)) {
		char *got = hex_encode_alloc(enc.p, enc.len);
		group_fail(g, name, "encoded %.80s...", got);
		free(got);
		goto done;
	}
	if (abi_decode_type(d, list, w, wn) < 0) {
		group_fail(g, name, "decode refused");
		goto done;
	}
	for (size_t i = 0; i < list->n; i++)
		if (!equal(&v[i], &d[i]))
			bad = true;
	if (bad || abi_encode(&again, d, list->n) < 0 || again.len != wn ||
	    memcmp(again.p, w, wn)) {
		group_fail(g, name, "decoded values differ");
		goto done;
	}
	for (size_t cut = 0; cut < wn; cut += cut + 32 < wn ? 32 : 1) {
		abi_value x[8];
		if (list->n <= 8 && abi_decode_type(x, list, w, cut) == 0) {
			abi_free(x, list->n);
			group_fail(g, name, "prefix of %zu bytes decoded", cut);
			break;
		}
	}
done:
	abi_free(v, list->n);
	abi_free(d, list->n);
	free(v);
	free(d);
	free(w);
	buf_free(&enc);
	buf_free(&again);
}

static void test_basic_abi_tests(void)
{
	json_t *v = vector_json("ethereum-tests/ABITests/basic_abi_tests.json");
	group g = {"ABITests basic_abi_tests.json encode/decode", 0, 0};
	const char *name;
	json_t *c;
	int left_out = 0;
	json_object_foreach(v, name, c) {
		json_t *types = json_object_get(c, "types");
		buf list = BUF_INIT;
		abi_type t;
		size_t i;
		json_t *ty;
		json_array_foreach(types, i, ty)
			buf_addf(&list, "%s%s", i ? "," : "", json_string_value(ty));
		if (abi_type_parse(&t, list.len ? (char *)list.p : "") < 0) {
			left_out++;
			buf_free(&list);
			continue;
		}
		char *want = xasprintf("0x%s", json_string_value(json_object_get(c, "result")));
		run_case(&g, name, &t, json_object_get(c, "args"), want);
		free(want);
		abi_type_free(&t);
		buf_free(&list);
	}
	group_end(&g);
	ok(left_out == 0, "ABITests: %d cases left out for unsupported types", left_out);
	json_decref(v);
}

static void test_ethers_abi(void)
{
	json_t *v = vector_json("ethers/abi.json.gz");
	group g = {"ethers abi.json encode/decode", 0, 0};
	size_t i, left_out = 0;
	char first[64] = "";
	json_t *c;
	json_array_foreach(v, i, c) {
		const char *type = json_string_value(json_object_get(c, "type"));
		const char *name = json_string_value(json_object_get(c, "name"));
		abi_type t;
		if (!type || abi_type_parse(&t, type) < 0 || t.n != 1) {
			if (!left_out++)
				snprintf(first, sizeof(first), "%s", type ? type : "?");
			continue;
		}
		/* One value of that type: the function returned it. */
		json_t *args = json_pack("[O]", json_object_get(c, "value"));
		run_case(&g, name ? name : type, &t, args,
			 json_string_value(json_object_get(c, "encoded")));
		json_decref(args);
		abi_type_free(&t);
	}
	group_end(&g);
	ok(left_out == 0, "ethers abi.json: %zu of %zu cases left out for unsupported types%s%s",
	   left_out, json_array_size(v), left_out ? ", e.g. " : "", first);
	json_decref(v);
}

/* ---- known values ---- */

static bool hex_is(const uint8_t *p, size_t n, const char *want)
{
	char *got = hex_encode_alloc(p, n);
	bool same = !strcmp(got, want);
	if (!same)
		diagf("got  %s\n#   want %s", got, want);
	free(got);
	return same;
}

static void test_known(void)
{
	uint8_t sel[4], topic[32];
	abi_selector(sel, "transfer(address,uint256)");
	ok(hex_is(sel, 4, "0xa9059cbb"), "selector of transfer(address,uint256)");
	abi_event_topic(topic, "Transfer(address,address,uint256)");
	ok(hex_is(topic, 32, "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"),
	   "topic of Transfer(address,address,uint256)");

	buf b = BUF_INIT;
	uint8_t to[20];
	memset(to, 0x22, 20);
	abi_value args[2] = {abi_address(to), abi_u64(1000)};
	ok(abi_encode_call(&b, "transfer(address,uint256)", args, 2) == 0 &&
		   hex_is(b.p, b.len,
			  "0xa9059cbb0000000000000000000000002222222222222222222222222222222222222222"
			  "00000000000000000000000000000000000000000000000000000000000003e8"),
	   "abi_encode_call of transfer(address,uint256)");

	abi_revert(&b, "insufficient balance");
	ok(hex_is(b.p, b.len,
		  "0x08c379a0"
		  "0000000000000000000000000000000000000000000000000000000000000020"
		  "0000000000000000000000000000000000000000000000000000000000000014"
		  "696e73756666696369656e742062616c616e6365000000000000000000000000"),
	   "abi_revert gives Error(string) revert data");
	char *reason;
	ok(abi_revert_reason(&reason, b.p, b.len) == 0 && !strcmp(reason, "insufficient balance"),
	   "abi_revert_reason reads it back");
	free(reason);
	abi_revertf(&b, "unknown function selector 0x%08x", 0xdeadbeefu);
	ok(abi_revert_reason(&reason, b.p, b.len) == 0 &&
		   !strcmp(reason, "unknown function selector 0xdeadbeef"),
	   "abi_revertf formats the reason");
	free(reason);
	abi_revertf(&b, "%300s", "long");
	ok(abi_revert_reason(&reason, b.p, b.len) == 0 && strlen(reason) == 300 &&
		   !strcmp(reason + 296, "long"),
	   "abi_revertf takes reasons of any length");
	free(reason);
	ok(abi_revert_reason(&reason, b.p, 3) < 0 && !reason &&
		   abi_revert_reason(&reason, b.p + 1, b.len - 1) < 0,
	   "abi_revert_reason refuses other data");

	/* Empty arrays encode whatever their element type; empty lists too. */
	abi_value empty = abi_array(NULL, 0, false);
	buf_reset(&b);
	ok(abi_encode(&b, &empty, 1) == 0 &&
		   hex_is(b.p, b.len,
			  "0x0000000000000000000000000000000000000000000000000000000000000020"
			  "0000000000000000000000000000000000000000000000000000000000000000"),
	   "an empty T[] encodes as offset and zero length");
	abi_value out[1];
	size_t n = 9;
	ok(abi_decode(out, 1, &n, "", b.p, b.len) == 0 && n == 0, "an empty type list decodes");
	buf_free(&b);
}

/* ---- refusals ---- */

/* Decodes hex words as types; the result of abi_decode. */
static int try_decode(const char *types, const char *hex)
{
	uint8_t *d;
	size_t len, n;
	abi_value v[4];
	int rc;
	if (hex_decode_alloc(&d, &len, hex) < 0)
		return -2;
	rc = abi_decode(v, ARRAY_SIZE(v), &n, types, d, len);
	if (rc == 0)
		abi_free(v, n);
	free(d);
	return rc;
}

#define Z "0000000000000000000000000000000000000000000000000000000000000000"
#define W20 "0000000000000000000000000000000000000000000000000000000000000020"
#define W40 "0000000000000000000000000000000000000000000000000000000000000040"
#define W1 "0000000000000000000000000000000000000000000000000000000000000001"
#define W2 "0000000000000000000000000000000000000000000000000000000000000002"
#define FF "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
#define ADDR "000000000000000000000000cd2a3d9f938e13cd947ec05abc7fe734df8dd826"
#define ABC "6162630000000000000000000000000000000000000000000000000000000000"

static void test_refusals(void)
{
	ok(try_decode("address,uint256", ADDR W1) == 0, "address,uint256 decodes");
	ok(try_decode("address,uint256", ADDR W1 "00") == 0, "bytes after the encoding are ignored");
	ok(try_decode("address,uint256", ADDR "00000000000000000000000000000000000000000000000000000000000000") < 0,
	   "truncated data (63 of 64 bytes) refused");
	ok(try_decode("address,uint256", "") < 0, "empty data refused");
	ok(try_decode("string", W20 "0000000000000000000000000000000000000000000000000000000000000003" ABC) == 0,
	   "string decodes");
	ok(try_decode("string", "0000000000000000000000000000000000000000000000000000000000001000"
				"0000000000000000000000000000000000000000000000000000000000000003" ABC) < 0,
	   "offset beyond the data refused");
	ok(try_decode("string", "0000000000000000000000000000000000000000000000000000000000000060"
				"0000000000000000000000000000000000000000000000000000000000000003" ABC) < 0,
	   "offset at the very end refused");
	ok(try_decode("string", "0000000000000000000000000000000000000000000000000000000000000021"
				"0000000000000000000000000000000000000000000000000000000000000003" ABC Z) < 0,
	   "offset not a multiple of 32 refused");
	ok(try_decode("string", Z "0000000000000000000000000000000000000000000000000000000000000003" ABC) < 0,
	   "offset into the heads refused");
	ok(try_decode("string", FF "0000000000000000000000000000000000000000000000000000000000000003" ABC) < 0,
	   "offset 2^256-1 refused");
	ok(try_decode("string", W20 FF ABC) < 0, "string length 2^256-1 refused");
	ok(try_decode("bytes", W20 "000000000000000000000000000000000000000000000000ffffffffffffffff" ABC) < 0,
	   "bytes length 2^64-1 refused");
	ok(try_decode("string", W20 "0000000000000000000000000000000000000000000000000000000000000021" ABC) < 0,
	   "string longer than the data refused");
	ok(try_decode("string", W20 "0000000000000000000000000000000000000000000000000000000000000003"
				    "6162630000000000000000000000000000000000000000000000000000000001") < 0,
	   "non-zero padding after a string refused");
	ok(try_decode("string", W20 "0000000000000000000000000000000000000000000000000000000000000003"
				    "616263") < 0,
	   "string without its padding refused");
	ok(try_decode("uint256[]", W20 FF) < 0, "array length 2^256-1 refused");
	ok(try_decode("uint256[]", W20 "0000000000000000000000000000000000000000000000007fffffffffffffff" W1) < 0,
	   "array length 2^63-1 refused without allocating it");
	ok(try_decode("uint256[]", W20 W2 W1) < 0, "array shorter than its length refused");
	ok(try_decode("uint256[]", W20 W2 W1 W2) == 0, "uint256[] decodes");
	ok(try_decode("string[]", W20 W1 W20 "0000000000000000000000000000000000000000000000000000000000000003" ABC) == 0,
	   "string[] decodes");
	ok(try_decode("string[]", W20 W1 FF "0000000000000000000000000000000000000000000000000000000000000003" ABC) < 0,
	   "string[] item offset out of range refused");
	ok(try_decode("string,string", W40 "0000000000000000000000000000000000000000000000000000000000000080"
				       "0000000000000000000000000000000000000000000000000000000000000003" ABC
				       "0000000000000000000000000000000000000000000000000000000000000003" ABC) == 0,
	   "string,string decodes");
	ok(try_decode("string,string", W40 W40 "0000000000000000000000000000000000000000000000000000000000000003" ABC) < 0,
	   "two offsets to the same string refused (words read twice)");
	ok(try_decode("address", "000000000000000000000001cd2a3d9f938e13cd947ec05abc7fe734df8dd826") < 0,
	   "dirty address padding refused");
	ok(try_decode("address", "100000000000000000000000cd2a3d9f938e13cd947ec05abc7fe734df8dd826") < 0,
	   "dirty address padding (top byte) refused");
	ok(try_decode("bool", W1) == 0 && try_decode("bool", Z) == 0, "bool 0 and 1 decode");
	ok(try_decode("bool", W2) < 0, "bool = 2 refused");
	ok(try_decode("bool", "0100000000000000000000000000000000000000000000000000000000000001") < 0,
	   "bool with dirty high bytes refused");
	ok(try_decode("uint8", "00000000000000000000000000000000000000000000000000000000000000ff") == 0,
	   "uint8 255 decodes");
	ok(try_decode("uint8", "0000000000000000000000000000000000000000000000000000000000000100") < 0,
	   "uint8 256 refused");
	ok(try_decode("uint64", "0000000000000000000000000000000000000000000000010000000000000000") < 0,
	   "uint64 2^64 refused");
	ok(try_decode("int8", "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff80") == 0,
	   "int8 -128 decodes");
	ok(try_decode("int8", "0000000000000000000000000000000000000000000000000000000000000080") < 0,
	   "int8 128 refused");
	ok(try_decode("int8", "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f") < 0,
	   "int8 with a broken sign extension refused");
	ok(try_decode("bytes4", "6162636400000000000000000000000000000000000000000000000000000000") == 0,
	   "bytes4 decodes");
	ok(try_decode("bytes4", "6162636465000000000000000000000000000000000000000000000000000000") < 0,
	   "bytes4 with dirty low bytes refused");

	/* Quadratic blow-up: k inner offsets all naming one array of k. */
	for (size_t k = 1; k <= 64; k += 63) {
		buf b = BUF_INIT;
		buf_adds(&b, W20);
		buf_addf(&b, "%064zx", k);
		for (size_t i = 0; i < k; i++)
			buf_addf(&b, "%064zx", 32 * k);
		buf_addf(&b, "%064zx", k);
		for (size_t i = 0; i < k; i++)
			buf_adds(&b, W1);
		if (k == 1)
			ok(try_decode("uint256[][]", (char *)b.p) == 0, "uint256[][] decodes");
		else
			ok(try_decode("uint256[][]", (char *)b.p) < 0, "%zu offsets to one array refused", k);
		buf_free(&b);
	}

	uint8_t big[4] = {0};
	size_t n;
	abi_value out[1];
	ok(abi_decode(out, 1, &n, "uint8,uint8", big, 0) < 0, "more types than room refused");

	static const char *const bad_types[] = {
		"uint7", "uint264", "uint0", "uint08", "bytes33", "bytes0", "fixed128x18",
		"function", "foo", "uint256[0]", "()", "(uint256", "uint256)", "uint256,", ",uint256",
		"uint256[", "uint256[1", "uint256[-1]", "address[]]", "string[99999999999]",
	};
	int bad = 0;
	for (size_t i = 0; i < ARRAY_SIZE(bad_types); i++) {
		if (abi_types_valid(bad_types[i])) {
			diagf("type %s accepted", bad_types[i]);
			bad++;
		}
	}
	ok(!bad, "%zu bad type strings refused", ARRAY_SIZE(bad_types));
	ok(abi_types_valid("uint,int,bytes,tuple(uint8,(bool,string)[2])[], address[3][]"),
	   "uint, int, tuple(...), T[k][] and spaces after commas parse");
}

static void test_encode_refusals(void)
{
	buf b = BUF_INIT;
	u256 v = u256_from_u64(256);
	abi_value x = abi_uint(8, &v);
	buf_adds(&b, "keep");
	ok(abi_encode(&b, &x, 1) < 0 && b.len == 4 && !strcmp((char *)b.p, "keep"),
	   "encoding uint8 256 refused, out unchanged");
	v = u256_from_u64(128);
	x = abi_uint(8, &v);
	x.kind = ABI_INT;
	ok(abi_encode(&b, &x, 1) < 0, "encoding int8 128 refused");
	x = abi_uint(7, &v);
	ok(abi_encode(&b, &x, 1) < 0, "encoding uint7 refused");
	abi_value items[2] = {abi_u64(1), abi_bool(true)};
	abi_value arr = abi_array(items, 2, false);
	ok(abi_encode(&b, &arr, 1) < 0, "an array mixing kinds refused");
	abi_value fixed0 = abi_array(NULL, 0, true), tuple0 = abi_tuple(NULL, 0);
	ok(abi_encode(&b, &fixed0, 1) < 0 && abi_encode(&b, &tuple0, 1) < 0,
	   "empty T[k] and () refused");
	ok(b.len == 4, "out unchanged after refusals");
	buf_free(&b);
}

/* Random damage to valid encodings: never a crash (run under valgrind/ASan). */
static void test_damage(void)
{
	json_t *v = vector_json("ethers/abi.json.gz");
	uint64_t seed = 0x9e3779b97f4a7c15u;
	size_t i, tries = 0, accepted = 0;
	json_t *c;
	json_array_foreach(v, i, c) {
		abi_type t;
		uint8_t *d;
		size_t len;
		if (i % 4 || abi_type_parse(&t, json_string_value(json_object_get(c, "type"))) < 0)
			continue;
		if (hex_decode_alloc(&d, &len, json_string_value(json_object_get(c, "encoded"))) < 0) {
			abi_type_free(&t);
			continue;
		}
		for (int r = 0; r < 8 && len; r++) {
			abi_value out[1];
			seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
			size_t at = seed % len;
			uint8_t old = d[at];
			d[at] = (uint8_t)(r < 4 ? old ^ (1u << (seed >> 40) % 8) : seed >> 48);
			tries++;
			if (abi_decode_type(out, &t, d, len) == 0) {
				accepted++;
				abi_free(out, 1);
			}
			d[at] = old;
		}
		free(d);
		abi_type_free(&t);
	}
	ok(tries > 1000, "%zu damaged encodings decoded or refused without harm (%zu accepted)", tries,
	   accepted);
	json_decref(v);
}

int main(void)
{
	test_known();
	test_basic_abi_tests();
	test_ethers_abi();
	test_refusals();
	test_encode_refusals();
	test_damage();
	return unit_done();
}
