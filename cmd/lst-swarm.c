/*
 * lst-swarm: exchanging blocks between peers (see lst-swarm(1)).
 *
 * serve runs a trustless gateway and provider registry over the home's
 * store (lst-chain daemon serves the same on its RPC port); fetch
 * downloads a root from every provider at once and then provides it;
 * announce and providers speak to a node's registry; key obtains a paid
 * root's content key, sealed to us; stats reads a gateway's counters.
 */
#include "lst.h"
#include "addr.h"
#include "bstore.h"
#include "buf.h"
#include "cid.h"
#include "content.h"
#include "diag.h"
#include "fetch.h"
#include "gateway.h"
#include "home.h"
#include "http.h"
#include "jsonio.h"
#include "keyring.h"
#include "opt.h"
#include "pass.h"
#include "progress.h"
#include "service.h"
#include "swarmkey.h"
#include "verbs.h"

#include <signal.h>
#include <sodium.h>
#include <time.h>
#include <unistd.h>

static const char *opt_home;

#define HOME_OPT OPT_STRING(0, "home", &opt_home, "DIR", "state directory (default $LST_HOME)")
#define NODE_OPT                                                                                        \
	OPT_STRING(0, "node", &node_url, "URL", "the node whose provider registry to use (default: config rpc)")

static int parse(int argc, char **argv, const struct opt *opts, const char *const *usage)
{
	int n = opt_parse(argc, argv, opts, usage);
	if (opt_home)
		home_set(opt_home);
	return n;
}

static int print(json_t *j)
{
	return jsonio_print(j) < 0 ? diag_error(LST_EFAIL, "cannot write standard output") : 0;
}

static char *default_node(const char *node_url)
{
	if (node_url)
		return xstrdup(node_url);
	char *rpc = config_get("rpc");
	return rpc;
}

static int parse_root(cid *c, const char *s)
{
	if (!strncmp(s, "/ipfs/", 6))
		s += 6;
	if (cid_parse(c, s) < 0)
		return diag_error(LST_EINVALID, "'%s' is not a CID", s);
	return 0;
}

/* The home's key, unlocked; NULL k->priv when the home has none and !required. */
static int home_key(secret_key *k, key_entry *e, bool required)
{
	k->priv = NULL;
	if (!required) {
		key_entry *list;
		size_t n;
		if (keyring_list(&list, &n) < 0)
			return -1;
		keyring_free_list(list, n);
		if (n == 0)
			return 0;
	}
	if (keyring_find(e, NULL) < 0)
		return -1;
	if (keyring_unlock_ask(k, e) < 0) {
		keyring_entry_free(e);
		return -1;
	}
	return 0;
}

/* ---- serve ---- */

typedef struct {
	gateway_opts o;
	const char *listen;
	const char *node;       /* where to announce the pinned roots; NULL: nowhere */
	const uint8_t *priv;    /* the home's key that signs the records */
	unsigned every;         /* seconds between announcements */
} serve_args;

typedef struct {
	bstore *s;
	const serve_args *a;
	const char *url;
	unsigned announced, failed;
} pins_ctx;

static int announce_pin(void *arg, const cid *root)
{
	pins_ctx *p = arg;
	uint8_t *have;
	uint64_t leaves;
	bool complete = false;
	/* Only whole roots: a partial one is some fetch's to announce. */
	if (fetch_have(p->s, &have, &leaves, &complete, root, NULL) != 0)
		return 0;
	free(have);
	if (!complete)
		return 0;
	/* A record lives two rounds, so one missed round loses nothing. */
	uint64_t life = 2 * (uint64_t)p->a->every;
	if (swarm_announce(p->s, p->a->node, p->a->priv, p->url, root, life > 86400 ? 86400 : life) == 0)
		p->announced++;
	else
		p->failed++;
	return 0;
}

/* Announce every whole pinned root of the store to the node. */
static void announce_pins(const serve_args *a, const char *url)
{
	bstore *s = bstore_open(a->o.store_dir);
	if (!s)
		return;
	pins_ctx p = {s, a, url, 0, 0};
	if (bstore_each_pin(s, announce_pin, &p) < 0)
		p.failed++;
	bstore_close(s);
	fprintf(stderr, "lst-swarm: announced %u root%s to %s%s\n", p.announced, p.announced == 1 ? "" : "s", a->node,
		p.failed ? " (some failed; see above)" : "");
}

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	stopping = 1;
}

static int serve_run(void *arg, int ready_fd)
{
	serve_args *a = arg;
	int lockfd;
	if (home_ensure() < 0 || service_lock(&lockfd, "swarm", "gateway") < 0)
		return diag_status();
	gateway *g;
	char url[256];
	if (gateway_start(&g, &a->o, a->listen, url, sizeof(url)) < 0) {
		close(lockfd);
		return diag_status();
	}
	if (config_set("gateway", url) < 0) {
		gateway_stop(g);
		close(lockfd);
		return diag_status();
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	fprintf(stderr, "lst-swarm: serving '%s' on %s\n", a->o.store_dir, url);
	if (ready_fd >= 0) {
		if (write(ready_fd, "1", 1) < 0)
			stopping = 1;
		close(ready_fd);
	} else {
		printf("{\"url\":\"%s\"}\n", url);
		fflush(stdout);
	}
	time_t next = 0;
	while (!stopping) {
		if (a->node && a->priv && time(NULL) >= next) {
			announce_pins(a, url);
			next = time(NULL) + (time_t)a->every;
		}
		struct timespec ts = {1, 0};
		nanosleep(&ts, NULL);
	}
	gateway_stats st;
	gateway_get_stats(g, &st);
	gateway_stop(g);
	fprintf(stderr, "lst-swarm: stopped; uploaded %llu bytes in %llu blocks\n",
		(unsigned long long)st.uploaded_bytes, (unsigned long long)st.blocks_served);
	close(lockfd);
	return LST_OK;
}

static int cmd_serve(int argc, char **argv)
{
	bool detach = false, no_gate = false, no_announce = false;
	const char *listen = NULL, *rpc = NULL, *unused = NULL, **peers, *node_url = NULL, *every = NULL;
	size_t npeers;
	static const char *const usage[] = {
		"lst-swarm serve [--listen HOST:PORT] [--rpc URL] [--peer URL]... [--no-gate] [--detach]",
		"[--node URL] [--announce-every S | --no-announce]", NULL};
	const struct opt opts[] = {
		OPT_STRING(0, "listen", &listen, "HOST:PORT", "where to serve (default 127.0.0.1:8080; port 0 picks one)"),
		OPT_STRING(0, "rpc", &rpc, "URL", "the chain to ask who bought what (default: config rpc)"),
		OPT_STRING(0, "peer", &unused, "URL", "a gateway to gossip provider records to (repeat for each)"),
		OPT_BOOL(0, "no-gate", &no_gate, "serve the blocks of paid roots to anyone (key envelopes stay checked)"),
		OPT_STRING(0, "node", &node_url, "URL", "announce the pinned roots to this node (default: config rpc)"),
		OPT_STRING(0, "announce-every", &every, "S", "seconds between announcements (default 1800, 10 to 43200)"),
		OPT_BOOL(0, "no-announce", &no_announce, "announce nothing"),
		OPT_BOOL('d', "detach", &detach, "run in the background once serving; log to HOME/swarm.log"),
		HOME_OPT,
		OPT_END(),
	};
	argc = opt_take_repeated(argc, argv, "peer", &peers, &npeers);
	if (argc < 0)
		return -1;
	if (parse(argc, argv, opts, usage) != 0)
		opt_usage_die(opts, usage, "serve takes no operands");
	if (home_ensure() < 0) {
		free(peers);
		return -1;
	}
	serve_args a;
	gateway_opts_init(&a.o);
	char *store = home_path("blocks");
	char *crpc = rpc ? NULL : config_get("rpc");
	char *gate = config_get("gate");
	a.o.store_dir = store;
	a.o.home = home_dir();
	a.o.rpc_url = rpc ? rpc : crpc;
	a.o.peers = peers;
	a.o.npeers = npeers;
	a.o.gate = !no_gate && !(gate && !strcmp(gate, "off"));
	a.listen = listen ? listen : "127.0.0.1:8080";
	if (!strncmp(a.listen, "http://", 7))
		a.listen += 7;
	a.every = 1800;
	if (every) {
		char *end;
		errno = 0;
		unsigned long v = strtoul(every, &end, 10);
		if (errno || *end || !*every || v < 10 || v > 43200) {
			free(store);
			free(crpc);
			free(gate);
			free(peers);
			return diag_error(LST_EUSAGE, "--announce-every takes 10 to 43200 seconds, not '%s'", every);
		}
		a.every = (unsigned)v;
	}
	/*
	 * Announcing needs a node and the home's key, unlocked now (before a
	 * detach takes the terminal away); without either the gateway serves
	 * and announces nothing.
	 */
	char *node = no_announce ? NULL : default_node(node_url);
	secret_key k = {NULL};
	key_entry e;
	bool have_key = false;
	a.node = NULL;
	a.priv = NULL;
	if (node) {
		diag_set_quiet(true);
		int hk = home_key(&k, &e, false);
		diag_set_quiet(false);
		if (hk < 0) {
			diag_warn("not announcing to '%s': the home's key could not be unlocked", node);
		} else if (k.priv) {
			have_key = true;
			a.node = node;
			a.priv = k.priv;
		}
	}
	/* The store must exist before the gateway opens it. */
	bstore *s = bstore_open(store);
	int st = s ? LST_OK : diag_status();
	if (s)
		bstore_close(s);
	if (st == LST_OK)
		st = service_main("swarm", "gateway", detach, serve_run, &a);
	int r = 0;
	if (st != LST_OK) {
		diag_set_status(st);
		r = -1;
	} else if (detach) {
		pid_t pid = 0;
		char *url = config_get("gateway");
		int rr = service_running("swarm", &pid);
		r = print(jsonio_obj("url", url ? jsonio_str(url) : json_null(), "pid", json_integer(rr == 0 ? pid : 0),
				     "home", jsonio_str(home_dir()), NULL));
		free(url);
	}
	if (have_key) {
		secret_free(&k);
		keyring_entry_free(&e);
	}
	free(node);
	free(store);
	free(crpc);
	free(gate);
	free(peers);
	return r;
}

static int cmd_stop(int argc, char **argv)
{
	static const char *const usage[] = {"lst-swarm stop", NULL};
	const struct opt opts[] = {HOME_OPT, OPT_END()};
	if (parse(argc, argv, opts, usage) != 0)
		opt_usage_die(opts, usage, "stop takes no operands");
	pid_t pid = 0;
	bool was = service_running("swarm", &pid) == 0;
	if (service_stop("swarm", "gateway", 30000) < 0)
		return -1;
	return print(jsonio_obj("stopped", json_boolean(was), "pid", was ? json_integer(pid) : json_null(), NULL));
}

/* ---- announce, providers ---- */

static int cmd_announce(int argc, char **argv)
{
	const char *node_url = NULL, *self = NULL, *ttl = NULL;
	static const char *const usage[] = {"lst-swarm announce [--node URL] [--url GATEWAY] [--ttl S] ROOT", NULL};
	const struct opt opts[] = {
		NODE_OPT,
		OPT_STRING(0, "url", &self, "URL", "where we serve it (default: this home's gateway)"),
		OPT_STRING(0, "ttl", &ttl, "S", "how long the record lives, in seconds (default 3600, at most 86400)"),
		HOME_OPT,
		OPT_END(),
	};
	if (parse(argc, argv, opts, usage) != 1)
		opt_usage_die(opts, usage, "announce takes one ROOT");
	cid root;
	if (parse_root(&root, argv[0]) < 0)
		return -1;
	uint64_t lifetime = 3600;
	if (ttl) {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(ttl, &end, 10);
		if (errno || *end || !*ttl || v < 10 || v > 86400)
			return diag_error(LST_EUSAGE, "--ttl takes 10 to 86400 seconds, not '%s'", ttl);
		lifetime = v;
	}
	char *node = default_node(node_url);
	char *mine = self ? xstrdup(self) : swarm_self_gateway();
	int r = 0;
	if (!node)
		r = diag_error(LST_EUSAGE, "no node to announce to (pass --node URL or set config rpc)");
	else if (!mine)
		r = diag_error(LST_EUSAGE, "this home serves no gateway (run 'lst-swarm serve', or pass --url)");
	bstore *s = r == 0 ? home_store(true) : NULL;
	secret_key k = {NULL};
	key_entry e;
	if (r == 0 && !s)
		r = -1;
	if (r == 0)
		r = home_key(&k, &e, true);
	if (r == 0) {
		int a = swarm_announce(s, node, k.priv, mine, &root, lifetime);
		if (a == 1)
			r = diag_error(LST_ENOTFOUND, "'%s' is not (wholly) in the store: nothing to announce", argv[0]);
		else if (a < 0)
			r = -1;
		uint8_t *have = NULL;
		uint64_t leaves = 0;
		bool complete = false;
		if (r == 0 && fetch_have(s, &have, &leaves, &complete, &root, NULL) == 0) {
			free(have);
			r = print(jsonio_obj("root", jsonio_str(argv[0]), "url", jsonio_str(mine), "node", jsonio_str(node),
					     "complete", json_boolean(complete), "expires",
					     json_integer((json_int_t)(time(NULL) + (time_t)lifetime)), NULL));
		}
		secret_free(&k);
		keyring_entry_free(&e);
	}
	if (s)
		bstore_close(s);
	free(node);
	free(mine);
	return r;
}

static int get_json(json_t **out, long *status, const char *url, const char *const *headers, size_t nh)
{
	buf b = BUF_INIT;
	int r = http_request(&b, status, url, headers, nh, NULL, 0, 16u << 20, 10000);
	*out = NULL;
	if (r == 0) {
		json_error_t err;
		*out = json_loadb((char *)b.p, b.len, 0, &err);
		if (!*out && *status == 200)
			r = diag_error(LST_EINVALID, "'%s' answered something that is not JSON", url);
	}
	buf_free(&b);
	return r;
}

static int cmd_providers(int argc, char **argv)
{
	const char *node_url = NULL;
	static const char *const usage[] = {"lst-swarm providers [--node URL] ROOT", NULL};
	const struct opt opts[] = {NODE_OPT, HOME_OPT, OPT_END()};
	if (parse(argc, argv, opts, usage) != 1)
		opt_usage_die(opts, usage, "providers takes one ROOT");
	cid root;
	if (parse_root(&root, argv[0]) < 0)
		return -1;
	char *node = default_node(node_url);
	if (!node)
		return diag_error(LST_EUSAGE, "no node to ask (pass --node URL or set config rpc)");
	char cs[CID_STR_MAX];
	cid_str(cs, &root);
	buf url = BUF_INIT;
	buf_addf(&url, "%s/lst/v1/providers/%s", node, cs);
	json_t *list;
	long status = 0;
	int r = get_json(&list, &status, (char *)url.p, NULL, 0);
	if (r == 0 && (status != 200 || !json_is_array(list)))
		r = diag_error(LST_EUNAVAIL, "'%s' answered HTTP %ld, not a provider list", (char *)url.p, status);
	size_t i;
	json_t *rec;
	if (r == 0)
		json_array_foreach(list, i, rec)
		{
			if (r == 0)
				r = print(json_incref(rec));
		}
	json_decref(list);
	buf_free(&url);
	free(node);
	return r;
}

/*
 * The operands of fetch and key: --peer URLs (repeatable), one ROOT, and a
 * node (--node, else config rpc) unless peers are given. 0 or -1.
 */
static int parse_root_peers(int argc, char **argv, const char *verb, const struct opt *opts,
			    const char *const *usage, const char *const *node_url, cid *root, const char ***peers,
			    size_t *npeers, char **node)
{
	argc = opt_take_repeated(argc, argv, "peer", peers, npeers);
	if (argc < 0)
		return -1;
	if (parse(argc, argv, opts, usage) != 1) {
		free(*peers);
		opt_usage_die(opts, usage, "%s takes one ROOT", verb);
	}
	if (parse_root(root, argv[0]) < 0) {
		free(*peers);
		return -1;
	}
	*node = default_node(*node_url);
	if (!*node && !*npeers) {
		free(*peers);
		return diag_error(LST_EUSAGE, "no node and no peer to ask (pass --peer URL or --node URL)");
	}
	return 0;
}

/* ---- fetch ---- */

typedef struct {
	bool json;
	progress pg;
	uint64_t last_ms;
} fetch_ui;

static void on_progress(void *arg, const fetch_progress *p)
{
	fetch_ui *u = arg;
	if (u->json) {
		/* The result line that follows is the one "done". */
		if (!strcmp(p->event, "done"))
			return;
		json_t *o = jsonio_obj("event", jsonio_str(p->event), "bytes", json_integer((json_int_t)p->bytes_done),
				       "total", json_integer((json_int_t)p->bytes_total), "blocks",
				       json_integer((json_int_t)p->blocks_done), "blocks_total",
				       json_integer((json_int_t)p->blocks_total), "rate", json_integer((json_int_t)p->rate),
				       "peers", json_integer(p->peers_active), NULL);
		if (p->peer_url)
			json_object_set_new(o, "peer", jsonio_str(p->peer_url));
		if (p->reason)
			json_object_set_new(o, "reason", jsonio_str(p->reason));
		if (jsonio_print(o) == 0)
			fflush(stdout);
		return;
	}
	if (!strcmp(p->event, "peer-dropped") && u->pg.on) {
		progress_end(&u->pg);
		fprintf(stderr, "lst-swarm: dropped peer '%s'%s%s\n", p->peer_url ? p->peer_url : "?",
			p->reason ? ": " : "", p->reason ? p->reason : "");
	}
	char extra[64];
	snprintf(extra, sizeof(extra), "%u peer%s", p->peers_active, p->peers_active == 1 ? "" : "s");
	u->pg.total = p->bytes_total;
	progress_update(&u->pg, p->bytes_done, extra);
}

static int cmd_fetch(int argc, char **argv)
{
	bool json = false, no_announce = false;
	const char *node_url = NULL, *unused = NULL, **peers;
	size_t npeers;
	static const char *const usage[] = {"lst-swarm fetch [--peer URL]... [--node URL] [--json] [--no-announce] ROOT",
					    NULL};
	const struct opt opts[] = {
		OPT_STRING(0, "peer", &unused, "URL", "a gateway to fetch from besides the node's providers (repeat)"),
		NODE_OPT,
		OPT_BOOL(0, "json", &json, "progress as JSON Lines on stdout, then the result"),
		OPT_BOOL(0, "no-announce", &no_announce, "do not announce ourselves as a provider"),
		HOME_OPT,
		OPT_END(),
	};
	cid root;
	char *node;
	if (parse_root_peers(argc, argv, argv[0], opts, usage, &node_url, &root, &peers, &npeers, &node) < 0)
		return -1;
	bstore *s = home_store(true);
	secret_key k = {NULL};
	key_entry e;
	int r = s ? home_key(&k, &e, false) : -1;
	bool have_key = r == 0 && k.priv;
	char *self = no_announce || !have_key ? NULL : swarm_self_gateway();
	fetch_ui u = {json, {0}, 0};
	progress_begin(&u.pg, "fetching", 0, false);
	if (json)
		u.pg.on = false;
	fetch_opts o = {
		.peers = peers,
		.npeers = npeers,
		.node = node,
		.priv = have_key ? k.priv : NULL,
		.self_url = self,
		.progress = on_progress,
		.arg = &u,
	};
	fetch_result res = {0};
	if (r == 0)
		r = swarm_fetch(s, &res, &root, &o);
	progress_end(&u.pg);
	/* (swarm_fetch marks an encrypted root gated as soon as its root block is in.) */
	if (r == 0)
		r = bstore_pin(s, &root);
	if (r == 0) {
		char cs[CID_STR_MAX];
		cid_str(cs, &root);
		json_t *out = jsonio_obj("root", jsonio_str(cs), "blocks", json_integer((json_int_t)res.blocks), "bytes",
					 json_integer((json_int_t)res.bytes), "blocks_fetched",
					 json_integer((json_int_t)res.blocks_fetched), "bytes_fetched",
					 json_integer((json_int_t)res.bytes_fetched), "from",
					 res.from ? json_incref(res.from) : json_object(), "provider",
					 self ? jsonio_str(self) : json_null(), NULL);
		if (json)
			json_object_set_new(out, "event", jsonio_str("done"));
		r = print(out);
	}
	fetch_result_free(&res);
	if (have_key) {
		secret_free(&k);
		keyring_entry_free(&e);
	}
	if (s)
		bstore_close(s);
	free(self);
	free(node);
	free(peers);
	return r;
}

/* ---- key ---- */

static int cmd_key(int argc, char **argv)
{
	const char *node_url = NULL, *unused = NULL, **peers;
	size_t npeers;
	static const char *const usage[] = {"lst-swarm key [--peer URL]... [--node URL] ROOT", NULL};
	const struct opt opts[] = {
		OPT_STRING(0, "peer", &unused, "URL", "a gateway that holds the key (repeat; default: the node)"),
		NODE_OPT,
		HOME_OPT,
		OPT_END(),
	};
	cid root;
	char *node;
	if (parse_root_peers(argc, argv, argv[0], opts, usage, &node_url, &root, &peers, &npeers, &node) < 0)
		return -1;
	secret_key k = {NULL};
	key_entry e;
	if (home_key(&k, &e, true) < 0) {
		free(node);
		free(peers);
		return -1;
	}
	/*
	 * --peer URLs alone, else the node and the providers its registry
	 * lists (so a key comes from a reader when the author is offline);
	 * with both, the peers first.
	 */
	const char *ask_node = npeers && !node_url ? NULL : node;
	uint8_t *key = sodium_malloc(32);
	bstore *s = home_store(true);
	int r = s ? 0 : -1;
	char *from = NULL;
	/* When the root block is here the key must open it, or it is not the key (a lying peer). */
	if (r == 0)
		r = swarm_key_get(key, &from, s, k.priv, peers, npeers, ask_node, &root, 0);
	if (r == 0)
		r = content_key_save(&root, key);
	if (r == 0) {
		char cs[CID_STR_MAX];
		cid_str(cs, &root);
		char *kf = home_path("content-keys");
		buf path = BUF_INIT;
		buf_addf(&path, "%s/%s", kf, cs);
		r = print(jsonio_obj("root", jsonio_str(cs), "key_file", jsonio_str((char *)path.p), "address",
				     jsonio_str(e.address_str), NULL));
		buf_free(&path);
		free(kf);
	}
	if (s)
		bstore_close(s);
	free(from);
	sodium_free(key);
	secret_free(&k);
	keyring_entry_free(&e);
	free(node);
	free(peers);
	return r;
}

/* ---- stats ---- */

static int cmd_stats(int argc, char **argv)
{
	const char *url_opt = NULL;
	static const char *const usage[] = {"lst-swarm stats [--url URL]", NULL};
	const struct opt opts[] = {
		OPT_STRING(0, "url", &url_opt, "URL", "the gateway (default: this home's)"),
		HOME_OPT,
		OPT_END(),
	};
	if (parse(argc, argv, opts, usage) != 0)
		opt_usage_die(opts, usage, "stats takes no operands");
	char *base = url_opt ? xstrdup(url_opt) : swarm_self_gateway();
	if (!base)
		return diag_error(LST_EUNAVAIL, "this home serves no gateway (run 'lst-swarm serve', or pass --url)");
	buf url = BUF_INIT;
	buf_addf(&url, "%s/lst/v1/stats", base);
	json_t *j;
	long status = 0;
	int r = get_json(&j, &status, (char *)url.p, NULL, 0);
	if (r == 0 && (status != 200 || !json_is_object(j)))
		r = diag_error(LST_EUNAVAIL, "'%s' answered HTTP %ld, not gateway stats", (char *)url.p, status);
	if (r == 0) {
		json_object_set_new(j, "url", jsonio_str(base));
		r = print(j);
	} else {
		json_decref(j);
	}
	buf_free(&url);
	free(base);
	return r;
}

static const struct verb verbs[] = {
	{"serve", cmd_serve, "serve the store as a trustless gateway with a provider registry"},
	{"stop", cmd_stop, "stop the home's gateway"},
	{"fetch", cmd_fetch, "download a root from every provider at once, then provide it"},
	{"announce", cmd_announce, "tell a node that we provide a root"},
	{"providers", cmd_providers, "who provides a root, one JSON record per line"},
	{"key", cmd_key, "obtain a paid root's content key, sealed to the home's key"},
	{"stats", cmd_stats, "a gateway's counters: bytes uploaded, blocks served, denials"},
};

int main(int argc, char **argv)
{
	diag_init("lst-swarm");
	if (sodium_init() < 0)
		diag_die(LST_EFAIL, "cannot initialise libsodium");
	static const struct global_opt globals[] = {
		{"home", "DIR", &opt_home},
	};
	verbs_main("lst-swarm", verbs, ARRAY_SIZE(verbs), globals, ARRAY_SIZE(globals), argc, argv);
}
