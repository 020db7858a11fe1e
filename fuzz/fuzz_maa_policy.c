/*
 * libFuzzer target: the MAA policy parser (both grammars) and evaluator.  Every
 * input is parsed strictly and leniently; what parses is evaluated against a
 * fixed small claim set, including JSON evidence for the 1.2 JmesPath() and
 * JsonToClaimValue() functions.  A parse error must carry a line and column.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cove/maa_policy.h"

static json_t *claims;

static void load_claims(void)
{
	claims = json_loads(
		"[{\"type\":\"x-ms-sgx-is-debuggable\",\"value\":false,\"issuer\":\"AttestationService\"},"
		"{\"type\":\"x-ms-sgx-svn\",\"value\":3,\"issuer\":\"AttestationService\"},"
		"{\"type\":\"x-ms-sgx-mrsigner\",\"value\":\"ab12\",\"issuer\":\"AttestationService\"},"
		"{\"type\":\"secureBootEnabled\",\"value\":true,\"issuer\":\"AttestationService\"},"
		"{\"type\":\"events\",\"issuer\":\"AttestationService\",\"value\":"
		"\"{\\\"Events\\\":[{\\\"EventSeq\\\":1,\\\"PcrIndex\\\":7,\\\"EventTypeString\\\":\\\"EV_EFI_VARIABLE_DRIVER_CONFIG\\\","
		"\\\"ProcessedData\\\":{\\\"UnicodeName\\\":\\\"SecureBoot\\\",\\\"VariableData\\\":\\\"AQ\\\"}}]}\"},"
		"{\"type\":\"list\",\"value\":\"[1, \\\"a\\\", true, null]\"},"
		"{\"type\":\"custom\",\"value\":\"x\"}]",
		0, NULL);
	if (!claims)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!claims)
		load_claims();
	for (unsigned flags = 0; flags <= COVE_MAA_PARSE_LENIENT; flags++) {
		cove_maa_policy *p = NULL;
		cove_error e = {0};
		if (cove_maa_policy_parse((const char *)data, size, flags, &p, &e) != COVE_OK) {
			if (p || (e.code == COVE_ERR_PARSE && strncmp(e.msg, "line ", 5) && strncmp(e.msg, "maa policy: ", 12)))
				abort();
			continue;
		}
		cove_maa_result r;
		if (cove_maa_policy_evaluate(p, claims, &r, &e) == COVE_OK) {
			if (!json_is_object(r.claims) || !json_is_object(r.properties) || (!r.permitted && json_object_size(r.claims)))
				abort();
			cove_maa_result_clear(&r);
		} else if (r.claims || r.properties) {
			abort();
		}
		json_t *cfg = NULL;
		if (cove_maa_policy_config(p, &cfg, NULL) == COVE_OK)
			json_decref(cfg);
		cove_maa_policy_free(p);
	}
	return 0;
}
