/*
 * subscription.h: subscription sales, the white paper's second model.
 *
 * Owns the contract at 0x4c53540000000000000000000000000000000005:
 * categories with a monthly fee, who subscribes to which until when, the
 * books enrolled in each category, the pages each reader was served, and
 * the settlement of each category's pool per period. Solidity-ABI calldata
 * and Ethereum logs, like the market (contracts/subscription.abi.json,
 * contracts/ISubscription.sol). S below is this contract, M the market.
 *
 * Periods. genesis subscription_period L: 0 means calendar months in UTC
 * (period k = (year - 1970) * 12 + month - 1, starting on the 1st at
 * 00:00 UTC), L > 0 means periods of L seconds (k = floor(t / L), a test
 * network's "month"). The current period is the one holding the block's
 * time. Period k ends when period k + 1 starts.
 *
 * Categories, created by the foundation, have a name (1..64 bytes of
 * UTF-8, no control characters, unique) and a fee per period, fixed at
 * creation (a new fee is a new category). Ids count from 1.
 *
 * Membership of (category, reader) is a span of periods [from, until).
 * subscribe(category, months) pays fee * months up front: from the current
 * period when the reader is not a member now, else from the end of the
 * current span; each period's fee goes into that period's pool.
 * cancel(category) ends the span with the current period (months begun are
 * not refunded): the fees of the periods after it return to the reader and
 * leave those pools. A member reads in a period k when from <= k < until.
 *
 * Pages. A book is enrolled in one category by its author. A member reads
 * it page by page (DESIGN.md section 6; lib/pages.h): a provider serves the
 * page keys and signs a receipt
 *
 *   receipt = keccak256("lst-pages-v1" || chain id (32 BE) || S (20)
 *                       || reader (20) || book (32) || period (32 BE)
 *                       || keccak256(pages, each a 32-byte BE word))
 *
 * as an EIP-191 personal_sign of the 32 bytes by its serving key, an
 * address registered with setServer by an account that may hold the book
 * (M.hasAccess: its author or a buyer). The reader then calls
 * recordPages(book, period, pages, receipt): pages never served (no
 * receipt, a receipt for other pages, a reader's own key, a server whose
 * owner cannot hold the book) are refused. A page counts once per
 * (reader, book, period); a reader's pages of one book count up to
 * SUB_PAGE_CAP per period (the cap), recorded beyond it but not counted.
 * Pages are numbered from 1.
 *
 * Settlement. settle(category, k), by anyone once period k has ended, once:
 * the pool of k less the service fee is split over the books read in k by
 * their counted pages (contracts/settle.h: every Photon accounted for,
 * rounding remainders and a pool with no pages read to the foundation).
 * Each book's payout goes to its author (M's record) in this transaction.
 *
 * Functions ("foundation only" reverts "not the foundation"):
 *
 *   createCategory(string name, uint256 fee) returns (uint256 id)
 *       foundation only. Reverts "bad category name", "category exists",
 *       "fee must be positive", "fee too large" (>= 2^128). CategoryCreated.
 *   enroll(bytes32 book, uint256 category)
 *       the book's author only ("not the author"). Reverts "no such book",
 *       "no such category", "already enrolled in category N". Enrolled.
 *   subscribe(uint256 category, uint256 months) payable
 *       months 1..SUB_MONTHS_MAX ("months must be 1 to 120"); value must be
 *       fee * months ("fee is F for N months, not V"). "no such category".
 *       Subscribed.
 *   cancel(uint256 category)
 *       Reverts "not a member of category N", "membership already ends
 *       with period K" (nothing to cancel). Refunds fee * (periods after
 *       the current one) to the caller. Cancelled.
 *   setServer(address server, bool on)
 *       on: the caller owns server's receipts from now ("server belongs to
 *       another account" if someone else does; "server is already yours").
 *       off: only its owner ("not your server"). ServerSet.
 *   recordPages(bytes32 book, uint256 period, uint256[] pages, bytes receipt)
 *       returns (uint256 counted)
 *       the caller is the reader. Reverts "book is not enrolled", "period K
 *       cannot be recorded now" (only the current period and the one
 *       before), "period K is settled", "not a member of category N in
 *       period K", "1 to 1000 pages per call", "page 0 does not exist"
 *       (pages >= 1, below 2^32), "bad receipt" (not 65 bytes or no signer),
 *       "receipt signer 0x.. is not a registered server", "a reader cannot
 *       serve themselves", "server's owner 0x.. cannot hold the book".
 *       Pages already recorded are skipped (idempotent: a repeat counts 0).
 *       PagesRecorded.
 *   settle(uint256 category, uint256 period)
 *       anyone. Reverts "no such category", "period K has not ended (ends
 *       at T)", "period K is already settled". Payout per book read, then
 *       Settled.
 *
 * Views:
 *   isMember(uint256 category, address reader) returns (bool)   now
 *   membership(uint256 category, address reader) returns (uint256 from,
 *       uint256 until, uint256 endsAt)  periods; endsAt the unix time
 *       period `until` starts; zeros if never subscribed
 *   categoryCount() returns (uint256)
 *   category(uint256 id) returns (string name, uint256 fee, uint256 books,
 *       uint256 members)   "no such category"; members: readers who ever
 *       subscribed
 *   categoryId(string name) returns (uint256)   0 if none
 *   categoryOf(bytes32 book) returns (uint256)  0 if not enrolled
 *   period() returns (uint256 current, uint256 start, uint256 end,
 *       uint256 length)   length: genesis subscription_period (0: months)
 *   periodOf(uint256 time) returns (uint256), periodStart(uint256 k)
 *       returns (uint256)
 *   pageAccess(address reader, bytes32 rootId) returns (bytes32 book,
 *       uint256 category, uint256 period, uint256 until)
 *       what a provider asks: the book of root (M.bookOf), its category,
 *       the current period, and the unix time the reader's membership of
 *       that category ends when the reader is a member now (else 0)
 *   serverOwner(address server) returns (address)   zero if none
 *   pool(uint256 category, uint256 period) returns (uint256 pool,
 *       uint256 pages, uint256 books, bool settled)
 *   booksRead(uint256 category, uint256 period, uint256 offset,
 *       uint256 limit) returns (bytes32[] books, uint256[] pages)
 *       in the order first read; limit at most 1000
 *   readerPages(address reader, bytes32 book, uint256 period) returns
 *       (uint256 counted, uint256 recorded)
 *   pageRecorded(address reader, bytes32 book, uint256 period,
 *       uint256 page) returns (bool)
 *   settlement(uint256 category, uint256 period) returns (bool settled,
 *       uint256 fee, uint256 remainder, uint256 paid, uint256 height)
 *
 * Events:
 *   CategoryCreated(uint256 indexed id, string name, uint256 fee)
 *   Enrolled(bytes32 indexed book, uint256 indexed category, address indexed author)
 *   Subscribed(uint256 indexed category, address indexed reader,
 *              uint256 from, uint256 until, uint256 paid)
 *   Cancelled(uint256 indexed category, address indexed reader,
 *             uint256 until, uint256 refund)
 *   ServerSet(address indexed server, address indexed owner, bool on)
 *   PagesRecorded(bytes32 indexed book, address indexed reader,
 *                 uint256 indexed period, uint256 added, uint256 counted)
 *       added: pages new to the record; counted: of those, under the cap
 *   Payout(bytes32 indexed book, address indexed author, uint256 indexed period,
 *          uint256 category, uint256 pages, uint256 amount)
 *   Settled(uint256 indexed category, uint256 indexed period, uint256 pool,
 *           uint256 fee, uint256 remainder, uint256 books)
 *
 * Money enters S only as subscription fees, held until their period is
 * settled or refunded: S's balance is the sum of the unsettled pools.
 *
 * Details the lines above leave open:
 *   - Subscribed's from is the first period this payment covers (the
 *     span's end when it extends one); until is the span's new end.
 *   - recordPages may record the period before the current one for a
 *     reader whose span ended with it and who subscribed afresh since:
 *     S keeps the reader's previous span beside the current one.
 *   - "a reader cannot serve themselves" also when the receipt's signer
 *     is a server the reader owns.
 *   - PagesRecorded is logged by every recordPages that returns, a
 *     repeat too (added 0, counted 0); the pages are deduplicated within
 *     the call. Payout is logged for every book read in the period, in
 *     the order first read, with a 0 amount if its share rounds to 0.
 *   - Views given a category, period or page too large to exist answer
 *     zeros or false (category: "no such category"); periodOf and
 *     periodStart revert "time too large" and "period too large" past
 *     2^64 - 1 seconds; booksRead reverts "limit is at most 1000".
 *
 * Storage (at S; keys are prefix || fields; integers big-endian; an
 * absent key reads as zeros):
 *   "ncat"                        -> categories created (8)
 *   "cat:" id (8)                 -> fee (32) || books enrolled (8)
 *                                    || members ever (8) || name
 *   "cname:" keccak256(name) (32) -> id (8)
 *   "enr:" book (32)              -> category (8)
 *   "mem:" category (8) reader (20)
 *                                 -> from (8) || until (8) || previous
 *                                    span's from (8) || until (8)
 *   "pool:" category (8) period (8)
 *                                 -> pool (32) || counted pages (8)
 *                                    || books read (8)
 *   "read:" category (8) period (8) index (8)
 *                                 -> book (32), the index-th book read
 *   "bp:" book (32) period (8)    -> the book's counted pages (8)
 *   "rp:" reader (20) book (32) period (8)
 *                                 -> counted (8) || recorded (8)
 *   "pg:" reader (20) book (32) period (8) chunk (4)
 *                                 -> 256 bytes: bit p % 2048 (byte
 *                                    p % 2048 / 8, bit p % 8 from the
 *                                    least significant) is set when page
 *                                    p = chunk * 2048 + p % 2048 is
 *                                    recorded
 *   "srv:" server (20)            -> owner (20)
 *   "stl:" category (8) period (8)
 *                                 -> fee (32) || remainder (32) || paid
 *                                    (32) || height (8); present once
 *                                    settled
 */
#ifndef LST_SUBSCRIPTION_H
#define LST_SUBSCRIPTION_H

#include "lst.h"
#include "contract.h"

#define SUBSCRIPTION_ADDRESS_BYTES \
	{0x4c, 0x53, 0x54, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x05}

extern const uint8_t SUBSCRIPTION_ADDRESS[20];
extern const contract_def subscription_contract;

#define SUB_NAME_MAX 64
#define SUB_MONTHS_MAX 120
#define SUB_PAGES_PER_CALL 1000
#define SUB_PAGE_CAP 1000     /* = SETTLE_PAGE_CAP */
#define SUB_BOOKS_READ_LIMIT 1000
/* A normalized page: the plaintext span of one segment of a paged book (lst publish --pages). */
#define SUB_PAGE_BYTES 2048

/* ---- periods (pure) ---- */

/* The period holding unix time t, for genesis subscription_period len (0: calendar months UTC). */
uint64_t sub_period_of(uint64_t len, uint64_t t);
/* The unix time period k starts. */
uint64_t sub_period_start(uint64_t len, uint64_t k);
/* "2026-11" for months, the decimal index for seconds. */
void sub_period_label(char *out, size_t cap, uint64_t len, uint64_t k);
/* The inverse: "YYYY-MM" (months only) or a decimal index. 0 or -1 (not reported). */
int sub_period_parse(uint64_t *k, uint64_t len, const char *s) LST_WUR;

/* ---- receipts (above) ---- */

void sub_receipt_hash(uint8_t out[32], uint64_t chain_id, const uint8_t reader[20], const uint8_t book[32],
		      uint64_t period, const uint32_t *pages, size_t n);
/* The serving key's address that signed hash: 0, or -1 (not 65 bytes of a valid signature). */
int sub_receipt_signer(uint8_t signer[20], const uint8_t sig[65], const uint8_t hash[32]) LST_WUR;

/* ---- for the market's canRead (a member of a book's category reads its blocks) ---- */

/* *yes when reader is a member now of the category book is enrolled in. 0 or -1 (state). */
int subscription_member_of_book(contract_env *env, bool *yes, const uint8_t book[32], const uint8_t reader[20]) LST_WUR;

#endif
