/*
 * cove/token.h - attestation tokens and the JOSE pieces of key release.
 *
 * JSON Web Tokens (RFC 7519) as compact JWS (RFC 7515) signed with RS256,
 * ES256 or ES384 (RFC 7518 section 3), in the shape Microsoft Azure
 * Attestation issues them: header {alg, jku, kid, typ:"JWT"}, claims with
 * iat/nbf/exp (shared/research/attestation-services.md section 1.2).  Keys
 * are published as a JWKS (RFC 7517 section 5) whose kid is the RFC 7638
 * thumbprint.  Verification fails closed with a precise error for every
 * reason a token is refused.
 *
 * Key release, both ways of issue #6:
 *   - Azure Secure Key Release: the key is wrapped to the TEE's RSA key as
 *     PKCS#11 CKM_RSA_AES_KEY_WRAP does: RSA-OAEP of a fresh AES-256 key,
 *     followed by AES key wrap with padding (RFC 5649) of the key material
 *     (section 2 of the research note);
 *   - the KBS protocol: a flattened JWE (RFC 7516 section 7.2.2) to the TEE
 *     key, ECDH-ES+A256KW for EC and RSA-OAEP-256 for RSA, enc A256GCM
 *     (section 3.2).
 *
 * All JOSE work is done by latchset libjose; JSON values are jansson
 * objects and the caller owns every json_t or string a function returns.
 */
#ifndef COVE_TOKEN_H
#define COVE_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "cove/bytes.h"
#include "cove/crypto.h"
#include "cove/err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Signature algorithms (RFC 7518 section 3.1); one bit each so a set fits an unsigned ---- */
typedef enum cove_token_alg {
	COVE_TOKEN_RS256 = 1u << 0,
	COVE_TOKEN_RS384 = 1u << 1,
	COVE_TOKEN_RS512 = 1u << 2,
	COVE_TOKEN_PS256 = 1u << 3,
	COVE_TOKEN_PS384 = 1u << 4,
	COVE_TOKEN_PS512 = 1u << 5,
	COVE_TOKEN_ES256 = 1u << 6,
	COVE_TOKEN_ES384 = 1u << 7,
	COVE_TOKEN_ES512 = 1u << 8,
} cove_token_alg;

/* What cove issues and, unless told otherwise, accepts. */
#define COVE_TOKEN_ALGS_DEFAULT (COVE_TOKEN_RS256 | COVE_TOKEN_ES256 | COVE_TOKEN_ES384)

/* "RS256", ... or NULL for anything that is not exactly one known bit. */
const char *cove_token_alg_name(cove_token_alg alg);
/* The algorithm named `name` (case-sensitive, as RFC 7515 requires); 0 when unknown. */
cove_token_alg cove_token_alg_from_name(const char *name);

/* MAA's token lifetime: exp = iat + 8 h. */
#define COVE_TOKEN_LIFETIME_DEFAULT (8 * 3600)
/* Longest compact token accepted (MAA tokens with certificate chains are ~10 KB). */
#define COVE_TOKEN_MAX_LEN (1024 * 1024)

/* ---- Signing keys ---- */

/* A private signing key with its algorithm and kid; opaque. */
typedef struct cove_token_key cove_token_key;

/*
 * A fresh key: RS256/RS384/RS512/PS* on RSA with `rsa_bits` 2048, 3072 or 4096
 * (0 = 2048); ES256 on P-256, ES384 on P-384, ES512 on P-521 (`rsa_bits` must be 0).
 */
cove_err cove_token_key_generate(cove_token_alg alg, unsigned rsa_bits, cove_token_key **out, cove_error *e);
/*
 * A key from a PEM private key (PKCS#8 or traditional).  `alg` 0 picks RS256
 * for RSA and ES256/ES384/ES512 by curve; otherwise it must suit the key.
 */
cove_err cove_token_key_from_pem(const void *pem, size_t len, cove_token_alg alg, cove_token_key **out,
				 cove_error *e);
cove_err cove_token_key_load_pem(const char *path, cove_token_alg alg, cove_token_key **out, cove_error *e);
/* The private key as PKCS#8 PEM (NUL-terminated, free() it). */
cove_err cove_token_key_pem(const cove_token_key *k, char **pem, cove_error *e);
/* Write the PKCS#8 PEM to `path`, readable by the owner only (0600). */
cove_err cove_token_key_save_pem(const cove_token_key *k, const char *path, cove_error *e);
void cove_token_key_free(cove_token_key *k);

cove_token_alg cove_token_key_alg(const cove_token_key *k);
/* RFC 7638 thumbprint of the public key, base64url(SHA-256), used as kid. */
const char *cove_token_key_kid(const cove_token_key *k);
/*
 * Attach a certificate chain (PEM, leaf first) to be published as the JWK's
 * x5c.  The leaf's public key must be this key's.
 */
cove_err cove_token_key_set_chain(cove_token_key *k, const void *pem, size_t len, cove_error *e);
/* Public JWK {kty, (n, e | crv, x, y), kid, alg, use:"sig"[, x5c]}. */
cove_err cove_token_key_public_jwk(const cove_token_key *k, json_t **out, cove_error *e);
/* {"keys":[...]} of the public JWKs of `keys` (current first, then previous ones for rotation). */
cove_err cove_token_jwks_new(cove_token_key *const *keys, size_t count, json_t **out, cove_error *e);

/* RFC 7638 thumbprint (base64url SHA-256) of any public or private JWK, into a new string. */
cove_err cove_token_jwk_thumbprint(const json_t *jwk, char **out, cove_error *e);

/* ---- Issuing ---- */

typedef struct cove_token_issue_opts {
	const char *jku;  /* header jku (the issuer's /certs URL); NULL for none */
	int64_t now;      /* iat; 0 = the wall clock */
	int64_t lifetime; /* seconds until exp; 0 = COVE_TOKEN_LIFETIME_DEFAULT */
} cove_token_issue_opts;

/*
 * Sign `claims` (a JSON object, not modified) as a compact JWS.  Header:
 * {alg, jku?, kid, typ:"JWT"}.  iat, nbf (= iat) and exp (= iat + lifetime)
 * are set unless `claims` has them.  Header and claims are serialized with
 * sorted keys and no white space, so equal input gives equal bytes.
 * `opts` may be NULL.  *jwt: free() it.
 */
cove_err cove_token_issue(const cove_token_key *key, const json_t *claims, const cove_token_issue_opts *opts,
			  char **jwt, cove_error *e);

/* ---- Verifying ---- */

typedef struct cove_token_verify_opts {
	int64_t now;            /* 0 = the wall clock */
	int64_t leeway;         /* seconds of clock skew allowed on exp and nbf */
	unsigned algs;          /* cove_token_alg bits accepted; 0 = COVE_TOKEN_ALGS_DEFAULT */
	const char *issuer;     /* when set, iss must equal it exactly */
	bool allow_missing_exp; /* accept a token without exp (never for attestation tokens) */
	/*
	 * Trust a key the token carries itself: a `jwk` header member, or (the
	 * legacy CoCo AS token) a `jwk` claim.  This proves only that the token
	 * is intact; the caller must pin or otherwise judge the key (it is
	 * returned through cove_token_verify_result).
	 */
	bool allow_embedded_jwk;
	/* When set, a token with an x5c header verifies with its leaf key if the chain ends at this anchor. */
	cove_x509 *x5c_anchor;
} cove_token_verify_opts;

/* Where the verifying key came from. */
typedef enum cove_token_key_source {
	COVE_TOKEN_KEY_JWKS = 1,
	COVE_TOKEN_KEY_X5C,
	COVE_TOKEN_KEY_HEADER_JWK,
	COVE_TOKEN_KEY_CLAIM_JWK,
} cove_token_key_source;

typedef struct cove_token_verify_result {
	cove_token_alg alg;
	cove_token_key_source source;
	json_t *header; /* the protected header (owned: release with cove_token_verify_result_clear) */
	json_t *key;    /* the public JWK that verified (owned likewise) */
} cove_token_verify_result;

void cove_token_verify_result_clear(cove_token_verify_result *r);

/*
 * Verify compact JWS `jwt` and return its claims.  The key is looked up by
 * the header's kid in `jwks` ({"keys":[...]}, may be NULL when another
 * source is allowed); without a kid every key of `jwks` that suits the
 * algorithm is tried.  Refused, each with its own message: a malformed
 * token (segments, base64url, JSON, duplicate members), "alg":"none" and
 * any algorithm not in opts->algs, a `crit` header, an unknown kid, a key
 * whose type, curve, size, "alg", "use" or "key_ops" do not fit the
 * algorithm, a bad signature, exp passed (COVE_ERR_POLICY), nbf in the
 * future (COVE_ERR_POLICY), a wrong iss.  `opts`, `claims` and `result`
 * may be NULL.
 */
cove_err cove_token_verify(const char *jwt, const json_t *jwks, const cove_token_verify_opts *opts,
			   json_t **claims, cove_token_verify_result *result, cove_error *e);

/*
 * Split and decode a compact JWS WITHOUT checking anything but its form:
 * for printing claims.  Never base a decision on what it returns.
 */
cove_err cove_token_decode(const char *jwt, json_t **header, json_t **claims, cove_error *e);

/* ---- Public keys from JWKs ---- */

/* An OpenSSL public (or private, when `priv`) key from an RSA or EC JWK. */
cove_err cove_token_jwk_to_pkey(const json_t *jwk, bool priv, cove_pkey **out, cove_error *e);
/* The JWK (public members only unless `priv`) of an OpenSSL RSA or EC key. */
cove_err cove_token_jwk_from_pkey(cove_pkey *pkey, bool priv, json_t **out, cove_error *e);

/* ---- Secure Key Release: RSA-OAEP + AES-KWP (PKCS#11 CKM_RSA_AES_KEY_WRAP) ---- */

/* The `enc` values of the Key Vault release call; they differ in the OAEP hash (and MGF1 hash). */
typedef enum cove_skr_enc {
	COVE_SKR_CKM_RSA_AES_KEY_WRAP = 1, /* OAEP with SHA-1, as the SKR sidecar unwraps it */
	COVE_SKR_RSA_AES_KEY_WRAP_256,     /* OAEP with SHA-256 */
	COVE_SKR_RSA_AES_KEY_WRAP_384,     /* OAEP with SHA-384 */
} cove_skr_enc;

const char *cove_skr_enc_name(cove_skr_enc enc);
cove_skr_enc cove_skr_enc_from_name(const char *name); /* 0 when unknown */

/* AES key wrap with padding (RFC 5649) under a 16-, 24- or 32-byte KEK. */
cove_err cove_aes_kwp_wrap(const uint8_t *kek, size_t kek_len, const void *in, size_t len, cove_buf *out,
			   cove_error *e);
cove_err cove_aes_kwp_unwrap(const uint8_t *kek, size_t kek_len, const void *in, size_t len, cove_buf *out,
			     cove_error *e);

/*
 * Wrap `key` bytes to the RSA public JWK `tee_jwk` (2048 bits or more):
 * out = RSA-OAEP(tee key, fresh 32-byte AES key) || AES-KWP(AES key, key).
 * Key material is raw bytes for a symmetric key and PKCS#8 DER for an RSA
 * or EC key (cove_token_jwk_to_pkcs8).
 */
cove_err cove_skr_wrap(const json_t *tee_jwk, cove_skr_enc enc, const void *key, size_t len, cove_buf *out,
		       cove_error *e);
/* The reverse, with the TEE's private RSA JWK (for tests and clients). */
cove_err cove_skr_unwrap(const json_t *tee_private_jwk, cove_skr_enc enc, const void *in, size_t len,
			 cove_buf *out, cove_error *e);
/* PKCS#8 DER of a private RSA or EC JWK: the key material SKR wraps for those key types. */
cove_err cove_token_jwk_to_pkcs8(const json_t *jwk, cove_buf *out, cove_error *e);

/*
 * The key-encryption key Key Vault picks from verified token claims: the
 * first RSA key of the top-level x-ms-runtime.keys with "key_use":"enc" or
 * "encrypt" in "key_ops" (borrowed from `claims`).
 */
cove_err cove_skr_find_tee_key(const json_t *claims, const json_t **jwk, cove_error *e);

/*
 * key_hsm as Key Vault returns it: base64url of {"schema_version":"1.0",
 * "header":{"kid":<tee kid>,"alg":"dir","enc":<enc>},"ciphertext":<base64url(wrapped)>}.
 */
cove_err cove_skr_key_hsm(const char *tee_kid, cove_skr_enc enc, const cove_buf *wrapped, char **out,
			  cove_error *e);

/* ---- KBS resources: flattened JWE ---- */

/*
 * Encrypt `data` to the TEE's public JWK: EC P-256/P-384/P-521 with
 * ECDH-ES+A256KW, RSA (2048 bits or more) with RSA-OAEP-256; enc A256GCM.
 * *jwe = {"protected","encrypted_key","iv","ciphertext","tag"}.
 * An "alg" in `tee_jwk` must be the one that goes with its key type.
 */
cove_err cove_token_jwe_encrypt(const json_t *tee_jwk, const void *data, size_t len, json_t **jwe,
				cove_error *e);
/* Decrypt a flattened JWE with the private JWK (tests, clients).  Only the algorithms above are accepted. */
cove_err cove_token_jwe_decrypt(const json_t *jwe, const json_t *private_jwk, cove_buf *out, cove_error *e);

#ifdef __cplusplus
}
#endif
#endif
