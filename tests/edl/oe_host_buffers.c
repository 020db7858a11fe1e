/*
 * Host side of the array, pointer and string round trips: ocall
 * implementations (the enclave's callee bodies, oe_test.h) and runners.
 */
#include <stdbool.h>
#include <string.h>
#include <wchar.h>

#include "array_u.h"
#include "pointer_u.h"
#include "string_u.h"
#include "oe_host.h"
#include "oe_test.h"

#define PRIV(p, n) (!edl_in_enclave((p), (n)))
/* A user_check array of an ocall is an enclave address: the host leaves it alone. */
#define USER_CHECK_ARRAY(T, p, n) ((void)(p))

#define HOST_ARRAY_OCALL(T, N)                                                        \
	void ocall_array_##N(T a1[2], T a2[2][2], T a3[3][3], T a4[4][4])             \
	{                                                                             \
		edl_mark("o_array_" #N);                                              \
		ARRAY_CALLEE(T)                                                       \
	}
OE_TYPES(HOST_ARRAY_OCALL)

void ocall_array_assert_all_called(void)
{
#define HOST_ARRAY_CALLED(T, N) ENC_CHECK(edl_marks("o_array_" #N) >= 2);
	OE_TYPES(HOST_ARRAY_CALLED)
}

#define HOST_POINTER_OCALL(T, N)                       \
	T *ocall_pointer_##N(PTR_PARAMS(T))            \
	{                                              \
		edl_mark("o_pointer_" #N);             \
		POINTER_CALLEE(T)                      \
	}
OE_TYPES(HOST_POINTER_OCALL)

#define ALL_TYPES_VALUES(s, m)                                                                               \
	ENC_CHECK(char_##s == (char)(1 * (m)) && short_##s == (short)(2 * (m)) && int_##s == 3 * (m));       \
	ENC_CHECK(float_##s == 4.0f * (m) && double_##s == 5.0 * (m) && long_##s == 6L * (m));               \
	ENC_CHECK(size_t_##s == (size_t)(7 * (m)) && unsigned_##s == 8u * (m) && int8_t_##s == 9 * (m));     \
	ENC_CHECK(int16_t_##s == 10 * (m) && int32_t_##s == 11 * (m) && int64_t_##s == 12 * (m));            \
	ENC_CHECK(uint8_t_##s == 13 * (m) && uint16_t_##s == 14 * (m) && uint32_t_##s == 15u * (m));         \
	ENC_CHECK(uint64_t_##s == 16u * (uint64_t)(m) && wchar_t_##s == 17 * (m) && long_long_##s == 18 * (m)); \
	ENC_CHECK(long_double_##s == 19.0L * (m) && unsigned_char_##s == 20 * (m));                           \
	ENC_CHECK(unsigned_short_##s == 21 * (m) && unsigned_int_##s == 22u * (m));                           \
	ENC_CHECK(unsigned_long_##s == 23UL * (m) && unsigned_long_long_##s == 24ULL * (m))

void ocall_count_attribute_all_types(ALL_TYPES_PARAMS(count))
{
	edl_mark("o_count_all_types");
	ALL_TYPES_VALUES(count, 1);
	ALL_TYPES_CALLEE()
}

void ocall_size_attribute_all_types(ALL_TYPES_PARAMS(size))
{
	edl_mark("o_size_all_types");
	ALL_TYPES_VALUES(size, 4);
	ALL_TYPES_CALLEE()
}

void ocall_pointer_assert_all_called(void)
{
#define HOST_POINTER_CALLED(T, N) ENC_CHECK(edl_marks("o_pointer_" #N) >= 1);
	OE_TYPES(HOST_POINTER_CALLED)
	ENC_CHECK(edl_marks("o_count_all_types") == 1 && edl_marks("o_size_all_types") == 1);
}

#define HELLO "Hello World"
#define WHELLO L"Hello World"

void ocall_string_fun1(char *s)
{
	ENC_CHECK(PRIV(s, strlen(s) + 1) && strcmp(s, HELLO) == 0);
	s[0] = 'J';
}

void ocall_string_fun2(const char *s)
{
	ENC_CHECK(PRIV(s, strlen(s) + 1) && strcmp(s, HELLO) == 0);
}

void ocall_string_fun3(char *s)
{
	ENC_CHECK(PRIV(s, strlen(s) + 1) && strcmp(s, HELLO) == 0);
	strcpy(s, "Goodbye");
}

void ocall_string_fun5(char *s)
{
	ENC_CHECK(s != NULL); /* the enclave's address: not the host's to read */
}

void ocall_string_fun6(const char *s)
{
	ENC_CHECK(s != NULL);
}

void ocall_string_fun7(char *s1, char *s2)
{
	ENC_CHECK(s1 && strcmp(s1, HELLO) == 0 && s2 == NULL);
}

void ocall_wstring_fun1(wchar_t *s)
{
	ENC_CHECK(PRIV(s, (wcslen(s) + 1) * sizeof(wchar_t)) && wcscmp(s, WHELLO) == 0);
	s[0] = L'J';
}

void ocall_wstring_fun2(const wchar_t *s)
{
	ENC_CHECK(wcscmp(s, WHELLO) == 0);
}

void ocall_wstring_fun3(wchar_t *s)
{
	ENC_CHECK(wcscmp(s, WHELLO) == 0);
	wcscpy(s, L"Goodbye");
}

void ocall_wstring_fun5(wchar_t *s)
{
	ENC_CHECK(s != NULL);
}

void ocall_wstring_fun6(const wchar_t *s)
{
	ENC_CHECK(s != NULL);
}

void ocall_wstring_fun7(wchar_t *s1, wchar_t *s2)
{
	ENC_CHECK(s1 && wcscmp(s1, WHELLO) == 0 && s2 == NULL);
}

/* With erasenull the host hands back an [in,out] string without its terminator. */
void ocall_string_no_null_terminator(bool erasenull, char *s)
{
	size_t n = strlen(s) + 1;
	ENC_CHECK(strcmp(s, HELLO) == 0);
	if (erasenull)
		memset(s, 'x', n);
}

void ocall_wstring_no_null_terminator(bool erasenull, wchar_t *s)
{
	size_t n = wcslen(s) + 1;
	ENC_CHECK(wcscmp(s, WHELLO) == 0);
	if (erasenull)
		wmemset(s, L'x', n);
}

/* ---- runners ---- */

void oe_run_array(oe_fixture *f)
{
	cove_enclave *enclave = cove_edge_loopback_enclave(f->array);
#define HOST_ARRAY_ECALL(T, N) ARRAY_CALLER(T, 5, ecall_array_##N, enclave, );
	OE_TYPES(HOST_ARRAY_ECALL)
	HOST_DONE();
	CALL_OK(test_array_edl_ocalls(enclave));
	CALL_OK(ecall_array_assert_all_called(enclave));
	ocall_array_assert_all_called();
	HOST_DONE();
}

void oe_run_pointer(oe_fixture *f)
{
	cove_enclave *enclave = cove_edge_loopback_enclave(f->pointer);
#define HOST_POINTER_ECALL(T, N) POINTER_CALLER(T, ecall_pointer_##N, enclave, );
	OE_TYPES(HOST_POINTER_ECALL)
	HOST_DONE();
	ALL_TYPES_BUFFERS(bufs)
	CALL_OK(ecall_count_attribute_all_types(enclave, ALL_TYPES_ARGS(bufs, 1)));
	CALL_OK(ecall_size_attribute_all_types(enclave, ALL_TYPES_ARGS(bufs, 4)));
	CALL_OK(test_pointer_edl_ocalls(enclave));
	CALL_OK(ecall_pointer_assert_all_called(enclave));
	/* A negative count parameter is refused by the proxy before anything crosses. */
	{
		char p[4];
		char *ret = NULL;
		assert_int_equal(ecall_pointer_char(enclave, &ret, p, p, p, p, p, p, p, p, p, p, p, p, p, p, p, p, -1, 4),
				 COVE_EDGE_OVERFLOW);
	}
}

void oe_run_string(oe_fixture *f)
{
	cove_enclave *enc = cove_edge_loopback_enclave(f->string);
	char s[50], s2[50];
	wchar_t w[50], w2[50];

	strcpy(s, HELLO);
	CALL_OK(ecall_string_fun1(enc, s));
	assert_string_equal(s, HELLO);
	CALL_OK(ecall_string_fun2(enc, s));
	CALL_OK(ecall_string_fun3(enc, s));
	assert_string_equal(s, "Goodbye");
	strcpy(s, HELLO);
	CALL_OK(ecall_string_fun5(enc, s));
	assert_string_equal(s, "Yello World"); /* user_check: written in place */
	strcpy(s, HELLO);
	CALL_OK(ecall_string_fun6(enc, s));
	CALL_OK(ecall_string_fun7(enc, s, NULL));
	strcpy(s2, HELLO);
	CALL_OK(ecall_string_no_null_terminator(enc, s, s2));
	CALL_OK(test_string_edl_ocalls(enc));

	wcscpy(w, WHELLO);
	CALL_OK(ecall_wstring_fun1(enc, w));
	assert_true(wcscmp(w, WHELLO) == 0);
	CALL_OK(ecall_wstring_fun2(enc, w));
	CALL_OK(ecall_wstring_fun3(enc, w));
	assert_true(wcscmp(w, L"Goodbye") == 0);
	wcscpy(w, WHELLO);
	CALL_OK(ecall_wstring_fun5(enc, w));
	CALL_OK(ecall_wstring_fun6(enc, w));
	CALL_OK(ecall_wstring_fun7(enc, w, NULL));
	wcscpy(w2, WHELLO);
	CALL_OK(ecall_wstring_no_null_terminator(enc, w, w2));
	CALL_OK(test_wstring_edl_ocalls(enc));
}
