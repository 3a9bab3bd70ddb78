/*
 * mempool.h: transactions waiting for a block.
 *
 * Per sender, transactions are kept by nonce. Those whose nonce follows
 * the sender's committed nonce without a gap are ready; later ones wait
 * until the gap fills, so transfers sent out of order (791, 793, 792) all
 * commit. A transaction with the nonce of one already waiting replaces it.
 * Limits bound what a sender, and everyone together, can park here: with
 * no fees, they are the spam bound. Admission refuses with the messages
 * Ethereum clients use ("nonce too low", "insufficient funds for
 * transfer", "txpool is full") so ethers and viem classify them.
 * Thread-safe: one lock around everything.
 */
#ifndef LST_MEMPOOL_H
#define LST_MEMPOOL_H

#include "lst.h"
#include "buf.h"
#include "tx.h"
#include "u256.h"

typedef struct {
	tx t;        /* decoded, with sender and hash */
	buf raw;     /* the signed bytes */
	uint64_t seq; /* arrival order */
} pooled_tx;

void pooled_tx_free(pooled_tx *p);

typedef struct mempool mempool;

#define MEMPOOL_MAX_TOTAL 200000
#define MEMPOOL_MAX_PER_SENDER 4096

mempool *mempool_new(size_t max_total, size_t max_per_sender);
void mempool_free(mempool *m);

/*
 * Admit p (taken over on success). committed_nonce and balance are the
 * sender's committed state. 0, or -1 with an Ethereum-style message in err.
 */
int mempool_add(mempool *m, char *err, size_t errlen, pooled_tx *p, uint64_t committed_nonce,
		const u256 *balance) LST_WUR;

/*
 * Take up to max ready transactions, oldest sender first, each sender's in
 * nonce order. They leave the pool; *out (malloc'd) owns them.
 */
size_t mempool_take(mempool *m, pooled_tx ***out, size_t max);
/*
 * Taken transactions stay known by hash (mempool_find, "already known")
 * while their block is being made; release them once it is committed (or
 * failed), before freeing them.
 */
void mempool_release(mempool *m, pooled_tx *const *txs, size_t n);
/* After a block: the sender's committed nonce is now nonce; older entries go. */
void mempool_committed(mempool *m, const uint8_t sender[20], uint64_t nonce);

/*
 * Copies of up to max ready transactions, in the order mempool_take would
 * give them, leaving the pool as it is (a proposal may not be decided;
 * mempool_committed removes what a block did commit). *out owns them.
 */
size_t mempool_peek(mempool *m, pooled_tx ***out, size_t max);
/* The sender of a waiting transaction, already recovered: 0 found, 1 absent. */
int mempool_sender(mempool *m, uint8_t from[20], const uint8_t hash[32]);

size_t mempool_size(mempool *m);
/* The next nonce for sender counting ready pool entries (eth_getTransactionCount "pending"). */
uint64_t mempool_pending_nonce(mempool *m, const uint8_t sender[20], uint64_t committed_nonce);
/* A waiting transaction's raw bytes by hash: 0 found (copied into raw), 1 absent. */
int mempool_find(mempool *m, buf *raw, const uint8_t hash[32]);

#endif
