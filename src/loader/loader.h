/*
 * The cove loader: the process an emulated enclave runs in.  This header is
 * shared by its parts:
 *   main.c     - start-up order, image verification, the call loop (lead);
 *   sandbox.c  - memfd_secret memory, hardening, seccomp;
 *   heap.c     - the process heap over secret memory (malloc and friends);
 *   trusted.c  - the trusted API of cove/enclave.h (EREPORT/EGETKEY/seal/quote).
 *
 * Start-up order (main.c): harden (dumpable 0, no tracer, no foreign user
 * namespace) -> read the image into a sealed memfd -> parse, measure, check the
 * SIGSTRUCT -> heap in secret memory -> platform secrets -> dlopen the image ->
 * thread stacks in secret memory, threads started -> seccomp -> serve calls.
 */
#ifndef COVE_LOADER_H
#define COVE_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cove/err.h"
#include "cove/platform.h"
#include "cove/sgx_report.h"

/* Exit status of a loader stopped by its seccomp filter (the SIGSYS handler exits with it). */
#define COVE_LOADER_EXIT_SECCOMP 159
/* Exit status of a loader that refused to start (the reason is in the control block). */
#define COVE_LOADER_EXIT_REFUSED 158

/* ---- secret memory (sandbox.c) ---- */

/*
 * Map `size` bytes (page multiple) of memfd_secret memory, read-write: the fd
 * is created here and closed after mmap, so no descriptor to the memory ever
 * exists outside this function.  When the kernel has no memfd_secret (ENOSYS,
 * or disabled) or RLIMIT_MEMLOCK is too small, and `require` is false, fall
 * back to anonymous private memory with MADV_DONTDUMP (and mlock, best effort),
 * print one warning on stderr and set *is_secret = false.
 */
cove_err cove_loader_secret_map(size_t size, bool require, void **out, bool *is_secret, cove_error *e);
void cove_loader_secret_unmap(void *p, size_t size);

/*
 * Hardening that must precede everything else: PR_SET_DUMPABLE 0,
 * RLIMIT_CORE 0, PR_SET_PDEATHSIG SIGKILL (and exit if the parent already
 * died), then refuse (COVE_ERR_POLICY) when /proc/self/status shows a
 * TracerPid or the process is in a user namespace other than the initial one
 * (shared/research/enclave-sdk.md A4: a host-owned namespace defeats dumpable 0).
 */
cove_err cove_loader_harden(cove_error *e);

/*
 * Install the seccomp filter (libseccomp) on every thread (TSYNC): only the
 * calls the runtime needs once running (futex, exit, exit_group, getrandom,
 * clock_gettime, clock_nanosleep, nanosleep, sched_yield, rt_sigreturn,
 * rt_sigprocmask, tgkill/getpid/gettid for abort()).  Anything else raises
 * SIGSYS, whose handler stores the syscall number + 1 in *violation (shared
 * memory the host reads) and exits with COVE_LOADER_EXIT_SECCOMP.
 */
cove_err cove_loader_seccomp_install(volatile uint32_t *violation, cove_error *e);

/* ---- the heap (heap.c) ---- */

/*
 * Move the process heap into `size` bytes of secret memory: from then on
 * malloc/calloc/realloc/free/posix_memalign/aligned_alloc/memalign (defined
 * by heap.c for the whole loader process, glibc, OpenSSL and the enclave
 * image alike) draw from it.  Before this call a static bootstrap arena
 * serves early allocations (ld.so, libc and OpenSSL start-up).  Thread-safe.
 */
cove_err cove_loader_heap_init(size_t size, bool require_secret, bool *is_secret, cove_error *e);
/* The heap region (for cove_is_within_enclave). */
void cove_loader_heap_range(uintptr_t *lo, uintptr_t *hi);
size_t cove_loader_heap_in_use(void);

/* ---- state shared with the trusted API (owned by main.c) ---- */

#define COVE_LOADER_MAX_RANGES 256

typedef struct cove_loader_range {
	uintptr_t lo, hi; /* [lo, hi) */
} cove_loader_range;

typedef struct cove_loader_state {
	cove_sgx_identity identity;   /* of the running enclave, cpu_svn set by the platform */
	uint8_t *root_secret;         /* COVE_SGX_ROOT_SECRET_SIZE bytes on the secret heap */
	cove_platform *platform;      /* SGX side loaded before seccomp */
	bool secret_memory;           /* heap and stacks are memfd_secret memory */
	size_t nranges;               /* enclave memory: image, heap, stacks */
	cove_loader_range ranges[COVE_LOADER_MAX_RANGES];
} cove_loader_state;

extern cove_loader_state cove_loader;

#endif
