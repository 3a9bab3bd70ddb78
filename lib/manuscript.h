/*
 * manuscript.h: a book's manuscript read from git at a ref (DESIGN.md
 * section 6, issue 6: `lst publish` reads the repository, never a checkout).
 *
 * Owns: opening a repository with libgit2 and resolving a ref (tag,
 * annotated or lightweight, branch, full or abbreviated commit id; NULL is
 * HEAD) to its commit and tree; listing the tree's files in path order;
 * handing a file's committed bytes out as a sealed memory fd for
 * content_input (lib/content.h); and the tree digest the content key is
 * derived from. The working tree and the index are never read or written:
 * an uncommitted change is invisible here.
 *
 * Files. Every blob under the tree, recursively, paths relative with '/'
 * in bytewise order (as content.h sorts its manifest); symlinks and
 * submodules (gitlinks) are skipped without error: a book is the bytes the
 * author committed, not links to elsewhere.
 *
 * Tree digest. SHA-256 over "lst-git-tree-v1\0" || the 20-byte git tree
 * id, passed as tree_digest to content_key_derive. The git tree id already
 * names exactly the paths, modes and bytes of every file (recursively), so
 * it identifies the manuscript as well as content_tree_digest over the
 * files would, and it costs nothing: no blob is read to derive the key.
 * The same tag, or any commit with the same tree, gives the same key and
 * so (encryption being deterministic) the same root, making a second
 * publish of it a no-op; any changed byte or path gives another key. It is
 * a different value from content_tree_digest, so the two must not be mixed
 * for one book (publish always uses this one).
 */
#ifndef LST_MANUSCRIPT_H
#define LST_MANUSCRIPT_H

#include "lst.h"

typedef struct {
	char *path;      /* relative, '/'-separated */
	uint64_t size;   /* bytes */
	uint8_t oid[20]; /* the git blob id */
} ms_file;

typedef struct manuscript manuscript;

/*
 * Open the repository at repo_dir (its work tree or .git directory, or a
 * bare one; no search upwards) and resolve ref (NULL: HEAD) to a commit.
 * 0 or -1 (reported): LST_ENOTFOUND for a missing repository or ref,
 * LST_EINVALID for an ambiguous ref or one that is not a commit or a tag
 * of one.
 */
int manuscript_open(manuscript **out, const char *repo_dir, const char *ref) LST_WUR;
void manuscript_close(manuscript *m);

/* Hex of the tree and commit ids (40 digits and a NUL). */
void manuscript_tree_id(const manuscript *m, char out[41]);
void manuscript_commit_id(const manuscript *m, char out[41]);

/*
 * The files (above) in *out[0..*n), new (ms_files_free). npaths > 0
 * limits them to those under the given prefixes (a file's path or a
 * directory, trailing '/' allowed); a prefix naming no file is
 * LST_ENOTFOUND, an absolute one or one with "." or ".." LST_EINVALID.
 * *n may be 0 (an empty tree). 0 or -1 (reported).
 */
int manuscript_files(manuscript *m, ms_file **out, size_t *n, const char *const *paths, size_t npaths) LST_WUR;
void ms_files_free(ms_file *f, size_t n);

/*
 * *fd: a new memory fd (close-on-exec, sealed against writes, resizing and
 * further seals, offset 0) holding f's blob, which is read whole into
 * memory once. For content_input {f->path, fd, f->size}. 0 or -1 (reported).
 */
int manuscript_open_blob(manuscript *m, int *fd, const ms_file *f) LST_WUR;

/* The tree digest (above). */
void manuscript_tree_digest(const manuscript *m, uint8_t out[32]);

#endif
