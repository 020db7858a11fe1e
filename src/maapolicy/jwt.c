/*
 * MAA policy envelopes and policy hash.
 *
 * Upload format (author-sign-policy.md, azure-security-docs 1c4310bed2b9): a
 * JWS whose payload is {"AttestationPolicy": base64url(UTF-8 policy text)},
 * either unsigned (header {"alg":"none"}, empty signature) or signed with
 * RS256 and the signing certificate in x5c.  The published signed sample
 * (policy-examples.md block 5) writes "alg":"RSA256"; its signature is RS256,
 * so that spelling is accepted as RS256.  The signature is checked over the
 * exact bytes "header.payload" as received.
 *
 * x-ms-policy-hash (claim-sets.md): BASE64URL(SHA256(UTF8(BASE64URL(UTF8(text))))).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "cove/bytes.h"
#include "cove/crypto.h"
#include "cove/maa_policy.h"

cove_err cove_maa_policy_hash(const char *text, size_t len, char out[44], cove_error *e)
{
	out[0] = '\0';
	char *b64 = cove_base64url_new(text, len);
	if (!b64)
		return cove_error_set(e, COVE_ERR_NOMEM, "maa policy hash: out of memory");
	uint8_t d[COVE_SHA256_LEN];
	cove_err rc = cove_digest(COVE_SHA256, b64, strlen(b64), d, e);
	free(b64);
	if (rc)
		return rc;
	char *h = cove_base64url_new(d, sizeof(d));
	if (!h)
		return cove_error_set(e, COVE_ERR_NOMEM, "maa policy hash: out of memory");
	memcpy(out, h, 43);
	out[43] = '\0';
	free(h);
	return COVE_OK;
}

static cove_err decode_json_part(const char *s, size_t n, const char *what, json_t **out, cove_error *e)
{
	cove_buf b = {0};
	cove_err rc = cove_base64url_decode(s, n, &b, e);
	if (rc)
		return cove_error_wrap(e, COVE_ERR_PARSE, "maa policy jwt: %s", what);
	json_error_t je;
	*out = json_loadb((const char *)b.data, b.len, 0, &je);
	cove_buf_free(&b);
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return cove_error_set(e, COVE_ERR_PARSE, "maa policy jwt: %s is not a JSON object: %s", what, je.text);
	}
	return COVE_OK;
}

static cove_err rs256_verify(cove_pkey *key, const char *msg, size_t msg_len, const uint8_t *sig, size_t sig_len,
			     cove_error *e)
{
	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA)
		return cove_error_set(e, COVE_ERR_VERIFY, "maa policy jwt: the x5c[0] key is not RSA, as RS256 needs");
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	if (!md)
		return cove_error_set(e, COVE_ERR_NOMEM, "maa policy jwt: out of memory");
	int ok = EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
		 EVP_DigestVerify(md, sig, sig_len, (const unsigned char *)msg, msg_len) == 1;
	EVP_MD_CTX_free(md);
	if (!ok)
		return cove_error_set(e, COVE_ERR_VERIFY, "maa policy jwt: the RS256 signature does not verify with x5c[0]");
	return COVE_OK;
}

static bool same_cert(cove_x509 *a, cove_x509 *b)
{
	cove_buf da = {0}, db = {0};
	bool eq = !cove_x509_der(a, &da, NULL) && !cove_x509_der(b, &db, NULL) && da.len == db.len &&
		  !memcmp(da.data, db.data, da.len);
	cove_buf_free(&da);
	cove_buf_free(&db);
	return eq;
}

static cove_err check_chain(const cove_x509_list *chain, const cove_maa_policy_jwt_opts *o, bool *trusted,
			    cove_error *e)
{
	*trusted = false;
	for (size_t i = 0; i < chain->count; i++) {
		cove_x509 *c = chain->certs[i];
		if (o->now < cove_x509_not_before(c) || o->now > cove_x509_not_after(c))
			return cove_error_set(e, COVE_ERR_VERIFY, "maa policy jwt: x5c[%zu] is not valid at the verification time",
					      i);
		if (i + 1 < chain->count && cove_x509_check_signature(c, cove_x509_pubkey(chain->certs[i + 1]), NULL))
			return cove_error_set(e, COVE_ERR_VERIFY, "maa policy jwt: x5c[%zu] is not signed by x5c[%zu]", i, i + 1);
	}
	if (!o->trusted)
		return COVE_OK;
	for (size_t t = 0; t < o->trusted->count; t++) {
		for (size_t i = 0; i < chain->count; i++)
			if (same_cert(chain->certs[i], o->trusted->certs[t]))
				*trusted = true;
		if (!cove_x509_check_signature(chain->certs[chain->count - 1], cove_x509_pubkey(o->trusted->certs[t]), NULL))
			*trusted = true;
	}
	if (!*trusted)
		return cove_error_set(e, COVE_ERR_VERIFY, "maa policy jwt: the x5c chain does not reach a trusted policy signer");
	return COVE_OK;
}

cove_err cove_maa_policy_from_jwt(const char *jwt, size_t len, const cove_maa_policy_jwt_opts *o, char **policy_text,
				  size_t *policy_len, cove_maa_policy_jwt_info *info, cove_error *e)
{
	*policy_text = NULL;
	if (policy_len)
		*policy_len = 0;
	if (info)
		memset(info, 0, sizeof(*info));
	if (!jwt || !o)
		return cove_error_set(e, COVE_ERR_ARG, "maa policy jwt: NULL argument");
	/* Surrounding whitespace (as in the published sample) is not part of the JWS. */
	while (len && isspace((unsigned char)jwt[0])) {
		jwt++;
		len--;
	}
	while (len && isspace((unsigned char)jwt[len - 1]))
		len--;
	if (len > 4 * (size_t)COVE_MAA_POLICY_MAX)
		return cove_error_set(e, COVE_ERR_PARSE, "maa policy jwt: %zu bytes is too large", len);
	const char *d1 = memchr(jwt, '.', len);
	const char *d2 = d1 ? memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - jwt)) : NULL;
	if (!d2 || memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - jwt)))
		return cove_error_set(e, COVE_ERR_PARSE, "maa policy jwt: expected three dot-separated parts (compact JWS)");
	json_t *hdr = NULL, *body = NULL;
	cove_x509_list chain = {0};
	cove_buf sig = {0}, pol = {0};
	cove_err rc;
	if ((rc = decode_json_part(jwt, (size_t)(d1 - jwt), "header", &hdr, e)) ||
	    (rc = decode_json_part(d1 + 1, (size_t)(d2 - d1 - 1), "payload", &body, e)))
		goto out;
	const char *alg = json_string_value(json_object_get(hdr, "alg"));
	size_t sig_txt = len - (size_t)(d2 + 1 - jwt);
	bool is_signed;
	if (alg && !strcmp(alg, "none")) {
		if (!o->allow_unsigned) {
			rc = cove_error_set(e, COVE_ERR_VERIFY, "maa policy jwt: unsigned policies (alg none) are not accepted here");
			goto out;
		}
		if (sig_txt) {
			rc = cove_error_set(e, COVE_ERR_PARSE, "maa policy jwt: alg none with a non-empty signature part");
			goto out;
		}
		is_signed = false;
	} else if (alg && (!strcmp(alg, "RS256") || !strcmp(alg, "RSA256"))) {
		json_t *x5c = json_object_get(hdr, "x5c");
		if (!json_is_array(x5c) || !json_array_size(x5c) || json_array_size(x5c) > 8) {
			rc = cove_error_set(e, COVE_ERR_PARSE, "maa policy jwt: a signed policy needs an x5c array of 1 to 8 certificates");
			goto out;
		}
		size_t i;
		json_t *c;
		json_array_foreach(x5c, i, c) {
			cove_buf der = {0};
			cove_x509 *cert = NULL;
			if (!json_is_string(c) || cove_base64_decode(json_string_value(c), json_string_length(c), &der, e) ||
			    cove_x509_parse(der.data, der.len, &cert, e)) {
				cove_buf_free(&der);
				rc = cove_error_wrap(e, COVE_ERR_PARSE, "maa policy jwt: x5c[%zu]", i);
				goto out;
			}
			cove_buf_free(&der);
			rc = cove_x509_list_add(&chain, cert, e);
			cove_x509_free(cert);
			if (rc)
				goto out;
		}
		if ((rc = cove_base64url_decode(d2 + 1, sig_txt, &sig, e))) {
			rc = cove_error_wrap(e, COVE_ERR_PARSE, "maa policy jwt: signature");
			goto out;
		}
		if ((rc = rs256_verify(cove_x509_pubkey(chain.certs[0]), jwt, (size_t)(d2 - jwt), sig.data, sig.len, e)))
			goto out;
		bool trusted;
		if ((rc = check_chain(&chain, o, &trusted, e)))
			goto out;
		if (info) {
			info->trusted = trusted;
			info->signer = cove_x509_ref(chain.certs[0]);
		}
		is_signed = true;
	} else {
		rc = cove_error_set(e, COVE_ERR_UNSUPPORTED, "maa policy jwt: alg \"%s\" (accepted: none, RS256)",
				    alg ? alg : "(missing)");
		goto out;
	}
	json_t *ap = json_object_get(body, "AttestationPolicy");
	if (!json_is_string(ap)) {
		rc = cove_error_set(e, COVE_ERR_PARSE, "maa policy jwt: the payload has no string \"AttestationPolicy\"");
		goto out;
	}
	if ((rc = cove_base64url_decode(json_string_value(ap), json_string_length(ap), &pol, e))) {
		rc = cove_error_wrap(e, COVE_ERR_PARSE, "maa policy jwt: AttestationPolicy");
		goto out;
	}
	if (memchr(pol.data, '\0', pol.len)) {
		rc = cove_error_set(e, COVE_ERR_PARSE, "maa policy jwt: the policy text contains a NUL byte");
		goto out;
	}
	char *txt = malloc(pol.len + 1);
	if (!txt) {
		rc = cove_error_set(e, COVE_ERR_NOMEM, "maa policy jwt: out of memory");
		goto out;
	}
	memcpy(txt, pol.data, pol.len);
	txt[pol.len] = '\0';
	*policy_text = txt;
	if (policy_len)
		*policy_len = pol.len;
	if (info)
		info->is_signed = is_signed;
out:
	if (rc && info) {
		cove_x509_free(info->signer);
		memset(info, 0, sizeof(*info));
	}
	json_decref(hdr);
	json_decref(body);
	cove_x509_list_free(&chain);
	cove_buf_free(&sig);
	cove_buf_free(&pol);
	return rc;
}
