/*
 * providers.c: signed provider records, the registry a node keeps of
 * them and their gossip to peers; see providers.h.
 *
 * Owns: the record's JSON (wire form and the canonical text that is
 * signed), its signature (EIP-191 by the record's address), the registry
 * (a mutex over a map from root to that root's records) and the one
 * background thread per registry that posts new records to peers.
 */
#include "lst.h"
#include "providers.h"
#include "addr.h"
#include "diag.h"
#include "http.h"
#include "hex.h"
#include "hmap.h"
#include "msg.h"
#include "secp.h"

#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>
#include <time.h>

/* Leaves a partial record may describe: a 512 KiB bitmap, whose base64 fits a 1 MiB body. */
#define MAX_LEAVES (1ull << 22)
#define MAX_ROOTS 100000       /* roots the registry tracks at once */
#define GOSSIP_QUEUE 256       /* records waiting to be sent; more are dropped */
#define GOSSIP_CONNECT_MS 2000
#define GOSSIP_TIMEOUT_MS 5000

void prov_record_free(prov_record *r)
{
	free(r->have);
	r->have = NULL;
}

static size_t have_len(uint64_t leaves)
{
	return (size_t)((leaves + 7) / 8);
}

bool prov_has_leaf(const prov_record *r, uint64_t i)
{
	if (r->complete)
		return true;
	if (i >= r->leaves || !r->have)
		return false;
	return (r->have[i / 8] >> (i % 8)) & 1;
}

/* A URL we sign and hand out: http(s), printable ASCII, no quotes or spaces. */
static bool url_ok(const char *u)
{
	size_t n = strnlen(u, sizeof(((prov_record *)0)->url));
	if (n == 0 || n >= sizeof(((prov_record *)0)->url))
		return false;
	if (strncmp(u, "http://", 7) && strncmp(u, "https://", 8))
		return false;
	for (size_t i = 0; i < n; i++)
		if (u[i] <= 0x20 || u[i] >= 0x7f || u[i] == '"' || u[i] == '\\')
			return false;
	return n > (size_t)(u[4] == 's' ? 8 : 7);
}

/* The fields agree with each other (the have bitmap with leaves and complete). */
static int check_shape(const prov_record *r, const char **reason)
{
	if (!url_ok(r->url))
		return *reason = "bad url", -1;
	if (r->root.len == 0)
		return *reason = "no root", -1;
	if (r->leaves > MAX_LEAVES)
		return *reason = "too many leaves", -1;
	if (r->complete) {
		if (r->have)
			return *reason = "a complete record has no have bitmap", -1;
		return 0;
	}
	if (!r->leaves || !r->have)
		return *reason = "a partial record needs leaves and a have bitmap", -1;
	if (r->leaves % 8 && (r->have[r->leaves / 8] >> (r->leaves % 8)))
		return *reason = "have bitmap has bits past the last leaf", -1;
	return 0;
}

static json_t *record_json(const prov_record *r, bool with_sig)
{
	char a[ADDR_STR], root[CID_STR_MAX];
	addr_to_str(a, r->addr);
	cid_str(root, &r->root);
	json_t *j = json_object();
	json_object_set_new(j, "address", json_string(a));
	json_object_set_new(j, "url", json_string(r->url));
	json_object_set_new(j, "root", json_string(root));
	json_object_set_new(j, "complete", json_boolean(r->complete));
	json_object_set_new(j, "leaves", json_integer((json_int_t)r->leaves));
	if (!r->complete && r->have) {
		size_t hl = have_len(r->leaves);
		size_t cap = sodium_base64_ENCODED_LEN(hl, sodium_base64_VARIANT_ORIGINAL);
		char *b64 = xmalloc(cap);
		sodium_bin2base64(b64, cap, r->have, hl, sodium_base64_VARIANT_ORIGINAL);
		json_object_set_new(j, "have", json_string(b64));
		free(b64);
	}
	json_object_set_new(j, "expires", json_integer((json_int_t)r->expires));
	if (with_sig) {
		char sig[2 * 65 + 3];
		hex_encode(sig, r->sig, 65);
		json_object_set_new(j, "signature", json_string(sig));
	}
	return j;
}

json_t *prov_record_json(const prov_record *r)
{
	return record_json(r, true);
}

/* The EIP-191 digest of the canonical text: compact, keys sorted, no signature. */
static int record_digest(uint8_t out[32], const prov_record *r)
{
	json_t *j = record_json(r, false);
	char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	if (!text)
		return -1;
	msg_hash(out, (const uint8_t *)text, strlen(text));
	free(text);
	return 0;
}

int prov_record_sign(prov_record *r, const uint8_t priv[32])
{
	uint8_t a[20], digest[32];
	const char *why;
	if (secp_address_from_priv(a, priv) < 0)
		return diag_error(LST_EINVALID, "invalid private key for provider record");
	if (memcmp(a, r->addr, 20)) {
		char s[ADDR_STR];
		addr_to_str(s, r->addr);
		return diag_error(LST_EREFUSED, "the key does not belong to the record's address '%s'", s);
	}
	if (check_shape(r, &why) < 0)
		return diag_error(LST_EINVALID, "cannot sign provider record: %s", why);
	if (record_digest(digest, r) < 0 || msg_sign(r->sig, priv, digest) < 0)
		return diag_error(LST_EFAIL, "cannot sign provider record for '%s'", r->url);
	return 0;
}

int prov_record_verify(const prov_record *r, uint64_t now, const char **reason)
{
	const char *dummy;
	if (!reason)
		reason = &dummy;
	if (r->expires <= now)
		return *reason = "expired", -1;
	if (r->expires > now + PROV_MAX_LIFETIME)
		return *reason = "expires too far ahead", -1;
	if (check_shape(r, reason) < 0)
		return -1;
	uint8_t digest[32], pub[65], a[20];
	if (record_digest(digest, r) < 0)
		return *reason = "cannot encode record", -1;
	if (msg_recover(pub, r->sig, digest) < 0)
		return *reason = "malformed signature", -1;
	secp_address_from_pub(a, pub);
	if (sodium_memcmp(a, r->addr, 20))
		return *reason = "signature is not the address's", -1;
	return 0;
}

static const char *const known_keys[] = {"address", "url", "root", "complete", "leaves", "have",
					 "expires", "signature"};

static int get_uint(uint64_t *out, const json_t *j)
{
	if (!json_is_integer(j) || json_integer_value(j) < 0)
		return -1;
	*out = (uint64_t)json_integer_value(j);
	return 0;
}

int prov_record_from_json(prov_record *r, const json_t *j, const char **reason)
{
	const char *dummy, *key, *why;
	json_t *v;
	if (!reason)
		reason = &dummy;
	memset(r, 0, sizeof(*r));
	if (!json_is_object(j))
		return *reason = "not an object", -1;
	json_object_foreach((json_t *)j, key, v) {
		size_t i;
		for (i = 0; i < ARRAY_SIZE(known_keys); i++)
			if (!strcmp(key, known_keys[i]))
				break;
		if (i == ARRAY_SIZE(known_keys))
			return *reason = "unknown field", -1;
	}
	const char *s = json_string_value(json_object_get(j, "address"));
	if (!s || addr_parse(r->addr, s, &why) < 0)
		return *reason = "bad address", -1;
	s = json_string_value(json_object_get(j, "url"));
	if (!s || strlen(s) >= sizeof(r->url) || !url_ok(s))
		return *reason = "bad url", -1;
	memcpy(r->url, s, strlen(s) + 1);
	s = json_string_value(json_object_get(j, "root"));
	if (!s || cid_parse(&r->root, s) < 0)
		return *reason = "bad root", -1;
	json_t *c = json_object_get(j, "complete");
	if (!json_is_boolean(c))
		return *reason = "bad complete", -1;
	r->complete = json_is_true(c);
	if (get_uint(&r->leaves, json_object_get(j, "leaves")) < 0)
		return *reason = "bad leaves", -1;
	if (r->leaves > MAX_LEAVES)
		return *reason = "too many leaves", -1;
	if (get_uint(&r->expires, json_object_get(j, "expires")) < 0 || !r->expires)
		return *reason = "bad expires", -1;
	s = json_string_value(json_object_get(j, "signature"));
	if (!s || strlen(s) != 132 || hex_decode(r->sig, 65, s) < 0)
		return *reason = "bad signature", -1;
	json_t *h = json_object_get(j, "have");
	if (r->complete) {
		if (h)
			return *reason = "a complete record has no have bitmap", -1;
		return 0;
	}
	s = json_string_value(h);
	if (!s || !r->leaves)
		return *reason = "a partial record needs leaves and a have bitmap", -1;
	size_t want = have_len(r->leaves), slen = strlen(s), got = 0;
	if (slen != sodium_base64_ENCODED_LEN(want, sodium_base64_VARIANT_ORIGINAL) - 1)
		return *reason = "have bitmap is not (leaves + 7) / 8 bytes", -1;
	r->have = xmalloc(want + 1);
	if (sodium_base642bin(r->have, want + 1, s, slen, NULL, &got, NULL, sodium_base64_VARIANT_ORIGINAL) ||
	    got != want) {
		prov_record_free(r);
		return *reason = "have bitmap is not (leaves + 7) / 8 bytes of base64", -1;
	}
	if (check_shape(r, reason) < 0) {
		prov_record_free(r);
		return -1;
	}
	return 0;
}

static void record_copy(prov_record *dst, const prov_record *src)
{
	*dst = *src;
	dst->have = NULL;
	if (!src->complete && src->have) {
		size_t n = have_len(src->leaves);
		dst->have = xmalloc(n);
		memcpy(dst->have, src->have, n);
	}
}

/* ---- the registry ------------------------------------------------------ */

typedef struct {
	cid root;
	prov_record *v;
	size_t n, cap;
} root_recs;

typedef struct gossip_job {
	struct gossip_job *next;
	char *body;
	char **urls;
	size_t nurls;
} gossip_job;

struct prov_registry {
	pthread_mutex_t lock;
	hmap roots;                /* sha256(root CID bytes) -> root_recs * */
	char *self;                /* sent as X-Lst-Peer */
	/* gossip */
	pthread_mutex_t qlock;
	pthread_cond_t qcond;
	gossip_job *qhead, *qtail;
	size_t qlen;
	bool thread_running, stop;
	pthread_t thread;
};

static void root_key(uint8_t k[32], const cid *root)
{
	sha256(k, root->bytes, root->len);
}

prov_registry *prov_registry_new(void)
{
	prov_registry *g = xcalloc(1, sizeof(*g));
	pthread_mutex_init(&g->lock, NULL);
	pthread_mutex_init(&g->qlock, NULL);
	pthread_cond_init(&g->qcond, NULL);
	hmap_init(&g->roots, 32);
	return g;
}

static void job_free(gossip_job *j)
{
	for (size_t i = 0; i < j->nurls; i++)
		free(j->urls[i]);
	free(j->urls);
	free(j->body);
	free(j);
}

static void recs_free(root_recs *rr)
{
	for (size_t i = 0; i < rr->n; i++)
		prov_record_free(&rr->v[i]);
	free(rr->v);
	free(rr);
}

void prov_registry_free(prov_registry *g)
{
	if (!g)
		return;
	pthread_mutex_lock(&g->qlock);
	g->stop = true;
	pthread_cond_broadcast(&g->qcond);
	bool running = g->thread_running;
	pthread_mutex_unlock(&g->qlock);
	if (running)
		pthread_join(g->thread, NULL);
	for (gossip_job *j = g->qhead, *next; j; j = next) {
		next = j->next;
		job_free(j);
	}
	const uint8_t *k;
	void *v;
	for (size_t i = 0; hmap_next(&g->roots, &i, &k, &v);)
		recs_free(v);
	hmap_free(&g->roots);
	pthread_mutex_destroy(&g->lock);
	pthread_mutex_destroy(&g->qlock);
	pthread_cond_destroy(&g->qcond);
	free(g->self);
	free(g);
}

void prov_registry_set_self(prov_registry *g, const char *url)
{
	pthread_mutex_lock(&g->qlock);
	free(g->self);
	g->self = url && *url ? xstrdup(url) : NULL;
	pthread_mutex_unlock(&g->qlock);
}

/* Drop rr's expired records (lock held). */
static void drop_expired(root_recs *rr, uint64_t now)
{
	size_t w = 0;
	for (size_t i = 0; i < rr->n; i++) {
		if (rr->v[i].expires <= now)
			prov_record_free(&rr->v[i]);
		else
			rr->v[w++] = rr->v[i];
	}
	rr->n = w;
}

int prov_registry_add(prov_registry *g, const prov_record *r, uint64_t now, const char **reason)
{
	const char *dummy;
	if (!reason)
		reason = &dummy;
	if (prov_record_verify(r, now, reason) < 0)
		return -1;
	uint8_t k[32];
	root_key(k, &r->root);
	int ret = 1;
	pthread_mutex_lock(&g->lock);
	root_recs *rr = hmap_get(&g->roots, k);
	if (!rr) {
		if (g->roots.len >= MAX_ROOTS) {
			/* Make room from roots whose records all expired. */
			const uint8_t *kk;
			void *v;
			for (size_t i = 0; hmap_next(&g->roots, &i, &kk, &v);) {
				root_recs *o = v;
				drop_expired(o, now);
				if (!o->n) {
					hmap_del(&g->roots, kk);
					recs_free(o);
				}
			}
			if (g->roots.len >= MAX_ROOTS) {
				pthread_mutex_unlock(&g->lock);
				return *reason = "too many roots", -1;
			}
		}
		rr = xcalloc(1, sizeof(*rr));
		rr->root = r->root;
		hmap_put(&g->roots, k, rr);
	}
	drop_expired(rr, now);
	size_t i;
	for (i = 0; i < rr->n; i++)
		if (!memcmp(rr->v[i].addr, r->addr, 20))
			break;
	if (i < rr->n) {
		if (r->expires <= rr->v[i].expires) {
			ret = 0;
		} else {
			prov_record_free(&rr->v[i]);
			record_copy(&rr->v[i], r);
		}
	} else {
		if (rr->n >= PROV_MAX_PER_ROOT) {
			/* Full: the new record replaces the one that expires first, if it outlives it. */
			size_t first = 0;
			for (size_t j = 1; j < rr->n; j++)
				if (rr->v[j].expires < rr->v[first].expires)
					first = j;
			if (rr->v[first].expires >= r->expires) {
				pthread_mutex_unlock(&g->lock);
				return *reason = "too many providers for this root", -1;
			}
			prov_record_free(&rr->v[first]);
			record_copy(&rr->v[first], r);
		} else {
			if (rr->n == rr->cap) {
				rr->cap = rr->cap ? rr->cap * 2 : 4;
				rr->v = xrealloc(rr->v, rr->cap * sizeof(*rr->v));
			}
			record_copy(&rr->v[rr->n++], r);
		}
	}
	pthread_mutex_unlock(&g->lock);
	return ret;
}

json_t *prov_registry_list(prov_registry *g, const cid *root, uint64_t now)
{
	uint8_t k[32];
	root_key(k, root);
	json_t *a = json_array();
	pthread_mutex_lock(&g->lock);
	root_recs *rr = hmap_get(&g->roots, k);
	if (rr) {
		drop_expired(rr, now);
		for (size_t i = 0; i < rr->n; i++)
			json_array_append_new(a, prov_record_json(&rr->v[i]));
		if (!rr->n) {
			hmap_del(&g->roots, k);
			recs_free(rr);
		}
	}
	pthread_mutex_unlock(&g->lock);
	return a;
}

/* ---- pull -------------------------------------------------------------- */

size_t prov_pull(prov_registry *g, const char *const *peers, size_t npeers, const cid *root, uint64_t now)
{
	char cs[CID_STR_MAX], err[160];
	cid_str(cs, root);
	pthread_mutex_lock(&g->lock);
	char *self = g->self ? xasprintf("X-Lst-Peer: %s", g->self) : xstrdup("X-Lst-Peer: 1");
	pthread_mutex_unlock(&g->lock);
	const char *hdrs[] = {self};
	size_t added = 0;
	for (size_t i = 0; i < npeers; i++) {
		buf body = BUF_INIT, url = BUF_INIT;
		long status = 0;
		buf_addf(&url, "%s/lst/v1/providers/%s", peers[i], cs);
		if (http_do(&body, &status, err, sizeof(err), (const char *)url.p, hdrs, 1, NULL, 0, 4u << 20,
			    PROV_PULL_TIMEOUT_MS) == 0 &&
		    status == 200) {
			json_t *a = json_loadb((const char *)body.p, body.len, 0, NULL), *j;
			size_t k;
			json_array_foreach(a, k, j) {
				prov_record r;
				const char *why;
				if (prov_record_from_json(&r, j, &why) < 0)
					continue;
				/* Only records of the root asked for: a peer cannot fill other roots' lists. */
				if (cid_equal(&r.root, root) && prov_registry_add(g, &r, now, &why) == 1)
					added++;
				prov_record_free(&r);
			}
			json_decref(a);
		}
		buf_free(&body);
		buf_free(&url);
	}
	free(self);
	return added;
}

/* ---- a node's list, for a client ----------------------------------------- */

char **prov_registry_urls(const char *node, const cid *root, size_t max, long timeout_ms)
{
	char cs[CID_STR_MAX], err[256], *base = http_base_url(node);
	char **out = xcalloc(1, sizeof(*out));
	if (!base)
		return out;
	cid_str(cs, root);
	buf url = BUF_INIT, body = BUF_INIT;
	buf_addf(&url, "%s/lst/v1/providers/%s", base, cs);
	long status = 0;
	json_t *list = NULL, *rec;
	if (http_do(&body, &status, err, sizeof(err), (char *)url.p, NULL, 0, NULL, 0, max, timeout_ms) == 0 &&
	    status == 200)
		list = json_loadb((char *)body.p, body.len, 0, NULL);
	size_t n = 0, i;
	uint64_t now = (uint64_t)time(NULL);
	for (int pass = 0; pass < 2; pass++)
		json_array_foreach(list, i, rec)
		{
			prov_record r;
			const char *why;
			memset(&r, 0, sizeof(r));
			if (prov_record_from_json(&r, rec, &why) == 0 && cid_equal(&r.root, root) &&
			    r.complete == (pass == 0) && prov_record_verify(&r, now, &why) == 0 &&
			    (!strncmp(r.url, "http://", 7) || !strncmp(r.url, "https://", 8))) {
				out = xrealloc(out, (n + 2) * sizeof(*out));
				out[n++] = xstrdup(r.url);
				out[n] = NULL;
			}
			prov_record_free(&r);
		}
	json_decref(list);
	buf_free(&url);
	buf_free(&body);
	free(base);
	return out;
}

void prov_urls_free(char **urls)
{
	for (size_t i = 0; urls && urls[i]; i++)
		free(urls[i]);
	free(urls);
}

/* ---- gossip ------------------------------------------------------------ */

static size_t discard(char *d, size_t size, size_t n, void *ud)
{
	return size * n;
}

static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void post_one(CURL *h, const char *self, const char *base, const char *body)
{
	char *url = xasprintf("%s/lst/v1/providers", base);
	struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
	if (self) {
		char *p = xasprintf("X-Lst-Peer: %s", self);
		hdr = curl_slist_append(hdr, p);
		free(p);
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)GOSSIP_CONNECT_MS);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)GOSSIP_TIMEOUT_MS);
	curl_easy_perform(h); /* best effort: a peer that is down misses this record */
	curl_slist_free_all(hdr);
	free(url);
}

static void *gossip_main(void *arg)
{
	prov_registry *g = arg;
	CURL *h = curl_easy_init();
	pthread_mutex_lock(&g->qlock);
	for (;;) {
		while (!g->qhead && !g->stop)
			pthread_cond_wait(&g->qcond, &g->qlock);
		if (g->stop)
			break;
		gossip_job *j = g->qhead;
		g->qhead = j->next;
		if (!g->qhead)
			g->qtail = NULL;
		g->qlen--;
		char *self = g->self ? xstrdup(g->self) : NULL;
		pthread_mutex_unlock(&g->qlock);
		for (size_t i = 0; h && i < j->nurls; i++)
			post_one(h, self, j->urls[i], j->body);
		free(self);
		job_free(j);
		pthread_mutex_lock(&g->qlock);
	}
	pthread_mutex_unlock(&g->qlock);
	if (h)
		curl_easy_cleanup(h);
	return NULL;
}

void prov_gossip(prov_registry *g, const char *const *peers, size_t npeers, const prov_record *r)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	if (!npeers)
		return;
	gossip_job *j = xcalloc(1, sizeof(*j));
	json_t *jr = prov_record_json(r);
	j->body = json_dumps(jr, JSON_COMPACT);
	json_decref(jr);
	j->urls = xcalloc(npeers, sizeof(char *));
	for (size_t i = 0; i < npeers; i++)
		if (peers[i] && (j->urls[j->nurls] = http_base_url(peers[i])))
			j->nurls++;
	if (!j->body || !j->nurls) {
		job_free(j);
		return;
	}
	pthread_once(&once, curl_init_once);
	pthread_mutex_lock(&g->qlock);
	if (g->stop || g->qlen >= GOSSIP_QUEUE) {
		pthread_mutex_unlock(&g->qlock);
		job_free(j);
		return;
	}
	if (!g->thread_running) {
		if (pthread_create(&g->thread, NULL, gossip_main, g)) {
			pthread_mutex_unlock(&g->qlock);
			job_free(j);
			return;
		}
		g->thread_running = true;
	}
	if (g->qtail)
		g->qtail->next = j;
	else
		g->qhead = j;
	g->qtail = j;
	g->qlen++;
	pthread_cond_signal(&g->qcond);
	pthread_mutex_unlock(&g->qlock);
}
