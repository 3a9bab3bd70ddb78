/*
 * token.h: the LST token, an ERC-20 view over the chain's native balances.
 *
 * Owns the contract at 0x4c53540000000000000000000000000000000001 ("LST"
 * then 1): name, symbol, decimals, totalSupply and balanceOf read the
 * chain; transfer and transferFrom move native LST through the
 * environment; allowances live in the contract's storage under the key
 * "a" || owner (20 bytes) || spender (20 bytes), value 32 bytes big-endian,
 * deleted (empty) when zero. An allowance of 2^256-1 is never spent, as in
 * OpenZeppelin's ERC-20. The ABI is token.abi.json, the Solidity interface
 * IToken.sol.
 */
#ifndef LST_TOKEN_H
#define LST_TOKEN_H

#include "lst.h"
#include "contract.h"

#define TOKEN_ADDRESS_BYTES \
	{0x4c, 0x53, 0x54, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01}

extern const contract_def token_contract;

#endif
