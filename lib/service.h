/*
 * service.h: a long-running process of a home (lst-chain's daemon,
 * lst-swarm's gateway): its pid file, detaching, stopping.
 *
 * HOME/NAME.pid holds the pid under an exclusive flock for the life of
 * the process, so a second one on the same home is refused and one killed
 * with -9 leaves no stale lock. Detached, it forks, logs to HOME/NAME.log,
 * and returns once the service says it is ready (or with the reason it
 * did not start, read back from the log).
 */
#ifndef LST_SERVICE_H
#define LST_SERVICE_H

#include "lst.h"
#include <sys/types.h>

/*
 * The service proper: runs until stopped, returns an exit status. It
 * writes one byte to ready_fd (when >= 0) and closes it once it serves.
 */
typedef int (*service_fn)(void *arg, int ready_fd);

/* Take HOME/NAME.pid's lock (kept open in *fd for the process's life). -1 if held (reported: who). */
int service_lock(int *fd, const char *name, const char *what) LST_WUR;
/* 0 and *pid if a process holds HOME/NAME.pid's lock, 1 if none runs. */
int service_running(const char *name, pid_t *pid);
/* SIGTERM and wait up to timeout_ms; 0 stopped, 1 none ran, -1 timed out (reported). */
int service_stop(const char *name, const char *what, unsigned timeout_ms) LST_WUR;
/*
 * Run fn in the foreground, or detached (returning once it is ready).
 * what names it in messages ("daemon", "gateway"). Returns the exit status.
 */
int service_main(const char *name, const char *what, bool detach, service_fn fn, void *arg);

#endif
