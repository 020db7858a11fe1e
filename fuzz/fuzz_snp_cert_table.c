/* libFuzzer target: SEV-SNP extended-report certificate table, and the certificates in it. */
#include <stdint.h>
#include <stdlib.h>

#include "cove/snp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cove_snp_cert_table t;
	if (cove_snp_cert_table_parse(data, size, &t, NULL) != COVE_OK)
		return 0;
	for (size_t i = 0; i < t.count; i++) {
		if (t.entries[i].data < data || t.entries[i].data + t.entries[i].len > data + size)
			abort();
		cove_x509_list l = {0};
		cove_x509_list_parse(&l, t.entries[i].data, t.entries[i].len, NULL);
		cove_x509_list_free(&l);
	}
	cove_snp_cert_table_free(&t);
	return 0;
}
