/*
 * home.h: the state directory and its config.json (DESIGN.md section 4).
 *
 * The home is --home, else LST_HOME, else $XDG_DATA_HOME/lst, else
 * ~/.local/share/lst. It is created 0700 with keys/ inside on first use by
 * a command that writes. config.json is a flat JSON object of string
 * values, rewritten whole through a temporary file and rename.
 */
#ifndef LST_HOME_H
#define LST_HOME_H

#include "lst.h"

void home_set(const char *dir);
const char *home_dir(void);
/* HOME/rel, malloc'd. */
char *home_path(const char *rel);
bool home_exists(void);
/* Creates HOME and HOME/keys (0700). 0 or -1 (reported). */
int home_ensure(void) LST_WUR;

/* *value: KEY's value, malloc'd, or NULL if unset. 0, or -1 if config.json is unreadable (reported). */
int config_read(char **value, const char *key) LST_WUR;
/* Like config_read; NULL both when unset and on error (reported). */
char *config_get(const char *key);
/* Set KEY (NULL value unsets). 0 or -1 (reported). */
int config_set(const char *key, const char *value) LST_WUR;
/* Keys must be dotted lowercase words: [a-z0-9_.-]+. */
bool config_key_valid(const char *key);
/* All settings as a JSON object (new reference); NULL if unreadable. */
struct json_t *config_load(void);

/*
 * The home's block store, HOME/blocks (bstore.h), creating the home first
 * when create; without create a missing home is exit 3 with a hint. NULL
 * on failure (reported); bstore_close it.
 */
struct bstore *home_store(bool create);

/* Write data to path via path.tmp + fsync + rename, with mode. */
int write_file_atomic(const char *path, const void *data, size_t len, int mode) LST_WUR;

#endif
