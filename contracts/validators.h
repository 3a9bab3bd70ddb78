/*
 * validators.h: changes to the validator set, decided by the foundation
 * until governance exists.
 *
 * Owns the contract at 0x4c53540000000000000000000000000000000002 ("LST"
 * then 2). setValidator(validator, power) from the genesis foundation
 * (env->foundation) schedules a change for height env->height + 2
 * (Tendermint's H+2 rule: the set that signs H+2 is known once H is
 * committed); power 0 removes the validator, power is at most 2^62. The
 * contract only records the changes: after each block the chain reads the
 * key validators_update_key(height + 2) of this contract's storage, parses
 * it with validators_parse_updates and applies the set.
 *
 * Storage: "upd:" || effective height (8 bytes big-endian) -> a sequence
 * of 28-byte records, validator (20 bytes) || power (8 bytes big-endian),
 * in call order; a second change of one validator for the same height
 * replaces its record's power in place. The ABI is validators.abi.json,
 * the Solidity interface IValidators.sol.
 */
#ifndef LST_VALIDATORS_H
#define LST_VALIDATORS_H

#include "lst.h"
#include "contract.h"

#define VALIDATORS_ADDRESS_BYTES \
	{0x4c, 0x53, 0x54, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02}

extern const uint8_t VALIDATORS_ADDRESS[20];
extern const contract_def validators_contract;

/* The most power a validator may have: 2^62, so sums of powers fit in int64. */
#define VALIDATORS_MAX_POWER (UINT64_C(1) << 62)
/* The size of one record in an update: address and big-endian power. */
#define VALIDATORS_RECORD_SIZE 28

typedef struct {
	uint8_t address[20];
	uint64_t power; /* 0: remove */
} validator_update;

/* The storage key of the changes that take effect at effective_height. */
void validators_update_key(uint8_t key[12], uint64_t effective_height);

/*
 * Parses a stored value (val, len) into *out, an array of *n records that
 * the caller frees (NULL when len is 0). -1 if len is not a multiple of
 * 28 (*out NULL, *n 0).
 */
int validators_parse_updates(validator_update **out, size_t *n, const uint8_t *val,
			     size_t len) LST_WUR;

#endif
