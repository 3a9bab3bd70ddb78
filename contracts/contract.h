/*
 * contract.h: the interface between the chain and its native contracts.
 *
 * A native contract sits at a fixed address and takes Solidity-ABI
 * calldata. It sees the chain only through contract_env: balances,
 * transfers, the supply, its own storage, and logs. The chain undoes a
 * reverted call's transfers and storage writes.
 */
#ifndef LST_CONTRACT_H
#define LST_CONTRACT_H

#include "lst.h"
#include "buf.h"
#include "u256.h"

typedef struct contract_env {
	void *ctx;                 /* the chain's state transaction */
	const uint8_t *caller;     /* 20 bytes: msg.sender */
	const uint8_t *self;       /* 20 bytes: the contract's address */
	u256 value;                /* LST (Photons) sent with the call */
	uint64_t height, time;     /* block height and unix time */
	bool readonly;             /* eth_call: state changes are refused */
	int (*balance)(void *ctx, u256 *out, const uint8_t addr[20]);
	/* -1: insufficient funds */
	int (*transfer)(void *ctx, const uint8_t from[20], const uint8_t to[20], const u256 *amount);
	int (*total_supply)(void *ctx, u256 *out);
	/* 0 found, 1 absent, -1 error */
	int (*storage_get)(void *ctx, buf *out, const uint8_t self[20], const uint8_t *key, size_t klen);
	int (*storage_put)(void *ctx, const uint8_t self[20], const uint8_t *key, size_t klen,
			   const uint8_t *val, size_t vlen);
	void (*log)(void *ctx, const uint8_t self[20], const uint8_t (*topics)[32], size_t ntopics,
		    const uint8_t *data, size_t len);
} contract_env;

typedef struct {
	bool ok;
	buf ret; /* return data, or revert data when !ok */
} contract_result;

typedef struct {
	const char *name;
	uint8_t address[20];
	int (*call)(contract_result *out, contract_env *env, const uint8_t *calldata, size_t len);
} contract_def;

/* NULL if address is not a native contract. */
const contract_def *contract_find(const uint8_t address[20]);

#endif
