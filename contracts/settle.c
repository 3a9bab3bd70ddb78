/* settle.c: see settle.h. */
#include "lst.h"
#include "settle.h"

int settle_split(u256 *payouts, u256 *fee, u256 *remainder, const u256 *pool, uint64_t service_fee_bps,
		 const uint64_t *pages, size_t n)
{
	u256 f, rest, paid = u256_from_u64(0);
	uint64_t total = 0;
	if (!u256_fits_u128(pool) || service_fee_bps > 10000)
		return -1;
	for (size_t i = 0; i < n; i++) /* at most n * 1000: no overflow for any n that fits in memory */
		total += pages[i] < SETTLE_PAGE_CAP ? pages[i] : SETTLE_PAGE_CAP;
	/* pool < 2^128 and bps <= 10^4: the products below stay far under 2^256 */
	if (u256_mul_small(&f, pool, service_fee_bps, 0) < 0)
		return -1;
	u256_div_small(&f, &f, 10000);
	if (u256_sub(&rest, pool, &f) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		uint64_t c = pages[i] < SETTLE_PAGE_CAP ? pages[i] : SETTLE_PAGE_CAP;
		u256 p = u256_from_u64(0);
		if (total && c) {
			if (u256_mul_small(&p, &rest, c, 0) < 0)
				return -1;
			u256_div_small(&p, &p, total);
		}
		payouts[i] = p;
		if (u256_add(&paid, &paid, &p) < 0)
			return -1;
	}
	if (u256_sub(remainder, &rest, &paid) < 0)
		return -1; /* cannot happen: floors sum to at most rest */
	*fee = f;
	return 0;
}
