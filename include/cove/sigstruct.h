/*
 * cove/sigstruct.h - the SGX enclave signature structure (SIGSTRUCT, 1808
 * bytes) and enclave signing keys (RSA-3072, public exponent 3).
 *
 * SIGSTRUCT carries the enclave's expected measurement (ENCLAVEHASH =
 * MRENCLAVE), its attributes and their masks, product id and SVN, signed
 * with the vendor's key; MRSIGNER is SHA-256 of that key's modulus as stored
 * in SIGSTRUCT (little-endian).  MRENCLAVE itself is an input here: it is
 * computed over the loader's page layout elsewhere.  See docs/sigstruct.md.
 */
#ifndef COVE_SIGSTRUCT_H
#define COVE_SIGSTRUCT_H

#include <stdbool.h>
#include <stdint.h>

#include "cove/crypto.h"
#include "cove/err.h"

#ifdef __cplusplus
extern "C" {
#endif

#define COVE_SIGSTRUCT_SIZE 1808
#define COVE_SIGSTRUCT_KEY_BITS 3072
#define COVE_SIGSTRUCT_KEY_SIZE 384 /* modulus, signature, Q1 and Q2 */
#define COVE_SIGSTRUCT_EXPONENT 3
#define COVE_SIGSTRUCT_TYPE_DEBUG 0x80000000u /* TYPE bit 31: debug-signed */
#define COVE_SIGSTRUCT_VENDOR_INTEL 0x8086u   /* MODULEVENDOR; 0 for everyone else */

/* The signer-chosen fields of a SIGSTRUCT (everything but the key material). */
typedef struct cove_sigstruct_fields {
	uint32_t type;          /* COVE_SIGSTRUCT_TYPE_DEBUG or 0 */
	uint32_t module_vendor; /* COVE_SIGSTRUCT_VENDOR_INTEL or 0 */
	uint32_t date;          /* BCD 0xYYYYMMDD */
	uint32_t hw_version;    /* non-zero only for launch enclaves */
	uint32_t misc_select;
	uint32_t misc_mask;
	uint8_t isv_family_id[16];
	uint64_t attr_flags;
	uint64_t attr_xfrm;
	uint64_t attr_mask_flags;
	uint64_t attr_mask_xfrm;
	uint8_t enclave_hash[32]; /* MRENCLAVE */
	uint8_t isv_ext_prod_id[16];
	uint16_t isv_prod_id;
	uint16_t isv_svn;
} cove_sigstruct_fields;

/* A decoded SIGSTRUCT; the byte arrays are little-endian as on the wire. */
typedef struct cove_sigstruct {
	cove_sigstruct_fields f;
	uint8_t modulus[COVE_SIGSTRUCT_KEY_SIZE];
	uint32_t exponent;
	uint8_t signature[COVE_SIGSTRUCT_KEY_SIZE];
	uint8_t q1[COVE_SIGSTRUCT_KEY_SIZE];
	uint8_t q2[COVE_SIGSTRUCT_KEY_SIZE];
} cove_sigstruct;

/*
 * Decode exactly COVE_SIGSTRUCT_SIZE bytes.  Refuses (COVE_ERR_PARSE, naming
 * the offset) a wrong length, HEADER/HEADER2 other than the architectural
 * constants, TYPE bits 30:0 set, MODULEVENDOR other than 0 or 0x8086, an
 * exponent other than 3 and non-zero reserved bytes.  No signature check.
 */
cove_err cove_sigstruct_parse(const uint8_t *data, size_t len, cove_sigstruct *out, cove_error *e);

/* Encode `s` with the architectural constants and zero reserved bytes. */
void cove_sigstruct_encode(const cove_sigstruct *s, uint8_t out[COVE_SIGSTRUCT_SIZE]);

/*
 * Sign `f` with `key` (an RSA-3072 private key with e = 3; anything else is
 * COVE_ERR_ARG): fills MODULUS and EXPONENT, the PKCS#1 v1.5 SHA-256
 * signature over bytes 0..127 || 900..1027 and Q1/Q2, all little-endian.
 */
cove_err cove_sigstruct_sign(cove_pkey *key, const cove_sigstruct_fields *f, uint8_t out[COVE_SIGSTRUCT_SIZE],
			     cove_error *e);

/*
 * Parse `sig` and check its signature with the embedded modulus and exponent
 * and that Q1/Q2 are the ones the signature and modulus determine.  A bad
 * signature or Q1/Q2 is COVE_ERR_VERIFY; a malformed structure COVE_ERR_PARSE.
 */
cove_err cove_sigstruct_verify(const uint8_t sig[COVE_SIGSTRUCT_SIZE], cove_error *e);

/* MRSIGNER of a decoded SIGSTRUCT: SHA-256 of its 384-byte little-endian modulus. */
cove_err cove_sigstruct_mrsigner(const cove_sigstruct *s, uint8_t out[COVE_SHA256_LEN], cove_error *e);

/* MRSIGNER that SIGSTRUCTs signed by `key` will carry (same key checks as signing). */
cove_err cove_sigstruct_key_mrsigner(cove_pkey *key, uint8_t out[COVE_SHA256_LEN], cove_error *e);

/* Generate a new RSA-3072, e = 3 enclave signing key; release with cove_pkey_free(). */
cove_err cove_sigstruct_key_new(cove_pkey **out, cove_error *e);

/*
 * Write `key` as a PEM private key to `path` with mode 0600.  An existing file
 * is refused (COVE_ERR_ARG) unless `force`, in which case it is replaced.
 */
cove_err cove_sigstruct_key_write(cove_pkey *key, const char *path, bool force, cove_error *e);

#ifdef __cplusplus
}
#endif
#endif
