/*
 * libFuzzer target: DCAP quote parser (v3/v4/v5, type-5 PEM and DER chains)
 * and its JSON rendering.  What parses must describe itself consistently.
 */
#include <stdint.h>
#include <stdlib.h>

#include "cove/dcap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cove_dcap_quote q;
	bool strict_ok = cove_dcap_quote_parse(data, size, &q, NULL) == COVE_OK;
	if (strict_ok)
		cove_dcap_quote_free(&q);
	if (cove_dcap_quote_parse_prefix(data, size, &q, NULL) != COVE_OK) {
		if (strict_ok)
			abort(); /* the prefix parser accepts a superset */
		return 0;
	}
	if (q.quote_len > size || q.trailing_len != size - q.quote_len || q.signed_len >= q.quote_len ||
	    q.signed_data != data || q.qe_report_raw < data || q.qe_report_raw + 384 > data + q.quote_len ||
	    q.cert_data + q.cert_len > data + q.quote_len || q.qe_auth_data + q.qe_auth_len > data + q.quote_len ||
	    (q.cert_type == COVE_DCAP_CERT_PCK_CHAIN) != (q.pck_chain.count > 0))
		abort();
	json_t *j = cove_dcap_quote_to_json(&q);
	if (!j)
		abort();
	json_decref(j);
	cove_dcap_quote_free(&q);
	return 0;
}
