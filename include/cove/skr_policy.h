/*
 * cove/skr_policy.h - Secure Key Release policies as Azure Key Vault and
 * Managed HSM define them (key-management-policy-grammar.md, copy in
 * shared/vectors/coco/skr/docs/; shared/research/attestation-services.md 2):
 *
 *   policy    = {"version": "1.0.0", "anyOf": [authority, ...]}
 *   authority = {"authority": "<issuer URL>", "allOf" | "anyOf": [condition, ...]}
 *   condition = {"claim": "<name, dot.separated for nested objects>", "equals": value}
 *             | {"allOf": [condition, ...]} | {"anyOf": [condition, ...]}
 *   value     = string | number | true | false
 *
 * A key is released when some authority equals the token's issuer (a
 * trailing '/' ignored on both) and its conditions hold over the verified
 * token's claims.  Only `equals` is accepted: the grammar lists other
 * operators but Key Vault's text says "the only allowed condition is equals";
 * cove refuses the others rather than guess their semantics.
 */
#ifndef COVE_SKR_POLICY_H
#define COVE_SKR_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "cove/err.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cove_skr_policy cove_skr_policy;

/* Parse and check a release policy (COVE_ERR_PARSE naming the JSON path on anything else than the grammar). */
cove_err cove_skr_policy_parse(const char *json, size_t len, cove_skr_policy **out, cove_error *e);
/* The same from an already parsed JSON value (not stolen). */
cove_err cove_skr_policy_from_json(const json_t *v, cove_skr_policy **out, cove_error *e);
void cove_skr_policy_free(cove_skr_policy *p);
/* The policy as JSON (borrowed). */
const json_t *cove_skr_policy_json(const cove_skr_policy *p);

/*
 * Decide for a verified token (issuer and claims): *allowed, and in `why`
 * (may be NULL) the reason in words ("authority https://x matched; claim
 * x-ms-attestation-type is \"sgx\", policy wants \"sevsnpvm\"").
 */
cove_err cove_skr_policy_evaluate(const cove_skr_policy *p, const char *issuer, const json_t *claims, bool *allowed,
				  char *why, size_t why_len, cove_error *e);

#ifdef __cplusplus
}
#endif
#endif
