/*
 * Certificates and CRLs of the emulated SEV-SNP platform, made with OpenSSL 3.
 *
 * They copy the shapes of AMD's (AMD 57230 "VCEK Certificate and KDS
 * Interface Specification"; observed on the real certificates described in
 * shared/research/snp.md section b): ARK RSA-4096 self-signed and ASK
 * RSA-4096, both CA certificates valid 25 years with serials in AMD's pattern
 * (0x10000/0x10001 on Milan); a VCEK with an ECDSA P-384 key, serial 0, valid
 * 7 years, no X.509 v3 extensions but AMD's own under 1.3.6.1.4.1.3704.1
 * (structVersion, productName, the SPLs as DER INTEGERs, hwID as raw bytes
 * without a DER wrapper); an empty CRL issued by the ARK.  Everything is
 * signed with RSASSA-PSS, SHA-384, MGF1-SHA-384, salt length 48.
 *
 * The names are cove's own and say so ("... (cove emulated, not AMD)",
 * O=cove emulated platform, OU=platform <first 4 bytes of the ARK key's SPKI
 * SHA-256>); nothing here is AMD's name or key, and CRL distribution points
 * are left out because there is no server to name.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "platform/internal.h"

/*
 * Per-product facts.  CPUID values follow virtee/sev src/lib.rs identify_cpu
 * (Milan family 19h model 01h, Genoa 19h/11h, Turin 1Ah/0x00-0x11); default
 * TCBs and firmware versions are illustrative values of the kind seen in
 * shared/vectors/snp (Milan's microcode SPL 213 needs the two-byte DER
 * INTEGER form, which is worth exercising).
 */
static const plat_product products[] = {
	{COVE_SNP_MILAN, "Milan", "Milan-B0", 0, 0x10000, 0x10001, 0x19, 0x01, 0x01, 64,
	 {.bootloader = 4, .tee = 0, .snp = 22, .microcode = 213}, 1, 55, 29},
	{COVE_SNP_GENOA, "Genoa", "Genoa", 0, 0x20000, 0x20002, 0x19, 0x11, 0x01, 64,
	 {.bootloader = 10, .tee = 0, .snp = 23, .microcode = 84}, 1, 55, 40},
	{COVE_SNP_TURIN, "Turin", "Turin", 1, 0x30000, 0x30001, 0x1A, 0x02, 0x01, 8,
	 {.fmc = 1, .bootloader = 1, .tee = 1, .snp = 4, .microcode = 77}, 1, 55, 47},
};

const plat_product *plat_product_of(cove_snp_product p)
{
	for (size_t i = 0; i < sizeof(products) / sizeof(products[0]); i++)
		if (products[i].product == p)
			return &products[i];
	return NULL;
}

#define AMD_ARC "1.3.6.1.4.1.3704.1."
#define CA_DAYS (25 * 365 + 6)  /* 25 years, as AMD's ARK and ASK */
#define VCEK_DAYS (7 * 365 + 2) /* 7 years, as AMD's VCEKs */

cove_err plat_keygen_rsa(EVP_PKEY **out, cove_error *e)
{
	*out = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)4096);
	if (!*out)
		return cove_error_set(e, COVE_ERR_CRYPTO, "RSA-4096 key generation failed: %s", cove_openssl_error());
	return COVE_OK;
}

cove_err plat_keygen_ec(EVP_PKEY **out, cove_error *e)
{
	*out = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	if (!*out)
		return cove_error_set(e, COVE_ERR_CRYPTO, "P-384 key generation failed: %s", cove_openssl_error());
	return COVE_OK;
}

/* "OU=platform <tag>, O=cove emulated platform, CN=<cn>"; the tag comes from the root key. */
cove_err plat_cert_name(EVP_PKEY *root_pub, const char *cn, X509_NAME **out, cove_error *e)
{
	uint8_t fp[COVE_SHA256_LEN];
	char ou[32];
	cove_err rc = cove_pkey_spki_sha256(root_pub, fp, e);
	if (rc)
		return rc;
	snprintf(ou, sizeof(ou), "platform %02x%02x%02x%02x", fp[0], fp[1], fp[2], fp[3]);
	X509_NAME *n = X509_NAME_new();
	if (!n || !X509_NAME_add_entry_by_txt(n, "OU", MBSTRING_UTF8, (const unsigned char *)ou, -1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(n, "O", MBSTRING_UTF8, (const unsigned char *)COVE_PLATFORM_NAME, -1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0)) {
		X509_NAME_free(n);
		return cove_error_set(e, COVE_ERR_CRYPTO, "cannot build a certificate name: %s", cove_openssl_error());
	}
	*out = n;
	return COVE_OK;
}

/* The SNP side's names: "<stem> (cove emulated, not AMD)". */
static cove_err make_name(EVP_PKEY *ark_pub, const char *cn_stem, X509_NAME **out, cove_error *e)
{
	char cn[80];
	snprintf(cn, sizeof(cn), "%s (cove emulated, not AMD)", cn_stem);
	return plat_cert_name(ark_pub, cn, out, e);
}

static cove_err new_cert(long serial, X509_NAME *subject, X509_NAME *issuer, EVP_PKEY *pub, int64_t now, long days,
			 X509 **out, cove_error *e)
{
	X509 *x = X509_new();
	time_t t = (time_t)now;
	if (!x || !X509_set_version(x, X509_VERSION_3) || !ASN1_INTEGER_set(X509_get_serialNumber(x), serial) ||
	    !X509_set_subject_name(x, subject) || !X509_set_issuer_name(x, issuer) ||
	    !ASN1_TIME_set(X509_getm_notBefore(x), t) || !X509_time_adj_ex(X509_getm_notAfter(x), (int)days, 0, &t) ||
	    !X509_set_pubkey(x, pub)) {
		X509_free(x);
		return cove_error_set(e, COVE_ERR_CRYPTO, "cannot build a certificate: %s", cove_openssl_error());
	}
	*out = x;
	return COVE_OK;
}

/* A standard extension from its OpenSSL configuration text ("critical,CA:TRUE"). */
cove_err plat_cert_add_ext(X509 *x, X509 *issuer, int nid, const char *value, cove_error *e)
{
	X509V3_CTX ctx;
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value);
	int ok = ext && X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	if (!ok)
		return cove_error_set(e, COVE_ERR_CRYPTO, "cannot add extension %s = %s: %s", OBJ_nid2sn(nid), value,
				      cove_openssl_error());
	return COVE_OK;
}

/* A non-critical extension under AMD's arc whose content octets are exactly `der`. */
static cove_err add_amd_ext(X509 *x, const char *arc, const uint8_t *der, size_t len, cove_error *e)
{
	char oid[64];
	snprintf(oid, sizeof(oid), AMD_ARC "%s", arc);
	ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	X509_EXTENSION *ext = NULL;
	int ok = obj && os && ASN1_OCTET_STRING_set(os, der, (int)len) &&
		 (ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os)) && X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	ASN1_OCTET_STRING_free(os);
	ASN1_OBJECT_free(obj);
	if (!ok)
		return cove_error_set(e, COVE_ERR_CRYPTO, "cannot add VCEK extension %s: %s", oid, cove_openssl_error());
	return COVE_OK;
}

static cove_err add_amd_int(X509 *x, const char *arc, long v, cove_error *e)
{
	ASN1_INTEGER *i = ASN1_INTEGER_new();
	unsigned char *der = NULL;
	int n = i && ASN1_INTEGER_set(i, v) ? i2d_ASN1_INTEGER(i, &der) : -1;
	ASN1_INTEGER_free(i);
	if (n <= 0)
		return cove_error_set(e, COVE_ERR_CRYPTO, "cannot encode INTEGER %ld: %s", v, cove_openssl_error());
	cove_err rc = add_amd_ext(x, arc, der, (size_t)n, e);
	OPENSSL_free(der);
	return rc;
}

static cove_err add_amd_ia5(X509 *x, const char *arc, const char *s, cove_error *e)
{
	ASN1_IA5STRING *str = ASN1_IA5STRING_new();
	unsigned char *der = NULL;
	int n = str && ASN1_STRING_set(str, s, -1) ? i2d_ASN1_IA5STRING(str, &der) : -1;
	ASN1_IA5STRING_free(str);
	if (n <= 0)
		return cove_error_set(e, COVE_ERR_CRYPTO, "cannot encode IA5String: %s", cove_openssl_error());
	cove_err rc = add_amd_ext(x, arc, der, (size_t)n, e);
	OPENSSL_free(der);
	return rc;
}

/* RSASSA-PSS, SHA-384, MGF1-SHA-384, salt 48: the parameters of every AMD certificate and CRL. */
static cove_err pss_ctx(EVP_PKEY *key, EVP_MD_CTX **out, cove_error *e)
{
	EVP_PKEY_CTX *pctx = NULL;
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	if (!m || EVP_DigestSignInit(m, &pctx, EVP_sha384(), NULL, key) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha384()) != 1 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 48) != 1) {
		EVP_MD_CTX_free(m);
		return cove_error_set(e, COVE_ERR_CRYPTO, "cannot set up RSA-PSS signing: %s", cove_openssl_error());
	}
	*out = m;
	return COVE_OK;
}

static cove_err sign_cert(X509 *x, EVP_PKEY *key, cove_error *e)
{
	EVP_MD_CTX *m = NULL;
	cove_err rc = pss_ctx(key, &m, e);
	if (rc)
		return rc;
	if (X509_sign_ctx(x, m) <= 0)
		rc = cove_error_set(e, COVE_ERR_CRYPTO, "cannot sign certificate: %s", cove_openssl_error());
	EVP_MD_CTX_free(m);
	return rc;
}

cove_err plat_issue_ark(const plat_product *pp, EVP_PKEY *ark_key, int64_t now, X509 **out, cove_error *e)
{
	char cn[32];
	X509_NAME *name = NULL;
	X509 *x = NULL;
	snprintf(cn, sizeof(cn), "ARK-%s", pp->name);
	cove_err rc = make_name(ark_key, cn, &name, e);
	if (rc || (rc = new_cert(pp->ark_serial, name, name, ark_key, now, CA_DAYS, &x, e)))
		goto out;
	if ((rc = plat_cert_add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign", e)) ||
	    (rc = plat_cert_add_ext(x, x, NID_subject_key_identifier, "hash", e)) ||
	    (rc = plat_cert_add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE", e)) ||
	    (rc = sign_cert(x, ark_key, e)))
		goto out;
	*out = x;
	x = NULL;
out:
	X509_free(x);
	X509_NAME_free(name);
	return rc;
}

cove_err plat_issue_ask(const plat_product *pp, EVP_PKEY *ask_pub, X509 *ark, EVP_PKEY *ark_key, int64_t now,
			X509 **out, cove_error *e)
{
	char cn[32];
	X509_NAME *name = NULL;
	X509 *x = NULL;
	snprintf(cn, sizeof(cn), "SEV-%s", pp->name);
	cove_err rc = make_name(ark_key, cn, &name, e);
	if (rc || (rc = new_cert(pp->ask_serial, name, X509_get_subject_name(ark), ask_pub, now, CA_DAYS, &x, e)))
		goto out;
	if ((rc = plat_cert_add_ext(x, ark, NID_subject_key_identifier, "hash", e)) ||
	    (rc = plat_cert_add_ext(x, ark, NID_authority_key_identifier, "keyid:always", e)) ||
	    (rc = plat_cert_add_ext(x, ark, NID_basic_constraints, "critical,CA:TRUE,pathlen:0", e)) ||
	    (rc = plat_cert_add_ext(x, ark, NID_key_usage, "critical,keyCertSign", e)) ||
	    (rc = sign_cert(x, ark_key, e)))
		goto out;
	*out = x;
	x = NULL;
out:
	X509_free(x);
	X509_NAME_free(name);
	return rc;
}

cove_err plat_issue_vcek(const plat_product *pp, EVP_PKEY *vcek_pub, const cove_snp_tcb *tcb,
			 const uint8_t chip_id[COVE_PLATFORM_CHIP_ID_SIZE], X509 *ask, EVP_PKEY *ask_key, int64_t now,
			 X509 **out, cove_error *e)
{
	X509_NAME *name = X509_NAME_dup(X509_get_subject_name(ask));
	X509 *x = NULL;
	cove_err rc = COVE_OK;
	char cn[48];
	snprintf(cn, sizeof(cn), "SEV-VCEK (cove emulated, not AMD)");
	/* Same OU and O as the ASK; only the CN differs. */
	int idx = name ? X509_NAME_get_index_by_NID(name, NID_commonName, -1) : -1;
	X509_NAME_ENTRY *old = idx >= 0 ? X509_NAME_delete_entry(name, idx) : NULL;
	bool had_cn = old != NULL;
	X509_NAME_ENTRY_free(old);
	if (!had_cn || !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0)) {
		rc = cove_error_set(e, COVE_ERR_CRYPTO, "cannot build the VCEK name: %s", cove_openssl_error());
		goto out;
	}
	if ((rc = new_cert(0, name, X509_get_subject_name(ask), vcek_pub, now, VCEK_DAYS, &x, e)))
		goto out;
	/* Order as in AMD's Milan VCEKs: .1 .2 .3.1 .3.2 .3.4-.3.7 .3.3 .3.8 (.3.9) .4 */
	if ((rc = add_amd_int(x, "1", pp->struct_version, e)) ||
	    (rc = add_amd_ia5(x, "2", pp->vcek_product, e)) ||
	    (rc = add_amd_int(x, "3.1", tcb->bootloader, e)) ||
	    (rc = add_amd_int(x, "3.2", tcb->tee, e)))
		goto out;
	/* spl_4 is absent in structVersion 1 (Turin). */
	for (int arc = pp->struct_version == 1 ? 5 : 4; arc <= 7; arc++) {
		char a[8];
		snprintf(a, sizeof(a), "3.%d", arc);
		if ((rc = add_amd_int(x, a, 0, e)))
			goto out;
	}
	if ((rc = add_amd_int(x, "3.3", tcb->snp, e)) || (rc = add_amd_int(x, "3.8", tcb->microcode, e)))
		goto out;
	if (pp->product == COVE_SNP_TURIN && (rc = add_amd_int(x, "3.9", tcb->fmc, e)))
		goto out;
	/* hwID: the raw chip id bytes, no OCTET STRING wrapper (as AMD does). */
	if ((rc = add_amd_ext(x, "4", chip_id, pp->hwid_len, e)) || (rc = sign_cert(x, ask_key, e)))
		goto out;
	*out = x;
	x = NULL;
out:
	X509_free(x);
	X509_NAME_free(name);
	return rc;
}

cove_err plat_issue_crl(X509 *ark, EVP_PKEY *ark_key, long number, int64_t now, X509_CRL **out, cove_error *e)
{
	cove_err rc = COVE_OK;
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *this_update = ASN1_TIME_set(NULL, (time_t)now);
	ASN1_TIME *next_update = ASN1_TIME_set(NULL, (time_t)(now + PLAT_CRL_LIFETIME));
	ASN1_INTEGER *num = ASN1_INTEGER_new();
	X509_EXTENSION *aki = NULL;
	EVP_MD_CTX *m = NULL;
	X509V3_CTX ctx;

	if (!crl || !this_update || !next_update || !num || !X509_CRL_set_version(crl, X509_CRL_VERSION_2) ||
	    !X509_CRL_set_issuer_name(crl, X509_get_subject_name(ark)) || !X509_CRL_set1_lastUpdate(crl, this_update) ||
	    !X509_CRL_set1_nextUpdate(crl, next_update) || !ASN1_INTEGER_set(num, number) ||
	    X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0) != 1) {
		rc = cove_error_set(e, COVE_ERR_CRYPTO, "cannot build the CRL: %s", cove_openssl_error());
		goto out;
	}
	/* Authority key identifier, as on AMD's CRLs. */
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, ark, NULL, NULL, crl, 0);
	aki = X509V3_EXT_nconf_nid(NULL, &ctx, NID_authority_key_identifier, "keyid:always");
	if (!aki || !X509_CRL_add_ext(crl, aki, -1)) {
		rc = cove_error_set(e, COVE_ERR_CRYPTO, "cannot add the CRL key identifier: %s", cove_openssl_error());
		goto out;
	}
	if ((rc = pss_ctx(ark_key, &m, e)))
		goto out;
	if (X509_CRL_sign_ctx(crl, m) <= 0) {
		rc = cove_error_set(e, COVE_ERR_CRYPTO, "cannot sign the CRL: %s", cove_openssl_error());
		goto out;
	}
	*out = crl;
	crl = NULL;
out:
	EVP_MD_CTX_free(m);
	X509_EXTENSION_free(aki);
	ASN1_INTEGER_free(num);
	ASN1_TIME_free(next_update);
	ASN1_TIME_free(this_update);
	X509_CRL_free(crl);
	return rc;
}

long plat_crl_number(X509_CRL *crl)
{
	ASN1_INTEGER *n = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL);
	long v = n ? ASN1_INTEGER_get(n) : 0;
	ASN1_INTEGER_free(n);
	return v < 0 ? 0 : v;
}

static cove_err bio_append(BIO *b, int ok, cove_buf *out, const char *what, cove_error *e)
{
	char *data;
	cove_err rc;
	if (!b || !ok) {
		rc = cove_error_set(e, COVE_ERR_CRYPTO, "cannot encode %s as PEM: %s", what, cove_openssl_error());
	} else {
		long n = BIO_get_mem_data(b, &data);
		rc = cove_buf_append(out, data, (size_t)n, e);
	}
	BIO_free(b);
	return rc;
}

cove_err plat_pem_cert(X509 *c, cove_buf *out, cove_error *e)
{
	BIO *b = BIO_new(BIO_s_mem());
	return bio_append(b, b && PEM_write_bio_X509(b, c), out, "a certificate", e);
}

cove_err plat_pem_crl(X509_CRL *c, cove_buf *out, cove_error *e)
{
	BIO *b = BIO_new(BIO_s_mem());
	return bio_append(b, b && PEM_write_bio_X509_CRL(b, c), out, "a CRL", e);
}

cove_err plat_pem_key(EVP_PKEY *k, cove_buf *out, cove_error *e)
{
	BIO *b = BIO_new(BIO_s_mem());
	return bio_append(b, b && PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL), out, "a private key", e);
}
