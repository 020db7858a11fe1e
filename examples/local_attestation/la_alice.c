/*
 * examples/local_attestation/la_alice.c - the attesting enclave of the local
 * attestation sample (la_alice.edl): EREPORT for bob's TARGETINFO.  Only bob
 * (the enclave that TARGETINFO names, on this platform) can check the
 * report's MAC; the host merely carries the bytes.
 */
#include <string.h>

#include "cove/enclave.h"
#include "la_alice_t.h"
#include "la_common.h"

int ecall_alice_report(const uint8_t *target_info, const uint8_t *challenge, uint8_t *report)
{
	uint8_t rd[COVE_SGX_REPORT_DATA_SIZE] = {0};

	memcpy(rd, challenge, LA_CHALLENGE_SIZE);
	memcpy(rd + LA_CHALLENGE_SIZE, LA_LABEL, sizeof(LA_LABEL) - 1);
	return cove_enclave_report(target_info, COVE_SGX_TARGETINFO_SIZE, rd, report, NULL) ? -1 : 0;
}
