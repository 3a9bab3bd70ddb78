/*
 * fakeenv.h: an in-memory chain state for calling native contracts
 * (contracts/contract.h) in unit tests.
 *
 * It owns a few accounts with balances, every contract's storage slots
 * and the logs, behind the contract_env callbacks, and a switch that
 * makes every callback fail (as a broken disk would). The state is one
 * plain struct with no pointers, so a test rolls back a reverted call by
 * copying it whole. Running out of room is a broken test: accounts and
 * slots report a failure of the state, a full log dies.
 */
#ifndef LST_FAKEENV_H
#define LST_FAKEENV_H

#include "lst.h"
#include "buf.h"
#include "contract.h"
#include "u256.h"

typedef struct {
	uint8_t addr[20];
	u256 bal;
} fake_account;

typedef struct {
	uint8_t self[20];
	uint8_t key[96], val[17 * 1024]; /* a market book with the longest details */
	size_t klen, vlen;
} fake_slot;

typedef struct {
	uint8_t self[20];
	uint8_t topics[4][32];
	size_t ntopics;
	uint8_t data[512];
	size_t len;
} fake_logrec;

typedef struct {
	fake_account acct[16];
	size_t nacct;
	fake_slot slots[256]; /* a subscription's books, readers, pools, page records */
	size_t nslot;
	size_t nput; /* storage_put calls that got past the checks: a revert makes none */
	fake_logrec logs[64];
	size_t nlog;
	bool fail; /* every callback fails */
} fake_chain;

/* The contract_env callbacks; ctx is a fake_chain. */
int fake_balance(void *ctx, u256 *out, const uint8_t addr[20]);
int fake_transfer(void *ctx, const uint8_t from[20], const uint8_t to[20], const u256 *amount);
int fake_total_supply(void *ctx, u256 *out);
int fake_storage_get(void *ctx, buf *out, const uint8_t self[20], const uint8_t *key, size_t klen);
int fake_storage_put(void *ctx, const uint8_t self[20], const uint8_t *key, size_t klen,
		     const uint8_t *val, size_t vlen);
void fake_log(void *ctx, const uint8_t self[20], const uint8_t (*topics)[32], size_t ntopics,
	      const uint8_t *data, size_t len);

/*
 * An env calling self as caller at height (time 1700000000) on f, with
 * the callbacks above; the test sets value, chain_id, foundation, readonly.
 */
contract_env fake_env(fake_chain *f, const uint8_t self[20], const uint8_t caller[20],
		      uint64_t height);

/* addr's account; with create, a new empty one (NULL when there is no room). */
fake_account *fake_find_account(fake_chain *f, const uint8_t addr[20], bool create);
/* Sets addr's balance, creating its account; dies when there is no room. */
void fake_fund(fake_chain *f, const uint8_t addr[20], uint64_t amount);
/* The low 64 bits of addr's balance (0 without an account). */
uint64_t fake_balance_u64(fake_chain *f, const uint8_t addr[20]);
/* self's slot at key, or NULL. */
fake_slot *fake_find_slot(fake_chain *f, const uint8_t self[20], const uint8_t *key, size_t klen);
/* Log i, or NULL when fewer were logged. */
const fake_logrec *fake_log_at(const fake_chain *f, size_t i);

/* r reverted with Error(want); when not, says (diagf) what it got instead. */
bool reverted_with(const contract_result *r, const char *want);

/*
 * A call as the chain makes it (lib/exec.c), for a test that checks what
 * a revert leaves: u->before is the state before the call (a rollback
 * copies it back), u->paid the accounts once the value sent had moved.
 */
typedef struct {
	fake_chain before;
	fake_account paid[16];
	size_t npaid;
} fake_undo;

/*
 * Calls the contract at e->self: e->value moves from the caller to it
 * first, and a caller who cannot pay it gets a revert with no data
 * without the contract being called (0). The contract's return otherwise.
 */
int fake_call(contract_result *r, fake_chain *f, fake_undo *u, contract_env *e, const uint8_t *cd, size_t len);
/* Do a[0..na) and b[0..nb) hold the same accounts with the same balances? */
bool fake_same_accounts(const fake_account *a, size_t na, const fake_account *b, size_t nb);
/*
 * After the revert r of a fake_call (same: it was the one wanted): true
 * when nothing was stored, logged or paid (beyond the value sent, which
 * the rollback returns; diagf when something was) and the rollback gives
 * the accounts back as they were. Frees r's data and rolls f back.
 */
bool fake_unchanged(contract_result *r, fake_chain *f, const fake_undo *u, bool same, const char *why);

/* sig: personal_sign (EIP-191) by priv of the 32 bytes hash, as a co-signature or a receipt; dies on failure. */
void fake_sign32(uint8_t sig[65], const uint8_t priv[32], const uint8_t hash[32]);

/* A function of a contract's ABI json and its mutability, an event and its indexed inputs ("iin"). */
typedef struct {
	const char *sig, *mut;
} fake_abi_fn;
typedef struct {
	const char *sig, *indexed;
	uint8_t *topic; /* NULL, or where the event's topic goes */
} fake_abi_event;

/*
 * The ABI json at path against what header (its name, for the messages)
 * states, fns and evs (at most 32 each), through fake_call of env on f:
 * every input named; events indexed as evs says; every function in fns
 * with its mutability; in a read-only call with zero arguments a view
 * answers or reverts with view_reason, the others refuse to write; with
 * LST sent all but the payable ones revert with no_value. Each problem is
 * reported (diagf) and counted; the functions and events found, and the
 * masks of those of fns and evs seen, go to the out arguments. The
 * number of problems, or -1 when path cannot be read.
 */
int fake_abi_check(size_t *nfn, size_t *nev, uint32_t *seen_fn, uint32_t *seen_ev, fake_chain *f, fake_undo *u,
		   contract_env env, const char *path, const char *header, const fake_abi_fn *fns, size_t nfns,
		   const fake_abi_event *evs, size_t nevs, const char *view_reason, const char *no_value);

#endif
