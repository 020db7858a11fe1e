/*
 * Host side of the deepcopy.edl round trips: the ocall implementations (the
 * callee bodies of oe_deep_common.h over the host's heap) and the runner of
 * every deep-copy ecall, with the expectations of Open Enclave's own tests
 * (members named by count=/size= come back as the caller had them, other
 * members as the callee left them; a callee may not grow a nested buffer).
 */
#include <stdlib.h>
#include <string.h>

#include "deepcopy_u.h"
#include "oe_host.h"

#define PRIV(p, n) (!edl_in_enclave((p), (n)))
#define FOREIGN(p, n) ((void)(n), (p) != NULL)
#define ALLOC(n) malloc(n)
#define RELEASE(p) free(p)
#include "oe_deep_common.h"

void ocall_deepcopy_countparam(CountParamStruct *s)
{
	callee_countparam(s, 5);
}

void ocall_deepcopy_sizeparam(SizeParamStruct *s)
{
	callee_sizeparam(s, 32);
}

void ocall_deepcopy_countsizeparam(CountSizeParamStruct *s)
{
	callee_countsizeparam(s, 4, 2);
}

void ocall_deepcopy_countsize(CountSizeStruct *s)
{
	callee_countsize(s, 5, 32);
}

void ocall_deepcopy_countparam_return_large(CountParamStruct *s)
{
	callee_countparam(s, 100);
}

void ocall_deepcopy_sizeparam_return_large(SizeParamStruct *s)
{
	callee_sizeparam(s, 200);
}

void ocall_deepcopy_countsizeparam_return_large(CountSizeParamStruct *s)
{
	callee_countsizeparam(s, 100, 200);
}

void ocall_deepcopy_countsize_return_large(CountSizeStruct *s)
{
	callee_countsize(s, 100, 200);
}

void ocall_deepcopy_countparam_out(CountParamStruct *s)
{
	callee_countparam_out(s, 5, 200);
}

void ocall_deepcopy_countparamarray_out(CountParamStruct *s)
{
	callee_countparam_out(&s[0], 5, 64);
	callee_countparam_out(&s[1], 4, 32);
}

void ocall_deepcopy_countparamarray_n_out(CountParamStruct *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		callee_countparam_out(&s[i], i + 1, i);
}

void ocall_deepcopy_countparamarray_partial_out(CountParamStruct *s)
{
	callee_countparam_out(&s[0], 5, 64);
	s[1].count = 0;
	s[1].size = 32;
	s[1].ptr = NULL;
}

void ocall_deepcopy_sizeparam_out(SizeParamStruct *s)
{
	s->count = 100;
	s->size = 5 * sizeof(uint64_t);
	s->ptr = deep_alloc_words(5, 1, 0);
}

void ocall_deepcopy_countsizeparam_out(CountSizeParamStruct *s)
{
	s->count = 5;
	s->size = sizeof(uint64_t);
	s->ptr = deep_alloc_words(5, 1, 0);
}

void ocall_deepcopy_countsize_out(CountSizeStruct *s)
{
	s->ptr = deep_alloc_words(3, 1, 0);
	s->count = 100;
	s->size = 200;
}

void ocall_deepcopy_nested_out(NestedStruct *n)
{
	n->plain_int = 100;
	n->array_of_int = malloc(4 * sizeof(int));
	for (int i = 0; n->array_of_int && i < 4; i++)
		n->array_of_int[i] = i;
	n->shallow_struct = NULL;
	n->array_of_struct = malloc(3 * sizeof(CountStruct));
	for (int i = 0; n->array_of_struct && i < 3; i++) {
		n->array_of_struct[i].ptr = deep_alloc_words(3, 1, 0);
		n->array_of_struct[i].count = 100;
		n->array_of_struct[i].size = 200;
	}
}

void ocall_deepcopy_nested_countparam_out(CountParamNestedStruct *n)
{
	fill_countparam_nested(n, 5, 10);
}

void ocall_deepcopy_multiple_nested_out(MultipleNestedStruct *n)
{
	fill_multiple_nested(n, 0);
}

void ocall_deepcopy_multiple_nested_partial_out(MultipleNestedStruct *n)
{
	fill_multiple_nested(n, 1);
}

void ocall_deepcopy_mix(SizeParamStruct *s_in, SizeParamStruct *s_inout, SizeParamStruct *s_out,
			SizeParamStruct *s_user_check, SizeParamStruct *s_out_2)
{
	callee_mix(s_in, s_inout, s_out, s_user_check, s_out_2);
}

void ocall_deepcopy_nested_countparam_inout(CountParamNestedStruct *s)
{
	callee_nested_countparam_inout(s, 1);
}

void ocall_deepcopy_nested_countparam_in(CountParamNestedStruct *s)
{
	callee_nested_countparam_inout(s, 0);
}

/* ---- runner ---- */

static void run_inout(cove_enclave *enc)
{
	uint64_t data[8] = DEEP_DATA;

	ShallowStruct sh = {7, 64, data};
	CALL_OK(deepcopy_value(enc, sh, data));
	CALL_OK(deepcopy_shallow(enc, &sh, data));
	assert_ptr_equal(sh.ptr, data);

	CountStruct cs = {7, 64, data};
	CALL_OK(deepcopy_count(enc, &cs));
	assert_ptr_equal(cs.ptr, data);

	CountParamStruct cp = {7, 64, data};
	CALL_OK(deepcopy_countparam(enc, &cp));
	/* The count member is the caller's again; the other member is the callee's. */
	assert_true(cp.count == 7 && cp.size == 200 && cp.ptr == data);

	SizeStruct ss = {7, 64, data};
	CALL_OK(deepcopy_size(enc, &ss));

	CountSizeStruct css = {7, 64, data};
	CALL_OK(deepcopy_countsize(enc, &css));
	assert_true(css.count == 5 && css.size == 32);

	SizeParamStruct sp = {7, 64, data};
	CALL_OK(deepcopy_sizeparam(enc, &sp));
	assert_true(sp.count == 100 && sp.size == 64);

	CountSizeParamStruct csp = {8, 4, data};
	CALL_OK(deepcopy_countsizeparam(enc, &csp));
	assert_true(csp.count == 8 && csp.size == 4);
	csp = (CountSizeParamStruct){1, 4 * sizeof(uint64_t), data};
	CALL_OK(deepcopy_countsizeparam_size(enc, &csp));
	csp = (CountSizeParamStruct){4, sizeof(uint64_t), data};
	CALL_OK(deepcopy_countsizeparam_count(enc, &csp));

	CountParamStruct cpa[2] = {{7, 64, data}, {3, 32, &data[4]}};
	CALL_OK(deepcopy_countparamarray(enc, cpa));
	SizeParamStruct spa[2] = {{7, 64, data}, {3, 32, &data[4]}};
	CALL_OK(deepcopy_sizeparamarray(enc, spa));
	CountSizeParamStruct cspa[2] = {{8, 4, data}, {3, 8, &data[4]}};
	CALL_OK(deepcopy_countsizeparamarray(enc, cspa));

	int ints[4] = {0, 1, 2, 3};
	ShallowStruct shallow = {1, 8, NULL};
	CountStruct counts[3] = {cs, cs, cs};
	NestedStruct n = {13, ints, &shallow, counts};
	NestedStruct p = {7, ints, &shallow, counts};
	NestedStruct ns[2] = {p, n};
	SuperNestedStruct u[2] = {{ns}, {ns}};
	CALL_OK(deepcopy_super_nested(enc, u, 2));
	CALL_OK(deepcopy_nested(enc, &n));
	assert_true(n.shallow_struct == &shallow && n.array_of_struct == counts && n.array_of_int == ints);
	for (int i = 0; i < 4; i++)
		assert_int_equal(ints[i], i);

	CALL_OK(deepcopy_null(enc, NULL));
	CountStruct cn = {7, 64, NULL};
	CALL_OK(deepcopy_null(enc, &cn));
	assert_null(cn.ptr);

	uint64_t w[8] = DEEP_DATA;
	CountStruct ci = {7, 64, w};
	CALL_OK(deepcopy_in(enc, &ci));
	assert_true(ci.count == 7 && w[0] == data[0]);
	CALL_OK(deepcopy_inout_count(enc, &ci));
	assert_true(w[0] == data[7] && w[1] == data[6] && w[2] == data[5] && w[3] == data[3]);

	char buf0[8] = "red";
	IOVEC iov[2] = {{buf0, sizeof(buf0)}, {NULL, 0}};
	CALL_OK(deepcopy_iovec(enc, iov, 2));
	assert_memory_equal(buf0, "0000000", 8);

	/* A callee that grows a count/size member past what the caller gave: refused, caller untouched. */
	cp = (CountParamStruct){7, 64, data};
	assert_int_equal(deepcopy_countparam_return_large(enc, &cp), COVE_EDGE_BUFFER_TOO_SMALL);
	assert_true(cp.count == 7 && cp.size == 64);
	sp = (SizeParamStruct){7, 64, data};
	assert_int_equal(deepcopy_sizeparam_return_large(enc, &sp), COVE_EDGE_BUFFER_TOO_SMALL);
	csp = (CountSizeParamStruct){8, 4, data};
	assert_int_equal(deepcopy_countsizeparam_return_large(enc, &csp), COVE_EDGE_BUFFER_TOO_SMALL);
	assert_int_equal(edl_take_failures(), 0);
	/* With literal sizes the members are plain data: allowed. */
	css = (CountSizeStruct){7, 64, data};
	CALL_OK(deepcopy_countsize_return_large(enc, &css));
	assert_true(css.count == 100 && css.size == 200);
	for (int i = 0; i < 8; i++)
		assert_true(data[i] == deep_data[i]);
}

static void run_out(cove_enclave *enc)
{
	CountParamStruct s;
	memset(&s, 0xAB, sizeof(s)); /* never sent */
	CALL_OK(deepcopy_countparam_out(enc, &s));
	assert_true(s.count == 5 && s.size == 200 && s.ptr && !edl_in_enclave(s.ptr, 40));
	deep_check(s.ptr, 5, 0);
	free_countparam(&s, 1);

	CountParamStruct a2[2];
	CALL_OK(deepcopy_countparamarray_out(enc, a2));
	assert_true(a2[0].count == 5 && a2[1].count == 4);
	deep_check(a2[1].ptr, 4, 0);
	free_countparam(a2, 2);
	CALL_OK(deepcopy_countparamarray_partial_out(enc, a2));
	assert_true(a2[1].count == 0 && a2[1].ptr == NULL);
	free_countparam(a2, 2);

	CountParamStruct a3[3];
	CALL_OK(deepcopy_countparamarray_n_out(enc, a3, 3));
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(a3[i].count, i + 1);
	deep_check(a3[2].ptr, 3, 0);
	free_countparam(a3, 3);

	SizeParamStruct sp;
	CALL_OK(deepcopy_sizeparam_out(enc, &sp));
	assert_true(sp.count == 100 && sp.size == 40);
	deep_check(sp.ptr, 5, 0);
	free(sp.ptr);

	CountSizeParamStruct csp;
	CALL_OK(deepcopy_countsizeparam_out(enc, &csp));
	deep_check(csp.ptr, 5, 0);
	free(csp.ptr);

	CountSizeStruct css;
	CALL_OK(deepcopy_countsize_out(enc, &css));
	assert_true(css.count == 100 && css.size == 200);
	deep_check(css.ptr, 3, 0);
	free(css.ptr);

	NestedStruct n;
	CALL_OK(deepcopy_nested_out(enc, &n));
	assert_true(n.plain_int == 100 && n.shallow_struct == NULL && n.array_of_int[3] == 3);
	for (int i = 0; i < 3; i++) {
		deep_check(n.array_of_struct[i].ptr, 3, 0);
		free(n.array_of_struct[i].ptr);
	}
	free(n.array_of_int);
	free(n.array_of_struct);

	CountParamNestedStruct cn;
	CALL_OK(deepcopy_nested_countparam_out(enc, &cn));
	assert_int_equal(cn.num, 5);
	assert_true(cn.array_of_struct[4].count == 10 && cn.array_of_struct[4].ptr[9] == 4);
	free_countparam_nested(&cn);

	MultipleNestedStruct m;
	CALL_OK(deepcopy_multiple_nested_out(enc, &m));
	check_multiple_nested(&m, 0);
	free_multiple_nested(&m);
	CALL_OK(deepcopy_multiple_nested_partial_out(enc, &m));
	check_multiple_nested(&m, 1);
	free_multiple_nested(&m);
	HOST_DONE();

	uint64_t abuf[2], bbuf[3]; /* word-aligned backing for the char data */
	char *a = (char *)abuf, *b = (char *)bbuf;
	SizeParamStruct s_in = {10, 10, abuf}, s_inout = {20, 20, bbuf}, s_out, s_uc = {0, 0, NULL}, s_out_2;
	memset(a, 'A', 10);
	memset(b, 'B', 20);
	CALL_OK(deepcopy_mix(enc, &s_in, &s_inout, &s_out, &s_uc, &s_out_2));
	assert_true(s_inout.count == 10 && s_inout.size == 20 && s_inout.ptr == bbuf && b[19] == 'C');
	assert_true(s_out.count == 30 && ((char *)s_out.ptr)[29] == 'D');
	assert_true(s_out_2.count == 50 && ((char *)s_out_2.ptr)[49] == 'F');
	free(s_out.ptr);
	free(s_out_2.ptr);

	uint64_t words[8] = DEEP_DATA, w0[2], w1[3], w2[4];
	CountParamStruct arr[3] = {{2, 0, w0}, {3, 0, w1}, {4, 0, w2}};
	CountParamNestedStruct nn = {3, arr};
	memcpy(w0, words, sizeof(w0));
	memcpy(w1, words, sizeof(w1));
	memcpy(w2, words, sizeof(w2));
	CALL_OK(deepcopy_nested_countparam_in(enc, &nn));
	assert_true(w2[3] == words[3] && arr[0].size == 0);
	CALL_OK(deepcopy_nested_countparam_inout(enc, &nn));
	assert_true(w0[1] == 1 && w1[2] == 1002 && w2[3] == 2003 && arr[2].size == 77 && arr[2].ptr == w2);
}

void oe_run_deepcopy(oe_fixture *f)
{
	cove_enclave *enc = cove_edge_loopback_enclave(f->deepcopy);
	cove_edge_loopback_stats st;

	run_inout(enc);
	run_out(enc);
	CALL_OK(test_deepcopy_ocalls(enc));
	cove_edge_loopback_get_stats(f->deepcopy, &st);
	/* Eleven of the ecalls above are transition_using_threads; their flag reached the transport. */
	assert_int_equal(st.switchless_ecalls, 11);
	assert_true(st.switchless_ocalls >= 11);
}
