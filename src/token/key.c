/*
 * Token signing keys: generation, PEM storage, public JWKs and the JWKS an
 * issuer publishes at /certs (RFC 7517), with kid = the RFC 7638 JWK
 * thumbprint (base64url SHA-256 of the required public members).  Keys are
 * held as libjose JWKs; OpenSSL does PEM.  Also the libjose and base64url
 * helpers the other files of the module share (internal.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jose/openssl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "token/internal.h"

/* ---- libjose configuration with error capture ---- */

static void jose_err_cb(void *misc, const char *file, int line, uint64_t err, const char *fmt, va_list ap)
{
	(void)file;
	(void)line;
	(void)err;
	cove_jose *j = misc;
	vsnprintf(j->msg, sizeof(j->msg), fmt, ap);
}

cove_err cove_jose_init(cove_jose *j, cove_error *e)
{
	j->msg[0] = '\0';
	j->cfg = jose_cfg();
	if (!j->cfg)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory creating a libjose context");
	jose_cfg_set_err_func(j->cfg, jose_err_cb, j);
	return COVE_OK;
}

void cove_jose_fini(cove_jose *j)
{
	if (j->cfg)
		jose_cfg_decref(j->cfg);
	j->cfg = NULL;
}

const char *cove_jose_msg(const cove_jose *j, const char *fallback)
{
	return j->msg[0] ? j->msg : fallback;
}

/* ---- base64url, strictly ---- */

cove_err cove_token_b64url_decode(const char *text, size_t len, const char *what, cove_buf *out, cove_error *e)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
			  c == '_';
		if (!ok)
			return cove_error_set(e, COVE_ERR_PARSE, "%s: invalid base64url character 0x%02x at offset %zu",
					      what, c, i);
	}
	if (len % 4 == 1)
		return cove_error_set(e, COVE_ERR_PARSE, "%s: base64url text of impossible length %zu", what, len);
	size_t max = len / 4 * 3 + 2;
	uint8_t *buf = malloc(max ? max : 1);
	if (!buf)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory decoding %s", what);
	/* libjose refuses non-zero unused bits, so each byte string has exactly one text. */
	size_t n = len ? jose_b64_dec_buf(text, len, buf, max) : 0;
	if (n == SIZE_MAX) {
		free(buf);
		return cove_error_set(e, COVE_ERR_PARSE, "%s: base64url text is not canonical (non-zero trailing bits)",
				      what);
	}
	cove_buf_take(out, buf, n);
	return COVE_OK;
}

/* ---- JWK form checks ---- */

static const struct {
	const char *crv;
	size_t coord; /* bytes per coordinate */
	const char *group;
} curves[] = {
	{"P-256", 32, "prime256v1"},
	{"P-384", 48, "secp384r1"},
	{"P-521", 66, "secp521r1"},
};

static cove_err want_b64_member(const json_t *jwk, const char *name, const char *what, size_t want_len,
				size_t *got_len, cove_error *e)
{
	json_t *v = json_object_get(jwk, name);
	if (!json_is_string(v))
		return cove_error_set(e, COVE_ERR_PARSE, "%s: member \"%s\" missing or not a string", what, name);
	cove_buf b = {0};
	char label[96];
	snprintf(label, sizeof(label), "%s \"%s\"", what, name);
	cove_err rc = cove_token_b64url_decode(json_string_value(v), json_string_length(v), label, &b, e);
	if (rc)
		return rc;
	if (want_len && b.len != want_len) {
		cove_buf_free(&b);
		return cove_error_set(e, COVE_ERR_PARSE, "%s: \"%s\" is %zu bytes, the curve needs %zu", what, name,
				      b.len, want_len);
	}
	if (got_len)
		*got_len = b.len;
	if (b.len && !strcmp(name, "n") && b.data[0] == 0) {
		cove_buf_free(&b);
		return cove_error_set(e, COVE_ERR_PARSE, "%s: RSA modulus has a leading zero byte", what);
	}
	cove_buf_free(&b);
	return COVE_OK;
}

cove_err cove_token_jwk_public_copy(const json_t *jwk, const char *what, json_t **out, cove_error *e)
{
	if (!json_is_object(jwk))
		return cove_error_set(e, COVE_ERR_PARSE, "%s is not a JSON object", what);
	const char *kty = json_string_value(json_object_get(jwk, "kty"));
	if (!kty)
		return cove_error_set(e, COVE_ERR_PARSE, "%s has no \"kty\"", what);
	json_t *copy = NULL;
	cove_err rc;
	if (!strcmp(kty, "RSA")) {
		size_t nlen = 0;
		if ((rc = want_b64_member(jwk, "n", what, 0, &nlen, e)) || (rc = want_b64_member(jwk, "e", what, 0, NULL, e)))
			return rc;
		if (nlen < 256)
			return cove_error_set(e, COVE_ERR_VERIFY, "%s: RSA key of %zu bits is too small (2048 at least)",
					      what, nlen * 8);
		if (nlen > 2048)
			return cove_error_set(e, COVE_ERR_UNSUPPORTED, "%s: RSA key of %zu bits is too large", what,
					      nlen * 8);
		copy = json_pack("{s:s,s:O,s:O}", "kty", "RSA", "n", json_object_get(jwk, "n"), "e",
				 json_object_get(jwk, "e"));
	} else if (!strcmp(kty, "EC")) {
		const char *crv = json_string_value(json_object_get(jwk, "crv"));
		size_t i = 0;
		for (; crv && i < sizeof(curves) / sizeof(curves[0]); i++)
			if (!strcmp(crv, curves[i].crv))
				break;
		if (!crv || i == sizeof(curves) / sizeof(curves[0]))
			return cove_error_set(e, COVE_ERR_UNSUPPORTED, "%s: EC curve %s%s%s is not supported", what,
					      crv ? "\"" : "", crv ? crv : "(none)", crv ? "\"" : "");
		if ((rc = want_b64_member(jwk, "x", what, curves[i].coord, NULL, e)) ||
		    (rc = want_b64_member(jwk, "y", what, curves[i].coord, NULL, e)))
			return rc;
		copy = json_pack("{s:s,s:s,s:O,s:O}", "kty", "EC", "crv", crv, "x", json_object_get(jwk, "x"), "y",
				 json_object_get(jwk, "y"));
	} else {
		return cove_error_set(e, COVE_ERR_UNSUPPORTED, "%s: key type \"%s\" is not supported (RSA or EC)", what,
				      kty);
	}
	if (!copy)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory copying %s", what);
	*out = copy;
	return COVE_OK;
}

size_t cove_token_jwk_rsa_bits(const json_t *jwk)
{
	json_t *n = json_object_get(jwk, "n");
	size_t len = json_string_length(n);
	/* Unpadded base64url: 4 characters per 3 bytes, a partial group of k > 1 characters is k - 1 bytes. */
	size_t bytes = len / 4 * 3 + (len % 4 ? len % 4 - 1 : 0);
	return bytes * 8;
}

/* ---- algorithm names ---- */

static const struct {
	cove_token_alg alg;
	const char *name;
} alg_names[] = {
	{COVE_TOKEN_RS256, "RS256"}, {COVE_TOKEN_RS384, "RS384"}, {COVE_TOKEN_RS512, "RS512"},
	{COVE_TOKEN_PS256, "PS256"}, {COVE_TOKEN_PS384, "PS384"}, {COVE_TOKEN_PS512, "PS512"},
	{COVE_TOKEN_ES256, "ES256"}, {COVE_TOKEN_ES384, "ES384"}, {COVE_TOKEN_ES512, "ES512"},
};

const char *cove_token_alg_name(cove_token_alg alg)
{
	for (size_t i = 0; i < sizeof(alg_names) / sizeof(alg_names[0]); i++)
		if (alg_names[i].alg == alg)
			return alg_names[i].name;
	return NULL;
}

cove_token_alg cove_token_alg_from_name(const char *name)
{
	for (size_t i = 0; name && i < sizeof(alg_names) / sizeof(alg_names[0]); i++)
		if (!strcmp(alg_names[i].name, name))
			return alg_names[i].alg;
	return 0;
}

static bool alg_is_rsa(cove_token_alg a)
{
	return a & (COVE_TOKEN_RS256 | COVE_TOKEN_RS384 | COVE_TOKEN_RS512 | COVE_TOKEN_PS256 | COVE_TOKEN_PS384 |
		    COVE_TOKEN_PS512);
}

/* The curve an ES* algorithm is defined on (RFC 7518 section 3.4), NULL for others. */
static const char *alg_curve(cove_token_alg a)
{
	return a == COVE_TOKEN_ES256 ? "P-256" : a == COVE_TOKEN_ES384 ? "P-384" : a == COVE_TOKEN_ES512 ? "P-521" : NULL;
}

/* ---- JWK <-> OpenSSL ---- */

cove_err cove_token_jwk_to_pkey(const json_t *jwk, bool priv, cove_pkey **out, cove_error *e)
{
	json_t *use = NULL;
	cove_jose j = {0};
	cove_err rc = cove_token_jwk_public_copy(jwk, "JWK", &use, e);
	if (rc)
		return rc;
	if (priv) {
		/* Take the private members too; libjose checks their form while converting. */
		json_decref(use);
		if (!json_is_string(json_object_get(jwk, "d")))
			return cove_error_set(e, COVE_ERR_ARG, "JWK has no private part (\"d\")");
		use = json_deep_copy(jwk);
		if (!use)
			return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
		json_object_del(use, "alg");
		json_object_del(use, "use");
		json_object_del(use, "key_ops");
	}
	if ((rc = cove_jose_init(&j, e)))
		goto out;
	EVP_PKEY *k = jose_openssl_jwk_to_EVP_PKEY(j.cfg, use);
	if (!k) {
		rc = cove_error_set(e, COVE_ERR_PARSE, "JWK is not a valid %s key: %s", priv ? "private" : "public",
				    cove_jose_msg(&j, cove_openssl_error()));
		goto out;
	}
	*out = k;
out:
	cove_jose_fini(&j);
	json_decref(use);
	return rc;
}

cove_err cove_token_jwk_from_pkey(cove_pkey *pkey, bool priv, json_t **out, cove_error *e)
{
	cove_jose j = {0};
	cove_err rc = cove_jose_init(&j, e);
	if (rc)
		return rc;
	json_t *jwk = jose_openssl_jwk_from_EVP_PKEY(j.cfg, pkey);
	if (!jwk) {
		rc = cove_error_set(e, COVE_ERR_UNSUPPORTED, "key cannot be expressed as a JWK: %s",
				    cove_jose_msg(&j, "only RSA and EC keys are"));
		goto out;
	}
	if (!priv) {
		json_t *pub = NULL;
		rc = cove_token_jwk_public_copy(jwk, "key", &pub, e);
		json_decref(jwk);
		if (rc)
			goto out;
		jwk = pub;
	} else if (!json_object_get(jwk, "d")) {
		json_decref(jwk);
		rc = cove_error_set(e, COVE_ERR_ARG, "key has no private part");
		goto out;
	}
	*out = jwk;
out:
	cove_jose_fini(&j);
	return rc;
}

cove_err cove_token_jwk_thumbprint(const json_t *jwk, char **out, cove_error *e)
{
	json_t *pub = NULL;
	cove_jose j = {0};
	cove_err rc = cove_token_jwk_public_copy(jwk, "JWK", &pub, e);
	if (rc)
		return rc;
	if ((rc = cove_jose_init(&j, e)))
		goto out;
	/* RFC 7638 section 3.2: the required members only, in lexical order, no white space. */
	json_t *t = jose_jwk_thp(j.cfg, pub, "S256");
	if (!json_is_string(t)) {
		json_decref(t);
		rc = cove_error_set(e, COVE_ERR_CRYPTO, "JWK thumbprint failed: %s", cove_jose_msg(&j, "libjose"));
		goto out;
	}
	*out = strdup(json_string_value(t));
	json_decref(t);
	if (!*out)
		rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
out:
	cove_jose_fini(&j);
	json_decref(pub);
	return rc;
}

/* ---- signing keys ---- */

struct cove_token_key {
	cove_token_alg alg;
	json_t *jwk; /* private JWK: kty and key members only */
	char *kid;
	json_t *x5c; /* array of base64 DER certificates, or NULL */
	cove_pkey *pkey; /* the same key, imported once for signing (see cove_token_issue) */
	EVP_MD_CTX *sign_tmpl; /* DigestSign initialised once for alg; copied per token */
};

void cove_token_key_free(cove_token_key *k)
{
	if (!k)
		return;
	json_decref(k->jwk);
	json_decref(k->x5c);
	free(k->kid);
	cove_pkey_free(k->pkey);
	EVP_MD_CTX_free(k->sign_tmpl);
	free(k);
}

const EVP_MD_CTX *cove_token_key_sign_template(const cove_token_key *k)
{
	return k->sign_tmpl;
}

/*
 * A DigestSign context for `alg`, initialised once: OpenSSL 3 looks the
 * digest and signature algorithms up in its provider tables (under locks)
 * at every init, which costs more than a P-256 signature under contention.
 */
static cove_err sign_template(cove_token_key *k, cove_error *e)
{
	const char *mdname = (k->alg & (COVE_TOKEN_RS256 | COVE_TOKEN_PS256 | COVE_TOKEN_ES256)) ? "SHA256"
			     : (k->alg & (COVE_TOKEN_RS384 | COVE_TOKEN_PS384 | COVE_TOKEN_ES384)) ? "SHA384"
											      : "SHA512";
	EVP_PKEY_CTX *pctx = NULL;

	k->sign_tmpl = EVP_MD_CTX_new();
	if (!k->sign_tmpl ||
	    EVP_DigestSignInit_ex(k->sign_tmpl, &pctx, mdname, NULL, NULL, k->pkey, NULL) != 1 ||
	    ((k->alg & (COVE_TOKEN_PS256 | COVE_TOKEN_PS384 | COVE_TOKEN_PS512)) &&
	     (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1)))
		return cove_error_set(e, COVE_ERR_CRYPTO, "cannot prepare %s signing", cove_token_alg_name(k->alg));
	return COVE_OK;
}

cove_pkey *cove_token_key_signing_pkey(const cove_token_key *k)
{
	return k->pkey;
}

cove_token_alg cove_token_key_alg(const cove_token_key *k)
{
	return k->alg;
}

json_t *cove_token_key_private_jwk(const cove_token_key *k)
{
	return json_deep_copy(k->jwk);
}

const char *cove_token_key_kid(const cove_token_key *k)
{
	return k->kid;
}

/* Check that `alg` suits the private JWK, pick one when `alg` is 0, and wrap it up. */
static cove_err key_new(json_t *jwk, cove_token_alg alg, cove_token_key **out, cove_error *e)
{
	json_t *pub = NULL;
	cove_token_key *k = NULL;
	cove_err rc = cove_token_jwk_public_copy(jwk, "signing key", &pub, e);
	if (rc)
		goto out;
	const char *kty = json_string_value(json_object_get(pub, "kty"));
	const char *crv = json_string_value(json_object_get(pub, "crv"));
	if (!alg) {
		if (!strcmp(kty, "RSA"))
			alg = COVE_TOKEN_RS256;
		else
			alg = !strcmp(crv, "P-256") ? COVE_TOKEN_ES256 : !strcmp(crv, "P-384") ? COVE_TOKEN_ES384
												 : COVE_TOKEN_ES512;
	}
	if (!cove_token_alg_name(alg)) {
		rc = cove_error_set(e, COVE_ERR_ARG, "unknown signature algorithm %u", (unsigned)alg);
		goto out;
	}
	if (alg_is_rsa(alg) ? strcmp(kty, "RSA") != 0 : (strcmp(kty, "EC") != 0 || strcmp(crv, alg_curve(alg)) != 0)) {
		rc = cove_error_set(e, COVE_ERR_ARG, "a %s%s%s key cannot sign %s", kty, crv ? " " : "", crv ? crv : "",
				    cove_token_alg_name(alg));
		goto out;
	}
	if (!json_is_string(json_object_get(jwk, "d"))) {
		rc = cove_error_set(e, COVE_ERR_ARG, "signing key has no private part");
		goto out;
	}
	k = calloc(1, sizeof(*k));
	if (!k) {
		rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
		goto out;
	}
	k->alg = alg;
	k->jwk = json_deep_copy(jwk);
	if (!k->jwk) {
		rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
		goto out;
	}
	/* Whatever a generator or converter added (alg, use, key_ops) is ours to decide. */
	json_object_del(k->jwk, "alg");
	json_object_del(k->jwk, "use");
	json_object_del(k->jwk, "key_ops");
	json_object_del(k->jwk, "kid");
	if ((rc = cove_token_jwk_thumbprint(pub, &k->kid, e)))
		goto out;
	if ((rc = cove_token_jwk_to_pkey(k->jwk, true, &k->pkey, e)) || (rc = sign_template(k, e)))
		goto out;
	*out = k;
	k = NULL;
out:
	cove_token_key_free(k);
	json_decref(pub);
	return rc;
}

cove_err cove_token_key_generate(cove_token_alg alg, unsigned rsa_bits, cove_token_key **out, cove_error *e)
{
	json_t *tmpl = NULL;
	cove_jose j = {0};
	cove_err rc;
	if (!cove_token_alg_name(alg))
		return cove_error_set(e, COVE_ERR_ARG, "unknown signature algorithm %u", (unsigned)alg);
	if (alg_is_rsa(alg)) {
		if (!rsa_bits)
			rsa_bits = 2048;
		if (rsa_bits != 2048 && rsa_bits != 3072 && rsa_bits != 4096)
			return cove_error_set(e, COVE_ERR_ARG, "RSA key size %u: choose 2048, 3072 or 4096", rsa_bits);
		tmpl = json_pack("{s:s,s:i}", "kty", "RSA", "bits", (json_int_t)rsa_bits);
	} else {
		if (rsa_bits)
			return cove_error_set(e, COVE_ERR_ARG, "%s keys have no RSA size", cove_token_alg_name(alg));
		tmpl = json_pack("{s:s,s:s}", "kty", "EC", "crv", alg_curve(alg));
	}
	if (!tmpl)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	if ((rc = cove_jose_init(&j, e)))
		goto out;
	if (!jose_jwk_gen(j.cfg, tmpl)) {
		rc = cove_error_set(e, COVE_ERR_CRYPTO, "key generation failed: %s", cove_jose_msg(&j, "libjose"));
		goto out;
	}
	rc = key_new(tmpl, alg, out, e);
out:
	cove_jose_fini(&j);
	json_decref(tmpl);
	return rc;
}

cove_err cove_token_key_from_pem(const void *pem, size_t len, cove_token_alg alg, cove_token_key **out, cove_error *e)
{
	if (len > INT32_MAX)
		return cove_error_set(e, COVE_ERR_PARSE, "PEM key too large");
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	if (!b)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	EVP_PKEY *k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	BIO_free(b);
	if (!k)
		return cove_error_set(e, COVE_ERR_PARSE, "not a PEM private key: %s", cove_openssl_error());
	json_t *jwk = NULL;
	cove_err rc = cove_token_jwk_from_pkey(k, true, &jwk, e);
	EVP_PKEY_free(k);
	if (rc)
		return rc;
	rc = key_new(jwk, alg, out, e);
	json_decref(jwk);
	return rc;
}

cove_err cove_token_key_load_pem(const char *path, cove_token_alg alg, cove_token_key **out, cove_error *e)
{
	cove_buf b = {0};
	cove_err rc = cove_file_read(path, 1 << 20, &b, e);
	if (rc)
		return rc;
	rc = cove_token_key_from_pem(b.data, b.len, alg, out, e);
	if (rc)
		cove_error_wrap(e, rc, "%s", path);
	OPENSSL_cleanse(b.data, b.len);
	cove_buf_free(&b);
	return rc;
}

cove_err cove_token_key_pem(const cove_token_key *k, char **pem, cove_error *e)
{
	EVP_PKEY *p = NULL;
	BIO *b = NULL;
	cove_err rc = cove_token_jwk_to_pkey(k->jwk, true, &p, e);
	if (rc)
		return rc;
	char *data;
	long n;
	b = BIO_new(BIO_s_mem());
	if (!b || PEM_write_bio_PrivateKey(b, p, NULL, NULL, 0, NULL, NULL) != 1 || (n = BIO_get_mem_data(b, &data)) <= 0) {
		rc = cove_error_set(e, COVE_ERR_CRYPTO, "cannot encode the key as PEM: %s", cove_openssl_error());
		goto out;
	}
	*pem = malloc((size_t)n + 1);
	if (!*pem) {
		rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
		goto out;
	}
	memcpy(*pem, data, (size_t)n);
	(*pem)[n] = '\0';
out:
	BIO_free_all(b); /* a memory BIO frees (not cleanses) its buffer */
	EVP_PKEY_free(p);
	return rc;
}

cove_err cove_token_key_save_pem(const cove_token_key *k, const char *path, cove_error *e)
{
	char *pem = NULL;
	cove_err rc = cove_token_key_pem(k, &pem, e);
	if (rc)
		return rc;
	rc = cove_file_write(path, pem, strlen(pem), 0600, e);
	OPENSSL_cleanse(pem, strlen(pem));
	free(pem);
	return rc;
}

cove_err cove_token_key_set_chain(cove_token_key *k, const void *pem, size_t len, cove_error *e)
{
	cove_x509_list l = {0};
	EVP_PKEY *mine = NULL;
	json_t *x5c = NULL;
	cove_err rc = cove_x509_list_parse(&l, pem, len, e);
	if (rc)
		goto out;
	if (!l.count) {
		rc = cove_error_set(e, COVE_ERR_PARSE, "certificate chain is empty");
		goto out;
	}
	if ((rc = cove_token_jwk_to_pkey(k->jwk, false, &mine, e)))
		goto out;
	if (EVP_PKEY_eq(cove_x509_pubkey(l.certs[0]), mine) != 1) {
		char cn[128];
		cove_x509_subject_cn(l.certs[0], cn, sizeof(cn));
		rc = cove_error_set(e, COVE_ERR_ARG, "certificate '%s' is not for this signing key", cn);
		goto out;
	}
	x5c = json_array();
	for (size_t i = 0; x5c && i < l.count; i++) {
		cove_buf der = {0};
		if ((rc = cove_x509_der(l.certs[i], &der, e)))
			goto out;
		char *b64 = cove_base64_new(der.data, der.len); /* RFC 7517 4.7: base64, not base64url */
		cove_buf_free(&der);
		if (!b64 || json_array_append_new(x5c, json_string(b64))) {
			free(b64);
			rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
			goto out;
		}
		free(b64);
	}
	if (!x5c) {
		rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
		goto out;
	}
	json_decref(k->x5c);
	k->x5c = x5c;
	x5c = NULL;
out:
	json_decref(x5c);
	EVP_PKEY_free(mine);
	cove_x509_list_free(&l);
	return rc;
}

cove_err cove_token_key_public_jwk(const cove_token_key *k, json_t **out, cove_error *e)
{
	json_t *pub = NULL;
	cove_err rc = cove_token_jwk_public_copy(k->jwk, "signing key", &pub, e);
	if (rc)
		return rc;
	if (json_object_set_new(pub, "kid", json_string(k->kid)) ||
	    json_object_set_new(pub, "alg", json_string(cove_token_alg_name(k->alg))) ||
	    json_object_set_new(pub, "use", json_string("sig")) ||
	    (k->x5c && json_object_set(pub, "x5c", k->x5c))) {
		json_decref(pub);
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	}
	*out = pub;
	return COVE_OK;
}

cove_err cove_token_jwks_new(cove_token_key *const *keys, size_t count, json_t **out, cove_error *e)
{
	json_t *arr = json_array();
	if (!arr)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < count; i++) {
		json_t *jwk = NULL;
		cove_err rc = cove_token_key_public_jwk(keys[i], &jwk, e);
		if (rc) {
			json_decref(arr);
			return rc;
		}
		for (size_t j = 0; j < i; j++) {
			if (!strcmp(keys[j]->kid, keys[i]->kid)) {
				json_decref(jwk);
				json_decref(arr);
				return cove_error_set(e, COVE_ERR_ARG, "key %zu repeats key %zu (kid %s)", i, j,
						      keys[i]->kid);
			}
		}
		if (json_array_append_new(arr, jwk)) {
			json_decref(arr);
			return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
		}
	}
	json_t *jwks = json_pack("{s:o}", "keys", arr);
	if (!jwks)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	*out = jwks;
	return COVE_OK;
}
