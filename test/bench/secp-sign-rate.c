/*
 * secp-sign-rate: the machine's raw libsecp256k1 recoverable-signing rate
 * (and recovery rate), the yardstick lst-sign's batch signing is held to.
 * Prints JSON: {"sign_per_s":N,"recover_per_s":N}.
 */
#include "lst.h"
#include "keccak.h"
#include "secp.h"

#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 20000;
	uint8_t priv[32], digest[32], sig[64], pub[65];
	int recid;
	secp_keygen(priv);
	memset(digest, 7, 32);
	double t0 = now();
	for (int i = 0; i < n; i++) {
		digest[0] = (uint8_t)i;
		digest[1] = (uint8_t)(i >> 8);
		if (secp_sign(sig, &recid, priv, digest) < 0)
			return 1;
	}
	double t1 = now();
	for (int i = 0; i < n; i++)
		if (secp_recover(pub, sig, recid, digest, false) < 0)
			return 1;
	double t2 = now();
	printf("{\"sign_per_s\":%.0f,\"recover_per_s\":%.0f}\n", n / (t1 - t0), n / (t2 - t1));
	return 0;
}
