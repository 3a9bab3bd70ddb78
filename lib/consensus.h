/*
 * consensus.h: the Tendermint algorithm for one validator (or observer),
 * as a deterministic state machine with no threads, clocks or I/O.
 *
 * It follows Algorithm 1 of Buchman, Kwon, Milosevic, "The latest gossip
 * on BFT consensus" (2018): rounds of propose, prevote and precommit;
 * locking (lockedValue, lockedRound) and the valid value a proposer
 * re-proposes (validValue, validRound); round skip on messages from more
 * than 1/3 of the power in a later round; and timeouts that grow by round.
 * "2f + 1" is more than 2/3 of the voting power, "f + 1" more than 1/3.
 *
 * The caller (lib/node.c, or the simulated network of the unit test) owns
 * everything else: it checks signatures and block validity before passing
 * messages in, gives the time, signs through privval, broadcasts, and
 * commits what is decided. Values are the caller's blocks, identified by
 * hash and reference-counted through the callbacks.
 * A vote conflicting with one already counted from the same validator
 * (same height, round and type, another hash) is not counted; it is
 * reported as evidence.
 */
#ifndef LST_CONSENSUS_H
#define LST_CONSENSUS_H

#include "lst.h"
#include "block.h"
#include "valset.h"

typedef struct cs_value cs_value;  /* the caller's block */

typedef struct {
	void *ctx;
	/* A new block for (height, round), referenced; NULL: nothing to propose now. */
	cs_value *(*get_value)(void *ctx, uint64_t height, uint32_t round);
	void (*ref)(void *ctx, cs_value *v);
	void (*unref)(void *ctx, cs_value *v);
	const uint8_t *(*hash)(void *ctx, const cs_value *v);
	/* Fill in the signature (through privval): 0 signed, else do not send. */
	int (*sign_vote)(void *ctx, vote *v);
	int (*sign_proposal)(void *ctx, proposal *p);
	void (*send_proposal)(void *ctx, const proposal *p, cs_value *v);
	void (*send_vote)(void *ctx, const vote *v);
	/* v is final with commit c; the state machine waits for cs_start_height. */
	void (*decide)(void *ctx, cs_value *v, const commit *c);
	void (*evidence)(void *ctx, const vote *first, const vote *second);
} cs_app;

typedef struct {
	unsigned propose_ms, prevote_ms, precommit_ms;
	unsigned delta_ms;  /* added per round to each */
} cs_timeouts;

enum { CS_PROPOSE = 1, CS_PREVOTE = 2, CS_PRECOMMIT = 3 };

typedef struct cs cs;

/* self: the validator's address, or NULL for a node that only follows. */
cs *cs_new(const cs_app *app, const cs_timeouts *t, uint64_t chain_id, const uint8_t *self);
void cs_free(cs *c);

/*
 * Begin height with validator set vs (copied) at round first_round (a
 * restarted validator resumes at the round it last signed in), with the
 * lock it persisted (locked_round -1: none; the locked block itself is
 * not needed, only its hash).
 */
void cs_start_height(cs *c, uint64_t height, const valset *vs, uint64_t now_ms, uint32_t first_round,
		     int32_t locked_round, const uint8_t locked_hash[32]);

/*
 * A proposal whose signature the caller checked (p->proposer recovered),
 * with its block v (referenced by the state machine if kept) and whether
 * the block is valid for this height. Others' heights are ignored.
 */
void cs_on_proposal(cs *c, const proposal *p, cs_value *v, bool valid, uint64_t now_ms);
/* A vote whose signature the caller checked. */
void cs_on_vote(cs *c, const vote *v, uint64_t now_ms);
/* Fire the timeouts that are due. */
void cs_tick(cs *c, uint64_t now_ms);
/* When the next timeout is due (UINT64_MAX: none). */
uint64_t cs_deadline(const cs *c);
/* Send again what this validator signed in the current round (lost messages, restarted peers). */
void cs_rebroadcast(cs *c);

uint64_t cs_height(const cs *c);
uint32_t cs_round(const cs *c);
int cs_step(const cs *c);
bool cs_decided(const cs *c);
/* A hash with precommits from 2/3+ in some round whose block this node lacks (sync it), else NULL. */
const uint8_t *cs_missing_block(const cs *c);

#endif
