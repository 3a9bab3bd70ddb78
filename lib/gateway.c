/*
 * gateway.c: the swarm's HTTP side; see gateway.h.
 *
 * Owns: the routes, serving raw blocks (from the store's files) and CAR
 * streams (a depth-first walk pulled by MHD as it sends), the access
 * decision (the proof here, then the chain, asked by gwcheck.c's worker
 * threads while the connection is suspended), key envelopes, the provider
 * endpoints over a prov_registry, super-seeding (the table of raw blocks
 * recently served to swarm requesters), the counters, and the standalone
 * server. Request parsing is gwrequest.c; which blocks are gated is
 * gated.c; page keys (POST /lst/v1/pages/{root}) are pages.c's, the
 * membership asked by gwcheck.c off the HTTP threads like a purchase.
 */
#include "lst.h"
#include "gateway.h"
#include "access.h"
#include "bstore.h"
#include "buf.h"
#include "car.h"
#include "content.h"
#include "dagpb.h"
#include "diag.h"
#include "http.h"
#include "gated.h"
#include "gwcheck.h"
#include "hex.h"
#include "hmap.h"
#include "pages.h"
#include "providers.h"
#include "rpcclient.h"
#include "seal.h"
#include "unixfs.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CACHE_CONTROL "public, max-age=29030400, immutable"
#define BODY_MAX (1u << 20)      /* a provider record */
/*
 * A reader's lookup of a root's providers pulls the peers' records
 * (prov_pull) at most every PULL_EVERY_MS per root, PULLS_MAX at once,
 * the connection suspended meanwhile.
 */
#define PULL_EVERY_MS 2000
#define PULLS_MAX 4
#define PULLED_MAX 4096
#define MAX_DEPTH 64             /* DAG depth a CAR walk follows */
#define MAX_GROOTS 16            /* gated roots reported per block */
#define CAR_BLOCK (64u << 10)    /* MHD's buffer for CAR streams */

/* A raw block recently served to a swarm requester (super-seeding). */
typedef struct {
	uint64_t key;   /* the block's hash */
	uint64_t at;    /* when it was served, monotonic ms; 0: empty */
	uint64_t who;   /* the requester's id hash, 0: none given */
} ss_slot;

struct gateway {
	char *store_dir, *home, *rpc_url, *self_url;
	char **peers;
	size_t npeers;
	bool gate;
	bstore *bs;
	prov_registry *reg;
	struct MHD_Daemon *mhd; /* standalone only */
	atomic_uint_fast64_t uploaded, served, requests, denied, refused, pages;
	uint8_t *serve_priv;         /* HOME/serve-key (sodium_malloc), loaded with the first page request */
	uint8_t server[20];          /* its address */
	gated_index *gx;
	/* super-seeding */
	unsigned ss_ms;
	ss_slot *ss;                 /* GW_SUPERSEED_SLOTS, allocated with the first swarm request */
	pthread_mutex_t ss_lock;
	gw_checks *ck;               /* the chain checks of suspended connections (gwcheck.h) */
	/* the serving key, provider pulls (lock) */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool draining;
	hmap pulled;                 /* sha256(root) -> when last pulled, monotonic ms */
	unsigned npulls;             /* threads pulling now */
};

/* ---- helpers ------------------------------------------------------------------ */

static void cid_key(uint8_t k[32], const cid *c)
{
	sha256(k, c->bytes, c->len);
}

/* store/XY/KEY, XY the two characters before KEY's last (flatfs next-to-last/2, bstore.h). */
static char *block_path(const gateway *g, const cid *c)
{
	char key[CID_STR_MAX];
	gated_store_key(key, c);
	size_t n = strlen(key);
	return xasprintf("%s/%.2s/%s", g->store_dir, key + n - 3, key);
}

/* The gated roots block c is under (0: public, or gating is off). */
static size_t gated_roots_of(gateway *g, const cid *c, cid *out, size_t max)
{
	return g->gate ? gated_roots(g->gx, c, out, max) : 0;
}

/* ---- replies ------------------------------------------------------------------ */

static enum MHD_Result queue(gateway *g, struct MHD_Connection *c, unsigned status, struct MHD_Response *r)
{
	atomic_fetch_add(&g->requests, 1);
	if (status == MHD_HTTP_FORBIDDEN)
		atomic_fetch_add(&g->denied, 1);
	MHD_add_response_header(r, "Access-Control-Allow-Origin", "*");
	MHD_add_response_header(r, "Access-Control-Expose-Headers",
				"Content-Length, Content-Type, Etag, X-Ipfs-Path, X-Ipfs-Roots, Retry-After, X-Lst-Busy");
	enum MHD_Result ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result reply_json(gateway *g, struct MHD_Connection *c, unsigned status, json_t *j)
{
	char *text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (!text)
		text = xstrdup("{}");
	size_t n = strlen(text);
	text = xrealloc(text, n + 2);
	text[n] = '\n';
	text[n + 1] = 0;
	struct MHD_Response *r = MHD_create_response_from_buffer(n + 1, text, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(r, "Content-Type", "application/json");
	return queue(g, c, status, r);
}

static enum MHD_Result reply_error(gateway *g, struct MHD_Connection *c, unsigned status, const char *msg)
{
	return reply_json(g, c, status, json_pack("{s:s}", "error", msg));
}

static enum MHD_Result reply_method(gateway *g, struct MHD_Connection *c, const char *allow)
{
	char *text = xasprintf("{\"error\":\"method not allowed: use %s\"}\n", allow);
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(r, "Content-Type", "application/json");
	MHD_add_response_header(r, "Allow", allow);
	return queue(g, c, MHD_HTTP_METHOD_NOT_ALLOWED, r);
}

static enum MHD_Result deny(gateway *g, struct MHD_Connection *c, const char *reason, const cid *root)
{
	char r[CID_STR_MAX];
	cid_str(r, root);
	return reply_json(g, c, MHD_HTTP_FORBIDDEN,
			  json_pack("{s:s,s:s,s:s}", "error", "access denied", "reason", reason, "root", r));
}

static enum MHD_Result unavailable(gateway *g, struct MHD_Connection *c, const char *reason, const cid *root)
{
	char r[CID_STR_MAX];
	cid_str(r, root);
	return reply_json(g, c, MHD_HTTP_SERVICE_UNAVAILABLE,
			  json_pack("{s:s,s:s,s:s}", "error", "cannot check purchase", "reason", reason, "root", r));
}

/* ---- access -------------------------------------------------------------------- */

enum { ACC_OK, ACC_ANSWERED };

/*
 * May the requester have something under roots[0..n) (key: the content
 * key, which only holders of the book may have)? ACC_OK with the verified
 * proof in *pf, or ACC_ANSWERED with *ret: a 403/503 reply was queued or
 * the connection suspended while the chain is asked.
 */
static int need_access(gateway *g, struct MHD_Connection *c, const cid *roots, size_t n, bool key, access_proof *pf,
		       enum MHD_Result *ret)
{
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, ACCESS_HEADER), *why;
	char reason[160];
	uint64_t now = gw_now_s();
	if (!h || !*h)
		return *ret = deny(g, c, "access proof required", &roots[0]), ACC_ANSWERED;
	if (access_proof_parse(pf, h) < 0)
		return *ret = deny(g, c, "bad access proof: unparsable", &roots[0]), ACC_ANSWERED;
	if (access_proof_verify(pf, now, &why) < 0) {
		snprintf(reason, sizeof(reason), "bad access proof: %s", why);
		return *ret = deny(g, c, reason, &roots[0]), ACC_ANSWERED;
	}
	size_t i;
	for (i = 0; i < n; i++)
		if (cid_equal(&pf->root, &roots[i]))
			break;
	if (i == n)
		return *ret = deny(g, c, "bad access proof: it is for another root", &roots[0]), ACC_ANSWERED;

	bool draining = false;
	int result = gwc_access(g->ck, c, pf, key, &draining);
	if (result == GWC_WAIT)
		return *ret = MHD_YES, ACC_ANSWERED;
	if (result == 1)
		return ACC_OK;
	if (result == 0)
		return *ret = deny(g, c, "not purchased", &pf->root), ACC_ANSWERED;
	if (result == 2)
		*ret = unavailable(g, c, g->rpc_url ? (draining ? "the node is stopping" : "no answer")
						     : "no chain RPC configured", &pf->root);
	else
		*ret = unavailable(g, c, "the chain did not answer", &pf->root);
	return ACC_ANSWERED;
}

void gateway_completed(gateway *g, struct MHD_Connection *c)
{
	if (!g)
		return;
	gwc_completed(g->ck, c);
}

/* ---- /ipfs/ --------------------------------------------------------------------- */

static void ipfs_headers(struct MHD_Response *r, const char *type, const char *etag, const char *path,
			 const char *roots, const char *filename)
{
	char disp[300];
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Cache-Control", CACHE_CONTROL);
	MHD_add_response_header(r, "Etag", etag);
	MHD_add_response_header(r, "X-Ipfs-Path", path);
	MHD_add_response_header(r, "X-Ipfs-Roots", roots);
	snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", filename);
	MHD_add_response_header(r, "Content-Disposition", disp);
	MHD_add_response_header(r, "Vary", "Accept");
}

/* ?filename=, if it is plain (letters, digits, ".-_ "), else the default. */
static void pick_filename(char *out, size_t cap, struct MHD_Connection *c, const char *dflt)
{
	const char *f = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "filename");
	if (f && *f && strlen(f) < cap && strlen(f) < 200) {
		const char *s;
		for (s = f; *s; s++)
			if (!isalnum((unsigned char)*s) && !strchr(".-_ ", *s))
				break;
		if (!*s) {
			snprintf(out, cap, "%s", f);
			return;
		}
	}
	snprintf(out, cap, "%s", dflt);
}

static bool etag_matches(struct MHD_Connection *c, const char *etag)
{
	const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
	return inm && (strstr(inm, etag) || !strcmp(inm, "*"));
}

static enum MHD_Result serve_raw(gateway *g, struct MHD_Connection *c, const cid *b, bool head)
{
	char cs[CID_STR_MAX], etag[CID_STR_MAX + 8], path[CID_STR_MAX + 8], fname[256], dflt[CID_STR_MAX + 8];
	cid_str(cs, b);
	snprintf(etag, sizeof(etag), "\"%s.raw\"", cs);
	snprintf(path, sizeof(path), "/ipfs/%s", cs);
	snprintf(dflt, sizeof(dflt), "%s.bin", cs);
	struct MHD_Response *r = NULL;
	uint64_t size = 0;
	if (gated_is_identity(b)) {
		uint64_t mh;
		const uint8_t *d;
		size_t dl;
		cid_digest(b, &mh, &d, &dl);
		r = MHD_create_response_from_buffer(dl, (void *)d, MHD_RESPMEM_MUST_COPY);
		size = dl;
	} else {
		char *file = block_path(g, b);
		int fd = open(file, O_RDONLY | O_CLOEXEC);
		free(file);
		struct stat st;
		if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
			size = (uint64_t)st.st_size;
			r = MHD_create_response_from_fd64(size, fd);
			if (!r)
				close(fd);
		} else {
			if (fd >= 0)
				close(fd);
			/* Not where the layout says: ask the store itself. */
			buf data = BUF_INIT;
			int got = bstore_get(g->bs, &data, b);
			if (got == 1) {
				buf_free(&data);
				return reply_error(g, c, MHD_HTTP_NOT_FOUND, "block not found here");
			}
			if (got < 0) {
				buf_free(&data);
				return reply_error(g, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot read the block");
			}
			size = data.len;
			r = MHD_create_response_from_buffer(data.len, data.p, MHD_RESPMEM_MUST_FREE);
			data.p = NULL;
		}
	}
	if (!r)
		return reply_error(g, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot answer");
	if (etag_matches(c, etag)) {
		MHD_destroy_response(r);
		r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		MHD_add_response_header(r, "Etag", etag);
		MHD_add_response_header(r, "Cache-Control", CACHE_CONTROL);
		return queue(g, c, MHD_HTTP_NOT_MODIFIED, r);
	}
	pick_filename(fname, sizeof(fname), c, dflt);
	ipfs_headers(r, "application/vnd.ipld.raw", etag, path, cs, fname);
	if (!head) {
		atomic_fetch_add(&g->uploaded, size);
		atomic_fetch_add(&g->served, 1);
	}
	return queue(g, c, MHD_HTTP_OK, r);
}

typedef struct {
	cid *links;
	size_t n, i;
} frame;

typedef struct {
	gateway *g;
	buf out;
	size_t off;
	cid *pre;            /* blocks on the path, sent first */
	size_t npre, ipre;
	cid term;
	bool started, block_only, dups, finished, count;
	hmap seen;           /* dups=n: sent already */
	frame stack[MAX_DEPTH];
	size_t depth;
	bool granted;
	cid grant;
} car_stream;

static void car_free(void *cls)
{
	car_stream *s = cls;
	for (size_t i = 0; i < s->depth; i++)
		free(s->stack[i].links);
	hmap_free(&s->seen);
	buf_free(&s->out);
	free(s->pre);
	free(s);
}

/* May a CAR stream carry block c? */
static bool stream_may(car_stream *s, const cid *c)
{
	cid roots[MAX_GROOTS];
	size_t n = gated_roots_of(s->g, c, roots, MAX_GROOTS);
	if (!n)
		return true;
	for (size_t i = 0; s->granted && i < n; i++)
		if (cid_equal(&roots[i], &s->grant))
			return true;
	return false;
}

/* Append the next section to s->out: 1, 0 at the end, -1 stop (missing, corrupt, gated). */
static int car_next_section(car_stream *s)
{
	buf data = BUF_INIT;
	for (;;) {
		cid c;
		bool descend;
		if (s->ipre < s->npre) {
			c = s->pre[s->ipre++];
			descend = false;
		} else if (!s->started) {
			c = s->term;
			s->started = true;
			descend = !s->block_only;
		} else {
			while (s->depth && s->stack[s->depth - 1].i == s->stack[s->depth - 1].n)
				free(s->stack[--s->depth].links);
			if (!s->depth) {
				buf_free(&data);
				return 0;
			}
			frame *f = &s->stack[s->depth - 1];
			c = f->links[f->i++];
			descend = true;
			if (gated_is_identity(&c))
				continue;
		}
		if (!s->dups) {
			uint8_t k[32];
			cid_key(k, &c);
			if (hmap_get(&s->seen, k))
				continue;
			hmap_put(&s->seen, k, (void *)1);
		}
		if (!stream_may(s, &c))
			goto stop;
		const uint8_t *p;
		size_t len;
		if (gated_is_identity(&c)) {
			uint64_t mh;
			cid_digest(&c, &mh, &p, &len);
		} else {
			if (bstore_get(s->g->bs, &data, &c) != 0 || cid_check(&c, data.p, data.len) < 0)
				goto stop;
			p = data.p;
			len = data.len;
		}
		car_section(&s->out, &c, p, len);
		if (s->count)
			atomic_fetch_add(&s->g->served, 1);
		if (descend && cid_codec(&c) != CODEC_RAW) {
			cid *links;
			size_t nl;
			if (block_links(&links, &nl, &c, p, len) < 0)
				goto stop;
			if (nl && s->depth == MAX_DEPTH) {
				free(links);
				goto stop;
			}
			if (nl)
				s->stack[s->depth++] = (frame){links, nl, 0};
			else
				free(links);
		}
		buf_free(&data);
		return 1;
	}
stop:
	buf_free(&data);
	return -1;
}

static ssize_t car_read(void *cls, uint64_t pos, char *out, size_t max)
{
	car_stream *s = cls;
	while (s->off == s->out.len) {
		buf_reset(&s->out);
		s->off = 0;
		int r = s->finished ? 0 : car_next_section(s);
		if (r == 0) {
			s->finished = true;
			return MHD_CONTENT_READER_END_OF_STREAM;
		}
		if (r < 0) {
			s->finished = true;
			return MHD_CONTENT_READER_END_WITH_ERROR;
		}
	}
	size_t n = s->out.len - s->off;
	if (n > max)
		n = max;
	memcpy(out, s->out.p + s->off, n);
	s->off += n;
	if (s->count)
		atomic_fetch_add(&s->g->uploaded, n);
	return (ssize_t)n;
}

static enum MHD_Result serve_car(gateway *g, struct MHD_Connection *c, const gw_request *rq, const cid *term,
				 cid *pre, size_t npre, const cid *grant, bool head)
{
	char cs[CID_STR_MAX], etag[CID_STR_MAX + 80], fname[256], dflt[CID_STR_MAX + 8];
	cid_str(cs, &rq->root);
	if (!gated_is_identity(&rq->root) && !bstore_has(g->bs, &rq->root)) {
		free(pre);
		return reply_error(g, c, MHD_HTTP_NOT_FOUND, "block not found here");
	}
	/* Etag: the root and everything that shapes the answer. */
	buf shape = BUF_INIT;
	uint8_t h[32];
	char hs[64];
	buf_addf(&shape, "%s|%d|%d|%d|%lld|%lld", rq->path, (int)rq->scope, (int)rq->dups, (int)rq->has_entity_bytes,
		 (long long)rq->entity_from, (long long)rq->entity_to);
	sha256(h, shape.p, shape.len);
	buf_free(&shape);
	base32_encode(hs, sizeof(hs), h, 8);
	snprintf(etag, sizeof(etag), "W/\"%s.car.%s\"", cs, hs);
	buf path = BUF_INIT, roots = BUF_INIT;
	buf_addf(&path, "/ipfs/%s%s%s", cs, rq->path[0] ? "/" : "", rq->path);
	for (size_t i = 0; i < npre; i++) {
		char x[CID_STR_MAX];
		cid_str(x, &pre[i]);
		buf_addf(&roots, "%s,", x);
	}
	char t[CID_STR_MAX];
	cid_str(t, term);
	buf_adds(&roots, t);

	car_stream *s = xcalloc(1, sizeof(*s));
	s->g = g;
	s->pre = pre;
	s->npre = npre;
	s->term = *term;
	s->dups = rq->dups;
	s->count = !head;
	hmap_init(&s->seen, 32);
	if (grant) {
		s->granted = true;
		s->grant = *grant;
	}
	if (rq->scope == GW_SCOPE_BLOCK) {
		s->block_only = true;
	} else if (rq->scope == GW_SCOPE_ENTITY) {
		ufs_stat st;
		s->block_only = ufs_stat_of(g->bs, &st, term) == 0 && st.kind == UFS_ST_DIR;
	}
	if (head)
		s->finished = true;
	else
		car_header(&s->out, &rq->root, 1);
	struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, CAR_BLOCK, car_read, s, car_free);
	if (!r) {
		car_free(s);
		buf_free(&path);
		buf_free(&roots);
		return reply_error(g, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot answer");
	}
	snprintf(dflt, sizeof(dflt), "%s.car", cs);
	pick_filename(fname, sizeof(fname), c, dflt);
	ipfs_headers(r, rq->dups ? "application/vnd.ipld.car; version=1; order=dfs; dups=y"
				 : "application/vnd.ipld.car; version=1; order=dfs; dups=n",
		     etag, (const char *)path.p, (const char *)roots.p, fname);
	MHD_add_response_header(r, "Accept-Ranges", "none");
	buf_free(&path);
	buf_free(&roots);
	return queue(g, c, MHD_HTTP_OK, r);
}

/* ---- super-seeding (gateway.h) ------------------------------------------------- */

/*
 * Is this a swarm request (X-Lst-Swarm: 1[; id=TOKEN])? *who: a hash of
 * TOKEN, 0 when none is given.
 */
static bool swarm_request(struct MHD_Connection *c, uint64_t *who)
{
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, GW_SWARM_HEADER);
	*who = 0;
	if (!h)
		return false;
	while (*h == ' ')
		h++;
	if (h[0] != '1' || (h[1] && h[1] != ';' && h[1] != ' '))
		return false;
	for (const char *p = h + 1; *p;) {
		p += strspn(p, " ;");
		size_t n = strcspn(p, ";");
		if (n > 3 && !strncasecmp(p, "id=", 3)) {
			uint8_t d[32];
			while (n > 3 && p[n - 1] == ' ')
				n--;
			sha256(d, (const uint8_t *)p + 3, n - 3);
			memcpy(who, d, 8);
			if (!*who)
				*who = 1;
		}
		p += n;
	}
	return true;
}

/*
 * May swarm requester who have block c now? Yes (and it is recorded as
 * served to who), or no with *wait the milliseconds until it may.
 */
static bool superseed_admit(gateway *g, const cid *c, uint64_t who, uint64_t *wait)
{
	uint8_t d[32];
	uint64_t key, now = gw_now_ms();
	cid_key(d, c);
	memcpy(&key, d, 8);
	pthread_mutex_lock(&g->ss_lock);
	if (!g->ss)
		g->ss = xcalloc(GW_SUPERSEED_SLOTS, sizeof(*g->ss));
	ss_slot *s = &g->ss[key & (GW_SUPERSEED_SLOTS - 1)];
	bool yes = s->key != key || !s->at || now >= s->at + g->ss_ms || (who && s->who == who);
	if (yes)
		*s = (ss_slot){key, now, who};
	else
		*wait = s->at + g->ss_ms - now;
	pthread_mutex_unlock(&g->ss_lock);
	return yes;
}

static enum MHD_Result reply_busy(gateway *g, struct MHD_Connection *c, uint64_t wait)
{
	char secs[24], ms[24];
	snprintf(secs, sizeof(secs), "%llu", (unsigned long long)(wait + 999) / 1000);
	snprintf(ms, sizeof(ms), "%llu", (unsigned long long)wait);
	const char *text = "{\"error\":\"busy\",\"reason\":\"served recently: ask other readers\"}\n";
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(r, "Content-Type", "application/json");
	MHD_add_response_header(r, "Retry-After", secs);
	MHD_add_response_header(r, GW_BUSY_HEADER, ms);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	atomic_fetch_add(&g->refused, 1);
	return queue(g, c, MHD_HTTP_SERVICE_UNAVAILABLE, r);
}

static const char *arg(struct MHD_Connection *c, const char *key)
{
	return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, key);
}

static enum MHD_Result handle_ipfs(gateway *g, struct MHD_Connection *c, const char *url, bool head)
{
	gw_request rq;
	char err[256];
	int st = gateway_parse_request(&rq, url, arg(c, "format"),
				       MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept"), arg(c, "dag-scope"),
				       arg(c, "entity-bytes"), err, sizeof(err));
	if (st != 200)
		return reply_error(g, c, (unsigned)st, err);
	const char *cc = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Cache-Control");
	if (cc && strstr(cc, "only-if-cached") && !gated_is_identity(&rq.root) && !bstore_has(g->bs, &rq.root))
		return reply_error(g, c, MHD_HTTP_PRECONDITION_FAILED, "not cached here");

	cid roots[MAX_GROOTS], grant;
	access_proof pf;
	enum MHD_Result ret;
	bool granted = false;
	size_t n = gated_roots_of(g, &rq.root, roots, MAX_GROOTS);
	if (n) {
		if (need_access(g, c, roots, n, false, &pf, &ret) != ACC_OK)
			return ret;
		granted = true;
		grant = pf.root;
	}
	if (rq.format == GW_RAW) {
		uint64_t who, wait;
		if (!head && g->ss_ms && cid_codec(&rq.root) == CODEC_RAW && !gated_is_identity(&rq.root) &&
		    swarm_request(c, &who) && bstore_has(g->bs, &rq.root) && !superseed_admit(g, &rq.root, who, &wait))
			return reply_busy(g, c, wait);
		return serve_raw(g, c, &rq.root, head);
	}

	/* The blocks on the path, then the DAG at its end. */
	cid term = rq.root, *pre = NULL;
	size_t npre = 0;
	if (rq.path[0]) {
		char seg[GW_PATH_MAX];
		size_t nseg = 1;
		for (const char *p = rq.path; *p; p++)
			nseg += *p == '/';
		pre = xcalloc(nseg, sizeof(cid));
		for (const char *p = rq.path; *p;) {
			size_t sl = strcspn(p, "/");
			memcpy(seg, p, sl);
			seg[sl] = 0;
			p += sl + (p[sl] == '/');
			pre[npre++] = term;
			cid next;
			int r = ufs_resolve(g->bs, &next, &term, seg);
			if (r != 0) {
				free(pre);
				return reply_error(g, c, MHD_HTTP_NOT_FOUND, r == 1 ? "no such path here" : "cannot resolve the path");
			}
			term = next;
		}
		if (!granted && (n = gated_roots_of(g, &term, roots, MAX_GROOTS))) {
			if (need_access(g, c, roots, n, false, &pf, &ret) != ACC_OK) {
				free(pre);
				return ret;
			}
			granted = true;
			grant = pf.root;
		}
	}
	return serve_car(g, c, &rq, &term, pre, npre, granted ? &grant : NULL, head);
}

/* ---- /lst/v1/ ------------------------------------------------------------------- */

static enum MHD_Result handle_key(gateway *g, struct MHD_Connection *c, const char *rs)
{
	cid root;
	char cs[CID_STR_MAX];
	if (cid_parse(&root, rs) < 0)
		return reply_error(g, c, MHD_HTTP_BAD_REQUEST, "invalid root CID");
	cid_str(cs, &root);
	char *path = g->home ? xasprintf("%s/content-keys/%s", g->home, cs) : NULL;
	if (!path || access(path, F_OK) < 0) {
		free(path);
		return reply_json(g, c, MHD_HTTP_NOT_FOUND,
				  json_pack("{s:s,s:s}", "error", "no key for this root here", "root", cs));
	}
	access_proof pf;
	enum MHD_Result ret;
	if (need_access(g, c, &root, 1, true, &pf, &ret) != ACC_OK) {
		free(path);
		return ret;
	}
	uint8_t *key = sodium_malloc(CONTENT_KEY_BYTES), env[CONTENT_KEY_BYTES + SEAL_OVERHEAD];
	int r = key ? content_key_read_file(key, path) : -1;
	free(path);
	if (r == 0)
		r = seal_to(env, pf.pub, key, CONTENT_KEY_BYTES);
	if (key) {
		sodium_memzero(key, CONTENT_KEY_BYTES);
		sodium_free(key);
	}
	if (r < 0)
		return reply_error(g, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot seal the key");
	char a[43], *hex = hex_encode_alloc(env, sizeof(env));
	hex_encode(a, pf.addr, 20);
	enum MHD_Result res = reply_json(
	    g, c, MHD_HTTP_OK, json_pack("{s:s,s:s,s:s}", "root", cs, "address", a, "envelope", hex));
	free(hex);
	return res;
}

/* The serving key, loaded (created when absent) with the first page request. NULL on failure (reported). */
static const uint8_t *serve_key(gateway *g)
{
	pthread_mutex_lock(&g->lock);
	if (!g->serve_priv) {
		uint8_t *k = sodium_malloc(32), addr[20];
		if (k && pages_serve_key(k, addr, g->home, true) == 0) {
			g->serve_priv = k;
			memcpy(g->server, addr, 20);
		} else if (k)
			sodium_free(k);
	}
	const uint8_t *k = g->serve_priv;
	pthread_mutex_unlock(&g->lock);
	return k;
}

/*
 * The chain's pageAccess answer for a page request on c: 1 and *pa (from
 * the cache, or from a check that resumed c), 0 with *ret (c suspended
 * while a worker asks, or a 503 queued).
 */
static int page_access(gateway *g, struct MHD_Connection *c, const pages_request *rq, pages_access *pa,
		       enum MHD_Result *ret)
{
	bool draining = false;
	int result = gwc_pages(g->ck, c, rq, pa, &draining);
	if (result == GWC_WAIT) {
		*ret = MHD_YES;
		return 0;
	}
	if (result == 1)
		return 1;
	char r[CID_STR_MAX];
	cid_str(r, &rq->root);
	const char *why = result == -1 ? "the chain did not answer"
			  : !g->rpc_url ? "no chain RPC configured"
			  : draining    ? "the node is stopping"
					: "no answer";
	*ret = reply_json(g, c, MHD_HTTP_SERVICE_UNAVAILABLE,
			  json_pack("{s:s,s:s,s:s}", "error", "cannot check membership", "reason", why, "root", r));
	return 0;
}

/* POST /lst/v1/pages/{root}: page keys for a member (pages.h). */
static enum MHD_Result handle_pages(gateway *g, struct MHD_Connection *c, const char *rs, const char *body, size_t len)
{
	cid root;
	char cs[CID_STR_MAX], reason[160];
	const char *why = "not JSON";
	pages_request rq;
	enum MHD_Result ret;
	if (cid_parse(&root, rs) < 0)
		return reply_error(g, c, MHD_HTTP_BAD_REQUEST, "invalid root CID");
	cid_str(cs, &root);
	if (len > BODY_MAX)
		return reply_error(g, c, MHD_HTTP_CONTENT_TOO_LARGE, "a page request is at most 1 MiB");
	json_t *j = json_loadb(body ? body : "", len, 0, NULL);
	int pr = j ? pages_request_from_json(&rq, j, &why) : -1;
	json_decref(j);
	if (pr == 0 && !cid_equal(&rq.root, &root)) {
		pr = -1;
		why = "the request is for another root";
	}
	if (pr < 0)
		return reply_json(g, c, MHD_HTTP_BAD_REQUEST,
				  json_pack("{s:s,s:s,s:s}", "error", "invalid page request", "reason", why, "root", cs));
	if (pages_request_verify(&rq, gw_now_s(), &why) < 0) {
		snprintf(reason, sizeof(reason), "bad page request: %s", why);
		return deny(g, c, reason, &root);
	}
	int have = g->home ? pages_have(g->bs, g->home, &root) : 0;
	if (have <= 0)
		return reply_json(g, c, have == 0 ? MHD_HTTP_NOT_FOUND : MHD_HTTP_INTERNAL_SERVER_ERROR,
				  json_pack("{s:s,s:s}", "error",
					    have == 0 ? "no key for this root here" : "cannot read the book here", "root", cs));
	const uint8_t *sk = serve_key(g);
	if (!sk)
		return reply_json(g, c, MHD_HTTP_INTERNAL_SERVER_ERROR,
				  json_pack("{s:s,s:s}", "error", "no serving key here", "root", cs));
	pages_access pa;
	if (!page_access(g, c, &rq, &pa, &ret))
		return ret;
	unsigned status = 500;
	json_t *ans = pages_serve(&status, g->bs, g->home, &rq, &pa, sk, g->server, gw_now_s());
	if (status == MHD_HTTP_OK)
		atomic_fetch_add(&g->pages, (uint64_t)(rq.to - rq.from) + 1);
	return reply_json(g, c, status, ans);
}

static enum MHD_Result handle_announce(gateway *g, struct MHD_Connection *c, const char *body, size_t len)
{
	if (len > BODY_MAX)
		return reply_error(g, c, MHD_HTTP_CONTENT_TOO_LARGE, "a provider record is at most 1 MiB");
	json_error_t jerr;
	json_t *j = json_loadb(body ? body : "", len, 0, &jerr);
	if (!j)
		return reply_json(g, c, MHD_HTTP_BAD_REQUEST,
				  json_pack("{s:s,s:s}", "error", "invalid record", "reason", "not JSON"));
	prov_record r;
	const char *why;
	int added = prov_record_from_json(&r, j, &why) < 0 ? -1 : prov_registry_add(g->reg, &r, gw_now_s(), &why);
	json_decref(j);
	if (added < 0) {
		prov_record_free(&r);
		return reply_json(g, c, MHD_HTTP_BAD_REQUEST,
				  json_pack("{s:s,s:s}", "error", "invalid record", "reason", why));
	}
	if (added == 1 && g->npeers) {
		const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Lst-Peer");
		char *o = origin && *origin ? http_base_url(origin) : NULL;
		const char **to = xcalloc(g->npeers, sizeof(char *));
		size_t nto = 0;
		for (size_t i = 0; i < g->npeers; i++)
			if (!o || strcmp(o, g->peers[i]))
				to[nto++] = g->peers[i];
		prov_gossip(g->reg, to, nto, &r);
		free(to);
		free(o);
	}
	prov_record_free(&r);
	return reply_json(g, c, MHD_HTTP_OK, json_pack("{s:b,s:b}", "ok", 1, "new", added == 1));
}

typedef struct {
	gateway *g;
	struct MHD_Connection *conn;
	cid root;
} pull_job;

static void *pull_main(void *arg)
{
	pull_job *j = arg;
	gateway *g = j->g;
	prov_pull(g->reg, (const char *const *)g->peers, g->npeers, &j->root, gw_now_s());
	MHD_resume_connection(j->conn);
	pthread_mutex_lock(&g->lock);
	g->npulls--;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
	free(j);
	return NULL;
}

/*
 * A lookup of root's providers by a reader (not by a peer, which sends
 * X-Lst-Peer): when due, suspend c and pull the peers' records in a
 * thread, which resumes c; then this is called again and answers. true
 * when c was suspended.
 */
static bool pull_start(gateway *g, struct MHD_Connection *c, const cid *root)
{
	if (!g->npeers || MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Lst-Peer"))
		return false;
	uint8_t k[32];
	crypto_hash_sha256(k, root->bytes, root->len);
	uint64_t now = gw_now_ms();
	bool go = false;
	pthread_mutex_lock(&g->lock);
	uintptr_t last = (uintptr_t)hmap_get(&g->pulled, k);
	if (!g->draining && g->npulls < PULLS_MAX && (!last || now - last >= PULL_EVERY_MS)) {
		if (g->pulled.len >= PULLED_MAX) {
			hmap_free(&g->pulled);
			hmap_init(&g->pulled, 32);
		}
		hmap_put(&g->pulled, k, (void *)(uintptr_t)now);
		pull_job *j = xcalloc(1, sizeof(*j));
		j->g = g;
		j->conn = c;
		j->root = *root;
		pthread_t t;
		pthread_attr_t at;
		pthread_attr_init(&at);
		pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
		MHD_suspend_connection(c);
		if (pthread_create(&t, &at, pull_main, j) == 0) {
			g->npulls++;
			go = true;
		} else {
			MHD_resume_connection(c);
			free(j);
		}
		pthread_attr_destroy(&at);
	}
	pthread_mutex_unlock(&g->lock);
	return go;
}

static enum MHD_Result handle_lst(gateway *g, struct MHD_Connection *c, const char *url, const char *method,
				  const char *body, size_t len)
{
	const char *rest = url + strlen("/lst/v1/");
	bool get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
	if (!strcmp(rest, "providers")) {
		if (strcmp(method, "POST"))
			return reply_method(g, c, "POST");
		return handle_announce(g, c, body, len);
	}
	if (!strncmp(rest, "pages/", 6)) {
		if (strcmp(method, "POST"))
			return reply_method(g, c, "POST");
		return handle_pages(g, c, rest + 6, body, len);
	}
	if (!strncmp(rest, "providers/", 10) || !strncmp(rest, "key/", 4) || !strcmp(rest, "stats")) {
		if (!get)
			return reply_method(g, c, "GET, HEAD");
	} else {
		return reply_error(g, c, MHD_HTTP_NOT_FOUND, "no such endpoint");
	}
	if (!strcmp(rest, "stats")) {
		gateway_stats s;
		gateway_get_stats(g, &s);
		return reply_json(g, c, MHD_HTTP_OK,
				  json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}", "uploaded_bytes", (json_int_t)s.uploaded_bytes,
					    "blocks_served", (json_int_t)s.blocks_served, "requests",
					    (json_int_t)s.requests, "denied", (json_int_t)s.denied, "superseed_refused",
					    (json_int_t)s.superseed_refused, "pages_served", (json_int_t)s.pages_served));
	}
	if (!strncmp(rest, "key/", 4))
		return handle_key(g, c, rest + 4);
	cid root;
	if (cid_parse(&root, rest + 10) < 0)
		return reply_error(g, c, MHD_HTTP_BAD_REQUEST, "invalid root CID");
	if (pull_start(g, c, &root))
		return MHD_YES; /* answered when the pull resumes c */
	return reply_json(g, c, MHD_HTTP_OK, prov_registry_list(g->reg, &root, gw_now_s()));
}

bool gateway_route(const char *url)
{
	return url && (!strncmp(url, "/ipfs/", 6) || !strcmp(url, "/ipfs") || !strncmp(url, "/lst/v1/", 8));
}

enum MHD_Result gateway_handle(gateway *g, struct MHD_Connection *c, const char *url, const char *method,
			       const char *body, size_t body_len)
{
	if (!strncmp(url, "/lst/v1/", 8))
		return handle_lst(g, c, url, method, body, body_len);
	bool head = !strcmp(method, "HEAD");
	if (!head && strcmp(method, "GET"))
		return reply_method(g, c, "GET, HEAD");
	if (!strncmp(url, "/ipfs/", 6))
		return handle_ipfs(g, c, url, head);
	return reply_error(g, c, MHD_HTTP_BAD_REQUEST, "no CID: /ipfs/{cid}");
}

void gateway_get_stats(gateway *g, gateway_stats *out)
{
	out->uploaded_bytes = atomic_load(&g->uploaded);
	out->blocks_served = atomic_load(&g->served);
	out->requests = atomic_load(&g->requests);
	out->denied = atomic_load(&g->denied);
	out->superseed_refused = atomic_load(&g->refused);
	out->pages_served = atomic_load(&g->pages);
}

/* ---- life cycle ------------------------------------------------------------------ */

void gateway_opts_init(gateway_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->gate = true;
	o->superseed_ms = GW_SUPERSEED_MS;
}

gateway *gateway_new(const gateway_opts *o)
{
	if (!o->store_dir) {
		diag_error(LST_EUSAGE, "the gateway needs a block store");
		return NULL;
	}
	bstore *bs = bstore_open(o->store_dir);
	if (!bs)
		return NULL;
	gateway *g = xcalloc(1, sizeof(*g));
	g->bs = bs;
	g->store_dir = xstrdup(o->store_dir);
	g->home = o->home ? xstrdup(o->home) : NULL;
	g->rpc_url = o->rpc_url && *o->rpc_url ? xstrdup(o->rpc_url) : NULL;
	g->self_url = o->self_url && *o->self_url ? xstrdup(o->self_url) : NULL;
	g->gate = o->gate;
	g->peers = xcalloc(o->npeers ? o->npeers : 1, sizeof(char *));
	for (size_t i = 0; i < o->npeers; i++)
		if (o->peers[i] && (g->peers[g->npeers] = http_base_url(o->peers[i])))
			g->npeers++;
	g->reg = prov_registry_new();
	prov_registry_set_self(g->reg, g->self_url);
	atomic_init(&g->uploaded, 0);
	atomic_init(&g->served, 0);
	atomic_init(&g->requests, 0);
	atomic_init(&g->denied, 0);
	atomic_init(&g->refused, 0);
	atomic_init(&g->pages, 0);
	g->ss_ms = o->superseed_ms;
	pthread_mutex_init(&g->ss_lock, NULL);
	g->gx = gated_new(bs, o->store_dir);
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->cond, NULL);
	hmap_init(&g->pulled, 32);
	g->ck = gwc_new(g->rpc_url);
	return g;
}

void gateway_drain(gateway *g)
{
	if (!g)
		return;
	pthread_mutex_lock(&g->lock);
	g->draining = true;
	pthread_mutex_unlock(&g->lock);
	gwc_drain(g->ck);
	pthread_mutex_lock(&g->lock);
	while (g->npulls)
		pthread_cond_wait(&g->cond, &g->lock);
	pthread_mutex_unlock(&g->lock);
}

void gateway_free(gateway *g)
{
	if (!g)
		return;
	gateway_drain(g);
	gwc_free(g->ck);
	gated_free(g->gx);
	if (g->serve_priv)
		sodium_free(g->serve_priv);
	hmap_free(&g->pulled);
	free(g->ss);
	pthread_mutex_destroy(&g->ss_lock);
	pthread_mutex_destroy(&g->lock);
	pthread_cond_destroy(&g->cond);
	prov_registry_free(g->reg);
	bstore_close(g->bs);
	for (size_t i = 0; i < g->npeers; i++)
		free(g->peers[i]);
	free(g->peers);
	free(g->store_dir);
	free(g->home);
	free(g->rpc_url);
	free(g->self_url);
	free(g);
}

/* ---- standalone ---------------------------------------------------------------------- */

typedef struct {
	buf body;
	bool too_big;
} upload;

static enum MHD_Result sa_handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *data, size_t *size, void **con_cls)
{
	gateway *g = cls;
	upload *u = *con_cls;
	/* Answer on the second call, once MHD has the whole request: an answer queued earlier closes the connection. */
	if (!u) {
		*con_cls = xcalloc(1, sizeof(upload));
		return MHD_YES;
	}
	if (!strcmp(method, "OPTIONS")) {
		struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		MHD_add_response_header(r, "Access-Control-Allow-Headers", "Content-Type, Accept, X-Lst-Access, X-Lst-Height, X-Lst-Peer, X-Lst-Swarm");
		MHD_add_response_header(r, "Access-Control-Allow-Methods", "GET, HEAD, POST, OPTIONS");
		return queue(g, c, MHD_HTTP_NO_CONTENT, r);
	}
	if (*size) {
		if (u->body.len + *size > BODY_MAX)
			u->too_big = true;
		else
			buf_add(&u->body, data, *size);
		*size = 0;
		return MHD_YES;
	}
	if (u->too_big)
		return reply_error(g, c, MHD_HTTP_CONTENT_TOO_LARGE, "request too large");
	if (gateway_route(url))
		return gateway_handle(g, c, url, method, (const char *)u->body.p, u->body.len);
	if (!strcmp(url, "/health") && (!strcmp(method, "GET") || !strcmp(method, "HEAD")))
		return reply_json(g, c, MHD_HTTP_OK, json_pack("{s:b}", "ok", 1));
	return reply_error(g, c, MHD_HTTP_NOT_FOUND, "no such endpoint");
}

static void sa_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	gateway_completed(cls, c);
	upload *u = *con_cls;
	if (u) {
		buf_free(&u->body);
		free(u);
		*con_cls = NULL;
	}
}

int gateway_start(gateway **out, const gateway_opts *o, const char *listen, char *url, size_t urlcap)
{
	struct sockaddr_in sa;
	char host[64];
	*out = NULL;
	if (!strncmp(listen, "http://", 7))
		listen += 7;
	const char *colon = strrchr(listen, ':');
	if (!colon || (size_t)(colon - listen) >= sizeof(host) || colon == listen)
		return diag_error(LST_EUSAGE, "--listen takes HOST:PORT, not '%s'", listen);
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = 0;
	char *end;
	unsigned long port = strtoul(colon + 1, &end, 10);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (!colon[1] || *end || port > 65535 ||
	    inet_pton(AF_INET, !strcmp(host, "localhost") ? "127.0.0.1" : host, &sa.sin_addr) != 1)
		return diag_error(LST_EUSAGE, "--listen takes an IPv4 HOST:PORT, not '%s'", listen);
	gateway *g = gateway_new(o);
	if (!g)
		return -1;
	g->mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME,
				  (uint16_t)port, NULL, NULL, sa_handler, g, MHD_OPTION_SOCK_ADDR, &sa,
				  MHD_OPTION_THREAD_POOL_SIZE, 8, MHD_OPTION_NOTIFY_COMPLETED, sa_completed, g,
				  MHD_OPTION_CONNECTION_TIMEOUT, 120, MHD_OPTION_CONNECTION_LIMIT, 4096, MHD_OPTION_END);
	if (!g->mhd) {
		int e = errno;
		gateway_free(g);
		return diag_error(LST_EUNAVAIL, "cannot listen on %s: %s", listen, strerror(e ? e : EADDRINUSE));
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(g->mhd, MHD_DAEMON_INFO_BIND_PORT);
	char u[128];
	snprintf(u, sizeof(u), "http://%s:%u", host, info ? info->port : (unsigned)port);
	if (url && urlcap)
		snprintf(url, urlcap, "%s", u);
	if (!g->self_url) {
		g->self_url = xstrdup(u);
		prov_registry_set_self(g->reg, u);
	}
	*out = g;
	return 0;
}

void gateway_stop(gateway *g)
{
	if (!g)
		return;
	gateway_drain(g);
	if (g->mhd)
		MHD_stop_daemon(g->mhd);
	g->mhd = NULL;
	gateway_free(g);
}
