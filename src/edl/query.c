/*
 * Questions the code generator asks of a parsed EDL tree: lookups by name,
 * the C spelling of types and declarations, sizeof expressions for buffers
 * (element and whole-array sizes, as the marshalling code of both SDKs
 * computes them: sdk/edger8r/linux/CodeGen.ml, oeedger8r-cpp c_emitter.h),
 * and a textual dump of the merged tree for tests and debugging.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "edl/internal.h"

/* snprintf-style appender: keeps the full length even when the buffer is short. */
typedef struct sbuf {
	char *buf;
	size_t n;
	size_t len;
} sbuf;

static void sb_init(sbuf *s, char *buf, size_t n)
{
	s->buf = buf;
	s->n = n;
	s->len = 0;
	if (n)
		buf[0] = '\0';
}

static void sb_add(sbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_add(sbuf *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *dst = s->len < s->n ? s->buf + s->len : NULL;
	size_t room = s->len < s->n ? s->n - s->len : 0;
	int r = vsnprintf(dst, room, fmt, ap);
	va_end(ap);
	if (r > 0)
		s->len += (size_t)r;
}

const char *cove_edl_type_kind_name(cove_edl_type_kind kind)
{
	switch (kind) {
	case COVE_EDL_TYPE_VOID:
		return "void";
	case COVE_EDL_TYPE_BOOL:
		return "bool";
	case COVE_EDL_TYPE_CHAR:
		return "char";
	case COVE_EDL_TYPE_SCHAR:
		return "signed char";
	case COVE_EDL_TYPE_UCHAR:
		return "unsigned char";
	case COVE_EDL_TYPE_WCHAR:
		return "wchar_t";
	case COVE_EDL_TYPE_SHORT:
		return "short";
	case COVE_EDL_TYPE_USHORT:
		return "unsigned short";
	case COVE_EDL_TYPE_INT:
		return "int";
	case COVE_EDL_TYPE_UINT:
		return "unsigned int";
	case COVE_EDL_TYPE_LONG:
		return "long";
	case COVE_EDL_TYPE_ULONG:
		return "unsigned long";
	case COVE_EDL_TYPE_LLONG:
		return "long long";
	case COVE_EDL_TYPE_ULLONG:
		return "unsigned long long";
	case COVE_EDL_TYPE_FLOAT:
		return "float";
	case COVE_EDL_TYPE_DOUBLE:
		return "double";
	case COVE_EDL_TYPE_LDOUBLE:
		return "long double";
	case COVE_EDL_TYPE_SIZE_T:
		return "size_t";
	case COVE_EDL_TYPE_INT8:
		return "int8_t";
	case COVE_EDL_TYPE_INT16:
		return "int16_t";
	case COVE_EDL_TYPE_INT32:
		return "int32_t";
	case COVE_EDL_TYPE_INT64:
		return "int64_t";
	case COVE_EDL_TYPE_UINT8:
		return "uint8_t";
	case COVE_EDL_TYPE_UINT16:
		return "uint16_t";
	case COVE_EDL_TYPE_UINT32:
		return "uint32_t";
	case COVE_EDL_TYPE_UINT64:
		return "uint64_t";
	default:
		return "";
	}
}

bool cove_edl_type_kind_is_integer(cove_edl_type_kind kind)
{
	return (kind >= COVE_EDL_TYPE_BOOL && kind <= COVE_EDL_TYPE_ULLONG) ||
	       (kind >= COVE_EDL_TYPE_SIZE_T && kind <= COVE_EDL_TYPE_UINT64);
}

bool cove_edl_type_kind_is_signed(cove_edl_type_kind kind)
{
	switch (kind) {
	case COVE_EDL_TYPE_CHAR:
	case COVE_EDL_TYPE_SCHAR:
	case COVE_EDL_TYPE_WCHAR:
	case COVE_EDL_TYPE_SHORT:
	case COVE_EDL_TYPE_INT:
	case COVE_EDL_TYPE_LONG:
	case COVE_EDL_TYPE_LLONG:
	case COVE_EDL_TYPE_INT8:
	case COVE_EDL_TYPE_INT16:
	case COVE_EDL_TYPE_INT32:
	case COVE_EDL_TYPE_INT64:
		return true;
	default:
		return false;
	}
}

bool cove_edl_type_is_integer(const cove_edl_type *t)
{
	if (t->ptr)
		return false;
	return cove_edl_type_kind_is_integer(t->kind) || t->kind == COVE_EDL_TYPE_ENUM ||
	       t->kind == COVE_EDL_TYPE_FOREIGN;
}

bool cove_edl_type_is_deep_copy(const cove_edl_type *t)
{
	return t->user && t->user->kind == COVE_EDL_USER_STRUCT && t->user->deep_copy;
}

/* The base type alone: "unsigned long", "struct foo", "buffer_t". */
static void add_base(sbuf *s, const cove_edl_type *t)
{
	switch (t->kind) {
	case COVE_EDL_TYPE_STRUCT:
	case COVE_EDL_TYPE_UNION:
	case COVE_EDL_TYPE_ENUM:
		if (t->keyword)
			sb_add(s, "%s %s",
			       t->kind == COVE_EDL_TYPE_STRUCT  ? "struct"
			       : t->kind == COVE_EDL_TYPE_UNION ? "union"
								: "enum",
			       t->name ? t->name : "?");
		else
			sb_add(s, "%s", t->name ? t->name : "?");
		break;
	case COVE_EDL_TYPE_FOREIGN:
		sb_add(s, "%s", t->name ? t->name : "?");
		break;
	default:
		sb_add(s, "%s", cove_edl_type_kind_name(t->kind));
		break;
	}
}

/* Type with `ptr` stars, optionally without const. */
static void add_type(sbuf *s, const cove_edl_type *t, uint32_t ptr, bool with_const)
{
	if (with_const && t->is_const)
		sb_add(s, "const ");
	add_base(s, t);
	if (ptr) {
		sb_add(s, " ");
		for (uint32_t i = 0; i < ptr; i++)
			sb_add(s, "*");
	}
}

size_t cove_edl_type_format(const cove_edl_type *t, char *buf, size_t n)
{
	sbuf s;
	sb_init(&s, buf, n);
	add_type(&s, t, t->ptr, true);
	return s.len;
}

static void add_dims(sbuf *s, const cove_edl_decl *d)
{
	for (size_t i = 0; i < d->ndims; i++) {
		if (d->dims[i].ident)
			sb_add(s, "[%s]", d->dims[i].ident);
		else
			sb_add(s, "[%llu]", (unsigned long long)d->dims[i].value);
	}
}

size_t cove_edl_decl_format(const cove_edl_decl *d, char *buf, size_t n)
{
	sbuf s;
	sb_init(&s, buf, n);
	add_type(&s, &d->type, d->type.ptr, true);
	sb_add(&s, "%s%s", d->type.ptr ? "" : " ", d->name ? d->name : "?");
	add_dims(&s, d);
	return s.len;
}

size_t cove_edl_decl_elem_sizeof(const cove_edl_decl *d, char *buf, size_t n)
{
	sbuf s;
	sb_init(&s, buf, n);
	const cove_edl_type *t = &d->type;
	if (d->attrs.isary && t->ptr == 0) {
		sb_add(&s, "sizeof(");
		add_base(&s, t);
		sb_add(&s, ")");
	} else if (d->attrs.isptr && t->ptr == 0) {
		/* A pointer typedef: the pointee's size without naming the pointee type. */
		sb_add(&s, "sizeof(*(");
		add_base(&s, t);
		sb_add(&s, ")0)");
	} else if (d->ndims) {
		sb_add(&s, "sizeof(");
		add_type(&s, t, t->ptr, false);
		sb_add(&s, ")");
	} else if (t->ptr) {
		if (t->ptr == 1 && t->kind == COVE_EDL_TYPE_VOID) {
			sb_add(&s, "1");
		} else {
			sb_add(&s, "sizeof(");
			add_type(&s, t, t->ptr - 1, false);
			sb_add(&s, ")");
		}
	} else {
		sb_add(&s, "sizeof(");
		add_type(&s, t, 0, false);
		sb_add(&s, ")");
	}
	return s.len;
}

size_t cove_edl_decl_array_sizeof(const cove_edl_decl *d, char *buf, size_t n)
{
	sbuf s;
	sb_init(&s, buf, n);
	if (d->ndims) {
		sb_add(&s, "sizeof(");
		add_type(&s, &d->type, d->type.ptr, false);
		sb_add(&s, ")");
		for (size_t i = 0; i < d->ndims; i++) {
			if (d->dims[i].ident)
				sb_add(&s, " * %s", d->dims[i].ident);
			else
				sb_add(&s, " * %llu", (unsigned long long)d->dims[i].value);
		}
	} else if (d->attrs.isary) {
		sb_add(&s, "sizeof(");
		add_base(&s, &d->type);
		sb_add(&s, ")");
	}
	return s.len;
}

bool cove_edl_decl_is_pointer(const cove_edl_decl *d)
{
	return d->type.ptr > 0 || d->ndims > 0 || d->attrs.isptr || d->attrs.isary;
}

bool cove_edl_decl_is_array(const cove_edl_decl *d)
{
	return d->ndims > 0 || d->attrs.isary;
}

uint64_t cove_edl_decl_array_count(const cove_edl_decl *d)
{
	if (!d->ndims)
		return 0;
	uint64_t n = 1;
	for (size_t i = 0; i < d->ndims; i++) {
		uint64_t v = d->dims[i].value;
		if (d->dims[i].ident || v == 0 || n > UINT64_MAX / v)
			return 0;
		n *= v;
	}
	return n;
}

const char *cove_edl_dir_name(cove_edl_dir dir)
{
	switch (dir) {
	case COVE_EDL_DIR_IN:
		return "in";
	case COVE_EDL_DIR_OUT:
		return "out";
	case COVE_EDL_DIR_INOUT:
		return "in,out";
	case COVE_EDL_DIR_USER_CHECK:
		return "user_check";
	default:
		return "";
	}
}

const cove_edl_user_type *cove_edl_find_type(const cove_edl_file *f, const char *name)
{
	if (!f || !name)
		return NULL;
	for (size_t i = 0; i < f->ntypes; i++)
		if (f->types[i].name && strcmp(f->types[i].name, name) == 0)
			return &f->types[i];
	return NULL;
}

const cove_edl_func *cove_edl_find_func(const cove_edl_file *f, const char *name)
{
	if (!f || !name)
		return NULL;
	for (size_t i = 0; i < f->necalls; i++)
		if (strcmp(f->ecalls[i].name, name) == 0)
			return &f->ecalls[i];
	for (size_t i = 0; i < f->nocalls; i++)
		if (strcmp(f->ocalls[i].name, name) == 0)
			return &f->ocalls[i];
	return NULL;
}

const cove_edl_param *cove_edl_find_param(const cove_edl_func *fn, const char *name)
{
	if (!fn || !name)
		return NULL;
	for (size_t i = 0; i < fn->nparams; i++)
		if (strcmp(fn->params[i].name, name) == 0)
			return &fn->params[i];
	return NULL;
}

/* ---- dump ---- */

static void dump_size(FILE *out, const char *key, const cove_edl_size *s, bool *first)
{
	if (!s->present)
		return;
	if (s->ident)
		fprintf(out, "%s%s=%s", *first ? "" : ", ", key, s->ident);
	else
		fprintf(out, "%s%s=%llu", *first ? "" : ", ", key, (unsigned long long)s->value);
	*first = false;
}

static void dump_decl(FILE *out, const cove_edl_decl *d)
{
	const cove_edl_attrs *a = &d->attrs;
	if (a->present) {
		bool first = true;
		fputc('[', out);
		static const struct {
			size_t off;
			const char *name;
		} flags[] = {
		    {offsetof(cove_edl_attrs, in), "in"},
		    {offsetof(cove_edl_attrs, out), "out"},
		    {offsetof(cove_edl_attrs, user_check), "user_check"},
		    {offsetof(cove_edl_attrs, string), "string"},
		    {offsetof(cove_edl_attrs, wstring), "wstring"},
		    {offsetof(cove_edl_attrs, isptr), "isptr"},
		    {offsetof(cove_edl_attrs, isary), "isary"},
		    {offsetof(cove_edl_attrs, readonly), "readonly"},
		};
		for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
			if (*(const bool *)((const char *)a + flags[i].off)) {
				fprintf(out, "%s%s", first ? "" : ", ", flags[i].name);
				first = false;
			}
		}
		dump_size(out, "size", &a->size, &first);
		dump_size(out, "count", &a->count, &first);
		fputs("] ", out);
	}
	char buf[512];
	cove_edl_decl_format(d, buf, sizeof(buf));
	fputs(buf, out);
}

static void dump_func(FILE *out, const cove_edl_func *fn)
{
	char buf[512];
	fputs("        ", out);
	if (fn->kind == COVE_EDL_ECALL && fn->is_public)
		fputs("public ", out);
	if (fn->callconv != COVE_EDL_CALLCONV_NONE || fn->dllimport) {
		static const char *const cc[] = {"", "cdecl", "stdcall", "fastcall"};
		fprintf(out, "[%s%s%s] ", cc[fn->callconv],
			fn->dllimport && fn->callconv != COVE_EDL_CALLCONV_NONE ? ", " : "",
			fn->dllimport ? "dllimport" : "");
	}
	cove_edl_type_format(&fn->ret, buf, sizeof(buf));
	fprintf(out, "%s%s%s(", buf, fn->ret.ptr ? "" : " ", fn->name);
	if (!fn->nparams)
		fputs("void", out);
	for (size_t i = 0; i < fn->nparams; i++) {
		if (i)
			fputs(", ", out);
		dump_decl(out, &fn->params[i]);
	}
	fputc(')', out);
	if (fn->has_allow) {
		fputs(" allow(", out);
		for (size_t i = 0; i < fn->nallow; i++)
			fprintf(out, "%s%s", i ? ", " : "", fn->allow[i].name);
		fputc(')', out);
	}
	if (fn->propagate_errno)
		fputs(" propagate_errno", out);
	if (fn->switchless)
		fputs(" transition_using_threads", out);
	fprintf(out, "; // #%zu %s:%u%s\n", fn->index, fn->origin, (unsigned)fn->loc.line,
		fn->kind == COVE_EDL_ECALL && !fn->is_public ? (fn->allowed ? " private, allowed" : " private") : "");
}

void cove_edl_file_dump(const cove_edl_file *f, FILE *out)
{
	fprintf(out, "// %s (%s)\nenclave {\n", f->path, f->name);
	for (size_t i = 0; i < f->nincludes; i++)
		fprintf(out, "    include \"%s\"%s\n", f->includes[i].path,
			f->includes[i].imported ? " // imported" : "");
	for (size_t i = 0; i < f->ntypes; i++) {
		const cove_edl_user_type *t = &f->types[i];
		static const char *const kw[] = {"struct", "union", "enum"};
		fprintf(out, "    %s %s {%s\n", kw[t->kind], t->name ? t->name : "",
			t->deep_copy ? " // deep copy" : "");
		for (size_t j = 0; j < t->nmembers; j++) {
			fputs("        ", out);
			dump_decl(out, &t->members[j]);
			fputs(";\n", out);
		}
		for (size_t j = 0; j < t->nitems; j++)
			fprintf(out, "        %s%s%s,\n", t->items[j].name, t->items[j].value_text ? " = " : "",
				t->items[j].value_text ? t->items[j].value_text : "");
		fputs("    };\n", out);
	}
	fputs("    trusted {\n", out);
	for (size_t i = 0; i < f->necalls; i++)
		dump_func(out, &f->ecalls[i]);
	fputs("    };\n    untrusted {\n", out);
	for (size_t i = 0; i < f->nocalls; i++)
		dump_func(out, &f->ocalls[i]);
	fputs("    };\n};\n", out);
}
