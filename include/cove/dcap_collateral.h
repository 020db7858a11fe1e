/*
 * cove/dcap_collateral.h - the collateral that appraises a DCAP quote: TCB
 * info (v2, v3 for SGX and TDX), QE identity (v2), the PCK and root CRLs and
 * the issuer chains of each, as served by Intel PCS v4 or a PCCS.
 *
 * TCB info and QE identity are signed over the exact bytes of their JSON
 * object as served; cove keeps those bytes (`*_raw`) next to the parsed form
 * and never re-serialises.  Formats: Intel PCS API v4 documentation and QVL
 * (shared/research/sgx-tdx.md section c, "Collateral").  This module only
 * parses; cove_dcap_verify() (dcap_verify.h) decides what to trust.
 */
#ifndef COVE_DCAP_COLLATERAL_H
#define COVE_DCAP_COLLATERAL_H

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

/* TCB statuses, in the words Intel's collateral uses. */
typedef enum cove_tcb_status {
	COVE_TCB_UP_TO_DATE = 0,
	COVE_TCB_SW_HARDENING_NEEDED,
	COVE_TCB_CONFIGURATION_NEEDED,
	COVE_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED,
	COVE_TCB_OUT_OF_DATE,
	COVE_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED,
	COVE_TCB_REVOKED,
	COVE_TCB_NOT_SUPPORTED, /* no TCB level matches the platform */
	/* Verdicts only (never in collateral): a TD built before a TDX-module update runs on an
	 * up-to-date module now, and relaunching it would make it UpToDate (QVL TDRelaunchCheck). */
	COVE_TCB_TD_RELAUNCH_ADVISED,
	COVE_TCB_TD_RELAUNCH_ADVISED_CONFIGURATION_NEEDED,
} cove_tcb_status;

/* "UpToDate", "SWHardeningNeeded", ..., "TCBNotSupported", "TDRelaunchAdvised",
 * "TDRelaunchAdvisedConfigurationNeeded" */
const char *cove_tcb_status_name(cove_tcb_status s);
cove_err cove_tcb_status_parse(const char *name, cove_tcb_status *out, cove_error *e);

/* One entry of tcbLevels in a TCB info. */
typedef struct cove_dcap_tcb_level {
	uint8_t sgx_comp[16];   /* sgxtcbcomp01svn..16 (v2) / sgxtcbcomponents[].svn (v3) */
	uint16_t pcesvn;
	bool has_tdx;           /* TDX TCB info: tdxtcbcomponents present */
	uint8_t tdx_comp[16];
	int64_t tcb_date;
	cove_tcb_status status;
	json_t *advisory_ids;   /* array of strings (owned; empty when none) */
} cove_dcap_tcb_level;

/* A level of an enclave or TDX-module identity: by ISVSVN only. */
typedef struct cove_dcap_isv_level {
	uint16_t isvsvn;
	int64_t tcb_date;
	cove_tcb_status status;
	json_t *advisory_ids;   /* owned */
} cove_dcap_isv_level;

/* tdxModuleIdentities[] entry of a TDX TCB info v3. */
typedef struct cove_dcap_tdx_module_identity {
	char id[16];            /* "TDX_01", "TDX_03", ... */
	uint8_t mrsigner[48];
	uint64_t attributes;      /* the 8 hex-text bytes read little-endian, like SEAMATTRIBUTES */
	uint64_t attributes_mask;
	cove_dcap_isv_level *levels;
	size_t nlevels;
} cove_dcap_tdx_module_identity;

typedef struct cove_dcap_tcb_info {
	int version;            /* 2 or 3 */
	char id[8];             /* "SGX" or "TDX" (v3); "" for v2, which is SGX */
	int64_t issue_date;
	int64_t next_update;
	uint8_t fmspc[6];
	uint8_t pce_id[2];
	bool has_pce_id;        /* false only for a v2 TCB info without "pceId" (early fixtures): pce_id is then unknown */
	int tcb_type;
	int tcb_evaluation_data_number;
	cove_dcap_tcb_level *levels; /* in the order served (descending) */
	size_t nlevels;
	bool has_tdx_module;    /* tdxModule (TDX v3) */
	uint8_t tdx_module_mrsigner[48];
	uint64_t tdx_module_attributes; /* the 8 hex-text bytes read little-endian, like SEAMATTRIBUTES */
	uint64_t tdx_module_attributes_mask;
	cove_dcap_tdx_module_identity *modules;
	size_t nmodules;
} cove_dcap_tcb_info;

/* Parse the `tcbInfo` object (the exact signed bytes). */
cove_err cove_dcap_tcb_info_parse(const char *json, size_t len, cove_dcap_tcb_info *out, cove_error *e);
void cove_dcap_tcb_info_free(cove_dcap_tcb_info *t);

typedef struct cove_dcap_qe_identity {
	char id[8];             /* "QE", "QVE" or "TD_QE" */
	int version;            /* 2 */
	int64_t issue_date;
	int64_t next_update;
	int tcb_evaluation_data_number;
	/*
	 * The hex text lists the bytes in report order (Intel QVL's sample QE
	 * identity "D182B18C" matches QE report bytes d1 82 b1 8c), so these
	 * are those 4 bytes read little-endian, comparable with
	 * cove_sgx_report_body.misc_select.
	 */
	uint32_t miscselect;
	uint32_t miscselect_mask;
	uint8_t attributes[16];      /* bytes in report order (flags LE, then xfrm LE) */
	uint8_t attributes_mask[16];
	uint8_t mrsigner[32];
	uint16_t isvprodid;
	cove_dcap_isv_level *levels;
	size_t nlevels;
} cove_dcap_qe_identity;

/* Parse the `enclaveIdentity` object (the exact signed bytes). */
cove_err cove_dcap_qe_identity_parse(const char *json, size_t len, cove_dcap_qe_identity *out, cove_error *e);
void cove_dcap_qe_identity_free(cove_dcap_qe_identity *q);

/*
 * Split a PCS response body {"<member>": {...}, "signature": "<hex r||s>"}
 * into the exact bytes of the member's object (pointing into `body`) and the
 * 64-byte signature.  `member` is "tcbInfo" or "enclaveIdentity".
 */
cove_err cove_dcap_signed_json_split(const char *body, size_t len, const char *member, const char **obj,
				     size_t *obj_len, uint8_t sig[64], cove_error *e);

/* Everything needed to appraise one quote. */
typedef struct cove_dcap_collateral {
	cove_x509_list pck_crl_issuer_chain;  /* PCK CA (Processor or Platform) + root */
	cove_x509_crl *root_ca_crl;
	cove_x509_crl *pck_crl;
	cove_x509_list tcb_info_issuer_chain; /* TCB signing certificate + root */
	cove_buf tcb_info_raw;                /* exact signed bytes of the tcbInfo object */
	uint8_t tcb_info_signature[64];
	cove_dcap_tcb_info tcb_info;
	cove_x509_list qe_identity_issuer_chain;
	cove_buf qe_identity_raw;             /* exact signed bytes of the enclaveIdentity object */
	uint8_t qe_identity_signature[64];
	cove_dcap_qe_identity qe_identity;
} cove_dcap_collateral;

/*
 * Parse a collateral bundle: the JSON object with the keys
 * pck_crl_issuer_chain, root_ca_crl, pck_crl (CRLs as hex DER, or PEM),
 * tcb_info_issuer_chain, tcb_info (string: the exact signed object),
 * tcb_info_signature (hex), qe_identity_issuer_chain, qe_identity,
 * qe_identity_signature - the shape of shared/vectors/{sgx,tdx}/...collateral.json.
 * A missing key or a malformed item is COVE_ERR_PARSE naming the key.
 */
cove_err cove_dcap_collateral_parse_bundle(const char *json, size_t len, cove_dcap_collateral *out, cove_error *e);

/* Write a collateral into the bundle form (for caches and `--collateral-out`); caller owns the string. */
cove_err cove_dcap_collateral_to_bundle(const cove_dcap_collateral *c, char **out, cove_error *e);

/* Setters for assembling a collateral from separate PCS-style pieces (each parses and replaces). */
cove_err cove_dcap_collateral_set_tcb_info_body(cove_dcap_collateral *c, const char *body, size_t len, cove_error *e);
cove_err cove_dcap_collateral_set_qe_identity_body(cove_dcap_collateral *c, const char *body, size_t len,
						   cove_error *e);

void cove_dcap_collateral_free(cove_dcap_collateral *c);

/*
 * A CRL in any form the collateral sources use: DER, PEM, or the DER as
 * hex text (bundles; a PCCS's /rootcacrl).
 */
cove_err cove_dcap_crl_parse(const void *data, size_t len, cove_x509_crl **out, cove_error *e);

#ifdef __cplusplus
}
#endif
#endif
