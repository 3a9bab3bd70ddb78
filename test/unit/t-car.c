/* CARv1: the IPLD fixture, our own archives read back, and every kind of damage. */
#include "lst.h"
#include "unit.h"
#include "bstore.h"
#include "car.h"
#include "diag.h"

#include <sys/mman.h>
#include <unistd.h>

static int fd_of(const uint8_t *p, size_t n)
{
	int fd = memfd_create("car", MFD_CLOEXEC);
	size_t done = 0;
	while (fd >= 0 && done < n) {
		ssize_t w = write(fd, p + done, n - done);
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	if (fd >= 0)
		lseek(fd, 0, SEEK_SET);
	return fd;
}

/* Read a whole CAR from memory: blocks seen, or -1 on any error (and *nroots). */
static int read_all(const uint8_t *p, size_t n, size_t *nroots, uint64_t *end)
{
	int fd = fd_of(p, n), count = 0, r;
	cid *roots, c;
	buf b = BUF_INIT;
	car_reader *rd = car_open(fd, &roots, nroots);
	if (!rd) {
		close(fd);
		return -1;
	}
	while ((r = car_next(rd, &c, &b)) == 1)
		count++;
	if (end)
		*end = car_offset(rd);
	car_close(rd);
	free(roots);
	buf_free(&b);
	close(fd);
	return r < 0 ? -1 : count;
}

static void test_fixture(void)
{
	json_t *j = vector_json("ipld/carv1-basic.json");
	char *path = vector_path("ipld/carv1-basic.car");
	buf car = BUF_INIT, b = BUF_INIT;
	if (!j || buf_read_file(&car, path, 0) < 0) {
		ok(0, "read ipld/carv1-basic.{json,car}");
		free(path);
		json_decref(j);
		return;
	}
	int fd = fd_of(car.p, car.len);
	cid *roots, c;
	size_t nroots, i;
	json_t *jr, *blk;
	car_reader *r = car_open(fd, &roots, &nroots);
	ok(r != NULL, "carv1-basic.car opens");
	json_t *jroots = json_object_get(json_object_get(j, "header"), "roots");
	bool same = r && nroots == json_array_size(jroots);
	json_array_foreach(jroots, i, jr) {
		cid want;
		same = same && cid_parse(&want, json_string_value(json_object_get(jr, "/"))) == 0 &&
		       cid_equal(&want, &roots[i]);
	}
	ok(same, "its two roots are the JSON's");

	/* Our header for the same roots is byte for byte the fixture's. */
	buf h = BUF_INIT;
	if (r)
		car_header(&h, roots, nroots);
	ok(h.len == 100 && !memcmp(h.p, car.p, 100), "car_header writes the fixture's 100-byte header");
	buf_free(&h);

	group g = {"carv1-basic: every block in order, at its offset, with its length", 0, 0};
	json_array_foreach(json_object_get(j, "blocks"), i, blk) {
		const char *s = json_string_value(json_object_get(json_object_get(blk, "cid"), "/"));
		uint64_t off = (uint64_t)json_integer_value(json_object_get(blk, "offset"));
		size_t blen = (size_t)json_integer_value(json_object_get(blk, "blockLength"));
		size_t boff = (size_t)json_integer_value(json_object_get(blk, "blockOffset"));
		cid want;
		g.cases++;
		if (!r || car_offset(r) != off) {
			group_fail(&g, s, "offset differs");
			continue;
		}
		if (car_next(r, &c, &b) != 1 || cid_parse(&want, s) < 0 || !cid_equal(&want, &c) || b.len != blen ||
		    memcmp(b.p, car.p + boff, blen))
			group_fail(&g, s, "block differs");
	}
	group_end(&g);
	ok(g.cases == 8, "8 blocks listed");
	ok(r && car_next(r, &c, &b) == 0 && car_offset(r) == car.len, "then a clean end at the end of the file");
	car_close(r);
	free(roots);
	close(fd);

	/* Cut anywhere but between sections and reading fails; cut between sections is a shorter CAR. */
	bool boundary[1024] = {false};
	json_array_foreach(json_object_get(j, "blocks"), i, blk) {
		size_t off = (size_t)json_integer_value(json_object_get(blk, "offset"));
		if (off < sizeof(boundary))
			boundary[off] = true;
	}
	diag_set_quiet(true);
	group t = {"carv1-basic cut at every byte: an error unless cut between sections", 0, 0};
	for (size_t cut = 0; cut < car.len && cut < sizeof(boundary); cut++) {
		size_t nr;
		int n = read_all(car.p, cut, &nr, NULL);
		char name[32];
		snprintf(name, sizeof(name), "cut at %zu", cut);
		t.cases++;
		if (boundary[cut] ? n < 0 : n >= 0)
			group_fail(&t, name, "read gave %d", n);
	}
	group_end(&t);

	/* One flipped bit in each block's data: that block is refused. */
	group f = {"carv1-basic: a flipped byte in any block is refused", 0, 0};
	json_array_foreach(json_object_get(j, "blocks"), i, blk) {
		size_t boff = (size_t)json_integer_value(json_object_get(blk, "blockOffset"));
		size_t nr;
		f.cases++;
		car.p[boff + 1] ^= 0x01;
		if (read_all(car.p, car.len, &nr, NULL) >= 0)
			group_fail(&f, json_string_value(json_object_get(json_object_get(blk, "cid"), "/")), "accepted");
		car.p[boff + 1] ^= 0x01;
	}
	group_end(&f);
	diag_set_quiet(false);
	size_t nr;
	ok(read_all(car.p, car.len, &nr, NULL) == 8, "unflipped, all 8 blocks read again");

	buf_free(&b);
	buf_free(&car);
	free(path);
	json_decref(j);
}

static void test_roundtrip(void)
{
	buf car = BUF_INIT, b = BUF_INIT;
	cid c[5], got;
	const char *datas[] = {"", "hello", "\x0a\x01\x41", "abc"};
	cid_of(&c[0], CODEC_RAW, NULL, 0);
	cid_of(&c[1], CODEC_RAW, (const uint8_t *)"hello", 5);
	uint8_t v0[34] = {0x12, 0x20};
	sha256(v0 + 2, (const uint8_t *)"\x0a\x01\x41", 3);
	ok(cid_decode(&c[2], NULL, v0, 34) == 0 && cid_version(&c[2]) == 0, "a CIDv0 section");
	uint8_t idc[] = {0x01, 0x55, 0x00, 0x03, 'a', 'b', 'c'};
	ok(cid_decode(&c[3], NULL, idc, sizeof(idc)) == 0, "an identity section");
	car_header(&car, c, 2);
	for (int i = 0; i < 4; i++)
		car_section(&car, &c[i], (const uint8_t *)datas[i], strlen(datas[i]));
	/* and a block of exactly BLOCK_MAX */
	uint8_t *big = xcalloc(1, BLOCK_MAX);
	big[7] = 7;
	cid_of(&c[4], CODEC_RAW, big, BLOCK_MAX);
	car_section(&car, &c[4], big, BLOCK_MAX);

	int fd = fd_of(car.p, car.len);
	cid *roots;
	size_t nroots;
	car_reader *r = car_open(fd, &roots, &nroots);
	ok(r && nroots == 2 && cid_equal(&roots[0], &c[0]) && cid_equal(&roots[1], &c[1]), "our header: two roots back");
	int good = 0;
	for (int i = 0; r && i < 4; i++)
		good += car_next(r, &got, &b) == 1 && cid_equal(&got, &c[i]) && b.len == strlen(datas[i]) &&
			!memcmp(b.p, datas[i], b.len);
	ok(good == 4, "empty, 'hello', v0 dag-pb and identity blocks come back in order");
	ok(r && car_next(r, &got, &b) == 1 && cid_equal(&got, &c[4]) && b.len == BLOCK_MAX && !memcmp(b.p, big, BLOCK_MAX),
	   "a block of exactly 2 MiB comes back");
	ok(r && car_next(r, &got, &b) == 0 && car_offset(r) == car.len, "clean end");
	car_close(r);
	free(roots);
	close(fd);

	/* No roots is a valid header. */
	buf_reset(&car);
	car_header(&car, NULL, 0);
	car_section(&car, &c[1], (const uint8_t *)"hello", 5);
	fd = fd_of(car.p, car.len);
	r = car_open(fd, &roots, &nroots);
	ok(r && nroots == 0 && car_next(r, &got, &b) == 1, "a CAR with no roots reads");
	car_close(r);
	free(roots);
	close(fd);

	/* A block over 2 MiB is refused before it is read. */
	diag_set_quiet(true);
	buf_reset(&car);
	car_header(&car, c, 1);
	size_t hlen = car.len;
	uint8_t *over = xcalloc(1, BLOCK_MAX + 1);
	cid oc;
	cid_of(&oc, CODEC_RAW, over, BLOCK_MAX + 1);
	car_section(&car, &oc, over, BLOCK_MAX + 1);
	fd = fd_of(car.p, car.len);
	r = car_open(fd, &roots, &nroots);
	ok(r && car_next(r, &got, &b) < 0, "a block of 2 MiB + 1 is refused");
	car_close(r);
	free(roots);
	close(fd);
	free(over);

	buf_reset(&car);
	car_header(&car, c, 1);
	uint8_t lenv[10];
	size_t vl = varint_put(lenv, 3u << 20);
	buf_add(&car, lenv, vl);
	uint8_t *three = xcalloc(1, 3u << 20);
	buf_add(&car, c[1].bytes, c[1].len);
	buf_add(&car, three, (3u << 20) - c[1].len);
	free(three);
	fd = fd_of(car.p, car.len);
	r = car_open(fd, &roots, &nroots);
	ok(r && car_next(r, &got, &b) < 0, "a section claiming 3 MiB is refused");
	ok(r && car_offset(r) == hlen + vl, "before reading past its length");
	car_close(r);
	free(roots);
	close(fd);

	/* Other section faults. */
	static const struct {
		const char *what;
		uint8_t sec[12];
		size_t len;
	} bad[] = {
		{"empty section", {0x00}, 1},
		{"length not minimal", {0x85, 0x00, 0x01, 0x55, 0x00, 0x00}, 6},
		{"unsupported hash (sha2-512 code)", {0x08, 0x01, 0x55, 0x13, 0x04, 1, 2, 3, 4}, 9},
		{"not a CID", {0x04, 0x02, 0x55, 0x00, 0x00}, 5},
		{"CID longer than the section", {0x03, 0x01, 0x55, 0x00, 0x00}, 5},
		{"identity mismatch", {0x06, 0x01, 0x55, 0x00, 0x01, 'a', 'b'}, 7},
		{"truncated length", {0x80}, 1},
		{"truncated CID", {0x07, 0x01, 0x55}, 3},
	};
	group g = {"sections: empty, non-minimal, unsupported hash, bad CID, mismatch, truncated: refused", 0, 0};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		buf_reset(&car);
		car_header(&car, c, 1);
		buf_add(&car, bad[i].sec, bad[i].len);
		size_t n;
		g.cases++;
		if (read_all(car.p, car.len, &n, NULL) >= 0)
			group_fail(&g, bad[i].what, "accepted");
	}
	group_end(&g);
	buf_reset(&car);
	car_header(&car, c, 1);
	uint8_t good_id[] = {0x06, 0x01, 0x55, 0x00, 0x01, 'a', 'a'};
	buf_add(&car, good_id, sizeof(good_id));
	size_t n;
	ok(read_all(car.p, car.len, &n, NULL) == 1, "the matching identity section reads");
	diag_set_quiet(false);
	free(big);
	buf_free(&b);
	buf_free(&car);
}

static void test_bad_headers(void)
{
	/* dag-cbor headers, hex, each behind its varint length. */
#define R "65726f6f7473"
#define V "6776657273696f6e"
	static const struct {
		const char *what, *hex;
	} bad[] = {
		{"version 2 (a CARv2 pragma)", "a1" V "02"},
		{"version 2 with roots", "a2" R "80" V "02"},
		{"no roots", "a1" V "01"},
		{"no version", "a1" R "80"},
		{"roots not an array", "a2" R "a0" V "01"},
		{"root without the 0x00 prefix", "a2" R "81d82a4401550000" V "01"},
		{"root not tagged", "a2" R "81450001550000" V "01"},
		{"root with another tag", "a2" R "81d82b450001550000" V "01"},
		{"root with trailing bytes", "a2" R "81d82a46000155000000" V "01"},
		{"root not a CID", "a2" R "81d82a45000255000000" V "01"},
		{"an extra key", "a3" R "80" V "01617880"},
		{"repeated version", "a3" V "01" R "80" V "01"},
		{"version as text", "a2" R "80" V "6131"},
		{"trailing byte", "a2" R "80" V "0100"},
		{"not a map", "8201"},
		{"indefinite map", "bf" R "80" V "01ff"},
		{"non-minimal count", "b802" R "80" V "01"},
		{"truncated", "a2" R "80677665727369"},
	};
	group g = {"headers: wrong version, missing or invalid roots, extra keys, trailing bytes: refused", 0, 0};
	diag_set_quiet(true);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		uint8_t h[128], in[140];
		size_t n = 0, len;
		for (const char *p = bad[i].hex; p[0] && p[1];) {
			unsigned v;
			if (sscanf(p, "%2x", &v) != 1)
				break;
			h[n++] = (uint8_t)v;
			p += 2;
		}
		len = varint_put(in, n);
		memcpy(in + len, h, n);
		len += n;
		size_t nr;
		g.cases++;
		if (read_all(in, len, &nr, NULL) >= 0)
			group_fail(&g, bad[i].what, "accepted");
	}
	group_end(&g);
	/* The good one, keys in either order, so the cases above fail for their own reason. */
	static const char *goodh[] = {"a2" R "80" V "01", "a2" V "01" R "80", "a2" R "81d82a450001550000" V "01"};
	for (size_t i = 0; i < ARRAY_SIZE(goodh); i++) {
		uint8_t in[64];
		size_t n = 1, nr;
		for (const char *p = goodh[i]; p[0] && p[1]; p += 2) {
			unsigned v;
			if (sscanf(p, "%2x", &v) == 1)
				in[n++] = (uint8_t)v;
		}
		in[0] = (uint8_t)(n - 1);
		ok(read_all(in, n, &nr, NULL) == 0 && nr == (i == 2), "a valid header (%s) reads",
		   i == 0 ? "roots first" : i == 1 ? "version first" : "one identity root");
	}
	size_t nr;
	ok(read_all(NULL, 0, &nr, NULL) < 0, "empty input is not a CAR");
	uint8_t zero[] = {0x00};
	ok(read_all(zero, 1, &nr, NULL) < 0, "a zero-length header is refused");
	uint8_t huge[] = {0x81, 0x80, 0x40}; /* 1 MiB + 1 */
	ok(read_all(huge, sizeof(huge), &nr, NULL) < 0, "a header over 1 MiB is refused");
	uint8_t trunc[] = {0x80};
	ok(read_all(trunc, 1, &nr, NULL) < 0, "a truncated header length is refused");
	diag_set_quiet(false);
}

int main(void)
{
	test_fixture();
	test_roundtrip();
	test_bad_headers();
	return unit_done();
}
