/* pagefetch.c: see pagefetch.h. */
#include "lst.h"
#include "pagefetch.h"
#include "access.h"
#include "diag.h"
#include "http.h"
#include "unixfs.h"

#include <inttypes.h>
#include <time.h>

#define PROOF_LIFETIME 600
#define BLOCK_TIMEOUT_MS 30000

typedef struct {
	bstore *s;
	const char *base;
	access_headers h;
	uint64_t fetched;
} fetcher;

static int discard(void *arg, const uint8_t *data, size_t len)
{
	(void)arg, (void)data, (void)len;
	return 0;
}

/* GET one block from the gateway, check it, keep it. 0 or -1 (reported). */
static int get_block(fetcher *f, const cid *c)
{
	char cs[CID_STR_MAX], err[256];
	cid_str(cs, c);
	char *url = xasprintf("%s/ipfs/%s?format=raw", f->base, cs);
	buf b = BUF_INIT;
	long status = 0;
	int r = http_do(&b, &status, err, sizeof(err), url, f->h.list, f->h.n, NULL, 0, BLOCK_MAX, BLOCK_TIMEOUT_MS);
	if (r < 0)
		r = diag_error(LST_EUNAVAIL, "cannot get block '%s' from '%s': %s", cs, f->base, err);
	else if (status == 403)
		r = diag_error(LST_EREFUSED, "'%s' refuses block '%s' (HTTP 403)", f->base, cs);
	else if (status != 200)
		r = diag_error(LST_EUNAVAIL, "'%s' does not give block '%s' (HTTP %ld)", f->base, cs, status);
	else if (cid_check(c, b.p, b.len) < 0)
		r = diag_error(LST_EREFUSED, "'%s' sent a block that is not '%s'", f->base, cs);
	else
		r = bstore_put(f->s, c, b.p, b.len);
	if (r == 0)
		f->fetched++;
	buf_free(&b);
	free(url);
	return r;
}

/*
 * Read [off, off+len) of file c, fetching each block the read finds
 * missing, until it reads through. A block still missing after it was
 * fetched would loop: the budget ends it.
 */
static int span(fetcher *f, const cid *c, uint64_t off, uint64_t len)
{
	for (;;) {
		cid missing;
		int q = ufs_read(f->s, c, off, len, discard, NULL, &missing);
		if (q <= 0)
			return q;
		if (f->fetched >= PAGEFETCH_MAX_BLOCKS)
			return diag_error(LST_EFAIL, "the pages need more than %d blocks", PAGEFETCH_MAX_BLOCKS);
		if (get_block(f, &missing) < 0)
			return -1;
	}
}

int pagefetch(bstore *s, uint64_t *fetched, const uint8_t priv[32], const char *gateway, uint64_t min_height,
	      const cid *root, const pages_grant *g)
{
	fetcher f = {.s = s};
	char name[24];
	int r = 0;
	if (fetched)
		*fetched = 0;
	char *base = http_base_url(gateway);
	if (!base)
		return diag_error(LST_EUSAGE, "no gateway to fetch the pages from");
	f.base = base;
	if (access_headers_make(&f.h, priv, root, (uint64_t)time(NULL), PROOF_LIFETIME, min_height) < 0) {
		free(base);
		return -1;
	}
	if (!bstore_has(s, root))
		r = get_block(&f, root);
	uint64_t fi = UINT64_MAX;
	cid fc;
	for (size_t k = 0; r == 0 && k < g->n; k++) {
		if (g->file[k] != fi) {
			snprintf(name, sizeof(name), "%" PRIu64, g->file[k]);
			int q = ufs_resolve(s, &fc, root, name);
			if (q == 1) {
				char cs[CID_STR_MAX];
				cid_str(cs, root);
				r = diag_error(LST_ENOTFOUND, "no file %s in '%s'", name, cs);
			} else if (q < 0) {
				r = -1;
			}
			fi = g->file[k];
		}
		if (r == 0)
			r = span(&f, &fc, g->offset[k], g->length[k]);
	}
	if (fetched)
		*fetched = f.fetched;
	free(base);
	return r;
}
