/* settle.c: see settle.h. */
#include "lst.h"
#include "settle.h"

uint64_t settle_capped(uint64_t have, uint64_t add)
{
	uint64_t room = SETTLE_PAGE_CAP - (have < SETTLE_PAGE_CAP ? have : SETTLE_PAGE_CAP);
	return add < room ? add : room;
}

int settle_split(u256 *payouts, u256 *fee, u256 *remainder, const u256 *pool, uint64_t service_fee_bps,
		 const uint64_t *pages, size_t n)
{
	u256 f, rest, paid = u256_from_u64(0);
	uint64_t total = 0;
	if (!u256_fits_u128(pool) || service_fee_bps > 10000)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (pages[i] > UINT64_MAX - total)
			return -1;
		total += pages[i];
	}
	/* pool < 2^128 and bps <= 10^4: the products below stay far under 2^256 */
	if (u256_mul_small(&f, pool, service_fee_bps, 0) < 0)
		return -1;
	u256_div_small(&f, &f, 10000);
	if (u256_sub(&rest, pool, &f) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		u256 p = u256_from_u64(0);
		if (total && pages[i]) { /* rest < 2^128, pages < 2^64: the product < 2^192 */
			if (u256_mul_small(&p, &rest, pages[i], 0) < 0)
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
