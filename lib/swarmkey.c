/*
 * swarmkey.c: obtaining a root's content key from the swarm (see
 * swarmkey.h): the candidates (--peer URLs, the node, the providers its
 * registry lists), the access proof we show each, opening the envelope,
 * and checking the key against the manifest so a lying peer is skipped.
 */
#include "lst.h"
#include "swarmkey.h"
#include "access.h"
#include "book.h"
#include "buf.h"
#include "content.h"
#include "diag.h"
#include "hex.h"
#include "home.h"
#include "http.h"
#include "jsonio.h"
#include "progress.h"
#include "providers.h"
#include "rpcclient.h"
#include "seal.h"
#include "service.h"

#include <inttypes.h>
#include <jansson.h>
#include <sodium.h>
#include <time.h>

#define KEY_TIMEOUT_MS 10000
#define KEY_REPLY_MAX (64u << 10)
#define LIST_REPLY_MAX (16u << 20)
#define PROOF_LIFETIME 600

/* How bad the outcome so far: a refusal outranks "not here", which outranks "unreachable". */
enum { R_NONE, R_UNAVAIL, R_NOTFOUND, R_REFUSED };

typedef struct {
	uint8_t *key;         /* the caller's 32 bytes */
	bstore *s;            /* to check the key against the manifest; may be NULL */
	const uint8_t *priv;
	const cid *root;
	char cs[CID_STR_MAX];
	access_headers h;      /* the proof, and X-Lst-Height */
	char **asked;         /* base URLs asked already */
	size_t nasked;
	int rank;             /* the worst outcome so far */
	buf why;              /* the first reason of that rank */
} asker;

static void note(asker *a, int rank, const char *fmt, ...) LST_PRINTF(3, 4);

static void note(asker *a, int rank, const char *fmt, ...)
{
	if (rank <= a->rank)
		return;
	a->rank = rank;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	buf_reset(&a->why);
	buf_addf(&a->why, "%s", msg);
}

/*
 * 1 if key opens root's manifest, or the manifest cannot be checked here
 * (no store, or its blocks are not local yet); 0 if it does not open it.
 */
static int key_opens(asker *a)
{
	if (!a->s)
		return 1;
	diag_set_quiet(true);
	int ok = 1, enc = content_is_encrypted(a->s, a->root);
	if (enc == 1) {
		json_t *m = NULL;
		if (content_manifest(a->s, &m, a->root, a->key) < 0 && diag_status() != LST_ENOTFOUND)
			ok = 0;
		json_decref(m);
	}
	diag_set_quiet(false);
	return ok;
}

/* Ask one base URL (not asked before). 1 got the key (checked), 0 not. */
static int ask(asker *a, const char *base_in)
{
	char *base = http_base_url(base_in);
	if (!base)
		return 0;
	for (size_t i = 0; i < a->nasked; i++)
		if (!strcmp(a->asked[i], base)) {
			free(base);
			return 0;
		}
	a->asked = xrealloc(a->asked, (a->nasked + 1) * sizeof(*a->asked));
	a->asked[a->nasked++] = base;
	buf url = BUF_INIT, body = BUF_INIT;
	buf_addf(&url, "%s/lst/v1/key/%s", base, a->cs);
	long status = 0;
	char err[256];
	int got = 0;
	if (http_do(&body, &status, err, sizeof(err), (char *)url.p, a->h.list, a->h.n, NULL, 0, KEY_REPLY_MAX,
		    KEY_TIMEOUT_MS) < 0) {
		note(a, R_UNAVAIL, "cannot reach '%s'", base);
		goto out;
	}
	json_t *j = json_loadb((char *)body.p, body.len, 0, NULL);
	if (status == 200) {
		const char *env = json_string_value(json_object_get(j, "envelope"));
		size_t elen = env ? strlen(env) : 0;
		uint8_t sealed[32 + SEAL_OVERHEAD];
		if (!env || elen != 2 + 2 * sizeof(sealed) || hex_decode(sealed, sizeof(sealed), env) < 0 ||
		    seal_open(a->key, a->priv, sealed, sizeof(sealed)) < 0) {
			note(a, R_REFUSED, "'%s' sent an envelope that does not open with our key", base);
		} else if (!key_opens(a)) {
			sodium_memzero(a->key, 32);
			note(a, R_REFUSED, "'%s' sent a key that does not open '%s'", base, a->cs);
		} else {
			got = 1;
		}
	} else {
		const char *reason = json_string_value(json_object_get(j, "reason"));
		const char *e = json_string_value(json_object_get(j, "error"));
		note(a, status == 403 ? R_REFUSED : status == 404 ? R_NOTFOUND : R_UNAVAIL, "'%s' answered %ld: %s%s%s",
		     base, status, e ? e : "error", reason ? ": " : "", reason ? reason : "");
	}
	json_decref(j);
out:
	buf_free(&url);
	buf_free(&body);
	return got;
}

int swarm_key_get(uint8_t *key, char **from, bstore *s, const uint8_t priv[32], const char *const *peers,
		  size_t npeers, const char *node, const cid *root, uint64_t min_height)
{
	asker a;
	memset(&a, 0, sizeof(a));
	a.key = key;
	a.s = s;
	a.priv = priv;
	a.root = root;
	a.why = (buf)BUF_INIT;
	if (from)
		*from = NULL;
	cid_str(a.cs, root);
	if (access_headers_make(&a.h, priv, root, (uint64_t)time(NULL), PROOF_LIFETIME, min_height) < 0)
		return -1;
	const char *got = NULL;
	for (size_t i = 0; !got && i < npeers; i++)
		if (ask(&a, peers[i]))
			got = a.asked[a.nasked - 1];
	if (!got && node && ask(&a, node))
		got = a.asked[a.nasked - 1];
	if (!got && node) {
		/* complete providers first: they surely hold the key */
		char **urls = prov_registry_urls(node, a.root, LIST_REPLY_MAX, KEY_TIMEOUT_MS);
		for (size_t i = 0; !got && urls[i]; i++)
			if (ask(&a, urls[i]))
				got = a.asked[a.nasked - 1];
		prov_urls_free(urls);
	}
	int r = 0;
	if (got) {
		if (from)
			*from = xstrdup(got);
	} else {
		sodium_memzero(key, 32);
		static const int status[] = {LST_ENOTFOUND, LST_EUNAVAIL, LST_ENOTFOUND, LST_EREFUSED};
		r = diag_error(status[a.rank], "no content key for '%s': %s", a.cs,
			       a.why.len ? (char *)a.why.p : "no peer has it");
		if (a.rank == R_REFUSED)
			diag_hint("buy it first: the key is sealed only to buyers");
	}
	for (size_t i = 0; i < a.nasked; i++)
		free(a.asked[i]);
	free(a.asked);
	buf_free(&a.why);
	return r;
}

char *swarm_self_gateway(void)
{
	pid_t pid;
	if (service_running("swarm", &pid) == 0) {
		char *g = config_get("gateway");
		if (g)
			return g;
	}
	if (service_running("daemon", &pid) == 0)
		return config_get("rpc");
	return NULL;
}

int swarm_obtain(bstore *s, uint8_t *key, char **key_from, json_t **manifest, fetch_result *res, const cid *root,
		 const fetch_opts *o)
{
	*key_from = NULL;
	if (manifest)
		*manifest = NULL;
	memset(res, 0, sizeof(*res));
	int k = content_key_load(key, root);
	if (k < 0)
		return -1;
	bool kept = k == 0;
	if (!kept && swarm_key_get(key, key_from, s, o->priv, o->peers, o->npeers, o->node, root, o->min_height) < 0)
		return -1;
	if (swarm_fetch(s, res, root, o) < 0 || bstore_pin(s, root) < 0)
		return -1;
	/* The key was taken before the manifest was here to check it against. */
	json_t *m = NULL;
	diag_set_quiet(true);
	int r = content_manifest(s, &m, root, key), st = diag_status();
	diag_set_quiet(false);
	if (r < 0 && st == LST_EREFUSED) {
		free(*key_from);
		*key_from = NULL;
		kept = false;
		if (swarm_key_get(key, key_from, s, o->priv, o->peers, o->npeers, o->node, root, o->min_height) < 0)
			return -1;
		r = content_manifest(s, &m, root, key);
	} else if (r < 0) {
		r = content_manifest(s, &m, root, key); /* again, to report why */
	}
	if (r == 0 && !kept)
		r = content_key_save(root, key);
	if (r == 0 && manifest)
		*manifest = m;
	else
		json_decref(m);
	return r < 0 ? -1 : 0;
}

/* The fetch's progress bar and the providers it dropped. */
typedef struct {
	progress pg;
	json_t *dropped;
} obtain_ui;

static void obtain_progress(void *arg, const fetch_progress *p)
{
	obtain_ui *u = arg;
	if (!strcmp(p->event, "peer-dropped")) {
		json_array_append_new(u->dropped, jsonio_obj("peer", jsonio_str(p->peer_url ? p->peer_url : ""), "reason",
							     jsonio_str(p->reason ? p->reason : ""), NULL));
		if (u->pg.on) {
			progress_end(&u->pg);
			fprintf(stderr, "%s: dropped peer '%s'%s%s\n", diag_prog(), p->peer_url ? p->peer_url : "?",
				p->reason ? ": " : "", p->reason ? p->reason : "");
		}
	}
	char extra[64];
	snprintf(extra, sizeof(extra), "%u peer%s", p->peers_active, p->peers_active == 1 ? "" : "s");
	u->pg.total = p->bytes_total;
	progress_update(&u->pg, p->bytes_done, extra);
}

int swarm_obtain_here(bstore *s, uint8_t *key, char **key_from, json_t **manifest, fetch_result *res,
		      json_t **dropped, const uint8_t priv[32], const char *const *peers, size_t npeers,
		      const cid *root)
{
	uint64_t height;
	*key_from = NULL;
	if (dropped)
		*dropped = NULL;
	memset(res, 0, sizeof(*res));
	if (book_height(&height) < 0)
		return -1;
	obtain_ui ui = {.dropped = json_array()};
	char *self = swarm_self_gateway();
	fetch_opts o = {
		.peers = peers,
		.npeers = npeers,
		.node = rpcc_url(),
		.priv = priv,
		.self_url = self,
		.min_height = height,
		.progress = obtain_progress,
		.arg = &ui,
	};
	progress_begin(&ui.pg, "fetching", 0, false);
	int r = swarm_obtain(s, key, key_from, manifest, res, root, &o);
	progress_end(&ui.pg);
	free(self);
	if (dropped)
		*dropped = ui.dropped;
	else
		json_decref(ui.dropped);
	return r;
}
