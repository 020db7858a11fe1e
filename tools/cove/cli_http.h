/*
 * The CLI's one-shot HTTP client (cli_http.c).
 */
#ifndef COVE_CLI_HTTP_H
#define COVE_CLI_HTTP_H

#include "cove/bytes.h"
#include "cove/err.h"

/*
 * `method` (GET, POST, PUT, DELETE) to an http(s) `url`, with an optional
 * JSON body, bearer token and CA file.  *status is the HTTP status (0 when
 * there was no answer), *resp the body.  COVE_ERR_UNAVAILABLE when the
 * service cannot be reached, COVE_ERR_ARG for a malformed URL.
 */
cove_err cove_cli_http(const char *method, const char *url, const char *body, size_t body_len, const char *bearer,
		       const char *cacert, long *status, cove_buf *resp, cove_error *e);

#endif
