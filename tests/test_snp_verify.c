/*
 * SEV-SNP verification against genuine AMD evidence (shared/vectors/snp, time
 * pinned to 2025-07-01): every sample verifies with its own certificates;
 * every signed byte and every certificate-signature byte matters; expired,
 * revoked, wrong-product, foreign-root, debug and low-TCB cases fail with
 * their own reason.
 */
#include <string.h>

#include "cove/azure_hcl.h"
#include "cove/snp.h"
#include "testutil.h"

#define T_PINNED COVE_TEST_SNP_TIME
#define MILAN_CHAIN "vectors/snp/go-sev-guest/milan_cert_chain.pem"
#define GENOA_CHAIN "vectors/snp/amd-roots/go-sev-guest_ask_ark_genoa.pem"
#define MILAN_CRL "vectors/snp/openpcc/test_amd_milan_crl.pem"

typedef struct sample {
	const char *report;
	const char *certs[3];
	const char *crl;
	bool hcl;
	bool debug;
} sample;

static const sample genuine[] = {
	{"vectors/snp/go-sev-guest/attestation.bin", {"vectors/snp/go-sev-guest/vcek.testcer.der", MILAN_CHAIN}, MILAN_CRL,
	 false, true},
	{"vectors/snp/virtee-sev/report_milan.hex", {"vectors/snp/virtee-sev/vcek_milan.der", "vectors/snp/virtee-sev/cert_chain_milan"},
	 MILAN_CRL, false, false},
	{"vectors/snp/trustee/snp/test-report.bin", {"vectors/snp/trustee/snp/test-vcek.der", MILAN_CHAIN}, MILAN_CRL, false,
	 false},
	{"vectors/snp/trustee/az-snp-vtpm/hcl-report.bin", {"vectors/snp/trustee/az-snp-vtpm/vcek.pem"}, MILAN_CRL, true,
	 false},
	{"vectors/snp/derived/trustee_evidence-v0_hcl-report.bin", {"vectors/snp/derived/trustee_evidence-v0_vcek.pem", MILAN_CHAIN},
	 MILAN_CRL, true, false},
	{"vectors/snp/derived/trustee_evidence-v1_hcl-report.bin", {"vectors/snp/derived/trustee_evidence-v1_vcek.der", MILAN_CHAIN},
	 MILAN_CRL, true, false},
	/* No Genoa CRL is published with the samples: verified with revocation unchecked. */
	{"vectors/snp/derived/trustee_evidence-genoa_hcl-report.bin",
	 {"vectors/snp/derived/trustee_evidence-genoa_vcek.pem", GENOA_CHAIN}, NULL, true, false},
	{"vectors/snp/derived/trustee_evidence-genoa_snp-report.bin",
	 {"vectors/snp/trustee/az-snp-vtpm/vcek-genoa.pem", GENOA_CHAIN}, NULL, false, false},
};

static cove_snp_verifier *verifier;

static int setup(void **state)
{
	(void)state;
	return cove_snp_verifier_new(&verifier, NULL) == COVE_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	cove_snp_verifier_free(verifier);
	return 0;
}

static void load_certs(const sample *s, cove_x509_list *certs, cove_x509_crl **crl)
{
	cove_error e = {0};
	for (size_t i = 0; i < 3 && s->certs[i]; i++) {
		cove_buf b = {0};
		cove_test_read_shared(s->certs[i], &b);
		if (cove_x509_list_parse(certs, b.data, b.len, &e))
			fail_msg("%s: %s", s->certs[i], e.msg);
		cove_buf_free(&b);
	}
	*crl = NULL;
	if (s->crl) {
		cove_buf b = {0};
		cove_test_read_shared(s->crl, &b);
		if (cove_x509_crl_parse(b.data, b.len, crl, &e))
			fail_msg("%s: %s", s->crl, e.msg);
		cove_buf_free(&b);
	}
}

/* Verify raw evidence bytes; returns the result (never NULL). */
static cove_result *verify_bytes(const sample *s, const uint8_t *data, size_t len, const cove_x509_list *certs,
				 cove_x509_crl *crl, const cove_snp_policy *policy_in, int64_t at)
{
	cove_snp_policy policy;
	cove_snp_verify_opts opts = {.at = at};
	cove_result *res = NULL;
	cove_error e = {0};
	cove_err rc;
	if (policy_in) {
		policy = *policy_in;
	} else {
		cove_snp_policy_init(&policy);
		policy.allow_debug = s->debug;
		policy.require_crl = s->crl != NULL;
	}
	if (s->hcl) {
		rc = cove_azure_hcl_verify(verifier, data, len, certs, crl, &policy, &opts, &res, &e);
	} else {
		cove_snp_report r;
		rc = cove_snp_report_parse(data, len, &r, &e);
		if (rc == COVE_ERR_PARSE)
			return NULL;
		rc = cove_snp_verify(verifier, &r, certs, crl, &policy, &opts, &res, &e);
	}
	if (rc == COVE_ERR_PARSE)
		return NULL;
	if (rc != COVE_OK)
		fail_msg("%s: %s", s->report, e.msg);
	return res;
}

static void print_failures(const cove_result *r)
{
	for (size_t i = 0; i < r->nfailures; i++)
		print_message("  %s: %s\n", r->failures[i].check, r->failures[i].detail);
}

static void test_genuine_samples(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(genuine) / sizeof(genuine[0]); i++) {
		const sample *s = &genuine[i];
		cove_buf b = {0};
		cove_x509_list certs = {0};
		cove_x509_crl *crl;
		cove_test_read_shared_evidence(s->report, &b);
		load_certs(s, &certs, &crl);
		cove_result *res = verify_bytes(s, b.data, b.len, &certs, crl, NULL, T_PINNED);
		assert_non_null(res);
		if (!res->ok) {
			print_failures(res);
			fail_msg("%s did not verify", s->report);
		}
		assert_true(res->authentic);
		assert_int_equal(json_is_true(json_object_get(res->claims, "revocation_checked")), s->crl != NULL);
		if (s->hcl)
			assert_non_null(json_object_get(res->claims, "x-ms-runtime"));
		cove_result_free(res);
		cove_x509_crl_free(crl);
		cove_x509_list_free(&certs);
		cove_buf_free(&b);
	}
}

/* Under the default policy the go-sev-guest sample is authentic but refused: DEBUG = 1. */
static void test_debug_refused_by_default(void **state)
{
	(void)state;
	const sample *s = &genuine[0];
	cove_buf b = {0};
	cove_x509_list certs = {0};
	cove_x509_crl *crl;
	cove_snp_policy policy;
	cove_snp_policy_init(&policy);
	cove_test_read_shared_evidence(s->report, &b);
	load_certs(s, &certs, &crl);
	cove_result *res = verify_bytes(s, b.data, b.len, &certs, crl, &policy, T_PINNED);
	assert_true(res->authentic);
	assert_false(res->ok);
	assert_true(cove_result_has_failure(res, "policy.debug"));
	assert_int_equal(res->nfailures, 1);
	cove_result_free(res);
	cove_x509_crl_free(crl);
	cove_x509_list_free(&certs);
	cove_buf_free(&b);
}

static void test_tcb_below_policy(void **state)
{
	(void)state;
	const sample *s = &genuine[2];
	cove_buf b = {0};
	cove_x509_list certs = {0};
	cove_x509_crl *crl;
	cove_snp_policy policy;
	cove_snp_policy_init(&policy);
	policy.min_reported_tcb.set = true;
	policy.min_reported_tcb.snp = 0x18; /* AMD-SB-3019 minimum for Milan */
	cove_test_read_shared_evidence(s->report, &b);
	load_certs(s, &certs, &crl);
	cove_result *res = verify_bytes(s, b.data, b.len, &certs, crl, &policy, T_PINNED);
	assert_true(res->authentic);
	assert_false(res->ok);
	assert_true(cove_result_has_failure(res, "policy.reported_tcb"));
	assert_non_null(strstr(res->failures[0].detail, "snp SPL"));
	cove_result_free(res);
	cove_x509_crl_free(crl);
	cove_x509_list_free(&certs);
	cove_buf_free(&b);
}

/* Every byte the signature covers, and every byte of R and S, matters. */
static void test_every_signed_byte(void **state)
{
	(void)state;
	const sample *s = &genuine[2];
	cove_buf b = {0};
	cove_x509_list certs = {0};
	cove_x509_crl *crl;
	cove_test_read_shared_evidence(s->report, &b);
	load_certs(s, &certs, &crl);
	size_t rejected = 0, parse_rejected = 0;
	for (size_t i = 0; i < 0x330; i++) {
		b.data[i] ^= 0x01;
		cove_result *res = verify_bytes(s, b.data, b.len, &certs, crl, NULL, T_PINNED);
		b.data[i] ^= 0x01;
		if (!res) {
			parse_rejected++;
			continue;
		}
		if (res->authentic)
			fail_msg("flipping byte 0x%03zx left the report authentic", i);
		rejected++;
		cove_result_free(res);
	}
	assert_int_equal(rejected + parse_rejected, 0x330);
	/* The untouched report still verifies (the flips were undone). */
	cove_result *res = verify_bytes(s, b.data, b.len, &certs, crl, NULL, T_PINNED);
	assert_true(res->ok);
	cove_result_free(res);
	cove_x509_crl_free(crl);
	cove_x509_list_free(&certs);
	cove_buf_free(&b);
}

/* Every byte of the VCEK's, the ASK's and the ARK's signature matters. */
static void test_every_certificate_signature_byte(void **state)
{
	(void)state;
	const sample *s = &genuine[0];
	cove_buf rep = {0}, vcek = {0}, chain_pem = {0};
	cove_x509_list chain = {0};
	cove_x509_crl *crl = NULL;
	cove_snp_report r;
	cove_test_read_shared(s->report, &rep);
	cove_test_read_shared("vectors/snp/go-sev-guest/vcek.testcer.der", &vcek);
	cove_test_read_shared(MILAN_CHAIN, &chain_pem);
	assert_int_equal(cove_x509_list_parse(&chain, chain_pem.data, chain_pem.len, NULL), COVE_OK);
	assert_int_equal(chain.count, 2);
	cove_buf crlb = {0};
	cove_test_read_shared(MILAN_CRL, &crlb);
	assert_int_equal(cove_x509_crl_parse(crlb.data, crlb.len, &crl, NULL), COVE_OK);
	assert_int_equal(cove_snp_report_parse(rep.data, rep.len, &r, NULL), COVE_OK);
	cove_snp_policy policy;
	cove_snp_policy_init(&policy);
	policy.allow_debug = true;
	cove_snp_verify_opts opts = {.at = T_PINNED};

	/* certs[0] = VCEK, then ASK, then ARK: flip bytes of each signature value (the DER tail). */
	cove_buf ders[3] = {{0}};
	assert_int_equal(cove_buf_set(&ders[0], vcek.data, vcek.len, NULL), COVE_OK);
	assert_int_equal(cove_x509_der(chain.certs[0], &ders[1], NULL), COVE_OK);
	assert_int_equal(cove_x509_der(chain.certs[1], &ders[2], NULL), COVE_OK);
	for (int which = 0; which < 3; which++) {
		size_t sig_len = 512; /* RSA-4096 signature at the end of every AMD certificate */
		for (size_t k = 0; k < sig_len; k++) {
			size_t off = ders[which].len - 1 - k;
			cove_x509_list certs = {0};
			ders[which].data[off] ^= 0x80;
			for (int j = 0; j < 3; j++) {
				cove_x509 *c = NULL;
				if (cove_x509_parse(ders[j].data, ders[j].len, &c, NULL) == COVE_OK) {
					cove_x509_list_add(&certs, c, NULL);
					cove_x509_free(c);
				}
			}
			ders[which].data[off] ^= 0x80;
			cove_result *res = NULL;
			cove_err rc = cove_snp_verify(verifier, &r, &certs, crl, &policy, &opts, &res, NULL);
			assert_true(rc == COVE_OK || rc == COVE_ERR_UNAVAILABLE);
			if (res->authentic)
				fail_msg("certificate %d: flipping signature byte %zu from the end left it authentic", which, k);
			cove_result_free(res);
			cove_x509_list_free(&certs);
		}
	}
	for (int j = 0; j < 3; j++)
		cove_buf_free(&ders[j]);
	cove_buf_free(&crlb);
	cove_x509_crl_free(crl);
	cove_x509_list_free(&chain);
	cove_buf_free(&rep);
	cove_buf_free(&vcek);
	cove_buf_free(&chain_pem);
}

static cove_result *verify_sample_at(const sample *s, int64_t at, const char *override_chain)
{
	cove_buf b = {0};
	cove_x509_list certs = {0};
	cove_x509_crl *crl;
	sample copy = *s;
	if (override_chain)
		copy.certs[1] = override_chain;
	cove_test_read_shared_evidence(s->report, &b);
	load_certs(&copy, &certs, &crl);
	cove_result *res = verify_bytes(&copy, b.data, b.len, &certs, crl, NULL, at);
	cove_x509_crl_free(crl);
	cove_x509_list_free(&certs);
	cove_buf_free(&b);
	return res;
}

static void test_expired_and_not_yet_valid(void **state)
{
	(void)state;
	sample nocrl = genuine[0];
	nocrl.crl = NULL; /* the CRL would be stale too; look at the certificate alone */
	int64_t t2030;
	assert_int_equal(cove_time_parse("2030-01-01T00:00:00Z", &t2030, NULL), COVE_OK);
	cove_result *res = verify_sample_at(&nocrl, t2030, NULL);
	assert_false(res->authentic);
	assert_true(cove_result_has_failure(res, "chain.validity"));
	assert_non_null(strstr(res->failures[0].detail, "expired"));
	cove_result_free(res);
	int64_t t2021;
	assert_int_equal(cove_time_parse("2021-01-01T00:00:00Z", &t2021, NULL), COVE_OK);
	res = verify_sample_at(&nocrl, t2021, NULL);
	assert_true(cove_result_has_failure(res, "chain.validity"));
	assert_non_null(strstr(res->failures[0].detail, "not yet valid"));
	cove_result_free(res);
}

static void test_stale_crl(void **state)
{
	(void)state;
	int64_t t;
	assert_int_equal(cove_time_parse("2026-06-01T00:00:00Z", &t, NULL), COVE_OK);
	cove_result *res = verify_sample_at(&genuine[0], t, NULL);
	assert_false(res->authentic);
	assert_true(cove_result_has_failure(res, "crl.validity"));
	assert_non_null(strstr(res->failures[0].detail, "stale"));
	cove_result_free(res);
}

static void test_wrong_product_chain(void **state)
{
	(void)state;
	/* A Genoa report with the Milan chain. */
	sample s = genuine[7];
	cove_result *res = verify_sample_at(&s, T_PINNED, MILAN_CHAIN);
	assert_false(res->authentic);
	assert_true(cove_result_has_failure(res, "chain.product"));
	cove_result_free(res);
	/* A Milan v2 report declared as Genoa. */
	cove_buf b = {0};
	cove_x509_list certs = {0};
	cove_x509_crl *crl;
	cove_snp_report r;
	cove_result *out = NULL;
	cove_snp_verify_opts opts = {.at = T_PINNED, .product = COVE_SNP_GENOA};
	cove_test_read_shared_evidence(genuine[2].report, &b);
	load_certs(&genuine[2], &certs, &crl);
	assert_int_equal(cove_snp_report_parse(b.data, b.len, &r, NULL), COVE_OK);
	cove_snp_verify(verifier, &r, &certs, crl, NULL, &opts, &out, NULL);
	assert_false(out->authentic);
	assert_true(cove_result_has_failure(out, "chain.product"));
	cove_result_free(out);
	cove_x509_crl_free(crl);
	cove_x509_list_free(&certs);
	cove_buf_free(&b);
}

static void test_tampered_vceks(void **state)
{
	(void)state;
	static const char *const bad[] = {"vectors/snp/trustee/snp/test-vcek-invalid-legacy.der",
					  "vectors/snp/trustee/snp/test-vcek-invalid-new.der"};
	for (size_t i = 0; i < 2; i++) {
		sample s = genuine[2];
		s.certs[0] = bad[i];
		cove_result *res = verify_sample_at(&s, T_PINNED, NULL);
		assert_false(res->authentic);
		assert_true(cove_result_has_failure(res, "chain.signature"));
		cove_result_free(res);
	}
}

static void test_vcek_of_another_report(void **state)
{
	(void)state;
	/* The trustee report with go-sev-guest's VCEK: another chip and TCB. */
	sample s = genuine[2];
	s.certs[0] = "vectors/snp/go-sev-guest/vcek.testcer.der";
	cove_result *res = verify_sample_at(&s, T_PINNED, NULL);
	assert_false(res->authentic);
	assert_true(cove_result_has_failure(res, "tcb.binding") || cove_result_has_failure(res, "vcek.hwid"));
	assert_true(cove_result_has_failure(res, "report_signature"));
	cove_result_free(res);
}

static void test_missing_collateral(void **state)
{
	(void)state;
	cove_buf b = {0};
	cove_snp_report r;
	cove_result *res = NULL;
	cove_error e = {0};
	cove_snp_verify_opts opts = {.at = T_PINNED};
	/* A v3 report names its product, so only the VCEK is missing. */
	cove_test_read_shared_evidence(genuine[7].report, &b);
	assert_int_equal(cove_snp_report_parse(b.data, b.len, &r, NULL), COVE_OK);
	assert_int_equal(cove_snp_verify(verifier, &r, NULL, NULL, NULL, &opts, &res, &e), COVE_ERR_UNAVAILABLE);
	assert_false(res->authentic);
	assert_true(cove_result_has_failure(res, "collateral.vcek"));
	assert_non_null(strstr(e.msg, "collateral source"));
	cove_result_free(res);
	/* A v2 report without a VCEK cannot even name its product. */
	cove_buf_free(&b);
	cove_test_read_shared_evidence(genuine[2].report, &b);
	assert_int_equal(cove_snp_report_parse(b.data, b.len, &r, NULL), COVE_OK);
	assert_int_equal(cove_snp_verify(verifier, &r, NULL, NULL, NULL, &opts, &res, &e), COVE_OK);
	assert_false(res->authentic);
	assert_true(cove_result_has_failure(res, "product"));
	cove_result_free(res);
	cove_buf_free(&b);
}

static void test_missing_crl_fails_closed(void **state)
{
	(void)state;
	sample s = genuine[2];
	cove_buf b = {0};
	cove_x509_list certs = {0};
	cove_x509_crl *crl;
	cove_snp_report r;
	cove_result *res = NULL;
	cove_snp_verify_opts opts = {.at = T_PINNED};
	s.crl = NULL;
	cove_test_read_shared_evidence(s.report, &b);
	load_certs(&s, &certs, &crl);
	assert_int_equal(cove_snp_report_parse(b.data, b.len, &r, NULL), COVE_OK);
	assert_int_equal(cove_snp_verify(verifier, &r, &certs, NULL, NULL, &opts, &res, NULL), COVE_ERR_UNAVAILABLE);
	assert_false(res->authentic);
	assert_true(cove_result_has_failure(res, "crl.unavailable"));
	cove_result_free(res);
	cove_x509_list_free(&certs);
	cove_buf_free(&b);
}

static void test_hcl_binding(void **state)
{
	(void)state;
	const sample *s = &genuine[3];
	cove_buf b = {0};
	cove_x509_list certs = {0};
	cove_x509_crl *crl;
	cove_test_read_shared(s->report, &b);
	load_certs(s, &certs, &crl);
	/* Change one byte of the runtime claims: the binding breaks, the SNP report itself still verifies. */
	b.data[0x4D4 + 10] ^= 0x01;
	cove_result *res = verify_bytes(s, b.data, b.len, &certs, crl, NULL, T_PINNED);
	if (res) {
		assert_false(res->authentic);
		assert_true(cove_result_has_failure(res, "hcl.report_data_binding"));
		assert_false(cove_result_has_failure(res, "report_signature"));
		cove_result_free(res);
	}
	b.data[0x4D4 + 10] ^= 0x01;
	/* The vTPM attestation key comes out of the runtime claims. */
	cove_azure_hcl h;
	cove_pkey *ak = NULL;
	assert_int_equal(cove_azure_hcl_parse(b.data, b.len, &h, NULL), COVE_OK);
	assert_int_equal(h.version, 1);
	assert_int_equal(h.runtime_len, 1110);
	assert_int_equal(cove_azure_hcl_ak_pub(&h, &ak, NULL), COVE_OK);
	cove_pkey_free(ak);
	cove_azure_hcl_free(&h);
	/* Truncations and corruptions are parse errors. */
	cove_error e = {0};
	assert_int_equal(cove_azure_hcl_parse(b.data, 100, &h, &e), COVE_ERR_PARSE);
	assert_int_equal(cove_azure_hcl_parse(b.data, 0x4D4 + 100, &h, &e), COVE_ERR_PARSE);
	assert_non_null(strstr(e.msg, "run past"));
	b.data[0] ^= 1;
	assert_int_equal(cove_azure_hcl_parse(b.data, b.len, &h, &e), COVE_ERR_PARSE);
	assert_non_null(strstr(e.msg, "HCLA"));
	cove_x509_crl_free(crl);
	cove_x509_list_free(&certs);
	cove_buf_free(&b);
}

static void test_vcek_extensions(void **state)
{
	(void)state;
	cove_buf b = {0};
	cove_x509 *c = NULL;
	cove_snp_vcek_ext x;
	cove_test_read_shared("vectors/snp/virtee-sev/vcek_turin.der", &b);
	assert_int_equal(cove_x509_parse(b.data, b.len, &c, NULL), COVE_OK);
	assert_int_equal(cove_snp_vcek_ext_parse(c, &x, NULL), COVE_OK);
	assert_int_equal(x.struct_version, 1);
	assert_string_equal(x.product_name, "Turin");
	assert_int_equal(x.hwid_len, 8);
	static const uint8_t hwid[] = {0x1e, 0x55, 0x0a, 0x8e, 0xe5, 0xcf, 0x9f, 0x4d};
	assert_memory_equal(x.hwid, hwid, 8);
	assert_true(x.fmc_spl >= 0);
	cove_x509_free(c);
	cove_buf_free(&b);

	/* Both hwID encodings of the synthetic trustee certificates parse to the same 00..3f. */
	static const char *const both[] = {"vectors/snp/trustee/snp/test-vcek-invalid-legacy.der",
					   "vectors/snp/trustee/snp/test-vcek-invalid-new.der"};
	for (int i = 0; i < 2; i++) {
		cove_test_read_shared(both[i], &b);
		assert_int_equal(cove_x509_parse(b.data, b.len, &c, NULL), COVE_OK);
		assert_int_equal(cove_snp_vcek_ext_parse(c, &x, NULL), COVE_OK);
		assert_int_equal(x.hwid_len, 64);
		for (int k = 0; k < 64; k++)
			assert_int_equal(x.hwid[k], k);
		cove_x509_free(c);
		cove_buf_free(&b);
	}

	/* SPLs of 0x80 and above carry a leading zero byte. */
	static const uint8_t d5[] = {0x02, 0x02, 0x00, 0xD5};
	cove_snp_vcek_ext y;
	memset(&y, 0, sizeof(y));
	assert_int_equal(cove_snp_vcek_ext_parse_value("3.8", d5, sizeof(d5), &y, NULL), COVE_OK);
	assert_int_equal(y.ucode_spl, 0xD5);
	static const uint8_t neg[] = {0x02, 0x01, 0xD5};
	assert_int_equal(cove_snp_vcek_ext_parse_value("3.8", neg, sizeof(neg), &y, NULL), COVE_ERR_PARSE);
	static const uint8_t big[] = {0x02, 0x02, 0x01, 0x00};
	assert_int_equal(cove_snp_vcek_ext_parse_value("3.1", big, sizeof(big), &y, NULL), COVE_ERR_PARSE);
	static const uint8_t trailing[] = {0x02, 0x01, 0x05, 0x00};
	assert_int_equal(cove_snp_vcek_ext_parse_value("3.1", trailing, sizeof(trailing), &y, NULL), COVE_ERR_PARSE);
	static const uint8_t odd_hwid[7] = {0};
	assert_int_equal(cove_snp_vcek_ext_parse_value("4", odd_hwid, sizeof(odd_hwid), &y, NULL), COVE_ERR_PARSE);
	static const uint8_t name[] = {0x16, 0x05, 'G', 'e', 'n', 'o', 'a'};
	assert_int_equal(cove_snp_vcek_ext_parse_value("2", name, sizeof(name), &y, NULL), COVE_OK);
	assert_string_equal(y.product_name, "Genoa");
	static const uint8_t badname[] = {0x0c, 0x05, 'G', 'e', 'n', 'o', 'a'};
	assert_int_equal(cove_snp_vcek_ext_parse_value("2", badname, sizeof(badname), &y, NULL), COVE_ERR_PARSE);
}

static void test_turin_chain(void **state)
{
	(void)state;
	/* No Turin report exists publicly; its VCEK must chain to the pinned Turin ARK. */
	cove_buf b = {0}, chain = {0};
	cove_x509 *vcek = NULL;
	cove_x509_list mids = {0}, path = {0};
	cove_error e = {0};
	cove_test_read_shared("vectors/snp/virtee-sev/vcek_turin.der", &b);
	cove_test_read_shared("vectors/snp/virtee-sev/cert_chain_turin", &chain);
	assert_int_equal(cove_x509_parse(b.data, b.len, &vcek, NULL), COVE_OK);
	assert_int_equal(cove_x509_list_parse(&mids, chain.data, chain.len, NULL), COVE_OK);
	cove_x509 *ark = NULL;
	for (size_t i = 0; i < mids.count; i++)
		if (cove_x509_is_self_issued(mids.certs[i]))
			ark = mids.certs[i];
	assert_non_null(ark);
	uint8_t spki[32];
	size_t n;
	const cove_snp_root *roots = cove_snp_amd_roots(&n);
	assert_int_equal(cove_x509_spki_sha256(ark, spki, NULL), COVE_OK);
	assert_memory_equal(spki, roots[2].ark_spki_sha256, 32);
	if (cove_x509_verify_path(vcek, &mids, ark, T_PINNED, &path, &e))
		fail_msg("%s", e.msg);
	assert_int_equal(path.count, 3);
	assert_int_equal(cove_x509_check_pss_signature(vcek, cove_x509_pubkey(path.certs[1]), COVE_SHA384, 48, NULL),
			 COVE_OK);
	cove_x509_list_free(&path);
	cove_x509_list_free(&mids);
	cove_x509_free(vcek);
	cove_buf_free(&b);
	cove_buf_free(&chain);
}

static void test_policy_json(void **state)
{
	(void)state;
	cove_snp_policy p;
	cove_error e = {0};
	cove_snp_policy_init(&p);
	const char *good = "{\"allow_debug\": true, \"min_reported_tcb\": {\"snp\": 8, \"microcode\": 115},"
			   " \"vmpl\": 0, \"platform_info\": {\"require\": [\"tsme_enabled\"], \"forbid\": [\"smt_enabled\"]},"
			   " \"report_data_hash_of\": {\"alg\": \"sha256\", \"data\": \"00\"}}";
	assert_int_equal(cove_snp_policy_load_json(&p, good, strlen(good), &e), COVE_OK);
	assert_true(p.allow_debug);
	assert_int_equal(p.min_reported_tcb.snp, 8);
	assert_int_equal(p.min_reported_tcb.tee, -1);
	assert_int_equal(p.vmpl, 0);
	assert_true(p.has_report_data);
	assert_true(cove_is_zero(p.report_data + 32, 32));
	assert_int_equal(p.platform_info_required, COVE_SNP_PLATFORM_TSME_EN);

	static const struct { const char *json; const char *needle; } bad[] = {
		{"{\"allow_debgu\": true}", "unknown key \"allow_debgu\""},
		{"{\"allow_debug\": 1}", "true or false"},
		{"{\"measurements\": [\"abcd\"]}", "measurements[0]"},
		{"{\"vmpl\": 4}", "0 to 3"},
		{"{\"min_reported_tcb\": {\"snpp\": 1}}", "unknown component"},
		{"{\"host_data\": \"zz\"}", "host_data"},
		{"[1]", "top level"},
		{"{\"a\": ", "line 1"},
		{"{\"vmpl\": 0, \"vmpl\": 1}", "duplicate"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cove_snp_policy before = p;
		assert_int_equal(cove_snp_policy_load_json(&p, bad[i].json, strlen(bad[i].json), &e), COVE_ERR_PARSE);
		if (!strstr(e.msg, bad[i].needle))
			fail_msg("policy error '%s' lacks '%s'", e.msg, bad[i].needle);
		assert_memory_equal(&before, &p, sizeof(p)); /* bad input changes nothing */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_genuine_samples),
		cmocka_unit_test(test_debug_refused_by_default),
		cmocka_unit_test(test_tcb_below_policy),
		cmocka_unit_test(test_every_signed_byte),
		cmocka_unit_test(test_every_certificate_signature_byte),
		cmocka_unit_test(test_expired_and_not_yet_valid),
		cmocka_unit_test(test_stale_crl),
		cmocka_unit_test(test_wrong_product_chain),
		cmocka_unit_test(test_tampered_vceks),
		cmocka_unit_test(test_vcek_of_another_report),
		cmocka_unit_test(test_missing_collateral),
		cmocka_unit_test(test_missing_crl_fails_closed),
		cmocka_unit_test(test_hcl_binding),
		cmocka_unit_test(test_vcek_extensions),
		cmocka_unit_test(test_turin_chain),
		cmocka_unit_test(test_policy_json),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
