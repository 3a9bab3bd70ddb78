/*
 * lst-block: the local content store (see lst-block(1)).
 *
 * Blocks live in HOME/blocks by CID. add imports files as UnixFS (public)
 * or as an encrypted object (the default: books are paid); cat, get and
 * ls read them back; verify, pin, rm and gc keep the store; export and
 * import carry DAGs as CARv1. Output is JSON, one object per line for
 * lists; file bytes go to stdout only from cat and export.
 */
#include "lst.h"
#include "access.h"
#include "blockops.h"
#include "bstore.h"
#include "cid.h"
#include "content.h"
#include "dagpb.h"
#include "diag.h"
#include "gateway.h"
#include "hex.h"
#include "home.h"
#include "jsonio.h"
#include "keyring.h"
#include "opt.h"
#include "pass.h"
#include "progress.h"
#include "unixfs.h"
#include "verbs.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *opt_home;

#define HOME_OPT OPT_STRING(0, "home", &opt_home, "DIR", "state directory (default $LST_HOME)")

static int parse(int argc, char **argv, const struct opt *opts, const char *const *usage)
{
	int n = opt_parse(argc, argv, opts, usage);
	if (opt_home)
		home_set(opt_home);
	return n;
}

static int print(json_t *j)
{
	return jsonio_print(j) < 0 ? diag_error(LST_EFAIL, "cannot write standard output") : 0;
}

static int parse_cid(cid *c, const char *s)
{
	if (cid_parse(c, s) < 0)
		return diag_error(LST_EINVALID, "'%s' is not a CID", s);
	return 0;
}

/* "ROOT/PATH" into root and path (pointing into s). */
static int parse_root_path(cid *root, const char **path, const char *s, buf *tmp)
{
	if (!strncmp(s, "/ipfs/", 6))
		s += 6;
	const char *slash = strchr(s, '/');
	buf_reset(tmp);
	buf_add(tmp, s, slash ? (size_t)(slash - s) : strlen(s));
	*path = slash ? slash + 1 : "";
	return parse_cid(root, (char *)tmp->p);
}

static int missing_error(const cid *m)
{
	char cs[CID_STR_MAX];
	cid_str(cs, m);
	diag_error(LST_ENOTFOUND, "block '%s' is not in the store", cs);
	diag_hint("fetch it with 'lst-swarm fetch ROOT', or import a CAR");
	return -1;
}

static void add_progress(void *arg, uint64_t done)
{
	progress_update(arg, done, NULL);
}

/* The content key of an encrypted add or read. */
static int home_priv(secret_key *k)
{
	key_entry e;
	if (keyring_find(&e, NULL) < 0)
		return -1;
	int r = keyring_unlock_ask(k, &e);
	keyring_entry_free(&e);
	return r;
}

/* A copy of stdin in an unnamed temporary file, for a second read. */
static int spool_stdin(void)
{
	int fd = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
		return diag_error(LST_EFAIL, "cannot make a temporary file: %s", strerror(errno));
	static uint8_t b[1 << 16];
	for (;;) {
		ssize_t n = read(0, b, sizeof(b));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			return diag_error(LST_EFAIL, "cannot read standard input: %s", strerror(errno));
		}
		if (n == 0)
			break;
		if (write(fd, b, (size_t)n) != n) {
			close(fd);
			return diag_error(LST_EFAIL, "cannot spool standard input: %s", strerror(errno));
		}
	}
	if (lseek(fd, 0, SEEK_SET) < 0) {
		close(fd);
		return diag_error(LST_EFAIL, "cannot spool standard input: %s", strerror(errno));
	}
	return fd;
}

static int add_encrypted(bstore *s, cid *root, json_t **files, uint64_t *blocks, uint64_t *bytes,
			 const char *const *paths, size_t npaths, const char *key_file, const char *book,
			 size_t segsize, progress *pg)
{
	bo_file *f;
	size_t n;
	if (bo_collect(&f, &n, paths, npaths) < 0)
		return -1;
	content_input *in = xcalloc(n, sizeof(*in));
	int r = 0;
	size_t opened = 0;
	uint64_t total = 0;
	for (size_t i = 0; i < n; i++, opened++) {
		in[i].path = f[i].path;
		in[i].size = f[i].size;
		if (!strcmp(f[i].fspath, "-")) {
			in[i].size = CONTENT_SIZE_UNKNOWN;
			in[i].fd = book ? spool_stdin() : 0;
			if (in[i].fd < 0) {
				r = -1;
				break;
			}
			if (book) {
				struct stat st;
				in[i].size = fstat(in[i].fd, &st) == 0 ? (uint64_t)st.st_size : CONTENT_SIZE_UNKNOWN;
			}
		} else if ((in[i].fd = open(f[i].fspath, O_RDONLY | O_CLOEXEC)) < 0) {
			r = diag_error(LST_EFAIL, "cannot read '%s': %s", f[i].fspath, strerror(errno));
			break;
		}
		if (in[i].size != CONTENT_SIZE_UNKNOWN)
			total += in[i].size;
	}
	uint8_t *key = sodium_malloc(32);
	if (!key)
		r = diag_error(LST_EFAIL, "out of secure memory");
	if (r == 0 && key_file) {
		r = content_key_read_file(key, key_file);
	} else if (r == 0 && book) {
		uint8_t digest[32];
		secret_key k;
		if (!*book)
			r = diag_error(LST_EUSAGE, "--derive-key needs a book name");
		else if ((r = content_tree_digest(digest, in, n)) == 0 && (r = home_priv(&k)) == 0) {
			content_key_derive(key, k.priv, book, digest);
			secret_free(&k);
		}
	} else if (r == 0) {
		randombytes_buf(key, 32);
	}
	if (r == 0) {
		pg->total = total;
		r = content_add(s, root, files, blocks, bytes, key, in, n, segsize, add_progress, pg);
	}
	if (r == 0)
		r = content_key_save(root, key);
	if (key)
		sodium_free(key);
	for (size_t i = 0; i < opened; i++)
		if (in[i].fd > 0)
			close(in[i].fd);
	free(in);
	bo_files_free(f, n);
	return r;
}

static int cmd_add(int argc, char **argv)
{
	bool pub = false;
	const char *key_file = NULL, *book = NULL, *segment = NULL, *pass_file = NULL;
	static const char *const usage[] = {
		"lst-block add [--public] [--key-file F | --derive-key BOOK] [--segment-size N] PATH...",
		"('-' reads standard input)", NULL};
	const struct opt opts[] = {
		OPT_BOOL(0, "public", &pub, "plain UnixFS, readable by anyone (covers, samples, free books)"),
		OPT_STRING(0, "key-file", &key_file, "FILE", "encrypt under this content key (64 hex digits)"),
		OPT_STRING(0, "derive-key", &book, "BOOK", "derive the content key from the home's key, BOOK and the files"),
		OPT_STRING(0, "segment-size", &segment, "N", "encrypted segment bytes, 1024 to 1048576 (default 1048576)"),
		OPT_STRING(0, "passphrase-file", &pass_file, "FILE", "read the key passphrase from FILE (--derive-key)"),
		HOME_OPT,
		OPT_END(),
	};
	int n = parse(argc, argv, opts, usage);
	if (n < 1)
		opt_usage_die(opts, usage, "add needs at least one PATH");
	if (key_file && book)
		opt_usage_die(opts, usage, "--key-file and --derive-key exclude each other");
	if (pub && (key_file || book || segment))
		opt_usage_die(opts, usage, "--public takes no key or segment size: public objects are not encrypted");
	if (pass_file)
		pass_set_file(pass_file);
	size_t segsize = 0;
	if (segment) {
		char *end;
		errno = 0;
		unsigned long v = strtoul(segment, &end, 10);
		if (errno || *end || !*segment || v < CONTENT_SEGMENT_MIN || v > CONTENT_SEGMENT_MAX)
			return diag_error(LST_EUSAGE, "--segment-size must be 1024 to 1048576, not '%s'", segment);
		segsize = v;
	}
	for (int i = 0, stdin_seen = 0; i < n; i++)
		if (!strcmp(argv[i], "-") && stdin_seen++)
			opt_usage_die(opts, usage, "standard input ('-') can be given once");
	bstore *s = home_store(true);
	if (!s)
		return -1;
	progress pg;
	progress_begin(&pg, "adding", 0, false);
	cid root;
	json_t *files = NULL;
	uint64_t blocks = 0, bytes = 0;
	int r;
	if (pub) {
		bo_file *f;
		size_t nf;
		if ((r = bo_collect(&f, &nf, (const char *const *)argv, (size_t)n)) == 0) {
			for (size_t i = 0; i < nf; i++)
				pg.total += f[i].size;
			bo_files_free(f, nf);
			r = bo_add_public(s, &root, &files, &blocks, &bytes, (const char *const *)argv, (size_t)n,
					  add_progress, &pg);
		}
	} else {
		r = add_encrypted(s, &root, &files, &blocks, &bytes, (const char *const *)argv, (size_t)n, key_file,
				  book, segsize, &pg);
	}
	progress_end(&pg);
	if (r == 0)
		r = bstore_pin(s, &root);
	if (r == 0 && !pub)
		r = gateway_gate_root(bstore_dir(s), &root);
	if (r == 0) {
		char cs[CID_STR_MAX];
		cid_str(cs, &root);
		r = print(jsonio_obj("root", jsonio_str(cs), "files", files, "blocks", json_integer((json_int_t)blocks),
				     "bytes", json_integer((json_int_t)bytes), "encrypted", json_boolean(!pub), NULL));
		files = NULL;
	}
	json_decref(files);
	bstore_close(s);
	return r;
}

/* ---- reading ---- */

typedef struct {
	uint64_t written;
} out_ctx;

static int to_stdout(void *arg, const uint8_t *data, size_t len)
{
	out_ctx *o = arg;
	if (len && fwrite(data, 1, len, stdout) != len)
		return -1;
	o->written += len;
	return 0;
}

/* The key to read an encrypted root: --key-file, else the one kept in the home. */
static int read_key(uint8_t key[32], const cid *root, const char *key_file)
{
	if (key_file)
		return content_key_read_file(key, key_file);
	int r = content_key_load(key, root);
	if (r == 1) {
		char cs[CID_STR_MAX];
		cid_str(cs, root);
		diag_error(LST_EREFUSED, "no content key for '%s'", cs);
		diag_hint("buy the book, get its key with 'lst-swarm key %s', or pass --key-file F", cs);
		return -1;
	}
	return r;
}

/* An encrypted root's key (sodium memory, *key) and decrypted manifest (*m). 0 or -1. */
static int open_manifest(uint8_t **key, json_t **m, bstore *s, const cid *root, const char *key_file)
{
	*m = NULL;
	*key = sodium_malloc(32);
	if (!*key)
		return diag_error(LST_EFAIL, "out of secure memory");
	if (read_key(*key, root, key_file) < 0 || content_manifest(s, m, root, *key) < 0)
		return -1;
	return 0;
}

static int cmd_cat(int argc, char **argv)
{
	const char *key_file = NULL, *segment = NULL;
	static const char *const usage[] = {"lst-block cat [--key-file F] [--segment N] ROOT[/PATH]", NULL};
	const struct opt opts[] = {
		OPT_STRING(0, "key-file", &key_file, "FILE", "the content key (default: the one kept for ROOT)"),
		OPT_STRING(0, "segment", &segment, "N", "only segment N (from 0) of an encrypted file"),
		HOME_OPT,
		OPT_END(),
	};
	if (parse(argc, argv, opts, usage) != 1)
		opt_usage_die(opts, usage, "cat takes one ROOT[/PATH]");
	int64_t seg = -1;
	if (segment) {
		char *end;
		errno = 0;
		long long v = strtoll(segment, &end, 10);
		if (errno || *end || !*segment || v < 0)
			return diag_error(LST_EUSAGE, "--segment takes a number from 0, not '%s'", segment);
		seg = v;
	}
	cid root, missing;
	const char *path;
	buf tmp = BUF_INIT;
	int r = parse_root_path(&root, &path, argv[0], &tmp);
	bstore *s = r == 0 ? home_store(false) : NULL;
	if (!s) {
		buf_free(&tmp);
		return -1;
	}
	out_ctx o = {0};
	int enc = content_is_encrypted(s, &root);
	if (enc < 0) {
		r = -1;
	} else if (enc == 1) {
		uint8_t *key = sodium_malloc(32);
		r = key ? read_key(key, &root, key_file) : diag_error(LST_EFAIL, "out of secure memory");
		if (r == 0)
			r = content_read(s, &root, key, *path ? path : NULL, seg, to_stdout, &o, &missing);
		if (key)
			sodium_free(key);
	} else {
		if (key_file || segment)
			r = diag_error(LST_EUSAGE, "'%s' is not encrypted: --key-file and --segment do not apply", argv[0]);
		cid c;
		int rr = r == 0 ? ufs_resolve(s, &c, &root, path) : -1;
		if (r == 0 && rr == 1)
			r = diag_error(LST_ENOTFOUND, "no '%s' under '%s'", path, (char *)tmp.p);
		else if (r == 0 && rr < 0)
			r = -1;
		if (r == 0)
			r = ufs_read(s, &c, 0, UINT64_MAX, to_stdout, &o, &missing);
	}
	if (r == 1)
		r = missing_error(&missing);
	if (r < 0 && (ferror(stdout) || errno == EPIPE))
		r = diag_error(LST_EFAIL, "cannot write standard output");
	bstore_close(s);
	buf_free(&tmp);
	return r;
}

typedef struct {
	FILE *f;
} file_ctx;

static int to_file(void *arg, const uint8_t *data, size_t len)
{
	file_ctx *fc = arg;
	return len && fwrite(data, 1, len, fc->f) != len ? -1 : 0;
}

/* Write one file under dir through path.tmp and rename; rel must be a safe relative path. */
static int get_one(bstore *s, const char *dir, const char *rel, const cid *c, const json_t *manifest,
		   const uint8_t *key, size_t idx)
{
	buf p = BUF_INIT, t = BUF_INIT;
	buf_addf(&p, "%s/%s", dir, rel);
	/* Parent directories. */
	for (char *q = (char *)p.p + strlen(dir) + 1; (q = strchr(q, '/')); q++) {
		*q = 0;
		if (mkdir((char *)p.p, 0755) < 0 && errno != EEXIST) {
			int e = errno;
			*q = '/';
			buf_free(&p);
			return diag_error(LST_EFAIL, "cannot make directory under '%s': %s", dir, strerror(e));
		}
		*q = '/';
	}
	buf_addf(&t, "%s.tmp", (char *)p.p);
	file_ctx fc = {fopen((char *)t.p, "wbx")};
	int r;
	cid missing;
	if (!fc.f) {
		r = diag_error(LST_EFAIL, "cannot write '%s': %s", (char *)t.p, strerror(errno));
	} else {
		r = manifest ? content_read_file(s, manifest, key, idx, -1, to_file, &fc, &missing)
			     : ufs_read(s, c, 0, UINT64_MAX, to_file, &fc, &missing);
		if (fclose(fc.f) != 0 && r == 0)
			r = diag_error(LST_EFAIL, "cannot write '%s': %s", (char *)t.p, strerror(errno));
		if (r == 1)
			r = missing_error(&missing);
		if (r == 0 && rename((char *)t.p, (char *)p.p) < 0)
			r = diag_error(LST_EFAIL, "cannot write '%s': %s", (char *)p.p, strerror(errno));
		if (r < 0)
			unlink((char *)t.p);
	}
	buf_free(&p);
	buf_free(&t);
	return r;
}

typedef struct {
	bstore *s;
	const char *dir;
	buf prefix;
	int depth;
} getdir_ctx;

static int get_tree(bstore *s, const char *dir, const char *prefix, const cid *c, int depth);

static int get_entry(void *arg, const char *name, size_t namelen, const cid *c, uint64_t tsize)
{
	getdir_ctx *g = arg;
	buf rel = BUF_INIT;
	buf_addf(&rel, "%s%s", (char *)g->prefix.p, *(char *)g->prefix.p ? "/" : "");
	buf_add(&rel, name, namelen);
	int r = 0;
	if (!namelen || memchr(name, '/', namelen) || memchr(name, 0, namelen) ||
	    (namelen == 1 && name[0] == '.') || (namelen == 2 && !memcmp(name, "..", 2)))
		r = diag_error(LST_EINVALID, "refusing the unsafe entry name '%.*s'", (int)namelen, name);
	else
		r = get_tree(g->s, g->dir, (char *)rel.p, c, g->depth + 1);
	buf_free(&rel);
	return r;
}

static int get_tree(bstore *s, const char *dir, const char *prefix, const cid *c, int depth)
{
	ufs_stat st;
	int r = ufs_stat_of(s, &st, c);
	if (r == 1)
		return missing_error(c);
	if (r < 0)
		return -1;
	if (st.kind != UFS_ST_DIR)
		return get_one(s, dir, prefix, c, NULL, NULL, 0);
	if (depth > 64)
		return diag_error(LST_EINVALID, "directories nested too deep");
	buf d = BUF_INIT;
	buf_addf(&d, "%s/%s", dir, prefix);
	if (mkdir((char *)d.p, 0755) < 0 && errno != EEXIST) {
		buf_free(&d);
		return diag_error(LST_EFAIL, "cannot make directory '%s': %s", dir, strerror(errno));
	}
	buf_free(&d);
	getdir_ctx g = {s, dir, BUF_INIT, depth};
	buf_adds(&g.prefix, prefix);
	r = ufs_ls(s, c, get_entry, &g);
	if (r == 1)
		r = missing_error(c);
	buf_free(&g.prefix);
	return r;
}

static int cmd_get(int argc, char **argv)
{
	const char *out = NULL, *key_file = NULL;
	static const char *const usage[] = {"lst-block get [--key-file F] ROOT -o DIR", NULL};
	const struct opt opts[] = {
		OPT_STRING('o', "output", &out, "DIR", "write the files here (created; a file root is written as DIR/ROOT)"),
		OPT_STRING(0, "key-file", &key_file, "FILE", "the content key of an encrypted root"),
		HOME_OPT,
		OPT_END(),
	};
	if (parse(argc, argv, opts, usage) != 1 || !out)
		opt_usage_die(opts, usage, "get takes one ROOT and -o DIR");
	cid root;
	if (parse_cid(&root, argv[0]) < 0)
		return -1;
	bstore *s = home_store(false);
	if (!s)
		return -1;
	if (mkdir(out, 0755) < 0 && errno != EEXIST) {
		bstore_close(s);
		return diag_error(LST_EFAIL, "cannot make directory '%s': %s", out, strerror(errno));
	}
	int r, enc = content_is_encrypted(s, &root);
	if (enc < 0) {
		r = -1;
	} else if (enc == 1) {
		uint8_t *key;
		json_t *m;
		r = open_manifest(&key, &m, s, &root, key_file);
		json_t *fl = m ? json_object_get(m, "files") : NULL;
		for (size_t i = 0; r == 0 && i < json_array_size(fl); i++) {
			json_t *f = json_array_get(fl, i);
			const char *p = json_string_value(json_object_get(f, "path"));
			r = get_one(s, out, p, NULL, m, key, i);
		}
		json_decref(m);
		if (key)
			sodium_free(key);
	} else {
		char cs[CID_STR_MAX];
		cid_str(cs, &root);
		ufs_stat st;
		r = ufs_stat_of(s, &st, &root);
		if (r == 1)
			r = missing_error(&root);
		if (r == 0)
			r = st.kind == UFS_ST_DIR ? get_tree(s, out, "", &root, 0) : get_one(s, out, cs, &root, NULL, NULL, 0);
	}
	if (r == 0) {
		char cs[CID_STR_MAX];
		cid_str(cs, &root);
		r = print(jsonio_obj("root", jsonio_str(cs), "output", jsonio_str(out), NULL));
	}
	bstore_close(s);
	return r;
}

static const char *codec_name(uint64_t codec)
{
	switch (codec) {
	case CODEC_RAW: return "raw";
	case CODEC_DAG_PB: return "dag-pb";
	case CODEC_DAG_CBOR: return "dag-cbor";
	case CODEC_DAG_JSON: return "dag-json";
	default: return "unknown";
	}
}

static const char *kind_name(int kind)
{
	switch (kind) {
	case UFS_ST_FILE: return "file";
	case UFS_ST_DIR: return "directory";
	case UFS_ST_RAW_BLOCK: return "file";
	default: return "other";
	}
}

static int ls_entry(void *arg, const char *name, size_t namelen, const cid *c, uint64_t tsize)
{
	bstore *s = arg;
	char cs[CID_STR_MAX];
	cid_str(cs, c);
	ufs_stat st;
	int r = ufs_stat_of(s, &st, c);
	json_t *o = jsonio_obj("name", json_stringn(name, namelen), "cid", jsonio_str(cs), "tsize",
			       json_integer((json_int_t)tsize), NULL);
	if (r == 0) {
		json_object_set_new(o, "type", jsonio_str(kind_name(st.kind)));
		json_object_set_new(o, "size", json_integer((json_int_t)st.size));
	} else {
		json_object_set_new(o, "type", json_null());
	}
	return print(o);
}

static int cmd_ls(int argc, char **argv)
{
	const char *key_file = NULL;
	bool raw = false;
	static const char *const usage[] = {"lst-block ls [--raw] [--key-file F] ROOT[/PATH]", NULL};
	const struct opt opts[] = {
		OPT_BOOL(0, "raw", &raw, "an encrypted root's directory entries, not its manifest's files"),
		OPT_STRING(0, "key-file", &key_file, "FILE", "the content key of an encrypted root"),
		HOME_OPT,
		OPT_END(),
	};
	if (parse(argc, argv, opts, usage) != 1)
		opt_usage_die(opts, usage, "ls takes one ROOT[/PATH]");
	cid root;
	const char *path;
	buf tmp = BUF_INIT;
	if (parse_root_path(&root, &path, argv[0], &tmp) < 0) {
		buf_free(&tmp);
		return -1;
	}
	bstore *s = home_store(false);
	if (!s) {
		buf_free(&tmp);
		return -1;
	}
	int r = 0, enc = raw || *path ? 0 : content_is_encrypted(s, &root);
	if (enc < 0) {
		r = -1;
	} else if (enc == 1) {
		uint8_t *key;
		json_t *m;
		r = open_manifest(&key, &m, s, &root, key_file);
		json_t *fl = m ? json_object_get(m, "files") : NULL;
		for (size_t i = 0; r == 0 && i < json_array_size(fl); i++) {
			json_t *f = json_array_get(fl, i);
			r = print(jsonio_obj("path", json_incref(json_object_get(f, "path")), "size",
					     json_incref(json_object_get(f, "size")), "segments",
					     json_integer((json_int_t)json_array_size(json_object_get(f, "segments"))),
					     "segment_size", json_incref(json_object_get(f, "segment_size")), "sha256",
					     json_incref(json_object_get(f, "sha256")), "cid",
					     json_incref(json_object_get(f, "cid")), NULL));
		}
		json_decref(m);
		if (key)
			sodium_free(key);
	} else {
		cid c;
		int rr = ufs_resolve(s, &c, &root, path);
		if (rr == 1)
			r = diag_error(LST_ENOTFOUND, "no '%s' under '%s'", path, (char *)tmp.p);
		else if (rr < 0)
			r = -1;
		if (r == 0) {
			r = ufs_ls(s, &c, ls_entry, s);
			if (r == 1)
				r = missing_error(&c);
		}
	}
	bstore_close(s);
	buf_free(&tmp);
	return r;
}

static int cmd_stat(int argc, char **argv)
{
	static const char *const usage[] = {"lst-block stat CID", NULL};
	const struct opt opts[] = {HOME_OPT, OPT_END()};
	if (parse(argc, argv, opts, usage) != 1)
		opt_usage_die(opts, usage, "stat takes one CID");
	cid c;
	if (parse_cid(&c, argv[0]) < 0)
		return -1;
	bstore *s = home_store(false);
	if (!s)
		return -1;
	uint64_t bsize;
	int r = bstore_size(s, &bsize, &c);
	if (r == 1)
		r = missing_error(&c);
	ufs_stat st = {0};
	if (r == 0 && (cid_codec(&c) == CODEC_RAW || cid_codec(&c) == CODEC_DAG_PB)) {
		r = ufs_stat_of(s, &st, &c);
		if (r == 1)
			r = missing_error(&c);
	} else {
		st.kind = UFS_ST_OTHER;
	}
	if (r == 0) {
		char cs[CID_STR_MAX];
		cid_str(cs, &c);
		int enc = st.kind == UFS_ST_DIR ? content_is_encrypted(s, &c) : 0;
		uint8_t id[32];
		root_id(id, &c);
		json_t *o = jsonio_obj("cid", jsonio_str(cs), "version", json_integer(cid_version(&c)), "codec",
				       jsonio_str(codec_name(cid_codec(&c))), "block_size", json_integer((json_int_t)bsize),
				       "type", jsonio_str(kind_name(st.kind)), "size", json_integer((json_int_t)st.size),
				       "links", json_integer((json_int_t)st.nlinks), "encrypted", json_boolean(enc == 1),
				       "pinned", json_boolean(bstore_pinned(s, &c)), "root_id", jsonio_hex(id, 32), NULL);
		r = print(o);
	}
	bstore_close(s);
	return r;
}

static int cmd_has(int argc, char **argv)
{
	static const char *const usage[] = {"lst-block has CID...", NULL};
	const struct opt opts[] = {HOME_OPT, OPT_END()};
	int n = parse(argc, argv, opts, usage);
	if (n < 1)
		opt_usage_die(opts, usage, "has takes one or more CIDs");
	cid *cs = xcalloc((size_t)n, sizeof(*cs));
	for (int i = 0; i < n; i++)
		if (parse_cid(&cs[i], argv[i]) < 0) {
			free(cs);
			return -1;
		}
	bstore *s = home_store(false);
	if (!s) {
		free(cs);
		return -1;
	}
	int r = 0, absent = 0;
	for (int i = 0; i < n && r == 0; i++) {
		bool h = bstore_has(s, &cs[i]) == 1;
		absent += !h;
		char str[CID_STR_MAX];
		cid_str(str, &cs[i]);
		r = print(jsonio_obj("cid", jsonio_str(str), "has", json_boolean(h), NULL));
	}
	free(cs);
	bstore_close(s);
	if (r == 0 && absent) {
		diag_set_status(LST_ENOTFOUND);
		return -1;
	}
	return r;
}

static void corrupt_cb(void *arg, const cid *c)
{
	char cs[CID_STR_MAX];
	cid_str(cs, c);
	json_array_append_new(arg, jsonio_str(cs));
}

static int cmd_verify(int argc, char **argv)
{
	static const char *const usage[] = {"lst-block verify [ROOT]", NULL};
	const struct opt opts[] = {HOME_OPT, OPT_END()};
	int n = parse(argc, argv, opts, usage);
	if (n > 1)
		opt_usage_die(opts, usage, "verify takes at most one ROOT");
	cid root, missing;
	if (n == 1 && parse_cid(&root, argv[0]) < 0)
		return -1;
	bstore *s = home_store(false);
	if (!s)
		return -1;
	json_t *bad = json_array();
	uint64_t checked, corrupt;
	int r = bo_verify(s, &checked, &corrupt, n ? &root : NULL, corrupt_cb, bad, &missing);
	bstore_close(s);
	if (r < 0) {
		json_decref(bad);
		return -1;
	}
	int pr = print(jsonio_obj("checked", json_integer((json_int_t)checked), "corrupt", bad, "ok",
				  json_boolean(r == 0), NULL));
	if (pr < 0)
		return -1;
	if (r == 2)
		return missing_error(&missing);
	if (r == 1) {
		diag_error(LST_EFAIL, "%llu corrupt block%s", (unsigned long long)corrupt, corrupt == 1 ? "" : "s");
		diag_hint("remove them with 'lst-block rm CID' and fetch them again");
		return -1;
	}
	return 0;
}

static int cmd_pin(int argc, char **argv)
{
	bool unpin = !strcmp(argv[0], "unpin");
	static const char *const usage_pin[] = {"lst-block pin ROOT...", NULL};
	static const char *const usage_unpin[] = {"lst-block unpin ROOT...", NULL};
	const char *const *usage = unpin ? usage_unpin : usage_pin;
	const struct opt opts[] = {HOME_OPT, OPT_END()};
	int n = parse(argc, argv, opts, usage);
	if (n < 1)
		opt_usage_die(opts, usage, "%s takes one or more ROOTs", unpin ? "unpin" : "pin");
	cid *cs = xcalloc((size_t)n, sizeof(*cs));
	int r = 0;
	for (int i = 0; i < n && r == 0; i++)
		r = parse_cid(&cs[i], argv[i]);
	bstore *s = r == 0 ? home_store(false) : NULL;
	if (!s)
		r = -1;
	for (int i = 0; i < n && r == 0; i++)
		if (!unpin && !bstore_has(s, &cs[i]))
			r = missing_error(&cs[i]);
	for (int i = 0; i < n && r == 0; i++) {
		char str[CID_STR_MAX];
		cid_str(str, &cs[i]);
		int was = bstore_pinned(s, &cs[i]);
		r = unpin ? bstore_unpin(s, &cs[i]) : bstore_pin(s, &cs[i]);
		if (r >= 0)
			r = print(jsonio_obj("cid", jsonio_str(str), "pinned", json_boolean(!unpin), "changed",
					     json_boolean(unpin ? was : !was), NULL));
	}
	free(cs);
	if (s)
		bstore_close(s);
	return r < 0 ? -1 : 0;
}

static int cmd_rm(int argc, char **argv)
{
	bool force = false;
	static const char *const usage[] = {"lst-block rm [--force] CID...", NULL};
	const struct opt opts[] = {OPT_BOOL('f', "force", &force, "also remove pinned roots (unpinning them)"), HOME_OPT,
				   OPT_END()};
	int n = parse(argc, argv, opts, usage);
	if (n < 1)
		opt_usage_die(opts, usage, "rm takes one or more CIDs");
	cid *cs = xcalloc((size_t)n, sizeof(*cs));
	int r = 0;
	for (int i = 0; i < n && r == 0; i++)
		r = parse_cid(&cs[i], argv[i]);
	bstore *s = r == 0 ? home_store(false) : NULL;
	if (!s)
		r = -1;
	for (int i = 0; i < n && r == 0; i++)
		if (!force && bstore_pinned(s, &cs[i]))
			r = diag_error(LST_EREFUSED, "'%s' is pinned (unpin it first, or use --force)", argv[i]);
	for (int i = 0; i < n && r == 0; i++) {
		char str[CID_STR_MAX];
		cid_str(str, &cs[i]);
		if (bstore_pinned(s, &cs[i]) && bstore_unpin(s, &cs[i]) < 0) {
			r = -1;
			break;
		}
		int rr = bstore_rm(s, &cs[i]);
		if (rr < 0)
			r = -1;
		else
			r = print(jsonio_obj("cid", jsonio_str(str), "removed", json_boolean(rr == 0), NULL));
	}
	free(cs);
	if (s)
		bstore_close(s);
	return r;
}

static int cmd_gc(int argc, char **argv)
{
	static const char *const usage[] = {"lst-block gc", NULL};
	const struct opt opts[] = {HOME_OPT, OPT_END()};
	if (parse(argc, argv, opts, usage) != 0)
		opt_usage_die(opts, usage, "gc takes no operands");
	bstore *s = home_store(false);
	if (!s)
		return -1;
	uint64_t removed, freed;
	int r = bo_gc(s, &removed, &freed);
	bstore_close(s);
	if (r < 0)
		return -1;
	return print(jsonio_obj("removed", json_integer((json_int_t)removed), "freed_bytes",
				json_integer((json_int_t)freed), NULL));
}

static int cmd_export(int argc, char **argv)
{
	static const char *const usage[] = {"lst-block export ROOT > FILE.car", NULL};
	const struct opt opts[] = {HOME_OPT, OPT_END()};
	if (parse(argc, argv, opts, usage) != 1)
		opt_usage_die(opts, usage, "export takes one ROOT");
	cid root, missing;
	if (parse_cid(&root, argv[0]) < 0)
		return -1;
	if (isatty(1))
		return diag_error(LST_EUSAGE, "refusing to write a CAR to a terminal (redirect standard output)");
	bstore *s = home_store(false);
	if (!s)
		return -1;
	fflush(stdout);
	int r = bo_export(s, 1, &root, &missing);
	bstore_close(s);
	if (r == 1)
		return missing_error(&missing);
	return r;
}

static int cmd_import(int argc, char **argv)
{
	bool no_pin = false;
	static const char *const usage[] = {"lst-block import [--no-pin] < FILE.car", NULL};
	const struct opt opts[] = {OPT_BOOL(0, "no-pin", &no_pin, "do not pin the CAR's roots"), HOME_OPT, OPT_END()};
	if (parse(argc, argv, opts, usage) != 0)
		opt_usage_die(opts, usage, "import reads the CAR from standard input and takes no operands");
	if (isatty(0))
		return diag_error(LST_EUSAGE, "import reads a CAR from standard input (redirect it: < FILE.car)");
	bstore *s = home_store(true);
	if (!s)
		return -1;
	cid *roots;
	size_t nroots;
	uint64_t blocks, bytes;
	int r = bo_import(s, &roots, &nroots, &blocks, &bytes, 0);
	if (r == 0) {
		json_t *rs = json_array();
		for (size_t i = 0; i < nroots; i++) {
			char cs[CID_STR_MAX];
			cid_str(cs, &roots[i]);
			json_array_append_new(rs, jsonio_str(cs));
			if (no_pin && bstore_unpin(s, &roots[i]) < 0)
				r = -1;
			/* A paid book arriving by CAR is gated like one added or fetched. */
			int enc = r == 0 && bstore_has(s, &roots[i]) == 1 ? content_is_encrypted(s, &roots[i]) : 0;
			if (enc < 0 || (enc == 1 && gateway_gate_root(bstore_dir(s), &roots[i]) < 0))
				r = -1;
		}
		free(roots);
		if (r == 0)
			r = print(jsonio_obj("roots", rs, "blocks", json_integer((json_int_t)blocks), "bytes",
					     json_integer((json_int_t)bytes), NULL));
		else
			json_decref(rs);
	}
	bstore_close(s);
	return r;
}

static const struct verb verbs[] = {
	{"add", cmd_add, "add files: encrypted (default) or --public UnixFS; prints the root"},
	{"cat", cmd_cat, "a file's bytes to stdout (decrypted with the content key)"},
	{"get", cmd_get, "write a root's files into a directory"},
	{"ls", cmd_ls, "a directory's entries, or an encrypted root's files"},
	{"stat", cmd_stat, "what a CID is: codec, type, sizes, pinned"},
	{"has", cmd_has, "whether blocks are in the store (exit 3 if any is not)"},
	{"verify", cmd_verify, "rehash every block, or every block under ROOT"},
	{"pin", cmd_pin, "keep ROOT and all it links to through gc"},
	{"unpin", cmd_pin, "let gc remove ROOT"},
	{"rm", cmd_rm, "remove blocks"},
	{"gc", cmd_gc, "remove every block no pin reaches"},
	{"export", cmd_export, "write ROOT's DAG as a CARv1 to stdout"},
	{"import", cmd_import, "read a CARv1 from stdin, checking every block"},
};

int main(int argc, char **argv)
{
	diag_init("lst-block");
	if (sodium_init() < 0)
		diag_die(LST_EFAIL, "cannot initialise libsodium");
	static const struct global_opt globals[] = {
		{"home", "DIR", &opt_home},
	};
	verbs_main("lst-block", verbs, ARRAY_SIZE(verbs), globals, ARRAY_SIZE(globals), argc, argv);
}
