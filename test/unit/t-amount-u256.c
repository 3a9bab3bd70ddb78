/* Amounts, u256 arithmetic and hex helpers. */
#include "lst.h"
#include "unit.h"
#include "amount.h"
#include "hex.h"
#include "u256.h"

static void parses(const char *text, const char *want_photons)
{
	u256 v;
	char err[128] = "", dec[U256_DEC_MAX] = "";
	int r = amount_parse(&v, err, sizeof(err), text);
	if (r == 0)
		u256_to_dec(dec, &v);
	ok(r == 0 && !strcmp(dec, want_photons), "amount '%s' is %s photons (%s%s)", text, want_photons, dec, err);
}

static void refuses(const char *text, const char *why)
{
	u256 v;
	char err[128] = "";
	ok(amount_parse(&v, err, sizeof(err), text) < 0 && strstr(err, why), "amount '%s' refused: %s", text, err);
}

static void formats(const char *photons, const char *want)
{
	u256 v;
	char out[128] = "";
	if (u256_from_dec(&v, photons) == 0)
		amount_format(out, sizeof(out), &v);
	ok(!strcmp(out, want), "%s photons print as '%s' (%s)", photons, want, out);
}

int main(void)
{
	parses("12.5lst", "12500000000000000000");
	parses("12.5 LST", "12500000000000000000");
	parses("1000photon", "1000");
	parses("1photons", "1");
	parses("3", "3000000000000000000");
	parses("0.000000000000000001", "1");
	parses("340282366920938463463.374607431768211455", "340282366920938463463374607431768211455");
	refuses("340282366920938463463.374607431768211456", "128-bit");
	refuses("0.0000000000000000001", "18 decimals");
	refuses("1.5photon", "indivisible");
	refuses("-1", "expected a number");
	refuses("1e18", "unknown unit");
	refuses("1..2", "two decimal points");
	refuses("", "expected a number");
	refuses("5 eth", "unknown unit");
	formats("12500000000000000000", "12.5 LST");
	formats("1", "0.000000000000000001 LST");
	formats("0", "0 LST");
	formats("3000000000000000000", "3 LST");

	u256 a, b, c;
	char dec[U256_DEC_MAX], hx[67];
	ok(u256_from_dec(&a, "115792089237316195423570985008687907853269984665640564039457584007913129639935") == 0,
	   "u256 parses 2^256-1");
	ok(u256_from_dec(&b, "115792089237316195423570985008687907853269984665640564039457584007913129639936") < 0,
	   "u256 refuses 2^256");
	ok(u256_from_hex(&b, "0x1" "0000000000000000000000000000000000000000000000000000000000000000") < 0,
	   "u256 refuses 65 hex digits");
	b = u256_from_u64(1);
	ok(u256_add(&c, &a, &b) < 0, "u256 add overflow detected");
	ok(u256_mul(&c, &a, &a) < 0, "u256 mul overflow detected");
	ok(u256_sub(&c, &b, &a) < 0, "u256 sub underflow detected");
	u256_to_hex(hx, &a);
	ok(!strcmp(hx, "0x" "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"), "u256 to hex");
	ok(u256_from_hex(&c, "0x00ff") == 0 && c.w[0] == 255, "u256 hex with leading zeros");
	u256_to_dec(dec, &c);
	ok(!strcmp(dec, "255"), "u256 to decimal");
	ok(u256_from_dec(&c, "0123") < 0, "decimal with a leading zero refused");

	uint8_t buf[4];
	ok(hex_decode(buf, 2, "0xabc") < 0, "odd hex refused");
	ok(hex_decode(buf, 2, "0xabzz") < 0, "non-hex refused");
	ok(hex_decode(buf, 2, "ABCD") == 0 && buf[0] == 0xab && buf[1] == 0xcd, "uppercase hex without prefix");
	return unit_done();
}
