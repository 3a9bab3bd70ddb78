/*
 * exec.h: executing a block's transactions against the state.
 *
 * Runs inside the caller's SQL transaction. A transfer moves LST between
 * accounts; a call to a native contract address runs that contract (its
 * writes and transfers undone if it reverts, the nonce still used). A
 * transaction whose nonce or balance no longer fits is left out of the
 * block, not failed, as Ethereum does. Account changes are cached for the
 * block and written once; the app hash chains the previous one with every
 * account and storage change, in a fixed order, so every node computing
 * the same block gets the same hash.
 */
#ifndef LST_EXEC_H
#define LST_EXEC_H

#include "lst.h"
#include "mempool.h"
#include "state.h"

typedef struct {
	uint64_t height, time;
	u256 supply;
	uint64_t chain_id;
	const uint8_t *foundation;  /* 20 bytes: genesis foundation (the admin until governance) */
	uint64_t service_fee_bps;   /* genesis: the foundation's share of a sale, basis points */
	const u256 *listing_fee;    /* genesis: what publishing a book costs (Photons) */
	uint64_t subscription_period; /* genesis: seconds per period, 0 calendar months */
} exec_block_info;

typedef struct {
	bool included;
	int status;          /* 1 ok, 0 reverted */
	uint64_t gas_used;
} exec_tx_result;

/*
 * Execute txs[0..n) for the block described by info. results[i] says what
 * became of each; app_hash gets the state hash after the block, chained
 * from prev_app_hash. Transactions, receipts and logs are written with
 * their index among the included ones. 0 or -1 (database error).
 */
int exec_block(state *st, exec_tx_result *results, uint8_t app_hash[32], const exec_block_info *info,
	       pooled_tx *const *txs, size_t n, const uint8_t prev_app_hash[32]) LST_WUR;

/* A read-only call (eth_call) against the current state: result in ret. */
int exec_call(state *st, bool *ok, buf *ret, const exec_block_info *info, const uint8_t from[20],
	      const uint8_t to[20], const u256 *value, const uint8_t *data, size_t len) LST_WUR;

#endif
