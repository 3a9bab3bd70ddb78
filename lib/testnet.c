/* testnet.c: see testnet.h. */
#include "lst.h"
#include "testnet.h"
#include "buf.h"
#include "chaininit.h"
#include "diag.h"
#include "genesis.h"
#include "home.h"
#include "jsonio.h"
#include "keyring.h"

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

/* out as an absolute path without trailing '/', malloc'd. */
static char *absolute(const char *out)
{
	char *p;
	if (out[0] == '/') {
		p = xstrdup(out);
	} else {
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof(cwd))) {
			diag_error(LST_EFAIL, "cannot get the current directory: %s", strerror(errno));
			return NULL;
		}
		while (out[0] == '.' && out[1] == '/')
			out += 2;
		p = !strcmp(out, ".") || !*out ? xstrdup(cwd) : xasprintf("%s/%s", strcmp(cwd, "/") ? cwd : "", out);
	}
	size_t n = strlen(p);
	while (n > 1 && p[n - 1] == '/')
		p[--n] = 0;
	return p;
}

/* The peers of node k: every other node's URL. */
static char *peers_of(unsigned long k, unsigned long n, unsigned long base_port)
{
	buf b = BUF_INIT;
	for (unsigned long i = 0; i < n; i++) {
		if (i == k)
			continue;
		buf_addf(&b, "%shttp://127.0.0.1:%lu", b.len ? "," : "", base_port + i);
	}
	buf_addc(&b, 0);
	return (char *)b.p;
}

/* Make the home dir with one new key named name; *e is the key. */
static int new_home_key(key_entry *e, const char *dir, const char *name)
{
	home_set(dir);
	return home_ensure() < 0 ? -1 : chain_plain_key(e, name);
}

int testnet_make(json_t **summary, const char *out, unsigned long n, unsigned long base_port, uint64_t chain_id,
		 uint64_t period)
{
	if (n < 1 || n > TESTNET_MAX_VALIDATORS)
		return diag_error(LST_EUSAGE, "--validators must be 1 to %d, not %lu", TESTNET_MAX_VALIDATORS, n);
	if (base_port < 1 || base_port > 65535)
		return diag_error(LST_EUSAGE, "--base-port must be 1 to 65535, not %lu", base_port);
	if (base_port + n - 1 > 65535)
		return diag_error(LST_EUSAGE, "--base-port %lu leaves no room for %lu nodes (ports %lu to %lu, at most 65535)",
				  base_port, n, base_port, base_port + n - 1);
	if (chain_id == 0)
		return diag_error(LST_EINVALID, "--chain-id must be at least 1");
	char *dir = absolute(out);
	if (!dir)
		return -1;
	/* Every home is new, or nothing is written. */
	char **homes = xcalloc(n + 1, sizeof(char *));
	for (unsigned long k = 0; k <= n; k++)
		homes[k] = k < n ? xasprintf("%s/node%lu", dir, k) : xasprintf("%s/client", dir);
	int r = 0;
	for (unsigned long k = 0; k <= n && r == 0; k++) {
		struct stat st;
		if (lstat(homes[k], &st) == 0) {
			r = diag_error(LST_EREFUSED, "'%s' exists: a testnet is made in new homes only", homes[k]);
			diag_hint("choose another --out, or remove '%s' to start over", dir);
		}
	}
	key_entry f, d, *v = xcalloc(n, sizeof(*v));
	unsigned long nv = 0;
	bool have_f = false, have_d = false;
	genesis g;
	memset(&g, 0, sizeof(g));
	if (r == 0 && (r = new_home_key(&f, homes[n], "foundation")) == 0) {
		have_f = true;
		r = chain_plain_key(&d, "developer");
		have_d = r == 0;
	}
	for (; r == 0 && nv < n; nv++)
		if ((r = new_home_key(&v[nv], homes[nv], "validator")) < 0)
			break;
	if (r == 0) {
		chain_dev_genesis(&g, chain_id, f.address, d.address, n);
		g.subscription_period = period;
		for (unsigned long k = 0; k < n; k++)
			memcpy(g.validators[k].address, v[k].address, 20);
		r = genesis_finish(&g);
	}
	json_t *vals = json_array();
	for (unsigned long k = 0; r == 0 && k < n; k++) {
		char listen[32], rpc[40];
		snprintf(listen, sizeof(listen), "127.0.0.1:%lu", base_port + k);
		snprintf(rpc, sizeof(rpc), "http://%s", listen);
		char *peers = peers_of(k, n, base_port);
		home_set(homes[k]);
		if ((r = chain_write_genesis(&g)) == 0 && (r = config_set("validator_key", v[k].address_str)) == 0 &&
		    (r = config_set("listen", listen)) == 0 && (r = config_set("rpc", rpc)) == 0 && n > 1)
			r = config_set("peers", peers);
		free(peers);
		json_array_append_new(vals, jsonio_obj("home", jsonio_str(homes[k]), "address", json_string(v[k].address_str),
						       "listen", json_string(listen), "rpc", json_string(rpc), NULL));
	}
	if (r == 0) {
		char rpc[40];
		snprintf(rpc, sizeof(rpc), "http://127.0.0.1:%lu", base_port);
		home_set(homes[n]);
		if ((r = config_set("key", d.address_str)) == 0)
			r = config_set("rpc", rpc);
	}
	if (r == 0)
		*summary = jsonio_obj("out", jsonio_str(dir), "chain_id", json_integer((json_int_t)chain_id),
				      "genesis_hash", jsonio_hex(g.hash, 32), "validators", json_incref(vals),
				      "foundation", json_string(f.address_str), "developer", json_string(d.address_str),
				      "client", jsonio_str(homes[n]), NULL);
	json_decref(vals);
	genesis_free(&g);
	for (unsigned long k = 0; k < nv; k++)
		keyring_entry_free(&v[k]);
	free(v);
	if (have_f)
		keyring_entry_free(&f);
	if (have_d)
		keyring_entry_free(&d);
	for (unsigned long k = 0; k <= n; k++)
		free(homes[k]);
	free(homes);
	free(dir);
	return r;
}
