/* valset.c: see valset.h. */
#include "lst.h"
#include "valset.h"
#include "diag.h"
#include "keccak.h"
#include "rlp.h"

static int by_address(const void *a, const void *b)
{
	return memcmp(((const valset_member *)a)->address, ((const valset_member *)b)->address, 20);
}

int valset_finish(valset *vs)
{
	if (!vs->n)
		return -1; /* (and qsort must not be given the NULL of an empty decode) */
	qsort(vs->v, vs->n, sizeof(*vs->v), by_address);
	vs->total = 0;
	for (size_t i = 0; i < vs->n; i++) {
		if (!vs->v[i].power || vs->v[i].power > (UINT64_C(1) << 62) ||
		    (i && !memcmp(vs->v[i].address, vs->v[i - 1].address, 20)))
			return -1;
		vs->total += vs->v[i].power;
		if (vs->total > (UINT64_C(1) << 62))
			return -1;
	}
	buf b = BUF_INIT;
	valset_encode(&b, vs);
	keccak256(vs->hash, b.p, b.len);
	buf_free(&b);
	return 0;
}

int valset_from_genesis(valset *vs, const genesis *g)
{
	vs->n = g->nvalidators;
	vs->v = xcalloc(vs->n + 1, sizeof(*vs->v));
	for (size_t i = 0; i < vs->n; i++) {
		memcpy(vs->v[i].address, g->validators[i].address, 20);
		vs->v[i].power = g->validators[i].power;
	}
	if (valset_finish(vs) < 0) {
		valset_free(vs); /* as valset_decode does: nothing to free on failure */
		return -1;
	}
	return 0;
}

void valset_encode(buf *b, const valset *vs)
{
	size_t l = rlp_list_begin(b);
	for (size_t i = 0; i < vs->n; i++) {
		size_t e = rlp_list_begin(b);
		rlp_put_bytes(b, vs->v[i].address, 20);
		rlp_put_u64(b, vs->v[i].power);
		rlp_list_end(b, e);
	}
	rlp_list_end(b, l);
}

int valset_decode(valset *vs, const uint8_t *p, size_t len)
{
	rlp_item top, it, f[2];
	size_t pos = 0, m;
	int r;
	memset(vs, 0, sizeof(*vs));
	if (rlp_decode(&top, p, len) < 0 || !top.list)
		return -1;
	while ((r = rlp_next(&it, &top, &pos)) == 1) {
		vs->v = xrealloc(vs->v, (vs->n + 1) * sizeof(*vs->v));
		valset_member *v = &vs->v[vs->n++];
		if (rlp_list_items(f, 2, &m, &it) < 0 || m != 2 || f[0].list || f[0].len != 20 ||
		    rlp_to_u64(&v->power, &f[1]) < 0)
			goto fail;
		memcpy(v->address, f[0].p, 20);
	}
	if (r < 0 || valset_finish(vs) < 0)
		goto fail;
	return 0;
fail:
	valset_free(vs);
	return -1;
}

void valset_copy(valset *dst, const valset *src)
{
	*dst = *src;
	dst->v = xmalloc((src->n + 1) * sizeof(*src->v));
	memcpy(dst->v, src->v, src->n * sizeof(*src->v));
}

void valset_free(valset *vs)
{
	free(vs->v);
	memset(vs, 0, sizeof(*vs));
}

int valset_index(const valset *vs, const uint8_t address[20])
{
	size_t lo = 0, hi = vs->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = memcmp(vs->v[mid].address, address, 20);
		if (!c)
			return (int)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

const uint8_t *valset_proposer(const valset *vs, uint64_t height, uint32_t round)
{
	uint64_t slot = (height % vs->total + round % vs->total) % vs->total;
	for (size_t i = 0; i < vs->n; i++) {
		if (slot < vs->v[i].power)
			return vs->v[i].address;
		slot -= vs->v[i].power;
	}
	return vs->v[vs->n - 1].address;
}

bool valset_quorum(const valset *vs, uint64_t power)
{
	return power * 3 > vs->total * 2;
}

bool valset_one_third(const valset *vs, uint64_t power)
{
	return power * 3 > vs->total;
}

int valset_apply(valset *out, const valset *in, const uint8_t (*addresses)[20], const uint64_t *powers, size_t n)
{
	valset t;
	t.n = in->n;
	t.v = xmalloc((in->n + n + 1) * sizeof(*t.v));
	memcpy(t.v, in->v, in->n * sizeof(*t.v));
	for (size_t k = 0; k < n; k++) {
		size_t i;
		for (i = 0; i < t.n && memcmp(t.v[i].address, addresses[k], 20); i++)
			;
		if (i == t.n) {
			if (!powers[k])
				continue;
			memcpy(t.v[t.n].address, addresses[k], 20);
			t.n++;
		}
		t.v[i].power = powers[k];
		if (!powers[k])
			t.v[i] = t.v[--t.n];
	}
	if (t.n == 0) {
		free(t.v);
		valset_copy(out, in);
		return 0;
	}
	if (valset_finish(&t) < 0) {
		free(t.v);
		return -1;
	}
	*out = t;
	return 0;
}

int valset_verify_commit(const valset *vs, uint64_t chain_id, uint64_t height, const uint8_t hash[32],
			 const commit *c)
{
	if (c->height != height || memcmp(c->block_hash, hash, 32) || c->nvotes > vs->n)
		return -1;
	uint64_t power = 0;
	bool *seen = xcalloc(vs->n + 1, 1);
	int r = 0;
	for (size_t i = 0; i < c->nvotes && r == 0; i++) {
		vote v = c->votes[i];
		v.type = VOTE_PRECOMMIT;
		v.chain_id = chain_id;
		v.height = height;
		v.round = c->round;
		memcpy(v.block_hash, hash, 32);
		int k = valset_index(vs, v.validator);
		if (k < 0 || seen[k] || vote_verify(&v) < 0)
			r = -1;
		else {
			seen[k] = true;
			power += vs->v[k].power;
		}
	}
	free(seen);
	return r == 0 && valset_quorum(vs, power) ? 0 : -1;
}
