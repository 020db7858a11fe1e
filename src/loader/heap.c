/*
 * The loader's process heap (loader.h "the heap"): before cove_loader_heap_init
 * a static bootstrap arena serves allocations; init maps the secret region
 * (cove_loader_secret_map, memfd_secret where the kernel has it) and from then
 * on every new allocation of the process comes from there.  The region never
 * grows: the loader runs under seccomp, so exhaustion is ENOMEM.  malloc.c
 * puts malloc and friends on top of this state.
 */
#include <unistd.h>

#include "heap_private.h"
#include "loader.h"

static _Alignas(4096) uint8_t boot_mem[COVE_LOADER_BOOTSTRAP_SIZE];

cove_loader_heap_state cove_loader_heap = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	/* .bss is zero, as the core requires; a constant initialiser needs no start-up code. */
	.boot = { .base = boot_mem, .top = boot_mem, .end = boot_mem + sizeof(boot_mem) },
};

cove_err cove_loader_heap_init(size_t size, bool require_secret, bool *is_secret, cove_error *e)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	if (size == 0 || size > SIZE_MAX - page)
		return cove_error_set(e, COVE_ERR_ARG, "heap size %zu is out of range", size);
	size = (size + page - 1) & ~(page - 1);

	pthread_mutex_lock(&cove_loader_heap.lock);
	bool ready = cove_loader_heap.ready;
	pthread_mutex_unlock(&cove_loader_heap.lock);
	if (ready)
		return cove_error_set(e, COVE_ERR_ARG, "the loader heap is already initialised");

	/* Mapping may allocate (the warning's stdio), so it happens outside the lock. */
	void *mem = NULL;
	bool secret = false;
	cove_err rc = cove_loader_secret_map(size, require_secret, &mem, &secret, e);
	if (rc != COVE_OK)
		return cove_error_wrap(e, rc, "loader heap of %zu bytes", size);

	pthread_mutex_lock(&cove_loader_heap.lock);
	cove_heap_core_init(&cove_loader_heap.main, mem, size);
	cove_loader_heap.region = mem;
	cove_loader_heap.region_size = size;
	cove_loader_heap.secret = secret;
	cove_loader_heap.ready = true;
	pthread_mutex_unlock(&cove_loader_heap.lock);
	if (is_secret)
		*is_secret = secret;
	return COVE_OK;
}

void cove_loader_heap_range(uintptr_t *lo, uintptr_t *hi)
{
	pthread_mutex_lock(&cove_loader_heap.lock);
	uintptr_t l = 0, h = 0;
	if (cove_loader_heap.ready) {
		l = (uintptr_t)cove_loader_heap.region;
		h = l + cove_loader_heap.region_size;
	}
	pthread_mutex_unlock(&cove_loader_heap.lock);
	if (lo)
		*lo = l;
	if (hi)
		*hi = h;
}

/* Bytes held by live allocations of both arenas (chunk headers included). */
size_t cove_loader_heap_in_use(void)
{
	pthread_mutex_lock(&cove_loader_heap.lock);
	size_t n = cove_heap_core_in_use(&cove_loader_heap.boot);
	if (cove_loader_heap.ready)
		n += cove_heap_core_in_use(&cove_loader_heap.main);
	pthread_mutex_unlock(&cove_loader_heap.lock);
	return n;
}
