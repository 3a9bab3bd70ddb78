/* addr.c: see addr.h. */
#include "lst.h"
#include "addr.h"
#include "hex.h"
#include "keccak.h"

#include <ctype.h>

void addr_to_str(char out[ADDR_STR], const uint8_t a[20])
{
	uint8_t h[32];
	hex_encode(out, a, 20);
	keccak256(h, (const uint8_t *)out + 2, 40);
	for (int i = 0; i < 40; i++) {
		char *c = &out[2 + i];
		unsigned nib = (h[i / 2] >> (i % 2 ? 0 : 4)) & 15;
		if (*c >= 'a' && nib >= 8)
			*c = (char)toupper((unsigned char)*c);
	}
}

bool addr_looks_like(const char *s)
{
	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || strlen(s) != 42)
		return false;
	for (int i = 2; i < 42; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

int addr_parse(uint8_t a[20], const char *s, const char **why)
{
	if (!addr_looks_like(s) || hex_decode(a, 20, s) < 0) {
		*why = "not 20 bytes of hex";
		return -1;
	}
	bool lower = false, upper = false;
	for (int i = 2; i < 42; i++) {
		lower |= islower((unsigned char)s[i]) != 0;
		upper |= isupper((unsigned char)s[i]) != 0;
	}
	if (lower && upper) {
		char want[ADDR_STR];
		addr_to_str(want, a);
		if (strcmp(want + 2, s + 2)) {
			*why = "bad EIP-55 checksum";
			return -1;
		}
	}
	return 0;
}
