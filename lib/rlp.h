/*
 * rlp.h: Ethereum's Recursive Length Prefix encoding.
 *
 * The decoder is strict, as Ethereum clients are: a single byte below 0x80
 * wrapped as a string, a long form for a short length, leading zeros in a
 * length, lengths past the input and trailing bytes are all refused, with a
 * reason in rlp_error.
 */
#ifndef LST_RLP_H
#define LST_RLP_H

#include "lst.h"
#include "buf.h"
#include "u256.h"

/* Encoding: append items to a buf; lists by begin/end around their items. */
void rlp_put_bytes(buf *b, const uint8_t *data, size_t len);
void rlp_put_u256(buf *b, const u256 *v);
void rlp_put_u64(buf *b, uint64_t v);
size_t rlp_list_begin(buf *b);
void rlp_list_end(buf *b, size_t begin);

/* Decoding. */
typedef struct {
	const uint8_t *p; /* payload */
	size_t len;       /* payload length */
	bool list;
} rlp_item;

/* Decode the one item that must fill [in, in+len). 0 or -1 (rlp_error). */
int rlp_decode(rlp_item *out, const uint8_t *in, size_t len) LST_WUR;
/* Next item of a list payload: *pos advances. 1 got one, 0 end, -1 error. */
int rlp_next(rlp_item *out, const rlp_item *list, size_t *pos) LST_WUR;
/* Items of a list into out[max]; count in *n. -1 if more than max or bad. */
int rlp_list_items(rlp_item *out, size_t max, size_t *n, const rlp_item *list) LST_WUR;
/* A string item as an unsigned integer: no leading zeros, at most maxbytes. */
int rlp_to_u256(u256 *out, const rlp_item *it, size_t maxbytes) LST_WUR;
int rlp_to_u64(uint64_t *out, const rlp_item *it) LST_WUR;

/* Why the last decode failed (static string). */
extern const char *rlp_error;

#endif
