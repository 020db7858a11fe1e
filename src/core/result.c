/*
 * Appraisal results (see include/cove/result.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cove/result.h"

cove_err cove_result_new(cove_result **out, cove_error *e)
{
	cove_result *r = calloc(1, sizeof(*r));
	if (!r || !(r->claims = json_object())) {
		free(r);
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	}
	r->authentic = true;
	r->ok = true;
	*out = r;
	return COVE_OK;
}

void cove_result_free(cove_result *r)
{
	if (!r)
		return;
	free(r->failures);
	json_decref(r->claims);
	free(r);
}

void cove_result_fail(cove_result *r, cove_check_kind kind, const char *check, const char *fmt, ...)
{
	va_list ap;
	r->ok = false;
	if (kind == COVE_CHECK_AUTHENTICITY)
		r->authentic = false;
	cove_failure *n = realloc(r->failures, (r->nfailures + 1) * sizeof(*n));
	if (!n)
		return;
	r->failures = n;
	cove_failure *f = &n[r->nfailures++];
	f->kind = kind;
	snprintf(f->check, sizeof(f->check), "%s", check);
	va_start(ap, fmt);
	vsnprintf(f->detail, sizeof(f->detail), fmt, ap);
	va_end(ap);
}

bool cove_result_has_failure(const cove_result *r, const char *check)
{
	for (size_t i = 0; i < r->nfailures; i++)
		if (strcmp(r->failures[i].check, check) == 0)
			return true;
	return false;
}

json_t *cove_result_to_json(const cove_result *r)
{
	json_t *fails = json_array();
	for (size_t i = 0; i < r->nfailures; i++)
		json_array_append_new(fails, json_pack("{s:s, s:s, s:s}", "check", r->failures[i].check, "detail",
						       r->failures[i].detail, "kind",
						       r->failures[i].kind == COVE_CHECK_POLICY ? "policy"
												: "authenticity"));
	return json_pack("{s:b, s:b, s:o, s:O}", "ok", r->ok, "authentic", r->authentic, "failures", fails, "claims",
			 r->claims);
}
