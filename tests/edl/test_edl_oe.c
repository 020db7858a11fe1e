/*
 * Round trips and hostile-host cases for Open Enclave's oeedger8r test EDLs
 * (tests/oeedger8r/edl: aliasing, array, basic, deepcopy, enum, errno,
 * foreign, pointer, security, string, struct, switchless_test), through
 * bridges cove-edger8r generated at build time and the loopback transport.
 *
 * Each round trip runs the file's ecalls from the host and its
 * test_*_edl_ocalls() ecall, which makes every ocall from inside the
 * enclave; both sides check every value they receive (oe_test.h).  The whole
 * set runs again under a host that overwrites shared memory right after each
 * enclave read, and the hostile cases feed the enclave input frames and ocall
 * results no generated code would produce.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "deepcopy_u.h"
#include "pointer_u.h"
#include "string_u.h"
#include "oe_host.h"

extern const cove_edge_table aliasing_ecall_table, array_ecall_table, basic_ecall_table, deepcopy_ecall_table,
	enum_ecall_table, errno_ecall_table, foreign_ecall_table, pointer_ecall_table, security_ecall_table,
	string_ecall_table, struct_ecall_table, switchless_test_ecall_table;

static cove_edge_loopback *loopback(const cove_edge_table *t)
{
	cove_edge_loopback *lb = NULL;
	cove_error e = {0};
	assert_int_equal(cove_edge_loopback_new(t, NULL, &lb, &e), COVE_OK);
	edl_watch(lb);
	return lb;
}

static int setup(void **state)
{
	oe_fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	f->aliasing = loopback(&aliasing_ecall_table);
	f->array = loopback(&array_ecall_table);
	f->basic = loopback(&basic_ecall_table);
	f->deepcopy = loopback(&deepcopy_ecall_table);
	f->enums = loopback(&enum_ecall_table);
	f->errnos = loopback(&errno_ecall_table);
	f->foreign = loopback(&foreign_ecall_table);
	f->pointer = loopback(&pointer_ecall_table);
	f->security = loopback(&security_ecall_table);
	f->string = loopback(&string_ecall_table);
	f->structs = loopback(&struct_ecall_table);
	f->switchless = loopback(&switchless_test_ecall_table);
	edl_marks_reset();
	edl_take_failures();
	*state = f;
	return 0;
}

#define EACH_LOOPBACK(f, X)                                                                                \
	X(f->aliasing) X(f->array) X(f->basic) X(f->deepcopy) X(f->enums) X(f->errnos) X(f->foreign)      \
	X(f->pointer) X(f->security) X(f->string) X(f->structs) X(f->switchless)

static int teardown(void **state)
{
	oe_fixture *f = *state;
	/* Every bridge and proxy released what it allocated, in the enclave and in shared memory. */
#define CLEAN(lb)                                                              \
	assert_int_equal(cove_edge_loopback_enclave_in_use(lb), 0);            \
	assert_int_equal(cove_edge_loopback_shared_in_use(lb), 0);
	EACH_LOOPBACK(f, CLEAN)
#define FREE(lb) cove_edge_loopback_free(lb);
	EACH_LOOPBACK(f, FREE)
	edl_unwatch_all();
	free(f);
	return 0;
}

static void test_basic(void **state)
{
	oe_run_basic(*state);
}

static void test_enum_struct(void **state)
{
	oe_run_enum_struct(*state);
}

static void test_foreign(void **state)
{
	oe_run_foreign(*state);
}

static void test_errno_switchless(void **state)
{
	oe_run_errno_switchless(*state);
}

static void test_aliasing(void **state)
{
	oe_run_aliasing(*state);
}

static void test_security(void **state)
{
	oe_run_security(*state);
}

static void test_array(void **state)
{
	oe_run_array(*state);
}

static void test_pointer(void **state)
{
	oe_run_pointer(*state);
}

static void test_string(void **state)
{
	oe_run_string(*state);
}

static void test_deepcopy(void **state)
{
	oe_run_deepcopy(*state);
}

/* Everything again, with shared memory spoiled after every enclave read. */
static void test_scribbling_host(void **state)
{
	oe_fixture *f = *state;
	unsigned before = edl_scribbles();
#define SCRIBBLE(lb) cove_edge_loopback_set_fetch_hook(lb, edl_scribble_hook, NULL);
	EACH_LOOPBACK(f, SCRIBBLE)
	oe_run_basic(f);
	oe_run_enum_struct(f);
	oe_run_foreign(f);
	oe_run_aliasing(f);
	oe_run_security(f);
	oe_run_array(f);
	oe_run_pointer(f);
	oe_run_string(f);
	oe_run_deepcopy(f);
	assert_true(edl_scribbles() - before > 500);
}

/* ---- hostile host ---- */

static void *shared_block(cove_edge_loopback *lb, size_t n)
{
	void *p = NULL;
	assert_int_equal(cove_edge_alloc_untrusted(cove_edge_loopback_untrusted(lb), n, &p), COVE_EDGE_OK);
	return p;
}

/* Send hand-made input bytes as ecall `id`, nested ocalls served by `ocalls`. */
static cove_edge_status raw_ecall(cove_edge_loopback *lb, uint32_t id, const cove_edge_table *ocalls, const void *in,
				  size_t in_size, size_t out_size)
{
	const cove_edge_transport *h = cove_edge_loopback_untrusted(lb);
	void *ib = shared_block(lb, in_size), *ob = shared_block(lb, out_size);
	memcpy(ib, in, in_size);
	cove_edge_status st = cove_edge_call_ecall(cove_edge_loopback_enclave(lb), id, 0, ocalls, ib, in_size, ob,
						   out_size);
	cove_edge_free_untrusted(h, ob);
	cove_edge_free_untrusted(h, ib);
	return st;
}

#define ALIGNED(n) (((n) + COVE_EDGE_ALIGN - 1) / COVE_EDGE_ALIGN * COVE_EDGE_ALIGN)

/* Input of deepcopy_countparam: args, the struct, then its nested words. */
static size_t deep_input(uint8_t *in, size_t cap, uint64_t count, size_t words)
{
	cove_args_deepcopy_countparam a;
	CountParamStruct s;
	size_t at = ALIGNED(sizeof(a));
	memset(in, 0, cap);
	memset(&a, 0, sizeof(a));
	a._cove_has_s = 1;
	memcpy(in, &a, sizeof(a));
	s.count = count;
	s.size = 64;
	s.ptr = (uint64_t *)(uintptr_t)0x1000; /* only "present" matters */
	memcpy(in + at, &s, sizeof(s));
	at = ALIGNED(at + sizeof(s));
	memset(in + at, 0x5A, words * 8);
	return at + words * 8;
}

static void test_hostile_deep_sizes(void **state)
{
	oe_fixture *f = *state;
	cove_edge_loopback *lb = f->deepcopy;
	uint8_t in[256];
	uint8_t *snap = edl_snapshot_enclave(lb);
	size_t n;

	/* Nested count * sizeof(uint64_t) wraps. */
	n = deep_input(in, sizeof(in), UINT64_MAX / 8 + 2, 4);
	assert_int_equal(raw_ecall(lb, DEEPCOPY_ECALL_deepcopy_countparam, &deepcopy_ocall_table, in, n, 1024),
			 COVE_EDGE_OVERFLOW);
	/* A nested count larger than the data that follows. */
	n = deep_input(in, sizeof(in), 1000, 4);
	assert_int_equal(raw_ecall(lb, DEEPCOPY_ECALL_deepcopy_countparam, &deepcopy_ocall_table, in, n, 1024),
			 COVE_EDGE_BUFFER_TOO_SMALL);
	n = deep_input(in, sizeof(in), (uint64_t)1 << 60, 4);
	assert_int_equal(raw_ecall(lb, DEEPCOPY_ECALL_deepcopy_countparam, &deepcopy_ocall_table, in, n, 1024),
			 COVE_EDGE_BUFFER_TOO_SMALL);
	/* count * size wraps ([count=count, size=size]). */
	{
		cove_args_deepcopy_countsizeparam a;
		CountSizeParamStruct s;
		memset(in, 0, sizeof(in));
		memset(&a, 0, sizeof(a));
		a._cove_has_s = 1;
		memcpy(in, &a, sizeof(a));
		s.count = (uint64_t)1 << 33;
		s.size = (size_t)1 << 31;
		s.ptr = (uint64_t *)(uintptr_t)0x1000;
		memcpy(in + ALIGNED(sizeof(a)), &s, sizeof(s));
		assert_int_equal(raw_ecall(lb, DEEPCOPY_ECALL_deepcopy_countsizeparam, &deepcopy_ocall_table, in,
					   sizeof(in), 1024),
				 COVE_EDGE_OVERFLOW);
	}
	/* An output buffer too small for the [in,out] write-back: refused before the call. */
	n = deep_input(in, sizeof(in), 7, 7);
	assert_int_equal(raw_ecall(lb, DEEPCOPY_ECALL_deepcopy_countparam, &deepcopy_ocall_table, in, n, 64),
			 COVE_EDGE_BUFFER_TOO_SMALL);
	assert_true(edl_enclave_unchanged(lb, snap));
	assert_int_equal(edl_take_failures(), 0);
	/* Well formed, the same input is served (the callee checks 7 words of data, which are 0x5A here). */
	n = deep_input(in, sizeof(in), 7, 7);
	edl_quiet(1);
	assert_int_equal(raw_ecall(lb, DEEPCOPY_ECALL_deepcopy_countparam, &deepcopy_ocall_table, in, n, 1024),
			 COVE_EDGE_OK);
	edl_quiet(0);
	assert_int_equal(edl_take_failures(), 7); /* the data words are not OE's, as expected */
	assert_true(edl_enclave_unchanged(lb, snap));
	free(snap);
}

static void test_hostile_strings_and_floats(void **state)
{
	oe_fixture *f = *state;
	uint8_t in[512];
	uint8_t *snap = edl_snapshot_enclave(f->string);

	/* s1 without its terminator; s2 fine. */
	{
		cove_args_ecall_string_no_null_terminator a;
		size_t at = ALIGNED(sizeof(a));
		memset(in, 0, sizeof(in));
		memset(&a, 0, sizeof(a));
		a._cove_has_s1 = a._cove_has_s2 = 1;
		a._cove_len_s1 = 5;
		a._cove_len_s2 = 6;
		memcpy(in, &a, sizeof(a));
		memcpy(in + at, "Hello", 5);
		memcpy(in + ALIGNED(at + 5), "World", 6);
		assert_int_equal(raw_ecall(f->string, STRING_ECALL_ecall_string_no_null_terminator, &string_ocall_table, in,
					   ALIGNED(at + 5) + 6, 256),
				 COVE_EDGE_BAD_STRING);
		/* The same, wide. */
		cove_args_ecall_wstring_no_null_terminator w;
		memset(in, 0, sizeof(in));
		memset(&w, 0, sizeof(w));
		w._cove_has_s1 = w._cove_has_s2 = 1;
		w._cove_len_s1 = 2;
		w._cove_len_s2 = 1;
		memcpy(in, &w, sizeof(w));
		wchar_t ab[2] = {L'a', L'b'};
		memcpy(in + ALIGNED(sizeof(w)), ab, sizeof(ab));
		assert_int_equal(raw_ecall(f->string, STRING_ECALL_ecall_wstring_no_null_terminator, &string_ocall_table, in,
					   ALIGNED(ALIGNED(sizeof(w)) + sizeof(ab)) + sizeof(wchar_t), 256),
				 COVE_EDGE_BAD_STRING);
	}
	assert_int_equal(edl_marks("e_string_no_null") + edl_marks("e_wstring_no_null"), 0);
	assert_true(edl_enclave_unchanged(f->string, snap));
	free(snap);

	/* count= taken from floating parameters: NaN, negative, huge are refused, never cast. */
	snap = edl_snapshot_enclave(f->pointer);
	{
		cove_args_ecall_count_attribute_all_types a;
		memset(&a, 0, sizeof(a));
		a._cove_has_b4 = 1; /* [count=float_count] */
		a.float_count = NAN;
		memset(in, 0, sizeof(in));
		memcpy(in, &a, sizeof(a));
		assert_int_equal(raw_ecall(f->pointer, POINTER_ECALL_ecall_count_attribute_all_types, &pointer_ocall_table,
					   in, sizeof(in), 64),
				 COVE_EDGE_OVERFLOW);
		memset(&a, 0, sizeof(a));
		a._cove_has_b5 = 1;
		a.double_count = -1.0;
		memcpy(in, &a, sizeof(a));
		assert_int_equal(raw_ecall(f->pointer, POINTER_ECALL_ecall_count_attribute_all_types, &pointer_ocall_table,
					   in, sizeof(in), 64),
				 COVE_EDGE_OVERFLOW);
		memset(&a, 0, sizeof(a));
		a._cove_has_b19 = 1;
		a.long_double_count = 1e30L;
		memcpy(in, &a, sizeof(a));
		assert_int_equal(raw_ecall(f->pointer, POINTER_ECALL_ecall_count_attribute_all_types, &pointer_ocall_table,
					   in, sizeof(in), 64),
				 COVE_EDGE_OVERFLOW);
		/* A negative int count parameter. */
		cove_args_ecall_pointer_char c;
		memset(&c, 0, sizeof(c));
		c._cove_has_p11 = 1;
		c.pcount = -5;
		memcpy(in, &c, sizeof(c));
		assert_int_equal(raw_ecall(f->pointer, POINTER_ECALL_ecall_pointer_char, &pointer_ocall_table, in, sizeof(in),
					   64),
				 COVE_EDGE_OVERFLOW);
	}
	assert_int_equal(edl_marks("e_count_all_types") + edl_marks("e_pointer_char"), 0);
	assert_true(edl_enclave_unchanged(f->pointer, snap));
	free(snap);
}

/*
 * A host whose every ocall "succeeds" with forged results: an output buffer
 * full of 0xFF (unterminated strings, nested lengths beyond their slots, an
 * extra block at an absurd address) or an extra block that points into the
 * enclave.  The enclave's proxies must refuse each one; nothing of the
 * enclave changes or leaks.
 */
static int hostile_mode;
static uint8_t *hostile_secret;

static cove_edge_status hostile_bridge(const cove_edge_transport *t, const void *in, size_t in_size, void *out,
				       size_t out_size)
{
	(void)t;
	(void)in;
	(void)in_size;
	memset(out, 0xFF, out_size);
	if (hostile_mode == 1 && out_size >= COVE_EDGE_OUT_HEADER_SIZE) {
		cove_edge_out_header h;
		memset(&h, 0, sizeof(h));
		h.extra_delta = (int64_t)((uintptr_t)hostile_secret - (uintptr_t)out);
		h.extra_size = 64;
		memcpy(out, &h, sizeof(h));
	}
	return COVE_EDGE_OK;
}

static cove_edge_entry hostile_entries[64];

static const cove_edge_table *hostile_table(uint32_t count)
{
	static cove_edge_table t;
	for (uint32_t i = 0; i < count && i < 64; i++)
		hostile_entries[i] = (cove_edge_entry){hostile_bridge, "hostile", 0};
	t = (cove_edge_table){COVE_EDGE_ABI_VERSION, count, hostile_entries, 0, NULL, "hostile", 0};
	return &t;
}

static void run_with_hostile_host(cove_edge_loopback *lb, uint32_t ecall_id, uint32_t nocalls, int mode)
{
	uint8_t args[16] = {0};
	uint8_t *base;
	size_t size;

	hostile_mode = mode;
	hostile_secret = cove_edge_loopback_enclave_alloc(lb, 64);
	assert_non_null(hostile_secret);
	memset(hostile_secret, 0x5E, 64);
	uint8_t *snap = edl_snapshot_enclave(lb);
	edl_marks_reset();
	/* The test_*_edl_ocalls ecall itself completes; its ocalls are what the host forges. */
	edl_quiet(1);
	assert_int_equal(raw_ecall(lb, ecall_id, hostile_table(nocalls), args, sizeof(args), 64), COVE_EDGE_OK);
	edl_quiet(0);
	assert_true(edl_take_failures() > 0); /* the enclave noticed */
	assert_true(edl_enclave_unchanged(lb, snap));
	/* Nothing of the secret reached the marshalling area. */
	cove_edge_loopback_shared_region(lb, &base, &size);
	for (size_t i = 0; i + 8 <= size; i++)
		assert_false(memcmp(base + i, "\x5E\x5E\x5E\x5E\x5E\x5E\x5E\x5E", 8) == 0);
	free(snap);
	cove_edge_loopback_enclave_free(lb, hostile_secret);
}

static void test_hostile_ocall_results(void **state)
{
	oe_fixture *f = *state;

	/* Garbage everywhere: deep write-backs, [out] deep blocks, and strings are all refused. */
	run_with_hostile_host(f->deepcopy, DEEPCOPY_ECALL_test_deepcopy_ocalls, deepcopy_ocall_table.count, 0);
	/* 8 write-backs + mix + nested in,out: slots overrun; 11 [out] blocks at a bogus address. */
	assert_int_equal(edl_marks("buffer-too-small"), 10);
	assert_int_equal(edl_marks("bad-pointer"), 11);
	assert_int_equal(edl_marks("ok"), 1); /* only the [in]-only ocall has nothing to check */
	/* An extra block aimed at enclave memory (the secret). */
	run_with_hostile_host(f->deepcopy, DEEPCOPY_ECALL_test_deepcopy_ocalls, deepcopy_ocall_table.count, 1);
	assert_int_equal(edl_marks("bad-pointer"), 11);
	run_with_hostile_host(f->string, STRING_ECALL_test_string_edl_ocalls, string_ocall_table.count, 0);
	assert_true(edl_marks("bad-string") >= 2);
	run_with_hostile_host(f->string, STRING_ECALL_test_wstring_edl_ocalls, string_ocall_table.count, 0);
	assert_true(edl_marks("bad-string") >= 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_basic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enum_struct, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errno_switchless, setup, teardown),
		cmocka_unit_test_setup_teardown(test_aliasing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_security, setup, teardown),
		cmocka_unit_test_setup_teardown(test_array, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pointer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_string, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deepcopy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scribbling_host, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_deep_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_strings_and_floats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_ocall_results, setup, teardown),
	};
	return cmocka_run_group_tests_name("edl_oe", tests, NULL, NULL);
}
