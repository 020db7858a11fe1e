/*
 * HTTP GET for cove's collateral clients (AMD KDS in src/kds, Intel PCS /
 * PCCS in src/pcs), on libcurl: HTTP 429 / 503 are retried after
 * Retry-After (or an exponential back-off) within a bounded number of
 * retries and a bounded total wait; bodies are size-capped; response
 * headers can be read back.  Internal to libcove.
 */
#ifndef COVE_NET_HTTP_H
#define COVE_NET_HTTP_H

#include <stddef.h>

#include "cove/bytes.h"
#include "cove/err.h"

typedef struct cove_http_opts {
	const char *service;     /* who answers, for messages: "AMD KDS", "Intel PCS" (copied) */
	const char *user_agent;  /* copied */
	const char *ca_file;     /* PEM file of CAs to trust for TLS instead of the system's, or NULL (copied) */
	unsigned max_retries;
	unsigned retry_delay_ms;
	unsigned max_wait_ms;
	unsigned timeout_ms;
	unsigned connect_timeout_ms;
	size_t max_response;
} cove_http_opts;

typedef struct cove_http cove_http;

cove_err cove_http_new(const cove_http_opts *o, cove_http **out, cove_error *e);
void cove_http_free(cove_http *h);

/*
 * GET `url` and return the body of a 200 answer.  Anything else is
 * COVE_ERR_UNAVAILABLE with a message naming the URL: 404, other statuses,
 * throttling beyond the retry budget, transport errors and timeouts, bodies
 * larger than max_response.
 *
 * `headers`, when not NULL, is a NULL-terminated list of response header
 * names tried in turn (case-insensitive); the value of the first one
 * present is returned in *header (malloc'ed, as sent), or NULL when none is.
 */
cove_err cove_http_get(cove_http *h, const char *url, const char *const *headers, cove_buf *body, char **header,
		       cove_error *e);

#endif
