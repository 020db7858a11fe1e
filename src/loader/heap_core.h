/*
 * The loader's allocator core: a general-purpose heap over one fixed region of
 * memory that it never grows (the loader runs under seccomp and may not map
 * memory), so running out of it means NULL.  heap.c and malloc.c build the
 * process heap (malloc and friends) from two of these: a static bootstrap
 * arena and the memfd_secret region (loader.h, docs/enclave-runtime.md).
 *
 * Layout: boundary-tagged chunks, 16-byte aligned, each with a 16-byte header
 * {size of the previous chunk, own size | in-use bit}.  Free chunks sit on
 * doubly-linked lists: one per exact size below 1 KiB and four per power of two
 * above (first fit); a bitmap finds the next non-empty list.  Neighbours
 * coalesce on free, and the unused tail of the region ("top") is carved last.
 *
 * Freed memory is zeroed (enclave secrets must not linger), so the heap keeps
 * the invariant that every free byte is zero except the list links, and every
 * allocation returns zeroed memory.  No function here makes a system call.
 * Not thread-safe: the caller locks.
 */
#ifndef COVE_LOADER_HEAP_CORE_H
#define COVE_LOADER_HEAP_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COVE_HEAP_ALIGN 16u          /* every pointer returned is aligned to this */
#define COVE_HEAP_MAX_ALIGN 4096u    /* largest alignment memalign accepts */
#define COVE_HEAP_NBINS 256u

typedef struct cove_heap_chunk cove_heap_chunk;

typedef struct cove_heap_core {
	uint8_t *base;   /* first chunk (16-aligned) */
	uint8_t *top;    /* start of the never-used tail */
	uint8_t *end;    /* end of the region */
	size_t last_size; /* size of the chunk just below top (0: none) */
	size_t in_use;   /* bytes in allocated chunks, headers included */
	uint64_t bitmap[COVE_HEAP_NBINS / 64];
	cove_heap_chunk *bins[COVE_HEAP_NBINS];
} cove_heap_core;

/* Take [mem, mem + size) as the heap.  The memory must be zero (fresh mmap or .bss). */
void cove_heap_core_init(cove_heap_core *h, void *mem, size_t size);

/* Zeroed memory of at least n bytes, or NULL when the region cannot hold it. */
void *cove_heap_core_alloc(cove_heap_core *h, size_t n);
/* Same, aligned to `align` (a power of two, at most COVE_HEAP_MAX_ALIGN; else NULL). */
void *cove_heap_core_memalign(cove_heap_core *h, size_t align, size_t n);
/*
 * Resize in place when the neighbour allows, else move.  NULL (and p untouched)
 * when there is no room.  n == 0 is a resize to the minimum, not a free.
 */
void *cove_heap_core_realloc(cove_heap_core *h, void *p, size_t n);
/* Zero and release p.  false (nothing changed) when p is not a live allocation of h. */
bool cove_heap_core_free(cove_heap_core *h, void *p);

/* Whether p points into the part of the region the heap has handed out. */
bool cove_heap_core_owns(const cove_heap_core *h, const void *p);
/* Bytes usable at p (>= the size asked for). */
size_t cove_heap_core_usable_size(const cove_heap_core *h, const void *p);
/* Bytes held by live allocations, chunk headers included. */
size_t cove_heap_core_in_use(const cove_heap_core *h);

/*
 * Walk every chunk and check the heap's invariants (headers chain, no two free
 * neighbours, free lists and bitmap agree, free memory is zero, in_use adds
 * up).  Returns NULL when sound, else a static description of the first fault.
 * For tests and the fuzzer: it is O(heap size).
 */
const char *cove_heap_core_check(const cove_heap_core *h);

#endif
