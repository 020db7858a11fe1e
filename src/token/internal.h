/*
 * Helpers shared by the token module's files (src/token/): a libjose
 * configuration that records libjose's own error text, strict base64url
 * for JOSE segments, and the public part of a JWK.  Not installed.
 */
#ifndef COVE_TOKEN_INTERNAL_H
#define COVE_TOKEN_INTERNAL_H

#include <jose/jose.h>

#include "cove/token.h"

/* A libjose configuration whose error callback keeps the last message. */
typedef struct cove_jose {
	jose_cfg_t *cfg;
	char msg[256];
} cove_jose;

cove_err cove_jose_init(cove_jose *j, cove_error *e);
void cove_jose_fini(cove_jose *j);
/* libjose's last message, or `fallback` when it gave none. */
const char *cove_jose_msg(const cove_jose *j, const char *fallback);

/*
 * Decode base64url as RFC 7515 section 2 requires: URL alphabet only, no
 * padding, no white space and zero unused bits (one text per byte string).
 * `what` names the field in the error message.
 */
cove_err cove_token_b64url_decode(const char *text, size_t len, const char *what, cove_buf *out, cove_error *e);

/*
 * A new JWK holding only the public members of an RSA or EC key (kty, n, e
 * or kty, crv, x, y), checked for form: RSA moduli of at least 2048 bits,
 * EC curves P-256, P-384 and P-521 with coordinates of the curve's size.
 */
cove_err cove_token_jwk_public_copy(const json_t *jwk, const char *what, json_t **out, cove_error *e);

/* RSA modulus size in bits of an RSA JWK already checked by the function above. */
size_t cove_token_jwk_rsa_bits(const json_t *jwk);

/* A new copy of the signing key's private JWK (kty and key members only). */
json_t *cove_token_key_private_jwk(const cove_token_key *k);

/* The signing key imported into OpenSSL once, at creation (borrowed; thread-safe for signing). */
cove_pkey *cove_token_key_signing_pkey(const cove_token_key *k);
/* A DigestSign context initialised for the key's algorithm: copy it (EVP_MD_CTX_copy_ex), never use it. */
const struct evp_md_ctx_st *cove_token_key_sign_template(const cove_token_key *k);

#endif
