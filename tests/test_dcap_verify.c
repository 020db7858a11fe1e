/*
 * DCAP verification against genuine Intel evidence (shared/vectors/sgx and
 * tdx, each pair at the instant its MANIFEST pins): every quote verifies with
 * its collateral and reports the TCB status the MANIFEST states; the
 * synthetic (Intel test root) and tampered inputs fail with the right reason;
 * every signed byte of the quote, the QE report and the collateral matters.
 */
#include <string.h>

#include "cove/dcap.h"
#include "cove/dcap_collateral.h"
#include "cove/dcap_verify.h"
#include "testutil.h"

typedef struct pair {
	const char *quote;
	const char *collateral;
	const char *at;
	const char *status;          /* expected TCB status */
	const char *advisories[4];   /* expected advisory IDs (subset), NULL-terminated */
	bool old_signing_cert;       /* 2023 collateral: use the 2018 TCB signing certificate of the same key */
	const char *stale[4];        /* failures expected from out-of-date collateral in the set */
	bool debug;
	bool trailing;               /* upstream appended unsigned bytes after the quote */
} pair;

#define SGX "vectors/sgx/"
#define TDX "vectors/tdx/"
#define GTG_V4 TDX "derived-collateral/go-tdx-guest_tdx_v4_fmspc50806f000000.json"
#define AUT_1025 TDX "derived-collateral/automata_1025_fmspc00806f050000.json"
#define OE_ENDORSEMENTS SGX "derived-collateral/openenclave_attestation_plugin_endorsements.json"

static const pair pairs[] = {
	{SGX "phala-dcap-qvl/sgx_quote", SGX "phala-dcap-qvl/sgx_quote_collateral.json", "2025-07-01T00:00:00Z",
	 "ConfigurationAndSWHardeningNeeded", {"INTEL-SA-00289", "INTEL-SA-00615"}, false, {0}, false, false},
	{SGX "automata/solana-tests-data/quote_sgx.bin", SGX "phala-dcap-qvl/sgx_quote_collateral.json",
	 "2025-07-01T00:00:00Z", "ConfigurationAndSWHardeningNeeded", {"INTEL-SA-00289", "INTEL-SA-00615"}, false, {0},
	 true, false},
	/* OE's test enclave is a debug enclave (ATTRIBUTES.FLAGS 0x7). */
	{SGX "derived-collateral/openenclave_attestation_plugin_evidence.quote.bin", OE_ENDORSEMENTS,
	 "2022-05-01T00:00:00Z", "SWHardeningNeeded", {0}, false, {0}, true, false},
	{TDX "phala-dcap-qvl/tdx_quote", TDX "phala-dcap-qvl/tdx_quote_collateral.json", "2025-07-01T00:00:00Z",
	 "UpToDate", {0}, false, {0}, false, false},
	{TDX "go-tdx-guest/testdata/tdx_prod_quote_SPR_E4.dat", GTG_V4, "2023-06-20T00:00:00Z", "TCBNotSupported", {0},
	 true, {0}, false, true},
	{TDX "openenclave/tests/host_verify/data/tdx_quote.bin", GTG_V4, "2023-06-20T00:00:00Z", "UpToDate", {0}, true,
	 {0}, false, false},
	{TDX "trustee/tdx_quote_4.dat", GTG_V4, "2023-06-20T00:00:00Z", "UpToDate", {0}, true, {0}, true, false},
	{TDX "go-tdx-guest/testdata/ccel/cos-113-tdx-quote.dat", AUT_1025, "2025-11-01T00:00:00Z", "UpToDate", {0}, false,
	 {0}, false, false},
	{TDX "automata/solana-tests-data/quote_tdx.bin", AUT_1025, "2025-11-01T00:00:00Z", "OutOfDate",
	 {"INTEL-SA-00960", "INTEL-SA-00982", "INTEL-SA-00986"}, false, {0}, false, false},
	{TDX "trustee/az-tdx-vtpm/td-quote.bin", AUT_1025, "2025-11-01T00:00:00Z", "OutOfDate",
	 {"INTEL-SA-00960", "INTEL-SA-00982", "INTEL-SA-00986"}, false, {0}, false, false},
	/* The v5 sample's QE identity and CRLs are from 2023: a strict verifier reports them stale. */
	{TDX "go-tdx-guest/testdata/quote_v5_sample.dat", TDX "derived-collateral/go-tdx-guest_tcbinfo_v5.json",
	 "2026-02-15T00:00:00Z", "UpToDate", {0}, false, {"collateral.qe_identity.validity", "crl.root", "crl.pck"},
	 false, false},
	{TDX "openenclave/tests/host_verify/data/tdx_quote-moduleupdate-seamldr5.dat",
	 TDX "derived-collateral/openenclave_tdx_endorsement.json", "2025-03-01T00:00:00Z", NULL, {0}, false, {0},
	 false, false},
};

static cove_dcap_verifier *verifier;

static int setup(void **state)
{
	(void)state;
	return cove_dcap_verifier_new(&verifier, NULL) == COVE_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	cove_dcap_verifier_free(verifier);
	return 0;
}

typedef struct loaded {
	cove_buf quote_bytes;
	cove_dcap_quote quote;
	cove_dcap_collateral coll;
	int64_t at;
} loaded;

static void load_pair(const pair *p, loaded *l)
{
	cove_buf b = {0};
	cove_error e = {0};
	memset(l, 0, sizeof(*l));
	cove_test_read_shared(p->quote, &l->quote_bytes);
	if (p->trailing) {
		/* The strict parser refuses what follows the quote; the prefix parser ignores it. */
		cove_dcap_quote strict;
		assert_int_equal(cove_dcap_quote_parse(l->quote_bytes.data, l->quote_bytes.len, &strict, NULL), COVE_ERR_PARSE);
	}
	if ((p->trailing ? cove_dcap_quote_parse_prefix : cove_dcap_quote_parse)(l->quote_bytes.data, l->quote_bytes.len,
										  &l->quote, &e))
		fail_msg("%s: %s", p->quote, e.msg);
	cove_test_read_shared(p->collateral, &b);
	if (cove_dcap_collateral_parse_bundle((const char *)b.data, b.len, &l->coll, &e))
		fail_msg("%s: %s", p->collateral, e.msg);
	cove_buf_free(&b);
	if (p->old_signing_cert) {
		/* Same key, the 2018-2025 certificate (shared/vectors/tdx/MANIFEST.md, note on the 2023 pairs). */
		cove_dcap_collateral old;
		memset(&old, 0, sizeof(old));
		cove_test_read_shared(OE_ENDORSEMENTS, &b);
		assert_int_equal(cove_dcap_collateral_parse_bundle((const char *)b.data, b.len, &old, NULL), COVE_OK);
		cove_x509_list_free(&l->coll.tcb_info_issuer_chain);
		cove_x509_list_free(&l->coll.qe_identity_issuer_chain);
		for (size_t i = 0; i < old.tcb_info_issuer_chain.count; i++) {
			cove_x509_list_add(&l->coll.tcb_info_issuer_chain, old.tcb_info_issuer_chain.certs[i], NULL);
			cove_x509_list_add(&l->coll.qe_identity_issuer_chain, old.tcb_info_issuer_chain.certs[i], NULL);
		}
		cove_dcap_collateral_free(&old);
		cove_buf_free(&b);
	}
	assert_int_equal(cove_time_parse(p->at, &l->at, NULL), COVE_OK);
}

static void free_pair(loaded *l)
{
	cove_dcap_quote_free(&l->quote);
	cove_dcap_collateral_free(&l->coll);
	cove_buf_free(&l->quote_bytes);
}

static cove_result *verify(loaded *l, const cove_dcap_policy *policy)
{
	cove_result *res = NULL;
	cove_dcap_verify_opts o = {.at = l->at};
	cove_error e = {0};
	if (cove_dcap_verify(verifier, &l->quote, &l->coll, policy, &o, &res, &e))
		fail_msg("verify: %s", e.msg);
	return res;
}

static const char *status_of(const cove_result *r)
{
	return json_string_value(json_object_get(json_object_get(r->claims, "tcb"), "status"));
}

static void dump(const cove_result *r)
{
	for (size_t i = 0; i < r->nfailures; i++)
		print_message("  %s: %s\n", r->failures[i].check, r->failures[i].detail);
	char *s = json_dumps(json_object_get(r->claims, "tcb"), JSON_COMPACT);
	print_message("  tcb: %s\n", s ? s : "(none)");
	free(s);
}

static bool expected_stale(const pair *p, const char *check)
{
	for (int i = 0; i < 4 && p->stale[i]; i++)
		if (strcmp(p->stale[i], check) == 0)
			return true;
	return false;
}

static void test_genuine_pairs(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		const pair *p = &pairs[i];
		loaded l;
		cove_dcap_policy policy;
		load_pair(p, &l);
		cove_dcap_policy_init(&policy);
		policy.accepted_statuses = ~0u; /* look at the status itself here */
		policy.allow_debug = true;
		cove_result *res = verify(&l, &policy);
		bool unexpected = false;
		for (size_t k = 0; k < res->nfailures; k++)
			unexpected |= !expected_stale(p, res->failures[k].check);
		if (unexpected || (p->stale[0] == NULL) != res->ok) {
			print_message("%s:\n", p->quote);
			dump(res);
			fail_msg("%s did not verify as expected", p->quote);
		}
		if (p->status && (!status_of(res) || strcmp(status_of(res), p->status) != 0)) {
			dump(res);
			fail_msg("%s: TCB status %s, expected %s", p->quote, status_of(res), p->status);
		}
		json_t *adv = json_object_get(json_object_get(res->claims, "tcb"), "advisory_ids");
		for (int k = 0; k < 4 && p->advisories[k]; k++) {
			bool found = false;
			size_t j;
			json_t *id;
			json_array_foreach(adv, j, id)
				found |= strcmp(json_string_value(id), p->advisories[k]) == 0;
			if (!found)
				fail_msg("%s: advisory %s missing", p->quote, p->advisories[k]);
		}
		assert_non_null(json_object_get(json_object_get(res->claims, "tcb"), "explanation"));
		cove_result_free(res);

		/* Under the default policy: only UpToDate is accepted and debug is refused. */
		res = verify(&l, NULL);
		bool up = p->status && strcmp(p->status, "UpToDate") == 0 && !p->stale[0];
		if (res->ok != (up && !p->debug)) {
			dump(res);
			fail_msg("%s: ok = %d under the default policy", p->quote, res->ok);
		}
		if (p->status && strcmp(p->status, "UpToDate") != 0)
			assert_true(cove_result_has_failure(res, "policy.tcb_status"));
		if (cove_result_has_failure(res, "policy.debug") != p->debug)
			fail_msg("%s: policy.debug failure is %d, expected %d", p->quote, !p->debug, p->debug);
		cove_result_free(res);
		cove_dcap_policy_free(&policy);
		free_pair(&l);
	}
}

/* The TDX module was updated at run time (TEE_TCB_SVN2 differs from TEE_TCB_SVN). */
static void test_module_update(void **state)
{
	(void)state;
	const pair *p = &pairs[11];
	loaded l;
	load_pair(p, &l);
	cove_result *res = verify(&l, NULL);
	json_t *tcb = json_object_get(res->claims, "tcb");
	dump(res);
	assert_true(res->authentic);
	assert_string_equal(json_string_value(json_object_get(tcb, "platform_status")), "UpToDate");
	assert_string_equal(json_string_value(json_object_get(tcb, "tdx_module_status")), "OutOfDate");
	const char *s = status_of(res);
	assert_true(strcmp(s, "OutOfDate") == 0 || strncmp(s, "TDRelaunchAdvised", 17) == 0);
	assert_false(res->ok);
	cove_result_free(res);
	free_pair(&l);
}

static void test_accept_widens(void **state)
{
	(void)state;
	loaded l;
	cove_dcap_policy policy;
	load_pair(&pairs[0], &l);
	cove_dcap_policy_init(&policy);
	assert_int_equal(cove_dcap_policy_accept(&policy, "ConfigurationAndSWHardeningNeeded", NULL), COVE_OK);
	cove_result *res = verify(&l, &policy);
	assert_true(res->ok);
	cove_result_free(res);
	/* ...unless an advisory is rejected. */
	json_array_append_new(policy.rejected_advisories, json_string("INTEL-SA-00615"));
	res = verify(&l, &policy);
	assert_false(res->ok);
	assert_true(res->authentic);
	assert_true(cove_result_has_failure(res, "policy.advisory"));
	cove_result_free(res);
	/* A REPORTDATA pin: "Hello, world!" padded with zeros. */
	json_array_clear(policy.rejected_advisories);
	memset(policy.report_data, 0, 64);
	memcpy(policy.report_data, "Hello, world!", 13);
	policy.has_report_data = true;
	res = verify(&l, &policy);
	assert_true(res->ok);
	cove_result_free(res);
	policy.report_data[0] ^= 1;
	res = verify(&l, &policy);
	assert_true(cove_result_has_failure(res, "policy.report_data"));
	cove_result_free(res);
	assert_int_equal(cove_dcap_policy_accept(&policy, "Uptodate", NULL), COVE_ERR_PARSE);
	cove_dcap_policy_free(&policy);
	free_pair(&l);
}

/* Every byte signed by the attestation key, and every byte of the QE report. */
static void test_every_signed_byte(void **state)
{
	(void)state;
	static const size_t which[] = {0, 3}; /* an SGX v3 and a TDX v4 quote */
	for (size_t w = 0; w < 2; w++) {
		loaded l;
		load_pair(&pairs[which[w]], &l);
		size_t signed_len = l.quote.signed_len;
		size_t qe_off = (size_t)(l.quote.qe_report_raw - l.quote_bytes.data);
		cove_dcap_quote_free(&l.quote);
		uint8_t *bytes = l.quote_bytes.data;
		/* Ranges: header+body, signature+attestation key (right after sig_data_len), QE report + its signature. */
		size_t sigdata = signed_len + 4;
		struct { size_t from, to; } ranges[] = {{0, signed_len}, {sigdata, sigdata + 128}, {qe_off, qe_off + 384 + 64}};
		for (size_t r = 0; r < 3; r++) {
			for (size_t i = ranges[r].from; i < ranges[r].to; i++) {
				cove_dcap_quote q;
				bytes[i] ^= 0x01;
				if (cove_dcap_quote_parse(bytes, l.quote_bytes.len, &q, NULL) == COVE_OK) {
					cove_result *res = NULL;
					cove_dcap_verify_opts o = {.at = l.at};
					cove_dcap_policy policy;
					cove_dcap_policy_init(&policy);
					policy.accepted_statuses = ~0u;
					policy.allow_debug = true;
					assert_int_equal(cove_dcap_verify(verifier, &q, &l.coll, &policy, &o, &res, NULL), COVE_OK);
					if (res->authentic)
						fail_msg("%s: flipping byte %zu left the quote authentic", pairs[which[w]].quote, i);
					cove_result_free(res);
					cove_dcap_policy_free(&policy);
					cove_dcap_quote_free(&q);
				}
				bytes[i] ^= 0x01;
			}
		}
		assert_int_equal(cove_dcap_quote_parse(bytes, l.quote_bytes.len, &l.quote, NULL), COVE_OK);
		free_pair(&l);
	}
}

/* Every byte of the signed collateral JSON and of its signatures. */
static void test_every_collateral_byte(void **state)
{
	(void)state;
	loaded l;
	load_pair(&pairs[3], &l);
	cove_buf *raws[] = {&l.coll.tcb_info_raw, &l.coll.qe_identity_raw};
	uint8_t *sigs[] = {l.coll.tcb_info_signature, l.coll.qe_identity_signature};
	const char *checks[] = {"collateral.tcb_info.signature", "collateral.qe_identity.signature"};
	cove_dcap_policy policy;
	cove_dcap_policy_init(&policy);
	policy.accepted_statuses = ~0u;
	for (int k = 0; k < 2; k++) {
		/* A flip changes the signed bytes; the parsed form is left alone, as a forger would. */
		for (size_t i = 0; i < raws[k]->len; i += raws[k]->len > 2000 ? 3 : 1) {
			raws[k]->data[i] ^= 0x01;
			cove_result *res = verify(&l, &policy);
			raws[k]->data[i] ^= 0x01;
			if (!cove_result_has_failure(res, checks[k]))
				fail_msg("%s: flipping byte %zu went unnoticed", checks[k], i);
			cove_result_free(res);
		}
		for (size_t i = 0; i < 64; i++) {
			sigs[k][i] ^= 0x80;
			cove_result *res = verify(&l, &policy);
			sigs[k][i] ^= 0x80;
			assert_true(cove_result_has_failure(res, checks[k]));
			cove_result_free(res);
		}
	}
	cove_result *res = verify(&l, &policy);
	assert_true(res->ok);
	cove_result_free(res);
	cove_dcap_policy_free(&policy);
	free_pair(&l);
}

static void test_wrong_collateral(void **state)
{
	(void)state;
	/* An SGX quote with TDX collateral, and a TDX quote with another FMSPC's collateral. */
	pair p = pairs[0];
	p.collateral = TDX "phala-dcap-qvl/tdx_quote_collateral.json";
	loaded l;
	load_pair(&p, &l);
	cove_result *res = verify(&l, NULL);
	assert_false(res->authentic);
	assert_true(cove_result_has_failure(res, "tcb_info.tee") || cove_result_has_failure(res, "qe.identity"));
	cove_result_free(res);
	free_pair(&l);
	p = pairs[3];
	p.collateral = AUT_1025;
	p.at = "2025-11-01T00:00:00Z";
	load_pair(&p, &l);
	res = verify(&l, NULL);
	assert_false(res->authentic);
	assert_true(cove_result_has_failure(res, "tcb_info.fmspc"));
	cove_result_free(res);
	free_pair(&l);
}

static void test_expired_collateral(void **state)
{
	(void)state;
	pair p = pairs[0];
	p.at = "2025-08-01T00:00:00Z";
	loaded l;
	load_pair(&p, &l);
	cove_result *res = verify(&l, NULL);
	assert_false(res->authentic);
	assert_true(cove_result_has_failure(res, "collateral.tcb_info.validity"));
	cove_result_free(res);
	free_pair(&l);
}

/* Intel's QVL sample data is signed by Intel's test root: never trusted. */
static void test_intel_test_root(void **state)
{
	(void)state;
	static const char *const quotes[] = {SGX "intel-qvl/sampleData/quote.dat", TDX "intel-qvl/sampleData/tdx/quote.dat"};
	for (int i = 0; i < 2; i++) {
		cove_buf b = {0};
		cove_dcap_quote q;
		cove_dcap_collateral none;
		memset(&none, 0, sizeof(none));
		cove_test_read_shared(quotes[i], &b);
		assert_int_equal(cove_dcap_quote_parse(b.data, b.len, &q, NULL), COVE_OK);
		cove_result *res = NULL;
		cove_dcap_verify_opts o = {.at = 1751328000};
		assert_int_equal(cove_dcap_verify(verifier, &q, &none, NULL, &o, &res, NULL), COVE_OK);
		assert_false(res->authentic);
		if (i == 0)
			assert_true(cove_result_has_failure(res, "pck.chain")); /* certification data type 1 */
		else
			assert_true(cove_result_has_failure(res, "root"));
		cove_result_free(res);
		cove_dcap_quote_free(&q);
		cove_buf_free(&b);
	}
}

static void test_tampered_chain(void **state)
{
	(void)state;
	/* OE's sgx_report_bad.bin: a 16-byte OE header, then a quote whose PCK CA certificate was altered. */
	cove_buf b = {0};
	cove_dcap_quote q;
	cove_test_read_shared(SGX "openenclave/tests/host_verify/data/sgx_report_bad.bin", &b);
	assert_true(b.len > 16);
	if (cove_dcap_quote_parse(b.data + 16, b.len - 16, &q, NULL) == COVE_OK) {
		cove_dcap_collateral none;
		cove_result *res = NULL;
		cove_dcap_verify_opts o = {.at = 1751328000};
		memset(&none, 0, sizeof(none));
		assert_int_equal(cove_dcap_verify(verifier, &q, &none, NULL, &o, &res, NULL), COVE_OK);
		assert_false(res->authentic);
		assert_true(cove_result_has_failure(res, "pck.chain") || cove_result_has_failure(res, "pck.validity"));
		cove_result_free(res);
		cove_dcap_quote_free(&q);
	}
	cove_buf_free(&b);
}

/*
 * tdx_quote_5.dat has no collateral of its own here: its PCK chain, QE report, report-data
 * binding and quote signature must hold all the same (MANIFEST), whatever the collateral says.
 */
static void test_quote_without_its_collateral(void **state)
{
	(void)state;
	pair p = pairs[3];
	p.quote = TDX "trustee/tdx_quote_5.dat";
	loaded l;
	load_pair(&p, &l);
	cove_result *res = verify(&l, NULL);
	static const char *const must_hold[] = {"pck.chain", "pck.validity", "pck.extension", "root", "crl.pck",
						"qe.report_signature", "qe.report_data", "quote.signature"};
	for (size_t i = 0; i < sizeof(must_hold) / sizeof(must_hold[0]); i++)
		if (cove_result_has_failure(res, must_hold[i])) {
			dump(res);
			fail_msg("tdx_quote_5.dat: %s failed", must_hold[i]);
		}
	assert_true(cove_result_has_failure(res, "tcb_info.fmspc")); /* phala's collateral is for another FMSPC */
	cove_result_free(res);
	free_pair(&l);
}

/*
 * A verifier remembers the platforms whose PCK chains it verified and names
 * them (FMSPC, issuing CA) to whoever picks collateral, only for the same
 * certification data bytes and inside the chain's validity.
 */
static void test_lookup_platform(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof(pairs) / sizeof(pairs[0]); k++) {
		const pair *p = &pairs[k];
		loaded l;
		cove_dcap_verifier *v = NULL, *forgetful = NULL;
		cove_dcap_verify_opts o;
		cove_result *res = NULL;
		cove_x509_list chain = {0};
		cove_x509 *leaf = NULL;
		cove_sgx_pck_ext ext;
		char cn[128] = "";
		uint8_t fmspc[6];
		bool platform_ca = true;

		load_pair(p, &l);
		o.at = l.at;
		/* What the chain says, read independently. */
		assert_int_equal(cove_dcap_pck_chain_parse(l.quote.cert_data, l.quote.cert_len, &chain, NULL), COVE_OK);
		for (size_t i = 0; i < chain.count; i++)
			if (!cove_x509_is_ca(chain.certs[i]))
				leaf = chain.certs[i];
		assert_non_null(leaf);
		assert_int_equal(cove_sgx_pck_ext_parse(leaf, &ext, NULL), COVE_OK);
		for (size_t i = 0; i < chain.count; i++)
			if (chain.certs[i] != leaf && cove_x509_is_issuer_of(chain.certs[i], leaf))
				cove_x509_subject_cn(chain.certs[i], cn, sizeof(cn));

		assert_int_equal(cove_dcap_verifier_new(&v, NULL), COVE_OK);
		assert_int_equal(cove_dcap_verifier_lookup_platform(v, &l.quote, l.at, fmspc, &platform_ca),
				 COVE_ERR_UNAVAILABLE);
		assert_int_equal(cove_dcap_verify(v, &l.quote, &l.coll, NULL, &o, &res, NULL), COVE_OK);
		cove_result_free(res);
		assert_int_equal(cove_dcap_verifier_lookup_platform(v, &l.quote, l.at, fmspc, &platform_ca), COVE_OK);
		assert_memory_equal(fmspc, ext.fmspc, 6);
		assert_true(platform_ca == (strstr(cn, "Platform") != NULL));
		/* Outside the chain's validity: not remembered. */
		assert_int_equal(cove_dcap_verifier_lookup_platform(v, &l.quote, 86400, fmspc, &platform_ca),
				 COVE_ERR_UNAVAILABLE);
		/* One byte of the certification data changed: another chain. */
		{
			cove_dcap_quote other = l.quote;
			uint8_t *copy = malloc(l.quote.cert_len);
			assert_non_null(copy);
			memcpy(copy, l.quote.cert_data, l.quote.cert_len);
			copy[l.quote.cert_len / 2] ^= 0x01;
			other.cert_data = copy;
			assert_int_equal(cove_dcap_verifier_lookup_platform(v, &other, l.at, fmspc, &platform_ca),
					 COVE_ERR_UNAVAILABLE);
			free(copy);
		}
		/* A verifier told not to remember platforms names none. */
		assert_int_equal(cove_dcap_verifier_new(&forgetful, NULL), COVE_OK);
		cove_dcap_verifier_remember_platforms(forgetful, false);
		assert_int_equal(cove_dcap_verify(forgetful, &l.quote, &l.coll, NULL, &o, &res, NULL), COVE_OK);
		cove_result_free(res);
		assert_int_equal(cove_dcap_verifier_lookup_platform(forgetful, &l.quote, l.at, fmspc, &platform_ca),
				 COVE_ERR_UNAVAILABLE);

		cove_dcap_verifier_free(forgetful);
		cove_dcap_verifier_free(v);
		cove_x509_list_free(&chain);
		free_pair(&l);
	}
}

static void test_policy_json(void **state)
{
	(void)state;
	cove_dcap_policy p;
	cove_error e = {0};
	cove_dcap_policy_init(&p);
	const char *sgx = "{\"accept\": [\"UpToDate\", \"SWHardeningNeeded\"], \"mr_signer\": "
			  "[\"0000000000000000000000000000000000000000000000000000000000000000\"], \"isv_prod_id\": 1, "
			  "\"min_isv_svn\": 2, \"reject_advisories\": [\"INTEL-SA-00615\"]}";
	assert_int_equal(cove_dcap_policy_load_json(&p, COVE_TEE_SGX, sgx, strlen(sgx), &e), COVE_OK);
	assert_int_equal(p.accepted_statuses, (1u << COVE_TCB_UP_TO_DATE) | (1u << COVE_TCB_SW_HARDENING_NEEDED));
	assert_int_equal(p.n_mr_signers, 1);
	assert_int_equal(p.min_isv_svn, 2);
	const char *tdx_key = "{\"mr_td\": \"00\"}";
	cove_dcap_policy before = p;
	assert_int_equal(cove_dcap_policy_load_json(&p, COVE_TEE_SGX, tdx_key, strlen(tdx_key), &e), COVE_ERR_PARSE);
	assert_non_null(strstr(e.msg, "SGX policy"));
	assert_int_equal(p.n_mr_signers, before.n_mr_signers);
	const char *bad_status = "{\"accept\": [\"Fine\"]}";
	assert_int_equal(cove_dcap_policy_load_json(&p, COVE_TEE_SGX, bad_status, strlen(bad_status), &e), COVE_ERR_PARSE);
	const char *tdx = "{\"td_attributes\": {\"value\": \"0x0\", \"mask\": \"0x1\"}, \"rtmr2\": "
			  "\"000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\"}";
	assert_int_equal(cove_dcap_policy_load_json(&p, COVE_TEE_TDX, tdx, strlen(tdx), &e), COVE_OK);
	assert_true(p.rtmr[2].set);
	assert_int_equal(p.td_attributes_mask, 1);
	cove_dcap_policy_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_genuine_pairs),       cmocka_unit_test(test_module_update),
		cmocka_unit_test(test_accept_widens),       cmocka_unit_test(test_every_signed_byte),
		cmocka_unit_test(test_every_collateral_byte), cmocka_unit_test(test_wrong_collateral),
		cmocka_unit_test(test_expired_collateral),  cmocka_unit_test(test_intel_test_root),
		cmocka_unit_test(test_tampered_chain),      cmocka_unit_test(test_policy_json),
		cmocka_unit_test(test_quote_without_its_collateral), cmocka_unit_test(test_lookup_platform),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
