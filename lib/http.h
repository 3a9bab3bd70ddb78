/*
 * http.h: one blocking HTTP request from a command (libcurl): the
 * swarm's small JSON endpoints (providers, key envelopes, stats). The
 * engines that need many requests at once (fetch, gossip) drive libcurl
 * themselves.
 */
#ifndef LST_HTTP_H
#define LST_HTTP_H

#include "lst.h"
#include "buf.h"

/*
 * GET url (body NULL) or POST body with Content-Type application/json.
 * headers: "Name: value" lines. *status is the HTTP status; the response
 * body (at most max bytes) goes to out. 0, or -1 when no answer came
 * (reported, LST_EUNAVAIL, naming the URL).
 */
int http_request(buf *out, long *status, const char *url, const char *const *headers, size_t nheaders,
		 const char *body, size_t body_len, size_t max, long timeout_ms) LST_WUR;
/* The same, reporting nothing: why it failed goes to err. Safe from several threads. */
int http_do(buf *out, long *status, char *err, size_t errcap, const char *url, const char *const *headers,
	    size_t nheaders, const char *body, size_t body_len, size_t max, long timeout_ms) LST_WUR;

/*
 * A peer or node as a base URL: blanks and trailing '/' cut, http://
 * added when there is no scheme. malloc'd; NULL when nothing is left.
 */
char *http_base_url(const char *s);

#endif
