/*
 * publish.c: the author's porcelain (builtin.h): lst publish and release
 * (a version from git onto the market, lib/publish.h), price, versions,
 * show and sales (the market through lib/book.h).
 */
#include "lst.h"
#include "builtin.h"
#include "addr.h"
#include "amount.h"
#include "book.h"
#include "diag.h"
#include "hex.h"
#include "jsonio.h"
#include "keyring.h"
#include "opt.h"
#include "pass.h"
#include "progress.h"
#include "publish.h"
#include "rpcclient.h"
#include "subscription.h"

#include <time.h>
#include <unistd.h>

static int print(json_t *j)
{
	if (jsonio_print(j) < 0)
		return diag_error(LST_EFAIL, "cannot write standard output");
	fflush(stdout);
	return 0;
}

static bool want_json(bool json)
{
	return json || !isatty(1);
}

int builtin_confirm(bool yes, const char *question)
{
	if (yes)
		return 0;
	if (!isatty(0)) {
		diag_error(LST_EUSAGE, "will not %s without confirmation", question);
		diag_hint("pass --yes to confirm from a script");
		return -1;
	}
	fprintf(stderr, "%s? [y/N] ", question);
	fflush(stderr);
	char line[64];
	if (!fgets(line, sizeof(line), stdin) || (line[0] != 'y' && line[0] != 'Y'))
		return diag_error(LST_EREFUSED, "not confirmed: nothing was sent");
	return 0;
}

int builtin_amount(u256 *out, const char *text)
{
	char err[160];
	if (amount_parse(out, err, sizeof(err), text) < 0)
		return diag_error(LST_EINVALID, "%s", err);
	return 0;
}

const char *builtin_lst(char out[128], const u256 *photons)
{
	amount_format(out, 128, photons);
	return out;
}

/* The home's key (quietly absent: *have false). */
static int home_address(uint8_t a[20], bool *have)
{
	key_entry *list;
	size_t n;
	*have = false;
	if (keyring_list(&list, &n) < 0)
		return -1;
	keyring_free_list(list, n);
	if (n == 0)
		return 0;
	key_entry e;
	if (keyring_find(&e, NULL) < 0)
		return -1;
	memcpy(a, e.address, 20);
	keyring_entry_free(&e);
	*have = true;
	return 0;
}

int builtin_resolve_book(uint8_t book[32], const char *spec)
{
	uint8_t me[20] = {0};
	bool have;
	if (home_address(me, &have) < 0)
		return -1;
	if (!have && !(spec[0] == '0' && (spec[1] == 'x' || spec[1] == 'X')))
		return diag_error(LST_ENOTFOUND, "no key in this home to find the book titled '%s'", spec);
	return publish_book_resolve(book, spec, me);
}

/* ---- publish, release ---- */

static const char *const publish_usage[] = {
	"lst publish [--repo DIR] [--ref REF] [--title TITLE] [--details FILE.json] [--price AMOUNT] [--label LABEL]\n"
	"            [--pages] [--foundation-sig HEX] [--terms] [--passphrase-file FILE] [--yes] [--json] [--rpc URL]\n"
	"            [PATH...]",
	NULL};
static const char *const release_usage[] = {
	"lst release [--repo DIR] [--ref REF] [--title TITLE] [--details FILE.json] [--label LABEL] [--pages]\n"
	"            [--passphrase-file FILE] [--yes] [--json] [--rpc URL] [BOOK [PATH...]]",
	"(BOOK: a 0x book id or a title of yours; default: the title publish would use)", NULL};

static void print_human(const publish_plan *p)
{
	json_t *j = publish_json(p);
	char h[128], size[32];
	progress_bytes(size, sizeof(size), (double)p->bytes);
	if (p->action == PUBLISH_UNCHANGED)
		printf("'%s' has this version already: nothing sent\n", p->title);
	else
		printf("%s '%s'\n", p->action == PUBLISH_NEW ? "Published" : "Released a new version of", p->title);
	printf("book     %s\nversion  %llu (%s)\nroot     %s\nfiles    %zu, %s\nprice    %s\n", jsonio_get_str(j, "book"),
	       (unsigned long long)p->version, p->label, jsonio_get_str(j, "root"), p->nfiles, size,
	       builtin_lst(h, &p->price));
	if (p->paged)
		printf("pages    %llu of %d bytes\n", (unsigned long long)p->pages, SUB_PAGE_BYTES);
	if (p->has_tx)
		printf("tx       %s\n", p->tx);
	json_decref(j);
}

static int run_publish(int argc, char **argv, bool release)
{
	const char *repo = NULL, *ref = NULL, *title = NULL, *details = NULL, *price = NULL, *label = NULL,
		   *sig_hex = NULL, *passfile = NULL, *rpc = NULL;
	bool terms = false, yes = false, json = false, pages = false;
	const struct opt opts[] = {
		OPT_STRING(0, "repo", &repo, "DIR", "the git repository (default: .)"),
		OPT_STRING(0, "ref", &ref, "REF", "the tag, branch or commit to publish (default: HEAD)"),
		OPT_STRING(0, "title", &title, "TITLE", "the title (default: the details' title, else the directory's name)"),
		OPT_STRING(0, "details", &details, "FILE", "public details, a JSON object"),
		OPT_STRING(0, "price", &price, "AMOUNT", "a new book's price (2, 2.5, '2 LST', 1000photon)"),
		OPT_STRING(0, "label", &label, "LABEL", "the version's label (default: REF, else the short commit id)"),
		OPT_BOOL(0, "pages", &pages, "cut the files into pages, for subscriptions (a paged book stays paged)"),
		OPT_STRING(0, "foundation-sig", &sig_hex, "HEX", "the foundation's co-signature of the terms"),
		OPT_BOOL(0, "terms", &terms, "print the terms for the foundation to co-sign, send nothing"),
		OPT_STRING(0, "passphrase-file", &passfile, "FILE", "read the key passphrase from FILE"),
		OPT_BOOL('y', "yes", &yes, "pay the listing fee without asking"),
		OPT_BOOL(0, "json", &json, "print JSON (the default when stdout is not a terminal)"),
		OPT_STRING(0, "rpc", &rpc, "URL", "the node (default: config rpc)"),
		OPT_END(),
	};
	const char *const *usage = release ? release_usage : publish_usage;
	int n = opt_parse(argc, argv, opts, usage);
	if (release && (sig_hex || terms))
		opt_usage_die(opts, usage, "release adds a version to a published book: no terms to co-sign");
	if (terms && sig_hex)
		opt_usage_die(opts, usage, "--terms prints what --foundation-sig signs: give one of them");
	if (rpc)
		rpcc_set_url(rpc);
	if (passfile)
		pass_set_file(passfile);
	publish_opts o = {0};
	o.repo = repo;
	o.ref = ref;
	o.title = title;
	o.details_file = details;
	o.label = label;
	o.release = release;
	o.pages = pages;
	if (release && n > 0) {
		if (title)
			opt_usage_die(opts, usage, "name the book by BOOK or by --title, not both");
		o.book = argv[0];
		argv++;
		n--;
	}
	o.paths = (const char *const *)argv;
	o.npaths = (size_t)n;
	if (price) {
		if (builtin_amount(&o.price, price) < 0)
			return -1;
		o.has_price = true;
	}
	publish_plan p;
	uint8_t sig[65] = {0};
	char q[512], hp[128], hf[128];
	int r = publish_prepare(&p, &o);
	/* Refusals that need no root come before the work of adding. */
	if (r == 0 && p.action == PUBLISH_NEW && !terms) {
		int here = sig_hex ? 0 : publish_foundation_here(&p);
		if (here == 1) {
			diag_error(LST_EREFUSED, "publishing needs the foundation's co-signature");
			diag_hint("print the terms with --terms, have the foundation sign them ('lst-sign cosign'), "
				  "then pass --foundation-sig HEX");
		}
		snprintf(q, sizeof(q), "publish '%s' at %s, paying the listing fee of %s", p.title,
			 builtin_lst(hp, &p.price), builtin_lst(hf, &p.listing_fee));
		r = here != 0 ? -1 : builtin_confirm(yes, q);
	} else if (r == 0 && terms && p.action != PUBLISH_NEW) {
		r = diag_error(LST_EUSAGE, "'%s' is published already: there are no terms to sign", p.title);
		diag_hint("a new version needs no co-signature: 'lst release'");
	}
	if (r == 0)
		r = publish_add(&p, true);
	if (r == 0 && p.action == PUBLISH_NEW) {
		if (terms) {
			r = print(book_terms_json(&p.terms));
			publish_plan_free(&p);
			return r;
		}
		r = publish_cosig(sig, &p, sig_hex) != 0 ? -1 : 0;
	}
	if (r == 0)
		r = publish_commit(&p, sig);
	if (r == 0) {
		publish_announce(&p);
		if (want_json(json))
			r = print(publish_json(&p));
		else
			print_human(&p);
	}
	publish_plan_free(&p);
	return r;
}

int cmd_publish(int argc, char **argv)
{
	return run_publish(argc, argv, false);
}

int cmd_release(int argc, char **argv)
{
	return run_publish(argc, argv, true);
}

/* ---- price ---- */

int cmd_price(int argc, char **argv)
{
	const char *rpc = NULL, *passfile = NULL;
	bool yes = false, json = false;
	static const char *const usage[] = {"lst price [--yes] [--json] [--rpc URL] [--passphrase-file FILE] BOOK AMOUNT",
					    "(BOOK: a 0x book id or a title of yours)", NULL};
	const struct opt opts[] = {
		OPT_BOOL('y', "yes", &yes, "change it without asking"),
		OPT_BOOL(0, "json", &json, "print JSON (the default when stdout is not a terminal)"),
		OPT_STRING(0, "rpc", &rpc, "URL", "the node (default: config rpc)"),
		OPT_STRING(0, "passphrase-file", &passfile, "FILE", "read the key passphrase from FILE"),
		OPT_END(),
	};
	if (opt_parse(argc, argv, opts, usage) != 2)
		opt_usage_die(opts, usage, "price takes BOOK and AMOUNT");
	if (rpc)
		rpcc_set_url(rpc);
	if (passfile)
		pass_set_file(passfile);
	uint8_t book[32];
	u256 price;
	if (builtin_amount(&price, argv[1]) < 0 || builtin_resolve_book(book, argv[0]) < 0)
		return -1;
	book_info b;
	if (publish_book_get(&b, book, argv[0]) < 0)
		return -1;
	key_entry e;
	json_t *rc = NULL;
	buf cd = BUF_INIT;
	char id[67], q[512], ho[128], hn[128], old_dec[U256_DEC_MAX], new_dec[U256_DEC_MAX];
	book_id_str(id, book);
	int r = keyring_find(&e, NULL);
	if (r < 0) {
		book_info_free(&b);
		return -1;
	}
	bool same = !u256_cmp(&price, &b.price);
	if (same && memcmp(b.author, e.address, 20)) {
		r = diag_error(LST_EREFUSED, "not the author of '%s'", argv[0]);
	} else if (!same) {
		snprintf(q, sizeof(q), "change the price of '%s' from %s to %s", b.title, builtin_lst(ho, &b.price),
			 builtin_lst(hn, &price));
		r = builtin_confirm(yes, q);
		if (r == 0)
			r = book_call_set_price(&cd, book, &price);
		if (r == 0)
			r = book_send(&rc, &e, &cd, NULL, PUBLISH_TIMEOUT);
	}
	if (r == 0) {
		u256_to_dec(old_dec, &b.price);
		u256_to_dec(new_dec, &price);
		const char *tx = rc ? jsonio_get_str(rc, "transactionHash") : NULL;
		if (want_json(json))
			r = print(jsonio_obj("book", json_string(id), "old_price", json_string(old_dec), "price",
					     json_string(new_dec), "tx", tx ? json_string(tx) : json_null(), NULL));
		else if (same)
			printf("'%s' costs %s already: nothing sent\n", b.title, builtin_lst(hn, &price));
		else
			printf("'%s' now costs %s (was %s)\ntx %s\n", b.title, builtin_lst(hn, &price), builtin_lst(ho, &b.price),
			       tx ? tx : "?");
	}
	json_decref(rc);
	buf_free(&cd);
	keyring_entry_free(&e);
	book_info_free(&b);
	return r;
}

/* ---- versions, show ---- */

static json_t *version_json(const book_version *v, size_t i)
{
	char rs[CID_STR_MAX], tree[67];
	cid_str(rs, &v->root);
	hex_encode(tree, v->tree, 32);
	return jsonio_obj("index", json_integer((json_int_t)i), "label", jsonio_str(v->label), "root", json_string(rs),
			  "tree", json_string(tree), "height", json_integer((json_int_t)v->height), NULL);
}

/* The versions of BOOK; -1 reported (unknown: exit 3). */
static int get_versions(book_version **v, size_t *n, const uint8_t book[32], const char *spec)
{
	int r = book_versions(v, n, book);
	if (r == 1) {
		char id[67];
		book_id_str(id, book);
		return diag_error(LST_ENOTFOUND, "no such book '%s'", strcmp(spec, id) ? spec : id);
	}
	return r;
}

static int rpc_opts(int argc, char **argv, const char *const *usage, bool *json, const char *what)
{
	const char *rpc = NULL;
	const struct opt opts[] = {
		OPT_BOOL(0, "json", json, "print JSON (the default when stdout is not a terminal)"),
		OPT_STRING(0, "rpc", &rpc, "URL", "the node (default: config rpc)"),
		OPT_END(),
	};
	if (opt_parse(argc, argv, opts, usage) != 1)
		opt_usage_die(opts, usage, "%s takes one BOOK", what);
	if (rpc)
		rpcc_set_url(rpc);
	return 0;
}

int cmd_versions(int argc, char **argv)
{
	bool json = false;
	static const char *const usage[] = {"lst versions [--json] [--rpc URL] BOOK",
					    "(BOOK: a 0x book id or a title of yours)", NULL};
	rpc_opts(argc, argv, usage, &json, "versions");
	uint8_t book[32];
	book_version *v;
	size_t n;
	if (builtin_resolve_book(book, argv[0]) < 0 || get_versions(&v, &n, book, argv[0]) < 0)
		return -1;
	int r = 0;
	if (!want_json(json))
		printf("%-5s  %-16s  %-8s  %s\n", "INDEX", "LABEL", "HEIGHT", "ROOT");
	for (size_t i = 0; i < n && r == 0; i++) {
		if (want_json(json)) {
			r = print(version_json(&v[i], i));
		} else {
			char rs[CID_STR_MAX];
			cid_str(rs, &v[i].root);
			printf("%-5zu  %-16s  %-8llu  %s\n", i, v[i].label, (unsigned long long)v[i].height, rs);
		}
	}
	book_versions_free(v, n);
	return r;
}

int cmd_show(int argc, char **argv)
{
	bool json = false;
	static const char *const usage[] = {"lst show [--json] [--rpc URL] BOOK",
					    "(BOOK: a 0x book id or a title of yours)", NULL};
	rpc_opts(argc, argv, usage, &json, "show");
	uint8_t book[32], me[20] = {0};
	bool have_key, access = false;
	book_info b;
	book_version *v = NULL;
	size_t n = 0;
	if (home_address(me, &have_key) < 0 || builtin_resolve_book(book, argv[0]) < 0 ||
	    publish_book_get(&b, book, argv[0]) < 0)
		return -1;
	int r = get_versions(&v, &n, book, argv[0]);
	if (r == 0 && have_key)
		r = book_has_access(&access, book, me);
	if (r < 0) {
		book_info_free(&b);
		return -1;
	}
	char id[67], author[ADDR_STR], price[U256_DEC_MAX], rs[CID_STR_MAX] = "", h[128];
	book_id_str(id, book);
	addr_to_str(author, b.author);
	u256_to_dec(price, &b.price);
	if (n)
		cid_str(rs, &v[n - 1].root);
	json_t *details = jsonio_parse(b.details, strlen(b.details), "the book's details");
	if (!json_is_object(details)) {
		/* Published by another client with details that are no JSON object: as given. */
		json_decref(details);
		details = jsonio_str(b.details);
	}
	if (want_json(json)) {
		json_t *latest = n ? jsonio_obj("index", json_integer((json_int_t)(n - 1)), "label",
						jsonio_str(v[n - 1].label), "root", json_string(rs), NULL)
				   : json_null();
		r = print(jsonio_obj("book", json_string(id), "author", json_string(author), "title", jsonio_str(b.title),
				     "details", details, "price", json_string(price), "versions",
				     json_integer((json_int_t)b.versions), "sales", json_integer((json_int_t)b.sales),
				     "published", json_integer((json_int_t)b.published), "latest", latest, "access",
				     json_boolean(access), NULL));
	} else {
		printf("%s\nbook       %s\nauthor     %s\nprice      %s\nsales      %llu\npublished  block %llu\n", b.title,
		       id, author, builtin_lst(h, &b.price), (unsigned long long)b.sales, (unsigned long long)b.published);
		if (n)
			printf("latest     %zu (%s) %s\n", n - 1, v[n - 1].label, rs);
		printf("versions   %llu\naccess     %s\n", (unsigned long long)b.versions,
		       access ? "yes" : have_key ? "no (lst-buy)" : "no key in this home");
		const char *k;
		json_t *val;
		if (json_is_object(details))
			json_object_foreach(details, k, val) {
				if (strcmp(k, "title") && json_is_string(val))
					printf("%-10s %s\n", k, json_string_value(val));
			}
		json_decref(details);
	}
	book_versions_free(v, n);
	book_info_free(&b);
	return r;
}

/* ---- sales ---- */

typedef struct {
	uint8_t book[32];
	char *title;
} title_cache;

typedef struct {
	title_cache *t;
	size_t n;
	u256 total;
	bool json;
} sales_ctx;

static const char *title_of(sales_ctx *c, const uint8_t book[32])
{
	for (size_t i = 0; i < c->n; i++)
		if (!memcmp(c->t[i].book, book, 32))
			return c->t[i].title;
	book_info b;
	if (book_get(&b, book) != 0)
		return NULL;
	c->t = xrealloc(c->t, (c->n + 1) * sizeof(*c->t));
	memcpy(c->t[c->n].book, book, 32);
	c->t[c->n].title = xstrdup(b.title);
	book_info_free(&b);
	return c->t[c->n++].title;
}

static int print_sale(sales_ctx *c, const book_purchase *s)
{
	uint64_t when;
	const char *title = title_of(c, s->book);
	u256 earned;
	if (!title)
		return diag_error(LST_EFAIL, "cannot read a book the market says it sold");
	if (publish_block_time(&when, s->height) < 0)
		return -1;
	if (u256_sub(&earned, &s->price, &s->fee) < 0)
		return diag_error(LST_EFAIL, "the market logged a fee above the price");
	if (u256_add(&c->total, &c->total, &earned) < 0)
		return diag_error(LST_EFAIL, "the total is out of range");
	char id[67], buyer[ADDR_STR], tx[67], price[U256_DEC_MAX], fee[U256_DEC_MAX], earn[U256_DEC_MAX];
	book_id_str(id, s->book);
	addr_to_str(buyer, s->buyer);
	hex_encode(tx, s->tx, 32);
	if (c->json) {
		u256_to_dec(price, &s->price);
		u256_to_dec(fee, &s->fee);
		u256_to_dec(earn, &earned);
		return print(jsonio_obj("book", json_string(id), "title", jsonio_str(title), "buyer", json_string(buyer),
					"price", json_string(price), "fee", json_string(fee), "earned", json_string(earn),
					"height", json_integer((json_int_t)s->height), "time",
					json_integer((json_int_t)when), "tx", json_string(tx), NULL));
	}
	char date[32], hp[128], hf[128], he[128];
	time_t t = (time_t)when;
	struct tm tm;
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M", localtime_r(&t, &tm));
	printf("%-16s  %-24.24s  %-42s  %14s  %14s  %14s\n", date, title, buyer, builtin_lst(hp, &s->price),
	       builtin_lst(hf, &s->fee), builtin_lst(he, &earned));
	fflush(stdout);
	return 0;
}

int cmd_sales(int argc, char **argv)
{
	const char *rpc = NULL;
	bool json = false, follow = false;
	static const char *const usage[] = {"lst sales [--follow] [--json] [--rpc URL] [BOOK]",
					    "(BOOK: a 0x book id or a title of yours; default: all your books)", NULL};
	const struct opt opts[] = {
		OPT_BOOL('f', "follow", &follow, "keep printing new sales as they happen, until interrupted"),
		OPT_BOOL(0, "json", &json, "print JSON Lines (the default when stdout is not a terminal)"),
		OPT_STRING(0, "rpc", &rpc, "URL", "the node (default: config rpc)"),
		OPT_END(),
	};
	int n = opt_parse(argc, argv, opts, usage);
	if (n > 1)
		opt_usage_die(opts, usage, "sales takes at most one BOOK");
	if (rpc)
		rpcc_set_url(rpc);
	key_entry e;
	uint8_t book[32];
	if (keyring_find(&e, NULL) < 0)
		return -1;
	int r = n ? publish_book_resolve(book, argv[0], e.address) : 0;
	if (r == 0 && n) {
		book_info b;
		r = publish_book_get(&b, book, argv[0]);
		if (r == 0)
			book_info_free(&b);
	}
	sales_ctx c = {NULL, 0, u256_from_u64(0), want_json(json)};
	size_t shown = 0;
	if (r == 0 && !c.json)
		printf("%-16s  %-24s  %-42s  %14s  %14s  %14s\n", "TIME", "TITLE", "BUYER", "PRICE", "FEE", "EARNED");
	while (r == 0) {
		book_purchase *s;
		size_t k;
		if ((r = book_purchases(&s, &k, n ? book : NULL, NULL, e.address)) < 0)
			break;
		/* Logs are final (BFT) and oldest first: the new ones follow those shown. */
		for (; shown < k && r == 0; shown++)
			r = print_sale(&c, &s[shown]);
		free(s);
		if (!follow || r < 0)
			break;
		struct timespec ts = {1, 0};
		nanosleep(&ts, NULL);
	}
	if (r == 0 && !c.json) {
		char h[128];
		printf("%zu sale%s, earned %s\n", shown, shown == 1 ? "" : "s", builtin_lst(h, &c.total));
	}
	for (size_t i = 0; i < c.n; i++)
		free(c.t[i].title);
	free(c.t);
	keyring_entry_free(&e);
	return r;
}
