/* The CLI's one-shot HTTP client (cli_http.h), over libcurl. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "cli_http.h"

#define MAX_RESPONSE (16u << 20)

typedef struct sink {
	cove_buf *b;
	size_t cap;
	bool too_big;
} sink;

static size_t on_data(char *p, size_t sz, size_t n, void *arg)
{
	sink *s = arg;
	size_t len = sz * n;

	if (s->b->len + len > MAX_RESPONSE) {
		s->too_big = true;
		return 0;
	}
	if (s->b->len + len + 1 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 4096;
		while (cap < s->b->len + len + 1)
			cap *= 2;
		uint8_t *nb = realloc(s->b->data, cap);
		if (!nb)
			return 0;
		s->b->data = nb;
		s->cap = cap;
	}
	memcpy(s->b->data + s->b->len, p, len);
	s->b->len += len;
	s->b->data[s->b->len] = 0;
	return len;
}

cove_err cove_cli_http_request(const char *method, const char *url, const char *body, size_t body_len,
		       const char *content_type, const char *bearer, long *status, cove_buf *resp, cove_error *e)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	char hdr[2048];
	sink s = {resp, 0, false};
	CURLcode cc;
	cove_err rc = COVE_OK;

	*status = 0;
	resp->data = NULL;
	resp->len = 0;
	if (!c)
		return cove_error_set(e, COVE_ERR_NOMEM, "curl: cannot start");
	snprintf(hdr, sizeof(hdr), "Content-Type: %s", content_type ? content_type : "application/json");
	h = curl_slist_append(h, hdr);
	h = curl_slist_append(h, "Accept: application/json");
	if (bearer) {
		snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", bearer);
		h = curl_slist_append(h, hdr);
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
	}
	cc = curl_easy_perform(c);
	if (cc != CURLE_OK)
		rc = cove_error_set(e, s.too_big ? COVE_ERR_PARSE : COVE_ERR_UNAVAILABLE, "%s %s: %s", method, url,
				    s.too_big ? "response larger than 16 MiB" : curl_easy_strerror(cc));
	else
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	if (rc)
		cove_buf_free(resp);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return rc;
}
