/*
 * SGX SIGSTRUCT and enclave signing keys: field offsets checked against
 * shared/research/sgx-tdx.md section a with literal numbers (not the
 * implementation's macros), the signature re-verified here with OpenSSL over
 * the two signed ranges, Q1/Q2 recomputed with BN, MRSIGNER computed
 * independently from the key's modulus, every one of the 1808 bytes flipped
 * (each flip must be refused, with PARSE or VERIFY as the byte's role says),
 * keys of the wrong size, exponent or type refused, malformed input refused
 * with errors naming the offset, and the PEM key file's mode and overwrite rule.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "cove/bytes.h"
#include "cove/sigstruct.h"
#include "testutil.h"

static cove_pkey *key;

static int setup(void **state)
{
	(void)state;
	return cove_sigstruct_key_new(&key, NULL) == COVE_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	cove_pkey_free(key);
	return 0;
}

static void fields(cove_sigstruct_fields *f)
{
	memset(f, 0, sizeof(*f));
	f->type = COVE_SIGSTRUCT_TYPE_DEBUG;
	f->module_vendor = 0;
	f->date = 0x20261128;
	f->hw_version = 0;
	f->misc_select = 0x1;
	f->misc_mask = 0xFFFFFFFF;
	for (int i = 0; i < 16; i++) {
		f->isv_family_id[i] = (uint8_t)(0x40 + i);
		f->isv_ext_prod_id[i] = (uint8_t)(0x60 + i);
	}
	f->attr_flags = 0x7;
	f->attr_xfrm = 0xE7;
	f->attr_mask_flags = ~(0x2ull | 0x00FF000000000000ull);
	f->attr_mask_xfrm = 0xFFFFFFFFFFFFFFFBull;
	for (int i = 0; i < 32; i++)
		f->enclave_hash[i] = (uint8_t)(0xA0 + i);
	f->isv_prod_id = 0x1234;
	f->isv_svn = 0x0042;
}

static void key_modulus_le(cove_pkey *k, uint8_t out[384])
{
	BIGNUM *n = NULL;
	assert_int_equal(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n), 1);
	assert_int_equal(BN_bn2lebinpad(n, out, 384), 384);
	BN_free(n);
}

static void test_layout_round_trip(void **state)
{
	(void)state;
	static const uint8_t header[12] = {0x06, 0, 0, 0, 0xE1, 0, 0, 0, 0, 0, 0x01, 0};
	static const uint8_t header2[16] = {0x01, 0x01, 0, 0, 0x60, 0, 0, 0, 0x60, 0, 0, 0, 0x01, 0, 0, 0};
	cove_sigstruct_fields f;
	cove_sigstruct s;
	uint8_t ss[1808], again[1808], mod[384];
	cove_error e = {0};
	fields(&f);
	assert_int_equal(cove_sigstruct_sign(key, &f, ss, &e), COVE_OK);

	assert_memory_equal(ss, header, 12);
	assert_int_equal(cove_le32(ss + 12), 0x80000000u);
	assert_int_equal(cove_le32(ss + 20), 0x20261128u);
	assert_memory_equal(ss + 24, header2, 16);
	assert_true(cove_is_zero(ss + 40, 88));
	key_modulus_le(key, mod);
	assert_memory_equal(ss + 128, mod, 384);
	assert_int_equal(cove_le32(ss + 512), 3);
	assert_int_equal(cove_le32(ss + 900), 1);
	assert_int_equal(cove_le32(ss + 904), 0xFFFFFFFFu);
	assert_int_equal(ss[912], 0x40);
	assert_true(cove_le64(ss + 928) == 0x7);
	assert_true(cove_le64(ss + 936) == 0xE7);
	assert_true(cove_le64(ss + 944) == 0xFF00FFFFFFFFFFFDull);
	assert_int_equal(ss[960], 0xA0);
	assert_int_equal(ss[991], 0xA0 + 31);
	assert_true(cove_is_zero(ss + 992, 16));
	assert_int_equal(ss[1008], 0x60);
	assert_int_equal(cove_le16(ss + 1024), 0x1234);
	assert_int_equal(cove_le16(ss + 1026), 0x42);
	assert_true(cove_is_zero(ss + 1028, 12));

	assert_int_equal(cove_sigstruct_parse(ss, sizeof(ss), &s, &e), COVE_OK);
	assert_memory_equal(&s.f.enclave_hash, f.enclave_hash, 32);
	assert_int_equal(s.f.isv_prod_id, 0x1234);
	assert_int_equal(s.f.isv_svn, 0x42);
	assert_true(s.f.attr_mask_flags == f.attr_mask_flags);
	assert_int_equal(s.exponent, 3);
	cove_sigstruct_encode(&s, again);
	assert_memory_equal(again, ss, sizeof(ss));
	assert_int_equal(cove_sigstruct_verify(ss, &e), COVE_OK);
}

/* Signature and Q1/Q2 checked with OpenSSL directly; MRSIGNER from the key itself. */
static void test_independent_check(void **state)
{
	(void)state;
	cove_sigstruct_fields f;
	cove_sigstruct s;
	uint8_t ss[1808], msg[256], sig_be[384], mod[384], want[32], got[32], got2[32];
	fields(&f);
	f.type = 0;
	f.module_vendor = 0x8086;
	assert_int_equal(cove_sigstruct_sign(key, &f, ss, NULL), COVE_OK);
	assert_int_equal(cove_sigstruct_verify(ss, NULL), COVE_OK);

	memcpy(msg, ss, 128);
	memcpy(msg + 128, ss + 900, 128);
	for (int i = 0; i < 384; i++)
		sig_be[i] = ss[516 + 383 - i];
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	assert_int_equal(EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, key), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING), 1);
	assert_int_equal(EVP_DigestVerify(md, sig_be, 384, msg, 256), 1);
	EVP_MD_CTX_free(md);

	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *S = BN_lebin2bn(ss + 516, 384, NULL), *M = BN_lebin2bn(ss + 128, 384, NULL);
	BIGNUM *sq = BN_new(), *cube = BN_new(), *q1 = BN_new(), *q2 = BN_new(), *t = BN_new();
	BN_mul(sq, S, S, ctx);
	BN_mul(cube, sq, S, ctx);
	BN_div(q1, NULL, sq, M, ctx);
	BN_mul(t, q1, S, ctx);
	BN_mul(t, t, M, ctx);
	BN_sub(t, cube, t);
	BN_div(q2, NULL, t, M, ctx);
	BIGNUM *q1w = BN_lebin2bn(ss + 1040, 384, NULL), *q2w = BN_lebin2bn(ss + 1424, 384, NULL);
	assert_int_equal(BN_cmp(q1, q1w), 0);
	assert_int_equal(BN_cmp(q2, q2w), 0);
	assert_false(BN_is_zero(q1));
	BN_free(S); BN_free(M); BN_free(sq); BN_free(cube); BN_free(q1); BN_free(q2); BN_free(t);
	BN_free(q1w); BN_free(q2w);
	BN_CTX_free(ctx);

	key_modulus_le(key, mod);
	assert_int_equal(EVP_Digest(mod, 384, want, NULL, EVP_sha256(), NULL), 1);
	assert_int_equal(cove_sigstruct_parse(ss, 1808, &s, NULL), COVE_OK);
	assert_int_equal(cove_sigstruct_mrsigner(&s, got, NULL), COVE_OK);
	assert_int_equal(cove_sigstruct_key_mrsigner(key, got2, NULL), COVE_OK);
	assert_memory_equal(got, want, 32);
	assert_memory_equal(got2, want, 32);
}

/* Which flips are structural (PARSE) rather than authenticity (VERIFY) failures. */
static bool parse_offset(size_t o)
{
	return o < 20 || (o >= 24 && o < 40) || (o >= 44 && o < 128) || (o >= 512 && o < 516) ||
	       (o >= 908 && o < 912) || (o >= 992 && o < 1008) || (o >= 1028 && o < 1040);
}

static void test_every_byte_flip(void **state)
{
	(void)state;
	cove_sigstruct_fields f;
	uint8_t ss[1808];
	cove_error e;
	fields(&f);
	assert_int_equal(cove_sigstruct_sign(key, &f, ss, NULL), COVE_OK);
	for (size_t o = 0; o < sizeof(ss); o++) {
		ss[o] ^= 0x01;
		cove_error_clear(&e);
		cove_err rc = cove_sigstruct_verify(ss, &e);
		if (rc != (parse_offset(o) ? COVE_ERR_PARSE : COVE_ERR_VERIFY))
			fail_msg("flip at offset %zu: %s (%s)", o, cove_err_name(rc), e.msg);
		if (o >= 1040 && o < 1424)
			assert_non_null(strstr(e.msg, "Q1 (offset 1040)"));
		if (o >= 1424)
			assert_non_null(strstr(e.msg, "Q2 (offset 1424)"));
		if ((o >= 20 && o < 24) || (o >= 900 && o < 1028 && !parse_offset(o)) || (o >= 516 && o < 900))
			assert_non_null(strstr(e.msg, "SIGNATURE"));
		ss[o] ^= 0x01;
	}
	assert_int_equal(cove_sigstruct_verify(ss, NULL), COVE_OK);
}

static void test_wrong_keys(void **state)
{
	(void)state;
	cove_sigstruct_fields f;
	uint8_t ss[1808], mr[32];
	cove_error e = {0};
	fields(&f);

	EVP_PKEY *k2048 = NULL, *k65537 = NULL, *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	BIGNUM *three = BN_new();
	BN_set_word(three, 3);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	assert_int_equal(EVP_PKEY_keygen_init(ctx), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 2048), 1);
	assert_int_equal(EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx, three), 1);
	assert_int_equal(EVP_PKEY_generate(ctx, &k2048), 1);
	EVP_PKEY_CTX_free(ctx);
	k65537 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072);
	assert_non_null(k65537);
	assert_non_null(ec);

	assert_int_equal(cove_sigstruct_sign(k2048, &f, ss, &e), COVE_ERR_ARG);
	assert_non_null(strstr(e.msg, "RSA-2048"));
	assert_true(cove_is_zero(ss, sizeof(ss)));
	assert_int_equal(cove_sigstruct_sign(k65537, &f, ss, &e), COVE_ERR_ARG);
	assert_non_null(strstr(e.msg, "exponent 0x010001"));
	assert_int_equal(cove_sigstruct_sign(ec, &f, ss, &e), COVE_ERR_ARG);
	assert_non_null(strstr(e.msg, "not an RSA key"));
	assert_int_equal(cove_sigstruct_key_mrsigner(k65537, mr, &e), COVE_ERR_ARG);
	assert_int_equal(cove_sigstruct_sign(NULL, &f, ss, &e), COVE_ERR_ARG);

	f.type = 0x1;
	assert_int_equal(cove_sigstruct_sign(key, &f, ss, &e), COVE_ERR_ARG);
	assert_non_null(strstr(e.msg, "TYPE"));
	fields(&f);
	f.module_vendor = 0x1234;
	assert_int_equal(cove_sigstruct_sign(key, &f, ss, &e), COVE_ERR_ARG);
	assert_non_null(strstr(e.msg, "MODULEVENDOR"));

	EVP_PKEY_free(k2048);
	EVP_PKEY_free(k65537);
	EVP_PKEY_free(ec);
	BN_free(three);
}

/* A SIGSTRUCT signed with another key but carrying this key's modulus fails. */
static void test_substituted_modulus(void **state)
{
	(void)state;
	cove_sigstruct_fields f;
	uint8_t a[1808], b[1808];
	cove_pkey *other = NULL;
	cove_error e = {0};
	fields(&f);
	assert_int_equal(cove_sigstruct_key_new(&other, NULL), COVE_OK);
	assert_int_equal(cove_sigstruct_sign(key, &f, a, NULL), COVE_OK);
	assert_int_equal(cove_sigstruct_sign(other, &f, b, NULL), COVE_OK);
	assert_int_equal(cove_sigstruct_verify(b, NULL), COVE_OK);
	memcpy(b + 128, a + 128, 384);
	assert_int_equal(cove_sigstruct_verify(b, &e), COVE_ERR_VERIFY);
	/* Q1/Q2 of the original with the other signature: refused on Q1. */
	assert_int_equal(cove_sigstruct_sign(other, &f, b, NULL), COVE_OK);
	memcpy(b + 1040, a + 1040, 768);
	assert_int_equal(cove_sigstruct_verify(b, &e), COVE_ERR_VERIFY);
	assert_non_null(strstr(e.msg, "Q1"));
	/* A modulus whose top bit is clear is not RSA-3072. */
	assert_int_equal(cove_sigstruct_sign(key, &f, a, NULL), COVE_OK);
	a[511] &= 0x7F;
	assert_int_equal(cove_sigstruct_verify(a, &e), COVE_ERR_VERIFY);
	assert_non_null(strstr(e.msg, "3072-bit"));
	cove_pkey_free(other);
}

static void test_malformed(void **state)
{
	(void)state;
	cove_sigstruct_fields f;
	cove_sigstruct s;
	uint8_t ss[1808], big[1809];
	cove_error e = {0};
	fields(&f);
	assert_int_equal(cove_sigstruct_sign(key, &f, ss, NULL), COVE_OK);

	assert_int_equal(cove_sigstruct_parse(ss, 1807, &s, &e), COVE_ERR_PARSE);
	assert_string_equal(e.msg, "SIGSTRUCT: 1807 bytes, must be exactly 1808");
	memcpy(big, ss, 1808);
	big[1808] = 0;
	assert_int_equal(cove_sigstruct_parse(big, 1809, &s, &e), COVE_ERR_PARSE);
	assert_string_equal(e.msg, "SIGSTRUCT: 1809 bytes, must be exactly 1808");
	assert_int_equal(cove_sigstruct_parse(ss, 0, &s, &e), COVE_ERR_PARSE);
	assert_int_equal(cove_sigstruct_parse(NULL, 1808, &s, &e), COVE_ERR_ARG);

	ss[4] = 0xE2;
	assert_int_equal(cove_sigstruct_parse(ss, 1808, &s, &e), COVE_ERR_PARSE);
	assert_string_equal(e.msg, "SIGSTRUCT: HEADER byte at offset 4 is 0xe2, must be 0xe1");
	ss[4] = 0xE1;
	ss[28] = 0x61;
	assert_int_equal(cove_sigstruct_parse(ss, 1808, &s, &e), COVE_ERR_PARSE);
	assert_string_equal(e.msg, "SIGSTRUCT: HEADER2 byte at offset 28 is 0x61, must be 0x60");
	ss[28] = 0x60;
	ss[13] = 0x01;
	assert_int_equal(cove_sigstruct_parse(ss, 1808, &s, &e), COVE_ERR_PARSE);
	assert_non_null(strstr(e.msg, "TYPE at offset 12 is 0x80000100"));
	ss[13] = 0;
	cove_put_le32(ss + 16, 0x8087);
	assert_int_equal(cove_sigstruct_parse(ss, 1808, &s, &e), COVE_ERR_PARSE);
	assert_non_null(strstr(e.msg, "MODULEVENDOR at offset 16 is 0x00008087"));
	cove_put_le32(ss + 16, 0);
	cove_put_le32(ss + 512, 65537);
	assert_int_equal(cove_sigstruct_parse(ss, 1808, &s, &e), COVE_ERR_PARSE);
	assert_string_equal(e.msg, "SIGSTRUCT: EXPONENT at offset 512 is 65537, must be 3");
	cove_put_le32(ss + 512, 3);
	static const size_t rsvd[] = {44, 127, 908, 911, 992, 1007, 1028, 1039};
	for (size_t i = 0; i < sizeof(rsvd) / sizeof(rsvd[0]); i++) {
		char want[96];
		ss[rsvd[i]] = 0x5A;
		assert_int_equal(cove_sigstruct_parse(ss, 1808, &s, &e), COVE_ERR_PARSE);
		snprintf(want, sizeof(want), "SIGSTRUCT: reserved byte at offset %zu is 0x5a, must be zero", rsvd[i]);
		assert_string_equal(e.msg, want);
		ss[rsvd[i]] = 0;
	}
	assert_int_equal(cove_sigstruct_verify(ss, &e), COVE_OK);
}

static void test_key_file(void **state)
{
	(void)state;
	char dir[] = "/tmp/cove-sigstruct-XXXXXX", path[64];
	struct stat st;
	cove_pkey *loaded = NULL;
	uint8_t a[32], b[32];
	cove_error e = {0};
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/key.pem", dir);
	mode_t old = umask(0);
	assert_int_equal(cove_sigstruct_key_write(key, path, false, &e), COVE_OK);
	umask(old);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(cove_sigstruct_key_write(key, path, false, &e), COVE_ERR_ARG);
	assert_non_null(strstr(e.msg, "refusing to overwrite"));
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(cove_sigstruct_key_write(key, path, true, &e), COVE_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(cove_pkey_load_pem(path, &loaded, &e), COVE_OK);
	assert_int_equal(cove_sigstruct_key_mrsigner(loaded, a, NULL), COVE_OK);
	assert_int_equal(cove_sigstruct_key_mrsigner(key, b, NULL), COVE_OK);
	assert_memory_equal(a, b, 32);
	cove_pkey_free(loaded);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_round_trip),
		cmocka_unit_test(test_independent_check),
		cmocka_unit_test(test_every_byte_flip),
		cmocka_unit_test(test_wrong_keys),
		cmocka_unit_test(test_substituted_modulus),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_key_file),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
