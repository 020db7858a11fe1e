/*
 * The trusted API of cove/enclave.h inside the enclave process: the loader
 * plays the CPU's part.  EREPORT and EGETKEY are cove/sgx_report.h over the
 * platform's root secret and this enclave's identity (SDM vol. 3D ch. 38:
 * a REPORT is MACed with the target's REPORT key, keys follow the KEYREQUEST
 * SVN rules); sealing is cove/seal.h (sgx_sealed_data_t layout, as the SDK's
 * sgx_seal_data); quotes come from the emulated platform's quoting enclave
 * (DCAP ECDSA quote v3, cove_platform_sgx_quote_identity).  See
 * docs/enclave-trusted-api.md and shared/research/enclave-sdk.md A1/A2.
 *
 * Everything here runs after start-up under seccomp: no file is opened
 * (randomness comes from getrandom(2)), and the platform was loaded by main.c
 * (cove_platform_sgx_load) before the filter went on.  The root secret and
 * the identity are read-only once enclave threads run; the platform object
 * is not thread-safe, so its calls are serialised here.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sys/random.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "cove/enclave.h"
#include "cove/platform.h"
#include "cove/seal.h"
#include "cove/crypto.h"
#include "cove/token.h"
#include "loader/loader.h"

static pthread_mutex_t platform_lock = PTHREAD_MUTEX_INITIALIZER;

/* ---- memory ranges ---- */

/* [*lo, *hi) for [p, p+n) (n == 0: the byte at p); false when it wraps the address space. */
static bool span(const void *p, size_t n, uintptr_t *lo, uintptr_t *hi)
{
	*lo = (uintptr_t)p;
	return !__builtin_add_overflow(*lo, n ? n : 1, hi);
}

static size_t nranges(void)
{
	return cove_loader.nranges < COVE_LOADER_MAX_RANGES ? cove_loader.nranges : COVE_LOADER_MAX_RANGES;
}

bool cove_is_within_enclave(const void *p, size_t n)
{
	uintptr_t lo, hi;
	if (!span(p, n, &lo, &hi))
		return false;
	/* Walk from lo through ranges that each contain the next byte: adjacent ranges count, gaps do not. */
	size_t count = nranges();
	for (size_t steps = 0; steps <= count; steps++) {
		bool advanced = false;
		for (size_t i = 0; i < count; i++) {
			const cove_loader_range *r = &cove_loader.ranges[i];
			if (r->lo <= lo && lo < r->hi) {
				if (hi <= r->hi)
					return true;
				lo = r->hi;
				advanced = true;
				break;
			}
		}
		if (!advanced)
			return false;
	}
	return false;
}

bool cove_is_outside_enclave(const void *p, size_t n)
{
	uintptr_t lo, hi;
	if (!span(p, n, &lo, &hi))
		return false;
	size_t count = nranges();
	for (size_t i = 0; i < count; i++) {
		const cove_loader_range *r = &cove_loader.ranges[i];
		if (lo < r->hi && r->lo < hi)
			return false;
	}
	return true;
}

/* ---- heap (inside the loader, malloc is the secret heap: heap.c) ---- */

void *cove_enclave_malloc(size_t n)
{
	return malloc(n);
}

void *cove_enclave_calloc(size_t count, size_t n)
{
	size_t total;
	if (__builtin_mul_overflow(count, n, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	return calloc(count, n);
}

void cove_enclave_free(void *p)
{
	free(p);
}

/* ---- randomness ---- */

cove_err cove_random(void *buf, size_t n, cove_error *e)
{
	uint8_t *b = buf;
	size_t done = 0;
	if (!buf && n)
		return cove_error_set(e, COVE_ERR_ARG, "cove_random: no buffer for %zu bytes", n);
	while (done < n) {
		ssize_t r = getrandom(b + done, n - done, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int err = errno;
			OPENSSL_cleanse(b, done);
			return cove_error_set(e, COVE_ERR_IO, "cove_random: getrandom failed after %zu of %zu bytes: %s",
					      done, n, strerror(err));
		}
		done += (size_t)r; /* a short read (large requests, signals) continues where it stopped */
	}
	return COVE_OK;
}

/* ---- identity, EREPORT, EGETKEY ---- */

/* The loader filled cove_loader before serving calls; a call before that is a loader bug. */
static cove_err ready(const char *what, cove_error *e)
{
	if (!cove_loader.root_secret || !cove_loader.platform)
		return cove_error_set(e, COVE_ERR_UNAVAILABLE, "%s: the enclave platform is not initialised yet", what);
	return COVE_OK;
}

cove_err cove_enclave_identity(cove_sgx_identity *out, cove_error *e)
{
	cove_err rc;
	if (!out)
		return cove_error_set(e, COVE_ERR_ARG, "cove_enclave_identity: no output");
	if ((rc = ready("cove_enclave_identity", e)))
		return rc;
	*out = cove_loader.identity;
	return COVE_OK;
}

cove_err cove_enclave_target_info(uint8_t out[COVE_SGX_TARGETINFO_SIZE], cove_error *e)
{
	cove_sgx_targetinfo ti;
	cove_err rc;
	if (!out)
		return cove_error_set(e, COVE_ERR_ARG, "cove_enclave_target_info: no output");
	if ((rc = ready("cove_enclave_target_info", e)))
		return rc;
	cove_sgx_targetinfo_init(&cove_loader.identity, &ti);
	cove_sgx_targetinfo_encode(&ti, out);
	return COVE_OK;
}

cove_err cove_enclave_report(const uint8_t *target_info, size_t target_info_len,
			     const uint8_t report_data[COVE_SGX_REPORT_DATA_SIZE], uint8_t out[COVE_SGX_REPORT_SIZE],
			     cove_error *e)
{
	cove_sgx_targetinfo ti;
	cove_err rc;
	if (!out)
		return cove_error_set(e, COVE_ERR_ARG, "cove_enclave_report: no output");
	memset(out, 0, COVE_SGX_REPORT_SIZE);
	if ((rc = ready("cove_enclave_report", e)))
		return rc;
	if (!target_info) {
		/* For this enclave itself (quotes take their body from the platform, cove_enclave_quote). */
		cove_sgx_targetinfo_init(&cove_loader.identity, &ti);
	} else if ((rc = cove_sgx_targetinfo_parse(target_info, target_info_len, &ti, e))) {
		return cove_error_wrap(e, rc, "cove_enclave_report: target info");
	}
	return cove_sgx_report_create(cove_loader.root_secret, &cove_loader.identity, &ti, report_data, out, e);
}

cove_err cove_enclave_verify_report(const uint8_t *report, size_t len, cove_sgx_report *out, cove_error *e)
{
	cove_err rc;
	if (!report)
		return cove_error_set(e, COVE_ERR_ARG, "cove_enclave_verify_report: no report");
	if ((rc = ready("cove_enclave_verify_report", e)))
		return rc;
	rc = cove_sgx_report_verify(cove_loader.root_secret, &cove_loader.identity, report, len, out, e);
	if (rc != COVE_ERR_VERIFY)
		return rc;
	/*
	 * The emulated platform has two CPUSVNs (full and degraded protection)
	 * where hardware has one, and EREPORT keys the target's REPORT key with
	 * the sender's.  A report from an enclave of the other level on this
	 * platform is still for us: check it under that CPUSVN too.  Its body
	 * keeps stating the sender's own CPUSVN.
	 */
	cove_sgx_identity other = cove_loader.identity;
	if (pthread_mutex_lock(&platform_lock) != 0)
		return rc;
	cove_err orc = cove_platform_sgx_cpusvn(cove_loader.platform, !cove_loader.secret_memory, other.cpu_svn, NULL);
	pthread_mutex_unlock(&platform_lock);
	if (orc == COVE_OK && memcmp(other.cpu_svn, cove_loader.identity.cpu_svn, 16) != 0 &&
	    cove_sgx_report_verify(cove_loader.root_secret, &other, report, len, out, NULL) == COVE_OK) {
		cove_error_clear(e);
		return COVE_OK;
	}
	return rc;
}

cove_err cove_enclave_get_key(const cove_sgx_keyrequest *req, uint8_t key[COVE_SGX_KEY_SIZE], cove_error *e)
{
	cove_err rc;
	if (!req || !key) {
		if (key)
			memset(key, 0, COVE_SGX_KEY_SIZE);
		return cove_error_set(e, COVE_ERR_ARG, "cove_enclave_get_key: missing key request or output");
	}
	if ((rc = ready("cove_enclave_get_key", e))) {
		memset(key, 0, COVE_SGX_KEY_SIZE);
		return rc;
	}
	return cove_sgx_derive_key(cove_loader.root_secret, &cove_loader.identity, req, key, e);
}

/* ---- sealing ---- */

cove_err cove_enclave_seal(uint16_t policy, const void *text, size_t text_len, const void *aad, size_t aad_len,
			   uint8_t **blob, size_t *blob_len, cove_error *e)
{
	uint8_t *b = NULL;
	size_t size = 0, written = 0;
	cove_err rc;
	if (blob)
		*blob = NULL;
	if (blob_len)
		*blob_len = 0;
	if (!blob || !blob_len)
		return cove_error_set(e, COVE_ERR_ARG, "cove_enclave_seal: missing output");
	if ((!text && text_len) || (!aad && aad_len))
		return cove_error_set(e, COVE_ERR_ARG, "cove_enclave_seal: %s is NULL but its length is not zero",
				      !text && text_len ? "text" : "additional data");
	if (!(policy & (COVE_SGX_KEYPOLICY_MRENCLAVE | COVE_SGX_KEYPOLICY_MRSIGNER)))
		return cove_error_set(e, COVE_ERR_ARG, "cove_enclave_seal: policy 0x%04x names neither MRENCLAVE "
				      "(0x0001) nor MRSIGNER (0x0002)", policy);
	if ((rc = ready("cove_enclave_seal", e)) || (rc = cove_sealed_data_size(aad_len, text_len, &size, e)))
		return rc;
	if (!(b = malloc(size)))
		return cove_error_set(e, COVE_ERR_NOMEM, "cove_enclave_seal: cannot allocate a %zu-byte blob", size);
	if ((rc = cove_seal_to(cove_loader.root_secret, &cove_loader.identity, policy, text, text_len, aad, aad_len, b,
			       size, &written, e))) {
		OPENSSL_cleanse(b, size);
		free(b);
		return rc;
	}
	*blob = b;
	*blob_len = written;
	return COVE_OK;
}

cove_err cove_enclave_unseal(const uint8_t *blob, size_t blob_len, uint8_t **text, size_t *text_len, uint8_t **aad,
			     size_t *aad_len, cove_error *e)
{
	cove_err rc;
	if (text)
		*text = NULL;
	if (text_len)
		*text_len = 0;
	if (aad)
		*aad = NULL;
	if (aad_len)
		*aad_len = 0;
	if (!blob || !text || !text_len)
		return cove_error_set(e, COVE_ERR_ARG, "cove_enclave_unseal: missing blob or text output");
	if ((rc = ready("cove_enclave_unseal", e)))
		return rc;
	/* cove_unseal allocates with malloc (the enclave heap) and returns nothing on failure. */
	return cove_unseal(cove_loader.root_secret, &cove_loader.identity, blob, blob_len, text, text_len, aad,
			   aad ? aad_len : NULL, e);
}

/* ---- remote evidence ---- */

cove_err cove_enclave_quote(const uint8_t report_data[COVE_SGX_REPORT_DATA_SIZE], uint8_t **quote, size_t *quote_len,
			    cove_error *e)
{
	cove_err rc;
	if (quote)
		*quote = NULL;
	if (quote_len)
		*quote_len = 0;
	if (!quote || !quote_len)
		return cove_error_set(e, COVE_ERR_ARG, "cove_enclave_quote: missing output");
	if ((rc = ready("cove_enclave_quote", e)))
		return rc;
	/* The quoting enclave gets the REPORTBODY straight from the platform (no REPORT MAC to check). */
	if (pthread_mutex_lock(&platform_lock) != 0)
		return cove_error_set(e, COVE_ERR_INTERNAL, "cove_enclave_quote: cannot lock the platform");
	rc = cove_platform_sgx_quote_identity(cove_loader.platform, &cove_loader.identity, report_data, quote, quote_len,
					      e);
	pthread_mutex_unlock(&platform_lock);
	return rc;
}

bool cove_enclave_has_secret_memory(void)
{
	return cove_loader.secret_memory;
}

/* ---- the TEE key for key release ---- */

static pthread_mutex_t tee_key_lock = PTHREAD_MUTEX_INITIALIZER;
static json_t *tee_key_private; /* private JWK, in the enclave heap (malloc is the secret heap here) */

static cove_err tee_key_get(cove_error *e)
{
	cove_pkey *k = NULL;
	cove_err rc = COVE_OK;
	char *kid = NULL;

	if (tee_key_private)
		return COVE_OK;
	k = EVP_RSA_gen(2048);
	if (!k) {
		rc = cove_error_set(e, COVE_ERR_CRYPTO, "cove_enclave_tee_key: RSA key generation failed");
		goto out;
	}
	if ((rc = cove_token_jwk_from_pkey(k, true, &tee_key_private, e)))
		goto out;
	if ((rc = cove_token_jwk_thumbprint(tee_key_private, &kid, e)))
		goto out;
	json_object_set_new(tee_key_private, "kid", json_string(kid));
	json_object_set_new(tee_key_private, "key_ops", json_pack("[s]", "encrypt"));
out:
	free(kid);
	cove_pkey_free(k);
	if (rc) {
		json_decref(tee_key_private);
		tee_key_private = NULL;
	}
	return rc;
}

cove_err cove_enclave_tee_key(char **runtime_data, size_t *len, uint8_t report_data[COVE_SGX_REPORT_DATA_SIZE],
			      cove_error *e)
{
	json_t *pub = NULL, *rt = NULL;
	char *text = NULL;
	cove_err rc;

	if (!runtime_data || !len || !report_data)
		return cove_error_set(e, COVE_ERR_ARG, "cove_enclave_tee_key: missing output");
	*runtime_data = NULL;
	*len = 0;
	pthread_mutex_lock(&tee_key_lock);
	rc = tee_key_get(e);
	if (!rc) {
		pub = json_pack("{s:O, s:s, s:[s], s:O, s:O}", "kid", json_object_get(tee_key_private, "kid"), "kty", "RSA",
				"key_ops", "encrypt", "n", json_object_get(tee_key_private, "n"), "e",
				json_object_get(tee_key_private, "e"));
		rt = pub ? json_pack("{s:[o]}", "keys", pub) : NULL;
		text = rt ? json_dumps(rt, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
		if (!text)
			rc = cove_error_set(e, COVE_ERR_NOMEM, "cove_enclave_tee_key: out of memory");
	}
	pthread_mutex_unlock(&tee_key_lock);
	if (!rc) {
		memset(report_data, 0, COVE_SGX_REPORT_DATA_SIZE);
		rc = cove_digest(COVE_SHA256, text, strlen(text), report_data, e);
	}
	if (!rc) {
		*runtime_data = text;
		*len = strlen(text);
		text = NULL;
	}
	free(text);
	json_decref(rt);
	return rc;
}

cove_err cove_enclave_tee_key_unwrap(const char *enc, const uint8_t *wrapped, size_t len, uint8_t **key,
				     size_t *key_len, cove_error *e)
{
	cove_skr_enc which = enc ? cove_skr_enc_from_name(enc) : 0;
	cove_buf out = {0};
	cove_err rc;

	if (!key || !key_len || !wrapped)
		return cove_error_set(e, COVE_ERR_ARG, "cove_enclave_tee_key_unwrap: missing argument");
	*key = NULL;
	*key_len = 0;
	if (!which)
		return cove_error_set(e, COVE_ERR_ARG, "cove_enclave_tee_key_unwrap: unknown enc '%s'", enc ? enc : "");
	pthread_mutex_lock(&tee_key_lock);
	rc = tee_key_private ? cove_skr_unwrap(tee_key_private, which, wrapped, len, &out, e)
			     : cove_error_set(e, COVE_ERR_ARG, "cove_enclave_tee_key_unwrap: this enclave has no TEE key yet");
	pthread_mutex_unlock(&tee_key_lock);
	if (!rc) {
		*key = out.data;
		*key_len = out.len;
	}
	return rc;
}
