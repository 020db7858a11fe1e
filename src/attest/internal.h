/*
 * Shared by the request decoders of src/attest: the MAA body (request.c) and
 * KBS evidence (kbs.c) decode into the same cove_attest_request with the same
 * checks of form.
 */
#ifndef COVE_ATTEST_INTERNAL_H
#define COVE_ATTEST_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "cove/attest.h"

/*
 * Strict base64: either alphabet (not mixed), padded or not, zero unused
 * bits; errors name `path` and the position.
 */
cove_err attest_b64_decode(const char *path, const char *s, size_t n, cove_buf *out, cove_error *e);

/* r->evidence is a parseable SEV-SNP report and r->snp_cert_chain (if any) parseable PEM; errors name the paths. */
cove_err attest_check_snp(cove_attest_request *r, const char *report_path, const char *chain_path, cove_error *e);

/* [qp, qp+qlen) is a DCAP quote of the TEE r->type takes; on success it becomes r->evidence. */
cove_err attest_check_quote(cove_attest_request *r, const char *path, const uint8_t *qp, size_t qlen, cove_error *e);

#endif
