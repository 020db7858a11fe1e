/*
 * cove/result.h - the outcome of appraising one piece of evidence.
 *
 * Every verifier (SEV-SNP, SGX, TDX) fills the same structure:
 *   authentic - every signature, certificate chain, revocation and binding
 *               check held (a fact about the evidence);
 *   ok        - authentic, and the appraisal policy accepted it;
 *   failures  - each failed check by a stable name and a readable detail;
 *   claims    - what the evidence says, as JSON, for policies and tokens.
 * A verifier fails closed: a check that could not be performed is a failure.
 */
#ifndef COVE_RESULT_H
#define COVE_RESULT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "cove/err.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cove_check_kind {
	COVE_CHECK_AUTHENTICITY, /* signatures, chains, CRLs, TCB bindings */
	COVE_CHECK_POLICY,       /* the relying party's appraisal policy */
} cove_check_kind;

typedef struct cove_failure {
	cove_check_kind kind;
	char check[64];   /* stable identifier, e.g. "report_signature", "policy.debug" */
	char detail[448]; /* one readable sentence */
} cove_failure;

typedef struct cove_result {
	bool authentic;
	bool ok;
	cove_failure *failures;
	size_t nfailures;
	json_t *claims; /* owned; a JSON object */
} cove_result;

cove_err cove_result_new(cove_result **out, cove_error *e);
void cove_result_free(cove_result *r);

/* Record a failure; updates authentic/ok.  Never fails (drops the detail on OOM but still fails the result). */
void cove_result_fail(cove_result *r, cove_check_kind kind, const char *check, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* True when a failure with this check name is recorded. */
bool cove_result_has_failure(const cove_result *r, const char *check);

/* {"ok":..., "authentic":..., "failures":[{"check","detail"}], "claims":{...}}; caller owns the reference. */
json_t *cove_result_to_json(const cove_result *r);

#ifdef __cplusplus
}
#endif
#endif
