/* opt.c: see opt.h. */
#include "lst.h"
#include "opt.h"
#include "diag.h"

void opt_usage(FILE *f, const struct opt *opts, const char *const *usage)
{
	for (size_t i = 0; usage[i]; i++)
		fprintf(f, "%s%s\n", i ? "   or: " : "usage: ", usage[i]);
	fputc('\n', f);
	for (const struct opt *o = opts; o->type != OPT_END_; o++) {
		char left[64];
		if (o->type == OPT_GROUP_) {
			fprintf(f, "\n%s\n", o->help);
			continue;
		}
		int n = snprintf(left, sizeof(left), "    %s%c%s--%s%s%s",
				 o->short_name ? "-" : "", o->short_name ? o->short_name : ' ',
				 o->short_name ? ", " : "  ", o->long_name,
				 o->argh ? " " : "", o->argh ? o->argh : "");
		if (o->short_name == 0)
			n = snprintf(left, sizeof(left), "    --%s%s%s", o->long_name,
				     o->argh ? " " : "", o->argh ? o->argh : "");
		if (n < 26)
			fprintf(f, "%-26s%s\n", left, o->help);
		else
			fprintf(f, "%s\n%26s%s\n", left, "", o->help);
	}
	fprintf(f, "%-26s%s\n", "    -h, --help", "show this help");
}

void opt_usage_die(const struct opt *opts, const char *const *usage, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: error: %s\n\n", diag_prog(), msg);
	opt_usage(stderr, opts, usage);
	exit(LST_EUSAGE);
}

static const struct opt *find_long(const struct opt *opts, const char *name, size_t len)
{
	for (const struct opt *o = opts; o->type != OPT_END_; o++)
		if (o->long_name && strlen(o->long_name) == len && !strncmp(o->long_name, name, len))
			return o;
	return NULL;
}

static const struct opt *find_short(const struct opt *opts, int c)
{
	for (const struct opt *o = opts; o->type != OPT_END_; o++)
		if (o->type != OPT_GROUP_ && o->short_name == c)
			return o;
	return NULL;
}

int opt_parse(int argc, char **argv, const struct opt *opts, const char *const *usage)
{
	int nops = 0;
	bool only_operands = false;
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		if (only_operands || a[0] != '-' || a[1] == 0) {
			argv[nops++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			only_operands = true;
			continue;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			opt_usage(stdout, opts, usage);
			diag_exit(LST_OK);
		}
		const struct opt *o;
		const char *val = NULL;
		if (a[1] == '-') {
			const char *eq = strchr(a + 2, '=');
			size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
			o = find_long(opts, a + 2, len);
			if (!o)
				opt_usage_die(opts, usage, "unknown option '%.*s'", (int)len + 2, a);
			if (eq) {
				if (o->type != OPT_STRING_)
					opt_usage_die(opts, usage, "option '--%s' takes no value", o->long_name);
				val = eq + 1;
			}
		} else {
			o = find_short(opts, a[1]);
			if (!o)
				opt_usage_die(opts, usage, "unknown switch '%c'", a[1]);
			if (a[2]) {
				if (o->type != OPT_STRING_)
					opt_usage_die(opts, usage, "switch '%c' takes no value", a[1]);
				val = a + 2;
			}
		}
		if (o->type == OPT_BOOL_) {
			*(bool *)o->value = true;
			continue;
		}
		if (!val) {
			if (i + 1 >= argc)
				opt_usage_die(opts, usage, "option '--%s' needs a value", o->long_name);
			val = argv[++i];
		}
		*(const char **)o->value = val;
	}
	argv[nops] = NULL;
	return nops;
}

int opt_take_repeated(int argc, char **argv, const char *name, const char ***out, size_t *n)
{
	size_t len = strlen(name);
	const char **v = xcalloc((size_t)argc + 1, sizeof(*v));
	int w = 1;
	*n = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			while (i < argc)
				argv[w++] = argv[i++];
			break;
		}
		if (!strncmp(a, "--", 2) && !strncmp(a + 2, name, len) && (a[2 + len] == 0 || a[2 + len] == '=')) {
			if (a[2 + len] == '=') {
				v[(*n)++] = a + 3 + len;
			} else if (i + 1 < argc) {
				v[(*n)++] = argv[++i];
			} else {
				free(v);
				*out = NULL;
				return diag_error(LST_EUSAGE, "--%s needs a value", name);
			}
			continue;
		}
		argv[w++] = argv[i];
	}
	argv[w] = NULL;
	*out = v;
	return w;
}
