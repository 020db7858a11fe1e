/*
 * edl/codegen_internal.h - private plumbing of cove-edger8r's code generator
 * (codegen.c: files, headers, tables; codegen_call.c: proxies and bridges;
 * codegen_deep.c: deep-copy walkers).  The generated code targets the ABI of
 * include/cove/edge.h; docs/edge-abi.md describes both.
 */
#ifndef COVE_EDL_CODEGEN_INTERNAL_H
#define COVE_EDL_CODEGEN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "edl/edl.h"

typedef struct cg_ctx {
	const cove_edl_file *f;
	cove_edl_diags *d;
	char *base;  /* output file prefix ("Arrays") */
	char *ident; /* base as a C identifier ("Arrays", "_project_name_") */
	char *guard; /* upper-case ident, for include guards */
	bool oom;
} cg_ctx;

/* How a parameter crosses. */
typedef enum cg_kind {
	CG_VALUE = 0, /* by value (scalars, structs, enums, foreign values) */
	CG_RAW,       /* [user_check] or undirected pointer: the raw address */
	CG_BUF,       /* [in] / [out] / [in,out] buffer, string, array */
} cg_kind;

typedef struct cg_param {
	const cove_edl_param *d;
	cg_kind kind;
	bool in, out;
	bool string, wstring;
	bool array;   /* fixed dims or [isary]: size is the array's */
	bool boolean; /* a bool by value: crosses as uint8_t */
	const cove_edl_user_type *deep; /* element struct with deep-copy members, else NULL */
	char *decl;   /* C declaration: "const char *s" */
	char *ftype;  /* CG_VALUE: field type without const */
	char *elem;   /* element size expression */
	char *arrsz;  /* array byte size expression ("" when not an array) */
	char *stype;  /* deep: "struct S" */
} cg_param;

typedef struct cg_func {
	const cove_edl_func *fn;
	cg_param *p;
	size_t np;
	char *ret;     /* return type text, NULL for void */
	bool ret_bool; /* returns bool: crosses as uint8_t */
	bool has_bufs; /* a CG_BUF parameter exists (sizes struct and function) */
	bool deep_inout; /* a deep [in,out] parameter: the callee keeps a pristine copy */
	bool deep_out;   /* a deep [out]-only parameter: results travel in the extra block */
} cg_func;

/* Formatting helpers: heap strings (NULL and ctx->oom on failure). */
char *cg_strdup(cg_ctx *c, const char *s);
char *cg_printf(cg_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *cg_type_text(cg_ctx *c, const cove_edl_type *t, bool drop_const, int ptr_delta);

/* Analyse one function (parameters classified, texts formatted); cg_func_free releases it. */
bool cg_func_init(cg_ctx *c, const cove_edl_func *fn, cg_func *out);
void cg_func_free(cg_func *g);

/* The struct a deep member or parameter points at, when it has deep-copy members itself. */
const cove_edl_user_type *cg_deep_target(const cove_edl_type *t);
/* True for a struct member that is deep-copied ([count=]/[size=] on a pointer). */
bool cg_member_is_deep(const cove_edl_member *m);

/* codegen_call.c */
void cg_emit_args_struct(cg_ctx *c, FILE *o, const cg_func *g);
void cg_emit_sizes(cg_ctx *c, FILE *o, const cg_func *g);
/* Caller side: host ecall proxy (host = true) or enclave ocall proxy. */
void cg_emit_proxy(cg_ctx *c, FILE *o, const cg_func *g, bool host);
void cg_emit_proxy_proto(cg_ctx *c, FILE *o, const cg_func *g, bool host);
/* Callee side: enclave ecall bridge (trusted = true) or host ocall bridge. */
void cg_emit_bridge(cg_ctx *c, FILE *o, const cg_func *g, bool trusted);
/* Prototype of the user's implementation. */
void cg_emit_impl_proto(cg_ctx *c, FILE *o, const cg_func *g);

/* codegen_deep.c: walkers for every EDL struct with deep-copy members. */
void cg_emit_deep(cg_ctx *c, FILE *o);

#endif
