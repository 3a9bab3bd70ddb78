/* libFuzzer: raw transactions (RLP, typed envelopes, signatures). */
#include "lst.h"
#include "tx.h"
#include "buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tx t;
	char err[256];
	if (tx_decode(&t, err, sizeof(err), data, size) == 0) {
		/* What decodes must re-encode to the same bytes. */
		buf b = BUF_INIT;
		tx_encode(&b, &t);
		if (b.len != size || memcmp(b.p, data, size))
			__builtin_trap();
		if (tx_validate(err, sizeof(err), &t) < 0)
			err[0] = 0;
		buf_free(&b);
		tx_free(&t);
	}
	return 0;
}
