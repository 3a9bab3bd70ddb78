/* Page-by-page reading: requests, forgeries, the serving key, the provider's answer and the reader's checks. */
#include "lst.h"
#include "unit.h"
#include "access.h"
#include "bstore.h"
#include "buf.h"
#include "cid.h"
#include "content.h"
#include "diag.h"
#include "gateway.h"
#include "hex.h"
#include "http.h"
#include "home.h"
#include "msg.h"
#include "pages.h"
#include "pagefetch.h"
#include "rpcclient.h"
#include "seal.h"
#include "secp.h"
#include "subscription.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <ftw.h>
#include <microhttpd.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#define NOW 1800000000ull
#define CHAIN 161
#define PB SUB_PAGE_BYTES

static char tmp[] = "/tmp/lst-t-pages-XXXXXX";
static bstore *S;
static uint8_t A[32], B[32], SERVE[32], BOOK[32];
static uint8_t *text_a, *text_b; /* the two files of the paged book */
static size_t len_a = 5 * PB + 300, len_b = 2 * PB;
static cid ROOT;

static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint8_t rnd8(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint8_t)(rng >> 24);
}

static uint8_t *gen(size_t n, bool text)
{
	static const char words[] = "it was the best of times, it was the worst of times; ";
	uint8_t *p = xmalloc(n);
	for (size_t i = 0; i < n; i++)
		p[i] = text ? (uint8_t)words[(i * 7 + i / 311) % (sizeof(words) - 1)] : rnd8();
	return p;
}

static int file_of(const uint8_t *data, size_t len)
{
	static int nfile;
	char *path = xasprintf("%s/in%d", tmp, nfile++);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len || lseek(fd, 0, SEEK_SET) != 0)
		abort();
	free(path);
	return fd;
}

/* A member's pageAccess answer. */
static pages_access member(void)
{
	pages_access a;
	memset(&a, 0, sizeof(a));
	memcpy(a.book, BOOK, 32);
	a.category = 2;
	a.period = 7;
	a.until = NOW + 100;
	a.chain_id = CHAIN;
	return a;
}

/* The plaintext of page p (from 1): file a's pages, then b's. */
static void page_bytes(const uint8_t **p, size_t *n, uint32_t page)
{
	size_t na = (len_a + PB - 1) / PB;
	if (page <= na) {
		*p = text_a + (size_t)(page - 1) * PB;
		*n = page < na ? PB : len_a - (na - 1) * PB;
	} else {
		*p = text_b + (size_t)(page - 1 - na) * PB;
		*n = PB;
	}
}

/* ---- requests ---- */

static void test_requests(void)
{
	pages_request r, q;
	const char *why = NULL;
	uint8_t addr[20], pub[65];
	ok(pages_request_make(&r, A, &ROOT, 2, 4, NOW + 600) == 0, "make a request for pages 2-4");
	ok(secp_address_from_priv(addr, A) == 0 && !memcmp(addr, r.reader, 20), "its reader is the signer's address");
	json_t *j = pages_request_json(&r);
	ok(json_object_size(j) == 6 && json_integer_value(json_object_get(j, "from")) == 2 &&
	   strlen(json_string_value(json_object_get(j, "signature"))) == 132,
	   "JSON: reader, root, from, to, expires, signature");
	ok(pages_request_from_json(&q, j, &why) == 0 && pages_request_verify(&q, NOW, &why) == 0, "it parses and verifies");
	ok(secp_pubkey(pub, A) == 0 && !memcmp(q.pub, pub, 65), "verify sets the reader's public key");
	ok(pages_request_verify(&q, NOW + 600, &why) == 0, "valid up to its expiry");
	ok(pages_request_verify(&q, NOW + 601, &why) < 0 && strstr(why, "expired"), "refused after it: %s", why);
	ok(pages_request_verify(&q, NOW + 600 - ACCESS_MAX_LIFETIME - 1, &why) < 0 && strstr(why, "future"),
	   "refused when it reaches too far ahead: %s", why);

	/* Each field altered after signing. */
	pages_request f = q;
	f.from = 1;
	ok(pages_request_verify(&f, NOW, &why) < 0 && strstr(why, "not signed"), "another from: %s", why);
	f = q;
	f.to = 5;
	ok(pages_request_verify(&f, NOW, &why) < 0, "another to");
	f = q;
	f.expires++;
	ok(pages_request_verify(&f, NOW, &why) < 0, "another expiry");
	f = q;
	ok(cid_parse(&f.root, "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku") == 0 &&
	   pages_request_verify(&f, NOW, &why) < 0, "another root");
	f = q;
	f.sig[10] ^= 1;
	ok(pages_request_verify(&f, NOW, &why) < 0, "a flipped signature bit");
	f = q;
	f.sig[64] = 29;
	ok(pages_request_verify(&f, NOW, &why) < 0 && strstr(why, "malformed"), "a bad recovery id: %s", why);
	/* Signed by B in A's name. */
	ok(pages_request_make(&f, B, &ROOT, 2, 4, NOW + 600) == 0, "B signs a request");
	memcpy(f.reader, r.reader, 20);
	ok(pages_request_verify(&f, NOW, &why) < 0 && strstr(why, "not signed by its reader"),
	   "B's signature in A's name: %s", why);
	ok(pages_request_make(&f, A, &ROOT, 0, 3, NOW) < 0 && diag_status() == LST_EINVALID, "make refuses page 0");
	ok(pages_request_make(&f, A, &ROOT, 5, 4, NOW) < 0, "make refuses to < from");
	ok(pages_request_make(&f, A, &ROOT, 1, 1001, NOW) < 0 && pages_request_make(&f, A, &ROOT, 1, 1000, NOW) == 0,
	   "make takes 1000 pages, not 1001");
	json_decref(j);
}

static void test_request_json(void)
{
	pages_request r, q;
	const char *why;
	ok(pages_request_make(&r, A, &ROOT, 3, 3, NOW + 60) == 0, "a request for page 3");
	json_t *good = pages_request_json(&r);
	static const struct {
		const char *key, *json;
	} bad[] = {
	    {"reader", "\"0x1234\""},
	    {"reader", "12"},
	    {"root", "\"not a cid\""},
	    {"root", "null"},
	    {"from", "0"},
	    {"from", "-1"},
	    {"from", "\"3\""},
	    {"from", "4"},
	    {"to", "4294967296"},
	    {"to", "1003"},
	    {"expires", "-5"},
	    {"expires", "1.5"},
	    {"signature", "\"0x00\""},
	    {"signature", "\"zz\""},
	};
	int failed = 0;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		json_t *j = json_deep_copy(good), *v = json_loads(bad[i].json, JSON_DECODE_ANY, NULL);
		json_object_set_new(j, bad[i].key, v);
		why = NULL;
		if (pages_request_from_json(&q, j, &why) == 0 || !why) {
			failed++;
			diagf("accepted %s = %s", bad[i].key, bad[i].json);
		}
		json_decref(j);
	}
	ok(failed == 0, "%zu malformed fields refused with a reason", ARRAY_SIZE(bad));
	json_t *j = json_deep_copy(good);
	json_object_del(j, "signature");
	ok(pages_request_from_json(&q, j, &why) < 0, "a missing signature");
	json_decref(j);
	j = json_array();
	ok(pages_request_from_json(&q, j, &why) < 0 && strstr(why, "object"), "an array: %s", why);
	json_decref(j);
	/* The root in another spelling (base16 CIDv1) is not what was signed. */
	char cs[CID_STR_MAX];
	cid_str(cs, &ROOT);
	j = json_deep_copy(good);
	buf b16 = BUF_INIT;
	buf_addc(&b16, 'f');
	for (size_t i = 0; i < ROOT.len; i++)
		buf_addf(&b16, "%02x", ROOT.bytes[i]);
	buf_addc(&b16, 0);
	cid same;
	bool parses = cid_parse(&same, (char *)b16.p) == 0 && cid_equal(&same, &ROOT);
	json_object_set_new(j, "root", json_string((char *)b16.p));
	ok(!parses || pages_request_from_json(&q, j, &why) < 0, "the root in base16 is refused");
	buf_free(&b16);
	json_decref(j);
	ok(pages_request_from_json(&q, good, &why) == 0 && pages_request_verify(&q, NOW, &why) == 0,
	   "and the untouched request still verifies");
	json_decref(good);
}

/* ---- the serving key ---- */

static void test_serve_key(void)
{
	uint8_t *k1 = sodium_malloc(32), *k2 = sodium_malloc(32), a1[20], a2[20], a3[20];
	char *home = xasprintf("%s/sk", tmp), *path = xasprintf("%s/sk/serve-key", tmp);
	struct stat st;
	ok(pages_serve_key(k1, a1, home, false) == 1, "absent, not created: 1");
	ok(stat(home, &st) < 0, "and nothing made");
	ok(pages_serve_key(k1, a1, home, true) == 0, "created when absent");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600 && st.st_size == 65, "HOME/serve-key, 0600, 65 bytes");
	ok(pages_serve_key(k2, a2, home, true) == 0 && !sodium_memcmp(k1, k2, 32) && !memcmp(a1, a2, 20),
	   "loaded again: the same key");
	ok(secp_address_from_priv(a3, k2) == 0 && !memcmp(a3, a2, 20), "its address is the key's");
	ok(write_file_atomic(path, "12345\n", 6, 0600) == 0 && pages_serve_key(k2, a2, home, true) < 0 &&
	   diag_status() == LST_EINVALID, "junk is refused, not replaced");
	buf b = BUF_INIT;
	ok(buf_read_file(&b, path, 100) == 0 && b.len == 6, "the junk is still there");
	buf_free(&b);
	char zero[66];
	memset(zero, '0', 64);
	zero[64] = '\n';
	ok(write_file_atomic(path, zero, 65, 0600) == 0 && pages_serve_key(k2, a2, home, false) < 0,
	   "a zero key is refused");
	sodium_free(k1);
	sodium_free(k2);
	free(home);
	free(path);
}

/* ---- the provider ---- */

static json_t *serve(unsigned *status, const pages_request *r, const pages_access *a, uint64_t now)
{
	uint8_t server[20];
	if (secp_address_from_priv(server, SERVE) < 0)
		abort();
	return pages_serve(status, S, tmp, r, a, SERVE, server, now);
}

/* A verified request by priv for from..to of ROOT. */
static pages_request request(const uint8_t *priv, uint32_t from, uint32_t to)
{
	pages_request r;
	const char *why;
	if (pages_request_make(&r, priv, &ROOT, from, to, NOW + 60) < 0 || pages_request_verify(&r, NOW, &why) < 0)
		abort();
	return r;
}

static void test_provider(void)
{
	unsigned st = 0;
	const char *why = NULL;
	uint8_t server[20], reader[20], hash[32], signer[20];
	pages_access a = member();
	pages_grant g;
	cid other;
	ok(secp_address_from_priv(server, SERVE) == 0 && secp_address_from_priv(reader, A) == 0, "addresses");
	ok(pages_have(S, tmp, &ROOT) == 1, "the provider has the book (key and manifest)");
	ok(cid_parse(&other, "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku") == 0 &&
	   pages_have(S, tmp, &other) == 0, "and not a root whose key it lacks");

	pages_request r = request(A, 2, 4);
	json_t *ans = serve(&st, &r, &a, NOW);
	ok(st == 200 && ans, "a member asks pages 2-4: 200");
	ok(json_integer_value(json_object_get(ans, "period")) == 7 &&
	   json_array_size(json_object_get(ans, "pages")) == 3, "period 7, three pages");
	ok(pages_grant_from_json(&g, ans, A, &ROOT, 2, 4, CHAIN, &why) == 0, "the reader takes the answer (%s)",
	   why ? why : "ok");
	ok(g.n == 3 && !memcmp(g.server, server, 20) && !memcmp(g.book, BOOK, 32) && g.period == 7,
	   "the grant: 3 keys, the serving key's address, the book, the period");
	uint32_t p234[] = {2, 3, 4}, p2345[] = {2, 3, 4, 5};
	sub_receipt_hash(hash, CHAIN, reader, BOOK, 7, p234, 3);
	ok(sub_receipt_signer(signer, g.receipt, hash) == 0 && !memcmp(signer, server, 20),
	   "the receipt is the serving key's over pages 2, 3, 4");
	sub_receipt_hash(hash, CHAIN, reader, BOOK, 7, p2345, 4);
	ok(sub_receipt_signer(signer, g.receipt, hash) < 0 || memcmp(signer, server, 20), "not over 2-5");
	sub_receipt_hash(hash, CHAIN, reader, BOOK, 8, p234, 3);
	ok(sub_receipt_signer(signer, g.receipt, hash) < 0 || memcmp(signer, server, 20), "not in period 8");
	sub_receipt_hash(hash, CHAIN + 1, reader, BOOK, 7, p234, 3);
	ok(sub_receipt_signer(signer, g.receipt, hash) < 0 || memcmp(signer, server, 20), "not on another chain");

	/* The keys open exactly those pages. */
	char *out = xasprintf("%s/out", tmp);
	int fd = open(out, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ok(fd >= 0 && pages_write(S, fd, &ROOT, &g) == 0, "write the pages");
	buf got = BUF_INIT, want = BUF_INIT;
	for (uint32_t p = 2; p <= 4; p++) {
		const uint8_t *pp;
		size_t pn;
		page_bytes(&pp, &pn, p);
		buf_add(&want, pp, pn);
	}
	ok(buf_read_file(&got, out, 1 << 20) == 0 && got.len == want.len && !memcmp(got.p, want.p, want.len),
	   "they are exactly pages 2-4 of the book (%zu bytes)", want.len);
	/* Each of the three keys in place of each other page's key of file 0: nothing opens. */
	int opened = 0, tried = 0;
	for (uint32_t j = 1; j <= 6; j++) {
		pages_request rj = request(A, j, j);
		unsigned sj;
		pages_grant gj;
		json_t *aj = serve(&sj, &rj, &a, NOW);
		int fj = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (sj == 200 && pages_grant_from_json(&gj, aj, A, &ROOT, j, j, CHAIN, &why) == 0) {
			ok(pages_write(S, fj, &ROOT, &gj) == 0, "page %u opens with its own key", j);
			for (size_t k = 0; k < 3; k++) {
				if (g.from + k == j)
					continue;
				memcpy(gj.keys, g.keys + 32 * k, 32);
				tried++;
				opened += pages_write(S, fj, &ROOT, &gj) == 0;
			}
			pages_grant_free(&gj);
		} else {
			opened += 100;
		}
		close(fj);
		json_decref(aj);
	}
	ok(opened == 0 && tried == 15, "no page key opens another page (%d tries)", tried);
	pages_grant_free(&g);
	json_decref(ans);

	/* Across the files: page 6 is file a's short last page, 7-8 are file b's. */
	r = request(A, 5, 8);
	ans = serve(&st, &r, &a, NOW);
	ok(st == 200 && pages_grant_from_json(&g, ans, A, &ROOT, 5, 8, CHAIN, &why) == 0, "pages 5-8, across the two files");
	ok(g.file[0] == 0 && g.file[1] == 0 && g.file[2] == 1 && g.segment[2] == 0 && g.segment[3] == 1,
	   "pages 5, 6 in file 0, 7, 8 in file 1");
	buf_reset(&want);
	buf_reset(&got);
	for (uint32_t p = 5; p <= 8; p++) {
		const uint8_t *pp;
		size_t pn;
		page_bytes(&pp, &pn, p);
		buf_add(&want, pp, pn);
	}
	ok(ftruncate(fd, 0) == 0 && lseek(fd, 0, SEEK_SET) == 0 && pages_write(S, fd, &ROOT, &g) == 0 &&
	   buf_read_file(&got, out, 1 << 20) == 0 && got.len == want.len && !memcmp(got.p, want.p, want.len),
	   "their plaintext is the two files' bytes (%zu)", want.len);
	pages_grant_free(&g);
	json_decref(ans);
	close(fd);
	free(out);
	buf_free(&got);
	buf_free(&want);

	/* Refusals. */
	pages_access x = member();
	x.until = 0;
	r = request(A, 1, 1);
	ans = serve(&st, &r, &x, NOW);
	ok(st == 403 && !strcmp(json_string_value(json_object_get(ans, "reason")), "not a member"), "not a member: 403");
	ok(!json_object_get(ans, "envelope") && !json_object_get(ans, "receipt"), "and no keys, no receipt");
	json_decref(ans);
	x.until = NOW;
	ans = serve(&st, &r, &x, NOW);
	ok(st == 403, "a membership that ends now: 403");
	json_decref(ans);
	x = member();
	x.category = 0;
	ans = serve(&st, &r, &x, NOW);
	ok(st == 403 && strstr(json_string_value(json_object_get(ans, "reason")), "not enrolled"), "not enrolled: 403");
	json_decref(ans);
	x = member();
	memset(x.book, 0, 32);
	ans = serve(&st, &r, &x, NOW);
	ok(st == 403, "no book on chain: 403");
	json_decref(ans);
	r = request(A, 8, 9);
	ans = serve(&st, &r, &a, NOW);
	ok(st == 404 && !strcmp(json_string_value(json_object_get(ans, "reason")), "the book has 8 pages"),
	   "pages 8-9 of 8: 404 '%s'", json_string_value(json_object_get(ans, "reason")));
	json_decref(ans);
	r = request(A, 8, 8);
	ans = serve(&st, &r, &a, NOW);
	ok(st == 200, "page 8 alone: 200");
	json_decref(ans);
	pages_request_make(&r, A, &other, 1, 1, NOW + 60) == 0 ? (void)0 : abort();
	ans = serve(&st, &r, &a, NOW);
	ok(st == 404, "a root without its key here: 404");
	json_decref(ans);
}

/* More books than the provider keeps: each still served, the first again after it gave way. */
static void test_many_books(void)
{
	enum { NB = PAGES_BOOKS + 3 };
	cid roots[NB];
	uint8_t *key = sodium_malloc(32);
	pages_access a = member();
	int added = 0, served = 0;
	for (int i = 0; i < NB; i++) {
		char text[3000];
		memset(text, 'a' + i % 26, sizeof(text));
		snprintf(text, 40, "book %d ", i);
		content_input in = {"p.txt", file_of((const uint8_t *)text, sizeof(text)), sizeof(text)};
		randombytes_buf(key, 32);
		added += content_add(S, &roots[i], NULL, NULL, NULL, key, &in, 1, PB, NULL, NULL) == 0 &&
			 content_key_save(&roots[i], key) == 0;
		close(in.fd);
	}
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < NB; i++) {
			pages_request r;
			const char *why;
			pages_grant g;
			unsigned st = 0;
			if (pages_request_make(&r, A, &roots[i], 2, 2, NOW + 60) < 0 || pages_request_verify(&r, NOW, &why) < 0)
				continue;
			json_t *ans = serve(&st, &r, &a, NOW);
			char *out = xasprintf("%s/many", tmp);
			int fd = open(out, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
			buf got = BUF_INIT;
			if (st == 200 && pages_grant_from_json(&g, ans, A, &roots[i], 2, 2, CHAIN, &why) == 0) {
				served += pages_write(S, fd, &roots[i], &g) == 0 && buf_read_file(&got, out, 1 << 16) == 0 &&
					  got.len == 3000 - PB && got.p[0] == 'a' + i % 26;
				pages_grant_free(&g);
			}
			buf_free(&got);
			close(fd);
			free(out);
			json_decref(ans);
		}
	ok(added == NB && served == 2 * NB, "%d books, each page 2 served twice around (%d of %d)", NB, served, 2 * NB);
	sodium_free(key);
}

/* The reader's checks of a provider's answer. */
static void test_grant_checks(void)
{
	unsigned st;
	const char *why = NULL;
	pages_access a = member();
	pages_request r = request(A, 2, 3);
	pages_grant g;
	json_t *ans = serve(&st, &r, &a, NOW);
	ok(st == 200 && pages_grant_from_json(&g, ans, A, &ROOT, 2, 3, CHAIN, &why) == 0, "an honest answer is taken");
	pages_grant_free(&g);
	ok(pages_grant_from_json(&g, ans, B, &ROOT, 2, 3, CHAIN, &why) < 0, "by another reader: refused (%s)", why);
	ok(pages_grant_from_json(&g, ans, A, &ROOT, 2, 4, CHAIN, &why) < 0, "for other pages: refused (%s)", why);
	ok(pages_grant_from_json(&g, ans, A, &ROOT, 2, 3, CHAIN + 1, &why) < 0, "on another chain: refused (%s)", why);
	struct {
		const char *key;
		json_t *v;
	} bad[] = {
	    {"period", json_integer(8)},
	    {"book", json_string("0x1111111111111111111111111111111111111111111111111111111111111111")},
	    {"server", json_string("0x2222222222222222222222222222222222222222")},
	    {"from", json_integer(1)},
	    {"root", json_string("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku")},
	    {"pages", json_array()},
	    {"envelope", json_string("0x00")},
	};
	int taken = 0;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		json_t *j = json_deep_copy(ans);
		json_object_set_new(j, bad[i].key, bad[i].v);
		if (pages_grant_from_json(&g, j, A, &ROOT, 2, 3, CHAIN, &why) == 0) {
			taken++;
			diagf("took an answer with another %s", bad[i].key);
			pages_grant_free(&g);
		}
		json_decref(j);
	}
	ok(taken == 0, "an answer with another period, book, server, range, root, pages or envelope is refused");
	/* A receipt the reader could forge (its own key) for the same pages. */
	uint8_t hash[32], digest[32], sig[65], reader[20];
	uint32_t p[] = {2, 3};
	char hex[133], ra[43];
	ok(secp_address_from_priv(reader, A) == 0, "reader");
	sub_receipt_hash(hash, CHAIN, reader, BOOK, 7, p, 2);
	msg_hash(digest, hash, 32);
	ok(msg_sign(sig, A, digest) == 0, "the reader signs a receipt itself");
	hex_encode(hex, sig, 65);
	hex_encode(ra, reader, 20);
	json_t *j = json_deep_copy(ans);
	json_object_set_new(j, "receipt", json_string(hex));
	ok(pages_grant_from_json(&g, j, A, &ROOT, 2, 3, CHAIN, &why) < 0, "its receipt under the server's name: refused");
	json_object_set_new(j, "server", json_string(ra));
	ok(pages_grant_from_json(&g, j, A, &ROOT, 2, 3, CHAIN, &why) == 0 && !memcmp(g.server, reader, 20),
	   "consistent in its own name, the client takes it (the contract refuses it: a reader cannot serve themselves)");
	pages_grant_free(&g);
	json_decref(j);
	/* A page entry pointing elsewhere: the client takes it, opening it fails. */
	j = json_deep_copy(ans);
	json_t *e = json_array_get(json_object_get(j, "pages"), 0);
	json_object_set_new(e, "segment", json_integer(3));
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	ok(pages_grant_from_json(&g, j, A, &ROOT, 2, 3, CHAIN, &why) == 0 && pages_write(S, fd, &ROOT, &g) < 0 &&
	   diag_status() == LST_EREFUSED, "a page said to be another segment fails authentication");
	pages_grant_free(&g);
	json_object_set_new(e, "segment", json_integer(1));
	json_object_set_new(e, "offset", json_integer(3));
	ok(pages_grant_from_json(&g, j, A, &ROOT, 2, 3, CHAIN, &why) == 0 && pages_write(S, fd, &ROOT, &g) < 0,
	   "a page at another offset fails");
	pages_grant_free(&g);
	close(fd);
	json_decref(j);
	json_decref(ans);
}

static void test_access_cache(void)
{
	pages_access a;
	uint8_t reader[20];
	ok(secp_address_from_priv(reader, A) == 0 && !pages_access_cached(&a, "http://127.0.0.1:1", reader, &ROOT, NOW),
	   "nothing remembered before asking");
	/* Nobody listens on port 1: an error, not remembered. */
	diag_set_quiet(true);
	ok(pages_access_ask(&a, "http://127.0.0.1:1", reader, &ROOT, NOW) < 0 && diag_status() == LST_EUNAVAIL,
	   "an unreachable node: LST_EUNAVAIL");
	ok(!pages_access_cached(&a, "http://127.0.0.1:1", reader, &ROOT, NOW), "and the failure is not remembered");
}

/*
 * ---- the gateway's route over a fake chain: pageAccess says member for
 * A, and for B from block 101 on (the fake chain is at 100 until told);
 * serverOwner names an owner for any server ----
 */

static char a_hex[41], b_hex[41];
static _Atomic uint64_t height = 100;
static _Atomic unsigned access_calls;

typedef struct {
	buf body;
} fake_conn;

static enum MHD_Result fake_chain(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *data, size_t *size, void **con_cls)
{
	fake_conn *k = *con_cls;
	if (!k) {
		*con_cls = xcalloc(1, sizeof(*k));
		return MHD_YES;
	}
	if (*size) {
		buf_add(&k->body, data, *size);
		*size = 0;
		return MHD_YES;
	}
	json_t *req = json_loadb(k->body.p ? (const char *)k->body.p : "", k->body.len, 0, NULL);
	if (!req) { /* not JSON-RPC (pagefetch asks it for a block): 200 with bytes that are no block */
		static char junk[] = "not the block you asked for";
		struct MHD_Response *r = MHD_create_response_from_buffer(strlen(junk), junk, MHD_RESPMEM_PERSISTENT);
		enum MHD_Result ret = MHD_queue_response(c, 200, r);
		MHD_destroy_response(r);
		return ret;
	}
	const char *m = json_string_value(json_object_get(req, "method"));
	const char *cd = json_string_value(json_object_get(json_array_get(json_object_get(req, "params"), 0), "data"));
	buf res = BUF_INIT;
	if (m && !strcmp(m, "eth_chainId")) {
		buf_addf(&res, "0x%x", CHAIN);
	} else if (m && !strcmp(m, "eth_blockNumber")) {
		buf_addf(&res, "0x%llx", (unsigned long long)height);
	} else if (m && !strcmp(m, "eth_call") && cd && !strncmp(cd, "0x1ea914fe", 10)) {
		access_calls++;
		bool yes = strstr(cd, a_hex) || (strstr(cd, b_hex) && height >= 101);
		char bk[67];
		hex_encode(bk, BOOK, 32);
		buf_addf(&res, "%s%064x%064x%064llx", bk, 2, 7, yes ? (unsigned long long)time(NULL) + 100 : 0ull);
	} else if (m && !strcmp(m, "eth_call") && cd && !strncmp(cd, "0x6a4f6662", 10)) {
		buf_addf(&res, "0x%064x", 0xabcd);
	}
	json_t *resp_j = res.len ? json_pack("{s:s,s:O,s:s}", "jsonrpc", "2.0", "id", json_object_get(req, "id"), "result",
					     (char *)res.p)
				 : json_pack("{s:s,s:O,s:{s:i,s:s}}", "jsonrpc", "2.0", "id", json_object_get(req, "id"),
					     "error", "code", -32601, "message", "no such method");
	buf_free(&res);
	char *text = json_dumps(resp_j, JSON_COMPACT);
	json_decref(resp_j);
	json_decref(req);
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(r, "Content-Type", "application/json");
	enum MHD_Result ret = MHD_queue_response(c, 200, r);
	MHD_destroy_response(r);
	return ret;
}

static void fake_done(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	fake_conn *k = *con_cls;
	if (k) {
		buf_free(&k->body);
		free(k);
		*con_cls = NULL;
	}
}

static void *reach_101(void *arg)
{
	struct timespec ts = {0, 500 * 1000000L};
	nanosleep(&ts, NULL);
	height = 101;
	return NULL;
}

/* POST body to gw's pages route for ROOT (or root_str), with hdrs: status and the answer. */
static long post(json_t **ans, const char *gw, const char *root_str, const char *body, const char *const *hdrs,
		 size_t nh, bool get)
{
	buf url = BUF_INIT, out = BUF_INIT;
	char err[256], cs[CID_STR_MAX];
	cid_str(cs, &ROOT);
	buf_addf(&url, "%s/lst/v1/pages/%s", gw, root_str ? root_str : cs);
	long status = 0;
	if (http_do(&out, &status, err, sizeof(err), (char *)url.p, hdrs, nh, get ? NULL : body,
		    get ? 0 : strlen(body), 1 << 20, 20000) < 0)
		status = -1;
	*ans = json_loadb((const char *)out.p, out.len, 0, NULL);
	buf_free(&url);
	buf_free(&out);
	return status;
}

static char *request_body(const uint8_t *priv, uint32_t from, uint32_t to, uint64_t exp)
{
	pages_request r;
	if (pages_request_make(&r, priv, &ROOT, from, to, exp) < 0)
		abort();
	json_t *j = pages_request_json(&r);
	char *t = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return t;
}

static void test_gateway(void)
{
	uint8_t aa[20], ba[20];
	char h[43], rpc[64], gw[128], *blocks = xasprintf("%s/blocks", tmp);
	json_t *ans = NULL;
	pages_grant g;
	char *from = NULL;
	if (secp_address_from_priv(aa, A) < 0 || secp_address_from_priv(ba, B) < 0)
		abort();
	hex_encode(h, aa, 20);
	snprintf(a_hex, sizeof(a_hex), "%s", h + 2);
	hex_encode(h, ba, 20);
	snprintf(b_hex, sizeof(b_hex), "%s", h + 2);
	struct MHD_Daemon *chain = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, fake_chain, NULL,
						    MHD_OPTION_NOTIFY_COMPLETED, fake_done, NULL, MHD_OPTION_END);
	const union MHD_DaemonInfo *info = chain ? MHD_get_daemon_info(chain, MHD_DAEMON_INFO_BIND_PORT) : NULL;
	snprintf(rpc, sizeof(rpc), "http://127.0.0.1:%u", info ? info->port : 0);
	rpcc_set_url(rpc);
	gateway_opts o;
	gateway_opts_init(&o);
	o.store_dir = blocks;
	o.home = tmp;
	o.rpc_url = rpc;
	gateway *gwy = NULL;
	ok(chain && gateway_start(&gwy, &o, "127.0.0.1:0", gw, sizeof(gw)) == 0, "a gateway over the book's home and a fake chain");
	if (!gwy)
		return;
	const char *peers[] = {gw};
	ok(pages_ask_any(&g, &from, A, peers, 1, NULL, &ROOT, 2, 3) == 0 && from && !strcmp(from, gw) && g.n == 2,
	   "the member gets pages 2-3 through the gateway");
	buf got = BUF_INIT, want = BUF_INIT;
	char *out = xasprintf("%s/gw-out", tmp);
	int fd = open(out, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	for (uint32_t p = 2; p <= 3; p++) {
		const uint8_t *pp;
		size_t pn;
		page_bytes(&pp, &pn, p);
		buf_add(&want, pp, pn);
	}
	ok(fd >= 0 && pages_write(S, fd, &ROOT, &g) == 0 && buf_read_file(&got, out, 1 << 20) == 0 &&
	   got.len == want.len && !memcmp(got.p, want.p, want.len), "and they open to the book's bytes");
	close(fd);
	free(out);

	/* A reader's empty store gets just these pages' blocks from the gateway (pagefetch.h). */
	char *rdir = xasprintf("%s/reader-blocks", tmp);
	bstore *rs = bstore_open(rdir);
	uint64_t nf = 0;
	buf_reset(&got);
	out = xasprintf("%s/gw-out2", tmp);
	fd = open(out, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ok(rs && pagefetch(rs, &nf, A, gw, 0, &ROOT, &g) == 0 && nf == 2 && bstore_has(rs, &ROOT) == 1,
	   "pagefetch: the root and the one block of file 0 (a file under 1 MiB is one leaf) into an empty store");
	ok(fd >= 0 && pages_write(rs, fd, &ROOT, &g) == 0 && buf_read_file(&got, out, 1 << 20) == 0 &&
	   got.len == want.len && !memcmp(got.p, want.p, want.len), "and the pages open from that store alone");
	ok(rs && pagefetch(rs, &nf, A, gw, 0, &ROOT, &g) == 0 && nf == 0, "fetched again: nothing more");
	close(fd);
	free(out);
	bstore_close(rs);
	free(rdir);
	/* A gateway that answers with other bytes than the block asked for: refused, nothing kept. */
	rdir = xasprintf("%s/reader-blocks-2", tmp);
	rs = bstore_open(rdir);
	diag_set_quiet(true);
	ok(rs && pagefetch(rs, &nf, A, rpc, 0, &ROOT, &g) < 0 && diag_status() == LST_EREFUSED && nf == 0 &&
	   bstore_has(rs, &ROOT) == 0, "pagefetch: a wrong block is refused (exit 4) and not stored");
	ok(rs && pagefetch(rs, &nf, A, "http://127.0.0.1:1", 0, &ROOT, &g) < 0 && diag_status() == LST_EUNAVAIL,
	   "pagefetch: an unreachable gateway is exit 5");
	diag_set_quiet(false);
	bstore_close(rs);
	free(rdir);

	buf_free(&got);
	buf_free(&want);
	pages_grant_free(&g);
	free(from);
	from = NULL;
	diag_set_quiet(true); /* pages_ask_any sets it back */
	ok(pages_ask_any(&g, &from, B, peers, 1, NULL, &ROOT, 2, 3) < 0 && diag_status() == LST_EREFUSED && !from,
	   "a non-member: refused (exit 4)");
	diag_set_quiet(true);
	ok(pages_ask_any(&g, &from, A, peers, 1, NULL, &ROOT, 8, 9) < 0 && diag_status() == LST_ENOTFOUND,
	   "past the last page: exit 3");

	/* By hand. */
	diag_set_quiet(true);
	uint64_t exp = (uint64_t)time(NULL) + 300;
	char *bb = request_body(B, 1, 1, exp), *ab = request_body(A, 1, 1, exp);
	ok(post(&ans, gw, NULL, bb, NULL, 0, false) == 403 &&
	   !strcmp(json_string_value(json_object_get(ans, "reason")), "not a member"), "B by hand: 403 not a member");
	json_decref(ans);
	ok(post(&ans, gw, NULL, ab, NULL, 0, true) == 405, "GET: 405");
	json_decref(ans);
	ok(post(&ans, gw, NULL, "{\"reader\":1}", NULL, 0, false) == 400 &&
	   !strcmp(json_string_value(json_object_get(ans, "error")), "invalid page request"), "junk: 400");
	json_decref(ans);
	ok(post(&ans, gw, "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku", ab, NULL, 0, false) == 400,
	   "a request for another root than the URL's: 400");
	json_decref(ans);
	ok(post(&ans, gw, "nope", ab, NULL, 0, false) == 400, "an invalid root: 400");
	json_decref(ans);

	/*
	 * X-Lst-Height: B subscribes in block 101 while the chain is at 100.
	 * B's "not a member" is remembered; with X-Lst-Height 101 the gateway
	 * asks again (the memory does not stand against it) until its node
	 * reaches 101, then serves.
	 */
	char hdr[64];
	snprintf(hdr, sizeof(hdr), "%s: 101", ACCESS_HEIGHT_HEADER);
	const char *hs[] = {hdr};
	pthread_t t;
	bool started = pthread_create(&t, NULL, reach_101, NULL) == 0;
	long st = post(&ans, gw, NULL, bb, hs, 1, false);
	ok(started && st == 200 && json_object_get(ans, "receipt"), "with X-Lst-Height 101 B waits for block 101 and is served");
	json_decref(ans);
	if (started)
		pthread_join(t, NULL);
	json_t *stats = NULL;
	buf sb = BUF_INIT;
	long ss = 0;
	char err[128], su[200];
	snprintf(su, sizeof(su), "%s/lst/v1/stats", gw);
	if (http_do(&sb, &ss, err, sizeof(err), su, NULL, 0, NULL, 0, 1 << 16, 10000) == 0)
		stats = json_loadb((const char *)sb.p, sb.len, 0, NULL);
	ok(json_integer_value(json_object_get(stats, "pages_served")) == 3, "stats: pages_served 3 (2 + 1)");
	json_decref(stats);
	buf_free(&sb);

	/* A chain that cannot be asked: 503, and nothing remembered from it. */
	gateway_stop(gwy);
	MHD_stop_daemon(chain);
	o.rpc_url = "http://127.0.0.1:1";
	ok(gateway_start(&gwy, &o, "127.0.0.1:0", gw, sizeof(gw)) == 0, "a gateway whose chain is unreachable");
	uint8_t c[32];
	secp_keygen(c);
	char *cb = request_body(c, 1, 1, exp);
	ok(post(&ans, gw, NULL, cb, NULL, 0, false) == 503 &&
	   !strcmp(json_string_value(json_object_get(ans, "error")), "cannot check membership"), "503 cannot check membership");
	json_decref(ans);
	gateway_stop(gwy);
	free(ab);
	free(bb);
	free(cb);
	free(blocks);
}

static int rm_fn(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

int main(void)
{
	if (sodium_init() < 0 || !mkdtemp(tmp))
		abort();
	diag_init("t-pages");
	diag_set_quiet(true);
	home_set(tmp);
	char *blocks = xasprintf("%s/blocks", tmp);
	S = bstore_open(blocks);
	free(blocks);
	secp_keygen(A);
	secp_keygen(B);
	secp_keygen(SERVE);
	memset(BOOK, 0xb0, 32);
	text_a = gen(len_a, true);
	text_b = gen(len_b, false);
	uint8_t *key = sodium_malloc(32);
	randombytes_buf(key, 32);
	content_input in[2] = {{"a.txt", file_of(text_a, len_a), len_a}, {"b.bin", file_of(text_b, len_b), len_b}};
	ok(S && content_add(S, &ROOT, NULL, NULL, NULL, key, in, 2, PB, NULL, NULL) == 0 &&
	   content_key_save(&ROOT, key) == 0, "a paged book of two files (6 + 2 pages), its key kept");
	close(in[0].fd);
	close(in[1].fd);
	sodium_free(key);
	test_requests();
	test_request_json();
	test_serve_key();
	test_provider();
	test_grant_checks();
	test_many_books();
	test_access_cache();
	test_gateway();
	bstore_close(S);
	free(text_a);
	free(text_b);
	nftw(tmp, rm_fn, 16, FTW_DEPTH | FTW_PHYS);
	return unit_done();
}
