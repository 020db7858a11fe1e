/*
 * coved internals: the server state every route shares, the request and
 * response a route sees, structured logging and metrics.  Routes know HTTP
 * (status codes, JSON bodies) but nothing of evidence layouts: they call the
 * attestation (cove/attest.h), policy (cove/maa_policy.h), token
 * (cove/token.h) and storage (cove/store.h) modules of libcove.
 */
#ifndef COVED_H
#define COVED_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "cove/err.h"

/* ---- configuration (config file, then flags) ---- */

typedef struct coved_config {
	char listen_addr[64];     /* "127.0.0.1" */
	uint16_t port;            /* 8443 with TLS, 8080 without */
	char state_dir[4096];
	char tls_cert[4096];
	char tls_key[4096];
	char admin_token_file[4096];
	char issuer[512];         /* token "iss" and the base of jku; default http(s)://ADDR:PORT */
	char token_alg[8];        /* RS256 (default), ES256, ES384 */
	bool trust_emulated_root;
	bool allow_plain_http;    /* plain HTTP on a non-loopback address: only when the operator insists */
	size_t max_body;          /* bytes; default 1 MiB */
	unsigned threads;         /* thread pool size; default = CPUs */
	unsigned token_lifetime;  /* seconds; default 8 h as MAA */
	int log_level;            /* 0 error .. 3 debug */
	char collateral_dir[4096]; /* KDS/PCS caches (DIR/kds, DIR/pcs); empty: STATE_DIR/collateral */
	char platform_dir[4096];  /* the emulated platform whose root --trust-emulated-root trusts */
	/* Other attestation services whose tokens /keys/{name}/release accepts: issuer -> JWKS file. */
	struct {
		char issuer[512];
		char jwks_file[4096];
	} trusted[8];
	unsigned ntrusted;
	bool offline;             /* never fetch collateral from the network */
} coved_config;

void coved_config_defaults(coved_config *c);
/* Apply a JSON config file (keys named as the long flags, e.g. "listen", "state-dir"). */
cove_err coved_config_load(coved_config *c, const char *path, cove_error *e);

/* ---- logging: one JSON object per line on stderr; never secrets ---- */

enum { COVED_LOG_ERROR = 0, COVED_LOG_WARN = 1, COVED_LOG_INFO = 2, COVED_LOG_DEBUG = 3 };
void coved_log_set_level(int level);
/* Whether `level` is logged (to skip building fields that would be dropped). */
bool coved_log_enabled(int level);
/* `fields` (may be NULL) is stolen; `msg` is a fixed text, values go into fields. */
void coved_log(int level, const char *msg, json_t *fields);

/* ---- metrics (Prometheus text format) ---- */

void coved_metrics_request(const char *route, int status, double seconds);
void coved_metrics_count(const char *name, const char *label, uint64_t n);
char *coved_metrics_render(void); /* malloc'd */

/* ---- requests ---- */

typedef struct coved coved;

typedef struct coved_request {
	const char *method;
	const char *path;          /* without the query string */
	const uint8_t *body;
	size_t body_len;
	const char *authorization; /* header or NULL */
	const char *cookie;        /* header or NULL */
	const char *content_type;
	const char *api_version;   /* ?api-version= or NULL */
	char peer[64];             /* address of the client, for logs */
	void *conn;                /* the MHD connection (query lookups) */
} coved_request;

typedef struct coved_response {
	int status;
	char *body;                /* malloc'd; JSON unless content_type says otherwise */
	const char *content_type;
	char set_cookie[256];
	const char *route;         /* the route pattern that answered (metrics label), set by coved_route */
} coved_response;

/* A JSON body (steals `j`). */
void coved_reply_json(coved_response *rs, int status, json_t *j);
/* {"error": {"code": code, "message": message}} - the one shape of every error. */
void coved_reply_error(coved_response *rs, int status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Map a cove_err to a 4xx/5xx with the error's message. */
void coved_reply_cove_error(coved_response *rs, const cove_error *e);

const char *coved_request_query(const coved_request *rq, const char *key);

typedef void (*coved_handler)(coved *srv, const coved_request *rq, coved_response *rs);

/* ---- the server ---- */

struct coved {
	coved_config cfg;
	struct MHD_Daemon *daemon;
	atomic_bool stopping;
	char admin_token[256];    /* empty: admin API disabled */
	void *ctx;                /* routes' shared state (coved_state), see state.c */
};

cove_err coved_start(coved *srv, cove_error *e);
void coved_stop(coved *srv);
/* The port actually bound (for --listen ...:0). */
uint16_t coved_port(const coved *srv);

/* Routing (routes.c). */
void coved_route(coved *srv, const coved_request *rq, coved_response *rs);

/* True when the request carries the admin credential (constant-time comparison). */
bool coved_is_admin(const coved *srv, const coved_request *rq);

#endif
