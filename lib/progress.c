/* progress.c: the progress line of long commands; see progress.h. */
#include "lst.h"
#include "progress.h"

#include <time.h>
#include <unistd.h>

uint64_t progress_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void progress_bytes(char *out, size_t cap, double n)
{
	static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	size_t u = 0;
	while (n >= 1024 && u + 1 < ARRAY_SIZE(unit)) {
		n /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(out, cap, "%.0f %s", n, unit[u]);
	else
		snprintf(out, cap, "%.1f %s", n, unit[u]);
}

void progress_begin(progress *p, const char *what, uint64_t total, bool force)
{
	memset(p, 0, sizeof(*p));
	p->what = what;
	p->total = total;
	p->on = force || isatty(2);
	p->start_ms = progress_now_ms();
}

void progress_update(progress *p, uint64_t done, const char *extra)
{
	if (!p->on)
		return;
	uint64_t now = progress_now_ms();
	if (p->drawn && now - p->last_ms < 100 && !(p->total && done >= p->total))
		return;
	p->last_ms = now;
	char d[32], t[32], r[32], pct[16] = "";
	double secs = (double)(now - p->start_ms) / 1000.0;
	progress_bytes(d, sizeof(d), (double)done);
	progress_bytes(r, sizeof(r), secs > 0.05 ? (double)done / secs : 0);
	if (p->total) {
		progress_bytes(t, sizeof(t), (double)p->total);
		snprintf(pct, sizeof(pct), "%3u%%", (unsigned)(done * 100 / p->total));
	}
	fprintf(stderr, "\r\033[K%s  %s%s%s  %s  %s/s%s%s", p->what, d, p->total ? " / " : "", p->total ? t : "",
		pct, r, extra ? "  " : "", extra ? extra : "");
	fflush(stderr);
	p->drawn = true;
}

void progress_end(progress *p)
{
	if (p->on && p->drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	p->drawn = false;
}
