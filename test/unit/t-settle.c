/*
 * The settlement split (contracts/settle.h) against an independent model:
 * 128-bit arithmetic in another shape (R * c / C as q * c + (r * c) / C,
 * with q, r = R divmod C), over random categories: pool sizes from 0 to
 * 2^128 - 1, fee rates from 0 to 100 %, books read from none to past the
 * 1,000-page cap, and periods with no page read.
 */
#include "lst.h"
#include "unit.h"
#include "settle.h"

typedef unsigned __int128 u128;

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static u128 to128(const u256 *a)
{
	return (u128)a->w[1] << 64 | a->w[0];
}

static u256 from128(u128 v)
{
	u256 a = u256_from_u64((uint64_t)v);
	a.w[1] = (uint64_t)(v >> 64);
	return a;
}

/* The model: the rule of settle.h, written again. */
static void model(u128 *pay, u128 *fee, u128 *rem, u128 pool, uint64_t bps, const uint64_t *pages, size_t n)
{
	/* pool * bps / 10000 as (pool / 10000) * bps + (pool % 10000) * bps / 10000: no overflow */
	*fee = pool / 10000 * bps + pool % 10000 * bps / 10000;
	u128 r = pool - *fee, sum = 0;
	uint64_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += pages[i] > SETTLE_PAGE_CAP ? SETTLE_PAGE_CAP : pages[i];
	for (size_t i = 0; i < n; i++) {
		uint64_t c = pages[i] > SETTLE_PAGE_CAP ? SETTLE_PAGE_CAP : pages[i];
		pay[i] = total ? r / total * c + r % total * c / total : 0;
		sum += pay[i];
	}
	*rem = r - sum;
}

/* A pool: small, around 1 LST, or anywhere below 2^128. */
static u128 random_pool(void)
{
	switch (next() % 4) {
	case 0:
		return next() % 1000;
	case 1:
		return (u128)(next() % 1000 + 1) * 1000000000000000000ull;
	case 2:
		return ~(u128)0 - next() % 3;
	default:
		return (u128)next() << 64 | next();
	}
}

static uint64_t random_bps(void)
{
	static const uint64_t some[] = {0, 1, 500, 9999, 10000};
	return next() % 2 ? some[next() % 5] : next() % 10001;
}

int main(void)
{
	enum { CASES = 2000, MAXB = 64 };
	uint64_t pages[MAXB];
	u256 pay[MAXB];
	u128 want[MAXB];
	size_t agree = 0, exact = 0, capped_ok = 0, zero_ok = 0, idle = 0, over_cap = 0, small_rem = 0;
	for (int k = 0; k < CASES; k++) {
		size_t n = next() % (MAXB + 1);
		bool none_read = next() % 10 == 0;
		for (size_t i = 0; i < n; i++) {
			uint64_t x = next() % 8;
			pages[i] = none_read || x == 0 ? 0 : x < 4 ? next() % 50 : x < 6 ? next() % 2000 : 1000 + next() % 100000;
			over_cap += pages[i] > SETTLE_PAGE_CAP;
		}
		u128 pool = random_pool(), wfee, wrem;
		uint64_t bps = random_bps();
		u256 p = from128(pool), fee, rem;
		model(want, &wfee, &wrem, pool, bps, pages, n);
		if (settle_split(pay, &fee, &rem, &p, bps, pages, n) < 0) {
			diagf("case %d: refused", k);
			continue;
		}
		bool same = to128(&fee) == wfee && to128(&rem) == wrem && fee.w[2] == 0 && rem.w[2] == 0;
		u128 sum = to128(&fee) + to128(&rem);
		uint64_t total = 0;
		bool read = false;
		for (size_t i = 0; i < n; i++) {
			same = same && to128(&pay[i]) == want[i] && pay[i].w[2] == 0;
			sum += to128(&pay[i]);
			total += pages[i] > SETTLE_PAGE_CAP ? SETTLE_PAGE_CAP : pages[i];
			read = read || pages[i];
		}
		agree += same;
		exact += sum == pool;
		/* A book past the cap is paid exactly what a book at the cap is. */
		bool capped = true;
		u128 at_cap = total ? (pool - wfee) / total * SETTLE_PAGE_CAP + (pool - wfee) % total * SETTLE_PAGE_CAP / total : 0;
		for (size_t i = 0; i < n; i++)
			if (pages[i] >= SETTLE_PAGE_CAP && to128(&pay[i]) != at_cap)
				capped = false;
		capped_ok += capped;
		/* Unread books get nothing; a period with nothing read pays the foundation all. */
		bool zero = true;
		for (size_t i = 0; i < n; i++)
			if (!pages[i] && !u256_is_zero(&pay[i]))
				zero = false;
		if (!read) {
			idle++;
			zero = zero && to128(&fee) + to128(&rem) == pool;
		}
		zero_ok += zero;
		/* The remainder is a rounding: less than one Photon per book read. */
		small_rem += !read || to128(&rem) < (u128)n;
	}
	ok(agree == CASES, "%zu of %d random settlements agree with the model to the Photon", agree, CASES);
	ok(exact == CASES, "payouts + fee + remainder == pool in every one (%zu)", exact);
	ok(capped_ok == CASES && over_cap > 100, "books past 1,000 pages (%zu of them) are paid as at 1,000", over_cap);
	ok(small_rem == CASES, "the remainder is less than one Photon per book (%zu)", small_rem);
	ok(zero_ok == CASES && idle > 50, "unread books get nothing; %zu periods with no page read pay the foundation all",
	   idle);

	/* By hand: 3 books, pages 500, 1500 (capped to 1000), 0; pool 1000 Photons, 5 %. */
	uint64_t hand[] = {500, 1500, 0};
	u256 pool = u256_from_u64(1000), fee, rem;
	ok(settle_split(pay, &fee, &rem, &pool, 500, hand, 3) == 0 && fee.w[0] == 50 && pay[0].w[0] == 316 &&
		   pay[1].w[0] == 633 && u256_is_zero(&pay[2]) && rem.w[0] == 1,
	   "by hand: fee 50, then 950 split 1:2 over capped pages as 316 and 633, 1 Photon to the foundation");
	ok(settle_split(pay, &fee, &rem, &pool, 500, NULL, 0) == 0 && fee.w[0] == 50 && rem.w[0] == 950,
	   "no books at all: the foundation gets the pool");

	/* Refusals write nothing. */
	u256 big = u256_from_u64(0);
	big.w[2] = 1; /* 2^128 */
	u256 mark = u256_from_u64(77);
	pay[0] = mark, fee = mark, rem = mark;
	ok(settle_split(pay, &fee, &rem, &big, 500, hand, 3) < 0 && pay[0].w[0] == 77 && fee.w[0] == 77 &&
		   rem.w[0] == 77,
	   "a pool of 2^128 is refused, nothing written");
	ok(settle_split(pay, &fee, &rem, &pool, 10001, hand, 3) < 0 && pay[0].w[0] == 77,
	   "a fee above 100 %% is refused, nothing written");
	return unit_done();
}
