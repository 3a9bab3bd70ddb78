/* hex.c: see hex.h. */
#include "lst.h"
#include "hex.h"
#include "diag.h"

#include <ctype.h>

static const char digits[] = "0123456789abcdef";

void hex_encode(char *out, const uint8_t *in, size_t len)
{
	*out++ = '0';
	*out++ = 'x';
	for (size_t i = 0; i < len; i++) {
		*out++ = digits[in[i] >> 4];
		*out++ = digits[in[i] & 15];
	}
	*out = 0;
}

char *hex_encode_alloc(const uint8_t *in, size_t len)
{
	char *s = xmalloc(2 * len + 3);
	hex_encode(s, in, len);
	return s;
}

static int nibble(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static const char *skip_prefix(const char *hex)
{
	if (hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X'))
		return hex + 2;
	return hex;
}

bool hex_is_valid(const char *hex)
{
	const char *p = skip_prefix(hex);
	size_t n = 0;
	for (; *p; p++, n++)
		if (nibble((unsigned char)*p) < 0)
			return false;
	return n % 2 == 0;
}

static int decode_digits(uint8_t *out, const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		int hi = nibble((unsigned char)p[2 * i]);
		int lo = nibble((unsigned char)p[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int hex_decode(uint8_t *out, size_t len, const char *hex)
{
	const char *p = skip_prefix(hex);
	if (strlen(p) != 2 * len)
		return -1;
	return decode_digits(out, p, len);
}

int hex_decode_alloc(uint8_t **out, size_t *out_len, const char *hex)
{
	const char *p = skip_prefix(hex);
	size_t n = strlen(p);
	if (n % 2)
		return -1;
	uint8_t *buf = xmalloc(n / 2 + 1);
	if (decode_digits(buf, p, n / 2) < 0) {
		free(buf);
		return -1;
	}
	*out = buf;
	*out_len = n / 2;
	return 0;
}

char *hex_trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = 0;
	return s;
}
