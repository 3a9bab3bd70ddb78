/*
 * run.h: finding and running lst's programs (git's run-command, small).
 *
 * Programs are looked up in the exec path: --exec-path, LST_EXEC_PATH,
 * the compiled-in libexec dir, then PATH. Children get an argv, never a
 * shell string.
 */
#ifndef LST_RUN_H
#define LST_RUN_H

#include "lst.h"

void run_set_exec_path(const char *dir);
/* The first of --exec-path, LST_EXEC_PATH or the libexec dir. */
const char *run_exec_path(void);
/* Full path of program NAME (e.g. "lst-sign"), malloc'd, or NULL. */
char *run_find(const char *name);
/* Replace this process with NAME argv (argv[0] is set to NAME). Returns only on error. */
int run_exec(const char *name, char **argv);
/* Run NAME argv, wait; returns its exit status, or -1 if it could not start. */
int run_wait(const char *name, char *const *argv);

#endif
