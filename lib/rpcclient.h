/*
 * rpcclient.h: calling a node's JSON-RPC from the plumbing (libcurl).
 *
 * The endpoint is --rpc URL, else config "rpc", else
 * http://127.0.0.1:8545. An unreachable node is exit status 5; an error
 * the node returns is reported with its message (exit 4 for refused
 * transactions and reverts, 6 for invalid params, 1 otherwise).
 */
#ifndef LST_RPCCLIENT_H
#define LST_RPCCLIENT_H

#include "lst.h"
#include <jansson.h>

void rpcc_set_url(const char *url);
const char *rpcc_url(void);
/* params is stolen. *result is a new reference. 0 or -1 (reported). */
int rpcc_call(json_t **result, const char *method, json_t *params) LST_WUR;
/* The same, errors not reported: *code and message set for the caller. */
int rpcc_call_quiet(json_t **result, int *code, char *msg, size_t msglen, const char *method,
		    json_t *params) LST_WUR;
/* *code when the node could not be reached or did not answer JSON-RPC. */
#define RPCC_E_TRANSPORT (-100000)
/*
 * rpcc_call_quiet against url, safe from several threads at once: a
 * connection of its own per call; the rpcc_set_url endpoint is not used.
 */
int rpcc_call_at(json_t **result, int *code, char *msg, size_t msglen, const char *url,
		 const char *method, json_t *params) LST_WUR;

#endif
