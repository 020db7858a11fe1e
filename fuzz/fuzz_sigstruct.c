/*
 * libFuzzer target: SIGSTRUCT parsing and verification (cove_sigstruct_parse,
 * cove_sigstruct_verify, cove_sigstruct_mrsigner).  Seeds in
 * fuzz/corpus/fuzz_sigstruct are SIGSTRUCTs signed with a throwaway RSA-3072
 * e = 3 key, so mutations reach the RSA and Q1/Q2 checks.  Invariants: what
 * parses re-encodes to the same bytes; what verifies also parses; what does
 * not parse does not verify.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cove/sigstruct.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cove_sigstruct s;
	uint8_t out[COVE_SIGSTRUCT_SIZE], mr[COVE_SHA256_LEN];
	cove_err parsed = cove_sigstruct_parse(data, size, &s, NULL);
	if (parsed == COVE_OK) {
		cove_sigstruct_encode(&s, out);
		if (memcmp(out, data, COVE_SIGSTRUCT_SIZE) != 0)
			abort();
		if (cove_sigstruct_mrsigner(&s, mr, NULL) != COVE_OK)
			abort();
	}
	if (size >= COVE_SIGSTRUCT_SIZE) {
		cove_err v = cove_sigstruct_verify(data, NULL);
		bool exact_ok = cove_sigstruct_parse(data, COVE_SIGSTRUCT_SIZE, &s, NULL) == COVE_OK;
		if (v == COVE_OK && !exact_ok)
			abort();
		if (!exact_ok && v != COVE_ERR_PARSE)
			abort();
	}
	return 0;
}
