/* unixfs.c: see unixfs.h. */
#include "lst.h"
#include "unixfs.h"
#include "buf.h"
#include "dagpb.h"
#include "diag.h"
#include "hmap.h"

#include <pthread.h>
#include <unistd.h>

#define MAX_LEVELS 64   /* width >= 2 and 64-bit sizes: never more */
#define MAX_DEPTH 64    /* reading: deeper DAGs are refused (no stack overflow) */
#define MAX_WORKERS 2   /* threads hashing leaves (the caller reads and writes) */
#define NSLOTS 4        /* chunks in flight: NSLOTS * chunk bytes of memory */

/* ---- importing -------------------------------------------------------- */

/*
 * Leaves are hashed by a few worker threads while the calling thread
 * reads the next chunks and stores the hashed ones, in a ring of NSLOTS
 * chunk buffers: SHA-256 runs beside the read and write system calls. The
 * calling thread takes the leaves back in order, so links are added in
 * file order, stores them (errors are reported from that thread only),
 * and builds the nodes above them. A file of one chunk starts no thread.
 */

typedef struct {
	cid c;
	uint64_t tsize; /* the link's Tsize: bytes of the DAG under it */
	uint64_t fsize; /* file bytes under it: its blocksizes entry */
} ufs_link;

typedef struct {
	ufs_link *v;    /* the pending group, at most width links */
	size_t n;
	uint64_t total; /* links ever added at this level */
} level;

typedef struct {
	uint8_t *buf;   /* chunk bytes (allocated on first use) */
	size_t len;
	cid c;
	bool done;      /* hashed */
} slot;

struct ufs_writer {
	bstore *s;
	size_t chunk;
	unsigned width;
	level lv[MAX_LEVELS];
	size_t nlv;
	uint64_t size, blocks, bytes;
	bool failed;
	buf node, data; /* encoding scratch */
	pb_link *pl;    /* width links */
	uint64_t *bs;   /* width blocksizes */

	slot slots[NSLOTS];
	size_t fill;    /* bytes in the current slot, slots[submitted % NSLOTS] */
	uint64_t submitted, taken, retired; /* leaves: given out, picked by a worker, linked */
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	pthread_t th[MAX_WORKERS];
	int nth, want_th;
	bool quit;
};

ufs_writer *ufs_writer_new_params(bstore *s, size_t chunk, unsigned width)
{
	if (chunk == 0 || chunk > BLOCK_MAX || width < 2)
		diag_die(LST_EFAIL, "unixfs: bad chunk size %zu or width %u", chunk, width);
	ufs_writer *w = xcalloc(1, sizeof(*w));
	w->s = s;
	w->chunk = chunk;
	w->width = width;
	w->pl = xcalloc(width, sizeof(*w->pl));
	w->bs = xcalloc(width, sizeof(*w->bs));
	w->nlv = 1;
	w->lv[0].v = xmalloc(width * sizeof(ufs_link));
	w->slots[0].buf = xmalloc(chunk);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	w->want_th = n > 1 ? (n < MAX_WORKERS ? (int)n : MAX_WORKERS) : 0;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->work, NULL);
	pthread_cond_init(&w->done, NULL);
	return w;
}

ufs_writer *ufs_writer_new(bstore *s)
{
	return ufs_writer_new_params(s, UFS_CHUNK, UFS_WIDTH);
}

static int push(ufs_writer *w, size_t k, const ufs_link *l);

/* Close level k's pending group into one File node linked from level k+1. */
static int flush(ufs_writer *w, size_t k)
{
	level *L = &w->lv[k];
	ufs_link up = {.tsize = 0, .fsize = 0};
	for (size_t i = 0; i < L->n; i++) {
		w->pl[i] = (pb_link){.hash = L->v[i].c, .name = "", .name_len = 0, .has_name = true,
				     .tsize = L->v[i].tsize, .has_tsize = true};
		w->bs[i] = L->v[i].fsize;
		up.fsize += L->v[i].fsize;
		up.tsize += L->v[i].tsize;
	}
	ufs_data d = {.type = UFS_FILE, .filesize = up.fsize, .has_filesize = true,
		      .blocksizes = w->bs, .nblocksizes = L->n};
	buf_reset(&w->data);
	ufs_data_encode(&w->data, &d);
	pb_node n = {.links = w->pl, .nlinks = L->n, .data = w->data.p, .data_len = w->data.len,
		     .has_data = true};
	buf_reset(&w->node);
	pb_node_encode(&w->node, &n);
	cid_of(&up.c, CODEC_DAG_PB, w->node.p, w->node.len);
	up.tsize += w->node.len;
	L->n = 0;
	if (bstore_put(w->s, &up.c, w->node.p, w->node.len) < 0)
		return -1;
	w->blocks++;
	w->bytes += w->node.len;
	return push(w, k + 1, &up);
}

/* Add a link at level k; a full group is closed at once. */
static int push(ufs_writer *w, size_t k, const ufs_link *l)
{
	if (k == MAX_LEVELS)
		return diag_error(LST_EFAIL, "unixfs: file too large for %d levels", MAX_LEVELS);
	if (k == w->nlv) {
		w->lv[k].v = xmalloc(w->width * sizeof(ufs_link));
		w->nlv++;
	}
	level *L = &w->lv[k];
	L->v[L->n++] = *l;
	L->total++;
	return L->n == w->width ? flush(w, k) : 0;
}


static void *worker(void *arg)
{
	ufs_writer *w = arg;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->quit && w->taken == w->submitted)
			pthread_cond_wait(&w->work, &w->mu);
		if (w->taken == w->submitted)
			break;
		slot *sl = &w->slots[w->taken++ % NSLOTS];
		pthread_mutex_unlock(&w->mu);
		cid_of(&sl->c, CODEC_RAW, sl->buf, sl->len);
		pthread_mutex_lock(&w->mu);
		sl->done = true;
		pthread_cond_broadcast(&w->done);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

static void stop_workers(ufs_writer *w)
{
	pthread_mutex_lock(&w->mu);
	w->quit = true;
	pthread_cond_broadcast(&w->work);
	pthread_mutex_unlock(&w->mu);
	for (int i = 0; i < w->nth; i++)
		pthread_join(w->th[i], NULL);
	w->nth = 0;
}

/* The oldest leaf in flight, once hashed, is stored and becomes a link. */
static int retire(ufs_writer *w)
{
	slot *sl = &w->slots[w->retired % NSLOTS];
	pthread_mutex_lock(&w->mu);
	while (!sl->done)
		pthread_cond_wait(&w->done, &w->mu);
	pthread_mutex_unlock(&w->mu);
	w->retired++;
	if (bstore_put(w->s, &sl->c, sl->buf, sl->len) < 0)
		return -1;
	w->blocks++;
	w->bytes += sl->len;
	ufs_link l = {.c = sl->c, .tsize = sl->len, .fsize = sl->len};
	return push(w, 0, &l);
}

/*
 * The current slot (fill bytes) is a leaf: to a worker, or hashed here
 * when inline (the last chunk of a file that never filled one). Then the
 * next slot is made free.
 */
static int submit(ufs_writer *w, bool inline_ok)
{
	slot *sl = &w->slots[w->submitted % NSLOTS];
	sl->len = w->fill;
	sl->done = false;
	w->fill = 0;
	if (w->nth == 0 && (inline_ok || w->want_th == 0)) {
		cid_of(&sl->c, CODEC_RAW, sl->buf, sl->len);
		sl->done = true;
		w->submitted++;
		w->taken++;
	} else {
		while (w->nth < w->want_th && pthread_create(&w->th[w->nth], NULL, worker, w) == 0)
			w->nth++;
		pthread_mutex_lock(&w->mu);
		w->submitted++;
		if (w->nth == 0) { /* no thread could start: do it here */
			w->taken++;
			pthread_mutex_unlock(&w->mu);
			cid_of(&sl->c, CODEC_RAW, sl->buf, sl->len);
			sl->done = true;
		} else {
			pthread_cond_signal(&w->work);
			pthread_mutex_unlock(&w->mu);
		}
	}
	while (w->submitted - w->retired == NSLOTS)
		if (retire(w) < 0)
			return -1;
	slot *next = &w->slots[w->submitted % NSLOTS];
	if (!next->buf)
		next->buf = xmalloc(w->chunk);
	return 0;
}

static uint8_t *cur(ufs_writer *w)
{
	return w->slots[w->submitted % NSLOTS].buf;
}

int ufs_write(ufs_writer *w, const void *data, size_t len)
{
	const uint8_t *p = data;
	if (w->failed)
		return -1;
	w->size += len;
	while (len > 0) {
		size_t n = w->chunk - w->fill < len ? w->chunk - w->fill : len;
		memcpy(cur(w) + w->fill, p, n);
		w->fill += n;
		p += n;
		len -= n;
		if (w->fill == w->chunk && submit(w, false) < 0) {
			w->failed = true;
			return -1;
		}
	}
	return 0;
}

static void writer_free(ufs_writer *w)
{
	stop_workers(w);
	for (size_t k = 0; k < w->nlv; k++)
		free(w->lv[k].v);
	for (size_t i = 0; i < NSLOTS; i++)
		free(w->slots[i].buf);
	buf_free(&w->node);
	buf_free(&w->data);
	free(w->pl);
	free(w->bs);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->work);
	pthread_cond_destroy(&w->done);
	free(w);
}

void ufs_writer_abort(ufs_writer *w)
{
	if (w)
		writer_free(w);
}

/*
 * As ipfs-unixfs-importer's balanced layout: the chunker emits the rest
 * (or one empty chunk for an empty file); a file of one chunk is that raw
 * leaf; otherwise each level is cut in groups of width, the last group
 * may be short (even of one link), and the first level of one node is
 * the root.
 */
int ufs_writer_finish(ufs_writer *w, cid *root, uint64_t *size, uint64_t *blocks, uint64_t *bytes)
{
	int r = -1;
	if (w->failed)
		goto out;
	if ((w->fill > 0 || w->submitted == 0) && submit(w, true) < 0)
		goto out;
	while (w->retired < w->submitted)
		if (retire(w) < 0)
			goto out;
	for (size_t k = 0;; k++) {
		level *L = &w->lv[k];
		if (k + 1 == w->nlv && L->total == 1) {
			*root = L->v[0].c;
			break;
		}
		if (L->n > 0 && flush(w, k) < 0)
			goto out;
	}
	*size = w->size;
	if (blocks)
		*blocks = w->blocks;
	if (bytes)
		*bytes = w->bytes;
	r = 0;
out:
	writer_free(w);
	return r;
}

int ufs_add_fd(bstore *s, cid *root, uint64_t *size, uint64_t *blocks, uint64_t *bytes,
	       int fd, ufs_progress_fn progress, void *arg)
{
	ufs_writer *w = ufs_writer_new(s);
	/* read() straight into the chunk buffers: one copy from the kernel, none after. */
	for (;;) {
		ssize_t n = read(fd, cur(w) + w->fill, w->chunk - w->fill);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			diag_error(LST_EFAIL, "cannot read the file: %s", strerror(errno));
			ufs_writer_abort(w);
			return -1;
		}
		if (n == 0)
			break;
		w->fill += (size_t)n;
		w->size += (uint64_t)n;
		if (w->fill == w->chunk) {
			if (submit(w, false) < 0) {
				ufs_writer_abort(w);
				return -1;
			}
			if (progress)
				progress(arg, w->size);
		}
	}
	uint64_t done = w->size - w->fill;
	int r = ufs_writer_finish(w, root, size, blocks, bytes);
	if (r == 0 && progress && *size != done)
		progress(arg, *size);
	return r;
}

static int name_cmp(const void *a, const void *b)
{
	const ufs_entry *x = a, *y = b;
	return strcmp(x->name, y->name); /* bytewise, as unsigned char */
}

/*
 * In the 2025 profile (shardSplitStrategy 'block-bytes') the importer
 * turns a directory whose encoded node would exceed 256 KiB into a HAMT;
 * we do not write HAMTs, so we refuse such a directory rather than give
 * it a different CID.
 */
#define DIR_SHARD_THRESHOLD 262144

int ufs_dir_put(bstore *s, cid *root, uint64_t *tsize, const ufs_entry *entries, size_t n)
{
	ufs_entry *e = n ? xmalloc(n * sizeof(*e)) : NULL;
	pb_link *pl = n ? xcalloc(n, sizeof(*pl)) : NULL;
	buf data = BUF_INIT, node = BUF_INIT;
	uint64_t sum = 0;
	int r = -1;
	if (n)
		memcpy(e, entries, n * sizeof(*e));
	for (size_t i = 0; i < n; i++) {
		const char *nm = e[i].name;
		if (!nm || !*nm || strchr(nm, '/') || !strcmp(nm, ".") || !strcmp(nm, "..")) {
			diag_error(LST_EINVALID, "bad directory entry name '%s'", nm ? nm : "");
			goto out;
		}
	}
	if (n > 1)
		qsort(e, n, sizeof(*e), name_cmp);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && !strcmp(e[i - 1].name, e[i].name)) {
			diag_error(LST_EINVALID, "duplicate directory entry '%s'", e[i].name);
			goto out;
		}
		pl[i] = (pb_link){.hash = e[i].c, .name = e[i].name, .name_len = strlen(e[i].name),
				  .has_name = true, .tsize = e[i].tsize, .has_tsize = true};
		sum += e[i].tsize;
	}
	ufs_data d = {.type = UFS_DIRECTORY};
	ufs_data_encode(&data, &d);
	pb_node pn = {.links = pl, .nlinks = n, .data = data.p, .data_len = data.len, .has_data = true};
	pb_node_encode(&node, &pn);
	if (node.len > DIR_SHARD_THRESHOLD) {
		diag_error(LST_EINVALID, "directory of %zu entries too large for one node (%zu bytes)", n, node.len);
		diag_hint("sharded (HAMT) directories are not supported: split it into subdirectories");
		goto out;
	}
	cid_of(root, CODEC_DAG_PB, node.p, node.len);
	if (bstore_put(s, root, node.p, node.len) < 0)
		goto out;
	*tsize = sum + node.len;
	r = 0;
out:
	buf_free(&data);
	buf_free(&node);
	free(pl);
	free(e);
	return r;
}

/* ---- reading ---------------------------------------------------------- */

/*
 * Block c into b, checked against its CID (identity CIDs carry their
 * bytes). 0, 1 absent (*missing set), -1 error or corrupt (reported).
 */
static int get_checked(bstore *s, buf *b, const uint8_t **data, size_t *len, const cid *c, cid *missing)
{
	uint64_t code;
	const uint8_t *dg;
	size_t dlen;
	char str[CID_STR_MAX];
	cid_digest(c, &code, &dg, &dlen);
	if (code == MH_IDENTITY) {
		*data = dg;
		*len = dlen;
		return 0;
	}
	int r = bstore_get(s, b, c);
	if (r < 0)
		return -1;
	if (r > 0) {
		if (missing)
			*missing = *c;
		return 1;
	}
	if (cid_check(c, b->p, b->len) < 0) {
		cid_str(str, c);
		return diag_error(LST_EFAIL, "block '%s' is corrupt (hash mismatch)", str);
	}
	*data = b->p;
	*len = b->len;
	return 0;
}

static int malformed(const cid *c, const char *why)
{
	char str[CID_STR_MAX];
	cid_str(str, c);
	return diag_error(LST_EINVALID, "block '%s' is not valid unixfs (%s)", str, why);
}

/* A dag-pb block's node and UnixFS data; -1 reported when either is malformed. */
static int decode_ufs(pb_node *pn, ufs_data *ud, const cid *c, const uint8_t *data, size_t len)
{
	memset(pn, 0, sizeof(*pn));
	memset(ud, 0, sizeof(*ud));
	if (pb_node_decode(pn, data, len) < 0)
		return malformed(c, "bad dag-pb");
	if (!pn->has_data) {
		pb_node_free(pn);
		return malformed(c, "no data");
	}
	if (ufs_data_decode(ud, pn->data, pn->data_len) < 0) {
		pb_node_free(pn);
		return malformed(c, "bad unixfs data");
	}
	return 0;
}

int ufs_stat_of(bstore *s, ufs_stat *st, const cid *c)
{
	buf b = BUF_INIT;
	const uint8_t *data;
	size_t len;
	pb_node pn;
	ufs_data ud;
	memset(st, 0, sizeof(*st));
	int r = get_checked(s, &b, &data, &len, c, NULL);
	if (r != 0)
		goto out;
	switch (cid_codec(c)) {
	case CODEC_RAW:
		st->kind = UFS_ST_RAW_BLOCK;
		st->size = len;
		goto out;
	case CODEC_DAG_PB:
		break;
	default:
		st->kind = UFS_ST_OTHER;
		goto out;
	}
	memset(&ud, 0, sizeof(ud));
	if (pb_node_decode(&pn, data, len) < 0) {
		r = malformed(c, "bad dag-pb");
		goto out;
	}
	st->nlinks = pn.nlinks;
	st->kind = UFS_ST_OTHER; /* dag-pb that is not UnixFS */
	if (!pn.has_data || ufs_data_decode(&ud, pn.data, pn.data_len) < 0) {
		pb_node_free(&pn);
		goto out;
	}
	if (ud.type == UFS_FILE || ud.type == UFS_RAW) {
		st->kind = UFS_ST_FILE;
		if (ud.has_filesize) {
			st->size = ud.filesize;
		} else {
			st->size = ud.has_data ? ud.data_len : 0;
			for (size_t i = 0; i < ud.nblocksizes; i++)
				st->size += ud.blocksizes[i];
		}
	} else if (ud.type == UFS_DIRECTORY) {
		st->kind = UFS_ST_DIR;
	} else {
		st->kind = UFS_ST_OTHER;
	}
	ufs_data_free(&ud);
	pb_node_free(&pn);
out:
	buf_free(&b);
	return r;
}

typedef struct {
	bstore *s;
	ufs_sink_fn sink;
	void *arg;
	cid *missing;
	buf bufs[MAX_DEPTH]; /* one block per level */
} reader;

static int emit(reader *rd, const uint8_t *p, size_t n)
{
	if (n == 0)
		return 0;
	return rd->sink(rd->arg, p, n) ? -1 : 0;
}

/*
 * Bytes [off, off+len) of the file node c, clamped to its content, which
 * must be `expect` bytes (UINT64_MAX when not known: the root); children
 * outside the range are skipped unread, using blocksizes.
 */
static int read_node(reader *rd, const cid *c, size_t depth, uint64_t expect, uint64_t off, uint64_t len)
{
	const uint8_t *data;
	size_t dlen;
	if (depth == MAX_DEPTH)
		return malformed(c, "too deep");
	int r = get_checked(rd->s, &rd->bufs[depth], &data, &dlen, c, rd->missing);
	if (r != 0)
		return r;
	if (cid_codec(c) == CODEC_RAW) {
		if (expect != UINT64_MAX && dlen != expect)
			return malformed(c, "leaf size differs from its parent's blocksizes");
		if (off >= dlen)
			return 0;
		return emit(rd, data + off, (size_t)(len < dlen - off ? len : dlen - off));
	}
	if (cid_codec(c) != CODEC_DAG_PB)
		return malformed(c, "not a file");
	pb_node pn;
	ufs_data ud;
	if (decode_ufs(&pn, &ud, c, data, dlen) < 0)
		return -1;
	r = -1;
	if (ud.type == UFS_DIRECTORY || ud.type == UFS_HAMT_SHARD) {
		char str[CID_STR_MAX];
		cid_str(str, c);
		diag_error(LST_EINVALID, "'%s' is a directory, not a file", str);
		goto out;
	}
	if (ud.type != UFS_FILE && ud.type != UFS_RAW) {
		malformed(c, "not a file");
		goto out;
	}
	if (ud.nblocksizes != pn.nlinks) {
		malformed(c, "blocksizes and links differ in number");
		goto out;
	}
	uint64_t total = ud.has_data ? ud.data_len : 0;
	for (size_t i = 0; i < ud.nblocksizes; i++) {
		if (ud.blocksizes[i] > UINT64_MAX - total) {
			malformed(c, "sizes overflow");
			goto out;
		}
		total += ud.blocksizes[i];
	}
	if ((ud.has_filesize && ud.filesize != total) || (expect != UINT64_MAX && expect != total)) {
		malformed(c, "sizes disagree");
		goto out;
	}
	uint64_t end = off + len < off || off + len > total ? total : off + len;
	uint64_t pos = 0;
	if (ud.has_data) {
		if (off < ud.data_len) {
			uint64_t stop = end < ud.data_len ? end : ud.data_len;
			if (emit(rd, ud.data + off, (size_t)(stop - off)) < 0)
				goto out;
		}
		pos = ud.data_len;
	}
	for (size_t i = 0; i < pn.nlinks && pos < end && off < end; i++) {
		uint64_t bs = ud.blocksizes[i], cend = pos + bs;
		if (cend > off && bs > 0) {
			uint64_t coff = off > pos ? off - pos : 0;
			uint64_t cstop = end < cend ? end - pos : bs;
			r = read_node(rd, &pn.links[i].hash, depth + 1, bs, coff, cstop - coff);
			if (r != 0)
				goto out;
		}
		pos = cend;
	}
	r = 0;
out:
	ufs_data_free(&ud);
	pb_node_free(&pn);
	return r;
}

int ufs_read(bstore *s, const cid *c, uint64_t off, uint64_t len, ufs_sink_fn sink, void *arg, cid *missing)
{
	reader *rd = xcalloc(1, sizeof(*rd));
	rd->s = s;
	rd->sink = sink;
	rd->arg = arg;
	rd->missing = missing;
	int r = read_node(rd, c, 0, UINT64_MAX, off, len);
	for (size_t i = 0; i < MAX_DEPTH; i++)
		buf_free(&rd->bufs[i]);
	free(rd);
	return r;
}

/* The directory node c, decoded: 0, 1 missing, -1 not a directory or corrupt (reported). */
static int get_dir(bstore *s, buf *b, pb_node *pn, const cid *c, cid *missing)
{
	const uint8_t *data;
	size_t len;
	ufs_data ud;
	char str[CID_STR_MAX];
	int r = get_checked(s, b, &data, &len, c, missing);
	if (r != 0)
		return r;
	cid_str(str, c);
	if (cid_codec(c) != CODEC_DAG_PB)
		return diag_error(LST_EINVALID, "'%s' is not a directory", str);
	if (decode_ufs(pn, &ud, c, data, len) < 0)
		return -1;
	enum ufs_type t = ud.type;
	ufs_data_free(&ud);
	if (t == UFS_DIRECTORY)
		return 0;
	pb_node_free(pn);
	if (t == UFS_HAMT_SHARD)
		return diag_error(LST_EINVALID, "'%s' is a sharded directory (not supported)", str);
	return diag_error(LST_EINVALID, "'%s' is not a directory", str);
}

int ufs_ls(bstore *s, const cid *dir, ufs_ls_fn fn, void *arg)
{
	buf b = BUF_INIT;
	pb_node pn;
	int r = get_dir(s, &b, &pn, dir, NULL);
	if (r == 0) {
		for (size_t i = 0; i < pn.nlinks; i++) {
			const pb_link *l = &pn.links[i];
			int k = fn(arg, l->name ? l->name : "", l->name_len, &l->hash, l->tsize);
			if (k) {
				r = k < 0 ? -1 : 0;
				break;
			}
		}
		pb_node_free(&pn);
	}
	buf_free(&b);
	return r;
}

int ufs_resolve(bstore *s, cid *out, const cid *root, const char *path)
{
	buf b = BUF_INIT;
	cid cur = *root;
	const char *p = path ? path : "";
	int r = 0;
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		size_t n = strcspn(p, "/");
		pb_node pn;
		r = get_dir(s, &b, &pn, &cur, NULL);
		if (r > 0) {
			char str[CID_STR_MAX];
			cid_str(str, &cur);
			r = diag_error(LST_ENOTFOUND, "block '%s' is not in the store", str);
		}
		if (r < 0)
			break;
		r = 1;
		for (size_t i = 0; i < pn.nlinks; i++) {
			const pb_link *l = &pn.links[i];
			if (l->name_len == n && !memcmp(l->name, p, n)) {
				cur = l->hash;
				r = 0;
				break;
			}
		}
		pb_node_free(&pn);
		if (r)
			break;
		p += n;
	}
	buf_free(&b);
	if (r == 0)
		*out = cur;
	return r;
}

/* ---- walking ---------------------------------------------------------- */

typedef struct {
	cid *links;
	size_t n, i;
} frame;

#define KEYLEN (1 + CID_MAX)

static bool seen_add(hmap *seen, const cid *c)
{
	uint8_t key[KEYLEN];
	memset(key, 0, sizeof(key));
	key[0] = (uint8_t)c->len;
	memcpy(key + 1, c->bytes, c->len);
	if (hmap_get(seen, key))
		return true;
	hmap_put(seen, key, (void *)1);
	return false;
}

/* Visit c: read, check, fn, then its links become a new frame. */
static int visit(bstore *s, buf *b, frame *f, const cid *c, dag_walk_fn fn, void *arg, cid *missing)
{
	const uint8_t *data;
	size_t len;
	int r = get_checked(s, b, &data, &len, c, missing);
	if (r != 0)
		return r;
	int k = fn(arg, c, data, len);
	if (k)
		return k < 0 ? -1 : 2;
	f->i = 0;
	if (block_links(&f->links, &f->n, c, data, len) < 0) {
		char str[CID_STR_MAX];
		cid_str(str, c);
		return diag_error(LST_EINVALID, "block '%s' does not decode as its codec", str);
	}
	return 0;
}

int dag_walk(bstore *s, const cid *root, dag_walk_fn fn, void *arg, cid *missing)
{
	hmap seen;
	buf b = BUF_INIT;
	frame *st = NULL;
	size_t depth = 0, cap = 0;
	int r;
	hmap_init(&seen, KEYLEN);
	seen_add(&seen, root);
	cap = 8;
	st = xcalloc(cap, sizeof(*st));
	r = visit(s, &b, &st[0], root, fn, arg, missing);
	if (r == 0)
		depth = 1;
	while (r == 0 && depth > 0) {
		frame *f = &st[depth - 1];
		if (f->i == f->n) {
			free(f->links);
			f->links = NULL;
			depth--;
			continue;
		}
		const cid *c = &f->links[f->i++];
		if (seen_add(&seen, c))
			continue;
		if (depth == cap) {
			st = xrealloc(st, 2 * cap * sizeof(*st));
			memset(st + cap, 0, cap * sizeof(*st));
			cap *= 2;
			f = &st[depth - 1];
			c = &f->links[f->i - 1];
		}
		r = visit(s, &b, &st[depth], c, fn, arg, missing);
		if (r == 0)
			depth++;
	}
	for (size_t i = 0; i < depth; i++)
		free(st[i].links);
	free(st);
	buf_free(&b);
	hmap_free(&seen);
	return r == 2 ? 0 : r;
}
