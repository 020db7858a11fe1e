/*
 * Sealing in the sgx_sealed_data_t layout: offsets against
 * shared/research/sgx-tdx.md section b, an independent decryption with
 * OpenSSL (key from the stored KEYREQUEST, zero IV), MRENCLAVE/MRSIGNER
 * policy semantics, the upgrade/downgrade SVN matrix, and hostile blobs:
 * every single byte flipped, every truncation, trailing bytes and
 * inconsistent length fields are refused with precise errors.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "cove/bytes.h"
#include "cove/seal.h"
#include "testutil.h"

static uint8_t root[32];
static const char secret[] = "the enclave's secret";
static const char mac_text[] = "mac text";

static int setup(void **state)
{
	(void)state;
	for (int i = 0; i < 32; i++)
		root[i] = (uint8_t)(0x5A ^ i);
	return 0;
}

static void identity(cove_sgx_identity *id, uint8_t seed)
{
	memset(id, 0, sizeof(*id));
	memset(id->mr_enclave, seed, 32);
	memset(id->mr_signer, 0x77, 32);
	id->isv_prod_id = 1;
	id->isv_svn = 3;
	memset(id->cpu_svn, 2, 16);
	id->attr_flags = COVE_SGX_FLAGS_INIT | COVE_SGX_FLAGS_MODE64BIT;
	id->attr_xfrm = 0xE7;
	id->config_svn = 1;
}

static void seal_ok(const cove_sgx_identity *id, uint16_t policy, uint8_t **blob, size_t *len)
{
	cove_error e = {0};
	if (cove_seal(root, id, policy, secret, sizeof(secret), mac_text, sizeof(mac_text), blob, len, &e) != COVE_OK)
		fail_msg("seal: %s", e.msg);
}

static cove_err unseal(const cove_sgx_identity *id, const uint8_t *blob, size_t len, cove_error *e)
{
	uint8_t *t = NULL, *a = NULL;
	size_t tl = 99, al = 99;
	cove_err rc = cove_unseal(root, id, blob, len, &t, &tl, &a, &al, e);
	if (rc == COVE_OK) {
		assert_int_equal(tl, sizeof(secret));
		assert_memory_equal(t, secret, sizeof(secret));
		assert_int_equal(al, sizeof(mac_text));
		assert_memory_equal(a, mac_text, sizeof(mac_text));
	} else {
		assert_null(t);
		assert_null(a);
		assert_int_equal(tl, 0);
		assert_int_equal(al, 0);
	}
	free(t);
	free(a);
	return rc;
}

static void test_layout(void **state)
{
	(void)state;
	cove_sgx_identity id;
	uint8_t *blob = NULL;
	size_t len = 0, want = 0;
	cove_error e = {0};
	identity(&id, 0x11);
	seal_ok(&id, COVE_SGX_KEYPOLICY_MRENCLAVE, &blob, &len);
	assert_int_equal(cove_sealed_data_size(sizeof(mac_text), sizeof(secret), &want, &e), COVE_OK);
	assert_int_equal(want, 560 + sizeof(mac_text) + sizeof(secret));
	assert_int_equal(len, want);
	/* KEYREQUEST @0 as sgx_seal_data writes it. */
	assert_int_equal(cove_le16(blob + 0), 4);
	assert_int_equal(cove_le16(blob + 2), 1);
	assert_int_equal(cove_le16(blob + 4), 3);
	assert_memory_equal(blob + 8, id.cpu_svn, 16);
	assert_int_equal(cove_le64(blob + 24), 0xFF0000000000000Bull);
	assert_int_equal(cove_le64(blob + 32), 0);
	assert_false(cove_is_zero(blob + 40, 32));
	assert_int_equal(cove_le32(blob + 72), 0xF0000000u);
	assert_int_equal(cove_le16(blob + 76), 1);
	assert_int_equal(cove_le32(blob + 512), sizeof(secret));
	assert_int_equal(cove_le32(blob + 528), sizeof(secret) + sizeof(mac_text));
	assert_true(cove_is_zero(blob + 516, 12) && cove_is_zero(blob + 532, 12));
	assert_memory_not_equal(blob + 560, secret, sizeof(secret));
	assert_memory_equal(blob + 560 + sizeof(secret), mac_text, sizeof(mac_text));

	/* Independent decryption: key = EGETKEY(stored KEYREQUEST), AES-128-GCM, zero IV, AAD = MAC text. */
	cove_sealed_info info;
	uint8_t key[16], iv[12] = {0}, pt[sizeof(secret)];
	int n = 0;
	assert_int_equal(cove_sealed_parse(blob, len, &info, &e), COVE_OK);
	assert_int_equal(info.text_len, sizeof(secret));
	assert_int_equal(info.aad_len, sizeof(mac_text));
	assert_int_equal(cove_sgx_derive_key(root, &id, &info.key_request, key, &e), COVE_OK);
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	assert_int_equal(EVP_DecryptInit_ex(c, EVP_aes_128_gcm(), NULL, key, iv), 1);
	assert_int_equal(EVP_DecryptUpdate(c, NULL, &n, blob + 560 + sizeof(secret), (int)sizeof(mac_text)), 1);
	assert_int_equal(EVP_DecryptUpdate(c, pt, &n, blob + 560, (int)sizeof(secret)), 1);
	assert_int_equal(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, blob + 544), 1);
	assert_int_equal(EVP_DecryptFinal_ex(c, pt + n, &n), 1);
	EVP_CIPHER_CTX_free(c);
	assert_memory_equal(pt, secret, sizeof(secret));

	assert_int_equal(unseal(&id, blob, len, &e), COVE_OK);
	/* A second seal of the same data uses a fresh KEYID, hence different bytes. */
	uint8_t *blob2 = NULL;
	size_t len2 = 0;
	seal_ok(&id, COVE_SGX_KEYPOLICY_MRENCLAVE, &blob2, &len2);
	assert_memory_not_equal(blob + 40, blob2 + 40, 32);
	assert_memory_not_equal(blob + 560, blob2 + 560, sizeof(secret));
	free(blob);
	free(blob2);
}

static void test_empty_parts(void **state)
{
	(void)state;
	cove_sgx_identity id;
	uint8_t buf[600], *t = NULL, *a = NULL;
	size_t len = 0, tl = 1, al = 1;
	cove_error e = {0};
	identity(&id, 0x11);
	assert_int_equal(cove_seal_to(root, &id, COVE_SGX_KEYPOLICY_MRSIGNER, NULL, 0, NULL, 0, buf, sizeof(buf), &len,
				      &e),
			 COVE_OK);
	assert_int_equal(len, 560);
	assert_int_equal(cove_unseal(root, &id, buf, len, &t, &tl, &a, &al, &e), COVE_OK);
	assert_int_equal(tl, 0);
	assert_int_equal(al, 0);
	assert_non_null(t);
	assert_non_null(a);
	free(t);
	free(a);
	/* AAD only: authenticated, no text. */
	assert_int_equal(cove_seal_to(root, &id, COVE_SGX_KEYPOLICY_MRSIGNER, NULL, 0, "abc", 3, buf, sizeof(buf), &len,
				      &e),
			 COVE_OK);
	buf[562] ^= 1;
	assert_int_equal(cove_unseal(root, &id, buf, len, NULL, NULL, NULL, NULL, &e), COVE_ERR_VERIFY);
	/* Caller errors. */
	assert_int_equal(cove_seal_to(root, &id, COVE_SGX_KEYPOLICY_MRSIGNER, "x", 1, NULL, 0, buf, 560, &len, &e),
			 COVE_ERR_ARG);
	assert_non_null(strstr(e.msg, "561 needed"));
	assert_int_equal(cove_seal_to(root, &id, COVE_SGX_KEYPOLICY_NOISVPRODID, "x", 1, NULL, 0, buf, sizeof(buf),
				      &len, &e),
			 COVE_ERR_ARG);
	assert_non_null(strstr(e.msg, "neither MRENCLAVE nor MRSIGNER"));
	assert_int_equal(cove_seal_to(root, &id, COVE_SGX_KEYPOLICY_MRSIGNER | COVE_SGX_KEYPOLICY_CONFIGID, "x", 1,
				      NULL, 0, buf, sizeof(buf), &len, &e),
			 COVE_ERR_ARG); /* no KSS attribute */
	size_t sz = 0;
	assert_int_equal(cove_sealed_data_size(0xFFFFFFFFu - 560, 1, &sz, &e), COVE_ERR_ARG);
	assert_int_equal(sz, 0);
	assert_int_equal(cove_sealed_data_size(0xFFFFFFFFu - 561, 1, &sz, &e), COVE_OK);
	assert_int_equal(sz, 0xFFFFFFFFu);
	assert_int_equal(cove_sealed_data_size(SIZE_MAX, SIZE_MAX, &sz, &e), COVE_ERR_ARG);
}

static void test_policies(void **state)
{
	(void)state;
	cove_sgx_identity id, other;
	uint8_t *blob = NULL;
	size_t len = 0;
	cove_error e = {0};
	identity(&id, 0x11);

	seal_ok(&id, COVE_SGX_KEYPOLICY_MRENCLAVE, &blob, &len);
	identity(&other, 0x12); /* same signer, another enclave */
	assert_int_equal(unseal(&other, blob, len, &e), COVE_ERR_VERIFY);
	assert_non_null(strstr(e.msg, "tag mismatch"));
	other = id;
	memset(other.mr_signer, 0x78, 32); /* MRSIGNER not bound under MRENCLAVE policy */
	assert_int_equal(unseal(&other, blob, len, &e), COVE_OK);
	free(blob);

	seal_ok(&id, COVE_SGX_KEYPOLICY_MRSIGNER, &blob, &len);
	identity(&other, 0x12);
	assert_int_equal(unseal(&other, blob, len, &e), COVE_OK);
	other.mr_signer[0] ^= 1;
	assert_int_equal(unseal(&other, blob, len, &e), COVE_ERR_VERIFY);
	identity(&other, 0x12);
	other.isv_prod_id = 2;
	assert_int_equal(unseal(&other, blob, len, &e), COVE_ERR_VERIFY);
	identity(&other, 0x12);
	other.attr_flags |= COVE_SGX_FLAGS_DEBUG; /* a debug enclave cannot read production secrets */
	assert_int_equal(unseal(&other, blob, len, &e), COVE_ERR_VERIFY);
	identity(&other, 0x12);
	other.attr_xfrm = 0x3; /* XFRM is outside the seal mask */
	assert_int_equal(unseal(&other, blob, len, &e), COVE_OK);
	root[5] ^= 1; /* another platform */
	assert_int_equal(unseal(&id, blob, len, &e), COVE_ERR_VERIFY);
	root[5] ^= 1;
	free(blob);

	/* Both bits: either difference refuses. */
	seal_ok(&id, COVE_SGX_KEYPOLICY_MRENCLAVE | COVE_SGX_KEYPOLICY_MRSIGNER, &blob, &len);
	assert_int_equal(unseal(&id, blob, len, &e), COVE_OK);
	other = id;
	other.mr_signer[31] ^= 1;
	assert_int_equal(unseal(&other, blob, len, &e), COVE_ERR_VERIFY);
	free(blob);
}

/* Upgrade/downgrade: data sealed at (ISVSVN, CPUSVN, CONFIGSVN) = s unseals at any s' >= s, never below. */
static void test_svn_matrix(void **state)
{
	(void)state;
	cove_error e = {0};
	for (int sealed = 2; sealed <= 4; sealed++) {
		for (int now = 2; now <= 4; now++) {
			for (int which = 0; which < 3; which++) {
				cove_sgx_identity a, b;
				uint8_t *blob = NULL;
				size_t len = 0;
				identity(&a, 0x11);
				b = a;
				switch (which) {
				case 0: a.isv_svn = (uint16_t)sealed; b.isv_svn = (uint16_t)now; break;
				case 1: a.cpu_svn[7] = (uint8_t)sealed; b.cpu_svn[7] = (uint8_t)now; break;
				default: a.config_svn = (uint16_t)sealed; b.config_svn = (uint16_t)now; break;
				}
				seal_ok(&a, COVE_SGX_KEYPOLICY_MRSIGNER, &blob, &len);
				cove_err rc = unseal(&b, blob, len, &e);
				if (now >= sealed) {
					if (rc != COVE_OK)
						fail_msg("svn kind %d sealed %d now %d: %s", which, sealed, now, e.msg);
				} else {
					assert_int_equal(rc, COVE_ERR_POLICY);
					assert_non_null(strstr(e.msg, which == 1 ? "INVALID_CPUSVN" : "INVALID_ISVSVN"));
				}
				free(blob);
			}
		}
	}
}

static void test_every_byte_flipped(void **state)
{
	(void)state;
	cove_sgx_identity id;
	uint8_t *blob = NULL, *copy;
	size_t len = 0;
	cove_error e = {0};
	identity(&id, 0x11);
	seal_ok(&id, COVE_SGX_KEYPOLICY_MRSIGNER, &blob, &len);
	copy = malloc(len);
	assert_non_null(copy);
	for (size_t i = 0; i < len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			memcpy(copy, blob, len);
			copy[i] ^= (uint8_t)(1u << bit);
			cove_err rc = unseal(&id, copy, len, &e);
			if (rc == COVE_OK)
				fail_msg("flip of byte %zu bit %d was accepted", i, bit);
		}
	}
	/* Spot checks of the precise error per region. */
	memcpy(copy, blob, len);
	copy[0] = 3; /* KEYNAME REPORT */
	assert_int_equal(unseal(&id, copy, len, &e), COVE_ERR_PARSE);
	assert_non_null(strstr(e.msg, "KEYNAME is 3"));
	memcpy(copy, blob, len);
	copy[3] = 0x80;
	assert_int_equal(unseal(&id, copy, len, &e), COVE_ERR_PARSE);
	assert_non_null(strstr(e.msg, "reserved bits"));
	memcpy(copy, blob, len);
	copy[200] = 1;
	assert_int_equal(unseal(&id, copy, len, &e), COVE_ERR_PARSE);
	assert_non_null(strstr(e.msg, "offset 200"));
	memcpy(copy, blob, len);
	copy[520] = 1;
	assert_int_equal(unseal(&id, copy, len, &e), COVE_ERR_PARSE);
	assert_non_null(strstr(e.msg, "offset 520"));
	memcpy(copy, blob, len);
	copy[4] = 4; /* ISVSVN 4 > 3 */
	assert_int_equal(unseal(&id, copy, len, &e), COVE_ERR_POLICY);
	memcpy(copy, blob, len);
	copy[4] = 2; /* lower SVN: allowed, but another key */
	assert_int_equal(unseal(&id, copy, len, &e), COVE_ERR_VERIFY);
	memcpy(copy, blob, len);
	copy[512] ^= 1; /* plain_text_offset moves the ciphertext/AAD boundary */
	assert_int_equal(unseal(&id, copy, len, &e), COVE_ERR_VERIFY);
	memcpy(copy, blob, len);
	copy[544] ^= 1;
	assert_int_equal(unseal(&id, copy, len, &e), COVE_ERR_VERIFY);
	free(copy);
	free(blob);
}

static void test_malformed(void **state)
{
	(void)state;
	cove_sgx_identity id;
	uint8_t *blob = NULL, *copy;
	size_t len = 0;
	cove_sealed_info info;
	cove_error e = {0};
	identity(&id, 0x11);
	seal_ok(&id, COVE_SGX_KEYPOLICY_MRSIGNER, &blob, &len);
	for (size_t n = 0; n < len; n++) {
		/* An exact-size copy so ASan sees any read past the end. */
		copy = malloc(n ? n : 1);
		memcpy(copy, blob, n);
		assert_int_equal(unseal(&id, copy, n, &e), COVE_ERR_PARSE);
		if (n < 560)
			assert_non_null(strstr(e.msg, "shorter than the 560-byte header"));
		else
			assert_non_null(strstr(e.msg, "payload_size says"));
		free(copy);
	}
	copy = malloc(len + 1);
	memcpy(copy, blob, len);
	copy[len] = 0;
	assert_int_equal(unseal(&id, copy, len + 1, &e), COVE_ERR_PARSE);
	assert_non_null(strstr(e.msg, "follow the header"));
	/* plain_text_offset beyond payload_size. */
	memcpy(copy, blob, len);
	cove_put_le32(copy + 512, (uint32_t)(len - 560 + 1));
	assert_int_equal(cove_sealed_parse(copy, len, &info, &e), COVE_ERR_PARSE);
	assert_non_null(strstr(e.msg, "beyond payload_size"));
	/* Huge sizes never read out of bounds. */
	cove_put_le32(copy + 512, 0xFFFFFFF0u);
	cove_put_le32(copy + 528, 0xFFFFFFFFu);
	assert_int_equal(cove_sealed_parse(copy, len, &info, &e), COVE_ERR_PARSE);
	/* Neither MRENCLAVE nor MRSIGNER in the stored policy. */
	memcpy(copy, blob, len);
	copy[2] = COVE_SGX_KEYPOLICY_NOISVPRODID;
	assert_int_equal(cove_sealed_parse(copy, len, &info, &e), COVE_ERR_PARSE);
	assert_non_null(strstr(e.msg, "neither"));
	assert_int_equal(cove_unseal(root, &id, NULL, 0, NULL, NULL, NULL, NULL, &e), COVE_ERR_ARG);
	free(copy);
	free(blob);
}

static void test_large(void **state)
{
	(void)state;
	cove_sgx_identity id;
	size_t n = 3u << 20;
	uint8_t *pt = malloc(n), *blob = NULL, *t = NULL;
	size_t len = 0, tl = 0;
	cove_error e = {0};
	assert_non_null(pt);
	for (size_t i = 0; i < n; i++)
		pt[i] = (uint8_t)(i * 31u);
	identity(&id, 0x11);
	assert_int_equal(cove_seal(root, &id, COVE_SGX_KEYPOLICY_MRENCLAVE, pt, n, NULL, 0, &blob, &len, &e), COVE_OK);
	assert_int_equal(len, 560 + n);
	assert_int_equal(cove_unseal(root, &id, blob, len, &t, &tl, NULL, NULL, &e), COVE_OK);
	assert_int_equal(tl, n);
	assert_memory_equal(t, pt, n);
	free(t);
	free(blob);
	free(pt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_empty_parts),
		cmocka_unit_test(test_policies),
		cmocka_unit_test(test_svn_matrix),
		cmocka_unit_test(test_every_byte_flipped),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_large),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
