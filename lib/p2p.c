/* p2p.c: see p2p.h. */
#include "lst.h"
#include "p2p.h"
#include "diag.h"
#include "http.h"
#include "rlp.h"

#include <curl/curl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <time.h>

#define TX_BATCH (1u << 20)   /* bytes of transactions per POST (about 9,000) */
#define MAX_QUEUE (24u << 20)  /* bytes queued per peer before gossip of txs is dropped (server takes 32 MiB) */

/* A peer has two lanes, so consensus never waits behind a batch of transactions. */
enum { LANE_CONSENSUS, LANE_TXS, NLANES };

typedef struct peer peer;

typedef struct {
	peer *pe;
	int id;
	pthread_t thread;
	buf queue;                 /* encoded [kind, payload] items */
} lane;

struct peer {
	p2p *owner;
	size_t index;
	char *url;
	pthread_mutex_t lock;      /* the lanes' queues and the counters */
	pthread_cond_t cond;
	lane lanes[NLANES];
	uint64_t height, last_seen;
	uint64_t sent, dropped;
	CURL *get;                 /* for p2p_get (one caller at a time: the sync thread) */
	pthread_mutex_t get_lock;
};

struct p2p {
	char *self;
	peer *peers;
	size_t n;
	volatile bool stop;
#ifdef LST_FAULTS
	char *drop_path;
	pthread_mutex_t drop_lock;
	char *drop_text;
	uint64_t drop_checked;
#endif
};

#ifdef LST_FAULTS
static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
#endif

bool p2p_dropped(p2p *p, const char *url)
{
#ifdef LST_FAULTS
	if (!url)
		return false;
	pthread_mutex_lock(&p->drop_lock);
	uint64_t t = now_ms();
	if (t - p->drop_checked > 100) {
		p->drop_checked = t;
		free(p->drop_text);
		p->drop_text = NULL;
		FILE *f = fopen(p->drop_path, "r");
		if (f) {
			buf b = BUF_INIT;
			char chunk[512];
			size_t k;
			while ((k = fread(chunk, 1, sizeof(chunk), f)) > 0)
				buf_add(&b, chunk, k);
			fclose(f);
			buf_addc(&b, 0);
			p->drop_text = (char *)b.p;
		}
	}
	bool hit = false;
	if (p->drop_text) {
		size_t ul = strlen(url);
		for (const char *s = p->drop_text; (s = strstr(s, url)); s += ul)
			if ((s == p->drop_text || s[-1] == '\n') && (s[ul] == '\n' || s[ul] == 0))
				hit = true;
	}
	pthread_mutex_unlock(&p->drop_lock);
	return hit;
#else
	(void)p;
	(void)url;
	return false;
#endif
}

static size_t sink(char *d, size_t size, size_t n, void *ud)
{
	if (ud)
		buf_add(ud, d, size * n);
	return size * n;
}

/* Take up to max bytes of whole items from the lane's queue into out. */
static void take(lane *l, buf *out, size_t max)
{
	size_t pos = 0;
	while (pos < l->queue.len) {
		/* Each item is a list this module encoded: parse its header for the length. */
		const uint8_t *q = l->queue.p + pos;
		size_t hdr, len;
		if (q[0] <= 0xf7) {
			hdr = 1;
			len = (size_t)(q[0] - 0xc0);
		} else {
			size_t nb = (size_t)(q[0] - 0xf7);
			hdr = 1 + nb;
			len = 0;
			for (size_t i = 0; i < nb; i++)
				len = (len << 8) | q[1 + i];
		}
		if (pos && pos + hdr + len > max)
			break;
		pos += hdr + len;
	}
	buf_reset(out);
	buf_add(out, l->queue.p, pos);
	memmove(l->queue.p, l->queue.p + pos, l->queue.len - pos);
	l->queue.len -= pos;
}

static void *sender(void *arg)
{
	lane *l = arg;
	peer *pe = l->pe;
	p2p *p = pe->owner;
	bool txs = l->id == LANE_TXS;
	CURL *c = curl_easy_init();
	char *url = xasprintf("%s/p2p/msg", pe->url), *from = xasprintf("X-Lst-Peer: %s", p->self);
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/octet-stream");
	h = curl_slist_append(h, from);
	h = curl_slist_append(h, "Expect:");
	buf batch = BUF_INIT, items = BUF_INIT;
	int tries = 0;
	while (!p->stop) {
		if (!items.len) {
			pthread_mutex_lock(&pe->lock);
			while (!l->queue.len && !p->stop) {
				struct timespec ts;
				clock_gettime(CLOCK_REALTIME, &ts);
				ts.tv_nsec += 200000000L;
				if (ts.tv_nsec >= 1000000000L) {
					ts.tv_sec++;
					ts.tv_nsec -= 1000000000L;
				}
				pthread_cond_timedwait(&pe->cond, &pe->lock, &ts);
			}
			/* Transactions go in bounded batches, so each POST is checked quickly. */
			take(l, &items, txs ? TX_BATCH : SIZE_MAX);
			pthread_mutex_unlock(&pe->lock);
			tries = 0;
		}
		if (p->stop)
			break;
		if (p2p_dropped(p, pe->url)) {
			buf_reset(&items);
			continue;
		}
		buf_reset(&batch);
		size_t lb = rlp_list_begin(&batch);
		buf_add(&batch, items.p, items.len);
		rlp_list_end(&batch, lb);
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, (const char *)batch.p);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)batch.len);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, NULL);
		curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 1000L);
		curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, txs ? 60000L : 10000L);
		curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
		long code = 0;
		CURLcode rc = curl_easy_perform(c);
		if (rc == CURLE_OK)
			curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
		bool ok = rc == CURLE_OK && code == 200;
		pthread_mutex_lock(&pe->lock);
		if (ok)
			pe->sent++;
		else
			pe->dropped++;
		pthread_mutex_unlock(&pe->lock);
		if (ok || !txs || ++tries >= 3)
			buf_reset(&items); /* consensus re-sends what matters; txs get three tries */
		if (!ok) {
			struct timespec ts = {0, 300000000L};
			nanosleep(&ts, NULL);
			if (!txs) {
				pthread_mutex_lock(&pe->lock);
				buf_reset(&l->queue); /* stale by now */
				pthread_mutex_unlock(&pe->lock);
			}
		}
	}
	buf_free(&batch);
	buf_free(&items);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	free(url);
	free(from);
	return NULL;
}

p2p *p2p_new(const char *self_url, const char *peers, const char *home)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	p2p *p = xcalloc(1, sizeof(*p));
	p->self = xstrdup(self_url);
#ifdef LST_FAULTS
	p->drop_path = xasprintf("%s/p2p-drop", home);
	pthread_mutex_init(&p->drop_lock, NULL);
#else
	(void)home;
#endif
	char *list = xstrdup(peers ? peers : ""), *save = NULL;
	for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *u = http_base_url(tok);
		if (!u || !strcmp(u, p->self) || p2p_find(p, u) >= 0) {
			free(u);
			continue;
		}
		p->peers = xrealloc(p->peers, (p->n + 1) * sizeof(*p->peers));
		peer *pe = &p->peers[p->n];
		memset(pe, 0, sizeof(*pe));
		pe->owner = p;
		pe->index = p->n++;
		pe->url = u;
		pthread_mutex_init(&pe->lock, NULL);
		pthread_mutex_init(&pe->get_lock, NULL);
		pthread_cond_init(&pe->cond, NULL);
		pe->get = curl_easy_init();
	}
	free(list);
	for (size_t i = 0; i < p->n; i++)
		for (int k = 0; k < NLANES; k++) {
			lane *l = &p->peers[i].lanes[k];
			l->pe = &p->peers[i];
			l->id = k;
			pthread_create(&l->thread, NULL, sender, l);
		}
	return p;
}

void p2p_free(p2p *p)
{
	if (!p)
		return;
	p->stop = true;
	for (size_t i = 0; i < p->n; i++) {
		pthread_mutex_lock(&p->peers[i].lock);
		pthread_cond_broadcast(&p->peers[i].cond);
		pthread_mutex_unlock(&p->peers[i].lock);
	}
	for (size_t i = 0; i < p->n; i++) {
		peer *pe = &p->peers[i];
		for (int k = 0; k < NLANES; k++) {
			pthread_join(pe->lanes[k].thread, NULL);
			buf_free(&pe->lanes[k].queue);
		}
		curl_easy_cleanup(pe->get);
		free(pe->url);
	}
	free(p->peers);
	free(p->self);
#ifdef LST_FAULTS
	free(p->drop_path);
	free(p->drop_text);
#endif
	free(p);
}

size_t p2p_count(const p2p *p)
{
	return p->n;
}

const char *p2p_url(const p2p *p, size_t i)
{
	return p->peers[i].url;
}

int p2p_find(const p2p *p, const char *url)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->peers[i].url, url))
			return (int)i;
	return -1;
}

void p2p_send(p2p *p, size_t i, int kind, const uint8_t *payload, size_t len)
{
	peer *pe = &p->peers[i];
	lane *l = &pe->lanes[kind == P2P_TXS ? LANE_TXS : LANE_CONSENSUS];
	pthread_mutex_lock(&pe->lock);
	if (kind != P2P_TXS || l->queue.len + len < MAX_QUEUE) {
		size_t b = rlp_list_begin(&l->queue);
		rlp_put_u64(&l->queue, (uint64_t)kind);
		rlp_put_bytes(&l->queue, payload, len);
		rlp_list_end(&l->queue, b);
		pthread_cond_broadcast(&pe->cond);
	} else {
		pe->dropped++;
	}
	pthread_mutex_unlock(&pe->lock);
}

void p2p_broadcast(p2p *p, int kind, const uint8_t *payload, size_t len, int except)
{
	for (size_t i = 0; i < p->n; i++)
		if ((int)i != except)
			p2p_send(p, i, kind, payload, len);
}

int p2p_get(p2p *p, size_t i, buf *out, const char *path)
{
	peer *pe = &p->peers[i];
	if (p2p_dropped(p, pe->url))
		return -1;
	char *url = xasprintf("%s%s", pe->url, path);
	pthread_mutex_lock(&pe->get_lock);
	CURL *c = pe->get;
	buf_reset(out);
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 1000L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 20000L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	long code = 0;
	CURLcode rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	pthread_mutex_unlock(&pe->get_lock);
	free(url);
	return rc == CURLE_OK && code == 200 ? 0 : -1;
}

void p2p_seen(p2p *p, size_t i, uint64_t height)
{
	peer *pe = &p->peers[i];
	pthread_mutex_lock(&pe->lock);
	pe->height = height;
	pe->last_seen = (uint64_t)time(NULL);
	pthread_mutex_unlock(&pe->lock);
}

json_t *p2p_info(p2p *p)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < p->n; i++) {
		peer *pe = &p->peers[i];
		pthread_mutex_lock(&pe->lock);
		json_array_append_new(arr, json_pack("{s:s,s:o,s:o}", "url", pe->url, "height",
						     pe->last_seen ? json_integer((json_int_t)pe->height) : json_null(),
						     "last_seen",
						     pe->last_seen ? json_integer((json_int_t)pe->last_seen) : json_null()));
		pthread_mutex_unlock(&pe->lock);
	}
	return json_pack("{s:s,s:o}", "self", p->self, "peers", arr);
}

int p2p_parse(const uint8_t *body, size_t len, void (*fn)(void *ctx, int kind, const uint8_t *payload, size_t len),
	      void *ctx)
{
	rlp_item top, it, f[2];
	size_t pos = 0, n;
	uint64_t kind;
	int r;
	if (rlp_decode(&top, body, len) < 0 || !top.list)
		return -1;
	while ((r = rlp_next(&it, &top, &pos)) == 1) {
		if (rlp_list_items(f, 2, &n, &it) < 0 || n != 2 || rlp_to_u64(&kind, &f[0]) < 0 || f[1].list)
			return -1;
		fn(ctx, (int)kind, f[1].p, f[1].len);
	}
	return r < 0 ? -1 : 0;
}
