/*
 * settle.h: the arithmetic of a subscription period's settlement, the
 * part of the subscription contract (issue 7) that must be exact to the
 * Photon, kept apart so it is tested alone against an independent model.
 *
 * A category's pool for a period is what its subscribers paid for it.
 *   fee       = floor(pool * service_fee_bps / 10000), to the foundation
 *   R         = pool - fee, split over the books read in the period
 *   c_i       = min(pages_i, SETTLE_PAGE_CAP): pages read of book i,
 *               counted once per reader and page, capped per book
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
 * payouts[0..n) for books with pages[0..n) read; *fee and *remainder as
 * above. -1 (nothing written) when pool is 2^128 or more (no balance can
 * be) or service_fee_bps is above 10000.
 */
int settle_split(u256 *payouts, u256 *fee, u256 *remainder, const u256 *pool, uint64_t service_fee_bps,
		 const uint64_t *pages, size_t n) LST_WUR;

#endif
