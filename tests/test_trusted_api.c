/*
 * The trusted API of cove/enclave.h as the loader implements it
 * (src/loader/trusted.c, linked into this program), over a real emulated
 * platform in a scratch directory and a cove_loader state this test fills:
 * local attestation between two enclaves, sealing under MRENCLAVE/MRSIGNER
 * policy with the ISVSVN and CPUSVN rules (incl. the degraded CPUSVN of an
 * enclave without memfd_secret memory), quotes through cove's DCAP verifier,
 * the memory-range checks and randomness.  Also the platform additions the
 * loader relies on (root secret, CPUSVNs, loading, upgrade of an older SGX side).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cove/dcap.h"
#include "cove/dcap_collateral.h"
#include "cove/dcap_verify.h"
#include "cove/enclave.h"
#include "cove/platform.h"
#include "cove/seal.h"
#include "loader/loader.h"
#include "support/expect.h"
#include "support/scratch.h"
#include "testutil.h"

/* The loader's state: main.c defines it in cove-loader, this test here. */
cove_loader_state cove_loader;

static char dir[256];
static cove_platform *plat;
static uint8_t secret[COVE_SGX_ROOT_SECRET_SIZE];
static uint8_t cpusvn_full[16], cpusvn_low[16];

static int setup(void **state)
{
	(void)state;
	cove_error e = {0};
	if (cove_test_scratch_make(dir, sizeof(dir), "trusted") || cove_platform_open(dir, true, &plat, &e) ||
	    cove_platform_sgx_load(plat, &e) || cove_platform_sgx_root_secret(plat, secret, &e) ||
	    cove_platform_sgx_cpusvn(plat, true, cpusvn_full, &e) ||
	    cove_platform_sgx_cpusvn(plat, false, cpusvn_low, &e)) {
		fprintf(stderr, "platform: %s\n", e.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cove_platform_free(plat);
	cove_test_scratch_remove(dir);
	return 0;
}

/* An enclave: `tag` makes its MRENCLAVE, `signer` its MRSIGNER. */
static void make_id(cove_sgx_identity *id, uint8_t tag, uint8_t signer, uint16_t svn, bool secret_memory)
{
	memset(id, 0, sizeof(*id));
	memset(id->mr_enclave, tag, 32);
	memset(id->mr_signer, signer, 32);
	id->isv_prod_id = 7;
	id->isv_svn = svn;
	memcpy(id->cpu_svn, secret_memory ? cpusvn_full : cpusvn_low, 16);
	id->attr_flags = COVE_SGX_FLAGS_INIT | COVE_SGX_FLAGS_MODE64BIT;
	id->attr_xfrm = 3;
}

/* Run as enclave `id` from now on. */
static void become(const cove_sgx_identity *id, bool secret_memory)
{
	cove_loader.identity = *id;
	cove_loader.root_secret = secret;
	cove_loader.platform = plat;
	cove_loader.secret_memory = secret_memory;
}

/* ---- before the loader filled its state ---- */

static void test_not_initialised(void **state)
{
	(void)state;
	cove_loader_state saved = cove_loader;
	cove_error e = {0};
	uint8_t report[COVE_SGX_REPORT_SIZE], *blob = NULL;
	size_t n = 0;
	memset(&cove_loader, 0, sizeof(cove_loader));
	assert_int_equal(cove_enclave_report(NULL, 0, NULL, report, &e), COVE_ERR_UNAVAILABLE);
	cove_test_expect_msg(&e, "not initialised");
	assert_int_equal(cove_enclave_seal(COVE_SGX_KEYPOLICY_MRENCLAVE, "x", 1, NULL, 0, &blob, &n, &e),
			 COVE_ERR_UNAVAILABLE);
	assert_null(blob);
	assert_int_equal(cove_enclave_quote(NULL, &blob, &n, &e), COVE_ERR_UNAVAILABLE);
	cove_loader = saved;
}

/* ---- local attestation ---- */

static void test_local_attestation(void **state)
{
	(void)state;
	cove_sgx_identity a, b, got;
	uint8_t ti_b[COVE_SGX_TARGETINFO_SIZE], report[COVE_SGX_REPORT_SIZE], rd[64];
	cove_sgx_report r;
	cove_error e = {0};
	make_id(&a, 0xA1, 0x51, 2, true);
	make_id(&b, 0xB2, 0x51, 2, true);
	for (int i = 0; i < 64; i++)
		rd[i] = (uint8_t)(i * 3 + 1);

	become(&b, true);
	assert_int_equal(cove_enclave_identity(&got, &e), COVE_OK);
	assert_memory_equal(&got, &b, sizeof(b));
	assert_int_equal(cove_enclave_target_info(ti_b, &e), COVE_OK);

	become(&a, true);
	assert_int_equal(cove_enclave_report(ti_b, sizeof(ti_b), rd, report, &e), COVE_OK);
	/* A cannot check a report meant for B. */
	assert_int_equal(cove_enclave_verify_report(report, sizeof(report), &r, &e), COVE_ERR_VERIFY);
	cove_test_expect_msg(&e, "MAC mismatch");

	become(&b, true);
	assert_int_equal(cove_enclave_verify_report(report, sizeof(report), &r, &e), COVE_OK);
	assert_memory_equal(r.body.mr_enclave, a.mr_enclave, 32);
	assert_memory_equal(r.body.mr_signer, a.mr_signer, 32);
	assert_memory_equal(r.body.report_data, rd, 64);
	assert_memory_equal(r.body.cpu_svn, cpusvn_full, 16);
	assert_int_equal(r.body.isv_svn, 2);

	/* Any byte changed - body, KEYID or MAC - and the report no longer verifies. */
	for (size_t i = 0; i < sizeof(report); i++) {
		uint8_t t[COVE_SGX_REPORT_SIZE];
		cove_error te = {0};
		memcpy(t, report, sizeof(t));
		t[i] ^= (uint8_t)(1u << (i % 8));
		if (cove_enclave_verify_report(t, sizeof(t), NULL, &te) == COVE_OK)
			fail_msg("a report with byte %zu flipped verifies", i);
	}
	assert_int_equal(cove_enclave_verify_report(report, sizeof(report) - 1, NULL, &e), COVE_ERR_PARSE);

	/* No target: a report for the enclave itself. */
	become(&a, true);
	assert_int_equal(cove_enclave_report(NULL, 0, NULL, report, &e), COVE_OK);
	assert_int_equal(cove_enclave_verify_report(report, sizeof(report), &r, &e), COVE_OK);
	for (int i = 0; i < 64; i++)
		assert_int_equal(r.body.report_data[i], 0);
	/* Between a fully protected and a degraded enclave, both ways; the body states the sender's CPUSVN. */
	cove_sgx_identity low_b, low_c;
	uint8_t ti_low[COVE_SGX_TARGETINFO_SIZE], ti_a[COVE_SGX_TARGETINFO_SIZE];
	make_id(&low_b, 0xB2, 0x51, 2, false);
	become(&low_b, false);
	assert_int_equal(cove_enclave_target_info(ti_low, &e), COVE_OK);
	become(&a, true);
	assert_int_equal(cove_enclave_target_info(ti_a, &e), COVE_OK);
	assert_int_equal(cove_enclave_report(ti_low, sizeof(ti_low), rd, report, &e), COVE_OK);
	become(&low_b, false);
	assert_int_equal(cove_enclave_verify_report(report, sizeof(report), &r, &e), COVE_OK);
	assert_memory_equal(r.body.cpu_svn, cpusvn_full, 16);
	assert_int_equal(cove_enclave_report(ti_a, sizeof(ti_a), rd, report, &e), COVE_OK);
	become(&a, true);
	assert_int_equal(cove_enclave_verify_report(report, sizeof(report), &r, &e), COVE_OK);
	assert_memory_equal(r.body.cpu_svn, cpusvn_low, 16);
	/* ... but still only for the enclave it targets. */
	make_id(&low_c, 0xC3, 0x51, 2, false);
	become(&low_c, false);
	assert_int_equal(cove_enclave_verify_report(report, sizeof(report), &r, &e), COVE_ERR_VERIFY);
	cove_test_expect_msg(&e, "MAC mismatch");
	become(&a, true);

	/* A target info of the wrong size is refused and leaves no report behind. */
	assert_int_not_equal(cove_enclave_report(ti_b, sizeof(ti_b) - 1, NULL, report, &e), COVE_OK);
	for (size_t i = 0; i < sizeof(report); i++)
		assert_int_equal(report[i], 0);
}

/* ---- EGETKEY ---- */

static void test_get_key(void **state)
{
	(void)state;
	cove_sgx_identity a, b;
	cove_sgx_keyrequest req;
	uint8_t k1[COVE_SGX_KEY_SIZE], k2[COVE_SGX_KEY_SIZE];
	cove_error e = {0};
	make_id(&a, 0xA1, 0x51, 2, true);
	make_id(&b, 0xB2, 0x51, 2, true);
	memset(&req, 0, sizeof(req));
	req.key_name = COVE_SGX_KEY_SEAL;
	req.key_policy = COVE_SGX_KEYPOLICY_MRSIGNER;
	req.isv_svn = 2;
	memcpy(req.cpu_svn, cpusvn_full, 16);
	req.attr_mask_flags = COVE_SGX_SEAL_ATTR_MASK_FLAGS;
	become(&a, true);
	assert_int_equal(cove_enclave_get_key(&req, k1, &e), COVE_OK);
	become(&b, true);
	assert_int_equal(cove_enclave_get_key(&req, k2, &e), COVE_OK);
	assert_memory_equal(k1, k2, sizeof(k1)); /* same signer */
	req.key_policy = COVE_SGX_KEYPOLICY_MRENCLAVE;
	assert_int_equal(cove_enclave_get_key(&req, k2, &e), COVE_OK);
	assert_memory_not_equal(k1, k2, sizeof(k1));
	req.isv_svn = 3; /* above the enclave's */
	assert_int_equal(cove_enclave_get_key(&req, k2, &e), COVE_ERR_POLICY);
	req.isv_svn = 2;
	/* A degraded enclave may not ask for the full CPUSVN. */
	make_id(&b, 0xB2, 0x51, 2, false);
	become(&b, false);
	assert_int_equal(cove_enclave_get_key(&req, k2, &e), COVE_ERR_POLICY);
	assert_int_equal(cove_enclave_get_key(NULL, k2, &e), COVE_ERR_ARG);
}

/* ---- sealing ---- */

static void expect_unseal(const uint8_t *blob, size_t n, const char *text, const char *aad)
{
	uint8_t *t = NULL, *a = NULL;
	size_t tn = 0, an = 0;
	cove_error e = {0};
	if (cove_enclave_unseal(blob, n, &t, &tn, &a, &an, &e))
		fail_msg("unseal: %s", e.msg);
	assert_int_equal(tn, strlen(text));
	assert_memory_equal(t, text, tn);
	assert_int_equal(an, strlen(aad));
	assert_memory_equal(a, aad, an);
	cove_enclave_free(t);
	cove_enclave_free(a);
}

static cove_err try_unseal(const uint8_t *blob, size_t n, cove_error *e)
{
	uint8_t *t = NULL;
	size_t tn = 0;
	cove_err rc = cove_enclave_unseal(blob, n, &t, &tn, NULL, NULL, e);
	if (rc)
		assert_null(t);
	cove_enclave_free(t);
	return rc;
}

static void test_seal_policies(void **state)
{
	(void)state;
	cove_sgx_identity a, b, other;
	uint8_t *blob = NULL, *s_blob = NULL;
	size_t n = 0, sn = 0;
	cove_error e = {0};
	const char *text = "the enclave's secret", *aad = "label v1";
	make_id(&a, 0xA1, 0x51, 2, true);
	make_id(&b, 0xB2, 0x51, 2, true);
	make_id(&other, 0xA1, 0x52, 2, true);

	become(&a, true);
	assert_int_equal(cove_enclave_seal(COVE_SGX_KEYPOLICY_MRENCLAVE, text, strlen(text), aad, strlen(aad), &blob, &n,
					   &e),
			 COVE_OK);
	assert_int_equal(n, COVE_SEALED_HEADER_SIZE + strlen(text) + strlen(aad));
	assert_null(memmem(blob, n, text, strlen(text))); /* encrypted */
	assert_int_equal(cove_enclave_seal(COVE_SGX_KEYPOLICY_MRSIGNER, text, strlen(text), aad, strlen(aad), &s_blob,
					   &sn, &e),
			 COVE_OK);
	expect_unseal(blob, n, text, aad);
	expect_unseal(s_blob, sn, text, aad);
	/* Tampered ciphertext. */
	blob[COVE_SEALED_HEADER_SIZE] ^= 1;
	assert_int_equal(try_unseal(blob, n, &e), COVE_ERR_VERIFY);
	blob[COVE_SEALED_HEADER_SIZE] ^= 1;

	/* Another enclave of the same signer: MRSIGNER data only. */
	become(&b, true);
	assert_int_equal(try_unseal(blob, n, &e), COVE_ERR_VERIFY);
	expect_unseal(s_blob, sn, text, aad);
	/* The same MRENCLAVE under another signer: the MRENCLAVE key ignores MRSIGNER (as EGETKEY), the other not. */
	become(&other, true);
	expect_unseal(blob, n, text, aad);
	assert_int_equal(try_unseal(s_blob, sn, &e), COVE_ERR_VERIFY);
	/* Another product of the same signer: neither (ISVPRODID is in both keys). */
	other = b;
	other.isv_prod_id = 8;
	become(&other, true);
	assert_int_equal(try_unseal(s_blob, sn, &e), COVE_ERR_VERIFY);
	cove_enclave_free(blob);
	cove_enclave_free(s_blob);

	/* Bad arguments. */
	become(&a, true);
	assert_int_equal(cove_enclave_seal(0, text, 1, NULL, 0, &blob, &n, &e), COVE_ERR_ARG);
	assert_null(blob);
	assert_int_equal(cove_enclave_seal(COVE_SGX_KEYPOLICY_MRENCLAVE, NULL, 5, NULL, 0, &blob, &n, &e), COVE_ERR_ARG);
	assert_int_equal(cove_enclave_seal(COVE_SGX_KEYPOLICY_MRENCLAVE | 0x8000, text, 1, NULL, 0, &blob, &n, &e),
			 COVE_ERR_ARG);
	assert_null(blob);
	/* Empty text, no AAD. */
	assert_int_equal(cove_enclave_seal(COVE_SGX_KEYPOLICY_MRENCLAVE, NULL, 0, NULL, 0, &blob, &n, &e), COVE_OK);
	expect_unseal(blob, n, "", "");
	assert_int_equal(try_unseal(blob, n - 1, &e), COVE_ERR_PARSE);
	cove_enclave_free(blob);
}

static void test_seal_isvsvn(void **state)
{
	(void)state;
	cove_sgx_identity v1, v2, v3;
	uint8_t *blob2 = NULL, *blob3 = NULL;
	size_t n2 = 0, n3 = 0;
	cove_error e = {0};
	make_id(&v1, 0x11, 0x51, 1, true);
	make_id(&v2, 0x22, 0x51, 2, true);
	make_id(&v3, 0x33, 0x51, 3, true);
	become(&v2, true);
	assert_int_equal(cove_enclave_seal(COVE_SGX_KEYPOLICY_MRSIGNER, "v2 data", 7, NULL, 0, &blob2, &n2, &e), COVE_OK);
	become(&v3, true);
	assert_int_equal(cove_enclave_seal(COVE_SGX_KEYPOLICY_MRSIGNER, "v3 data", 7, NULL, 0, &blob3, &n3, &e), COVE_OK);
	/* Newer reads older. */
	expect_unseal(blob2, n2, "v2 data", "");
	/* Older reads neither newer blob. */
	become(&v2, true);
	assert_int_equal(try_unseal(blob3, n3, &e), COVE_ERR_POLICY);
	cove_test_expect_msg(&e, "ISVSVN");
	become(&v1, true);
	assert_int_equal(try_unseal(blob2, n2, &e), COVE_ERR_POLICY);
	cove_enclave_free(blob2);
	cove_enclave_free(blob3);
}

static void test_seal_degraded(void **state)
{
	(void)state;
	cove_sgx_identity full, low;
	uint8_t *fb = NULL, *lb = NULL;
	size_t fn = 0, ln = 0;
	cove_error e = {0};
	/* The degraded CPUSVN is the full one with one component lower. */
	int lower = 0, higher = 0;
	for (int i = 0; i < 16; i++) {
		lower += cpusvn_low[i] < cpusvn_full[i];
		higher += cpusvn_low[i] > cpusvn_full[i];
	}
	assert_int_equal(lower, 1);
	assert_int_equal(higher, 0);

	make_id(&full, 0xC3, 0x51, 2, true);
	make_id(&low, 0xC3, 0x51, 2, false);
	become(&full, true);
	assert_true(cove_enclave_has_secret_memory());
	assert_int_equal(cove_enclave_seal(COVE_SGX_KEYPOLICY_MRENCLAVE, "full", 4, NULL, 0, &fb, &fn, &e), COVE_OK);
	become(&low, false);
	assert_false(cove_enclave_has_secret_memory());
	assert_int_equal(cove_enclave_seal(COVE_SGX_KEYPOLICY_MRENCLAVE, "low", 3, NULL, 0, &lb, &ln, &e), COVE_OK);
	/* Degraded cannot read what a fully protected enclave sealed ... */
	assert_int_equal(try_unseal(fb, fn, &e), COVE_ERR_POLICY);
	cove_test_expect_msg(&e, "CPUSVN");
	expect_unseal(lb, ln, "low", "");
	/* ... the reverse works. */
	become(&full, true);
	expect_unseal(lb, ln, "low", "");
	expect_unseal(fb, fn, "full", "");
	cove_enclave_free(fb);
	cove_enclave_free(lb);
}

/* ---- quotes ---- */

static cove_result *verify_quote(const uint8_t *q, size_t len, bool trust_emulated, const cove_dcap_policy *policy,
				 cove_dcap_quote *parsed)
{
	cove_dcap_verifier *v = NULL;
	cove_dcap_collateral c = {0};
	cove_result *res = NULL;
	uint8_t spki[32];
	cove_error e = {0};
	if (cove_dcap_quote_parse(q, len, parsed, &e))
		fail_msg("parse: %s", e.msg);
	assert_int_equal(cove_platform_sgx_collateral(plat, &c, &e), COVE_OK);
	assert_int_equal(cove_dcap_verifier_new(&v, &e), COVE_OK);
	if (trust_emulated) {
		assert_int_equal(cove_platform_sgx_root(plat, spki, &e), COVE_OK);
		assert_int_equal(cove_dcap_verifier_add_root(v, spki, COVE_PLATFORM_NAME, true, &e), COVE_OK);
	}
	assert_int_equal(cove_dcap_verify(v, parsed, &c, policy, NULL, &res, &e), COVE_OK);
	cove_dcap_verifier_free(v);
	cove_dcap_collateral_free(&c);
	return res;
}

static const char *tcb_claim(const cove_result *r, const char *key)
{
	json_t *t = json_object_get(r->claims, "tcb");
	return json_string_value(json_object_get(t, key));
}

static bool has_advisory(const cove_result *r, const char *id)
{
	json_t *ids = json_object_get(json_object_get(r->claims, "tcb"), "advisory_ids"), *v;
	size_t i;
	json_array_foreach(ids, i, v)
		if (strcmp(json_string_value(v), id) == 0)
			return true;
	return false;
}

static void dump(const cove_result *r)
{
	for (size_t i = 0; i < r->nfailures; i++)
		fprintf(stderr, "  failure %s: %s\n", r->failures[i].check, r->failures[i].detail);
}

static void test_quote(void **state)
{
	(void)state;
	cove_sgx_identity a;
	cove_dcap_quote dq;
	uint8_t rd[64], *q = NULL;
	size_t n = 0;
	cove_error e = {0};
	make_id(&a, 0xA1, 0x51, 5, true);
	a.isv_prod_id = 0x1234;
	a.misc_select = 0;
	a.config_svn = 9;
	memset(a.isv_family_id, 0xF1, 16);
	for (int i = 0; i < 64; i++)
		rd[i] = (uint8_t)(0xFF - i);
	become(&a, true);
	assert_int_equal(cove_enclave_quote(rd, &q, &n, &e), COVE_OK);

	/* Not trusted: the emulated root is no Intel root. */
	cove_result *r = verify_quote(q, n, false, NULL, &dq);
	assert_false(r->authentic);
	assert_false(r->ok);
	assert_true(cove_result_has_failure(r, "root"));
	cove_result_free(r);
	cove_dcap_quote_free(&dq);

	/* Trusted explicitly: authentic, UpToDate, and the body is this enclave's. */
	r = verify_quote(q, n, true, NULL, &dq);
	if (!r->ok)
		dump(r);
	assert_true(r->ok);
	assert_string_equal(tcb_claim(r, "status"), "UpToDate");
	assert_false(has_advisory(r, "COVE-SA-0001"));
	assert_memory_equal(dq.sgx.mr_enclave, a.mr_enclave, 32);
	assert_memory_equal(dq.sgx.mr_signer, a.mr_signer, 32);
	assert_memory_equal(dq.sgx.report_data, rd, 64);
	assert_memory_equal(dq.sgx.cpu_svn, cpusvn_full, 16);
	assert_int_equal(dq.sgx.isv_prod_id, 0x1234);
	assert_int_equal(dq.sgx.isv_svn, 5);
	assert_int_equal(dq.sgx.config_svn, 9);
	assert_memory_equal(dq.sgx.isv_family_id, a.isv_family_id, 16);
	assert_true(dq.sgx.attr_flags == (COVE_SGX_FLAGS_INIT | COVE_SGX_FLAGS_MODE64BIT));
	assert_true(dq.sgx.attr_xfrm == 3);
	cove_result_free(r);
	cove_dcap_quote_free(&dq);
	/* The signed body covers the report data. */
	q[48 + 320] ^= 1; /* REPORTDATA[0]: header 48 bytes, REPORTDATA at 320 of the body */
	r = verify_quote(q, n, true, NULL, &dq);
	assert_false(r->authentic);
	assert_true(cove_result_has_failure(r, "quote.signature"));
	cove_result_free(r);
	cove_dcap_quote_free(&dq);
	cove_enclave_free(q);

	/* A debug enclave says so, and the default policy refuses it. */
	a.attr_flags |= COVE_SGX_FLAGS_DEBUG;
	become(&a, true);
	assert_int_equal(cove_enclave_quote(NULL, &q, &n, &e), COVE_OK);
	r = verify_quote(q, n, true, NULL, &dq);
	assert_true(r->authentic);
	assert_false(r->ok);
	assert_true(dq.sgx.attr_flags & COVE_SGX_FLAGS_DEBUG);
	for (int i = 0; i < 64; i++)
		assert_int_equal(dq.sgx.report_data[i], 0);
	cove_result_free(r);
	cove_dcap_quote_free(&dq);
	cove_enclave_free(q);

	/* A CPUSVN that is not the platform's is refused. */
	a.cpu_svn[0] ^= 0x80;
	become(&a, true);
	assert_int_equal(cove_enclave_quote(rd, &q, &n, &e), COVE_ERR_ARG);
	assert_null(q);
	cove_test_expect_msg(&e, "CPUSVN");
}

static void test_quote_degraded(void **state)
{
	(void)state;
	cove_sgx_identity low;
	cove_dcap_quote dq;
	cove_dcap_policy pol;
	uint8_t *q = NULL;
	size_t n = 0;
	cove_error e = {0};
	make_id(&low, 0xD4, 0x51, 1, false);
	become(&low, false);
	assert_int_equal(cove_enclave_quote(NULL, &q, &n, &e), COVE_OK);

	/* Authentic, but ConfigurationNeeded with COVE-SA-0001: the default policy refuses it. */
	cove_result *r = verify_quote(q, n, true, NULL, &dq);
	assert_true(r->authentic);
	assert_false(r->ok);
	assert_string_equal(tcb_claim(r, "status"), "ConfigurationNeeded");
	assert_true(has_advisory(r, "COVE-SA-0001"));
	assert_true(cove_result_has_failure(r, "policy.tcb_status"));
	assert_memory_equal(dq.sgx.cpu_svn, cpusvn_low, 16);
	cove_result_free(r);
	cove_dcap_quote_free(&dq);

	/* A policy that accepts the status and the advisory takes it. */
	cove_dcap_policy_init(&pol);
	assert_int_equal(cove_dcap_policy_accept(&pol, "UpToDate,ConfigurationNeeded", &e), COVE_OK);
	r = verify_quote(q, n, true, &pol, &dq);
	if (!r->ok)
		dump(r);
	assert_true(r->ok);
	cove_result_free(r);
	cove_dcap_quote_free(&dq);
	/* Without the emulated root: refused like any other. */
	r = verify_quote(q, n, false, &pol, &dq);
	assert_false(r->authentic);
	cove_result_free(r);
	cove_dcap_quote_free(&dq);
	cove_dcap_policy_free(&pol);
	cove_enclave_free(q);
}

/* Several enclave threads quoting at once (the platform is behind trusted.c's lock). */
static void *quote_thread(void *arg)
{
	uintptr_t failures = 0;
	(void)arg;
	for (int i = 0; i < 3; i++) {
		uint8_t *q = NULL, rd[64] = {0};
		size_t n = 0;
		cove_error e = {0};
		failures += cove_enclave_quote(rd, &q, &n, &e) != COVE_OK || n < 1000;
		cove_enclave_free(q);
	}
	return (void *)failures;
}

static void test_quote_threads(void **state)
{
	(void)state;
	cove_sgx_identity a;
	pthread_t t[4];
	make_id(&a, 0xA1, 0x51, 2, true);
	become(&a, true);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, quote_thread, NULL), 0);
	for (int i = 0; i < 4; i++) {
		void *ret = NULL;
		assert_int_equal(pthread_join(t[i], &ret), 0);
		assert_true(ret == NULL);
	}
}

/* ---- memory ranges ---- */

static void test_ranges(void **state)
{
	(void)state;
	cove_loader_state saved = cove_loader;
	cove_loader.nranges = 3;
	cove_loader.ranges[0] = (cove_loader_range){0x20000, 0x30000};
	cove_loader.ranges[1] = (cove_loader_range){0x10000, 0x20000}; /* adjacent, listed out of order */
	cove_loader.ranges[2] = (cove_loader_range){0x40000, 0x50000}; /* after a gap */
	const void *p = (const void *)(uintptr_t)0x10000;
#define AT(x) ((const void *)(uintptr_t)(x))
	assert_true(cove_is_within_enclave(p, 0));
	assert_true(cove_is_within_enclave(AT(0x1FFFF), 1));
	assert_true(cove_is_within_enclave(AT(0x1FFFF), 2));      /* across the adjacent ranges */
	assert_true(cove_is_within_enclave(p, 0x20000));          /* both of them, exactly */
	assert_false(cove_is_within_enclave(p, 0x20001));         /* one byte into the gap */
	assert_false(cove_is_within_enclave(AT(0x2FFFF), 0x10002)); /* across the gap */
	assert_false(cove_is_within_enclave(AT(0x30000), 0));
	assert_false(cove_is_within_enclave(AT(0xFFFF), 2));
	assert_true(cove_is_within_enclave(AT(0x4FFFF), 1));
	assert_false(cove_is_within_enclave(AT(0x50000), 0));     /* hi is exclusive */
	assert_false(cove_is_within_enclave(AT(0x40000), SIZE_MAX)); /* wraps */
	assert_false(cove_is_within_enclave(AT(UINTPTR_MAX), 1));

	assert_true(cove_is_outside_enclave(AT(0x30000), 0x10000)); /* the whole gap */
	assert_false(cove_is_outside_enclave(AT(0x30000), 0x10001));
	assert_false(cove_is_outside_enclave(AT(0x2FFFF), 1));
	assert_true(cove_is_outside_enclave(AT(0xFFFF), 1));
	assert_true(cove_is_outside_enclave(AT(0xFFFF), 0));
	assert_false(cove_is_outside_enclave(AT(0xFFFF), 2));
	assert_false(cove_is_outside_enclave(AT(0x1000), 0x100000)); /* spans everything */
	assert_true(cove_is_outside_enclave(AT(0x50000), 0));
	assert_true(cove_is_outside_enclave(NULL, 16));
	assert_false(cove_is_outside_enclave(AT(UINTPTR_MAX - 1), 4)); /* wraps */
	/* Neither within nor outside: straddling a boundary. */
	assert_false(cove_is_within_enclave(AT(0x4FFFF), 2));
	assert_false(cove_is_outside_enclave(AT(0x4FFFF), 2));
	/* No ranges: nothing is within. */
	cove_loader.nranges = 0;
	assert_false(cove_is_within_enclave(p, 1));
	assert_true(cove_is_outside_enclave(p, 1));
#undef AT
	cove_loader = saved;
}

/* ---- heap and randomness ---- */

static void test_heap(void **state)
{
	(void)state;
	uint8_t *p = cove_enclave_calloc(16, 4);
	assert_non_null(p);
	for (int i = 0; i < 64; i++)
		assert_int_equal(p[i], 0);
	cove_enclave_free(p);
	assert_null(cove_enclave_calloc(SIZE_MAX / 2, 3));
	assert_null(cove_enclave_calloc((size_t)1 << (sizeof(size_t) * 4), (size_t)1 << (sizeof(size_t) * 4)));
	p = cove_enclave_malloc(100);
	assert_non_null(p);
	memset(p, 0xAB, 100);
	cove_enclave_free(p);
	cove_enclave_free(NULL);
}

static void test_random(void **state)
{
	(void)state;
	uint8_t a[32] = {0}, b[32] = {0}, zero[32] = {0};
	cove_error e = {0};
	assert_int_equal(cove_random(a, sizeof(a), &e), COVE_OK);
	assert_int_equal(cove_random(b, sizeof(b), &e), COVE_OK);
	assert_memory_not_equal(a, b, sizeof(a));
	assert_memory_not_equal(a, zero, sizeof(a));
	assert_int_equal(cove_random(NULL, 0, &e), COVE_OK);
	assert_int_equal(cove_random(NULL, 1, &e), COVE_ERR_ARG);
	/* Larger than one getrandom call may return at once. */
	size_t big = (size_t)40 << 20;
	uint8_t *p = calloc(1, big);
	assert_non_null(p);
	assert_int_equal(cove_random(p, big, &e), COVE_OK);
	assert_false(cove_is_zero(p + big - 64, 64));
	free(p);
}

/* ---- the platform's side ---- */

static void path_of(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/sgx/%s", dir, name);
}

static void test_platform_files(void **state)
{
	(void)state;
	char path[512];
	cove_buf b = {0};
	cove_error e = {0};
	path_of(path, sizeof(path), "root_secret");
	assert_int_equal(cove_test_file_mode(path), 0600);
	assert_int_equal(cove_file_read(path, 1024, &b, &e), COVE_OK);
	assert_int_equal(b.len, COVE_SGX_ROOT_SECRET_SIZE);
	assert_memory_equal(b.data, secret, sizeof(secret));
	cove_buf_free(&b);
	path_of(path, sizeof(path), "pck-degraded.key");
	assert_int_equal(cove_test_file_mode(path), 0600);
	/* Another process opening the platform derives the same keys. */
	cove_platform *p2 = NULL;
	uint8_t s2[COVE_SGX_ROOT_SECRET_SIZE], c2[16];
	assert_int_equal(cove_platform_open(dir, false, &p2, &e), COVE_OK);
	assert_int_equal(cove_platform_sgx_root_secret(p2, s2, &e), COVE_OK);
	assert_memory_equal(s2, secret, sizeof(s2));
	assert_int_equal(cove_platform_sgx_cpusvn(p2, false, c2, &e), COVE_OK);
	assert_memory_equal(c2, cpusvn_low, 16);
	cove_platform_free(p2);
	/* A readable root secret is refused. */
	path_of(path, sizeof(path), "root_secret");
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(cove_platform_open(dir, false, &p2, &e), COVE_OK);
	assert_int_equal(cove_platform_sgx_load(p2, &e), COVE_ERR_ARG);
	cove_test_expect_msg(&e, "root_secret");
	cove_platform_free(p2);
	assert_int_equal(chmod(path, 0600), 0);
}

/* An SGX side made before the root secret, the degraded PCK and its TCB level existed gets them on load. */
static void test_platform_upgrade(void **state)
{
	(void)state;
	char path[512];
	cove_buf b = {0};
	cove_error e = {0};
	cove_platform *p2 = NULL;
	uint8_t s2[COVE_SGX_ROOT_SECRET_SIZE];
	const char *gone[] = {"root_secret", "pck-degraded.pem", "pck-degraded.key"};
	for (size_t i = 0; i < 3; i++) {
		path_of(path, sizeof(path), gone[i]);
		assert_int_equal(unlink(path), 0);
	}
	/* The old TCB info had no ConfigurationNeeded level. */
	path_of(path, sizeof(path), "tcb_info.json");
	assert_int_equal(cove_file_read(path, 1 << 20, &b, &e), COVE_OK);
	char *st = memmem(b.data, b.len, "\"ConfigurationNeeded\"", 21);
	assert_non_null(st);
	memcpy(st, "\"OutOfDate\"          ", 21);
	assert_int_equal(cove_file_write(path, b.data, b.len, 0644, &e), COVE_OK);
	cove_buf_free(&b);

	assert_int_equal(cove_platform_open(dir, false, &p2, &e), COVE_OK);
	assert_int_equal(cove_platform_sgx_load(p2, &e), COVE_OK);
	assert_int_equal(cove_platform_sgx_root_secret(p2, s2, &e), COVE_OK);
	assert_memory_not_equal(s2, secret, sizeof(s2)); /* a new one */
	path_of(path, sizeof(path), "root_secret");
	assert_int_equal(cove_test_file_mode(path), 0600);
	path_of(path, sizeof(path), "pck-degraded.key");
	assert_int_equal(cove_test_file_mode(path), 0600);
	path_of(path, sizeof(path), "tcb_info.json");
	assert_int_equal(cove_file_read(path, 1 << 20, &b, &e), COVE_OK);
	assert_non_null(memmem(b.data, b.len, "COVE-SA-0001", 12));
	cove_buf_free(&b);

	/* The upgraded platform quotes degraded enclaves verifiably. */
	cove_platform *saved = plat;
	memcpy(secret, s2, sizeof(secret));
	plat = p2;
	cove_sgx_identity low;
	cove_dcap_quote dq;
	uint8_t *q = NULL;
	size_t n = 0;
	make_id(&low, 0xD4, 0x51, 1, false);
	become(&low, false);
	assert_int_equal(cove_enclave_quote(NULL, &q, &n, &e), COVE_OK);
	cove_result *r = verify_quote(q, n, true, NULL, &dq);
	assert_true(r->authentic);
	assert_string_equal(tcb_claim(r, "status"), "ConfigurationNeeded");
	cove_result_free(r);
	cove_dcap_quote_free(&dq);
	cove_enclave_free(q);
	plat = saved;
	cove_loader.platform = plat;
	cove_platform_free(p2);
}

/* Rotation (cove platform init --force) replaces the root secret with the rest of sgx/. */
static void test_platform_rotation(void **state)
{
	(void)state;
	cove_platform_init_opts o = {0};
	cove_platform *p2 = NULL;
	uint8_t before[COVE_SGX_ROOT_SECRET_SIZE], after[COVE_SGX_ROOT_SECRET_SIZE];
	cove_error e = {0};
	assert_int_equal(cove_platform_open(dir, false, &p2, &e), COVE_OK);
	assert_int_equal(cove_platform_sgx_root_secret(p2, before, &e), COVE_OK);
	cove_platform_free(p2);
	o.force = true;
	assert_int_equal(cove_platform_init(dir, &o, &p2, &e), COVE_OK);
	assert_int_equal(cove_platform_sgx_root_secret(p2, after, &e), COVE_OK);
	assert_memory_not_equal(before, after, sizeof(before));
	cove_platform_free(p2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_initialised),
		cmocka_unit_test(test_local_attestation),
		cmocka_unit_test(test_get_key),
		cmocka_unit_test(test_seal_policies),
		cmocka_unit_test(test_seal_isvsvn),
		cmocka_unit_test(test_seal_degraded),
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_quote_degraded),
		cmocka_unit_test(test_quote_threads),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_heap),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_platform_files),
		cmocka_unit_test(test_platform_upgrade),
		cmocka_unit_test(test_platform_rotation),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
