/* Keccak-256 and RLP against ethereum/tests and ethers vectors. */
#include "lst.h"
#include "unit.h"
#include "keccak.h"
#include "rlp.h"
#include "hex.h"
#include "buf.h"
#include "diag.h"

static void test_keccak_known(void)
{
	uint8_t h[32];
	char hex[67];
	keccak256(h, (const uint8_t *)"", 0);
	hex_encode(hex, h, 32);
	ok(!strcmp(hex, "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"),
	   "keccak256 of the empty string");
	/* Feeding in odd pieces gives the same digest as one call. */
	uint8_t data[1000], h1[32], h2[32];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
	keccak256(h1, data, sizeof(data));
	keccak_ctx ctx;
	keccak256_init(&ctx);
	for (size_t i = 0, step = 1; i < sizeof(data); i += step, step = step % 150 + 13)
		keccak256_update(&ctx, data + i, i + step > sizeof(data) ? sizeof(data) - i : step);
	keccak256_final(&ctx, h2);
	ok(!memcmp(h1, h2, 32), "keccak256 incremental equals one-shot");
}

/* ethers hashes.json: keccak256 of data. */
static void test_keccak_vectors(void)
{
	json_t *v = vector_json("ethers/hashes.json.gz");
	group g = {"ethers hashes.json keccak256", 0, 0};
	size_t i;
	json_t *c;
	json_array_foreach(v, i, c) {
		const char *data = json_string_value(json_object_get(c, "data"));
		const char *want = json_string_value(json_object_get(c, "keccak256"));
		if (!data || !want)
			continue;
		uint8_t *in, h[32];
		size_t n;
		char hex[67];
		g.cases++;
		if (hex_decode_alloc(&in, &n, data) < 0) {
			group_fail(&g, data, "bad hex in vector");
			continue;
		}
		keccak256(h, in, n);
		hex_encode(hex, h, 32);
		if (strcmp(hex, want))
			group_fail(&g, want, "got %s", hex);
		free(in);
	}
	group_end(&g);
	json_decref(v);
}

/* Encodes a JSON "in" value of RLPTests: strings, "#bignum", ints, lists. */
static int encode_in(buf *b, json_t *in)
{
	if (json_is_array(in)) {
		size_t start = rlp_list_begin(b), i;
		json_t *e;
		json_array_foreach(in, i, e)
			if (encode_in(b, e) < 0)
				return -1;
		rlp_list_end(b, start);
		return 0;
	}
	if (json_is_integer(in)) {
		rlp_put_u64(b, (uint64_t)json_integer_value(in));
		return 0;
	}
	if (json_is_string(in)) {
		const char *s = json_string_value(in);
		if (s[0] == '#') {
			/* Any size: decimal to big-endian bytes, 64 bytes is plenty. */
			uint8_t be[64] = {0};
			for (const char *d = s + 1; *d; d++) {
				unsigned carry = (unsigned)(*d - '0');
				for (int k = 63; k >= 0; k--) {
					carry += be[k] * 10u;
					be[k] = (uint8_t)carry;
					carry >>= 8;
				}
			}
			size_t skip = 0;
			while (skip < 64 && be[skip] == 0)
				skip++;
			rlp_put_bytes(b, be + skip, 64 - skip);
		} else {
			rlp_put_bytes(b, (const uint8_t *)s, json_string_length(in));
		}
		return 0;
	}
	return -1;
}

/* Re-encodes a decoded item; equal bytes mean the decoder kept everything. */
static int reencode(buf *b, const rlp_item *it)
{
	if (!it->list) {
		rlp_put_bytes(b, it->p, it->len);
		return 0;
	}
	size_t start = rlp_list_begin(b), pos = 0;
	rlp_item sub;
	int r;
	while ((r = rlp_next(&sub, it, &pos)) == 1)
		if (reencode(b, &sub) < 0)
			return -1;
	if (r < 0)
		return -1;
	rlp_list_end(b, start);
	return 0;
}

static int decode_deep(const uint8_t *p, size_t n)
{
	rlp_item it;
	buf b = BUF_INIT;
	int r = rlp_decode(&it, p, n);
	if (r == 0)
		r = reencode(&b, &it);
	buf_free(&b);
	return r;
}

static void test_rlp_valid(const char *file, const char *label)
{
	json_t *v = vector_json(file);
	group enc = {label, 0, 0};
	const char *name;
	json_t *c;
	json_object_foreach(v, name, c) {
		const char *out = json_string_value(json_object_get(c, "out"));
		json_t *in = json_object_get(c, "in");
		buf b = BUF_INIT;
		enc.cases++;
		if (json_is_string(in) && !strcmp(json_string_value(in), "VALID")) {
			uint8_t *p;
			size_t n;
			if (hex_decode_alloc(&p, &n, out) < 0 || decode_deep(p, n) < 0)
				group_fail(&enc, name, "valid input refused: %s", rlp_error);
			else
				free(p);
		} else if (encode_in(&b, in) < 0) {
			group_fail(&enc, name, "cannot encode input");
		} else {
			char *hex = hex_encode_alloc(b.p, b.len);
			if (strcasecmp(hex, out))
				group_fail(&enc, name, "encoded %s, want %s", hex, out);
			else if (decode_deep(b.p, b.len) < 0)
				group_fail(&enc, name, "decoder refused it: %s", rlp_error);
			free(hex);
		}
		buf_free(&b);
	}
	group_end(&enc);
	json_decref(v);
}

static void test_rlp_invalid(void)
{
	json_t *v = vector_json("ethereum-tests/RLPTests/invalidRLPTest.json");
	group g = {"RLPTests invalidRLPTest: every case refused", 0, 0};
	const char *name;
	json_t *c;
	json_object_foreach(v, name, c) {
		const char *out = json_string_value(json_object_get(c, "out"));
		uint8_t *p;
		size_t n;
		g.cases++;
		if (hex_decode_alloc(&p, &n, out) < 0)
			continue; /* not even hex: refused */
		if (decode_deep(p, n) == 0)
			group_fail(&g, name, "accepted %s", out);
		free(p);
	}
	group_end(&g);
	json_decref(v);
}

/* ethers rlp.json: {name, encoded, decoded} with nested hex strings. */
static int encode_ethers(buf *b, json_t *d)
{
	if (json_is_array(d)) {
		size_t start = rlp_list_begin(b), i;
		json_t *e;
		json_array_foreach(d, i, e)
			if (encode_ethers(b, e) < 0)
				return -1;
		rlp_list_end(b, start);
		return 0;
	}
	uint8_t *p;
	size_t n;
	if (!json_is_string(d) || hex_decode_alloc(&p, &n, json_string_value(d)) < 0)
		return -1;
	rlp_put_bytes(b, p, n);
	free(p);
	return 0;
}

static void test_rlp_ethers(void)
{
	json_t *v = vector_json("ethers/rlp.json.gz");
	group g = {"ethers rlp.json encode and decode", 0, 0};
	size_t i;
	json_t *c;
	json_array_foreach(v, i, c) {
		const char *name = json_string_value(json_object_get(c, "name"));
		const char *enc = json_string_value(json_object_get(c, "encoded"));
		buf b = BUF_INIT;
		g.cases++;
		if (encode_ethers(&b, json_object_get(c, "decoded")) < 0) {
			group_fail(&g, name, "cannot encode");
		} else {
			char *hex = hex_encode_alloc(b.p, b.len);
			if (strcasecmp(hex, enc))
				group_fail(&g, name, "got %s", hex);
			else if (decode_deep(b.p, b.len) < 0)
				group_fail(&g, name, "decoder refused: %s", rlp_error);
			free(hex);
		}
		buf_free(&b);
	}
	group_end(&g);
	json_decref(v);
}

static void test_rlp_strict(void)
{
	static const struct {
		const char *hex, *why;
	} bad[] = {
		{"0x8100", "wrapped single byte"},
		{"0xb800", "long form for short string"},
		{"0xb90000", "leading zero in length"},
		{"0xc3010203ff", "trailing byte"},
		{"0xc4010203", "list past end"},
		{"0x", "empty input"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		uint8_t *p;
		size_t n;
		if (hex_decode_alloc(&p, &n, bad[i].hex) < 0)
			continue;
		ok(decode_deep(p, n) < 0, "rlp refuses %s (%s)", bad[i].hex, bad[i].why);
		free(p);
	}
	rlp_item it = {(const uint8_t *)"\x00\x01", 2, false};
	u256 v;
	ok(rlp_to_u256(&v, &it, 32) < 0, "rlp integer with a leading zero is refused");
}

int main(void)
{
	test_keccak_known();
	test_keccak_vectors();
	test_rlp_valid("ethereum-tests/RLPTests/rlptest.json", "RLPTests rlptest.json encode");
	test_rlp_valid("ethereum-tests/RLPTests/RandomRLPTests/example.json", "RLPTests RandomRLPTests");
	test_rlp_invalid();
	test_rlp_ethers();
	test_rlp_strict();
	return unit_done();
}
