/*
 * privval.h: a validator's guard against signing twice.
 *
 * Before a validator sends a signature it records what it signed
 * (height, round, step, block hash, the signature) in
 * HOME/chain/privval.json, written to a temporary file, fsync'd and
 * renamed, so that after a crash (kill -9 at any moment) it never signs a
 * conflicting proposal or vote: a request at or below the last signed
 * (height, round, step) is refused, except the very same one, which gets
 * the same signature back so it can be re-sent. A non-nil precommit also
 * records the lock (Tendermint's lockedRound and lockedValue), so a
 * restarted validator keeps prevoting only what it locked on.
 * It also keeps every vote signed at the last height (the latest
 * PV_KEEP), Tendermint's write-ahead log of its own messages: a validator
 * killed after signing but before its votes left can send them again
 * after the restart, so the others, who may need exactly its vote for a
 * quorum, are not left waiting for a vote it may no longer sign.
 */
#ifndef LST_PRIVVAL_H
#define LST_PRIVVAL_H

#include "lst.h"
#include "block.h"

enum { PV_PROPOSAL = 1, PV_PREVOTE = 2, PV_PRECOMMIT = 3 };

#define PV_KEEP 32

typedef struct {
	uint32_t round;
	uint8_t type;             /* VOTE_PREVOTE or VOTE_PRECOMMIT */
	uint64_t chain_id;
	uint8_t hash[32];
	uint8_t sig[65];
} pv_vote;

typedef struct {
	char *path;
	uint64_t height;
	uint32_t round;
	uint8_t step;             /* 0: nothing signed yet */
	uint8_t hash[32];
	uint8_t sig[65];
	uint64_t locked_height;   /* 0: no lock */
	uint32_t locked_round;
	uint8_t locked_hash[32];
	pv_vote votes[PV_KEEP];   /* votes signed at height, oldest first */
	size_t nvotes;
} privval;

/* Load path, or start empty when it does not exist. -1 if unreadable or corrupt (reported). */
int privval_open(privval *pv, const char *path) LST_WUR;
void privval_close(privval *pv);
/* The votes signed at height (signer address filled in) into out[max]; how many. */
size_t privval_votes(const privval *pv, vote *out, size_t max, uint64_t height, const uint8_t address[20]);

/* 0 signed (and persisted), 1 refused (would conflict), -1 failure (reported). */
int privval_sign_vote(privval *pv, vote *v, const uint8_t priv[32], const uint8_t address[20]) LST_WUR;
int privval_sign_proposal(privval *pv, proposal *p, const uint8_t priv[32], const uint8_t address[20]) LST_WUR;

#endif
