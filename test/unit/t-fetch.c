/*
 * The swarm fetch (fetch.c) against test gateways on loopback: one peer,
 * several, resume, bad peers (corrupt, 404, 403, 500, oversize, closed),
 * partial providers from a node's registry, announcements, access proofs,
 * have-sets, seeds that answer busy (super-seeding), and blocks read back
 * equal to what was added.
 */
#include "lst.h"
#include "unit.h"
#include "access.h"
#include "addr.h"
#include "bstore.h"
#include "buf.h"
#include "cid.h"
#include "content.h"
#include "diag.h"
#include "fetch.h"
#include "gateway.h"
#include "hex.h"
#include "hmap.h"
#include "providers.h"
#include "secp.h"
#include "unixfs.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <ftw.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---- a test gateway with faults ------------------------------------------ */

enum mode { M_OK, M_CORRUPT, M_404, M_403, M_500, M_BIG, M_STALL };

typedef struct {
	struct MHD_Daemon *d;
	char url[64];
	bstore *s;
	enum mode mode;
	hmap only;            /* when has_only: serve only these CIDs, 404 the rest */
	bool has_only;
	bool want_proof;      /* 403 unless X-Lst-Access proves proof_addr for proof_root */
	uint8_t proof_addr[20];
	cid proof_root;
	prov_registry *reg;   /* provider routes */
	char *list_text;      /* GET providers answers this instead of reg, when set */
	bool rpc;             /* a JSON-RPC node whose market says buyer bought everything */
	uint8_t buyer[20];
	volatile bool stopping;
	pthread_mutex_t lock;
	unsigned requests, bad_accept, proofs_ok, hits; /* requests: 200s; hits: every block request */
	uint64_t bytes, leaf_bytes;   /* of 200s; of those, raw blocks */
	/* super-seeding: busy answers to leaf requests with X-Lst-Swarm */
	int busy_left;        /* this many more (-1: always, 0: none) */
	bool busy_json_only;  /* say so by the JSON error and Retry-After: 1 only, else X-Lst-Busy: busy_ms */
	unsigned busy_ms;
	unsigned swarm_hits, swarm_ids_ok, internal_swarm, busy; /* X-Lst-Swarm seen; well-formed; on non-leaves; busy answers */
} tsrv;

typedef struct {
	buf body;
} conn;

static enum MHD_Result answer(struct MHD_Connection *c, unsigned status, const char *type, const void *p,
			      size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)p, MHD_RESPMEM_MUST_COPY);
	MHD_add_response_header(r, "Content-Type", type);
	enum MHD_Result ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result deny(struct MHD_Connection *c, const char *reason)
{
	char body[256];
	snprintf(body, sizeof(body), "{\"error\":\"access denied\",\"reason\":\"%s\"}", reason);
	return answer(c, 403, "application/json", body, strlen(body));
}

static enum MHD_Result get_block(tsrv *t, struct MHD_Connection *c, const char *s)
{
	cid k;
	const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept");
	const char *format = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "format");
	if (!accept || strcmp(accept, "application/vnd.ipld.raw") || !format || strcmp(format, "raw")) {
		pthread_mutex_lock(&t->lock);
		t->bad_accept++;
		pthread_mutex_unlock(&t->lock);
		return answer(c, 406, "application/json", "{}", 2);
	}
	pthread_mutex_lock(&t->lock);
	t->hits++;
	pthread_mutex_unlock(&t->lock);
	if (cid_parse(&k, s) < 0)
		return answer(c, 400, "application/json", "{}", 2);
	const char *sw = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Lst-Swarm");
	if (sw) {
		bool busy = false;
		pthread_mutex_lock(&t->lock);
		t->swarm_hits++;
		t->swarm_ids_ok += !strncmp(sw, "1; id=0x", 8) && strlen(sw) == 8 + 16;
		t->internal_swarm += cid_codec(&k) != CODEC_RAW;
		if (t->busy_left && cid_codec(&k) == CODEC_RAW) {
			busy = true;
			t->busy++;
			if (t->busy_left > 0)
				t->busy_left--;
		}
		pthread_mutex_unlock(&t->lock);
		if (busy) {
			const char *text = "{\"error\":\"busy\",\"reason\":\"served recently: ask other readers\"}";
			char ms[24];
			snprintf(ms, sizeof(ms), "%u", t->busy_ms);
			struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
			MHD_add_response_header(r, "Content-Type", "application/json");
			MHD_add_response_header(r, "Retry-After", "1");
			if (!t->busy_json_only)
				MHD_add_response_header(r, "X-Lst-Busy", ms);
			enum MHD_Result ret = MHD_queue_response(c, 503, r);
			MHD_destroy_response(r);
			return ret;
		}
	}
	switch (t->mode) {
	case M_403:
		return deny(c, "not purchased");
	case M_404:
		return answer(c, 404, "application/json", "{}", 2);
	case M_500:
		return answer(c, 500, "application/json", "{}", 2);
	case M_STALL:
		/* accept, then say nothing (until the test ends) */
		for (int i = 0; i < 600 && !t->stopping; i++)
			usleep(50 * 1000);
		return answer(c, 500, "application/json", "{}", 2);
	default:
		break;
	}
	if (t->want_proof) {
		const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, ACCESS_HEADER);
		access_proof p;
		const char *why;
		if (!h)
			return deny(c, "access proof required");
		if (access_proof_parse(&p, h) < 0 || access_proof_verify(&p, (uint64_t)time(NULL), &why) < 0 ||
		    !cid_equal(&p.root, &t->proof_root))
			return deny(c, "bad access proof");
		if (memcmp(p.addr, t->proof_addr, 20))
			return deny(c, "not purchased");
		pthread_mutex_lock(&t->lock);
		t->proofs_ok++;
		pthread_mutex_unlock(&t->lock);
	}
	uint8_t key[CID_MAX] = {0};
	memcpy(key, k.bytes, k.len);
	if (t->has_only && !hmap_get(&t->only, key))
		return answer(c, 404, "application/json", "{}", 2);
	buf b = BUF_INIT;
	if (t->mode == M_BIG) {
		buf_grow(&b, 3u << 20);
		memset(b.p, 'x', 3u << 20);
		b.len = 3u << 20;
	} else if (bstore_get(t->s, &b, &k) != 0) {
		buf_free(&b);
		return answer(c, 404, "application/json", "{}", 2);
	}
	if (t->mode == M_CORRUPT && b.len)
		b.p[b.len / 2] ^= 1;
	pthread_mutex_lock(&t->lock);
	t->requests++;
	t->bytes += b.len;
	if (cid_codec(&k) == CODEC_RAW)
		t->leaf_bytes += b.len;
	pthread_mutex_unlock(&t->lock);
	enum MHD_Result r = answer(c, 200, "application/vnd.ipld.raw", b.p ? b.p : (uint8_t *)"", b.len);
	buf_free(&b);
	return r;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			       const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	tsrv *t = cls;
	if (!*con_cls) {
		*con_cls = xcalloc(1, sizeof(conn));
		return MHD_YES;
	}
	conn *k = *con_cls;
	if (*upload_size) {
		if (k->body.len + *upload_size < (1u << 20))
			buf_add(&k->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (!strcmp(method, "GET") && !strncmp(url, "/ipfs/", 6)) {
		if (t->mode != M_OK || t->s)
			return get_block(t, c, url + 6);
	}
	if (!strcmp(method, "GET") && !strncmp(url, "/lst/v1/providers/", 18)) {
		if (t->list_text)
			return answer(c, 200, "application/json", t->list_text, strlen(t->list_text));
		cid root;
		if (!t->reg || cid_parse(&root, url + 18) < 0)
			return answer(c, 404, "application/json", "{}", 2);
		json_t *l = prov_registry_list(t->reg, &root, (uint64_t)time(NULL));
		char *text = json_dumps(l, JSON_COMPACT);
		json_decref(l);
		enum MHD_Result r = answer(c, 200, "application/json", text, strlen(text));
		free(text);
		return r;
	}
	if (!strcmp(method, "POST") && !strcmp(url, "/") && t->rpc) {
		/* eth_call of hasAccess(address, bytes32): the address is calldata bytes 16..36 */
		json_t *j = json_loadb((const char *)k->body.p, k->body.len, 0, NULL);
		const char *data = json_string_value(json_object_get(json_array_get(json_object_get(j, "params"), 0), "data"));
		uint8_t cd[68];
		bool yes = data && strlen(data) == 2 + 2 * 68 && hex_decode(cd, 68, data) == 0 &&
			   !memcmp(cd + 16, t->buyer, 20);
		json_t *resp = json_pack("{s:s,s:O,s:s}", "jsonrpc", "2.0", "id", json_object_get(j, "id"), "result",
					 yes ? "0x0000000000000000000000000000000000000000000000000000000000000001"
					     : "0x0000000000000000000000000000000000000000000000000000000000000000");
		char *text = json_dumps(resp, JSON_COMPACT);
		json_decref(resp);
		json_decref(j);
		enum MHD_Result r = answer(c, 200, "application/json", text, strlen(text));
		free(text);
		return r;
	}
	if (!strcmp(method, "POST") && !strcmp(url, "/lst/v1/providers") && t->reg) {
		json_t *j = json_loadb((const char *)k->body.p, k->body.len, 0, NULL);
		prov_record r;
		const char *why = "not json";
		int added = -1;
		if (j && prov_record_from_json(&r, j, &why) == 0) {
			added = prov_registry_add(t->reg, &r, (uint64_t)time(NULL), &why);
			prov_record_free(&r);
		}
		json_decref(j);
		if (added < 0)
			return answer(c, 400, "application/json", "{\"error\":\"refused\"}", 19);
		return answer(c, 200, "application/json", "{}", 2);
	}
	return answer(c, 404, "application/json", "{}", 2);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	conn *k = *con_cls;
	if (k) {
		buf_free(&k->body);
		free(k);
		*con_cls = NULL;
	}
}

static tsrv *srv_start(bstore *s, enum mode mode)
{
	tsrv *t = xcalloc(1, sizeof(*t));
	t->s = s;
	t->mode = mode;
	pthread_mutex_init(&t->lock, NULL);
	hmap_init(&t->only, CID_MAX);
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	t->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0, NULL, NULL,
				handler, t, MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
				MHD_OPTION_END);
	if (!t->d)
		diag_die(LST_EFAIL, "cannot start a test server");
	const union MHD_DaemonInfo *i = MHD_get_daemon_info(t->d, MHD_DAEMON_INFO_BIND_PORT);
	snprintf(t->url, sizeof(t->url), "http://127.0.0.1:%u", (unsigned)i->port);
	return t;
}

static void srv_only(tsrv *t, const cid *c)
{
	uint8_t key[CID_MAX] = {0};
	memcpy(key, c->bytes, c->len);
	hmap_put(&t->only, key, (void *)1);
	t->has_only = true;
}

static void srv_stop(tsrv *t)
{
	t->stopping = true;
	MHD_stop_daemon(t->d);
	hmap_free(&t->only);
	if (t->reg)
		prov_registry_free(t->reg);
	free(t->list_text);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

/* A URL nothing listens on. */
static void closed_url(char *out, size_t cap)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl) < 0)
		diag_die(LST_EFAIL, "cannot find a free port");
	close(fd);
	snprintf(out, cap, "http://127.0.0.1:%u", (unsigned)ntohs(sa.sin_port));
}

/* ---- fixtures ------------------------------------------------------------- */

static char tmpdir[] = "/tmp/t-fetch-XXXXXX";
static int ndirs;

static bstore *new_store(void)
{
	char *d = xasprintf("%s/s%d", tmpdir, ndirs++);
	bstore *s = bstore_open(d);
	free(d);
	if (!s)
		diag_die(LST_EFAIL, "cannot open a test store");
	return s;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(p);
}

typedef struct {
	cid root;
	uint8_t *data;
	size_t len;
	uint64_t blocks, bytes;
	cid leaves[256];      /* raw blocks in DFS order */
	uint64_t sizes[256];
	size_t nleaves;
	cid inner[64];
	uint64_t inner_sizes[64];
	size_t ninner;
} object;

static int collect(void *arg, const cid *c, const uint8_t *data, size_t len)
{
	object *o = arg;
	if (cid_codec(c) == CODEC_RAW) {
		if (o->nleaves < ARRAY_SIZE(o->leaves)) {
			o->sizes[o->nleaves] = len;
			o->leaves[o->nleaves++] = *c;
		}
	} else if (o->ninner < ARRAY_SIZE(o->inner)) {
		o->inner_sizes[o->ninner] = len;
		o->inner[o->ninner++] = *c;
	}
	return 0;
}

/* Add len bytes (random, or zeros) as a UnixFS file with these parameters (chunk 0: the profile's). */
static void make_object(object *o, bstore *s, size_t len, bool zeros, size_t chunk, unsigned width)
{
	memset(o, 0, sizeof(*o));
	o->len = len;
	o->data = xcalloc(len ? len : 1, 1);
	if (!zeros)
		randombytes_buf(o->data, len);
	ufs_writer *w = chunk ? ufs_writer_new_params(s, chunk, width) : ufs_writer_new(s);
	uint64_t size;
	cid missing;
	if (ufs_write(w, o->data, len) < 0 || ufs_writer_finish(w, &o->root, &size, &o->blocks, &o->bytes) < 0 ||
	    dag_walk(s, &o->root, collect, o, &missing) != 0)
		diag_die(LST_EFAIL, "cannot add a test object");
}

static void copy_block(bstore *to, bstore *from, const cid *c)
{
	buf b = BUF_INIT;
	if (bstore_get(from, &b, c) != 0 || bstore_put(to, c, b.p, b.len) < 0)
		diag_die(LST_EFAIL, "cannot copy a block");
	buf_free(&b);
}

static int to_buf(void *arg, const uint8_t *data, size_t len)
{
	buf_add(arg, data, len);
	return 0;
}

/* The file reads back from s equal to o, and every block of it checks. */
static bool same_bytes(bstore *s, const cid *root, const uint8_t *data, size_t len)
{
	buf b = BUF_INIT;
	cid missing;
	bool eq = ufs_read(s, root, 0, UINT64_MAX, to_buf, &b, &missing) == 0 && b.len == len &&
		  (!len || !memcmp(b.p, data, len));
	buf_free(&b);
	return eq;
}

static int count_block(void *arg, const cid *c, const uint8_t *data, size_t len)
{
	(*(size_t *)arg)++;
	return 0;
}

static bool all_verified(bstore *s, const cid *root)
{
	size_t n = 0;
	cid missing;
	return dag_walk(s, root, count_block, &n, &missing) == 0 && n > 0;
}

/* Progress events seen by a fetch. */
typedef struct {
	unsigned progress, dropped, done, after_done;
	char dropped_urls[1024];
	char reasons[1024];
	uint64_t last_done_bytes, last_total;
} events;

static void on_progress(void *arg, const fetch_progress *p)
{
	events *e = arg;
	if (e->done)
		e->after_done++;
	if (!strcmp(p->event, "progress")) {
		e->progress++;
	} else if (!strcmp(p->event, "peer-dropped")) {
		e->dropped++;
		size_t n = strlen(e->dropped_urls);
		snprintf(e->dropped_urls + n, sizeof(e->dropped_urls) - n, "%s ", p->peer_url ? p->peer_url : "?");
		n = strlen(e->reasons);
		snprintf(e->reasons + n, sizeof(e->reasons) - n, "%s|", p->reason ? p->reason : "?");
	} else if (!strcmp(p->event, "done")) {
		e->done++;
		e->last_done_bytes = p->bytes_done;
		e->last_total = p->bytes_total;
	}
}

static uint64_t from_bytes(const fetch_result *r, const char *url)
{
	return (uint64_t)json_integer_value(json_object_get(r->from, url));
}

/* stderr into a file while a call runs, to check what it reported. */
static int saved_fd = -1;
static FILE *cap;

static void capture(void)
{
	fflush(stderr);
	cap = tmpfile();
	saved_fd = dup(2);
	dup2(fileno(cap), 2);
}

static char *captured(void)
{
	fflush(stderr);
	dup2(saved_fd, 2);
	close(saved_fd);
	buf b = BUF_INIT;
	rewind(cap);
	buf_getline(&b, cap);
	fclose(cap);
	char *s = xstrdup(b.p ? (char *)b.p : "");
	buf_free(&b);
	return s;
}

static int fetch_quiet(bstore *s, fetch_result *r, const cid *root, const fetch_opts *o, char **err)
{
	capture();
	int rc = swarm_fetch(s, r, root, o);
	*err = captured();
	return rc;
}

static prov_record record_for_life(const uint8_t priv[32], const char *url, const cid *root, bool complete,
				   uint64_t leaves, const uint64_t *bits, size_t nbits, uint64_t life)
{
	prov_record r;
	memset(&r, 0, sizeof(r));
	if (secp_address_from_priv(r.addr, priv) < 0)
		diag_die(LST_EFAIL, "bad test key");
	snprintf(r.url, sizeof(r.url), "%s", url);
	r.root = *root;
	r.complete = complete;
	r.leaves = leaves;
	if (!complete) {
		r.have = xcalloc((size_t)(leaves + 7) / 8 + 1, 1);
		for (size_t i = 0; i < nbits; i++)
			r.have[bits[i] / 8] |= (uint8_t)(1u << (bits[i] % 8));
	}
	r.expires = (uint64_t)time(NULL) + life;
	if (prov_record_sign(&r, priv) < 0)
		diag_die(LST_EFAIL, "cannot sign a test record");
	return r;
}

static prov_record record_for(const uint8_t priv[32], const char *url, const cid *root, bool complete,
			      uint64_t leaves, const uint64_t *bits, size_t nbits)
{
	return record_for_life(priv, url, root, complete, leaves, bits, nbits, 600);
}

static void registry_put(tsrv *node, const prov_record *r)
{
	const char *why = NULL;
	if (prov_registry_add(node->reg, r, (uint64_t)time(NULL), &why) < 0)
		diag_die(LST_EFAIL, "test record refused: %s", why);
}

/* ---- cases ------------------------------------------------------------------ */

static object five; /* 5 MiB of random bytes: a root and 5 raw leaves */
static bstore *src;

static void test_one_peer(void)
{
	tsrv *a = srv_start(src, M_OK);
	bstore *dst = new_store();
	const char *peers[] = {a->url};
	events ev = {0};
	fetch_opts o = {.peers = peers, .npeers = 1, .progress = on_progress, .arg = &ev};
	fetch_result r;
	ok(swarm_fetch(dst, &r, &five.root, &o) == 0, "one peer: 5 MiB fetched");
	ok(r.blocks == 6 && r.blocks_fetched == 6 && r.blocks == five.blocks, "one peer: 6 blocks, all fetched");
	ok(r.bytes == five.bytes && r.bytes_fetched == five.bytes, "one peer: bytes %llu of %llu",
	   (unsigned long long)r.bytes_fetched, (unsigned long long)five.bytes);
	ok(from_bytes(&r, a->url) == five.bytes && json_object_size(r.from) == 1, "one peer: all bytes from it");
	ok(a->requests == 6 && a->bad_accept == 0, "one peer: one request per block, each raw with the Accept header");
	ok(same_bytes(dst, &five.root, five.data, five.len), "one peer: bytes read back equal");
	ok(ev.done == 1 && ev.after_done == 0 && ev.dropped == 0 && ev.last_done_bytes == five.bytes &&
	   ev.last_total == five.bytes, "one peer: one done event, last, with the totals");
	fetch_result_free(&r);

	uint8_t *have;
	uint64_t leaves;
	bool complete;
	ok(fetch_have(dst, &have, &leaves, &complete, &five.root, NULL) == 0 && leaves == 5 && complete &&
	   have[0] == 0x1f, "have-set after the fetch: 5 leaves, complete");
	free(have);

	/* again: nothing is fetched, nobody asked */
	unsigned before = a->requests;
	ok(swarm_fetch(dst, &r, &five.root, &o) == 0 && r.blocks_fetched == 0 && r.bytes_fetched == 0 &&
	   r.blocks == 6 && a->requests == before, "present blocks are never fetched again");
	fetch_result_free(&r);
	/* with no peer at all, a complete DAG is still a success */
	fetch_opts none = {0};
	ok(swarm_fetch(dst, &r, &five.root, &none) == 0 && r.blocks_fetched == 0, "complete DAG: no peers needed");
	fetch_result_free(&r);
	bstore_close(dst);
	srv_stop(a);
}

static void test_three_peers(void)
{
	tsrv *t[3];
	const char *peers[3];
	for (int i = 0; i < 3; i++) {
		t[i] = srv_start(src, M_OK);
		peers[i] = t[i]->url;
	}
	bstore *dst = new_store();
	fetch_opts o = {.peers = peers, .npeers = 3};
	fetch_result r;
	ok(swarm_fetch(dst, &r, &five.root, &o) == 0, "three peers: fetched");
	int served = 0;
	uint64_t sum = 0;
	for (int i = 0; i < 3; i++) {
		served += from_bytes(&r, t[i]->url) > 0;
		sum += from_bytes(&r, t[i]->url);
	}
	ok(served >= 2, "three peers: %d of them served blocks", served);
	ok(sum == five.bytes && r.bytes_fetched == five.bytes, "three peers: per-peer bytes add up to the DAG");
	ok(t[0]->requests + t[1]->requests + t[2]->requests == 6, "three peers: each block asked once");
	ok(same_bytes(dst, &five.root, five.data, five.len), "three peers: bytes read back equal");
	fetch_result_free(&r);
	bstore_close(dst);
	for (int i = 0; i < 3; i++)
		srv_stop(t[i]);
}

static void test_resume(void)
{
	/* the first fetch is cut short: its only peer has the root and 3 of 5 leaves */
	tsrv *part = srv_start(src, M_OK), *full = srv_start(src, M_OK);
	srv_only(part, &five.root);
	for (int i = 0; i < 3; i++)
		srv_only(part, &five.leaves[i]);
	bstore *dst = new_store();
	const char *p1[] = {part->url}, *p2[] = {full->url};
	fetch_opts o = {.peers = p1, .npeers = 1};
	fetch_result r;
	char *err;
	char leaf3[CID_STR_MAX];
	ok(fetch_quiet(dst, &r, &five.root, &o, &err) < 0 && diag_status() == LST_ENOTFOUND,
	   "interrupted: a peer without 2 leaves is 'not found' (status 3)");
	ok(r.blocks_fetched == 4, "interrupted: the 4 blocks it had were fetched (%llu)",
	   (unsigned long long)r.blocks_fetched);
	cid_str(leaf3, &five.leaves[3]);
	ok(strstr(err, "no provider has block") && (strstr(err, leaf3) || strstr(err, "bafk")),
	   "interrupted: the missing block named: %s", err);
	free(err);
	fetch_result_free(&r);

	uint8_t *have;
	uint64_t leaves;
	bool complete;
	ok(fetch_have(dst, &have, &leaves, &complete, &five.root, NULL) == 0 && leaves == 5 && !complete &&
	   have[0] == 0x07, "interrupted: have-set holds leaves 0-2");
	free(have);

	/* interrupted again, announcing: the node learns what we have */
	uint8_t *me = sodium_malloc(32), my_addr[20];
	secp_keygen(me);
	if (secp_address_from_priv(my_addr, me) < 0)
		diag_die(LST_EFAIL, "bad key");
	tsrv *node = srv_start(NULL, M_OK);
	node->reg = prov_registry_new();
	bstore *d2 = new_store();
	fetch_opts oa = {.peers = p1, .npeers = 1, .node = node->url, .priv = me, .self_url = "http://127.0.0.1:9/r"};
	ok(fetch_quiet(d2, &r, &five.root, &oa, &err) < 0 && diag_status() == LST_ENOTFOUND,
	   "interrupted, announcing: still status 3");
	free(err);
	fetch_result_free(&r);
	json_t *l = prov_registry_list(node->reg, &five.root, (uint64_t)time(NULL));
	bool partial = false;
	size_t i;
	json_t *v;
	json_array_foreach(l, i, v) {
		prov_record x;
		const char *why;
		if (prov_record_from_json(&x, v, &why) == 0) {
			partial |= !memcmp(x.addr, my_addr, 20) && !x.complete && x.leaves == 5 && x.have[0] == 0x07;
			prov_record_free(&x);
		}
	}
	json_decref(l);
	ok(partial, "interrupted, announcing: the node holds our partial record, leaves 0-2");
	bstore_close(d2);
	srv_stop(node);
	sodium_free(me);

	o.peers = p2;
	ok(swarm_fetch(dst, &r, &five.root, &o) == 0, "resumed from another peer");
	ok(r.blocks_fetched == 2 && full->requests == 2 && r.bytes_fetched == five.sizes[3] + five.sizes[4],
	   "resumed: only the 2 missing leaves fetched");
	ok(same_bytes(dst, &five.root, five.data, five.len), "resumed: bytes read back equal");
	fetch_result_free(&r);
	bstore_close(dst);

	/* pre-populated with half the blocks: fetched count is the rest */
	dst = new_store();
	copy_block(dst, src, &five.root);
	copy_block(dst, src, &five.leaves[1]);
	copy_block(dst, src, &five.leaves[4]);
	unsigned before = full->requests;
	ok(swarm_fetch(dst, &r, &five.root, &o) == 0 && r.blocks_fetched == 3 && full->requests - before == 3 &&
	   r.blocks == 6, "half present: the other 3 fetched");
	ok(same_bytes(dst, &five.root, five.data, five.len), "half present: bytes read back equal");
	fetch_result_free(&r);
	bstore_close(dst);
	srv_stop(part);
	srv_stop(full);
}

static void test_corrupt(void)
{
	tsrv *bad = srv_start(src, M_CORRUPT), *good = srv_start(src, M_OK);
	bstore *dst = new_store();
	const char *peers[] = {bad->url, good->url};
	events ev = {0};
	/* one request per peer at a time: the bad peer is asked for something at once */
	fetch_opts o = {.peers = peers, .npeers = 2, .per_peer = 1, .max_inflight = 2, .progress = on_progress,
			.arg = &ev};
	fetch_result r;
	char *err;
	ok(fetch_quiet(dst, &r, &five.root, &o, &err) == 0, "corrupt peer: fetch completes from the other");
	free(err);
	ok(ev.dropped == 1 && strstr(ev.dropped_urls, bad->url) && strstr(ev.reasons, "bad block"),
	   "corrupt peer: dropped once, as sending a bad block (%s)", ev.reasons);
	ok(bad->requests == 1, "corrupt peer: asked once, never again (%u)", bad->requests);
	ok(from_bytes(&r, bad->url) == 0 && from_bytes(&r, good->url) == five.bytes,
	   "corrupt peer: every byte counted from the good peer");
	ok(all_verified(dst, &five.root) && same_bytes(dst, &five.root, five.data, five.len),
	   "corrupt peer: every block verifies, bytes equal");
	fetch_result_free(&r);
	bstore_close(dst);

	/* the corrupt peer alone: nothing stored, status 5 */
	dst = new_store();
	o.peers = peers;
	o.npeers = 1;
	ok(fetch_quiet(dst, &r, &five.root, &o, &err) < 0 && diag_status() == LST_EUNAVAIL,
	   "corrupt peer alone: fails with status 5");
	ok(!bstore_has(dst, &five.root) && r.blocks_fetched == 0, "corrupt peer alone: its bad root not stored");
	ok(strstr(err, "bad block") != NULL, "corrupt peer alone: says why: %s", err);
	free(err);
	fetch_result_free(&r);
	bstore_close(dst);
	srv_stop(bad);
	srv_stop(good);
}

static void test_404_and_unreachable(void)
{
	tsrv *none = srv_start(src, M_404), *good = srv_start(src, M_OK);
	const char *peers[] = {none->url, good->url};
	bstore *dst = new_store();
	events ev = {0};
	fetch_opts o = {.peers = peers, .npeers = 2, .progress = on_progress, .arg = &ev};
	fetch_result r;
	char *err;
	ok(swarm_fetch(dst, &r, &five.root, &o) == 0 && from_bytes(&r, none->url) == 0 &&
	   from_bytes(&r, good->url) == five.bytes && ev.dropped == 0,
	   "a peer that 404s everything: the other serves all, nobody dropped");
	ok(same_bytes(dst, &five.root, five.data, five.len), "404 peer: bytes read back equal");
	fetch_result_free(&r);
	bstore_close(dst);

	dst = new_store();
	o.npeers = 1;
	int rc = fetch_quiet(dst, &r, &five.root, &o, &err);
	ok(rc < 0 && diag_status() == LST_ENOTFOUND, "only a 404 peer: status 3 (%s)", err);
	free(err);
	fetch_result_free(&r);

	char closed[64], closed2[64];
	closed_url(closed, sizeof(closed));
	closed_url(closed2, sizeof(closed2));
	const char *dead[] = {closed, closed2};
	fetch_opts d = {.peers = dead, .npeers = 2};
	ok(fetch_quiet(dst, &r, &five.root, &d, &err) < 0 && diag_status() == LST_EUNAVAIL,
	   "no reachable peer: status 5");
	ok(strstr(err, "no provider of") && strstr(err, "could be reached") && strstr(err, "connect"), "no reachable peer: says so: %s", err);
	free(err);
	fetch_result_free(&r);

	fetch_opts n = {.node = closed};
	rc = fetch_quiet(dst, &r, &five.root, &n, &err);
	ok(rc < 0 && diag_status() == LST_EUNAVAIL && strstr(err, "cannot reach the node"),
	   "unreachable node, no peers: status 5: %s", err);
	free(err);
	fetch_result_free(&r);

	fetch_opts z = {0};
	rc = fetch_quiet(dst, &r, &five.root, &z, &err);
	ok(rc < 0 && diag_status() == LST_ENOTFOUND, "no providers at all: status 3: %s", err);
	free(err);
	fetch_result_free(&r);
	bstore_close(dst);
	srv_stop(none);
	srv_stop(good);
}

static void test_refused_and_failing(void)
{
	tsrv *d1 = srv_start(src, M_403), *d2 = srv_start(src, M_403);
	const char *peers[] = {d1->url, d2->url};
	bstore *dst = new_store();
	fetch_opts o = {.peers = peers, .npeers = 2};
	fetch_result r;
	char *err;
	ok(fetch_quiet(dst, &r, &five.root, &o, &err) < 0 && diag_status() == LST_EREFUSED,
	   "every peer denies: status 4");
	ok(strstr(err, "not purchased") && strstr(err, "refused"), "denied: the peer's reason quoted: %s", err);
	free(err);
	fetch_result_free(&r);
	srv_stop(d1);
	srv_stop(d2);

	tsrv *e = srv_start(src, M_500), *good = srv_start(src, M_OK);
	const char *pe[] = {e->url, good->url};
	fetch_opts oe = {.peers = pe, .npeers = 1};
	ok(fetch_quiet(dst, &r, &five.root, &oe, &err) < 0 && diag_status() == LST_EUNAVAIL,
	   "a peer answering 500: status 5");
	ok(strstr(err, "HTTP 500") != NULL, "500: says so: %s", err);
	free(err);
	fetch_result_free(&r);
	ok(e->hits == 3, "500: asked three times, then dropped (%u)", e->hits);
	oe.npeers = 2;
	events ev = {0};
	oe.progress = on_progress;
	oe.arg = &ev;
	ok(swarm_fetch(dst, &r, &five.root, &oe) == 0 && same_bytes(dst, &five.root, five.data, five.len),
	   "500 peer and a good one: fetched");
	ok(ev.dropped <= 1 && from_bytes(&r, e->url) == 0, "500 peer: served nothing, dropped at most once");
	fetch_result_free(&r);
	bstore_close(dst);
	srv_stop(e);

	tsrv *big = srv_start(src, M_BIG);
	const char *pb[] = {big->url, good->url};
	dst = new_store();
	events eb = {0};
	fetch_opts ob = {.peers = pb, .npeers = 1, .progress = on_progress, .arg = &eb};
	ok(fetch_quiet(dst, &r, &five.root, &ob, &err) < 0 && diag_status() == LST_EUNAVAIL,
	   "a peer sending 3 MiB blocks: status 5");
	ok(eb.dropped == 1 && strstr(eb.reasons, "block over 2 MiB"), "oversize: dropped as 'block over 2 MiB'");
	free(err);
	fetch_result_free(&r);
	ob.npeers = 2;
	ok(fetch_quiet(dst, &r, &five.root, &ob, &err) == 0 && same_bytes(dst, &five.root, five.data, five.len),
	   "oversize peer and a good one: fetched");
	free(err);
	fetch_result_free(&r);
	bstore_close(dst);
	srv_stop(big);
	srv_stop(good);
}

static void test_stall(void)
{
	/* a peer that never answers is cut (about 5 s) and its block asked elsewhere */
	tsrv *st = srv_start(src, M_STALL), *good = srv_start(src, M_OK);
	const char *peers[] = {st->url, good->url};
	bstore *dst = new_store();
	fetch_opts o = {.peers = peers, .npeers = 2, .per_peer = 1, .max_inflight = 2};
	fetch_result r;
	char *err;
	int rc = fetch_quiet(dst, &r, &five.root, &o, &err);
	ok(rc == 0 && same_bytes(dst, &five.root, five.data, five.len), "a stalled peer: fetch completes elsewhere");
	ok(st->hits >= 1 && from_bytes(&r, st->url) == 0 && from_bytes(&r, good->url) == five.bytes,
	   "a stalled peer: asked, cut, nothing counted from it");
	free(err);
	fetch_result_free(&r);
	bstore_close(dst);
	srv_stop(st);
	srv_stop(good);
}

static void test_access_proof(void)
{
	uint8_t *buyer = sodium_malloc(32), *other = sodium_malloc(32);
	secp_keygen(buyer);
	secp_keygen(other);
	tsrv *g = srv_start(src, M_OK);
	g->want_proof = true;
	g->proof_root = five.root;
	if (secp_address_from_priv(g->proof_addr, buyer) < 0)
		diag_die(LST_EFAIL, "bad key");
	const char *peers[] = {g->url};
	bstore *dst = new_store();
	fetch_opts o = {.peers = peers, .npeers = 1};
	fetch_result r;
	char *err;
	ok(fetch_quiet(dst, &r, &five.root, &o, &err) < 0 && diag_status() == LST_EREFUSED &&
	   strstr(err, "access proof required"), "gated, no key: refused, 'access proof required'");
	free(err);
	fetch_result_free(&r);
	o.priv = other;
	ok(fetch_quiet(dst, &r, &five.root, &o, &err) < 0 && diag_status() == LST_EREFUSED &&
	   strstr(err, "not purchased"), "gated, another address: refused, 'not purchased'");
	free(err);
	fetch_result_free(&r);
	ok(!bstore_has(dst, &five.root), "gated: nothing stored while refused");
	o.priv = buyer;
	ok(swarm_fetch(dst, &r, &five.root, &o) == 0 && g->proofs_ok == 6 &&
	   same_bytes(dst, &five.root, five.data, five.len), "gated, the buyer's proof: fetched, each request proved");
	fetch_result_free(&r);
	bstore_close(dst);
	srv_stop(g);
	sodium_free(buyer);
	sodium_free(other);
}

static void test_partial_providers(void)
{
	uint8_t *kr = sodium_malloc(32), *ks = sodium_malloc(32);
	secp_keygen(kr);
	secp_keygen(ks);
	/* R, another reader, has the root and leaves 0 and 1; S is a seed */
	tsrv *rd = srv_start(src, M_OK), *seed = srv_start(src, M_OK), *node = srv_start(NULL, M_OK);
	node->reg = prov_registry_new();
	srv_only(rd, &five.root);
	srv_only(rd, &five.leaves[0]);
	srv_only(rd, &five.leaves[1]);
	uint64_t bits[] = {0, 1};
	prov_record pr = record_for(kr, rd->url, &five.root, false, 5, bits, 2);
	prov_record ps = record_for(ks, seed->url, &five.root, true, 0, NULL, 0);
	registry_put(node, &pr);
	registry_put(node, &ps);
	prov_record_free(&pr);
	prov_record_free(&ps);
	bstore *dst = new_store();
	fetch_opts o = {.node = node->url};
	fetch_result r;
	ok(swarm_fetch(dst, &r, &five.root, &o) == 0, "providers from the node: fetched");
	uint64_t from_r = five.inner_sizes[0] + five.sizes[0] + five.sizes[1];
	ok(from_bytes(&r, rd->url) == from_r && rd->requests == 3,
	   "the other reader served the root and its 2 leaves (%llu of %llu)",
	   (unsigned long long)from_bytes(&r, rd->url), (unsigned long long)from_r);
	ok(from_bytes(&r, seed->url) == five.bytes - from_r && seed->requests == 3,
	   "the seed served only the 3 leaves nobody else has");
	ok(same_bytes(dst, &five.root, five.data, five.len), "partial providers: bytes read back equal");
	fetch_result_free(&r);
	bstore_close(dst);

	/* another reader with every leaf, one request at a time each: we wait for readers rather than load the seed */
	tsrv *full = srv_start(src, M_OK);
	uint64_t all[] = {0, 1, 2, 3, 4};
	uint8_t *kf = sodium_malloc(32);
	secp_keygen(kf);
	prov_record pf = record_for(kf, full->url, &five.root, false, 5, all, 5);
	registry_put(node, &pf);
	prov_record_free(&pf);
	sodium_free(kf);
	unsigned seed_before = seed->hits;
	dst = new_store();
	o.per_peer = 1;
	ok(swarm_fetch(dst, &r, &five.root, &o) == 0 && same_bytes(dst, &five.root, five.data, five.len),
	   "busy readers with the leaves: fetched");
	ok(from_bytes(&r, full->url) + from_bytes(&r, rd->url) == five.bytes && seed->hits == seed_before,
	   "busy readers with the leaves: the seed was not asked at all (%u)", seed->hits - seed_before);
	fetch_result_free(&r);
	bstore_close(dst);
	srv_stop(full);
	srv_stop(rd);
	srv_stop(seed);
	srv_stop(node);
	sodium_free(kr);
	sodium_free(ks);
}

static void test_deep_dag(void)
{
	/* 100 leaves of 1 KiB under internal nodes of width 4: levels 25, 7, 2, 1 */
	object deep;
	make_object(&deep, src, 100 * 1024, false, 1024, 4);
	ok(deep.nleaves == 100 && deep.ninner > 30, "a deep DAG: 100 leaves, %zu internal blocks", deep.ninner);
	uint8_t *kr = sodium_malloc(32), *ks = sodium_malloc(32);
	secp_keygen(kr);
	secp_keygen(ks);
	tsrv *rd = srv_start(src, M_OK), *seed = srv_start(src, M_OK), *node = srv_start(NULL, M_OK);
	node->reg = prov_registry_new();
	uint64_t bits[30];
	uint64_t leaves_r = 0, inner = 0;
	for (size_t i = 0; i < deep.ninner; i++) {
		srv_only(rd, &deep.inner[i]);
		inner += deep.inner_sizes[i];
	}
	for (size_t i = 0; i < 30; i++) {
		bits[i] = i;
		srv_only(rd, &deep.leaves[i]);
		leaves_r += deep.sizes[i];
	}
	prov_record pr = record_for(kr, rd->url, &deep.root, false, 100, bits, 30);
	prov_record ps = record_for(ks, seed->url, &deep.root, true, 0, NULL, 0);
	registry_put(node, &pr);
	registry_put(node, &ps);
	prov_record_free(&pr);
	prov_record_free(&ps);
	bstore *dst = new_store();
	fetch_opts o = {.node = node->url, .per_peer = 64, .max_inflight = 64};
	fetch_result r;
	int rc = swarm_fetch(dst, &r, &deep.root, &o);
	ok(rc == 0 && r.blocks == deep.blocks && r.bytes == deep.bytes, "deep DAG: fetched, %llu blocks",
	   (unsigned long long)r.blocks);
	ok(from_bytes(&r, rd->url) == inner + leaves_r && from_bytes(&r, seed->url) == deep.bytes - inner - leaves_r,
	   "deep DAG: leaves 0-29 in DFS order came from the reader that has them, the rest from the seed");
	ok(same_bytes(dst, &deep.root, deep.data, deep.len), "deep DAG: bytes read back equal");
	fetch_result_free(&r);

	/* have-sets of a partial store: positions are the file's chunk order */
	bstore *part = new_store();
	for (size_t i = 0; i < deep.ninner; i++)
		copy_block(part, src, &deep.inner[i]);
	for (size_t i = 0; i < 100; i += 3)
		copy_block(part, src, &deep.leaves[i]);
	uint8_t *have;
	uint64_t nl;
	bool complete;
	int right = 1;
	ok(fetch_have(part, &have, &nl, &complete, &deep.root, NULL) == 0 && nl == 100 && !complete,
	   "have-set: 100 leaves, not complete");
	for (uint64_t i = 0; i < 100 && have; i++)
		if (((have[i / 8] >> (i % 8)) & 1) != (i % 3 == 0))
			right = 0;
	ok(right && have && !(have[12] & 0xf0), "have-set: exactly every third leaf, no bits past the last");
	free(have);
	cid missing, gone = deep.inner[3];
	ok(bstore_rm(part, &gone) == 0, "remove an internal block");
	ok(fetch_have(part, &have, &nl, &complete, &deep.root, &missing) == 1 && cid_equal(&missing, &gone),
	   "have-set: a missing internal block is named, no have-set");
	ok(swarm_announce(part, node->url, kr, rd->url, &deep.root, 600) == 1,
	   "announce: nothing to announce without the internal blocks");
	bstore_close(part);
	bstore_close(dst);
	srv_stop(rd);
	srv_stop(seed);
	srv_stop(node);
	sodium_free(kr);
	sodium_free(ks);
	free(deep.data);
}

/* Seeds that answer busy (super-seeding, gateway.h): not failures; asked again later, or elsewhere. */
static void test_busy_seeds(void)
{
	uint8_t *k1 = sodium_malloc(32), *k2 = sodium_malloc(32);
	secp_keygen(k1);
	secp_keygen(k2);
	tsrv *s1 = srv_start(src, M_OK), *node = srv_start(NULL, M_OK);
	node->reg = prov_registry_new();
	s1->busy_left = -1;
	s1->busy_ms = 20;

	/* --peer only, no registry: no X-Lst-Swarm, so a super-seeding seed serves us as any client */
	const char *peers[] = {s1->url};
	events ev = {0};
	fetch_opts op = {.peers = peers, .npeers = 1, .progress = on_progress, .arg = &ev};
	fetch_result r;
	bstore *dst = new_store();
	ok(swarm_fetch(dst, &r, &five.root, &op) == 0 && s1->swarm_hits == 0 && s1->busy == 0,
	   "without a registry: no X-Lst-Swarm sent (%u), fetched", s1->swarm_hits);
	fetch_result_free(&r);
	bstore_close(dst);

	/* the registry lists one seed, busy for every swarm request: each leaf refused twice, then asked plainly */
	prov_record p1 = record_for(k1, s1->url, &five.root, true, 0, NULL, 0);
	registry_put(node, &p1);
	prov_record_free(&p1);
	memset(&ev, 0, sizeof(ev));
	fetch_opts o = {.node = node->url, .progress = on_progress, .arg = &ev};
	dst = new_store();
	ok(swarm_fetch(dst, &r, &five.root, &o) == 0 && same_bytes(dst, &five.root, five.data, five.len),
	   "a seed busy for every swarm request: fetched all the same");
	ok(s1->busy == 2 * five.nleaves && s1->swarm_hits == 2 * five.nleaves && s1->swarm_ids_ok == s1->swarm_hits &&
	   s1->internal_swarm == 0,
	   "each leaf asked with X-Lst-Swarm: 1; id=.. twice (%u), then without; the root never with it", s1->busy);
	ok(ev.dropped == 0 && from_bytes(&r, s1->url) == five.bytes, "busy is no failure: the seed kept, it served everything");
	fetch_result_free(&r);
	bstore_close(dst);

	/* busy said by the JSON error only (Retry-After: 1), once */
	s1->busy_left = 1;
	s1->busy_json_only = true;
	s1->busy = 0;
	memset(&ev, 0, sizeof(ev));
	dst = new_store();
	ok(swarm_fetch(dst, &r, &five.root, &o) == 0 && s1->busy == 1 && ev.dropped == 0 &&
	   from_bytes(&r, s1->url) == five.bytes, "a JSON busy answer: retried after Retry-After, fetched from that seed");
	fetch_result_free(&r);
	bstore_close(dst);

	/* two seeds, one busy for a minute: every leaf from the other, the busy one asked once per leaf at most */
	object many;
	make_object(&many, src, 100 * 1024, false, 1024, 1024);
	tsrv *s2 = srv_start(src, M_OK);
	s1->busy_left = -1;
	s1->busy_json_only = false;
	s1->busy_ms = 60000;
	s1->busy = 0;
	prov_record p2 = record_for(k2, s2->url, &many.root, true, 0, NULL, 0);
	p1 = record_for(k1, s1->url, &many.root, true, 0, NULL, 0);
	registry_put(node, &p1);
	registry_put(node, &p2);
	prov_record_free(&p1);
	prov_record_free(&p2);
	memset(&ev, 0, sizeof(ev));
	dst = new_store();
	s1->leaf_bytes = 0;
	ok(swarm_fetch(dst, &r, &many.root, &o) == 0 && same_bytes(dst, &many.root, many.data, many.len),
	   "two seeds, one busy: %zu leaves fetched", many.nleaves);
	ok(s1->busy > 0 && s1->busy <= many.nleaves && s1->leaf_bytes == 0 && ev.dropped == 0,
	   "the busy seed: asked for %u leaves, each once, served none, not dropped", s1->busy);
	ok(s2->leaf_bytes == many.len, "the other seed served every leaf");
	fetch_result_free(&r);
	bstore_close(dst);
	free(many.data);
	srv_stop(s1);
	srv_stop(s2);
	srv_stop(node);
	sodium_free(k1);
	sodium_free(k2);
}

static void test_announce(void)
{
	uint8_t *me = sodium_malloc(32), *ks = sodium_malloc(32), *kx = sodium_malloc(32), *kp = sodium_malloc(32);
	secp_keygen(kp);
	secp_keygen(me);
	secp_keygen(ks);
	secp_keygen(kx);
	uint8_t my_addr[20];
	if (secp_address_from_priv(my_addr, me) < 0)
		diag_die(LST_EFAIL, "bad key");
	tsrv *seed = srv_start(src, M_OK), *node = srv_start(NULL, M_OK), *bad = srv_start(src, M_CORRUPT);
	node->reg = prov_registry_new();
	/* an old record of ours (pointing at a bad server) must not make us our own provider */
	prov_record mine = record_for_life(me, bad->url, &five.root, true, 0, NULL, 0, 300);
	prov_record ps = record_for(ks, seed->url, &five.root, true, 0, NULL, 0);
	registry_put(node, &mine);
	registry_put(node, &ps);
	prov_record_free(&mine);
	prov_record_free(&ps);
	bstore *dst = new_store();
	events ev = {0};
	fetch_opts o = {.node = node->url, .priv = me, .self_url = "http://127.0.0.1:9/me", .progress = on_progress,
			.arg = &ev};
	fetch_result r;
	ok(swarm_fetch(dst, &r, &five.root, &o) == 0 && same_bytes(dst, &five.root, five.data, five.len),
	   "announcing reader: fetched");
	ok(bad->requests == 0 && ev.dropped == 0, "our own record is not a provider to us");
	json_t *l = prov_registry_list(node->reg, &five.root, (uint64_t)time(NULL));
	bool found = false;
	size_t i;
	json_t *v;
	json_array_foreach(l, i, v) {
		prov_record x;
		const char *why;
		if (prov_record_from_json(&x, v, &why) == 0) {
			if (!memcmp(x.addr, my_addr, 20) && x.complete && !strcmp(x.url, "http://127.0.0.1:9/me") &&
			    prov_record_verify(&x, (uint64_t)time(NULL), &why) == 0)
				found = true;
			prov_record_free(&x);
		}
	}
	json_decref(l);
	ok(found, "done: the node holds our signed complete record at our URL");
	fetch_result_free(&r);

	/* a forged record (another URL under a valid signature) is ignored */
	prov_record f = record_for(kx, seed->url, &five.root, true, 0, NULL, 0);
	snprintf(f.url, sizeof(f.url), "%s", bad->url);
	json_t *fj = prov_record_json(&f), *arr = json_array();
	json_array_append_new(arr, fj);
	prov_record good = record_for(ks, seed->url, &five.root, true, 0, NULL, 0);
	json_array_append_new(arr, prov_record_json(&good));
	prov_record_free(&f);
	prov_record_free(&good);
	tsrv *liar = srv_start(NULL, M_OK);
	liar->list_text = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	bstore *dst2 = new_store();
	fetch_opts o2 = {.node = liar->url};
	ok(swarm_fetch(dst2, &r, &five.root, &o2) == 0 && bad->requests == 0 &&
	   from_bytes(&r, seed->url) == five.bytes, "a record whose signature does not match is ignored");
	fetch_result_free(&r);

	/* swarm_announce of a partial store: a partial record */
	bstore *part = new_store();
	copy_block(part, src, &five.root);
	copy_block(part, src, &five.leaves[2]);
	ok(swarm_announce(part, node->url, kp, "http://127.0.0.1:9/part", &five.root, 600) == 0,
	   "announce a partial store");
	l = prov_registry_list(node->reg, &five.root, (uint64_t)time(NULL));
	found = false;
	json_array_foreach(l, i, v) {
		prov_record x;
		const char *why;
		if (prov_record_from_json(&x, v, &why) == 0) {
			if (!strcmp(x.url, "http://127.0.0.1:9/part") && !x.complete && x.leaves == 5 &&
			    x.have[0] == 0x04)
				found = true;
			prov_record_free(&x);
		}
	}
	json_decref(l);
	ok(found, "the node holds the partial record: leaf 2 of 5");
	char closed[64], *err;
	closed_url(closed, sizeof(closed));
	capture();
	int rc = swarm_announce(part, closed, kp, "http://127.0.0.1:9/part", &five.root, 600);
	err = captured();
	ok(rc < 0 && diag_status() == LST_EUNAVAIL, "announce to an unreachable node: status 5");
	free(err);
	bstore_close(part);
	bstore_close(dst);
	bstore_close(dst2);
	srv_stop(seed);
	srv_stop(node);
	srv_stop(bad);
	srv_stop(liar);
	sodium_free(me);
	sodium_free(ks);
	sodium_free(kx);
	sodium_free(kp);
}

static void test_shapes(void)
{
	/* 5 MiB of zeros: one leaf linked five times */
	object z;
	make_object(&z, src, 5u << 20, true, 0, 0);
	tsrv *a = srv_start(src, M_OK);
	const char *peers[] = {a->url};
	bstore *dst = new_store();
	fetch_opts o = {.peers = peers, .npeers = 1};
	fetch_result r;
	ok(swarm_fetch(dst, &r, &z.root, &o) == 0 && r.blocks == 2 && r.blocks_fetched == 2 && a->requests == 2,
	   "zeros: a root and one leaf, each fetched once");
	uint8_t *have;
	uint64_t nl;
	bool complete;
	ok(fetch_have(dst, &have, &nl, &complete, &z.root, NULL) == 0 && nl == 5 && complete && have[0] == 0x1f,
	   "zeros: 5 leaf positions");
	free(have);
	ok(same_bytes(dst, &z.root, z.data, z.len), "zeros: bytes read back equal");
	fetch_result_free(&r);
	free(z.data);

	/* a directory of two files */
	object small;
	make_object(&small, src, 100, false, 0, 0);
	ufs_entry e[2] = {{"big", five.root, five.bytes}, {"small", small.root, small.bytes}};
	cid dir, c;
	uint64_t tsize;
	ok(ufs_dir_put(src, &dir, &tsize, e, 2) == 0, "a directory of two files");
	bstore *d2 = new_store();
	ok(swarm_fetch(d2, &r, &dir, &o) == 0 && r.blocks == 8, "directory: fetched, 8 blocks");
	ok(ufs_resolve(d2, &c, &dir, "big") == 0 && same_bytes(d2, &c, five.data, five.len) &&
	   ufs_resolve(d2, &c, &dir, "small") == 0 && same_bytes(d2, &c, small.data, small.len),
	   "directory: both files read back equal");
	ok(fetch_have(d2, &have, &nl, &complete, &dir, NULL) == 0 && nl == 6 && complete,
	   "directory: 6 leaves (5 + the small file's raw root)");
	free(have);
	fetch_result_free(&r);

	/* a raw block as the root */
	bstore *d3 = new_store();
	ok(swarm_fetch(d3, &r, &five.leaves[2], &o) == 0 && r.blocks == 1 && r.bytes == five.sizes[2],
	   "a raw root: one block");
	fetch_result_free(&r);
	free(small.data);
	bstore_close(dst);
	bstore_close(d2);
	bstore_close(d3);
	srv_stop(a);
}

/* ---- against the real gateway (gateway.c) ------------------------------------ */

static gateway *gw_start(const char *dir, const char *rpc, char *url)
{
	gateway_opts go;
	gateway *g;
	gateway_opts_init(&go);
	go.store_dir = dir;
	go.rpc_url = rpc;
	if (gateway_start(&g, &go, "127.0.0.1:0", url, 128) < 0)
		diag_die(LST_EFAIL, "cannot start a gateway");
	return g;
}

static void test_gateway(void)
{
	char u1[128], u2[128];
	gateway *g1 = gw_start(bstore_dir(src), NULL, u1), *g2 = gw_start(bstore_dir(src), NULL, u2);
	const char *peers[] = {u1, u2};
	bstore *dst = new_store();
	fetch_opts o = {.peers = peers, .npeers = 2};
	fetch_result r;
	ok(swarm_fetch(dst, &r, &five.root, &o) == 0 && same_bytes(dst, &five.root, five.data, five.len),
	   "two real gateways: a public file fetched, bytes equal");
	gateway_stats s1, s2;
	gateway_get_stats(g1, &s1);
	gateway_get_stats(g2, &s2);
	ok(s1.uploaded_bytes + s2.uploaded_bytes == five.bytes && s1.uploaded_bytes == from_bytes(&r, u1) &&
	   s2.uploaded_bytes == from_bytes(&r, u2), "the gateways' uploaded bytes are what we counted from each");
	ok(!gateway_root_gated(bstore_dir(dst), &five.root), "a public root is not marked gated here");
	fetch_result_free(&r);
	bstore_close(dst);
	gateway_stop(g1);
	gateway_stop(g2);

	/* an encrypted object, gated at the seed: only the buyer's proof gets it */
	uint8_t *buyer = sodium_malloc(32), *other = sodium_malloc(32), key[32];
	secp_keygen(buyer);
	secp_keygen(other);
	randombytes_buf(key, sizeof(key));
	char *path = xasprintf("%s/book.txt", tmpdir);
	FILE *fp = fopen(path, "wb");
	uint8_t *text = xmalloc(3u << 20);
	randombytes_buf(text, 3u << 20);
	if (!fp || fwrite(text, 1, 3u << 20, fp) != 3u << 20 || fclose(fp) != 0)
		diag_die(LST_EFAIL, "cannot write %s", path);
	free(text);
	bstore *seed = new_store();
	content_input in = {"book.txt", open(path, O_RDONLY), 3u << 20};
	cid root;
	json_t *files = NULL;
	uint64_t blocks, bytes;
	ok(in.fd >= 0 && content_add(seed, &root, &files, &blocks, &bytes, key, &in, 1, 0, NULL, NULL) == 0 &&
	   gateway_gate_root(bstore_dir(seed), &root) == 0, "an encrypted book, gated at the seed");
	close(in.fd);
	json_decref(files);
	tsrv *rpc = srv_start(NULL, M_OK);
	rpc->rpc = true;
	if (secp_address_from_priv(rpc->buyer, buyer) < 0)
		diag_die(LST_EFAIL, "bad key");
	char rpc_url[80];
	snprintf(rpc_url, sizeof(rpc_url), "%s/", rpc->url);
	gateway *g = gw_start(bstore_dir(seed), rpc_url, u1);
	const char *p1[] = {u1};
	fetch_opts og = {.peers = p1, .npeers = 1};
	char *err;
	dst = new_store();
	int rc = fetch_quiet(dst, &r, &root, &og, &err);
	ok(rc < 0 && diag_status() == LST_EREFUSED && strstr(err, "access proof required"),
	   "gateway, no proof: refused with its reason: %s", err);
	free(err);
	fetch_result_free(&r);
	og.priv = other;
	rc = fetch_quiet(dst, &r, &root, &og, &err);
	ok(rc < 0 && diag_status() == LST_EREFUSED && strstr(err, "not purchased"),
	   "gateway, not a buyer: refused: %s", err);
	free(err);
	fetch_result_free(&r);
	og.priv = buyer;
	rc = swarm_fetch(dst, &r, &root, &og);
	ok(rc == 0 && r.blocks == blocks && r.bytes_fetched == bytes && all_verified(dst, &root),
	   "gateway, the buyer: the whole book fetched and verified");
	ok(gateway_root_gated(bstore_dir(dst), &root), "the fetched encrypted root is marked gated here too");
	fetch_result_free(&r);
	gateway_stop(g);
	srv_stop(rpc);
	bstore_close(dst);
	bstore_close(seed);
	free(path);
	sodium_free(buyer);
	sodium_free(other);
}

int main(void)
{
	diag_init("t-fetch");
	if (sodium_init() < 0 || !mkdtemp(tmpdir))
		diag_die(LST_EFAIL, "cannot set up");
	src = new_store();
	make_object(&five, src, 5u << 20, false, 0, 0);
	ok(five.nleaves == 5 && five.ninner == 1 && five.blocks == 6, "a 5 MiB file: a root and 5 leaves");
	test_one_peer();
	test_three_peers();
	test_resume();
	test_corrupt();
	test_404_and_unreachable();
	test_refused_and_failing();
	test_stall();
	test_access_proof();
	test_partial_providers();
	test_deep_dag();
	test_busy_seeds();
	test_announce();
	test_shapes();
	test_gateway();
	bstore_close(src);
	free(five.data);
	nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return unit_done();
}
