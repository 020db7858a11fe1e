/*
 * The CLI's HTTP client for JSON APIs (coved, MAA): one request, a status,
 * a body.  libcurl; no retries (the collateral clients of libcove have their
 * own, with back-off and caching).
 */
#ifndef COVE_CLI_HTTP_H
#define COVE_CLI_HTTP_H

#include "cove/bytes.h"
#include "cove/err.h"

/*
 * `method` GET, POST, PUT or DELETE to `url` with an optional body (sent as
 * `content_type`, default application/json) and an optional bearer token.
 * *status is the HTTP status (0 when no answer); *resp the body.
 * COVE_ERR_UNAVAILABLE when the server cannot be reached.
 */
cove_err cove_cli_http_request(const char *method, const char *url, const char *body, size_t body_len,
		       const char *content_type, const char *bearer, long *status, cove_buf *resp, cove_error *e);

#endif
