/* block.c: see block.h. */
#include "lst.h"
#include "block.h"
#include "diag.h"
#include "keccak.h"
#include "msg.h"
#include "rlp.h"
#include "secp.h"

void block_header_encode(buf *b, const block_header *h)
{
	size_t l = rlp_list_begin(b);
	rlp_put_u64(b, h->chain_id);
	rlp_put_u64(b, h->height);
	rlp_put_u64(b, h->time);
	rlp_put_bytes(b, h->parent, 32);
	rlp_put_bytes(b, h->last_commit_hash, 32);
	rlp_put_bytes(b, h->tx_root, 32);
	rlp_put_bytes(b, h->app_hash, 32);
	rlp_put_bytes(b, h->validators_hash, 32);
	rlp_put_bytes(b, h->proposer, 20);
	rlp_list_end(b, l);
}

void block_header_hash(uint8_t out[32], const block_header *h)
{
	buf b = BUF_INIT;
	block_header_encode(&b, h);
	keccak256(out, b.p, b.len);
	buf_free(&b);
}

static int fixed(uint8_t *out, const rlp_item *it, size_t n)
{
	if (it->list || it->len != n)
		return -1;
	memcpy(out, it->p, n);
	return 0;
}

int block_header_decode(block_header *h, const uint8_t *p, size_t len)
{
	rlp_item top, f[9];
	size_t n;
	if (rlp_decode(&top, p, len) < 0 || rlp_list_items(f, 9, &n, &top) < 0 || n != 9)
		return -1;
	if (rlp_to_u64(&h->chain_id, &f[0]) < 0 || rlp_to_u64(&h->height, &f[1]) < 0 ||
	    rlp_to_u64(&h->time, &f[2]) < 0 || fixed(h->parent, &f[3], 32) < 0 ||
	    fixed(h->last_commit_hash, &f[4], 32) < 0 || fixed(h->tx_root, &f[5], 32) < 0 ||
	    fixed(h->app_hash, &f[6], 32) < 0 || fixed(h->validators_hash, &f[7], 32) < 0 ||
	    fixed(h->proposer, &f[8], 20) < 0)
		return -1;
	return 0;
}

void merkle_root(uint8_t out[32], const uint8_t (*leaves)[32], size_t n)
{
	if (n == 0) {
		keccak256(out, NULL, 0);
		return;
	}
	uint8_t (*level)[32] = xmalloc(n * 32);
	memcpy(level, leaves, n * 32);
	while (n > 1) {
		size_t m = 0;
		for (size_t i = 0; i < n; i += 2) {
			if (i + 1 == n) {
				memcpy(level[m++], level[i], 32);
				continue;
			}
			uint8_t pair[64];
			memcpy(pair, level[i], 32);
			memcpy(pair + 32, level[i + 1], 32);
			keccak256(level[m++], pair, 64);
		}
		n = m;
	}
	memcpy(out, level[0], 32);
	free(level);
}

void vote_digest(uint8_t out[32], const vote *v)
{
	buf b = BUF_INIT;
	size_t l = rlp_list_begin(&b);
	rlp_put_u64(&b, v->type);
	rlp_put_u64(&b, v->chain_id);
	rlp_put_u64(&b, v->height);
	rlp_put_u64(&b, v->round);
	rlp_put_bytes(&b, v->block_hash, 32);
	rlp_list_end(&b, l);
	keccak256(out, b.p, b.len);
	buf_free(&b);
}

int vote_sign(vote *v, const uint8_t priv[32], const uint8_t address[20])
{
	uint8_t d[32];
	memcpy(v->validator, address, 20);
	vote_digest(d, v);
	return msg_sign(v->sig, priv, d);
}

int vote_verify(const vote *v)
{
	uint8_t d[32], pub[65], a[20];
	vote_digest(d, v);
	if (msg_recover(pub, v->sig, d) < 0)
		return -1;
	secp_address_from_pub(a, pub);
	return memcmp(a, v->validator, 20) ? -1 : 0;
}

void vote_encode(buf *b, const vote *v)
{
	size_t l = rlp_list_begin(b);
	rlp_put_u64(b, v->type);
	rlp_put_u64(b, v->chain_id);
	rlp_put_u64(b, v->height);
	rlp_put_u64(b, v->round);
	rlp_put_bytes(b, v->block_hash, 32);
	rlp_put_bytes(b, v->sig, 65);
	rlp_list_end(b, l);
}

static int recover_signer(uint8_t out[20], const uint8_t sig[65], const uint8_t digest[32])
{
	uint8_t pub[65];
	if (msg_recover(pub, sig, digest) < 0)
		return -1;
	secp_address_from_pub(out, pub);
	return 0;
}

int vote_decode(vote *v, const uint8_t *p, size_t len)
{
	rlp_item top, f[6];
	size_t n;
	uint64_t type, round;
	uint8_t d[32];
	memset(v, 0, sizeof(*v));
	if (rlp_decode(&top, p, len) < 0 || rlp_list_items(f, 6, &n, &top) < 0 || n != 6 ||
	    rlp_to_u64(&type, &f[0]) < 0 || (type != VOTE_PREVOTE && type != VOTE_PRECOMMIT) ||
	    rlp_to_u64(&v->chain_id, &f[1]) < 0 || rlp_to_u64(&v->height, &f[2]) < 0 ||
	    rlp_to_u64(&round, &f[3]) < 0 || round > UINT32_MAX || fixed(v->block_hash, &f[4], 32) < 0 ||
	    fixed(v->sig, &f[5], 65) < 0)
		return -1;
	v->type = (uint8_t)type;
	v->round = (uint32_t)round;
	vote_digest(d, v);
	return recover_signer(v->validator, v->sig, d);
}

void proposal_digest(uint8_t out[32], const proposal *p)
{
	buf b = BUF_INIT;
	size_t l = rlp_list_begin(&b);
	rlp_put_u64(&b, SIGN_PROPOSAL);
	rlp_put_u64(&b, p->chain_id);
	rlp_put_u64(&b, p->height);
	rlp_put_u64(&b, p->round);
	rlp_put_u64(&b, (uint64_t)((int64_t)p->pol_round + 1));
	rlp_put_bytes(&b, p->block_hash, 32);
	rlp_list_end(&b, l);
	keccak256(out, b.p, b.len);
	buf_free(&b);
}

int proposal_sign(proposal *p, const uint8_t priv[32], const uint8_t address[20])
{
	uint8_t d[32];
	memcpy(p->proposer, address, 20);
	proposal_digest(d, p);
	return msg_sign(p->sig, priv, d);
}

void proposal_encode(buf *b, const proposal *p)
{
	size_t l = rlp_list_begin(b);
	rlp_put_u64(b, p->chain_id);
	rlp_put_u64(b, p->height);
	rlp_put_u64(b, p->round);
	rlp_put_u64(b, (uint64_t)((int64_t)p->pol_round + 1));
	rlp_put_bytes(b, p->block_hash, 32);
	rlp_put_bytes(b, p->sig, 65);
	rlp_list_end(b, l);
}

int proposal_decode(proposal *p, const uint8_t *in, size_t len)
{
	rlp_item top, f[6];
	size_t n;
	uint64_t round, pol;
	uint8_t d[32];
	memset(p, 0, sizeof(*p));
	if (rlp_decode(&top, in, len) < 0 || rlp_list_items(f, 6, &n, &top) < 0 || n != 6 ||
	    rlp_to_u64(&p->chain_id, &f[0]) < 0 || rlp_to_u64(&p->height, &f[1]) < 0 ||
	    rlp_to_u64(&round, &f[2]) < 0 || round > UINT32_MAX || rlp_to_u64(&pol, &f[3]) < 0 ||
	    pol > round || fixed(p->block_hash, &f[4], 32) < 0 || fixed(p->sig, &f[5], 65) < 0)
		return -1;
	p->round = (uint32_t)round;
	p->pol_round = (int32_t)pol - 1;
	proposal_digest(d, p);
	return recover_signer(p->proposer, p->sig, d);
}

void commit_hash(uint8_t out[32], const commit *c)
{
	if (!c) {
		memset(out, 0, 32);
		return;
	}
	buf b = BUF_INIT;
	commit_encode(&b, c);
	keccak256(out, b.p, b.len);
	buf_free(&b);
}

void commit_encode(buf *b, const commit *c)
{
	size_t l = rlp_list_begin(b);
	rlp_put_u64(b, c->height);
	rlp_put_u64(b, c->round);
	rlp_put_bytes(b, c->block_hash, 32);
	size_t vl = rlp_list_begin(b);
	for (size_t i = 0; i < c->nvotes; i++) {
		size_t e = rlp_list_begin(b);
		rlp_put_bytes(b, c->votes[i].validator, 20);
		rlp_put_bytes(b, c->votes[i].sig, 65);
		rlp_list_end(b, e);
	}
	rlp_list_end(b, vl);
	rlp_list_end(b, l);
}

int commit_decode(commit *c, const uint8_t *p, size_t len)
{
	rlp_item top, f[4], e[2];
	size_t n, pos = 0;
	uint64_t round;
	memset(c, 0, sizeof(*c));
	if (rlp_decode(&top, p, len) < 0 || rlp_list_items(f, 4, &n, &top) < 0 || n != 4 ||
	    rlp_to_u64(&c->height, &f[0]) < 0 || rlp_to_u64(&round, &f[1]) < 0 || round > UINT32_MAX ||
	    fixed(c->block_hash, &f[2], 32) < 0 || !f[3].list)
		return -1;
	c->round = (uint32_t)round;
	rlp_item it;
	int r;
	while ((r = rlp_next(&it, &f[3], &pos)) == 1) {
		size_t m;
		if (rlp_list_items(e, 2, &m, &it) < 0 || m != 2)
			goto fail;
		c->votes = xrealloc(c->votes, (c->nvotes + 1) * sizeof(vote));
		vote *v = &c->votes[c->nvotes++];
		memset(v, 0, sizeof(*v));
		v->type = VOTE_PRECOMMIT;
		v->height = c->height;
		v->round = c->round;
		memcpy(v->block_hash, c->block_hash, 32);
		if (fixed(v->validator, &e[0], 20) < 0 || fixed(v->sig, &e[1], 65) < 0)
			goto fail;
	}
	if (r < 0)
		goto fail;
	return 0;
fail:
	commit_free(c);
	return -1;
}

void commit_free(commit *c)
{
	free(c->votes);
	c->votes = NULL;
	c->nvotes = 0;
}
