/*
 * Sealing and unsealing in Intel's sealed-blob layout.
 *
 * Follows linux-sgx sdk/tseal (tSeal.cpp, tSeal_internal.cpp) for the format
 * and the key request: KEYNAME = SEAL, the enclave's current ISVSVN, CPUSVN
 * and CONFIGSVN, ATTRIBUTEMASK 0xFF0000000000000B / XFRM 0, MISCMASK
 * 0xF0000000, a fresh 32-byte random KEYID per blob.  AES-128-GCM (NIST SP
 * 800-38D) with a 12-byte all-zero IV: the IV may be constant because the
 * key is new for every blob (the KEYID enters the derivation), so no
 * (key, IV) pair is ever used twice.  The additional MAC text is GCM's AAD
 * and is stored in clear after the ciphertext.  The blob header is not
 * covered by the tag in the SGX design; instead every header byte either
 * feeds the key derivation, splits the authenticated payload, or must have
 * one exact value - so no byte can change without unsealing failing.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "cove/bytes.h"
#include "cove/crypto.h"
#include "cove/seal.h"
#include "enclave/sgx_layout.h"

static const uint8_t zero_iv[12];

cove_err cove_sealed_data_size(size_t aad_len, size_t text_len, size_t *out, cove_error *e)
{
	if (!out)
		return cove_error_set(e, COVE_ERR_ARG, "sealed data size: missing output");
	*out = 0;
	if (aad_len > COVE_SEALED_MAX_SIZE || text_len > COVE_SEALED_MAX_SIZE ||
	    aad_len + text_len > COVE_SEALED_MAX_SIZE - COVE_SEALED_HEADER_SIZE)
		return cove_error_set(e, COVE_ERR_ARG,
				      "sealed data size: %zu bytes of text and %zu of MAC text exceed the 32-bit "
				      "size fields of the sealed blob",
				      text_len, aad_len);
	*out = COVE_SEALED_HEADER_SIZE + aad_len + text_len;
	return COVE_OK;
}

/* One AES-128-GCM pass; `enc` selects direction.  On decrypt `tag` is checked, on encrypt written. */
static cove_err gcm(int enc, const uint8_t key[16], const uint8_t *in, size_t len, const uint8_t *aad,
		    size_t aad_len, uint8_t *outp, uint8_t tag[16], cove_error *e)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	cove_err rc = COVE_OK;
	int n = 0;
	if (!c)
		return cove_error_set(e, COVE_ERR_NOMEM, "sealing: cannot allocate a cipher context");
	if (EVP_CipherInit_ex(c, EVP_aes_128_gcm(), NULL, key, zero_iv, enc) != 1) {
		rc = cove_error_set(e, COVE_ERR_CRYPTO, "sealing: AES-128-GCM initialisation failed in OpenSSL");
		goto out;
	}
	/* OpenSSL takes int lengths: feed in chunks (sizes are already bounded to 32 bits). */
	for (size_t off = 0; off < aad_len;) {
		int chunk = (int)(aad_len - off > (1u << 30) ? (1u << 30) : aad_len - off);
		if (EVP_CipherUpdate(c, NULL, &n, aad + off, chunk) != 1) {
			rc = cove_error_set(e, COVE_ERR_CRYPTO, "sealing: AES-GCM additional data failed in OpenSSL");
			goto out;
		}
		off += (size_t)chunk;
	}
	for (size_t off = 0; off < len;) {
		int chunk = (int)(len - off > (1u << 30) ? (1u << 30) : len - off);
		if (EVP_CipherUpdate(c, outp + off, &n, in + off, chunk) != 1) {
			rc = cove_error_set(e, COVE_ERR_CRYPTO, "sealing: AES-GCM encryption failed in OpenSSL");
			goto out;
		}
		off += (size_t)chunk;
	}
	if (!enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, tag) != 1) {
		rc = cove_error_set(e, COVE_ERR_CRYPTO, "sealing: cannot set the GCM tag in OpenSSL");
		goto out;
	}
	if (EVP_CipherFinal_ex(c, outp + len, &n) != 1) {
		rc = enc ? cove_error_set(e, COVE_ERR_CRYPTO, "sealing: AES-GCM finalisation failed in OpenSSL")
			 : cove_error_set(e, COVE_ERR_VERIFY,
					  "unsealing: GCM tag mismatch (the blob was altered, or was sealed by "
					  "another enclave, signer or platform)");
		goto out;
	}
	if (enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag) != 1)
		rc = cove_error_set(e, COVE_ERR_CRYPTO, "sealing: cannot read the GCM tag from OpenSSL");
out:
	EVP_CIPHER_CTX_free(c);
	return rc;
}

cove_err cove_seal_to(const uint8_t root_secret[COVE_SGX_ROOT_SECRET_SIZE], const cove_sgx_identity *id,
		      uint16_t policy, const void *text, size_t text_len, const void *aad, size_t aad_len,
		      uint8_t *blob, size_t blob_cap, size_t *blob_len, cove_error *e)
{
	cove_sgx_keyrequest req;
	uint8_t key[COVE_SGX_KEY_SIZE];
	size_t need = 0;
	cove_err rc;
	if (blob_len)
		*blob_len = 0;
	if (!root_secret || !id || !blob || !blob_len || (text_len && !text) || (aad_len && !aad))
		return cove_error_set(e, COVE_ERR_ARG, "sealing: missing root secret, identity, data or output");
	if (!(policy & (COVE_SGX_KEYPOLICY_MRENCLAVE | COVE_SGX_KEYPOLICY_MRSIGNER)))
		return cove_error_set(e, COVE_ERR_ARG,
				      "sealing: policy 0x%04x binds to neither MRENCLAVE nor MRSIGNER", policy);
	if ((rc = cove_sealed_data_size(aad_len, text_len, &need, e)))
		return rc;
	if (blob_cap < need)
		return cove_error_set(e, COVE_ERR_ARG, "sealing: output buffer of %zu bytes, %zu needed", blob_cap,
				      need);

	memset(&req, 0, sizeof(req));
	req.key_name = COVE_SGX_KEY_SEAL;
	req.key_policy = policy;
	req.isv_svn = id->isv_svn;
	req.config_svn = id->config_svn;
	memcpy(req.cpu_svn, id->cpu_svn, 16);
	req.attr_mask_flags = COVE_SGX_SEAL_ATTR_MASK_FLAGS;
	req.attr_mask_xfrm = COVE_SGX_SEAL_ATTR_MASK_XFRM;
	req.misc_mask = COVE_SGX_SEAL_MISC_MASK;
	cove_random_bytes(req.key_id, sizeof(req.key_id));
	if ((rc = cove_sgx_derive_key(root_secret, id, &req, key, e)))
		goto out;

	memset(blob, 0, COVE_SEALED_HEADER_SIZE);
	cove_sgx_keyrequest_encode(&req, blob + SGX_SEALED_OFF_KEY_REQUEST);
	cove_put_le32(blob + SGX_SEALED_OFF_TEXT_OFFSET, (uint32_t)text_len);
	cove_put_le32(blob + SGX_SEALED_OFF_PAYLOAD_SIZE, (uint32_t)(text_len + aad_len));
	if (aad_len)
		memcpy(blob + SGX_SEALED_OFF_PAYLOAD + text_len, aad, aad_len);
	if ((rc = gcm(1, key, text, text_len, blob + SGX_SEALED_OFF_PAYLOAD + text_len, aad_len,
		      blob + SGX_SEALED_OFF_PAYLOAD, blob + SGX_SEALED_OFF_TAG, e)))
		goto out;
	*blob_len = need;
out:
	OPENSSL_cleanse(key, sizeof(key));
	if (rc)
		memset(blob, 0, need <= blob_cap ? need : 0);
	return rc;
}

cove_err cove_seal(const uint8_t root_secret[COVE_SGX_ROOT_SECRET_SIZE], const cove_sgx_identity *id, uint16_t policy,
		   const void *text, size_t text_len, const void *aad, size_t aad_len, uint8_t **blob,
		   size_t *blob_len, cove_error *e)
{
	size_t need = 0;
	uint8_t *b;
	cove_err rc;
	if (!blob || !blob_len)
		return cove_error_set(e, COVE_ERR_ARG, "sealing: missing output");
	*blob = NULL;
	*blob_len = 0;
	if ((rc = cove_sealed_data_size(aad_len, text_len, &need, e)))
		return rc;
	if (!(b = malloc(need)))
		return cove_error_set(e, COVE_ERR_NOMEM, "sealing: cannot allocate a %zu-byte blob", need);
	if ((rc = cove_seal_to(root_secret, id, policy, text, text_len, aad, aad_len, b, need, blob_len, e))) {
		free(b);
		return rc;
	}
	*blob = b;
	return COVE_OK;
}

cove_err cove_sealed_parse(const uint8_t *blob, size_t blob_len, cove_sealed_info *out, cove_error *e)
{
	cove_sgx_keyrequest req;
	cove_err rc;
	if (!blob || !out)
		return cove_error_set(e, COVE_ERR_ARG, "sealed blob: missing input or output");
	memset(out, 0, sizeof(*out));
	if (blob_len < COVE_SEALED_HEADER_SIZE)
		return cove_error_set(e, COVE_ERR_PARSE, "sealed blob: %zu bytes, shorter than the %d-byte header",
				      blob_len, COVE_SEALED_HEADER_SIZE);
	if ((rc = cove_sgx_keyrequest_parse(blob + SGX_SEALED_OFF_KEY_REQUEST, COVE_SGX_KEYREQUEST_SIZE, &req, e)))
		return cove_error_wrap(e, rc, "sealed blob");
	if (req.key_name != COVE_SGX_KEY_SEAL)
		return cove_error_set(e, COVE_ERR_PARSE, "sealed blob: KEYNAME is %u, must be SEAL (%d)", req.key_name,
				      COVE_SGX_KEY_SEAL);
	if (req.key_policy & ~COVE_SGX_KEYPOLICY_VALID)
		return cove_error_set(e, COVE_ERR_PARSE, "sealed blob: KEYPOLICY 0x%04x has reserved bits set",
				      req.key_policy);
	if (!(req.key_policy & (COVE_SGX_KEYPOLICY_MRENCLAVE | COVE_SGX_KEYPOLICY_MRSIGNER)))
		return cove_error_set(e, COVE_ERR_PARSE,
				      "sealed blob: KEYPOLICY 0x%04x binds to neither MRENCLAVE nor MRSIGNER",
				      req.key_policy);
	for (size_t o = SGX_SEALED_OFF_RESERVED1; o < SGX_SEALED_OFF_TAG; o++) {
		if (o == SGX_SEALED_OFF_PAYLOAD_SIZE) {
			o += 3;
			continue;
		}
		if (blob[o])
			return cove_error_set(e, COVE_ERR_PARSE,
					      "sealed blob: reserved byte at offset %zu is 0x%02x, must be zero", o,
					      blob[o]);
	}
	uint32_t text_len = cove_le32(blob + SGX_SEALED_OFF_TEXT_OFFSET);
	uint32_t payload = cove_le32(blob + SGX_SEALED_OFF_PAYLOAD_SIZE);
	if (text_len > payload)
		return cove_error_set(e, COVE_ERR_PARSE,
				      "sealed blob: plain_text_offset %u is beyond payload_size %u", text_len, payload);
	if (blob_len - COVE_SEALED_HEADER_SIZE != payload)
		return cove_error_set(e, COVE_ERR_PARSE,
				      "sealed blob: payload_size says %u bytes but %zu follow the header", payload,
				      blob_len - COVE_SEALED_HEADER_SIZE);
	out->key_request = req;
	out->text_len = text_len;
	out->aad_len = payload - text_len;
	out->tag = blob + SGX_SEALED_OFF_TAG;
	out->ciphertext = blob + SGX_SEALED_OFF_PAYLOAD;
	out->aad = blob + SGX_SEALED_OFF_PAYLOAD + text_len;
	return COVE_OK;
}

cove_err cove_unseal(const uint8_t root_secret[COVE_SGX_ROOT_SECRET_SIZE], const cove_sgx_identity *id,
		     const uint8_t *blob, size_t blob_len, uint8_t **text, size_t *text_len, uint8_t **aad,
		     size_t *aad_len, cove_error *e)
{
	cove_sealed_info info;
	uint8_t key[COVE_SGX_KEY_SIZE], tag[16];
	uint8_t *t = NULL, *a = NULL;
	cove_err rc;
	if (text)
		*text = NULL;
	if (text_len)
		*text_len = 0;
	if (aad)
		*aad = NULL;
	if (aad_len)
		*aad_len = 0;
	if (!root_secret || !id)
		return cove_error_set(e, COVE_ERR_ARG, "unsealing: missing root secret or identity");
	if ((rc = cove_sealed_parse(blob, blob_len, &info, e)))
		return rc;
	/* Refusals of the stored request (e.g. a higher SVN than ours) come from EGETKEY itself. */
	if ((rc = cove_sgx_derive_key(root_secret, id, &info.key_request, key, e)))
		return cove_error_wrap(e, rc, "unsealing");
	/* +1: a zero-length text or AAD still gets a real allocation (and EVP_CipherFinal a place to point). */
	if (!(t = malloc(info.text_len + 1)) || !(a = malloc(info.aad_len + 1))) {
		rc = cove_error_set(e, COVE_ERR_NOMEM, "unsealing: cannot allocate %zu bytes", info.text_len);
		goto out;
	}
	memcpy(tag, info.tag, sizeof(tag));
	if ((rc = gcm(0, key, info.ciphertext, info.text_len, info.aad, info.aad_len, t, tag, e)))
		goto out;
	memcpy(a, info.aad, info.aad_len);
	if (text) {
		*text = t;
		t = NULL;
	}
	if (text_len)
		*text_len = info.text_len;
	if (aad) {
		*aad = a;
		a = NULL;
	}
	if (aad_len)
		*aad_len = info.aad_len;
out:
	OPENSSL_cleanse(key, sizeof(key));
	if (t) {
		OPENSSL_cleanse(t, info.text_len);
		free(t);
	}
	free(a);
	return rc;
}
