/*
 * sha256-rate: the machine's SHA-256 rate through libcrypto (what the
 * block store hashes with), over 1 MiB buffers as lst-block add hashes
 * its chunks: the yardstick for lst-block add. Prints {"sha256_mb_per_s":N}.
 */
#include "lst.h"
#include "cid.h"

#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	int mib = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 1024;
	size_t n = 1u << 20;
	uint8_t *b = malloc(n), out[32];
	if (!b)
		return 1;
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(i * 7 + 3);
	double t0 = now();
	for (int i = 0; i < mib; i++) {
		b[0] = (uint8_t)i;
		sha256(out, b, n);
	}
	double s = now() - t0;
	printf("{\"sha256_mb_per_s\":%.0f}\n", (double)mib * 1.048576 / s);
	free(b);
	return 0;
}
