/*
 * txjson.h: transactions as JSON, the form lst-sign reads and writes.
 *
 * Input keys are snake_case (chain_id, nonce, to, value, data, gas,
 * gas_price, max_fee_per_gas, max_priority_fee_per_gas, access_list, type);
 * the camelCase names ethers and JSON-RPC use are accepted too (chainId,
 * gasLimit, gasPrice, maxFeePerGas, maxPriorityFeePerGas, accessList,
 * input), so a transaction from either world can be piped in. Quantities may
 * be JSON integers, decimal strings or 0x-hex strings; output quantities are
 * decimal strings. Unknown keys are refused, so a typo never signs a
 * transaction that silently lacks a field.
 */
#ifndef LST_TXJSON_H
#define LST_TXJSON_H

#include "lst.h"
#include "tx.h"
#include <jansson.h>

/* 0, or -1 with the reason in err. */
int tx_from_json(tx *out, char *err, size_t errlen, json_t *j) LST_WUR;
/* Decoded (signed) transaction as JSON: fields, from, hash. */
json_t *tx_to_json(const tx *t);
/* A JSON quantity (int, decimal or 0x string) as u256. 0 or -1. */
int json_to_u256(u256 *out, json_t *j) LST_WUR;
json_t *u256_to_json(const u256 *v);

#endif
