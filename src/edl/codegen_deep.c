/*
 * Deep copy of EDL structs whose pointer members carry [count=]/[size=]
 * (Open Enclave oeedger8r's deep copy: docs/DesignDocs/DeepCopyOutParameters.md
 * and tests/oeedger8r/edl/deepcopy.edl).  For every such struct S the
 * generated code gets static walkers over an array of S:
 *
 *   measure  bytes the nested data needs (plain chunks, or framed ones)
 *   put      write nested data after the struct array, depth first
 *   take     receiver: point members at the nested chunks of its private copy
 *   back     callee: write [in,out] nested data back in the layout the
 *            original (pristine) structure fixed; a size/count member may
 *            shrink, never grow (COVE_EDGE_BUFFER_TOO_SMALL, OE's
 *            "return_large" cases); a buffer the callee kept goes back whole
 *            (the caller keeps its own size members), one it replaced goes
 *            back up to the size the callee declared
 *   merge    caller: take the callee's struct bytes but keep its own nested
 *            pointers and the size/count members they depend on (OE keeps
 *            those "consistent even if the callee modified them")
 *   apply    caller: copy [in,out] nested data back into its own buffers
 *   load     caller: allocate and fill what an [out] callee allocated
 *   free     release nested allocations (down to 4 * COVE_EDGE_MAX_DEPTH, so
 *            a callee that built data too deep to copy is still cleaned up)
 *
 * Every size comes from overflow-checked arithmetic on the member values of a
 * private copy; recursion stops at COVE_EDGE_MAX_DEPTH.
 */
#include <stdlib.h>
#include <string.h>

#include "edl/codegen_internal.h"

/* The value of count= / size= on a member, read from the element `_cove_e`. */
static void emit_member_value(FILE *o, const cove_edl_size *sz, const char *dst)
{
	if (sz->ident)
		fprintf(o, "\t_cove_st = COVE_EDGE_TO_SIZE(_cove_e->%s, %s);\n", sz->ident, dst);
	else
		fprintf(o, "\t_cove_st = cove_edge_size_from_unsigned(%lluULL, %s);\n", (unsigned long long)sz->value, dst);
	fprintf(o, "\tif (_cove_st)\n\t\treturn _cove_st;\n");
}

static size_t fmt_elem(const void *o, char *b, size_t n)
{
	return cove_edl_decl_elem_sizeof(o, b, n);
}

static void emit_dsz(cg_ctx *c, FILE *o, const cove_edl_user_type *u, const cove_edl_member *m)
{
	const cove_edl_attrs *a = &m->attrs;
	size_t n = fmt_elem(m, NULL, 0);
	char *elem = malloc(n + 1);

	if (!elem) {
		c->oom = true;
		return;
	}
	fmt_elem(m, elem, n + 1);
	fprintf(o, "/* Bytes of %s.%s. */\n", u->name, m->name);
	fprintf(o, "static cove_edge_status cove_dsz_%s_%s(const struct %s *_cove_e, size_t *_cove_b)\n{\n", u->name,
		m->name, u->name);
	fprintf(o, "\tcove_edge_status _cove_st;\n");
	if (a->count.present)
		fprintf(o, "\tsize_t _cove_n = 0;\n");
	if (a->size.present)
		fprintf(o, "\tsize_t _cove_z = 0;\n");
	fprintf(o, "\n\t(void)_cove_e;\n");
	if (a->count.present)
		emit_member_value(o, &a->count, "&_cove_n");
	if (a->size.present)
		emit_member_value(o, &a->size, "&_cove_z");
	if (a->count.present && a->size.present)
		fprintf(o, "\treturn cove_edge_mul_size(_cove_n, _cove_z, _cove_b);\n");
	else if (a->count.present)
		fprintf(o, "\treturn cove_edge_mul_size(_cove_n, %s, _cove_b);\n", elem);
	else
		fprintf(o, "\t*_cove_b = _cove_z;\n\t(void)_cove_st;\n\treturn COVE_EDGE_OK;\n");
	fprintf(o, "}\n\n");
	free(elem);
}

/* The nested struct a deep member points at (recursion target), or NULL for plain data. */
static const cove_edl_user_type *member_target(const cove_edl_member *m)
{
	return cg_deep_target(&m->type);
}

static bool has_nested(const cove_edl_user_type *u)
{
	for (size_t k = 0; k < u->nmembers; k++)
		if (cg_member_is_deep(&u->members[k]) && member_target(&u->members[k]))
			return true;
	return false;
}

#define UNUSED "__attribute__((unused)) "

static void emit_protos(FILE *o, const cove_edl_user_type *u)
{
	const char *s = u->name;
	fprintf(o,
		"static cove_edge_status cove_dc_measure_%s(const cove_edge_transport *, const struct %s *, size_t, int, size_t *, unsigned) " UNUSED ";\n"
		"static cove_edge_status cove_dc_put_%s(const cove_edge_transport *, const struct %s *, size_t, int, cove_edge_cursor *, unsigned) " UNUSED ";\n"
		"static cove_edge_status cove_dc_take_%s(const cove_edge_transport *, struct %s *, size_t, cove_edge_cursor *, unsigned) " UNUSED ";\n"
		"static cove_edge_status cove_dc_back_%s(const cove_edge_transport *, const struct %s *, const struct %s *, size_t, size_t, uintptr_t, cove_edge_cursor *, unsigned) " UNUSED ";\n"
		"static void cove_dc_merge_%s(struct %s *, const struct %s *, size_t) " UNUSED ";\n"
		"static cove_edge_status cove_dc_apply_%s(const cove_edge_transport *, struct %s *, size_t, cove_edge_cursor *, int, unsigned) " UNUSED ";\n"
		"static cove_edge_status cove_dc_load_%s(const cove_edge_transport *, struct %s *, size_t, cove_edge_cursor *, unsigned) " UNUSED ";\n"
		"static void cove_dc_free_%s(const cove_edge_transport *, struct %s *, size_t, unsigned) " UNUSED ";\n",
		s, s, s, s, s, s, s, s, s, s, s, s, s, s, s, s, s, s);
	for (size_t k = 0; k < u->nmembers; k++)
		if (cg_member_is_deep(&u->members[k]))
			fprintf(o, "static cove_edge_status cove_dsz_%s_%s(const struct %s *, size_t *) " UNUSED ";\n", s,
				u->members[k].name, s);
}

#define FOR_DEEP(u, k, m) \
	for (size_t k = 0; k < (u)->nmembers; k++) \
		for (const cove_edl_member *m = &(u)->members[k]; m && cg_member_is_deep(m); m = NULL)

static void emit_measure_put(FILE *o, const cove_edl_user_type *u, bool put)
{
	const char *s = u->name;

	if (put)
		fprintf(o, "static cove_edge_status cove_dc_put_%s(const cove_edge_transport *_cove_t, const struct %s *_cove_a, size_t _cove_n, int _cove_framed, cove_edge_cursor *_cove_c, unsigned _cove_depth)\n{\n", s, s);
	else
		fprintf(o, "static cove_edge_status cove_dc_measure_%s(const cove_edge_transport *_cove_t, const struct %s *_cove_a, size_t _cove_n, int _cove_framed, size_t *_cove_total, unsigned _cove_depth)\n{\n", s, s);
	fprintf(o, "\tcove_edge_status _cove_st;\n\tsize_t _cove_b = 0;\n\n");
	if (put)
		fprintf(o, "\t(void)_cove_t;\n");
	fprintf(o, "\tif (_cove_depth >= COVE_EDGE_MAX_DEPTH)\n\t\treturn COVE_EDGE_TOO_DEEP;\n");
	fprintf(o, "\tfor (size_t _cove_i = 0; _cove_i < _cove_n; _cove_i++) {\n");
	FOR_DEEP(u, k, m) {
		const cove_edl_user_type *t = member_target(m);
		fprintf(o, "\t\tif (_cove_a[_cove_i].%s) {\n", m->name);
		fprintf(o, "\t\t\t_cove_st = cove_dsz_%s_%s(&_cove_a[_cove_i], &_cove_b);\n", s, m->name);
		if (put) {
			fprintf(o, "\t\t\tif (!_cove_st)\n\t\t\t\t_cove_st = _cove_framed ? cove_edge_put_framed(_cove_c, _cove_a[_cove_i].%s, _cove_b, _cove_b)\n\t\t\t\t\t\t\t: cove_edge_put(_cove_c, _cove_a[_cove_i].%s, _cove_b);\n", m->name, m->name);
		} else {
			fprintf(o, "\t\t\tif (!_cove_st)\n\t\t\t\t_cove_st = cove_edge_check_caller(_cove_t, _cove_a[_cove_i].%s, _cove_b);\n", m->name);
			fprintf(o, "\t\t\tif (!_cove_st)\n\t\t\t\t_cove_st = _cove_framed ? cove_edge_add_framed(_cove_total, _cove_b)\n\t\t\t\t\t\t\t: cove_edge_add_chunk(_cove_total, _cove_b);\n");
		}
		if (t)
			fprintf(o, "\t\t\tif (!_cove_st)\n\t\t\t\t_cove_st = cove_dc_%s_%s(_cove_t, _cove_a[_cove_i].%s, _cove_b / sizeof(struct %s), _cove_framed, %s, _cove_depth + 1);\n",
				put ? "put" : "measure", t->name, m->name, t->name, put ? "_cove_c" : "_cove_total");
		fprintf(o, "\t\t\tif (_cove_st)\n\t\t\t\treturn _cove_st;\n\t\t}\n");
	}
	fprintf(o, "\t}\n\treturn COVE_EDGE_OK;\n}\n\n");
}

static void emit_take(FILE *o, const cove_edl_user_type *u)
{
	const char *s = u->name;

	fprintf(o, "static cove_edge_status cove_dc_take_%s(const cove_edge_transport *_cove_t, struct %s *_cove_a, size_t _cove_n, cove_edge_cursor *_cove_c, unsigned _cove_depth)\n{\n", s, s);
	fprintf(o, "\tcove_edge_status _cove_st;\n\tsize_t _cove_b = 0;\n\tvoid *_cove_p = NULL;\n\n\t(void)_cove_t;\n");
	fprintf(o, "\tif (_cove_depth >= COVE_EDGE_MAX_DEPTH)\n\t\treturn COVE_EDGE_TOO_DEEP;\n");
	fprintf(o, "\tfor (size_t _cove_i = 0; _cove_i < _cove_n; _cove_i++) {\n");
	FOR_DEEP(u, k, m) {
		const cove_edl_user_type *t = member_target(m);
		fprintf(o, "\t\tif (_cove_a[_cove_i].%s) {\n", m->name);
		fprintf(o, "\t\t\t_cove_st = cove_dsz_%s_%s(&_cove_a[_cove_i], &_cove_b);\n", s, m->name);
		fprintf(o, "\t\t\tif (!_cove_st)\n\t\t\t\t_cove_st = cove_edge_take(_cove_c, _cove_b, &_cove_p);\n");
		fprintf(o, "\t\t\tif (_cove_st)\n\t\t\t\treturn _cove_st;\n");
		fprintf(o, "\t\t\t_cove_a[_cove_i].%s = _cove_p;\n", m->name);
		if (t)
			fprintf(o, "\t\t\t_cove_st = cove_dc_take_%s(_cove_t, _cove_p, _cove_b / sizeof(struct %s), _cove_c, _cove_depth + 1);\n\t\t\tif (_cove_st)\n\t\t\t\treturn _cove_st;\n",
				t->name, t->name);
		fprintf(o, "\t\t}\n");
	}
	fprintf(o, "\t}\n\treturn COVE_EDGE_OK;\n}\n\n");
}

static void emit_back(FILE *o, const cove_edl_user_type *u)
{
	const char *s = u->name;

	fprintf(o, "static cove_edge_status cove_dc_back_%s(const cove_edge_transport *_cove_t, const struct %s *_cove_o, const struct %s *_cove_u, size_t _cove_n, size_t _cove_nu, uintptr_t _cove_rebase, cove_edge_cursor *_cove_c, unsigned _cove_depth)\n{\n", s, s, s);
	fprintf(o, "\tcove_edge_status _cove_st;\n\tsize_t _cove_ob = 0, _cove_ub = 0;\n\tconst void *_cove_src = NULL;\n\n\t(void)_cove_t;\n");
	fprintf(o, "\tif (_cove_depth >= COVE_EDGE_MAX_DEPTH)\n\t\treturn COVE_EDGE_TOO_DEEP;\n");
	fprintf(o, "\tfor (size_t _cove_i = 0; _cove_i < _cove_n; _cove_i++) {\n");
	fprintf(o, "\t\tconst struct %s *_cove_cu = (_cove_u && _cove_i < _cove_nu) ? &_cove_u[_cove_i] : NULL;\n\n", s);
	FOR_DEEP(u, k, m) {
		const cove_edl_user_type *t = member_target(m);
		fprintf(o, "\t\tif (_cove_o[_cove_i].%s) {\n", m->name);
		fprintf(o, "\t\t\t_cove_st = cove_dsz_%s_%s(&_cove_o[_cove_i], &_cove_ob);\n\t\t\tif (_cove_st)\n\t\t\t\treturn _cove_st;\n", s, m->name);
		fprintf(o, "\t\t\t_cove_ub = 0;\n\t\t\t_cove_src = NULL;\n");
		fprintf(o, "\t\t\tif (_cove_cu && _cove_cu->%s) {\n", m->name);
		fprintf(o, "\t\t\t\t_cove_st = cove_dsz_%s_%s(_cove_cu, &_cove_ub);\n\t\t\t\tif (_cove_st)\n\t\t\t\t\treturn _cove_st;\n", s, m->name);
		fprintf(o, "\t\t\t\t/* The callee may shrink a nested buffer, never grow it: the caller's is no larger. */\n");
		fprintf(o, "\t\t\t\tif (_cove_ub > _cove_ob)\n\t\t\t\t\treturn COVE_EDGE_BUFFER_TOO_SMALL;\n");
		fprintf(o, "\t\t\t\t_cove_src = _cove_cu->%s;\n", m->name);
		fprintf(o, "\t\t\t\t/* Still the buffer the bridge handed in: all of it goes back (OE keeps the caller's size). */\n");
		fprintf(o, "\t\t\t\tif ((uintptr_t)_cove_cu->%s == (uintptr_t)_cove_o[_cove_i].%s + _cove_rebase)\n\t\t\t\t\t_cove_ub = _cove_ob;\n\t\t\t}\n", m->name, m->name);
		fprintf(o, "\t\t\t_cove_st = cove_edge_put_framed(_cove_c, _cove_src, _cove_ub, _cove_ob);\n\t\t\tif (_cove_st)\n\t\t\t\treturn _cove_st;\n");
		if (t)
			fprintf(o, "\t\t\t_cove_st = cove_dc_back_%s(_cove_t, _cove_o[_cove_i].%s, _cove_src, _cove_ob / sizeof(struct %s), _cove_ub / sizeof(struct %s), _cove_rebase, _cove_c, _cove_depth + 1);\n\t\t\tif (_cove_st)\n\t\t\t\treturn _cove_st;\n",
				t->name, m->name, t->name, t->name);
		fprintf(o, "\t\t}\n");
	}
	fprintf(o, "\t}\n\treturn COVE_EDGE_OK;\n}\n\n");
}

/* Is `name` the count= or size= of some deep member of u? */
static bool is_size_source(const cove_edl_user_type *u, const char *name)
{
	FOR_DEEP(u, k, m) {
		if ((m->attrs.count.ident && strcmp(m->attrs.count.ident, name) == 0) ||
		    (m->attrs.size.ident && strcmp(m->attrs.size.ident, name) == 0))
			return true;
	}
	return false;
}

static void emit_merge(FILE *o, const cove_edl_user_type *u)
{
	const char *s = u->name;

	fprintf(o, "static void cove_dc_merge_%s(struct %s *_cove_dst, const struct %s *_cove_src, size_t _cove_n)\n{\n", s, s, s);
	fprintf(o, "\tfor (size_t _cove_i = 0; _cove_i < _cove_n; _cove_i++) {\n");
	fprintf(o, "\t\tstruct %s _cove_keep = _cove_dst[_cove_i];\n\n", s);
	fprintf(o, "\t\t_cove_dst[_cove_i] = _cove_src[_cove_i];\n");
	FOR_DEEP(u, k, m)
		fprintf(o, "\t\t_cove_dst[_cove_i].%s = _cove_keep.%s;\n", m->name, m->name);
	for (size_t k = 0; k < u->nmembers; k++) {
		const cove_edl_member *m = &u->members[k];
		if (!cg_member_is_deep(m) && is_size_source(u, m->name))
			fprintf(o, "\t\t_cove_dst[_cove_i].%s = _cove_keep.%s;\n", m->name, m->name);
	}
	fprintf(o, "\t}\n}\n\n");
}

static void emit_apply(FILE *o, const cove_edl_user_type *u)
{
	const char *s = u->name;

	fprintf(o, "static cove_edge_status cove_dc_apply_%s(const cove_edge_transport *_cove_t, struct %s *_cove_a, size_t _cove_n, cove_edge_cursor *_cove_c, int _cove_commit, unsigned _cove_depth)\n{\n", s, s);
	fprintf(o, "\tcove_edge_status _cove_st;\n\tsize_t _cove_b = 0, _cove_len = 0;\n\tvoid *_cove_p = NULL;\n\n\t(void)_cove_t;\n");
	fprintf(o, "\tif (_cove_depth >= COVE_EDGE_MAX_DEPTH)\n\t\treturn COVE_EDGE_TOO_DEEP;\n");
	fprintf(o, "\tfor (size_t _cove_i = 0; _cove_i < _cove_n; _cove_i++) {\n");
	FOR_DEEP(u, k, m) {
		const cove_edl_user_type *t = member_target(m);
		fprintf(o, "\t\tif (_cove_a[_cove_i].%s) {\n", m->name);
		fprintf(o, "\t\t\t_cove_st = cove_dsz_%s_%s(&_cove_a[_cove_i], &_cove_b);\n", s, m->name);
		fprintf(o, "\t\t\tif (!_cove_st)\n\t\t\t\t_cove_st = cove_edge_take_framed(_cove_c, _cove_b, &_cove_len, &_cove_p);\n\t\t\tif (_cove_st)\n\t\t\t\treturn _cove_st;\n");
		if (t) {
			fprintf(o, "\t\t\tif (_cove_commit)\n\t\t\t\tcove_dc_merge_%s((void *)_cove_a[_cove_i].%s, _cove_p, _cove_len / sizeof(struct %s));\n", t->name, m->name, t->name);
			fprintf(o, "\t\t\t_cove_st = cove_dc_apply_%s(_cove_t, (void *)_cove_a[_cove_i].%s, _cove_b / sizeof(struct %s), _cove_c, _cove_commit, _cove_depth + 1);\n\t\t\tif (_cove_st)\n\t\t\t\treturn _cove_st;\n",
				t->name, m->name, t->name);
		} else {
			fprintf(o, "\t\t\tif (_cove_commit && _cove_len)\n\t\t\t\tmemcpy((void *)_cove_a[_cove_i].%s, _cove_p, _cove_len);\n", m->name);
		}
		fprintf(o, "\t\t}\n");
	}
	fprintf(o, "\t}\n\treturn COVE_EDGE_OK;\n}\n\n");
}

static void emit_load(FILE *o, const cove_edl_user_type *u)
{
	const char *s = u->name;

	fprintf(o, "static cove_edge_status cove_dc_load_%s(const cove_edge_transport *_cove_t, struct %s *_cove_a, size_t _cove_n, cove_edge_cursor *_cove_c, unsigned _cove_depth)\n{\n", s, s);
	fprintf(o, "\tcove_edge_status _cove_st, _cove_fail = COVE_EDGE_OK;\n\tsize_t _cove_b = 0, _cove_len = 0;\n\tvoid *_cove_p = NULL, *_cove_q = NULL;\n\n");
	fprintf(o, "\t/* Pointers the other side sent only say \"present\"; every one is replaced or cleared. */\n");
	fprintf(o, "\tif (_cove_depth >= COVE_EDGE_MAX_DEPTH)\n\t\t_cove_fail = COVE_EDGE_TOO_DEEP;\n");
	fprintf(o, "\tfor (size_t _cove_i = 0; _cove_i < _cove_n; _cove_i++) {\n");
	FOR_DEEP(u, k, m) {
		const cove_edl_user_type *t = member_target(m);
		fprintf(o, "\t\tif (_cove_fail || !_cove_a[_cove_i].%s) {\n\t\t\t_cove_a[_cove_i].%s = NULL;\n\t\t} else {\n", m->name, m->name);
		fprintf(o, "\t\t\t_cove_a[_cove_i].%s = NULL;\n\t\t\t_cove_q = NULL;\n", m->name);
		fprintf(o, "\t\t\t_cove_st = cove_dsz_%s_%s(&_cove_a[_cove_i], &_cove_b);\n", s, m->name);
		fprintf(o, "\t\t\tif (!_cove_st)\n\t\t\t\t_cove_st = cove_edge_take_framed(_cove_c, _cove_b, &_cove_len, &_cove_p);\n");
		fprintf(o, "\t\t\tif (!_cove_st && _cove_len != _cove_b)\n\t\t\t\t_cove_st = COVE_EDGE_INVALID_PARAMETER;\n");
		fprintf(o, "\t\t\tif (!_cove_st && !(_cove_q = cove_edge_alloc(_cove_t, _cove_b)))\n\t\t\t\t_cove_st = COVE_EDGE_OUT_OF_MEMORY;\n");
		fprintf(o, "\t\t\tif (_cove_st) {\n\t\t\t\t_cove_fail = _cove_st;\n\t\t\t} else {\n");
		fprintf(o, "\t\t\t\tif (_cove_b)\n\t\t\t\t\tmemcpy(_cove_q, _cove_p, _cove_b);\n\t\t\t\t_cove_a[_cove_i].%s = _cove_q;\n", m->name);
		if (t)
			fprintf(o, "\t\t\t\t_cove_st = cove_dc_load_%s(_cove_t, _cove_q, _cove_b / sizeof(struct %s), _cove_c, _cove_depth + 1);\n\t\t\t\tif (_cove_st)\n\t\t\t\t\t_cove_fail = _cove_st;\n",
				t->name, t->name);
		fprintf(o, "\t\t\t}\n\t\t}\n");
	}
	fprintf(o, "\t}\n\treturn _cove_fail;\n}\n\n");
}

static void emit_free(FILE *o, const cove_edl_user_type *u)
{
	const char *s = u->name;
	bool nested = has_nested(u);

	fprintf(o, "static void cove_dc_free_%s(const cove_edge_transport *_cove_t, struct %s *_cove_a, size_t _cove_n, unsigned _cove_depth)\n{\n", s, s);
	if (nested)
		fprintf(o, "\tsize_t _cove_b = 0;\n\n");
	/* Freeing follows the callee's own data deeper than the copy limit (it may have failed on it). */
	fprintf(o, "\tif (_cove_depth >= 4 * COVE_EDGE_MAX_DEPTH)\n\t\treturn;\n");
	fprintf(o, "\tfor (size_t _cove_i = 0; _cove_i < _cove_n; _cove_i++) {\n");
	FOR_DEEP(u, k, m) {
		const cove_edl_user_type *t = member_target(m);
		fprintf(o, "\t\tif (_cove_a[_cove_i].%s) {\n", m->name);
		if (t)
			fprintf(o, "\t\t\tif (cove_dsz_%s_%s(&_cove_a[_cove_i], &_cove_b) == COVE_EDGE_OK)\n\t\t\t\tcove_dc_free_%s(_cove_t, (void *)_cove_a[_cove_i].%s, _cove_b / sizeof(struct %s), _cove_depth + 1);\n",
				s, m->name, t->name, m->name, t->name);
		fprintf(o, "\t\t\tcove_edge_release(_cove_t, (void *)_cove_a[_cove_i].%s);\n\t\t\t_cove_a[_cove_i].%s = NULL;\n\t\t}\n", m->name, m->name);
	}
	fprintf(o, "\t}\n}\n\n");
}

void cg_emit_deep(cg_ctx *c, FILE *o)
{
	const cove_edl_file *f = c->f;
	bool any = false;

	for (size_t i = 0; i < f->ntypes; i++) {
		const cove_edl_user_type *u = &f->types[i];
		if (u->kind != COVE_EDL_USER_STRUCT || !u->deep_copy || !u->name)
			continue;
		if (!any)
			fprintf(o, "/* ---- deep copy of structs with [count=]/[size=] members ---- */\n\n");
		any = true;
		emit_protos(o, u);
	}
	if (any)
		fprintf(o, "\n");
	for (size_t i = 0; i < f->ntypes; i++) {
		const cove_edl_user_type *u = &f->types[i];
		if (u->kind != COVE_EDL_USER_STRUCT || !u->deep_copy || !u->name)
			continue;
		FOR_DEEP(u, k, m)
			emit_dsz(c, o, u, m);
		emit_measure_put(o, u, false);
		emit_measure_put(o, u, true);
		emit_take(o, u);
		emit_back(o, u);
		emit_merge(o, u);
		emit_apply(o, u);
		emit_load(o, u);
		emit_free(o, u);
	}
}
