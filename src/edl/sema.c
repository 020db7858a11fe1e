/*
 * EDL semantic checks: the rules of Intel's sgx_edger8r (sdk/edger8r/linux/
 * Parser.mly get_ptr_attr/check_ptr_attr, CodeGen.ml check_allow_list,
 * report_orphaned_priv_ecall) and of Open Enclave's oeedger8r (oeedger8r-cpp
 * parser.cpp validate_attributes, check_size_count_decls,
 * check_deep_copy_struct_by_value, warnings.h), with messages that name the
 * function, the parameter and the rule.  Where the two SDKs differ the
 * default (COVE_EDL_DIALECT_BOTH) accepts what either accepts and warns
 * when the other would refuse; --dialect intel|oe applies one SDK's rule.
 * docs/edl.md lists every rule.
 */
#include <stdio.h>
#include <string.h>

#include "edl/internal.h"

static bool is_oe(const edl_ctx *ctx)
{
	return ctx->opts.dialect == COVE_EDL_DIALECT_OE;
}

static bool is_intel(const edl_ctx *ctx)
{
	return ctx->opts.dialect == COVE_EDL_DIALECT_INTEL;
}

/* Where attribute `k` was written, else the declaration's name. */
static const cove_edl_loc *attr_loc(const cove_edl_decl *d, cove_edl_attr_kind k)
{
	return d->attrs.at[k].line ? &d->attrs.at[k] : &d->loc;
}

static const char *type_text(const cove_edl_type *t, char *buf, size_t n)
{
	cove_edl_type_format(t, buf, n);
	size_t len = strlen(buf);
	if (len && buf[len - 1] == ' ')
		buf[len - 1] = '\0';
	/* "char *" reads better in messages as "char*", as oeedger8r prints it. */
	char *sp = strstr(buf, " *");
	if (sp)
		memmove(sp, sp + 1, strlen(sp + 1) + 1);
	return buf;
}

/* Resolve a bare name to the EDL type it denotes; check struct/union/enum tags against definitions. */
static void resolve_type(edl_ctx *ctx, edl_unit *u, cove_edl_type *t)
{
	if (!t->name)
		return;
	cove_edl_user_type *ut = edl_unit_find_type(u, t->name);
	if (!ut)
		return;
	cove_edl_type_kind want = ut->kind == COVE_EDL_USER_STRUCT  ? COVE_EDL_TYPE_STRUCT
				  : ut->kind == COVE_EDL_USER_UNION ? COVE_EDL_TYPE_UNION
								    : COVE_EDL_TYPE_ENUM;
	if (t->kind == COVE_EDL_TYPE_FOREIGN) {
		t->kind = want;
		t->keyword = false;
	} else if (t->kind != want) {
		static const char *const kw[] = {"struct", "union", "enum"};
		const char *used = t->kind == COVE_EDL_TYPE_STRUCT  ? "struct"
				   : t->kind == COVE_EDL_TYPE_UNION ? "union"
								    : "enum";
		edl_report(ctx, u, COVE_EDL_ERROR, &t->loc, NULL,
			   "`%s %s' refers to `%s', which is defined as a %s at %s:%u", used, t->name, t->name,
			   kw[ut->kind], ut->loc.file, (unsigned)ut->loc.line);
	}
}

static cove_edl_dir direction(const cove_edl_attrs *a)
{
	if (a->user_check)
		return COVE_EDL_DIR_USER_CHECK;
	if (a->in && a->out)
		return COVE_EDL_DIR_INOUT;
	if (a->in)
		return COVE_EDL_DIR_IN;
	if (a->out)
		return COVE_EDL_DIR_OUT;
	return COVE_EDL_DIR_NONE;
}

/* The base kind of a declaration's type, through pointers (for portability and string checks). */
static bool is_char_kind(const edl_ctx *ctx, cove_edl_type_kind k)
{
	if (is_oe(ctx))
		return k == COVE_EDL_TYPE_CHAR;
	return k == COVE_EDL_TYPE_CHAR || k == COVE_EDL_TYPE_SCHAR || k == COVE_EDL_TYPE_UCHAR;
}

/*
 * size=/count= naming a sibling (parameter or member): resolve it and check
 * its type.  `what` is "function" or "struct", `owner` its name.
 */
static void check_size_ref(edl_ctx *ctx, edl_unit *u, cove_edl_size *sz, const char *key, cove_edl_decl *siblings,
			   size_t n, const cove_edl_decl *self, const char *what, const char *owner)
{
	if (!sz->present || !sz->ident)
		return;
	cove_edl_decl *ref = NULL;
	for (size_t i = 0; i < n; i++)
		if (siblings[i].name && strcmp(siblings[i].name, sz->ident) == 0)
			ref = &siblings[i];
	if (!ref) {
		edl_report(ctx, u, COVE_EDL_ERROR, &sz->loc, NULL,
			   "%s `%s': `%s=%s' of `%s': there is no %s named `%s'", what, owner, key, sz->ident,
			   self->name, strcmp(what, "struct") == 0 ? "member" : "parameter", sz->ident);
		return;
	}
	sz->ref = ref;
	char tb[256];
	const cove_edl_type *t = &ref->type;
	bool bad = ref == self || t->ptr || ref->ndims || ref->attrs.isptr || ref->attrs.isary ||
		   t->kind == COVE_EDL_TYPE_STRUCT || t->kind == COVE_EDL_TYPE_UNION || t->kind == COVE_EDL_TYPE_VOID;
	if (bad) {
		edl_report(ctx, u, COVE_EDL_ERROR, &sz->loc, NULL,
			   "%s `%s': `%s=%s' of `%s': `%s' has type `%s', which cannot be a size or count (an integer "
			   "is needed)",
			   what, owner, key, sz->ident, self->name, ref->name, type_text(t, tb, sizeof(tb)));
		return;
	}
	if (t->kind == COVE_EDL_TYPE_FLOAT || t->kind == COVE_EDL_TYPE_DOUBLE || t->kind == COVE_EDL_TYPE_LDOUBLE) {
		/* Both SDKs let the C conversion truncate it; say so. */
		edl_report(
		    ctx, u, COVE_EDL_WARNING, &sz->loc, "float-size-or-count",
		    "%s `%s': the size or count parameter `%s' of `%s' is floating-point (`%s'); it is converted "
		    "to size_t",
		    what, owner, ref->name, self->name, type_text(t, tb, sizeof(tb)));
		return;
	}
	if (!is_intel(ctx) && cove_edl_type_kind_is_signed(t->kind) && t->kind != COVE_EDL_TYPE_WCHAR)
		edl_report(ctx, u, COVE_EDL_WARNING, &sz->loc, "signed-size-or-count",
			   "%s `%s': the size or count parameter `%s' of `%s' should not be signed (it is `%s')", what,
			   owner, ref->name, self->name, type_text(t, tb, sizeof(tb)));
}

/* ---- function parameters ---- */

static void check_param(edl_ctx *ctx, edl_unit *u, cove_edl_func *fn, cove_edl_decl *d)
{
	cove_edl_attrs *a = &d->attrs;
	cove_edl_type *t = &d->type;
	const char *fname = fn->name;
	const char *pname = d->name;
	char tb[256];
	bool is_ptr = t->ptr > 0;
	bool is_arr = d->ndims > 0;
	bool has_dir = a->in || a->out;
	bool addr = is_ptr || is_arr || a->isptr || a->isary;
	d->dir = direction(a);

	if (t->kind == COVE_EDL_TYPE_VOID && !is_ptr) {
		edl_report(ctx, u, COVE_EDL_ERROR, &d->loc, NULL, "function `%s': parameter `%s' has type `void'",
			   fname, pname);
		return;
	}
	if (a->user_check && has_dir)
		edl_report(ctx, u, COVE_EDL_ERROR, attr_loc(d, COVE_EDL_ATTR_USER_CHECK), NULL,
			   "function `%s', parameter `%s': pointer direction (in/out) and `user_check' are mutually "
			   "exclusive",
			   fname, pname);

	/* [string] / [wstring] */
	if (a->string || a->wstring) {
		cove_edl_attr_kind k = a->string ? COVE_EDL_ATTR_STRING : COVE_EDL_ATTR_WSTRING;
		const cove_edl_loc *l = attr_loc(d, k);
		if (a->string && a->wstring)
			edl_report(ctx, u, COVE_EDL_ERROR, l, NULL,
				   "function `%s', parameter `%s': `string' and `wstring' are mutually exclusive",
				   fname, pname);
		if (a->out && !a->in)
			edl_report(
			    ctx, u, COVE_EDL_ERROR, l, NULL,
			    "function `%s', parameter `%s': string/wstring attribute should be used with an `in' "
			    "attribute (`[out, string]' is not allowed; use `[in, out, string]')",
			    fname, pname);
		else if (!a->in)
			edl_report(ctx, u, COVE_EDL_ERROR, l, NULL,
				   "function `%s', parameter `%s': string/wstring attributes must be used with pointer "
				   "direction `in'",
				   fname, pname);
		if (a->size.present || a->count.present)
			edl_report(
			    ctx, u, COVE_EDL_ERROR, l, NULL,
			    "function `%s', parameter `%s': size attributes are mutually exclusive with (w)string "
			    "attribute (the length comes from the terminator)",
			    fname, pname);
		if (a->string && !(t->ptr == 1 && !is_arr && is_char_kind(ctx, t->kind)))
			edl_report(ctx, u, COVE_EDL_ERROR, attr_loc(d, COVE_EDL_ATTR_STRING), NULL,
				   "function `%s': invalid `string' attribute - `%s' is not char pointer (it is `%s')",
				   fname, pname, type_text(t, tb, sizeof(tb)));
		if (a->wstring && !(t->ptr == 1 && !is_arr && t->kind == COVE_EDL_TYPE_WCHAR))
			edl_report(
			    ctx, u, COVE_EDL_ERROR, attr_loc(d, COVE_EDL_ATTR_WSTRING), NULL,
			    "function `%s': invalid `wstring' attribute - `%s' is not wchar_t pointer (it is `%s')",
			    fname, pname, type_text(t, tb, sizeof(tb)));
	}

	/* [isptr] / [isary]: foreign typedefs that are pointers / arrays. */
	if (a->isptr || a->isary) {
		cove_edl_attr_kind k = a->isptr ? COVE_EDL_ATTR_ISPTR : COVE_EDL_ATTR_ISARY;
		const char *kw = a->isptr ? "isptr" : "isary";
		const cove_edl_loc *l = attr_loc(d, k);
		if (a->isptr && a->isary)
			edl_report(ctx, u, COVE_EDL_ERROR, l, NULL,
				   "function `%s', parameter `%s': `isary' cannot be used with `isptr' together", fname,
				   pname);
		if (t->kind != COVE_EDL_TYPE_FOREIGN || t->ptr) {
			edl_report(
			    ctx, u, COVE_EDL_ERROR, l, NULL,
			    "function `%s', parameter `%s': `%s' attribute is only valid for user defined type, not "
			    "for `%s' (it marks a typedef from a C header as a pointer or an array)",
			    fname, pname, kw, type_text(t, tb, sizeof(tb)));
		}
		if (!has_dir && !a->user_check)
			edl_report(
			    ctx, u, COVE_EDL_ERROR, l, NULL,
			    "function `%s', parameter `%s': `%s' should have direction attribute or `user_check'",
			    fname, pname, kw);
		if (is_arr)
			edl_report(
			    ctx, u, COVE_EDL_ERROR, l, NULL,
			    "function `%s': invalid parameter - `%s' is a pointer array (`%s' with array dimensions)",
			    fname, pname, kw);
		if (a->isary && (a->size.present || a->count.present))
			edl_report(ctx, u, COVE_EDL_ERROR, l, NULL,
				   "function `%s', parameter `%s': size/count cannot be used with a foreign array "
				   "(`isary'); its size is sizeof(%s)",
				   fname, pname, t->name ? t->name : "?");
	}

	/* size= / count= */
	if (a->size.present || a->count.present) {
		cove_edl_attr_kind k = a->size.present ? COVE_EDL_ATTR_SIZE : COVE_EDL_ATTR_COUNT;
		const char *kw = a->size.present ? "size" : "count";
		const cove_edl_loc *l = attr_loc(d, k);
		if (!addr) {
			edl_report(ctx, u, COVE_EDL_ERROR, l, NULL,
				   "function `%s', parameter `%s': `%s' is invalid for plain type `%s' (not a pointer)",
				   fname, pname, kw, type_text(t, tb, sizeof(tb)));
		} else if (!has_dir) {
			edl_report(ctx, u, COVE_EDL_ERROR, l, NULL,
				   "function `%s', parameter `%s': size/count attributes must be used with pointer "
				   "direction (in/out)%s",
				   fname, pname, a->user_check ? ", not with `user_check'" : "");
		}
		if (is_arr && !a->isary)
			edl_report(
			    ctx, u, COVE_EDL_ERROR, l, NULL,
			    "function `%s', parameter `%s': `%s' cannot be given for a fixed-size array (its size "
			    "comes from the dimensions)",
			    fname, pname, kw);
		if (a->size.present && a->count.present) {
			if (is_oe(ctx))
				edl_report(ctx, u, COVE_EDL_ERROR, attr_loc(d, COVE_EDL_ATTR_COUNT), NULL,
					   "function `%s', parameter `%s': simultaneous `size' and `count' are not "
					   "supported by oeedger8r",
					   fname, pname);
			else if (!is_intel(ctx))
				edl_report(
				    ctx, u, COVE_EDL_WARNING, attr_loc(d, COVE_EDL_ATTR_COUNT), "size-and-count",
				    "function `%s', parameter `%s': `size' and `count' together are not supported "
				    "by oeedger8r; the buffer is size x count bytes, as Intel's edger8r reads it",
				    fname, pname);
		}
		if (a->size.present && t->ptr == 1 && t->user && t->user->kind == COVE_EDL_USER_STRUCT &&
		    t->user->deep_copy)
			edl_report(ctx, u, COVE_EDL_ERROR, attr_loc(d, COVE_EDL_ATTR_SIZE), NULL,
				   "function `%s', parameter `%s': size attributes are invalid for the pointer of the "
				   "deep-copy struct `%s'; use `count'",
				   fname, pname, t->user->name);
		check_size_ref(ctx, u, &a->size, "size", fn->params, fn->nparams, d, "function", fname);
		check_size_ref(ctx, u, &a->count, "count", fn->params, fn->nparams, d, "function", fname);
	}

	/* in / out on things that are not buffers */
	if (has_dir) {
		cove_edl_attr_kind k = a->in ? COVE_EDL_ATTR_IN : COVE_EDL_ATTR_OUT;
		const char *kw = a->in ? "in" : "out";
		if (!addr)
			edl_report(ctx, u, COVE_EDL_ERROR, attr_loc(d, k), NULL,
				   "function `%s', parameter `%s': `%s' is invalid for plain type `%s' (not a pointer)",
				   fname, pname, kw, type_text(t, tb, sizeof(tb)));
		else if (is_ptr && is_arr)
			edl_report(
			    ctx, u, COVE_EDL_ERROR, attr_loc(d, k), NULL,
			    "function `%s': invalid parameter - `%s' is a pointer array (`%s' cannot copy an array "
			    "of pointers)",
			    fname, pname, kw);
	}
	if (a->user_check && !addr)
		edl_report(ctx, u, COVE_EDL_ERROR, attr_loc(d, COVE_EDL_ATTR_USER_CHECK), NULL,
			   "function `%s', parameter `%s': `user_check' attribute is invalid for plain type `%s'",
			   fname, pname, type_text(t, tb, sizeof(tb)));

	/* readonly (Intel): the enclave's copy is never written back. */
	if (a->readonly) {
		if (a->out)
			edl_report(ctx, u, COVE_EDL_ERROR, attr_loc(d, COVE_EDL_ATTR_READONLY), NULL,
				   "function `%s': `%s' is readonly - cannot be used with `out'", fname, pname);
		if (!addr)
			edl_report(ctx, u, COVE_EDL_ERROR, attr_loc(d, COVE_EDL_ATTR_READONLY), NULL,
				   "function `%s', parameter `%s': `readonly' is invalid for plain type `%s'", fname,
				   pname, type_text(t, tb, sizeof(tb)));
	}
	/* Intel treats `const T *' as readonly, so `out' is refused there. */
	if (t->is_const && is_ptr && a->out && !a->readonly) {
		if (is_intel(ctx))
			edl_report(ctx, u, COVE_EDL_ERROR, attr_loc(d, COVE_EDL_ATTR_OUT), NULL,
				   "function `%s': `%s' is readonly (const) - cannot be used with `out'", fname, pname);
		else
			edl_report(
			    ctx, u, COVE_EDL_WARNING, attr_loc(d, COVE_EDL_ATTR_OUT), "const-out",
			    "function `%s', parameter `%s': `out' on a const pointer (Intel's edger8r refuses it; "
			    "the data is copied back all the same)",
			    fname, pname);
	}

	/* Buffers with no direction. */
	if (addr && !has_dir && !a->user_check && !a->isptr && !a->isary) {
		if (is_intel(ctx))
			edl_report(ctx, u, COVE_EDL_ERROR, &d->loc, NULL,
				   "function `%s': pointer/array `%s' should have direction attribute or `user_check'",
				   fname, pname);
		else
			edl_report(ctx, u, COVE_EDL_WARNING, &d->loc, "ptr-without-direction",
				   "function `%s': `%s' is a pointer or array without a direction; it is passed "
				   "unchecked, as with `user_check'",
				   fname, pname);
	}

	/* A void pointer needs a byte count to be copied. */
	if (t->kind == COVE_EDL_TYPE_VOID && t->ptr == 1 && has_dir && !a->user_check) {
		if (!a->size.present && (!a->count.present || is_intel(ctx)))
			edl_report(ctx, u, COVE_EDL_ERROR, &d->loc, NULL,
				   "function `%s': void pointer `%s' - buffer size unknown (give `size=')", fname,
				   pname);
	}

	/* A struct declared for deep copy cannot travel by value: its pointers would not follow. */
	if (!is_ptr && !is_arr && t->kind == COVE_EDL_TYPE_STRUCT && t->name) {
		cove_edl_user_type *ut = edl_unit_find_type(u, t->name);
		if (ut && ut->kind == COVE_EDL_USER_STRUCT && ut->deep_copy)
			edl_report(
			    ctx, u, COVE_EDL_ERROR, &d->loc, NULL,
			    "the structure declaration `%s' specifies a deep copy is expected. Referenced by value "
			    "in function `%s' detected (parameter `%s'; pass a pointer with a direction)",
			    ut->name, fname, pname);
	}

	/* oeedger8r -Wnon-portable-type: these differ between the Windows and Linux ABIs. */
	if (!is_intel(ctx)) {
		const char *np = NULL;
		switch (t->kind) {
		case COVE_EDL_TYPE_WCHAR:
			np = "wchar_t";
			break;
		case COVE_EDL_TYPE_LDOUBLE:
			np = "long double";
			break;
		case COVE_EDL_TYPE_LONG:
			np = "long";
			break;
		case COVE_EDL_TYPE_ULONG:
			np = "unsigned long";
			break;
		default:
			break;
		}
		if (np)
			edl_report(
			    ctx, u, COVE_EDL_WARNING, &t->loc, "non-portable-type",
			    "function `%s': `%s' has different sizes on Windows and Linux (parameter `%s'); this "
			    "enclave cannot be built on Linux and safely loaded on Windows",
			    fname, np, pname);
	}
}

static void check_function(edl_ctx *ctx, edl_unit *u, cove_edl_func *fn)
{
	resolve_type(ctx, u, &fn->ret);
	for (size_t i = 0; i < fn->nparams; i++) {
		resolve_type(ctx, u, &fn->params[i].type);
		/* Lookups of EDL types happen before the final tree exists; point at the unit's definition. */
		cove_edl_type *t = &fn->params[i].type;
		if ((t->kind == COVE_EDL_TYPE_STRUCT || t->kind == COVE_EDL_TYPE_UNION ||
		     t->kind == COVE_EDL_TYPE_ENUM) &&
		    t->name)
			t->user = edl_unit_find_type(u, t->name);
	}
	if (fn->kind == COVE_EDL_ECALL && !fn->is_public && is_oe(ctx))
		edl_report(ctx, u, COVE_EDL_ERROR, &fn->loc, NULL,
			   "function `%s': `private' specifier is not supported by oeedger8r (declare it `public')",
			   fn->name);
	if (fn->kind == COVE_EDL_OCALL && fn->has_allow && is_oe(ctx))
		edl_report(ctx, u, COVE_EDL_WARNING, &fn->loc, "unsupported-allow",
			   "function `%s': reentrant ocalls are not supported by Open Enclave; allow list ignored",
			   fn->name);
	if (fn->ret.kind == COVE_EDL_TYPE_VOID && fn->ret.ptr == 0 && fn->ret.is_const)
		edl_report(ctx, u, COVE_EDL_ERROR, &fn->ret.loc, NULL, "function `%s': `const void' return type",
			   fn->name);
	for (size_t i = 0; i < fn->nparams; i++) {
		for (size_t j = 0; j < i; j++) {
			if (strcmp(fn->params[i].name, fn->params[j].name) == 0) {
				edl_report(ctx, u, COVE_EDL_ERROR, &fn->params[i].loc, NULL,
					   "function `%s': duplicate parameter name `%s'", fn->name,
					   fn->params[i].name);
				break;
			}
		}
		check_param(ctx, u, fn, &fn->params[i]);
	}
}

/* ---- user types ---- */

static void check_struct(edl_ctx *ctx, edl_unit *u, cove_edl_user_type *st)
{
	bool is_union = st->kind == COVE_EDL_USER_UNION;
	const char *what = is_union ? "union" : "struct";
	char tb[256];
	if (!st->nmembers)
		edl_report(ctx, u, COVE_EDL_ERROR, &st->loc, NULL, "%s `%s' has no members", what, st->name);
	for (size_t i = 0; i < st->nmembers; i++) {
		cove_edl_decl *m = &st->members[i];
		resolve_type(ctx, u, &m->type);
		if ((m->type.kind == COVE_EDL_TYPE_STRUCT || m->type.kind == COVE_EDL_TYPE_UNION) && m->type.name &&
		    m->type.ptr == 0 && strcmp(m->type.name, st->name) == 0)
			edl_report(ctx, u, COVE_EDL_ERROR, &m->loc, NULL, "%s `%s': member `%s' contains the %s itself",
				   what, st->name, m->name, what);
		for (size_t j = 0; j < i; j++)
			if (strcmp(m->name, st->members[j].name) == 0) {
				edl_report(ctx, u, COVE_EDL_ERROR, &m->loc, NULL, "%s `%s': duplicate member `%s'",
					   what, st->name, m->name);
				break;
			}
		if (m->type.kind == COVE_EDL_TYPE_VOID && !m->type.ptr)
			edl_report(ctx, u, COVE_EDL_ERROR, &m->loc, NULL, "%s `%s': member `%s' has type `void'", what,
				   st->name, m->name);
		cove_edl_attrs *a = &m->attrs;
		if (!a->present)
			continue;
		if (is_union) {
			edl_report(ctx, u, COVE_EDL_ERROR, &a->loc, NULL,
				   "union `%s': attributes are not allowed for union members (member `%s')", st->name,
				   m->name);
			continue;
		}
		for (int k = 0; k < COVE_EDL_ATTR_KIND_COUNT; k++) {
			if (k == COVE_EDL_ATTR_SIZE || k == COVE_EDL_ATTR_COUNT || !a->at[k].line)
				continue;
			edl_report(ctx, u, COVE_EDL_ERROR, &a->at[k], NULL,
				   "struct `%s', member `%s': only `count' and `size' attributes can be specified for "
				   "struct members",
				   st->name, m->name);
		}
		if (a->size.present || a->count.present) {
			const cove_edl_loc *l = a->size.present ? &a->size.loc : &a->count.loc;
			if (!m->type.ptr || m->ndims)
				edl_report(ctx, u, COVE_EDL_ERROR, l, NULL,
					   "struct `%s', member `%s': size/count need a pointer member, not `%s'",
					   st->name, m->name, type_text(&m->type, tb, sizeof(tb)));
			check_size_ref(ctx, u, &a->size, "size", st->members, st->nmembers, m, "struct", st->name);
			check_size_ref(ctx, u, &a->count, "count", st->members, st->nmembers, m, "struct", st->name);
			if (m->type.ptr)
				st->deep_copy = true;
		}
	}
}

static void check_enum(edl_ctx *ctx, edl_unit *u, cove_edl_user_type *en)
{
	for (size_t i = 0; i < en->nitems; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(en->items[i].name, en->items[j].name) == 0) {
				edl_report(ctx, u, COVE_EDL_ERROR, &en->items[i].loc, NULL,
					   "enum `%s': duplicate enumerator `%s'", en->name ? en->name : "(anonymous)",
					   en->items[i].name);
				break;
			}
}

void edl_sema_unit(edl_ctx *ctx, edl_unit *u)
{
	for (size_t i = 0; i < u->own_types.len; i++) {
		cove_edl_user_type *t = EDL_VEC_AT(&u->own_types, cove_edl_user_type *, i);
		if (t->kind == COVE_EDL_USER_ENUM)
			check_enum(ctx, u, t);
		else
			check_struct(ctx, u, t);
	}
	for (size_t i = 0; i < u->own_ecalls.len; i++)
		check_function(ctx, u, EDL_VEC_AT(&u->own_ecalls, cove_edl_func *, i));
	for (size_t i = 0; i < u->own_ocalls.len; i++)
		check_function(ctx, u, EDL_VEC_AT(&u->own_ocalls, cove_edl_func *, i));
}

/* ---- the merged tree ---- */

static const cove_edl_user_type *final_type(const cove_edl_file *f, const char *name, cove_edl_type_kind kind)
{
	const cove_edl_user_type *ut = cove_edl_find_type(f, name);
	if (!ut)
		return NULL;
	cove_edl_user_kind want = kind == COVE_EDL_TYPE_STRUCT  ? COVE_EDL_USER_STRUCT
				  : kind == COVE_EDL_TYPE_UNION ? COVE_EDL_USER_UNION
								: COVE_EDL_USER_ENUM;
	return ut->kind == want ? ut : NULL;
}

static void link_type(const cove_edl_file *f, cove_edl_type *t)
{
	t->user = NULL;
	if (t->name &&
	    (t->kind == COVE_EDL_TYPE_STRUCT || t->kind == COVE_EDL_TYPE_UNION || t->kind == COVE_EDL_TYPE_ENUM))
		t->user = final_type(f, t->name, t->kind);
}

static void link_decls(const cove_edl_file *f, cove_edl_decl *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		link_type(f, &d[i].type);
		d[i].dir = direction(&d[i].attrs);
	}
}

static bool is_c_identifier(const char *s)
{
	if (!*s || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

void edl_sema_final(edl_ctx *ctx, edl_unit *main, cove_edl_file *f)
{
	(void)main;
	/* Point every type at the final copy of its definition. */
	for (size_t i = 0; i < f->ntypes; i++)
		link_decls(f, f->types[i].members, f->types[i].nmembers);
	for (size_t i = 0; i < f->necalls; i++) {
		link_type(f, &f->ecalls[i].ret);
		link_decls(f, f->ecalls[i].params, f->ecalls[i].nparams);
	}
	for (size_t i = 0; i < f->nocalls; i++) {
		link_type(f, &f->ocalls[i].ret);
		link_decls(f, f->ocalls[i].params, f->ocalls[i].nparams);
	}

	/* allow(...) names ecalls of the enclave. */
	for (size_t i = 0; i < f->nocalls; i++) {
		cove_edl_func *o = &f->ocalls[i];
		for (size_t j = 0; j < o->nallow; j++) {
			cove_edl_allow *al = &o->allow[j];
			al->ecall = NULL;
			for (size_t k = 0; k < f->necalls; k++)
				if (strcmp(f->ecalls[k].name, al->name) == 0) {
					al->ecall = &f->ecalls[k];
					f->ecalls[k].allowed = true;
				}
			if (al->ecall)
				continue;
			bool is_ocall = false;
			for (size_t k = 0; k < f->nocalls; k++)
				if (strcmp(f->ocalls[k].name, al->name) == 0)
					is_ocall = true;
			edl_report(
			    ctx, NULL, COVE_EDL_ERROR, &al->loc, NULL,
			    is_ocall ? "function `%s' declared to allow `%s', which is an untrusted function (allow() "
				       "lists ECALLs)"
				     : "function `%s' declared to allow unknown function `%s'",
			    o->name, al->name);
		}
	}

	/* Private ECALLs are reachable only through an allow() list (Intel). */
	if (!is_oe(ctx) && f->necalls) {
		bool any_public = false;
		for (size_t i = 0; i < f->necalls; i++)
			any_public |= f->ecalls[i].is_public;
		if (!any_public)
			edl_report(
			    ctx, NULL, COVE_EDL_ERROR, &f->ecalls[0].loc, NULL,
			    "the enclave `%s' contains no public root ECALL (`%s' is private; mark an ECALL `public')",
			    f->name, f->ecalls[0].name);
		for (size_t i = 0; i < f->necalls; i++) {
			const cove_edl_func *e = &f->ecalls[i];
			if (!e->is_public && !e->allowed && any_public)
				edl_report(
				    ctx, NULL, COVE_EDL_WARNING, &e->loc, "private-ecall",
				    "private ECALL `%s' is not used by any OCALL (no allow() names it), so nothing can "
				    "call it",
				    e->name);
		}
	}

	/* Enumerators share one C namespace across all enums. */
	for (size_t i = 0; i < f->ntypes; i++) {
		const cove_edl_user_type *a = &f->types[i];
		for (size_t ai = 0; ai < a->nitems; ai++) {
			bool dup = false;
			for (size_t j = 0; j < i && !dup; j++) {
				const cove_edl_user_type *b = &f->types[j];
				for (size_t bi = 0; bi < b->nitems && !dup; bi++) {
					if (strcmp(a->items[ai].name, b->items[bi].name) != 0)
						continue;
					edl_report(ctx, NULL, COVE_EDL_ERROR, &a->items[ai].loc, NULL,
						   "enumerator `%s' is already defined at %s:%u", a->items[ai].name,
						   b->items[bi].loc.file, (unsigned)b->items[bi].loc.line);
					dup = true;
				}
			}
		}
	}

	if (!is_c_identifier(f->name)) {
		cove_edl_loc l = {f->path, 0, 0};
		edl_report(ctx, NULL, COVE_EDL_WARNING, &l, "file-name",
			   "file short name `%s' is not a valid C identifier (generated names derive from it)",
			   f->name);
	}
}
