/*
 * The SGX side of the emulated platform: a PCK-style certificate hierarchy,
 * an emulated quoting enclave and DCAP ECDSA quotes version 3 with matching
 * collateral, all under cove's own root CA.
 *
 * Shapes follow Intel's: quote layout of QuoteGeneration sgx_quote_3.h and
 * REPORTBODY of sgx_report.h (offsets in src/dcap/quote_layout.h); the PCK
 * certificate's SGX extension (OID 1.2.840.113741.1.13.1) as in Intel QVL
 * X509CertGenerator.cpp and the SGX PCK Certificate and CRL Profile;
 * TCB info v3 and QE identity v2 as Intel PCS API v4 serves them, signed with
 * ECDSA P-256 over the exact bytes of their JSON object (hex r||s).  Every
 * certificate, CRL and signature is ECDSA P-256 / SHA-256, as Intel's.
 *
 * Names say "cove emulated ... (not Intel)", the FMSPC (C0FFEE000000) and
 * QE vendor ID ("cove emulated QE") are not Intel's, and so such a quote
 * proves only that a process able to read the state directory signed it.
 *
 * The platform also plays the CPU for emulated enclaves (src/loader): it
 * keeps the root secret EGETKEY and EREPORT derive from, and has two CPUSVNs:
 * the full one, and a degraded one (component 4 one lower) for enclaves that
 * could not get memfd_secret memory, certified by a second PCK certificate
 * and rated ConfigurationNeeded with advisory COVE-SA-0001 in the TCB info
 * (docs/enclave-trusted-api.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "cove/dcap.h"
#include "cove/dcap_collateral.h"
#include "dcap/quote_layout.h"
#include "platform/internal.h"

#define SGX_EXT_OID "1.2.840.113741.1.13.1"
#define SGX_CA_DAYS (25 * 365 + 6)  /* as Intel's root and intermediate CAs */
#define SGX_LEAF_DAYS (7 * 365 + 2) /* as Intel's PCK and TCB signing certificates */
#define SGX_JSON_LIFETIME (30 * 86400LL)     /* TCB info and QE identity, as Intel PCS */
#define SGX_JSON_REFRESH_MARGIN (7 * 86400LL)

/* The platform's TCB: components 1..16, PCESVN; the CPUSVN carries the same bytes. */
static const uint8_t sgx_tcb_comp[16] = {4, 4, 3, 3, 255, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
#define SGX_PCESVN 13
/*
 * The degraded TCB of enclaves without memfd_secret memory: component 4
 * (CPUSVN byte 3) one lower.  Lower, so that by EGETKEY's SVN rule data sealed
 * at the full CPUSVN cannot be unsealed at this one, while the reverse works.
 * Its TCB level (below the UpToDate one, so level matching has something to
 * skip) is ConfigurationNeeded with advisory SGX_DEGRADED_ADVISORY.
 */
static const uint8_t sgx_low_comp[16] = {4, 4, 3, 2, 255, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
#define SGX_DEGRADED_STATUS "ConfigurationNeeded"
#define SGX_DEGRADED_ADVISORY "COVE-SA-0001"
#define SGX_QE_OLD_ISVSVN 6

/* Emulated QE: ATTRIBUTES INIT|MODE64BIT|PROVISION_KEY, XFRM x87|SSE|AVX|opmask|ZMM (as Intel's QE). */
#define QE_FLAGS 0x15ull
#define QE_XFRM 0xE7ull

typedef struct plat_sgx {
	char dir[PATH_MAX];
	X509 *root, *pca, *pck, *tcb;
	EVP_PKEY *root_key, *pca_key, *pck_key, *tcb_key, *attest_key;
	uint8_t attest_pub[64];
	cove_sgx_pck_ext ext;
	/* The PCK certified for the degraded CPUSVN (pck-degraded.pem/.key) and its extension. */
	X509 *pck_low;
	EVP_PKEY *pck_low_key;
	cove_sgx_pck_ext ext_low;
	uint8_t root_secret[COVE_SGX_ROOT_SECRET_SIZE];
	/* The PEM chains quotes carry (PCK + PCK Platform CA + root, NUL-terminated), built once. */
	cove_buf chain, chain_low;
	X509_CRL *root_crl, *pck_crl;
	cove_buf tcb_info, qe_identity; /* signed bodies {"tcbInfo": {...}, "signature": "..."} */
	int64_t tcb_info_next, qe_identity_next;
} plat_sgx;

void plat_sgx_free(struct plat_sgx *s)
{
	if (!s)
		return;
	X509_free(s->root);
	X509_free(s->pca);
	X509_free(s->pck);
	X509_free(s->tcb);
	EVP_PKEY_free(s->root_key);
	EVP_PKEY_free(s->pca_key);
	EVP_PKEY_free(s->pck_key);
	EVP_PKEY_free(s->tcb_key);
	EVP_PKEY_free(s->attest_key);
	X509_free(s->pck_low);
	EVP_PKEY_free(s->pck_low_key);
	X509_CRL_free(s->root_crl);
	X509_CRL_free(s->pck_crl);
	cove_buf_free(&s->tcb_info);
	cove_buf_free(&s->qe_identity);
	cove_buf_free(&s->chain);
	cove_buf_free(&s->chain_low);
	OPENSSL_cleanse(s->root_secret, sizeof(s->root_secret));
	free(s);
}

/* ---- fixed identities of the emulated QE ---- */

static void qe_measurements(uint8_t mrenclave[32], uint8_t mrsigner[32])
{
	static const char enc[] = "cove emulated SGX quoting enclave";
	static const char sig[] = "cove emulated SGX quoting enclave signer";
	cove_digest(COVE_SHA256, enc, sizeof(enc) - 1, mrenclave, NULL);
	cove_digest(COVE_SHA256, sig, sizeof(sig) - 1, mrsigner, NULL);
}

/* ---- keys and certificates ---- */

static cove_err keygen_p256(EVP_PKEY **out, cove_error *e)
{
	*out = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (!*out)
		return cove_error_set(e, COVE_ERR_CRYPTO, "P-256 key generation failed: %s", cove_openssl_error());
	return COVE_OK;
}

/*
 * Issue a certificate for `pub` named `cn`, signed by `issuer_key` (issuer
 * NULL: self-signed).  `ca`: a CA with keyCertSign/cRLSign (pathlen 0 when it
 * has an issuer), else an end entity with digitalSignature/nonRepudiation.
 * `ext_der`: the DER of an SGX extension to add.
 */
static cove_err issue(EVP_PKEY *root_pub, const char *cn, EVP_PKEY *pub, X509 *issuer, EVP_PKEY *issuer_key, bool ca,
		      long days, const uint8_t *ext_der, size_t ext_len, X509 **out, cove_error *e)
{
	X509_NAME *name = NULL;
	X509 *x = X509_new();
	ASN1_INTEGER *serial = ASN1_INTEGER_new();
	BIGNUM *bn = BN_new();
	ASN1_OBJECT *obj = NULL;
	ASN1_OCTET_STRING *os = NULL;
	X509_EXTENSION *ext = NULL;
	time_t now = (time_t)cove_time_now();
	uint8_t rnd[16];
	cove_err rc = plat_cert_name(root_pub, cn, &name, e);
	if (rc)
		goto out;
	cove_random_bytes(rnd, sizeof(rnd));
	rnd[0] &= 0x7F; /* a positive 127-bit serial */
	rnd[0] |= 0x40;
	if (!x || !serial || !bn || !BN_bin2bn(rnd, sizeof(rnd), bn) || !BN_to_ASN1_INTEGER(bn, serial) ||
	    !X509_set_version(x, X509_VERSION_3) || !X509_set_serialNumber(x, serial) || !X509_set_subject_name(x, name) ||
	    !X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name) ||
	    !ASN1_TIME_set(X509_getm_notBefore(x), now) || !X509_time_adj_ex(X509_getm_notAfter(x), (int)days, 0, &now) ||
	    !X509_set_pubkey(x, pub)) {
		rc = cove_error_set(e, COVE_ERR_CRYPTO, "cannot build certificate '%s': %s", cn, cove_openssl_error());
		goto out;
	}
	X509 *iss = issuer ? issuer : x;
	if ((rc = plat_cert_add_ext(x, iss, NID_subject_key_identifier, "hash", e)) ||
	    (issuer && (rc = plat_cert_add_ext(x, iss, NID_authority_key_identifier, "keyid:always", e))) ||
	    (rc = plat_cert_add_ext(x, iss, NID_key_usage,
			   ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,nonRepudiation", e)) ||
	    (rc = plat_cert_add_ext(x, iss, NID_basic_constraints,
			   ca ? (issuer ? "critical,CA:TRUE,pathlen:0" : "critical,CA:TRUE,pathlen:1") : "critical,CA:FALSE",
			   e)))
		goto out;
	if (ext_der) {
		obj = OBJ_txt2obj(SGX_EXT_OID, 1);
		os = ASN1_OCTET_STRING_new();
		if (!obj || !os || !ASN1_OCTET_STRING_set(os, ext_der, (int)ext_len) ||
		    !(ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os)) || !X509_add_ext(x, ext, -1)) {
			rc = cove_error_set(e, COVE_ERR_CRYPTO, "cannot add the SGX extension: %s", cove_openssl_error());
			goto out;
		}
	}
	if (X509_sign(x, issuer_key, EVP_sha256()) <= 0) {
		rc = cove_error_set(e, COVE_ERR_CRYPTO, "cannot sign certificate '%s': %s", cn, cove_openssl_error());
		goto out;
	}
	*out = x;
	x = NULL;
out:
	X509_EXTENSION_free(ext);
	ASN1_OCTET_STRING_free(os);
	ASN1_OBJECT_free(obj);
	BN_free(bn);
	ASN1_INTEGER_free(serial);
	X509_NAME_free(name);
	X509_free(x);
	return rc;
}

/* An empty CRL of `ca`, numbered `number`, valid from `now` for PLAT_CRL_LIFETIME. */
static cove_err issue_crl(X509 *ca, EVP_PKEY *ca_key, long number, int64_t now, X509_CRL **out, cove_error *e)
{
	cove_err rc = COVE_OK;
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *this_update = ASN1_TIME_set(NULL, (time_t)now);
	ASN1_TIME *next_update = ASN1_TIME_set(NULL, (time_t)(now + PLAT_CRL_LIFETIME));
	ASN1_INTEGER *num = ASN1_INTEGER_new();
	X509_EXTENSION *aki = NULL;
	X509V3_CTX ctx;
	if (!crl || !this_update || !next_update || !num || !X509_CRL_set_version(crl, X509_CRL_VERSION_2) ||
	    !X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca)) || !X509_CRL_set1_lastUpdate(crl, this_update) ||
	    !X509_CRL_set1_nextUpdate(crl, next_update) || !ASN1_INTEGER_set(num, number) ||
	    X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0) != 1) {
		rc = cove_error_set(e, COVE_ERR_CRYPTO, "cannot build a CRL: %s", cove_openssl_error());
		goto out;
	}
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, ca, NULL, NULL, crl, 0);
	aki = X509V3_EXT_nconf_nid(NULL, &ctx, NID_authority_key_identifier, "keyid:always");
	if (!aki || !X509_CRL_add_ext(crl, aki, -1) || X509_CRL_sign(crl, ca_key, EVP_sha256()) <= 0) {
		rc = cove_error_set(e, COVE_ERR_CRYPTO, "cannot sign a CRL: %s", cove_openssl_error());
		goto out;
	}
	*out = crl;
	crl = NULL;
out:
	X509_EXTENSION_free(aki);
	ASN1_INTEGER_free(num);
	ASN1_TIME_free(next_update);
	ASN1_TIME_free(this_update);
	X509_CRL_free(crl);
	return rc;
}

/* ---- the SGX extension (DER built from ASN1_TYPEs, as OpenSSL encodes them) ---- */

static ASN1_TYPE *t_new(int type, void *value)
{
	ASN1_TYPE *t = ASN1_TYPE_new();
	if (!t)
		return NULL;
	ASN1_TYPE_set(t, type, value);
	return t;
}

static ASN1_TYPE *t_oid(const char *oid)
{
	ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
	ASN1_TYPE *t = o ? t_new(V_ASN1_OBJECT, o) : NULL;
	if (!t)
		ASN1_OBJECT_free(o);
	return t;
}

static ASN1_TYPE *t_octets(const uint8_t *p, size_t n)
{
	ASN1_OCTET_STRING *s = ASN1_OCTET_STRING_new();
	ASN1_TYPE *t = s && ASN1_OCTET_STRING_set(s, p, (int)n) ? t_new(V_ASN1_OCTET_STRING, s) : NULL;
	if (!t)
		ASN1_OCTET_STRING_free(s);
	return t;
}

static ASN1_TYPE *t_int(long v, bool enumerated)
{
	ASN1_TYPE *t = NULL;
	if (enumerated) {
		ASN1_ENUMERATED *n = ASN1_ENUMERATED_new();
		if (n && ASN1_ENUMERATED_set(n, v))
			t = t_new(V_ASN1_ENUMERATED, n);
		if (!t)
			ASN1_ENUMERATED_free(n);
		return t;
	}
	ASN1_INTEGER *i = ASN1_INTEGER_new();
	if (i && ASN1_INTEGER_set(i, v))
		t = t_new(V_ASN1_INTEGER, i);
	if (!t)
		ASN1_INTEGER_free(i);
	return t;
}

static ASN1_TYPE *t_bool(bool b)
{
	return t_new(V_ASN1_BOOLEAN, b ? (void *)1 : NULL);
}

/* Push `t` (NULL: failure); `t` is freed when it cannot be pushed. */
static bool push(ASN1_SEQUENCE_ANY *s, ASN1_TYPE *t)
{
	if (!s || !t || !sk_ASN1_TYPE_push(s, t)) {
		ASN1_TYPE_free(t);
		return false;
	}
	return true;
}

/* Encode `s` (consumed) as a SEQUENCE; into *der when der != NULL, else as an ASN1_TYPE returned. */
static ASN1_TYPE *t_seq(ASN1_SEQUENCE_ANY *s, bool ok, unsigned char **der, int *der_len)
{
	unsigned char *enc = NULL;
	int n = s && ok ? i2d_ASN1_SEQUENCE_ANY(s, &enc) : -1;
	sk_ASN1_TYPE_pop_free(s, ASN1_TYPE_free);
	if (n <= 0)
		return NULL;
	if (der) {
		*der = enc;
		*der_len = n;
		return NULL;
	}
	ASN1_STRING *str = ASN1_STRING_type_new(V_ASN1_SEQUENCE);
	ASN1_TYPE *t = str && ASN1_STRING_set(str, enc, n) ? t_new(V_ASN1_SEQUENCE, str) : NULL;
	if (!t)
		ASN1_STRING_free(str);
	OPENSSL_free(enc);
	return t;
}

/* SEQUENCE { OID arc.sub, value } */
static ASN1_TYPE *pair(const char *arc, int sub, ASN1_TYPE *value)
{
	char oid[64];
	snprintf(oid, sizeof(oid), "%s.%d", arc, sub);
	ASN1_SEQUENCE_ANY *s = sk_ASN1_TYPE_new_null();
	if (!push(s, t_oid(oid))) {
		ASN1_TYPE_free(value);
		sk_ASN1_TYPE_pop_free(s, ASN1_TYPE_free);
		return NULL;
	}
	bool ok = push(s, value);
	return t_seq(s, ok, NULL, NULL);
}

static cove_err sgx_ext_der(const cove_sgx_pck_ext *x, unsigned char **der, int *len, cove_error *e)
{
	const char *tcb_arc = SGX_EXT_OID ".2", *cfg_arc = SGX_EXT_OID ".7";
	ASN1_SEQUENCE_ANY *tcb = sk_ASN1_TYPE_new_null(), *cfg = sk_ASN1_TYPE_new_null(), *top = sk_ASN1_TYPE_new_null();
	bool ok = tcb && cfg && top;
	for (int i = 0; ok && i < 16; i++)
		ok = push(tcb, pair(tcb_arc, i + 1, t_int(x->tcb_comp[i], false)));
	ok = ok && push(tcb, pair(tcb_arc, 17, t_int(x->pcesvn, false))) &&
	     push(tcb, pair(tcb_arc, 18, t_octets(x->cpusvn, 16)));
	ok = ok && push(cfg, pair(cfg_arc, 1, t_bool(x->dynamic_platform))) &&
	     push(cfg, pair(cfg_arc, 2, t_bool(x->cached_keys))) && push(cfg, pair(cfg_arc, 3, t_bool(x->smt_enabled)));
	ASN1_TYPE *tcb_t = t_seq(tcb, ok, NULL, NULL), *cfg_t = t_seq(cfg, ok, NULL, NULL);
	ok = ok && tcb_t && cfg_t;
	ok = ok && push(top, pair(SGX_EXT_OID, 1, t_octets(x->ppid, 16)));
	ok = ok && push(top, pair(SGX_EXT_OID, 2, tcb_t));
	tcb_t = NULL;
	ok = ok && push(top, pair(SGX_EXT_OID, 3, t_octets(x->pceid, 2))) &&
	     push(top, pair(SGX_EXT_OID, 4, t_octets(x->fmspc, 6))) &&
	     push(top, pair(SGX_EXT_OID, 5, t_int(x->sgx_type, true))) &&
	     push(top, pair(SGX_EXT_OID, 6, t_octets(x->platform_instance_id, 16)));
	ok = ok && push(top, pair(SGX_EXT_OID, 7, cfg_t));
	cfg_t = NULL;
	ASN1_TYPE_free(tcb_t);
	ASN1_TYPE_free(cfg_t);
	*der = NULL;
	t_seq(top, ok, der, len);
	if (!*der)
		return cove_error_set(e, COVE_ERR_CRYPTO, "cannot encode the SGX PCK extension: %s", cove_openssl_error());
	return COVE_OK;
}

/* ---- collateral documents ---- */

static json_t *jhex(const uint8_t *p, size_t n)
{
	char h[2 * 32 + 1];
	cove_hex_write(h, p, n);
	for (char *c = h; *c; c++)
		if (*c >= 'a' && *c <= 'f')
			*c = (char)(*c - 'a' + 'A'); /* Intel serves upper-case hex */
	return json_string(h);
}

static json_t *jtime(int64_t t)
{
	char s[32];
	cove_time_format(t, s);
	return json_string(s);
}

static json_t *tcb_level(const uint8_t comp[16], int pcesvn, int64_t date, const char *status, const char *advisory)
{
	json_t *comps = json_array(), *tcb = json_object(), *l = json_object();
	for (int i = 0; i < 16; i++) {
		json_t *c = json_object();
		json_object_set_new(c, "svn", json_integer(comp[i]));
		json_array_append_new(comps, c);
	}
	json_object_set_new(tcb, "sgxtcbcomponents", comps);
	json_object_set_new(tcb, "pcesvn", json_integer(pcesvn));
	json_object_set_new(l, "tcb", tcb);
	json_object_set_new(l, "tcbDate", jtime(date));
	json_object_set_new(l, "tcbStatus", json_string(status));
	if (advisory) {
		json_t *ids = json_array();
		json_array_append_new(ids, json_string(advisory));
		json_object_set_new(l, "advisoryIDs", ids);
	}
	return l;
}

static json_t *qe_level(int isvsvn, int64_t date, const char *status)
{
	json_t *tcb = json_object(), *l = json_object();
	json_object_set_new(tcb, "isvsvn", json_integer(isvsvn));
	json_object_set_new(l, "tcb", tcb);
	json_object_set_new(l, "tcbDate", jtime(date));
	json_object_set_new(l, "tcbStatus", json_string(status));
	return l;
}

/* {"<member>": obj, "signature": hex(r||s)} with the signature over the exact compact bytes of obj. */
static cove_err sign_json(EVP_PKEY *key, const char *member, json_t *obj, cove_buf *out, cove_error *e)
{
	uint8_t sig[64];
	char hex[129];
	char *text = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
	cove_err rc;
	if (!text)
		return cove_error_set(e, COVE_ERR_NOMEM, "cannot serialise %s", member);
	if ((rc = cove_ecdsa_sign_raw(key, COVE_SHA256, text, strlen(text), sig, sig + 32, 32, false, e)))
		goto out;
	cove_hex_write(hex, sig, 64);
	cove_buf b = {0};
	if ((rc = cove_buf_append(&b, "{\"", 2, e)) || (rc = cove_buf_append(&b, member, strlen(member), e)) ||
	    (rc = cove_buf_append(&b, "\":", 2, e)) || (rc = cove_buf_append(&b, text, strlen(text), e)) ||
	    (rc = cove_buf_append(&b, ",\"signature\":\"", 14, e)) || (rc = cove_buf_append(&b, hex, 128, e)) ||
	    (rc = cove_buf_append(&b, "\"}", 2, e))) {
		cove_buf_free(&b);
		goto out;
	}
	cove_buf_free(out);
	*out = b;
out:
	free(text);
	return rc;
}

static cove_err make_tcb_info(plat_sgx *s, int64_t now, cove_error *e)
{
	int64_t created = cove_x509_not_before(s->pck);
	json_t *t = json_object(), *levels = json_array();
	json_object_set_new(t, "id", json_string("SGX"));
	json_object_set_new(t, "version", json_integer(3));
	json_object_set_new(t, "issueDate", jtime(now));
	json_object_set_new(t, "nextUpdate", jtime(now + SGX_JSON_LIFETIME));
	json_object_set_new(t, "fmspc", jhex(s->ext.fmspc, 6));
	json_object_set_new(t, "pceId", jhex(s->ext.pceid, 2));
	json_object_set_new(t, "tcbType", json_integer(0));
	json_object_set_new(t, "tcbEvaluationDataNumber", json_integer(1));
	json_array_append_new(levels, tcb_level(sgx_tcb_comp, SGX_PCESVN, created, "UpToDate", NULL));
	json_array_append_new(levels,
			      tcb_level(sgx_low_comp, SGX_PCESVN, created, SGX_DEGRADED_STATUS, SGX_DEGRADED_ADVISORY));
	json_object_set_new(t, "tcbLevels", levels);
	cove_err rc = sign_json(s->tcb_key, "tcbInfo", t, &s->tcb_info, e);
	json_decref(t);
	if (!rc)
		s->tcb_info_next = now + SGX_JSON_LIFETIME;
	return rc;
}

static cove_err make_qe_identity(plat_sgx *s, int64_t now, cove_error *e)
{
	uint8_t mrenclave[32], mrsigner[32];
	static const uint8_t attr[16] = {0x11}, attr_mask[16] = {0xFB, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
	static const uint8_t misc[4] = {0}, misc_mask[4] = {0xFF, 0xFF, 0xFF, 0xFF};
	int64_t created = cove_x509_not_before(s->pck);
	qe_measurements(mrenclave, mrsigner);
	json_t *q = json_object(), *levels = json_array();
	json_object_set_new(q, "id", json_string("QE"));
	json_object_set_new(q, "version", json_integer(2));
	json_object_set_new(q, "issueDate", jtime(now));
	json_object_set_new(q, "nextUpdate", jtime(now + SGX_JSON_LIFETIME));
	json_object_set_new(q, "tcbEvaluationDataNumber", json_integer(1));
	json_object_set_new(q, "miscselect", jhex(misc, 4));
	json_object_set_new(q, "miscselectMask", jhex(misc_mask, 4));
	json_object_set_new(q, "attributes", jhex(attr, 16));
	json_object_set_new(q, "attributesMask", jhex(attr_mask, 16));
	json_object_set_new(q, "mrsigner", jhex(mrsigner, 32));
	json_object_set_new(q, "isvprodid", json_integer(COVE_PLATFORM_SGX_QE_ISVPRODID));
	json_array_append_new(levels, qe_level(COVE_PLATFORM_SGX_QE_ISVSVN, created, "UpToDate"));
	json_array_append_new(levels, qe_level(SGX_QE_OLD_ISVSVN, created - 365 * 86400LL, "OutOfDate"));
	json_object_set_new(q, "tcbLevels", levels);
	cove_err rc = sign_json(s->tcb_key, "enclaveIdentity", q, &s->qe_identity, e);
	json_decref(q);
	if (!rc)
		s->qe_identity_next = now + SGX_JSON_LIFETIME;
	return rc;
}

/* ---- state files ---- */

static cove_err write_file(const char *dir, const char *name, const void *data, size_t len, unsigned mode,
			   cove_error *e)
{
	char path[PATH_MAX];
	cove_err rc = plat_path(path, sizeof(path), e, "%s/%s", dir, name);
	return rc ? rc : plat_write_atomic(path, data, len, mode, e);
}

static cove_err write_pem(const char *dir, const char *name, X509 *cert, X509_CRL *crl, EVP_PKEY *key, cove_error *e)
{
	cove_buf b = {0};
	cove_err rc = cert ? plat_pem_cert(cert, &b, e) : crl ? plat_pem_crl(crl, &b, e) : plat_pem_key(key, &b, e);
	if (!rc)
		rc = write_file(dir, name, b.data, b.len, key ? 0600 : 0644, e);
	if (key)
		OPENSSL_cleanse(b.data, b.len);
	cove_buf_free(&b);
	return rc;
}

static cove_err read_file(const char *dir, const char *name, bool secret, cove_buf *out, cove_error *e)
{
	char path[PATH_MAX];
	cove_err rc = plat_path(path, sizeof(path), e, "%s/%s", dir, name);
	if (rc || (rc = plat_check_file(path, secret, e)))
		return rc;
	return cove_file_read(path, 1u << 20, out, e);
}

static cove_err read_pem(const char *dir, const char *name, X509 **cert, X509_CRL **crl, EVP_PKEY **key,
			 cove_error *e)
{
	cove_buf b = {0};
	cove_err rc = read_file(dir, name, key != NULL, &b, e);
	if (rc)
		return rc;
	BIO *bio = BIO_new_mem_buf(b.data, (int)b.len);
	void *v = !bio ? NULL
		  : cert ? (void *)(*cert = PEM_read_bio_X509(bio, NULL, NULL, NULL))
		  : crl  ? (void *)(*crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL))
			 : (void *)(*key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL));
	BIO_free(bio);
	if (key)
		OPENSSL_cleanse(b.data, b.len);
	cove_buf_free(&b);
	if (!v)
		return cove_error_set(e, COVE_ERR_PARSE, "%s/%s does not hold a PEM %s: %s", dir, name,
				      cert ? "certificate" : crl ? "CRL" : "private key", cove_openssl_error());
	return COVE_OK;
}

static cove_err save_collateral(plat_sgx *s, const char *dir, cove_error *e)
{
	cove_err rc;
	if ((rc = write_pem(dir, "root.crl", NULL, s->root_crl, NULL, e)) ||
	    (rc = write_pem(dir, "pck.crl", NULL, s->pck_crl, NULL, e)) ||
	    (rc = write_file(dir, "tcb_info.json", s->tcb_info.data, s->tcb_info.len, 0644, e)))
		return rc;
	return write_file(dir, "qe_identity.json", s->qe_identity.data, s->qe_identity.len, 0644, e);
}

static cove_err attest_pub(plat_sgx *s, cove_error *e)
{
	uint8_t pt[65];
	size_t n = 0;
	if (!EVP_PKEY_get_octet_string_param(s->attest_key, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt), &n) || n != 65 ||
	    pt[0] != 0x04 || !cove_pkey_is_ec_p256(s->attest_key))
		return cove_error_set(e, COVE_ERR_PARSE, "%s/attestation.key is not an uncompressed ECDSA P-256 key",
				      s->dir);
	memcpy(s->attest_pub, pt + 1, 64);
	return COVE_OK;
}

/* The extension of the degraded PCK: the platform's, at the degraded TCB (component SVNs and CPUSVN). */
static void low_ext(const cove_sgx_pck_ext *full, cove_sgx_pck_ext *out)
{
	*out = *full;
	memcpy(out->tcb_comp, sgx_low_comp, 16);
	memcpy(out->cpusvn, sgx_low_comp, 16);
}

static cove_err issue_pck_low(plat_sgx *s, cove_error *e)
{
	unsigned char *der = NULL;
	int der_len = 0;
	low_ext(&s->ext, &s->ext_low);
	cove_err rc = sgx_ext_der(&s->ext_low, &der, &der_len, e);
	if (!rc)
		rc = issue(s->root_key, "SGX PCK Certificate (cove emulated, not Intel)", s->pck_low_key, s->pca,
			   s->pca_key, false, SGX_LEAF_DAYS, der, (size_t)der_len, &s->pck_low, e);
	OPENSSL_free(der);
	return rc;
}

/* Make the SGX side in a temporary folder and publish it; *lost when another process published first. */
static cove_err create_sgx(plat_sgx *s, const char *parent, bool *lost, cove_error *e)
{
	char tmp[PATH_MAX];
	unsigned char *ext = NULL;
	int ext_len = 0;
	int64_t now = cove_time_now();
	cove_sgx_pck_ext *x = &s->ext;
	cove_err rc;

	tmp[0] = '\0';
	memset(x, 0, sizeof(*x));
	cove_random_bytes(x->ppid, 16);
	memcpy(x->tcb_comp, sgx_tcb_comp, 16);
	x->pcesvn = SGX_PCESVN;
	memcpy(x->cpusvn, sgx_tcb_comp, 16);
	cove_hex_decode_fixed(COVE_PLATFORM_SGX_FMSPC, x->fmspc, 6, NULL);
	x->sgx_type = COVE_SGX_TYPE_SCALABLE;
	x->has_platform_instance_id = true;
	cove_random_bytes(x->platform_instance_id, 16);
	x->has_configuration = true;
	x->smt_enabled = true;

	if ((rc = keygen_p256(&s->root_key, e)) || (rc = keygen_p256(&s->pca_key, e)) ||
	    (rc = keygen_p256(&s->pck_key, e)) || (rc = keygen_p256(&s->tcb_key, e)) ||
	    (rc = keygen_p256(&s->attest_key, e)) || (rc = keygen_p256(&s->pck_low_key, e)) ||
	    (rc = sgx_ext_der(x, &ext, &ext_len, e)))
		goto out;
	cove_random_bytes(s->root_secret, sizeof(s->root_secret));
	EVP_PKEY *rk = s->root_key;
	if ((rc = issue(rk, "cove emulated SGX Root CA (not Intel)", rk, NULL, rk, true, SGX_CA_DAYS, NULL, 0, &s->root,
			e)) ||
	    (rc = issue(rk, "SGX PCK Platform CA (cove emulated, not Intel)", s->pca_key, s->root, rk, true, SGX_CA_DAYS,
			NULL, 0, &s->pca, e)) ||
	    (rc = issue(rk, "SGX PCK Certificate (cove emulated, not Intel)", s->pck_key, s->pca, s->pca_key, false,
			SGX_LEAF_DAYS, ext, (size_t)ext_len, &s->pck, e)) ||
	    (rc = issue(rk, "SGX TCB Signing (cove emulated, not Intel)", s->tcb_key, s->root, rk, false, SGX_LEAF_DAYS,
			NULL, 0, &s->tcb, e)) ||
	    (rc = issue_pck_low(s, e)) ||
	    (rc = issue_crl(s->root, rk, 1, now, &s->root_crl, e)) ||
	    (rc = issue_crl(s->pca, s->pca_key, 1, now, &s->pck_crl, e)) || (rc = make_tcb_info(s, now, e)) ||
	    (rc = make_qe_identity(s, now, e)) || (rc = attest_pub(s, e)))
		goto out;
	if ((rc = plat_make_temp_dir(parent, "sgx-new", tmp, sizeof(tmp), e)))
		goto out;
	if ((rc = write_pem(tmp, "root.pem", s->root, NULL, NULL, e)) ||
	    (rc = write_pem(tmp, "root.key", NULL, NULL, s->root_key, e)) ||
	    (rc = write_pem(tmp, "pck-platform-ca.pem", s->pca, NULL, NULL, e)) ||
	    (rc = write_pem(tmp, "pck-platform-ca.key", NULL, NULL, s->pca_key, e)) ||
	    (rc = write_pem(tmp, "pck.pem", s->pck, NULL, NULL, e)) ||
	    (rc = write_pem(tmp, "pck.key", NULL, NULL, s->pck_key, e)) ||
	    (rc = write_pem(tmp, "tcb-signing.pem", s->tcb, NULL, NULL, e)) ||
	    (rc = write_pem(tmp, "tcb-signing.key", NULL, NULL, s->tcb_key, e)) ||
	    (rc = write_pem(tmp, "attestation.key", NULL, NULL, s->attest_key, e)) ||
	    (rc = write_pem(tmp, "pck-degraded.pem", s->pck_low, NULL, NULL, e)) ||
	    (rc = write_pem(tmp, "pck-degraded.key", NULL, NULL, s->pck_low_key, e)) ||
	    (rc = write_file(tmp, "root_secret", s->root_secret, sizeof(s->root_secret), 0600, e)) ||
	    (rc = save_collateral(s, tmp, e)))
		goto out;
	rc = plat_publish_dir(tmp, s->dir, false, lost, e);
	tmp[0] = '\0';
out:
	if (tmp[0])
		plat_remove_tree(tmp, NULL);
	OPENSSL_free(ext);
	return rc;
}

static cove_err check_key(X509 *c, EVP_PKEY *k, const char *what, cove_error *e)
{
	if (X509_check_private_key(c, k) != 1)
		return cove_error_set(e, COVE_ERR_PARSE, "the %s key does not match its certificate", what);
	return COVE_OK;
}

static cove_err check_signed(X509 *c, X509 *by, const char *what, cove_error *e)
{
	if (X509_verify(c, X509_get0_pubkey(by)) != 1)
		return cove_error_set(e, COVE_ERR_VERIFY, "the %s certificate is not signed by its issuer: the SGX state "
				      "is inconsistent", what);
	return COVE_OK;
}

/*
 * A signed JSON body from a file; its next update into *next.  For the TCB
 * info, *current says whether it has the degraded level (platforms made
 * before it existed have not).
 */
static cove_err load_json(plat_sgx *s, const char *name, bool tcb, cove_buf *out, int64_t *next, bool *current,
			  cove_error *e)
{
	cove_dcap_collateral c = {0};
	cove_err rc = read_file(s->dir, name, false, out, e);
	if (rc)
		return rc;
	rc = tcb ? cove_dcap_collateral_set_tcb_info_body(&c, (const char *)out->data, out->len, e)
		 : cove_dcap_collateral_set_qe_identity_body(&c, (const char *)out->data, out->len, e);
	if (!rc)
		*next = tcb ? c.tcb_info.next_update : c.qe_identity.next_update;
	if (!rc && current) {
		*current = false;
		for (size_t i = 0; i < c.tcb_info.nlevels; i++)
			*current |= memcmp(c.tcb_info.levels[i].sgx_comp, sgx_low_comp, 16) == 0 &&
				    c.tcb_info.levels[i].status == COVE_TCB_CONFIGURATION_NEEDED;
	}
	cove_dcap_collateral_free(&c);
	return rc ? cove_error_wrap(e, rc, "%s/%s", s->dir, name) : COVE_OK;
}

/* Whether dir/name exists (any other failure to look is an error). */
static cove_err file_exists(const char *dir, const char *name, bool *out, cove_error *e)
{
	char path[PATH_MAX];
	cove_err rc = plat_path(path, sizeof(path), e, "%s/%s", dir, name);
	if (rc)
		return rc;
	*out = access(path, F_OK) == 0;
	if (!*out && errno != ENOENT)
		return cove_error_set(e, COVE_ERR_IO, "cannot look for %s: %s", path, strerror(errno));
	return COVE_OK;
}

/*
 * Add dir/name to an SGX side made before the file existed.  link(2) never
 * replaces: when another process added it first, theirs stays and the caller
 * reads it back, so every process ends up with the same content.
 */
static cove_err create_exclusive(const char *dir, const char *name, const void *data, size_t len, unsigned mode,
				 cove_error *e)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	uint32_t nonce;
	cove_random_bytes(&nonce, sizeof(nonce));
	cove_err rc = plat_path(path, sizeof(path), e, "%s/%s", dir, name);
	if (rc || (rc = plat_path(tmp, sizeof(tmp), e, "%s/.%s.new-%ld-%08x", dir, name, (long)getpid(),
				  (unsigned)nonce)))
		return rc;
	if ((rc = cove_file_write(tmp, data, len, mode, e)))
		goto out;
	if (link(tmp, path) != 0 && errno != EEXIST)
		rc = cove_error_set(e, COVE_ERR_IO, "cannot create %s: %s", path, strerror(errno));
out:
	unlink(tmp);
	return rc;
}

/* The root secret EGETKEY/EREPORT derive from: 32 random bytes, owner-only, added when missing. */
static cove_err load_root_secret(plat_sgx *s, cove_error *e)
{
	cove_buf b = {0};
	bool have = false;
	cove_err rc = file_exists(s->dir, "root_secret", &have, e);
	if (rc)
		return rc;
	if (!have) {
		uint8_t fresh[COVE_SGX_ROOT_SECRET_SIZE];
		cove_random_bytes(fresh, sizeof(fresh));
		rc = create_exclusive(s->dir, "root_secret", fresh, sizeof(fresh), 0600, e);
		OPENSSL_cleanse(fresh, sizeof(fresh));
		if (rc)
			return rc;
	}
	if ((rc = read_file(s->dir, "root_secret", true, &b, e)))
		return rc;
	if (b.len != COVE_SGX_ROOT_SECRET_SIZE)
		rc = cove_error_set(e, COVE_ERR_PARSE, "%s/root_secret holds %zu bytes, must be %d", s->dir, b.len,
				    COVE_SGX_ROOT_SECRET_SIZE);
	else
		memcpy(s->root_secret, b.data, COVE_SGX_ROOT_SECRET_SIZE);
	OPENSSL_cleanse(b.data, b.len);
	cove_buf_free(&b);
	return rc;
}

/* The degraded PCK key and certificate, added when missing (key first: a certificate needs it). */
static cove_err load_pck_low(plat_sgx *s, cove_error *e)
{
	cove_buf b = {0};
	bool have = false;
	cove_err rc;
	if ((rc = file_exists(s->dir, "pck-degraded.key", &have, e)))
		return rc;
	if (!have) {
		EVP_PKEY *k = NULL;
		if (!(rc = keygen_p256(&k, e)) && !(rc = plat_pem_key(k, &b, e)))
			rc = create_exclusive(s->dir, "pck-degraded.key", b.data, b.len, 0600, e);
		EVP_PKEY_free(k);
		OPENSSL_cleanse(b.data, b.len);
		cove_buf_free(&b);
		if (rc)
			return rc;
	}
	if ((rc = read_pem(s->dir, "pck-degraded.key", NULL, NULL, &s->pck_low_key, e)) ||
	    (rc = file_exists(s->dir, "pck-degraded.pem", &have, e)))
		return rc;
	if (!have) {
		if (!(rc = issue_pck_low(s, e)) && !(rc = plat_pem_cert(s->pck_low, &b, e)))
			rc = create_exclusive(s->dir, "pck-degraded.pem", b.data, b.len, 0644, e);
		cove_buf_free(&b);
		X509_free(s->pck_low);
		s->pck_low = NULL;
		if (rc)
			return rc;
	}
	if ((rc = read_pem(s->dir, "pck-degraded.pem", &s->pck_low, NULL, NULL, e)) ||
	    (rc = check_key(s->pck_low, s->pck_low_key, "degraded PCK", e)) ||
	    (rc = check_signed(s->pck_low, s->pca, "degraded PCK", e)))
		return rc;
	if ((rc = cove_sgx_pck_ext_parse(s->pck_low, &s->ext_low, e)))
		return cove_error_wrap(e, rc, "%s/pck-degraded.pem", s->dir);
	if (memcmp(s->ext_low.tcb_comp, sgx_low_comp, 16) != 0 || memcmp(s->ext_low.cpusvn, sgx_low_comp, 16) != 0 ||
	    s->ext_low.pcesvn != s->ext.pcesvn || memcmp(s->ext_low.ppid, s->ext.ppid, 16) != 0)
		return cove_error_set(e, COVE_ERR_PARSE, "%s/pck-degraded.pem does not certify this platform's degraded "
				      "TCB: the SGX state is inconsistent", s->dir);
	return COVE_OK;
}

/* The PEM chain a quote carries: `pck`, PCK Platform CA and root, NUL-terminated. */
static cove_err build_chain(plat_sgx *s, X509 *pck, cove_buf *out, cove_error *e)
{
	cove_err rc;
	cove_buf_free(out);
	if ((rc = plat_pem_cert(pck, out, e)) || (rc = plat_pem_cert(s->pca, out, e)) ||
	    (rc = plat_pem_cert(s->root, out, e)) || (rc = cove_buf_append(out, "", 1, e)))
		cove_buf_free(out);
	return rc;
}

static cove_err load_sgx(plat_sgx *s, cove_error *e)
{
	cove_err rc;
	if ((rc = plat_check_private_dir(s->dir, "the SGX state directory", e)) ||
	    (rc = read_pem(s->dir, "root.pem", &s->root, NULL, NULL, e)) ||
	    (rc = read_pem(s->dir, "root.key", NULL, NULL, &s->root_key, e)) ||
	    (rc = read_pem(s->dir, "pck-platform-ca.pem", &s->pca, NULL, NULL, e)) ||
	    (rc = read_pem(s->dir, "pck-platform-ca.key", NULL, NULL, &s->pca_key, e)) ||
	    (rc = read_pem(s->dir, "pck.pem", &s->pck, NULL, NULL, e)) ||
	    (rc = read_pem(s->dir, "pck.key", NULL, NULL, &s->pck_key, e)) ||
	    (rc = read_pem(s->dir, "tcb-signing.pem", &s->tcb, NULL, NULL, e)) ||
	    (rc = read_pem(s->dir, "tcb-signing.key", NULL, NULL, &s->tcb_key, e)) ||
	    (rc = read_pem(s->dir, "attestation.key", NULL, NULL, &s->attest_key, e)) ||
	    (rc = read_pem(s->dir, "root.crl", NULL, &s->root_crl, NULL, e)) ||
	    (rc = read_pem(s->dir, "pck.crl", NULL, &s->pck_crl, NULL, e)))
		return rc;
	if ((rc = check_key(s->root, s->root_key, "root CA", e)) ||
	    (rc = check_key(s->pca, s->pca_key, "PCK Platform CA", e)) || (rc = check_key(s->pck, s->pck_key, "PCK", e)) ||
	    (rc = check_key(s->tcb, s->tcb_key, "TCB signing", e)) || (rc = check_signed(s->root, s->root, "root", e)) ||
	    (rc = check_signed(s->pca, s->root, "PCK Platform CA", e)) || (rc = check_signed(s->pck, s->pca, "PCK", e)) ||
	    (rc = check_signed(s->tcb, s->root, "TCB signing", e)) || (rc = attest_pub(s, e)))
		return rc;
	if ((rc = cove_sgx_pck_ext_parse(s->pck, &s->ext, e)))
		return cove_error_wrap(e, rc, "%s/pck.pem", s->dir);
	if ((rc = load_root_secret(s, e)) || (rc = load_pck_low(s, e)))
		return rc;
	bool current = false;
	if ((rc = load_json(s, "tcb_info.json", true, &s->tcb_info, &s->tcb_info_next, &current, e)) ||
	    (rc = load_json(s, "qe_identity.json", false, &s->qe_identity, &s->qe_identity_next, NULL, e)))
		return rc;
	/* A TCB info from before the degraded level: issue the current one. */
	if (!current && ((rc = make_tcb_info(s, cove_time_now(), e)) || (rc = save_collateral(s, s->dir, e))))
		return rc;
	return COVE_OK;
}

/* The SGX side of `p`: loaded, or created when `create`. */
static cove_err sgx_get(cove_platform *p, bool create, plat_sgx **out, cove_error *e)
{
	if (p->sgx) {
		*out = p->sgx;
		return COVE_OK;
	}
	plat_sgx *s = calloc(1, sizeof(*s));
	cove_err rc;
	if (!s)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	if ((rc = plat_path(s->dir, sizeof(s->dir), e, "%s/sgx", p->dir)))
		goto out;
	if (access(s->dir, F_OK) != 0) {
		if (!create) {
			rc = cove_error_set(e, COVE_ERR_UNAVAILABLE, "the emulated platform in %s has no SGX side yet "
					    "(it is created by the first emulated SGX quote, e.g. 'cove sgx emulate')", p->dir);
			goto out;
		}
		bool lost = false;
		if ((rc = create_sgx(s, p->dir, &lost, e)) || !lost)
			goto out;
		/* Lost the race: start over from the files of the winner. */
		plat_sgx_free(s);
		if (!(s = calloc(1, sizeof(*s))))
			return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
		if ((rc = plat_path(s->dir, sizeof(s->dir), e, "%s/sgx", p->dir)))
			goto out;
	}
	rc = load_sgx(s, e);
out:
	if (!rc && !(rc = build_chain(s, s->pck, &s->chain, e)))
		rc = build_chain(s, s->pck_low, &s->chain_low, e);
	if (rc) {
		plat_sgx_free(s);
		return rc;
	}
	p->sgx = s;
	*out = s;
	return COVE_OK;
}

/* Re-sign whatever collateral is past, or close to, its next update. */
static cove_err sgx_refresh(plat_sgx *s, cove_error *e)
{
	int64_t now = cove_time_now();
	bool changed = false;
	cove_err rc = COVE_OK;
	X509_CRL *crl = NULL;
	if (cove_x509_crl_next_update(s->root_crl) - now < PLAT_CRL_REFRESH_MARGIN) {
		if ((rc = issue_crl(s->root, s->root_key, plat_crl_number(s->root_crl) + 1, now, &crl, e)))
			return rc;
		X509_CRL_free(s->root_crl);
		s->root_crl = crl;
		changed = true;
	}
	if (cove_x509_crl_next_update(s->pck_crl) - now < PLAT_CRL_REFRESH_MARGIN) {
		if ((rc = issue_crl(s->pca, s->pca_key, plat_crl_number(s->pck_crl) + 1, now, &crl, e)))
			return rc;
		X509_CRL_free(s->pck_crl);
		s->pck_crl = crl;
		changed = true;
	}
	if (s->tcb_info_next - now < SGX_JSON_REFRESH_MARGIN) {
		if ((rc = make_tcb_info(s, now, e)))
			return rc;
		changed = true;
	}
	if (s->qe_identity_next - now < SGX_JSON_REFRESH_MARGIN) {
		if ((rc = make_qe_identity(s, now, e)))
			return rc;
		changed = true;
	}
	return changed ? save_collateral(s, s->dir, e) : COVE_OK;
}

/* ---- public API ---- */

cove_err cove_platform_sgx_root(cove_platform *p, uint8_t spki_sha256[32], cove_error *e)
{
	plat_sgx *s = NULL;
	cove_err rc = sgx_get(p, false, &s, e);
	return rc ? rc : cove_pkey_spki_sha256(X509_get0_pubkey(s->root), spki_sha256, e);
}

/* Little-endian stores into a REPORTBODY (sgx_report.h). */
static void put_body(uint8_t b[COVE_SGX_REPORT_BODY_SIZE], const uint8_t cpusvn[16], uint64_t flags, uint64_t xfrm,
		     const uint8_t mrenclave[32], const uint8_t mrsigner[32], uint16_t prod, uint16_t svn,
		     const uint8_t report_data[64])
{
	memset(b, 0, COVE_SGX_REPORT_BODY_SIZE);
	memcpy(b + SGX_RB_OFF_CPU_SVN, cpusvn, 16);
	cove_put_le64(b + SGX_RB_OFF_ATTRIBUTES, flags);
	cove_put_le64(b + SGX_RB_OFF_ATTRIBUTES + 8, xfrm);
	memcpy(b + SGX_RB_OFF_MR_ENCLAVE, mrenclave, 32);
	memcpy(b + SGX_RB_OFF_MR_SIGNER, mrsigner, 32);
	cove_put_le16(b + SGX_RB_OFF_ISV_PROD_ID, prod);
	cove_put_le16(b + SGX_RB_OFF_ISV_SVN, svn);
	memcpy(b + SGX_RB_OFF_REPORT_DATA, report_data, 64);
}

cove_err cove_platform_sgx_report_body(cove_platform *p, const cove_sgx_emulate_opts *o,
				       uint8_t body[COVE_SGX_REPORT_BODY_SIZE], cove_error *e)
{
	plat_sgx *s = NULL;
	cove_err rc = sgx_get(p, true, &s, e);
	if (rc)
		return rc;
	uint64_t flags = COVE_SGX_FLAGS_INIT | COVE_SGX_FLAGS_MODE64BIT | (o->debug ? COVE_SGX_FLAGS_DEBUG : 0);
	put_body(body, s->ext.cpusvn, flags, 0x3, o->mr_enclave, o->mr_signer, o->isv_prod_id, o->isv_svn,
		 o->report_data);
	return COVE_OK;
}

/* QE authentication data: 32 bytes 00..1F, as Intel's quoting enclave sends. */
#define QE_AUTH_LEN 32

/*
 * The quote of `report_body`.  Everything it uses is in memory (no file is
 * opened: the enclave loader quotes under seccomp).  The PCK is the one
 * certified for the CPUSVN the body states: the degraded one for the
 * degraded CPUSVN, else the platform's.
 */
static cove_err quote_body(plat_sgx *s, const uint8_t report_body[COVE_SGX_REPORT_BODY_SIZE], uint8_t **quote,
			   size_t *len, cove_error *e)
{
	bool low = memcmp(report_body + SGX_RB_OFF_CPU_SVN, s->ext_low.cpusvn, 16) == 0;
	const cove_buf *chain = low ? &s->chain_low : &s->chain;
	const cove_sgx_pck_ext *ext = low ? &s->ext_low : &s->ext;
	EVP_PKEY *pck_key = low ? s->pck_low_key : s->pck_key;
	uint8_t *q = NULL;
	uint8_t auth[QE_AUTH_LEN], rd[64] = {0}, mrenclave[32], mrsigner[32], uhash[32];
	cove_hash_ctx *hc = NULL;
	cove_err rc;

	*quote = NULL;
	*len = 0;
	for (int i = 0; i < QE_AUTH_LEN; i++)
		auth[i] = (uint8_t)i;

	/* sgx_quote_3.h: header, body, signature_data_len, then sgx_ql_ecdsa_sig_data_t. */
	size_t sig_len = 64 + 64 + COVE_SGX_REPORT_BODY_SIZE + 64 + 2 + QE_AUTH_LEN + 2 + 4 + chain->len;
	size_t total = DCAP_HEADER_END + COVE_SGX_REPORT_BODY_SIZE + 4 + sig_len;
	if (!(q = calloc(1, total))) {
		rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory for a %zu-byte quote", total);
		goto out;
	}
	cove_put_le16(q + DCAP_OFF_VERSION, 3);
	cove_put_le16(q + DCAP_OFF_ATT_KEY_TYPE, DCAP_ATT_KEY_ECDSA_P256);
	cove_put_le16(q + DCAP_OFF_QE_SVN, COVE_PLATFORM_SGX_QE_ISVSVN);
	cove_put_le16(q + DCAP_OFF_PCE_SVN, ext->pcesvn);
	memcpy(q + DCAP_OFF_QE_VENDOR_ID, COVE_PLATFORM_SGX_QE_VENDOR_ID, 16);
	/* User data: the first 20 bytes of SHA-256 of the attestation key, naming the key that signs. */
	if ((rc = cove_digest(COVE_SHA256, s->attest_pub, 64, uhash, e)))
		goto out;
	memcpy(q + DCAP_OFF_USER_DATA, uhash, 20);
	memcpy(q + DCAP_V34_OFF_BODY, report_body, COVE_SGX_REPORT_BODY_SIZE);
	size_t off = DCAP_V34_OFF_BODY + COVE_SGX_REPORT_BODY_SIZE;
	cove_put_le32(q + off, (uint32_t)sig_len);
	uint8_t *sd = q + off + 4;

	/* The attestation key signs header and body. */
	if ((rc = cove_ecdsa_sign_raw(s->attest_key, COVE_SHA256, q, off, sd, sd + 32, 32, false, e)))
		goto out;
	memcpy(sd + 64, s->attest_pub, 64);

	/* The QE report binds the attestation key and auth data; the PCK key signs it. */
	if ((rc = cove_hash_ctx_new(COVE_SHA256, &hc, e)) || (rc = cove_hash_ctx_update(hc, s->attest_pub, 64, e)) ||
	    (rc = cove_hash_ctx_update(hc, auth, QE_AUTH_LEN, e)) || (rc = cove_hash_ctx_final(hc, rd, e)))
		goto out;
	qe_measurements(mrenclave, mrsigner);
	uint8_t *qe = sd + 128;
	put_body(qe, ext->cpusvn, QE_FLAGS, QE_XFRM, mrenclave, mrsigner, COVE_PLATFORM_SGX_QE_ISVPRODID,
		 COVE_PLATFORM_SGX_QE_ISVSVN, rd);
	uint8_t *qe_sig = qe + COVE_SGX_REPORT_BODY_SIZE;
	if ((rc = cove_ecdsa_sign_raw(pck_key, COVE_SHA256, qe, COVE_SGX_REPORT_BODY_SIZE, qe_sig, qe_sig + 32, 32,
				      false, e)))
		goto out;
	uint8_t *w = qe_sig + 64;
	cove_put_le16(w, QE_AUTH_LEN);
	memcpy(w + 2, auth, QE_AUTH_LEN);
	w += 2 + QE_AUTH_LEN;
	cove_put_le16(w, COVE_DCAP_CERT_PCK_CHAIN);
	cove_put_le32(w + 2, (uint32_t)chain->len);
	memcpy(w + 6, chain->data, chain->len);
	*quote = q;
	*len = total;
	q = NULL;
out:
	cove_hash_ctx_free(hc);
	free(q);
	return rc;
}

cove_err cove_platform_sgx_quote(cove_platform *p, const uint8_t report_body[COVE_SGX_REPORT_BODY_SIZE],
				 uint8_t **quote, size_t *len, cove_error *e)
{
	plat_sgx *s = NULL;
	*quote = NULL;
	*len = 0;
	cove_err rc = sgx_get(p, true, &s, e);
	return rc ? rc : quote_body(s, report_body, quote, len, e);
}

cove_err cove_platform_sgx_quote_identity(cove_platform *p, const cove_sgx_identity *id,
					  const uint8_t report_data[COVE_SGX_REPORT_DATA_SIZE], uint8_t **quote,
					  size_t *len, cove_error *e)
{
	plat_sgx *s = NULL;
	cove_sgx_report_body b;
	uint8_t raw[COVE_SGX_REPORT_BODY_SIZE];
	cove_err rc;
	if (quote)
		*quote = NULL;
	if (len)
		*len = 0;
	if (!p || !id || !quote || !len)
		return cove_error_set(e, COVE_ERR_ARG, "emulated SGX quote: missing platform, identity or output");
	if ((rc = sgx_get(p, true, &s, e)))
		return rc;
	if (memcmp(id->cpu_svn, s->ext.cpusvn, 16) != 0 && memcmp(id->cpu_svn, s->ext_low.cpusvn, 16) != 0)
		return cove_error_set(e, COVE_ERR_ARG, "emulated SGX quote: the enclave's CPUSVN is neither of this "
				      "platform's (cove_platform_sgx_cpusvn gives them)");
	/* The REPORTBODY EREPORT would produce for this enclave (cove_sgx_report_create). */
	memset(&b, 0, sizeof(b));
	memcpy(b.cpu_svn, id->cpu_svn, 16);
	b.misc_select = id->misc_select;
	memcpy(b.isv_ext_prod_id, id->isv_ext_prod_id, 16);
	b.attr_flags = id->attr_flags;
	b.attr_xfrm = id->attr_xfrm;
	memcpy(b.mr_enclave, id->mr_enclave, 32);
	memcpy(b.mr_signer, id->mr_signer, 32);
	memcpy(b.config_id, id->config_id, 64);
	b.isv_prod_id = id->isv_prod_id;
	b.isv_svn = id->isv_svn;
	b.config_svn = id->config_svn;
	memcpy(b.isv_family_id, id->isv_family_id, 16);
	if (report_data)
		memcpy(b.report_data, report_data, COVE_SGX_REPORT_DATA_SIZE);
	cove_sgx_report_body_encode(&b, raw);
	return quote_body(s, raw, quote, len, e);
}

cove_err cove_platform_sgx_root_secret(cove_platform *p, uint8_t out[COVE_SGX_ROOT_SECRET_SIZE], cove_error *e)
{
	plat_sgx *s = NULL;
	cove_err rc = sgx_get(p, true, &s, e);
	if (!rc)
		memcpy(out, s->root_secret, COVE_SGX_ROOT_SECRET_SIZE);
	return rc;
}

cove_err cove_platform_sgx_cpusvn(cove_platform *p, bool secret_memory, uint8_t out[16], cove_error *e)
{
	plat_sgx *s = NULL;
	cove_err rc = sgx_get(p, true, &s, e);
	if (!rc)
		memcpy(out, secret_memory ? s->ext.cpusvn : s->ext_low.cpusvn, 16);
	return rc;
}

cove_err cove_platform_sgx_load(cove_platform *p, cove_error *e)
{
	plat_sgx *s = NULL;
	uint8_t body[COVE_SGX_REPORT_BODY_SIZE] = {0}, *q = NULL;
	size_t n = 0;
	cove_err rc = sgx_get(p, true, &s, e);
	/*
	 * One throwaway quote per PCK, so that whatever OpenSSL sets up on first
	 * use (algorithm fetches, DRBG instantiation) happens now, not under seccomp.
	 */
	for (int low = 0; !rc && low < 2; low++) {
		memcpy(body + SGX_RB_OFF_CPU_SVN, low ? s->ext_low.cpusvn : s->ext.cpusvn, 16);
		rc = quote_body(s, body, &q, &n, e);
		free(q);
		q = NULL;
	}
	return rc;
}

static cove_err add_cert(cove_x509_list *l, X509 *c, cove_error *e)
{
	return cove_x509_list_add(l, c, e);
}

cove_err cove_platform_sgx_collateral(cove_platform *p, cove_dcap_collateral *out, cove_error *e)
{
	plat_sgx *s = NULL;
	cove_dcap_collateral c = {0};
	cove_err rc;
	memset(out, 0, sizeof(*out));
	if ((rc = sgx_get(p, true, &s, e)) || (rc = sgx_refresh(s, e)))
		return rc;
	if ((rc = add_cert(&c.pck_crl_issuer_chain, s->pca, e)) || (rc = add_cert(&c.pck_crl_issuer_chain, s->root, e)) ||
	    (rc = add_cert(&c.tcb_info_issuer_chain, s->tcb, e)) || (rc = add_cert(&c.tcb_info_issuer_chain, s->root, e)) ||
	    (rc = add_cert(&c.qe_identity_issuer_chain, s->tcb, e)) ||
	    (rc = add_cert(&c.qe_identity_issuer_chain, s->root, e)) ||
	    (rc = cove_dcap_collateral_set_tcb_info_body(&c, (const char *)s->tcb_info.data, s->tcb_info.len, e)) ||
	    (rc = cove_dcap_collateral_set_qe_identity_body(&c, (const char *)s->qe_identity.data, s->qe_identity.len,
							    e)))
		goto out;
	if (X509_CRL_up_ref(s->root_crl))
		c.root_ca_crl = s->root_crl;
	if (X509_CRL_up_ref(s->pck_crl))
		c.pck_crl = s->pck_crl;
	if (!c.root_ca_crl || !c.pck_crl) {
		rc = cove_error_set(e, COVE_ERR_CRYPTO, "cannot reference the CRLs: %s", cove_openssl_error());
		goto out;
	}
	*out = c;
	return COVE_OK;
out:
	cove_dcap_collateral_free(&c);
	return rc;
}
