/*
 * cove/crypto.h - thin wrappers over OpenSSL 3 for what evidence verification
 * needs: SHA-2 digests, ECDSA verification from the little-endian R||S form
 * used by AMD and the big-endian form used by Intel, RSA-PSS, and X.509
 * certificate and CRL handling at an explicit verification time.
 *
 * OpenSSL objects (EVP_PKEY, X509, X509_CRL) cross this interface as opaque
 * pointers; the caller owns what a *_new / *_load function returns.
 */
#ifndef COVE_CRYPTO_H
#define COVE_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cove/bytes.h"
#include "cove/err.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct evp_pkey_st cove_pkey;   /* = EVP_PKEY */
typedef struct x509_st cove_x509;       /* = X509 */
typedef struct X509_crl_st cove_x509_crl; /* = X509_CRL */

typedef enum cove_hash {
	COVE_SHA256 = 1,
	COVE_SHA384,
	COVE_SHA512,
} cove_hash;

#define COVE_SHA256_LEN 32
#define COVE_SHA384_LEN 48
#define COVE_SHA512_LEN 64
#define COVE_HASH_MAX_LEN 64

size_t cove_hash_len(cove_hash h);
cove_err cove_digest(cove_hash h, const void *data, size_t len, uint8_t *out, cove_error *e);

/* Incremental hashing for callers that chain many blocks (launch digests). */
typedef struct cove_hash_ctx cove_hash_ctx;
cove_err cove_hash_ctx_new(cove_hash h, cove_hash_ctx **out, cove_error *e);
cove_err cove_hash_ctx_update(cove_hash_ctx *c, const void *data, size_t len, cove_error *e);
/* Writes the digest and resets the context for reuse. */
cove_err cove_hash_ctx_final(cove_hash_ctx *c, uint8_t *out, cove_error *e);
void cove_hash_ctx_free(cove_hash_ctx *c);

void cove_random_bytes(void *out, size_t len);

/*
 * Verify an ECDSA signature given as two fixed-width integers `r` and `s` of
 * `width` bytes each, stored little-endian (AMD SEV-SNP) or big-endian
 * (Intel DCAP).  The digest of `msg` is taken with `h`.
 */
cove_err cove_ecdsa_verify_raw(cove_pkey *pub, cove_hash h, const void *msg, size_t msg_len,
			       const uint8_t *r, const uint8_t *s, size_t width, bool little_endian,
			       cove_error *e);

/* Produce a raw (r, s) pair in the same layout; used by the emulated platform. */
cove_err cove_ecdsa_sign_raw(cove_pkey *priv, cove_hash h, const void *msg, size_t msg_len,
			     uint8_t *r, uint8_t *s, size_t width, bool little_endian, cove_error *e);

/* RSASSA-PSS with MGF1 of the same hash and the given salt length. */
cove_err cove_rsa_pss_verify(cove_pkey *pub, cove_hash h, int salt_len, const void *msg, size_t msg_len,
			     const uint8_t *sig, size_t sig_len, cove_error *e);

void cove_pkey_free(cove_pkey *k);
/* SHA-256 of the DER SubjectPublicKeyInfo: how cove pins root keys. */
cove_err cove_pkey_spki_sha256(cove_pkey *k, uint8_t out[COVE_SHA256_LEN], cove_error *e);
cove_err cove_pkey_load_pem(const char *path, cove_pkey **out, cove_error *e);
cove_err cove_pkey_write_pem(cove_pkey *k, const char *path, cove_error *e);

/* ---- X.509 ---- */

/* A list of certificates, as found in a PEM bundle, a DER file or a certificate table. */
typedef struct cove_x509_list {
	cove_x509 **certs;
	size_t count;
} cove_x509_list;

void cove_x509_list_free(cove_x509_list *l);
/* Appends a reference (the list takes its own). */
cove_err cove_x509_list_add(cove_x509_list *l, cove_x509 *cert, cove_error *e);
/* Parse DER (one certificate) or PEM (one or more) from memory; appends to `l`. */
cove_err cove_x509_list_parse(cove_x509_list *l, const void *data, size_t len, cove_error *e);

cove_err cove_x509_parse(const void *data, size_t len, cove_x509 **out, cove_error *e); /* DER or PEM, one */
void cove_x509_free(cove_x509 *c);
cove_x509 *cove_x509_ref(cove_x509 *c);

/* Borrowed public key of the certificate (do not free). */
cove_pkey *cove_x509_pubkey(cove_x509 *c);
bool cove_x509_is_self_issued(cove_x509 *c);
/* Subject common name into `out` ("" if none). */
void cove_x509_subject_cn(cove_x509 *c, char *out, size_t out_len);
/* One-line subject/issuer in RFC 2253 form into `out`. */
void cove_x509_subject(cove_x509 *c, char *out, size_t out_len);
/* Serial as lower-case hex without leading zeros (at most 40 bytes). */
void cove_x509_serial_hex(cove_x509 *c, char *out, size_t out_len);
cove_err cove_x509_der(cove_x509 *c, cove_buf *out, cove_error *e);
int64_t cove_x509_not_before(cove_x509 *c);
int64_t cove_x509_not_after(cove_x509 *c);
cove_err cove_x509_spki_sha256(cove_x509 *c, uint8_t out[COVE_SHA256_LEN], cove_error *e);

/* Raw content octets of the extension with dotted OID `oid`; *found = false if absent. */
cove_err cove_x509_extension(cove_x509 *c, const char *oid, const uint8_t **data, size_t *len, bool *found,
			     cove_error *e);

/*
 * Check that `cert` was signed by `issuer_key` with RSASSA-PSS using hash `h`,
 * MGF1 with the same hash and salt length `salt_len`, as its signature
 * algorithm declares.  Anything else (PKCS#1 v1.5, other parameters) fails.
 */
cove_err cove_x509_check_pss_signature(cove_x509 *cert, cove_pkey *issuer_key, cove_hash h, int salt_len,
				       cove_error *e);

/* Plain signature check by the issuer's key with whatever algorithm the certificate declares. */
cove_err cove_x509_check_signature(cove_x509 *cert, cove_pkey *issuer_key, cove_error *e);

/* Validity window check at `at` (seconds since the epoch). */
cove_err cove_x509_check_validity(cove_x509 *cert, int64_t at, cove_error *e);

/*
 * Build and verify the path leaf -> intermediates -> anchor at time `at` with
 * OpenSSL's verifier, trusting only `anchor`.  No CRL processing here.  When
 * `chain` is non-NULL it receives the path, leaf first, anchor last.
 */
cove_err cove_x509_verify_path(cove_x509 *leaf, const cove_x509_list *intermediates, cove_x509 *anchor,
			       int64_t at, cove_x509_list *chain, cove_error *e);
/* True when `issuer`'s subject and key identifier match `subject`'s issuer fields (no signature check). */
bool cove_x509_is_issuer_of(cove_x509 *issuer, cove_x509 *subject);
/* True when the certificate is a CA (basicConstraints cA). */
bool cove_x509_is_ca(cove_x509 *c);
/* SHA-256 of the certificate's DER encoding. */
cove_err cove_x509_sha256(cove_x509 *c, uint8_t out[COVE_SHA256_LEN], cove_error *e);
cove_err cove_x509_crl_sha256(cove_x509_crl *crl, uint8_t out[COVE_SHA256_LEN], cove_error *e);
/* Key type checks. */
bool cove_pkey_is_ec_p384(cove_pkey *k);
bool cove_pkey_is_ec_p256(cove_pkey *k);
/*
 * An EC public key from its raw affine coordinates x||y (big-endian, each
 * half of `len`), on curve "P-256" or "P-384".  A point not on the curve fails.
 */
cove_err cove_pkey_from_ec_xy(const char *curve, const uint8_t *xy, size_t len, cove_pkey **out, cove_error *e);

/* ---- CRL ---- */
cove_err cove_x509_crl_parse(const void *data, size_t len, cove_x509_crl **out, cove_error *e); /* DER or PEM */
void cove_x509_crl_free(cove_x509_crl *crl);
cove_err cove_x509_crl_der(cove_x509_crl *crl, cove_buf *out, cove_error *e);
int64_t cove_x509_crl_this_update(cove_x509_crl *crl);
int64_t cove_x509_crl_next_update(cove_x509_crl *crl); /* 0 when absent */
cove_err cove_x509_crl_check_signature(cove_x509_crl *crl, cove_pkey *issuer_key, cove_error *e);
/* true if `cert`'s serial is listed. */
bool cove_x509_crl_lists(cove_x509_crl *crl, cove_x509 *cert);
/* Issuer of the CRL equals the subject of `issuer`. */
bool cove_x509_crl_issued_by(cove_x509_crl *crl, cove_x509 *issuer);
/* The CRL's signature algorithm is RSASSA-PSS with hash h, MGF1(h), salt_len. */
cove_err cove_x509_crl_check_pss(cove_x509_crl *crl, cove_hash h, int salt_len, cove_error *e);

/* ---- Time ---- */

/* Parse an RFC 3339 time ("2025-07-01T00:00:00Z", offsets allowed). */
cove_err cove_time_parse(const char *text, int64_t *out, cove_error *e);
/* Format as "YYYY-MM-DDTHH:MM:SSZ" into out[21]. */
void cove_time_format(int64_t t, char out[32]);
int64_t cove_time_now(void);

/* The last OpenSSL error as text, for messages (static buffer per thread). */
const char *cove_openssl_error(void);

#ifdef __cplusplus
}
#endif
#endif
