/*
 * libFuzzer target: enclave images (cove/enclave_image.h) - ELF64 parsing,
 * the layout, the measurement and the SIGSTRUCT lookup and check.  Seeds in
 * fuzz/corpus/fuzz_enclave_image are small synthetic images (two or three
 * PT_LOAD segments, a .cove_config, a .cove_sigstruct), unsigned and signed
 * with a throwaway key, so mutations reach every validation and the check.
 * Invariants: what parses has sorted, disjoint, page-aligned regions inside
 * ECREATE's SIZE (a power of two), and an image that checks carries the
 * MRENCLAVE that measuring it gives.
 */
#include <stdlib.h>
#include <string.h>

#include "cove/enclave_image.h"

/* Measuring hashes one record per page: keep the fuzzer's executions short. */
#define MEASURE_LIMIT (UINT64_C(16) << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cove_enclave_image *img = NULL;
	uint8_t mr[32], mr2[32];
	const uint8_t *sig = NULL;

	if (cove_enclave_image_parse(data, size, &img, NULL) != COVE_OK) {
		if (img)
			abort();
		return 0;
	}
	uint64_t esize = cove_enclave_image_enclave_size(img), prev_end = 0;
	if (esize == 0 || (esize & (esize - 1)) != 0)
		abort();
	for (size_t i = 0; i < cove_enclave_image_region_count(img); i++) {
		const cove_enclave_region *r = cove_enclave_image_region(img, i);
		if (r->offset < prev_end || r->offset % COVE_ENCLAVE_PAGE_SIZE || r->size % COVE_ENCLAVE_PAGE_SIZE ||
		    r->size == 0 || r->offset + r->size > esize)
			abort();
		prev_end = r->offset + r->size;
	}
	for (size_t i = 0; i < cove_enclave_image_segment_count(img); i++) {
		const cove_enclave_segment *s = cove_enclave_image_segment(img, i);
		if (s->filesz > s->memsz || s->offset > size || s->filesz > size - s->offset)
			abort();
	}
	if (cove_enclave_image_config(img)->tcs_count == 0)
		abort();
	if (cove_enclave_image_sigstruct(img, &sig, NULL) != COVE_OK)
		abort();
	if (esize <= MEASURE_LIMIT) {
		if (cove_enclave_image_measure(img, mr, NULL) != COVE_OK)
			abort();
		if (sig && cove_enclave_image_check(img, false, NULL, mr2, NULL, NULL, NULL) == COVE_OK &&
		    memcmp(mr, mr2, 32) != 0)
			abort();
	}
	cove_enclave_image_free(img);
	return 0;
}
