/* content.c: see content.h. */
#include "lst.h"
#include "content.h"
#include "buf.h"
#include "diag.h"
#include "hex.h"
#include "home.h"

#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sodium.h>
#include <zstd.h>

#define TAG crypto_aead_xchacha20poly1305_ietf_ABYTES
#define NONCE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define OVERHEAD (NONCE + 1 + TAG) /* nonce, flag, tag */
#define ZLEVEL 3
#define PATH_MAX_LEN 4096
#define MIN_CLEN (OVERHEAD + 1) /* and at least one byte of body */

static const char SEG_AD[] = "lst-seg-v1";
static const char MANIFEST_AD[] = "lst-manifest-v1";

static int sodium_ready(void)
{
	if (sodium_init() < 0)
		return diag_error(LST_EFAIL, "cannot initialise libsodium");
	return 0;
}

static void put_u64be(uint8_t out[8], uint64_t v)
{
	for (int k = 7; k >= 0; k--, v >>= 8)
		out[k] = (uint8_t)v;
}

static void seg_ad(uint8_t ad[sizeof(SEG_AD) - 1 + 16], uint64_t i, uint64_t j)
{
	memcpy(ad, SEG_AD, sizeof(SEG_AD) - 1);
	put_u64be(ad + sizeof(SEG_AD) - 1, i);
	put_u64be(ad + sizeof(SEG_AD) - 1 + 8, j);
}

/* Relative, no empty, "." or ".." component, no control character. */
static bool path_ok(const char *p)
{
	size_t len = strlen(p);
	if (!len || len > PATH_MAX_LEN || p[0] == '/' || p[len - 1] == '/')
		return false;
	for (const char *c = p; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return false;
	for (const char *c = p; *c;) {
		const char *e = strchr(c, '/');
		size_t n = e ? (size_t)(e - c) : strlen(c);
		if (!n || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		c += n;
		if (*c)
			c++;
	}
	return true;
}

static int cmp_input(const void *a, const void *b)
{
	const content_input *x = *(const content_input *const *)a, *y = *(const content_input *const *)b;
	return strcmp(x->path, y->path);
}

/* in[] as pointers in path order; checks the paths. NULL on error (reported). */
static const content_input **sorted_inputs(const content_input *in, size_t n)
{
	if (!n) {
		diag_error(LST_EUSAGE, "no files to add");
		return NULL;
	}
	const content_input **v = xcalloc(n, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		if (!in[i].path || !path_ok(in[i].path)) {
			diag_error(LST_EINVALID, "invalid path '%s' (relative, no '.' or '..' components)",
				   in[i].path ? in[i].path : "");
			free(v);
			return NULL;
		}
		v[i] = &in[i];
	}
	qsort(v, n, sizeof(*v), cmp_input);
	for (size_t i = 1; i < n; i++)
		if (!strcmp(v[i - 1]->path, v[i]->path)) {
			diag_error(LST_EINVALID, "path '%s' given twice", v[i]->path);
			free(v);
			return NULL;
		}
	return v;
}

static EVP_MD_CTX *sha256_new(void)
{
	EVP_MD_CTX *h = EVP_MD_CTX_new();
	if (!h || EVP_DigestInit_ex(h, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(h);
		diag_error(LST_EFAIL, "cannot start SHA-256");
		return NULL;
	}
	return h;
}

/* ---- keys ------------------------------------------------------------- */

void content_key_derive(uint8_t key[32], const uint8_t author_priv[32], const char *book,
			const uint8_t tree_digest[32])
{
	static const char domain[] = "lst-content-v1"; /* with its NUL */
	crypto_generichash_state st;
	if (sodium_init() < 0)
		abort();
	crypto_generichash_init(&st, author_priv, 32, 32);
	crypto_generichash_update(&st, (const uint8_t *)domain, sizeof(domain));
	crypto_generichash_update(&st, (const uint8_t *)book, strlen(book) + 1);
	crypto_generichash_update(&st, tree_digest, 32);
	crypto_generichash_final(&st, key, 32);
	sodium_memzero(&st, sizeof(st));
}

int content_tree_digest(uint8_t out[32], const content_input *in, size_t n)
{
	const content_input **v = sorted_inputs(in, n);
	if (!v)
		return -1;
	uint8_t *chunk = xmalloc(UFS_CHUNK), d[32], sz[8];
	EVP_MD_CTX *tree = sha256_new(), *file = sha256_new();
	int r = -1;
	if (!tree || !file)
		goto out;
	for (size_t i = 0; i < n; i++) {
		uint64_t off = 0;
		if (EVP_DigestInit_ex(file, EVP_sha256(), NULL) != 1)
			goto out;
		for (;;) {
			ssize_t got = pread(v[i]->fd, chunk, UFS_CHUNK, (off_t)off);
			if (got < 0 && errno == EINTR)
				continue;
			if (got < 0) {
				diag_error(LST_EFAIL, "cannot read '%s': %s", v[i]->path, strerror(errno));
				if (errno == ESPIPE)
					diag_hint("a derived key reads the files twice: save a stream to a file first");
				goto out;
			}
			if (!got)
				break;
			EVP_DigestUpdate(file, chunk, (size_t)got);
			off += (uint64_t)got;
		}
		if (v[i]->size != CONTENT_SIZE_UNKNOWN && off != v[i]->size) {
			diag_error(LST_EFAIL, "'%s' changed while it was read (%" PRIu64 " bytes, expected %" PRIu64 ")",
				   v[i]->path, off, v[i]->size);
			goto out;
		}
		EVP_DigestFinal_ex(file, d, NULL);
		put_u64be(sz, off);
		EVP_DigestUpdate(tree, v[i]->path, strlen(v[i]->path) + 1);
		EVP_DigestUpdate(tree, sz, 8);
		EVP_DigestUpdate(tree, d, 32);
	}
	EVP_DigestFinal_ex(tree, out, NULL);
	r = 0;
out:
	EVP_MD_CTX_free(tree);
	EVP_MD_CTX_free(file);
	free(chunk);
	free(v);
	return r;
}

/* 64 hex digits, optional 0x, optional "\n" or "\r\n". */
static int key_parse(uint8_t key[32], const char *text, size_t len, const char *what)
{
	char hex[65];
	int r = -1;
	if (len >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
		text += 2;
		len -= 2;
	}
	if (len > 64 && text[64] == '\r' && len == 66 && text[65] == '\n')
		len = 64;
	else if (len == 65 && text[64] == '\n')
		len = 64;
	if (len == 64 && !memchr(text, 0, 64)) {
		memcpy(hex, text, 64);
		hex[64] = 0;
		r = hex_decode(key, 32, hex);
	}
	sodium_memzero(hex, sizeof(hex));
	if (r < 0)
		return diag_error(LST_EINVALID, "invalid content key in '%s' (64 hex digits expected)", what);
	return 0;
}

static int key_read_fd(uint8_t key[32], int fd, const char *path)
{
	char text[80];
	size_t len = 0;
	for (;;) {
		ssize_t got = read(fd, text + len, sizeof(text) - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			sodium_memzero(text, sizeof(text));
			return diag_error(LST_EFAIL, "cannot read '%s': %s", path, strerror(errno));
		}
		if (!got)
			break;
		len += (size_t)got;
		if (len == sizeof(text))
			break;
	}
	int r = key_parse(key, text, len, path);
	sodium_memzero(text, sizeof(text));
	return r;
}

int content_key_read_file(uint8_t key[32], const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return diag_error(errno == ENOENT ? LST_ENOTFOUND : LST_EFAIL, "cannot open key file '%s': %s", path,
				  strerror(errno));
	int r = key_read_fd(key, fd, path);
	close(fd);
	return r;
}

static char *key_path(const cid *root)
{
	char s[CID_STR_MAX];
	cid_str(s, root);
	return xasprintf("%s/content-keys/%s", home_dir(), s);
}

int content_key_save(const cid *root, const uint8_t key[32])
{
	char hex[2 * 32 + 3];
	if (home_ensure() < 0)
		return -1;
	char *dir = home_path("content-keys"), *path = key_path(root);
	int r = -1;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		diag_error(LST_EFAIL, "cannot create '%s': %s", dir, strerror(errno));
		goto out;
	}
	hex_encode(hex, key, 32);
	hex[66] = '\n'; /* over the NUL: "0x" + 64 digits + newline */
	r = write_file_atomic(path, hex + 2, 65, 0600);
out:
	sodium_memzero(hex, sizeof(hex));
	free(dir);
	free(path);
	return r;
}

int content_key_load(uint8_t key[32], const cid *root)
{
	char *path = key_path(root);
	int r, fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		r = 1;
	else if (fd < 0)
		r = diag_error(LST_EFAIL, "cannot open '%s': %s", path, strerror(errno));
	else {
		r = key_read_fd(key, fd, path);
		close(fd);
	}
	free(path);
	return r;
}

/* ---- messages: flag || body, sealed ----------------------------------- */

/* The capacity seal_msg needs for len bytes of plaintext. */
static size_t sealed_cap(size_t len)
{
	return NONCE + 1 + ZSTD_compressBound(len) + TAG;
}

/*
 * The synthetic nonce of message m (flag || body) under key: BLAKE2b-192
 * keyed with kdf(key, 1, "lstsiv01") over ad || m. nkey: 32 bytes of
 * sodium_malloc scratch for that nonce key.
 */
static void siv_nonce(uint8_t nonce[NONCE], uint8_t *nkey, const uint8_t key[32], const uint8_t *ad, size_t adlen,
		      const uint8_t *m, size_t mlen)
{
	crypto_generichash_state st;
	crypto_kdf_derive_from_key(nkey, 32, 1, "lstsiv01", key);
	crypto_generichash_init(&st, nkey, 32, NONCE);
	crypto_generichash_update(&st, ad, adlen);
	crypto_generichash_update(&st, m, mlen);
	crypto_generichash_final(&st, nonce, NONCE);
	sodium_memzero(&st, sizeof(st));
}

/*
 * out (sealed_cap(len) bytes) = nonce || XChaCha20-Poly1305(key, nonce,
 * ad, flag || body), nonce = siv_nonce(flag || body); *outlen. Builds
 * flag || body in out and encrypts it in place. nkey: as siv_nonce.
 */
static void seal_msg(ZSTD_CCtx *z, uint8_t *out, size_t *outlen, const uint8_t *pt, size_t len,
		     const uint8_t *ad, size_t adlen, const uint8_t key[32], uint8_t *nkey)
{
	uint8_t *m = out + NONCE;
	size_t body = ZSTD_compressCCtx(z, m + 1, ZSTD_compressBound(len), pt, len, ZLEVEL);
	if (!ZSTD_isError(body) && body < len) {
		m[0] = 1;
	} else {
		m[0] = 0;
		memcpy(m + 1, pt, len);
		body = len;
	}
	siv_nonce(out, nkey, key, ad, adlen, m, 1 + body);
	unsigned long long clen;
	crypto_aead_xchacha20poly1305_ietf_encrypt(m, &clen, m, 1 + body, ad, adlen, NULL, out, key);
	*outlen = NONCE + (size_t)clen;
}

/*
 * Decrypt c (nonce || ciphertext) in place: 0 and the flag and body
 * inside c, or -1 (not reported) if it is not authentic or its nonce is
 * not the synthetic nonce of what it decrypts to. nkey: as siv_nonce.
 */
static int open_msg(uint8_t *flag, uint8_t **body, size_t *blen, uint8_t *c, size_t clen, const uint8_t *ad,
		    size_t adlen, const uint8_t key[32], uint8_t *nkey)
{
	unsigned long long mlen;
	uint8_t *m = c + NONCE, siv[NONCE];
	if (clen < OVERHEAD ||
	    crypto_aead_xchacha20poly1305_ietf_decrypt(m, &mlen, NULL, m, clen - NONCE, ad, adlen, c, key) != 0)
		return -1;
	siv_nonce(siv, nkey, key, ad, adlen, m, (size_t)mlen);
	if (sodium_memcmp(siv, c, NONCE) != 0) {
		sodium_memzero(m, (size_t)mlen);
		return -1;
	}
	*flag = m[0];
	*body = m + 1;
	*blen = (size_t)mlen - 1;
	return 0;
}

/* The content size of a single zstd frame that is exactly body, if at most max; else SIZE_MAX. */
static size_t frame_size(const uint8_t *body, size_t blen, size_t max)
{
	unsigned long long n = ZSTD_getFrameContentSize(body, blen);
	if (n == ZSTD_CONTENTSIZE_UNKNOWN || n == ZSTD_CONTENTSIZE_ERROR || n > max)
		return SIZE_MAX;
	size_t fl = ZSTD_findFrameCompressedSize(body, blen);
	if (ZSTD_isError(fl) || fl != blen)
		return SIZE_MAX;
	return (size_t)n;
}

/* Unpack flag || body into out, which must come to exactly want bytes. 0 or -1 (not reported). */
static int unpack(ZSTD_DCtx *z, uint8_t *out, size_t want, uint8_t flag, const uint8_t *body, size_t blen)
{
	if (flag == 0) {
		if (blen != want)
			return -1;
		memcpy(out, body, blen);
		return 0;
	}
	if (flag != 1 || frame_size(body, blen, want) != want)
		return -1;
	size_t got = ZSTD_decompressDCtx(z, out, want, body, blen);
	return ZSTD_isError(got) || got != want ? -1 : 0;
}

/* ---- the manifest ----------------------------------------------------- */

static int bad_manifest(const char *what, size_t i)
{
	if (i == SIZE_MAX)
		return diag_error(LST_EINVALID, "invalid manifest: %s", what);
	return diag_error(LST_EINVALID, "invalid manifest: files[%zu]: %s", i, what);
}

static bool uint_field(json_t *o, const char *k, uint64_t *v)
{
	json_t *j = json_object_get(o, k);
	if (!json_is_integer(j) || json_integer_value(j) < 0)
		return false;
	*v = (uint64_t)json_integer_value(j);
	return true;
}

static bool sha256_hex_ok(const char *s)
{
	if (!s || strlen(s) != 64)
		return false;
	for (size_t k = 0; k < 64; k++)
		if (!((s[k] >= '0' && s[k] <= '9') || (s[k] >= 'a' && s[k] <= 'f')))
			return false;
	return true;
}

static int check_file(json_t *f, size_t i, const char *prev)
{
	uint64_t size, seg;
	if (!json_is_object(f))
		return bad_manifest("not an object", i);
	const char *path = json_string_value(json_object_get(f, "path"));
	if (!path || !path_ok(path))
		return bad_manifest("bad path", i);
	if (prev && strcmp(prev, path) >= 0)
		return bad_manifest("paths out of order or repeated", i);
	if (!uint_field(f, "size", &size))
		return bad_manifest("bad size", i);
	if (!uint_field(f, "segment_size", &seg) || seg < CONTENT_SEGMENT_MIN || seg > CONTENT_SEGMENT_MAX)
		return bad_manifest("bad segment_size", i);
	json_t *segs = json_object_get(f, "segments");
	uint64_t nseg = size / seg + (size % seg != 0);
	if (!json_is_array(segs) || json_array_size(segs) != nseg)
		return bad_manifest("segments do not match size and segment_size", i);
	for (uint64_t j = 0; j < nseg; j++) {
		json_t *c = json_array_get(segs, (size_t)j);
		uint64_t plen = j + 1 < nseg ? seg : size - j * seg;
		if (!json_is_integer(c) || json_integer_value(c) < (json_int_t)MIN_CLEN ||
		    (uint64_t)json_integer_value(c) > plen + OVERHEAD)
			return bad_manifest("bad segment length", i);
	}
	if (!sha256_hex_ok(json_string_value(json_object_get(f, "sha256"))))
		return bad_manifest("bad sha256", i);
	cid c;
	const char *cs = json_string_value(json_object_get(f, "cid"));
	if (!cs || cid_parse(&c, cs) < 0)
		return bad_manifest("bad cid", i);
	return 0;
}

int content_manifest_parse(json_t **manifest, const uint8_t *text, size_t len)
{
	json_error_t err;
	json_t *m = json_loadb((const char *)text, len, JSON_REJECT_DUPLICATES, &err);
	if (!m)
		return diag_error(LST_EINVALID, "invalid manifest: %s", err.text);
	json_t *v = json_object_get(m, "version"), *files = json_object_get(m, "files");
	int r = 0;
	if (!json_is_object(m))
		r = bad_manifest("not an object", SIZE_MAX);
	else if (!json_is_integer(v) || json_integer_value(v) != 1)
		r = bad_manifest("version is not 1", SIZE_MAX);
	else if (!json_is_array(files) || !json_array_size(files))
		r = bad_manifest("no files", SIZE_MAX);
	const char *prev = NULL;
	for (size_t i = 0; !r && i < json_array_size(files); i++) {
		r = check_file(json_array_get(files, i), i, prev);
		prev = json_string_value(json_object_get(json_array_get(files, i), "path"));
	}
	if (r < 0) {
		json_decref(m);
		return -1;
	}
	*manifest = m;
	return 0;
}

static void manifest_key(uint8_t *mkey, const uint8_t key[32])
{
	crypto_kdf_derive_from_key(mkey, 32, 0, "lstmani1", key);
}

int content_manifest_put(bstore *s, cid *c, uint64_t *blocks, uint64_t *bytes, const json_t *manifest,
			 const uint8_t key[32])
{
	if (sodium_ready() < 0)
		return -1;
	char *text = json_dumps(manifest, JSON_COMPACT | JSON_SORT_KEYS);
	if (!text)
		return diag_error(LST_EINVALID, "invalid manifest: cannot encode it");
	size_t len = strlen(text), clen;
	json_t *check;
	if (len > CONTENT_MANIFEST_MAX) {
		free(text);
		return diag_error(LST_EINVALID, "manifest too large (%zu bytes, at most %u)", len,
				  CONTENT_MANIFEST_MAX);
	}
	if (content_manifest_parse(&check, (const uint8_t *)text, len) < 0) {
		free(text);
		return -1;
	}
	json_decref(check);
	uint8_t *out = xmalloc(sealed_cap(len)), *mkey = sodium_malloc(64); /* the key, then the nonce key */
	ZSTD_CCtx *z = ZSTD_createCCtx();
	int r = -1;
	if (!mkey || !z) {
		diag_error(LST_EFAIL, "out of memory");
		goto out;
	}
	manifest_key(mkey, key);
	seal_msg(z, out, &clen, (const uint8_t *)text, len, (const uint8_t *)MANIFEST_AD,
		 sizeof(MANIFEST_AD) - 1, mkey, mkey + 32);
	ufs_writer *w = ufs_writer_new(s);
	uint64_t size;
	if (ufs_write(w, out, clen) < 0) {
		ufs_writer_abort(w);
		goto out;
	}
	uint64_t b = 0, n = 0;
	if (ufs_writer_finish(w, c, &size, &b, &n) < 0)
		goto out;
	if (blocks)
		*blocks = b;
	if (bytes)
		*bytes = n;
	r = 0;
out:
	if (mkey)
		sodium_free(mkey);
	ZSTD_freeCCtx(z);
	free(out);
	free(text);
	return r;
}

/* ---- adding ----------------------------------------------------------- */

struct adder {
	bstore *s;
	ZSTD_CCtx *z;
	uint8_t *pt, *ct; /* a segment of plaintext; its sealed form */
	size_t seg;
	uint8_t *fkey, *skey, *nkey;
	uint64_t blocks, bytes, done;
	ufs_progress_fn progress;
	void *arg;
};

/* Up to cap bytes of fd (fewer only at EOF): 0 and *got, or -1 with errno. */
static int read_full(int fd, uint8_t *p, size_t cap, size_t *got)
{
	size_t n = 0;
	while (n < cap) {
		ssize_t r = read(fd, p + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (!r)
			break;
		n += (size_t)r;
	}
	*got = n;
	return 0;
}

/* File i: its ciphertext file *c (tsize *tsize) and manifest entry *entry. */
static int add_file(struct adder *a, json_t **entry, cid *c, uint64_t *tsize, const content_input *in, uint64_t i,
		    const uint8_t key[32])
{
	uint8_t ad[sizeof(SEG_AD) - 1 + 16], d[32];
	char hex[2 * 32 + 3], cs[CID_STR_MAX];
	EVP_MD_CTX *h = sha256_new();
	if (!h)
		return -1;
	crypto_kdf_derive_from_key(a->fkey, 32, i, "lstfile1", key);
	ufs_writer *w = ufs_writer_new(a->s);
	json_t *segs = json_array();
	uint64_t total = 0;
	for (uint64_t j = 0;; j++) {
		size_t got, clen;
		if (read_full(in->fd, a->pt, a->seg, &got) < 0) {
			diag_error(LST_EFAIL, "cannot read '%s': %s", in->path, strerror(errno));
			goto fail;
		}
		if (!got)
			break;
		EVP_DigestUpdate(h, a->pt, got);
		total += got;
		crypto_kdf_derive_from_key(a->skey, 32, j, "lstseg01", a->fkey);
		seg_ad(ad, i, j);
		seal_msg(a->z, a->ct, &clen, a->pt, got, ad, sizeof(ad), a->skey, a->nkey);
		if (ufs_write(w, a->ct, clen) < 0)
			goto fail;
		json_array_append_new(segs, json_integer((json_int_t)clen));
		a->done += got;
		if (a->progress)
			a->progress(a->arg, a->done);
		if (got < a->seg)
			break;
	}
	if (in->size != CONTENT_SIZE_UNKNOWN && total != in->size) {
		diag_error(LST_EFAIL, "'%s' changed while it was added (%" PRIu64 " bytes, expected %" PRIu64 ")",
			   in->path, total, in->size);
		goto fail;
	}
	uint64_t size, blocks = 0, bytes = 0;
	if (ufs_writer_finish(w, c, &size, &blocks, &bytes) < 0) {
		w = NULL;
		goto fail;
	}
	EVP_DigestFinal_ex(h, d, NULL);
	EVP_MD_CTX_free(h);
	hex_encode(hex, d, 32);
	cid_str(cs, c);
	json_t *path = json_string(in->path);
	if (!path) {
		json_decref(segs);
		return diag_error(LST_EINVALID, "path '%s' is not UTF-8", in->path);
	}
	*entry = json_pack("{s:s, s:o, s:I, s:o, s:s, s:I}", "cid", cs, "path", path, "segment_size",
			   (json_int_t)a->seg, "segments", segs, "sha256", hex + 2, "size", (json_int_t)total);
	*tsize = bytes;
	a->blocks += blocks;
	a->bytes += bytes;
	return 0;
fail:
	if (w)
		ufs_writer_abort(w);
	json_decref(segs);
	EVP_MD_CTX_free(h);
	return -1;
}

int content_add(bstore *s, cid *root, json_t **files, uint64_t *blocks, uint64_t *bytes, const uint8_t key[32],
		const content_input *in, size_t n, size_t segment_size, ufs_progress_fn progress, void *arg)
{
	if (!segment_size)
		segment_size = CONTENT_SEGMENT_DEFAULT;
	if (segment_size < CONTENT_SEGMENT_MIN || segment_size > CONTENT_SEGMENT_MAX)
		return diag_error(LST_EINVALID, "segment size %zu out of range (%u to %u bytes)", segment_size,
				  CONTENT_SEGMENT_MIN, CONTENT_SEGMENT_MAX);
	if (sodium_ready() < 0)
		return -1;
	const content_input **v = sorted_inputs(in, n);
	if (!v)
		return -1;
	struct adder a = {
		.s = s,
		.z = ZSTD_createCCtx(),
		.pt = xmalloc(segment_size),
		.ct = xmalloc(sealed_cap(segment_size)),
		.seg = segment_size,
		.fkey = sodium_malloc(32),
		.skey = sodium_malloc(32),
		.nkey = sodium_malloc(32),
		.progress = progress,
		.arg = arg,
	};
	ufs_entry *ents = xcalloc(n + 1, sizeof(*ents));
	char(*names)[24] = xcalloc(n, sizeof(*names));
	json_t *list = json_array(), *out = json_array(), *manifest = NULL;
	int r = -1;
	if (!a.z || !a.fkey || !a.skey || !a.nkey) {
		diag_error(LST_EFAIL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *e = NULL;
		snprintf(names[i], sizeof(names[i]), "%zu", i);
		ents[i].name = names[i];
		if (add_file(&a, &e, &ents[i].c, &ents[i].tsize, v[i], i, key) < 0)
			goto out;
		json_array_append_new(list, e);
		json_array_append_new(out, json_pack("{s:O, s:O, s:O}", "path", json_object_get(e, "path"), "size",
						     json_object_get(e, "size"), "cid", json_object_get(e, "cid")));
	}
	manifest = json_pack("{s:o, s:i}", "files", list, "version", 1);
	list = NULL;
	uint64_t mb, mn, tsize, sum = 0;
	ents[n].name = "manifest";
	if (content_manifest_put(s, &ents[n].c, &mb, &mn, manifest, key) < 0)
		goto out;
	ents[n].tsize = mn;
	a.blocks += mb;
	a.bytes += mn;
	if (ufs_dir_put(s, root, &tsize, ents, n + 1) < 0)
		goto out;
	for (size_t i = 0; i <= n; i++)
		sum += ents[i].tsize;
	a.blocks += 1;
	a.bytes += tsize - sum; /* the directory node itself */
	if (blocks)
		*blocks = a.blocks;
	if (bytes)
		*bytes = a.bytes;
	if (files) {
		*files = out;
		out = NULL;
	}
	r = 0;
out:
	json_decref(list);
	json_decref(out);
	json_decref(manifest);
	free(names);
	free(ents);
	if (a.fkey)
		sodium_free(a.fkey);
	if (a.skey)
		sodium_free(a.skey);
	if (a.nkey)
		sodium_free(a.nkey);
	if (a.pt)
		sodium_memzero(a.pt, segment_size);
	free(a.pt);
	free(a.ct);
	ZSTD_freeCCtx(a.z);
	free(v);
	return r;
}

/* ---- reading ---------------------------------------------------------- */

struct dirent_idx {
	uint64_t i;
	cid c;
};

struct dir_scan {
	bool manifest, other;
	cid mcid;
	struct dirent_idx *v;
	size_t n, cap;
};

/* "0", "1", ... without leading zeros. */
static bool index_name(uint64_t *i, const char *name, size_t len)
{
	if (!len || len > 9 || (len > 1 && name[0] == '0'))
		return false;
	uint64_t x = 0;
	for (size_t k = 0; k < len; k++) {
		if (name[k] < '0' || name[k] > '9')
			return false;
		x = x * 10 + (uint64_t)(name[k] - '0');
	}
	*i = x;
	return true;
}

static int scan_entry(void *arg, const char *name, size_t namelen, const cid *c, uint64_t tsize)
{
	struct dir_scan *d = arg;
	uint64_t i;
	if (namelen == 8 && !memcmp(name, "manifest", 8)) {
		d->other |= d->manifest;
		d->manifest = true;
		d->mcid = *c;
	} else if (index_name(&i, name, namelen)) {
		if (d->n == d->cap) {
			d->cap = d->cap ? 2 * d->cap : 16;
			d->v = xrealloc(d->v, d->cap * sizeof(*d->v));
		}
		d->v[d->n].i = i;
		d->v[d->n++].c = *c;
	} else {
		d->other = true;
		return 1;
	}
	return 0;
}

static int cmp_idx(const void *a, const void *b)
{
	const struct dirent_idx *x = a, *y = b;
	return x->i < y->i ? -1 : x->i > y->i;
}

/*
 * The directory of an encrypted object: 0 and d filled (d->v in index
 * order), 2 root is not one, 1 root missing (*missing), -1 error.
 */
static int scan_dir(bstore *s, struct dir_scan *d, const cid *root, cid *missing)
{
	ufs_stat st;
	memset(d, 0, sizeof(*d));
	int r = ufs_stat_of(s, &st, root);
	if (r == 1 && missing)
		*missing = *root;
	if (r)
		return r;
	if (st.kind != UFS_ST_DIR)
		return 2;
	r = ufs_ls(s, root, scan_entry, d);
	if (r == 1 && missing)
		*missing = *root;
	if (r < 0 || r == 1)
		return r;
	if (d->other || !d->manifest || !d->n)
		return 2;
	qsort(d->v, d->n, sizeof(*d->v), cmp_idx);
	for (size_t k = 0; k < d->n; k++)
		if (d->v[k].i != k)
			return 2;
	return 0;
}

int content_is_encrypted(bstore *s, const cid *root)
{
	struct dir_scan d;
	char rs[CID_STR_MAX];
	int r = scan_dir(s, &d, root, NULL);
	free(d.v);
	if (r == 1) {
		cid_str(rs, root);
		return diag_error(LST_ENOTFOUND, "block '%s' not in the store", rs);
	}
	return r < 0 ? -1 : r == 0;
}

struct collect {
	uint8_t *p;
	size_t len, cap;
};

static int collect_sink(void *arg, const uint8_t *data, size_t len)
{
	struct collect *c = arg;
	if (len > c->cap - c->len)
		return diag_error(LST_EINVALID, "a file is longer than its size");
	memcpy(c->p + c->len, data, len);
	c->len += len;
	return 0;
}

/* The manifest of root: 0, 1 a block missing (*missing), -1 error (reported). */
static int load_manifest(bstore *s, json_t **manifest, const cid *root, const uint8_t key[32], cid *missing)
{
	struct dir_scan d;
	char rs[CID_STR_MAX];
	struct collect col = {0};
	uint8_t *mkey = NULL, flag, *body;
	size_t blen;
	ufs_stat st;
	json_t *m = NULL;
	cid_str(rs, root);
	if (sodium_ready() < 0)
		return -1;
	int r = scan_dir(s, &d, root, missing);
	if (r == 2)
		r = diag_error(LST_EINVALID, "'%s' is not an encrypted object", rs);
	if (r)
		goto out;
	r = ufs_stat_of(s, &st, &d.mcid);
	if (r == 1 && missing)
		*missing = d.mcid;
	if (r)
		goto out;
	r = -1;
	if (st.kind != UFS_ST_FILE && st.kind != UFS_ST_RAW_BLOCK) {
		diag_error(LST_EINVALID, "'%s' is not an encrypted object: its manifest is not a file", rs);
		goto out;
	}
	if (st.size > sealed_cap(CONTENT_MANIFEST_MAX)) {
		diag_error(LST_EINVALID, "the manifest of '%s' is too large (%" PRIu64 " bytes)", rs, st.size);
		goto out;
	}
	col.cap = (size_t)st.size;
	col.p = xmalloc(col.cap + 1);
	r = ufs_read(s, &d.mcid, 0, UINT64_MAX, collect_sink, &col, missing);
	if (r)
		goto out;
	r = -1;
	mkey = sodium_malloc(64); /* the key, then the nonce key */
	if (!mkey) {
		diag_error(LST_EFAIL, "out of memory");
		goto out;
	}
	manifest_key(mkey, key);
	if (open_msg(&flag, &body, &blen, col.p, col.len, (const uint8_t *)MANIFEST_AD, sizeof(MANIFEST_AD) - 1,
		     mkey, mkey + 32) < 0) {
		diag_error(LST_EREFUSED, "wrong key for '%s'", rs);
		goto out;
	}
	if (flag == 0) {
		r = content_manifest_parse(&m, body, blen);
	} else {
		size_t n = flag == 1 ? frame_size(body, blen, CONTENT_MANIFEST_MAX) : SIZE_MAX;
		ZSTD_DCtx *z = n == SIZE_MAX ? NULL : ZSTD_createDCtx();
		uint8_t *text = z ? xmalloc(n + 1) : NULL;
		if (!z || unpack(z, text, n, flag, body, blen) < 0)
			diag_error(LST_EINVALID, "the manifest of '%s' is malformed", rs);
		else
			r = content_manifest_parse(&m, text, n);
		ZSTD_freeDCtx(z);
		free(text);
	}
	if (r < 0)
		goto out;
	r = -1;
	json_t *files = json_object_get(m, "files");
	if (json_array_size(files) != d.n) {
		diag_error(LST_EREFUSED, "'%s' does not match its manifest (%zu files, %zu entries)", rs,
			   json_array_size(files), d.n);
		goto out;
	}
	for (size_t i = 0; i < d.n; i++) {
		cid c;
		if (cid_parse(&c, json_string_value(json_object_get(json_array_get(files, i), "cid"))) < 0 ||
		    !cid_equal(&c, &d.v[i].c)) {
			diag_error(LST_EREFUSED, "'%s' does not match its manifest (entry '%zu')", rs, i);
			goto out;
		}
	}
	*manifest = m;
	m = NULL;
	r = 0;
out:
	json_decref(m);
	if (mkey)
		sodium_free(mkey);
	free(col.p);
	free(d.v);
	return r;
}

int content_manifest(bstore *s, json_t **manifest, const cid *root, const uint8_t key[32])
{
	cid missing;
	char ms[CID_STR_MAX];
	int r = load_manifest(s, manifest, root, key, &missing);
	if (r == 1) {
		cid_str(ms, &missing);
		return diag_error(LST_ENOTFOUND, "block '%s' not in the store", ms);
	}
	return r;
}

/* Reading one file's segments. */
struct reader {
	const char *path;
	uint64_t i, size, seg, nseg, j; /* j: the segment being read */
	json_t *segs;
	uint8_t *pt, *ct, *fkey, *skey, *nkey;
	size_t have, clen; /* bytes of segment j in ct, and its length */
	ZSTD_DCtx *z;
	EVP_MD_CTX *h;
	ufs_sink_fn sink;
	void *arg;
	bool sink_failed;
};

static size_t clen_of(const struct reader *rd, uint64_t j)
{
	return (size_t)json_integer_value(json_array_get(rd->segs, (size_t)j));
}

/* Open segment rd->j from rd->ct and give it to the sink. 0 or -1. */
static int deliver(struct reader *rd)
{
	uint8_t ad[sizeof(SEG_AD) - 1 + 16], flag, *body;
	size_t blen, plen = (size_t)(rd->j + 1 < rd->nseg ? rd->seg : rd->size - rd->j * rd->seg);
	crypto_kdf_derive_from_key(rd->skey, 32, rd->j, "lstseg01", rd->fkey);
	seg_ad(ad, rd->i, rd->j);
	if (open_msg(&flag, &body, &blen, rd->ct, rd->clen, ad, sizeof(ad), rd->skey, rd->nkey) < 0)
		return diag_error(LST_EREFUSED, "segment %" PRIu64 " of '%s' fails authentication", rd->j, rd->path);
	if (unpack(rd->z, rd->pt, plen, flag, body, blen) < 0)
		return diag_error(LST_EINVALID, "segment %" PRIu64 " of '%s' is malformed", rd->j, rd->path);
	if (rd->h)
		EVP_DigestUpdate(rd->h, rd->pt, plen);
	if (rd->sink(rd->arg, rd->pt, plen) < 0) {
		rd->sink_failed = true;
		return -1;
	}
	return 0;
}

/* ufs_read's sink for a whole file: cut the ciphertext into segments. */
static int stream_sink(void *arg, const uint8_t *data, size_t len)
{
	struct reader *rd = arg;
	while (len) {
		if (rd->j >= rd->nseg)
			return diag_error(LST_EREFUSED, "the ciphertext of '%s' is longer than its manifest says",
					  rd->path);
		size_t take = rd->clen - rd->have < len ? rd->clen - rd->have : len;
		memcpy(rd->ct + rd->have, data, take);
		rd->have += take;
		data += take;
		len -= take;
		if (rd->have == rd->clen) {
			if (deliver(rd) < 0)
				return -1;
			rd->j++;
			rd->have = 0;
			rd->clen = rd->j < rd->nseg ? clen_of(rd, rd->j) : 0;
		}
	}
	return 0;
}

int content_read_file(bstore *s, const json_t *manifest, const uint8_t key[32], size_t i, int64_t segment,
		      ufs_sink_fn sink, void *arg, cid *missing)
{
	json_t *f = json_array_get(json_object_get(manifest, "files"), i);
	struct reader rd = {.i = i, .sink = sink, .arg = arg};
	uint8_t want[32], got[32];
	ufs_stat st;
	cid c;
	if (!f)
		return diag_error(LST_ENOTFOUND, "no file %zu in the manifest", i);
	if (sodium_ready() < 0)
		return -1;
	if (check_file(f, i, NULL) < 0) /* a caller's manifest: its lengths bound our buffers */
		return -1;
	rd.path = json_string_value(json_object_get(f, "path"));
	rd.size = (uint64_t)json_integer_value(json_object_get(f, "size"));
	rd.seg = (uint64_t)json_integer_value(json_object_get(f, "segment_size"));
	rd.segs = json_object_get(f, "segments");
	if (hex_decode(want, 32, json_string_value(json_object_get(f, "sha256"))) < 0 ||
	    cid_parse(&c, json_string_value(json_object_get(f, "cid"))) < 0)
		return diag_error(LST_EINVALID, "invalid manifest: files[%zu]", i);
	rd.nseg = json_array_size(rd.segs);
	if (segment >= 0 && (uint64_t)segment >= rd.nseg)
		return diag_error(LST_EINVALID, "segment %" PRId64 " of '%s' is out of range (it has %" PRIu64 ")",
				  segment, rd.path, rd.nseg);
	uint64_t total = 0, off = 0;
	for (uint64_t j = 0; j < rd.nseg; j++) {
		if (segment >= 0 && j == (uint64_t)segment)
			off = total;
		total += clen_of(&rd, j);
	}
	int r = ufs_stat_of(s, &st, &c);
	if (r == 1 && missing)
		*missing = c;
	if (r)
		return r;
	if ((st.kind != UFS_ST_FILE && st.kind != UFS_ST_RAW_BLOCK) || st.size != total)
		return diag_error(LST_EREFUSED, "the ciphertext of '%s' does not match its manifest", rd.path);
	r = -1;
	rd.pt = xmalloc(rd.seg);
	rd.ct = xmalloc(rd.seg + OVERHEAD);
	rd.fkey = sodium_malloc(32);
	rd.skey = sodium_malloc(32);
	rd.nkey = sodium_malloc(32);
	rd.z = ZSTD_createDCtx();
	if (!rd.fkey || !rd.skey || !rd.nkey || !rd.z) {
		diag_error(LST_EFAIL, "out of memory");
		goto out;
	}
	crypto_kdf_derive_from_key(rd.fkey, 32, i, "lstfile1", key);
	if (segment >= 0) {
		struct collect col = {rd.ct, 0, rd.seg + OVERHEAD};
		rd.j = (uint64_t)segment;
		rd.clen = clen_of(&rd, rd.j);
		col.cap = rd.clen;
		r = ufs_read(s, &c, off, rd.clen, collect_sink, &col, missing);
		if (!r && col.len != rd.clen)
			r = diag_error(LST_EREFUSED, "the ciphertext of '%s' is shorter than its manifest says",
				       rd.path);
		if (!r)
			r = deliver(&rd);
		goto out;
	}
	if (!(rd.h = sha256_new()))
		goto out;
	rd.clen = rd.nseg ? clen_of(&rd, 0) : 0;
	r = total ? ufs_read(s, &c, 0, UINT64_MAX, stream_sink, &rd, missing) : 0;
	if (r)
		goto out;
	r = -1;
	if (rd.j != rd.nseg || rd.have) {
		diag_error(LST_EREFUSED, "the ciphertext of '%s' is shorter than its manifest says", rd.path);
		goto out;
	}
	EVP_DigestFinal_ex(rd.h, got, NULL);
	if (sodium_memcmp(got, want, 32) != 0) {
		diag_error(LST_EREFUSED, "'%s' does not match its digest", rd.path);
		goto out;
	}
	r = 0;
out:
	EVP_MD_CTX_free(rd.h);
	ZSTD_freeDCtx(rd.z);
	if (rd.fkey)
		sodium_free(rd.fkey);
	if (rd.skey)
		sodium_free(rd.skey);
	if (rd.nkey)
		sodium_free(rd.nkey);
	if (rd.pt)
		sodium_memzero(rd.pt, rd.seg);
	if (rd.ct) /* it held flag || body */
		sodium_memzero(rd.ct, rd.seg + OVERHEAD);
	free(rd.pt);
	free(rd.ct);
	return r;
}

int content_read(bstore *s, const cid *root, const uint8_t key[32], const char *path, int64_t segment,
		 ufs_sink_fn sink, void *arg, cid *missing)
{
	json_t *m;
	char rs[CID_STR_MAX];
	int r = load_manifest(s, &m, root, key, missing);
	if (r)
		return r;
	cid_str(rs, root);
	json_t *files = json_object_get(m, "files");
	size_t n = json_array_size(files), i = 0;
	if (!path && n != 1)
		r = diag_error(LST_EUSAGE, "'%s' holds %zu files: name one", rs, n);
	for (; path && i < n; i++)
		if (!strcmp(json_string_value(json_object_get(json_array_get(files, i), "path")), path))
			break;
	if (!r && path && i == n)
		r = diag_error(LST_ENOTFOUND, "no file '%s' in '%s'", path, rs);
	if (!r)
		r = content_read_file(s, m, key, i, segment, sink, arg, missing);
	json_decref(m);
	return r;
}

/* ---- one segment ------------------------------------------------------- */

void content_segment_key(uint8_t out[32], const uint8_t key[32], uint64_t i, uint64_t j)
{
	uint8_t fkey[32];
	if (sodium_init() < 0)
		abort();
	crypto_kdf_derive_from_key(fkey, 32, i, "lstfile1", key);
	crypto_kdf_derive_from_key(out, 32, j, "lstseg01", fkey);
	sodium_memzero(fkey, sizeof(fkey));
}

int content_segment_open(uint8_t *out, size_t *outlen, size_t cap, const uint8_t skey[32], uint64_t i,
			 uint64_t j, const uint8_t *stored, size_t len)
{
	uint8_t ad[sizeof(SEG_AD) - 1 + 16], flag, *body;
	size_t blen, want;
	if (sodium_ready() < 0)
		return -1;
	if (len < MIN_CLEN || len > (size_t)CONTENT_SEGMENT_MAX + OVERHEAD)
		return diag_error(LST_EINVALID, "segment %" PRIu64 " of file %" PRIu64 " is malformed (%zu bytes)", j,
				  i, len);
	uint8_t *c = xmalloc(len), *nkey = sodium_malloc(32);
	ZSTD_DCtx *z = NULL;
	int r = -1;
	if (!nkey) {
		diag_error(LST_EFAIL, "out of memory");
		goto out;
	}
	memcpy(c, stored, len);
	seg_ad(ad, i, j);
	if (open_msg(&flag, &body, &blen, c, len, ad, sizeof(ad), skey, nkey) < 0) {
		diag_error(LST_EREFUSED, "segment %" PRIu64 " of file %" PRIu64 " fails authentication", j, i);
		goto out;
	}
	want = flag == 0 ? blen : flag == 1 ? frame_size(body, blen, cap) : SIZE_MAX;
	if (want == SIZE_MAX || want > cap || (flag == 1 && !(z = ZSTD_createDCtx())) ||
	    unpack(z, out, want, flag, body, blen) < 0) {
		diag_error(LST_EINVALID, "segment %" PRIu64 " of file %" PRIu64 " is malformed", j, i);
		goto out;
	}
	*outlen = want;
	r = 0;
out:
	ZSTD_freeDCtx(z);
	if (nkey)
		sodium_free(nkey);
	sodium_memzero(c, len); /* it held flag || body */
	free(c);
	return r;
}
