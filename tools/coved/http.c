/*
 * coved's HTTP layer over libmicrohttpd: one I/O thread (epoll) reads
 * requests and writes responses; a complete request is handed to a pool of
 * worker threads (each with its own verifier context) while its connection
 * is suspended, and resumed with the answer.  MHD's own thread pool would pin
 * every connection to the thread that accepted it, leaving cores idle under
 * keep-alive load (measured by bench/bench_coved.c).  HTTPS with the
 * configured certificate or plain HTTP on loopback; request bodies
 * accumulated up to the configured limit (413 with a JSON error beyond it,
 * nothing else done); one JSON error shape; a log line and metrics sample per
 * request.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>

#include "cove/bytes.h"
#include "coved.h"

enum { P_READING = 0, P_QUEUED = 1, P_DONE = 2 };

typedef struct pending {
	uint8_t *body;
	size_t len, cap;
	bool too_large;
	struct timespec start;
	int state;
	struct MHD_Connection *conn;
	/* Copies of what the route needs: a worker must not touch the suspended connection. */
	char *authorization, *cookie, *content_type, *api_version;
	coved_request rq;
	coved_response rs;
	struct pending *next;   /* job queue */
} pending;

/* The worker pool and its queue. */
static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pending *head, *tail;
	pthread_t *threads;
	unsigned nthreads;
	bool stop;
	atomic_uint in_flight;  /* queued or running */
	coved *srv;
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, NULL, NULL, 0, false, 0, NULL};

static void *worker_main(void *arg)
{
	(void)arg;
	for (;;) {
		pending *p;
		pthread_mutex_lock(&pool.mu);
		while (!pool.head && !pool.stop)
			pthread_cond_wait(&pool.cv, &pool.mu);
		if (!pool.head) {
			pthread_mutex_unlock(&pool.mu);
			return NULL;
		}
		p = pool.head;
		pool.head = p->next;
		if (!pool.head)
			pool.tail = NULL;
		pthread_mutex_unlock(&pool.mu);

		coved_route(pool.srv, &p->rq, &p->rs);
		if (!p->rs.status)
			coved_reply_error(&p->rs, 500, "internal", "no response");
		p->state = P_DONE;
		MHD_resume_connection(p->conn);
		atomic_fetch_sub(&pool.in_flight, 1);
	}
}

static void enqueue(pending *p)
{
	atomic_fetch_add(&pool.in_flight, 1);
	pthread_mutex_lock(&pool.mu);
	p->next = NULL;
	if (pool.tail)
		pool.tail->next = p;
	else
		pool.head = p;
	pool.tail = p;
	pthread_cond_signal(&pool.cv);
	pthread_mutex_unlock(&pool.mu);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

void coved_reply_json(coved_response *rs, int status, json_t *j)
{
	rs->status = status;
	rs->content_type = "application/json";
	free(rs->body);
	rs->body = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(j);
	if (!rs->body) {
		rs->status = 500;
		rs->body = strdup("{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}");
	}
}

void coved_reply_error(coved_response *rs, int status, const char *code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	coved_reply_json(rs, status, json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", msg));
}

void coved_reply_cove_error(coved_response *rs, const cove_error *e)
{
	int status;
	const char *code;

	switch (e->code) {
	case COVE_ERR_ARG: status = 400, code = "invalid_argument"; break;
	case COVE_ERR_PARSE: status = 400, code = "malformed"; break;
	case COVE_ERR_VERIFY: status = 401, code = "verification_failed"; break;
	case COVE_ERR_POLICY: status = 403, code = "policy_denied"; break;
	case COVE_ERR_UNAVAILABLE: status = 503, code = "unavailable"; break;
	case COVE_ERR_UNSUPPORTED: status = 400, code = "unsupported"; break;
	default: status = 500, code = "internal"; break;
	}
	coved_reply_error(rs, status, code, "%s", e->msg);
}

const char *coved_request_query(const coved_request *rq, const char *key)
{
	return MHD_lookup_connection_value((struct MHD_Connection *)rq->conn, MHD_GET_ARGUMENT_KIND, key);
}

static double since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void peer_name(struct MHD_Connection *c, char *out, size_t cap)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(out, cap, "?");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)cap);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)cap);
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			      const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	coved *srv = cls;
	pending *p = *con_cls;
	coved_response rs;
	struct MHD_Response *resp;
	enum MHD_Result ret;
	size_t limit = srv->cfg.max_body;

	(void)version;
	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p)
			return MHD_NO;
		clock_gettime(CLOCK_MONOTONIC, &p->start);
		*con_cls = p;
		return MHD_YES;
	}
	if (*upload_size) {
		/* Accumulate the body; past the limit, keep reading (to answer cleanly) but store nothing. */
		if (!p->too_large && *upload_size > limit - p->len)
			p->too_large = true;
		if (!p->too_large) {
			if (p->len + *upload_size > p->cap) {
				size_t cap = p->cap ? p->cap : 4096;
				uint8_t *nb;
				while (cap < p->len + *upload_size)
					cap *= 2;
				if (cap > limit)
					cap = limit;
				nb = realloc(p->body, cap + 1);
				if (!nb)
					return MHD_NO;
				p->body = nb;
				p->cap = cap;
			}
			memcpy(p->body + p->len, upload, *upload_size);
			p->len += *upload_size;
		}
		*upload_size = 0;
		return MHD_YES;
	}

	if (p->state == P_READING) {
		/* The whole request is in: hand it to a worker, suspend the connection until it answers. */
		memset(&p->rq, 0, sizeof(p->rq));
		memset(&p->rs, 0, sizeof(p->rs));
		p->conn = c;
		p->rq.method = method;
		p->rq.path = url;
		p->rq.body = p->body;
		p->rq.body_len = p->len;
		if (p->body)
			p->body[p->len] = '\0'; /* convenience for text parsers; body_len stays authoritative */
		p->rq.authorization = p->authorization =
			dup_or_null(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization"));
		p->rq.cookie = p->cookie = dup_or_null(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Cookie"));
		p->rq.content_type = p->content_type =
			dup_or_null(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type"));
		p->rq.api_version = p->api_version =
			dup_or_null(MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "api-version"));
		peer_name(c, p->rq.peer, sizeof(p->rq.peer));
		p->rs.route = "{rejected}";
		if (p->too_large) {
			coved_reply_error(&p->rs, 413, "body_too_large", "request body larger than the limit of %zu bytes",
					  limit);
			p->state = P_DONE;
		} else if (atomic_load(&srv->stopping)) {
			coved_reply_error(&p->rs, 503, "stopping", "coved is shutting down");
			p->state = P_DONE;
		} else {
			p->state = P_QUEUED;
			MHD_suspend_connection(c);
			enqueue(p);
			return MHD_YES;
		}
	}
	if (p->state != P_DONE)
		return MHD_YES;

	rs = p->rs;
	p->rs.body = NULL;
	resp = MHD_create_response_from_buffer(rs.body ? strlen(rs.body) : 0, rs.body ? rs.body : (void *)"",
					       rs.body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (!resp) {
		free(rs.body);
		return MHD_NO;
	}
	rs.body = NULL;
	MHD_add_response_header(resp, "Content-Type", rs.content_type ? rs.content_type : "application/json");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (rs.set_cookie[0])
		MHD_add_response_header(resp, "Set-Cookie", rs.set_cookie);
	ret = MHD_queue_response(c, (unsigned)rs.status, resp);
	MHD_destroy_response(resp);

	{
		double secs = since(&p->start);
		int level = rs.status >= 500 ? COVED_LOG_ERROR : COVED_LOG_INFO;
		coved_metrics_request(rs.route ? rs.route : "{unmatched}", rs.status, secs);
		if (coved_log_enabled(level))
			coved_log(level, "request",
			  json_pack("{s:s, s:s, s:i, s:f, s:s, s:I}", "method", method, "path", url, "status", rs.status,
				    "seconds", secs, "peer", p->rq.peer, "body_bytes", (json_int_t)p->len));
	}
	return ret;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	pending *p = *con_cls;

	(void)cls, (void)c, (void)toe;
	if (p) {
		if (p->body)
			memset(p->body, 0, p->len); /* bodies may carry secrets (admin uploads) */
		free(p->body);
		if (p->authorization)
			memset(p->authorization, 0, strlen(p->authorization));
		free(p->authorization);
		free(p->cookie);
		free(p->content_type);
		free(p->api_version);
		free(p->rs.body);
		free(p);
		*con_cls = NULL;
	}
}

static bool is_loopback(const char *addr)
{
	return strcmp(addr, "127.0.0.1") == 0 || strcmp(addr, "::1") == 0 || strncmp(addr, "127.", 4) == 0 ||
	       strcmp(addr, "localhost") == 0;
}

cove_err coved_start(coved *srv, cove_error *e)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_USE_ITC |
			 MHD_ALLOW_SUSPEND_RESUME;
	cove_buf cert = {0}, key = {0};
	bool tls = srv->cfg.tls_cert[0] && srv->cfg.tls_key[0];
	cove_err rc = COVE_OK;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, srv->cfg.listen_addr, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		((struct sockaddr_in *)&ss)->sin_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port = htons(srv->cfg.port);
		sl = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, srv->cfg.listen_addr, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(srv->cfg.port);
		sl = sizeof(struct sockaddr_in6);
		flags |= MHD_USE_IPv6;
	} else {
		return cove_error_set(e, COVE_ERR_ARG, "listen address '%s' is not an IPv4 or IPv6 address",
				      srv->cfg.listen_addr);
	}
	(void)sl;
	if (!tls && !is_loopback(srv->cfg.listen_addr) && !srv->cfg.allow_plain_http)
		return cove_error_set(e, COVE_ERR_POLICY,
				      "plain HTTP on %s would expose tokens and keys to the network: configure "
				      "--tls-cert and --tls-key, listen on loopback, or insist with --allow-plain-http",
				      srv->cfg.listen_addr);
	if ((srv->cfg.tls_cert[0] != 0) != (srv->cfg.tls_key[0] != 0))
		return cove_error_set(e, COVE_ERR_ARG, "--tls-cert and --tls-key go together");
	/* The workers first: the daemon hands them requests as soon as it listens. */
	pool.srv = srv;
	pool.stop = false;
	pool.threads = calloc(srv->cfg.threads ? srv->cfg.threads : 1, sizeof(*pool.threads));
	if (!pool.threads)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	for (unsigned i = 0; i < (srv->cfg.threads ? srv->cfg.threads : 1); i++) {
		if (pthread_create(&pool.threads[i], NULL, worker_main, NULL) != 0)
			return cove_error_set(e, COVE_ERR_IO, "cannot start worker thread %u", i);
		pool.nthreads++;
	}
	if (tls) {
		if ((rc = cove_file_read(srv->cfg.tls_cert, 1 << 20, &cert, e)) ||
		    (rc = cove_file_read(srv->cfg.tls_key, 1 << 20, &key, e)))
			goto out;
		flags |= MHD_USE_TLS;
	}
	{
		/* MHD wants NUL-terminated PEM. */
		char *cert_pem = tls ? strndup((const char *)cert.data, cert.len) : NULL;
		char *key_pem = tls ? strndup((const char *)key.data, key.len) : NULL;
		if (tls && (!cert_pem || !key_pem)) {
			free(cert_pem);
			free(key_pem);
			rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
			goto out;
		}
		if (tls)
			srv->daemon = MHD_start_daemon(flags, 0, NULL, NULL, answer, srv, MHD_OPTION_SOCK_ADDR, &ss,
						       MHD_OPTION_NOTIFY_COMPLETED, completed, srv,
						       MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
						       MHD_OPTION_CONNECTION_LIMIT, (unsigned)1024,
						       MHD_OPTION_HTTPS_MEM_CERT, cert_pem, MHD_OPTION_HTTPS_MEM_KEY, key_pem,
						       MHD_OPTION_END);
		else
			srv->daemon = MHD_start_daemon(flags, 0, NULL, NULL, answer, srv, MHD_OPTION_SOCK_ADDR, &ss,
						       MHD_OPTION_NOTIFY_COMPLETED, completed, srv,
						       MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
						       MHD_OPTION_CONNECTION_LIMIT, (unsigned)1024, MHD_OPTION_END);
		if (key_pem)
			memset(key_pem, 0, strlen(key_pem));
		free(cert_pem);
		free(key_pem);
	}
	if (!srv->daemon)
		rc = cove_error_set(e, COVE_ERR_IO, "cannot listen on %s:%u (%s)", srv->cfg.listen_addr,
				    (unsigned)srv->cfg.port, tls ? "TLS: check the certificate and key" : "address in use?");
out:
	if (key.data)
		memset(key.data, 0, key.len);
	cove_buf_free(&cert);
	cove_buf_free(&key);
	return rc;
}

uint16_t coved_port(const coved *srv)
{
	const union MHD_DaemonInfo *i = srv->daemon ? MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT) : NULL;
	return i ? i->port : 0;
}

static void stop_workers(void)
{
	pthread_mutex_lock(&pool.mu);
	pool.stop = true;
	pthread_cond_broadcast(&pool.cv);
	pthread_mutex_unlock(&pool.mu);
	for (unsigned i = 0; i < pool.nthreads; i++)
		pthread_join(pool.threads[i], NULL);
	free(pool.threads);
	pool.threads = NULL;
	pool.nthreads = 0;
}

void coved_stop(coved *srv)
{
	if (!srv->daemon) {
		stop_workers();
		return;
	}
	/* New requests get 503; the ones in flight finish and are answered (up to 30 s). */
	atomic_store(&srv->stopping, true);
	for (int i = 0; i < 3000 && atomic_load(&pool.in_flight); i++) {
		struct timespec ts = {0, 10 * 1000000L};
		nanosleep(&ts, NULL);
	}
	MHD_quiesce_daemon(srv->daemon);
	MHD_stop_daemon(srv->daemon);
	srv->daemon = NULL;
	stop_workers();
}
