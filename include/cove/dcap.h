/*
 * cove/dcap.h - Intel DCAP ECDSA quotes (SGX and TDX) and the SGX extension
 * of Intel's PCK certificates.
 *
 * Layouts: Intel QuoteGeneration sgx_quote_3.h / sgx_quote_4.h / sgx_quote_5.h,
 * sgx_report.h (REPORTBODY) and the TDX module's TDREPORT; offsets are
 * collected in shared/research/sgx-tdx.md section c.  Lengths always come from
 * the quote's own length fields, never from the size of the buffer (genuine
 * TD quotes arrive zero-padded to 8000 bytes).
 */
#ifndef COVE_DCAP_H
#define COVE_DCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "cove/crypto.h"
#include "cove/err.h"

#ifdef __cplusplus
extern "C" {
#endif

#define COVE_DCAP_HEADER_SIZE 48
#define COVE_SGX_REPORT_BODY_SIZE 384
#define COVE_TDX_TD10_BODY_SIZE 584
#define COVE_TDX_TD15_BODY_SIZE 648
#define COVE_DCAP_MAX_QUOTE_SIZE (1u << 20) /* larger inputs are refused before parsing */

typedef enum cove_tee_type {
	COVE_TEE_SGX = 0x00,
	COVE_TEE_TDX = 0x81,
} cove_tee_type;

typedef enum cove_dcap_body_type {
	COVE_DCAP_BODY_SGX = 1,  /* SGX REPORTBODY, 384 bytes */
	COVE_DCAP_BODY_TD10 = 2, /* TD report body of TDX 1.0, 584 bytes */
	COVE_DCAP_BODY_TD15 = 3, /* TDX 1.5: adds TEE_TCB_SVN2 and MRSERVICETD, 648 bytes */
} cove_dcap_body_type;

/* Certification data types (sgx_quote_3.h). */
enum {
	COVE_DCAP_CERT_PPID_CLEARTEXT = 1,
	COVE_DCAP_CERT_PPID_RSA2048 = 2,
	COVE_DCAP_CERT_PPID_RSA3072 = 3,
	COVE_DCAP_CERT_PCK_LEAF = 4,
	COVE_DCAP_CERT_PCK_CHAIN = 5,
	COVE_DCAP_CERT_QE_REPORT = 6,
};

/* SGX ATTRIBUTES.FLAGS bits (sgx_attributes.h). */
#define COVE_SGX_FLAGS_INIT 0x1ull
#define COVE_SGX_FLAGS_DEBUG 0x2ull
#define COVE_SGX_FLAGS_MODE64BIT 0x4ull
#define COVE_SGX_FLAGS_PROVISION_KEY 0x10ull
#define COVE_SGX_FLAGS_EINITTOKEN_KEY 0x20ull
#define COVE_SGX_FLAGS_KSS 0x80ull
#define COVE_SGX_FLAGS_AEXNOTIFY 0x400ull

/* TD ATTRIBUTES bits (TDX module specification; trustee claims.rs). */
#define COVE_TDX_ATTR_DEBUG (1ull << 0)
#define COVE_TDX_ATTR_SEPT_VE_DISABLE (1ull << 28)
#define COVE_TDX_ATTR_PKS (1ull << 30)
#define COVE_TDX_ATTR_KL (1ull << 31)
#define COVE_TDX_ATTR_PERFMON (1ull << 63)

/* SGX REPORTBODY (384 bytes): the identity of an enclave. */
typedef struct cove_sgx_report_body {
	uint8_t cpu_svn[16];
	uint32_t misc_select;
	uint8_t isv_ext_prod_id[16];
	uint8_t attributes[16];  /* as stored: flags (LE u64) then xfrm (LE u64) */
	uint64_t attr_flags;
	uint64_t attr_xfrm;
	uint8_t mr_enclave[32];
	uint8_t mr_signer[32];
	uint8_t config_id[64];
	uint16_t isv_prod_id;
	uint16_t isv_svn;
	uint16_t config_svn;
	uint8_t isv_family_id[16];
	uint8_t report_data[64];
} cove_sgx_report_body;

/* Parse exactly COVE_SGX_REPORT_BODY_SIZE bytes (no field is rejected: it is the identity as given). */
void cove_sgx_report_body_parse(const uint8_t raw[COVE_SGX_REPORT_BODY_SIZE], cove_sgx_report_body *out);
json_t *cove_sgx_report_body_to_json(const cove_sgx_report_body *b);

/* TD report body (584 bytes for TDX 1.0, 648 for 1.5). */
typedef struct cove_tdx_td_body {
	uint8_t tee_tcb_svn[16];
	uint8_t mr_seam[48];
	uint8_t mr_signer_seam[48];
	uint64_t seam_attributes;
	uint64_t td_attributes;
	uint64_t xfam;
	uint8_t mr_td[48];
	uint8_t mr_config_id[48];
	uint8_t mr_owner[48];
	uint8_t mr_owner_config[48];
	uint8_t rtmr[4][48];
	uint8_t report_data[64];
	bool is_15;                /* TDX 1.5 body: the two fields below exist */
	uint8_t tee_tcb_svn2[16];
	uint8_t mr_service_td[48];
} cove_tdx_td_body;

json_t *cove_tdx_td_body_to_json(const cove_tdx_td_body *b);

/* A parsed quote.  Pointers refer into the caller's buffer, which must outlive it. */
typedef struct cove_dcap_quote {
	/* header */
	uint16_t version;       /* 3, 4 or 5 */
	uint16_t att_key_type;  /* 2 = ECDSA P-256 */
	uint32_t tee_type;      /* cove_tee_type; v3 is always SGX */
	uint16_t qe_svn;        /* v3 header only */
	uint16_t pce_svn;       /* v3 header only */
	uint8_t qe_vendor_id[16];
	uint8_t user_data[20];

	/* body */
	cove_dcap_body_type body_type;
	cove_sgx_report_body sgx;  /* when body_type == COVE_DCAP_BODY_SGX */
	cove_tdx_td_body td;       /* when body_type is TD10 or TD15 */

	/* what the attestation key signs: header and body */
	const uint8_t *signed_data;
	size_t signed_len;

	/* signature data */
	uint8_t signature[64];     /* ECDSA P-256 r||s, big-endian */
	uint8_t attest_key[64];    /* P-256 public key x||y, big-endian */
	const uint8_t *qe_report_raw; /* 384 bytes, signed by the PCK key */
	cove_sgx_report_body qe_report;
	uint8_t qe_report_signature[64];
	const uint8_t *qe_auth_data;
	size_t qe_auth_len;
	uint16_t cert_type;        /* innermost certification data type (5 for a PCK chain) */
	const uint8_t *cert_data;
	size_t cert_len;

	/* PCK chain from type-5 certification data (PEM or DER), leaf first (a root-first chain is reversed) */
	cove_x509_list pck_chain;

	size_t quote_len;          /* bytes used; the rest of the buffer is padding */
	size_t trailing_len;       /* bytes in the buffer after quote_len (zero padding, or anything for _prefix) */
} cove_dcap_quote;

/*
 * Parse a quote: versions 3 (SGX), 4 (SGX or TDX 1.0) and 5 (body types 1,
 * 2, 3).  Rejects unknown versions and key types, body/TEE mismatches, any
 * length that runs past the buffer, non-type-6 outer certification data in
 * v4/v5, and trailing bytes that are not zero.  Type-5 certification data is
 * split into its certificates; a type-5 blob that does not parse is an error.
 */
cove_err cove_dcap_quote_parse(const void *data, size_t len, cove_dcap_quote *out, cove_error *e);
/*
 * The same for a quote at the start of a larger buffer: whatever follows the
 * quote's end is not examined (it is not covered by any signature).
 * go-tdx-guest's tdx_prod_quote_SPR_E4.dat, a genuine quote, carries 39 bytes
 * of ASCII after its end.  On failure `out` holds nothing to free.
 */
cove_err cove_dcap_quote_parse_prefix(const void *data, size_t len, cove_dcap_quote *out, cove_error *e);

/* Parse options for cove_dcap_quote_parse_ex(). */
#define COVE_DCAP_PARSE_PREFIX 0x1   /* ignore what follows the quote, as _prefix does */
#define COVE_DCAP_PARSE_NO_CERTS 0x2 /* leave pck_chain empty: cert_data is parsed by whoever needs it */

/*
 * The general form.  With COVE_DCAP_PARSE_NO_CERTS the certification data is
 * only located, not decoded: a verifier that caches PCK chains by their bytes
 * (as cove_dcap_verify does) then never decodes the same chain twice.
 */
cove_err cove_dcap_quote_parse_ex(const void *data, size_t len, unsigned flags, cove_dcap_quote *out, cove_error *e);

/* Decode type-5 certification data (PEM or concatenated DER) into certificates, leaf first. */
cove_err cove_dcap_pck_chain_parse(const uint8_t *data, size_t len, cove_x509_list *out, cove_error *e);
void cove_dcap_quote_free(cove_dcap_quote *q);

/* Every field as JSON (hex for byte strings, decoded attributes). */
json_t *cove_dcap_quote_to_json(const cove_dcap_quote *q);

/* ---- SGX PCK certificate extension (OID 1.2.840.113741.1.13.1) ---- */

typedef enum cove_sgx_type {
	COVE_SGX_TYPE_STANDARD = 0,
	COVE_SGX_TYPE_SCALABLE = 1,
	COVE_SGX_TYPE_SCALABLE_WITH_INTEGRITY = 2,
} cove_sgx_type;

typedef struct cove_sgx_pck_ext {
	uint8_t ppid[16];
	uint8_t tcb_comp[16];   /* SGX TCB component SVNs 1..16 (.2.1 - .2.16) */
	uint16_t pcesvn;        /* .2.17 */
	uint8_t cpusvn[16];     /* .2.18 */
	uint8_t pceid[2];       /* .3 */
	uint8_t fmspc[6];       /* .4 */
	int sgx_type;           /* .5 */
	bool has_platform_instance_id;
	uint8_t platform_instance_id[16]; /* .6, Platform-CA PCKs */
	bool has_configuration; /* .7 */
	bool dynamic_platform, cached_keys, smt_enabled;
} cove_sgx_pck_ext;

/* Parse the extension of a PCK certificate; a missing or malformed mandatory item is COVE_ERR_PARSE. */
cove_err cove_sgx_pck_ext_parse(cove_x509 *pck, cove_sgx_pck_ext *out, cove_error *e);
/* The same from the extension's DER value (the SEQUENCE), e.g. for fuzzing. */
cove_err cove_sgx_pck_ext_parse_der(const uint8_t *der, size_t len, cove_sgx_pck_ext *out, cove_error *e);
json_t *cove_sgx_pck_ext_to_json(const cove_sgx_pck_ext *x);

#ifdef __cplusplus
}
#endif
#endif
