/*
 * wallet.h: what porcelain does with a key and a node: read balances,
 * send LST and call contracts (build an EIP-1559 transaction with the
 * pending nonce, sign it with the home's key, send it, wait for its
 * receipt).
 */
#ifndef LST_WALLET_H
#define LST_WALLET_H

#include "lst.h"
#include "keyring.h"
#include "u256.h"
#include <jansson.h>

/* Balance of address (Photons) from the node. */
int wallet_balance(u256 *out, const uint8_t address[20]) LST_WUR;
/*
 * Send amount from key e to `to`, wait up to timeout seconds. *receipt is
 * the JSON-RPC receipt. Refusals carry the node's message (exit 4).
 */
int wallet_send(json_t **receipt, const key_entry *e, const uint8_t to[20], const u256 *amount,
		double timeout) LST_WUR;
/*
 * Call contract `to` from key e with value (NULL: none) and calldata
 * data[0..len), wait up to timeout seconds for the receipt. A receipt
 * with status 0x0 (reverted) is returned as 0 too: the caller checks it.
 */
int wallet_call(json_t **receipt, const key_entry *e, const uint8_t to[20], const u256 *value,
		const uint8_t *data, size_t len, double timeout) LST_WUR;
/* Poll for a receipt: 0 got it, -1 timed out (exit 3) or failed. */
int wallet_wait(json_t **receipt, const char *hash, double timeout) LST_WUR;

#endif
