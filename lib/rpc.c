/* rpc.c: the JSON-RPC transport; see rpc.h. */
#include "lst.h"
#include "rpc.h"
#include "buf.h"
#include "diag.h"
#include "gateway.h"
#include "home.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>

#define MAX_BODY (32u << 20)
#define MAX_BATCH 10000

int rpc_fail(rpc_ctx *c, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->message, sizeof(c->message), fmt, ap);
	va_end(ap);
	c->code = code;
	return -1;
}

static json_t *error_obj(json_t *id, int code, const char *msg, json_t *data)
{
	json_t *e = json_pack("{s:i,s:s}", "code", code, "message", msg);
	if (data)
		json_object_set_new(e, "data", data);
	return json_pack("{s:s,s:O,s:o}", "jsonrpc", "2.0", "id", id ? id : json_null(), "error", e);
}

static json_t *one(node *n, state *st, json_t *req)
{
	if (!json_is_object(req))
		return error_obj(NULL, RPC_INVALID_REQUEST, "invalid request: not an object", NULL);
	json_t *id = json_object_get(req, "id");
	json_t *method = json_object_get(req, "method");
	json_t *params = json_object_get(req, "params");
	if (!json_is_string(method))
		return error_obj(id, RPC_INVALID_REQUEST, "invalid request: no method", NULL);
	if (params && !json_is_array(params) && !json_is_object(params))
		return error_obj(id, RPC_INVALID_REQUEST, "invalid request: params must be an array", NULL);
	rpc_ctx c = {n, st, 0, "", NULL};
	json_t *result = NULL, *empty = NULL;
	if (!params)
		params = empty = json_array();
	int r = rpc_dispatch(&c, json_string_value(method), params, &result);
	json_decref(empty);
	if (r < 0)
		return error_obj(id, c.code ? c.code : RPC_INTERNAL, c.message[0] ? c.message : "internal error",
				 c.data);
	return json_pack("{s:s,s:O,s:o}", "jsonrpc", "2.0", "id", id ? id : json_null(), "result",
			 result ? result : json_null());
}

char *rpc_handle(node *n, state *st, const char *body, size_t len)
{
	json_error_t err;
	json_t *req = json_loadb(body, len, 0, &err), *resp;
	if (!req) {
		char msg[300];
		snprintf(msg, sizeof(msg), "parse error: %s at line %d, column %d", err.text, err.line, err.column);
		resp = error_obj(NULL, RPC_PARSE, msg, NULL);
	} else if (json_is_array(req)) {
		size_t i;
		json_t *r;
		if (json_array_size(req) == 0)
			resp = error_obj(NULL, RPC_INVALID_REQUEST, "invalid request: empty batch", NULL);
		else if (json_array_size(req) > MAX_BATCH)
			resp = error_obj(NULL, RPC_INVALID_REQUEST, "invalid request: batch too large", NULL);
		else {
			resp = json_array();
			json_array_foreach(req, i, r)
				json_array_append_new(resp, one(n, st, r));
		}
	} else {
		resp = one(n, st, req);
	}
	json_decref(req);
	char *text = json_dumps(resp, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(resp);
	return text;
}

/* ---- HTTP ---- */

typedef struct {
	buf body;
	bool too_big;
} conn;

/* One read-only database connection per server thread. */
static __thread state *thread_state;

static state *reader(node *n)
{
	if (!thread_state && state_open(&thread_state, n->db_path, false) < 0)
		thread_state = NULL;
	return thread_state;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type, char *text)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Access-Control-Allow-Origin", "*");
	enum MHD_Result ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result reply_bin(struct MHD_Connection *c, buf *b)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(b->len, b->p, MHD_RESPMEM_MUST_FREE);
	b->p = NULL;
	b->len = b->cap = 0;
	MHD_add_response_header(r, "Content-Type", "application/octet-stream");
	enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result get_p2p(node *n, struct MHD_Connection *c, const char *url)
{
	if (!strcmp(url, "/p2p/status"))
		return reply(c, MHD_HTTP_OK, "application/json", node_p2p_status(n));
	const char *from = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "from");
	const char *count = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "count");
	char *e1 = NULL, *e2 = NULL;
	unsigned long long f = from ? strtoull(from, &e1, 10) : 0, k = count ? strtoull(count, &e2, 10) : 0;
	if (strcmp(url, "/p2p/blocks") || !from || !count || *e1 || *e2 || !f || !k || k > 1000)
		return reply(c, MHD_HTTP_NOT_FOUND, "application/json", xstrdup("{\"error\":\"no such peer endpoint\"}\n"));
	state *st = reader(n);
	buf b = BUF_INIT;
	if (!st || node_p2p_blocks(n, st, &b, f, k) < 0) {
		buf_free(&b);
		return reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, "application/json", xstrdup("{\"error\":\"database unavailable\"}\n"));
	}
	return reply_bin(c, &b);
}

/* The swarm's routes (gateway.h); 503 until the gateway is up. */
static enum MHD_Result to_gateway(node *n, struct MHD_Connection *c, const char *url, const char *method,
				  const char *body, size_t len)
{
	gateway *g = __atomic_load_n(&n->gw, __ATOMIC_ACQUIRE);
	if (!g)
		return reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, "application/json",
			     xstrdup("{\"error\":\"the gateway is not running\"}\n"));
	return gateway_handle(g, c, url, method, body, len);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			       const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	node *n = cls;
	conn *k = *con_cls;
	/* Answer on the second call, once MHD has the whole request: an answer queued earlier closes the connection. */
	if (!k) {
		k = xcalloc(1, sizeof(*k));
		*con_cls = k;
		return MHD_YES;
	}
	if (!strcmp(method, "OPTIONS")) {
		struct MHD_Response *r = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
		MHD_add_response_header(r, "Access-Control-Allow-Origin", "*");
		MHD_add_response_header(r, "Access-Control-Allow-Headers", "Content-Type, Accept, X-Lst-Access, X-Lst-Peer");
		MHD_add_response_header(r, "Access-Control-Allow-Methods", "POST, GET, HEAD, OPTIONS");
		enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_NO_CONTENT, r);
		MHD_destroy_response(r);
		return ret;
	}
	if (gateway_route(url) && strcmp(method, "POST"))
		return to_gateway(n, c, url, method, NULL, 0);
	if (!strcmp(method, "GET")) {
		if (!strcmp(url, "/health"))
			return reply(c, MHD_HTTP_OK, "application/json", xstrdup("{\"ok\":true}\n"));
		if (!strncmp(url, "/p2p/", 5))
			return get_p2p(n, c, url);
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "application/json",
			     xstrdup("{\"error\":\"JSON-RPC takes POST requests\"}\n"));
	}
	if (strcmp(method, "POST"))
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "application/json",
			     xstrdup("{\"error\":\"JSON-RPC takes POST requests\"}\n"));
	if (*upload_size) {
		if (k->body.len + *upload_size > MAX_BODY)
			k->too_big = true;
		else
			buf_add(&k->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (k->too_big)
		return reply(c, MHD_HTTP_CONTENT_TOO_LARGE, "application/json",
			     xstrdup("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,\"message\":\"request too large\"}}"));
	if (gateway_route(url))
		return to_gateway(n, c, url, method, (const char *)k->body.p, k->body.len);
	state *st = reader(n);
	if (!st)
		return reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, "application/json",
			     xstrdup("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32603,\"message\":\"database unavailable\"}}"));
	if (!strcmp(url, "/p2p/msg")) {
		node_p2p_msg(n, st, k->body.p, k->body.len, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Lst-Peer"));
		return reply(c, MHD_HTTP_OK, "application/json", xstrdup("{}"));
	}
	char *text = rpc_handle(n, st, k->body.p ? (const char *)k->body.p : "", k->body.len);
	return reply(c, MHD_HTTP_OK, "application/json", text);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	node *n = cls;
	gateway_completed(__atomic_load_n(&n->gw, __ATOMIC_ACQUIRE), c);
	conn *k = *con_cls;
	if (k) {
		buf_free(&k->body);
		free(k);
		*con_cls = NULL;
	}
}

/*
 * The swarm gateway on the RPC port, over HOME/blocks: access checks ask
 * this node's own RPC, provider records are gossiped to the chain peers
 * (their gateways are on their RPC ports too), config "gate" = "off"
 * serves every block to anyone.
 */
static int gateway_up(node *n)
{
	gateway_opts o;
	gateway_opts_init(&o);
	char *store = xasprintf("%s/blocks", n->home), *gate = NULL;
	if (config_read(&gate, "gate") < 0) {
		free(store);
		return -1;
	}
	o.gate = !gate || strcmp(gate, "off");
	free(gate);
	const char *peers[256];
	char *list = xstrdup(n->peers ? n->peers : ""), *save = NULL;
	for (char *p = strtok_r(list, ",", &save); p && o.npeers < ARRAY_SIZE(peers); p = strtok_r(NULL, ",", &save))
		if (*p)
			peers[o.npeers++] = p;
	o.store_dir = store;
	o.home = n->home;
	o.rpc_url = n->rpc_url;
	o.self_url = n->rpc_url;
	o.peers = peers;
	gateway *g = gateway_new(&o);
	free(list);
	free(store);
	if (!g)
		return -1;
	__atomic_store_n(&n->gw, g, __ATOMIC_RELEASE);
	return 0;
}

int rpc_start(node *n)
{
	struct sockaddr_in sa;
	char host[64];
	const char *colon = strrchr(n->rpc_listen, ':');
	if (!colon || (size_t)(colon - n->rpc_listen) >= sizeof(host))
		return diag_error(LST_EUSAGE, "--rpc takes HOST:PORT, not '%s'", n->rpc_listen);
	memcpy(host, n->rpc_listen, (size_t)(colon - n->rpc_listen));
	host[colon - n->rpc_listen] = 0;
	char *end;
	unsigned long port = strtoul(colon + 1, &end, 10);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (*end || port > 65535 || inet_pton(AF_INET, !strcmp(host, "localhost") ? "127.0.0.1" : host, &sa.sin_addr) != 1)
		return diag_error(LST_EUSAGE, "--rpc takes an IPv4 HOST:PORT, not '%s'", n->rpc_listen);
	struct MHD_Daemon *d = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TURBO | MHD_ALLOW_SUSPEND_RESUME,
		(uint16_t)port, NULL, NULL, handler, n, MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_THREAD_POOL_SIZE, 4,
		MHD_OPTION_NOTIFY_COMPLETED, completed, n,
		MHD_OPTION_CONNECTION_TIMEOUT, 120, MHD_OPTION_CONNECTION_LIMIT, 1024, MHD_OPTION_END);
	if (!d)
		return diag_error(LST_EUNAVAIL, "cannot listen for RPC on %s: %s", n->rpc_listen,
				  strerror(errno ? errno : EADDRINUSE));
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	snprintf(n->rpc_url, sizeof(n->rpc_url), "http://%s:%u", host, info ? info->port : (unsigned)port);
	n->http = d;
	if (gateway_up(n) < 0) {
		rpc_stop(n);
		return -1;
	}
	return 0;
}

void rpc_stop(node *n)
{
	gateway *g = __atomic_load_n(&n->gw, __ATOMIC_ACQUIRE);
	gateway_drain(g);
	if (n->http)
		MHD_stop_daemon(n->http);
	n->http = NULL;
	__atomic_store_n(&n->gw, NULL, __ATOMIC_RELEASE);
	gateway_free(g);
}
