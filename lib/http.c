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

int http_do(buf *out, long *status, char *err, size_t errcap, const char *url, const char *const *headers,
	    size_t nheaders, const char *body, size_t body_len, size_t max, long timeout_ms)
{
	CURL *c = curl_easy_init();
	*status = 0;
	if (!c) {
		snprintf(err, errcap, "cannot start libcurl");
		return -1;
	}
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
	if (s.over) {
		snprintf(err, errcap, "the answer of '%s' is over %zu bytes", url, max);
		return -1;
	}
	if (rc != CURLE_OK) {
		snprintf(err, errcap, "cannot reach '%s': %s", url, curl_easy_strerror(rc));
		return -1;
	}
	return 0;
}

int http_request(buf *out, long *status, const char *url, const char *const *headers, size_t nheaders,
		 const char *body, size_t body_len, size_t max, long timeout_ms)
{
	char err[512];
	if (http_do(out, status, err, sizeof(err), url, headers, nheaders, body, body_len, max, timeout_ms) < 0)
		return diag_error(*status ? LST_EINVALID : LST_EUNAVAIL, "%s", err);
	return 0;
}

char *http_base_url(const char *s)
{
	while (*s == ' ')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '/'))
		n--;
	if (!n)
		return NULL;
	if (!strncmp(s, "http://", 7) || !strncmp(s, "https://", 8))
		return xasprintf("%.*s", (int)n, s);
	return xasprintf("http://%.*s", (int)n, s);
}
