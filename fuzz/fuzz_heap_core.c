/*
 * libFuzzer target for the loader's allocator core (src/loader/heap_core.h):
 * the input is a program of heap operations (3 bytes each: op, slot, size)
 * run on a 128 KiB region, with a shadow model of every live block's fill
 * byte.  Any block changing under another's operations, an allocation that
 * is not zeroed or misaligned, or a broken invariant (cove_heap_core_check)
 * aborts.  The core is compiled in: it belongs to the loader, not libcove.
 */
#include <stdlib.h>
#include <string.h>

#include "loader/heap_core.c"

#define REGION (128u * 1024u)
#define SLOTS 32

static _Alignas(4096) uint8_t region[REGION];

static void verify(const uint8_t *p, size_t n, uint8_t f)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cove_heap_core h;
	uint8_t *ptr[SLOTS] = { 0 };
	size_t len[SLOTS] = { 0 };
	memset(region, 0, sizeof(region));
	cove_heap_core_init(&h, region, sizeof(region));
	for (size_t i = 0; i + 3 <= size; i += 3) {
		unsigned op = data[i] % 4, s = data[i + 1] % SLOTS;
		/* Sizes up to 64 KiB, with a bias to small ones through the top bits of op. */
		size_t n = (size_t)data[i + 2] << ((data[i] >> 2) % 9);
		uint8_t f = (uint8_t)(s + 1);
		if (ptr[s])
			verify(ptr[s], len[s], f);
		if (op == 0 && ptr[s]) {
			if (!cove_heap_core_free(&h, ptr[s]) || cove_heap_core_free(&h, ptr[s]))
				abort();
			ptr[s] = NULL;
		} else if (op == 1 && ptr[s]) {
			uint8_t *q = cove_heap_core_realloc(&h, ptr[s], n);
			if (q) {
				if (n > len[s])
					verify(q + len[s], n - len[s], 0);
				ptr[s] = q;
				len[s] = n;
				memset(q, f, n);
			}
		} else if (!ptr[s]) {
			size_t align = op == 3 ? (size_t)1 << (data[i + 2] % 13) : 0;
			uint8_t *q = align ? cove_heap_core_memalign(&h, align, n) : cove_heap_core_alloc(&h, n);
			if (q) {
				if ((uintptr_t)q % (align ? align : COVE_HEAP_ALIGN))
					abort();
				verify(q, n, 0);
				ptr[s] = q;
				len[s] = n;
				memset(q, f, n);
			}
		}
		if (i % 24 == 0 && cove_heap_core_check(&h)) /* O(region): every 8th operation */
			abort();
	}
	if (cove_heap_core_check(&h))
		abort();
	for (unsigned s = 0; s < SLOTS; s++)
		if (ptr[s] && !cove_heap_core_free(&h, ptr[s]))
			abort();
	if (cove_heap_core_in_use(&h) != 0 || h.top != h.base)
		abort();
	return 0;
}
