/*
 * SGX REPORT, TARGETINFO and KEYREQUEST encoding and decoding.
 *
 * Layouts from the Intel SDM vol. 3D ch. 38 (REPORT, TARGETINFO, KEYREQUEST)
 * and linux-sgx common/inc/sgx_report.h / sgx_key.h; offsets in
 * enclave/sgx_layout.h.  Reserved bytes are written as zero and refused when
 * non-zero on input, as EGETKEY and EREPORT fault on them: a field we would
 * ignore must not be a place where tampering goes unnoticed.
 */
#include <string.h>

#include "cove/bytes.h"
#include "cove/sgx_report.h"
#include "enclave/sgx_layout.h"

void cove_sgx_report_body_encode(const cove_sgx_report_body *b, uint8_t out[COVE_SGX_REPORT_BODY_SIZE])
{
	memset(out, 0, COVE_SGX_REPORT_BODY_SIZE);
	memcpy(out + SGX_RB_OFF_CPU_SVN, b->cpu_svn, 16);
	cove_put_le32(out + SGX_RB_OFF_MISC_SELECT, b->misc_select);
	memcpy(out + SGX_RB_OFF_ISV_EXT_PROD_ID, b->isv_ext_prod_id, 16);
	/* attr_flags/attr_xfrm are authoritative; b->attributes is their stored form. */
	cove_put_le64(out + SGX_RB_OFF_ATTRIBUTES, b->attr_flags);
	cove_put_le64(out + SGX_RB_OFF_ATTRIBUTES + 8, b->attr_xfrm);
	memcpy(out + SGX_RB_OFF_MR_ENCLAVE, b->mr_enclave, 32);
	memcpy(out + SGX_RB_OFF_MR_SIGNER, b->mr_signer, 32);
	memcpy(out + SGX_RB_OFF_CONFIG_ID, b->config_id, 64);
	cove_put_le16(out + SGX_RB_OFF_ISV_PROD_ID, b->isv_prod_id);
	cove_put_le16(out + SGX_RB_OFF_ISV_SVN, b->isv_svn);
	cove_put_le16(out + SGX_RB_OFF_CONFIG_SVN, b->config_svn);
	memcpy(out + SGX_RB_OFF_ISV_FAMILY_ID, b->isv_family_id, 16);
	memcpy(out + SGX_RB_OFF_REPORT_DATA, b->report_data, 64);
}

/* First non-zero byte in one of the reserved ranges, for a precise message. */
static cove_err check_reserved(const uint8_t *raw, const char *what, const size_t (*ranges)[2], size_t n,
			       cove_error *e)
{
	for (size_t i = 0; i < n; i++)
		for (size_t o = ranges[i][0]; o < ranges[i][0] + ranges[i][1]; o++)
			if (raw[o])
				return cove_error_set(e, COVE_ERR_PARSE,
						      "%s: reserved byte at offset %zu is 0x%02x, must be zero", what,
						      o, raw[o]);
	return COVE_OK;
}

cove_err cove_sgx_report_parse(const uint8_t *raw, size_t len, cove_sgx_report *out, cove_error *e)
{
	static const size_t rsvd[][2] = {
		{SGX_RB_OFF_RESERVED1, 12}, {SGX_RB_OFF_RESERVED2, 32},
		{SGX_RB_OFF_RESERVED3, 32}, {SGX_RB_OFF_RESERVED4, 42},
	};
	cove_err rc;
	if (!raw || !out)
		return cove_error_set(e, COVE_ERR_ARG, "SGX REPORT: missing input or output");
	if (len != COVE_SGX_REPORT_SIZE)
		return cove_error_set(e, COVE_ERR_PARSE, "SGX REPORT: %zu bytes, must be exactly %d", len,
				      COVE_SGX_REPORT_SIZE);
	if ((rc = check_reserved(raw, "SGX REPORT", rsvd, sizeof(rsvd) / sizeof(rsvd[0]), e)))
		return rc;
	cove_sgx_report_body_parse(raw + SGX_REPORT_OFF_BODY, &out->body);
	memcpy(out->key_id, raw + SGX_REPORT_OFF_KEYID, COVE_SGX_KEYID_SIZE);
	memcpy(out->mac, raw + SGX_REPORT_OFF_MAC, COVE_SGX_MAC_SIZE);
	return COVE_OK;
}

void cove_sgx_targetinfo_encode(const cove_sgx_targetinfo *t, uint8_t out[COVE_SGX_TARGETINFO_SIZE])
{
	memset(out, 0, COVE_SGX_TARGETINFO_SIZE);
	memcpy(out + SGX_TI_OFF_MR_ENCLAVE, t->mr_enclave, 32);
	cove_put_le64(out + SGX_TI_OFF_ATTRIBUTES, t->attr_flags);
	cove_put_le64(out + SGX_TI_OFF_ATTRIBUTES + 8, t->attr_xfrm);
	cove_put_le16(out + SGX_TI_OFF_CONFIG_SVN, t->config_svn);
	cove_put_le32(out + SGX_TI_OFF_MISC_SELECT, t->misc_select);
	memcpy(out + SGX_TI_OFF_CONFIG_ID, t->config_id, 64);
}

cove_err cove_sgx_targetinfo_parse(const uint8_t *raw, size_t len, cove_sgx_targetinfo *out, cove_error *e)
{
	static const size_t rsvd[][2] = {{SGX_TI_OFF_RESERVED1, 2}, {SGX_TI_OFF_RESERVED2, 8}, {SGX_TI_OFF_RESERVED3, 384}};
	cove_err rc;
	if (!raw || !out)
		return cove_error_set(e, COVE_ERR_ARG, "SGX TARGETINFO: missing input or output");
	if (len != COVE_SGX_TARGETINFO_SIZE)
		return cove_error_set(e, COVE_ERR_PARSE, "SGX TARGETINFO: %zu bytes, must be exactly %d", len,
				      COVE_SGX_TARGETINFO_SIZE);
	if ((rc = check_reserved(raw, "SGX TARGETINFO", rsvd, sizeof(rsvd) / sizeof(rsvd[0]), e)))
		return rc;
	memset(out, 0, sizeof(*out));
	memcpy(out->mr_enclave, raw + SGX_TI_OFF_MR_ENCLAVE, 32);
	out->attr_flags = cove_le64(raw + SGX_TI_OFF_ATTRIBUTES);
	out->attr_xfrm = cove_le64(raw + SGX_TI_OFF_ATTRIBUTES + 8);
	out->config_svn = cove_le16(raw + SGX_TI_OFF_CONFIG_SVN);
	out->misc_select = cove_le32(raw + SGX_TI_OFF_MISC_SELECT);
	memcpy(out->config_id, raw + SGX_TI_OFF_CONFIG_ID, 64);
	return COVE_OK;
}

void cove_sgx_keyrequest_encode(const cove_sgx_keyrequest *k, uint8_t out[COVE_SGX_KEYREQUEST_SIZE])
{
	memset(out, 0, COVE_SGX_KEYREQUEST_SIZE);
	cove_put_le16(out + SGX_KR_OFF_KEY_NAME, k->key_name);
	cove_put_le16(out + SGX_KR_OFF_KEY_POLICY, k->key_policy);
	cove_put_le16(out + SGX_KR_OFF_ISV_SVN, k->isv_svn);
	memcpy(out + SGX_KR_OFF_CPU_SVN, k->cpu_svn, 16);
	cove_put_le64(out + SGX_KR_OFF_ATTR_MASK, k->attr_mask_flags);
	cove_put_le64(out + SGX_KR_OFF_ATTR_MASK + 8, k->attr_mask_xfrm);
	memcpy(out + SGX_KR_OFF_KEY_ID, k->key_id, COVE_SGX_KEYID_SIZE);
	cove_put_le32(out + SGX_KR_OFF_MISC_MASK, k->misc_mask);
	cove_put_le16(out + SGX_KR_OFF_CONFIG_SVN, k->config_svn);
}

cove_err cove_sgx_keyrequest_parse(const uint8_t *raw, size_t len, cove_sgx_keyrequest *out, cove_error *e)
{
	static const size_t rsvd[][2] = {{SGX_KR_OFF_RESERVED1, 2}, {SGX_KR_OFF_RESERVED2, 434}};
	cove_err rc;
	if (!raw || !out)
		return cove_error_set(e, COVE_ERR_ARG, "SGX KEYREQUEST: missing input or output");
	if (len != COVE_SGX_KEYREQUEST_SIZE)
		return cove_error_set(e, COVE_ERR_PARSE, "SGX KEYREQUEST: %zu bytes, must be exactly %d", len,
				      COVE_SGX_KEYREQUEST_SIZE);
	if ((rc = check_reserved(raw, "SGX KEYREQUEST", rsvd, sizeof(rsvd) / sizeof(rsvd[0]), e)))
		return rc;
	memset(out, 0, sizeof(*out));
	out->key_name = cove_le16(raw + SGX_KR_OFF_KEY_NAME);
	out->key_policy = cove_le16(raw + SGX_KR_OFF_KEY_POLICY);
	out->isv_svn = cove_le16(raw + SGX_KR_OFF_ISV_SVN);
	memcpy(out->cpu_svn, raw + SGX_KR_OFF_CPU_SVN, 16);
	out->attr_mask_flags = cove_le64(raw + SGX_KR_OFF_ATTR_MASK);
	out->attr_mask_xfrm = cove_le64(raw + SGX_KR_OFF_ATTR_MASK + 8);
	memcpy(out->key_id, raw + SGX_KR_OFF_KEY_ID, COVE_SGX_KEYID_SIZE);
	out->misc_mask = cove_le32(raw + SGX_KR_OFF_MISC_MASK);
	out->config_svn = cove_le16(raw + SGX_KR_OFF_CONFIG_SVN);
	return COVE_OK;
}

void cove_sgx_targetinfo_init(const cove_sgx_identity *id, cove_sgx_targetinfo *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out->mr_enclave, id->mr_enclave, 32);
	out->attr_flags = id->attr_flags;
	out->attr_xfrm = id->attr_xfrm;
	out->config_svn = id->config_svn;
	out->misc_select = id->misc_select;
	memcpy(out->config_id, id->config_id, 64);
}

void cove_sgx_identity_init(const cove_sgx_report_body *b, cove_sgx_identity *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out->mr_enclave, b->mr_enclave, 32);
	memcpy(out->mr_signer, b->mr_signer, 32);
	out->isv_prod_id = b->isv_prod_id;
	out->isv_svn = b->isv_svn;
	memcpy(out->cpu_svn, b->cpu_svn, 16);
	out->attr_flags = b->attr_flags;
	out->attr_xfrm = b->attr_xfrm;
	out->misc_select = b->misc_select;
	memcpy(out->config_id, b->config_id, 64);
	out->config_svn = b->config_svn;
	memcpy(out->isv_family_id, b->isv_family_id, 16);
	memcpy(out->isv_ext_prod_id, b->isv_ext_prod_id, 16);
}
