/*
 * libFuzzer target: MAA-shaped attestation request bodies
 * (cove_attest_request_parse).  The first byte picks the attestation type
 * (SevSnpVm, SgxEnclave, TdxVm, OpenEnclave); the rest is the body.  A
 * failed parse must leave *out NULL; a successful one must hold evidence.
 */
#include <stdint.h>
#include <stdlib.h>

#include "cove/attest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const cove_attest_type types[] = {COVE_ATTEST_SEVSNPVM, COVE_ATTEST_SGXENCLAVE, COVE_ATTEST_TDXVM,
						 COVE_ATTEST_OPENENCLAVE};
	cove_attest_request *r = (cove_attest_request *)1;
	cove_error e = {0};
	if (size < 1)
		return 0;
	cove_attest_type t = types[data[0] % 4];
	cove_err rc = cove_attest_request_parse(t, (const char *)data + 1, size - 1, &r, &e);
	if (rc != COVE_OK) {
		if (r != NULL || e.code != rc || !e.msg[0])
			abort();
		return 0;
	}
	if (!r || r->type != t || !r->evidence.len)
		abort();
	if (r->runtime.present && r->runtime.type == COVE_ATTEST_DATA_JSON && !json_is_object(r->runtime.json))
		abort();
	cove_attest_request_free(r);
	return 0;
}
