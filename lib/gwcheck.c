/* gwcheck.c: see gwcheck.h. */
#include "lst.h"
#include "gwcheck.h"
#include "diag.h"
#include "hmap.h"
#include "rpcclient.h"

#include <pthread.h>
#include <sodium.h>
#include <time.h>

#define CHECK_WORKERS 4          /* threads asking the chain */
/*
 * A "no" to a request carrying X-Lst-Height H (access.h) while our node is
 * below H is asked again (uncached) up to RECHECKS times, RECHECK_MS
 * apart: a reader who has just bought holds a final receipt from its own
 * node and asks providers whose nodes may be a block behind it.
 */
#define RECHECKS 16
#define RECHECK_MS 300
#define YES_MAX 4096             /* (address, root) pairs remembered as allowed */

typedef struct pending {
	struct pending *next;
	struct MHD_Connection *conn;
	uint8_t addr[20];
	cid root;
	uint64_t salt; /* the proof's expiry: a new proof is a new question */
	uint64_t min_height; /* X-Lst-Height: the requester's node had reached it; 0: none */
	uint64_t retry_at; /* monotonic ms: not asked again before (a recheck) */
	unsigned tries;    /* rechecks done */
	int result;
	bool claimed, done;
	bool key;          /* a key envelope: access_check_key (a member of the book's category is no holder) */
	bool pages;        /* a page request: pageAccess, answered in pa */
	pages_access pa;
} pending;

struct gw_checks {
	char *rpc_url;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pending *pend;
	hmap yes;                    /* sha256(addr || root) -> expiry (unix seconds) */
	pthread_t workers[CHECK_WORKERS];
	size_t nworkers;
	bool draining;
};

uint64_t gw_now_s(void)
{
	return (uint64_t)time(NULL);
}

uint64_t gw_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000 + 1; /* never 0 */
}

static void yes_key(uint8_t k[32], const uint8_t addr[20], const cid *root)
{
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, addr, 20);
	crypto_hash_sha256_update(&st, root->bytes, root->len);
	crypto_hash_sha256_final(&st, k);
}

/* lock held. */
static bool yes_cached(gw_checks *k, const uint8_t addr[20], const cid *root, uint64_t now)
{
	uint8_t h[32];
	yes_key(h, addr, root);
	uintptr_t exp = (uintptr_t)hmap_get(&k->yes, h);
	return exp > now;
}

static void yes_put(gw_checks *k, const uint8_t addr[20], const cid *root, uint64_t now)
{
	uint8_t h[32];
	if (k->yes.len >= YES_MAX) {
		hmap_free(&k->yes);
		hmap_init(&k->yes, 32);
	}
	yes_key(h, addr, root);
	hmap_put(&k->yes, h, (void *)(uintptr_t)(now + ACCESS_CACHE_YES));
}

/* Is our node's chain below height? (false when it cannot be asked: the "no" then stands) */
static bool node_below(gw_checks *k, uint64_t height)
{
	json_t *res = NULL;
	int code;
	char msg[128];
	bool below = false;
	if (rpcc_call_at(&res, &code, msg, sizeof(msg), k->rpc_url, "eth_blockNumber", json_array()) == 0) {
		const char *h = json_string_value(res);
		char *end;
		unsigned long long n = h && !strncmp(h, "0x", 2) ? strtoull(h + 2, &end, 16) : 0;
		below = h && !strncmp(h, "0x", 2) && h[2] && !*end && n < height;
	}
	json_decref(res);
	return below;
}

/* Wait on cond (lock held) until signalled or the monotonic time wake_ms. */
static void wait_until(gw_checks *k, uint64_t wake_ms)
{
	uint64_t now = gw_now_ms();
	uint64_t ms = wake_ms > now ? wake_ms - now : 0;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts); /* the condition's clock */
	ts.tv_sec += (time_t)(ms / 1000);
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&k->cond, &k->lock, &ts);
}

static void *check_main(void *arg)
{
	gw_checks *k = arg;
	pthread_mutex_lock(&k->lock);
	for (;;) {
		uint64_t now = gw_now_ms(), wake = 0;
		pending *p = k->pend;
		for (; p; p = p->next) {
			if (p->claimed || p->done)
				continue;
			if (p->retry_at > now && !k->draining) {
				if (!wake || p->retry_at < wake)
					wake = p->retry_at;
				continue;
			}
			break;
		}
		if (!p) {
			if (k->draining)
				break;
			if (wake)
				wait_until(k, wake);
			else
				pthread_cond_wait(&k->cond, &k->lock);
			continue;
		}
		p->claimed = true;
		uint8_t addr[20];
		cid root = p->root;
		uint64_t salt = p->salt;
		bool recheck = p->tries > 0;
		uint64_t min_height = p->min_height;
		bool pages = p->pages, key = p->key;
		memcpy(addr, p->addr, 20);
		bool stopping = k->draining;
		pthread_mutex_unlock(&k->lock);
		pages_access pa;
		int r;
		memset(&pa, 0, sizeof(pa));
		if (stopping)
			r = -1;
		else if (pages && (recheck || min_height)) /* a remembered "no" may be older than H */
			r = pages_access_refresh(&pa, k->rpc_url, addr, &root, gw_now_s()) == 0 ? 1 : -1;
		else if (pages)
			r = pages_access_ask(&pa, k->rpc_url, addr, &root, gw_now_s()) == 0 ? 1 : -1;
		else if (key)
			r = access_check_key(k->rpc_url, addr, &root);
		else if (recheck)
			r = access_check(k->rpc_url, addr, &root);
		else
			r = access_check_salted(k->rpc_url, addr, &root, salt, gw_now_s());
		bool no = pages ? r == 1 && pa.until <= gw_now_s() : r == 0; /* for a page request: "not a member" */
		bool behind = no && min_height && !stopping && node_below(k, min_height);
		pthread_mutex_lock(&k->lock);
		if (pages && r == 1)
			p->pa = pa;
		if (behind && !k->draining && p->tries < RECHECKS) {
			/* Not (yet) on this node's chain: ask again soon, the connection still suspended. */
			p->tries++;
			p->retry_at = gw_now_ms() + RECHECK_MS;
			p->claimed = false;
			continue;
		}
		p->result = r;
		p->done = true;
		if (r == 1 && !pages && !key)
			yes_put(k, addr, &root, gw_now_s());
		struct MHD_Connection *conn = p->conn;
		pthread_mutex_unlock(&k->lock);
		MHD_resume_connection(conn);
		pthread_mutex_lock(&k->lock);
	}
	pthread_mutex_unlock(&k->lock);
	return NULL;
}

/* X-Lst-Height of c, 0 when absent or not a positive decimal. */
static uint64_t min_height_of(struct MHD_Connection *c)
{
	const char *hv = MHD_lookup_connection_value(c, MHD_HEADER_KIND, ACCESS_HEIGHT_HEADER);
	char *end;
	unsigned long long mh = hv && *hv >= '0' && *hv <= '9' ? strtoull(hv, &end, 10) : 0;
	return hv && mh && !*end ? (uint64_t)mh : 0;
}

/* Queues p (c's question) for the workers and suspends c; lock held, released. GWC_WAIT. */
static int ask(gw_checks *k, struct MHD_Connection *c, pending *p)
{
	p->conn = c;
	MHD_suspend_connection(c);
	p->next = k->pend;
	k->pend = p;
	pthread_cond_signal(&k->cond);
	pthread_mutex_unlock(&k->lock);
	return GWC_WAIT;
}

int gwc_access(gw_checks *k, struct MHD_Connection *c, const access_proof *pf, bool key, bool *stopping)
{
	uint64_t now = gw_now_s();
	pthread_mutex_lock(&k->lock);
	int result = 2; /* none yet */
	for (pending **pp = &k->pend; *pp;) {
		pending *p = *pp;
		if (p->conn != c || !p->done || p->pages) {
			pp = &p->next;
			continue;
		}
		if (!memcmp(p->addr, pf->addr, 20) && cid_equal(&p->root, &pf->root) && p->key == key)
			result = p->result;
		*pp = p->next;
		free(p);
	}
	if (result == 2 && !key && yes_cached(k, pf->addr, &pf->root, now))
		result = 1;
	if (result == 2 && k->rpc_url && !k->draining) {
		pending *p = xcalloc(1, sizeof(*p));
		p->key = key;
		memcpy(p->addr, pf->addr, 20);
		p->root = pf->root;
		p->salt = pf->expires;
		p->min_height = min_height_of(c);
		return ask(k, c, p);
	}
	*stopping = k->draining;
	pthread_mutex_unlock(&k->lock);
	return result;
}

int gwc_pages(gw_checks *k, struct MHD_Connection *c, const pages_request *rq, pages_access *pa, bool *stopping)
{
	int result = 2; /* none yet */
	pthread_mutex_lock(&k->lock);
	for (pending **pp = &k->pend; *pp;) {
		pending *p = *pp;
		if (p->conn != c || !p->done || !p->pages) {
			pp = &p->next;
			continue;
		}
		if (!memcmp(p->addr, rq->reader, 20) && cid_equal(&p->root, &rq->root)) {
			result = p->result;
			*pa = p->pa;
		}
		*pp = p->next;
		free(p);
	}
	uint64_t min_height = min_height_of(c);
	/* A remembered "not a member" does not stand against X-Lst-Height: the reader may have just subscribed. */
	if (result == 2 && k->rpc_url && pages_access_cached(pa, k->rpc_url, rq->reader, &rq->root, gw_now_s()) &&
	    (!min_height || pa->until > gw_now_s()))
		result = 1;
	if (result == 2 && k->rpc_url && !k->draining) {
		pending *p = xcalloc(1, sizeof(*p));
		p->pages = true;
		p->min_height = min_height;
		memcpy(p->addr, rq->reader, 20);
		p->root = rq->root;
		return ask(k, c, p);
	}
	*stopping = k->draining;
	pthread_mutex_unlock(&k->lock);
	return result;
}

void gwc_completed(gw_checks *k, struct MHD_Connection *c)
{
	pthread_mutex_lock(&k->lock);
	for (pending **pp = &k->pend; *pp;) {
		pending *p = *pp;
		if (p->conn == c && p->done) {
			*pp = p->next;
			free(p);
		} else {
			pp = &p->next;
		}
	}
	pthread_mutex_unlock(&k->lock);
}

gw_checks *gwc_new(const char *rpc_url)
{
	gw_checks *k = xcalloc(1, sizeof(*k));
	k->rpc_url = rpc_url ? xstrdup(rpc_url) : NULL;
	pthread_mutex_init(&k->lock, NULL);
	pthread_cond_init(&k->cond, NULL);
	hmap_init(&k->yes, 32);
	for (size_t i = 0; i < CHECK_WORKERS; i++)
		if (pthread_create(&k->workers[k->nworkers], NULL, check_main, k) == 0)
			k->nworkers++;
	return k;
}

void gwc_drain(gw_checks *k)
{
	pthread_mutex_lock(&k->lock);
	k->draining = true;
	pthread_cond_broadcast(&k->cond);
	pthread_mutex_unlock(&k->lock);
	for (size_t i = 0; i < k->nworkers; i++)
		pthread_join(k->workers[i], NULL);
	k->nworkers = 0;
}

void gwc_free(gw_checks *k)
{
	if (!k)
		return;
	gwc_drain(k);
	for (pending *p = k->pend, *next; p; p = next) {
		next = p->next;
		free(p);
	}
	hmap_free(&k->yes);
	pthread_mutex_destroy(&k->lock);
	pthread_cond_destroy(&k->cond);
	free(k->rpc_url);
	free(k);
}
