/*
 * block.h: block headers, votes and commits, shaped for Tendermint.
 *
 * A header is RLP [chain_id, height, time, parent_hash, tx_root, app_hash,
 * validators_hash, proposer]; its hash is keccak256 of that encoding.
 * app_hash commits to the state after the parent block (Tendermint's
 * convention: a block carries the result of the one before it).
 * A vote is a validator's signature over RLP [type, chain_id, height,
 * round, block_hash]; a commit is the precommits (more than 2/3 of the
 * power) for one block, stored with the next block. With one validator
 * the commit is its one precommit; the consensus issue adds the rounds.
 */
#ifndef LST_BLOCK_H
#define LST_BLOCK_H

#include "lst.h"
#include "buf.h"

typedef struct {
	uint64_t chain_id, height, time;
	uint8_t parent[32], tx_root[32], app_hash[32], validators_hash[32];
	uint8_t proposer[20];
} block_header;

void block_header_encode(buf *b, const block_header *h);
void block_header_hash(uint8_t out[32], const block_header *h);
int block_header_decode(block_header *h, const uint8_t *p, size_t len) LST_WUR;

/* Binary keccak Merkle root of 32-byte leaves (an odd node moves up); empty: keccak of "". */
void merkle_root(uint8_t out[32], const uint8_t (*leaves)[32], size_t n);

enum { VOTE_PREVOTE = 1, VOTE_PRECOMMIT = 2 };

typedef struct {
	uint8_t type;
	uint64_t chain_id, height;
	uint32_t round;
	uint8_t block_hash[32];
	uint8_t validator[20];
	uint8_t sig[65];
} vote;

void vote_digest(uint8_t out[32], const vote *v);
int vote_sign(vote *v, const uint8_t priv[32], const uint8_t address[20]) LST_WUR;
/* The signature recovers v->validator. */
int vote_verify(const vote *v) LST_WUR;

typedef struct {
	uint64_t height;
	uint32_t round;
	uint8_t block_hash[32];
	vote *votes;
	size_t nvotes;
} commit;

void commit_encode(buf *b, const commit *c);
int commit_decode(commit *c, const uint8_t *p, size_t len) LST_WUR;
void commit_free(commit *c);

#endif
