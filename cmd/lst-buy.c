/*
 * lst-buy: a reader's purchase, end to end (see lst-buy(1)): pay the
 * market (unless the home's key may read the book already), then obtain
 * the latest version's key and blocks from the swarm, keep them and
 * provide them.
 */
#include "lst.h"
#include "amount.h"
#include "book.h"
#include "bstore.h"
#include "buf.h"
#include "cid.h"
#include "diag.h"
#include "fetch.h"
#include "home.h"
#include "jsonio.h"
#include "keyring.h"
#include "opt.h"
#include "pass.h"
#include "progress.h"
#include "rpcclient.h"
#include "swarmkey.h"
#include "u256.h"
#include "wallet.h"

#include <sodium.h>
#include <unistd.h>

#define BUY_TIMEOUT 60.0

typedef struct {
	const char *arg;       /* BOOK as given */
	uint8_t book[32];
	const char *max_price; /* NULL: none */
	bool yes, json, no_fetch;
	const char *const *peers;
	size_t npeers;
} buy_args;

typedef struct {
	book_info info;
	u256 paid;
	char tx[67];           /* "" when nothing was sent */
} sale;

/* Ask "buy TITLE for X? [y/N]" on the terminal: 0 yes, -1 no (reported, exit 4). */
static int confirm(const char *title, const char *price)
{
	fprintf(stderr, "buy %s for %s? [y/N] ", title, price);
	fflush(stderr);
	char line[64];
	if (!fgets(line, sizeof(line), stdin) || (line[0] != 'y' && line[0] != 'Y'))
		return diag_error(LST_EREFUSED, "not bought: '%s' was not confirmed", title);
	return 0;
}

/* Pay for the book unless e may read it already. 0 or -1 (reported). */
static int pay(sale *sl, const buy_args *a, const key_entry *e)
{
	bool access = false;
	sl->paid = u256_from_u64(0);
	sl->tx[0] = 0;
	if (book_has_access(&access, a->book, e->address) < 0)
		return -1;
	if (access)
		return 0;
	const u256 *price = &sl->info.price;
	char hprice[96], hmax[96], hbal[96], err[128];
	amount_format(hprice, sizeof(hprice), price);
	if (a->max_price) {
		u256 max;
		if (amount_parse(&max, err, sizeof(err), a->max_price) < 0)
			return diag_error(LST_EINVALID, "--max-price '%s': %s", a->max_price, err);
		amount_format(hmax, sizeof(hmax), &max);
		if (u256_cmp(price, &max) > 0)
			return diag_error(LST_EREFUSED, "price is %s, above --max-price %s", hprice, hmax);
	}
	u256 bal;
	if (wallet_balance(&bal, e->address) < 0)
		return -1;
	if (u256_cmp(&bal, price) < 0) {
		amount_format(hbal, sizeof(hbal), &bal);
		diag_error(LST_EREFUSED, "balance is %s, below the price %s of '%s'", hbal, hprice, sl->info.title);
		diag_hint("ask someone to send LST to %s", e->address_str);
		return -1;
	}
	if (!a->yes && !a->max_price) {
		if (!isatty(0)) {
			diag_error(LST_EUSAGE, "not paying %s for '%s' without a confirmation", hprice, sl->info.title);
			diag_hint("pass --yes, or --max-price AMOUNT, to pay without a terminal");
			return -1;
		}
		if (confirm(sl->info.title, hprice) < 0)
			return -1;
	}
	buf cd = BUF_INIT;
	json_t *rc = NULL;
	int r = book_call_buy(&cd, a->book);
	if (r == 0)
		r = book_send(&rc, e, &cd, price, BUY_TIMEOUT);
	if (r == 0) {
		const char *h = jsonio_get_str(rc, "transactionHash");
		snprintf(sl->tx, sizeof(sl->tx), "%s", h ? h : "");
		sl->paid = *price;
	}
	json_decref(rc);
	buf_free(&cd);
	return r;
}

/* The latest version, its key and its blocks, kept and provided. */
static int obtain(json_t *out, const buy_args *a, const key_entry *e)
{
	book_version *v = NULL;
	size_t n = 0;
	int r = book_versions(&v, &n, a->book);
	if (r == 1 || (r == 0 && n == 0))
		r = diag_error(LST_ENOTFOUND, "book '%s' has no versions", a->arg);
	if (r < 0) {
		book_versions_free(v, n);
		return -1;
	}
	const book_version *last = &v[n - 1];
	secret_key k = {NULL};
	uint8_t *key = sodium_malloc(32);
	bstore *s = NULL;
	char *key_from = NULL;
	json_t *dropped = NULL;
	fetch_result res = {0};
	r = keyring_unlock_ask(&k, e);
	if (r == 0 && !(s = home_store(true)))
		r = -1;
	if (r == 0)
		r = swarm_obtain_here(s, key, &key_from, NULL, &res, &dropped, k.priv, a->peers, a->npeers, &last->root);
	if (r == 0) {
		char cs[CID_STR_MAX];
		cid_str(cs, &last->root);
		json_object_set_new(out, "version", json_integer((json_int_t)(n - 1)));
		json_object_set_new(out, "label", jsonio_str(last->label ? last->label : ""));
		json_object_set_new(out, "root", jsonio_str(cs));
		json_object_set_new(out, "bytes", json_integer((json_int_t)res.bytes));
		json_object_set_new(out, "from", res.from ? json_incref(res.from) : json_object());
		json_object_set_new(out, "key_from", key_from ? jsonio_str(key_from) : json_null());
		json_object_set_new(out, "dropped", dropped ? json_incref(dropped) : json_array());
	}
	json_decref(dropped);
	fetch_result_free(&res);
	if (s)
		bstore_close(s);
	free(key_from);
	sodium_free(key);
	secret_free(&k);
	book_versions_free(v, n);
	return r;
}

static void print_human(const json_t *o, const sale *sl)
{
	char paid[96];
	amount_format(paid, sizeof(paid), &sl->paid);
	if (sl->tx[0])
		printf("bought %s for %s\ntx %s\n", sl->info.title, paid, sl->tx);
	else
		printf("%s: already yours, nothing paid\n", sl->info.title);
	const char *root = json_string_value(json_object_get(o, "root"));
	if (!root)
		return;
	printf("version %lld (%s) %s\n", (long long)json_integer_value(json_object_get(o, "version")),
	       json_string_value(json_object_get(o, "label")), root);
	const char *url;
	json_t *v;
	json_object_foreach((json_t *)json_object_get(o, "from"), url, v)
	{
		char b[32];
		progress_bytes(b, sizeof(b), (double)json_integer_value(v));
		printf("  %s from %s\n", b, url);
	}
	const char *kf = json_string_value(json_object_get(o, "key_from"));
	printf("key %s; read it with: lst read %s\n", kf ? kf : "kept here", json_string_value(json_object_get(o, "book")));
}

static int buy(const buy_args *a)
{
	key_entry e;
	if (keyring_find(&e, NULL) < 0)
		return -1;
	sale sl;
	memset(&sl, 0, sizeof(sl));
	int g = book_get(&sl.info, a->book);
	if (g != 0) {
		keyring_entry_free(&e);
		return g == 1 ? diag_error(LST_ENOTFOUND, "no such book '%s'", a->arg) : -1;
	}
	int r = pay(&sl, a, &e);
	json_t *out = NULL;
	if (r == 0) {
		char id[67], paid[U256_DEC_MAX];
		book_id_str(id, a->book);
		u256_to_dec(paid, &sl.paid);
		out = jsonio_obj("book", jsonio_str(id), "title", jsonio_str(sl.info.title), "paid", jsonio_str(paid),
				 "tx", sl.tx[0] ? jsonio_str(sl.tx) : json_null(), NULL);
		if (!a->no_fetch && obtain(out, a, &e) < 0) {
			r = -1;
			if (sl.tx[0])
				diag_hint("paid in '%s'; fetch it later with: lst read %s", sl.tx, id);
		}
	}
	if (r == 0) {
		if (a->json || !isatty(1)) {
			if (jsonio_print(json_incref(out)) < 0)
				r = diag_error(LST_EFAIL, "cannot write standard output");
		} else {
			print_human(out, &sl);
		}
	}
	json_decref(out);
	book_info_free(&sl.info);
	keyring_entry_free(&e);
	return r;
}

int main(int argc, char **argv)
{
	diag_init("lst-buy");
	if (sodium_init() < 0)
		diag_die(LST_EFAIL, "cannot initialise libsodium");
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--version")) {
			printf("lst-buy %s\n", LST_VERSION);
			diag_exit(LST_OK);
		}
	buy_args a;
	memset(&a, 0, sizeof(a));
	const char *home = NULL, *rpc = NULL, *passfile = NULL, *unused = NULL, **peers = NULL;
	static const char *const usage[] = {
		"lst-buy [--max-price AMOUNT] [--yes] [--peer URL]... [--rpc URL] [--passphrase-file FILE] [--json] "
		"[--no-fetch] BOOK",
		NULL};
	const struct opt opts[] = {
		OPT_STRING(0, "max-price", &a.max_price, "AMOUNT", "pay at most AMOUNT (refused above it; implies --yes)"),
		OPT_BOOL('y', "yes", &a.yes, "pay the current price without asking"),
		OPT_STRING(0, "peer", &unused, "URL", "a gateway to ask for the key and blocks (repeat)"),
		OPT_STRING(0, "rpc", &rpc, "URL", "the node (default: config rpc)"),
		OPT_STRING(0, "passphrase-file", &passfile, "FILE", "the home key's passphrase"),
		OPT_BOOL(0, "json", &a.json, "print JSON (the default when stdout is not a terminal)"),
		OPT_BOOL(0, "no-fetch", &a.no_fetch, "pay only; fetch later with lst read"),
		OPT_STRING(0, "home", &home, "DIR", "state directory (default $LST_HOME)"),
		OPT_END(),
	};
	size_t npeers = 0;
	argc = opt_take_repeated(argc, argv, "peer", &peers, &npeers);
	if (argc < 0)
		diag_exit(diag_status());
	if (opt_parse(argc, argv, opts, usage) != 1)
		opt_usage_die(opts, usage, "lst-buy takes one BOOK");
	a.arg = argv[0];
	a.peers = peers;
	a.npeers = npeers;
	if (home)
		home_set(home);
	if (rpc)
		rpcc_set_url(rpc);
	if (passfile)
		pass_set_file(passfile);
	int r = book_id_parse(a.book, a.arg);
	if (r == 0)
		r = buy(&a);
	free(peers);
	diag_exit(r < 0 ? diag_status() : LST_OK);
}
