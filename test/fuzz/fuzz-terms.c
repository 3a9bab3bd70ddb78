/*
 * libFuzzer: a publishing terms document (lib/book.h), the JSON that
 * `lst-sign cosign` reads from an author before the foundation signs.
 */
#include "lst.h"
#include "book.h"
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
	book_terms t;
	memset(&t, 0, sizeof(t));
	if (book_terms_from_json(&t, j) == 0) {
		/* What is accepted prints back to a document accepted with the same hash. */
		json_t *again = book_terms_json(&t);
		book_terms u;
		memset(&u, 0, sizeof(u));
		if (!again || book_terms_from_json(&u, again) < 0 || memcmp(u.hash, t.hash, 32) ||
		    memcmp(u.book, t.book, 32))
			__builtin_trap();
		book_terms_free(&u);
		json_decref(again);
		book_terms_free(&t);
	}
	json_decref(j);
	return 0;
}
