/*
 * contract.h: the interface between the chain and its native contracts.
 *
 * A native contract sits at a fixed address and takes Solidity-ABI
 * calldata (lib/abi.h). It sees the chain only through contract_env:
 * balances, transfers, the supply, its own storage, and logs. The chain
 * undoes a reverted call's transfers, storage writes and logs.
 *
 * The chain's side of a call:
 *
 *	contract_result r = {0};              (r.ret is BUF_INIT)
 *	const contract_def *c = contract_find(to);
 *	if (c->call(&r, &env, data, len) < 0)  the state failed: abort the
 *	                                       block or RPC, record nothing
 *	else if (r.ok)                         commit; r.ret is the return data
 *	else                                   roll back; r.ret is revert data
 *	buf_free(&r.ret);
 *
 * A contract never reverts because its environment failed: a callback
 * returning -1 makes call return -1, so a disk error is never recorded on
 * chain as a revert that other nodes would not reproduce.
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
	/*
	 * LST (Photons) sent with the call. As in the EVM, the chain has
	 * already moved it from caller to self (undone on revert); a
	 * function that is not payable reverts when it is non-zero.
	 */
	u256 value;
	uint64_t height, time;     /* block height and unix time */
	uint64_t chain_id;
	const uint8_t *foundation; /* 20 bytes: the genesis foundation, admin until governance */
	uint64_t service_fee_bps;  /* genesis: the foundation's share of a sale, in basis points */
	u256 listing_fee;          /* genesis: the price of publishing a book, in Photons */
	uint64_t subscription_period; /* genesis: seconds per subscription period, 0 calendar months (UTC) */
	/*
	 * State-changing functions revert when set. Ethereum runs eth_call
	 * and eth_estimateGas of a transfer to completion on a state that is
	 * then discarded, and ethers relies on it (contract.transfer() first
	 * estimates gas; staticCall simulates): set readonly only where the
	 * state transaction cannot be written and rolled back.
	 */
	bool readonly;
	/* 0, or -1 on a failure of the state. */
	int (*balance)(void *ctx, u256 *out, const uint8_t addr[20]);
	/* 0 done, 1 insufficient funds (nothing moved), -1 failure of the state. */
	int (*transfer)(void *ctx, const uint8_t from[20], const uint8_t to[20], const u256 *amount);
	int (*total_supply)(void *ctx, u256 *out);
	/* The contract's own storage. 0 found, 1 absent, -1 error. */
	int (*storage_get)(void *ctx, buf *out, const uint8_t self[20], const uint8_t *key, size_t klen);
	/* 0 or -1. An empty value (vlen 0) deletes the key: absent and empty read the same. */
	int (*storage_put)(void *ctx, const uint8_t self[20], const uint8_t *key, size_t klen,
			   const uint8_t *val, size_t vlen);
	/* An Ethereum log: topics[0] is the event topic, data ABI-encoded. */
	void (*log)(void *ctx, const uint8_t self[20], const uint8_t (*topics)[32], size_t ntopics,
		    const uint8_t *data, size_t len);
} contract_env;

typedef struct {
	bool ok;
	buf ret; /* return data, or revert data when !ok; the chain frees it */
} contract_result;

typedef struct {
	const char *name;
	uint8_t address[20];
	/* 0: out says returned (ok) or reverted; -1: the state failed. */
	int (*call)(contract_result *out, contract_env *env, const uint8_t *calldata, size_t len);
} contract_def;

/*
 * The common front of every contract's call: a table of functions by
 * selector. contract_dispatch finds calldata's function, refuses value
 * (its functions are not payable; see contract_dispatch_payable), writes
 * in a read-only call and malformed arguments with a revert, then runs it
 * with the decoded arguments.
 */
struct abi_value;
typedef struct {
	uint8_t selector[4];
	const char *signature;
	const char *types;  /* of the arguments */
	bool writes;
	int (*run)(contract_result *out, contract_env *env, const struct abi_value *args);
} contract_fn;

int contract_dispatch(contract_result *out, contract_env *env, const char *name, const contract_fn *fns,
		      size_t nfns, const uint8_t *calldata, size_t len);
/*
 * The same, except that the functions whose selectors are in
 * payable[0..npayable) accept LST sent with the call (env->value, already
 * moved to the contract); the others still refuse it.
 */
int contract_dispatch_payable(contract_result *out, contract_env *env, const char *name,
			      const contract_fn *fns, size_t nfns, const uint8_t (*payable)[4],
			      size_t npayable, const uint8_t *calldata, size_t len);

/* NULL if address is not a native contract. */
const contract_def *contract_find(const uint8_t address[20]);

#endif
