/*
 * malloc and friends for the whole loader process (glibc, OpenSSL, libcove and
 * the enclave image alike), over the process heap of heap.c.  The glibc manual
 * ("Replacing malloc") lists what a replacement must define: malloc, free,
 * calloc, realloc, and for full coverage aligned_alloc, malloc_usable_size,
 * memalign, posix_memalign, pvalloc, valloc; reallocarray is added because
 * glibc's own would otherwise be the only path not through this file.
 *
 * No call here makes a system call except a contended mutex (futex), so the
 * heap keeps working under the loader's seccomp filter.  An invalid or
 * foreign pointer handed to free/realloc aborts: inside the enclave a heap
 * corruption must stop the process, not be papered over.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "heap_private.h"

static cove_loader_heap_state *const H = &cove_loader_heap;

static size_t page_size(void)
{
	/* glibc answers from the auxiliary vector: no system call. */
	return (size_t)sysconf(_SC_PAGESIZE);
}

static void lock(void) { pthread_mutex_lock(&H->lock); }
static void unlock(void) { pthread_mutex_unlock(&H->lock); }

static cove_heap_core *current(void)
{
	return H->ready ? &H->main : &H->boot;
}

/* The arena p came from (lock held), or NULL for a pointer that is not ours. */
static cove_heap_core *owner(const void *p)
{
	if (H->ready && cove_heap_core_owns(&H->main, p))
		return &H->main;
	if (cove_heap_core_owns(&H->boot, p))
		return &H->boot;
	return NULL;
}

static _Noreturn void corrupt(void)
{
	unlock();
	abort();
}

static void *aligned(size_t align, size_t n)
{
	lock();
	void *p = cove_heap_core_memalign(current(), align, n);
	unlock();
	if (!p)
		errno = ENOMEM;
	return p;
}

void *malloc(size_t n)
{
	lock();
	void *p = cove_heap_core_alloc(current(), n);
	unlock();
	if (!p)
		errno = ENOMEM;
	return p;
}

void free(void *p)
{
	if (!p)
		return;
	lock();
	cove_heap_core *h = owner(p);
	if (!h || !cove_heap_core_free(h, p))
		corrupt();
	unlock();
}

/* Every allocation of the core is zeroed already (freed memory is zeroed). */
void *calloc(size_t nmemb, size_t size)
{
	size_t n;
	if (__builtin_mul_overflow(nmemb, size, &n)) {
		errno = ENOMEM;
		return NULL;
	}
	return malloc(n);
}

void *realloc(void *p, size_t n)
{
	if (!p)
		return malloc(n);
	if (n == 0) {
		/* glibc's behaviour, which its callers rely on. */
		free(p);
		return NULL;
	}
	lock();
	cove_heap_core *h = owner(p);
	if (!h || !cove_heap_core_usable_size(h, p))
		corrupt();
	void *q;
	if (h == &H->boot && H->ready) {
		/* Move bootstrap memory into the secret heap. */
		q = cove_heap_core_alloc(&H->main, n);
		if (q) {
			size_t old = cove_heap_core_usable_size(h, p);
			memcpy(q, p, old < n ? old : n);
			cove_heap_core_free(h, p);
		}
	} else {
		q = cove_heap_core_realloc(h, p, n);
	}
	unlock();
	if (!q)
		errno = ENOMEM;
	return q;
}

void *reallocarray(void *p, size_t nmemb, size_t size)
{
	size_t n;
	if (__builtin_mul_overflow(nmemb, size, &n)) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
	if (align < sizeof(void *) || (align & (align - 1)))
		return EINVAL;
	if (align > COVE_HEAP_MAX_ALIGN)
		return ENOMEM; /* a valid alignment this heap does not serve */
	int saved = errno;
	void *p = aligned(align, n);
	errno = saved; /* posix_memalign reports through its result only */
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

void *aligned_alloc(size_t align, size_t n)
{
	if (align == 0 || (align & (align - 1)) || align > COVE_HEAP_MAX_ALIGN) {
		errno = align && !(align & (align - 1)) ? ENOMEM : EINVAL;
		return NULL;
	}
	return aligned(align, n);
}

void *memalign(size_t align, size_t n)
{
	/* glibc rounds an alignment that is not a power of two up to one. */
	if (align > COVE_HEAP_MAX_ALIGN) {
		errno = ENOMEM;
		return NULL;
	}
	size_t a = COVE_HEAP_ALIGN;
	while (a < align)
		a <<= 1;
	return aligned(a, n);
}

void *valloc(size_t n)
{
	return memalign(page_size(), n);
}

void *pvalloc(size_t n)
{
	size_t page = page_size();
	if (n > SIZE_MAX - page) {
		errno = ENOMEM;
		return NULL;
	}
	return memalign(page, n ? (n + page - 1) & ~(page - 1) : page);
}

size_t malloc_usable_size(void *p)
{
	if (!p)
		return 0;
	lock();
	cove_heap_core *h = owner(p);
	size_t n = h ? cove_heap_core_usable_size(h, p) : 0;
	unlock();
	return n;
}

/* fork() in another thread must not leave the child's heap locked forever. */
static void atfork_prepare(void) { lock(); }
static void atfork_parent(void) { unlock(); }
static void atfork_child(void) { pthread_mutex_init(&H->lock, NULL); }

__attribute__((constructor)) static void malloc_atfork_register(void)
{
	pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
}
