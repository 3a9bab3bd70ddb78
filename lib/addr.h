/*
 * addr.h: Ethereum addresses as text, with EIP-55 checksums.
 *
 * Output is always checksummed. Input may be all lowercase or all
 * uppercase (no checksum) or mixed case, in which case the checksum must
 * be right: a typo in a checksummed address is refused, never guessed.
 */
#ifndef LST_ADDR_H
#define LST_ADDR_H

#include "lst.h"

#define ADDR_STR 43 /* "0x" + 40 + NUL */

void addr_to_str(char out[ADDR_STR], const uint8_t a[20]);
/* 0, or -1 with *why set to "not 20 bytes of hex" or "bad checksum". */
int addr_parse(uint8_t a[20], const char *s, const char **why) LST_WUR;
/* Looks like an address (0x + 40 hex digits), checksum not checked. */
bool addr_looks_like(const char *s);

#endif
