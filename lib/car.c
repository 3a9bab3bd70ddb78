/*
 * car.c: see car.h. The CARv1 header is the only dag-cbor we write or
 * read here, so it has its own few lines of CBOR; the reader keeps one
 * 64 KiB buffer and reads each block straight into the caller's buf.
 */
#include "lst.h"
#include "car.h"
#include "bstore.h"
#include "diag.h"

#include <unistd.h>

#define HEADER_MAX (1u << 20)
#define SECTION_MAX (BLOCK_MAX + CID_MAX)
#define RBUF 65536

/* CBOR head with the shortest argument, as dag-cbor requires. */
static void cbor_put(buf *out, unsigned major, uint64_t v)
{
	uint8_t h[9];
	size_t n;
	if (v < 24) {
		h[0] = (uint8_t)(major << 5 | v);
		n = 1;
	} else if (v <= 0xff) {
		h[0] = (uint8_t)(major << 5 | 24);
		h[1] = (uint8_t)v;
		n = 2;
	} else if (v <= 0xffff) {
		h[0] = (uint8_t)(major << 5 | 25);
		h[1] = (uint8_t)(v >> 8);
		h[2] = (uint8_t)v;
		n = 3;
	} else if (v <= 0xffffffffu) {
		h[0] = (uint8_t)(major << 5 | 26);
		for (int i = 0; i < 4; i++)
			h[1 + i] = (uint8_t)(v >> (24 - 8 * i));
		n = 5;
	} else {
		h[0] = (uint8_t)(major << 5 | 27);
		for (int i = 0; i < 8; i++)
			h[1 + i] = (uint8_t)(v >> (56 - 8 * i));
		n = 9;
	}
	buf_add(out, h, n);
}

static void put_varint(buf *out, uint64_t v)
{
	uint8_t tmp[10];
	buf_add(out, tmp, varint_put(tmp, v));
}

void car_header(buf *out, const cid *roots, size_t nroots)
{
	buf h = BUF_INIT;
	cbor_put(&h, 5, 2);
	cbor_put(&h, 3, 5);
	buf_add(&h, "roots", 5);
	cbor_put(&h, 4, nroots);
	for (size_t i = 0; i < nroots; i++) {
		cbor_put(&h, 6, 42);
		cbor_put(&h, 2, roots[i].len + 1);
		buf_addc(&h, 0x00);
		buf_add(&h, roots[i].bytes, roots[i].len);
	}
	cbor_put(&h, 3, 7);
	buf_add(&h, "version", 7);
	cbor_put(&h, 0, 1);
	put_varint(out, h.len);
	buf_add(out, h.p, h.len);
	buf_free(&h);
}

void car_section(buf *out, const cid *c, const uint8_t *data, size_t len)
{
	put_varint(out, c->len + len);
	buf_add(out, c->bytes, c->len);
	buf_add(out, data, len);
}

/* Reader */

struct car_reader {
	int fd;
	uint8_t *rb;        /* RBUF bytes */
	size_t start, end;  /* unread bytes are rb[start..end) */
	uint64_t off;       /* bytes of the stream consumed */
	bool io_error;
};

/* Make at least need (<= RBUF) bytes available if the stream has them; returns what is available. */
static size_t fill(car_reader *r, size_t need)
{
	if (r->end - r->start >= need)
		return r->end - r->start;
	if (r->start > 0) {
		memmove(r->rb, r->rb + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	while (r->end < need) {
		ssize_t n = read(r->fd, r->rb + r->end, RBUF - r->end);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			r->io_error = true;
		if (n <= 0)
			break;
		r->end += (size_t)n;
	}
	return r->end - r->start;
}

static void consume(car_reader *r, size_t n)
{
	r->start += n;
	r->off += n;
}

/* Read exactly n bytes into dst (buffered first, then straight from fd): 0 or -1 (short). */
static int take(car_reader *r, uint8_t *dst, size_t n)
{
	size_t have = r->end - r->start, k = have < n ? have : n;
	memcpy(dst, r->rb + r->start, k);
	consume(r, k);
	while (k < n) {
		ssize_t got = read(r->fd, dst + k, n - k);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			r->io_error = true;
		if (got <= 0)
			return -1;
		k += (size_t)got;
		r->off += (uint64_t)got;
	}
	return 0;
}

/* A varint at the read position: 0, 1 at a clean end (nothing left), -1 malformed, -2 truncated. */
static int read_varint(car_reader *r, uint64_t *v)
{
	size_t have = fill(r, 10), used, i;
	if (have == 0)
		return 1;
	if (varint_get(v, &used, r->rb + r->start, have) < 0) {
		for (i = 0; i < have && (r->rb[r->start + i] & 0x80); i++)
			;
		return i == have && have < 9 ? -2 : -1;
	}
	consume(r, used);
	return 0;
}

static int truncated(car_reader *r, uint64_t at, const char *what)
{
	if (r->io_error)
		return diag_error(LST_EFAIL, "cannot read CAR %s at offset %llu: %s", what, (unsigned long long)at,
				  strerror(errno));
	return diag_error(LST_EINVALID, "truncated CAR %s at offset %llu", what, (unsigned long long)at);
}

/* CBOR head inside the header: 0 or -1. Only minimal heads, no indefinite lengths. */
static int cbor_get(const uint8_t *p, size_t len, size_t *pos, unsigned *major, uint64_t *v)
{
	if (*pos >= len)
		return -1;
	uint8_t b = p[(*pos)++];
	unsigned ai = b & 31;
	*major = b >> 5;
	if (ai < 24) {
		*v = ai;
		return 0;
	}
	if (ai > 27)
		return -1;
	size_t n = (size_t)1 << (ai - 24);
	if (n > len - *pos)
		return -1;
	*v = 0;
	for (size_t i = 0; i < n; i++)
		*v = *v << 8 | p[(*pos)++];
	/* not minimal: could have been shorter */
	if (*v < 24 || (n > 1 && *v < (1ull << (4 * n))))
		return -1;
	return 0;
}

static int parse_header(cid **roots, size_t *nroots, const uint8_t *p, size_t len)
{
	size_t pos = 0;
	unsigned major;
	uint64_t n, v;
	bool have_roots = false, have_version = false;
	if (cbor_get(p, len, &pos, &major, &n) < 0 || major != 5)
		return diag_error(LST_EINVALID, "CAR header is not a map");
	for (uint64_t i = 0; i < n; i++) {
		if (cbor_get(p, len, &pos, &major, &v) < 0 || major != 3 || v > len - pos)
			return diag_error(LST_EINVALID, "CAR header has a key that is not a string");
		const char *key = (const char *)p + pos;
		pos += (size_t)v;
		if (v == 7 && !memcmp(key, "version", 7) && !have_version) {
			if (cbor_get(p, len, &pos, &major, &v) < 0 || major != 0)
				return diag_error(LST_EINVALID, "CAR header has an invalid '%s'", "version");
			if (v != 1)
				return diag_error(LST_EINVALID, "unsupported CAR version '%llu'", (unsigned long long)v);
			have_version = true;
		} else if (v == 5 && !memcmp(key, "roots", 5) && !have_roots) {
			uint64_t count;
			if (cbor_get(p, len, &pos, &major, &count) < 0 || major != 4 || count > (len - pos) / 4)
				return diag_error(LST_EINVALID, "CAR header has an invalid '%s'", "roots");
			*roots = xcalloc(count ? (size_t)count : 1, sizeof(cid));
			have_roots = true;
			for (uint64_t k = 0; k < count; k++) {
				size_t used;
				if (cbor_get(p, len, &pos, &major, &v) < 0 || major != 6 || v != 42 ||
				    cbor_get(p, len, &pos, &major, &v) < 0 || major != 2 || v < 1 || v > len - pos ||
				    p[pos] != 0x00 || cid_decode(&(*roots)[k], &used, p + pos + 1, (size_t)v - 1) < 0 ||
				    used != v - 1)
					return diag_error(LST_EINVALID, "CAR header root %llu is not a CID",
							  (unsigned long long)k);
				pos += (size_t)v;
			}
			*nroots = (size_t)count;
		} else {
			return diag_error(LST_EINVALID, "CAR header has an unknown or repeated key '%.*s'",
					  (int)(v < 32 ? v : 32), key);
		}
	}
	if (pos != len)
		return diag_error(LST_EINVALID, "CAR header has %zu bytes after its map", len - pos);
	if (!have_version)
		return diag_error(LST_EINVALID, "CAR header has no '%s'", "version");
	if (!have_roots)
		return diag_error(LST_EINVALID, "CAR header has no '%s'", "roots");
	return 0;
}

car_reader *car_open(int fd, cid **roots, size_t *nroots)
{
	car_reader *r = xcalloc(1, sizeof(*r));
	uint64_t hlen;
	uint8_t *h = NULL;
	int v;
	r->fd = fd;
	r->rb = xmalloc(RBUF);
	*roots = NULL;
	*nroots = 0;
	if ((v = read_varint(r, &hlen)) != 0) {
		if (r->io_error || v == -2)
			truncated(r, 0, "header");
		else
			diag_error(LST_EINVALID, "not a CAR: %s header length", v > 0 ? "empty input, no" : "bad");
		goto bad;
	}
	if (hlen == 0 || hlen > HEADER_MAX) {
		diag_error(LST_EINVALID, "CAR header of %llu bytes refused (1 MiB at most, not empty)",
			   (unsigned long long)hlen);
		goto bad;
	}
	h = xmalloc((size_t)hlen);
	if (take(r, h, (size_t)hlen) < 0) {
		truncated(r, r->off, "header");
		goto bad;
	}
	if (parse_header(roots, nroots, h, (size_t)hlen) < 0)
		goto bad;
	free(h);
	return r;
bad:
	diag_set_status(r->io_error ? LST_EFAIL : LST_EINVALID);
	free(h);
	free(*roots);
	*roots = NULL;
	*nroots = 0;
	car_close(r);
	return NULL;
}

int car_next(car_reader *r, cid *c, buf *out)
{
	uint64_t at = r->off, slen;
	size_t used, have;
	char cs[CID_STR_MAX];
	int v = read_varint(r, &slen);
	buf_reset(out);
	if (v > 0)
		return r->io_error ? truncated(r, at, "section") : 0;
	if (v < 0)
		return r->io_error || v == -2 ? truncated(r, at, "section")
					      : diag_error(LST_EINVALID, "bad CAR section length at offset %llu",
							   (unsigned long long)at);
	if (slen == 0)
		return diag_error(LST_EINVALID, "empty CAR section at offset %llu", (unsigned long long)at);
	if (slen > SECTION_MAX)
		return diag_error(LST_EINVALID, "block over 2 MiB at offset %llu (section of %llu bytes)",
				  (unsigned long long)at, (unsigned long long)slen);
	have = fill(r, slen < CID_MAX ? (size_t)slen : CID_MAX);
	if (cid_decode(c, &used, r->rb + r->start, have < slen ? have : (size_t)slen) < 0) {
		if (have < slen && have < CID_MAX)
			return truncated(r, at, "section");
		return diag_error(LST_EINVALID, "bad CID in CAR section at offset %llu", (unsigned long long)at);
	}
	consume(r, used);
	cid_str(cs, c);
	size_t dlen = (size_t)slen - used;
	if (dlen > BLOCK_MAX)
		return diag_error(LST_EINVALID, "block over 2 MiB '%s' at offset %llu", cs, (unsigned long long)at);
	buf_grow(out, dlen + 1);
	if (take(r, out->p, dlen) < 0) {
		buf_reset(out);
		return truncated(r, at, "section");
	}
	out->len = dlen;
	out->p[dlen] = 0;
	uint64_t code;
	const uint8_t *d;
	size_t dl;
	cid_digest(c, &code, &d, &dl);
	if (!(code == MH_SHA2_256 && dl == 32) && code != MH_IDENTITY)
		return diag_error(LST_EINVALID, "unsupported hash in CID '%s' at offset %llu", cs,
				  (unsigned long long)at);
	if (cid_check(c, out->p, out->len) < 0)
		return diag_error(LST_EINVALID, "block does not match its CID '%s' at offset %llu", cs,
				  (unsigned long long)at);
	return 1;
}

uint64_t car_offset(const car_reader *r)
{
	return r->off;
}

void car_close(car_reader *r)
{
	if (!r)
		return;
	free(r->rb);
	free(r);
}
