/*
 * RFC 8785 (JCS) canonical JSON: the RFC's own examples (3.2.3 sorting,
 * Appendix B numbers, 3.2.2.2 strings) and Trustee's runtime-data vector
 * (shared/vectors/coco/kbs/protocol/runtime-data-hash-vector.txt).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cove/bytes.h"
#include "cove/crypto.h"
#include "cove/jcs.h"

static void expect_jcs(const char *json, const char *want)
{
	json_error_t je;
	json_t *v = json_loads(json, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
	char *out = NULL;
	size_t len = 0;
	cove_error e = {0};

	if (!v)
		fail_msg("bad test JSON %s: %s", json, je.text);
	assert_int_equal(cove_jcs_serialize(v, &out, &len, &e), COVE_OK);
	if (strcmp(out, want) != 0)
		fail_msg("JCS(%s) = %s, want %s", json, out, want);
	assert_int_equal(len, strlen(want));
	free(out);
	json_decref(v);
}

static void test_numbers(void **state)
{
	(void)state;
	/* RFC 8785 Appendix B and section 3.2.2.3. */
	expect_jcs("[1e21, 1e20, 1e-7, 0.000001, 4.50, 2e-3, 1E30, 1e-27, -0.0, 0, 333333333.33333329, 9007199254740992]",
		   "[1e+21,100000000000000000000,1e-7,0.000001,4.5,0.002,1e+30,1e-27,0,0,333333333.3333333,9007199254740992]");
	expect_jcs("[5e-324, 1.7976931348623157e308, 0.1, 1.5, -1.25e-9]",
		   "[5e-324,1.7976931348623157e+308,0.1,1.5,-1.25e-9]");
	expect_jcs("[10, -10, 123456789]", "[10,-10,123456789]");
}

static void test_sorting(void **state)
{
	(void)state;
	/* RFC 8785 3.2.3: names sorted by UTF-16 code units. */
	expect_jcs("{\"\\u20ac\":\"Euro Sign\",\"\\r\":\"Carriage Return\",\"\\ufb33\":\"Hebrew Letter Dalet With Dagesh\","
		   "\"1\":\"One\",\"\\ud83d\\ude00\":\"Emoji: Grinning Face\",\"\\u0080\":\"Control\",\"\\u00f6\":\"Latin Small Letter O With Diaeresis\"}",
		   "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\xc2\x80\":\"Control\",\"\xc3\xb6\":\"Latin Small Letter O With Diaeresis\","
		   "\"\xe2\x82\xac\":\"Euro Sign\",\"\xf0\x9f\x98\x80\":\"Emoji: Grinning Face\",\"\xef\xac\xb3\":\"Hebrew Letter Dalet With Dagesh\"}");
	expect_jcs("{\"b\": 1, \"a\": \"test\", \"c\": {\"d\": \"e\"}}", "{\"a\":\"test\",\"b\":1,\"c\":{\"d\":\"e\"}}");
}

static void test_strings(void **state)
{
	(void)state;
	/* Only the short escapes, \u00xx for other controls, everything else literal (3.2.2.2). */
	expect_jcs("[\"\\u0000\\u001f\\b\\f\\n\\r\\t\\\"\\\\/\\u00e9\\u2028\"]",
		   "[\"\\u0000\\u001f\\b\\f\\n\\r\\t\\\"\\\\/\xc3\xa9\xe2\x80\xa8\"]");
	expect_jcs("[null, true, false, [], {}]", "[null,true,false,[],{}]");
}

static void test_trustee_vector(void **state)
{
	json_t *v = json_loads("{\"b\": 1, \"a\": \"test\", \"c\": {\"d\": \"e\"}}", 0, NULL);
	char *out = NULL, hex[2 * 48 + 1];
	size_t len = 0;
	uint8_t md[48];
	cove_error e = {0};

	(void)state;
	assert_int_equal(cove_jcs_serialize(v, &out, &len, &e), COVE_OK);
	assert_int_equal(cove_digest(COVE_SHA384, out, len, md, &e), COVE_OK);
	cove_hex_write(hex, md, sizeof(md));
	assert_string_equal(hex, "e71ce8e70d814ba6639c3612ebee0ff1f76f650f8dbb5e47157e0f3f525cd22c4597480a186427c813ca941da78870c3");
	free(out);
	json_decref(v);
}

static void test_bad_input(void **state)
{
	json_t *s = json_stringn_nocheck("\xff\xfe", 2), *deep = json_array(), *cur = deep;
	char *out = (char *)1;
	cove_error e = {0};

	(void)state;
	assert_int_equal(cove_jcs_serialize(s, &out, NULL, &e), COVE_ERR_PARSE);
	assert_null(out);
	for (int i = 0; i < 100; i++) {
		json_t *n = json_array();
		json_array_append_new(cur, n);
		cur = n;
	}
	assert_int_equal(cove_jcs_serialize(deep, &out, NULL, &e), COVE_ERR_ARG);
	json_decref(s);
	json_decref(deep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers),      cmocka_unit_test(test_sorting),   cmocka_unit_test(test_strings),
		cmocka_unit_test(test_trustee_vector), cmocka_unit_test(test_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
