/*
 * genesis.h: a chain's genesis: its parameters and first state.
 *
 * genesis.json (in the home) holds chain_id, start_time, foundation,
 * service_fee_bps, listing_fee, subscription_period, validators
 * [{address, power}] and alloc [{address, balance}] with balances as
 * decimal strings of Photons. The supply is the sum of the allocations and
 * never changes. The genesis hash is keccak256 of the canonical form
 * (compact, keys sorted), so the same parameters give the same chain.
 */
#ifndef LST_GENESIS_H
#define LST_GENESIS_H

#include "lst.h"
#include "u256.h"
#include <jansson.h>

typedef struct {
	uint8_t address[20];
	u256 balance;
} genesis_alloc;

typedef struct {
	uint8_t address[20];
	uint64_t power;
} genesis_validator;

typedef struct {
	uint64_t chain_id;
	uint64_t start_time;
	uint8_t foundation[20];
	uint64_t service_fee_bps;
	u256 listing_fee;
	uint64_t subscription_period;
	genesis_validator *validators;
	size_t nvalidators;
	genesis_alloc *alloc;
	size_t nalloc;
	u256 supply;
	uint8_t hash[32];
} genesis;

/* Validates every field (exit status 6 with the field named). */
int genesis_from_json(genesis *g, json_t *j) LST_WUR;
json_t *genesis_to_json(const genesis *g);
int genesis_load(genesis *g, const char *path) LST_WUR;
int genesis_save(const genesis *g, const char *path) LST_WUR;
/* Recomputes supply and hash after fields change. -1 if supply > 2^128. */
int genesis_finish(genesis *g) LST_WUR;
void genesis_free(genesis *g);

#endif
