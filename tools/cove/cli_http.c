/*
 * The CLI's HTTP client for JSON APIs (coved, MAA, JWKS endpoints): one
 * request, a status, a body, over libcurl.  No retries and no redirects (the
 * collateral clients of libcove have their own, with back-off and caching).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "cli_http.h"

/* A JWKS, a token or an error body is small; a response larger than this is refused. */
#define HTTP_RESPONSE_MAX (4u << 20)

/* ---- HTTP ---- */

typedef struct http_sink {
	cove_buf *body;
	bool overflow;
	bool nomem;
} http_sink;

static size_t http_on_data(char *ptr, size_t size, size_t nmemb, void *ud)
{
	http_sink *s = ud;
	size_t n = size * nmemb;
	if (n > HTTP_RESPONSE_MAX || s->body->len > HTTP_RESPONSE_MAX - n) {
		s->overflow = true;
		return 0; /* curl aborts with CURLE_WRITE_ERROR */
	}
	if (cove_buf_append(s->body, ptr, n, NULL) != COVE_OK) {
		s->nomem = true;
		return 0;
	}
	return n;
}

cove_err cove_cli_http(const char *method, const char *url, const char *body, size_t body_len, const char *bearer,
		       const char *cacert, long *status, cove_buf *resp, cove_error *e)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	http_sink sink = {.body = resp};
	struct curl_slist *hdrs = NULL;
	cove_err rc = COVE_OK;
	CURL *c = NULL;

	*status = 0;
	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
		return cove_error_set(e, COVE_ERR_ARG, "URL '%s': expected http:// or https://", url);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return cove_error_set(e, COVE_ERR_INTERNAL, "libcurl initialisation failed");
	if (!(c = curl_easy_init())) {
		rc = cove_error_set(e, COVE_ERR_INTERNAL, "libcurl initialisation failed");
		goto out;
	}
	hdrs = curl_slist_append(hdrs, "Accept: application/json");
	if (hdrs && body)
		hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
	if (hdrs && bearer) {
		char auth[1024];
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", bearer);
		hdrs = curl_slist_append(hdrs, auth);
	}
	if (!hdrs) {
		rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
		goto out;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "cove/0.1");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
	if (cacert)
		curl_easy_setopt(c, CURLOPT_CAINFO, cacert);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
	}
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, http_on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	CURLcode cc = curl_easy_perform(c);
	if (sink.nomem) {
		rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	} else if (sink.overflow) {
		rc = cove_error_set(e, COVE_ERR_PARSE, "%s: response larger than %u bytes", url, HTTP_RESPONSE_MAX);
	} else if (cc == CURLE_URL_MALFORMAT || cc == CURLE_UNSUPPORTED_PROTOCOL) {
		rc = cove_error_set(e, COVE_ERR_ARG, "URL '%s': %s", url, errbuf[0] ? errbuf : curl_easy_strerror(cc));
	} else if (cc != CURLE_OK) {
		/* Not reached, refused, timed out, TLS failed: the service is unavailable to us. */
		rc = cove_error_set(e, COVE_ERR_UNAVAILABLE, "cannot reach %s: %s", url,
				    errbuf[0] ? errbuf : curl_easy_strerror(cc));
	} else {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	}
out:
	curl_slist_free_all(hdrs);
	if (c)
		curl_easy_cleanup(c);
	curl_global_cleanup();
	return rc;
}
