/* fullblock.c: see fullblock.h. */
#include "lst.h"
#include "fullblock.h"
#include "diag.h"
#include "keccak.h"
#include "rlp.h"

static void tx_root(uint8_t out[32], pooled_tx *const *txs, size_t n)
{
	uint8_t (*leaves)[32] = xmalloc((n + 1) * 32);
	for (size_t i = 0; i < n; i++)
		memcpy(leaves[i], txs[i]->t.hash, 32);
	merkle_root(out, (const uint8_t (*)[32])leaves, n);
	free(leaves);
}

fullblock *fullblock_new(const block_header *h, const commit *last, pooled_tx **txs, size_t n)
{
	fullblock *b = xcalloc(1, sizeof(*b));
	b->refs = 1;
	b->h = *h;
	b->txs = txs;
	b->ntx = n;
	buf lc = BUF_INIT;
	if (last) {
		b->has_last_commit = true;
		b->last_commit = *last;
		b->last_commit.votes = xmalloc((last->nvotes + 1) * sizeof(vote));
		memcpy(b->last_commit.votes, last->votes, last->nvotes * sizeof(vote));
		commit_encode(&lc, last);
		keccak256(b->h.last_commit_hash, lc.p, lc.len);
	} else {
		memset(b->h.last_commit_hash, 0, 32);
	}
	tx_root(b->h.tx_root, txs, n);
	block_header_hash(b->hash, &b->h);
	buf *raws = xmalloc((n + 1) * sizeof(*raws));
	for (size_t i = 0; i < n; i++)
		raws[i] = txs[i]->raw; /* views: the block keeps owning them */
	fullblock_encode_parts(&b->wire, &b->h, raws, n, lc.p, lc.len);
	free(raws);
	buf_free(&lc);
	return b;
}

void fullblock_encode_parts(buf *out, const block_header *h, const buf *raws, size_t n, const uint8_t *last_commit,
			    size_t last_commit_len)
{
	size_t l = rlp_list_begin(out);
	block_header_encode(out, h);
	size_t t = rlp_list_begin(out);
	for (size_t i = 0; i < n; i++)
		rlp_put_bytes(out, raws[i].p, raws[i].len);
	rlp_list_end(out, t);
	if (last_commit_len)
		buf_add(out, last_commit, last_commit_len);
	else
		rlp_put_bytes(out, NULL, 0);
	rlp_list_end(out, l);
}

static int fail(char *err, size_t errlen, const char *msg)
{
	snprintf(err, errlen, "%s", msg);
	return -1;
}

/* The full encoding of a list item (payload plus its RLP header). */
static void item_bytes(const uint8_t **p, size_t *len, const rlp_item *it)
{
	size_t hdr = it->len < 56 ? 1 : 1 + (size_t)((64 - __builtin_clzll((unsigned long long)it->len) + 7) / 8);
	*p = it->p - hdr;
	*len = it->len + hdr;
}

int fullblock_decode(fullblock **out, char *err, size_t errlen, const uint8_t *wire, size_t len, mempool *mp,
		     uint64_t chain_id, size_t max_txs)
{
	rlp_item top, f[3], it;
	size_t n, pos = 0;
	int r;
	*out = NULL;
	if (rlp_decode(&top, wire, len) < 0 || rlp_list_items(f, 3, &n, &top) < 0 || n != 3 || !f[0].list ||
	    !f[1].list)
		return fail(err, errlen, "malformed block");
	fullblock *b = xcalloc(1, sizeof(*b));
	b->refs = 1;
	const uint8_t *hp;
	size_t hl;
	item_bytes(&hp, &hl, &f[0]);
	if (block_header_decode(&b->h, hp, hl) < 0) {
		fullblock_unref(b);
		return fail(err, errlen, "malformed block header");
	}
	if (b->h.chain_id != chain_id) {
		fullblock_unref(b);
		return fail(err, errlen, "block of another chain");
	}
	size_t cap = 0;
	while ((r = rlp_next(&it, &f[1], &pos)) == 1) {
		if (it.list || b->ntx >= max_txs) {
			r = -1;
			break;
		}
		if (b->ntx == cap) {
			cap = cap ? 2 * cap : 64;
			b->txs = xrealloc(b->txs, cap * sizeof(*b->txs));
		}
		pooled_tx *p = xcalloc(1, sizeof(*p));
		b->txs[b->ntx++] = p;
		buf_add(&p->raw, it.p, it.len);
		uint8_t hash[32], from[20];
		keccak256(hash, it.p, it.len);
		int d = mp && mempool_sender(mp, from, hash) == 0
				? tx_decode_trusted(&p->t, err, errlen, p->raw.p, p->raw.len, from)
				: tx_decode(&p->t, err, errlen, p->raw.p, p->raw.len);
		char e2[160];
		if (d < 0 || tx_check_chain(e2, sizeof(e2), &p->t, chain_id) < 0 || !p->t.has_chain_id || !p->t.has_to) {
			fullblock_unref(b);
			return fail(err, errlen, "block has an invalid transaction");
		}
	}
	if (r < 0) {
		fullblock_unref(b);
		return fail(err, errlen, "malformed block body");
	}
	uint8_t root[32], lch[32];
	tx_root(root, b->txs, b->ntx);
	if (memcmp(root, b->h.tx_root, 32)) {
		fullblock_unref(b);
		return fail(err, errlen, "tx root does not match the transactions");
	}
	if (f[2].list) {
		const uint8_t *cp;
		size_t cl;
		item_bytes(&cp, &cl, &f[2]);
		keccak256(lch, cp, cl);
		if (commit_decode(&b->last_commit, cp, cl) < 0) {
			fullblock_unref(b);
			return fail(err, errlen, "malformed last commit");
		}
		b->has_last_commit = true;
	} else {
		if (f[2].len) {
			fullblock_unref(b);
			return fail(err, errlen, "malformed last commit");
		}
		memset(lch, 0, 32);
	}
	if (memcmp(lch, b->h.last_commit_hash, 32)) {
		fullblock_unref(b);
		return fail(err, errlen, "last commit hash does not match");
	}
	block_header_hash(b->hash, &b->h);
	buf_add(&b->wire, wire, len);
	*out = b;
	return 0;
}

fullblock *fullblock_ref(fullblock *b)
{
	__atomic_add_fetch(&b->refs, 1, __ATOMIC_SEQ_CST);
	return b;
}

void fullblock_unref(fullblock *b)
{
	if (!b || __atomic_sub_fetch(&b->refs, 1, __ATOMIC_SEQ_CST) > 0)
		return;
	for (size_t i = 0; i < b->ntx; i++)
		pooled_tx_free(b->txs[i]);
	free(b->txs);
	commit_free(&b->last_commit);
	buf_free(&b->wire);
	free(b);
}
