/*
 * Parser of the MAA policy language, versions 1.0-1.2.  Microsoft publishes
 * no formal grammar; this follows claim-rule-grammar.md, claim-rule-functions.md
 * and policy-version-1-{0,1,2}.md (azure-security-docs 1c4310bed2b9) as
 * reconstructed in shared/research/attestation-services.md section 1.3:
 *
 *   policy   := "version" "=" "1" "." ("0"|"1"|"2") ";"
 *               ["configurationrules" "{" rule* "}" ";"]     (1.1+)
 *               "authorizationrules" "{" rule* "}" ";"
 *               ["issuancerules" "{" rule* "}" ";"]
 *   rule     := [cond {"&&" cond}] "=>" action ";"
 *   cond     := ["!"] [IDENT ":"] "[" pcond {"," pcond} "]"    ("!" is 1.2+)
 *   pcond    := ("type"|"value"|"issuer"|"valueType") OP expr
 *   action   := "permit" "(" ")" | "deny" "(" ")"
 *             | ("add"|"issue"|"issueproperty") "(" claimspec ")"
 *   claimspec:= "claim" "=" IDENT | named {"," named}  (type=STRING, value=expr, valueType=STRING)
 *   expr     := STRING | INTEGER | "true" | "false" | IDENT "." PROP | FUNC "(" [expr {"," expr}] ")"
 *
 * Comments are `//` to end of line and `/ * ... * /`.  Every error names the
 * line and column, what was expected and what was found.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "maapolicy/maa_internal.h"

enum tok_kind {
	T_EOF, T_IDENT, T_STRING, T_INT,
	T_LBRACE, T_RBRACE, T_LBRACKET, T_RBRACKET, T_LPAREN, T_RPAREN,
	T_SEMI, T_COMMA, T_COLON, T_DOT, T_BANG, T_ANDAND,
	T_ASSIGN, T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_ARROW,
	T_BAD,
};

typedef struct tok {
	enum tok_kind kind;
	unsigned line, col;
	const char *start; /* raw text */
	size_t len;
	char *str;         /* T_STRING: decoded (owned by the token) */
	int64_t ival;
} tok;

typedef struct parser {
	const char *p, *end;
	unsigned line, col;
	unsigned flags;
	tok cur;
	int minor;
	cove_error *e;
	bool failed;
} parser;

static const char *const func_names[] = {
	"JmesPath", "JsonToClaimValue", "IsSubsetOf", "AppendString", "NegateBool", "ContainsOnlyValue",
};
static const size_t func_arity[] = {2, 1, 2, 2, 1, 2};

const char *maa_func_name(enum maa_func f)
{
	return func_names[f];
}

static void describe(const tok *t, char *out, size_t n)
{
	switch (t->kind) {
	case T_EOF:
		snprintf(out, n, "end of input");
		break;
	case T_IDENT:
		snprintf(out, n, "'%.*s'", (int)(t->len > 40 ? 40 : t->len), t->start);
		break;
	case T_STRING:
		snprintf(out, n, "string %.*s%s", (int)(t->len > 40 ? 40 : t->len), t->start, t->len > 40 ? "..." : "");
		break;
	case T_INT:
		snprintf(out, n, "integer %.*s", (int)(t->len > 24 ? 24 : t->len), t->start);
		break;
	case T_BAD:
		if (t->start[0] >= 0x20 && t->start[0] < 0x7f)
			snprintf(out, n, "'%c'", t->start[0]);
		else
			snprintf(out, n, "byte 0x%02x", (unsigned char)t->start[0]);
		break;
	default:
		snprintf(out, n, "'%.*s'", (int)t->len, t->start);
		break;
	}
}

static bool fail_at(parser *ps, unsigned line, unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static bool fail_at(parser *ps, unsigned line, unsigned col, const char *fmt, ...)
{
	if (ps->failed)
		return false;
	ps->failed = true;
	char what[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	cove_error_set(ps->e, COVE_ERR_PARSE, "line %u, column %u: %s", line, col, what);
	return false;
}

/* "expected X, found <current token>" at the current token. */
static bool expected(parser *ps, const char *what)
{
	char found[96];
	describe(&ps->cur, found, sizeof(found));
	return fail_at(ps, ps->cur.line, ps->cur.col, "expected %s, found %s", what, found);
}

/* ---- lexer ---- */

static void advance_char(parser *ps)
{
	if (*ps->p == '\n') {
		ps->line++;
		ps->col = 1;
	} else {
		ps->col++;
	}
	ps->p++;
}

static bool skip_space(parser *ps)
{
	for (;;) {
		while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\r' || *ps->p == '\n' ||
					   *ps->p == '\f' || *ps->p == '\v'))
			advance_char(ps);
		if (ps->end - ps->p >= 2 && ps->p[0] == '/' && ps->p[1] == '/') {
			while (ps->p < ps->end && *ps->p != '\n')
				advance_char(ps);
			continue;
		}
		if (ps->end - ps->p >= 2 && ps->p[0] == '/' && ps->p[1] == '*') {
			unsigned l = ps->line, c = ps->col;
			advance_char(ps);
			advance_char(ps);
			while (ps->p < ps->end && !(ps->end - ps->p >= 2 && ps->p[0] == '*' && ps->p[1] == '/'))
				advance_char(ps);
			if (ps->p >= ps->end)
				return fail_at(ps, l, c, "unterminated comment: '/*' without '*/'");
			advance_char(ps);
			advance_char(ps);
			continue;
		}
		return true;
	}
}

static bool lex_string(parser *ps, tok *t)
{
	/* Strings are single-line; \" \\ \/ \n \r \t are the escapes (JSON inside strings needs \" and \\). */
	size_t cap = 16, n = 0;
	char *buf = malloc(cap);
	if (!buf)
		return fail_at(ps, t->line, t->col, "out of memory");
	advance_char(ps); /* opening quote */
	for (;;) {
		if (ps->p >= ps->end || *ps->p == '\n' || *ps->p == '\r') {
			free(buf);
			return fail_at(ps, t->line, t->col, "unterminated string: no closing '\"' before the end of %s",
				       ps->p >= ps->end ? "input" : "the line");
		}
		char c = *ps->p;
		if (c == '"') {
			advance_char(ps);
			break;
		}
		if (c == '\\') {
			unsigned el = ps->line, ec = ps->col;
			advance_char(ps);
			if (ps->p >= ps->end) {
				free(buf);
				return fail_at(ps, t->line, t->col, "unterminated string: no closing '\"' before the end of input");
			}
			switch (*ps->p) {
			case '"': c = '"'; break;
			case '\\': c = '\\'; break;
			case '/': c = '/'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			default:
				free(buf);
				return fail_at(ps, el, ec, "unknown escape '\\%c' in string (allowed: \\\" \\\\ \\/ \\n \\r \\t)",
					       isprint((unsigned char)*ps->p) ? *ps->p : '?');
			}
		}
		if (c == '\0') {
			free(buf);
			return fail_at(ps, ps->line, ps->col, "NUL byte inside a string");
		}
		if (n + 2 > cap) {
			cap *= 2;
			char *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				return fail_at(ps, t->line, t->col, "out of memory");
			}
			buf = nb;
		}
		buf[n++] = c;
		advance_char(ps);
	}
	buf[n] = '\0';
	t->kind = T_STRING;
	t->str = buf;
	return true;
}

static bool next(parser *ps)
{
	free(ps->cur.str);
	memset(&ps->cur, 0, sizeof(ps->cur));
	if (!skip_space(ps))
		return false;
	tok *t = &ps->cur;
	t->line = ps->line;
	t->col = ps->col;
	t->start = ps->p;
	if (ps->p >= ps->end) {
		t->kind = T_EOF;
		t->start = "";
		return true;
	}
	char c = *ps->p;
	char c1 = ps->end - ps->p >= 2 ? ps->p[1] : '\0';
	if (isalpha((unsigned char)c) || c == '_') {
		while (ps->p < ps->end && (isalnum((unsigned char)*ps->p) || *ps->p == '_'))
			advance_char(ps);
		t->kind = T_IDENT;
	} else if (isdigit((unsigned char)c) || (c == '-' && isdigit((unsigned char)c1))) {
		if (c == '-')
			advance_char(ps);
		while (ps->p < ps->end && isdigit((unsigned char)*ps->p))
			advance_char(ps);
		char num[32];
		size_t nl = (size_t)(ps->p - t->start);
		if (nl >= sizeof(num))
			return fail_at(ps, t->line, t->col, "integer %.*s... is too long", 20, t->start);
		memcpy(num, t->start, nl);
		num[nl] = '\0';
		errno = 0;
		long long v = strtoll(num, NULL, 10);
		if (errno)
			return fail_at(ps, t->line, t->col, "integer %s is out of the 64-bit range", num);
		t->ival = v;
		t->kind = T_INT;
	} else if (c == '"') {
		if (!lex_string(ps, t))
			return false;
	} else {
		enum tok_kind k = T_BAD;
		size_t l = 1;
		switch (c) {
		case '{': k = T_LBRACE; break;
		case '}': k = T_RBRACE; break;
		case '[': k = T_LBRACKET; break;
		case ']': k = T_RBRACKET; break;
		case '(': k = T_LPAREN; break;
		case ')': k = T_RPAREN; break;
		case ';': k = T_SEMI; break;
		case ',': k = T_COMMA; break;
		case ':': k = T_COLON; break;
		case '.': k = T_DOT; break;
		case '!': if (c1 == '=') { k = T_NE; l = 2; } else k = T_BANG; break;
		case '&': if (c1 == '&') { k = T_ANDAND; l = 2; } break;
		case '=':
			if (c1 == '=') { k = T_EQ; l = 2; }
			else if (c1 == '>') { k = T_ARROW; l = 2; }
			else k = T_ASSIGN;
			break;
		case '<': if (c1 == '=') { k = T_LE; l = 2; } else k = T_LT; break;
		case '>': if (c1 == '=') { k = T_GE; l = 2; } else k = T_GT; break;
		default: break;
		}
		t->kind = k;
		if (k == T_BAD) {
			t->len = 1;
			return true; /* reported by whoever expected something else */
		}
		for (size_t i = 0; i < l; i++)
			advance_char(ps);
	}
	t->len = (size_t)(ps->p - t->start);
	return true;
}

static bool is_ident(const parser *ps, const char *word)
{
	return ps->cur.kind == T_IDENT && ps->cur.len == strlen(word) && memcmp(ps->cur.start, word, ps->cur.len) == 0;
}

static bool expect(parser *ps, enum tok_kind k, const char *what)
{
	if (ps->cur.kind != k)
		return expected(ps, what);
	return next(ps);
}

/* ---- AST helpers ---- */

void maa_expr_free(maa_expr *x)
{
	if (!x)
		return;
	json_decref(x->lit);
	for (size_t i = 0; i < x->nargs; i++)
		maa_expr_free(x->args[i]);
	free(x);
}

static void rule_free(maa_rule *r)
{
	for (size_t i = 0; i < r->nconds; i++) {
		for (size_t j = 0; j < r->conds[i].npc; j++)
			maa_expr_free(r->conds[i].pc[j].rhs);
		free(r->conds[i].pc);
		free(r->conds[i].ident);
	}
	free(r->conds);
	free(r->action.type);
	maa_expr_free(r->action.value);
}

void cove_maa_policy_free(cove_maa_policy *p)
{
	if (!p)
		return;
	for (int s = 0; s < MAA_S_COUNT; s++) {
		for (size_t i = 0; i < p->sec[s].nrules; i++)
			rule_free(&p->sec[s].rules[i]);
		free(p->sec[s].rules);
	}
	free(p);
}

int cove_maa_policy_version(const cove_maa_policy *p)
{
	return p ? p->minor : -1;
}

/* ---- expressions ---- */

static int find_ident(const maa_rule *r, size_t nconds, const char *s, size_t len)
{
	for (size_t i = 0; i < nconds; i++)
		if (r->conds[i].ident && strlen(r->conds[i].ident) == len && memcmp(r->conds[i].ident, s, len) == 0)
			return (int)i;
	return -1;
}

static bool parse_prop_name(parser *ps, enum maa_prop *out)
{
	if (is_ident(ps, "type"))
		*out = MAA_P_TYPE;
	else if (is_ident(ps, "value"))
		*out = MAA_P_VALUE;
	else if (is_ident(ps, "issuer"))
		*out = MAA_P_ISSUER;
	else if (is_ident(ps, "valueType"))
		*out = MAA_P_VALUETYPE;
	else
		return expected(ps, "a claim property (type, value, issuer or valueType)");
	return next(ps);
}

/* `nbound`: conditions of the rule whose identifiers may be referenced here. */
static maa_expr *parse_expr(parser *ps, const maa_rule *r, size_t nbound, unsigned depth)
{
	if (depth > MAA_MAX_DEPTH) {
		fail_at(ps, ps->cur.line, ps->cur.col, "expressions nested deeper than %d levels", MAA_MAX_DEPTH);
		return NULL;
	}
	maa_expr *x = calloc(1, sizeof(*x));
	if (!x) {
		fail_at(ps, ps->cur.line, ps->cur.col, "out of memory");
		return NULL;
	}
	x->line = ps->cur.line;
	x->col = ps->cur.col;
	x->ref = -1;
	if (ps->cur.kind == T_STRING) {
		x->kind = MAA_X_LIT;
		x->lit = json_string(ps->cur.str);
		if (!x->lit) {
			fail_at(ps, x->line, x->col, "string is not valid UTF-8");
			goto bad;
		}
		if (!next(ps))
			goto bad;
		return x;
	}
	if (ps->cur.kind == T_INT) {
		x->kind = MAA_X_LIT;
		x->lit = json_integer(ps->cur.ival);
		if (!x->lit || !next(ps))
			goto bad;
		return x;
	}
	if (is_ident(ps, "true") || is_ident(ps, "false")) {
		x->kind = MAA_X_LIT;
		x->lit = json_boolean(is_ident(ps, "true"));
		if (!next(ps))
			goto bad;
		return x;
	}
	if (ps->cur.kind != T_IDENT) {
		expected(ps, "a value (string, integer, true, false, IDENT.property or a function call)");
		goto bad;
	}
	tok id = ps->cur;
	id.str = NULL;
	if (!next(ps))
		goto bad;
	if (ps->cur.kind == T_DOT) {
		x->kind = MAA_X_REF;
		x->ref = find_ident(r, nbound, id.start, id.len);
		if (x->ref < 0) {
			fail_at(ps, id.line, id.col, "unknown claim identifier '%.*s' (not bound by an earlier condition of this rule)",
				(int)(id.len > 40 ? 40 : id.len), id.start);
			goto bad;
		}
		if (!next(ps) || !parse_prop_name(ps, &x->prop))
			goto bad;
		return x;
	}
	if (ps->cur.kind == T_LPAREN) {
		size_t f;
		for (f = 0; f < sizeof(func_names) / sizeof(func_names[0]); f++)
			if (strlen(func_names[f]) == id.len && memcmp(func_names[f], id.start, id.len) == 0)
				break;
		if (f == sizeof(func_names) / sizeof(func_names[0])) {
			fail_at(ps, id.line, id.col,
				"unknown function '%.*s' (known: JmesPath, JsonToClaimValue, IsSubsetOf, AppendString, NegateBool, ContainsOnlyValue)",
				(int)(id.len > 40 ? 40 : id.len), id.start);
			goto bad;
		}
		if (ps->minor < 2) {
			fail_at(ps, id.line, id.col, "function %s needs policy version 1.2 (this policy is 1.%d)",
				func_names[f], ps->minor);
			goto bad;
		}
		x->kind = MAA_X_CALL;
		x->func = (enum maa_func)f;
		if (!next(ps))
			goto bad;
		if (ps->cur.kind != T_RPAREN) {
			for (;;) {
				if (x->nargs == MAA_MAX_ARGS) {
					fail_at(ps, ps->cur.line, ps->cur.col, "too many arguments to %s", func_names[f]);
					goto bad;
				}
				x->args[x->nargs] = parse_expr(ps, r, nbound, depth + 1);
				if (!x->args[x->nargs])
					goto bad;
				x->nargs++;
				if (ps->cur.kind == T_COMMA) {
					if (!next(ps))
						goto bad;
					continue;
				}
				break;
			}
		}
		if (ps->cur.kind != T_RPAREN) {
			expected(ps, "',' or ')' in the argument list");
			goto bad;
		}
		if (x->nargs != func_arity[f]) {
			fail_at(ps, id.line, id.col, "%s takes %zu argument%s, found %zu", func_names[f], func_arity[f],
				func_arity[f] == 1 ? "" : "s", x->nargs);
			goto bad;
		}
		if (!next(ps))
			goto bad;
		return x;
	}
	fail_at(ps, id.line, id.col, "expected a value (string, integer, true, false, IDENT.property or a function call), found '%.*s'",
		(int)(id.len > 40 ? 40 : id.len), id.start);
bad:
	maa_expr_free(x);
	return NULL;
}

/* ---- conditions ---- */

static bool parse_cond(parser *ps, maa_rule *r)
{
	if (r->nconds == MAA_MAX_CONDS)
		return fail_at(ps, ps->cur.line, ps->cur.col, "more than %d conditions in one rule", MAA_MAX_CONDS);
	maa_cond *nc = realloc(r->conds, (r->nconds + 1) * sizeof(*nc));
	if (!nc)
		return fail_at(ps, ps->cur.line, ps->cur.col, "out of memory");
	r->conds = nc;
	maa_cond *c = &r->conds[r->nconds];
	memset(c, 0, sizeof(*c));
	c->line = ps->cur.line;
	c->col = ps->cur.col;
	r->nconds++;
	if (ps->cur.kind == T_BANG) {
		if (ps->minor < 2)
			return fail_at(ps, c->line, c->col, "the '!' (absence) operator needs policy version 1.2 (this policy is 1.%d)",
				       ps->minor);
		c->negated = true;
		if (!next(ps))
			return false;
	}
	if (ps->cur.kind == T_IDENT) {
		if (c->negated)
			return fail_at(ps, ps->cur.line, ps->cur.col,
				       "an absence condition '![...]' cannot bind an identifier (it matches no claim)");
		if (find_ident(r, r->nconds - 1, ps->cur.start, ps->cur.len) >= 0)
			return fail_at(ps, ps->cur.line, ps->cur.col, "identifier '%.*s' is already bound in this rule",
				       (int)(ps->cur.len > 40 ? 40 : ps->cur.len), ps->cur.start);
		c->ident = strndup(ps->cur.start, ps->cur.len);
		if (!c->ident)
			return fail_at(ps, ps->cur.line, ps->cur.col, "out of memory");
		if (!next(ps) || !expect(ps, T_COLON, "':' after the claim identifier"))
			return false;
	}
	if (!expect(ps, T_LBRACKET, "'[' to open a claim condition"))
		return false;
	for (;;) {
		maa_pcond pc;
		memset(&pc, 0, sizeof(pc));
		pc.line = ps->cur.line;
		pc.col = ps->cur.col;
		if (!parse_prop_name(ps, &pc.prop))
			return false;
		unsigned ol = ps->cur.line, oc = ps->cur.col;
		switch (ps->cur.kind) {
		case T_EQ: pc.op = MAA_EQ; break;
		case T_NE: pc.op = MAA_NE; break;
		case T_LT: pc.op = MAA_LT; break;
		case T_LE: pc.op = MAA_LE; break;
		case T_GT: pc.op = MAA_GT; break;
		case T_GE: pc.op = MAA_GE; break;
		case T_ASSIGN:
			if (ps->flags & COVE_MAA_PARSE_LENIENT) {
				pc.op = MAA_EQ;
				break;
			}
			return fail_at(ps, ol, oc, "expected a comparison operator (==, !=, <, <=, >, >=), found '=' (use '==')");
		default:
			return expected(ps, "a comparison operator (==, !=, <, <=, >, >=)");
		}
		if (pc.op >= MAA_LT && pc.prop != MAA_P_VALUE)
			return fail_at(ps, ol, oc, "ordering operators apply only to integer values, not to %s",
				       pc.prop == MAA_P_TYPE ? "type" : pc.prop == MAA_P_ISSUER ? "issuer" : "valueType");
		if (!next(ps))
			return false;
		pc.rhs = parse_expr(ps, r, r->nconds - 1, 0);
		if (!pc.rhs)
			return false;
		if (pc.op >= MAA_LT && pc.rhs->kind == MAA_X_LIT && !json_is_integer(pc.rhs->lit)) {
			maa_expr_free(pc.rhs);
			return fail_at(ps, ol, oc, "ordering operators apply only to integer values");
		}
		maa_pcond *np = realloc(c->pc, (c->npc + 1) * sizeof(*np));
		if (!np) {
			maa_expr_free(pc.rhs);
			return fail_at(ps, pc.line, pc.col, "out of memory");
		}
		c->pc = np;
		c->pc[c->npc++] = pc;
		if (ps->cur.kind == T_COMMA) {
			if (!next(ps))
				return false;
			continue;
		}
		if (ps->cur.kind == T_RBRACKET)
			return next(ps);
		return expected(ps, "',' or ']' in the claim condition");
	}
}

/* ---- actions ---- */

static const char *section_name(enum maa_section s)
{
	return s == MAA_S_CONFIG ? "configurationrules" : s == MAA_S_AUTHZ ? "authorizationrules" : "issuancerules";
}

static bool parse_claimspec(parser *ps, maa_rule *r, maa_action *a)
{
	bool have_type = false, have_value = false;
	if (is_ident(ps, "claim")) {
		if (!next(ps) || !expect(ps, T_ASSIGN, "'=' after 'claim'"))
			return false;
		if (ps->cur.kind != T_IDENT)
			return expected(ps, "a claim identifier after 'claim='");
		a->claim_ref = find_ident(r, r->nconds, ps->cur.start, ps->cur.len);
		if (a->claim_ref < 0)
			return fail_at(ps, ps->cur.line, ps->cur.col, "unknown claim identifier '%.*s' (not bound by a condition of this rule)",
				       (int)(ps->cur.len > 40 ? 40 : ps->cur.len), ps->cur.start);
		return next(ps);
	}
	if (ps->cur.kind == T_STRING && (ps->flags & COVE_MAA_PARSE_LENIENT)) {
		/* issue("PlatformAttested", value=true): positional type (policy-version-1-2 sample). */
		a->type = strdup(ps->cur.str);
		if (!a->type)
			return fail_at(ps, ps->cur.line, ps->cur.col, "out of memory");
		have_type = true;
		if (!next(ps))
			return false;
		if (!expect(ps, T_COMMA, "',' after the claim type"))
			return false;
	}
	for (;;) {
		enum maa_prop prop;
		unsigned nl = ps->cur.line, ncol = ps->cur.col;
		if (ps->cur.kind != T_IDENT)
			return expected(ps, "type=, value= or valueType=");
		if (!parse_prop_name(ps, &prop))
			return false;
		if (!expect(ps, T_ASSIGN, "'='"))
			return false;
		if (prop == MAA_P_TYPE) {
			if (have_type)
				return fail_at(ps, nl, ncol, "type= given twice");
			if (ps->cur.kind != T_STRING)
				return expected(ps, "a string claim type");
			if (!ps->cur.str[0])
				return fail_at(ps, ps->cur.line, ps->cur.col, "the claim type must not be empty");
			a->type = strdup(ps->cur.str);
			if (!a->type)
				return fail_at(ps, nl, ncol, "out of memory");
			have_type = true;
			if (!next(ps))
				return false;
		} else if (prop == MAA_P_VALUE) {
			if (have_value)
				return fail_at(ps, nl, ncol, "value= given twice");
			a->value = parse_expr(ps, r, r->nconds, 0);
			if (!a->value)
				return false;
			have_value = true;
		} else if (prop == MAA_P_VALUETYPE) {
			if (ps->cur.kind != T_STRING)
				return expected(ps, "\"String\", \"Integer\" or \"Boolean\"");
			if (!strcmp(ps->cur.str, "String"))
				a->value_type = "String";
			else if (!strcmp(ps->cur.str, "Integer"))
				a->value_type = "Integer";
			else if (!strcmp(ps->cur.str, "Boolean"))
				a->value_type = "Boolean";
			else
				return expected(ps, "\"String\", \"Integer\" or \"Boolean\"");
			if (!next(ps))
				return false;
		} else {
			return fail_at(ps, nl, ncol, "an action's claim takes type=, value= and valueType=, not issuer=");
		}
		if (ps->cur.kind == T_COMMA) {
			if (!next(ps))
				return false;
			continue;
		}
		break;
	}
	if (!have_type)
		return fail_at(ps, a->line, a->col, "the claim of this action has no type=");
	if (!have_value)
		return fail_at(ps, a->line, a->col, "the claim of this action has no value=");
	return true;
}

static bool parse_action(parser *ps, maa_rule *r, enum maa_section sec)
{
	maa_action *a = &r->action;
	a->claim_ref = -1;
	a->line = ps->cur.line;
	a->col = ps->cur.col;
	static const struct {
		const char *name;
		enum maa_action_kind kind;
		unsigned sections; /* bit per enum maa_section (claim-rule-grammar.md, action table) */
	} verbs[] = {
		{"permit", MAA_A_PERMIT, 1u << MAA_S_AUTHZ},
		{"deny", MAA_A_DENY, 1u << MAA_S_AUTHZ},
		{"add", MAA_A_ADD, 1u << MAA_S_AUTHZ | 1u << MAA_S_ISSUANCE},
		{"issue", MAA_A_ISSUE, 1u << MAA_S_ISSUANCE},
		{"issueproperty", MAA_A_ISSUEPROPERTY, 1u << MAA_S_ISSUANCE | 1u << MAA_S_CONFIG},
	};
	size_t v;
	for (v = 0; v < sizeof(verbs) / sizeof(verbs[0]); v++)
		if (is_ident(ps, verbs[v].name))
			break;
	if (v == sizeof(verbs) / sizeof(verbs[0]))
		return expected(ps, "an action (permit, deny, add, issue or issueproperty)");
	if (!(verbs[v].sections & (1u << sec)))
		return fail_at(ps, a->line, a->col, "%s() is not allowed in %s (allowed there: %s)", verbs[v].name,
			       section_name(sec),
			       sec == MAA_S_CONFIG ? "issueproperty" : sec == MAA_S_AUTHZ ? "permit, deny, add"
											 : "add, issue, issueproperty");
	a->kind = verbs[v].kind;
	if (!next(ps) || !expect(ps, T_LPAREN, "'(' after the action name"))
		return false;
	if (a->kind != MAA_A_PERMIT && a->kind != MAA_A_DENY && !parse_claimspec(ps, r, a))
		return false;
	return expect(ps, T_RPAREN, a->kind == MAA_A_PERMIT || a->kind == MAA_A_DENY ? "')' (permit and deny take no arguments)"
										   : "',' or ')' after the claim");
}

static bool parse_rule(parser *ps, maa_rule *r, enum maa_section sec)
{
	r->line = ps->cur.line;
	r->col = ps->cur.col;
	if (ps->cur.kind != T_ARROW) {
		for (;;) {
			if (ps->cur.kind != T_BANG && ps->cur.kind != T_IDENT && ps->cur.kind != T_LBRACKET)
				return expected(ps, r->nconds ? "a condition after '&&'" : "a rule (a condition '[...]' or '=>')");
			if (!parse_cond(ps, r))
				return false;
			if (ps->cur.kind == T_ANDAND) {
				if (!next(ps))
					return false;
				continue;
			}
			break;
		}
		if (ps->cur.kind != T_ARROW)
			return expected(ps, "'&&' or '=>' after the condition");
	}
	if (!next(ps) || !parse_action(ps, r, sec))
		return false;
	if (ps->cur.kind == T_SEMI)
		return next(ps);
	if (ps->flags & COVE_MAA_PARSE_LENIENT)
		return true;
	return expected(ps, "';' after the rule");
}

static bool section_keyword(parser *ps, enum maa_section s)
{
	const char *name = section_name(s);
	if (ps->cur.kind != T_IDENT || ps->cur.len != strlen(name))
		return false;
	if (ps->flags & COVE_MAA_PARSE_LENIENT)
		return strncasecmp(ps->cur.start, name, ps->cur.len) == 0;
	return memcmp(ps->cur.start, name, ps->cur.len) == 0;
}

static bool parse_section(parser *ps, cove_maa_policy *p, enum maa_section s)
{
	maa_section_rules *sr = &p->sec[s];
	sr->present = true;
	if (!next(ps) || !expect(ps, T_LBRACE, "'{' after the section name"))
		return false;
	while (ps->cur.kind != T_RBRACE) {
		if (ps->cur.kind == T_EOF)
			return expected(ps, "'}' to close the section");
		if (sr->nrules == MAA_MAX_RULES)
			return fail_at(ps, ps->cur.line, ps->cur.col, "more than %d rules in %s", MAA_MAX_RULES,
				       section_name(s));
		maa_rule *nr = realloc(sr->rules, (sr->nrules + 1) * sizeof(*nr));
		if (!nr)
			return fail_at(ps, ps->cur.line, ps->cur.col, "out of memory");
		sr->rules = nr;
		memset(&sr->rules[sr->nrules], 0, sizeof(*nr));
		sr->nrules++;
		if (!parse_rule(ps, &sr->rules[sr->nrules - 1], s))
			return false;
	}
	return next(ps) && expect(ps, T_SEMI, "';' after the section's '}'");
}

cove_err cove_maa_policy_parse(const char *text, size_t len, unsigned flags, cove_maa_policy **out, cove_error *e)
{
	*out = NULL;
	if (!text && len)
		return cove_error_set(e, COVE_ERR_ARG, "maa policy: NULL text");
	if (len > COVE_MAA_POLICY_MAX)
		return cove_error_set(e, COVE_ERR_PARSE, "maa policy: %zu bytes is more than the limit of %u", len,
				      COVE_MAA_POLICY_MAX);
	parser ps;
	memset(&ps, 0, sizeof(ps));
	ps.p = text ? text : "";
	ps.end = ps.p + len;
	ps.line = ps.col = 1;
	ps.flags = flags;
	ps.e = e;
	cove_maa_policy *p = calloc(1, sizeof(*p));
	if (!p)
		return cove_error_set(e, COVE_ERR_NOMEM, "maa policy: out of memory");
	/* A UTF-8 byte-order mark is not part of the policy. */
	if (len >= 3 && !memcmp(ps.p, "\xef\xbb\xbf", 3))
		ps.p += 3;
	if (!next(&ps))
		goto fail;
	if (!is_ident(&ps, "version")) {
		expected(&ps, "'version' at the start of the policy");
		goto fail;
	}
	if (!next(&ps) || !expect(&ps, T_ASSIGN, "'=' after 'version'"))
		goto fail;
	unsigned vl = ps.cur.line, vc = ps.cur.col;
	if (ps.cur.kind != T_INT) {
		expected(&ps, "a version number such as 1.0");
		goto fail;
	}
	int64_t major = ps.cur.ival;
	if (!next(&ps) || !expect(&ps, T_DOT, "'.' in the version number"))
		goto fail;
	if (ps.cur.kind != T_INT || ps.cur.len != 1) {
		expected(&ps, "the minor version (0, 1 or 2)");
		goto fail;
	}
	int64_t minor = ps.cur.ival;
	if (major != 1 || minor < 0 || minor > 2) {
		fail_at(&ps, vl, vc, "unsupported policy version %" PRId64 ".%" PRId64 " (supported: 1.0, 1.1, 1.2)", major,
			minor);
		goto fail;
	}
	p->minor = ps.minor = (int)minor;
	if (!next(&ps) || !expect(&ps, T_SEMI, "';' after the version"))
		goto fail;
	if (section_keyword(&ps, MAA_S_CONFIG)) {
		if (p->minor < 1) {
			fail_at(&ps, ps.cur.line, ps.cur.col, "configurationrules needs policy version 1.1 or later (this policy is 1.0)");
			goto fail;
		}
		if (!parse_section(&ps, p, MAA_S_CONFIG))
			goto fail;
	}
	if (!section_keyword(&ps, MAA_S_AUTHZ)) {
		expected(&ps, p->sec[MAA_S_CONFIG].present || p->minor < 1 ? "'authorizationrules'"
									   : "'configurationrules' or 'authorizationrules'");
		goto fail;
	}
	if (!parse_section(&ps, p, MAA_S_AUTHZ))
		goto fail;
	if (section_keyword(&ps, MAA_S_ISSUANCE) && !parse_section(&ps, p, MAA_S_ISSUANCE))
		goto fail;
	if (ps.failed)
		goto fail;
	if (ps.cur.kind != T_EOF) {
		expected(&ps, p->sec[MAA_S_ISSUANCE].present ? "the end of the policy" : "'issuancerules' or the end of the policy");
		goto fail;
	}
	free(ps.cur.str);
	*out = p;
	return COVE_OK;
fail:
	free(ps.cur.str);
	cove_maa_policy_free(p);
	if (!ps.failed)
		return cove_error_set(e, COVE_ERR_INTERNAL, "maa policy: parser failed without a message");
	return COVE_ERR_PARSE;
}
