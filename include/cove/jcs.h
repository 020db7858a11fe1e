/*
 * cove/jcs.h - the JSON Canonicalization Scheme (RFC 8785): one byte string
 * per JSON value, so that a hash over JSON means the same thing to everyone.
 * The KBS protocol binds a TEE's report data to H(JCS(runtime data))
 * (shared/research/attestation-services.md 3.2).
 */
#ifndef COVE_JCS_H
#define COVE_JCS_H

#include <stddef.h>

#include <jansson.h>

#include "cove/err.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Serialise `v` canonically: object members sorted by their names' UTF-16
 * code units (RFC 8785 3.2.3), no white space, strings with only the escapes
 * 3.2.2.2 allows, numbers in ECMAScript's shortest round-trip form (3.2.2.3;
 * NaN and infinities are not JSON and cannot occur in jansson).  *out is
 * malloc'd and NUL-terminated; *len excludes the NUL.  COVE_ERR_PARSE for a
 * string that is not valid UTF-8, COVE_ERR_ARG for nesting deeper than 64.
 */
cove_err cove_jcs_serialize(const json_t *v, char **out, size_t *len, cove_error *e);

#ifdef __cplusplus
}
#endif
#endif
