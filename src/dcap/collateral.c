/*
 * DCAP collateral (cove/dcap_collateral.h): the strict JSON readers shared
 * by the TCB info and QE identity parsers (collateral_json.h), the TCB
 * status names, the split of a PCS response body into the exact signed
 * bytes and the signature, and the collateral bundle.
 *
 * Formats: Intel PCS API v4 ("Get TCB Info", "Get Quoting Enclave
 * Identity", api.portal.trustedservices.intel.com/content/documentation.html),
 * as collected in shared/research/sgx-tdx.md section c.  The bundle is the
 * JSON object of Phala-Network/dcap-qvl's QuoteCollateralV3
 * (sample/sgx_quote_collateral.json): nine keys, CRLs as hex DER, the TCB
 * info and QE identity as the exact signed object text plus a hex r||s
 * signature.
 *
 * Intel signs the bytes of the "tcbInfo" / "enclaveIdentity" member as
 * served (QVL TCBInfoVerifier / EnclaveIdentityVerifier), so a body is
 * never re-serialised: jansson validates the whole body (duplicate members
 * refused), a small scanner that steps over strings and nested values finds
 * the byte span of the top-level member, and jansson checks that the span
 * parses to the very value it found.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/pem.h>

#include "cove/dcap_collateral.h"
#include "dcap/collateral_json.h"

/* ---- JSON readers (collateral_json.h) ---- */

void cove_dj_path(char *out, const char *parent, const char *key)
{
	snprintf(out, COVE_DJ_PATH_MAX, "%s.%s", parent, key);
}

void cove_dj_path_index(char *out, const char *parent, const char *key, size_t i)
{
	snprintf(out, COVE_DJ_PATH_MAX, "%s.%s[%zu]", parent, key, i);
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a real number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "an unknown JSON value";
}

static const char *type_want(json_type t)
{
	switch (t) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	default: return "a value of another type";
	}
}

cove_err cove_dj_load_object(const char *text, size_t len, const char *what, json_t **out, cove_error *e)
{
	json_error_t je;
	*out = NULL;
	if (!text)
		return cove_error_set(e, COVE_ERR_ARG, "%s: no text given", what);
	json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!j)
		return cove_error_set(e, COVE_ERR_PARSE, "%s is not valid JSON: %s (line %d, column %d)", what, je.text,
				      je.line, je.column);
	if (!json_is_object(j)) {
		cove_err rc = cove_error_set(e, COVE_ERR_PARSE, "%s must be a JSON object, not %s", what, type_name(j));
		json_decref(j);
		return rc;
	}
	*out = j;
	return COVE_OK;
}

cove_err cove_dj_member(json_t *obj, const char *path, const char *key, json_type type, bool required, json_t **out,
			cove_error *e)
{
	char p[COVE_DJ_PATH_MAX];
	json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (!v) {
		if (!required)
			return COVE_OK;
		cove_dj_path(p, path, key);
		return cove_error_set(e, COVE_ERR_PARSE, "%s is missing", p);
	}
	if (json_typeof(v) != type) {
		cove_dj_path(p, path, key);
		return cove_error_set(e, COVE_ERR_PARSE, "%s must be %s, not %s", p, type_want(type), type_name(v));
	}
	*out = v;
	return COVE_OK;
}

cove_err cove_dj_uint(json_t *obj, const char *path, const char *key, uint64_t max, uint64_t *out, cove_error *e)
{
	char p[COVE_DJ_PATH_MAX];
	json_t *v = json_object_get(obj, key);
	cove_dj_path(p, path, key);
	if (!v)
		return cove_error_set(e, COVE_ERR_PARSE, "%s is missing", p);
	if (!json_is_integer(v))
		return cove_error_set(e, COVE_ERR_PARSE, "%s must be an integer from 0 to %llu, not %s", p,
				      (unsigned long long)max, type_name(v));
	json_int_t n = json_integer_value(v);
	if (n < 0 || (unsigned long long)n > max)
		return cove_error_set(e, COVE_ERR_PARSE, "%s must be an integer from 0 to %llu, not %lld", p,
				      (unsigned long long)max, (long long)n);
	*out = (uint64_t)n;
	return COVE_OK;
}

/* Exactly 2*n hex digits and nothing else (cove_hex_decode also allows "0x" and white space). */
static cove_err hex_exact(const char *text, size_t len, uint8_t *out, size_t n, const char *where, cove_error *e)
{
	if (len != 2 * n)
		return cove_error_set(e, COVE_ERR_PARSE, "%s must be %zu hex digits (%zu bytes), not %zu characters", where,
				      2 * n, n, len);
	for (size_t i = 0; i < len; i++)
		if (!isxdigit((unsigned char)text[i]))
			return cove_error_set(e, COVE_ERR_PARSE, "%s: character %zu is not a hex digit", where, i);
	cove_err rc = cove_hex_decode_fixed(text, out, n, e);
	return rc ? cove_error_wrap(e, rc, "%s", where) : COVE_OK;
}

cove_err cove_dj_hex(json_t *obj, const char *path, const char *key, uint8_t *out, size_t n, cove_error *e)
{
	char p[COVE_DJ_PATH_MAX];
	json_t *v;
	cove_err rc = cove_dj_member(obj, path, key, JSON_STRING, true, &v, e);
	if (rc)
		return rc;
	cove_dj_path(p, path, key);
	return hex_exact(json_string_value(v), json_string_length(v), out, n, p, e);
}

cove_err cove_dj_time(json_t *obj, const char *path, const char *key, int64_t *out, cove_error *e)
{
	char p[COVE_DJ_PATH_MAX];
	json_t *v;
	cove_err rc = cove_dj_member(obj, path, key, JSON_STRING, true, &v, e);
	if (rc)
		return rc;
	if ((rc = cove_time_parse(json_string_value(v), out, e))) {
		cove_dj_path(p, path, key);
		return cove_error_wrap(e, COVE_ERR_PARSE, "%s", p);
	}
	return COVE_OK;
}

cove_err cove_dj_status(json_t *obj, const char *path, const char *key, cove_tcb_status *out, cove_error *e)
{
	char p[COVE_DJ_PATH_MAX];
	json_t *v;
	cove_err rc = cove_dj_member(obj, path, key, JSON_STRING, true, &v, e);
	if (rc)
		return rc;
	cove_tcb_status s;
	/* TCBNotSupported and the TD relaunch statuses are cove's verdicts, never statuses Intel serves. */
	if (cove_tcb_status_parse(json_string_value(v), &s, NULL) != COVE_OK || s >= COVE_TCB_NOT_SUPPORTED) {
		cove_dj_path(p, path, key);
		return cove_error_set(e, COVE_ERR_PARSE,
				      "%s: \"%s\" is not a TCB status (UpToDate, SWHardeningNeeded, ConfigurationNeeded, "
				      "ConfigurationAndSWHardeningNeeded, OutOfDate, OutOfDateConfigurationNeeded, Revoked)",
				      p, json_string_value(v));
	}
	*out = s;
	return COVE_OK;
}

cove_err cove_dj_advisories(json_t *level, const char *path, json_t **out, cove_error *e)
{
	json_t *arr;
	*out = NULL;
	cove_err rc = cove_dj_member(level, path, "advisoryIDs", JSON_ARRAY, false, &arr, e);
	if (rc)
		return rc;
	if (!arr) {
		if (!(*out = json_array()))
			return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
		return COVE_OK;
	}
	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *id = json_array_get(arr, i);
		if (!json_is_string(id) || json_string_length(id) == 0) {
			char p[COVE_DJ_PATH_MAX];
			cove_dj_path_index(p, path, "advisoryIDs", i);
			return cove_error_set(e, COVE_ERR_PARSE, "%s must be a non-empty string, not %s", p,
					      json_is_string(id) ? "an empty string" : type_name(id));
		}
	}
	*out = json_incref(arr);
	return COVE_OK;
}

void cove_dj_isv_levels_free(cove_dcap_isv_level *levels, size_t n)
{
	if (!levels)
		return;
	for (size_t i = 0; i < n; i++)
		json_decref(levels[i].advisory_ids);
	free(levels);
}

cove_err cove_dj_isv_levels(json_t *obj, const char *path, cove_dcap_isv_level **out, size_t *n, cove_error *e)
{
	char lp[COVE_DJ_PATH_MAX], tp[COVE_DJ_PATH_MAX];
	json_t *arr, *tcb;
	cove_err rc;
	*out = NULL;
	*n = 0;
	if ((rc = cove_dj_member(obj, path, "tcbLevels", JSON_ARRAY, true, &arr, e)))
		return rc;
	size_t count = json_array_size(arr);
	if (count == 0) {
		cove_dj_path(lp, path, "tcbLevels");
		return cove_error_set(e, COVE_ERR_PARSE, "%s is empty", lp);
	}
	cove_dcap_isv_level *lv = calloc(count, sizeof(*lv));
	if (!lv)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < count; i++) {
		json_t *level = json_array_get(arr, i);
		uint64_t svn;
		cove_dj_path_index(lp, path, "tcbLevels", i);
		if (!json_is_object(level)) {
			rc = cove_error_set(e, COVE_ERR_PARSE, "%s must be an object, not %s", lp, type_name(level));
			goto fail;
		}
		cove_dj_path(tp, lp, "tcb");
		if ((rc = cove_dj_member(level, lp, "tcb", JSON_OBJECT, true, &tcb, e)) ||
		    (rc = cove_dj_uint(tcb, tp, "isvsvn", UINT16_MAX, &svn, e)) ||
		    (rc = cove_dj_time(level, lp, "tcbDate", &lv[i].tcb_date, e)) ||
		    (rc = cove_dj_status(level, lp, "tcbStatus", &lv[i].status, e)) ||
		    (rc = cove_dj_advisories(level, lp, &lv[i].advisory_ids, e)))
			goto fail;
		lv[i].isvsvn = (uint16_t)svn;
	}
	*out = lv;
	*n = count;
	return COVE_OK;
fail:
	cove_dj_isv_levels_free(lv, count);
	return rc;
}

/* ---- TCB statuses ---- */

static const char *const status_names[] = {
	[COVE_TCB_UP_TO_DATE] = "UpToDate",
	[COVE_TCB_SW_HARDENING_NEEDED] = "SWHardeningNeeded",
	[COVE_TCB_CONFIGURATION_NEEDED] = "ConfigurationNeeded",
	[COVE_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED] = "ConfigurationAndSWHardeningNeeded",
	[COVE_TCB_OUT_OF_DATE] = "OutOfDate",
	[COVE_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED] = "OutOfDateConfigurationNeeded",
	[COVE_TCB_REVOKED] = "Revoked",
	[COVE_TCB_NOT_SUPPORTED] = "TCBNotSupported",
	[COVE_TCB_TD_RELAUNCH_ADVISED] = "TDRelaunchAdvised",
	[COVE_TCB_TD_RELAUNCH_ADVISED_CONFIGURATION_NEEDED] = "TDRelaunchAdvisedConfigurationNeeded",
};
#define NSTATUS (sizeof(status_names) / sizeof(status_names[0]))

const char *cove_tcb_status_name(cove_tcb_status s)
{
	return (unsigned)s < NSTATUS ? status_names[s] : "unknown";
}

cove_err cove_tcb_status_parse(const char *name, cove_tcb_status *out, cove_error *e)
{
	if (!name)
		return cove_error_set(e, COVE_ERR_ARG, "no TCB status given");
	for (size_t i = 0; i < NSTATUS; i++) {
		if (strcmp(name, status_names[i]) == 0) {
			*out = (cove_tcb_status)i;
			return COVE_OK;
		}
	}
	return cove_error_set(e, COVE_ERR_PARSE,
			      "'%s' is not a TCB status (UpToDate, SWHardeningNeeded, ConfigurationNeeded, "
			      "ConfigurationAndSWHardeningNeeded, OutOfDate, OutOfDateConfigurationNeeded, Revoked, "
			      "TCBNotSupported, TDRelaunchAdvised, TDRelaunchAdvisedConfigurationNeeded)",
			      name);
}

/* ---- signed PCS bodies ---- */

static size_t skip_ws(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	return i;
}

/* s[*i] is '"': step past the closing quote, over escapes. */
static bool skip_string(const char *s, size_t n, size_t *i)
{
	size_t k = *i + 1;
	while (k < n) {
		if (s[k] == '"') {
			*i = k + 1;
			return true;
		}
		k += s[k] == '\\' ? 2 : 1; /* \" and \\ never end the string; \uXXXX is plain text after the pair */
	}
	return false;
}

/* Step over one value starting at s[*i]: a string, an object or array (nesting counted), or a scalar. */
static bool skip_value(const char *s, size_t n, size_t *i)
{
	size_t k = *i;
	if (k >= n)
		return false;
	if (s[k] == '"')
		return skip_string(s, n, i);
	if (s[k] == '{' || s[k] == '[') {
		size_t depth = 0;
		while (k < n) {
			char c = s[k];
			if (c == '"') {
				if (!skip_string(s, n, &k))
					return false;
				continue;
			}
			if (c == '{' || c == '[')
				depth++;
			else if (c == '}' || c == ']') {
				if (--depth == 0) {
					*i = k + 1;
					return true;
				}
			}
			k++;
		}
		return false;
	}
	while (k < n && !strchr(",}] \t\r\n", s[k]))
		k++;
	if (k == *i)
		return false;
	*i = k;
	return true;
}

/* Does the JSON string literal key[0..len) (quotes included) denote `member`? */
static bool key_is(const char *key, size_t len, const char *member)
{
	size_t mlen = strlen(member);
	if (!memchr(key, '\\', len))
		return len == mlen + 2 && memcmp(key + 1, member, mlen) == 0;
	/* An escaped spelling ("tcb\u0049nfo") names the same member: let jansson decode it. */
	json_t *k = json_loadb(key, len, JSON_DECODE_ANY, NULL);
	bool same = k && json_is_string(k) && json_string_length(k) == mlen &&
		    memcmp(json_string_value(k), member, mlen) == 0;
	json_decref(k);
	return same;
}

/* Byte span [*start, *end) of the value of top-level member `member` of the object text s[0..n). */
static cove_err find_member(const char *s, size_t n, const char *member, size_t *start, size_t *end, cove_error *e)
{
	bool found = false;
	size_t i = skip_ws(s, n, 0);
	if (i >= n || s[i] != '{')
		goto bad;
	i = skip_ws(s, n, i + 1);
	if (i < n && s[i] == '}')
		goto absent;
	for (;;) {
		if (i >= n || s[i] != '"')
			goto bad;
		size_t ks = i;
		if (!skip_string(s, n, &i))
			goto bad;
		size_t ke = i;
		i = skip_ws(s, n, i);
		if (i >= n || s[i] != ':')
			goto bad;
		i = skip_ws(s, n, i + 1);
		size_t vs = i;
		if (!skip_value(s, n, &i))
			goto bad;
		if (key_is(s + ks, ke - ks, member)) {
			if (found)
				return cove_error_set(e, COVE_ERR_PARSE, "PCS body has \"%s\" twice", member);
			found = true;
			*start = vs;
			*end = i;
		}
		i = skip_ws(s, n, i);
		if (i < n && s[i] == ',') {
			i = skip_ws(s, n, i + 1);
			continue;
		}
		if (i < n && s[i] == '}')
			break;
		goto bad;
	}
	if (found)
		return COVE_OK;
absent:
	return cove_error_set(e, COVE_ERR_PARSE, "PCS body has no \"%s\" member", member);
bad:
	return cove_error_set(e, COVE_ERR_PARSE, "PCS body: cannot delimit its members (byte %zu)", i);
}

cove_err cove_dcap_signed_json_split(const char *body, size_t len, const char *member, const char **obj,
				     size_t *obj_len, uint8_t sig[64], cove_error *e)
{
	cove_err rc;
	json_t *root = NULL, *value, *span = NULL, *sv;
	size_t start = 0, end = 0;
	if (!member || !obj || !obj_len || !sig)
		return cove_error_set(e, COVE_ERR_ARG, "cove_dcap_signed_json_split: missing argument");
	*obj = NULL;
	*obj_len = 0;
	if ((rc = cove_dj_load_object(body, len, "PCS body", &root, e)))
		return rc;
	if ((rc = cove_dj_member(root, "PCS body", member, JSON_OBJECT, true, &value, e)) ||
	    (rc = cove_dj_member(root, "PCS body", "signature", JSON_STRING, true, &sv, e)) ||
	    (rc = hex_exact(json_string_value(sv), json_string_length(sv), sig, 64, "PCS body.signature (r || s)", e)))
		goto out;
	if ((rc = find_member(body, len, member, &start, &end, e)))
		goto out;
	/* The span must be exactly the value jansson saw: the bytes the signature covers. */
	span = json_loadb(body + start, end - start, JSON_REJECT_DUPLICATES, NULL);
	if (!span || !json_equal(span, value) || body[start] != '{' || body[end - 1] != '}') {
		rc = cove_error_set(e, COVE_ERR_PARSE, "PCS body: the bytes %zu..%zu of \"%s\" do not parse to its value",
				    start, end, member);
		goto out;
	}
	*obj = body + start;
	*obj_len = end - start;
out:
	json_decref(span);
	json_decref(root);
	return rc;
}

/* ---- CRLs and chains ---- */

static bool all_hex(const char *s, size_t n)
{
	if (n == 0 || n % 2)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

cove_err cove_dcap_crl_parse(const void *data, size_t len, cove_x509_crl **out, cove_error *e)
{
	const char *s = data;
	*out = NULL;
	if (!data || len == 0)
		return cove_error_set(e, COVE_ERR_PARSE, "the CRL is empty");
	/* Hex text of the DER (bundles, PCCS's rootcacrl), with white space around it tolerated. */
	size_t a = 0, b = len;
	while (a < b && isspace((unsigned char)s[a]))
		a++;
	while (b > a && isspace((unsigned char)s[b - 1]))
		b--;
	if (all_hex(s + a, b - a)) {
		cove_buf der = {0};
		cove_err rc = cove_hex_decode(s + a, b - a, &der, e);
		if (rc == COVE_OK)
			rc = cove_x509_crl_parse(der.data, der.len, out, e);
		cove_buf_free(&der);
		return rc;
	}
	return cove_x509_crl_parse(data, len, out, e); /* DER or PEM */
}

/* PEM text of every certificate of `l`, concatenated. */
static cove_err chain_pem(const cove_x509_list *l, char **out, cove_error *e)
{
	cove_err rc = COVE_OK;
	char *p;
	BIO *b = BIO_new(BIO_s_mem());
	*out = NULL;
	if (!b)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < l->count; i++) {
		if (!PEM_write_bio_X509(b, l->certs[i])) {
			rc = cove_error_set(e, COVE_ERR_CRYPTO, "cannot write certificate %zu as PEM: %s", i,
					    cove_openssl_error());
			goto out;
		}
	}
	long n = BIO_get_mem_data(b, &p);
	if (n < 0 || !(*out = strndup(n ? p : "", (size_t)n)))
		rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
out:
	BIO_free(b);
	return rc;
}

/* ---- collateral ---- */

void cove_dcap_collateral_free(cove_dcap_collateral *c)
{
	if (!c)
		return;
	cove_x509_list_free(&c->pck_crl_issuer_chain);
	cove_x509_crl_free(c->root_ca_crl);
	cove_x509_crl_free(c->pck_crl);
	cove_x509_list_free(&c->tcb_info_issuer_chain);
	cove_buf_free(&c->tcb_info_raw);
	cove_dcap_tcb_info_free(&c->tcb_info);
	cove_x509_list_free(&c->qe_identity_issuer_chain);
	cove_buf_free(&c->qe_identity_raw);
	cove_dcap_qe_identity_free(&c->qe_identity);
	memset(c, 0, sizeof(*c));
}

cove_err cove_dcap_collateral_set_tcb_info_body(cove_dcap_collateral *c, const char *body, size_t len, cove_error *e)
{
	const char *obj;
	size_t n;
	uint8_t sig[64];
	cove_dcap_tcb_info t;
	cove_buf raw = {0};
	cove_err rc = cove_dcap_signed_json_split(body, len, "tcbInfo", &obj, &n, sig, e);
	if (rc)
		return cove_error_wrap(e, rc, "TCB info body");
	if ((rc = cove_dcap_tcb_info_parse(obj, n, &t, e)))
		return cove_error_wrap(e, rc, "TCB info body");
	if ((rc = cove_buf_set(&raw, obj, n, e))) {
		cove_dcap_tcb_info_free(&t);
		return rc;
	}
	cove_dcap_tcb_info_free(&c->tcb_info);
	cove_buf_free(&c->tcb_info_raw);
	c->tcb_info = t;
	c->tcb_info_raw = raw;
	memcpy(c->tcb_info_signature, sig, 64);
	return COVE_OK;
}

cove_err cove_dcap_collateral_set_qe_identity_body(cove_dcap_collateral *c, const char *body, size_t len,
						   cove_error *e)
{
	const char *obj;
	size_t n;
	uint8_t sig[64];
	cove_dcap_qe_identity q;
	cove_buf raw = {0};
	cove_err rc = cove_dcap_signed_json_split(body, len, "enclaveIdentity", &obj, &n, sig, e);
	if (rc)
		return cove_error_wrap(e, rc, "QE identity body");
	if ((rc = cove_dcap_qe_identity_parse(obj, n, &q, e)))
		return cove_error_wrap(e, rc, "QE identity body");
	if ((rc = cove_buf_set(&raw, obj, n, e))) {
		cove_dcap_qe_identity_free(&q);
		return rc;
	}
	cove_dcap_qe_identity_free(&c->qe_identity);
	cove_buf_free(&c->qe_identity_raw);
	c->qe_identity = q;
	c->qe_identity_raw = raw;
	memcpy(c->qe_identity_signature, sig, 64);
	return COVE_OK;
}

/* ---- bundle ---- */

#define BUNDLE "collateral bundle"

static cove_err bundle_string(json_t *root, const char *key, const char **s, size_t *n, cove_error *e)
{
	json_t *v = json_object_get(root, key);
	if (!v)
		return cove_error_set(e, COVE_ERR_PARSE, BUNDLE ": \"%s\" is missing", key);
	if (!json_is_string(v))
		return cove_error_set(e, COVE_ERR_PARSE, BUNDLE ": \"%s\" must be a string, not %s", key, type_name(v));
	*s = json_string_value(v);
	*n = json_string_length(v);
	return COVE_OK;
}

static cove_err bundle_chain(json_t *root, const char *key, cove_x509_list *out, cove_error *e)
{
	const char *s = NULL;
	size_t n = 0;
	cove_err rc = bundle_string(root, key, &s, &n, e);
	if (rc)
		return rc;
	if ((rc = cove_x509_list_parse(out, s, n, e)))
		return cove_error_wrap(e, COVE_ERR_PARSE, BUNDLE ": \"%s\" is not a PEM certificate chain", key);
	return COVE_OK;
}

static cove_err bundle_crl(json_t *root, const char *key, cove_x509_crl **out, cove_error *e)
{
	const char *s = NULL;
	size_t n = 0;
	cove_err rc = bundle_string(root, key, &s, &n, e);
	if (rc)
		return rc;
	if ((rc = cove_dcap_crl_parse(s, n, out, e)))
		return cove_error_wrap(e, COVE_ERR_PARSE, BUNDLE ": \"%s\" is not a CRL (hex DER or PEM)", key);
	return COVE_OK;
}

static cove_err bundle_signature(json_t *root, const char *key, uint8_t sig[64], cove_error *e)
{
	const char *s = NULL;
	size_t n = 0;
	char where[64];
	cove_err rc = bundle_string(root, key, &s, &n, e);
	if (rc)
		return rc;
	snprintf(where, sizeof(where), BUNDLE ": \"%s\"", key);
	return hex_exact(s, n, sig, 64, where, e);
}

cove_err cove_dcap_collateral_parse_bundle(const char *json, size_t len, cove_dcap_collateral *out, cove_error *e)
{
	cove_dcap_collateral c;
	json_t *root = NULL;
	const char *s = NULL;
	size_t n = 0;
	cove_err rc;
	memset(&c, 0, sizeof(c));
	if (!out)
		return cove_error_set(e, COVE_ERR_ARG, "cove_dcap_collateral_parse_bundle: no output");
	memset(out, 0, sizeof(*out));
	if ((rc = cove_dj_load_object(json, len, BUNDLE, &root, e)))
		return rc;
	if ((rc = bundle_chain(root, "pck_crl_issuer_chain", &c.pck_crl_issuer_chain, e)) ||
	    (rc = bundle_crl(root, "root_ca_crl", &c.root_ca_crl, e)) ||
	    (rc = bundle_crl(root, "pck_crl", &c.pck_crl, e)) ||
	    (rc = bundle_chain(root, "tcb_info_issuer_chain", &c.tcb_info_issuer_chain, e)))
		goto fail;
	if ((rc = bundle_string(root, "tcb_info", &s, &n, e)))
		goto fail;
	if ((rc = cove_dcap_tcb_info_parse(s, n, &c.tcb_info, e))) {
		cove_error_wrap(e, rc, BUNDLE ": \"tcb_info\"");
		goto fail;
	}
	if ((rc = cove_buf_set(&c.tcb_info_raw, s, n, e)) ||
	    (rc = bundle_signature(root, "tcb_info_signature", c.tcb_info_signature, e)) ||
	    (rc = bundle_chain(root, "qe_identity_issuer_chain", &c.qe_identity_issuer_chain, e)) ||
	    (rc = bundle_string(root, "qe_identity", &s, &n, e)))
		goto fail;
	if ((rc = cove_dcap_qe_identity_parse(s, n, &c.qe_identity, e))) {
		cove_error_wrap(e, rc, BUNDLE ": \"qe_identity\"");
		goto fail;
	}
	if ((rc = cove_buf_set(&c.qe_identity_raw, s, n, e)) ||
	    (rc = bundle_signature(root, "qe_identity_signature", c.qe_identity_signature, e)))
		goto fail;
	json_decref(root);
	*out = c;
	return COVE_OK;
fail:
	json_decref(root);
	cove_dcap_collateral_free(&c);
	return rc;
}

/* obj[key] = a new string of `s` (which takes ownership of nothing). */
static cove_err put_string(json_t *obj, const char *key, const char *s, size_t n, cove_error *e)
{
	json_t *v = json_stringn(s, n);
	if (!v)
		return cove_error_set(e, COVE_ERR_ARG, "collateral item \"%s\" is not UTF-8 text", key);
	if (json_object_set_new(obj, key, v))
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	return COVE_OK;
}

static cove_err put_chain(json_t *obj, const char *key, const cove_x509_list *l, cove_error *e)
{
	char *pem;
	if (l->count == 0)
		return cove_error_set(e, COVE_ERR_ARG, "the collateral has no %s", key);
	cove_err rc = chain_pem(l, &pem, e);
	if (rc == COVE_OK)
		rc = put_string(obj, key, pem, strlen(pem), e);
	free(pem);
	return rc;
}

static cove_err put_crl(json_t *obj, const char *key, cove_x509_crl *crl, cove_error *e)
{
	cove_buf der = {0};
	if (!crl)
		return cove_error_set(e, COVE_ERR_ARG, "the collateral has no %s", key);
	cove_err rc = cove_x509_crl_der(crl, &der, e);
	if (rc)
		return rc;
	char *hex = cove_hex_new(der.data, der.len);
	rc = hex ? put_string(obj, key, hex, strlen(hex), e) : cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	free(hex);
	cove_buf_free(&der);
	return rc;
}

static cove_err put_raw(json_t *obj, const char *key, const cove_buf *raw, cove_error *e)
{
	if (!raw->data || raw->len == 0)
		return cove_error_set(e, COVE_ERR_ARG, "the collateral has no %s", key);
	return put_string(obj, key, (const char *)raw->data, raw->len, e);
}

static cove_err put_sig(json_t *obj, const char *key, const uint8_t sig[64], cove_error *e)
{
	char hex[129];
	cove_hex_write(hex, sig, 64);
	return put_string(obj, key, hex, 128, e);
}

cove_err cove_dcap_collateral_to_bundle(const cove_dcap_collateral *c, char **out, cove_error *e)
{
	cove_err rc;
	if (!c || !out)
		return cove_error_set(e, COVE_ERR_ARG, "cove_dcap_collateral_to_bundle: missing argument");
	*out = NULL;
	json_t *o = json_object();
	if (!o)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	/* The key order of dcap-qvl's QuoteCollateralV3. */
	if ((rc = put_chain(o, "pck_crl_issuer_chain", &c->pck_crl_issuer_chain, e)) ||
	    (rc = put_crl(o, "root_ca_crl", c->root_ca_crl, e)) || (rc = put_crl(o, "pck_crl", c->pck_crl, e)) ||
	    (rc = put_chain(o, "tcb_info_issuer_chain", &c->tcb_info_issuer_chain, e)) ||
	    (rc = put_raw(o, "tcb_info", &c->tcb_info_raw, e)) ||
	    (rc = put_sig(o, "tcb_info_signature", c->tcb_info_signature, e)) ||
	    (rc = put_chain(o, "qe_identity_issuer_chain", &c->qe_identity_issuer_chain, e)) ||
	    (rc = put_raw(o, "qe_identity", &c->qe_identity_raw, e)) ||
	    (rc = put_sig(o, "qe_identity_signature", c->qe_identity_signature, e)))
		goto out;
	if (!(*out = json_dumps(o, JSON_INDENT(2))))
		rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
out:
	json_decref(o);
	return rc;
}
