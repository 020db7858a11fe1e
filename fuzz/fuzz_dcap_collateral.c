/*
 * libFuzzer target: the DCAP collateral JSON parsers - the bundle (and its
 * re-serialisation), the TCB info and QE identity objects, and the split of
 * PCS bodies into exact signed bytes (followed by the object parsers, as the
 * setters do).  Every input goes through all of them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cove/dcap_collateral.h"

static void split_and_parse(const char *text, size_t size, const char *member)
{
	const char *obj;
	size_t len;
	uint8_t sig[64];
	if (cove_dcap_signed_json_split(text, size, member, &obj, &len, sig, NULL) != COVE_OK)
		return;
	/* The span lies inside the input and is one object. */
	if (obj < text || len < 2 || (size_t)(obj - text) > size - len || obj[0] != '{' || obj[len - 1] != '}')
		abort();
	if (strcmp(member, "tcbInfo") == 0) {
		cove_dcap_tcb_info t;
		if (cove_dcap_tcb_info_parse(obj, len, &t, NULL) == COVE_OK)
			cove_dcap_tcb_info_free(&t);
	} else {
		cove_dcap_qe_identity q;
		if (cove_dcap_qe_identity_parse(obj, len, &q, NULL) == COVE_OK)
			cove_dcap_qe_identity_free(&q);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	cove_dcap_collateral c, d;
	cove_dcap_tcb_info t;
	cove_dcap_qe_identity q;

	if (cove_dcap_collateral_parse_bundle(text, size, &c, NULL) == COVE_OK) {
		/* What parses writes out and parses back to the same signed bytes. */
		char *out = NULL;
		if (cove_dcap_collateral_to_bundle(&c, &out, NULL) != COVE_OK ||
		    cove_dcap_collateral_parse_bundle(out, strlen(out), &d, NULL) != COVE_OK)
			abort();
		if (d.tcb_info_raw.len != c.tcb_info_raw.len ||
		    memcmp(d.tcb_info_raw.data, c.tcb_info_raw.data, c.tcb_info_raw.len) != 0 ||
		    d.qe_identity_raw.len != c.qe_identity_raw.len ||
		    memcmp(d.qe_identity_raw.data, c.qe_identity_raw.data, c.qe_identity_raw.len) != 0 ||
		    memcmp(d.tcb_info_signature, c.tcb_info_signature, 64) != 0)
			abort();
		free(out);
		cove_dcap_collateral_free(&d);
		cove_dcap_collateral_free(&c);
	}
	if (cove_dcap_tcb_info_parse(text, size, &t, NULL) == COVE_OK)
		cove_dcap_tcb_info_free(&t);
	if (cove_dcap_qe_identity_parse(text, size, &q, NULL) == COVE_OK)
		cove_dcap_qe_identity_free(&q);
	split_and_parse(text, size, "tcbInfo");
	split_and_parse(text, size, "enclaveIdentity");
	return 0;
}
