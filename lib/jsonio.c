/* jsonio.c: see jsonio.h. */
#include "lst.h"
#include "jsonio.h"
#include "buf.h"
#include "diag.h"
#include "hex.h"

#include <unistd.h>

json_t *jsonio_parse(const char *text, size_t len, const char *src)
{
	json_error_t err;
	json_t *j = json_loadb(text, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &err);
	if (!j)
		diag_error(LST_EINVALID, "invalid JSON in %s at line %d, column %d: %s",
			   src, err.line, err.column, err.text);
	return j;
}

json_t *jsonio_read_stdin(const char *what)
{
	buf b = BUF_INIT;
	if (buf_read_fd(&b, 0, 64u << 20) < 0) {
		diag_error(LST_EFAIL, "cannot read %s from standard input: %s", what, strerror(errno));
		buf_free(&b);
		return NULL;
	}
	json_t *j = NULL;
	const char *p = b.p ? (const char *)b.p : "";
	size_t i = 0;
	while (i < b.len && (p[i] == ' ' || p[i] == '\n' || p[i] == '\t' || p[i] == '\r'))
		i++;
	if (i == b.len)
		diag_error(LST_EINVALID, "no %s on standard input (expected JSON)", what);
	else
		j = jsonio_parse(p, b.len, "standard input");
	buf_free(&b);
	return j;
}

static int print_flags(json_t *j, size_t flags)
{
	int r = json_dumpf(j, stdout, flags | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	json_decref(j);
	if (r < 0 || putchar('\n') == EOF)
		return -1;
	return 0;
}

int jsonio_print(json_t *j)
{
	return print_flags(j, JSON_COMPACT);
}

int jsonio_print_pretty(json_t *j)
{
	return print_flags(j, JSON_INDENT(2));
}

json_t *jsonio_obj(const char *key, ...)
{
	json_t *o = json_object();
	va_list ap;
	va_start(ap, key);
	while (key) {
		json_t *v = va_arg(ap, json_t *);
		json_object_set_new(o, key, v ? v : json_null());
		key = va_arg(ap, const char *);
	}
	va_end(ap);
	return o;
}

json_t *jsonio_str(const char *s)
{
	json_t *j = json_string(s);
	if (!j)
		j = json_stringn(s, strlen(s)); /* not UTF-8: kept as given */
	if (!j)
		diag_die(LST_EFAIL, "cannot make a JSON string");
	return j;
}

json_t *jsonio_hex(const uint8_t *p, size_t len)
{
	char *s = hex_encode_alloc(p, len);
	json_t *j = json_string(s);
	free(s);
	return j;
}

const char *jsonio_get_str(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}
