/*
 * opt.h: command-line options, git parse-options style.
 *
 * A command describes its options in a table; opt_parse() handles short
 * and long forms ("-n NAME", "--name NAME", "--name=NAME"), "--" and
 * "-h/--help", permutes operands to the front and returns their count.
 * Help text is generated from the table, so -h never drifts from the code.
 * An unknown option prints the usage to stderr and exits 2.
 */
#ifndef LST_OPT_H
#define LST_OPT_H

#include "lst.h"

enum opt_type { OPT_END_, OPT_BOOL_, OPT_STRING_, OPT_GROUP_ };

struct opt {
	enum opt_type type;
	int short_name;
	const char *long_name;
	void *value;       /* bool * or const char ** */
	const char *argh;  /* argument name in help, for strings */
	const char *help;
};

#define OPT_BOOL(s, l, v, h) {OPT_BOOL_, (s), (l), (v), NULL, (h)}
#define OPT_STRING(s, l, v, a, h) {OPT_STRING_, (s), (l), (v), (a), (h)}
#define OPT_GROUP(h) {OPT_GROUP_, 0, NULL, NULL, NULL, (h)}
#define OPT_END() {OPT_END_, 0, NULL, NULL, NULL, NULL}

/*
 * Parse argv[0..argc) (argv[0] is the command name and is skipped).
 * Returns the number of operands, which are moved to argv[0..n).
 * usage: NULL-terminated lines, the first "usage: ...".
 */
int opt_parse(int argc, char **argv, const struct opt *opts, const char *const *usage);
void opt_usage(FILE *f, const struct opt *opts, const char *const *usage);
LST_NORETURN void opt_usage_die(const struct opt *opts, const char *const *usage,
				const char *fmt, ...) LST_PRINTF(3, 4);

/*
 * Take every "--NAME VALUE" / "--NAME=VALUE" out of argv[1..argc) (before
 * "--") for an option given more than once (opt_parse keeps one value):
 * *out (malloc'd, NULL-terminated, pointing into argv) gets the *n values,
 * the rest of argv is closed up. The new argc, or -1 (reported, exit 2)
 * when the last --NAME has no value.
 */
int opt_take_repeated(int argc, char **argv, const char *name, const char ***out, size_t *n);

#endif
