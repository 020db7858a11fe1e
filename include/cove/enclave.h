/*
 * cove/enclave.h - the trusted API: what code inside a cove enclave may call
 * besides its ocalls.  The emulated platform implements these in the enclave
 * process (the loader plays the part of the CPU: EREPORT, EGETKEY and the
 * quoting enclave); on SGX hardware they map onto the same instructions.
 *
 * Layouts are the architectural ones (cove/sgx_report.h): REPORT 432 bytes,
 * TARGETINFO 512, KEYREQUEST 512; sealed blobs use the SDK's sgx_sealed_data_t
 * layout (cove/seal.h).  Compare shared/research/enclave-sdk.md A1 (Open
 * Enclave's oe_get_report / oe_seal) and A2 (sgx_create_report, sgx_seal_data).
 */
#ifndef COVE_ENCLAVE_H
#define COVE_ENCLAVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cove/err.h"
#include "cove/sgx_report.h"

#ifdef __cplusplus
extern "C" {
#endif

/* [p, p+n) lies entirely inside / entirely outside this enclave's memory (n == 0: the byte at p). */
bool cove_is_within_enclave(const void *p, size_t n);
bool cove_is_outside_enclave(const void *p, size_t n);

/* The enclave heap (malloc() inside an enclave draws from the same heap). */
void *cove_enclave_malloc(size_t n);
void *cove_enclave_calloc(size_t count, size_t n);
void cove_enclave_free(void *p);

/* Random bytes from the platform (getrandom inside the enclave process). */
cove_err cove_random(void *buf, size_t n, cove_error *e);

/* This enclave's identity (MRENCLAVE, MRSIGNER, SVNs, attributes, platform CPUSVN). */
cove_err cove_enclave_identity(cove_sgx_identity *out, cove_error *e);

/* This enclave's TARGETINFO, to hand to another enclave that will report to it. */
cove_err cove_enclave_target_info(uint8_t out[COVE_SGX_TARGETINFO_SIZE], cove_error *e);

/*
 * EREPORT: a REPORT of this enclave with `report_data` (NULL = zeros), MACed
 * for the enclave `target_info` names (NULL = for this enclave itself, or
 * for the platform's quoting enclave when the report is to be quoted).
 */
cove_err cove_enclave_report(const uint8_t *target_info, size_t target_info_len,
			     const uint8_t report_data[COVE_SGX_REPORT_DATA_SIZE], uint8_t out[COVE_SGX_REPORT_SIZE],
			     cove_error *e);

/* Local attestation: check a REPORT another enclave made for this one (COVE_ERR_VERIFY on a bad MAC). */
cove_err cove_enclave_verify_report(const uint8_t *report, size_t len, cove_sgx_report *out, cove_error *e);

/* EGETKEY on behalf of this enclave (SVN rules and policy bits as cove_sgx_derive_key). */
cove_err cove_enclave_get_key(const cove_sgx_keyrequest *req, uint8_t key[COVE_SGX_KEY_SIZE], cove_error *e);

/*
 * Seal `text` (and authenticate `aad`) to this enclave (policy
 * COVE_SGX_KEYPOLICY_MRENCLAVE) or its signer (COVE_SGX_KEYPOLICY_MRSIGNER);
 * *blob is from the enclave heap (cove_enclave_free).
 */
cove_err cove_enclave_seal(uint16_t policy, const void *text, size_t text_len, const void *aad, size_t aad_len,
			   uint8_t **blob, size_t *blob_len, cove_error *e);

/*
 * Unseal a blob sealed by this enclave (or, with MRSIGNER policy, by an
 * enclave of the same signer at an ISVSVN no higher than this one's).
 * *text and *aad (optional) come from the enclave heap.
 */
cove_err cove_enclave_unseal(const uint8_t *blob, size_t blob_len, uint8_t **text, size_t *text_len, uint8_t **aad,
			     size_t *aad_len, cove_error *e);

/*
 * Remote evidence: a DCAP ECDSA P-256 quote v3 over a REPORT of this enclave
 * with `report_data`, signed by the emulated platform's quoting key with its
 * PCK-style chain (verifiable only with --trust-emulated-root).  *quote is
 * from the enclave heap.
 */
cove_err cove_enclave_quote(const uint8_t report_data[COVE_SGX_REPORT_DATA_SIZE], uint8_t **quote, size_t *quote_len,
			    cove_error *e);

/*
 * Key release to this enclave (Secure Key Release, docs/coved.md): the
 * enclave's TEE key, an RSA-2048 key pair created on first use and kept in
 * enclave memory for the life of the enclave.  *runtime_data receives the
 * MAA runtimeData JSON naming its public half,
 *   {"keys":[{"kid":"<RFC 7638 thumbprint>","kty":"RSA","key_ops":["encrypt"],"n":..,"e":..}]},
 * and report_data = SHA-256(that JSON) || 0^32, the binding an attestation
 * service checks (so quote it with cove_enclave_quote).  *runtime_data is
 * from the enclave heap.
 */
cove_err cove_enclave_tee_key(char **runtime_data, size_t *len, uint8_t report_data[COVE_SGX_REPORT_DATA_SIZE],
			      cove_error *e);

/*
 * Unwrap a key released to the TEE key: `wrapped` is the ciphertext of Key
 * Vault's key_hsm (RSA-OAEP of an AES key || AES-KWP of the key; `enc` one of
 * "CKM_RSA_AES_KEY_WRAP", "RSA_AES_KEY_WRAP_256", "RSA_AES_KEY_WRAP_384").
 * *key is from the enclave heap.
 */
cove_err cove_enclave_tee_key_unwrap(const char *enc, const uint8_t *wrapped, size_t len, uint8_t **key,
				     size_t *key_len, cove_error *e);

/*
 * False when the platform could not give this enclave memfd_secret memory
 * (the loader warned; the platform marks such evidence, see
 * docs/enclave-runtime.md).
 */
bool cove_enclave_has_secret_memory(void);

#ifdef __cplusplus
}
#endif
#endif
