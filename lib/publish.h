/*
 * publish.h: the author's side of the market (issue 6): publishing a
 * version of a book from git, and the lookups the author's porcelain
 * (lst publish, release, price, versions, show, sales) shares.
 *
 * Owns: a version from the manuscript to the chain, in steps the
 * porcelain runs in order (prepare, add, cosig, commit, announce) so it
 * can refuse early and ask between them. The files of a git tree at a ref
 * (lib/manuscript.h; the working tree is never touched) are added to the
 * home's block store as an encrypted object (lib/content.h) under the
 * content key derived from the author's key, the book id (its 0x-hex
 * form) and the git tree digest, so the same tree by the same author as
 * the same book always gives the same root. Then the chain: a new book is
 * published with the foundation's co-signature and the listing fee; an
 * existing book of ours gets the version (addVersion) unless the root is
 * one of its versions already, which changes nothing. Once on chain the
 * version is pinned, gated and its key kept, so the home's gateway serves
 * and seals it to buyers; last the root is announced to the node as
 * provided by this home's gateway, so readers find the author's node.
 *
 * Pages. A book for subscriptions is published with pages (lst publish
 * --pages): its files are cut into segments of SUB_PAGE_BYTES, each one
 * page (DESIGN.md section 6, pages.h). A later version keeps the cut of
 * the book's latest one (its manifest tells, read with the content key
 * this home kept), so lst release of a paged book stays paged; --pages
 * pages a book that was not.
 *
 * Also: BOOK operands (a 0x book id, or a title of the home's key) and
 * block times.
 *
 * Defaults: the title is --title, else the "title" of the details, else
 * the name of the repository's directory; the label is --label, else the
 * ref as given, else the short (7-digit) commit id. Details are a JSON
 * object stored compact with sorted keys and "title" set; without a file,
 * {"title":TITLE}. The tree id on chain (bytes32) is the 20-byte git tree
 * id left-aligned and zero-padded.
 */
#ifndef LST_PUBLISH_H
#define LST_PUBLISH_H

#include "lst.h"
#include "book.h"
#include "cid.h"
#include "keyring.h"
#include "manuscript.h"
#include "u256.h"
#include <jansson.h>

#define PUBLISH_SEGMENT (1u << 20)    /* direct sales: 1 MiB segments */
#define PUBLISH_ANNOUNCE_TTL 3600     /* seconds, as lst-swarm announce */
#define PUBLISH_TIMEOUT 60.0          /* seconds to wait for a receipt */

typedef struct {
	const char *repo;          /* NULL: "." */
	const char *ref;           /* NULL: HEAD */
	const char *const *paths;  /* restrict to these paths/prefixes; npaths 0: all */
	size_t npaths;
	const char *title;         /* NULL: the rule above */
	const char *details_file;  /* NULL: {"title":TITLE} */
	const char *label;         /* NULL: the rule above */
	const char *book;          /* release: a 0x id or a title of ours; NULL: the title rule */
	bool has_price;
	u256 price;                /* a new book's price (Photons) */
	bool release;              /* the book must exist (lst release) */
	bool pages;                /* cut into pages (above); else as the latest version */
} publish_opts;

typedef enum {
	PUBLISH_NEW,       /* the book is not on chain: publish */
	PUBLISH_RELEASE,   /* ours, without this root: addVersion */
	PUBLISH_UNCHANGED, /* the root is a version already: nothing to send */
} publish_action;

typedef struct {
	publish_action action;
	key_entry author;
	secret_key priv;    /* the author's, unlocked by publish_add */
	manuscript *m;
	ms_file *f;         /* the files to publish */
	size_t nfiles;
	uint64_t bytes;     /* the manuscript's bytes (plaintext) */
	uint8_t book[32];
	char *title, *details, *label; /* malloc'd; details: the compact JSON */
	uint8_t tree[32];
	u256 price;         /* new: the price asked; else the book's on chain */
	bool paged;         /* segments of SUB_PAGE_BYTES (above), else PUBLISH_SEGMENT */
	uint64_t pages;     /* paged: the pages of all files */
	/* PUBLISH_NEW: from the chain's fees() */
	u256 listing_fee;
	uint8_t foundation[20];
	/* set by publish_add */
	cid root;
	uint8_t *key;       /* the content key, sodium_malloc'd */
	uint64_t version;   /* the version's index (new: 0; release: known after commit) */
	book_terms terms;   /* PUBLISH_NEW: finished, terms.hash set */
	/* set by publish_commit when something was sent */
	bool has_tx;
	char tx[67];
} publish_plan;

/*
 * Read the manuscript's file list at the ref and ask the chain about the
 * book: p->action is PUBLISH_NEW (fees read) or PUBLISH_RELEASE (the
 * book is ours; publish_add may find the version is there already).
 * Writes nothing. A new book without o->has_price is LST_EUSAGE; release
 * of a book that does not exist LST_ENOTFOUND "no such book"; another
 * author's book (a 0x id) LST_EREFUSED "not the author". 0 or -1
 * (reported); publish_plan_free either way.
 */
int publish_prepare(publish_plan *p, const publish_opts *o) LST_WUR;

/*
 * Unlock the author's key, derive the content key and add the files to
 * the home's store (not pinned yet): p->root. Existing book: the action
 * becomes PUBLISH_UNCHANGED (p->version its index) when the root is one
 * of its versions. New book: the terms are built and finished. show:
 * a progress line on stderr (a TTY only). 0 or -1 (reported).
 */
int publish_add(publish_plan *p, bool show) LST_WUR;

/* Does this home's keyring hold the foundation's key? 0 yes, 1 no, -1 (reported). */
int publish_foundation_here(const publish_plan *p) LST_WUR;

/*
 * The foundation's co-signature of p->terms: sig_hex when not NULL (65
 * bytes of hex, else LST_EINVALID), else made with a key of this home's
 * keyring whose address is the foundation's. 0 got one, 1 none available
 * (not reported), -1 (reported). It is checked (book_cosig_verify): one
 * that is not the foundation's over these terms is -1, LST_EREFUSED.
 */
int publish_cosig(uint8_t sig[65], const publish_plan *p, const char *sig_hex) LST_WUR;

/*
 * Send what p->action needs and wait for the receipt: publish (sig: the
 * co-signature; value the listing fee, refused with LST_EREFUSED before
 * sending when the balance is below it) or addVersion (sig unused, may be
 * NULL); nothing for PUBLISH_UNCHANGED. Sets p->tx, p->version. Then,
 * the version being on chain, keeps it: pinned, gated, its content key
 * saved (so a refusal leaves neither pin nor key, only blocks for gc).
 * 0 or -1 (reported; a revert is LST_EREFUSED with the market's reason).
 */
int publish_commit(publish_plan *p, const uint8_t *sig) LST_WUR;

/*
 * Announce p->root to the node (rpcc_url) as served by this home's
 * gateway (swarm_self_gateway) for PUBLISH_ANNOUNCE_TTL. Warns (never fails) when the home
 * serves no gateway or the announcement fails; returns true if announced.
 */
bool publish_announce(const publish_plan *p);

/*
 * {"status","book","title","version","label","root","tree","price","tx","files","bytes","pages"},
 * pages null when not paged.
 */
json_t *publish_json(const publish_plan *p);
void publish_plan_free(publish_plan *p);

/* ---- the author's lookups ---- */

/*
 * BOOK: a 0x book id ("0x" and 64 hex digits), else a title of author's
 * (book_id(author, spec)). 0 or -1 (reported: an empty one).
 */
int publish_book_resolve(uint8_t out[32], const char *spec, const uint8_t author[20]) LST_WUR;

/*
 * book_get that reports a missing book: LST_ENOTFOUND "no such book
 * 'spec'". 0 or -1.
 */
int publish_book_get(book_info *out, const uint8_t book[32], const char *spec) LST_WUR;

/*
 * Was root published with pages (every file's segment_size in its manifest
 * is SUB_PAGE_BYTES)? Reads the manifest with the content key kept in this
 * home. 0 and *paged; 1 this home cannot tell (no key kept for root, or a
 * manifest block missing; not reported); -1 (reported).
 */
int publish_root_paged(bool *paged, const cid *root) LST_WUR;

/* The timestamp (unix seconds) of block height (eth_getBlockByNumber). 0 or -1 (reported). */
int publish_block_time(uint64_t *out, uint64_t height) LST_WUR;

#endif
