/*
 * Secure Key Release policies (cove/skr_policy.h): parsing against the Key
 * Vault grammar and evaluation over verified token claims.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cove/skr_policy.h"

#define MAX_DEPTH 16

struct cove_skr_policy {
	json_t *root;
};

static cove_err check_condition(const json_t *c, const char *path, unsigned depth, cove_error *e);

static cove_err check_list(const json_t *arr, const char *path, unsigned depth, cove_error *e)
{
	char p[256];

	if (!json_is_array(arr) || json_array_size(arr) == 0)
		return cove_error_set(e, COVE_ERR_PARSE, "%s: expected a non-empty array", path);
	for (size_t i = 0; i < json_array_size(arr); i++) {
		cove_err rc;
		if (snprintf(p, sizeof(p), "%s[%zu]", path, i) < 0)
			p[0] = 0;
		if ((rc = check_condition(json_array_get(arr, i), p, depth + 1, e)))
			return rc;
	}
	return COVE_OK;
}

static cove_err check_condition(const json_t *c, const char *path, unsigned depth, cove_error *e)
{
	const char *key;
	json_t *v;
	char p[256];
	bool has_claim = false, has_equals = false, has_group = false;

	if (depth > MAX_DEPTH)
		return cove_error_set(e, COVE_ERR_PARSE, "%s: nested deeper than %d", path, MAX_DEPTH);
	if (!json_is_object(c))
		return cove_error_set(e, COVE_ERR_PARSE, "%s: expected a condition object", path);
	json_object_foreach((json_t *)c, key, v) {
		if (snprintf(p, sizeof(p), "%s.%s", path, key) < 0)
			p[0] = 0; /* a long path is cut short in messages only */
		if (strcmp(key, "claim") == 0) {
			if (!json_is_string(v) || json_string_length(v) == 0)
				return cove_error_set(e, COVE_ERR_PARSE, "%s: expected a claim name", p);
			has_claim = true;
		} else if (strcmp(key, "equals") == 0) {
			if (!json_is_string(v) && !json_is_number(v) && !json_is_boolean(v))
				return cove_error_set(e, COVE_ERR_PARSE,
						      "%s: expected a string, number or boolean (objects and arrays are not comparable)",
						      p);
			has_equals = true;
		} else if (strcmp(key, "allOf") == 0 || strcmp(key, "anyOf") == 0) {
			cove_err rc;
			if (has_group)
				return cove_error_set(e, COVE_ERR_PARSE, "%s: allOf and anyOf cannot both be given", path);
			if ((rc = check_list(v, p, depth, e)))
				return rc;
			has_group = true;
		} else if (strcmp(key, "notEquals") == 0 || strcmp(key, "less") == 0 || strcmp(key, "lessOrEquals") == 0 ||
			   strcmp(key, "greater") == 0 || strcmp(key, "greaterOrEquals") == 0 || strcmp(key, "exists") == 0) {
			return cove_error_set(e, COVE_ERR_PARSE,
					      "%s: operator \"%s\" is not supported: Key Vault documents only \"equals\"", p,
					      key);
		} else {
			return cove_error_set(e, COVE_ERR_PARSE, "%s: unknown member", p);
		}
	}
	if (has_group && (has_claim || has_equals))
		return cove_error_set(e, COVE_ERR_PARSE, "%s: a condition is either claim/equals or allOf/anyOf", path);
	if (!has_group && !(has_claim && has_equals))
		return cove_error_set(e, COVE_ERR_PARSE, "%s: a condition needs \"claim\" and \"equals\"", path);
	return COVE_OK;
}

cove_err cove_skr_policy_from_json(const json_t *v, cove_skr_policy **out, cove_error *e)
{
	const char *key;
	json_t *m, *list;
	cove_skr_policy *p;

	*out = NULL;
	if (!json_is_object(v))
		return cove_error_set(e, COVE_ERR_PARSE, "release policy: expected a JSON object");
	json_object_foreach((json_t *)v, key, m) {
		if (strcmp(key, "version") && strcmp(key, "anyOf"))
			return cove_error_set(e, COVE_ERR_PARSE, "release policy: %s at the top level (only \"version\" and "
							      "\"anyOf\" of authorities are allowed)",
					      strcmp(key, "allOf") == 0 ? "\"allOf\" is not allowed" : "unknown member");
	}
	m = json_object_get(v, "version");
	if (!json_is_string(m) || (strcmp(json_string_value(m), "1.0.0") && strcmp(json_string_value(m), "0.2")))
		return cove_error_set(e, COVE_ERR_PARSE, "release policy.version: expected \"1.0.0\" (or \"0.2\")");
	list = json_object_get(v, "anyOf");
	if (!json_is_array(list) || json_array_size(list) == 0)
		return cove_error_set(e, COVE_ERR_PARSE, "release policy.anyOf: expected a non-empty array of authorities");
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *a = json_array_get(list, i), *au;
		char path[64];
		cove_err rc;
		bool all, any;

		snprintf(path, sizeof(path), "release policy.anyOf[%zu]", i);
		if (!json_is_object(a))
			return cove_error_set(e, COVE_ERR_PARSE, "%s: expected an authority object", path);
		au = json_object_get(a, "authority");
		if (!json_is_string(au) || json_string_length(au) == 0)
			return cove_error_set(e, COVE_ERR_PARSE, "%s.authority: expected the issuer URL", path);
		all = json_object_get(a, "allOf") != NULL;
		any = json_object_get(a, "anyOf") != NULL;
		if (all == any)
			return cove_error_set(e, COVE_ERR_PARSE, "%s: exactly one of allOf and anyOf", path);
		json_object_foreach(a, key, m) {
			if (strcmp(key, "authority") && strcmp(key, "allOf") && strcmp(key, "anyOf"))
				return cove_error_set(e, COVE_ERR_PARSE, "%s.%s: unknown member", path, key);
		}
		strncat(path, all ? ".allOf" : ".anyOf", sizeof(path) - strlen(path) - 1);
		if ((rc = check_list(json_object_get(a, all ? "allOf" : "anyOf"), path, 0, e)))
			return rc;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	p->root = json_deep_copy(v);
	*out = p;
	return COVE_OK;
}

cove_err cove_skr_policy_parse(const char *json, size_t len, cove_skr_policy **out, cove_error *e)
{
	json_error_t je;
	json_t *v = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
	cove_err rc;

	*out = NULL;
	if (!v)
		return cove_error_set(e, COVE_ERR_PARSE, "release policy: line %d, column %d: %s", je.line, je.column,
				      je.text);
	rc = cove_skr_policy_from_json(v, out, e);
	json_decref(v);
	return rc;
}

void cove_skr_policy_free(cove_skr_policy *p)
{
	if (!p)
		return;
	json_decref(p->root);
	free(p);
}

const json_t *cove_skr_policy_json(const cove_skr_policy *p)
{
	return p ? p->root : NULL;
}

/* A claim by dot-separated name: nested objects only (arrays are not navigable). */
static const json_t *lookup(const json_t *claims, const char *name)
{
	char buf[512];
	char *save = NULL, *part;
	const json_t *cur = claims;

	/* Exact names first: MAA claim names contain dots rarely, dashes often. */
	if (json_object_get(claims, name))
		return json_object_get(claims, name);
	if (strlen(name) >= sizeof(buf))
		return NULL;
	strcpy(buf, name);
	for (part = strtok_r(buf, ".", &save); part; part = strtok_r(NULL, ".", &save)) {
		if (!json_is_object(cur))
			return NULL;
		cur = json_object_get(cur, part);
		if (!cur)
			return NULL;
	}
	return cur;
}

static bool same_issuer(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la && a[la - 1] == '/')
		la--;
	if (lb && b[lb - 1] == '/')
		lb--;
	return la == lb && strncmp(a, b, la) == 0;
}

static bool holds(const json_t *c, const json_t *claims, char *why, size_t why_len)
{
	const json_t *g;

	if ((g = json_object_get(c, "allOf"))) {
		for (size_t i = 0; i < json_array_size(g); i++)
			if (!holds(json_array_get(g, i), claims, why, why_len))
				return false;
		return true;
	}
	if ((g = json_object_get(c, "anyOf"))) {
		for (size_t i = 0; i < json_array_size(g); i++)
			if (holds(json_array_get(g, i), claims, why, why_len))
				return true;
		return false;
	}
	const char *name = json_string_value(json_object_get(c, "claim"));
	const json_t *want = json_object_get(c, "equals"), *have = lookup(claims, name);
	if (have && json_equal((json_t *)have, (json_t *)want))
		return true;
	if (why && why_len) {
		char *w = json_dumps(want, JSON_ENCODE_ANY), *h = have ? json_dumps(have, JSON_ENCODE_ANY) : NULL;
		snprintf(why, why_len, "claim %s is %s, the policy wants %s", name, h ? h : "absent", w ? w : "?");
		free(w);
		free(h);
	}
	return false;
}

cove_err cove_skr_policy_evaluate(const cove_skr_policy *p, const char *issuer, const json_t *claims, bool *allowed,
				  char *why, size_t why_len, cove_error *e)
{
	const json_t *list;
	bool issuer_known = false;

	if (!p || !issuer || !claims || !allowed)
		return cove_error_set(e, COVE_ERR_ARG, "release policy: missing argument");
	*allowed = false;
	if (why && why_len)
		why[0] = '\0';
	list = json_object_get(p->root, "anyOf");
	for (size_t i = 0; i < json_array_size(list); i++) {
		const json_t *a = json_array_get(list, i);
		json_t *wrap;
		bool ok;
		if (!same_issuer(json_string_value(json_object_get(a, "authority")), issuer))
			continue;
		issuer_known = true;
		wrap = json_object();
		json_object_set(wrap, json_object_get(a, "allOf") ? "allOf" : "anyOf",
				json_object_get(a, json_object_get(a, "allOf") ? "allOf" : "anyOf"));
		ok = holds(wrap, claims, why, why_len);
		json_decref(wrap);
		if (ok) {
			*allowed = true;
			if (why && why_len)
				snprintf(why, why_len, "authority %s: every condition holds", issuer);
			return COVE_OK;
		}
	}
	if (!issuer_known && why && why_len)
		snprintf(why, why_len, "the token's issuer %s is not an authority of the release policy", issuer);
	return COVE_OK;
}
