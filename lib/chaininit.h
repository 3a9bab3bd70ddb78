/*
 * chaininit.h: making a chain's genesis in a home (lst-chain init, and
 * lst init --dev and --join through it).
 *
 * A dev network is complete and local: a validator key, a foundation key
 * and a funded developer key (plaintext keys, allowed only here and in
 * testnet.h), chain id 161 unless asked otherwise, the developer key as the
 * home's default key and "validator_key" set in config.json. A joined home
 * is a full node of an existing network: the genesis fetched from one of
 * its nodes (JSON-RPC lst_genesis) and "peers" set to that node and the
 * peers it lists (lst_peers), with no validator key. genesis.json is
 * refused if one exists, so an init never replaces a chain by accident.
 */
#ifndef LST_CHAININIT_H
#define LST_CHAININIT_H

#include "lst.h"
#include "genesis.h"
#include "keyring.h"
#include <jansson.h>

#define DEV_CHAIN_ID 161

/* Write g as HOME/genesis.json; refuses to replace one. */
int chain_write_genesis(const genesis *g) LST_WUR;
/* Make the dev keys and genesis; *summary gets {home, chain_id, genesis_hash, validator, foundation, developer}. */
int chain_init_dev(json_t **summary, uint64_t chain_id) LST_WUR;
/* The same with genesis subscription_period period (chain_init_dev's is 0, calendar months). */
int chain_init_dev_period(json_t **summary, uint64_t chain_id, uint64_t period) LST_WUR;
/*
 * A --subscription-period value: "month" (0: calendar months in UTC) or
 * a number of seconds from 1 (a test network's month). 0, or -1 reported
 * (exit 6) for anything else, "0" included.
 */
int chain_parse_period(uint64_t *period, const char *s, const char *option) LST_WUR;

/*
 * Join the network of the node at url (a URL, or HOST:PORT for http): its
 * genesis into HOME/genesis.json, config "peers" = url and its peers, and
 * config "listen" when listen is not NULL. Nothing is written unless the
 * node answers with a valid genesis. *summary gets {home, chain_id,
 * genesis_hash, peers}. Unreachable: exit status 5.
 */
int chain_init_join(json_t **summary, const char *url, const char *listen) LST_WUR;

/* A new plaintext key named name in the current home. */
int chain_plain_key(key_entry *e, const char *name) LST_WUR;
/*
 * The dev parameters into g: chain_id, now, foundation, a 5% service fee,
 * a 1 LST listing fee, calendar months as subscription periods, 999,000,000 LST for the developer
 * and 1,000,000 LST for the foundation, and room for nvalidators
 * validators of power 1 whose addresses the caller fills in before
 * genesis_finish. g's arrays are malloc'd: genesis_free(g).
 */
void chain_dev_genesis(genesis *g, uint64_t chain_id, const uint8_t foundation[20], const uint8_t developer[20],
		       size_t nvalidators);
/* "HOST:PORT" or a URL as an http URL without a trailing '/', malloc'd; NULL if it is neither. */
char *chain_peer_url(const char *s);

#endif
