/*
 * publish.h: the author's side of the market (issue 6): publishing a
 * version of a book from git, and the lookups the author's porcelain
 * (lst publish, release, price, versions, show, sales) shares.
 *
 * Owns: a version from the manuscript to the chain. The files of a git
 * tree at a ref (lib/manuscript.h; the working tree is never touched) are
 * added to the home's block store as an encrypted object (lib/content.h)
 * under the content key derived from the author's key, the book id (its
 * 0x-hex form) and the git tree digest, pinned, gated and with the key
 * kept, so the home's gateway serves and seals it to buyers and the same
 * tree by the same author as the same book always gives the same root.
 * Then the chain: a new book is published with the foundation's
 * co-signature and the listing fee; an existing book of ours gets the
 * version (addVersion) unless the root is one of its versions already,
 * which changes nothing. Last the root is announced to the node as
 * provided by this home's gateway, so readers find the author's node.
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
	bool progress;             /* a progress line on stderr (lib/progress.h, TTY only) */
} publish_opts;

typedef enum {
	PUBLISH_NEW,       /* the book is not on chain: publish */
	PUBLISH_RELEASE,   /* ours, without this root: addVersion */
	PUBLISH_UNCHANGED, /* the root is a version already: nothing to send */
} publish_action;

typedef struct {
	publish_action action;
	bool done;          /* publish_commit sent it (or there was nothing to send) */
	key_entry author;
	secret_key priv;    /* the author's, unlocked */
	uint8_t book[32];
	char *title, *details, *label; /* malloc'd; details: the compact JSON */
	cid root;
	uint8_t tree[32];
	u256 price;         /* new: the price asked; else the book's on chain */
	uint64_t version;   /* the version's index (new: 0; release: known after commit) */
	size_t files;
	uint64_t bytes;     /* the manuscript's bytes (plaintext) */
	/* PUBLISH_NEW only */
	book_terms terms;   /* finished: terms.hash set */
	u256 listing_fee;
	uint8_t foundation[20];
	/* after publish_commit, when something was sent */
	bool has_tx;
	char tx[67];
} publish_plan;

/*
 * Read the manuscript, add it to the home's store (pinned, gated, key
 * kept) and ask the chain what is to be done (p->action). For a new book
 * the terms are built and finished (p->terms), and the fees read; a new
 * book without o->has_price is LST_EUSAGE. Release of a book that does not
 * exist is LST_ENOTFOUND "no such book"; another author's book (a 0x id)
 * LST_EREFUSED "not the author". Nothing is sent. 0 or -1 (reported);
 * publish_plan_free either way.
 */
int publish_prepare(publish_plan *p, const publish_opts *o) LST_WUR;

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
 * NULL); nothing for PUBLISH_UNCHANGED. Sets p->tx, p->version. 0 or -1
 * (reported; a revert is LST_EREFUSED with the market's reason).
 */
int publish_commit(publish_plan *p, const uint8_t *sig) LST_WUR;

/*
 * Announce p->root to the node (rpcc_url) as served by this home's
 * gateway (swarm_self_gateway) for PUBLISH_ANNOUNCE_TTL. Warns (never fails) when the home
 * serves no gateway or the announcement fails; returns true if announced.
 */
bool publish_announce(const publish_plan *p);

/* {"status","book","title","version","label","root","tree","price","tx","files","bytes"}. */
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

/* The timestamp (unix seconds) of block height (eth_getBlockByNumber). 0 or -1 (reported). */
int publish_block_time(uint64_t *out, uint64_t height) LST_WUR;

#endif
