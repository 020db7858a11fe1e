/*
 * examples/sealing/sealing_enclave.c - trusted side of the sealing sample
 * (sealing.edl): seal and unseal with cove_enclave_seal/unseal (the SDK's
 * sgx_sealed_data_t layout, docs/sealing.md) under KEYPOLICY MRENCLAVE.  The
 * blob also authenticates a fixed label as additional data, which unsealing
 * checks, so a blob sealed for some other purpose by this enclave is refused.
 */
#include <stdio.h>
#include <string.h>

#include "cove/enclave.h"
#include "sealing_t.h"

#define LABEL "cove example: sealing v1"

/* The trusted API's message says what failed; pass it to the host (why[] is 256 bytes). */
static void say(char *why, const cove_error *e)
{
	snprintf(why, 256, "%.255s", e->msg);
}

static int seal(const void *text, size_t len, uint8_t *blob, size_t cap, size_t *blob_len, char *why)
{
	uint8_t *b = NULL;
	size_t n = 0;
	cove_error e = {0};
	cove_err rc = cove_enclave_seal(COVE_SGX_KEYPOLICY_MRENCLAVE, text, len, LABEL, strlen(LABEL), &b, &n, &e);

	if (rc) {
		say(why, &e);
		return -(int)rc;
	}
	if (n > cap) {
		snprintf(why, 256, "the sealed blob (%zu bytes) is larger than the host's buffer (%zu)", n, cap);
		cove_enclave_free(b);
		return -(int)COVE_ERR_ARG;
	}
	memcpy(blob, b, n);
	*blob_len = n;
	cove_enclave_free(b);
	return 0;
}

int ecall_seal_text(const char *text, uint8_t *blob, size_t cap, size_t *blob_len, char *why)
{
	return seal(text, strlen(text), blob, cap, blob_len, why);
}

int ecall_seal_generated(char *hex, uint8_t *blob, size_t cap, size_t *blob_len, char *why)
{
	static const char digits[] = "0123456789abcdef";
	uint8_t key[32];
	cove_error e = {0};
	cove_err rc = cove_random(key, sizeof(key), &e);
	int r;

	if (rc) {
		say(why, &e);
		return -(int)rc;
	}
	for (size_t i = 0; i < sizeof(key); i++) {
		hex[2 * i] = digits[key[i] >> 4];
		hex[2 * i + 1] = digits[key[i] & 15];
	}
	hex[64] = '\0';
	/* The sample seals the hex text so that the unsealing run can print it. */
	r = seal(hex, 64, blob, cap, blob_len, why);
	memset(key, 0, sizeof(key));
	return r;
}

int ecall_unseal_text(const uint8_t *blob, size_t len, char *text, size_t cap, char *why)
{
	uint8_t *t = NULL, *aad = NULL;
	size_t n = 0, aad_len = 0;
	cove_error e = {0};
	cove_err rc = cove_enclave_unseal(blob, len, &t, &n, &aad, &aad_len, &e);
	int r = 0;

	if (rc) {
		say(why, &e);
		return -(int)rc;
	}
	if (aad_len != strlen(LABEL) || memcmp(aad, LABEL, aad_len) != 0) {
		snprintf(why, 256, "the blob is authentic but was not sealed by this sample (its label differs)");
		r = -(int)COVE_ERR_POLICY;
	} else if (n >= cap || memchr(t, '\0', n)) {
		snprintf(why, 256, "the unsealed secret (%zu bytes) is not text that fits the host's buffer", n);
		r = -(int)COVE_ERR_ARG;
	} else {
		memcpy(text, t, n);
		text[n] = '\0';
	}
	if (t) {
		memset(t, 0, n);
		cove_enclave_free(t);
	}
	cove_enclave_free(aad);
	return r;
}
