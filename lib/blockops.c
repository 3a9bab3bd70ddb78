/* blockops.c: adding paths, verify, gc, CAR export and import; see blockops.h. */
#include "lst.h"
#include "blockops.h"
#include "buf.h"
#include "car.h"
#include "dagpb.h"
#include "diag.h"
#include "hmap.h"
#include "jsonio.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

void cid_key(uint8_t out[CIDKEY_LEN], const cid *c)
{
	memset(out, 0, CIDKEY_LEN);
	out[0] = (uint8_t)c->len;
	memcpy(out + 1, c->bytes, c->len);
}

/* ---- collecting files ---------------------------------------------------- */

typedef struct {
	bo_file *v;
	size_t n, cap;
} filelist;

static void fl_push(filelist *l, const char *path, const char *fspath, uint64_t size)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n].path = xstrdup(path);
	l->v[l->n].fspath = xstrdup(fspath);
	l->v[l->n].size = size;
	l->n++;
}

void bo_files_free(bo_file *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(f[i].path);
		free(f[i].fspath);
	}
	free(f);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *base_name(const char *p, buf *tmp)
{
	buf_reset(tmp);
	buf_adds(tmp, p);
	while (tmp->len > 1 && tmp->p[tmp->len - 1] == '/')
		tmp->p[--tmp->len] = 0;
	const char *s = strrchr((char *)tmp->p, '/');
	return s ? s + 1 : (const char *)tmp->p;
}

static int collect_dir(filelist *l, const char *fsdir, const char *prefix, int depth)
{
	if (depth > 64)
		return diag_error(LST_EINVALID, "directory '%s' is nested too deep", fsdir);
	DIR *d = opendir(fsdir);
	if (!d)
		return diag_error(LST_ENOTFOUND, "cannot read directory '%s': %s", fsdir, strerror(errno));
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 32;
			names = xrealloc(names, cap * sizeof(*names));
		}
		names[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	int r = 0;
	buf fs = BUF_INIT, rel = BUF_INIT;
	for (size_t i = 0; i < n && r == 0; i++) {
		buf_reset(&fs);
		buf_reset(&rel);
		buf_addf(&fs, "%s/%s", fsdir, names[i]);
		buf_addf(&rel, "%s%s%s", prefix, *prefix ? "/" : "", names[i]);
		struct stat st;
		if (stat((char *)fs.p, &st) < 0)
			r = diag_error(LST_ENOTFOUND, "cannot read '%s': %s", (char *)fs.p, strerror(errno));
		else if (S_ISDIR(st.st_mode))
			r = collect_dir(l, (char *)fs.p, (char *)rel.p, depth + 1);
		else if (S_ISREG(st.st_mode))
			fl_push(l, (char *)rel.p, (char *)fs.p, (uint64_t)st.st_size);
		else
			r = diag_error(LST_EINVALID, "'%s' is not a regular file or directory", (char *)fs.p);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	buf_free(&fs);
	buf_free(&rel);
	return r;
}

int bo_collect(bo_file **out, size_t *n, const char *const *paths, size_t npaths)
{
	filelist l = {0};
	buf tmp = BUF_INIT;
	int r = 0;
	for (size_t i = 0; i < npaths && r == 0; i++) {
		const char *p = paths[i];
		if (!strcmp(p, "-")) {
			fl_push(&l, npaths == 1 ? "-" : "stdin", "-", 0);
			continue;
		}
		struct stat st;
		if (stat(p, &st) < 0) {
			r = diag_error(LST_ENOTFOUND, "cannot read '%s': %s", p, strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			/* A lone directory is the tree itself; among several, it is a subtree. */
			r = collect_dir(&l, p, npaths == 1 ? "" : base_name(p, &tmp), 0);
		} else if (S_ISREG(st.st_mode)) {
			if (access(p, R_OK) < 0)
				r = diag_error(LST_EFAIL, "cannot read '%s': %s", p, strerror(errno));
			else
				fl_push(&l, base_name(p, &tmp), p, (uint64_t)st.st_size);
		} else {
			r = diag_error(LST_EINVALID, "'%s' is not a regular file or directory", p);
		}
	}
	buf_free(&tmp);
	/* Names must be unique: two arguments with one base name would collide. */
	for (size_t i = 0; r == 0 && i < l.n; i++)
		for (size_t j = i + 1; j < l.n; j++)
			if (!strcmp(l.v[i].path, l.v[j].path)) {
				r = diag_error(LST_EINVALID, "two files would be named '%s'", l.v[i].path);
				break;
			}
	if (r == 0 && l.n == 0)
		r = diag_error(LST_EINVALID, "nothing to add: no files under the paths given");
	if (r < 0) {
		bo_files_free(l.v, l.n);
		return -1;
	}
	*out = l.v;
	*n = l.n;
	return 0;
}

/* ---- public add ------------------------------------------------------------ */

typedef struct {
	ufs_progress_fn fn;
	void *arg;
	uint64_t base;
} prog_ctx;

static void prog_fwd(void *arg, uint64_t done)
{
	prog_ctx *p = arg;
	if (p->fn)
		p->fn(p->arg, p->base + done);
}

/* A directory level being built: entries under a common prefix. */
typedef struct {
	ufs_entry *e;
	size_t n, cap;
} entries;

static void ent_push(entries *l, const char *name, const cid *c, uint64_t tsize)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->e = xrealloc(l->e, l->cap * sizeof(*l->e));
	}
	l->e[l->n].name = xstrdup(name);
	l->e[l->n].c = *c;
	l->e[l->n].tsize = tsize;
	l->n++;
}

static void ent_free(entries *l)
{
	for (size_t i = 0; i < l->n; i++)
		free((char *)l->e[i].name);
	free(l->e);
}

/*
 * Build the directory for files[lo, hi), all of whose paths start with
 * prefix (length plen, "" or "a/b/"). Files are in tree order, so a
 * subdirectory's files are contiguous.
 */
static int build_dir(bstore *s, cid *out, uint64_t *tsize, uint64_t *nb, uint64_t *nbytes, const bo_file *f,
		     const cid *fc, const uint64_t *fts, size_t lo, size_t hi, size_t plen)
{
	entries l = {0};
	int r = 0;
	buf name = BUF_INIT;
	for (size_t i = lo; i < hi && r == 0;) {
		const char *rest = f[i].path + plen;
		const char *slash = strchr(rest, '/');
		if (!slash) {
			ent_push(&l, rest, &fc[i], fts[i]);
			i++;
			continue;
		}
		size_t nlen = (size_t)(slash - rest);
		size_t j = i + 1;
		while (j < hi && !strncmp(f[j].path + plen, rest, nlen + 1))
			j++;
		buf_reset(&name);
		buf_add(&name, rest, nlen);
		cid sub;
		uint64_t st;
		r = build_dir(s, &sub, &st, nb, nbytes, f, fc, fts, i, j, plen + nlen + 1);
		if (r == 0)
			ent_push(&l, (char *)name.p, &sub, st);
		i = j;
	}
	if (r == 0)
		r = ufs_dir_put(s, out, tsize, l.e, l.n);
	if (r == 0) {
		uint64_t sum = 0;
		for (size_t i = 0; i < l.n; i++)
			sum += l.e[i].tsize;
		(*nb)++;
		*nbytes += *tsize - sum;
	}
	ent_free(&l);
	buf_free(&name);
	return r;
}

int bo_add_public(bstore *s, cid *root, json_t **files, uint64_t *blocks, uint64_t *bytes,
		  const char *const *paths, size_t npaths, ufs_progress_fn progress, void *arg)
{
	bo_file *f;
	size_t n;
	if (bo_collect(&f, &n, paths, npaths) < 0)
		return -1;
	cid *fc = xcalloc(n, sizeof(*fc));
	uint64_t *fts = xcalloc(n, sizeof(*fts));
	json_t *list = json_array();
	prog_ctx pc = {progress, arg, 0};
	uint64_t tb = 0, tbytes = 0;
	int r = 0;
	for (size_t i = 0; i < n && r == 0; i++) {
		int fd = strcmp(f[i].fspath, "-") ? open(f[i].fspath, O_RDONLY | O_CLOEXEC) : 0;
		if (fd < 0) {
			r = diag_error(LST_EFAIL, "cannot read '%s': %s", f[i].fspath, strerror(errno));
			break;
		}
		uint64_t size, b, by;
		r = ufs_add_fd(s, &fc[i], &size, &b, &by, fd, prog_fwd, &pc);
		if (fd)
			close(fd);
		if (r < 0)
			break;
		pc.base += size;
		tb += b;
		tbytes += by;
		fts[i] = by;
		char cs[CID_STR_MAX];
		cid_str(cs, &fc[i]);
		json_array_append_new(list, jsonio_obj("path", jsonio_str(f[i].path), "size", json_integer((json_int_t)size),
						       "cid", jsonio_str(cs), NULL));
	}
	if (r == 0) {
		/* One file given as a file: it is the root. Else a directory. */
		struct stat st;
		bool lone_file = npaths == 1 && (!strcmp(paths[0], "-") || (stat(paths[0], &st) == 0 && S_ISREG(st.st_mode)));
		if (lone_file) {
			*root = fc[0];
		} else {
			uint64_t ts;
			r = build_dir(s, root, &ts, &tb, &tbytes, f, fc, fts, 0, n, 0);
		}
	}
	free(fc);
	free(fts);
	bo_files_free(f, n);
	if (r < 0) {
		json_decref(list);
		return -1;
	}
	*files = list;
	*blocks = tb;
	*bytes = tbytes;
	return 0;
}

/* ---- verify ---------------------------------------------------------------- */

typedef struct {
	bstore *s;
	buf b;
	uint64_t checked, corrupt;
	void (*fn)(void *arg, const cid *c);
	void *arg;
	int err;
} verify_ctx;

static int verify_one(void *arg, const cid *c, uint64_t size)
{
	verify_ctx *v = arg;
	int g = bstore_get(v->s, &v->b, c);
	if (g < 0) {
		v->err = 1;
		return -1;
	}
	if (g == 1)
		return 0; /* removed meanwhile */
	v->checked++;
	if (cid_check(c, v->b.p, v->b.len) != 0) {
		v->corrupt++;
		if (v->fn)
			v->fn(v->arg, c);
	}
	return 0;
}

/* Walk root's DAG by links, each block once; missing blocks end a branch (reported via *missing). */
typedef int (*visit_fn)(void *arg, const cid *c, const uint8_t *data, size_t len);

static int walk_links(bstore *s, const cid *root, visit_fn fn, void *arg, cid *missing, bool *any_missing)
{
	hmap seen;
	hmap_init(&seen, CIDKEY_LEN);
	size_t cap = 64, top = 0;
	cid *stack = xmalloc(cap * sizeof(*stack));
	stack[top++] = *root;
	buf b = BUF_INIT;
	int r = 0;
	static int marker;
	while (top && r == 0) {
		cid c = stack[--top];
		uint8_t k[CIDKEY_LEN];
		cid_key(k, &c);
		if (hmap_get(&seen, k))
			continue;
		hmap_put(&seen, k, &marker);
		int g = bstore_get(s, &b, &c);
		if (g < 0) {
			r = -1;
			break;
		}
		if (g == 1) {
			if (!*any_missing && missing)
				*missing = c;
			*any_missing = true;
			continue;
		}
		if (fn && (r = fn(arg, &c, b.p, b.len)) != 0)
			break;
		cid *links;
		size_t nl;
		if (block_links(&links, &nl, &c, b.p, b.len) < 0)
			continue; /* undecodable (corrupt or foreign codec): a leaf for walking */
		if (top + nl > cap) {
			cap = 2 * (top + nl);
			stack = xrealloc(stack, cap * sizeof(*stack));
		}
		/* Push in reverse so links pop in order (DFS, link order). */
		for (size_t i = nl; i-- > 0;)
			stack[top++] = links[i];
		free(links);
	}
	free(stack);
	buf_free(&b);
	hmap_free(&seen);
	return r;
}

static int verify_visit(void *arg, const cid *c, const uint8_t *data, size_t len)
{
	verify_ctx *v = arg;
	v->checked++;
	if (cid_check(c, data, len) != 0) {
		v->corrupt++;
		if (v->fn)
			v->fn(v->arg, c);
	}
	return 0;
}

int bo_verify(bstore *s, uint64_t *checked, uint64_t *corrupt, const cid *root,
	      void (*fn)(void *arg, const cid *c), void *arg, cid *missing)
{
	verify_ctx v = {s, BUF_INIT, 0, 0, fn, arg, 0};
	int r;
	bool miss = false;
	if (root) {
		r = walk_links(s, root, verify_visit, &v, missing, &miss);
	} else {
		r = bstore_each(s, verify_one, &v);
		if (v.err)
			r = -1;
	}
	buf_free(&v.b);
	*checked = v.checked;
	*corrupt = v.corrupt;
	if (r < 0)
		return -1;
	if (miss)
		return 2;
	return v.corrupt ? 1 : 0;
}

/* ---- gc -------------------------------------------------------------------- */

typedef struct {
	bstore *s;
	hmap live;
	uint64_t removed, freed;
	int err;
} gc_ctx;

static int gc_mark_visit(void *arg, const cid *c, const uint8_t *data, size_t len)
{
	gc_ctx *g = arg;
	static int marker;
	uint8_t k[CIDKEY_LEN];
	cid_key(k, c);
	hmap_put(&g->live, k, &marker);
	return 0;
}

static int gc_mark(void *arg, const cid *root)
{
	gc_ctx *g = arg;
	bool miss = false;
	return walk_links(g->s, root, gc_mark_visit, g, NULL, &miss) < 0 ? -1 : 0;
}

static int gc_sweep(void *arg, const cid *c, uint64_t size)
{
	gc_ctx *g = arg;
	uint8_t k[CIDKEY_LEN];
	cid_key(k, c);
	if (hmap_get(&g->live, k))
		return 0;
	int r = bstore_rm(g->s, c);
	if (r < 0) {
		g->err = 1;
		return -1;
	}
	if (r == 0) {
		g->removed++;
		g->freed += size;
	}
	return 0;
}

int bo_gc(bstore *s, uint64_t *removed, uint64_t *freed)
{
	gc_ctx g = {.s = s};
	hmap_init(&g.live, CIDKEY_LEN);
	int r = bstore_each_pin(s, gc_mark, &g);
	if (r == 0)
		r = bstore_each(s, gc_sweep, &g);
	if (g.err)
		r = -1;
	hmap_free(&g.live);
	*removed = g.removed;
	*freed = g.freed;
	return r < 0 ? -1 : 0;
}

/* ---- CAR ------------------------------------------------------------------- */

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return diag_error(LST_EFAIL, "cannot write the CAR: %s", strerror(errno));
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

typedef struct {
	int fd;
	buf out;
} export_ctx;

static int export_visit(void *arg, const cid *c, const uint8_t *data, size_t len)
{
	export_ctx *e = arg;
	if (cid_check(c, data, len) != 0) {
		char cs[CID_STR_MAX];
		cid_str(cs, c);
		return diag_error(LST_EFAIL, "block '%s' is corrupt (hash mismatch; run 'lst-block verify')", cs);
	}
	car_section(&e->out, c, data, len);
	if (e->out.len >= (1u << 20)) {
		if (write_all(e->fd, e->out.p, e->out.len) < 0)
			return -1;
		buf_reset(&e->out);
	}
	return 0;
}

int bo_export(bstore *s, int fd, const cid *root, cid *missing)
{
	if (!bstore_has(s, root)) {
		if (missing)
			*missing = *root;
		return 1;
	}
	export_ctx e = {fd, BUF_INIT};
	car_header(&e.out, root, 1);
	bool miss = false;
	int r = walk_links(s, root, export_visit, &e, missing, &miss);
	if (r == 0 && miss)
		r = 1;
	if (r == 0 && e.out.len)
		r = write_all(fd, e.out.p, e.out.len);
	buf_free(&e.out);
	return r;
}

int bo_import(bstore *s, cid **roots, size_t *nroots, uint64_t *blocks, uint64_t *bytes, int fd)
{
	cid *rs;
	size_t nr;
	car_reader *cr = car_open(fd, &rs, &nr);
	if (!cr)
		return -1;
	cid *added = NULL;
	size_t nadded = 0, cap = 0;
	uint64_t nb = 0, nby = 0;
	buf b = BUF_INIT;
	cid c;
	int r;
	while ((r = car_next(cr, &c, &b)) == 1) {
		nb++;
		nby += b.len;
		if (bstore_has(s, &c))
			continue;
		if (bstore_put(s, &c, b.p, b.len) < 0) {
			r = -1;
			break;
		}
		if (nadded == cap) {
			cap = cap ? 2 * cap : 256;
			added = xrealloc(added, cap * sizeof(*added));
		}
		added[nadded++] = c;
	}
	car_close(cr);
	buf_free(&b);
	for (size_t i = 0; r == 0 && i < nr; i++)
		if (bstore_pin(s, &rs[i]) < 0)
			r = -1;
	if (r < 0) {
		/* Leave the store as it was. */
		for (size_t i = 0; i < nadded; i++)
			(void)!bstore_rm(s, &added[i]);
		free(added);
		free(rs);
		return -1;
	}
	free(added);
	*roots = rs;
	*nroots = nr;
	*blocks = nb;
	*bytes = nby;
	return 0;
}
