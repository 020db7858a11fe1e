/*
 * The attestation API in MAA's shape (shared/research/attestation-services.md
 * 1.1-1.3): POST /attest/{SevSnpVm|SgxEnclave|TdxVm} -> {"token": JWT};
 * GET /certs (JWKS), GET /.well-known/openid-configuration, and the policy
 * management of GET/PUT /policies/{type} and POST /policies/{type}:reset.
 *
 * Order of an attestation: parse the body (400 naming the JSON path), verify
 * the evidence with cove's verifiers (emulated evidence only where the
 * instance trusts the emulated root; 400 "evidence_not_authentic" with the
 * failed checks otherwise), evaluate the policy in force over the incoming
 * claims (403 "policy_denied" naming the rule), then sign a token carrying
 * the incoming claims, the issued ones, x-ms-policy-hash and x-cove-tcb-status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cove/bytes.h"
#include "cove/crypto.h"
#include "coved_state.h"
#include "routes.h"

const char coved_default_policy[] = "version=1.0;\n"
				    "authorizationrules\n"
				    "{\n"
				    "    => permit();\n"
				    "};\n"
				    "issuancerules\n"
				    "{\n"
				    "};\n";

static const char *const policy_types[COVED_POLICY_TYPES] = {"SevSnpVm", "SgxEnclave", "TdxVm"};

static int policy_index(const char *type)
{
	for (int i = 0; i < COVED_POLICY_TYPES; i++)
		if (strcmp(type, policy_types[i]) == 0)
			return i;
	return -1;
}

void coved_route_certs(coved *srv, const coved_request *rq, coved_response *rs)
{
	coved_state *st = srv->ctx;

	(void)rq;
	coved_reply_json(rs, 200, json_incref(st->jwks));
}

void coved_route_openid(coved *srv, const coved_request *rq, coved_response *rs)
{
	coved_state *st = srv->ctx;

	(void)rq;
	coved_reply_json(rs, 200,
			 json_pack("{s:s, s:s, s:[s], s:[s], s:[s,s,s,s,s,s,s,s,s,s], s:s}", "issuer", st->issuer,
				   "jwks_uri", st->jku, "id_token_signing_alg_values_supported", srv->cfg.token_alg,
				   "response_types_supported", "token", "claims_supported", "x-ms-ver",
				   "x-ms-attestation-type", "x-ms-policy-hash", "x-ms-runtime", "x-ms-inittime", "nonce",
				   "iat", "exp", "nbf", "x-cove-tcb-status", "revocation_endpoint", st->issuer));
}

/* Reload worker w's copy of the policy of type `idx` from the store. */
static cove_err reload_policy(coved_worker *w, int idx, uint64_t gen, cove_error *e)
{
	cove_store_policy sp;
	bool found = false;
	const char *text = coved_default_policy;
	coved_policy_cache *c = &w->policies[idx];
	cove_maa_policy *np = NULL;
	cove_err rc;

	memset(&sp, 0, sizeof(sp));
	if ((rc = cove_store_policy_get(w->st->store, policy_types[idx], &sp, &found, e)))
		return rc;
	if (found)
		text = sp.text;
	if (!c->parsed || c->version != (found ? sp.version : 0)) {
		rc = cove_maa_policy_parse(text, strlen(text), 0, &np, e);
		if (!rc)
			rc = cove_maa_policy_hash(text, strlen(text), c->hash, e);
		if (!rc) {
			cove_maa_policy_free(c->parsed);
			c->parsed = np;
			np = NULL;
			c->version = found ? sp.version : 0;
		}
	}
	if (!rc)
		c->generation = gen;
	cove_maa_policy_free(np);
	cove_store_policy_free(&sp);
	return rc;
}

/*
 * The policy in force for `type`: the stored one, else the default.  Each
 * worker keeps its own parsed copy (no lock on the hot path) and reloads it
 * when the generation counter says a policy changed.
 */
static cove_err current_policy(coved_worker *w, int idx, const cove_maa_policy **p, char hash[48], cove_error *e)
{
	uint64_t gen = atomic_load(&w->st->policy_generation);
	cove_err rc;

	if (w->policies[idx].generation != gen && (rc = reload_policy(w, idx, gen, e)))
		return rc;
	*p = w->policies[idx].parsed;
	memcpy(hash, w->policies[idx].hash, 48);
	return COVE_OK;
}

static void failures_json(const cove_result *res, json_t *arr)
{
	for (size_t i = 0; i < res->nfailures; i++)
		json_array_append_new(arr, json_pack("{s:s, s:s}", "check", res->failures[i].check, "detail",
						     res->failures[i].detail));
}

/*
 * Verify, appraise and sign: shared by /attest/{type} and the KBS attest
 * route.  `extra` (may be NULL) is merged into the token's claims.  On
 * success *jwt is the token and *claims_out (optional) the token's claims.
 */
cove_err coved_attest_evidence(coved *srv, cove_attest_type type, const cove_attest_request *req,
			       const json_t *extra, char **jwt, json_t **claims_out, coved_response *rs);

cove_err coved_attest_evidence(coved *srv, cove_attest_type type, const cove_attest_request *req,
			       const json_t *extra, char **jwt, json_t **claims_out, coved_response *rs)
{
	coved_state *st = srv->ctx;
	cove_error e = {0};
	coved_worker *w = coved_worker_get(srv, &e);
	json_t *claims = NULL, *incoming = NULL, *token = NULL;
	cove_result *res = NULL;
	cove_maa_result mr;
	const cove_maa_policy *pol = NULL;
	cove_maa_policy *draft = NULL;
	char hash[48];
	const char *tname = cove_attest_type_name(type);
	int idx = policy_index(tname);
	cove_err rc;

	memset(&mr, 0, sizeof(mr));
	*jwt = NULL;
	if (!w) {
		coved_reply_cove_error(rs, &e);
		return e.code;
	}
	w->request_emulated = type == COVE_ATTEST_SEVSNPVM && coved_snp_chain_is_emulated(w, &req->snp_chain);
	rc = cove_attest_evaluate(&w->ctx, req, &claims, &res, &e);
	if (rc == COVE_ERR_UNAVAILABLE) {
		coved_reply_error(rs, 503, "collateral_unavailable", "%s", e.msg);
		coved_metrics_count("coved_attestations", "unavailable", 1);
		goto out;
	}
	if (rc) {
		coved_reply_cove_error(rs, &e);
		goto out;
	}
	if (!res->authentic) {
		json_t *err = json_pack("{s:{s:s, s:s, s:[]}}", "error", "code", "evidence_not_authentic", "message",
					res->nfailures ? res->failures[0].detail : "the evidence did not verify",
					"failures");
		failures_json(res, json_object_get(json_object_get(err, "error"), "failures"));
		coved_reply_json(rs, 400, err);
		coved_metrics_count("coved_attestations", "not_authentic", 1);
		rc = COVE_ERR_VERIFY;
		goto out;
	}

	/* The policy: a draft sent with the request (its token is unsecured, as MAA's), else the one in force. */
	if (req->draft_policy) {
		if ((rc = cove_maa_policy_parse(req->draft_policy, strlen(req->draft_policy), 0, &draft, &e)) ||
		    (rc = cove_maa_policy_hash(req->draft_policy, strlen(req->draft_policy), hash, &e))) {
			coved_reply_error(rs, 400, "bad_policy", "draftPolicyForAttestation: %s", e.msg);
			goto out;
		}
		pol = draft;
	} else {
		if (idx < 0 || (rc = current_policy(w, idx, &pol, hash, &e))) {
			if (idx < 0)
				rc = cove_error_set(&e, COVE_ERR_UNSUPPORTED, "no policy for %s", tname);
			coved_reply_cove_error(rs, &e);
			goto out;
		}
	}
	if ((rc = cove_maa_claims_from_object(claims, "AttestationService", &incoming, &e)) ||
	    (rc = cove_maa_policy_evaluate(pol, incoming, &mr, &e))) {
		coved_reply_cove_error(rs, &e);
		goto out;
	}
	if (!mr.permitted) {
		coved_reply_error(rs, 403, "policy_denied", "the %s policy did not permit this evidence (%s line %u)", tname,
				  mr.rule_line ? "deciding rule at" : "no permit rule fired; last", mr.rule_line);
		coved_metrics_count("coved_attestations", "denied", 1);
		rc = COVE_ERR_POLICY;
		goto out;
	}

	/* The token: incoming claims as MAA emits them, the issued ones, and the standard ones. */
	/* The verified claims are this request's own: the token grows from them, no copy. */
	token = json_incref(claims);
	if (mr.claims)
		json_object_update(token, mr.claims);
	if (extra)
		json_object_update(token, (json_t *)extra);
	{
		uint8_t jti[32];
		char jti_hex[65];
		cove_random_bytes(jti, sizeof(jti));
		cove_hex_write(jti_hex, jti, sizeof(jti));
		json_object_set_new(token, "jti", json_string(jti_hex));
	}
	json_object_set_new(token, "iss", json_string(st->issuer));
	json_object_set_new(token, "x-ms-ver", json_string("1.0"));
	json_object_set_new(token, "x-ms-policy-hash", json_string(hash));
	if (req->nonce)
		json_object_set_new(token, "nonce", json_string(req->nonce));
	if (req->draft_policy) {
		/* An unsecured JWT, as MAA returns for draft policies: never a credential. */
		char *h = cove_base64url_new("{\"alg\":\"none\"}", 14);
		char *body = json_dumps(token, JSON_COMPACT | JSON_SORT_KEYS);
		char *b = body ? cove_base64url_new(body, strlen(body)) : NULL;
		if (h && b && (*jwt = malloc(strlen(h) + strlen(b) + 3)))
			sprintf(*jwt, "%s.%s.", h, b);
		free(h);
		free(b);
		free(body);
		if (!*jwt) {
			rc = cove_error_set(&e, COVE_ERR_NOMEM, "out of memory");
			coved_reply_cove_error(rs, &e);
			goto out;
		}
	} else {
		cove_token_issue_opts io = {.jku = st->jku, .lifetime = srv->cfg.token_lifetime};
		if ((rc = cove_token_issue(w->key, token, &io, jwt, &e))) {
			coved_reply_cove_error(rs, &e);
			goto out;
		}
	}
	coved_metrics_count("coved_attestations", json_is_true(json_object_get(claims, "x-cove-emulated"))
							   ? "issued_emulated"
							   : "issued",
			    1);
	if (claims_out)
		*claims_out = json_incref(token);
	rc = COVE_OK;
out:
	cove_maa_result_clear(&mr);
	cove_maa_policy_free(draft);
	json_decref(token);
	json_decref(incoming);
	json_decref(claims);
	cove_result_free(res);
	return rc;
}

void coved_route_attest(coved *srv, const coved_request *rq, coved_response *rs)
{
	const char *name = rq->path + strlen("/attest/");
	cove_attest_type type;
	cove_attest_request *req = NULL;
	cove_error e = {0};
	char *jwt = NULL;

	if (cove_attest_type_parse(name, &type, &e) || (type != COVE_ATTEST_SEVSNPVM && type != COVE_ATTEST_SGXENCLAVE &&
							type != COVE_ATTEST_TDXVM && type != COVE_ATTEST_OPENENCLAVE)) {
		coved_reply_error(rs, 404, "unknown_attestation_type",
				  "unknown attestation type '%.64s' (SevSnpVm, SgxEnclave, TdxVm, OpenEnclave)", name);
		return;
	}
	{
		/* Metrics by attestation type (a fixed set of labels). */
		static const char *const labels[] = {NULL, "/attest/SevSnpVm", "/attest/SgxEnclave", "/attest/TdxVm",
						     "/attest/OpenEnclave"};
		if ((size_t)type < sizeof(labels) / sizeof(labels[0]) && labels[type])
			rs->route = labels[type];
	}
	if (!rq->body_len) {
		coved_reply_error(rs, 400, "bad_request", "empty body: expected the %s request JSON", name);
		return;
	}
	if (cove_attest_request_parse(type, (const char *)rq->body, rq->body_len, &req, &e)) {
		coved_reply_error(rs, 400, "bad_request", "%s", e.msg);
		return;
	}
	if (coved_attest_evidence(srv, type, req, NULL, &jwt, NULL, rs) == COVE_OK)
		coved_reply_json(rs, 200, json_pack("{s:s}", "token", jwt));
	free(jwt);
	cove_attest_request_free(req);
}

/* ---- policies ---- */

static int policy_from_path(const char *path, const char *suffix, char type[32])
{
	const char *p = path + strlen("/policies/");
	size_t n = strlen(p), sl = suffix ? strlen(suffix) : 0;

	if (suffix) {
		if (n <= sl || strcmp(p + n - sl, suffix) != 0)
			return -1;
		n -= sl;
	}
	if (n == 0 || n >= 32)
		return -1;
	memcpy(type, p, n);
	type[n] = '\0';
	return policy_index(type);
}

/* The MAA response shape: a token whose claims describe the policy (x-ms-policy is an unsecured JWT of it). */
static void reply_policy_token(coved *srv, coved_response *rs, const char *text, const char *result,
			       const char *signer)
{
	coved_state *st = srv->ctx;
	char hash[48], *inner = NULL, *jwt = NULL, *b64 = cove_base64url_new(text, strlen(text));
	json_t *inner_claims = json_pack("{s:s}", "AttestationPolicy", b64 ? b64 : "");
	char *ic = json_dumps(inner_claims, JSON_COMPACT);
	char *h = cove_base64url_new("{\"alg\":\"none\"}", 14), *bb = ic ? cove_base64url_new(ic, strlen(ic)) : NULL;
	cove_error e = {0};
	cove_token_issue_opts io = {.jku = st->jku};

	if (h && bb && (inner = malloc(strlen(h) + strlen(bb) + 3)))
		sprintf(inner, "%s.%s.", h, bb);
	if (!inner || cove_maa_policy_hash(text, strlen(text), hash, &e)) {
		coved_reply_error(rs, 500, "internal", "cannot encode the policy");
		goto out;
	}
	json_t *claims = json_pack("{s:s, s:s, s:s, s:s}", "iss", st->issuer, "x-ms-policy", inner,
				   "x-ms-policy-result", result, "x-ms-policy-token-hash", hash);
	if (signer)
		json_object_set_new(claims, "x-ms-policy-signer", json_string(signer));
	if (cove_token_issue(st->key, claims, &io, &jwt, &e))
		coved_reply_cove_error(rs, &e);
	else
		coved_reply_json(rs, 200, json_pack("{s:s}", "token", jwt));
	json_decref(claims);
out:
	free(jwt);
	free(inner);
	free(h);
	free(bb);
	free(ic);
	free(b64);
	json_decref(inner_claims);
}

void coved_route_policy_get(coved *srv, const coved_request *rq, coved_response *rs)
{
	coved_state *st = srv->ctx;
	char type[32];
	int idx = policy_from_path(rq->path, NULL, type);
	cove_store_policy sp;
	bool found = false;
	cove_error e = {0};

	if (idx < 0) {
		coved_reply_error(rs, 404, "unknown_attestation_type", "no policy type '%.64s'", rq->path + 10);
		return;
	}
	memset(&sp, 0, sizeof(sp));
	if (cove_store_policy_get(st->store, type, &sp, &found, &e)) {
		coved_reply_cove_error(rs, &e);
		return;
	}
	reply_policy_token(srv, rs, found ? sp.text : coved_default_policy, found ? "Current" : "Default",
			   found ? sp.signer : NULL);
	cove_store_policy_free(&sp);
}

static bool looks_like_jwt(const char *s, size_t n)
{
	size_t dots = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.')
			dots++;
		else if (!(s[i] == '-' || s[i] == '_' || (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
			   (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '\n' || s[i] == '\r'))
			return false;
	}
	return dots == 2;
}

void coved_route_policy_put(coved *srv, const coved_request *rq, coved_response *rs)
{
	coved_state *st = srv->ctx;
	char type[32];
	int idx = policy_from_path(rq->path, NULL, type);
	cove_error e = {0};
	char *text = NULL, signer_buf[256] = "";
	size_t text_len = 0;
	const char *signer = NULL;
	cove_maa_policy *p = NULL;
	int64_t version = 0;
	size_t n = rq->body_len;

	if (!coved_is_admin(srv, rq)) {
		coved_reply_error(rs, 401, "unauthorized", "policy changes need the admin bearer token");
		return;
	}
	if (idx < 0) {
		coved_reply_error(rs, 404, "unknown_attestation_type", "no policy type '%.64s'", rq->path + 10);
		return;
	}
	while (n && (rq->body[n - 1] == '\n' || rq->body[n - 1] == '\r' || rq->body[n - 1] == ' '))
		n--;
	if (n == 0) {
		coved_reply_error(rs, 400, "bad_request", "empty body: expected a policy JWT (or policy text)");
		return;
	}
	if (looks_like_jwt((const char *)rq->body, n)) {
		/* As MAA accepts uploads: an unsecured JWT, or one signed RS256 with an x5c chain. */
		cove_maa_policy_jwt_opts o;
		cove_maa_policy_jwt_info info;
		memset(&o, 0, sizeof(o));
		memset(&info, 0, sizeof(info));
		o.allow_unsigned = true;
		o.now = time(NULL);
		if (cove_maa_policy_from_jwt((const char *)rq->body, n, &o, &text, &text_len, &info, &e)) {
			coved_reply_error(rs, 400, "bad_policy", "policy JWT: %s", e.msg);
			return;
		}
		if (info.is_signed && info.signer) {
			/* The signer, named by its key: "spki-sha256:<hex>". */
			uint8_t spki[32];
			char hex[65];
			if (cove_x509_spki_sha256(info.signer, spki, NULL) == COVE_OK) {
				cove_hex_write(hex, spki, sizeof(spki));
				snprintf(signer_buf, sizeof(signer_buf), "spki-sha256:%s", hex);
				signer = signer_buf;
			}
		}
		cove_x509_free(info.signer);
	} else {
		text = strndup((const char *)rq->body, n);
		text_len = n;
	}
	if (!text) {
		coved_reply_error(rs, 500, "internal", "out of memory");
		return;
	}
	if (cove_maa_policy_parse(text, text_len, 0, &p, &e)) {
		coved_reply_error(rs, 400, "bad_policy", "%s", e.msg);
		free(text);
		return;
	}
	cove_maa_policy_free(p);
	if (cove_store_policy_put(st->store, type, text, signer, "admin", &version, &e)) {
		coved_reply_cove_error(rs, &e);
		free(text);
		return;
	}
	atomic_fetch_add(&st->policy_generation, 1);
	coved_log(COVED_LOG_INFO, "policy updated", json_pack("{s:s, s:I}", "type", type, "version", (json_int_t)version));
	reply_policy_token(srv, rs, text, "Updated", signer);
	free(text);
}

void coved_route_policy_reset(coved *srv, const coved_request *rq, coved_response *rs)
{
	coved_state *st = srv->ctx;
	char type[32];
	int idx = policy_from_path(rq->path, ":reset", type);
	cove_error e = {0};
	bool found = false;

	if (!coved_is_admin(srv, rq)) {
		coved_reply_error(rs, 401, "unauthorized", "policy changes need the admin bearer token");
		return;
	}
	if (idx < 0) {
		coved_reply_error(rs, 404, "not_found", "expected POST /policies/{type}:reset");
		return;
	}
	if (cove_store_policy_delete(st->store, type, "admin", &found, &e)) {
		coved_reply_cove_error(rs, &e);
		return;
	}
	atomic_fetch_add(&st->policy_generation, 1);
	coved_log(COVED_LOG_INFO, "policy reset", json_pack("{s:s, s:b}", "type", type, "had_custom", found));
	reply_policy_token(srv, rs, coved_default_policy, "Removed", NULL);
}
