/*
 * pages.c: page-by-page reading; see pages.h.
 *
 * Owns: the serving key file, the signed page request, the provider's
 * answer (a cache of the books it serves: content key and page table, and
 * a cache of the chain's pageAccess answers), and the reader's side (the
 * request, the checks of the answer, opening the granted pages).
 */
#include "lst.h"
#include "pages.h"
#include "abi.h"
#include "access.h"
#include "book.h"
#include "buf.h"
#include "content.h"
#include "diag.h"
#include "fetch.h"
#include "hex.h"
#include "http.h"
#include "msg.h"
#include "rpcclient.h"
#include "providers.h"
#include "scratch.h"
#include "seal.h"
#include "secp.h"
#include "subs.h"
#include "subscription.h"
#include "swarmkey.h"
#include "unixfs.h"

#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define REQUEST_TAG "lst-pages-request-v1"
#define PAGE_ACCESS "pageAccess(address,bytes32)"
#define REQUEST_TEXT_MAX 512
#define REQUEST_LIFETIME 600      /* what pages_ask signs */
#define ASK_TIMEOUT_MS 20000
#define ANSWER_MAX (8u << 20)
#define STORED_MIN 42             /* nonce, flag, one byte, tag (content.h) */
#define STORED_MAX (CONTENT_SEGMENT_MAX + 41)
#define ACCESS_SLOTS 4096
#define ACCESS_WAYS 4

/* ---- the serving key -------------------------------------------------------- */

/* path: 0 and priv, 1 absent, -1 (reported). */
static int serve_key_read(uint8_t *priv, const char *path)
{
	char text[80];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT)
		return 1;
	if (fd < 0)
		return diag_error(LST_EFAIL, "cannot open '%s': %s", path, strerror(errno));
	ssize_t n;
	do
		n = read(fd, text, sizeof(text) - 1);
	while (n < 0 && errno == EINTR);
	int e = errno;
	close(fd);
	if (n < 0)
		return diag_error(LST_EFAIL, "cannot read '%s': %s", path, strerror(e));
	text[n] = 0;
	int r = 0;
	if (!((n == 64) || (n == 65 && text[64] == '\n')))
		r = -1;
	text[64] = 0;
	if (r == 0 && (hex_decode(priv, 32, text) < 0 || !secp_seckey_valid(priv)))
		r = -1;
	sodium_memzero(text, sizeof(text));
	if (r < 0)
		return diag_error(LST_EINVALID, "invalid serving key in '%s' (64 hex digits expected)", path);
	return 0;
}

/* A new key at path, unless another process made one first (then that one). */
static int serve_key_create(uint8_t *priv, const char *home, const char *path)
{
	char text[67];
	uint32_t rnd = randombytes_random();
	if (mkdir(home, 0700) < 0 && errno != EEXIST)
		return diag_error(LST_EFAIL, "cannot create '%s': %s", home, strerror(errno));
	char *tmp = xasprintf("%s.%ld.%08" PRIx32 ".tmp", path, (long)getpid(), rnd);
	secp_keygen(priv);
	hex_encode(text, priv, 32);
	text[66] = '\n'; /* over the NUL: "0x", 64 digits, a newline */
	int r = -1, fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		diag_error(LST_EFAIL, "cannot create '%s': %s", tmp, strerror(errno));
		goto out;
	}
	bool ok = write(fd, text + 2, 65) == 65 && fsync(fd) == 0;
	int e = errno;
	close(fd);
	if (!ok) {
		diag_error(LST_EFAIL, "cannot write '%s': %s", tmp, strerror(e));
	} else if (link(tmp, path) == 0) {
		r = 0;
	} else if (errno == EEXIST) { /* made meanwhile: everyone uses that one */
		r = serve_key_read(priv, path);
		if (r == 1)
			r = diag_error(LST_EFAIL, "'%s' vanished", path);
	} else {
		diag_error(LST_EFAIL, "cannot create '%s': %s", path, strerror(errno));
	}
	unlink(tmp);
out:
	sodium_memzero(text, sizeof(text));
	free(tmp);
	return r;
}

int pages_serve_key(uint8_t *priv, uint8_t addr[20], const char *home, bool create)
{
	char *path = xasprintf("%s/%s", home, PAGES_SERVE_KEY_FILE);
	int r = serve_key_read(priv, path);
	if (r == 1 && create)
		r = serve_key_create(priv, home, path);
	if (r == 0 && secp_address_from_priv(addr, priv) < 0)
		r = diag_error(LST_EINVALID, "invalid serving key in '%s'", path);
	if (r != 0)
		sodium_memzero(priv, 32);
	free(path);
	return r;
}

/* ---- the request ------------------------------------------------------------ */

static size_t request_text(char *out, size_t cap, const pages_request *r)
{
	char a[43], root[CID_STR_MAX];
	hex_encode(a, r->reader, 20);
	cid_str(root, &r->root);
	int n = snprintf(out, cap, REQUEST_TAG "\nreader: %s\nroot: %s\npages: %" PRIu32 "-%" PRIu32 "\nexpires: %" PRIu64 "\n",
			 a, root, r->from, r->to, r->expires);
	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

static bool range_ok(uint32_t from, uint32_t to)
{
	return from >= 1 && from <= to && to - from < PAGES_PER_REQUEST;
}

int pages_request_make(pages_request *r, const uint8_t priv[32], const cid *root, uint32_t from, uint32_t to,
		       uint64_t expires)
{
	char text[REQUEST_TEXT_MAX];
	uint8_t digest[32];
	memset(r, 0, sizeof(*r));
	if (!range_ok(from, to))
		return diag_error(LST_EINVALID, "bad page range %" PRIu32 "-%" PRIu32 " (from 1, at most %d pages)", from,
				  to, PAGES_PER_REQUEST);
	r->root = *root;
	r->from = from;
	r->to = to;
	r->expires = expires;
	if (secp_address_from_priv(r->reader, priv) < 0 || secp_pubkey(r->pub, priv) < 0)
		return diag_error(LST_EINVALID, "cannot sign a page request: invalid key");
	size_t n = request_text(text, sizeof(text), r);
	if (!n)
		return diag_error(LST_EFAIL, "cannot sign a page request");
	msg_hash(digest, (const uint8_t *)text, n);
	if (msg_sign(r->sig, priv, digest) < 0)
		return diag_error(LST_EFAIL, "cannot sign a page request");
	return 0;
}

json_t *pages_request_json(const pages_request *r)
{
	char a[43], root[CID_STR_MAX], sig[133];
	hex_encode(a, r->reader, 20);
	cid_str(root, &r->root);
	hex_encode(sig, r->sig, 65);
	return json_pack("{s:s,s:s,s:I,s:I,s:I,s:s}", "reader", a, "root", root, "from", (json_int_t)r->from, "to",
			 (json_int_t)r->to, "expires", (json_int_t)r->expires, "signature", sig);
}

/* A JSON integer in [lo, hi]. */
static bool int_in(uint64_t *out, const json_t *j, uint64_t lo, uint64_t hi)
{
	if (!json_is_integer(j) || json_integer_value(j) < 0)
		return false;
	uint64_t v = (uint64_t)json_integer_value(j);
	if (v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

/* "0x" and exactly 2 * len hex digits. */
static bool hex_field(uint8_t *out, size_t len, const json_t *j)
{
	const char *s = json_string_value(j);
	return s && s[0] == '0' && s[1] == 'x' && strlen(s) == 2 + 2 * len && hex_decode(out, len, s) == 0;
}

/* A CID in its own string form (another spelling is not what was signed). */
static bool cid_field(cid *out, const json_t *j)
{
	char back[CID_STR_MAX];
	const char *s = json_string_value(j);
	if (!s || cid_parse(out, s) < 0)
		return false;
	cid_str(back, out);
	return !strcmp(back, s);
}

int pages_request_from_json(pages_request *r, const json_t *j, const char **reason)
{
	uint64_t from, to, exp;
	memset(r, 0, sizeof(*r));
	*reason = NULL;
	if (!json_is_object(j))
		*reason = "not a JSON object";
	else if (!hex_field(r->reader, 20, json_object_get(j, "reader")))
		*reason = "reader: not an address";
	else if (!cid_field(&r->root, json_object_get(j, "root")))
		*reason = "root: not a CID";
	else if (!int_in(&from, json_object_get(j, "from"), 1, UINT32_MAX) ||
		 !int_in(&to, json_object_get(j, "to"), 1, UINT32_MAX))
		*reason = "from, to: page numbers from 1 expected";
	else if (!range_ok((uint32_t)from, (uint32_t)to))
		*reason = "from..to: at most 1000 pages, from <= to";
	else if (!int_in(&exp, json_object_get(j, "expires"), 0, INT64_MAX))
		*reason = "expires: unix seconds expected";
	else if (!hex_field(r->sig, 65, json_object_get(j, "signature")))
		*reason = "signature: 65 bytes of hex expected";
	if (*reason)
		return -1;
	r->from = (uint32_t)from;
	r->to = (uint32_t)to;
	r->expires = exp;
	return 0;
}

int pages_request_verify(pages_request *r, uint64_t now, const char **reason)
{
	char text[REQUEST_TEXT_MAX];
	uint8_t digest[32], pub[65], addr[20];
	if (now > r->expires) {
		*reason = "the page request has expired";
		return -1;
	}
	if (r->expires - now > ACCESS_MAX_LIFETIME) {
		*reason = "the page request expires too far in the future";
		return -1;
	}
	if (!range_ok(r->from, r->to)) {
		*reason = "bad page range";
		return -1;
	}
	size_t n = request_text(text, sizeof(text), r);
	if (n)
		msg_hash(digest, (const uint8_t *)text, n);
	if (!n || msg_recover(pub, r->sig, digest) < 0) {
		*reason = "the page request's signature is malformed";
		return -1;
	}
	secp_address_from_pub(addr, pub);
	if (memcmp(addr, r->reader, 20)) {
		*reason = "the page request is not signed by its reader";
		return -1;
	}
	memcpy(r->pub, pub, 65);
	return 0;
}

/* ---- the chain: eth_chainId and pageAccess ----------------------------------- */

static pthread_mutex_t chain_lock = PTHREAD_MUTEX_INITIALIZER;
static char *chain_url;
static uint64_t known_id;

int pages_chain_id(uint64_t *out, const char *rpc_url)
{
	pthread_mutex_lock(&chain_lock);
	bool known = chain_url && !strcmp(chain_url, rpc_url);
	*out = known_id;
	pthread_mutex_unlock(&chain_lock);
	if (known)
		return 0;
	json_t *res = NULL;
	int code;
	char msg[256], *end = NULL;
	if (rpcc_call_at(&res, &code, msg, sizeof(msg), rpc_url, "eth_chainId", json_array()) < 0)
		return diag_error(code == RPCC_E_TRANSPORT ? LST_EUNAVAIL : LST_EFAIL, "cannot ask '%s' for its chain id: %s",
				  rpc_url, msg);
	const char *h = json_string_value(res);
	errno = 0;
	unsigned long long id = h && !strncmp(h, "0x", 2) && h[2] ? strtoull(h + 2, &end, 16) : 0;
	bool ok = id && end && !*end && !errno;
	json_decref(res);
	if (!ok)
		return diag_error(LST_EFAIL, "'%s' answered eth_chainId with no chain id", rpc_url);
	pthread_mutex_lock(&chain_lock);
	free(chain_url);
	chain_url = xstrdup(rpc_url);
	known_id = id;
	pthread_mutex_unlock(&chain_lock);
	*out = id;
	return 0;
}

typedef struct {
	uint8_t key[32];
	uint64_t at;
	bool used;
	pages_access a;
} access_slot;

static access_slot slots[ACCESS_SLOTS];
static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;

static void slot_key(uint8_t key[32], const char *url, const uint8_t reader[20], const cid *root)
{
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const uint8_t *)url, strlen(url) + 1);
	crypto_hash_sha256_update(&st, reader, 20);
	crypto_hash_sha256_update(&st, root->bytes, root->len);
	crypto_hash_sha256_final(&st, key);
}

static access_slot *slot_bucket(const uint8_t key[32])
{
	uint32_t h = (uint32_t)key[0] << 24 | (uint32_t)key[1] << 16 | (uint32_t)key[2] << 8 | key[3];
	return &slots[(h % (ACCESS_SLOTS / ACCESS_WAYS)) * ACCESS_WAYS];
}

static bool fresh(const access_slot *e, const uint8_t key[32], uint64_t now)
{
	return e->used && !memcmp(e->key, key, 32) && e->at <= now && now < e->at + PAGES_CACHE_SECONDS;
}

bool pages_access_cached(pages_access *out, const char *rpc_url, const uint8_t reader[20], const cid *root,
			 uint64_t now)
{
	uint8_t key[32];
	bool hit = false;
	slot_key(key, rpc_url, reader, root);
	pthread_mutex_lock(&slots_lock);
	access_slot *e = slot_bucket(key);
	for (int i = 0; i < ACCESS_WAYS && !hit; i++)
		if (fresh(&e[i], key, now)) {
			*out = e[i].a;
			hit = true;
		}
	pthread_mutex_unlock(&slots_lock);
	return hit;
}

static void access_put(const uint8_t key[32], const pages_access *a, uint64_t now)
{
	pthread_mutex_lock(&slots_lock);
	access_slot *e = slot_bucket(key), *v = NULL;
	for (int i = 0; i < ACCESS_WAYS && !v; i++)
		if (e[i].used && !memcmp(e[i].key, key, 32))
			v = &e[i];
	for (int i = 0; i < ACCESS_WAYS && !v; i++)
		if (!e[i].used || e[i].at + PAGES_CACHE_SECONDS <= now)
			v = &e[i];
	if (!v) { /* the oldest gives way */
		v = e;
		for (int i = 1; i < ACCESS_WAYS; i++)
			if (e[i].at < v->at)
				v = &e[i];
	}
	memcpy(v->key, key, 32);
	v->at = now;
	v->used = true;
	v->a = *a;
	pthread_mutex_unlock(&slots_lock);
}

static bool u64_of(uint64_t *out, const abi_value *v)
{
	if (!u256_fits_u64(&v->u))
		return false;
	*out = v->u.w[0];
	return true;
}

int pages_access_ask(pages_access *out, const char *rpc_url, const uint8_t reader[20], const cid *root,
		     uint64_t now)
{
	if (pages_access_cached(out, rpc_url, reader, root, now))
		return 0;
	return pages_access_refresh(out, rpc_url, reader, root, now);
}

int pages_access_refresh(pages_access *out, const char *rpc_url, const uint8_t reader[20], const cid *root,
			 uint64_t now)
{
	uint8_t key[32], id[32], sub[20] = SUBSCRIPTION_ADDRESS_BYTES;
	char rs[CID_STR_MAX], to[43], msg[512];
	pages_access a;
	memset(&a, 0, sizeof(a));
	if (pages_chain_id(&a.chain_id, rpc_url) < 0)
		return -1;
	cid_str(rs, root);
	root_id(id, root);
	abi_value args[2] = {abi_address(reader), abi_fixed_bytes(id, 32)}, out4[4];
	buf cd = BUF_INIT;
	if (abi_encode_call(&cd, PAGE_ACCESS, args, 2) < 0) {
		buf_free(&cd);
		return diag_error(LST_EFAIL, "cannot encode pageAccess for '%s'", rs);
	}
	hex_encode(to, sub, 20);
	char *data = hex_encode_alloc(cd.p, cd.len);
	buf_free(&cd);
	json_t *call = json_pack("{s:s,s:s}", "to", to, "data", data), *res = NULL;
	free(data);
	int code;
	if (rpcc_call_at(&res, &code, msg, sizeof(msg), rpc_url, "eth_call", json_pack("[o,s]", call, "latest")) < 0) {
		if (code == RPCC_E_TRANSPORT)
			return diag_error(LST_EUNAVAIL, "cannot ask the subscription contract about '%s': %s", rs, msg);
		return diag_error(LST_EFAIL, "the subscription contract's answer about '%s' is an error: %s", rs, msg);
	}
	const char *hex = json_string_value(res);
	uint8_t *bytes = NULL;
	size_t blen = 0, n = 0;
	int r = -1;
	if (hex && !strncmp(hex, "0x", 2) && hex_decode_alloc(&bytes, &blen, hex) == 0 &&
	    abi_decode(out4, 4, &n, "bytes32,uint256,uint256,uint256", bytes, blen) == 0) {
		memcpy(a.book, out4[0].fixed, 32);
		if (u64_of(&a.category, &out4[1]) && u64_of(&a.period, &out4[2]) && u64_of(&a.until, &out4[3]))
			r = 0;
		abi_free(out4, n);
	}
	free(bytes);
	json_decref(res);
	if (r < 0)
		return diag_error(LST_EFAIL, "the subscription contract's answer about '%s' is malformed", rs);
	slot_key(key, rpc_url, reader, root);
	access_put(key, &a, now);
	*out = a;
	return 0;
}

/* ---- the books a provider serves: content key and page table ------------------- */

typedef struct {
	uint8_t id[32];    /* sha256(home, root) */
	uint8_t *key;      /* the content key, sodium_malloc'd */
	uint32_t npages;
	uint32_t *file, *seg, *len; /* per page (page p at p - 1) */
	uint64_t *off;
	uint64_t used;     /* the tick of its last use */
} book_pages;

static book_pages books[PAGES_BOOKS];
static uint64_t tick;
static pthread_mutex_t books_lock = PTHREAD_MUTEX_INITIALIZER;

static void served_id(uint8_t id[32], const char *home, const cid *root)
{
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const uint8_t *)home, strlen(home) + 1);
	crypto_hash_sha256_update(&st, root->bytes, root->len);
	crypto_hash_sha256_final(&st, id);
}

static void book_clear(book_pages *b)
{
	if (b->key)
		sodium_free(b->key);
	free(b->file);
	free(b->seg);
	free(b->len);
	free(b->off);
	memset(b, 0, sizeof(*b));
}

/* books_lock held: the slot of id, or NULL. */
static book_pages *book_find(const uint8_t id[32])
{
	for (size_t i = 0; i < PAGES_BOOKS; i++)
		if (books[i].key && !memcmp(books[i].id, id, 32))
			return &books[i];
	return NULL;
}

/* The page table of a checked manifest (content_manifest). */
static int table_build(book_pages *b, const json_t *m)
{
	json_t *files = json_object_get(m, "files"), *f;
	size_t i, n = 0;
	json_array_foreach(files, i, f)
		n += json_array_size(json_object_get(f, "segments"));
	if (n > UINT32_MAX)
		return diag_error(LST_EINVALID, "a book of %zu pages is too long", n);
	b->npages = (uint32_t)n;
	b->file = xmalloc((n ? n : 1) * sizeof(uint32_t));
	b->seg = xmalloc((n ? n : 1) * sizeof(uint32_t));
	b->len = xmalloc((n ? n : 1) * sizeof(uint32_t));
	b->off = xmalloc((n ? n : 1) * sizeof(uint64_t));
	size_t p = 0;
	json_array_foreach(files, i, f)
	{
		json_t *segs = json_object_get(f, "segments");
		uint64_t off = 0;
		for (size_t j = 0; j < json_array_size(segs); j++, p++) {
			uint64_t l = (uint64_t)json_integer_value(json_array_get(segs, j));
			b->file[p] = (uint32_t)i;
			b->seg[p] = (uint32_t)j;
			b->len[p] = (uint32_t)l;
			b->off[p] = off;
			off += l;
		}
	}
	return 0;
}

int pages_have(bstore *s, const char *home, const cid *root)
{
	uint8_t id[32];
	char cs[CID_STR_MAX];
	served_id(id, home, root);
	pthread_mutex_lock(&books_lock);
	book_pages *hit = book_find(id);
	if (hit)
		hit->used = ++tick;
	pthread_mutex_unlock(&books_lock);
	if (hit)
		return 1;
	cid_str(cs, root);
	char *path = xasprintf("%s/content-keys/%s", home, cs);
	if (access(path, F_OK) < 0) {
		free(path);
		return 0;
	}
	book_pages b;
	memset(&b, 0, sizeof(b));
	memcpy(b.id, id, 32);
	json_t *m = NULL;
	int r = -1;
	if (!(b.key = sodium_malloc(32)))
		diag_error(LST_EFAIL, "out of memory");
	else if (content_key_read_file(b.key, path) == 0 && content_manifest(s, &m, root, b.key) == 0)
		r = table_build(&b, m);
	json_decref(m);
	free(path);
	if (r < 0) {
		book_clear(&b);
		return -1;
	}
	pthread_mutex_lock(&books_lock);
	if (!book_find(id)) { /* not loaded by another thread meanwhile */
		book_pages *v = &books[0];
		for (size_t i = 0; i < PAGES_BOOKS; i++) {
			if (!books[i].key) {
				v = &books[i];
				break;
			}
			if (books[i].used < v->used)
				v = &books[i];
		}
		book_clear(v);
		*v = b;
		v->used = ++tick;
		memset(&b, 0, sizeof(b));
	}
	pthread_mutex_unlock(&books_lock);
	book_clear(&b);
	return 1;
}

/*
 * The secrets of one answer (the content key, then up to
 * PAGES_PER_REQUEST page keys) in per-thread scratch, wiped after each
 * answer (a provider answers thousands of requests a second).
 */
static scratch_area answer_scratch = SCRATCH_AREA(32 + PAGES_PER_REQUEST * 32);

static json_t *refusal(unsigned *status, unsigned code, const char *error, const char *reason, const cid *root)
{
	char cs[CID_STR_MAX];
	cid_str(cs, root);
	*status = code;
	return json_pack("{s:s,s:s,s:s}", "error", error, "reason", reason, "root", cs);
}

json_t *pages_serve(unsigned *status, bstore *s, const char *home, const pages_request *r, const pages_access *a,
		    const uint8_t *serve_priv, const uint8_t server[20], uint64_t now)
{
	static const uint8_t zero[32];
	char reason[96];
	if (!memcmp(a->book, zero, 32))
		return refusal(status, 403, "access denied", "not a version of a book on chain", &r->root);
	if (!a->category)
		return refusal(status, 403, "access denied", "the book is not enrolled in a category", &r->root);
	if (a->until <= now)
		return refusal(status, 403, "access denied", "not a member", &r->root);
	int have = pages_have(s, home, &r->root);
	if (have == 0)
		return refusal(status, 404, "not found", "no key for this root here", &r->root);
	if (have < 0)
		return refusal(status, 500, "internal error", "cannot read the book here", &r->root);

	/* The pages' places and keys, copied out of the cache. */
	size_t n = (size_t)(r->to - r->from) + 1;
	uint8_t id[32], *ck = scratch_get(&answer_scratch), *keys = ck ? ck + 32 : NULL;
	uint32_t *file = xmalloc(n * sizeof(uint32_t)), *seg = xmalloc(n * sizeof(uint32_t)),
		 *len = xmalloc(n * sizeof(uint32_t)), *pages = xmalloc(n * sizeof(uint32_t)), npages = 0;
	uint64_t *off = xmalloc(n * sizeof(uint64_t));
	bool found = false;
	served_id(id, home, &r->root);
	/* Twice: other books may push this one out of the cache between pages_have and here. */
	for (int tries = 0; tries < 2 && !found && keys && (tries == 0 || pages_have(s, home, &r->root) == 1); tries++) {
		pthread_mutex_lock(&books_lock);
		book_pages *b = book_find(id);
		if (b) {
			found = true;
			npages = b->npages;
			if (r->to <= npages) {
				memcpy(ck, b->key, 32);
				memcpy(file, b->file + r->from - 1, n * sizeof(uint32_t));
				memcpy(seg, b->seg + r->from - 1, n * sizeof(uint32_t));
				memcpy(len, b->len + r->from - 1, n * sizeof(uint32_t));
				memcpy(off, b->off + r->from - 1, n * sizeof(uint64_t));
			}
		}
		pthread_mutex_unlock(&books_lock);
	}
	json_t *ans = NULL;
	uint8_t *env = NULL;
	if (!found) {
		ans = refusal(status, 500, "internal error", keys ? "cannot read the book here" : "out of memory",
			      &r->root);
		goto out;
	}
	if (r->to > npages) {
		snprintf(reason, sizeof(reason), "the book has %" PRIu32 " page%s", npages, npages == 1 ? "" : "s");
		ans = refusal(status, 404, "no such page", reason, &r->root);
		goto out;
	}
	for (size_t k = 0; k < n; k++) {
		pages[k] = r->from + (uint32_t)k;
		content_segment_key(keys + 32 * k, ck, file[k], seg[k]);
	}
	uint8_t hash[32], digest[32], receipt[65];
	sub_receipt_hash(hash, a->chain_id, r->reader, a->book, a->period, pages, n);
	msg_hash(digest, hash, 32);
	env = xmalloc(n * 32 + SEAL_OVERHEAD);
	if (msg_sign(receipt, serve_priv, digest) < 0 || seal_to(env, r->pub, keys, n * 32) < 0) {
		ans = refusal(status, 500, "internal error", "cannot seal the page keys", &r->root);
		goto out;
	}
	char cs[CID_STR_MAX], bk[67], sv[43], rc[133];
	cid_str(cs, &r->root);
	hex_encode(bk, a->book, 32);
	hex_encode(sv, server, 20);
	hex_encode(rc, receipt, 65);
	char *eh = hex_encode_alloc(env, n * 32 + SEAL_OVERHEAD);
	json_t *list = json_array();
	for (size_t k = 0; k < n; k++)
		json_array_append_new(list, json_pack("{s:I,s:I,s:I,s:I,s:I}", "page", (json_int_t)pages[k], "file",
						      (json_int_t)file[k], "segment", (json_int_t)seg[k], "offset",
						      (json_int_t)off[k], "length", (json_int_t)len[k]));
	ans = json_pack("{s:s,s:s,s:I,s:I,s:I,s:s,s:s,s:s,s:o}", "root", cs, "book", bk, "period",
			(json_int_t)a->period, "from", (json_int_t)r->from, "to", (json_int_t)r->to, "server", sv,
			"receipt", rc, "envelope", eh, "pages", list);
	free(eh);
	*status = 200;
out:
	if (ck)
		sodium_memzero(ck, 32 + n * 32);
	free(env);
	free(file);
	free(seg);
	free(len);
	free(off);
	free(pages);
	return ans;
}

/* ---- the reader's side -------------------------------------------------------- */

void pages_grant_free(pages_grant *g)
{
	if (g->keys) {
		sodium_memzero(g->keys, g->n * 32);
		sodium_free(g->keys);
	}
	free(g->file);
	free(g->segment);
	free(g->offset);
	free(g->length);
	memset(g, 0, sizeof(*g));
}

int pages_grant_from_json(pages_grant *out, const json_t *answer, const uint8_t priv[32], const cid *root,
			  uint32_t from, uint32_t to, uint64_t chain_id, const char **reason)
{
	pages_grant g;
	uint64_t v, period;
	uint8_t reader[20], hash[32], signer[20];
	cid c;
	memset(&g, 0, sizeof(g));
	memset(out, 0, sizeof(*out));
	*reason = NULL;
	if (!range_ok(from, to)) {
		*reason = "bad page range";
		return -1;
	}
	g.n = (size_t)(to - from) + 1;
	g.from = from;
	g.to = to;
	json_t *list = json_object_get(answer, "pages");
	const char *env = json_string_value(json_object_get(answer, "envelope"));
	size_t elen = g.n * 32 + SEAL_OVERHEAD;
	uint8_t *sealed = NULL;
	if (!json_is_object(answer))
		*reason = "the answer is not a JSON object";
	else if (!cid_field(&c, json_object_get(answer, "root")) || !cid_equal(&c, root))
		*reason = "the answer is for another root";
	else if (!int_in(&v, json_object_get(answer, "from"), from, from) ||
		 !int_in(&v, json_object_get(answer, "to"), to, to))
		*reason = "the answer is for other pages";
	else if (!hex_field(g.book, 32, json_object_get(answer, "book")))
		*reason = "book: not 32 bytes of hex";
	else if (!int_in(&period, json_object_get(answer, "period"), 0, INT64_MAX))
		*reason = "period: not a number";
	else if (!hex_field(g.server, 20, json_object_get(answer, "server")))
		*reason = "server: not an address";
	else if (!hex_field(g.receipt, 65, json_object_get(answer, "receipt")))
		*reason = "receipt: not 65 bytes of hex";
	else if (!json_is_array(list) || json_array_size(list) != g.n)
		*reason = "pages: not one entry per page";
	else if (!env || strlen(env) != 2 + 2 * elen)
		*reason = "envelope: not the page keys";
	if (*reason)
		return -1;
	g.period = period;
	if (secp_address_from_priv(reader, priv) < 0) {
		*reason = "invalid key";
		return -1;
	}
	uint32_t *pages = xmalloc(g.n * sizeof(uint32_t));
	for (size_t k = 0; k < g.n; k++)
		pages[k] = from + (uint32_t)k;
	sub_receipt_hash(hash, chain_id, reader, g.book, g.period, pages, g.n);
	free(pages);
	if (sub_receipt_signer(signer, g.receipt, hash) < 0 || memcmp(signer, g.server, 20)) {
		*reason = "the receipt is not signed by the server over these pages";
		return -1;
	}
	g.keys = sodium_malloc(g.n * 32);
	g.file = xmalloc(g.n * sizeof(uint64_t));
	g.segment = xmalloc(g.n * sizeof(uint64_t));
	g.offset = xmalloc(g.n * sizeof(uint64_t));
	g.length = xmalloc(g.n * sizeof(uint64_t));
	for (size_t k = 0; k < g.n && !*reason; k++) {
		json_t *e = json_array_get(list, k);
		if (!int_in(&v, json_object_get(e, "page"), from + k, from + k) ||
		    !int_in(&g.file[k], json_object_get(e, "file"), 0, UINT32_MAX) ||
		    !int_in(&g.segment[k], json_object_get(e, "segment"), 0, UINT32_MAX) ||
		    !int_in(&g.offset[k], json_object_get(e, "offset"), 0, INT64_MAX) ||
		    !int_in(&g.length[k], json_object_get(e, "length"), STORED_MIN, STORED_MAX))
			*reason = "pages: a malformed entry";
	}
	if (!*reason && !g.keys)
		*reason = "out of memory";
	if (!*reason) {
		sealed = xmalloc(elen);
		if (hex_decode(sealed, elen, env) < 0 || seal_open(g.keys, priv, sealed, elen) < 0)
			*reason = "the envelope does not open with our key";
		free(sealed);
	}
	if (*reason) {
		pages_grant_free(&g);
		return -1;
	}
	*out = g;
	return 0;
}

/* How bad an outcome: a refusal outranks "not here", which outranks "unreachable". */
enum { R_NONE, R_UNAVAIL, R_NOTFOUND, R_REFUSED, R_PAST };

static const int rank_status[] = {LST_ENOTFOUND, LST_EUNAVAIL, LST_ENOTFOUND, LST_EREFUSED, LST_ENOTFOUND};

/* Ask base_in: 0 and *out, or -1 with *rank and why (not reported). */
static int ask_one(pages_grant *out, int *rank, buf *why, const char *base_in, const pages_request *rq,
		   const uint8_t priv[32], uint64_t id, uint64_t height)
{
	char cs[CID_STR_MAX], err[256];
	cid_str(cs, &rq->root);
	buf_reset(why);
	char *base = http_base_url(base_in);
	if (!base) {
		*rank = R_UNAVAIL;
		buf_addf(why, "no gateway URL in '%s'", base_in);
		return -1;
	}
	json_t *body = pages_request_json(rq);
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	buf url = BUF_INIT, ans = BUF_INIT;
	buf_addf(&url, "%s/lst/v1/pages/%s", base, cs);
	long status = 0;
	int r = -1;
	char hh[64];
	const char *hdrs[1] = {hh};
	snprintf(hh, sizeof(hh), "%s: %" PRIu64, ACCESS_HEIGHT_HEADER, height);
	if (http_do(&ans, &status, err, sizeof(err), (char *)url.p, hdrs, height ? 1 : 0, text, strlen(text),
		    ANSWER_MAX, ASK_TIMEOUT_MS) < 0) {
		*rank = R_UNAVAIL;
		buf_addf(why, "cannot reach '%s': %s", base, err);
		goto out;
	}
	json_t *j = json_loadb((const char *)ans.p, ans.len, 0, NULL);
	const char *reason = json_string_value(json_object_get(j, "reason"));
	const char *e = json_string_value(json_object_get(j, "error"));
	if (status == 200) {
		if (pages_grant_from_json(out, j, priv, &rq->root, rq->from, rq->to, id, &reason) == 0) {
			r = 0;
		} else {
			*rank = R_REFUSED;
			buf_addf(why, "'%s' sent a bad answer: %s", base, reason);
		}
	} else {
		*rank = status == 403			       ? R_REFUSED
			: status == 404 && e && !strcmp(e, "no such page") ? R_PAST
			: status == 404			       ? R_NOTFOUND
							       : R_UNAVAIL;
		buf_addf(why, "'%s' answered %ld: %s%s%s", base, status, e ? e : "error", reason ? ": " : "",
			 reason ? reason : "");
	}
	json_decref(j);
out:
	free(text);
	free(base);
	buf_free(&url);
	buf_free(&ans);
	return r;
}

int pages_ask(pages_grant *out, const char *base_url, const uint8_t priv[32], const cid *root, uint32_t from,
	      uint32_t to)
{
	pages_request rq;
	uint64_t id;
	int rank = R_NONE;
	memset(out, 0, sizeof(*out));
	if (pages_chain_id(&id, rpcc_url()) < 0 ||
	    pages_request_make(&rq, priv, root, from, to, (uint64_t)time(NULL) + REQUEST_LIFETIME) < 0)
		return -1;
	buf why = BUF_INIT;
	int r = ask_one(out, &rank, &why, base_url, &rq, priv, id, 0);
	if (r < 0)
		diag_error(rank_status[rank], "no pages %" PRIu32 "-%" PRIu32 ": %s", from, to, (char *)why.p);
	buf_free(&why);
	return r;
}

int pages_ask_any(pages_grant *out, char **from_url, const uint8_t priv[32], const char *const *peers,
		  size_t npeers, const char *node, const cid *root, uint32_t from, uint32_t to)
{
	pages_request rq;
	uint64_t id;
	char cs[CID_STR_MAX];
	memset(out, 0, sizeof(*out));
	*from_url = NULL;
	cid_str(cs, root);
	if (pages_chain_id(&id, rpcc_url()) < 0 ||
	    pages_request_make(&rq, priv, root, from, to, (uint64_t)time(NULL) + REQUEST_LIFETIME) < 0)
		return -1;
	/* Our node's height goes as X-Lst-Height: a provider whose node is behind it (where we just subscribed) waits. */
	uint64_t height = 0;
	json_t *bn = NULL;
	int code;
	char msg[128];
	if (rpcc_call_quiet(&bn, &code, msg, sizeof(msg), "eth_blockNumber", json_array()) == 0 && json_is_string(bn))
		height = strtoull(json_string_value(bn), NULL, 16);
	json_decref(bn);
	char **urls = node ? prov_registry_urls(node, root, ANSWER_MAX, ASK_TIMEOUT_MS) : xcalloc(1, sizeof(char *));
	size_t nurls = 0;
	while (urls[nurls])
		nurls++;
	const char **cand = xcalloc(npeers + 1 + nurls, sizeof(char *));
	size_t nc = 0;
	for (size_t i = 0; i < npeers; i++)
		cand[nc++] = peers[i];
	if (node)
		cand[nc++] = node;
	for (size_t i = 0; i < nurls; i++)
		cand[nc++] = urls[i];
	int worst = R_NONE, rank = R_NONE, r = -1;
	bool reported = false;
	buf why = BUF_INIT, first = BUF_INIT;
	for (size_t i = 0; i < nc && r < 0 && worst != R_PAST; i++) {
		char *b = http_base_url(cand[i]);
		bool seen = false;
		for (size_t k = 0; b && k < i; k++) {
			char *o = http_base_url(cand[k]);
			seen |= o && !strcmp(o, b);
			free(o);
		}
		if (b && !seen && ask_one(out, &rank, &why, b, &rq, priv, id, height) == 0) {
			uint8_t owner[20];
			static const uint8_t zero[20];
			if (subs_server_owner(owner, out->server) < 0) {
				pages_grant_free(out);
				free(b);
				reported = true;
				break;
			}
			if (memcmp(owner, zero, 20)) {
				*from_url = xstrdup(b);
				r = 0;
			} else {
				char sv[43];
				hex_encode(sv, out->server, 20);
				pages_grant_free(out);
				rank = R_REFUSED;
				buf_reset(&why);
				buf_addf(&why, "'%s' serves with %s, which is not a registered server", b, sv);
			}
		}
		if (r < 0 && b && !seen && rank > worst) {
			worst = rank;
			buf_reset(&first);
			buf_add(&first, why.p, why.len);
		}
		free(b);
	}
	if (r < 0 && !reported) {
		diag_error(rank_status[worst], "no pages %" PRIu32 "-%" PRIu32 " of '%s': %s", from, to, cs,
			   first.len ? (char *)first.p : "no gateway to ask");
		if (worst == R_REFUSED)
			diag_hint("subscribe to the book's category first: lst subscribe CATEGORY");
	}
	prov_urls_free(urls);
	free(cand);
	buf_free(&why);
	buf_free(&first);
	return r;
}

struct collect {
	uint8_t *p;
	size_t len, cap;
};

static int collect(void *arg, const uint8_t *data, size_t len)
{
	struct collect *c = arg;
	if (len > c->cap - c->len)
		return -1;
	memcpy(c->p + c->len, data, len);
	c->len += len;
	return 0;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int pages_write(bstore *s, int fd, const cid *root, const pages_grant *g)
{
	char cs[CID_STR_MAX], name[24];
	uint8_t *stored = xmalloc(STORED_MAX), *pt = xmalloc(CONTENT_SEGMENT_MAX);
	cid fc, missing;
	uint64_t fi = UINT64_MAX;
	int r = 0;
	cid_str(cs, root);
	for (size_t k = 0; k < g->n && r == 0; k++) {
		if (g->file[k] != fi) {
			snprintf(name, sizeof(name), "%" PRIu64, g->file[k]);
			int q = ufs_resolve(s, &fc, root, name);
			if (q == 1)
				r = diag_error(LST_ENOTFOUND, "no file %s in '%s' here", name, cs);
			else if (q < 0)
				r = -1;
			if (r)
				break;
			fi = g->file[k];
		}
		struct collect col = {stored, 0, (size_t)g->length[k]};
		int q = ufs_read(s, &fc, g->offset[k], g->length[k], collect, &col, &missing);
		size_t plen = 0;
		if (q == 1) {
			char ms[CID_STR_MAX];
			cid_str(ms, &missing);
			r = diag_error(LST_ENOTFOUND, "block '%s' of '%s' is not in the store", ms, cs);
		} else if (q < 0) {
			r = -1;
		} else if (col.len != g->length[k]) {
			r = diag_error(LST_EREFUSED, "page %" PRIu64 " of '%s' lies past its file", (uint64_t)(g->from + k), cs);
		} else if (content_segment_open(pt, &plen, CONTENT_SEGMENT_MAX, g->keys + 32 * k, g->file[k],
						g->segment[k], stored, col.len) < 0) {
			r = -1;
		} else if (write_all(fd, pt, plen) < 0) {
			r = diag_error(LST_EFAIL, "cannot write page %" PRIu64 ": %s", (uint64_t)(g->from + k), strerror(errno));
		}
		sodium_memzero(pt, plen);
	}
	free(stored);
	free(pt);
	return r;
}

/* ---- the reader's command: fetching the blocks, recording the pages ---------- */

int pages_fetch(bstore *s, const uint8_t priv[32], const char *const *peers, size_t npeers, const cid *root)
{
	uint8_t *have = NULL;
	uint64_t leaves = 0, height = 0;
	bool complete = false;
	diag_set_quiet(true);
	int h = fetch_have(s, &have, &leaves, &complete, root, NULL);
	diag_set_quiet(false);
	free(have);
	if (h == 0 && complete)
		return 0;
	if (book_height(&height) < 0)
		return -1;
	char *self = swarm_self_gateway();
	fetch_opts o = {
		.peers = peers,
		.npeers = npeers,
		.node = rpcc_url(),
		.priv = priv,
		.self_url = self,
		.min_height = height,
	};
	fetch_result res;
	int r = swarm_fetch(s, &res, root, &o);
	fetch_result_free(&res);
	free(self);
	if (r == 0)
		r = bstore_pin(s, root);
	return r;
}

#define EV_PAGES "PagesRecorded(bytes32,address,uint256,uint256,uint256)"

int pages_record(uint64_t *added, uint64_t *counted, uint8_t tx[32], const key_entry *e, const pages_grant *g,
		 double timeout)
{
	static const uint8_t sub[20] = SUBSCRIPTION_ADDRESS_BYTES;
	static const book_contract S = {sub, "the subscription contract", NULL, NULL, 0};
	buf cd = BUF_INIT;
	json_t *receipt = NULL, *log;
	uint32_t *pages = xmalloc(g->n * sizeof(uint32_t));
	for (size_t k = 0; k < g->n; k++)
		pages[k] = g->from + (uint32_t)k;
	int r = subs_call_record_pages(&cd, g->book, g->period, pages, g->n, g->receipt);
	free(pages);
	if (r == 0)
		r = subs_send(&receipt, e, &cd, NULL, timeout);
	buf_free(&cd);
	if (r < 0) {
		json_decref(receipt);
		return -1;
	}
	const char *h = json_string_value(json_object_get(receipt, "transactionHash"));
	r = h && hex_field(tx, 32, json_object_get(receipt, "transactionHash")) ? 0 : -1;
	bool found = false;
	size_t i;
	json_array_foreach(json_object_get(receipt, "logs"), i, log)
	{
		uint8_t w[3][32], t[32], *data = NULL;
		size_t dlen, n = 0;
		uint64_t height;
		abi_value v[2];
		if (found || book_contract_log(w, 3, &data, &dlen, &height, t, &S, EV_PAGES, log) < 0)
			continue;
		if (abi_decode(v, 2, &n, "uint256,uint256", data, dlen) == 0 && n == 2 && u64_of(added, &v[0]) &&
		    u64_of(counted, &v[1]))
			found = true;
		if (n)
			abi_free(v, n);
		free(data);
	}
	json_decref(receipt);
	if (r < 0 || !found)
		return diag_error(LST_EFAIL, "the receipt of transaction '%s' has no well-formed PagesRecorded log",
				  h ? h : "?");
	return 0;
}
