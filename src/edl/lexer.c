/*
 * EDL lexer and preprocessor.  Tokens follow Intel's sdk/edger8r/linux/
 * Lexer.mll and oeedger8r-cpp's lexer: identifiers, decimal numbers (cove
 * also reads 0x hexadecimal), double-quoted strings without line breaks,
 * the punctuation of the grammar, // and non-nesting slash-star comments.
 * Keywords are not reserved here: the parser recognises them by context,
 * as both SDKs treat `in`, `out`, `size`... as plain identifiers outside
 * attribute lists.
 *
 * The preprocessor is Open Enclave's (oeedger8r-cpp preprocessor.cpp):
 * `#ifdef NAME`, `#ifndef NAME`, `#else`, `#endif`, nestable, with names
 * defined by -D; any other directive is an error.  Tokens of inactive
 * branches are skipped, but still lexed so that an unterminated comment
 * there is reported.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "edl/internal.h"

void edl_lexer_init(edl_lexer *lx, edl_ctx *ctx, edl_unit *unit, const char *buf, size_t len)
{
	memset(lx, 0, sizeof(*lx));
	lx->ctx = ctx;
	lx->unit = unit;
	lx->buf = buf;
	lx->len = len;
	lx->line = 1;
}

void edl_lexer_free(edl_lexer *lx)
{
	edl_vec_free(&lx->frames);
}

bool edl_tok_is(const edl_token *t, const char *word)
{
	size_t n = strlen(word);
	return t->kind == TOK_IDENT && t->len == n && memcmp(t->text, word, n) == 0;
}

const char *edl_tok_describe(const edl_token *t, char *buf, size_t n)
{
	if (t->kind == TOK_EOF)
		snprintf(buf, n, "end of file");
	else
		snprintf(buf, n, "`%.*s'", (int)(t->len > 60 ? 60 : t->len), t->text);
	return buf;
}

static cove_edl_loc loc_at(edl_lexer *lx, uint32_t line, uint32_t col)
{
	cove_edl_loc l = {lx->unit->path, line, col};
	return l;
}

static uint32_t col_of(edl_lexer *lx, size_t pos)
{
	size_t c = pos - lx->line_start + 1;
	return c > UINT32_MAX ? UINT32_MAX : (uint32_t)c;
}

static void newline(edl_lexer *lx, size_t pos_after)
{
	if (lx->line < UINT32_MAX)
		lx->line++;
	lx->line_start = pos_after;
}

static bool is_ident_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_ident_char(int c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

/* True when the current #ifdef branches all compile. */
static bool active(const edl_lexer *lx)
{
	if (!lx->frames.len)
		return true;
	const edl_pp_frame *f = &EDL_VEC_AT(&lx->frames, edl_pp_frame, lx->frames.len - 1);
	return f->parent_active && f->taking;
}

/* One raw token: comments and white space skipped; `report` is false inside inactive branches. */
static void lex_raw(edl_lexer *lx, edl_token *t, bool report)
{
	const char *b = lx->buf;
	for (;;) {
		while (lx->pos < lx->len) {
			char c = b[lx->pos];
			if (c == '\n') {
				lx->pos++;
				newline(lx, lx->pos);
			} else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
				lx->pos++;
			} else {
				break;
			}
		}
		memset(t, 0, sizeof(*t));
		t->line = lx->line;
		t->col = col_of(lx, lx->pos);
		t->text = b + lx->pos;
		if (lx->pos >= lx->len) {
			t->kind = TOK_EOF;
			return;
		}
		size_t start = lx->pos;
		char c = b[start];
		if (c == '/' && start + 1 < lx->len && b[start + 1] == '/') {
			while (lx->pos < lx->len && b[lx->pos] != '\n')
				lx->pos++;
			continue;
		}
		if (c == '/' && start + 1 < lx->len && b[start + 1] == '*') {
			lx->pos += 2;
			bool closed = false;
			while (lx->pos < lx->len) {
				if (b[lx->pos] == '*' && lx->pos + 1 < lx->len && b[lx->pos + 1] == '/') {
					lx->pos += 2;
					closed = true;
					break;
				}
				if (b[lx->pos] == '\n')
					newline(lx, lx->pos + 1);
				lx->pos++;
			}
			if (!closed) {
				cove_edl_loc l = loc_at(lx, t->line, t->col);
				edl_report(lx->ctx, lx->unit, COVE_EDL_ERROR, &l, NULL, "unterminated comment");
			}
			continue;
		}
		if (is_ident_start((unsigned char)c)) {
			while (lx->pos < lx->len && is_ident_char((unsigned char)b[lx->pos]))
				lx->pos++;
			t->kind = TOK_IDENT;
			t->len = lx->pos - start;
			return;
		}
		if (c >= '0' && c <= '9') {
			/* Take the whole alphanumeric run so that "12ab" is one (invalid) number. */
			while (lx->pos < lx->len && is_ident_char((unsigned char)b[lx->pos]))
				lx->pos++;
			t->kind = TOK_NUMBER;
			t->len = lx->pos - start;
			return;
		}
		if (c == '"') {
			lx->pos++;
			bool closed = false;
			while (lx->pos < lx->len && b[lx->pos] != '\n') {
				if (b[lx->pos] == '"') {
					lx->pos++;
					closed = true;
					break;
				}
				lx->pos++;
			}
			t->kind = TOK_STRING;
			t->len = lx->pos - start;
			if (!closed && report) {
				cove_edl_loc l = loc_at(lx, t->line, t->col);
				edl_report(lx->ctx, lx->unit, COVE_EDL_ERROR, &l, NULL,
					   "missing terminating \" character");
			}
			return;
		}
		lx->pos++;
		t->len = 1;
		switch (c) {
		case '{':
			t->kind = TOK_LBRACE;
			return;
		case '}':
			t->kind = TOK_RBRACE;
			return;
		case '(':
			t->kind = TOK_LPAREN;
			return;
		case ')':
			t->kind = TOK_RPAREN;
			return;
		case '[':
			t->kind = TOK_LBRACK;
			return;
		case ']':
			t->kind = TOK_RBRACK;
			return;
		case '*':
			t->kind = TOK_STAR;
			return;
		case ',':
			t->kind = TOK_COMMA;
			return;
		case ';':
			t->kind = TOK_SEMI;
			return;
		case '=':
			t->kind = TOK_EQUAL;
			return;
		case '-':
			t->kind = TOK_MINUS;
			return;
		case '#':
			t->kind = TOK_HASH;
			return;
		case '.':
			t->kind = TOK_DOT;
			return;
		default:
			break;
		}
		if (report) {
			cove_edl_loc l = loc_at(lx, t->line, t->col);
			if (isprint((unsigned char)c))
				edl_report(lx->ctx, lx->unit, COVE_EDL_ERROR, &l, NULL, "stray `%c' in input", c);
			else
				edl_report(lx->ctx, lx->unit, COVE_EDL_ERROR, &l, NULL, "stray byte 0x%02x in input",
					   (unsigned)(unsigned char)c);
		}
	}
}

static bool is_defined(const edl_lexer *lx, const edl_token *name)
{
	const cove_edl_options *o = &lx->ctx->opts;
	for (size_t i = 0; i < o->ndefines; i++) {
		const char *d = o->defines[i];
		if (!d)
			continue;
		const char *eq = strchr(d, '=');
		size_t n = eq ? (size_t)(eq - d) : strlen(d);
		if (n == name->len && memcmp(d, name->text, n) == 0)
			return true;
	}
	return false;
}

/* Skip what is left of the directive's line, warning when it is more than a comment. */
static void finish_directive(edl_lexer *lx, const char *what, bool report)
{
	const char *b = lx->buf;
	size_t p = lx->pos;
	while (p < lx->len && (b[p] == ' ' || b[p] == '\t' || b[p] == '\r'))
		p++;
	if (p < lx->len && b[p] != '\n' && !(b[p] == '/' && p + 1 < lx->len && (b[p + 1] == '/' || b[p + 1] == '*'))) {
		if (report) {
			cove_edl_loc l = loc_at(lx, lx->line, col_of(lx, p));
			edl_report(lx->ctx, lx->unit, COVE_EDL_WARNING, &l, "extra-tokens",
				   "extra tokens after #%s ignored", what);
		}
		while (p < lx->len && b[p] != '\n')
			p++;
	}
	lx->pos = p;
}

/* Handle one directive; `hash` is the '#' token just read. */
static void directive(edl_lexer *lx, const edl_token *hash)
{
	bool was_active = active(lx);
	cove_edl_loc hloc = loc_at(lx, hash->line, hash->col);
	edl_token name;
	size_t save_pos = lx->pos;
	uint32_t save_line = lx->line;
	size_t save_ls = lx->line_start;
	lex_raw(lx, &name, false);
	if (name.kind != TOK_IDENT || name.line != hash->line) {
		/* Not a directive: give the token back. */
		lx->pos = save_pos;
		lx->line = save_line;
		lx->line_start = save_ls;
		if (was_active)
			edl_report(lx->ctx, lx->unit, COVE_EDL_ERROR, &hloc, NULL, "stray `#' in input");
		return;
	}
	bool is_ifdef = edl_tok_is(&name, "ifdef"), is_ifndef = edl_tok_is(&name, "ifndef");
	if (is_ifdef || is_ifndef) {
		const char *what = is_ifdef ? "ifdef" : "ifndef";
		edl_token sym;
		save_pos = lx->pos;
		save_line = lx->line;
		save_ls = lx->line_start;
		lex_raw(lx, &sym, false);
		bool taking = false;
		if (sym.kind != TOK_IDENT || sym.line != hash->line) {
			lx->pos = save_pos;
			lx->line = save_line;
			lx->line_start = save_ls;
			if (was_active)
				edl_report(lx->ctx, lx->unit, COVE_EDL_ERROR, &hloc, NULL, "#%s needs a macro name",
					   what);
		} else {
			taking = is_defined(lx, &sym) == is_ifdef;
		}
		edl_pp_frame f = {was_active, taking, false, hloc};
		if (!edl_vec_push(&lx->frames, &f, sizeof(f)))
			lx->ctx->oom = true;
		finish_directive(lx, what, was_active);
		return;
	}
	if (edl_tok_is(&name, "else") || edl_tok_is(&name, "endif")) {
		bool is_else = edl_tok_is(&name, "else");
		const char *what = is_else ? "else" : "endif";
		if (!lx->frames.len) {
			edl_report(lx->ctx, lx->unit, COVE_EDL_ERROR, &hloc, NULL, "#%s without #ifdef or #ifndef",
				   what);
		} else if (is_else) {
			edl_pp_frame *f = &EDL_VEC_AT(&lx->frames, edl_pp_frame, lx->frames.len - 1);
			if (f->seen_else && f->parent_active)
				edl_report(lx->ctx, lx->unit, COVE_EDL_ERROR, &hloc, NULL,
					   "#else after #else (the conditional opened at line %u)",
					   (unsigned)f->loc.line);
			f->seen_else = true;
			f->taking = !f->taking;
		} else {
			lx->frames.len--;
		}
		finish_directive(lx, what, lx->frames.len ? active(lx) : true);
		return;
	}
	if (was_active)
		edl_report(lx->ctx, lx->unit, COVE_EDL_ERROR, &hloc, NULL,
			   "unsupported preprocessor directive `#%.*s' (EDL has #ifdef, #ifndef, #else and #endif)",
			   (int)(name.len > 40 ? 40 : name.len), name.text);
	/* Skip the rest of the line. */
	while (lx->pos < lx->len && lx->buf[lx->pos] != '\n')
		lx->pos++;
}

void edl_lexer_next(edl_lexer *lx, edl_token *t)
{
	for (;;) {
		bool on = active(lx);
		lex_raw(lx, t, on);
		if (t->kind == TOK_HASH) {
			directive(lx, t);
			continue;
		}
		if (t->kind == TOK_EOF) {
			for (size_t i = 0; i < lx->frames.len; i++) {
				edl_pp_frame *f = &EDL_VEC_AT(&lx->frames, edl_pp_frame, i);
				edl_report(lx->ctx, lx->unit, COVE_EDL_ERROR, &f->loc, NULL,
					   "unterminated #ifdef/#ifndef (no #endif before the end of the file)");
			}
			lx->frames.len = 0;
			return;
		}
		if (on)
			return;
	}
}
