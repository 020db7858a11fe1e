/*
 * Digests, ECDSA with raw (r, s) integers, RSA-PSS and key handling over
 * OpenSSL 3 EVP interfaces (see include/cove/crypto.h).
 *
 * AMD SEV-SNP stores ECDSA signatures as two 72-byte little-endian integers
 * (SEV-SNP ABI spec 56860, "Signature format"); Intel DCAP stores 32-byte
 * big-endian ones.  Both are converted to a DER ECDSA-Sig-Value here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "cove/crypto.h"

const char *cove_openssl_error(void)
{
	static thread_local char buf[256];
	unsigned long code = ERR_peek_last_error();
	if (!code)
		return "no detail from OpenSSL";
	ERR_error_string_n(code, buf, sizeof(buf));
	ERR_clear_error();
	return buf;
}

static const EVP_MD *md_of(cove_hash h)
{
	switch (h) {
	case COVE_SHA256: return EVP_sha256();
	case COVE_SHA384: return EVP_sha384();
	case COVE_SHA512: return EVP_sha512();
	}
	return NULL;
}

size_t cove_hash_len(cove_hash h)
{
	switch (h) {
	case COVE_SHA256: return COVE_SHA256_LEN;
	case COVE_SHA384: return COVE_SHA384_LEN;
	case COVE_SHA512: return COVE_SHA512_LEN;
	}
	return 0;
}

cove_err cove_digest(cove_hash h, const void *data, size_t len, uint8_t *out, cove_error *e)
{
	const EVP_MD *md = md_of(h);
	if (!md)
		return cove_error_set(e, COVE_ERR_ARG, "unknown hash algorithm %d", (int)h);
	if (!EVP_Digest(data, len, out, NULL, md, NULL))
		return cove_error_set(e, COVE_ERR_CRYPTO, "digest failed: %s", cove_openssl_error());
	return COVE_OK;
}

struct cove_hash_ctx {
	EVP_MD_CTX *md_ctx;
	const EVP_MD *md;
};

cove_err cove_hash_ctx_new(cove_hash h, cove_hash_ctx **out, cove_error *e)
{
	cove_hash_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	c->md = md_of(h);
	c->md_ctx = EVP_MD_CTX_new();
	if (!c->md || !c->md_ctx || !EVP_DigestInit_ex(c->md_ctx, c->md, NULL)) {
		cove_hash_ctx_free(c);
		return cove_error_set(e, COVE_ERR_CRYPTO, "cannot start digest: %s", cove_openssl_error());
	}
	*out = c;
	return COVE_OK;
}

cove_err cove_hash_ctx_update(cove_hash_ctx *c, const void *data, size_t len, cove_error *e)
{
	if (!EVP_DigestUpdate(c->md_ctx, data, len))
		return cove_error_set(e, COVE_ERR_CRYPTO, "digest update failed: %s", cove_openssl_error());
	return COVE_OK;
}

cove_err cove_hash_ctx_final(cove_hash_ctx *c, uint8_t *out, cove_error *e)
{
	if (!EVP_DigestFinal_ex(c->md_ctx, out, NULL) || !EVP_DigestInit_ex(c->md_ctx, c->md, NULL))
		return cove_error_set(e, COVE_ERR_CRYPTO, "digest final failed: %s", cove_openssl_error());
	return COVE_OK;
}

void cove_hash_ctx_free(cove_hash_ctx *c)
{
	if (!c)
		return;
	EVP_MD_CTX_free(c->md_ctx);
	free(c);
}

void cove_random_bytes(void *out, size_t len)
{
	if (RAND_bytes(out, (int)len) != 1)
		abort(); /* no safe way to continue without randomness */
}

static BIGNUM *bn_from(const uint8_t *p, size_t width, bool le)
{
	return le ? BN_lebin2bn(p, (int)width, NULL) : BN_bin2bn(p, (int)width, NULL);
}

cove_err cove_ecdsa_verify_raw(cove_pkey *pub, cove_hash h, const void *msg, size_t msg_len, const uint8_t *r,
			       const uint8_t *s, size_t width, bool le, cove_error *e)
{
	cove_err rc = COVE_OK;
	ECDSA_SIG *sig = ECDSA_SIG_new();
	BIGNUM *br = bn_from(r, width, le), *bs = bn_from(s, width, le);
	unsigned char *der = NULL;
	EVP_MD_CTX *ctx = NULL;
	int der_len;

	if (!sig || !br || !bs) {
		rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (BN_is_zero(br) || BN_is_zero(bs)) {
		rc = cove_error_set(e, COVE_ERR_VERIFY, "signature component is zero");
		goto out;
	}
	ECDSA_SIG_set0(sig, br, bs);
	br = bs = NULL;
	der_len = i2d_ECDSA_SIG(sig, &der);
	if (der_len <= 0) {
		rc = cove_error_set(e, COVE_ERR_CRYPTO, "cannot encode signature: %s", cove_openssl_error());
		goto out;
	}
	ctx = EVP_MD_CTX_new();
	if (!ctx || EVP_DigestVerifyInit(ctx, NULL, md_of(h), NULL, pub) != 1) {
		rc = cove_error_set(e, COVE_ERR_CRYPTO, "cannot start ECDSA verification: %s", cove_openssl_error());
		goto out;
	}
	if (EVP_DigestVerify(ctx, der, (size_t)der_len, msg, msg_len) != 1) {
		ERR_clear_error();
		rc = cove_error_set(e, COVE_ERR_VERIFY, "ECDSA signature does not verify");
		goto out;
	}
out:
	EVP_MD_CTX_free(ctx);
	OPENSSL_free(der);
	BN_free(br);
	BN_free(bs);
	ECDSA_SIG_free(sig);
	return rc;
}

cove_err cove_ecdsa_sign_raw(cove_pkey *priv, cove_hash h, const void *msg, size_t msg_len, uint8_t *r, uint8_t *s,
			     size_t width, bool le, cove_error *e)
{
	cove_err rc = COVE_OK;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char der[256];
	size_t der_len = sizeof(der);
	const unsigned char *p = der;
	ECDSA_SIG *sig = NULL;

	if (!ctx || EVP_DigestSignInit(ctx, NULL, md_of(h), NULL, priv) != 1 ||
	    EVP_DigestSign(ctx, der, &der_len, msg, msg_len) != 1) {
		rc = cove_error_set(e, COVE_ERR_CRYPTO, "ECDSA signing failed: %s", cove_openssl_error());
		goto out;
	}
	sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
	if (!sig) {
		rc = cove_error_set(e, COVE_ERR_CRYPTO, "cannot decode own signature");
		goto out;
	}
	const BIGNUM *br, *bs;
	ECDSA_SIG_get0(sig, &br, &bs);
	int okr = le ? BN_bn2lebinpad(br, r, (int)width) : BN_bn2binpad(br, r, (int)width);
	int oks = le ? BN_bn2lebinpad(bs, s, (int)width) : BN_bn2binpad(bs, s, (int)width);
	if (okr < 0 || oks < 0)
		rc = cove_error_set(e, COVE_ERR_CRYPTO, "signature does not fit %zu bytes", width);
out:
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(ctx);
	return rc;
}

cove_err cove_rsa_pss_verify(cove_pkey *pub, cove_hash h, int salt_len, const void *msg, size_t msg_len,
			     const uint8_t *sig, size_t sig_len, cove_error *e)
{
	cove_err rc = COVE_OK;
	EVP_PKEY_CTX *pctx = NULL;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (!ctx || EVP_DigestVerifyInit(ctx, &pctx, md_of(h), NULL, pub) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md_of(h)) != 1 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt_len) != 1) {
		rc = cove_error_set(e, COVE_ERR_CRYPTO, "cannot start RSA-PSS verification: %s", cove_openssl_error());
		goto out;
	}
	if (EVP_DigestVerify(ctx, sig, sig_len, msg, msg_len) != 1) {
		ERR_clear_error();
		rc = cove_error_set(e, COVE_ERR_VERIFY, "RSA-PSS signature does not verify");
	}
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

static bool pkey_is_curve(cove_pkey *k, const char *curve)
{
	char group[64];
	size_t n = 0;
	return k && EVP_PKEY_is_a(k, "EC") &&
	       EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &n) == 1 &&
	       strcmp(group, curve) == 0;
}

bool cove_pkey_is_ec_p384(cove_pkey *k)
{
	return pkey_is_curve(k, "secp384r1");
}

bool cove_pkey_is_ec_p256(cove_pkey *k)
{
	return pkey_is_curve(k, "prime256v1");
}

cove_err cove_pkey_from_ec_xy(const char *curve, const uint8_t *xy, size_t len, cove_pkey **out, cove_error *e)
{
	const char *group = strcmp(curve, "P-256") == 0 ? "prime256v1" : strcmp(curve, "P-384") == 0 ? "secp384r1" : NULL;
	size_t want = strcmp(curve, "P-256") == 0 ? 64 : 96;
	uint8_t point[1 + 96];
	OSSL_PARAM params[3];
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *key = NULL;
	cove_err rc = COVE_OK;

	if (!group)
		return cove_error_set(e, COVE_ERR_ARG, "unknown curve %s", curve);
	if (len != want)
		return cove_error_set(e, COVE_ERR_PARSE, "a %s public key is %zu bytes of x||y, got %zu", curve, want, len);
	point[0] = 0x04; /* uncompressed SEC1 point */
	memcpy(point + 1, xy, len);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, len + 1);
	params[2] = OSSL_PARAM_construct_end();
	if (!(ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) {
		rc = cove_error_set(e, COVE_ERR_PARSE, "not a valid %s public key: %s", curve, cove_openssl_error());
		goto out;
	}
	*out = key;
out:
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

void cove_pkey_free(cove_pkey *k)
{
	EVP_PKEY_free(k);
}

cove_err cove_pkey_spki_sha256(cove_pkey *k, uint8_t out[COVE_SHA256_LEN], cove_error *e)
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(k, &der);
	if (n <= 0)
		return cove_error_set(e, COVE_ERR_CRYPTO, "cannot encode public key: %s", cove_openssl_error());
	cove_err rc = cove_digest(COVE_SHA256, der, (size_t)n, out, e);
	OPENSSL_free(der);
	return rc;
}

cove_err cove_pkey_load_pem(const char *path, cove_pkey **out, cove_error *e)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return cove_error_set(e, COVE_ERR_IO, "cannot open key %s", path);
	EVP_PKEY *k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (!k)
		return cove_error_set(e, COVE_ERR_PARSE, "%s is not a PEM private key: %s", path, cove_openssl_error());
	*out = k;
	return COVE_OK;
}

cove_err cove_pkey_write_pem(cove_pkey *k, const char *path, cove_error *e)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data;
	long n;
	cove_err rc;
	if (!b || PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) != 1) {
		BIO_free(b);
		return cove_error_set(e, COVE_ERR_CRYPTO, "cannot encode key: %s", cove_openssl_error());
	}
	n = BIO_get_mem_data(b, &data);
	rc = cove_file_write(path, data, (size_t)n, 0600, e);
	BIO_free(b);
	return rc;
}

/* ---- time ---- */

int64_t cove_time_now(void)
{
	return (int64_t)time(NULL);
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	/* Howard Hinnant's algorithm for the proleptic Gregorian calendar. */
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

cove_err cove_time_parse(const char *s, int64_t *out, cove_error *e)
{
	int y, mo, d, h, mi, sec, n = 0;
	if (sscanf(s, "%4d-%2d-%2d%*1[Tt ]%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n == 0)
		return cove_error_set(e, COVE_ERR_PARSE, "'%s' is not an RFC 3339 time (e.g. 2025-07-01T00:00:00Z)", s);
	const char *p = s + n;
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	int64_t off = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om, m = 0;
		if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &m) != 2 || m != 5)
			return cove_error_set(e, COVE_ERR_PARSE, "'%s': bad time-zone offset", s);
		off = (int64_t)(oh * 3600 + om * 60) * (*p == '+' ? 1 : -1);
		p += 6;
	} else {
		return cove_error_set(e, COVE_ERR_PARSE, "'%s': time needs a zone (Z or +HH:MM)", s);
	}
	if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return cove_error_set(e, COVE_ERR_PARSE, "'%s' is not a valid RFC 3339 time", s);
	*out = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec - off;
	return COVE_OK;
}

void cove_time_format(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
