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

static bool encodes_to(const buf *b, const char *hex)
{
	uint8_t want[512];
	size_t n = unhex(want, hex);
	return b->len == n && !memcmp(b->p, want, n);
}

/* Encodings @ipld/dag-pb 4 and ipfs-unixfs 11 produce (generated once with node). */
static const char links_hex[] =
	"12240a221220a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447"
	"12280a2401551220a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a4471200"
	"12260a221220a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a4471800"
	"122c0a2401551220a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a44712016118ac02"
	"0a020801";

static void test_pb_known(void)
{
	cid c0, c1;
	buf b = BUF_INIT;
	pb_node n;
	ok(cid_parse(&c0, "QmZjTnYw2TFhn9Nn7tjmPSoTBoY7YRkwPzwSrSbabY24Kp") == 0 &&
	   cid_parse(&c1, "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4") == 0, "two link targets");

	pb_node empty = {0};
	pb_node_encode(&b, &empty);
	ok(b.len == 0, "the empty PBNode encodes to nothing");
	ok(pb_node_decode(&n, b.p, 0) == 0 && n.nlinks == 0 && !n.has_data, "and decodes from nothing");
	cid c;
	char s[CID_STR_MAX];
	cid_of(&c, CODEC_DAG_PB, NULL, 0);
	cid_str(s, &c);
	ok(!strcmp(s, "bafybeihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"), "the spec's empty dag-pb CID");

	pb_node d = {.data = (const uint8_t *)"Some data as a string", .data_len = 21, .has_data = true};
	buf_reset(&b);
	pb_node_encode(&b, &d);
	ok(encodes_to(&b, "0a15536f6d652064617461206173206120737472696e67"), "data only: as @ipld/dag-pb");
	pb_node e = {.data = (const uint8_t *)"", .has_data = true};
	buf_reset(&b);
	pb_node_encode(&b, &e);
	ok(encodes_to(&b, "0a00"), "empty data is written (0a 00)");
	ok(pb_node_decode(&n, b.p, b.len) == 0 && n.has_data && n.data_len == 0, "and read back as present");

	pb_link ls[4] = {
		{.hash = c0},
		{.hash = c1, .name = "", .name_len = 0, .has_name = true},
		{.hash = c0, .tsize = 0, .has_tsize = true},
		{.hash = c1, .name = "a", .name_len = 1, .has_name = true, .tsize = 300, .has_tsize = true},
	};
	pb_node f = {.links = ls, .nlinks = 4, .data = (const uint8_t *)"\x08\x01", .data_len = 2, .has_data = true};
	buf_reset(&b);
	pb_node_encode(&b, &f);
	ok(encodes_to(&b, links_hex), "four links (no name, empty name, zero tsize, both) then data: as @ipld/dag-pb");
	ok(pb_node_decode(&n, b.p, b.len) == 0 && n.nlinks == 4 && n.has_data && n.data_len == 2, "decodes");
	bool same = n.nlinks == 4;
	for (size_t i = 0; same && i < 4; i++)
		same = cid_equal(&n.links[i].hash, &ls[i].hash) && n.links[i].has_name == ls[i].has_name &&
		       n.links[i].name_len == ls[i].name_len && n.links[i].has_tsize == ls[i].has_tsize &&
		       n.links[i].tsize == ls[i].tsize &&
		       (!ls[i].name_len || !memcmp(n.links[i].name, ls[i].name, ls[i].name_len));
	ok(same, "every link field comes back as written");
	buf again = BUF_INIT;
	pb_node_encode(&again, &n);
	ok(again.len == b.len && !memcmp(again.p, b.p, b.len), "decode then encode is byte-identical");
	pb_node_free(&n);
	cid *links;
	size_t nl;
	cid_of(&c, CODEC_DAG_PB, b.p, b.len);
	ok(block_links(&links, &nl, &c, b.p, b.len) == 0 && nl == 4 && cid_equal(&links[0], &c0) &&
	   cid_equal(&links[3], &c1), "block_links lists the four hashes in order");
	free(links);
	buf_free(&again);
	buf_free(&b);
}

/* tmpl with each 'L' replaced by link. */
static void expand(char *out, size_t cap, const char *tmpl, const char *link)
{
	size_t n = 0, ll = strlen(link);
	for (; *tmpl && n + ll + 1 < cap; tmpl++) {
		if (*tmpl == 'L') {
			memcpy(out + n, link, ll);
			n += ll;
		} else {
			out[n++] = *tmpl;
		}
	}
	out[n] = 0;
}

static void test_pb_bad(void)
{
	static const char link1[] = "0a221220a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447";
	char hex[512];
	pb_node n;
	uint8_t in[256];
	size_t len;

	/* Data before Links: the spec says accept it. */
	expand(hex, sizeof(hex), "0a0108" "1224L", link1);
	len = unhex(in, hex);
	ok(pb_node_decode(&n, in, len) == 0 && n.nlinks == 1 && n.has_data, "Data before Links is accepted (spec)");
	pb_node_free(&n);

	static const struct {
		const char *what, *fmt;
	} bad[] = {
		{"Links, Data, Links", "1224L0a01081224L"},
		{"Data twice", "1224L0a01080a0108"},
		{"Data, Links, Data", "0a01081224L0a0108"},
		{"unknown field 3", "1224L1a0100"},
		{"Data as a varint", "1224L0801"},
		{"truncated link", "1225L"},
		{"truncated data", "1224L0a02"},
		{"length not minimal", "12a400L"},
		{"trailing key byte", "1224L0a"},
		{"field 0", "1224L0201"},
	};
	group g = {"PBNode: malformed or out-of-order forms refused", 0, 0};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		expand(hex, sizeof(hex), bad[i].fmt, link1);
		len = unhex(in, hex);
		g.cases++;
		if (pb_node_decode(&n, in, len) == 0) {
			group_fail(&g, bad[i].what, "accepted");
			pb_node_free(&n);
		}
	}
	group_end(&g);

	static const struct {
		const char *what, *link;
	} badlink[] = {
		{"no Hash", "120161"},
		{"Name before Hash", "1201610a221220a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447"},
		{"Tsize before Hash", "18010a221220a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447"},
		{"Hash twice",
		 "0a221220a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a4470a221220a948904f2f0f479b8f81"
		 "97694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447"},
		{"Tsize twice", "0a221220a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a44718011801"},
		{"Tsize as bytes", "0a221220a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a4471a0101"},
		{"Hash with a trailing byte", "0a231220a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a44700"},
		{"Hash not a CID", "0a03020304"},
		{"unknown field 4", "0a221220a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a4472001"},
	};
	group h = {"PBLink: missing, duplicate, out-of-order or unknown fields refused", 0, 0};
	for (size_t i = 0; i < ARRAY_SIZE(badlink); i++) {
		uint8_t body[200];
		size_t blen = unhex(body, badlink[i].link);
		in[0] = 0x12;
		in[1] = (uint8_t)blen;
		memcpy(in + 2, body, blen);
		h.cases++;
		if (pb_node_decode(&n, in, blen + 2) == 0) {
			group_fail(&h, badlink[i].what, "accepted");
			pb_node_free(&n);
		}
	}
	group_end(&h);
	ok(n.links == NULL && n.nlinks == 0, "a refused node leaves nothing to free");
}

static void test_ufs(void)
{
	buf b = BUF_INIT;
	ufs_data d;
	uint64_t bs[3] = {1048576, 1048576, 17};
	ufs_data file = {.type = UFS_FILE, .filesize = 2097169, .has_filesize = true, .blocksizes = bs, .nblocksizes = 3};
	ufs_data_encode(&b, &file);
	ok(encodes_to(&b, "0802189180800120808040208080402011"), "file with blocksizes: as ipfs-unixfs (not packed)");
	ok(ufs_data_decode(&d, b.p, b.len) == 0 && d.type == UFS_FILE && d.has_filesize && d.filesize == 2097169 &&
	   d.nblocksizes == 3 && d.blocksizes[2] == 17 && !d.has_data, "and decodes");
	ufs_data_free(&d);

	ufs_data dir = {.type = UFS_DIRECTORY};
	buf_reset(&b);
	ufs_data_encode(&b, &dir);
	ok(encodes_to(&b, "0801"), "directory: 08 01");
	ufs_data small = {.type = UFS_FILE, .data = (const uint8_t *)"\x01\x02\x03", .data_len = 3, .has_data = true,
			  .filesize = 3, .has_filesize = true};
	buf_reset(&b);
	ufs_data_encode(&b, &small);
	ok(encodes_to(&b, "080212030102031803"), "file with inline data: as ipfs-unixfs");
	ufs_data emptyf = {.type = UFS_FILE, .has_filesize = true};
	buf_reset(&b);
	ufs_data_encode(&b, &emptyf);
	ok(encodes_to(&b, "08021800"), "empty file: type and filesize 0");
	ufs_data raw = {.type = UFS_RAW, .data = (const uint8_t *)"\x09", .data_len = 1, .has_data = true,
			.filesize = 1, .has_filesize = true};
	buf_reset(&b);
	ufs_data_encode(&b, &raw);
	ok(encodes_to(&b, "08001201091801"), "raw node: type 0 is written");
	ufs_data hamt = {.type = UFS_HAMT_SHARD, .hash_type = 0x22, .has_hash_type = true, .fanout = 256,
			 .has_fanout = true, .data = (const uint8_t *)"", .has_data = false};
	buf_reset(&b);
	ufs_data_encode(&b, &hamt);
	ok(encodes_to(&b, "08052822308002"), "HAMT shard: hashType and fanout");
	ok(ufs_data_decode(&d, b.p, b.len) == 0 && d.type == UFS_HAMT_SHARD && d.fanout == 256 &&
	   d.hash_type == 0x22, "and decodes");
	ufs_data_free(&d);
	ufs_data mode = {.type = UFS_FILE, .has_filesize = true, .mode = 0755, .has_mode = true};
	buf_reset(&b);
	ufs_data_encode(&b, &mode);
	ok(encodes_to(&b, "08021800" "38ed03"), "mode is field 7 after filesize");
	ok(ufs_data_decode(&d, b.p, b.len) == 0 && d.has_mode && d.mode == 0755, "and decodes");
	ufs_data_free(&d);
	buf_free(&b);

	static const struct {
		const char *what, *hex;
	} bad[] = {
		{"no Type", "1800"},
		{"empty", ""},
		{"Type 6", "0806"},
		{"mtime", "0802180042020801"},
		{"unknown field 9", "08024801"},
		{"packed blocksizes", "080222020102"},
		{"fields out of order", "08021800080218"},
		{"filesize twice", "080218001800"},
		{"Type twice", "08020802"},
		{"filesize as bytes", "08021a0100"},
		{"mode over 32 bits", "0802388080808010"},
		{"truncated data", "08021205"},
		{"varint not minimal", "088200"},
	};
	group g = {"UnixFS Data: malformed, unsupported and out-of-order forms refused", 0, 0};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		uint8_t in[64];
		size_t n = unhex(in, bad[i].hex);
		g.cases++;
		if (ufs_data_decode(&d, in, n) == 0) {
			group_fail(&g, bad[i].what, "accepted");
			ufs_data_free(&d);
		}
	}
	group_end(&g);
}

static void test_cbor_links(void)
{
	/* @ipld/dag-cbor of {a: [raw CID, {b: v0 CID}], n: 1.5, s: "x", neg: -1000, t: true, nil: null} */
	static const char hex[] =
		"a6616182d82a58250001551220a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447a16162d82a"
		"5823001220a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447616efb3ff80000000000006173"
		"61786174f5636e65673903e7636e696cf6";
	uint8_t in[256];
	size_t len = unhex(in, hex), n;
	cid c, c0, c1, *links;
	cid_of(&c, CODEC_DAG_CBOR, in, len);
	ok(cid_parse(&c0, "QmZjTnYw2TFhn9Nn7tjmPSoTBoY7YRkwPzwSrSbabY24Kp") == 0 &&
	   cid_parse(&c1, "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4") == 0, "link targets");
	ok(block_links(&links, &n, &c, in, len) == 0 && n == 2 && cid_equal(&links[0], &c1) &&
	   cid_equal(&links[1], &c0), "dag-cbor: both tag-42 CIDs, nested, in order");
	free(links);
	ok(block_links(&links, &n, &c, in, len - 1) < 0, "dag-cbor: truncated refused");
	uint8_t more[300];
	memcpy(more, in, len);
	more[len] = 0x00;
	ok(block_links(&links, &n, &c, more, len + 1) < 0, "dag-cbor: trailing bytes refused");
	memcpy(more, in, len);
	more[5] = 0x2b; /* tag 43 */
	ok(block_links(&links, &n, &c, more, len) < 0, "dag-cbor: a tag other than 42 refused");
	memcpy(more, in, len);
	more[8] = 0x01; /* the multibase identity prefix */
	ok(block_links(&links, &n, &c, more, len) < 0, "dag-cbor: a CID without its 0x00 prefix refused");
	static const char *badc[] = {"9f01ff", "5f4101ff", "a1", "9bffffffffffffffff", "fc", "d82a4100", "d82a00"};
	group g = {"dag-cbor: indefinite lengths, huge counts, reserved heads, bad tag-42 refused", 0, 0};
	for (size_t i = 0; i < ARRAY_SIZE(badc); i++) {
		size_t bl = unhex(more, badc[i]);
		g.cases++;
		if (block_links(&links, &n, &c, more, bl) == 0) {
			group_fail(&g, badc[i], "accepted");
			free(links);
		}
	}
	group_end(&g);
	ok(block_links(&links, &n, &c, (const uint8_t *)"\xf6", 1) == 0 && n == 0 && !links, "dag-cbor null: no links");
	cid raw;
	cid_of(&raw, CODEC_RAW, in, len);
	ok(block_links(&links, &n, &raw, in, len) == 0 && n == 0, "raw: no links, whatever the bytes");
	ok(cid_parse(&raw, "bafkqaaa") == 0 && block_links(&links, &n, &raw, NULL, 0) == 0 && n == 0,
	   "identity raw: no links");
	uint8_t json[] = {0x01, 0xa9, 0x02, 0x00, 0x00};
	ok(cid_decode(&raw, NULL, json, sizeof(json)) == 0 && block_links(&links, &n, &raw, NULL, 0) < 0,
	   "a codec we do not walk (dag-json) is refused");
	cid pbc;
	cid_of(&pbc, CODEC_DAG_PB, in, len);
	ok(block_links(&links, &n, &pbc, in, len) < 0, "dag-cbor bytes under a dag-pb CID refused");
}

/* The fixture's dag-pb blocks: decode, re-encode identical, links as the JSON lists them. */
static void test_pb_vectors(void)
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
	group g = {"carv1-basic: every block's links as the JSON says; dag-pb re-encodes identically", 0, 0};
	size_t i, npb = 0;
	json_t *blk;
	json_array_foreach(json_object_get(j, "blocks"), i, blk) {
		const char *s = json_string_value(json_object_get(json_object_get(blk, "cid"), "/"));
		size_t boff = (size_t)json_integer_value(json_object_get(blk, "blockOffset"));
		size_t blen = (size_t)json_integer_value(json_object_get(blk, "blockLength"));
		json_t *content = json_object_get(blk, "content");
		cid c, *links = NULL;
		size_t nl;
		g.cases++;
		if (!s || cid_parse(&c, s) < 0 || boff + blen > car.len) {
			group_fail(&g, s ? s : "?", "bad vector");
			continue;
		}
		const uint8_t *data = car.p + boff;
		/* What the JSON says the links are. */
		cid want[8];
		size_t nwant = 0;
		json_t *jl = json_object_get(content, "Links"), *one;
		size_t k;
		if (jl) {
			json_array_foreach(jl, k, one) {
				if (nwant < 8 && cid_parse(&want[nwant], json_string_value(json_object_get(
								json_object_get(one, "Hash"), "/"))) == 0)
					nwant++;
			}
		} else if ((one = json_object_get(json_object_get(content, "link"), "/")) && nwant < 8 &&
			   cid_parse(&want[nwant], json_string_value(one)) == 0) {
			nwant++;
		}
		if (block_links(&links, &nl, &c, data, blen) < 0 || nl != nwant) {
			group_fail(&g, s, "links differ");
			free(links);
			continue;
		}
		for (k = 0; k < nl; k++)
			if (!cid_equal(&links[k], &want[k]))
				break;
		free(links);
		if (k != nl) {
			group_fail(&g, s, "link %zu differs", k);
			continue;
		}
		if (cid_codec(&c) != CODEC_DAG_PB)
			continue;
		npb++;
		pb_node n;
		buf b = BUF_INIT;
		if (pb_node_decode(&n, data, blen) < 0) {
			group_fail(&g, s, "does not decode");
			continue;
		}
		json_array_foreach(jl, k, one) {
			const char *name = json_string_value(json_object_get(one, "Name"));
			if (k >= n.nlinks || !name || !n.links[k].has_name || n.links[k].name_len != strlen(name) ||
			    memcmp(n.links[k].name, name, strlen(name)) || !n.links[k].has_tsize ||
			    n.links[k].tsize != (uint64_t)json_integer_value(json_object_get(one, "Tsize")))
				group_fail(&g, s, "link %zu name or size differs", k);
		}
		pb_node_encode(&b, &n);
		if (b.len != blen || memcmp(b.p, data, blen))
			group_fail(&g, s, "re-encoding differs");
		buf_free(&b);
		pb_node_free(&n);
	}
	group_end(&g);
	ok(npb == 3, "the fixture has 3 dag-pb blocks");
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
	test_pb_known();
	test_pb_bad();
	test_ufs();
	test_cbor_links();
	test_pb_vectors();
	return unit_done();
}
