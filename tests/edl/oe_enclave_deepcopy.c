/*
 * Trusted side of the deepcopy.edl round trips (Open Enclave's deep copy of
 * struct members with [count=]/[size=]): ecalls check that every nested
 * buffer arrived as a private copy inside the enclave with the right
 * contents, and test_deepcopy_ocalls() exercises every ocall, including the
 * ones whose callee allocates nested [out] data.
 */
#include <string.h>

#include "deepcopy_t.h"

#define PRIV(p, n) cove_edge_is_within_enclave((p), (n))
#define FOREIGN(p, n) cove_edge_is_outside_enclave((p), (n))
#define ALLOC(n) cove_edge_malloc(n)
#define RELEASE(p) cove_edge_free(p)
#include "oe_deep_common.h"

void deepcopy_value(ShallowStruct s, uint64_t *ptr)
{
	/* By value: the struct is copied, its pointer is the host's. */
	ENC_CHECK(s.count == 7 && s.size == 64 && s.ptr == ptr && FOREIGN(s.ptr, sizeof(uint64_t)));
}

void deepcopy_shallow(ShallowStruct *s, uint64_t *ptr)
{
	/* No attribute on the member: shallow even though the struct is copied. */
	ENC_CHECK(PRIV(s, sizeof(*s)) && s->count == 7 && s->size == 64 && s->ptr == ptr && FOREIGN(s->ptr, 8));
}

void deepcopy_count(CountStruct *s)
{
	ENC_CHECK(PRIV(s, sizeof(*s)) && s->count == 7 && s->size == 64 && PRIV(s->ptr, 3 * sizeof(uint64_t)));
	deep_check(s->ptr, 3, 0);
}

void deepcopy_countparam(CountParamStruct *s)
{
	callee_countparam(s, 5);
}

void deepcopy_size(SizeStruct *s)
{
	ENC_CHECK(PRIV(s, sizeof(*s)) && s->count == 7 && s->size == 64 && PRIV(s->ptr, 16));
	deep_check(s->ptr, 2, 0);
}

void deepcopy_countsize(CountSizeStruct *s)
{
	callee_countsize(s, 5, 32);
}

void deepcopy_sizeparam(SizeParamStruct *s)
{
	callee_sizeparam(s, 32);
}

void deepcopy_countsizeparam(CountSizeParamStruct *s)
{
	callee_countsizeparam(s, 4, 2);
}

void deepcopy_countsizeparam_size(CountSizeParamStruct *s)
{
	ENC_CHECK(s->count == 1 && s->size == 4 * sizeof(uint64_t));
	deep_check(s->ptr, 4, 0);
}

void deepcopy_countsizeparam_count(CountSizeParamStruct *s)
{
	ENC_CHECK(s->count == 4 && s->size == sizeof(uint64_t));
	deep_check(s->ptr, 4, 0);
}

void deepcopy_countparamarray(CountParamStruct *s)
{
	ENC_CHECK(s[0].count == 7 && s[1].count == 3);
	deep_check(s[0].ptr, 7, 0);
	deep_check(s[1].ptr, 3, 4);
	ENC_CHECK(PRIV(s[1].ptr, 3 * sizeof(uint64_t)));
}

void deepcopy_sizeparamarray(SizeParamStruct *s)
{
	ENC_CHECK(s[0].size == 64 && s[1].size == 32);
	deep_check(s[0].ptr, 8, 0);
	deep_check(s[1].ptr, 4, 4);
}

void deepcopy_countsizeparamarray(CountSizeParamStruct *s)
{
	ENC_CHECK(s[0].count == 8 && s[0].size == 4 && s[1].count == 3 && s[1].size == 8);
	deep_check(s[0].ptr, 4, 0);
	deep_check(s[1].ptr, 3, 4);
}

static void check_nested(NestedStruct *n, int plain)
{
	ENC_CHECK(PRIV(n, sizeof(*n)) && n->plain_int == plain);
	ENC_CHECK(PRIV(n->array_of_int, 4 * sizeof(int)));
	for (int i = 0; i < 4; i++)
		ENC_CHECK(n->array_of_int[i] == i);
	/* shallow_struct has no attribute: the host's pointer. */
	ENC_CHECK(n->shallow_struct && FOREIGN(n->shallow_struct, sizeof(ShallowStruct)));
	ENC_CHECK(PRIV(n->array_of_struct, 3 * sizeof(CountStruct)));
	for (int i = 0; i < 3; i++) {
		ENC_CHECK(n->array_of_struct[i].count == 7);
		deep_check(n->array_of_struct[i].ptr, 3, 0);
	}
}

void deepcopy_nested(NestedStruct *n)
{
	check_nested(n, 13);
}

void deepcopy_super_nested(SuperNestedStruct *s, size_t n)
{
	ENC_CHECK(n == 2 && PRIV(s, n * sizeof(*s)));
	for (size_t i = 0; i < n; i++) {
		check_nested(&s[i].more_structs[0], 7);
		check_nested(&s[i].more_structs[1], 13);
	}
}

void deepcopy_null(CountStruct *s)
{
	if (s)
		ENC_CHECK(s->ptr == NULL && s->count == 7);
}

void deepcopy_in(CountStruct *s)
{
	deep_check(s->ptr, 3, 0);
	s->ptr[0] = 0; /* [in]: never copied back */
	s->count = 1;
}

void deepcopy_inout_count(CountStruct *s)
{
	deep_check(s->ptr, 3, 0);
	for (int i = 0; i < 3; i++)
		s->ptr[i] = deep_data[7 - i];
}

void deepcopy_iovec(IOVEC *iov, size_t n)
{
	ENC_CHECK(n == 2 && PRIV(iov, 2 * sizeof(IOVEC)));
	ENC_CHECK(iov[0].len == 8 && PRIV(iov[0].base, 8) && memcmp(iov[0].base, "red", 4) == 0);
	memcpy(iov[0].base, "0000000", 8);
	ENC_CHECK(iov[1].base == NULL && iov[1].len == 0);
}

void deepcopy_countparam_return_large(CountParamStruct *s)
{
	callee_countparam(s, 100);
}

void deepcopy_sizeparam_return_large(SizeParamStruct *s)
{
	callee_sizeparam(s, 200);
}

void deepcopy_countsizeparam_return_large(CountSizeParamStruct *s)
{
	callee_countsizeparam(s, 100, 200);
}

void deepcopy_countsize_return_large(CountSizeStruct *s)
{
	/* The sizes are literals in the EDL: larger members are just data. */
	callee_countsize(s, 100, 200);
}

void deepcopy_countparam_out(CountParamStruct *s)
{
	callee_countparam_out(s, 5, 200);
}

void deepcopy_countparamarray_out(CountParamStruct *s)
{
	callee_countparam_out(&s[0], 5, 64);
	callee_countparam_out(&s[1], 4, 32);
}

void deepcopy_countparamarray_n_out(CountParamStruct *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		callee_countparam_out(&s[i], i + 1, i);
}

void deepcopy_countparamarray_partial_out(CountParamStruct *s)
{
	callee_countparam_out(&s[0], 5, 64);
	s[1].count = 0;
	s[1].size = 32;
	s[1].ptr = NULL;
}

void deepcopy_sizeparam_out(SizeParamStruct *s)
{
	ENC_CHECK(s->ptr == NULL);
	s->count = 100;
	s->size = 5 * sizeof(uint64_t);
	s->ptr = deep_alloc_words(5, 1, 0);
}

void deepcopy_countsizeparam_out(CountSizeParamStruct *s)
{
	s->count = 5;
	s->size = sizeof(uint64_t);
	s->ptr = deep_alloc_words(5, 1, 0);
}

void deepcopy_countsize_out(CountSizeStruct *s)
{
	s->ptr = deep_alloc_words(3, 1, 0); /* 2 * 12 bytes */
	s->count = 100;
	s->size = 200;
}

void deepcopy_nested_out(NestedStruct *n)
{
	n->plain_int = 100;
	n->array_of_int = ALLOC(4 * sizeof(int));
	for (int i = 0; n->array_of_int && i < 4; i++)
		n->array_of_int[i] = i;
	n->shallow_struct = NULL;
	n->array_of_struct = ALLOC(3 * sizeof(CountStruct));
	for (int i = 0; n->array_of_struct && i < 3; i++) {
		n->array_of_struct[i].ptr = deep_alloc_words(3, 1, 0);
		n->array_of_struct[i].count = 100;
		n->array_of_struct[i].size = 200;
	}
}

void deepcopy_nested_countparam_out(CountParamNestedStruct *n)
{
	fill_countparam_nested(n, 5, 10);
}

void deepcopy_multiple_nested_out(MultipleNestedStruct *n)
{
	fill_multiple_nested(n, 0);
}

void deepcopy_multiple_nested_partial_out(MultipleNestedStruct *n)
{
	fill_multiple_nested(n, 1);
}

void deepcopy_mix(SizeParamStruct *s_in, SizeParamStruct *s_inout, SizeParamStruct *s_out,
		  SizeParamStruct *s_user_check, SizeParamStruct *s_out_2)
{
	callee_mix(s_in, s_inout, s_out, s_user_check, s_out_2);
}

void deepcopy_nested_countparam_inout(CountParamNestedStruct *s)
{
	callee_nested_countparam_inout(s, 1);
}

void deepcopy_nested_countparam_in(CountParamNestedStruct *s)
{
	callee_nested_countparam_inout(s, 0);
}

/* ---- the ocalls, made from inside the enclave ---- */

void test_deepcopy_ocalls(void)
{
	uint64_t words[8] = DEEP_DATA;

	{
		CountParamStruct s = {7, 64, words};
		if (ENC_OK(ocall_deepcopy_countparam(&s)))
			ENC_CHECK(s.count == 7 && s.size == 200 && s.ptr == words);
		deep_check(words, 7, 0);
		s.size = 64;
		ENC_CHECK(edl_status(ocall_deepcopy_countparam_return_large(&s)) == COVE_EDGE_BUFFER_TOO_SMALL);
		ENC_CHECK(s.count == 7 && s.size == 64); /* a failed call leaves the caller's data alone */
	}
	{
		SizeParamStruct s = {7, 64, words};
		if (ENC_OK(ocall_deepcopy_sizeparam(&s)))
			ENC_CHECK(s.count == 100 && s.size == 64 && s.ptr == words);
		s.count = 7;
		ENC_CHECK(edl_status(ocall_deepcopy_sizeparam_return_large(&s)) == COVE_EDGE_BUFFER_TOO_SMALL);
	}
	{
		CountSizeParamStruct s = {8, 4, words};
		if (ENC_OK(ocall_deepcopy_countsizeparam(&s)))
			ENC_CHECK(s.count == 8 && s.size == 4);
		ENC_CHECK(edl_status(ocall_deepcopy_countsizeparam_return_large(&s)) == COVE_EDGE_BUFFER_TOO_SMALL);
	}
	{
		CountSizeStruct s = {7, 64, words};
		if (ENC_OK(ocall_deepcopy_countsize(&s)))
			ENC_CHECK(s.count == 5 && s.size == 32);
		s.count = 7;
		s.size = 64;
		if (ENC_OK(ocall_deepcopy_countsize_return_large(&s)))
			ENC_CHECK(s.count == 100 && s.size == 200);
	}
	/* [out] deep copies: the nested buffers are the caller's to free, and exist only after success. */
	{
		CountParamStruct s;
		memset(&s, 0xAB, sizeof(s)); /* [out]: whatever the caller had is not sent */
		if (ENC_OK(ocall_deepcopy_countparam_out(&s))) {
			ENC_CHECK(s.count == 5 && s.size == 200 && PRIV(s.ptr, 40));
			deep_check(s.ptr, 5, 0);
			free_countparam(&s, 1);
		}
	}
	{
		CountParamStruct s[2];
		if (ENC_OK(ocall_deepcopy_countparamarray_out(s))) {
			ENC_CHECK(s[0].count == 5 && s[1].count == 4);
			deep_check(s[1].ptr, 4, 0);
			free_countparam(s, 2);
		}
		if (ENC_OK(ocall_deepcopy_countparamarray_partial_out(s))) {
			ENC_CHECK(s[0].count == 5 && s[1].count == 0 && s[1].ptr == NULL);
			free_countparam(s, 2);
		}
	}
	{
		CountParamStruct s[3];
		if (ENC_OK(ocall_deepcopy_countparamarray_n_out(s, 3))) {
			for (size_t i = 0; i < 3; i++) {
				ENC_CHECK(s[i].count == i + 1);
				deep_check(s[i].ptr, i + 1, 0);
			}
			free_countparam(s, 3);
		}
	}
	{
		SizeParamStruct s;
		if (ENC_OK(ocall_deepcopy_sizeparam_out(&s))) {
			ENC_CHECK(s.count == 100 && s.size == 40);
			deep_check(s.ptr, 5, 0);
			cove_edge_free(s.ptr);
		}
	}
	{
		CountSizeParamStruct s;
		if (ENC_OK(ocall_deepcopy_countsizeparam_out(&s))) {
			ENC_CHECK(s.count == 5 && s.size == 8);
			deep_check(s.ptr, 5, 0);
			cove_edge_free(s.ptr);
		}
	}
	{
		CountSizeStruct s;
		if (ENC_OK(ocall_deepcopy_countsize_out(&s))) {
			ENC_CHECK(s.count == 100 && s.size == 200);
			deep_check(s.ptr, 3, 0);
			cove_edge_free(s.ptr);
		}
	}
	{
		NestedStruct n;
		if (ENC_OK(ocall_deepcopy_nested_out(&n))) {
			ENC_CHECK(n.plain_int == 100 && n.shallow_struct == NULL && PRIV(n.array_of_int, 16));
			for (int i = 0; i < 4; i++)
				ENC_CHECK(n.array_of_int[i] == i);
			for (int i = 0; n.array_of_struct && i < 3; i++) {
				deep_check(n.array_of_struct[i].ptr, 3, 0);
				cove_edge_free(n.array_of_struct[i].ptr);
			}
			cove_edge_free(n.array_of_int);
			cove_edge_free(n.array_of_struct);
		}
	}
	{
		CountParamNestedStruct n;
		if (ENC_OK(ocall_deepcopy_nested_countparam_out(&n))) {
			ENC_CHECK(n.num == 5 && PRIV(n.array_of_struct, 5 * sizeof(CountParamStruct)));
			for (size_t i = 0; n.array_of_struct && i < 5; i++)
				ENC_CHECK(n.array_of_struct[i].count == 10 && n.array_of_struct[i].ptr[9] == i);
			free_countparam_nested(&n);
		}
	}
	{
		MultipleNestedStruct n;
		if (ENC_OK(ocall_deepcopy_multiple_nested_out(&n))) {
			check_multiple_nested(&n, 0);
			free_multiple_nested(&n);
		}
		if (ENC_OK(ocall_deepcopy_multiple_nested_partial_out(&n))) {
			check_multiple_nested(&n, 1);
			free_multiple_nested(&n);
		}
	}
	{
		uint64_t abuf[2], bbuf[3]; /* word-aligned backing for the char data */
		char *a = (char *)abuf, *b = (char *)bbuf;
		SizeParamStruct s_in = {10, 10, abuf}, s_inout = {20, 20, bbuf}, s_out, s_uc = {0, 0, NULL}, s_out_2;
		memset(a, 'A', 10);
		memset(b, 'B', 20);
		if (ENC_OK(ocall_deepcopy_mix(&s_in, &s_inout, &s_out, &s_uc, &s_out_2))) {
			ENC_CHECK(s_inout.count == 10 && s_inout.size == 20 && s_inout.ptr == bbuf && b[19] == 'C');
			ENC_CHECK(s_out.count == 30 && ((char *)s_out.ptr)[29] == 'D');
			ENC_CHECK(s_out_2.count == 50 && ((char *)s_out_2.ptr)[49] == 'F');
			cove_edge_free(s_out.ptr);
			cove_edge_free(s_out_2.ptr);
		}
	}
	{
		uint64_t w0[2], w1[3], w2[4];
		CountParamStruct arr[3] = {{2, 0, w0}, {3, 0, w1}, {4, 0, w2}};
		CountParamNestedStruct n = {3, arr};
		memcpy(w0, words, sizeof(w0));
		memcpy(w1, words, sizeof(w1));
		memcpy(w2, words, sizeof(w2));
		ENC_OK(ocall_deepcopy_nested_countparam_in(&n));
		ENC_CHECK(w2[3] == words[3] && arr[0].size == 0);
		if (ENC_OK(ocall_deepcopy_nested_countparam_inout(&n)))
			ENC_CHECK(w0[1] == 1 && w1[2] == 1002 && w2[3] == 2003 && arr[2].size == 77 && arr[2].ptr == w2);
	}
}
