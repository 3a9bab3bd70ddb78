/* fetch.c: see fetch.h. */
#include "lst.h"
#include "fetch.h"
#include "access.h"
#include "addr.h"
#include "buf.h"
#include "dagpb.h"
#include "content.h"
#include "diag.h"
#include "http.h"
#include "gateway.h"
#include "hex.h"
#include "hmap.h"
#include "providers.h"
#include "secp.h"

#include <inttypes.h>
#include <curl/curl.h>
#include <sodium.h>
#include <strings.h>
#include <time.h>

#define DEFAULT_INFLIGHT 16
#define DEFAULT_PER_PEER 4
#define MAX_FAILURES 3
#define MAX_POSITIONS (1u << 22) /* leaves in DFS order, as many as a provider record holds */
#define REFRESH_MS 200
#define ANNOUNCE_MS 150          /* partial records at most this often */
#define ANNOUNCE_AHEAD 30        /* s: each record expires a second after the last, so a burst runs ahead this far at most */
#define PROGRESS_MS 200
#define ORDER_MS 100            /* recount availability at most this often */
#define SLOW_MS 2000            /* a request this old is also sent to an idle peer */
#define RATE_SAMPLES 26         /* one per progress tick: about 5 s */
#define ANNOUNCE_LIFETIME 600    /* partial records */
#define DONE_LIFETIME 3600       /* the complete record when done (lst-swarm announce renews it) */
#define PROOF_LIFETIME 3600
#define PROOF_RENEW 3000
#define LIST_MAX (32u << 20)     /* a provider list */
#define REPLY_MAX 4096           /* other answers we read (errors, reasons) */
#define NO_POS UINT64_MAX
#define BUSY_DEFAULT_MS 1000     /* a busy answer without a time: ask that peer for that block again after this */
#define BUSY_MAX_MS 60000
#define SUPERSEED_TRIES 2        /* refusals of a block by a peer before we ask it without X-Lst-Swarm */

enum { K_UNKNOWN, K_INTERNAL, K_LEAF };   /* what a block is, as far as we know */
enum { S_NEED, S_FLIGHT, S_HAVE };

typedef struct {
	cid c;
	uint8_t kind, state;
	uint8_t nflight;         /* requests in flight for it (2 when a slow one is doubled) */
	bool size_known;
	uint32_t rnd;            /* tie-break among equally rare leaves */
	uint32_t avail;          /* providers that have it (leaves) */
	uint64_t size;
	uint64_t pos;            /* leaves: first position in DFS order */
	uint32_t *kids;          /* internal: children in link order (block indices) */
	uint32_t nkids;
	uint32_t *lack;          /* peers that answered 404 for it */
	uint32_t nlack, caplack;
	struct refusal *busy;    /* peers that answered busy for it (super-seeding) */
	uint32_t nbusy, capbusy;
} blk;

/* Peer `peer` answered busy for a block `count` times; not asked again for it until `until` (ms). */
typedef struct refusal {
	uint32_t peer, count;
	uint64_t until;
} refusal;

typedef struct {
	char *url;
	bool complete;           /* a --peer or a complete record */
	uint8_t *have;           /* a partial record's bitmap over positions */
	uint64_t leaves;
	uint8_t sig[65];         /* its record's signature (verified once) */
	bool has_sig;
	unsigned inflight, failures;
	bool dropped, denied;
	bool useful;             /* a partial provider of a leaf we still need */
	uint64_t bytes;
} peer;

enum { X_BLOCK, X_LIST, X_ANNOUNCE };

typedef struct xfer {
	CURL *h;
	int kind;
	uint32_t blk, peer;
	buf body;
	size_t max;
	bool over;
	int64_t busy_ms;         /* X-Lst-Busy, -1 absent */
	int64_t retry_s;         /* Retry-After in seconds, -1 absent */
	uint64_t started;        /* ms */
	struct xfer *prev, *next;
} xfer;

typedef struct {
	bstore *s;
	const fetch_opts *o;
	cid root;
	char rootstr[CID_STR_MAX];
	unsigned max_inflight, per_peer;

	blk *b;
	size_t nb, capb;
	hmap index;              /* padded CID -> block index + 1 */
	uint32_t *local;         /* present blocks whose links are still to be read */
	size_t nlocal, caplocal;
	size_t unknown;          /* blocks of kind K_UNKNOWN */
	size_t next_internal;    /* scan start for K_UNKNOWN blocks to fetch */
	bool phase2;             /* positions known, fetching leaves */
	uint32_t *pos;           /* position -> block index */
	uint64_t npos;
	uint32_t *order;         /* leaves by (avail, rnd) */
	size_t norder;
	bool order_dirty;
	uint64_t order_at;
	size_t readers;          /* useful partial providers: seeds get one request at a time then */
	size_t partials;         /* partial providers known (other readers), useful or not yet */
	bool warmup;             /* with a node: seeds one at a time until a list after our first record */
	uint64_t warmup_until;   /* and at most until then */
	bool announced_once;

	uint64_t have_blocks, have_bytes, total_bytes_known, unknown_sizes;
	uint64_t have_leaves;    /* distinct leaves present */
	uint64_t blocks_fetched, bytes_fetched;

	peer *p;
	size_t np, capp;
	uint8_t self_addr[20];
	bool has_self;

	CURLM *m;
	xfer *active;
	unsigned block_inflight;
	bool list_inflight, announce_inflight, node_failed, node_answered;
	uint64_t last_list_start, next_list, last_announce, announced_leaves;
	uint64_t last_expires;   /* of our last record: each must expire later (providers.h keeps the newer) */
	struct curl_slist *hdr;  /* Accept and the access proof */
	struct curl_slist *hdr_swarm; /* the same and X-Lst-Swarm, for leaves asked of seeds */
	char swarm_id[24];       /* this fetch's X-Lst-Swarm id: "0x" and 16 hex digits */
	uint64_t busy_last;      /* the latest `until` of a busy answer: not stuck before it */
	uint64_t refusals;       /* busy answers in all */
	struct curl_slist *json_hdr;
	struct curl_slist *old_hdrs[16];
	size_t nold;
	uint64_t proof_made;

	bool gate_checked;       /* is the root an encrypted object (gated)? asked once */
	char deny_peer[256], deny_reason[256], last_err[384], node_err[384];

	uint64_t last_progress;
	uint64_t rate_ms[RATE_SAMPLES], rate_bytes[RATE_SAMPLES];
	size_t rate_n, rate_i;
} fetcher;

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t now_s(void)
{
	return (uint64_t)time(NULL);
}

static char *trim_url(const char *s)
{
	size_t n = strlen(s);
	while (n && s[n - 1] == '/')
		n--;
	return xasprintf("%.*s", (int)n, s);
}

static bool same_url(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	while (na && a[na - 1] == '/')
		na--;
	while (nb && b[nb - 1] == '/')
		nb--;
	return na == nb && !memcmp(a, b, na);
}

/* ---- blocks ------------------------------------------------------------ */

static void index_key(uint8_t key[CID_MAX], const cid *c)
{
	memset(key, 0, CID_MAX);
	memcpy(key, c->bytes, c->len);
}

static void have_block(fetcher *f, blk *b, uint64_t size)
{
	b->state = S_HAVE;
	if (!b->size_known) {
		b->size_known = true;
		f->unknown_sizes--;
		f->total_bytes_known += size;
	} else if (b->size != size) {
		f->total_bytes_known = f->total_bytes_known - b->size + size;
	}
	b->size = size;
	f->have_blocks++;
	f->have_bytes += size;
	if (b->kind == K_LEAF)
		f->have_leaves++;
}

/*
 * The block for c, added when new: a raw CID is a leaf, anything else
 * unknown until its bytes are seen. A present block is marked so, and if
 * it may have links it is queued to be read (drain_local). size_hint: the
 * parent link's Tsize when that is exactly the block's size, else 0.
 * -1 on a store error (reported).
 */
static int add_block(fetcher *f, uint32_t *out, const cid *c, uint64_t size_hint, bool hint)
{
	uint8_t key[CID_MAX];
	index_key(key, c);
	void *v = hmap_get(&f->index, key);
	if (v) {
		*out = (uint32_t)((uintptr_t)v - 1);
		return 0;
	}
	if (f->nb >= UINT32_MAX - 1)
		return diag_error(LST_EINVALID, "dag of '%s' has too many blocks", f->rootstr);
	if (f->nb == f->capb) {
		f->capb = f->capb ? f->capb * 2 : 64;
		f->b = xrealloc(f->b, f->capb * sizeof(*f->b));
	}
	uint32_t i = (uint32_t)f->nb++;
	blk *b = &f->b[i];
	memset(b, 0, sizeof(*b));
	b->c = *c;
	b->pos = NO_POS;
	b->rnd = randombytes_random();
	b->kind = cid_codec(c) == CODEC_RAW ? K_LEAF : K_UNKNOWN;
	if (b->kind == K_UNKNOWN)
		f->unknown++;
	f->unknown_sizes++;
	if (hint && b->kind == K_LEAF) {
		b->size = size_hint;
		b->size_known = true;
		f->unknown_sizes--;
		f->total_bytes_known += size_hint;
	}
	hmap_put(&f->index, key, (void *)(uintptr_t)(i + 1));
	*out = i;

	if (!bstore_has(f->s, c))
		return 0;
	if (b->kind == K_LEAF) {
		uint64_t size;
		int r = bstore_size(f->s, &size, c);
		if (r < 0)
			return -1;
		if (r == 0)
			have_block(f, b, size);
		return 0;
	}
	if (f->nlocal == f->caplocal) {
		f->caplocal = f->caplocal ? f->caplocal * 2 : 16;
		f->local = xrealloc(f->local, f->caplocal * sizeof(*f->local));
	}
	f->local[f->nlocal++] = i;
	return 0;
}

/*
 * Learn what block i is from its (verified) bytes: its links become
 * blocks of the DAG. 0, or -1 (reported) when it does not decode.
 */
static int learn(fetcher *f, uint32_t i, const uint8_t *data, size_t len)
{
	blk *b = &f->b[i];
	if (b->kind != K_UNKNOWN)
		return 0;
	uint64_t codec = cid_codec(&b->c);
	cid *links = NULL;
	uint64_t *sizes = NULL;
	bool *exact = NULL;
	size_t n = 0;
	if (codec == CODEC_DAG_PB) {
		pb_node node;
		if (pb_node_decode(&node, data, len) < 0)
			goto bad;
		n = node.nlinks;
		links = xcalloc(n ? n : 1, sizeof(*links));
		sizes = xcalloc(n ? n : 1, sizeof(*sizes));
		exact = xcalloc(n ? n : 1, sizeof(*exact));
		for (size_t k = 0; k < n; k++) {
			links[k] = node.links[k].hash;
			sizes[k] = node.links[k].tsize;
			/* a raw block's Tsize is its size */
			exact[k] = node.links[k].has_tsize && cid_codec(&links[k]) == CODEC_RAW &&
				   node.links[k].tsize <= BLOCK_MAX;
		}
		pb_node_free(&node);
	} else if (codec == CODEC_DAG_CBOR) {
		if (block_links(&links, &n, &b->c, data, len) < 0)
			goto bad;
	}
	/* other codecs: we cannot see links, so a leaf */
	f->unknown--;
	if (!n) {
		b->kind = K_LEAF;
		if (b->state == S_HAVE)
			f->have_leaves++;
	} else {
		if (n > UINT32_MAX) {
			free(links);
			free(sizes);
			free(exact);
			return diag_error(LST_EINVALID, "block '%s' has too many links", f->rootstr);
		}
		b->kind = K_INTERNAL;
		b->nkids = (uint32_t)n;
		b->kids = xcalloc(n, sizeof(*b->kids));
		for (size_t k = 0; k < n; k++) {
			uint32_t kid;
			if (add_block(f, &kid, &links[k], sizes ? sizes[k] : 0, exact && exact[k]) < 0) {
				free(links);
				free(sizes);
				free(exact);
				return -1;
			}
			f->b[i].kids[k] = kid; /* add_block may move f->b */
		}
	}
	free(links);
	free(sizes);
	free(exact);
	return 0;
bad:;
	char s[CID_STR_MAX];
	cid_str(s, &f->b[i].c);
	return diag_error(LST_EINVALID, "block '%s' of '%s' does not decode", s, f->rootstr);
}

/* Read the present blocks queued by add_block and learn their links. */
static int drain_local(fetcher *f)
{
	buf data = BUF_INIT;
	int rc = 0;
	while (f->nlocal && rc == 0) {
		uint32_t i = f->local[--f->nlocal];
		blk *b = &f->b[i];
		int r = bstore_get(f->s, &data, &b->c);
		if (r < 0) {
			rc = -1;
			break;
		}
		if (r == 1)
			continue; /* removed meanwhile: fetch it */
		if (cid_check(&b->c, data.p, data.len) < 0) {
			char s[CID_STR_MAX];
			cid_str(s, &b->c);
			diag_warn("block '%s' in the store is corrupt; fetching it again", s);
			if (bstore_rm(f->s, &b->c) < 0)
				rc = -1;
			continue;
		}
		have_block(f, b, data.len);
		rc = learn(f, i, data.p, data.len);
	}
	buf_free(&data);
	return rc;
}

/* Leaves in depth-first link order: f->pos. -1 (reported) if too many. */
static int positions(fetcher *f)
{
	typedef struct {
		uint32_t i, next;
	} frame;
	size_t n = 0, cap = 16, capp = 64;
	frame *st = xmalloc(cap * sizeof(*st));
	f->pos = xmalloc(capp * sizeof(*f->pos));
	f->npos = 0;
	st[n++] = (frame){0, 0};
	while (n) {
		frame *t = &st[n - 1];
		blk *b = &f->b[t->i];
		if (b->kind != K_INTERNAL) {
			if (f->npos == MAX_POSITIONS) {
				free(st);
				return diag_error(LST_EINVALID, "dag of '%s' has over %u leaves", f->rootstr,
						  MAX_POSITIONS);
			}
			if (f->npos == capp) {
				capp *= 2;
				f->pos = xrealloc(f->pos, capp * sizeof(*f->pos));
			}
			if (b->pos == NO_POS)
				b->pos = f->npos;
			f->pos[f->npos++] = t->i;
			n--;
			continue;
		}
		if (t->next == b->nkids) {
			n--;
			continue;
		}
		uint32_t kid = b->kids[t->next++];
		if (n == cap) {
			cap *= 2;
			st = xrealloc(st, cap * sizeof(*st));
		}
		st[n++] = (frame){kid, 0};
	}
	free(st);
	f->norder = 0;
	f->order = xmalloc((f->nb ? f->nb : 1) * sizeof(*f->order));
	for (size_t i = 0; i < f->nb; i++)
		if (f->b[i].kind == K_LEAF)
			f->order[f->norder++] = (uint32_t)i;
	f->phase2 = true;
	f->order_dirty = true;
	return 0;
}

static int gate_root(fetcher *f);

/* The DAG as far as the store has it: root, present blocks, their links. */
static int discover_local(fetcher *f)
{
	uint32_t r;
	if (add_block(f, &r, &f->root, 0, false) < 0 || drain_local(f) < 0 || gate_root(f) < 0)
		return -1;
	if (!f->unknown && positions(f) < 0)
		return -1;
	return 0;
}

static void fetcher_init(fetcher *f, bstore *s, const cid *root, const fetch_opts *o)
{
	memset(f, 0, sizeof(*f));
	f->s = s;
	f->o = o;
	f->root = *root;
	cid_str(f->rootstr, root);
	hmap_init(&f->index, CID_MAX);
	f->warmup = o && o->node;
	f->warmup_until = now_ms() + 2000;
}

static void fetcher_free(fetcher *f)
{
	for (size_t i = 0; i < f->nb; i++) {
		free(f->b[i].kids);
		free(f->b[i].lack);
		free(f->b[i].busy);
	}
	free(f->b);
	free(f->local);
	free(f->pos);
	free(f->order);
	hmap_free(&f->index);
	for (size_t i = 0; i < f->np; i++) {
		free(f->p[i].url);
		free(f->p[i].have);
	}
	free(f->p);
}

static uint8_t *have_bitmap(fetcher *f)
{
	uint8_t *have = xcalloc((size_t)((f->npos + 7) / 8) + 1, 1);
	for (uint64_t i = 0; i < f->npos; i++)
		if (f->b[f->pos[i]].state == S_HAVE)
			have[i / 8] |= (uint8_t)(1u << (i % 8));
	return have;
}

int fetch_have(bstore *s, uint8_t **have, uint64_t *leaves, bool *complete, const cid *root, cid *missing)
{
	fetcher f;
	if (sodium_init() < 0)
		return diag_error(LST_EFAIL, "cannot initialize libsodium");
	fetcher_init(&f, s, root, NULL);
	*have = NULL;
	*leaves = 0;
	*complete = false;
	int r = -1;
	if (discover_local(&f) < 0)
		goto out;
	if (!f.nb || f.b[0].state != S_HAVE) {
		if (missing)
			*missing = *root;
		r = 1;
		goto out;
	}
	if (!f.phase2) {
		if (missing)
			for (size_t i = 0; i < f.nb; i++)
				if (f.b[i].kind == K_UNKNOWN && f.b[i].state != S_HAVE) {
					*missing = f.b[i].c;
					break;
				}
		r = 1;
		goto out;
	}
	*have = have_bitmap(&f);
	*leaves = f.npos;
	*complete = f.have_blocks == f.nb;
	r = 0;
out:
	fetcher_free(&f);
	return r;
}

/*
 * Once the root block is in: an encrypted object's root is marked gated
 * in the store, before any of its leaves arrive, so the gateway serving
 * this store while we fetch gives its blocks only to buyers.
 */
static int gate_root(fetcher *f)
{
	if (f->gate_checked || !f->o || !f->nb || f->b[0].state != S_HAVE || f->b[0].kind != K_INTERNAL ||
	    cid_codec(&f->root) != CODEC_DAG_PB)
		return 0;
	f->gate_checked = true;
	int r = content_is_encrypted(f->s, &f->root);
	if (r < 0)
		return -1;
	if (r == 1 && !gateway_root_gated(bstore_dir(f->s), &f->root))
		return gateway_gate_root(bstore_dir(f->s), &f->root);
	return 0;
}

/* ---- announcements ---------------------------------------------------- */

/*
 * A signed record of what we have, as JSON text (malloc'd). NULL on error
 * (reported). last_expires (may be NULL): our previous record's expiry;
 * this one expires at least a second later, and it is updated.
 */
static char *record_text(const uint8_t priv[32], const char *self_url, const cid *root, bool complete,
			 const uint8_t *have, uint64_t leaves, uint64_t lifetime, uint64_t *last_expires)
{
	prov_record r;
	memset(&r, 0, sizeof(r));
	if (secp_address_from_priv(r.addr, priv) < 0) {
		diag_error(LST_EINVALID, "invalid key for announcing '%s'", self_url);
		return NULL;
	}
	char *url = trim_url(self_url);
	if (strlen(url) >= sizeof(r.url)) {
		diag_error(LST_EINVALID, "url too long '%s'", url);
		free(url);
		return NULL;
	}
	memcpy(r.url, url, strlen(url) + 1);
	free(url);
	r.root = *root;
	r.complete = complete;
	r.leaves = leaves;
	if (!complete) {
		r.have = xcalloc((size_t)((leaves + 7) / 8) + 1, 1);
		memcpy(r.have, have, (size_t)((leaves + 7) / 8));
	}
	/* the registry keeps a record only if it expires after our last one: a second on at least */
	r.expires = now_s() + lifetime;
	if (last_expires) {
		if (r.expires <= *last_expires)
			r.expires = *last_expires + 1;
		*last_expires = r.expires;
	}
	char *text = NULL;
	if (prov_record_sign(&r, priv) == 0) {
		json_t *j = prov_record_json(&r);
		text = json_dumps(j, JSON_COMPACT);
		json_decref(j);
	}
	prov_record_free(&r);
	if (!text)
		diag_error(LST_EFAIL, "cannot sign the provider record of '%s'", self_url);
	return text;
}

/* Why a node or peer said no: the JSON body's "reason", "error" or "message", else the text. */
static void reason_of(char *out, size_t cap, const buf *body, long status)
{
	json_t *j = body->len ? json_loadb((const char *)body->p, body->len, 0, NULL) : NULL;
	const char *s = NULL;
	if (json_is_object(j)) {
		const char *keys[] = {"reason", "error", "message"};
		for (size_t i = 0; i < ARRAY_SIZE(keys) && !s; i++) {
			json_t *v = json_object_get(j, keys[i]);
			if (json_is_string(v))
				s = json_string_value(v);
			else if (json_is_object(v) && json_is_string(json_object_get(v, "message")))
				s = json_string_value(json_object_get(v, "message"));
		}
	}
	if (s) {
		snprintf(out, cap, "%s", s);
	} else if (body->len) {
		size_t n = body->len < cap - 1 ? body->len : cap - 1;
		for (size_t i = 0; i < n; i++) {
			uint8_t c = body->p[i];
			out[i] = c == '\n' || c == '\r' || c < 0x20 || c > 0x7e ? ' ' : (char)c;
		}
		while (n && out[n - 1] == ' ')
			n--;
		out[n] = 0;
	} else {
		snprintf(out, cap, "HTTP %ld", status);
	}
	json_decref(j);
}

/* Response headers of block requests: X-Lst-Busy and Retry-After (seconds; a date is ignored). */
static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	xfer *x = ud;
	size_t len = size * n;
	const char *names[] = {GW_BUSY_HEADER ":", "Retry-After:"};
	for (size_t k = 0; k < ARRAY_SIZE(names); k++) {
		size_t nl = strlen(names[k]);
		if (len <= nl || strncasecmp(p, names[k], nl))
			continue;
		char v[24];
		size_t vl = len - nl;
		if (vl >= sizeof(v))
			break;
		memcpy(v, p + nl, vl);
		v[vl] = 0;
		const char *d = v + strspn(v, " ");
		char *e;
		unsigned long long t = strtoull(d, &e, 10);
		while (*e == ' ' || *e == '\r' || *e == '\n')
			e++;
		if (*d >= '0' && *d <= '9' && !*e) {
			if (t > INT32_MAX)
				t = INT32_MAX;
			if (k == 0)
				x->busy_ms = (int64_t)t;
			else
				x->retry_s = (int64_t)t;
		}
	}
	return len;
}

static size_t sink(char *p, size_t size, size_t n, void *ud)
{
	xfer *x = ud;
	size_t len = size * n;
	if (x->body.len + len > x->max) {
		x->over = true;
		return 0;
	}
	buf_add(&x->body, p, len);
	return len;
}

/*
 * POST a record's text to node/lst/v1/providers. 0, or the status
 * (LST_EUNAVAIL unreachable or 5xx, LST_EREFUSED refused) with why, not
 * reported.
 */
static int post_record(const char *node, const char *text, char *why, size_t cap)
{
	char *base = trim_url(node), *url = xasprintf("%s/lst/v1/providers", base), err[512];
	buf body = BUF_INIT;
	long status = 0;
	int r = 0;
	if (http_do(&body, &status, err, sizeof(err), url, NULL, 0, text, strlen(text), REPLY_MAX, 10000) < 0 &&
	    !status) {
		snprintf(why, cap, "%.400s", err);
		r = LST_EUNAVAIL;
	} else if (status / 100 != 2) {
		char reason[256];
		reason_of(reason, sizeof(reason), &body, status);
		snprintf(why, cap, "the node '%s' refused the record: %s", base, reason);
		r = status >= 500 ? LST_EUNAVAIL : LST_EREFUSED;
	}
	buf_free(&body);
	free(url);
	free(base);
	return r;
}

/*
 * The record of what s holds of root, posted. 0, 1 nothing to announce,
 * -1 (reported) or a status and why. last_expires: see record_text.
 */
static int announce(bstore *s, int *status, char *why, size_t cap, const char *node, const uint8_t priv[32],
		    const char *self_url, const cid *root, uint64_t lifetime, uint64_t *last_expires)
{
	uint8_t *have;
	uint64_t leaves;
	bool complete;
	*status = 0;
	int r = fetch_have(s, &have, &leaves, &complete, root, NULL);
	if (r != 0)
		return r;
	if (lifetime > PROV_MAX_LIFETIME)
		lifetime = PROV_MAX_LIFETIME;
	char *text = record_text(priv, self_url, root, complete, have, leaves, lifetime, last_expires);
	free(have);
	if (!text)
		return -1;
	*status = post_record(node, text, why, cap);
	free(text);
	return *status ? -1 : 0;
}

int swarm_announce(bstore *s, const char *node, const uint8_t priv[32], const char *self_url, const cid *root,
		   uint64_t lifetime)
{
	int status;
	char why[512];
	int r = announce(s, &status, why, sizeof(why), node, priv, self_url, root, lifetime, NULL);
	if (r < 0 && status)
		return diag_error(status, "%s", why);
	return r;
}

/* ---- peers ------------------------------------------------------------- */

static void emit(fetcher *f, const char *event, const char *peer_url, const char *reason);

static peer *peer_find(fetcher *f, const char *url)
{
	for (size_t i = 0; i < f->np; i++)
		if (same_url(f->p[i].url, url))
			return &f->p[i];
	return NULL;
}

static peer *peer_add(fetcher *f, const char *url)
{
	if (f->np == f->capp) {
		f->capp = f->capp ? f->capp * 2 : 8;
		f->p = xrealloc(f->p, f->capp * sizeof(*f->p));
	}
	peer *p = &f->p[f->np++];
	memset(p, 0, sizeof(*p));
	p->url = trim_url(url);
	f->order_dirty = true;
	return p;
}

static bool usable(const peer *p)
{
	return !p->dropped && !p->denied;
}

static bool lacks(const blk *b, uint32_t pi)
{
	for (uint32_t k = 0; k < b->nlack; k++)
		if (b->lack[k] == pi)
			return true;
	return false;
}

static refusal *refusal_of(const blk *b, uint32_t pi)
{
	for (uint32_t k = 0; k < b->nbusy; k++)
		if (b->busy[k].peer == pi)
			return &b->busy[k];
	return NULL;
}

/* Has peer pi said it is busy with block b until later than now? */
static bool refusing(const blk *b, uint32_t pi, uint64_t now)
{
	const refusal *r = b->nbusy ? refusal_of(b, pi) : NULL;
	return r && now < r->until;
}

/* Does peer pi say it has block b? Everyone has the internal blocks. */
static bool peer_has(const fetcher *f, uint32_t pi, const blk *b)
{
	const peer *p = &f->p[pi];
	if (lacks(b, pi))
		return false;
	if (b->kind != K_LEAF || p->complete)
		return true;
	if (!p->have || p->leaves != f->npos || b->pos == NO_POS)
		return false;
	return p->have[b->pos / 8] >> (b->pos % 8) & 1;
}

static void release(fetcher *f, xfer *x);

/* Stop using peer pi; its requests in flight go back to the queue. */
static void drop_peer(fetcher *f, uint32_t pi, bool denied, const char *why)
{
	peer *p = &f->p[pi];
	if (!usable(p))
		return;
	if (denied)
		p->denied = true;
	else
		p->dropped = true;
	for (xfer *x = f->active, *next; x; x = next) {
		next = x->next;
		if (x->kind == X_BLOCK && x->peer == pi) {
			curl_multi_remove_handle(f->m, x->h);
			release(f, x);
		}
	}
	f->order_dirty = true;
	emit(f, "peer-dropped", p->url, why);
}

/* Record a failure of peer pi (transport, 5xx, odd status): dropped at the third. */
static void peer_failed(fetcher *f, uint32_t pi, const char *why)
{
	peer *p = &f->p[pi];
	snprintf(f->last_err, sizeof(f->last_err), "%s: %s", p->url, why);
	if (++p->failures >= MAX_FAILURES)
		drop_peer(f, pi, false, why);
}

/* ---- provider records from the node ------------------------------------ */

static void take_record(fetcher *f, const json_t *j, uint64_t now)
{
	prov_record r;
	const char *why;
	memset(&r, 0, sizeof(r));
	if (prov_record_from_json(&r, j, &why) < 0)
		return;
	if (!cid_equal(&r.root, &f->root) || (f->has_self && !memcmp(r.addr, f->self_addr, 20)) ||
	    (f->o->self_url && same_url(r.url, f->o->self_url)) ||
	    (strncmp(r.url, "http://", 7) && strncmp(r.url, "https://", 8)))
		goto out;
	peer *p = peer_find(f, r.url);
	if (p && p->has_sig && !memcmp(p->sig, r.sig, 65))
		goto out; /* the same record as before */
	if (prov_record_verify(&r, now, &why) < 0)
		goto out;
	if (!p)
		p = peer_add(f, r.url);
	memcpy(p->sig, r.sig, 65);
	p->has_sig = true;
	if (r.complete) {
		p->complete = true;
	} else if (!p->complete) {
		free(p->have);
		p->have = r.have;
		p->leaves = r.leaves;
		r.have = NULL;
	}
	f->order_dirty = true;
out:
	prov_record_free(&r);
}

static void took_list(fetcher *f, xfer *x, CURLcode cr, long status)
{
	f->list_inflight = false;
	if (cr != CURLE_OK || status != 200) {
		f->node_failed = true;
		if (cr != CURLE_OK)
			snprintf(f->node_err, sizeof(f->node_err), "%s", curl_easy_strerror(cr));
		else
			snprintf(f->node_err, sizeof(f->node_err), "HTTP %ld", status);
		return;
	}
	f->node_answered = true;
	/* Other readers who started with us have been listed by now: the seeds' warm-up is over. */
	if (f->warmup && (!f->o->self_url || !f->o->priv || (f->announced_once && x->started >= f->last_announce)))
		f->warmup = false;
	json_t *j = json_loadb((const char *)x->body.p, x->body.len, 0, NULL);
	if (json_is_array(j)) {
		uint64_t now = now_s();
		size_t i;
		json_t *v;
		json_array_foreach(j, i, v) take_record(f, v, now);
	}
	json_decref(j);
}

/* ---- transfers --------------------------------------------------------- */

static void release(fetcher *f, xfer *x)
{
	if (x->prev)
		x->prev->next = x->next;
	else
		f->active = x->next;
	if (x->next)
		x->next->prev = x->prev;
	if (x->kind == X_BLOCK) {
		f->block_inflight--;
		f->p[x->peer].inflight--;
		blk *b = &f->b[x->blk];
		if (!--b->nflight && b->state == S_FLIGHT)
			b->state = S_NEED;
	}
	curl_easy_cleanup(x->h);
	buf_free(&x->body);
	free(x);
}

static xfer *start(fetcher *f, int kind, const char *url)
{
	xfer *x = xcalloc(1, sizeof(*x));
	x->kind = kind;
	x->h = curl_easy_init();
	if (!x->h)
		diag_die(LST_EFAIL, "out of memory");
	x->max = kind == X_BLOCK ? BLOCK_MAX : kind == X_LIST ? LIST_MAX : REPLY_MAX;
	curl_easy_setopt(x->h, CURLOPT_URL, url);
	curl_easy_setopt(x->h, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(x->h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->h, CURLOPT_PRIVATE, x);
	x->busy_ms = x->retry_s = -1;
	if (kind == X_BLOCK) {
		curl_easy_setopt(x->h, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(x->h, CURLOPT_HEADERDATA, x);
	}
	curl_easy_setopt(x->h, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
	/* a stalled peer is cut after about 5 s */
	curl_easy_setopt(x->h, CURLOPT_LOW_SPEED_LIMIT, 1024L);
	curl_easy_setopt(x->h, CURLOPT_LOW_SPEED_TIME, 5L);
	curl_easy_setopt(x->h, CURLOPT_TIMEOUT, 300L);
	curl_easy_setopt(x->h, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(x->h, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
	x->next = f->active;
	if (f->active)
		f->active->prev = x;
	f->active = x;
	return x;
}

static void make_headers(fetcher *f)
{
	uint64_t now = now_s();
	if (f->hdr && (!f->o->priv || now < f->proof_made + PROOF_RENEW))
		return;
	for (int k = 0; k < 2; k++) {
		struct curl_slist *old = k ? f->hdr_swarm : f->hdr;
		if (!old)
			continue;
		if (f->nold == ARRAY_SIZE(f->old_hdrs)) {
			/* only after hours; transfers using the oldest are long gone */
			curl_slist_free_all(f->old_hdrs[0]);
			memmove(f->old_hdrs, f->old_hdrs + 1, (f->nold - 1) * sizeof(f->old_hdrs[0]));
			f->nold--;
		}
		f->old_hdrs[f->nold++] = old;
	}
	if (!f->swarm_id[0]) {
		uint8_t id[8];
		randombytes_buf(id, sizeof(id));
		hex_encode(f->swarm_id, id, sizeof(id));
	}
	char swarm[64];
	access_headers h = {.n = 0};
	if (f->o->priv && access_headers_make(&h, f->o->priv, &f->root, now, PROOF_LIFETIME, f->o->min_height) < 0)
		h.n = 0;
	snprintf(swarm, sizeof(swarm), "%s: 1; id=%s", GW_SWARM_HEADER, f->swarm_id);
	f->hdr = curl_slist_append(NULL, "Accept: application/vnd.ipld.raw");
	f->hdr_swarm = curl_slist_append(NULL, "Accept: application/vnd.ipld.raw");
	for (size_t i = 0; i < h.n; i++) {
		f->hdr = curl_slist_append(f->hdr, h.list[i]);
		f->hdr_swarm = curl_slist_append(f->hdr_swarm, h.list[i]);
	}
	f->hdr_swarm = curl_slist_append(f->hdr_swarm, swarm);
	f->proof_made = now;
}

static void start_block(fetcher *f, uint32_t bi, uint32_t pi)
{
	char s[CID_STR_MAX];
	cid_str(s, &f->b[bi].c);
	char *url = xasprintf("%s/ipfs/%s?format=raw", f->p[pi].url, s);
	make_headers(f);
	xfer *x = start(f, X_BLOCK, url);
	free(url);
	x->blk = bi;
	x->peer = pi;
	/*
	 * Super-seeding (gateway.h): a leaf asked of a seed while we use a
	 * registry (so other readers may have it) says we are a swarm fetcher;
	 * after SUPERSEED_TRIES busy answers for it we ask plainly, so we
	 * never starve.
	 */
	const blk *b = &f->b[bi];
	const refusal *r = b->nbusy ? refusal_of(b, pi) : NULL;
	bool swarm = f->o->node && f->p[pi].complete && b->kind == K_LEAF && (!r || r->count < SUPERSEED_TRIES);
	curl_easy_setopt(x->h, CURLOPT_HTTPHEADER, swarm ? f->hdr_swarm : f->hdr);
	x->started = now_ms();
	f->b[bi].state = S_FLIGHT;
	f->b[bi].nflight++;
	f->p[pi].inflight++;
	f->block_inflight++;
	curl_multi_add_handle(f->m, x->h);
}

static void start_list(fetcher *f)
{
	char *base = trim_url(f->o->node), *url = xasprintf("%s/lst/v1/providers/%s", base, f->rootstr);
	xfer *x = start(f, X_LIST, url);
	free(url);
	free(base);
	f->list_inflight = true;
	f->last_list_start = now_ms();
	f->next_list = f->last_list_start + REFRESH_MS;
	curl_multi_add_handle(f->m, x->h);
}

static void start_announce(fetcher *f)
{
	uint8_t *have = have_bitmap(f);
	char *text = record_text(f->o->priv, f->o->self_url, &f->root, false, have, f->npos, ANNOUNCE_LIFETIME,
				 &f->last_expires);
	free(have);
	f->last_announce = now_ms();
	f->announced_once = true;
	f->announced_leaves = f->have_leaves;
	if (!text)
		return;
	char *base = trim_url(f->o->node), *url = xasprintf("%s/lst/v1/providers", base);
	xfer *x = start(f, X_ANNOUNCE, url);
	free(url);
	free(base);
	if (!f->json_hdr)
		f->json_hdr = curl_slist_append(NULL, "Content-Type: application/json");
	curl_easy_setopt(x->h, CURLOPT_HTTPHEADER, f->json_hdr);
	curl_easy_setopt(x->h, CURLOPT_COPYPOSTFIELDS, text);
	free(text);
	f->announce_inflight = true;
	curl_multi_add_handle(f->m, x->h);
}

/* A block arrived from peer pi, status 200: check, store, learn. -1 only on a store error. */
static int got_block(fetcher *f, uint32_t bi, uint32_t pi, const buf *body)
{
	blk *b = &f->b[bi];
	if (b->state == S_HAVE)
		return 0;
	if (cid_check(&b->c, body->p, body->len) < 0) {
		char s[CID_STR_MAX], why[CID_STR_MAX + 32];
		cid_str(s, &b->c);
		snprintf(why, sizeof(why), "sent a bad block for '%s'", s);
		snprintf(f->last_err, sizeof(f->last_err), "%s: %s", f->p[pi].url, why);
		drop_peer(f, pi, false, why);
		return 0;
	}
	if (bstore_put(f->s, &b->c, body->p, body->len) < 0)
		return -1;
	have_block(f, b, body->len);
	if (b->kind == K_LEAF)
		f->order_dirty = true;
	if (b->nflight) {
		/* a doubled request: the other one is not needed any more */
		for (xfer *x = f->active, *next; x; x = next) {
			next = x->next;
			if (x->kind == X_BLOCK && x->blk == bi) {
				curl_multi_remove_handle(f->m, x->h);
				release(f, x);
			}
		}
	}
	f->p[pi].bytes += body->len;
	f->p[pi].failures = 0;
	f->blocks_fetched++;
	f->bytes_fetched += body->len;
	if (b->kind == K_UNKNOWN) {
		if (learn(f, bi, body->p, body->len) < 0 || drain_local(f) < 0 || gate_root(f) < 0)
			return -1;
		if (!f->unknown && !f->phase2 && positions(f) < 0)
			return -1;
	}
	return 0;
}

/* Is a 503 a busy answer (super-seeding: X-Lst-Busy, or the JSON error "busy")? */
static bool busy_answer(int64_t busy_ms, int64_t retry_s, const buf *body)
{
	if (busy_ms >= 0)
		return true;
	json_t *j = body->len ? json_loadb((const char *)body->p, body->len, 0, NULL) : NULL;
	const char *e = json_string_value(json_object_get(j, "error"));
	bool yes = e && !strcmp(e, "busy");
	json_decref(j);
	return yes;
}

/*
 * Peer pi is busy with block bi (it served it to another reader just now):
 * not a failure; that peer is not asked for it until the time it gave, and
 * meanwhile the block comes from another provider or waits.
 */
static void peer_busy(fetcher *f, uint32_t bi, uint32_t pi, int64_t busy_ms, int64_t retry_s)
{
	blk *b = &f->b[bi];
	uint64_t wait = busy_ms >= 0 ? (uint64_t)busy_ms : retry_s >= 0 ? (uint64_t)retry_s * 1000 : BUSY_DEFAULT_MS;
	if (wait > BUSY_MAX_MS)
		wait = BUSY_MAX_MS;
	refusal *r = refusal_of(b, pi);
	if (!r) {
		if (b->nbusy == b->capbusy) {
			b->capbusy = b->capbusy ? b->capbusy * 2 : 1;
			b->busy = xrealloc(b->busy, b->capbusy * sizeof(*b->busy));
		}
		r = &b->busy[b->nbusy++];
		*r = (refusal){pi, 0, 0};
	}
	r->count++;
	r->until = now_ms() + wait;
	if (r->until > f->busy_last)
		f->busy_last = r->until;
	f->refusals++;
}

/* A transfer ended. -1 on a fatal error (reported). */
static int finish(fetcher *f, xfer *x, CURLcode cr)
{
	long status = 0;
	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
	curl_multi_remove_handle(f->m, x->h);
	int rc = 0;
	if (x->kind == X_LIST) {
		took_list(f, x, cr, status);
	} else if (x->kind == X_ANNOUNCE) {
		f->announce_inflight = false;
		if (cr != CURLE_OK || status / 100 != 2)
			f->announced_leaves = UINT64_MAX; /* try again at the next tick */
	} else {
		uint32_t bi = x->blk, pi = x->peer;
		char why[256];
		/* back in the queue first: a drop below must not count it twice */
		buf body = x->body;
		x->body = (buf)BUF_INIT;
		bool over = x->over;
		int64_t x_busy_ms = x->busy_ms, x_retry_s = x->retry_s;
		release(f, x);
		x = NULL;
		if (over) {
			drop_peer(f, pi, false, "block over 2 MiB");
		} else if (cr != CURLE_OK) {
			peer_failed(f, pi, curl_easy_strerror(cr));
		} else if (status == 200) {
			rc = got_block(f, bi, pi, &body);
		} else if (status == 404 || status == 410) {
			blk *b = &f->b[bi];
			if (b->nlack == b->caplack) {
				b->caplack = b->caplack ? b->caplack * 2 : 2;
				b->lack = xrealloc(b->lack, b->caplack * sizeof(*b->lack));
			}
			b->lack[b->nlack++] = pi;
			f->order_dirty = true;
		} else if (status == 503 && busy_answer(x_busy_ms, x_retry_s, &body)) {
			peer_busy(f, bi, pi, x_busy_ms, x_retry_s);
		} else if (status == 403 || status == 401) {
			reason_of(why, sizeof(why), &body, status);
			if (!f->deny_reason[0]) {
				snprintf(f->deny_peer, sizeof(f->deny_peer), "%s", f->p[pi].url);
				snprintf(f->deny_reason, sizeof(f->deny_reason), "%s", why);
			}
			drop_peer(f, pi, true, why);
		} else {
			snprintf(why, sizeof(why), "HTTP %ld", status);
			peer_failed(f, pi, why);
		}
		buf_free(&body);
	}
	if (x)
		release(f, x);
	return rc;
}

/* ---- scheduling -------------------------------------------------------- */

/*
 * Requests a peer may have in flight: per_peer, but a seed (complete
 * provider) gets one at a time while other readers have leaves we need,
 * so they, not the seed, carry most of the load.
 */
static unsigned limit(const fetcher *f, const peer *p)
{
	return p->complete && (f->readers || f->partials || f->warmup) ? 1 : f->per_peer;
}

/*
 * The best peer for block bi but not peer except (-1: none): other
 * readers first, then those that failed least, then the least loaded,
 * then at random.
 */
static int choose(fetcher *f, uint32_t bi, int except)
{
	const blk *b = &f->b[bi];
	int best = -1;
	unsigned ties = 0;
	uint64_t now = b->nbusy ? now_ms() : 0;
	/* a leaf another reader has is not asked of a seed, even while that reader is busy */
	bool reader_has = false;
	for (size_t i = 0; b->kind == K_LEAF && except < 0 && i < f->np && !reader_has; i++)
		reader_has = !f->p[i].complete && usable(&f->p[i]) && peer_has(f, (uint32_t)i, b);
	for (size_t i = 0; i < f->np; i++) {
		const peer *p = &f->p[i];
		if ((int)i == except || !usable(p) || p->inflight >= limit(f, p) || (reader_has && p->complete) ||
		    !peer_has(f, (uint32_t)i, b) || (b->nbusy && refusing(b, (uint32_t)i, now)))
			continue;
		int cmp = 0;
		if (best < 0) {
			cmp = -1;
		} else {
			const peer *q = &f->p[best];
			if (p->complete != q->complete)
				cmp = p->complete ? 1 : -1;
			else if (p->failures != q->failures)
				cmp = p->failures < q->failures ? -1 : 1;
			else if (p->inflight != q->inflight)
				cmp = p->inflight < q->inflight ? -1 : 1;
		}
		if (cmp < 0) {
			best = (int)i;
			ties = 1;
		} else if (cmp == 0 && randombytes_uniform(++ties) == 0) {
			best = (int)i;
		}
	}
	return best;
}

static int order_cmp(const void *a, const void *b, void *arg)
{
	const fetcher *f = arg;
	const blk *x = &f->b[*(const uint32_t *)a], *y = &f->b[*(const uint32_t *)b];
	if (x->avail != y->avail)
		return x->avail < y->avail ? -1 : 1;
	return x->rnd < y->rnd ? -1 : x->rnd > y->rnd;
}

/* Count the providers of each missing leaf and sort them rarest first. */
static void reorder(fetcher *f)
{
	size_t n = 0;
	for (size_t pi = 0; pi < f->np; pi++)
		f->p[pi].useful = false;
	for (size_t k = 0; k < f->norder; k++) {
		uint32_t i = f->order[k];
		blk *b = &f->b[i];
		if (b->state == S_HAVE)
			continue;
		uint32_t a = 0;
		for (size_t pi = 0; pi < f->np; pi++) {
			peer *p = &f->p[pi];
			if (usable(p) && peer_has(f, (uint32_t)pi, b)) {
				a++;
				p->useful |= !p->complete;
			}
		}
		b->avail = a;
		f->order[n++] = i;
	}
	f->norder = n;
	f->readers = 0;
	f->partials = 0;
	for (size_t pi = 0; pi < f->np; pi++) {
		f->readers += f->p[pi].useful;
		f->partials += !f->p[pi].complete && usable(&f->p[pi]);
	}
	qsort_r(f->order, n, sizeof(*f->order), order_cmp, f);
	f->order_dirty = false;
	f->order_at = now_ms();
}

static bool room(const fetcher *f)
{
	if (f->block_inflight >= f->max_inflight)
		return false;
	for (size_t i = 0; i < f->np; i++)
		if (usable(&f->p[i]) && f->p[i].inflight < limit(f, &f->p[i]))
			return true;
	return false;
}

/*
 * Room left after every block that can be asked is asked: a request in
 * flight for SLOW_MS is also sent to an idle peer that has the block
 * (the first answer wins, the other is cancelled), so a stalled peer
 * holds nothing back, most of all the last blocks.
 */
static void double_slow(fetcher *f)
{
	uint64_t now = now_ms();
	for (xfer *x = f->active; x && room(f); x = x->next) {
		if (x->kind != X_BLOCK || now < x->started + SLOW_MS)
			continue;
		blk *b = &f->b[x->blk];
		if (b->state != S_FLIGHT || b->nflight > 1)
			continue;
		int pi = choose(f, x->blk, (int)x->peer);
		/* A slow reader is not doubled on a seed: that is what the readers are there to spare. */
		if (pi >= 0 && f->p[pi].complete && !f->p[x->peer].complete && f->partials)
			continue;
		if (pi >= 0)
			start_block(f, x->blk, (uint32_t)pi);
	}
}

static void schedule(fetcher *f)
{
	if (!room(f))
		return;
	if (!f->phase2) {
		/* internal blocks (and those not known yet) in the order found: level by level */
		while (f->next_internal < f->nb && f->b[f->next_internal].kind != K_UNKNOWN)
			f->next_internal++;
		for (size_t i = f->next_internal; i < f->nb && room(f); i++) {
			blk *b = &f->b[i];
			if (b->kind != K_UNKNOWN || b->state != S_NEED)
				continue;
			int pi = choose(f, (uint32_t)i, -1);
			if (pi >= 0)
				start_block(f, (uint32_t)i, (uint32_t)pi);
		}
	} else {
		uint64_t now = now_ms();
		if (f->order_dirty && now >= f->order_at + ORDER_MS)
			reorder(f);
		for (size_t k = 0; k < f->norder && room(f); k++) {
			uint32_t i = f->order[k];
			if (f->b[i].state != S_NEED)
				continue;
			int pi = choose(f, i, -1);
			if (pi >= 0)
				start_block(f, i, (uint32_t)pi);
		}
	}
	if (room(f))
		double_slow(f);
}

/* Nothing in flight and nothing to ask: why. Reported; -1. */
static int stuck(fetcher *f)
{
	if (f->deny_reason[0])
		return diag_error(LST_EREFUSED, "access to '%s' refused by '%s': %s", f->rootstr, f->deny_peer,
				  f->deny_reason);
	size_t live = 0;
	for (size_t i = 0; i < f->np; i++)
		live += usable(&f->p[i]);
	if (live) {
		for (size_t i = 0; i < f->nb; i++) {
			if (f->b[i].state == S_HAVE)
				continue;
			char s[CID_STR_MAX];
			cid_str(s, &f->b[i].c);
			return diag_error(LST_ENOTFOUND, "no provider has block '%s' of '%s'", s, f->rootstr);
		}
	}
	if (!f->np) {
		if (f->o->node && !f->node_answered)
			return diag_error(LST_EUNAVAIL, "cannot reach the node '%s' to find providers of '%s' (%s)",
					  f->o->node, f->rootstr, f->node_err);
		return diag_error(LST_ENOTFOUND, "no provider of '%s' is known", f->rootstr);
	}
	return diag_error(LST_EUNAVAIL, "no provider of '%s' could be reached (last: %s)", f->rootstr,
			  f->last_err[0] ? f->last_err : "none answered");
}

/* ---- progress ---------------------------------------------------------- */

static void emit(fetcher *f, const char *event, const char *peer_url, const char *reason)
{
	if (!f->o || !f->o->progress)
		return;
	fetch_progress p = {0};
	p.bytes_done = f->have_bytes;
	p.bytes_total = f->phase2 && !f->unknown_sizes ? f->total_bytes_known : 0;
	p.blocks_done = f->have_blocks;
	p.blocks_total = f->nb;
	if (f->rate_n > 1) {
		size_t last = (f->rate_i + RATE_SAMPLES - 1) % RATE_SAMPLES;
		size_t first = (f->rate_i + RATE_SAMPLES - f->rate_n) % RATE_SAMPLES;
		uint64_t dt = f->rate_ms[last] - f->rate_ms[first];
		if (dt)
			p.rate = (double)(f->rate_bytes[last] - f->rate_bytes[first]) * 1000.0 / (double)dt;
	}
	for (size_t i = 0; i < f->np; i++)
		p.peers_active += f->p[i].inflight > 0;
	p.event = event;
	p.peer_url = peer_url;
	p.reason = reason;
	f->o->progress(f->o->arg, &p);
}

static void tick(fetcher *f, uint64_t now)
{
	if (f->warmup && now >= f->warmup_until)
		f->warmup = false;
	if (now < f->last_progress + PROGRESS_MS)
		return;
	f->last_progress = now;
	f->rate_ms[f->rate_i] = now;
	f->rate_bytes[f->rate_i] = f->bytes_fetched;
	f->rate_i = (f->rate_i + 1) % RATE_SAMPLES;
	if (f->rate_n < RATE_SAMPLES)
		f->rate_n++;
	emit(f, "progress", NULL, NULL);
}

/* ---- the fetch ----------------------------------------------------------- */

static bool done(const fetcher *f)
{
	return f->phase2 && f->have_blocks == f->nb;
}

static int run(fetcher *f)
{
	f->m = curl_multi_init();
	if (!f->m)
		return diag_error(LST_EFAIL, "cannot start transfers for '%s'", f->rootstr);
	uint64_t stuck_since = 0;
	int rc = 0;
	while (!done(f)) {
		uint64_t now = now_ms();
		const fetch_opts *o = f->o;
		if (o->node && !f->list_inflight && now >= f->next_list)
			start_list(f);
		if (o->node && o->priv && o->self_url && f->phase2 && !f->announce_inflight &&
		    f->have_leaves != f->announced_leaves && now >= f->last_announce + ANNOUNCE_MS &&
		    f->last_expires < now_s() + ANNOUNCE_LIFETIME + ANNOUNCE_AHEAD)
			start_announce(f);
		schedule(f);
		if (!f->block_inflight && now < f->busy_last) {
			stuck_since = 0; /* blocks refused for a while: ask again when it is over */
		} else if (!f->block_inflight) {
			if (!stuck_since)
				stuck_since = now;
			/* give the node's registry one more look before giving up */
			if (!o->node || (!f->list_inflight && f->last_list_start >= stuck_since)) {
				rc = stuck(f);
				break;
			}
			if (!f->list_inflight)
				start_list(f);
		} else {
			stuck_since = 0;
		}
		tick(f, now);
		int running;
		bool busy = false;
		curl_multi_perform(f->m, &running);
		CURLMsg *msg;
		int left;
		while ((msg = curl_multi_info_read(f->m, &left))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			char *priv = NULL;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
			busy = true;
			if (finish(f, (xfer *)priv, msg->data.result) < 0)
				rc = -1;
		}
		if (rc < 0)
			break;
		if (done(f))
			break;
		if (busy)
			continue; /* something ended: ask again at once */
		uint64_t later = now_ms();
		int wait = 100;
		if (o->node && !f->list_inflight && f->next_list > later && f->next_list - later < (uint64_t)wait)
			wait = (int)(f->next_list - later);
		curl_multi_poll(f->m, NULL, 0, wait, NULL);
	}
	while (f->active) {
		curl_multi_remove_handle(f->m, f->active->h);
		release(f, f->active);
	}
	curl_multi_cleanup(f->m);
	f->m = NULL;
	return rc;
}

void fetch_result_free(fetch_result *r)
{
	json_decref(r->from);
	r->from = NULL;
}

int swarm_fetch(bstore *s, fetch_result *out, const cid *root, const fetch_opts *o)
{
	static const fetch_opts none;
	if (!o)
		o = &none;
	memset(out, 0, sizeof(*out));
	out->from = json_object();
	if (sodium_init() < 0)
		return diag_error(LST_EFAIL, "cannot initialize libsodium");
	curl_global_init(CURL_GLOBAL_DEFAULT);
	fetcher f;
	fetcher_init(&f, s, root, o);
	f.max_inflight = o->max_inflight ? o->max_inflight : DEFAULT_INFLIGHT;
	f.per_peer = o->per_peer ? o->per_peer : DEFAULT_PER_PEER;
	if (o->priv && secp_address_from_priv(f.self_addr, o->priv) == 0)
		f.has_self = true;
	for (size_t i = 0; i < o->npeers; i++) {
		if (o->self_url && same_url(o->peers[i], o->self_url))
			continue;
		peer *p = peer_find(&f, o->peers[i]);
		if (!p)
			p = peer_add(&f, o->peers[i]);
		p->complete = true;
	}
	int rc = discover_local(&f);
	if (rc == 0 && !done(&f))
		rc = run(&f);
	/*
	 * Each reader becomes a seed: complete when done; after a failure,
	 * what we have, so others can use it. Announcing is a courtesy: its
	 * failure is a warning and leaves the fetch's status alone.
	 */
	if (o->node && o->priv && o->self_url && (rc == 0 || (f.phase2 && f.have_leaves))) {
		int status, saved = diag_status();
		char why[512];
		int r = announce(s, &status, why, sizeof(why), o->node, o->priv, o->self_url, root,
				 rc == 0 ? DONE_LIFETIME : ANNOUNCE_LIFETIME, &f.last_expires);
		if (r < 0 && status)
			diag_warn("could not announce '%s': %s", f.rootstr, why);
		if (rc < 0)
			diag_set_status(saved);
	}
	out->blocks = f.nb;
	out->bytes = f.total_bytes_known;
	out->blocks_fetched = f.blocks_fetched;
	out->bytes_fetched = f.bytes_fetched;
	for (size_t i = 0; i < f.np; i++)
		if (f.p[i].bytes)
			json_object_set_new(out->from, f.p[i].url, json_integer((json_int_t)f.p[i].bytes));
	if (rc == 0) {
		f.last_progress = 0;
		emit(&f, "done", NULL, NULL);
	}
	for (size_t i = 0; i < f.nold; i++)
		curl_slist_free_all(f.old_hdrs[i]);
	curl_slist_free_all(f.hdr);
	curl_slist_free_all(f.hdr_swarm);
	curl_slist_free_all(f.json_hdr);
	fetcher_free(&f);
	return rc;
}
