/*
 * progress.h: a progress line on stderr for long work (adding, fetching),
 * only when stderr is a terminal: "adding  512.0 MiB / 1.0 GiB  48%  830 MiB/s".
 * Redrawn at most ten times a second; progress_end clears the line so
 * what follows (and stdout) reads clean. On a non-TTY it prints nothing:
 * scripts use the plumbing's JSON instead.
 */
#ifndef LST_PROGRESS_H
#define LST_PROGRESS_H

#include "lst.h"

typedef struct {
	const char *what;
	uint64_t total;     /* 0: unknown */
	uint64_t start_ms, last_ms;
	bool on;
	bool drawn;
} progress;

/* Begin; force: draw even when stderr is not a TTY (tests). */
void progress_begin(progress *p, const char *what, uint64_t total, bool force);
/* done bytes so far; extra: a short suffix ("3 peers") or NULL. */
void progress_update(progress *p, uint64_t done, const char *extra);
void progress_end(progress *p);
/* Monotonic milliseconds. */
uint64_t progress_now_ms(void);
/* "1.5 MiB" into out. */
void progress_bytes(char *out, size_t cap, double n);

#endif
