/*
 * Shared by both sides of the Open Enclave oeedger8r round trips
 * (the .edl files of tests/oeedger8r/edl): value patterns and the bodies of callers and
 * callees.  An ecall and the matching ocall of those files have the same
 * parameters, so one callee body serves the enclave's implementation of the
 * ecall and the host's implementation of the ocall, and one caller body
 * serves the host test and the enclave's test_*_edl_ocalls().  Each side
 * defines PRIV(p, n) - "p is this side's private copy" - before using them.
 */
#ifndef COVE_TEST_OE_TEST_H
#define COVE_TEST_OE_TEST_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <wchar.h>

#include "edl_test.h"

/* Every built-in type the oeedger8r tests exercise: X(C type, name suffix). */
#define OE_TYPES(X)                                                                                           \
	X(char, char) X(wchar_t, wchar_t) X(short, short) X(int, int) X(float, float) X(double, double)       \
	X(long, long) X(size_t, size_t) X(unsigned, unsigned) X(int8_t, int8_t) X(int16_t, int16_t)           \
	X(int32_t, int32_t) X(int64_t, int64_t) X(uint8_t, uint8_t) X(uint16_t, uint16_t)                     \
	X(uint32_t, uint32_t) X(uint64_t, uint64_t) X(long long, long_long) X(long double, long_double)       \
	X(unsigned char, unsigned_char) X(unsigned short, unsigned_short) X(unsigned int, unsigned_int)       \
	X(unsigned long, unsigned_long) X(unsigned long long, unsigned_long_long)

/* Element k of a buffer seeded with `base` (small values: fit every type). */
#define SEQ(T, base, k) ((T)((base) + (int)(k)))
#define CHECK_SEQ(T, p, n, base)                                       \
	do {                                                           \
		for (size_t k_ = 0; k_ < (size_t)(n); k_++)            \
			ENC_CHECK((p)[k_] == SEQ(T, base, k_));        \
	} while (0)
#define CHECK_ZERO(T, p, n)                                            \
	do {                                                           \
		for (size_t k_ = 0; k_ < (size_t)(n); k_++)            \
			ENC_CHECK((p)[k_] == (T)0);                    \
	} while (0)
#define SET_SEQ(T, p, n, base)                                         \
	do {                                                           \
		for (size_t k_ = 0; k_ < (size_t)(n); k_++)            \
			(p)[k_] = SEQ(T, base, k_);                    \
	} while (0)

/* ---- pointer.edl: 16 pointer parameters of one type ---- */

#define PTR_PARAMS(T)                                                                                          \
	T *p1, T *p2, T *p3, T *p4, T *p5, T *p6, T *p7, T *p8, T *p9, T *p10, T *p11, T *p12, T *p13, T *p14, \
		T *p15, T *p16, int pcount, int psize

/* Callee: [in] p1 p4 p7 p9 p11 p14, [in,out] p2 p5 p8 p12 p15, [out] p3 p6 p13 p16, [user_check] p10. */
#define POINTER_CALLEE(T)                                                                                          \
	{                                                                                                          \
		const size_t n80 = 80 / sizeof(T);                                                                 \
		const size_t nc = pcount > 0 ? (size_t)pcount : 0;                                                 \
		const size_t ns = psize > 0 ? (size_t)psize / sizeof(T) : 0;                                       \
		if (!p1) {                                                                                         \
			ENC_CHECK(!p2 && !p3 && !p4 && !p5 && !p6 && !p7 && !p8 && !p9 && !p10 && !p11 && !p12 && \
				  !p13 && !p14 && !p15 && !p16);                                                  \
			return NULL;                                                                               \
		}                                                                                                  \
		ENC_CHECK(PRIV(p1, sizeof(T)) && PRIV(p2, sizeof(T)) && PRIV(p3, sizeof(T)));                     \
		ENC_CHECK(PRIV(p4, 16 * sizeof(T)) && PRIV(p5, 16 * sizeof(T)) && PRIV(p6, 16 * sizeof(T)));     \
		ENC_CHECK(PRIV(p7, 80) && PRIV(p8, 80) && PRIV(p9, 80));                                          \
		ENC_CHECK(PRIV(p11, nc * sizeof(T)) && PRIV(p12, nc * sizeof(T)) && PRIV(p13, nc * sizeof(T)));   \
		ENC_CHECK(PRIV(p14, ns * sizeof(T)) && PRIV(p15, ns * sizeof(T)) && PRIV(p16, ns * sizeof(T)));   \
		CHECK_SEQ(T, p1, 1, 1);                                                                            \
		CHECK_SEQ(T, p2, 1, 2);                                                                            \
		SET_SEQ(T, p2, 1, 3);                                                                              \
		CHECK_ZERO(T, p3, 1);                                                                              \
		SET_SEQ(T, p3, 1, 4);                                                                              \
		CHECK_SEQ(T, p4, 16, 5);                                                                           \
		CHECK_SEQ(T, p5, 16, 6);                                                                           \
		SET_SEQ(T, p5, 16, 7);                                                                             \
		CHECK_ZERO(T, p6, 16);                                                                             \
		SET_SEQ(T, p6, 16, 8);                                                                             \
		CHECK_SEQ(T, p7, n80, 9);                                                                          \
		CHECK_SEQ(T, p8, n80, 10);                                                                         \
		SET_SEQ(T, p8, n80, 11);                                                                           \
		CHECK_SEQ(T, p9, n80, 12);                                                                         \
		CHECK_SEQ(T, p11, nc, 14);                                                                         \
		CHECK_SEQ(T, p12, nc, 15);                                                                         \
		SET_SEQ(T, p12, nc, 16);                                                                           \
		CHECK_ZERO(T, p13, nc);                                                                            \
		SET_SEQ(T, p13, nc, 17);                                                                           \
		CHECK_SEQ(T, p14, ns, 18);                                                                         \
		CHECK_SEQ(T, p15, ns, 19);                                                                         \
		SET_SEQ(T, p15, ns, 20);                                                                           \
		CHECK_ZERO(T, p16, ns);                                                                            \
		SET_SEQ(T, p16, ns, 21);                                                                           \
		/* [in] data written by the callee never goes back. */                                            \
		SET_SEQ(T, p1, 1, 90);                                                                             \
		SET_SEQ(T, p4, 16, 90);                                                                            \
		return p10; /* a raw pointer travels back as it is */                                              \
	}

/* Caller: FN(PREFIX &ret, p1..p16, pcount, psize); PREFIX is "enclave," for ecalls, empty for ocalls. */
#define POINTER_CALLER(T, FN, ...)                                                                                 \
	do {                                                                                                       \
		enum { N80 = 80 / sizeof(T) };                                                                     \
		T p1[1], p2[1], p3[1], p4[16], p5[16], p6[16], p7[N80], p8[N80], p9[N80], p10[1], p11[4], p12[4], \
			p13[4], p14[4], p15[4], p16[4];                                                            \
		T *ret = NULL;                                                                                     \
		SET_SEQ(T, p1, 1, 1);                                                                              \
		SET_SEQ(T, p2, 1, 2);                                                                              \
		SET_SEQ(T, p3, 1, 99);                                                                             \
		SET_SEQ(T, p4, 16, 5);                                                                             \
		SET_SEQ(T, p5, 16, 6);                                                                             \
		SET_SEQ(T, p6, 16, 99);                                                                            \
		SET_SEQ(T, p7, N80, 9);                                                                            \
		SET_SEQ(T, p8, N80, 10);                                                                           \
		SET_SEQ(T, p9, N80, 12);                                                                           \
		SET_SEQ(T, p10, 1, 13);                                                                            \
		SET_SEQ(T, p11, 4, 14);                                                                            \
		SET_SEQ(T, p12, 4, 15);                                                                            \
		SET_SEQ(T, p13, 4, 99);                                                                            \
		SET_SEQ(T, p14, 4, 18);                                                                            \
		SET_SEQ(T, p15, 4, 19);                                                                            \
		SET_SEQ(T, p16, 4, 99);                                                                            \
		ENC_CHECK(edl_status(FN(__VA_ARGS__ & ret, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, p13, p14, p15, \
			     p16, 4, (int)(4 * sizeof(T)))) == COVE_EDGE_OK);                                       \
		ENC_CHECK(ret == p10);                                                                             \
		CHECK_SEQ(T, p1, 1, 1);                                                                            \
		CHECK_SEQ(T, p2, 1, 3);                                                                            \
		CHECK_SEQ(T, p3, 1, 4);                                                                            \
		CHECK_SEQ(T, p4, 16, 5);                                                                           \
		CHECK_SEQ(T, p5, 16, 7);                                                                           \
		CHECK_SEQ(T, p6, 16, 8);                                                                           \
		CHECK_SEQ(T, p7, N80, 9);                                                                          \
		CHECK_SEQ(T, p8, N80, 11);                                                                         \
		CHECK_SEQ(T, p9, N80, 12);                                                                         \
		CHECK_SEQ(T, p10, 1, 13);                                                                          \
		CHECK_SEQ(T, p11, 4, 14);                                                                          \
		CHECK_SEQ(T, p12, 4, 16);                                                                          \
		CHECK_SEQ(T, p13, 4, 17);                                                                          \
		CHECK_SEQ(T, p14, 4, 18);                                                                          \
		CHECK_SEQ(T, p15, 4, 20);                                                                          \
		CHECK_SEQ(T, p16, 4, 21);                                                                          \
		ret = p1;                                                                                          \
		ENC_CHECK(edl_status(FN(__VA_ARGS__ & ret, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, \
			     NULL, NULL, NULL, NULL, NULL, 0, 0)) == COVE_EDGE_OK);                                 \
		ENC_CHECK(ret == NULL);                                                                            \
	} while (0)

/* ---- count= / size= taken from parameters of every integer and floating type ---- */

#define ALL_TYPES_PARAMS(s)                                                                                       \
	int *b1, int *b2, int *b3, int *b4, int *b5, int *b6, int *b7, int *b8, int *b9, int *b10, int *b11,      \
		int *b12, int *b13, int *b14, int *b15, int *b16, int *b17, int *b18, int *b19, int *b20, int *b21, \
		int *b22, int *b23, int *b24, char char_##s, short short_##s, int int_##s, float float_##s,        \
		double double_##s, long long_##s, size_t size_t_##s, unsigned unsigned_##s, int8_t int8_t_##s,     \
		int16_t int16_t_##s, int32_t int32_t_##s, int64_t int64_t_##s, uint8_t uint8_t_##s,                \
		uint16_t uint16_t_##s, uint32_t uint32_t_##s, uint64_t uint64_t_##s, wchar_t wchar_t_##s,          \
		long long long_long_##s, long double long_double_##s, unsigned char unsigned_char_##s,             \
		unsigned short unsigned_short_##s, unsigned int unsigned_int_##s, unsigned long unsigned_long_##s, \
		unsigned long long unsigned_long_long_##s

/* Callee: buffer b<i> holds i ints seeded with 10 * i (count: i elements; size: i * sizeof(int) bytes). */
#define ALL_TYPES_CALLEE()                                                                  \
	{                                                                                   \
		int *b[24] = {b1,  b2,  b3,  b4,  b5,  b6,  b7,  b8,  b9,  b10, b11, b12,   \
			      b13, b14, b15, b16, b17, b18, b19, b20, b21, b22, b23, b24}; \
		for (int i = 0; i < 24; i++) {                                              \
			ENC_CHECK(b[i] && PRIV(b[i], (size_t)(i + 1) * sizeof(int)));        \
			if (b[i])                                                           \
				CHECK_SEQ(int, b[i], i + 1, 10 * (i + 1));                  \
		}                                                                           \
	}

#define ALL_TYPES_BUFFERS(bufs)                                      \
	int bufs[24][24];                                            \
	for (int i = 0; i < 24; i++)                                 \
		SET_SEQ(int, bufs[i], i + 1, 10 * (i + 1));

#define ALL_TYPES_ARGS(bufs, m)                                                                                     \
	bufs[0], bufs[1], bufs[2], bufs[3], bufs[4], bufs[5], bufs[6], bufs[7], bufs[8], bufs[9], bufs[10], bufs[11], \
		bufs[12], bufs[13], bufs[14], bufs[15], bufs[16], bufs[17], bufs[18], bufs[19], bufs[20], bufs[21],    \
		bufs[22], bufs[23], (char)(1 * (m)), (short)(2 * (m)), 3 * (m), 4.0f * (m), 5.0 * (m), 6L * (m),     \
		(size_t)(7 * (m)), 8u * (m), (int8_t)(9 * (m)), (int16_t)(10 * (m)), 11 * (m), 12 * (int64_t)(m),    \
		(uint8_t)(13 * (m)), (uint16_t)(14 * (m)), 15u * (m), 16u * (uint64_t)(m), (wchar_t)(17 * (m)),       \
		18LL * (m), 19.0L * (m), (unsigned char)(20 * (m)), (unsigned short)(21 * (m)), 22u * (m),             \
		23UL * (m), 24ULL * (m)

/* ---- array.edl: [in] a1[2], [in,out] a2[2][2], [out] a3[3][3], [user_check] a4[4][4] ---- */

#define ARRAY_CALLEE(T)                                                   \
	{                                                                 \
		if (a1) {                                                 \
			ENC_CHECK(PRIV(a1, 2 * sizeof(T)));               \
			CHECK_SEQ(T, a1, 2, 1);                           \
		}                                                         \
		if (a2) {                                                 \
			ENC_CHECK(PRIV(a2, 4 * sizeof(T)));               \
			CHECK_SEQ(T, &a2[0][0], 4, 2);                    \
			SET_SEQ(T, &a2[0][0], 4, 3);                      \
		}                                                         \
		if (a3) {                                                 \
			ENC_CHECK(PRIV(a3, 9 * sizeof(T)));               \
			CHECK_ZERO(T, &a3[0][0], 9);                      \
			SET_SEQ(T, &a3[0][0], 9, 4);                      \
		}                                                         \
		USER_CHECK_ARRAY(T, (T *)(void *)a4, 16);                       \
	}

/* Caller; `uc_after` is the seed the user_check array holds afterwards. */
#define ARRAY_CALLER(T, uc_after, FN, ...)                                                      \
	do {                                                                                    \
		T a1[2], a2[2][2], a3[3][3], a4[4][4];                                          \
		SET_SEQ(T, a1, 2, 1);                                                           \
		SET_SEQ(T, &a2[0][0], 4, 2);                                                    \
		SET_SEQ(T, &a3[0][0], 9, 99);                                                   \
		SET_SEQ(T, &a4[0][0], 16, 40);                                                  \
		ENC_CHECK(edl_status(FN(__VA_ARGS__ a1, a2, a3, a4)) == COVE_EDGE_OK);                       \
		CHECK_SEQ(T, a1, 2, 1);                                                         \
		CHECK_SEQ(T, &a2[0][0], 4, 3);                                                  \
		CHECK_SEQ(T, &a3[0][0], 9, 4);                                                  \
		CHECK_SEQ(T, &a4[0][0], 16, uc_after);                                          \
		ENC_CHECK(edl_status(FN(__VA_ARGS__ NULL, NULL, NULL, NULL)) == COVE_EDGE_OK);               \
	} while (0)

/* ---- enum.edl / struct.edl / foreign.edl: one element type, every direction and size form ---- */

/*
 * ELEM_CALLEE(T, SET, CHECK, ZERO): a2[5] in, a3[5][5] in/out, a4[1][1][1] out,
 * a5..a7 one element, a8..a10 count=5, a11..a13 size=SZ, a14..a16 count=count,
 * a17..a19 size=size.  SET(p, n, seed) / CHECK(p, n, seed) / ZERO(p, n) are
 * the element type's pattern helpers.
 */
#define ELEM_CALLEE_BODY(T, SZ, SETF, CHECKF, ZEROF)                                                 \
	{                                                                                            \
		const size_t nsz = (SZ) / sizeof(T), ns = size / sizeof(T);                          \
		ENC_CHECK(PRIV(a2, 5 * sizeof(T)) && PRIV(a3, 25 * sizeof(T)) && PRIV(a4, sizeof(T))); \
		ENC_CHECK(PRIV(a5, sizeof(T)) && PRIV(a8, 5 * sizeof(T)) && PRIV(a14, count * sizeof(T))); \
		CHECKF(a2, 5, 1);                                                                    \
		CHECKF(&a3[0][0], 25, 2);                                                            \
		SETF(&a3[0][0], 25, 3);                                                              \
		ZEROF(&a4[0][0][0], 1);                                                              \
		SETF(&a4[0][0][0], 1, 4);                                                            \
		CHECKF(a5, 1, 5);                                                                    \
		CHECKF(a6, 1, 6);                                                                    \
		SETF(a6, 1, 7);                                                                      \
		ZEROF(a7, 1);                                                                        \
		SETF(a7, 1, 8);                                                                      \
		CHECKF(a8, 5, 9);                                                                    \
		CHECKF(a9, 5, 10);                                                                   \
		SETF(a9, 5, 11);                                                                     \
		ZEROF(a10, 5);                                                                       \
		SETF(a10, 5, 12);                                                                    \
		CHECKF(a11, nsz, 13);                                                                \
		CHECKF(a12, nsz, 14);                                                                \
		SETF(a12, nsz, 15);                                                                  \
		ZEROF(a13, nsz);                                                                     \
		SETF(a13, nsz, 16);                                                                  \
		CHECKF(a14, count, 17);                                                              \
		CHECKF(a15, count, 18);                                                              \
		SETF(a15, count, 19);                                                                \
		ZEROF(a16, count);                                                                   \
		SETF(a16, count, 20);                                                                \
		CHECKF(a17, ns, 21);                                                                 \
		CHECKF(a18, ns, 22);                                                                 \
		SETF(a18, ns, 23);                                                                   \
		ZEROF(a19, ns);                                                                      \
		SETF(a19, ns, 24);                                                                   \
	}

/* Caller: count = 3 elements, size = 4 elements' bytes; RET is the callee's return value check. */
#define ELEM_CALLER(T, SZ, SETF, CHECKF, FN, ...)                                                            \
	do {                                                                                                 \
		enum { NSZ = (SZ) / sizeof(T) };                                                             \
		T a2[5], a3[5][5], a4[1][1][1], a5[1], a6[1], a7[1], a8[5], a9[5], a10[5], a11[NSZ], a12[NSZ], \
			a13[NSZ], a14[3], a15[3], a16[3], a17[4], a18[4], a19[4];                             \
		SETF(a2, 5, 1);                                                                              \
		SETF(&a3[0][0], 25, 2);                                                                      \
		SETF(&a4[0][0][0], 1, 77);                                                                   \
		SETF(a5, 1, 5);                                                                              \
		SETF(a6, 1, 6);                                                                              \
		SETF(a7, 1, 77);                                                                             \
		SETF(a8, 5, 9);                                                                              \
		SETF(a9, 5, 10);                                                                             \
		SETF(a10, 5, 77);                                                                            \
		SETF(a11, NSZ, 13);                                                                          \
		SETF(a12, NSZ, 14);                                                                          \
		SETF(a13, NSZ, 77);                                                                          \
		SETF(a14, 3, 17);                                                                            \
		SETF(a15, 3, 18);                                                                            \
		SETF(a16, 3, 77);                                                                            \
		SETF(a17, 4, 21);                                                                            \
		SETF(a18, 4, 22);                                                                            \
		SETF(a19, 4, 77);                                                                            \
		ENC_CHECK(edl_status(FN(__VA_ARGS__ a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, \
			     a18, a19, 3, 4 * sizeof(T))) == COVE_EDGE_OK);                                   \
		CHECKF(a2, 5, 1);                                                                            \
		CHECKF(&a3[0][0], 25, 3);                                                                    \
		CHECKF(&a4[0][0][0], 1, 4);                                                                  \
		CHECKF(a5, 1, 5);                                                                            \
		CHECKF(a6, 1, 7);                                                                            \
		CHECKF(a7, 1, 8);                                                                            \
		CHECKF(a8, 5, 9);                                                                            \
		CHECKF(a9, 5, 11);                                                                           \
		CHECKF(a10, 5, 12);                                                                          \
		CHECKF(a11, NSZ, 13);                                                                        \
		CHECKF(a12, NSZ, 15);                                                                        \
		CHECKF(a13, NSZ, 16);                                                                        \
		CHECKF(a14, 3, 17);                                                                          \
		CHECKF(a15, 3, 19);                                                                          \
		CHECKF(a16, 3, 20);                                                                          \
		CHECKF(a17, 4, 21);                                                                          \
		CHECKF(a18, 4, 23);                                                                          \
		CHECKF(a19, 4, 24);                                                                          \
	} while (0)

/* Pattern helpers per element type. */
#define COLOR_OF(seed, k) ((Color)((((seed) + (int)(k)) % 3 == 0) ? Red : (((seed) + (int)(k)) % 3 == 1) ? Green : Blue))
#define COLOR_SET(p, n, seed)                                      \
	do {                                                       \
		for (size_t k_ = 0; k_ < (size_t)(n); k_++)        \
			(p)[k_] = COLOR_OF(seed, k_);              \
	} while (0)
#define COLOR_CHECK(p, n, seed)                                    \
	do {                                                       \
		for (size_t k_ = 0; k_ < (size_t)(n); k_++)        \
			ENC_CHECK((p)[k_] == COLOR_OF(seed, k_));  \
	} while (0)
#define COLOR_ZERO(p, n)                                           \
	do {                                                       \
		for (size_t k_ = 0; k_ < (size_t)(n); k_++)        \
			ENC_CHECK((int)(p)[k_] == 0);              \
	} while (0)

#define MS_SET(p, n, seed)                                                  \
	do {                                                                \
		for (size_t k_ = 0; k_ < (size_t)(n); k_++) {               \
			(p)[k_].s0.x = (seed) * 100 + (int)k_;              \
			(p)[k_].y = -((seed) * 100 + (int)k_);              \
		}                                                           \
	} while (0)
#define MS_CHECK(p, n, seed)                                                                              \
	do {                                                                                              \
		for (size_t k_ = 0; k_ < (size_t)(n); k_++)                                               \
			ENC_CHECK((p)[k_].s0.x == (seed) * 100 + (int)k_ && (p)[k_].y == -((seed) * 100 + (int)k_)); \
	} while (0)
#define MS_ZERO(p, n)                                                              \
	do {                                                                       \
		for (size_t k_ = 0; k_ < (size_t)(n); k_++)                        \
			ENC_CHECK((p)[k_].s0.x == 0 && (p)[k_].y == 0);            \
	} while (0)

/* my_type1 (foreign.edl): {x, y}. */
#define MT_SET(p, n, seed)                                           \
	do {                                                         \
		for (size_t k_ = 0; k_ < (size_t)(n); k_++) {        \
			(p)[k_].x = (seed) * 100 + (int)k_;          \
			(p)[k_].y = (seed);                          \
		}                                                    \
	} while (0)
#define MT_CHECK(p, n, seed)                                                                  \
	do {                                                                                  \
		for (size_t k_ = 0; k_ < (size_t)(n); k_++)                                   \
			ENC_CHECK((p)[k_].x == (seed) * 100 + (int)k_ && (p)[k_].y == (seed)); \
	} while (0)
#define MT_ZERO(p, n)                                                        \
	do {                                                                 \
		for (size_t k_ = 0; k_ < (size_t)(n); k_++)                  \
			ENC_CHECK((p)[k_].x == 0 && (p)[k_].y == 0);         \
	} while (0)

/* ---- basic.edl: one distinctive value per type ---- */

#define VAL_char ((char)'c')
#define VAL_wchar_t ((wchar_t)L'W')
#define VAL_short ((short)-1234)
#define VAL_int (-123456)
#define VAL_float (1.5f)
#define VAL_double (2.25)
#define VAL_long (-1234567890123L)
#define VAL_size_t ((size_t)0x1234567890ULL)
#define VAL_unsigned (0xdeadbeefu)
#define VAL_int8_t ((int8_t)-8)
#define VAL_int16_t ((int16_t)-1616)
#define VAL_int32_t ((int32_t)-323232)
#define VAL_int64_t ((int64_t)-6464646464646464LL)
#define VAL_uint8_t ((uint8_t)0xf8)
#define VAL_uint16_t ((uint16_t)0xfff0)
#define VAL_uint32_t ((uint32_t)0xffffffe0u)
#define VAL_uint64_t ((uint64_t)0xffffffffffffffc0ULL)
#define VAL_long_long (-123456789012345LL)
#define VAL_long_double (1.25L)
#define VAL_unsigned_char ((unsigned char)250)
#define VAL_unsigned_short ((unsigned short)65000)
#define VAL_unsigned_int (4000000000u)
#define VAL_unsigned_long (0xfedcba9876543210UL)
#define VAL_unsigned_long_long (0xfedcba9876543211ULL)

#define BASIC_ARGS                                                                                            \
	VAL_char, VAL_short, VAL_int, VAL_float, VAL_double, VAL_size_t, VAL_unsigned, VAL_int8_t, VAL_int16_t, \
		VAL_int32_t, VAL_int64_t, VAL_uint8_t, VAL_uint16_t, VAL_uint32_t, VAL_uint64_t, VAL_long_long,  \
		VAL_unsigned_char, VAL_unsigned_short, VAL_unsigned_int, VAL_unsigned_long_long

#define BASIC_PARAMS                                                                                          \
	char arg1, short arg2, int arg3, float arg4, double arg5, size_t arg6, unsigned arg7, int8_t arg8,    \
		int16_t arg9, int32_t arg10, int64_t arg11, uint8_t arg12, uint16_t arg13, uint32_t arg14,    \
		uint64_t arg15, long long arg16, unsigned char arg17, unsigned short arg18, unsigned int arg19, \
		unsigned long long arg20

#define BASIC_CALLEE()                                                                                        \
	do {                                                                                                  \
		ENC_CHECK(arg1 == VAL_char && arg2 == VAL_short && arg3 == VAL_int && arg4 == VAL_float);     \
		ENC_CHECK(arg5 == VAL_double && arg6 == VAL_size_t && arg7 == VAL_unsigned);                  \
		ENC_CHECK(arg8 == VAL_int8_t && arg9 == VAL_int16_t && arg10 == VAL_int32_t && arg11 == VAL_int64_t); \
		ENC_CHECK(arg12 == VAL_uint8_t && arg13 == VAL_uint16_t && arg14 == VAL_uint32_t && arg15 == VAL_uint64_t); \
		ENC_CHECK(arg16 == VAL_long_long && arg17 == VAL_unsigned_char && arg18 == VAL_unsigned_short); \
		ENC_CHECK(arg19 == VAL_unsigned_int && arg20 == VAL_unsigned_long_long);                     \
	} while (0)

#define NONPORTABLE_CALLEE()                                                                                  \
	ENC_CHECK(arg1 == VAL_wchar_t && arg2 == VAL_long && arg3 == VAL_unsigned_long && arg4 == VAL_long_double)

#define SIZEOF_TYPE_ENUM(t)                                                                   \
	((t) == TYPE_WCHAR_T ? sizeof(wchar_t) : (t) == TYPE_LONG ? sizeof(long)                 \
	 : (t) == TYPE_UNSIGNED_LONG ? sizeof(unsigned long) : (t) == TYPE_LONG_DOUBLE ? sizeof(long double) : 0)

/* ---- foreign.edl: three my_type1 buffers [in], [in,out], [out] of n elements ---- */

#define FOREIGN3_CALLEE(n)                                                                            \
	{                                                                                             \
		const size_t n_ = (n);                                                                \
		ENC_CHECK(PRIV(a1, n_ * sizeof(my_type1)) && PRIV(a2, n_ * sizeof(my_type1)) &&      \
			  PRIV(a3, n_ * sizeof(my_type1)));                                           \
		MT_CHECK(a1, n_, 1);                                                                  \
		MT_CHECK(a2, n_, 2);                                                                  \
		MT_SET(a2, n_, 3);                                                                    \
		MT_ZERO(a3, n_);                                                                      \
		MT_SET(a3, n_, 4);                                                                    \
		MT_SET(a1, n_, 9);                                                                    \
	}

/* CALL uses b1, b2, b3 (ten my_type1 each). */
#define FOREIGN3_CALLER(n, CALL)                                    \
	do {                                                        \
		my_type1 b1[10], b2[10], b3[10];                    \
		MT_SET(b1, 10, 1);                                  \
		MT_SET(b2, 10, 2);                                  \
		MT_SET(b3, 10, 7);                                  \
		ENC_CHECK(edl_status(CALL) == COVE_EDGE_OK);                  \
		MT_CHECK(b1, n, 1);                                 \
		MT_CHECK(b2, n, 3);                                 \
		MT_CHECK(b3, n, 4);                                 \
	} while (0)

/* ---- deepcopy.edl ---- */

/* The eight words every deep-copy test copies around (as in OE's tests). */
#define DEEP_DATA                                                                                     \
	{0x1112131415161718ULL, 0x2122232425262728ULL, 0x3132333435363738ULL, 0x4142434445464748ULL, \
	 0x5152535455565758ULL, 0x6162636465666768ULL, 0x7172737475767778ULL, 0x8182838485868788ULL}

#endif
