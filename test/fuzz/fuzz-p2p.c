/* libFuzzer: what peers send: message batches, votes, proposals, blocks, validator sets. */
#include "lst.h"
#include "fullblock.h"
#include "keccak.h"
#include "p2p.h"
#include "valset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same(const buf *b, const uint8_t *p, size_t len)
{
	if (b->len != len || memcmp(b->p, p, len))
		__builtin_trap();
}

static void one(void *ctx, int kind, const uint8_t *p, size_t len)
{
	(void)ctx;
	(void)kind;
	vote v;
	proposal q;
	fullblock *fb;
	valset vs;
	char err[160];
	buf b = BUF_INIT;
	if (vote_decode(&v, p, len) == 0) {
		vote_encode(&b, &v);
		same(&b, p, len);
		if (vote_verify(&v) != 0) /* the recovered signer must verify */
			__builtin_trap();
	}
	buf_reset(&b);
	if (proposal_decode(&q, p, len) == 0) {
		proposal_encode(&b, &q);
		same(&b, p, len);
	}
	buf_reset(&b);
	if (fullblock_decode(&fb, err, sizeof(err), p, len, NULL, 161, 1000) == 0) {
		uint8_t h[32];
		block_header_hash(h, &fb->h);
		if (memcmp(h, fb->hash, 32) || fb->h.chain_id != 161)
			__builtin_trap();
		fullblock_unref(fb);
	}
	if (valset_decode(&vs, p, len) == 0) {
		valset_encode(&b, &vs);
		valset_free(&vs);
	}
	buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (p2p_parse(data, size, one, NULL) < 0)
		one(NULL, 0, data, size); /* and each decoder on the bare bytes */
	return 0;
}
