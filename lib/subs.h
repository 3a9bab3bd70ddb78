/*
 * subs.h: the subscription contract from a client's side
 * (contracts/subscription.h is the contract): calldata of its functions,
 * its views over JSON-RPC (eth_call through lib/rpcclient, the node set
 * with rpcc_set_url), sending with a dry run that quotes its refusal, and
 * its Payout logs. Porcelain (lst category/categories/subscribe/
 * unsubscribe/enroll, lst read --page) and lst-settle are built on this;
 * nothing else encodes the subscription ABI by hand.
 *
 * Categories are named on the command line by name or by id ("2");
 * subs_category_find resolves either.
 */
#ifndef LST_SUBS_H
#define LST_SUBS_H

#include "lst.h"
#include "buf.h"
#include "u256.h"
#include "keyring.h"
#include <jansson.h>

/* ---- calldata (appended to out); 0 or -1 ---- */

int subs_call_create_category(buf *out, const char *name, const u256 *fee) LST_WUR;
int subs_call_enroll(buf *out, const uint8_t book[32], uint64_t category) LST_WUR;
int subs_call_subscribe(buf *out, uint64_t category, uint64_t months) LST_WUR;
int subs_call_cancel(buf *out, uint64_t category) LST_WUR;
int subs_call_set_server(buf *out, const uint8_t server[20], bool on) LST_WUR;
int subs_call_record_pages(buf *out, const uint8_t book[32], uint64_t period, const uint32_t *pages, size_t n,
			   const uint8_t receipt[65]) LST_WUR;
int subs_call_settle(buf *out, uint64_t category, uint64_t period) LST_WUR;

/*
 * Send calldata to the subscription contract from key e with value (NULL:
 * none), as book_send does for the market: an eth_call dry run first (a
 * refusal is reported with the contract's reason, exit 4, and nothing is
 * sent), then the receipt (final), waited for up to timeout seconds.
 */
int subs_send(json_t **receipt, const key_entry *e, const buf *calldata, const u256 *value,
	      double timeout) LST_WUR;

/* ---- views; 0, 1 not found (where said), -1 (reported) ---- */

typedef struct {
	uint64_t id;
	char *name; /* malloc'd */
	u256 fee;   /* per period, Photons */
	uint64_t books, members;
} subs_category;

void subs_category_free(subs_category *c);
/* Category id: 0 found, 1 no such category (not reported), -1. */
int subs_category_get(subs_category *out, uint64_t id) LST_WUR;
/* By name or decimal id: 0 found, 1 none (reported, exit 3: "no category 'X'"), -1. */
int subs_category_find(subs_category *out, const char *name_or_id) LST_WUR;
/* All categories, by id; *out malloc'd array (subs_categories_free). */
int subs_categories(subs_category **out, size_t *n) LST_WUR;
void subs_categories_free(subs_category *c, size_t n);

/* period(): the current period, its start and end (unix), and the genesis length (0: months). */
int subs_period(uint64_t *current, uint64_t *start, uint64_t *end, uint64_t *len) LST_WUR;
int subs_membership(uint64_t *from, uint64_t *until, uint64_t *ends_at, uint64_t category,
		    const uint8_t reader[20]) LST_WUR;
int subs_is_member(bool *yes, uint64_t category, const uint8_t reader[20]) LST_WUR;
/* categoryOf: *category 0 when not enrolled. */
int subs_category_of(uint64_t *category, const uint8_t book[32]) LST_WUR;
/* serverOwner: zero address when none. */
int subs_server_owner(uint8_t owner[20], const uint8_t server[20]) LST_WUR;

typedef struct {
	u256 pool;
	uint64_t pages, books;
	bool settled;
} subs_pool;
int subs_pool_get(subs_pool *out, uint64_t category, uint64_t period) LST_WUR;

/* Every book read in (category, period) with its counted pages, first read first (all pages of booksRead). */
int subs_books_read(uint8_t (**books)[32], uint64_t **pages, size_t *n, uint64_t category,
		    uint64_t period) LST_WUR;
int subs_reader_pages(uint64_t *counted, uint64_t *recorded, const uint8_t reader[20], const uint8_t book[32],
		      uint64_t period) LST_WUR;

typedef struct {
	bool settled;
	u256 fee, remainder, paid;
	uint64_t height;
} subs_settlement;
int subs_settlement_get(subs_settlement *out, uint64_t category, uint64_t period) LST_WUR;

/* ---- events ---- */

/*
 * What a receipt of subs_send says happened, from the contract's log in
 * it: createCategory's id (CategoryCreated), subscribe's span paid for
 * (Subscribed: from, until, paid), cancel's end and refund (Cancelled).
 * 0 or -1 (reported: no such log in the receipt, or a malformed one).
 */
int subs_receipt_created(uint64_t *id, json_t *receipt) LST_WUR;
int subs_receipt_subscribed(uint64_t *from, uint64_t *until, u256 *paid, json_t *receipt) LST_WUR;
int subs_receipt_cancelled(uint64_t *until, u256 *refund, json_t *receipt) LST_WUR;

typedef struct {
	uint8_t book[32], author[20];
	uint64_t category, period, pages;
	u256 amount;
	uint64_t height;
	uint8_t tx[32];
} subs_payout;

/* Payout logs from block 0 to latest, filtered by any of author, period (NULL: any); oldest first. */
int subs_payouts(subs_payout **out, size_t *n, const uint8_t *author, const uint64_t *period) LST_WUR;

#endif
