/*
 * MAA policy language: every policy sample of shared/vectors/coco/maa parses
 * or is refused with its exact line:column message (table below), evaluation
 * semantics (deny/permit, issuance, "!", 1.2 functions, JmesPath subset),
 * malformed input, the policy hash and the JWT envelopes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cove/maa_policy.h"
#include "support/expect.h"
#include "testutil.h"

#define MAA "vectors/coco/maa/"

static cove_maa_policy *parse_ok(const char *text, unsigned flags)
{
	cove_maa_policy *p = NULL;
	cove_error e = {0};
	cove_err rc = cove_maa_policy_parse(text, strlen(text), flags, &p, &e);
	if (rc)
		fail_msg("parse failed: %s\n--- policy ---\n%s", e.msg, text);
	return p;
}

static void parse_bad(const char *text, unsigned flags, const char *msg)
{
	cove_maa_policy *p = NULL;
	cove_error e = {0};
	assert_int_equal(cove_maa_policy_parse(text, strlen(text), flags, &p, &e), COVE_ERR_PARSE);
	assert_null(p);
	cove_test_expect_msg(&e, msg);
}

/* ---- every sample in shared/ ---- */

static const struct {
	const char *file;
	unsigned flags;
	const char *error; /* NULL = must parse */
} samples[] = {
	{MAA "policies/signing-tool-sample.add.custom.claim.txt", 0, NULL},
	{MAA "policies/signing-tool-sample.deny.all.txt", 0, NULL},
	{MAA "policies/signing-tool-sample.permit.secure.boot.txt", 0, NULL},
	/* Template: <product-id> is a placeholder to fill in. */
	{MAA "docs/blocks/policy-examples.block01.txt", 0,
	 "line 5, column 50: expected a value (string, integer, true, false, IDENT.property or a function call), found '<'"},
	{MAA "docs/blocks/policy-examples.block02.txt", 0, NULL},
	{MAA "docs/blocks/policy-examples.block03.txt", 0, NULL},
	{MAA "docs/blocks/policy-version-1-0.block01.txt", 0, NULL},
	{MAA "docs/blocks/policy-version-1-1.block01.txt", 0, NULL},
	/* issue("PlatformAttested", value=true): no type= (doc bug); LENIENT accepts it. */
	{MAA "docs/blocks/policy-version-1-2.block01.txt", 0, "line 23, column 51: expected type=, value= or valueType=, found string \"PlatformAttested\""},
	{MAA "docs/blocks/policy-version-1-2.block01.txt", COVE_MAA_PARSE_LENIENT, NULL},
	/* issuer="AttestationPolicy" with a single '=' (doc quirk). */
	{MAA "docs/blocks/claim-rule-functions.block36.txt", 0,
	 "line 13, column 38: expected a comparison operator (==, !=, <, <=, >, >=), found '=' (use '==')"},
	{MAA "docs/blocks/claim-rule-functions.block36.txt", COVE_MAA_PARSE_LENIENT, NULL},
	/* type="..." and rules without ';' (doc quirks). */
	{MAA "docs/blocks/author-sign-policy.block01.txt", 0,
	 "line 4, column 12: expected a comparison operator (==, !=, <, <=, >, >=), found '=' (use '==')"},
	{MAA "docs/blocks/author-sign-policy.block01.txt", COVE_MAA_PARSE_LENIENT, NULL},
	/* "11” closes with U+201D: the string runs to the end of the line. */
	{MAA "docs/blocks/custom-tcb-baseline-enforcement.block03.txt", 0,
	 "line 5, column 42: unterminated string: no closing '\"' before the end of the line"},
	{MAA "docs/blocks/custom-tcb-baseline-enforcement.block03.txt", COVE_MAA_PARSE_LENIENT,
	 "line 5, column 42: unterminated string"},
	{MAA "docs/blocks/tpm-attestation-concepts.block01.txt", 0, NULL},
	{MAA "docs/blocks/tpm-attestation-concepts.block02.txt", 0, NULL},
	{MAA "docs/blocks/tpm-attestation-concepts.block03.txt", 0, NULL},
	{MAA "docs/blocks/tpm-attestation-concepts.block04.txt", 0, NULL},
	{MAA "docs/blocks/tpm-attestation-sample-policies.block01.txt", 0, NULL},
	{MAA "docs/blocks/tpm-attestation-sample-policies.block02.txt", 0, NULL},
	{MAA "docs/blocks/tpm-attestation-sample-policies.block03.txt", 0, NULL},
	{MAA "docs/blocks/tpm-attestation-sample-policies.block04.txt", 0, NULL},
	{MAA "docs/blocks/tpm-attestation-sample-policies.block05.txt", 0, NULL},
	{MAA "docs/blocks/tpm-attestation-sample-policies.block06.txt", 0, NULL},
	{MAA "docs/blocks/tpm-attestation-sample-policies.block07.txt", 0, NULL},
	{MAA "docs/blocks/tpm-attestation-sample-policies.block08.txt", 0, NULL},
	{MAA "docs/blocks/tpm-attestation-sample-policies.block09.txt", 0, NULL},
	/* issue() inside authorizationrules: the action table allows it only in issuancerules. */
	{MAA "docs/blocks/tpm-attestation-sample-policies.block10.txt", 0,
	 "line 8, column 78: issue() is not allowed in authorizationrules (allowed there: permit, deny, add)"},
};

static void test_samples(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		cove_buf b = {0};
		cove_test_read_shared(samples[i].file, &b);
		cove_maa_policy *p = NULL;
		cove_error e = {0};
		cove_err rc = cove_maa_policy_parse((const char *)b.data, b.len, samples[i].flags, &p, &e);
		if (!samples[i].error) {
			if (rc)
				fail_msg("%s (flags %u): %s", samples[i].file, samples[i].flags, e.msg);
		} else {
			if (rc != COVE_ERR_PARSE)
				fail_msg("%s (flags %u) parsed but must be refused with: %s", samples[i].file, samples[i].flags,
					 samples[i].error);
			cove_test_expect_msg(&e, samples[i].error);
		}
		cove_maa_policy_free(p);
		cove_buf_free(&b);
	}
}

/* ---- evaluation helpers ---- */

static cove_maa_result eval_text(const char *text, unsigned flags, const char *claims_json)
{
	cove_maa_policy *p = parse_ok(text, flags);
	json_error_t je;
	json_t *in = json_loads(claims_json, 0, &je);
	if (!in)
		fail_msg("bad test claims: %s", je.text);
	cove_maa_result r;
	cove_error e = {0};
	if (cove_maa_policy_evaluate(p, in, &r, &e))
		fail_msg("evaluate: %s", e.msg);
	json_decref(in);
	cove_maa_policy_free(p);
	return r;
}

static cove_maa_result eval_file(const char *rel, const char *claims_json)
{
	cove_buf b = {0};
	cove_test_read_shared(rel, &b);
	char *t = strndup((const char *)b.data, b.len);
	cove_buf_free(&b);
	cove_maa_result r = eval_text(t, 0, claims_json);
	free(t);
	return r;
}

static void expect_claims(const cove_maa_result *r, const char *want_json)
{
	json_t *want = json_loads(want_json, 0, NULL);
	assert_non_null(want);
	if (!json_equal(want, r->claims)) {
		char *got = json_dumps(r->claims, JSON_COMPACT | JSON_SORT_KEYS);
		fail_msg("claims: want %s, got %s", want_json, got);
	}
	json_decref(want);
}

static void test_eval_samples(void **state)
{
	(void)state;
	const char *sb_on = "[{\"type\":\"secureBootEnabled\",\"value\":true,\"issuer\":\"AttestationService\"}]";
	const char *sb_off = "[{\"type\":\"secureBootEnabled\",\"value\":false,\"issuer\":\"AttestationService\"}]";
	const char *sb_custom = "[{\"type\":\"secureBootEnabled\",\"value\":true}]"; /* issuer CustomClaim */

	cove_maa_result r = eval_file(MAA "policies/signing-tool-sample.deny.all.txt", sb_on);
	assert_false(r.permitted);
	assert_int_equal(r.rule_line, 5);
	assert_int_equal(json_object_size(r.claims), 0);
	cove_maa_result_clear(&r);

	r = eval_file(MAA "policies/signing-tool-sample.permit.secure.boot.txt", sb_on);
	assert_true(r.permitted);
	assert_int_equal(r.rule_line, 5);
	cove_maa_result_clear(&r);
	r = eval_file(MAA "policies/signing-tool-sample.permit.secure.boot.txt", sb_off);
	assert_false(r.permitted);
	assert_int_equal(r.rule_line, 0);
	cove_maa_result_clear(&r);
	r = eval_file(MAA "policies/signing-tool-sample.permit.secure.boot.txt", sb_custom);
	assert_false(r.permitted);
	cove_maa_result_clear(&r);
	r = eval_file(MAA "policies/signing-tool-sample.permit.secure.boot.txt", "[]");
	assert_false(r.permitted);
	cove_maa_result_clear(&r);

	r = eval_file(MAA "policies/signing-tool-sample.add.custom.claim.txt", sb_on);
	assert_true(r.permitted);
	expect_claims(&r, "{\"SecurityLevelValue\":100}");
	cove_maa_result_clear(&r);
	r = eval_file(MAA "policies/signing-tool-sample.add.custom.claim.txt", sb_off);
	assert_false(r.permitted);
	expect_claims(&r, "{}");
	cove_maa_result_clear(&r);

	/* Default SGX policy: configuration property + issuance of renamed claims. */
	r = eval_file(MAA "docs/blocks/policy-examples.block02.txt",
		      "[{\"type\":\"x-ms-sgx-is-debuggable\",\"value\":false,\"issuer\":\"AttestationService\"},"
		      "{\"type\":\"x-ms-sgx-svn\",\"value\":3},{\"type\":\"x-ms-sgx-mrsigner\",\"value\":\"ab\"}]");
	assert_true(r.permitted);
	expect_claims(&r, "{\"is-debuggable\":false,\"svn\":3,\"sgx-mrsigner\":\"ab\"}");
	assert_string_equal(json_string_value(json_object_get(r.properties, "x-ms-sgx-tcbidentifier")), "azuredefault");
	cove_maa_result_clear(&r);

	/* MRSIGNER rotation: either signer permitted, only debuggable ones (as the sample says). */
	r = eval_file(MAA "docs/blocks/policy-examples.block03.txt",
		      "[{\"type\":\"x-ms-sgx-is-debuggable\",\"value\":true},{\"type\":\"x-ms-sgx-mrsigner\",\"value\":\"mrsigner2\"}]");
	assert_true(r.permitted);
	assert_int_equal(r.rule_line, 6);
	cove_maa_result_clear(&r);
	r = eval_file(MAA "docs/blocks/policy-examples.block03.txt",
		      "[{\"type\":\"x-ms-sgx-is-debuggable\",\"value\":true},{\"type\":\"x-ms-sgx-mrsigner\",\"value\":\"mrsigner3\"}]");
	assert_false(r.permitted);
	cove_maa_result_clear(&r);

	/* TPM 1.1: PlatformAttested true/false by aikValidated. */
	const char *tpm = "[{\"type\":\"aikValidated\",\"value\":%s},{\"type\":\"secureBootEnabled\",\"value\":true},"
			  "{\"type\":\"bootDebuggingDisabled\",\"value\":true},{\"type\":\"notSafeMode\",\"value\":true}]";
	char buf[512];
	snprintf(buf, sizeof(buf), tpm, "true");
	r = eval_file(MAA "docs/blocks/policy-version-1-1.block01.txt", buf);
	expect_claims(&r, "{\"PlatformAttested\":true}");
	cove_maa_result_clear(&r);
	snprintf(buf, sizeof(buf), tpm, "false");
	r = eval_file(MAA "docs/blocks/policy-version-1-1.block01.txt", buf);
	expect_claims(&r, "{\"PlatformAttested\":false}");
	cove_maa_result_clear(&r);
}

/* A small Windows measured-boot log in the shape the published TPM policies query. */
static const char tpm_events[] =
	"{\"Events\":["
	"{\"EventSeq\":0,\"EventTypeString\":\"EV_EVENT_TAG\",\"PcrIndex\":20,\"ProcessedData\":{\"EVENT_DRTM_SMM\":{\"Value\":2}}},"
	"{\"EventSeq\":1,\"EventTypeString\":\"EV_EFI_VARIABLE_DRIVER_CONFIG\",\"PcrIndex\":7,\"ProcessedData\":"
	"{\"VariableGuid\":\"8BE4DF61-93CA-11D2-AA0D-00E098032B8C\",\"UnicodeName\":\"SecureBoot\",\"VariableData\":\"AQ\"}},"
	"{\"EventSeq\":2,\"EventTypeString\":\"EV_EVENT_TAG\",\"PcrIndex\":12,\"ProcessedData\":{\"EVENT_TRUSTBOUNDARY\":"
	"{\"EVENT_BITLOCKER_UNLOCK\":{\"Value\":1},\"EVENT_CODEINTEGRITY\":true,\"EVENT_BOOTDEBUGGING\":false,"
	"\"EVENT_LOADEDMODULE_AGGREGATION\":[{\"EVENT_IMAGEVALIDATED\":true,\"EVENT_FILEPATH\":\"\\\\windows\\\\system32\\\\drivers\\\\wdboot.sys\"}]}}},"
	"{\"EventSeq\":3,\"EventTypeString\":\"EV_EVENT_TAG\",\"PcrIndex\":20,\"ProcessedData\":{\"EVENT_TRUSTBOUNDARY\":"
	"{\"EVENT_DRTM_STATE_AUTH\":{\"SignatureValid\":true}}}}]}";

static json_t *tpm_claims(void)
{
	json_t *obj = json_pack("{s:s, s:s, s:s, s:s, s:b}", "events", tpm_events,
				"pcrs", "{\"PCRs\":[{\"Index\":0,\"Digests\":{\"SHA256\":\"4c833b1c361fceffd8dc0f81eec76081b71e1a0eb2193caed0b6e1c7735ec33e\"}}]}",
				"x-ms-tpm-request-key", "{\"jwk\":{\"kty\":\"RSA\"},\"info\":{\"tpm_certify\":{\"obj_attr\":50,\"name_alg\":11,\"auth_policy\":\"AQIDBA\"},\"tpm_quote\":{\"hash_alg\":\"sha-256\"}}}",
				"x-ms-tpm-other-keys", "[{\"jwk\":{\"kty\":\"RSA\"},\"info\":{\"tpm_certify\":{\"obj_attr\":50,\"name_alg\":11,\"auth_policy\":\"AQIDBA\"}}}]",
				"aikValidated", 1);
	json_t *claims = NULL;
	assert_int_equal(cove_maa_claims_from_object(obj, NULL, &claims, NULL), COVE_OK);
	json_decref(obj);
	return claims;
}

/* Every sample that parses also evaluates (its JmesPath queries are within the supported subset). */
static void test_eval_all_samples(void **state)
{
	(void)state;
	json_t *claims = tpm_claims();
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		if (samples[i].error)
			continue;
		cove_buf b = {0};
		cove_test_read_shared(samples[i].file, &b);
		cove_maa_policy *p = NULL;
		cove_error e = {0};
		assert_int_equal(cove_maa_policy_parse((const char *)b.data, b.len, samples[i].flags, &p, &e), COVE_OK);
		cove_maa_result r;
		if (cove_maa_policy_evaluate(p, claims, &r, &e))
			fail_msg("%s: %s", samples[i].file, e.msg);
		cove_maa_result_clear(&r);
		cove_maa_policy_free(p);
		cove_buf_free(&b);
	}
	json_decref(claims);
}

/* The DRTM/SMM sample builds a JmesPath query with AppendString from an earlier result. */
static void test_drtm_smm(void **state)
{
	(void)state;
	json_t *claims = tpm_claims();
	cove_buf b = {0};
	cove_test_read_shared(MAA "docs/blocks/tpm-attestation-sample-policies.block04.txt", &b);
	cove_maa_policy *p = NULL;
	cove_error e = {0};
	assert_int_equal(cove_maa_policy_parse((const char *)b.data, b.len, 0, &p, &e), COVE_OK);
	cove_maa_result r;
	assert_int_equal(cove_maa_policy_evaluate(p, claims, &r, &e), COVE_OK);
	expect_claims(&r, "{\"drtmMleValid\":true,\"smmLevel\":2}");
	cove_maa_result_clear(&r);
	cove_maa_policy_free(p);
	cove_buf_free(&b);
	cove_test_read_shared(MAA "docs/blocks/tpm-attestation-sample-policies.block10.txt", &b);
	cove_buf_free(&b);
	json_decref(claims);
}

static void test_config(void **state)
{
	(void)state;
	cove_buf b = {0};
	cove_test_read_shared(MAA "docs/blocks/policy-version-1-1.block01.txt", &b);
	cove_maa_policy *p = NULL;
	cove_error e = {0};
	assert_int_equal(cove_maa_policy_parse((const char *)b.data, b.len, 0, &p, &e), COVE_OK);
	assert_int_equal(cove_maa_policy_version(p), 1);
	json_t *cfg = NULL;
	assert_int_equal(cove_maa_policy_config(p, &cfg, &e), COVE_OK);
	assert_true(json_is_false(json_object_get(cfg, "require_valid_aik_cert")));
	assert_int_equal(json_integer_value(json_object_get(cfg, "required_pcr_mask")), 15);
	json_decref(cfg);
	cove_maa_policy_free(p);
	cove_buf_free(&b);
}

static void test_deny_wins(void **state)
{
	(void)state;
	/* The signed sample's rules: deny if debuggable, else permit. */
	const char *pol = "version=1.0;authorizationrules {c:[type==\"$is-debuggable\"] && [value==true] => deny();=> permit();};"
			  "issuancerules { c:[type==\"$is-debuggable\"] => issue(type=\"NotDebuggable\", value=c.value);};";
	cove_maa_result r = eval_text(pol, 0, "[{\"type\":\"$is-debuggable\",\"value\":true}]");
	assert_false(r.permitted);
	assert_int_equal(r.rule_line, 1);
	expect_claims(&r, "{}");
	cove_maa_result_clear(&r);
	r = eval_text(pol, 0, "[{\"type\":\"$is-debuggable\",\"value\":false}]");
	assert_true(r.permitted);
	expect_claims(&r, "{\"NotDebuggable\":false}");
	cove_maa_result_clear(&r);
	/* A deny after a permit still wins. */
	r = eval_text("version=1.0;authorizationrules{=>permit();\n[type==\"x\"]=>deny();};", 0, "[{\"type\":\"x\",\"value\":\"y\"}]");
	assert_false(r.permitted);
	assert_int_equal(r.rule_line, 2);
	cove_maa_result_clear(&r);
}

static void test_conditions(void **state)
{
	(void)state;
	const char *pol = "version=1.2;authorizationrules{=>permit();};issuancerules{\n"
			  "[type==\"n\", value>=10] => issue(type=\"ge10\", value=true);\n"
			  "[type==\"n\", value<10] => issue(type=\"lt10\", value=true);\n"
			  "[type==\"n\", value!=5] => issue(type=\"ne5\", value=true);\n"
			  "[type==\"s\", issuer!=\"AttestationService\"] => issue(type=\"custom_s\", value=true);\n"
			  "[type==\"s\", valueType==\"String\"] => issue(type=\"s_is_string\", value=true);\n"
			  "![type==\"missing\"] => issue(type=\"absent\", value=true);\n"
			  "![type==\"n\"] => issue(type=\"n_absent\", value=true);\n"
			  "F1:[type==\"OSName\", issuer==\"CustomClaim\"] && C2:[type==\"OSName\", issuer==\"AttestationService\", value==F1.value]"
			  " => issue(claim=C2);\n"
			  "c:[type==\"m\"] => issue(type=\"all_m\", value=c.value);\n"
			  "=> add(type=\"added\", value=\"x\");\n"
			  "[type==\"added\", issuer==\"AttestationPolicy\"] => issue(type=\"saw_added\", value=true);\n"
			  "=> issueproperty(type=\"report_validity_in_minutes\", value=1440);\n"
			  "};";
	cove_maa_result r = eval_text(pol, 0,
				      "[{\"type\":\"n\",\"value\":12},{\"type\":\"s\",\"value\":\"v\"},"
				      "{\"type\":\"OSName\",\"value\":\"Linux\"},"
				      "{\"type\":\"OSName\",\"value\":\"Linux\",\"issuer\":\"AttestationService\"},"
				      "{\"type\":\"m\",\"value\":1},{\"type\":\"m\",\"value\":\"two\"}]");
	assert_true(r.permitted);
	expect_claims(&r, "{\"ge10\":true,\"ne5\":true,\"custom_s\":true,\"s_is_string\":true,\"absent\":true,"
			  "\"OSName\":\"Linux\",\"all_m\":[1,\"two\"],\"saw_added\":true}");
	assert_int_equal(json_integer_value(json_object_get(r.properties, "report_validity_in_minutes")), 1440);
	cove_maa_result_clear(&r);
}

static const char *wrap12(const char *rules, char *buf, size_t n)
{
	snprintf(buf, n, "version=1.2;authorizationrules{=>permit();};issuancerules{\n%s\n};", rules);
	return buf;
}

static void test_functions(void **state)
{
	(void)state;
	char pol[4096];
	/* claim-rule-functions.md examples */
	cove_maa_result r = eval_text(wrap12("=>issue(type=\"JmesPathResult\", value=JmesPath(\"{\\\"foo\\\": \\\"bar\\\"}\", \"foo\"));", pol, sizeof(pol)),
				      0, "[]");
	expect_claims(&r, "{\"JmesPathResult\":\"\\\"bar\\\"\"}");
	cove_maa_result_clear(&r);
	r = eval_text(wrap12("c1:[type==\"JsonData\"] && c2:[type==\"JmesPathQuery\"] => issue(type=\"R\", value=JmesPath(c1.value, c2.value));",
			     pol, sizeof(pol)),
		      0, "[{\"type\":\"JsonData\",\"value\":\"{\\\"values\\\": [0,1,2,3,4]}\"},{\"type\":\"JmesPathQuery\",\"value\":\"values[2]\"}]");
	expect_claims(&r, "{\"R\":\"2\"}");
	cove_maa_result_clear(&r);
	r = eval_text(wrap12("c:[type==\"I\"] => issue(type=\"IntegerResult\", value=JsonToClaimValue(c.value));\n"
			     "c:[type==\"B\"] => issue(type=\"BooleanResult\", value=JsonToClaimValue(c.value));\n"
			     "c:[type==\"A\"] => issue(type=\"Result\", value=JsonToClaimValue(c.value));\n"
			     "c:[type==\"N\"] => issue(type=\"NullResult\", value=JsonToClaimValue(c.value));",
			     pol, sizeof(pol)),
		      0, "[{\"type\":\"I\",\"value\":\"100\"},{\"type\":\"B\",\"value\":\"true\"},"
			 "{\"type\":\"A\",\"value\":\"[0, \\\"abc\\\", true]\"},{\"type\":\"N\",\"value\":\"null\"}]");
	expect_claims(&r, "{\"IntegerResult\":100,\"BooleanResult\":true,\"Result\":[0,\"abc\",true]}");
	cove_maa_result_clear(&r);
	r = eval_text(wrap12("c1:[type == \"Subset\"] && c2:[type==\"Superset\"] => issue(type=\"IsSubset\", value=IsSubsetOf(c1.value, c2.value));\n"
			     "c:[type==\"Superset\"] => issue(type=\"Only100\", value=ContainsOnlyValue(c.value, 100));\n"
			     "c:[type==\"Subset\"] => issue(type=\"Rev\", value=IsSubsetOf(c.value, \"abc\"));\n"
			     "c:[type==\"S1\"] && c2:[type==\"S2\"] => issue(type=\"Cat\", value=AppendString(c.value, c2.value));\n"
			     "c:[type==\"In\"] => issue(type=\"Neg\", value=NegateBool(c.value));\n"
			     "c:[type==\"Hundreds\"] => issue(type=\"OnlyH\", value=ContainsOnlyValue(c.value, 100));",
			     pol, sizeof(pol)),
		      0, "[{\"type\":\"Subset\",\"value\":\"abc\"},{\"type\":\"Subset\",\"value\":100},{\"type\":\"Superset\",\"value\":true},"
			 "{\"type\":\"Superset\",\"value\":\"abc\"},{\"type\":\"Superset\",\"value\":100},"
			 "{\"type\":\"S1\",\"value\":\"abc\"},{\"type\":\"S2\",\"value\":\"xyz\"},{\"type\":\"In\",\"value\":true},"
			 "{\"type\":\"Hundreds\",\"value\":100},{\"type\":\"Hundreds\",\"value\":100}]");
	expect_claims(&r, "{\"IsSubset\":true,\"Only100\":false,\"Rev\":false,\"Cat\":\"abcxyz\",\"Neg\":false,\"OnlyH\":true}");
	cove_maa_result_clear(&r);
}

/* The 1.2 secure-boot sample over a small TCG event log. */
static void test_secure_boot_12(void **state)
{
	(void)state;
	const char *ev_on =
		"{\"Events\":[{\"EventTypeString\":\"EV_EFI_VARIABLE_DRIVER_CONFIG\",\"PcrIndex\":7,\"ProcessedData\":"
		"{\"VariableGuid\":\"8BE4DF61-93CA-11D2-AA0D-00E098032B8C\",\"UnicodeName\":\"SecureBoot\",\"VariableData\":\"AQ\"}},"
		"{\"EventTypeString\":\"EV_EFI_VARIABLE_DRIVER_CONFIG\",\"PcrIndex\":7,\"ProcessedData\":"
		"{\"VariableGuid\":\"8BE4DF61-93CA-11D2-AA0D-00E098032B8C\",\"UnicodeName\":\"PK\",\"VariableData\":\"xx\"}}]}";
	json_t *obj = json_pack("{s:o}", "events", json_loads(ev_on, 0, NULL));
	json_t *claims = NULL;
	cove_error e = {0};
	assert_int_equal(cove_maa_claims_from_object(obj, NULL, &claims, &e), COVE_OK);
	char *cj = json_dumps(claims, JSON_COMPACT);
	cove_buf b = {0};
	cove_test_read_shared(MAA "docs/blocks/tpm-attestation-concepts.block02.txt", &b);
	char *t = strndup((const char *)b.data, b.len);
	cove_maa_result r = eval_text(t, 0, cj);
	/*
	 * No HVCI events: hvciEnabled falls back to false through "!".  The published
	 * query ends in "| @ != null", where bare null is the field named "null"
	 * (JMESPath literals need backquotes), so it compares [] with null: true.
	 */
	expect_claims(&r, "{\"MaliciousDriverLoaded\":true,\"hvciEnabled\":false}");
	cove_maa_result_clear(&r);
	free(t);
	cove_buf_free(&b);

	/* policy-version-1-2 (lenient: issue("PlatformAttested", ...)); secureBootEnabled from the log. */
	cove_test_read_shared(MAA "docs/blocks/policy-version-1-2.block01.txt", &b);
	t = strndup((const char *)b.data, b.len);
	cove_maa_policy *p = parse_ok(t, COVE_MAA_PARSE_LENIENT);
	/* ELAM: boolProperties says wdboot.sys was loaded and validated. */
	json_t *in = json_loads(cj, 0, NULL);
	json_array_append_new(in, json_pack("{s:s, s:s, s:s}", "type", "boolProperties", "issuer", "AttestationPolicy", "value",
					    "[{\"EVENT_LOADEDMODULE_AGGREGATION\":[{\"EVENT_IMAGEVALIDATED\":true,"
					    "\"EVENT_FILEPATH\":\"\\\\Windows\\\\System32\\\\drivers\\\\wd\\\\WdBoot.sys\"}]}]"));
	assert_int_equal(cove_maa_policy_evaluate(p, in, &r, &e), COVE_OK);
	expect_claims(&r, "{\"PlatformAttested\":true}");
	cove_maa_result_clear(&r);
	json_decref(in);

	/* Without the SecureBoot variable: secureBootEnabled false by '!', nothing attested. */
	json_t *obj2 = json_pack("{s:s}", "events", "{\"Events\":[]}");
	json_t *claims2 = NULL;
	assert_int_equal(cove_maa_claims_from_object(obj2, NULL, &claims2, &e), COVE_OK);
	assert_int_equal(cove_maa_policy_evaluate(p, claims2, &r, &e), COVE_OK);
	expect_claims(&r, "{}");
	cove_maa_result_clear(&r);
	json_decref(claims2);
	json_decref(obj2);
	cove_maa_policy_free(p);
	free(t);
	cove_buf_free(&b);
	free(cj);
	json_decref(claims);
	json_decref(obj);
}

static void test_runtime_errors(void **state)
{
	(void)state;
	char pol[2048];
	cove_maa_policy *p = parse_ok(wrap12("c:[type==\"J\"] => issue(type=\"R\", value=JsonToClaimValue(c.value));", pol, sizeof(pol)), 0);
	json_t *in = json_loads("[{\"type\":\"J\",\"value\":\"{\\\"a\\\":1}\"}]", 0, NULL);
	cove_maa_result r;
	cove_error e = {0};
	assert_int_equal(cove_maa_policy_evaluate(p, in, &r, &e), COVE_ERR_POLICY);
	cove_test_expect_msg(&e, "line 2, column 40: JsonToClaimValue: JSON objects are not supported");
	json_decref(in);
	cove_maa_policy_free(p);

	p = parse_ok(wrap12("c:[type==\"J\"] => issue(type=\"R\", value=JmesPath(c.value, \"a[1:2]\"));", pol, sizeof(pol)), 0);
	in = json_loads("[{\"type\":\"J\",\"value\":\"{\\\"a\\\":[1,2]}\"}]", 0, NULL);
	assert_int_equal(cove_maa_policy_evaluate(p, in, &r, &e), COVE_ERR_POLICY);
	cove_test_expect_msg(&e, "line 2, column 40: JmesPath: query column 4: slices [start:stop] are not supported");
	json_decref(in);
	cove_maa_policy_free(p);

	/* Malformed incoming claims. */
	p = parse_ok("version=1.0;authorizationrules{=>permit();};", 0);
	in = json_loads("[{\"type\":\"x\",\"value\":1.5}]", 0, NULL);
	assert_int_equal(cove_maa_policy_evaluate(p, in, &r, &e), COVE_ERR_ARG);
	cove_test_expect_msg(&e, "claim 0 needs a string \"type\"");
	json_decref(in);
	in = json_loads("[{\"type\":\"x\",\"value\":1,\"valueType\":\"String\"}]", 0, NULL);
	assert_int_equal(cove_maa_policy_evaluate(p, in, &r, &e), COVE_ERR_ARG);
	cove_test_expect_msg(&e, "valueType does not match");
	json_decref(in);
	cove_maa_policy_free(p);
}

static void test_jmespath(void **state)
{
	(void)state;
	static const struct {
		const char *query, *want;
	} q[] = {
		{"a.b", "1"},
		{"list[-1]", "3"},
		{"list[*]", "[1,2,3]"},
		{"objs[?k == 'x'].v", "[10]"},
		{"objs[?v > `10`] | length(@)", "1"},
		{"objs[*].v", "[10,20]"},
		{"nested[]", "[1,2,3]"},
		{"nested[].x", "[]"},
		{"{first: list[0], n: a.b}", "{\"first\":1,\"n\":1}"},
		{"[a.b, list[1]]", "[1,2]"},
		{"objs | length(@) == `2` && @[1] | @.{V:v}", "{\"V\":20}"},
		{"!missing", "true"},
		{"missing || a.b", "1"},
		{"*.b", "[1]"},
		{"equals_ignore_case(name, 'ABC')", "true"},
		{"contains(list, `2`)", "true"},
		{"\"a\".b", "1"},
	};
	const char *doc = "{\"a\":{\"b\":1},\"list\":[1,2,3],\"objs\":[{\"k\":\"x\",\"v\":10},{\"k\":\"y\",\"v\":20}],"
			  "\"nested\":[[1,2],3],\"name\":\"abc\"}";
	json_t *d = json_loads(doc, 0, NULL);
	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		char pol[1024];
		char rule[900];
		snprintf(rule, sizeof(rule), "c:[type==\"d\"] => issue(type=\"r\", value=JmesPath(c.value, \"%s\"));", q[i].query);
		char *escaped = NULL;
		/* the query goes into a policy string: escape '"' */
		size_t n = 0;
		escaped = malloc(strlen(rule) * 2 + 1);
		for (const char *s = rule; *s; s++) {
			const char *qs = strstr(rule, "JmesPath(c.value, \"") + strlen("JmesPath(c.value, \"");
			const char *qe = qs + strlen(q[i].query);
			if (s >= qs && s < qe && (*s == '"' || *s == '\\'))
				escaped[n++] = '\\';
			escaped[n++] = *s;
		}
		escaped[n] = '\0';
		json_t *in = json_pack("[{s:s, s:s}]", "type", "d", "value", doc);
		char *ij = json_dumps(in, JSON_COMPACT);
		cove_maa_result r = eval_text(wrap12(escaped, pol, sizeof(pol)), 0, ij);
		const char *got = json_string_value(json_object_get(r.claims, "r"));
		if (!got || strcmp(got, q[i].want))
			fail_msg("JmesPath %s: want %s, got %s", q[i].query, q[i].want, got ? got : "(none)");
		cove_maa_result_clear(&r);
		free(ij);
		json_decref(in);
		free(escaped);
	}
	json_decref(d);
}

/* ---- malformed policies: exact positions ---- */

static void test_malformed(void **state)
{
	(void)state;
	parse_bad("version=1.0;\nauthorizationrules {\n  => add(type=\"x, value=1);\n};", 0,
		  "line 3, column 15: unterminated string: no closing '\"' before the end of the line");
	parse_bad("version=1.0;\nauthorizationrules {\n  => permit()\n};", 0, "line 4, column 1: expected ';' after the rule, found '}'");
	parse_bad("version=1.0;\nauthorizationrules {\n  => allow();\n};", 0,
		  "line 3, column 6: expected an action (permit, deny, add, issue or issueproperty), found 'allow'");
	parse_bad("version=1.0;authorizationrules{=>permit();};issuancerules{=>permit();};", 0,
		  "line 1, column 61: permit() is not allowed in issuancerules");
	parse_bad("version=1.0;authorizationrules{![type==\"x\"]=>permit();};", 0,
		  "line 1, column 32: the '!' (absence) operator needs policy version 1.2 (this policy is 1.0)");
	parse_bad("version=1.1;authorizationrules{=>add(type=\"x\", value=NegateBool(true));};", 0,
		  "line 1, column 54: function NegateBool needs policy version 1.2 (this policy is 1.1)");
	parse_bad("version=1.0;configurationrules{};authorizationrules{};", 0,
		  "line 1, column 13: configurationrules needs policy version 1.1 or later (this policy is 1.0)");
	parse_bad("version=2.0;", 0, "line 1, column 9: unsupported policy version 2.0 (supported: 1.0, 1.1, 1.2)");
	parse_bad("", 0, "line 1, column 1: expected 'version' at the start of the policy, found end of input");
	parse_bad("version=1.0;authorizationrules{=>permit();}", 0, "line 1, column 44: expected ';' after the section's '}', found end of input");
	parse_bad("version=1.0;authorizationrules{[type==\"x\", value<\"a\"]=>permit();};", 0,
		  "line 1, column 49: ordering operators apply only to integer values");
	parse_bad("version=1.2;authorizationrules{=>add(type=\"x\", value=JmesPath(\"a\"));};", 0,
		  "line 1, column 54: JmesPath takes 2 arguments, found 1");
	parse_bad("version=1.2;authorizationrules{=>add(type=\"x\", value=c.value);};", 0,
		  "line 1, column 54: unknown claim identifier 'c'");
	parse_bad("version=1.2;authorizationrules{=>add(type=\"x\", value=NegateBol(true));};", 0,
		  "line 1, column 54: unknown function 'NegateBol'");
	parse_bad("version=1.0;authorizationrules{=>permit();}; junk", 0,
		  "line 1, column 46: expected 'issuancerules' or the end of the policy, found 'junk'");
	parse_bad("version=1.0;authorizationrules{ /* open", 0, "line 1, column 33: unterminated comment");
	parse_bad("version=1.0;authorizationrules{=>add(type=\"a\\qb\", value=1);};", 0, "line 1, column 45: unknown escape '\\q'");
	parse_bad("version=1.0;authorizationrules{=>permit();};issuancerules{=>issue(type=\"t\");};", 0,
		  "line 1, column 61: the claim of this action has no value=");
	parse_bad("version=1.0;Authorizationrules{=>permit();};", 0,
		  "line 1, column 13: expected 'authorizationrules', found 'Authorizationrules'");
	cove_maa_policy_free(parse_ok("version=1.0;Authorizationrules{=>permit();};", COVE_MAA_PARSE_LENIENT));

	/* Deep nesting of function calls is bounded. */
	size_t depth = 200;
	size_t cap = depth * 12 + 128;
	char *deep = malloc(cap);
	size_t n = (size_t)snprintf(deep, cap, "version=1.2;authorizationrules{=>add(type=\"x\", value=");
	for (size_t i = 0; i < depth; i++)
		n += (size_t)snprintf(deep + n, cap - n, "NegateBool(");
	n += (size_t)snprintf(deep + n, cap - n, "true");
	for (size_t i = 0; i < depth; i++)
		deep[n++] = ')';
	snprintf(deep + n, cap - n, ");};");
	/* depth 33 starts at column 54 + 33 * 11 */
	char want[128];
	snprintf(want, sizeof(want), "line 1, column %d: expressions nested deeper than 32 levels", 54 + 33 * 11);
	parse_bad(deep, 0, want);
	free(deep);

	/* Comments are skipped; positions after them stay right. */
	cove_maa_policy *p = parse_ok("// head\nversion=1.0; /* c */ authorizationrules{\n// x\n=>permit(); };", 0);
	cove_maa_policy_free(p);
}

/* ---- hash and JWT ---- */

static void test_hash(void **state)
{
	(void)state;
	char h[44];
	cove_error e = {0};
	/* Independently: printf 'version=1.0;' | base64url -> dmVyc2lvbj0xLjA7, sha256, base64url. */
	assert_int_equal(cove_maa_policy_hash("version=1.0;", 12, h, &e), COVE_OK);
	assert_int_equal(strlen(h), 43);
	uint8_t d[32];
	assert_int_equal(cove_digest(COVE_SHA256, "dmVyc2lvbj0xLjA7", 16, d, &e), COVE_OK);
	char *want = cove_base64url_new(d, 32);
	assert_string_equal(h, want);
	free(want);
	char h2[44];
	assert_int_equal(cove_maa_policy_hash("version=1.1;", 12, h2, &e), COVE_OK);
	assert_string_not_equal(h, h2);
}

static void test_jwt(void **state)
{
	(void)state;
	cove_buf b = {0};
	cove_error e = {0};
	char *text = NULL;
	size_t tl = 0;
	cove_maa_policy_jwt_info info;
	cove_maa_policy_jwt_opts o = {.allow_unsigned = true, .now = 1622505600 /* 2021-06-01 */};

	cove_test_read_shared(MAA "docs/blocks/policy-examples.block04.txt", &b);
	assert_int_equal(cove_maa_policy_from_jwt((const char *)b.data, b.len, &o, &text, &tl, &info, &e), COVE_OK);
	assert_false(info.is_signed);
	assert_null(info.signer);
	assert_true(strncmp(text, "version= 1.0;authorizationrules{c:[type==\"$is-debuggable\"]", 58) == 0);
	cove_maa_policy *p = parse_ok(text, 0);
	cove_maa_policy_free(p);
	free(text);
	o.allow_unsigned = false;
	assert_int_equal(cove_maa_policy_from_jwt((const char *)b.data, b.len, &o, &text, &tl, &info, &e), COVE_ERR_VERIFY);
	cove_test_expect_msg(&e, "unsigned policies (alg none) are not accepted");
	cove_buf_free(&b);

	cove_test_read_shared(MAA "docs/blocks/policy-examples.block05.txt", &b);
	assert_int_equal(cove_maa_policy_from_jwt((const char *)b.data, b.len, &o, &text, &tl, &info, &e), COVE_OK);
	assert_true(info.is_signed);
	assert_false(info.trusted);
	char cn[128];
	cove_x509_subject_cn(info.signer, cn, sizeof(cn));
	assert_string_equal(cn, "AttestationCertificate0");
	cove_x509_free(info.signer);
	p = parse_ok(text, 0);
	cove_maa_result r;
	json_t *in = json_loads("[{\"type\":\"$is-debuggable\",\"value\":true}]", 0, NULL);
	assert_int_equal(cove_maa_policy_evaluate(p, in, &r, &e), COVE_OK);
	assert_false(r.permitted);
	cove_maa_result_clear(&r);
	json_decref(in);
	cove_maa_policy_free(p);
	free(text);

	/* Trusted signer: the sample's own certificate. */
	cove_x509_list trusted = {0};
	{
		cove_maa_policy_jwt_info i2;
		assert_int_equal(cove_maa_policy_from_jwt((const char *)b.data, b.len, &o, &text, &tl, &i2, &e), COVE_OK);
		free(text);
		assert_int_equal(cove_x509_list_add(&trusted, i2.signer, &e), COVE_OK);
		cove_x509_free(i2.signer);
	}
	o.trusted = &trusted;
	assert_int_equal(cove_maa_policy_from_jwt((const char *)b.data, b.len, &o, &text, &tl, &info, &e), COVE_OK);
	assert_true(info.trusted);
	cove_x509_free(info.signer);
	free(text);
	cove_x509_list_free(&trusted);
	/* Someone else's certificate is not a trusted signer. */
	cove_buf other = {0};
	cove_test_read_shared(MAA "docs/blocks/policy-signer-examples.block01.txt", &other);
	assert_int_equal(cove_x509_list_parse(&trusted, other.data, other.len, &e), COVE_OK);
	assert_int_equal(cove_maa_policy_from_jwt((const char *)b.data, b.len, &o, &text, &tl, &info, &e), COVE_ERR_VERIFY);
	cove_test_expect_msg(&e, "does not reach a trusted policy signer");
	cove_x509_list_free(&trusted);
	cove_buf_free(&other);
	o.trusted = NULL;

	/* Outside the certificate's validity. */
	o.now = 1700000000;
	assert_int_equal(cove_maa_policy_from_jwt((const char *)b.data, b.len, &o, &text, &tl, &info, &e), COVE_ERR_VERIFY);
	cove_test_expect_msg(&e, "x5c[0] is not valid at the verification time");
	o.now = 1622505600;

	/* One changed payload character (the JSON stays valid) breaks the signature; so does one in the signature. */
	char *t = strndup((const char *)b.data, b.len);
	char *dot = strchr(t, '.');
	dot[100] = dot[100] == 'A' ? 'B' : 'A';
	assert_int_equal(cove_maa_policy_from_jwt(t, strlen(t), &o, &text, &tl, &info, &e), COVE_ERR_VERIFY);
	cove_test_expect_msg(&e, "RS256 signature does not verify");
	assert_null(text);
	dot[100] = (char)b.data[dot + 100 - t];
	char *sig = strrchr(t, '.');
	sig[5] = sig[5] == 'A' ? 'B' : 'A';
	assert_int_equal(cove_maa_policy_from_jwt(t, strlen(t), &o, &text, &tl, &info, &e), COVE_ERR_VERIFY);
	cove_test_expect_msg(&e, "RS256 signature does not verify");
	free(t);
	cove_buf_free(&b);

	assert_int_equal(cove_maa_policy_from_jwt("abc.def", 7, &o, &text, &tl, &info, &e), COVE_ERR_PARSE);
	cove_test_expect_msg(&e, "expected three dot-separated parts");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samples),       cmocka_unit_test(test_eval_samples), cmocka_unit_test(test_config),
		cmocka_unit_test(test_eval_all_samples), cmocka_unit_test(test_drtm_smm),
		cmocka_unit_test(test_deny_wins),     cmocka_unit_test(test_conditions),   cmocka_unit_test(test_functions),
		cmocka_unit_test(test_secure_boot_12), cmocka_unit_test(test_runtime_errors), cmocka_unit_test(test_jmespath),
		cmocka_unit_test(test_malformed),     cmocka_unit_test(test_hash),         cmocka_unit_test(test_jwt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
