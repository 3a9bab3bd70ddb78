/* Encrypted objects: round trips, random access, wrong keys, forgeries, key files. */
#include "lst.h"
#include "unit.h"
#include "bstore.h"
#include "buf.h"
#include "cid.h"
#include "content.h"
#include "diag.h"
#include "hex.h"
#include "home.h"
#include "unixfs.h"

#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#define MIB (1u << 20)
#define OVER 41 /* a stored segment: nonce 24, flag 1, tag 16 around its body */

static char tmp[] = "/tmp/lst-t-content-XXXXXX";
static bstore *S;
static int nfile;
static uint8_t K1[32], K2[32];

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint8_t rnd8(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint8_t)(rng >> 24);
}

/* Random (incompressible) or text-like (compressible) bytes. */
static uint8_t *gen(size_t n, bool compressible)
{
	uint8_t *p = xmalloc(n ? n : 1);
	static const char words[] = "the quick brown fox jumps over the lazy dog; ";
	for (size_t i = 0; i < n; i++)
		p[i] = compressible ? (uint8_t)words[(i + i / 997) % (sizeof(words) - 1)] : rnd8();
	return p;
}

/* A file holding data, open for reading at offset 0. */
static int file_of(const uint8_t *data, size_t len)
{
	char *path = xasprintf("%s/in%d", tmp, nfile++);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (len && write(fd, data, len) != (ssize_t)len) || lseek(fd, 0, SEEK_SET) != 0)
		abort();
	free(path);
	return fd;
}

struct sinkbuf {
	buf b;
	int calls;
};

static int sink(void *arg, const uint8_t *data, size_t len)
{
	struct sinkbuf *s = arg;
	s->calls++;
	buf_add(&s->b, data, len);
	return 0;
}

static int sink_stop(void *arg, const uint8_t *data, size_t len)
{
	(*(int *)arg)++;
	return -1;
}

static void progress(void *arg, uint64_t done)
{
	*(uint64_t *)arg = done;
}

struct walk {
	uint64_t blocks, bytes;
};

static int walk_fn(void *arg, const cid *c, const uint8_t *data, size_t len)
{
	struct walk *w = arg;
	w->blocks++;
	w->bytes += len;
	return 0;
}

/* Add one file: 0 and root, or -1. */
static int add1(cid *root, json_t **files, const char *path, const uint8_t *data, size_t len, const uint8_t key[32],
		size_t seg)
{
	content_input in = {path, file_of(data, len), len};
	int r = content_add(S, root, files, NULL, NULL, key, &in, 1, seg, NULL, NULL);
	close(in.fd);
	return r;
}

/* Read a whole file (or one segment) into sb. */
static int read_into(struct sinkbuf *sb, const cid *root, const uint8_t key[32], const char *path, int64_t seg)
{
	buf_reset(&sb->b);
	sb->calls = 0;
	return content_read(S, root, key, path, seg, sink, sb, NULL);
}

static json_t *file_entry(json_t *m, size_t i)
{
	return json_array_get(json_object_get(m, "files"), i);
}

static void test_round_trips(void)
{
	static const size_t sizes[] = {0, 1, MIB, MIB + 1, 3 * MIB + 5};
	struct sinkbuf sb = {BUF_INIT, 0};
	for (size_t k = 0; k < ARRAY_SIZE(sizes); k++)
		for (int comp = 0; comp < 2; comp++) {
			size_t n = sizes[k];
			uint8_t *data = gen(n, comp);
			cid root;
			json_t *files = NULL, *m = NULL;
			uint64_t blocks = 0, bytes = 0, done = 0;
			content_input in = {"book.txt", file_of(data, n), n};
			int r = content_add(S, &root, &files, &blocks, &bytes, K1, &in, 1, 0, progress, &done);
			close(in.fd);
			ok(r == 0, "add %zu bytes (%s)", n, comp ? "compressible" : "random");
			ok(json_array_size(files) == 1 &&
			   !strcmp(json_string_value(json_object_get(json_array_get(files, 0), "path")), "book.txt") &&
			   json_integer_value(json_object_get(json_array_get(files, 0), "size")) == (json_int_t)n,
			   "  files lists the path and size");
			ok(done == n, "  progress reached %zu", n);
			ok(content_is_encrypted(S, &root) == 1, "  the root is an encrypted object");
			ok(read_into(&sb, &root, K1, NULL, -1) == 0 && sb.b.len == n && (!n || !memcmp(sb.b.p, data, n)),
			   "  read back all %zu bytes", n);
			ok(read_into(&sb, &root, K1, "book.txt", -1) == 0 && sb.b.len == n, "  by its path too");
			ok(content_manifest(S, &m, &root, K1) == 0, "  the manifest decrypts");
			json_t *f = file_entry(m, 0), *segs = json_object_get(f, "segments");
			size_t nseg = n / MIB + (n % MIB != 0);
			ok(json_array_size(segs) == nseg &&
			   json_integer_value(json_object_get(f, "segment_size")) == MIB,
			   "  %zu segments of 1 MiB", nseg);
			uint8_t d[32];
			char hex[67];
			sha256(d, data, n);
			hex_encode(hex, d, 32);
			ok(!strcmp(json_string_value(json_object_get(f, "sha256")), hex + 2), "  the manifest's sha256");
			bool sizes_ok = true;
			for (size_t j = 0; j < nseg; j++) {
				json_int_t clen = json_integer_value(json_array_get(segs, j));
				size_t plen = j + 1 < nseg ? MIB : n - j * MIB;
				/* random and tiny: stored (nonce, flag, bytes, tag); text: zstd makes it far smaller */
				if (comp && plen > 64 ? clen > (json_int_t)plen / 4 : clen != (json_int_t)plen + OVER)
					sizes_ok = false;
			}
			ok(sizes_ok, "  segments %s", comp ? "compressed (tiny ones stored)" : "stored (24 + 1 + n + 16 bytes)");
			struct walk w = {0, 0};
			ok(dag_walk(S, &root, walk_fn, &w, NULL) == 0 && w.blocks == blocks && w.bytes == bytes,
			   "  blocks %" PRIu64 " and bytes %" PRIu64 " are the DAG's", blocks, bytes);
			json_decref(files);
			json_decref(m);
			free(data);
		}
	buf_free(&sb.b);
}

static void test_several_files(void)
{
	struct sinkbuf sb = {BUF_INIT, 0};
	uint8_t *a = gen(5000, true), *b = gen(70000, false), *c = gen(0, false);
	content_input in[3] = {
		{"b/two.bin", file_of(b, 70000), 70000},
		{"a.txt", file_of(a, 5000), 5000},
		{"c", file_of(c, 0), 0},
	};
	cid root, root2;
	json_t *files = NULL, *m = NULL;
	ok(content_add(S, &root, &files, NULL, NULL, K1, in, 3, 0, NULL, NULL) == 0, "add three files");
	ok(json_array_size(files) == 3 &&
	   !strcmp(json_string_value(json_object_get(json_array_get(files, 0), "path")), "a.txt") &&
	   !strcmp(json_string_value(json_object_get(json_array_get(files, 1), "path")), "b/two.bin") &&
	   !strcmp(json_string_value(json_object_get(json_array_get(files, 2), "path")), "c"),
	   "files come in path order");
	ok(content_is_encrypted(S, &root) == 1, "three files: encrypted object");
	ok(read_into(&sb, &root, K1, "a.txt", -1) == 0 && sb.b.len == 5000 && !memcmp(sb.b.p, a, 5000),
	   "read a.txt");
	ok(read_into(&sb, &root, K1, "b/two.bin", -1) == 0 && sb.b.len == 70000 && !memcmp(sb.b.p, b, 70000),
	   "read b/two.bin");
	ok(read_into(&sb, &root, K1, "c", -1) == 0 && sb.b.len == 0, "read the empty c");
	ok(read_into(&sb, &root, K1, NULL, -1) < 0 && diag_status() == LST_EUSAGE && sb.calls == 0,
	   "no path with several files: usage error");
	ok(read_into(&sb, &root, K1, "d", -1) < 0 && diag_status() == LST_ENOTFOUND && sb.calls == 0,
	   "a path not in the manifest: not found");
	ok(read_into(&sb, &root, K1, "b", -1) < 0 && diag_status() == LST_ENOTFOUND, "a directory prefix is no file");
	ok(content_manifest(S, &m, &root, K1) == 0, "manifest of three files");
	for (size_t i = 0; i < 3; i++)
		ok(json_equal(json_object_get(file_entry(m, i), "cid"), json_object_get(json_array_get(files, i), "cid")),
		   "manifest file %zu names the ciphertext cid add reported", i);
	char *text = json_dumps(m, JSON_COMPACT | JSON_SORT_KEYS);
	ok(text && !strncmp(text, "{\"files\":[{\"cid\":\"b", 19) && strstr(text, "],\"version\":1}"),
	   "the manifest is compact sorted JSON, version 1");
	free(text);
	/* The same tree in another order, same key: the same root. */
	for (int i = 0; i < 3; i++)
		lseek(in[i].fd, 0, SEEK_SET);
	content_input rev[3] = {in[2], in[0], in[1]};
	ok(content_add(S, &root2, NULL, NULL, NULL, K1, rev, 3, 0, NULL, NULL) == 0 && cid_equal(&root, &root2),
	   "the same files given in another order: the same root");
	for (int i = 0; i < 3; i++)
		close(in[i].fd);
	json_decref(files);
	json_decref(m);
	free(a);
	free(b);
	free(c);
	buf_free(&sb.b);
}

static void test_segments(void)
{
	struct sinkbuf sb = {BUF_INIT, 0};
	size_t n = 50 * 4096 + 3;
	uint8_t *data = gen(n, false);
	cid root;
	json_t *m = NULL;
	ok(add1(&root, NULL, "pages", data, n, K1, 4096) == 0, "add with 4 KiB segments");
	ok(content_manifest(S, &m, &root, K1) == 0 &&
	   json_array_size(json_object_get(file_entry(m, 0), "segments")) == 51 &&
	   json_integer_value(json_object_get(file_entry(m, 0), "segment_size")) == 4096,
	   "51 segments of 4096 bytes");
	json_decref(m);
	int bad = 0;
	for (int64_t j = 0; j < 51; j++) {
		size_t plen = j < 50 ? 4096 : 3;
		if (read_into(&sb, &root, K1, NULL, j) != 0 || sb.b.len != plen ||
		    memcmp(sb.b.p, data + j * 4096, plen))
			bad++;
	}
	ok(bad == 0, "each of the 51 segments read alone gives its bytes");
	ok(read_into(&sb, &root, K1, NULL, 51) < 0 && diag_status() == LST_EINVALID && sb.calls == 0,
	   "segment 51 is out of range");
	ok(read_into(&sb, &root, K1, NULL, -1) == 0 && sb.b.len == n && !memcmp(sb.b.p, data, n) && sb.calls == 51,
	   "read all: one sink call per segment");
	int calls = 0;
	ok(content_read(S, &root, K1, NULL, -1, sink_stop, &calls, NULL) < 0 && calls == 1,
	   "a sink returning -1 stops the read");
	cid r1k;
	ok(add1(&r1k, NULL, "x", data, 3000, K1, 1024) == 0, "1 KiB segments are allowed");
	ok(read_into(&sb, &r1k, K1, NULL, 2) == 0 && sb.b.len == 3000 - 2048 && !memcmp(sb.b.p, data + 2048, 952),
	   "the short last 1 KiB segment");
	ok(add1(&r1k, NULL, "x", data, 3000, K1, 1023) < 0 && diag_status() == LST_EINVALID,
	   "segment size 1023 refused");
	ok(add1(&r1k, NULL, "x", data, 3000, K1, MIB + 1) < 0 && diag_status() == LST_EINVALID,
	   "segment size 1 MiB + 1 refused");
	free(data);
	buf_free(&sb.b);
}

static void test_wrong_key(void)
{
	struct sinkbuf sb = {BUF_INIT, 0};
	uint8_t *data = gen(10000, true);
	cid root;
	json_t *m = NULL;
	ok(add1(&root, NULL, "secret", data, 10000, K1, 4096) == 0, "add under K1");
	ok(read_into(&sb, &root, K2, NULL, -1) < 0 && diag_status() == LST_EREFUSED && sb.calls == 0,
	   "K2 reads nothing: refused, sink never called");
	ok(read_into(&sb, &root, K2, NULL, 1) < 0 && diag_status() == LST_EREFUSED && sb.calls == 0,
	   "K2 reads no segment either");
	ok(content_manifest(S, &m, &root, K2) < 0 && diag_status() == LST_EREFUSED && !m, "K2 gets no manifest");
	uint8_t k[32];
	memcpy(k, K1, 32);
	k[31] ^= 1;
	ok(read_into(&sb, &root, k, NULL, -1) < 0 && diag_status() == LST_EREFUSED && sb.calls == 0,
	   "K1 with one bit flipped is refused");
	free(data);
	buf_free(&sb.b);
}

static void test_determinism(void)
{
	uint8_t *data = gen(MIB + 100, false);
	cid a, b, c, d;
	ok(add1(&a, NULL, "f", data, MIB + 100, K1, 0) == 0 && add1(&b, NULL, "f", data, MIB + 100, K1, 0) == 0 &&
	   cid_equal(&a, &b), "the same file and key twice: the same root");
	ok(add1(&c, NULL, "f", data, MIB + 100, K2, 0) == 0 && !cid_equal(&a, &c), "another key: another root");
	ok(add1(&d, NULL, "g", data, MIB + 100, K1, 0) == 0 && !cid_equal(&a, &d), "another name: another root");
	ok(add1(&d, NULL, "f", data, MIB + 100, K1, 65536) == 0 && !cid_equal(&a, &d),
	   "another segment size: another root");
	data[MIB] ^= 1;
	ok(add1(&d, NULL, "f", data, MIB + 100, K1, 0) == 0 && !cid_equal(&a, &d), "one byte changed: another root");
	free(data);
}

/* A root whose "manifest" is mc and whose entries "0".. are cids. */
static int root_of(cid *root, const cid *mc, const cid *cids, size_t n)
{
	ufs_entry e[8];
	char names[8][4];
	uint64_t tsize;
	for (size_t i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "%zu", i);
		e[i] = (ufs_entry){names[i], cids[i], 0};
	}
	e[n] = (ufs_entry){"manifest", *mc, 0};
	return ufs_dir_put(S, root, &tsize, e, n + 1);
}

/* A root for manifest m (encrypted with key) whose entries "0".. are cids. */
static int make_root(cid *root, json_t *m, const uint8_t key[32], const cid *cids, size_t n)
{
	cid mc;
	if (content_manifest_put(S, &mc, NULL, NULL, m, key) < 0)
		return -1;
	return root_of(root, &mc, cids, n);
}

/* Store bytes as a UnixFS file. */
static int store(cid *c, const uint8_t *data, size_t len)
{
	ufs_writer *w = ufs_writer_new(S);
	uint64_t sz;
	if (ufs_write(w, data, len) < 0) {
		ufs_writer_abort(w);
		return -1;
	}
	return ufs_writer_finish(w, c, &sz, NULL, NULL);
}

static void set_cid(json_t *f, const cid *c)
{
	char s[CID_STR_MAX];
	cid_str(s, c);
	json_object_set_new(f, "cid", json_string(s));
}

static int file_cid(cid *c, json_t *m, size_t i)
{
	return cid_parse(c, json_string_value(json_object_get(file_entry(m, i), "cid")));
}

static void test_forgeries(void)
{
	struct sinkbuf sb = {BUF_INIT, 0};
	size_t n = 2 * 4096;
	uint8_t *x = gen(n, false), *y = gen(n, false), *z = gen(n, false);
	content_input in[2] = {{"x", file_of(x, n), n}, {"y", file_of(y, n), n}};
	cid root, cx = {0}, cy = {0}, forged, cz = {0};
	json_t *m = NULL, *m2;
	ok(content_add(S, &root, NULL, NULL, NULL, K1, in, 2, 4096, NULL, NULL) == 0, "add x and y, 2 pages each");
	close(in[0].fd);
	close(in[1].fd);
	ok(content_manifest(S, &m, &root, K1) == 0 && file_cid(&cx, m, 0) == 0 && file_cid(&cy, m, 1) == 0,
	   "their ciphertext cids");

	/* y's ciphertext (file key 1) named as x's (file key 0): same lengths. */
	m2 = json_deep_copy(m);
	set_cid(file_entry(m2, 0), &cy);
	cid both[2] = {cy, cy};
	ok(make_root(&forged, m2, K1, both, 2) == 0, "a manifest naming y's ciphertext for x, sealed with K1");
	ok(read_into(&sb, &forged, K1, "x", -1) < 0 && diag_status() == LST_EREFUSED && sb.calls == 0,
	   "another file's ciphertext fails authentication before any byte is written");
	ok(read_into(&sb, &forged, K1, "x", 1) < 0 && diag_status() == LST_EREFUSED && sb.calls == 0,
	   "segment 1 alone too");
	ok(read_into(&sb, &forged, K1, "y", -1) == 0 && sb.b.len == n && !memcmp(sb.b.p, y, n),
	   "y itself still reads");
	json_decref(m2);

	/* x's two segments swapped: each is authentic, at the wrong index. */
	buf ct = BUF_INIT;
	struct sinkbuf raw = {BUF_INIT, 0};
	ok(ufs_read(S, &cx, 0, UINT64_MAX, sink, &raw, NULL) == 0 && raw.b.len == 2 * (4096 + OVER),
	   "x's ciphertext is two stored segments");
	buf_add(&ct, raw.b.p + 4096 + OVER, 4096 + OVER);
	buf_add(&ct, raw.b.p, 4096 + OVER);
	ufs_writer *w = ufs_writer_new(S);
	cid swapped = {0};
	uint64_t sz;
	ok(ufs_write(w, ct.p, ct.len) == 0 && ufs_writer_finish(w, &swapped, &sz, NULL, NULL) == 0,
	   "store the swapped ciphertext");
	m2 = json_deep_copy(m);
	set_cid(file_entry(m2, 0), &swapped);
	cid sw[2] = {swapped, cy};
	ok(make_root(&forged, m2, K1, sw, 2) == 0, "a manifest naming it");
	ok(read_into(&sb, &forged, K1, "x", -1) < 0 && diag_status() == LST_EREFUSED && sb.calls == 0,
	   "swapped segments: segment 0 fails authentication, nothing written");
	ok(read_into(&sb, &forged, K1, "x", 1) < 0 && diag_status() == LST_EREFUSED, "segment 1 alone too");
	json_decref(m2);

	/* One flipped byte in the ciphertext, stored under its new cid. */
	raw.b.p[100] ^= 0x40;
	w = ufs_writer_new(S);
	cid flipped = {0};
	ok(ufs_write(w, raw.b.p, raw.b.len) == 0 && ufs_writer_finish(w, &flipped, &sz, NULL, NULL) == 0,
	   "store x's ciphertext with a flipped byte");
	m2 = json_deep_copy(m);
	set_cid(file_entry(m2, 0), &flipped);
	cid fl[2] = {flipped, cy};
	ok(make_root(&forged, m2, K1, fl, 2) == 0, "a manifest naming it");
	ok(read_into(&sb, &forged, K1, "x", -1) < 0 && diag_status() == LST_EREFUSED && sb.calls == 0,
	   "a flipped ciphertext byte fails authentication");
	ok(read_into(&sb, &forged, K1, "x", 1) == 0 && sb.b.len == 4096 && !memcmp(sb.b.p, x + 4096, 4096),
	   "the untouched segment 1 still reads alone");
	json_decref(m2);

	/* Same key, same index, same sizes, other bytes: segments authentic, digest wrong. */
	cid rz;
	json_t *mz = NULL;
	content_input iz[2] = {{"x", file_of(z, n), n}, {"y", file_of(y, n), n}};
	ok(content_add(S, &rz, NULL, NULL, NULL, K1, iz, 2, 4096, NULL, NULL) == 0 &&
	   content_manifest(S, &mz, &rz, K1) == 0 && file_cid(&cz, mz, 0) == 0, "add z as x under the same key");
	close(iz[0].fd);
	close(iz[1].fd);
	m2 = json_deep_copy(m);
	set_cid(file_entry(m2, 0), &cz);
	cid zz[2] = {cz, cy};
	ok(make_root(&forged, m2, K1, zz, 2) == 0, "x's manifest entry pointing at z's ciphertext");
	ok(read_into(&sb, &forged, K1, "x", -1) < 0 && diag_status() == LST_EREFUSED,
	   "the whole read fails on the plaintext digest");
	ok(read_into(&sb, &forged, K1, "x", 0) == 0 && !memcmp(sb.b.p, z, 4096),
	   "a segment alone is authentic (the digest covers whole files)");
	json_decref(m2);
	json_decref(mz);

	/* The directory disagrees with the manifest. */
	cid mix[2] = {cy, cy};
	cid bad;
	ok(make_root(&bad, m, K1, mix, 2) == 0, "a root whose entry 0 is y under the genuine manifest");
	json_t *mb = NULL;
	ok(content_manifest(S, &mb, &bad, K1) < 0 && diag_status() == LST_EREFUSED && !mb,
	   "a directory that disagrees with its manifest is refused");
	ok(make_root(&bad, m, K1, mix, 1) == 0, "a root with one file entry for two files");
	ok(content_manifest(S, &mb, &bad, K1) < 0 && diag_status() == LST_EREFUSED, "refused too");

	/* A manifest sealed with K2 under K1's files. */
	ok(make_root(&bad, m, K2, (cid[]){cx, cy}, 2) == 0 && content_manifest(S, &mb, &bad, K1) < 0 &&
	   diag_status() == LST_EREFUSED, "a manifest sealed with another key is refused");
	json_decref(m);
	buf_free(&ct);
	buf_free(&raw.b);
	buf_free(&sb.b);
	free(x);
	free(y);
	free(z);
}

/* content.h's construction, written out again: the keys, the AD, the synthetic nonce. */
static void seg_key(uint8_t sk[32], const uint8_t key[32], uint64_t i, uint64_t j)
{
	uint8_t fk[32];
	crypto_kdf_derive_from_key(fk, 32, i, "lstfile1", key);
	crypto_kdf_derive_from_key(sk, 32, j, "lstseg01", fk);
}

static void put_be(uint8_t *out, uint64_t v)
{
	for (int k = 7; k >= 0; k--, v >>= 8)
		out[k] = (uint8_t)v;
}

static void seg_ad(uint8_t ad[26], uint64_t i, uint64_t j)
{
	memcpy(ad, "lst-seg-v1", 10);
	put_be(ad + 10, i);
	put_be(ad + 18, j);
}

static void siv(uint8_t nonce[24], const uint8_t key[32], const uint8_t *ad, size_t adlen, const uint8_t *m,
		size_t mlen)
{
	uint8_t nk[32];
	crypto_generichash_state st;
	crypto_kdf_derive_from_key(nk, 32, 1, "lstsiv01", key);
	crypto_generichash_init(&st, nk, 32, 24);
	crypto_generichash_update(&st, ad, adlen);
	crypto_generichash_update(&st, m, mlen);
	crypto_generichash_final(&st, nonce, 24);
}

/* nonce || XChaCha20-Poly1305(key, nonce, ad, m) appended to b. */
static void seal_with(buf *b, const uint8_t nonce[24], const uint8_t key[32], const uint8_t *ad, size_t adlen,
		      const uint8_t *m, size_t mlen)
{
	uint8_t *c = xmalloc(mlen + 16);
	unsigned long long clen;
	crypto_aead_xchacha20poly1305_ietf_encrypt(c, &clen, m, mlen, ad, adlen, NULL, nonce, key);
	buf_add(b, nonce, 24);
	buf_add(b, c, (size_t)clen);
	free(c);
}

static void test_siv(void)
{
	struct sinkbuf sb = {BUF_INIT, 0}, ra = {BUF_INIT, 0}, rb = {BUF_INIT, 0};
	size_t n = 3 * 4096, sl = 4096 + OVER;
	/* Two trees under one key (a key file reused): the same name, page 0 equal, pages 1 and 2 not. */
	uint8_t *a = gen(n, false), *b = gen(n, false);
	memcpy(b, a, 4096);
	cid root_a, root_b, ca = {0}, cb = {0};
	json_t *ma = NULL, *mb = NULL;
	ok(add1(&root_a, NULL, "book", a, n, K1, 4096) == 0 && add1(&root_b, NULL, "book", b, n, K1, 4096) == 0 &&
	   !cid_equal(&root_a, &root_b), "one key, two trees: two roots");
	ok(read_into(&sb, &root_a, K1, NULL, -1) == 0 && sb.b.len == n && !memcmp(sb.b.p, a, n),
	   "the first tree decrypts");
	ok(read_into(&sb, &root_b, K1, NULL, -1) == 0 && sb.b.len == n && !memcmp(sb.b.p, b, n),
	   "the second tree decrypts");
	ok(content_manifest(S, &ma, &root_a, K1) == 0 && file_cid(&ca, ma, 0) == 0 &&
	   content_manifest(S, &mb, &root_b, K1) == 0 && file_cid(&cb, mb, 0) == 0, "their manifests");
	ok(ufs_read(S, &ca, 0, UINT64_MAX, sink, &ra, NULL) == 0 && ra.b.len == 3 * sl &&
	   ufs_read(S, &cb, 0, UINT64_MAX, sink, &rb, NULL) == 0 && rb.b.len == 3 * sl,
	   "each ciphertext is three stored pages of 24 + 1 + 4096 + 16 bytes");
	ok(!memcmp(ra.b.p, rb.b.p, sl), "the equal page 0 gives equal stored bytes (all a reused key reveals)");
	ok(memcmp(ra.b.p + sl, rb.b.p + sl, 24) && memcmp(ra.b.p + 2 * sl, rb.b.p + 2 * sl, 24),
	   "the different pages 1 and 2 have different nonces");
	/* Under one keystream, ciphertext XOR = plaintext XOR at every byte. */
	int same = 0;
	for (size_t k = 0; k < 4096; k++)
		if ((ra.b.p[sl + 25 + k] ^ rb.b.p[sl + 25 + k]) == (a[4096 + k] ^ b[4096 + k]))
			same++;
	ok(same < 100, "no shared keystream: page 1's ciphertext XOR matches the plaintext XOR at %d of 4096 bytes",
	   same);

	/* The format, rebuilt here: page 1 of tree a, stored (flag 0). */
	uint8_t sk[32], ad[26], nonce[24], *m = xmalloc(4097);
	buf want = BUF_INIT;
	seg_key(sk, K1, 0, 1);
	seg_ad(ad, 0, 1);
	m[0] = 0;
	memcpy(m + 1, a + 4096, 4096);
	siv(nonce, sk, ad, 26, m, 4097);
	seal_with(&want, nonce, sk, ad, 26, m, 4097);
	ok(want.len == sl && !memcmp(want.p, ra.b.p + sl, sl),
	   "stored = nonce || XChaCha20-Poly1305(segment key, nonce, AD, 0 || page), "
	   "nonce = BLAKE2b-192 keyed with kdf(segment key, 1, lstsiv01) over AD || 0 || page");

	/* A tampered nonce: the tag fails. */
	struct sinkbuf t = {BUF_INIT, 0};
	buf_add(&t.b, ra.b.p, ra.b.len);
	t.b.p[sl + 3] ^= 1;
	cid tc, forged;
	json_t *m2 = json_deep_copy(ma);
	ok(store(&tc, t.b.p, t.b.len) == 0, "store tree a's ciphertext with a byte of page 1's nonce flipped");
	set_cid(file_entry(m2, 0), &tc);
	ok(make_root(&forged, m2, K1, &tc, 1) == 0, "a manifest naming it");
	ok(read_into(&sb, &forged, K1, NULL, 1) < 0 && diag_status() == LST_EREFUSED && sb.calls == 0,
	   "the tampered nonce is refused (authentication), nothing written");
	ok(read_into(&sb, &forged, K1, NULL, -1) < 0 && diag_status() == LST_EREFUSED && sb.calls == 1,
	   "the whole file stops there: only page 0 was written");
	ok(read_into(&sb, &forged, K1, NULL, 2) == 0 && sb.b.len == 4096 && !memcmp(sb.b.p, a + 8192, 4096),
	   "page 2 still reads alone");
	json_decref(m2);

	/* A valid AEAD ciphertext of page 1 under another nonce: only the synthetic nonce check refuses it. */
	uint8_t other[24], *back = xmalloc(4097);
	unsigned long long blen;
	memset(other, 0x5a, 24);
	buf_reset(&want);
	seal_with(&want, other, sk, ad, 26, m, 4097);
	ok(crypto_aead_xchacha20poly1305_ietf_decrypt(back, &blen, NULL, want.p + 24, want.len - 24, ad, 26, other,
						      sk) == 0 && blen == 4097 && !memcmp(back, m, 4097),
	   "page 1 sealed under a nonce of 0x5a bytes: the tag is valid");
	buf_reset(&t.b);
	buf_add(&t.b, ra.b.p, ra.b.len);
	memcpy(t.b.p + sl, want.p, sl);
	m2 = json_deep_copy(ma);
	ok(store(&tc, t.b.p, t.b.len) == 0, "store tree a's ciphertext with that page 1 (same length)");
	set_cid(file_entry(m2, 0), &tc);
	ok(make_root(&forged, m2, K1, &tc, 1) == 0, "a manifest naming it");
	ok(read_into(&sb, &forged, K1, NULL, 1) < 0 && diag_status() == LST_EREFUSED && sb.calls == 0,
	   "not the synthetic nonce of its plaintext: refused as an authentication failure");
	ok(read_into(&sb, &forged, K1, NULL, 0) == 0 && sb.b.len == 4096 && !memcmp(sb.b.p, a, 4096),
	   "page 0 of it still reads");
	json_decref(m2);

	/* The manifest: rebuilt with its synthetic nonce it opens; under another nonce it does not. */
	char *text = json_dumps(ma, JSON_COMPACT | JSON_SORT_KEYS);
	size_t tl = strlen(text);
	uint8_t mk[32], *mm = xmalloc(tl + 1);
	const uint8_t *mad = (const uint8_t *)"lst-manifest-v1";
	crypto_kdf_derive_from_key(mk, 32, 0, "lstmani1", K1);
	mm[0] = 0;
	memcpy(mm + 1, text, tl);
	cid mc, r2;
	json_t *got = NULL;
	siv(nonce, mk, mad, 15, mm, tl + 1);
	buf_reset(&want);
	seal_with(&want, nonce, mk, mad, 15, mm, tl + 1);
	ok(store(&mc, want.p, want.len) == 0 && root_of(&r2, &mc, &ca, 1) == 0 &&
	   content_manifest(S, &got, &r2, K1) == 0 && json_equal(got, ma),
	   "the manifest sealed here (flag 0, synthetic nonce) opens");
	json_decref(got);
	got = NULL;
	buf_reset(&want);
	seal_with(&want, other, mk, mad, 15, mm, tl + 1);
	ok(store(&mc, want.p, want.len) == 0 && root_of(&r2, &mc, &ca, 1) == 0 &&
	   content_manifest(S, &got, &r2, K1) < 0 && diag_status() == LST_EREFUSED && !got,
	   "the same manifest under another nonce (valid tag) is refused");
	ok(read_into(&sb, &r2, K1, NULL, -1) < 0 && diag_status() == LST_EREFUSED && sb.calls == 0,
	   "and nothing of the file is read through it");

	free(text);
	free(mm);
	free(back);
	free(m);
	buf_free(&want);
	buf_free(&t.b);
	buf_free(&ra.b);
	buf_free(&rb.b);
	buf_free(&sb.b);
	json_decref(ma);
	json_decref(mb);
	free(a);
	free(b);
}

struct nth {
	uint64_t k, want;
	cid c;
};

static int nth_fn(void *arg, const cid *c, const uint8_t *data, size_t len)
{
	struct nth *t = arg;
	if (t->k++ == t->want)
		t->c = *c;
	return 0;
}

static void test_missing(void)
{
	struct sinkbuf sb = {BUF_INIT, 0};
	size_t n = 3 * MIB;
	uint8_t *data = gen(n, false);
	cid root, c, miss;
	json_t *m = NULL;
	ok(add1(&root, NULL, "big", data, n, K1, 0) == 0 && content_manifest(S, &m, &root, K1) == 0 &&
	   file_cid(&c, m, 0) == 0, "add 3 MiB");
	/* 3 MiB + 123 bytes of ciphertext: a node and 4 leaves; the walk visits the third leaf 4th. */
	struct nth t = {0, 3, {{0}, 0}};
	ok(dag_walk(S, &c, nth_fn, &t, NULL) == 0 && t.k == 5, "the ciphertext is a node and 4 leaves");
	ok(bstore_rm(S, &t.c) == 0, "remove the third leaf");
	sb.calls = 0;
	ok(content_read(S, &root, K1, NULL, -1, sink, &sb, &miss) == 1 && cid_equal(&miss, &t.c),
	   "read all: 1 and the missing leaf");
	ok(sb.b.len == MIB && !memcmp(sb.b.p, data, MIB),
	   "only segment 0 was written (segment 1 ends in the missing leaf)");
	ok(read_into(&sb, &root, K1, NULL, 0) == 0 && sb.b.len == MIB, "segment 0 alone still reads");
	ok(content_read(S, &root, K1, NULL, 2, sink, &sb, &miss) == 1 && cid_equal(&miss, &t.c),
	   "segment 2 alone: 1 and the missing leaf");
	/* The manifest's block away. */
	struct nth mt = {0, 0, {{0}, 0}};
	cid mc;
	ok(ufs_resolve(S, &mc, &root, "manifest") == 0 && dag_walk(S, &mc, nth_fn, &mt, NULL) == 0 && mt.k == 1 &&
	   bstore_rm(S, &mc) == 0, "remove the manifest (one block)");
	json_t *m2 = NULL;
	ok(content_manifest(S, &m2, &root, K1) < 0 && diag_status() == LST_ENOTFOUND && !m2,
	   "no manifest: not found");
	sb.calls = 0;
	ok(content_read(S, &root, K1, NULL, 0, sink, &sb, &miss) == 1 && cid_equal(&miss, &mc) && sb.calls == 0,
	   "read: 1 and the manifest's cid, nothing written");
	free(data);
	json_decref(m);
	buf_free(&sb.b);
}

static void test_is_encrypted(void)
{
	uint8_t *data = gen(100, false);
	int fd = file_of(data, 100);
	cid pub, d, enc;
	uint64_t size, tsize;
	ok(ufs_add_fd(S, &pub, &size, NULL, NULL, fd, NULL, NULL) == 0, "a public file");
	close(fd);
	ok(content_is_encrypted(S, &pub) == 0, "a public file is not encrypted");
	ufs_entry two[2] = {{"a", pub, 100}, {"b", pub, 100}};
	ok(ufs_dir_put(S, &d, &tsize, two, 2) == 0 && content_is_encrypted(S, &d) == 0,
	   "a directory of a and b is not");
	ufs_entry gap[3] = {{"manifest", pub, 100}, {"0", pub, 100}, {"2", pub, 100}};
	ok(ufs_dir_put(S, &d, &tsize, gap, 3) == 0 && content_is_encrypted(S, &d) == 0,
	   "manifest, 0, 2 (a gap) is not");
	ufs_entry lead[2] = {{"manifest", pub, 100}, {"00", pub, 100}};
	ok(ufs_dir_put(S, &d, &tsize, lead, 2) == 0 && content_is_encrypted(S, &d) == 0,
	   "manifest, 00 (a leading zero) is not");
	ufs_entry only[1] = {{"manifest", pub, 100}};
	ok(ufs_dir_put(S, &d, &tsize, only, 1) == 0 && content_is_encrypted(S, &d) == 0, "manifest alone is not");
	ufs_entry extra[3] = {{"manifest", pub, 100}, {"0", pub, 100}, {"readme", pub, 100}};
	ok(ufs_dir_put(S, &d, &tsize, extra, 3) == 0 && content_is_encrypted(S, &d) == 0,
	   "an extra entry is not");
	ufs_entry shape[2] = {{"manifest", pub, 100}, {"0", pub, 100}};
	ok(ufs_dir_put(S, &d, &tsize, shape, 2) == 0 && content_is_encrypted(S, &d) == 1,
	   "manifest and 0 has the shape");
	json_t *m = NULL;
	ok(content_manifest(S, &m, &d, K1) < 0 && diag_status() == LST_EREFUSED && !m,
	   "but a plain file as the manifest does not decrypt");
	ok(content_manifest(S, &m, &pub, K1) < 0 && diag_status() == LST_EINVALID,
	   "the manifest of a public file: not an encrypted object");
	ok(add1(&enc, NULL, "f", data, 100, K1, 0) == 0 && content_is_encrypted(S, &enc) == 1, "an added one is");
	cid nothing;
	cid_of(&nothing, CODEC_DAG_PB, (const uint8_t *)"not stored", 10);
	ok(content_is_encrypted(S, &nothing) < 0 && diag_status() == LST_ENOTFOUND, "a missing root: not found");
	cid miss;
	ok(content_read(S, &nothing, K1, NULL, -1, sink_stop, NULL, &miss) == 1 && cid_equal(&miss, &nothing),
	   "content_read of a missing root: 1 and the missing cid");
	ok(content_manifest(S, &m, &nothing, K1) < 0 && diag_status() == LST_ENOTFOUND,
	   "content_manifest of a missing root: not found");
	free(data);
}

static void test_inputs(void)
{
	uint8_t *data = gen(5000, false);
	cid root;
	static const char *const bad[] = {"", "/abs", "../up", "a/../b", "a//b", "a/./b", ".", "a/", "tab\there"};
	int refused = 0;
	for (size_t k = 0; k < ARRAY_SIZE(bad); k++)
		if (add1(&root, NULL, bad[k], data, 10, K1, 0) < 0 && diag_status() == LST_EINVALID)
			refused++;
	ok(refused == (int)ARRAY_SIZE(bad), "bad paths refused ('', /abs, .., //, ., trailing /, control)");
	ok(add1(&root, NULL, "..x/y.", data, 10, K1, 0) == 0, "'..x/y.' is a fine name");
	content_input two[2] = {{"same", file_of(data, 10), 10}, {"same", file_of(data, 10), 10}};
	ok(content_add(S, &root, NULL, NULL, NULL, K1, two, 2, 0, NULL, NULL) < 0 && diag_status() == LST_EINVALID,
	   "a path given twice is refused");
	ok(content_add(S, &root, NULL, NULL, NULL, K1, two, 0, 0, NULL, NULL) < 0 && diag_status() == LST_EUSAGE,
	   "no files: usage error");
	close(two[0].fd);
	close(two[1].fd);
	content_input wrong = {"w", file_of(data, 5000), 4999};
	json_t *files = NULL;
	ok(content_add(S, &root, &files, NULL, NULL, K1, &wrong, 1, 0, NULL, NULL) < 0 && !files,
	   "a file longer than its announced size is refused");
	lseek(wrong.fd, 0, SEEK_SET);
	wrong.size = CONTENT_SIZE_UNKNOWN;
	ok(content_add(S, &root, NULL, NULL, NULL, K1, &wrong, 1, 0, NULL, NULL) == 0, "an unknown size is fine");
	close(wrong.fd);
	/* A pipe, as stdin: read once, streaming. */
	int p[2];
	if (pipe(p) < 0 || write(p[1], data, 5000) != 5000)
		abort();
	close(p[1]);
	content_input pi = {"stdin", p[0], CONTENT_SIZE_UNKNOWN};
	struct sinkbuf sb = {BUF_INIT, 0};
	ok(content_add(S, &root, NULL, NULL, NULL, K1, &pi, 1, 1024, NULL, NULL) == 0 &&
	   read_into(&sb, &root, K1, "stdin", -1) == 0 && sb.b.len == 5000 && !memcmp(sb.b.p, data, 5000),
	   "a pipe adds and reads back");
	close(p[0]);
	buf_free(&sb.b);
	free(data);
}

static void test_keys(void)
{
	uint8_t *a = gen(3000, false), *b = gen(MIB + 7, true);
	content_input in[2] = {{"b/1", file_of(b, MIB + 7), MIB + 7}, {"a", file_of(a, 3000), 3000}};
	uint8_t d1[32], d2[32], want[32];
	ok(content_tree_digest(d1, in, 2) == 0, "tree digest of two files");
	ok(lseek(in[0].fd, 0, SEEK_CUR) == 0 && lseek(in[1].fd, 0, SEEK_CUR) == 0, "the fds are left at offset 0");
	/* Independently: "a\0" u64be sha256(a), then "b/1\0" u64be sha256(b). */
	buf t = BUF_INIT;
	uint8_t h[32], be[8];
	buf_add(&t, "a", 2);
	put_be(be, 3000);
	buf_add(&t, be, 8);
	sha256(h, a, 3000);
	buf_add(&t, h, 32);
	buf_add(&t, "b/1", 4);
	put_be(be, MIB + 7);
	buf_add(&t, be, 8);
	sha256(h, b, MIB + 7);
	buf_add(&t, h, 32);
	sha256(want, t.p, t.len);
	ok(!memcmp(d1, want, 32), "tree digest = SHA-256 over path NUL size sha256, in path order");
	content_input rev[2] = {in[1], in[0]};
	ok(content_tree_digest(d2, rev, 2) == 0 && !memcmp(d1, d2, 32), "the order given does not matter");
	rev[0].path = "a2";
	ok(content_tree_digest(d2, rev, 2) == 0 && memcmp(d1, d2, 32), "a renamed file changes it");
	rev[0].path = "a";
	b[MIB + 6] ^= 1;
	int fb = file_of(b, MIB + 7);
	rev[1].fd = fb;
	ok(content_tree_digest(d2, rev, 2) == 0 && memcmp(d1, d2, 32), "a changed byte changes it");
	rev[1].size = MIB + 8;
	ok(content_tree_digest(d2, rev, 2) < 0, "a size that does not match is refused");
	int p[2];
	if (pipe(p) < 0)
		abort();
	close(p[1]);
	content_input pi = {"p", p[0], CONTENT_SIZE_UNKNOWN};
	ok(content_tree_digest(d2, &pi, 1) < 0, "a pipe cannot be digested (it would be read twice)");
	close(p[0]);
	close(fb);
	close(in[0].fd);
	close(in[1].fd);

	/* The derived key: BLAKE2b-256 keyed with the author's key. */
	uint8_t priv[32], k1[32], k2[32], kw[32];
	memset(priv, 7, 32);
	content_key_derive(k1, priv, "my-book", d1);
	buf_reset(&t);
	buf_add(&t, "lst-content-v1", 15);
	buf_add(&t, "my-book", 8);
	buf_add(&t, d1, 32);
	crypto_generichash(kw, 32, t.p, t.len, priv, 32);
	ok(!memcmp(k1, kw, 32), "content key = BLAKE2b(author key; domain, book, tree)");
	content_key_derive(k2, priv, "my-book", d1);
	ok(!memcmp(k1, k2, 32), "derivation is deterministic");
	content_key_derive(k2, priv, "my-book2", d1);
	ok(memcmp(k1, k2, 32), "another book: another key");
	priv[0] ^= 1;
	content_key_derive(k2, priv, "my-book", d1);
	ok(memcmp(k1, k2, 32), "another author: another key");
	buf_free(&t);
	free(a);
	free(b);
}

static char *write_tmp(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", tmp, name);
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f))
		abort();
	return path;
}

static void test_key_files(void)
{
	cid root;
	uint8_t k[32];
	cid_of(&root, CODEC_DAG_PB, (const uint8_t *)"a root", 6);
	ok(content_key_load(k, &root) == 1, "no key kept yet: 1");
	ok(content_key_save(&root, K1) == 0, "save K1 for the root");
	memset(k, 0, 32);
	ok(content_key_load(k, &root) == 0 && !memcmp(k, K1, 32), "load gives K1 back");
	char rs[CID_STR_MAX], hex[67];
	cid_str(rs, &root);
	char *path = xasprintf("%s/content-keys/%s", tmp, rs), *dir = xasprintf("%s/content-keys", tmp);
	struct stat st;
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "the key file is 0600");
	ok(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700, "content-keys/ is 0700");
	buf b = BUF_INIT;
	hex_encode(hex, K1, 32);
	ok(buf_read_file(&b, path, 0) == 0 && b.len == 65 && !memcmp(b.p, hex + 2, 64) && b.p[64] == '\n',
	   "the file is 64 hex digits and a newline");
	ok(content_key_save(&root, K2) == 0 && content_key_load(k, &root) == 0 && !memcmp(k, K2, 32),
	   "saving again replaces it");
	char *p;
	memset(k, 0, 32);
	ok(content_key_read_file(k, path) == 0 && !memcmp(k, K2, 32), "read_file reads a saved key");
	char text[80];
	snprintf(text, sizeof(text), "%s", hex);
	p = write_tmp("k-0x", text);
	ok(content_key_read_file(k, p) == 0 && !memcmp(k, K1, 32), "0x prefix, no newline");
	free(p);
	snprintf(text, sizeof(text), "%s\r\n", hex + 2);
	p = write_tmp("k-crlf", text);
	ok(content_key_read_file(k, p) == 0 && !memcmp(k, K1, 32), "CRLF accepted");
	free(p);
	static const char *const junk[] = {
		"",
		"\n",
		"00112233445566778899aabbccddeeff00112233445566778899aabbccddeef\n",   /* 63 */
		"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff0\n", /* 65 */
		"zz112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n",
		"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n\n",
		"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff junk",
		" 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		"0x0x112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
	};
	int refused = 0;
	for (size_t j = 0; j < ARRAY_SIZE(junk); j++) {
		char name[16];
		snprintf(name, sizeof(name), "junk%zu", j);
		p = write_tmp(name, junk[j]);
		if (content_key_read_file(k, p) < 0 && diag_status() == LST_EINVALID)
			refused++;
		free(p);
	}
	ok(refused == (int)ARRAY_SIZE(junk), "junk key files are invalid (%d of %zu)", refused, ARRAY_SIZE(junk));
	p = write_tmp("k-ok", "00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff\n");
	ok(content_key_read_file(k, p) == 0 && k[0] == 0 && k[5] == 0x55 && k[10] == 0xaa && k[31] == 0xff,
	   "upper and lower case hex");
	free(p);
	ok(content_key_read_file(k, "/nonexistent/key") < 0 && diag_status() == LST_ENOTFOUND,
	   "a missing key file: not found");
	/* A junk kept key is an error, not "absent". */
	p = write_tmp("content-keys/bjunk", "not a key\n");
	cid other;
	cid_of(&other, CODEC_DAG_PB, (const uint8_t *)"other", 5);
	cid_str(rs, &other);
	char *op = xasprintf("%s/content-keys/%s", tmp, rs);
	if (rename(p, op) < 0)
		abort();
	ok(content_key_load(k, &other) < 0 && diag_status() == LST_EINVALID, "a corrupt kept key is invalid");
	free(op);
	free(p);
	buf_free(&b);
	free(path);
	free(dir);
}

static int parse_str(const char *s)
{
	json_t *m = NULL;
	int r = content_manifest_parse(&m, (const uint8_t *)s, strlen(s));
	if (r == 0 && !m)
		return -2;
	json_decref(m);
	return r;
}

static void test_manifest_parse(void)
{
	/* A file of 5000 bytes in two 4096-byte segments. */
#define CID1 "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"
#define SHA1 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define F(path, size, seg, segs) \
	"{\"cid\":\"" CID1 "\",\"path\":\"" path "\",\"segment_size\":" #seg ",\"segments\":" segs \
	",\"sha256\":\"" SHA1 "\",\"size\":" #size "}"
	ok(parse_str("{\"files\":[" F("a", 5000, 4096, "[4137,945]") "],\"version\":1}") == 0, "a good manifest");
	ok(parse_str("{\"files\":[" F("a", 0, 4096, "[]") "," F("b", 1, 1024, "[42]") "],\"version\":1}") == 0,
	   "an empty and a one-byte file");
	ok(parse_str("{\"files\":[" F("a", 5000, 4096, "[4137,945]") "],\"version\":1,\"later\":true}") == 0,
	   "unknown keys are ignored");
	static const char *const bad[] = {
		"",
		"[]",
		"{\"files\":[" F("a", 5000, 4096, "[4137,945]") "],\"version\":2}",
		"{\"files\":[" F("a", 5000, 4096, "[4137,945]") "]}",
		"{\"files\":[],\"version\":1}",
		"{\"version\":1}",
		"{\"files\":[" F("b", 0, 4096, "[]") "," F("a", 0, 4096, "[]") "],\"version\":1}",
		"{\"files\":[" F("a", 0, 4096, "[]") "," F("a", 0, 4096, "[]") "],\"version\":1}",
		"{\"files\":[" F("../a", 0, 4096, "[]") "],\"version\":1}",
		"{\"files\":[" F("/a", 0, 4096, "[]") "],\"version\":1}",
		"{\"files\":[" F("a", 5000, 4096, "[4137]") "],\"version\":1}",
		"{\"files\":[" F("a", 5000, 4096, "[4137,945,42]") "],\"version\":1}",
		"{\"files\":[" F("a", 5000, 4096, "[4138,945]") "],\"version\":1}",
		"{\"files\":[" F("a", 5000, 4096, "[4137,946]") "],\"version\":1}",
		"{\"files\":[" F("a", 5000, 4096, "[4137,41]") "],\"version\":1}",
		"{\"files\":[" F("a", 5000, 4096, "[4137,\"945\"]") "],\"version\":1}",
		"{\"files\":[" F("a", -1, 4096, "[]") "],\"version\":1}",
		"{\"files\":[" F("a", 0, 512, "[]") "],\"version\":1}",
		"{\"files\":[" F("a", 0, 2097152, "[]") "],\"version\":1}",
		"{\"files\":[" F("a", 0, 4096, "[]") "],\"version\":1,\"version\":1}",
		"{\"files\":[" F("a", 5000, 4096, "[4137,945]") "],\"version\":1} x",
		"{\"files\":[{\"cid\":\"nope\",\"path\":\"a\",\"segment_size\":4096,\"segments\":[],\"sha256\":\"" SHA1
		"\",\"size\":0}],\"version\":1}",
		"{\"files\":[{\"cid\":\"" CID1 "\",\"path\":\"a\",\"segment_size\":4096,\"segments\":[],\"sha256\":\""
		"E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855\",\"size\":0}],\"version\":1}",
		"{\"files\":[{\"cid\":\"" CID1 "\",\"path\":\"a\",\"segment_size\":4096,\"segments\":[],\"sha256\":\"e3b0\","
		"\"size\":0}],\"version\":1}",
		"{\"files\":[{\"path\":\"a\",\"segment_size\":4096,\"segments\":[],\"sha256\":\"" SHA1
		"\",\"size\":0}],\"version\":1}",
		"{\"files\":[" F("a\\u0000b", 0, 4096, "[]") "],\"version\":1}",
		"{\"files\":[" F("a\\nb", 0, 4096, "[]") "],\"version\":1}",
		"{\"files\":[" F("a", 9223372036854775807, 1048576, "[]") "],\"version\":1}",
	};
	int refused = 0;
	for (size_t k = 0; k < ARRAY_SIZE(bad); k++) {
		if (parse_str(bad[k]) == -1 && diag_status() == LST_EINVALID)
			refused++;
		else
			diagf("accepted bad manifest %zu", k);
	}
	ok(refused == (int)ARRAY_SIZE(bad), "%d of %zu bad manifests refused", refused, ARRAY_SIZE(bad));
	json_t *m = json_loads("{\"files\":[" F("a", 5000, 4096, "[4137,945]") "],\"version\":2}", 0, NULL);
	cid c;
	ok(m && content_manifest_put(S, &c, NULL, NULL, m, K1) < 0, "content_manifest_put refuses a bad manifest");
	json_decref(m);
#undef F
}

/* Flip one byte of a stored block, in its file (bstore.h's layout). */
static int corrupt_block(const cid *c)
{
	char key[CID_STR_MAX];
	cid_str(key, c);
	size_t n = strlen(key);
	char *path = xasprintf("%s/blocks/%.2s/%s", tmp, key + n - 3, key);
	int fd = open(path, O_RDWR);
	uint8_t byte;
	int r = -1;
	if (fd >= 0 && pread(fd, &byte, 1, 200) == 1) {
		byte ^= 0x80;
		r = pwrite(fd, &byte, 1, 200) == 1 ? 0 : -1;
	}
	if (fd >= 0)
		close(fd);
	free(path);
	return r;
}

static void test_corrupt_store(void)
{
	struct sinkbuf sb = {BUF_INIT, 0};
	uint8_t *data = gen(3000, false);
	cid root, c;
	json_t *m = NULL;
	ok(add1(&root, NULL, "f", data, 3000, K2, 1024) == 0 && content_manifest(S, &m, &root, K2) == 0 &&
	   file_cid(&c, m, 0) == 0, "add a file whose ciphertext is one block");
	ok(corrupt_block(&c) == 0, "flip a byte of that block on disk");
	ok(read_into(&sb, &root, K2, NULL, -1) < 0 && sb.calls == 0, "reading it fails, nothing written");
	ok(read_into(&sb, &root, K2, NULL, 1) < 0 && sb.calls == 0, "reading a segment of it fails too");
	json_decref(m);
	free(data);
	buf_free(&sb.b);
}

static int rm_fn(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

/* The stored bytes of segment j of file i of root (from the manifest m's lengths). */
static int stored_segment(struct sinkbuf *sb, json_t *m, size_t i, size_t j)
{
	json_t *f = file_entry(m, i), *segs = json_object_get(f, "segments");
	uint64_t off = 0;
	cid c;
	for (size_t k = 0; k < j; k++)
		off += (uint64_t)json_integer_value(json_array_get(segs, k));
	if (cid_parse(&c, json_string_value(json_object_get(f, "cid"))) < 0)
		return -1;
	buf_reset(&sb->b);
	return ufs_read(S, &c, off, (uint64_t)json_integer_value(json_array_get(segs, j)), sink, sb, NULL);
}

static void test_segment_open(void)
{
	struct sinkbuf sb = {BUF_INIT, 0};
	size_t na = 5 * 2048 + 100, nb = 3 * 2048;
	uint8_t *a = gen(na, true), *b = gen(nb, false), sk[32], mine[32], out[2048], k3[32];
	content_input in[2] = {{"a.txt", file_of(a, na), na}, {"b.bin", file_of(b, nb), nb}};
	cid root;
	json_t *m = NULL;
	ok(content_add(S, &root, NULL, NULL, NULL, K1, in, 2, 2048, NULL, NULL) == 0 &&
	   content_manifest(S, &m, &root, K1) == 0, "add two files in 2 KiB segments");
	close(in[0].fd);
	close(in[1].fd);
	int bad = 0, keys = 0, compressed = 0;
	for (size_t i = 0; m && i < 2; i++) {
		const uint8_t *data = i ? b : a;
		size_t n = i ? nb : na, nseg = (n + 2047) / 2048;
		for (size_t j = 0; j < nseg; j++) {
			size_t plen = j + 1 < nseg ? 2048 : n - j * 2048, got = 0;
			content_segment_key(mine, K1, i, j);
			seg_key(sk, K1, i, j);
			keys += sodium_memcmp(mine, sk, 32) != 0;
			if (stored_segment(&sb, m, i, j) != 0 ||
			    content_segment_open(out, &got, sizeof(out), sk, i, j, sb.b.p, sb.b.len) != 0 || got != plen ||
			    memcmp(out, data + j * 2048, plen))
				bad++;
			compressed += sb.b.len < plen + OVER;
		}
	}
	ok(keys == 0, "content_segment_key is kdf(kdf(key, i, lstfile1), j, lstseg01)");
	ok(bad == 0, "each segment opened alone with its key equals its slice of the file (9 segments)");
	ok(compressed >= 5, "the compressible file's segments were stored compressed (%d)", compressed);
	size_t got = 12345;
	content_segment_key(sk, K1, 0, 2);
	ok(m && stored_segment(&sb, m, 0, 2) == 0, "segment 2 of file 0");
	ok(content_segment_open(out, &got, sizeof(out), sk, 0, 3, sb.b.p, sb.b.len) < 0 &&
	   diag_status() == LST_EREFUSED && got == 12345, "opened as segment 3: refused");
	ok(content_segment_open(out, &got, sizeof(out), sk, 1, 2, sb.b.p, sb.b.len) < 0 &&
	   diag_status() == LST_EREFUSED, "opened as file 1's: refused");
	content_segment_key(k3, K1, 0, 3);
	ok(content_segment_open(out, &got, sizeof(out), k3, 0, 2, sb.b.p, sb.b.len) < 0 &&
	   diag_status() == LST_EREFUSED, "segment 3's key does not open segment 2");
	content_segment_key(k3, K2, 0, 2);
	ok(content_segment_open(out, &got, sizeof(out), k3, 0, 2, sb.b.p, sb.b.len) < 0 &&
	   diag_status() == LST_EREFUSED, "another content key's segment key: refused");
	bad = 0;
	for (size_t k = 0; k < sb.b.len; k += 7) {
		sb.b.p[k] ^= 0x40;
		bad += content_segment_open(out, &got, sizeof(out), sk, 0, 2, sb.b.p, sb.b.len) == 0;
		sb.b.p[k] ^= 0x40;
	}
	ok(bad == 0, "a flipped bit anywhere in the stored segment is refused");
	ok(content_segment_open(out, &got, sizeof(out), sk, 0, 2, sb.b.p, sb.b.len - 1) < 0 &&
	   content_segment_open(out, &got, sizeof(out), sk, 0, 2, sb.b.p, 40) < 0 && diag_status() == LST_EINVALID,
	   "truncated, or shorter than any segment: refused");
	ok(content_segment_open(out, &got, 2047, sk, 0, 2, sb.b.p, sb.b.len) < 0 && diag_status() == LST_EINVALID,
	   "a plaintext longer than cap is refused");
	ok(content_segment_open(out, &got, sizeof(out), sk, 0, 2, sb.b.p, sb.b.len) == 0 && got == 2048 &&
	   !memcmp(out, a + 4096, 2048), "and the untouched segment still opens");
	json_decref(m);
	free(a);
	free(b);
	buf_free(&sb.b);
}

int main(void)
{
	if (sodium_init() < 0 || !mkdtemp(tmp))
		abort();
	diag_init("t-content");
	diag_set_quiet(true);
	home_set(tmp);
	char *blocks = xasprintf("%s/blocks", tmp);
	S = bstore_open(blocks);
	free(blocks);
	ok(S != NULL, "open a store in %s", tmp);
	if (!S)
		return unit_done();
	memset(K1, 0x11, 32);
	memset(K2, 0x22, 32);
	test_round_trips();
	test_several_files();
	test_segments();
	test_wrong_key();
	test_determinism();
	test_forgeries();
	test_siv();
	test_segment_open();
	test_missing();
	test_is_encrypted();
	test_inputs();
	test_keys();
	test_key_files();
	test_manifest_parse();
	test_corrupt_store();
	bstore_close(S);
	nftw(tmp, rm_fn, 16, FTW_DEPTH | FTW_PHYS);
	return unit_done();
}
