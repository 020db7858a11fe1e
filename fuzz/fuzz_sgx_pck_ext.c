/*
 * libFuzzer target: the SGX extension of PCK certificates.  The input is tried
 * as a whole certificate (DER or PEM) and as the extension's DER value.
 */
#include <stdint.h>
#include <stdlib.h>

#include "cove/dcap.h"

static void render(const cove_sgx_pck_ext *x)
{
	json_t *j = cove_sgx_pck_ext_to_json(x);
	if (!j || x->sgx_type < 0 || x->sgx_type > 2)
		abort();
	json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cove_sgx_pck_ext x;
	cove_x509 *c = NULL;
	if (cove_x509_parse(data, size, &c, NULL) == COVE_OK) {
		if (cove_sgx_pck_ext_parse(c, &x, NULL) == COVE_OK)
			render(&x);
		cove_x509_free(c);
	}
	if (cove_sgx_pck_ext_parse_der(data, size, &x, NULL) == COVE_OK)
		render(&x);
	return 0;
}
