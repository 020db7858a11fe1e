/*
 * Internal representation of a parsed MAA policy (src/maapolicy/parse.c
 * builds it, eval.c runs it) and the JmesPath subset used by the 1.2
 * JmesPath() function (jmespath.c).  See include/cove/maa_policy.h.
 */
#ifndef COVE_MAA_INTERNAL_H
#define COVE_MAA_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "cove/maa_policy.h"

#define MAA_MAX_DEPTH 32      /* nested function calls */
#define MAA_MAX_RULES 4096    /* per section */
#define MAA_MAX_CONDS 64      /* per rule */
#define MAA_MAX_ARGS 8        /* per function call */

enum maa_prop { MAA_P_TYPE, MAA_P_VALUE, MAA_P_ISSUER, MAA_P_VALUETYPE };
enum maa_op { MAA_EQ, MAA_NE, MAA_LT, MAA_LE, MAA_GT, MAA_GE };
enum maa_func {
	MAA_F_JMESPATH,
	MAA_F_JSONTOCLAIMVALUE,
	MAA_F_ISSUBSETOF,
	MAA_F_APPENDSTRING,
	MAA_F_NEGATEBOOL,
	MAA_F_CONTAINSONLYVALUE,
};
enum maa_expr_kind { MAA_X_LIT, MAA_X_REF, MAA_X_CALL };
enum maa_action_kind { MAA_A_PERMIT, MAA_A_DENY, MAA_A_ADD, MAA_A_ISSUE, MAA_A_ISSUEPROPERTY };
enum maa_section { MAA_S_CONFIG, MAA_S_AUTHZ, MAA_S_ISSUANCE, MAA_S_COUNT };

typedef struct maa_expr {
	enum maa_expr_kind kind;
	unsigned line, col;
	json_t *lit;              /* MAA_X_LIT: string, integer or boolean */
	int ref;                  /* MAA_X_REF: index of the condition that bound the identifier */
	enum maa_prop prop;       /* MAA_X_REF: which property */
	enum maa_func func;       /* MAA_X_CALL */
	struct maa_expr *args[MAA_MAX_ARGS];
	size_t nargs;
} maa_expr;

typedef struct maa_pcond {
	enum maa_prop prop;
	enum maa_op op;
	maa_expr *rhs;
	unsigned line, col;
} maa_pcond;

typedef struct maa_cond {
	bool negated;
	char *ident;              /* NULL when anonymous */
	maa_pcond *pc;
	size_t npc;
	unsigned line, col;
} maa_cond;

typedef struct maa_action {
	enum maa_action_kind kind;
	char *type;               /* add/issue/issueproperty with type= */
	maa_expr *value;
	const char *value_type;   /* optional valueType= ("String", "Integer", "Boolean") */
	int claim_ref;            /* claim=IDENT: condition index, else -1 */
	unsigned line, col;
} maa_action;

typedef struct maa_rule {
	maa_cond *conds;
	size_t nconds;
	maa_action action;
	unsigned line, col;
} maa_rule;

typedef struct maa_section_rules {
	bool present;
	maa_rule *rules;
	size_t nrules;
} maa_section_rules;

struct cove_maa_policy {
	int minor;
	maa_section_rules sec[MAA_S_COUNT];
};

const char *maa_func_name(enum maa_func f);
void maa_expr_free(maa_expr *x);

/*
 * Evaluate JmesPath `query` over `data`.  On failure returns false and writes
 * a reason (with the column in the query) to `why`.  *out is a new reference.
 */
bool maa_jmespath_search(const char *query, json_t *data, json_t **out, char *why, size_t why_len);

#endif
