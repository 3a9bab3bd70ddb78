/*
 * gated.c: the gated-root markers and the index of gated blocks; see
 * gated.h.
 */
#include "lst.h"
#include "gated.h"
#include "buf.h"
#include "dagpb.h"
#include "diag.h"
#include "gateway.h"
#include "hmap.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define WALK_MAX (1u << 22)      /* blocks indexed per gated root */
#define RACY_MS 100              /* an index built within a second of gated/'s change is rebuilt at most this often */

struct gated_index {
	bstore *bs;
	char *dir;                   /* STORE/gated */
	pthread_rwlock_t lock;       /* idx, roots, nroots */
	pthread_mutex_t build_lock;  /* builders, and the fields below */
	hmap idx;                    /* sha256(block CID) -> tagged root indices */
	cid *roots;
	size_t nroots;
	bool *incomplete;
	size_t nincomplete;
	bool built, dir_exists, racy;
	struct stat dir_st;
	uint64_t built_ms;
};

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void gated_store_key(char out[CID_STR_MAX], const cid *c)
{
	out[0] = 'b';
	base32_encode(out + 1, CID_STR_MAX - 1, c->bytes, c->len);
}

bool gated_is_identity(const cid *c)
{
	uint64_t mh;
	const uint8_t *d;
	size_t dl;
	cid_digest(c, &mh, &d, &dl);
	return mh == MH_IDENTITY;
}

static int key_to_cid(cid *out, const char *key)
{
	uint8_t b[CID_MAX + 8];
	size_t n = strlen(key), got, used;
	if (key[0] != 'b' || n < 2 || (n - 1) * 5 / 8 + 1 > sizeof(b))
		return -1;
	if (base32_decode(b, &got, key + 1, n - 1) < 0 || cid_decode(out, &used, b, got) < 0 || used != got)
		return -1;
	return 0;
}

static char *marker_path(const char *store_dir, const cid *root)
{
	char key[CID_STR_MAX];
	gated_store_key(key, root);
	return xasprintf("%s/gated/%s", store_dir, key);
}
int gateway_gate_root(const char *store_dir, const cid *root)
{
	char *dir = xasprintf("%s/gated", store_dir);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		diag_error(LST_EFAIL, "cannot create '%s': %s", dir, strerror(errno));
		free(dir);
		return -1;
	}
	free(dir);
	char *path = marker_path(store_dir, root);
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		diag_error(LST_EFAIL, "cannot create '%s': %s", path, strerror(errno));
		free(path);
		return -1;
	}
	close(fd);
	free(path);
	return 0;
}

bool gateway_root_gated(const char *store_dir, const cid *root)
{
	char *path = marker_path(store_dir, root);
	bool yes = access(path, F_OK) == 0;
	free(path);
	return yes;
}

/* A block's roots: one index tagged (i << 1 | 1), or a malloc'd {n, i...}. */
static void *tag_add(void *old, uint32_t i)
{
	if (!old)
		return (void *)(((uintptr_t)i << 1) | 1);
	uint32_t *a;
	if ((uintptr_t)old & 1) {
		uint32_t first = (uint32_t)((uintptr_t)old >> 1);
		if (first == i)
			return old;
		a = xmalloc(3 * sizeof(uint32_t));
		a[0] = 2;
		a[1] = first;
		a[2] = i;
		return a;
	}
	a = old;
	for (uint32_t k = 1; k <= a[0]; k++)
		if (a[k] == i)
			return a;
	a = xrealloc(a, (a[0] + 2) * sizeof(uint32_t));
	a[++a[0]] = i;
	return a;
}

static void index_free(hmap *m)
{
	const uint8_t *k;
	void *v;
	for (size_t i = 0; hmap_next(m, &i, &k, &v);)
		if (!((uintptr_t)v & 1))
			free(v);
	hmap_free(m);
}

static void cid_key(uint8_t k[32], const cid *c)
{
	sha256(k, c->bytes, c->len);
}


/*
 * Every block under root that the non-leaf blocks present name, as
 * 32-byte keys appended to keys. Raw leaves are not read. 1 when every
 * non-leaf block was there, 0 when the walk is incomplete.
 */
static int walk_gated(bstore *s, const cid *root, buf *keys)
{
	hmap seen;
	hmap_init(&seen, 32);
	cid *stack = xmalloc(sizeof(cid));
	size_t n = 1, cap = 1, visited = 0;
	int complete = 1;
	buf b = BUF_INIT;
	stack[0] = *root;
	while (n) {
		cid c = stack[--n];
		uint8_t k[32];
		if (gated_is_identity(&c))
			continue;
		cid_key(k, &c);
		if (hmap_get(&seen, k))
			continue;
		if (++visited > WALK_MAX) {
			complete = 0;
			break;
		}
		hmap_put(&seen, k, (void *)1);
		buf_add(keys, k, 32);
		if (cid_codec(&c) == CODEC_RAW)
			continue;
		if (bstore_get(s, &b, &c) != 0 || cid_check(&c, b.p, b.len) < 0) {
			complete = 0;
			continue;
		}
		cid *links;
		size_t nl;
		if (block_links(&links, &nl, &c, b.p, b.len) < 0)
			continue;
		if (n + nl > cap) {
			cap = (n + nl) * 2;
			stack = xrealloc(stack, cap * sizeof(cid));
		}
		for (size_t i = nl; i-- > 0;)
			stack[n++] = links[i];
		free(links);
	}
	buf_free(&b);
	free(stack);
	hmap_free(&seen);
	return complete;
}

static void index_add_keys(hmap *m, const buf *keys, uint32_t i)
{
	for (size_t off = 0; off + 32 <= keys->len; off += 32)
		hmap_put(m, keys->p + off, tag_add(hmap_get(m, keys->p + off), i));
}

/* Rebuild from gated/ (build_lock held). */
static void index_rebuild(gated_index *g)
{
	const char *dir = g->dir;
	uint64_t started = now_ms();
	struct stat st;
	bool exists = stat(dir, &st) == 0;
	cid *roots = NULL;
	size_t nroots = 0, cap = 0;
	DIR *d = exists ? opendir(dir) : NULL;
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			cid c;
			if (e->d_name[0] == '.' || key_to_cid(&c, e->d_name) < 0)
				continue;
			if (nroots == cap) {
				cap = cap ? cap * 2 : 16;
				roots = xrealloc(roots, cap * sizeof(cid));
			}
			roots[nroots++] = c;
		}
		closedir(d);
	}
	hmap m;
	hmap_init(&m, 32);
	bool *inc = xcalloc(nroots ? nroots : 1, sizeof(bool));
	size_t ninc = 0;
	for (size_t i = 0; i < nroots; i++) {
		buf keys = BUF_INIT;
		inc[i] = !walk_gated(g->bs, &roots[i], &keys);
		ninc += inc[i];
		index_add_keys(&m, &keys, (uint32_t)i);
		buf_free(&keys);
	}
	pthread_rwlock_wrlock(&g->lock);
	hmap old = g->idx;
	cid *old_roots = g->roots;
	g->idx = m;
	g->roots = roots;
	g->nroots = nroots;
	pthread_rwlock_unlock(&g->lock);
	index_free(&old);
	free(old_roots);
	free(g->incomplete);
	g->incomplete = inc;
	g->nincomplete = ninc;
	g->built = true;
	g->dir_exists = exists;
	if (exists)
		g->dir_st = st;
	g->built_ms = started;
	/* A change within the directory's time granularity may not show in its mtime: look again soon. */
	g->racy = exists && (uint64_t)st.st_mtim.tv_sec * 1000 + (uint64_t)st.st_mtim.tv_nsec / 1000000 + 1000 >= started;
}

/* Walk the roots whose DAG was incomplete again (build_lock held). */
static void index_rewalk(gated_index *g)
{
	size_t ninc = 0;
	for (size_t i = 0; i < g->nroots; i++) {
		if (!g->incomplete[i])
			continue;
		buf keys = BUF_INIT;
		g->incomplete[i] = !walk_gated(g->bs, &g->roots[i], &keys);
		ninc += g->incomplete[i];
		pthread_rwlock_wrlock(&g->lock);
		index_add_keys(&g->idx, &keys, (uint32_t)i);
		pthread_rwlock_unlock(&g->lock);
		buf_free(&keys);
	}
	g->nincomplete = ninc;
}

static void index_fresh(gated_index *g)
{
	struct stat st;
	bool exists = stat(g->dir, &st) == 0;
	pthread_mutex_lock(&g->build_lock);
	bool stale = !g->built || exists != g->dir_exists ||
		     (exists && (st.st_ino != g->dir_st.st_ino || st.st_mtim.tv_sec != g->dir_st.st_mtim.tv_sec ||
				 st.st_mtim.tv_nsec != g->dir_st.st_mtim.tv_nsec));
	if (!stale && g->racy && now_ms() >= g->built_ms + RACY_MS)
		stale = true;
	if (stale)
		index_rebuild(g);
	pthread_mutex_unlock(&g->build_lock);
}

static size_t index_lookup(gated_index *g, const cid *c, cid *out, size_t max)
{
	uint8_t k[32];
	size_t n = 0;
	cid_key(k, c);
	pthread_rwlock_rdlock(&g->lock);
	void *v = hmap_get(&g->idx, k);
	if (v && ((uintptr_t)v & 1)) {
		out[n++] = g->roots[(uintptr_t)v >> 1];
	} else if (v) {
		const uint32_t *a = v;
		for (uint32_t i = 1; i <= a[0] && n < max; i++)
			out[n++] = g->roots[a[i]];
	}
	pthread_rwlock_unlock(&g->lock);
	return n;
}

/* The gated roots block c is under (0: public). */
size_t gated_roots(gated_index *g, const cid *c, cid *out, size_t max)
{
	if (gated_is_identity(c))
		return 0;
	index_fresh(g);
	size_t n = index_lookup(g, c, out, max);
	if (n)
		return n;
	pthread_mutex_lock(&g->build_lock);
	bool again = g->nincomplete > 0;
	if (again)
		index_rewalk(g);
	pthread_mutex_unlock(&g->build_lock);
	return again ? index_lookup(g, c, out, max) : 0;
}

gated_index *gated_new(bstore *s, const char *store_dir)
{
	gated_index *g = xcalloc(1, sizeof(*g));
	g->bs = s;
	g->dir = xasprintf("%s/gated", store_dir);
	pthread_rwlock_init(&g->lock, NULL);
	pthread_mutex_init(&g->build_lock, NULL);
	hmap_init(&g->idx, 32);
	return g;
}

void gated_free(gated_index *g)
{
	if (!g)
		return;
	index_free(&g->idx);
	free(g->roots);
	free(g->incomplete);
	free(g->dir);
	pthread_rwlock_destroy(&g->lock);
	pthread_mutex_destroy(&g->build_lock);
	free(g);
}
