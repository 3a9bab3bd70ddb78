/* libFuzzer: transaction JSON as lst-sign sign reads it. */
#include "lst.h"
#include "txjson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t e;
	json_t *j = json_loadb((const char *)data, size, 0, &e);
	tx t;
	char err[256];
	if (j && tx_from_json(&t, err, sizeof(err), j) == 0) {
		json_decref(tx_to_json(&t));
		tx_free(&t);
	}
	json_decref(j);
	return 0;
}
