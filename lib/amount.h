/*
 * amount.h: LST amounts as people write them and as plumbing prints them.
 *
 * 1 LST = 10^18 Photons. Porcelain takes "12.5lst", "12.5 LST",
 * "1000photon(s)" and a bare number meaning LST; plumbing JSON carries
 * Photons as decimal strings. Balances are 128-bit (DESIGN.md section 5):
 * larger amounts, more than 18 decimals, signs and exponents are refused.
 */
#ifndef LST_AMOUNT_H
#define LST_AMOUNT_H

#include "lst.h"
#include "u256.h"

/* Parse into Photons. 0, or -1 with the reason in err. */
int amount_parse(u256 *photons, char *err, size_t errlen, const char *text) LST_WUR;
/* "12.5 LST" style: whole part, '.', trimmed fraction, " LST". */
void amount_format(char *out, size_t outlen, const u256 *photons);

#endif
