/*
 * edl/internal.h - private plumbing of the EDL front end: the arena that owns
 * a parsed tree, growable vectors, tokens, the lexer with its Open Enclave
 * style preprocessor, and the per-file parse state shared by parser.c,
 * import.c and sema.c.  Nothing here is used outside src/edl/.
 */
#ifndef COVE_EDL_INTERNAL_H
#define COVE_EDL_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "edl/edl.h"

/* ---- arena: every node and string of one parse, released at once ---- */

typedef struct edl_arena_block edl_arena_block;

typedef struct edl_arena {
	edl_arena_block *head;
	bool failed; /* an allocation failed; callers check once at the end */
} edl_arena;

void *edl_alloc(edl_arena *a, size_t n); /* zeroed; NULL (and a->failed) on failure */
char *edl_strndup(edl_arena *a, const char *s, size_t n);
char *edl_strdup(edl_arena *a, const char *s);
void edl_arena_free(edl_arena *a);

/* ---- heap vector (built while parsing, then copied into the arena) ---- */

typedef struct edl_vec {
	void *data;
	size_t len;
	size_t cap;
} edl_vec;

/* Append one element of `size` bytes; false when memory runs out. */
bool edl_vec_push(edl_vec *v, const void *elem, size_t size);
/* Copy the elements into the arena (NULL when empty) and release the heap buffer. */
void *edl_vec_finish(edl_vec *v, edl_arena *a, size_t size);
void edl_vec_free(edl_vec *v);
#define EDL_VEC_AT(v, type, i) (((type *)(v)->data)[i])

/* ---- tokens ---- */

typedef enum edl_tok {
	TOK_EOF = 0,
	TOK_IDENT,
	TOK_NUMBER,
	TOK_STRING, /* text/len include the quotes */
	TOK_LBRACE,
	TOK_RBRACE,
	TOK_LPAREN,
	TOK_RPAREN,
	TOK_LBRACK,
	TOK_RBRACK,
	TOK_STAR,
	TOK_COMMA,
	TOK_SEMI,
	TOK_EQUAL,
	TOK_MINUS,
	TOK_HASH,
	TOK_DOT,
} edl_tok;

typedef struct edl_token {
	edl_tok kind;
	const char *text;
	size_t len;
	uint32_t line;
	uint32_t col;
} edl_token;

struct edl_ctx;
struct edl_unit;

/* Lexer and preprocessor over one file's bytes. */
typedef struct edl_pp_frame {
	bool parent_active; /* the enclosing region is being compiled */
	bool taking;        /* this branch is being compiled */
	bool seen_else;
	cove_edl_loc loc; /* of the #ifdef/#ifndef */
} edl_pp_frame;

typedef struct edl_lexer {
	struct edl_ctx *ctx;
	struct edl_unit *unit;
	const char *buf;
	size_t len;
	size_t pos;
	uint32_t line;
	size_t line_start;
	edl_vec frames; /* edl_pp_frame */
} edl_lexer;

void edl_lexer_init(edl_lexer *lx, struct edl_ctx *ctx, struct edl_unit *unit, const char *buf, size_t len);
/* Next token after comments and preprocessing (inactive #ifdef branches are skipped). */
void edl_lexer_next(edl_lexer *lx, edl_token *t);
void edl_lexer_free(edl_lexer *lx);

bool edl_tok_is(const edl_token *t, const char *word);
/* Printable description of a token for messages ("`foo'", "end of file"). */
const char *edl_tok_describe(const edl_token *t, char *buf, size_t n);

/* ---- one EDL file of the import graph ---- */

typedef struct edl_unit {
	const char *path;     /* as opened (diagnostics) */
	const char *key;      /* canonical path (cache key) */
	const char *dir;      /* folder, for relative imports ("" = current) */
	cove_edl_diags diags; /* this file's diagnostics, sorted by place when it is done */
	edl_vec types;        /* cove_edl_user_type*: own and imported (visible) */
	edl_vec includes;     /* cove_edl_include*: own and imported */
	edl_vec ecalls;       /* cove_edl_func*: own, then imported */
	edl_vec ocalls;
	edl_vec own_ecalls; /* cove_edl_func*: declared in this file (checked by sema) */
	edl_vec own_ocalls;
	edl_vec own_types;       /* cove_edl_user_type* */
	edl_vec imported_ecalls; /* appended after own ones when the file is done */
	edl_vec imported_ocalls;
	edl_vec imports; /* cove_edl_import* */
	bool done;
} edl_unit;

typedef struct edl_ctx {
	edl_arena *arena;
	cove_edl_options opts;
	cove_edl_diags *diags; /* the caller's */
	edl_vec units;         /* edl_unit*: the cache of parsed files */
	edl_vec stack;         /* edl_unit*: files being parsed (import cycle detection) */
	edl_vec sources;       /* const char*: every file read, in order */
	bool oom;
	size_t depth;
} edl_ctx;

/* Report a diagnostic against `unit` (its file); warnings become errors under -Werror. */
void edl_report(edl_ctx *ctx, edl_unit *unit, cove_edl_severity sev, const cove_edl_loc *loc, const char *flag,
		const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void edl_vreport(edl_ctx *ctx, edl_unit *unit, cove_edl_severity sev, const cove_edl_loc *loc, const char *flag,
		 const char *fmt, va_list ap);

/* Sort `src` by place and move it to the caller's list (honouring max_errors). */
void edl_diags_flush(edl_ctx *ctx, cove_edl_diags *src);

/* Parse one file's text into `unit` (recursing into imports through edl_import_file). */
void edl_parse_unit(edl_ctx *ctx, edl_unit *unit, const char *text, size_t len);

/*
 * Resolve `spec` as imported from `from` (NULL for the main file), read and
 * parse it (once per canonical path).  Errors are reported at `loc` in
 * `from`.  Returns the parsed unit or NULL.
 */
edl_unit *edl_import_file(edl_ctx *ctx, edl_unit *from, const char *spec, const cove_edl_loc *loc);

/* Checks of one file's own declarations once it is fully parsed (sema.c). */
void edl_sema_unit(edl_ctx *ctx, edl_unit *unit);
/* Checks of the merged result: duplicates across files, allow lists, private ecalls (sema.c). */
void edl_sema_final(edl_ctx *ctx, edl_unit *main, cove_edl_file *f);

/* Append `fn` to a function list unless it is already there; reports duplicates (import.c). */
void edl_unit_add_func(edl_ctx *ctx, edl_unit *unit, edl_vec *list, cove_edl_func *fn, const cove_edl_loc *at);
void edl_unit_add_type(edl_ctx *ctx, edl_unit *unit, cove_edl_user_type *t, const cove_edl_loc *at);
void edl_unit_add_include(edl_ctx *ctx, edl_unit *unit, cove_edl_include *inc);

/* Lookups in a unit's visible set. */
cove_edl_user_type *edl_unit_find_type(edl_unit *unit, const char *name);
cove_edl_func *edl_unit_find_func(edl_unit *unit, const char *name);

/*
 * Read a regular file of at most `max` bytes into a heap buffer
 * (NUL-terminated).  On failure *errnum is the errno of the failing call, or
 * 0 when the file is not a regular file (COVE_ERR_IO) or too large
 * (COVE_ERR_UNSUPPORTED).
 */
cove_err edl_read_file(const char *path, size_t max, char **out, size_t *len, int *errnum);

/* Largest EDL file cove reads (a guard against devices and runaway imports). */
#define EDL_MAX_FILE (16u << 20)
/* Deepest import nesting accepted. */
#define EDL_MAX_IMPORT_DEPTH 64

#endif
