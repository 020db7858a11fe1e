/*
 * cove/sgx_report.h - SGX REPORT, TARGETINFO and KEYREQUEST in their
 * architectural layouts, EGETKEY-style key derivation from a platform root
 * secret, and REPORT creation/verification (local attestation between two
 * enclaves).
 *
 * This is the pure layer of the emulated platform's trusted API: every
 * function is a deterministic computation over its arguments (plus, where
 * stated, fresh random bytes), parameterised by the platform's 32-byte root
 * secret.  See docs/sealing.md.
 */
#ifndef COVE_SGX_REPORT_H
#define COVE_SGX_REPORT_H

#include <stdint.h>

#include "cove/dcap.h" /* cove_sgx_report_body, COVE_SGX_REPORT_BODY_SIZE, COVE_SGX_FLAGS_* */
#include "cove/err.h"

#ifdef __cplusplus
extern "C" {
#endif

#define COVE_SGX_ROOT_SECRET_SIZE 32
#define COVE_SGX_KEY_SIZE 16
#define COVE_SGX_KEYID_SIZE 32
#define COVE_SGX_MAC_SIZE 16
#define COVE_SGX_REPORT_DATA_SIZE 64
#define COVE_SGX_REPORT_SIZE 432     /* REPORTBODY 384 || KEYID 32 || MAC 16 */
#define COVE_SGX_TARGETINFO_SIZE 512
#define COVE_SGX_KEYREQUEST_SIZE 512

/* KEYREQUEST.KEYNAME (sgx_key.h). */
typedef enum cove_sgx_keyname {
	COVE_SGX_KEY_EINITTOKEN = 0,
	COVE_SGX_KEY_PROVISION = 1,
	COVE_SGX_KEY_PROVISION_SEAL = 2,
	COVE_SGX_KEY_REPORT = 3,
	COVE_SGX_KEY_SEAL = 4,
} cove_sgx_keyname;

/* KEYREQUEST.KEYPOLICY bits (sgx_key.h). */
#define COVE_SGX_KEYPOLICY_MRENCLAVE 0x0001u
#define COVE_SGX_KEYPOLICY_MRSIGNER 0x0002u
#define COVE_SGX_KEYPOLICY_NOISVPRODID 0x0004u
#define COVE_SGX_KEYPOLICY_CONFIGID 0x0008u
#define COVE_SGX_KEYPOLICY_ISVFAMILYID 0x0010u
#define COVE_SGX_KEYPOLICY_ISVEXTPRODID 0x0020u
#define COVE_SGX_KEYPOLICY_VALID 0x003Fu
/* Policy bits that need the KSS attribute (key separation and sharing). */
#define COVE_SGX_KEYPOLICY_KSS \
	(COVE_SGX_KEYPOLICY_NOISVPRODID | COVE_SGX_KEYPOLICY_CONFIGID | COVE_SGX_KEYPOLICY_ISVFAMILYID | \
	 COVE_SGX_KEYPOLICY_ISVEXTPRODID)

/* The masks sgx_seal_data uses (tSeal.cpp): INIT, DEBUG, bit 3 and bits 63:56 of the flags; no XFRM. */
#define COVE_SGX_SEAL_ATTR_MASK_FLAGS 0xFF0000000000000Bull
#define COVE_SGX_SEAL_ATTR_MASK_XFRM 0x0ull
#define COVE_SGX_SEAL_MISC_MASK 0xF0000000u

/*
 * What an enclave is, as the platform knows it (its SECS plus the platform's
 * current CPUSVN).  Everything the derivation may depend on is here.
 */
typedef struct cove_sgx_identity {
	uint8_t mr_enclave[32];
	uint8_t mr_signer[32];
	uint16_t isv_prod_id;
	uint16_t isv_svn;
	uint8_t cpu_svn[16];  /* the platform's current CPUSVN */
	uint64_t attr_flags;  /* ATTRIBUTES.FLAGS */
	uint64_t attr_xfrm;   /* ATTRIBUTES.XFRM */
	uint32_t misc_select;
	uint8_t config_id[64];
	uint16_t config_svn;
	uint8_t isv_family_id[16];
	uint8_t isv_ext_prod_id[16];
} cove_sgx_identity;

/* TARGETINFO (512 bytes): the enclave a REPORT is meant for. */
typedef struct cove_sgx_targetinfo {
	uint8_t mr_enclave[32];
	uint64_t attr_flags;
	uint64_t attr_xfrm;
	uint16_t config_svn;
	uint32_t misc_select;
	uint8_t config_id[64];
} cove_sgx_targetinfo;

/* KEYREQUEST (512 bytes). */
typedef struct cove_sgx_keyrequest {
	uint16_t key_name;    /* cove_sgx_keyname */
	uint16_t key_policy;  /* COVE_SGX_KEYPOLICY_* */
	uint16_t isv_svn;
	uint8_t cpu_svn[16];
	uint64_t attr_mask_flags;
	uint64_t attr_mask_xfrm;
	uint8_t key_id[COVE_SGX_KEYID_SIZE];
	uint32_t misc_mask;
	uint16_t config_svn;
} cove_sgx_keyrequest;

/* A REPORT split into its parts (the MAC covers the 384 body bytes as transmitted). */
typedef struct cove_sgx_report {
	cove_sgx_report_body body;
	uint8_t key_id[COVE_SGX_KEYID_SIZE];
	uint8_t mac[COVE_SGX_MAC_SIZE];
} cove_sgx_report;

/* Encoders write every byte (reserved ones as zero); decoders refuse non-zero reserved bytes. */
void cove_sgx_report_body_encode(const cove_sgx_report_body *b, uint8_t out[COVE_SGX_REPORT_BODY_SIZE]);
cove_err cove_sgx_report_parse(const uint8_t *raw, size_t len, cove_sgx_report *out, cove_error *e);
void cove_sgx_targetinfo_encode(const cove_sgx_targetinfo *t, uint8_t out[COVE_SGX_TARGETINFO_SIZE]);
cove_err cove_sgx_targetinfo_parse(const uint8_t *raw, size_t len, cove_sgx_targetinfo *out, cove_error *e);
void cove_sgx_keyrequest_encode(const cove_sgx_keyrequest *k, uint8_t out[COVE_SGX_KEYREQUEST_SIZE]);
cove_err cove_sgx_keyrequest_parse(const uint8_t *raw, size_t len, cove_sgx_keyrequest *out, cove_error *e);

/* The TARGETINFO naming `id` (what an enclave hands to another so that it can report to it). */
void cove_sgx_targetinfo_init(const cove_sgx_identity *id, cove_sgx_targetinfo *out);
/* The identity a REPORTBODY states (report_data is not part of an identity). */
void cove_sgx_identity_init(const cove_sgx_report_body *b, cove_sgx_identity *out);

/*
 * EGETKEY: derive the 128-bit key `req` asks for, on behalf of enclave `id`.
 * SEAL, REPORT, PROVISION and PROVISION_SEAL are supported (EINITTOKEN is
 * COVE_ERR_UNSUPPORTED: the emulation has no launch control).  Refusals, as
 * on hardware: a request ISVSVN, CONFIGSVN or any CPUSVN component above the
 * enclave's current one (COVE_ERR_POLICY, "INVALID_ISVSVN"/"INVALID_CPUSVN"),
 * unknown KEYPOLICY bits or KSS policy bits without the KSS attribute, and
 * PROVISION keys without the PROVISIONKEY attribute (COVE_ERR_ARG / POLICY).
 * `out` is zeroed on failure.
 */
cove_err cove_sgx_derive_key(const uint8_t root_secret[COVE_SGX_ROOT_SECRET_SIZE], const cove_sgx_identity *id,
			     const cove_sgx_keyrequest *req, uint8_t out[COVE_SGX_KEY_SIZE], cove_error *e);

/*
 * EREPORT: a REPORT stating `self` and `report_data`, MACed (AES-128-CMAC
 * over the 384-byte body) with the REPORT key of the enclave `target` names,
 * under a fresh random KEYID.  `self->cpu_svn` is the platform's CPUSVN;
 * a NULL `report_data` stands for 64 zero bytes.
 */
cove_err cove_sgx_report_create(const uint8_t root_secret[COVE_SGX_ROOT_SECRET_SIZE], const cove_sgx_identity *self,
				const cove_sgx_targetinfo *target,
				const uint8_t report_data[COVE_SGX_REPORT_DATA_SIZE],
				uint8_t out[COVE_SGX_REPORT_SIZE], cove_error *e);

/*
 * sgx_verify_report: `self` (the enclave the report targeted) re-derives its
 * REPORT key with the report's KEYID and checks the MAC in constant time.
 * COVE_ERR_VERIFY when the MAC does not match (tampered, or meant for another
 * enclave or platform); `out` (optional) receives the parsed report on success.
 */
cove_err cove_sgx_report_verify(const uint8_t root_secret[COVE_SGX_ROOT_SECRET_SIZE], const cove_sgx_identity *self,
				const uint8_t *report, size_t report_len, cove_sgx_report *out, cove_error *e);

#ifdef __cplusplus
}
#endif
#endif
