/*
 * Unit tests of the edge runtime (include/cove/edge.h, src/edge/edge.c) and
 * of the loopback transport (src/edge/loopback.c), without generated code:
 * size arithmetic at its limits, size arguments of every type, string
 * checks, frame validation, the chunk cursor, extra blocks, dispatch with the
 * private-ecall rule, and the loopback's regions, allocator and hooks.  The
 * generated bridges are exercised by tests/edl.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <cmocka.h>

#include "cove/edge.h"
#include "cove/edge_loopback.h"

/* ---- size arithmetic ---- */

static void test_size_arithmetic(void **state)
{
	size_t r = 0;
	(void)state;

	assert_int_equal(cove_edge_mul_size(0, SIZE_MAX, &r), COVE_EDGE_OK);
	assert_int_equal(r, 0);
	assert_int_equal(cove_edge_mul_size(SIZE_MAX, 1, &r), COVE_EDGE_OK);
	assert_int_equal(r, SIZE_MAX);
	assert_int_equal(cove_edge_mul_size(SIZE_MAX / 4 + 1, 4, &r), COVE_EDGE_OVERFLOW);
	assert_int_equal(cove_edge_mul_size((size_t)1 << 32, (size_t)1 << 32, &r), COVE_EDGE_OVERFLOW);
	assert_int_equal(cove_edge_mul_size((size_t)1 << 31, (size_t)1 << 32, &r), COVE_EDGE_OK);
	assert_int_equal(r, (size_t)1 << 63);
	assert_int_equal(cove_edge_add_size(SIZE_MAX - 1, 1, &r), COVE_EDGE_OK);
	assert_int_equal(cove_edge_add_size(SIZE_MAX, 1, &r), COVE_EDGE_OVERFLOW);

	/* Chunks start on 16-byte boundaries. */
	r = 1;
	assert_int_equal(cove_edge_add_chunk(&r, 5), COVE_EDGE_OK);
	assert_int_equal(r, 21);
	assert_int_equal(cove_edge_add_chunk(&r, 0), COVE_EDGE_OK);
	assert_int_equal(r, 32);
	assert_int_equal(cove_edge_add_framed(&r, 3), COVE_EDGE_OK);
	assert_int_equal(r, 32 + COVE_EDGE_FRAMED_HEADER + 3);
	r = SIZE_MAX - 3; /* aligning alone overflows */
	assert_int_equal(cove_edge_add_chunk(&r, 0), COVE_EDGE_OVERFLOW);
	r = SIZE_MAX - 31;
	assert_int_equal(cove_edge_add_chunk(&r, 31), COVE_EDGE_OK);
	r = SIZE_MAX - 31;
	assert_int_equal(cove_edge_add_chunk(&r, 32), COVE_EDGE_OVERFLOW);
	r = SIZE_MAX - 31;
	assert_int_equal(cove_edge_add_framed(&r, 16), COVE_EDGE_OVERFLOW);
}

static void test_size_arguments(void **state)
{
	size_t r = 0;
	(void)state;

	/* Every integer type through the _Generic dispatch; negatives are refused. */
	char c = -1;
	signed char sc = -2;
	unsigned char uc = 255;
	short s = -3;
	int i = -4, ip = 4;
	long l = -5;
	long long ll = -6;
	unsigned long long ull = ~0ULL;
	assert_int_equal(COVE_EDGE_TO_SIZE(c, &r), (char)-1 < 0 ? COVE_EDGE_OVERFLOW : COVE_EDGE_OK);
	assert_int_equal(COVE_EDGE_TO_SIZE(sc, &r), COVE_EDGE_OVERFLOW);
	assert_int_equal(COVE_EDGE_TO_SIZE(uc, &r), COVE_EDGE_OK);
	assert_int_equal(r, 255);
	assert_int_equal(COVE_EDGE_TO_SIZE(s, &r), COVE_EDGE_OVERFLOW);
	assert_int_equal(COVE_EDGE_TO_SIZE(i, &r), COVE_EDGE_OVERFLOW);
	assert_int_equal(COVE_EDGE_TO_SIZE(ip, &r), COVE_EDGE_OK);
	assert_int_equal(r, 4);
	assert_int_equal(COVE_EDGE_TO_SIZE(l, &r), COVE_EDGE_OVERFLOW);
	assert_int_equal(COVE_EDGE_TO_SIZE(ll, &r), COVE_EDGE_OVERFLOW);
	assert_int_equal(COVE_EDGE_TO_SIZE(ull, &r), COVE_EDGE_OK);
	assert_int_equal(r, SIZE_MAX);
	wchar_t wc = (wchar_t)-7;
	assert_int_equal(COVE_EDGE_TO_SIZE(wc, &r), COVE_EDGE_OVERFLOW);

	/* Floating count/size parameters (Open Enclave accepts them): truncated when sane, else refused. */
	float f = 4.75f;
	double d = NAN, neg = -0.5, inf = INFINITY;
	long double big = 18446744073709551616.0L, max_ok = 18446744073709549568.0L;
	assert_int_equal(COVE_EDGE_TO_SIZE(f, &r), COVE_EDGE_OK);
	assert_int_equal(r, 4);
	assert_int_equal(COVE_EDGE_TO_SIZE(d, &r), COVE_EDGE_OVERFLOW);
	assert_int_equal(COVE_EDGE_TO_SIZE(neg, &r), COVE_EDGE_OVERFLOW);
	assert_int_equal(COVE_EDGE_TO_SIZE(inf, &r), COVE_EDGE_OVERFLOW);
	assert_int_equal(COVE_EDGE_TO_SIZE(big, &r), COVE_EDGE_OVERFLOW);
	assert_int_equal(COVE_EDGE_TO_SIZE(max_ok, &r), COVE_EDGE_OK);
	assert_int_equal(r, (size_t)18446744073709549568ULL);
	double zero = -0.0;
	assert_int_equal(COVE_EDGE_TO_SIZE(zero, &r), COVE_EDGE_OK);
	assert_int_equal(r, 0);
}

/* ---- strings ---- */

static void test_strings(void **state)
{
	size_t n = 0;
	(void)state;

	assert_int_equal(cove_edge_string_len("abc", &n), COVE_EDGE_OK);
	assert_int_equal(n, 4);
	assert_int_equal(cove_edge_string_len(NULL, &n), COVE_EDGE_INVALID_PARAMETER);
	assert_int_equal(cove_edge_wstring_len(L"ab", &n), COVE_EDGE_OK);
	assert_int_equal(n, 3);

	/* [in]: the first terminator is the last element. */
	assert_int_equal(cove_edge_check_string_in("abc", 4), COVE_EDGE_OK);
	assert_int_equal(cove_edge_check_string_in("abc", 3), COVE_EDGE_BAD_STRING);
	assert_int_equal(cove_edge_check_string_in("a\0c", 4), COVE_EDGE_BAD_STRING);
	assert_int_equal(cove_edge_check_string_in("", 0), COVE_EDGE_BAD_STRING);
	assert_int_equal(cove_edge_check_string_in("", 1), COVE_EDGE_OK);
	/* [out]: some terminator within the length. */
	assert_int_equal(cove_edge_check_string_out("a\0c", 4), COVE_EDGE_OK);
	assert_int_equal(cove_edge_check_string_out("abcd", 4), COVE_EDGE_BAD_STRING);
	wchar_t w[4] = {L'a', L'b', 0, L'd'};
	assert_int_equal(cove_edge_check_wstring_in(w, 3), COVE_EDGE_OK);
	assert_int_equal(cove_edge_check_wstring_in(w, 4), COVE_EDGE_BAD_STRING);
	assert_int_equal(cove_edge_check_wstring_in(w, 2), COVE_EDGE_BAD_STRING);
	assert_int_equal(cove_edge_check_wstring_out(w, 4), COVE_EDGE_OK);
	assert_int_equal(cove_edge_check_wstring_out(w, 2), COVE_EDGE_BAD_STRING);
	assert_int_equal(cove_edge_check_wstring_out(NULL, 2), COVE_EDGE_BAD_STRING);
}

/* ---- frames ---- */

static cove_edge_frame good_frame(void)
{
	cove_edge_frame f;
	memset(&f, 0, sizeof(f));
	f.magic = COVE_EDGE_FRAME_MAGIC;
	f.version = COVE_EDGE_ABI_VERSION;
	f.kind = COVE_EDGE_KIND_ECALL;
	f.id = 3;
	f.in_off = 64;
	f.in_size = 100;
	f.out_off = 256;
	f.out_size = 64;
	return f;
}

static void test_frame_check(void **state)
{
	cove_edge_frame f;
	(void)state;

	f = good_frame();
	assert_int_equal(cove_edge_frame_check(&f, COVE_EDGE_KIND_ECALL, 4096), COVE_EDGE_OK);
	assert_int_equal(cove_edge_frame_check(&f, COVE_EDGE_KIND_OCALL, 4096), COVE_EDGE_BAD_FRAME);
	assert_int_equal(cove_edge_frame_check(NULL, COVE_EDGE_KIND_ECALL, 4096), COVE_EDGE_INVALID_PARAMETER);
	f.flags = COVE_EDGE_CALL_SWITCHLESS;
	assert_int_equal(cove_edge_frame_check(&f, COVE_EDGE_KIND_ECALL, 4096), COVE_EDGE_OK);
	f.flags = 0x80;
	assert_int_equal(cove_edge_frame_check(&f, COVE_EDGE_KIND_ECALL, 4096), COVE_EDGE_BAD_FRAME);
	f = good_frame();
	f.version = 2;
	assert_int_equal(cove_edge_frame_check(&f, COVE_EDGE_KIND_ECALL, 4096), COVE_EDGE_BAD_FRAME);
	f = good_frame();
	f.reserved = 1;
	assert_int_equal(cove_edge_frame_check(&f, COVE_EDGE_KIND_ECALL, 4096), COVE_EDGE_BAD_FRAME);
	/* Ranges: exactly to the end is fine, one past is not, wrapping is not. */
	f = good_frame();
	f.out_off = 4096 - 64;
	assert_int_equal(cove_edge_frame_check(&f, COVE_EDGE_KIND_ECALL, 4096), COVE_EDGE_OK);
	f.out_size = 65;
	assert_int_equal(cove_edge_frame_check(&f, COVE_EDGE_KIND_ECALL, 4096), COVE_EDGE_BAD_POINTER);
	f = good_frame();
	f.in_off = 4096 + 16;
	f.in_size = 0;
	assert_int_equal(cove_edge_frame_check(&f, COVE_EDGE_KIND_ECALL, 4096), COVE_EDGE_BAD_POINTER);
	f = good_frame();
	f.in_off = 16;
	f.in_size = UINT64_MAX;
	assert_int_equal(cove_edge_frame_check(&f, COVE_EDGE_KIND_ECALL, 4096), COVE_EDGE_BAD_POINTER);
	f = good_frame();
	f.in_off = 72; /* not 16-aligned */
	assert_int_equal(cove_edge_frame_check(&f, COVE_EDGE_KIND_ECALL, 4096), COVE_EDGE_BAD_POINTER);
	/* Overlapping input and output. */
	f = good_frame();
	f.out_off = 144;
	assert_int_equal(cove_edge_frame_check(&f, COVE_EDGE_KIND_ECALL, 4096), COVE_EDGE_BAD_FRAME);
	f.out_off = 176; /* in ends at 164 */
	assert_int_equal(cove_edge_frame_check(&f, COVE_EDGE_KIND_ECALL, 4096), COVE_EDGE_OK);
}

/* ---- cursor ---- */

static void test_cursor(void **state)
{
	_Alignas(16) uint8_t buf[128];
	cove_edge_cursor c;
	void *p;
	size_t len;
	(void)state;

	memset(buf, 0, sizeof(buf));
	cove_edge_cursor_init(&c, buf, sizeof(buf), 4);
	assert_int_equal(cove_edge_put(&c, "abc", 3), COVE_EDGE_OK);
	assert_int_equal(c.off, 19); /* aligned to 16 first */
	assert_memory_equal(buf + 16, "abc", 3);
	assert_int_equal(cove_edge_take(&c, 97, &p), COVE_EDGE_BUFFER_TOO_SMALL);
	assert_null(p);
	assert_int_equal(c.off, 19); /* a failed take moves nothing */
	assert_int_equal(cove_edge_take(&c, 96, &p), COVE_EDGE_OK);
	assert_ptr_equal(p, buf + 32);
	assert_int_equal(cove_edge_take(&c, 0, &p), COVE_EDGE_OK);
	assert_int_equal(cove_edge_take(&c, 1, &p), COVE_EDGE_BUFFER_TOO_SMALL);
	assert_int_equal(cove_edge_take(&c, SIZE_MAX, &p), COVE_EDGE_BUFFER_TOO_SMALL);

	/* Framed: a 16-byte length slot, then the reserve, zero-padded. */
	memset(buf, 0xEE, sizeof(buf));
	cove_edge_cursor_init(&c, buf, sizeof(buf), 0);
	assert_int_equal(cove_edge_put_framed(&c, "hello", 5, 8), COVE_EDGE_OK);
	assert_int_equal(c.off, 24);
	assert_int_equal(buf[0], 5);
	assert_true(buf[1] == 0 && buf[15] == 0 && buf[21] == 0 && buf[23] == 0);
	assert_int_equal(cove_edge_put_framed(&c, "x", 9, 8), COVE_EDGE_BUFFER_TOO_SMALL);
	assert_int_equal(cove_edge_put_framed(&c, NULL, 0, SIZE_MAX), COVE_EDGE_OVERFLOW);
	cove_edge_cursor_init(&c, buf, sizeof(buf), 0);
	assert_int_equal(cove_edge_take_framed(&c, 8, &len, &p), COVE_EDGE_OK);
	assert_int_equal(len, 5);
	assert_memory_equal(p, "hello", 5);
	/* A length beyond the reserve is refused. */
	cove_edge_cursor_init(&c, buf, sizeof(buf), 0);
	assert_int_equal(cove_edge_take_framed(&c, 4, &len, &p), COVE_EDGE_BUFFER_TOO_SMALL);
	buf[0] = 0xFF;
	buf[7] = 0xFF;
	cove_edge_cursor_init(&c, buf, sizeof(buf), 0);
	assert_int_equal(cove_edge_take_framed(&c, 64, &len, &p), COVE_EDGE_BUFFER_TOO_SMALL);
	assert_null(p);
}

/* ---- status names and errors ---- */

static void test_status(void **state)
{
	cove_error e = {0};
	(void)state;

	assert_string_equal(cove_edge_status_name(COVE_EDGE_OK), "ok");
	assert_string_equal(cove_edge_status_name(COVE_EDGE_BAD_POINTER), "bad-pointer");
	assert_string_equal(cove_edge_status_name(COVE_EDGE_TOO_DEEP), "too-deep");
	assert_string_equal(cove_edge_status_name((cove_edge_status)99), "unknown");
	assert_int_equal(cove_edge_status_err(COVE_EDGE_OK, "f", &e), COVE_OK);
	assert_int_equal(cove_edge_status_err(COVE_EDGE_OVERFLOW, "ecall_x", &e), COVE_ERR_PARSE);
	assert_non_null(strstr(e.msg, "ecall_x"));
	assert_non_null(strstr(e.msg, "overflow"));
	assert_int_equal(cove_edge_status_err(COVE_EDGE_NOT_ALLOWED, NULL, &e), COVE_ERR_ARG);
	assert_int_equal(cove_edge_status_err(COVE_EDGE_OUT_OF_MEMORY, NULL, &e), COVE_ERR_NOMEM);
	assert_int_equal(cove_edge_status_err(COVE_EDGE_ENCLAVE_LOST, NULL, &e), COVE_ERR_UNAVAILABLE);
	assert_int_equal(cove_edge_status_err(COVE_EDGE_UNEXPECTED, NULL, NULL), COVE_ERR_INTERNAL);
}

/* ---- dispatch and the private-ecall rule ---- */

static cove_edge_loopback *g_lb;
static int bridge_calls;
static cove_edge_status nested_status;

static cove_edge_status bridge_count(const cove_edge_transport *t, const void *in, size_t in_size, void *out,
				     size_t out_size)
{
	(void)in;
	(void)in_size;
	(void)out;
	(void)out_size;
	bridge_calls++;
	assert_ptr_equal(cove_edge_current(), t);
	return COVE_EDGE_OK;
}

/* ecall 2: makes ocall `*in` (first byte), whose host bridge calls ecall `in[1]` back. */
static cove_edge_status bridge_ocaller(const cove_edge_transport *t, const void *in, size_t in_size, void *out,
				       size_t out_size)
{
	const uint8_t *b = in;
	(void)in_size;
	(void)out;
	(void)out_size;
	void *buf = NULL;
	assert_int_equal(cove_edge_alloc_untrusted(t, 16, &buf), COVE_EDGE_OK);
	memcpy(buf, b, 2);
	cove_edge_status st = cove_edge_call_ocall(t, b[0], 0, buf, 16, NULL, 0);
	cove_edge_free_untrusted(t, buf);
	return st;
}

static cove_edge_status host_bridge_nest(const cove_edge_transport *t, const void *in, size_t in_size, void *out,
					 size_t out_size)
{
	const uint8_t *b = in;
	(void)t;
	(void)in_size;
	(void)out;
	(void)out_size;
	const cove_edge_transport *h = cove_edge_loopback_untrusted(g_lb);
	void *ib = NULL;
	assert_int_equal(cove_edge_alloc_untrusted(h, 16, &ib), COVE_EDGE_OK);
	nested_status = cove_edge_call_ecall(cove_edge_loopback_enclave(g_lb), b[1], 0, NULL, ib, 16, NULL, 0);
	cove_edge_free_untrusted(h, ib);
	return COVE_EDGE_OK;
}

static void test_dispatch_rules(void **state)
{
	/* ecall 0 public, 1 private, 2 public (makes ocalls); ocall 0 allows ecall 1, ocall 1 allows nothing. */
	static const cove_edge_entry ecalls[] = {
		{bridge_count, "pub", COVE_EDGE_CALL_PUBLIC},
		{bridge_count, "priv", 0},
		{bridge_ocaller, "caller", COVE_EDGE_CALL_PUBLIC},
	};
	static const uint8_t allow[] = {0, 1, 0, /* ocall 0 */ 0, 0, 0 /* ocall 1 */};
	static cove_edge_table etab = {COVE_EDGE_ABI_VERSION, 3, ecalls, 2, allow, "t", 0};
	static const cove_edge_entry ocalls[] = {{host_bridge_nest, "o0", 0}, {host_bridge_nest, "o1", 0}};
	static const cove_edge_table otab = {COVE_EDGE_ABI_VERSION, 2, ocalls, 0, NULL, "t", 0};
	cove_error e = {0};
	(void)state;

	assert_int_equal(cove_edge_loopback_new(&etab, NULL, &g_lb, &e), COVE_OK);
	const cove_edge_transport *tt = cove_edge_loopback_trusted(g_lb), *ht = cove_edge_loopback_untrusted(g_lb);
	cove_enclave *enc = cove_edge_loopback_enclave(g_lb);
	void *ib = NULL;
	assert_int_equal(cove_edge_alloc_untrusted(ht, 16, &ib), COVE_EDGE_OK);

	bridge_calls = 0;
	assert_null(cove_edge_current());
	assert_int_equal(cove_edge_call_ecall(enc, 0, 0, &otab, ib, 16, NULL, 0), COVE_EDGE_OK);
	assert_int_equal(bridge_calls, 1);
	assert_null(cove_edge_current()); /* restored after the call */
	/* A private ecall is not a root entry point (Intel's SGX_ERROR_ECALL_NOT_ALLOWED). */
	assert_int_equal(cove_edge_call_ecall(enc, 1, 0, &otab, ib, 16, NULL, 0), COVE_EDGE_NOT_ALLOWED);
	assert_int_equal(cove_edge_call_ecall(enc, 3, 0, &otab, ib, 16, NULL, 0), COVE_EDGE_INVALID_FUNCTION);
	assert_int_equal(bridge_calls, 1);

	/* ocall 0 allows ecall 1 ... */
	((uint8_t *)ib)[0] = 0;
	((uint8_t *)ib)[1] = 1;
	assert_int_equal(cove_edge_call_ecall(enc, 2, 0, &otab, ib, 16, NULL, 0), COVE_EDGE_OK);
	assert_int_equal(nested_status, COVE_EDGE_OK);
	assert_int_equal(bridge_calls, 2);
	/* ... but not ecall 0, public or not (nested ecalls must be allowed). */
	((uint8_t *)ib)[1] = 0;
	assert_int_equal(cove_edge_call_ecall(enc, 2, 0, &otab, ib, 16, NULL, 0), COVE_EDGE_OK);
	assert_int_equal(nested_status, COVE_EDGE_NOT_ALLOWED);
	/* ocall 1 allows nothing. */
	((uint8_t *)ib)[0] = 1;
	((uint8_t *)ib)[1] = 1;
	assert_int_equal(cove_edge_call_ecall(enc, 2, 0, &otab, ib, 16, NULL, 0), COVE_EDGE_OK);
	assert_int_equal(nested_status, COVE_EDGE_NOT_ALLOWED);
	/* Open Enclave's rule: any public ecall from any ocall; a private one still needs allow(). */
	etab.flags = COVE_EDGE_TABLE_NESTED_PUBLIC;
	((uint8_t *)ib)[1] = 0;
	assert_int_equal(cove_edge_call_ecall(enc, 2, 0, &otab, ib, 16, NULL, 0), COVE_EDGE_OK);
	assert_int_equal(nested_status, COVE_EDGE_OK);
	assert_int_equal(bridge_calls, 3);
	((uint8_t *)ib)[1] = 1;
	assert_int_equal(cove_edge_call_ecall(enc, 2, 0, &otab, ib, 16, NULL, 0), COVE_EDGE_OK);
	assert_int_equal(nested_status, COVE_EDGE_NOT_ALLOWED);
	etab.flags = 0;
	bridge_calls = 2;
	/* An ocall id outside the host's table. */
	((uint8_t *)ib)[0] = 9;
	assert_int_equal(cove_edge_call_ecall(enc, 2, 0, &otab, ib, 16, NULL, 0), COVE_EDGE_INVALID_FUNCTION);
	/* No ocall table at all. */
	((uint8_t *)ib)[0] = 0;
	assert_int_equal(cove_edge_call_ecall(enc, 2, 0, NULL, ib, 16, NULL, 0), COVE_EDGE_INVALID_FUNCTION);
	assert_int_equal(bridge_calls, 2);

	/* Faces and tables are checked. */
	assert_int_equal(cove_edge_dispatch_ecall(ht, &etab, 0, ib, 16, NULL, 0), COVE_EDGE_INVALID_PARAMETER);
	assert_int_equal(cove_edge_dispatch_ocall(tt, &otab, 0, ib, 16, NULL, 0), COVE_EDGE_INVALID_PARAMETER);
	cove_edge_table old = etab;
	old.abi_version = 0;
	assert_int_equal(cove_edge_dispatch_ecall(tt, &old, 0, ib, 16, NULL, 0), COVE_EDGE_INVALID_PARAMETER);
	assert_int_equal(cove_edge_call_ocall(ht, 0, 0, ib, 16, NULL, 0), COVE_EDGE_NO_ENCLAVE);
	assert_int_equal(cove_edge_call_ecall(NULL, 0, 0, &otab, ib, 16, NULL, 0), COVE_EDGE_INVALID_PARAMETER);
	/* Buffers outside the marshalling area never become frames. */
	uint8_t local[16];
	assert_int_equal(cove_edge_call_ecall(enc, 0, 0, &otab, local, 16, NULL, 0), COVE_EDGE_BAD_POINTER);

	cove_edge_loopback_stats st;
	cove_edge_loopback_get_stats(g_lb, &st);
	/* Every delivered frame counts, refused dispatches included; the local buffer never became one. */
	assert_int_equal(st.ecalls, 15);
	assert_int_equal(st.ocalls, 7);
	cove_edge_free_untrusted(ht, ib);
	assert_int_equal(cove_edge_loopback_shared_in_use(g_lb), 0);
	cove_edge_loopback_free(g_lb);
}

/* ---- the loopback itself ---- */

static const cove_edge_entry none_entry[] = {{bridge_count, "x", COVE_EDGE_CALL_PUBLIC}};
static const cove_edge_table none_table = {COVE_EDGE_ABI_VERSION, 1, none_entry, 0, NULL, "none", 0};

static void test_loopback_regions(void **state)
{
	cove_edge_loopback *lb = NULL;
	cove_error e = {0};
	cove_edge_loopback_config cfg = {.shared_size = 8192, .enclave_size = 8192};
	uint8_t *sb, *eb;
	size_t ss, es;
	(void)state;

	assert_int_equal(cove_edge_loopback_new(NULL, &cfg, &lb, &e), COVE_ERR_ARG);
	assert_int_equal(cove_edge_loopback_new(&none_table, &cfg, &lb, &e), COVE_OK);
	cove_edge_loopback_shared_region(lb, &sb, &ss);
	cove_edge_loopback_enclave_region(lb, &eb, &es);
	assert_ptr_equal(sb + ss, eb);
	assert_int_equal(es, 8192);
	const cove_edge_transport *t = cove_edge_loopback_trusted(lb);
	assert_true(t->trusted);
	assert_false(cove_edge_loopback_untrusted(lb)->trusted);

	/* Boundaries, n == 0 as one byte, wrap-around. */
	assert_true(t->ops->is_within_enclave(t->ctx, eb, es));
	assert_false(t->ops->is_within_enclave(t->ctx, eb, es + 1));
	assert_false(t->ops->is_within_enclave(t->ctx, eb - 1, 2));
	assert_true(t->ops->is_within_enclave(t->ctx, eb + es - 1, 0));
	assert_false(t->ops->is_within_enclave(t->ctx, eb + es, 0));
	assert_true(t->ops->is_outside_enclave(t->ctx, sb, ss));
	assert_false(t->ops->is_outside_enclave(t->ctx, sb, ss + 1));
	assert_true(t->ops->is_outside_enclave(t->ctx, eb + es, 16));
	assert_true(t->ops->is_outside_enclave(t->ctx, eb - 1, 0));
	assert_false(t->ops->is_outside_enclave(t->ctx, (void *)(UINTPTR_MAX - 8), 16));
	assert_true(t->ops->is_shared(t->ctx, sb, ss));
	assert_false(t->ops->is_shared(t->ctx, sb + 1, ss));

	/* The allocator gives 16-aligned blocks and returns the region to its exact bytes. */
	uint8_t *snap = malloc(es);
	memcpy(snap, eb, es);
	void *a = cove_edge_loopback_enclave_alloc(lb, 10);
	void *b = cove_edge_loopback_enclave_alloc(lb, 100);
	void *c = cove_edge_loopback_enclave_alloc(lb, 1);
	assert_true(a && b && c);
	assert_int_equal((uintptr_t)b % 16, 0);
	assert_true(t->ops->is_within_enclave(t->ctx, b, 100));
	memset(a, 0x11, 10);
	memset(b, 0x22, 100);
	assert_null(cove_edge_loopback_enclave_alloc(lb, es));
	assert_true(cove_edge_loopback_enclave_in_use(lb) > 111);
	cove_edge_loopback_enclave_free(lb, b); /* middle first: merges later */
	void *d = cove_edge_loopback_enclave_alloc(lb, 64);
	assert_ptr_equal(d, b); /* first fit reuses the hole */
	cove_edge_loopback_enclave_free(lb, a);
	cove_edge_loopback_enclave_free(lb, c);
	cove_edge_loopback_enclave_free(lb, d);
	assert_int_equal(cove_edge_loopback_enclave_in_use(lb), 0);
	assert_memory_equal(eb, snap, es);
	/* Everything can be allocated again in one block. */
	void *all = cove_edge_loopback_enclave_alloc(lb, es - 16);
	assert_non_null(all);
	cove_edge_loopback_enclave_free(lb, all);
	assert_memory_equal(eb, snap, es);
	free(snap);

	/* Helpers on each face: alloc/free of each side's memory. */
	void *tp = cove_edge_alloc(t, 40);
	assert_true(tp && t->ops->is_within_enclave(t->ctx, tp, 40));
	cove_edge_release(t, tp);
	void *hp = cove_edge_alloc(cove_edge_loopback_untrusted(lb), 40);
	assert_true(hp && !t->ops->is_within_enclave(t->ctx, hp, 1));
	cove_edge_release(cove_edge_loopback_untrusted(lb), hp);
	assert_int_equal(cove_edge_loopback_enclave_in_use(lb), 0);
	cove_edge_loopback_free(lb);
}

/* A host whose area allocator hands the enclave a block of enclave memory. */
static uint8_t *evil_block;
static void *evil_alloc(void *ctx, size_t n)
{
	(void)ctx;
	(void)n;
	return evil_block;
}
static void evil_free(void *ctx, void *p)
{
	(void)ctx;
	(void)p;
}
static bool evil_never(void *ctx, const void *p, size_t n)
{
	(void)ctx;
	(void)p;
	(void)n;
	return false;
}
static bool evil_always(void *ctx, const void *p, size_t n)
{
	(void)ctx;
	(void)p;
	(void)n;
	return true;
}

static void test_untrusted_alloc_and_extra(void **state)
{
	_Alignas(16) uint8_t area[64];
	cove_edge_transport_ops ops = {.alloc_untrusted = evil_alloc,
				       .free_untrusted = evil_free,
				       .is_shared = evil_always,
				       .is_within_enclave = evil_always,
				       .is_outside_enclave = evil_never};
	cove_edge_transport t = {&ops, NULL, true};
	void *p = (void *)1;
	cove_edge_out_header h;
	void *shared, *copy;
	(void)state;

	evil_block = area;
	assert_int_equal(cove_edge_alloc_untrusted(&t, 16, &p), COVE_EDGE_BAD_POINTER);
	assert_null(p);
	evil_block = area + 8; /* misaligned */
	ops.is_outside_enclave = evil_always;
	assert_int_equal(cove_edge_alloc_untrusted(&t, 16, &p), COVE_EDGE_BAD_POINTER);
	evil_block = NULL;
	assert_int_equal(cove_edge_alloc_untrusted(&t, 16, &p), COVE_EDGE_OUT_OF_MEMORY);
	evil_block = area;
	memset(area, 0x77, sizeof(area));
	assert_int_equal(cove_edge_alloc_untrusted(&t, 16, &p), COVE_EDGE_OK);
	assert_ptr_equal(p, area);
	assert_int_equal(area[0], 0); /* zeroed: no stale bytes cross */

	/* Extra blocks: located relative to the output buffer, checked, copied. */
	memset(&h, 0, sizeof(h));
	h.extra_delta = 32;
	h.extra_size = 16;
	memcpy(area + 32, "extra-block-data", 16);
	ops.alloc_trusted = NULL; /* the enclave face needs a heap to copy into */
	assert_int_equal(cove_edge_fetch_extra(&t, area, &h, &shared, &copy), COVE_EDGE_OUT_OF_MEMORY);
	cove_edge_transport host = {&ops, NULL, false};
	assert_int_equal(cove_edge_fetch_extra(&host, area, &h, &shared, &copy), COVE_EDGE_OK);
	assert_ptr_equal(shared, area + 32);
	assert_memory_equal(copy, "extra-block-data", 16);
	cove_edge_release(&host, copy);
	h.extra_delta = 40; /* misaligned */
	assert_int_equal(cove_edge_fetch_extra(&host, area, &h, &shared, &copy), COVE_EDGE_BAD_POINTER);
	h.extra_delta = INT64_MIN; /* before the start of the address space */
	assert_int_equal(cove_edge_fetch_extra(&host, area, &h, &shared, &copy), COVE_EDGE_BAD_POINTER);
	/* Not in the marshalling area, whatever the arithmetic says. */
	ops.is_shared = evil_never;
	h.extra_delta = INT64_MAX - 15;
	assert_int_equal(cove_edge_fetch_extra(&host, area, &h, &shared, &copy), COVE_EDGE_BAD_POINTER);
	h.extra_delta = 32;
	assert_int_equal(cove_edge_fetch_extra(&host, area, &h, &shared, &copy), COVE_EDGE_BAD_POINTER);
	ops.is_outside_enclave = evil_never;
	assert_int_equal(cove_edge_fetch_extra(&t, area, &h, &shared, &copy), COVE_EDGE_BAD_POINTER);
	h.extra_size = 0;
	assert_int_equal(cove_edge_fetch_extra(&t, area, &h, &shared, &copy), COVE_EDGE_BAD_FRAME);
	h.extra_delta = 0;
	assert_int_equal(cove_edge_fetch_extra(&t, area, &h, &shared, &copy), COVE_EDGE_OK);
	assert_null(copy);

	/* fetch / check_target on the enclave face refuse enclave memory before allocating anything. */
	assert_int_equal(cove_edge_fetch(&t, area, 16, 0, &copy), COVE_EDGE_BAD_POINTER);
	assert_int_equal(cove_edge_fetch(&t, area, 8, 16, &copy), COVE_EDGE_BUFFER_TOO_SMALL);
	assert_int_equal(cove_edge_fetch(&t, NULL, 8, 0, &copy), COVE_EDGE_INVALID_PARAMETER);
	assert_int_equal(cove_edge_check_target(&t, area, 16, 0), COVE_EDGE_BAD_POINTER);
	assert_int_equal(cove_edge_check_target(&t, area, 8, 32), COVE_EDGE_BUFFER_TOO_SMALL);
	assert_int_equal(cove_edge_check_caller(&host, area, 16), COVE_EDGE_BAD_POINTER);
	assert_int_equal(cove_edge_check_caller(&host, NULL, 16), COVE_EDGE_OK);
	assert_int_equal(cove_edge_check_caller(&t, area, 16), COVE_EDGE_OK);
}

/* ---- the host handle ---- */

static int closed;
static void close_ctx(void *ctx)
{
	closed += ctx == &closed;
}
static cove_edge_status noop_ecall(void *ctx, uint32_t id, uint32_t flags, const cove_edge_table *o, void *in,
				   size_t in_size, void *out, size_t out_size)
{
	(void)ctx;
	(void)flags;
	(void)o;
	(void)in;
	(void)in_size;
	(void)out;
	(void)out_size;
	return id == 7 ? COVE_EDGE_ENCLAVE_LOST : COVE_EDGE_OK;
}

static void test_enclave_handle(void **state)
{
	cove_edge_transport_ops ops = {.ecall = noop_ecall,
				       .alloc_untrusted = evil_alloc,
				       .free_untrusted = evil_free,
				       .is_shared = evil_always,
				       .close = close_ctx};
	cove_edge_transport_ops bad = {.ecall = noop_ecall};
	cove_enclave *enc = NULL;
	cove_error e = {0};
	(void)state;

	assert_int_equal(cove_edge_enclave_new(&bad, NULL, &enc, &e), COVE_ERR_ARG);
	assert_null(enc);
	assert_int_equal(cove_edge_enclave_new(&ops, &closed, &enc, &e), COVE_OK);
	assert_ptr_equal(cove_edge_enclave_context(enc), &closed);
	assert_false(cove_edge_enclave_transport(enc)->trusted);
	assert_null(cove_edge_enclave_transport(NULL));
	assert_int_equal(cove_edge_call_ecall(enc, 7, 0, NULL, NULL, 0, NULL, 0), COVE_EDGE_ENCLAVE_LOST);
	closed = 0;
	cove_edge_enclave_free(enc);
	assert_int_equal(closed, 1);
	cove_edge_enclave_free(NULL);

	/* Outside any ecall there is no enclave context. */
	assert_null(cove_edge_current());
	assert_false(cove_edge_is_within_enclave(&e, 1));
	assert_false(cove_edge_is_outside_enclave(&e, 1));
	void *m = cove_edge_malloc(8);
	assert_non_null(m);
	cove_edge_free(m);
}

/* ---- the fetch hook sees exactly what the enclave face read ---- */

static size_t hooked;
static void count_hook(void *arg, void *shared, size_t n)
{
	(void)arg;
	(void)shared;
	hooked += n;
}

static void test_loopback_hook(void **state)
{
	cove_edge_loopback *lb = NULL;
	cove_error e = {0};
	void *ib = NULL, *copy = NULL;
	(void)state;

	assert_int_equal(cove_edge_loopback_new(&none_table, NULL, &lb, &e), COVE_OK);
	const cove_edge_transport *t = cove_edge_loopback_trusted(lb), *h = cove_edge_loopback_untrusted(lb);
	assert_int_equal(cove_edge_alloc_untrusted(h, 48, &ib), COVE_EDGE_OK);
	cove_edge_loopback_set_fetch_hook(lb, count_hook, NULL);
	hooked = 0;
	assert_int_equal(cove_edge_fetch(t, ib, 48, 16, &copy), COVE_EDGE_OK);
	assert_int_equal(hooked, 48);
	cove_edge_release(t, copy);
	/* Host-face copies are not the enclave's reads. */
	assert_int_equal(cove_edge_fetch(h, ib, 48, 16, &copy), COVE_EDGE_OK);
	assert_int_equal(hooked, 48);
	cove_edge_release(h, copy);
	/* A delivered ecall: frame snapshot (64) + input (48). */
	assert_int_equal(cove_edge_call_ecall(cove_edge_loopback_enclave(lb), 0, COVE_EDGE_CALL_SWITCHLESS, NULL, ib, 48,
					      NULL, 0),
			 COVE_EDGE_OK);
	assert_int_equal(hooked, 48 + 64);
	cove_edge_loopback_stats st;
	cove_edge_loopback_get_stats(lb, &st);
	assert_int_equal(st.switchless_ecalls, 1);
	cove_edge_free_untrusted(h, ib);
	cove_edge_loopback_free(lb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_arithmetic),
		cmocka_unit_test(test_size_arguments),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_frame_check),
		cmocka_unit_test(test_cursor),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_dispatch_rules),
		cmocka_unit_test(test_loopback_regions),
		cmocka_unit_test(test_untrusted_alloc_and_extra),
		cmocka_unit_test(test_enclave_handle),
		cmocka_unit_test(test_loopback_hook),
	};
	return cmocka_run_group_tests_name("edge", tests, NULL, NULL);
}
