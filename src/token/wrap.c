/*
 * Key release wrapping.
 *
 * Secure Key Release: Azure Key Vault returns a released key as PKCS#11
 * CKM_RSA_AES_KEY_WRAP output (PKCS#11 v2.40 section 2.1.21): RSA-OAEP
 * encryption of a fresh AES-256 key under the TEE's RSA key, followed by
 * AES key wrap with padding (RFC 5649) of the key material under that AES
 * key.  The `enc` names differ in the OAEP hash: SHA-1 for
 * CKM_RSA_AES_KEY_WRAP, SHA-256 / SHA-384 for RSA_AES_KEY_WRAP_256 / _384
 * (MGF1 uses the same hash), as the SKR sidecar unwraps them
 * (shared/research/attestation-services.md section 2).  libjose has no such
 * mechanism, so this is OpenSSL EVP.
 *
 * KBS resources: a flattened JWE (RFC 7516 section 7.2.2) with alg, enc and
 * epk in the protected header, as Trustee's KBS sends it (section 3.2).
 * libjose does ECDH-ES+A256KW and the A256GCM content encryption.  The
 * Debian libjose 11 build against OpenSSL 3 registers no RSA-OAEP algorithms
 * at all (latchset/jose pull request 145), so RSA-OAEP-256 key encryption
 * of the CEK is OpenSSL EVP here and libjose encrypts the content with that
 * CEK.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "token/internal.h"

/* ---- RFC 5649 ---- */

static const EVP_CIPHER *kwp_cipher(size_t kek_len)
{
	return kek_len == 16 ? EVP_aes_128_wrap_pad() : kek_len == 24 ? EVP_aes_192_wrap_pad()
				      : kek_len == 32 ? EVP_aes_256_wrap_pad() : NULL;
}

static cove_err kwp(bool enc, const uint8_t *kek, size_t kek_len, const void *in, size_t len, cove_buf *out,
		    cove_error *e)
{
	const EVP_CIPHER *ciph = kwp_cipher(kek_len);
	if (!ciph)
		return cove_error_set(e, COVE_ERR_ARG, "AES key wrap key must be 16, 24 or 32 bytes, not %zu", kek_len);
	if (enc && (len == 0 || len > (1u << 24)))
		return cove_error_set(e, COVE_ERR_ARG, "AES key wrap input of %zu bytes (1 to 16 MiB)", len);
	/* RFC 5649 section 4.1: at least one 64-bit block after the AIV, whole blocks only. */
	if (!enc && (len < 16 || len % 8 || len > (1u << 24) + 16))
		return cove_error_set(e, COVE_ERR_PARSE, "AES key wrap ciphertext of %zu bytes is malformed", len);
	size_t cap = len + 16;
	uint8_t *buf = malloc(cap);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	cove_err rc = COVE_OK;
	int n1 = 0, n2 = 0;
	if (!buf || !ctx) {
		rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
		goto out;
	}
	EVP_CIPHER_CTX_set_flags(ctx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
	if (EVP_CipherInit_ex(ctx, ciph, NULL, kek, NULL, enc ? 1 : 0) != 1) {
		rc = cove_error_set(e, COVE_ERR_CRYPTO, "AES key wrap setup failed: %s", cove_openssl_error());
		goto out;
	}
	if (EVP_CipherUpdate(ctx, buf, &n1, in, (int)len) != 1 || EVP_CipherFinal_ex(ctx, buf + n1, &n2) != 1) {
		if (enc)
			rc = cove_error_set(e, COVE_ERR_CRYPTO, "AES key wrap failed: %s", cove_openssl_error());
		else
			rc = cove_error_set(e, COVE_ERR_VERIFY,
					    "AES key unwrap failed: wrong key or altered ciphertext (integrity check)");
		goto out;
	}
	cove_buf_take(out, buf, (size_t)n1 + (size_t)n2);
	buf = NULL;
out:
	if (buf) {
		OPENSSL_cleanse(buf, cap);
		free(buf);
	}
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

cove_err cove_aes_kwp_wrap(const uint8_t *kek, size_t kek_len, const void *in, size_t len, cove_buf *out,
			   cove_error *e)
{
	return kwp(true, kek, kek_len, in, len, out, e);
}

cove_err cove_aes_kwp_unwrap(const uint8_t *kek, size_t kek_len, const void *in, size_t len, cove_buf *out,
			     cove_error *e)
{
	return kwp(false, kek, kek_len, in, len, out, e);
}

/* ---- RSA-OAEP ---- */

static cove_err rsa_oaep(bool enc, EVP_PKEY *k, const EVP_MD *md, const void *in, size_t len, cove_buf *out,
			 cove_error *e)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k, NULL);
	uint8_t *buf = NULL;
	size_t n = 0;
	cove_err rc = COVE_OK;
	if (!ctx || (enc ? EVP_PKEY_encrypt_init(ctx) : EVP_PKEY_decrypt_init(ctx)) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) != 1 || EVP_PKEY_CTX_set_rsa_oaep_md(ctx, md) != 1 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) != 1) {
		rc = cove_error_set(e, COVE_ERR_CRYPTO, "RSA-OAEP setup failed: %s", cove_openssl_error());
		goto out;
	}
	if ((enc ? EVP_PKEY_encrypt(ctx, NULL, &n, in, len) : EVP_PKEY_decrypt(ctx, NULL, &n, in, len)) != 1 ||
	    !(buf = malloc(n ? n : 1))) {
		rc = cove_error_set(e, COVE_ERR_CRYPTO, "RSA-OAEP sizing failed: %s", cove_openssl_error());
		goto out;
	}
	if ((enc ? EVP_PKEY_encrypt(ctx, buf, &n, in, len) : EVP_PKEY_decrypt(ctx, buf, &n, in, len)) != 1) {
		rc = enc ? cove_error_set(e, COVE_ERR_CRYPTO, "RSA-OAEP encryption failed: %s", cove_openssl_error())
			 : cove_error_set(e, COVE_ERR_VERIFY, "RSA-OAEP decryption failed (wrong key, hash or data)");
		goto out;
	}
	cove_buf_take(out, buf, n);
	buf = NULL;
out:
	free(buf);
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

/* ---- Secure Key Release ---- */

static const struct {
	cove_skr_enc enc;
	const char *name;
} skr_names[] = {
	{COVE_SKR_CKM_RSA_AES_KEY_WRAP, "CKM_RSA_AES_KEY_WRAP"},
	{COVE_SKR_RSA_AES_KEY_WRAP_256, "RSA_AES_KEY_WRAP_256"},
	{COVE_SKR_RSA_AES_KEY_WRAP_384, "RSA_AES_KEY_WRAP_384"},
};

const char *cove_skr_enc_name(cove_skr_enc enc)
{
	for (size_t i = 0; i < sizeof(skr_names) / sizeof(skr_names[0]); i++)
		if (skr_names[i].enc == enc)
			return skr_names[i].name;
	return NULL;
}

cove_skr_enc cove_skr_enc_from_name(const char *name)
{
	for (size_t i = 0; name && i < sizeof(skr_names) / sizeof(skr_names[0]); i++)
		if (!strcmp(skr_names[i].name, name))
			return skr_names[i].enc;
	return 0;
}

static const EVP_MD *skr_md(cove_skr_enc enc)
{
	return enc == COVE_SKR_CKM_RSA_AES_KEY_WRAP   ? EVP_sha1()
	       : enc == COVE_SKR_RSA_AES_KEY_WRAP_256 ? EVP_sha256()
	       : enc == COVE_SKR_RSA_AES_KEY_WRAP_384 ? EVP_sha384()
						      : NULL;
}

/* An RSA key of 2048 bits or more from a JWK. */
static cove_err rsa_key(const json_t *jwk, bool priv, const char *what, EVP_PKEY **out, cove_error *e)
{
	json_t *pub = NULL;
	cove_err rc = cove_token_jwk_public_copy(jwk, what, &pub, e);
	if (rc)
		return rc;
	if (strcmp(json_string_value(json_object_get(pub, "kty")), "RSA") != 0) {
		json_decref(pub);
		return cove_error_set(e, COVE_ERR_ARG, "%s is not an RSA key", what);
	}
	json_decref(pub);
	rc = cove_token_jwk_to_pkey(jwk, priv, out, e);
	if (rc)
		cove_error_wrap(e, rc, "%s", what);
	return rc;
}

cove_err cove_skr_wrap(const json_t *tee_jwk, cove_skr_enc enc, const void *key, size_t len, cove_buf *out,
		       cove_error *e)
{
	const EVP_MD *md = skr_md(enc);
	EVP_PKEY *k = NULL;
	uint8_t aes[32];
	cove_buf head = {0}, tail = {0};
	cove_err rc;
	if (!md)
		return cove_error_set(e, COVE_ERR_ARG, "unknown key release enc %d", (int)enc);
	if ((rc = rsa_key(tee_jwk, false, "TEE key", &k, e)))
		return rc;
	cove_random_bytes(aes, sizeof(aes));
	if ((rc = rsa_oaep(true, k, md, aes, sizeof(aes), &head, e)) ||
	    (rc = cove_aes_kwp_wrap(aes, sizeof(aes), key, len, &tail, e)) ||
	    (rc = cove_buf_append(&head, tail.data, tail.len, e)))
		goto out;
	cove_buf_free(out);
	*out = head;
	head = (cove_buf){0};
out:
	OPENSSL_cleanse(aes, sizeof(aes));
	cove_buf_free(&head);
	cove_buf_free(&tail);
	EVP_PKEY_free(k);
	return rc;
}

cove_err cove_skr_unwrap(const json_t *tee_private_jwk, cove_skr_enc enc, const void *in, size_t len, cove_buf *out,
			 cove_error *e)
{
	const EVP_MD *md = skr_md(enc);
	EVP_PKEY *k = NULL;
	cove_buf aes = {0};
	cove_err rc;
	if (!md)
		return cove_error_set(e, COVE_ERR_ARG, "unknown key release enc %d", (int)enc);
	if ((rc = rsa_key(tee_private_jwk, true, "TEE private key", &k, e)))
		return rc;
	size_t mod = (size_t)EVP_PKEY_get_size(k);
	if (len < mod + 16) {
		rc = cove_error_set(e, COVE_ERR_PARSE,
				    "wrapped key of %zu bytes is shorter than the %zu-byte RSA block plus a key wrap", len,
				    mod);
		goto out;
	}
	if ((rc = rsa_oaep(false, k, md, in, mod, &aes, e)))
		goto out;
	if (aes.len != 32) {
		rc = cove_error_set(e, COVE_ERR_PARSE, "RSA block holds a %zu-byte key, not an AES-256 key", aes.len);
		goto out;
	}
	rc = cove_aes_kwp_unwrap(aes.data, aes.len, (const uint8_t *)in + mod, len - mod, out, e);
out:
	if (aes.data)
		OPENSSL_cleanse(aes.data, aes.len);
	cove_buf_free(&aes);
	EVP_PKEY_free(k);
	return rc;
}

cove_err cove_token_jwk_to_pkcs8(const json_t *jwk, cove_buf *out, cove_error *e)
{
	EVP_PKEY *k = NULL;
	PKCS8_PRIV_KEY_INFO *p8 = NULL;
	unsigned char *der = NULL;
	cove_err rc = cove_token_jwk_to_pkey(jwk, true, &k, e);
	if (rc)
		return rc;
	int n;
	if (!(p8 = EVP_PKEY2PKCS8(k)) || (n = i2d_PKCS8_PRIV_KEY_INFO(p8, &der)) <= 0) {
		rc = cove_error_set(e, COVE_ERR_CRYPTO, "cannot encode the key as PKCS#8: %s", cove_openssl_error());
		goto out;
	}
	rc = cove_buf_set(out, der, (size_t)n, e);
	OPENSSL_cleanse(der, (size_t)n);
out:
	OPENSSL_free(der);
	PKCS8_PRIV_KEY_INFO_free(p8);
	EVP_PKEY_free(k);
	return rc;
}

static bool has_string(const json_t *arr, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), s))
			return true;
	return false;
}

cove_err cove_skr_find_tee_key(const json_t *claims, const json_t **jwk, cove_error *e)
{
	json_t *rt = json_object_get(claims, "x-ms-runtime");
	json_t *keys = json_object_get(rt, "keys");
	if (!json_is_array(keys))
		return cove_error_set(e, COVE_ERR_POLICY, "token has no x-ms-runtime.keys array to wrap the key to");
	size_t i;
	json_t *k;
	json_array_foreach(keys, i, k) {
		const char *kty = json_string_value(json_object_get(k, "kty"));
		const char *use = json_string_value(json_object_get(k, "key_use"));
		if (!use)
			use = json_string_value(json_object_get(k, "use"));
		if (kty && !strcmp(kty, "RSA") &&
		    ((use && !strcmp(use, "enc")) || has_string(json_object_get(k, "key_ops"), "encrypt"))) {
			*jwk = k;
			return COVE_OK;
		}
	}
	return cove_error_set(e, COVE_ERR_POLICY,
			      "x-ms-runtime.keys has no RSA key marked for encryption (key_use \"enc\" or key_ops "
			      "\"encrypt\")");
}

cove_err cove_skr_key_hsm(const char *tee_kid, cove_skr_enc enc, const cove_buf *wrapped, char **out, cove_error *e)
{
	const char *name = cove_skr_enc_name(enc);
	if (!name)
		return cove_error_set(e, COVE_ERR_ARG, "unknown key release enc %d", (int)enc);
	char *ct = cove_base64url_new(wrapped->data, wrapped->len);
	json_t *o = ct ? json_pack("{s:s,s:{s:s?,s:s,s:s},s:s}", "schema_version", "1.0", "header", "kid", tee_kid,
				   "alg", "dir", "enc", name, "ciphertext", ct)
		       : NULL;
	free(ct);
	char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	*out = text ? cove_base64url_new(text, strlen(text)) : NULL;
	free(text);
	if (!*out)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	return COVE_OK;
}

/* ---- KBS flattened JWE ---- */

#define JWE_ENC "A256GCM"

cove_err cove_token_jwe_encrypt(const json_t *tee_jwk, const void *data, size_t len, json_t **jwe_out,
				cove_error *e)
{
	json_t *pub = NULL, *jwe = NULL, *cek = NULL;
	EVP_PKEY *k = NULL;
	cove_buf ek = {0};
	cove_jose j = {0};
	uint8_t raw[32];
	cove_err rc = cove_token_jwk_public_copy(tee_jwk, "TEE public key", &pub, e);
	if (rc)
		return rc;
	bool rsa = !strcmp(json_string_value(json_object_get(pub, "kty")), "RSA");
	const char *alg = rsa ? "RSA-OAEP-256" : "ECDH-ES+A256KW";
	const char *kalg = json_string_value(json_object_get(tee_jwk, "alg"));
	if (kalg && strcmp(kalg, alg) != 0) {
		rc = cove_error_set(e, COVE_ERR_UNSUPPORTED, "TEE key asks for alg \"%s\"; a %s key gets %s only", kalg,
				    rsa ? "RSA" : "EC", alg);
		goto out;
	}
	if ((rc = cove_jose_init(&j, e)))
		goto out;
	jwe = json_pack("{s:{s:s}}", "protected", "enc", JWE_ENC);
	if (!jwe) {
		rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
		goto out;
	}
	json_t *prot = json_object_get(jwe, "protected");
	if (rsa) {
		cove_random_bytes(raw, sizeof(raw));
		char *k64 = cove_base64url_new(raw, sizeof(raw));
		cek = k64 ? json_pack("{s:s,s:s}", "kty", "oct", "k", k64) : NULL;
		if (k64)
			OPENSSL_cleanse(k64, strlen(k64));
		free(k64);
		if (!cek) {
			rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
			goto out;
		}
		if ((rc = cove_token_jwk_to_pkey(pub, false, &k, e)) ||
		    (rc = rsa_oaep(true, k, EVP_sha256(), raw, sizeof(raw), &ek, e)))
			goto out;
		char *ek64 = cove_base64url_new(ek.data, ek.len);
		if (!ek64 || json_object_set_new(jwe, "encrypted_key", json_string(ek64)) ||
		    json_object_set_new(prot, "alg", json_string(alg))) {
			free(ek64);
			rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
			goto out;
		}
		free(ek64);
	} else {
		cek = json_pack("{s:s}", "alg", JWE_ENC);
		if (!cek || json_object_set_new(pub, "alg", json_string(alg))) {
			rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
			goto out;
		}
		/* libjose wraps a fresh CEK and puts alg and epk in the per-recipient header ... */
		if (!jose_jwe_enc_jwk(j.cfg, jwe, NULL, pub, cek)) {
			rc = cove_error_set(e, COVE_ERR_CRYPTO, "ECDH-ES+A256KW key agreement failed: %s",
					    cove_jose_msg(&j, "libjose"));
			goto out;
		}
		/* ... which KBS clients expect protected, as Trustee sends them. */
		json_t *hdr = json_object_get(jwe, "header");
		if (!json_is_object(hdr) || json_object_update(prot, hdr)) {
			rc = cove_error_set(e, COVE_ERR_INTERNAL, "libjose left no recipient header");
			goto out;
		}
		json_object_del(jwe, "header");
	}
	if (!jose_jwe_enc_cek(j.cfg, jwe, cek, data, len)) {
		rc = cove_error_set(e, COVE_ERR_CRYPTO, "A256GCM encryption failed: %s", cove_jose_msg(&j, "libjose"));
		goto out;
	}
	*jwe_out = jwe;
	jwe = NULL;
out:
	OPENSSL_cleanse(raw, sizeof(raw));
	cove_jose_fini(&j);
	cove_buf_free(&ek);
	EVP_PKEY_free(k);
	json_decref(cek);
	json_decref(jwe);
	json_decref(pub);
	return rc;
}

cove_err cove_token_jwe_decrypt(const json_t *jwe, const json_t *private_jwk, cove_buf *out, cove_error *e)
{
	static const char *const members[] = {"protected", "encrypted_key", "iv", "ciphertext", "tag"};
	json_t *hdr = NULL, *cek = NULL, *priv = NULL;
	EVP_PKEY *k = NULL;
	cove_buf ek = {0}, rawcek = {0};
	cove_jose j = {0};
	cove_err rc = COVE_OK;

	if (!json_is_object(jwe))
		return cove_error_set(e, COVE_ERR_PARSE, "JWE is not a JSON object");
	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
		json_t *v = json_object_get(jwe, members[i]);
		cove_buf tmp = {0};
		char what[48];
		snprintf(what, sizeof(what), "JWE \"%s\"", members[i]);
		if (!json_is_string(v))
			return cove_error_set(e, COVE_ERR_PARSE, "%s is missing or not a string", what);
		if ((rc = cove_token_b64url_decode(json_string_value(v), json_string_length(v), what, &tmp, e)))
			return rc;
		cove_buf_free(&tmp);
	}
	if (json_object_get(jwe, "header") || json_object_get(jwe, "unprotected") || json_object_get(jwe, "aad"))
		return cove_error_set(e, COVE_ERR_UNSUPPORTED,
				      "JWE has unprotected header or aad members; only the KBS form is accepted");
	json_t *p = json_object_get(jwe, "protected");
	cove_buf ph = {0};
	if ((rc = cove_token_b64url_decode(json_string_value(p), json_string_length(p), "JWE protected header", &ph, e)))
		return rc;
	json_error_t je;
	hdr = json_loadb((const char *)ph.data, ph.len, JSON_REJECT_DUPLICATES, &je);
	cove_buf_free(&ph);
	if (!json_is_object(hdr)) {
		rc = cove_error_set(e, COVE_ERR_PARSE, "JWE protected header is not a JSON object");
		goto out;
	}
	const char *alg = json_string_value(json_object_get(hdr, "alg"));
	const char *enc = json_string_value(json_object_get(hdr, "enc"));
	if (!enc || strcmp(enc, JWE_ENC) != 0) {
		rc = cove_error_set(e, COVE_ERR_UNSUPPORTED, "JWE enc \"%s\" is not " JWE_ENC, enc ? enc : "(none)");
		goto out;
	}
	if (json_object_get(hdr, "zip") || json_object_get(hdr, "crit")) {
		rc = cove_error_set(e, COVE_ERR_UNSUPPORTED, "JWE uses zip or crit, which are not supported");
		goto out;
	}
	if ((rc = cove_jose_init(&j, e)))
		goto out;
	if (alg && !strcmp(alg, "RSA-OAEP-256")) {
		json_t *ekj = json_object_get(jwe, "encrypted_key");
		if ((rc = rsa_key(private_jwk, true, "private key", &k, e)) ||
		    (rc = cove_token_b64url_decode(json_string_value(ekj), json_string_length(ekj), "JWE encrypted_key",
						   &ek, e)) ||
		    (rc = rsa_oaep(false, k, EVP_sha256(), ek.data, ek.len, &rawcek, e)))
			goto out;
		if (rawcek.len != 32) {
			rc = cove_error_set(e, COVE_ERR_VERIFY, "JWE content key is %zu bytes, A256GCM needs 32", rawcek.len);
			goto out;
		}
		char *k64 = cove_base64url_new(rawcek.data, rawcek.len);
		cek = k64 ? json_pack("{s:s,s:s}", "kty", "oct", "k", k64) : NULL;
		if (k64)
			OPENSSL_cleanse(k64, strlen(k64));
		free(k64);
	} else if (alg && !strcmp(alg, "ECDH-ES+A256KW")) {
		json_t *pub = NULL;
		if ((rc = cove_token_jwk_public_copy(private_jwk, "private key", &pub, e)))
			goto out;
		bool ec = !strcmp(json_string_value(json_object_get(pub, "kty")), "EC");
		json_decref(pub);
		if (!ec || !json_is_string(json_object_get(private_jwk, "d"))) {
			rc = cove_error_set(e, COVE_ERR_ARG, "ECDH-ES+A256KW needs a private EC key");
			goto out;
		}
		priv = json_deep_copy(private_jwk);
		if (!priv) {
			rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
			goto out;
		}
		json_object_del(priv, "alg");
		json_object_del(priv, "use");
		json_object_del(priv, "key_ops");
		cek = jose_jwe_dec_jwk(j.cfg, jwe, NULL, priv);
		if (!cek) {
			rc = cove_error_set(e, COVE_ERR_VERIFY, "JWE key agreement or unwrap failed: %s",
					    cove_jose_msg(&j, "wrong key or altered encrypted_key/epk"));
			goto out;
		}
	} else {
		rc = cove_error_set(e, COVE_ERR_UNSUPPORTED, "JWE alg \"%s\" is not accepted (ECDH-ES+A256KW or RSA-OAEP-256)",
				    alg ? alg : "(none)");
		goto out;
	}
	if (!cek) {
		rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
		goto out;
	}
	size_t n = 0;
	void *pt = jose_jwe_dec_cek(j.cfg, jwe, cek, &n);
	if (!pt) {
		rc = cove_error_set(e, COVE_ERR_VERIFY, "JWE content does not decrypt: %s",
				    cove_jose_msg(&j, "authentication tag mismatch"));
		goto out;
	}
	cove_buf_free(out);
	rc = cove_buf_set(out, pt, n, e);
	OPENSSL_cleanse(pt, n);
	free(pt);
out:
	if (rawcek.data)
		OPENSSL_cleanse(rawcek.data, rawcek.len);
	cove_buf_free(&rawcek);
	cove_buf_free(&ek);
	cove_jose_fini(&j);
	EVP_PKEY_free(k);
	json_decref(cek);
	json_decref(priv);
	json_decref(hdr);
	return rc;
}
