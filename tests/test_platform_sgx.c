/*
 * The emulated platform's SGX side against cove's DCAP verifier: its v3
 * quotes parse into what was asked, verify (authentic, UpToDate) only with the
 * emulated root explicitly trusted, and every tampered part - body, quote
 * signature, QE report, TCB info bytes - fails with its own check.  One
 * platform for the whole program (key generation).
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cove/dcap.h"
#include "cove/dcap_collateral.h"
#include "cove/dcap_verify.h"
#include "cove/platform.h"
#include "testutil.h"

static char dir[] = "/tmp/cove-test-sgx-XXXXXX";
static cove_platform *plat;
static cove_dcap_collateral coll;

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	(void)state;
	cove_error e = {0};
	uint8_t spki[32];
	if (!mkdtemp(dir) || cove_platform_open(dir, true, &plat, &e)) {
		fprintf(stderr, "platform: %s\n", e.msg);
		return -1;
	}
	/* The root is never made as a side effect of asking for it. */
	if (cove_platform_sgx_root(plat, spki, &e) != COVE_ERR_UNAVAILABLE || !strstr(e.msg, "no SGX side")) {
		fprintf(stderr, "sgx_root before creation: %s\n", e.msg);
		return -1;
	}
	if (cove_platform_sgx_collateral(plat, &coll, &e)) {
		fprintf(stderr, "collateral: %s\n", e.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cove_dcap_collateral_free(&coll);
	cove_platform_free(plat);
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* `needle` in a buffer that is not NUL-terminated. */
static char *find(const cove_buf *b, const char *needle)
{
	return memmem(b->data, b->len, needle, strlen(needle));
}

static void make_opts(cove_sgx_emulate_opts *o, bool debug)
{
	memset(o, 0, sizeof(*o));
	memset(o->mr_enclave, 0xE1, 32);
	memset(o->mr_signer, 0x51, 32);
	for (int i = 0; i < 64; i++)
		o->report_data[i] = (uint8_t)(0x40 + i);
	o->isv_prod_id = 7;
	o->isv_svn = 3;
	o->debug = debug;
}

static void make_quote(cove_platform *p, bool debug, uint8_t **q, size_t *len)
{
	cove_sgx_emulate_opts o;
	uint8_t body[COVE_SGX_REPORT_BODY_SIZE];
	cove_error e = {0};
	make_opts(&o, debug);
	if (cove_platform_sgx_report_body(p, &o, body, &e) || cove_platform_sgx_quote(p, body, q, len, &e))
		fail_msg("%s", e.msg);
}

static cove_dcap_verifier *verifier_new(cove_platform *p, bool trust_emulated)
{
	cove_dcap_verifier *v = NULL;
	uint8_t spki[32];
	cove_error e = {0};
	assert_int_equal(cove_dcap_verifier_new(&v, &e), COVE_OK);
	if (trust_emulated) {
		assert_int_equal(cove_platform_sgx_root(p, spki, &e), COVE_OK);
		assert_int_equal(cove_dcap_verifier_add_root(v, spki, COVE_PLATFORM_NAME, true, &e), COVE_OK);
	}
	return v;
}

/* Parse and verify `q` with `c`; the result is returned (caller frees). */
static cove_result *verify(const uint8_t *q, size_t len, const cove_dcap_collateral *c, bool trust_emulated)
{
	cove_dcap_quote quote;
	cove_result *res = NULL;
	cove_error e = {0};
	if (cove_dcap_quote_parse(q, len, &quote, &e))
		fail_msg("parse: %s", e.msg);
	cove_dcap_verifier *v = verifier_new(plat, trust_emulated);
	assert_int_equal(cove_dcap_verify(v, &quote, c, NULL, NULL, &res, &e), COVE_OK);
	cove_dcap_verifier_free(v);
	cove_dcap_quote_free(&quote);
	return res;
}

static void dump_failures(const cove_result *r)
{
	for (size_t i = 0; i < r->nfailures; i++)
		fprintf(stderr, "  failure %s: %s\n", r->failures[i].check, r->failures[i].detail);
}

static void test_quote_fields(void **state)
{
	(void)state;
	uint8_t *q;
	size_t len;
	cove_dcap_quote quote;
	cove_sgx_pck_ext ext;
	cove_error e = {0};
	uint8_t fmspc[6] = {0xC0, 0xFF, 0xEE, 0, 0, 0}, mr[32];
	make_quote(plat, false, &q, &len);
	assert_int_equal(cove_dcap_quote_parse(q, len, &quote, &e), COVE_OK);
	assert_int_equal(quote.version, 3);
	assert_int_equal(quote.att_key_type, 2);
	assert_int_equal(quote.tee_type, COVE_TEE_SGX);
	assert_int_equal(quote.qe_svn, COVE_PLATFORM_SGX_QE_ISVSVN);
	assert_int_equal(quote.pce_svn, 13);
	assert_memory_equal(quote.qe_vendor_id, "cove emulated QE", 16);
	assert_int_equal(quote.body_type, COVE_DCAP_BODY_SGX);
	memset(mr, 0xE1, 32);
	assert_memory_equal(quote.sgx.mr_enclave, mr, 32);
	memset(mr, 0x51, 32);
	assert_memory_equal(quote.sgx.mr_signer, mr, 32);
	assert_int_equal(quote.sgx.isv_prod_id, 7);
	assert_int_equal(quote.sgx.isv_svn, 3);
	assert_int_equal(quote.sgx.report_data[0], 0x40);
	assert_int_equal(quote.sgx.report_data[63], 0x40 + 63);
	assert_int_equal(quote.sgx.attr_flags, COVE_SGX_FLAGS_INIT | COVE_SGX_FLAGS_MODE64BIT);
	assert_int_equal(quote.sgx.attr_xfrm, 3);
	assert_int_equal(quote.signed_len, 48 + 384);
	assert_int_equal(quote.cert_type, COVE_DCAP_CERT_PCK_CHAIN);
	assert_int_equal(quote.cert_data[quote.cert_len - 1], 0); /* NUL-terminated PEM, as Intel's QE */
	assert_int_equal(quote.qe_auth_len, 32);
	assert_int_equal(quote.quote_len, len);
	assert_int_equal(quote.trailing_len, 0);
	assert_int_equal(quote.pck_chain.count, 3);
	char cn[160];
	cove_x509_subject_cn(quote.pck_chain.certs[0], cn, sizeof(cn));
	assert_string_equal(cn, "SGX PCK Certificate (cove emulated, not Intel)");
	cove_x509_subject_cn(quote.pck_chain.certs[2], cn, sizeof(cn));
	assert_string_equal(cn, "cove emulated SGX Root CA (not Intel)");
	assert_int_equal(cove_sgx_pck_ext_parse(quote.pck_chain.certs[0], &ext, &e), COVE_OK);
	assert_memory_equal(ext.fmspc, fmspc, 6);
	assert_int_equal(ext.pceid[0] | ext.pceid[1], 0);
	assert_int_equal(ext.pcesvn, 13);
	assert_int_equal(ext.tcb_comp[0], 4);
	assert_int_equal(ext.tcb_comp[4], 255);
	assert_memory_equal(ext.cpusvn, quote.sgx.cpu_svn, 16);
	assert_int_equal(ext.sgx_type, COVE_SGX_TYPE_SCALABLE);
	assert_true(ext.has_platform_instance_id);
	assert_true(ext.has_configuration);
	assert_true(ext.smt_enabled);
	assert_false(ext.dynamic_platform);
	assert_int_equal(quote.qe_report.isv_prod_id, COVE_PLATFORM_SGX_QE_ISVPRODID);
	/* The collateral is for this platform. */
	assert_memory_equal(coll.tcb_info.fmspc, fmspc, 6);
	assert_string_equal(coll.tcb_info.id, "SGX");
	assert_int_equal(coll.tcb_info.version, 3);
	assert_int_equal(coll.tcb_info.nlevels, 2);
	assert_int_equal(coll.tcb_info.levels[0].status, COVE_TCB_UP_TO_DATE);
	assert_string_equal(coll.qe_identity.id, "QE");
	assert_memory_equal(coll.qe_identity.mrsigner, quote.qe_report.mr_signer, 32);
	assert_true(coll.tcb_info.next_update > coll.tcb_info.issue_date);
	cove_dcap_quote_free(&quote);
	/* Truncated quotes are parse errors, never crashes. */
	for (size_t cut = 0; cut < len; cut += 97) {
		cove_error pe = {0};
		assert_int_equal(cove_dcap_quote_parse(q, cut, &quote, &pe), COVE_ERR_PARSE);
	}
	free(q);
}

static void test_verifies_with_emulated_root(void **state)
{
	(void)state;
	uint8_t *q;
	size_t len;
	make_quote(plat, false, &q, &len);
	cove_result *r = verify(q, len, &coll, true);
	if (!r->ok)
		dump_failures(r);
	assert_true(r->authentic);
	assert_true(r->ok);
	json_t *tcb = json_object_get(r->claims, "tcb");
	assert_string_equal(json_string_value(json_object_get(tcb, "status")), "UpToDate");
	assert_string_equal(json_string_value(json_object_get(tcb, "qe_status")), "UpToDate");
	assert_true(json_is_true(json_object_get(r->claims, "emulated")));
	assert_string_equal(json_string_value(json_object_get(r->claims, "root")), COVE_PLATFORM_NAME);
	cove_result_free(r);
	free(q);
}

static void test_refused_with_intel_root_only(void **state)
{
	(void)state;
	uint8_t *q;
	size_t len;
	make_quote(plat, false, &q, &len);
	cove_result *r = verify(q, len, &coll, false);
	assert_false(r->authentic);
	assert_false(r->ok);
	assert_true(cove_result_has_failure(r, "root"));
	cove_result_free(r);
	free(q);
}

/* Flip one byte at `off` and expect failure `check`. */
static void expect_tamper(size_t off, const char *check)
{
	uint8_t *q;
	size_t len;
	make_quote(plat, false, &q, &len);
	q[off] ^= 0x01;
	cove_result *r = verify(q, len, &coll, true);
	if (!cove_result_has_failure(r, check)) {
		fprintf(stderr, "offset %zu: expected %s\n", off, check);
		dump_failures(r);
	}
	assert_false(r->authentic);
	assert_true(cove_result_has_failure(r, check));
	cove_result_free(r);
	free(q);
}

static void test_tampered_quote(void **state)
{
	(void)state;
	size_t sig = 48 + 384 + 4;
	expect_tamper(48 + 64, "quote.signature");          /* MRENCLAVE */
	expect_tamper(48 + 320 + 5, "quote.signature");     /* REPORTDATA */
	expect_tamper(28, "quote.signature");               /* header user data */
	expect_tamper(sig + 10, "quote.signature");         /* the signature */
	expect_tamper(sig + 64 + 3, "quote.signature");     /* the attestation key */
	expect_tamper(sig + 64 + 3, "qe.report_data");      /* ... which the QE report no longer binds */
	expect_tamper(sig + 128 + 64, "qe.report_signature"); /* QE report MRENCLAVE */
	expect_tamper(sig + 128 + 384 + 7, "qe.report_signature"); /* QE report signature */
	expect_tamper(sig + 128 + 384 + 64 + 2, "qe.report_data"); /* QE authentication data */
}

static void test_debug_enclave_refused_by_policy(void **state)
{
	(void)state;
	uint8_t *q;
	size_t len;
	make_quote(plat, true, &q, &len);
	cove_result *r = verify(q, len, &coll, true);
	assert_true(r->authentic);
	assert_false(r->ok);
	bool policy_failure = false;
	for (size_t i = 0; i < r->nfailures; i++)
		policy_failure |= r->failures[i].kind == COVE_CHECK_POLICY;
	assert_true(policy_failure);
	cove_result_free(r);
	free(q);
}

static void test_tampered_tcb_info(void **state)
{
	(void)state;
	uint8_t *q;
	size_t len;
	cove_error e = {0};
	cove_dcap_collateral c = {0};
	assert_int_equal(cove_platform_sgx_collateral(plat, &c, &e), COVE_OK);
	char *p = find(&c.tcb_info_raw, "\"tcbEvaluationDataNumber\":1");
	assert_non_null(p);
	p[strlen("\"tcbEvaluationDataNumber\":")] = '2';
	make_quote(plat, false, &q, &len);
	cove_result *r = verify(q, len, &c, true);
	assert_false(r->authentic);
	assert_true(cove_result_has_failure(r, "collateral.tcb_info.signature"));
	cove_result_free(r);
	/* The QE identity signature as well. */
	cove_dcap_collateral_free(&c);
	assert_int_equal(cove_platform_sgx_collateral(plat, &c, &e), COVE_OK);
	c.qe_identity_signature[5] ^= 0x80;
	r = verify(q, len, &c, true);
	assert_false(r->authentic);
	assert_true(cove_result_has_failure(r, "collateral.qe_identity.signature"));
	cove_result_free(r);
	cove_dcap_collateral_free(&c);
	free(q);
}

/* A second handle loads the same SGX side from the state directory; its quotes verify with the first's collateral. */
static void test_reopen_and_permissions(void **state)
{
	(void)state;
	cove_platform *p2 = NULL;
	cove_error e = {0};
	uint8_t a[32], b[32], *q;
	size_t len;
	char path[512];
	assert_int_equal(cove_platform_open(dir, false, &p2, &e), COVE_OK);
	assert_int_equal(cove_platform_sgx_root(plat, a, &e), COVE_OK);
	assert_int_equal(cove_platform_sgx_root(p2, b, &e), COVE_OK);
	assert_memory_equal(a, b, 32);
	make_quote(p2, false, &q, &len);
	cove_result *r = verify(q, len, &coll, true);
	assert_true(r->ok);
	cove_result_free(r);
	free(q);
	cove_platform_free(p2);

	/* A private key readable by others is refused. */
	snprintf(path, sizeof(path), "%s/sgx/attestation.key", dir);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(cove_platform_open(dir, false, &p2, &e), COVE_OK);
	assert_int_equal(cove_platform_sgx_root(p2, b, &e), COVE_ERR_ARG);
	cove_platform_free(p2);
	assert_int_equal(chmod(path, 0600), 0);
}

/* A TCB info past its nextUpdate in the state directory is re-signed before it is handed out. */
static void test_stale_collateral_refreshed(void **state)
{
	(void)state;
	cove_platform *p2 = NULL;
	cove_error e = {0};
	cove_buf body = {0};
	cove_dcap_collateral c = {0};
	char path[512];
	uint8_t *q;
	size_t len;
	snprintf(path, sizeof(path), "%s/sgx/tcb_info.json", dir);
	assert_int_equal(cove_file_read(path, 1 << 20, &body, &e), COVE_OK);
	char *next = find(&body, "\"nextUpdate\":\"");
	assert_non_null(next);
	memcpy(next + strlen("\"nextUpdate\":\""), "2020-01-01T00:00:00Z", 20);
	assert_int_equal(cove_file_write(path, body.data, body.len, 0644, &e), COVE_OK);
	cove_buf_free(&body);

	assert_int_equal(cove_platform_open(dir, false, &p2, &e), COVE_OK);
	assert_int_equal(cove_platform_sgx_collateral(p2, &c, &e), COVE_OK);
	assert_true(c.tcb_info.next_update > cove_time_now() + 20 * 86400LL);
	make_quote(p2, false, &q, &len);
	cove_result *r = verify(q, len, &c, true);
	assert_true(r->ok);
	cove_result_free(r);
	free(q);
	cove_dcap_collateral_free(&c);
	cove_platform_free(p2);
	/* ... and saved: the file is current again. */
	assert_int_equal(cove_file_read(path, 1 << 20, &body, &e), COVE_OK);
	assert_null(find(&body, "2020-01-01T00:00:00Z"));
	cove_buf_free(&body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote_fields),
		cmocka_unit_test(test_verifies_with_emulated_root),
		cmocka_unit_test(test_refused_with_intel_root_only),
		cmocka_unit_test(test_tampered_quote),
		cmocka_unit_test(test_debug_enclave_refused_by_policy),
		cmocka_unit_test(test_tampered_tcb_info),
		cmocka_unit_test(test_reopen_and_permissions),
		cmocka_unit_test(test_stale_collateral_refreshed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
