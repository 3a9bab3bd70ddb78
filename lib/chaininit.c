/* chaininit.c: see chaininit.h. */
#include "lst.h"
#include "chaininit.h"
#include "addr.h"
#include "diag.h"
#include "home.h"
#include "jsonio.h"
#include "keyring.h"
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

/* A new plaintext key named name (the home has no keys: checked first). */
static int dev_key(key_entry *e, const char *name)
{
	secret_key k;
	if (secret_alloc(&k) < 0)
		return -1;
	secp_keygen(k.priv);
	int r = keyring_add(e, k.priv, name, NULL);
	secret_free(&k);
	return r;
}

int chain_init_dev(json_t **summary, uint64_t chain_id)
{
	char *gpath = home_path("genesis.json");
	struct stat st;
	bool exists = stat(gpath, &st) == 0;
	free(gpath);
	if (exists) {
		diag_error(LST_EFAIL, "'%s' already has a chain (genesis.json)", home_dir());
		diag_hint("use another --home, or remove the home to start over");
		return -1;
	}
	key_entry *have;
	size_t nhave;
	if (keyring_list(&have, &nhave) == 0 && nhave) {
		keyring_free_list(have, nhave);
		diag_error(LST_EFAIL, "'%s' already has keys: a dev network wants a home of its own", home_dir());
		diag_hint("use another --home (or LST_HOME) for it");
		return -1;
	}
	key_entry v, f, d;
	if (home_ensure() < 0 || dev_key(&v, "validator") < 0)
		return -1;
	if (dev_key(&f, "foundation") < 0) {
		keyring_entry_free(&v);
		return -1;
	}
	if (dev_key(&d, "developer") < 0) {
		keyring_entry_free(&v);
		keyring_entry_free(&f);
		return -1;
	}
	genesis g;
	memset(&g, 0, sizeof(g));
	g.chain_id = chain_id;
	g.start_time = (uint64_t)time(NULL);
	memcpy(g.foundation, f.address, 20);
	g.service_fee_bps = 500;
	g.listing_fee = lst(1);
	g.subscription_period = 30 * 86400;
	genesis_validator gv;
	memcpy(gv.address, v.address, 20);
	gv.power = 1;
	g.validators = &gv;
	g.nvalidators = 1;
	genesis_alloc alloc[2];
	memcpy(alloc[0].address, d.address, 20);
	alloc[0].balance = lst(999000000);
	memcpy(alloc[1].address, f.address, 20);
	alloc[1].balance = lst(1000000);
	g.alloc = alloc;
	g.nalloc = 2;
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
	keyring_entry_free(&v);
	keyring_entry_free(&f);
	keyring_entry_free(&d);
	return r;
}
