/*
 * Fuzz Secure Key Release policies (cove/skr_policy.h): parse, then evaluate
 * against a fixed token's claims for its own authority and another.
 */
#include <stddef.h>
#include <stdint.h>

#include "cove/skr_policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cove_skr_policy *p = NULL;
	char why[256];
	bool ok = false;
	json_t *claims = json_pack("{s:s, s:b, s:{s:s, s:{s:i}}}", "x-ms-attestation-type", "sevsnpvm",
				   "x-ms-sevsnpvm-is-debuggable", 0, "x-ms-isolation-tee", "x-ms-attestation-type", "sevsnpvm",
				   "x-ms-runtime", "n", 1);

	if (cove_skr_policy_parse((const char *)data, size, &p, NULL) == COVE_OK) {
		cove_skr_policy_evaluate(p, "https://sharedeus.eus.attest.azure.net", claims, &ok, why, sizeof(why), NULL);
		cove_skr_policy_evaluate(p, "https://sharedeus.eus.attest.azure.net/", claims, &ok, NULL, 0, NULL);
		cove_skr_policy_free(p);
	}
	json_decref(claims);
	return 0;
}
