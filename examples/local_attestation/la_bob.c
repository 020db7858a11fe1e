/*
 * examples/local_attestation/la_bob.c - the relying enclave of the local
 * attestation sample (la_bob.edl).  cove_enclave_verify_report checks the
 * REPORT's MAC with bob's report key (so it was made by an enclave on this
 * platform, for bob); bob then decides whether the sender is the enclave he
 * expects (MRENCLAVE given by the host, which learned it from the signed
 * image), not a debug enclave, and answering the challenge he issued last.
 * Each challenge is accepted once, so a recorded report cannot be replayed.
 */
#include <stdio.h>
#include <string.h>

#include "cove/enclave.h"
#include "cove/enclave_image.h"
#include "la_bob_t.h"
#include "la_common.h"

static uint8_t challenge_issued[LA_CHALLENGE_SIZE];
static int challenge_open;

int ecall_bob_challenge(uint8_t *target_info, uint8_t *challenge)
{
	if (cove_enclave_target_info(target_info, NULL) || cove_random(challenge_issued, LA_CHALLENGE_SIZE, NULL))
		return -1;
	memcpy(challenge, challenge_issued, LA_CHALLENGE_SIZE);
	challenge_open = 1;
	return 0;
}

/* Constant-time comparison: how much of a MAC-checked value matches is no secret, but the habit is cheap. */
static int same(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint8_t d = 0;

	for (size_t i = 0; i < n; i++)
		d |= (uint8_t)(a[i] ^ b[i]);
	return d == 0;
}

int ecall_bob_verify(const uint8_t *report, const uint8_t *expected_mrenclave, char *why)
{
	uint8_t label[LA_LABEL_SIZE] = {0};
	cove_sgx_report r;
	cove_error e = {0};

	why[0] = '\0';
	if (cove_enclave_verify_report(report, COVE_SGX_REPORT_SIZE, &r, &e)) {
		snprintf(why, 256, "report MAC: %.240s", e.msg);
		return 1;
	}
	if (!same(r.body.mr_enclave, expected_mrenclave, 32)) {
		snprintf(why, 256, "the report comes from another enclave than the one expected (MRENCLAVE differs)");
		return 2;
	}
	if (r.body.attr_flags & COVE_SGX_ATTR_DEBUG) {
		snprintf(why, 256, "the reporting enclave runs in debug mode (its memory is open to the host)");
		return 3;
	}
	memcpy(label, LA_LABEL, sizeof(LA_LABEL) - 1);
	if (!challenge_open || !same(r.body.report_data, challenge_issued, LA_CHALLENGE_SIZE) ||
	    !same(r.body.report_data + LA_CHALLENGE_SIZE, label, LA_LABEL_SIZE)) {
		snprintf(why, 256, "the report does not answer bob's current challenge (stale or replayed)");
		return 4;
	}
	challenge_open = 0; /* used once */
	return 0;
}
