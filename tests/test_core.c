/*
 * Core utilities: errors, byte cursors, hex and base64 (RFC 4648 test
 * vectors), times, ECDSA from raw integers, results.
 */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "cove/bytes.h"
#include "cove/crypto.h"
#include "cove/result.h"
#include "testutil.h"

static void test_errors(void **state)
{
	(void)state;
	cove_error e = {0};
	assert_int_equal(cove_error_set(&e, COVE_ERR_PARSE, "field %s at %d", "x", 7), COVE_ERR_PARSE);
	assert_string_equal(e.msg, "field x at 7");
	assert_int_equal(cove_error_wrap(&e, COVE_ERR_VERIFY, "outer"), COVE_ERR_VERIFY);
	assert_string_equal(e.msg, "outer: field x at 7");
	assert_int_equal(e.code, COVE_ERR_VERIFY);
	assert_int_equal(cove_error_set(NULL, COVE_ERR_IO, "ignored"), COVE_ERR_IO);
	char longtext[2000];
	memset(longtext, 'a', sizeof(longtext) - 1);
	longtext[sizeof(longtext) - 1] = '\0';
	cove_error_set(&e, COVE_ERR_ARG, "%s", longtext);
	cove_error_wrap(&e, COVE_ERR_ARG, "%s", longtext);
	assert_int_equal(strlen(e.msg), COVE_ERROR_MSG_MAX - 1);
	cove_error_clear(&e);
	assert_int_equal(e.code, COVE_OK);
	assert_string_equal(cove_err_name(COVE_ERR_UNAVAILABLE), "unavailable");
}

static void test_cursor(void **state)
{
	(void)state;
	static const uint8_t b[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
	cove_cursor c;
	cove_cursor_init(&c, b, sizeof(b));
	assert_int_equal(cove_cursor_u8(&c), 1);
	assert_int_equal(cove_cursor_le16(&c), 0x0302);
	assert_int_equal(cove_cursor_le32(&c), 0x07060504);
	assert_int_equal(cove_cursor_le64(&c), 0x0f0e0d0c0b0a0908ull);
	assert_int_equal(cove_cursor_remaining(&c), 0);
	assert_false(c.err);
	assert_int_equal(cove_cursor_u8(&c), 0);
	assert_true(c.err);
	/* Once failed, stays failed even for reads that would fit. */
	cove_cursor_init(&c, b, 3);
	assert_null(cove_cursor_take(&c, 4));
	assert_null(cove_cursor_take(&c, 1));
	cove_cursor_init(&c, b, sizeof(b));
	assert_null(cove_cursor_take(&c, SIZE_MAX));
	uint8_t out[8];
	cove_put_le64(out, 0x1122334455667788ull);
	assert_int_equal(out[0], 0x88);
	assert_int_equal(cove_le64(out), 0x1122334455667788ull);
	assert_true(cove_is_zero(out, 0));
	assert_false(cove_is_zero(out, 1));
	assert_true(cove_equal_ct(b, b, sizeof(b)));
	assert_false(cove_equal_ct(b, out, 1));
}

static void test_hex(void **state)
{
	(void)state;
	cove_buf b = {0};
	cove_error e = {0};
	assert_int_equal(cove_hex_decode(" 0x00ffAb\n", 10, &b, &e), COVE_OK);
	assert_int_equal(b.len, 3);
	assert_int_equal(b.data[2], 0xAB);
	char *h = cove_hex_new(b.data, b.len);
	assert_string_equal(h, "00ffab");
	free(h);
	assert_int_equal(cove_hex_decode("abc", 3, &b, &e), COVE_ERR_PARSE);
	assert_non_null(strstr(e.msg, "odd"));
	assert_int_equal(cove_hex_decode("zz", 2, &b, &e), COVE_ERR_PARSE);
	assert_non_null(strstr(e.msg, "position 0"));
	uint8_t fixed[2];
	assert_int_equal(cove_hex_decode_fixed("0102", fixed, 2, &e), COVE_OK);
	assert_int_equal(cove_hex_decode_fixed("010203", fixed, 2, &e), COVE_ERR_PARSE);
	assert_non_null(strstr(e.msg, "expected 2 bytes"));
	cove_buf_free(&b);
}

/* RFC 4648 section 10 test vectors. */
static void test_base64(void **state)
{
	(void)state;
	static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *const b64[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	static const char *const b64url[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
	for (size_t i = 0; i < 7; i++) {
		cove_buf b = {0};
		char *s = cove_base64_new(plain[i], strlen(plain[i]));
		assert_string_equal(s, b64[i]);
		free(s);
		s = cove_base64url_new(plain[i], strlen(plain[i]));
		assert_string_equal(s, b64url[i]);
		free(s);
		assert_int_equal(cove_base64_decode(b64[i], strlen(b64[i]), &b, NULL), COVE_OK);
		assert_int_equal(b.len, strlen(plain[i]));
		assert_memory_equal(b.data, plain[i], b.len);
		assert_int_equal(cove_base64url_decode(b64url[i], strlen(b64url[i]), &b, NULL), COVE_OK);
		assert_int_equal(b.len, strlen(plain[i]));
		assert_memory_equal(b.data, plain[i], b.len);
		cove_buf_free(&b);
	}
	static const uint8_t bin[] = {0xfb, 0xff, 0xfe};
	char *s = cove_base64url_new(bin, 3);
	assert_string_equal(s, "-__-");
	free(s);
	cove_buf b = {0};
	cove_error e = {0};
	assert_int_equal(cove_base64url_decode("-__-", 4, &b, NULL), COVE_OK);
	assert_memory_equal(b.data, bin, 3);
	assert_int_equal(cove_base64_decode("-__-", 4, &b, &e), COVE_ERR_PARSE);
	assert_int_equal(cove_base64url_decode("+//+", 4, &b, &e), COVE_ERR_PARSE);
	assert_int_equal(cove_base64_decode("Zm9v!", 5, &b, &e), COVE_ERR_PARSE);
	assert_int_equal(cove_base64_decode("Z", 1, &b, &e), COVE_ERR_PARSE);
	cove_buf_free(&b);
}

/* The strict decoder of evidence fields: every RFC 4648 vector in both alphabets, and each way to be refused. */
static void test_base64_strict(void **state)
{
	(void)state;
	static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *const b64[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	static const char *const b64url[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
	cove_buf b = {0};
	cove_error e = {0};
	for (size_t i = 0; i < 7; i++) {
		assert_int_equal(cove_base64_decode_strict(b64[i], strlen(b64[i]), &b, NULL), COVE_OK);
		assert_int_equal(b.len, strlen(plain[i]));
		assert_memory_equal(b.data, plain[i], b.len);
		assert_int_equal(cove_base64_decode_strict(b64url[i], strlen(b64url[i]), &b, NULL), COVE_OK);
		assert_int_equal(b.len, strlen(plain[i]));
		assert_memory_equal(b.data, plain[i], b.len);
	}
	static const uint8_t bin[] = {0xfb, 0xff, 0xfe};
	assert_int_equal(cove_base64_decode_strict("-__-", 4, &b, NULL), COVE_OK);
	assert_memory_equal(b.data, bin, 3);
	assert_int_equal(cove_base64_decode_strict("+//+", 4, &b, NULL), COVE_OK);
	assert_memory_equal(b.data, bin, 3);
	static const struct {
		const char *text, *why;
	} bad[] = {
		{"-_/+", "mixes the base64url"},
		{"Zm=9v", "padding '=' inside the text at position 2"},
		{"Zm9v YmFy", "invalid base64url character 0x20 at position 4"},
		{"Zm9v\nYmFy", "invalid base64url character 0x0a at position 4"},
		{"Zm9v!", "invalid base64url character '!' at position 4"},
		{"Zm9vY", "impossible base64url length (5 characters)"},
		{"Zg=", "wrong base64 padding (1 '=' after 2 characters)"},
		{"Zm9v====", "wrong base64 padding (4 '=' after 4 characters)"},
		{"Zh==", "non-zero unused bits in the last base64url character 'h'"},
		{"Zm9=", "non-zero unused bits in the last base64url character '9'"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&e, 0, sizeof(e));
		b.len = 12345;
		assert_int_equal(cove_base64_decode_strict(bad[i].text, strlen(bad[i].text), &b, &e), COVE_ERR_PARSE);
		if (!strstr(e.msg, bad[i].why))
			fail_msg("\"%s\": \"%s\", expected \"%s\"", bad[i].text, e.msg, bad[i].why);
		assert_int_equal(b.len, 12345); /* nothing written */
	}
	/* A byte above 0x7f (part of a UTF-8 sequence) is refused by value, not read as an index out of the table. */
	assert_int_equal(cove_base64_decode_strict("Zm9\xc3\xa9", 5, &b, &e), COVE_ERR_PARSE);
	assert_non_null(strstr(e.msg, "0xc3 at position 3"));
	b.len = 0;
	cove_buf_free(&b);
}

static void test_time(void **state)
{
	(void)state;
	int64_t t;
	char out[32];
	assert_int_equal(cove_time_parse("2025-07-01T00:00:00Z", &t, NULL), COVE_OK);
	assert_int_equal(t, COVE_TEST_SNP_TIME);
	assert_int_equal(cove_time_parse("2025-07-01T02:00:00+02:00", &t, NULL), COVE_OK);
	assert_int_equal(t, COVE_TEST_SNP_TIME);
	assert_int_equal(cove_time_parse("2025-06-30T19:30:00.123-04:30", &t, NULL), COVE_OK);
	assert_int_equal(t, COVE_TEST_SNP_TIME);
	assert_int_equal(cove_time_parse("1970-01-01T00:00:00Z", &t, NULL), COVE_OK);
	assert_int_equal(t, 0);
	assert_int_equal(cove_time_parse("2024-02-29T12:00:00Z", &t, NULL), COVE_OK);
	cove_time_format(t, out);
	assert_string_equal(out, "2024-02-29T12:00:00Z");
	static const char *const bad[] = {"2025-07-01", "2025-07-01T00:00:00", "2025-13-01T00:00:00Z",
					  "2025-07-01T25:00:00Z", "yesterday", "2025-07-01T00:00:00Zjunk", ""};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(cove_time_parse(bad[i], &t, NULL), COVE_ERR_PARSE);
}

static void test_ecdsa_raw(void **state)
{
	(void)state;
	EVP_PKEY *k = EVP_EC_gen("P-384");
	static const char msg[] = "cove";
	uint8_t r[72], s[72];
	cove_error e = {0};
	assert_non_null(k);
	assert_true(cove_pkey_is_ec_p384(k));
	for (int le = 0; le < 2; le++) {
		assert_int_equal(cove_ecdsa_sign_raw(k, COVE_SHA384, msg, 4, r, s, 72, le, &e), COVE_OK);
		assert_int_equal(cove_ecdsa_verify_raw(k, COVE_SHA384, msg, 4, r, s, 72, le, &e), COVE_OK);
		/* The other byte order, a changed message, a zero component all fail. */
		assert_int_equal(cove_ecdsa_verify_raw(k, COVE_SHA384, msg, 4, r, s, 72, !le, &e), COVE_ERR_VERIFY);
		assert_int_equal(cove_ecdsa_verify_raw(k, COVE_SHA384, "covf", 4, r, s, 72, le, &e), COVE_ERR_VERIFY);
		uint8_t zero[72] = {0};
		assert_int_equal(cove_ecdsa_verify_raw(k, COVE_SHA384, msg, 4, zero, s, 72, le, &e), COVE_ERR_VERIFY);
	}
	EVP_PKEY *rsa = EVP_RSA_gen(2048);
	assert_false(cove_pkey_is_ec_p384(rsa));
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(k);
}

static void test_digest(void **state)
{
	(void)state;
	uint8_t d[64];
	/* FIPS 180-2 "abc". */
	assert_int_equal(cove_digest(COVE_SHA256, "abc", 3, d, NULL), COVE_OK);
	char hex[129];
	cove_hex_write(hex, d, 32);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	cove_hash_ctx *c = NULL;
	assert_int_equal(cove_hash_ctx_new(COVE_SHA384, &c, NULL), COVE_OK);
	assert_int_equal(cove_hash_ctx_update(c, "a", 1, NULL), COVE_OK);
	assert_int_equal(cove_hash_ctx_update(c, "bc", 2, NULL), COVE_OK);
	assert_int_equal(cove_hash_ctx_final(c, d, NULL), COVE_OK);
	cove_hex_write(hex, d, 48);
	assert_string_equal(hex, "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
				 "8086072ba1e7cc2358baeca134c825a7");
	/* The context resets after final. */
	assert_int_equal(cove_hash_ctx_update(c, "abc", 3, NULL), COVE_OK);
	uint8_t again[48];
	assert_int_equal(cove_hash_ctx_final(c, again, NULL), COVE_OK);
	assert_memory_equal(again, d, 48);
	cove_hash_ctx_free(c);
	assert_int_equal(cove_hash_len(COVE_SHA512), 64);
}

static void test_result(void **state)
{
	(void)state;
	cove_result *r = NULL;
	assert_int_equal(cove_result_new(&r, NULL), COVE_OK);
	assert_true(r->ok && r->authentic);
	cove_result_fail(r, COVE_CHECK_POLICY, "policy.x", "detail %d", 1);
	assert_false(r->ok);
	assert_true(r->authentic);
	cove_result_fail(r, COVE_CHECK_AUTHENTICITY, "sig", "bad");
	assert_false(r->authentic);
	assert_true(cove_result_has_failure(r, "policy.x"));
	assert_false(cove_result_has_failure(r, "policy"));
	json_t *j = cove_result_to_json(r);
	assert_false(json_is_true(json_object_get(j, "ok")));
	assert_int_equal(json_array_size(json_object_get(j, "failures")), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "failures"), 0), "check")),
			    "policy.x");
	json_decref(j);
	cove_result_free(r);
}

static void test_files(void **state)
{
	(void)state;
	char path[] = "/tmp/cove-test-core-XXXXXX";
	int fd = mkstemp(path);
	cove_buf b = {0};
	cove_error e = {0};
	assert_true(fd >= 0);
	close(fd);
	uint8_t data[200000];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7);
	assert_int_equal(cove_file_write(path, data, sizeof(data), 0600, &e), COVE_OK);
	assert_int_equal(cove_file_read(path, sizeof(data), &b, &e), COVE_OK);
	assert_int_equal(b.len, sizeof(data));
	assert_memory_equal(b.data, data, sizeof(data));
	assert_int_equal(cove_file_read(path, sizeof(data) - 1, &b, &e), COVE_ERR_PARSE);
	assert_non_null(strstr(e.msg, "larger than"));
	assert_int_equal(b.len, sizeof(data)); /* a failed read leaves the buffer alone */
	/* Writing over a world-readable file with mode 0600 takes the extra permissions away. */
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(cove_file_write(path, "k", 1, 0600, &e), COVE_OK);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	unlink(path);
	assert_int_equal(cove_file_read(path, 10, &b, &e), COVE_ERR_IO);
	assert_non_null(strstr(e.msg, path));
	cove_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errors), cmocka_unit_test(test_cursor),    cmocka_unit_test(test_hex),
		cmocka_unit_test(test_base64), cmocka_unit_test(test_base64_strict), cmocka_unit_test(test_time),      cmocka_unit_test(test_ecdsa_raw),
		cmocka_unit_test(test_digest), cmocka_unit_test(test_result),    cmocka_unit_test(test_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
