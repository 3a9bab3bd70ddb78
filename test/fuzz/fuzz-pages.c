/*
 * libFuzzer: a page request (lib/pages.h), the JSON a provider's gateway
 * reads from anyone at POST /lst/v1/pages/{root}, parsed and verified
 * before the chain is asked anything.
 */
#include "lst.h"
#include "pages.h"
#include "diag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool quiet;
	if (!quiet) {
		diag_set_quiet(true);
		quiet = true;
	}
	json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (!j)
		return 0;
	pages_request r;
	const char *why = NULL;
	if (pages_request_from_json(&r, j, &why) == 0) {
		/* What is accepted prints back to the same request. */
		json_t *again = pages_request_json(&r);
		pages_request u;
		if (!again || pages_request_from_json(&u, again, &why) < 0 || memcmp(u.reader, r.reader, 20) ||
		    !cid_equal(&u.root, &r.root) || u.from != r.from || u.to != r.to || u.expires != r.expires ||
		    memcmp(u.sig, r.sig, 65))
			__builtin_trap();
		json_decref(again);
		/* Verification answers either way, never crashes. */
		(void)!pages_request_verify(&r, r.expires, &why);
	} else if (!why) {
		__builtin_trap(); /* a refusal always says why */
	}
	json_decref(j);
	return 0;
}
