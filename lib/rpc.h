/*
 * rpc.h: JSON-RPC 2.0 over HTTP POST for the daemon (libmicrohttpd),
 * batches allowed. The transport lives in rpc.c; the methods (eth_*,
 * net_*, web3_*, lst_*) in rpc_eth.c. Errors use the standard codes
 * (-32700 parse error, -32600 invalid request, -32601 method not found,
 * -32602 invalid params, -32603 internal) and -32000 for refused
 * transactions with the messages geth uses, so ethers classifies them.
 */
#ifndef LST_RPC_H
#define LST_RPC_H

#include "lst.h"
#include "node.h"
#include <jansson.h>

enum {
	RPC_PARSE = -32700,
	RPC_INVALID_REQUEST = -32600,
	RPC_NO_METHOD = -32601,
	RPC_INVALID_PARAMS = -32602,
	RPC_INTERNAL = -32603,
	RPC_REFUSED = -32000,
	RPC_REVERTED = 3,
};

typedef struct {
	node *n;
	state *st;        /* this thread's read-only connection */
	int code;         /* set with message when a method fails */
	char message[256];
	json_t *data;     /* optional error data */
} rpc_ctx;

/* Fails the call: returns -1. */
int rpc_fail(rpc_ctx *c, int code, const char *fmt, ...) LST_PRINTF(3, 4);
/* Runs one method; *result on success. */
int rpc_dispatch(rpc_ctx *c, const char *method, json_t *params, json_t **result);
/* Handles a whole request body (single or batch); returns the response text (malloc'd) or NULL for none. */
char *rpc_handle(node *n, state *st, const char *body, size_t len);

#endif
