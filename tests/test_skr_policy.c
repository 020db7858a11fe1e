/*
 * Secure Key Release policies (cove/skr_policy.h) against the published
 * examples in shared/vectors/coco/skr/policies (MANIFEST says which are
 * valid and which must be rejected) and hand-made claim sets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cove/bytes.h"
#include "cove/skr_policy.h"
#include "support/expect.h"
#include "testutil.h"

static cove_skr_policy *load(const char *name, cove_err want, const char *msg)
{
	cove_buf b = {0};
	cove_skr_policy *p = NULL;
	cove_error e = {0};
	char path[256];

	snprintf(path, sizeof(path), "vectors/coco/skr/policies/%s", name);
	cove_test_read_shared(path, &b);
	assert_int_equal(cove_skr_policy_parse((const char *)b.data, b.len, &p, &e), want);
	if (msg)
		cove_test_expect_msg(&e, msg);
	cove_buf_free(&b);
	return p;
}

static void test_published_examples(void **state)
{
	(void)state;
	cove_skr_policy_free(load("cvm-skr-policy.all-shared-maa.json", COVE_OK, NULL));
	cove_skr_policy_free(load("docs-sgx-mrsigner.json", COVE_OK, NULL));
	cove_skr_policy_free(load("docs-cvm-sevsnp-multi-authority.json", COVE_OK, NULL));
	cove_skr_policy_free(load("docs-cvm-guest-isolation-tee.json", COVE_OK, NULL));
	cove_skr_policy_free(load("docs-aci-uvm-hostdata.json", COVE_OK, NULL));
	/* Deliberately invalid, per the MANIFEST. */
	assert_null(load("docs-cvm-guest-isolation-tee-vmid.TOPLEVEL-ALLOF-AS-PUBLISHED.json", COVE_ERR_PARSE,
			 "\"allOf\" is not allowed"));
	assert_null(load("docs-sgx-mrsigner-mrenclave-svn-greater.json", COVE_ERR_PARSE, "operator \"greater\""));
	assert_null(load("sidecar-setup-key-mhsm.generated-shape.version-0.2.json", COVE_ERR_PARSE, "line"));
}

static bool decide(const cove_skr_policy *p, const char *iss, const char *claims_json, char *why, size_t n)
{
	json_t *c = json_loads(claims_json, 0, NULL);
	bool ok = false;
	cove_error e = {0};

	assert_non_null(c);
	assert_int_equal(cove_skr_policy_evaluate(p, iss, c, &ok, why, n, &e), COVE_OK);
	json_decref(c);
	return ok;
}

static void test_evaluation(void **state)
{
	cove_skr_policy *cvm = load("cvm-skr-policy.all-shared-maa.json", COVE_OK, NULL);
	cove_skr_policy *tee = load("docs-cvm-guest-isolation-tee.json", COVE_OK, NULL);
	char why[512];

	(void)state;
	/* The authority matches with or without the trailing '/'. */
	assert_true(decide(cvm, "https://sharedeus.eus.attest.azure.net",
			   "{\"x-ms-compliance-status\":\"azure-compliant-cvm\",\"x-ms-attestation-type\":\"sevsnpvm\"}", why,
			   sizeof(why)));
	assert_true(decide(cvm, "https://sharedeus.eus.attest.azure.net/",
			   "{\"x-ms-compliance-status\":\"azure-compliant-cvm\",\"x-ms-attestation-type\":\"tdxvm\"}", why,
			   sizeof(why)));
	/* The nested anyOf inside allOf. */
	assert_false(decide(cvm, "https://sharedeus.eus.attest.azure.net",
			    "{\"x-ms-compliance-status\":\"azure-compliant-cvm\",\"x-ms-attestation-type\":\"sgx\"}", why,
			    sizeof(why)));
	assert_non_null(strstr(why, "x-ms-attestation-type"));
	/* A missing claim is not met. */
	assert_false(decide(cvm, "https://sharedeus.eus.attest.azure.net", "{\"x-ms-attestation-type\":\"sevsnpvm\"}",
			    why, sizeof(why)));
	assert_non_null(strstr(why, "absent"));
	/* Another issuer: no authority. */
	assert_false(decide(cvm, "https://evil.example", "{\"x-ms-compliance-status\":\"azure-compliant-cvm\","
							"\"x-ms-attestation-type\":\"sevsnpvm\"}",
			    why, sizeof(why)));
	assert_non_null(strstr(why, "not an authority"));
	/* Dot notation into nested objects; types compared strictly. */
	assert_true(decide(tee, "https://sharedweu.weu.attest.azure.net",
			   "{\"x-ms-isolation-tee\":{\"x-ms-attestation-type\":\"sevsnpvm\","
			   "\"x-ms-compliance-status\":\"azure-compliant-cvm\"}}",
			   why, sizeof(why)));
	assert_false(decide(tee, "https://sharedweu.weu.attest.azure.net",
			    "{\"x-ms-isolation-tee\":[{\"x-ms-attestation-type\":\"sevsnpvm\"}]}", why, sizeof(why)));
	cove_skr_policy_free(cvm);
	cove_skr_policy_free(tee);
}

static void test_malformed(void **state)
{
	(void)state;
	static const struct {
		const char *json, *msg;
	} cases[] = {
		{"[]", "expected a JSON object"},
		{"{\"version\":\"2.0\",\"anyOf\":[]}", "version"},
		{"{\"version\":\"1.0.0\",\"anyOf\":[]}", "non-empty array of authorities"},
		{"{\"version\":\"1.0.0\",\"anyOf\":[{\"allOf\":[{\"claim\":\"a\",\"equals\":1}]}]}", "authority"},
		{"{\"version\":\"1.0.0\",\"anyOf\":[{\"authority\":\"x\"}]}", "exactly one of allOf and anyOf"},
		{"{\"version\":\"1.0.0\",\"anyOf\":[{\"authority\":\"x\",\"allOf\":[{\"claim\":\"a\"}]}]}", "needs \"claim\" and \"equals\""},
		{"{\"version\":\"1.0.0\",\"anyOf\":[{\"authority\":\"x\",\"allOf\":[{\"claim\":\"a\",\"equals\":{}}]}]}", "not comparable"},
		{"{\"version\":\"1.0.0\",\"anyOf\":[{\"authority\":\"x\",\"allOf\":[{\"claim\":\"a\",\"equals\":1,\"extra\":2}]}]}", "unknown member"},
		{"{\"version\":\"1.0.0\",\"anyOf\":[{\"authority\":\"x\",\"allOf\":[{\"claim\":\"a\",\"exists\":true}]}]}", "only \"equals\""},
		{"{\"version\":\"1.0.0\",\"anyOf\":[{\"authority\":\"x\",\"allOf\":[{\"claim\":\"a\",\"equals\":1,\"allOf\":[{\"claim\":\"b\",\"equals\":2}]}]}]}",
		 "either claim/equals or allOf/anyOf"},
		{"{\"version\":\"1.0.0\",\"version\":\"1.0.0\",\"anyOf\":[]}", "line"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cove_skr_policy *p = NULL;
		cove_error e = {0};
		assert_int_equal(cove_skr_policy_parse(cases[i].json, strlen(cases[i].json), &p, &e), COVE_ERR_PARSE);
		assert_null(p);
		cove_test_expect_msg(&e, cases[i].msg);
	}
	/* Deep nesting is bounded. */
	{
		char buf[4096];
		size_t o = 0;
		cove_skr_policy *p = NULL;
		cove_error e = {0};
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "{\"version\":\"1.0.0\",\"anyOf\":[{\"authority\":\"x\",\"allOf\":[");
		for (int i = 0; i < 40; i++)
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "{\"anyOf\":[");
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "{\"claim\":\"a\",\"equals\":1}");
		for (int i = 0; i < 40; i++)
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "]}");
		snprintf(buf + o, sizeof(buf) - o, "]}]}");
		assert_int_equal(cove_skr_policy_parse(buf, strlen(buf), &p, &e), COVE_ERR_PARSE);
		cove_test_expect_msg(&e, "nested deeper");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_published_examples),
		cmocka_unit_test(test_evaluation),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
