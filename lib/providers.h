/*
 * providers.h: who has a root. Signed provider records, the registry a
 * node keeps of them, and their gossip between nodes.
 *
 * A record says: address A, reachable at gateway URL U, has root R,
 * entirely (complete) or these of its leaves (have: a bitmap over the
 * DAG's leaf blocks in depth-first order, bit i = leaf i, LSB first in
 * each byte), until expires. A provider sends a partial record only once
 * it holds every non-leaf block of the DAG, so a fetcher learns the DAG
 * from any provider. Records are signed by A (EIP-191 over the canonical
 * JSON text below without "signature"), so a node cannot forge another's.
 *
 * JSON (the wire form, also `lst-swarm providers` output):
 *	{"address":"0x..","url":"http://..","root":"bafy..","complete":true,
 *	 "leaves":N,"have":"<base64 bitmap, absent when complete>",
 *	 "expires":UNIX,"signature":"0x<130 hex>"}
 *
 * The registry keeps the newest record per (root, address), drops
 * expired ones, and holds at most PROV_MAX_PER_ROOT per root.
 */
#ifndef LST_PROVIDERS_H
#define LST_PROVIDERS_H

#include "lst.h"
#include "cid.h"
#include <jansson.h>

#define PROV_MAX_PER_ROOT 1024
#define PROV_MAX_LIFETIME (24 * 3600)

typedef struct {
	uint8_t addr[20];
	char url[256];
	cid root;
	bool complete;
	uint64_t leaves;   /* number of leaf blocks in the DAG (0 unknown when complete) */
	uint8_t *have;     /* (leaves + 7) / 8 bytes, malloc'd; NULL when complete */
	uint64_t expires;
	uint8_t sig[65];
} prov_record;

void prov_record_free(prov_record *r);
/* Sign r (fills sig) with priv; r->addr must be priv's address. 0 or -1. */
int prov_record_sign(prov_record *r, const uint8_t priv[32]) LST_WUR;
/* 0 if the signature is r->addr's and now < expires <= now + PROV_MAX_LIFETIME. */
int prov_record_verify(const prov_record *r, uint64_t now, const char **reason) LST_WUR;
json_t *prov_record_json(const prov_record *r);
/* 0 or -1 with a static reason (not reported). */
int prov_record_from_json(prov_record *r, const json_t *j, const char **reason) LST_WUR;
/* Is leaf i held? */
bool prov_has_leaf(const prov_record *r, uint64_t i);

typedef struct prov_registry prov_registry;

prov_registry *prov_registry_new(void);
void prov_registry_free(prov_registry *g);
/*
 * Verify and add (or replace the older record of the same address and
 * root). 1 added or newer, 0 already known (not newer: do not gossip
 * again), -1 refused (*reason).
 */
int prov_registry_add(prov_registry *g, const prov_record *r, uint64_t now, const char **reason);
/* A JSON array of the live records for root (new reference). */
json_t *prov_registry_list(prov_registry *g, const cid *root, uint64_t now);

/* This node's own gateway URL, sent as X-Lst-Peer with gossip so the peer does not send it back (NULL: none). */
void prov_registry_set_self(prov_registry *g, const char *url);

/*
 * Gossip: send a record that was new here to peers (gateway base URLs),
 * in the background, POST URL/lst/v1/providers. Never blocks the caller.
 */
void prov_gossip(prov_registry *g, const char *const *peers, size_t npeers, const prov_record *r);

/*
 * Pull: ask peers[0..npeers) for their records of root (GET
 * URL/lst/v1/providers/ROOT with X-Lst-Peer, which a peer answers from its
 * own registry without pulling in turn) and add every valid one here; not
 * gossiped again. Gossip flows along the peers a node was configured with,
 * so a full node that joined a validator never hears the records the
 * validators pass among themselves: it pulls them when a reader asks it.
 * Blocking (each peer at most PROV_PULL_TIMEOUT_MS); returns the number
 * of records added or renewed.
 */
#define PROV_PULL_TIMEOUT_MS 1000
size_t prov_pull(prov_registry *g, const char *const *peers, size_t npeers, const cid *root, uint64_t now);

/*
 * A client's list: the gateway URLs (http:// or https://) of the records
 * node's registry holds for root (GET NODE/lst/v1/providers/ROOT, an
 * answer of at most max bytes within timeout_ms), each record checked,
 * complete providers first (they surely hold the whole book and its key).
 * NULL-terminated and malloc'd (prov_urls_free); an unreachable node or a
 * bad answer gives an empty list.
 */
char **prov_registry_urls(const char *node, const cid *root, size_t max, long timeout_ms);
void prov_urls_free(char **urls);

#endif
