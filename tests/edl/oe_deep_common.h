/*
 * Deep-copy test bodies shared by the enclave (ecall implementations) and the
 * host (ocall implementations) of deepcopy.edl: the callee side of every
 * in/in,out/out case, written once.  The including file defines PRIV(p, n)
 * (a buffer is this side's private copy), FOREIGN(p, n) (a shallow pointer is
 * the other side's address) and ALLOC(n) (this side's heap, released by the
 * generated bridge after the call).
 */
#ifndef COVE_TEST_OE_DEEP_COMMON_H
#define COVE_TEST_OE_DEEP_COMMON_H

#include "oe_test.h"

static const uint64_t deep_data[8] = DEEP_DATA;

static __attribute__((unused)) void deep_check(const uint64_t *p, size_t n, size_t off)
{
	ENC_CHECK(p != NULL);
	for (size_t i = 0; p && i < n; i++)
		ENC_CHECK(p[i] == deep_data[off + i]);
}

static __attribute__((unused)) uint64_t *deep_alloc_words(size_t n, uint64_t fill_from_data, uint64_t value)
{
	uint64_t *p = ALLOC(n * sizeof(uint64_t));
	for (size_t i = 0; p && i < n; i++)
		p[i] = fill_from_data ? deep_data[i % 8] : value;
	return p;
}

/* [in,out] CountParamStruct {7, 64, data}: the count member may shrink (restored), size changes. */
static __attribute__((unused)) void callee_countparam(CountParamStruct *s, uint64_t new_count)
{
	ENC_CHECK(s && PRIV(s, sizeof(*s)) && s->count == 7 && s->size == 64);
	ENC_CHECK(PRIV(s->ptr, s->count * sizeof(uint64_t)));
	deep_check(s->ptr, s->count, 0);
	s->count = new_count;
	s->size = 200;
}

static __attribute__((unused)) void callee_sizeparam(SizeParamStruct *s, size_t new_size)
{
	ENC_CHECK(s && PRIV(s, sizeof(*s)) && s->count == 7 && s->size == 64);
	ENC_CHECK(PRIV(s->ptr, s->size));
	deep_check(s->ptr, s->size / sizeof(uint64_t), 0);
	s->count = 100;
	s->size = new_size;
}

static __attribute__((unused)) void callee_countsizeparam(CountSizeParamStruct *s, uint64_t new_count, size_t new_size)
{
	ENC_CHECK(s && PRIV(s, sizeof(*s)) && s->count == 8 && s->size == 4);
	ENC_CHECK(PRIV(s->ptr, s->count * s->size));
	deep_check(s->ptr, s->count * s->size / sizeof(uint64_t), 0);
	s->count = new_count;
	s->size = new_size;
}

static __attribute__((unused)) void callee_countsize(CountSizeStruct *s, uint64_t new_count, size_t new_size)
{
	/* [count=2, size=12]: 24 bytes whatever the members say. */
	ENC_CHECK(s && PRIV(s, sizeof(*s)) && s->count == 7 && s->size == 64);
	ENC_CHECK(PRIV(s->ptr, 24));
	deep_check(s->ptr, 3, 0);
	s->count = new_count;
	s->size = new_size;
}

/* [out] callees: fill what the caller passed zeroed, allocating nested buffers. */
static __attribute__((unused)) void callee_countparam_out(CountParamStruct *s, uint64_t count, size_t size)
{
	ENC_CHECK(s && PRIV(s, sizeof(*s)) && s->count == 0 && s->size == 0 && s->ptr == NULL);
	s->count = count;
	s->size = size;
	s->ptr = deep_alloc_words(count, 1, 0);
}

static __attribute__((unused)) void fill_countparam_nested(CountParamNestedStruct *n, size_t num, uint64_t count)
{
	n->num = num;
	n->array_of_struct = ALLOC(num * sizeof(CountParamStruct));
	for (size_t i = 0; n->array_of_struct && i < num; i++) {
		CountParamStruct *s = &n->array_of_struct[i];
		s->count = count;
		s->size = i;
		s->ptr = deep_alloc_words(count, 0, i);
	}
}

static __attribute__((unused)) void fill_multiple_nested(MultipleNestedStruct *n, int partial)
{
	n->num_1 = 5;
	n->array_of_struct_1 = ALLOC(5 * sizeof(CountParamStruct));
	for (size_t i = 0; n->array_of_struct_1 && i < 5; i++) {
		n->array_of_struct_1[i].count = 10;
		n->array_of_struct_1[i].size = i;
		n->array_of_struct_1[i].ptr = deep_alloc_words(10, 0, i);
	}
	n->num_2 = 6;
	n->array_of_struct_2 = partial ? NULL : ALLOC(6 * sizeof(SizeParamStruct));
	for (size_t i = 0; n->array_of_struct_2 && i < 6; i++) {
		n->array_of_struct_2[i].count = i;
		n->array_of_struct_2[i].size = 15 * sizeof(uint64_t);
		n->array_of_struct_2[i].ptr = deep_alloc_words(15, 0, i);
	}
	n->num_3 = 7;
	n->array_of_struct_3 = ALLOC(7 * sizeof(CountSizeParamStruct));
	for (size_t i = 0; n->array_of_struct_3 && i < 7; i++) {
		CountSizeParamStruct *s = &n->array_of_struct_3[i];
		if (partial && i == 3) {
			s->count = 10;
			s->size = 5;
			s->ptr = NULL;
			continue;
		}
		s->count = 20;
		s->size = sizeof(uint64_t);
		s->ptr = deep_alloc_words(20, 0, i);
	}
	n->num_4 = 3;
	n->array_of_struct_4 = ALLOC(3 * sizeof(CountParamNestedStruct));
	for (size_t i = 0; n->array_of_struct_4 && i < 3; i++) {
		CountParamNestedStruct *s = &n->array_of_struct_4[i];
		if (partial && i == 2) {
			s->num = 2;
			s->array_of_struct = NULL;
			continue;
		}
		fill_countparam_nested(s, 4, 25);
		if (partial && s->array_of_struct) {
			RELEASE(s->array_of_struct[1].ptr);
			s->array_of_struct[1].count = 30;
			s->array_of_struct[1].size = 15;
			s->array_of_struct[1].ptr = NULL;
		}
	}
}

static __attribute__((unused)) void callee_mix(SizeParamStruct *s_in, SizeParamStruct *s_inout, SizeParamStruct *s_out,
		       SizeParamStruct *s_user_check, SizeParamStruct *s_out_2)
{
	ENC_CHECK(s_in->count == 10 && s_in->size == 10 && PRIV(s_in->ptr, 10));
	for (int i = 0; i < 10; i++)
		ENC_CHECK(((char *)s_in->ptr)[i] == 'A');
	ENC_CHECK(s_inout->count == 20 && s_inout->size == 20 && PRIV(s_inout->ptr, 20));
	for (int i = 0; i < 20; i++)
		ENC_CHECK(((char *)s_inout->ptr)[i] == 'B');
	s_inout->count = 10;
	s_inout->size = 10; /* the size member comes back as the caller's */
	memset(s_inout->ptr, 'C', 20);
	ENC_CHECK(s_out->count == 0 && s_out->ptr == NULL);
	s_out->count = 30;
	s_out->size = 30;
	s_out->ptr = ALLOC(30);
	if (s_out->ptr)
		memset(s_out->ptr, 'D', 30);
	ENC_CHECK(FOREIGN(s_user_check, sizeof(*s_user_check)));
	s_out_2->count = 50;
	s_out_2->size = 50;
	s_out_2->ptr = ALLOC(50);
	if (s_out_2->ptr)
		memset(s_out_2->ptr, 'F', 50);
}

static __attribute__((unused)) void callee_nested_countparam_inout(CountParamNestedStruct *s, int inout)
{
	ENC_CHECK(s && PRIV(s, sizeof(*s)) && s->num == 3);
	ENC_CHECK(PRIV(s->array_of_struct, s->num * sizeof(CountParamStruct)));
	for (size_t i = 0; i < s->num; i++) {
		CountParamStruct *c = &s->array_of_struct[i];
		ENC_CHECK(c->count == i + 2 && PRIV(c->ptr, c->count * sizeof(uint64_t)));
		deep_check(c->ptr, c->count, 0);
		for (size_t k = 0; k < c->count; k++)
			c->ptr[k] = inout ? 1000 * i + k : 0;
		c->size = 77;
	}
}

/* Caller-side checks and release of what an [out] callee allocated. */
static __attribute__((unused)) void free_countparam(CountParamStruct *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		RELEASE(s[i].ptr);
}

static __attribute__((unused)) void free_countparam_nested(CountParamNestedStruct *n)
{
	if (n->array_of_struct)
		free_countparam(n->array_of_struct, n->num);
	RELEASE(n->array_of_struct);
}

static __attribute__((unused)) void check_multiple_nested(MultipleNestedStruct *n, int partial)
{
	ENC_CHECK(n->num_1 == 5 && n->num_2 == 6 && n->num_3 == 7 && n->num_4 == 3);
	for (size_t i = 0; n->array_of_struct_1 && i < 5; i++) {
		ENC_CHECK(n->array_of_struct_1[i].count == 10 && PRIV(n->array_of_struct_1[i].ptr, 80));
		for (size_t k = 0; k < 10; k++)
			ENC_CHECK(n->array_of_struct_1[i].ptr[k] == i);
	}
	ENC_CHECK(partial ? n->array_of_struct_2 == NULL : n->array_of_struct_2 != NULL);
	for (size_t i = 0; n->array_of_struct_2 && i < 6; i++)
		ENC_CHECK(n->array_of_struct_2[i].ptr[14] == i);
	for (size_t i = 0; n->array_of_struct_3 && i < 7; i++) {
		if (partial && i == 3)
			ENC_CHECK(n->array_of_struct_3[i].ptr == NULL && n->array_of_struct_3[i].count == 10);
		else
			ENC_CHECK(n->array_of_struct_3[i].ptr && n->array_of_struct_3[i].ptr[19] == i);
	}
	for (size_t i = 0; n->array_of_struct_4 && i < 3; i++) {
		CountParamNestedStruct *s = &n->array_of_struct_4[i];
		if (partial && i == 2) {
			ENC_CHECK(s->array_of_struct == NULL && s->num == 2);
			continue;
		}
		ENC_CHECK(s->num == 4 && PRIV(s->array_of_struct, 4 * sizeof(CountParamStruct)));
		for (size_t j = 0; s->array_of_struct && j < 4; j++) {
			if (partial && j == 1)
				ENC_CHECK(s->array_of_struct[j].ptr == NULL && s->array_of_struct[j].count == 30);
			else
				ENC_CHECK(s->array_of_struct[j].ptr && s->array_of_struct[j].ptr[24] == j);
		}
	}
}

static __attribute__((unused)) void free_multiple_nested(MultipleNestedStruct *n)
{
	if (n->array_of_struct_1)
		free_countparam(n->array_of_struct_1, n->num_1);
	RELEASE(n->array_of_struct_1);
	for (size_t i = 0; n->array_of_struct_2 && i < n->num_2; i++)
		RELEASE(n->array_of_struct_2[i].ptr);
	RELEASE(n->array_of_struct_2);
	for (size_t i = 0; n->array_of_struct_3 && i < n->num_3; i++)
		RELEASE(n->array_of_struct_3[i].ptr);
	RELEASE(n->array_of_struct_3);
	for (size_t i = 0; n->array_of_struct_4 && i < n->num_4; i++)
		free_countparam_nested(&n->array_of_struct_4[i]);
	RELEASE(n->array_of_struct_4);
}

#endif
