/* verbs.c: see verbs.h. */
#include "lst.h"
#include "verbs.h"
#include "diag.h"

static void usage(FILE *f, const char *prog, const struct verb *verbs, size_t nverbs,
		  const struct global_opt *globals, size_t nglobals)
{
	fprintf(f, "usage: %s", prog);
	for (size_t i = 0; i < nglobals; i++)
		fprintf(f, " [--%s %s]", globals[i].name, globals[i].argh);
	fprintf(f, " VERB [ARGS]\n\nverbs:\n");
	for (size_t i = 0; i < nverbs; i++)
		fprintf(f, "   %-16s %s\n", verbs[i].name, verbs[i].help);
	fprintf(f, "\n'%s VERB -h' shows a verb's options; see %s(1).\n", prog, prog);
}

void verbs_main(const char *prog, const struct verb *verbs, size_t nverbs, const struct global_opt *globals,
		size_t nglobals, int argc, char **argv)
{
	int i = 1;
	while (i < argc && argv[i][0] == '-') {
		const char *a = argv[i];
		bool known = false;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout, prog, verbs, nverbs, globals, nglobals);
			diag_exit(LST_OK);
		}
		if (!strcmp(a, "--version")) {
			printf("%s %s\n", prog, LST_VERSION);
			diag_exit(LST_OK);
		}
		for (size_t g = 0; g < nglobals && !known; g++) {
			size_t n = strlen(globals[g].name);
			if (strncmp(a, "--", 2) || strncmp(a + 2, globals[g].name, n))
				continue;
			if (a[2 + n] == '=') {
				*globals[g].value = a + 3 + n;
				known = true;
			} else if (a[2 + n] == 0 && i + 1 < argc) {
				*globals[g].value = argv[++i];
				known = true;
			}
		}
		if (!known) {
			fprintf(stderr, "%s: error: unknown option '%s'\n", prog, a);
			usage(stderr, prog, verbs, nverbs, globals, nglobals);
			diag_exit(LST_EUSAGE);
		}
		i++;
	}
	if (i >= argc) {
		usage(stderr, prog, verbs, nverbs, globals, nglobals);
		diag_exit(LST_EUSAGE);
	}
	for (size_t v = 0; v < nverbs; v++) {
		if (strcmp(argv[i], verbs[v].name))
			continue;
		int r = verbs[v].fn(argc - i, argv + i);
		diag_exit(r < 0 ? diag_status() : LST_OK);
	}
	fprintf(stderr, "%s: error: '%s' is not a %s verb. See '%s --help'.\n", prog, argv[i], prog, prog);
	diag_exit(LST_EUSAGE);
}
