/*
 * UnixFS files and directories: CIDs equal to ipfs-unixfs-importer's,
 * round trips, byte ranges, missing and corrupt blocks, forged DAGs,
 * directories, dag_walk.
 *
 * Every expected CID, size and block count below was produced by the real
 * ipfs-unixfs-importer 17.1.1 (test/compat/node_modules) with
 *   importer([{content: pattern(size, size)}], blockstore, {profile: 'unixfs-v1-2025'})
 * and, for the small trees, the same plus
 *   chunker: fixedSize({chunkSize: C}), layout: balanced({maxChildrenPerNode: W})
 * where pattern(n, seed) is fill() below (x = x*1103515245+12345 mod 2^32,
 * each byte x>>24). The directory: importer([{path:'b',..},{path:'a',..},
 * {path:'ab',..},{path:'B',..},{path:'sub/x',..},{path:'sub/y',..}], bs,
 * {profile:'unixfs-v1-2025', wrapWithDirectory:true}), contents
 * pattern(3,3), pattern(1,1), pattern(2,2), pattern(4,4),
 * pattern(1048577,1048577), pattern(0,0).
 */
#include "lst.h"
#include "unit.h"
#include "bstore.h"
#include "buf.h"
#include "cid.h"
#include "dagpb.h"
#include "diag.h"
#include "unixfs.h"

#include <fcntl.h>
#include <ftw.h>
#include <sys/wait.h>
#include <unistd.h>

#define MiB (1u << 20)

static void fill(uint8_t *b, size_t n, uint32_t seed)
{
	uint32_t x = seed;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		b[i] = (uint8_t)(x >> 24);
	}
}

static uint8_t *pattern(size_t n)
{
	uint8_t *b = xmalloc(n ? n : 1);
	fill(b, n, (uint32_t)n);
	return b;
}

static int sink_buf(void *arg, const uint8_t *data, size_t len)
{
	buf_add(arg, data, len);
	return 0;
}

static int read_all(bstore *s, buf *out, const cid *c, uint64_t off, uint64_t len, cid *missing)
{
	buf_reset(out);
	return ufs_read(s, c, off, len, sink_buf, out, missing);
}

static bool cid_is(const cid *c, const char *want)
{
	char str[CID_STR_MAX];
	if (!want)
		return false;
	cid_str(str, c);
	if (strcmp(str, want))
		diagf("got %s, want %s", str, want);
	return !strcmp(str, want);
}

/* Write data in pieces of `piece` bytes (0: all at once). */
static int add(bstore *s, cid *root, uint64_t *bytes, uint64_t *blocks, const uint8_t *data, size_t n,
	       size_t chunk, unsigned width, size_t piece)
{
	ufs_writer *w = chunk ? ufs_writer_new_params(s, chunk, width) : ufs_writer_new(s);
	uint64_t size = 0;
	for (size_t off = 0; off < n;) {
		size_t k = piece && piece < n - off ? piece : n - off;
		if (ufs_write(w, data + off, k) < 0) {
			ufs_writer_abort(w);
			return -1;
		}
		off += k;
	}
	if (ufs_writer_finish(w, root, &size, blocks, bytes) < 0)
		return -1;
	return size == n ? 0 : -1;
}

static char tmpdir[] = "/tmp/lst-t-unixfs-XXXXXX";

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(p);
}

/* ---- the 2025 profile: 1 MiB chunks, width 1024 -------------------------- */

static const struct {
	size_t size;
	const char *cid;
	uint64_t tsize, blocks;
} profile[] = {
	{0, "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku", 0, 1},
	{1, "bafkreicvtlvnbate2v4v2oijoggn2bnl2skxf2cp4vkzb3xtdkekbd677u", 1, 1},
	{MiB - 1, "bafkreie5rq4wpmdjqdg4hqlszlebct4forjxur5665wkkn46epdxboav34", MiB - 1, 1},
	{MiB, "bafkreicxfogduik4zpsagu7dev7nv6e5wa5s2b6y67p7oj2gtfd4dx22zq", MiB, 1},
	{MiB + 1, "bafybeifvbi6mhf4jlwlavffradc5rabjimcpncpieoprne5iizf7mo6l54", 1048681, 3},
	{5 * MiB + 3, "bafybeidvcu2jkbwkbqmdcusv3llidwwm7vpfvk4cp37ecrjuvzh4jggts4", 5243188, 7},
};

static void test_profile(bstore *s)
{
	buf out = BUF_INIT;
	for (size_t i = 0; i < ARRAY_SIZE(profile); i++) {
		size_t n = profile[i].size;
		uint8_t *data = pattern(n);
		cid root, again;
		uint64_t bytes = 0, blocks = 0;
		/* Odd pieces cross chunk boundaries; whole-buffer writes take the no-copy path. */
		ok(add(s, &root, &bytes, &blocks, data, n, 0, 0, 65537) == 0 && cid_is(&root, profile[i].cid),
		   "%zu bytes: the importer's root CID", n);
		ok(bytes == profile[i].tsize && blocks == profile[i].blocks,
		   "%zu bytes: %llu blocks, %llu bytes (the importer's block count and Tsize)", n,
		   (unsigned long long)blocks, (unsigned long long)bytes);
		ok(add(s, &again, NULL, NULL, data, n, 0, 0, 0) == 0 && cid_equal(&root, &again),
		   "%zu bytes: written at once, the same CID", n);
		ok(read_all(s, &out, &root, 0, UINT64_MAX, NULL) == 0 && out.len == n && (!n || !memcmp(out.p, data, n)),
		   "%zu bytes: read back whole", n);
		ufs_stat st;
		ok(ufs_stat_of(s, &st, &root) == 0 && st.size == n &&
		   st.kind == (n <= MiB ? UFS_ST_RAW_BLOCK : UFS_ST_FILE), "%zu bytes: stat says its size and kind", n);
		free(data);
	}
	buf_free(&out);
}

/* ---- small trees: the same layout with tiny chunks and widths ------------ */

static const struct {
	size_t size, chunk;
	unsigned width;
	const char *cid;
	uint64_t tsize, blocks;
} small[] = {
	{8192, 8, 1024, "bafybeic6gulwmrvvh535f5zzwpgbv4puq4ttzygfsy6hrgmhklrsuugrri", 55304, 1025},
	{8193, 8, 1024, "bafybeieij3m23vvvbfjdqqxy7vhxxiccmasgtrvfdrksevdpm7joytyeca", 55459, 1028},
	{8200, 8, 1024, "bafybeifi5cjyjx5q2ax5btgebuiwrsfrd2e7duhfu3bpbjunhdg3outciq", 55466, 1028},
	{0, 4, 3, "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku", 0, 1},
	{1, 4, 3, "bafkreicvtlvnbate2v4v2oijoggn2bnl2skxf2cp4vkzb3xtdkekbd677u", 1, 1},
	{4, 4, 3, "bafkreidita54chbj4twlvaqbdzggrkf63iljwulzk6h44vzfycdkcyl2p4", 4, 1},
	{5, 4, 3, "bafybeih2qv7cxgzwmzj3s7b66s4z4ni2pc3qzsuemrorgpne5f62vcfrfa", 103, 3},
	{12, 4, 3, "bafybeibxltbzrq6626k7wookch73sd2meyh6liva2eonewjsxckp7qe7mi", 156, 4},
	{13, 4, 3, "bafybeifuraeewggwu4yo7tp2isjq7m5feann6xmijvxqo7r2dezpnhn3vm", 308, 7},
	{36, 4, 3, "bafybeigdn4us4ftnnb6wdfsv2bw6ehp6omlle6cakudccxcnxrcq44peyu", 615, 13},
	{37, 4, 3, "bafybeigybdlf5irnzheta5d5yyvqso74kfkvicfb2vb2vy7xzzhasee62m", 819, 17},
	{40, 4, 3, "bafybeiceqwqfdcetss3zodkjiqghwrbtzvj5eqypwovckbbzozt7mriv4i", 822, 17},
	{108, 4, 3, "bafybeicm3buwuw53fpk6wy3k6abiqlzhfzhym6oz74soci5tmm4uofraja", 1992, 40},
	{109, 4, 3, "bafybeie6al7ffp4q5j2txv3mjhgqho72bunxxixf2pogydhmf4qlpwsisq", 2249, 45},
	{123, 4, 3, "bafybeianylxhsw47onyy2lsyt4o7wuete5qfoxo377cev4yltt2d7mgks4", 2455, 49},
	{7, 1, 2, "bafybeickgukmrs4czmcra6pn7q7rqrhxnykc5vfwnkugny2a5uts6j6dw4", 649, 14},
};

static void test_small_trees(bstore *s)
{
	group g = {"small trees: root CID, Tsize and block count equal the importer's", 0, 0};
	group gr = {"small trees: every (offset, length) reads the right bytes", 0, 0};
	buf out = BUF_INIT;
	static const uint64_t lens[] = {0, 1, 3, 4, 5, 9, 17, 100, UINT64_MAX};
	for (size_t i = 0; i < ARRAY_SIZE(small); i++) {
		size_t n = small[i].size;
		uint8_t *data = pattern(n);
		cid root;
		uint64_t bytes = 0, blocks = 0;
		char name[64];
		snprintf(name, sizeof(name), "%zu/%zu/%u", n, small[i].chunk, small[i].width);
		g.cases++;
		if (add(s, &root, &bytes, &blocks, data, n, small[i].chunk, small[i].width, 3) < 0 ||
		    !cid_is(&root, small[i].cid) || bytes != small[i].tsize || blocks != small[i].blocks)
			group_fail(&g, name, "blocks %llu bytes %llu", (unsigned long long)blocks,
				   (unsigned long long)bytes);
		size_t step = n > 200 ? 997 : 1;
		for (uint64_t off = 0; off <= n + 1; off += step) {
			for (size_t j = 0; j < ARRAY_SIZE(lens); j++) {
				uint64_t want = off >= n ? 0 : (lens[j] < n - off ? lens[j] : n - off);
				gr.cases++;
				if (read_all(s, &out, &root, off, lens[j], NULL) != 0 || out.len != want ||
				    (want && memcmp(out.p, data + off, want)))
					group_fail(&gr, name, "off %llu len %llu got %zu bytes", (unsigned long long)off,
						   (unsigned long long)lens[j], out.len);
			}
		}
		free(data);
	}
	group_end(&g);
	group_end(&gr);
	buf_free(&out);
}

/* ---- byte ranges of a 5 MiB file ----------------------------------------- */

static void test_ranges(bstore *s)
{
	size_t n = 5 * MiB + 3;
	uint8_t *data = pattern(n);
	cid root;
	buf out = BUF_INIT;
	ok(add(s, &root, NULL, NULL, data, n, 0, 0, 0) == 0, "ranges: 5 MiB + 3 added");
	static const struct {
		uint64_t off, len;
		const char *what;
	} r[] = {
		{0, 10, "the start"},
		{2 * MiB + 12345, 1000, "the middle of a chunk"},
		{MiB - 10, 20, "across a chunk boundary"},
		{MiB - 1, 3 * MiB + 2, "across several chunks"},
		{5 * MiB, 3, "the last short chunk"},
		{5 * MiB + 1, UINT64_MAX, "to the end"},
		{5 * MiB - 5, 100, "past the end, clamped"},
		{4 * MiB, 0, "zero length"},
		{5 * MiB + 3, 10, "at the end: nothing"},
		{9 * MiB, 10, "far past the end: nothing"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(r); i++) {
		uint64_t want = r[i].off >= n ? 0 : (r[i].len < n - r[i].off ? r[i].len : n - r[i].off);
		ok(read_all(s, &out, &root, r[i].off, r[i].len, NULL) == 0 && out.len == want &&
		   (!want || !memcmp(out.p, data + r[i].off, want)), "ranges: %s", r[i].what);
	}
	free(data);
	buf_free(&out);
}

static int sink_stop(void *arg, const uint8_t *data, size_t len)
{
	(*(int *)arg)++;
	return -1;
}

static void progress_cb(void *arg, uint64_t done)
{
	uint64_t *p = arg;
	if (done < p[1] || done - p[1] > UFS_CHUNK)
		p[2]++; /* not monotonic, or more than a chunk since the last call */
	p[0]++;
	p[1] = done;
}

static void test_add_fd(bstore *s)
{
	size_t n = 5 * MiB + 3;
	uint8_t *data = pattern(n);
	char path[256];
	snprintf(path, sizeof(path), "%s/in", tmpdir);
	FILE *f = fopen(path, "wb");
	bool wrote = f && fwrite(data, 1, n, f) == n;
	if (f)
		fclose(f);
	int fd = open(path, O_RDONLY);
	cid root;
	uint64_t size = 0, blocks = 0, bytes = 0, prog[3] = {0, 0, 0};
	ok(wrote && fd >= 0 && ufs_add_fd(s, &root, &size, &blocks, &bytes, fd, progress_cb, prog) == 0 &&
	   cid_is(&root, profile[5].cid) && size == n && blocks == 7 && bytes == profile[5].tsize,
	   "add_fd: a 5 MiB + 3 file gives the importer's CID");
	ok(prog[0] >= 1 && prog[0] <= 6 && prog[1] == n && prog[2] == 0,
	   "add_fd: progress at most once a chunk, monotonic, ends at the size (%llu calls)",
	   (unsigned long long)prog[0]);
	if (fd >= 0)
		close(fd);
	/* A pipe delivers short reads: the chunks must not follow them. */
	int p[2];
	ok(pipe(p) == 0, "add_fd: a pipe");
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		for (size_t off = 0; off < 2 * MiB + 5;) {
			size_t k = 4093 < 2 * MiB + 5 - off ? 4093 : 2 * MiB + 5 - off;
			if (write(p[1], data + off, k) != (ssize_t)k)
				_exit(1);
			off += k;
		}
		_exit(0);
	}
	close(p[1]);
	cid viafd, direct;
	ok(ufs_add_fd(s, &viafd, &size, NULL, NULL, p[0], NULL, NULL) == 0 && size == 2 * MiB + 5 &&
	   add(s, &direct, NULL, NULL, data, 2 * MiB + 5, 0, 0, 0) == 0 && cid_equal(&viafd, &direct),
	   "add_fd: short reads from a pipe give the same CID as one write");
	close(p[0]);
	int st;
	waitpid(pid, &st, 0);
	int bad = open("/", O_RDONLY | O_DIRECTORY);
	diag_set_quiet(true);
	ok(ufs_add_fd(s, &root, &size, NULL, NULL, bad, NULL, NULL) < 0, "add_fd: a read error fails");
	diag_set_quiet(false);
	close(bad);
	int calls = 0;
	ok(ufs_read(s, &viafd, 0, UINT64_MAX, sink_stop, &calls, NULL) < 0 && calls == 1,
	   "read: a sink that stops stops the read");
	free(data);
}

/* A store whose directory is gone: every leaf write fails, in the workers too. */
static void test_writer_errors(void)
{
	char *dir = xasprintf("%s/gone", tmpdir);
	bstore *g = bstore_open(dir);
	uint8_t *data = pattern(100000);
	cid root;
	uint64_t size;
	ok(g != NULL, "writer: a second store");
	ufs_writer *w = ufs_writer_new_params(g, 1000, 4);
	ok(ufs_write(w, data, 50000) == 0, "writer: 50 chunks written");
	ufs_writer_abort(w); /* workers stopped and joined, buffers freed (ASan checks) */
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	diag_set_quiet(true);
	w = ufs_writer_new_params(g, 1000, 4);
	int r = ufs_write(w, data, 100000);
	if (r == 0)
		r = ufs_writer_finish(w, &root, &size, NULL, NULL);
	else
		ufs_writer_abort(w);
	ok(r < 0, "writer: leaves that cannot be stored fail the file");
	w = ufs_writer_new(g);
	ok(ufs_write(w, data, 10) == 0 && ufs_writer_finish(w, &root, &size, NULL, NULL) < 0,
	   "writer: a one-chunk file that cannot be stored fails");
	diag_set_quiet(false);
	bstore_close(g);
	free(data);
	free(dir);
}

/* ---- missing and corrupt blocks ------------------------------------------ */

static void test_missing_corrupt(bstore *s)
{
	/* 8193 bytes, chunk 8, width 1024: root -> two parents -> 1025 leaves. */
	size_t n = 8193;
	uint8_t *data = pattern(n);
	cid root, leaf, got;
	buf out = BUF_INIT;
	ok(add(s, &root, NULL, NULL, data, n, 8, 1024, 0) == 0, "missing: a 3-level tree");
	cid_of(&leaf, CODEC_RAW, data + 8 * 500, 8);
	ok(bstore_has(s, &leaf) == 1 && bstore_rm(s, &leaf) == 0, "missing: leaf 500 removed");
	memset(&got, 0, sizeof(got));
	ok(read_all(s, &out, &root, 0, UINT64_MAX, &got) == 1 && cid_equal(&got, &leaf) && out.len == 8 * 500 &&
	   !memcmp(out.p, data, out.len), "missing: read stops at leaf 500 and names it");
	ok(read_all(s, &out, &root, 8 * 501, 100, NULL) == 0 && out.len == 100 &&
	   !memcmp(out.p, data + 8 * 501, 100), "missing: a range after it skips it");
	ok(read_all(s, &out, &root, 8 * 499, 9, NULL) == 1, "missing: a range touching it is 1");
	ufs_stat st;
	ok(ufs_stat_of(s, &st, &leaf) == 1, "missing: stat of it is 1");

	/* Wrong bytes stored under the CID: the store does not hash, the reader does. */
	uint8_t wrong[8];
	memcpy(wrong, data + 8 * 500, 8);
	wrong[3] ^= 1;
	ok(bstore_put(s, &leaf, wrong, 8) == 0, "corrupt: leaf 500 stored with a flipped bit");
	diag_set_quiet(true);
	diag_set_status(0);
	int r = read_all(s, &out, &root, 0, UINT64_MAX, NULL);
	diag_set_quiet(false);
	ok(r == -1 && diag_status() == LST_EFAIL && out.len == 8 * 500, "corrupt: read fails before its bytes");
	ok(read_all(s, &out, &root, 8 * 501, 100, NULL) == 0, "corrupt: a range after it is fine");
	diag_set_quiet(true);
	ok(ufs_stat_of(s, &st, &leaf) == -1, "corrupt: stat of it fails");
	diag_set_quiet(false);
	ok(bstore_rm(s, &leaf) == 0 && bstore_put(s, &leaf, data + 8 * 500, 8) == 0 &&
	   read_all(s, &out, &root, 0, UINT64_MAX, NULL) == 0 && out.len == n, "corrupt: repaired, reads again");

	/* A corrupt root node. */
	buf blk = BUF_INIT;
	ok(bstore_get(s, &blk, &root) == 0, "corrupt: the root node");
	blk.p[blk.len - 1] ^= 0x80;
	ok(bstore_rm(s, &root) == 0 && bstore_put(s, &root, blk.p, blk.len) == 0, "corrupt: root rewritten wrong");
	diag_set_quiet(true);
	ok(read_all(s, &out, &root, 0, 1, NULL) == -1 && out.len == 0, "corrupt: a corrupt root gives no bytes");
	ok(ufs_stat_of(s, &st, &root) == -1, "corrupt: stat of a corrupt root fails");
	diag_set_quiet(false);
	blk.p[blk.len - 1] ^= 0x80;
	ok(bstore_rm(s, &root) == 0 && bstore_put(s, &root, blk.p, blk.len) == 0, "corrupt: root restored");
	buf_free(&blk);
	buf_free(&out);
	free(data);
}

/* ---- forged DAGs: valid hashes, lying sizes --------------------------------- */

static void put_node(bstore *s, cid *c, const pb_link *links, size_t n, const ufs_data *d)
{
	buf data = BUF_INIT, node = BUF_INIT;
	ufs_data_encode(&data, d);
	pb_node pn = {.links = (pb_link *)links, .nlinks = n, .data = data.p, .data_len = data.len, .has_data = true};
	pb_node_encode(&node, &pn);
	cid_of(c, CODEC_DAG_PB, node.p, node.len);
	if (bstore_put(s, c, node.p, node.len) < 0)
		abort();
	buf_free(&data);
	buf_free(&node);
}

static void test_forged(bstore *s)
{
	uint8_t a[8], b[8];
	fill(a, 8, 11);
	fill(b, 8, 12);
	cid ca, cb, c;
	cid_of(&ca, CODEC_RAW, a, 8);
	cid_of(&cb, CODEC_RAW, b, 8);
	ok(bstore_put(s, &ca, a, 8) == 0 && bstore_put(s, &cb, b, 8) == 0, "forged: two leaves");
	pb_link l[2] = {{.hash = ca, .name = "", .has_name = true, .tsize = 8, .has_tsize = true},
			{.hash = cb, .name = "", .has_name = true, .tsize = 8, .has_tsize = true}};
	buf out = BUF_INIT;
	ufs_stat st;

	uint64_t good[2] = {8, 8};
	ufs_data d = {.type = UFS_FILE, .filesize = 16, .has_filesize = true, .blocksizes = good, .nblocksizes = 2};
	put_node(s, &c, l, 2, &d);
	ok(read_all(s, &out, &c, 0, UINT64_MAX, NULL) == 0 && out.len == 16 && !memcmp(out.p, a, 8) &&
	   !memcmp(out.p + 8, b, 8), "forged: the honest node reads");

	uint64_t lie[2] = {8, 9};
	d = (ufs_data){.type = UFS_FILE, .filesize = 17, .has_filesize = true, .blocksizes = lie, .nblocksizes = 2};
	put_node(s, &c, l, 2, &d);
	diag_set_quiet(true);
	diag_set_status(0);
	ok(read_all(s, &out, &c, 0, UINT64_MAX, NULL) == -1 && diag_status() == LST_EINVALID && out.len == 8,
	   "forged: a blocksize larger than its leaf is refused");
	d = (ufs_data){.type = UFS_FILE, .filesize = 20, .has_filesize = true, .blocksizes = good, .nblocksizes = 2};
	put_node(s, &c, l, 2, &d);
	ok(read_all(s, &out, &c, 0, UINT64_MAX, NULL) == -1 && out.len == 0, "forged: filesize not the sum refused");
	d = (ufs_data){.type = UFS_FILE, .filesize = 8, .has_filesize = true, .blocksizes = good, .nblocksizes = 1};
	put_node(s, &c, l, 2, &d);
	ok(read_all(s, &out, &c, 0, UINT64_MAX, NULL) == -1 && out.len == 0,
	   "forged: fewer blocksizes than links refused");
	d = (ufs_data){.type = UFS_SYMLINK};
	put_node(s, &c, NULL, 0, &d);
	ok(read_all(s, &out, &c, 0, UINT64_MAX, NULL) == -1, "forged: a symlink is not a file");
	ok(ufs_stat_of(s, &st, &c) == 0 && st.kind == UFS_ST_OTHER, "forged: a symlink's kind is other");
	/* A chain deeper than any real file: refused, not a stack overflow. */
	cid deep = ca;
	uint64_t one[1] = {8};
	for (int i = 0; i < 100; i++) {
		pb_link dl = {.hash = deep, .name = "", .has_name = true, .tsize = 8, .has_tsize = true};
		d = (ufs_data){.type = UFS_FILE, .filesize = 8, .has_filesize = true, .blocksizes = one, .nblocksizes = 1};
		put_node(s, &deep, &dl, 1, &d);
	}
	ok(read_all(s, &out, &deep, 0, UINT64_MAX, NULL) == -1, "forged: 100 levels deep refused");
	uint8_t junk[5] = {0xff, 0xff, 0xff, 0xff, 0xff};
	cid_of(&c, CODEC_DAG_PB, junk, sizeof(junk));
	ok(bstore_put(s, &c, junk, sizeof(junk)) == 0 && read_all(s, &out, &c, 0, 1, NULL) == -1 &&
	   ufs_stat_of(s, &st, &c) == -1, "forged: a block that is not dag-pb is refused");
	diag_set_quiet(false);

	/* Identity CIDs carry their bytes: nothing to fetch. */
	uint8_t id[9] = {0x01, 0x55, 0x00, 0x05, 'h', 'e', 'l', 'l', 'o'};
	ok(cid_decode(&c, NULL, id, sizeof(id)) == 0 && read_all(s, &out, &c, 1, 3, NULL) == 0 && out.len == 3 &&
	   !memcmp(out.p, "ell", 3), "identity: read from the CID itself");
	buf_free(&out);
}

/* ---- directories --------------------------------------------------------- */

typedef struct {
	char names[8][16];
	cid cids[8];
	uint64_t tsizes[8];
	int n, stop_at;
} lsrec;

static int ls_cb(void *arg, const char *name, size_t namelen, const cid *c, uint64_t tsize)
{
	lsrec *r = arg;
	if (r->n == 8 || namelen >= 16)
		return -1;
	memcpy(r->names[r->n], name, namelen);
	r->names[r->n][namelen] = 0;
	r->cids[r->n] = *c;
	r->tsizes[r->n] = tsize;
	r->n++;
	return r->n == r->stop_at ? 1 : 0;
}

/*
 * The importer (2025 profile) makes a HAMT of a directory whose node
 * would exceed 262,144 bytes. 1,065 names of 'n' x 195 + 5 digits and one
 * of 'z' x 105, each a file of the byte 0x01: exactly 262,144 bytes, a
 * plain directory (CID and size 263,210 below, from the importer with
 * wrapWithDirectory);
 * with 'z' x 106 the importer shards: refused here.
 */
static void test_dir_threshold(bstore *s)
{
	size_t nbig = 1066;
	ufs_entry *big = xcalloc(nbig, sizeof(*big));
	char (*names)[208] = xcalloc(nbig, sizeof(*names));
	cid one, got;
	uint64_t tsize = 0;
	uint8_t b1 = 1;
	cid_of(&one, CODEC_RAW, &b1, 1);
	ok(bstore_put(s, &one, &b1, 1) == 0, "dir: a one-byte file");
	for (size_t i = 0; i < nbig - 1; i++) {
		memset(names[i], 'n', 195);
		snprintf(names[i] + 195, 8, "%05zu", i);
		big[i] = (ufs_entry){names[i], one, 1};
	}
	memset(names[nbig - 1], 'z', 105);
	big[nbig - 1] = (ufs_entry){names[nbig - 1], one, 1};
	ok(ufs_dir_put(s, &got, &tsize, big, nbig) == 0 &&
	   cid_is(&got, "bafybeiey5z5vog7dkxatl6nrtweqt4puvshjln5toqdgikos3xghv2g7uq") && tsize == 263210,
	   "dir: a node of exactly 262,144 bytes is the importer's plain directory");
	names[nbig - 1][105] = 'z';
	diag_set_quiet(true);
	diag_set_status(0);
	ok(ufs_dir_put(s, &got, &tsize, big, nbig) == -1 && diag_status() == LST_EINVALID,
	   "dir: one byte more (the importer would shard) is refused");
	diag_set_quiet(false);
	free(names);
	free(big);
}

static void test_dirs(bstore *s)
{
	static const struct {
		const char *name;
		size_t size;
		const char *cid;
	} f[] = {
		{"b", 3, "bafkreigr6dva2gmy7j3mlheyig3qcr5jy37dchpozu2igw6dkmxqiz3jae"},
		{"a", 1, "bafkreicvtlvnbate2v4v2oijoggn2bnl2skxf2cp4vkzb3xtdkekbd677u"},
		{"ab", 2, "bafkreihg2ui2rctdarucdi7zf2iuctmogxmk2ooefjgtw3i5hexxprun3a"},
		{"B", 4, "bafkreidita54chbj4twlvaqbdzggrkf63iljwulzk6h44vzfycdkcyl2p4"},
		{"x", MiB + 1, "bafybeifvbi6mhf4jlwlavffradc5rabjimcpncpieoprne5iizf7mo6l54"},
		{"y", 0, "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"},
	};
	ufs_entry e[6];
	bool all = true;
	for (size_t i = 0; i < 6; i++) {
		uint8_t *data = pattern(f[i].size);
		e[i].name = f[i].name;
		all = all && add(s, &e[i].c, &e[i].tsize, NULL, data, f[i].size, 0, 0, 0) == 0 && cid_is(&e[i].c, f[i].cid);
		free(data);
	}
	ok(all, "dir: the six files have the importer's CIDs");
	cid sub, root, got;
	uint64_t subt = 0, roott = 0;
	ok(ufs_dir_put(s, &sub, &subt, e + 4, 2) == 0 &&
	   cid_is(&sub, "bafybeiamrsb2ir7n2bqlx2wi6wgbungolmkbfh6m7jjrrmnff54b22ta5u") && subt == 1048777,
	   "dir: 'sub' (x, y) has the importer's CID and size");
	ufs_entry top[5] = {e[0], e[1], e[2], e[3], {"sub", sub, subt}};
	ok(ufs_dir_put(s, &root, &roott, top, 5) == 0 &&
	   cid_is(&root, "bafybeicr3moo3sbfgazm2gx2skgri4kbfupncwmtzc2jz4znzsiyh5tpxa") && roott == 1049021,
	   "dir: the root, entries given unsorted, has the importer's CID and size");
	lsrec r = {.stop_at = -1};
	ok(ufs_ls(s, &root, ls_cb, &r) == 0 && r.n == 5 && !strcmp(r.names[0], "B") && !strcmp(r.names[1], "a") &&
	   !strcmp(r.names[2], "ab") && !strcmp(r.names[3], "b") && !strcmp(r.names[4], "sub") &&
	   cid_equal(&r.cids[4], &sub) && r.tsizes[4] == subt && r.tsizes[0] == 4,
	   "dir: ls in bytewise name order with CIDs and sizes");
	lsrec r2 = {.stop_at = 2};
	ok(ufs_ls(s, &root, ls_cb, &r2) == 0 && r2.n == 2, "dir: ls stops when the callback says so");
	lsrec r3 = {.stop_at = -1};
	diag_set_quiet(true);
	ok(ufs_ls(s, &e[4].c, ls_cb, &r3) == -1 && r3.n == 0, "dir: ls of a file is refused");
	ok(ufs_ls(s, &e[0].c, ls_cb, &r3) == -1 && r3.n == 0, "dir: ls of a raw block is refused");
	diag_set_quiet(false);
	ufs_stat st;
	ok(ufs_stat_of(s, &st, &root) == 0 && st.kind == UFS_ST_DIR && st.nlinks == 5 && st.size == 0,
	   "dir: stat says a directory of 5");

	ok(ufs_resolve(s, &got, &root, "sub/x") == 0 && cid_equal(&got, &e[4].c), "resolve: sub/x");
	ok(ufs_resolve(s, &got, &root, "/sub//y/") == 0 && cid_equal(&got, &e[5].c), "resolve: extra slashes");
	ok(ufs_resolve(s, &got, &root, "") == 0 && cid_equal(&got, &root), "resolve: the empty path is the root");
	ok(ufs_resolve(s, &got, &root, "ab") == 0 && cid_equal(&got, &e[2].c), "resolve: 'ab' (not 'a')");
	ok(ufs_resolve(s, &got, &root, "sub/z") == 1, "resolve: a missing name is 1");
	ok(ufs_resolve(s, &got, &root, "A") == 1, "resolve: names are case-sensitive");
	diag_set_quiet(true);
	ok(ufs_resolve(s, &got, &root, "sub/x/more") == -1, "resolve: through a file is an error");
	diag_set_quiet(false);

	/* Bad names and duplicates. */
	static const char *bad[] = {"", "a/b", "/", ".", ".."};
	diag_set_quiet(true);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		ufs_entry be[2] = {e[0], {bad[i], e[1].c, e[1].tsize}};
		diag_set_status(0);
		ok(ufs_dir_put(s, &got, &roott, be, 2) == -1 && diag_status() == LST_EINVALID,
		   "dir: the name '%s' is refused", bad[i]);
	}
	ufs_entry dup[3] = {e[0], e[1], {"b", e[2].c, e[2].tsize}};
	ok(ufs_dir_put(s, &got, &roott, dup, 3) == -1, "dir: a duplicate name is refused");
	diag_set_quiet(false);
	test_dir_threshold(s);
	ok(ufs_dir_put(s, &got, &roott, NULL, 0) == 0 && roott == 4, "dir: an empty directory (4 bytes)");
	ok(ufs_resolve(s, &got, &got, "x") == 1, "resolve: nothing in an empty directory");
}

/* ---- dag_walk ------------------------------------------------------------- */

typedef struct {
	cid v[64];
	bool raw[64];
	int n, stop_at, stop_ret;
	buf bytes;
} walkrec;

static int walk_cb(void *arg, const cid *c, const uint8_t *data, size_t len)
{
	walkrec *w = arg;
	if (w->n == 64)
		return -1;
	w->raw[w->n] = cid_codec(c) == CODEC_RAW;
	w->v[w->n++] = *c;
	if (cid_codec(c) == CODEC_RAW)
		buf_add(&w->bytes, data, len);
	return w->n == w->stop_at ? w->stop_ret : 0;
}

static void test_walk(bstore *s)
{
	/* 13 bytes, chunk 4, width 3: R(P0(L0 L1 L2) P1(L3)). */
	uint8_t *data = pattern(13);
	cid root, miss;
	ok(add(s, &root, NULL, NULL, data, 13, 4, 3, 0) == 0, "walk: a 13-byte tree");
	walkrec w = {.stop_at = -1};
	ok(dag_walk(s, &root, walk_cb, &w, NULL) == 0 && w.n == 7, "walk: 7 blocks");
	static const bool shape[7] = {false, false, true, true, true, false, true};
	bool same = w.n == 7 && cid_equal(&w.v[0], &root);
	for (int i = 0; i < w.n && i < 7; i++)
		same = same && w.raw[i] == shape[i];
	ok(same && w.bytes.len == 13 && !memcmp(w.bytes.p, data, 13),
	   "walk: depth-first in link order (R P0 L0 L1 L2 P1 L3), leaves in file order");
	buf_free(&w.bytes);

	walkrec w2 = {.stop_at = 3, .stop_ret = 1};
	ok(dag_walk(s, &root, walk_cb, &w2, NULL) == 0 && w2.n == 3, "walk: a positive return stops, 0");
	buf_free(&w2.bytes);
	walkrec w3 = {.stop_at = 2, .stop_ret = -1};
	ok(dag_walk(s, &root, walk_cb, &w3, NULL) == -1 && w3.n == 2, "walk: a negative return stops, -1");
	buf_free(&w3.bytes);

	/* Repeated leaves (all zero bytes) are visited once. */
	uint8_t zero[40];
	memset(zero, 0, sizeof(zero));
	cid zr;
	ok(add(s, &zr, NULL, NULL, zero, 40, 4, 3, 0) == 0, "walk: 40 zero bytes (10 equal leaves)");
	walkrec wz = {.stop_at = -1};
	bool uniq = dag_walk(s, &zr, walk_cb, &wz, NULL) == 0;
	for (int i = 0; i < wz.n; i++)
		for (int j = i + 1; j < wz.n; j++)
			uniq = uniq && !cid_equal(&wz.v[i], &wz.v[j]);
	ok(uniq && wz.bytes.len == 4, "walk: each distinct block once (%d blocks)", wz.n);
	buf_free(&wz.bytes);

	/* A dag-cbor block {"l": CID(raw leaf)} is walked through its tag-42 link. */
	cid leaf, cb;
	cid_of(&leaf, CODEC_RAW, data, 4);
	uint8_t cbor[64] = {0xa1, 0x61, 'l', 0xd8, 0x2a, 0x58, (uint8_t)(leaf.len + 1), 0x00};
	memcpy(cbor + 8, leaf.bytes, leaf.len);
	size_t cblen = 8 + leaf.len;
	cid_of(&cb, CODEC_DAG_CBOR, cbor, cblen);
	ok(bstore_put(s, &cb, cbor, cblen) == 0, "walk: a dag-cbor block");
	walkrec wc = {.stop_at = -1};
	ok(dag_walk(s, &cb, walk_cb, &wc, NULL) == 0 && wc.n == 2 && cid_equal(&wc.v[0], &cb) &&
	   cid_equal(&wc.v[1], &leaf), "walk: dag-cbor then its linked leaf");
	buf_free(&wc.bytes);

	/* A missing leaf: 1 and which. */
	cid l2;
	cid_of(&l2, CODEC_RAW, data + 8, 4);
	ok(bstore_rm(s, &l2) == 0, "walk: leaf 2 removed");
	walkrec wm = {.stop_at = -1};
	memset(&miss, 0, sizeof(miss));
	ok(dag_walk(s, &root, walk_cb, &wm, &miss) == 1 && cid_equal(&miss, &l2) && wm.n == 4,
	   "walk: a missing block is 1 and named, after the blocks before it");
	buf_free(&wm.bytes);
	/* Corrupt leaf: -1. */
	uint8_t bad[4] = {1, 2, 3, 4};
	ok(bstore_put(s, &l2, bad, 4) == 0, "walk: leaf 2 stored wrong");
	walkrec wb = {.stop_at = -1};
	diag_set_quiet(true);
	ok(dag_walk(s, &root, walk_cb, &wb, NULL) == -1 && wb.n == 4, "walk: a corrupt block is -1, not passed on");
	diag_set_quiet(false);
	buf_free(&wb.bytes);
	cid nothere;
	cid_of(&nothere, CODEC_RAW, (const uint8_t *)"nothere", 7);
	walkrec wn = {.stop_at = -1};
	ok(dag_walk(s, &nothere, walk_cb, &wn, &miss) == 1 && cid_equal(&miss, &nothere) && wn.n == 0,
	   "walk: a missing root is 1");
	free(data);
}

int main(void)
{
	diag_init("t-unixfs");
	if (!mkdtemp(tmpdir))
		abort();
	char *dir = xasprintf("%s/blocks", tmpdir);
	bstore *s = bstore_open(dir);
	ok(s != NULL, "a block store in %s", dir);
	if (s) {
		test_profile(s);
		test_small_trees(s);
		test_ranges(s);
		test_add_fd(s);
		test_writer_errors();
		test_missing_corrupt(s);
		test_forged(s);
		test_dirs(s);
		test_walk(s);
		bstore_close(s);
	}
	free(dir);
	nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return unit_done();
}
