/*
 * subperiod.c: the subscription contract's pure parts (subscription.h):
 * periods (calendar months in UTC by our own civil-date arithmetic, so no
 * TZ or libc calendar is involved, or fixed numbers of seconds), their
 * labels, and the served receipts' hash and signer.
 */
#include "lst.h"
#include "subscription.h"
#include "keccak.h"
#include "kit.h"
#include "msg.h"
#include "secp.h"

#include <inttypes.h>

#define RECEIPT_TAG "lst-pages-v1"
#define DAY 86400u

/* Days since 1970-01-01 of y-m-01 (y >= 1970, m 1..12); H. Hinnant's days_from_civil. */
static uint64_t days_from_civil(uint64_t y, unsigned m)
{
	y -= m <= 2;
	uint64_t era = y / 400, yoe = y - era * 400;
	uint64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5;
	uint64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The year and month of day z since 1970-01-01; civil_from_days. */
static void civil_from_days(uint64_t *y, unsigned *m, uint64_t z)
{
	z += 719468;
	uint64_t era = z / 146097, doe = z - era * 146097;
	uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	uint64_t mp = (5 * doy + 2) / 153;
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

uint64_t sub_period_of(uint64_t len, uint64_t t)
{
	uint64_t y;
	unsigned m;
	if (len)
		return t / len;
	civil_from_days(&y, &m, t / DAY);
	return (y - 1970) * 12 + m - 1;
}

/* Months: periods past this one start after 2^64 - 1 seconds (year ~5.8e11). */
#define MONTHS_MAX (UINT64_C(12) * 500000000000)

uint64_t sub_period_start(uint64_t len, uint64_t k)
{
	uint64_t days;
	if (len)
		return k > UINT64_MAX / len ? UINT64_MAX : k * len;
	if (k > MONTHS_MAX)
		return UINT64_MAX;
	days = days_from_civil(1970 + k / 12, (unsigned)(k % 12) + 1);
	return days > UINT64_MAX / DAY ? UINT64_MAX : days * DAY;
}

void sub_period_label(char *out, size_t cap, uint64_t len, uint64_t k)
{
	if (len)
		snprintf(out, cap, "%" PRIu64, k);
	else
		snprintf(out, cap, "%" PRIu64 "-%02u", 1970 + k / 12, (unsigned)(k % 12) + 1);
}

/* A decimal number of digits only (no sign, no space), below 2^64. */
static int parse_dec(uint64_t *x, const char *s, size_t n)
{
	uint64_t v = 0;
	if (!n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');
		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*x = v;
	return 0;
}

int sub_period_parse(uint64_t *k, uint64_t len, const char *s)
{
	const char *dash = strchr(s, '-');
	uint64_t y, m;
	if (!dash || len)
		return parse_dec(k, s, strlen(s));
	/* YYYY-MM: a year from 1970 (four digits or more), a month 01..12 */
	if (dash - s < 4 || strlen(dash + 1) != 2 || parse_dec(&y, s, (size_t)(dash - s)) < 0 ||
	    parse_dec(&m, dash + 1, 2) < 0 || y < 1970 || m < 1 || m > 12 || y - 1970 > (UINT64_MAX - 11) / 12)
		return -1;
	*k = (y - 1970) * 12 + m - 1;
	return 0;
}

void sub_receipt_hash(uint8_t out[32], uint64_t chain_id, const uint8_t reader[20], const uint8_t book[32],
		      uint64_t period, const uint32_t *pages, size_t n)
{
	uint8_t w[32], ph[32];
	keccak_ctx k;
	keccak256_init(&k);
	for (size_t i = 0; i < n; i++) {
		kit_word_u64(w, pages[i]);
		keccak256_update(&k, w, 32);
	}
	keccak256_final(&k, ph);
	keccak256_init(&k);
	keccak256_update(&k, (const uint8_t *)RECEIPT_TAG, strlen(RECEIPT_TAG));
	kit_word_u64(w, chain_id);
	keccak256_update(&k, w, 32);
	keccak256_update(&k, SUBSCRIPTION_ADDRESS, 20);
	keccak256_update(&k, reader, 20);
	keccak256_update(&k, book, 32);
	kit_word_u64(w, period);
	keccak256_update(&k, w, 32);
	keccak256_update(&k, ph, 32);
	keccak256_final(&k, out);
}

int sub_receipt_signer(uint8_t signer[20], const uint8_t sig[65], const uint8_t hash[32])
{
	uint8_t digest[32], pub[65];
	msg_hash(digest, hash, 32);
	if (msg_recover(pub, sig, digest) < 0)
		return -1;
	secp_address_from_pub(signer, pub);
	return 0;
}
