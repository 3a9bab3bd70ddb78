/*
 * unixfs.h: UnixFS v1 files and directories in the block store, in the
 * 2025 profile (IPIP-499 "unixfs-v1-2025"): CIDv1, sha2-256, 1 MiB chunks,
 * raw leaves, balanced DAG of width 1024; the same bytes give the same
 * root CID as ipfs-unixfs-importer with those settings.
 *
 * Owns: the streaming importer (constant memory: one chunk plus one
 * pending link list per DAG level), directories, and the streaming reader
 * (any byte range of a file, each block checked against its CID as it is
 * read, so a corrupted store is an error, never wrong bytes).
 */
#ifndef LST_UNIXFS_H
#define LST_UNIXFS_H

#include "lst.h"
#include "bstore.h"
#include "cid.h"

#define UFS_CHUNK (1u << 20)
#define UFS_WIDTH 1024

/* ---- importing -------------------------------------------------------- */

typedef struct ufs_writer ufs_writer;

/* A new file being written to s. Never NULL. */
ufs_writer *ufs_writer_new(bstore *s);
/* The same with another chunk size (1..BLOCK_MAX) and width (>= 2): for tests. */
ufs_writer *ufs_writer_new_params(bstore *s, size_t chunk, unsigned width);
/* Append bytes (any sizes; chunked at UFS_CHUNK). 0 or -1 (reported). */
int ufs_write(ufs_writer *w, const void *data, size_t len) LST_WUR;
/*
 * Finish: *root, *size (file bytes) and, when not NULL, *blocks and
 * *bytes (blocks written and their total size, leaves and nodes). Frees
 * w either way. 0 or -1 (reported).
 */
int ufs_writer_finish(ufs_writer *w, cid *root, uint64_t *size, uint64_t *blocks, uint64_t *bytes) LST_WUR;
void ufs_writer_abort(ufs_writer *w);

/* The whole of fd, read until EOF, as one file. progress may be NULL. */
typedef void (*ufs_progress_fn)(void *arg, uint64_t done);
int ufs_add_fd(bstore *s, cid *root, uint64_t *size, uint64_t *blocks, uint64_t *bytes,
	       int fd, ufs_progress_fn progress, void *arg) LST_WUR;

typedef struct {
	const char *name;
	cid c;
	uint64_t tsize; /* the cumulative size of the linked DAG (blocks' bytes) */
} ufs_entry;

/*
 * A basic (not sharded) UnixFS directory of entries, sorted by name as
 * the importer does; names must be non-empty, without '/', unique.
 * *tsize: the encoded node plus its entries' tsizes. 0 or -1 (reported).
 */
int ufs_dir_put(bstore *s, cid *root, uint64_t *tsize, const ufs_entry *entries, size_t n) LST_WUR;

/* ---- reading ---------------------------------------------------------- */

typedef struct {
	enum { UFS_ST_FILE, UFS_ST_DIR, UFS_ST_RAW_BLOCK, UFS_ST_OTHER } kind;
	uint64_t size;    /* file bytes (raw leaf: its length); directory: 0 */
	uint64_t nlinks;  /* links of the root node */
} ufs_stat;

/* 0, 1 not in the store, -1 error (reported). */
int ufs_stat_of(bstore *s, ufs_stat *st, const cid *c) LST_WUR;

/*
 * Stream bytes [off, off+len) of file c (len UINT64_MAX: to the end) to
 * sink, which returns 0 to go on or -1 to stop (then -1 is returned).
 * Blocks missing from the store: 1 with nothing more written (*missing
 * set if not NULL). A block whose bytes do not hash to its CID: -1,
 * reported as corrupt. 0 when done.
 */
typedef int (*ufs_sink_fn)(void *arg, const uint8_t *data, size_t len);
int ufs_read(bstore *s, const cid *c, uint64_t off, uint64_t len, ufs_sink_fn sink, void *arg,
	     cid *missing) LST_WUR;

/* Directory entries of c, in order: fn(arg, name, namelen, cid, tsize) until non-zero. */
typedef int (*ufs_ls_fn)(void *arg, const char *name, size_t namelen, const cid *c, uint64_t tsize);
/* 0, 1 missing, -1 not a directory or corrupt (reported). */
int ufs_ls(bstore *s, const cid *dir, ufs_ls_fn fn, void *arg) LST_WUR;

/* Walk path ("a/b/c", may be empty) from root through directories. 0, 1 not found, -1 error. */
int ufs_resolve(bstore *s, cid *out, const cid *root, const char *path) LST_WUR;

/*
 * Every block of the DAG under root, depth-first in link order (the order
 * of a CAR export and of a file's bytes), each read from the store and
 * checked: fn(arg, cid, data, len) until non-zero. Missing: 1 (*missing
 * set). Corrupt: -1 (reported).
 */
typedef int (*dag_walk_fn)(void *arg, const cid *c, const uint8_t *data, size_t len);
int dag_walk(bstore *s, const cid *root, dag_walk_fn fn, void *arg, cid *missing) LST_WUR;

#endif
