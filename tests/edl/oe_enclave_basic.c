/*
 * Trusted side of the Open Enclave oeedger8r round trips for basic.edl,
 * enum.edl, struct.edl, foreign.edl, errno.edl, switchless_test.edl,
 * aliasing.edl and security.edl: every ecall checks what it received and
 * answers with known values; each test_*_edl_ocalls() makes the file's ocalls
 * and checks what came back (patterns and bodies in oe_test.h).
 */
#include <errno.h>
#include <string.h>

#include "aliasing_t.h"
#include "basic_t.h"
#include "enum_t.h"
#include "errno_t.h"
#include "foreign_t.h"
#include "security_t.h"
#include "struct_t.h"
#include "switchless_test_t.h"
#include "oe_test.h"

/* A buffer the enclave received is its private copy. */
#define PRIV(p, n) cove_edge_is_within_enclave((p), (n))

/* ---- basic.edl ---- */

void ecall_basic_types(BASIC_PARAMS)
{
	edl_mark("e_basic_types");
	BASIC_CALLEE();
}

void ecall_basic_non_portable_types(wchar_t arg1, long arg2, unsigned long arg3, long double arg4)
{
	edl_mark("e_basic_non_portable");
	NONPORTABLE_CALLEE();
}

uint64_t get_enclave_sizeof(type_enum_t t)
{
	return SIZEOF_TYPE_ENUM(t);
}

#define RET_FN(T, N)                      \
	T ecall_ret_##N(void)             \
	{                                 \
		edl_mark("e_ret_" #N);    \
		return VAL_##N;           \
	}
OE_TYPES(RET_FN)

void ecall_ret_void(void)
{
	edl_mark("e_ret_void");
}

void test_basic_edl_ocalls(void)
{
	uint64_t sz = 0;

	ENC_CHECK(edl_status(ocall_basic_types(BASIC_ARGS)) == COVE_EDGE_OK);
	ENC_CHECK(edl_status(ocall_basic_non_portable_types(VAL_wchar_t, VAL_long, VAL_unsigned_long, VAL_long_double)) ==
		  COVE_EDGE_OK);
	ENC_CHECK(edl_status(get_host_sizeof(&sz, TYPE_LONG_DOUBLE)) == COVE_EDGE_OK && sz == sizeof(long double));
	ENC_CHECK(edl_status(get_host_sizeof(&sz, TYPE_WCHAR_T)) == COVE_EDGE_OK && sz == sizeof(wchar_t));
#define RET_CALL(T, N)                                                               \
	{                                                                            \
		T r_;                                                                \
		memset(&r_, 0, sizeof(r_));                                          \
		ENC_CHECK(ocall_ret_##N(&r_) == COVE_EDGE_OK && r_ == VAL_##N);      \
	}
	OE_TYPES(RET_CALL)
	ENC_CHECK(edl_status(ocall_ret_void()) == COVE_EDGE_OK);
}

/* ---- enum.edl ---- */

Color ecall_enum1(Color a1, Color a2[5], Color a3[5][5], Color a4[1][1][1], Color *a5, Color *a6, Color *a7, Color *a8,
		  Color *a9, Color *a10, Color *a11, Color *a12, Color *a13, Color *a14, Color *a15, Color *a16,
		  Color *a17, Color *a18, Color *a19, size_t count, size_t size)
{
	edl_mark("e_enum1");
	ENC_CHECK(a1 == Green);
	ELEM_CALLEE_BODY(Color, 8, COLOR_SET, COLOR_CHECK, COLOR_ZERO)
	return Blue;
}

void test_enum_edl_ocalls(void)
{
	Color ret = Red;
	ELEM_CALLER(Color, 8, COLOR_SET, COLOR_CHECK, ocall_enum1, &ret, Green, );
	ENC_CHECK(ret == Blue);
}

/* ---- struct.edl ---- */

MyStruct1 ecall_struct1(MyStruct1 a1, MyStruct1 a2[5], MyStruct1 a3[5][5], MyStruct1 a4[1][1][1], MyStruct1 *a5,
			MyStruct1 *a6, MyStruct1 *a7, MyStruct1 *a8, MyStruct1 *a9, MyStruct1 *a10, MyStruct1 *a11,
			MyStruct1 *a12, MyStruct1 *a13, MyStruct1 *a14, MyStruct1 *a15, MyStruct1 *a16, MyStruct1 *a17,
			MyStruct1 *a18, MyStruct1 *a19, size_t count, size_t size)
{
	MyStruct1 r;
	edl_mark("e_struct1");
	MS_CHECK(&a1, 1, 30);
	ELEM_CALLEE_BODY(MyStruct1, 40, MS_SET, MS_CHECK, MS_ZERO)
	MS_SET(&r, 1, 31);
	return r;
}

void test_struct_edl_ocalls(void)
{
	MyStruct1 ret, a1;
	memset(&ret, 0, sizeof(ret));
	MS_SET(&a1, 1, 30);
	ELEM_CALLER(MyStruct1, 40, MS_SET, MS_CHECK, ocall_struct1, &ret, a1, );
	MS_CHECK(&ret, 1, 31);
}

/* ---- foreign.edl ---- */

void ecall_foreign_ptr_1(my_type1 *a1, my_type1 *a2, my_type1 *a3) FOREIGN3_CALLEE(1)
void ecall_foreign_ptr_2(my_type1 *a1, my_type1 *a2, my_type1 *a3) FOREIGN3_CALLEE(5)
void ecall_foreign_ptr_3(my_type1 *a1, my_type1 *a2, my_type1 *a3) FOREIGN3_CALLEE(64 / sizeof(my_type1))
void ecall_foreign_ptr_4(my_type1 *a1, my_type1 *a2, my_type1 *a3, size_t count) FOREIGN3_CALLEE(count)
void ecall_foreign_ptr_5(my_type1 *a1, my_type1 *a2, my_type1 *a3, size_t size) FOREIGN3_CALLEE(size / sizeof(my_type1))
void ecall_foreign_isptr_1(my_type2 a1, my_type2 a2, my_type2 a3) FOREIGN3_CALLEE(1)
void ecall_foreign_isptr_2(my_type2 a1, my_type2 a2, my_type2 a3) FOREIGN3_CALLEE(5)
void ecall_foreign_isptr_3(my_type2 a1, my_type2 a2, my_type2 a3) FOREIGN3_CALLEE(64 / sizeof(my_type1))
void ecall_foreign_isptr_4(my_type2 a1, my_type2 a2, my_type2 a3, size_t count) FOREIGN3_CALLEE(count)
void ecall_foreign_isptr_5(my_type2 a1, my_type2 a2, my_type2 a3, size_t size) FOREIGN3_CALLEE(size / sizeof(my_type1))
void ecall_foreign_isary(my_type3 a1, my_type3 a2, my_type3 a3) FOREIGN3_CALLEE(10)

my_type1 ecall_foreign_value(my_type1 a1)
{
	my_type1 r = {a1.x + 1, a1.y + 1};
	edl_mark("e_foreign_value");
	return r;
}

void test_foreign_edl_ocalls(void)
{
	my_type1 v = {41, 42}, r = {0, 0};

	FOREIGN3_CALLER(1, ocall_foreign_ptr_1(b1, b2, b3));
	FOREIGN3_CALLER(5, ocall_foreign_ptr_2(b1, b2, b3));
	FOREIGN3_CALLER(8, ocall_foreign_ptr_3(b1, b2, b3));
	FOREIGN3_CALLER(3, ocall_foreign_ptr_4(b1, b2, b3, 3));
	FOREIGN3_CALLER(3, ocall_foreign_ptr_5(b1, b2, b3, 3 * sizeof(my_type1)));
	FOREIGN3_CALLER(1, ocall_foreign_isptr_1(b1, b2, b3));
	FOREIGN3_CALLER(5, ocall_foreign_isptr_2(b1, b2, b3));
	FOREIGN3_CALLER(8, ocall_foreign_isptr_3(b1, b2, b3));
	FOREIGN3_CALLER(3, ocall_foreign_isptr_4(b1, b2, b3, 3));
	FOREIGN3_CALLER(3, ocall_foreign_isptr_5(b1, b2, b3, 3 * sizeof(my_type1)));
	FOREIGN3_CALLER(10, ocall_foreign_isary(b1, b2, b3));
	ENC_CHECK(edl_status(ocall_foreign_value(&r, v)) == COVE_EDGE_OK && r.x == 42 && r.y == 43);
}

/* ---- errno.edl ---- */

void test_errno_edl_ocalls(void)
{
	errno = 0;
	/* propagate_errno: the host's errno comes back. */
	ENC_CHECK(edl_status(ocall_errno()) == COVE_EDGE_OK);
	ENC_CHECK(errno == EACCES);
	/* Without it, the enclave's errno is untouched by what the host does. */
	errno = 0;
	ENC_CHECK(edl_status(ocall_set_host_errno(ENOENT)) == COVE_EDGE_OK);
	ENC_CHECK(errno == 0);
	/* A no-op that propagates: the host's errno is still the one it set. */
	ENC_CHECK(edl_status(ocall_noop()) == COVE_EDGE_OK);
	ENC_CHECK(errno == ENOENT);
}

/* ---- switchless_test.edl ---- */

void test_switchless_edl_ocalls(void)
{
	int r = 0;
	ENC_CHECK(edl_status(ocall_sum(&r, 1, 2)) == COVE_EDGE_OK && r == 3);
	ENC_CHECK(edl_status(switchless_ocall_sum(&r, 30, 12)) == COVE_EDGE_OK && r == 42);
}

/* ---- aliasing.edl: one-letter names must not collide with generated ones ---- */

int aliasing_a(const char *d, size_t c)
{
	ENC_CHECK(PRIV(d, c) && c == 5 && memcmp(d, "alias", 5) == 0);
	return (int)c;
}

int aliasing_b(char **e, size_t *g, size_t f, char *h, size_t i, size_t *j)
{
	ENC_CHECK(cove_edge_is_outside_enclave(e, sizeof(*e)));
	ENC_CHECK(PRIV(g, f * sizeof(size_t)) && PRIV(h, i) && PRIV(j, sizeof(*j)));
	for (size_t k = 0; k < f; k++)
		ENC_CHECK(g[k] == 3 * k);
	CHECK_ZERO(char, h, i);
	memset(h, 'h', i);
	ENC_CHECK(*j == 0);
	*j = f + i;
	return (int)(10 * f + i);
}

int aliasing_c(char a[2])
{
	ENC_CHECK(PRIV(a, 2) && a[0] == 'x' && a[1] == 'y');
	return 2;
}

/* ---- security.edl ---- */

int *security_get_secret_ptr(void)
{
	/* The host frees it (cove_edge_loopback_enclave_free) when the test ends. */
	int *secret = cove_edge_malloc(sizeof(int));
	if (secret)
		*secret = 11223344;
	return secret;
}

void security_ecall_test1(int *ptr)
{
	/* Reached only with a host buffer: never with the enclave's own secret address. */
	edl_mark("e_security1");
	ENC_CHECK(PRIV(ptr, 4) && *ptr != 11223344);
}

int security_ecall_test2(int *ptr)
{
	edl_mark("e_security2");
	ENC_CHECK(PRIV(ptr, 16));
	if (ptr[0] != 512 || ptr[1] != 1024 || ptr[2] != 768 || ptr[3] != 2048)
		return -1;
	ptr[0] = ptr[1] = ptr[2] = ptr[3] = 0; /* an [in] buffer: stays in the enclave */
	return 0;
}
