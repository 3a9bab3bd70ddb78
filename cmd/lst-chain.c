/*
 * lst-chain: genesis, the node, and chain queries (see lst-chain(1)).
 *
 * init and daemon act on the home, testnet makes the homes of a local
 * network; every query talks to a node over JSON-RPC (--rpc URL, else
 * config "rpc") and prints snake_case JSON.
 */
#include "lst.h"
#include "addr.h"
#include "amount.h"
#include "buf.h"
#include "chaininit.h"
#include "daemon.h"
#include "diag.h"
#include "genesis.h"
#include "hex.h"
#include "home.h"
#include "jsonio.h"
#include "keccak.h"
#include "opt.h"
#include "rpcclient.h"
#include "testnet.h"
#include "txjson.h"
#include "verbs.h"
#include "wallet.h"

#include <limits.h>
#include <time.h>
#include <unistd.h>

static const char *opt_home, *opt_rpc;

#define COMMON_OPTS                                                                    \
	OPT_STRING(0, "home", &opt_home, "DIR", "state directory (default $LST_HOME)"), \
	OPT_STRING(0, "rpc", &opt_rpc, "URL", "the node's JSON-RPC URL (default: config rpc)")

static int parse(int argc, char **argv, const struct opt *opts, const char *const *usage)
{
	int n = opt_parse(argc, argv, opts, usage);
	if (opt_home)
		home_set(opt_home);
	if (opt_rpc)
		rpcc_set_url(opt_rpc);
	return n;
}

static int print(json_t *j)
{
	return jsonio_print(j) < 0 ? diag_error(LST_EFAIL, "cannot write standard output") : 0;
}

static int call(json_t **out, const char *method, json_t *params)
{
	return rpcc_call(out, method, params);
}

/* 0x-hex quantity from RPC as a decimal JSON string. */
static json_t *dec(json_t *q)
{
	u256 v;
	if (!json_is_string(q) || u256_from_hex(&v, json_string_value(q)) < 0)
		return json_null();
	return u256_to_json(&v);
}

static json_t *num(json_t *q)
{
	u256 v;
	if (!json_is_string(q) || u256_from_hex(&v, json_string_value(q)) < 0 || !u256_fits_u64(&v))
		return json_null();
	return json_integer((json_int_t)v.w[0]);
}

static json_t *get(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return v ? json_incref(v) : json_null();
}

/*
 * Options that repeat (--alloc, --validator, --peer) are taken out of argv
 * before the table parser, which keeps one value per option; the table
 * still lists them so that -h shows them. Returns the new argc; *vals gets
 * the values in order (malloc'd array).
 */
static int take_repeated(int argc, char **argv, const char *name, const char ***vals, size_t *nvals,
			 const struct opt *opts, const char *const *usage)
{
	size_t len = strlen(name);
	int k = 1;
	*vals = xcalloc((size_t)argc + 1, sizeof(char *));
	*nvals = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			while (i < argc)
				argv[k++] = argv[i++];
			break;
		}
		if (!strncmp(a, "--", 2) && !strncmp(a + 2, name, len) && (a[2 + len] == 0 || a[2 + len] == '=')) {
			const char *val = a[2 + len] == '=' ? a + 3 + len : i + 1 < argc ? argv[++i] : NULL;
			if (!val)
				opt_usage_die(opts, usage, "option '--%s' needs a value", name);
			(*vals)[(*nvals)++] = val;
			continue;
		}
		argv[k++] = argv[i];
	}
	argv[k] = NULL;
	return k;
}

/* ---- init ---- */

static int parse_alloc(genesis *g, const char *spec)
{
	char addr[64], err[160];
	const char *eq = strchr(spec, '='), *why;
	if (!eq || (size_t)(eq - spec) >= sizeof(addr))
		return diag_error(LST_EUSAGE, "--alloc takes ADDRESS=AMOUNT, not '%s'", spec);
	memcpy(addr, spec, (size_t)(eq - spec));
	addr[eq - spec] = 0;
	genesis_alloc *a = &g->alloc[g->nalloc];
	if (addr_parse(a->address, addr, &why) < 0)
		return diag_error(LST_EINVALID, "--alloc: '%s' is not an address: %s", addr, why);
	if (amount_parse(&a->balance, err, sizeof(err), eq + 1) < 0)
		return diag_error(LST_EINVALID, "--alloc: %s", err);
	for (size_t i = 0; i < g->nalloc; i++)
		if (!memcmp(g->alloc[i].address, a->address, 20))
			return diag_error(LST_EINVALID, "--alloc: '%s' is allocated twice", addr);
	g->nalloc++;
	return 0;
}

static int parse_validator(genesis *g, const char *spec)
{
	char addr[64];
	const char *eq = strchr(spec, '='), *why;
	size_t len = eq ? (size_t)(eq - spec) : strlen(spec);
	if (len >= sizeof(addr))
		return diag_error(LST_EUSAGE, "--validator takes ADDRESS[=POWER], not '%s'", spec);
	memcpy(addr, spec, len);
	addr[len] = 0;
	genesis_validator *v = &g->validators[g->nvalidators];
	if (addr_parse(v->address, addr, &why) < 0)
		return diag_error(LST_EINVALID, "--validator: '%s' is not an address: %s", addr, why);
	for (size_t i = 0; i < g->nvalidators; i++)
		if (!memcmp(g->validators[i].address, v->address, 20))
			return diag_error(LST_EINVALID, "--validator: '%s' is listed twice", addr);
	v->power = 1;
	if (eq) {
		u256 p;
		if (u256_from_dec(&p, eq + 1) < 0 || !u256_fits_u64(&p) || p.w[0] == 0)
			return diag_error(LST_EINVALID, "--validator: power must be a positive integer, not '%s'", eq + 1);
		v->power = p.w[0];
	}
	g->nvalidators++;
	return 0;
}

static int parse_u64_opt(uint64_t *out, const char *s, const char *name)
{
	u256 v;
	if (u256_from_str(&v, s) < 0 || !u256_fits_u64(&v))
		return diag_error(LST_EINVALID, "%s takes a non-negative integer, not '%s'", name, s);
	*out = v.w[0];
	return 0;
}

static int cmd_init(int argc, char **argv)
{
	bool dev = false;
	const char *chain = NULL, *foundation = NULL, *fee = NULL, *listing = NULL, *period = NULL, *start = NULL;
	const char *join = NULL, *listen = NULL, *unused = NULL, **allocs, **vals;
	size_t nallocs, nvals;
	static const char *const usage[] = {
		"lst-chain init --dev [--chain-id N]",
		"lst-chain init --join URL [--listen HOST:PORT]",
		"lst-chain init --chain-id N --foundation ADDRESS --validator ADDRESS[=POWER]... "
		"--alloc ADDRESS=AMOUNT... [--service-fee-bps N] [--listing-fee AMOUNT] "
		"[--subscription-period month|SECONDS] [--start-time UNIX]", NULL};
	const struct opt opts[] = {
		OPT_BOOL(0, "dev", &dev, "a complete local network: validator, foundation and funded developer keys"),
		OPT_STRING(0, "join", &join, "URL", "a full node of the network of the node at URL: its genesis and peers"),
		OPT_STRING(0, "listen", &listen, "HOST:PORT", "with --join: the address the daemon serves (config listen)"),
		OPT_STRING(0, "chain-id", &chain, "N", "chain id (dev default 161)"),
		OPT_STRING(0, "foundation", &foundation, "ADDRESS", "the foundation's address"),
		OPT_STRING(0, "validator", &unused, "ADDRESS[=POWER]", "a validator, power 1 unless given (repeat for each)"),
		OPT_STRING(0, "alloc", &unused, "ADDRESS=AMOUNT", "an allocation at genesis (repeat for each)"),
		OPT_STRING(0, "service-fee-bps", &fee, "N", "service fee in basis points (default 500)"),
		OPT_STRING(0, "listing-fee", &listing, "AMOUNT", "listing fee, e.g. 1lst (default 1lst)"),
		OPT_STRING(0, "subscription-period", &period, "month|SECONDS",
			   "subscription period: calendar months (default) or seconds; also with --dev"),
		OPT_STRING(0, "start-time", &start, "UNIX", "genesis time (default now)"),
		COMMON_OPTS, OPT_END(),
	};
	argc = take_repeated(argc, argv, "alloc", &allocs, &nallocs, opts, usage);
	argc = take_repeated(argc, argv, "validator", &vals, &nvals, opts, usage);
	genesis g;
	memset(&g, 0, sizeof(g));
	g.alloc = xcalloc(nallocs + 1, sizeof(*g.alloc));
	g.validators = xcalloc(nvals + 1, sizeof(*g.validators));
	int r = -1;
	json_t *summary;
	if (parse(argc, argv, opts, usage) != 0)
		opt_usage_die(opts, usage, "init takes no operands");
	if (listen && !join)
		opt_usage_die(opts, usage, "--listen goes with --join");
	if (dev || join) {
		uint64_t cid = DEV_CHAIN_ID;
		if (dev && join)
			opt_usage_die(opts, usage, "--dev makes a new network, --join joins one: not both");
		uint64_t len = 0;
		if (nallocs || nvals || foundation || fee || listing || start || (join && (chain || period)))
			opt_usage_die(opts, usage, "%s: no --alloc, --validator, --foundation or other genesis parameters",
				      dev ? "--dev makes its own keys" : "--join takes the network's genesis");
		if ((chain && parse_u64_opt(&cid, chain, "--chain-id") < 0) ||
		    (period && chain_parse_period(&len, period, "--subscription-period") < 0))
			goto out;
		if ((dev ? chain_init_dev_period(&summary, cid, len) : chain_init_join(&summary, join, listen)) == 0)
			r = print(summary);
		goto out;
	}
	for (size_t i = 0; i < nallocs; i++)
		if (parse_alloc(&g, allocs[i]) < 0)
			goto out;
	for (size_t i = 0; i < nvals; i++)
		if (parse_validator(&g, vals[i]) < 0)
			goto out;
	if (!chain || !foundation || !g.nvalidators || !g.nalloc)
		opt_usage_die(opts, usage, "init needs --chain-id, --foundation, --validator and --alloc (or --dev, or --join)");
	const char *why;
	char err[160];
	g.service_fee_bps = 500;
	g.subscription_period = 0; /* calendar months in UTC */
	g.start_time = (uint64_t)time(NULL);
	if (parse_u64_opt(&g.chain_id, chain, "--chain-id") < 0 ||
	    (fee && parse_u64_opt(&g.service_fee_bps, fee, "--service-fee-bps") < 0) ||
	    (period && chain_parse_period(&g.subscription_period, period, "--subscription-period") < 0) ||
	    (start && parse_u64_opt(&g.start_time, start, "--start-time") < 0))
		goto out;
	if (g.chain_id == 0 || g.service_fee_bps > 10000) {
		diag_error(LST_EINVALID, g.chain_id == 0 ? "--chain-id must be at least 1"
							 : "--service-fee-bps must be at most 10000");
		goto out;
	}
	if (addr_parse(g.foundation, foundation, &why) < 0) {
		diag_error(LST_EINVALID, "--foundation: '%s' is not an address: %s", foundation, why);
		goto out;
	}
	if (amount_parse(&g.listing_fee, err, sizeof(err), listing ? listing : "1lst") < 0) {
		diag_error(LST_EINVALID, "--listing-fee: %s", err);
		goto out;
	}
	if (genesis_finish(&g) < 0 || chain_write_genesis(&g) < 0)
		goto out;
	r = print(jsonio_obj("home", jsonio_str(home_dir()), "chain_id", json_integer((json_int_t)g.chain_id),
			     "genesis_hash", jsonio_hex(g.hash, 32), "supply", u256_to_json(&g.supply), NULL));
out:
	genesis_free(&g);
	free(allocs);
	free(vals);
	return r;
}

/* lst-chain testnet: the homes of a local multi-validator network. */
static int parse_small(unsigned long *out, const char *s, const char *name, unsigned long max)
{
	u256 v;
	if (u256_from_dec(&v, s) < 0 || !u256_fits_u64(&v) || v.w[0] > max)
		return diag_error(LST_EUSAGE, "%s takes an integer up to %lu, not '%s'", name, max, s);
	*out = (unsigned long)v.w[0];
	return 0;
}

static int cmd_testnet(int argc, char **argv)
{
	const char *nval = NULL, *out = NULL, *port = NULL, *chain = NULL, *period = NULL;
	static const char *const usage[] = {
		"lst-chain testnet --validators N --out DIR [--base-port P] [--chain-id N] "
		"[--subscription-period month|SECONDS]", NULL};
	const struct opt opts[] = {
		OPT_STRING(0, "validators", &nval, "N", "how many validators, 1 to 64: homes DIR/node0 ... DIR/node{N-1}"),
		OPT_STRING(0, "out", &out, "DIR", "where the homes go (DIR/client holds the foundation and developer keys)"),
		OPT_STRING(0, "base-port", &port, "P", "node k listens on 127.0.0.1:P+k (default 26600)"),
		OPT_STRING(0, "chain-id", &chain, "N", "chain id (default 161)"),
		OPT_STRING(0, "subscription-period", &period, "month|SECONDS",
			   "subscription period: calendar months (default) or seconds"),
		OPT_END(),
	};
	if (parse(argc, argv, opts, usage) != 0)
		opt_usage_die(opts, usage, "testnet takes no operands");
	if (!nval || !out || !*out)
		opt_usage_die(opts, usage, "testnet needs --validators and --out");
	unsigned long n, p = TESTNET_BASE_PORT;
	uint64_t cid = DEV_CHAIN_ID, len = 0;
	json_t *summary;
	if (parse_small(&n, nval, "--validators", ULONG_MAX) < 0 || (port && parse_small(&p, port, "--base-port", 65535) < 0) ||
	    (chain && parse_u64_opt(&cid, chain, "--chain-id") < 0) ||
	    (period && chain_parse_period(&len, period, "--subscription-period") < 0) ||
	    testnet_make(&summary, out, n, p, cid, len) < 0)
		return -1;
	return print(summary);
}

/* ---- the daemon ---- */

static int cmd_daemon(int argc, char **argv)
{
	bool detach = false;
	const char *listen = NULL, *unused = NULL, **peers;
	size_t npeers;
	static const char *const usage[] = {"lst-chain daemon [--detach] [--rpc HOST:PORT] [--peer HOST:PORT]...", NULL};
	const struct opt opts[] = {
		OPT_BOOL('d', "detach", &detach, "run in the background once RPC answers; log to HOME/daemon.log"),
		OPT_STRING(0, "rpc", &listen, "HOST:PORT",
			   "serve JSON-RPC and peers here (default: config listen, else 127.0.0.1:8545; port 0 picks one)"),
		OPT_STRING(0, "peer", &unused, "HOST:PORT", "a peer besides config peers (repeat for each; URLs too)"),
		OPT_STRING(0, "home", &opt_home, "DIR", "state directory (default $LST_HOME)"),
		OPT_END(),
	};
	argc = take_repeated(argc, argv, "peer", &peers, &npeers, opts, usage);
	if (parse(argc, argv, opts, usage) != 0)
		opt_usage_die(opts, usage, "daemon takes no operands");
	buf pl = BUF_INIT;
	for (size_t i = 0; i < npeers; i++) {
		if (!*peers[i] || strchr(peers[i], ','))
			opt_usage_die(opts, usage, "--peer takes one HOST:PORT or URL, not '%s'", peers[i]);
		buf_addf(&pl, "%s%s", i ? "," : "", peers[i]);
	}
	buf_addc(&pl, 0);
	free(peers);
	/* 'lst-chain --rpc ADDR daemon' means the same as 'daemon --rpc ADDR'; without either, config listen. */
	if (!listen)
		listen = opt_rpc;
	if (listen && !strncmp(listen, "http://", 7))
		listen += 7;
	int st = daemon_main(listen, npeers ? (const char *)pl.p : NULL, detach);
	buf_free(&pl);
	if (st != 0) {
		diag_set_status(st);
		return -1;
	}
	if (detach) {
		pid_t pid = 0;
		char *rpc = config_get("rpc");
		int r = daemon_running(&pid);
		r = print(jsonio_obj("pid", json_integer(r == 0 ? pid : 0), "rpc", rpc ? jsonio_str(rpc) : json_null(),
				     "home", jsonio_str(home_dir()), NULL));
		free(rpc);
		return r;
	}
	return 0;
}

static int cmd_stop(int argc, char **argv)
{
	static const char *const usage[] = {"lst-chain stop", NULL};
	const struct opt opts[] = {COMMON_OPTS, OPT_END()};
	if (parse(argc, argv, opts, usage) != 0)
		opt_usage_die(opts, usage, "stop takes no operands");
	pid_t pid = 0;
	bool was = daemon_running(&pid) == 0;
	int r = daemon_stop(30000);
	if (r < 0)
		return -1;
	return print(jsonio_obj("stopped", json_boolean(was), "pid", was ? json_integer(pid) : json_null(), NULL));
}

static int cmd_status(int argc, char **argv)
{
	static const char *const usage[] = {"lst-chain status", NULL};
	const struct opt opts[] = {COMMON_OPTS, OPT_END()};
	if (parse(argc, argv, opts, usage) != 0)
		opt_usage_die(opts, usage, "status takes no operands");
	json_t *s;
	if (call(&s, "lst_status", NULL) < 0)
		return -1;
	return print(s);
}

/* ---- transactions ---- */

static int read_raw_hex(char **out)
{
	buf b = BUF_INIT;
	if (buf_read_fd(&b, 0, 64u << 20) < 0) {
		buf_free(&b);
		return diag_error(LST_EFAIL, "cannot read standard input: %s", strerror(errno));
	}
	char *s = hex_trim((char *)(b.p ? b.p : (uint8_t *)""));
	/* Accept lst-sign's JSON too: {"raw": ...}. */
	if (*s == '{') {
		json_t *j = jsonio_parse(s, strlen(s), "standard input");
		const char *raw = jsonio_get_str(j, "raw");
		*out = raw ? xstrdup(raw) : NULL;
		json_decref(j);
		buf_free(&b);
		if (!*out)
			return diag_error(LST_EINVALID, "standard input has no \"raw\" transaction");
		return 0;
	}
	if (!*s || !hex_is_valid(s)) {
		buf_free(&b);
		return diag_error(LST_EINVALID, "standard input is not a raw transaction (0x-hex)");
	}
	*out = xstrdup(s);
	buf_free(&b);
	return 0;
}

static json_t *receipt_out(json_t *r)
{
	json_t *logs = json_array(), *l;
	size_t i;
	json_array_foreach(json_object_get(r, "logs"), i, l)
		json_array_append_new(logs, jsonio_obj("address", get(l, "address"), "topics", get(l, "topics"),
						       "data", get(l, "data"), "index", num(json_object_get(l, "logIndex")),
						       NULL));
	json_t *st = num(json_object_get(r, "status"));
	return jsonio_obj("hash", get(r, "transactionHash"), "status", st, "block", num(json_object_get(r, "blockNumber")),
			  "block_hash", get(r, "blockHash"), "index", num(json_object_get(r, "transactionIndex")),
			  "from", get(r, "from"), "to", get(r, "to"), "gas_used", dec(json_object_get(r, "gasUsed")),
			  "logs", logs, NULL);
}

static int parse_timeout(double *t, const char *s)
{
	char *end;
	*t = s ? strtod(s, &end) : 60;
	if (s && (*end || *t < 0))
		return diag_error(LST_EUSAGE, "--timeout takes seconds, not '%s'", s);
	return 0;
}

static int cmd_send(int argc, char **argv)
{
	bool wait = false;
	const char *timeout = NULL;
	static const char *const usage[] = {"lst-chain send [--wait [--timeout S]] < RAW-TX", NULL};
	const struct opt opts[] = {
		OPT_BOOL('w', "wait", &wait, "wait for the receipt and print it"),
		OPT_STRING(0, "timeout", &timeout, "S", "with --wait: give up after S seconds (default 60)"),
		COMMON_OPTS, OPT_END(),
	};
	if (parse(argc, argv, opts, usage) != 0)
		opt_usage_die(opts, usage, "send takes the raw transaction on stdin");
	double t;
	char *raw;
	if (parse_timeout(&t, timeout) < 0 || read_raw_hex(&raw) < 0)
		return -1;
	json_t *h;
	int r = call(&h, "eth_sendRawTransaction", json_pack("[s]", raw));
	free(raw);
	if (r < 0)
		return -1;
	if (!wait)
		return print(jsonio_obj("hash", h, NULL));
	json_t *rc;
	r = wallet_wait(&rc, json_string_value(h), t);
	json_decref(h);
	if (r < 0)
		return -1;
	r = print(receipt_out(rc));
	json_decref(rc);
	return r;
}

static int need_hash(const struct opt *opts, const char *const *usage, int n, char **argv)
{
	uint8_t h[32];
	if (n != 1)
		opt_usage_die(opts, usage, "give one transaction hash");
	if (hex_decode(h, 32, argv[0]) < 0)
		return diag_error(LST_EINVALID, "'%s' is not a transaction hash (32 bytes of 0x-hex)", argv[0]);
	return 0;
}

static int cmd_tx(int argc, char **argv)
{
	static const char *const usage[] = {"lst-chain tx HASH", NULL};
	const struct opt opts[] = {COMMON_OPTS, OPT_END()};
	int n = parse(argc, argv, opts, usage);
	json_t *t;
	if (need_hash(opts, usage, n, argv) < 0 || call(&t, "eth_getTransactionByHash", json_pack("[s]", argv[0])) < 0)
		return -1;
	if (json_is_null(t)) {
		json_decref(t);
		return diag_error(LST_ENOTFOUND, "no transaction '%s'", argv[0]);
	}
	json_t *o = jsonio_obj("hash", get(t, "hash"), "type", num(json_object_get(t, "type")),
			       "block", num(json_object_get(t, "blockNumber")), "index", num(json_object_get(t, "transactionIndex")),
			       "from", get(t, "from"), "to", get(t, "to"), "nonce", dec(json_object_get(t, "nonce")),
			       "value", dec(json_object_get(t, "value")), "data", get(t, "input"),
			       "gas", dec(json_object_get(t, "gas")), "chain_id", dec(json_object_get(t, "chainId")),
			       "pending", json_boolean(json_is_null(json_object_get(t, "blockNumber"))), NULL);
	json_decref(t);
	return print(o);
}

static int cmd_receipt(int argc, char **argv)
{
	static const char *const usage[] = {"lst-chain receipt HASH", NULL};
	const struct opt opts[] = {COMMON_OPTS, OPT_END()};
	int n = parse(argc, argv, opts, usage);
	json_t *r;
	if (need_hash(opts, usage, n, argv) < 0 || call(&r, "eth_getTransactionReceipt", json_pack("[s]", argv[0])) < 0)
		return -1;
	if (json_is_null(r)) {
		json_decref(r);
		return diag_error(LST_ENOTFOUND, "no receipt for '%s' (unknown, or not yet in a block)", argv[0]);
	}
	int k = print(receipt_out(r));
	json_decref(r);
	return k;
}

static int cmd_wait(int argc, char **argv)
{
	const char *timeout = NULL;
	static const char *const usage[] = {"lst-chain wait [--timeout S] HASH", NULL};
	const struct opt opts[] = {
		OPT_STRING(0, "timeout", &timeout, "S", "give up after S seconds (default 60), exit 3"),
		COMMON_OPTS, OPT_END(),
	};
	int n = parse(argc, argv, opts, usage);
	double t;
	json_t *r;
	if (need_hash(opts, usage, n, argv) < 0 || parse_timeout(&t, timeout) < 0 || wallet_wait(&r, argv[0], t) < 0)
		return -1;
	int k = print(receipt_out(r));
	json_decref(r);
	return k;
}

static int cmd_block(int argc, char **argv)
{
	static const char *const usage[] = {"lst-chain block [N|latest|HASH]", NULL};
	const struct opt opts[] = {COMMON_OPTS, OPT_END()};
	int n = parse(argc, argv, opts, usage);
	if (n > 1)
		opt_usage_die(opts, usage, "give one block");
	const char *which = n ? argv[0] : "latest";
	json_t *b;
	int r;
	u256 h;
	if (strlen(which) == 66 && hex_is_valid(which)) {
		r = call(&b, "eth_getBlockByHash", json_pack("[s,b]", which, 0));
	} else if (!strcmp(which, "latest") || !strcmp(which, "earliest")) {
		r = call(&b, "eth_getBlockByNumber", json_pack("[s,b]", which, 0));
	} else if (u256_from_str(&h, which) == 0 && u256_fits_u64(&h)) {
		char q[24];
		snprintf(q, sizeof(q), "0x%llx", (unsigned long long)h.w[0]);
		r = call(&b, "eth_getBlockByNumber", json_pack("[s,b]", q, 0));
	} else {
		return diag_error(LST_EINVALID, "'%s' is not a block number, 'latest' or a block hash", which);
	}
	if (r < 0)
		return -1;
	if (json_is_null(b)) {
		json_decref(b);
		return diag_error(LST_ENOTFOUND, "no block '%s'", which);
	}
	json_t *o = jsonio_obj("height", num(json_object_get(b, "number")), "hash", get(b, "hash"),
			       "parent_hash", get(b, "parentHash"), "time", num(json_object_get(b, "timestamp")),
			       "tx_root", get(b, "transactionsRoot"), "app_hash", get(b, "stateRoot"),
			       "proposer", get(b, "miner"), "transactions", get(b, "transactions"), NULL);
	json_decref(b);
	return print(o);
}

static int one_address(const struct opt *opts, const char *const *usage, int n, char **argv, uint8_t a[20])
{
	const char *why;
	if (n != 1)
		opt_usage_die(opts, usage, "give one address");
	if (addr_parse(a, argv[0], &why) < 0)
		return diag_error(LST_EINVALID, "'%s' is not an address: %s", argv[0], why);
	return 0;
}

static int cmd_balance(int argc, char **argv)
{
	static const char *const usage[] = {"lst-chain balance ADDRESS", NULL};
	const struct opt opts[] = {COMMON_OPTS, OPT_END()};
	int n = parse(argc, argv, opts, usage);
	uint8_t a[20];
	char s[ADDR_STR];
	json_t *b;
	if (one_address(opts, usage, n, argv, a) < 0 || call(&b, "eth_getBalance", json_pack("[s,s]", argv[0], "latest")) < 0)
		return -1;
	addr_to_str(s, a);
	int r = print(jsonio_obj("address", json_string(s), "balance", dec(b), NULL));
	json_decref(b);
	return r;
}

static int cmd_nonce(int argc, char **argv)
{
	static const char *const usage[] = {"lst-chain nonce ADDRESS", NULL};
	const struct opt opts[] = {COMMON_OPTS, OPT_END()};
	int n = parse(argc, argv, opts, usage);
	uint8_t a[20];
	char s[ADDR_STR];
	json_t *l, *p;
	if (one_address(opts, usage, n, argv, a) < 0 ||
	    call(&l, "eth_getTransactionCount", json_pack("[s,s]", argv[0], "latest")) < 0)
		return -1;
	if (call(&p, "eth_getTransactionCount", json_pack("[s,s]", argv[0], "pending")) < 0) {
		json_decref(l);
		return -1;
	}
	addr_to_str(s, a);
	int r = print(jsonio_obj("address", json_string(s), "nonce", dec(l), "pending", dec(p), NULL));
	json_decref(l);
	json_decref(p);
	return r;
}

static int cmd_call(int argc, char **argv)
{
	const char *to = NULL, *data = "0x", *from = NULL;
	static const char *const usage[] = {"lst-chain call --to ADDRESS [--data HEX] [--from ADDRESS]", NULL};
	const struct opt opts[] = {
		OPT_STRING(0, "to", &to, "ADDRESS", "the contract"),
		OPT_STRING(0, "data", &data, "HEX", "ABI calldata"),
		OPT_STRING(0, "from", &from, "ADDRESS", "msg.sender for the call"),
		COMMON_OPTS, OPT_END(),
	};
	if (parse(argc, argv, opts, usage) != 0 || !to)
		opt_usage_die(opts, usage, "call needs --to");
	if (!hex_is_valid(data))
		return diag_error(LST_EINVALID, "--data is not hex: '%s'", data);
	json_t *o = json_pack("{s:s,s:s}", "to", to, "data", data), *r;
	if (from)
		json_object_set_new(o, "from", json_string(from));
	if (call(&r, "eth_call", json_pack("[o,s]", o, "latest")) < 0)
		return -1;
	return print(jsonio_obj("result", r, NULL));
}

static int cmd_logs(int argc, char **argv)
{
	const char *from = "0x0", *to = "latest", *address = NULL, *topic = NULL;
	static const char *const usage[] = {"lst-chain logs [--from-block N] [--to-block N] [--address A] [--topic T0]", NULL};
	const struct opt opts[] = {
		OPT_STRING(0, "from-block", &from, "N", "first block (default 0)"),
		OPT_STRING(0, "to-block", &to, "N", "last block (default latest)"),
		OPT_STRING(0, "address", &address, "ADDRESS", "only logs of this contract"),
		OPT_STRING(0, "topic", &topic, "HASH", "only logs whose first topic is this"),
		COMMON_OPTS, OPT_END(),
	};
	if (parse(argc, argv, opts, usage) != 0)
		opt_usage_die(opts, usage, "logs takes no operands");
	char fb[24], tb[24];
	u256 v;
	if (u256_from_str(&v, from) == 0 && u256_fits_u64(&v))
		snprintf(fb, sizeof(fb), "0x%llx", (unsigned long long)v.w[0]), from = fb;
	if (u256_from_str(&v, to) == 0 && u256_fits_u64(&v))
		snprintf(tb, sizeof(tb), "0x%llx", (unsigned long long)v.w[0]), to = tb;
	json_t *f = json_pack("{s:s,s:s}", "fromBlock", from, "toBlock", to), *r;
	if (address)
		json_object_set_new(f, "address", json_string(address));
	if (topic)
		json_object_set_new(f, "topics", json_pack("[s]", topic));
	if (call(&r, "eth_getLogs", json_pack("[o]", f)) < 0)
		return -1;
	size_t i;
	json_t *l;
	int k = 0;
	json_array_foreach(r, i, l)
		if (k == 0)
			k = print(jsonio_obj("block", num(json_object_get(l, "blockNumber")), "tx_hash", get(l, "transactionHash"),
					     "index", num(json_object_get(l, "logIndex")), "address", get(l, "address"),
					     "topics", get(l, "topics"), "data", get(l, "data"), NULL));
	json_decref(r);
	return k;
}

static int cmd_commit(int argc, char **argv)
{
	static const char *const usage[] = {"lst-chain commit N", NULL};
	const struct opt opts[] = {COMMON_OPTS, OPT_END()};
	int n = parse(argc, argv, opts, usage);
	u256 h;
	if (n != 1 || u256_from_str(&h, argv[0]) < 0 || !u256_fits_u64(&h))
		opt_usage_die(opts, usage, "give one block height");
	char q[24];
	snprintf(q, sizeof(q), "0x%llx", (unsigned long long)h.w[0]);
	json_t *c;
	if (call(&c, "lst_commit", json_pack("[s]", q)) < 0)
		return -1;
	if (json_is_null(c)) {
		json_decref(c);
		return diag_error(LST_ENOTFOUND, "no commit for block %s", argv[0]);
	}
	return print(c);
}

static int cmd_validators(int argc, char **argv)
{
	const char *at = NULL;
	static const char *const usage[] = {"lst-chain validators [--height N]", NULL};
	const struct opt opts[] = {
		OPT_STRING(0, "height", &at, "N", "the set that signs block N (default: the next block)"),
		COMMON_OPTS, OPT_END(),
	};
	if (parse(argc, argv, opts, usage) != 0)
		opt_usage_die(opts, usage, "validators takes no operands");
	uint64_t h = 0;
	if (at && parse_u64_opt(&h, at, "--height") < 0)
		return -1;
	json_t *vs;
	char q[24];
	snprintf(q, sizeof(q), "0x%llx", (unsigned long long)h);
	if (call(&vs, "lst_validators", at ? json_pack("[s]", q) : json_array()) < 0)
		return -1;
	size_t i;
	json_t *v;
	int r = 0;
	json_array_foreach(json_object_get(vs, "validators"), i, v)
		if (r == 0)
			r = print(json_incref(v));
	json_decref(vs);
	return r;
}

static int cmd_peers(int argc, char **argv)
{
	static const char *const usage[] = {"lst-chain peers", NULL};
	const struct opt opts[] = {COMMON_OPTS, OPT_END()};
	if (parse(argc, argv, opts, usage) != 0)
		opt_usage_die(opts, usage, "peers takes no operands");
	json_t *p;
	if (call(&p, "lst_peers", NULL) < 0)
		return -1;
	return print(p);
}

/* ---- evidence: DoubleSign events of the evidence contract ---- */

#define EVIDENCE_CONTRACT "0x4c53540000000000000000000000000000000003"
#define DOUBLE_SIGN "DoubleSign(address,uint256,uint256,uint8,address)"
#define LOG_WINDOW 100000 /* blocks per eth_getLogs, the node's limit */

/* The address in a 32-byte word (0x-hex), EIP-55; null if it is not one. */
static json_t *word_addr(const char *hex)
{
	uint8_t w[32];
	char s[ADDR_STR];
	if (!hex || hex_decode(w, 32, hex) < 0)
		return json_null();
	addr_to_str(s, w + 12);
	return json_string(s);
}

static json_t *word_u64(const uint8_t w[32])
{
	u256 v;
	if (u256_from_be(&v, w, 32) < 0 || !u256_fits_u64(&v))
		return json_null();
	return json_integer((json_int_t)v.w[0]);
}

static json_t *evidence_out(json_t *l)
{
	uint8_t *data = NULL;
	size_t len = 0;
	const char *d = jsonio_get_str(l, "data");
	json_t *height = NULL, *round = NULL, *type = NULL, *reporter = NULL;
	/* data: height, round, voteType, reporter, one 32-byte word each. */
	if (d && hex_decode_alloc(&data, &len, d) == 0 && len >= 128) {
		char rep[67];
		height = word_u64(data);
		round = word_u64(data + 32);
		type = data[95] == 1 ? json_string("prevote") : data[95] == 2 ? json_string("precommit") : json_null();
		hex_encode(rep, data + 96, 32);
		reporter = word_addr(rep);
	}
	free(data);
	return jsonio_obj("validator", word_addr(json_string_value(json_array_get(json_object_get(l, "topics"), 1))),
			  "height", height ? height : json_null(), "round", round ? round : json_null(),
			  "type", type ? type : json_null(), "reporter", reporter ? reporter : json_null(),
			  "block_number", num(json_object_get(l, "blockNumber")), "tx_hash", get(l, "transactionHash"), NULL);
}

static int cmd_evidence(int argc, char **argv)
{
	const char *validator = NULL, *from = "0";
	static const char *const usage[] = {"lst-chain evidence [--validator ADDRESS] [--from-block N]", NULL};
	const struct opt opts[] = {
		OPT_STRING(0, "validator", &validator, "ADDRESS", "only evidence against this validator"),
		OPT_STRING(0, "from-block", &from, "N", "first block (default 0)"),
		COMMON_OPTS, OPT_END(),
	};
	if (parse(argc, argv, opts, usage) != 0)
		opt_usage_die(opts, usage, "evidence takes no operands");
	uint8_t topic0[32], a[20], word[32] = {0};
	char t0[67], t1[67];
	const char *why;
	u256 v;
	keccak256(topic0, (const uint8_t *)DOUBLE_SIGN, strlen(DOUBLE_SIGN));
	hex_encode(t0, topic0, 32);
	if (validator) {
		if (addr_parse(a, validator, &why) < 0)
			return diag_error(LST_EINVALID, "--validator: '%s' is not an address: %s", validator, why);
		memcpy(word + 12, a, 20);
		hex_encode(t1, word, 32);
	}
	if (u256_from_str(&v, from) < 0 || !u256_fits_u64(&v))
		return diag_error(LST_EINVALID, "--from-block takes a block number, not '%s'", from);
	json_t *latest;
	if (call(&latest, "eth_blockNumber", NULL) < 0)
		return -1;
	json_t *top = num(latest);
	json_decref(latest);
	if (!json_is_integer(top)) {
		json_decref(top);
		return diag_error(LST_EFAIL, "the node's eth_blockNumber is not a block number");
	}
	uint64_t last = (uint64_t)json_integer_value(top);
	json_decref(top);
	int r = 0;
	/* The node searches at most LOG_WINDOW blocks per query: walk the chain in windows. */
	for (uint64_t lo = v.w[0]; r == 0 && lo <= last; lo += LOG_WINDOW) {
		uint64_t hi = last - lo >= LOG_WINDOW ? lo + LOG_WINDOW - 1 : last;
		char fb[24], tb[24];
		snprintf(fb, sizeof(fb), "0x%llx", (unsigned long long)lo);
		snprintf(tb, sizeof(tb), "0x%llx", (unsigned long long)hi);
		json_t *topics = validator ? json_pack("[s,s]", t0, t1) : json_pack("[s]", t0), *logs;
		json_t *f = json_pack("{s:s,s:s,s:s,s:o}", "fromBlock", fb, "toBlock", tb, "address", EVIDENCE_CONTRACT,
				      "topics", topics);
		if (call(&logs, "eth_getLogs", json_pack("[o]", f)) < 0)
			return -1;
		size_t i;
		json_t *l;
		json_array_foreach(logs, i, l)
			if (r == 0)
				r = print(evidence_out(l));
		json_decref(logs);
		if (hi == last)
			break;
	}
	return r;
}

static const struct verb verbs[] = {
	{"init", cmd_init, "write a genesis, a complete dev network, or join a network"},
	{"testnet", cmd_testnet, "make the homes of a local multi-validator network"},
	{"daemon", cmd_daemon, "run the node: consensus, peers, JSON-RPC"},
	{"stop", cmd_stop, "stop the home's daemon"},
	{"status", cmd_status, "the node's chain, height, RPC address and mempool"},
	{"send", cmd_send, "send a raw transaction (stdin) to the node"},
	{"tx", cmd_tx, "a transaction by hash"},
	{"receipt", cmd_receipt, "a transaction's receipt"},
	{"wait", cmd_wait, "wait until a transaction is in a block"},
	{"block", cmd_block, "a block by number, hash or 'latest'"},
	{"balance", cmd_balance, "an address's balance in Photons"},
	{"nonce", cmd_nonce, "an address's nonce, committed and pending"},
	{"call", cmd_call, "call a native contract read-only"},
	{"logs", cmd_logs, "logs (events), one JSON object per line"},
	{"commit", cmd_commit, "the validators' signatures that finalised a block"},
	{"validators", cmd_validators, "the validator set of a height, one JSON object per line"},
	{"peers", cmd_peers, "the node's URL and its peers, with their heights"},
	{"evidence", cmd_evidence, "double-sign evidence against validators, one JSON object per line"},
};

int main(int argc, char **argv)
{
	diag_init("lst-chain");
	static const struct global_opt globals[] = {
		{"home", "DIR", &opt_home},
		{"rpc", "URL", &opt_rpc},
	};
	verbs_main("lst-chain", verbs, ARRAY_SIZE(verbs), globals, ARRAY_SIZE(globals), argc, argv);
}
