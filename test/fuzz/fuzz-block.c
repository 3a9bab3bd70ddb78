/* libFuzzer: block headers and commits as peers will send them. */
#include "lst.h"
#include "block.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	block_header h;
	commit c;
	if (block_header_decode(&h, data, size) == 0) {
		buf b = BUF_INIT;
		block_header_encode(&b, &h);
		if (b.len != size || memcmp(b.p, data, size))
			__builtin_trap();
		buf_free(&b);
	}
	if (commit_decode(&c, data, size) == 0) {
		for (size_t i = 0; i < c.nvotes; i++)
			if (vote_verify(&c.votes[i]) == 0)
				continue;
		commit_free(&c);
	}
	return 0;
}
