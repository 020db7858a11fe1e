/*
 * malloc interposition of the loader (src/loader/malloc.c over heap.c): this
 * program is linked with it, so everything in it (libc, cmocka, OpenSSL)
 * allocates there.  Checked: allocations before cove_loader_heap_init come
 * from the bootstrap arena and after it from the secret region; bootstrap
 * pointers can still be freed and realloc'ed; the whole malloc API (alignment,
 * overflow, errno); OpenSSL (SHA-256, AES-256-GCM against published vectors)
 * allocating from the secret heap; threads hammering the heap; no growth
 * beyond the region (ENOMEM); and, in a child that sets up its own heap and
 * then installs the seccomp filter, malloc, realloc, free and OpenSSL keep
 * working without a single system call.  Built without sanitizers.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "heap_private.h"
#include "loader.h"

#define HEAP_SIZE ((size_t)64 << 20)

static uint8_t *boot_small, *boot_big;
static char *boot_str;
static bool boot_from_arena;
static uintptr_t range_before_lo = 1, range_before_hi = 1;
static cove_err init_rc;
static bool init_secret;
static int seccomp_child_status = -1;
static bool have_secret; /* memfd_secret works here: the heap must then be secret */

static bool in_secret_heap(const void *p)
{
	uintptr_t lo, hi;
	cove_loader_heap_range(&lo, &hi);
	return (uintptr_t)p >= lo && (uintptr_t)p < hi;
}

/* ---- known answers ---- */

static void sha256_abc(uint8_t out[32])
{
	unsigned len = 0;
	if (!EVP_Digest("abc", 3, out, &len, EVP_sha256(), NULL) || len != 32)
		memset(out, 0, 32);
}

static const uint8_t sha256_abc_expected[32] = {
	0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
	0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
};

/* The GCM specification's test case 14: AES-256, zero key, zero IV, 16 zero bytes. */
static const uint8_t gcm14_ct[16] = { 0xce, 0xa7, 0x40, 0x3d, 0x4d, 0x60, 0x6b, 0x6e,
				      0x07, 0x4e, 0xc5, 0xd3, 0xba, 0xf3, 0x9d, 0x18 };
static const uint8_t gcm14_tag[16] = { 0xd0, 0xd1, 0xc8, 0xa7, 0x99, 0x99, 0x6b, 0xf0,
				       0x26, 0x5b, 0x98, 0xb5, 0xd4, 0x8a, 0xb9, 0x19 };

/* 0 when encryption matches test case 14 and decryption round-trips; *ctx_out gets the context address. */
static int aes_gcm_case14(const void **ctx_out)
{
	uint8_t key[32] = { 0 }, iv[12] = { 0 }, pt[16] = { 0 }, ct[16], tag[16], back[16];
	int len = 0, rc = 1;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return 2;
	if (ctx_out)
		*ctx_out = ctx;
	if (EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, iv) != 1 ||
	    EVP_EncryptUpdate(ctx, ct, &len, pt, sizeof(pt)) != 1 || len != 16 ||
	    EVP_EncryptFinal_ex(ctx, ct + len, &len) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag) != 1)
		goto out;
	if (memcmp(ct, gcm14_ct, 16) || memcmp(tag, gcm14_tag, 16)) {
		rc = 3;
		goto out;
	}
	if (EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, iv) != 1 ||
	    EVP_DecryptUpdate(ctx, back, &len, ct, sizeof(ct)) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, tag) != 1 ||
	    EVP_DecryptFinal_ex(ctx, back + len, &len) != 1 || memcmp(back, pt, 16))
		goto out;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

/* ---- heap hammering ---- */

/* Random malloc/realloc/free with fill patterns; 0 when every block kept its bytes. */
static int hammer(unsigned seed, int steps)
{
	enum { SLOTS = 64 };
	uint8_t *p[SLOTS] = { 0 };
	size_t n[SLOTS] = { 0 };
	uint64_t x = 0x2545F4914F6CDD1Du * (seed + 1);
	int bad = 0;
	for (int i = 0; i < steps && !bad; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		unsigned s = (unsigned)(x % SLOTS);
		uint8_t f = (uint8_t)(s + seed * 64 + 1);
		for (size_t k = 0; k < n[s]; k++)
			if (p[s][k] != f)
				bad = 1;
		size_t len = (x >> 16) % 16 ? (x >> 24) % 300 : (x >> 24) % 40000;
		switch ((x >> 8) % 3) {
		case 0:
			free(p[s]);
			p[s] = NULL;
			n[s] = 0;
			break;
		case 1: {
			uint8_t *q = realloc(p[s], len + 1);
			if (!q)
				return 2;
			p[s] = q;
			n[s] = len + 1;
			memset(q, f, n[s]);
			break;
		}
		default:
			if (!p[s]) {
				p[s] = (x >> 40) % 2 ? calloc(1, len + 1) : aligned_alloc(64, len + 1);
				if (!p[s])
					return 3;
				for (size_t k = 0; k <= len; k++)
					if (p[s][k])
						bad = 1; /* calloc, and this heap's malloc, return zeroed memory */
				n[s] = len + 1;
				memset(p[s], f, n[s]);
			}
		}
	}
	for (unsigned s = 0; s < SLOTS; s++)
		free(p[s]);
	return bad;
}

typedef struct job {
	pthread_t t;
	unsigned seed;
	int steps;
	int result;
} job;

static atomic_int go, done;

static atomic_int started;

static void *hammer_thread(void *arg)
{
	job *j = arg;
	atomic_fetch_add(&started, 1);
	while (!atomic_load(&go))
		sched_yield();
	j->result = hammer(j->seed, j->steps);
	atomic_fetch_add(&done, 1);
	return NULL;
}

/* Parks a thread for good: glibc would madvise its stack away if it ended under seccomp. */
static void *hammer_then_park(void *arg)
{
	hammer_thread(arg);
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	static pthread_cond_t never = PTHREAD_COND_INITIALIZER;
	pthread_mutex_lock(&mu);
	for (;;)
		pthread_cond_wait(&never, &mu);
	return NULL;
}

/* ---- the child under seccomp (forked before the parent's heap exists) ---- */

static volatile uint32_t *violation; /* MAP_SHARED: the parent reads what the child stored */

static _Noreturn void seccomp_child(void)
{
	cove_error e;
	bool secret = false;
	if (cove_loader_heap_init(HEAP_SIZE, have_secret, &secret, &e) != COVE_OK) {
		fprintf(stderr, "child: %s\n", e.msg);
		_exit(40);
	}
	uint8_t d[32];
	sha256_abc(d); /* OpenSSL's one-time initialisation (config, providers) happens before install */
	if (aes_gcm_case14(NULL) != 0)
		_exit(41);
	enum { NT = 3 };
	static job jobs[NT];
	for (unsigned i = 0; i < NT; i++) {
		jobs[i].seed = 100 + i;
		jobs[i].steps = 20000;
		if (pthread_create(&jobs[i].t, NULL, hammer_then_park, &jobs[i]) != 0)
			_exit(42);
	}
	while (atomic_load(&started) < NT) /* past glibc's thread start-up calls */
		sched_yield();
	if (cove_loader_seccomp_install(violation, &e) != COVE_OK) {
		fprintf(stderr, "child: %s\n", e.msg);
		_exit(43);
	}
	atomic_store(&go, 1);
	if (hammer(7, 20000) != 0)
		_exit(44);
	char *s = malloc(10);
	if (!s || !in_secret_heap(s))
		_exit(45);
	free(s);
	memset(d, 0, sizeof(d));
	sha256_abc(d);
	if (memcmp(d, sha256_abc_expected, 32) != 0)
		_exit(46);
	if (aes_gcm_case14(NULL) != 0)
		_exit(47);
	if (malloc(2 * HEAP_SIZE) != NULL || errno != ENOMEM) /* no growth: ENOMEM, no mmap */
		_exit(48);
	while (atomic_load(&done) < NT) {
		struct timespec nap = { 0, 1000000 };
		nanosleep(&nap, NULL);
	}
	for (unsigned i = 0; i < NT; i++)
		if (jobs[i].result != 0)
			_exit(50 + (int)i);
	_exit(0);
}

/* ---- tests (the parent, after its own heap init) ---- */

static void test_bootstrap_then_secret_region(void **state)
{
	(void)state;
	assert_true(boot_from_arena);
	assert_int_equal(range_before_lo, 0);
	assert_int_equal(range_before_hi, 0);
	assert_int_equal(init_rc, COVE_OK);
	assert_int_equal(init_secret, have_secret);
	uintptr_t lo, hi;
	cove_loader_heap_range(&lo, &hi);
	assert_int_equal(hi - lo, HEAP_SIZE);
	assert_false(in_secret_heap(boot_small));
	void *p = malloc(1);
	assert_true(in_secret_heap(p));
	assert_false(cove_heap_core_owns(&cove_loader_heap.boot, p));
	free(p);
	/* A second init is refused. */
	cove_error e;
	assert_int_equal(cove_loader_heap_init(4096, false, NULL, &e), COVE_ERR_ARG);
}

static void test_bootstrap_pointers_after_init(void **state)
{
	(void)state;
	size_t boot_used = cove_heap_core_in_use(&cove_loader_heap.boot);
	for (size_t i = 0; i < 5000; i++)
		assert_int_equal(boot_big[i], (uint8_t)i);
	uint8_t *moved = realloc(boot_big, 100000);
	assert_non_null(moved);
	assert_true(in_secret_heap(moved));
	for (size_t i = 0; i < 5000; i++)
		assert_int_equal(moved[i], (uint8_t)i);
	free(moved);
	free(boot_small);
	assert_string_equal(boot_str, "bootstrap");
	free(boot_str);
	assert_true(cove_heap_core_in_use(&cove_loader_heap.boot) < boot_used);
	assert_null(cove_heap_core_check(&cove_loader_heap.boot));
}

static void test_api(void **state)
{
	(void)state;
	for (size_t a = sizeof(void *); a <= 4096; a <<= 1) {
		void *p = NULL;
		assert_int_equal(posix_memalign(&p, a, 77), 0);
		assert_int_equal((uintptr_t)p % a, 0);
		assert_true(in_secret_heap(p));
		free(p);
		p = aligned_alloc(a, 3 * a);
		assert_int_equal((uintptr_t)p % a, 0);
		free(p);
	}
	volatile size_t odd_align = 24; /* opaque: clang warns about constant bad alignments */
	void *p = NULL;
	assert_int_equal(posix_memalign(&p, 24, 10), EINVAL);
	assert_int_equal(posix_memalign(&p, 4, 10), EINVAL);
	assert_null(p);
	errno = 0;
	assert_null(aligned_alloc(odd_align, 10));
	assert_int_equal(errno, EINVAL);
	p = memalign(odd_align + 76, 10); /* 100 is rounded up to 128, as glibc does */
	assert_int_equal((uintptr_t)p % 128, 0);
	free(p);
	p = valloc(10);
	assert_int_equal((uintptr_t)p % 4096, 0);
	free(p);
	p = pvalloc(1);
	assert_int_equal((uintptr_t)p % 4096, 0);
	assert_true(malloc_usable_size(p) >= 4096);
	free(p);
	volatile size_t half = SIZE_MAX / 2, all = SIZE_MAX; /* opaque to gcc's size warnings */
	errno = 0;
	assert_null(calloc(half, 3));
	assert_int_equal(errno, ENOMEM);
	errno = 0;
	assert_null(reallocarray(NULL, half, 3));
	assert_int_equal(errno, ENOMEM);
	errno = 0;
	assert_null(malloc(all));
	assert_int_equal(errno, ENOMEM);
	/* The region never grows: more than it holds is ENOMEM. */
	errno = 0;
	assert_null(malloc(HEAP_SIZE + 1));
	assert_int_equal(errno, ENOMEM);
	uint8_t *z = calloc(100, 100);
	for (int i = 0; i < 10000; i++)
		assert_int_equal(z[i], 0);
	assert_true(malloc_usable_size(z) >= 10000);
	assert_int_equal(malloc_usable_size(NULL), 0);
	assert_null(realloc(z, 0)); /* glibc semantics: frees */
	size_t before = cove_loader_heap_in_use();
	void *volatile q = malloc(1000); /* volatile: gcc may drop an unused malloc/free pair */
	assert_true(cove_loader_heap_in_use() >= before + 1000);
	free(q);
	assert_int_equal(cove_loader_heap_in_use(), before);
}

static void test_openssl_on_secret_heap(void **state)
{
	(void)state;
	uint8_t d[32];
	sha256_abc(d);
	assert_memory_equal(d, sha256_abc_expected, 32);
	const void *ctx = NULL;
	assert_int_equal(aes_gcm_case14(&ctx), 0);
	assert_true(in_secret_heap(ctx)); /* OpenSSL's objects live in secret memory */
	size_t before = cove_heap_core_in_use(&cove_loader_heap.main);
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	assert_true(cove_heap_core_in_use(&cove_loader_heap.main) > before);
	EVP_MD_CTX_free(m);
	assert_int_equal(cove_heap_core_in_use(&cove_loader_heap.main), before);
}

static void test_threads(void **state)
{
	(void)state;
	enum { NT = 4 };
	job jobs[NT];
	size_t before = cove_loader_heap_in_use();
	atomic_store(&go, 0);
	for (unsigned i = 0; i < NT; i++) {
		jobs[i].seed = i;
		jobs[i].steps = 30000;
		assert_int_equal(pthread_create(&jobs[i].t, NULL, hammer_thread, &jobs[i]), 0);
	}
	atomic_store(&go, 1);
	for (unsigned i = 0; i < NT; i++) {
		assert_int_equal(pthread_join(jobs[i].t, NULL), 0);
		assert_int_equal(jobs[i].result, 0);
	}
	pthread_mutex_lock(&cove_loader_heap.lock);
	const char *fault = cove_heap_core_check(&cove_loader_heap.main);
	pthread_mutex_unlock(&cove_loader_heap.lock);
	if (fault)
		fail_msg("heap after the threads: %s", fault);
	/* Thread stacks/TLS released by join may differ; the hammering itself left nothing. */
	assert_true(cove_loader_heap_in_use() <= before + 4096);
}

static void test_malloc_under_seccomp(void **state)
{
	(void)state;
	assert_true(WIFEXITED(seccomp_child_status));
	if (WEXITSTATUS(seccomp_child_status) == COVE_LOADER_EXIT_SECCOMP)
		fail_msg("the heap made system call %u under seccomp", *violation - 1);
	assert_int_equal(WEXITSTATUS(seccomp_child_status), 0);
}

int main(void)
{
	/* Before the heap exists: the bootstrap arena. */
	boot_small = malloc(100);
	boot_big = malloc(5000);
	boot_str = strdup("bootstrap");
	for (size_t i = 0; i < 5000; i++)
		boot_big[i] = (uint8_t)i;
	boot_from_arena = cove_heap_core_owns(&cove_loader_heap.boot, boot_small) &&
			  cove_heap_core_owns(&cove_loader_heap.boot, boot_big) &&
			  cove_heap_core_owns(&cove_loader_heap.boot, boot_str);
	cove_loader_heap_range(&range_before_lo, &range_before_hi);

	long fd = syscall(SYS_memfd_secret, O_CLOEXEC);
	have_secret = fd >= 0;
	if (!have_secret)
		printf("NOTE: memfd_secret unavailable (%s): testing the anonymous-memory fallback\n", strerror(errno));
	else
		close((int)fd);

	violation = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (violation == MAP_FAILED)
		return 1;

	/* The secret heap is MAP_SHARED: a child forked after init would share it,
	 * so the seccomp child is forked first and builds a heap of its own. */
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		seccomp_child();
	if (pid < 0 || waitpid(pid, &seccomp_child_status, 0) != pid)
		seccomp_child_status = -1;

	cove_error e;
	init_rc = cove_loader_heap_init(HEAP_SIZE, have_secret, &init_secret, &e);
	if (init_rc != COVE_OK)
		fprintf(stderr, "heap init: %s\n", e.msg);

	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bootstrap_then_secret_region),
		cmocka_unit_test(test_bootstrap_pointers_after_init),
		cmocka_unit_test(test_api),
		cmocka_unit_test(test_openssl_on_secret_heap),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_malloc_under_seccomp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
