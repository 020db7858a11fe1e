/*
 * Trusted side of the `cove demo` enclave (demo.edl).  It returns cove_err
 * codes (negated) so the host can name what failed.
 */
#include <string.h>

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
