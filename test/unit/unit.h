/*
 * unit.h: a tiny TAP producer for the C unit tests of lib/.
 *
 * ok(cond, "what") prints "ok N - what" or "not ok N - what"; a vector loop
 * counts its failures with group_* and reports one TAP line for the whole
 * group, naming the first cases that failed. unit_done() prints the plan and
 * returns the exit status. Vectors are read from ../shared/vectors (or
 * LST_VECTORS); gzipped ones are unpacked by the Makefile into build/vectors.
 */
#ifndef LST_UNIT_H
#define LST_UNIT_H

#include "lst.h"
#include <jansson.h>

int ok_at(int cond, const char *file, int line, const char *fmt, ...) LST_PRINTF(4, 5);
#define ok(cond, ...) ok_at(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
void diagf(const char *fmt, ...) LST_PRINTF(1, 2);
int unit_done(void);

/* A group of vector cases reported as one test. */
typedef struct {
	const char *name;
	int cases, failed;
} group;
void group_fail(group *g, const char *case_name, const char *fmt, ...) LST_PRINTF(3, 4);
int group_end(group *g);

/* Path of a vector file: $LST_VECTORS/rel (default ../shared/vectors). */
char *vector_path(const char *rel);
/* Loads a JSON vector file (unpacked .gz go to build/vectors/NAME). */
json_t *vector_json(const char *rel);

#endif
