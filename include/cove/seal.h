/*
 * cove/seal.h - sealing: authenticated encryption of enclave data under a
 * key only the same enclave (MRENCLAVE policy) or the same signer's enclaves
 * (MRSIGNER policy) on the same platform can derive again.
 *
 * The blob is Intel's `sgx_sealed_data_t` byte for byte: KEYREQUEST[512]@0,
 * plain_text_offset u32@512, payload_size u32@528, GCM tag[16]@544 and the
 * payload@560 = ciphertext || additional MAC text (in clear, authenticated).
 * AES-128-GCM with a 12-byte zero IV under a key derived with a fresh random
 * KEYID per blob.  See docs/sealing.md.
 */
#ifndef COVE_SEAL_H
#define COVE_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "cove/err.h"
#include "cove/sgx_report.h"

#ifdef __cplusplus
extern "C" {
#endif

#define COVE_SEALED_HEADER_SIZE 560
#define COVE_SEALED_MAX_SIZE 0xFFFFFFFFu /* the length fields are u32 */

/* Size of a blob sealing `text_len` bytes with `aad_len` bytes of MAC text; COVE_ERR_ARG when above 4 GiB - 1. */
cove_err cove_sealed_data_size(size_t aad_len, size_t text_len, size_t *out, cove_error *e);

/*
 * Seal into a caller buffer of `blob_cap` >= cove_sealed_data_size() bytes
 * (`*blob_len` receives the size written).  `policy` must contain
 * COVE_SGX_KEYPOLICY_MRENCLAVE or _MRSIGNER and may add the KSS bits.  The
 * KEYREQUEST records the enclave's current ISVSVN, CPUSVN and CONFIGSVN.
 */
cove_err cove_seal_to(const uint8_t root_secret[COVE_SGX_ROOT_SECRET_SIZE], const cove_sgx_identity *id,
		      uint16_t policy, const void *text, size_t text_len, const void *aad, size_t aad_len,
		      uint8_t *blob, size_t blob_cap, size_t *blob_len, cove_error *e);

/* As cove_seal_to, into a new heap blob (free() it). */
cove_err cove_seal(const uint8_t root_secret[COVE_SGX_ROOT_SECRET_SIZE], const cove_sgx_identity *id, uint16_t policy,
		   const void *text, size_t text_len, const void *aad, size_t aad_len, uint8_t **blob,
		   size_t *blob_len, cove_error *e);

/* The header of a sealed blob, checked for shape only (no key is derived). */
typedef struct cove_sealed_info {
	cove_sgx_keyrequest key_request;
	size_t text_len;  /* plain_text_offset */
	size_t aad_len;   /* payload_size - plain_text_offset */
	const uint8_t *tag;
	const uint8_t *ciphertext;  /* inside the blob */
	const uint8_t *aad;         /* inside the blob */
} cove_sealed_info;

/*
 * Check the blob's layout: exact length, KEYNAME = SEAL, known policy bits,
 * zero reserved bytes, consistent lengths.  COVE_ERR_PARSE otherwise.
 */
cove_err cove_sealed_parse(const uint8_t *blob, size_t blob_len, cove_sealed_info *out, cove_error *e);

/*
 * Unseal as enclave `id`: parse, derive the key from the stored KEYREQUEST
 * (COVE_ERR_POLICY if it asks for an SVN above id's current ones), decrypt
 * and authenticate.  COVE_ERR_VERIFY when the tag does not match (tampered
 * blob, or another enclave/signer/platform).  `text` and `aad` (either may be
 * NULL when not wanted) receive new heap copies (free() them; a zero length
 * yields a non-NULL 1-byte allocation).  Nothing is returned on failure.
 */
cove_err cove_unseal(const uint8_t root_secret[COVE_SGX_ROOT_SECRET_SIZE], const cove_sgx_identity *id,
		     const uint8_t *blob, size_t blob_len, uint8_t **text, size_t *text_len, uint8_t **aad,
		     size_t *aad_len, cove_error *e);

#ifdef __cplusplus
}
#endif
#endif
