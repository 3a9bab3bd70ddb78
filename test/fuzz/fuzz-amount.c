/* libFuzzer: amounts as porcelain reads them, and their formatting. */
#include "lst.h"
#include "amount.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[256], err[512], out[128];
	u256 v, back;
	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	if (amount_parse(&v, err, sizeof(err), text) == 0) {
		/* What parses prints, and what prints parses to the same value. */
		amount_format(out, sizeof(out), &v);
		out[strlen(out) - 4] = 0; /* drop " LST" */
		if (amount_parse(&back, err, sizeof(err), out) < 0 || u256_cmp(&v, &back))
			__builtin_trap();
	}
	return 0;
}
