/*
 * cid.h: content identifiers (CIDv0 and CIDv1), multihash, unsigned varints
 * and the multibase strings they are written in.
 *
 * Owns: the binary CID, its string forms (CIDv1 as base32 lowercase with
 * the 'b' prefix, CIDv0 as base58btc "Qm..."), hashing a block into a CID
 * and checking a block against one. Hashes: sha2-256 (libcrypto) and
 * identity (the digest is the data, as in the gateway probe bafkqaaa).
 *
 * A cid is a value: copy it with '='. bytes holds the binary form exactly
 * as it goes on the wire (CAR sections, dag-pb links): for v1
 * varint(1) varint(codec) varint(mh code) varint(len) digest; for v0 the
 * 34-byte multihash 0x12 0x20 digest alone (codec dag-pb implied).
 */
#ifndef LST_CID_H
#define LST_CID_H

#include "lst.h"

#define CID_MAX 72       /* binary bytes: 4 varints + a 64-byte digest */
#define CID_STR_MAX 128  /* string form with NUL */

enum cid_codec {
	CODEC_RAW = 0x55,
	CODEC_DAG_PB = 0x70,
	CODEC_DAG_CBOR = 0x71,
	CODEC_DAG_JSON = 0x0129,
};

enum cid_mh {
	MH_IDENTITY = 0x00,
	MH_SHA2_256 = 0x12,
};

typedef struct {
	uint8_t bytes[CID_MAX];
	size_t len;
} cid;

/* Unsigned LEB128 varint as multiformats uses it (at most 9 bytes, minimal). */
size_t varint_put(uint8_t out[10], uint64_t v);
/* 0 and *used, or -1 if truncated, over 63 bits or not minimally encoded. */
int varint_get(uint64_t *v, size_t *used, const uint8_t *in, size_t len) LST_WUR;

/* SHA-256 of data (libcrypto). */
void sha256(uint8_t out[32], const uint8_t *data, size_t len);

/* A CIDv1 with sha2-256 of data. */
void cid_of(cid *out, uint64_t codec, const uint8_t *data, size_t len);
/* A CIDv1 from a sha2-256 digest already computed. */
void cid_from_sha256(cid *out, uint64_t codec, const uint8_t digest[32]);

/*
 * Parse a binary CID at the start of in (v0 when it starts 0x12 0x20).
 * 0 and *used (may be NULL), or -1 if malformed (not reported: callers
 * say what they were reading).
 */
int cid_decode(cid *out, size_t *used, const uint8_t *in, size_t len) LST_WUR;
/* Parse a string: "Qm..." (v0, base58btc) or multibase 'b' (base32 lower) v1. 0 or -1 (not reported). */
int cid_parse(cid *out, const char *s) LST_WUR;
/* v1: 'b' + base32 lowercase; v0: base58btc. */
void cid_str(char out[CID_STR_MAX], const cid *c);

int cid_version(const cid *c);      /* 0 or 1 */
uint64_t cid_codec(const cid *c);   /* CODEC_DAG_PB for v0 */
/* The multihash: its code, the digest and its length. */
void cid_digest(const cid *c, uint64_t *mh_code, const uint8_t **digest, size_t *dlen);
bool cid_equal(const cid *a, const cid *b);

/*
 * 0 if data hashes to c; -1 if it does not or c's hash is not one we
 * compute (not reported). Constant in the data, not in the digest.
 */
int cid_check(const cid *c, const uint8_t *data, size_t len) LST_WUR;

/* RFC 4648 base32, lowercase, no padding (the multibase 'b' alphabet). */
size_t base32_encode(char *out, size_t cap, const uint8_t *in, size_t len);
/* -1 on a character outside the alphabet; *outlen set. out holds len*5/8+1. */
int base32_decode(uint8_t *out, size_t *outlen, const char *in, size_t len) LST_WUR;

#endif
