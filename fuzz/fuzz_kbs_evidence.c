/*
 * Fuzz the decoding of KBS evidence (cove_attest_kbs_request_parse): the
 * first byte picks the tee, the rest is the primary evidence JSON.
 */
#include <stddef.h>
#include <stdint.h>

#include "cove/attest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const tees[] = {"sgx", "tdx", "snp", "cca"};
	cove_attest_request *req = NULL;
	cove_attest_type type;
	json_t *ev;

	if (size < 1)
		return 0;
	ev = json_loadb((const char *)data + 1, size - 1, 0, NULL);
	if (!ev)
		return 0;
	if (cove_attest_kbs_request_parse(tees[data[0] % 4], ev, &type, &req, NULL) == COVE_OK)
		cove_attest_request_free(req);
	json_decref(ev);
	return 0;
}
