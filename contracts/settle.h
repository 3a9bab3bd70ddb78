/*
 * settle.h: the arithmetic of a subscription period's settlement, the
 * part of the subscription contract (issue 7) that must be exact to the
 * Photon, kept apart so it is tested alone against an independent model.
 *
 * A category's pool for a period is what its subscribers paid for it.
 *   fee       = floor(pool * service_fee_bps / 10000), to the foundation
 *   R         = pool - fee, split over the books read in the period
 *   c_i       = the counted pages of book i: each reader's pages of the
 *               book, once per page, up to SETTLE_PAGE_CAP per reader and
 *               period (settle_capped applies the cap as pages are
 *               recorded), summed over the readers
 *   C         = sum of c_i
 *   payout_i  = floor(R * c_i / C), to book i's author
 *   remainder = R - sum of payout_i (less than the number of books read),
 *               to the foundation
 * so fee + remainder + sum of payouts = pool, exactly. A period in which
 * no page was read (C = 0) pays nothing to authors: the remainder is R
 * and the foundation receives the whole pool.
 */
#ifndef LST_SETTLE_H
#define LST_SETTLE_H

#include "lst.h"
#include "u256.h"

#define SETTLE_PAGE_CAP 1000

/*
 * How many of add pages new to a reader's record of one book in one
 * period count, when have of theirs already count:
 * min(add, SETTLE_PAGE_CAP - min(have, SETTLE_PAGE_CAP)).
 */
uint64_t settle_capped(uint64_t have, uint64_t add);

/*
 * payouts[0..n) for books with pages[0..n) counted (already capped per
 * reader: settle_split caps nothing); *fee and *remainder as above. -1
 * (nothing written) when pool is 2^128 or more (no balance can be),
 * service_fee_bps is above 10000, or the pages sum to 2^64 or more.
 */
int settle_split(u256 *payouts, u256 *fee, u256 *remainder, const u256 *pool, uint64_t service_fee_bps,
		 const uint64_t *pages, size_t n) LST_WUR;

#endif
