/*
 * pagefetch.h: the blocks of just the pages a subscriber reads.
 *
 * Owns fetching, block by block, only what the granted pages (pages.h)
 * need: the root directory, the path from each file's root node to the
 * leaves that hold the pages' stored spans, and those leaves, from the
 * gateway that granted them (it holds the book: it answered from its
 * store). Each block comes as ?format=raw with the reader's access proof
 * (a member may have the blocks of the book's category), is checked
 * against its CID and kept in the store. A page of a 1 MiB-chunked file is
 * one leaf (two where it straddles), so reading a page costs a few blocks,
 * not the book.
 */
#ifndef LST_PAGEFETCH_H
#define LST_PAGEFETCH_H

#include "lst.h"
#include "bstore.h"
#include "cid.h"
#include "pages.h"

/* At most this many blocks for one call (a grant of 1000 pages in 1 MiB leaves needs about 3). */
#define PAGEFETCH_MAX_BLOCKS 4096

/*
 * Make the stored spans of g's pages readable from s, fetching missing
 * blocks from gateway (a base URL) as the holder of priv; min_height
 * (0: none) goes as X-Lst-Height. *fetched, when not NULL, gets the
 * number of blocks fetched. 0, or -1 (reported: LST_EUNAVAIL when the
 * gateway cannot be asked or does not give a block, LST_EREFUSED when it
 * refuses (403) or sends a block that is not the one asked for).
 */
int pagefetch(bstore *s, uint64_t *fetched, const uint8_t priv[32], const char *gateway, uint64_t min_height,
	      const cid *root, const pages_grant *g) LST_WUR;

#endif
