/*
 * MAA-shaped attestation requests: parsing (precise errors for malformed
 * bodies), verification of real SEV-SNP, SGX and TDX evidence from
 * shared/vectors at their pinned times, the runtimeData binding (MAA's own
 * SevSnpVm vector and the Azure sample SGX quotes), the emulated platform's
 * evidence accepted only where its root is trusted, and the MAA claim names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cove/attest.h"
#include "cove/maa_policy.h"
#include "cove/crypto.h"
#include "cove/dcap_collateral.h"
#include "cove/platform.h"
#include "support/expect.h"
#include "support/scratch.h"
#include "testutil.h"

#define PIN_2025_07_01 1751328000

static char plat_dir[256];
static cove_platform *plat;

static int setup(void **state)
{
	(void)state;
	cove_error e = {0};
	if (cove_test_scratch_make(plat_dir, sizeof(plat_dir), "attest") ||
	    cove_platform_open(plat_dir, true, &plat, &e)) {
		fprintf(stderr, "platform: %s\n", e.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cove_platform_free(plat);
	cove_test_scratch_remove(plat_dir);
	return 0;
}

/* ---- helpers ---- */

static char *b64u(const void *p, size_t n)
{
	char *s = cove_base64url_new(p, n);
	assert_non_null(s);
	return s;
}

/* {"report": b64url({"SnpReport": ..., "VcekCertChain": ...}) <extra>} */
static char *snp_body(const uint8_t *report, const cove_buf *pem, const char *extra)
{
	char *rep = b64u(report, COVE_SNP_REPORT_SIZE), *chain = pem ? b64u(pem->data, pem->len) : NULL;
	size_t n = strlen(rep) + (chain ? strlen(chain) : 0) + 128;
	char *inner = malloc(n);
	assert_non_null(inner);
	if (chain)
		snprintf(inner, n, "{\"SnpReport\":\"%s\",\"VcekCertChain\":\"%s\"}", rep, chain);
	else
		snprintf(inner, n, "{\"SnpReport\":\"%s\"}", rep);
	char *outer = b64u(inner, strlen(inner));
	size_t m = strlen(outer) + (extra ? strlen(extra) : 0) + 32;
	char *body = malloc(m);
	assert_non_null(body);
	snprintf(body, m, "{\"report\":\"%s\"%s}", outer, extra ? extra : "");
	free(rep);
	free(chain);
	free(inner);
	free(outer);
	return body;
}

static char *quote_body(const char *field, const void *q, size_t n, const char *extra)
{
	char *s = b64u(q, n);
	size_t m = strlen(s) + (extra ? strlen(extra) : 0) + 64;
	char *body = malloc(m);
	assert_non_null(body);
	snprintf(body, m, "{\"%s\":\"%s\"%s}", field, s, extra ? extra : "");
	free(s);
	return body;
}

static cove_attest_request *parse_ok(cove_attest_type t, const char *body)
{
	cove_attest_request *r = NULL;
	cove_error e = {0};
	if (cove_attest_request_parse(t, body, strlen(body), &r, &e))
		fail_msg("parse: %s", e.msg);
	return r;
}

static void parse_fails(cove_attest_type t, const char *body, const char *want)
{
	cove_attest_request *r = (cove_attest_request *)1;
	cove_error e = {0};
	assert_int_equal(cove_attest_request_parse(t, body, strlen(body), &r, &e), COVE_ERR_PARSE);
	assert_null(r);
	cove_test_expect_msg(&e, want);
}

static const char *claim_str(json_t *c, const char *name)
{
	json_t *v = json_object_get(c, name);
	if (!json_is_string(v))
		fail_msg("claim %s missing or not a string", name);
	return json_string_value(v);
}

static long long claim_int(json_t *c, const char *name)
{
	json_t *v = json_object_get(c, name);
	if (!json_is_integer(v))
		fail_msg("claim %s missing or not an integer", name);
	return json_integer_value(v);
}

static void expect_hex(json_t *c, const char *name, const uint8_t *p, size_t n)
{
	char *h = cove_hex_new(p, n);
	assert_string_equal(claim_str(c, name), h);
	free(h);
}

/* SNP collateral source serving one CRL (the verifier needs a CRL by default). */
static cove_buf snp_crl;
static cove_err crl_source(void *ctx, cove_snp_product p, bool vlek, cove_buf *der, cove_error *e)
{
	(void)ctx;
	(void)p;
	(void)vlek;
	if (!snp_crl.len)
		return cove_error_set(e, COVE_ERR_UNAVAILABLE, "no CRL in this test");
	return cove_buf_set(der, snp_crl.data, snp_crl.len, e);
}

static cove_snp_verifier *snp_verifier(bool trust_emulated)
{
	cove_snp_verifier *v = NULL;
	cove_error e = {0};
	cove_snp_collateral_source src = {.get_crl = crl_source};
	if (cove_snp_verifier_new(&v, &e))
		fail_msg("%s", e.msg);
	cove_snp_verifier_set_source(v, &src);
	if (trust_emulated) {
		cove_snp_root root;
		if (cove_platform_snp_root(plat, &root, &e) || cove_snp_verifier_add_root(v, &root, &e))
			fail_msg("%s", e.msg);
	}
	return v;
}

/* DCAP collateral source serving one bundle file from shared/. */
static const char *bundle_rel;
static cove_err bundle_source(void *arg, cove_tee_type tee, const uint8_t fmspc[6], const char *ca,
			      cove_dcap_collateral *out, cove_error *e)
{
	(void)arg;
	(void)tee;
	(void)fmspc;
	(void)ca;
	cove_buf b = {0};
	if (!bundle_rel)
		return cove_error_set(e, COVE_ERR_UNAVAILABLE, "no bundle");
	cove_test_read_shared(bundle_rel, &b);
	cove_err rc = cove_dcap_collateral_parse_bundle((const char *)b.data, b.len, out, e);
	cove_buf_free(&b);
	return rc;
}

static cove_err evaluate(const cove_attest_ctx *ctx, const char *body, cove_attest_type t, json_t **claims,
			 cove_result **res)
{
	cove_attest_request *r = parse_ok(t, body);
	cove_error e = {0};
	cove_err rc = cove_attest_evaluate(ctx, r, claims, res, &e);
	if (rc != COVE_OK && rc != COVE_ERR_UNAVAILABLE)
		fail_msg("evaluate: %s", e.msg);
	cove_attest_request_free(r);
	return rc;
}

/* ---- parsing ---- */

static void test_type_names(void **state)
{
	(void)state;
	cove_attest_type t;
	cove_error e = {0};
	assert_int_equal(cove_attest_type_parse("sevsnpvm", &t, NULL), COVE_OK);
	assert_int_equal(t, COVE_ATTEST_SEVSNPVM);
	assert_int_equal(cove_attest_type_parse("TdxVm", &t, NULL), COVE_OK);
	assert_string_equal(cove_attest_type_claim(t), "tdxvm");
	assert_string_equal(cove_attest_type_claim(COVE_ATTEST_SGXENCLAVE), "sgx");
	assert_int_equal(cove_attest_type_parse("Tpm", &t, &e), COVE_ERR_PARSE);
	cove_test_expect_msg(&e, "unknown attestation type \"Tpm\"");
}

static void test_parse_errors(void **state)
{
	(void)state;
	uint8_t zero[COVE_SNP_REPORT_SIZE] = {0};
	parse_fails(COVE_ATTEST_SEVSNPVM, "{\"report\": ", "body: invalid JSON at line 1");
	parse_fails(COVE_ATTEST_SEVSNPVM, "[1,2]", "body: expected a JSON object, got an array");
	parse_fails(COVE_ATTEST_SEVSNPVM, "{}", "report: missing (required)");
	parse_fails(COVE_ATTEST_SEVSNPVM, "{\"report\": 5}", "report: expected a string, got a number");
	parse_fails(COVE_ATTEST_SEVSNPVM, "{\"report\": \"ab$d\"}", "report: invalid base64url character '$' at position 2");
	parse_fails(COVE_ATTEST_SEVSNPVM, "{\"report\": \"ab d\"}", "report: invalid base64url character 0x20 at position 2");
	parse_fails(COVE_ATTEST_SEVSNPVM, "{\"report\": \"a-b+\"}", "report: mixes the base64url");
	parse_fails(COVE_ATTEST_SEVSNPVM, "{\"report\": \"abcde\"}", "report: impossible base64url length");
	parse_fails(COVE_ATTEST_SEVSNPVM, "{\"report\": \"ab=\"}", "report: wrong base64 padding");
	parse_fails(COVE_ATTEST_SEVSNPVM, "{\"report\": \"a=bc\"}", "report: padding '=' inside the text at position 1");
	/* "QR" = 0x41 plus 4 non-zero unused bits: a second spelling of "QQ". */
	parse_fails(COVE_ATTEST_SEVSNPVM, "{\"report\": \"QR\"}", "report: non-zero unused bits");
	/* "W10" = "[]" */
	parse_fails(COVE_ATTEST_SEVSNPVM, "{\"report\": \"W10\"}", "report: the decoded report is an array");
	parse_fails(COVE_ATTEST_SEVSNPVM, "{\"report\": \"e30\"}", "report.SnpReport: missing (required)");
	parse_fails(COVE_ATTEST_SEVSNPVM, "{\"report\": \"e30\", \"REPORT\": \"e30\"}",
		    "body: \"report\" and \"REPORT\" are the same field");

	char *body = snp_body(zero, NULL, NULL);
	parse_fails(COVE_ATTEST_SEVSNPVM, body, "report.SnpReport: ");
	free(body);

	uint8_t shortrep[100] = {0};
	char *s = b64u(shortrep, sizeof(shortrep)), inner[512], *outer, big[1024];
	snprintf(inner, sizeof(inner), "{\"SnpReport\":\"%s\"}", s);
	outer = b64u(inner, strlen(inner));
	snprintf(big, sizeof(big), "{\"report\":\"%s\"}", outer);
	parse_fails(COVE_ATTEST_SEVSNPVM, big, "report.SnpReport: expected 1184 bytes (an SEV-SNP ATTESTATION_REPORT), got 100");
	free(s);
	free(outer);

	/* A quote that is not a quote; runtimeData shapes (checked after the evidence, so give good evidence first). */
	parse_fails(COVE_ATTEST_SGXENCLAVE, "{\"quote\": \"AAAA\"}", "quote: ");
	parse_fails(COVE_ATTEST_TDXVM, "{}", "quote: missing (required)");

	/* Oversize bodies are refused before parsing. */
	size_t n = COVE_ATTEST_BODY_MAX + 1;
	char *huge = malloc(n + 1);
	assert_non_null(huge);
	memset(huge, ' ', n);
	huge[n] = '\0';
	cove_attest_request *r = NULL;
	cove_error e = {0};
	assert_int_equal(cove_attest_request_parse(COVE_ATTEST_SGXENCLAVE, huge, n, &r, &e), COVE_ERR_PARSE);
	cove_test_expect_msg(&e, "body: 4194305 bytes is more than the 4194304-byte limit");
	free(huge);
}

/* An emulated SNP report whose REPORT_DATA is `rd`. */
static void emulated_snp(const uint8_t rd[64], const uint8_t *host_data, uint8_t out[COVE_SNP_REPORT_SIZE])
{
	cove_snp_emulate_opts o;
	cove_error e = {0};
	cove_snp_emulate_opts_init(&o);
	memcpy(o.report_data, rd, 64);
	if (host_data)
		memcpy(o.host_data, host_data, 32);
	memset(o.measurement, 0xAB, sizeof(o.measurement));
	if (cove_platform_snp_emulate(plat, &o, out, &e))
		fail_msg("%s", e.msg);
}

static void test_parse_runtime_data(void **state)
{
	(void)state;
	uint8_t rd[64] = {0}, rep[COVE_SNP_REPORT_SIZE];
	emulated_snp(rd, NULL, rep);
	char *b;
	b = snp_body(rep, NULL, ",\"runtimeData\":{\"data\":\"AAAA\",\"dataType\":\"Text\"}");
	parse_fails(COVE_ATTEST_SEVSNPVM, b, "runtimeData.dataType: expected \"Binary\" or \"JSON\", got \"Text\"");
	free(b);
	b = snp_body(rep, NULL, ",\"runtimeData\":{\"dataType\":\"Binary\"}");
	parse_fails(COVE_ATTEST_SEVSNPVM, b, "runtimeData.data: missing (required)");
	free(b);
	b = snp_body(rep, NULL, ",\"runtimeData\":\"AAAA\"");
	parse_fails(COVE_ATTEST_SEVSNPVM, b, "runtimeData: expected an object {\"data\", \"dataType\"}, got a string");
	free(b);
	b = snp_body(rep, NULL, ",\"runtimeData\":{\"data\":7,\"dataType\":\"Binary\"}");
	parse_fails(COVE_ATTEST_SEVSNPVM, b, "runtimeData.data: expected a string, got a number");
	free(b);
	/* "bm90IGpzb24" = "not json" */
	b = snp_body(rep, NULL, ",\"initTimeData\":{\"data\":\"bm90IGpzb24\",\"dataType\":\"JSON\"}");
	parse_fails(COVE_ATTEST_SEVSNPVM, b, "initTimeData.data: dataType is JSON but the decoded data is not JSON");
	free(b);
	/* "WzFd" = "[1]" */
	b = snp_body(rep, NULL, ",\"runtimeData\":{\"data\":\"WzFd\",\"dataType\":\"JSON\"}");
	parse_fails(COVE_ATTEST_SEVSNPVM, b, "runtimeData.data: dataType is JSON but the decoded data is an array");
	free(b);
	b = snp_body(rep, NULL, ",\"nonce\":12");
	parse_fails(COVE_ATTEST_SEVSNPVM, b, "nonce: expected a string, got a number");
	free(b);

	/* Accepted: unknown fields, the C++ SDK's "inittimeData" casing, JSON data, nonce, draft policy. */
	b = snp_body(rep, NULL, ",\"someFutureField\":[1],\"inittimeData\":{\"data\":\"eyJhIjoxfQ\",\"dataType\":\"json\"},"
			   "\"nonce\":\"n-1\",\"draftPolicyForAttestation\":\"version=1.0;\"");
	cove_attest_request *r = parse_ok(COVE_ATTEST_SEVSNPVM, b);
	assert_true(r->inittime.present);
	assert_int_equal(r->inittime.type, COVE_ATTEST_DATA_JSON);
	assert_int_equal(json_integer_value(json_object_get(r->inittime.json, "a")), 1);
	assert_false(r->runtime.present);
	assert_string_equal(r->nonce, "n-1");
	assert_string_equal(r->draft_policy, "version=1.0;");
	assert_int_equal(r->evidence.len, COVE_SNP_REPORT_SIZE);
	assert_memory_equal(r->evidence.data, rep, COVE_SNP_REPORT_SIZE);
	cove_attest_request_free(r);
	free(b);
}

/* ---- SEV-SNP ---- */

/* MAA's own vector: the AttestSevSnpVm example's runtimeData hashes to the example token's reportdata. */
static void test_snp_maa_runtime_vector(void **state)
{
	(void)state;
	cove_buf f = {0}, data = {0};
	cove_test_read_shared("vectors/coco/maa/rest-api-examples/AttestSevSnpVm.runtimeData.reportdata-vector.txt", &f);
	char *text = strndup((const char *)f.data, f.len);
	char *line = strstr(text, "\neyJ");
	assert_non_null(line);
	line++;
	*strchr(line, '\n') = '\0';
	/* The example's data is padded base64url: accepted as such. */
	cove_error e = {0};
	uint8_t h[32], rd[64] = {0}, rep[COVE_SNP_REPORT_SIZE], want[32];
	cove_hex_decode_fixed("99dd4593a43f4b0f5f10f1856c7326eba309b943251fededc15592e3250ca9e9", want, 32, NULL);

	/* Report data = SHA-256(runtimeData) || 0^32, as in the vector. */
	char extra[4096];
	snprintf(extra, sizeof(extra), ",\"runtimeData\":{\"data\":\"%s\",\"dataType\":\"JSON\"},\"nonce\":\"abc\"", line);
	if (cove_base64url_decode(line, strlen(line), &data, &e))
		fail_msg("%s", e.msg);
	cove_digest(COVE_SHA256, data.data, data.len, h, NULL);
	assert_memory_equal(h, want, 32);
	memcpy(rd, h, 32);
	emulated_snp(rd, NULL, rep);

	cove_buf pem = {0};
	assert_int_equal(cove_platform_snp_chain_pem(plat, NULL, &pem, &e), COVE_OK);
	assert_int_equal(cove_platform_snp_crl_pem(plat, &snp_crl, &e), COVE_OK);
	cove_attest_ctx ctx;
	cove_attest_ctx_init(&ctx);
	ctx.snp = snp_verifier(true);
	char *body = snp_body(rep, &pem, extra);
	json_t *claims = NULL;
	cove_result *res = NULL;
	assert_int_equal(evaluate(&ctx, body, COVE_ATTEST_SEVSNPVM, &claims, &res), COVE_OK);
	if (!res->authentic)
		fail_msg("not authentic: %s: %s", res->failures[0].check, res->failures[0].detail);
	assert_true(res->ok);
	assert_string_equal(claim_str(claims, "x-ms-attestation-type"), "sevsnpvm");
	assert_string_equal(claim_str(claims, "nonce"), "abc");
	json_t *rt = json_object_get(claims, "x-ms-runtime");
	assert_true(json_is_array(json_object_get(rt, "keys")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(rt, "keys"), 0), "kid")),
			    "HCLTransferKey");
	assert_true(json_is_true(json_object_get(json_object_get(rt, "vm-configuration"), "secure-boot")));
	assert_true(json_is_true(json_object_get(claims, "x-cove-emulated")));
	expect_hex(claims, "x-ms-sevsnpvm-reportdata", rd, 64);
	char *rdh = cove_hex_new(rd, 64);
	assert_string_equal(rdh, "99dd4593a43f4b0f5f10f1856c7326eba309b943251fededc15592e3250ca9e9"
				 "0000000000000000000000000000000000000000000000000000000000000000");
	free(rdh);
	json_decref(claims);
	cove_result_free(res);
	free(body);

	/* Mismatch: one bit off in the first half. */
	rd[0] ^= 1;
	emulated_snp(rd, NULL, rep);
	body = snp_body(rep, &pem, extra);
	assert_int_equal(evaluate(&ctx, body, COVE_ATTEST_SEVSNPVM, &claims, &res), COVE_OK);
	assert_false(res->authentic);
	assert_false(res->ok);
	assert_int_equal(res->nfailures, 1);
	assert_true(cove_result_has_failure(res, "binding.runtime_data"));
	assert_non_null(strstr(res->failures[0].detail, "its SHA-256 is 99dd4593"));
	assert_string_equal(claim_str(json_object_get(claims, "x-cove-tcb-status"), "status"), "Unverified");
	json_decref(claims);
	cove_result_free(res);
	free(body);

	/* Right hash but non-zero second half: MAA's SevSnpVm layout wants zeros there. */
	rd[0] ^= 1;
	rd[40] = 1;
	emulated_snp(rd, NULL, rep);
	body = snp_body(rep, &pem, extra);
	assert_int_equal(evaluate(&ctx, body, COVE_ATTEST_SEVSNPVM, &claims, &res), COVE_OK);
	assert_false(res->authentic);
	assert_true(cove_result_has_failure(res, "binding.runtime_data"));
	assert_non_null(strstr(res->failures[0].detail, "followed by 32 zero bytes"));
	json_decref(claims);
	cove_result_free(res);
	free(body);

	cove_snp_verifier_free(ctx.snp);
	cove_buf_free(&pem);
	cove_buf_free(&snp_crl);
	cove_buf_free(&data);
	cove_buf_free(&f);
	free(text);
}

static void test_snp_emulated_trust(void **state)
{
	(void)state;
	uint8_t rd[64] = {0}, rep[COVE_SNP_REPORT_SIZE], hd[32], h[32];
	cove_error e = {0};
	/* initTimeData binds to HOST_DATA = SHA-256(initTimeData). */
	cove_digest(COVE_SHA256, "{\"a\":1}", 7, h, NULL);
	memcpy(hd, h, 32);
	emulated_snp(rd, hd, rep);
	cove_buf pem = {0};
	assert_int_equal(cove_platform_snp_chain_pem(plat, NULL, &pem, &e), COVE_OK);
	assert_int_equal(cove_platform_snp_crl_pem(plat, &snp_crl, &e), COVE_OK);
	const char *extra = ",\"initTimeData\":{\"data\":\"eyJhIjoxfQ\",\"dataType\":\"JSON\"}";
	char *body = snp_body(rep, &pem, extra);

	for (int trust = 0; trust < 2; trust++) {
		cove_attest_ctx ctx;
		cove_attest_ctx_init(&ctx);
		ctx.snp = snp_verifier(trust);
		json_t *claims = NULL;
		cove_result *res = NULL;
		evaluate(&ctx, body, COVE_ATTEST_SEVSNPVM, &claims, &res);
		assert_int_equal(res->authentic, trust);
		if (trust) {
			assert_true(json_is_true(json_object_get(claims, "x-cove-emulated")));
			assert_string_equal(claim_str(json_object_get(claims, "x-cove-tcb-status"), "status"), "NotRated");
			assert_int_equal(json_integer_value(json_object_get(json_object_get(claims, "x-ms-inittime"), "a")), 1);
		} else {
			assert_true(cove_result_has_failure(res, "chain.root"));
			assert_false(json_is_true(json_object_get(claims, "x-cove-emulated")));
		}
		expect_hex(claims, "x-ms-sevsnpvm-hostdata", hd, 32);
		json_decref(claims);
		cove_result_free(res);
		cove_snp_verifier_free(ctx.snp);
	}
	free(body);

	/* Wrong initTimeData. */
	cove_attest_ctx ctx;
	cove_attest_ctx_init(&ctx);
	ctx.snp = snp_verifier(true);
	body = snp_body(rep, &pem, ",\"initTimeData\":{\"data\":\"eyJhIjoyfQ\",\"dataType\":\"JSON\"}");
	json_t *claims = NULL;
	cove_result *res = NULL;
	evaluate(&ctx, body, COVE_ATTEST_SEVSNPVM, &claims, &res);
	assert_false(res->authentic);
	assert_true(cove_result_has_failure(res, "binding.init_time_data"));
	json_decref(claims);
	cove_result_free(res);
	free(body);
	cove_snp_verifier_free(ctx.snp);
	cove_buf_free(&pem);
	cove_buf_free(&snp_crl);
}

/* A genuine Milan report (confidential-sidecar-containers) with its VCEK chain and AMD's CRL. */
static void test_snp_real(void **state)
{
	(void)state;
	cove_buf rep = {0}, pem = {0};
	cove_test_read_shared("vectors/coco/skr/sidecar/test_data/snp_report.bin", &rep);
	cove_test_read_shared("vectors/coco/skr/sidecar/test_data/uvm_host_amd_certificate.pem", &pem);
	cove_test_read_shared("vectors/snp/openpcc/test_amd_milan_crl.pem", &snp_crl);
	assert_int_equal(rep.len, COVE_SNP_REPORT_SIZE);
	cove_attest_ctx ctx;
	cove_attest_ctx_init(&ctx);
	ctx.snp = snp_verifier(false);
	ctx.at = PIN_2025_07_01;
	char *body = snp_body(rep.data, &pem, ",\"nonce\":\"xyz\"");
	json_t *claims = NULL;
	cove_result *res = NULL;
	assert_int_equal(evaluate(&ctx, body, COVE_ATTEST_SEVSNPVM, &claims, &res), COVE_OK);
	if (!res->authentic)
		fail_msg("not authentic: %s: %s", res->failures[0].check, res->failures[0].detail);
	expect_hex(claims, "x-ms-sevsnpvm-launchmeasurement", rep.data + 0x90, 48);
	expect_hex(claims, "x-ms-sevsnpvm-reportdata", rep.data + 0x50, 64);
	expect_hex(claims, "x-ms-sevsnpvm-hostdata", rep.data + 0xC0, 32);
	expect_hex(claims, "x-ms-sevsnpvm-idkeydigest", rep.data + 0xE0, 48);
	expect_hex(claims, "x-ms-sevsnpvm-reportid", rep.data + 0x140, 32);
	expect_hex(claims, "x-ms-sevsnpvm-familyId", rep.data + 0x10, 16);
	assert_int_equal(claim_int(claims, "x-ms-sevsnpvm-vmpl"), 0);
	assert_int_equal(claim_int(claims, "x-ms-sevsnpvm-microcode-svn"), 0x73); /* REPORTED_TCB, per MANIFEST */
	assert_int_equal(claim_int(claims, "x-ms-sevsnpvm-microcode-svn"), rep.data[0x187]);
	assert_int_equal(claim_int(claims, "x-ms-sevsnpvm-bootloader-svn"), rep.data[0x180]);
	assert_int_equal(claim_int(claims, "x-ms-sevsnpvm-snpfw-svn"), rep.data[0x186]);
	assert_int_equal(claim_int(claims, "x-ms-sevsnpvm-guestsvn"), cove_le32(rep.data + 4));
	assert_true(json_is_false(json_object_get(claims, "x-ms-sevsnpvm-is-debuggable"))); /* policy 0x3001F */
	assert_true(json_is_true(json_object_get(claims, "x-ms-sevsnpvm-smt-allowed")));
	assert_true(json_is_false(json_object_get(claims, "x-ms-sevsnpvm-migration-allowed")));
	assert_true(json_is_false(json_object_get(claims, "x-cove-emulated")));
	assert_string_equal(claim_str(claims, "x-ms-ver"), "1.0");
	assert_string_equal(claim_str(claims, "nonce"), "xyz");
	assert_null(json_object_get(claims, "x-ms-runtime"));
	json_decref(claims);
	cove_result_free(res);

	/* The parser decodes the chain once for the evaluation; a request holding only the PEM still verifies. */
	{
		cove_x509_list want = {0};
		cove_attest_request *r = parse_ok(COVE_ATTEST_SEVSNPVM, body);
		assert_int_equal(cove_x509_list_parse(&want, pem.data, pem.len, NULL), COVE_OK);
		assert_int_equal(r->snp_chain.count, want.count);
		for (size_t i = 0; i < want.count; i++) {
			uint8_t a[COVE_SHA256_LEN], b[COVE_SHA256_LEN];
			assert_int_equal(cove_x509_sha256(r->snp_chain.certs[i], a, NULL), COVE_OK);
			assert_int_equal(cove_x509_sha256(want.certs[i], b, NULL), COVE_OK);
			assert_memory_equal(a, b, sizeof(a));
		}
		cove_x509_list_free(&r->snp_chain);
		assert_int_equal(cove_attest_evaluate(&ctx, r, &claims, &res, NULL), COVE_OK);
		assert_true(res->authentic);
		json_decref(claims);
		cove_result_free(res);
		cove_attest_request_free(r);
		cove_x509_list_free(&want);
	}
	free(body);

	/* Any runtimeData: the genuine report does not bind it. */
	body = snp_body(rep.data, &pem, ",\"runtimeData\":{\"data\":\"AQID\",\"dataType\":\"Binary\"}");
	assert_int_equal(evaluate(&ctx, body, COVE_ATTEST_SEVSNPVM, &claims, &res), COVE_OK);
	assert_false(res->authentic);
	assert_int_equal(res->nfailures, 1);
	assert_true(cove_result_has_failure(res, "binding.runtime_data"));
	json_decref(claims);
	cove_result_free(res);
	free(body);

	/* Without the chain, a v2 report does not even name its product. */
	body = snp_body(rep.data, NULL, NULL);
	assert_int_equal(evaluate(&ctx, body, COVE_ATTEST_SEVSNPVM, &claims, &res), COVE_OK);
	assert_false(res->authentic);
	assert_true(cove_result_has_failure(res, "product"));
	json_decref(claims);
	cove_result_free(res);
	/* Told it is Milan, the VCEK is missing and no source has it: unavailable, fails closed. */
	ctx.snp_product = COVE_SNP_MILAN;
	assert_int_equal(evaluate(&ctx, body, COVE_ATTEST_SEVSNPVM, &claims, &res), COVE_ERR_UNAVAILABLE);
	assert_false(res->authentic);
	assert_true(cove_result_has_failure(res, "collateral.vcek"));
	assert_string_equal(claim_str(json_object_get(claims, "x-cove-tcb-status"), "status"), "Unverified");
	json_decref(claims);
	cove_result_free(res);
	free(body);

	cove_snp_verifier_free(ctx.snp);
	cove_buf_free(&rep);
	cove_buf_free(&pem);
	cove_buf_free(&snp_crl);
}

/* ---- SGX / TDX ---- */

static void test_sgx_real(void **state)
{
	(void)state;
	cove_buf q = {0};
	cove_error e = {0};
	cove_test_read_shared("vectors/sgx/automata/solana-tests-data/quote_sgx.bin", &q);
	cove_attest_ctx ctx;
	cove_attest_ctx_init(&ctx);
	assert_int_equal(cove_dcap_verifier_new(&ctx.dcap, &e), COVE_OK);
	ctx.dcap_sources[0].get = bundle_source;
	ctx.n_dcap_sources = 1;
	ctx.at = PIN_2025_07_01;
	bundle_rel = "vectors/sgx/phala-dcap-qvl/sgx_quote_collateral.json";
	char *body = quote_body("quote", q.data, q.len, NULL);
	json_t *claims = NULL;
	cove_result *res = NULL;
	assert_int_equal(evaluate(&ctx, body, COVE_ATTEST_SGXENCLAVE, &claims, &res), COVE_OK);
	if (!res->authentic)
		fail_msg("not authentic: %s: %s", res->failures[0].check, res->failures[0].detail);
	assert_string_equal(claim_str(claims, "x-ms-attestation-type"), "sgx");
	expect_hex(claims, "x-ms-sgx-mrenclave", q.data + 48 + 64, 32);
	expect_hex(claims, "x-ms-sgx-mrsigner", q.data + 48 + 128, 32);
	expect_hex(claims, "x-ms-sgx-report-data", q.data + 48 + 320, 64);
	assert_int_equal(claim_int(claims, "x-ms-sgx-product-id"), cove_le16(q.data + 48 + 256));
	assert_int_equal(claim_int(claims, "x-ms-sgx-svn"), cove_le16(q.data + 48 + 258));
	assert_true(json_is_true(json_object_get(claims, "x-ms-sgx-is-debuggable"))); /* debug enclave, per MANIFEST */
	json_t *t = json_object_get(claims, "x-cove-tcb-status");
	assert_string_equal(claim_str(t, "status"), "ConfigurationAndSWHardeningNeeded");
	assert_non_null(strstr(claim_str(t, "explanation"), " "));
	assert_int_equal(json_array_size(json_object_get(t, "advisory_ids")), 2);
	assert_true(json_is_false(json_object_get(claims, "x-cove-emulated")));
	json_decref(claims);
	cove_result_free(res);
	free(body);

	/* The same quote to /attest/TdxVm is refused at parse time. */
	body = quote_body("quote", q.data, q.len, NULL);
	parse_fails(COVE_ATTEST_TDXVM, body, "quote: a SGX quote was sent to /attest/TdxVm");
	free(body);

	/* Collateral past its date at the real clock: authentic no more, and it says why. */
	ctx.at = 0;
	body = quote_body("quote", q.data, q.len, NULL);
	assert_int_equal(evaluate(&ctx, body, COVE_ATTEST_SGXENCLAVE, &claims, &res), COVE_OK);
	assert_false(res->authentic);
	assert_string_equal(claim_str(json_object_get(claims, "x-cove-tcb-status"), "status"), "Unverified");
	json_decref(claims);
	cove_result_free(res);
	free(body);

	cove_dcap_verifier_free(ctx.dcap);
	cove_buf_free(&q);
	bundle_rel = NULL;
}

/* Azure sample quotes (no collateral here): the EnclaveHeldData binding alone, as MAA checks it. */
static void test_sgx_binding_real(void **state)
{
	(void)state;
	cove_buf f = {0}, q = {0};
	cove_error e = {0};
	cove_test_read_shared("vectors/coco/maa/requests/intel-sdk-enclave.info.debug.json", &f);
	json_t *info = json_loadb((const char *)f.data, f.len, 0, NULL);
	assert_non_null(info);
	const char *qh = json_string_value(json_object_get(info, "QuoteHex"));
	const char *ehd = json_string_value(json_object_get(info, "EnclaveHeldDataHex"));
	assert_int_equal(cove_hex_decode(qh, strlen(qh), &q, &e), COVE_OK);
	cove_buf ehdb = {0};
	assert_int_equal(cove_hex_decode(ehd, strlen(ehd), &ehdb, &e), COVE_OK);
	char *ehd64 = b64u(ehdb.data, ehdb.len), extra[256];

	cove_attest_ctx ctx;
	cove_attest_ctx_init(&ctx);
	assert_int_equal(cove_dcap_verifier_new(&ctx.dcap, &e), COVE_OK);
	for (int legacy = 0; legacy < 2; legacy++) {
		if (legacy)
			snprintf(extra, sizeof(extra), ",\"EnclaveHeldData\":\"%s\"", ehd64);
		else
			snprintf(extra, sizeof(extra), ",\"runtimeData\":{\"data\":\"%s\",\"dataType\":\"Binary\"}", ehd64);
		char *body = quote_body(legacy ? "Quote" : "quote", q.data, q.len, extra);
		json_t *claims = NULL;
		cove_result *res = NULL;
		assert_int_equal(evaluate(&ctx, body, COVE_ATTEST_SGXENCLAVE, &claims, &res), COVE_ERR_UNAVAILABLE);
		assert_false(res->authentic);
		assert_true(cove_result_has_failure(res, "collateral.dcap"));
		assert_false(cove_result_has_failure(res, "binding.runtime_data"));
		assert_string_equal(claim_str(claims, "x-ms-sgx-ehd"), ehd64);
		assert_string_equal(claim_str(claims, "x-ms-sgx-mrenclave"),
				    "3e2df98fc7fd042b842121cae6a8086d546e7970db55103725cc1dcbc2c48814");
		json_decref(claims);
		cove_result_free(res);
		free(body);
	}
	/* Other data: the binding fails. */
	char *body = quote_body("quote", q.data, q.len, ",\"runtimeData\":{\"data\":\"AQIDBAUH\",\"dataType\":\"Binary\"}");
	json_t *claims = NULL;
	cove_result *res = NULL;
	evaluate(&ctx, body, COVE_ATTEST_SGXENCLAVE, &claims, &res);
	assert_true(cove_result_has_failure(res, "binding.runtime_data"));
	json_decref(claims);
	cove_result_free(res);
	free(body);

	cove_dcap_verifier_free(ctx.dcap);
	free(ehd64);
	cove_buf_free(&ehdb);
	cove_buf_free(&q);
	cove_buf_free(&f);
	json_decref(info);
}

/* The real 2018 Open Enclave request body (OE report header around an SGX quote, EnclaveHeldData). */
static void test_openenclave_legacy(void **state)
{
	(void)state;
	cove_buf f = {0};
	cove_error e = {0};
	cove_test_read_shared("vectors/coco/maa/requests/oe-sgx-attest-request.body.json", &f);
	cove_attest_request *r = NULL;
	assert_int_equal(cove_attest_request_parse(COVE_ATTEST_OPENENCLAVE, (const char *)f.data, f.len, &r, &e), COVE_OK);
	assert_true(r->runtime.present);
	assert_int_equal(r->runtime.bytes.len, 512);
	assert_int_equal(r->evidence.len, 4600 - 16);
	assert_int_equal(cove_le16(r->evidence.data), 3);
	cove_attest_ctx ctx;
	cove_attest_ctx_init(&ctx);
	assert_int_equal(cove_dcap_verifier_new(&ctx.dcap, &e), COVE_OK);
	json_t *claims = NULL;
	cove_result *res = NULL;
	assert_int_equal(cove_attest_evaluate(&ctx, r, &claims, &res, &e), COVE_ERR_UNAVAILABLE);
	assert_false(cove_result_has_failure(res, "binding.runtime_data"));
	assert_string_equal(claim_str(claims, "x-ms-sgx-mrenclave"),
			    "90a328210154d861be7fc85a904e99fba713b05029321a470f62ea8495ec7d90");
	json_decref(claims);
	cove_result_free(res);
	cove_attest_request_free(r);
	cove_dcap_verifier_free(ctx.dcap);
	/* The OE body sent to /attest/SgxEnclave: the header makes it no quote. */
	char *text = strndup((const char *)f.data, f.len);
	assert_non_null(text);
	parse_fails(COVE_ATTEST_SGXENCLAVE, text, "quote: ");
	free(text);
	cove_buf_free(&f);
}

static void test_tdx_real(void **state)
{
	(void)state;
	cove_buf q = {0};
	cove_error e = {0};
	cove_test_read_shared("vectors/tdx/phala-dcap-qvl/tdx_quote", &q);
	cove_dcap_quote pq;
	assert_int_equal(cove_dcap_quote_parse(q.data, q.len, &pq, &e), COVE_OK);
	cove_attest_ctx ctx;
	cove_attest_ctx_init(&ctx);
	assert_int_equal(cove_dcap_verifier_new(&ctx.dcap, &e), COVE_OK);
	ctx.dcap_sources[0].get = bundle_source;
	ctx.n_dcap_sources = 1;
	ctx.at = PIN_2025_07_01;
	bundle_rel = "vectors/tdx/phala-dcap-qvl/tdx_quote_collateral.json";
	char *body = quote_body("quote", q.data, q.len, NULL);
	json_t *claims = NULL;
	cove_result *res = NULL;
	assert_int_equal(evaluate(&ctx, body, COVE_ATTEST_TDXVM, &claims, &res), COVE_OK);
	if (!res->authentic)
		fail_msg("not authentic: %s: %s", res->failures[0].check, res->failures[0].detail);
	assert_string_equal(claim_str(claims, "x-ms-attestation-type"), "tdxvm");
	expect_hex(claims, "tdx_mrtd", pq.td.mr_td, 48);
	expect_hex(claims, "tdx_rtmr0", pq.td.rtmr[0], 48);
	expect_hex(claims, "tdx_rtmr3", pq.td.rtmr[3], 48);
	expect_hex(claims, "tdx_report_data", pq.td.report_data, 64);
	expect_hex(claims, "tdx_mrseam", pq.td.mr_seam, 48);
	expect_hex(claims, "tdx_tee_tcb_svn", pq.td.tee_tcb_svn, 16);
	assert_string_equal(claim_str(claims, "attester_tcb_status"), "UpToDate");
	assert_string_equal(claim_str(claims, "eat_profile"), "https://aka.ms/maa-eat-profile-tdxvm");
	assert_int_equal(json_is_true(json_object_get(claims, "tdx_td_attributes_debug")),
			 (pq.td.td_attributes & 1) != 0);
	assert_string_equal(claim_str(claims, "dbgstat"), (pq.td.td_attributes & 1) ? "enabled" : "disabled");
	assert_string_equal(claim_str(json_object_get(claims, "x-cove-tcb-status"), "status"), "UpToDate");
	json_decref(claims);
	cove_result_free(res);
	free(body);

	/* A TD quote sent to /attest/SgxEnclave is refused. */
	body = quote_body("quote", q.data, q.len, NULL);
	parse_fails(COVE_ATTEST_SGXENCLAVE, body, "quote: a TDX quote was sent to /attest/SgxEnclave");
	free(body);
	cove_dcap_quote_free(&pq);
	cove_dcap_verifier_free(ctx.dcap);
	cove_buf_free(&q);
	bundle_rel = NULL;
}

/* Emulated SGX quotes: authentic only with the emulated root trusted; runtime data bound via SHA-256. */
/* A collateral source that counts its calls, fails on request, else asks `inner` (or returns empty collateral). */
typedef struct counting_source {
	cove_attest_dcap_fn inner;
	void *arg;
	bool fail;
	unsigned calls;
} counting_source;

static cove_err counting_get(void *arg, cove_tee_type tee, const uint8_t fmspc[6], const char *ca,
			     cove_dcap_collateral *out, cove_error *e)
{
	counting_source *cs = arg;
	cs->calls++;
	if (cs->fail)
		return cove_error_set(e, COVE_ERR_UNAVAILABLE, "counting source refused");
	return cs->inner ? cs->inner(cs->arg, tee, fmspc, ca, out, e) : COVE_OK;
}

static void test_sgx_emulated(void **state)
{
	(void)state;
	cove_error e = {0};
	cove_sgx_emulate_opts o;
	uint8_t body_raw[COVE_SGX_REPORT_BODY_SIZE], *quote = NULL;
	size_t qlen = 0;
	memset(&o, 0, sizeof(o));
	memset(o.mr_enclave, 0x11, 32);
	memset(o.mr_signer, 0x22, 32);
	o.isv_prod_id = 7;
	o.isv_svn = 3;
	const char *rt = "{\"jwk\":{\"kty\":\"EC\"}}";
	cove_digest(COVE_SHA256, rt, strlen(rt), o.report_data, NULL);
	if (cove_platform_sgx_report_body(plat, &o, body_raw, &e) ||
	    cove_platform_sgx_quote(plat, body_raw, &quote, &qlen, &e))
		fail_msg("%s", e.msg);
	char *rt64 = b64u(rt, strlen(rt)), extra[256];
	snprintf(extra, sizeof(extra), ",\"runtimeData\":{\"data\":\"%s\",\"dataType\":\"JSON\"}", rt64);
	char *body = quote_body("quote", quote, qlen, extra);

	for (int trust = 0; trust < 2; trust++) {
		cove_attest_ctx ctx;
		cove_attest_ctx_init(&ctx);
		assert_int_equal(cove_dcap_verifier_new(&ctx.dcap, &e), COVE_OK);
		if (trust) {
			uint8_t spki[32];
			assert_int_equal(cove_platform_sgx_root(plat, spki, &e), COVE_OK);
			assert_int_equal(cove_dcap_verifier_add_root(ctx.dcap, spki, COVE_PLATFORM_NAME, true, &e), COVE_OK);
		}
		ctx.dcap_sources[0].get = cove_attest_dcap_from_platform;
		ctx.dcap_sources[0].arg = plat;
		ctx.n_dcap_sources = 1;
		json_t *claims = NULL;
		cove_result *res = NULL;
		assert_int_equal(evaluate(&ctx, body, COVE_ATTEST_SGXENCLAVE, &claims, &res), COVE_OK);
		assert_int_equal(res->authentic, trust);
		assert_int_equal(json_is_true(json_object_get(claims, "x-cove-emulated")), trust);
		assert_false(cove_result_has_failure(res, "binding.runtime_data"));
		assert_string_equal(claim_str(claims, "x-ms-sgx-mrenclave"),
				    "1111111111111111111111111111111111111111111111111111111111111111");
		assert_int_equal(claim_int(claims, "x-ms-sgx-product-id"), 7);
		assert_int_equal(claim_int(claims, "x-ms-sgx-svn"), 3);
		assert_true(json_is_false(json_object_get(claims, "x-ms-sgx-is-debuggable")));
		assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(claims, "x-ms-runtime"),
											"jwk"), "kty")), "EC");
		json_decref(claims);
		cove_result_free(res);

		/* The same through a keeper: the second quote borrows what the first decoded. */
		cove_attest_dcap_keeper *k = NULL;
		counting_source cs = {.inner = cove_attest_dcap_from_platform, .arg = plat};
		assert_int_equal(cove_attest_dcap_keeper_new(counting_get, &cs, 60, &k, &e), COVE_OK);
		ctx.dcap_sources[0] = cove_attest_dcap_keeper_source(k);
		for (int i = 0; i < 2; i++) {
			assert_int_equal(evaluate(&ctx, body, COVE_ATTEST_SGXENCLAVE, &claims, &res), COVE_OK);
			assert_int_equal(res->authentic, trust);
			json_decref(claims);
			cove_result_free(res);
		}
		assert_int_equal(cs.calls, 1);
		cove_attest_dcap_keeper_free(k);

		/* A keeper whose source fails: the source's reason is the verdict's, nothing is kept. */
		cs = (counting_source){.fail = true};
		assert_int_equal(cove_attest_dcap_keeper_new(counting_get, &cs, 60, &k, &e), COVE_OK);
		ctx.dcap_sources[0] = cove_attest_dcap_keeper_source(k);
		for (int i = 0; i < 2; i++) {
			assert_int_equal(evaluate(&ctx, body, COVE_ATTEST_SGXENCLAVE, &claims, &res), COVE_ERR_UNAVAILABLE);
			assert_false(res->authentic);
			assert_true(res->nfailures > 0);
			bool named = false;
			for (size_t f = 0; f < res->nfailures; f++)
				named = named || strstr(res->failures[f].detail, "counting source refused") != NULL;
			assert_true(named);
			json_decref(claims);
			cove_result_free(res);
		}
		assert_int_equal(cs.calls, 2);
		cove_attest_dcap_keeper_free(k);
		cove_dcap_verifier_free(ctx.dcap);
	}
	free(body);
	free(rt64);
	free(quote);
}

/* The keeper on its own: what is kept, for whom, for how long, and what is not. */
static void test_dcap_keeper(void **state)
{
	(void)state;
	cove_attest_dcap_keeper *k = NULL;
	counting_source cs = {0};
	const uint8_t a[6] = {0x00, 0x90, 0x6e, 0xa1, 0x00, 0x00}, b[6] = {0x00, 0x90, 0x6e, 0xa1, 0x00, 0x01};
	cove_error e = {0};

	assert_int_equal(cove_attest_dcap_keeper_new(NULL, NULL, 60, &k, NULL), COVE_ERR_ARG);
	assert_int_equal(cove_attest_dcap_keeper_new(counting_get, &cs, 60, &k, &e), COVE_OK);
	cove_attest_dcap_source src = cove_attest_dcap_keeper_source(k);
	assert_null(src.get);
	const cove_dcap_collateral *c1 = src.borrow(src.arg, COVE_TEE_SGX, a, "processor", &e);
	const cove_dcap_collateral *c2 = src.borrow(src.arg, COVE_TEE_SGX, a, "processor", &e);
	assert_non_null(c1);
	assert_ptr_equal(c1, c2);
	assert_int_equal(cs.calls, 1);
	/* Another FMSPC, CA or TEE is another platform. */
	assert_non_null(src.borrow(src.arg, COVE_TEE_SGX, b, "processor", &e));
	assert_non_null(src.borrow(src.arg, COVE_TEE_SGX, a, "platform", &e));
	assert_non_null(src.borrow(src.arg, COVE_TEE_TDX, a, "processor", &e));
	assert_int_equal(cs.calls, 4);
	assert_ptr_equal(src.borrow(src.arg, COVE_TEE_SGX, a, "processor", &e), c1);
	assert_int_equal(cs.calls, 4);
	/* More platforms than slots: the oldest goes, and is asked for again. */
	for (uint8_t i = 0; i < COVE_ATTEST_DCAP_KEPT; i++) {
		uint8_t f[6] = {0x10, 0, 0, 0, 0, i};
		assert_non_null(src.borrow(src.arg, COVE_TEE_SGX, f, "processor", &e));
	}
	assert_int_equal(cs.calls, 4 + COVE_ATTEST_DCAP_KEPT);
	assert_non_null(src.borrow(src.arg, COVE_TEE_SGX, a, "processor", &e));
	assert_int_equal(cs.calls, 5 + COVE_ATTEST_DCAP_KEPT);
	/* A failure is reported and not kept. */
	cs.fail = true;
	memset(&e, 0, sizeof(e));
	assert_null(src.borrow(src.arg, COVE_TEE_SGX, b, "platform", &e));
	assert_int_equal(e.code, COVE_ERR_UNAVAILABLE);
	assert_non_null(strstr(e.msg, "counting source refused"));
	memset(&e, 0, sizeof(e));
	assert_null(src.borrow(src.arg, COVE_TEE_SGX, b, "platform", &e));
	assert_int_equal(cs.calls, 7 + COVE_ATTEST_DCAP_KEPT);
	cove_attest_dcap_keeper_free(k);

	/* Kept for `seconds`: with 1, what was fetched is asked for again two seconds later. */
	cs = (counting_source){0};
	assert_int_equal(cove_attest_dcap_keeper_new(counting_get, &cs, 1, &k, &e), COVE_OK);
	src = cove_attest_dcap_keeper_source(k);
	assert_non_null(src.borrow(src.arg, COVE_TEE_SGX, a, "processor", &e));
	sleep(2);
	assert_non_null(src.borrow(src.arg, COVE_TEE_SGX, a, "processor", &e));
	assert_int_equal(cs.calls, 2);
	cove_attest_dcap_keeper_free(k);
	cove_attest_dcap_keeper_free(NULL);
}

static void test_unsupported(void **state)
{
	(void)state;
	uint8_t rd[64] = {0}, rep[COVE_SNP_REPORT_SIZE];
	emulated_snp(rd, NULL, rep);
	char *body = snp_body(rep, NULL, NULL);
	cove_attest_request *r = parse_ok(COVE_ATTEST_SEVSNPVM, body);
	cove_attest_ctx ctx;
	cove_attest_ctx_init(&ctx);
	json_t *claims = (json_t *)1;
	cove_result *res = (cove_result *)1;
	cove_error e = {0};
	assert_int_equal(cove_attest_evaluate(&ctx, r, &claims, &res, &e), COVE_ERR_UNSUPPORTED);
	assert_null(claims);
	assert_null(res);
	cove_test_expect_msg(&e, "no SEV-SNP verifier for /attest/SevSnpVm");
	cove_attest_request_free(r);
	free(body);
}

/* ---- KBS evidence ---- */

static void kbs_fails(const char *tee, const char *json, cove_err want, const char *msg)
{
	json_t *ev = json_loads(json, JSON_DECODE_ANY, NULL);
	cove_attest_request *r = (cove_attest_request *)1;
	cove_attest_type t;
	cove_error e = {0};

	assert_non_null(ev);
	assert_int_equal(cove_attest_kbs_request_parse(tee, ev, &t, &r, &e), want);
	assert_null(r);
	cove_test_expect_msg(&e, msg);
	json_decref(ev);
}

static void test_kbs_evidence(void **state)
{
	cove_buf q = {0};
	cove_attest_request *r = NULL;
	cove_attest_type t = 0;
	cove_error e = {0};
	char *b64, json[16384];
	json_t *ev;

	(void)state;
	kbs_fails("cca", "{}", COVE_ERR_UNSUPPORTED, "cove verifies sgx, tdx and snp");
	kbs_fails("sgx", "[]", COVE_ERR_PARSE, "expected the sgx evidence object");
	kbs_fails("sgx", "{\"quote\": 5}", COVE_ERR_PARSE, "tee-evidence.quote");
	kbs_fails("tdx", "{\"quote\": \"@@@\"}", COVE_ERR_PARSE, "tee-evidence.quote");
	kbs_fails("snp", "{\"attestation_report\": [1, 300]}", COVE_ERR_PARSE, "attestation_report[1]: not a byte");
	kbs_fails("snp", "{\"attestation_report\": {}}", COVE_ERR_PARSE, "attestation_report: expected base64");
	kbs_fails("snp", "{\"attestation_report\": \"AAAA\", \"cert_chain\": 7}", COVE_ERR_PARSE,
		  "cert_chain: expected PEM text or an array");
	/* A real SGX quote in Trustee's shape decodes to an SgxEnclave request carrying it. */
	cove_test_read_shared("vectors/sgx/automata/solana-tests-data/quote_sgx.bin", &q);
	b64 = cove_base64_new(q.data, q.len);
	snprintf(json, sizeof(json), "{\"quote\": \"%s\"}", b64);
	ev = json_loads(json, 0, NULL);
	assert_int_equal(cove_attest_kbs_request_parse("sgx", ev, &t, &r, &e), COVE_OK);
	assert_int_equal(t, COVE_ATTEST_SGXENCLAVE);
	assert_int_equal(r->evidence.len, q.len);
	assert_memory_equal(r->evidence.data, q.data, q.len);
	assert_false(r->runtime.present);
	cove_attest_request_free(r);
	/* The same quote declared as TDX evidence is refused by the request checks. */
	r = NULL;
	assert_int_not_equal(cove_attest_kbs_request_parse("tdx", ev, &t, &r, &e), COVE_OK);
	assert_null(r);
	json_decref(ev);
	free(b64);
	cove_buf_free(&q);
}

/* ---- MAA policies deciding real evidence ---- */

/* Verified claims of a real sample (SNP sidecar report, Automata SGX quote, Phala TDX quote) at the 2025-07-01 pin. */
static json_t *real_claims(cove_attest_type t)
{
	cove_buf ev = {0}, pem = {0};
	cove_attest_ctx ctx;
	json_t *claims = NULL;
	cove_result *res = NULL;
	cove_error e = {0};
	char *body;

	cove_attest_ctx_init(&ctx);
	ctx.at = PIN_2025_07_01;
	if (t == COVE_ATTEST_SEVSNPVM) {
		cove_test_read_shared("vectors/coco/skr/sidecar/test_data/snp_report.bin", &ev);
		cove_test_read_shared("vectors/coco/skr/sidecar/test_data/uvm_host_amd_certificate.pem", &pem);
		cove_test_read_shared("vectors/snp/openpcc/test_amd_milan_crl.pem", &snp_crl);
		ctx.snp = snp_verifier(false);
		body = snp_body(ev.data, &pem, NULL);
	} else {
		cove_test_read_shared(t == COVE_ATTEST_SGXENCLAVE ? "vectors/sgx/automata/solana-tests-data/quote_sgx.bin"
								  : "vectors/tdx/phala-dcap-qvl/tdx_quote",
				      &ev);
		assert_int_equal(cove_dcap_verifier_new(&ctx.dcap, &e), COVE_OK);
		ctx.dcap_sources[0].get = bundle_source;
		ctx.n_dcap_sources = 1;
		bundle_rel = t == COVE_ATTEST_SGXENCLAVE ? "vectors/sgx/phala-dcap-qvl/sgx_quote_collateral.json"
							 : "vectors/tdx/phala-dcap-qvl/tdx_quote_collateral.json";
		body = quote_body("quote", ev.data, ev.len, NULL);
	}
	assert_int_equal(evaluate(&ctx, body, t, &claims, &res), COVE_OK);
	if (!res->authentic)
		fail_msg("not authentic: %s", res->failures[0].detail);
	cove_result_free(res);
	free(body);
	cove_snp_verifier_free(ctx.snp);
	cove_dcap_verifier_free(ctx.dcap);
	cove_buf_free(&ev);
	cove_buf_free(&pem);
	cove_buf_free(&snp_crl);
	bundle_rel = NULL;
	return claims;
}

/* Evaluate policy text over verified claims; *issued (optional) gets the outgoing claims. */
static bool permits(const char *policy, json_t *claims, json_t **issued)
{
	cove_maa_policy *p = NULL;
	cove_maa_result r;
	json_t *in = NULL;
	cove_error e = {0};
	bool ok;

	memset(&r, 0, sizeof(r));
	if (cove_maa_policy_parse(policy, strlen(policy), 0, &p, &e))
		fail_msg("policy: %s", e.msg);
	assert_int_equal(cove_maa_claims_from_object(claims, "AttestationService", &in, &e), COVE_OK);
	assert_int_equal(cove_maa_policy_evaluate(p, in, &r, &e), COVE_OK);
	ok = r.permitted;
	if (issued)
		*issued = json_incref(r.claims);
	cove_maa_result_clear(&r);
	json_decref(in);
	cove_maa_policy_free(p);
	return ok;
}

static void test_policies_decide_real_evidence(void **state)
{
	json_t *snp = real_claims(COVE_ATTEST_SEVSNPVM), *sgx = real_claims(COVE_ATTEST_SGXENCLAVE),
	       *tdx = real_claims(COVE_ATTEST_TDXVM), *issued = NULL;
	char pol[1024];
	cove_buf deny_all = {0};

	(void)state;
	/* SEV-SNP: pin the launch measurement and VMPL 0, refuse debug. */
	snprintf(pol, sizeof(pol),
		 "version=1.0; authorizationrules {\n"
		 " c:[type==\"x-ms-sevsnpvm-is-debuggable\", value==true] => deny();\n"
		 " c1:[type==\"x-ms-sevsnpvm-launchmeasurement\", value==\"%s\"] && c2:[type==\"x-ms-sevsnpvm-vmpl\", value==0] => permit();\n"
		 "}; issuancerules { c:[type==\"x-ms-sevsnpvm-launchmeasurement\"] => issue(type=\"measurement\", value=c.value); };",
		 claim_str(snp, "x-ms-sevsnpvm-launchmeasurement"));
	assert_true(permits(pol, snp, &issued));
	assert_string_equal(claim_str(issued, "measurement"), claim_str(snp, "x-ms-sevsnpvm-launchmeasurement"));
	json_decref(issued);
	assert_false(permits("version=1.0; authorizationrules { c:[type==\"x-ms-sevsnpvm-launchmeasurement\", "
			     "value==\"00\"] => permit(); }; issuancerules { };",
			     snp, NULL));
	/* The published deny-all policy denies genuine evidence too. */
	cove_test_read_shared("vectors/coco/maa/policies/signing-tool-sample.deny.all.txt", &deny_all);
	{
		char *text = strndup((const char *)deny_all.data, deny_all.len);
		assert_false(permits(text, snp, NULL));
		assert_false(permits(text, tdx, NULL));
		free(text);
	}
	/* SGX: the Automata sample is a debug enclave (ATTRIBUTES.DEBUG): a production policy refuses it. */
	assert_true(json_is_true(json_object_get(sgx, "x-ms-sgx-is-debuggable")));
	assert_false(permits("version=1.0; authorizationrules { c:[type==\"x-ms-sgx-is-debuggable\", value==true] => deny(); "
			     "=> permit(); }; issuancerules { };",
			     sgx, NULL));
	snprintf(pol, sizeof(pol),
		 "version=1.0; authorizationrules { c:[type==\"x-ms-sgx-mrsigner\", value==\"%s\"] => permit(); }; "
		 "issuancerules { };",
		 claim_str(sgx, "x-ms-sgx-mrsigner"));
	assert_true(permits(pol, sgx, NULL));
	/* TDX: MRTD pinned, issued as a custom claim; another MRTD is refused. */
	snprintf(pol, sizeof(pol),
		 "version=1.2; authorizationrules { c:[type==\"tdx_mrtd\", value==\"%s\"] => permit(); }; "
		 "issuancerules { c:[type==\"attester_tcb_status\"] => issue(type=\"tcb\", value=c.value); };",
		 claim_str(tdx, "tdx_mrtd"));
	assert_true(permits(pol, tdx, &issued));
	assert_string_equal(claim_str(issued, "tcb"), "UpToDate");
	json_decref(issued);
	assert_false(permits("version=1.2; authorizationrules { c:[type==\"tdx_mrtd\", value==\"ff\"] => permit(); }; "
			     "issuancerules { };",
			     tdx, NULL));
	cove_buf_free(&deny_all);
	json_decref(snp);
	json_decref(sgx);
	json_decref(tdx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_type_names),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_runtime_data),
		cmocka_unit_test(test_snp_maa_runtime_vector),
		cmocka_unit_test(test_snp_emulated_trust),
		cmocka_unit_test(test_snp_real),
		cmocka_unit_test(test_sgx_real),
		cmocka_unit_test(test_sgx_binding_real),
		cmocka_unit_test(test_openenclave_legacy),
		cmocka_unit_test(test_tdx_real),
		cmocka_unit_test(test_sgx_emulated), cmocka_unit_test(test_dcap_keeper),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_policies_decide_real_evidence),
		cmocka_unit_test(test_kbs_evidence),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
