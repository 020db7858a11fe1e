/*
 * JSON Web Tokens (RFC 7519) as compact JWS (RFC 7515 section 7.1): issuing
 * in MAA's shape and verifying fail-closed (RFC 8725, "JWT Best Current
 * Practices": the algorithm comes from the caller's list, never from the
 * token alone; the key's type must fit it; exp and nbf are enforced).
 *
 * libjose computes and checks the signatures.  Everything around them is
 * checked here first, including that the header's alg equals the key's:
 * libjose 11 compares the two with `strcmp(...) < 0` and so lets half of all
 * mismatches through (jose_jws_ver_io in lib/jws.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "cove/bytes.h"
#include "cove/crypto.h"
#include "token/internal.h"

/* ---- shared parsing ---- */

typedef struct compact {
	const char *seg[3];
	size_t len[3];
	json_t *header;
	json_t *claims;
} compact;

static void compact_clear(compact *c)
{
	json_decref(c->header);
	json_decref(c->claims);
	c->header = c->claims = NULL;
}

static cove_err parse_json_segment(const char *seg, size_t len, const char *what, json_t **out, cove_error *e)
{
	cove_buf b = {0};
	cove_err rc = cove_token_b64url_decode(seg, len, what, &b, e);
	if (rc)
		return rc;
	json_error_t je;
	/* Duplicate members would let two readers see different claims. */
	json_t *v = json_loadb((const char *)b.data, b.len, JSON_REJECT_DUPLICATES, &je);
	cove_buf_free(&b);
	if (!v)
		return cove_error_set(e, COVE_ERR_PARSE, "%s is not valid JSON: %s (line %d, column %d)", what, je.text,
				      je.line, je.column);
	if (!json_is_object(v)) {
		json_decref(v);
		return cove_error_set(e, COVE_ERR_PARSE, "%s is not a JSON object", what);
	}
	*out = v;
	return COVE_OK;
}

static cove_err split(const char *jwt, compact *c, cove_error *e)
{
	memset(c, 0, sizeof(*c));
	if (!jwt)
		return cove_error_set(e, COVE_ERR_ARG, "no token given");
	size_t n = strnlen(jwt, COVE_TOKEN_MAX_LEN + 1);
	if (n > COVE_TOKEN_MAX_LEN)
		return cove_error_set(e, COVE_ERR_PARSE, "token longer than %d bytes", COVE_TOKEN_MAX_LEN);
	if (!n)
		return cove_error_set(e, COVE_ERR_PARSE, "token is empty");
	const char *p = jwt;
	for (int i = 0; i < 3; i++) {
		const char *dot = memchr(p, '.', n - (size_t)(p - jwt));
		if (i < 2 && !dot)
			return cove_error_set(e, COVE_ERR_PARSE,
					      "token has %d part%s; a compact JWS has 3 separated by '.'", i + 1,
					      i ? "s" : "");
		if (i == 2 && dot)
			return cove_error_set(e, COVE_ERR_PARSE,
					      "token has more than 3 parts (a JWE or a malformed JWS?)");
		c->seg[i] = p;
		c->len[i] = i < 2 ? (size_t)(dot - p) : n - (size_t)(p - jwt);
		if (i < 2)
			p = dot + 1;
	}
	cove_err rc = parse_json_segment(c->seg[0], c->len[0], "token header", &c->header, e);
	if (!rc)
		rc = parse_json_segment(c->seg[1], c->len[1], "token payload", &c->claims, e);
	if (rc)
		compact_clear(c);
	return rc;
}

cove_err cove_token_decode(const char *jwt, json_t **header, json_t **claims, cove_error *e)
{
	compact c;
	cove_err rc = split(jwt, &c, e);
	if (rc)
		return rc;
	if (header)
		*header = json_incref(c.header);
	if (claims)
		*claims = json_incref(c.claims);
	compact_clear(&c);
	return COVE_OK;
}

/* ---- issuing ---- */

static char *b64url_json(const json_t *v)
{
	char *text = json_dumps(v, JSON_SORT_KEYS | JSON_COMPACT);
	if (!text)
		return NULL;
	char *b64 = cove_base64url_new(text, strlen(text));
	free(text);
	return b64;
}

/* base64url(signature of "h.p") for `alg` with the key's cached OpenSSL key. */
static cove_err sign_input(const cove_token_key *key, cove_token_alg alg, const char *h, const char *p, char **out,
			   cove_error *e)
{
	EVP_PKEY *pk = cove_token_key_signing_pkey(key);
	EVP_MD_CTX *ctx = NULL;
	unsigned char *sig = NULL, raw[132];
	size_t siglen = 0, hl = strlen(h), pl = strlen(p), n;
	char *input = NULL;
	ECDSA_SIG *es = NULL;
	cove_err rc = COVE_OK;

	*out = NULL;
	n = (alg & COVE_TOKEN_ES256) ? 32 : (alg & COVE_TOKEN_ES384) ? 48 : 66; /* ES coordinate size */
	input = malloc(hl + pl + 2);
	ctx = EVP_MD_CTX_new();
	if (!pk || !input || !ctx) {
		rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory signing the token");
		goto out;
	}
	memcpy(input, h, hl);
	input[hl] = '.';
	memcpy(input + hl + 1, p, pl + 1);
	if (EVP_MD_CTX_copy_ex(ctx, cove_token_key_sign_template(key)) != 1 ||
	    EVP_DigestSign(ctx, NULL, &siglen, (const unsigned char *)input, hl + pl + 1) != 1 ||
	    !(sig = OPENSSL_malloc(siglen)) ||
	    EVP_DigestSign(ctx, sig, &siglen, (const unsigned char *)input, hl + pl + 1) != 1) {
		rc = cove_error_set(e, COVE_ERR_CRYPTO, "signing the token with %s failed", cove_token_alg_name(alg));
		goto out;
	}
	if (alg & (COVE_TOKEN_ES256 | COVE_TOKEN_ES384 | COVE_TOKEN_ES512)) {
		/* DER ECDSA-Sig-Value -> the fixed-size r || s of JWS (RFC 7518 3.4). */
		const unsigned char *q = sig;
		const BIGNUM *r, *s;
		es = d2i_ECDSA_SIG(NULL, &q, (long)siglen);
		if (!es) {
			rc = cove_error_set(e, COVE_ERR_CRYPTO, "ECDSA signature is not DER");
			goto out;
		}
		ECDSA_SIG_get0(es, &r, &s);
		if (BN_bn2binpad(r, raw, (int)n) != (int)n || BN_bn2binpad(s, raw + n, (int)n) != (int)n) {
			rc = cove_error_set(e, COVE_ERR_CRYPTO, "ECDSA signature too long");
			goto out;
		}
		*out = cove_base64url_new(raw, 2 * n);
	} else {
		*out = cove_base64url_new(sig, siglen);
	}
	if (!*out)
		rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
out:
	ECDSA_SIG_free(es);
	OPENSSL_free(sig);
	EVP_MD_CTX_free(ctx);
	free(input);
	return rc;
}

cove_err cove_token_issue(const cove_token_key *key, const json_t *claims, const cove_token_issue_opts *opts,
			  char **jwt, cove_error *e)
{
	cove_token_issue_opts none = {0};
	json_t *body = NULL, *hdr = NULL;
	char *hdr64 = NULL, *body64 = NULL, *sig64 = NULL;
	cove_err rc = COVE_OK;

	if (!opts)
		opts = &none;
	if (!key || !jwt)
		return cove_error_set(e, COVE_ERR_ARG, "no signing key or output given");
	if (!json_is_object(claims))
		return cove_error_set(e, COVE_ERR_ARG, "claims must be a JSON object");
	if (opts->lifetime < 0)
		return cove_error_set(e, COVE_ERR_ARG, "negative token lifetime %lld", (long long)opts->lifetime);
	int64_t now = opts->now ? opts->now : cove_time_now();
	int64_t life = opts->lifetime ? opts->lifetime : COVE_TOKEN_LIFETIME_DEFAULT;
	const char *alg = cove_token_alg_name(cove_token_key_alg(key));

	body = json_deep_copy(claims);
	hdr = json_pack("{s:s,s:s,s:s}", "alg", alg, "kid", cove_token_key_kid(key), "typ", "JWT");
	if (!body || !hdr || (opts->jku && json_object_set_new(hdr, "jku", json_string(opts->jku))) ||
	    (!json_object_get(body, "iat") && json_object_set_new(body, "iat", json_integer(now))) ||
	    (!json_object_get(body, "nbf") && json_object_set_new(body, "nbf", json_integer(now))) ||
	    (!json_object_get(body, "exp") && json_object_set_new(body, "exp", json_integer(now + life)))) {
		rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory building the token");
		goto out;
	}
	hdr64 = b64url_json(hdr);
	body64 = b64url_json(body);
	if (!hdr64 || !body64) {
		rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory encoding the token");
		goto out;
	}
	/*
	 * The signature over "header.payload" (RFC 7515 5.1) with the key imported
	 * once.  libjose's jose_jws_sig re-imports the JWK into OpenSSL on every
	 * call (0.62 ms for RSA-2048 against 0.24 ms with a kept key, most of it
	 * RSA blinding set-up; bench/bench_coved.c), which an attestation service
	 * pays per token.  The bytes are the JWS ones: PKCS#1 v1.5 or PSS for RS/PS,
	 * raw r || s for ES (RFC 7518 3.3-3.5); tests verify them with libjose and
	 * with npm jose.
	 */
	if ((rc = sign_input(key, cove_token_key_alg(key), hdr64, body64, &sig64, e)))
		goto out;
	const char *s = sig64;
	size_t total = strlen(hdr64) + strlen(body64) + strlen(s) + 3;
	*jwt = malloc(total);
	if (!*jwt) {
		rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
		goto out;
	}
	snprintf(*jwt, total, "%s.%s.%s", hdr64, body64, s);
out:
	json_decref(body);
	json_decref(hdr);
	free(sig64);
	free(hdr64);
	free(body64);
	return rc;
}

/* ---- verifying ---- */

void cove_token_verify_result_clear(cove_token_verify_result *r)
{
	if (!r)
		return;
	json_decref(r->header);
	json_decref(r->key);
	memset(r, 0, sizeof(*r));
}

static bool alg_is_rsa(cove_token_alg a)
{
	return a & (COVE_TOKEN_RS256 | COVE_TOKEN_RS384 | COVE_TOKEN_RS512 | COVE_TOKEN_PS256 | COVE_TOKEN_PS384 |
		    COVE_TOKEN_PS512);
}

static const char *alg_curve(cove_token_alg a)
{
	return a == COVE_TOKEN_ES256 ? "P-256" : a == COVE_TOKEN_ES384 ? "P-384" : a == COVE_TOKEN_ES512 ? "P-521" : NULL;
}

/* Bytes of R||S for an ES* algorithm (RFC 7518 section 3.4). */
static size_t es_sig_len(cove_token_alg a)
{
	return a == COVE_TOKEN_ES256 ? 64 : a == COVE_TOKEN_ES384 ? 96 : 132;
}

/*
 * Check that `jwk` may verify `alg` and return the public key libjose gets:
 * only the key members, plus "alg" set to the algorithm being verified.
 */
static cove_err key_for_alg(const json_t *jwk, cove_token_alg alg, const char *what, json_t **out, cove_error *e)
{
	const char *name = cove_token_alg_name(alg);
	json_t *pub = NULL;
	cove_err rc = cove_token_jwk_public_copy(jwk, what, &pub, e);
	if (rc)
		return rc;
	const char *kty = json_string_value(json_object_get(pub, "kty"));
	const char *crv = json_string_value(json_object_get(pub, "crv"));
	if (alg_is_rsa(alg) ? strcmp(kty, "RSA") != 0 : (strcmp(kty, "EC") != 0 || strcmp(crv, alg_curve(alg)) != 0)) {
		rc = cove_error_set(e, COVE_ERR_VERIFY, "token alg %s does not fit %s (%s%s%s)", name, what, kty,
				    crv ? " " : "", crv ? crv : "");
		goto out;
	}
	json_t *kalg = json_object_get(jwk, "alg");
	if (kalg && (!json_is_string(kalg) || strcmp(json_string_value(kalg), name) != 0)) {
		rc = cove_error_set(e, COVE_ERR_VERIFY, "token alg %s differs from %s's alg %s", name, what,
				    json_is_string(kalg) ? json_string_value(kalg) : "(not a string)");
		goto out;
	}
	json_t *use = json_object_get(jwk, "use");
	if (use && (!json_is_string(use) || strcmp(json_string_value(use), "sig") != 0)) {
		rc = cove_error_set(e, COVE_ERR_VERIFY, "%s is not for signatures (\"use\" is not \"sig\")", what);
		goto out;
	}
	json_t *ops = json_object_get(jwk, "key_ops");
	if (ops) {
		bool ok = false;
		size_t i;
		json_t *op;
		json_array_foreach(ops, i, op)
			ok |= json_is_string(op) && !strcmp(json_string_value(op), "verify");
		if (!ok) {
			rc = cove_error_set(e, COVE_ERR_VERIFY, "%s's key_ops do not include \"verify\"", what);
			goto out;
		}
	}
	if (json_object_set_new(pub, "alg", json_string(name))) {
		rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
		goto out;
	}
	*out = pub;
	pub = NULL;
out:
	json_decref(pub);
	return rc;
}

/* Verify the signature of `c` with public JWK `pub` (from key_for_alg). */
static cove_err check_signature(const compact *c, cove_token_alg alg, const json_t *pub, const char *what,
				cove_error *e)
{
	cove_buf sig = {0};
	cove_jose j = {0};
	json_t *jws = NULL;
	cove_err rc = cove_token_b64url_decode(c->seg[2], c->len[2], "token signature", &sig, e);
	if (rc)
		return rc;
	if (alg_is_rsa(alg) ? sig.len != cove_token_jwk_rsa_bits(pub) / 8 : sig.len != es_sig_len(alg)) {
		rc = cove_error_set(e, COVE_ERR_VERIFY, "%s signature is %zu bytes, %s needs %zu",
				    cove_token_alg_name(alg), sig.len, what,
				    alg_is_rsa(alg) ? cove_token_jwk_rsa_bits(pub) / 8 : es_sig_len(alg));
		goto out;
	}
	jws = json_pack("{s:s%,s:s%,s:s%}", "protected", c->seg[0], c->len[0], "payload", c->seg[1], c->len[1],
			"signature", c->seg[2], c->len[2]);
	if (!jws) {
		rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = cove_jose_init(&j, e)))
		goto out;
	if (!jose_jws_ver(j.cfg, jws, NULL, pub, true)) {
		/* libjose reports no reason for a plain mismatch. */
		rc = cove_error_set(e, COVE_ERR_VERIFY, "%s signature does not verify with %s%s%s",
				    cove_token_alg_name(alg), what, j.msg[0] ? ": " : "", j.msg);
		goto out;
	}
out:
	cove_jose_fini(&j);
	json_decref(jws);
	cove_buf_free(&sig);
	return rc;
}

/* A NumericDate claim (RFC 7519 section 2): *present false when absent. */
static cove_err numeric_date(const json_t *claims, const char *name, int64_t *out, bool *present, cove_error *e)
{
	json_t *v = json_object_get(claims, name);
	*present = v != NULL;
	if (!v)
		return COVE_OK;
	if (json_is_integer(v)) {
		*out = (int64_t)json_integer_value(v);
		return COVE_OK;
	}
	if (json_is_real(v) && json_real_value(v) > -9.2e18 && json_real_value(v) < 9.2e18) {
		*out = (int64_t)json_real_value(v); /* fractions allowed by RFC 7519; whole seconds suffice */
		return COVE_OK;
	}
	return cove_error_set(e, COVE_ERR_PARSE, "claim \"%s\" is not a NumericDate", name);
}

static cove_err check_claims(const json_t *claims, const cove_token_verify_opts *o, cove_error *e)
{
	int64_t now = o->now ? o->now : cove_time_now();
	/* A day of skew is already generous; bounding it keeps the arithmetic below exact. */
	int64_t leeway = o->leeway > 0 ? (o->leeway < 86400 ? o->leeway : 86400) : 0;
	int64_t exp = 0, nbf = 0, iat = 0;
	bool has_exp, has_nbf, has_iat;
	char t1[32], t2[32];
	cove_err rc;
	if ((rc = numeric_date(claims, "exp", &exp, &has_exp, e)) || (rc = numeric_date(claims, "nbf", &nbf, &has_nbf, e)) ||
	    (rc = numeric_date(claims, "iat", &iat, &has_iat, e)))
		return rc;
	if (!has_exp && !o->allow_missing_exp)
		return cove_error_set(e, COVE_ERR_POLICY, "token has no exp claim");
	/* RFC 7519 4.1.4: the current time must be before exp (now and leeway are sane, so no overflow). */
	if (has_exp && now - leeway >= exp) {
		cove_time_format(exp, t1);
		cove_time_format(now, t2);
		return cove_error_set(e, COVE_ERR_POLICY, "token expired at %s (exp %lld); now is %s", t1, (long long)exp,
				      t2);
	}
	if (has_nbf && now + leeway < nbf) {
		cove_time_format(nbf, t1);
		cove_time_format(now, t2);
		return cove_error_set(e, COVE_ERR_POLICY, "token not valid before %s (nbf %lld); now is %s", t1,
				      (long long)nbf, t2);
	}
	if (o->issuer) {
		json_t *iss = json_object_get(claims, "iss");
		if (!json_is_string(iss))
			return cove_error_set(e, COVE_ERR_POLICY, "token has no iss claim; \"%s\" is required", o->issuer);
		if (strcmp(json_string_value(iss), o->issuer) != 0)
			return cove_error_set(e, COVE_ERR_POLICY, "token issuer \"%s\" is not the expected \"%s\"",
					      json_string_value(iss), o->issuer);
	}
	return COVE_OK;
}

/* Key from an x5c header chained to the caller's anchor. */
static cove_err key_from_x5c(const json_t *x5c, const cove_token_verify_opts *o, json_t **jwk, cove_error *e)
{
	cove_x509_list certs = {0};
	cove_err rc = COVE_OK;
	if (!json_is_array(x5c) || !json_array_size(x5c))
		return cove_error_set(e, COVE_ERR_PARSE, "token header x5c is not a non-empty array");
	size_t i;
	json_t *v;
	json_array_foreach(x5c, i, v) {
		cove_buf der = {0};
		cove_x509 *c = NULL;
		if (!json_is_string(v)) {
			rc = cove_error_set(e, COVE_ERR_PARSE, "token header x5c[%zu] is not a string", i);
			goto out;
		}
		if ((rc = cove_base64_decode(json_string_value(v), json_string_length(v), &der, e)) ||
		    (rc = cove_x509_parse(der.data, der.len, &c, e))) {
			cove_buf_free(&der);
			cove_error_wrap(e, rc, "token header x5c[%zu]", i);
			goto out;
		}
		cove_buf_free(&der);
		rc = cove_x509_list_add(&certs, c, e);
		cove_x509_free(c);
		if (rc)
			goto out;
	}
	cove_x509_list rest = {certs.certs + 1, certs.count - 1};
	if ((rc = cove_x509_verify_path(certs.certs[0], &rest, o->x5c_anchor, o->now ? o->now : cove_time_now(), NULL,
					e))) {
		cove_error_wrap(e, rc, "token header x5c does not chain to the trust anchor");
		goto out;
	}
	rc = cove_token_jwk_from_pkey(cove_x509_pubkey(certs.certs[0]), false, jwk, e);
out:
	cove_x509_list_free(&certs);
	return rc;
}

cove_err cove_token_verify(const char *jwt, const json_t *jwks, const cove_token_verify_opts *opts, json_t **claims,
			   cove_token_verify_result *result, cove_error *e)
{
	cove_token_verify_opts none = {0};
	compact c;
	json_t *cand = NULL, *used = NULL;
	cove_token_key_source source = 0;
	char what[160];
	cove_err rc;

	if (!opts)
		opts = &none;
	if ((rc = split(jwt, &c, e)))
		return rc;

	/* Algorithm: from the caller's list; none and unknown ones refused outright. */
	json_t *jalg = json_object_get(c.header, "alg");
	if (!json_is_string(jalg)) {
		rc = cove_error_set(e, COVE_ERR_PARSE, "token header has no \"alg\" string");
		goto out;
	}
	const char *algname = json_string_value(jalg);
	if (!strcmp(algname, "none")) {
		rc = cove_error_set(e, COVE_ERR_VERIFY, "token is unsigned (\"alg\":\"none\"); refused");
		goto out;
	}
	cove_token_alg alg = cove_token_alg_from_name(algname);
	unsigned allowed = opts->algs ? opts->algs : COVE_TOKEN_ALGS_DEFAULT;
	if (!alg) {
		rc = cove_error_set(e, COVE_ERR_UNSUPPORTED, "token algorithm \"%s\" is not supported", algname);
		goto out;
	}
	if (!(alg & allowed)) {
		rc = cove_error_set(e, COVE_ERR_VERIFY, "token algorithm %s is not among the accepted ones", algname);
		goto out;
	}
	/* RFC 7515 4.1.11: extensions we do not implement must make the token invalid. */
	if (json_object_get(c.header, "crit")) {
		rc = cove_error_set(e, COVE_ERR_UNSUPPORTED, "token header has \"crit\" extensions, which are not supported");
		goto out;
	}
	json_t *kid = json_object_get(c.header, "kid");
	if (kid && !json_is_string(kid)) {
		rc = cove_error_set(e, COVE_ERR_PARSE, "token header kid is not a string");
		goto out;
	}

	/* Key: x5c to the caller's anchor, else an embedded key if allowed, else the JWKS. */
	json_t *x5c = json_object_get(c.header, "x5c");
	json_t *hjwk = json_object_get(c.header, "jwk");
	json_t *cjwk = json_object_get(c.claims, "jwk");
	if (opts->x5c_anchor && x5c) {
		json_t *k = NULL;
		if ((rc = key_from_x5c(x5c, opts, &k, e)))
			goto out;
		snprintf(what, sizeof(what), "the x5c leaf key");
		rc = key_for_alg(k, alg, what, &cand, e);
		json_decref(k);
		if (rc || (rc = check_signature(&c, alg, cand, what, e)))
			goto out;
		used = cand;
		cand = NULL;
		source = COVE_TOKEN_KEY_X5C;
	} else if (opts->allow_embedded_jwk && (hjwk || cjwk)) {
		snprintf(what, sizeof(what), "the token's own %s jwk", hjwk ? "header" : "claim");
		if ((rc = key_for_alg(hjwk ? hjwk : cjwk, alg, what, &cand, e)) ||
		    (rc = check_signature(&c, alg, cand, what, e)))
			goto out;
		used = cand;
		cand = NULL;
		source = hjwk ? COVE_TOKEN_KEY_HEADER_JWK : COVE_TOKEN_KEY_CLAIM_JWK;
	} else {
		json_t *keys = json_object_get(jwks, "keys");
		if (!jwks) {
			rc = cove_error_set(e, COVE_ERR_ARG, "no JWKS to verify the token against%s",
					    x5c ? " (it carries x5c, but no trust anchor was given)"
					    : hjwk || cjwk ? " (it carries its own jwk, which was not allowed)" : "");
			goto out;
		}
		if (!json_is_array(keys)) {
			rc = cove_error_set(e, COVE_ERR_ARG, "JWKS has no \"keys\" array");
			goto out;
		}
		size_t i, tried = 0;
		json_t *k;
		cove_error first = {0};
		json_array_foreach(keys, i, k) {
			json_t *kk = json_object_get(k, "kid");
			if (kid && !(json_is_string(kk) && !strcmp(json_string_value(kk), json_string_value(kid))))
				continue;
			snprintf(what, sizeof(what), "JWKS key %zu%s%.64s%s", i, json_is_string(kk) ? " (kid " : "",
				 json_is_string(kk) ? json_string_value(kk) : "", json_is_string(kk) ? ")" : "");
			cove_error one = {0};
			json_decref(cand);
			cand = NULL;
			cove_err r1 = key_for_alg(k, alg, what, &cand, &one);
			if (!r1)
				r1 = check_signature(&c, alg, cand, what, &one);
			if (!r1) {
				used = cand;
				cand = NULL;
				break;
			}
			if (!tried++)
				first = one;
			/* With a kid the match is unique: its failure is the answer. */
			if (kid)
				break;
		}
		if (!used) {
			if (!tried)
				rc = kid ? cove_error_set(e, COVE_ERR_VERIFY, "token kid \"%.128s\" is not in the JWKS",
							  json_string_value(kid))
					 : cove_error_set(e, COVE_ERR_VERIFY, "JWKS has no keys");
			else if (tried == 1)
				rc = cove_error_set(e, first.code, "%s", first.msg);
			else
				rc = cove_error_set(e, COVE_ERR_VERIFY,
						    "token (no kid) verifies with none of the %zu JWKS keys; first: %s",
						    tried, first.msg);
			goto out;
		}
		source = COVE_TOKEN_KEY_JWKS;
	}

	if ((rc = check_claims(c.claims, opts, e)))
		goto out;
	if (claims)
		*claims = json_incref(c.claims);
	if (result) {
		memset(result, 0, sizeof(*result));
		result->alg = alg;
		result->source = source;
		result->header = json_incref(c.header);
		result->key = json_incref(used);
	}
out:
	json_decref(cand);
	json_decref(used);
	compact_clear(&c);
	return rc;
}
