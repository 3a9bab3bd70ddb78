/*
 * gwcheck.h: the gateway's pending chain checks (internal to gateway.c).
 *
 * Owns: the questions the gateway puts to the chain for a request whose
 * connection is suspended meanwhile (a purchase for gated blocks, a
 * holder for a key envelope, a membership for page keys), the worker
 * threads that ask them, the rechecks of a "no" while our node is below
 * the requester's X-Lst-Height, and the cache of recent yeses to
 * purchases. A request is handled twice: first the check is queued and
 * the connection suspended (GWC_WAIT); the worker resumes it with the
 * answer, and the second call takes the answer.
 */
#ifndef LST_GWCHECK_H
#define LST_GWCHECK_H

#include "lst.h"
#include "access.h"
#include "pages.h"

#include <microhttpd.h>

typedef struct gw_checks gw_checks;

/* Workers asking the chain at rpc_url (NULL: no chain, nothing is asked). */
gw_checks *gwc_new(const char *rpc_url);
/* Stop asking: the workers finish their question and end; pending connections are resumed. */
void gwc_drain(gw_checks *k);
void gwc_free(gw_checks *k);
/* c is done: forget its answered checks. */
void gwc_completed(gw_checks *k, struct MHD_Connection *c);

/* The answers: 1 yes, 0 no, -1 the chain did not answer, 2 none (no chain, or *stopping), or: */
#define GWC_WAIT 3 /* c is suspended while a worker asks */

/* May the holder of verified proof pf have root's blocks (key: its content key, holders only)? */
int gwc_access(gw_checks *k, struct MHD_Connection *c, const access_proof *pf, bool key, bool *stopping);
/* The chain's pageAccess for rq: 1 with *pa (cached, or from a check that resumed c), -1, 2 or GWC_WAIT. */
int gwc_pages(gw_checks *k, struct MHD_Connection *c, const pages_request *rq, pages_access *pa, bool *stopping);

/* Unix seconds, and monotonic milliseconds (never 0). */
uint64_t gw_now_s(void);
uint64_t gw_now_ms(void);

#endif
