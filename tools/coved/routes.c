/*
 * coved's routes: method + path to handler.  The attestation API follows
 * MAA's REST surface (docs/coved.md has the table); admin routes need the
 * bearer token; everything answers JSON, errors in one shape.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "coved.h"
#include "routes.h"

bool coved_is_admin(const coved *srv, const coved_request *rq)
{
	size_t want = strlen(srv->admin_token), got;
	const char *tok;

	if (!want || !rq->authorization || strncmp(rq->authorization, "Bearer ", 7) != 0)
		return false;
	tok = rq->authorization + 7;
	got = strlen(tok);
	return got == want && CRYPTO_memcmp(tok, srv->admin_token, want) == 0;
}

static void healthz(coved *srv, const coved_request *rq, coved_response *rs)
{
	(void)srv, (void)rq;
	coved_reply_json(rs, 200, json_pack("{s:s}", "status", "ok"));
}

static void metrics(coved *srv, const coved_request *rq, coved_response *rs)
{
	(void)srv, (void)rq;
	rs->status = 200;
	rs->body = coved_metrics_render();
	rs->content_type = "text/plain; version=0.0.4";
	if (!rs->body)
		coved_reply_error(rs, 500, "internal", "out of memory");
}

typedef struct route {
	const char *method;
	const char *path;   /* exact, or a prefix when it ends with '*' */
	coved_handler fn;
} route;

static const route routes[] = {
	{"GET", "/healthz", healthz},
	{"GET", "/metrics", metrics},
	{"GET", "/certs", coved_route_certs},
	{"GET", "/.well-known/openid-configuration", coved_route_openid},
	{"POST", "/attest/*", coved_route_attest},
	{"GET", "/policies/*", coved_route_policy_get},
	{"PUT", "/policies/*", coved_route_policy_put},
	{"POST", "/policies/*", coved_route_policy_reset},
	{"PUT", "/keys/*", coved_route_key_put},
	{"DELETE", "/keys/*", coved_route_key_delete},
	{"POST", "/keys/*", coved_route_key_release},
	{"POST", "/kbs/v0/auth", coved_route_kbs_auth},
	{"POST", "/kbs/v0/attest", coved_route_kbs_attest},
	{"GET", "/kbs/v0/resource/*", coved_route_kbs_resource_get},
	{"POST", "/kbs/v0/resource/*", coved_route_kbs_resource_put},
};

void coved_route(coved *srv, const coved_request *rq, coved_response *rs)
{
	bool path_known = false;

	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const route *r = &routes[i];
		size_t n = strlen(r->path);
		bool match = r->path[n - 1] == '*' ? strncmp(rq->path, r->path, n - 1) == 0 && rq->path[n - 1]
						    : strcmp(rq->path, r->path) == 0;
		if (!match)
			continue;
		path_known = true;
		rs->route = r->path;
		if (strcmp(rq->method, r->method) == 0) {
			r->fn(srv, rq, rs);
			return;
		}
	}
	if (!path_known)
		rs->route = "{unmatched}";
	if (path_known)
		coved_reply_error(rs, 405, "method_not_allowed", "%s is not allowed on %s", rq->method, rq->path);
	else
		coved_reply_error(rs, 404, "not_found", "no such endpoint: %s", rq->path);
}
