/*
 * valset.h: validator sets: who may sign at a height, with what power.
 *
 * Members are kept sorted by address; the set's hash is keccak256 of RLP
 * [[address, power], ...] in that order and goes in every block header.
 * The proposer of (height, round) is picked by weighted round robin: slot
 * (height + round) mod total power, walking the cumulative powers, so a
 * validator proposes in proportion to its power and every node agrees.
 * A quorum is more than 2/3 of the total power; "f + 1" (enough to be sure
 * one honest validator is among them) is more than 1/3.
 * The chain stores a set at the height it takes effect (genesis at 1,
 * updates requested at H at H + 2, as Tendermint does).
 */
#ifndef LST_VALSET_H
#define LST_VALSET_H

#include "lst.h"
#include "block.h"
#include "buf.h"
#include "genesis.h"

typedef struct {
	uint8_t address[20];
	uint64_t power;
} valset_member;

typedef struct {
	valset_member *v;
	size_t n;
	uint64_t total;
	uint8_t hash[32];
} valset;

int valset_from_genesis(valset *vs, const genesis *g) LST_WUR;
void valset_encode(buf *b, const valset *vs);
int valset_decode(valset *vs, const uint8_t *p, size_t len) LST_WUR;
/* Sort, check (no duplicates, no zero power, total < 2^63), total and hash. */
int valset_finish(valset *vs) LST_WUR;
void valset_copy(valset *dst, const valset *src);
void valset_free(valset *vs);

/* Index of address, or -1. */
int valset_index(const valset *vs, const uint8_t address[20]);
const uint8_t *valset_proposer(const valset *vs, uint64_t height, uint32_t round);
bool valset_quorum(const valset *vs, uint64_t power);     /* > 2/3 */
bool valset_one_third(const valset *vs, uint64_t power);  /* > 1/3 */

/*
 * Apply updates (power 0 removes) to in, giving out. An update list that
 * would leave no validator is ignored (out = in), so the chain never halts
 * itself by governance. 0, or -1 on overflow.
 */
int valset_apply(valset *out, const valset *in, const uint8_t (*addresses)[20], const uint64_t *powers,
		 size_t n) LST_WUR;

/*
 * A commit for (height, hash) is valid when its precommits are signed by
 * distinct members of vs for chain_id whose power is a quorum.
 */
int valset_verify_commit(const valset *vs, uint64_t chain_id, uint64_t height, const uint8_t hash[32],
			 const commit *c) LST_WUR;

#endif
