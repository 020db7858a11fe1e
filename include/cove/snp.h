/*
 * cove/snp.h - AMD SEV-SNP attestation reports, their certificates and their
 * appraisal.
 *
 * Layouts follow the SEV-SNP firmware ABI (AMD 56860, "ATTESTATION_REPORT
 * structure", report versions 2 to 5) and the VCEK certificate specification
 * (AMD 57230); offsets are cross-checked in shared/research/snp.md.
 */
#ifndef COVE_SNP_H
#define COVE_SNP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "cove/crypto.h"
#include "cove/err.h"
#include "cove/result.h"

#ifdef __cplusplus
extern "C" {
#endif

#define COVE_SNP_REPORT_SIZE 0x4A0 /* 1184 */
#define COVE_SNP_SIGNED_SIZE 0x2A0 /* bytes covered by the report signature */

typedef enum cove_snp_product {
	COVE_SNP_PRODUCT_UNKNOWN = 0,
	COVE_SNP_MILAN,
	COVE_SNP_GENOA,
	COVE_SNP_TURIN,
} cove_snp_product;

/* "Milan", "Genoa", "Turin" or "unknown". */
const char *cove_snp_product_name(cove_snp_product p);
/* Case-insensitive; accepts a stepping suffix ("Milan-B0"). */
cove_err cove_snp_product_parse(const char *name, cove_snp_product *out, cove_error *e);

/*
 * TCB_VERSION: one security patch level per firmware component.  The byte
 * positions differ between Milan/Genoa and Turin (which adds FMC).
 */
typedef struct cove_snp_tcb {
	uint8_t fmc; /* Turin only; 0 elsewhere */
	uint8_t bootloader;
	uint8_t tee;
	uint8_t snp;
	uint8_t microcode;
} cove_snp_tcb;

cove_snp_tcb cove_snp_tcb_decode(uint64_t raw, cove_snp_product p);
uint64_t cove_snp_tcb_encode(const cove_snp_tcb *t, cove_snp_product p);

/* Guest policy bits (report offset 0x08). */
#define COVE_SNP_POLICY_SMT (1ull << 16)
#define COVE_SNP_POLICY_RESERVED1 (1ull << 17) /* must be 1 */
#define COVE_SNP_POLICY_MIGRATE_MA (1ull << 18)
#define COVE_SNP_POLICY_DEBUG (1ull << 19)
#define COVE_SNP_POLICY_SINGLE_SOCKET (1ull << 20)
#define COVE_SNP_POLICY_CXL_ALLOW (1ull << 21)
#define COVE_SNP_POLICY_MEM_AES_256_XTS (1ull << 22)
#define COVE_SNP_POLICY_RAPL_DIS (1ull << 23)
#define COVE_SNP_POLICY_CIPHERTEXT_HIDING (1ull << 24)
#define COVE_SNP_POLICY_PAGE_SWAP_DISABLE (1ull << 25)
#define COVE_SNP_POLICY_KNOWN_MASK ((1ull << 26) - 1)

/* PLATFORM_INFO bits (report offset 0x40). */
#define COVE_SNP_PLATFORM_SMT_EN (1ull << 0)
#define COVE_SNP_PLATFORM_TSME_EN (1ull << 1)
#define COVE_SNP_PLATFORM_ECC_EN (1ull << 2)
#define COVE_SNP_PLATFORM_RAPL_DIS (1ull << 3)
#define COVE_SNP_PLATFORM_CIPHERTEXT_HIDING_EN (1ull << 4)
#define COVE_SNP_PLATFORM_ALIAS_CHECK_COMPLETE (1ull << 5)
#define COVE_SNP_PLATFORM_SEV_TIO_EN (1ull << 7)
#define COVE_SNP_PLATFORM_KNOWN_MASK 0xBFull

/* SIGNING_KEY values (signer info bits 4:2). */
enum { COVE_SNP_KEY_VCEK = 0, COVE_SNP_KEY_VLEK = 1, COVE_SNP_KEY_NONE = 7 };

/* A parsed ATTESTATION_REPORT.  All multi-byte integers are host order. */
typedef struct cove_snp_report {
	uint32_t version;
	uint32_t guest_svn;
	uint64_t policy;
	uint8_t family_id[16];
	uint8_t image_id[16];
	uint32_t vmpl;
	uint32_t signature_algo;
	uint64_t current_tcb;
	uint64_t platform_info;
	uint32_t signer_info;
	bool author_key_en;
	bool mask_chip_key;
	uint32_t signing_key; /* COVE_SNP_KEY_* */
	uint8_t report_data[64];
	uint8_t measurement[48];
	uint8_t host_data[32];
	uint8_t id_key_digest[48];
	uint8_t author_key_digest[48];
	uint8_t report_id[32];
	uint8_t report_id_ma[32];
	uint64_t reported_tcb;
	bool has_cpuid; /* v3+ */
	uint8_t cpuid_fam_id;
	uint8_t cpuid_mod_id;
	uint8_t cpuid_step;
	uint8_t chip_id[64];
	uint64_t committed_tcb;
	uint8_t current_build, current_minor, current_major;
	uint8_t committed_build, committed_minor, committed_major;
	uint64_t launch_tcb;
	bool has_mit_vectors; /* v5+ */
	uint64_t launch_mit_vector;
	uint64_t current_mit_vector;
	uint8_t signature_r[72]; /* little-endian */
	uint8_t signature_s[72];
	uint8_t raw[COVE_SNP_REPORT_SIZE]; /* the bytes as received */
} cove_snp_report;

/*
 * Parse exactly COVE_SNP_REPORT_SIZE bytes.  Rejects unknown versions
 * (accepted: 2..5), non-zero reserved (MBZ) fields, reserved policy bits,
 * a signature algorithm other than ECDSA P-384/SHA-384 and a reserved
 * signing-key value.
 */
cove_err cove_snp_report_parse(const void *data, size_t len, cove_snp_report *out, cove_error *e);

/* Serialise the fields of `r` (not `raw`) into the version's layout; used by the emulated platform. */
cove_err cove_snp_report_encode(const cove_snp_report *r, uint8_t out[COVE_SNP_REPORT_SIZE], cove_error *e);

/*
 * The product the report comes from: from CPUID_FAM_ID/MOD_ID for v3+
 * (unknown family/model -> UNKNOWN); for v2, UNKNOWN (the caller must say).
 */
cove_snp_product cove_snp_report_product(const cove_snp_report *r);

/* Every field as JSON (hex for byte strings, decoded TCBs, policy and platform bits). */
json_t *cove_snp_report_to_json(const cove_snp_report *r, cove_snp_product product);

/* ---- Certificate table (SNP_GET_EXT_REPORT / configfs-tsm auxblob) ---- */

typedef enum cove_snp_cert_kind {
	COVE_SNP_CERT_OTHER = 0,
	COVE_SNP_CERT_VCEK,
	COVE_SNP_CERT_VLEK,
	COVE_SNP_CERT_ASK, /* also carries the ASVK */
	COVE_SNP_CERT_ARK,
	COVE_SNP_CERT_CRL,
} cove_snp_cert_kind;

typedef struct cove_snp_cert_entry {
	uint8_t guid[16]; /* RFC 4122 byte order */
	cove_snp_cert_kind kind;
	const uint8_t *data; /* points into the parsed buffer */
	size_t len;
} cove_snp_cert_entry;

typedef struct cove_snp_cert_table {
	cove_snp_cert_entry *entries;
	size_t count;
} cove_snp_cert_table;

/* Entries point into `data`, which must outlive the table. */
cove_err cove_snp_cert_table_parse(const void *data, size_t len, cove_snp_cert_table *out, cove_error *e);
void cove_snp_cert_table_free(cove_snp_cert_table *t);
/* Build a table (used by the emulated platform and tests); `out` receives a new buffer. */
cove_err cove_snp_cert_table_build(const cove_snp_cert_entry *entries, size_t count, cove_buf *out, cove_error *e);

/* ---- VCEK / VLEK extensions (OID 1.3.6.1.4.1.3704.1.*) ---- */

typedef struct cove_snp_vcek_ext {
	int struct_version;       /* -1 when absent */
	char product_name[64];    /* "" when absent */
	int bl_spl, tee_spl, snp_spl, ucode_spl, fmc_spl; /* -1 when absent */
	uint8_t hwid[64];
	size_t hwid_len;          /* 0 (VLEK), 8 (Turin) or 64 */
	char csp_id[128];         /* VLEK only */
} cove_snp_vcek_ext;

cove_err cove_snp_vcek_ext_parse(cove_x509 *cert, cove_snp_vcek_ext *out, cove_error *e);
/* Same, for the raw extension content octets (fuzzing entry point): `oid_arc` is the arc after 3704.1. */
cove_err cove_snp_vcek_ext_parse_value(const char *oid_arc, const uint8_t *der, size_t len, cove_snp_vcek_ext *out,
				       cove_error *e);

/* ---- Appraisal policy ---- */

#define COVE_SNP_POLICY_MAX_LIST 16

typedef struct cove_snp_tcb_min {
	bool set;
	int fmc, bootloader, tee, snp, microcode; /* -1 = no minimum for that component */
} cove_snp_tcb_min;

typedef struct cove_snp_policy {
	bool allow_debug;            /* default false */
	bool allow_migration_agent;  /* default false */
	bool allow_smt;              /* default true */
	bool require_single_socket;  /* default false */
	cove_snp_tcb_min min_reported_tcb;
	cove_snp_tcb_min min_launch_tcb;
	uint8_t measurements[COVE_SNP_POLICY_MAX_LIST][48];
	size_t n_measurements;       /* 0 = any */
	bool has_host_data;
	uint8_t host_data[32];
	bool has_report_data;
	uint8_t report_data[64];
	uint8_t id_key_digests[COVE_SNP_POLICY_MAX_LIST][48];
	size_t n_id_key_digests;
	uint8_t author_key_digests[COVE_SNP_POLICY_MAX_LIST][48];
	size_t n_author_key_digests;
	bool has_family_id;
	uint8_t family_id[16];
	bool has_image_id;
	uint8_t image_id[16];
	uint32_t min_guest_svn;
	int vmpl;                    /* -1 = any */
	uint64_t platform_info_required; /* bits that must be set */
	uint64_t platform_info_forbidden; /* bits that must be clear */
	uint32_t min_version;        /* minimum report version; 0 = any */
	bool require_crl;            /* fail when no CRL was available (default true) */
} cove_snp_policy;

/* The defaults above. */
void cove_snp_policy_init(cove_snp_policy *p);
/*
 * Load a JSON policy (see docs/snp-policy.md); keys not given keep their
 * current values, unknown keys are an error naming the key.
 */
cove_err cove_snp_policy_load_json(cove_snp_policy *p, const char *text, size_t len, cove_error *e);
json_t *cove_snp_policy_to_json(const cove_snp_policy *p);

/* Apply the policy to a report (authenticity is not looked at); failures go to `res`. */
void cove_snp_policy_apply(const cove_snp_policy *p, const cove_snp_report *r, cove_snp_product product,
			   cove_result *res);

/* ---- Verification ---- */

/*
 * Where collateral that the evidence lacks comes from (a file cache, AMD KDS).
 * Any callback may be NULL.  Each returns COVE_ERR_UNAVAILABLE when it has
 * nothing to offer.
 */
typedef struct cove_snp_collateral_source {
	void *ctx;
	cove_err (*get_vcek)(void *ctx, cove_snp_product p, const uint8_t chip_id[64], uint64_t reported_tcb,
			     cove_buf *der, cove_error *e);
	cove_err (*get_chain)(void *ctx, cove_snp_product p, bool vlek, cove_buf *pem, cove_error *e);
	cove_err (*get_crl)(void *ctx, cove_snp_product p, bool vlek, cove_buf *der, cove_error *e);
} cove_snp_collateral_source;

/* A root of trust: pinned SHA-256 fingerprints of the SubjectPublicKeyInfo. */
typedef struct cove_snp_root {
	cove_snp_product product;
	const char *name;     /* e.g. "AMD Milan" or "cove emulated" */
	bool emulated;
	uint8_t ark_spki_sha256[32];
	uint8_t ask_spki_sha256[32];
	uint8_t asvk_spki_sha256[32];
	bool has_asvk;
} cove_snp_root;

/* AMD's published roots for Milan, Genoa and Turin (fingerprints of ARK, ASK, ASVK). */
const cove_snp_root *cove_snp_amd_roots(size_t *count);

typedef struct cove_snp_verifier cove_snp_verifier;

typedef struct cove_snp_verify_opts {
	int64_t at;                      /* verification time; 0 = now */
	cove_snp_product product;        /* needed for v2 reports; UNKNOWN = infer */
} cove_snp_verify_opts;

/* A verifier holding trusted roots, a collateral source and a cache of verified chains. */
cove_err cove_snp_verifier_new(cove_snp_verifier **out, cove_error *e);
void cove_snp_verifier_free(cove_snp_verifier *v);
/* Trust AMD's roots (done by _new) or an additional one (the emulated platform's). */
cove_err cove_snp_verifier_add_root(cove_snp_verifier *v, const cove_snp_root *root, cove_error *e);
void cove_snp_verifier_set_source(cove_snp_verifier *v, const cove_snp_collateral_source *src);

/*
 * Verify a report (raw 1184 bytes) with certificates in any order (VCEK/VLEK,
 * ASK/ASVK, ARK) and an optional CRL, then apply `policy` (NULL = defaults).
 * Missing certificates and CRLs are asked of the collateral source.  The
 * verdict goes to *out, which is set on COVE_OK (even when verification
 * failed: see res->authentic and res->ok) and on COVE_ERR_UNAVAILABLE (some
 * collateral could not be had; the result fails closed and names it).  Other
 * errors mean the evidence could not be examined at all.
 */
cove_err cove_snp_verify(cove_snp_verifier *v, const cove_snp_report *report, const cove_x509_list *certs,
			 cove_x509_crl *crl, const cove_snp_policy *policy, const cove_snp_verify_opts *opts,
			 cove_result **out, cove_error *e);

#ifdef __cplusplus
}
#endif
#endif
