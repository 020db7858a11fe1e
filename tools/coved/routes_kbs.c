/*
 * The Confidential Containers KBS protocol, version 0.4.0 (RCAR; shapes from
 * Trustee's KBS and kbs-types, shared/research/attestation-services.md 3.2):
 *
 *   POST /kbs/v0/auth      {"version":"0.4.0","tee":..,"extra-params":..}
 *                          -> {"nonce": base64(32 random bytes), "extra-params": ""} + kbs-session-id cookie
 *   POST /kbs/v0/attest    {"runtime-data":{"nonce","tee-pubkey"},"tee-evidence":{...}} with the cookie
 *                          -> {"token": JWT}; the evidence's report data must be
 *                             H(JCS(runtime-data [+ "additional-evidence"])) zero-padded (SHA-384 by default)
 *   GET  /kbs/v0/resource/<repo>/<type>/<tag>  with the attested cookie or "Authorization: Bearer <token>"
 *                          -> a flattened JWE of the resource to the TEE key
 *   POST /kbs/v0/resource/<repo>/<type>/<tag>  (admin) stores a resource
 *
 * Evidence is decoded by cove_attest_kbs_request_parse (cove/attest.h), which
 * lists the shapes accepted per tee.
 * Errors have KBS's shape: {"type": ".../errors/<Kind>", "detail": "..."}.
 * Resource policies are release policies (cove/skr_policy.h) over the
 * session's claims with this instance as the authority; without one, any
 * attested TEE gets the resource (KBS's default policy).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cove/attest.h"
#include "cove/bytes.h"
#include "cove/crypto.h"
#include "cove/jcs.h"
#include "cove/skr_policy.h"
#include "cove/token.h"
#include "coved_state.h"
#include "routes.h"

cove_err coved_attest_evidence(coved *srv, cove_attest_type type, const cove_attest_request *req,
			       const json_t *extra, char **jwt, json_t **claims_out, coved_response *rs);

static void kbs_error(coved_response *rs, int status, const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void kbs_error(coved_response *rs, int status, const char *kind, const char *fmt, ...)
{
	char msg[1024], type[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(type, sizeof(type), "https://github.com/confidential-containers/kbs/errors/%s", kind);
	coved_reply_json(rs, status, json_pack("{s:s, s:s, s:{s:s, s:s}}", "type", type, "detail", msg, "error", "code", kind,
					       "message", msg));
}

void coved_route_kbs_auth(coved *srv, const coved_request *rq, coved_response *rs)
{
	coved_state *st = srv->ctx;
	json_error_t je;
	json_t *body = json_loadb((const char *)rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &je);
	const char *version = json_string_value(json_object_get(body, "version"));
	const char *tee = json_string_value(json_object_get(body, "tee"));
	char id[KBS_SESSION_ID_LEN + 1], nonce[64];

	if (!body || !json_is_object(body)) {
		kbs_error(rs, 400, "InvalidRequest", "request body: %s", body ? "expected a JSON object" : je.text);
		goto out;
	}
	if (!version || strcmp(version, "0.4.0") != 0) {
		kbs_error(rs, 400, "ProtocolVersion", "protocol version %s is not supported: this KBS speaks 0.4.0",
			  version ? version : "(missing)");
		goto out;
	}
	if (!tee || (strcmp(tee, "snp") && strcmp(tee, "sgx") && strcmp(tee, "tdx"))) {
		kbs_error(rs, 400, "UnsupportedTee", "tee %s is not supported (snp, sgx, tdx)", tee ? tee : "(missing)");
		goto out;
	}
	if (!kbs_session_open(st->kbs, tee, id, nonce, (int64_t)time(NULL))) {
		kbs_error(rs, 503, "TooManySessions", "no free session slot; retry later");
		goto out;
	}
	snprintf(rs->set_cookie, sizeof(rs->set_cookie), "kbs-session-id=%s; Max-Age=%d; Path=/kbs/v0; HttpOnly", id,
		 KBS_SESSION_TTL);
	coved_reply_json(rs, 200, json_pack("{s:s, s:s}", "nonce", nonce, "extra-params", ""));
out:
	json_decref(body);
}

/* The report data the evidence carries, from the verified claims. */
static bool report_data_of(const json_t *claims, uint8_t out[64])
{
	const char *names[] = {"x-ms-sevsnpvm-reportdata", "x-ms-sgx-report-data", "tdx_report_data"};

	for (size_t i = 0; i < 3; i++) {
		const char *h = json_string_value(json_object_get(claims, names[i]));
		if (h && strlen(h) == 128 && cove_hex_decode_fixed(h, out, 64, NULL) == COVE_OK)
			return true;
	}
	return false;
}

/* report_data == H(JCS(runtime-data)) || zeros, for SHA-384 (the default), SHA-256 or SHA-512. */
static bool binding_holds(const json_t *runtime, const uint8_t rd[64], char *which, size_t cap)
{
	char *canon = NULL;
	size_t len = 0;
	bool ok = false;
	const struct {
		cove_hash h;
		size_t n;
		const char *name;
	} algs[] = {{COVE_SHA384, 48, "sha384"}, {COVE_SHA256, 32, "sha256"}, {COVE_SHA512, 64, "sha512"}};

	if (cove_jcs_serialize(runtime, &canon, &len, NULL))
		return false;
	for (size_t i = 0; i < 3 && !ok; i++) {
		uint8_t md[64] = {0};
		if (cove_digest(algs[i].h, canon, len, md, NULL))
			continue;
		if (memcmp(md, rd, algs[i].n) == 0) {
			ok = true;
			for (size_t k = algs[i].n; k < 64; k++)
				ok = ok && rd[k] == 0;
			if (ok)
				snprintf(which, cap, "%s", algs[i].name);
		}
	}
	free(canon);
	return ok;
}

void coved_route_kbs_attest(coved *srv, const coved_request *rq, coved_response *rs)
{
	coved_state *st = srv->ctx;
	char id[KBS_SESSION_ID_LEN + 1], tee[32], nonce[64], alg[16] = "";
	json_error_t je;
	json_t *body = NULL, *runtime, *ev, *primary, *bound = NULL, *extra = NULL, *claims = NULL;
	const char *rn, *addl;
	cove_attest_type type;
	cove_attest_request *req = NULL;
	cove_error e = {0};
	char *jwt = NULL;
	uint8_t rd[64];
	int64_t now = (int64_t)time(NULL);

	if (!rq->cookie || !kbs_cookie_session(rq->cookie, id) || !kbs_session_challenge(st->kbs, id, tee, nonce, now)) {
		kbs_error(rs, 401, "UnAuthenticated", "no open KBS session: POST /kbs/v0/auth first and send its cookie");
		return;
	}
	body = json_loadb((const char *)rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &je);
	if (!body || !json_is_object(body)) {
		kbs_error(rs, 400, "InvalidRequest", "request body: %s", body ? "expected a JSON object" : je.text);
		goto out;
	}
	runtime = json_object_get(body, "runtime-data");
	rn = json_string_value(json_object_get(runtime, "nonce"));
	if (!json_is_object(runtime) || !rn || !json_is_object(json_object_get(runtime, "tee-pubkey"))) {
		kbs_error(rs, 400, "InvalidRequest", "runtime-data: expected {\"nonce\", \"tee-pubkey\": JWK}");
		goto out;
	}
	if (strcmp(rn, nonce) != 0) {
		kbs_error(rs, 401, "AttestationError", "runtime-data.nonce is not the nonce this session was challenged with");
		goto out;
	}
	ev = json_object_get(body, "tee-evidence");
	primary = json_object_get(ev, "primary_evidence");
	if (!primary)
		primary = ev;
	if (!json_is_object(primary)) {
		kbs_error(rs, 400, "InvalidRequest", "tee-evidence: expected the %s evidence object", tee);
		goto out;
	}
	if (cove_attest_kbs_request_parse(tee, primary, &type, &req, &e)) {
		kbs_error(rs, 400, "InvalidRequest", "%s", e.msg);
		goto out;
	}
	/* What the report data binds: the runtime data, plus the additional evidence when there is any. */
	bound = json_deep_copy(runtime);
	addl = json_string_value(json_object_get(ev, "additional_evidence"));
	if (addl && *addl)
		json_object_set_new(bound, "additional-evidence", json_string(addl));
	extra = json_pack("{s:O, s:s}", "tee-pubkey", json_object_get(runtime, "tee-pubkey"), "x-cove-kbs-tee", tee);
	if (coved_attest_evidence(srv, type, req, extra, &jwt, &claims, rs) != COVE_OK) {
		/* coved_attest_evidence answered already, in coved's error shape. */
		goto out;
	}
	if (!report_data_of(claims, rd) || !binding_holds(bound, rd, alg, sizeof(alg))) {
		kbs_error(rs, 401, "AttestationError",
			  "the evidence's report data is not H(JCS(runtime-data)) (SHA-384, SHA-256 or SHA-512, zero-padded): "
			  "it does not bind this nonce and tee-pubkey");
		goto out;
	}
	json_object_set_new(claims, "x-cove-kbs-hash", json_string(alg));
	if (!kbs_session_attested(st->kbs, id, json_incref(claims), json_incref(json_object_get(runtime, "tee-pubkey")),
				  now)) {
		kbs_error(rs, 401, "UnAuthenticated", "the session expired during attestation");
		goto out;
	}
	snprintf(rs->set_cookie, sizeof(rs->set_cookie), "kbs-session-id=%s; Max-Age=%d; Path=/kbs/v0; HttpOnly", id,
		 KBS_SESSION_TTL);
	coved_reply_json(rs, 200, json_pack("{s:s}", "token", jwt));
out:
	free(jwt);
	cove_attest_request_free(req);
	json_decref(claims);
	json_decref(extra);
	json_decref(bound);
	json_decref(body);
}

/* "/kbs/v0/resource/repo/type/tag" -> its three parts (each 1..64 of [A-Za-z0-9._-]). */
static bool resource_path(const char *path, char repo[65], char type[65], char tag[65])
{
	const char *p = path + strlen("/kbs/v0/resource/");
	char *parts[3] = {repo, type, tag};

	for (int i = 0; i < 3; i++) {
		size_t n = strcspn(p, "/");
		if (n == 0 || n > 64 || strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") < n ||
		    (n <= 2 && p[0] == '.'))
			return false;
		memcpy(parts[i], p, n);
		parts[i][n] = '\0';
		p += n;
		if (i < 2) {
			if (*p != '/')
				return false;
			p++;
		}
	}
	return *p == '\0';
}

void coved_route_kbs_resource_get(coved *srv, const coved_request *rq, coved_response *rs)
{
	coved_state *st = srv->ctx;
	char repo[65], type[65], tag[65], id[KBS_SESSION_ID_LEN + 1], why[512];
	json_t *claims = NULL, *tee_key = NULL, *jwe = NULL;
	cove_store_resource r;
	bool found = false;
	cove_error e = {0};
	int64_t now = (int64_t)time(NULL);

	memset(&r, 0, sizeof(r));
	if (!resource_path(rq->path, repo, type, tag)) {
		kbs_error(rs, 404, "InvalidRequestPath", "expected /kbs/v0/resource/<repository>/<type>/<tag>");
		return;
	}
	if (rq->authorization && strncmp(rq->authorization, "Bearer ", 7) == 0) {
		cove_token_verify_opts vo;
		memset(&vo, 0, sizeof(vo));
		vo.issuer = st->issuer;
		vo.leeway = 60;
		if (cove_token_verify(rq->authorization + 7, st->jwks, &vo, &claims, NULL, &e)) {
			kbs_error(rs, 401, "TokenVerifierError", "%s", e.msg);
			goto out;
		}
		tee_key = json_incref(json_object_get(claims, "tee-pubkey"));
		if (!json_is_object(tee_key)) {
			kbs_error(rs, 401, "TokenVerifierError", "the token carries no tee-pubkey");
			goto out;
		}
	} else if (!rq->cookie || !kbs_cookie_session(rq->cookie, id) ||
		   !kbs_session_get(st->kbs, id, &claims, &tee_key, now)) {
		kbs_error(rs, 401, "UnAuthenticated", "attest first (POST /kbs/v0/auth, /kbs/v0/attest) or send a token");
		goto out;
	}
	if (cove_store_resource_get(st->store, repo, type, tag, &r, &found, &e)) {
		kbs_error(rs, 500, "Internal", "%s", e.msg);
		goto out;
	}
	if (!found) {
		kbs_error(rs, 404, "ResourceNotFound", "no resource %s/%s/%s", repo, type, tag);
		goto out;
	}
	if (r.policy) {
		cove_skr_policy *pol = NULL;
		bool allowed = false;
		if (cove_skr_policy_parse(r.policy, strlen(r.policy), &pol, &e) ||
		    cove_skr_policy_evaluate(pol, st->issuer, claims, &allowed, why, sizeof(why), &e)) {
			cove_skr_policy_free(pol);
			kbs_error(rs, 500, "Internal", "resource policy: %s", e.msg);
			goto out;
		}
		cove_skr_policy_free(pol);
		if (!allowed) {
			kbs_error(rs, 403, "PolicyDeny", "resource %s/%s/%s: %s", repo, type, tag, why);
			coved_metrics_count("coved_kbs_resources", "denied", 1);
			goto out;
		}
	}
	if (cove_token_jwe_encrypt(tee_key, r.data.data, r.data.len, &jwe, &e)) {
		kbs_error(rs, 400, "InvalidRequest", "tee-pubkey: %s", e.msg);
		goto out;
	}
	coved_metrics_count("coved_kbs_resources", "released", 1);
	coved_log(COVED_LOG_INFO, "resource released", json_pack("{s:s, s:s, s:s}", "repository", repo, "type", type,
								  "tag", tag));
	coved_reply_json(rs, 200, jwe);
	jwe = NULL;
out:
	cove_store_resource_free(&r);
	json_decref(jwe);
	json_decref(claims);
	json_decref(tee_key);
}

void coved_route_kbs_resource_put(coved *srv, const coved_request *rq, coved_response *rs)
{
	coved_state *st = srv->ctx;
	char repo[65], type[65], tag[65];
	json_t *body = NULL;
	cove_buf data = {0};
	char *policy = NULL;
	cove_error e = {0};
	int64_t version = 0;

	if (!coved_is_admin(srv, rq)) {
		kbs_error(rs, 401, "UnAuthenticated", "resource uploads need the admin bearer token");
		return;
	}
	if (!resource_path(rq->path, repo, type, tag)) {
		kbs_error(rs, 404, "InvalidRequestPath", "expected /kbs/v0/resource/<repository>/<type>/<tag>");
		return;
	}
	/* application/json {"data": base64, "policy"?: release policy}; anything else is the resource itself. */
	if (rq->content_type && strncmp(rq->content_type, "application/json", 16) == 0) {
		json_error_t je;
		const char *d;
		body = json_loadb((const char *)rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &je);
		d = json_string_value(json_object_get(body, "data"));
		if (!body || !d || cove_base64_decode(d, strlen(d), &data, &e)) {
			kbs_error(rs, 400, "InvalidRequest", "expected {\"data\": base64, \"policy\"?: release policy}");
			goto out;
		}
		if (json_object_get(body, "policy")) {
			cove_skr_policy *pol = NULL;
			if (cove_skr_policy_from_json(json_object_get(body, "policy"), &pol, &e)) {
				kbs_error(rs, 400, "InvalidRequest", "policy: %s", e.msg);
				goto out;
			}
			policy = json_dumps(cove_skr_policy_json(pol), JSON_COMPACT | JSON_SORT_KEYS);
			cove_skr_policy_free(pol);
		}
	} else if (cove_buf_set(&data, rq->body, rq->body_len, &e)) {
		kbs_error(rs, 500, "Internal", "%s", e.msg);
		goto out;
	}
	if (cove_store_resource_put(st->store, repo, type, tag, data.data, data.len, policy, "admin", &version, &e)) {
		kbs_error(rs, 400, "InvalidRequest", "%s", e.msg);
		goto out;
	}
	coved_log(COVED_LOG_INFO, "resource stored", json_pack("{s:s, s:s, s:s, s:I, s:b}", "repository", repo, "type", type,
								"tag", tag, "version", (json_int_t)version, "policy",
								policy != NULL));
	coved_reply_json(rs, 200, json_pack("{s:s, s:I}", "stored", rq->path + strlen("/kbs/v0/resource/"), "version",
					    (json_int_t)version));
out:
	if (data.data)
		memset(data.data, 0, data.len);
	cove_buf_free(&data);
	free(policy);
	json_decref(body);
}
