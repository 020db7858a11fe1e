/*
 * The enclave runtime end to end: a signed test enclave (runtime.edl) started
 * by cove_enclave_create in its own loader process on an emulated platform in
 * a scratch directory.  Calls of every shape, nested and switchless calls,
 * several host threads, the trusted API (sealing across enclave instances,
 * local attestation, quotes checked by cove's DCAP verifier), refusal of
 * tampered images, crashes and seccomp violations reported as errors, and a
 * hostile host posting malformed frames through the real channel.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <seccomp.h>
#include <sys/wait.h>

#include "cove/bytes.h"
#include "cove/dcap.h"
#include "cove/dcap_collateral.h"
#include "cove/dcap_verify.h"
#include "cove/enclave_image.h"
#include "cove/host.h"
#include "cove/platform.h"
#include "host/runtime_test.h"
#include "runtime_u.h"
#include "support/expect.h"
#include "runtime_fixture.h"


static int group_setup(void **state)
{
	(void)state;
	return rt_fixture_setup("runtime");
}

static int group_teardown(void **state)
{
	(void)state;
	rt_fixture_teardown();
	return 0;
}

/* A call that must succeed; on failure, show why the enclave is gone. */
#define CALL_OK(enc, expr)                                                                              \
	do {                                                                                            \
		cove_edge_status st_ = (expr);                                                          \
		if (st_ != COVE_EDGE_OK)                                                                \
			fail_msg("%s: %s (%s)", #expr, cove_edge_status_name(st_),                      \
				 cove_enclave_lost_reason(enc) ? cove_enclave_lost_reason(enc) : "enclave alive"); \
	} while (0)

/* ---- ocalls ---- */

static uint8_t stack_probe[32];
static int stack_probe_done;

void ocall_noop(void)
{
}

void ocall_noop_switchless(void)
{
}

void ocall_secret_on_stack(uint64_t addr)
{
	(void)addr;
	stack_probe_done = 1;
	memset(stack_probe, 0, sizeof(stack_probe));
}

static cove_enclave *current;

int ocall_reenter(int depth)
{
	int r = -1;
	if (ecall_nested_inner(current, &r, depth) != COVE_EDGE_OK)
		return -500;
	return r;
}

/* ---- tests ---- */

static void test_measurement_matches_signing(void **state)
{
	cove_enclave *enc = rt_start(0);
	cove_enclave_info info;
	cove_buf img = {0};
	cove_enclave_image *im = NULL;
	uint8_t mr[32], in_mre[32], in_mrs[32];
	int secret = -1, rc = -1;
	cove_error e = {0};

	(void)state;
	assert_int_equal(cove_enclave_get_info(enc, &info, &e), COVE_OK);
	assert_int_equal(cove_file_read(COVE_TEST_RUNTIME_ENCLAVE, COVE_ENCLAVE_IMAGE_MAX, &img, &e), COVE_OK);
	assert_int_equal(cove_enclave_image_parse(img.data, img.len, &im, &e), COVE_OK);
	assert_int_equal(cove_enclave_image_measure(im, mr, &e), COVE_OK);
	assert_memory_equal(mr, info.mr_enclave, 32);
	CALL_OK(enc, ecall_identity(enc, &rc, in_mre, in_mrs, &secret));
	assert_int_equal(rc, 0);
	assert_memory_equal(in_mre, info.mr_enclave, 32);
	assert_memory_equal(in_mrs, info.mr_signer, 32);
	assert_int_equal(secret, info.secret_memory);
	assert_int_equal(info.isv_prod_id, 11);
	assert_int_equal(info.isv_svn, 2);
	assert_int_equal(info.tcs_count, 4);
	assert_false(info.debug);
	assert_true(info.pid > 0 && info.pid != getpid());
	cove_enclave_image_free(im);
	cove_buf_free(&img);
	cove_enclave_terminate(enc);
}

static void test_calls(void **state)
{
	cove_enclave *enc = rt_start(0);
	int r = 0;
	uint64_t sum = 0;
	size_t n = 0;
	size_t big = 1u << 20;
	uint8_t *in = malloc(big), *out = malloc(big);
	uint64_t want = 0;

	(void)state;
	CALL_OK(enc, ecall_add(enc, &r, 40, 2));
	assert_int_equal(r, 42);
	for (size_t i = 0; i < big; i++) {
		in[i] = (uint8_t)(i * 7 + 3);
		want += in[i];
	}
	CALL_OK(enc, ecall_echo(enc, &sum, in, out, big));
	assert_int_equal(sum, want);
	assert_memory_equal(in, out, big);
	CALL_OK(enc, ecall_echo(enc, &sum, in, out, 0));
	CALL_OK(enc, ecall_strlen(enc, &n, "confidential"));
	assert_int_equal(n, 12);
	CALL_OK(enc, ecall_noop(enc));
	free(in);
	free(out);
	cove_enclave_terminate(enc);
}

static void test_nested_and_private(void **state)
{
	cove_enclave *enc = rt_start(0);
	int r = -1;

	(void)state;
	current = enc;
	CALL_OK(enc, ecall_nested(enc, &r, 6));
	assert_int_equal(r, 6);
	/* The private ecall is reachable only from the ocall that allows it. */
	assert_int_equal(ecall_nested_inner(enc, &r, 1), COVE_EDGE_NOT_ALLOWED);
	CALL_OK(enc, ecall_add(enc, &r, 1, 2));
	assert_int_equal(r, 3);
	current = NULL;
	cove_enclave_terminate(enc);
}

static void test_switchless(void **state)
{
	cove_enclave *enc = rt_start(0);
	cove_error e = {0};
	int r = 0;

	(void)state;
	for (int i = 0; i < 2000; i++)
		CALL_OK(enc, ecall_noop_switchless(enc));
	assert_int_equal(cove_enclave_set_ocall_workers(enc, 1, &e), COVE_OK);
	CALL_OK(enc, ecall_ocall_loop(enc, &r, 2000, 1));
	assert_int_equal(r, 2000);
	CALL_OK(enc, ecall_ocall_loop(enc, &r, 2000, 0));
	assert_int_equal(r, 2000);
	cove_enclave_terminate(enc);
}

typedef struct worker_arg {
	cove_enclave *enc;
	int base;
	int failures;
} worker_arg;

static void *hammer(void *p)
{
	worker_arg *a = p;
	for (int i = 0; i < 3000; i++) {
		int r = 0;
		if (ecall_add(a->enc, &r, a->base, i) != COVE_EDGE_OK || r != a->base + i)
			a->failures++;
	}
	return NULL;
}

static void test_threads(void **state)
{
	cove_enclave *enc = rt_start(0);
	pthread_t th[6];
	worker_arg args[6];

	(void)state;
	/* More host threads than TCS: callers wait for a free enclave thread. */
	for (int i = 0; i < 6; i++) {
		args[i] = (worker_arg){enc, i * 100000, 0};
		assert_int_equal(pthread_create(&th[i], NULL, hammer, &args[i]), 0);
	}
	for (int i = 0; i < 6; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(args[i].failures, 0);
	}
	cove_enclave_terminate(enc);
}

static void test_seal_across_instances(void **state)
{
	cove_enclave *a = rt_start(0), *b;
	uint8_t blob[2048], text[64];
	size_t blob_len = 0, text_len = 0;
	int r = -1;
	const char *secret = "the launch codes";

	(void)state;
	CALL_OK(a, ecall_seal(a, &r, COVE_SGX_KEYPOLICY_MRENCLAVE, (const uint8_t *)secret, strlen(secret), blob,
				    sizeof(blob), &blob_len));
	assert_int_equal(r, 0);
	cove_enclave_terminate(a);

	b = rt_start(0);
	CALL_OK(b, ecall_unseal(b, &r, blob, blob_len, text, sizeof(text), &text_len));
	assert_int_equal(r, 0);
	assert_int_equal(text_len, strlen(secret));
	assert_memory_equal(text, secret, text_len);
	/* A flipped ciphertext byte is refused inside the enclave. */
	blob[blob_len - 1] ^= 1;
	CALL_OK(b, ecall_unseal(b, &r, blob, blob_len, text, sizeof(text), &text_len));
	assert_int_equal(r, -(int)COVE_ERR_VERIFY);
	cove_enclave_terminate(b);
}

static void test_local_attestation(void **state)
{
	cove_enclave *a = rt_start(0), *b = rt_start(0);
	uint8_t ti[512], rd[64], report[432];
	int r = -1;

	(void)state;
	memset(rd, 0x5a, sizeof(rd));
	CALL_OK(b, ecall_target_info(b, &r, ti));
	assert_int_equal(r, 0);
	CALL_OK(a, ecall_report(a, &r, ti, rd, report));
	assert_int_equal(r, 0);
	CALL_OK(b, ecall_verify_report(b, &r, report));
	assert_int_equal(r, 0);
	report[320] ^= 0x01; /* report data */
	CALL_OK(b, ecall_verify_report(b, &r, report));
	assert_int_equal(r, -(int)COVE_ERR_VERIFY);
	cove_enclave_terminate(a);
	cove_enclave_terminate(b);
}

static void test_quote_verifies_only_with_emulated_root(void **state)
{
	cove_enclave *enc = rt_start(0);
	cove_enclave_info info;
	uint8_t rd[64], quote_buf[16384], spki[32];
	size_t quote_len = 0;
	int r = -1;
	cove_error e = {0};
	cove_platform *p = NULL;
	cove_dcap_collateral coll;
	cove_dcap_quote q;
	cove_dcap_verifier *emu = NULL, *intel = NULL;
	cove_dcap_policy pol;
	cove_dcap_verify_opts vo = {0};
	cove_result *res = NULL;

	(void)state;
	memset(&coll, 0, sizeof(coll));
	for (int i = 0; i < 64; i++)
		rd[i] = (uint8_t)i;
	assert_int_equal(cove_enclave_get_info(enc, &info, &e), COVE_OK);
	CALL_OK(enc, ecall_quote(enc, &r, rd, quote_buf, sizeof(quote_buf), &quote_len));
	assert_int_equal(r, 0);
	assert_int_equal(cove_dcap_quote_parse(quote_buf, quote_len, &q, &e), COVE_OK);
	assert_int_equal(cove_platform_open(rt_platform_dir, false, &p, &e), COVE_OK);
	assert_int_equal(cove_platform_sgx_collateral(p, &coll, &e), COVE_OK);
	assert_int_equal(cove_platform_sgx_root(p, spki, &e), COVE_OK);

	cove_dcap_policy_init(&pol);
	memcpy(pol.mr_enclaves[0], info.mr_enclave, 32);
	pol.n_mr_enclaves = 1;
	memcpy(pol.report_data, rd, 64);
	pol.has_report_data = true;
	if (!info.secret_memory)
		assert_int_equal(cove_dcap_policy_accept(&pol, "UpToDate,SWHardeningNeeded,ConfigurationNeeded", &e),
				 COVE_OK);

	assert_int_equal(cove_dcap_verifier_new(&emu, &e), COVE_OK);
	assert_int_equal(cove_dcap_verifier_add_root(emu, spki, COVE_PLATFORM_NAME, true, &e), COVE_OK);
	assert_int_equal(cove_dcap_verify(emu, &q, &coll, &pol, &vo, &res, &e), COVE_OK);
	if (!res->ok) {
		char *s = json_dumps(res->claims, 0);
		fail_msg("emulated-root verification refused the enclave's quote: %s", s);
	}
	cove_result_free(res);
	res = NULL;

	assert_int_equal(cove_dcap_verifier_new(&intel, &e), COVE_OK);
	assert_int_equal(cove_dcap_verify(intel, &q, &coll, &pol, &vo, &res, &e), COVE_OK);
	assert_false(res->ok);
	assert_false(res->authentic);
	cove_result_free(res);

	cove_dcap_verifier_free(emu);
	cove_dcap_verifier_free(intel);
	cove_dcap_policy_free(&pol);
	cove_dcap_collateral_free(&coll);
	cove_dcap_quote_free(&q);
	cove_platform_free(p);
	cove_enclave_terminate(enc);
}

static void test_crash_is_reported(void **state)
{
	cove_enclave *enc = rt_start(0);
	int r = 0;

	(void)state;
	assert_int_equal(ecall_crash(enc), COVE_EDGE_ENCLAVE_LOST);
	assert_non_null(cove_enclave_lost_reason(enc));
	assert_non_null(strstr(cove_enclave_lost_reason(enc), "signal 11"));
	assert_int_equal(ecall_add(enc, &r, 1, 1), COVE_EDGE_ENCLAVE_LOST);
	cove_enclave_terminate(enc);
}

static void test_forbidden_syscall_is_reported(void **state)
{
	cove_enclave *enc = rt_start(0);
	int r = 0;
	const char *why;

	(void)state;
	assert_int_equal(ecall_forbidden_syscall(enc, &r), COVE_EDGE_ENCLAVE_LOST);
	why = cove_enclave_lost_reason(enc);
	assert_non_null(why);
	assert_non_null(strstr(why, "seccomp"));
	assert_non_null(strstr(why, "socket"));
	cove_enclave_terminate(enc);
}

static void create_expect(const char *path, uint32_t flags, cove_err want, const char *msg)
{
	cove_enclave_create_opts o = {.platform_dir = rt_platform_dir};
	cove_enclave *enc = NULL;
	cove_error e = {0};

	assert_int_equal(cove_enclave_create(path, COVE_ENCLAVE_FLAG_EMULATED | flags, &o, &enc, &e), want);
	assert_null(enc);
	cove_test_expect_msg(&e, msg);
}

static void write_variant(const char *path, const cove_buf *img, size_t flip_at)
{
	cove_error e = {0};
	uint8_t *copy = malloc(img->len);

	memcpy(copy, img->data, img->len);
	if (flip_at < img->len)
		copy[flip_at] ^= 0x20;
	assert_int_equal(cove_file_write(path, copy, img->len, 0600, &e), COVE_OK);
	free(copy);
}

static void test_tampered_images_do_not_load(void **state)
{
	cove_buf img = {0};
	cove_enclave_image *im = NULL;
	const uint8_t *sig = NULL;
	const cove_enclave_segment *seg;
	char path[600];
	cove_error e = {0};
	size_t sig_off, code_off;

	(void)state;
	snprintf(path, sizeof(path), "%s/tampered.so", rt_scratch());
	assert_int_equal(cove_file_read(COVE_TEST_RUNTIME_ENCLAVE, COVE_ENCLAVE_IMAGE_MAX, &img, &e), COVE_OK);
	assert_int_equal(cove_enclave_image_parse(img.data, img.len, &im, &e), COVE_OK);
	assert_int_equal(cove_enclave_image_sigstruct(im, &sig, &e), COVE_OK);
	assert_non_null(sig);
	sig_off = (size_t)(sig - img.data);
	seg = cove_enclave_image_segment(im, cove_enclave_image_segment_count(im) / 2);
	code_off = (size_t)seg->offset + (size_t)seg->filesz / 2;
	cove_enclave_image_free(im);

	/* A byte of a loaded segment: MRENCLAVE no longer matches ENCLAVEHASH. */
	write_variant(path, &img, code_off);
	create_expect(path, 0, COVE_ERR_VERIFY, "MRENCLAVE");
	/* ENCLAVEHASH inside the SIGSTRUCT (offset 960): the RSA signature fails. */
	write_variant(path, &img, sig_off + 960);
	create_expect(path, 0, COVE_ERR_VERIFY, "does not verify");
	/* The unsigned image does not load at all. */
	create_expect(COVE_TEST_RUNTIME_UNSIGNED, 0, COVE_ERR_VERIFY, "not signed");
	cove_buf_free(&img);
}

static void test_debug_launch(void **state)
{
	cove_enclave *enc = rt_start(COVE_ENCLAVE_FLAG_DEBUG);
	cove_enclave_info info;
	cove_error e = {0};

	(void)state;
	assert_int_equal(cove_enclave_get_info(enc, &info, &e), COVE_OK);
	assert_true(info.debug);
	assert_true(info.attr_flags & COVE_SGX_ATTR_DEBUG);
	cove_enclave_terminate(enc);
}

/* ---- a hostile host: malformed frames posted on a real channel ---- */

#define raw(enc, f, want) raw_at(enc, f, want, __LINE__)

static void raw_at(cove_enclave *enc, const cove_edge_frame *f, cove_edge_status want, int line)
{
	cove_edge_status st = COVE_EDGE_OK;
	cove_error e = {0};

	assert_int_equal(cove_host_test_raw_ecall(enc, f, &st, &e), COVE_OK);
	if (st != want)
		fail_msg("line %d: the enclave answered %s, expected %s", line, cove_edge_status_name(st),
			 cove_edge_status_name(want));
}

static void test_hostile_frames(void **state)
{
	cove_enclave *enc = rt_start(0);
	const cove_edge_transport *t = cove_edge_enclave_transport(enc);
	cove_edge_frame f, good;
	uint8_t *buf = t->ops->alloc_untrusted(t->ctx, 4096);
	size_t area = 0;
	int r = 0;
	cove_error e = {0};

	(void)state;
	assert_non_null(buf);
	assert_int_equal(cove_host_test_area(enc, buf, &area, &e), COVE_OK);
	memset(&good, 0, sizeof(good));
	good.magic = COVE_EDGE_FRAME_MAGIC;
	good.version = COVE_EDGE_ABI_VERSION;
	good.kind = COVE_EDGE_KIND_ECALL;
	good.id = 0; /* ecall_add */
	good.in_off = area;
	good.in_size = 64;
	good.out_off = area + 2048;
	good.out_size = 64;

	f = good;
	f.magic ^= 1;
	raw(enc, &f, COVE_EDGE_BAD_FRAME);
	f = good;
	f.kind = COVE_EDGE_KIND_OCALL;
	raw(enc, &f, COVE_EDGE_BAD_FRAME);
	f = good;
	f.in_off = UINT64_MAX - 8; /* wraps: outside the marshalling area */
	raw(enc, &f, COVE_EDGE_BAD_POINTER);
	f = good;
	f.out_size = UINT64_MAX / 2; /* larger than the area */
	raw(enc, &f, COVE_EDGE_BAD_POINTER);
	f = good;
	f.out_off = good.in_off + 16; /* overlaps the input */
	raw(enc, &f, COVE_EDGE_BAD_FRAME);
	f = good;
	f.id = 1000;
	raw(enc, &f, COVE_EDGE_INVALID_FUNCTION);
	f = good;
	f.in_size = 1; /* shorter than the args struct */
	raw(enc, &f, COVE_EDGE_BUFFER_TOO_SMALL);
	f = good;
	f.reserved = 1;
	raw(enc, &f, COVE_EDGE_BAD_FRAME);

	/*
	 * Argument structs a generated proxy would never write (ids: the EDL's
	 * order, 3 = ecall_echo, 4 = ecall_strlen, 20 = ecall_sum).
	 */
	{
		cove_args_ecall_echo a = {1, 1, SIZE_MAX - 8};
		cove_args_ecall_strlen sa = {1, 5};
		cove_args_ecall_sum su = {1, SIZE_MAX / 4}; /* n * 8 bytes wraps */
		memcpy(buf, &su, sizeof(su));
		f = good;
		f.id = 20;
		raw(enc, &f, COVE_EDGE_OVERFLOW);
		memcpy(buf, &a, sizeof(a)); /* a buffer of SIZE_MAX - 8 bytes: larger than what was sent */
		f = good;
		f.id = 3;
		raw(enc, &f, COVE_EDGE_BUFFER_TOO_SMALL);
		a.len = 1u << 20; /* the input buffer holds 64 bytes, not a MiB */
		memcpy(buf, &a, sizeof(a));
		raw(enc, &f, COVE_EDGE_BUFFER_TOO_SMALL);
		a.len = 16;       /* fits the input, but the output buffer is 64 bytes for retval + 16 */
		memcpy(buf, &a, sizeof(a));
		f.out_size = 16;
		raw(enc, &f, COVE_EDGE_BUFFER_TOO_SMALL);
		/* A [string] of 5 elements whose fifth is not the terminator. */
		memcpy(buf, &sa, sizeof(sa));
		memcpy(buf + 16, "abcde", 5);
		f = good;
		f.id = 4;
		raw(enc, &f, COVE_EDGE_BAD_STRING);
	}

	/* After all that the enclave still serves the next call. */
	CALL_OK(enc, ecall_add(enc, &r, 20, 22));
	assert_int_equal(r, 42);
	t->ops->free_untrusted(t->ctx, buf);
	cove_enclave_terminate(enc);
}

typedef struct flipper {
	volatile uint8_t *p;
	size_t n;
	volatile int stop;
} flipper;

static void *flip_main(void *arg)
{
	flipper *f = arg;
	unsigned x = 1;
	while (!f->stop) {
		x = x * 1103515245u + 12345u;
		f->p[(x >> 8) % f->n] ^= (uint8_t)(x >> 16);
	}
	return NULL;
}

/* A host thread rewrites the marshalling area while calls run: every call ends, right or refused, never a crash. */
static void test_rewritten_mid_call(void **state)
{
	cove_enclave *enc = rt_start(0);
	const cove_edge_transport *t = cove_edge_enclave_transport(enc);
	pthread_t th;
	flipper fl;
	uint8_t in[256], out[256];
	int r = 0, ok = 0, refused = 0;
	cove_error e = {0};
	size_t area = 0;
	uint8_t *probe = t->ops->alloc_untrusted(t->ctx, 64);

	(void)state;
	/* Flip bytes across the host's marshalling heap, where the next calls' buffers land. */
	assert_int_equal(cove_host_test_area(enc, probe, &area, &e), COVE_OK);
	fl.p = probe;
	fl.n = 65536;
	fl.stop = 0;
	t->ops->free_untrusted(t->ctx, probe);
	memset(in, 0xab, sizeof(in));
	assert_int_equal(pthread_create(&th, NULL, flip_main, &fl), 0);
	for (int i = 0; i < 3000; i++) {
		uint64_t sum = 0;
		cove_edge_status st = ecall_echo(enc, &sum, in, out, sizeof(in));
		if (st == COVE_EDGE_OK)
			ok++;
		else
			refused++;
		assert_true(st != COVE_EDGE_ENCLAVE_LOST);
	}
	fl.stop = 1;
	pthread_join(th, NULL);
	assert_int_equal(ok + refused, 3000);
	CALL_OK(enc, ecall_add(enc, &r, 2, 3));
	assert_int_equal(r, 5);
	cove_enclave_terminate(enc);
}

/*
 * A kernel without memfd_secret, emulated by a seccomp filter this test's
 * child installs (the loader inherits it): the enclave still runs, says so,
 * and its evidence carries the flag - a quote certified for the degraded TCB
 * level (ConfigurationNeeded, COVE-SA-0001) that the default policy refuses.
 * With COVE_ENCLAVE_FLAG_REQUIRE_SECRET it does not start at all.
 */
static int degraded_child(void)
{
	scmp_filter_ctx f = seccomp_init(SCMP_ACT_ALLOW);
	cove_enclave_create_opts o = {.platform_dir = rt_platform_dir};
	cove_enclave *enc = NULL;
	cove_enclave_info info;
	cove_error e = {0};
	uint8_t rd[64] = {1}, quote_buf[16384], spki[32];
	size_t quote_len = 0;
	int r = -1, secret = -1;
	uint8_t mre[32], mrs[32];
	cove_platform *p = NULL;
	cove_dcap_collateral coll;
	cove_dcap_quote q;
	cove_dcap_verifier *v = NULL;
	cove_result *res = NULL;
	json_t *tcb;
	const char *status;
	char *adv;

	memset(&coll, 0, sizeof(coll));
	if (!f || seccomp_rule_add(f, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(memfd_secret), 0) || seccomp_load(f))
		return 10;
	seccomp_release(f);
	if (cove_enclave_create(COVE_TEST_RUNTIME_ENCLAVE, COVE_ENCLAVE_FLAG_EMULATED | COVE_ENCLAVE_FLAG_REQUIRE_SECRET,
				&o, &enc, &e) == COVE_OK)
		return 11;
	if (cove_enclave_create(COVE_TEST_RUNTIME_ENCLAVE, COVE_ENCLAVE_FLAG_EMULATED, &o, &enc, &e) ||
	    cove_enclave_get_info(enc, &info, &e))
		return 12;
	if (info.secret_memory)
		return 13;
	if (ecall_identity(enc, &r, mre, mrs, &secret) || r || secret != 0)
		return 14;
	if (ecall_quote(enc, &r, rd, quote_buf, sizeof(quote_buf), &quote_len) || r)
		return 15;
	if (cove_dcap_quote_parse(quote_buf, quote_len, &q, &e) || cove_platform_open(rt_platform_dir, false, &p, &e) ||
	    cove_platform_sgx_collateral(p, &coll, &e) || cove_platform_sgx_root(p, spki, &e) ||
	    cove_dcap_verifier_new(&v, &e) || cove_dcap_verifier_add_root(v, spki, COVE_PLATFORM_NAME, true, &e) ||
	    cove_dcap_verify(v, &q, &coll, NULL, NULL, &res, &e))
		return 16;
	tcb = json_object_get(res->claims, "tcb");
	status = tcb ? json_string_value(json_object_get(tcb, "status")) : NULL;
	adv = tcb ? json_dumps(json_object_get(tcb, "advisory_ids"), 0) : NULL;
	if (!res->authentic || res->ok || !status || strcmp(status, "ConfigurationNeeded") != 0 || !adv ||
	    !strstr(adv, "COVE-SA-0001")) {
		fprintf(stderr, "degraded quote: authentic %d ok %d status %s advisories %s\n", res->authentic, res->ok,
			status ? status : "?", adv ? adv : "?");
		return 17;
	}
	free(adv);
	cove_result_free(res);
	cove_dcap_verifier_free(v);
	cove_dcap_collateral_free(&coll);
	cove_dcap_quote_free(&q);
	cove_platform_free(p);
	cove_enclave_terminate(enc);
	return 0;
}

static void test_degraded_without_secret_memory(void **state)
{
	pid_t child;
	int status = 0;

	(void)state;
	child = fork();
	assert_true(child >= 0);
	if (child == 0)
		_exit(degraded_child());
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_no_hardware_path(void **state)
{
	cove_enclave *enc = NULL;
	cove_error e = {0};

	(void)state;
	assert_int_equal(cove_enclave_create(COVE_TEST_RUNTIME_ENCLAVE, 0, NULL, &enc, &e), COVE_ERR_UNSUPPORTED);
	cove_test_expect_msg(&e, "emulated platform");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_measurement_matches_signing),
		cmocka_unit_test(test_calls),
		cmocka_unit_test(test_nested_and_private),
		cmocka_unit_test(test_switchless),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_seal_across_instances),
		cmocka_unit_test(test_local_attestation),
		cmocka_unit_test(test_quote_verifies_only_with_emulated_root),
		cmocka_unit_test(test_crash_is_reported),
		cmocka_unit_test(test_forbidden_syscall_is_reported),
		cmocka_unit_test(test_tampered_images_do_not_load),
		cmocka_unit_test(test_debug_launch),
		cmocka_unit_test(test_hostile_frames),
		cmocka_unit_test(test_rewritten_mid_call),
		cmocka_unit_test(test_degraded_without_secret_memory),
		cmocka_unit_test(test_no_hardware_path),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
