/*
 * node.h: the chain daemon's shared state (one per process).
 *
 * The consensus thread (node_run) is the only writer: it drives the
 * Tendermint state machine (consensus.h) with the messages that peers and
 * timeouts give it, builds the blocks this validator proposes from the
 * mempool, and on a decision executes the block and commits it, its
 * transactions and its commit in one SQL transaction. A node with no
 * validator key follows: it only applies blocks. The sync thread (sync.c)
 * polls peers and feeds it blocks with verified commits when this node is
 * behind. HTTP threads (rpc.c) answer JSON-RPC through their own read-only
 * connections, admit transactions to the mempool and gossip them, decode
 * peers' messages (signatures are checked there, in parallel) and queue
 * them for the consensus thread. SIGTERM finishes the block in hand.
 */
#ifndef LST_NODE_H
#define LST_NODE_H

#include "lst.h"
#include "consensus.h"
#include "fullblock.h"
#include "genesis.h"
#include "keyring.h"
#include "mempool.h"
#include "p2p.h"
#include "privval.h"
#include "state.h"
#include "valset.h"

#include <pthread.h>
#include <signal.h>

typedef struct node_event node_event;

typedef struct node {
	genesis g;
	char *home;
	char *db_path;
	mempool *mp;
	state *writer;              /* consensus thread only */
	bool is_validator;
	secret_key validator;       /* the validator's private key */
	uint8_t validator_addr[20];
	privval pv;
	char rpc_listen[64];        /* host:port asked for */
	char rpc_url[96];           /* http://host:port actually bound */
	char *peers;                /* comma-separated, from config and --peer */
	unsigned block_ms;          /* block interval (Tendermint's timeout_commit) */
	size_t max_block_txs;
	cs_timeouts timeouts;
	volatile sig_atomic_t stop;
	pthread_mutex_t head_lock;
	pthread_cond_t head_cond;   /* signalled after every block */
	block_info head;
	uint8_t app_hash[32];       /* state after head */
	valset vs;                  /* validators of head + 1 (consensus thread) */
	valset vs_prev;             /* validators of head: they signed the commit the next block carries */
	uint64_t started;           /* unix time */
	void *http;                 /* struct MHD_Daemon * */
	void *gw;                   /* gateway * (gateway.h): /ipfs/ and /lst/v1/ on the RPC port */
	p2p *net;
	cs *cs;
	bool byzantine;             /* test builds only (LST_FAULTS, LST_BYZANTINE=1) */
	/* the consensus thread's inbox */
	pthread_mutex_t in_lock;
	pthread_cond_t in_cond;
	node_event *in_head, *in_tail;
	size_t in_len;
	/* consensus thread only */
	bool decided;               /* a block was applied since the height started */
	node_event *future[4096];   /* messages for the height after this one, replayed when it starts */
	size_t nfuture;
	uint8_t reported[256][33];  /* double signs already reported: validator, height, round, type */
	size_t nreported;
	/* proposals whose block was decoded (HTTP threads) */
	pthread_mutex_t seen_lock;
	struct {
		uint64_t height;
		uint32_t round;
		uint8_t hash[32], proposer[20];
	} seen[64];
	size_t nseen;
	/* sync */
	pthread_t sync_thread;
	bool sync_running;
	pthread_mutex_t sync_lock;
	pthread_cond_t sync_cond;
	uint64_t sync_hint;         /* a height some peer is at */
} node;

/* Open the home's genesis, keys and database; create the genesis state if new. */
int node_open(node *n, const char *home, const char *rpc_listen, const char *peers) LST_WUR;
/* After rpc_start: peers, the consensus state machine and the sync thread. */
int node_start(node *n) LST_WUR;
void node_close(node *n);
/* Run consensus until n->stop; returns 0 on a clean stop. */
int node_run(node *n) LST_WUR;
/* The latest committed block (thread-safe). */
void node_head(node *n, block_info *out);

/*
 * Admit a transaction (taken over whatever happens) to the mempool after
 * the checks every entry point shares, and gossip it to every peer when
 * it came from a client or a non-peer (from_peer -1); what a peer sent,
 * the other validators had from it too (a full mesh). 0, or -1 with a message in err and
 * *internal set when the failure was the node's, not the transaction's.
 */
int node_admit_tx(node *n, state *st, char *err, size_t errlen, bool *internal, pooled_tx *pt, int from_peer) LST_WUR;

/* Peer endpoints (rpc.c routes /p2p/ here). */
void node_p2p_msg(node *n, state *st, const uint8_t *body, size_t len, const char *from_url);
char *node_p2p_status(node *n);
int node_p2p_blocks(node *n, state *st, buf *out, uint64_t from, uint64_t count) LST_WUR;

/* Sync (sync.c). */
int sync_start(node *n) LST_WUR;
void sync_stop(node *n);
void sync_wake(node *n, uint64_t height);

/* Queue a block fetched by sync (taken over) for the consensus thread and wait: 0 applied, 1 had it already, -1 refused. */
int node_apply_synced(node *n, fullblock *b, const commit *c) LST_WUR;

/* The RPC server (rpc.c). */
int rpc_start(node *n) LST_WUR;
void rpc_stop(node *n);

#endif
