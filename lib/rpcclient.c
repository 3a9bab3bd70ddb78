/* rpcclient.c: see rpcclient.h. */
#include "lst.h"
#include "rpcclient.h"
#include "buf.h"
#include "diag.h"
#include "home.h"

#include <curl/curl.h>
#include <pthread.h>

#define DEFAULT_RPC "http://127.0.0.1:8545"

static char *url;
static CURL *curl;

void rpcc_set_url(const char *u)
{
	free(url);
	url = xstrdup(u);
}

const char *rpcc_url(void)
{
	if (!url) {
		char *c = config_get("rpc");
		url = c ? c : xstrdup(DEFAULT_RPC);
	}
	return url;
}

static size_t sink(char *p, size_t size, size_t n, void *ud)
{
	buf_add(ud, p, size * n);
	return size * n;
}

enum { E_TRANSPORT = RPCC_E_TRANSPORT };

/* One request on handle c to u. */
static int perform(CURL *c, const char *u, long id, json_t **result, int *code, char *msg, size_t msglen,
		   const char *method, json_t *params)
{
	json_t *req = json_pack("{s:s,s:i,s:s,s:o}", "jsonrpc", "2.0", "id", id, "method", method, "params",
				params ? params : json_array());
	char *body = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	buf resp = BUF_INIT;
	*result = NULL;
	*code = 0;
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, u);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &resp);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	CURLcode cr = curl_easy_perform(c);
	long status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	free(body);
	int r = -1;
	if (cr != CURLE_OK) {
		*code = E_TRANSPORT;
		snprintf(msg, msglen, "cannot reach the node at '%s': %s", u, curl_easy_strerror(cr));
		goto out;
	}
	json_error_t je;
	json_t *j = json_loadb(resp.p ? (const char *)resp.p : "", resp.len, 0, &je);
	if (!j || !json_is_object(j)) {
		*code = E_TRANSPORT;
		snprintf(msg, msglen, "the node at '%s' answered HTTP %ld without JSON-RPC", u, status);
		json_decref(j);
		goto out;
	}
	json_t *err = json_object_get(j, "error");
	if (err) {
		*code = (int)json_integer_value(json_object_get(err, "code"));
		const char *m = json_string_value(json_object_get(err, "message"));
		snprintf(msg, msglen, "%s", m ? m : "unknown error");
	} else {
		*result = json_incref(json_object_get(j, "result"));
		if (!*result)
			*result = json_null();
		r = 0;
	}
	json_decref(j);
out:
	buf_free(&resp);
	return r;
}

static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static void global_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

int rpcc_call_quiet(json_t **result, int *code, char *msg, size_t msglen, const char *method, json_t *params)
{
	static long id;
	pthread_once(&global_once, global_init);
	if (!curl)
		curl = curl_easy_init();
	return perform(curl, rpcc_url(), ++id, result, code, msg, msglen, method, params);
}

int rpcc_call_at(json_t **result, int *code, char *msg, size_t msglen, const char *u, const char *method,
		 json_t *params)
{
	pthread_once(&global_once, global_init);
	CURL *c = curl_easy_init();
	if (!c) {
		json_decref(params);
		*result = NULL;
		*code = E_TRANSPORT;
		snprintf(msg, msglen, "cannot reach the node at '%s': no curl handle", u);
		return -1;
	}
	int r = perform(c, u, 1, result, code, msg, msglen, method, params);
	curl_easy_cleanup(c);
	return r;
}

int rpcc_call(json_t **result, const char *method, json_t *params)
{
	int code;
	char msg[512];
	if (rpcc_call_quiet(result, &code, msg, sizeof(msg), method, params) == 0)
		return 0;
	if (code == E_TRANSPORT) {
		diag_error(LST_EUNAVAIL, "%s", msg);
		diag_hint("start one with 'lst node start' (lst-chain daemon --detach), or point --rpc at one");
		return -1;
	}
	int status = code == -32602 || code == -32700 || code == -32600 ? LST_EINVALID
		   : code == -32000 || code == 3                   ? LST_EREFUSED
		   : code == -32601                                ? LST_EUSAGE
								   : LST_EFAIL;
	return diag_error(status, "%s", msg);
}
