/*
 * cove/dcap_verify.h - appraisal of Intel SGX and TDX DCAP quotes.
 *
 * cove_dcap_verify() checks a quote in the order of Intel's Quote
 * Verification Library (QuoteVerifier::verify, shared/research/sgx-tdx.md
 * section c): PCK chain to the pinned Intel SGX Root CA, root and PCK CRLs,
 * TCB info and QE identity signatures over their exact JSON bytes and their
 * freshness, FMSPC/PCE-ID binding, TDX module identity, QE report signature
 * and report-data binding, QE identity, quote signature, then the TCB level
 * and the convergence of platform, TDX-module and QE statuses.  Every status
 * comes with a plain-words explanation; what to accept is the policy's call.
 */
#ifndef COVE_DCAP_VERIFY_H
#define COVE_DCAP_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "cove/dcap.h"
#include "cove/dcap_collateral.h"
#include "cove/result.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One sentence saying what a TCB status means for a relying party and what to do about it. */
const char *cove_tcb_status_explain(cove_tcb_status s);

#define COVE_DCAP_POLICY_MAX_LIST 16

/* A 48- or 32-byte value the policy requires, when `set`. */
typedef struct cove_dcap_policy_value48 {
	bool set;
	uint8_t v[48];
} cove_dcap_policy_value48;

typedef struct cove_dcap_policy {
	/* Both TEEs. */
	uint32_t accepted_statuses;   /* bit (1 << cove_tcb_status); default UpToDate only */
	json_t *accepted_advisories;  /* array of advisory IDs; when non-empty every advisory of the verdict must be listed */
	json_t *rejected_advisories;  /* array of advisory IDs that are never accepted */
	bool allow_debug;             /* default false: SGX DEBUG attribute / TD ATTRIBUTES.DEBUG refused */
	bool has_report_data;
	uint8_t report_data[64];

	/* SGX enclave identity. */
	uint8_t mr_enclaves[COVE_DCAP_POLICY_MAX_LIST][32];
	size_t n_mr_enclaves;         /* 0 = any */
	uint8_t mr_signers[COVE_DCAP_POLICY_MAX_LIST][32];
	size_t n_mr_signers;
	bool has_isv_prod_id;
	uint16_t isv_prod_id;
	uint16_t min_isv_svn;
	uint8_t attributes[16];       /* (ATTRIBUTES & attributes_mask) must equal attributes */
	uint8_t attributes_mask[16];  /* default all zero: no constraint */
	bool has_misc_select;
	uint32_t misc_select, misc_select_mask;
	bool has_isv_family_id, has_isv_ext_prod_id, has_config_id;
	uint8_t isv_family_id[16], isv_ext_prod_id[16], config_id[64];
	uint16_t min_config_svn;

	/* TDX TD identity. */
	uint8_t mr_tds[COVE_DCAP_POLICY_MAX_LIST][48];
	size_t n_mr_tds;
	cove_dcap_policy_value48 rtmr[4];
	cove_dcap_policy_value48 mr_config_id, mr_owner, mr_owner_config;
	uint64_t td_attributes, td_attributes_mask; /* (TDATTRIBUTES & mask) must equal value */
	uint64_t xfam, xfam_mask;
} cove_dcap_policy;

void cove_dcap_policy_init(cove_dcap_policy *p);
void cove_dcap_policy_free(cove_dcap_policy *p);
/*
 * Load the JSON form (docs/dcap-policy.md) over the current values.  Keys that
 * do not apply to `tee` are refused (an SGX policy with "mr_td" is a mistake).
 * Bad input changes nothing.
 */
cove_err cove_dcap_policy_load_json(cove_dcap_policy *p, cove_tee_type tee, const char *text, size_t len,
				    cove_error *e);
/* Parse "UpToDate,SWHardeningNeeded" into accepted_statuses (added to what is there). */
cove_err cove_dcap_policy_accept(cove_dcap_policy *p, const char *statuses, cove_error *e);
json_t *cove_dcap_policy_to_json(const cove_dcap_policy *p, cove_tee_type tee);

/* Apply the identity part of the policy to a quote's body; failures go to `res`. */
void cove_dcap_policy_apply(const cove_dcap_policy *p, const cove_dcap_quote *q, cove_result *res);

typedef struct cove_dcap_verifier cove_dcap_verifier;

/* A verifier trusting the Intel SGX Root CA (pinned by its public key). */
cove_err cove_dcap_verifier_new(cove_dcap_verifier **out, cove_error *e);
void cove_dcap_verifier_free(cove_dcap_verifier *v);

/* Trust another root CA by the SHA-256 of its SubjectPublicKeyInfo (the emulated platform's). */
cove_err cove_dcap_verifier_add_root(cove_dcap_verifier *v, const uint8_t spki_sha256[32], const char *name,
				     bool emulated, cove_error *e);

/*
 * Whether to remember what belongs to a platform (its PCK chain, QE report and
 * attestation key) between quotes; collateral checks are always remembered.
 * On by default; off bounds memory to the collateral and makes every quote pay
 * for its own chain and QE report.
 */
void cove_dcap_verifier_remember_platforms(cove_dcap_verifier *v, bool on);

/*
 * The platform of a quote whose PCK chain this verifier has already verified
 * and remembers (same certification data bytes, `at` inside every
 * certificate's validity; 0 = now): its FMSPC and whether the PCK was issued
 * by the Platform CA (else the Processor CA), which is what choosing the
 * collateral needs.  COVE_ERR_UNAVAILABLE when it does not remember it; the
 * caller then reads the chain itself.  Nothing here vouches for the quote:
 * cove_dcap_verify still checks everything.
 */
cove_err cove_dcap_verifier_lookup_platform(cove_dcap_verifier *v, const cove_dcap_quote *q, int64_t at,
					   uint8_t fmspc[6], bool *platform_ca);

typedef struct cove_dcap_verify_opts {
	int64_t at; /* verification time; 0 = now */
} cove_dcap_verify_opts;

/*
 * Verify `q` with `c` and appraise it with `policy` (NULL = defaults).  The
 * verdict goes to *out on COVE_OK.  Claims carry the quote ("quote"), the PCK
 * extension ("pck"), and "tcb": {"status", "explanation", "platform_status",
 * "tdx_module_status", "qe_status", "tcb_date", "advisory_ids",
 * "advisories_explanation"}.  A TCB status the policy does not accept is a
 * policy failure ("policy.tcb_status"), not an authenticity failure.
 */
cove_err cove_dcap_verify(cove_dcap_verifier *v, const cove_dcap_quote *q, const cove_dcap_collateral *c,
			  const cove_dcap_policy *policy, const cove_dcap_verify_opts *opts, cove_result **out,
			  cove_error *e);

#ifdef __cplusplus
}
#endif
#endif
