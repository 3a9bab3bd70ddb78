/*
 * gateway.h: the HTTP side of the swarm (DESIGN.md section 7), inside
 * `lst-chain daemon` (rpc.c routes /ipfs/ and /lst/v1/ here) or alone
 * (`lst-swarm serve`, gateway_start).
 *
 * Routes:
 *	GET|HEAD /ipfs/{cid}[/{path}]   IPFS Trustless Gateway: ?format=raw|car or
 *	                                Accept application/vnd.ipld.raw | .car
 *	                                (version=1, order=dfs|unk, dups=y|n);
 *	                                dag-scope=block|entity|all, entity-bytes
 *	                                accepted (the whole entity is sent)
 *	GET  /lst/v1/key/{root}          the content key sealed to the proof's key
 *	POST /lst/v1/providers           one signed provider record (providers.h)
 *	GET  /lst/v1/providers/{root}    the live records for root, a JSON array;
 *	                                 without X-Lst-Peer (a reader, not a peer)
 *	                                 the peers' records are pulled first
 *	                                 (prov_pull, at most every 2 s per root)
 *	POST /lst/v1/pages/{root}        page keys for a member of the book's category,
 *	                                 sealed to the signed request's key, and the
 *	                                 serving key's receipt (pages.h); other methods 405
 *	GET  /lst/v1/stats               {"uploaded_bytes","blocks_served","requests","denied",
 *	                                 "superseed_refused","pages_served"}
 *
 * Statuses: 400 invalid CID, path or parameter; 404 not here; 405 other
 * methods; 406 neither ?format nor an acceptable Accept (we serve no
 * deserialized responses) or a format we do not serve; 403 a gated block
 * without access; 503 the chain could not be asked, or busy (below).
 * Error bodies are small JSON objects {"error":...}.
 *
 * Super-seeding, for our own swarm fetchers only. A raw request for a
 * raw-codec block carrying the header
 *	X-Lst-Swarm: 1[; id=TOKEN]
 * (fetch.c sends it to complete providers; TOKEN names the fetcher) is
 * refused when this gateway served the same block to a different swarm
 * requester (another TOKEN, or one without) less than opts.superseed_ms
 * ago: 503 with Retry-After (whole seconds, at least 1), X-Lst-Busy (the
 * milliseconds until the block is served again here), Cache-Control
 * no-store and {"error":"busy","reason":"served recently: ask other
 * readers"}, counted as "superseed_refused". So a seed sends each block
 * about once per window and readers fetch it from each other, as
 * BitTorrent super-seeding does. A refusal does not renew the window;
 * after it the next swarm request is served. Requests without the header
 * (ordinary IPFS clients; our fetcher after two refusals of the same
 * block, so nobody starves), HEAD, CARs and non-raw blocks are never
 * refused, and only swarm requests that were served start a window. The
 * table of served blocks is bounded (GW_SUPERSEED_SLOTS, a slot per
 * block hash, overwritten on collision: a forgotten block is just served).
 *
 * Gating. A root is gated when the store has the empty marker file
 * STORE/gated/ROOT (gateway_gate_root; lst-block add and lst-swarm fetch
 * mark encrypted roots). The gateway keeps an index of every block under
 * a gated root (walking the non-leaf blocks present; raw leaves are
 * indexed from their parents' links, so they are known before they
 * arrive), rebuilt when gated/ changes and re-walked for roots whose
 * DAG was incomplete when a block it does not know is asked for. A
 * request for an indexed block, a CAR whose blocks include one, or a key
 * envelope needs the header X-Lst-Access (access.h) for one of the
 * block's roots, from an address the chain says has access
 * (access_check_cached over opts.rpc_url: a buyer, the author, or a
 * member of the book's subscription category; for a key envelope
 * access_check_key: a buyer or the author only, as a member reads page
 * by page, below); else 403 with
 *	{"error":"access denied","reason":R,"root":ROOT}
 * R is "access proof required", "bad access proof: <why>" or "not
 * purchased"; 503 {"error":"cannot check purchase",...} when the chain is
 * unreachable. The chain is asked off the HTTP threads (the connection is
 * suspended meanwhile), so a daemon asking its own RPC port never waits
 * on itself. With X-Lst-Height H (access.h) and our node below H, a "no"
 * is asked again for up to about 5 s before the 403 is sent: a reader
 * who has just bought holds a final receipt from its own node and asks
 * providers whose nodes may be a block or two behind.
 * Public blocks go to anyone. opts.gate false (config key
 * "gate" = "off" in the daemon) serves every block to anyone; key
 * envelopes are always checked.
 *
 * Pages. POST /lst/v1/pages/{root} takes a member's signed page request
 * (pages.h): 400 a malformed request or one for another root, 403 a bad
 * signature or expiry, 404 no content key for root in opts.home, then the
 * chain's subscription.pageAccess (asked off the HTTP threads like a
 * purchase, remembered PAGES_CACHE_SECONDS, asked again while our node is
 * below the request's X-Lst-Height; 503 when it cannot be asked),
 * then pages_serve's answer (403 not a member or not enrolled, 404 pages
 * past the last, 200 the sealed page keys and the receipt signed by
 * HOME/serve-key, created with the first request when absent).
 *
 * Raw blocks are sent from the store's file (zero copy: the client
 * checks the hash); CARs are streamed depth-first as they are read, each
 * block checked against its CID.
 */
#ifndef LST_GATEWAY_H
#define LST_GATEWAY_H

#include "lst.h"
#include "cid.h"

#include <microhttpd.h>

typedef struct gateway gateway;

typedef struct {
	const char *store_dir;           /* the block store, e.g. HOME/blocks */
	const char *home;                /* for HOME/content-keys (NULL: no key envelopes) */
	const char *rpc_url;             /* the chain's JSON-RPC for access checks (NULL: gated blocks get 503) */
	const char *const *peers;        /* gateway base URLs provider records are gossiped to */
	size_t npeers;
	bool gate;                       /* default true: gate paid roots; false serves every block */
	const char *self_url;            /* this gateway's URL, sent as X-Lst-Peer (gateway_start sets it) */
	unsigned superseed_ms;           /* super-seeding window (above); default GW_SUPERSEED_MS, 0 off */
} gateway_opts;

/*
 * About the time for a block to reach a reader and show in its record at
 * the registry (transfer, announce, refresh): seconds on a loaded machine.
 * Measured (test/bench, 20 readers on 2 cores): 3000 let about 5% of the
 * leaves be sent twice, 5000 almost none, at no cost in time.
 */
#define GW_SUPERSEED_MS 5000
#define GW_SUPERSEED_SLOTS (1u << 16)
#define GW_SWARM_HEADER "X-Lst-Swarm"
#define GW_BUSY_HEADER "X-Lst-Busy"

/* Options with their defaults (gate on, superseed_ms GW_SUPERSEED_MS, everything else empty). */
void gateway_opts_init(gateway_opts *o);

/* ---- inside another MHD server (the daemon's RPC port) ---------------- */

/*
 * The gateway over o->store_dir, answering through a server the caller
 * runs: that server must be started with MHD_ALLOW_SUSPEND_RESUME, route
 * /ipfs/ and /lst/v1/ (any method) to gateway_handle with the whole
 * request body, call gateway_completed from its completion callback, and
 * call gateway_drain before MHD_stop_daemon. NULL on error (reported).
 */
gateway *gateway_new(const gateway_opts *o);
/*
 * Answer one request (url: the path without the query, as MHD gives it).
 * May suspend the connection while the chain is asked; MHD then calls the
 * handler again and this answers.
 */
enum MHD_Result gateway_handle(gateway *g, struct MHD_Connection *c, const char *url, const char *method,
			       const char *body, size_t body_len);
/* The request on c is finished: forget its pending state. */
void gateway_completed(gateway *g, struct MHD_Connection *c);
/* Finish the access checks in flight (resuming their connections); later ones get 503. */
void gateway_drain(gateway *g);
void gateway_free(gateway *g);
/* Does path go to the gateway (/ipfs/..., /lst/v1/...)? */
bool gateway_route(const char *url);

/* ---- standalone --------------------------------------------------------- */

/*
 * Serve on listen ("HOST:PORT", IPv4; port 0 picks one) with a pool of
 * MHD threads. The URL actually bound ("http://HOST:PORT") goes to url.
 * 0 or -1 (reported: LST_EUSAGE bad listen, LST_EUNAVAIL cannot bind).
 */
int gateway_start(gateway **out, const gateway_opts *o, const char *listen, char *url, size_t urlcap) LST_WUR;
void gateway_stop(gateway *g);

/* ---- shared --------------------------------------------------------------- */

/* Mark root as gated in the store at store_dir (creates store_dir/gated/ROOT). 0 or -1 (reported). */
int gateway_gate_root(const char *store_dir, const cid *root) LST_WUR;
/* Is root marked gated there? */
bool gateway_root_gated(const char *store_dir, const cid *root);

typedef struct {
	uint64_t uploaded_bytes; /* body bytes of 200 answers to GET */
	uint64_t blocks_served;  /* raw blocks and CAR sections sent */
	uint64_t requests;
	uint64_t denied;         /* 403 answers */
	uint64_t superseed_refused; /* 503 busy answers to swarm requests (super-seeding) */
	uint64_t pages_served;   /* page keys sent (200 answers to POST /lst/v1/pages/) */
} gateway_stats;

void gateway_get_stats(gateway *g, gateway_stats *out);

/* ---- request parsing (pure, fuzzed) ------------------------------------- */

enum gw_format { GW_RAW = 1, GW_CAR = 2 };
enum gw_scope { GW_SCOPE_ALL = 0, GW_SCOPE_ENTITY, GW_SCOPE_BLOCK };

#define GW_PATH_MAX 1024

typedef struct {
	cid root;
	char path[GW_PATH_MAX];   /* after the CID, without leading or trailing '/'; "" none */
	enum gw_format format;
	/* CAR */
	int car_version;          /* 1 */
	bool dups;                /* dups=y asked; we send dups=n otherwise */
	enum gw_scope scope;
	bool has_entity_bytes;
	int64_t entity_from, entity_to; /* to: INT64_MAX for '*' */
} gw_request;

/*
 * Parse a request for /ipfs/...: url is the decoded path ("/ipfs/CID[/p]"),
 * format, dag_scope and entity_bytes the query values (NULL when absent),
 * accept the Accept header (NULL when absent). A specific Accept type
 * wins over ?format (wildcards do not). Returns the HTTP status: 200 and
 * *out filled, or 400 / 406 with why in err (NUL-terminated, truncated).
 */
int gateway_parse_request(gw_request *out, const char *url, const char *format, const char *accept,
			  const char *dag_scope, const char *entity_bytes, char *err, size_t errcap);

#endif
