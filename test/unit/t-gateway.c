/*
 * The gateway over HTTP (libcurl against gateway_start on 127.0.0.1:0):
 * trustless-gateway statuses and headers for raw and CAR, providers and
 * their gossip, stats, gating (denials, an unreachable chain, and a fake
 * chain that answers the market's hasAccess) and key envelopes,
 * super-seeding (busy answers to swarm requests); and the request parser
 * alone.
 */
#include "lst.h"
#include "unit.h"
#include "access.h"
#include "bstore.h"
#include "buf.h"
#include "car.h"
#include "cid.h"
#include "diag.h"
#include "gateway.h"
#include "hex.h"
#include "providers.h"
#include "seal.h"
#include "secp.h"
#include "unixfs.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <ftw.h>
#include <microhttpd.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- HTTP client ---- */

typedef struct {
	long status;
	buf body, headers;
	bool ok;
} resp;

static size_t on_body(char *d, size_t size, size_t n, void *ud)
{
	buf_add(ud, d, size * n);
	return size * n;
}

static void resp_free(resp *r)
{
	buf_free(&r->body);
	buf_free(&r->headers);
}

/* method "GET", "HEAD", "POST", ...; hdrs NULL-terminated. */
static void http(resp *r, const char *method, const char *url, const char *const *hdrs, const char *body)
{
	memset(r, 0, sizeof(*r));
	CURL *h = curl_easy_init();
	struct curl_slist *sl = NULL;
	for (size_t i = 0; hdrs && hdrs[i]; i++)
		sl = curl_slist_append(sl, hdrs[i]);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, sl);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &r->body);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &r->headers);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	if (!strcmp(method, "HEAD"))
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET"))
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	if (body) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	r->ok = curl_easy_perform(h) == CURLE_OK;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(sl);
	curl_easy_cleanup(h);
	buf_addc(&r->body, 0);
	r->body.len--;
}

/* A response header's value (first), or "" when absent; static storage. */
static const char *hdr(const resp *r, const char *name)
{
	static char out[512];
	size_t nl = strlen(name);
	out[0] = 0;
	for (const char *p = (const char *)r->headers.p; p && *p;) {
		const char *e = strstr(p, "\r\n");
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len > nl && p[nl] == ':' && !strncasecmp(p, name, nl)) {
			const char *v = p + nl + 1;
			while (*v == ' ')
				v++;
			size_t vl = len - (size_t)(v - p);
			snprintf(out, sizeof(out), "%.*s", (int)vl, v);
			return out;
		}
		p = e ? e + 2 : p + len;
	}
	return out;
}

static json_t *body_json(const resp *r)
{
	return json_loadb((const char *)r->body.p, r->body.len, 0, NULL);
}

static bool json_reason(const resp *r, const char *error, const char *reason_prefix)
{
	json_t *j = body_json(r);
	const char *e = json_string_value(json_object_get(j, "error"));
	const char *why = json_string_value(json_object_get(j, "reason"));
	bool yes = e && !strcmp(e, error) && (!reason_prefix || (why && !strncmp(why, reason_prefix, strlen(reason_prefix))));
	json_decref(j);
	return yes;
}

/*
 * ---- a fake chain: eth_call answers true when the calldata names the
 * buyer; canRead also for member_hex (a member of the book's subscription
 * category), hasAccess not; bookOf names a book for any root ----
 */

static char buyer_hex[41], member_hex[41];
/* The chain's height, and a buyer whose purchase is in block late_from (late_hex, 40 hex). */
static _Atomic uint64_t chain_height = 100, late_from;
static char late_hex[41];

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
	json_t *call = json_array_get(json_object_get(req, "params"), 0);
	const char *cd = json_string_value(json_object_get(call, "data"));
	const char *m = json_string_value(json_object_get(req, "method"));
	bool yes = cd && (strstr(cd, buyer_hex) || (late_hex[0] && strstr(cd, late_hex) && chain_height >= late_from) ||
			  (member_hex[0] && !strncmp(cd, "0xa7b88506", 10) && strstr(cd, member_hex)));
	if (cd && !strncmp(cd, "0xc75fefc3", 10)) /* bookOf(rootId) */
		yes = true;
	json_t *resp_j = json_pack("{s:s,s:O,s:s}", "jsonrpc", "2.0", "id", json_object_get(req, "id"), "result",
				   yes ? "0x0000000000000000000000000000000000000000000000000000000000000001"
				       : "0x0000000000000000000000000000000000000000000000000000000000000000");
	if (m && !strcmp(m, "eth_blockNumber")) {
		char hx[32];
		snprintf(hx, sizeof(hx), "0x%llx", (unsigned long long)chain_height);
		json_decref(resp_j);
		resp_j = json_pack("{s:s,s:O,s:s}", "jsonrpc", "2.0", "id", json_object_get(req, "id"), "result", hx);
	} else if (!m || strcmp(m, "eth_call")) {
		json_decref(resp_j);
		resp_j = json_pack("{s:s,s:O,s:{s:i,s:s}}", "jsonrpc", "2.0", "id", json_object_get(req, "id"), "error",
				   "code", -32601, "message", "no such method");
	}
	char *text = json_dumps(resp_j, JSON_COMPACT);
	json_decref(resp_j);
	json_decref(req);
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(r, "Content-Type", "application/json");
	enum MHD_Result ret = MHD_queue_response(c, 200, r);
	MHD_destroy_response(r);
	return ret;
}

/* The chain reaches block 101 a moment later. */
static void *advance_chain(void *arg)
{
	struct timespec ts = {0, 400 * 1000000L};
	nanosleep(&ts, NULL);
	chain_height = 101;
	return NULL;
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

/* ---- fixtures ---- */

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path) < 0 ? 0 : 0;
}

static char tmp[256], store[300], gw[128];
static bstore *bs;
static cid file_root, leaf0, dir_root, gated_root, gated_leaf, small_block, missing;
static size_t leaf0_len;

/* A file of size bytes: pseudo-random from seed, or (seed 0) a 256-byte pattern, so its chunks repeat. */
static int add_file(cid *root, size_t size, uint8_t seed)
{
	ufs_writer *w = ufs_writer_new(bs);
	uint8_t *chunk = xmalloc(1 << 16);
	uint64_t x = 0x9e3779b97f4a7c15ull * (seed + 1u);
	for (size_t done = 0; done < size;) {
		size_t n = size - done < (1 << 16) ? size - done : (1 << 16);
		for (size_t i = 0; i < n; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			chunk[i] = seed ? (uint8_t)x : (uint8_t)(done + i);
		}
		if (ufs_write(w, chunk, n) < 0) {
			free(chunk);
			ufs_writer_abort(w);
			return -1;
		}
		done += n;
	}
	free(chunk);
	uint64_t sz;
	return ufs_writer_finish(w, root, &sz, NULL, NULL);
}

/* The i-th link of a dag-pb node in the store, through a CAR-free route: dag_walk order. */
typedef struct {
	cid c[64];
	size_t n, len0;
} walk_list;

static int collect(void *arg, const cid *c, const uint8_t *data, size_t len)
{
	walk_list *w = arg;
	if (w->n < 64) {
		if (w->n == 1)
			w->len0 = len;
		w->c[w->n++] = *c;
	}
	return 0;
}

static char *url_of(const char *base, const char *fmt, ...) LST_PRINTF(2, 3);
static char *url_of(const char *base, const char *fmt, ...)
{
	va_list ap;
	char path[1024];
	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return xasprintf("%s%s", base, path);
}

static void get(resp *r, const char *method, const char *const *hdrs, const char *fmt, ...) LST_PRINTF(4, 5);
static void get(resp *r, const char *method, const char *const *hdrs, const char *fmt, ...)
{
	va_list ap;
	char path[1024];
	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	char *u = xasprintf("%s%s", gw, path);
	http(r, method, u, hdrs, NULL);
	free(u);
}

static uint64_t stat_of(const char *base, const char *key)
{
	resp r;
	char *u = url_of(base, "/lst/v1/stats");
	http(&r, "GET", u, NULL, NULL);
	free(u);
	json_t *j = body_json(&r);
	uint64_t v = (uint64_t)json_integer_value(json_object_get(j, key));
	json_decref(j);
	resp_free(&r);
	return v;
}

/* The blocks of a CAR body: roots[0] and the CIDs in order. -1 if it does not parse. */
static int car_blocks(const resp *r, cid *root, cid *out, size_t max, size_t *n)
{
	char path[400];
	snprintf(path, sizeof(path), "%s/x.car", tmp);
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	fwrite(r->body.p, 1, r->body.len, f);
	fclose(f);
	int fd = open(path, O_RDONLY);
	cid *roots = NULL;
	size_t nroots = 0;
	car_reader *cr = car_open(fd, &roots, &nroots);
	if (!cr) {
		close(fd);
		return -1;
	}
	if (nroots != 1) {
		free(roots);
		car_close(cr);
		close(fd);
		return -1;
	}
	*root = roots[0];
	free(roots);
	buf b = BUF_INIT;
	cid c;
	int k;
	*n = 0;
	while ((k = car_next(cr, &c, &b)) == 1)
		if (*n < max)
			out[(*n)++] = c;
	buf_free(&b);
	car_close(cr);
	close(fd);
	return k;
}

/* ---- super-seeding ---- */

static gateway *ss_start(unsigned window, char *url, size_t cap)
{
	gateway_opts o;
	gateway_opts_init(&o);
	o.store_dir = store;
	o.superseed_ms = window;
	gateway *g = NULL;
	if (gateway_start(&g, &o, "127.0.0.1:0", url, cap) < 0)
		diag_die(LST_EFAIL, "cannot start a gateway");
	return g;
}

static long ss_get(const char *base, const char *method, const cid *c, const char *swarm, const char *format, resp *keep)
{
	char cs[CID_STR_MAX], h[128];
	cid_str(cs, c);
	snprintf(h, sizeof(h), "X-Lst-Swarm: %s", swarm ? swarm : "");
	const char *hdrs[] = {h, NULL};
	char *u = url_of(base, "/ipfs/%s?format=%s", cs, format);
	resp r;
	http(&r, method, u, swarm ? hdrs : NULL, NULL);
	free(u);
	long st = r.ok ? r.status : -1;
	if (keep)
		*keep = r;
	else
		resp_free(&r);
	return st;
}

static void test_superseed(void)
{
	char u[128], us[128], uo[128];
	/* a window far longer than this test: no timing in what follows */
	gateway *g = ss_start(600000, u, sizeof(u));
	ok(ss_get(u, "GET", &leaf0, "1; id=a", "raw", NULL) == 200, "super-seeding: the first swarm request is served");
	resp r;
	long st = ss_get(u, "GET", &leaf0, "1; id=b", "raw", &r);
	char *end;
	unsigned long ra = strtoul(hdr(&r, "Retry-After"), &end, 10);
	unsigned long busy = strtoul(hdr(&r, "X-Lst-Busy"), &end, 10);
	ok(st == 503 && ra >= 1 && ra <= 600 && busy > 0 && busy <= 600000 && !*end,
	   "another swarm requester within the window: 503, Retry-After %lu, X-Lst-Busy %lu", ra, busy);
	ok(json_reason(&r, "busy", "served recently: ask other readers") &&
	   !strcmp(hdr(&r, "Cache-Control"), "no-store") && !strcmp(hdr(&r, "Content-Type"), "application/json"),
	   "the busy answer: JSON error and reason, not cached");
	resp_free(&r);
	ok(ss_get(u, "GET", &leaf0, "1", "raw", NULL) == 503, "a swarm requester without an id: 503 too");
	ok(ss_get(u, "GET", &leaf0, NULL, "raw", NULL) == 200, "no X-Lst-Swarm (an ordinary client): served");
	ok(ss_get(u, "GET", &leaf0, "0", "raw", NULL) == 200 && ss_get(u, "GET", &leaf0, "yes", "raw", NULL) == 200,
	   "X-Lst-Swarm other than 1: not a swarm request, served");
	ok(ss_get(u, "GET", &leaf0, "1; id=a", "raw", NULL) == 200, "the requester it was served to, asking again: served");
	ok(ss_get(u, "GET", &leaf0, "1; id=c", "raw", NULL) == 503, "the window is still the first serving's");
	ok(ss_get(u, "HEAD", &leaf0, "1; id=c", "raw", NULL) == 200 && ss_get(u, "GET", &leaf0, "1; id=c", "car", NULL) == 200,
	   "HEAD and CAR requests are never refused");
	ok(ss_get(u, "GET", &file_root, "1; id=a", "raw", NULL) == 200 &&
	   ss_get(u, "GET", &file_root, "1; id=b", "raw", NULL) == 200, "a non-raw block: never refused");
	ok(ss_get(u, "GET", &missing, "1; id=a", "raw", NULL) == 404 && ss_get(u, "GET", &missing, "1; id=b", "raw", NULL) == 404,
	   "a block not here: 404, not busy");
	ok(ss_get(u, "GET", &gated_leaf, "1; id=b", "raw", NULL) == 403, "a gated block without access: 403 before busy");
	cid leaf1;
	walk_list wl = {.n = 0};
	cid m;
	if (dag_walk(bs, &file_root, collect, &wl, &m) != 0 || wl.n < 3)
		diag_die(LST_EFAIL, "cannot walk the file");
	leaf1 = wl.c[2];
	ok(ss_get(u, "GET", &leaf1, "1; id=b", "raw", NULL) == 200, "another block: served to another requester");
	ok(ss_get(u, "GET", &leaf1, "1; id=a", "raw", NULL) == 503, "and refused to the first");
	ok(stat_of(u, "superseed_refused") == 4, "stats: superseed_refused counts the 4 busy answers");
	gateway_stop(g);

	/* off */
	g = ss_start(0, uo, sizeof(uo));
	ok(ss_get(uo, "GET", &leaf0, "1; id=a", "raw", NULL) == 200 && ss_get(uo, "GET", &leaf0, "1; id=b", "raw", NULL) == 200 &&
	   stat_of(uo, "superseed_refused") == 0, "superseed_ms 0: never refused");
	gateway_stop(g);

	/* a short window, slept past */
	g = ss_start(200, us, sizeof(us));
	ok(ss_get(us, "GET", &leaf0, "1; id=a", "raw", NULL) == 200, "short window: served");
	usleep(400 * 1000);
	ok(ss_get(us, "GET", &leaf0, "1; id=b", "raw", NULL) == 200, "after the window: served to another requester");
	gateway_stop(g);
}

static void test_parse(void)
{
	gw_request q;
	char err[200], cs[CID_STR_MAX], u[400];
	cid_str(cs, &file_root);
	snprintf(u, sizeof(u), "/ipfs/%s", cs);
	ok(gateway_parse_request(&q, u, "raw", NULL, NULL, NULL, err, sizeof(err)) == 200 && q.format == GW_RAW &&
	   cid_equal(&q.root, &file_root) && !q.path[0],
	   "parse: ?format=raw");
	ok(gateway_parse_request(&q, u, NULL, "application/vnd.ipld.car; version=1; order=dfs; dups=y", NULL, NULL,
				 err, sizeof(err)) == 200 &&
	   q.format == GW_CAR && q.dups,
	   "parse: Accept car with dups=y");
	ok(gateway_parse_request(&q, u, "raw", "application/vnd.ipld.car", NULL, NULL, err, sizeof(err)) == 200 &&
	   q.format == GW_CAR,
	   "parse: a specific Accept wins over ?format");
	ok(gateway_parse_request(&q, u, "car", "*/*", NULL, NULL, err, sizeof(err)) == 200 && q.format == GW_CAR,
	   "parse: a wildcard Accept does not override ?format");
	ok(gateway_parse_request(&q, u, NULL, "*/*", NULL, NULL, err, sizeof(err)) == 406, "parse: */* alone is 406");
	ok(gateway_parse_request(&q, u, NULL, "application/vnd.ipld.car;version=2", NULL, NULL, err, sizeof(err)) ==
	       406,
	   "parse: CAR version 2 is not acceptable");
	ok(gateway_parse_request(&q, u, NULL, "application/vnd.ipld.raw;q=0, application/vnd.ipld.car;q=0.5", NULL,
				 NULL, err, sizeof(err)) == 200 &&
	   q.format == GW_CAR,
	   "parse: q=0 excludes raw");
	ok(gateway_parse_request(&q, u, NULL, "application/vnd.ipld.car;q=0.2, application/vnd.ipld.raw;q=0.9", NULL,
				 NULL, err, sizeof(err)) == 200 &&
	   q.format == GW_RAW,
	   "parse: the higher q wins");
	ok(gateway_parse_request(&q, u, NULL, "text/html", NULL, NULL, err, sizeof(err)) == 406,
	   "parse: text/html is 406");
	ok(gateway_parse_request(&q, u, "tar", NULL, NULL, NULL, err, sizeof(err)) == 406, "parse: format=tar is 406");
	ok(gateway_parse_request(&q, "/ipfs/notacid", "raw", NULL, NULL, NULL, err, sizeof(err)) == 400,
	   "parse: invalid CID is 400 (%s)", err);
	ok(gateway_parse_request(&q, "/ipns/x", "raw", NULL, NULL, NULL, err, sizeof(err)) == 400, "parse: /ipns is 400");
	snprintf(u, sizeof(u), "/ipfs/%s/a/b/", cs);
	ok(gateway_parse_request(&q, u, "car", NULL, "entity", "0:*", err, sizeof(err)) == 200 &&
	   !strcmp(q.path, "a/b") && q.scope == GW_SCOPE_ENTITY && q.has_entity_bytes && q.entity_to == INT64_MAX,
	   "parse: a path, dag-scope=entity, entity-bytes=0:*");
	ok(gateway_parse_request(&q, u, "raw", NULL, NULL, NULL, err, sizeof(err)) == 400, "parse: raw with a path is 400");
	ok(gateway_parse_request(&q, u, "car", NULL, "most", NULL, err, sizeof(err)) == 400, "parse: bad dag-scope is 400");
	ok(gateway_parse_request(&q, u, "car", NULL, NULL, "5:2", err, sizeof(err)) == 400 &&
	   gateway_parse_request(&q, u, "car", NULL, NULL, "x:2", err, sizeof(err)) == 400 &&
	   gateway_parse_request(&q, u, "car", NULL, NULL, "-10:-1", err, sizeof(err)) == 200,
	   "parse: entity-bytes ranges");
	snprintf(u, sizeof(u), "/ipfs/%s/a/../b", cs);
	ok(gateway_parse_request(&q, u, "car", NULL, NULL, NULL, err, sizeof(err)) == 400, "parse: '..' is 400");
	snprintf(u, sizeof(u), "/ipfs/%s/a//b", cs);
	ok(gateway_parse_request(&q, u, "car", NULL, NULL, NULL, err, sizeof(err)) == 400, "parse: empty segment is 400");
	snprintf(u, sizeof(u), "/ipfs/%s/ab//", cs);
	ok(gateway_parse_request(&q, u, "car", NULL, NULL, NULL, err, sizeof(err)) == 400,
	   "parse: an empty last segment is 400");
}

static void test_raw(void)
{
	resp r;
	char cs[CID_STR_MAX], want[300];
	cid_str(cs, &leaf0);
	buf block = BUF_INIT;
	ok(bstore_get(bs, &block, &leaf0) == 0, "the first leaf is in the store");

	uint64_t up0 = stat_of(gw, "uploaded_bytes"), served0 = stat_of(gw, "blocks_served");
	get(&r, "GET", NULL, "/ipfs/%s?format=raw", cs);
	ok(r.status == 200 && r.body.len == block.len && !memcmp(r.body.p, block.p, block.len) &&
	   cid_check(&leaf0, r.body.p, r.body.len) == 0,
	   "raw: 200 with the block's bytes");
	ok(!strcmp(hdr(&r, "Content-Type"), "application/vnd.ipld.raw"), "raw: Content-Type");
	snprintf(want, sizeof(want), "%zu", block.len);
	ok(!strcmp(hdr(&r, "Content-Length"), want), "raw: Content-Length");
	ok(!strcmp(hdr(&r, "X-Content-Type-Options"), "nosniff"), "raw: nosniff");
	ok(!strcmp(hdr(&r, "Cache-Control"), "public, max-age=29030400, immutable"), "raw: Cache-Control");
	snprintf(want, sizeof(want), "\"%s.raw\"", cs);
	ok(!strcasecmp(hdr(&r, "Etag"), want), "raw: Etag \"{cid}.raw\"");
	snprintf(want, sizeof(want), "/ipfs/%s", cs);
	ok(!strcmp(hdr(&r, "X-Ipfs-Path"), want) && !strcmp(hdr(&r, "X-Ipfs-Roots"), cs), "raw: X-Ipfs-Path, X-Ipfs-Roots");
	snprintf(want, sizeof(want), "attachment; filename=\"%s.bin\"", cs);
	ok(!strcmp(hdr(&r, "Content-Disposition"), want), "raw: Content-Disposition attachment");
	ok(!strcmp(hdr(&r, "Vary"), "Accept"), "raw: Vary: Accept");
	resp_free(&r);
	ok(stat_of(gw, "uploaded_bytes") == up0 + block.len && stat_of(gw, "blocks_served") == served0 + 1,
	   "stats: uploaded_bytes grew by the block's size, blocks_served by one");

	const char *acc[] = {"Accept: application/vnd.ipld.raw", NULL};
	get(&r, "GET", acc, "/ipfs/%s", cs);
	ok(r.status == 200 && r.body.len == block.len, "raw via Accept: 200");
	resp_free(&r);

	get(&r, "HEAD", NULL, "/ipfs/%s?format=raw", cs);
	snprintf(want, sizeof(want), "%zu", block.len);
	ok(r.status == 200 && r.body.len == 0 && !strcmp(hdr(&r, "Content-Length"), want), "HEAD raw: 200, length, no body");
	resp_free(&r);

	snprintf(want, sizeof(want), "If-None-Match: \"%s.raw\"", cs);
	const char *inm[] = {want, NULL};
	get(&r, "GET", inm, "/ipfs/%s?format=raw", cs);
	ok(r.status == 304 && r.body.len == 0, "If-None-Match with the Etag: 304");
	resp_free(&r);

	get(&r, "GET", NULL, "/ipfs/bafkqaaa?format=raw");
	ok(r.status == 200 && r.body.len == 0, "identity probe bafkqaaa: 200, empty");
	resp_free(&r);
	get(&r, "GET", acc, "/ipfs/bafkqaaa");
	ok(r.status == 200 && r.body.len == 0, "identity probe with Accept: 200");
	resp_free(&r);

	get(&r, "GET", NULL, "/ipfs/bafyNOTVALID?format=raw");
	ok(r.status == 400 && json_reason(&r, "invalid CID 'bafyNOTVALID'", NULL), "invalid CID: 400 with JSON");
	resp_free(&r);
	cid_str(cs, &missing);
	get(&r, "GET", NULL, "/ipfs/%s?format=raw", cs);
	ok(r.status == 404, "a block not here: 404");
	resp_free(&r);
	const char *oic[] = {"Cache-Control: only-if-cached", NULL};
	get(&r, "HEAD", oic, "/ipfs/%s?format=raw", cs);
	ok(r.status == 412, "only-if-cached for a block not here: 412");
	resp_free(&r);
	cid_str(cs, &leaf0);
	get(&r, "GET", NULL, "/ipfs/%s", cs);
	ok(r.status == 406, "no format, no Accept: 406");
	resp_free(&r);
	get(&r, "GET", NULL, "/ipfs/%s?format=dag-json", cs);
	ok(r.status == 406, "an unsupported format: 406");
	resp_free(&r);
	char *u = url_of(gw, "/ipfs/%s?format=raw", cs);
	http(&r, "POST", u, NULL, "x");
	ok(r.status == 405 && strstr(hdr(&r, "Allow"), "GET"), "POST /ipfs/: 405 with Allow");
	resp_free(&r);
	http(&r, "DELETE", u, NULL, NULL);
	ok(r.status == 405, "DELETE /ipfs/: 405");
	resp_free(&r);
	free(u);
	buf_free(&block);
}

static void test_car(void)
{
	resp r;
	char cs[CID_STR_MAX], ds[CID_STR_MAX], want[400];
	cid root, got[64];
	size_t n;
	walk_list wl = {.n = 0};
	cid missing_c;
	ok(dag_walk(bs, &file_root, collect, &wl, &missing_c) == 0 && wl.n == 4, "the file's DAG: a node and 3 leaves");
	cid_str(cs, &file_root);

	get(&r, "GET", NULL, "/ipfs/%s?format=car", cs);
	ok(r.status == 200 && !strcmp(hdr(&r, "Content-Type"), "application/vnd.ipld.car; version=1; order=dfs; dups=n"),
	   "car: 200, Content-Type with version, order, dups");
	ok(!strcmp(hdr(&r, "Accept-Ranges"), "none") && !strcmp(hdr(&r, "X-Content-Type-Options"), "nosniff") &&
	   !strcmp(hdr(&r, "Cache-Control"), "public, max-age=29030400, immutable") && !strcmp(hdr(&r, "Vary"), "Accept"),
	   "car: Accept-Ranges none, nosniff, Cache-Control, Vary");
	snprintf(want, sizeof(want), "W/\"%s.car.", cs);
	ok(!strncmp(hdr(&r, "Etag"), want, strlen(want)), "car: a weak Etag {cid}.car.{hash}");
	snprintf(want, sizeof(want), "attachment; filename=\"%s.car\"", cs);
	ok(!strcmp(hdr(&r, "Content-Disposition"), want), "car: Content-Disposition");
	int k = car_blocks(&r, &root, got, 64, &n);
	bool same = k == 0 && n == wl.n;
	for (size_t i = 0; same && i < n; i++)
		same = cid_equal(&got[i], &wl.c[i]);
	ok(k == 0 && cid_equal(&root, &file_root), "car: parses, every block checks, root is the file");
	ok(same, "car: the DAG's blocks in depth-first order (as dag_walk)");
	resp_free(&r);

	/* A file whose three chunks are the same block. */
	cid rep;
	char rs[CID_STR_MAX];
	ok(add_file(&rep, 3 * UFS_CHUNK, 0) == 0, "a file of three equal chunks");
	cid_str(rs, &rep);
	const char *acc[] = {"Accept: application/vnd.ipld.car; version=1; order=dfs; dups=y", NULL};
	get(&r, "GET", acc, "/ipfs/%s", rs);
	ok(r.status == 200 && strstr(hdr(&r, "Content-Type"), "dups=y") && car_blocks(&r, &root, got, 64, &n) == 0 &&
	   n == 4 && cid_equal(&got[1], &got[2]) && cid_equal(&got[2], &got[3]),
	   "car via Accept with dups=y: the repeated leaf three times");
	resp_free(&r);
	get(&r, "GET", NULL, "/ipfs/%s?format=car", rs);
	ok(r.status == 200 && strstr(hdr(&r, "Content-Type"), "dups=n") && car_blocks(&r, &root, got, 64, &n) == 0 &&
	   n == 2,
	   "car with dups=n: the repeated leaf once");
	resp_free(&r);

	get(&r, "GET", NULL, "/ipfs/%s?format=car&dag-scope=block", cs);
	ok(r.status == 200 && car_blocks(&r, &root, got, 64, &n) == 0 && n == 1 && cid_equal(&got[0], &file_root),
	   "car dag-scope=block: the root block alone");
	resp_free(&r);

	get(&r, "HEAD", NULL, "/ipfs/%s?format=car", cs);
	ok(r.status == 200 && r.body.len == 0 && strstr(hdr(&r, "Content-Type"), "vnd.ipld.car"), "HEAD car: 200, no body");
	resp_free(&r);

	cid_str(ds, &dir_root);
	get(&r, "GET", NULL, "/ipfs/%s/book.bin?format=car", ds);
	snprintf(want, sizeof(want), "%s,%s", ds, cs);
	ok(r.status == 200 && !strcmp(hdr(&r, "X-Ipfs-Roots"), want), "car with a path: X-Ipfs-Roots names each step");
	snprintf(want, sizeof(want), "/ipfs/%s/book.bin", ds);
	ok(!strcmp(hdr(&r, "X-Ipfs-Path"), want), "car with a path: X-Ipfs-Path");
	ok(car_blocks(&r, &root, got, 64, &n) == 0 && cid_equal(&root, &dir_root) && n == 5 &&
	   cid_equal(&got[0], &dir_root) && cid_equal(&got[1], &file_root),
	   "car with a path: the directory, then the file's DAG");
	resp_free(&r);

	get(&r, "GET", NULL, "/ipfs/%s?format=car&dag-scope=entity", ds);
	ok(r.status == 200 && car_blocks(&r, &root, got, 64, &n) == 0 && n == 1, "car dag-scope=entity of a directory: its block");
	resp_free(&r);
	get(&r, "GET", NULL, "/ipfs/%s?format=car&dag-scope=all", ds);
	ok(r.status == 200 && car_blocks(&r, &root, got, 64, &n) == 0 && n == 5, "car dag-scope=all of a directory: 5 blocks");
	resp_free(&r);
	get(&r, "GET", NULL, "/ipfs/%s/nothing?format=car", ds);
	ok(r.status == 404, "car with a path that is not there: 404");
	resp_free(&r);
	cid_str(cs, &missing);
	get(&r, "GET", NULL, "/ipfs/%s?format=car", cs);
	ok(r.status == 404, "car of a root not here: 404");
	resp_free(&r);
}

static void make_record(prov_record *r, const uint8_t priv[32], const cid *root, uint64_t expires)
{
	memset(r, 0, sizeof(*r));
	if (secp_address_from_priv(r->addr, priv) < 0)
		return;
	snprintf(r->url, sizeof(r->url), "http://127.0.0.1:7");
	r->root = *root;
	r->complete = true;
	r->expires = expires;
}

static char *record_text(const prov_record *r)
{
	json_t *j = prov_record_json(r);
	char *t = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return t;
}

/* A lying peer: whatever providers list is asked for, it answers lie_body. */
static char *lie_body;

static enum MHD_Result lying_peer(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *data, size_t *size, void **con_cls)
{
	const char *b = lie_body ? lie_body : "[]";
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(b), (void *)b, MHD_RESPMEM_MUST_COPY);
	MHD_add_response_header(r, "Content-Type", "application/json");
	enum MHD_Result ret = MHD_queue_response(c, 200, r);
	MHD_destroy_response(r);
	return ret;
}

static size_t providers_at(const char *base, const cid *root)
{
	char cs[CID_STR_MAX];
	resp r;
	cid_str(cs, root);
	char *u = url_of(base, "/lst/v1/providers/%s", cs);
	http(&r, "GET", u, NULL, NULL);
	free(u);
	json_t *j = body_json(&r);
	size_t n = r.status == 200 && json_is_array(j) ? json_array_size(j) : (size_t)-1;
	json_decref(j);
	resp_free(&r);
	return n;
}

static void test_providers(const gateway_opts *base)
{
	uint8_t priv[32];
	prov_record rec;
	resp r;
	secp_keygen(priv);
	make_record(&rec, priv, &file_root, (uint64_t)time(NULL) + 600);
	ok(prov_record_sign(&rec, priv) == 0, "a signed provider record");
	char *text = record_text(&rec), *u = url_of(gw, "/lst/v1/providers");
	const char *ct[] = {"Content-Type: application/json", NULL};
	http(&r, "POST", u, ct, text);
	json_t *j = body_json(&r);
	ok(r.status == 200 && json_is_true(json_object_get(j, "ok")) && json_is_true(json_object_get(j, "new")),
	   "POST providers: 200 {ok, new: true}");
	json_decref(j);
	resp_free(&r);
	http(&r, "POST", u, ct, text);
	j = body_json(&r);
	ok(r.status == 200 && json_is_false(json_object_get(j, "new")), "the same again: new false");
	json_decref(j);
	resp_free(&r);
	ok(providers_at(gw, &file_root) == 1, "GET providers/{root}: one record");
	ok(providers_at(gw, &dir_root) == 0, "another root: none");
	http(&r, "POST", u, ct, "{not json");
	ok(r.status == 400 && json_reason(&r, "invalid record", "not JSON"), "POST junk: 400 with a reason");
	resp_free(&r);
	rec.sig[3] ^= 1;
	char *forged = record_text(&rec);
	http(&r, "POST", u, ct, forged);
	ok(r.status == 400 && json_reason(&r, "invalid record", NULL), "POST a forged record: 400");
	resp_free(&r);
	free(forged);
	char *big = xmalloc((1 << 20) + 100);
	memset(big, ' ', (1 << 20) + 99);
	big[(1 << 20) + 99] = 0;
	http(&r, "POST", u, ct, big);
	ok(r.status == 413, "POST over 1 MiB: 413");
	resp_free(&r);
	free(big);
	free(text);
	char *gu = url_of(gw, "/lst/v1/providers/bafyNOT");
	http(&r, "GET", gu, NULL, NULL);
	ok(r.status == 400, "GET providers/{bad root}: 400");
	resp_free(&r);
	free(gu);
	free(u);

	/* Gossip: B peers A; a record posted to B reaches A. */
	gateway_opts ob = *base;
	const char *peers[] = {gw};
	char burl[128];
	ob.peers = peers;
	ob.npeers = 1;
	gateway *b = NULL;
	ok(gateway_start(&b, &ob, "127.0.0.1:0", burl, sizeof(burl)) == 0, "a second gateway B that peers A");
	make_record(&rec, priv, &dir_root, (uint64_t)time(NULL) + 600);
	ok(prov_record_sign(&rec, priv) == 0, "a record for another root");
	text = record_text(&rec);
	u = url_of(burl, "/lst/v1/providers");
	http(&r, "POST", u, ct, text);
	ok(r.status == 200, "posted to B");
	resp_free(&r);
	free(u);
	free(text);
	size_t at_a = 0;
	for (int i = 0; i < 200 && at_a == 0; i++) {
		at_a = providers_at(gw, &dir_root);
		if (!at_a) {
			struct timespec ts = {0, 50 * 1000000L};
			nanosleep(&ts, NULL);
		}
	}
	ok(at_a == 1 && providers_at(burl, &dir_root) == 1, "B gossiped it to A");

	/*
	 * Pull: file_root's record was posted to A before B existed, so B's
	 * registry lacks it. A peer's lookup (X-Lst-Peer) is answered from B's
	 * registry alone; a reader's lookup pulls A's records first.
	 */
	char cs[CID_STR_MAX];
	cid_str(cs, &file_root);
	gu = url_of(burl, "/lst/v1/providers/%s", cs);
	const char *as_peer[] = {"X-Lst-Peer: http://127.0.0.1:9", NULL};
	http(&r, "GET", gu, as_peer, NULL);
	j = body_json(&r);
	ok(r.status == 200 && json_is_array(j) && json_array_size(j) == 0,
	   "pull: a peer's lookup at B is answered from B's registry (none)");
	json_decref(j);
	resp_free(&r);
	http(&r, "GET", gu, NULL, NULL);
	j = body_json(&r);
	ok(r.status == 200 && json_array_size(j) == 1 &&
		   !strcmp(json_string_value(json_object_get(json_array_get(j, 0), "root")), cs),
	   "pull: a reader's lookup at B pulls A's record of the root");
	json_decref(j);
	resp_free(&r);
	http(&r, "GET", gu, as_peer, NULL);
	j = body_json(&r);
	ok(json_array_size(j) == 1, "pull: B keeps the pulled record");
	json_decref(j);
	resp_free(&r);
	free(gu);
	gateway_stop(b);

	/*
	 * A lying peer answers a pull with a valid record of another root, a
	 * forged record of this root, and junk: none is taken.
	 */
	prov_record other_root, forged_rec;
	make_record(&other_root, priv, &dir_root, (uint64_t)time(NULL) + 600);
	make_record(&forged_rec, priv, &gated_root, (uint64_t)time(NULL) + 600);
	bool signed_ok = prov_record_sign(&other_root, priv) == 0 && prov_record_sign(&forged_rec, priv) == 0;
	forged_rec.sig[5] ^= 1;
	char *t1 = record_text(&other_root), *t2 = record_text(&forged_rec);
	lie_body = xasprintf("[%s,%s,{\"url\":1},7]", t1, t2);
	free(t1);
	free(t2);
	struct MHD_Daemon *liar = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, lying_peer, NULL,
						   MHD_OPTION_END);
	const union MHD_DaemonInfo *li = liar ? MHD_get_daemon_info(liar, MHD_DAEMON_INFO_BIND_PORT) : NULL;
	char liar_url[64];
	snprintf(liar_url, sizeof(liar_url), "http://127.0.0.1:%u", li ? li->port : 0);
	const char *liars[] = {liar_url};
	ob.peers = liars;
	ok(signed_ok && liar && gateway_start(&b, &ob, "127.0.0.1:0", burl, sizeof(burl)) == 0,
	   "a gateway whose peer lies");
	ok(providers_at(burl, &gated_root) == 0, "pull: a forged record, another root's record and junk are not taken");
	/* (asked as a peer, so B answers from its registry without pulling) */
	cid_str(cs, &dir_root);
	gu = url_of(burl, "/lst/v1/providers/%s", cs);
	http(&r, "GET", gu, as_peer, NULL);
	j = body_json(&r);
	ok(r.status == 200 && json_is_array(j) && json_array_size(j) == 0,
	   "... nor kept for the other root it named");
	json_decref(j);
	resp_free(&r);
	free(gu);
	cid_str(cs, &file_root);
	gateway_stop(b);
	if (liar)
		MHD_stop_daemon(liar);
	free(lie_body);
	lie_body = NULL;

	/* A pull from a peer that cannot be reached answers with what is known. */
	const char *gone[] = {"http://127.0.0.1:9"};
	ob.peers = gone;
	ok(gateway_start(&b, &ob, "127.0.0.1:0", burl, sizeof(burl)) == 0, "a gateway whose peer is down");
	gu = url_of(burl, "/lst/v1/providers/%s", cs);
	http(&r, "GET", gu, NULL, NULL);
	j = body_json(&r);
	ok(r.status == 200 && json_is_array(j) && json_array_size(j) == 0, "pull from a peer that is down: 200, none");
	json_decref(j);
	resp_free(&r);
	free(gu);
	gateway_stop(b);
}

static void proof_header(char out[ACCESS_STR_MAX + 32], const uint8_t priv[32], const cid *root, uint64_t expires)
{
	access_proof p;
	char s[ACCESS_STR_MAX];
	if (access_proof_make(&p, priv, root, expires) < 0) {
		out[0] = 0;
		return;
	}
	access_proof_str(s, &p);
	snprintf(out, ACCESS_STR_MAX + 32, "X-Lst-Access: %s", s);
}

static void test_gating(const gateway_opts *base)
{
	resp r;
	char gs[CID_STR_MAX], ls[CID_STR_MAX], fs[CID_STR_MAX], h[ACCESS_STR_MAX + 32];
	uint8_t buyer[32], other[32];
	uint64_t now = (uint64_t)time(NULL);
	secp_keygen(buyer);
	secp_keygen(other);
	cid_str(gs, &gated_root);
	cid_str(ls, &gated_leaf);
	cid_str(fs, &file_root);
	uint64_t denied0 = stat_of(gw, "denied");

	get(&r, "GET", NULL, "/ipfs/%s?format=raw", gs);
	json_t *j = body_json(&r);
	ok(r.status == 403 && json_reason(&r, "access denied", "access proof required") &&
	   !strcmp(json_string_value(json_object_get(j, "root")) ? json_string_value(json_object_get(j, "root")) : "", gs),
	   "gated root without a proof: 403 {access denied, access proof required, root}");
	json_decref(j);
	resp_free(&r);
	get(&r, "GET", NULL, "/ipfs/%s?format=raw", ls);
	ok(r.status == 403 && json_reason(&r, "access denied", "access proof required"), "a leaf of a gated root: 403");
	resp_free(&r);
	get(&r, "HEAD", NULL, "/ipfs/%s?format=raw", ls);
	ok(r.status == 403, "HEAD of a gated leaf: 403");
	resp_free(&r);
	get(&r, "GET", NULL, "/ipfs/%s?format=car", gs);
	ok(r.status == 403, "CAR of a gated root: 403");
	resp_free(&r);
	get(&r, "GET", NULL, "/ipfs/%s?format=raw", fs);
	ok(r.status == 200, "a public root still goes to anyone");
	resp_free(&r);

	const char *junk[] = {"X-Lst-Access: 0x12.34.56.78", NULL};
	get(&r, "GET", junk, "/ipfs/%s?format=raw", ls);
	ok(r.status == 403 && json_reason(&r, "access denied", "bad access proof: "), "an unparsable proof: 403 bad access proof");
	resp_free(&r);
	proof_header(h, buyer, &gated_root, now - 10);
	const char *expired[] = {h, NULL};
	get(&r, "GET", expired, "/ipfs/%s?format=raw", ls);
	ok(r.status == 403 && json_reason(&r, "access denied", "bad access proof: "), "an expired proof: 403 bad access proof");
	resp_free(&r);
	proof_header(h, buyer, &file_root, now + 600);
	const char *wrong_root[] = {h, NULL};
	get(&r, "GET", wrong_root, "/ipfs/%s?format=raw", ls);
	ok(r.status == 403 && json_reason(&r, "access denied", "bad access proof: it is for another root"),
	   "a proof for another root: 403");
	resp_free(&r);
	proof_header(h, buyer, &gated_root, now + 600);
	char *tampered = xstrdup(h);
	tampered[strlen(tampered) - 3] = tampered[strlen(tampered) - 3] == 'a' ? 'b' : 'a';
	const char *bad_sig[] = {tampered, NULL};
	get(&r, "GET", bad_sig, "/ipfs/%s?format=raw", ls);
	ok(r.status == 403 && json_reason(&r, "access denied", "bad access proof: "), "a tampered signature: 403");
	resp_free(&r);
	free(tampered);
	const char *good[] = {h, NULL};
	get(&r, "GET", good, "/ipfs/%s?format=raw", ls);
	ok(r.status == 503 && json_reason(&r, "cannot check purchase", NULL), "a valid proof, chain unreachable: 503");
	resp_free(&r);
	ok(stat_of(gw, "denied") >= denied0 + 8, "stats: denials counted");

	/* Key envelopes. */
	get(&r, "GET", good, "/lst/v1/key/%s", fs);
	ok(r.status == 404 && json_reason(&r, "no key for this root here", NULL), "key of a root with no key here: 404 JSON");
	resp_free(&r);
	get(&r, "GET", NULL, "/lst/v1/key/%s", gs);
	ok(r.status == 403 && json_reason(&r, "access denied", "access proof required"), "key without a proof: 403");
	resp_free(&r);
	get(&r, "GET", good, "/lst/v1/key/%s", gs);
	ok(r.status == 503, "key with a proof, chain unreachable: 503");
	resp_free(&r);
	get(&r, "GET", NULL, "/lst/v1/key/nope");
	ok(r.status == 400, "key of an invalid CID: 400");
	resp_free(&r);

	/* A fake chain that says yes for the buyer only. */
	uint8_t baddr[20];
	if (secp_address_from_priv(baddr, buyer) < 0)
		return;
	char bh[43];
	hex_encode(bh, baddr, 20);
	snprintf(buyer_hex, sizeof(buyer_hex), "%s", bh + 2);
	struct MHD_Daemon *chain = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, fake_chain, NULL,
						    MHD_OPTION_NOTIFY_COMPLETED, fake_done, NULL, MHD_OPTION_END);
	const union MHD_DaemonInfo *info = chain ? MHD_get_daemon_info(chain, MHD_DAEMON_INFO_BIND_PORT) : NULL;
	char rpc[64], curl_[128];
	snprintf(rpc, sizeof(rpc), "http://127.0.0.1:%u", info ? info->port : 0);
	gateway_opts oc = *base;
	oc.rpc_url = rpc;
	gateway *c = NULL;
	ok(chain && gateway_start(&c, &oc, "127.0.0.1:0", curl_, sizeof(curl_)) == 0, "a gateway C over a fake chain");
	char *u = url_of(curl_, "/ipfs/%s?format=raw", ls);
	http(&r, "GET", u, good, NULL);
	buf leaf = BUF_INIT;
	ok(r.status == 200 && bstore_get(bs, &leaf, &gated_leaf) == 0 && r.body.len == leaf.len &&
	   !memcmp(r.body.p, leaf.p, leaf.len),
	   "the buyer gets a gated leaf");
	buf_free(&leaf);
	resp_free(&r);
	http(&r, "GET", u, good, NULL);
	ok(r.status == 200, "again (remembered)");
	resp_free(&r);
	free(u);
	u = url_of(curl_, "/ipfs/%s?format=car", gs);
	http(&r, "GET", u, good, NULL);
	cid root, got[64];
	size_t n;
	ok(r.status == 200 && car_blocks(&r, &root, got, 64, &n) == 0 && n == 4, "the buyer gets the gated root's CAR");
	resp_free(&r);
	char ho[ACCESS_STR_MAX + 32];
	proof_header(ho, other, &gated_root, now + 600);
	const char *other_h[] = {ho, NULL};
	http(&r, "GET", u, other_h, NULL);
	ok(r.status == 403 && json_reason(&r, "access denied", "not purchased"), "someone else: 403 not purchased");
	resp_free(&r);
	free(u);
	proof_header(h, buyer, &gated_root, now + 600);
	u = url_of(curl_, "/lst/v1/key/%s", gs);
	http(&r, "GET", u, good, NULL);
	j = body_json(&r);
	const char *env = json_string_value(json_object_get(j, "envelope"));
	uint8_t *sealed = NULL, opened[32], want_key[32];
	size_t slen = 0;
	ok(r.status == 200 && env && hex_decode_alloc(&sealed, &slen, env) == 0 && slen == 32 + SEAL_OVERHEAD &&
	   seal_open(opened, buyer, sealed, slen) == 0 && hex_decode(want_key, 32, "0x" "11223344556677889900aabbccddeeff"
										  "11223344556677889900aabbccddeeff") == 0 &&
	   !memcmp(opened, want_key, 32),
	   "the buyer's key envelope opens to the content key");
	ok(seal_open(opened, other, sealed ? sealed : (uint8_t *)"", slen) < 0, "nobody else can open it");
	ok(!strcasecmp(json_string_value(json_object_get(j, "address")) ? json_string_value(json_object_get(j, "address")) : "", bh),
	   "the envelope names the buyer's address");
	free(sealed);
	json_decref(j);
	resp_free(&r);
	http(&r, "GET", u, other_h, NULL);
	ok(r.status == 403 && json_reason(&r, "access denied", "not purchased"), "no envelope for someone else");
	resp_free(&r);
	free(u);

	/* A member of the book's category (canRead, not hasAccess): the blocks, never the key. */
	uint8_t member[32], maddr[20];
	char mh[43], hm[ACCESS_STR_MAX + 32];
	secp_keygen(member);
	if (secp_address_from_priv(maddr, member) < 0)
		return;
	hex_encode(mh, maddr, 20);
	snprintf(member_hex, sizeof(member_hex), "%s", mh + 2);
	proof_header(hm, member, &gated_root, now + 600);
	const char *member_h[] = {hm, NULL};
	u = url_of(curl_, "/ipfs/%s?format=raw", ls);
	http(&r, "GET", u, member_h, NULL);
	ok(r.status == 200, "a member gets a gated leaf");
	resp_free(&r);
	free(u);
	u = url_of(curl_, "/lst/v1/key/%s", gs);
	http(&r, "GET", u, member_h, NULL);
	ok(r.status == 403 && json_reason(&r, "access denied", "not purchased") && !strstr((char *)r.body.p, "envelope"),
	   "but no key envelope: 403 not purchased");
	resp_free(&r);
	http(&r, "GET", u, member_h, NULL);
	ok(r.status == 403, "again (the leaf's yes is not remembered for the key)");
	resp_free(&r);
	free(u);
	member_hex[0] = 0;

	/*
	 * X-Lst-Height: "other" buys in block 101 while this node is at 100. A
	 * request naming height 100 (or none) is refused at once; one naming
	 * 101 waits for the node to reach it and is served; a height the node
	 * never reaches does not open anything.
	 */
	uint8_t oaddr[20];
	char oh[43], hdr100[64], hdr101[64], hdr999[64];
	if (secp_address_from_priv(oaddr, other) < 0)
		return;
	hex_encode(oh, oaddr, 20);
	late_from = 101;
	snprintf(late_hex, sizeof(late_hex), "%s", oh + 2);
	snprintf(hdr100, sizeof(hdr100), "%s: 100", ACCESS_HEIGHT_HEADER);
	snprintf(hdr101, sizeof(hdr101), "%s: 101", ACCESS_HEIGHT_HEADER);
	snprintf(hdr999, sizeof(hdr999), "%s: 999", ACCESS_HEIGHT_HEADER);
	u = url_of(curl_, "/ipfs/%s?format=raw", ls);
	const char *at100[] = {ho, hdr100, NULL}, *at101[] = {ho, hdr101, NULL};
	http(&r, "GET", u, other_h, NULL);
	ok(r.status == 403 && json_reason(&r, "access denied", "not purchased"),
	   "a purchase in a block the node has not reached: 403 without X-Lst-Height");
	resp_free(&r);
	http(&r, "GET", u, at100, NULL);
	ok(r.status == 403, "... and with a height the node has reached (100)");
	resp_free(&r);
	pthread_t t;
	bool started = pthread_create(&t, NULL, advance_chain, NULL) == 0;
	http(&r, "GET", u, at101, NULL);
	ok(started && r.status == 200, "with X-Lst-Height 101 the gateway waits for block 101 and serves the buyer");
	resp_free(&r);
	if (started)
		pthread_join(t, NULL);
	char hs[ACCESS_STR_MAX + 32];
	uint8_t stranger[32];
	secp_keygen(stranger);
	proof_header(hs, stranger, &gated_root, now + 600);
	const char *at999[] = {hs, hdr999, NULL};
	http(&r, "GET", u, at999, NULL);
	ok(r.status == 403 && json_reason(&r, "access denied", "not purchased"),
	   "a height the node never reaches: asked again, then 403");
	resp_free(&r);
	free(u);
	late_hex[0] = 0;
	gateway_stop(c);
	MHD_stop_daemon(chain);

	/* Gating off: everything to anyone. */
	gateway_opts oo = *base;
	oo.gate = false;
	char ourl[128];
	gateway *off = NULL;
	ok(gateway_start(&off, &oo, "127.0.0.1:0", ourl, sizeof(ourl)) == 0, "a gateway with gating off");
	u = url_of(ourl, "/ipfs/%s?format=raw", ls);
	http(&r, "GET", u, NULL, NULL);
	ok(r.status == 200, "gate off: a gated leaf goes to anyone");
	resp_free(&r);
	free(u);
	u = url_of(ourl, "/lst/v1/key/%s", gs);
	http(&r, "GET", u, NULL, NULL);
	ok(r.status == 403, "gate off: key envelopes are still checked");
	resp_free(&r);
	free(u);
	gateway_stop(off);
}

/* Roots marked while the gateway runs, and blocks that arrive after the mark. */
static void test_gating_live(void)
{
	resp r;
	char cs[CID_STR_MAX], ls[CID_STR_MAX];
	cid late;
	ok(add_file(&late, 2 * UFS_CHUNK + 7, 99) == 0, "another file");
	walk_list wl = {.n = 0};
	cid m;
	ok(dag_walk(bs, &late, collect, &wl, &m) == 0 && wl.n == 4, "its DAG");
	cid_str(cs, &late);
	cid_str(ls, &wl.c[2]);
	get(&r, "GET", NULL, "/ipfs/%s?format=raw", ls);
	ok(r.status == 200, "public before it is marked");
	resp_free(&r);
	ok(gateway_gate_root(store, &late) == 0 && gateway_root_gated(store, &late), "mark it gated");
	get(&r, "GET", NULL, "/ipfs/%s?format=raw", ls);
	ok(r.status == 403, "gated once marked, without a restart");
	resp_free(&r);

	/* A root marked before its blocks are here: its leaves are gated as soon as the node that names them arrives. */
	buf node = BUF_INIT, leaf = BUF_INIT;
	cid other;
	ok(add_file(&other, UFS_CHUNK + 1, 7) == 0, "a third file");
	walk_list w2 = {.n = 0};
	ok(dag_walk(bs, &other, collect, &w2, &m) == 0 && w2.n == 3, "its DAG");
	ok(bstore_get(bs, &node, &other) == 0 && bstore_get(bs, &leaf, &w2.c[1]) == 0, "read its blocks");
	ok(bstore_rm(bs, &other) == 0 && bstore_rm(bs, &w2.c[1]) == 0, "then take them out of the store");
	ok(gateway_gate_root(store, &other) == 0, "mark the root gated");
	cid_str(ls, &w2.c[1]);
	get(&r, "GET", NULL, "/ipfs/%s?format=raw", ls);
	ok(r.status == 404, "a leaf nobody named yet: 404");
	resp_free(&r);
	ok(bstore_put(bs, &other, node.p, node.len) == 0, "the root node arrives");
	get(&r, "GET", NULL, "/ipfs/%s?format=raw", ls);
	ok(r.status == 403, "now its leaf is gated, though not here yet");
	resp_free(&r);
	ok(bstore_put(bs, &w2.c[1], leaf.p, leaf.len) == 0, "the leaf arrives");
	get(&r, "GET", NULL, "/ipfs/%s?format=raw", ls);
	ok(r.status == 403, "and stays gated");
	resp_free(&r);
	buf_free(&node);
	buf_free(&leaf);
}

int main(void)
{
	diag_init("t-gateway");
	curl_global_init(CURL_GLOBAL_DEFAULT);
	snprintf(tmp, sizeof(tmp), "/tmp/t-gateway-XXXXXX");
	if (!mkdtemp(tmp))
		return 1;
	snprintf(store, sizeof(store), "%s/blocks", tmp);
	bs = bstore_open(store);
	ok(bs != NULL, "a store");
	if (!bs)
		return unit_done();
	ok(add_file(&file_root, 3 * UFS_CHUNK, 1) == 0, "a 3 MiB public file");
	walk_list wl = {.n = 0};
	cid m;
	ok(dag_walk(bs, &file_root, collect, &wl, &m) == 0 && wl.n == 4, "walk it");
	leaf0 = wl.c[1];
	leaf0_len = wl.len0;
	ufs_entry e = {"book.bin", file_root, 0};
	uint64_t tsize;
	ok(ufs_dir_put(bs, &dir_root, &tsize, &e, 1) == 0, "a directory holding it");
	ok(add_file(&gated_root, 2 * UFS_CHUNK + 1, 2) == 0, "a 2 MiB + 1 file to gate");
	walk_list wg = {.n = 0};
	ok(dag_walk(bs, &gated_root, collect, &wg, &m) == 0 && wg.n == 4, "walk it");
	gated_leaf = wg.c[2];
	ok(gateway_gate_root(store, &gated_root) == 0, "mark it gated");
	cid_of(&small_block, CODEC_RAW, (const uint8_t *)"hello", 5);
	cid_of(&missing, CODEC_RAW, (const uint8_t *)"not here", 8);
	char kd[400], kf[600], gs[CID_STR_MAX];
	snprintf(kd, sizeof(kd), "%s/content-keys", tmp);
	cid_str(gs, &gated_root);
	snprintf(kf, sizeof(kf), "%s/%s", kd, gs);
	FILE *f = (mkdir(kd, 0700) == 0) ? fopen(kf, "w") : NULL;
	ok(f && fputs("11223344556677889900aabbccddeeff11223344556677889900aabbccddeeff\n", f) >= 0 && fclose(f) == 0,
	   "a content key for the gated root");

	gateway_opts o;
	gateway_opts_init(&o);
	o.store_dir = store;
	o.home = tmp;
	o.rpc_url = "http://127.0.0.1:1"; /* nobody there */
	gateway *g = NULL;
	ok(gateway_start(&g, &o, "127.0.0.1:0", gw, sizeof(gw)) == 0 && !strncmp(gw, "http://127.0.0.1:", 17),
	   "gateway on 127.0.0.1:0 (%s)", gw);
	diag_set_quiet(true);
	gateway *bad_gw = NULL;
	ok(gateway_start(&bad_gw, &o, "nohost", NULL, 0) < 0 && diag_status() == LST_EUSAGE, "a bad listen address: usage");
	diag_set_quiet(false);
	if (!g)
		return unit_done();
	test_parse();
	test_raw();
	test_car();
	test_providers(&o);
	diag_set_quiet(true); /* the unreachable chain is reported */
	test_gating(&o);
	diag_set_quiet(false);
	test_gating_live();
	test_superseed();
	resp r;
	get(&r, "GET", NULL, "/lst/v1/nothing");
	ok(r.status == 404, "an unknown /lst/v1/ endpoint: 404");
	resp_free(&r);
	get(&r, "GET", NULL, "/lst/v1/stats");
	json_t *j = body_json(&r);
	ok(r.status == 200 && json_is_integer(json_object_get(j, "uploaded_bytes")) &&
	   json_is_integer(json_object_get(j, "blocks_served")) && json_is_integer(json_object_get(j, "requests")) &&
	   json_is_integer(json_object_get(j, "denied")) && json_is_integer(json_object_get(j, "superseed_refused")),
	   "stats: the five counters");
	json_decref(j);
	resp_free(&r);
	gateway_stop(g);
	bstore_close(bs);
	nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return unit_done();
}
