/*
 * TCB info parser (cove/dcap_collateral.h): the "tcbInfo" object Intel PCS
 * serves for an FMSPC, version 2 (SGX) and version 3 (SGX and TDX).
 *
 * Format: Intel PCS API v4 "TCB Info" (v3) and the earlier v2 layout, as
 * collected in shared/research/sgx-tdx.md section c and seen in the genuine
 * bodies under shared/vectors/{sgx,tdx}:
 *   v2: tcbLevels[].tcb = {sgxtcbcomp01svn .. sgxtcbcomp16svn, pcesvn}
 *   v3: "id" SGX|TDX; tcbLevels[].tcb = {sgxtcbcomponents[16]{svn, category?,
 *       type?}, pcesvn, tdxtcbcomponents[16] (TDX)}; TDX adds tdxModule
 *       {mrsigner, attributes, attributesMask} and tdxModuleIdentities[]
 *       {id, mrsigner, attributes, attributesMask, tcbLevels[{tcb{isvsvn}, ...}]}.
 * Component SVNs are bytes (the PCK extension's and TEE_TCB_SVN's are), so
 * a value above 255 is malformed.  Only this module's shape is checked;
 * what the values mean is the verifier's business.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cove/dcap_collateral.h"
#include "dcap/collateral_json.h"

#define ROOT "tcbInfo"

void cove_dcap_tcb_info_free(cove_dcap_tcb_info *t)
{
	if (!t)
		return;
	for (size_t i = 0; t->levels && i < t->nlevels; i++)
		json_decref(t->levels[i].advisory_ids);
	free(t->levels);
	for (size_t i = 0; t->modules && i < t->nmodules; i++)
		cove_dj_isv_levels_free(t->modules[i].levels, t->modules[i].nlevels);
	free(t->modules);
	memset(t, 0, sizeof(*t));
}

/* v2: sgxtcbcomp01svn .. sgxtcbcomp16svn. */
static cove_err components_v2(json_t *tcb, const char *tp, uint8_t out[16], cove_error *e)
{
	for (unsigned i = 0; i < 16; i++) {
		char key[32];
		uint64_t v;
		snprintf(key, sizeof(key), "sgxtcbcomp%02usvn", i + 1);
		cove_err rc = cove_dj_uint(tcb, tp, key, UINT8_MAX, &v, e);
		if (rc)
			return rc;
		out[i] = (uint8_t)v;
	}
	return COVE_OK;
}

/* v3: an array of exactly 16 {svn, category?, type?}. */
static cove_err components_v3(json_t *tcb, const char *tp, const char *key, uint8_t out[16], cove_error *e)
{
	char p[COVE_DJ_PATH_MAX];
	json_t *arr, *s;
	cove_err rc = cove_dj_member(tcb, tp, key, JSON_ARRAY, true, &arr, e);
	if (rc)
		return rc;
	if (json_array_size(arr) != 16) {
		cove_dj_path(p, tp, key);
		return cove_error_set(e, COVE_ERR_PARSE, "%s must list 16 components, not %zu", p, json_array_size(arr));
	}
	for (size_t i = 0; i < 16; i++) {
		json_t *c = json_array_get(arr, i);
		uint64_t v;
		cove_dj_path_index(p, tp, key, i);
		if (!json_is_object(c))
			return cove_error_set(e, COVE_ERR_PARSE, "%s must be an object", p);
		if ((rc = cove_dj_uint(c, p, "svn", UINT8_MAX, &v, e)) ||
		    (rc = cove_dj_member(c, p, "category", JSON_STRING, false, &s, e)) ||
		    (rc = cove_dj_member(c, p, "type", JSON_STRING, false, &s, e)))
			return rc;
		out[i] = (uint8_t)v;
	}
	return COVE_OK;
}

static cove_err parse_level(json_t *level, const char *lp, int version, bool tdx, cove_dcap_tcb_level *out,
			    cove_error *e)
{
	char tp[COVE_DJ_PATH_MAX];
	json_t *tcb, *tdx_comps;
	uint64_t pcesvn;
	cove_err rc;
	if (!json_is_object(level))
		return cove_error_set(e, COVE_ERR_PARSE, "%s must be an object", lp);
	if ((rc = cove_dj_member(level, lp, "tcb", JSON_OBJECT, true, &tcb, e)))
		return rc;
	cove_dj_path(tp, lp, "tcb");
	rc = version == 2 ? components_v2(tcb, tp, out->sgx_comp, e)
			  : components_v3(tcb, tp, "sgxtcbcomponents", out->sgx_comp, e);
	if (rc || (rc = cove_dj_uint(tcb, tp, "pcesvn", UINT16_MAX, &pcesvn, e)))
		return rc;
	out->pcesvn = (uint16_t)pcesvn;
	if (version == 3) {
		/* Required for TDX; parsed (and so checked) wherever it appears. */
		if ((rc = cove_dj_member(tcb, tp, "tdxtcbcomponents", JSON_ARRAY, tdx, &tdx_comps, e)))
			return rc;
		if (tdx_comps) {
			if ((rc = components_v3(tcb, tp, "tdxtcbcomponents", out->tdx_comp, e)))
				return rc;
			out->has_tdx = true;
		}
	}
	if ((rc = cove_dj_time(level, lp, "tcbDate", &out->tcb_date, e)) ||
	    (rc = cove_dj_status(level, lp, "tcbStatus", &out->status, e)) ||
	    (rc = cove_dj_advisories(level, lp, &out->advisory_ids, e)))
		return rc;
	return COVE_OK;
}

/* mrsigner (48 bytes), attributes and attributesMask (8 bytes each) of tdxModule and of a module identity. */
static cove_err module_fields(json_t *m, const char *mp, uint8_t mrsigner[48], uint64_t *attr, uint64_t *mask,
			      cove_error *e)
{
	uint8_t a[8], k[8];
	cove_err rc;
	if ((rc = cove_dj_hex(m, mp, "mrsigner", mrsigner, 48, e)) || (rc = cove_dj_hex(m, mp, "attributes", a, 8, e)) ||
	    (rc = cove_dj_hex(m, mp, "attributesMask", k, 8, e)))
		return rc;
	*attr = cove_le64(a);
	*mask = cove_le64(k);
	return COVE_OK;
}

static cove_err parse_module_identity(json_t *m, const char *mp, cove_dcap_tdx_module_identity *out, cove_error *e)
{
	json_t *id;
	cove_err rc;
	if (!json_is_object(m))
		return cove_error_set(e, COVE_ERR_PARSE, "%s must be an object", mp);
	if ((rc = cove_dj_member(m, mp, "id", JSON_STRING, true, &id, e)))
		return rc;
	size_t n = json_string_length(id);
	if (n == 0 || n >= sizeof(out->id) || strlen(json_string_value(id)) != n)
		return cove_error_set(e, COVE_ERR_PARSE, "%s.id must be 1 to %zu characters (\"TDX_01\"), not %zu", mp,
				      sizeof(out->id) - 1, n);
	memcpy(out->id, json_string_value(id), n + 1);
	if ((rc = module_fields(m, mp, out->mrsigner, &out->attributes, &out->attributes_mask, e)))
		return rc;
	return cove_dj_isv_levels(m, mp, &out->levels, &out->nlevels, e);
}

static cove_err parse_tdx(json_t *root, bool required, cove_dcap_tcb_info *t, cove_error *e)
{
	char p[COVE_DJ_PATH_MAX];
	json_t *m, *ids;
	cove_err rc;
	if ((rc = cove_dj_member(root, ROOT, "tdxModule", JSON_OBJECT, required, &m, e)))
		return rc;
	if (m) {
		cove_dj_path(p, ROOT, "tdxModule");
		if ((rc = module_fields(m, p, t->tdx_module_mrsigner, &t->tdx_module_attributes,
					&t->tdx_module_attributes_mask, e)))
			return rc;
		t->has_tdx_module = true;
	}
	if ((rc = cove_dj_member(root, ROOT, "tdxModuleIdentities", JSON_ARRAY, false, &ids, e)) || !ids)
		return rc;
	size_t n = json_array_size(ids);
	if (n == 0)
		return COVE_OK;
	if (!(t->modules = calloc(n, sizeof(*t->modules))))
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	t->nmodules = n; /* entries are zeroed, so a partial array frees cleanly */
	for (size_t i = 0; i < n; i++) {
		cove_dj_path_index(p, ROOT, "tdxModuleIdentities", i);
		if ((rc = parse_module_identity(json_array_get(ids, i), p, &t->modules[i], e)))
			return rc;
	}
	return COVE_OK;
}

cove_err cove_dcap_tcb_info_parse(const char *json, size_t len, cove_dcap_tcb_info *out, cove_error *e)
{
	char p[COVE_DJ_PATH_MAX];
	cove_dcap_tcb_info t;
	json_t *root = NULL, *id, *levels, *pce;
	uint64_t v;
	cove_err rc;
	memset(&t, 0, sizeof(t));
	if (!out)
		return cove_error_set(e, COVE_ERR_ARG, "cove_dcap_tcb_info_parse: no output");
	memset(out, 0, sizeof(*out));
	if ((rc = cove_dj_load_object(json, len, ROOT, &root, e)))
		return rc;
	if (!json_object_get(root, "version") && json_object_get(root, "tcbInfo")) {
		rc = cove_error_set(e, COVE_ERR_PARSE,
				    ROOT ": this is a whole PCS response ({\"tcbInfo\": ..., \"signature\": ...}); the TCB "
					 "info is its \"tcbInfo\" object (cove_dcap_signed_json_split)");
		goto fail;
	}
	if ((rc = cove_dj_uint(root, ROOT, "version", INT_MAX, &v, e)))
		goto fail;
	if (v != 2 && v != 3) {
		rc = cove_error_set(e, COVE_ERR_UNSUPPORTED,
				    ROOT ".version: TCB info version %llu is not supported (2 and 3 are)", (unsigned long long)v);
		goto fail;
	}
	t.version = (int)v;
	if (t.version == 3) {
		if ((rc = cove_dj_member(root, ROOT, "id", JSON_STRING, true, &id, e)))
			goto fail;
		const char *s = json_string_value(id);
		if (strcmp(s, "SGX") != 0 && strcmp(s, "TDX") != 0) {
			rc = cove_error_set(e, COVE_ERR_PARSE, ROOT ".id must be \"SGX\" or \"TDX\", not \"%.32s\"", s);
			goto fail;
		}
		memcpy(t.id, s, 4);
	}
	bool tdx = strcmp(t.id, "TDX") == 0;
	if ((rc = cove_dj_time(root, ROOT, "issueDate", &t.issue_date, e)) ||
	    (rc = cove_dj_time(root, ROOT, "nextUpdate", &t.next_update, e)) ||
	    (rc = cove_dj_hex(root, ROOT, "fmspc", t.fmspc, sizeof(t.fmspc), e)))
		goto fail;
	/* Every PCS TCB info has pceId; a few early v2 fixtures (OpenEnclave's, 2018) do not. */
	if ((rc = cove_dj_member(root, ROOT, "pceId", JSON_STRING, t.version == 3, &pce, e)))
		goto fail;
	if (pce) {
		if ((rc = cove_dj_hex(root, ROOT, "pceId", t.pce_id, sizeof(t.pce_id), e)))
			goto fail;
		t.has_pce_id = true;
	}
	if ((rc = cove_dj_uint(root, ROOT, "tcbType", INT_MAX, &v, e)))
		goto fail;
	t.tcb_type = (int)v;
	if ((rc = cove_dj_uint(root, ROOT, "tcbEvaluationDataNumber", INT_MAX, &v, e)))
		goto fail;
	t.tcb_evaluation_data_number = (int)v;
	if (t.version == 3 && (rc = parse_tdx(root, tdx, &t, e)))
		goto fail;

	if ((rc = cove_dj_member(root, ROOT, "tcbLevels", JSON_ARRAY, true, &levels, e)))
		goto fail;
	size_t n = json_array_size(levels);
	if (n == 0) {
		rc = cove_error_set(e, COVE_ERR_PARSE, ROOT ".tcbLevels is empty");
		goto fail;
	}
	if (!(t.levels = calloc(n, sizeof(*t.levels)))) {
		rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
		goto fail;
	}
	t.nlevels = n;
	for (size_t i = 0; i < n; i++) {
		cove_dj_path_index(p, ROOT, "tcbLevels", i);
		if ((rc = parse_level(json_array_get(levels, i), p, t.version, tdx, &t.levels[i], e)))
			goto fail;
	}
	json_decref(root);
	*out = t;
	return COVE_OK;
fail:
	json_decref(root);
	cove_dcap_tcb_info_free(&t);
	return rc;
}
