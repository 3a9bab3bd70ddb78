/*
 * blockops.h: the whole-store operations behind lst-block: adding paths
 * as public UnixFS, collecting the files of paths for an encrypted add,
 * verify, gc, and CAR export and import.
 *
 * Owns: how a command line's PATHs become a tree (a single file is its
 * own root; a single directory is a UnixFS directory; several paths are
 * wrapped in one), what gc keeps (pinned roots and all they link to),
 * and import's promise that a CAR which fails half way leaves the store
 * as it was (the blocks it had added are removed again).
 */
#ifndef LST_BLOCKOPS_H
#define LST_BLOCKOPS_H

#include "lst.h"
#include "bstore.h"
#include "cid.h"
#include "unixfs.h"
#include <jansson.h>

/* A cid as a fixed-length hmap key. */
#define CIDKEY_LEN (CID_MAX + 1)
void cid_key(uint8_t out[CIDKEY_LEN], const cid *c);

typedef struct {
	char *path;    /* the name in the tree: "a.txt", "book/ch1.md"; "-" is stdin */
	char *fspath;  /* where to read it */
	uint64_t size;
} bo_file;

/*
 * The regular files under paths, in tree order (sorted by name within
 * each directory), named relative to a single directory argument, else by
 * their base names. Refuses duplicates, special files and unreadable
 * paths (reported; nothing added). 0 or -1.
 */
int bo_collect(bo_file **out, size_t *n, const char *const *paths, size_t npaths) LST_WUR;
void bo_files_free(bo_file *f, size_t n);

/*
 * Add paths as plain UnixFS (the 2025 profile). *files: [{path,size,cid}].
 * progress over the bytes of all files, may be NULL.
 */
int bo_add_public(bstore *s, cid *root, json_t **files, uint64_t *blocks, uint64_t *bytes,
		  const char *const *paths, size_t npaths, ufs_progress_fn progress, void *arg) LST_WUR;

/*
 * Rehash every block (root NULL) or every block under root. fn is told
 * of each corrupt block. *checked set. 0 when all are sound, 1 when some
 * are corrupt, 3-like missing under root: 2 (*missing set), -1 error.
 */
int bo_verify(bstore *s, uint64_t *checked, uint64_t *corrupt, const cid *root,
	      void (*fn)(void *arg, const cid *c), void *arg, cid *missing);

/* Remove every block not reachable from a pin. */
int bo_gc(bstore *s, uint64_t *removed, uint64_t *freed) LST_WUR;

/* Write root's DAG as a CARv1 to fd, each block once, DFS order. Missing: 1 (*missing). */
int bo_export(bstore *s, int fd, const cid *root, cid *missing) LST_WUR;

/*
 * Read a CARv1 from fd into the store, checking every block; pins the
 * roots. On any error the blocks this import added are removed again.
 */
int bo_import(bstore *s, cid **roots, size_t *nroots, uint64_t *blocks, uint64_t *bytes, int fd) LST_WUR;

#endif
