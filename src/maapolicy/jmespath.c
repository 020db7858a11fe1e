/*
 * A bounded subset of JMESPath (https://jmespath.org/specification.html) for
 * the MAA 1.2 JmesPath() function (claim-rule-functions.md), over jansson.
 *
 * Supported: identifiers (bare and "quoted"), sub-expressions `a.b`, index
 * `[n]` (negative from the end), list projection `[*]`, object projection `*`,
 * flatten `[]`, filter `[?expr]`, pipe `|`, `||`, `&&`, `!`, comparisons
 * (== != < <= > >=), parentheses, current node `@`, literals `` `json` `` and
 * raw strings 'text', multi-select lists `[a, b]` and hashes `{k: a}`, and the
 * functions length, contains, starts_with, ends_with, type, keys, values,
 * to_string, to_number, not_null and MAA's equals_ignore_case (used by the
 * published TPM policies; ASCII case folding).  Not supported, refused with
 * the column: slices `[a:b]`, expression references `&`, and other functions.
 * Parsing is Pratt-style with the binding powers of the specification.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "maapolicy/maa_internal.h"

#define JP_MAX_DEPTH 64
#define JP_MAX_NODES 4096

enum jt {
	J_EOF, J_IDENT, J_QIDENT, J_RAW, J_LIT, J_NUM,
	J_DOT, J_STAR, J_LBRACKET, J_RBRACKET, J_FILTER, J_FLATTEN, J_LBRACE, J_RBRACE,
	J_LPAREN, J_RPAREN, J_COMMA, J_COLON, J_PIPE, J_OR, J_AND, J_NOT, J_AT,
	J_EQ, J_NE, J_LT, J_LE, J_GT, J_GE, J_AMP,
};

enum jn {
	N_FIELD, N_SUB, N_INDEX, N_PROJ, N_VPROJ, N_FLAT, N_FILTER, N_CMP, N_OR, N_AND, N_NOT, N_PIPE,
	N_CURRENT, N_LIT, N_MLIST, N_MHASH, N_FUNC,
};

typedef struct node {
	enum jn kind;
	enum jt op;         /* N_CMP */
	char *name;         /* N_FIELD, N_FUNC, keys of N_MHASH in kids' names */
	json_t *lit;
	long idx;
	struct node *l, *r, *cond;
	struct node **kids;
	char **keys;
	size_t nkids;
	size_t col;
} node;

typedef struct jp {
	const char *s;
	size_t pos, len;
	enum jt t;
	size_t tcol;     /* 1-based column of the current token */
	char *tstr;      /* identifier / string / raw text */
	json_t *tlit;
	long tnum;
	char *why;
	size_t why_len;
	bool failed;
	size_t nodes;
	unsigned depth;
} jp;

static bool jfail(jp *p, size_t col, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool jfail(jp *p, size_t col, const char *fmt, ...)
{
	if (p->failed)
		return false;
	p->failed = true;
	char m[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	snprintf(p->why, p->why_len, "query column %zu: %s", col, m);
	return false;
}

static void node_free(node *n)
{
	if (!n)
		return;
	free(n->name);
	json_decref(n->lit);
	node_free(n->l);
	node_free(n->r);
	node_free(n->cond);
	for (size_t i = 0; i < n->nkids; i++) {
		node_free(n->kids[i]);
		if (n->keys)
			free(n->keys[i]);
	}
	free(n->kids);
	free(n->keys);
	free(n);
}

/* Reads a delimited token body ending at `q`, with `\q` as escape of the delimiter. */
static char *read_delim(jp *p, char q, bool raw)
{
	size_t start = p->pos;
	char *out = malloc(p->len - start + 1);
	size_t n = 0;
	if (!out)
		return NULL;
	while (p->pos < p->len && p->s[p->pos] != q) {
		if (p->s[p->pos] == '\\' && p->pos + 1 < p->len && (p->s[p->pos + 1] == q || (!raw && p->s[p->pos + 1] == '\\'))) {
			if (!raw) /* quoted identifiers keep JSON escapes for json_loads */
				out[n++] = '\\';
			p->pos++;
		}
		out[n++] = p->s[p->pos++];
	}
	if (p->pos >= p->len) {
		free(out);
		jfail(p, start, "unterminated %c...%c", q, q);
		return NULL;
	}
	p->pos++;
	out[n] = '\0';
	return out;
}

static bool jnext(jp *p)
{
	free(p->tstr);
	p->tstr = NULL;
	json_decref(p->tlit);
	p->tlit = NULL;
	while (p->pos < p->len && isspace((unsigned char)p->s[p->pos]))
		p->pos++;
	p->tcol = p->pos + 1;
	if (p->pos >= p->len) {
		p->t = J_EOF;
		return true;
	}
	char c = p->s[p->pos], c1 = p->pos + 1 < p->len ? p->s[p->pos + 1] : '\0';
	if (isalpha((unsigned char)c) || c == '_') {
		size_t st = p->pos;
		while (p->pos < p->len && (isalnum((unsigned char)p->s[p->pos]) || p->s[p->pos] == '_'))
			p->pos++;
		p->tstr = strndup(p->s + st, p->pos - st);
		p->t = J_IDENT;
		return p->tstr || jfail(p, p->tcol, "out of memory");
	}
	if (isdigit((unsigned char)c) || (c == '-' && isdigit((unsigned char)c1))) {
		char *end;
		p->tnum = strtol(p->s + p->pos, &end, 10);
		p->pos = (size_t)(end - p->s);
		p->t = J_NUM;
		return true;
	}
	p->pos++;
	switch (c) {
	case '"': {
		char *body = read_delim(p, '"', false);
		if (!body)
			return jfail(p, p->tcol, "unterminated quoted identifier");
		size_t bl = strlen(body);
		char *js = malloc(bl + 3);
		if (!js) {
			free(body);
			return jfail(p, p->tcol, "out of memory");
		}
		js[0] = '"';
		memcpy(js + 1, body, bl);
		js[bl + 1] = '"';
		js[bl + 2] = '\0';
		free(body);
		json_t *v = json_loads(js, JSON_DECODE_ANY, NULL);
		free(js);
		if (!json_is_string(v)) {
			json_decref(v);
			return jfail(p, p->tcol, "invalid quoted identifier");
		}
		p->tstr = strdup(json_string_value(v));
		json_decref(v);
		p->t = J_QIDENT;
		return p->tstr || jfail(p, p->tcol, "out of memory");
	}
	case '\'':
		p->tstr = read_delim(p, '\'', true);
		p->t = J_RAW;
		return p->tstr || jfail(p, p->tcol, "unterminated raw string");
	case '`': {
		char *body = read_delim(p, '`', true);
		if (!body)
			return jfail(p, p->tcol, "unterminated literal");
		json_error_t je;
		p->tlit = json_loads(body, JSON_DECODE_ANY, &je);
		free(body);
		if (!p->tlit)
			return jfail(p, p->tcol, "literal is not valid JSON: %s", je.text);
		p->t = J_LIT;
		return true;
	}
	case '.': p->t = J_DOT; return true;
	case '*': p->t = J_STAR; return true;
	case '[':
		if (c1 == '?') { p->pos++; p->t = J_FILTER; }
		else if (c1 == ']') { p->pos++; p->t = J_FLATTEN; }
		else p->t = J_LBRACKET;
		return true;
	case ']': p->t = J_RBRACKET; return true;
	case '{': p->t = J_LBRACE; return true;
	case '}': p->t = J_RBRACE; return true;
	case '(': p->t = J_LPAREN; return true;
	case ')': p->t = J_RPAREN; return true;
	case ',': p->t = J_COMMA; return true;
	case ':': p->t = J_COLON; return true;
	case '@': p->t = J_AT; return true;
	case '|': if (c1 == '|') { p->pos++; p->t = J_OR; } else p->t = J_PIPE; return true;
	case '&': if (c1 == '&') { p->pos++; p->t = J_AND; } else p->t = J_AMP; return true;
	case '!': if (c1 == '=') { p->pos++; p->t = J_NE; } else p->t = J_NOT; return true;
	case '=': if (c1 == '=') { p->pos++; p->t = J_EQ; return true; } break;
	case '<': if (c1 == '=') { p->pos++; p->t = J_LE; } else p->t = J_LT; return true;
	case '>': if (c1 == '=') { p->pos++; p->t = J_GE; } else p->t = J_GT; return true;
	default: break;
	}
	return jfail(p, p->tcol, "unexpected character '%c'", isprint((unsigned char)c) ? c : '?');
}

static int lbp(enum jt t)
{
	switch (t) {
	case J_PIPE: return 1;
	case J_OR: return 2;
	case J_AND: return 3;
	case J_EQ: case J_NE: case J_LT: case J_LE: case J_GT: case J_GE: return 5;
	case J_FLATTEN: return 9;
	case J_STAR: return 20;
	case J_FILTER: return 21;
	case J_DOT: return 40;
	case J_NOT: return 45;
	case J_LBRACE: return 50;
	case J_LBRACKET: return 55;
	case J_LPAREN: return 60;
	default: return 0;
	}
}

static node *mk(jp *p, enum jn k, size_t col)
{
	if (++p->nodes > JP_MAX_NODES) {
		jfail(p, col, "query too large");
		return NULL;
	}
	node *n = calloc(1, sizeof(*n));
	if (!n) {
		jfail(p, col, "out of memory");
		return NULL;
	}
	n->kind = k;
	n->col = col;
	return n;
}

static node *expr(jp *p, int rbp);

static bool jexpect(jp *p, enum jt t, const char *what)
{
	if (p->t != t)
		return jfail(p, p->tcol, "expected %s", what);
	return jnext(p);
}

static node *bin(jp *p, enum jn k, node *l, node *r, size_t col)
{
	if (!l || !r) {
		node_free(l);
		node_free(r);
		return NULL;
	}
	node *n = mk(p, k, col);
	if (!n) {
		node_free(l);
		node_free(r);
		return NULL;
	}
	n->l = l;
	n->r = r;
	return n;
}

static node *multiselect_list(jp *p, size_t col);
static node *multiselect_hash(jp *p, size_t col);

/* What follows a '.': an identifier (or '*'), a multi-select list or a multi-select hash. */
static node *dot_rhs(jp *p, int bp)
{
	size_t col = p->tcol;
	if (p->t == J_IDENT || p->t == J_QIDENT || p->t == J_STAR)
		return expr(p, bp);
	if (p->t == J_LBRACKET)
		return jnext(p) ? multiselect_list(p, col) : NULL;
	if (p->t == J_LBRACE)
		return jnext(p) ? multiselect_hash(p, col) : NULL;
	jfail(p, col, "expected an identifier, '*', '[' or '{' after '.'");
	return NULL;
}

/* The right side of a projection runs on each element until a token binding looser than 10 (e.g. '|'). */
static node *projection_rhs(jp *p, int bp)
{
	if (lbp(p->t) < 10)
		return mk(p, N_CURRENT, p->tcol);
	if (p->t == J_LBRACKET || p->t == J_FILTER || p->t == J_FLATTEN)
		return expr(p, bp);
	if (p->t == J_DOT) {
		if (!jnext(p))
			return NULL;
		return dot_rhs(p, bp);
	}
	jfail(p, p->tcol, "unexpected token after a projection");
	return NULL;
}

static node *multiselect_list(jp *p, size_t col)
{
	node *n = mk(p, N_MLIST, col);
	if (!n)
		return NULL;
	for (;;) {
		node **k = realloc(n->kids, (n->nkids + 1) * sizeof(*k));
		if (!k) {
			node_free(n);
			jfail(p, col, "out of memory");
			return NULL;
		}
		n->kids = k;
		n->kids[n->nkids] = expr(p, 0);
		if (!n->kids[n->nkids]) {
			node_free(n);
			return NULL;
		}
		n->nkids++;
		if (p->t == J_COMMA) {
			if (!jnext(p)) {
				node_free(n);
				return NULL;
			}
			continue;
		}
		if (!jexpect(p, J_RBRACKET, "',' or ']'")) {
			node_free(n);
			return NULL;
		}
		return n;
	}
}

static node *multiselect_hash(jp *p, size_t col)
{
	node *n = mk(p, N_MHASH, col);
	if (!n)
		return NULL;
	for (;;) {
		if (p->t != J_IDENT && p->t != J_QIDENT) {
			jfail(p, p->tcol, "expected a key in the multi-select hash");
			goto bad;
		}
		node **k = realloc(n->kids, (n->nkids + 1) * sizeof(*k));
		char **ks = k ? realloc(n->keys, (n->nkids + 1) * sizeof(*ks)) : NULL;
		if (k)
			n->kids = k;
		if (!ks) {
			jfail(p, col, "out of memory");
			goto bad;
		}
		n->keys = ks;
		n->keys[n->nkids] = p->tstr;
		n->kids[n->nkids] = NULL;
		p->tstr = NULL;
		n->nkids++;
		if (!jnext(p) || !jexpect(p, J_COLON, "':' after the key"))
			goto bad;
		n->kids[n->nkids - 1] = expr(p, 0);
		if (!n->kids[n->nkids - 1])
			goto bad;
		if (p->t == J_COMMA) {
			if (!jnext(p))
				goto bad;
			continue;
		}
		if (!jexpect(p, J_RBRACE, "',' or '}'"))
			goto bad;
		return n;
	}
bad:
	node_free(n);
	return NULL;
}

/* After '[' (already consumed): index, '*' projection, slice (refused) or multi-select list. */
static node *bracket(jp *p, node *left, size_t col)
{
	if (p->t == J_NUM) {
		long v = p->tnum;
		if (!jnext(p))
			goto bad;
		if (p->t == J_COLON) {
			jfail(p, p->tcol, "slices [start:stop] are not supported");
			goto bad;
		}
		if (!jexpect(p, J_RBRACKET, "']' after the index"))
			goto bad;
		node *ix = mk(p, N_INDEX, col);
		if (!ix)
			goto bad;
		ix->idx = v;
		return left ? bin(p, N_SUB, left, ix, col) : ix;
	}
	if (p->t == J_COLON) {
		jfail(p, p->tcol, "slices [start:stop] are not supported");
		goto bad;
	}
	if (p->t == J_STAR && p->pos < p->len) {
		size_t save = p->pos;
		while (save < p->len && isspace((unsigned char)p->s[save]))
			save++;
		if (save < p->len && p->s[save] == ']') {
			if (!jnext(p) || !jnext(p))
				goto bad;
			node *l = left ? left : mk(p, N_CURRENT, col);
			left = NULL;
			return bin(p, N_PROJ, l, projection_rhs(p, lbp(J_STAR)), col);
		}
	}
	if (left) {
		jfail(p, col, "a multi-select list cannot follow an expression");
		goto bad;
	}
	return multiselect_list(p, col);
bad:
	node_free(left);
	return NULL;
}

static node *filter(jp *p, node *left, size_t col)
{
	node *cond = expr(p, 0);
	if (!cond || !jexpect(p, J_RBRACKET, "']' to close the filter")) {
		node_free(cond);
		node_free(left);
		return NULL;
	}
	node *n = mk(p, N_FILTER, col);
	if (!n) {
		node_free(cond);
		node_free(left);
		return NULL;
	}
	n->l = left ? left : mk(p, N_CURRENT, col);
	n->cond = cond;
	n->r = projection_rhs(p, lbp(J_FILTER));
	if (!n->l || !n->r) {
		node_free(n);
		return NULL;
	}
	return n;
}

static node *nud(jp *p)
{
	size_t col = p->tcol;
	enum jt t = p->t;
	node *n;
	switch (t) {
	case J_LIT:
	case J_RAW:
		n = mk(p, N_LIT, col);
		if (!n)
			return NULL;
		n->lit = t == J_LIT ? json_incref(p->tlit) : json_string(p->tstr);
		if (!n->lit) {
			node_free(n);
			jfail(p, col, "raw string is not valid UTF-8");
			return NULL;
		}
		if (!jnext(p)) {
			node_free(n);
			return NULL;
		}
		return n;
	case J_IDENT:
	case J_QIDENT:
		n = mk(p, N_FIELD, col);
		if (!n)
			return NULL;
		n->name = p->tstr;
		p->tstr = NULL;
		if (!jnext(p)) {
			node_free(n);
			return NULL;
		}
		if (t == J_IDENT && p->t == J_LPAREN) {
			n->kind = N_FUNC;
			if (!jnext(p))
				goto badn;
			while (p->t != J_RPAREN) {
				node **k = realloc(n->kids, (n->nkids + 1) * sizeof(*k));
				if (!k) {
					jfail(p, col, "out of memory");
					goto badn;
				}
				n->kids = k;
				n->kids[n->nkids] = expr(p, 0);
				if (!n->kids[n->nkids])
					goto badn;
				n->nkids++;
				if (p->t == J_COMMA) {
					if (!jnext(p))
						goto badn;
				} else if (p->t != J_RPAREN) {
					jfail(p, p->tcol, "expected ',' or ')' in the function arguments");
					goto badn;
				}
			}
			if (!jnext(p))
				goto badn;
		}
		return n;
	badn:
		node_free(n);
		return NULL;
	case J_AT:
		if (!jnext(p))
			return NULL;
		return mk(p, N_CURRENT, col);
	case J_STAR:
		if (!jnext(p))
			return NULL;
		return bin(p, N_VPROJ, mk(p, N_CURRENT, col), projection_rhs(p, lbp(J_STAR)), col);
	case J_FLATTEN:
		if (!jnext(p))
			return NULL;
		n = mk(p, N_FLAT, col);
		if (!n)
			return NULL;
		n->l = mk(p, N_CURRENT, col);
		return bin(p, N_PROJ, n, projection_rhs(p, lbp(J_FLATTEN)), col);
	case J_FILTER:
		if (!jnext(p))
			return NULL;
		return filter(p, NULL, col);
	case J_LBRACKET:
		if (!jnext(p))
			return NULL;
		return bracket(p, NULL, col);
	case J_LBRACE:
		if (!jnext(p))
			return NULL;
		return multiselect_hash(p, col);
	case J_NOT:
		if (!jnext(p))
			return NULL;
		n = mk(p, N_NOT, col);
		if (!n)
			return NULL;
		n->l = expr(p, lbp(J_NOT));
		if (!n->l) {
			node_free(n);
			return NULL;
		}
		return n;
	case J_LPAREN:
		if (!jnext(p))
			return NULL;
		n = expr(p, 0);
		if (n && !jexpect(p, J_RPAREN, "')'")) {
			node_free(n);
			return NULL;
		}
		return n;
	case J_AMP:
		jfail(p, col, "expression references (&) are not supported");
		return NULL;
	case J_NUM:
		jfail(p, col, "a bare number is not an expression (use `%ld`)", p->tnum);
		return NULL;
	case J_EOF:
		jfail(p, col, "unexpected end of query");
		return NULL;
	default:
		jfail(p, col, "unexpected token");
		return NULL;
	}
}

static node *led(jp *p, node *left)
{
	size_t col = p->tcol;
	enum jt t = p->t;
	if (!jnext(p)) {
		node_free(left);
		return NULL;
	}
	switch (t) {
	case J_DOT:
		if (p->t == J_STAR) {
			if (!jnext(p)) {
				node_free(left);
				return NULL;
			}
			return bin(p, N_VPROJ, left, projection_rhs(p, lbp(J_STAR)), col);
		}
		return bin(p, N_SUB, left, dot_rhs(p, lbp(J_DOT)), col);
	case J_PIPE:
		return bin(p, N_PIPE, left, expr(p, lbp(J_PIPE)), col);
	case J_OR:
		return bin(p, N_OR, left, expr(p, lbp(J_OR)), col);
	case J_AND:
		return bin(p, N_AND, left, expr(p, lbp(J_AND)), col);
	case J_EQ: case J_NE: case J_LT: case J_LE: case J_GT: case J_GE: {
		node *n = bin(p, N_CMP, left, expr(p, lbp(t)), col);
		if (n)
			n->op = t;
		return n;
	}
	case J_LBRACKET:
		return bracket(p, left, col);
	case J_FLATTEN: {
		node *f = mk(p, N_FLAT, col);
		if (!f) {
			node_free(left);
			return NULL;
		}
		f->l = left;
		return bin(p, N_PROJ, f, projection_rhs(p, lbp(J_FLATTEN)), col);
	}
	case J_FILTER:
		return filter(p, left, col);
	default:
		node_free(left);
		jfail(p, col, "unexpected token");
		return NULL;
	}
}

static node *expr(jp *p, int rbp)
{
	if (++p->depth > JP_MAX_DEPTH) {
		jfail(p, p->tcol, "query nested too deeply");
		return NULL;
	}
	node *left = nud(p);
	while (left && rbp < lbp(p->t)) {
		if (p->t == J_LPAREN || p->t == J_LBRACE || p->t == J_STAR || p->t == J_NOT) {
			node_free(left);
			left = NULL;
			jfail(p, p->tcol, "unexpected token");
			break;
		}
		left = led(p, left);
	}
	p->depth--;
	return left;
}

/* ---- evaluation ---- */

static bool truthy(const json_t *v)
{
	if (!v || json_is_null(v) || json_is_false(v))
		return false;
	if (json_is_string(v))
		return json_string_length(v) > 0;
	if (json_is_array(v))
		return json_array_size(v) > 0;
	if (json_is_object(v))
		return json_object_size(v) > 0;
	return true;
}

typedef struct jev {
	char *why;
	size_t why_len;
	bool failed;
	unsigned depth;
} jev;

static json_t *ev(jev *x, const node *n, json_t *v);

static json_t *efail(jev *x, const node *n, const char *fmt, const char *arg)
{
	if (!x->failed) {
		x->failed = true;
		char m[160];
		snprintf(m, sizeof(m), fmt, arg);
		snprintf(x->why, x->why_len, "query column %zu: %s", n->col, m);
	}
	return NULL;
}

static bool jnumber(const json_t *v, double *d)
{
	if (!json_is_number(v))
		return false;
	*d = json_number_value(v);
	return true;
}

static json_t *fn_call(jev *x, const node *n, json_t *v)
{
	json_t *a[4] = {0};
	json_t *res = NULL;
	if (n->nkids > 4)
		return efail(x, n, "too many arguments to %s()", n->name);
	for (size_t i = 0; i < n->nkids; i++) {
		a[i] = ev(x, n->kids[i], v);
		if (!a[i])
			goto out;
	}
#define ARGS(k)                                                                            \
	do {                                                                               \
		if (n->nkids != (k)) {                                                     \
			efail(x, n, "wrong number of arguments to %s()", n->name);        \
			goto out;                                                          \
		}                                                                          \
	} while (0)
	if (!strcmp(n->name, "length")) {
		ARGS(1);
		if (json_is_string(a[0])) {
			/* code points, not bytes */
			size_t cps = 0;
			for (const unsigned char *s = (const unsigned char *)json_string_value(a[0]); *s; s++)
				cps += (*s & 0xc0) != 0x80;
			res = json_integer((json_int_t)cps);
		} else if (json_is_array(a[0])) {
			res = json_integer((json_int_t)json_array_size(a[0]));
		} else if (json_is_object(a[0])) {
			res = json_integer((json_int_t)json_object_size(a[0]));
		} else {
			efail(x, n, "%s() needs a string, array or object", n->name);
		}
	} else if (!strcmp(n->name, "contains")) {
		ARGS(2);
		if (json_is_array(a[0])) {
			bool f = false;
			size_t i;
			json_t *el;
			json_array_foreach(a[0], i, el)
				if (json_equal(el, a[1]))
					f = true;
			res = json_boolean(f);
		} else if (json_is_string(a[0]) && json_is_string(a[1])) {
			res = json_boolean(strstr(json_string_value(a[0]), json_string_value(a[1])) != NULL);
		} else {
			efail(x, n, "%s() needs an array or a string", n->name);
		}
	} else if (!strcmp(n->name, "starts_with") || !strcmp(n->name, "ends_with") ||
		   !strcmp(n->name, "equals_ignore_case")) {
		ARGS(2);
		if (!json_is_string(a[0]) || !json_is_string(a[1])) {
			/* equals_ignore_case on a missing field is simply false */
			if (!strcmp(n->name, "equals_ignore_case"))
				res = json_false();
			else
				efail(x, n, "%s() needs two strings", n->name);
			goto out;
		}
		const char *s = json_string_value(a[0]), *t = json_string_value(a[1]);
		size_t sl = strlen(s), tl = strlen(t);
		if (n->name[0] == 's')
			res = json_boolean(sl >= tl && !memcmp(s, t, tl));
		else if (n->name[0] == 'e' && n->name[1] == 'n')
			res = json_boolean(sl >= tl && !memcmp(s + sl - tl, t, tl));
		else
			res = json_boolean(sl == tl && !strcasecmp(s, t));
	} else if (!strcmp(n->name, "type")) {
		ARGS(1);
		const char *tn = json_is_string(a[0]) ? "string" : json_is_number(a[0]) ? "number"
			: json_is_boolean(a[0]) ? "boolean" : json_is_array(a[0]) ? "array"
			: json_is_object(a[0]) ? "object" : "null";
		res = json_string(tn);
	} else if (!strcmp(n->name, "keys") || !strcmp(n->name, "values")) {
		ARGS(1);
		if (!json_is_object(a[0])) {
			efail(x, n, "%s() needs an object", n->name);
			goto out;
		}
		res = json_array();
		const char *k;
		json_t *el;
		json_object_foreach(a[0], k, el)
			json_array_append_new(res, n->name[0] == 'k' ? json_string(k) : json_incref(el));
	} else if (!strcmp(n->name, "to_string")) {
		ARGS(1);
		if (json_is_string(a[0])) {
			res = json_incref(a[0]);
		} else {
			char *s = json_dumps(a[0], JSON_COMPACT | JSON_ENCODE_ANY);
			res = s ? json_string(s) : NULL;
			free(s);
		}
	} else if (!strcmp(n->name, "to_number")) {
		ARGS(1);
		if (json_is_number(a[0])) {
			res = json_incref(a[0]);
		} else if (json_is_string(a[0])) {
			json_t *j = json_loads(json_string_value(a[0]), JSON_DECODE_ANY, NULL);
			res = json_is_number(j) ? j : (json_decref(j), json_null());
		} else {
			res = json_null();
		}
	} else if (!strcmp(n->name, "not_null")) {
		for (size_t i = 0; i < n->nkids && !res; i++)
			if (!json_is_null(a[i]))
				res = json_incref(a[i]);
		if (!res)
			res = json_null();
	} else {
		efail(x, n, "function %s() is not supported", n->name);
	}
#undef ARGS
out:
	for (size_t i = 0; i < 4; i++)
		json_decref(a[i]);
	if (!res && !x->failed)
		efail(x, n, "%s", "out of memory");
	return res;
}

/* Collects r applied to each element (non-null results), for projections. */
static json_t *project(jev *x, const node *n, json_t *elems, const node *cond)
{
	json_t *out = json_array();
	size_t i;
	json_t *el;
	json_array_foreach(elems, i, el) {
		if (cond) {
			json_t *c = ev(x, cond, el);
			if (!c) {
				json_decref(out);
				return NULL;
			}
			bool keep = truthy(c);
			json_decref(c);
			if (!keep)
				continue;
		}
		json_t *r = ev(x, n->r, el);
		if (!r) {
			json_decref(out);
			return NULL;
		}
		if (json_is_null(r))
			json_decref(r);
		else
			json_array_append_new(out, r);
	}
	return out;
}

static json_t *ev(jev *x, const node *n, json_t *v)
{
	if (x->failed)
		return NULL;
	if (++x->depth > 256) {
		x->depth--;
		return efail(x, n, "%s", "evaluation nested too deeply");
	}
	json_t *res = NULL;
	switch (n->kind) {
	case N_FIELD:
		res = json_is_object(v) ? json_object_get(v, n->name) : NULL;
		res = res ? json_incref(res) : json_null();
		break;
	case N_SUB:
	case N_PIPE: {
		json_t *l = ev(x, n->l, v);
		if (!l)
			break;
		res = (n->kind == N_SUB && json_is_null(l)) ? json_null() : ev(x, n->r, l);
		json_decref(l);
		break;
	}
	case N_INDEX:
		if (json_is_array(v)) {
			long sz = (long)json_array_size(v), i = n->idx < 0 ? sz + n->idx : n->idx;
			res = (i >= 0 && i < sz) ? json_incref(json_array_get(v, (size_t)i)) : json_null();
		} else {
			res = json_null();
		}
		break;
	case N_PROJ:
	case N_VPROJ: {
		json_t *l = ev(x, n->l, v);
		if (!l)
			break;
		if (n->kind == N_PROJ && json_is_array(l)) {
			res = project(x, n, l, NULL);
		} else if (n->kind == N_VPROJ && json_is_object(l)) {
			json_t *vals = json_array();
			const char *k;
			json_t *el;
			json_object_foreach(l, k, el)
				json_array_append(vals, el);
			res = project(x, n, vals, NULL);
			json_decref(vals);
		} else {
			res = json_null();
		}
		json_decref(l);
		break;
	}
	case N_FILTER: {
		json_t *l = ev(x, n->l, v);
		if (!l)
			break;
		res = json_is_array(l) ? project(x, n, l, n->cond) : json_null();
		json_decref(l);
		break;
	}
	case N_FLAT: {
		json_t *l = ev(x, n->l, v);
		if (!l)
			break;
		if (json_is_array(l)) {
			res = json_array();
			size_t i;
			json_t *el;
			json_array_foreach(l, i, el) {
				if (json_is_array(el))
					json_array_extend(res, el);
				else
					json_array_append(res, el);
			}
		} else {
			res = json_null();
		}
		json_decref(l);
		break;
	}
	case N_CMP: {
		json_t *l = ev(x, n->l, v), *r = l ? ev(x, n->r, v) : NULL;
		if (l && r) {
			double a, b;
			if (n->op == J_EQ || n->op == J_NE) {
				bool eq = (jnumber(l, &a) && jnumber(r, &b)) ? a == b : json_equal(l, r);
				res = json_boolean(n->op == J_EQ ? eq : !eq);
			} else if (jnumber(l, &a) && jnumber(r, &b)) {
				res = json_boolean(n->op == J_LT ? a < b : n->op == J_LE ? a <= b : n->op == J_GT ? a > b : a >= b);
			} else {
				res = json_null();
			}
		}
		json_decref(l);
		json_decref(r);
		break;
	}
	case N_OR:
	case N_AND: {
		json_t *l = ev(x, n->l, v);
		if (!l)
			break;
		if ((n->kind == N_OR) == truthy(l)) {
			res = l;
			break;
		}
		json_decref(l);
		res = ev(x, n->r, v);
		break;
	}
	case N_NOT: {
		json_t *l = ev(x, n->l, v);
		if (l)
			res = json_boolean(!truthy(l));
		json_decref(l);
		break;
	}
	case N_CURRENT:
		res = json_incref(v);
		break;
	case N_LIT:
		res = json_incref(n->lit);
		break;
	case N_MLIST:
	case N_MHASH:
		if (json_is_null(v)) {
			res = json_null();
			break;
		}
		res = n->kind == N_MLIST ? json_array() : json_object();
		for (size_t i = 0; res && i < n->nkids; i++) {
			json_t *k = ev(x, n->kids[i], v);
			if (!k) {
				json_decref(res);
				res = NULL;
				break;
			}
			if (n->kind == N_MLIST)
				json_array_append_new(res, k);
			else
				json_object_set_new(res, n->keys[i], k);
		}
		break;
	case N_FUNC:
		res = fn_call(x, n, v);
		break;
	}
	x->depth--;
	if (!res && !x->failed)
		efail(x, n, "%s", "out of memory");
	return res;
}

bool maa_jmespath_search(const char *query, json_t *data, json_t **out, char *why, size_t why_len)
{
	jp p;
	memset(&p, 0, sizeof(p));
	p.s = query;
	p.len = strlen(query);
	p.why = why;
	p.why_len = why_len;
	*out = NULL;
	node *root = NULL;
	if (jnext(&p)) {
		root = expr(&p, 0);
		if (root && p.t != J_EOF) {
			jfail(&p, p.tcol, "unexpected token after the end of the expression");
			node_free(root);
			root = NULL;
		}
	}
	free(p.tstr);
	json_decref(p.tlit);
	if (!root)
		return false;
	jev x = {why, why_len, false, 0};
	*out = ev(&x, root, data);
	node_free(root);
	return *out != NULL;
}
