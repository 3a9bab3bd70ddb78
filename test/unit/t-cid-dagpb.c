/* CIDs, varints, base32/base58 and the dag-pb / UnixFS codecs: known values and forgeries. */
#include "lst.h"
#include "unit.h"
#include "buf.h"
#include "cid.h"
#include "dagpb.h"

static size_t unhex(uint8_t *out, const char *hex)
{
	size_t n = 0;
	for (; hex[0] && hex[1]; hex += 2) {
		unsigned v;
		if (sscanf(hex, "%2x", &v) != 1)
			break;
		out[n++] = (uint8_t)v;
	}
	return n;
}

static void test_varint(void)
{
	static const struct {
		uint64_t v;
		const char *hex;
	} vs[] = {
		{0, "00"}, {1, "01"}, {127, "7f"}, {128, "8001"}, {300, "ac02"}, {16384, "808001"},
		{0x0129, "a902"}, {(1ull << 63) - 1, "ffffffffffffffff7f"},
	};
	group g = {"varint put/get known values", 0, 0};
	for (size_t i = 0; i < ARRAY_SIZE(vs); i++) {
		uint8_t want[10], got[10];
		size_t wn = unhex(want, vs[i].hex), n = varint_put(got, vs[i].v), used = 0;
		uint64_t back = 0;
		g.cases++;
		if (n != wn || memcmp(got, want, n))
			group_fail(&g, vs[i].hex, "encoding differs");
		else if (varint_get(&back, &used, want, wn) < 0 || back != vs[i].v || used != wn)
			group_fail(&g, vs[i].hex, "decoding differs");
	}
	group_end(&g);
	static const char *bad[] = {
		"",                   /* empty */
		"80",                 /* truncated */
		"ff",                 /* truncated */
		"8000",               /* 0 not minimal */
		"8100",               /* 1 not minimal */
		"ff80",               /* truncated after two */
		"ffffffffffffffff80", /* ninth byte continues */
		"ffffffffffffffffff01", /* ten bytes: over 63 bits */
	};
	group b = {"varint: truncated, non-minimal and over 63 bits refused", 0, 0};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		uint8_t in[16];
		size_t n = unhex(in, bad[i]), used;
		uint64_t v;
		b.cases++;
		if (varint_get(&v, &used, in, n) == 0)
			group_fail(&b, bad[i], "accepted");
	}
	group_end(&b);
	uint8_t two[] = {0x05, 0x06};
	uint64_t v;
	size_t used;
	ok(varint_get(&v, &used, two, 2) == 0 && v == 5 && used == 1, "varint stops at its last byte");
}

static void test_base32(void)
{
	static const char *rfc[][2] = {
		{"", ""}, {"f", "my"}, {"fo", "mzxq"}, {"foo", "mzxw6"}, {"foob", "mzxw6yq"},
		{"fooba", "mzxw6ytb"}, {"foobar", "mzxw6ytboi"},
	};
	group g = {"base32: RFC 4648 vectors (lowercase, unpadded) both ways", 0, 0};
	for (size_t i = 0; i < ARRAY_SIZE(rfc); i++) {
		char out[32];
		uint8_t back[32];
		size_t n;
		g.cases++;
		base32_encode(out, sizeof(out), (const uint8_t *)rfc[i][0], strlen(rfc[i][0]));
		if (strcmp(out, rfc[i][1]))
			group_fail(&g, rfc[i][0], "encoded %s", out);
		else if (base32_decode(back, &n, rfc[i][1], strlen(rfc[i][1])) < 0 || n != strlen(rfc[i][0]) ||
			 memcmp(back, rfc[i][0], n))
			group_fail(&g, rfc[i][0], "decoding differs");
	}
	group_end(&g);
	static const char *bad[] = {"MY", "my=", "m1", "m", "mzx", "mzxw6y", "mz", "mzxr"};
	group b = {"base32: uppercase, padding, bad letters, bad lengths, non-zero trailing bits refused", 0, 0};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		uint8_t out[16];
		size_t n;
		b.cases++;
		if (base32_decode(out, &n, bad[i], strlen(bad[i])) == 0)
			group_fail(&b, bad[i], "accepted");
	}
	group_end(&b);
	char small[4];
	size_t need = base32_encode(small, sizeof(small), (const uint8_t *)"foobar", 6);
	ok(need == 10 && strlen(small) == 3, "base32_encode reports the full length and truncates to cap");
}

static void test_cid_known(void)
{
	cid c, d;
	char s[CID_STR_MAX];
	uint64_t code;
	const uint8_t *dg;
	size_t dlen;

	ok(cid_parse(&c, "bafkqaaa") == 0 && c.len == 4 && !memcmp(c.bytes, "\x01\x55\x00\x00", 4),
	   "bafkqaaa is raw identity of nothing");
	ok(cid_version(&c) == 1 && cid_codec(&c) == CODEC_RAW, "bafkqaaa: v1 raw");
	cid_digest(&c, &code, &dg, &dlen);
	ok(code == MH_IDENTITY && dlen == 0, "bafkqaaa: identity, empty digest");
	ok(cid_check(&c, NULL, 0) == 0, "bafkqaaa checks against the empty block");
	ok(cid_check(&c, (const uint8_t *)"x", 1) < 0, "bafkqaaa does not check against 'x'");
	cid_str(s, &c);
	ok(!strcmp(s, "bafkqaaa"), "bafkqaaa prints back");

	cid_of(&c, CODEC_RAW, NULL, 0);
	cid_str(s, &c);
	ok(!strcmp(s, "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"), "raw sha2-256 of nothing");
	ok(cid_check(&c, NULL, 0) == 0 && cid_check(&c, (const uint8_t *)"", 1) < 0,
	   "empty block checks; one zero byte does not");

	/* multiformats (node) gave these for "hello world\n". */
	const uint8_t *hw = (const uint8_t *)"hello world\n";
	cid_of(&c, CODEC_RAW, hw, 12);
	cid_str(s, &c);
	ok(!strcmp(s, "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"), "raw CID of 'hello world\\n'");
	ok(cid_check(&c, hw, 12) == 0 && cid_check(&c, hw, 11) < 0 &&
	   cid_check(&c, (const uint8_t *)"hello worle\n", 12) < 0, "checks only its own bytes");
	cid_of(&c, CODEC_DAG_PB, hw, 12);
	cid_str(s, &c);
	ok(!strcmp(s, "bafybeifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"), "dag-pb v1 of the same hash");
	cid_of(&c, CODEC_DAG_CBOR, hw, 12);
	cid_str(s, &c);
	ok(!strcmp(s, "bafyreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"), "dag-cbor v1 of the same hash");
	ok(cid_parse(&d, "QmZjTnYw2TFhn9Nn7tjmPSoTBoY7YRkwPzwSrSbabY24Kp") == 0 && cid_version(&d) == 0 &&
	   d.len == 34 && cid_codec(&d) == CODEC_DAG_PB, "CIDv0 parses: dag-pb, 34 bytes");
	ok(cid_check(&d, hw, 12) == 0, "the v0 of 'hello world\\n' checks against it");
	cid_digest(&d, &code, &dg, &dlen);
	ok(code == MH_SHA2_256 && dlen == 32 && !memcmp(dg, c.bytes + 4, 32), "v0 and v1 share the digest");
	ok(!cid_equal(&c, &d), "v0 and v1 are different CIDs");
	cid_str(s, &d);
	ok(!strcmp(s, "QmZjTnYw2TFhn9Nn7tjmPSoTBoY7YRkwPzwSrSbabY24Kp"), "CIDv0 prints back");
	ok(cid_parse(&d, "QmQPeNsJPyVWPFDVHb9S5v33UrSrUyqaWr9rWSFgRVb3c1") == 0, "another CIDv0 parses");
	cid_str(s, &d);
	ok(!strcmp(s, "QmQPeNsJPyVWPFDVHb9S5v33UrSrUyqaWr9rWSFgRVb3c1"), "and prints back");

	/* A binary CID inside a longer buffer. */
	uint8_t wire[CID_MAX + 4];
	size_t used;
	memcpy(wire, c.bytes, c.len);
	memcpy(wire + c.len, "tail", 4);
	ok(cid_decode(&d, &used, wire, c.len + 4) == 0 && used == c.len && cid_equal(&c, &d),
	   "cid_decode stops at the end of the CID");
	ok(cid_decode(&d, &used, wire, c.len - 1) < 0, "a truncated binary CID is refused");
	uint8_t dgst[32];
	sha256(dgst, hw, 12);
	cid_from_sha256(&d, CODEC_DAG_CBOR, dgst);
	ok(cid_equal(&c, &d), "cid_from_sha256 equals cid_of");
	uint8_t big[] = {0x01, 0xa9, 0x02, 0x00, 0x01, 0x07};
	ok(cid_decode(&d, NULL, big, sizeof(big)) == 0 && cid_codec(&d) == CODEC_DAG_JSON,
	   "a two-byte codec varint (dag-json) decodes");
}

static void test_cid_bad(void)
{
	static const char *bad[] = {
		"",
		"b",
		"Bafkqaaa",                                      /* uppercase base32 multibase */
		"BAFKQAAA",
		"zb2rhe5P4gXftAwvA4eXQ5HJwsER2owDyS9sKaQRRVQPn93bA", /* base58btc v1 */
		"fAFKQAAA",
		"bafkqaaaa",                                     /* trailing bytes */
		"bafkqaab",                                      /* non-canonical trailing bits */
		"bafkqaa",                                       /* truncated */
		"bafkqaaa ",
		"QmZjTnYw2TFhn9Nn7tjmPSoTBoY7YRkwPzwSrSbabY24K",   /* 45 chars */
		"QmZjTnYw2TFhn9Nn7tjmPSoTBoY7YRkwPzwSrSbabY24Kpp", /* 47 chars */
		"QmZjTnYw2TFhn9Nn7tjmPSoTBoY7YRkwPzwSrSbabY24K0",  /* '0' not base58 */
		"QmZjTnYw2TFhn9Nn7tjmPSoTBoY7YRkwPzwSrSbabY24Kl",  /* 'l' not base58 */
		"qmZjTnYw2TFhn9Nn7tjmPSoTBoY7YRkwPzwSrSbabY24Kp",
		"Qm11111111111111111111111111111111111111111111",   /* does not decode to 0x12 0x20 */
		"Qmzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",   /* too large for 34 bytes */
	};
	group g = {"cid_parse refuses malformed strings", 0, 0};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		cid c;
		g.cases++;
		if (cid_parse(&c, bad[i]) == 0)
			group_fail(&g, bad[i], "accepted");
	}
	group_end(&g);

	/* Binary forms encoded as 'b' strings, each refused. */
	static const char *badbin[] = {
		"02550000",     /* version 2 */
		"00550000",     /* version 0 written as a varint */
		"8001550000",   /* version 1 not minimal */
		"01550041",     /* identity claims 65 bytes */
		"0155001f",     /* identity claims 31 bytes, has none */
		"122000000000000000000000000000000000000000000000000000000000000000000000", /* v0 bytes in base32 */
		"1201",         /* 0x12 alone */
		"015512",       /* truncated multihash */
	};
	group b = {"cid_parse/cid_decode refuse bad binary CIDs", 0, 0};
	for (size_t i = 0; i < ARRAY_SIZE(badbin); i++) {
		uint8_t bin[64];
		char s[CID_STR_MAX];
		cid c;
		size_t n = unhex(bin, badbin[i]);
		s[0] = 'b';
		base32_encode(s + 1, sizeof(s) - 1, bin, n);
		b.cases++;
		if (cid_parse(&c, s) == 0)
			group_fail(&b, badbin[i], "string accepted");
		else if (i != 5 && cid_decode(&c, NULL, bin, n) == 0)
			group_fail(&b, badbin[i], "binary accepted");
	}
	group_end(&b);
	/* A 64-byte identity digest fits; the CID is 68 bytes. */
	uint8_t id64[4 + 64];
	memcpy(id64, "\x01\x55\x00\x40", 4);
	for (int i = 0; i < 64; i++)
		id64[4 + i] = (uint8_t)i;
	cid c;
	char s[CID_STR_MAX];
	ok(cid_decode(&c, NULL, id64, sizeof(id64)) == 0 && cid_check(&c, id64 + 4, 64) == 0,
	   "an identity CID of 64 bytes decodes and checks");
	cid_str(s, &c);
	cid d;
	ok(cid_parse(&d, s) == 0 && cid_equal(&c, &d), "and its string round-trips");
	id64[4 + 63] ^= 1;
	ok(cid_check(&c, id64 + 4, 64) < 0, "identity: one flipped bit does not check");
	uint8_t sha512[] = {0x01, 0x55, 0x13, 0x04, 1, 2, 3, 4};
	ok(cid_decode(&c, NULL, sha512, sizeof(sha512)) == 0 && cid_check(&c, (const uint8_t *)"abcd", 4) < 0,
	   "a hash we do not compute (0x13) never checks");
	uint8_t shortsha[] = {0x01, 0x55, 0x12, 0x04, 1, 2, 3, 4};
	ok(cid_decode(&c, NULL, shortsha, sizeof(shortsha)) == 0 && cid_check(&c, (const uint8_t *)"", 0) < 0,
	   "a truncated sha2-256 digest never checks");
}

/* Every CID the IPLD CAR fixture lists parses, prints back, and matches the binary in the file. */
static void test_cid_vectors(void)
{
	json_t *j = vector_json("ipld/carv1-basic.json");
	char *path = vector_path("ipld/carv1-basic.car");
	buf car = BUF_INIT;
	if (!j || buf_read_file(&car, path, 0) < 0) {
		ok(0, "read ipld/carv1-basic.{json,car}");
		free(path);
		json_decref(j);
		return;
	}
	group g = {"carv1-basic: every block's CID parses, prints, equals the file's bytes and checks", 0, 0};
	size_t i;
	json_t *blk;
	json_array_foreach(json_object_get(j, "blocks"), i, blk) {
		const char *s = json_string_value(json_object_get(json_object_get(blk, "cid"), "/"));
		size_t off = (size_t)json_integer_value(json_object_get(blk, "offset"));
		size_t boff = (size_t)json_integer_value(json_object_get(blk, "blockOffset"));
		size_t blen = (size_t)json_integer_value(json_object_get(blk, "blockLength"));
		cid c, d;
		char back[CID_STR_MAX];
		uint64_t sl;
		size_t used, vu;
		g.cases++;
		if (!s || cid_parse(&c, s) < 0) {
			group_fail(&g, s ? s : "?", "does not parse");
			continue;
		}
		cid_str(back, &c);
		if (strcmp(back, s)) {
			group_fail(&g, s, "prints as %s", back);
			continue;
		}
		if (varint_get(&sl, &vu, car.p + off, car.len - off) < 0 ||
		    cid_decode(&d, &used, car.p + off + vu, car.len - off - vu) < 0 || !cid_equal(&c, &d) ||
		    off + vu + used != boff) {
			group_fail(&g, s, "binary in the CAR differs");
			continue;
		}
		if (boff + blen > car.len || cid_check(&c, car.p + boff, blen) < 0) {
			group_fail(&g, s, "block does not check");
			continue;
		}
		car.p[boff] ^= 1;
		if (cid_check(&c, car.p + boff, blen) == 0)
			group_fail(&g, s, "a flipped block still checks");
		car.p[boff] ^= 1;
	}
	group_end(&g);
	ok(g.cases == 8, "the fixture has 8 blocks");
	buf_free(&car);
	free(path);
	json_decref(j);
}

int main(void)
{
	test_varint();
	test_base32();
	test_cid_known();
	test_cid_bad();
	test_cid_vectors();
	return unit_done();
}
