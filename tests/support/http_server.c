/*
 * The local test HTTP server (see http_server.h), on libmicrohttpd: an
 * internal polling thread and a thread per connection, bound to
 * 127.0.0.1 with port 0 so the kernel picks a free port, and the URI log
 * callback recording each request line's URI before it is answered.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cmocka.h>
#include <microhttpd.h>

#include "support/http_server.h"

#define CHUNK 512 /* chunked bodies go out in several pieces */

static void *log_uri(void *cls, const char *uri, struct MHD_Connection *con)
{
	cove_test_http *s = cls;
	(void)con;
	pthread_mutex_lock(&s->mu);
	if (s->requests < COVE_TEST_HTTP_URIS)
		snprintf(s->uris[s->requests], sizeof(s->uris[0]), "%s", uri);
	s->requests++;
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* A chunked answer reads its own copy of the body, so the route may change meanwhile. */
typedef struct chunked_body {
	size_t len;
	uint8_t data[];
} chunked_body;

static ssize_t read_chunk(void *cls, uint64_t pos, char *buf, size_t max)
{
	const chunked_body *b = cls;
	if (pos >= b->len)
		return MHD_CONTENT_READER_END_OF_STREAM;
	size_t n = b->len - (size_t)pos;
	if (n > max)
		n = max;
	if (n > CHUNK)
		n = CHUNK;
	memcpy(buf, b->data + pos, n);
	return (ssize_t)n;
}

static struct MHD_Response *body_response(const cove_test_http_route *r)
{
	if (!r->chunked)
		return MHD_create_response_from_buffer(r->body_len, r->body, MHD_RESPMEM_MUST_COPY);
	chunked_body *b = malloc(sizeof(*b) + r->body_len);
	if (!b)
		return NULL;
	b->len = r->body_len;
	if (r->body_len)
		memcpy(b->data, r->body, r->body_len);
	struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 2 * CHUNK, read_chunk, b, free);
	if (!resp)
		free(b);
	return resp;
}

static bool route_matches(const cove_test_http_route *r, struct MHD_Connection *c, const char *url)
{
	if (strcmp(r->path, url) != 0)
		return false;
	if (!r->arg[0])
		return true;
	const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, r->arg);
	return v && strcmp(v, r->value) == 0;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			      const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	cove_test_http *s = cls;
	(void)method;
	(void)version;
	(void)upload;
	(void)upload_size;
	(void)con_cls;
	cove_test_http_route *r = NULL;
	int status = 404;
	unsigned delay_ms = 0;
	struct MHD_Response *resp = NULL;

	/* Match and build the whole answer under the lock: a delayed answer is what the route said on arrival. */
	pthread_mutex_lock(&s->mu);
	for (int i = 0; i < s->nroutes && !r; i++)
		if (route_matches(&s->routes[i], c, url))
			r = &s->routes[i];
	const char *retry_after = NULL;
	if (r) {
		int turn = r->hits++ - r->script_from;
		status = 200;
		if (r->nscript) {
			int k = turn < r->nscript ? turn : r->nscript - 1;
			status = r->script[k].status;
			if (r->script[k].retry_after[0])
				retry_after = r->script[k].retry_after;
		}
		delay_ms = r->delay_ms;
	}
	if (r && status == 200)
		resp = body_response(r);
	else
		resp = MHD_create_response_from_buffer(9, (void *)"no thanks", MHD_RESPMEM_PERSISTENT);
	if (resp && r && status == 200)
		for (int i = 0; i < COVE_TEST_HTTP_HEADERS; i++)
			if (r->headers[i].value)
				MHD_add_response_header(resp, r->headers[i].name, r->headers[i].value);
	if (resp && retry_after)
		MHD_add_response_header(resp, "Retry-After", retry_after);
	pthread_mutex_unlock(&s->mu);
	if (!resp)
		return MHD_NO;

	if (delay_ms)
		usleep(delay_ms * 1000);
	enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return ret;
}

int cove_test_http_start(cove_test_http *s)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->mu, NULL);
	struct sockaddr_in sin = {0};
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = 0;
	s->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0, NULL, NULL,
				     answer, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
				     MHD_OPTION_URI_LOG_CALLBACK, log_uri, s, MHD_OPTION_END);
	if (!s->daemon)
		return -1;
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	if (!info || !info->port)
		return -1;
	snprintf(s->base, sizeof(s->base), "http://127.0.0.1:%u", (unsigned)info->port);
	return 0;
}

void cove_test_http_stop(cove_test_http *s)
{
	if (s->daemon)
		MHD_stop_daemon(s->daemon);
	s->daemon = NULL;
	pthread_mutex_destroy(&s->mu);
	for (int i = 0; i < s->nroutes; i++) {
		free(s->routes[i].body);
		for (int k = 0; k < COVE_TEST_HTTP_HEADERS; k++)
			free(s->routes[i].headers[k].value);
	}
	s->nroutes = 0;
}

/* Setters may run while the server is up (between requests), so they take the lock answer() takes. */

cove_test_http_route *cove_test_http_route_add(cove_test_http *s, const char *path, const void *body, size_t len)
{
	if (s->nroutes >= COVE_TEST_HTTP_ROUTES)
		fail_msg("cove_test_http: more than %d routes", COVE_TEST_HTTP_ROUTES);
	pthread_mutex_lock(&s->mu);
	cove_test_http_route *r = &s->routes[s->nroutes];
	memset(r, 0, sizeof(*r));
	r->server = s;
	snprintf(r->path, sizeof(r->path), "%s", path);
	s->nroutes++;
	pthread_mutex_unlock(&s->mu);
	cove_test_http_route_set_body(r, body, len);
	return r;
}

void cove_test_http_route_set_arg(cove_test_http_route *r, const char *arg, const char *value)
{
	pthread_mutex_lock(&r->server->mu);
	snprintf(r->arg, sizeof(r->arg), "%s", arg);
	snprintf(r->value, sizeof(r->value), "%s", value);
	pthread_mutex_unlock(&r->server->mu);
}

void cove_test_http_route_set_body(cove_test_http_route *r, const void *body, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);
	if (!copy)
		fail_msg("cove_test_http: out of memory for a %zu-byte body", len);
	if (len)
		memcpy(copy, body, len);
	pthread_mutex_lock(&r->server->mu);
	free(r->body);
	r->body = copy;
	r->body_len = len;
	pthread_mutex_unlock(&r->server->mu);
}

void cove_test_http_route_set_header(cove_test_http_route *r, const char *name, const char *value)
{
	char *copy = value ? strdup(value) : NULL;
	if (value && !copy)
		fail_msg("cove_test_http: out of memory for header %s", name);
	pthread_mutex_lock(&r->server->mu);
	int slot = -1;
	for (int i = 0; i < COVE_TEST_HTTP_HEADERS && slot < 0; i++)
		if (r->headers[i].value && strcasecmp(r->headers[i].name, name) == 0)
			slot = i;
	for (int i = 0; i < COVE_TEST_HTTP_HEADERS && slot < 0 && copy; i++)
		if (!r->headers[i].value)
			slot = i;
	if (slot >= 0) {
		free(r->headers[slot].value);
		snprintf(r->headers[slot].name, sizeof(r->headers[slot].name), "%s", name);
		r->headers[slot].value = copy;
		copy = NULL;
	}
	pthread_mutex_unlock(&r->server->mu);
	if (copy) {
		free(copy);
		fail_msg("cove_test_http: more than %d headers on %s", COVE_TEST_HTTP_HEADERS, r->path);
	}
}

void cove_test_http_route_set_script(cove_test_http_route *r, const cove_test_http_step *steps, int n)
{
	if (n < 0 || n > COVE_TEST_HTTP_STEPS)
		fail_msg("cove_test_http: a script of %d steps (at most %d)", n, COVE_TEST_HTTP_STEPS);
	pthread_mutex_lock(&r->server->mu);
	for (int i = 0; i < n; i++) {
		r->script[i].status = steps[i].status;
		snprintf(r->script[i].retry_after, sizeof(r->script[i].retry_after), "%s",
			 steps[i].retry_after ? steps[i].retry_after : "");
	}
	r->nscript = n;
	r->script_from = r->hits;
	pthread_mutex_unlock(&r->server->mu);
}

void cove_test_http_route_set_delay(cove_test_http_route *r, unsigned ms)
{
	pthread_mutex_lock(&r->server->mu);
	r->delay_ms = ms;
	pthread_mutex_unlock(&r->server->mu);
}

void cove_test_http_route_set_chunked(cove_test_http_route *r, bool chunked)
{
	pthread_mutex_lock(&r->server->mu);
	r->chunked = chunked;
	pthread_mutex_unlock(&r->server->mu);
}
