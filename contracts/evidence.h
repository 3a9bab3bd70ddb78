/*
 * evidence.h: evidence of double signing, recorded on chain.
 *
 * Owns the contract at 0x4c53540000000000000000000000000000000003 ("LST"
 * then 3). Anyone may submit(voteA, voteB), two votes as the consensus
 * sends them (vote_encode in lib/block.h): the contract recovers each
 * signer, and records the pair when one validator signed two different
 * block hashes (a nil vote counts as one) for the same chain, height,
 * round and vote type. It does not check that the signer was a validator
 * at that height, nor punish: that is for the chain and governance, which
 * read the records and the counts.
 *
 * Storage:
 *   "dbl:" || validator (20) || height (8 BE) || round (4 BE) || type (1)
 *       -> voteA's block hash (32) || voteB's block hash (32), as submitted
 *          || reporter (20) || height of the block that recorded it (8 BE)
 *   "cnt:" || validator (20) -> records against it, 8 bytes big-endian
 *       (absent: none)
 * The ABI is evidence.abi.json, the Solidity interface IEvidence.sol.
 */
#ifndef LST_EVIDENCE_H
#define LST_EVIDENCE_H

#include "lst.h"
#include "contract.h"

#define EVIDENCE_ADDRESS_BYTES \
	{0x4c, 0x53, 0x54, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x03}

extern const uint8_t EVIDENCE_ADDRESS[20];
extern const contract_def evidence_contract;

#define EVIDENCE_KEY_SIZE 37
#define EVIDENCE_RECORD_SIZE 92
#define EVIDENCE_COUNT_KEY_SIZE 24

/* The key of the record of validator's double sign at (height, round, type). */
void evidence_key(uint8_t key[EVIDENCE_KEY_SIZE], const uint8_t validator[20], uint64_t height,
		  uint32_t round, uint8_t type);
/* The key of validator's count. */
void evidence_count_key(uint8_t key[EVIDENCE_COUNT_KEY_SIZE], const uint8_t validator[20]);

#endif
