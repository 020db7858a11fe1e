/* Route handlers of coved, one file per area (routes_*.c). */
#ifndef COVED_ROUTES_H
#define COVED_ROUTES_H

#include "coved.h"

void coved_route_certs(coved *srv, const coved_request *rq, coved_response *rs);
void coved_route_openid(coved *srv, const coved_request *rq, coved_response *rs);
void coved_route_attest(coved *srv, const coved_request *rq, coved_response *rs);
void coved_route_policy_get(coved *srv, const coved_request *rq, coved_response *rs);
void coved_route_policy_put(coved *srv, const coved_request *rq, coved_response *rs);
void coved_route_policy_reset(coved *srv, const coved_request *rq, coved_response *rs);
void coved_route_key_put(coved *srv, const coved_request *rq, coved_response *rs);
void coved_route_key_delete(coved *srv, const coved_request *rq, coved_response *rs);
void coved_route_key_release(coved *srv, const coved_request *rq, coved_response *rs);
void coved_route_kbs_auth(coved *srv, const coved_request *rq, coved_response *rs);
void coved_route_kbs_attest(coved *srv, const coved_request *rq, coved_response *rs);
void coved_route_kbs_resource_get(coved *srv, const coved_request *rq, coved_response *rs);
void coved_route_kbs_resource_put(coved *srv, const coved_request *rq, coved_response *rs);

#endif
