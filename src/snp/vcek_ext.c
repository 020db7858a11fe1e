/*
 * VCEK / VLEK certificate extensions (AMD 57230 "Versioned Chip Endorsement Key
 * (VCEK) Certificate and KDS Interface Specification", OID arc
 * 1.3.6.1.4.1.3704.1).  Checked against the real certificates in
 * shared/vectors/snp: SPLs are DER INTEGERs that need a leading zero byte from
 * 0x80 on, so they are decoded whole; hwID is 64 raw bytes (struct version 0)
 * or 8 raw bytes (Turin), which Trustee and go-sev-guest also accept wrapped in
 * an OCTET STRING.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/asn1.h>

#include "cove/snp.h"

#define AMD_ARC "1.3.6.1.4.1.3704.1."

static cove_err der_integer(const char *what, const uint8_t *der, size_t len, long max, int *out, cove_error *e)
{
	const unsigned char *p = der;
	ASN1_INTEGER *i = d2i_ASN1_INTEGER(NULL, &p, (long)len);
	if (!i || p != der + len) {
		ASN1_INTEGER_free(i);
		return cove_error_set(e, COVE_ERR_PARSE, "VCEK extension %s is not a single DER INTEGER", what);
	}
	long v = ASN1_INTEGER_get(i);
	bool neg = ASN1_STRING_type(i) == V_ASN1_NEG_INTEGER;
	ASN1_INTEGER_free(i);
	if (neg || v < 0 || v > max)
		return cove_error_set(e, COVE_ERR_PARSE, "VCEK extension %s = %ld is out of range 0..%ld", what, v, max);
	*out = (int)v;
	return COVE_OK;
}

static cove_err der_ia5(const char *what, const uint8_t *der, size_t len, char *out, size_t out_len, cove_error *e)
{
	const unsigned char *p = der;
	ASN1_IA5STRING *s = d2i_ASN1_IA5STRING(NULL, &p, (long)len);
	if (!s || p != der + len) {
		ASN1_IA5STRING_free(s);
		return cove_error_set(e, COVE_ERR_PARSE, "VCEK extension %s is not a single DER IA5String", what);
	}
	int n = ASN1_STRING_length(s);
	const unsigned char *d = ASN1_STRING_get0_data(s);
	cove_err rc = COVE_OK;
	if (n < 0 || (size_t)n >= out_len || memchr(d, 0, (size_t)n)) {
		rc = cove_error_set(e, COVE_ERR_PARSE, "VCEK extension %s is too long or contains NUL", what);
	} else {
		memcpy(out, d, (size_t)n);
		out[n] = '\0';
	}
	ASN1_IA5STRING_free(s);
	return rc;
}

static cove_err hwid(const uint8_t *der, size_t len, cove_snp_vcek_ext *out, cove_error *e)
{
	/* Raw form first: a 64-byte id can legitimately start with 04 40. */
	if (len == 64 || len == 8) {
		memcpy(out->hwid, der, len);
		out->hwid_len = len;
		return COVE_OK;
	}
	if ((len == 66 && der[0] == 0x04 && der[1] == 64) || (len == 10 && der[0] == 0x04 && der[1] == 8)) {
		memcpy(out->hwid, der + 2, len - 2);
		out->hwid_len = len - 2;
		return COVE_OK;
	}
	return cove_error_set(e, COVE_ERR_PARSE, "VCEK hwID extension is %zu bytes (expected 64 or 8, raw or as an "
			      "OCTET STRING)", len);
}

static void ext_init(cove_snp_vcek_ext *out)
{
	memset(out, 0, sizeof(*out));
	out->struct_version = -1;
	out->bl_spl = out->tee_spl = out->snp_spl = out->ucode_spl = out->fmc_spl = -1;
}

cove_err cove_snp_vcek_ext_parse_value(const char *arc, const uint8_t *der, size_t len, cove_snp_vcek_ext *out,
				       cove_error *e)
{
	int ignored;
	if (strcmp(arc, "1") == 0)
		return der_integer("structVersion", der, len, 255, &out->struct_version, e);
	if (strcmp(arc, "2") == 0)
		return der_ia5("productName", der, len, out->product_name, sizeof(out->product_name), e);
	if (strcmp(arc, "3.1") == 0)
		return der_integer("blSPL", der, len, 255, &out->bl_spl, e);
	if (strcmp(arc, "3.2") == 0)
		return der_integer("teeSPL", der, len, 255, &out->tee_spl, e);
	if (strcmp(arc, "3.3") == 0)
		return der_integer("snpSPL", der, len, 255, &out->snp_spl, e);
	if (strcmp(arc, "3.8") == 0)
		return der_integer("ucodeSPL", der, len, 255, &out->ucode_spl, e);
	if (strcmp(arc, "3.9") == 0)
		return der_integer("fmcSPL", der, len, 255, &out->fmc_spl, e);
	if (strcmp(arc, "3.4") == 0 || strcmp(arc, "3.5") == 0 || strcmp(arc, "3.6") == 0 || strcmp(arc, "3.7") == 0)
		return der_integer("spl_4..7", der, len, 255, &ignored, e);
	if (strcmp(arc, "4") == 0)
		return hwid(der, len, out, e);
	if (strcmp(arc, "5") == 0)
		return der_ia5("csp_id", der, len, out->csp_id, sizeof(out->csp_id), e);
	return cove_error_set(e, COVE_ERR_ARG, "unknown VCEK extension arc %s", arc);
}

cove_err cove_snp_vcek_ext_parse(cove_x509 *cert, cove_snp_vcek_ext *out, cove_error *e)
{
	static const char *const arcs[] = {"1", "2", "3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "3.7", "3.8", "3.9", "4", "5"};
	ext_init(out);
	for (size_t i = 0; i < sizeof(arcs) / sizeof(arcs[0]); i++) {
		char oid[64];
		const uint8_t *der;
		size_t len;
		bool found;
		snprintf(oid, sizeof(oid), AMD_ARC "%s", arcs[i]);
		cove_err rc = cove_x509_extension(cert, oid, &der, &len, &found, e);
		if (rc)
			return rc;
		if (found && (rc = cove_snp_vcek_ext_parse_value(arcs[i], der, len, out, e)))
			return rc;
	}
	return COVE_OK;
}
