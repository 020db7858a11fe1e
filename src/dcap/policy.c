/*
 * SGX and TDX appraisal policy: which TCB statuses and advisories a relying
 * party accepts, and what the enclave or TD must be.  SGX identity fields
 * follow the REPORTBODY (sgx_report.h): MRENCLAVE, MRSIGNER, ISVPRODID,
 * ISVSVN, ATTRIBUTES (DEBUG forbidden by default), MISCSELECT, the KSS fields
 * and CONFIGSVN; TDX fields follow the TD report body: MRTD, RTMR0-3,
 * MRCONFIGID, MROWNER, MROWNERCONFIG, TD ATTRIBUTES (DEBUG forbidden by
 * default) and XFAM.  The JSON form is documented in docs/dcap-policy.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cove/bytes.h"
#include "cove/dcap_verify.h"

void cove_dcap_policy_init(cove_dcap_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->accepted_statuses = 1u << COVE_TCB_UP_TO_DATE;
	p->accepted_advisories = json_array();
	p->rejected_advisories = json_array();
}

void cove_dcap_policy_free(cove_dcap_policy *p)
{
	json_decref(p->accepted_advisories);
	json_decref(p->rejected_advisories);
	p->accepted_advisories = p->rejected_advisories = NULL;
}

cove_err cove_dcap_policy_accept(cove_dcap_policy *p, const char *statuses, cove_error *e)
{
	char *copy = strdup(statuses), *save = NULL;
	uint32_t bits = 0;
	cove_err rc = COVE_OK;
	if (!copy)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	for (char *tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		cove_tcb_status s;
		if ((rc = cove_tcb_status_parse(tok, &s, e)))
			break;
		bits |= 1u << s;
	}
	free(copy);
	if (!rc)
		p->accepted_statuses |= bits;
	return rc;
}

/* ---- JSON ---- */

static cove_err hex_value(json_t *v, const char *key, uint8_t *out, size_t len, cove_error *e)
{
	cove_error inner = {0};
	if (!json_is_string(v))
		return cove_error_set(e, COVE_ERR_PARSE, "policy: \"%s\" must be a hex string of %zu bytes", key, len);
	if (cove_hex_decode_fixed(json_string_value(v), out, len, &inner))
		return cove_error_set(e, COVE_ERR_PARSE, "policy: \"%s\": %s", key, inner.msg);
	return COVE_OK;
}

static cove_err hex_list(json_t *v, const char *key, uint8_t *out, size_t width, size_t *n, cove_error *e)
{
	size_t i;
	json_t *item;
	if (json_is_string(v)) {
		*n = 1;
		return hex_value(v, key, out, width, e);
	}
	if (!json_is_array(v) || json_array_size(v) > COVE_DCAP_POLICY_MAX_LIST)
		return cove_error_set(e, COVE_ERR_PARSE, "policy: \"%s\" must be a hex string or an array of at most %d",
				      key, COVE_DCAP_POLICY_MAX_LIST);
	json_array_foreach(v, i, item) {
		char what[64];
		snprintf(what, sizeof(what), "%s[%zu]", key, i);
		cove_err rc = hex_value(item, what, out + i * width, width, e);
		if (rc)
			return rc;
	}
	*n = json_array_size(v);
	return COVE_OK;
}

static cove_err uint_value(json_t *v, const char *key, long long max, long long *out, cove_error *e)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max)
		return cove_error_set(e, COVE_ERR_PARSE, "policy: \"%s\" must be an integer from 0 to %lld", key, max);
	*out = json_integer_value(v);
	return COVE_OK;
}

/* A 64-bit value written as "0x..." (or a JSON integer). */
static cove_err u64_value(json_t *v, const char *key, uint64_t *out, cove_error *e)
{
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = (uint64_t)json_integer_value(v);
		return COVE_OK;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end;
		errno = 0;
		unsigned long long x = strtoull(s, &end, 16);
		if (*s && *s != '-' && !*end && !errno) {
			*out = x;
			return COVE_OK;
		}
	}
	return cove_error_set(e, COVE_ERR_PARSE, "policy: \"%s\" must be a 64-bit value in hex (\"0x10000000\")", key);
}

/* {"value": X, "mask": Y} for 64-bit fields. */
static cove_err masked64(json_t *v, const char *key, uint64_t *value, uint64_t *mask, cove_error *e)
{
	json_t *val = json_object_get(v, "value"), *m = json_object_get(v, "mask");
	char what[64];
	cove_err rc;
	if (!json_is_object(v) || !val || !m || json_object_size(v) != 2)
		return cove_error_set(e, COVE_ERR_PARSE, "policy: \"%s\" must be {\"value\": HEX, \"mask\": HEX}", key);
	snprintf(what, sizeof(what), "%s.value", key);
	if ((rc = u64_value(val, what, value, e)))
		return rc;
	snprintf(what, sizeof(what), "%s.mask", key);
	return u64_value(m, what, mask, e);
}

static cove_err string_list(json_t *v, const char *key, json_t **out, cove_error *e)
{
	size_t i;
	json_t *item;
	if (!json_is_array(v))
		return cove_error_set(e, COVE_ERR_PARSE, "policy: \"%s\" must be an array of strings", key);
	json_array_foreach(v, i, item)
		if (!json_is_string(item))
			return cove_error_set(e, COVE_ERR_PARSE, "policy: \"%s\"[%zu] must be a string", key, i);
	json_decref(*out);
	*out = json_deep_copy(v);
	return COVE_OK;
}

static cove_err load_common(cove_dcap_policy *p, const char *key, json_t *v, bool *handled, cove_error *e)
{
	*handled = true;
	if (strcmp(key, "accept") == 0) {
		size_t i;
		json_t *item;
		uint32_t bits = 0;
		if (!json_is_array(v))
			return cove_error_set(e, COVE_ERR_PARSE, "policy: \"accept\" must be an array of TCB statuses");
		json_array_foreach(v, i, item) {
			cove_tcb_status s;
			cove_error inner = {0};
			if (!json_is_string(item) || cove_tcb_status_parse(json_string_value(item), &s, &inner))
				return cove_error_set(e, COVE_ERR_PARSE, "policy: accept[%zu]: %s", i,
						      inner.msg[0] ? inner.msg : "not a string");
			bits |= 1u << s;
		}
		p->accepted_statuses = bits;
		return COVE_OK;
	}
	if (strcmp(key, "accept_advisories") == 0)
		return string_list(v, key, &p->accepted_advisories, e);
	if (strcmp(key, "reject_advisories") == 0)
		return string_list(v, key, &p->rejected_advisories, e);
	if (strcmp(key, "allow_debug") == 0) {
		if (!json_is_boolean(v))
			return cove_error_set(e, COVE_ERR_PARSE, "policy: \"allow_debug\" must be true or false");
		p->allow_debug = json_is_true(v);
		return COVE_OK;
	}
	if (strcmp(key, "report_data") == 0) {
		cove_err rc = hex_value(v, key, p->report_data, 64, e);
		p->has_report_data = rc == COVE_OK;
		return rc;
	}
	*handled = false;
	return COVE_OK;
}

static cove_err load_sgx(cove_dcap_policy *p, const char *key, json_t *v, cove_error *e)
{
	long long x = 0;
	cove_err rc;
	if (strcmp(key, "mr_enclave") == 0)
		return hex_list(v, key, &p->mr_enclaves[0][0], 32, &p->n_mr_enclaves, e);
	if (strcmp(key, "mr_signer") == 0)
		return hex_list(v, key, &p->mr_signers[0][0], 32, &p->n_mr_signers, e);
	if (strcmp(key, "isv_prod_id") == 0) {
		if (!(rc = uint_value(v, key, 65535, &x, e))) {
			p->has_isv_prod_id = true;
			p->isv_prod_id = (uint16_t)x;
		}
		return rc;
	}
	if (strcmp(key, "min_isv_svn") == 0) {
		if (!(rc = uint_value(v, key, 65535, &x, e)))
			p->min_isv_svn = (uint16_t)x;
		return rc;
	}
	if (strcmp(key, "min_config_svn") == 0) {
		if (!(rc = uint_value(v, key, 65535, &x, e)))
			p->min_config_svn = (uint16_t)x;
		return rc;
	}
	if (strcmp(key, "attributes") == 0) {
		json_t *val = json_object_get(v, "value"), *m = json_object_get(v, "mask");
		if (!json_is_object(v) || !val || !m || json_object_size(v) != 2)
			return cove_error_set(e, COVE_ERR_PARSE, "policy: \"attributes\" must be {\"value\": HEX16, "
					      "\"mask\": HEX16} (flags then xfrm, as in the report)");
		if ((rc = hex_value(val, "attributes.value", p->attributes, 16, e)))
			return rc;
		return hex_value(m, "attributes.mask", p->attributes_mask, 16, e);
	}
	if (strcmp(key, "misc_select") == 0) {
		uint64_t value, mask;
		if ((rc = masked64(v, key, &value, &mask, e)))
			return rc;
		if (value > UINT32_MAX || mask > UINT32_MAX)
			return cove_error_set(e, COVE_ERR_PARSE, "policy: \"misc_select\" is 32 bits");
		p->has_misc_select = true;
		p->misc_select = (uint32_t)value;
		p->misc_select_mask = (uint32_t)mask;
		return COVE_OK;
	}
	if (strcmp(key, "isv_family_id") == 0) {
		p->has_isv_family_id = !(rc = hex_value(v, key, p->isv_family_id, 16, e));
		return rc;
	}
	if (strcmp(key, "isv_ext_prod_id") == 0) {
		p->has_isv_ext_prod_id = !(rc = hex_value(v, key, p->isv_ext_prod_id, 16, e));
		return rc;
	}
	if (strcmp(key, "config_id") == 0) {
		p->has_config_id = !(rc = hex_value(v, key, p->config_id, 64, e));
		return rc;
	}
	return cove_error_set(e, COVE_ERR_PARSE, "policy: unknown key \"%s\" for an SGX policy (see docs/dcap-policy.md)",
			      key);
}

static cove_err value48(json_t *v, const char *key, cove_dcap_policy_value48 *out, cove_error *e)
{
	cove_err rc = hex_value(v, key, out->v, 48, e);
	out->set = rc == COVE_OK;
	return rc;
}

static cove_err load_tdx(cove_dcap_policy *p, const char *key, json_t *v, cove_error *e)
{
	if (strcmp(key, "mr_td") == 0)
		return hex_list(v, key, &p->mr_tds[0][0], 48, &p->n_mr_tds, e);
	if (strncmp(key, "rtmr", 4) == 0 && key[4] >= '0' && key[4] <= '3' && key[5] == '\0')
		return value48(v, key, &p->rtmr[key[4] - '0'], e);
	if (strcmp(key, "mr_config_id") == 0)
		return value48(v, key, &p->mr_config_id, e);
	if (strcmp(key, "mr_owner") == 0)
		return value48(v, key, &p->mr_owner, e);
	if (strcmp(key, "mr_owner_config") == 0)
		return value48(v, key, &p->mr_owner_config, e);
	if (strcmp(key, "td_attributes") == 0)
		return masked64(v, key, &p->td_attributes, &p->td_attributes_mask, e);
	if (strcmp(key, "xfam") == 0)
		return masked64(v, key, &p->xfam, &p->xfam_mask, e);
	return cove_error_set(e, COVE_ERR_PARSE, "policy: unknown key \"%s\" for a TDX policy (see docs/dcap-policy.md)",
			      key);
}

cove_err cove_dcap_policy_load_json(cove_dcap_policy *p, cove_tee_type tee, const char *text, size_t len,
				    cove_error *e)
{
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr), *v;
	const char *key;
	cove_dcap_policy tmp = *p;
	cove_err rc = COVE_OK;

	if (!root)
		return cove_error_set(e, COVE_ERR_PARSE, "policy: line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
	/* Work on copies of the advisory lists so that a failure leaves *p untouched. */
	tmp.accepted_advisories = json_deep_copy(p->accepted_advisories);
	tmp.rejected_advisories = json_deep_copy(p->rejected_advisories);
	if (!json_is_object(root)) {
		rc = cove_error_set(e, COVE_ERR_PARSE, "policy: the top level must be a JSON object");
		goto out;
	}
	json_object_foreach(root, key, v) {
		bool handled;
		if ((rc = load_common(&tmp, key, v, &handled, e)))
			goto out;
		if (!handled && (rc = tee == COVE_TEE_TDX ? load_tdx(&tmp, key, v, e) : load_sgx(&tmp, key, v, e)))
			goto out;
	}
	cove_dcap_policy_free(p);
	*p = tmp;
	tmp.accepted_advisories = tmp.rejected_advisories = NULL;
out:
	cove_dcap_policy_free(&tmp);
	json_decref(root);
	return rc;
}

static json_t *hexj(const void *p, size_t n)
{
	char buf[2 * 64 + 1];
	cove_hex_write(buf, p, n);
	return json_string(buf);
}

json_t *cove_dcap_policy_to_json(const cove_dcap_policy *p, cove_tee_type tee)
{
	json_t *j = json_object(), *accept = json_array(), *a;
	for (int s = COVE_TCB_UP_TO_DATE; s <= COVE_TCB_TD_RELAUNCH_ADVISED_CONFIGURATION_NEEDED; s++)
		if (p->accepted_statuses & (1u << s))
			json_array_append_new(accept, json_string(cove_tcb_status_name((cove_tcb_status)s)));
	json_object_set_new(j, "accept", accept);
	if (json_array_size(p->accepted_advisories))
		json_object_set(j, "accept_advisories", p->accepted_advisories);
	if (json_array_size(p->rejected_advisories))
		json_object_set(j, "reject_advisories", p->rejected_advisories);
	json_object_set_new(j, "allow_debug", json_boolean(p->allow_debug));
	if (p->has_report_data)
		json_object_set_new(j, "report_data", hexj(p->report_data, 64));
	if (tee == COVE_TEE_SGX) {
		if (p->n_mr_enclaves) {
			a = json_array();
			for (size_t i = 0; i < p->n_mr_enclaves; i++)
				json_array_append_new(a, hexj(p->mr_enclaves[i], 32));
			json_object_set_new(j, "mr_enclave", a);
		}
		if (p->n_mr_signers) {
			a = json_array();
			for (size_t i = 0; i < p->n_mr_signers; i++)
				json_array_append_new(a, hexj(p->mr_signers[i], 32));
			json_object_set_new(j, "mr_signer", a);
		}
		if (p->has_isv_prod_id)
			json_object_set_new(j, "isv_prod_id", json_integer(p->isv_prod_id));
		if (p->min_isv_svn)
			json_object_set_new(j, "min_isv_svn", json_integer(p->min_isv_svn));
	} else {
		if (p->n_mr_tds) {
			a = json_array();
			for (size_t i = 0; i < p->n_mr_tds; i++)
				json_array_append_new(a, hexj(p->mr_tds[i], 48));
			json_object_set_new(j, "mr_td", a);
		}
		for (int i = 0; i < 4; i++) {
			char k[8];
			snprintf(k, sizeof(k), "rtmr%d", i);
			if (p->rtmr[i].set)
				json_object_set_new(j, k, hexj(p->rtmr[i].v, 48));
		}
	}
	return j;
}

/* ---- evaluation ---- */

static bool listed(const uint8_t *list, size_t width, size_t n, const uint8_t *v)
{
	for (size_t i = 0; i < n; i++)
		if (memcmp(list + i * width, v, width) == 0)
			return true;
	return false;
}

static void must_equal(cove_result *res, const char *check, const char *what, const uint8_t *have, const uint8_t *want,
		       size_t n)
{
	char hex[2 * 64 + 1];
	if (memcmp(have, want, n) != 0) {
		cove_hex_write(hex, have, n);
		cove_result_fail(res, COVE_CHECK_POLICY, check, "%s %s differs from the value the policy requires", what, hex);
	}
}

static void apply_sgx(const cove_dcap_policy *p, const cove_sgx_report_body *b, cove_result *res)
{
	char hex[2 * 64 + 1];
	if ((b->attr_flags & COVE_SGX_FLAGS_DEBUG) && !p->allow_debug)
		cove_result_fail(res, COVE_CHECK_POLICY, "policy.debug",
				 "the enclave is a debug enclave (ATTRIBUTES.DEBUG): its memory can be read and changed "
				 "by a debugger; the policy forbids debug enclaves");
	if (p->n_mr_enclaves && !listed(&p->mr_enclaves[0][0], 32, p->n_mr_enclaves, b->mr_enclave)) {
		cove_hex_write(hex, b->mr_enclave, 32);
		cove_result_fail(res, COVE_CHECK_POLICY, "policy.mr_enclave", "MRENCLAVE %s is not one of the %zu allowed",
				 hex, p->n_mr_enclaves);
	}
	if (p->n_mr_signers && !listed(&p->mr_signers[0][0], 32, p->n_mr_signers, b->mr_signer)) {
		cove_hex_write(hex, b->mr_signer, 32);
		cove_result_fail(res, COVE_CHECK_POLICY, "policy.mr_signer", "MRSIGNER %s is not one of the %zu allowed",
				 hex, p->n_mr_signers);
	}
	if (p->has_isv_prod_id && b->isv_prod_id != p->isv_prod_id)
		cove_result_fail(res, COVE_CHECK_POLICY, "policy.isv_prod_id", "ISVPRODID %u is not %u", b->isv_prod_id,
				 p->isv_prod_id);
	if (b->isv_svn < p->min_isv_svn)
		cove_result_fail(res, COVE_CHECK_POLICY, "policy.isv_svn", "ISVSVN %u is below the minimum %u", b->isv_svn,
				 p->min_isv_svn);
	for (int i = 0; i < 16; i++) {
		if ((b->attributes[i] & p->attributes_mask[i]) != p->attributes[i]) {
			cove_hex_write(hex, b->attributes, 16);
			cove_result_fail(res, COVE_CHECK_POLICY, "policy.attributes",
					 "ATTRIBUTES %s do not match the policy under its mask", hex);
			break;
		}
	}
	if (p->has_misc_select && (b->misc_select & p->misc_select_mask) != p->misc_select)
		cove_result_fail(res, COVE_CHECK_POLICY, "policy.misc_select", "MISCSELECT 0x%08x does not match the policy",
				 b->misc_select);
	if (p->has_isv_family_id)
		must_equal(res, "policy.isv_family_id", "ISVFAMILYID", b->isv_family_id, p->isv_family_id, 16);
	if (p->has_isv_ext_prod_id)
		must_equal(res, "policy.isv_ext_prod_id", "ISVEXTPRODID", b->isv_ext_prod_id, p->isv_ext_prod_id, 16);
	if (p->has_config_id)
		must_equal(res, "policy.config_id", "CONFIGID", b->config_id, p->config_id, 64);
	if (b->config_svn < p->min_config_svn)
		cove_result_fail(res, COVE_CHECK_POLICY, "policy.config_svn", "CONFIGSVN %u is below the minimum %u",
				 b->config_svn, p->min_config_svn);
	if (p->has_report_data)
		must_equal(res, "policy.report_data", "REPORTDATA", b->report_data, p->report_data, 64);
}

static void apply_tdx(const cove_dcap_policy *p, const cove_tdx_td_body *b, cove_result *res)
{
	char hex[2 * 64 + 1];
	if ((b->td_attributes & COVE_TDX_ATTR_DEBUG) && !p->allow_debug)
		cove_result_fail(res, COVE_CHECK_POLICY, "policy.debug",
				 "the TD is a debug TD (TD ATTRIBUTES.DEBUG): the host can read and change its memory "
				 "and state; the policy forbids debug TDs");
	if (p->n_mr_tds && !listed(&p->mr_tds[0][0], 48, p->n_mr_tds, b->mr_td)) {
		cove_hex_write(hex, b->mr_td, 48);
		cove_result_fail(res, COVE_CHECK_POLICY, "policy.mr_td", "MRTD %s is not one of the %zu allowed", hex,
				 p->n_mr_tds);
	}
	for (int i = 0; i < 4; i++) {
		char check[32], what[16];
		snprintf(check, sizeof(check), "policy.rtmr%d", i);
		snprintf(what, sizeof(what), "RTMR%d", i);
		if (p->rtmr[i].set)
			must_equal(res, check, what, b->rtmr[i], p->rtmr[i].v, 48);
	}
	if (p->mr_config_id.set)
		must_equal(res, "policy.mr_config_id", "MRCONFIGID", b->mr_config_id, p->mr_config_id.v, 48);
	if (p->mr_owner.set)
		must_equal(res, "policy.mr_owner", "MROWNER", b->mr_owner, p->mr_owner.v, 48);
	if (p->mr_owner_config.set)
		must_equal(res, "policy.mr_owner_config", "MROWNERCONFIG", b->mr_owner_config, p->mr_owner_config.v, 48);
	if ((b->td_attributes & p->td_attributes_mask) != p->td_attributes)
		cove_result_fail(res, COVE_CHECK_POLICY, "policy.td_attributes",
				 "TD ATTRIBUTES 0x%016llx do not match 0x%016llx under mask 0x%016llx",
				 (unsigned long long)b->td_attributes, (unsigned long long)p->td_attributes,
				 (unsigned long long)p->td_attributes_mask);
	if ((b->xfam & p->xfam_mask) != p->xfam)
		cove_result_fail(res, COVE_CHECK_POLICY, "policy.xfam", "XFAM 0x%016llx does not match 0x%016llx under mask "
				 "0x%016llx", (unsigned long long)b->xfam, (unsigned long long)p->xfam,
				 (unsigned long long)p->xfam_mask);
	if (p->has_report_data)
		must_equal(res, "policy.report_data", "REPORTDATA", b->report_data, p->report_data, 64);
}

void cove_dcap_policy_apply(const cove_dcap_policy *p, const cove_dcap_quote *q, cove_result *res)
{
	if (q->body_type == COVE_DCAP_BODY_SGX)
		apply_sgx(p, &q->sgx, res);
	else
		apply_tdx(p, &q->td, res);
}
