/*
 * pages-load: page-key requests against one provider (make bench).
 *
 *   pages-load GATEWAY-URL RPC-URL ROOT PAGES KEYS-FILE [THREADS] [SECONDS] [PER-REQUEST] [SERVER-PID]
 *
 * KEYS-FILE holds the private keys (hex, one a line) of readers who are
 * members of the category of ROOT's book (PAGES pages long). They
 * pre-sign 4096 page requests in turn (PER-REQUEST pages each, default 1,
 * at pages spread over the book); each reader's first answer is checked
 * as a reader checks it (the envelope opens, the receipt is the server's:
 * pages.h); then THREADS threads (default 8) each POST the requests over
 * one keep-alive connection for SECONDS (default 10). With SERVER-PID,
 * the CPU time that process used meanwhile, per request. Prints JSON:
 * {"requests","seconds","per_s","p50_ms","p99_ms","errors","threads",
 * "readers","pages_per_request","server_cpu_us"}; exit 1 when an answer
 * was not 200.
 */
#include "lst.h"
#include "bench.h"
#include "buf.h"
#include "cid.h"
#include "diag.h"
#include "hex.h"
#include "pages.h"
#include "rpcclient.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <unistd.h>

#define NREQ 4096
#define LAT_MAX (1u << 22)

static char url[512];
static char *bodies[NREQ];
static double deadline;
static double *lat;
static _Atomic size_t nlat;
static _Atomic size_t errors;

static void *client(void *arg)
{
	size_t i = (size_t)(uintptr_t)arg * 997;
	CURL *c = curl_easy_init();
	buf out = BUF_INIT;
	while (bench_now() < deadline) {
		const char *b = bodies[i++ % NREQ];
		double t0 = bench_now();
		long status = 0;
		if (bench_post(c, url, &out, b, strlen(b)) == 0)
			curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		double t1 = bench_now();
		if (status != 200)
			errors++;
		size_t k = nlat++;
		if (k < LAT_MAX)
			lat[k] = (t1 - t0) * 1000;
	}
	buf_free(&out);
	curl_easy_cleanup(c);
	return NULL;
}

/* utime + stime of pid, in seconds; -1 when unknown. */
static double cpu_of(long pid)
{
	char path[64], line[1024];
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	FILE *f = pid > 0 ? fopen(path, "r") : NULL;
	if (!f)
		return -1;
	size_t n = fread(line, 1, sizeof(line) - 1, f);
	fclose(f);
	line[n] = 0;
	char *p = strrchr(line, ')');
	unsigned long long ut, st;
	/* after ")": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	diag_init("pages-load");
	if (argc < 6) {
		fprintf(stderr, "usage: pages-load GATEWAY-URL RPC-URL ROOT PAGES KEYS-FILE [THREADS] [SECONDS] [PER-REQUEST] [SERVER-PID]\n");
		return 2;
	}
	if (sodium_init() < 0)
		return 1;
	cid root;
	uint32_t npages = (uint32_t)strtoul(argv[4], NULL, 10);
	size_t threads = argc > 6 ? strtoul(argv[6], NULL, 10) : 8;
	double seconds = argc > 7 ? strtod(argv[7], NULL) : 10;
	uint32_t per = argc > 8 ? (uint32_t)strtoul(argv[8], NULL, 10) : 1;
	long pid = argc > 9 ? strtol(argv[9], NULL, 10) : 0;
	if (cid_parse(&root, argv[3]) < 0 || !npages || !threads || threads > 256 || seconds <= 0 || !per ||
	    per > npages || per > PAGES_PER_REQUEST)
		return 2;
	/* The readers' keys. */
	FILE *kf = fopen(argv[5], "r");
	char line[256];
	size_t nkeys = 0;
	uint8_t *keys = sodium_malloc(256 * 32);
	while (kf && keys && nkeys < 256 && fgets(line, sizeof(line), kf)) {
		line[strcspn(line, "\r\n")] = 0;
		if (*line && hex_decode(keys + 32 * nkeys, 32, line) == 0)
			nkeys++;
	}
	sodium_memzero(line, sizeof(line));
	if (kf)
		fclose(kf);
	if (!nkeys) {
		fprintf(stderr, "pages-load: no keys in '%s'\n", argv[5]);
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rpcc_set_url(argv[2]);
	snprintf(url, sizeof(url), "%s/lst/v1/pages/%s", argv[1], argv[3]);
	uint64_t exp = (uint64_t)time(NULL) + 3600;
	for (size_t i = 0; i < NREQ; i++) {
		pages_request r;
		uint32_t from = 1 + (uint32_t)((i * 7919) % (npages - per + 1));
		if (pages_request_make(&r, keys + 32 * (i % nkeys), &root, from, from + per - 1, exp) < 0)
			return 1;
		json_t *j = pages_request_json(&r);
		bodies[i] = json_dumps(j, JSON_COMPACT);
		json_decref(j);
	}
	/* Each reader's answer checked as a reader would: it must open. */
	for (size_t k = 0; k < nkeys; k++) {
		pages_grant g;
		if (pages_ask(&g, argv[1], keys + 32 * k, &root, 1, per) < 0)
			return 1;
		pages_grant_free(&g);
	}
	lat = xmalloc(LAT_MAX * sizeof(double));
	pthread_t th[256];
	double c0 = cpu_of(pid), t0 = bench_now();
	deadline = t0 + seconds;
	for (size_t i = 0; i < threads; i++)
		pthread_create(&th[i], NULL, client, (void *)(uintptr_t)i);
	for (size_t i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	double elapsed = bench_now() - t0, c1 = cpu_of(pid);
	size_t n = nlat < LAT_MAX ? nlat : LAT_MAX;
	qsort(lat, n, sizeof(double), cmp_d);
	printf("{\"requests\":%zu,\"seconds\":%.2f,\"per_s\":%.0f,\"p50_ms\":%.2f,\"p99_ms\":%.2f,\"errors\":%zu,"
	       "\"threads\":%zu,\"readers\":%zu,\"pages_per_request\":%u,\"server_cpu_us\":%.0f}\n",
	       (size_t)nlat, elapsed, nlat / elapsed, n ? lat[n / 2] : 0.0, n ? lat[(size_t)(n * 0.99)] : 0.0,
	       (size_t)errors, threads, nkeys, per, c0 >= 0 && c1 >= 0 && nlat ? (c1 - c0) * 1e6 / (double)nlat : 0.0);
	for (size_t i = 0; i < NREQ; i++)
		free(bodies[i]);
	free(lat);
	sodium_free(keys);
	curl_global_cleanup();
	return errors ? 1 : 0;
}
