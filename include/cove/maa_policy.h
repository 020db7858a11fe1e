/*
 * cove/maa_policy.h - the Microsoft Azure Attestation (MAA) policy language,
 * versions 1.0, 1.1 and 1.2: a parser with line/column errors, an evaluator
 * over typed claim sets, the `x-ms-policy-hash` of a policy, and the JWT
 * envelope (unsigned or RS256 with x5c) in which MAA accepts policy uploads.
 *
 * Sources: Microsoft Learn, articles/attestation/{claim-rule-grammar,
 * claim-rule-functions, policy-version-1-0, -1-1, -1-2, author-sign-policy,
 * claim-sets}.md at azure-security-docs 1c4310bed2b9 (copies under
 * shared/vectors/coco/maa/docs/); the grammar cove accepts, the semantics it
 * chose where the docs are silent, and the supported JmesPath subset are in
 * docs/maa-policy.md.
 */
#ifndef COVE_MAA_POLICY_H
#define COVE_MAA_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "cove/crypto.h"
#include "cove/err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest policy text accepted (bytes). */
#define COVE_MAA_POLICY_MAX (1u << 20)

typedef struct cove_maa_policy cove_maa_policy;

/*
 * Parse flags.  The default is the grammar of the docs.  LENIENT also accepts
 * quirks found in published examples: `=` for `==` in a claim property
 * condition, a missing `;` after a rule, section names in any letter case, and
 * `issue("Name", value=...)` with the type given positionally.
 */
#define COVE_MAA_PARSE_LENIENT 0x1u

/*
 * Parse `len` bytes of policy text.  Errors are COVE_ERR_PARSE with
 * "line L, column C: expected ..., found ..." (1-based, columns count bytes).
 */
cove_err cove_maa_policy_parse(const char *text, size_t len, unsigned flags, cove_maa_policy **out,
			       cove_error *e);
void cove_maa_policy_free(cove_maa_policy *p);

/* Minor version: 0, 1 or 2 (the major version is always 1). */
int cove_maa_policy_version(const cove_maa_policy *p);

/*
 * The configuration properties the policy sets in `configurationrules`
 * (e.g. {"require_valid_aik_cert": false, "required_pcr_mask": 15,
 * "x-ms-sgx-tcbidentifier": "azuredefault"}), as a new object; properties the
 * policy does not set are absent (their MAA defaults are in docs/maa-policy.md).
 */
cove_err cove_maa_policy_config(const cove_maa_policy *p, json_t **out, cove_error *e);

/*
 * Incoming claims are a JSON array of claim objects
 *   {"type": "...", "value": string|integer|boolean,
 *    "issuer": "AttestationService"|"AttestationPolicy"|"CustomClaim" (default CustomClaim),
 *    "valueType": "String"|"Integer"|"Boolean" (optional; must match the value)}
 * - a multiset, as MAA's claim sets are.  This helper turns a name -> value
 * object (as cove's verifiers produce) into that array with the given issuer
 * (NULL = "AttestationService").  Object and array values become a String
 * claim holding their compact JSON text, as MAA presents JSON evidence to
 * policies; null values are skipped; fractions are refused.
 */
cove_err cove_maa_claims_from_object(const json_t *obj, const char *issuer, json_t **out, cove_error *e);

typedef struct cove_maa_result {
	bool permitted;      /* an authorization rule permitted and none denied */
	unsigned rule_line;  /* line of the deciding rule: the deny, else the first permit; 0 = none fired */
	json_t *claims;      /* outgoing claims issued: name -> value, repeated names -> array */
	json_t *properties;  /* property claims (configurationrules and issueproperty), same shape */
} cove_maa_result;

/*
 * Evaluate the policy: configuration rules, then authorization rules (deny
 * wins; without a permit the evidence is not authorized), then - only when
 * permitted - issuance rules.  A policy that denies is a successful call with
 * r->permitted false.  Runtime errors (a function given the wrong kind of
 * argument, an unsupported JmesPath feature, limits) are COVE_ERR_POLICY with
 * the line and column of the offending expression.  Release r with
 * cove_maa_result_clear().
 */
cove_err cove_maa_policy_evaluate(const cove_maa_policy *p, const json_t *incoming, cove_maa_result *r,
				  cove_error *e);
void cove_maa_result_clear(cove_maa_result *r);

/*
 * x-ms-policy-hash: BASE64URL(SHA256(UTF8(BASE64URL(UTF8(policy text))))),
 * claim-sets.md; base64url without padding.  `out` receives 43 characters + NUL.
 */
cove_err cove_maa_policy_hash(const char *text, size_t len, char out[44], cove_error *e);

/* ---- Policy uploads as JWTs (author-sign-policy.md) ---- */

typedef struct cove_maa_policy_jwt_opts {
	bool allow_unsigned;            /* accept {"alg":"none"} */
	int64_t now;                    /* time (Unix seconds) at which x5c certificates must be valid */
	const cove_x509_list *trusted;  /* if non-NULL: the x5c chain must contain or chain to one of these */
} cove_maa_policy_jwt_opts;

typedef struct cove_maa_policy_jwt_info {
	bool is_signed;    /* RS256 signature present and verified */
	bool trusted;      /* signed, and the chain reached opts->trusted */
	cove_x509 *signer; /* x5c[0] when signed (caller frees with cove_x509_free), else NULL */
} cove_maa_policy_jwt_info;

/*
 * Unwrap a policy JWT: header {"alg":"none"} or {"alg":"RS256","x5c":[...]}
 * (the published sample spells it "RSA256"; accepted as RS256), payload
 * {"AttestationPolicy": base64url(policy text)}.  The signature is checked
 * over the exact compact bytes with x5c[0]'s key; every x5c certificate must be
 * valid at opts->now and each must be signed by the next.  *policy_text is a
 * NUL-terminated malloc'd copy of the decoded text (free()); info may be NULL.
 */
cove_err cove_maa_policy_from_jwt(const char *jwt, size_t len, const cove_maa_policy_jwt_opts *o,
				  char **policy_text, size_t *policy_len, cove_maa_policy_jwt_info *info,
				  cove_error *e);

#ifdef __cplusplus
}
#endif
#endif
