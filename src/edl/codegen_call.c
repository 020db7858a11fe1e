/*
 * Per-call code of cove-edger8r: the args struct, the size computation both
 * sides share, the caller's proxy and the callee's bridge, for ecalls (host
 * proxy, enclave bridge) and ocalls (enclave proxy, host bridge) alike.
 *
 * The bridge follows the order of Intel's generated trusted bridge
 * (sdk/edger8r/linux/CodeGen.ml; shared/research/enclave-sdk.md A2): check the
 * buffers lie outside the enclave, copy the input into private memory before
 * reading it, recompute sizes with overflow checks, check strings, give [out]
 * buffers zeroed private memory, fence, call, and write results only after the
 * call.  Unlike Intel's, nothing crosses as an address: chunk positions are
 * recomputed by the receiver (as in Open Enclave's flattened buffers).  The
 * proxy checks the callee's output just as hard before any byte reaches the
 * caller's memory.
 */
#include <string.h>

#include "edl/codegen_internal.h"

static const char *slot_type(const cg_func *g)
{
	return g->ret_bool ? "uint8_t" : g->ret;
}

/* Parameter list "a, b" of the user's function as declared ("void" when empty). */
static void emit_params(FILE *o, const cg_func *g, bool leading_comma)
{
	for (size_t i = 0; i < g->np; i++)
		fprintf(o, "%s%s", (i || leading_comma) ? ", " : "", g->p[i].decl);
	if (g->np == 0 && !leading_comma)
		fprintf(o, "void");
}

void cg_emit_impl_proto(cg_ctx *c, FILE *o, const cg_func *g)
{
	(void)c;
	fprintf(o, "%s %s(", g->ret ? g->ret : "void", g->fn->name);
	emit_params(o, g, false);
	fprintf(o, ");\n");
}

static void emit_proxy_head(FILE *o, const cg_func *g, bool host)
{
	fprintf(o, "cove_edge_status %s(", g->fn->name);
	if (host)
		fprintf(o, "cove_enclave *_cove_enc");
	if (g->ret)
		fprintf(o, "%s%s *_cove_retval", host ? ", " : "", g->ret);
	if (host || g->ret)
		emit_params(o, g, true);
	else
		emit_params(o, g, false);
	fprintf(o, ")");
}

void cg_emit_proxy_proto(cg_ctx *c, FILE *o, const cg_func *g, bool host)
{
	(void)c;
	emit_proxy_head(o, g, host);
	fprintf(o, ";\n");
}

/* ---- args struct and sizes ---- */

void cg_emit_args_struct(cg_ctx *c, FILE *o, const cg_func *g)
{
	const char *n = g->fn->name;
	bool any = false;

	(void)c;
	fprintf(o, "#ifndef COVE_ARGS_%s_DEFINED\n#define COVE_ARGS_%s_DEFINED\n", n, n);
	fprintf(o, "/* Input frame of %s: scalars by value, presence of buffers, raw [user_check] addresses. */\n", n);
	fprintf(o, "typedef struct cove_args_%s {\n", n);
	for (size_t i = 0; i < g->np; i++) {
		const cg_param *p = &g->p[i];
		const char *pn = p->d->name;
		any = true;
		switch (p->kind) {
		case CG_VALUE: fprintf(o, "\t%s %s;\n", p->ftype, pn); break;
		case CG_RAW: fprintf(o, "\tvoid *%s;\n", pn); break;
		case CG_BUF:
			fprintf(o, "\tuint64_t _cove_has_%s;\n", pn);
			if (p->string || p->wstring)
				fprintf(o, "\tuint64_t _cove_len_%s; /* elements, terminator included */\n", pn);
			break;
		}
	}
	if (!any)
		fprintf(o, "\tuint64_t _cove_unused;\n");
	fprintf(o, "} cove_args_%s;\n#endif\n\n", n);
}

/* The value of size= / count= on a parameter, read from the args struct. */
static void emit_param_value(FILE *o, const cove_edl_size *sz, const char *dst)
{
	if (sz->ident)
		fprintf(o, "\t\t_cove_st = COVE_EDGE_TO_SIZE(_cove_a->%s, %s);\n", sz->ident, dst);
	else
		fprintf(o, "\t\t_cove_st = cove_edge_size_from_unsigned(%lluULL, %s);\n", (unsigned long long)sz->value, dst);
	fprintf(o, "\t\tif (_cove_st)\n\t\t\treturn _cove_st;\n");
}

void cg_emit_sizes(cg_ctx *c, FILE *o, const cg_func *g)
{
	const char *n = g->fn->name;
	bool need_n = false, need_z = false;

	(void)c;
	if (!g->has_bufs)
		return;
	fprintf(o, "/* Byte sizes (b_) and deep-copy element counts (e_) of %s's buffers; both sides compute them alike. */\n", n);
	fprintf(o, "struct cove_sizes_%s {\n", n);
	for (size_t i = 0; i < g->np; i++) {
		const cg_param *p = &g->p[i];
		if (p->kind != CG_BUF)
			continue;
		fprintf(o, "\tsize_t b_%s;\n", p->d->name);
		if (p->deep)
			fprintf(o, "\tsize_t e_%s;\n", p->d->name);
		if (p->array)
			continue;
		if (p->string || p->wstring || p->d->attrs.count.present)
			need_n = true;
		if (p->d->attrs.size.present)
			need_z = true;
	}
	fprintf(o, "};\n\n");
	fprintf(o, "static cove_edge_status cove_sizes_%s(const cove_args_%s *_cove_a, struct cove_sizes_%s *_cove_s)\n{\n", n, n, n);
	fprintf(o, "\tcove_edge_status _cove_st = COVE_EDGE_OK;\n");
	if (need_n)
		fprintf(o, "\tsize_t _cove_n = 0;\n");
	if (need_z)
		fprintf(o, "\tsize_t _cove_z = 0;\n");
	fprintf(o, "\n\tmemset(_cove_s, 0, sizeof(*_cove_s));\n");
	for (size_t i = 0; i < g->np; i++) {
		const cg_param *p = &g->p[i];
		const cove_edl_attrs *a = &p->d->attrs;
		const char *pn = p->d->name;
		if (p->kind != CG_BUF)
			continue;
		fprintf(o, "\tif (_cove_a->_cove_has_%s) {\n", pn);
		if (p->array) {
			fprintf(o, "\t\t_cove_s->b_%s = (size_t)(%s);\n", pn, p->arrsz);
		} else if (p->string || p->wstring) {
			fprintf(o, "\t\t_cove_st = COVE_EDGE_TO_SIZE(_cove_a->_cove_len_%s, &_cove_n);\n", pn);
			fprintf(o, "\t\tif (!_cove_st)\n\t\t\t_cove_st = cove_edge_mul_size(_cove_n, sizeof(%s), &_cove_s->b_%s);\n",
				p->wstring ? "wchar_t" : "char", pn);
			fprintf(o, "\t\tif (_cove_st)\n\t\t\treturn _cove_st;\n");
		} else if (a->count.present && a->size.present) {
			emit_param_value(o, &a->count, "&_cove_n");
			emit_param_value(o, &a->size, "&_cove_z");
			fprintf(o, "\t\t_cove_st = cove_edge_mul_size(_cove_n, _cove_z, &_cove_s->b_%s);\n\t\tif (_cove_st)\n\t\t\treturn _cove_st;\n", pn);
		} else if (a->count.present) {
			emit_param_value(o, &a->count, "&_cove_n");
			fprintf(o, "\t\t_cove_st = cove_edge_mul_size(_cove_n, %s, &_cove_s->b_%s);\n\t\tif (_cove_st)\n\t\t\treturn _cove_st;\n",
				p->elem, pn);
		} else if (a->size.present) {
			emit_param_value(o, &a->size, "&_cove_z");
			fprintf(o, "\t\t_cove_s->b_%s = _cove_z;\n", pn);
		} else {
			fprintf(o, "\t\t_cove_s->b_%s = %s;\n", pn, p->elem);
		}
		if (p->deep)
			fprintf(o, "\t\t_cove_s->e_%s = _cove_s->b_%s / sizeof(%s);\n", pn, pn, p->stype);
		fprintf(o, "\t}\n");
	}
	fprintf(o, "\treturn _cove_st;\n}\n\n");
}

/* ---- caller side ---- */

#define GOTO_OUT "\tif (_cove_st)\n\t\tgoto out;\n"

void cg_emit_proxy(cg_ctx *c, FILE *o, const cg_func *g, bool host)
{
	const cove_edl_func *fn = g->fn;
	const char *n = fn->name;
	bool any_string = false;

	(void)c;
	for (size_t i = 0; i < g->np; i++)
		if (g->p[i].kind == CG_BUF && (g->p[i].string || g->p[i].wstring))
			any_string = true;

	fprintf(o, "/* %s proxy: %s */\n", host ? "Ecall" : "Ocall", n);
	emit_proxy_head(o, g, host);
	fprintf(o, "\n{\n");
	if (host)
		fprintf(o, "\tconst cove_edge_transport *_cove_t = cove_edge_enclave_transport(_cove_enc);\n");
	else
		fprintf(o, "\tconst cove_edge_transport *_cove_t = cove_edge_current();\n");
	fprintf(o, "\tcove_edge_status _cove_st = COVE_EDGE_OK;\n\tcove_args_%s _cove_a;\n", n);
	if (g->has_bufs)
		fprintf(o, "\tstruct cove_sizes_%s _cove_s = {0};\n", n);
	fprintf(o, "\tsize_t _cove_in_size = sizeof(_cove_a), _cove_out_size = COVE_EDGE_OUT_HEADER_SIZE;\n");
	fprintf(o, "\tsize_t _cove_out_at = 0, _cove_total = 0;\n");
	fprintf(o, "\tvoid *_cove_buf = NULL, *_cove_outc = NULL;\n\tcove_edge_cursor _cove_c;\n\tcove_edge_out_header _cove_h;\n");
	if (any_string)
		fprintf(o, "\tsize_t _cove_n = 0;\n");
	if (g->ret)
		fprintf(o, "\tvoid *_cove_pr = NULL;\n");
	for (size_t i = 0; i < g->np; i++) {
		const cg_param *p = &g->p[i];
		if (p->kind != CG_BUF || !p->out)
			continue;
		fprintf(o, "\tvoid *_cove_o_%s = NULL;\n", p->d->name);
		if (p->deep && p->in)
			fprintf(o, "\tsize_t _cove_at_%s = 0;\n", p->d->name);
		if (p->deep && !p->in)
			fprintf(o, "\t%s *_cove_dq_%s = NULL;\n", p->stype, p->d->name);
	}
	if (g->deep_out)
		fprintf(o, "\tvoid *_cove_xs = NULL, *_cove_xc = NULL;\n\tcove_edge_cursor _cove_xcur;\n");
	if (!host)
		fprintf(o, "\tint _cove_errno = errno;\n");
	fprintf(o, "\n\tif (!_cove_t)\n\t\treturn %s;\n", host ? "COVE_EDGE_INVALID_PARAMETER" : "COVE_EDGE_NO_ENCLAVE");
	fprintf(o, "\tmemset(&_cove_a, 0, sizeof(_cove_a));\n");
	for (size_t i = 0; i < g->np; i++) {
		const cg_param *p = &g->p[i];
		const char *pn = p->d->name;
		switch (p->kind) {
		case CG_VALUE:
			if (p->boolean)
				fprintf(o, "\t_cove_a.%s = (uint8_t)(%s ? 1 : 0);\n", pn, pn);
			else
				fprintf(o, "\t_cove_a.%s = %s;\n", pn, pn);
			break;
		case CG_RAW: fprintf(o, "\t_cove_a.%s = (void *)%s;\n", pn, pn); break;
		case CG_BUF:
			fprintf(o, "\t_cove_a._cove_has_%s = %s != NULL;\n", pn, pn);
			if (p->string || p->wstring) {
				fprintf(o, "\tif (%s) {\n\t\t_cove_st = cove_edge_%sstring_len(%s, &_cove_n);\n", pn,
					p->wstring ? "w" : "", pn);
				fprintf(o, "\t\tif (_cove_st)\n\t\t\tgoto out;\n\t\t_cove_a._cove_len_%s = _cove_n;\n\t}\n", pn);
			}
			break;
		}
	}
	if (g->has_bufs)
		fprintf(o, "\t_cove_st = cove_sizes_%s(&_cove_a, &_cove_s);\n" GOTO_OUT, n);
	if (host && g->ret)
		fprintf(o, "\t_cove_st = cove_edge_check_caller(_cove_t, _cove_retval, sizeof(*_cove_retval));\n" GOTO_OUT);
	/* Input size: the args struct, then [in] chunks (and their deep-copied data). */
	for (size_t i = 0; i < g->np; i++) {
		const cg_param *p = &g->p[i];
		const char *pn = p->d->name;
		if (p->kind != CG_BUF)
			continue;
		fprintf(o, "\tif (%s) {\n", pn);
		if (host)
			fprintf(o, "\t\t_cove_st = cove_edge_check_caller(_cove_t, %s, _cove_s.b_%s);\n\t\tif (_cove_st)\n\t\t\tgoto out;\n", pn, pn);
		if (p->in) {
			fprintf(o, "\t\t_cove_st = cove_edge_add_chunk(&_cove_in_size, _cove_s.b_%s);\n\t\tif (_cove_st)\n\t\t\tgoto out;\n", pn);
			if (p->deep)
				fprintf(o, "\t\t_cove_st = cove_dc_measure_%s(_cove_t, %s, _cove_s.e_%s, 0, &_cove_in_size, 0);\n\t\tif (_cove_st)\n\t\t\tgoto out;\n",
					p->deep->name, pn, pn);
		}
		fprintf(o, "\t}\n");
	}
	/* Output size: header, return value, [out] chunks (and [in,out] deep write-back). */
	if (g->ret)
		fprintf(o, "\t_cove_st = cove_edge_add_chunk(&_cove_out_size, sizeof(%s));\n" GOTO_OUT, slot_type(g));
	for (size_t i = 0; i < g->np; i++) {
		const cg_param *p = &g->p[i];
		const char *pn = p->d->name;
		if (p->kind != CG_BUF || !p->out)
			continue;
		fprintf(o, "\tif (%s) {\n\t\t_cove_st = cove_edge_add_chunk(&_cove_out_size, _cove_s.b_%s);\n\t\tif (_cove_st)\n\t\t\tgoto out;\n", pn, pn);
		if (p->deep && p->in)
			fprintf(o, "\t\t_cove_st = cove_dc_measure_%s(_cove_t, %s, _cove_s.e_%s, 1, &_cove_out_size, 0);\n\t\tif (_cove_st)\n\t\t\tgoto out;\n",
				p->deep->name, pn, pn);
		fprintf(o, "\t}\n");
	}
	fprintf(o, "\t_cove_out_at = _cove_in_size;\n");
	fprintf(o, "\t_cove_st = cove_edge_add_chunk(&_cove_out_at, 0);\n");
	fprintf(o, "\tif (!_cove_st)\n\t\t_cove_st = cove_edge_add_size(_cove_out_at, _cove_out_size, &_cove_total);\n");
	fprintf(o, "\tif (!_cove_st)\n\t\t_cove_st = cove_edge_alloc_untrusted(_cove_t, _cove_total, &_cove_buf);\n" GOTO_OUT);
	fprintf(o, "\tcove_edge_cursor_init(&_cove_c, _cove_buf, _cove_in_size, 0);\n");
	fprintf(o, "\t_cove_st = cove_edge_put(&_cove_c, &_cove_a, sizeof(_cove_a));\n" GOTO_OUT);
	for (size_t i = 0; i < g->np; i++) {
		const cg_param *p = &g->p[i];
		const char *pn = p->d->name;
		if (p->kind != CG_BUF || !p->in)
			continue;
		fprintf(o, "\tif (%s) {\n\t\t_cove_st = cove_edge_put(&_cove_c, %s, _cove_s.b_%s);\n", pn, pn, pn);
		if (p->deep)
			fprintf(o, "\t\tif (!_cove_st)\n\t\t\t_cove_st = cove_dc_put_%s(_cove_t, %s, _cove_s.e_%s, 0, &_cove_c, 0);\n",
				p->deep->name, pn, pn);
		fprintf(o, "\t\tif (_cove_st)\n\t\t\tgoto out;\n\t}\n");
	}
	if (host)
		fprintf(o, "\t_cove_st = cove_edge_call_ecall(_cove_enc, %zu, %s, &%s_ocall_table, _cove_buf, _cove_in_size,\n\t\t\t\t\t (uint8_t *)_cove_buf + _cove_out_at, _cove_out_size);\n" GOTO_OUT,
			fn->index, fn->switchless ? "COVE_EDGE_CALL_SWITCHLESS" : "0", c->ident);
	else
		fprintf(o, "\t_cove_st = cove_edge_call_ocall(_cove_t, %zu, %s, _cove_buf, _cove_in_size, (uint8_t *)_cove_buf + _cove_out_at,\n\t\t\t\t\t _cove_out_size);\n" GOTO_OUT,
			fn->index, fn->switchless ? "COVE_EDGE_CALL_SWITCHLESS" : "0");

	/* Results: one private copy, checked in full before the caller's memory is touched. */
	fprintf(o, "\t_cove_st = cove_edge_fetch(_cove_t, (uint8_t *)_cove_buf + _cove_out_at, _cove_out_size, _cove_out_size, &_cove_outc);\n" GOTO_OUT);
	fprintf(o, "\tmemcpy(&_cove_h, _cove_outc, sizeof(_cove_h));\n");
	fprintf(o, "\tcove_edge_cursor_init(&_cove_c, _cove_outc, _cove_out_size, COVE_EDGE_OUT_HEADER_SIZE);\n");
	if (g->ret)
		fprintf(o, "\t_cove_st = cove_edge_take(&_cove_c, sizeof(%s), &_cove_pr);\n" GOTO_OUT, slot_type(g));
	for (size_t i = 0; i < g->np; i++) {
		const cg_param *p = &g->p[i];
		const char *pn = p->d->name;
		if (p->kind != CG_BUF || !p->out)
			continue;
		fprintf(o, "\tif (%s) {\n\t\t_cove_st = cove_edge_take(&_cove_c, _cove_s.b_%s, &_cove_o_%s);\n", pn, pn, pn);
		if (p->string || p->wstring)
			fprintf(o, "\t\tif (!_cove_st)\n\t\t\t_cove_st = cove_edge_check_%sstring_out(_cove_o_%s, _cove_a._cove_len_%s);\n",
				p->wstring ? "w" : "", pn, pn);
		if (p->deep && p->in) {
			fprintf(o, "\t\t_cove_at_%s = _cove_c.off;\n", pn);
			fprintf(o, "\t\tif (!_cove_st) /* dry run: validates the write-back */\n\t\t\t_cove_st = cove_dc_apply_%s(_cove_t, %s, _cove_s.e_%s, &_cove_c, 0, 0);\n",
				p->deep->name, pn, pn);
		}
		fprintf(o, "\t\tif (_cove_st)\n\t\t\tgoto out;\n\t}\n");
	}
	if (g->deep_out) {
		fprintf(o, "\t/* Nested data the callee allocated travels in the extra block. */\n");
		fprintf(o, "\t_cove_st = cove_edge_fetch_extra(_cove_t, (uint8_t *)_cove_buf + _cove_out_at, &_cove_h, &_cove_xs, &_cove_xc);\n" GOTO_OUT);
		fprintf(o, "\tcove_edge_cursor_init(&_cove_xcur, _cove_xc, _cove_xc ? (size_t)_cove_h.extra_size : 0, 0);\n");
		for (size_t i = 0; i < g->np; i++) {
			const cg_param *p = &g->p[i];
			const char *pn = p->d->name;
			if (p->kind != CG_BUF || !p->deep || p->in)
				continue;
			fprintf(o, "\tif (%s) {\n\t\t_cove_dq_%s = cove_edge_alloc(_cove_t, _cove_s.b_%s);\n", pn, pn, pn);
			fprintf(o, "\t\tif (!_cove_dq_%s) {\n\t\t\t_cove_st = COVE_EDGE_OUT_OF_MEMORY;\n\t\t\tgoto out;\n\t\t}\n", pn);
			fprintf(o, "\t\tmemcpy(_cove_dq_%s, _cove_o_%s, _cove_s.b_%s);\n", pn, pn, pn);
			fprintf(o, "\t\t_cove_st = cove_dc_load_%s(_cove_t, _cove_dq_%s, _cove_s.e_%s, &_cove_xcur, 0);\n\t\tif (_cove_st)\n\t\t\tgoto out;\n\t}\n",
				p->deep->name, pn, pn);
		}
	}
	/* Commit. */
	if (g->ret) {
		if (g->ret_bool)
			fprintf(o, "\tif (_cove_retval)\n\t\t*_cove_retval = *(const uint8_t *)_cove_pr != 0;\n");
		else
			fprintf(o, "\tif (_cove_retval)\n\t\tmemcpy(_cove_retval, _cove_pr, sizeof(*_cove_retval));\n");
	}
	for (size_t i = 0; i < g->np; i++) {
		const cg_param *p = &g->p[i];
		const char *pn = p->d->name;
		if (p->kind != CG_BUF || !p->out)
			continue;
		fprintf(o, "\tif (%s) {\n", pn);
		if (p->deep && p->in) {
			fprintf(o, "\t\tcove_dc_merge_%s((void *)%s, _cove_o_%s, _cove_s.e_%s);\n", p->deep->name, pn, pn, pn);
			fprintf(o, "\t\tcove_edge_cursor_init(&_cove_c, _cove_outc, _cove_out_size, _cove_at_%s);\n", pn);
			fprintf(o, "\t\t_cove_st = cove_dc_apply_%s(_cove_t, (void *)%s, _cove_s.e_%s, &_cove_c, 1, 0);\n\t\tif (_cove_st)\n\t\t\tgoto out;\n",
				p->deep->name, pn, pn);
		} else if (p->deep) {
			fprintf(o, "\t\tmemcpy((void *)%s, _cove_dq_%s, _cove_s.b_%s);\n", pn, pn, pn);
			fprintf(o, "\t\tcove_edge_release(_cove_t, _cove_dq_%s);\n\t\t_cove_dq_%s = NULL; /* the nested buffers are the caller's now */\n", pn, pn);
		} else {
			fprintf(o, "\t\tmemcpy((void *)%s, _cove_o_%s, _cove_s.b_%s);\n", pn, pn, pn);
		}
		fprintf(o, "\t}\n");
	}
	if (!host && fn->propagate_errno)
		fprintf(o, "\t_cove_errno = _cove_h.errno_value; /* propagate_errno */\n");
	fprintf(o, "out:\n");
	for (size_t i = 0; i < g->np; i++) {
		const cg_param *p = &g->p[i];
		const char *pn = p->d->name;
		if (p->kind != CG_BUF || !p->deep || p->in || !p->out)
			continue;
		fprintf(o, "\tif (_cove_dq_%s) {\n\t\tcove_dc_free_%s(_cove_t, _cove_dq_%s, _cove_s.e_%s, 0);\n\t\tcove_edge_release(_cove_t, _cove_dq_%s);\n\t}\n",
			pn, p->deep->name, pn, pn, pn);
	}
	if (g->deep_out)
		fprintf(o, "\tcove_edge_free_untrusted(_cove_t, _cove_xs);\n\tcove_edge_release(_cove_t, _cove_xc);\n");
	fprintf(o, "\tcove_edge_release(_cove_t, _cove_outc);\n\tcove_edge_free_untrusted(_cove_t, _cove_buf);\n");
	if (!host)
		fprintf(o, "\terrno = _cove_errno;\n");
	fprintf(o, "\treturn _cove_st;\n}\n\n");
}

/* ---- callee side ---- */

static void emit_call(FILE *o, const cg_func *g)
{
	fprintf(o, "\t%s%s(", g->ret ? "_cove_r = " : "", g->fn->name);
	for (size_t i = 0; i < g->np; i++) {
		const cg_param *p = &g->p[i];
		const char *pn = p->d->name;
		if (i)
			fprintf(o, ", ");
		switch (p->kind) {
		case CG_VALUE:
			if (p->boolean)
				fprintf(o, "_cove_a->%s != 0", pn);
			else
				fprintf(o, "_cove_a->%s", pn);
			break;
		case CG_RAW: fprintf(o, "_cove_a->%s", pn); break;
		case CG_BUF: fprintf(o, "_cove_p_%s", pn); break;
		}
	}
	fprintf(o, ");\n");
}

void cg_emit_bridge(cg_ctx *c, FILE *o, const cg_func *g, bool trusted)
{
	const cove_edl_func *fn = g->fn;
	const char *n = fn->name;

	(void)c;
	fprintf(o, "/* %s bridge: %s */\n", trusted ? "Ecall" : "Ocall", n);
	fprintf(o, "static cove_edge_status cove_bridge_%s(const cove_edge_transport *_cove_t, const void *_cove_in, size_t _cove_in_size,\n\t\t\t\t\t void *_cove_out, size_t _cove_out_size)\n{\n", n);
	fprintf(o, "\tcove_edge_status _cove_st = COVE_EDGE_OK;\n\tvoid *_cove_ib = NULL;\n\tcove_args_%s *_cove_a;\n", n);
	if (g->has_bufs)
		fprintf(o, "\tstruct cove_sizes_%s _cove_s = {0};\n", n);
	fprintf(o, "\tcove_edge_cursor _cove_c;\n\tcove_edge_out_header _cove_h;\n\tsize_t _cove_need = COVE_EDGE_OUT_HEADER_SIZE;\n\tvoid *_cove_hp = NULL;\n");
	if (g->deep_inout) {
		bool need_qd = false;
		for (size_t i = 0; i < g->np; i++)
			if (g->p[i].kind == CG_BUF && g->p[i].in && !(g->p[i].deep && g->p[i].out))
				need_qd = true;
		fprintf(o, "\tvoid *_cove_pb = NULL;\n\tcove_edge_cursor _cove_pc;\n");
		if (need_qd)
			fprintf(o, "\tvoid *_cove_qd = NULL; /* pristine chunks nobody reads back */\n");
	}
	if (g->ret)
		fprintf(o, "\t%s _cove_r;\n", g->ret);
	if (g->ret_bool)
		fprintf(o, "\tuint8_t _cove_rb;\n");
	for (size_t i = 0; i < g->np; i++) {
		const cg_param *p = &g->p[i];
		const char *pn = p->d->name;
		if (p->kind != CG_BUF)
			continue;
		fprintf(o, "\tvoid *_cove_p_%s = NULL;\n", pn);
		if (p->out && !p->in)
			fprintf(o, "\tvoid *_cove_o_%s = NULL;\n", pn);
		if (p->deep && p->in && p->out)
			fprintf(o, "\tvoid *_cove_q_%s = NULL;\n", pn);
	}
	if (g->deep_out)
		fprintf(o, "\tsize_t _cove_xsize = 0;\n\tvoid *_cove_xs = NULL;\n\tcove_edge_cursor _cove_xcur;\n");
	if (!trusted)
		fprintf(o, "\tint _cove_errno;\n");

	fprintf(o, "\n\t/* Both buffers must be the host's: never enclave memory. Nothing is allocated before this. */\n");
	fprintf(o, "\t_cove_st = cove_edge_check_target(_cove_t, _cove_out, _cove_out_size, COVE_EDGE_OUT_HEADER_SIZE);\n");
	fprintf(o, "\tif (_cove_st)\n\t\treturn _cove_st;\n");
	fprintf(o, "\t/* One copy of the whole input: later rewrites of shared memory change nothing used here. */\n");
	fprintf(o, "\t_cove_st = cove_edge_fetch(_cove_t, _cove_in, _cove_in_size, sizeof(cove_args_%s), &_cove_ib);\n", n);
	fprintf(o, "\tif (_cove_st)\n\t\treturn _cove_st;\n");
	fprintf(o, "\t_cove_a = (cove_args_%s *)(void *)_cove_ib;\n\t(void)_cove_a;\n", n);
	if (g->has_bufs)
		fprintf(o, "\t_cove_st = cove_sizes_%s(_cove_a, &_cove_s);\n" GOTO_OUT, n);
	if (g->deep_inout) {
		fprintf(o, "\t/* A pristine second copy fixes the layout of the [in,out] deep-copy write-back. */\n");
		fprintf(o, "\t_cove_pb = cove_edge_alloc(_cove_t, _cove_in_size);\n\tif (!_cove_pb) {\n\t\t_cove_st = COVE_EDGE_OUT_OF_MEMORY;\n\t\tgoto out;\n\t}\n");
		fprintf(o, "\tmemcpy(_cove_pb, _cove_ib, _cove_in_size);\n");
		fprintf(o, "\tcove_edge_cursor_init(&_cove_pc, _cove_pb, _cove_in_size, sizeof(cove_args_%s));\n", n);
	}
	fprintf(o, "\tcove_edge_cursor_init(&_cove_c, _cove_ib, _cove_in_size, sizeof(cove_args_%s));\n", n);
	for (size_t i = 0; i < g->np; i++) {
		const cg_param *p = &g->p[i];
		const char *pn = p->d->name;
		if (p->kind != CG_BUF || !p->in)
			continue;
		fprintf(o, "\tif (_cove_a->_cove_has_%s) {\n\t\t_cove_st = cove_edge_take(&_cove_c, _cove_s.b_%s, &_cove_p_%s);\n", pn, pn, pn);
		if (g->deep_inout && p->deep && p->out)
			fprintf(o, "\t\tif (!_cove_st)\n\t\t\t_cove_st = cove_edge_take(&_cove_pc, _cove_s.b_%s, &_cove_q_%s);\n", pn, pn);
		else if (g->deep_inout)
			fprintf(o, "\t\tif (!_cove_st)\n\t\t\t_cove_st = cove_edge_take(&_cove_pc, _cove_s.b_%s, &_cove_qd);\n", pn);
		if (p->string || p->wstring)
			fprintf(o, "\t\tif (!_cove_st)\n\t\t\t_cove_st = cove_edge_check_%sstring_in(_cove_p_%s, _cove_a->_cove_len_%s);\n",
				p->wstring ? "w" : "", pn, pn);
		if (p->deep) {
			fprintf(o, "\t\tif (!_cove_st)\n\t\t\t_cove_st = cove_dc_take_%s(_cove_t, _cove_p_%s, _cove_s.e_%s, &_cove_c, 0);\n",
				p->deep->name, pn, pn);
			if (g->deep_inout && p->out)
				fprintf(o, "\t\tif (!_cove_st)\n\t\t\t_cove_st = cove_dc_take_%s(_cove_t, _cove_q_%s, _cove_s.e_%s, &_cove_pc, 0);\n",
					p->deep->name, pn, pn);
			else if (g->deep_inout)
				fprintf(o, "\t\tif (!_cove_st)\n\t\t\t_cove_st = cove_dc_take_%s(_cove_t, _cove_qd, _cove_s.e_%s, &_cove_pc, 0);\n",
					p->deep->name, pn);
		}
		fprintf(o, "\t\tif (_cove_st)\n\t\t\tgoto out;\n\t}\n");
	}
	fprintf(o, "\t/* The output buffer must hold every result before anything else is allocated or run. */\n");
	if (g->ret)
		fprintf(o, "\t_cove_st = cove_edge_add_chunk(&_cove_need, sizeof(%s));\n" GOTO_OUT, slot_type(g));
	for (size_t i = 0; i < g->np; i++) {
		const cg_param *p = &g->p[i];
		const char *pn = p->d->name;
		if (p->kind != CG_BUF || !p->out)
			continue;
		fprintf(o, "\tif (_cove_a->_cove_has_%s) {\n\t\t_cove_st = cove_edge_add_chunk(&_cove_need, _cove_s.b_%s);\n", pn, pn);
		if (p->deep && p->in)
			fprintf(o, "\t\tif (!_cove_st)\n\t\t\t_cove_st = cove_dc_measure_%s(_cove_t, _cove_q_%s, _cove_s.e_%s, 1, &_cove_need, 0);\n",
				p->deep->name, pn, pn);
		fprintf(o, "\t\tif (_cove_st)\n\t\t\tgoto out;\n\t}\n");
	}
	fprintf(o, "\tif (_cove_need > _cove_out_size) {\n\t\t_cove_st = COVE_EDGE_BUFFER_TOO_SMALL;\n\t\tgoto out;\n\t}\n");
	for (size_t i = 0; i < g->np; i++) {
		const cg_param *p = &g->p[i];
		const char *pn = p->d->name;
		if (p->kind != CG_BUF || !p->out || p->in)
			continue;
		fprintf(o, "\tif (_cove_a->_cove_has_%s) {\n\t\t/* [out]: fresh zeroed private memory, never the host's bytes. */\n", pn);
		fprintf(o, "\t\t_cove_o_%s = cove_edge_alloc(_cove_t, _cove_s.b_%s);\n", pn, pn);
		fprintf(o, "\t\tif (!_cove_o_%s) {\n\t\t\t_cove_st = COVE_EDGE_OUT_OF_MEMORY;\n\t\t\tgoto out;\n\t\t}\n", pn);
		fprintf(o, "\t\t_cove_p_%s = _cove_o_%s;\n\t}\n", pn, pn);
	}
	fprintf(o, "\tcove_edge_fence();\n\n");
	emit_call(o, g);
	if (!trusted)
		fprintf(o, "\t_cove_errno = errno;\n");
	fprintf(o, "\n\t/* Results, written only now that the call returned. */\n");
	fprintf(o, "\tmemset(&_cove_h, 0, sizeof(_cove_h));\n");
	if (!trusted)
		fprintf(o, "\t_cove_h.errno_value = _cove_errno;\n");
	fprintf(o, "\tcove_edge_cursor_init(&_cove_c, _cove_out, _cove_out_size, 0);\n");
	fprintf(o, "\t_cove_st = cove_edge_take(&_cove_c, COVE_EDGE_OUT_HEADER_SIZE, &_cove_hp);\n" GOTO_OUT);
	if (g->ret_bool)
		fprintf(o, "\t_cove_rb = (uint8_t)(_cove_r ? 1 : 0);\n\t_cove_st = cove_edge_put(&_cove_c, &_cove_rb, sizeof(_cove_rb));\n" GOTO_OUT);
	else if (g->ret)
		fprintf(o, "\t_cove_st = cove_edge_put(&_cove_c, &_cove_r, sizeof(_cove_r));\n" GOTO_OUT);
	for (size_t i = 0; i < g->np; i++) {
		const cg_param *p = &g->p[i];
		const char *pn = p->d->name;
		if (p->kind != CG_BUF || !p->out)
			continue;
		fprintf(o, "\tif (_cove_a->_cove_has_%s) {\n\t\t_cove_st = cove_edge_put(&_cove_c, _cove_p_%s, _cove_s.b_%s);\n", pn, pn, pn);
		if (p->deep && p->in)
			fprintf(o, "\t\tif (!_cove_st)\n\t\t\t_cove_st = cove_dc_back_%s(_cove_t, _cove_q_%s, _cove_p_%s, _cove_s.e_%s, _cove_s.e_%s,\n\t\t\t\t\t\t\t    (uintptr_t)_cove_ib - (uintptr_t)_cove_pb, &_cove_c, 0);\n",
				p->deep->name, pn, pn, pn, pn);
		fprintf(o, "\t\tif (_cove_st)\n\t\t\tgoto out;\n\t}\n");
	}
	if (g->deep_out) {
		fprintf(o, "\t/* [out] deep copy: what the callee allocated goes into an extra block. */\n");
		for (size_t i = 0; i < g->np; i++) {
			const cg_param *p = &g->p[i];
			const char *pn = p->d->name;
			if (p->kind != CG_BUF || !p->deep || p->in)
				continue;
			fprintf(o, "\tif (_cove_o_%s) {\n\t\t_cove_st = cove_dc_measure_%s(_cove_t, _cove_o_%s, _cove_s.e_%s, 1, &_cove_xsize, 0);\n\t\tif (_cove_st)\n\t\t\tgoto out;\n\t}\n",
				pn, p->deep->name, pn, pn);
		}
		fprintf(o, "\tif (_cove_xsize) {\n\t\t_cove_st = cove_edge_alloc_untrusted(_cove_t, _cove_xsize, &_cove_xs);\n\t\tif (_cove_st)\n\t\t\tgoto out;\n");
		fprintf(o, "\t\tcove_edge_cursor_init(&_cove_xcur, _cove_xs, _cove_xsize, 0);\n");
		for (size_t i = 0; i < g->np; i++) {
			const cg_param *p = &g->p[i];
			const char *pn = p->d->name;
			if (p->kind != CG_BUF || !p->deep || p->in)
				continue;
			fprintf(o, "\t\tif (_cove_o_%s) {\n\t\t\t_cove_st = cove_dc_put_%s(_cove_t, _cove_o_%s, _cove_s.e_%s, 1, &_cove_xcur, 0);\n\t\t\tif (_cove_st)\n\t\t\t\tgoto out;\n\t\t}\n",
				pn, p->deep->name, pn, pn);
		}
		fprintf(o, "\t\t_cove_h.extra_delta = (int64_t)((uintptr_t)_cove_xs - (uintptr_t)_cove_out);\n");
		fprintf(o, "\t\t_cove_h.extra_size = _cove_xsize;\n\t}\n");
	}
	fprintf(o, "\tmemcpy(_cove_hp, &_cove_h, sizeof(_cove_h));\n");
	if (g->deep_out)
		fprintf(o, "\t_cove_xs = NULL; /* the caller frees the extra block */\n");
	fprintf(o, "out:\n");
	if (g->deep_out)
		fprintf(o, "\tcove_edge_free_untrusted(_cove_t, _cove_xs);\n");
	for (size_t i = 0; i < g->np; i++) {
		const cg_param *p = &g->p[i];
		const char *pn = p->d->name;
		if (p->kind != CG_BUF || !p->out || p->in)
			continue;
		if (p->deep)
			fprintf(o, "\tif (_cove_o_%s)\n\t\tcove_dc_free_%s(_cove_t, _cove_o_%s, _cove_s.e_%s, 0);\n", pn,
				p->deep->name, pn, pn);
		fprintf(o, "\tcove_edge_release(_cove_t, _cove_o_%s);\n", pn);
	}
	if (g->deep_inout)
		fprintf(o, "\tcove_edge_release(_cove_t, _cove_pb);\n");
	fprintf(o, "\tcove_edge_release(_cove_t, _cove_ib);\n\treturn _cove_st;\n}\n\n");
}
