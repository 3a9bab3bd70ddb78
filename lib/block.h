/*
 * block.h: block headers, votes and commits, shaped for Tendermint.
 *
 * A header is RLP [chain_id, height, time, parent_hash, last_commit_hash,
 * tx_root, app_hash, validators_hash, proposer]; its hash is keccak256 of
 * that encoding. last_commit_hash is keccak256 of the parent's commit as
 * carried in this block (zero for block 1, whose parent is genesis).
 * app_hash commits to the state after the parent block (Tendermint's
 * convention: a block carries the result of the one before it).
 * A vote is a validator's signature over RLP [type, chain_id, height,
 * round, block_hash]; a commit is the precommits (more than 2/3 of the
 * power) for one block, carried by the next block (so every node ends
 * with the same signatures) and stored with the block it commits.
 * A proposal is the round's proposer's signature over RLP [3, chain_id,
 * height, round, pol_round + 1, block_hash] (pol_round -1: none).
 */
#ifndef LST_BLOCK_H
#define LST_BLOCK_H

#include "lst.h"
#include "buf.h"

typedef struct {
	uint64_t chain_id, height, time;
	uint8_t parent[32], last_commit_hash[32], tx_root[32], app_hash[32], validators_hash[32];
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
/* RLP [type, chain_id, height, round, block_hash, sig]. */
void vote_encode(buf *b, const vote *v);
/* Parses and recovers v->validator from the signature: -1 if either fails. */
int vote_decode(vote *v, const uint8_t *p, size_t len) LST_WUR;

enum { SIGN_PROPOSAL = 3 };

typedef struct {
	uint64_t chain_id, height;
	uint32_t round;
	int32_t pol_round;          /* -1: a new block; else the round it was prevoted in */
	uint8_t block_hash[32];
	uint8_t proposer[20];
	uint8_t sig[65];
} proposal;

void proposal_digest(uint8_t out[32], const proposal *p);
int proposal_sign(proposal *p, const uint8_t priv[32], const uint8_t address[20]) LST_WUR;
/* RLP [chain_id, height, round, pol_round + 1, block_hash, sig]. */
void proposal_encode(buf *b, const proposal *p);
/* Parses and recovers p->proposer: -1 if either fails. */
int proposal_decode(proposal *p, const uint8_t *in, size_t len) LST_WUR;

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
/* keccak256 of commit_encode(c); zero when c is NULL (block 1). */
void commit_hash(uint8_t out[32], const commit *c);

#endif
