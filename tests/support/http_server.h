/*
 * A local HTTP server for tests of cove's HTTP clients (the AMD KDS client,
 * tests/test_snp_kds.c; the Intel PCS / PCCS client, tests/test_dcap_pcs.c).
 *
 * libmicrohttpd on 127.0.0.1 with an ephemeral port, a thread per
 * connection.  It serves a table of routes with canned answers:
 *   - a route matches an exact path (the query is not part of it) and,
 *     optionally, one query argument with an exact value;
 *   - its body is the server's own copy (a delayed answer may outlive the
 *     test's buffer), sent with Content-Length or chunked;
 *   - headers of its own go with 200 answers;
 *   - a script of answers (status, Retry-After) is played in turn, one step
 *     per request the route matched since the script was set, the last
 *     step repeating; no script means 200 every time; a delay holds every
 *     answer back;
 *   - anything unmatched gets 404.
 * Every request's URI (path and query) is logged in order, and every route
 * counts its hits.  Tests read the log and the counters between requests,
 * never while a client call is running.  Setters that fail (too many
 * routes, steps or headers; no memory) fail the running cmocka test, so
 * call them from the test's own thread.
 */
#ifndef COVE_TEST_HTTP_SERVER_H
#define COVE_TEST_HTTP_SERVER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct MHD_Daemon;

#define COVE_TEST_HTTP_ROUTES 16   /* routes per server */
#define COVE_TEST_HTTP_STEPS 8     /* steps in a route's script */
#define COVE_TEST_HTTP_HEADERS 2   /* headers of a route's own */
#define COVE_TEST_HTTP_URIS 64     /* requests whose URI is logged */
#define COVE_TEST_HTTP_URI_MAX 600 /* longest URI logged whole */

/* One scripted answer: a status and, when not NULL, a Retry-After value. */
typedef struct cove_test_http_step {
	int status;
	const char *retry_after;
} cove_test_http_step;

typedef struct cove_test_http cove_test_http;

/* A route: read its fields freely between requests, change it only with the setters below. */
typedef struct cove_test_http_route {
	cove_test_http *server;
	char path[256];
	char arg[32], value[64]; /* a query argument that must be present with this value; "" = any query */
	uint8_t *body;
	size_t body_len;
	bool chunked;            /* no Content-Length: the body goes out in chunks of 512 bytes */
	unsigned delay_ms;       /* before every answer */
	struct {
		char name[64];
		char *value;
	} headers[COVE_TEST_HTTP_HEADERS];
	struct {
		int status;
		char retry_after[48]; /* "" = none */
	} script[COVE_TEST_HTTP_STEPS];
	int nscript;
	int script_from;         /* the hit count when the script was set */
	int hits;                /* requests this route answered */
} cove_test_http_route;

struct cove_test_http {
	struct MHD_Daemon *daemon;
	char base[64];           /* http://127.0.0.1:<port> */
	pthread_mutex_t mu;
	cove_test_http_route routes[COVE_TEST_HTTP_ROUTES];
	int nroutes;
	int requests;            /* every request, matched or not */
	char uris[COVE_TEST_HTTP_URIS][COVE_TEST_HTTP_URI_MAX];
};

/* Start serving an empty route table; 0, or -1 on failure (for cmocka setup functions). */
int cove_test_http_start(cove_test_http *s);

/* Stop (waiting for answers in progress) and free the routes. */
void cove_test_http_stop(cove_test_http *s);

/* Serve a copy of body[0..len) at `path`, 200 every time; later routes are tried after earlier ones. */
cove_test_http_route *cove_test_http_route_add(cove_test_http *s, const char *path, const void *body, size_t len);

/* Match only requests whose query has arg=value. */
void cove_test_http_route_set_arg(cove_test_http_route *r, const char *arg, const char *value);

/* Serve a copy of body[0..len) from now on. */
void cove_test_http_route_set_body(cove_test_http_route *r, const void *body, size_t len);

/* Send `name: value` (value copied) with 200 answers; value NULL drops that header. */
void cove_test_http_route_set_header(cove_test_http_route *r, const char *name, const char *value);

/*
 * Answer the route's next requests with steps[0..n) in turn, the last step
 * repeating; n = 0: 200 every time again.  Hits keep counting across scripts.
 */
void cove_test_http_route_set_script(cove_test_http_route *r, const cove_test_http_step *steps, int n);

/* Hold every answer back by `ms` milliseconds (0: answer at once). */
void cove_test_http_route_set_delay(cove_test_http_route *r, unsigned ms);

/* Send the body chunked, without Content-Length (false: with it). */
void cove_test_http_route_set_chunked(cove_test_http_route *r, bool chunked);

#endif
