/* libFuzzer: the strict RLP decoder, walked to the leaves. */
#include "lst.h"
#include "rlp.h"

static int walk(const rlp_item *it, int depth)
{
	if (!it->list || depth > 64)
		return 0;
	size_t pos = 0;
	rlp_item sub;
	int r;
	while ((r = rlp_next(&sub, it, &pos)) == 1) {
		if (sub.p < it->p || sub.p + sub.len > it->p + it->len)
			__builtin_trap();
		if (walk(&sub, depth + 1) < 0)
			return -1;
	}
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rlp_item it;
	u256 v;
	if (rlp_decode(&it, data, size) == 0) {
		if (walk(&it, 0) < 0)
			return 0;
		if (rlp_to_u256(&v, &it, 32) == 0) {
			buf b = BUF_INIT;
			rlp_put_u256(&b, &v);
			if (b.len != size || memcmp(b.p, data, size))
				__builtin_trap();
			buf_free(&b);
		}
	}
	return 0;
}
