/*
 * cove-edger8r's code generator: from a parsed EDL file (edl/edl.h) it writes
 * <name>_t.h/.c (enclave side: ecall bridges, ocall proxies, the ecall table
 * with its allow() matrix) and <name>_u.h/.c (host side: ecall proxies, ocall
 * bridges, the ocall table) for cove's edge ABI (include/cove/edge.h).
 *
 * The shape follows Intel's sgx_edger8r (sdk/edger8r/linux/CodeGen.ml: proxies
 * `status f(eid, &retval, args...)`, private ecalls, the dynamic entry table)
 * and Open Enclave's oeedger8r (flattened input/output buffers, deep copy of
 * struct members with count=/size=, propagate_errno); the checks are listed
 * in include/cove/edge.h and docs/edge-abi.md.  This file handles files,
 * headers, user types and tables; codegen_call.c the per-call code and
 * codegen_deep.c the deep-copy walkers.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "edl/codegen_internal.h"

/* ---- small helpers ---- */

char *cg_strdup(cg_ctx *c, const char *s)
{
	char *r = strdup(s ? s : "");
	if (!r)
		c->oom = true;
	return r;
}

char *cg_printf(cg_ctx *c, const char *fmt, ...)
{
	va_list ap;
	char *r = NULL;

	va_start(ap, fmt);
	if (vasprintf(&r, fmt, ap) < 0)
		r = NULL;
	va_end(ap);
	if (!r)
		c->oom = true;
	return r;
}

/* Run an snprintf-style formatter of the front end into a heap string. */
typedef size_t (*fmt_fn)(const void *obj, char *buf, size_t n);

static char *fmt_heap(cg_ctx *c, fmt_fn fn, const void *obj)
{
	size_t n = fn(obj, NULL, 0);
	char *r = malloc(n + 1);
	if (!r) {
		c->oom = true;
		return NULL;
	}
	fn(obj, r, n + 1);
	return r;
}

static size_t fmt_type(const void *o, char *b, size_t n)
{
	return cove_edl_type_format(o, b, n);
}
static size_t fmt_decl(const void *o, char *b, size_t n)
{
	return cove_edl_decl_format(o, b, n);
}
static size_t fmt_elem(const void *o, char *b, size_t n)
{
	return cove_edl_decl_elem_sizeof(o, b, n);
}
static size_t fmt_arr(const void *o, char *b, size_t n)
{
	return cove_edl_decl_array_sizeof(o, b, n);
}

char *cg_type_text(cg_ctx *c, const cove_edl_type *t, bool drop_const, int ptr_delta)
{
	cove_edl_type u = *t;
	if (drop_const)
		u.is_const = false;
	if (ptr_delta < 0 && u.ptr >= (uint32_t)-ptr_delta)
		u.ptr -= (uint32_t)-ptr_delta;
	else if (ptr_delta > 0)
		u.ptr += (uint32_t)ptr_delta;
	return fmt_heap(c, fmt_type, &u);
}

static bool is_deep_struct(const cove_edl_user_type *u)
{
	return u && u->kind == COVE_EDL_USER_STRUCT && u->deep_copy;
}

const cove_edl_user_type *cg_deep_target(const cove_edl_type *t)
{
	if (t->ptr == 1 && t->kind == COVE_EDL_TYPE_STRUCT && is_deep_struct(t->user))
		return t->user;
	return NULL;
}

bool cg_member_is_deep(const cove_edl_member *m)
{
	return m->type.ptr > 0 && m->ndims == 0 && (m->attrs.count.present || m->attrs.size.present);
}

/* ---- function analysis ---- */

static void param_classify(cg_param *p)
{
	const cove_edl_decl *d = p->d;

	p->kind = CG_VALUE;
	if (!cove_edl_decl_is_pointer(d)) {
		p->boolean = d->type.kind == COVE_EDL_TYPE_BOOL && d->type.ptr == 0;
		return;
	}
	switch (d->dir) {
	case COVE_EDL_DIR_IN: p->in = true; break;
	case COVE_EDL_DIR_OUT: p->out = true; break;
	case COVE_EDL_DIR_INOUT: p->in = p->out = true; break;
	default: p->kind = CG_RAW; return;
	}
	p->kind = CG_BUF;
	p->string = d->attrs.string;
	p->wstring = d->attrs.wstring;
	p->array = cove_edl_decl_is_array(d);
	if (p->string || p->wstring || d->attrs.isptr || d->attrs.isary)
		return;
	if (d->ndims > 0) {
		if (d->type.ptr == 0 && d->type.kind == COVE_EDL_TYPE_STRUCT && is_deep_struct(d->type.user))
			p->deep = d->type.user;
	} else {
		p->deep = cg_deep_target(&d->type);
	}
}

bool cg_func_init(cg_ctx *c, const cove_edl_func *fn, cg_func *g)
{
	memset(g, 0, sizeof(*g));
	g->fn = fn;
	if (fn->nparams) {
		g->p = calloc(fn->nparams, sizeof(*g->p));
		if (!g->p) {
			c->oom = true;
			return false;
		}
	}
	g->np = fn->nparams;
	for (size_t i = 0; i < fn->nparams; i++) {
		cg_param *p = &g->p[i];
		p->d = &fn->params[i];
		param_classify(p);
		p->decl = fmt_heap(c, fmt_decl, p->d);
		if (p->kind == CG_VALUE)
			p->ftype = p->boolean ? cg_strdup(c, "uint8_t") : cg_type_text(c, &p->d->type, true, 0);
		p->elem = fmt_heap(c, fmt_elem, p->d);
		p->arrsz = fmt_heap(c, fmt_arr, p->d);
		if (p->deep)
			p->stype = cg_printf(c, "struct %s", p->deep->name);
		if (p->kind == CG_BUF) {
			g->has_bufs = true;
			if (p->deep && p->in && p->out)
				g->deep_inout = true;
			if (p->deep && p->out && !p->in)
				g->deep_out = true;
		}
	}
	if (!(fn->ret.kind == COVE_EDL_TYPE_VOID && fn->ret.ptr == 0)) {
		g->ret_bool = fn->ret.kind == COVE_EDL_TYPE_BOOL && fn->ret.ptr == 0;
		g->ret = cg_type_text(c, &fn->ret, false, 0);
	}
	return !c->oom;
}

void cg_func_free(cg_func *g)
{
	for (size_t i = 0; i < g->np; i++) {
		free(g->p[i].decl);
		free(g->p[i].ftype);
		free(g->p[i].elem);
		free(g->p[i].arrsz);
		free(g->p[i].stype);
	}
	free(g->p);
	free(g->ret);
	memset(g, 0, sizeof(*g));
}

/* ---- headers ---- */

static void emit_banner(cg_ctx *c, FILE *o, const char *side)
{
	/* The file's name only: the output does not depend on where the build ran. */
	const char *src = c->f->path ? c->f->path : c->base;
	const char *slash = strrchr(src, '/');
	fprintf(o,
		"/*\n * Generated by cove-edger8r from %s: %s.\n"
		" * Edge ABI: cove/edge.h (docs/edge-abi.md).  Do not edit.\n */\n",
		slash ? slash + 1 : src, side);
}

static void emit_user_types(cg_ctx *c, FILE *o)
{
	const cove_edl_file *f = c->f;

	for (size_t i = 0; i < f->ntypes; i++) {
		const cove_edl_user_type *u = &f->types[i];
		const char *gname = u->name;
		if (!gname && u->kind == COVE_EDL_USER_ENUM && u->nitems)
			gname = u->items[0].name;
		if (gname)
			fprintf(o, "#ifndef COVE_EDL_TYPE_%s\n#define COVE_EDL_TYPE_%s\n", gname, gname);
		if (u->kind == COVE_EDL_USER_ENUM) {
			if (u->name)
				fprintf(o, "typedef enum %s {\n", u->name);
			else
				fprintf(o, "enum {\n");
			for (size_t k = 0; k < u->nitems; k++) {
				const cove_edl_enumerator *en = &u->items[k];
				if (en->value_text)
					fprintf(o, "\t%s = %s,\n", en->name, en->value_text);
				else
					fprintf(o, "\t%s,\n", en->name);
			}
			if (u->name)
				fprintf(o, "} %s;\n", u->name);
			else
				fprintf(o, "};\n");
		} else {
			const char *kw = u->kind == COVE_EDL_USER_STRUCT ? "struct" : "union";
			fprintf(o, "typedef %s %s {\n", kw, u->name);
			for (size_t k = 0; k < u->nmembers; k++) {
				char *decl = fmt_heap(c, fmt_decl, &u->members[k]);
				if (decl)
					fprintf(o, "\t%s;\n", decl);
				free(decl);
			}
			fprintf(o, "} %s;\n", u->name);
		}
		if (gname)
			fprintf(o, "#endif\n");
		fprintf(o, "\n");
	}
}

static void emit_ids(cg_ctx *c, FILE *o)
{
	const cove_edl_file *f = c->f;

	if (f->necalls == 0 && f->nocalls == 0)
		return;
	fprintf(o, "#ifndef %s_CALL_IDS_DEFINED\n#define %s_CALL_IDS_DEFINED\n/* Call ids: indexes in %s_ecall_table and %s_ocall_table. */\nenum {\n",
		c->guard, c->guard, c->ident, c->ident);
	for (size_t i = 0; i < f->necalls; i++)
		fprintf(o, "\t%s_ECALL_%s = %zu,\n", c->guard, f->ecalls[i].name, f->ecalls[i].index);
	for (size_t i = 0; i < f->nocalls; i++)
		fprintf(o, "\t%s_OCALL_%s = %zu,\n", c->guard, f->ocalls[i].name, f->ocalls[i].index);
	fprintf(o, "};\n#endif\n\n");
}

static void emit_header(cg_ctx *c, FILE *o, bool trusted)
{
	const cove_edl_file *f = c->f;
	cg_func g = {0};

	emit_banner(c, o, trusted ? "enclave side" : "host side");
	fprintf(o, "#ifndef %s_%s_H\n#define %s_%s_H\n\n", c->guard, trusted ? "T" : "U", c->guard, trusted ? "T" : "U");
	/* The C library's types that EDL files use unqualified (ssize_t comes from POSIX <sys/types.h>). */
	fprintf(o, "#include <stdbool.h>\n#include <stddef.h>\n#include <stdint.h>\n#include <wchar.h>\n"
		   "#include <sys/types.h>\n\n");
	fprintf(o, "#include \"cove/edge.h\"\n");
	for (size_t i = 0; i < f->nincludes; i++)
		fprintf(o, "#include \"%s\"\n", f->includes[i].path);
	fprintf(o, "\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n");
	emit_user_types(c, o);
	emit_ids(c, o);
	for (size_t i = 0; i < f->necalls + f->nocalls; i++) {
		const cove_edl_func *fn = i < f->necalls ? &f->ecalls[i] : &f->ocalls[i - f->necalls];
		if (!cg_func_init(c, fn, &g)) {
			cg_func_free(&g);
			return;
		}
		cg_emit_args_struct(c, o, &g);
		cg_func_free(&g);
	}
	if (trusted) {
		if (f->necalls)
			fprintf(o, "/* Trusted functions: implemented by the enclave, reached through %s_ecall_table. */\n",
				c->ident);
		for (size_t i = 0; i < f->necalls; i++) {
			if (!cg_func_init(c, &f->ecalls[i], &g))
				break;
			cg_emit_impl_proto(c, o, &g);
			cg_func_free(&g);
		}
		if (f->nocalls)
			fprintf(o, "\n/* Ocall proxies: COVE_EDGE_OK when the call crossed; the host's result in *retval. */\n");
		for (size_t i = 0; i < f->nocalls; i++) {
			if (!cg_func_init(c, &f->ocalls[i], &g))
				break;
			cg_emit_proxy_proto(c, o, &g, false);
			cg_func_free(&g);
		}
		fprintf(o, "\nextern const cove_edge_table %s_ecall_table;\n", c->ident);
	} else {
		if (f->necalls)
			fprintf(o, "/* Ecall proxies: COVE_EDGE_OK when the call crossed; the enclave's result in *retval. */\n");
		for (size_t i = 0; i < f->necalls; i++) {
			if (!cg_func_init(c, &f->ecalls[i], &g))
				break;
			cg_emit_proxy_proto(c, o, &g, true);
			cg_func_free(&g);
		}
		if (f->nocalls)
			fprintf(o, "\n/* Untrusted functions: implemented by the host, reached through %s_ocall_table. */\n",
				c->ident);
		for (size_t i = 0; i < f->nocalls; i++) {
			if (!cg_func_init(c, &f->ocalls[i], &g))
				break;
			cg_emit_impl_proto(c, o, &g);
			cg_func_free(&g);
		}
		fprintf(o, "\nextern const cove_edge_table %s_ocall_table;\n", c->ident);
	}
	cg_func_free(&g);
	fprintf(o, "\n#ifdef __cplusplus\n}\n#endif\n#endif\n");
}

/* ---- sources ---- */

static void emit_table(cg_ctx *c, FILE *o, bool ecalls)
{
	const cove_edl_file *f = c->f;
	const cove_edl_func *fns = ecalls ? f->ecalls : f->ocalls;
	size_t n = ecalls ? f->necalls : f->nocalls;
	const char *what = ecalls ? "ecall" : "ocall";
	bool any_allow = false;

	if (n) {
		fprintf(o, "static const cove_edge_entry cove_%s_entries[%zu] = {\n", what, n);
		for (size_t i = 0; i < n; i++) {
			const cove_edl_func *fn = NULL;
			for (size_t k = 0; k < n; k++)
				if (fns[k].index == i)
					fn = &fns[k];
			if (!fn) {
				cove_edl_diag_add(c->d, COVE_EDL_ERROR, NULL, NULL, "%s table: no function with index %zu",
						  what, i);
				fprintf(o, "\t{NULL, NULL, 0},\n");
				continue;
			}
			uint32_t flags = 0;
			char fl[96] = "0";
			if (ecalls && fn->is_public)
				flags |= 1;
			if (fn->switchless)
				flags |= 2;
			if (!ecalls && fn->propagate_errno)
				flags |= 4;
			if (flags) {
				snprintf(fl, sizeof(fl), "%s%s%s", (flags & 1) ? "COVE_EDGE_CALL_PUBLIC" : "",
					 (flags & 2) ? ((flags & 1) ? " | COVE_EDGE_CALL_SWITCHLESS" : "COVE_EDGE_CALL_SWITCHLESS") : "",
					 (flags & 4) ? ((flags & 3) ? " | COVE_EDGE_CALL_ERRNO" : "COVE_EDGE_CALL_ERRNO") : "");
			}
			fprintf(o, "\t{cove_bridge_%s, \"%s\", %s},\n", fn->name, fn->name, fl);
		}
		fprintf(o, "};\n\n");
	}
	if (ecalls && n && f->nocalls) {
		for (size_t i = 0; i < f->nocalls; i++)
			if (f->ocalls[i].nallow)
				any_allow = true;
	}
	if (any_allow) {
		/* Row o, column e: ocall o allows ecall e to be called while it runs (Intel's g_dyn_entry_table). */
		fprintf(o, "static const uint8_t cove_ecall_allow[%zu] = {\n", f->nocalls * n);
		for (size_t oi = 0; oi < f->nocalls; oi++) {
			const cove_edl_func *oc = NULL;
			for (size_t k = 0; k < f->nocalls; k++)
				if (f->ocalls[k].index == oi)
					oc = &f->ocalls[k];
			fprintf(o, "\t");
			for (size_t e = 0; e < n; e++) {
				int allowed = 0;
				for (size_t a = 0; oc && a < oc->nallow; a++)
					if (oc->allow[a].ecall && oc->allow[a].ecall->index == e)
						allowed = 1;
				fprintf(o, "%d,%s", allowed, e + 1 < n ? " " : "");
			}
			fprintf(o, " /* %s */\n", oc ? oc->name : "?");
		}
		fprintf(o, "};\n\n");
	}
	fprintf(o, "const cove_edge_table %s_%s_table = {\n", c->ident, what);
	fprintf(o, "\t.abi_version = COVE_EDGE_ABI_VERSION,\n\t.count = %zu,\n\t.entries = %s,\n", n,
		n ? (ecalls ? "cove_ecall_entries" : "cove_ocall_entries") : "NULL");
	fprintf(o, "\t.nocalls = %zu,\n\t.allow = %s,\n\t.name = \"%s\",\n", any_allow ? f->nocalls : (size_t)0,
		any_allow ? "cove_ecall_allow" : "NULL", c->base);
	/* Open Enclave lets the host call public ecalls from any ocall; Intel requires allow(). */
	fprintf(o, "\t.flags = %s,\n};\n",
		ecalls && f->dialect == COVE_EDL_DIALECT_OE ? "COVE_EDGE_TABLE_NESTED_PUBLIC" : "0");
}

static void emit_source(cg_ctx *c, FILE *o, bool trusted)
{
	const cove_edl_file *f = c->f;
	cg_func g = {0};

	emit_banner(c, o, trusted ? "enclave side" : "host side");
	fprintf(o, "#include <errno.h>\n#include <stdlib.h>\n#include <string.h>\n\n#include \"%s_%s.h\"\n\n", c->base,
		trusted ? "t" : "u");
	cg_emit_deep(c, o);
	for (size_t i = 0; i < f->necalls + f->nocalls; i++) {
		bool is_ecall = i < f->necalls;
		const cove_edl_func *fn = is_ecall ? &f->ecalls[i] : &f->ocalls[i - f->necalls];
		if (!cg_func_init(c, fn, &g)) {
			cg_func_free(&g);
			return;
		}
		cg_emit_sizes(c, o, &g);
		if (is_ecall == trusted)
			cg_emit_bridge(c, o, &g, trusted); /* this side receives the call */
		else
			cg_emit_proxy(c, o, &g, !trusted); /* this side makes it */
		cg_func_free(&g);
	}
	emit_table(c, o, trusted);
}

/* ---- files ---- */

static cove_err write_file(cg_ctx *c, const char *dir, const char *suffix, bool trusted, bool header)
{
	char *text = NULL, *path = NULL;
	size_t len = 0;
	FILE *mem, *out = NULL;
	cove_err err = COVE_OK;

	mem = open_memstream(&text, &len);
	if (!mem)
		return COVE_ERR_NOMEM;
	if (header)
		emit_header(c, mem, trusted);
	else
		emit_source(c, mem, trusted);
	if (fclose(mem) != 0 || c->oom) {
		free(text);
		cove_edl_diag_add(c->d, COVE_EDL_ERROR, NULL, NULL, "code generation ran out of memory");
		return COVE_ERR_NOMEM;
	}
	path = cg_printf(c, "%s/%s%s", dir && *dir ? dir : ".", c->base, suffix);
	if (!path) {
		free(text);
		return COVE_ERR_NOMEM;
	}
	out = fopen(path, "w");
	if (!out || fwrite(text, 1, len, out) != len) {
		cove_edl_diag_add(c->d, COVE_EDL_ERROR, NULL, NULL, "cannot write %s: %s", path, strerror(errno));
		err = COVE_ERR_IO;
	}
	if (out && fclose(out) != 0 && !err) {
		cove_edl_diag_add(c->d, COVE_EDL_ERROR, NULL, NULL, "cannot write %s: %s", path, strerror(errno));
		err = COVE_ERR_IO;
	}
	free(path);
	free(text);
	return err;
}

cove_err cove_edl_generate(const cove_edl_file *f, const cove_edl_gen_options *o, cove_edl_diags *d)
{
	cg_ctx c = {0};
	cove_edl_gen_options defaults = {0};
	cove_err err = COVE_OK;
	size_t errors_before;

	if (!f || !d)
		return COVE_ERR_ARG;
	errors_before = d->errors;
	if (!o)
		o = &defaults;
	c.f = f;
	c.d = d;
	c.base = cg_strdup(&c, o->base_name ? o->base_name : f->name);
	c.ident = cg_strdup(&c, c.base);
	c.guard = cg_strdup(&c, c.base);
	if (c.oom) {
		err = COVE_ERR_NOMEM;
		goto out;
	}
	/* File names may hold anything ("[[project-name]]"); identifiers may not. */
	for (char *p = c.ident, *q = c.guard; *p; p++, q++) {
		if (!isalnum((unsigned char)*p) && *p != '_')
			*p = *q = '_';
		*q = (char)toupper((unsigned char)*p);
	}
	if (isdigit((unsigned char)c.ident[0]))
		c.ident[0] = c.guard[0] = '_';
	if (o->side != COVE_EDL_SIDE_UNTRUSTED) {
		err = write_file(&c, o->trusted_dir, "_t.h", true, true);
		if (!err && !o->header_only)
			err = write_file(&c, o->trusted_dir, "_t.c", true, false);
	}
	if (!err && o->side != COVE_EDL_SIDE_TRUSTED) {
		err = write_file(&c, o->untrusted_dir, "_u.h", false, true);
		if (!err && !o->header_only)
			err = write_file(&c, o->untrusted_dir, "_u.c", false, false);
	}
	if (!err && d->errors > errors_before)
		err = COVE_ERR_UNSUPPORTED;
out:
	free(c.base);
	free(c.ident);
	free(c.guard);
	return err;
}
