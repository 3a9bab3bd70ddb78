/* The block store: layout on disk, put/get/has/size/rm, each, pins, identity CIDs, several writers. */
#include "lst.h"
#include "unit.h"
#include "bstore.h"
#include "diag.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char root[64];

static void write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (f) {
		fwrite(p, 1, n, f);
		fclose(f);
	}
}

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* Files whose name starts with ".tmp-" under dir's shards. */
static int count_tmp(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char *sub = xasprintf("%s/%s", dir, de->d_name);
		DIR *s = opendir(sub);
		struct dirent *be;
		while (s && (be = readdir(s)))
			n += !strncmp(be->d_name, ".tmp-", 5);
		if (s)
			closedir(s);
		free(sub);
	}
	closedir(d);
	return n;
}

typedef struct {
	int n;
	uint64_t bytes;
	cid seen[16];
} tally;

static int count_block(void *arg, const cid *c, uint64_t size)
{
	tally *t = arg;
	if (t->n < 16)
		t->seen[t->n] = *c;
	t->n++;
	t->bytes += size;
	return 0;
}

static int stop_at_first(void *arg, const cid *c, uint64_t size)
{
	(*(int *)arg)++;
	return 7;
}

static int count_pin(void *arg, const cid *c)
{
	tally *t = arg;
	if (t->n < 16)
		t->seen[t->n] = *c;
	t->n++;
	return 0;
}

static bool seen(const tally *t, const cid *c)
{
	for (int i = 0; i < t->n && i < 16; i++)
		if (cid_equal(&t->seen[i], c))
			return true;
	return false;
}

static void test_basic(void)
{
	char *dir = xasprintf("%s/home/blocks", root), *path;
	bstore *s = bstore_open(dir);
	ok(s != NULL, "open creates the store and its parents");
	path = xasprintf("%s/pins", dir);
	ok(exists(path), "and blocks/pins");
	free(path);
	ok(!strcmp(bstore_dir(s), dir), "bstore_dir is the directory");

	cid empty, hello;
	buf b = BUF_INIT;
	uint64_t size = 99;
	cid_of(&empty, CODEC_RAW, NULL, 0);
	cid_of(&hello, CODEC_RAW, (const uint8_t *)"hello", 5);
	ok(bstore_has(s, &hello) == 0, "absent: has is 0");
	ok(bstore_get(s, &b, &hello) == 1, "absent: get is 1");
	ok(bstore_size(s, &size, &hello) == 1, "absent: size is 1");
	ok(bstore_rm(s, &hello) == 1, "absent: rm is 1");

	ok(bstore_put(s, &empty, NULL, 0) == 0, "put the empty block");
	path = xasprintf("%s/yk/bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku", dir);
	ok(exists(path), "it lands at blocks/yk/KEY (next-to-last/2)");
	free(path);
	ok(bstore_put(s, &hello, (const uint8_t *)"hello", 5) == 0, "put 'hello'");
	ok(bstore_has(s, &hello) == 1 && bstore_has(s, &empty) == 1, "both present");
	ok(bstore_get(s, &b, &hello) == 0 && b.len == 5 && !memcmp(b.p, "hello", 5), "get 'hello' back");
	ok(bstore_get(s, &b, &empty) == 0 && b.len == 0, "get the empty block back (buffer reset first)");
	ok(bstore_size(s, &size, &hello) == 0 && size == 5, "size 5");
	ok(bstore_put(s, &hello, (const uint8_t *)"hello", 5) == 0, "putting it again is fine");
	ok(bstore_get(s, &b, &hello) == 0 && b.len == 5 && !memcmp(b.p, "hello", 5), "and leaves it as it was");
	ok(count_tmp(dir) == 0, "no temporary file left behind");

	/* v0 and v1 of the same digest are different blocks with different keys. */
	cid v0;
	uint8_t pbnode[] = {0x0a, 0x01, 0x41};
	ok(cid_parse(&v0, "QmZjTnYw2TFhn9Nn7tjmPSoTBoY7YRkwPzwSrSbabY24Kp") == 0, "a CIDv0");
	ok(bstore_put(s, &v0, pbnode, sizeof(pbnode)) == 0 && bstore_has(s, &v0) == 1, "a v0 block is stored");

	tally t = {0};
	ok(bstore_each(s, count_block, &t) == 0 && t.n == 3 && t.bytes == 8, "each: three blocks, 8 bytes");
	ok(seen(&t, &empty) && seen(&t, &hello) && seen(&t, &v0), "each names them (v0 as v0)");

	/* Strangers in the store are not blocks. */
	char key[CID_STR_MAX];
	cid_str(key, &hello);
	size_t kl = strlen(key);
	path = xasprintf("%s/%c%c/.tmp-1-0000", dir, key[kl - 3], key[kl - 2]);
	write_file(path, "x", 1);
	free(path);
	path = xasprintf("%s/%c%c/notakey", dir, key[kl - 3], key[kl - 2]);
	write_file(path, "x", 1);
	free(path);
	path = xasprintf("%s/zz", dir);
	mkdir(path, 0755);
	free(path);
	path = xasprintf("%s/zz/%s", dir, key); /* a real key in the wrong shard */
	write_file(path, "hello", 5);
	free(path);
	path = xasprintf("%s/readme", dir);
	write_file(path, "x", 1);
	free(path);
	ok(bstore_pin(s, &hello) == 0, "pin 'hello'");
	memset(&t, 0, sizeof(t));
	ok(bstore_each(s, count_block, &t) == 0 && t.n == 3, "each skips tmp files, non-keys, misplaced keys and pins/");
	int calls = 0;
	ok(bstore_each(s, stop_at_first, &calls) == 7 && calls == 1, "each stops at fn's non-zero and returns it");

	/* Pins */
	ok(bstore_pinned(s, &hello) && !bstore_pinned(s, &empty), "pinned: only 'hello'");
	ok(bstore_pin(s, &hello) == 0, "pinning twice is fine");
	ok(bstore_pin(s, &v0) == 0, "pin the v0 block");
	path = xasprintf("%s/pins/%s", dir, key);
	ok(exists(path), "a pin is blocks/pins/KEY");
	free(path);
	path = xasprintf("%s/pins/.hidden", dir);
	write_file(path, "", 0);
	free(path);
	memset(&t, 0, sizeof(t));
	ok(bstore_each_pin(s, count_pin, &t) == 0 && t.n == 2 && seen(&t, &hello) && seen(&t, &v0),
	   "each_pin: the two roots, nothing else");
	ok(bstore_unpin(s, &hello) == 0 && !bstore_pinned(s, &hello), "unpin");
	ok(bstore_unpin(s, &hello) == 1, "unpin again: was not pinned");
	ok(bstore_has(s, &hello) == 1, "unpinning keeps the block");

	/* rm */
	ok(bstore_rm(s, &hello) == 0 && bstore_has(s, &hello) == 0, "rm removes");
	ok(bstore_get(s, &b, &hello) == 1 && bstore_rm(s, &hello) == 1, "then it is absent");

	/* The store does not hash: a corrupt file is returned as it is. */
	ok(bstore_put(s, &hello, (const uint8_t *)"hello", 5) == 0, "put 'hello' again");
	path = xasprintf("%s/%c%c/%s", dir, key[kl - 3], key[kl - 2], key);
	write_file(path, "jello", 5);
	free(path);
	ok(bstore_get(s, &b, &hello) == 0 && b.len == 5 && !memcmp(b.p, "jello", 5), "a corrupt block comes back as is");
	ok(cid_check(&hello, b.p, b.len) < 0, "and cid_check catches it");

	/* Identity CIDs carry their data. */
	cid id;
	ok(cid_parse(&id, "bafkqaaa") == 0 && bstore_has(s, &id) == 1, "identity: present without a put");
	ok(bstore_get(s, &b, &id) == 0 && b.len == 0 && bstore_size(s, &size, &id) == 0 && size == 0,
	   "identity: get and size from the CID");
	uint8_t idbin[] = {0x01, 0x55, 0x00, 0x03, 'a', 'b', 'c'};
	ok(cid_decode(&id, NULL, idbin, sizeof(idbin)) == 0 && bstore_get(s, &b, &id) == 0 && b.len == 3 &&
	   !memcmp(b.p, "abc", 3), "identity 'abc': get gives 'abc'");
	ok(bstore_put(s, &id, (const uint8_t *)"abc", 3) == 0, "identity put succeeds");
	memset(&t, 0, sizeof(t));
	ok(bstore_each(s, count_block, &t) == 0 && t.n == 3, "and writes nothing");

	/* Limits */
	diag_set_quiet(true);
	uint8_t *big = xcalloc(1, BLOCK_MAX + 1);
	cid bigc;
	cid_of(&bigc, CODEC_RAW, big, BLOCK_MAX + 1);
	ok(bstore_put(s, &bigc, big, BLOCK_MAX + 1) < 0 && bstore_has(s, &bigc) == 0, "a block over 2 MiB refused");
	cid_of(&bigc, CODEC_RAW, big, BLOCK_MAX);
	ok(bstore_put(s, &bigc, big, BLOCK_MAX) == 0 && bstore_get(s, &b, &bigc) == 0 && b.len == BLOCK_MAX,
	   "a block of exactly 2 MiB is stored and read");
	cid_str(key, &bigc);
	kl = strlen(key);
	path = xasprintf("%s/%c%c/%s", dir, key[kl - 3], key[kl - 2], key);
	write_file(path, big, BLOCK_MAX + 1);
	free(path);
	ok(bstore_get(s, &b, &bigc) < 0, "a file over 2 MiB on disk is an error, not read");
	free(big);
	diag_set_quiet(false);

	buf_free(&b);
	bstore_close(s);
	free(dir);
}

static void test_two_stores(void)
{
	char *dir = xasprintf("%s/shared", root);
	bstore *a = bstore_open(dir), *b = bstore_open(dir);
	buf got = BUF_INIT;
	cid c;
	ok(a && b, "two stores open on one directory");
	cid_of(&c, CODEC_RAW, (const uint8_t *)"shared", 6);
	ok(bstore_put(a, &c, (const uint8_t *)"shared", 6) == 0 && bstore_get(b, &got, &c) == 0 && got.len == 6,
	   "what one puts the other gets");
	ok(bstore_rm(b, &c) == 0 && bstore_has(a, &c) == 0, "what one removes the other no longer has");
	bstore_set_sync(a, true);
	ok(bstore_put(a, &c, (const uint8_t *)"shared", 6) == 0 && bstore_has(b, &c) == 1, "a synced put");
	bstore_close(a);
	bstore_close(b);

	/* Two processes writing the same 64 blocks at once. */
	pid_t kids[2];
	for (int k = 0; k < 2; k++) {
		kids[k] = fork();
		if (kids[k] == 0) {
			bstore *s = bstore_open(dir);
			int bad = !s;
			for (int i = 0; s && i < 64; i++) {
				uint8_t data[4096];
				cid bc;
				memset(data, i, sizeof(data));
				cid_of(&bc, CODEC_RAW, data, sizeof(data));
				bad |= bstore_put(s, &bc, data, sizeof(data)) != 0;
			}
			bstore_close(s);
			_exit(bad);
		}
	}
	int ok_kids = 0;
	for (int k = 0; k < 2; k++) {
		int st;
		if (kids[k] > 0 && waitpid(kids[k], &st, 0) == kids[k] && WIFEXITED(st) && WEXITSTATUS(st) == 0)
			ok_kids++;
	}
	ok(ok_kids == 2, "two processes put the same blocks at once without error");
	bstore *s = bstore_open(dir);
	int good = 0;
	for (int i = 0; i < 64; i++) {
		uint8_t data[4096];
		cid bc;
		memset(data, i, sizeof(data));
		cid_of(&bc, CODEC_RAW, data, sizeof(data));
		good += bstore_get(s, &got, &bc) == 0 && cid_check(&bc, got.p, got.len) == 0;
	}
	ok(good == 64, "every block is whole afterwards");
	ok(count_tmp(dir) == 0, "and no temporary file is left");
	bstore_close(s);
	buf_free(&got);
	free(dir);
}

static void test_open_fails(void)
{
	char *file = xasprintf("%s/afile", root);
	write_file(file, "x", 1);
	diag_set_quiet(true);
	ok(bstore_open(file) == NULL, "open over a regular file fails");
	char *under = xasprintf("%s/afile/blocks", root);
	ok(bstore_open(under) == NULL, "open under a regular file fails");
	diag_set_quiet(false);
	free(under);
	free(file);
}

int main(void)
{
	snprintf(root, sizeof(root), "/tmp/t-bstore-XXXXXX");
	if (!mkdtemp(root)) {
		ok(0, "mkdtemp");
		return unit_done();
	}
	test_basic();
	test_two_stores();
	test_open_fails();
	pid_t p = fork(); /* remove the scratch directory */
	if (p == 0) {
		execlp("rm", "rm", "-rf", root, (char *)NULL);
		_exit(127);
	}
	if (p > 0)
		waitpid(p, NULL, 0);
	return unit_done();
}
