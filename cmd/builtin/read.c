/*
 * read.c: the reader's porcelain (builtin.h): lst read (a version's
 * plaintext, obtained from the swarm first when it is not in the home;
 * with --page, a subscriber's pages, recorded on chain: pages.h) and lst
 * library (the books the home's key bought).
 */
#include "lst.h"
#include "builtin.h"
#include "addr.h"
#include "amount.h"
#include "book.h"
#include "bstore.h"
#include "buf.h"
#include "cid.h"
#include "content.h"
#include "diag.h"
#include "fetch.h"
#include "hex.h"
#include "home.h"
#include "jsonio.h"
#include "keyring.h"
#include "opt.h"
#include "pages.h"
#include "pagefetch.h"
#include "pass.h"
#include "rpcclient.h"
#include "swarmkey.h"

#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#define RECORD_TIMEOUT 60.0 /* seconds to wait for recordPages' receipt */

static int print(json_t *j)
{
	if (jsonio_print(j) < 0)
		return diag_error(LST_EFAIL, "cannot write standard output");
	fflush(stdout);
	return 0;
}

/* Every block of root in s? */
static bool all_local(bstore *s, const cid *root)
{
	uint8_t *have = NULL;
	uint64_t leaves = 0;
	bool complete = false;
	diag_set_quiet(true);
	int r = fetch_have(s, &have, &leaves, &complete, root, NULL);
	diag_set_quiet(false);
	free(have);
	return r == 0 && complete;
}

/* ---- read ---- */

typedef struct {
	const char *arg;      /* BOOK as given */
	uint8_t book[32];
	const char *version;  /* --version: index or label; NULL the latest */
	const char *file;     /* --file */
	const char *page;     /* --page N[-M] */
	const char *out;      /* -o */
	bool json;
	const char *const *peers;
	size_t npeers;
} read_args;

/* Version V (an index, else a label: the latest with it) of v[0..n). */
static int pick_version(size_t *idx, const book_version *v, size_t n, const read_args *a)
{
	if (!a->version) {
		*idx = n - 1;
		return 0;
	}
	char *end;
	errno = 0;
	unsigned long long x = strtoull(a->version, &end, 10);
	if (*a->version >= '0' && *a->version <= '9' && !*end && !errno && x < n) {
		*idx = (size_t)x;
		return 0;
	}
	for (size_t i = n; i-- > 0;)
		if (v[i].label && !strcmp(v[i].label, a->version)) {
			*idx = i;
			return 0;
		}
	diag_error(LST_ENOTFOUND, "book '%s' has no version '%s'", a->arg, a->version);
	diag_hint("it has %zu: see 'lst versions %s'", n, a->arg);
	return -1;
}

/* The book's versions (*v of *n, book_versions_free) and the one asked for, *idx. 0 or -1 (reported). */
static int book_version_of(book_version **v, size_t *n, size_t *idx, const read_args *a)
{
	int r = book_versions(v, n, a->book);
	if (r == 1 || (r == 0 && *n == 0))
		r = diag_error(LST_ENOTFOUND, "no such book '%s'", a->arg);
	return r == 0 ? pick_version(idx, *v, *n, a) : r;
}

/*
 * The manifest of root, with its key: from the home when both are here,
 * else obtained from the swarm (without paying: the providers check the
 * purchase). 0 or -1 (reported).
 */
static int open_version(json_t **m, uint8_t *key, bstore *s, const cid *root, const read_args *a)
{
	*m = NULL;
	int k = content_key_load(key, root);
	if (k < 0)
		return -1;
	if (k == 0 && all_local(s, root))
		return content_manifest(s, m, root, key);
	key_entry e;
	secret_key sk = {NULL};
	if (keyring_find(&e, NULL) < 0)
		return -1;
	int r = keyring_unlock_ask(&sk, &e);
	char *from = NULL;
	fetch_result res = {0};
	if (r == 0) {
		r = swarm_obtain_here(s, key, &from, m, &res, NULL, sk.priv, a->peers, a->npeers, root);
		if (r < 0 && diag_status() == LST_EREFUSED)
			diag_hint("buy it with: lst-buy %s", a->arg);
	}
	fetch_result_free(&res);
	free(from);
	secret_free(&sk);
	keyring_entry_free(&e);
	return r;
}

/* A manifest path we may write under a directory: relative, no "", "." or ".." component. */
static bool safe_path(const char *p)
{
	if (!*p || *p == '/')
		return false;
	for (const char *c = p;;) {
		const char *slash = strchr(c, '/');
		size_t len = slash ? (size_t)(slash - c) : strlen(c);
		if (!len || (len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		if (!slash)
			return true;
		c = slash + 1;
	}
}

static int to_file(void *arg, const uint8_t *data, size_t len)
{
	FILE *f = arg;
	return fwrite(data, 1, len, f) == len ? 0 : -1;
}

static int read_missing(const cid *missing)
{
	char cs[CID_STR_MAX];
	cid_str(cs, missing);
	return diag_error(LST_ENOTFOUND, "block '%s' is missing from the store", cs);
}

/* File i of the manifest to stdout. */
static int write_stdout(bstore *s, const json_t *m, const uint8_t *key, size_t i)
{
	cid missing;
	int r = content_read_file(s, m, key, i, -1, to_file, stdout, &missing);
	if (r == 1)
		return read_missing(&missing);
	if (r == 0 && fflush(stdout) != 0)
		return diag_error(LST_EFAIL, "cannot write standard output");
	if (r < 0 && ferror(stdout))
		return diag_error(LST_EFAIL, "cannot write standard output");
	return r;
}

/* File i of the manifest to path, through path.tmp and a rename; parents made. */
static int write_path(bstore *s, const json_t *m, const uint8_t *key, size_t i, const char *path, size_t base_len)
{
	buf p = BUF_INIT, t = BUF_INIT;
	buf_addf(&p, "%s", path);
	for (char *q = (char *)p.p + base_len; (q = strchr(q, '/')); q++) {
		*q = 0;
		if (q != (char *)p.p && mkdir((char *)p.p, 0755) < 0 && errno != EEXIST) {
			int e = errno;
			*q = '/';
			buf_free(&p);
			return diag_error(LST_EFAIL, "cannot make directory for '%s': %s", path, strerror(e));
		}
		*q = '/';
	}
	buf_addf(&t, "%s.tmp", path);
	FILE *f = fopen((char *)t.p, "wb");
	int r;
	cid missing;
	if (!f) {
		r = diag_error(LST_EFAIL, "cannot write '%s': %s", (char *)t.p, strerror(errno));
	} else {
		r = content_read_file(s, m, key, i, -1, to_file, f, &missing);
		bool werr = ferror(f);
		if (fclose(f) != 0 || werr) {
			if (r >= 0)
				r = diag_error(LST_EFAIL, "cannot write '%s': %s", (char *)t.p, strerror(errno));
		}
		if (r == 1)
			r = read_missing(&missing);
		if (r == 0 && rename((char *)t.p, path) < 0)
			r = diag_error(LST_EFAIL, "cannot write '%s': %s", path, strerror(errno));
		if (r < 0)
			unlink((char *)t.p);
	}
	buf_free(&p);
	buf_free(&t);
	return r;
}

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Write file one, or all of them, to a->out (under it when a directory); written gets [{path,size}]. */
static int write_out(json_t *written, bstore *s, const json_t *m, const uint8_t *key, size_t one, bool all,
		     const read_args *a)
{
	json_t *files = json_object_get(m, "files");
	size_t nf = json_array_size(files);
	bool under = all || is_dir(a->out);
	if (all && mkdir(a->out, 0755) < 0 && errno != EEXIST)
		return diag_error(LST_EFAIL, "cannot make directory '%s': %s", a->out, strerror(errno));
	for (size_t i = all ? 0 : one; i < (all ? nf : one + 1); i++) {
		json_t *f = json_array_get(files, i);
		const char *path = json_string_value(json_object_get(f, "path"));
		if (!path || !safe_path(path))
			return diag_error(LST_EINVALID, "refusing the unsafe path '%s' in the manifest", path ? path : "");
		int r;
		if (under) {
			buf dst = BUF_INIT;
			buf_addf(&dst, "%s/%s", a->out, path);
			r = write_path(s, m, key, i, (char *)dst.p, strlen(a->out) + 1);
			buf_free(&dst);
		} else {
			r = write_path(s, m, key, i, a->out, strlen(a->out));
		}
		if (r < 0)
			return -1;
		json_array_append_new(written, jsonio_obj("path", jsonio_str(path), "size",
							  json_incref(json_object_get(f, "size")), NULL));
	}
	return 0;
}

static int find_file(size_t *idx, const json_t *m, const char *path, const read_args *a, size_t version)
{
	json_t *files = json_object_get(m, "files");
	for (size_t i = 0; i < json_array_size(files); i++) {
		const char *p = json_string_value(json_object_get(json_array_get(files, i), "path"));
		if (p && !strcmp(p, path)) {
			*idx = i;
			return 0;
		}
	}
	diag_error(LST_ENOTFOUND, "no file '%s' in version %zu of '%s'", path, version, a->arg);
	diag_hint("run 'lst read %s --version %zu' to list its files", a->arg, version);
	return -1;
}

/* Several files and nowhere to put them: list them, exit 2. */
static int list_files(const json_t *m, const read_args *a)
{
	json_t *files = json_object_get(m, "files"), *f;
	size_t i;
	fprintf(stderr, "%s: this version has %zu files:\n", diag_prog(), json_array_size(files));
	json_array_foreach(files, i, f)
		fprintf(stderr, "  %s\n", json_string_value(json_object_get(f, "path")));
	diag_error(LST_EUSAGE, "which one? '%s' has several files", a->arg);
	diag_hint("pass --file PATH for one, or -o DIR for all");
	return -1;
}

static int read_version(const read_args *a)
{
	book_version *v = NULL;
	size_t n = 0, vi = 0;
	int r = book_version_of(&v, &n, &vi, a);
	bstore *s = r == 0 ? home_store(true) : NULL;
	if (r == 0 && !s)
		r = -1;
	uint8_t *key = sodium_malloc(32);
	json_t *m = NULL;
	if (r == 0)
		r = open_version(&m, key, s, &v[vi].root, a);
	size_t one = 0;
	json_t *files = m ? json_object_get(m, "files") : NULL;
	bool all = false;
	if (r == 0) {
		if (a->file)
			r = find_file(&one, m, a->file, a, vi);
		else if (json_array_size(files) != 1 && !a->out)
			r = list_files(m, a);
		else
			all = json_array_size(files) != 1;
	}
	if (r == 0 && !a->out) {
		r = write_stdout(s, m, key, one);
	} else if (r == 0) {
		json_t *written = json_array();
		r = write_out(written, s, m, key, one, all, a);
		char id[67], cs[CID_STR_MAX];
		book_id_str(id, a->book);
		cid_str(cs, &v[vi].root);
		if (r == 0 && (a->json || !isatty(1))) {
			r = print(jsonio_obj("book", jsonio_str(id), "version", json_integer((json_int_t)vi), "label",
					     jsonio_str(v[vi].label ? v[vi].label : ""), "root", jsonio_str(cs), "files",
					     json_incref(written), "output", jsonio_str(a->out), NULL));
		} else if (r == 0) {
			size_t nw = json_array_size(written);
			printf("wrote %zu file%s of version %zu (%s) to %s\n", nw, nw == 1 ? "" : "s", vi,
			       v[vi].label ? v[vi].label : "", a->out);
		}
		json_decref(written);
	}
	json_decref(m);
	sodium_free(key);
	if (s)
		bstore_close(s);
	book_versions_free(v, n);
	return r;
}

/* ---- read --page ---- */

/* A page number: 0, or -1 (not a number, or beyond 2^32 - 1). */
static int page_number(uint32_t *out, const char *s, size_t len)
{
	uint64_t v = 0;
	if (!len || len > 10)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* --page N or N-M: 0, or -1 reported (exit 2 not that form, 6 a range that cannot be asked). */
static int parse_pages(uint32_t *from, uint32_t *to, const char *s)
{
	const char *dash = strchr(s, '-');
	size_t n1 = dash ? (size_t)(dash - s) : strlen(s);
	if (page_number(from, s, n1) < 0 || (dash && page_number(to, dash + 1, strlen(dash + 1)) < 0)) {
		diag_error(LST_EUSAGE, "--page takes N or N-M (page numbers), not '%s'", s);
		return -1;
	}
	if (!dash)
		*to = *from;
	if (*from == 0)
		return diag_error(LST_EINVALID, "no page 0 in '%s': pages are numbered from 1", s);
	if (*to < *from)
		return diag_error(LST_EINVALID, "the pages '%s' run backwards", s);
	if (*to - *from >= PAGES_PER_REQUEST) {
		diag_error(LST_EINVALID, "'%s' is %" PRIu64 " pages: at most %d at once", s,
			   (uint64_t)*to - *from + 1, PAGES_PER_REQUEST);
		diag_hint("ask for the rest with another --page");
		return -1;
	}
	return 0;
}

/* All of fd from its start to stdout. */
static int copy_out(int fd)
{
	uint8_t b[65536];
	ssize_t n;
	if (lseek(fd, 0, SEEK_SET) != 0)
		return diag_error(LST_EFAIL, "cannot read the pages back: %s", strerror(errno));
	while ((n = read(fd, b, sizeof(b))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return diag_error(LST_EFAIL, "cannot read the pages back: %s", strerror(errno));
		if (fwrite(b, 1, (size_t)n, stdout) != (size_t)n)
			return diag_error(LST_EFAIL, "cannot write standard output");
	}
	sodium_memzero(b, sizeof(b));
	if (fflush(stdout) != 0)
		return diag_error(LST_EFAIL, "cannot write standard output");
	return 0;
}

/*
 * Pages from..to of a version: the page keys from a provider (which checks
 * the membership), the blocks, the plaintext opened into OUT.tmp (or a
 * temporary file), the pages recorded on chain, then OUT renamed (or the
 * plaintext copied to stdout). A refusal writes and sends nothing.
 */
static int read_pages(const read_args *a)
{
	uint32_t from = 0, to = 0;
	if (parse_pages(&from, &to, a->page) < 0)
		return -1;
	book_version *v = NULL;
	size_t n = 0, vi = 0;
	int r = book_version_of(&v, &n, &vi, a);
	key_entry e;
	secret_key sk = {NULL};
	bool have_e = false;
	if (r == 0 && (r = keyring_find(&e, NULL)) == 0) {
		have_e = true;
		r = keyring_unlock_ask(&sk, &e);
	}
	bstore *s = r == 0 ? home_store(true) : NULL;
	if (r == 0 && !s)
		r = -1;
	const cid *root = r == 0 ? &v[vi].root : NULL;
	pages_grant g;
	char *gw = NULL, *tmp = NULL;
	memset(&g, 0, sizeof(g));
	if (r == 0)
		r = pages_ask_any(&g, &gw, sk.priv, a->peers, a->npeers, rpcc_url(), root, from, to);
	/*
	 * Just the blocks of these pages, from the gateway that granted them;
	 * should that fail, the whole book from every provider.
	 */
	uint64_t height = 0, fetched = 0;
	if (r == 0 && book_height(&height) == 0) {
		diag_set_quiet(true);
		int q = pagefetch(s, &fetched, sk.priv, gw, height, root, &g);
		diag_set_quiet(false);
		if (q < 0)
			r = pages_fetch(s, sk.priv, a->peers, a->npeers, root);
	} else if (r == 0) {
		r = -1;
	}
	int fd = -1;
	if (r == 0 && a->out) {
		tmp = xasprintf("%s.tmp", a->out);
		if ((fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
			r = diag_error(LST_EFAIL, "cannot write '%s': %s", tmp, strerror(errno));
	} else if (r == 0) {
		const char *dir = getenv("TMPDIR");
		tmp = xasprintf("%s/lst-pages-XXXXXX", dir && *dir ? dir : "/tmp");
		if ((fd = mkstemp(tmp)) < 0)
			r = diag_error(LST_EFAIL, "cannot make a temporary file '%s': %s", tmp, strerror(errno));
		else
			unlink(tmp); /* gone with fd */
		free(tmp);
		tmp = NULL;
	}
	if (r == 0)
		r = pages_write(s, fd, root, &g);
	uint64_t added = 0, counted = 0;
	uint8_t tx[32];
	if (r == 0)
		r = pages_record(&added, &counted, tx, &e, &g, RECORD_TIMEOUT);
	if (r == 0 && a->out && rename(tmp, a->out) < 0)
		r = diag_error(LST_EFAIL, "cannot write '%s': %s", a->out, strerror(errno));
	if (r == 0 && !a->out)
		r = copy_out(fd);
	if (fd >= 0)
		close(fd);
	if (tmp && r < 0)
		unlink(tmp);
	if (r == 0) {
		char id[67], cs[CID_STR_MAX], th[67];
		book_id_str(id, a->book);
		cid_str(cs, root);
		hex_encode(th, tx, 32);
		if (a->out && (a->json || !isatty(1))) {
			r = print(jsonio_obj("book", jsonio_str(id), "version", json_integer((json_int_t)vi), "root",
					     jsonio_str(cs), "from", json_integer(from), "to", json_integer(to), "pages",
					     json_integer((json_int_t)g.n), "period", json_integer((json_int_t)g.period),
					     "added", json_integer((json_int_t)added), "counted",
					     json_integer((json_int_t)counted), "tx", jsonio_str(th), "gateway",
					     jsonio_str(gw), "blocks_fetched", json_integer((json_int_t)fetched), "output",
					     jsonio_str(a->out), NULL));
		} else if (a->out || isatty(2)) {
			FILE *f = a->out ? stdout : stderr;
			fprintf(f, "%s%zu page%s (%" PRIu32 "-%" PRIu32 ") of version %zu%s%s, recorded in period %" PRIu64
				   ": %" PRIu64 " counted\n",
				a->out ? "wrote " : "read ", g.n, g.n == 1 ? "" : "s", from, to, vi, a->out ? " to " : "",
				a->out ? a->out : "", g.period, counted);
		}
	}
	pages_grant_free(&g);
	free(gw);
	free(tmp);
	if (s)
		bstore_close(s);
	secret_free(&sk);
	if (have_e)
		keyring_entry_free(&e);
	book_versions_free(v, n);
	return r;
}

int cmd_read(int argc, char **argv)
{
	read_args a;
	memset(&a, 0, sizeof(a));
	const char *rpc = NULL, *passfile = NULL, *unused = NULL, **peers = NULL;
	static const char *const usage[] = {
		"lst read [--version V] [--file PATH] [-o OUT] [--peer URL]... [--rpc URL] [--json] BOOK",
		"lst read --page N[-M] [--version V] [-o OUT] [--peer URL]... [--rpc URL] [--json] BOOK", NULL};
	const struct opt opts[] = {
		OPT_STRING(0, "version", &a.version, "V", "a version's index or label (default: the latest)"),
		OPT_STRING(0, "file", &a.file, "PATH", "the file of the version to read"),
		OPT_STRING(0, "page", &a.page, "N[-M]", "a subscriber's pages N to M (recorded on chain)"),
		OPT_STRING('o', "output", &a.out, "OUT", "write to OUT (a file, or a directory for several files)"),
		OPT_STRING(0, "peer", &unused, "URL", "a gateway to ask for the key and blocks (repeat)"),
		OPT_STRING(0, "rpc", &rpc, "URL", "the node (default: config rpc)"),
		OPT_STRING(0, "passphrase-file", &passfile, "FILE", "the home key's passphrase"),
		OPT_BOOL(0, "json", &a.json, "with -o: print what was written as JSON"),
		OPT_END(),
	};
	size_t npeers = 0;
	argc = opt_take_repeated(argc, argv, "peer", &peers, &npeers);
	if (argc < 0)
		return -1;
	if (opt_parse(argc, argv, opts, usage) != 1) {
		free(peers);
		opt_usage_die(opts, usage, "read takes one BOOK");
	}
	a.arg = argv[0];
	a.peers = peers;
	a.npeers = npeers;
	if (rpc)
		rpcc_set_url(rpc);
	if (passfile)
		pass_set_file(passfile);
	if (a.page && a.file) {
		free(peers);
		opt_usage_die(opts, usage, "--page and --file do not go together: pages run across the files");
	}
	int r = book_id_parse(a.book, a.arg);
	if (r == 0)
		r = a.page ? read_pages(&a) : read_version(&a);
	free(peers);
	return r;
}

/* ---- library ---- */

/* The indexes of the versions whose blocks are all in s, as a JSON array. */
static json_t *local_versions(bstore *s, const book_version *v, size_t n)
{
	json_t *out = json_array();
	for (size_t i = 0; s && i < n; i++)
		if (all_local(s, &v[i].root))
			json_array_append_new(out, json_integer((json_int_t)i));
	return out;
}

static void print_row(const json_t *o, bool header)
{
	if (header)
		printf("%-14s %-32s %14s %8s  %s\n", "BOOK", "TITLE", "PAID", "VERSIONS", "LOCAL");
	const char *id = json_string_value(json_object_get(o, "book"));
	u256 paid;
	char h[96];
	if (u256_from_dec(&paid, json_string_value(json_object_get(o, "price"))) < 0)
		paid = u256_from_u64(0);
	amount_format(h, sizeof(h), &paid);
	buf loc = BUF_INIT;
	json_t *x;
	size_t i;
	json_array_foreach(json_object_get(o, "local"), i, x)
		buf_addf(&loc, "%s%lld", i ? "," : "", (long long)json_integer_value(x));
	printf("%.10s...  %-32.32s %14s %8lld  %s\n", id, json_string_value(json_object_get(o, "title")), h,
	       (long long)json_integer_value(json_object_get(o, "versions")), loc.len ? (char *)loc.p : "-");
	buf_free(&loc);
}

int cmd_library(int argc, char **argv)
{
	bool json = false;
	const char *rpc = NULL;
	static const char *const usage[] = {"lst library [--rpc URL] [--json]", NULL};
	const struct opt opts[] = {
		OPT_STRING(0, "rpc", &rpc, "URL", "the node (default: config rpc)"),
		OPT_BOOL(0, "json", &json, "JSON Lines (the default when stdout is not a terminal)"),
		OPT_END(),
	};
	if (opt_parse(argc, argv, opts, usage) != 0)
		opt_usage_die(opts, usage, "library takes no operands");
	if (rpc)
		rpcc_set_url(rpc);
	key_entry e;
	if (keyring_find(&e, NULL) < 0)
		return -1;
	book_purchase *p = NULL;
	size_t n = 0;
	int r = book_purchases(&p, &n, NULL, e.address, NULL);
	bstore *s = NULL;
	if (r == 0 && n > 0 && !(s = home_store(true)))
		r = -1;
	bool tty = !json && isatty(1);
	for (size_t i = 0; r == 0 && i < n; i++) {
		book_info info;
		book_version *v = NULL;
		size_t nv = 0;
		memset(&info, 0, sizeof(info));
		int g = book_get(&info, p[i].book);
		if (g == 0)
			g = book_versions(&v, &nv, p[i].book);
		if (g != 0) {
			char id[67];
			book_id_str(id, p[i].book);
			r = g < 0 ? -1 : diag_error(LST_EFAIL, "the market lost book '%s'", id);
			book_info_free(&info);
			break;
		}
		char id[67], author[ADDR_STR], price[U256_DEC_MAX], tx[67];
		book_id_str(id, p[i].book);
		addr_to_str(author, p[i].author);
		u256_to_dec(price, &p[i].price);
		hex_encode(tx, p[i].tx, 32);
		json_t *o = jsonio_obj("book", jsonio_str(id), "title", jsonio_str(info.title), "author",
				       jsonio_str(author), "price", jsonio_str(price), "height",
				       json_integer((json_int_t)p[i].height), "tx", jsonio_str(tx), "versions",
				       json_integer((json_int_t)nv), "local", local_versions(s, v, nv), NULL);
		if (tty) {
			print_row(o, i == 0);
			json_decref(o);
		} else {
			r = print(o);
		}
		book_versions_free(v, nv);
		book_info_free(&info);
	}
	if (r == 0 && tty && n == 0)
		printf("no books bought by %s yet\n", e.address_str);
	if (s)
		bstore_close(s);
	free(p);
	keyring_entry_free(&e);
	return r;
}
