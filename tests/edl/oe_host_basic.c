/*
 * Host side of the basic, enum, struct, foreign, errno, switchless_test,
 * aliasing and security round trips: the ocall implementations (the same
 * callee bodies as the enclave's ecalls, oe_test.h) and the ecall runners.
 */
#include <errno.h>
#include <string.h>

#include "aliasing_u.h"
#include "basic_u.h"
#include "enum_u.h"
#include "errno_u.h"
#include "foreign_u.h"
#include "security_u.h"
#include "struct_u.h"
#include "switchless_test_u.h"
#include "oe_host.h"
#include "oe_test.h"

/* What the host receives is its own copy, never enclave memory. */
#define PRIV(p, n) (!edl_in_enclave((p), (n)))

/* ---- ocalls ---- */

void ocall_basic_types(BASIC_PARAMS)
{
	edl_mark("o_basic_types");
	BASIC_CALLEE();
}

void ocall_basic_non_portable_types(wchar_t arg1, long arg2, unsigned long arg3, long double arg4)
{
	NONPORTABLE_CALLEE();
}

uint64_t get_host_sizeof(type_enum_t t)
{
	return SIZEOF_TYPE_ENUM(t);
}

#define HOST_RET_FN(T, N)                 \
	T ocall_ret_##N(void)             \
	{                                 \
		edl_mark("o_ret_" #N);    \
		return VAL_##N;           \
	}
OE_TYPES(HOST_RET_FN)

void ocall_ret_void(void)
{
	edl_mark("o_ret_void");
}

Color ocall_enum1(Color a1, Color a2[5], Color a3[5][5], Color a4[1][1][1], Color *a5, Color *a6, Color *a7, Color *a8,
		  Color *a9, Color *a10, Color *a11, Color *a12, Color *a13, Color *a14, Color *a15, Color *a16,
		  Color *a17, Color *a18, Color *a19, size_t count, size_t size)
{
	edl_mark("o_enum1");
	ENC_CHECK(a1 == Green);
	ELEM_CALLEE_BODY(Color, 8, COLOR_SET, COLOR_CHECK, COLOR_ZERO)
	return Blue;
}

MyStruct1 ocall_struct1(MyStruct1 a1, MyStruct1 a2[5], MyStruct1 a3[5][5], MyStruct1 a4[1][1][1], MyStruct1 *a5,
			MyStruct1 *a6, MyStruct1 *a7, MyStruct1 *a8, MyStruct1 *a9, MyStruct1 *a10, MyStruct1 *a11,
			MyStruct1 *a12, MyStruct1 *a13, MyStruct1 *a14, MyStruct1 *a15, MyStruct1 *a16, MyStruct1 *a17,
			MyStruct1 *a18, MyStruct1 *a19, size_t count, size_t size)
{
	MyStruct1 r;
	edl_mark("o_struct1");
	MS_CHECK(&a1, 1, 30);
	ELEM_CALLEE_BODY(MyStruct1, 40, MS_SET, MS_CHECK, MS_ZERO)
	MS_SET(&r, 1, 31);
	return r;
}

void ocall_foreign_ptr_1(my_type1 *a1, my_type1 *a2, my_type1 *a3) FOREIGN3_CALLEE(1)
void ocall_foreign_ptr_2(my_type1 *a1, my_type1 *a2, my_type1 *a3) FOREIGN3_CALLEE(5)
void ocall_foreign_ptr_3(my_type1 *a1, my_type1 *a2, my_type1 *a3) FOREIGN3_CALLEE(64 / sizeof(my_type1))
void ocall_foreign_ptr_4(my_type1 *a1, my_type1 *a2, my_type1 *a3, size_t count) FOREIGN3_CALLEE(count)
void ocall_foreign_ptr_5(my_type1 *a1, my_type1 *a2, my_type1 *a3, size_t size) FOREIGN3_CALLEE(size / sizeof(my_type1))
void ocall_foreign_isptr_1(my_type2 a1, my_type2 a2, my_type2 a3) FOREIGN3_CALLEE(1)
void ocall_foreign_isptr_2(my_type2 a1, my_type2 a2, my_type2 a3) FOREIGN3_CALLEE(5)
void ocall_foreign_isptr_3(my_type2 a1, my_type2 a2, my_type2 a3) FOREIGN3_CALLEE(64 / sizeof(my_type1))
void ocall_foreign_isptr_4(my_type2 a1, my_type2 a2, my_type2 a3, size_t count) FOREIGN3_CALLEE(count)
void ocall_foreign_isptr_5(my_type2 a1, my_type2 a2, my_type2 a3, size_t size) FOREIGN3_CALLEE(size / sizeof(my_type1))
void ocall_foreign_isary(my_type3 a1, my_type3 a2, my_type3 a3) FOREIGN3_CALLEE(10)

my_type1 ocall_foreign_value(my_type1 a1)
{
	my_type1 r = {a1.x + 1, a1.y + 1};
	return r;
}

/*
 * errno: the loopback runs host and enclave on one thread, so the enclave's
 * proxy restores its own errno after every ocall; a separate host process
 * would keep its errno between calls, which host_errno stands in for.
 */
static int host_errno;

void ocall_errno(void)
{
	errno = EACCES;
}

void ocall_set_host_errno(int e)
{
	host_errno = e;
	errno = e;
}

void ocall_noop(void)
{
	errno = host_errno;
}

int ocall_sum(int a, int b)
{
	return a + b;
}

int switchless_ocall_sum(int a, int b)
{
	return a + b;
}

/* ---- runners ---- */

void oe_run_basic(oe_fixture *f)
{
	cove_enclave *enc = cove_edge_loopback_enclave(f->basic);
	uint64_t sz = 0;

	CALL_OK(ecall_basic_types(enc, BASIC_ARGS));
	CALL_OK(ecall_basic_non_portable_types(enc, VAL_wchar_t, VAL_long, VAL_unsigned_long, VAL_long_double));
	CALL_OK(get_enclave_sizeof(enc, &sz, TYPE_UNSIGNED_LONG));
	assert_int_equal(sz, sizeof(unsigned long));
#define HOST_RET_CALL(T, N)                                           \
	{                                                             \
		T r_;                                                 \
		memset(&r_, 0, sizeof(r_));                           \
		CALL_OK(ecall_ret_##N(enc, &r_));                     \
		assert_true(r_ == VAL_##N);                           \
	}
	OE_TYPES(HOST_RET_CALL)
	CALL_OK(ecall_ret_void(enc));
	/* A NULL retval is allowed: the result is dropped. */
	CALL_OK(ecall_ret_int(enc, NULL));
	CALL_OK(test_basic_edl_ocalls(enc));
	assert_int_equal(edl_marks("o_basic_types"), 1);
	assert_int_equal(edl_marks("o_ret_long_double"), 1);
	assert_int_equal(edl_marks("e_ret_int"), 2);
}

void oe_run_enum_struct(oe_fixture *f)
{
	cove_enclave *enc = cove_edge_loopback_enclave(f->enums);
	Color ret = Red;
	ELEM_CALLER(Color, 8, COLOR_SET, COLOR_CHECK, ecall_enum1, enc, &ret, Green, );
	HOST_DONE();
	assert_int_equal(ret, Blue);
	CALL_OK(test_enum_edl_ocalls(enc));
	assert_int_equal(edl_marks("o_enum1"), 1);

	enc = cove_edge_loopback_enclave(f->structs);
	MyStruct1 sret, a1;
	memset(&sret, 0, sizeof(sret));
	MS_SET(&a1, 1, 30);
	ELEM_CALLER(MyStruct1, 40, MS_SET, MS_CHECK, ecall_struct1, enc, &sret, a1, );
	HOST_DONE();
	MS_CHECK(&sret, 1, 31);
	HOST_DONE();
	CALL_OK(test_struct_edl_ocalls(enc));
	assert_int_equal(edl_marks("e_struct1") + edl_marks("o_struct1"), 2);
}

void oe_run_foreign(oe_fixture *f)
{
	cove_enclave *enc = cove_edge_loopback_enclave(f->foreign);
	my_type1 v = {1, 2}, r = {0, 0};

	FOREIGN3_CALLER(1, ecall_foreign_ptr_1(enc, b1, b2, b3));
	FOREIGN3_CALLER(5, ecall_foreign_ptr_2(enc, b1, b2, b3));
	FOREIGN3_CALLER(8, ecall_foreign_ptr_3(enc, b1, b2, b3));
	FOREIGN3_CALLER(3, ecall_foreign_ptr_4(enc, b1, b2, b3, 3));
	FOREIGN3_CALLER(3, ecall_foreign_ptr_5(enc, b1, b2, b3, 3 * sizeof(my_type1)));
	FOREIGN3_CALLER(1, ecall_foreign_isptr_1(enc, b1, b2, b3));
	FOREIGN3_CALLER(5, ecall_foreign_isptr_2(enc, b1, b2, b3));
	FOREIGN3_CALLER(8, ecall_foreign_isptr_3(enc, b1, b2, b3));
	FOREIGN3_CALLER(3, ecall_foreign_isptr_4(enc, b1, b2, b3, 3));
	FOREIGN3_CALLER(3, ecall_foreign_isptr_5(enc, b1, b2, b3, 3 * sizeof(my_type1)));
	FOREIGN3_CALLER(10, ecall_foreign_isary(enc, b1, b2, b3));
	HOST_DONE();
	CALL_OK(ecall_foreign_value(enc, &r, v));
	assert_true(r.x == 2 && r.y == 3);
	CALL_OK(test_foreign_edl_ocalls(enc));
}

void oe_run_errno_switchless(oe_fixture *f)
{
	cove_edge_loopback_stats st;

	CALL_OK(test_errno_edl_ocalls(cove_edge_loopback_enclave(f->errnos)));
	/* The table carries propagate_errno for the ocalls that asked for it. */
	assert_true(errno_ocall_table.entries[ERRNO_OCALL_ocall_errno].flags & COVE_EDGE_CALL_ERRNO);
	assert_false(errno_ocall_table.entries[ERRNO_OCALL_ocall_set_host_errno].flags & COVE_EDGE_CALL_ERRNO);

	CALL_OK(test_switchless_edl_ocalls(cove_edge_loopback_enclave(f->switchless)));
	cove_edge_loopback_get_stats(f->switchless, &st);
	/* transition_using_threads travels as a call flag (the runtime's worker threads key off it). */
	assert_int_equal(st.ocalls, 2);
	assert_int_equal(st.switchless_ocalls, 1);
	assert_true(switchless_test_ocall_table.entries[SWITCHLESS_TEST_OCALL_switchless_ocall_sum].flags &
		    COVE_EDGE_CALL_SWITCHLESS);
	assert_false(switchless_test_ocall_table.entries[SWITCHLESS_TEST_OCALL_ocall_sum].flags &
		     COVE_EDGE_CALL_SWITCHLESS);
}

void oe_run_aliasing(oe_fixture *f)
{
	cove_enclave *enc = cove_edge_loopback_enclave(f->aliasing);
	int r = 0;
	char *e = NULL;
	size_t g[4] = {0, 3, 6, 9}, j = 99;
	char h[6], a[2] = {'x', 'y'};

	CALL_OK(aliasing_a(enc, &r, "alias", 5));
	assert_int_equal(r, 5);
	memset(h, 'z', sizeof(h));
	CALL_OK(aliasing_b(enc, &r, &e, g, 4, h, sizeof(h), &j));
	assert_int_equal(r, 46);
	assert_memory_equal(h, "hhhhhh", 6);
	assert_int_equal(j, 10);
	CALL_OK(aliasing_c(enc, &r, a));
	assert_int_equal(r, 2);
}

void oe_run_security(oe_fixture *f)
{
	cove_enclave *enc = cove_edge_loopback_enclave(f->security);
	int *secret = NULL, ret = -1;
	int indata[4] = {512, 1024, 768, 2048};

	CALL_OK(security_get_secret_ptr(enc, &secret));
	assert_non_null(secret);
	assert_true(edl_in_enclave(secret, sizeof(int)));
	/* An enclave address as an [in] buffer: the proxy refuses it before reading (OE: OE_INVALID_PARAMETER). */
	assert_int_equal(security_ecall_test1(enc, secret), COVE_EDGE_BAD_POINTER);
	assert_int_equal(edl_marks("e_security1"), 0);
	assert_int_equal(*secret, 11223344);
	CALL_OK(security_ecall_test2(enc, &ret, indata));
	assert_int_equal(ret, 0);
	assert_int_equal(indata[0], 512); /* [in]: the enclave's zeroing stayed inside */
	cove_edge_loopback_enclave_free(f->security, secret);
}
