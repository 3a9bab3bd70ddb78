/* unit.c: see unit.h. */
#include "lst.h"
#include "unit.h"
#include "diag.h"

static int n_tests, n_failed;

int ok_at(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	n_tests++;
	printf("%sok %d - ", cond ? "" : "not ", n_tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond) {
		n_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return cond;
}

void diagf(const char *fmt, ...)
{
	va_list ap;
	printf("#   ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

int unit_done(void)
{
	printf("1..%d\n", n_tests);
	if (n_tests == 0) {
		printf("# no tests ran\n");
		return 1;
	}
	return n_failed ? 1 : 0;
}

void group_fail(group *g, const char *case_name, const char *fmt, ...)
{
	va_list ap;
	g->failed++;
	if (g->failed > 5)
		return;
	printf("#   %s: %s: ", g->name, case_name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

int group_end(group *g)
{
	if (g->cases == 0)
		return ok(0, "%s: no cases found", g->name);
	return ok(g->failed == 0, "%s: %d cases, %d failed", g->name, g->cases, g->failed);
}

char *vector_path(const char *rel)
{
	const char *dir = getenv("LST_VECTORS");
	if (!dir || !*dir)
		dir = "../shared/vectors";
	return xasprintf("%s/%s", dir, rel);
}

json_t *vector_json(const char *rel)
{
	char *path;
	size_t n = strlen(rel);
	if (n > 3 && !strcmp(rel + n - 3, ".gz")) {
		const char *base = strrchr(rel, '/');
		base = base ? base + 1 : rel;
		path = xasprintf("build/vectors/%.*s", (int)strlen(base) - 3, base);
	} else {
		path = vector_path(rel);
	}
	json_error_t err;
	json_t *j = json_load_file(path, JSON_ALLOW_NUL, &err);
	if (!j)
		diagf("cannot load %s: %s (line %d)", path, err.text, err.line);
	free(path);
	return j;
}
