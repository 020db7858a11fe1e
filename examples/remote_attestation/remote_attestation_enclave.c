/*
 * examples/remote_attestation/remote_attestation_enclave.c - trusted side of
 * the remote attestation sample (remote_attestation.edl): cove_enclave_quote
 * makes a DCAP ECDSA quote v3 (docs/dcap-quotes.md) over a REPORT of this
 * enclave, signed by the emulated platform's quoting key.
 */
#include <string.h>

#include "cove/enclave.h"
#include "remote_attestation_t.h"

/* Stands in for the key pair a real service would generate here and keep. */
static uint8_t enclave_value[32];

int ecall_attest(const uint8_t *nonce, uint8_t *value, uint8_t *quote, size_t cap, size_t *quote_len)
{
	uint8_t rd[COVE_SGX_REPORT_DATA_SIZE];
	uint8_t *q = NULL;
	size_t n = 0;
	cove_err rc;

	if (cove_random(enclave_value, sizeof(enclave_value), NULL))
		return -(int)COVE_ERR_UNAVAILABLE;
	memcpy(rd, nonce, 32);
	memcpy(rd + 32, enclave_value, 32);
	rc = cove_enclave_quote(rd, &q, &n, NULL);
	if (rc)
		return -(int)rc;
	if (n > cap) {
		cove_enclave_free(q);
		return -(int)COVE_ERR_ARG;
	}
	memcpy(quote, q, n);
	*quote_len = n;
	memcpy(value, enclave_value, sizeof(enclave_value));
	cove_enclave_free(q);
	return 0;
}
