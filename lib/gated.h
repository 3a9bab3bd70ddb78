/*
 * gated.h: which blocks of a store are under a paid root, for the
 * gateway (gateway.h, "Gating").
 *
 * Owns: the marker files STORE/gated/ROOT (gateway_gate_root) and the
 * index from every block under a marked root to its roots. The index is
 * built by walking each marked root's non-leaf blocks present in the
 * store; raw leaves are indexed from their parents' links without being
 * read, so they are gated before they arrive. It is rebuilt when gated/
 * changes (its mtime, re-read again soon after a change within the
 * filesystem's time granularity) and the roots whose walk was incomplete
 * are walked again when a block the index does not know is asked for.
 * Thread-safe.
 */
#ifndef LST_GATED_H
#define LST_GATED_H

#include "lst.h"
#include "bstore.h"
#include "cid.h"

typedef struct gated_index gated_index;

/* An index over s, whose directory is store_dir. Never NULL. */
gated_index *gated_new(bstore *s, const char *store_dir);
void gated_free(gated_index *x);
/* The marked roots block c is under, at most max of them in out; 0: public. */
size_t gated_roots(gated_index *x, const cid *c, cid *out, size_t max);

/* The store's file name for c: 'b' + base32 of its binary form (bstore.h). */
void gated_store_key(char out[CID_STR_MAX], const cid *c);
bool gated_is_identity(const cid *c);

#endif
