/*
 * bstore.h: the local block store, HOME/blocks (DESIGN.md section 4).
 *
 * Owns: blocks by CID on disk, pins. One file per block at
 * blocks/XY/KEY where KEY is 'b' + base32 of the binary CID and XY the two
 * characters before its last (go-ipfs flatfs "next-to-last/2"), so the
 * directories fill evenly. A block is written to a temporary file in the
 * same directory, fsync'd when asked, then renamed: a reader or a crash
 * sees the whole block or none. Pins are empty files blocks/pins/KEY.
 *
 * The store does not hash what it is given: callers check blocks that
 * come from outside (cid_check) before bstore_put. It is safe to use from
 * many threads and processes at once (rename is atomic, nothing is cached).
 */
#ifndef LST_BSTORE_H
#define LST_BSTORE_H

#include "lst.h"
#include "buf.h"
#include "cid.h"

#define BLOCK_MAX (2u << 20) /* 2 MiB: larger blocks are refused (import, fetch) */

typedef struct bstore bstore;

/* Open (creating) the store at dir, e.g. home_path("blocks"). NULL on error (reported). */
bstore *bstore_open(const char *dir);
void bstore_close(bstore *s);
/* fsync each block before its rename (default off; the daemon turns it on). */
void bstore_set_sync(bstore *s, bool on);

/* 0 (also when it was there already), -1 on error (reported). */
int bstore_put(bstore *s, const cid *c, const uint8_t *data, size_t len) LST_WUR;
/* 0 and the block in out (reset first), 1 absent, -1 error (reported). */
int bstore_get(bstore *s, buf *out, const cid *c) LST_WUR;
/* 1 present, 0 absent. */
int bstore_has(bstore *s, const cid *c);
/* 0 and *size, 1 absent, -1 error. */
int bstore_size(bstore *s, uint64_t *size, const cid *c) LST_WUR;
/* 0 removed, 1 absent, -1 error. */
int bstore_rm(bstore *s, const cid *c) LST_WUR;
/*
 * Call fn for every block (in no particular order) until it returns
 * non-zero, which is then returned; 0 after the last, -1 on error.
 */
int bstore_each(bstore *s, int (*fn)(void *arg, const cid *c, uint64_t size), void *arg);

/* Pins: the roots gc keeps, with everything they link to. 0 or -1. */
int bstore_pin(bstore *s, const cid *root) LST_WUR;
/* 0 unpinned, 1 was not pinned, -1 error. */
int bstore_unpin(bstore *s, const cid *root) LST_WUR;
bool bstore_pinned(bstore *s, const cid *root);
int bstore_each_pin(bstore *s, int (*fn)(void *arg, const cid *root), void *arg);

/* The store's directory. */
const char *bstore_dir(const bstore *s);

#endif
