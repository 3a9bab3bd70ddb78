/*
 * testnet.h: the homes of a local multi-validator network (lst-chain
 * testnet), made in one step for tests, demos and development.
 *
 * Under DIR: node0 ... node{N-1}, each a home with one plaintext validator
 * key, the one genesis.json they share (every validator power 1, the dev
 * allocations of chaininit.h) and config.json with validator_key,
 * listen 127.0.0.1:(P+k), rpc http://127.0.0.1:(P+k) and peers (the other
 * nodes' URLs, comma-separated; unset for a single node); and client, a
 * home with the foundation key and the funded developer key (its default
 * key), rpc set to node0.
 * If any of these homes exists, nothing is written.
 */
#ifndef LST_TESTNET_H
#define LST_TESTNET_H

#include "lst.h"
#include <jansson.h>

#define TESTNET_MAX_VALIDATORS 64
#define TESTNET_BASE_PORT 26600

/*
 * Make the network under out. n is 1..TESTNET_MAX_VALIDATORS and
 * base_port+n-1 at most 65535 (exit status 2 otherwise); an existing home
 * is exit status 4. *summary gets {out, chain_id, genesis_hash,
 * validators [{home, address, listen, rpc}], foundation, developer,
 * client}. period is the genesis subscription_period (0: calendar
 * months). Changes the current home (home_set) as it goes.
 */
int testnet_make(json_t **summary, const char *out, unsigned long n, unsigned long base_port,
		 uint64_t chain_id, uint64_t period) LST_WUR;

#endif
