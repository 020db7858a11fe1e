/*
 * libFuzzer target: VCEK/VLEK extension parser.  Input starting with a DER
 * SEQUENCE (0x30) is a whole certificate; otherwise the first byte picks the
 * extension arc and the rest is its content octets.
 */
#include <stdint.h>

#include "cove/snp.h"

static const char *const arcs[] = {"1", "2", "3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "3.7", "3.8", "3.9", "4", "5"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cove_snp_vcek_ext x = {0};
	if (size == 0)
		return 0;
	if (data[0] == 0x30) {
		cove_x509 *c = NULL;
		if (cove_x509_parse(data, size, &c, NULL) == COVE_OK) {
			cove_snp_vcek_ext_parse(c, &x, NULL);
			cove_x509_free(c);
		}
		return 0;
	}
	cove_snp_vcek_ext_parse_value(arcs[data[0] % (sizeof(arcs) / sizeof(arcs[0]))], data + 1, size - 1, &x, NULL);
	return 0;
}
