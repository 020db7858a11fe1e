/*
 * Secure Key Release in Azure Key Vault's shape (shared/research/
 * attestation-services.md 2): keys stored with a release policy
 * (cove/skr_policy.h), and POST /keys/{name}/release with an attestation
 * token returning the key wrapped to the TEE key of the token's
 * x-ms-runtime.keys (RSA-OAEP-256 + AES-KWP by default, RSA_AES_KEY_WRAP_256; CKM_RSA_AES_KEY_WRAP
 * (OAEP with SHA-1, what the SKR sidecar asks for) and _384 on request), in a JWS
 * signed by coved: {"value": JWS} whose payload is
 * {"request": {...}, "response": {"key": {"key": {kid, kty, key_ops, key_hsm}}}}.
 *
 * Tokens are accepted from this instance (its own JWKS).  A key is released
 * only when the token verifies (signature, exp/nbf, iss) and the release
 * policy names the token's issuer and holds over its claims.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cove/bytes.h"
#include "cove/skr_policy.h"
#include "cove/token.h"
#include "coved_state.h"
#include "routes.h"

/* "/keys/NAME" or "/keys/NAME/release" -> NAME (1..128 of [A-Za-z0-9_-]). */
static bool key_name(const char *path, const char *suffix, char name[129])
{
	const char *p = path + strlen("/keys/");
	size_t n = strcspn(p, "/");

	if (n == 0 || n > 128 || strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") < n)
		return false;
	if (suffix ? strcmp(p + n, suffix) != 0 : p[n] != '\0')
		return false;
	memcpy(name, p, n);
	name[n] = '\0';
	return true;
}

/* The release policy as given: the object itself, or Key Vault's {"contentType", "data": base64url(policy)}. */
static cove_err release_policy_of(const json_t *v, cove_skr_policy **out, cove_error *e)
{
	const json_t *data = json_object_get(v, "data");
	cove_buf raw = {0};
	cove_err rc;

	if (json_is_string(data)) {
		if ((rc = cove_base64url_decode(json_string_value(data), json_string_length(data), &raw, e)))
			return cove_error_wrap(e, rc, "release_policy.data");
		rc = cove_skr_policy_parse((const char *)raw.data, raw.len, out, e);
		cove_buf_free(&raw);
		return rc;
	}
	return cove_skr_policy_from_json(v, out, e);
}

void coved_route_key_put(coved *srv, const coved_request *rq, coved_response *rs)
{
	coved_state *st = srv->ctx;
	char name[129];
	json_error_t je;
	json_t *body = NULL, *jwk, *pol_json;
	cove_skr_policy *pol = NULL;
	cove_buf material = {0};
	cove_error e = {0};
	const char *kty;
	char *pol_text = NULL;
	int64_t version = 0;

	if (!coved_is_admin(srv, rq)) {
		coved_reply_error(rs, 401, "unauthorized", "key uploads need the admin bearer token");
		return;
	}
	if (!key_name(rq->path, NULL, name)) {
		coved_reply_error(rs, 400, "bad_request", "key name: 1 to 128 of A-Z a-z 0-9 _ -");
		return;
	}
	body = json_loadb((const char *)rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &je);
	if (!body || !json_is_object(body)) {
		coved_reply_error(rs, 400, "bad_json", "body: %s", body ? "expected a JSON object" : je.text);
		goto out;
	}
	jwk = json_object_get(body, "key");
	pol_json = json_object_get(body, "release_policy");
	kty = json_string_value(json_object_get(jwk, "kty"));
	if (!json_is_object(jwk) || !kty) {
		coved_reply_error(rs, 400, "bad_request", "key: expected a JWK with \"kty\"");
		goto out;
	}
	if (!pol_json) {
		coved_reply_error(rs, 400, "bad_request", "release_policy: required (a key without one is never released)");
		goto out;
	}
	if (release_policy_of(pol_json, &pol, &e)) {
		coved_reply_error(rs, 400, "bad_policy", "%s", e.msg);
		goto out;
	}
	/* What release wraps: raw bytes of a symmetric key, PKCS#8 DER of an RSA or EC key. */
	if (strcmp(kty, "oct") == 0) {
		const char *k = json_string_value(json_object_get(jwk, "k"));
		if (!k || cove_base64url_decode(k, strlen(k), &material, &e) || material.len < 16 || material.len > 64) {
			coved_reply_error(rs, 400, "bad_request", "key.k: expected base64url of 16 to 64 bytes");
			goto out;
		}
	} else if (strcmp(kty, "RSA") == 0 || strcmp(kty, "EC") == 0) {
		if (cove_token_jwk_to_pkcs8(jwk, &material, &e)) {
			coved_reply_error(rs, 400, "bad_request", "key: %s", e.msg);
			goto out;
		}
	} else {
		coved_reply_error(rs, 400, "bad_request", "key.kty: expected oct, RSA or EC");
		goto out;
	}
	pol_text = json_dumps(cove_skr_policy_json(pol), JSON_COMPACT | JSON_SORT_KEYS);
	if (!pol_text || cove_store_key_put(st->store, name, kty, material.data, material.len, pol_text, "admin", &version,
					    &e)) {
		if (pol_text)
			coved_reply_cove_error(rs, &e);
		else
			coved_reply_error(rs, 500, "internal", "out of memory");
		goto out;
	}
	coved_log(COVED_LOG_INFO, "key stored", json_pack("{s:s, s:s, s:I}", "name", name, "kty", kty, "version",
							   (json_int_t)version));
	coved_reply_json(rs, 200, json_pack("{s:{s:s, s:s, s:I}, s:O}", "key", "kid", name, "kty", kty, "version",
					    (json_int_t)version, "release_policy", cove_skr_policy_json(pol)));
out:
	if (material.data)
		memset(material.data, 0, material.len);
	cove_buf_free(&material);
	free(pol_text);
	cove_skr_policy_free(pol);
	json_decref(body);
}

void coved_route_key_delete(coved *srv, const coved_request *rq, coved_response *rs)
{
	coved_state *st = srv->ctx;
	char name[129];
	bool found = false;
	cove_error e = {0};

	if (!coved_is_admin(srv, rq)) {
		coved_reply_error(rs, 401, "unauthorized", "key changes need the admin bearer token");
		return;
	}
	if (!key_name(rq->path, NULL, name)) {
		coved_reply_error(rs, 400, "bad_request", "key name: 1 to 128 of A-Z a-z 0-9 _ -");
		return;
	}
	if (cove_store_key_delete(st->store, name, "admin", &found, &e)) {
		coved_reply_cove_error(rs, &e);
		return;
	}
	if (!found)
		coved_reply_error(rs, 404, "not_found", "no key named %s", name);
	else
		coved_reply_json(rs, 200, json_pack("{s:s}", "deleted", name));
}

void coved_route_key_release(coved *srv, const coved_request *rq, coved_response *rs)
{
	coved_state *st = srv->ctx;
	char name[129], why[512], issuer[512];
	json_error_t je;
	json_t *body = NULL, *claims = NULL, *payload = NULL;
	const char *target, *enc_name;
	cove_token_verify_opts vo;
	cove_store_key key;
	bool found = false, allowed = false;
	cove_skr_policy *pol = NULL;
	const json_t *tee_jwk = NULL;
	cove_skr_enc enc = COVE_SKR_RSA_AES_KEY_WRAP_256; /* RSA-OAEP-256 unless the caller asks otherwise */
	cove_buf wrapped = {0};
	char *key_hsm = NULL, *tee_kid = NULL, *jws = NULL;
	cove_error e = {0};
	cove_token_issue_opts io = {.jku = st->jku};

	memset(&key, 0, sizeof(key));
	if (!key_name(rq->path, "/release", name)) {
		coved_reply_error(rs, 404, "not_found", "expected POST /keys/{name}/release");
		return;
	}
	body = json_loadb((const char *)rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &je);
	target = json_string_value(json_object_get(body, "target"));
	if (!body || !json_is_object(body) || !target) {
		coved_reply_error(rs, 400, "bad_json", "body: expected {\"target\": <attestation token>, \"enc\"?, \"nonce\"?}%s%s",
				  body ? "" : ": ", body ? "" : je.text);
		goto out;
	}
	enc_name = json_string_value(json_object_get(body, "enc"));
	if (enc_name && !(enc = cove_skr_enc_from_name(enc_name))) {
		coved_reply_error(rs, 400, "bad_request",
				  "enc: expected CKM_RSA_AES_KEY_WRAP, RSA_AES_KEY_WRAP_256 or RSA_AES_KEY_WRAP_384");
		goto out;
	}
	/* This instance's tokens, or those of an attestation service the operator trusts (--trusted-issuer). */
	{
		json_t *hdr = NULL, *unverified = NULL;
		const char *iss = NULL;
		const json_t *jwks = NULL;
		if (cove_token_decode(target, &hdr, &unverified, &e)) {
			coved_reply_error(rs, 401, "bad_token", "target: %s", e.msg);
			goto out;
		}
		iss = json_string_value(json_object_get(unverified, "iss"));
		if (iss && strcmp(iss, st->issuer) == 0) {
			jwks = st->jwks;
		} else {
			for (unsigned i = 0; iss && i < srv->cfg.ntrusted && !jwks; i++)
				if (strcmp(iss, srv->cfg.trusted[i].issuer) == 0)
					jwks = st->trusted_jwks[i];
		}
		if (!jwks) {
			coved_reply_error(rs, 401, "untrusted_issuer", "target: tokens of %s are not accepted here (trusted: "
								      "this instance%s)",
					  iss ? iss : "(no iss)", srv->cfg.ntrusted ? " and --trusted-issuer ones" : " only");
			json_decref(hdr);
			json_decref(unverified);
			goto out;
		}
		snprintf(issuer, sizeof(issuer), "%s", iss);
		json_decref(hdr);
		json_decref(unverified);
		memset(&vo, 0, sizeof(vo));
		vo.issuer = issuer;
		vo.leeway = 60;
		if (cove_token_verify(target, jwks, &vo, &claims, NULL, &e)) {
			coved_reply_error(rs, 401, "bad_token", "target: %s", e.msg);
			goto out;
		}
	}
	if (cove_store_key_get(st->store, name, &key, &found, &e)) {
		coved_reply_cove_error(rs, &e);
		goto out;
	}
	if (!found) {
		coved_reply_error(rs, 404, "not_found", "no key named %s", name);
		goto out;
	}
	if (cove_skr_policy_parse(key.release_policy, strlen(key.release_policy), &pol, &e) ||
	    cove_skr_policy_evaluate(pol, issuer, claims, &allowed, why, sizeof(why), &e)) {
		coved_reply_cove_error(rs, &e);
		goto out;
	}
	if (!allowed) {
		coved_reply_error(rs, 403, "policy_denied", "key %s is not released to this token: %s", name, why);
		coved_metrics_count("coved_key_releases", "denied", 1);
		goto out;
	}
	if (cove_skr_find_tee_key(claims, &tee_jwk, &e) || cove_token_jwk_thumbprint(tee_jwk, &tee_kid, &e) ||
	    cove_skr_wrap(tee_jwk, enc, key.material.data, key.material.len, &wrapped, &e) ||
	    cove_skr_key_hsm(json_string_value(json_object_get(tee_jwk, "kid")) ? json_string_value(json_object_get(tee_jwk, "kid"))
									     : tee_kid,
			     enc, &wrapped, &key_hsm, &e)) {
		coved_reply_error(rs, 400, "no_tee_key", "%s", e.msg);
		goto out;
	}
	payload = json_pack("{s:{s:s?, s:s, s:s}, s:{s:{s:{s:s, s:s, s:[s], s:s}, s:{s:b}, s:O}}}", "request",
			    "api-version", rq->api_version, "enc", cove_skr_enc_name(enc), "kid", name, "response", "key",
			    "key", "kid", name, "kty", key.key_type, "key_ops", "unwrapKey", "key_hsm", key_hsm, "attributes",
			    "exportable", 1, "release_policy", cove_skr_policy_json(pol));
	if (payload)
		json_object_set_new(payload, "iss", json_string(st->issuer)); /* who released it; AKV's has no iss */
	if (!payload || cove_token_issue(st->key, payload, &io, &jws, &e)) {
		coved_reply_error(rs, 500, "internal", "%s", payload ? e.msg : "out of memory");
		goto out;
	}
	coved_log(COVED_LOG_INFO, "key released", json_pack("{s:s, s:s, s:s}", "name", name, "enc", cove_skr_enc_name(enc),
							     "tee_kid", tee_kid));
	coved_metrics_count("coved_key_releases", "released", 1);
	coved_reply_json(rs, 200, json_pack("{s:s}", "value", jws));
out:
	free(jws);
	free(key_hsm);
	free(tee_kid);
	cove_buf_free(&wrapped);
	cove_skr_policy_free(pol);
	cove_store_key_free(&key);
	json_decref(payload);
	json_decref(claims);
	json_decref(body);
}
