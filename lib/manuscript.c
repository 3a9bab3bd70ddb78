/* manuscript.c: see manuscript.h. */
#include "lst.h"
#include "manuscript.h"
#include "cid.h"
#include "diag.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <git2.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

struct manuscript {
	git_repository *repo;
	git_commit *commit;
	git_tree *tree;
};

static pthread_once_t git_once = PTHREAD_ONCE_INIT;
static int git_init_rc;

static void git_init(void)
{
	git_init_rc = git_libgit2_init();
}

static const char *git_msg(void)
{
	const git_error *e = git_error_last();
	return e && e->message ? e->message : "unknown libgit2 error";
}

int manuscript_open(manuscript **out, const char *repo_dir, const char *ref)
{
	*out = NULL;
	pthread_once(&git_once, git_init);
	if (git_init_rc < 0)
		return diag_error(LST_EFAIL, "cannot initialise libgit2 (%s)", git_msg());
	const char *spec = ref ? ref : "HEAD";
	if (!*spec || *spec == '-')
		return diag_error(LST_EINVALID, "invalid git ref '%s'", spec);
	manuscript *m = xcalloc(1, sizeof(*m));
	git_object *obj = NULL, *peeled = NULL;
	int rc = git_repository_open_ext(&m->repo, repo_dir, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
	if (rc < 0) {
		diag_error(rc == GIT_ENOTFOUND ? LST_ENOTFOUND : LST_EFAIL, "cannot open git repository '%s' (%s)",
			   repo_dir, git_msg());
		goto fail;
	}
	rc = git_revparse_single(&obj, m->repo, spec);
	if (rc < 0) {
		int code = rc == GIT_ENOTFOUND || rc == GIT_EUNBORNBRANCH ? LST_ENOTFOUND
			   : rc == GIT_EAMBIGUOUS || rc == GIT_EINVALIDSPEC ? LST_EINVALID
									       : LST_EFAIL;
		diag_error(code, "no git ref '%s' in '%s' (%s)", spec, repo_dir, git_msg());
		goto fail;
	}
	git_object_t type = git_object_type(obj);
	if ((type != GIT_OBJECT_COMMIT && type != GIT_OBJECT_TAG) ||
	    git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) < 0) {
		diag_error(LST_EINVALID, "git ref '%s' is not a commit or a tag of one (a %s)", spec,
			   git_object_type2string(type));
		goto fail;
	}
	m->commit = (git_commit *)peeled;
	peeled = NULL;
	if (git_commit_tree(&m->tree, m->commit) < 0) {
		diag_error(LST_EFAIL, "cannot read the tree of git ref '%s' (%s)", spec, git_msg());
		goto fail;
	}
	git_object_free(obj);
	*out = m;
	return 0;
fail:
	git_object_free(peeled);
	git_object_free(obj);
	manuscript_close(m);
	return -1;
}

void manuscript_close(manuscript *m)
{
	if (!m)
		return;
	git_tree_free(m->tree);
	git_commit_free(m->commit);
	git_repository_free(m->repo);
	free(m);
}

void manuscript_tree_id(const manuscript *m, char out[41])
{
	git_oid_tostr(out, 41, git_tree_id(m->tree));
}

void manuscript_commit_id(const manuscript *m, char out[41])
{
	git_oid_tostr(out, 41, git_commit_id(m->commit));
}

void manuscript_tree_digest(const manuscript *m, uint8_t out[32])
{
	static const char tag[] = "lst-git-tree-v1"; /* with its NUL: 16 bytes */
	uint8_t in[sizeof(tag) + 20];
	memcpy(in, tag, sizeof(tag));
	memcpy(in + sizeof(tag), git_tree_id(m->tree)->id, 20);
	sha256(out, in, sizeof(in));
}

void ms_files_free(ms_file *f, size_t n)
{
	if (!f)
		return;
	for (size_t i = 0; i < n; i++)
		free(f[i].path);
	free(f);
}

typedef struct {
	manuscript *m;
	git_odb *odb;
	ms_file *v;
	size_t n, cap;
} walk;

static int walk_tree(walk *w, const git_tree *t, const char *dir)
{
	size_t count = git_tree_entrycount(t);
	for (size_t i = 0; i < count; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(t, i);
		const char *name = git_tree_entry_name(e);
		char *path = *dir ? xasprintf("%s/%s", dir, name) : xstrdup(name);
		git_filemode_t mode = git_tree_entry_filemode(e);
		int r = 0;
		if (mode == GIT_FILEMODE_TREE) {
			git_tree *sub = NULL;
			if (git_tree_lookup(&sub, w->m->repo, git_tree_entry_id(e)) < 0)
				r = diag_error(LST_EFAIL, "cannot read git tree '%s' (%s)", path, git_msg());
			else
				r = walk_tree(w, sub, path);
			git_tree_free(sub);
		} else if (mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE) {
			size_t size = 0;
			git_object_t type;
			if (git_odb_read_header(&size, &type, w->odb, git_tree_entry_id(e)) < 0 ||
			    type != GIT_OBJECT_BLOB) {
				r = diag_error(LST_EFAIL, "cannot read git blob '%s' (%s)", path, git_msg());
			} else {
				if (w->n == w->cap) {
					w->cap = w->cap ? 2 * w->cap : 16;
					w->v = xrealloc(w->v, w->cap * sizeof(*w->v));
				}
				ms_file *f = &w->v[w->n++];
				f->path = path;
				path = NULL;
				f->size = size;
				memcpy(f->oid, git_tree_entry_id(e)->id, 20);
			}
		} /* else a symlink or a submodule: skipped */
		free(path);
		if (r < 0)
			return -1;
	}
	return 0;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const ms_file *)a)->path, ((const ms_file *)b)->path);
}

/* A prefix without trailing '/', or NULL (reported) if it is not a relative clean path. */
static char *clean_prefix(const char *p)
{
	size_t len = strlen(p);
	while (len > 0 && p[len - 1] == '/')
		len--;
	if (!len || p[0] == '/') {
		diag_error(LST_EINVALID, "invalid manuscript path '%s' (a path relative to the repository)", p);
		return NULL;
	}
	char *c = xmalloc(len + 1);
	memcpy(c, p, len);
	c[len] = 0;
	for (const char *s = c; *s;) {
		size_t k = strcspn(s, "/");
		if (k == 0 || (k == 1 && s[0] == '.') || (k == 2 && s[0] == '.' && s[1] == '.')) {
			diag_error(LST_EINVALID, "invalid manuscript path '%s' (empty, '.' or '..' component)", p);
			free(c);
			return NULL;
		}
		s += k;
		if (*s)
			s++;
	}
	return c;
}

static bool under(const char *path, const char *prefix)
{
	size_t k = strlen(prefix);
	return !strncmp(path, prefix, k) && (path[k] == 0 || path[k] == '/');
}

int manuscript_files(manuscript *m, ms_file **out, size_t *n, const char *const *paths, size_t npaths)
{
	*out = NULL;
	*n = 0;
	walk w = {.m = m};
	char **pre = npaths ? xcalloc(npaths, sizeof(*pre)) : NULL;
	bool *hit = npaths ? xcalloc(npaths, sizeof(*hit)) : NULL;
	int r = -1;
	for (size_t i = 0; i < npaths; i++)
		if (!(pre[i] = clean_prefix(paths[i])))
			goto out;
	if (git_repository_odb(&w.odb, m->repo) < 0) {
		diag_error(LST_EFAIL, "cannot open the git object database (%s)", git_msg());
		goto out;
	}
	if (walk_tree(&w, m->tree, "") < 0)
		goto out;
	if (w.n > 1)
		qsort(w.v, w.n, sizeof(*w.v), by_path);
	if (npaths) {
		size_t k = 0;
		for (size_t i = 0; i < w.n; i++) {
			bool keep = false;
			for (size_t j = 0; j < npaths; j++)
				if (under(w.v[i].path, pre[j]))
					keep = hit[j] = true;
			if (keep)
				w.v[k++] = w.v[i];
			else
				free(w.v[i].path);
		}
		w.n = k;
		for (size_t j = 0; j < npaths; j++)
			if (!hit[j]) {
				char id[41];
				manuscript_commit_id(m, id);
				diag_error(LST_ENOTFOUND, "no file under '%s' in the manuscript at %.12s", paths[j], id);
				goto out;
			}
	}
	*out = w.v;
	*n = w.n;
	w.v = NULL;
	w.n = 0;
	r = 0;
out:
	ms_files_free(w.v, w.n);
	git_odb_free(w.odb);
	for (size_t i = 0; i < npaths; i++)
		free(pre[i]);
	free(pre);
	free(hit);
	return r;
}

int manuscript_open_blob(manuscript *m, int *fd, const ms_file *f)
{
	*fd = -1;
	git_oid oid;
	git_blob *blob = NULL;
	git_oid_fromraw(&oid, f->oid);
	if (git_blob_lookup(&blob, m->repo, &oid) < 0)
		return diag_error(LST_ENOTFOUND, "no git blob for '%s' (%s)", f->path, git_msg());
	const uint8_t *p = git_blob_rawcontent(blob);
	uint64_t size = (uint64_t)git_blob_rawsize(blob);
	int r = -1, d = -1;
	if (size != f->size) {
		diag_error(LST_EINVALID, "git blob '%s' has %" PRIu64 " bytes, listed as %" PRIu64, f->path, size,
			   f->size);
		goto out;
	}
	d = memfd_create("lst-manuscript", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (d < 0) {
		diag_error(LST_EFAIL, "cannot create a memory file for '%s' (%s)", f->path, strerror(errno));
		goto out;
	}
	for (uint64_t done = 0; done < size;) {
		ssize_t w = write(d, p + done, (size_t)(size - done));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			diag_error(LST_EFAIL, "cannot write a memory file for '%s' (%s)", f->path,
				   w < 0 ? strerror(errno) : "short write");
			goto out;
		}
		done += (uint64_t)w;
	}
	if (fcntl(d, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) < 0 ||
	    lseek(d, 0, SEEK_SET) != 0) {
		diag_error(LST_EFAIL, "cannot seal the memory file for '%s' (%s)", f->path, strerror(errno));
		goto out;
	}
	*fd = d;
	d = -1;
	r = 0;
out:
	if (d >= 0)
		close(d);
	git_blob_free(blob);
	return r;
}
