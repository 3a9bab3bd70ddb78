/*
 * kit.h: the small helpers every native contract needs around
 * contract_result and its storage records, kept in one place: a revert
 * with its reason, return values ABI-encoded, string values with an
 * explicit length, big-endian 64-bit fields, a uint64 as an ABI word, an
 * event logged with its topics and ABI-encoded data, and the UTF-8 check
 * of the strings a contract stores. For the contracts
 * in contracts/ only (DONE and FAILED are short names).
 */
#ifndef LST_KIT_H
#define LST_KIT_H

#include "lst.h"
#include "abi.h"
#include "contract.h"

/* A function's outcome: ok or reverted (out->ret filled), or a failed state. */
enum { DONE = 0, FAILED = -1 };

/* Reverts with reason (abi_revert). DONE. */
int kit_revert(contract_result *out, const char *reason);
/* The same with a reason formatted into at most 255 bytes. DONE. */
int kit_revertf(contract_result *out, const char *fmt, ...) LST_PRINTF(2, 3);

/* Returns the ABI encoding of v[0..n). DONE, or FAILED if it cannot be encoded. */
int kit_ret_values(contract_result *out, const abi_value *v, size_t n);
/* The same for one value. */
int kit_ret(contract_result *out, const abi_value *v);
/* One uint256. */
int kit_ret_u256(contract_result *out, const u256 *u);
/* Returns nothing (ok, empty return data). DONE. */
int kit_ret_nothing(contract_result *out);

/* A string value of len bytes at p (it may hold NULs; not copied). */
abi_value kit_str_value(const uint8_t *p, size_t len);

/* x as 8 bytes big-endian at p, and back. */
void kit_put_be64(uint8_t *p, uint64_t x);
uint64_t kit_get_be64(const uint8_t *p);
/* x as a 32-byte ABI word (a uint256, or an indexed uint topic). */
void kit_word_u64(uint8_t w[32], uint64_t x);

/*
 * Whether p[0..len) is UTF-8 (RFC 3629: no overlong forms, no surrogates,
 * nothing above U+10FFFF), and with controls false, without C0 or C1
 * controls nor DEL. Strings come back in events and views as Solidity
 * strings, which ethers and viem decode as UTF-8 and throw on otherwise:
 * a contract stores none that a client cannot read.
 */
bool kit_utf8_valid(const uint8_t *p, size_t len, bool controls);

/*
 * Logs event (its signature: topic 0 is its hash) at address self with
 * topics[0..ntopics) after it (at most 3) and data the ABI encoding of
 * vals[0..nvals). 0 or -1.
 */
int kit_emit(contract_env *env, const uint8_t self[20], const char *event, const uint8_t (*topics)[32],
	     size_t ntopics, const abi_value *vals, size_t nvals);

#endif
