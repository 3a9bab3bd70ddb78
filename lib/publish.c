/* publish.c: see publish.h. */
#include "lst.h"
#include "publish.h"
#include "addr.h"
#include "amount.h"
#include "bstore.h"
#include "buf.h"
#include "content.h"
#include "diag.h"
#include "fetch.h"
#include "gateway.h"
#include "hex.h"
#include "home.h"
#include "jsonio.h"
#include "manuscript.h"
#include "market.h"
#include "progress.h"
#include "rpcclient.h"
#include "subscription.h"
#include "swarmkey.h"
#include "wallet.h"

#include <sodium.h>
#include <unistd.h>

#define DETAILS_FILE_MAX (1u << 20)

static bool is_book_id(const char *s)
{
	return s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && strlen(s) == 66 && hex_is_valid(s);
}

int publish_book_resolve(uint8_t out[32], const char *spec, const uint8_t author[20])
{
	if (is_book_id(spec))
		return book_id_parse(out, spec);
	if (!*spec)
		return diag_error(LST_EUSAGE, "a book is a 0x book id or a title, not ''");
	book_id(out, author, spec);
	return 0;
}

int publish_book_get(book_info *out, const uint8_t book[32], const char *spec)
{
	int r = book_get(out, book);
	if (r == 1) {
		char id[67];
		book_id_str(id, book);
		if (spec && strcmp(spec, id))
			diag_error(LST_ENOTFOUND, "no such book '%s' (%s)", spec, id);
		else
			diag_error(LST_ENOTFOUND, "no such book '%s'", id);
		return -1;
	}
	return r;
}

int publish_block_time(uint64_t *out, uint64_t height)
{
	char q[32];
	json_t *b;
	snprintf(q, sizeof(q), "0x%llx", (unsigned long long)height);
	if (rpcc_call(&b, "eth_getBlockByNumber", json_pack("[s,b]", q, 0)) < 0)
		return -1;
	const char *ts = json_is_object(b) ? jsonio_get_str(b, "timestamp") : NULL;
	u256 t;
	int r = 0;
	if (!ts || u256_from_hex(&t, ts) < 0 || !u256_fits_u64(&t))
		r = diag_error(LST_EFAIL, "the node sent no timestamp for block %llu", (unsigned long long)height);
	else
		*out = t.w[0];
	json_decref(b);
	return r;
}

/* ---- preparing a version ---- */

/* The repository's directory name: DIR of DIR/.git, DIR of DIR.git; NULL (reported). */
static char *repo_name(const char *repo)
{
	char *full = realpath(repo, NULL);
	if (!full) {
		diag_error(LST_ENOTFOUND, "cannot open '%s': %s", repo, strerror(errno));
		return NULL;
	}
	size_t n = strlen(full);
	if (n >= 5 && !strcmp(full + n - 5, "/.git"))
		full[n - 5] = 0;
	char *slash = strrchr(full, '/');
	char *name = xstrdup(slash ? slash + 1 : full);
	free(full);
	n = strlen(name);
	if (n > 4 && !strcmp(name + n - 4, ".git"))
		name[n - 4] = 0;
	if (!*name) {
		free(name);
		diag_error(LST_EUSAGE, "cannot name a book after '%s'", repo);
		diag_hint("pass --title TITLE");
		return NULL;
	}
	return name;
}

/* --details FILE: a JSON object (new reference), or NULL (reported). */
static json_t *read_details(const char *path)
{
	buf b = BUF_INIT;
	json_t *j = NULL;
	if (buf_read_file(&b, path, DETAILS_FILE_MAX) < 0) {
		int e = errno;
		if (e == EFBIG)
			diag_error(LST_EINVALID, "details '%s' are too long", path);
		else
			diag_error(e == ENOENT ? LST_ENOTFOUND : LST_EFAIL, "cannot read '%s': %s", path, strerror(e));
	} else if ((j = jsonio_parse(b.p ? (char *)b.p : "", b.len, path)) && !json_is_object(j)) {
		json_decref(j);
		j = NULL;
		diag_error(LST_EINVALID, "details '%s' must be a JSON object", path);
	}
	buf_free(&b);
	return j;
}

/* Title and details of a book named by the title rule. */
static int title_details(publish_plan *p, const publish_opts *o)
{
	json_t *d = o->details_file ? read_details(o->details_file) : json_object();
	if (!d)
		return -1;
	json_t *t = json_object_get(d, "title");
	int r = 0;
	if (o->title) {
		p->title = xstrdup(o->title);
	} else if (t && !json_is_string(t)) {
		r = diag_error(LST_EINVALID, "the \"title\" of details '%s' must be a string", o->details_file);
	} else if (t) {
		p->title = xstrdup(json_string_value(t));
	} else if (!(p->title = repo_name(o->repo ? o->repo : "."))) {
		r = -1;
	}
	if (r == 0 && !*p->title)
		r = diag_error(LST_EUSAGE, "a book needs a title (--title)");
	if (r == 0 && strlen(p->title) > MARKET_TITLE_MAX)
		r = diag_error(LST_EINVALID, "the title is longer than %d bytes", MARKET_TITLE_MAX);
	json_t *title = r == 0 ? json_string(p->title) : NULL;
	if (r == 0 && !title)
		r = diag_error(LST_EINVALID, "the title must be UTF-8");
	if (r == 0) {
		json_object_set_new(d, "title", title);
		p->details = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
		if (!p->details)
			r = diag_error(LST_EINVALID, "details must be UTF-8 JSON");
		else if (strlen(p->details) > MARKET_DETAILS_MAX)
			r = diag_error(LST_EINVALID, "the details are longer than %d bytes", MARKET_DETAILS_MAX);
	}
	json_decref(d);
	return r;
}

static void add_progress(void *arg, uint64_t done)
{
	progress_update(arg, done, NULL);
}

/* The manuscript's files as an encrypted version in the home's store (not pinned yet): p->root, p->key. */
static int add_version(publish_plan *p, bool show)
{
	uint8_t digest[32];
	char idhex[67];
	size_t n = p->nfiles;
	content_input *in = xcalloc(n, sizeof(*in));
	size_t opened = 0;
	bstore *s = NULL;
	json_t *files = NULL;
	uint64_t blocks, stored;
	int r = -1;
	if (!(p->key = sodium_malloc(32))) {
		diag_error(LST_EFAIL, "out of secure memory");
		goto out;
	}
	for (; opened < n; opened++) {
		if (manuscript_open_blob(p->m, &in[opened].fd, &p->f[opened]) < 0)
			goto out;
		in[opened].path = p->f[opened].path;
		in[opened].size = p->f[opened].size;
	}
	book_id_str(idhex, p->book);
	manuscript_tree_digest(p->m, digest);
	content_key_derive(p->key, p->priv.priv, idhex, digest);
	if (!(s = home_store(true)))
		goto out;
	progress pg;
	progress_begin(&pg, "adding", p->bytes, false);
	if (!show)
		pg.on = false;
	r = content_add(s, &p->root, &files, &blocks, &stored, p->key, in, n, p->paged ? SUB_PAGE_BYTES : PUBLISH_SEGMENT,
			add_progress, &pg);
	progress_end(&pg);
out:
	json_decref(files);
	if (s)
		bstore_close(s);
	for (size_t i = 0; i < opened; i++)
		close(in[i].fd);
	free(in);
	return r;
}

/* Keep the version: pinned, gated (served to buyers only), its key kept for sealing to them. */
static int keep_version(const publish_plan *p)
{
	bstore *s = home_store(true);
	if (!s)
		return -1;
	int r = bstore_pin(s, &p->root) < 0 || gateway_gate_root(bstore_dir(s), &p->root) < 0 ||
			content_key_save(&p->root, p->key) < 0
		? -1 : 0;
	bstore_close(s);
	return r;
}

int publish_root_paged(bool *paged, const cid *root)
{
	char rs[CID_STR_MAX];
	json_t *m = NULL, *f;
	size_t i;
	bstore *s = NULL;
	uint8_t *key = sodium_malloc(32);
	*paged = false;
	if (!key)
		return diag_error(LST_EFAIL, "out of secure memory");
	int r = content_key_load(key, root);
	if (r == 0 && !(s = home_store(false)))
		r = -1;
	if (r == 0) {
		/* A block missing is "cannot tell", not an error: read quietly, report the rest. */
		diag_set_quiet(true);
		r = content_manifest(s, &m, root, key);
		diag_set_quiet(false);
		if (r < 0 && diag_status() == LST_ENOTFOUND) {
			diag_set_status(LST_OK);
			r = 1;
		} else if (r < 0) {
			cid_str(rs, root);
			r = diag_error(diag_status(), "cannot read the manifest of '%s' with the key kept for it", rs);
		}
	}
	if (r == 0) {
		json_t *files = json_object_get(m, "files");
		*paged = json_array_size(files) > 0;
		json_array_foreach(files, i, f)
			if (json_integer_value(json_object_get(f, "segment_size")) != SUB_PAGE_BYTES)
				*paged = false;
	}
	json_decref(m);
	if (s)
		bstore_close(s);
	sodium_free(key);
	return r;
}

/* An existing book without --pages: paged when its latest version is. */
static int paged_as_latest(publish_plan *p)
{
	book_version *v;
	size_t n;
	int r = book_versions(&v, &n, p->book);
	if (r != 0)
		return r < 0 ? -1 : 0;
	if (n && (r = publish_root_paged(&p->paged, &v[n - 1].root)) == 1) {
		char rs[CID_STR_MAX];
		cid_str(rs, &v[n - 1].root);
		diag_warn("this home cannot tell whether '%s' was published with pages (no key or blocks of '%s' here): "
			  "this version is not paged", p->title, rs);
		diag_hint("pass --pages for a book read by subscription");
		r = 0;
	}
	book_versions_free(v, n);
	return r;
}

/* An existing book: ours, and is the root one of its versions? */
static int existing(publish_plan *p, const book_info *info, const char *spec, const publish_opts *o)
{
	if (memcmp(info->author, p->author.address, 20)) {
		char a[ADDR_STR];
		addr_to_str(a, info->author);
		diag_error(LST_EREFUSED, "not the author of '%s'", spec);
		diag_hint("its author is %s; the home's key is %s", a, p->author.address_str);
		return -1;
	}
	free(p->title);
	free(p->details);
	p->title = xstrdup(info->title);
	p->details = xstrdup(info->details);
	if (o->has_price && u256_cmp(&o->price, &info->price)) {
		char h[128];
		amount_format(h, sizeof(h), &info->price);
		diag_warn("'%s' stays at %s (change the price with 'lst price')", p->title, h);
	}
	p->price = info->price;
	return 0;
}

static int find_version(publish_plan *p, bool *found)
{
	book_version *v;
	size_t n;
	*found = false;
	int r = book_versions(&v, &n, p->book);
	if (r == 1)
		return diag_error(LST_ENOTFOUND, "no such book '%s'", p->title);
	if (r < 0)
		return -1;
	for (size_t i = 0; i < n && !*found; i++)
		if (cid_equal(&v[i].root, &p->root)) {
			*found = true;
			p->version = i;
		}
	book_versions_free(v, n);
	return 0;
}

static int new_terms(publish_plan *p)
{
	book_terms *t = &p->terms;
	memcpy(t->author, p->author.address, 20);
	t->title = xstrdup(p->title);
	t->details = xstrdup(p->details);
	t->price = p->price;
	t->root = p->root;
	memcpy(t->tree, p->tree, 32);
	t->label = xstrdup(p->label);
	return book_terms_finish(t);
}

int publish_prepare(publish_plan *p, const publish_opts *o)
{
	memset(p, 0, sizeof(*p));
	book_info info;
	bool have_info = false;
	int r = -1, got;
	char treehex[41];
	if (keyring_find(&p->author, NULL) < 0)
		return -1;
	if (manuscript_open(&p->m, o->repo ? o->repo : ".", o->ref) < 0 ||
	    manuscript_files(p->m, &p->f, &p->nfiles, o->paths, o->npaths) < 0)
		goto out;
	if (p->nfiles == 0) {
		diag_error(LST_EINVALID, "nothing to publish: '%s' has no files", o->ref ? o->ref : "HEAD");
		goto out;
	}
	for (size_t i = 0; i < p->nfiles; i++)
		p->bytes += p->f[i].size;
	if (o->label) {
		p->label = xstrdup(o->label);
	} else if (o->ref) {
		p->label = xstrdup(o->ref);
	} else {
		char commit[41];
		manuscript_commit_id(p->m, commit);
		p->label = xstrdup(commit);
		p->label[7] = 0;
	}
	if (!*p->label || strlen(p->label) > MARKET_LABEL_MAX) {
		diag_error(LST_EINVALID, "a label has 1 to %d bytes, not '%s'", MARKET_LABEL_MAX, p->label);
		goto out;
	}
	manuscript_tree_id(p->m, treehex);
	if (hex_decode(p->tree, 20, treehex) < 0) {
		diag_error(LST_EFAIL, "bad git tree id '%s'", treehex);
		goto out;
	}
	p->paged = o->pages;
	/* Which book: named (release), or by the title rule. */
	const char *spec;
	if (o->book) {
		spec = o->book;
		if (publish_book_resolve(p->book, o->book, p->author.address) < 0)
			goto out;
		if (!is_book_id(o->book)) {
			p->title = xstrdup(o->book);
			p->details = xstrdup("");
		}
	} else {
		if (title_details(p, o) < 0)
			goto out;
		spec = p->title;
		book_id(p->book, p->author.address, p->title);
	}
	if ((got = book_get(&info, p->book)) < 0)
		goto out;
	have_info = got == 0;
	if (have_info) {
		if (existing(p, &info, spec, o) < 0)
			goto out;
		p->action = PUBLISH_RELEASE; /* or unchanged: publish_add tells */
		if (!p->paged && paged_as_latest(p) < 0)
			goto out;
	} else if (o->release || (o->book && is_book_id(o->book))) {
		diag_error(LST_ENOTFOUND, "no such book '%s'", spec);
		diag_hint("publish it first with 'lst publish'");
		goto out;
	} else if (!o->has_price) {
		diag_error(LST_EUSAGE, "a new book needs a price");
		diag_hint("pass --price AMOUNT (e.g. --price 2 for 2 LST)");
		goto out;
	} else if (!u256_fits_u128(&o->price)) {
		diag_error(LST_EINVALID, "the price is too large");
		goto out;
	} else {
		uint64_t bps;
		p->action = PUBLISH_NEW;
		p->price = o->price;
		if (book_chain_id(&p->terms.chain_id) < 0 || book_fees(&bps, &p->listing_fee, p->foundation) < 0)
			goto out;
	}
	for (size_t i = 0; p->paged && i < p->nfiles; i++)
		p->pages += (p->f[i].size + SUB_PAGE_BYTES - 1) / SUB_PAGE_BYTES;
	r = 0;
out:
	if (have_info)
		book_info_free(&info);
	return r;
}

int publish_add(publish_plan *p, bool show)
{
	if (keyring_unlock_ask(&p->priv, &p->author) < 0 || add_version(p, show) < 0)
		return -1;
	if (p->action != PUBLISH_NEW) {
		bool found;
		if (find_version(p, &found) < 0)
			return -1;
		p->action = found ? PUBLISH_UNCHANGED : PUBLISH_RELEASE;
		return 0;
	}
	p->version = 0;
	return new_terms(p);
}

/* A key of this home at the foundation's address, unlocked when k; 1 none. */
static int foundation_key(secret_key *k, const uint8_t foundation[20])
{
	key_entry *list;
	size_t n;
	int r = 1;
	if (keyring_list(&list, &n) < 0)
		return -1;
	for (size_t i = 0; i < n && r == 1; i++)
		if (!memcmp(list[i].address, foundation, 20))
			r = k && keyring_unlock_ask(k, &list[i]) < 0 ? -1 : 0;
	keyring_free_list(list, n);
	return r;
}

int publish_foundation_here(const publish_plan *p)
{
	return foundation_key(NULL, p->foundation);
}

int publish_cosig(uint8_t sig[65], const publish_plan *p, const char *sig_hex)
{
	char f[ADDR_STR];
	addr_to_str(f, p->foundation);
	if (sig_hex) {
		if (hex_decode(sig, 65, sig_hex) < 0)
			return diag_error(LST_EINVALID, "'%s' is not a signature (65 bytes of hex)", sig_hex);
	} else {
		secret_key k = {NULL};
		int r = foundation_key(&k, p->foundation);
		if (r != 0)
			return r;
		r = book_cosign(sig, k.priv, &p->terms);
		secret_free(&k);
		if (r < 0)
			return -1;
	}
	if (book_cosig_verify(sig, &p->terms, p->foundation) < 0) {
		diag_error(LST_EREFUSED, "the co-signature is not the foundation's (%s) over these terms", f);
		diag_hint("print the terms with --terms and have the foundation sign exactly those ('lst-sign cosign')");
		return -1;
	}
	return 0;
}

static int send_call(publish_plan *p, const buf *calldata, const u256 *value)
{
	json_t *rc = NULL;
	int r = book_send(&rc, &p->author, calldata, value, PUBLISH_TIMEOUT);
	const char *h = rc ? jsonio_get_str(rc, "transactionHash") : NULL;
	if (h && strlen(h) == 66) {
		memcpy(p->tx, h, 67);
		p->has_tx = true;
	}
	json_decref(rc);
	return r;
}

int publish_commit(publish_plan *p, const uint8_t *sig)
{
	buf cd = BUF_INIT;
	int r = -1;
	if (p->action == PUBLISH_UNCHANGED)
		return keep_version(p);
	if (p->action == PUBLISH_NEW) {
		u256 bal;
		if (wallet_balance(&bal, p->author.address) < 0)
			goto out;
		if (u256_cmp(&bal, &p->listing_fee) < 0) {
			char hb[128], hf[128];
			amount_format(hb, sizeof(hb), &bal);
			amount_format(hf, sizeof(hf), &p->listing_fee);
			diag_error(LST_EREFUSED, "the listing fee is %s and %s has %s", hf, p->author.address_str, hb);
			diag_hint("fund the key first ('lst send %s AMOUNT' from another key)", p->author.address_str);
			goto out;
		}
		if (book_call_publish(&cd, &p->terms, sig) < 0 || send_call(p, &cd, &p->listing_fee) < 0)
			goto out;
		p->version = 0;
	} else {
		bool found;
		if (book_call_add_version(&cd, p->book, &p->root, p->tree, p->label) < 0 || send_call(p, &cd, NULL) < 0 ||
		    find_version(p, &found) < 0)
			goto out;
		if (!found) {
			diag_error(LST_EFAIL, "the version is not on chain after its transaction");
			goto out;
		}
	}
	/* Kept once on chain, so a refusal leaves no pin or key behind (the blocks are gc's). */
	r = keep_version(p);
out:
	buf_free(&cd);
	return r;
}

bool publish_announce(const publish_plan *p)
{
	char rs[CID_STR_MAX];
	cid_str(rs, &p->root);
	char *self = swarm_self_gateway();
	if (!self) {
		diag_warn("this home serves no gateway, so readers cannot fetch '%s' from it", rs);
		diag_hint("start one with 'lst node start' or 'lst-swarm serve', then 'lst-swarm announce %s'", rs);
		return false;
	}
	bstore *s = home_store(true);
	int r = -1;
	if (s) {
		/* The reason goes to the warning below, not an error of a command that succeeds. */
		diag_set_quiet(true);
		r = swarm_announce(s, rpcc_url(), p->priv.priv, self, &p->root, PUBLISH_ANNOUNCE_TTL);
		diag_set_quiet(false);
		bstore_close(s);
	}
	if (r != 0) {
		diag_warn("could not announce '%s' to the node at '%s'", rs, rpcc_url());
		diag_hint("try again later with 'lst-swarm announce %s'", rs);
	}
	free(self);
	return r == 0;
}

json_t *publish_json(const publish_plan *p)
{
	static const char *const status[] = {"published", "released", "unchanged"};
	char id[67], rs[CID_STR_MAX], tree[67], price[U256_DEC_MAX];
	book_id_str(id, p->book);
	cid_str(rs, &p->root);
	hex_encode(tree, p->tree, 32);
	u256_to_dec(price, &p->price);
	return jsonio_obj("status", json_string(status[p->action]), "book", json_string(id), "title",
			  jsonio_str(p->title), "version", json_integer((json_int_t)p->version), "label",
			  jsonio_str(p->label), "root", json_string(rs), "tree", json_string(tree), "price",
			  json_string(price), "tx", p->has_tx ? json_string(p->tx) : json_null(), "files",
			  json_integer((json_int_t)p->nfiles), "bytes", json_integer((json_int_t)p->bytes), "pages",
			  p->paged ? json_integer((json_int_t)p->pages) : json_null(), NULL);
}

void publish_plan_free(publish_plan *p)
{
	if (p->author.path)
		keyring_entry_free(&p->author);
	secret_free(&p->priv);
	free(p->title);
	free(p->details);
	free(p->label);
	if (p->terms.title || p->terms.details || p->terms.label)
		book_terms_free(&p->terms);
	if (p->key)
		sodium_free(p->key);
	ms_files_free(p->f, p->nfiles);
	if (p->m)
		manuscript_close(p->m);
	memset(p, 0, sizeof(*p));
}
