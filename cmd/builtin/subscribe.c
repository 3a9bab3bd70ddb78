/*
 * subscribe.c: subscriptions' porcelain (builtin.h), on lib/subs.h: lst
 * category create (the foundation's), categories, subscribe, unsubscribe
 * (the reader's) and enroll (the author's: a paged book into a category,
 * the home's serving key registered for the pages it serves).
 */
#include "lst.h"
#include "builtin.h"
#include "addr.h"
#include "book.h"
#include "diag.h"
#include "home.h"
#include "jsonio.h"
#include "keyring.h"
#include "opt.h"
#include "pages.h"
#include "pass.h"
#include "publish.h"
#include "rpcclient.h"
#include "subs.h"
#include "subscription.h"
#include "wallet.h"

#include <sodium.h>
#include <time.h>
#include <unistd.h>

#define SUBS_TIMEOUT 60.0 /* seconds to wait for a receipt */

static int print(json_t *j)
{
	if (jsonio_print(j) < 0)
		return diag_error(LST_EFAIL, "cannot write standard output");
	fflush(stdout);
	return 0;
}

/* The options every verb here takes. */
typedef struct {
	const char *from, *rpc, *passfile;
	bool json, yes;
} common;

static void apply(const common *c)
{
	if (c->rpc)
		rpcc_set_url(c->rpc);
	if (c->passfile)
		pass_set_file(c->passfile);
}

static bool human(const common *c)
{
	return !c->json && isatty(1);
}

static json_t *dec(const u256 *x)
{
	char s[U256_DEC_MAX];
	u256_to_dec(s, x);
	return json_string(s);
}

static json_t *tx_of(json_t *receipt)
{
	const char *h = receipt ? jsonio_get_str(receipt, "transactionHash") : NULL;
	return h ? json_string(h) : json_null();
}

/* "2026-12-01 00:00 UTC" */
static const char *utc(char out[32], uint64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	strftime(out, 32, "%Y-%m-%d %H:%M UTC", gmtime_r(&tt, &tm));
	return out;
}

static json_t *category_json(const subs_category *c)
{
	return jsonio_obj("id", json_integer((json_int_t)c->id), "name", jsonio_str(c->name), "fee", dec(&c->fee), "books",
			  json_integer((json_int_t)c->books), "members", json_integer((json_int_t)c->members), NULL);
}

/* ---- lst category create ---- */

/* --from, else the foundation's key when this home holds it (a dev network's does), else the default key. */
static int foundation_or(key_entry *e, const char *from)
{
	uint64_t bps;
	u256 listing;
	uint8_t f[20];
	char fs[ADDR_STR];
	if (from)
		return keyring_find(e, from);
	if (book_fees(&bps, &listing, f) < 0)
		return -1;
	addr_to_str(fs, f);
	diag_set_quiet(true);
	int r = keyring_find(e, fs);
	diag_set_quiet(false);
	if (r == 0)
		return 0;
	if (diag_status() != LST_ENOTFOUND)
		return keyring_find(e, fs); /* again, to report it */
	diag_set_status(LST_OK);
	return keyring_find(e, NULL);
}

int cmd_category(int argc, char **argv)
{
	common c = {0};
	const char *fee_text = NULL;
	static const char *const usage[] = {
		"lst category create NAME --fee AMOUNT [--from KEY] [--passphrase-file FILE] [--json] [--rpc URL]",
		"(the foundation's: by default its key when this home holds it)", NULL};
	const struct opt opts[] = {
		OPT_STRING(0, "fee", &fee_text, "AMOUNT", "the fee per period (month) a member pays, fixed for good"),
		OPT_STRING(0, "from", &c.from, "KEY", "the key to send from (default: the foundation's, if here)"),
		OPT_STRING(0, "passphrase-file", &c.passfile, "FILE", "read the key passphrase from FILE"),
		OPT_BOOL(0, "json", &c.json, "print JSON (the default when stdout is not a terminal)"),
		OPT_STRING(0, "rpc", &c.rpc, "URL", "the node (default: config rpc)"),
		OPT_END(),
	};
	int n = opt_parse(argc, argv, opts, usage);
	if (n < 1 || strcmp(argv[0], "create"))
		opt_usage_die(opts, usage, n < 1 ? "category takes a subcommand" : "unknown subcommand '%s'", argv[0]);
	if (n != 2)
		opt_usage_die(opts, usage, "category create takes one NAME");
	if (!fee_text)
		opt_usage_die(opts, usage, "category create needs --fee AMOUNT");
	apply(&c);
	const char *name = argv[1];
	u256 fee;
	buf cd = BUF_INIT;
	key_entry e;
	json_t *rc = NULL;
	uint64_t id = 0;
	if (builtin_amount(&fee, fee_text) < 0 || subs_call_create_category(&cd, name, &fee) < 0 ||
	    foundation_or(&e, c.from) < 0) {
		buf_free(&cd);
		return -1;
	}
	int r = subs_send(&rc, &e, &cd, NULL, SUBS_TIMEOUT);
	if (r == 0)
		r = subs_receipt_created(&id, rc);
	if (r == 0) {
		subs_category k = {.id = id, .name = (char *)name, .fee = fee};
		if (human(&c)) {
			char h[128];
			printf("Created category %llu '%s' at %s a period\ntx %s\n", (unsigned long long)id, name,
			       builtin_lst(h, &fee), jsonio_get_str(rc, "transactionHash"));
		} else {
			json_t *j = category_json(&k);
			json_object_set_new(j, "tx", tx_of(rc));
			r = print(j);
		}
	}
	json_decref(rc);
	buf_free(&cd);
	keyring_entry_free(&e);
	return r;
}

/* ---- lst categories ---- */

int cmd_categories(int argc, char **argv)
{
	common c = {0};
	static const char *const usage[] = {"lst categories [--json] [--rpc URL]", NULL};
	const struct opt opts[] = {
		OPT_BOOL(0, "json", &c.json, "print JSON Lines (the default when stdout is not a terminal)"),
		OPT_STRING(0, "rpc", &c.rpc, "URL", "the node (default: config rpc)"),
		OPT_END(),
	};
	if (opt_parse(argc, argv, opts, usage) != 0)
		opt_usage_die(opts, usage, "categories takes no operands");
	apply(&c);
	subs_category *k;
	size_t n;
	if (subs_categories(&k, &n) < 0)
		return -1;
	int r = 0;
	if (human(&c))
		printf("%4s  %-32s  %16s  %7s  %7s\n", "ID", "NAME", "FEE", "BOOKS", "MEMBERS");
	for (size_t i = 0; i < n && r == 0; i++) {
		if (human(&c)) {
			char h[128];
			printf("%4llu  %-32s  %16s  %7llu  %7llu\n", (unsigned long long)k[i].id, k[i].name,
			       builtin_lst(h, &k[i].fee), (unsigned long long)k[i].books, (unsigned long long)k[i].members);
		} else {
			r = print(category_json(&k[i]));
		}
	}
	if (human(&c) && n == 0)
		printf("no categories yet ('lst category create NAME --fee AMOUNT', the foundation's)\n");
	subs_categories_free(k, n);
	return r;
}

/* ---- lst subscribe, unsubscribe ---- */

/* --months N: 1..SUB_MONTHS_MAX. */
static int parse_months(uint64_t *out, const char *s)
{
	char *end;
	errno = 0;
	unsigned long long m = s[0] >= '0' && s[0] <= '9' ? strtoull(s, &end, 10) : 0;
	if (m < 1 || m > SUB_MONTHS_MAX || errno || *end)
		return diag_error(LST_EINVALID, "--months takes a whole number of 1 to %d, not '%s'", SUB_MONTHS_MAX, s);
	*out = m;
	return 0;
}

/* The membership after receipt, as printed by subscribe and unsubscribe. */
static json_t *membership_json(const subs_category *k, const uint8_t reader[20], uint64_t *len)
{
	uint64_t from, until, ends_at, cur, start, end;
	char a[ADDR_STR], lf[32], lu[32];
	if (subs_period(&cur, &start, &end, len) < 0 || subs_membership(&from, &until, &ends_at, k->id, reader) < 0)
		return NULL;
	addr_to_str(a, reader);
	sub_period_label(lf, sizeof(lf), *len, from);
	sub_period_label(lu, sizeof(lu), *len, until);
	return jsonio_obj("category", json_integer((json_int_t)k->id), "name", jsonio_str(k->name), "reader",
			  json_string(a), "from", json_integer((json_int_t)from), "until", json_integer((json_int_t)until),
			  "from_label", json_string(lf), "until_label", json_string(lu), "ends_at",
			  json_integer((json_int_t)ends_at), "member", json_boolean(cur >= from && cur < until), NULL);
}

static int pay(json_t **rc, const subs_category *k, uint64_t months, const key_entry *e, bool yes)
{
	u256 total, bal;
	char ht[128], hb[128], q[256];
	buf cd = BUF_INIT;
	if (u256_mul_small(&total, &k->fee, months, 0) < 0)
		return diag_error(LST_EINVALID, "%llu months of '%s' cost more than can be paid",
				  (unsigned long long)months, k->name);
	builtin_lst(ht, &total);
	if (wallet_balance(&bal, e->address) < 0)
		return -1;
	if (u256_cmp(&bal, &total) < 0) {
		diag_error(LST_EREFUSED, "balance is %s, below %s for %llu month%s of '%s'", builtin_lst(hb, &bal), ht,
			   (unsigned long long)months, months == 1 ? "" : "s", k->name);
		diag_hint("ask someone to send LST to %s", e->address_str);
		return -1;
	}
	snprintf(q, sizeof(q), "pay %s for %llu month%s of '%s'", ht, (unsigned long long)months, months == 1 ? "" : "s",
		 k->name);
	int r = builtin_confirm(yes, q);
	if (r == 0)
		r = subs_call_subscribe(&cd, k->id, months);
	if (r == 0)
		r = subs_send(rc, e, &cd, &total, SUBS_TIMEOUT);
	buf_free(&cd);
	return r;
}

/* Parse the reader's verbs: one CATEGORY operand, the key, the category. */
static int reader_verb(subs_category *k, key_entry *e, int n, char **argv, const common *c, const struct opt *opts,
		       const char *const *usage, const char *verb)
{
	if (n != 1)
		opt_usage_die(opts, usage, "%s takes one CATEGORY (a name or an id)", verb);
	apply(c);
	if (subs_category_find(k, argv[0]) != 0)
		return -1;
	if (keyring_find(e, c->from) < 0) {
		subs_category_free(k);
		return -1;
	}
	return 0;
}

int cmd_subscribe(int argc, char **argv)
{
	common c = {0};
	const char *months_text = "1";
	static const char *const usage[] = {
		"lst subscribe [--months N] [--from KEY] [--yes] [--passphrase-file FILE] [--json] [--rpc URL] CATEGORY",
		"(CATEGORY: a name or an id, as 'lst categories' lists them; a member extends the membership)", NULL};
	const struct opt opts[] = {
		OPT_STRING(0, "months", &months_text, "N", "periods (months) to pay for up front, 1 to 120 (default 1)"),
		OPT_STRING(0, "from", &c.from, "KEY", "the reader's key (default: the home's)"),
		OPT_BOOL('y', "yes", &c.yes, "pay without asking"),
		OPT_STRING(0, "passphrase-file", &c.passfile, "FILE", "read the key passphrase from FILE"),
		OPT_BOOL(0, "json", &c.json, "print JSON (the default when stdout is not a terminal)"),
		OPT_STRING(0, "rpc", &c.rpc, "URL", "the node (default: config rpc)"),
		OPT_END(),
	};
	int n = opt_parse(argc, argv, opts, usage);
	uint64_t months = 0, from, until, len;
	subs_category k;
	key_entry e;
	json_t *rc = NULL, *j = NULL;
	u256 paid;
	if (parse_months(&months, months_text) < 0 || reader_verb(&k, &e, n, argv, &c, opts, usage, "subscribe") < 0)
		return -1;
	int r = pay(&rc, &k, months, &e, c.yes);
	if (r == 0)
		r = subs_receipt_subscribed(&from, &until, &paid, rc);
	if (r == 0 && !(j = membership_json(&k, e.address, &len)))
		r = -1;
	if (r == 0) {
		char lf[32], lu[32], h[128], t[32];
		sub_period_label(lf, sizeof(lf), len, from);
		sub_period_label(lu, sizeof(lu), len, until - 1);
		json_object_set_new(j, "months", json_integer((json_int_t)months));
		json_object_set_new(j, "paid", dec(&paid));
		json_object_set_new(j, "paid_from", json_integer((json_int_t)from));
		json_object_set_new(j, "paid_until", json_integer((json_int_t)until));
		json_object_set_new(j, "tx", tx_of(rc));
		if (human(&c))
			printf("Subscribed to '%s': paid %s for periods %s to %s\nmember   periods %s to %s\n"
			       "ends     %s\ntx       %s\n",
			       k.name, builtin_lst(h, &paid), lf, lu, jsonio_get_str(j, "from_label"), lu,
			       utc(t, (uint64_t)json_integer_value(json_object_get(j, "ends_at"))),
			       jsonio_get_str(rc, "transactionHash"));
		else
			r = print(json_incref(j));
	}
	json_decref(j);
	json_decref(rc);
	subs_category_free(&k);
	keyring_entry_free(&e);
	return r;
}

int cmd_unsubscribe(int argc, char **argv)
{
	common c = {0};
	static const char *const usage[] = {
		"lst unsubscribe [--from KEY] [--passphrase-file FILE] [--json] [--rpc URL] CATEGORY",
		"(ends the membership with the current period; the periods after it are refunded)", NULL};
	const struct opt opts[] = {
		OPT_STRING(0, "from", &c.from, "KEY", "the reader's key (default: the home's)"),
		OPT_STRING(0, "passphrase-file", &c.passfile, "FILE", "read the key passphrase from FILE"),
		OPT_BOOL(0, "json", &c.json, "print JSON (the default when stdout is not a terminal)"),
		OPT_STRING(0, "rpc", &c.rpc, "URL", "the node (default: config rpc)"),
		OPT_END(),
	};
	int n = opt_parse(argc, argv, opts, usage);
	uint64_t until, len;
	subs_category k;
	key_entry e;
	json_t *rc = NULL, *j = NULL;
	buf cd = BUF_INIT;
	u256 refund;
	if (reader_verb(&k, &e, n, argv, &c, opts, usage, "unsubscribe") < 0)
		return -1;
	int r = subs_call_cancel(&cd, k.id);
	if (r == 0)
		r = subs_send(&rc, &e, &cd, NULL, SUBS_TIMEOUT);
	if (r == 0)
		r = subs_receipt_cancelled(&until, &refund, rc);
	if (r == 0 && !(j = membership_json(&k, e.address, &len)))
		r = -1;
	if (r == 0) {
		char h[128], t[32], last[32];
		sub_period_label(last, sizeof(last), len, until - 1);
		json_object_set_new(j, "refund", dec(&refund));
		json_object_set_new(j, "tx", tx_of(rc));
		if (human(&c))
			printf("Cancelled '%s': refunded %s\naccess ends %s (period %s is the last)\ntx %s\n", k.name,
			       builtin_lst(h, &refund), utc(t, (uint64_t)json_integer_value(json_object_get(j, "ends_at"))),
			       last, jsonio_get_str(rc, "transactionHash"));
		else
			r = print(json_incref(j));
	}
	json_decref(j);
	json_decref(rc);
	buf_free(&cd);
	subs_category_free(&k);
	keyring_entry_free(&e);
	return r;
}

/* ---- lst enroll ---- */

/* The book's latest version must be paged; this home, the author's, keeps its key. */
static int check_paged(const uint8_t book[32], const char *title)
{
	book_version *v;
	size_t n;
	bool paged = false;
	char rs[CID_STR_MAX];
	int r = book_versions(&v, &n, book);
	if (r != 0)
		return r < 0 ? -1 : diag_error(LST_ENOTFOUND, "no such book '%s'", title);
	r = n ? publish_root_paged(&paged, &v[n - 1].root) : 0;
	if (n)
		cid_str(rs, &v[n - 1].root);
	book_versions_free(v, n);
	if (r < 0)
		return -1;
	if (r == 1) {
		diag_error(LST_EREFUSED, "this home cannot tell whether '%s' is published with pages (no key or blocks of '%s')",
			   title, rs);
		diag_hint("enroll from the home that published it");
		return -1;
	}
	if (!paged) {
		diag_error(LST_EREFUSED, "'%s' is not published with pages: subscribers read page by page", title);
		diag_hint("publish it with pages first: 'lst release --pages' (a new book: 'lst publish --pages'), then "
			  "enroll it");
		return -1;
	}
	return 0;
}

/*
 * Register the home's serving key as the author's (setServer) unless it
 * is already; one of another account's is warned about. *tx the
 * transaction, if one was sent (new reference). 0 or -1.
 */
static int register_server(json_t **tx, uint8_t server[20], const key_entry *e)
{
	uint8_t *priv = sodium_malloc(32), owner[20];
	static const uint8_t zero[20];
	char sa[ADDR_STR], oa[ADDR_STR];
	json_t *rc = NULL;
	buf cd = BUF_INIT;
	*tx = json_null();
	if (!priv)
		return diag_error(LST_EFAIL, "out of secure memory");
	int r = pages_serve_key(priv, server, home_dir(), true);
	sodium_free(priv);
	if (r != 0 || subs_server_owner(owner, server) < 0)
		return -1;
	addr_to_str(sa, server);
	if (!memcmp(owner, e->address, 20))
		return 0;
	if (memcmp(owner, zero, 20)) {
		addr_to_str(oa, owner);
		diag_warn("this home's serving key %s belongs to %s, not to %s: its receipts count for that account's "
			  "books only", sa, oa, e->address_str);
		return 0;
	}
	r = subs_call_set_server(&cd, server, true);
	if (r == 0)
		r = subs_send(&rc, e, &cd, NULL, SUBS_TIMEOUT);
	if (r == 0) {
		json_decref(*tx);
		*tx = tx_of(rc);
	}
	json_decref(rc);
	buf_free(&cd);
	return r;
}

int cmd_enroll(int argc, char **argv)
{
	common c = {0};
	static const char *const usage[] = {
		"lst enroll [--passphrase-file FILE] [--json] [--rpc URL] BOOK CATEGORY",
		"(BOOK: a 0x book id or a title of yours, published with --pages; CATEGORY: a name or an id)", NULL};
	const struct opt opts[] = {
		OPT_STRING(0, "passphrase-file", &c.passfile, "FILE", "read the key passphrase from FILE"),
		OPT_BOOL(0, "json", &c.json, "print JSON (the default when stdout is not a terminal)"),
		OPT_STRING(0, "rpc", &c.rpc, "URL", "the node (default: config rpc)"),
		OPT_END(),
	};
	if (opt_parse(argc, argv, opts, usage) != 2)
		opt_usage_die(opts, usage, "enroll takes BOOK and CATEGORY");
	apply(&c);
	uint8_t book[32], server[20] = {0};
	uint64_t now_in = 0;
	book_info b;
	subs_category k;
	key_entry e;
	json_t *rc = NULL, *server_tx = NULL;
	buf cd = BUF_INIT;
	char id[67], sa[ADDR_STR];
	if (builtin_resolve_book(book, argv[0]) < 0 || publish_book_get(&b, book, argv[0]) < 0)
		return -1;
	int r = subs_category_find(&k, argv[1]) == 0 ? 0 : -1;
	if (r < 0) {
		book_info_free(&b);
		return -1;
	}
	r = keyring_find(&e, NULL);
	if (r < 0)
		goto out_k;
	/* Every refusal before anything is sent. */
	if (memcmp(b.author, e.address, 20)) {
		char a[ADDR_STR];
		addr_to_str(a, b.author);
		r = diag_error(LST_EREFUSED, "not the author of '%s'", argv[0]);
		diag_hint("its author is %s; the home's key is %s", a, e.address_str);
	} else if ((r = subs_category_of(&now_in, book)) == 0 && now_in) {
		r = diag_error(LST_EREFUSED, "'%s' is already enrolled in category %llu", b.title,
			       (unsigned long long)now_in);
	}
	if (r == 0)
		r = check_paged(book, b.title);
	if (r == 0)
		r = register_server(&server_tx, server, &e);
	if (r == 0)
		r = subs_call_enroll(&cd, book, k.id);
	if (r == 0)
		r = subs_send(&rc, &e, &cd, NULL, SUBS_TIMEOUT);
	if (r == 0) {
		book_id_str(id, book);
		addr_to_str(sa, server);
		if (human(&c)) {
			printf("Enrolled '%s' in '%s' (category %llu)\nbook    %s\nserver  %s%s\ntx      %s\n", b.title,
			       k.name, (unsigned long long)k.id, id, sa,
			       json_is_string(server_tx) ? " (registered now)" : "", jsonio_get_str(rc, "transactionHash"));
		} else {
			r = print(jsonio_obj("book", json_string(id), "title", jsonio_str(b.title), "category",
					     json_integer((json_int_t)k.id), "name", jsonio_str(k.name), "server",
					     json_string(sa), "server_tx", json_incref(server_tx), "tx", tx_of(rc), NULL));
		}
	}
	json_decref(server_tx);
	json_decref(rc);
	buf_free(&cd);
	keyring_entry_free(&e);
out_k:
	subs_category_free(&k);
	book_info_free(&b);
	return r;
}
