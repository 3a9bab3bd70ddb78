/* amount.c: see amount.h. */
#include "lst.h"
#include "amount.h"

#include <ctype.h>
#include <strings.h>

#define DECIMALS 18

static int fail(char *err, size_t errlen, const char *text, const char *why)
{
	snprintf(err, errlen, "invalid amount '%s': %s", text, why);
	return -1;
}

int amount_parse(u256 *photons, char *err, size_t errlen, const char *text)
{
	const char *p = text;
	u256 v = u256_from_u64(0);
	bool digits = false;
	int frac = -1; /* digits after the point, -1: no point */
	for (; *p && (isdigit((unsigned char)*p) || *p == '.'); p++) {
		if (*p == '.') {
			if (frac >= 0)
				return fail(err, errlen, text, "two decimal points");
			frac = 0;
			continue;
		}
		digits = true;
		if (frac >= 0 && ++frac > DECIMALS)
			return fail(err, errlen, text, "more than 18 decimals");
		if (u256_mul_small(&v, &v, 10, (uint64_t)(*p - '0')) < 0)
			return fail(err, errlen, text, "too large");
	}
	if (!digits)
		return fail(err, errlen, text, "expected a number such as 12.5lst or 1000photon");
	while (*p == ' ')
		p++;
	bool photon;
	if (!*p || !strcasecmp(p, "lst"))
		photon = false;
	else if (!strcasecmp(p, "photon") || !strcasecmp(p, "photons"))
		photon = true;
	else
		return fail(err, errlen, text, "unknown unit (use lst or photon)");
	int scale = photon ? 0 : DECIMALS - (frac < 0 ? 0 : frac);
	if (photon && frac > 0)
		return fail(err, errlen, text, "photons are indivisible");
	for (int i = 0; i < scale; i++)
		if (u256_mul_small(&v, &v, 10, 0) < 0)
			return fail(err, errlen, text, "too large");
	if (!u256_fits_u128(&v))
		return fail(err, errlen, text, "larger than a 128-bit balance");
	*photons = v;
	return 0;
}

void amount_format(char *out, size_t outlen, const u256 *photons)
{
	char dec[U256_DEC_MAX], whole[U256_DEC_MAX], frac[DECIMALS + 1];
	u256_to_dec(dec, photons);
	size_t n = strlen(dec);
	if (n > DECIMALS) {
		memcpy(whole, dec, n - DECIMALS);
		whole[n - DECIMALS] = 0;
		memcpy(frac, dec + n - DECIMALS, DECIMALS + 1);
	} else {
		whole[0] = '0';
		whole[1] = 0;
		memset(frac, '0', DECIMALS - n);
		memcpy(frac + DECIMALS - n, dec, n + 1);
	}
	size_t f = strlen(frac);
	while (f && frac[f - 1] == '0')
		frac[--f] = 0;
	snprintf(out, outlen, "%s%s%s LST", whole, f ? "." : "", frac);
}
