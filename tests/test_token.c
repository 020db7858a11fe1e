/*
 * Tests of the token module (include/cove/token.h): issuing and verifying
 * JWTs, signing keys and JWKS, RFC 5649 key wrap, Secure Key Release
 * wrapping and KBS JWE.  Real material from shared/vectors/coco (MANIFEST.md
 * there): the legacy CoCo AS token (verifies with its own jwk at
 * 2023-12-04T06:53:00Z), Trustee's JWKS fixture, a real MAA token whose key
 * is unpublished (must fail closed) and a signed MAA policy-signer JWT
 * (RS256 with x5c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jose/jose.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "cove/token.h"
#include "support/expect.h"
#include "support/scratch.h"
#include "testutil.h"

#define COCO_TOKEN "vectors/coco/kbs/tokens/coco-as-legacy-simple-token.rs384.jwt"
#define COCO_PIN 1701672780 /* 2023-12-04T06:53:00Z */
#define COCO_EXP 1701672965 /* the token's exp */
#define MAA_TOKEN "vectors/coco/maa/tokens/sevsnpvm-token.sharedweu-test.jwt"
#define MAA_PIN 1744092000 /* 2025-04-08T06:00:00Z */
#define T0 1750000000

/* Read a shared text file, without trailing white space, as a string. */
static char *read_text(const char *rel)
{
	cove_buf b = {0};
	cove_test_read_shared(rel, &b);
	char *s = malloc(b.len + 1);
	assert_non_null(s);
	memcpy(s, b.data, b.len);
	s[b.len] = '\0';
	while (b.len && (s[b.len - 1] == '\n' || s[b.len - 1] == '\r' || s[b.len - 1] == ' '))
		s[--b.len] = '\0';
	cove_buf_free(&b);
	return s;
}

/* The same with all white space removed (documentation pages wrap long tokens). */
static char *read_token_text(const char *rel)
{
	char *s = read_text(rel), *w = s;
	for (char *r = s; *r; r++)
		if (*r != ' ' && *r != '\n' && *r != '\r' && *r != '\t')
			*w++ = *r;
	*w = '\0';
	return s;
}

static cove_token_key *gen(cove_token_alg alg, unsigned bits)
{
	cove_token_key *k = NULL;
	cove_error e = {0};
	if (cove_token_key_generate(alg, bits, &k, &e) != COVE_OK)
		fail_msg("generate %s: %s", cove_token_alg_name(alg), e.msg);
	return k;
}

static json_t *jwks_of(cove_token_key *k)
{
	json_t *j = NULL;
	cove_error e = {0};
	if (cove_token_jwks_new(&k, 1, &j, &e) != COVE_OK)
		fail_msg("jwks: %s", e.msg);
	return j;
}

static char *issue_at(cove_token_key *k, int64_t now, int64_t life)
{
	json_t *claims = json_pack("{s:s,s:s,s:{s:i}}", "iss", "https://cove.test", "x-ms-attestation-type", "sevsnpvm",
				   "x-ms-runtime", "n", 1);
	cove_token_issue_opts o = {.jku = "https://cove.test/certs", .now = now, .lifetime = life};
	char *jwt = NULL;
	cove_error e = {0};
	if (cove_token_issue(k, claims, &o, &jwt, &e) != COVE_OK)
		fail_msg("issue: %s", e.msg);
	json_decref(claims);
	return jwt;
}

static cove_err verify_at(const char *jwt, const json_t *jwks, int64_t now, json_t **claims, cove_error *e)
{
	cove_token_verify_opts o = {.now = now};
	return cove_token_verify(jwt, jwks, &o, claims, NULL, e);
}

/* ---- issue / verify ---- */

static void roundtrip(cove_token_alg alg, unsigned bits)
{
	cove_token_key *k = gen(alg, bits);
	json_t *jwks = jwks_of(k);
	char *jwt = issue_at(k, T0, 0);
	json_t *claims = NULL, *hdr = NULL;
	cove_token_verify_result r = {0};
	cove_error e = {0};
	cove_token_verify_opts o = {.now = T0 + 60, .issuer = "https://cove.test", .algs = alg};
	if (cove_token_verify(jwt, jwks, &o, &claims, &r, &e) != COVE_OK)
		fail_msg("%s verify: %s", cove_token_alg_name(alg), e.msg);
	assert_int_equal(r.alg, alg);
	assert_int_equal(r.source, COVE_TOKEN_KEY_JWKS);
	/* MAA's lifetime: nbf = iat, exp = iat + 8 h. */
	assert_int_equal(json_integer_value(json_object_get(claims, "iat")), T0);
	assert_int_equal(json_integer_value(json_object_get(claims, "nbf")), T0);
	assert_int_equal(json_integer_value(json_object_get(claims, "exp")), T0 + 8 * 3600);
	assert_string_equal(json_string_value(json_object_get(claims, "x-ms-attestation-type")), "sevsnpvm");
	/* Header exactly {alg, jku, kid, typ}. */
	assert_int_equal(cove_token_decode(jwt, &hdr, NULL, &e), COVE_OK);
	assert_int_equal(json_object_size(hdr), 4);
	assert_string_equal(json_string_value(json_object_get(hdr, "alg")), cove_token_alg_name(alg));
	assert_string_equal(json_string_value(json_object_get(hdr, "kid")), cove_token_key_kid(k));
	assert_string_equal(json_string_value(json_object_get(hdr, "jku")), "https://cove.test/certs");
	assert_string_equal(json_string_value(json_object_get(hdr, "typ")), "JWT");
	/* Compact form: three base64url parts, no padding. */
	assert_null(strchr(jwt, '='));
	assert_null(strchr(jwt, '+'));
	assert_null(strchr(jwt, '/'));
	/* Deterministic: the same input signs the same header.payload (ECDSA/RSA signatures aside). */
	char *again = issue_at(k, T0, 0);
	size_t hp = (size_t)(strrchr(jwt, '.') - jwt);
	assert_int_equal(strncmp(jwt, again, hp + 1), 0);
	/* Issuer mismatch is refused. */
	o.issuer = "https://other.test";
	assert_int_equal(cove_token_verify(jwt, jwks, &o, NULL, NULL, &e), COVE_ERR_POLICY);
	cove_test_expect_msg(&e, "issuer");
	free(again);
	json_decref(hdr);
	json_decref(claims);
	cove_token_verify_result_clear(&r);
	free(jwt);
	json_decref(jwks);
	cove_token_key_free(k);
}

static void test_roundtrip_rs256(void **state)
{
	(void)state;
	roundtrip(COVE_TOKEN_RS256, 2048);
	roundtrip(COVE_TOKEN_RS256, 3072);
}

static void test_roundtrip_es256(void **state)
{
	(void)state;
	roundtrip(COVE_TOKEN_ES256, 0);
}

static void test_roundtrip_es384(void **state)
{
	(void)state;
	roundtrip(COVE_TOKEN_ES384, 0);
}

/* The other algorithms a verifier may be told to accept. */
static void test_roundtrip_others(void **state)
{
	(void)state;
	roundtrip(COVE_TOKEN_RS384, 0);
	roundtrip(COVE_TOKEN_PS256, 0);
	roundtrip(COVE_TOKEN_ES512, 0);
}

/* Every byte of the first 200 and the last 100 changed, two ways each: all must fail. */
static void flips(cove_token_alg alg)
{
	cove_token_key *k = gen(alg, 0);
	json_t *jwks = jwks_of(k);
	char *jwt = issue_at(k, T0, 0);
	size_t n = strlen(jwt);
	char *m = strdup(jwt);
	int checked = 0;
	assert_int_equal(verify_at(jwt, jwks, T0, NULL, NULL), COVE_OK);
	for (size_t i = 0; i < n; i++) {
		if (i >= 200 && i + 100 < n)
			continue;
		for (int way = 0; way < 2; way++) {
			strcpy(m, jwt);
			/* way 0: a bit flip (may leave the alphabet); way 1: another base64url letter. */
			m[i] = way == 0 ? (char)(jwt[i] ^ 0x01) : (jwt[i] == 'A' ? 'B' : 'A');
			if (m[i] == '\0')
				m[i] = 'x';
			cove_error e = {0};
			if (verify_at(m, jwks, T0, NULL, &e) == COVE_OK)
				fail_msg("%s: token with byte %zu changed from '%c' to '%c' verified", cove_token_alg_name(alg),
					 i, jwt[i], m[i]);
			checked++;
		}
	}
	assert_true(checked >= 2 * 300 || checked == 2 * (int)n);
	free(m);
	free(jwt);
	json_decref(jwks);
	cove_token_key_free(k);
}

static void test_flips(void **state)
{
	(void)state;
	flips(COVE_TOKEN_ES256);
	flips(COVE_TOKEN_RS256);
	flips(COVE_TOKEN_ES384);
}

/* A token from parts: header and payload JSON text, signature text. */
static char *forge(const char *hdr, const char *payload, const char *sig)
{
	char *h = cove_base64url_new(hdr, strlen(hdr));
	char *p = cove_base64url_new(payload, strlen(payload));
	size_t n = strlen(h) + strlen(p) + strlen(sig) + 3;
	char *t = malloc(n);
	snprintf(t, n, "%s.%s.%s", h, p, sig);
	free(h);
	free(p);
	return t;
}

static void test_refusals(void **state)
{
	(void)state;
	cove_token_key *k = gen(COVE_TOKEN_ES256, 0);
	cove_token_key *other = gen(COVE_TOKEN_ES256, 0);
	cove_token_key *rsa = gen(COVE_TOKEN_RS256, 0);
	json_t *jwks = jwks_of(k);
	char *jwt = issue_at(k, T0, 0);
	cove_error e = {0};
	char body[128];
	snprintf(body, sizeof(body), "{\"iss\":\"x\",\"exp\":%d}", T0 + 100);

	/* alg none, with and without a signature; also when embedded keys are allowed. */
	char *t = forge("{\"alg\":\"none\",\"typ\":\"JWT\"}", body, "");
	assert_int_equal(verify_at(t, jwks, T0, NULL, &e), COVE_ERR_VERIFY);
	cove_test_expect_msg(&e, "\"alg\":\"none\"");
	cove_token_verify_opts emb = {.now = T0, .allow_embedded_jwk = true, .algs = ~0u};
	assert_int_equal(cove_token_verify(t, jwks, &emb, NULL, NULL, &e), COVE_ERR_VERIFY);
	free(t);
	t = forge("{\"alg\":\"None\"}", body, "AAAA");
	assert_int_not_equal(verify_at(t, jwks, T0, NULL, &e), COVE_OK);
	free(t);

	/* HS256 with the public key as a MAC key (the classic confusion) is not even an algorithm here. */
	char hdr[256];
	snprintf(hdr, sizeof(hdr), "{\"alg\":\"HS256\",\"kid\":\"%s\"}", cove_token_key_kid(k));
	t = forge(hdr, body, "AAAA");
	assert_int_equal(verify_at(t, jwks, T0, NULL, &e), COVE_ERR_UNSUPPORTED);
	cove_test_expect_msg(&e, "\"HS256\" is not supported");
	free(t);

	/* A known algorithm outside the caller's list. */
	cove_token_verify_opts only384 = {.now = T0, .algs = COVE_TOKEN_ES384};
	assert_int_equal(cove_token_verify(jwt, jwks, &only384, NULL, NULL, &e), COVE_ERR_VERIFY);
	cove_test_expect_msg(&e, "ES256 is not among the accepted");

	/* Unknown kid: the other key's JWKS. */
	json_t *jwks2 = jwks_of(other);
	assert_int_equal(verify_at(jwt, jwks2, T0, NULL, &e), COVE_ERR_VERIFY);
	cove_test_expect_msg(&e, "is not in the JWKS");
	/* No JWKS at all. */
	assert_int_equal(verify_at(jwt, NULL, T0, NULL, &e), COVE_ERR_ARG);

	/* alg / key type mismatch: an RSA key published under the EC key's kid. */
	json_t *rj = NULL;
	assert_int_equal(cove_token_key_public_jwk(rsa, &rj, &e), COVE_OK);
	json_object_set_new(rj, "kid", json_string(cove_token_key_kid(k)));
	json_object_del(rj, "alg");
	json_t *mixed = json_pack("{s:[o]}", "keys", rj);
	assert_int_equal(verify_at(jwt, mixed, T0, NULL, &e), COVE_ERR_VERIFY);
	cove_test_expect_msg(&e, "does not fit");
	json_decref(mixed);

	/* The right key, but its JWK says another alg, or is an encryption key. */
	json_t *kj = NULL;
	assert_int_equal(cove_token_key_public_jwk(k, &kj, &e), COVE_OK);
	json_object_set_new(kj, "alg", json_string("ES384"));
	mixed = json_pack("{s:[O]}", "keys", kj);
	assert_int_equal(verify_at(jwt, mixed, T0, NULL, &e), COVE_ERR_VERIFY);
	cove_test_expect_msg(&e, "differs from");
	json_decref(mixed);
	json_object_set_new(kj, "alg", json_string("ES256"));
	json_object_set_new(kj, "use", json_string("enc"));
	mixed = json_pack("{s:[O]}", "keys", kj);
	assert_int_equal(verify_at(jwt, mixed, T0, NULL, &e), COVE_ERR_VERIFY);
	cove_test_expect_msg(&e, "not for signatures");
	json_decref(mixed);
	json_decref(kj);

	/* Signature made by another key under this kid. */
	char *ot = issue_at(other, T0, 0);
	char *dot = strrchr(jwt, '.');
	size_t hp = (size_t)(dot - jwt);
	char *swapped = malloc(strlen(jwt) + strlen(ot) + 1);
	memcpy(swapped, jwt, hp);
	strcpy(swapped + hp, strrchr(ot, '.'));
	assert_int_equal(verify_at(swapped, jwks, T0, NULL, &e), COVE_ERR_VERIFY);
	cove_test_expect_msg(&e, "does not verify");
	free(swapped);
	free(ot);

	/* crit. */
	snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"kid\":\"%s\",\"crit\":[\"b64\"],\"b64\":false}",
		 cove_token_key_kid(k));
	t = forge(hdr, body, "AAAA");
	assert_int_equal(verify_at(t, jwks, T0, NULL, &e), COVE_ERR_UNSUPPORTED);
	cove_test_expect_msg(&e, "crit");
	free(t);

	/* An embedded key is ignored unless allowed: a self-signed forgery with its own jwk. */
	json_t *pub = NULL;
	assert_int_equal(cove_token_key_public_jwk(other, &pub, &e), COVE_OK);
	json_t *claims = json_pack("{s:s,s:O}", "iss", "x", "jwk", pub);
	cove_token_issue_opts io = {.now = T0};
	char *selfsigned = NULL;
	assert_int_equal(cove_token_issue(other, claims, &io, &selfsigned, &e), COVE_OK);
	assert_int_equal(verify_at(selfsigned, jwks, T0, NULL, &e), COVE_ERR_VERIFY);
	cove_token_verify_result r = {0};
	assert_int_equal(cove_token_verify(selfsigned, NULL, &emb, NULL, &r, &e), COVE_OK);
	assert_int_equal(r.source, COVE_TOKEN_KEY_CLAIM_JWK);
	cove_token_verify_result_clear(&r);
	free(selfsigned);
	json_decref(claims);
	json_decref(pub);

	json_decref(jwks2);
	json_decref(jwks);
	free(jwt);
	cove_token_key_free(k);
	cove_token_key_free(other);
	cove_token_key_free(rsa);
}

static void test_times(void **state)
{
	(void)state;
	cove_token_key *k = gen(COVE_TOKEN_ES256, 0);
	json_t *jwks = jwks_of(k);
	char *jwt = issue_at(k, T0, 3600);
	cove_error e = {0};
	assert_int_equal(verify_at(jwt, jwks, T0, NULL, &e), COVE_OK);
	assert_int_equal(verify_at(jwt, jwks, T0 + 3599, NULL, &e), COVE_OK);
	assert_int_equal(verify_at(jwt, jwks, T0 + 3600, NULL, &e), COVE_ERR_POLICY);
	cove_test_expect_msg(&e, "expired");
	assert_int_equal(verify_at(jwt, jwks, T0 - 1, NULL, &e), COVE_ERR_POLICY);
	cove_test_expect_msg(&e, "not valid before");
	cove_token_verify_opts o = {.now = T0 - 30, .leeway = 30};
	assert_int_equal(cove_token_verify(jwt, jwks, &o, NULL, NULL, &e), COVE_OK);
	o.now = T0 - 31;
	assert_int_equal(cove_token_verify(jwt, jwks, &o, NULL, NULL, &e), COVE_ERR_POLICY);
	o.now = T0 + 3600 + 29;
	assert_int_equal(cove_token_verify(jwt, jwks, &o, NULL, NULL, &e), COVE_OK);
	o.now = T0 + 3600 + 30;
	assert_int_equal(cove_token_verify(jwt, jwks, &o, NULL, NULL, &e), COVE_ERR_POLICY);

	/* Claims that set their own times keep them; no exp is refused unless allowed; a bad exp is a parse error. */
	json_t *c = json_pack("{s:i,s:i}", "iat", 5, "exp", T0 + 10);
	char *t = NULL;
	cove_token_issue_opts io = {.now = T0};
	assert_int_equal(cove_token_issue(k, c, &io, &t, &e), COVE_OK);
	json_t *got = NULL;
	assert_int_equal(verify_at(t, jwks, T0, &got, &e), COVE_OK);
	assert_int_equal(json_integer_value(json_object_get(got, "iat")), 5);
	assert_int_equal(json_integer_value(json_object_get(got, "exp")), T0 + 10);
	json_decref(got);
	free(t);
	json_decref(c);
	c = json_pack("{s:s}", "exp", "tomorrow");
	assert_int_equal(cove_token_issue(k, c, &io, &t, &e), COVE_OK);
	assert_int_equal(verify_at(t, jwks, T0, NULL, &e), COVE_ERR_PARSE);
	cove_test_expect_msg(&e, "NumericDate");
	free(t);
	json_decref(c);

	free(jwt);
	json_decref(jwks);
	cove_token_key_free(k);
}

static void test_malformed(void **state)
{
	(void)state;
	cove_token_key *k = gen(COVE_TOKEN_ES256, 0);
	json_t *jwks = jwks_of(k);
	char *good = issue_at(k, T0, 0);
	cove_error e = {0};
	static const struct {
		const char *tok;
		const char *msg;
	} bad[] = {
		{"", "empty"},
		{"abc", "1 part"},
		{"abc.def", "2 parts"},
		{"a.b.c.d", "more than 3"},
		{"eyJhbGciOiJFUzI1NiJ9.e30.AA==", "invalid base64url character"},
		{"eyJhbGciOiJFUzI1NiJ9=.e30.AA", "invalid base64url"},
		{"eyJhbGciOiJFUzI1NiJ9.e3+.AA", "invalid base64url character"},
		{"eyJhbGciOiJFUzI1NiJ9.e31.AA", "not canonical"},
		{"eyJhbGciOiJFUzI1NiJ9.e.AA", "impossible length"},
		{"bm90IGpzb24.e30.AA", "header is not valid JSON"},
		{"WzFd.e30.AA", "header is not a JSON object"},
		{"eyJhbGciOiJFUzI1NiJ9.WzFd.AA", "payload is not a JSON object"},
		/* {"alg":"ES256","alg":"none"} */
		{"eyJhbGciOiJFUzI1NiIsImFsZyI6Im5vbmUifQ.e30.AA", "not valid JSON"},
		{"e30.e30.AA", "no \"alg\""},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cove_error_clear(&e);
		if (verify_at(bad[i].tok, jwks, T0, NULL, &e) == COVE_OK)
			fail_msg("malformed token %zu verified", i);
		cove_test_expect_msg(&e, bad[i].msg);
	}
	/* A bad signature length is named as such. */
	char *dot = strrchr(good, '.');
	dot[1] = '\0';
	char *shortsig = malloc(strlen(good) + 8);
	sprintf(shortsig, "%sAAAA", good);
	assert_int_equal(verify_at(shortsig, jwks, T0, NULL, &e), COVE_ERR_VERIFY);
	cove_test_expect_msg(&e, "signature is 3 bytes");
	free(shortsig);
	free(good);
	json_decref(jwks);
	cove_token_key_free(k);
}

/* ---- keys ---- */

/* RFC 7638 section 3.1: the example RSA key (RFC 7517 appendix A.1) and its thumbprint. */
static void test_thumbprint(void **state)
{
	(void)state;
	json_t *jwk = json_pack(
		"{s:s,s:s,s:s,s:s,s:s}", "kty", "RSA", "n",
		"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3"
		"oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgd"
		"AZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCu"
		"r-kEgU8awapJzKnqDKgw",
		"e", "AQAB", "alg", "RS256", "kid", "2011-04-29");
	char *t = NULL;
	cove_error e = {0};
	assert_int_equal(cove_token_jwk_thumbprint(jwk, &t, &e), COVE_OK);
	assert_string_equal(t, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
	free(t);
	json_decref(jwk);

	/* A generated EC key's kid is SHA-256 of {"crv","kty","x","y"} in that order, computed here by hand. */
	cove_token_key *k = gen(COVE_TOKEN_ES384, 0);
	json_t *pub = NULL;
	assert_int_equal(cove_token_key_public_jwk(k, &pub, &e), COVE_OK);
	char canon[512];
	snprintf(canon, sizeof(canon), "{\"crv\":\"P-384\",\"kty\":\"EC\",\"x\":\"%s\",\"y\":\"%s\"}",
		 json_string_value(json_object_get(pub, "x")), json_string_value(json_object_get(pub, "y")));
	uint8_t d[32];
	assert_int_equal(cove_digest(COVE_SHA256, canon, strlen(canon), d, &e), COVE_OK);
	char *want = cove_base64url_new(d, sizeof(d));
	assert_string_equal(cove_token_key_kid(k), want);
	assert_string_equal(json_string_value(json_object_get(pub, "kid")), want);
	assert_string_equal(json_string_value(json_object_get(pub, "use")), "sig");
	assert_string_equal(json_string_value(json_object_get(pub, "alg")), "ES384");
	assert_null(json_object_get(pub, "d"));
	free(want);
	json_decref(pub);
	cove_token_key_free(k);

	/* Refusals: wrong sizes and mismatched algorithms. */
	assert_int_equal(cove_token_key_generate(COVE_TOKEN_RS256, 1024, &k, &e), COVE_ERR_ARG);
	assert_int_equal(cove_token_key_generate(COVE_TOKEN_ES256, 2048, &k, &e), COVE_ERR_ARG);
	assert_int_equal(cove_token_key_generate(0, 0, &k, &e), COVE_ERR_ARG);
}

static void test_pem_and_rotation(void **state)
{
	(void)state;
	char dir[256], path[300];
	assert_int_equal(cove_test_scratch_make(dir, sizeof(dir), "token"), 0);
	snprintf(path, sizeof(path), "%s/signing.pem", dir);
	cove_token_key *old = gen(COVE_TOKEN_RS256, 0);
	cove_error e = {0};
	assert_int_equal(cove_token_key_save_pem(old, path, &e), COVE_OK);
	assert_int_equal(cove_test_file_mode(path), 0600);
	cove_token_key *loaded = NULL;
	assert_int_equal(cove_token_key_load_pem(path, 0, &loaded, &e), COVE_OK);
	assert_int_equal(cove_token_key_alg(loaded), COVE_TOKEN_RS256);
	assert_string_equal(cove_token_key_kid(loaded), cove_token_key_kid(old));
	cove_token_key *as384 = NULL;
	assert_int_equal(cove_token_key_load_pem(path, COVE_TOKEN_RS384, &as384, &e), COVE_OK);
	assert_int_equal(cove_token_key_alg(as384), COVE_TOKEN_RS384);
	cove_token_key *wrong = NULL;
	assert_int_equal(cove_token_key_load_pem(path, COVE_TOKEN_ES256, &wrong, &e), COVE_ERR_ARG);
	cove_test_expect_msg(&e, "cannot sign ES256");

	/* Rotation: JWKS [new, old]; a token by the reloaded old key still verifies, by the new one too. */
	cove_token_key *cur = gen(COVE_TOKEN_ES256, 0);
	cove_token_key *both[2] = {cur, old};
	json_t *jwks = NULL;
	assert_int_equal(cove_token_jwks_new(both, 2, &jwks, &e), COVE_OK);
	assert_int_equal(json_array_size(json_object_get(jwks, "keys")), 2);
	char *t1 = issue_at(loaded, T0, 0), *t2 = issue_at(cur, T0, 0);
	assert_int_equal(verify_at(t1, jwks, T0, NULL, &e), COVE_OK);
	assert_int_equal(verify_at(t2, jwks, T0, NULL, &e), COVE_OK);
	cove_token_key *dup[2] = {old, loaded};
	json_t *bad = NULL;
	assert_int_equal(cove_token_jwks_new(dup, 2, &bad, &e), COVE_ERR_ARG);
	free(t1);
	free(t2);
	json_decref(jwks);
	/* Garbage PEM. */
	assert_int_equal(cove_token_key_from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n", 33, 0, &wrong, &e),
			 COVE_ERR_PARSE);
	cove_token_key_free(cur);
	cove_token_key_free(as384);
	cove_token_key_free(loaded);
	cove_token_key_free(old);
	cove_test_scratch_remove(dir);
}

/* Trustee's JWKS fixture: the published test key plus its certificate gives the expected JWKS. */
static void test_trustee_jwks(void **state)
{
	(void)state;
	const char *p = cove_test_shared_path("vectors/coco/kbs/tokens/fixtures-jwk/signing-key.TEST-ONLY.pem");
	if (!p)
		skip();
	cove_token_key *k = NULL;
	cove_error e = {0};
	if (cove_token_key_load_pem(p, 0, &k, &e) != COVE_OK)
		fail_msg("%s", e.msg);
	assert_int_equal(cove_token_key_alg(k), COVE_TOKEN_ES256);
	cove_buf chain = {0};
	cove_test_read_shared("vectors/coco/kbs/tokens/fixtures-jwk/cert-chain.pem", &chain);
	if (cove_token_key_set_chain(k, chain.data, chain.len, &e) != COVE_OK)
		fail_msg("%s", e.msg);
	json_t *jwks = jwks_of(k);
	cove_buf want_text = {0};
	cove_test_read_shared("vectors/coco/kbs/tokens/fixtures-jwk/expected-jwks.json", &want_text);
	json_t *want = json_loadb((const char *)want_text.data, want_text.len, 0, NULL);
	assert_non_null(want);
	json_t *w = json_array_get(json_object_get(want, "keys"), 0);
	json_t *g = json_array_get(json_object_get(jwks, "keys"), 0);
	assert_int_equal(json_array_size(json_object_get(jwks, "keys")), 1);
	static const char *const members[] = {"kty", "crv", "alg", "x", "y", "x5c"};
	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
		if (!json_equal(json_object_get(w, members[i]), json_object_get(g, members[i])))
			fail_msg("JWKS member %s differs from Trustee's expected-jwks.json", members[i]);
	}
	/* A token signed with it verifies against that JWKS, and with its x5c to the certificate as anchor. */
	char *t = issue_at(k, T0, 0);
	assert_int_equal(verify_at(t, jwks, T0, NULL, &e), COVE_OK);
	/* Another certificate does not fit the key. */
	cove_token_key *other = gen(COVE_TOKEN_ES256, 0);
	assert_int_equal(cove_token_key_set_chain(other, chain.data, chain.len, &e), COVE_ERR_ARG);
	cove_test_expect_msg(&e, "is not for this signing key");
	cove_token_key_free(other);
	free(t);
	json_decref(want);
	cove_buf_free(&want_text);
	cove_buf_free(&chain);
	json_decref(jwks);
	cove_token_key_free(k);
}

/* The real legacy CoCo AS token: RS384, its key in the "jwk" claim. */
static void test_coco_legacy(void **state)
{
	(void)state;
	char *t = read_text(COCO_TOKEN);
	cove_error e = {0};
	json_t *claims = NULL;
	cove_token_verify_result r = {0};
	cove_token_verify_opts o = {.now = COCO_PIN, .algs = COVE_TOKEN_RS384, .allow_embedded_jwk = true,
				    .issuer = "CoCo-Attestation-Service"};
	if (cove_token_verify(t, NULL, &o, &claims, &r, &e) != COVE_OK)
		fail_msg("legacy CoCo token: %s", e.msg);
	assert_int_equal(r.source, COVE_TOKEN_KEY_CLAIM_JWK);
	assert_int_equal(r.alg, COVE_TOKEN_RS384);
	assert_string_equal(json_string_value(json_object_get(json_object_get(claims, "customized_claims"), "test_key")),
			    "test_value");
	json_decref(claims);
	cove_token_verify_result_clear(&r);
	/* At exp (and a second later) it has expired. */
	o.now = COCO_EXP;
	assert_int_equal(cove_token_verify(t, NULL, &o, NULL, NULL, &e), COVE_ERR_POLICY);
	o.now = COCO_EXP + 1;
	assert_int_equal(cove_token_verify(t, NULL, &o, NULL, NULL, &e), COVE_ERR_POLICY);
	cove_test_expect_msg(&e, "expired");
	/* Not without the explicit permission, nor with RS384 outside the list. */
	o.now = COCO_PIN;
	o.allow_embedded_jwk = false;
	assert_int_equal(cove_token_verify(t, NULL, &o, NULL, NULL, &e), COVE_ERR_ARG);
	cove_test_expect_msg(&e, "not allowed");
	o.allow_embedded_jwk = true;
	o.algs = 0;
	assert_int_equal(cove_token_verify(t, NULL, &o, NULL, NULL, &e), COVE_ERR_VERIFY);
	/* A changed claim under the original signature is refused as a bad signature. */
	o.algs = COVE_TOKEN_RS384;
	json_t *body = NULL;
	assert_int_equal(cove_token_decode(t, NULL, &body, &e), COVE_OK);
	json_object_set_new(body, "iss", json_string("CoCo-Attestation-Servicf"));
	char *text = json_dumps(body, JSON_COMPACT);
	char *b64 = cove_base64url_new(text, strlen(text));
	char *d1 = strchr(t, '.'), *d2 = strrchr(t, '.');
	size_t hl = (size_t)(d1 - t) + 1;
	char *forged = malloc(hl + strlen(b64) + strlen(d2) + 1);
	memcpy(forged, t, hl);
	strcpy(forged + hl, b64);
	strcat(forged, d2);
	o.issuer = NULL;
	assert_int_equal(cove_token_verify(forged, NULL, &o, NULL, NULL, &e), COVE_ERR_VERIFY);
	cove_test_expect_msg(&e, "does not verify");
	free(forged);
	free(b64);
	free(text);
	json_decref(body);
	free(t);
}

/* The real MAA token: decodes, but no JWKS holds its key, so it must not verify. */
static void test_maa_fail_closed(void **state)
{
	(void)state;
	char *t = read_text(MAA_TOKEN);
	cove_error e = {0};
	json_t *hdr = NULL, *claims = NULL;
	assert_int_equal(cove_token_decode(t, &hdr, &claims, &e), COVE_OK);
	assert_string_equal(json_string_value(json_object_get(hdr, "alg")), "RS256");
	assert_string_equal(json_string_value(json_object_get(claims, "x-ms-attestation-type")), "sevsnpvm");
	cove_buf jb = {0};
	cove_test_read_shared("vectors/coco/maa/jwks/gnkuks001.uks.certs.json", &jb);
	json_t *jwks = json_loadb((const char *)jb.data, jb.len, 0, NULL);
	assert_non_null(jwks);
	assert_int_equal(verify_at(t, jwks, MAA_PIN, NULL, &e), COVE_ERR_VERIFY);
	cove_test_expect_msg(&e, "is not in the JWKS");
	json_decref(jwks);
	cove_buf_free(&jb);
	json_decref(hdr);
	json_decref(claims);
	free(t);
}

/* A signed MAA policy-signer JWT: RS256 with a self-signed x5c (CN=MaaTestCert1, valid 2020..2070). */
static void test_x5c(void **state)
{
	(void)state;
	char *t = read_token_text("vectors/coco/maa/docs/blocks/policy-signer-examples.block02.txt");
	cove_error e = {0};
	json_t *hdr = NULL;
	if (cove_token_decode(t, &hdr, NULL, &e) != COVE_OK)
		fail_msg("%s", e.msg);
	const char *c0 = json_string_value(json_array_get(json_object_get(hdr, "x5c"), 0));
	assert_non_null(c0);
	cove_buf der = {0};
	cove_x509 *anchor = NULL, *stranger = NULL;
	assert_int_equal(cove_base64_decode(c0, strlen(c0), &der, &e), COVE_OK);
	assert_int_equal(cove_x509_parse(der.data, der.len, &anchor, &e), COVE_OK);
	cove_token_verify_opts o = {.now = 1622505600, .x5c_anchor = anchor, .allow_missing_exp = true};
	cove_token_verify_result r = {0};
	if (cove_token_verify(t, NULL, &o, NULL, &r, &e) != COVE_OK)
		fail_msg("policy-signer JWT: %s", e.msg);
	assert_int_equal(r.source, COVE_TOKEN_KEY_X5C);
	cove_token_verify_result_clear(&r);
	/* Without allow_missing_exp it is refused (it has no exp); with another anchor it does not chain. */
	o.allow_missing_exp = false;
	assert_int_equal(cove_token_verify(t, NULL, &o, NULL, NULL, &e), COVE_ERR_POLICY);
	cove_buf other = {0};
	cove_test_read_shared("vectors/coco/kbs/tokens/fixtures-jwk/cert-chain.pem", &other);
	assert_int_equal(cove_x509_parse(other.data, other.len, &stranger, &e), COVE_OK);
	o.allow_missing_exp = true;
	o.x5c_anchor = stranger;
	assert_int_equal(cove_token_verify(t, NULL, &o, NULL, NULL, &e), COVE_ERR_VERIFY);
	cove_test_expect_msg(&e, "does not chain");
	cove_x509_free(stranger);
	cove_buf_free(&other);
	cove_x509_free(anchor);
	cove_buf_free(&der);
	json_decref(hdr);
	free(t);
}

/* ---- RFC 5649 ---- */

static void hex(const char *s, uint8_t *out, size_t len)
{
	cove_error e = {0};
	if (cove_hex_decode_fixed(s, out, len, &e) != COVE_OK)
		fail_msg("%s", e.msg);
}

/* RFC 5649 section 6, "Padded Key Wrap Examples": 20-octet and 7-octet keys under one 192-bit KEK. */
static void test_kwp_vectors(void **state)
{
	(void)state;
	uint8_t kek[24], k20[20], w20[32], k7[7], w7[16];
	hex("5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8", kek, sizeof(kek));
	hex("c37b7e6492584340bed12207808941155068f738", k20, sizeof(k20));
	hex("138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a", w20, sizeof(w20));
	hex("466f7250617369", k7, sizeof(k7));
	hex("afbeb0f07dfbf5419200f2ccb50bb24f", w7, sizeof(w7));
	cove_buf out = {0};
	cove_error e = {0};
	assert_int_equal(cove_aes_kwp_wrap(kek, 24, k20, 20, &out, &e), COVE_OK);
	assert_int_equal(out.len, 32);
	assert_memory_equal(out.data, w20, 32);
	assert_int_equal(cove_aes_kwp_unwrap(kek, 24, w20, 32, &out, &e), COVE_OK);
	assert_int_equal(out.len, 20);
	assert_memory_equal(out.data, k20, 20);
	assert_int_equal(cove_aes_kwp_wrap(kek, 24, k7, 7, &out, &e), COVE_OK);
	assert_int_equal(out.len, 16);
	assert_memory_equal(out.data, w7, 16);
	assert_int_equal(cove_aes_kwp_unwrap(kek, 24, w7, 16, &out, &e), COVE_OK);
	assert_int_equal(out.len, 7);
	assert_memory_equal(out.data, k7, 7);
	/* Any changed byte, or another KEK, fails the integrity check. */
	for (size_t i = 0; i < 32; i++) {
		uint8_t m[32];
		memcpy(m, w20, 32);
		m[i] ^= 0x80;
		assert_int_equal(cove_aes_kwp_unwrap(kek, 24, m, 32, &out, &e), COVE_ERR_VERIFY);
	}
	kek[0] ^= 1;
	assert_int_equal(cove_aes_kwp_unwrap(kek, 24, w7, 16, &out, &e), COVE_ERR_VERIFY);
	assert_int_equal(cove_aes_kwp_unwrap(kek, 24, w7, 12, &out, &e), COVE_ERR_PARSE);
	assert_int_equal(cove_aes_kwp_unwrap(kek, 20, w7, 16, &out, &e), COVE_ERR_ARG);
	assert_int_equal(cove_aes_kwp_wrap(kek, 24, k7, 0, &out, &e), COVE_ERR_ARG);
	/* Round trips of every length 1..70 under AES-256. */
	uint8_t k256[32], data[70];
	cove_random_bytes(k256, sizeof(k256));
	cove_random_bytes(data, sizeof(data));
	for (size_t n = 1; n <= sizeof(data); n++) {
		cove_buf w = {0};
		assert_int_equal(cove_aes_kwp_wrap(k256, 32, data, n, &w, &e), COVE_OK);
		assert_int_equal(w.len, (n + 7) / 8 * 8 + 8);
		assert_int_equal(cove_aes_kwp_unwrap(k256, 32, w.data, w.len, &out, &e), COVE_OK);
		assert_int_equal(out.len, n);
		assert_memory_equal(out.data, data, n);
		cove_buf_free(&w);
	}
	cove_buf_free(&out);
}

/* ---- SKR ---- */

static json_t *gen_jwk(const char *tmpl)
{
	json_t *j = json_loads(tmpl, 0, NULL);
	assert_non_null(j);
	assert_true(jose_jwk_gen(NULL, j));
	return j;
}

static json_t *public_of(const json_t *priv)
{
	json_t *p = json_deep_copy(priv);
	assert_true(jose_jwk_pub(NULL, p));
	return p;
}

static void test_skr(void **state)
{
	(void)state;
	json_t *tee = gen_jwk("{\"kty\":\"RSA\",\"bits\":2048}");
	json_t *teepub = public_of(tee);
	uint8_t secret[32];
	cove_random_bytes(secret, sizeof(secret));
	cove_error e = {0};
	static const cove_skr_enc encs[] = {COVE_SKR_CKM_RSA_AES_KEY_WRAP, COVE_SKR_RSA_AES_KEY_WRAP_256,
					    COVE_SKR_RSA_AES_KEY_WRAP_384};
	static const char *const mds[] = {"SHA1", "SHA256", "SHA384"};
	for (size_t i = 0; i < 3; i++) {
		cove_buf w = {0}, back = {0};
		assert_int_equal(cove_skr_wrap(teepub, encs[i], secret, sizeof(secret), &w, &e), COVE_OK);
		/* CKM_RSA_AES_KEY_WRAP layout: 256-byte RSA block, then KWP of 32 bytes (40). */
		assert_int_equal(w.len, 256 + 40);
		assert_int_equal(cove_skr_unwrap(tee, encs[i], w.data, w.len, &back, &e), COVE_OK);
		assert_int_equal(back.len, sizeof(secret));
		assert_memory_equal(back.data, secret, sizeof(secret));
		/* Independently with OpenSSL: OAEP with the named hash, then RFC 5649. */
		cove_pkey *pk = NULL;
		assert_int_equal(cove_token_jwk_to_pkey(tee, true, &pk, &e), COVE_OK);
		EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pk, NULL);
		uint8_t aes[256];
		size_t an = sizeof(aes);
		assert_int_equal(EVP_PKEY_decrypt_init(ctx), 1);
		assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING), 1);
		assert_int_equal(EVP_PKEY_CTX_set_rsa_oaep_md_name(ctx, mds[i], NULL), 1);
		assert_int_equal(EVP_PKEY_CTX_set_rsa_mgf1_md_name(ctx, mds[i], NULL), 1);
		assert_int_equal(EVP_PKEY_decrypt(ctx, aes, &an, w.data, 256), 1);
		assert_int_equal(an, 32);
		EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
		EVP_CIPHER_CTX_set_flags(c, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
		uint8_t pt[64];
		int n1 = 0, n2 = 0;
		assert_int_equal(EVP_DecryptInit_ex(c, EVP_aes_256_wrap_pad(), NULL, aes, NULL), 1);
		assert_int_equal(EVP_DecryptUpdate(c, pt, &n1, w.data + 256, 40), 1);
		assert_int_equal(EVP_DecryptFinal_ex(c, pt + n1, &n2), 1);
		assert_int_equal(n1 + n2, 32);
		assert_memory_equal(pt, secret, 32);
		EVP_CIPHER_CTX_free(c);
		EVP_PKEY_CTX_free(ctx);
		cove_pkey_free(pk);
		/* The wrong enc (hash) or a changed byte fails. */
		assert_int_equal(cove_skr_unwrap(tee, encs[(i + 1) % 3], w.data, w.len, &back, &e), COVE_ERR_VERIFY);
		w.data[w.len - 1] ^= 1;
		assert_int_equal(cove_skr_unwrap(tee, encs[i], w.data, w.len, &back, &e), COVE_ERR_VERIFY);
		assert_int_equal(cove_skr_unwrap(tee, encs[i], w.data, 100, &back, &e), COVE_ERR_PARSE);
		cove_buf_free(&w);
		cove_buf_free(&back);
	}
	assert_int_equal(cove_skr_enc_from_name("RSA_AES_KEY_WRAP_256"), COVE_SKR_RSA_AES_KEY_WRAP_256);
	assert_int_equal(cove_skr_enc_from_name("RSA-OAEP"), 0);

	/* An EC private key is released as PKCS#8 DER and comes back as the same key. */
	json_t *ec = gen_jwk("{\"kty\":\"EC\",\"crv\":\"P-256\"}");
	cove_buf p8 = {0}, w = {0}, back = {0};
	assert_int_equal(cove_token_jwk_to_pkcs8(ec, &p8, &e), COVE_OK);
	assert_int_equal(cove_skr_wrap(teepub, COVE_SKR_RSA_AES_KEY_WRAP_256, p8.data, p8.len, &w, &e), COVE_OK);
	assert_int_equal(cove_skr_unwrap(tee, COVE_SKR_RSA_AES_KEY_WRAP_256, w.data, w.len, &back, &e), COVE_OK);
	const unsigned char *q = back.data;
	EVP_PKEY *got = d2i_AutoPrivateKey(NULL, &q, (long)back.len);
	assert_non_null(got);
	cove_pkey *orig = NULL;
	assert_int_equal(cove_token_jwk_to_pkey(ec, true, &orig, &e), COVE_OK);
	assert_int_equal(EVP_PKEY_eq(got, orig), 1);
	EVP_PKEY_free(got);
	cove_pkey_free(orig);

	/* Refusals: an EC or small RSA TEE key. */
	json_t *ecpub = public_of(ec);
	assert_int_equal(cove_skr_wrap(ecpub, COVE_SKR_RSA_AES_KEY_WRAP_256, secret, 32, &w, &e), COVE_ERR_ARG);
	cove_test_expect_msg(&e, "not an RSA key");
	EVP_PKEY *rsa1024 = EVP_RSA_gen(1024);
	json_t *small = NULL;
	assert_non_null(rsa1024);
	assert_int_equal(cove_token_jwk_from_pkey(rsa1024, false, &small, &e), COVE_ERR_VERIFY);
	cove_test_expect_msg(&e, "too small");
	small = json_pack("{s:s,s:s,s:s}", "kty", "RSA", "e", "AQAB", "n",
			  "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3"
			  "oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2Q");
	EVP_PKEY_free(rsa1024);
	assert_int_equal(cove_skr_wrap(small, COVE_SKR_RSA_AES_KEY_WRAP_256, secret, 32, &w, &e), COVE_ERR_VERIFY);
	cove_test_expect_msg(&e, "too small");

	/* key_hsm as Key Vault returns it. */
	char *kh = NULL;
	assert_int_equal(cove_skr_key_hsm("TpmEphemeralEncryptionKey", COVE_SKR_CKM_RSA_AES_KEY_WRAP, &w, &kh, &e),
			 COVE_OK);
	cove_buf khj = {0};
	assert_int_equal(cove_base64url_decode(kh, strlen(kh), &khj, &e), COVE_OK);
	json_t *o = json_loadb((const char *)khj.data, khj.len, 0, NULL);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "schema_version")), "1.0");
	json_t *h = json_object_get(o, "header");
	assert_string_equal(json_string_value(json_object_get(h, "kid")), "TpmEphemeralEncryptionKey");
	assert_string_equal(json_string_value(json_object_get(h, "alg")), "dir");
	assert_string_equal(json_string_value(json_object_get(h, "enc")), "CKM_RSA_AES_KEY_WRAP");
	cove_buf ct = {0};
	const char *cts = json_string_value(json_object_get(o, "ciphertext"));
	assert_int_equal(cove_base64url_decode(cts, strlen(cts), &ct, &e), COVE_OK);
	assert_int_equal(ct.len, w.len);
	assert_memory_equal(ct.data, w.data, w.len);
	cove_buf_free(&ct);
	json_decref(o);
	cove_buf_free(&khj);
	free(kh);

	json_decref(small);
	json_decref(ecpub);
	cove_buf_free(&p8);
	cove_buf_free(&w);
	cove_buf_free(&back);
	json_decref(ec);
	json_decref(teepub);
	json_decref(tee);
}

/* Key Vault wraps to the top-level x-ms-runtime key (TpmEphemeralEncryptionKey), not HCLAkPub. */
static void test_skr_find_key(void **state)
{
	(void)state;
	cove_buf b = {0};
	cove_test_read_shared("vectors/coco/skr/release/docs-cvm-guest-attestation-token.body.partial.json", &b);
	json_t *claims = json_loadb((const char *)b.data, b.len, 0, NULL);
	assert_non_null(claims);
	const json_t *k = NULL;
	cove_error e = {0};
	assert_int_equal(cove_skr_find_tee_key(claims, &k, &e), COVE_OK);
	assert_string_equal(json_string_value(json_object_get(k, "kid")), "TpmEphemeralEncryptionKey");
	json_object_del(json_object_get(claims, "x-ms-runtime"), "keys");
	assert_int_equal(cove_skr_find_tee_key(claims, &k, &e), COVE_ERR_POLICY);
	json_decref(claims);
	cove_buf_free(&b);
}

/* ---- KBS JWE ---- */

static void jwe_roundtrip(const char *tmpl, const char *alg)
{
	json_t *priv = gen_jwk(tmpl);
	json_t *pub = public_of(priv);
	cove_error e = {0};
	const char msg[] = "resource bytes \x00\x01\x02 for the TEE";
	json_t *jwe = NULL;
	if (cove_token_jwe_encrypt(pub, msg, sizeof(msg), &jwe, &e) != COVE_OK)
		fail_msg("%s: %s", alg, e.msg);
	/* Exactly the flattened members KBS sends; alg/enc (and epk) protected. */
	assert_int_equal(json_object_size(jwe), 5);
	static const char *const members[] = {"protected", "encrypted_key", "iv", "ciphertext", "tag"};
	for (size_t i = 0; i < 5; i++)
		assert_true(json_is_string(json_object_get(jwe, members[i])));
	const char *p = json_string_value(json_object_get(jwe, "protected"));
	cove_buf ph = {0};
	assert_int_equal(cove_base64url_decode(p, strlen(p), &ph, &e), COVE_OK);
	json_t *hdr = json_loadb((const char *)ph.data, ph.len, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(hdr, "alg")), alg);
	assert_string_equal(json_string_value(json_object_get(hdr, "enc")), "A256GCM");
	assert_true(!strcmp(alg, "RSA-OAEP-256") || json_is_object(json_object_get(hdr, "epk")));
	json_decref(hdr);
	cove_buf_free(&ph);

	cove_buf out = {0};
	if (cove_token_jwe_decrypt(jwe, priv, &out, &e) != COVE_OK)
		fail_msg("%s decrypt: %s", alg, e.msg);
	assert_int_equal(out.len, sizeof(msg));
	assert_memory_equal(out.data, msg, sizeof(msg));
	/* Changes to any member fail; so does another key. */
	for (size_t i = 0; i < 5; i++) {
		json_t *m = json_deep_copy(jwe);
		const char *v = json_string_value(json_object_get(m, members[i]));
		char *c = strdup(v);
		size_t at = strlen(c) / 2;
		c[at] = c[at] == 'A' ? 'B' : 'A';
		json_object_set_new(m, members[i], json_string(c));
		if (cove_token_jwe_decrypt(m, priv, &out, &e) == COVE_OK)
			fail_msg("%s: JWE with %s changed decrypted", alg, members[i]);
		free(c);
		json_decref(m);
	}
	json_t *other = gen_jwk(tmpl);
	assert_int_not_equal(cove_token_jwe_decrypt(jwe, other, &out, &e), COVE_OK);
	json_decref(other);
	cove_buf_free(&out);
	json_decref(jwe);
	json_decref(pub);
	json_decref(priv);
}

static void test_jwe(void **state)
{
	(void)state;
	jwe_roundtrip("{\"kty\":\"EC\",\"crv\":\"P-256\"}", "ECDH-ES+A256KW");
	jwe_roundtrip("{\"kty\":\"EC\",\"crv\":\"P-384\"}", "ECDH-ES+A256KW");
	jwe_roundtrip("{\"kty\":\"RSA\",\"bits\":2048}", "RSA-OAEP-256");

	/* A KBS tee-pubkey asking for RSA1_5 is refused, as are odd JWEs. */
	json_t *rsa = gen_jwk("{\"kty\":\"RSA\",\"bits\":2048}");
	json_t *pub = public_of(rsa);
	json_object_set_new(pub, "alg", json_string("RSA1_5"));
	json_t *jwe = NULL;
	cove_error e = {0};
	assert_int_equal(cove_token_jwe_encrypt(pub, "x", 1, &jwe, &e), COVE_ERR_UNSUPPORTED);
	cove_test_expect_msg(&e, "RSA1_5");
	json_object_set_new(pub, "alg", json_string("RSA-OAEP-256"));
	assert_int_equal(cove_token_jwe_encrypt(pub, "x", 1, &jwe, &e), COVE_OK);
	cove_buf out = {0};
	json_t *m = json_deep_copy(jwe);
	json_object_set_new(m, "protected", json_string("eyJhbGciOiJSU0ExXzUiLCJlbmMiOiJBMjU2R0NNIn0"));
	assert_int_equal(cove_token_jwe_decrypt(m, rsa, &out, &e), COVE_ERR_UNSUPPORTED);
	cove_test_expect_msg(&e, "RSA1_5");
	json_decref(m);
	m = json_deep_copy(jwe);
	json_object_set_new(m, "header", json_pack("{s:s}", "alg", "RSA-OAEP-256"));
	assert_int_equal(cove_token_jwe_decrypt(m, rsa, &out, &e), COVE_ERR_UNSUPPORTED);
	json_decref(m);
	m = json_deep_copy(jwe);
	json_object_del(m, "tag");
	assert_int_equal(cove_token_jwe_decrypt(m, rsa, &out, &e), COVE_ERR_PARSE);
	cove_test_expect_msg(&e, "\"tag\"");
	json_decref(m);
	json_decref(jwe);
	json_decref(pub);
	json_decref(rsa);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_rs256),
		cmocka_unit_test(test_roundtrip_es256),
		cmocka_unit_test(test_roundtrip_es384),
		cmocka_unit_test(test_roundtrip_others),
		cmocka_unit_test(test_flips),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_thumbprint),
		cmocka_unit_test(test_pem_and_rotation),
		cmocka_unit_test(test_trustee_jwks),
		cmocka_unit_test(test_coco_legacy),
		cmocka_unit_test(test_maa_fail_closed),
		cmocka_unit_test(test_x5c),
		cmocka_unit_test(test_kwp_vectors),
		cmocka_unit_test(test_skr),
		cmocka_unit_test(test_skr_find_key),
		cmocka_unit_test(test_jwe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
