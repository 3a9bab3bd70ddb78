/*
 * diag.h: diagnostics, the one place lst programs talk to stderr.
 *
 * Messages read "PROG: error: what went wrong (what to do)", lowercase,
 * with the subject quoted. The last error's status is kept so library code
 * can report and return -1, and the command exits with the right status.
 * Data goes to stdout only; diag_exit() checks that stdout was written.
 */
#ifndef LST_DIAG_H
#define LST_DIAG_H

#include "lst.h"

void diag_init(const char *prog);
const char *diag_prog(void);

/* Report an error with exit status `code`; returns -1 for `return error(..)`. */
int diag_error(int code, const char *fmt, ...) LST_PRINTF(2, 3);
void diag_warn(const char *fmt, ...) LST_PRINTF(1, 2);
/* Adds "hint: ..." under the last error. */
void diag_hint(const char *fmt, ...) LST_PRINTF(1, 2);
/* Report and exit at once with `code`. */
LST_NORETURN void diag_die(int code, const char *fmt, ...) LST_PRINTF(2, 3);

/* Quiet: record statuses but print nothing (fuzzers, probes). */
void diag_set_quiet(bool quiet);

/* Status of the last diag_error (LST_EFAIL when none was recorded). */
int diag_status(void);
void diag_set_status(int code);

/* Flush stdout, check ferror, exit with `code` (or 1 if stdout failed). */
LST_NORETURN void diag_exit(int code);

/* Abort on allocation failure: these never return NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) LST_PRINTF(1, 2);

#endif
