/*
 * abi.h: the Solidity contract ABI, as native contracts speak it.
 *
 * Owns function selectors and event topics, the type grammar (elementary
 * types, T[], T[k] and tuples), head/tail encoding, and a strict decoder
 * for calldata that anyone may send: it refuses truncated data, offsets
 * out of range, misaligned or into the heads, lengths beyond the data,
 * dirty padding (high bytes of address/uint<M>, sign extension of int<M>,
 * low bytes of bytes<N>, the tail of bytes/string), bools other than 0/1,
 * and data that reads the same words twice (overlapping offsets), so the
 * work and memory of a decode are linear in the size of the data. Bytes
 * after the encoding are ignored, as Solidity does. fixed/ufixed and
 * function types are not supported, nor T[k] with k above 2^20.
 *
 * Values are self-describing, so encoding needs no type string (an empty
 * T[] encodes the same whatever T is). Ownership: values you build with
 * the constructors below borrow your pointers and are yours to free;
 * values from abi_decode own their data and items and are released with
 * abi_free.
 */
#ifndef LST_ABI_H
#define LST_ABI_H

#include "lst.h"
#include "buf.h"
#include "u256.h"

typedef enum {
	ABI_UINT,        /* uint<M>: u, size = M */
	ABI_INT,         /* int<M>: u as two's complement, size = M */
	ABI_ADDRESS,     /* addr */
	ABI_BOOL,        /* b */
	ABI_FIXED_BYTES, /* bytes<N>: fixed[0..N), size = N */
	ABI_BYTES,       /* data, len */
	ABI_STRING,      /* data, len (UTF-8 is not checked) */
	ABI_ARRAY,       /* T[]: items, n */
	ABI_FIXED_ARRAY, /* T[k]: items, n = k */
	ABI_TUPLE,       /* (T1,...,Tn): items, n */
} abi_kind;

/* A parsed type. A type list "address,uint256" parses as a TUPLE. */
typedef struct abi_type {
	abi_kind kind;
	unsigned size;        /* UINT/INT: bits (8..256); FIXED_BYTES: 1..32 */
	size_t n;             /* FIXED_ARRAY: length; TUPLE: components */
	struct abi_type *sub; /* ARRAY/FIXED_ARRAY: the element; TUPLE: n components */
} abi_type;

typedef struct abi_value {
	abi_kind kind;
	unsigned size;           /* as abi_type */
	u256 u;                  /* UINT, INT */
	uint8_t addr[20];        /* ADDRESS */
	bool b;                  /* BOOL */
	uint8_t fixed[32];       /* FIXED_BYTES, left-aligned */
	const uint8_t *data;     /* BYTES, STRING; decoded ones are NUL-terminated */
	size_t len;
	struct abi_value *items; /* ARRAY, FIXED_ARRAY, TUPLE */
	size_t n;
} abi_value;

/* Constructors: they borrow pointers (nothing to free). */
static inline abi_value abi_uint(unsigned bits, const u256 *u)
{
	abi_value v = {.kind = ABI_UINT, .size = bits, .u = *u};
	return v;
}
static inline abi_value abi_u256(const u256 *u)
{
	return abi_uint(256, u);
}
static inline abi_value abi_u64(uint64_t x)
{
	abi_value v = {.kind = ABI_UINT, .size = 256, .u = u256_from_u64(x)};
	return v;
}
static inline abi_value abi_address(const uint8_t a[20])
{
	abi_value v = {.kind = ABI_ADDRESS};
	memcpy(v.addr, a, 20);
	return v;
}
static inline abi_value abi_bool(bool b)
{
	abi_value v = {.kind = ABI_BOOL, .b = b};
	return v;
}
/* bytes<len>, len 1..32. */
static inline abi_value abi_fixed_bytes(const uint8_t *p, size_t len)
{
	abi_value v = {.kind = ABI_FIXED_BYTES, .size = (unsigned)len};
	memcpy(v.fixed, p, len > 32 ? 32 : len);
	return v;
}
static inline abi_value abi_bytes(const uint8_t *p, size_t len)
{
	abi_value v = {.kind = ABI_BYTES, .data = p, .len = len};
	return v;
}
static inline abi_value abi_string(const char *s)
{
	abi_value v = {.kind = ABI_STRING, .data = (const uint8_t *)s, .len = strlen(s)};
	return v;
}
/* T[] (fixed: T[n]) or a tuple of the n values at items. */
static inline abi_value abi_array(abi_value *items, size_t n, bool fixed)
{
	abi_value v = {.kind = fixed ? ABI_FIXED_ARRAY : ABI_ARRAY, .items = items, .n = n};
	return v;
}
static inline abi_value abi_tuple(abi_value *items, size_t n)
{
	abi_value v = {.kind = ABI_TUPLE, .items = items, .n = n};
	return v;
}

/* keccak256(signature)[0..4), e.g. "transfer(address,uint256)". */
void abi_selector(uint8_t out[4], const char *signature);
/* keccak256(signature), topic 0 of a non-anonymous event. */
void abi_event_topic(uint8_t out[32], const char *signature);
/* An address as a 32-byte word (an indexed address topic). */
void abi_address_word(uint8_t out[32], const uint8_t addr[20]);

/*
 * Parses a comma-separated type list ("" for none; "uint" is uint256,
 * "tuple(...)" is "(...)") into a TUPLE; 0 or -1 (out then owns nothing).
 */
int abi_type_parse(abi_type *out, const char *types) LST_WUR;
/* Frees what t owns (not t itself). */
void abi_type_free(abi_type *t);
bool abi_types_valid(const char *types);

/*
 * Appends the encoding of the n values (a function's arguments or return
 * values) to out. -1, out unchanged, if a value is out of its range
 * (uint8 > 255, bits not a multiple of 8 in 8..256 ...), an array mixes
 * kinds, or a fixed array or tuple is empty.
 */
int abi_encode(buf *out, const abi_value *args, size_t n) LST_WUR;
/* Appends selector(signature) and the encoded args: calldata. */
int abi_encode_call(buf *out, const char *signature, const abi_value *args, size_t n) LST_WUR;

/*
 * Decodes data (calldata after the selector, or return data) as the type
 * list `types` into out[0..*n); -1 if the types are bad, more than max, or
 * the data is not a valid encoding (out then holds nothing to free).
 */
int abi_decode(abi_value *out, size_t max, size_t *n, const char *types,
	       const uint8_t *data, size_t len) LST_WUR;
/* The same with a parsed list: out has room for list->n values. */
int abi_decode_type(abi_value *out, const abi_type *list, const uint8_t *data, size_t len) LST_WUR;
/* Frees what abi_decode allocated in v[0..n) and zeroes them. */
void abi_free(abi_value *v, size_t n);

/* Replaces out with Error(string) revert data (selector 0x08c379a0). */
void abi_revert(buf *out, const char *reason);
void abi_revertf(buf *out, const char *fmt, ...) LST_PRINTF(2, 3);
/* The reason of Error(string) revert data, malloc'd; -1 if it is not one. */
int abi_revert_reason(char **reason, const uint8_t *data, size_t len) LST_WUR;

#endif
