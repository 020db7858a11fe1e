/*
 * EGETKEY-style key derivation and EREPORT/report verification for the
 * emulated SGX platform.
 *
 * Model: Intel SDM vol. 3D ch. 40 "EGETKEY" and "EREPORT" pseudo-code, as
 * also followed by linux-sgx sdk/simulation/tinst/deriv.h: a key is the
 * AES-CMAC of a fixed derivation string that holds the KEYNAME, the
 * KEYPOLICY-selected identity fields, the masked ATTRIBUTES/MISCSELECT with
 * their masks, the requested SVNs and the KEYID.  Hardware keys that CMAC
 * with a fused per-package secret; the emulation keys it with its 32-byte
 * platform root secret using AES-256-CMAC (NIST SP 800-38B, a PRF under the
 * whole 256-bit secret, so no entropy of the root is dropped), producing the
 * 128-bit keys the SGX formats expect.  The derivation string is cove's own
 * fixed layout (documented in docs/sealing.md); it cannot reproduce hardware
 * keys and does not try to.  The REPORT MAC itself is AES-128-CMAC over the
 * 384-byte REPORTBODY, exactly as EREPORT computes it.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "cove/bytes.h"
#include "cove/crypto.h"
#include "cove/sgx_report.h"
#include "enclave/sgx_layout.h"

/* The derivation string (280 bytes, little-endian integers). */
#define DRV_OFF_LABEL 0            /* 16: domain separation, fixed text */
#define DRV_OFF_KEY_NAME 16
#define DRV_OFF_KEY_POLICY 18
#define DRV_OFF_ISV_SVN 20
#define DRV_OFF_CONFIG_SVN 22
#define DRV_OFF_ISV_PROD_ID 24
#define DRV_OFF_MISC_SELECT 28     /* MISCSELECT & MISCMASK */
#define DRV_OFF_MISC_MASK 32
#define DRV_OFF_CPU_SVN 40
#define DRV_OFF_ATTRIBUTES 56      /* ATTRIBUTES & ATTRIBUTEMASK */
#define DRV_OFF_ATTR_MASK 72
#define DRV_OFF_MR_ENCLAVE 88
#define DRV_OFF_MR_SIGNER 120
#define DRV_OFF_KEY_ID 152
#define DRV_OFF_CONFIG_ID 184
#define DRV_OFF_ISV_FAMILY_ID 248
#define DRV_OFF_ISV_EXT_PROD_ID 264
#define DRV_END 280
_Static_assert(DRV_OFF_ISV_EXT_PROD_ID + 16 == DRV_END, "derivation string layout");

static const char drv_label[16] = "cove-sgx-egetkey";

static cove_err cmac(const char *cipher, const uint8_t *key, size_t key_len, const uint8_t *data, size_t len,
		     uint8_t out[16], cove_error *e)
{
	size_t out_len = 0;
	if (!EVP_Q_mac(NULL, "CMAC", NULL, cipher, NULL, key, key_len, data, len, out, 16, &out_len) ||
	    out_len != 16)
		return cove_error_set(e, COVE_ERR_CRYPTO, "%s-CMAC failed in OpenSSL", cipher);
	return COVE_OK;
}

static const char *keyname_str(uint16_t n)
{
	switch (n) {
	case COVE_SGX_KEY_EINITTOKEN: return "EINITTOKEN";
	case COVE_SGX_KEY_PROVISION: return "PROVISION";
	case COVE_SGX_KEY_PROVISION_SEAL: return "PROVISION_SEAL";
	case COVE_SGX_KEY_REPORT: return "REPORT";
	case COVE_SGX_KEY_SEAL: return "SEAL";
	default: return "unknown";
	}
}

/* The SVN rule of EGETKEY: a key for a newer TCB than the enclave's current one is never handed out. */
static cove_err check_svns(const cove_sgx_identity *id, const cove_sgx_keyrequest *req, cove_error *e)
{
	if (req->isv_svn > id->isv_svn)
		return cove_error_set(e, COVE_ERR_POLICY,
				      "EGETKEY: INVALID_ISVSVN: the request's ISVSVN %u is above the enclave's %u",
				      req->isv_svn, id->isv_svn);
	if (req->config_svn > id->config_svn)
		return cove_error_set(e, COVE_ERR_POLICY,
				      "EGETKEY: INVALID_ISVSVN: the request's CONFIGSVN %u is above the enclave's %u",
				      req->config_svn, id->config_svn);
	/* CPUSVN components are ordered one by one, as DCAP's TCB levels compare them. */
	for (int i = 0; i < 16; i++)
		if (req->cpu_svn[i] > id->cpu_svn[i])
			return cove_error_set(e, COVE_ERR_POLICY,
					      "EGETKEY: INVALID_CPUSVN: the request's CPUSVN component %d is %u, "
					      "above the platform's %u",
					      i, req->cpu_svn[i], id->cpu_svn[i]);
	return COVE_OK;
}

static void put_masked_attributes(uint8_t *d, const cove_sgx_identity *id, uint64_t mflags, uint64_t mxfrm,
				  uint32_t mmisc)
{
	cove_put_le64(d + DRV_OFF_ATTRIBUTES, id->attr_flags & mflags);
	cove_put_le64(d + DRV_OFF_ATTRIBUTES + 8, id->attr_xfrm & mxfrm);
	cove_put_le64(d + DRV_OFF_ATTR_MASK, mflags);
	cove_put_le64(d + DRV_OFF_ATTR_MASK + 8, mxfrm);
	cove_put_le32(d + DRV_OFF_MISC_SELECT, id->misc_select & mmisc);
	cove_put_le32(d + DRV_OFF_MISC_MASK, mmisc);
}

/* SEAL: every identity field the policy selects, the requested (old or current) SVNs and the KEYID. */
static cove_err fill_seal(uint8_t *d, const cove_sgx_identity *id, const cove_sgx_keyrequest *req, cove_error *e)
{
	uint16_t p = req->key_policy;
	cove_err rc;
	if ((rc = check_svns(id, req, e)))
		return rc;
	cove_put_le16(d + DRV_OFF_KEY_POLICY, p);
	cove_put_le16(d + DRV_OFF_ISV_SVN, req->isv_svn);
	cove_put_le16(d + DRV_OFF_CONFIG_SVN, req->config_svn);
	if (!(p & COVE_SGX_KEYPOLICY_NOISVPRODID))
		cove_put_le16(d + DRV_OFF_ISV_PROD_ID, id->isv_prod_id);
	memcpy(d + DRV_OFF_CPU_SVN, req->cpu_svn, 16);
	put_masked_attributes(d, id, req->attr_mask_flags, req->attr_mask_xfrm, req->misc_mask);
	if (p & COVE_SGX_KEYPOLICY_MRENCLAVE)
		memcpy(d + DRV_OFF_MR_ENCLAVE, id->mr_enclave, 32);
	if (p & COVE_SGX_KEYPOLICY_MRSIGNER)
		memcpy(d + DRV_OFF_MR_SIGNER, id->mr_signer, 32);
	memcpy(d + DRV_OFF_KEY_ID, req->key_id, COVE_SGX_KEYID_SIZE);
	if (p & COVE_SGX_KEYPOLICY_CONFIGID)
		memcpy(d + DRV_OFF_CONFIG_ID, id->config_id, 64);
	if (p & COVE_SGX_KEYPOLICY_ISVFAMILYID)
		memcpy(d + DRV_OFF_ISV_FAMILY_ID, id->isv_family_id, 16);
	if (p & COVE_SGX_KEYPOLICY_ISVEXTPRODID)
		memcpy(d + DRV_OFF_ISV_EXT_PROD_ID, id->isv_ext_prod_id, 16);
	return COVE_OK;
}

/*
 * PROVISION / PROVISION_SEAL: bound to the signer and product whatever the
 * policy says, no KEYID (a provisioning key must be stable for a given TCB).
 */
static cove_err fill_provision(uint8_t *d, const cove_sgx_identity *id, const cove_sgx_keyrequest *req,
			       cove_error *e)
{
	cove_err rc;
	if (!(id->attr_flags & COVE_SGX_FLAGS_PROVISION_KEY))
		return cove_error_set(e, COVE_ERR_POLICY,
				      "EGETKEY: %s key refused: the enclave lacks the PROVISIONKEY attribute",
				      keyname_str(req->key_name));
	if ((rc = check_svns(id, req, e)))
		return rc;
	cove_put_le16(d + DRV_OFF_ISV_SVN, req->isv_svn);
	cove_put_le16(d + DRV_OFF_ISV_PROD_ID, id->isv_prod_id);
	memcpy(d + DRV_OFF_CPU_SVN, req->cpu_svn, 16);
	put_masked_attributes(d, id, req->attr_mask_flags, req->attr_mask_xfrm, req->misc_mask);
	memcpy(d + DRV_OFF_MR_SIGNER, id->mr_signer, 32);
	return COVE_OK;
}

/*
 * REPORT: the enclave's own MRENCLAVE, full ATTRIBUTES and MISCSELECT,
 * CONFIGID/CONFIGSVN and the platform's current CPUSVN - the same inputs
 * EREPORT takes from a TARGETINFO - plus the KEYID; other request fields are
 * ignored, as on hardware.
 */
static void fill_report(uint8_t *d, const cove_sgx_identity *id, const uint8_t key_id[COVE_SGX_KEYID_SIZE])
{
	cove_put_le16(d + DRV_OFF_CONFIG_SVN, id->config_svn);
	memcpy(d + DRV_OFF_CPU_SVN, id->cpu_svn, 16);
	put_masked_attributes(d, id, UINT64_MAX, UINT64_MAX, UINT32_MAX);
	memcpy(d + DRV_OFF_MR_ENCLAVE, id->mr_enclave, 32);
	memcpy(d + DRV_OFF_KEY_ID, key_id, COVE_SGX_KEYID_SIZE);
	memcpy(d + DRV_OFF_CONFIG_ID, id->config_id, 64);
}

cove_err cove_sgx_derive_key(const uint8_t root_secret[COVE_SGX_ROOT_SECRET_SIZE], const cove_sgx_identity *id,
			     const cove_sgx_keyrequest *req, uint8_t out[COVE_SGX_KEY_SIZE], cove_error *e)
{
	uint8_t d[DRV_END];
	cove_err rc = COVE_OK;
	if (!out)
		return cove_error_set(e, COVE_ERR_ARG, "EGETKEY: missing output key");
	memset(out, 0, COVE_SGX_KEY_SIZE);
	if (!root_secret || !id || !req)
		return cove_error_set(e, COVE_ERR_ARG, "EGETKEY: missing root secret, identity or key request");
	if (req->key_policy & ~COVE_SGX_KEYPOLICY_VALID)
		return cove_error_set(e, COVE_ERR_ARG, "EGETKEY: KEYPOLICY 0x%04x has reserved bits set (valid: 0x%04x)",
				      req->key_policy, COVE_SGX_KEYPOLICY_VALID);
	if ((req->key_policy & COVE_SGX_KEYPOLICY_KSS) && !(id->attr_flags & COVE_SGX_FLAGS_KSS))
		return cove_error_set(e, COVE_ERR_ARG,
				      "EGETKEY: KEYPOLICY 0x%04x uses key separation bits but the enclave lacks the "
				      "KSS attribute",
				      req->key_policy);
	memset(d, 0, sizeof(d));
	memcpy(d + DRV_OFF_LABEL, drv_label, sizeof(drv_label));
	cove_put_le16(d + DRV_OFF_KEY_NAME, req->key_name);
	switch (req->key_name) {
	case COVE_SGX_KEY_SEAL:
		rc = fill_seal(d, id, req, e);
		break;
	case COVE_SGX_KEY_REPORT:
		fill_report(d, id, req->key_id);
		break;
	case COVE_SGX_KEY_PROVISION:
	case COVE_SGX_KEY_PROVISION_SEAL:
		rc = fill_provision(d, id, req, e);
		break;
	case COVE_SGX_KEY_EINITTOKEN:
		rc = cove_error_set(e, COVE_ERR_UNSUPPORTED,
				    "EGETKEY: EINITTOKEN keys do not exist on the emulated platform (no launch control)");
		break;
	default:
		rc = cove_error_set(e, COVE_ERR_ARG, "EGETKEY: unknown KEYNAME %u", req->key_name);
		break;
	}
	if (rc == COVE_OK)
		rc = cmac("AES-256-CBC", root_secret, COVE_SGX_ROOT_SECRET_SIZE, d, sizeof(d), out, e);
	if (rc)
		OPENSSL_cleanse(out, COVE_SGX_KEY_SIZE);
	OPENSSL_cleanse(d, sizeof(d));
	return rc;
}

/* The REPORT key of `id` for `key_id`. */
static cove_err report_key(const uint8_t *root_secret, const cove_sgx_identity *id, const uint8_t *key_id,
			   uint8_t key[COVE_SGX_KEY_SIZE], cove_error *e)
{
	cove_sgx_keyrequest req;
	memset(&req, 0, sizeof(req));
	req.key_name = COVE_SGX_KEY_REPORT;
	memcpy(req.key_id, key_id, COVE_SGX_KEYID_SIZE);
	return cove_sgx_derive_key(root_secret, id, &req, key, e);
}

cove_err cove_sgx_report_create(const uint8_t root_secret[COVE_SGX_ROOT_SECRET_SIZE], const cove_sgx_identity *self,
				const cove_sgx_targetinfo *target,
				const uint8_t report_data[COVE_SGX_REPORT_DATA_SIZE],
				uint8_t out[COVE_SGX_REPORT_SIZE], cove_error *e)
{
	cove_sgx_identity tid;
	cove_sgx_report_body body;
	uint8_t key[COVE_SGX_KEY_SIZE];
	cove_err rc;
	if (!root_secret || !self || !target || !out)
		return cove_error_set(e, COVE_ERR_ARG, "EREPORT: missing root secret, identity, TARGETINFO or output");
	/* The target, as EREPORT sees it: its TARGETINFO on this platform (hence this CPUSVN). */
	memset(&tid, 0, sizeof(tid));
	memcpy(tid.mr_enclave, target->mr_enclave, 32);
	tid.attr_flags = target->attr_flags;
	tid.attr_xfrm = target->attr_xfrm;
	tid.misc_select = target->misc_select;
	tid.config_svn = target->config_svn;
	memcpy(tid.config_id, target->config_id, 64);
	memcpy(tid.cpu_svn, self->cpu_svn, 16);

	memset(&body, 0, sizeof(body));
	memcpy(body.cpu_svn, self->cpu_svn, 16);
	body.misc_select = self->misc_select;
	memcpy(body.isv_ext_prod_id, self->isv_ext_prod_id, 16);
	body.attr_flags = self->attr_flags;
	body.attr_xfrm = self->attr_xfrm;
	memcpy(body.mr_enclave, self->mr_enclave, 32);
	memcpy(body.mr_signer, self->mr_signer, 32);
	memcpy(body.config_id, self->config_id, 64);
	body.isv_prod_id = self->isv_prod_id;
	body.isv_svn = self->isv_svn;
	body.config_svn = self->config_svn;
	memcpy(body.isv_family_id, self->isv_family_id, 16);
	if (report_data)
		memcpy(body.report_data, report_data, COVE_SGX_REPORT_DATA_SIZE);

	memset(out, 0, COVE_SGX_REPORT_SIZE);
	cove_sgx_report_body_encode(&body, out + SGX_REPORT_OFF_BODY);
	cove_random_bytes(out + SGX_REPORT_OFF_KEYID, COVE_SGX_KEYID_SIZE);
	if ((rc = report_key(root_secret, &tid, out + SGX_REPORT_OFF_KEYID, key, e)))
		goto out;
	rc = cmac("AES-128-CBC", key, sizeof(key), out + SGX_REPORT_OFF_BODY, COVE_SGX_REPORT_BODY_SIZE,
		  out + SGX_REPORT_OFF_MAC, e);
out:
	OPENSSL_cleanse(key, sizeof(key));
	if (rc)
		memset(out, 0, COVE_SGX_REPORT_SIZE);
	return rc;
}

cove_err cove_sgx_report_verify(const uint8_t root_secret[COVE_SGX_ROOT_SECRET_SIZE], const cove_sgx_identity *self,
				const uint8_t *report, size_t report_len, cove_sgx_report *out, cove_error *e)
{
	cove_sgx_report r;
	uint8_t key[COVE_SGX_KEY_SIZE], mac[COVE_SGX_MAC_SIZE];
	cove_err rc;
	if (!root_secret || !self)
		return cove_error_set(e, COVE_ERR_ARG, "SGX report verification: missing root secret or identity");
	if ((rc = cove_sgx_report_parse(report, report_len, &r, e)))
		return rc;
	if ((rc = report_key(root_secret, self, r.key_id, key, e)))
		goto out;
	if ((rc = cmac("AES-128-CBC", key, sizeof(key), report + SGX_REPORT_OFF_BODY, COVE_SGX_REPORT_BODY_SIZE, mac,
		       e)))
		goto out;
	if (!cove_equal_ct(mac, r.mac, COVE_SGX_MAC_SIZE)) {
		rc = cove_error_set(e, COVE_ERR_VERIFY,
				    "SGX report verification: MAC mismatch (the report was altered, or was made for "
				    "another enclave or platform)");
		goto out;
	}
	if (out)
		*out = r;
out:
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}
