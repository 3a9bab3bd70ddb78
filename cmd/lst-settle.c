/*
 * lst-settle: money after the sale (see lst-settle(1)). period settles a
 * subscription category's period (anyone may) and prints its statement;
 * statement prints it without sending anything (a projection before the
 * settlement); earnings lists an address's direct sales and subscription
 * payouts by period. The chain through lib/subs.h, the statements
 * through lib/statement.h.
 */
#include "lst.h"
#include "addr.h"
#include "buf.h"
#include "diag.h"
#include "home.h"
#include "jsonio.h"
#include "keyring.h"
#include "opt.h"
#include "pass.h"
#include "rpcclient.h"
#include "statement.h"
#include "subs.h"
#include "subscription.h"
#include "verbs.h"

#include <sodium.h>
#include <time.h>
#include <unistd.h>

#define SETTLE_TIMEOUT 60.0

static const char *opt_home, *opt_rpc;
static bool opt_json, opt_human;

#define COMMON_OPTS                                                                                              \
	OPT_BOOL(0, "json", &opt_json, "print JSON (the default when stdout is not a terminal)"),               \
	OPT_BOOL(0, "human", &opt_human, "print a table for people (the default on a terminal)"),              \
	OPT_STRING(0, "rpc", &opt_rpc, "URL", "the node's JSON-RPC URL (default: config rpc)"),                \
	OPT_STRING(0, "home", &opt_home, "DIR", "state directory (default $LST_HOME)")

static int parse(int argc, char **argv, const struct opt *opts, const char *const *usage)
{
	int n = opt_parse(argc, argv, opts, usage);
	if (opt_json && opt_human)
		opt_usage_die(opts, usage, "--json and --human are exclusive");
	if (opt_home)
		home_set(opt_home);
	if (opt_rpc)
		rpcc_set_url(opt_rpc);
	return n;
}

static bool want_json(void)
{
	return opt_json || (!opt_human && !isatty(1));
}

static int print(json_t *j)
{
	if (jsonio_print(j) < 0)
		return diag_error(LST_EFAIL, "cannot write standard output");
	return 0;
}

static int flush(void)
{
	if (fflush(stdout) || ferror(stdout))
		return diag_error(LST_EFAIL, "cannot write standard output");
	return 0;
}

/* CATEGORY (name or id) and PERIOD ("2026-11", an index, current, last). 0 or -1 (reported). */
static int resolve(uint64_t *category, uint64_t *period, uint64_t *current, uint64_t *len, const char *cat,
		   const char *per)
{
	subs_category c;
	uint64_t start, end;
	int g = subs_category_find(&c, cat);
	if (g != 0)
		return -1; /* 1: reported, exit 3 */
	*category = c.id;
	subs_category_free(&c);
	if (subs_period(current, &start, &end, len) < 0)
		return -1;
	if (!strcmp(per, "current")) {
		*period = *current;
		return 0;
	}
	if (!strcmp(per, "last")) {
		if (*current == 0)
			return diag_error(LST_ENOTFOUND, "no period has ended yet");
		*period = *current - 1;
		return 0;
	}
	if (sub_period_parse(period, *len, per) < 0) {
		diag_error(LST_EINVALID, "'%s' is not a period", per);
		diag_hint("%s", *len ? "a period is its index on this network (or current, last)"
				     : "a period is a month, YYYY-MM (or its index, current, last)");
		return -1;
	}
	return 0;
}

static int show_statement(const statement *s, const char *tx)
{
	if (want_json()) {
		json_t *j = statement_json(s);
		if (tx)
			json_object_set_new(j, "tx", json_string(tx));
		return print(j);
	}
	if (tx)
		printf("settled in %s\n\n", tx);
	statement_print(stdout, s);
	return flush();
}

/* ---- period ---- */

/* Why the contract refused a period that has not ended: when it does. */
static void hint_ends(uint64_t period, uint64_t len)
{
	char label[32], when[32];
	uint64_t end = sub_period_start(len, period + 1);
	time_t t = (time_t)end, now = time(NULL);
	struct tm tm;
	sub_period_label(label, sizeof(label), len, period);
	if (!gmtime_r(&t, &tm) || !strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(when, sizeof(when), "%llu", (unsigned long long)end);
	if (t > now)
		diag_hint("period %s ends at %s, in %llds; settle it after that", label, when, (long long)(t - now));
	else
		diag_hint("period %s ended at %s; settle it once the chain has a block after that", label, when);
}

static int cmd_period(int argc, char **argv)
{
	const char *from = NULL, *passfile = NULL;
	static const char *const usage[] = {
		"lst-settle period [--from KEY] [--passphrase-file FILE] [--json | --human] [--rpc URL] CATEGORY PERIOD",
		"(PERIOD: YYYY-MM on month networks, else the index; or current, last)", NULL};
	const struct opt opts[] = {
		OPT_STRING(0, "from", &from, "KEY", "the key that sends the settlement (default: the home's key)"),
		OPT_STRING(0, "passphrase-file", &passfile, "FILE", "the key's passphrase"),
		COMMON_OPTS,
		OPT_END(),
	};
	if (parse(argc, argv, opts, usage) != 2)
		opt_usage_die(opts, usage, "period takes a CATEGORY and a PERIOD");
	if (passfile)
		pass_set_file(passfile);
	uint64_t category, period, current, len;
	if (resolve(&category, &period, &current, &len, argv[0], argv[1]) < 0)
		return -1;
	key_entry e;
	if (keyring_find(&e, from) < 0)
		return -1;
	buf cd = BUF_INIT;
	json_t *rc = NULL;
	int r = subs_call_settle(&cd, category, period);
	if (r == 0)
		r = subs_send(&rc, &e, &cd, NULL, SETTLE_TIMEOUT);
	if (r < 0 && diag_status() == LST_EREFUSED && period >= current)
		hint_ends(period, len);
	char tx[67] = "";
	if (r == 0) {
		const char *h = jsonio_get_str(rc, "transactionHash");
		snprintf(tx, sizeof(tx), "%s", h ? h : "");
	}
	statement s;
	if (r == 0 && (r = statement_get(&s, category, period)) == 0) {
		r = show_statement(&s, tx[0] ? tx : NULL);
		statement_free(&s);
	}
	json_decref(rc);
	buf_free(&cd);
	keyring_entry_free(&e);
	return r;
}

/* ---- statement ---- */

static int cmd_statement(int argc, char **argv)
{
	static const char *const usage[] = {
		"lst-settle statement [--json | --human] [--rpc URL] CATEGORY PERIOD",
		"(PERIOD: YYYY-MM on month networks, else the index; or current, last)", NULL};
	const struct opt opts[] = {COMMON_OPTS, OPT_END()};
	if (parse(argc, argv, opts, usage) != 2)
		opt_usage_die(opts, usage, "statement takes a CATEGORY and a PERIOD");
	uint64_t category, period, current, len;
	statement s;
	if (resolve(&category, &period, &current, &len, argv[0], argv[1]) < 0 ||
	    statement_get(&s, category, period) < 0)
		return -1;
	int r = show_statement(&s, NULL);
	statement_free(&s);
	return r;
}

/* ---- earnings ---- */

static int cmd_earnings(int argc, char **argv)
{
	static const char *const usage[] = {"lst-settle earnings [--json | --human] [--rpc URL] [ADDRESS]",
					    "(ADDRESS: an address or a key's name; default: the home's key)", NULL};
	const struct opt opts[] = {COMMON_OPTS, OPT_END()};
	int n = parse(argc, argv, opts, usage);
	if (n > 1)
		opt_usage_die(opts, usage, "earnings takes at most one ADDRESS");
	uint8_t a[20];
	if (n && addr_looks_like(argv[0])) {
		const char *why;
		if (addr_parse(a, argv[0], &why) < 0)
			return diag_error(LST_EINVALID, "'%s' is not an address: %s", argv[0], why);
	} else {
		key_entry e;
		if (n && !strncmp(argv[0], "0x", 2))
			return diag_error(LST_EINVALID, "'%s' is not an address: not 20 bytes of hex", argv[0]);
		if (keyring_find(&e, n ? argv[0] : NULL) < 0)
			return -1;
		memcpy(a, e.address, 20);
		keyring_entry_free(&e);
	}
	earnings ea;
	if (earnings_get(&ea, a) < 0)
		return -1;
	int r;
	if (want_json()) {
		r = print(earnings_json(&ea));
	} else {
		earnings_print(stdout, &ea);
		r = flush();
	}
	earnings_free(&ea);
	return r;
}

static const struct verb verbs[] = {
	{"period", cmd_period, "settle a category's period (anyone may, once it ended), then print its statement"},
	{"statement", cmd_statement, "a category's period: pages, shares and payouts per book and per author"},
	{"earnings", cmd_earnings, "an address's direct sales and subscription payouts, by period"},
};

int main(int argc, char **argv)
{
	diag_init("lst-settle");
	if (sodium_init() < 0)
		diag_die(LST_EFAIL, "cannot initialise libsodium");
	static const struct global_opt globals[] = {
		{"home", "DIR", &opt_home},
		{"rpc", "URL", &opt_rpc},
	};
	verbs_main("lst-settle", verbs, ARRAY_SIZE(verbs), globals, ARRAY_SIZE(globals), argc, argv);
}
