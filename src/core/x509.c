/*
 * X.509 certificates and CRLs over OpenSSL 3 (see include/cove/crypto.h).
 *
 * Verification always happens at an explicit time given by the caller, so
 * that tests can pin it and relying parties can ask "was this valid then".
 * RSASSA-PSS parameters (RFC 4055 section 3.1) are checked here explicitly,
 * because X509_verify() accepts whatever parameters a certificate declares.
 */
#include <string.h>

#include <openssl/asn1t.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cove/crypto.h"

void cove_x509_free(cove_x509 *c)
{
	X509_free(c);
}

cove_x509 *cove_x509_ref(cove_x509 *c)
{
	if (c)
		X509_up_ref(c);
	return c;
}

void cove_x509_list_free(cove_x509_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->count; i++)
		X509_free(l->certs[i]);
	free(l->certs);
	l->certs = NULL;
	l->count = 0;
}

cove_err cove_x509_list_add(cove_x509_list *l, cove_x509 *cert, cove_error *e)
{
	cove_x509 **n = realloc(l->certs, (l->count + 1) * sizeof(*n));
	if (!n)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	l->certs = n;
	l->certs[l->count++] = cove_x509_ref(cert);
	return COVE_OK;
}

static bool looks_pem(const void *data, size_t len)
{
	return len >= 11 && memmem(data, len, "-----BEGIN ", 11) != NULL;
}

cove_err cove_x509_list_parse(cove_x509_list *l, const void *data, size_t len, cove_error *e)
{
	if (len > INT32_MAX)
		return cove_error_set(e, COVE_ERR_PARSE, "certificate data too large");
	if (!looks_pem(data, len)) {
		cove_x509 *c = NULL;
		cove_err rc = cove_x509_parse(data, len, &c, e);
		if (rc)
			return rc;
		rc = cove_x509_list_add(l, c, e);
		X509_free(c);
		return rc;
	}
	BIO *b = BIO_new_mem_buf(data, (int)len);
	size_t before = l->count;
	cove_err rc = COVE_OK;
	if (!b)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	for (;;) {
		X509 *c = PEM_read_bio_X509(b, NULL, NULL, NULL);
		if (!c) {
			unsigned long err = ERR_peek_last_error();
			if (ERR_GET_REASON(err) == PEM_R_NO_START_LINE && l->count > before) {
				ERR_clear_error();
				break;
			}
			rc = cove_error_set(e, COVE_ERR_PARSE, "PEM certificate %zu is malformed: %s",
					    l->count - before + 1, cove_openssl_error());
			break;
		}
		rc = cove_x509_list_add(l, c, e);
		X509_free(c);
		if (rc)
			break;
	}
	BIO_free(b);
	return rc;
}

cove_err cove_x509_parse(const void *data, size_t len, cove_x509 **out, cove_error *e)
{
	X509 *c = NULL;
	if (len > INT32_MAX)
		return cove_error_set(e, COVE_ERR_PARSE, "certificate data too large");
	if (looks_pem(data, len)) {
		BIO *b = BIO_new_mem_buf(data, (int)len);
		if (b)
			c = PEM_read_bio_X509(b, NULL, NULL, NULL);
		BIO_free(b);
	} else {
		const unsigned char *p = data;
		c = d2i_X509(NULL, &p, (long)len);
		if (c && p != (const unsigned char *)data + len) {
			X509_free(c);
			return cove_error_set(e, COVE_ERR_PARSE, "%zu trailing bytes after the DER certificate",
					      (size_t)((const unsigned char *)data + len - p));
		}
	}
	if (!c)
		return cove_error_set(e, COVE_ERR_PARSE, "not an X.509 certificate: %s", cove_openssl_error());
	*out = c;
	return COVE_OK;
}

cove_pkey *cove_x509_pubkey(cove_x509 *c)
{
	return X509_get0_pubkey(c);
}

bool cove_x509_is_self_issued(cove_x509 *c)
{
	return X509_NAME_cmp(X509_get_subject_name(c), X509_get_issuer_name(c)) == 0;
}

void cove_x509_subject_cn(cove_x509 *c, char *out, size_t out_len)
{
	out[0] = '\0';
	if (X509_NAME_get_text_by_NID(X509_get_subject_name(c), NID_commonName, out, (int)out_len) < 0)
		out[0] = '\0';
}

void cove_x509_subject(cove_x509 *c, char *out, size_t out_len)
{
	BIO *b = BIO_new(BIO_s_mem());
	out[0] = '\0';
	if (!b)
		return;
	X509_NAME_print_ex(b, X509_get_subject_name(c), 0, XN_FLAG_RFC2253);
	int n = BIO_read(b, out, (int)out_len - 1);
	out[n > 0 ? n : 0] = '\0';
	BIO_free(b);
}

void cove_x509_serial_hex(cove_x509 *c, char *out, size_t out_len)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(c), NULL);
	char *h = bn ? BN_bn2hex(bn) : NULL;
	out[0] = '\0';
	if (h) {
		const char *p = h;
		while (p[0] == '0' && p[1])
			p++;
		snprintf(out, out_len, "%s", p);
		for (char *q = out; *q; q++)
			if (*q >= 'A' && *q <= 'F')
				*q = (char)(*q - 'A' + 'a');
	}
	OPENSSL_free(h);
	BN_free(bn);
}

cove_err cove_x509_der(cove_x509 *c, cove_buf *out, cove_error *e)
{
	unsigned char *der = NULL;
	int n = i2d_X509(c, &der);
	if (n <= 0)
		return cove_error_set(e, COVE_ERR_CRYPTO, "cannot encode certificate: %s", cove_openssl_error());
	cove_err rc = cove_buf_set(out, der, (size_t)n, e);
	OPENSSL_free(der);
	return rc;
}

static int64_t asn1_time_to_unix(const ASN1_TIME *t)
{
	struct tm tm;
	if (!t || !ASN1_TIME_to_tm(t, &tm))
		return 0;
	int64_t secs;
	/* timegm without _DEFAULT_SOURCE: OpenSSL converts for us. */
	ASN1_TIME *epoch = ASN1_TIME_set(NULL, 0);
	int day = 0, sec = 0;
	if (!epoch || !ASN1_TIME_diff(&day, &sec, epoch, t)) {
		ASN1_TIME_free(epoch);
		return 0;
	}
	ASN1_TIME_free(epoch);
	secs = (int64_t)day * 86400 + sec;
	return secs;
}

int64_t cove_x509_not_before(cove_x509 *c)
{
	return asn1_time_to_unix(X509_get0_notBefore(c));
}

int64_t cove_x509_not_after(cove_x509 *c)
{
	return asn1_time_to_unix(X509_get0_notAfter(c));
}

cove_err cove_x509_spki_sha256(cove_x509 *c, uint8_t out[COVE_SHA256_LEN], cove_error *e)
{
	/* Encode the certificate's own SubjectPublicKeyInfo: much cheaper than re-encoding the key. */
	unsigned char *der = NULL;
	int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(c), &der);
	if (n <= 0)
		return cove_error_set(e, COVE_ERR_PARSE, "certificate has an unreadable public key");
	cove_err rc = cove_digest(COVE_SHA256, der, (size_t)n, out, e);
	OPENSSL_free(der);
	return rc;
}

cove_err cove_x509_extension(cove_x509 *c, const char *oid, const uint8_t **data, size_t *len, bool *found,
			     cove_error *e)
{
	ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
	*found = false;
	if (!obj)
		return cove_error_set(e, COVE_ERR_ARG, "bad OID %s", oid);
	int idx = X509_get_ext_by_OBJ(c, obj, -1);
	ASN1_OBJECT_free(obj);
	if (idx < 0)
		return COVE_OK;
	if (X509_get_ext_by_OBJ(c, X509_EXTENSION_get_object(X509_get_ext(c, idx)), idx) >= 0)
		return cove_error_set(e, COVE_ERR_PARSE, "extension %s appears more than once", oid);
	ASN1_OCTET_STRING *os = X509_EXTENSION_get_data(X509_get_ext(c, idx));
	*data = ASN1_STRING_get0_data(os);
	*len = (size_t)ASN1_STRING_length(os);
	*found = true;
	return COVE_OK;
}

static int nid_of_hash(cove_hash h)
{
	return h == COVE_SHA256 ? NID_sha256 : h == COVE_SHA384 ? NID_sha384 : NID_sha512;
}

/* Check that `alg` is RSASSA-PSS with hash h, MGF1(h) and the given salt length. */
static cove_err check_pss_alg(const X509_ALGOR *alg, cove_hash h, int salt_len, const char *what, cove_error *e)
{
	const ASN1_OBJECT *oid;
	int ptype;
	const void *pval;
	cove_err rc = COVE_OK;
	RSA_PSS_PARAMS *pss = NULL;
	X509_ALGOR *mgf_hash = NULL;

	X509_ALGOR_get0(&oid, &ptype, &pval, alg);
	if (OBJ_obj2nid(oid) != NID_rsassaPss) {
		char name[80];
		OBJ_obj2txt(name, sizeof(name), oid, 0);
		return cove_error_set(e, COVE_ERR_VERIFY, "%s is signed with %s, not RSASSA-PSS", what, name);
	}
	if (ptype != V_ASN1_SEQUENCE)
		return cove_error_set(e, COVE_ERR_VERIFY, "%s: RSASSA-PSS parameters missing", what);
	pss = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(RSA_PSS_PARAMS), alg->parameter);
	if (!pss) {
		rc = cove_error_set(e, COVE_ERR_VERIFY, "%s: malformed RSASSA-PSS parameters", what);
		goto out;
	}
	int want = nid_of_hash(h);
	int hnid = pss->hashAlgorithm ? OBJ_obj2nid(pss->hashAlgorithm->algorithm) : NID_sha1;
	if (hnid != want) {
		rc = cove_error_set(e, COVE_ERR_VERIFY, "%s: RSASSA-PSS hash is %s, expected %s", what, OBJ_nid2sn(hnid),
				    OBJ_nid2sn(want));
		goto out;
	}
	if (!pss->maskGenAlgorithm || OBJ_obj2nid(pss->maskGenAlgorithm->algorithm) != NID_mgf1 ||
	    !pss->maskGenAlgorithm->parameter ||
	    !(mgf_hash = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(X509_ALGOR), pss->maskGenAlgorithm->parameter)) ||
	    OBJ_obj2nid(mgf_hash->algorithm) != want) {
		rc = cove_error_set(e, COVE_ERR_VERIFY, "%s: RSASSA-PSS mask generation is not MGF1 with %s", what,
				    OBJ_nid2sn(want));
		goto out;
	}
	long salt = pss->saltLength ? ASN1_INTEGER_get(pss->saltLength) : 20;
	if (salt != salt_len) {
		rc = cove_error_set(e, COVE_ERR_VERIFY, "%s: RSASSA-PSS salt length is %ld, expected %d", what, salt,
				    salt_len);
		goto out;
	}
out:
	X509_ALGOR_free(mgf_hash);
	RSA_PSS_PARAMS_free(pss);
	return rc;
}

cove_err cove_x509_check_pss_signature(cove_x509 *cert, cove_pkey *issuer_key, cove_hash h, int salt_len,
				       cove_error *e)
{
	const X509_ALGOR *alg;
	X509_get0_signature(NULL, &alg, cert);
	cove_err rc = check_pss_alg(alg, h, salt_len, "certificate", e);
	if (rc)
		return rc;
	/* The outer and inner (TBS) algorithm identifiers must agree (RFC 5280 4.1.1.2). */
	if (X509_ALGOR_cmp(alg, X509_get0_tbs_sigalg(cert)) != 0)
		return cove_error_set(e, COVE_ERR_VERIFY, "certificate signature algorithm differs from its TBS copy");
	return cove_x509_check_signature(cert, issuer_key, e);
}

cove_err cove_x509_check_signature(cove_x509 *cert, cove_pkey *issuer_key, cove_error *e)
{
	if (X509_verify(cert, issuer_key) != 1) {
		ERR_clear_error();
		return cove_error_set(e, COVE_ERR_VERIFY, "certificate signature does not verify");
	}
	return COVE_OK;
}

cove_err cove_x509_check_validity(cove_x509 *cert, int64_t at, cove_error *e)
{
	char when[32], edge[32];
	cove_time_format(at, when);
	int64_t nb = cove_x509_not_before(cert), na = cove_x509_not_after(cert);
	if (at < nb) {
		cove_time_format(nb, edge);
		return cove_error_set(e, COVE_ERR_VERIFY, "not yet valid at %s (valid from %s)", when, edge);
	}
	if (at > na) {
		cove_time_format(na, edge);
		return cove_error_set(e, COVE_ERR_VERIFY, "expired at %s (valid until %s)", when, edge);
	}
	return COVE_OK;
}

cove_err cove_x509_verify_path(cove_x509 *leaf, const cove_x509_list *intermediates, cove_x509 *anchor, int64_t at,
			       cove_x509_list *chain, cove_error *e)
{
	cove_err rc = COVE_OK;
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *untrusted = sk_X509_new_null();

	if (!store || !ctx || !untrusted || X509_STORE_add_cert(store, anchor) != 1) {
		rc = cove_error_set(e, COVE_ERR_NOMEM, "cannot set up certificate verification");
		goto out;
	}
	for (size_t i = 0; intermediates && i < intermediates->count; i++) {
		if (!sk_X509_push(untrusted, intermediates->certs[i])) {
			rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
			goto out;
		}
	}
	if (X509_STORE_CTX_init(ctx, store, leaf, untrusted) != 1) {
		rc = cove_error_set(e, COVE_ERR_CRYPTO, "cannot start path verification: %s", cove_openssl_error());
		goto out;
	}
	X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_time(param, (time_t)at);
	/* Not X509_V_FLAG_X509_STRICT: AMD VCEKs carry no authority key identifier. */
	X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
	if (X509_verify_cert(ctx) != 1) {
		int err = X509_STORE_CTX_get_error(ctx);
		int depth = X509_STORE_CTX_get_error_depth(ctx);
		X509 *bad = X509_STORE_CTX_get_current_cert(ctx);
		char cn[128] = "?";
		if (bad)
			cove_x509_subject_cn(bad, cn, sizeof(cn));
		ERR_clear_error();
		rc = cove_error_set(e, COVE_ERR_VERIFY, "certificate '%s' (depth %d): %s", cn, depth,
				    X509_verify_cert_error_string(err));
		goto out;
	}
	if (chain) {
		STACK_OF(X509) *path = X509_STORE_CTX_get0_chain(ctx);
		for (int i = 0; i < sk_X509_num(path); i++) {
			if ((rc = cove_x509_list_add(chain, sk_X509_value(path, i), e)))
				goto out;
		}
	}
out:
	sk_X509_free(untrusted);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return rc;
}

/* ---- CRL ---- */

cove_err cove_x509_crl_parse(const void *data, size_t len, cove_x509_crl **out, cove_error *e)
{
	X509_CRL *crl = NULL;
	if (len > INT32_MAX)
		return cove_error_set(e, COVE_ERR_PARSE, "CRL data too large");
	if (looks_pem(data, len)) {
		BIO *b = BIO_new_mem_buf(data, (int)len);
		if (b)
			crl = PEM_read_bio_X509_CRL(b, NULL, NULL, NULL);
		BIO_free(b);
	} else {
		const unsigned char *p = data;
		crl = d2i_X509_CRL(NULL, &p, (long)len);
		if (crl && p != (const unsigned char *)data + len) {
			X509_CRL_free(crl);
			return cove_error_set(e, COVE_ERR_PARSE, "trailing bytes after the DER CRL");
		}
	}
	if (!crl)
		return cove_error_set(e, COVE_ERR_PARSE, "not an X.509 CRL: %s", cove_openssl_error());
	*out = crl;
	return COVE_OK;
}

void cove_x509_crl_free(cove_x509_crl *crl)
{
	X509_CRL_free(crl);
}

cove_err cove_x509_crl_der(cove_x509_crl *crl, cove_buf *out, cove_error *e)
{
	unsigned char *der = NULL;
	int n = i2d_X509_CRL(crl, &der);
	if (n <= 0)
		return cove_error_set(e, COVE_ERR_CRYPTO, "cannot encode CRL: %s", cove_openssl_error());
	cove_err rc = cove_buf_set(out, der, (size_t)n, e);
	OPENSSL_free(der);
	return rc;
}

int64_t cove_x509_crl_this_update(cove_x509_crl *crl)
{
	return asn1_time_to_unix(X509_CRL_get0_lastUpdate(crl));
}

int64_t cove_x509_crl_next_update(cove_x509_crl *crl)
{
	return asn1_time_to_unix(X509_CRL_get0_nextUpdate(crl));
}

cove_err cove_x509_crl_check_signature(cove_x509_crl *crl, cove_pkey *issuer_key, cove_error *e)
{
	if (X509_CRL_verify(crl, issuer_key) != 1) {
		ERR_clear_error();
		return cove_error_set(e, COVE_ERR_VERIFY, "CRL signature does not verify");
	}
	return COVE_OK;
}

bool cove_x509_crl_lists(cove_x509_crl *crl, cove_x509 *cert)
{
	X509_REVOKED *r = NULL;
	return X509_CRL_get0_by_serial(crl, &r, (ASN1_INTEGER *)X509_get0_serialNumber(cert)) == 1;
}

bool cove_x509_crl_issued_by(cove_x509_crl *crl, cove_x509 *issuer)
{
	return X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer)) == 0;
}

cove_err cove_x509_crl_check_pss(cove_x509_crl *crl, cove_hash h, int salt_len, cove_error *e)
{
	const X509_ALGOR *alg;
	X509_CRL_get0_signature(crl, NULL, &alg);
	return check_pss_alg(alg, h, salt_len, "CRL", e);
}

bool cove_x509_is_issuer_of(cove_x509 *issuer, cove_x509 *subject)
{
	return X509_check_issued(issuer, subject) == X509_V_OK;
}

bool cove_x509_is_ca(cove_x509 *c)
{
	return X509_check_ca(c) == 1;
}

cove_err cove_x509_sha256(cove_x509 *c, uint8_t out[COVE_SHA256_LEN], cove_error *e)
{
	unsigned int n = COVE_SHA256_LEN;
	if (X509_digest(c, EVP_sha256(), out, &n) != 1)
		return cove_error_set(e, COVE_ERR_CRYPTO, "cannot hash certificate: %s", cove_openssl_error());
	return COVE_OK;
}

cove_err cove_x509_crl_sha256(cove_x509_crl *crl, uint8_t out[COVE_SHA256_LEN], cove_error *e)
{
	unsigned int n = COVE_SHA256_LEN;
	if (X509_CRL_digest(crl, EVP_sha256(), out, &n) != 1)
		return cove_error_set(e, COVE_ERR_CRYPTO, "cannot hash CRL: %s", cove_openssl_error());
	return COVE_OK;
}
