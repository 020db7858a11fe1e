/*
 * Parsing of MAA-shaped attestation requests (`POST /attest/{type}` bodies).
 *
 * Shapes: Azure/azure-rest-api-specs, attestation data plane 2025-06-01
 * (AttestSevSnpVmRequest, AttestSgxEnclaveRequest, AttestTdxVmRequest,
 * AttestOpenEnclaveRequest, RuntimeData/InitTimeData {data, dataType},
 * DataType Binary|JSON).  The SevSnpVm "report" is base64url of a JSON object
 * {"SnpReport": b64url(raw report), "VcekCertChain": b64url(PEM chain),
 * "Endorsements": b64url(JSON)} (the spec's AttestSevSnpVm example and
 * microsoft/confidential-sidecar-containers pkg/common/maa.go).  The legacy
 * OpenEnclave body (2018 samples) is {"Quote", "EnclaveHeldData"}, the quote
 * being an OE report: oe_report_header_t {u32 version = 1, u32 report_type
 * (2 = remote), u64 report_size} then the SGX quote (openenclave
 * include/openenclave/bits/report.h).  See docs/attest-api.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cove/attest.h"
#include "cove/crypto.h"
#include "cove/dcap.h"
#include "cove/snp.h"
#include "attest/internal.h"

#define OE_HEADER_SIZE 16
#define OE_REPORT_VERSION 1
#define OE_REPORT_TYPE_SGX_REMOTE 2

static const struct {
	cove_attest_type t;
	const char *name, *claim;
} types[] = {
	{COVE_ATTEST_SEVSNPVM, "SevSnpVm", "sevsnpvm"},
	{COVE_ATTEST_SGXENCLAVE, "SgxEnclave", "sgx"},
	{COVE_ATTEST_TDXVM, "TdxVm", "tdxvm"},
	{COVE_ATTEST_OPENENCLAVE, "OpenEnclave", "sgx"},
};

const char *cove_attest_type_name(cove_attest_type t)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].t == t)
			return types[i].name;
	return "unknown";
}

const char *cove_attest_type_claim(cove_attest_type t)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].t == t)
			return types[i].claim;
	return "unknown";
}

cove_err cove_attest_type_parse(const char *name, cove_attest_type *out, cove_error *e)
{
	if (!name || !out)
		return cove_error_set(e, COVE_ERR_ARG, "cove_attest_type_parse: missing argument");
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (strcasecmp(name, types[i].name) == 0) {
			*out = types[i].t;
			return COVE_OK;
		}
	}
	return cove_error_set(e, COVE_ERR_PARSE,
			      "unknown attestation type \"%.64s\": expected SevSnpVm, SgxEnclave, TdxVm or OpenEnclave",
			      name);
}

/* Strict base64 / base64url (cove_base64_decode_strict), errors prefixed with the JSON path. */
cove_err attest_b64_decode(const char *path, const char *s, size_t n, cove_buf *out, cove_error *e)
{
	cove_error de = {0};
	cove_err rc = cove_base64_decode_strict(s, n, out, &de);
	if (rc)
		return cove_error_set(e, rc, "%s: %s", path, de.msg);
	return COVE_OK;
}

/* A field of the request: the object's member whose name matches `name` case-insensitively. */
static cove_err member(json_t *obj, const char *path, const char *name, json_t **out, cove_error *e)
{
	const char *k, *found = NULL;
	json_t *v;
	*out = NULL;
	json_object_foreach(obj, k, v)
	{
		if (strcasecmp(k, name) != 0)
			continue;
		if (found)
			return cove_error_set(e, COVE_ERR_PARSE, "%s: \"%s\" and \"%s\" are the same field (names are "
					      "case-insensitive)", *path ? path : "body", found, k);
		found = k;
		*out = v;
	}
	return COVE_OK;
}

static const char *json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

static cove_err want_string(const json_t *v, const char *path, cove_error *e)
{
	if (!json_is_string(v))
		return cove_error_set(e, COVE_ERR_PARSE, "%s: expected a string, got %s", path, json_type_name(v));
	return COVE_OK;
}

/* The string member `name` decoded from base64url; `required` or absent -> out stays empty. */
static cove_err b64_member(json_t *obj, const char *path, const char *name, bool required, bool *present,
			   cove_buf *out, cove_error *e)
{
	char p[96];
	json_t *v;
	cove_err rc;
	snprintf(p, sizeof(p), "%s%s%s", path, *path ? "." : "", name);
	if (present)
		*present = false;
	if ((rc = member(obj, path, name, &v, e)))
		return rc;
	if (!v || json_is_null(v)) {
		if (required)
			return cove_error_set(e, COVE_ERR_PARSE, "%s: missing (required)", p);
		return COVE_OK;
	}
	if ((rc = want_string(v, p, e)))
		return rc;
	if (present)
		*present = true;
	return attest_b64_decode(p, json_string_value(v), json_string_length(v), out, e);
}

static cove_err parse_data(json_t *obj, const char *name, cove_attest_data *out, cove_error *e)
{
	json_t *v, *d, *t;
	cove_err rc;
	char p[64];
	if ((rc = member(obj, "", name, &v, e)))
		return rc;
	if (!v || json_is_null(v))
		return COVE_OK;
	if (!json_is_object(v))
		return cove_error_set(e, COVE_ERR_PARSE, "%s: expected an object {\"data\", \"dataType\"}, got %s", name,
				      json_type_name(v));
	if ((rc = member(v, name, "data", &d, e)) || (rc = member(v, name, "dataType", &t, e)))
		return rc;
	out->type = COVE_ATTEST_DATA_BINARY;
	if (t && !json_is_null(t)) {
		snprintf(p, sizeof(p), "%s.dataType", name);
		if ((rc = want_string(t, p, e)))
			return rc;
		if (strcasecmp(json_string_value(t), "JSON") == 0)
			out->type = COVE_ATTEST_DATA_JSON;
		else if (strcasecmp(json_string_value(t), "Binary") != 0)
			return cove_error_set(e, COVE_ERR_PARSE, "%s: expected \"Binary\" or \"JSON\", got \"%.32s\"", p,
					      json_string_value(t));
	}
	if (!d || json_is_null(d))
		return cove_error_set(e, COVE_ERR_PARSE, "%s.data: missing (required)", name);
	if ((rc = b64_member(v, name, "data", true, NULL, &out->bytes, e)))
		return rc;
	if (out->type == COVE_ATTEST_DATA_JSON) {
		json_error_t je;
		out->json = json_loadb((const char *)out->bytes.data, out->bytes.len,
				       JSON_REJECT_DUPLICATES, &je);
		if (!out->json)
			return cove_error_set(e, COVE_ERR_PARSE,
					      "%s.data: dataType is JSON but the decoded data is not JSON (line %d, "
					      "column %d: %s)", name, je.line, je.column, je.text);
		if (!json_is_object(out->json))
			return cove_error_set(e, COVE_ERR_PARSE,
					      "%s.data: dataType is JSON but the decoded data is %s, not a JSON object",
					      name, json_type_name(out->json));
	}
	out->present = true;
	return COVE_OK;
}

/* An optional string member copied out. */
static cove_err string_member(json_t *obj, const char *name, char **out, cove_error *e)
{
	json_t *v;
	cove_err rc;
	if ((rc = member(obj, "", name, &v, e)))
		return rc;
	if (!v || json_is_null(v))
		return COVE_OK;
	if ((rc = want_string(v, name, e)))
		return rc;
	if (!(*out = strdup(json_string_value(v))))
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	return COVE_OK;
}

/* SevSnpVm "report": base64url of {"SnpReport", "VcekCertChain", "Endorsements"}. */
static cove_err parse_snp_report(cove_attest_request *r, json_t *v, cove_error *e)
{
	cove_buf text = {0};
	json_t *inner = NULL;
	json_error_t je;
	cove_err rc;

	if (!v || json_is_null(v))
		return cove_error_set(e, COVE_ERR_PARSE, "report: missing (required)");
	if ((rc = want_string(v, "report", e)) ||
	    (rc = attest_b64_decode("report", json_string_value(v), json_string_length(v), &text, e)))
		goto out;
	if (!(inner = json_loadb((const char *)text.data, text.len, JSON_REJECT_DUPLICATES, &je))) {
		rc = cove_error_set(e, COVE_ERR_PARSE,
				    "report: the decoded report is not JSON {\"SnpReport\", \"VcekCertChain\"} (line %d, "
				    "column %d: %s)", je.line, je.column, je.text);
		goto out;
	}
	if (!json_is_object(inner)) {
		rc = cove_error_set(e, COVE_ERR_PARSE, "report: the decoded report is %s, not a JSON object "
				    "{\"SnpReport\", \"VcekCertChain\"}", json_type_name(inner));
		goto out;
	}
	if ((rc = b64_member(inner, "report", "SnpReport", true, NULL, &r->evidence, e)) ||
	    (rc = b64_member(inner, "report", "VcekCertChain", false, NULL, &r->snp_cert_chain, e)))
		goto out;
	cove_buf endorsements = {0};
	rc = b64_member(inner, "report", "Endorsements", false, &r->snp_has_endorsements, &endorsements, e);
	cove_buf_free(&endorsements);
	if (rc)
		goto out;
	rc = attest_check_snp(r, "report.SnpReport", "report.VcekCertChain", e);
out:
	json_decref(inner);
	cove_buf_free(&text);
	return rc;
}

cove_err attest_check_snp(cove_attest_request *r, const char *report_path, const char *chain_path, cove_error *e)
{
	cove_snp_report rep;
	cove_err rc = COVE_OK;

	if (r->evidence.len != COVE_SNP_REPORT_SIZE)
		return cove_error_set(e, COVE_ERR_PARSE, "%s: expected %u bytes (an SEV-SNP ATTESTATION_REPORT), got %zu",
				      report_path, COVE_SNP_REPORT_SIZE, r->evidence.len);
	if ((rc = cove_snp_report_parse(r->evidence.data, r->evidence.len, &rep, e)))
		return cove_error_wrap(e, rc == COVE_ERR_NOMEM ? rc : COVE_ERR_PARSE, "%s", report_path);
	/* Decoded here once: the evaluation uses these (decoding is most of what an SNP chain costs). */
	cove_x509_list_free(&r->snp_chain);
	if (r->snp_cert_chain.len &&
	    (rc = cove_x509_list_parse(&r->snp_chain, r->snp_cert_chain.data, r->snp_cert_chain.len, e))) {
		cove_x509_list_free(&r->snp_chain);
		rc = cove_error_wrap(e, rc == COVE_ERR_NOMEM ? rc : COVE_ERR_PARSE, "%s", chain_path);
	}
	return rc;
}

cove_err attest_check_quote(cove_attest_request *r, const char *path, const uint8_t *qp, size_t qlen, cove_error *e)
{
	cove_dcap_quote q;
	cove_err rc;

	if ((rc = cove_dcap_quote_parse_ex(qp, qlen, COVE_DCAP_PARSE_NO_CERTS, &q, e)))
		return cove_error_wrap(e, rc == COVE_ERR_NOMEM ? rc : COVE_ERR_PARSE, "%s", path);
	bool tdx = q.tee_type == COVE_TEE_TDX;
	cove_dcap_quote_free(&q);
	if (tdx != (r->type == COVE_ATTEST_TDXVM))
		return cove_error_set(e, COVE_ERR_PARSE, "%s: a %s quote was sent to /attest/%s, which takes %s quotes",
				      path, tdx ? "TDX" : "SGX", cove_attest_type_name(r->type),
				      r->type == COVE_ATTEST_TDXVM ? "TDX" : "SGX");
	return cove_buf_set(&r->evidence, qp, qlen, e);
}

/* SgxEnclave / TdxVm "quote" (or OpenEnclave "report"): decode and check it is a quote of the right TEE. */
static cove_err parse_quote(cove_attest_request *r, const char *path, json_t *v, cove_error *e)
{
	cove_buf raw = {0};
	cove_err rc;

	if (!v || json_is_null(v))
		return cove_error_set(e, COVE_ERR_PARSE, "%s: missing (required)", path);
	if ((rc = want_string(v, path, e)))
		return rc;
	/* base64 of the largest quote accepted, and a little over: refuse before decoding. */
	if (json_string_length(v) > (size_t)COVE_DCAP_MAX_QUOTE_SIZE / 3 * 4 + 64)
		return cove_error_set(e, COVE_ERR_PARSE, "%s: larger than the %u-byte limit for a quote", path,
				      COVE_DCAP_MAX_QUOTE_SIZE);
	if ((rc = attest_b64_decode(path, json_string_value(v), json_string_length(v), &raw, e)))
		return rc;
	const uint8_t *qp = raw.data;
	size_t qlen = raw.len;
	if (r->type == COVE_ATTEST_OPENENCLAVE) {
		if (qlen < OE_HEADER_SIZE) {
			rc = cove_error_set(e, COVE_ERR_PARSE, "%s: %zu bytes is too short for an Open Enclave report "
					    "header (%d bytes)", path, qlen, OE_HEADER_SIZE);
			goto out;
		}
		uint32_t ver = cove_le32(qp), kind = cove_le32(qp + 4);
		uint64_t size = cove_le64(qp + 8);
		if (ver != OE_REPORT_VERSION || kind != OE_REPORT_TYPE_SGX_REMOTE) {
			rc = cove_error_set(e, COVE_ERR_PARSE, "%s: Open Enclave report header version %u type %u; only "
					    "version 1 type 2 (SGX remote) is accepted", path, ver, kind);
			goto out;
		}
		if (size != qlen - OE_HEADER_SIZE) {
			rc = cove_error_set(e, COVE_ERR_PARSE, "%s: the Open Enclave report header says %llu bytes "
					    "follow, but %zu do", path, (unsigned long long)size, qlen - OE_HEADER_SIZE);
			goto out;
		}
		qp += OE_HEADER_SIZE;
		qlen -= OE_HEADER_SIZE;
	}
	rc = attest_check_quote(r, path, qp, qlen, e);
out:
	cove_buf_free(&raw);
	return rc;
}

static void data_free(cove_attest_data *d)
{
	cove_buf_free(&d->bytes);
	json_decref(d->json);
	memset(d, 0, sizeof(*d));
}

void cove_attest_request_free(cove_attest_request *r)
{
	if (!r)
		return;
	cove_buf_free(&r->evidence);
	cove_buf_free(&r->snp_cert_chain);
	cove_x509_list_free(&r->snp_chain);
	data_free(&r->runtime);
	data_free(&r->inittime);
	free(r->nonce);
	free(r->draft_policy);
	free(r);
}

cove_err cove_attest_request_parse(cove_attest_type type, const char *body, size_t len, cove_attest_request **out,
				   cove_error *e)
{
	cove_attest_request *r = NULL;
	json_t *root = NULL, *v, *ehd;
	json_error_t je;
	cove_err rc;

	if (!out || (!body && len))
		return cove_error_set(e, COVE_ERR_ARG, "cove_attest_request_parse: missing argument");
	*out = NULL;
	if (strcmp(cove_attest_type_name(type), "unknown") == 0)
		return cove_error_set(e, COVE_ERR_ARG, "cove_attest_request_parse: unknown attestation type %d", type);
	if (len > COVE_ATTEST_BODY_MAX)
		return cove_error_set(e, COVE_ERR_PARSE, "body: %zu bytes is more than the %u-byte limit", len,
				      COVE_ATTEST_BODY_MAX);
	if (!(root = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, &je)))
		return cove_error_set(e, COVE_ERR_PARSE, "body: invalid JSON at line %d, column %d: %s", je.line,
				      je.column, je.text);
	if (!json_is_object(root)) {
		rc = cove_error_set(e, COVE_ERR_PARSE, "body: expected a JSON object, got %s", json_type_name(root));
		goto out;
	}
	if (!(r = calloc(1, sizeof(*r)))) {
		rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
		goto out;
	}
	r->type = type;

	switch (type) {
	case COVE_ATTEST_SEVSNPVM:
		if ((rc = member(root, "", "report", &v, e)) || (rc = parse_snp_report(r, v, e)))
			goto out;
		break;
	case COVE_ATTEST_SGXENCLAVE:
	case COVE_ATTEST_TDXVM:
		if ((rc = member(root, "", "quote", &v, e)) || (rc = parse_quote(r, "quote", v, e)))
			goto out;
		break;
	case COVE_ATTEST_OPENENCLAVE: {
		json_t *rep, *quote;
		if ((rc = member(root, "", "report", &rep, e)) || (rc = member(root, "", "quote", &quote, e)))
			goto out;
		if (rep && quote) {
			rc = cove_error_set(e, COVE_ERR_PARSE, "body: both \"report\" and the legacy \"Quote\" are given; "
					    "send one");
			goto out;
		}
		if ((rc = parse_quote(r, quote ? "Quote" : "report", quote ? quote : rep, e)))
			goto out;
		break;
	}
	}

	if ((rc = parse_data(root, "runtimeData", &r->runtime, e)) ||
	    (rc = parse_data(root, "initTimeData", &r->inittime, e)) ||
	    (rc = string_member(root, "nonce", &r->nonce, e)) ||
	    (rc = string_member(root, "draftPolicyForAttestation", &r->draft_policy, e)))
		goto out;
	/* The 2018 SGX/OE body: "EnclaveHeldData" is runtime data of type Binary. */
	if (type == COVE_ATTEST_SGXENCLAVE || type == COVE_ATTEST_OPENENCLAVE) {
		bool present = false;
		if ((rc = member(root, "", "EnclaveHeldData", &ehd, e)))
			goto out;
		if (ehd && !json_is_null(ehd) && r->runtime.present) {
			rc = cove_error_set(e, COVE_ERR_PARSE, "body: both \"runtimeData\" and the legacy "
					    "\"EnclaveHeldData\" are given; send one");
			goto out;
		}
		if ((rc = b64_member(root, "", "EnclaveHeldData", false, &present, &r->runtime.bytes, e)))
			goto out;
		if (present) {
			r->runtime.present = true;
			r->runtime.type = COVE_ATTEST_DATA_BINARY;
		}
	}
	*out = r;
	r = NULL;
	rc = COVE_OK;
out:
	cove_attest_request_free(r);
	json_decref(root);
	return rc;
}
