/*
 * node.h: the chain daemon's shared state (one per process).
 *
 * The producer thread is the only writer: it takes ready transactions from
 * the mempool, executes them into a block, signs its precommit and commits
 * everything in one SQL transaction, at least once per block interval.
 * RPC threads read through their own read-only connections and feed the
 * mempool. SIGTERM finishes the block in hand, then the daemon exits.
 */
#ifndef LST_NODE_H
#define LST_NODE_H

#include "lst.h"
#include "genesis.h"
#include "keyring.h"
#include "mempool.h"
#include "state.h"

#include <pthread.h>
#include <signal.h>

typedef struct node {
	genesis g;
	char *home;
	char *db_path;
	mempool *mp;
	state *writer;              /* producer thread only */
	secret_key validator;       /* the validator's private key */
	uint8_t validator_addr[20];
	uint8_t validators_hash[32];
	char rpc_listen[64];        /* host:port asked for */
	char rpc_url[96];           /* http://host:port actually bound */
	unsigned block_ms;          /* block interval */
	size_t max_block_txs;
	volatile sig_atomic_t stop;
	pthread_mutex_t head_lock;
	pthread_cond_t head_cond;   /* signalled after every block */
	block_info head;
	uint8_t app_hash[32];       /* state after head */
	uint64_t started;           /* unix time */
	void *http;                 /* struct MHD_Daemon * */
} node;

/* Open the home's genesis, keys and database; create the genesis state if new. */
int node_open(node *n, const char *home, const char *rpc_listen) LST_WUR;
void node_close(node *n);
/* Produce blocks until n->stop; returns 0 on a clean stop. */
int node_run(node *n) LST_WUR;
/* The latest committed block (thread-safe). */
void node_head(node *n, block_info *out);

/* The RPC server (rpc.c). */
int rpc_start(node *n) LST_WUR;
void rpc_stop(node *n);

#endif
