/*
 * state.h: the chain's store, one SQLite database (WAL) in HOME/chain.
 *
 * Accounts (balance as 16-byte big-endian, nonce), contract storage,
 * blocks (header, commit), transactions with their receipts, and logs
 * indexed by address and topics. Only the daemon writes (one connection,
 * one SQL transaction per block, so a block and everything in it are
 * committed together or not at all); readers open their own connections.
 * A handle is for one thread at a time.
 */
#ifndef LST_STATE_H
#define LST_STATE_H

#include "lst.h"
#include "block.h"
#include "buf.h"
#include "u256.h"

typedef struct state state;

int state_open(state **out, const char *path, bool write) LST_WUR;
void state_close(state *s);
int state_begin(state *s) LST_WUR;
int state_commit(state *s) LST_WUR;
void state_rollback(state *s);
/* Nested: a contract call's writes, undone if it reverts. */
int state_savepoint(state *s) LST_WUR;
int state_release(state *s) LST_WUR;
void state_rollback_to(state *s);

typedef struct {
	u256 balance;
	uint64_t nonce;
} account;

/* An absent account reads as zero. */
int state_get_account(state *s, account *out, const uint8_t a[20]) LST_WUR;
int state_put_account(state *s, const uint8_t a[20], const account *acc) LST_WUR;
/* 0 found, 1 absent, -1 error. */
int state_storage_get(state *s, buf *out, const uint8_t contract[20], const uint8_t *key, size_t klen) LST_WUR;
int state_storage_put(state *s, const uint8_t contract[20], const uint8_t *key, size_t klen,
		      const uint8_t *val, size_t vlen) LST_WUR;
/* Meta values (genesis hash, supply, ...): 0 found, 1 absent, -1 error. */
int state_meta_get(state *s, buf *out, const char *key) LST_WUR;
int state_meta_put(state *s, const char *key, const uint8_t *val, size_t len) LST_WUR;
/* Count of accounts (for status and benchmarks). */
int state_account_count(state *s, uint64_t *out) LST_WUR;

typedef struct {
	block_header h;
	uint8_t hash[32];
	uint64_t ntx, gas_used;
} block_info;

/* 0 found, 1 no blocks yet / no such block, -1 error. */
int state_head(state *s, block_info *out) LST_WUR;
int state_block(state *s, block_info *out, uint64_t height) LST_WUR;
int state_block_by_hash(state *s, block_info *out, const uint8_t hash[32]) LST_WUR;
/* The commit stored for height (signatures of its validators). */
int state_block_commit(state *s, buf *out, uint64_t height) LST_WUR;
/*
 * skipped: RLP list of [position, raw] for the block's transactions that
 * were proposed but not executed (nonce or balance no longer fit), so the
 * block's full body can be served to peers that sync it.
 */
int state_put_block(state *s, const block_info *b, const uint8_t *commit_bytes, size_t commit_len,
		    const uint8_t *skipped, size_t skipped_len) LST_WUR;
/* Replace a block's commit (by the canonical one the next block carries). */
int state_set_commit(state *s, uint64_t height, const uint8_t *commit_bytes, size_t commit_len) LST_WUR;
/* 0 (out may be empty: none skipped), 1 no such block, -1 error. */
int state_block_skipped(state *s, buf *out, uint64_t height) LST_WUR;
/* The validator set in force at height: the latest stored at or below it (its height in *from). */
int state_valset_get(state *s, uint64_t *from, buf *out, uint64_t height) LST_WUR;
int state_valset_put(state *s, uint64_t height, const uint8_t *data, size_t len) LST_WUR;

typedef struct {
	uint8_t hash[32];
	uint64_t height;
	uint32_t idx;
	uint8_t from[20];
	bool has_to;
	uint8_t to[20];
	uint64_t nonce;
	int status;        /* 1 success, 0 reverted */
	uint64_t gas_used;
	buf raw;           /* the signed bytes */
	buf ret;           /* return or revert data */
} tx_row;

void tx_row_free(tx_row *t);
int state_put_tx(state *s, const tx_row *t) LST_WUR;
/* 0 found, 1 absent, -1 error. */
int state_get_tx(state *s, tx_row *out, const uint8_t hash[32]) LST_WUR;
/* Every tx of a block in order; *rows malloc'd. */
int state_block_txs(state *s, tx_row **rows, size_t *n, uint64_t height) LST_WUR;

typedef struct {
	uint64_t height;
	uint32_t tx_idx, log_idx;
	uint8_t tx_hash[32];
	uint8_t block_hash[32];
	uint8_t address[20];
	uint8_t topics[4][32];
	int ntopics;
	buf data;
} log_row;

void log_rows_free(log_row *rows, size_t n);
int state_put_log(state *s, const log_row *l) LST_WUR;

typedef struct {
	uint64_t from, to;                 /* inclusive heights */
	const uint8_t (*addresses)[20];    /* any of them; none: any address */
	size_t naddresses;
	const uint8_t (*topics[4])[32];    /* position i: any of ntopics[i]; 0: wildcard */
	size_t ntopics[4];
	size_t limit;                      /* refuse (-1 with status 6) past this many */
} log_filter;

int state_logs(state *s, log_row **rows, size_t *n, const log_filter *f) LST_WUR;
int state_tx_logs(state *s, log_row **rows, size_t *n, uint64_t height, uint32_t tx_idx) LST_WUR;

#endif
