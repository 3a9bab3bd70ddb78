/*
 * lst: the porcelain. A table of built-in verbs; any other VERB runs
 * lst-VERB from the exec path (--exec-path, LST_EXEC_PATH, the libexec
 * dir, then PATH), as git does, so users extend lst with their own
 * programs. See lst(1) and lst(7).
 */
#include "lst.h"
#include "builtin.h"
#include "diag.h"
#include "home.h"
#include "jsonio.h"
#include "keyring.h"
#include "opt.h"
#include "pass.h"
#include "run.h"
#include "secp.h"
#include "addr.h"
#include "amount.h"
#include "chaininit.h"
#include "rpcclient.h"
#include "wallet.h"

#include <sodium.h>
#include <unistd.h>

#define NEED_HOME 1 /* the verb reads the state directory */

static int cmd_help(int argc, char **argv);

static int cmd_version(int argc, char **argv)
{
	if (argc > 1)
		return diag_error(LST_EUSAGE, "version takes no arguments");
	printf("lst version %s\n", LST_VERSION);
	return 0;
}

/* lst init --join URL: a full node's home for the network of the node at URL. */
static int init_join(const char *url, const char *listen, bool other, bool json, const struct opt *opts,
		     const char *const *usage)
{
	json_t *summary;
	if (other)
		opt_usage_die(opts, usage, "--join takes no --dev, and no key options (run 'lst init' again for a key)");
	if (chain_init_join(&summary, url, listen) < 0)
		return -1;
	if (json || !isatty(1))
		return jsonio_print(summary) < 0 ? diag_error(LST_EFAIL, "cannot write standard output") : 0;
	json_t *peers = json_object_get(summary, "peers"), *p;
	size_t i;
	printf("Joined chain %lld (genesis %s) in %s\npeers:", (long long)json_integer_value(json_object_get(summary, "chain_id")),
	       jsonio_get_str(summary, "genesis_hash"), home_dir());
	json_array_foreach(peers, i, p)
		printf(" %s", json_string_value(p));
	printf("\nstart a full node with: lst node start\n"
	       "or use the network without a node of your own: lst config rpc %s\n",
	       json_string_value(json_array_get(peers, 0)));
	json_decref(summary);
	return 0;
}

static int cmd_init(int argc, char **argv)
{
	const char *name = NULL, *passfile = NULL, *join = NULL, *listen = NULL;
	bool plaintext = false, json = false, dev = false;
	static const char *const usage[] = {"lst init [--name NAME] [--insecure-plaintext-key] [--json]",
					    "lst init --dev [--json]", "lst init --join URL [--listen HOST:PORT] [--json]", NULL};
	const struct opt opts[] = {
		OPT_BOOL(0, "dev", &dev, "a complete local network (validator, foundation, funded developer key)"),
		OPT_STRING(0, "join", &join, "URL", "join the network of the node at URL as a full node"),
		OPT_STRING(0, "listen", &listen, "HOST:PORT", "with --join: where this node will serve (config listen)"),
		OPT_STRING('n', "name", &name, "NAME", "a name for the first key"),
		OPT_BOOL(0, "insecure-plaintext-key", &plaintext, "store the key unencrypted (tests, CI)"),
		OPT_STRING(0, "passphrase-file", &passfile, "FILE", "read the new key's passphrase from FILE"),
		OPT_BOOL(0, "json", &json, "print JSON (the default when stdout is not a terminal)"),
		OPT_END(),
	};
	if (opt_parse(argc, argv, opts, usage) != 0)
		opt_usage_die(opts, usage, "init takes no operands");
	if (listen && !join)
		opt_usage_die(opts, usage, "--listen goes with --join");
	if (join)
		return init_join(join, listen, dev || name || plaintext || passfile, json, opts, usage);
	if (dev) {
		json_t *summary;
		if (name || plaintext || passfile)
			opt_usage_die(opts, usage, "--dev makes its own (plaintext) keys");
		if (chain_init_dev(&summary, DEV_CHAIN_ID) < 0)
			return -1;
		if (json || !isatty(1))
			return jsonio_print(summary) < 0 ? diag_error(LST_EFAIL, "cannot write standard output") : 0;
		printf("Initialized a dev network in %s (chain %lld)\n", home_dir(),
		       (long long)json_integer_value(json_object_get(summary, "chain_id")));
		printf("developer: %s (the default key)\nvalidator: %s\nfoundation: %s\n",
		       jsonio_get_str(summary, "developer"), jsonio_get_str(summary, "validator"),
		       jsonio_get_str(summary, "foundation"));
		printf("start it with: lst node start\n");
		json_decref(summary);
		return 0;
	}
	if (name && !keyring_name_valid(name))
		return diag_error(LST_EUSAGE, "invalid key name '%s'", name);
	if (passfile)
		pass_set_file(passfile);
	if (home_ensure() < 0)
		return -1;
	key_entry e;
	bool created = false;
	char *def = config_get("key");
	if (def) {
		if (keyring_find(&e, def) < 0) {
			free(def);
			return -1;
		}
	} else {
		passphrase p = {NULL, 0};
		secret_key k;
		if (!plaintext) {
			if (pass_get(&p, "Passphrase for the new key: ", true) < 0)
				return -1;
			if (p.len == 0) {
				pass_free(&p);
				diag_error(LST_EUSAGE, "empty passphrase");
				diag_hint("choose one, or pass --insecure-plaintext-key");
				return -1;
			}
		}
		if (secret_alloc(&k) < 0)
			return -1;
		secp_keygen(k.priv);
		int r = keyring_add(&e, k.priv, name, plaintext ? NULL : &p);
		secret_free(&k);
		pass_free(&p);
		if (r < 0 || config_set("key", e.address_str) < 0)
			return -1;
		created = true;
	}
	free(def);
	if (json || !isatty(1)) {
		if (jsonio_print(jsonio_obj("home", jsonio_str(home_dir()), "address", json_string(e.address_str),
					    "name", e.name[0] ? jsonio_str(e.name) : json_null(),
					    "created", json_boolean(created), NULL)) < 0)
			return diag_error(LST_EFAIL, "cannot write standard output");
	} else {
		printf("%s lst home in %s\n", created ? "Initialized" : "Reinitialized", home_dir());
		printf("key: %s%s%s%s\n", e.address_str, e.name[0] ? " (" : "", e.name, e.name[0] ? ")" : "");
	}
	keyring_entry_free(&e);
	return 0;
}

static int cmd_config(int argc, char **argv)
{
	bool list = false, unset = false, json = false;
	static const char *const usage[] = {"lst config KEY [VALUE]", "lst config --unset KEY",
					    "lst config --list [--json]", NULL};
	const struct opt opts[] = {
		OPT_BOOL('l', "list", &list, "show every setting"),
		OPT_BOOL(0, "unset", &unset, "remove KEY"),
		OPT_BOOL(0, "json", &json, "with --list: one JSON object"),
		OPT_END(),
	};
	int n = opt_parse(argc, argv, opts, usage);
	if (list) {
		if (n || unset)
			opt_usage_die(opts, usage, "--list takes no other arguments");
		json_t *c = config_load();
		if (!c)
			return -1;
		if (json || !isatty(1))
			return jsonio_print(c) < 0 ? diag_error(LST_EFAIL, "cannot write standard output") : 0;
		const char *k;
		json_t *v;
		json_object_foreach(c, k, v)
			printf("%s=%s\n", k, json_is_string(v) ? json_string_value(v) : "(not a string)");
		json_decref(c);
		return 0;
	}
	if (n < 1 || n > 2 || (unset && n != 1))
		opt_usage_die(opts, usage, "config takes KEY [VALUE]");
	if (!config_key_valid(argv[0]))
		return diag_error(LST_EUSAGE, "invalid config key '%s' (use lowercase letters, digits, '_', '.', '-')",
				  argv[0]);
	if (unset)
		return config_set(argv[0], NULL);
	if (n == 2) {
		if (!strcmp(argv[0], "key")) {
			/* The default key must exist: store its address, whatever named it. */
			key_entry e;
			if (keyring_find(&e, argv[1]) < 0)
				return -1;
			int r = config_set("key", e.address_str);
			keyring_entry_free(&e);
			return r;
		}
		return config_set(argv[0], argv[1]);
	}
	char *v;
	if (config_read(&v, argv[0]) < 0)
		return -1;
	if (!v)
		return diag_error(LST_ENOTFOUND, "'%s' is not set", argv[0]);
	puts(v);
	free(v);
	return 0;
}

/* ADDRESS or a local key's name; NULL spec is the default key. */
static int resolve(uint8_t a[20], char out[ADDR_STR], const char *spec)
{
	const char *why;
	if (spec && addr_looks_like(spec)) {
		if (addr_parse(a, spec, &why) < 0)
			return diag_error(LST_EINVALID, "'%s' is not a valid address: %s", spec, why);
	} else {
		key_entry e;
		if (keyring_find(&e, spec) < 0)
			return -1;
		memcpy(a, e.address, 20);
		keyring_entry_free(&e);
	}
	addr_to_str(out, a);
	return 0;
}

static int cmd_balance(int argc, char **argv)
{
	bool json = false;
	const char *rpc = NULL;
	static const char *const usage[] = {"lst balance [--json] [--rpc URL] [ADDRESS|KEY]", NULL};
	const struct opt opts[] = {
		OPT_BOOL(0, "json", &json, "print JSON (the default when stdout is not a terminal)"),
		OPT_STRING(0, "rpc", &rpc, "URL", "the node (default: config rpc)"),
		OPT_END(),
	};
	int n = opt_parse(argc, argv, opts, usage);
	if (n > 1)
		opt_usage_die(opts, usage, "balance takes at most one address");
	if (rpc)
		rpcc_set_url(rpc);
	uint8_t a[20];
	char s[ADDR_STR], human[128], dec[U256_DEC_MAX];
	u256 b;
	if (resolve(a, s, n ? argv[0] : NULL) < 0 || wallet_balance(&b, a) < 0)
		return -1;
	u256_to_dec(dec, &b);
	if (json || !isatty(1))
		return jsonio_print(jsonio_obj("address", json_string(s), "balance", json_string(dec), NULL)) < 0
			       ? diag_error(LST_EFAIL, "cannot write standard output") : 0;
	amount_format(human, sizeof(human), &b);
	printf("%s  %s\n", human, s);
	return 0;
}

static int cmd_send(int argc, char **argv)
{
	bool json = false;
	const char *from = NULL, *rpc = NULL, *timeout = NULL, *passfile = NULL;
	static const char *const usage[] = {
		"lst send [--from KEY] [--timeout S] [--passphrase-file F] [--rpc URL] [--json] ADDRESS|KEY AMOUNT",
		"(AMOUNT: 12.5lst, 1000photon, or a bare number of LST)", NULL};
	const struct opt opts[] = {
		OPT_STRING('f', "from", &from, "KEY", "the paying key (default: the home's key)"),
		OPT_STRING(0, "timeout", &timeout, "S", "wait this long for the block (default 60)"),
		OPT_STRING(0, "passphrase-file", &passfile, "FILE", "read the key passphrase from FILE"),
		OPT_STRING(0, "rpc", &rpc, "URL", "the node (default: config rpc)"),
		OPT_BOOL(0, "json", &json, "print the receipt as JSON"),
		OPT_END(),
	};
	if (opt_parse(argc, argv, opts, usage) != 2)
		opt_usage_die(opts, usage, "send takes ADDRESS and AMOUNT");
	if (rpc)
		rpcc_set_url(rpc);
	if (passfile)
		pass_set_file(passfile);
	uint8_t to[20];
	char to_s[ADDR_STR], err[160], human[128];
	u256 amount;
	char *end = NULL;
	double t = timeout ? strtod(timeout, &end) : 60;
	if (timeout && (*end || !(t > 0)))
		return diag_error(LST_EUSAGE, "--timeout takes a positive number of seconds, not '%s'", timeout);
	if (resolve(to, to_s, argv[0]) < 0)
		return -1;
	if (amount_parse(&amount, err, sizeof(err), argv[1]) < 0)
		return diag_error(LST_EINVALID, "%s", err);
	if (u256_is_zero(&amount))
		return diag_error(LST_EINVALID, "the amount must be more than 0");
	key_entry e;
	json_t *rc;
	if (keyring_find(&e, from) < 0)
		return -1;
	int r = wallet_send(&rc, &e, to, &amount, t);
	keyring_entry_free(&e);
	if (r < 0)
		return -1;
	if (json || !isatty(1)) {
		json_t *o = jsonio_obj("hash", json_incref(json_object_get(rc, "transactionHash")),
				       "status", json_integer(!strcmp(jsonio_get_str(rc, "status") ? jsonio_get_str(rc, "status") : "", "0x1")),
				       "block", json_integer(strtoll(jsonio_get_str(rc, "blockNumber") ? jsonio_get_str(rc, "blockNumber") : "0", NULL, 16)),
				       "from", json_incref(json_object_get(rc, "from")), "to", json_string(to_s), NULL);
		json_decref(rc);
		return jsonio_print(o) < 0 ? diag_error(LST_EFAIL, "cannot write standard output") : 0;
	}
	amount_format(human, sizeof(human), &amount);
	printf("sent %s to %s\ntx %s in block %lld\n", human, to_s, jsonio_get_str(rc, "transactionHash"),
	       strtoll(jsonio_get_str(rc, "blockNumber"), NULL, 16));
	json_decref(rc);
	return 0;
}

/* lst node start|stop|status: the home's daemon, through lst-chain. */
static int cmd_node(int argc, char **argv)
{
	static const char node_usage[] = "usage: lst node start [--rpc HOST:PORT] | stop | status\n";
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(node_usage, stdout);
		return 0;
	}
	if (argc < 2 || (strcmp(argv[1], "start") && strcmp(argv[1], "stop") && strcmp(argv[1], "status"))) {
		fputs(node_usage, stderr);
		diag_set_status(LST_EUSAGE);
		return -1;
	}
	char **cargv = xcalloc((size_t)argc + 3, sizeof(char *));
	int k = 0;
	cargv[k++] = "lst-chain";
	cargv[k++] = !strcmp(argv[1], "start") ? "daemon" : argv[1];
	if (!strcmp(argv[1], "start"))
		cargv[k++] = "--detach";
	for (int i = 2; i < argc; i++)
		cargv[k++] = argv[i];
	cargv[k] = NULL;
	int st = run_wait("lst-chain", cargv);
	free(cargv);
	if (st != 0) {
		diag_set_status(st < 0 ? LST_EFAIL : st);
		return -1;
	}
	return 0;
}

static const struct builtin {
	const char *name;
	int (*fn)(int, char **);
	int flags;
	const char *help;
} builtins[] = {
	{"help", cmd_help, 0, "show help for lst or a verb"},
	{"init", cmd_init, NEED_HOME, "create the state directory and a first key, or join a network"},
	{"config", cmd_config, NEED_HOME, "get and set settings"},
	{"version", cmd_version, 0, "print the version"},
	{"balance", cmd_balance, NEED_HOME, "an account's LST balance"},
	{"send", cmd_send, NEED_HOME, "send LST and wait for the block"},
	{"node", cmd_node, NEED_HOME, "start, stop or ask the home's node"},
	{"publish", cmd_publish, NEED_HOME, "publish a book (or a new version) from a git tag"},
	{"release", cmd_release, NEED_HOME, "add a new version of a book of yours from a git tag"},
	{"price", cmd_price, NEED_HOME, "change the price of a book of yours"},
	{"versions", cmd_versions, NEED_HOME, "list a book's versions"},
	{"show", cmd_show, NEED_HOME, "a book's details, price, versions and sales"},
	{"sales", cmd_sales, NEED_HOME, "the sales of your books, as they happen"},
	{"read", cmd_read, NEED_HOME, "read a book you bought (any version), fetching it if needed"},
	{"library", cmd_library, NEED_HOME, "the books you bought"},
	{"categories", cmd_categories, NEED_HOME, "the subscription categories: fee, books, members"},
	{"category", cmd_category, NEED_HOME, "create a subscription category (the foundation's)"},
	{"subscribe", cmd_subscribe, NEED_HOME, "subscribe to a category, or extend it, paying up front"},
	{"unsubscribe", cmd_unsubscribe, NEED_HOME, "cancel a subscription: later months refunded"},
	{"enroll", cmd_enroll, NEED_HOME, "enroll a paged book of yours in a subscription category"},
};

static const struct builtin *find_builtin(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(builtins); i++)
		if (!strcmp(builtins[i].name, name))
			return &builtins[i];
	return NULL;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: lst [--home DIR] [--exec-path[=DIR]] [--version] [--help] VERB [ARGS]\n\n"
		   "built-in verbs:\n");
	for (size_t i = 0; i < ARRAY_SIZE(builtins); i++)
		fprintf(f, "   %-12s %s\n", builtins[i].name, builtins[i].help);
	fprintf(f, "\nplumbing (run as 'lst VERB' or 'lst-VERB'):\n"
		   "   sign         keys, transaction and message signatures, sealing (lst-sign)\n"
		   "   chain        genesis, the node and chain queries (lst-chain)\n"
		   "   block        the local content store (lst-block)\n"
		   "   swarm        exchange between peers: gateway, fetch, providers, keys (lst-swarm)\n"
		   "   buy          a reader's purchase: pay, obtain the key, fetch (lst-buy)\n"
		   "   settle       subscription settlement, statements, earnings (lst-settle)\n"
		   "\nAny other VERB runs 'lst-VERB' from the exec path. See 'lst help VERB', lst(1), lst(7).\n");
}

/* lst help [VERB]: the man page on a terminal, else the program's --help. */
static int cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	if (argc > 2)
		return diag_error(LST_EUSAGE, "help takes one verb");
	const char *verb = argv[1];
	char *page = find_builtin(verb) ? xstrdup("lst") : xasprintf("lst-%s", verb);
	if (isatty(1) && strcmp(page, "lst")) {
		char *manpath = run_find("man");
		if (manpath) {
			free(manpath);
			char *margv[] = {"man", page, NULL};
			if (run_wait("man", margv) == 0) {
				free(page);
				return 0;
			}
		}
	}
	if (!strcmp(page, "lst")) {
		free(page);
		if (!strcmp(verb, "help") || !strcmp(verb, "version")) {
			usage(stdout);
			return 0;
		}
		char *bargv[] = {(char *)verb, "--help", NULL};
		return find_builtin(verb)->fn(2, bargv);
	}
	char *path = run_find(page);
	if (!path) {
		diag_error(LST_EUSAGE, "'%s' is not an lst command. See 'lst help'.", verb);
		free(page);
		return -1;
	}
	free(path);
	char *hargv[] = {page, "--help", NULL};
	int st = run_wait(page, hargv);
	free(page);
	if (st != 0)
		diag_set_status(st < 0 ? LST_EFAIL : st);
	return st == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	diag_init("lst");
	int i = 1;
	while (i < argc && argv[i][0] == '-') {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			diag_exit(LST_OK);
		} else if (!strcmp(a, "--version")) {
			cmd_version(1, argv);
			diag_exit(LST_OK);
		} else if (!strcmp(a, "--exec-path")) {
			puts(run_exec_path());
			diag_exit(LST_OK);
		} else if (!strncmp(a, "--exec-path=", 12)) {
			run_set_exec_path(a + 12);
		} else if (!strcmp(a, "--home") && i + 1 < argc) {
			home_set(argv[++i]);
		} else if (!strncmp(a, "--home=", 7)) {
			home_set(a + 7);
		} else {
			fprintf(stderr, "lst: error: unknown option '%s'\n\n", a);
			usage(stderr);
			return LST_EUSAGE;
		}
		i++;
	}
	if (i >= argc) {
		usage(stderr);
		return LST_EUSAGE;
	}
	/* Children (plumbing) see the same home. */
	if (setenv("LST_HOME", home_dir(), 1) < 0)
		diag_die(LST_EFAIL, "cannot set LST_HOME");
	const char *verb = argv[i];
	const struct builtin *b = find_builtin(verb);
	if (b) {
		if (sodium_init() < 0)
			diag_die(LST_EFAIL, "cannot initialise libsodium");
		int r = b->fn(argc - i, argv + i);
		diag_exit(r < 0 ? diag_status() : LST_OK);
	}
	if (!strchr(verb, '/') && verb[0]) {
		char *name = xasprintf("lst-%s", verb);
		if (run_exec(name, argv + i) < 0 && errno != ENOENT && errno != 0)
			diag_exit(LST_EFAIL);
		free(name);
	}
	fprintf(stderr, "lst: '%s' is not an lst command. See 'lst help'.\n", verb);
	return LST_EUSAGE;
}
