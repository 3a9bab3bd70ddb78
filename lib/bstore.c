/*
 * bstore.c: see bstore.h. Blocks as files under blocks/XY/KEY, written
 * through a temporary file and a rename, pins as empty files in pins/.
 *
 * Identity CIDs carry their block inside them: they are always "present",
 * get returns the digest, put writes nothing (as kubo's identity store).
 */
#include "lst.h"
#include "bstore.h"
#include "diag.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY_MAX (CID_STR_MAX + 2)

struct bstore {
	char *dir;
	bool sync;
};

/* KEY: 'b' + base32 of the binary CID (v0 included, unlike its string). */
static void key_of(char key[KEY_MAX], const cid *c)
{
	key[0] = 'b';
	base32_encode(key + 1, KEY_MAX - 1, c->bytes, c->len);
}

/* The CID a file name stands for: 0, or -1 when it is not a key. */
static int key_parse(cid *c, const char *key)
{
	uint8_t bin[CID_MAX + 8];
	size_t klen = strlen(key), n, used;
	if (klen < 4 || key[0] != 'b' || (klen - 1) * 5 / 8 > sizeof(bin) ||
	    base32_decode(bin, &n, key + 1, klen - 1) < 0 || cid_decode(c, &used, bin, n) < 0 || used != n)
		return -1;
	return 0;
}

/* The two characters before the last: flatfs "next-to-last/2". */
static void shard_of(char xy[3], const char *key)
{
	size_t n = strlen(key);
	xy[0] = key[n - 3];
	xy[1] = key[n - 2];
	xy[2] = 0;
}

static void block_path(char path[PATH_MAX], const bstore *s, const cid *c)
{
	char key[KEY_MAX], xy[3];
	key_of(key, c);
	shard_of(xy, key);
	snprintf(path, PATH_MAX, "%s/%s/%s", s->dir, xy, key);
}

static void pin_path(char path[PATH_MAX], const bstore *s, const cid *c)
{
	char key[KEY_MAX];
	key_of(key, c);
	snprintf(path, PATH_MAX, "%s/pins/%s", s->dir, key);
}

/* The identity digest of c, or NULL when c hashes with something else. */
static const uint8_t *identity(const cid *c, size_t *len)
{
	uint64_t code;
	const uint8_t *d;
	cid_digest(c, &code, &d, len);
	return code == MH_IDENTITY ? d : NULL;
}

static int mkdir_p(const char *dir)
{
	char p[PATH_MAX];
	size_t n = strlen(dir);
	if (n == 0 || n >= sizeof(p))
		return -1;
	memcpy(p, dir, n + 1);
	for (char *q = p + 1; *q; q++) {
		if (*q != '/')
			continue;
		*q = 0;
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return -1;
		*q = '/';
	}
	return mkdir(p, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

bstore *bstore_open(const char *dir)
{
	char pins[PATH_MAX];
	/* Room for "/XY/KEY" and ".tmp-..." under the longest key. */
	if (strlen(dir) + 3 * KEY_MAX >= PATH_MAX) {
		diag_error(LST_EINVALID, "block store path too long '%s'", dir);
		return NULL;
	}
	snprintf(pins, sizeof(pins), "%s/pins", dir);
	if (mkdir_p(dir) < 0 || mkdir_p(pins) < 0) {
		diag_error(LST_EFAIL, "cannot create the block store '%s': %s", dir, strerror(errno));
		return NULL;
	}
	if (sodium_init() < 0) {
		diag_error(LST_EFAIL, "cannot initialise libsodium for '%s'", dir);
		return NULL;
	}
	bstore *s = xcalloc(1, sizeof(*s));
	s->dir = xstrdup(dir);
	return s;
}

void bstore_close(bstore *s)
{
	if (!s)
		return;
	free(s->dir);
	free(s);
}

void bstore_set_sync(bstore *s, bool on)
{
	s->sync = on;
}

const char *bstore_dir(const bstore *s)
{
	return s->dir;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int r = fsync(fd);
	close(fd);
	return r;
}

int bstore_put(bstore *s, const cid *c, const uint8_t *data, size_t len)
{
	char key[KEY_MAX], xy[3], shard[PATH_MAX - 2 * KEY_MAX], path[PATH_MAX], tmp[PATH_MAX], cs[CID_STR_MAX];
	size_t idlen;
	struct stat st;
	if (identity(c, &idlen))
		return 0;
	if (len > BLOCK_MAX) {
		cid_str(cs, c);
		return diag_error(LST_EINVALID, "block over 2 MiB '%s'", cs);
	}
	key_of(key, c);
	shard_of(xy, key);
	snprintf(shard, sizeof(shard), "%s/%s", s->dir, xy);
	snprintf(path, sizeof(path), "%s/%s", shard, key);
	if (stat(path, &st) == 0)
		return 0;
	if (mkdir(shard, 0755) < 0 && errno != EEXIST)
		return diag_error(LST_EFAIL, "cannot create '%s': %s", shard, strerror(errno));
	uint8_t rnd[8];
	randombytes_buf(rnd, sizeof(rnd));
	snprintf(tmp, sizeof(tmp), "%s/.tmp-%ld-%02x%02x%02x%02x%02x%02x%02x%02x", shard, (long)getpid(), rnd[0],
		 rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return diag_error(LST_EFAIL, "cannot create '%s': %s", tmp, strerror(errno));
	if (write_all(fd, data, len) < 0 || (s->sync && fsync(fd) < 0)) {
		int e = errno;
		close(fd);
		unlink(tmp);
		return diag_error(LST_EFAIL, "cannot write '%s': %s", tmp, strerror(e));
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		return diag_error(LST_EFAIL, "cannot store block '%s': %s", path, strerror(e));
	}
	if (s->sync && sync_dir(shard) < 0)
		return diag_error(LST_EFAIL, "cannot sync '%s': %s", shard, strerror(errno));
	return 0;
}

int bstore_get(bstore *s, buf *out, const cid *c)
{
	char path[PATH_MAX];
	const uint8_t *id;
	size_t idlen;
	struct stat st;
	buf_reset(out);
	if ((id = identity(c, &idlen))) {
		buf_add(out, id, idlen);
		return 0;
	}
	block_path(path, s, c);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		return diag_error(LST_EFAIL, "cannot open '%s': %s", path, strerror(errno));
	}
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return diag_error(LST_EFAIL, "cannot read '%s': %s", path, strerror(e));
	}
	if (st.st_size > (off_t)BLOCK_MAX) {
		close(fd);
		return diag_error(LST_EFAIL, "block file over 2 MiB '%s'", path);
	}
	buf_grow(out, (size_t)st.st_size + 1);
	int r = buf_read_fd(out, fd, BLOCK_MAX);
	int e = errno;
	close(fd);
	if (r < 0)
		return diag_error(LST_EFAIL, "cannot read '%s': %s", path, strerror(e));
	return 0;
}

int bstore_has(bstore *s, const cid *c)
{
	char path[PATH_MAX];
	size_t idlen;
	if (identity(c, &idlen))
		return 1;
	block_path(path, s, c);
	return access(path, F_OK) == 0;
}

int bstore_size(bstore *s, uint64_t *size, const cid *c)
{
	char path[PATH_MAX];
	size_t idlen;
	struct stat st;
	if (identity(c, &idlen)) {
		*size = idlen;
		return 0;
	}
	block_path(path, s, c);
	if (stat(path, &st) < 0) {
		if (errno == ENOENT)
			return 1;
		return diag_error(LST_EFAIL, "cannot stat '%s': %s", path, strerror(errno));
	}
	*size = (uint64_t)st.st_size;
	return 0;
}

int bstore_rm(bstore *s, const cid *c)
{
	char path[PATH_MAX];
	size_t idlen;
	if (identity(c, &idlen))
		return 1;
	block_path(path, s, c);
	if (unlink(path) < 0) {
		if (errno == ENOENT)
			return 1;
		return diag_error(LST_EFAIL, "cannot remove '%s': %s", path, strerror(errno));
	}
	return 0;
}

static bool is_shard(const char *name)
{
	return strlen(name) == 2 && name[0] != '.' && strcmp(name, "pins");
}

int bstore_each(bstore *s, int (*fn)(void *arg, const cid *c, uint64_t size), void *arg)
{
	DIR *top = opendir(s->dir);
	struct dirent *de;
	int r = 0;
	if (!top)
		return diag_error(LST_EFAIL, "cannot read '%s': %s", s->dir, strerror(errno));
	while (r == 0 && (de = readdir(top))) {
		if (!is_shard(de->d_name))
			continue;
		int dfd = openat(dirfd(top), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0) {
			if (errno == ENOTDIR)
				continue;
			r = diag_error(LST_EFAIL, "cannot read '%s/%s': %s", s->dir, de->d_name, strerror(errno));
			break;
		}
		DIR *sd = fdopendir(dfd);
		if (!sd) {
			close(dfd);
			r = diag_error(LST_EFAIL, "cannot read '%s/%s': %s", s->dir, de->d_name, strerror(errno));
			break;
		}
		struct dirent *be;
		while (r == 0 && (be = readdir(sd))) {
			cid c;
			char xy[3];
			struct stat st;
			if (be->d_name[0] == '.' || key_parse(&c, be->d_name) < 0)
				continue; /* tmp files and strangers are not blocks */
			shard_of(xy, be->d_name);
			if (strcmp(xy, de->d_name))
				continue; /* misplaced: get would never find it */
			if (fstatat(dirfd(sd), be->d_name, &st, 0) < 0 || !S_ISREG(st.st_mode))
				continue; /* removed meanwhile */
			r = fn(arg, &c, (uint64_t)st.st_size);
		}
		closedir(sd);
	}
	closedir(top);
	return r;
}

int bstore_pin(bstore *s, const cid *root)
{
	char path[PATH_MAX];
	pin_path(path, s, root);
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return diag_error(LST_EFAIL, "cannot pin '%s': %s", path, strerror(errno));
	close(fd);
	return 0;
}

int bstore_unpin(bstore *s, const cid *root)
{
	char path[PATH_MAX];
	pin_path(path, s, root);
	if (unlink(path) < 0) {
		if (errno == ENOENT)
			return 1;
		return diag_error(LST_EFAIL, "cannot unpin '%s': %s", path, strerror(errno));
	}
	return 0;
}

bool bstore_pinned(bstore *s, const cid *root)
{
	char path[PATH_MAX];
	pin_path(path, s, root);
	return access(path, F_OK) == 0;
}

int bstore_each_pin(bstore *s, int (*fn)(void *arg, const cid *root), void *arg)
{
	char dir[PATH_MAX];
	struct dirent *de;
	int r = 0;
	snprintf(dir, sizeof(dir), "%s/pins", s->dir);
	DIR *d = opendir(dir);
	if (!d)
		return diag_error(LST_EFAIL, "cannot read '%s': %s", dir, strerror(errno));
	while (r == 0 && (de = readdir(d))) {
		cid c;
		if (de->d_name[0] == '.' || key_parse(&c, de->d_name) < 0)
			continue;
		r = fn(arg, &c);
	}
	closedir(d);
	return r;
}
