/* libFuzzer: keystore v3 files (bounded KDF parameters keep it fast). */
#include "lst.h"
#include "keystore.h"
#include "diag.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t priv[32];
	diag_set_quiet(true); /* diagnostics are expected by the thousand */
	/* Refuse costly KDF settings before they run: the fuzzer is about parsing. */
	if (memmem(data, size, "\"n\"", 3) || memmem(data, size, "\"c\"", 3))
		return 0;
	if (keystore_decrypt(priv, (const char *)data, size, "pw", 2) == 0)
		memset(priv, 0, sizeof(priv));
	return 0;
}
