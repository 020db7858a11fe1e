/*
 * The Intel SGX extension of PCK certificates (OID 1.2.840.113741.1.13.1):
 * a SEQUENCE of {OID, value} pairs carrying the PPID, the platform TCB (16
 * SGX component SVNs, PCESVN, CPUSVN), PCE-ID, FMSPC, SGX type and, in
 * Platform-CA certificates, the platform instance ID and configuration.
 * Item OIDs and types follow Intel QVL X509CertGenerator.cpp and the
 * certificates in shared/vectors (shared/research/sgx-tdx.md section c).
 *
 * Decoding is OpenSSL's: each SEQUENCE is read with d2i_ASN1_SEQUENCE_ANY and
 * re-encoded to prove it was DER, values are ASN1_TYPEs.  Items .1 to .5 are
 * mandatory, every TCB item is mandatory, duplicates are refused; unknown
 * items under the arc (top level and configuration) are skipped so that a
 * future Intel addition does not break parsing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/objects.h>

#include "cove/bytes.h"
#include "cove/dcap.h"

#define SGX_ARC "1.2.840.113741.1.13.1"
#define OID_MAX 128

static void seq_free(ASN1_SEQUENCE_ANY *s)
{
	sk_ASN1_TYPE_pop_free(s, ASN1_TYPE_free);
}

/* Decode one DER SEQUENCE OF ANY covering exactly [der, der+len). */
static cove_err seq_decode(const uint8_t *der, size_t len, const char *what, ASN1_SEQUENCE_ANY **out, cove_error *e)
{
	const unsigned char *p = der;
	unsigned char *re = NULL;
	*out = NULL;
	if (len == 0 || len > INT32_MAX)
		return cove_error_set(e, COVE_ERR_PARSE, "SGX PCK extension: %s is %zu bytes", what, len);
	ASN1_SEQUENCE_ANY *s = d2i_ASN1_SEQUENCE_ANY(NULL, &p, (long)len);
	if (!s)
		return cove_error_set(e, COVE_ERR_PARSE, "SGX PCK extension: %s is not a SEQUENCE: %s", what,
				      cove_openssl_error());
	if (p != der + len) {
		seq_free(s);
		return cove_error_set(e, COVE_ERR_PARSE, "SGX PCK extension: %zu bytes follow %s",
				      (size_t)(der + len - p), what);
	}
	int n = i2d_ASN1_SEQUENCE_ANY(s, &re);
	bool der_ok = n > 0 && (size_t)n == len && memcmp(re, der, len) == 0;
	OPENSSL_free(re);
	if (!der_ok) {
		seq_free(s);
		return cove_error_set(e, COVE_ERR_PARSE, "SGX PCK extension: %s is not in DER form", what);
	}
	*out = s;
	return COVE_OK;
}

/*
 * Element `i` of `parent` must be SEQUENCE {OID under `prefix`, value}.  `sub`
 * receives the OID text after "prefix.", *value the borrowed value and *pair
 * the holder to free.
 */
static cove_err pair_decode(ASN1_SEQUENCE_ANY *parent, int i, const char *where, const char *prefix, char *sub,
			    ASN1_TYPE **value, ASN1_SEQUENCE_ANY **pair, cove_error *e)
{
	ASN1_TYPE *t = sk_ASN1_TYPE_value(parent, i);
	char what[96], oid[OID_MAX];
	*pair = NULL;
	snprintf(what, sizeof(what), "item %d of %s", i + 1, where);
	if (ASN1_TYPE_get(t) != V_ASN1_SEQUENCE)
		return cove_error_set(e, COVE_ERR_PARSE, "SGX PCK extension: %s is not a SEQUENCE (tag %d)", what,
				      ASN1_TYPE_get(t));
	cove_err rc = seq_decode(ASN1_STRING_get0_data(t->value.sequence),
				 (size_t)ASN1_STRING_length(t->value.sequence), what, pair, e);
	if (rc)
		return rc;
	ASN1_TYPE *id = sk_ASN1_TYPE_num(*pair) == 2 ? sk_ASN1_TYPE_value(*pair, 0) : NULL;
	if (!id || ASN1_TYPE_get(id) != V_ASN1_OBJECT) {
		rc = cove_error_set(e, COVE_ERR_PARSE, "SGX PCK extension: %s is not a pair {OID, value}", what);
		goto fail;
	}
	int n = OBJ_obj2txt(oid, sizeof(oid), id->value.object, 1);
	size_t plen = strlen(prefix);
	if (n <= 0 || (size_t)n >= sizeof(oid)) {
		rc = cove_error_set(e, COVE_ERR_PARSE, "SGX PCK extension: %s has an unreadable OID", what);
		goto fail;
	}
	if (strncmp(oid, prefix, plen) != 0 || oid[plen] != '.' || !oid[plen + 1]) {
		rc = cove_error_set(e, COVE_ERR_PARSE, "SGX PCK extension: %s has OID %s, outside %s", what, oid,
				    prefix);
		goto fail;
	}
	snprintf(sub, OID_MAX, "%s", oid + plen + 1);
	*value = sk_ASN1_TYPE_value(*pair, 1);
	return COVE_OK;
fail:
	seq_free(*pair);
	*pair = NULL;
	return rc;
}

/* A single arc number "N" (no dots); 0 when `sub` is anything else. */
static unsigned arc_number(const char *sub)
{
	char *end;
	if (sub[0] < '1' || sub[0] > '9')
		return 0;
	unsigned long v = strtoul(sub, &end, 10);
	return *end || v > 1000 ? 0 : (unsigned)v;
}

static cove_err want_type(const ASN1_TYPE *v, int type, const char *type_name, const char *oid, const char *name,
			  cove_error *e)
{
	if (ASN1_TYPE_get(v) != type)
		return cove_error_set(e, COVE_ERR_PARSE, "SGX PCK extension: %s (%s) is not an %s (tag %d)", oid, name,
				      type_name, ASN1_TYPE_get(v));
	return COVE_OK;
}

static cove_err get_octets(const ASN1_TYPE *v, const char *oid, const char *name, uint8_t *out, size_t n,
			   cove_error *e)
{
	cove_err rc = want_type(v, V_ASN1_OCTET_STRING, "OCTET STRING", oid, name, e);
	if (rc)
		return rc;
	if ((size_t)ASN1_STRING_length(v->value.octet_string) != n)
		return cove_error_set(e, COVE_ERR_PARSE, "SGX PCK extension: %s (%s) is %d bytes, expected %zu", oid,
				      name, ASN1_STRING_length(v->value.octet_string), n);
	memcpy(out, ASN1_STRING_get0_data(v->value.octet_string), n);
	return COVE_OK;
}

static cove_err get_int(const ASN1_TYPE *v, bool enumerated, const char *oid, const char *name, int64_t max,
			int64_t *out, cove_error *e)
{
	int64_t x = 0;
	int ok;
	cove_err rc = enumerated ? want_type(v, V_ASN1_ENUMERATED, "ENUMERATED", oid, name, e)
				 : want_type(v, V_ASN1_INTEGER, "INTEGER", oid, name, e);
	if (rc)
		return rc;
	ok = enumerated ? ASN1_ENUMERATED_get_int64(&x, v->value.enumerated)
			: ASN1_INTEGER_get_int64(&x, v->value.integer);
	if (!ok || x < 0 || x > max)
		return cove_error_set(e, COVE_ERR_PARSE, "SGX PCK extension: %s (%s) is out of range 0..%lld", oid, name,
				      (long long)max);
	*out = x;
	return COVE_OK;
}

static cove_err get_bool(const ASN1_TYPE *v, const char *oid, const char *name, bool *out, cove_error *e)
{
	cove_err rc = want_type(v, V_ASN1_BOOLEAN, "BOOLEAN", oid, name, e);
	if (rc)
		return rc;
	/* OpenSSL keeps the content octet as read; DER allows only 0x00 and 0xFF. */
	if (v->value.boolean != 0 && v->value.boolean != 0xFF)
		return cove_error_set(e, COVE_ERR_PARSE, "SGX PCK extension: %s (%s) is not in DER form (BOOLEAN 0x%02x)",
				      oid, name, (unsigned)v->value.boolean & 0xFFu);
	*out = v->value.boolean != 0;
	return COVE_OK;
}

static cove_err duplicate(const char *oid, const char *name, cove_error *e)
{
	return cove_error_set(e, COVE_ERR_PARSE, "SGX PCK extension: %s (%s) appears more than once", oid, name);
}

/* .2: the 16 component SVNs, PCESVN and CPUSVN, every one required. */
static cove_err parse_tcb(const ASN1_TYPE *v, cove_sgx_pck_ext *out, cove_error *e)
{
	ASN1_SEQUENCE_ANY *seq = NULL, *pair = NULL;
	uint32_t seen = 0;
	cove_err rc = want_type(v, V_ASN1_SEQUENCE, "SEQUENCE", SGX_ARC ".2", "TCB", e);
	if (rc)
		return rc;
	if ((rc = seq_decode(ASN1_STRING_get0_data(v->value.sequence), (size_t)ASN1_STRING_length(v->value.sequence),
			     "the TCB (" SGX_ARC ".2)", &seq, e)))
		return rc;
	for (int i = 0; i < sk_ASN1_TYPE_num(seq); i++) {
		char sub[OID_MAX], oid[OID_MAX + 32], name[32];
		ASN1_TYPE *val = NULL;
		int64_t x = 0;
		if ((rc = pair_decode(seq, i, "the TCB", SGX_ARC ".2", sub, &val, &pair, e)))
			goto out;
		unsigned n = arc_number(sub);
		snprintf(oid, sizeof(oid), SGX_ARC ".2.%s", sub);
		if (n < 1 || n > 18) {
			rc = cove_error_set(e, COVE_ERR_PARSE, "SGX PCK extension: unknown TCB item %s", oid);
			goto out;
		}
		if (n <= 16)
			snprintf(name, sizeof(name), "SGX TCB comp %02u SVN", n);
		else
			snprintf(name, sizeof(name), "%s", n == 17 ? "PCESVN" : "CPUSVN");
		if (seen & (1u << n)) {
			rc = duplicate(oid, name, e);
			goto out;
		}
		seen |= 1u << n;
		if (n <= 16) {
			if ((rc = get_int(val, false, oid, name, 255, &x, e)))
				goto out;
			out->tcb_comp[n - 1] = (uint8_t)x;
		} else if (n == 17) {
			if ((rc = get_int(val, false, oid, name, 65535, &x, e)))
				goto out;
			out->pcesvn = (uint16_t)x;
		} else if ((rc = get_octets(val, oid, name, out->cpusvn, 16, e))) {
			goto out;
		}
		seq_free(pair);
		pair = NULL;
	}
	for (unsigned n = 1; n <= 18; n++) {
		if (!(seen & (1u << n))) {
			rc = cove_error_set(e, COVE_ERR_PARSE, "SGX PCK extension: the TCB lacks %s.2.%u (%s)", SGX_ARC, n,
					    n <= 16 ? "an SGX TCB component SVN" : n == 17 ? "PCESVN" : "CPUSVN");
			goto out;
		}
	}
out:
	seq_free(pair);
	seq_free(seq);
	return rc;
}

/* .7: Configuration, a SEQUENCE of {OID, BOOLEAN}; each item optional. */
static cove_err parse_config(const ASN1_TYPE *v, cove_sgx_pck_ext *out, cove_error *e)
{
	static const char *const names[] = {"", "DynamicPlatform", "CachedKeys", "SMTEnabled"};
	ASN1_SEQUENCE_ANY *seq = NULL, *pair = NULL;
	unsigned seen = 0;
	cove_err rc = want_type(v, V_ASN1_SEQUENCE, "SEQUENCE", SGX_ARC ".7", "Configuration", e);
	if (rc)
		return rc;
	if ((rc = seq_decode(ASN1_STRING_get0_data(v->value.sequence), (size_t)ASN1_STRING_length(v->value.sequence),
			     "the configuration (" SGX_ARC ".7)", &seq, e)))
		return rc;
	for (int i = 0; i < sk_ASN1_TYPE_num(seq); i++) {
		char sub[OID_MAX], oid[OID_MAX + 32];
		ASN1_TYPE *val = NULL;
		bool b = false;
		if ((rc = pair_decode(seq, i, "the configuration", SGX_ARC ".7", sub, &val, &pair, e)))
			goto out;
		unsigned n = arc_number(sub);
		snprintf(oid, sizeof(oid), SGX_ARC ".7.%s", sub);
		if (n >= 1 && n <= 3) {
			if (seen & (1u << n)) {
				rc = duplicate(oid, names[n], e);
				goto out;
			}
			seen |= 1u << n;
			if ((rc = get_bool(val, oid, names[n], &b, e)))
				goto out;
			if (n == 1)
				out->dynamic_platform = b;
			else if (n == 2)
				out->cached_keys = b;
			else
				out->smt_enabled = b;
		}
		seq_free(pair);
		pair = NULL;
	}
	out->has_configuration = true;
out:
	seq_free(pair);
	seq_free(seq);
	return rc;
}

cove_err cove_sgx_pck_ext_parse_der(const uint8_t *der, size_t len, cove_sgx_pck_ext *out, cove_error *e)
{
	static const char *const names[] = {"", "PPID", "TCB", "PCE-ID", "FMSPC", "SGX Type", "PlatformInstanceID",
					    "Configuration"};
	ASN1_SEQUENCE_ANY *seq = NULL, *pair = NULL;
	unsigned seen = 0;
	cove_err rc;

	memset(out, 0, sizeof(*out));
	if (!der && len)
		return cove_error_set(e, COVE_ERR_ARG, "SGX PCK extension: no data");
	if ((rc = seq_decode(der, len, "the extension value", &seq, e)))
		return rc;
	for (int i = 0; i < sk_ASN1_TYPE_num(seq); i++) {
		char sub[OID_MAX], oid[OID_MAX + 32];
		ASN1_TYPE *val = NULL;
		int64_t x = 0;
		if ((rc = pair_decode(seq, i, "the extension", SGX_ARC, sub, &val, &pair, e)))
			goto out;
		unsigned n = arc_number(sub);
		snprintf(oid, sizeof(oid), SGX_ARC ".%s", sub);
		if (n >= 1 && n <= 7) {
			if (seen & (1u << n)) {
				rc = duplicate(oid, names[n], e);
				goto out;
			}
			seen |= 1u << n;
		}
		switch (n) {
		case 1: rc = get_octets(val, oid, names[n], out->ppid, 16, e); break;
		case 2: rc = parse_tcb(val, out, e); break;
		case 3: rc = get_octets(val, oid, names[n], out->pceid, 2, e); break;
		case 4: rc = get_octets(val, oid, names[n], out->fmspc, 6, e); break;
		case 5:
			rc = get_int(val, true, oid, names[n], COVE_SGX_TYPE_SCALABLE_WITH_INTEGRITY, &x, e);
			out->sgx_type = (int)x;
			break;
		case 6:
			rc = get_octets(val, oid, names[n], out->platform_instance_id, 16, e);
			out->has_platform_instance_id = rc == COVE_OK;
			break;
		case 7: rc = parse_config(val, out, e); break;
		default: break; /* an item this version does not know */
		}
		if (rc)
			goto out;
		seq_free(pair);
		pair = NULL;
	}
	for (unsigned n = 1; n <= 5; n++) {
		if (!(seen & (1u << n))) {
			rc = cove_error_set(e, COVE_ERR_PARSE, "SGX PCK extension: mandatory item %s.%u (%s) is missing",
					    SGX_ARC, n, names[n]);
			goto out;
		}
	}
out:
	seq_free(pair);
	seq_free(seq);
	if (rc)
		memset(out, 0, sizeof(*out));
	return rc;
}

cove_err cove_sgx_pck_ext_parse(cove_x509 *pck, cove_sgx_pck_ext *out, cove_error *e)
{
	const uint8_t *der = NULL;
	size_t len = 0;
	bool found = false;
	memset(out, 0, sizeof(*out));
	if (!pck)
		return cove_error_set(e, COVE_ERR_ARG, "no PCK certificate");
	cove_err rc = cove_x509_extension(pck, SGX_ARC, &der, &len, &found, e);
	if (rc)
		return rc;
	if (!found) {
		char subject[256];
		cove_x509_subject(pck, subject, sizeof(subject));
		return cove_error_set(e, COVE_ERR_PARSE,
				      "certificate \"%s\" has no Intel SGX extension (OID %s): not a PCK certificate",
				      subject, SGX_ARC);
	}
	return cove_sgx_pck_ext_parse_der(der, len, out, e);
}

static json_t *hexj(const void *p, size_t n)
{
	char *s = cove_hex_new(p, n);
	json_t *j = json_string(s ? s : "");
	free(s);
	return j;
}

json_t *cove_sgx_pck_ext_to_json(const cove_sgx_pck_ext *x)
{
	static const char *const types[] = {"Standard", "Scalable", "Scalable with integrity"};
	json_t *j = json_object();
	json_object_set_new(j, "ppid", hexj(x->ppid, 16));
	json_t *tcb = json_object();
	json_t *comp = json_array();
	for (int i = 0; i < 16; i++)
		json_array_append_new(comp, json_integer(x->tcb_comp[i]));
	json_object_set_new(tcb, "sgx_tcb_comp_svn", comp);
	json_object_set_new(tcb, "pcesvn", json_integer(x->pcesvn));
	json_object_set_new(tcb, "cpusvn", hexj(x->cpusvn, 16));
	json_object_set_new(j, "tcb", tcb);
	json_object_set_new(j, "pceid", hexj(x->pceid, 2));
	json_object_set_new(j, "fmspc", hexj(x->fmspc, 6));
	json_object_set_new(j, "sgx_type", json_integer(x->sgx_type));
	json_object_set_new(j, "sgx_type_name",
			    json_string(x->sgx_type >= 0 && x->sgx_type <= 2 ? types[x->sgx_type] : "unknown"));
	if (x->has_platform_instance_id)
		json_object_set_new(j, "platform_instance_id", hexj(x->platform_instance_id, 16));
	if (x->has_configuration)
		json_object_set_new(j, "configuration",
				    json_pack("{s:b, s:b, s:b}", "dynamic_platform", x->dynamic_platform, "cached_keys",
					      x->cached_keys, "smt_enabled", x->smt_enabled));
	return j;
}
