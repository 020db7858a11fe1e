/*
 * Evaluator of parsed MAA policies over typed claim sets.
 *
 * Semantics (claim-rule-grammar.md, claim-rule-functions.md, author-sign-policy.md
 * at azure-security-docs 1c4310bed2b9; shared/research/attestation-services.md 1.3):
 * - A claim is {type, value, valueType, issuer}; valueType follows the JSON
 *   type of the value (String, Integer, Boolean); issuer defaults to CustomClaim;
 *   claims the policy adds carry issuer AttestationPolicy.
 * - A condition filters the incoming set: it holds when at least one claim
 *   satisfies every property condition; "!" (1.2) holds when none does.  An
 *   identifier names the set of claims that matched, so `c.value` is the set
 *   of their values (IsSubsetOf / ContainsOnlyValue take such sets); an action
 *   whose value is a set of N values produces N claims, as JsonToClaimValue of
 *   an array does.  An empty value (JSON null) produces no claim.
 * - Rules run in order, each once, against the incoming set as it stands.
 *   add() appends to the incoming set, issue() to incoming and outgoing,
 *   issueproperty() to incoming and property claims.
 * - Authorization: without a permit() the evidence is not authorized, and a
 *   deny() wins over any permit (evaluation stops there); only a permitted
 *   claim set is used for the issuance rules ("deny(): the incoming claim set
 *   should not be used to compute issuancerules").
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "maapolicy/maa_internal.h"

#define MAA_MAX_CLAIMS 65536
#define MAA_MAX_SET 4096

typedef struct claim {
	char *type;
	json_t *value;
	const char *issuer; /* static string or owned in issuer_buf */
	char *issuer_buf;
} claim;

typedef struct claimset {
	claim *c;
	size_t n, cap;
} claimset;

typedef struct evalctx {
	claimset in;
	json_t *out;   /* outgoing claims object */
	json_t *props; /* property claims object */
	json_t **bound; /* per condition of the current rule: array of claim indexes */
	cove_error *e;
} evalctx;

static const char ISS_SERVICE[] = "AttestationService";
static const char ISS_POLICY[] = "AttestationPolicy";
static const char ISS_CUSTOM[] = "CustomClaim";

static cove_err rt_fail(evalctx *x, unsigned line, unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static cove_err rt_fail(evalctx *x, unsigned line, unsigned col, const char *fmt, ...)
{
	char what[420];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return cove_error_set(x->e, COVE_ERR_POLICY, "maa policy: line %u, column %u: %s", line, col, what);
}

static void claimset_clear(claimset *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->c[i].type);
		json_decref(s->c[i].value);
		free(s->c[i].issuer_buf);
	}
	free(s->c);
	memset(s, 0, sizeof(*s));
}

static const char *issuer_static(const char *iss)
{
	if (!strcmp(iss, ISS_SERVICE))
		return ISS_SERVICE;
	if (!strcmp(iss, ISS_POLICY))
		return ISS_POLICY;
	if (!strcmp(iss, ISS_CUSTOM))
		return ISS_CUSTOM;
	return NULL;
}

/* Takes a reference to value. */
static bool claimset_add(claimset *s, const char *type, json_t *value, const char *issuer)
{
	if (s->n == MAA_MAX_CLAIMS)
		return false;
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 32;
		claim *n = realloc(s->c, nc * sizeof(*n));
		if (!n)
			return false;
		s->c = n;
		s->cap = nc;
	}
	claim *c = &s->c[s->n];
	memset(c, 0, sizeof(*c));
	c->type = strdup(type);
	if (!c->type)
		return false;
	c->issuer = issuer_static(issuer);
	if (!c->issuer) {
		c->issuer = c->issuer_buf = strdup(issuer);
		if (!c->issuer_buf) {
			free(c->type);
			return false;
		}
	}
	c->value = json_incref(value);
	s->n++;
	return true;
}

static const char *value_type_name(const json_t *v)
{
	return json_is_integer(v) ? "Integer" : json_is_boolean(v) ? "Boolean" : "String";
}

static bool claim_value_ok(const json_t *v)
{
	return json_is_string(v) || json_is_integer(v) || json_is_boolean(v);
}

/* ---- claims from JSON ---- */

cove_err cove_maa_claims_from_object(const json_t *obj, const char *issuer, json_t **out, cove_error *e)
{
	*out = NULL;
	if (!json_is_object(obj))
		return cove_error_set(e, COVE_ERR_ARG, "maa claims: expected a JSON object of claim name -> value");
	json_t *arr = json_array();
	if (!arr)
		return cove_error_set(e, COVE_ERR_NOMEM, "maa claims: out of memory");
	const char *k;
	json_t *v;
	cove_err rc = COVE_OK;
	json_object_foreach((json_t *)obj, k, v) {
		json_t *val;
		if (json_is_null(v))
			continue;
		if (json_is_real(v)) {
			rc = cove_error_set(e, COVE_ERR_PARSE, "maa claims: \"%s\" is a fraction; claims are strings, integers or booleans", k);
			goto out;
		}
		if (json_is_object(v) || json_is_array(v)) {
			char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
			val = s ? json_string(s) : NULL;
			free(s);
		} else {
			val = json_incref(v);
		}
		json_t *c = val ? json_pack("{s:s, s:o, s:s}", "type", k, "value", val, "issuer", issuer ? issuer : ISS_SERVICE)
				: NULL;
		if (!c || json_array_append_new(arr, c)) {
			rc = cove_error_set(e, COVE_ERR_NOMEM, "maa claims: out of memory");
			goto out;
		}
	}
out:
	if (rc)
		json_decref(arr);
	else
		*out = arr;
	return rc;
}

static cove_err load_incoming(evalctx *x, const json_t *incoming)
{
	if (!json_is_array(incoming))
		return cove_error_set(x->e, COVE_ERR_ARG, "maa claims: incoming claims must be a JSON array of claim objects");
	size_t i;
	json_t *c;
	json_array_foreach(incoming, i, c) {
		json_t *t = json_object_get(c, "type"), *v = json_object_get(c, "value");
		json_t *iss = json_object_get(c, "issuer"), *vt = json_object_get(c, "valueType");
		if (!json_is_object(c) || !json_is_string(t) || !claim_value_ok(v))
			return cove_error_set(x->e, COVE_ERR_ARG,
					      "maa claims: claim %zu needs a string \"type\" and a string, integer or boolean \"value\"", i);
		if (iss && !json_is_string(iss))
			return cove_error_set(x->e, COVE_ERR_ARG, "maa claims: claim %zu: \"issuer\" must be a string", i);
		if (vt && (!json_is_string(vt) || strcmp(json_string_value(vt), value_type_name(v))))
			return cove_error_set(x->e, COVE_ERR_ARG, "maa claims: claim %zu (\"%s\"): valueType does not match its %s value", i,
					      json_string_value(t), value_type_name(v));
		if (!claimset_add(&x->in, json_string_value(t), v, iss ? json_string_value(iss) : ISS_CUSTOM))
			return cove_error_set(x->e, COVE_ERR_NOMEM, "maa claims: out of memory or more than %d claims", MAA_MAX_CLAIMS);
	}
	return COVE_OK;
}

/* ---- values ---- */

/* Strict equality: same kind and same value (no coercion between "1" and 1). */
static bool value_equal(const json_t *a, const json_t *b)
{
	/* true and false are distinct JSON types, so this also tells booleans apart. */
	return json_typeof(a) == json_typeof(b) && json_equal((json_t *)a, (json_t *)b);
}

static json_t *prop_of(const claim *c, enum maa_prop p)
{
	switch (p) {
	case MAA_P_TYPE: return json_string(c->type);
	case MAA_P_VALUE: return json_incref(c->value);
	case MAA_P_ISSUER: return json_string(c->issuer);
	case MAA_P_VALUETYPE: return json_string(value_type_name(c->value));
	}
	return NULL;
}

static cove_err eval_expr(evalctx *x, const maa_expr *ex, json_t **out);

static bool append_set(json_t *set, json_t *v)
{
	if (json_array_size(set) >= MAA_MAX_SET) {
		json_decref(v);
		return false;
	}
	return json_array_append_new(set, v) == 0;
}

static cove_err fn_jsontoclaimvalue(evalctx *x, const maa_expr *ex, json_t *arg, json_t *set)
{
	if (!json_is_string(arg))
		return rt_fail(x, ex->line, ex->col, "JsonToClaimValue: the argument must be JSON text (a string), found a %s",
			       value_type_name(arg));
	json_error_t je;
	json_t *j = json_loads(json_string_value(arg), JSON_DECODE_ANY, &je);
	if (!j)
		return rt_fail(x, ex->line, ex->col, "JsonToClaimValue: the argument is not valid JSON: %s", je.text);
	cove_err rc = COVE_OK;
	if (json_is_null(j))
		goto out; /* empty claim value: no claim */
	if (json_is_real(j)) {
		rc = rt_fail(x, ex->line, ex->col, "JsonToClaimValue: fractional numbers are not supported");
		goto out;
	}
	if (json_is_object(j)) {
		rc = rt_fail(x, ex->line, ex->col, "JsonToClaimValue: JSON objects are not supported");
		goto out;
	}
	if (json_is_array(j)) {
		size_t i;
		json_t *el;
		json_array_foreach(j, i, el) {
			if (json_is_null(el))
				continue;
			if (json_is_object(el) || json_is_array(el) || json_is_real(el)) {
				rc = rt_fail(x, ex->line, ex->col,
					     "JsonToClaimValue: array element %zu is not a string, integer, boolean or null", i);
				goto out;
			}
			if (!append_set(set, json_incref(el))) {
				rc = rt_fail(x, ex->line, ex->col, "value set larger than %d", MAA_MAX_SET);
				goto out;
			}
		}
		goto out;
	}
	if (!append_set(set, json_incref(j)))
		rc = rt_fail(x, ex->line, ex->col, "value set larger than %d", MAA_MAX_SET);
out:
	json_decref(j);
	return rc;
}

/* One call of a scalar function over one value per argument. */
static cove_err call_scalar(evalctx *x, const maa_expr *ex, json_t **a, json_t *set)
{
	const char *fn = maa_func_name(ex->func);
	switch (ex->func) {
	case MAA_F_JMESPATH: {
		if (!json_is_string(a[0]) || !json_string_length(a[0]))
			return rt_fail(x, ex->args[0]->line, ex->args[0]->col, "%s: the first argument must be non-empty JSON text", fn);
		if (!json_is_string(a[1]) || !json_string_length(a[1]))
			return rt_fail(x, ex->args[1]->line, ex->args[1]->col, "%s: the second argument must be a non-empty query", fn);
		json_error_t je;
		json_t *doc = json_loads(json_string_value(a[0]), JSON_DECODE_ANY, &je);
		if (!doc)
			return rt_fail(x, ex->args[0]->line, ex->args[0]->col, "%s: the first argument is not valid JSON: %s", fn,
				       je.text);
		json_t *res = NULL;
		char why[256];
		bool ok = maa_jmespath_search(json_string_value(a[1]), doc, &res, why, sizeof(why));
		json_decref(doc);
		if (!ok)
			return rt_fail(x, ex->line, ex->col, "%s: %s", fn, why);
		/* The result is the JSON text of what the query selected (claim-rule-functions.md). */
		char *s = json_dumps(res, JSON_COMPACT | JSON_ENCODE_ANY);
		json_decref(res);
		json_t *sv = s ? json_string(s) : NULL;
		free(s);
		if (!sv || !append_set(set, sv))
			return rt_fail(x, ex->line, ex->col, "%s: result too large", fn);
		return COVE_OK;
	}
	case MAA_F_JSONTOCLAIMVALUE:
		return fn_jsontoclaimvalue(x, ex, a[0], set);
	case MAA_F_APPENDSTRING: {
		for (int i = 0; i < 2; i++)
			if (!json_is_string(a[i]))
				return rt_fail(x, ex->args[i]->line, ex->args[i]->col, "%s: argument %d must be a string, found %s", fn,
					       i + 1, value_type_name(a[i]));
		size_t l0 = json_string_length(a[0]), l1 = json_string_length(a[1]);
		if (l0 + l1 > COVE_MAA_POLICY_MAX)
			return rt_fail(x, ex->line, ex->col, "%s: result longer than %u bytes", fn, COVE_MAA_POLICY_MAX);
		char *s = malloc(l0 + l1 + 1);
		if (!s)
			return rt_fail(x, ex->line, ex->col, "out of memory");
		memcpy(s, json_string_value(a[0]), l0);
		memcpy(s + l0, json_string_value(a[1]), l1);
		s[l0 + l1] = '\0';
		json_t *sv = json_stringn(s, l0 + l1);
		free(s);
		if (!sv || !append_set(set, sv))
			return rt_fail(x, ex->line, ex->col, "%s: result too large", fn);
		return COVE_OK;
	}
	case MAA_F_NEGATEBOOL:
		if (!json_is_boolean(a[0]))
			return rt_fail(x, ex->args[0]->line, ex->args[0]->col, "%s: the argument must be a boolean, found %s", fn,
				       value_type_name(a[0]));
		if (!append_set(set, json_boolean(!json_is_true(a[0]))))
			return rt_fail(x, ex->line, ex->col, "value set larger than %d", MAA_MAX_SET);
		return COVE_OK;
	default:
		return rt_fail(x, ex->line, ex->col, "internal: %s is not scalar", fn);
	}
}

static bool set_contains(const json_t *set, const json_t *v)
{
	size_t i;
	json_t *el;
	json_array_foreach(set, i, el)
		if (value_equal(el, v))
			return true;
	return false;
}

static cove_err eval_call(evalctx *x, const maa_expr *ex, json_t *set)
{
	json_t *args[MAA_MAX_ARGS] = {0};
	cove_err rc = COVE_OK;
	for (size_t i = 0; i < ex->nargs; i++)
		if ((rc = eval_expr(x, ex->args[i], &args[i])))
			goto out;
	if (ex->func == MAA_F_ISSUBSETOF) {
		bool sub = true;
		size_t i;
		json_t *el;
		json_array_foreach(args[0], i, el)
			if (!set_contains(args[1], el))
				sub = false;
		append_set(set, json_boolean(sub));
		goto out;
	}
	if (ex->func == MAA_F_CONTAINSONLYVALUE) {
		if (json_array_size(args[1]) != 1) {
			rc = rt_fail(x, ex->args[1]->line, ex->args[1]->col,
				     "ContainsOnlyValue: the second argument must be a single value, found a set of %zu",
				     json_array_size(args[1]));
			goto out;
		}
		json_t *want = json_array_get(args[1], 0);
		bool only = json_array_size(args[0]) > 0;
		size_t i;
		json_t *el;
		json_array_foreach(args[0], i, el)
			if (!value_equal(el, want))
				only = false;
		append_set(set, json_boolean(only));
		goto out;
	}
	/* Scalar functions: applied to every combination of argument values (usually exactly one). */
	size_t idx[MAA_MAX_ARGS] = {0}, combos = 1;
	for (size_t i = 0; i < ex->nargs; i++) {
		combos *= json_array_size(args[i]);
		if (combos > MAA_MAX_SET) {
			rc = rt_fail(x, ex->line, ex->col, "%s: more than %d argument combinations", maa_func_name(ex->func),
				     MAA_MAX_SET);
			goto out;
		}
	}
	for (size_t k = 0; k < combos; k++) {
		json_t *a[MAA_MAX_ARGS];
		for (size_t i = 0; i < ex->nargs; i++)
			a[i] = json_array_get(args[i], idx[i]);
		if ((rc = call_scalar(x, ex, a, set)))
			goto out;
		for (size_t i = 0; i < ex->nargs; i++) {
			if (++idx[i] < json_array_size(args[i]))
				break;
			idx[i] = 0;
		}
	}
out:
	for (size_t i = 0; i < ex->nargs; i++)
		json_decref(args[i]);
	return rc;
}

/* Evaluate to a set (JSON array) of claim values. */
static cove_err eval_expr(evalctx *x, const maa_expr *ex, json_t **out)
{
	json_t *set = json_array();
	if (!set)
		return cove_error_set(x->e, COVE_ERR_NOMEM, "maa policy: out of memory");
	cove_err rc = COVE_OK;
	switch (ex->kind) {
	case MAA_X_LIT:
		json_array_append(set, ex->lit);
		break;
	case MAA_X_REF: {
		size_t i;
		json_t *ix;
		json_array_foreach(x->bound[ex->ref], i, ix) {
			json_t *v = prop_of(&x->in.c[json_integer_value(ix)], ex->prop);
			if (!v || !append_set(set, v)) {
				rc = rt_fail(x, ex->line, ex->col, "value set larger than %d", MAA_MAX_SET);
				break;
			}
		}
		break;
	}
	case MAA_X_CALL:
		rc = eval_call(x, ex, set);
		break;
	}
	if (rc) {
		json_decref(set);
		return rc;
	}
	*out = set;
	return COVE_OK;
}

/* ---- conditions and rules ---- */

static bool compare(const json_t *have, enum maa_op op, const json_t *want)
{
	if (op == MAA_EQ)
		return value_equal(have, want);
	if (op == MAA_NE)
		return !value_equal(have, want);
	if (!json_is_integer(have) || !json_is_integer(want))
		return false; /* ordering is defined for Integer only */
	json_int_t a = json_integer_value(have), b = json_integer_value(want);
	switch (op) {
	case MAA_LT: return a < b;
	case MAA_LE: return a <= b;
	case MAA_GT: return a > b;
	case MAA_GE: return a >= b;
	default: return false;
	}
}

static cove_err eval_cond(evalctx *x, const maa_cond *c, size_t ci, bool *holds)
{
	json_t *rhs[64] = {0};
	json_t **rv = rhs;
	cove_err rc = COVE_OK;
	json_t *matched = json_array();
	if (!matched)
		return cove_error_set(x->e, COVE_ERR_NOMEM, "maa policy: out of memory");
	if (c->npc > 64) {
		rv = calloc(c->npc, sizeof(*rv));
		if (!rv) {
			json_decref(matched);
			return cove_error_set(x->e, COVE_ERR_NOMEM, "maa policy: out of memory");
		}
	}
	for (size_t j = 0; j < c->npc; j++)
		if ((rc = eval_expr(x, c->pc[j].rhs, &rv[j])))
			goto out;
	for (size_t i = 0; i < x->in.n; i++) {
		bool ok = true;
		for (size_t j = 0; ok && j < c->npc; j++) {
			json_t *have = prop_of(&x->in.c[i], c->pc[j].prop);
			bool any = false;
			size_t k;
			json_t *want;
			json_array_foreach(rv[j], k, want)
				if (have && compare(have, c->pc[j].op, want)) {
					any = true;
					break;
				}
			json_decref(have);
			ok = any;
		}
		if (ok && json_array_append_new(matched, json_integer((json_int_t)i))) {
			rc = cove_error_set(x->e, COVE_ERR_NOMEM, "maa policy: out of memory");
			goto out;
		}
	}
	*holds = c->negated ? json_array_size(matched) == 0 : json_array_size(matched) > 0;
	json_decref(x->bound[ci]);
	x->bound[ci] = matched;
	matched = NULL;
out:
	for (size_t j = 0; j < c->npc; j++)
		json_decref(rv[j]);
	if (rv != rhs)
		free(rv);
	json_decref(matched);
	return rc;
}

/* name -> value, a repeated name -> array of values in issue order. */
static bool emit(json_t *obj, const char *type, json_t *v)
{
	json_t *old = json_object_get(obj, type);
	if (!old)
		return json_object_set(obj, type, v) == 0;
	if (json_is_array(old))
		return json_array_append(old, v) == 0;
	json_t *arr = json_pack("[OO]", old, v);
	return arr && json_object_set_new(obj, type, arr) == 0;
}

static cove_err run_action(evalctx *x, const maa_rule *r)
{
	const maa_action *a = &r->action;
	if (a->claim_ref >= 0) {
		/* issue(claim=c): the matched claims themselves (already in the incoming set). */
		json_t *ixs = json_copy(x->bound[a->claim_ref]);
		size_t i;
		json_t *ix;
		cove_err rc = COVE_OK;
		json_array_foreach(ixs, i, ix) {
			const claim *c = &x->in.c[json_integer_value(ix)];
			if (a->kind == MAA_A_ADD) {
				/* claimset_add may move the array that c points into. */
				char *t = strdup(c->type);
				json_t *v = json_incref(c->value);
				bool ok = t && claimset_add(&x->in, t, v, ISS_POLICY);
				free(t);
				json_decref(v);
				if (!ok) {
					rc = rt_fail(x, a->line, a->col, "out of memory or more than %d claims", MAA_MAX_CLAIMS);
					break;
				}
				continue;
			}
			if (!emit(a->kind == MAA_A_ISSUE ? x->out : x->props, c->type, c->value)) {
				rc = cove_error_set(x->e, COVE_ERR_NOMEM, "maa policy: out of memory");
				break;
			}
		}
		json_decref(ixs);
		return rc;
	}
	json_t *vals = NULL;
	cove_err rc = eval_expr(x, a->value, &vals);
	if (rc)
		return rc;
	size_t i;
	json_t *v;
	json_array_foreach(vals, i, v) {
		if (a->value_type && strcmp(a->value_type, value_type_name(v))) {
			rc = rt_fail(x, a->value->line, a->value->col, "valueType=\"%s\" but the value is %s", a->value_type,
				     value_type_name(v));
			break;
		}
		if (!claimset_add(&x->in, a->type, v, ISS_POLICY)) {
			rc = rt_fail(x, a->line, a->col, "more than %d claims", MAA_MAX_CLAIMS);
			break;
		}
		if ((a->kind == MAA_A_ISSUE && !emit(x->out, a->type, v)) ||
		    (a->kind == MAA_A_ISSUEPROPERTY && !emit(x->props, a->type, v))) {
			rc = cove_error_set(x->e, COVE_ERR_NOMEM, "maa policy: out of memory");
			break;
		}
	}
	json_decref(vals);
	return rc;
}

/* Runs one rule; *fired = conditions held and the action ran. */
static cove_err run_rule(evalctx *x, const maa_rule *r, bool *fired)
{
	*fired = false;
	cove_err rc = COVE_OK;
	x->bound = calloc(r->nconds ? r->nconds : 1, sizeof(*x->bound));
	if (!x->bound)
		return cove_error_set(x->e, COVE_ERR_NOMEM, "maa policy: out of memory");
	for (size_t i = 0; i < r->nconds; i++) {
		bool holds = false;
		if ((rc = eval_cond(x, &r->conds[i], i, &holds)))
			goto out;
		if (!holds)
			goto out;
	}
	*fired = true;
	if (r->action.kind != MAA_A_PERMIT && r->action.kind != MAA_A_DENY)
		rc = run_action(x, r);
out:
	for (size_t i = 0; i < r->nconds; i++)
		json_decref(x->bound[i]);
	free(x->bound);
	x->bound = NULL;
	return rc;
}

void cove_maa_result_clear(cove_maa_result *r)
{
	if (!r)
		return;
	json_decref(r->claims);
	json_decref(r->properties);
	memset(r, 0, sizeof(*r));
}

static cove_err run_config(evalctx *x, const cove_maa_policy *p)
{
	const maa_section_rules *s = &p->sec[MAA_S_CONFIG];
	for (size_t i = 0; i < s->nrules; i++) {
		bool fired;
		cove_err rc = run_rule(x, &s->rules[i], &fired);
		if (rc)
			return rc;
	}
	return COVE_OK;
}

cove_err cove_maa_policy_config(const cove_maa_policy *p, json_t **out, cove_error *e)
{
	*out = NULL;
	if (!p)
		return cove_error_set(e, COVE_ERR_ARG, "maa policy: NULL policy");
	evalctx x;
	memset(&x, 0, sizeof(x));
	x.e = e;
	x.out = json_object();
	x.props = json_object();
	cove_err rc = (x.out && x.props) ? run_config(&x, p) : cove_error_set(e, COVE_ERR_NOMEM, "maa policy: out of memory");
	claimset_clear(&x.in);
	json_decref(x.out);
	if (rc) {
		json_decref(x.props);
		return rc;
	}
	*out = x.props;
	return COVE_OK;
}

cove_err cove_maa_policy_evaluate(const cove_maa_policy *p, const json_t *incoming, cove_maa_result *r, cove_error *e)
{
	memset(r, 0, sizeof(*r));
	if (!p)
		return cove_error_set(e, COVE_ERR_ARG, "maa policy: NULL policy");
	evalctx x;
	memset(&x, 0, sizeof(x));
	x.e = e;
	x.out = json_object();
	x.props = json_object();
	cove_err rc;
	if (!x.out || !x.props) {
		rc = cove_error_set(e, COVE_ERR_NOMEM, "maa policy: out of memory");
		goto out;
	}
	/* Configuration rules see no evidence: they set properties of the evaluation itself. */
	if ((rc = run_config(&x, p)))
		goto out;
	claimset_clear(&x.in);
	if ((rc = load_incoming(&x, incoming)))
		goto out;
	bool permitted = false, denied = false;
	unsigned line = 0;
	const maa_section_rules *az = &p->sec[MAA_S_AUTHZ];
	for (size_t i = 0; i < az->nrules && !denied; i++) {
		bool fired;
		if ((rc = run_rule(&x, &az->rules[i], &fired)))
			goto out;
		if (!fired)
			continue;
		if (az->rules[i].action.kind == MAA_A_DENY) {
			denied = true;
			line = az->rules[i].line;
		} else if (az->rules[i].action.kind == MAA_A_PERMIT && !permitted) {
			permitted = true;
			line = az->rules[i].line;
		}
	}
	r->permitted = permitted && !denied;
	r->rule_line = line;
	if (r->permitted) {
		const maa_section_rules *is = &p->sec[MAA_S_ISSUANCE];
		for (size_t i = 0; i < is->nrules; i++) {
			bool fired;
			if ((rc = run_rule(&x, &is->rules[i], &fired)))
				goto out;
		}
	} else {
		/* Nothing is issued for evidence the policy does not authorize. */
		json_object_clear(x.out);
	}
	r->claims = x.out;
	r->properties = x.props;
	x.out = x.props = NULL;
out:
	claimset_clear(&x.in);
	json_decref(x.out);
	json_decref(x.props);
	if (rc) {
		r->permitted = false;
		r->rule_line = 0;
	}
	return rc;
}
