/*
 * book.h: the market from a client's side (contracts/market.h is the
 * contract): book ids, the publishing terms the foundation co-signs and
 * their JSON form, calldata of the market's functions, its views over
 * JSON-RPC (eth_call through lib/rpcclient), and its Purchased logs.
 *
 * Porcelain (lst publish/release/price/versions/show/sales/library/read),
 * lst-buy and lst-sign cosign are built on this; nothing else encodes the
 * market's ABI by hand.
 *
 * Terms JSON (what `lst publish --terms` prints and `lst-sign cosign`
 * reads; keys never change):
 *   {"chain_id":N, "market":"0x..", "author":"0x..", "book":"0x..(32)",
 *    "title":"..", "details":"..(the details JSON text)", "price":"Photons",
 *    "root":"bafy..(CID)", "tree":"0x..(32)", "label":"..",
 *    "terms_hash":"0x..(32)"}
 * book_terms_from_json recomputes book and terms_hash from the other
 * fields and refuses a document whose stated ones differ, so a co-signer
 * signs what it was shown.
 */
#ifndef LST_BOOK_H
#define LST_BOOK_H

#include "lst.h"
#include "abi.h"
#include "buf.h"
#include "cid.h"
#include "u256.h"
#include "keyring.h"
#include <jansson.h>

typedef struct {
	uint64_t chain_id;
	uint8_t author[20];
	uint8_t book[32];   /* book_id(author, title) */
	char *title;        /* malloc'd, NUL-terminated */
	char *details;      /* malloc'd; "" when none */
	u256 price;         /* Photons */
	cid root;           /* the first version */
	uint8_t tree[32];   /* the version's tree id (git tree digest) */
	char *label;        /* malloc'd, e.g. the tag name */
	uint8_t hash[32];   /* set by book_terms_finish */
} book_terms;

/* keccak256("lst-book-v1" || author || title). */
void book_id(uint8_t out[32], const uint8_t author[20], const char *title);
/* Parse a 0x-hex book id (64 hex digits). 0 or -1 (reported, exit 6). */
int book_id_parse(uint8_t out[32], const char *s) LST_WUR;
/* "0x" + 64 hex digits. */
void book_id_str(char out[67], const uint8_t book[32]);

/*
 * Checks the limits (title 1..200 bytes, details <= 16384, label <= 64,
 * price < 2^128; exit 6 with the field named) and sets t->book and
 * t->hash. 0 or -1 (reported).
 */
int book_terms_finish(book_terms *t) LST_WUR;
json_t *book_terms_json(const book_terms *t);
/* Parse, check and finish (above); -1 (reported, exit 6) on any mismatch. */
int book_terms_from_json(book_terms *t, const json_t *j) LST_WUR;
void book_terms_free(book_terms *t);

/* The foundation's co-signature: personal_sign of t->hash with priv. */
int book_cosign(uint8_t sig[65], const uint8_t priv[32], const book_terms *t) LST_WUR;
/* 0 if sig is foundation's over t->hash, else -1 (not reported). */
int book_cosig_verify(const uint8_t sig[65], const book_terms *t, const uint8_t foundation[20]) LST_WUR;

/* Calldata (appended to out). 0 or -1. */
int book_call_publish(buf *out, const book_terms *t, const uint8_t sig[65]) LST_WUR;
int book_call_set_price(buf *out, const uint8_t book[32], const u256 *price) LST_WUR;
int book_call_add_version(buf *out, const uint8_t book[32], const cid *root, const uint8_t tree[32],
			  const char *label) LST_WUR;
int book_call_buy(buf *out, const uint8_t book[32]) LST_WUR;

/* ---- views, over the node set with rpcc_set_url; 0, 1 no such book, -1 (reported) ---- */

typedef struct {
	uint8_t book[32];
	uint8_t author[20];
	u256 price;
	uint64_t versions, sales, published; /* published: block height */
	char *title, *details;               /* malloc'd */
} book_info;

typedef struct {
	cid root;
	uint8_t tree[32];
	char *label; /* malloc'd */
	uint64_t height;
} book_version;

int book_get(book_info *out, const uint8_t book[32]) LST_WUR;
void book_info_free(book_info *b);
/* *out malloc'd array of *n, oldest first; book_versions_free. */
int book_versions(book_version **out, size_t *n, const uint8_t book[32]) LST_WUR;
void book_versions_free(book_version *v, size_t n);
/* The book root is a version of: 0 found, 1 none, -1. */
int book_of_root(uint8_t out[32], const cid *root) LST_WUR;
/* 0 and *yes, or -1. */
int book_has_access(bool *yes, const uint8_t book[32], const uint8_t reader[20]) LST_WUR;
/* fees(): 0 or -1. */
int book_fees(uint64_t *service_fee_bps, u256 *listing_fee, uint8_t foundation[20]) LST_WUR;
/* eth_chainId. */
int book_chain_id(uint64_t *out) LST_WUR;
/*
 * eth_blockNumber: the height the node has reached, which a reader sends
 * providers as X-Lst-Height (access.h) so one a block behind waits.
 */
int book_height(uint64_t *out) LST_WUR;

/*
 * Send a call to the market from key e with value (NULL: none): build an
 * EIP-1559 tx with the pending nonce, sign, eth_sendRawTransaction, wait
 * up to timeout seconds for the receipt (final: the chain has BFT
 * finality). A reverted call is reported with the market's reason
 * (exit 4) and returns -1; *receipt is set either way when there is one.
 */
int book_send(json_t **receipt, const key_entry *e, const buf *calldata, const u256 *value,
	      double timeout) LST_WUR;

/* ---- any native contract's client: the market's above, the subscription contract's (subs.h) ---- */

typedef struct {
	const uint8_t *address; /* 20 bytes */
	const char *name;       /* in messages: "the market" */
	const char *notfound;   /* a view reverting with a reason holding this is "not found"; NULL: none */
	const char *const *sigs; /* its functions' signatures, to name a call in messages */
	size_t nsigs;
} book_contract;

/*
 * eth_call sig(args) on c and decode the answer as types into out[0..want)
 * (abi_free them). what names the subject in messages. 0, 1 reverted with
 * c->notfound (not reported), -1 (reported: a node unreachable is exit 5,
 * another revert exit 4).
 */
int book_contract_view(abi_value *out, size_t want, const book_contract *c, const char *types, const char *sig,
		       const abi_value *args, size_t nargs, const char *what) LST_WUR;
/* What book_send does, for calldata to contract c (book_send is this with the market). */
int book_contract_send(json_t **receipt, const book_contract *c, const key_entry *e, const buf *calldata,
		       const u256 *value, double timeout) LST_WUR;
/*
 * c's event logs (event: its signature), with topics[0..ntopics) after
 * topic 0 where have[i] (else any), from block 0 to latest, oldest first,
 * each parsed by parse into an item of size bytes: *out malloc'd array of
 * *n. parse returns 0, or -1 for a malformed log (then reported here as
 * one). 0 or -1 (reported).
 */
typedef int (*book_log_parse)(void *item, json_t *log);
int book_contract_events(void **out, size_t *n, size_t size, const book_contract *c, const char *event,
			 const uint8_t (*topics)[32], const bool *have, size_t ntopics, book_log_parse parse) LST_WUR;
/*
 * One log of c's event (from eth_getLogs or a receipt): its topics after topic 0 into
 * words[0..ntopics) (there must be exactly that many), its data (malloc'd),
 * block height and transaction. 0 or -1 (malformed; not reported).
 */
int book_contract_log(uint8_t (*words)[32], size_t ntopics, uint8_t **data, size_t *dlen, uint64_t *height,
		      uint8_t tx[32], const book_contract *c, const char *event, json_t *log) LST_WUR;

/* ---- events ---- */

typedef struct {
	uint8_t book[32], buyer[20], author[20];
	u256 price, fee;
	uint64_t height;
	uint8_t tx[32];
} book_purchase;

/*
 * Purchased logs from block 0 to latest (eth_getLogs), filtered by any of
 * book, buyer, author that is not NULL; *out malloc'd, oldest first.
 */
int book_purchases(book_purchase **out, size_t *n, const uint8_t *book, const uint8_t *buyer,
		   const uint8_t *author) LST_WUR;

#endif
