/* diag.c: see diag.h. */
#include "lst.h"
#include "diag.h"

#include <unistd.h>

static const char *prog_name = "lst";
static int last_status = LST_EFAIL;
static bool quiet;

void diag_set_quiet(bool q)
{
	quiet = q;
}

void diag_init(const char *prog)
{
	const char *slash = strrchr(prog, '/');
	prog_name = slash ? slash + 1 : prog;
}

const char *diag_prog(void)
{
	return prog_name;
}

static void vreport(const char *kind, const char *fmt, va_list ap)
{
	char buf[4096];
	if (quiet)
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	fprintf(stderr, "%s: %s: %s\n", prog_name, kind, buf);
}

int diag_error(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport("error", fmt, ap);
	va_end(ap);
	last_status = code;
	return -1;
}

void diag_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport("warning", fmt, ap);
	va_end(ap);
}

void diag_hint(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport("hint", fmt, ap);
	va_end(ap);
}

void diag_die(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport("error", fmt, ap);
	va_end(ap);
	diag_exit(code);
}

int diag_status(void)
{
	return last_status;
}

void diag_set_status(int code)
{
	last_status = code;
}

void diag_exit(int code)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (errno != EPIPE)
			fprintf(stderr, "%s: error: cannot write standard output: %s\n",
				prog_name, strerror(errno ? errno : EIO));
		if (code == 0)
			code = LST_EFAIL;
	}
	exit(code);
}

static LST_NORETURN void oom(size_t n)
{
	fprintf(stderr, "%s: error: out of memory (%zu bytes)\n", prog_name, n);
	exit(LST_EFAIL);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);
	if (!p)
		oom(n * m);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		oom(strlen(s));
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		oom(0);
	va_end(ap);
	return s;
}
