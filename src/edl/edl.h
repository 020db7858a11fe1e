/*
 * edl/edl.h - the EDL front end of cove-edger8r: the syntax tree of an
 * Enclave Definition Language file (after imports are merged and names are
 * resolved), the parser API, compiler-style diagnostics, lookup helpers for
 * the code generator, and the generator entry point.
 *
 * Both dialects are covered: Intel's sgx_edger8r (sdk/edger8r/linux/
 * {Lexer.mll,Parser.mly}) and Open Enclave's oeedger8r (oeedger8r-cpp
 * docs/Grammar.md, parser.cpp); see shared/research/sgx-tdx.md section e and
 * docs/edl.md.  This header is internal to the cove_edl build-tool library
 * (not part of libcove): names are stable, additions are made at the end of
 * structures and lists.
 *
 * Memory: a cove_edl_file owns every string and array reachable from it
 * (one arena); pointers between nodes (a size= naming a parameter, a type
 * naming its definition, an allow() naming an ecall) stay valid until
 * cove_edl_file_free().  Diagnostics own copies of their file names, so they
 * outlive a failed parse.
 */
#ifndef COVE_EDL_H
#define COVE_EDL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cove/err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- source locations ---- */

/* A position in an EDL source: 1-based line and column (columns count bytes; a tab is one). */
typedef struct cove_edl_loc {
	const char *file; /* path as opened (search path + name); owned by the file or the diags */
	uint32_t line;
	uint32_t col;
} cove_edl_loc;

/* ---- dialects and options ---- */

typedef enum cove_edl_dialect {
	COVE_EDL_DIALECT_BOTH = 0, /* default: accept what either SDK accepts (union of the two) */
	COVE_EDL_DIALECT_INTEL,    /* Intel sgx_edger8r rules (private ecalls, readonly, calling conventions) */
	COVE_EDL_DIALECT_OE,       /* Open Enclave oeedger8r rules (no private ecalls, no readonly, ...) */
} cove_edl_dialect;

typedef struct cove_edl_options {
	/* Folders searched, in order, for `from "x.edl"` / `import "x.edl"` after the importing file's own folder. */
	const char *const *search_paths;
	size_t nsearch_paths;
	/* cove's system EDL folder (sgx_tstdc.edl, openenclave/edl/..., cove/edl/system.edl), searched last, or NULL. */
	const char *system_dir;
	/* Preprocessor symbols defined with -D: "NAME" (a value after '=' is accepted and ignored). */
	const char *const *defines;
	size_t ndefines;
	cove_edl_dialect dialect;
	bool warnings_as_errors; /* every warning is reported as an error */
	unsigned max_errors;     /* stop after this many errors; 0 = unlimited */
	/* Warning flags not to report (-Wno-<flag>): "signed-size-or-count", "non-portable-type", ... */
	const char *const *disabled_warnings;
	size_t ndisabled_warnings;
} cove_edl_options;

/* ---- diagnostics ---- */

typedef enum cove_edl_severity {
	COVE_EDL_NOTE = 0,
	COVE_EDL_WARNING,
	COVE_EDL_ERROR,
} cove_edl_severity;

typedef struct cove_edl_diag {
	cove_edl_severity severity;
	cove_edl_loc loc; /* loc.file is owned by the diags (a copy); line/col 0 when not tied to a place */
	const char *flag; /* warning name as in -W<flag> ("signed-size-or-count", "non-portable-type", ...), or NULL */
	char *message;    /* one sentence naming the function, parameter and rule; no trailing period */
} cove_edl_diag;

typedef struct cove_edl_diags {
	cove_edl_diag *items;
	size_t count;
	size_t cap;
	size_t errors;   /* number of items with COVE_EDL_ERROR */
	size_t warnings; /* number of items with COVE_EDL_WARNING */
	char **files;    /* interned copies of file names (owned) */
	size_t nfiles;
	bool truncated; /* max_errors was reached; later errors were dropped */
} cove_edl_diags;

void cove_edl_diags_init(cove_edl_diags *d);
void cove_edl_diags_free(cove_edl_diags *d);

/*
 * Record a diagnostic.  `loc` may be NULL (no place); `flag` is the warning
 * name or NULL.  Returns COVE_ERR_NOMEM only when memory runs out.
 */
cove_err cove_edl_diag_add(cove_edl_diags *d, cove_edl_severity sev, const cove_edl_loc *loc, const char *flag,
			   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* "file:line:col: error: message [-Wflag]" into buf (always NUL-terminated); returns the full length. */
size_t cove_edl_diag_format(const cove_edl_diag *diag, char *buf, size_t n);

/* Print every diagnostic, one per line, in the order they were found. */
void cove_edl_diags_print(const cove_edl_diags *d, FILE *out);

/* First diagnostic of `sev` (or NULL); handy for tests. */
const cove_edl_diag *cove_edl_diags_first(const cove_edl_diags *d, cove_edl_severity sev);

/* ---- types ---- */

typedef enum cove_edl_type_kind {
	COVE_EDL_TYPE_VOID = 0,
	COVE_EDL_TYPE_BOOL,
	COVE_EDL_TYPE_CHAR,
	COVE_EDL_TYPE_SCHAR, /* signed char */
	COVE_EDL_TYPE_UCHAR,
	COVE_EDL_TYPE_WCHAR, /* wchar_t */
	COVE_EDL_TYPE_SHORT,
	COVE_EDL_TYPE_USHORT,
	COVE_EDL_TYPE_INT,
	COVE_EDL_TYPE_UINT, /* also plain "unsigned" */
	COVE_EDL_TYPE_LONG,
	COVE_EDL_TYPE_ULONG,
	COVE_EDL_TYPE_LLONG,
	COVE_EDL_TYPE_ULLONG,
	COVE_EDL_TYPE_FLOAT,
	COVE_EDL_TYPE_DOUBLE,
	COVE_EDL_TYPE_LDOUBLE, /* long double */
	COVE_EDL_TYPE_SIZE_T,
	COVE_EDL_TYPE_INT8,
	COVE_EDL_TYPE_INT16,
	COVE_EDL_TYPE_INT32,
	COVE_EDL_TYPE_INT64,
	COVE_EDL_TYPE_UINT8,
	COVE_EDL_TYPE_UINT16,
	COVE_EDL_TYPE_UINT32,
	COVE_EDL_TYPE_UINT64,
	COVE_EDL_TYPE_STRUCT,  /* "struct X", or a bare X naming a struct defined in the EDL */
	COVE_EDL_TYPE_UNION,   /* likewise for unions */
	COVE_EDL_TYPE_ENUM,    /* likewise for enums */
	COVE_EDL_TYPE_FOREIGN, /* an identifier defined elsewhere (a typedef from an included header) */
} cove_edl_type_kind;

struct cove_edl_user_type;

/*
 * A type as written before the declarator's name: [const] base ['*'...].
 * Array dimensions belong to the declaration (cove_edl_decl.dims).
 */
typedef struct cove_edl_type {
	cove_edl_type_kind kind;
	const char *name; /* tag or identifier for STRUCT/UNION/ENUM/FOREIGN; NULL for built-in types */
	bool keyword;     /* written with its struct/union/enum keyword (else a bare name) */
	bool is_const;    /* a leading `const` (qualifies the base type) */
	uint32_t ptr;     /* number of '*' */
	/* The EDL definition the name resolved to (sema), or NULL: foreign, or a tag defined in a C header. */
	const struct cove_edl_user_type *user;
	cove_edl_loc loc; /* first token of the type */
} cove_edl_type;

/* One array dimension: a number, or an identifier (a C constant from an included header or an enumerator). */
typedef struct cove_edl_dim {
	uint64_t value;    /* valid when ident == NULL */
	const char *ident; /* e.g. OE_CPUID_LEAF_COUNT, else NULL */
	cove_edl_loc loc;
} cove_edl_dim;

/* ---- attributes ---- */

struct cove_edl_decl;

/* The value of size= or count=: a number or the name of a sibling parameter/member. */
typedef struct cove_edl_size {
	bool present;
	uint64_t value;                  /* when ident == NULL */
	const char *ident;               /* identifier as written, else NULL */
	const struct cove_edl_decl *ref; /* the parameter or member it names (sema), or NULL */
	cove_edl_loc loc;                /* of the attribute keyword */
} cove_edl_size;

/* Attribute keywords, indexing cove_edl_attrs.at[] (where each was written). */
typedef enum cove_edl_attr_kind {
	COVE_EDL_ATTR_IN = 0,
	COVE_EDL_ATTR_OUT,
	COVE_EDL_ATTR_USER_CHECK,
	COVE_EDL_ATTR_STRING,
	COVE_EDL_ATTR_WSTRING,
	COVE_EDL_ATTR_ISPTR,
	COVE_EDL_ATTR_ISARY,
	COVE_EDL_ATTR_READONLY,
	COVE_EDL_ATTR_SIZE,
	COVE_EDL_ATTR_COUNT,
	COVE_EDL_ATTR_KIND_COUNT,
} cove_edl_attr_kind;

typedef struct cove_edl_attrs {
	bool present; /* a '[...]' list was written (possibly empty) */
	bool in;
	bool out;
	bool user_check;
	bool string;
	bool wstring;
	bool isptr;
	bool isary;
	bool readonly;                             /* Intel only */
	cove_edl_size size;                        /* size=: bytes */
	cove_edl_size count;                       /* count=: elements */
	cove_edl_loc loc;                          /* the '[' */
	cove_edl_loc at[COVE_EDL_ATTR_KIND_COUNT]; /* where each attribute was written (line 0 = absent) */
} cove_edl_attrs;

/* Direction implied by the attributes (derived, for convenience). */
typedef enum cove_edl_dir {
	/* By value; or a pointer/array written without attributes, which crosses unchecked like user_check
	 * (a warning in the default and Open Enclave dialects, an error in Intel's). */
	COVE_EDL_DIR_NONE = 0,
	COVE_EDL_DIR_IN,
	COVE_EDL_DIR_OUT,
	COVE_EDL_DIR_INOUT,
	COVE_EDL_DIR_USER_CHECK,
} cove_edl_dir;

/* ---- declarations: parameters and struct/union members ---- */

typedef struct cove_edl_decl {
	const char *name;
	cove_edl_type type;
	cove_edl_dim *dims; /* [a][b]... left to right */
	size_t ndims;
	cove_edl_attrs attrs;
	cove_edl_dir dir; /* derived from attrs */
	cove_edl_loc loc; /* of the name */
	size_t index;     /* position among its siblings */
} cove_edl_decl;

typedef cove_edl_decl cove_edl_param;
typedef cove_edl_decl cove_edl_member;

/* ---- user-defined types ---- */

typedef enum cove_edl_user_kind {
	COVE_EDL_USER_STRUCT = 0,
	COVE_EDL_USER_UNION,
	COVE_EDL_USER_ENUM,
} cove_edl_user_kind;

typedef struct cove_edl_enumerator {
	const char *name;
	const char *value_text; /* initializer as written ("0", "-1", "0x10", "OTHER_NAME"), or NULL */
	bool has_int;           /* value_text is a number, parsed into value */
	int64_t value;
	cove_edl_loc loc;
} cove_edl_enumerator;

typedef struct cove_edl_user_type {
	cove_edl_user_kind kind;
	const char *name;         /* NULL for an anonymous enum */
	cove_edl_member *members; /* struct/union */
	size_t nmembers;
	cove_edl_enumerator *items; /* enum */
	size_t nitems;
	bool deep_copy;     /* a struct with a pointer member carrying size=/count= */
	cove_edl_loc loc;   /* of the name (or the keyword) */
	const char *origin; /* path of the EDL file that defines it */
	bool imported;      /* defined in an imported file, not the main one */
} cove_edl_user_type;

/* ---- functions ---- */

typedef enum cove_edl_func_kind {
	COVE_EDL_ECALL = 0, /* declared in trusted { } */
	COVE_EDL_OCALL,     /* declared in untrusted { } */
} cove_edl_func_kind;

typedef enum cove_edl_callconv {
	COVE_EDL_CALLCONV_NONE = 0,
	COVE_EDL_CALLCONV_CDECL,
	COVE_EDL_CALLCONV_STDCALL,
	COVE_EDL_CALLCONV_FASTCALL,
} cove_edl_callconv;

struct cove_edl_func;

/* A name in an allow(...) list, resolved to the ecall it permits. */
typedef struct cove_edl_allow {
	const char *name;
	const struct cove_edl_func *ecall; /* (sema) the trusted function, or NULL when unknown (an error) */
	cove_edl_loc loc;
} cove_edl_allow;

typedef struct cove_edl_func {
	const char *name;
	cove_edl_func_kind kind;
	bool is_public;    /* ecall written with `public` */
	cove_edl_type ret; /* return type (no dims) */
	cove_edl_param *params;
	size_t nparams;
	bool void_params;      /* written as "(void)" */
	bool has_allow;        /* an allow(...) clause was written (possibly empty) */
	cove_edl_allow *allow; /* ocalls: ecalls callable while this ocall runs */
	size_t nallow;
	bool propagate_errno;       /* ocall: host errno is copied back into the enclave */
	bool switchless;            /* transition_using_threads */
	cove_edl_callconv callconv; /* ocall prefix [cdecl|stdcall|fastcall] */
	bool dllimport;             /* ocall prefix [dllimport] */
	bool allowed;               /* ecall: named in some ocall's allow() (private ecalls need one) */
	size_t index;               /* position among ecalls or among ocalls: the call-table id */
	cove_edl_loc loc;           /* of the name */
	const char *origin;         /* path of the EDL file that declares it */
	bool imported;              /* brought in by an import, not declared in the main file */
} cove_edl_func;

/* ---- includes, imports, sources ---- */

typedef struct cove_edl_include {
	const char *path; /* header name as written between the quotes */
	cove_edl_loc loc;
	const char *origin; /* EDL file containing the include */
	bool imported;
} cove_edl_include;

/* One import statement, as written in some file of the import graph. */
typedef struct cove_edl_import {
	const char *spec;     /* the quoted name, e.g. "sgx_tstdc.edl" or "openenclave/edl/syscall.edl" */
	const char *resolved; /* the path it was found at */
	bool all;             /* `import *` or OE `import "x.edl"` */
	const char **names;   /* `from "x" import a, b`: the names */
	size_t nnames;
	cove_edl_loc loc;
	const char *origin; /* file containing the statement */
} cove_edl_import;

/* ---- a whole file ---- */

typedef struct cove_edl_file {
	const char *path; /* main file as given */
	const char *name; /* base name without folder and ".edl": default output prefix ("Enclave") */
	cove_edl_dialect dialect;
	cove_edl_include *includes; /* every include of the main file and of the files it imports, de-duplicated */
	size_t nincludes;
	cove_edl_user_type *types; /* every user type of the import closure, in definition order */
	size_t ntypes;
	cove_edl_func *ecalls; /* trusted functions: those of the main file and those imported */
	size_t necalls;
	cove_edl_func *ocalls; /* untrusted functions */
	size_t nocalls;
	cove_edl_import *imports; /* every import statement met */
	size_t nimports;
	const char **sources; /* every EDL file read, main first */
	size_t nsources;
	void *priv; /* the arena; private */
} cove_edl_file;

/*
 * Parse `path` and everything it imports, check both dialects' semantic
 * rules (narrowed by opts->dialect), and return the merged tree in *out.
 * Every problem goes to `diags` (errors and warnings, all of them, in source
 * order).  Returns COVE_OK with *out set when there is no error (warnings are
 * fine); COVE_ERR_PARSE when the input has errors (*out = NULL); COVE_ERR_IO
 * when `path` cannot be read (also reported in diags); COVE_ERR_NOMEM;
 * COVE_ERR_ARG for a NULL path or out.  `opts` may be NULL (defaults: no
 * search paths, no system folder, both dialects) and so may `diags`.  A
 * relative `path` not found as given is looked up in the search paths.
 */
cove_err cove_edl_parse_file(const char *path, const cove_edl_options *opts, cove_edl_file **out,
			     cove_edl_diags *diags);

/*
 * The same from memory: `name` is the file name used in diagnostics and to
 * resolve imports relative to its folder.  `text` need not be NUL-terminated.
 */
cove_err cove_edl_parse_buffer(const char *name, const char *text, size_t len, const cove_edl_options *opts,
			       cove_edl_file **out, cove_edl_diags *diags);

void cove_edl_file_free(cove_edl_file *f);

/* ---- lookup helpers for the generator ---- */

/* The EDL-defined struct/union/enum called `name`, or NULL. */
const cove_edl_user_type *cove_edl_find_type(const cove_edl_file *f, const char *name);

/* The ecall or ocall called `name`, or NULL. */
const cove_edl_func *cove_edl_find_func(const cove_edl_file *f, const char *name);

/* The parameter of `fn` called `name`, or NULL. */
const cove_edl_param *cove_edl_find_param(const cove_edl_func *fn, const char *name);

/* True for a struct defined in the EDL with deep-copy members (size=/count= on pointer members). */
bool cove_edl_type_is_deep_copy(const cove_edl_type *t);

/* C spelling of a built-in kind ("unsigned long long", "wchar_t", ...); "" for STRUCT/UNION/ENUM/FOREIGN. */
const char *cove_edl_type_kind_name(cove_edl_type_kind kind);

/* True for built-in integer kinds (bool, chars, wchar_t, short ... uint64_t, size_t). */
bool cove_edl_type_kind_is_integer(cove_edl_type_kind kind);

/* True for built-in signed integer kinds (char counts as signed; wchar_t as signed, as on Linux). */
bool cove_edl_type_kind_is_signed(cove_edl_type_kind kind);

/*
 * True when a value of this type (no pointer, no array) can be used as a
 * size or count: a built-in integer kind, an EDL enum, or a foreign name
 * (checked by the C compiler).  Pointers never qualify.
 */
bool cove_edl_type_is_integer(const cove_edl_type *t);

/*
 * C text of the type, e.g. "const char *", "struct foo", "unsigned long **",
 * "buffer_t".  Returns the full length (snprintf-style); buf is always
 * NUL-terminated when n > 0.
 */
size_t cove_edl_type_format(const cove_edl_type *t, char *buf, size_t n);

/* C declaration of a parameter or member: "const char *name", "int arr[4][5]". */
size_t cove_edl_decl_format(const cove_edl_decl *d, char *buf, size_t n);

/*
 * C expression for the size of one element a pointer declaration points at:
 * "sizeof(int)" for int*, "sizeof(struct s *)" for struct s**, "1" for
 * void* (size= counts bytes), "sizeof(*(buffer_t)0)" for an [isptr] foreign
 * type.  For an array declaration, the size of one element of the whole
 * array ("sizeof(int)" for int a[4][5]).
 */
size_t cove_edl_decl_elem_sizeof(const cove_edl_decl *d, char *buf, size_t n);

/*
 * C expression for the total byte size of a fixed array declaration
 * ("sizeof(int) * 4 * 5", dimensions may be identifiers), or of an [isary]
 * foreign type ("sizeof(array_t)").  Returns 0 with buf = "" for non-arrays.
 */
size_t cove_edl_decl_array_sizeof(const cove_edl_decl *d, char *buf, size_t n);

/* True when the declaration passes an address: '*', array dims, [isptr] or [isary]. */
bool cove_edl_decl_is_pointer(const cove_edl_decl *d);

/* True when it is an array: dims or [isary]. */
bool cove_edl_decl_is_array(const cove_edl_decl *d);

/* Number of array elements (product of numeric dims); 0 when a dim is an identifier or there are none. */
uint64_t cove_edl_decl_array_count(const cove_edl_decl *d);

/* Short name of a direction ("in", "out", "in,out", "user_check", ""). */
const char *cove_edl_dir_name(cove_edl_dir dir);

/* Print the merged tree in EDL-like text (debugging, tests, `cove-edger8r --dump`). */
void cove_edl_file_dump(const cove_edl_file *f, FILE *out);

/* ---- code generation (implemented by src/edl/codegen*.c) ---- */

typedef enum cove_edl_side {
	COVE_EDL_SIDE_BOTH = 0,  /* both <name>_t.{c,h} and <name>_u.{c,h} */
	COVE_EDL_SIDE_TRUSTED,   /* --trusted: enclave side only */
	COVE_EDL_SIDE_UNTRUSTED, /* --untrusted: host side only */
} cove_edl_side;

typedef struct cove_edl_gen_options {
	cove_edl_side side;
	const char *trusted_dir;   /* where <name>_t.* go; NULL = current directory */
	const char *untrusted_dir; /* where <name>_u.* go; NULL = current directory */
	bool header_only;          /* write only the .h files */
	const char *base_name;     /* output prefix; NULL = f->name */
} cove_edl_gen_options;

/*
 * Write the bridges for `f`.  Problems (unwritable folder, a construct the
 * generator cannot express) go to `d` as errors.  Returns COVE_OK, or
 * COVE_ERR_IO / COVE_ERR_UNSUPPORTED / COVE_ERR_NOMEM.
 */
cove_err cove_edl_generate(const cove_edl_file *f, const cove_edl_gen_options *o, cove_edl_diags *d);

#ifdef __cplusplus
}
#endif
#endif
