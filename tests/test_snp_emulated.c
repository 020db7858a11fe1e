/*
 * The verifier against the emulated platform: emulated evidence verifies only
 * with its root explicitly trusted; a revoked ASK, a CRL signed by another
 * key, a VCEK for another TCB, a debug guest and a certificate table all give
 * their own reason.  The revocation cases need the ARK's private key, which
 * only the emulated platform can provide.
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "cove/platform.h"
#include "cove/snp.h"
#include "testutil.h"

static char dir[] = "/tmp/cove-test-emulated-XXXXXX";
static cove_platform *plat;

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
	if (!mkdtemp(dir) || cove_platform_open(dir, true, &plat, &e)) {
		fprintf(stderr, "platform: %s\n", e.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cove_platform_free(plat);
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

typedef struct evidence {
	cove_snp_report report;
	cove_x509_list chain;
	cove_x509_crl *crl;
} evidence;

static void make_evidence(evidence *ev, uint64_t policy_bits)
{
	cove_snp_emulate_opts o;
	uint8_t raw[COVE_SNP_REPORT_SIZE];
	cove_error e = {0};
	cove_snp_emulate_opts_init(&o);
	o.policy |= policy_bits;
	memset(o.measurement, 0xAB, sizeof(o.measurement));
	memset(o.report_data, 0x5A, sizeof(o.report_data));
	memset(ev, 0, sizeof(*ev));
	if (cove_platform_snp_emulate(plat, &o, raw, &e) || cove_snp_report_parse(raw, sizeof(raw), &ev->report, &e) ||
	    cove_platform_snp_chain(plat, NULL, &ev->chain, &e) || cove_platform_snp_crl(plat, &ev->crl, &e))
		fail_msg("%s", e.msg);
}

static void free_evidence(evidence *ev)
{
	cove_x509_list_free(&ev->chain);
	cove_x509_crl_free(ev->crl);
}

static cove_snp_verifier *verifier_new(bool trust_emulated)
{
	cove_snp_verifier *v = NULL;
	cove_snp_root root;
	assert_int_equal(cove_snp_verifier_new(&v, NULL), COVE_OK);
	if (trust_emulated) {
		assert_int_equal(cove_platform_snp_root(plat, &root, NULL), COVE_OK);
		assert_true(root.emulated);
		assert_int_equal(cove_snp_verifier_add_root(v, &root, NULL), COVE_OK);
	}
	return v;
}

static cove_result *verify(cove_snp_verifier *v, evidence *ev, cove_x509_crl *crl)
{
	cove_result *res = NULL;
	cove_snp_verify_opts opts = {0};
	cove_error e = {0};
	cove_err rc = cove_snp_verify(v, &ev->report, &ev->chain, crl, NULL, &opts, &res, &e);
	if (rc != COVE_OK && rc != COVE_ERR_UNAVAILABLE)
		fail_msg("%s", e.msg);
	return res;
}

static void test_trusted_only_explicitly(void **state)
{
	(void)state;
	evidence ev;
	make_evidence(&ev, 0);
	cove_snp_verifier *amd = verifier_new(false), *emu = verifier_new(true);
	cove_result *res = verify(emu, &ev, ev.crl);
	for (size_t i = 0; i < res->nfailures; i++)
		print_message("%s: %s\n", res->failures[i].check, res->failures[i].detail);
	assert_true(res->ok);
	assert_true(json_is_true(json_object_get(res->claims, "emulated")));
	assert_true(json_is_true(json_object_get(res->claims, "revocation_checked")));
	cove_result_free(res);
	res = verify(amd, &ev, ev.crl);
	assert_false(res->authentic);
	assert_true(cove_result_has_failure(res, "chain.root"));
	cove_result_free(res);
	cove_snp_verifier_free(amd);
	cove_snp_verifier_free(emu);
	free_evidence(&ev);
}

/* A CRL signed like AMD's (RSA-PSS, SHA-384, salt 48) by `key`, listing `revoked` (may be NULL). */
static cove_x509_crl *make_crl(cove_x509 *issuer, EVP_PKEY *key, cove_x509 *revoked)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *now = ASN1_TIME_set(NULL, time(NULL) - 3600), *next = ASN1_TIME_set(NULL, time(NULL) + 86400);
	assert_non_null(crl);
	X509_CRL_set_version(crl, 1);
	X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer));
	X509_CRL_set1_lastUpdate(crl, now);
	X509_CRL_set1_nextUpdate(crl, next);
	if (revoked) {
		X509_REVOKED *r = X509_REVOKED_new();
		X509_REVOKED_set_serialNumber(r, (ASN1_INTEGER *)X509_get0_serialNumber(revoked));
		X509_REVOKED_set_revocationDate(r, now);
		X509_CRL_add0_revoked(crl, r);
	}
	X509_CRL_sort(crl);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	assert_int_equal(EVP_DigestSignInit(ctx, &pctx, EVP_sha384(), NULL, key), 1);
	EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
	EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha384());
	EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 48);
	assert_true(X509_CRL_sign_ctx(crl, ctx) > 0);
	EVP_MD_CTX_free(ctx);
	ASN1_TIME_free(now);
	ASN1_TIME_free(next);
	return crl;
}

static EVP_PKEY *load_key(const char *name)
{
	char path[512];
	cove_pkey *k = NULL;
	cove_error e = {0};
	snprintf(path, sizeof(path), "%s/snp/%s", dir, name);
	if (cove_pkey_load_pem(path, &k, &e))
		fail_msg("%s", e.msg);
	return k;
}

static void test_revoked_ask(void **state)
{
	(void)state;
	evidence ev;
	make_evidence(&ev, 0);
	assert_int_equal(ev.chain.count, 3); /* VCEK, ASK, ARK */
	cove_x509 *ask = ev.chain.certs[1], *ark = ev.chain.certs[2];
	EVP_PKEY *ark_key = load_key("ark.key");
	cove_snp_verifier *v = verifier_new(true);

	cove_x509_crl *revoking = make_crl(ark, ark_key, ask);
	cove_result *res = verify(v, &ev, revoking);
	assert_false(res->authentic);
	assert_true(cove_result_has_failure(res, "crl.revoked"));
	assert_non_null(strstr(res->failures[0].detail, "revoked by the ARK's CRL"));
	cove_result_free(res);

	/* The same content signed by the ASK instead of the ARK. */
	EVP_PKEY *ask_key = load_key("ask.key");
	cove_x509_crl *forged = make_crl(ark, ask_key, NULL);
	res = verify(v, &ev, forged);
	assert_false(res->authentic);
	assert_true(cove_result_has_failure(res, "crl.signature"));
	cove_result_free(res);

	/* A CRL naming another issuer. */
	cove_x509_crl *other = make_crl(ask, ark_key, NULL);
	res = verify(v, &ev, other);
	assert_true(cove_result_has_failure(res, "crl.issuer"));
	cove_result_free(res);

	/* And a clean one verifies. */
	cove_x509_crl *clean = make_crl(ark, ark_key, NULL);
	res = verify(v, &ev, clean);
	assert_true(res->ok);
	cove_result_free(res);

	cove_x509_crl_free(revoking);
	cove_x509_crl_free(forged);
	cove_x509_crl_free(other);
	cove_x509_crl_free(clean);
	cove_pkey_free(ark_key);
	cove_pkey_free(ask_key);
	cove_snp_verifier_free(v);
	free_evidence(&ev);
}

static void test_debug_guest(void **state)
{
	(void)state;
	evidence ev;
	make_evidence(&ev, COVE_SNP_POLICY_DEBUG);
	cove_snp_verifier *v = verifier_new(true);
	cove_result *res = verify(v, &ev, ev.crl);
	assert_true(res->authentic);
	assert_false(res->ok);
	assert_true(cove_result_has_failure(res, "policy.debug"));
	cove_result_free(res);
	cove_snp_verifier_free(v);
	free_evidence(&ev);
}

/* A VCEK certified for another REPORTED_TCB, offered with a report re-signed by it. */
static void test_vcek_for_other_tcb(void **state)
{
	(void)state;
	evidence ev;
	cove_snp_tcb other = cove_platform_tcb(plat);
	other.snp++;
	make_evidence(&ev, 0);
	cove_x509_list_free(&ev.chain);
	assert_int_equal(cove_platform_snp_chain(plat, &other, &ev.chain, NULL), COVE_OK);
	cove_snp_verifier *v = verifier_new(true);
	cove_result *res = verify(v, &ev, ev.crl);
	assert_false(res->authentic);
	assert_true(cove_result_has_failure(res, "tcb.binding"));
	assert_true(cove_result_has_failure(res, "report_signature"));
	cove_result_free(res);
	cove_snp_verifier_free(v);
	free_evidence(&ev);
}

static void test_cert_table(void **state)
{
	(void)state;
	evidence ev;
	cove_buf table = {0};
	cove_snp_cert_table t;
	make_evidence(&ev, 0);
	assert_int_equal(cove_platform_snp_cert_table(plat, NULL, &table, NULL), COVE_OK);
	assert_int_equal(cove_snp_cert_table_parse(table.data, table.len, &t, NULL), COVE_OK);
	assert_int_equal(t.count, 3);
	cove_x509_list certs = {0};
	bool kinds[8] = {false};
	for (size_t i = 0; i < t.count; i++) {
		kinds[t.entries[i].kind] = true;
		assert_int_equal(cove_x509_list_parse(&certs, t.entries[i].data, t.entries[i].len, NULL), COVE_OK);
	}
	assert_true(kinds[COVE_SNP_CERT_VCEK] && kinds[COVE_SNP_CERT_ASK] && kinds[COVE_SNP_CERT_ARK]);
	cove_snp_verifier *v = verifier_new(true);
	cove_result *res = NULL;
	cove_snp_verify_opts opts = {0};
	assert_int_equal(cove_snp_verify(v, &ev.report, &certs, ev.crl, NULL, &opts, &res, NULL), COVE_OK);
	assert_true(res->ok);
	cove_result_free(res);

	/* Rebuilding the table from its entries gives the same bytes. */
	cove_buf again = {0};
	assert_int_equal(cove_snp_cert_table_build(t.entries, t.count, &again, NULL), COVE_OK);
	assert_int_equal(again.len, table.len);
	assert_memory_equal(again.data, table.data, table.len);

	/* Malformed tables. */
	cove_error e = {0};
	cove_snp_cert_table_free(&t);
	assert_int_equal(cove_snp_cert_table_parse(table.data, 30, &t, &e), COVE_ERR_PARSE);
	uint8_t bad[200];
	memcpy(bad, table.data, sizeof(bad));
	cove_put_le32(bad + 16, 10); /* offset inside the table */
	assert_int_equal(cove_snp_cert_table_parse(bad, sizeof(bad), &t, &e), COVE_ERR_PARSE);
	assert_non_null(strstr(e.msg, "outside"));
	cove_snp_cert_table_free(&t);
	cove_buf_free(&again);
	cove_buf_free(&table);
	cove_x509_list_free(&certs);
	cove_snp_verifier_free(v);
	free_evidence(&ev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trusted_only_explicitly),
		cmocka_unit_test(test_revoked_ask),
		cmocka_unit_test(test_debug_guest),
		cmocka_unit_test(test_vcek_for_other_tcb),
		cmocka_unit_test(test_cert_table),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
