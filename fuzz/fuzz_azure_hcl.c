/* libFuzzer target: Azure HCL report parser (header, IGVM request data, runtime claims JSON, AK). */
#include <stdint.h>

#include "cove/azure_hcl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cove_azure_hcl h;
	if (cove_azure_hcl_parse(data, size, &h, NULL) != COVE_OK)
		return 0;
	cove_snp_report r;
	cove_snp_report_parse(h.hw_report, COVE_SNP_REPORT_SIZE, &r, NULL);
	cove_pkey *ak = NULL;
	if (cove_azure_hcl_ak_pub(&h, &ak, NULL) == COVE_OK)
		cove_pkey_free(ak);
	cove_azure_hcl_free(&h);
	return 0;
}
