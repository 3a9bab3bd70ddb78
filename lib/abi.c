/* abi.c: see abi.h. */
#include "lst.h"
#include "abi.h"
#include "diag.h"
#include "keccak.h"

#define ABI_MAX_DEPTH 32        /* nesting of types and values */
#define ABI_MAX_FIXED (1u << 20) /* longest T[k] a type may name */

static const uint8_t error_selector[4] = {0x08, 0xc3, 0x79, 0xa0};

void abi_selector(uint8_t out[4], const char *signature)
{
	uint8_t h[32];
	keccak256(h, (const uint8_t *)signature, strlen(signature));
	memcpy(out, h, 4);
}

void abi_event_topic(uint8_t out[32], const char *signature)
{
	keccak256(out, (const uint8_t *)signature, strlen(signature));
}

void abi_address_word(uint8_t out[32], const uint8_t addr[20])
{
	memset(out, 0, 12);
	memcpy(out + 12, addr, 20);
}

/* ---- types ---- */

static int parse_list(abi_type *t, const char **p, char close, int depth);

/* Decimal digits without a leading zero, at most max; 0 if there are none. */
static int parse_num(unsigned long *out, const char **p, unsigned long max)
{
	const char *s = *p;
	unsigned long v = 0;
	if (*s < '0' || *s > '9') {
		*out = 0;
		return 0;
	}
	if (*s == '0')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > max)
			return -1;
	}
	*out = v;
	*p = s;
	return 0;
}

static bool eat(const char **p, const char *word)
{
	size_t n = strlen(word);
	if (strncmp(*p, word, n))
		return false;
	*p += n;
	return true;
}

static int parse_base(abi_type *t, const char **p, int depth)
{
	unsigned long num;
	bool is_uint;
	memset(t, 0, sizeof(*t));
	if (eat(p, "(") || eat(p, "tuple(")) {
		if (parse_list(t, p, ')', depth + 1) < 0)
			return -1;
		if (t->n == 0 || **p != ')') { /* Solidity has no empty structs */
			abi_type_free(t);
			return -1;
		}
		(*p)++;
		return 0;
	}
	if (eat(p, "address")) {
		t->kind = ABI_ADDRESS;
	} else if (eat(p, "bool")) {
		t->kind = ABI_BOOL;
	} else if (eat(p, "string")) {
		t->kind = ABI_STRING;
	} else if ((is_uint = eat(p, "uint")) || eat(p, "int")) {
		t->kind = is_uint ? ABI_UINT : ABI_INT;
		if (parse_num(&num, p, 256) < 0 || (num && num % 8))
			return -1;
		t->size = num ? (unsigned)num : 256;
	} else if (eat(p, "bytes")) {
		if (parse_num(&num, p, 32) < 0)
			return -1;
		t->kind = num ? ABI_FIXED_BYTES : ABI_BYTES;
		t->size = (unsigned)num;
	} else {
		return -1;
	}
	return 0;
}

/* A base type and its [] / [k] suffixes. */
static int parse_one(abi_type *t, const char **p, int depth)
{
	if (depth > ABI_MAX_DEPTH || parse_base(t, p, depth) < 0)
		return -1;
	while (**p == '[') {
		unsigned long k;
		(*p)++;
		if (parse_num(&k, p, ABI_MAX_FIXED) < 0 || **p != ']') {
			abi_type_free(t);
			return -1;
		}
		(*p)++;
		abi_type *elem = xmalloc(sizeof(*elem));
		*elem = *t;
		memset(t, 0, sizeof(*t));
		t->kind = k ? ABI_FIXED_ARRAY : ABI_ARRAY;
		t->n = k;
		t->sub = elem;
		if (++depth > ABI_MAX_DEPTH) {
			abi_type_free(t);
			return -1;
		}
	}
	return 0;
}

static void skip_ws(const char **p)
{
	while (**p == ' ')
		(*p)++;
}

/* Components up to `close` (not consumed) into the tuple t. */
static int parse_list(abi_type *t, const char **p, char close, int depth)
{
	size_t cap = 0;
	t->kind = ABI_TUPLE;
	skip_ws(p);
	if (**p == close)
		return 0;
	for (;;) {
		if (t->n == cap) {
			cap = cap ? 2 * cap : 4;
			t->sub = xrealloc(t->sub, cap * sizeof(*t->sub));
		}
		if (parse_one(&t->sub[t->n], p, depth) < 0) {
			abi_type_free(t);
			return -1;
		}
		t->n++;
		skip_ws(p);
		if (**p != ',')
			return 0;
		(*p)++;
		skip_ws(p);
	}
}

int abi_type_parse(abi_type *out, const char *types)
{
	const char *p = types;
	memset(out, 0, sizeof(*out));
	if (parse_list(out, &p, '\0', 0) < 0)
		return -1;
	if (*p) {
		abi_type_free(out);
		return -1;
	}
	return 0;
}

void abi_type_free(abi_type *t)
{
	if (t->kind == ABI_TUPLE) {
		for (size_t i = 0; i < t->n; i++)
			abi_type_free(&t->sub[i]);
	} else if (t->sub) {
		abi_type_free(t->sub);
	}
	free(t->sub);
	memset(t, 0, sizeof(*t));
}

bool abi_types_valid(const char *types)
{
	abi_type t;
	if (abi_type_parse(&t, types) < 0)
		return false;
	abi_type_free(&t);
	return true;
}

static bool type_dynamic(const abi_type *t)
{
	switch (t->kind) {
	case ABI_BYTES:
	case ABI_STRING:
	case ABI_ARRAY:
		return true;
	case ABI_FIXED_ARRAY:
		return type_dynamic(t->sub);
	case ABI_TUPLE:
		for (size_t i = 0; i < t->n; i++)
			if (type_dynamic(&t->sub[i]))
				return true;
		return false;
	default:
		return false;
	}
}

/* Bytes a type takes in the heads; SIZE_MAX when that overflows. */
static size_t head_size(const abi_type *t)
{
	size_t s = 0;
	if (type_dynamic(t))
		return 32;
	if (t->kind == ABI_FIXED_ARRAY) {
		size_t e = head_size(t->sub);
		return e > SIZE_MAX / t->n ? SIZE_MAX : e * t->n;
	}
	if (t->kind != ABI_TUPLE)
		return 32;
	for (size_t i = 0; i < t->n; i++) {
		size_t e = head_size(&t->sub[i]);
		if (e > SIZE_MAX - s)
			return SIZE_MAX;
		s += e;
	}
	return s;
}

/* ---- encoding ---- */

static bool bits_ok(unsigned bits)
{
	return bits >= 8 && bits <= 256 && bits % 8 == 0;
}

/* a fits in bits (unsigned), or is the sign extension of its low bits. */
static bool u256_fits_bits(const u256 *a, unsigned bits, bool sign)
{
	uint8_t w[32];
	size_t k = 32 - bits / 8; /* high bytes that must be extension */
	uint8_t fill = 0;
	u256_to_be32(w, a);
	if (sign && k < 32 && (w[k] & 0x80))
		fill = 0xff;
	for (size_t i = 0; i < k; i++)
		if (w[i] != fill)
			return false;
	return true;
}

static bool value_dynamic(const abi_value *v)
{
	switch (v->kind) {
	case ABI_BYTES:
	case ABI_STRING:
	case ABI_ARRAY:
		return true;
	case ABI_FIXED_ARRAY:
	case ABI_TUPLE:
		for (size_t i = 0; i < v->n; i++)
			if (value_dynamic(&v->items[i]))
				return true;
		return false;
	default:
		return false;
	}
}

static void put_word_u64(buf *out, uint64_t x)
{
	uint8_t w[32] = {0};
	for (int i = 0; i < 8; i++)
		w[31 - i] = (uint8_t)(x >> (8 * i));
	buf_add(out, w, 32);
}

static void put_padded(buf *out, const uint8_t *p, size_t len)
{
	static const uint8_t zero[32];
	if (len)
		buf_add(out, p, len);
	if (len % 32)
		buf_add(out, zero, 32 - len % 32);
}

static int enc_seq(buf *out, const abi_value *v, size_t n, int depth);

static int enc_value(buf *out, const abi_value *v, int depth)
{
	uint8_t w[32] = {0};
	if (depth > ABI_MAX_DEPTH)
		return -1;
	switch (v->kind) {
	case ABI_UINT:
	case ABI_INT:
		if (!bits_ok(v->size) || !u256_fits_bits(&v->u, v->size, v->kind == ABI_INT))
			return -1;
		u256_to_be32(w, &v->u);
		buf_add(out, w, 32);
		return 0;
	case ABI_ADDRESS:
		abi_address_word(w, v->addr);
		buf_add(out, w, 32);
		return 0;
	case ABI_BOOL:
		w[31] = v->b ? 1 : 0;
		buf_add(out, w, 32);
		return 0;
	case ABI_FIXED_BYTES:
		if (v->size < 1 || v->size > 32)
			return -1;
		memcpy(w, v->fixed, v->size);
		buf_add(out, w, 32);
		return 0;
	case ABI_BYTES:
	case ABI_STRING:
		if (v->len && !v->data)
			return -1;
		put_word_u64(out, v->len);
		put_padded(out, v->data, v->len);
		return 0;
	case ABI_ARRAY:
		put_word_u64(out, v->n);
		return enc_seq(out, v->items, v->n, depth + 1);
	case ABI_FIXED_ARRAY:
	case ABI_TUPLE:
		if (v->n == 0)
			return -1;
		return enc_seq(out, v->items, v->n, depth + 1);
	}
	return -1;
}

static int enc_seq(buf *out, const abi_value *v, size_t n, int depth)
{
	size_t base = out->len;
	size_t *slot = n ? xcalloc(n, sizeof(*slot)) : NULL;
	int rc = -1;
	if (n && !v)
		goto done;
	/* Heads: static values in place, a placeholder for each offset. */
	for (size_t i = 0; i < n; i++) {
		if (value_dynamic(&v[i])) {
			slot[i] = out->len + 1; /* 0 means static */
			put_word_u64(out, 0);
		} else if (enc_value(out, &v[i], depth) < 0) {
			goto done;
		}
	}
	/* Tails, in order, each offset counted from the start of the heads. */
	for (size_t i = 0; i < n; i++) {
		if (!slot[i])
			continue;
		uint64_t off = out->len - base;
		for (int k = 0; k < 8; k++)
			out->p[slot[i] - 1 + 31 - k] = (uint8_t)(off >> (8 * k));
		if (enc_value(out, &v[i], depth) < 0)
			goto done;
	}
	rc = 0;
done:
	free(slot);
	return rc;
}

/* Arrays are homogeneous: every item the kind and size of the first. */
static bool homogeneous(const abi_value *v, size_t n, int depth)
{
	if (depth > ABI_MAX_DEPTH)
		return false;
	for (size_t i = 0; i < n; i++) {
		const abi_value *x = &v[i];
		if (i && (x->kind != v[0].kind || x->size != v[0].size))
			return false;
		if ((x->kind == ABI_ARRAY || x->kind == ABI_FIXED_ARRAY) &&
		    x->n && (!x->items || !homogeneous(x->items, x->n, depth + 1)))
			return false;
		if (x->kind == ABI_TUPLE && x->n && x->items) {
			for (size_t j = 0; j < x->n; j++)
				if (!homogeneous(&x->items[j], 1, depth + 1))
					return false;
		}
	}
	return true;
}

int abi_encode(buf *out, const abi_value *args, size_t n)
{
	size_t start = out->len;
	for (size_t i = 0; i < n; i++)
		if (!homogeneous(&args[i], 1, 0))
			return -1;
	if (enc_seq(out, args, n, 0) < 0) {
		out->len = start;
		if (out->p)
			out->p[start] = 0;
		return -1;
	}
	return 0;
}

int abi_encode_call(buf *out, const char *signature, const abi_value *args, size_t n)
{
	uint8_t sel[4];
	size_t start = out->len;
	abi_selector(sel, signature);
	buf_add(out, sel, 4);
	if (abi_encode(out, args, n) < 0) {
		out->len = start;
		out->p[start] = 0;
		return -1;
	}
	return 0;
}

/* ---- decoding ---- */

typedef struct {
	const uint8_t *d;
	size_t len;
	/*
	 * Words left to read, len/32 at the start: a canonical encoding
	 * reads each of its words once, so offsets that make a decoder read
	 * the same words again and again run out of it.
	 */
	size_t budget;
} dec;

static const uint8_t *word_at(dec *s, size_t pos)
{
	if (pos > s->len || s->len - pos < 32 || s->budget == 0)
		return NULL;
	s->budget--;
	return s->d + pos;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* An offset or length: a word below 2^64 that fits in the data. */
static int small_at(dec *s, size_t *out, size_t pos)
{
	const uint8_t *w = word_at(s, pos);
	uint64_t v = 0;
	if (!w || !all_zero(w, 24))
		return -1;
	for (int i = 24; i < 32; i++)
		v = v << 8 | w[i];
	if (v > s->len)
		return -1;
	*out = (size_t)v;
	return 0;
}

static int dec_value(dec *s, abi_value *v, const abi_type *t, size_t pos, int depth);

/*
 * n values starting at base: the components of a tuple (each = false) or
 * n elements of type *t (each = true). Offsets count from base.
 */
static int dec_seq(dec *s, abi_value *out, const abi_type *t, bool each, size_t n, size_t base,
		   int depth)
{
	size_t heads = 0, hp = base;
	for (size_t i = 0; i < n; i++) {
		size_t h = head_size(each ? t : &t[i]);
		if (h > s->len - heads)
			return -1;
		heads += h;
	}
	if (base > s->len || heads > s->len - base)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const abi_type *ti = each ? t : &t[i];
		if (type_dynamic(ti)) {
			size_t off;
			if (small_at(s, &off, hp) < 0 || off % 32 || off < heads ||
			    off > s->len - base)
				return -1;
			if (dec_value(s, &out[i], ti, base + off, depth) < 0)
				return -1;
			hp += 32;
		} else {
			if (dec_value(s, &out[i], ti, hp, depth) < 0)
				return -1;
			hp += head_size(ti);
		}
	}
	return 0;
}

static int dec_items(dec *s, abi_value *v, const abi_type *elem, size_t n, size_t base, int depth)
{
	/* n heads must fit in the data before n items are allocated. */
	size_t h = head_size(elem);
	if (base > s->len || n > (s->len - base) / h)
		return -1;
	v->n = n;
	v->items = n ? xcalloc(n, sizeof(*v->items)) : NULL;
	return dec_seq(s, v->items, elem, true, n, base, depth + 1);
}

static int dec_value(dec *s, abi_value *v, const abi_type *t, size_t pos, int depth)
{
	const uint8_t *w;
	size_t n;
	if (depth > ABI_MAX_DEPTH)
		return -1;
	v->kind = t->kind;
	v->size = t->size;
	switch (t->kind) {
	case ABI_UINT:
	case ABI_INT:
		if (!(w = word_at(s, pos)) || u256_from_be(&v->u, w, 32) < 0 ||
		    !u256_fits_bits(&v->u, t->size, t->kind == ABI_INT))
			return -1;
		return 0;
	case ABI_ADDRESS:
		if (!(w = word_at(s, pos)) || !all_zero(w, 12))
			return -1;
		memcpy(v->addr, w + 12, 20);
		return 0;
	case ABI_BOOL:
		if (!(w = word_at(s, pos)) || !all_zero(w, 31) || w[31] > 1)
			return -1;
		v->b = w[31];
		return 0;
	case ABI_FIXED_BYTES:
		if (!(w = word_at(s, pos)) || !all_zero(w + t->size, 32 - t->size))
			return -1;
		memcpy(v->fixed, w, t->size);
		return 0;
	case ABI_BYTES:
	case ABI_STRING: {
		size_t words;
		uint8_t *p;
		if (small_at(s, &n, pos) < 0)
			return -1;
		pos += 32;
		words = n / 32 + (n % 32 != 0);
		if (s->len - pos < 32 * words || words > s->budget)
			return -1;
		if (!all_zero(s->d + pos + n, 32 * words - n))
			return -1;
		s->budget -= words;
		p = xmalloc(n + 1);
		if (n)
			memcpy(p, s->d + pos, n);
		p[n] = 0;
		v->data = p;
		v->len = n;
		return 0;
	}
	case ABI_ARRAY:
		if (small_at(s, &n, pos) < 0)
			return -1;
		return dec_items(s, v, t->sub, n, pos + 32, depth);
	case ABI_FIXED_ARRAY:
		return dec_items(s, v, t->sub, t->n, pos, depth);
	case ABI_TUPLE:
		v->n = t->n;
		v->items = xcalloc(t->n, sizeof(*v->items));
		return dec_seq(s, v->items, t->sub, false, t->n, pos, depth + 1);
	}
	return -1;
}

int abi_decode_type(abi_value *out, const abi_type *list, const uint8_t *data, size_t len)
{
	dec s = {data, len, len / 32};
	if (list->kind != ABI_TUPLE)
		return -1;
	memset(out, 0, list->n * sizeof(*out));
	if (dec_seq(&s, out, list->sub, false, list->n, 0, 0) < 0) {
		abi_free(out, list->n);
		return -1;
	}
	return 0;
}

int abi_decode(abi_value *out, size_t max, size_t *n, const char *types,
	       const uint8_t *data, size_t len)
{
	abi_type t;
	int rc = -1;
	*n = 0;
	if (abi_type_parse(&t, types) < 0)
		return -1;
	if (t.n <= max && abi_decode_type(out, &t, data, len) == 0) {
		*n = t.n;
		rc = 0;
	}
	abi_type_free(&t);
	return rc;
}

void abi_free(abi_value *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i].kind == ABI_BYTES || v[i].kind == ABI_STRING)
			free((void *)v[i].data);
		if (v[i].items) {
			abi_free(v[i].items, v[i].n);
			free(v[i].items);
		}
		memset(&v[i], 0, sizeof(v[i]));
	}
}

/* ---- reverts ---- */

void abi_revert(buf *out, const char *reason)
{
	abi_value v = abi_string(reason);
	buf_reset(out);
	buf_add(out, error_selector, 4);
	if (abi_encode(out, &v, 1) < 0) /* a string always encodes */
		diag_die(LST_EFAIL, "abi: cannot encode a revert reason");
}

void abi_revertf(buf *out, const char *fmt, ...)
{
	va_list ap;
	char small[256], *s = small;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		small[0] = 0;
	} else if ((size_t)n >= sizeof(small)) {
		s = xmalloc((size_t)n + 1);
		va_start(ap, fmt);
		if (vsnprintf(s, (size_t)n + 1, fmt, ap) < 0)
			s[0] = 0;
		va_end(ap);
	}
	abi_revert(out, s);
	if (s != small)
		free(s);
}

int abi_revert_reason(char **reason, const uint8_t *data, size_t len)
{
	abi_value v;
	size_t n;
	*reason = NULL;
	if (len < 4 || memcmp(data, error_selector, 4))
		return -1;
	if (abi_decode(&v, 1, &n, "string", data + 4, len - 4) < 0)
		return -1;
	*reason = (char *)v.data; /* decoded strings are NUL-terminated */
	return 0;
}
