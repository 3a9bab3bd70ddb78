/*
 * access.h: who may have the blocks and the key of a paid root.
 *
 * Owns: the access proof a reader sends with each request for gated
 * blocks or a key envelope, and the one question asked of the chain, "did
 * this address buy (or subscribe to) this root?" (access_check), so the
 * market and subscription contracts answer it and nothing else needs to
 * know how.
 *
 * A proof is an EIP-191 personal_sign (msg.h) signature over the text
 *
 *	lst-access-v1
 *	address: 0x<40 hex, lowercase>
 *	root: <root CID string>
 *	expires: <unix seconds, decimal>
 *
 * (each line ending "\n"), carried in the HTTP header
 *
 *	X-Lst-Access: <address>.<root>.<expires>.<signature: 130 hex, no 0x>
 *
 * The server recovers the public key from the signature (so it can seal
 * the content key to it), checks it is the address's, that the proof has
 * not expired and does not reach more than ACCESS_MAX_LIFETIME into the
 * future, then asks the chain.
 */
#ifndef LST_ACCESS_H
#define LST_ACCESS_H

#include "lst.h"
#include "cid.h"

#define ACCESS_MAX_LIFETIME (24 * 3600)
#define ACCESS_HEADER "X-Lst-Access"
/*
 * X-Lst-Height: H, sent beside a proof: the requester's own node has
 * reached block H (a buyer sends the height of its purchase's block). A
 * provider whose node answers "not purchased" below height H asks again
 * until its node reaches H (a few seconds at most) before refusing; at or
 * above H, or without the header, the "no" stands at once.
 */
#define ACCESS_HEIGHT_HEADER "X-Lst-Height"
#define ACCESS_STR_MAX 512

typedef struct {
	uint8_t addr[20];
	cid root;
	uint64_t expires;
	uint8_t sig[65];
	uint8_t pub[65]; /* set by access_proof_verify */
} access_proof;

/* Sign a proof for root with priv, valid until expires. 0 or -1 (reported). */
int access_proof_make(access_proof *p, const uint8_t priv[32], const cid *root, uint64_t expires) LST_WUR;
/* The header value. */
void access_proof_str(char out[ACCESS_STR_MAX], const access_proof *p);
/* Parse a header value. 0 or -1 (not reported). */
int access_proof_parse(access_proof *p, const char *s) LST_WUR;
/*
 * 0 if the signature is the address's over these fields and now is
 * within [expires - ACCESS_MAX_LIFETIME, expires]; sets p->pub.
 * -1 otherwise, with why (static text) in *reason.
 */
int access_proof_verify(access_proof *p, uint64_t now, const char **reason) LST_WUR;

/*
 * Does addr hold root: the market contract's canRead(address,bytes32)
 * over JSON-RPC at rpc_url, where the bytes32 is root_id(root) (the
 * book's author, a buyer, or a member now of the subscription category
 * the book is enrolled in). 1 yes,
 * 0 no, -1 the node could not be asked (reported, LST_EUNAVAIL) or its
 * answer was an error, a revert or not a bool (reported, LST_EFAIL).
 * Safe to call from several threads at once.
 */
int access_check(const char *rpc_url, const uint8_t addr[20], const cid *root);

/*
 * Does addr hold root's book: the market's hasAccess(bookOf(root_id(root)),
 * addr), its author or a buyer. The question for a root's content key (a
 * key envelope), where access_check's canRead also lets the members of the
 * book's subscription category have its blocks: a member reads page by
 * page (pages.h), never with the whole key. 1 yes, 0 no (also a root that
 * is no book's version), -1 as access_check. Thread-safe; not cached.
 */
int access_check_key(const char *rpc_url, const uint8_t addr[20], const cid *root);

/*
 * access_check through a cache of this process, for a gateway that asks
 * per block: a yes is remembered ACCESS_CACHE_YES seconds, a no
 * ACCESS_CACHE_NO, an error not at all. now is unix seconds. Thread-safe;
 * at most ACCESS_CACHE_SIZE answers are kept, the oldest give way.
 */
#define ACCESS_CACHE_YES 60
#define ACCESS_CACHE_NO 2
#define ACCESS_CACHE_SIZE 4096
int access_check_cached(const char *rpc_url, const uint8_t addr[20], const cid *root, uint64_t now);
/*
 * The same, with a no remembered only for the same salt (the gateway
 * passes the proof's expiry): the blocks of one fetch share one proof and
 * one answer, while a reader who has just bought comes back with a new
 * proof and is asked about afresh.
 */
int access_check_salted(const char *rpc_url, const uint8_t addr[20], const cid *root, uint64_t salt, uint64_t now);

/*
 * The headers a reader sends with a request about root: X-Lst-Access
 * (a proof made with priv, valid for lifetime seconds from now) and, when
 * min_height is not 0, X-Lst-Height. list[0..n) for http_do. 0 or -1
 * (reported).
 */
typedef struct {
	char proof[ACCESS_STR_MAX + 32], height[64];
	const char *list[2];
	size_t n;
} access_headers;
int access_headers_make(access_headers *h, const uint8_t priv[32], const cid *root, uint64_t now, uint64_t lifetime,
			uint64_t min_height) LST_WUR;

/* A root's id on chain: the sha2-256 digest of the root CID's binary form. */
void root_id(uint8_t out[32], const cid *root);

#endif
