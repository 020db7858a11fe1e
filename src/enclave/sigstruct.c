/*
 * SGX SIGSTRUCT encoding, parsing, signing and verification, and enclave
 * signing keys (RSA-3072, e = 3).
 *
 * Layout from the Intel SDM vol. 3D ch. 38 (SIGSTRUCT) and linux-sgx
 * common/inc/internal/arch.h (enclave_css_t); notes in
 * shared/research/sgx-tdx.md section a.  The signature is RSASSA-PKCS1-v1_5
 * with SHA-256 over bytes 0..127 || 900..1027; MODULUS, SIGNATURE, Q1 and Q2
 * are stored little-endian.  Q1 = floor(S^2 / M) and
 * Q2 = floor((S^3 - Q1*S*M) / M) let EINIT check the signature without a
 * division; we recompute them on verification so a SIGSTRUCT whose Q1/Q2
 * would fail on hardware is refused here too.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "cove/bytes.h"
#include "cove/sigstruct.h"

/* Offsets (enclave_css_t). */
#define SS_OFF_HEADER 0
#define SS_OFF_TYPE 12
#define SS_OFF_MODULE_VENDOR 16
#define SS_OFF_DATE 20
#define SS_OFF_HEADER2 24
#define SS_OFF_HW_VERSION 40
#define SS_OFF_RESERVED1 44 /* 84 bytes */
#define SS_OFF_MODULUS 128
#define SS_OFF_EXPONENT 512
#define SS_OFF_SIGNATURE 516
#define SS_OFF_MISC_SELECT 900
#define SS_OFF_MISC_MASK 904
#define SS_OFF_RESERVED2 908 /* 4 bytes */
#define SS_OFF_ISV_FAMILY_ID 912
#define SS_OFF_ATTRIBUTES 928
#define SS_OFF_ATTRIBUTE_MASK 944
#define SS_OFF_ENCLAVE_HASH 960
#define SS_OFF_RESERVED3 992 /* 16 bytes */
#define SS_OFF_ISV_EXT_PROD_ID 1008
#define SS_OFF_ISV_PROD_ID 1024
#define SS_OFF_ISV_SVN 1026
#define SS_OFF_RESERVED4 1028 /* 12 bytes */
#define SS_OFF_Q1 1040
#define SS_OFF_Q2 1424

/* The two signed ranges: the header and the body. */
#define SS_SIGNED1_OFF 0
#define SS_SIGNED1_LEN 128
#define SS_SIGNED2_OFF 900
#define SS_SIGNED2_LEN 128

_Static_assert(SS_OFF_HW_VERSION + 4 == SS_OFF_RESERVED1, "SIGSTRUCT header");
_Static_assert(SS_OFF_RESERVED1 + 84 == SS_OFF_MODULUS, "SIGSTRUCT reserved1");
_Static_assert(SS_OFF_MODULUS + COVE_SIGSTRUCT_KEY_SIZE == SS_OFF_EXPONENT, "SIGSTRUCT modulus");
_Static_assert(SS_OFF_EXPONENT + 4 == SS_OFF_SIGNATURE, "SIGSTRUCT exponent");
_Static_assert(SS_OFF_SIGNATURE + COVE_SIGSTRUCT_KEY_SIZE == SS_OFF_MISC_SELECT, "SIGSTRUCT signature");
_Static_assert(SS_OFF_ATTRIBUTE_MASK + 16 == SS_OFF_ENCLAVE_HASH, "SIGSTRUCT attributes");
_Static_assert(SS_OFF_ENCLAVE_HASH + 32 == SS_OFF_RESERVED3, "SIGSTRUCT enclave hash");
_Static_assert(SS_OFF_ISV_SVN + 2 == SS_OFF_RESERVED4, "SIGSTRUCT body");
_Static_assert(SS_SIGNED2_OFF + SS_SIGNED2_LEN == SS_OFF_RESERVED4, "SIGSTRUCT signed body ends at ISVSVN");
_Static_assert(SS_OFF_Q1 + COVE_SIGSTRUCT_KEY_SIZE == SS_OFF_Q2, "SIGSTRUCT Q1");
_Static_assert(SS_OFF_Q2 + COVE_SIGSTRUCT_KEY_SIZE == COVE_SIGSTRUCT_SIZE, "SIGSTRUCT size");

static const uint8_t ss_header[12] = {0x06, 0, 0, 0, 0xE1, 0, 0, 0, 0, 0, 0x01, 0};
static const uint8_t ss_header2[16] = {0x01, 0x01, 0, 0, 0x60, 0, 0, 0, 0x60, 0, 0, 0, 0x01, 0, 0, 0};

/* Byte-order reversal between the wire (LE) and OpenSSL's big-endian strings. */
static void reverse_copy(uint8_t *dst, const uint8_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = src[n - 1 - i];
}

void cove_sigstruct_encode(const cove_sigstruct *s, uint8_t out[COVE_SIGSTRUCT_SIZE])
{
	const cove_sigstruct_fields *f = &s->f;
	memset(out, 0, COVE_SIGSTRUCT_SIZE);
	memcpy(out + SS_OFF_HEADER, ss_header, sizeof(ss_header));
	cove_put_le32(out + SS_OFF_TYPE, f->type);
	cove_put_le32(out + SS_OFF_MODULE_VENDOR, f->module_vendor);
	cove_put_le32(out + SS_OFF_DATE, f->date);
	memcpy(out + SS_OFF_HEADER2, ss_header2, sizeof(ss_header2));
	cove_put_le32(out + SS_OFF_HW_VERSION, f->hw_version);
	memcpy(out + SS_OFF_MODULUS, s->modulus, COVE_SIGSTRUCT_KEY_SIZE);
	cove_put_le32(out + SS_OFF_EXPONENT, s->exponent);
	memcpy(out + SS_OFF_SIGNATURE, s->signature, COVE_SIGSTRUCT_KEY_SIZE);
	cove_put_le32(out + SS_OFF_MISC_SELECT, f->misc_select);
	cove_put_le32(out + SS_OFF_MISC_MASK, f->misc_mask);
	memcpy(out + SS_OFF_ISV_FAMILY_ID, f->isv_family_id, 16);
	cove_put_le64(out + SS_OFF_ATTRIBUTES, f->attr_flags);
	cove_put_le64(out + SS_OFF_ATTRIBUTES + 8, f->attr_xfrm);
	cove_put_le64(out + SS_OFF_ATTRIBUTE_MASK, f->attr_mask_flags);
	cove_put_le64(out + SS_OFF_ATTRIBUTE_MASK + 8, f->attr_mask_xfrm);
	memcpy(out + SS_OFF_ENCLAVE_HASH, f->enclave_hash, 32);
	memcpy(out + SS_OFF_ISV_EXT_PROD_ID, f->isv_ext_prod_id, 16);
	cove_put_le16(out + SS_OFF_ISV_PROD_ID, f->isv_prod_id);
	cove_put_le16(out + SS_OFF_ISV_SVN, f->isv_svn);
	memcpy(out + SS_OFF_Q1, s->q1, COVE_SIGSTRUCT_KEY_SIZE);
	memcpy(out + SS_OFF_Q2, s->q2, COVE_SIGSTRUCT_KEY_SIZE);
}

static cove_err check_const(const uint8_t *data, size_t off, const uint8_t *want, size_t n, const char *name,
			    cove_error *e)
{
	for (size_t i = 0; i < n; i++)
		if (data[off + i] != want[i])
			return cove_error_set(e, COVE_ERR_PARSE,
					      "SIGSTRUCT: %s byte at offset %zu is 0x%02x, must be 0x%02x", name,
					      off + i, data[off + i], want[i]);
	return COVE_OK;
}

cove_err cove_sigstruct_parse(const uint8_t *data, size_t len, cove_sigstruct *out, cove_error *e)
{
	static const size_t rsvd[][2] = {
		{SS_OFF_RESERVED1, 84}, {SS_OFF_RESERVED2, 4}, {SS_OFF_RESERVED3, 16}, {SS_OFF_RESERVED4, 12},
	};
	cove_err rc;
	if (!data || !out)
		return cove_error_set(e, COVE_ERR_ARG, "SIGSTRUCT: missing input or output");
	if (len != COVE_SIGSTRUCT_SIZE)
		return cove_error_set(e, COVE_ERR_PARSE, "SIGSTRUCT: %zu bytes, must be exactly %d", len,
				      COVE_SIGSTRUCT_SIZE);
	if ((rc = check_const(data, SS_OFF_HEADER, ss_header, sizeof(ss_header), "HEADER", e)) ||
	    (rc = check_const(data, SS_OFF_HEADER2, ss_header2, sizeof(ss_header2), "HEADER2", e)))
		return rc;
	uint32_t type = cove_le32(data + SS_OFF_TYPE);
	if (type & ~COVE_SIGSTRUCT_TYPE_DEBUG)
		return cove_error_set(e, COVE_ERR_PARSE,
				      "SIGSTRUCT: TYPE at offset %d is 0x%08x; bits 30:0 are reserved and must be zero",
				      SS_OFF_TYPE, type);
	uint32_t vendor = cove_le32(data + SS_OFF_MODULE_VENDOR);
	if (vendor != 0 && vendor != COVE_SIGSTRUCT_VENDOR_INTEL)
		return cove_error_set(e, COVE_ERR_PARSE,
				      "SIGSTRUCT: MODULEVENDOR at offset %d is 0x%08x, must be 0x8086 or 0",
				      SS_OFF_MODULE_VENDOR, vendor);
	uint32_t exponent = cove_le32(data + SS_OFF_EXPONENT);
	if (exponent != COVE_SIGSTRUCT_EXPONENT)
		return cove_error_set(e, COVE_ERR_PARSE, "SIGSTRUCT: EXPONENT at offset %d is %u, must be 3",
				      SS_OFF_EXPONENT, exponent);
	for (size_t i = 0; i < sizeof(rsvd) / sizeof(rsvd[0]); i++)
		for (size_t o = rsvd[i][0]; o < rsvd[i][0] + rsvd[i][1]; o++)
			if (data[o])
				return cove_error_set(e, COVE_ERR_PARSE,
						      "SIGSTRUCT: reserved byte at offset %zu is 0x%02x, must be zero",
						      o, data[o]);

	memset(out, 0, sizeof(*out));
	cove_sigstruct_fields *f = &out->f;
	f->type = type;
	f->module_vendor = vendor;
	f->date = cove_le32(data + SS_OFF_DATE);
	f->hw_version = cove_le32(data + SS_OFF_HW_VERSION);
	f->misc_select = cove_le32(data + SS_OFF_MISC_SELECT);
	f->misc_mask = cove_le32(data + SS_OFF_MISC_MASK);
	memcpy(f->isv_family_id, data + SS_OFF_ISV_FAMILY_ID, 16);
	f->attr_flags = cove_le64(data + SS_OFF_ATTRIBUTES);
	f->attr_xfrm = cove_le64(data + SS_OFF_ATTRIBUTES + 8);
	f->attr_mask_flags = cove_le64(data + SS_OFF_ATTRIBUTE_MASK);
	f->attr_mask_xfrm = cove_le64(data + SS_OFF_ATTRIBUTE_MASK + 8);
	memcpy(f->enclave_hash, data + SS_OFF_ENCLAVE_HASH, 32);
	memcpy(f->isv_ext_prod_id, data + SS_OFF_ISV_EXT_PROD_ID, 16);
	f->isv_prod_id = cove_le16(data + SS_OFF_ISV_PROD_ID);
	f->isv_svn = cove_le16(data + SS_OFF_ISV_SVN);
	memcpy(out->modulus, data + SS_OFF_MODULUS, COVE_SIGSTRUCT_KEY_SIZE);
	out->exponent = exponent;
	memcpy(out->signature, data + SS_OFF_SIGNATURE, COVE_SIGSTRUCT_KEY_SIZE);
	memcpy(out->q1, data + SS_OFF_Q1, COVE_SIGSTRUCT_KEY_SIZE);
	memcpy(out->q2, data + SS_OFF_Q2, COVE_SIGSTRUCT_KEY_SIZE);
	return COVE_OK;
}

/* The 256 signed bytes: header || body. */
static void signed_bytes(const uint8_t *ss, uint8_t out[SS_SIGNED1_LEN + SS_SIGNED2_LEN])
{
	memcpy(out, ss + SS_SIGNED1_OFF, SS_SIGNED1_LEN);
	memcpy(out + SS_SIGNED1_LEN, ss + SS_SIGNED2_OFF, SS_SIGNED2_LEN);
}

/* Refuse anything but an RSA-3072 key with e = 3; return its modulus little-endian. */
static cove_err key_modulus(cove_pkey *key, uint8_t modulus[COVE_SIGSTRUCT_KEY_SIZE], cove_error *e)
{
	BIGNUM *n = NULL, *ex = NULL;
	cove_err rc = COVE_OK;
	if (!key)
		return cove_error_set(e, COVE_ERR_ARG, "enclave signing key: missing key");
	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
		rc = cove_error_set(e, COVE_ERR_ARG, "enclave signing key: not an RSA key (SGX needs RSA-3072, e = 3)");
		goto out;
	}
	if (!EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n) ||
	    !EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &ex)) {
		rc = cove_error_set(e, COVE_ERR_CRYPTO, "enclave signing key: cannot read RSA parameters");
		goto out;
	}
	if (BN_num_bits(n) != COVE_SIGSTRUCT_KEY_BITS) {
		rc = cove_error_set(e, COVE_ERR_ARG, "enclave signing key: RSA-%d, SGX needs RSA-3072", BN_num_bits(n));
		goto out;
	}
	if (!BN_is_word(ex, COVE_SIGSTRUCT_EXPONENT)) {
		char *hex = BN_bn2hex(ex);
		rc = cove_error_set(e, COVE_ERR_ARG, "enclave signing key: public exponent 0x%s, SGX needs 3",
				    hex ? hex : "?");
		OPENSSL_free(hex);
		goto out;
	}
	if (BN_bn2lebinpad(n, modulus, COVE_SIGSTRUCT_KEY_SIZE) != COVE_SIGSTRUCT_KEY_SIZE)
		rc = cove_error_set(e, COVE_ERR_INTERNAL, "enclave signing key: modulus does not fit 384 bytes");
out:
	BN_free(n);
	BN_free(ex);
	return rc;
}

/* Q1 = floor(S^2 / M), Q2 = floor((S^3 - Q1*S*M) / M), little-endian. */
static cove_err compute_q(const uint8_t sig_le[COVE_SIGSTRUCT_KEY_SIZE], const uint8_t mod_le[COVE_SIGSTRUCT_KEY_SIZE],
			  uint8_t q1_le[COVE_SIGSTRUCT_KEY_SIZE], uint8_t q2_le[COVE_SIGSTRUCT_KEY_SIZE], cove_error *e)
{
	cove_err rc = COVE_OK;
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *s = BN_lebin2bn(sig_le, COVE_SIGSTRUCT_KEY_SIZE, NULL);
	BIGNUM *m = BN_lebin2bn(mod_le, COVE_SIGSTRUCT_KEY_SIZE, NULL);
	BIGNUM *t = BN_new(), *q1 = BN_new(), *q2 = BN_new(), *u = BN_new();
	if (!ctx || !s || !m || !t || !q1 || !q2 || !u) {
		rc = cove_error_set(e, COVE_ERR_NOMEM, "SIGSTRUCT: out of memory computing Q1/Q2");
		goto out;
	}
	if (BN_is_zero(m)) {
		rc = cove_error_set(e, COVE_ERR_VERIFY, "SIGSTRUCT: MODULUS is zero");
		goto out;
	}
	/* t = S^2; q1 = t / M; t = S^3 - q1*S*M = S * (S^2 - q1*M); q2 = t / M */
	if (!BN_sqr(t, s, ctx) || !BN_div(q1, NULL, t, m, ctx) || !BN_mul(u, q1, m, ctx) || !BN_sub(t, t, u) ||
	    !BN_mul(t, t, s, ctx) || !BN_div(q2, NULL, t, m, ctx)) {
		rc = cove_error_set(e, COVE_ERR_CRYPTO, "SIGSTRUCT: Q1/Q2 arithmetic failed");
		goto out;
	}
	/* Both are below M when S < M; a larger (forged) S would overflow 384 bytes. */
	if (BN_bn2lebinpad(q1, q1_le, COVE_SIGSTRUCT_KEY_SIZE) != COVE_SIGSTRUCT_KEY_SIZE ||
	    BN_bn2lebinpad(q2, q2_le, COVE_SIGSTRUCT_KEY_SIZE) != COVE_SIGSTRUCT_KEY_SIZE)
		rc = cove_error_set(e, COVE_ERR_VERIFY, "SIGSTRUCT: Q1/Q2 do not fit 384 bytes (SIGNATURE >= MODULUS)");
out:
	BN_free(s);
	BN_free(m);
	BN_free(t);
	BN_free(q1);
	BN_free(q2);
	BN_free(u);
	BN_CTX_free(ctx);
	return rc;
}

cove_err cove_sigstruct_sign(cove_pkey *key, const cove_sigstruct_fields *f, uint8_t out[COVE_SIGSTRUCT_SIZE],
			     cove_error *e)
{
	cove_sigstruct s;
	uint8_t msg[SS_SIGNED1_LEN + SS_SIGNED2_LEN], sig_be[COVE_SIGSTRUCT_KEY_SIZE];
	size_t sig_len = sizeof(sig_be);
	EVP_MD_CTX *md = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	cove_err rc;
	if (!f || !out)
		return cove_error_set(e, COVE_ERR_ARG, "SIGSTRUCT: missing fields or output");
	memset(out, 0, COVE_SIGSTRUCT_SIZE); /* nothing half-signed is left on failure */
	if (f->type & ~COVE_SIGSTRUCT_TYPE_DEBUG)
		return cove_error_set(e, COVE_ERR_ARG, "SIGSTRUCT: TYPE 0x%08x has reserved bits 30:0 set", f->type);
	if (f->module_vendor != 0 && f->module_vendor != COVE_SIGSTRUCT_VENDOR_INTEL)
		return cove_error_set(e, COVE_ERR_ARG, "SIGSTRUCT: MODULEVENDOR 0x%08x, must be 0x8086 or 0",
				      f->module_vendor);
	memset(&s, 0, sizeof(s));
	s.f = *f;
	s.exponent = COVE_SIGSTRUCT_EXPONENT;
	if ((rc = key_modulus(key, s.modulus, e)))
		goto out;
	cove_sigstruct_encode(&s, out);
	signed_bytes(out, msg);

	if (!(md = EVP_MD_CTX_new()) || EVP_DigestSignInit(md, &pctx, EVP_sha256(), NULL, key) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1 ||
	    EVP_DigestSign(md, sig_be, &sig_len, msg, sizeof(msg)) != 1 || sig_len != sizeof(sig_be)) {
		rc = cove_error_set(e, COVE_ERR_CRYPTO, "SIGSTRUCT: RSA signing failed: %s", cove_openssl_error());
		goto out;
	}
	reverse_copy(s.signature, sig_be, COVE_SIGSTRUCT_KEY_SIZE);
	if ((rc = compute_q(s.signature, s.modulus, s.q1, s.q2, e)))
		goto out;
	cove_sigstruct_encode(&s, out);
out:
	EVP_MD_CTX_free(md);
	if (rc)
		memset(out, 0, COVE_SIGSTRUCT_SIZE);
	return rc;
}

/* An RSA public key from the SIGSTRUCT's little-endian modulus and exponent 3. */
static cove_err public_key(const uint8_t mod_le[COVE_SIGSTRUCT_KEY_SIZE], EVP_PKEY **out, cove_error *e)
{
	cove_err rc = COVE_OK;
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	BIGNUM *n = BN_lebin2bn(mod_le, COVE_SIGSTRUCT_KEY_SIZE, NULL), *ex = BN_new();
	*out = NULL;
	if (!bld || !ctx || !n || !ex || !BN_set_word(ex, COVE_SIGSTRUCT_EXPONENT) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, ex) || !(params = OSSL_PARAM_BLD_to_param(bld))) {
		rc = cove_error_set(e, COVE_ERR_NOMEM, "SIGSTRUCT: cannot build the public key");
		goto out;
	}
	if (EVP_PKEY_fromdata_init(ctx) != 1 || EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) != 1)
		rc = cove_error_set(e, COVE_ERR_VERIFY, "SIGSTRUCT: MODULUS is not a usable RSA modulus: %s",
				    cove_openssl_error());
out:
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	BN_free(n);
	BN_free(ex);
	return rc;
}

cove_err cove_sigstruct_verify(const uint8_t sig[COVE_SIGSTRUCT_SIZE], cove_error *e)
{
	cove_sigstruct s;
	uint8_t msg[SS_SIGNED1_LEN + SS_SIGNED2_LEN], sig_be[COVE_SIGSTRUCT_KEY_SIZE];
	uint8_t q1[COVE_SIGSTRUCT_KEY_SIZE], q2[COVE_SIGSTRUCT_KEY_SIZE];
	EVP_PKEY *pub = NULL;
	EVP_MD_CTX *md = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	cove_err rc;
	if ((rc = cove_sigstruct_parse(sig, COVE_SIGSTRUCT_SIZE, &s, e)))
		return rc;
	/* The top bit must be set: EINIT uses a full 3072-bit modulus. */
	if (!(s.modulus[COVE_SIGSTRUCT_KEY_SIZE - 1] & 0x80))
		return cove_error_set(e, COVE_ERR_VERIFY, "SIGSTRUCT: MODULUS at offset %d is not a 3072-bit number",
				      SS_OFF_MODULUS);
	if ((rc = public_key(s.modulus, &pub, e)))
		return rc;
	signed_bytes(sig, msg);
	reverse_copy(sig_be, s.signature, COVE_SIGSTRUCT_KEY_SIZE);
	if (!(md = EVP_MD_CTX_new()) || EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, pub) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) {
		rc = cove_error_set(e, COVE_ERR_CRYPTO, "SIGSTRUCT: cannot set up RSA verification: %s",
				    cove_openssl_error());
		goto out;
	}
	if (EVP_DigestVerify(md, sig_be, sizeof(sig_be), msg, sizeof(msg)) != 1) {
		ERR_clear_error(); /* a bad signature is an answer, not a library failure */
		rc = cove_error_set(e, COVE_ERR_VERIFY,
				    "SIGSTRUCT: SIGNATURE (offset %d) does not verify over bytes 0..127 and 900..1027 "
				    "with the embedded MODULUS",
				    SS_OFF_SIGNATURE);
		goto out;
	}
	if ((rc = compute_q(s.signature, s.modulus, q1, q2, e)))
		goto out;
	if (memcmp(q1, s.q1, sizeof(q1)) != 0) {
		rc = cove_error_set(e, COVE_ERR_VERIFY, "SIGSTRUCT: Q1 (offset %d) is not floor(S^2 / M)", SS_OFF_Q1);
		goto out;
	}
	if (memcmp(q2, s.q2, sizeof(q2)) != 0)
		rc = cove_error_set(e, COVE_ERR_VERIFY, "SIGSTRUCT: Q2 (offset %d) is not floor((S^3 - Q1*S*M) / M)",
				    SS_OFF_Q2);
out:
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pub);
	return rc;
}

cove_err cove_sigstruct_mrsigner(const cove_sigstruct *s, uint8_t out[COVE_SHA256_LEN], cove_error *e)
{
	if (!s || !out)
		return cove_error_set(e, COVE_ERR_ARG, "SIGSTRUCT MRSIGNER: missing input or output");
	return cove_digest(COVE_SHA256, s->modulus, COVE_SIGSTRUCT_KEY_SIZE, out, e);
}

cove_err cove_sigstruct_key_mrsigner(cove_pkey *key, uint8_t out[COVE_SHA256_LEN], cove_error *e)
{
	uint8_t modulus[COVE_SIGSTRUCT_KEY_SIZE];
	cove_err rc;
	if (!out)
		return cove_error_set(e, COVE_ERR_ARG, "enclave signing key MRSIGNER: missing output");
	if ((rc = key_modulus(key, modulus, e)))
		return rc;
	return cove_digest(COVE_SHA256, modulus, sizeof(modulus), out, e);
}

cove_err cove_sigstruct_key_new(cove_pkey **out, cove_error *e)
{
	EVP_PKEY_CTX *ctx = NULL;
	BIGNUM *ex = NULL;
	EVP_PKEY *k = NULL;
	cove_err rc = COVE_OK;
	if (!out)
		return cove_error_set(e, COVE_ERR_ARG, "enclave signing key: missing output");
	*out = NULL;
	ex = BN_new();
	if (!ex || !BN_set_word(ex, COVE_SIGSTRUCT_EXPONENT) || !(ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) ||
	    EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, COVE_SIGSTRUCT_KEY_BITS) != 1 ||
	    EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx, ex) != 1 || EVP_PKEY_generate(ctx, &k) != 1) {
		rc = cove_error_set(e, COVE_ERR_CRYPTO, "cannot generate an RSA-3072 e=3 key: %s", cove_openssl_error());
		goto out;
	}
	*out = k;
out:
	EVP_PKEY_CTX_free(ctx);
	BN_free(ex);
	return rc;
}

cove_err cove_sigstruct_key_write(cove_pkey *key, const char *path, bool force, cove_error *e)
{
	BIO *b = NULL;
	char *pem;
	long n;
	int fd = -1, err = 0;
	cove_err rc = COVE_OK;
	uint8_t modulus[COVE_SIGSTRUCT_KEY_SIZE];
	if (!path)
		return cove_error_set(e, COVE_ERR_ARG, "enclave signing key: missing path");
	if ((rc = key_modulus(key, modulus, e)))
		return rc;
	if (!(b = BIO_new(BIO_s_mem())) || PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL) != 1) {
		rc = cove_error_set(e, COVE_ERR_CRYPTO, "cannot encode the key: %s", cove_openssl_error());
		goto out;
	}
	n = BIO_get_mem_data(b, &pem);
	/* O_EXCL: never follow a planted link or reuse a file whose mode we did not choose. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST && force) {
		if (unlink(path) != 0) {
			rc = cove_error_set(e, COVE_ERR_IO, "cannot replace %s: %s", path, strerror(errno));
			goto out;
		}
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	}
	if (fd < 0) {
		if (errno == EEXIST)
			rc = cove_error_set(e, COVE_ERR_ARG, "%s exists; refusing to overwrite a key without --force",
					    path);
		else
			rc = cove_error_set(e, COVE_ERR_IO, "cannot create %s: %s", path, strerror(errno));
		goto out;
	}
	/* The umask may have cleared bits but never adds any; make the mode exact. */
	if (fchmod(fd, 0600) != 0)
		err = errno;
	for (size_t off = 0; !err && off < (size_t)n;) {
		ssize_t w = write(fd, pem + off, (size_t)n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			err = w < 0 ? errno : EIO;
		else
			off += (size_t)w;
	}
	if (close(fd) != 0 && !err)
		err = errno;
	if (err) {
		unlink(path);
		rc = cove_error_set(e, COVE_ERR_IO, "cannot write %s: %s", path, strerror(err));
	}
out:
	BIO_free(b);
	return rc;
}
