/*
 * chaininit.h: making a chain's genesis in a home (lst-chain init, and
 * lst init --dev through it).
 *
 * A dev network is complete and local: a validator key, a foundation key
 * and a funded developer key (plaintext keys, allowed only here), chain id
 * 161 unless asked otherwise, the developer key as the home's default key
 * and "validator_key" set in config.json. genesis.json is refused if one
 * exists, so an init never replaces a chain by accident.
 */
#ifndef LST_CHAININIT_H
#define LST_CHAININIT_H

#include "lst.h"
#include "genesis.h"
#include <jansson.h>

#define DEV_CHAIN_ID 161

/* Write g as HOME/genesis.json; refuses to replace one. */
int chain_write_genesis(const genesis *g) LST_WUR;
/* Make the dev keys and genesis; *summary gets {home, chain_id, genesis_hash, validator, foundation, developer}. */
int chain_init_dev(json_t **summary, uint64_t chain_id) LST_WUR;

#endif
