/*
 * Trusted side of the array.edl, pointer.edl and string.edl round trips: all
 * 24 built-in types through fixed and multi-dimensional arrays and through
 * pointers with every direction, count=/size= as constants and as parameters
 * (including count/size parameters of every integer and floating type),
 * [user_check], NULL; [string]/[wstring] in, in-out and user_check.
 */
#include <string.h>
#include <wchar.h>

#include "array_t.h"
#include "pointer_t.h"
#include "string_t.h"
#include "oe_test.h"

#define PRIV(p, n) cove_edge_is_within_enclave((p), (n))

/* user_check arrays are the host's: read and written in place. */
#define USER_CHECK_ARRAY(T, p, n)                                                 \
	do {                                                                      \
		if (p) {                                                          \
			ENC_CHECK(cove_edge_is_outside_enclave((p), (n) * sizeof(T))); \
			CHECK_SEQ(T, (p), (n), 40);                               \
			SET_SEQ(T, (p), (n), 5);                                  \
		}                                                                 \
	} while (0)

/* ---- array.edl ---- */

#define ARRAY_ECALL(T, N)                                                             \
	void ecall_array_##N(T a1[2], T a2[2][2], T a3[3][3], T a4[4][4])             \
	{                                                                             \
		edl_mark("e_array_" #N);                                              \
		ARRAY_CALLEE(T)                                                       \
	}
OE_TYPES(ARRAY_ECALL)

void test_array_edl_ocalls(void)
{
#define ARRAY_OCALL(T, N) ARRAY_CALLER(T, 40, ocall_array_##N, );
	OE_TYPES(ARRAY_OCALL)
}

void ecall_array_assert_all_called(void)
{
#define ARRAY_CALLED(T, N) ENC_CHECK(edl_marks("e_array_" #N) >= 2);
	OE_TYPES(ARRAY_CALLED)
}

/* ---- pointer.edl ---- */

#define POINTER_ECALL(T, N)                            \
	T *ecall_pointer_##N(PTR_PARAMS(T))            \
	{                                              \
		edl_mark("e_pointer_" #N);             \
		ENC_CHECK(!p10 || cove_edge_is_outside_enclave(p10, sizeof(T))); \
		POINTER_CALLEE(T)                      \
	}
OE_TYPES(POINTER_ECALL)

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

void ecall_count_attribute_all_types(ALL_TYPES_PARAMS(count))
{
	edl_mark("e_count_all_types");
	ALL_TYPES_VALUES(count, 1);
	ALL_TYPES_CALLEE()
}

void ecall_size_attribute_all_types(ALL_TYPES_PARAMS(size))
{
	edl_mark("e_size_all_types");
	ALL_TYPES_VALUES(size, 4);
	ALL_TYPES_CALLEE()
}

void test_pointer_edl_ocalls(void)
{
#define POINTER_OCALL(T, N) POINTER_CALLER(T, ocall_pointer_##N, );
	OE_TYPES(POINTER_OCALL)
	ALL_TYPES_BUFFERS(bufs)
	ENC_CHECK(edl_status(ocall_count_attribute_all_types(ALL_TYPES_ARGS(bufs, 1))) == COVE_EDGE_OK);
	ENC_CHECK(edl_status(ocall_size_attribute_all_types(ALL_TYPES_ARGS(bufs, 4))) == COVE_EDGE_OK);
	ENC_CHECK(edl_status(ocall_pointer_assert_all_called()) == COVE_EDGE_OK);
}

void ecall_pointer_assert_all_called(void)
{
#define POINTER_CALLED(T, N) ENC_CHECK(edl_marks("e_pointer_" #N) >= 1);
	OE_TYPES(POINTER_CALLED)
	ENC_CHECK(edl_marks("e_count_all_types") >= 1 && edl_marks("e_size_all_types") >= 1);
}

/* ---- string.edl ---- */

#define HELLO "Hello World"
#define WHELLO L"Hello World"

void ecall_string_fun1(char *s)
{
	edl_mark("e_string_fun1");
	ENC_CHECK(PRIV(s, strlen(s) + 1) && strcmp(s, HELLO) == 0);
	s[0] = 'J'; /* [in]: not copied back */
}

void ecall_string_fun2(const char *s)
{
	ENC_CHECK(PRIV(s, strlen(s) + 1) && strcmp(s, HELLO) == 0);
}

void ecall_string_fun3(char *s)
{
	ENC_CHECK(PRIV(s, strlen(s) + 1) && strcmp(s, HELLO) == 0);
	strcpy(s, "Goodbye");
}

void ecall_string_fun5(char *s)
{
	ENC_CHECK(cove_edge_is_outside_enclave(s, strlen(s) + 1) && strcmp(s, HELLO) == 0);
	s[0] = 'Y'; /* user_check: the host's own buffer */
}

void ecall_string_fun6(const char *s)
{
	ENC_CHECK(cove_edge_is_outside_enclave(s, strlen(s) + 1) && strcmp(s, HELLO) == 0);
}

void ecall_string_fun7(char *s1, char *s2)
{
	ENC_CHECK(s1 && strcmp(s1, HELLO) == 0 && s2 == NULL);
}

void ecall_wstring_fun1(wchar_t *s)
{
	ENC_CHECK(PRIV(s, (wcslen(s) + 1) * sizeof(wchar_t)) && wcscmp(s, WHELLO) == 0);
	s[0] = L'J';
}

void ecall_wstring_fun2(const wchar_t *s)
{
	ENC_CHECK(PRIV(s, (wcslen(s) + 1) * sizeof(wchar_t)) && wcscmp(s, WHELLO) == 0);
}

void ecall_wstring_fun3(wchar_t *s)
{
	ENC_CHECK(wcscmp(s, WHELLO) == 0);
	wcscpy(s, L"Goodbye");
}

void ecall_wstring_fun5(wchar_t *s)
{
	ENC_CHECK(cove_edge_is_outside_enclave(s, sizeof(wchar_t)) && wcscmp(s, WHELLO) == 0);
}

void ecall_wstring_fun6(const wchar_t *s)
{
	ENC_CHECK(cove_edge_is_outside_enclave(s, sizeof(wchar_t)) && wcscmp(s, WHELLO) == 0);
}

void ecall_wstring_fun7(wchar_t *s1, wchar_t *s2)
{
	ENC_CHECK(s1 && wcscmp(s1, WHELLO) == 0 && s2 == NULL);
}

void ecall_string_no_null_terminator(char *s1, char *s2)
{
	edl_mark("e_string_no_null");
	ENC_CHECK(s1 && s2 && strcmp(s1, HELLO) == 0 && strcmp(s2, HELLO) == 0);
}

void ecall_wstring_no_null_terminator(wchar_t *s1, wchar_t *s2)
{
	edl_mark("e_wstring_no_null");
	ENC_CHECK(s1 && s2 && wcscmp(s1, WHELLO) == 0);
}

void test_string_edl_ocalls(void)
{
	char s[50];

	strcpy(s, HELLO);
	ENC_CHECK(edl_status(ocall_string_fun1(s)) == COVE_EDGE_OK && strcmp(s, HELLO) == 0);
	ENC_CHECK(edl_status(ocall_string_fun2(s)) == COVE_EDGE_OK && strcmp(s, HELLO) == 0);
	ENC_CHECK(edl_status(ocall_string_fun3(s)) == COVE_EDGE_OK && strcmp(s, "Goodbye") == 0);
	strcpy(s, HELLO);
	ENC_CHECK(edl_status(ocall_string_fun5(s)) == COVE_EDGE_OK);
	ENC_CHECK(edl_status(ocall_string_fun6(s)) == COVE_EDGE_OK);
	ENC_CHECK(edl_status(ocall_string_fun7(s, NULL)) == COVE_EDGE_OK);
	/* An [in,out] string the host hands back without its terminator is refused, the caller's untouched. */
	ENC_CHECK(edl_status(ocall_string_no_null_terminator(false, s)) == COVE_EDGE_OK && strcmp(s, HELLO) == 0);
	ENC_CHECK(edl_status(ocall_string_no_null_terminator(true, s)) == COVE_EDGE_BAD_STRING);
	ENC_CHECK(strcmp(s, HELLO) == 0);
}

void test_wstring_edl_ocalls(void)
{
	wchar_t s[50];

	wcscpy(s, WHELLO);
	ENC_CHECK(edl_status(ocall_wstring_fun1(s)) == COVE_EDGE_OK && wcscmp(s, WHELLO) == 0);
	ENC_CHECK(edl_status(ocall_wstring_fun2(s)) == COVE_EDGE_OK);
	ENC_CHECK(edl_status(ocall_wstring_fun3(s)) == COVE_EDGE_OK && wcscmp(s, L"Goodbye") == 0);
	wcscpy(s, WHELLO);
	ENC_CHECK(edl_status(ocall_wstring_fun5(s)) == COVE_EDGE_OK);
	ENC_CHECK(edl_status(ocall_wstring_fun6(s)) == COVE_EDGE_OK);
	ENC_CHECK(edl_status(ocall_wstring_fun7(s, NULL)) == COVE_EDGE_OK);
	ENC_CHECK(edl_status(ocall_wstring_no_null_terminator(false, s)) == COVE_EDGE_OK && wcscmp(s, WHELLO) == 0);
	ENC_CHECK(edl_status(ocall_wstring_no_null_terminator(true, s)) == COVE_EDGE_BAD_STRING);
	ENC_CHECK(wcscmp(s, WHELLO) == 0);
}
