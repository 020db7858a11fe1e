/* libFuzzer target: the JSON SEV-SNP appraisal policy parser (a failed load must change nothing). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cove/snp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cove_snp_policy p, before;
	cove_snp_policy_init(&p);
	before = p;
	if (cove_snp_policy_load_json(&p, (const char *)data, size, NULL) != COVE_OK) {
		if (memcmp(&p, &before, sizeof(p)) != 0)
			abort();
		return 0;
	}
	json_decref(cove_snp_policy_to_json(&p));
	return 0;
}
