/*
 * market.h: the market, where readers buy paid roots from their authors.
 *
 * Owns the contract at 0x4c53540000000000000000000000000000000004. A
 * root is a version of a book, named on chain by root_id (lib/access.h:
 * the sha2-256 of the root CID's binary form). This is the market's first
 * form:
 *
 *   list(root, price)      the first caller becomes root's author; the
 *                          author may call again to change the price;
 *                          price 0 is free to readers who register (buy
 *                          with no value)
 *   buy(root) payable      exactly the price; the whole of it goes to the
 *                          author at once (nothing is held by the market)
 *   hasAccess(reader, root), priceOf(root), authorOf(root)   views; the
 *                          gate of the swarm (access_check) asks hasAccess
 *
 * Storage:
 *   "list:" || root (32) -> author (20) || price (32 BE)           52 bytes
 *   "buy:" || root (32) || buyer (20) -> height (8 BE) || price paid (32 BE)
 *
 * Issue 6 extends it without changing any of this: publishing co-signed
 * by the foundation is another function that writes the same listing
 * record (list stays, or becomes foundation-gated), a listing fee is
 * value sent to that function, and a service fee splits buy's value in
 * market_pay (market.c), the one place money leaves the market. Fields
 * they need (the fee rate a listing was made under, ...) are appended to
 * the listing record: readers take its first 52 bytes and refuse less.
 * The ABI is market.abi.json, the Solidity interface IMarket.sol.
 */
#ifndef LST_MARKET_H
#define LST_MARKET_H

#include "lst.h"
#include "contract.h"

#define MARKET_ADDRESS_BYTES \
	{0x4c, 0x53, 0x54, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x04}

extern const uint8_t MARKET_ADDRESS[20];
extern const contract_def market_contract;

#define MARKET_LISTING_KEY_SIZE 37
#define MARKET_LISTING_SIZE 52
#define MARKET_PURCHASE_KEY_SIZE 56
#define MARKET_PURCHASE_SIZE 40

/* The key of root's listing. */
void market_listing_key(uint8_t key[MARKET_LISTING_KEY_SIZE], const uint8_t root[32]);
/* The key of buyer's purchase of root. */
void market_purchase_key(uint8_t key[MARKET_PURCHASE_KEY_SIZE], const uint8_t root[32],
			 const uint8_t buyer[20]);

#endif
