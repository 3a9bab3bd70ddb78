/*
 * pass.h: passphrases for keys, kept in sodium_malloc'd memory.
 *
 * Sources, first match wins: --passphrase-file (pass_set_file), then
 * LST_PASSPHRASE_FILE, then a prompt on the controlling terminal with echo
 * off. A file gives its first line without the newline. With no source a
 * command fails with exit 2 and says how to give one; nothing is read from
 * standard input, which carries data.
 */
#ifndef LST_PASS_H
#define LST_PASS_H

#include "lst.h"

typedef struct {
	char *p; /* sodium_malloc'd, NUL-terminated */
	size_t len;
} passphrase;

void pass_set_file(const char *path);
/* confirm: ask twice on a TTY (new keys). 0 or -1 (reported). */
int pass_get(passphrase *out, const char *prompt, bool confirm) LST_WUR;
/* Read a passphrase from a named file (first line). 0 or -1 (reported). */
int pass_from_file(passphrase *out, const char *path) LST_WUR;
/* Wipe and free. */
void pass_free(passphrase *p);

#endif
