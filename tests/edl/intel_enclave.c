/*
 * Trusted side of the Intel Edger8rSyntax round trips (Arrays, Functions,
 * Pointers, Types from linux-sgx SampleCode/SampleEnclave): what each
 * attribute promises the enclave is checked here - [in] data is a private
 * copy inside the enclave, [out] buffers arrive zeroed, [user_check] is the
 * host's raw address, strings are terminated - and results are written for
 * the host to check.
 */
#include <string.h>
#include <wchar.h>

#include "Arrays_t.h"
#include "Functions_t.h"
#include "Pointers_t.h"
#include "Types_t.h"
#include "edl_test.h"

/* ---- Arrays.edl ---- */

void ecall_array_user_check(int arr[4])
{
	edl_mark("array_user_check");
	/* user_check: the host's own array, not copied. */
	ENC_CHECK(cove_edge_is_outside_enclave(arr, 4 * sizeof(int)));
	for (int i = 0; i < 4; i++) {
		ENC_CHECK(arr[i] == i);
		arr[i] = 3 - i;
	}
}

void ecall_array_in(int arr[4])
{
	edl_mark("array_in");
	if (!arr)
		return; /* NULL crossed as NULL */
	ENC_CHECK(cove_edge_is_within_enclave(arr, 4 * sizeof(int)));
	for (int i = 0; i < 4; i++)
		ENC_CHECK(arr[i] == i);
	arr[0] = 99; /* stays in the enclave */
}

void ecall_array_out(int arr[4])
{
	edl_mark("array_out");
	ENC_CHECK(cove_edge_is_within_enclave(arr, 4 * sizeof(int)));
	for (int i = 0; i < 4; i++) {
		ENC_CHECK(arr[i] == 0); /* zeroed, never the host's bytes */
		arr[i] = 10 + i;
	}
}

void ecall_array_in_out(int arr[4])
{
	edl_mark("array_in_out");
	ENC_CHECK(cove_edge_is_within_enclave(arr, 4 * sizeof(int)));
	for (int i = 0; i < 4; i++) {
		ENC_CHECK(arr[i] == i);
		arr[i] += 100;
	}
}

void ecall_array_isary(array_t arr)
{
	edl_mark("array_isary");
	ENC_CHECK(cove_edge_is_outside_enclave(arr, sizeof(array_t)));
	for (int i = 0; i < 10; i++)
		arr[i] = i * i;
}

/* ---- Functions.edl ---- */

void ecall_function_public(void)
{
	edl_mark("function_public");
	/* The host's ocall may call the private ecall it allow()s. */
	ENC_CHECK(ocall_function_allow() == COVE_EDGE_OK);
}

int ecall_function_private(void)
{
	edl_mark("function_private");
	return 42;
}

/* ---- Pointers.edl ---- */

size_t ecall_pointer_user_check(void *val, size_t sz)
{
	edl_mark("pointer_user_check");
	ENC_CHECK(val == NULL || cove_edge_is_outside_enclave(val, sz));
	if (!val)
		return 0;
	/* Reads the host's buffer in place: user_check means the enclave checks it. */
	size_t sum = 0;
	for (size_t i = 0; i < sz; i++)
		sum += ((const unsigned char *)val)[i];
	return sum;
}

void ecall_pointer_in(int *val)
{
	edl_mark("pointer_in");
	if (!val)
		return;
	ENC_CHECK(cove_edge_is_within_enclave(val, sizeof(*val)));
	ENC_CHECK(*val == 1234);
	*val = 4321; /* not copied back */
}

void ecall_pointer_out(int *val)
{
	edl_mark("pointer_out");
	if (!val)
		return;
	ENC_CHECK(cove_edge_is_within_enclave(val, sizeof(*val)));
	ENC_CHECK(*val == 0);
	*val = 1234;
}

void ecall_pointer_in_out(int *val)
{
	edl_mark("pointer_in_out");
	if (!val)
		return;
	ENC_CHECK(cove_edge_is_within_enclave(val, sizeof(*val)));
	*val *= 2;
}

void ecall_pointer_string(char *str)
{
	edl_mark("pointer_string");
	ENC_CHECK(cove_edge_is_within_enclave(str, strlen(str) + 1));
	ENC_CHECK(strcmp(str, "hello") == 0);
	for (char *p = str; *p; p++)
		*p = (char)(*p - 'a' + 'A');
}

void ecall_pointer_string_const(const char *str)
{
	edl_mark("pointer_string_const");
	ENC_CHECK(cove_edge_is_within_enclave(str, strlen(str) + 1));
	ENC_CHECK(strcmp(str, "constant") == 0);
}

void ecall_pointer_size(void *ptr, size_t len)
{
	edl_mark("pointer_size");
	unsigned char *p = ptr;
	ENC_CHECK(cove_edge_is_within_enclave(ptr, len));
	for (size_t i = 0; i < len; i++) {
		ENC_CHECK(p[i] == (unsigned char)i);
		p[i] = (unsigned char)~p[i];
	}
}

void ecall_pointer_count(int *arr, size_t cnt)
{
	edl_mark("pointer_count");
	ENC_CHECK(cove_edge_is_within_enclave(arr, cnt * sizeof(int)));
	for (size_t i = 0; i < cnt; i++) {
		ENC_CHECK(arr[i] == (int)i);
		arr[i] = -(int)i;
	}
}

void ecall_pointer_isptr_readonly(buffer_t buf, size_t len)
{
	edl_mark("pointer_isptr_readonly");
	ENC_CHECK(cove_edge_is_within_enclave(buf, len));
	ENC_CHECK(len == 6 && memcmp(buf, "ro-buf", 6) == 0);
}

/* Makes every kind of Pointers.edl ocall and checks what comes back. */
void ocall_pointer_attr(void)
{
	int val = 5;

	edl_mark("pointer_attr");
	/* user_check: the host gets the enclave address itself (and must not use it). */
	int *heap = cove_edge_malloc(sizeof(int));
	ENC_CHECK(heap && cove_edge_is_within_enclave(heap, sizeof(int)));
	if (heap) {
		*heap = 5;
		ENC_CHECK(ocall_pointer_user_check(heap) == COVE_EDGE_OK);
		ENC_CHECK(*heap == 5);
		cove_edge_free(heap);
	}
	/* in: the host sees 5 in its own copy; its change does not come back. */
	ENC_CHECK(ocall_pointer_in(&val) == COVE_EDGE_OK);
	ENC_CHECK(val == 5);
	/* out: the host starts from zero; its value comes back. */
	ENC_CHECK(ocall_pointer_out(&val) == COVE_EDGE_OK);
	ENC_CHECK(val == 1234);
	/* in,out: the host doubles it. */
	ENC_CHECK(ocall_pointer_in_out(&val) == COVE_EDGE_OK);
	ENC_CHECK(val == 2468);
	/* NULL stays NULL both ways. */
	ENC_CHECK(ocall_pointer_in(NULL) == COVE_EDGE_OK);
	ENC_CHECK(ocall_pointer_out(NULL) == COVE_EDGE_OK);
}

/* ---- Types.edl ---- */

void ecall_type_char(char val)
{
	edl_mark("type_char");
	ENC_CHECK(val == 0x12);
}

void ecall_type_int(int val)
{
	edl_mark("type_int");
	ENC_CHECK(val == -1234);
}

void ecall_type_float(float val)
{
	edl_mark("type_float");
	ENC_CHECK(val == 1234.0f);
}

void ecall_type_double(double val)
{
	edl_mark("type_double");
	ENC_CHECK(val == 1234.5);
}

void ecall_type_size_t(size_t val)
{
	edl_mark("type_size_t");
	ENC_CHECK(val == (size_t)0x123456789abcdef0u);
}

void ecall_type_wchar_t(wchar_t val)
{
	edl_mark("type_wchar_t");
	ENC_CHECK(val == L'\x1234');
}

void ecall_type_struct(struct struct_foo_t val)
{
	edl_mark("type_struct");
	ENC_CHECK(val.struct_foo_0 == 1234 && val.struct_foo_1 == 5678);
}

void ecall_type_enum_union(enum enum_foo_t val1, union union_foo_t *val2)
{
	edl_mark("type_enum_union");
	ENC_CHECK(val1 == ENUM_FOO_1);
	if (!val2)
		return;
	/* [user_check] union: the host's memory. */
	ENC_CHECK(cove_edge_is_outside_enclave(val2, sizeof(*val2)));
	val2->union_foo_0 = 1;
	val2->union_foo_1 = 2;
	val2->union_foo_3 = 3;
}
