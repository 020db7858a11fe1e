/*
 * EDL parser: recursive descent over the grammar of both dialects, Intel's
 * sdk/edger8r/linux/Parser.mly and oeedger8r-cpp docs/Grammar.md (summarised
 * in shared/research/sgx-tdx.md section e and docs/edl.md):
 *
 *   file     := "enclave" "{" item* "}" [";"]
 *   item     := "include" STRING | "import" STRING [";"]
 *             | "from" STRING "import" ("*" | ID ("," ID)*) ";"
 *             | ("struct"|"union") ID "{" (decl ";")* "}" ";"
 *             | "enum" [ID] "{" [ID ["=" ["-"] (NUM|ID)] ("," ...)* [","]] "}" ";"
 *             | "trusted" "{" (include | ["public"] func)* "}" ";"
 *             | "untrusted" "{" (include | ["[" callconv,... "]"] func)* "}" ";"
 *   func     := type ID "(" ["void" | decl ("," decl)*] ")" suffix* ";"
 *   suffix   := "allow" "(" [ID ("," ID)*] ")" | "propagate_errno" | "transition_using_threads"
 *   decl     := ["[" attr ("," attr)* "]"] type ID ("[" (NUM|ID) "]")*
 *   type     := ["const"] base "*"*
 *
 * Keywords are contextual, as in both SDKs.  The parser checks syntax, the
 * spelling and uniqueness of attributes and prefixes; everything that needs
 * the whole file (names, types, directions) is sema.c's.  After a syntax
 * error it skips to the end of the declaration (the next ';' or closing
 * brace at the same depth) and goes on, so every error is reported.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edl/internal.h"

typedef struct parser {
	edl_ctx *ctx;
	edl_unit *u;
	edl_lexer lx;
	edl_token tok;  /* current */
	edl_token next; /* one ahead */
	edl_token prev; /* last consumed */
	edl_arena *a;
} parser;

/* ---- token stream ---- */

static void advance(parser *p)
{
	p->prev = p->tok;
	p->tok = p->next;
	if (p->tok.kind != TOK_EOF)
		edl_lexer_next(&p->lx, &p->next);
	else
		p->next = p->tok;
}

static cove_edl_loc tok_loc(parser *p, const edl_token *t)
{
	cove_edl_loc l = {p->u->path, t->line, t->col};
	return l;
}

/* Just past the previous token: where a missing ';' or ')' belongs. */
static cove_edl_loc after_prev(parser *p)
{
	cove_edl_loc l = {p->u->path, p->prev.line, p->prev.col};
	if (p->prev.line == 0)
		return tok_loc(p, &p->tok);
	size_t c = (size_t)p->prev.col + p->prev.len;
	l.col = c > UINT32_MAX ? UINT32_MAX : (uint32_t)c;
	return l;
}

static bool at(parser *p, edl_tok kind)
{
	return p->tok.kind == kind;
}

static bool at_word(parser *p, const char *w)
{
	return edl_tok_is(&p->tok, w);
}

static bool accept(parser *p, edl_tok kind)
{
	if (p->tok.kind != kind)
		return false;
	advance(p);
	return true;
}

static bool accept_word(parser *p, const char *w)
{
	if (!edl_tok_is(&p->tok, w))
		return false;
	advance(p);
	return true;
}

static void error_at(parser *p, const cove_edl_loc *l, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void error_at(parser *p, const cove_edl_loc *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	edl_vreport(p->ctx, p->u, COVE_EDL_ERROR, l, NULL, fmt, ap);
	va_end(ap);
}

static const char *tok_name(edl_tok k)
{
	switch (k) {
	case TOK_LBRACE:
		return "`{'";
	case TOK_RBRACE:
		return "`}'";
	case TOK_LPAREN:
		return "`('";
	case TOK_RPAREN:
		return "`)'";
	case TOK_LBRACK:
		return "`['";
	case TOK_RBRACK:
		return "`]'";
	case TOK_COMMA:
		return "`,'";
	case TOK_SEMI:
		return "`;'";
	case TOK_EQUAL:
		return "`='";
	case TOK_STAR:
		return "`*'";
	case TOK_STRING:
		return "a quoted file name";
	case TOK_NUMBER:
		return "a number";
	case TOK_IDENT:
		return "an identifier";
	default:
		return "a token";
	}
}

/* Report "expected X before Y"; ';' ')' ']' are placed just after the previous token. */
static void expected(parser *p, const char *what)
{
	char d[96];
	edl_tok_describe(&p->tok, d, sizeof(d));
	cove_edl_loc l = tok_loc(p, &p->tok);
	if (p->prev.line && p->prev.line != p->tok.line && what[0] == '`' && strchr(";)]", what[1]))
		l = after_prev(p);
	error_at(p, &l, "expected %s before %s", what, d);
}

static bool expect(parser *p, edl_tok kind)
{
	if (accept(p, kind))
		return true;
	expected(p, tok_name(kind));
	return false;
}

/*
 * Error recovery: skip to the end of the current declaration, i.e. past the
 * next ';' at nesting depth 0, or up to (not past) a '}' closing the
 * enclosing block.
 */
static void recover(parser *p)
{
	int depth = 0;
	while (!at(p, TOK_EOF)) {
		edl_tok k = p->tok.kind;
		if (depth == 0 && k == TOK_SEMI) {
			advance(p);
			return;
		}
		if (depth == 0 && k == TOK_RBRACE)
			return;
		if (k == TOK_LBRACE || k == TOK_LPAREN || k == TOK_LBRACK)
			depth++;
		else if ((k == TOK_RBRACE || k == TOK_RPAREN || k == TOK_RBRACK) && depth > 0)
			depth--;
		advance(p);
	}
}

static const char *tok_str(parser *p, const edl_token *t)
{
	return edl_strndup(p->a, t->text, t->len);
}

/* Inner text of a string token (quotes removed; an unterminated one was already reported). */
static const char *string_value(parser *p, const edl_token *t)
{
	size_t n = t->len;
	const char *s = t->text;
	if (n && s[0] == '"') {
		s++;
		n--;
	}
	if (n && s[n - 1] == '"')
		n--;
	return edl_strndup(p->a, s, n);
}

/* Words that cannot name a foreign type or a declaration. */
static bool is_reserved(const edl_token *t)
{
	static const char *const words[] = {
	    "enclave",
	    "trusted",
	    "untrusted",
	    "include",
	    "import",
	    "from",
	    "public",
	    "const",
	    "struct",
	    "union",
	    "enum",
	    "unsigned",
	    "signed",
	    "long",
	    "short",
	    "int",
	    "char",
	    "float",
	    "double",
	    "void",
	    "bool",
	    "wchar_t",
	    "size_t",
	    "int8_t",
	    "int16_t",
	    "int32_t",
	    "int64_t",
	    "uint8_t",
	    "uint16_t",
	    "uint32_t",
	    "uint64_t",
	    "allow",
	    "propagate_errno",
	    "transition_using_threads",
	};
	if (t->kind != TOK_IDENT)
		return false;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (edl_tok_is(t, words[i]))
			return true;
	return false;
}

/* Decimal or 0x-hexadecimal number token; false (reported) when malformed or too large. */
static bool number_value(parser *p, const edl_token *t, uint64_t *out)
{
	char buf[40];
	cove_edl_loc l = tok_loc(p, t);
	if (t->len >= sizeof(buf)) {
		error_at(p, &l, "number `%.*s...' is too large", 20, t->text);
		return false;
	}
	memcpy(buf, t->text, t->len);
	buf[t->len] = '\0';
	int base = 10;
	const char *digits = buf;
	if (buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X')) {
		base = 16;
		digits = buf + 2;
	}
	bool ok = *digits != '\0';
	for (const char *c = digits; *c && ok; c++) {
		if (base == 10)
			ok = *c >= '0' && *c <= '9';
		else
			ok = (*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f') || (*c >= 'A' && *c <= 'F');
	}
	if (!ok) {
		error_at(p, &l, "invalid number `%s'", buf);
		return false;
	}
	errno = 0;
	unsigned long long v = strtoull(digits, NULL, base);
	if (errno == ERANGE) {
		error_at(p, &l, "number `%s' is too large", buf);
		return false;
	}
	*out = (uint64_t)v;
	return true;
}

/* ---- types ---- */

/*
 * Integer types: [unsigned|signed] (char | short [int] | int | long [int] |
 * long long [int]) | unsigned | signed | long double.  Returns false when
 * the current token does not start one.
 */
static bool parse_int_type(parser *p, cove_edl_type_kind *kind)
{
	int sign = 0; /* 1 unsigned, -1 signed */
	if (accept_word(p, "unsigned"))
		sign = 1;
	else if (accept_word(p, "signed"))
		sign = -1;
	if (accept_word(p, "char")) {
		*kind = sign > 0 ? COVE_EDL_TYPE_UCHAR : sign < 0 ? COVE_EDL_TYPE_SCHAR : COVE_EDL_TYPE_CHAR;
		return true;
	}
	if (accept_word(p, "short")) {
		accept_word(p, "int");
		*kind = sign > 0 ? COVE_EDL_TYPE_USHORT : COVE_EDL_TYPE_SHORT;
		return true;
	}
	if (accept_word(p, "int")) {
		*kind = sign > 0 ? COVE_EDL_TYPE_UINT : COVE_EDL_TYPE_INT;
		return true;
	}
	if (accept_word(p, "long")) {
		if (accept_word(p, "long")) {
			accept_word(p, "int");
			*kind = sign > 0 ? COVE_EDL_TYPE_ULLONG : COVE_EDL_TYPE_LLONG;
			return true;
		}
		if (sign == 0 && accept_word(p, "double")) {
			*kind = COVE_EDL_TYPE_LDOUBLE;
			return true;
		}
		accept_word(p, "int");
		*kind = sign > 0 ? COVE_EDL_TYPE_ULONG : COVE_EDL_TYPE_LONG;
		return true;
	}
	if (sign) {
		*kind = sign > 0 ? COVE_EDL_TYPE_UINT : COVE_EDL_TYPE_INT;
		return true;
	}
	return false;
}

static const struct {
	const char *word;
	cove_edl_type_kind kind;
} simple_types[] = {
    {"void", COVE_EDL_TYPE_VOID},       {"bool", COVE_EDL_TYPE_BOOL},       {"float", COVE_EDL_TYPE_FLOAT},
    {"double", COVE_EDL_TYPE_DOUBLE},   {"wchar_t", COVE_EDL_TYPE_WCHAR},   {"size_t", COVE_EDL_TYPE_SIZE_T},
    {"int8_t", COVE_EDL_TYPE_INT8},     {"int16_t", COVE_EDL_TYPE_INT16},   {"int32_t", COVE_EDL_TYPE_INT32},
    {"int64_t", COVE_EDL_TYPE_INT64},   {"uint8_t", COVE_EDL_TYPE_UINT8},   {"uint16_t", COVE_EDL_TYPE_UINT16},
    {"uint32_t", COVE_EDL_TYPE_UINT32}, {"uint64_t", COVE_EDL_TYPE_UINT64},
};

/* type := ["const"] base "*"*; false (reported) on a syntax error. */
static bool parse_type(parser *p, cove_edl_type *t)
{
	memset(t, 0, sizeof(*t));
	t->loc = tok_loc(p, &p->tok);
	if (accept_word(p, "const"))
		t->is_const = true;
	bool found = false;
	if (parse_int_type(p, &t->kind)) {
		found = true;
	} else {
		for (size_t i = 0; i < sizeof(simple_types) / sizeof(simple_types[0]); i++) {
			if (accept_word(p, simple_types[i].word)) {
				t->kind = simple_types[i].kind;
				found = true;
				break;
			}
		}
	}
	if (!found && (at_word(p, "struct") || at_word(p, "union") || at_word(p, "enum"))) {
		t->kind = at_word(p, "struct")  ? COVE_EDL_TYPE_STRUCT
			  : at_word(p, "union") ? COVE_EDL_TYPE_UNION
						: COVE_EDL_TYPE_ENUM;
		advance(p);
		if (!at(p, TOK_IDENT) || is_reserved(&p->tok)) {
			expected(p, t->kind == COVE_EDL_TYPE_STRUCT  ? "a struct name"
				    : t->kind == COVE_EDL_TYPE_UNION ? "a union name"
								     : "an enum name");
			return false;
		}
		t->name = tok_str(p, &p->tok);
		t->keyword = true;
		advance(p);
		found = true;
	}
	if (!found && at(p, TOK_IDENT) && !is_reserved(&p->tok)) {
		t->kind = COVE_EDL_TYPE_FOREIGN;
		t->name = tok_str(p, &p->tok);
		advance(p);
		found = true;
	}
	if (!found) {
		expected(p, "a type");
		return false;
	}
	if (at_word(p, "const")) {
		cove_edl_loc l = tok_loc(p, &p->tok);
		error_at(p, &l, "`const' after the type name is not supported in EDL; write `const' first");
		return false;
	}
	while (accept(p, TOK_STAR)) {
		if (t->ptr < UINT32_MAX)
			t->ptr++;
		if (at_word(p, "const")) {
			cove_edl_loc l = tok_loc(p, &p->tok);
			error_at(p, &l, "`* const' (a constant pointer) is not supported in EDL");
			return false;
		}
	}
	return true;
}

/* ---- attributes ---- */

static const char *const attr_words[COVE_EDL_ATTR_KIND_COUNT] = {
    [COVE_EDL_ATTR_IN] = "in",         [COVE_EDL_ATTR_OUT] = "out",           [COVE_EDL_ATTR_USER_CHECK] = "user_check",
    [COVE_EDL_ATTR_STRING] = "string", [COVE_EDL_ATTR_WSTRING] = "wstring",   [COVE_EDL_ATTR_ISPTR] = "isptr",
    [COVE_EDL_ATTR_ISARY] = "isary",   [COVE_EDL_ATTR_READONLY] = "readonly", [COVE_EDL_ATTR_SIZE] = "size",
    [COVE_EDL_ATTR_COUNT] = "count",
};

static void set_attr(cove_edl_attrs *a, cove_edl_attr_kind k)
{
	switch (k) {
	case COVE_EDL_ATTR_IN:
		a->in = true;
		break;
	case COVE_EDL_ATTR_OUT:
		a->out = true;
		break;
	case COVE_EDL_ATTR_USER_CHECK:
		a->user_check = true;
		break;
	case COVE_EDL_ATTR_STRING:
		a->string = true;
		break;
	case COVE_EDL_ATTR_WSTRING:
		a->wstring = true;
		break;
	case COVE_EDL_ATTR_ISPTR:
		a->isptr = true;
		break;
	case COVE_EDL_ATTR_ISARY:
		a->isary = true;
		break;
	case COVE_EDL_ATTR_READONLY:
		a->readonly = true;
		break;
	default:
		break;
	}
}

/* "[" attr ("," attr)* "]" for a parameter or a member. */
static bool parse_attrs(parser *p, cove_edl_attrs *a)
{
	a->present = true;
	a->loc = tok_loc(p, &p->tok);
	advance(p); /* '[' */
	if (at(p, TOK_RBRACK)) {
		cove_edl_loc l = a->loc;
		error_at(p, &l, "empty attribute list `[]'");
		advance(p);
		return true;
	}
	for (;;) {
		if (!at(p, TOK_IDENT)) {
			expected(p, "an attribute");
			return false;
		}
		edl_token name = p->tok;
		cove_edl_loc l = tok_loc(p, &name);
		advance(p);
		int kind = -1;
		for (int k = 0; k < COVE_EDL_ATTR_KIND_COUNT; k++)
			if (edl_tok_is(&name, attr_words[k]))
				kind = k;
		if (edl_tok_is(&name, "sizefunc")) {
			error_at(p, &l, "attribute `sizefunc' is deprecated (Intel) and unsupported; use `size='");
		} else if (kind < 0) {
			char d[96];
			error_at(p, &l, "unknown attribute %s", edl_tok_describe(&name, d, sizeof(d)));
		} else if (kind == COVE_EDL_ATTR_READONLY && p->ctx->opts.dialect == COVE_EDL_DIALECT_OE) {
			error_at(p, &l,
				 "unknown attribute `readonly' (the Open Enclave dialect has no `readonly'; "
				 "Intel's accepts it)");
		} else if (a->at[kind].line) {
			error_at(p, &l, "duplicated attribute `%s' (first given at column %u)", attr_words[kind],
				 (unsigned)a->at[kind].col);
		} else {
			a->at[kind] = l;
			set_attr(a, (cove_edl_attr_kind)kind);
		}
		if (accept(p, TOK_EQUAL)) {
			cove_edl_size sz = {0};
			sz.present = true;
			sz.loc = l;
			if (at(p, TOK_NUMBER)) {
				number_value(p, &p->tok, &sz.value);
				advance(p);
			} else if (at(p, TOK_IDENT) && !is_reserved(&p->tok)) {
				sz.ident = tok_str(p, &p->tok);
				advance(p);
			} else {
				expected(p, "a number or a parameter name");
				return false;
			}
			if (kind == COVE_EDL_ATTR_SIZE || kind == COVE_EDL_ATTR_COUNT) {
				cove_edl_size *dst = kind == COVE_EDL_ATTR_SIZE ? &a->size : &a->count;
				if (!dst->present)
					*dst = sz;
			} else if (kind >= 0) {
				error_at(p, &l, "attribute `%s' takes no value", attr_words[kind]);
			}
		} else if (kind == COVE_EDL_ATTR_SIZE || kind == COVE_EDL_ATTR_COUNT) {
			error_at(p, &l, "attribute `%s' needs a value (`%s=N' or `%s=param')", attr_words[kind],
				 attr_words[kind], attr_words[kind]);
		}
		if (accept(p, TOK_RBRACK))
			return true;
		if (!expect(p, TOK_COMMA))
			return false;
	}
}

/* ---- declarations ---- */

static bool parse_dims(parser *p, edl_vec *dims)
{
	while (at(p, TOK_LBRACK)) {
		cove_edl_dim d = {0};
		d.loc = tok_loc(p, &p->tok);
		advance(p);
		if (at(p, TOK_RBRACK)) {
			error_at(p, &d.loc, "flexible array dimension `[]' is not supported; give a size");
			advance(p);
			continue;
		}
		if (at(p, TOK_NUMBER)) {
			if (number_value(p, &p->tok, &d.value) && d.value == 0)
				error_at(p, &d.loc, "zero-length array is not supported");
			advance(p);
		} else if (at(p, TOK_IDENT) && !is_reserved(&p->tok)) {
			d.ident = tok_str(p, &p->tok);
			advance(p);
		} else {
			expected(p, "an array dimension");
			return false;
		}
		if (!expect(p, TOK_RBRACK))
			return false;
		if (!edl_vec_push(dims, &d, sizeof(d)))
			p->ctx->oom = true;
	}
	return true;
}

/* decl := [attrs] type ID dims; false on a syntax error (reported). */
static bool parse_decl(parser *p, cove_edl_decl *d)
{
	memset(d, 0, sizeof(*d));
	if (at(p, TOK_LBRACK) && !parse_attrs(p, &d->attrs))
		return false;
	if (!parse_type(p, &d->type))
		return false;
	if (!at(p, TOK_IDENT) || is_reserved(&p->tok)) {
		expected(p, "a name");
		return false;
	}
	d->name = tok_str(p, &p->tok);
	d->loc = tok_loc(p, &p->tok);
	advance(p);
	edl_vec dims = {0};
	bool ok = parse_dims(p, &dims);
	d->ndims = dims.len;
	d->dims = edl_vec_finish(&dims, p->a, sizeof(cove_edl_dim));
	return ok;
}

/* ---- top-level items ---- */

static void add_include(parser *p, const edl_token *kw)
{
	(void)kw;
	if (!at(p, TOK_STRING)) {
		expected(p, "a quoted header name after `include'");
		recover(p);
		return;
	}
	cove_edl_include *inc = edl_alloc(p->a, sizeof(*inc));
	if (!inc)
		return;
	inc->path = string_value(p, &p->tok);
	inc->loc = tok_loc(p, &p->tok);
	inc->origin = p->u->path;
	advance(p);
	if (inc->path && inc->path[0] == '\0')
		error_at(p, &inc->loc, "empty header name in `include'");
	edl_unit_add_include(p->ctx, p->u, inc);
	/* A ';' after an include is not in either grammar, but harmless. */
	accept(p, TOK_SEMI);
}

/* Bring `child`'s types and includes into the unit (both SDKs do so for any import). */
static void merge_decls(parser *p, edl_unit *child, const cove_edl_loc *at_loc)
{
	for (size_t i = 0; i < child->types.len; i++)
		edl_unit_add_type(p->ctx, p->u, EDL_VEC_AT(&child->types, cove_edl_user_type *, i), at_loc);
	for (size_t i = 0; i < child->includes.len; i++)
		edl_unit_add_include(p->ctx, p->u, EDL_VEC_AT(&child->includes, cove_edl_include *, i));
}

static void import_all(parser *p, edl_unit *child, const cove_edl_loc *at_loc)
{
	for (size_t i = 0; i < child->ecalls.len; i++)
		edl_unit_add_func(p->ctx, p->u, &p->u->imported_ecalls, EDL_VEC_AT(&child->ecalls, cove_edl_func *, i),
				  at_loc);
	for (size_t i = 0; i < child->ocalls.len; i++)
		edl_unit_add_func(p->ctx, p->u, &p->u->imported_ocalls, EDL_VEC_AT(&child->ocalls, cove_edl_func *, i),
				  at_loc);
}

static void record_import(parser *p, cove_edl_import *imp)
{
	if (!edl_vec_push(&p->u->imports, &imp, sizeof(imp)))
		p->ctx->oom = true;
}

/* OE: import "x.edl" [;] */
static void parse_import(parser *p, const edl_token *kw)
{
	cove_edl_loc kl = tok_loc(p, kw);
	if (!at(p, TOK_STRING)) {
		expected(p, "a quoted EDL file name after `import'");
		recover(p);
		return;
	}
	cove_edl_import *imp = edl_alloc(p->a, sizeof(*imp));
	if (!imp)
		return;
	imp->spec = string_value(p, &p->tok);
	imp->loc = tok_loc(p, &p->tok);
	imp->origin = p->u->path;
	imp->all = true;
	advance(p);
	accept(p, TOK_SEMI);
	edl_unit *child = edl_import_file(p->ctx, p->u, imp->spec, &imp->loc);
	if (child) {
		imp->resolved = child->path;
		merge_decls(p, child, &kl);
		import_all(p, child, &kl);
	}
	record_import(p, imp);
}

/* from "x.edl" import * | a, b ; */
static void parse_from(parser *p)
{
	if (!at(p, TOK_STRING)) {
		expected(p, "a quoted EDL file name after `from'");
		recover(p);
		return;
	}
	cove_edl_import *imp = edl_alloc(p->a, sizeof(*imp));
	if (!imp)
		return;
	imp->spec = string_value(p, &p->tok);
	imp->loc = tok_loc(p, &p->tok);
	imp->origin = p->u->path;
	advance(p);
	if (!accept_word(p, "import")) {
		expected(p, "`import'");
		recover(p);
		return;
	}
	edl_vec names = {0}, locs = {0};
	if (accept(p, TOK_STAR)) {
		imp->all = true;
	} else {
		for (;;) {
			if (!at(p, TOK_IDENT) || is_reserved(&p->tok)) {
				expected(p, "`*' or a function name");
				edl_vec_free(&names);
				edl_vec_free(&locs);
				recover(p);
				return;
			}
			const char *n = tok_str(p, &p->tok);
			cove_edl_loc nl = tok_loc(p, &p->tok);
			if (!edl_vec_push(&names, &n, sizeof(n)) || !edl_vec_push(&locs, &nl, sizeof(nl)))
				p->ctx->oom = true;
			advance(p);
			if (!accept(p, TOK_COMMA))
				break;
		}
	}
	bool semi = expect(p, TOK_SEMI);
	/* Read the file only once the statement is complete, so its errors follow this one's. */
	edl_unit *child = edl_import_file(p->ctx, p->u, imp->spec, &imp->loc);
	if (child) {
		imp->resolved = child->path;
		merge_decls(p, child, &imp->loc);
		if (imp->all) {
			import_all(p, child, &imp->loc);
		} else {
			for (size_t i = 0; i < names.len; i++) {
				const char *n = EDL_VEC_AT(&names, const char *, i);
				cove_edl_loc *nl = &EDL_VEC_AT(&locs, cove_edl_loc, i);
				cove_edl_func *fn = edl_unit_find_func(child, n);
				if (!fn) {
					error_at(p, nl, "function `%s' is not declared in `%s'", n, child->path);
					continue;
				}
				edl_unit_add_func(p->ctx, p->u,
						  fn->kind == COVE_EDL_ECALL ? &p->u->imported_ecalls
									     : &p->u->imported_ocalls,
						  fn, nl);
			}
		}
	}
	imp->nnames = names.len;
	imp->names = edl_vec_finish(&names, p->a, sizeof(const char *));
	edl_vec_free(&locs);
	record_import(p, imp);
	if (!semi)
		recover(p);
}

static void parse_enum(parser *p, const edl_token *kw)
{
	cove_edl_user_type *t = edl_alloc(p->a, sizeof(*t));
	if (!t)
		return;
	t->kind = COVE_EDL_USER_ENUM;
	t->loc = tok_loc(p, kw);
	t->origin = p->u->path;
	if (at(p, TOK_IDENT) && !is_reserved(&p->tok)) {
		t->name = tok_str(p, &p->tok);
		t->loc = tok_loc(p, &p->tok);
		advance(p);
	}
	if (!expect(p, TOK_LBRACE)) {
		recover(p);
		return;
	}
	edl_vec items = {0};
	bool ok = true;
	while (!at(p, TOK_RBRACE) && !at(p, TOK_EOF)) {
		cove_edl_enumerator e = {0};
		if (!at(p, TOK_IDENT) || is_reserved(&p->tok)) {
			expected(p, "an enumerator name");
			ok = false;
			break;
		}
		e.name = tok_str(p, &p->tok);
		e.loc = tok_loc(p, &p->tok);
		advance(p);
		if (accept(p, TOK_EQUAL)) {
			bool neg = accept(p, TOK_MINUS);
			if (at(p, TOK_NUMBER)) {
				uint64_t v = 0;
				if (number_value(p, &p->tok, &v)) {
					if (v > (uint64_t)INT64_MAX + (neg ? 1u : 0u)) {
						cove_edl_loc l = tok_loc(p, &p->tok);
						error_at(p, &l, "enumerator value of `%s' is out of range", e.name);
					} else {
						e.has_int = true;
						e.value = neg ? (int64_t)(0 - v) : (int64_t)v;
					}
				}
				char *txt = edl_alloc(p->a, p->tok.len + 2);
				if (txt) {
					snprintf(txt, p->tok.len + 2, "%s%.*s", neg ? "-" : "", (int)p->tok.len,
						 p->tok.text);
					e.value_text = txt;
				}
				advance(p);
			} else if (!neg && at(p, TOK_IDENT) && !is_reserved(&p->tok)) {
				e.value_text = tok_str(p, &p->tok);
				advance(p);
			} else {
				expected(p, "an enumerator value");
				ok = false;
				break;
			}
		}
		if (!edl_vec_push(&items, &e, sizeof(e)))
			p->ctx->oom = true;
		if (!accept(p, TOK_COMMA)) {
			if (!at(p, TOK_RBRACE)) {
				expected(p, "`,' or `}'");
				ok = false;
				break;
			}
		}
	}
	t->nitems = items.len;
	t->items = edl_vec_finish(&items, p->a, sizeof(cove_edl_enumerator));
	if (!ok) {
		recover(p);
		if (at(p, TOK_RBRACE))
			advance(p);
		accept(p, TOK_SEMI);
	} else {
		expect(p, TOK_RBRACE);
		if (!accept(p, TOK_SEMI))
			expected(p, "`;'");
	}
	if (!edl_vec_push(&p->u->own_types, &t, sizeof(t)))
		p->ctx->oom = true;
	edl_unit_add_type(p->ctx, p->u, t, &t->loc);
}

static void parse_struct(parser *p, const edl_token *kw, bool is_union)
{
	cove_edl_user_type *t = edl_alloc(p->a, sizeof(*t));
	if (!t)
		return;
	t->kind = is_union ? COVE_EDL_USER_UNION : COVE_EDL_USER_STRUCT;
	t->loc = tok_loc(p, kw);
	t->origin = p->u->path;
	if (!at(p, TOK_IDENT) || is_reserved(&p->tok)) {
		expected(p, is_union ? "a union name" : "a struct name");
		recover(p);
		return;
	}
	t->name = tok_str(p, &p->tok);
	t->loc = tok_loc(p, &p->tok);
	advance(p);
	if (!expect(p, TOK_LBRACE)) {
		recover(p);
		return;
	}
	edl_vec members = {0};
	while (!at(p, TOK_RBRACE) && !at(p, TOK_EOF)) {
		cove_edl_decl d;
		if (!parse_decl(p, &d)) {
			recover(p);
			continue;
		}
		d.index = members.len;
		if (!edl_vec_push(&members, &d, sizeof(d)))
			p->ctx->oom = true;
		/* oeedger8r accepts a missing ';' after the last member. */
		if (!accept(p, TOK_SEMI) && !at(p, TOK_RBRACE)) {
			expected(p, "`;'");
			recover(p);
		}
	}
	t->nmembers = members.len;
	t->members = edl_vec_finish(&members, p->a, sizeof(cove_edl_decl));
	if (expect(p, TOK_RBRACE) && !accept(p, TOK_SEMI))
		expected(p, "`;'");
	if (!edl_vec_push(&p->u->own_types, &t, sizeof(t)))
		p->ctx->oom = true;
	edl_unit_add_type(p->ctx, p->u, t, &t->loc);
}

/* [cdecl|stdcall|fastcall|dllimport, ...] before an untrusted function. */
static bool parse_func_prefix(parser *p, cove_edl_func *fn, bool trusted)
{
	cove_edl_loc bl = tok_loc(p, &p->tok);
	advance(p); /* '[' */
	if (trusted)
		error_at(p, &bl, "calling-convention attributes are only allowed on untrusted functions (OCALLs)");
	else if (p->ctx->opts.dialect == COVE_EDL_DIALECT_OE)
		error_at(p, &bl, "calling-convention attributes are not supported in the Open Enclave dialect");
	if (at(p, TOK_RBRACK)) {
		error_at(p, &bl, "empty attribute list `[]'");
		advance(p);
		return true;
	}
	for (;;) {
		if (!at(p, TOK_IDENT)) {
			expected(p, "a function attribute");
			return false;
		}
		cove_edl_loc l = tok_loc(p, &p->tok);
		cove_edl_callconv cc = COVE_EDL_CALLCONV_NONE;
		const char *word = NULL;
		if (at_word(p, "cdecl"))
			cc = COVE_EDL_CALLCONV_CDECL, word = "cdecl";
		else if (at_word(p, "stdcall"))
			cc = COVE_EDL_CALLCONV_STDCALL, word = "stdcall";
		else if (at_word(p, "fastcall"))
			cc = COVE_EDL_CALLCONV_FASTCALL, word = "fastcall";
		if (cc != COVE_EDL_CALLCONV_NONE) {
			if (fn->callconv != COVE_EDL_CALLCONV_NONE)
				error_at(p, &l, "`%s' conflicts with an earlier calling convention", word);
			else
				fn->callconv = cc;
		} else if (at_word(p, "dllimport")) {
			if (fn->dllimport)
				error_at(p, &l, "duplicated attribute `dllimport'");
			fn->dllimport = true;
		} else {
			char d[96];
			error_at(p, &l,
				 "invalid function attribute %s (expected cdecl, stdcall, fastcall or dllimport)",
				 edl_tok_describe(&p->tok, d, sizeof(d)));
		}
		advance(p);
		if (accept(p, TOK_RBRACK))
			return true;
		if (!expect(p, TOK_COMMA))
			return false;
	}
}

static bool parse_allow(parser *p, cove_edl_func *fn, bool trusted)
{
	cove_edl_loc al = tok_loc(p, &p->tok);
	advance(p); /* allow */
	if (trusted)
		error_at(p, &al,
			 "function `%s': `allow(...)' is only valid on untrusted functions (OCALLs), not on an ECALL",
			 fn->name);
	else if (fn->has_allow)
		error_at(p, &al, "function `%s': duplicated `allow(...)' list", fn->name);
	fn->has_allow = true;
	if (!expect(p, TOK_LPAREN))
		return false;
	edl_vec list = {0};
	while (!at(p, TOK_RPAREN)) {
		if (!at(p, TOK_IDENT) || is_reserved(&p->tok)) {
			expected(p, "a trusted function name");
			edl_vec_free(&list);
			return false;
		}
		cove_edl_allow a = {tok_str(p, &p->tok), NULL, tok_loc(p, &p->tok)};
		if (!edl_vec_push(&list, &a, sizeof(a)))
			p->ctx->oom = true;
		advance(p);
		if (!accept(p, TOK_COMMA))
			break;
	}
	if (!expect(p, TOK_RPAREN)) {
		edl_vec_free(&list);
		return false;
	}
	if (!trusted) {
		fn->nallow = list.len;
		fn->allow = edl_vec_finish(&list, p->a, sizeof(cove_edl_allow));
	} else {
		edl_vec_free(&list);
	}
	return true;
}

/* One function in a trusted or untrusted block, up to and including its ';'. */
static void parse_function(parser *p, bool trusted)
{
	cove_edl_func *fn = edl_alloc(p->a, sizeof(*fn));
	if (!fn)
		return;
	fn->kind = trusted ? COVE_EDL_ECALL : COVE_EDL_OCALL;
	fn->origin = p->u->path;
	if (trusted && accept_word(p, "public"))
		fn->is_public = true;
	if (at(p, TOK_LBRACK) && !parse_func_prefix(p, fn, trusted))
		goto fail;
	if (!trusted && at_word(p, "public")) {
		cove_edl_loc l = tok_loc(p, &p->tok);
		error_at(p, &l, "`public' is only valid on trusted functions (ECALLs)");
		advance(p);
	}
	if (!parse_type(p, &fn->ret))
		goto fail;
	if (at(p, TOK_LBRACK)) {
		cove_edl_loc l = tok_loc(p, &p->tok);
		error_at(p, &l, "returning an array is not supported; return a pointer");
		goto fail;
	}
	if (!at(p, TOK_IDENT) || is_reserved(&p->tok)) {
		expected(p, "a function name");
		goto fail;
	}
	fn->name = tok_str(p, &p->tok);
	fn->loc = tok_loc(p, &p->tok);
	advance(p);
	if (at(p, TOK_LBRACK)) {
		cove_edl_loc l = tok_loc(p, &p->tok);
		error_at(p, &l, "function `%s': returning an array is not supported; return a pointer", fn->name);
		goto fail;
	}
	if (!expect(p, TOK_LPAREN))
		goto fail;
	edl_vec params = {0};
	if (at_word(p, "void") && p->next.kind == TOK_RPAREN) {
		fn->void_params = true;
		advance(p);
	}
	while (!at(p, TOK_RPAREN)) {
		cove_edl_decl d;
		if (!parse_decl(p, &d)) {
			edl_vec_free(&params);
			goto fail;
		}
		d.index = params.len;
		if (!edl_vec_push(&params, &d, sizeof(d)))
			p->ctx->oom = true;
		if (!accept(p, TOK_COMMA)) {
			if (!at(p, TOK_RPAREN)) {
				expected(p, "`,' or `)'");
				edl_vec_free(&params);
				goto fail;
			}
		}
	}
	advance(p); /* ')' */
	fn->nparams = params.len;
	fn->params = edl_vec_finish(&params, p->a, sizeof(cove_edl_decl));
	for (;;) {
		if (at_word(p, "allow")) {
			if (!parse_allow(p, fn, trusted))
				goto fail;
		} else if (at_word(p, "propagate_errno")) {
			cove_edl_loc l = tok_loc(p, &p->tok);
			if (trusted)
				error_at(p, &l, "function `%s': `propagate_errno' is only valid on untrusted functions",
					 fn->name);
			else if (fn->propagate_errno)
				error_at(p, &l, "function `%s': duplicated `propagate_errno'", fn->name);
			fn->propagate_errno = !trusted;
			advance(p);
		} else if (at_word(p, "transition_using_threads")) {
			cove_edl_loc l = tok_loc(p, &p->tok);
			if (fn->switchless)
				error_at(p, &l, "function `%s': duplicated `transition_using_threads'", fn->name);
			fn->switchless = true;
			advance(p);
		} else {
			break;
		}
	}
	if (!accept(p, TOK_SEMI)) {
		expected(p, "`;'");
		goto fail;
	}
	edl_unit_add_func(p->ctx, p->u, trusted ? &p->u->own_ecalls : &p->u->own_ocalls, fn, &fn->loc);
	return;
fail:
	recover(p);
}

static void parse_block(parser *p, bool trusted)
{
	if (!expect(p, TOK_LBRACE)) {
		recover(p);
		return;
	}
	while (!at(p, TOK_RBRACE) && !at(p, TOK_EOF)) {
		if (at_word(p, "include")) {
			edl_token kw = p->tok;
			advance(p);
			add_include(p, &kw);
			continue;
		}
		if (at(p, TOK_SEMI)) {
			cove_edl_loc l = tok_loc(p, &p->tok);
			edl_report(p->ctx, p->u, COVE_EDL_WARNING, &l, "extra-semi", "extra `;' in %s block",
				   trusted ? "trusted" : "untrusted");
			advance(p);
			continue;
		}
		parse_function(p, trusted);
	}
	if (!expect(p, TOK_RBRACE))
		return;
	if (!accept(p, TOK_SEMI))
		expected(p, "`;'");
}

static void parse_items(parser *p)
{
	while (!at(p, TOK_RBRACE) && !at(p, TOK_EOF)) {
		edl_token kw = p->tok;
		if (at_word(p, "trusted") || at_word(p, "untrusted")) {
			bool trusted = at_word(p, "trusted");
			advance(p);
			parse_block(p, trusted);
		} else if (at_word(p, "include")) {
			advance(p);
			add_include(p, &kw);
		} else if (at_word(p, "from")) {
			advance(p);
			parse_from(p);
		} else if (at_word(p, "import")) {
			advance(p);
			parse_import(p, &kw);
		} else if (at_word(p, "enum")) {
			advance(p);
			parse_enum(p, &kw);
		} else if (at_word(p, "struct") || at_word(p, "union")) {
			bool is_union = at_word(p, "union");
			advance(p);
			parse_struct(p, &kw, is_union);
		} else if (at(p, TOK_SEMI)) {
			cove_edl_loc l = tok_loc(p, &p->tok);
			edl_report(p->ctx, p->u, COVE_EDL_WARNING, &l, "extra-semi", "extra `;' in the enclave block");
			advance(p);
		} else {
			char d[96];
			cove_edl_loc l = tok_loc(p, &p->tok);
			error_at(p, &l,
				 "unexpected %s in the enclave block (expected trusted, untrusted, include, from, "
				 "import, struct, union or enum)",
				 edl_tok_describe(&p->tok, d, sizeof(d)));
			advance(p);
			recover(p);
		}
	}
}

void edl_parse_unit(edl_ctx *ctx, edl_unit *unit, const char *text, size_t len)
{
	parser p;
	memset(&p, 0, sizeof(p));
	p.ctx = ctx;
	p.u = unit;
	p.a = ctx->arena;
	edl_lexer_init(&p.lx, ctx, unit, text, len);
	edl_lexer_next(&p.lx, &p.tok);
	if (p.tok.kind != TOK_EOF)
		edl_lexer_next(&p.lx, &p.next);
	else
		p.next = p.tok;

	if (!accept_word(&p, "enclave")) {
		expected(&p, "`enclave'");
		/* Resynchronise on the first '{' so the rest is still checked. */
		while (!at(&p, TOK_EOF) && !at(&p, TOK_LBRACE))
			advance(&p);
	}
	if (expect(&p, TOK_LBRACE)) {
		parse_items(&p);
		if (at(&p, TOK_EOF)) {
			expected(&p, "`}' closing the enclave block");
		} else {
			advance(&p); /* '}' */
			if (accept(&p, TOK_SEMI)) {
				/* Intel's grammar ends with "};"; oeedger8r does not need the ';'. */
			} else if (at(&p, TOK_EOF)) {
				if (ctx->opts.dialect == COVE_EDL_DIALECT_INTEL) {
					cove_edl_loc l = after_prev(&p);
					error_at(&p, &l,
						 "expected `;' after the enclave block (Intel's edger8r requires it)");
				}
			}
			if (!at(&p, TOK_EOF)) {
				char d[96];
				cove_edl_loc l = tok_loc(&p, &p.tok);
				error_at(&p, &l, "unexpected %s after the end of the enclave block",
					 edl_tok_describe(&p.tok, d, sizeof(d)));
				/* Drain so unterminated comments and #ifdefs further down are still reported. */
				while (!at(&p, TOK_EOF))
					advance(&p);
			}
		}
	}
	edl_lexer_free(&p.lx);
}
