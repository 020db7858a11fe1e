/*
 * HTTP GET for the KDS client (libcurl), with AMD KDS's throttling in mind:
 * HTTP 429 / 503 are retried after Retry-After (or an exponential back-off)
 * within a bounded number of retries and a bounded total wait.  Internal to
 * the kds module.
 */
#ifndef COVE_KDS_HTTP_H
#define COVE_KDS_HTTP_H

#include <stddef.h>

#include "cove/bytes.h"
#include "cove/err.h"

typedef struct cove_kds_http_opts {
	unsigned max_retries;
	unsigned retry_delay_ms;
	unsigned max_wait_ms;
	unsigned timeout_ms;
	unsigned connect_timeout_ms;
	size_t max_response;
} cove_kds_http_opts;

typedef struct cove_kds_http cove_kds_http;

cove_err cove_kds_http_new(const cove_kds_http_opts *o, cove_kds_http **out, cove_error *e);
void cove_kds_http_free(cove_kds_http *h);

/*
 * GET `url` and return the body of a 200 answer.  Anything else is
 * COVE_ERR_UNAVAILABLE with a message naming the URL: 404, other statuses,
 * throttling beyond the retry budget, transport errors and timeouts, bodies
 * larger than max_response.
 */
cove_err cove_kds_http_get(cove_kds_http *h, const char *url, cove_buf *body, cove_error *e);

#endif
