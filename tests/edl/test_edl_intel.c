/*
 * Round trips and hostile-host cases for Intel's Edger8rSyntax samples
 * (Arrays, Functions, Pointers, Types), through bridges cove-edger8r
 * generated at build time and the loopback transport.
 *
 * Round trips cover every attribute combination of those files: [user_check],
 * [in], [out], [in,out] on pointers and fixed arrays, [isary], [isptr,
 * readonly, size=], [string] and const [string], [size=]/[count=] from
 * parameters, private ecalls reachable only through an ocall's allow(),
 * every scalar type, structs, enums and unions.  The whole set also runs with
 * a host that overwrites each byte of shared memory right after the enclave
 * read it.  The hostile cases hand the enclave frames no proxy would write.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "Arrays_u.h"
#include "Functions_u.h"
#include "Pointers_u.h"
#include "Types_u.h"
#include "edl_test.h"

/* The enclaves' tables, exported by the simulated enclave object. */
extern const cove_edge_table Arrays_ecall_table;
extern const cove_edge_table Functions_ecall_table;
extern const cove_edge_table Pointers_ecall_table;
extern const cove_edge_table Types_ecall_table;

typedef struct fixture {
	cove_edge_loopback *arrays, *functions, *pointers, *types;
} fixture;

static cove_enclave *g_functions; /* for the nested ecalls of ocall_function_allow */
static struct {
	cove_edge_status nested_private, nested_public;
	int private_ret;
	const void *user_check_ptr;
	int in_seen, out_seen, inout_seen;
} host_seen;

/* ---- host implementations of the ocalls ---- */

void ocall_function_allow(void)
{
	int r = 0;
	host_seen.nested_private = ecall_function_private(g_functions, &r);
	host_seen.private_ret = r;
	/* Not in this ocall's allow() list. */
	host_seen.nested_public = ecall_function_public(g_functions);
}

void ocall_pointer_user_check(int *val)
{
	host_seen.user_check_ptr = val; /* an enclave address: recorded, never dereferenced */
}

void ocall_pointer_in(int *val)
{
	if (!val)
		return;
	host_seen.in_seen = *val;
	*val = 77;
}

void ocall_pointer_out(int *val)
{
	if (!val)
		return;
	host_seen.out_seen = *val;
	*val = 1234;
}

void ocall_pointer_in_out(int *val)
{
	host_seen.inout_seen = *val;
	*val *= 2;
}

/* ---- fixture ---- */

static cove_edge_loopback *loopback(const cove_edge_table *t)
{
	cove_edge_loopback *lb = NULL;
	cove_error e = {0};
	cove_edge_loopback_config cfg = {.shared_size = 1 << 20, .enclave_size = 1 << 20};
	assert_int_equal(cove_edge_loopback_new(t, &cfg, &lb, &e), COVE_OK);
	return lb;
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	f->arrays = loopback(&Arrays_ecall_table);
	f->functions = loopback(&Functions_ecall_table);
	f->pointers = loopback(&Pointers_ecall_table);
	f->types = loopback(&Types_ecall_table);
	g_functions = cove_edge_loopback_enclave(f->functions);
	memset(&host_seen, 0, sizeof(host_seen));
	edl_marks_reset();
	edl_take_failures();
	*state = f;
	return 0;
}

static void assert_clean(cove_edge_loopback *lb)
{
	/* Every bridge frees what it allocated, on both sides. */
	assert_int_equal(cove_edge_loopback_enclave_in_use(lb), 0);
	assert_int_equal(cove_edge_loopback_shared_in_use(lb), 0);
}

static int teardown(void **state)
{
	fixture *f = *state;
	assert_clean(f->arrays);
	assert_clean(f->functions);
	assert_clean(f->pointers);
	assert_clean(f->types);
	cove_edge_loopback_free(f->arrays);
	cove_edge_loopback_free(f->functions);
	cove_edge_loopback_free(f->pointers);
	cove_edge_loopback_free(f->types);
	free(f);
	return 0;
}

#define CALL_OK(expr)                                         \
	do {                                                  \
		assert_int_equal((expr), COVE_EDGE_OK);       \
		assert_int_equal(edl_take_failures(), 0);     \
	} while (0)

/* ---- round trips ---- */

static void run_arrays(fixture *f)
{
	cove_enclave *enc = cove_edge_loopback_enclave(f->arrays);
	int a[4] = {0, 1, 2, 3};

	CALL_OK(ecall_array_user_check(enc, a));
	assert_int_equal(a[0], 3);
	assert_int_equal(a[3], 0);

	int in[4] = {0, 1, 2, 3};
	CALL_OK(ecall_array_in(enc, in));
	assert_int_equal(in[0], 0); /* the enclave's write stayed inside */

	int out[4] = {-1, -1, -1, -1};
	CALL_OK(ecall_array_out(enc, out));
	for (int i = 0; i < 4; i++)
		assert_int_equal(out[i], 10 + i);

	int io[4] = {0, 1, 2, 3};
	CALL_OK(ecall_array_in_out(enc, io));
	for (int i = 0; i < 4; i++)
		assert_int_equal(io[i], 100 + i);

	array_t isary = {0};
	CALL_OK(ecall_array_isary(enc, isary));
	assert_int_equal(isary[9], 81);

	/* NULL arrays cross as NULL. */
	CALL_OK(ecall_array_in(enc, NULL));
}

static void test_arrays(void **state)
{
	fixture *f = *state;
	run_arrays(f);
	assert_int_equal(edl_marks("array_in"), 2);
}

static void run_functions(fixture *f)
{
	cove_enclave *enc = cove_edge_loopback_enclave(f->functions);
	int r = -1;

	/* A private ecall is not a root entry point (Intel: SGX_ERROR_ECALL_NOT_ALLOWED). */
	assert_int_equal(ecall_function_private(enc, &r), COVE_EDGE_NOT_ALLOWED);
	assert_int_equal(r, -1);
	/* Through the ocall that allow()s it, it is. */
	CALL_OK(ecall_function_public(enc));
	assert_int_equal(host_seen.nested_private, COVE_EDGE_OK);
	assert_int_equal(host_seen.private_ret, 42);
	/* A nested ecall the ocall does not list is refused, public or not. */
	assert_int_equal(host_seen.nested_public, COVE_EDGE_NOT_ALLOWED);
}

static void test_functions(void **state)
{
	fixture *f = *state;
	run_functions(f);
	assert_int_equal(edl_marks("function_private"), 1);
	assert_int_equal(edl_marks("function_public"), 1);
}

static void run_pointers(fixture *f)
{
	cove_enclave *enc = cove_edge_loopback_enclave(f->pointers);
	size_t sum = 0;
	unsigned char bytes[8] = {1, 2, 3, 4, 5, 6, 7, 8};

	CALL_OK(ecall_pointer_user_check(enc, &sum, bytes, sizeof(bytes)));
	assert_int_equal(sum, 36);

	int v = 1234;
	CALL_OK(ecall_pointer_in(enc, &v));
	assert_int_equal(v, 1234);
	CALL_OK(ecall_pointer_in(enc, NULL));

	v = -7;
	CALL_OK(ecall_pointer_out(enc, &v));
	assert_int_equal(v, 1234);

	v = 21;
	CALL_OK(ecall_pointer_in_out(enc, &v));
	assert_int_equal(v, 42);

	char s[] = "hello";
	CALL_OK(ecall_pointer_string(enc, s));
	assert_string_equal(s, "HELLO");
	CALL_OK(ecall_pointer_string_const(enc, "constant"));

	unsigned char buf[100];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)i;
	CALL_OK(ecall_pointer_size(enc, buf, sizeof(buf)));
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], (unsigned char)~i);

	int arr[16];
	for (int i = 0; i < 16; i++)
		arr[i] = i;
	CALL_OK(ecall_pointer_count(enc, arr, 16));
	for (int i = 0; i < 16; i++)
		assert_int_equal(arr[i], -i);
	/* count = 0 crosses as an empty buffer. */
	CALL_OK(ecall_pointer_count(enc, arr, 0));

	char ro[6] = {'r', 'o', '-', 'b', 'u', 'f'};
	CALL_OK(ecall_pointer_isptr_readonly(enc, ro, sizeof(ro)));

	/* The ocalls, made from inside the enclave. */
	memset(&host_seen, 0, sizeof(host_seen));
	CALL_OK(ocall_pointer_attr(enc));
	assert_int_equal(host_seen.in_seen, 5);
	assert_int_equal(host_seen.out_seen, 0); /* the host's [out] copy starts zeroed */
	assert_int_equal(host_seen.inout_seen, 1234);
}

static void test_pointers(void **state)
{
	fixture *f = *state;
	uint8_t *base;
	size_t size;

	run_pointers(f);
	cove_edge_loopback_enclave_region(f->pointers, &base, &size);
	/* user_check handed the host the enclave's own address. */
	assert_true((const uint8_t *)host_seen.user_check_ptr >= base &&
		    (const uint8_t *)host_seen.user_check_ptr < base + size);
	assert_int_equal(edl_marks("pointer_in"), 2);
}

static void run_types(fixture *f)
{
	cove_enclave *enc = cove_edge_loopback_enclave(f->types);
	struct struct_foo_t foo = {1234, 5678};
	union union_foo_t u;

	CALL_OK(ecall_type_char(enc, 0x12));
	CALL_OK(ecall_type_int(enc, -1234));
	CALL_OK(ecall_type_float(enc, 1234.0f));
	CALL_OK(ecall_type_double(enc, 1234.5));
	CALL_OK(ecall_type_size_t(enc, (size_t)0x123456789abcdef0u));
	CALL_OK(ecall_type_wchar_t(enc, L'\x1234'));
	CALL_OK(ecall_type_struct(enc, foo));
	memset(&u, 0, sizeof(u));
	CALL_OK(ecall_type_enum_union(enc, ENUM_FOO_1, &u));
	assert_int_equal(u.union_foo_3, 3);
}

static void test_types(void **state)
{
	fixture *f = *state;
	run_types(f);
	assert_int_equal(edl_marks("type_struct"), 1);
}

/* Every round trip again, with a host that spoils shared memory after each enclave read. */
static void test_scribbling_host(void **state)
{
	fixture *f = *state;
	unsigned before = edl_scribbles();

	cove_edge_loopback_set_fetch_hook(f->arrays, edl_scribble_hook, NULL);
	cove_edge_loopback_set_fetch_hook(f->functions, edl_scribble_hook, NULL);
	cove_edge_loopback_set_fetch_hook(f->pointers, edl_scribble_hook, NULL);
	cove_edge_loopback_set_fetch_hook(f->types, edl_scribble_hook, NULL);
	run_arrays(f);
	run_functions(f);
	run_pointers(f);
	run_types(f);
	/* Frames, inputs and ocall outputs: dozens of reads were spoiled, none mattered. */
	assert_true(edl_scribbles() - before > 60);
}

/* ---- hostile host ---- */

static const char SECRET[] = "enclave-secret-0123456789";

typedef struct hostile {
	cove_edge_loopback *lb;
	uint8_t *secret;
	uint8_t *snap;
	uint8_t *shared;
	size_t shared_size;
	uint8_t *enclave;
	size_t enclave_size;
} hostile;

static void hostile_begin(hostile *h, cove_edge_loopback *lb)
{
	h->lb = lb;
	h->secret = cove_edge_loopback_enclave_alloc(lb, sizeof(SECRET));
	assert_non_null(h->secret);
	memcpy(h->secret, SECRET, sizeof(SECRET));
	cove_edge_loopback_shared_region(lb, &h->shared, &h->shared_size);
	cove_edge_loopback_enclave_region(lb, &h->enclave, &h->enclave_size);
	/* The loopback places the enclave right after the marshalling area. */
	assert_ptr_equal(h->shared + h->shared_size, h->enclave);
	h->snap = edl_snapshot_enclave(lb);
	assert_non_null(h->snap);
	edl_marks_reset();
}

static void hostile_end(hostile *h)
{
	assert_true(edl_enclave_unchanged(h->lb, h->snap));
	assert_memory_equal(h->secret, SECRET, sizeof(SECRET));
	free(h->snap);
	cove_edge_loopback_enclave_free(h->lb, h->secret);
}

/* A marshalling-area block written by the "host", as no proxy would. */
static void *shared_block(cove_edge_loopback *lb, size_t n)
{
	void *p = NULL;
	assert_int_equal(cove_edge_alloc_untrusted(cove_edge_loopback_untrusted(lb), n, &p), COVE_EDGE_OK);
	return p;
}

static void shared_free(cove_edge_loopback *lb, void *p)
{
	cove_edge_free_untrusted(cove_edge_loopback_untrusted(lb), p);
}

/* Send hand-made input bytes as ecall `id`; the output buffer has out_size bytes. */
static cove_edge_status raw_ecall(cove_edge_loopback *lb, uint32_t id, const void *in, size_t in_size, size_t out_size,
				  void **out_copy)
{
	void *ib = shared_block(lb, in_size);
	void *ob = shared_block(lb, out_size);
	memcpy(ib, in, in_size);
	cove_edge_status st = cove_edge_call_ecall(cove_edge_loopback_enclave(lb), id, 0, &Pointers_ocall_table, ib,
						   in_size, ob, out_size);
	if (out_copy) {
		*out_copy = malloc(out_size);
		memcpy(*out_copy, ob, out_size);
	}
	shared_free(lb, ob);
	shared_free(lb, ib);
	return st;
}

/* Write a frame in the marshalling area; returns its offset. */
static size_t put_frame(hostile *h, const cove_edge_frame *fr, void **block)
{
	*block = shared_block(h->lb, sizeof(*fr));
	memcpy(*block, fr, sizeof(*fr));
	return (size_t)((uint8_t *)*block - h->shared);
}

static cove_edge_frame frame_for(hostile *h, uint32_t id, const void *in, size_t in_size, const void *out,
				 size_t out_size)
{
	cove_edge_frame fr;
	memset(&fr, 0, sizeof(fr));
	fr.magic = COVE_EDGE_FRAME_MAGIC;
	fr.version = COVE_EDGE_ABI_VERSION;
	fr.kind = COVE_EDGE_KIND_ECALL;
	fr.id = id;
	fr.in_off = (uint64_t)((const uint8_t *)in - h->shared);
	fr.in_size = in_size;
	fr.out_off = (uint64_t)((const uint8_t *)out - h->shared);
	fr.out_size = out_size;
	return fr;
}

static cove_edge_status deliver(hostile *h, const cove_edge_frame *fr)
{
	void *blk;
	size_t off = put_frame(h, fr, &blk);
	cove_edge_status st = cove_edge_loopback_deliver(h->lb, off, &Pointers_ocall_table);
	shared_free(h->lb, blk);
	return st;
}

static void test_hostile_frame_points_into_enclave(void **state)
{
	fixture *f = *state;
	hostile h;
	hostile_begin(&h, f->pointers);
	cove_args_ecall_pointer_in a;
	memset(&a, 0, sizeof(a));
	a._cove_has_val = 1;
	uint8_t *in = shared_block(h.lb, 64);
	uint8_t *out = shared_block(h.lb, 64);
	memcpy(in, &a, sizeof(a));

	/* Input range runs off the end of the marshalling area into the enclave (the secret). */
	cove_edge_frame fr = frame_for(&h, POINTERS_ECALL_ecall_pointer_in, in, 64, out, 64);
	fr.in_off = h.shared_size - 16;
	fr.in_size = 64;
	assert_int_equal(deliver(&h, &fr), COVE_EDGE_BAD_POINTER);
	/* An offset beyond the area altogether: the secret's own address. */
	fr.in_off = (uint64_t)(h.secret - h.shared);
	fr.in_size = 16;
	assert_int_equal(deliver(&h, &fr), COVE_EDGE_BAD_POINTER);
	/* Output into enclave memory. */
	fr = frame_for(&h, POINTERS_ECALL_ecall_pointer_in, in, 64, out, 64);
	fr.out_off = (uint64_t)(h.secret - h.shared);
	assert_int_equal(deliver(&h, &fr), COVE_EDGE_BAD_POINTER);
	/* A size that wraps the offset arithmetic. */
	fr = frame_for(&h, POINTERS_ECALL_ecall_pointer_in, in, 64, out, 64);
	fr.in_size = UINT64_MAX - 8;
	assert_int_equal(deliver(&h, &fr), COVE_EDGE_BAD_POINTER);
	/* Misaligned, overlapping, unknown function, wrong magic or kind. */
	fr = frame_for(&h, POINTERS_ECALL_ecall_pointer_in, in + 8, 32, out, 64);
	assert_int_equal(deliver(&h, &fr), COVE_EDGE_BAD_POINTER);
	fr = frame_for(&h, POINTERS_ECALL_ecall_pointer_in, in, 64, in + 32, 32);
	assert_int_equal(deliver(&h, &fr), COVE_EDGE_BAD_FRAME);
	fr = frame_for(&h, 999, in, 64, out, 64);
	assert_int_equal(deliver(&h, &fr), COVE_EDGE_INVALID_FUNCTION);
	fr = frame_for(&h, POINTERS_ECALL_ecall_pointer_in, in, 64, out, 64);
	fr.magic ^= 1;
	assert_int_equal(deliver(&h, &fr), COVE_EDGE_BAD_FRAME);
	fr = frame_for(&h, POINTERS_ECALL_ecall_pointer_in, in, 64, out, 64);
	fr.kind = COVE_EDGE_KIND_OCALL;
	assert_int_equal(deliver(&h, &fr), COVE_EDGE_BAD_FRAME);
	/* A frame slot that itself hangs over the end of the area. */
	assert_int_equal(cove_edge_loopback_deliver(h.lb, h.shared_size - 32, NULL), COVE_EDGE_BAD_FRAME);
	assert_int_equal(edl_marks("pointer_in"), 0);
	/* The same frame, well formed, is served (the checks are not just refusing everything). */
	fr = frame_for(&h, POINTERS_ECALL_ecall_pointer_in, in, 64, out, 64);
	((cove_args_ecall_pointer_in *)(void *)in)->_cove_has_val = 0;
	assert_int_equal(deliver(&h, &fr), COVE_EDGE_OK);
	assert_int_equal(edl_marks("pointer_in"), 1);
	shared_free(h.lb, out);
	shared_free(h.lb, in);
	cove_edge_loopback_stats stats;
	cove_edge_loopback_get_stats(h.lb, &stats);
	assert_true(stats.refused_frames >= 8);
	hostile_end(&h);
}

/* The bridge itself refuses buffers in enclave memory, whoever delivers them. */
static void test_hostile_buffers_in_enclave(void **state)
{
	fixture *f = *state;
	hostile h;
	hostile_begin(&h, f->pointers);
	const cove_edge_transport *t = cove_edge_loopback_trusted(h.lb);
	uint8_t *out = shared_block(h.lb, 64);
	uint8_t *in = shared_block(h.lb, 64);

	assert_int_equal(cove_edge_dispatch_ecall(t, &Pointers_ecall_table, POINTERS_ECALL_ecall_pointer_in, h.secret,
						  sizeof(SECRET), out, 64),
			 COVE_EDGE_BAD_POINTER);
	/* Straddling the boundary counts as inside. */
	assert_int_equal(cove_edge_dispatch_ecall(t, &Pointers_ecall_table, POINTERS_ECALL_ecall_pointer_in,
						  h.shared + h.shared_size - 8, 64, out, 64),
			 COVE_EDGE_BAD_POINTER);
	assert_int_equal(cove_edge_dispatch_ecall(t, &Pointers_ecall_table, POINTERS_ECALL_ecall_pointer_in, in, 64,
						  h.secret, 32),
			 COVE_EDGE_BAD_POINTER);
	/* A host proxy refuses the caller's own pointers into the enclave (OE: OE_INVALID_PARAMETER). */
	assert_int_equal(ecall_pointer_in(cove_edge_loopback_enclave(h.lb), (int *)(void *)h.secret),
			 COVE_EDGE_BAD_POINTER);
	assert_int_equal(ecall_pointer_out(cove_edge_loopback_enclave(h.lb), (int *)(void *)h.secret),
			 COVE_EDGE_BAD_POINTER);
	assert_int_equal(edl_marks("pointer_in") + edl_marks("pointer_out"), 0);
	shared_free(h.lb, in);
	shared_free(h.lb, out);
	hostile_end(&h);
}

static void test_hostile_sizes_overflow(void **state)
{
	fixture *f = *state;
	hostile h;
	hostile_begin(&h, f->pointers);
	uint8_t in[64];

	/* count * sizeof(int) wraps size_t. */
	cove_args_ecall_pointer_count c;
	memset(&c, 0, sizeof(c));
	c._cove_has_arr = 1;
	c.cnt = SIZE_MAX / sizeof(int) + 2;
	memset(in, 0, sizeof(in));
	memcpy(in, &c, sizeof(c));
	assert_int_equal(raw_ecall(h.lb, POINTERS_ECALL_ecall_pointer_count, in, sizeof(in), 256, NULL),
			 COVE_EDGE_OVERFLOW);
	/* A product that fits but exceeds what was sent. */
	c.cnt = SIZE_MAX / sizeof(int) - 1;
	memcpy(in, &c, sizeof(c));
	assert_int_equal(raw_ecall(h.lb, POINTERS_ECALL_ecall_pointer_count, in, sizeof(in), 256, NULL),
			 COVE_EDGE_BUFFER_TOO_SMALL);
	/* size= near SIZE_MAX. */
	cove_args_ecall_pointer_size s;
	memset(&s, 0, sizeof(s));
	s._cove_has_ptr = 1;
	s.len = SIZE_MAX;
	memcpy(in, &s, sizeof(s));
	assert_int_equal(raw_ecall(h.lb, POINTERS_ECALL_ecall_pointer_size, in, sizeof(in), 256, NULL),
			 COVE_EDGE_BUFFER_TOO_SMALL);
	s.len = SIZE_MAX - COVE_EDGE_ALIGN + 1;
	memcpy(in, &s, sizeof(s));
	assert_int_equal(raw_ecall(h.lb, POINTERS_ECALL_ecall_pointer_size, in, sizeof(in), 256, NULL),
			 COVE_EDGE_BUFFER_TOO_SMALL);
	/* A string length near SIZE_MAX. */
	cove_args_ecall_pointer_string_const sc;
	memset(&sc, 0, sizeof(sc));
	sc._cove_has_str = 1;
	sc._cove_len_str = UINT64_MAX;
	memcpy(in, &sc, sizeof(sc));
	assert_int_equal(raw_ecall(h.lb, POINTERS_ECALL_ecall_pointer_string_const, in, sizeof(in), 256, NULL),
			 COVE_EDGE_BUFFER_TOO_SMALL);
	/* An input shorter than the args struct; an output too small for the results. */
	assert_int_equal(raw_ecall(h.lb, POINTERS_ECALL_ecall_pointer_count, in, 8, 256, NULL),
			 COVE_EDGE_BUFFER_TOO_SMALL);
	cove_args_ecall_pointer_out o;
	memset(&o, 0, sizeof(o));
	o._cove_has_val = 1;
	memcpy(in, &o, sizeof(o));
	assert_int_equal(raw_ecall(h.lb, POINTERS_ECALL_ecall_pointer_out, in, sizeof(in), COVE_EDGE_OUT_HEADER_SIZE, NULL),
			 COVE_EDGE_BUFFER_TOO_SMALL);
	assert_int_equal(raw_ecall(h.lb, POINTERS_ECALL_ecall_pointer_out, in, sizeof(in), 8, NULL),
			 COVE_EDGE_BUFFER_TOO_SMALL);
	/* None of the functions ran: results never come back from a call that did not happen. */
	assert_int_equal(edl_marks("pointer_count") + edl_marks("pointer_size") + edl_marks("pointer_out") +
				 edl_marks("pointer_string_const"),
			 0);
	hostile_end(&h);
}

static size_t string_input(uint8_t *in, size_t cap, const char *bytes, size_t n, uint64_t len)
{
	cove_args_ecall_pointer_string_const sc;
	size_t at = (sizeof(sc) + COVE_EDGE_ALIGN - 1) / COVE_EDGE_ALIGN * COVE_EDGE_ALIGN;
	memset(in, 0, cap);
	memset(&sc, 0, sizeof(sc));
	sc._cove_has_str = 1;
	sc._cove_len_str = len;
	memcpy(in, &sc, sizeof(sc));
	memcpy(in + at, bytes, n);
	return at + n;
}

static void test_hostile_strings(void **state)
{
	fixture *f = *state;
	hostile h;
	hostile_begin(&h, f->pointers);
	uint8_t in[128];
	size_t n;

	/* No terminator within the declared length. */
	n = string_input(in, sizeof(in), "constant", 8, 8);
	assert_int_equal(raw_ecall(h.lb, POINTERS_ECALL_ecall_pointer_string_const, in, n, 64, NULL), COVE_EDGE_BAD_STRING);
	/* A terminator, but not at the end (Intel's len == strlen + 1). */
	n = string_input(in, sizeof(in), "con\0tant", 9, 9);
	assert_int_equal(raw_ecall(h.lb, POINTERS_ECALL_ecall_pointer_string_const, in, n, 64, NULL), COVE_EDGE_BAD_STRING);
	/* A zero length. */
	n = string_input(in, sizeof(in), "", 1, 0);
	assert_int_equal(raw_ecall(h.lb, POINTERS_ECALL_ecall_pointer_string_const, in, n, 64, NULL), COVE_EDGE_BAD_STRING);
	/* A length beyond the bytes sent, so the string would run past the buffer. */
	n = string_input(in, sizeof(in), "constant", 9, 200);
	assert_int_equal(raw_ecall(h.lb, POINTERS_ECALL_ecall_pointer_string_const, in, n, 64, NULL),
			 COVE_EDGE_BUFFER_TOO_SMALL);
	assert_int_equal(edl_marks("pointer_string_const"), 0);
	/* Exactly right is accepted. */
	n = string_input(in, sizeof(in), "constant", 9, 9);
	assert_int_equal(raw_ecall(h.lb, POINTERS_ECALL_ecall_pointer_string_const, in, n, 64, NULL), COVE_EDGE_OK);
	assert_int_equal(edl_marks("pointer_string_const"), 1);
	assert_int_equal(edl_take_failures(), 0);
	hostile_end(&h);
}

/* A host that changes the frame and the input right after the enclave's first (only) read. */
typedef struct toctou {
	hostile *h;
	size_t in_size;
	unsigned frames, inputs;
} toctou;

static void toctou_hook(void *arg, void *shared, size_t n)
{
	toctou *x = arg;
	if (n == sizeof(cove_edge_frame)) {
		/* Point the frame's input at the enclave secret and blow up its size. */
		cove_edge_frame *fr = shared;
		fr->in_off = (uint64_t)(x->h->secret - x->h->shared);
		fr->in_size = UINT64_MAX / 2;
		fr->id = 999;
		x->frames++;
	} else if (n == x->in_size) {
		/* Rewrite the count and the data the bridge already copied. */
		cove_args_ecall_pointer_count *a = shared;
		a->cnt = SIZE_MAX / sizeof(int) + 2;
		memset((uint8_t *)shared + sizeof(*a), 0xEE, n - sizeof(*a));
		x->inputs++;
	}
}

static void test_hostile_toctou(void **state)
{
	fixture *f = *state;
	hostile h;
	hostile_begin(&h, f->pointers);
	toctou x = {.h = &h};
	int arr[8];

	for (int i = 0; i < 8; i++)
		arr[i] = i;
	/* Input = args struct (rounded) + 8 ints. */
	x.in_size = (sizeof(cove_args_ecall_pointer_count) + COVE_EDGE_ALIGN - 1) / COVE_EDGE_ALIGN * COVE_EDGE_ALIGN +
		    sizeof(arr);
	cove_edge_loopback_set_fetch_hook(h.lb, toctou_hook, &x);
	/* The enclave still sees 0..7 (its ENC_CHECKs) and answers with -0..-7. */
	assert_int_equal(ecall_pointer_count(cove_edge_loopback_enclave(h.lb), arr, 8), COVE_EDGE_OK);
	assert_int_equal(edl_take_failures(), 0);
	cove_edge_loopback_set_fetch_hook(h.lb, NULL, NULL);
	assert_int_equal(x.frames, 1);
	assert_int_equal(x.inputs, 1);
	for (int i = 0; i < 8; i++)
		assert_int_equal(arr[i], -i);
	assert_int_equal(edl_marks("pointer_count"), 1);
	hostile_end(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_arrays, setup, teardown),
		cmocka_unit_test_setup_teardown(test_functions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pointers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scribbling_host, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_frame_points_into_enclave, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_buffers_in_enclave, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_sizes_overflow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_strings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_toctou, setup, teardown),
	};
	return cmocka_run_group_tests_name("edl_intel", tests, NULL, NULL);
}
