/*
 * lst.h: what every lst source file includes first.
 *
 * System headers, the exit statuses of DESIGN.md section 3, a few
 * attributes, and banned.h last so banned functions fail to compile.
 */
#ifndef LST_H
#define LST_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Exit statuses, shared by every program (documented in lst(7)). */
enum lst_exit {
	LST_OK = 0,          /* success */
	LST_EFAIL = 1,       /* failed */
	LST_EUSAGE = 2,      /* bad command line */
	LST_ENOTFOUND = 3,   /* no such key, tx, block, book ... */
	LST_EREFUSED = 4,    /* not permitted, not paid, bad signature or passphrase */
	LST_EUNAVAIL = 5,    /* node or peers unreachable */
	LST_EINVALID = 6,    /* invalid input (JSON, hex, encodings, ranges) */
};

#define LST_WUR __attribute__((warn_unused_result))
#define LST_NORETURN __attribute__((noreturn))
#define LST_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#include "banned.h"

#endif
