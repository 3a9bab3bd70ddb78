/*
 * jsonio.h: JSON in and out for the programs, on top of jansson.
 *
 * Parse errors name the source, line and column and set exit status 6.
 * Output is compact, one object per line, keys in insertion order (the
 * order a command documents); numbers that can exceed 2^53 are decimal
 * strings, bytes are 0x-hex.
 */
#ifndef LST_JSONIO_H
#define LST_JSONIO_H

#include "lst.h"
#include <jansson.h>

/* Parse text; on error reports "invalid JSON in SRC at line L, column C: ...". */
json_t *jsonio_parse(const char *text, size_t len, const char *src);
/* Read all of stdin and parse it; an empty input is an error too. */
json_t *jsonio_read_stdin(const char *what);
/* Print one compact line on stdout and free j. 0 or -1 (write error). */
int jsonio_print(json_t *j);
/* Pretty form (for TTYs and files ethers reads); frees j. */
int jsonio_print_pretty(json_t *j);

/* New object from key/value pairs: jsonio_obj("a", json_string("x"), NULL). */
json_t *jsonio_obj(const char *key, ...);
/* Shorthands that steal nothing and never return NULL. */
json_t *jsonio_str(const char *s);
json_t *jsonio_hex(const uint8_t *p, size_t len);

/* Field as a string, or NULL if absent/not a string. */
const char *jsonio_get_str(json_t *obj, const char *key);

#endif
