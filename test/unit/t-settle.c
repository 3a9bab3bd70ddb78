/*
 * The settlement (contracts/settle.h) against an independent model:
 * random periods in which random readers read random pages of random
 * books in batches (as recordPages records them), each batch counted
 * through settle_capped, the books' counts split by settle_split; the
 * model counts each reader's distinct pages of a book and caps them at
 * 1,000 with code of its own, and splits with 128-bit arithmetic in
 * another shape (R * c / C as q * c + (r * c) / C, with q, r = R divmod
 * C). Pool sizes from 0 to 2^128 - 1, fee rates from 0 to 100 %, readers
 * past 1,000 pages of one book, and periods with no page read.
 */
#include "lst.h"
#include "unit.h"
#include "settle.h"

#include <inttypes.h>

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

/* The model's cap: a reader's distinct pages of one book in a period, at most 1,000 of them. */
static uint64_t model_count(const bool *seen, size_t npages)
{
	uint64_t d = 0;
	for (size_t p = 1; p <= npages; p++)
		d += seen[p];
	return d > 1000 ? 1000 : d;
}

/* The model's split: the rule of settle.h, written again. */
static void model(u128 *pay, u128 *fee, u128 *rem, u128 pool, uint64_t bps, const uint64_t *pages, size_t n)
{
	/* pool * bps / 10000 as (pool / 10000) * bps + (pool % 10000) * bps / 10000: no overflow */
	*fee = pool / 10000 * bps + pool % 10000 * bps / 10000;
	u128 r = pool - *fee, sum = 0;
	uint64_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += pages[i];
	for (size_t i = 0; i < n; i++) {
		pay[i] = total ? r / total * pages[i] + r % total * pages[i] / total : 0;
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

enum { CASES = 600, MAXB = 24, MAXR = 12, NPAGES = 3000 };

/* One period's reading, as the contract would count it and as the model does. */
typedef struct {
	size_t nbooks, nreaders;
	uint64_t counted[MAXB];  /* per book: sum over readers of settle_capped over their batches */
	uint64_t want[MAXB];     /* per book: sum over readers of model_count */
	uint64_t over_cap;       /* (reader, book) pairs that read more than 1,000 distinct pages */
	uint64_t most;           /* the most any (reader, book) counted */
	bool cap_agrees;         /* every (reader, book): the batches counted what the model counts */
} period;

/*
 * reader reads some pages of book in batches of 1..1000 (pages drawn with
 * repeats; some readers read well past 1,000 distinct pages).
 */
static void read_book(period *pd, size_t book, bool long_read)
{
	static bool seen[NPAGES + 1];
	uint64_t have = 0, distinct = 0, batches = long_read ? 2 + next() % 5 : 1 + next() % 6;
	memset(seen, 0, sizeof(seen));
	for (uint64_t b = 0; b < batches; b++) {
		uint64_t n = long_read ? 1000 : 1 + next() % (next() % 4 ? 40 : 700), added = 0;
		for (uint64_t i = 0; i < n; i++) {
			uint64_t p = long_read ? 1 + (b * 1000 + i) % NPAGES : 1 + next() % NPAGES;
			if (!seen[p]) { /* a page new to the record */
				seen[p] = true;
				added++;
			}
		}
		have += settle_capped(have, added);
	}
	uint64_t m = model_count(seen, NPAGES);
	for (size_t p = 1; p <= NPAGES; p++)
		distinct += seen[p];
	pd->cap_agrees = pd->cap_agrees && have == m;
	pd->over_cap += distinct > 1000;
	pd->most = have > pd->most ? have : pd->most;
	pd->counted[book] += have;
	pd->want[book] += m;
}

static void random_period(period *pd, int k)
{
	memset(pd, 0, sizeof(*pd));
	pd->cap_agrees = true;
	pd->nbooks = next() % (MAXB + 1);
	pd->nreaders = next() % 10 == 0 ? 0 : next() % (MAXR + 1); /* some periods nobody reads */
	for (size_t r = 0; r < pd->nreaders && pd->nbooks; r++) {
		size_t nread = next() % (pd->nbooks + 1);
		for (size_t j = 0; j < nread; j++)
			read_book(pd, next() % pd->nbooks, k % 5 == 0 && r == 0 && j == 0);
	}
}

int main(void)
{
	uint64_t pages[MAXB];
	u256 pay[MAXB];
	u128 want[MAXB];
	size_t agree = 0, exact = 0, caps = 0, under = 0, zero_ok = 0, idle = 0, small_rem = 0;
	uint64_t over_cap = 0, most = 0;
	period pd;
	for (int k = 0; k < CASES; k++) {
		random_period(&pd, k);
		u128 pool = random_pool(), wfee, wrem;
		uint64_t bps = random_bps();
		u256 p = from128(pool), fee, rem;
		memcpy(pages, pd.counted, sizeof(pages));
		model(want, &wfee, &wrem, pool, bps, pd.want, pd.nbooks);
		caps += pd.cap_agrees;
		over_cap += pd.over_cap;
		most = pd.most > most ? pd.most : most;
		under += pd.most <= 1000;
		if (settle_split(pay, &fee, &rem, &p, bps, pages, pd.nbooks) < 0) {
			diagf("case %d: refused", k);
			continue;
		}
		bool same = to128(&fee) == wfee && to128(&rem) == wrem && fee.w[2] == 0 && rem.w[2] == 0;
		u128 sum = to128(&fee) + to128(&rem);
		bool read = false, zero = true;
		for (size_t i = 0; i < pd.nbooks; i++) {
			same = same && to128(&pay[i]) == want[i] && pay[i].w[2] == 0;
			sum += to128(&pay[i]);
			read = read || pd.want[i];
			if (!pd.want[i] && !u256_is_zero(&pay[i]))
				zero = false;
		}
		agree += same;
		exact += sum == pool;
		/* Unread books get nothing; a period with nothing read pays the foundation all. */
		if (!read) {
			idle++;
			zero = zero && to128(&fee) + to128(&rem) == pool;
		}
		zero_ok += zero;
		/* The remainder is a rounding: less than one Photon per book read. */
		small_rem += !read || to128(&rem) < (u128)pd.nbooks;
	}
	ok(caps == CASES, "every reader's batches counted through settle_capped what the model's own cap counts (%zu)",
	   caps);
	ok(under == CASES && most == 1000 && over_cap > 100,
	   "no (reader, book) counts more than 1,000 pages: %" PRIu64 " read past it, the most counted %" PRIu64,
	   over_cap, most);
	ok(agree == CASES, "%zu of %d random settlements agree with the model to the Photon", agree, CASES);
	ok(exact == CASES, "payouts + fee + remainder == pool in every one (%zu)", exact);
	ok(small_rem == CASES, "the remainder is less than one Photon per book (%zu)", small_rem);
	ok(zero_ok == CASES && idle > 50, "unread books get nothing; %zu periods with no page read pay the foundation all",
	   idle);

	/* settle_capped at its edges. */
	ok(settle_capped(0, 0) == 0 && settle_capped(0, 1000) == 1000 && settle_capped(0, 1500) == 1000 &&
		   settle_capped(999, 5) == 1 && settle_capped(1000, 1) == 0 && settle_capped(5000, 7) == 0 &&
		   settle_capped(UINT64_MAX, UINT64_MAX) == 0 && settle_capped(400, UINT64_MAX) == 600 &&
		   settle_capped(400, 600) == 600,
	   "settle_capped: min(add, 1000 - min(have, 1000)) at its edges");

	/*
	 * By hand: one reader read 500 pages of book 0; two readers read 1,500
	 * of book 1, each counted 1,000 (2,000 for the book: the cap is per
	 * reader, not per book); nobody read book 2. Pool 1000 Photons, 5 %.
	 */
	uint64_t hand[] = {settle_capped(0, 500), settle_capped(0, 1500) + settle_capped(0, 1500), 0};
	u256 pool = u256_from_u64(1000), fee, rem;
	ok(hand[0] == 500 && hand[1] == 2000 && settle_split(pay, &fee, &rem, &pool, 500, hand, 3) == 0 &&
		   fee.w[0] == 50 && pay[0].w[0] == 190 && pay[1].w[0] == 760 && u256_is_zero(&pay[2]) && rem.w[0] == 0,
	   "by hand: fee 50, then 950 split 500:2000 as 190 and 760 (two readers' 1,000 each), nothing left over");
	uint64_t odd[] = {1, 1, 1};
	ok(settle_split(pay, &fee, &rem, &pool, 0, odd, 3) == 0 && fee.w[0] == 0 && pay[0].w[0] == 333 &&
		   pay[2].w[0] == 333 && rem.w[0] == 1,
	   "by hand: 1000 over three equal books is 333 each and 1 Photon to the foundation");
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
	uint64_t huge[] = {UINT64_MAX, 1};
	ok(settle_split(pay, &fee, &rem, &pool, 500, huge, 2) < 0 && pay[0].w[0] == 77 && fee.w[0] == 77,
	   "pages summing to 2^64 are refused, nothing written");
	return unit_done();
}
