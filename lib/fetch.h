/*
 * fetch.h: the swarm download engine behind `lst-swarm fetch ROOT`
 * (DESIGN.md section 7).
 *
 * Owns: downloading the whole DAG under a root into the local block store
 * from many HTTP peers at once (libcurl multi), each an IPFS trustless
 * gateway (GET URL/ipfs/{cid}?format=raw, Accept application/vnd.ipld.raw,
 * X-Lst-Access when a key is given); provider discovery from a node's
 * registry (GET NODE/lst/v1/providers/{root}) and our own announcements
 * to it (POST NODE/lst/v1/providers), and the have-set of a local DAG.
 *
 * Order: blocks already in the store are never fetched again (so an
 * interrupted fetch resumes); the root and the internal blocks first,
 * level by level, from any provider; then the leaves, rarest first with a
 * random tie-break, each from the least-loaded provider that has it,
 * other readers (partial providers) before seeds (complete ones), within
 * a per-peer and a total in-flight limit. Every block is checked against
 * its CID before it is stored. A peer that sends a bad block (or one over
 * BLOCK_MAX) is dropped at once and its blocks asked elsewhere; one that
 * fails three times (connection, 5xx, stall of about 5 s) is dropped; 404
 * means "this peer lacks this block"; 403 "this peer denies us".
 *
 * Super-seeding (gateway.h). With a node (o->node), a leaf asked of a
 * seed carries X-Lst-Swarm: 1; id=<random per fetch>, so a seed that
 * served that leaf to another reader moments ago answers 503 busy
 * (X-Lst-Busy ms, Retry-After s, or the JSON error "busy"): not a failure
 * of the peer; that seed is not asked for that leaf until the time it
 * gave, and the leaf comes from another provider meanwhile (most often
 * the reader it was just sent to, once its record shows it) or waits.
 * After two busy answers for a leaf, the next request to that seed goes
 * without the header, which a gateway always serves: nobody starves.
 * Leaves asked of other readers, internal blocks, and fetches from
 * --peer URLs alone (no node) never carry the header.
 *
 * Leaves: a block is a leaf if its codec is raw or it has no links. The
 * leaves of a DAG in depth-first link order (a block linked twice counts
 * twice) are the positions of a provider record's have-bitmap
 * (providers.h).
 */
#ifndef LST_FETCH_H
#define LST_FETCH_H

#include "lst.h"
#include "bstore.h"
#include "cid.h"
#include <jansson.h>

typedef struct {
	uint64_t bytes_done, bytes_total;   /* in the store; total 0 until known (internal blocks in) */
	uint64_t blocks_done, blocks_total; /* total grows until the internal blocks are in */
	double rate;                        /* bytes/s fetched over the last ~5 s */
	unsigned peers_active;              /* peers with requests in flight */
	const char *event;                  /* "progress", "peer-dropped" or "done" */
	const char *peer_url;               /* peer-dropped: which peer; else NULL */
	const char *reason;                 /* peer-dropped: why; else NULL */
} fetch_progress;

typedef struct {
	/* --peer URLs: treated as complete providers until they answer 404 for a block */
	const char *const *peers;
	size_t npeers;
	/* the node whose provider registry to ask (every 200 ms) and announce to; NULL: none */
	const char *node;
	/* 32-byte home key for access proofs and signing announcements; NULL: no proof, no announce */
	const uint8_t *priv;
	/* our own gateway URL to announce (partial have-sets while fetching, complete when done); NULL: none */
	const char *self_url;
	/* the height our node has reached (a buyer: its purchase's block), sent as X-Lst-Height; 0: not sent */
	uint64_t min_height;
	unsigned max_inflight; /* requests in flight in all, 0: 16 */
	unsigned per_peer;     /* in flight per peer, 0: 4 */
	/* called at most ~5 times a second, plus once per event; may be NULL */
	void (*progress)(void *arg, const fetch_progress *p);
	void *arg;
} fetch_opts;

typedef struct {
	uint64_t blocks, bytes;                 /* the whole DAG (distinct blocks) */
	uint64_t blocks_fetched, bytes_fetched; /* of those, fetched by this call */
	json_t *from;                           /* {"peer url": bytes served to us}, peers that served any */
} fetch_result;

void fetch_result_free(fetch_result *r);

/*
 * Download every block under root into s. 0: all blocks present (those
 * fetched verified against their CIDs). -1 (reported) with status
 * LST_EREFUSED when providers denied us (the reason they gave quoted),
 * LST_ENOTFOUND when no reachable provider has some block (or none is
 * known), LST_EUNAVAIL when no provider (or the node) could be reached,
 * LST_EINVALID when a verified block does not decode, others for the
 * store. *out is filled either way (fetch_result_free it).
 */
int swarm_fetch(bstore *s, fetch_result *out, const cid *root, const fetch_opts *o) LST_WUR;

/*
 * The leaves of the DAG under root held in s as a have-bitmap over their
 * depth-first positions (bit i = leaf i, LSB first; *have malloc'd,
 * (*leaves + 7) / 8 bytes) and whether all are there (*complete). Leaves
 * are not read, internal blocks are. 0; 1 when an internal block (or one
 * not yet known to be a leaf) is missing, so no have-set can be given
 * (*missing set if not NULL); -1 error (reported).
 */
int fetch_have(bstore *s, uint8_t **have, uint64_t *leaves, bool *complete, const cid *root,
	       cid *missing) LST_WUR;

/*
 * Announce to node (POST node/lst/v1/providers) a record signed with
 * priv: we serve root at self_url, completely or the leaves in s
 * (fetch_have), until now + lifetime seconds. 0, 1 nothing to announce
 * (an internal block is missing), -1 (reported: LST_EUNAVAIL unreachable,
 * LST_EREFUSED the node refused the record, with its reason).
 */
int swarm_announce(bstore *s, const char *node, const uint8_t priv[32], const char *self_url, const cid *root,
		   uint64_t lifetime) LST_WUR;

#endif
