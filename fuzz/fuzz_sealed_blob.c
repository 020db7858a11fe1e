/*
 * libFuzzer target: sealed-blob parsing and unsealing (cove_sealed_parse,
 * cove_unseal) under a fixed root secret and enclave identity, plus the
 * KEYREQUEST / TARGETINFO / REPORT decoders on the input's prefix.  Seeds in
 * fuzz/corpus/fuzz_sealed_blob are blobs sealed under this exact identity,
 * so the fuzzer starts from inputs that reach the GCM check.  Invariants:
 * what decodes re-encodes to the same bytes; what unseals is consistent with
 * the parsed header.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cove/seal.h"
#include "cove/sgx_report.h"

static void fuzz_identity(uint8_t root[32], cove_sgx_identity *id)
{
	for (int i = 0; i < 32; i++)
		root[i] = (uint8_t)i;
	memset(id, 0, sizeof(*id));
	memset(id->mr_enclave, 0x11, 32);
	memset(id->mr_signer, 0x22, 32);
	id->isv_prod_id = 1;
	id->isv_svn = 2;
	memset(id->cpu_svn, 1, 16);
	id->attr_flags = COVE_SGX_FLAGS_INIT | COVE_SGX_FLAGS_MODE64BIT | COVE_SGX_FLAGS_KSS;
	id->attr_xfrm = 0xE7;
	id->config_svn = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t root[32], out[COVE_SGX_TARGETINFO_SIZE];
	cove_sgx_identity id;
	cove_sealed_info info;
	fuzz_identity(root, &id);

	if (size >= COVE_SGX_KEYREQUEST_SIZE) {
		cove_sgx_keyrequest kr;
		if (cove_sgx_keyrequest_parse(data, COVE_SGX_KEYREQUEST_SIZE, &kr, NULL) == COVE_OK) {
			cove_sgx_keyrequest_encode(&kr, out);
			if (memcmp(out, data, COVE_SGX_KEYREQUEST_SIZE) != 0)
				abort();
		}
		cove_sgx_targetinfo ti;
		if (cove_sgx_targetinfo_parse(data, COVE_SGX_TARGETINFO_SIZE, &ti, NULL) == COVE_OK) {
			cove_sgx_targetinfo_encode(&ti, out);
			if (memcmp(out, data, COVE_SGX_TARGETINFO_SIZE) != 0)
				abort();
		}
	}
	if (size >= COVE_SGX_REPORT_SIZE)
		(void)cove_sgx_report_verify(root, &id, data, COVE_SGX_REPORT_SIZE, NULL, NULL);

	if (cove_sealed_parse(data, size, &info, NULL) == COVE_OK) {
		if (COVE_SEALED_HEADER_SIZE + info.text_len + info.aad_len != size)
			abort();
		uint8_t *t = NULL, *a = NULL;
		size_t tl = 0, al = 0;
		if (cove_unseal(root, &id, data, size, &t, &tl, &a, &al, NULL) == COVE_OK) {
			if (tl != info.text_len || al != info.aad_len || memcmp(a, info.aad, al) != 0)
				abort();
			free(t);
			free(a);
		} else if (t || a) {
			abort();
		}
	}
	return 0;
}
