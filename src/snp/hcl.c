/*
 * Azure HCL report (vTPM NV index 0x01400001) parsing and verification.
 *
 * Header (32 bytes): "HCLA" signature, version, report_size, request_type,
 * 16 reserved/status bytes; the hardware report at 0x20 (1184 bytes for SNP);
 * IGVM_REQUEST_DATA at 0x4C0: data_size, version, report_type, hash_type,
 * variable_data_size (u32 each); the runtime claims JSON at 0x4D4.  The NV
 * index is larger than the meaningful bytes; the rest is zero padding.
 * Binding: REPORT_DATA[0:hash_len] = H(runtime claims), the rest zero
 * (Azure HclReportParser.cpp IsValidHclReport; kinvolk var_data_sha256).
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "cove/azure_hcl.h"
#include "cove/bytes.h"

#define HCL_SIGNATURE 0x414C4348u /* "HCLA" little-endian */
#define HCL_OFF_SIGNATURE 0x000
#define HCL_OFF_VERSION 0x004
#define HCL_OFF_REPORT_SIZE 0x008
#define HCL_OFF_REQUEST_TYPE 0x00C
#define HCL_OFF_HW_REPORT 0x020
#define HCL_OFF_IGVM 0x4C0
#define HCL_IGVM_SIZE 20
#define HCL_OFF_RUNTIME 0x4D4
#define HCL_MAX_SIZE (64 * 1024)

cove_err cove_azure_hcl_parse(const void *data, size_t len, cove_azure_hcl *h, cove_error *e)
{
	const uint8_t *b = data;
	memset(h, 0, sizeof(*h));
	if (len < HCL_OFF_RUNTIME)
		return cove_error_set(e, COVE_ERR_PARSE, "an HCL report needs at least %d bytes, got %zu",
				      HCL_OFF_RUNTIME, len);
	if (len > HCL_MAX_SIZE)
		return cove_error_set(e, COVE_ERR_PARSE, "HCL report of %zu bytes is larger than %d", len, HCL_MAX_SIZE);
	if (cove_le32(b + HCL_OFF_SIGNATURE) != HCL_SIGNATURE)
		return cove_error_set(e, COVE_ERR_PARSE, "not an HCL report: signature 0x%08x is not \"HCLA\"",
				      cove_le32(b + HCL_OFF_SIGNATURE));
	h->version = cove_le32(b + HCL_OFF_VERSION);
	h->report_size = cove_le32(b + HCL_OFF_REPORT_SIZE);
	h->request_type = cove_le32(b + HCL_OFF_REQUEST_TYPE);
	uint32_t data_size = cove_le32(b + HCL_OFF_IGVM);
	uint32_t igvm_version = cove_le32(b + HCL_OFF_IGVM + 4);
	h->report_type = cove_le32(b + HCL_OFF_IGVM + 8);
	h->hash_type = cove_le32(b + HCL_OFF_IGVM + 12);
	uint32_t var_size = cove_le32(b + HCL_OFF_IGVM + 16);

	if (h->report_type != COVE_AZURE_HCL_REPORT_SNP)
		return cove_error_set(e, h->report_type == COVE_AZURE_HCL_REPORT_TDX ? COVE_ERR_UNSUPPORTED : COVE_ERR_PARSE,
				      "HCL report type %u is not SEV-SNP (2)", h->report_type);
	if (igvm_version != 1)
		return cove_error_set(e, COVE_ERR_PARSE, "IGVM request data version %u is not 1", igvm_version);
	if (h->hash_type < 1 || h->hash_type > 3)
		return cove_error_set(e, COVE_ERR_PARSE, "IGVM hash type %u is not 1 (SHA-256), 2 (SHA-384) or 3 (SHA-512)",
				      h->hash_type);
	if (var_size > len - HCL_OFF_RUNTIME)
		return cove_error_set(e, COVE_ERR_PARSE, "runtime claims of %u bytes at 0x%x run past the %zu-byte report",
				      var_size, HCL_OFF_RUNTIME, len);
	if (data_size != HCL_IGVM_SIZE + var_size)
		return cove_error_set(e, COVE_ERR_PARSE, "IGVM data_size %u is not 20 + variable_data_size %u", data_size,
				      var_size);
	if (h->report_size != HCL_OFF_IGVM + data_size)
		return cove_error_set(e, COVE_ERR_PARSE, "HCL report_size %u is not 0x4C0 + IGVM data_size %u",
				      h->report_size, data_size);
	h->hw_report = b + HCL_OFF_HW_REPORT;
	h->runtime_data = b + HCL_OFF_RUNTIME;
	h->runtime_len = var_size;
	json_error_t jerr;
	h->runtime = json_loadb((const char *)h->runtime_data, var_size, JSON_REJECT_DUPLICATES, &jerr);
	if (!h->runtime || !json_is_object(h->runtime)) {
		json_decref(h->runtime);
		h->runtime = NULL;
		return cove_error_set(e, COVE_ERR_PARSE, "HCL runtime claims are not a JSON object (offset %d: %s)",
				      jerr.position, jerr.text);
	}
	return COVE_OK;
}

void cove_azure_hcl_free(cove_azure_hcl *h)
{
	if (h) {
		json_decref(h->runtime);
		h->runtime = NULL;
	}
}

static cove_err b64url_bn(const char *text, BIGNUM **out, const char *what, cove_error *e)
{
	cove_buf b = {0};
	cove_err rc = cove_base64url_decode(text, strlen(text), &b, e);
	if (rc)
		return cove_error_wrap(e, rc, "HCLAkPub %s", what);
	*out = BN_bin2bn(b.data, (int)b.len, NULL);
	cove_buf_free(&b);
	return *out ? COVE_OK : cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
}

cove_err cove_azure_hcl_ak_pub(const cove_azure_hcl *h, cove_pkey **out, cove_error *e)
{
	json_t *keys = json_object_get(h->runtime, "keys"), *k;
	size_t i;
	const char *n_text = NULL, *e_text = NULL;
	json_array_foreach(keys, i, k) {
		const char *kid = json_string_value(json_object_get(k, "kid"));
		if (kid && strcmp(kid, "HCLAkPub") == 0) {
			const char *kty = json_string_value(json_object_get(k, "kty"));
			if (!kty || strcmp(kty, "RSA") != 0)
				return cove_error_set(e, COVE_ERR_PARSE, "HCLAkPub is not an RSA key");
			n_text = json_string_value(json_object_get(k, "n"));
			e_text = json_string_value(json_object_get(k, "e"));
			break;
		}
	}
	if (!n_text || !e_text)
		return cove_error_set(e, COVE_ERR_PARSE, "the runtime claims have no HCLAkPub RSA key with n and e");
	BIGNUM *n = NULL, *ex = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *key = NULL;
	cove_err rc;
	if ((rc = b64url_bn(n_text, &n, "modulus", e)) || (rc = b64url_bn(e_text, &ex, "exponent", e)))
		goto out;
	bld = OSSL_PARAM_BLD_new();
	if (!bld || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, ex) || !(params = OSSL_PARAM_BLD_to_param(bld)) ||
	    !(ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) {
		rc = cove_error_set(e, COVE_ERR_PARSE, "HCLAkPub is not a usable RSA key: %s", cove_openssl_error());
		goto out;
	}
	*out = key;
	rc = COVE_OK;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(ex);
	return rc;
}

cove_err cove_azure_hcl_verify(cove_snp_verifier *v, const void *data, size_t len, const cove_x509_list *certs,
			       cove_x509_crl *crl, const cove_snp_policy *policy, const cove_snp_verify_opts *opts,
			       cove_result **out, cove_error *e)
{
	cove_azure_hcl h;
	cove_snp_report report;
	cove_err rc;
	if ((rc = cove_azure_hcl_parse(data, len, &h, e)))
		return rc;
	if ((rc = cove_snp_report_parse(h.hw_report, COVE_SNP_REPORT_SIZE, &report, e))) {
		cove_error_wrap(e, rc, "SEV-SNP report inside the HCL report");
		goto out;
	}
	rc = cove_snp_verify(v, &report, certs, crl, policy, opts, out, e);
	if (rc != COVE_OK && rc != COVE_ERR_UNAVAILABLE)
		goto out;

	cove_result *res = *out;
	static const cove_hash hashes[] = {COVE_SHA256, COVE_SHA384, COVE_SHA512};
	cove_hash hash = hashes[h.hash_type - 1];
	size_t hl = cove_hash_len(hash);
	uint8_t digest[COVE_HASH_MAX_LEN];
	cove_err drc = cove_digest(hash, h.runtime_data, h.runtime_len, digest, e);
	if (drc) {
		rc = drc;
		goto out;
	}
	if (memcmp(digest, report.report_data, hl) != 0 || !cove_is_zero(report.report_data + hl, 64 - hl))
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "hcl.report_data_binding",
				 "REPORT_DATA is not the %s of the runtime claims followed by zeros: the claims (and the "
				 "vTPM key in them) are not bound to the hardware report",
				 hash == COVE_SHA256 ? "SHA-256" : hash == COVE_SHA384 ? "SHA-384" : "SHA-512");
	if (report.vmpl != 0)
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "hcl.vmpl",
				 "the HCL report's SNP report comes from VMPL %u; the paravisor runs at VMPL 0",
				 report.vmpl);
	json_object_set(res->claims, "x-ms-runtime", h.runtime);
	json_object_set_new(res->claims, "hcl", json_pack("{s:i, s:i, s:i}", "version", h.version, "request_type",
							  h.request_type, "hash_type", h.hash_type));
out:
	cove_azure_hcl_free(&h);
	return rc;
}
