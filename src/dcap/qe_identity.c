/*
 * QE identity parser (cove/dcap_collateral.h): the "enclaveIdentity"
 * object Intel PCS serves for its quoting enclaves, version 2 - id "QE"
 * (SGX), "TD_QE" (TDX) or "QVE" (the verification enclave).
 *
 * Format: Intel PCS API v4 "Enclave Identity" v2 (shared/research/sgx-tdx.md
 * section c): miscselect and its mask as 4 bytes of hex, attributes and
 * mask as 16, mrsigner as 32, isvprodid, and tcbLevels of {tcb{isvsvn},
 * tcbDate, tcbStatus, advisoryIDs?}.  The hex strings list bytes in the
 * order the QE report stores them: Intel QVL's sample QE identity
 * (shared/vectors/sgx/intel-qvl/sampleData/qeIdentity.json) has miscselect
 * "D182B18C" and attributes "70C8CBF4...", and its quote's QE report holds
 * exactly the bytes d1 82 b1 8c and 70 c8 cb f4 ... at offsets 16 and 48
 * (the TDX sample likewise with "13373B09").  So miscselect is those bytes
 * read little-endian, the way the report's MISCSELECT field is read.
 */
#include <limits.h>
#include <string.h>

#include "cove/dcap_collateral.h"
#include "dcap/collateral_json.h"

#define ROOT "enclaveIdentity"

void cove_dcap_qe_identity_free(cove_dcap_qe_identity *q)
{
	if (!q)
		return;
	cove_dj_isv_levels_free(q->levels, q->nlevels);
	memset(q, 0, sizeof(*q));
}

cove_err cove_dcap_qe_identity_parse(const char *json, size_t len, cove_dcap_qe_identity *out, cove_error *e)
{
	cove_dcap_qe_identity q;
	json_t *root = NULL, *id;
	uint64_t v;
	uint8_t misc[4], misc_mask[4];
	cove_err rc;
	memset(&q, 0, sizeof(q));
	if (!out)
		return cove_error_set(e, COVE_ERR_ARG, "cove_dcap_qe_identity_parse: no output");
	memset(out, 0, sizeof(*out));
	if ((rc = cove_dj_load_object(json, len, ROOT, &root, e)))
		return rc;
	if (!json_object_get(root, "version") && json_object_get(root, "enclaveIdentity")) {
		rc = cove_error_set(e, COVE_ERR_PARSE,
				    ROOT ": this is a whole PCS response ({\"enclaveIdentity\": ..., \"signature\": ...}); "
					 "the QE identity is its \"enclaveIdentity\" object (cove_dcap_signed_json_split)");
		goto fail;
	}
	if ((rc = cove_dj_uint(root, ROOT, "version", INT_MAX, &v, e)))
		goto fail;
	if (v != 2) {
		rc = cove_error_set(e, COVE_ERR_UNSUPPORTED,
				    ROOT ".version: enclave identity version %llu is not supported (2 is)", (unsigned long long)v);
		goto fail;
	}
	q.version = 2;
	if ((rc = cove_dj_member(root, ROOT, "id", JSON_STRING, true, &id, e)))
		goto fail;
	const char *s = json_string_value(id);
	if (strcmp(s, "QE") != 0 && strcmp(s, "QVE") != 0 && strcmp(s, "TD_QE") != 0) {
		rc = cove_error_set(e, COVE_ERR_PARSE, ROOT ".id must be \"QE\", \"QVE\" or \"TD_QE\", not \"%.32s\"", s);
		goto fail;
	}
	memcpy(q.id, s, strlen(s) + 1);
	if ((rc = cove_dj_time(root, ROOT, "issueDate", &q.issue_date, e)) ||
	    (rc = cove_dj_time(root, ROOT, "nextUpdate", &q.next_update, e)) ||
	    (rc = cove_dj_uint(root, ROOT, "tcbEvaluationDataNumber", INT_MAX, &v, e)))
		goto fail;
	q.tcb_evaluation_data_number = (int)v;
	if ((rc = cove_dj_hex(root, ROOT, "miscselect", misc, 4, e)) ||
	    (rc = cove_dj_hex(root, ROOT, "miscselectMask", misc_mask, 4, e)) ||
	    (rc = cove_dj_hex(root, ROOT, "attributes", q.attributes, 16, e)) ||
	    (rc = cove_dj_hex(root, ROOT, "attributesMask", q.attributes_mask, 16, e)) ||
	    (rc = cove_dj_hex(root, ROOT, "mrsigner", q.mrsigner, 32, e)) ||
	    (rc = cove_dj_uint(root, ROOT, "isvprodid", UINT16_MAX, &v, e)))
		goto fail;
	q.miscselect = cove_le32(misc);
	q.miscselect_mask = cove_le32(misc_mask);
	q.isvprodid = (uint16_t)v;
	if ((rc = cove_dj_isv_levels(root, ROOT, &q.levels, &q.nlevels, e)))
		goto fail;
	json_decref(root);
	*out = q;
	return COVE_OK;
fail:
	json_decref(root);
	cove_dcap_qe_identity_free(&q);
	return rc;
}
