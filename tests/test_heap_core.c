/*
 * The loader's allocator core (src/loader/heap_core.h) on its own, in the
 * sanitizer build: alignment, coalescing, exhaustion, zero-on-free, realloc
 * in place and moving, refusal of invalid frees, and a random stress run
 * against a shadow model with the core's invariant check after every step.
 * The core is compiled into this program (it is part of the loader, not of
 * libcove).
 */
#include <stdlib.h>
#include <string.h>

#include "loader/heap_core.c"
#include "testutil.h"

#define REGION (1u << 20)

static uint8_t *region;
static cove_heap_core heap;

static int setup(void **state)
{
	(void)state;
	region = aligned_alloc(4096, REGION);
	memset(region, 0, REGION);
	cove_heap_core_init(&heap, region, REGION);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(region);
	return 0;
}

static void assert_sound(void)
{
	const char *fault = cove_heap_core_check(&heap);
	if (fault)
		fail_msg("heap invariant broken: %s", fault);
}

static bool zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void test_alignment(void **state)
{
	(void)state;
	for (size_t n = 0; n < 300; n += 7) {
		uint8_t *p = cove_heap_core_alloc(&heap, n);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % COVE_HEAP_ALIGN, 0);
		assert_true(cove_heap_core_usable_size(&heap, p) >= n);
		assert_true(zero(p, n));
	}
	for (size_t a = 1; a <= COVE_HEAP_MAX_ALIGN; a <<= 1) {
		for (size_t n = 1; n < 5000; n += 1237) {
			/* An odd-sized allocation first so the next one is not aligned by luck. */
			assert_non_null(cove_heap_core_alloc(&heap, 8 + 16 * (a % 7)));
			uint8_t *p = cove_heap_core_memalign(&heap, a, n);
			assert_non_null(p);
			assert_int_equal((uintptr_t)p % a, 0);
			assert_true(cove_heap_core_usable_size(&heap, p) >= n);
			memset(p, 0x5c, n);
			assert_sound();
		}
	}
	assert_null(cove_heap_core_memalign(&heap, 48, 10));
	assert_null(cove_heap_core_memalign(&heap, 0, 10));
	assert_null(cove_heap_core_memalign(&heap, 2 * COVE_HEAP_MAX_ALIGN, 10));
	assert_sound();
}

static void test_coalescing(void **state)
{
	(void)state;
	uint8_t *a = cove_heap_core_alloc(&heap, 100);
	uint8_t *b = cove_heap_core_alloc(&heap, 200);
	uint8_t *c = cove_heap_core_alloc(&heap, 300);
	uint8_t *guard = cove_heap_core_alloc(&heap, 10);
	assert_non_null(guard);
	size_t before = cove_heap_core_in_use(&heap);
	assert_true(cove_heap_core_free(&heap, a));
	assert_true(cove_heap_core_free(&heap, c));
	assert_sound();
	assert_true(cove_heap_core_free(&heap, b)); /* joins a and c into one chunk */
	assert_sound();
	assert_true(cove_heap_core_in_use(&heap) < before);
	/* The merged chunk holds an allocation of all three at a's address. */
	uint8_t *big = cove_heap_core_alloc(&heap, (size_t)(guard - a) - 16);
	assert_ptr_equal(big, a);
	assert_true(cove_heap_core_free(&heap, big));
	assert_true(cove_heap_core_free(&heap, guard));
	/* Everything free: the heap is empty again and the next allocation starts at the base. */
	assert_int_equal(cove_heap_core_in_use(&heap), 0);
	assert_ptr_equal(heap.top, heap.base);
	assert_ptr_equal(cove_heap_core_alloc(&heap, 1), heap.base + 16);
	assert_sound();
}

static void test_exhaustion(void **state)
{
	(void)state;
	assert_null(cove_heap_core_alloc(&heap, REGION));
	assert_null(cove_heap_core_alloc(&heap, SIZE_MAX));
	assert_null(cove_heap_core_alloc(&heap, SIZE_MAX - 20));
	assert_null(cove_heap_core_memalign(&heap, 4096, SIZE_MAX - 4096));
	void *ptrs[4096];
	size_t n = 0;
	while (n < 4096 && (ptrs[n] = cove_heap_core_alloc(&heap, 1000)) != NULL)
		n++;
	assert_true(n > 900 && n < 4096); /* 1 MiB / 1016-byte chunks */
	assert_null(cove_heap_core_alloc(&heap, 1000));
	assert_null(cove_heap_core_realloc(&heap, ptrs[0], 5000)); /* no room to move: p untouched */
	assert_int_equal(cove_heap_core_usable_size(&heap, ptrs[0]), 1008);
	assert_true(cove_heap_core_free(&heap, ptrs[n / 2]));
	assert_non_null(cove_heap_core_alloc(&heap, 1000));
	assert_sound();
}

static void test_zero_on_free(void **state)
{
	(void)state;
	uint8_t *keep = cove_heap_core_alloc(&heap, 64);
	uint8_t *p = cove_heap_core_alloc(&heap, 4000);
	uint8_t *guard = cove_heap_core_alloc(&heap, 64);
	assert_non_null(keep);
	assert_non_null(guard);
	memset(p, 0xAA, 4000);
	assert_true(cove_heap_core_free(&heap, p));
	/* The first 16 payload bytes hold the free-list links; the rest must be zero. */
	assert_true(zero(p + 16, 4000 - 16));
	memset(guard, 0xBB, 64);
	assert_true(cove_heap_core_free(&heap, guard)); /* merges with p and the top */
	assert_true(zero(p - 16, 4000 + 16 + 64 + 16));
	uint8_t *q = cove_heap_core_alloc(&heap, 4000);
	assert_ptr_equal(q, p);
	assert_true(zero(q, 4000));
	/* Shrinking zeroes the part given back too. */
	memset(q, 0xCC, 4000);
	assert_ptr_equal(cove_heap_core_realloc(&heap, q, 100), q);
	assert_true(zero(q + 112 + 32, 4000 - 112 - 32));
	assert_sound();
}

static void test_resize(void **state)
{
	(void)state;
	uint8_t *a = cove_heap_core_alloc(&heap, 100);
	for (int i = 0; i < 100; i++)
		a[i] = (uint8_t)i;
	/* At the top: grows in place. */
	assert_ptr_equal(cove_heap_core_realloc(&heap, a, 5000), a);
	uint8_t *b = cove_heap_core_alloc(&heap, 100);
	uint8_t *c = cove_heap_core_alloc(&heap, 4000);
	uint8_t *d = cove_heap_core_alloc(&heap, 10);
	assert_non_null(d);
	/* Blocked by b: moves, data kept. */
	uint8_t *a2 = cove_heap_core_realloc(&heap, a, 9000);
	assert_non_null(a2);
	assert_ptr_not_equal(a2, a);
	for (int i = 0; i < 100; i++)
		assert_int_equal(a2[i], i);
	assert_false(cove_heap_core_free(&heap, a)); /* the old block is gone */
	/* b's upper neighbour freed: b grows in place into it. */
	assert_true(cove_heap_core_free(&heap, c));
	memset(b, 0x11, 100);
	assert_ptr_equal(cove_heap_core_realloc(&heap, b, 3000), b);
	assert_int_equal(b[99], 0x11);
	assert_true(zero(b + 100, 3000 - 100)); /* grown memory is zeroed memory */
	assert_sound();
	/* Shrink in place. */
	assert_ptr_equal(cove_heap_core_realloc(&heap, b, 50), b);
	assert_int_equal(b[49], 0x11);
	assert_int_equal(cove_heap_core_usable_size(&heap, b), 64);
	assert_ptr_equal(cove_heap_core_realloc(&heap, NULL, 10) != NULL, true);
	assert_sound();
}

static void test_invalid_free(void **state)
{
	(void)state;
	uint8_t *p = cove_heap_core_alloc(&heap, 100);
	uint8_t *q = cove_heap_core_alloc(&heap, 100);
	assert_non_null(q);
	assert_false(cove_heap_core_free(&heap, p + 16)); /* interior */
	assert_false(cove_heap_core_free(&heap, p + 1));  /* misaligned */
	assert_false(cove_heap_core_free(&heap, region + REGION - 64)); /* beyond the top */
	uint8_t outside[64];
	assert_false(cove_heap_core_free(&heap, outside));
	assert_false(cove_heap_core_owns(&heap, outside));
	assert_true(cove_heap_core_free(&heap, p));
	assert_false(cove_heap_core_free(&heap, p)); /* double free */
	assert_null(cove_heap_core_realloc(&heap, p, 10));
	assert_int_equal(cove_heap_core_usable_size(&heap, p), 0);
	assert_sound();
}

/* Random operations against a shadow model: every live block keeps its fill byte. */
static void test_stress(void **state)
{
	(void)state;
	enum { SLOTS = 512, STEPS = 40000 };
	static uint8_t *ptr[SLOTS];
	static size_t len[SLOTS];
	static uint8_t fill[SLOTS];
	size_t model = 0;
	uint64_t x = 0x9E3779B97F4A7C15u;
	for (int step = 0; step < STEPS; step++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		unsigned s = (unsigned)(x % SLOTS);
		size_t n = (x >> 20) % 8 ? (x >> 32) % 512 : (x >> 32) % 20000;
		if (ptr[s]) {
			for (size_t i = 0; i < len[s]; i++)
				if (ptr[s][i] != fill[s])
					fail_msg("step %d: block %u byte %zu changed", step, s, i);
		}
		unsigned op = (unsigned)((x >> 9) % 4);
		if (ptr[s] && op < 2) {
			model -= len[s];
			assert_true(cove_heap_core_free(&heap, ptr[s]));
			ptr[s] = NULL;
		} else if (ptr[s] && op == 2) {
			uint8_t *q = cove_heap_core_realloc(&heap, ptr[s], n);
			if (q) {
				for (size_t i = len[s]; i < n; i++)
					assert_int_equal(q[i], 0);
				model += n - len[s];
				ptr[s] = q;
				len[s] = n;
				memset(q, fill[s], n);
			}
		} else if (!ptr[s]) {
			size_t align = op == 3 ? (size_t)1 << ((x >> 40) % 13) : 0;
			uint8_t *q = align ? cove_heap_core_memalign(&heap, align, n) : cove_heap_core_alloc(&heap, n);
			if (q) {
				if (align)
					assert_int_equal((uintptr_t)q % align, 0);
				assert_true(zero(q, n));
				ptr[s] = q;
				len[s] = n;
				fill[s] = (uint8_t)(x >> 56) | 1;
				memset(q, fill[s], n);
				model += n;
			}
		}
		if (step % 997 == 0)
			assert_sound();
		assert_true(cove_heap_core_in_use(&heap) >= model);
	}
	for (unsigned s = 0; s < SLOTS; s++)
		if (ptr[s])
			assert_true(cove_heap_core_free(&heap, ptr[s]));
	assert_int_equal(cove_heap_core_in_use(&heap), 0);
	assert_ptr_equal(heap.top, heap.base); /* everything coalesced back into the top */
	assert_sound();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_alignment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_coalescing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exhaustion, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zero_on_free, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resize, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_free, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stress, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
