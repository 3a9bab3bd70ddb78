/* Manuscripts from git: refs, file lists, prefixes, blob fds, the tree digest, the work tree left alone. */
#include "lst.h"
#include "unit.h"
#include "cid.h"
#include "diag.h"
#include "manuscript.h"

#include <fcntl.h>
#include <ftw.h>
#include <git2.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[] = "/tmp/lst-t-manuscript-XXXXXX";
static git_repository *R;
static git_signature *sig;

static git_oid blob(const char *s)
{
	git_oid id;
	if (git_blob_create_from_buffer(&id, R, s, strlen(s)) < 0)
		abort();
	return id;
}

/* A tree from (name, mode, oid) entries. */
typedef struct {
	const char *name;
	git_filemode_t mode;
	git_oid id;
} ent;

static git_oid tree(const ent *e, size_t n)
{
	git_treebuilder *tb;
	git_oid id;
	if (git_treebuilder_new(&tb, R, NULL) < 0)
		abort();
	for (size_t i = 0; i < n; i++)
		if (git_treebuilder_insert(NULL, tb, e[i].name, &e[i].id, e[i].mode) < 0) {
			diagf("insert %s: %s", e[i].name, git_error_last()->message);
			abort();
		}
	if (git_treebuilder_write(&id, tb) < 0)
		abort();
	git_treebuilder_free(tb);
	return id;
}

static git_oid commit(const git_oid *tree_id, const git_oid *parent, const char *msg)
{
	git_tree *t;
	git_commit *p = NULL;
	git_oid id;
	if (git_tree_lookup(&t, R, tree_id) < 0 || (parent && git_commit_lookup(&p, R, parent) < 0))
		abort();
	const git_commit *parents[1] = {p};
	if (git_commit_create(&id, R, "HEAD", sig, sig, NULL, msg, t, p ? 1 : 0, parents) < 0) {
		diagf("commit: %s", git_error_last()->message);
		abort();
	}
	git_tree_free(t);
	git_commit_free(p);
	return id;
}

static char *slurp_fd(int fd, size_t *n)
{
	char *b = xmalloc(1 << 16);
	ssize_t r = read(fd, b, (1 << 16) - 1);
	*n = r < 0 ? 0 : (size_t)r;
	b[*n] = 0;
	return b;
}

static int rm_cb(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	return remove(p);
}

static const char *A_TXT = "alpha\n", *A_DASH = "dash\n", *A_X = "nested x\n", *D_TXT = "deep d file\n",
		  *BIG_Z = "Zed\n", *EXE = "#!/bin/sh\necho hi\n";

int main(void)
{
	if (!mkdtemp(tmp))
		abort();
	diag_init("t-manuscript");
	diag_set_quiet(true);
	git_libgit2_init();
	if (git_repository_init(&R, tmp, 0) < 0 || git_signature_new(&sig, "A", "a@example.org", 1700000000, 0) < 0)
		abort();

	/* a.txt, a-b, a/x, b/c/d.txt, empty, run.sh (exec), Z, link (symlink), sub (gitlink) */
	git_oid c_tree = tree((ent[]){{"d.txt", GIT_FILEMODE_BLOB, blob(D_TXT)}}, 1);
	git_oid b_tree = tree((ent[]){{"c", GIT_FILEMODE_TREE, c_tree}}, 1);
	git_oid a_tree = tree((ent[]){{"x", GIT_FILEMODE_BLOB, blob(A_X)}}, 1);
	git_oid sub;
	git_oid_fromstr(&sub, "0123456789abcdef0123456789abcdef01234567");
	ent top[] = {
		{"a.txt", GIT_FILEMODE_BLOB, blob(A_TXT)},   {"a-b", GIT_FILEMODE_BLOB, blob(A_DASH)},
		{"a", GIT_FILEMODE_TREE, a_tree},            {"b", GIT_FILEMODE_TREE, b_tree},
		{"empty", GIT_FILEMODE_BLOB, blob("")},      {"run.sh", GIT_FILEMODE_BLOB_EXECUTABLE, blob(EXE)},
		{"Z", GIT_FILEMODE_BLOB, blob(BIG_Z)},       {"link", GIT_FILEMODE_LINK, blob("a.txt")},
		{"sub", GIT_FILEMODE_COMMIT, sub},
	};
	git_oid t1 = tree(top, sizeof(top) / sizeof(top[0]));
	git_oid c1 = commit(&t1, NULL, "one\n");
	git_oid c2 = commit(&t1, &c1, "same tree\n"); /* HEAD: same tree as c1 */
	top[0].id = blob("alpha changed\n");
	git_oid t3 = tree(top, sizeof(top) / sizeof(top[0]));

	git_object *o;
	git_oid tagid;
	if (git_object_lookup(&o, R, &c1, GIT_OBJECT_COMMIT) < 0 ||
	    git_tag_create_lightweight(&tagid, R, "light", o, 0) < 0 ||
	    git_tag_create(&tagid, R, "v1", o, sig, "annotated\n", 0) < 0)
		abort();
	git_reference *br;
	if (git_branch_create(&br, R, "draft", (git_commit *)o, 0) < 0)
		abort();
	git_reference_free(br);
	git_object_free(o);
	git_oid bid = blob("not a commit\n");
	if (git_object_lookup(&o, R, &bid, GIT_OBJECT_BLOB) < 0 || git_tag_create_lightweight(&tagid, R, "blobtag", o, 0) < 0)
		abort();
	git_object_free(o);
	if (git_object_lookup(&o, R, &t1, GIT_OBJECT_TREE) < 0 || git_tag_create_lightweight(&tagid, R, "treetag", o, 0) < 0)
		abort();
	git_object_free(o);
	/* c3 on a branch of its own, HEAD stays at c2 */
	git_tree *tt;
	git_commit *pc;
	git_oid c3;
	if (git_tree_lookup(&tt, R, &t3) < 0 || git_commit_lookup(&pc, R, &c2) < 0)
		abort();
	const git_commit *par[1] = {pc};
	if (git_commit_create(&c3, R, "refs/heads/changed", sig, sig, NULL, "changed\n", tt, 1, par) < 0)
		abort();
	git_tree_free(tt);
	git_commit_free(pc);

	char c1hex[41], c2hex[41], c3hex[41], t1hex[41], abbrev[9];
	git_oid_tostr(c1hex, sizeof(c1hex), &c1);
	git_oid_tostr(c2hex, sizeof(c2hex), &c2);
	git_oid_tostr(c3hex, sizeof(c3hex), &c3);
	git_oid_tostr(t1hex, sizeof(t1hex), &t1);
	memcpy(abbrev, c1hex, 8);
	abbrev[8] = 0;

	/* an uncommitted change in the work tree, which must stay invisible and untouched */
	char *wpath = xasprintf("%s/a.txt", tmp);
	FILE *wf = fopen(wpath, "w");
	if (!wf)
		abort();
	fputs("uncommitted work\n", wf);
	fclose(wf);

	/* ---- refs ---- */
	struct {
		const char *ref;
		const char *commit;
	} refs[] = {{"v1", c1hex}, {"light", c1hex}, {"draft", c1hex}, {"refs/tags/v1", c1hex}, {c1hex, c1hex},
		    {abbrev, c1hex}, {NULL, c2hex},      {"HEAD", c2hex},  {"changed", c3hex}};
	uint8_t dig[9][32];
	for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		manuscript *m = NULL;
		char cmt[41] = "", tid[41] = "";
		int r = manuscript_open(&m, tmp, refs[i].ref);
		ok(r == 0 && m, "open at %s", refs[i].ref ? refs[i].ref : "NULL (HEAD)");
		if (!m)
			continue;
		manuscript_commit_id(m, cmt);
		manuscript_tree_id(m, tid);
		manuscript_tree_digest(m, dig[i]);
		ok(!strcmp(cmt, refs[i].commit), "%s resolves to its commit", refs[i].ref ? refs[i].ref : "HEAD");
		if (i < 8)
			ok(!strcmp(tid, t1hex), "%s has the committed tree", refs[i].ref ? refs[i].ref : "HEAD");
		manuscript_close(m);
	}
	ok(!memcmp(dig[0], dig[6], 32), "two commits with the same tree have the same tree digest");
	ok(memcmp(dig[0], dig[8], 32) != 0, "a changed file changes the tree digest");
	{
		uint8_t in[16 + 20], d[32];
		memcpy(in, "lst-git-tree-v1", 16);
		memcpy(in + 16, t1.id, 20);
		sha256(d, in, sizeof(in));
		ok(!memcmp(dig[0], d, 32), "the tree digest is SHA-256 of \"lst-git-tree-v1\\0\" || tree id");
	}

	manuscript *m = NULL;
	ok(manuscript_open(&m, tmp, "nosuch") < 0 && diag_status() == LST_ENOTFOUND && !m, "a missing ref is not found (3)");
	ok(manuscript_open(&m, tmp, "0000000000000000000000000000000000000000") < 0 && diag_status() == LST_ENOTFOUND,
	   "a missing commit id is not found (3)");
	ok(manuscript_open(&m, tmp, "blobtag") < 0 && diag_status() == LST_EINVALID && !m, "a ref to a blob is invalid (6)");
	ok(manuscript_open(&m, tmp, "treetag") < 0 && diag_status() == LST_EINVALID, "a ref to a tree is invalid (6)");
	ok(manuscript_open(&m, tmp, "") < 0 && diag_status() == LST_EINVALID, "an empty ref is invalid (6)");
	char *norepo = xasprintf("%s/no-such-dir", tmp);
	ok(manuscript_open(&m, norepo, NULL) < 0 && diag_status() == LST_ENOTFOUND, "a missing repository is not found (3)");
	char *notrepo = xasprintf("%s/.git/objects", tmp);
	ok(manuscript_open(&m, notrepo, NULL) < 0 && diag_status() == LST_ENOTFOUND,
	   "a directory inside a repository is not one (no search upwards)");
	free(notrepo);
	free(norepo);

	/* ---- files ---- */
	if (manuscript_open(&m, tmp, "v1") < 0)
		abort();
	ms_file *f = NULL;
	size_t n = 0;
	int r = manuscript_files(m, &f, &n, NULL, 0);
	static const char *want[] = {"Z", "a-b", "a.txt", "a/x", "b/c/d.txt", "empty", "run.sh"};
	const char *wbody[] = {BIG_Z, A_DASH, A_TXT, A_X, D_TXT, "", EXE};
	ok(r == 0 && n == 7, "seven files: the symlink and the submodule are skipped (got %zu)", n);
	bool order = r == 0 && n == 7, sizes = order, bytes = order;
	for (size_t i = 0; order && i < n; i++) {
		if (strcmp(f[i].path, want[i]))
			order = false;
		if (f[i].size != strlen(wbody[i]))
			sizes = false;
		int fd = -1;
		if (manuscript_open_blob(m, &fd, &f[i]) < 0) {
			bytes = false;
			continue;
		}
		size_t len;
		char *b = slurp_fd(fd, &len);
		if (len != strlen(wbody[i]) || memcmp(b, wbody[i], len))
			bytes = false;
		if (i == 2) {
			ok(write(fd, "x", 1) < 0, "a blob fd is sealed against writes");
			ok(ftruncate(fd, 0) < 0, "a blob fd is sealed against shrinking");
			ok(fcntl(fd, F_GETFD) & FD_CLOEXEC, "a blob fd is close-on-exec");
		}
		free(b);
		close(fd);
	}
	ok(order, "files in bytewise path order with nested dirs");
	ok(sizes, "file sizes are the blob sizes");
	ok(bytes, "every blob fd reads back the committed bytes (a.txt not the work tree's)");
	{
		ms_file bad = f[2];
		bad.size++;
		int fd = -1;
		ok(manuscript_open_blob(m, &fd, &bad) < 0 && fd == -1 && diag_status() == LST_EINVALID,
		   "a blob of another size than listed is refused");
		bad = f[2];
		memset(bad.oid, 0xab, 20);
		ok(manuscript_open_blob(m, &fd, &bad) < 0 && fd == -1 && diag_status() == LST_ENOTFOUND,
		   "a missing blob is not found");
	}
	ms_files_free(f, n);

	const char *p1[] = {"b", "a/"};
	r = manuscript_files(m, &f, &n, p1, 2);
	ok(r == 0 && n == 2 && !strcmp(f[0].path, "a/x") && !strcmp(f[1].path, "b/c/d.txt"),
	   "prefixes keep the files under them, in order");
	ms_files_free(f, n);
	const char *p2[] = {"a.txt"};
	r = manuscript_files(m, &f, &n, p2, 1);
	ok(r == 0 && n == 1 && !strcmp(f[0].path, "a.txt"), "a prefix naming a file keeps it alone (not a/x nor a-b)");
	ms_files_free(f, n);
	const char *p3[] = {"b/c/d.txt", "b/c"};
	r = manuscript_files(m, &f, &n, p3, 2);
	ok(r == 0 && n == 1, "overlapping prefixes list a file once");
	ms_files_free(f, n);
	const char *p4[] = {"a", "nope"};
	f = (ms_file *)1;
	r = manuscript_files(m, &f, &n, p4, 2);
	ok(r < 0 && diag_status() == LST_ENOTFOUND && !f && n == 0, "a prefix matching nothing is not found (3)");
	const char *p5[] = {"b/c/d"};
	r = manuscript_files(m, &f, &n, p5, 1);
	ok(r < 0 && diag_status() == LST_ENOTFOUND, "a prefix matches whole components only");
	const char *p6[] = {"link"};
	r = manuscript_files(m, &f, &n, p6, 1);
	ok(r < 0 && diag_status() == LST_ENOTFOUND, "a prefix naming only a symlink is not found");
	const char *bad[] = {"/a", "../a", "a/./x", "", "a//x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = manuscript_files(m, &f, &n, &bad[i], 1);
		ok(r < 0 && diag_status() == LST_EINVALID, "prefix '%s' is invalid (6)", bad[i]);
	}
	manuscript_close(m);

	/* the work tree is never touched */
	wf = fopen(wpath, "r");
	char line[64] = "";
	ok(wf && fgets(line, sizeof(line), wf) && !strcmp(line, "uncommitted work\n"), "the work tree's change is left as it was");
	if (wf)
		fclose(wf);
	struct stat st;
	char *other = xasprintf("%s/b", tmp);
	ok(stat(other, &st) < 0, "nothing was checked out");
	free(other);
	free(wpath);

	git_signature_free(sig);
	git_repository_free(R);
	git_libgit2_shutdown();
	nftw(tmp, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return unit_done();
}
