/*
 * The process heap's state, shared by heap.c (set-up, the loader.h API) and
 * malloc.c (malloc and friends for the whole process).  Two allocator cores
 * (heap_core.h): a static bootstrap arena serving everything before
 * cove_loader_heap_init, and the secret region serving everything after; both
 * behind one mutex.  Pointers from the bootstrap arena stay valid after init:
 * free and realloc recognise them by address.
 */
#ifndef COVE_LOADER_HEAP_PRIVATE_H
#define COVE_LOADER_HEAP_PRIVATE_H

#include <pthread.h>
#include <stdbool.h>

#include "heap_core.h"

/* Bootstrap arena size: ld.so, libc, OpenSSL and the image checks before the heap exists. */
#ifndef COVE_LOADER_BOOTSTRAP_SIZE
#define COVE_LOADER_BOOTSTRAP_SIZE ((size_t)8 << 20)
#endif

typedef struct cove_loader_heap_state {
	pthread_mutex_t lock;
	cove_heap_core boot;   /* static arena in .bss (not secret memory) */
	cove_heap_core main;   /* the secret region, once ready */
	bool ready;            /* main serves new allocations */
	bool secret;           /* main is memfd_secret memory */
	void *region;          /* mapping behind main */
	size_t region_size;
} cove_loader_heap_state;

extern cove_loader_heap_state cove_loader_heap;

#endif
