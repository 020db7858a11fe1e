/*
 * coved's HTTP layer over libmicrohttpd: a thread pool (MHD's internal
 * polling threads), HTTPS with the configured certificate or plain HTTP on
 * loopback, request bodies accumulated up to the configured limit (413 with a
 * JSON error beyond it, nothing else done), one JSON error shape, and a log
 * line and metrics sample per request.
 */
#include <arpa/inet.h>
#include <errno.h>
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

typedef struct pending {
	uint8_t *body;
	size_t len, cap;
	bool too_large;
	struct timespec start;
} pending;

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
	coved_request rq;
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

	memset(&rq, 0, sizeof(rq));
	memset(&rs, 0, sizeof(rs));
	rq.method = method;
	rq.path = url;
	rq.body = p->body;
	rq.body_len = p->len;
	if (p->body)
		p->body[p->len] = '\0'; /* convenience for text parsers; body_len stays authoritative */
	rq.authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	rq.cookie = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Cookie");
	rq.content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
	rq.api_version = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "api-version");
	rq.conn = c;
	peer_name(c, rq.peer, sizeof(rq.peer));

	rs.route = "{rejected}";
	if (p->too_large)
		coved_reply_error(&rs, 413, "body_too_large", "request body larger than the limit of %zu bytes", limit);
	else if (atomic_load(&srv->stopping))
		coved_reply_error(&rs, 503, "stopping", "coved is shutting down");
	else
		coved_route(srv, &rq, &rs);
	if (!rs.status)
		coved_reply_error(&rs, 500, "internal", "no response");

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
		coved_metrics_request(rs.route ? rs.route : "{unmatched}", rs.status, secs);
		coved_log(rs.status >= 500 ? COVED_LOG_ERROR : COVED_LOG_INFO, "request",
			  json_pack("{s:s, s:s, s:i, s:f, s:s, s:I}", "method", method, "path", url, "status", rs.status,
				    "seconds", secs, "peer", rq.peer, "body_bytes", (json_int_t)p->len));
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
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_USE_ITC;
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
						       MHD_OPTION_THREAD_POOL_SIZE, srv->cfg.threads,
						       MHD_OPTION_NOTIFY_COMPLETED, completed, srv,
						       MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
						       MHD_OPTION_HTTPS_MEM_CERT, cert_pem, MHD_OPTION_HTTPS_MEM_KEY, key_pem,
						       MHD_OPTION_END);
		else
			srv->daemon = MHD_start_daemon(flags, 0, NULL, NULL, answer, srv, MHD_OPTION_SOCK_ADDR, &ss,
						       MHD_OPTION_THREAD_POOL_SIZE, srv->cfg.threads,
						       MHD_OPTION_NOTIFY_COMPLETED, completed, srv,
						       MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30, MHD_OPTION_END);
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

void coved_stop(coved *srv)
{
	if (!srv->daemon)
		return;
	atomic_store(&srv->stopping, true);
	/* Stop accepting, let the requests in flight finish (MHD joins its threads). */
	MHD_quiesce_daemon(srv->daemon);
	MHD_stop_daemon(srv->daemon);
	srv->daemon = NULL;
}
