/*
 * Trusted side of the `cove demo` enclave (demo.edl).  It returns cove_err
 * codes (negated) so the host can name what failed.
 */
#include <string.h>

#include "cove/crypto.h"
#include "cove/enclave.h"
#include "demo_t.h"

static int copy_out(uint8_t *buf, size_t n, uint8_t *dst, size_t cap, size_t *len)
{
	if (n > cap) {
		cove_enclave_free(buf);
		return -(int)COVE_ERR_ARG;
	}
	memcpy(dst, buf, n);
	*len = n;
	cove_enclave_free(buf);
	return 0;
}

int demo_seal(const uint8_t *secret, size_t len, uint8_t *blob, size_t cap, size_t *blob_len)
{
	uint8_t *b = NULL;
	size_t n = 0;
	cove_err rc = cove_enclave_seal(COVE_SGX_KEYPOLICY_MRENCLAVE, secret, len, "cove demo", 9, &b, &n, NULL);

	return rc ? -(int)rc : copy_out(b, n, blob, cap, blob_len);
}

int demo_unseal(const uint8_t *blob, size_t len, uint8_t *secret, size_t cap, size_t *secret_len)
{
	uint8_t *t = NULL;
	size_t n = 0;
	cove_err rc = cove_enclave_unseal(blob, len, &t, &n, NULL, NULL, NULL);

	return rc ? -(int)rc : copy_out(t, n, secret, cap, secret_len);
}

int demo_quote(const uint8_t *report_data, uint8_t *quote, size_t cap, size_t *quote_len)
{
	uint8_t *q = NULL;
	size_t n = 0;
	cove_err rc = cove_enclave_quote(report_data, &q, &n, NULL);

	return rc ? -(int)rc : copy_out(q, n, quote, cap, quote_len);
}

int demo_key_quote(char *runtime_data, size_t rt_cap, size_t *rt_len, uint8_t *quote, size_t cap, size_t *quote_len)
{
	char *rt = NULL;
	size_t n = 0;
	uint8_t rd[64];
	cove_err rc = cove_enclave_tee_key(&rt, &n, rd, NULL);

	if (rc)
		return -(int)rc;
	if (n + 1 > rt_cap) {
		cove_enclave_free(rt);
		return -(int)COVE_ERR_ARG;
	}
	memcpy(runtime_data, rt, n + 1);
	*rt_len = n;
	cove_enclave_free(rt);
	return demo_quote(rd, quote, cap, quote_len);
}

int demo_unwrap(const char *enc, const uint8_t *wrapped, size_t len, uint8_t *key_sha256)
{
	uint8_t *k = NULL;
	size_t n = 0;
	cove_err rc = cove_enclave_tee_key_unwrap(enc, wrapped, len, &k, &n, NULL);

	if (rc)
		return -(int)rc;
	/* The key stays inside; its fingerprint shows the host which key arrived. */
	rc = cove_digest(COVE_SHA256, k, n, key_sha256, NULL);
	memset(k, 0, n);
	cove_enclave_free(k);
	return rc ? -(int)rc : 0;
}
