/* rlp.c: see rlp.h. */
#include "lst.h"
#include "rlp.h"

const char *rlp_error = "";

static size_t be_len(uint64_t v)
{
	size_t n = 0;
	while (v) {
		n++;
		v >>= 8;
	}
	return n;
}

static void put_header(uint8_t *hdr, size_t *hlen, uint8_t base, size_t len)
{
	if (len < 56) {
		hdr[0] = (uint8_t)(base + len);
		*hlen = 1;
		return;
	}
	size_t n = be_len(len);
	hdr[0] = (uint8_t)(base + 55 + n);
	for (size_t i = 0; i < n; i++)
		hdr[1 + i] = (uint8_t)(len >> (8 * (n - 1 - i)));
	*hlen = 1 + n;
}

void rlp_put_bytes(buf *b, const uint8_t *data, size_t len)
{
	if (len == 1 && data[0] < 0x80) {
		buf_addc(b, data[0]);
		return;
	}
	uint8_t hdr[9];
	size_t hlen;
	put_header(hdr, &hlen, 0x80, len);
	buf_add(b, hdr, hlen);
	buf_add(b, data, len);
}

void rlp_put_u256(buf *b, const u256 *v)
{
	uint8_t be[32];
	size_t n = u256_to_be_min(be, v);
	rlp_put_bytes(b, be, n);
}

void rlp_put_u64(buf *b, uint64_t v)
{
	u256 t = u256_from_u64(v);
	rlp_put_u256(b, &t);
}

size_t rlp_list_begin(buf *b)
{
	return b->len;
}

void rlp_list_end(buf *b, size_t begin)
{
	uint8_t hdr[9];
	size_t hlen;
	put_header(hdr, &hlen, 0xc0, b->len - begin);
	buf_insert(b, begin, hdr, hlen);
}

static int fail(const char *why)
{
	rlp_error = why;
	return -1;
}

/* Parse one item's header at in[0..avail); *total = header + payload. */
static int parse(rlp_item *out, size_t *total, const uint8_t *in, size_t avail)
{
	if (avail == 0)
		return fail("unexpected end of input");
	uint8_t b = in[0];
	size_t hlen, plen;
	if (b < 0x80) {
		out->p = in;
		out->len = 1;
		out->list = false;
		*total = 1;
		return 0;
	}
	bool list = b >= 0xc0;
	uint8_t base = list ? 0xc0 : 0x80;
	if (b - base < 56) {
		hlen = 1;
		plen = (size_t)(b - base);
	} else {
		size_t n = (size_t)(b - base - 55);
		if (n > 8)
			return fail("length of length too large");
		if (avail < 1 + n)
			return fail("length past the end of input");
		if (in[1] == 0)
			return fail("leading zero in length");
		uint64_t l = 0;
		for (size_t i = 0; i < n; i++)
			l = l << 8 | in[1 + i];
		if (l < 56)
			return fail("long form used for a short length");
		if (l > SIZE_MAX - 16)
			return fail("length too large");
		hlen = 1 + n;
		plen = (size_t)l;
	}
	if (plen > avail - hlen)
		return fail("length past the end of input");
	if (!list && plen == 1 && hlen == 1 && in[1] < 0x80)
		return fail("single byte below 0x80 must not be wrapped");
	out->p = in + hlen;
	out->len = plen;
	out->list = list;
	*total = hlen + plen;
	return 0;
}

int rlp_decode(rlp_item *out, const uint8_t *in, size_t len)
{
	size_t total;
	if (parse(out, &total, in, len) < 0)
		return -1;
	if (total != len)
		return fail("trailing bytes after the item");
	return 0;
}

int rlp_next(rlp_item *out, const rlp_item *list, size_t *pos)
{
	if (*pos >= list->len)
		return 0;
	size_t total;
	if (parse(out, &total, list->p + *pos, list->len - *pos) < 0)
		return -1;
	*pos += total;
	return 1;
}

int rlp_list_items(rlp_item *out, size_t max, size_t *n, const rlp_item *list)
{
	if (!list->list)
		return fail("expected a list");
	size_t pos = 0, k = 0;
	rlp_item it;
	int r;
	while ((r = rlp_next(&it, list, &pos)) == 1) {
		if (k == max)
			return fail("too many items in list");
		out[k++] = it;
	}
	if (r < 0)
		return -1;
	*n = k;
	return 0;
}

int rlp_to_u256(u256 *out, const rlp_item *it, size_t maxbytes)
{
	if (it->list)
		return fail("expected an integer, got a list");
	if (it->len > 0 && it->p[0] == 0)
		return fail("leading zeros in an integer");
	if (it->len > maxbytes || it->len > 32)
		return fail("integer too large");
	if (u256_from_be(out, it->p, it->len) < 0)
		return fail("integer too large");
	return 0;
}

int rlp_to_u64(uint64_t *out, const rlp_item *it)
{
	u256 v;
	if (rlp_to_u256(&v, it, 8) < 0)
		return -1;
	*out = v.w[0];
	return 0;
}
