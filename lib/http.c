/* http.c: one blocking HTTP request; see http.h. */
#include "lst.h"
#include "http.h"
#include "diag.h"

#include <curl/curl.h>

typedef struct {
	buf *out;
	size_t max;
	bool over;
} sink;

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
	sink *s = arg;
	size_t len = size * n;
	if (s->out->len + len > s->max) {
		s->over = true;
		return 0;
	}
	buf_add(s->out, p, len);
	return len;
}

int http_request(buf *out, long *status, const char *url, const char *const *headers, size_t nheaders,
		 const char *body, size_t body_len, size_t max, long timeout_ms)
{
	CURL *c = curl_easy_init();
	if (!c)
		return diag_error(LST_EFAIL, "cannot start libcurl");
	struct curl_slist *h = NULL;
	for (size_t i = 0; i < nheaders; i++)
		h = curl_slist_append(h, headers[i]);
	if (body)
		h = curl_slist_append(h, "Content-Type: application/json");
	buf_reset(out);
	sink s = {out, max, false};
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < 5000 ? timeout_ms : 5000L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
	}
	CURLcode rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	if (s.over)
		return diag_error(LST_EINVALID, "the answer of '%s' is over %zu bytes", url, max);
	if (rc != CURLE_OK) {
		diag_error(LST_EUNAVAIL, "cannot reach '%s': %s", url, curl_easy_strerror(rc));
		return -1;
	}
	return 0;
}
