/* chaininit.c: see chaininit.h. */
#include "lst.h"
#include "chaininit.h"
#include "addr.h"
#include "buf.h"
#include "diag.h"
#include "home.h"
#include "jsonio.h"
#include "keyring.h"
#include "rpcclient.h"
#include "secp.h"
#include "txjson.h"

#include <sys/stat.h>
#include <time.h>

#define PHOTONS_PER_LST 1000000000000000000ULL

int chain_write_genesis(const genesis *g)
{
	if (home_ensure() < 0)
		return -1;
	char *path = home_path("genesis.json");
	struct stat st;
	int r;
	if (stat(path, &st) == 0) {
		r = diag_error(LST_EFAIL, "'%s' exists: this home already has a chain", path);
		diag_hint("use another --home, or remove the home to start over");
	} else {
		r = genesis_save(g, path);
	}
	free(path);
	return r;
}

static u256 lst(uint64_t n)
{
	u256 a = u256_from_u64(n), r;
	if (u256_mul_small(&r, &a, PHOTONS_PER_LST, 0) < 0)
		r = u256_from_u64(0);
	return r;
}

int chain_plain_key(key_entry *e, const char *name)
{
	secret_key k;
	if (secret_alloc(&k) < 0)
		return -1;
	secp_keygen(k.priv);
	int r = keyring_add(e, k.priv, name, NULL);
	secret_free(&k);
	return r;
}

void chain_dev_genesis(genesis *g, uint64_t chain_id, const uint8_t foundation[20], const uint8_t developer[20],
		       size_t nvalidators)
{
	memset(g, 0, sizeof(*g));
	g->chain_id = chain_id;
	g->start_time = (uint64_t)time(NULL);
	memcpy(g->foundation, foundation, 20);
	g->service_fee_bps = 500;
	g->listing_fee = lst(1);
	g->subscription_period = 0; /* calendar months in UTC */
	g->validators = xcalloc(nvalidators ? nvalidators : 1, sizeof(*g->validators));
	g->nvalidators = nvalidators;
	for (size_t i = 0; i < nvalidators; i++)
		g->validators[i].power = 1;
	g->alloc = xcalloc(2, sizeof(*g->alloc));
	memcpy(g->alloc[0].address, developer, 20);
	g->alloc[0].balance = lst(999000000);
	memcpy(g->alloc[1].address, foundation, 20);
	g->alloc[1].balance = lst(1000000);
	g->nalloc = 2;
}

/* Refuses a home that already has a chain, before anything is made. */
static int no_genesis_yet(void)
{
	char *gpath = home_path("genesis.json");
	struct stat st;
	bool exists = stat(gpath, &st) == 0;
	free(gpath);
	if (!exists)
		return 0;
	diag_error(LST_EFAIL, "'%s' already has a chain (genesis.json)", home_dir());
	diag_hint("use another --home, or remove the home to start over");
	return -1;
}

int chain_parse_period(uint64_t *period, const char *s, const char *option)
{
	u256 v;
	if (!strcmp(s, "month")) {
		*period = 0;
		return 0;
	}
	if (u256_from_str(&v, s) < 0 || !u256_fits_u64(&v) || !v.w[0]) {
		diag_error(LST_EINVALID, "%s takes 'month' or a number of seconds from 1, not '%s'", option, s);
		diag_hint("'month' is calendar months in UTC, the default; seconds are for test networks");
		return -1;
	}
	*period = v.w[0];
	return 0;
}

int chain_init_dev(json_t **summary, uint64_t chain_id)
{
	return chain_init_dev_period(summary, chain_id, 0);
}

int chain_init_dev_period(json_t **summary, uint64_t chain_id, uint64_t period)
{
	if (no_genesis_yet() < 0)
		return -1;
	key_entry *have;
	size_t nhave;
	if (keyring_list(&have, &nhave) == 0 && nhave) {
		keyring_free_list(have, nhave);
		diag_error(LST_EFAIL, "'%s' already has keys: a dev network wants a home of its own", home_dir());
		diag_hint("use another --home (or LST_HOME) for it");
		return -1;
	}
	key_entry v, f, d;
	if (home_ensure() < 0 || chain_plain_key(&v, "validator") < 0)
		return -1;
	if (chain_plain_key(&f, "foundation") < 0) {
		keyring_entry_free(&v);
		return -1;
	}
	if (chain_plain_key(&d, "developer") < 0) {
		keyring_entry_free(&v);
		keyring_entry_free(&f);
		return -1;
	}
	genesis g;
	chain_dev_genesis(&g, chain_id, f.address, d.address, 1);
	g.subscription_period = period;
	memcpy(g.validators[0].address, v.address, 20);
	int r = genesis_finish(&g);
	if (r == 0)
		r = chain_write_genesis(&g);
	if (r == 0)
		r = config_set("validator_key", v.address_str);
	if (r == 0)
		r = config_set("key", d.address_str);
	if (r == 0)
		*summary = jsonio_obj("home", jsonio_str(home_dir()), "chain_id", json_integer((json_int_t)chain_id),
				      "genesis_hash", jsonio_hex(g.hash, 32), "validator", json_string(v.address_str),
				      "foundation", json_string(f.address_str), "developer", json_string(d.address_str),
				      "supply", u256_to_json(&g.supply), NULL);
	genesis_free(&g);
	keyring_entry_free(&v);
	keyring_entry_free(&f);
	keyring_entry_free(&d);
	return r;
}

/* ---- joining a network ---- */

/* PORT is 1 to 5 digits, at most 65535 (0 allowed when zero_ok). */
static bool port_valid(const char *p, size_t len, bool zero_ok)
{
	if (len == 0 || len > 5)
		return false;
	unsigned long v = 0;
	for (size_t i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(p[i] - '0');
	}
	return v <= 65535 && (zero_ok || v > 0);
}

char *chain_peer_url(const char *s)
{
	const char *rest = s, *scheme = "http://";
	if (strstr(s, "://")) {
		if (!strncmp(s, "http://", 7))
			rest = s + 7;
		else if (!strncmp(s, "https://", 8))
			rest = s + 8, scheme = "https://";
		else
			return NULL;
	}
	for (const char *p = s; *p; p++)
		if (*p <= ' ' || *p == ',' || *p == '"' || *p == 0x7f)
			return NULL;
	size_t alen = strcspn(rest, "/");
	const char *colon = memchr(rest, ':', alen);
	if (alen == 0 || colon == rest)
		return NULL;
	/* A bare HOST:PORT needs its port; a URL may leave it to the scheme. */
	if (colon ? !port_valid(colon + 1, alen - (size_t)(colon + 1 - rest), false) : rest == s)
		return NULL;
	char *u = xasprintf("%s%s", scheme, rest);
	size_t n = strlen(u);
	while (n > strlen(scheme) + alen && u[n - 1] == '/')
		u[--n] = 0;
	return u;
}

static bool listen_valid(const char *s)
{
	if (!strncmp(s, "http://", 7))
		s += 7;
	const char *colon = strrchr(s, ':');
	return colon && colon > s && !strchr(s, '/') && !strchr(s, ',') && port_valid(colon + 1, strlen(colon + 1), true);
}

static void add_peer(json_t *peers, const char *url)
{
	char *u = chain_peer_url(url);
	if (!u)
		return;
	size_t i;
	json_t *v;
	json_array_foreach(peers, i, v)
		if (!strcmp(json_string_value(v), u)) {
			free(u);
			return;
		}
	json_array_append_new(peers, jsonio_str(u));
	free(u);
}

/* The node's genesis, validated. Reports why not, with exit status 5 or 6. */
static int fetch_genesis(genesis *g, const char *url)
{
	json_t *res;
	int code;
	char msg[512];
	if (rpcc_call_quiet(&res, &code, msg, sizeof(msg), "lst_genesis", NULL) < 0) {
		if (code == -32601) {
			diag_error(LST_EUNAVAIL, "'%s' answers JSON-RPC but is not an lst node (no lst_genesis)", url);
		} else {
			diag_error(LST_EUNAVAIL, "%s", msg);
			diag_hint("give the JSON-RPC URL of a running node of the network ('rpc' in its config.json)");
		}
		return -1;
	}
	int r = genesis_from_json(g, res);
	json_decref(res);
	if (r < 0)
		diag_hint("'%s' answered lst_genesis with something that is not a valid genesis", url);
	return r;
}

int chain_init_join(json_t **summary, const char *url, const char *listen)
{
	char *u = chain_peer_url(url);
	if (!u) {
		diag_error(LST_EUSAGE, "--join takes a node's URL (http://HOST:PORT) or HOST:PORT, not '%s'", url);
		return -1;
	}
	if (listen && !listen_valid(listen)) {
		free(u);
		diag_error(LST_EUSAGE, "--listen takes HOST:PORT, not '%s'", listen);
		return -1;
	}
	if (no_genesis_yet() < 0) {
		free(u);
		return -1;
	}
	rpcc_set_url(u);
	genesis g;
	if (fetch_genesis(&g, u) < 0) {
		free(u);
		return -1;
	}
	json_t *peers = json_array(), *res;
	add_peer(peers, u);
	int code;
	char msg[512];
	if (rpcc_call_quiet(&res, &code, msg, sizeof(msg), "lst_peers", NULL) == 0) {
		size_t i;
		json_t *p;
		json_array_foreach(json_object_get(res, "peers"), i, p)
			if (jsonio_get_str(p, "url"))
				add_peer(peers, jsonio_get_str(p, "url"));
		json_decref(res);
	} else {
		diag_warn("'%s' does not list its peers (%s): it is the only peer for now", u, msg);
	}
	buf list = BUF_INIT;
	size_t i;
	json_t *p;
	json_array_foreach(peers, i, p) {
		if (i)
			buf_addc(&list, ',');
		buf_adds(&list, json_string_value(p));
	}
	buf_addc(&list, 0);
	/* The settings first: a failure then leaves no genesis, and a retry works. */
	int r = config_set("peers", (const char *)list.p);
	if (r == 0 && listen)
		r = config_set("listen", strncmp(listen, "http://", 7) ? listen : listen + 7);
	if (r == 0)
		r = chain_write_genesis(&g);
	if (r == 0)
		*summary = jsonio_obj("home", jsonio_str(home_dir()), "chain_id", json_integer((json_int_t)g.chain_id),
				      "genesis_hash", jsonio_hex(g.hash, 32), "peers", json_incref(peers), NULL);
	buf_free(&list);
	json_decref(peers);
	genesis_free(&g);
	free(u);
	return r;
}
