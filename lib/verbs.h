/*
 * verbs.h: the main() of a plumbing program: global options, then a verb
 * from a table (as git.c does for git's builtins).
 *
 * "prog [GLOBAL-OPTIONS] VERB [ARGS]": -h/--help and --version are
 * handled here; each global option ("--home DIR" or "--home=DIR") stores
 * its value; an unknown option, a missing or unknown verb exit 2. The
 * verb's return (0 or -1) becomes the exit status (diag_status on -1).
 */
#ifndef LST_VERBS_H
#define LST_VERBS_H

#include "lst.h"

struct verb {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

struct global_opt {
	const char *name;   /* without dashes: "home" */
	const char *argh;   /* "DIR" */
	const char **value;
};

LST_NORETURN void verbs_main(const char *prog, const struct verb *verbs, size_t nverbs,
			     const struct global_opt *globals, size_t nglobals, int argc, char **argv);

#endif
