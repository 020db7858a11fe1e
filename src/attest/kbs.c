/*
 * KBS evidence (Confidential Containers RCAR protocol 0.4.0, Trustee's
 * attester formats; shared/research/attestation-services.md 3.2) decoded
 * into the MAA-shaped request cove_attest_evaluate() takes, so that one
 * verifier path serves both APIs (cove/attest.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cove/attest.h"
#include "cove/bytes.h"

/* Standard or URL-safe base64, as clients send either. */
static cove_err b64_any(const char *s, cove_buf *out, cove_error *e)
{
	if (strpbrk(s, "-_"))
		return cove_base64url_decode(s, strlen(s), out, e);
	return cove_base64_decode(s, strlen(s), out, e);
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
		if (json_is_string(data))
			rc = b64_any(json_string_value(data), &der, e);
		else if (json_is_array(data)) {
			der.len = json_array_size(data);
			der.data = malloc(der.len ? der.len : 1);
			for (size_t k = 0; der.data && k < der.len; k++) {
				json_int_t b = json_integer_value(json_array_get(data, k));
				if (!json_is_integer(json_array_get(data, k)) || b < 0 || b > 255)
					rc = cove_error_set(e, COVE_ERR_PARSE, "tee-evidence.cert_chain[%zu].data[%zu]: not a byte", i, k);
				else
					der.data[k] = (uint8_t)b;
			}
			if (!der.data)
				rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
		} else
			rc = cove_error_set(e, COVE_ERR_PARSE, "tee-evidence.cert_chain[%zu]: expected base64 DER or {data}", i);
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

/* An MAA-shaped request for the KBS evidence (so one verifier path serves both APIs). */
cove_err cove_attest_kbs_request_parse(const char *tee, const json_t *ev, cove_attest_type *type,
				       cove_attest_request **req, cove_error *e)
{
	json_t *maa = NULL;
	char *body = NULL;
	cove_buf raw = {0}, pem = {0};
	cove_err rc = COVE_OK;

	*req = NULL;
	if (!tee || (strcmp(tee, "sgx") && strcmp(tee, "tdx") && strcmp(tee, "snp")))
		return cove_error_set(e, COVE_ERR_UNSUPPORTED, "tee %s: cove verifies sgx, tdx and snp evidence",
				      tee ? tee : "(none)");
	if (!json_is_object(ev))
		return cove_error_set(e, COVE_ERR_PARSE, "tee-evidence: expected the %s evidence object", tee);
	if (strcmp(tee, "sgx") == 0 || strcmp(tee, "tdx") == 0) {
		const char *q = json_string_value(json_object_get(ev, "quote"));
		*type = tee[0] == 's' ? COVE_ATTEST_SGXENCLAVE : COVE_ATTEST_TDXVM;
		if (!q)
			return cove_error_set(e, COVE_ERR_PARSE, "tee-evidence.quote: expected base64 of the quote");
		if ((rc = b64_any(q, &raw, e)))
			return cove_error_wrap(e, rc, "tee-evidence.quote");
		char *b = cove_base64url_new(raw.data, raw.len);
		maa = json_pack("{s:s}", "quote", b ? b : "");
		free(b);
	} else {
		const json_t *rep = json_object_get(ev, "attestation_report");
		*type = COVE_ATTEST_SEVSNPVM;
		if (json_is_string(rep))
			rc = b64_any(json_string_value(rep), &raw, e);
		else if (json_is_array(rep)) {
			raw.len = json_array_size(rep);
			raw.data = malloc(raw.len ? raw.len : 1);
			for (size_t k = 0; raw.data && k < raw.len && !rc; k++) {
				json_int_t b = json_integer_value(json_array_get(rep, k));
				if (!json_is_integer(json_array_get(rep, k)) || b < 0 || b > 255)
					rc = cove_error_set(e, COVE_ERR_PARSE, "tee-evidence.attestation_report[%zu]: not a byte", k);
				else
					raw.data[k] = (uint8_t)b;
			}
		} else
			rc = cove_error_set(e, COVE_ERR_PARSE,
					    "tee-evidence.attestation_report: expected base64 of the raw report or an array of its bytes");
		if (!rc)
			rc = snp_chain_pem(json_object_get(ev, "cert_chain"), &pem, e);
		if (!rc) {
			char *r64 = cove_base64url_new(raw.data, raw.len);
			char *c64 = pem.len ? cove_base64url_new(pem.data, pem.len) : NULL;
			json_t *inner = json_pack("{s:s}", "SnpReport", r64 ? r64 : "");
			if (c64)
				json_object_set_new(inner, "VcekCertChain", json_string(c64));
			char *is = json_dumps(inner, JSON_COMPACT);
			char *i64 = is ? cove_base64url_new(is, strlen(is)) : NULL;
			maa = json_pack("{s:s}", "report", i64 ? i64 : "");
			free(r64);
			free(c64);
			free(is);
			free(i64);
			json_decref(inner);
		}
	}
	if (!rc && maa && (body = json_dumps(maa, JSON_COMPACT)))
		rc = cove_attest_request_parse(*type, body, strlen(body), req, e);
	else if (!rc)
		rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	free(body);
	json_decref(maa);
	cove_buf_free(&raw);
	cove_buf_free(&pem);
	return rc;
}

