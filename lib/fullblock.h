/*
 * fullblock.h: a whole block as it travels between nodes: the header, the
 * raw transactions in order, and the parent's commit.
 *
 * Wire form: RLP [header, [raw tx, ...], last_commit] where last_commit is
 * the commit encoding, or an empty string for block 1. Decoding checks
 * everything that does not depend on the chain's state: every transaction
 * decodes with a valid signature and the chain's id, the tx root and the
 * last commit hash match the header. (lib/node.c checks the rest against
 * the parent: height, parent hash, time, app hash, validators, commit
 * signatures.) A block is also the consensus state machine's value
 * (consensus.h cs_value), reference-counted.
 *
 * Tendermint splits a proposed block into parts gossiped one by one; here
 * a proposal carries its whole block, one part, because a block is at most
 * 10,000 transactions (about 1 MiB) and every validator is a direct peer:
 * one HTTP body is simpler and no slower on such links.
 */
#ifndef LST_FULLBLOCK_H
#define LST_FULLBLOCK_H

#include "lst.h"
#include "block.h"
#include "consensus.h"
#include "mempool.h"

struct cs_value {
	int refs;
	block_header h;
	uint8_t hash[32];
	bool has_last_commit;
	commit last_commit;
	pooled_tx **txs;
	size_t ntx;
	buf wire;
};
typedef struct cs_value fullblock;

/*
 * Takes over txs[0..n) (and the txs array). h's tx_root and
 * last_commit_hash are filled in here; last may be NULL (block 1).
 */
fullblock *fullblock_new(const block_header *h, const commit *last, pooled_tx **txs, size_t n);
/*
 * Decode wire bytes. Transactions the mempool already verified skip
 * signature recovery. 0, or -1 with the reason in err.
 */
int fullblock_decode(fullblock **out, char *err, size_t errlen, const uint8_t *wire, size_t len, mempool *mp,
		     uint64_t chain_id, size_t max_txs) LST_WUR;
/* Wire bytes from stored parts (sync serving). */
void fullblock_encode_parts(buf *out, const block_header *h, const buf *raws, size_t n, const uint8_t *last_commit,
			    size_t last_commit_len);
fullblock *fullblock_ref(fullblock *b);
void fullblock_unref(fullblock *b);

#endif
