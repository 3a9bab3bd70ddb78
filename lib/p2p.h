/*
 * p2p.h: messages between nodes, over HTTP.
 *
 * A node's one HTTP port serves JSON-RPC and the peer endpoints:
 *   POST /p2p/msg        a batch of messages: RLP [[kind, payload], ...]
 *   GET  /p2p/status     {"chain_id", "genesis_hash", "height", "hash"}
 *   GET  /p2p/blocks?from=H&count=N   blocks with their commits (sync)
 * Each peer has two lanes, consensus (proposals, votes) and transactions,
 * each a sender thread with its own queue and persistent libcurl
 * connection, so a vote never waits behind a batch of transactions the
 * peer is still recovering signatures for. Whatever queued while a POST
 * was in flight goes in the next batch (transactions in batches of about
 * 1 MiB), so a busy link batches and an idle one sends at once. When a
 * peer does not answer, the consensus lane drops what was queued
 * (consensus re-sends what matters; blocks come back through sync) and
 * the transaction lane tries a batch three times before dropping it.
 * Senders identify themselves with X-Lst-Peer.
 *
 * Built with -DLST_FAULTS (test/net only), HOME/p2p-drop lists peer URLs
 * to cut off in both directions: the partition tests' drop filter.
 */
#ifndef LST_P2P_H
#define LST_P2P_H

#include "lst.h"
#include "buf.h"
#include <jansson.h>

enum {
	P2P_PROPOSAL = 1, /* RLP [proposal, block] */
	P2P_VOTE = 2,     /* a vote (block.h vote_encode) */
	P2P_TXS = 3,      /* RLP list of raw transactions */
};

typedef struct p2p p2p;

/* self_url: this node's URL (sent as X-Lst-Peer); peers: comma-separated HOST:PORT or URLs. */
p2p *p2p_new(const char *self_url, const char *peers, const char *home);
void p2p_free(p2p *p);
size_t p2p_count(const p2p *p);
const char *p2p_url(const p2p *p, size_t peer);
/* Index of the peer with this URL, or -1. */
int p2p_find(const p2p *p, const char *url);

/* Queue a message for every peer but except (-1: all). */
void p2p_broadcast(p2p *p, int kind, const uint8_t *payload, size_t len, int except);
/* Queue a message for one peer. */
void p2p_send(p2p *p, size_t peer, int kind, const uint8_t *payload, size_t len);

/* GET path from a peer into out (blocking, bounded time): 0, or -1 (not reported). */
int p2p_get(p2p *p, size_t peer, buf *out, const char *path);
/* Record what a peer said its height is. */
void p2p_seen(p2p *p, size_t peer, uint64_t height);
/* {"self", "peers": [{"url", "height", "last_seen"}]} */
json_t *p2p_info(p2p *p);

/* Call fn for each message of a batch body; -1 if the batch is malformed. */
int p2p_parse(const uint8_t *body, size_t len, void (*fn)(void *ctx, int kind, const uint8_t *payload, size_t len),
	      void *ctx) LST_WUR;
/* True if messages from/to url are cut off by the test drop filter (always false in normal builds). */
bool p2p_dropped(p2p *p, const char *url);

#endif
