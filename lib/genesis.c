/* genesis.c: see genesis.h. */
#include "lst.h"
#include "genesis.h"
#include "addr.h"
#include "buf.h"
#include "diag.h"
#include "home.h"
#include "jsonio.h"
#include "keccak.h"
#include "txjson.h"

#define MAX_BPS 10000

static int bad(const char *field, const char *why)
{
	return diag_error(LST_EINVALID, "genesis: '%s' %s", field, why);
}

static int get_u64(uint64_t *out, json_t *j, const char *field, bool required)
{
	json_t *v = json_object_get(j, field);
	u256 t;
	if (!v) {
		*out = 0;
		return required ? bad(field, "is missing") : 0;
	}
	if (json_to_u256(&t, v) < 0 || !u256_fits_u64(&t))
		return bad(field, "must be an integer below 2^64");
	*out = t.w[0];
	return 0;
}

static int get_addr(uint8_t out[20], json_t *v, const char *field)
{
	const char *why;
	if (!json_is_string(v) || addr_parse(out, json_string_value(v), &why) < 0)
		return bad(field, "must be an address");
	return 0;
}

int genesis_finish(genesis *g)
{
	u256 s = u256_from_u64(0);
	for (size_t i = 0; i < g->nalloc; i++)
		if (u256_add(&s, &s, &g->alloc[i].balance) < 0 || !u256_fits_u128(&s))
			return diag_error(LST_EINVALID, "genesis: the supply exceeds a 128-bit balance");
	g->supply = s;
	json_t *j = genesis_to_json(g);
	char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	keccak256(g->hash, (const uint8_t *)text, strlen(text));
	free(text);
	json_decref(j);
	return 0;
}

int genesis_from_json(genesis *g, json_t *j)
{
	memset(g, 0, sizeof(*g));
	if (!json_is_object(j))
		return bad("genesis", "must be a JSON object");
	if (get_u64(&g->chain_id, j, "chain_id", true) < 0 || get_u64(&g->start_time, j, "start_time", true) < 0 ||
	    get_u64(&g->service_fee_bps, j, "service_fee_bps", false) < 0 ||
	    get_u64(&g->subscription_period, j, "subscription_period", false) < 0)
		return -1;
	if (g->chain_id == 0)
		return bad("chain_id", "must be at least 1");
	if (g->service_fee_bps > MAX_BPS)
		return bad("service_fee_bps", "must be at most 10000 (100%)");
	if (get_addr(g->foundation, json_object_get(j, "foundation"), "foundation") < 0)
		return -1;
	json_t *lf = json_object_get(j, "listing_fee");
	if (lf && (json_to_u256(&g->listing_fee, lf) < 0 || !u256_fits_u128(&g->listing_fee)))
		return bad("listing_fee", "must be an amount of Photons below 2^128");
	json_t *vals = json_object_get(j, "validators"), *alloc = json_object_get(j, "alloc");
	if (!json_is_array(vals) || json_array_size(vals) == 0)
		return bad("validators", "must be a non-empty array");
	if (!json_is_array(alloc))
		return bad("alloc", "must be an array of {address, balance}");
	g->validators = xcalloc(json_array_size(vals), sizeof(*g->validators));
	g->alloc = xcalloc(json_array_size(alloc) + 1, sizeof(*g->alloc));
	size_t i;
	json_t *v;
	json_array_foreach(vals, i, v) {
		genesis_validator *gv = &g->validators[g->nvalidators];
		if (get_addr(gv->address, json_object_get(v, "address"), "validators.address") < 0 ||
		    get_u64(&gv->power, v, "power", true) < 0)
			goto fail;
		if (gv->power == 0) {
			bad("validators.power", "must be at least 1");
			goto fail;
		}
		for (size_t k = 0; k < g->nvalidators; k++)
			if (!memcmp(g->validators[k].address, gv->address, 20)) {
				bad("validators", "lists an address twice");
				goto fail;
			}
		g->nvalidators++;
	}
	json_array_foreach(alloc, i, v) {
		genesis_alloc *ga = &g->alloc[g->nalloc];
		if (get_addr(ga->address, json_object_get(v, "address"), "alloc.address") < 0)
			goto fail;
		if (json_to_u256(&ga->balance, json_object_get(v, "balance")) < 0 || !u256_fits_u128(&ga->balance)) {
			bad("alloc.balance", "must be an amount of Photons below 2^128");
			goto fail;
		}
		for (size_t k = 0; k < g->nalloc; k++)
			if (!memcmp(g->alloc[k].address, ga->address, 20)) {
				bad("alloc", "lists an address twice");
				goto fail;
			}
		g->nalloc++;
	}
	if (genesis_finish(g) < 0)
		goto fail;
	return 0;
fail:
	genesis_free(g);
	return -1;
}

static json_t *addr_json(const uint8_t a[20])
{
	char s[ADDR_STR];
	addr_to_str(s, a);
	return json_string(s);
}

json_t *genesis_to_json(const genesis *g)
{
	json_t *vals = json_array(), *alloc = json_array();
	for (size_t i = 0; i < g->nvalidators; i++)
		json_array_append_new(vals, jsonio_obj("address", addr_json(g->validators[i].address),
						       "power", json_integer((json_int_t)g->validators[i].power), NULL));
	for (size_t i = 0; i < g->nalloc; i++)
		json_array_append_new(alloc, jsonio_obj("address", addr_json(g->alloc[i].address),
							"balance", u256_to_json(&g->alloc[i].balance), NULL));
	return jsonio_obj("chain_id", json_integer((json_int_t)g->chain_id),
			  "start_time", json_integer((json_int_t)g->start_time),
			  "foundation", addr_json(g->foundation),
			  "service_fee_bps", json_integer((json_int_t)g->service_fee_bps),
			  "listing_fee", u256_to_json(&g->listing_fee),
			  "subscription_period", json_integer((json_int_t)g->subscription_period),
			  "validators", vals, "alloc", alloc, NULL);
}

int genesis_load(genesis *g, const char *path)
{
	buf b = BUF_INIT;
	if (buf_read_file(&b, path, 64u << 20) < 0) {
		int code = errno == ENOENT ? LST_ENOTFOUND : LST_EFAIL;
		buf_free(&b);
		diag_error(code, "cannot read genesis '%s': %s", path, strerror(errno));
		if (code == LST_ENOTFOUND)
			diag_hint("create one with 'lst-chain init' (or 'lst init --dev')");
		return -1;
	}
	json_t *j = jsonio_parse((const char *)b.p, b.len, path);
	buf_free(&b);
	if (!j)
		return -1;
	int r = genesis_from_json(g, j);
	json_decref(j);
	return r;
}

int genesis_save(const genesis *g, const char *path)
{
	json_t *j = genesis_to_json(g);
	char *text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	buf b = BUF_INIT;
	buf_adds(&b, text);
	buf_addc(&b, '\n');
	free(text);
	int r = write_file_atomic(path, b.p, b.len, 0644);
	buf_free(&b);
	return r;
}

void genesis_free(genesis *g)
{
	free(g->validators);
	free(g->alloc);
	g->validators = NULL;
	g->alloc = NULL;
	g->nvalidators = g->nalloc = 0;
}
