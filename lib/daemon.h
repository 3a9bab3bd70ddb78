/*
 * daemon.h: running lst-chain's daemon for a home.
 *
 * HOME/daemon.pid holds the pid under an exclusive flock for the life of
 * the process, so a second daemon on the same home is refused and a daemon
 * killed with -9 leaves no stale lock. --detach forks, logs to
 * HOME/daemon.log, and returns once the RPC answers (or with the reason it
 * did not start). SIGTERM and SIGINT finish the block in hand, then exit 0.
 */
#ifndef LST_DAEMON_H
#define LST_DAEMON_H

#include "lst.h"
#include <sys/types.h>

/*
 * Runs in the foreground, or detached; returns the exit status.
 * rpc_listen NULL: config "listen", else 127.0.0.1:8545. peers: extra
 * peers (comma-separated HOST:PORT or URLs) beside config "peers"; may be NULL.
 */
int daemon_main(const char *rpc_listen, const char *peers, bool detach);
/* 0 and *pid if a daemon holds the home's lock, 1 if none runs. */
int daemon_running(pid_t *pid);
/* SIGTERM and wait up to timeout_ms; 0 stopped, 1 none ran, -1 timed out (reported). */
int daemon_stop(unsigned timeout_ms) LST_WUR;

#endif
