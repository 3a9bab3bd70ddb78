/*
 * hex.h: hexadecimal text to bytes and back.
 *
 * Output is lowercase with a "0x" prefix; input takes an optional "0x" or
 * "0X" prefix and either case. Decoding is strict: odd lengths and non-hex
 * characters are refused, never skipped.
 */
#ifndef LST_HEX_H
#define LST_HEX_H

#include "lst.h"

/* Writes "0x" + 2*len hex digits + NUL into out (size 2*len+3). */
void hex_encode(char *out, const uint8_t *in, size_t len);
/* The same, newly allocated. */
char *hex_encode_alloc(const uint8_t *in, size_t len);

/* Exactly `len` bytes from `hex` (prefix optional). 0 or -1. */
int hex_decode(uint8_t *out, size_t len, const char *hex) LST_WUR;
/* Any even length: *out is malloc'd, *out_len set. 0 or -1. */
int hex_decode_alloc(uint8_t **out, size_t *out_len, const char *hex) LST_WUR;
/* Strips whitespace around hex text read from a stream (in place). */
char *hex_trim(char *s);
bool hex_is_valid(const char *hex);

#endif
