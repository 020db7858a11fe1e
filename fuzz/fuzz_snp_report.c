/* libFuzzer target: SEV-SNP attestation report parser and its JSON rendering. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cove/snp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cove_snp_report r;
	if (cove_snp_report_parse(data, size, &r, NULL) == COVE_OK) {
		uint8_t out[COVE_SNP_REPORT_SIZE];
		json_t *j = cove_snp_report_to_json(&r, cove_snp_report_product(&r));
		json_decref(j);
		/* What parses must re-encode to the same bytes. */
		if (cove_snp_report_encode(&r, out, NULL) != COVE_OK || memcmp(out, data, sizeof(out)) != 0)
			abort();
	}
	return 0;
}
