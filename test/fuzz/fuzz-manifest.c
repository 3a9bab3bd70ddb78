/* libFuzzer: decrypted manifests of encrypted objects, as content_manifest_parse checks them. */
#include "lst.h"
#include "content.h"
#include "diag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *m, *again;
	diag_set_quiet(true); /* diagnostics are expected by the thousand */
	if (content_manifest_parse(&m, data, size) < 0)
		return 0;
	/* What parses re-encodes canonically (sorted, compact) and parses to the same value. */
	char *text = json_dumps(m, JSON_COMPACT | JSON_SORT_KEYS);
	if (!text || content_manifest_parse(&again, (const uint8_t *)text, strlen(text)) < 0)
		__builtin_trap();
	if (!json_equal(m, again))
		__builtin_trap();
	/* Every file has one length per segment, each within its bounds. */
	json_t *files = json_object_get(m, "files");
	for (size_t i = 0; i < json_array_size(files); i++) {
		json_t *f = json_array_get(files, i);
		json_int_t sz = json_integer_value(json_object_get(f, "size"));
		json_int_t seg = json_integer_value(json_object_get(f, "segment_size"));
		if (seg < CONTENT_SEGMENT_MIN || seg > CONTENT_SEGMENT_MAX || sz < 0 ||
		    json_array_size(json_object_get(f, "segments")) != (size_t)(sz / seg + (sz % seg != 0)))
			__builtin_trap();
	}
	free(text);
	json_decref(again);
	json_decref(m);
	return 0;
}
