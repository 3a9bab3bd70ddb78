/*
 * pages.h: reading a subscription book page by page (DESIGN.md section 6,
 * contracts/subscription.h).
 *
 * Owns: the page request a member signs, the provider's side (membership
 * on chain, page keys sealed to the member, the served receipt signed by
 * the provider's serving key), the serving key in HOME/serve-key, and the
 * reader's side (ask providers, open the pages from the blocks).
 *
 * Pages. A paged book (lst publish --pages) is published with segments of
 * SUB_PAGE_BYTES bytes; its pages are the segments of its files, in
 * manifest order, numbered from 1 (file 0's segments first). Page p's key
 * is that segment's key (content.h), so one page key opens one page.
 *
 * The request, POST /lst/v1/pages/{root} with the JSON body
 *	{"reader":"0x..","root":"bafy..","from":N,"to":M,"expires":T,
 *	 "signature":"0x<130 hex>"}
 * where 1 <= N <= M, M - N < PAGES_PER_REQUEST, and the signature is an
 * EIP-191 personal_sign (msg.h) by the reader over the text
 *	lst-pages-request-v1
 *	reader: 0x<40 hex, lowercase>
 *	root: <root CID>
 *	pages: N-M
 *	expires: <unix seconds>
 * (each line ending "\n"), valid while now <= T <= now + ACCESS_MAX_LIFETIME.
 *
 * The provider recovers the reader's public key, asks the chain
 * subscription.pageAccess(reader, root id) (cached PAGES_CACHE_SECONDS per
 * reader and root), and, for a member whose membership ends after now,
 * answers 200
 *	{"root":..,"book":"0x..","period":K,"from":N,"to":M,
 *	 "server":"0x<serving key's address>","receipt":"0x<130 hex>",
 *	 "envelope":"<hex of seal_to(reader, the M-N+1 page keys, 32 bytes each)>",
 *	 "pages":[{"page":p,"file":i,"segment":j,"offset":o,"length":l},..]}
 * offset and length locating the page's stored segment in file i's
 * ciphertext (the directory entry "i"), receipt the serving key's
 * signature over sub_receipt_hash(chain id, reader, book, K, N..M).
 * Refusals: 400 a malformed request; 403 {"error":"access denied",
 * "reason":..} for a bad signature or expiry or a reader who is not a
 * member of the book's category now ("not a member"), or a root whose book
 * is not enrolled; 404 no content key for root here, or pages past the
 * book's last ("the book has P pages"); 503 the chain cannot be asked.
 */
#ifndef LST_PAGES_H
#define LST_PAGES_H

#include "lst.h"
#include "bstore.h"
#include "cid.h"
#include "keyring.h"
#include <jansson.h>

#define PAGES_PER_REQUEST 1000
#define PAGES_CACHE_SECONDS 5
#define PAGES_SERVE_KEY_FILE "serve-key"

/* ---- the serving key: HOME/serve-key, 64 hex digits and a newline, mode 0600 ---- */

/*
 * Load HOME/serve-key into priv (sodium_malloc'd by the caller, 32 bytes)
 * and its address into addr; create it first when absent and create is
 * set. 0, 1 absent (create false), -1 (reported).
 */
int pages_serve_key(uint8_t *priv, uint8_t addr[20], const char *home, bool create) LST_WUR;

/* ---- the request ---- */

typedef struct {
	uint8_t reader[20];
	cid root;
	uint32_t from, to;
	uint64_t expires;
	uint8_t sig[65];
	uint8_t pub[65]; /* set by pages_request_verify */
} pages_request;

int pages_request_make(pages_request *r, const uint8_t priv[32], const cid *root, uint32_t from, uint32_t to,
		       uint64_t expires) LST_WUR;
json_t *pages_request_json(const pages_request *r);
/* 0 or -1 with a static reason (not reported). */
int pages_request_from_json(pages_request *r, const json_t *j, const char **reason) LST_WUR;
/* 0 when signed by r->reader and now within [expires - ACCESS_MAX_LIFETIME, expires]; sets r->pub. */
int pages_request_verify(pages_request *r, uint64_t now, const char **reason) LST_WUR;

/* ---- the provider's side (the gateway's POST /lst/v1/pages/{root}) ---- */

/* The chain's pageAccess(reader, root id) answer (contracts/subscription.h), and the chain id. */
typedef struct {
	uint8_t book[32];  /* zero: root is no book's version */
	uint64_t category; /* 0: the book is not enrolled */
	uint64_t period;   /* the current period */
	uint64_t until;    /* unix time the reader's membership ends; 0: not a member now */
	uint64_t chain_id;
} pages_access;

/*
 * pageAccess(reader, root_id(root)) by eth_call over rpc_url (the chain id
 * asked once per process and URL), remembered PAGES_CACHE_SECONDS per
 * (url, reader, root) whatever the answer. 0, or -1 reported: LST_EUNAVAIL
 * the node could not be reached, LST_EFAIL an error or a malformed
 * answer. Thread-safe; blocks on the chain (not for an HTTP thread).
 */
int pages_access_ask(pages_access *out, const char *rpc_url, const uint8_t reader[20], const cid *root,
		     uint64_t now) LST_WUR;
/* The same asked afresh whatever is remembered (then remembered). */
int pages_access_refresh(pages_access *out, const char *rpc_url, const uint8_t reader[20], const cid *root,
			 uint64_t now) LST_WUR;
/* The remembered answer only, never asking: true and *out, or false. Thread-safe. */
bool pages_access_cached(pages_access *out, const char *rpc_url, const uint8_t reader[20], const cid *root,
			 uint64_t now);

/*
 * Can this provider serve root's pages: 1 with its content key in
 * home/content-keys/ROOT and its manifest (read with the key from s, then
 * kept, parsed, for the PAGES_BOOKS roots asked most recently), 0 no key
 * here (not reported), -1 the manifest cannot be read (reported). Thread-safe.
 */
#define PAGES_BOOKS 64
int pages_have(bstore *s, const char *home, const cid *root) LST_WUR;

/*
 * The provider's answer to r (verified by pages_request_verify) given the
 * chain's answer a about (r->reader, r->root) at unix time now: the JSON
 * body (new reference) and *status, 200 with the page keys sealed to
 * r->pub and the receipt signed by serve_priv (32 bytes; server its
 * address, from pages_serve_key), else 403 (not a
 * book, not enrolled, not a member), 404 (no key here, pages past the
 * last) or 500, with {"error":..,"reason":..}, as above. Thread-safe.
 */
json_t *pages_serve(unsigned *status, bstore *s, const char *home, const pages_request *r, const pages_access *a,
		    const uint8_t *serve_priv, const uint8_t server[20], uint64_t now);

/* ---- the reader's side ---- */

typedef struct {
	uint8_t book[32];
	uint64_t period;
	uint32_t from, to;
	uint8_t server[20];
	uint8_t receipt[65];
	size_t n;           /* to - from + 1 */
	uint8_t *keys;      /* n * 32, sodium_malloc'd */
	uint64_t *file, *segment, *offset, *length; /* n each */
} pages_grant;

void pages_grant_free(pages_grant *g);

/*
 * Ask the gateway at base_url for pages from..to of root as the holder of
 * priv: check the answer (receipt signed by the stated server over these
 * pages, envelope opens to n keys). 0; -1 reported: LST_EREFUSED for a 403
 * (with the provider's reason), LST_ENOTFOUND 404, LST_EUNAVAIL otherwise.
 */
int pages_ask(pages_grant *out, const char *base_url, const uint8_t priv[32], const cid *root, uint32_t from,
	      uint32_t to) LST_WUR;

/*
 * Check a provider's 200 answer to a request for pages from..to of root
 * made with priv (pages_ask's checks, chain_id the reader's chain) and
 * take it into *out. 0, or -1 with a static reason (not reported).
 */
int pages_grant_from_json(pages_grant *out, const json_t *answer, const uint8_t priv[32], const cid *root,
			  uint32_t from, uint32_t to, uint64_t chain_id, const char **reason) LST_WUR;

/* eth_chainId over rpc_url, asked once per process and URL. 0 or -1 (reported). Thread-safe. */
int pages_chain_id(uint64_t *out, const char *rpc_url) LST_WUR;

/*
 * pages_ask of several gateways until one grants: peers[0..npeers), then
 * node (the reader's node: its own gateway), then the providers node's
 * registry lists for root, complete ones first. Each request carries the
 * height of the node rpcc_url() as X-Lst-Height (access.h): a provider
 * whose node is behind it asks the chain again until it catches up before
 * saying "not a member" (a reader who has just subscribed). A grant whose server is
 * not registered on chain (subscription.serverOwner is zero: its receipt
 * could not be recorded) is passed over. *from_url (malloc'd) the gateway
 * that granted. 0, or -1 reported with the worst outcome: LST_EREFUSED a
 * provider refused (its reason quoted: "not a member"), LST_ENOTFOUND no
 * provider has the root or the pages are past the book's last (asking
 * stops there), LST_EUNAVAIL none could be reached.
 */
int pages_ask_any(pages_grant *out, char **from_url, const uint8_t priv[32], const char *const *peers,
		  size_t npeers, const char *node, const cid *root, uint32_t from, uint32_t to) LST_WUR;

/*
 * Every block of root into s, as a reader without its key fetches them
 * (the gate lets members of the book's category have its blocks): nothing
 * when they are all here, else swarm_fetch from peers and the providers of
 * the node rpcc_url(), priv's access proofs, the node's height as
 * X-Lst-Height, this home's gateway announced; then pinned. 0 or -1
 * (reported, as swarm_fetch).
 */
int pages_fetch(bstore *s, const uint8_t priv[32], const char *const *peers, size_t npeers,
		const cid *root) LST_WUR;

/*
 * Record the granted pages on chain from e, the reader:
 * recordPages(book, period, from..to, receipt) by subs_send (a refusal is
 * exit 4 with the contract's reason, nothing sent). *added and *counted
 * from its PagesRecorded log, *tx its hash. 0 or -1 (reported).
 */
int pages_record(uint64_t *added, uint64_t *counted, uint8_t tx[32], const key_entry *e, const pages_grant *g,
		 double timeout) LST_WUR;

/*
 * Write the plaintext of the granted pages, in order, to fd, opening each
 * segment from the blocks of root in s (which must hold them). 0 or -1
 * (reported; LST_ENOTFOUND when a block is missing).
 */
int pages_write(bstore *s, int fd, const cid *root, const pages_grant *g) LST_WUR;

#endif
