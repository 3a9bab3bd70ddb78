/*
 * lst: the porcelain. A table of built-in verbs; any other VERB runs
 * lst-VERB from the exec path (--exec-path, LST_EXEC_PATH, the libexec
 * dir, then PATH), as git does, so users extend lst with their own
 * programs. See lst(1) and lst(7).
 */
#include "lst.h"
#include "diag.h"
#include "home.h"
#include "jsonio.h"
#include "keyring.h"
#include "opt.h"
#include "pass.h"
#include "run.h"
#include "secp.h"

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

static int cmd_init(int argc, char **argv)
{
	const char *name = NULL, *passfile = NULL;
	bool plaintext = false, json = false;
	static const char *const usage[] = {"lst init [--name NAME] [--insecure-plaintext-key] [--json]", NULL};
	const struct opt opts[] = {
		OPT_STRING('n', "name", &name, "NAME", "a name for the first key"),
		OPT_BOOL(0, "insecure-plaintext-key", &plaintext, "store the key unencrypted (tests, CI)"),
		OPT_STRING(0, "passphrase-file", &passfile, "FILE", "read the new key's passphrase from FILE"),
		OPT_BOOL(0, "json", &json, "print JSON (the default when stdout is not a terminal)"),
		OPT_END(),
	};
	if (opt_parse(argc, argv, opts, usage) != 0)
		opt_usage_die(opts, usage, "init takes no operands");
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

static const struct builtin {
	const char *name;
	int (*fn)(int, char **);
	int flags;
	const char *help;
} builtins[] = {
	{"help", cmd_help, 0, "show help for lst or a verb"},
	{"init", cmd_init, NEED_HOME, "create the state directory and a first key"},
	{"config", cmd_config, NEED_HOME, "get and set settings"},
	{"version", cmd_version, 0, "print the version"},
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
		fprintf(f, "   %-10s %s\n", builtins[i].name, builtins[i].help);
	fprintf(f, "\nplumbing (run as 'lst VERB' or 'lst-VERB'):\n"
		   "   sign       keys, transaction and message signatures, sealing (lst-sign)\n"
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
