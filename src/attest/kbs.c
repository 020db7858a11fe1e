/*
 * KBS evidence (Confidential Containers RCAR protocol 0.4.0, Trustee's
 * attester formats; shared/research/attestation-services.md 3.2) decoded
 * straight into the cove_attest_request cove_attest_evaluate() takes, with
 * the same checks of form as the MAA body (attest/internal.h), so that one
 * verifier path serves both APIs (cove/attest.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/internal.h"
#include "cove/attest.h"
#include "cove/bytes.h"

/* A member given as base64 text or as a JSON array of byte values (serde's Vec<u8>). */
static cove_err bytes_of(const json_t *v, const char *path, cove_buf *out, cove_error *e)
{
	if (json_is_string(v))
		return attest_b64_decode(path, json_string_value(v), json_string_length(v), out, e);
	if (!json_is_array(v))
		return cove_error_set(e, COVE_ERR_PARSE, "%s: expected base64 or an array of bytes", path);
	out->len = json_array_size(v);
	out->data = malloc(out->len ? out->len : 1);
	if (!out->data)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	for (size_t k = 0; k < out->len; k++) {
		const json_t *b = json_array_get(v, k);
		json_int_t n = json_integer_value(b);
		if (!json_is_integer(b) || n < 0 || n > 255)
			return cove_error_set(e, COVE_ERR_PARSE, "%s[%zu]: not a byte", path, k);
		out->data[k] = (uint8_t)n;
	}
	return COVE_OK;
}

/* Trustee's SNP cert_chain: PEM text, or entries of base64 DER / {"cert_type", "data": [bytes]}. */
static cove_err snp_chain_pem(const json_t *chain, cove_buf *pem, cove_error *e)
{
	char *acc = NULL;
	size_t len = 0;
	cove_err rc = COVE_OK;

	if (!chain)
		return COVE_OK;
	if (json_is_string(chain))
		return cove_buf_set(pem, json_string_value(chain), json_string_length(chain), e);
	if (!json_is_array(chain))
		return cove_error_set(e, COVE_ERR_PARSE, "tee-evidence.cert_chain: expected PEM text or an array");
	for (size_t i = 0; i < json_array_size(chain) && !rc; i++) {
		json_t *c = json_array_get(chain, i), *data = json_is_object(c) ? json_object_get(c, "data") : c;
		cove_buf der = {0};
		char path[64];
		snprintf(path, sizeof(path), "tee-evidence.cert_chain[%zu]%s", i, json_is_object(c) ? ".data" : "");
		rc = bytes_of(data, path, &der, e);
		if (!rc) {
			char *b64 = cove_base64_new(der.data, der.len);
			size_t need = b64 ? strlen(b64) + 64 + strlen(b64) / 64 : 0;
			char *na = b64 ? realloc(acc, len + need + 1) : NULL;
			if (!na) {
				rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
			} else {
				acc = na;
				len += (size_t)sprintf(acc + len, "-----BEGIN CERTIFICATE-----\n");
				for (size_t o = 0; o < strlen(b64); o += 64)
					len += (size_t)sprintf(acc + len, "%.64s\n", b64 + o);
				len += (size_t)sprintf(acc + len, "-----END CERTIFICATE-----\n");
			}
			free(b64);
		}
		cove_buf_free(&der);
	}
	if (!rc && acc)
		rc = cove_buf_set(pem, acc, len, e);
	free(acc);
	return rc;
}

cove_err cove_attest_kbs_request_parse(const char *tee, const json_t *ev, cove_attest_type *type,
				       cove_attest_request **req, cove_error *e)
{
	cove_attest_request *r = NULL;
	cove_buf raw = {0};
	cove_err rc;

	*req = NULL;
	if (!tee || (strcmp(tee, "sgx") && strcmp(tee, "tdx") && strcmp(tee, "snp")))
		return cove_error_set(e, COVE_ERR_UNSUPPORTED, "tee %s: cove verifies sgx, tdx and snp evidence",
				      tee ? tee : "(none)");
	if (!json_is_object(ev))
		return cove_error_set(e, COVE_ERR_PARSE, "tee-evidence: expected the %s evidence object", tee);
	if (!(r = calloc(1, sizeof(*r))))
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	if (strcmp(tee, "snp") != 0) {
		const json_t *q = json_object_get(ev, "quote");
		r->type = tee[0] == 's' ? COVE_ATTEST_SGXENCLAVE : COVE_ATTEST_TDXVM;
		if (!json_is_string(q))
			rc = cove_error_set(e, COVE_ERR_PARSE, "tee-evidence.quote: expected base64 of the quote");
		else if (!(rc = attest_b64_decode("tee-evidence.quote", json_string_value(q), json_string_length(q), &raw, e)))
			rc = attest_check_quote(r, "tee-evidence.quote", raw.data, raw.len, e);
	} else {
		const json_t *rep = json_object_get(ev, "attestation_report");
		r->type = COVE_ATTEST_SEVSNPVM;
		if (!json_is_string(rep) && !json_is_array(rep))
			rc = cove_error_set(e, COVE_ERR_PARSE,
					    "tee-evidence.attestation_report: expected base64 of the raw report or an array of its bytes");
		else if (!(rc = bytes_of(rep, "tee-evidence.attestation_report", &r->evidence, e)) &&
			 !(rc = snp_chain_pem(json_object_get(ev, "cert_chain"), &r->snp_cert_chain, e)))
			rc = attest_check_snp(r, "tee-evidence.attestation_report", "tee-evidence.cert_chain", e);
	}
	cove_buf_free(&raw);
	if (rc) {
		cove_attest_request_free(r);
		return rc;
	}
	*type = r->type;
	*req = r;
	return COVE_OK;
}
