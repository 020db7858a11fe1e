/*
 * cove/attest.h - attestation requests in the shape of Microsoft Azure
 * Attestation (MAA), their verification, and the incoming claim set named
 * as MAA names it.  Transport-independent: coved's HTTP layer hands the body
 * of `POST /attest/{type}` to cove_attest_request_parse() and the parsed
 * request to cove_attest_evaluate(); the policy engine and the token issuer
 * take the claims from there.
 *
 * Request bodies follow the MAA data-plane REST API (Azure/azure-rest-api-specs
 * specification/attestation/data-plane/Attestation/stable/2025-06-01:
 * AttestSevSnpVmRequest, AttestSgxEnclaveRequest, AttestTdxVmRequest,
 * AttestOpenEnclaveRequest, RuntimeData, InitTimeData, DataType).  Claim
 * names follow MicrosoftDocs azure-security-docs articles/attestation/
 * claim-sets.md, attestation-token-examples.md and
 * trust-domain-extensions-eat-profile.md.  The exact rules (what is
 * tolerated, how runtime data binds to report data) are in docs/attest-api.md.
 */
#ifndef COVE_ATTEST_H
#define COVE_ATTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "cove/bytes.h"
#include "cove/dcap.h"
#include "cove/dcap_collateral.h"
#include "cove/dcap_verify.h"
#include "cove/err.h"
#include "cove/result.h"
#include "cove/snp.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bodies larger than this are refused before parsing (a server may impose a lower limit). */
#define COVE_ATTEST_BODY_MAX (4u << 20)

typedef enum cove_attest_type {
	COVE_ATTEST_SEVSNPVM = 1, /* POST /attest/SevSnpVm */
	COVE_ATTEST_SGXENCLAVE,   /* POST /attest/SgxEnclave */
	COVE_ATTEST_TDXVM,        /* POST /attest/TdxVm */
	COVE_ATTEST_OPENENCLAVE,  /* POST /attest/OpenEnclave (legacy: an OE report around an SGX quote) */
} cove_attest_type;

/* "SevSnpVm", "SgxEnclave", "TdxVm", "OpenEnclave" (the REST path segment), or "unknown". */
const char *cove_attest_type_name(cove_attest_type t);
/* The path segment to a type; case-insensitive as MAA's routing is.  Unknown: COVE_ERR_PARSE naming the types. */
cove_err cove_attest_type_parse(const char *name, cove_attest_type *out, cove_error *e);
/* The value of x-ms-attestation-type: "sevsnpvm", "sgx" (SgxEnclave and OpenEnclave) or "tdxvm". */
const char *cove_attest_type_claim(cove_attest_type t);

typedef enum cove_attest_data_type {
	COVE_ATTEST_DATA_BINARY = 1, /* bytes, not interpreted */
	COVE_ATTEST_DATA_JSON,       /* UTF-8 JSON object: becomes x-ms-runtime / x-ms-inittime */
} cove_attest_data_type;

/* runtimeData or initTimeData of a request. */
typedef struct cove_attest_data {
	bool present;
	cove_attest_data_type type;
	cove_buf bytes; /* the decoded "data": what the report data binds */
	json_t *json;   /* the parsed object when type is JSON (owned), else NULL */
} cove_attest_data;

/* A parsed request.  Everything is decoded and checked for form; nothing is verified yet. */
typedef struct cove_attest_request {
	cove_attest_type type;
	/*
	 * SevSnpVm: the raw ATTESTATION_REPORT (1184 bytes, "report" -> SnpReport).
	 * SgxEnclave / TdxVm: the DCAP quote ("quote").
	 * OpenEnclave: the SGX quote inside the OE report (its 16-byte header removed).
	 */
	cove_buf evidence;
	cove_buf snp_cert_chain;    /* SevSnpVm: VcekCertChain (PEM) when given, else empty */
	cove_x509_list snp_chain;   /* SevSnpVm: the same certificates, decoded once by the parser (owned) */
	bool snp_has_endorsements;  /* SevSnpVm: "Endorsements" (UVM COSE_Sign1) was given; not verified by cove */
	cove_attest_data runtime;   /* runtimeData (or legacy EnclaveHeldData, Binary) */
	cove_attest_data inittime;  /* initTimeData */
	char *nonce;                /* NULL when absent */
	char *draft_policy;         /* draftPolicyForAttestation; NULL when absent */
} cove_attest_request;

/*
 * Parse the JSON body of `POST /attest/{type}`.  Field names match
 * case-insensitively (MAA's own clients send "initTimeData" and
 * "inittimeData", the 2018 samples "Quote" and "EnclaveHeldData"); two
 * fields that are the same name in different case are an error; fields
 * the type does not define are ignored, as MAA's model binding does.
 * Binary fields take base64url or base64 (MAA's own examples use both),
 * with or without padding, but never a mix of the two alphabets, white
 * space, or non-zero unused bits.  Evidence is checked for form: an SNP
 * report parses, a quote parses and is of the type's TEE.  Errors are
 * COVE_ERR_PARSE with the JSON path first ("runtimeData.dataType: expected
 * \"Binary\" or \"JSON\", got \"Text\""); *out is set only on success.
 */
cove_err cove_attest_request_parse(cove_attest_type type, const char *body, size_t len, cove_attest_request **out,
				   cove_error *e);
void cove_attest_request_free(cove_attest_request *r);

/*
 * The primary evidence of a KBS attest request (`tee-evidence.primary_evidence`,
 * a JSON object) for `tee` "sgx", "tdx" or "snp", as an MAA-shaped request of
 * the matching type (no runtimeData: KBS binds its runtime data differently).
 * Accepted shapes (Trustee's attesters; base64 standard or URL-safe):
 *   sgx: {"quote": base64};  tdx: {"quote": base64, "cc_eventlog"?};
 *   snp: {"attestation_report": base64 of the raw 1184-byte report, or an array of its bytes,
 *         "cert_chain"?: PEM text, or an array of base64 DER or {"cert_type", "data": [bytes]}}.
 * COVE_ERR_PARSE naming the member on anything else; COVE_ERR_UNSUPPORTED for another tee.
 */
cove_err cove_attest_kbs_request_parse(const char *tee, const json_t *primary_evidence, cove_attest_type *type,
				       cove_attest_request **req, cove_error *e);

/*
 * A source of DCAP collateral for a quote's platform: fill `out` (zeroed by
 * the caller; free with cove_dcap_collateral_free) for `tee`, the PCK's
 * FMSPC and issuing CA ("processor" or "platform").  COVE_ERR_UNAVAILABLE
 * when it has nothing for that platform (the next source is asked).
 */
typedef cove_err (*cove_attest_dcap_fn)(void *arg, cove_tee_type tee, const uint8_t fmspc[6], const char *ca,
					cove_dcap_collateral *out, cove_error *e);

typedef struct cove_attest_dcap_source {
	cove_attest_dcap_fn get;
	void *arg;
	/*
	 * Optional, tried before `get`: collateral the source keeps itself
	 * (borrowed; valid until the source's next call from this thread), so
	 * that a service verifying many quotes of one platform does not rebuild
	 * it per quote.  NULL with *e untouched = nothing kept, `get` (which may
	 * be NULL for a source that only lends) is tried; NULL with *e set = the
	 * source failed for this platform (the reason is kept for the verdict).
	 */
	const cove_dcap_collateral *(*borrow)(void *arg, cove_tee_type tee, const uint8_t fmspc[6], const char *ca,
					      cove_error *e);
} cove_attest_dcap_source;

/*
 * A keeper of DCAP collateral: lends what a cove_attest_dcap_fn returned for
 * a platform (TEE, FMSPC, PCK CA) for up to `seconds`, for the last
 * COVE_ATTEST_DCAP_KEPT platforms.  Decoding a platform's collateral (TCB
 * info, QE identity, two CRLs and their issuer chains) costs ~1.4 ms of CPU,
 * about five times the verification of an SGX quote, so a service that
 * verifies many quotes decodes it once per period instead of per quote.  A
 * failure is not kept: the next quote asks again.  Signatures and validity
 * are still checked by the verifier for every quote (it remembers checks it
 * made on the same bytes).  One keeper per thread: it is not locked.
 */
#define COVE_ATTEST_DCAP_KEPT 8

typedef struct cove_attest_dcap_keeper cove_attest_dcap_keeper;

cove_err cove_attest_dcap_keeper_new(cove_attest_dcap_fn get, void *arg, unsigned seconds,
				     cove_attest_dcap_keeper **out, cove_error *e);
void cove_attest_dcap_keeper_free(cove_attest_dcap_keeper *k);
/* A source that lends from `k` (its `borrow`; no `get`). */
cove_attest_dcap_source cove_attest_dcap_keeper_source(cove_attest_dcap_keeper *k);

/* cove_attest_dcap_fn over a cove_dcap_pcs (arg): Intel PCS or a PCCS, with its cache and offline mode. */
cove_err cove_attest_dcap_from_pcs(void *pcs, cove_tee_type tee, const uint8_t fmspc[6], const char *ca,
				   cove_dcap_collateral *out, cove_error *e);
/*
 * cove_attest_dcap_fn over a cove_platform (arg): the emulated platform's
 * collateral, for FMSPC COVE_PLATFORM_SGX_FMSPC and SGX only; anything
 * else is COVE_ERR_UNAVAILABLE.  Quotes from it verify only where the
 * DCAP verifier trusts the platform's root.
 */
cove_err cove_attest_dcap_from_platform(void *platform, cove_tee_type tee, const uint8_t fmspc[6], const char *ca,
					cove_dcap_collateral *out, cove_error *e);

#define COVE_ATTEST_MAX_DCAP_SOURCES 4

/*
 * What an evaluation uses.  Start from cove_attest_ctx_init().  The
 * verifiers decide which roots are trusted: the emulated platform's
 * evidence is authentic only when its root was added to them
 * (cove_snp_verifier_add_root / cove_dcap_verifier_add_root).  SNP
 * collateral that the request lacks (VCEK, ASK/ARK, CRL) comes from the
 * SNP verifier's own source (cove_snp_verifier_set_source, e.g. KDS with
 * a cache, offline-capable); DCAP collateral from `dcap_sources`, asked in
 * order.  A context and its verifiers are used by one thread at a time.
 */
typedef struct cove_attest_ctx {
	cove_snp_verifier *snp;        /* NULL: SevSnpVm requests are COVE_ERR_UNSUPPORTED */
	cove_snp_product snp_product;  /* for v2 reports; UNKNOWN = from the report or the VCEK */
	bool snp_require_crl;          /* default true: an ASK/ASVK revocation check that cannot be made fails */
	cove_dcap_verifier *dcap;      /* NULL: SgxEnclave / TdxVm / OpenEnclave are COVE_ERR_UNSUPPORTED */
	cove_attest_dcap_source dcap_sources[COVE_ATTEST_MAX_DCAP_SOURCES];
	size_t n_dcap_sources;
	int64_t at;                    /* verification time (Unix seconds); 0 = now */
} cove_attest_ctx;

void cove_attest_ctx_init(cove_attest_ctx *c);

/*
 * Verify the evidence of `req` and build the incoming claim set.
 *
 * *res receives the verdict: res->authentic is true when every signature,
 * chain, revocation and collateral check of cove's verifier held AND the
 * runtimeData / initTimeData bindings hold (failure checks
 * "binding.runtime_data", "binding.init_time_data").  No appraisal policy
 * is applied here (the MAA policy decides), so res->ok == res->authentic.
 * res->claims holds cove's verifier output (report/quote fields, "tcb", ...).
 *
 * *claims receives the MAA-named claim set (docs/attest-api.md lists them),
 * with "x-cove-tcb-status" {status, explanation, ...} and "x-cove-emulated".
 * It describes what the evidence says even when it is not authentic: never
 * use it unless res->authentic.
 *
 * Returns COVE_OK when a verdict was reached (authentic or not);
 * COVE_ERR_UNAVAILABLE, with *res and *claims still set and failing closed,
 * when collateral could not be obtained; COVE_ERR_UNSUPPORTED when the
 * context has no verifier for the type; other errors mean nothing was
 * examined (*res and *claims are then NULL).
 */
cove_err cove_attest_evaluate(const cove_attest_ctx *ctx, const cove_attest_request *req, json_t **claims,
			      cove_result **res, cove_error *e);

#ifdef __cplusplus
}
#endif
#endif
