/*
 * swarmkey.h: obtaining a root's content key from the swarm.
 *
 * Owns the client side of key envelopes (GET BASE/lst/v1/key/ROOT with an
 * X-Lst-Access proof, lib/access.h; the answer {"envelope":"0x.."} is the
 * key sealed to our public key, lib/seal.h), which `lst-swarm key` and
 * `lst-buy` share. Any node that holds the key and sees on chain that we
 * may read the root seals it to us, so the author need not be online.
 */
#ifndef LST_SWARMKEY_H
#define LST_SWARMKEY_H

#include "lst.h"
#include "cid.h"
#include "bstore.h"
#include "fetch.h"
#include <jansson.h>

/*
 * Ask for root's key, in order: each of peers[0..npeers), then, with a
 * node, the node's own gateway and every provider its registry lists for
 * root (GET NODE/lst/v1/providers/ROOT), until one answers with an
 * envelope that opens with priv. key is 32 bytes of the caller's (from
 * sodium_malloc). When s holds root's manifest block the key must open it,
 * or it is not the key (a lying peer; the next is asked). *from (malloc'd,
 * may be NULL) is the base URL that gave it.
 *
 * min_height, when not 0, goes with each request as X-Lst-Height
 * (access.h): a provider whose node is behind it waits to catch up
 * rather than refusing a reader who has just bought.
 *
 * 0, or -1 reported: LST_EREFUSED when a provider refused (quoting its
 * reason, "not purchased"...), LST_ENOTFOUND when none has it,
 * LST_EUNAVAIL when none could be reached.
 */
int swarm_key_get(uint8_t *key, char **from, bstore *s, const uint8_t priv[32], const char *const *peers,
		  size_t npeers, const char *node, const cid *root, uint64_t min_height) LST_WUR;

/*
 * Everything a reader needs of root, as lst-buy and lst read obtain it:
 * its key (kept in HOME/content-keys, else swarm_key_get over o's peers
 * and node with o->priv and o->min_height), then its blocks (swarm_fetch with o, which
 * announces o->self_url), pinned; then the key must open the manifest (if
 * not, it is asked for again, now checked against the manifest: a lying
 * provider is skipped) and is kept, so this home's gateway seals it to
 * later buyers. key: 32 bytes of the caller's (sodium_malloc); *key_from
 * (malloc'd) the gateway that gave it, NULL when it was kept here;
 * *manifest (when not NULL) the decrypted manifest; *res swarm_fetch's
 * (fetch_result_free it either way). 0 or -1 (reported, statuses as
 * swarm_key_get's and swarm_fetch's).
 */
int swarm_obtain(bstore *s, uint8_t *key, char **key_from, json_t **manifest, fetch_result *res, const cid *root,
		 const fetch_opts *o) LST_WUR;

/*
 * This home's own gateway URL (malloc'd): a running `lst-swarm serve`'s
 * (config gateway), else the running daemon's RPC port (config rpc), else
 * NULL. What a fetch announces so that we seed what we fetched.
 */
char *swarm_self_gateway(void);

/*
 * swarm_obtain as a reader's command runs it (lst-buy, lst read): with
 * the home's key priv and the node of rpcc_url(), which lists providers
 * and whose height now (holding a purchase just made) goes as
 * X-Lst-Height; this home's gateway (swarm_self_gateway) is announced; a
 * progress bar on a TTY, and a line on stderr for each provider dropped.
 * *dropped (when not NULL) gets a JSON array of {"peer","reason"}, the
 * providers the fetch stopped using. 0 or -1 (reported, as swarm_obtain).
 */
int swarm_obtain_here(bstore *s, uint8_t *key, char **key_from, json_t **manifest, fetch_result *res,
		      json_t **dropped, const uint8_t priv[32], const char *const *peers, size_t npeers,
		      const cid *root) LST_WUR;

#endif
