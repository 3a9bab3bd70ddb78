/*
 * statement.h: what lst-settle shows (lst-settle(1)): the statement of a
 * subscription category's period and the earnings of an address.
 *
 * Owns reading money after the sale back from the chain, through
 * lib/subs.h and lib/book.h (over the node set with rpcc_set_url), and its
 * JSON and human forms. It encodes no ABI and signs nothing.
 *
 * A statement of (category, period) lists each book read in the period
 * (its counted pages, each reader's capped as they were recorded; its
 * share of all counted pages; its payout) and each author's total, with
 * the pool, the service fee and the rounding remainder. Before the period
 * is settled it is a projection: the contract's counts (booksRead) split
 * by settle_split, the very code the contract settles with, so it matches
 * the settlement to the Photon. After, the payouts are the Payout logs of
 * the settling transaction, checked against that split and the contract's
 * settlement record: a disagreement is an error (exit 1), never printed.
 *
 * Earnings of an address: its direct sales (Purchased logs with it as the
 * author: price less fee), by the period holding their block's time, and
 * its subscription payouts (Payout logs), by the period they settle; each
 * period's totals and the grand totals.
 */
#ifndef LST_STATEMENT_H
#define LST_STATEMENT_H

#include "lst.h"
#include "book.h"
#include "subs.h"
#include "u256.h"
#include <jansson.h>

typedef struct {
	uint8_t book[32], author[20];
	char *title;     /* malloc'd */
	uint64_t pages;  /* counted pages read in the period (each reader capped) */
	uint64_t share;  /* pages / all counted pages, in millionths, rounded down */
	u256 payout;     /* Photons to the author */
} statement_book;

typedef struct {
	uint8_t author[20];
	uint64_t books, pages;
	u256 total;
} statement_author;

typedef struct {
	uint64_t category;
	char *category_name;           /* malloc'd */
	uint64_t period, period_len;   /* period_len: genesis subscription_period, 0 months */
	char label[32];                /* "2026-11" or the index */
	uint64_t start, end;           /* unix times the period starts and ends */
	bool ended;                    /* end is past (by the chain's current period) */
	bool settled;
	uint64_t height;               /* the settlement's block, 0 before */
	uint64_t service_fee_bps;
	uint8_t foundation[20];
	u256 pool, fee, remainder, paid; /* fee + remainder + paid = pool */
	uint64_t pages;                /* all counted pages */
	statement_book *books;         /* first read first */
	size_t nbooks;
	statement_author *authors;     /* by total, largest first; then address */
	size_t nauthors;
} statement;

/*
 * The statement of (category, period). 0, or -1 (reported: "no such
 * category" exit 3, a settlement that disagrees with its counts exit 1).
 */
int statement_get(statement *out, uint64_t category, uint64_t period) LST_WUR;
void statement_free(statement *s);
/*
 * One object: category, category_name, period, label, start, end, ended,
 * settled, height, service_fee_bps, foundation, pool, fee, remainder,
 * paid, foundation_receives (fee + remainder), pages, books[] (book,
 * title, author, pages, share ("0.250000"), payout), authors[] (author,
 * books, pages, total). Amounts as decimal strings of Photons.
 */
json_t *statement_json(const statement *s);
/* An aligned table for people. */
void statement_print(FILE *f, const statement *s);

typedef struct {
	book_purchase p;
	const char *title; /* into the earnings' own cache */
	uint64_t time, period;
	u256 earned;       /* price - fee */
} earnings_sale;

typedef struct {
	subs_payout p;
	const char *title;
} earnings_payout;

typedef struct {
	uint64_t period;
	char label[32];
	uint64_t sales, payouts, pages;
	u256 direct, subscription, total;
} earnings_period;

typedef struct {
	uint8_t address[20];
	uint64_t period_len;
	earnings_sale *sales;       /* oldest first */
	size_t nsales;
	earnings_payout *payouts;   /* oldest first */
	size_t npayouts;
	earnings_period *periods;   /* ascending */
	size_t nperiods;
	u256 direct, subscription, total;
	struct statement_titles *titles;
} earnings;

/* The earnings of address, from block 0 to latest. 0 or -1 (reported). */
int earnings_get(earnings *out, const uint8_t address[20]) LST_WUR;
void earnings_free(earnings *e);
/*
 * One object: address, period_length, direct, subscription, total,
 * periods[] (period, label, sales, direct, payouts, pages, subscription,
 * total), sales[] (book, title, buyer, price, fee, earned, height, time,
 * period, label, tx), payouts[] (book, title, category, period, label,
 * pages, amount, height, tx).
 */
json_t *earnings_json(const earnings *e);
void earnings_print(FILE *f, const earnings *e);

#endif
