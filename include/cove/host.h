/*
 * cove/host.h - the host side of cove's enclave runtime: create an enclave
 * from a signed image, call its ecalls through the proxies cove-edger8r
 * generates (<name>_u.h), and terminate it.
 *
 * On the emulated platform every enclave runs in its own process (the cove
 * loader), started with no inherited descriptors but a shared marshalling
 * area; the loader verifies the SIGSTRUCT and measures the image itself before
 * running a byte of it, keeps the enclave's data in memfd_secret memory, and
 * is unreachable by ptrace, /proc/PID/mem and process_vm_readv.  Calls cross
 * the boundary as cove_edge_frame slots (cove/edge.h), woken by spinning
 * then by futex.  docs/enclave-runtime.md says what this protects and what
 * only SGX hardware does.
 *
 * Every function returns a cove_err and fills the optional cove_error with a
 * message naming the cause.
 */
#ifndef COVE_HOST_H
#define COVE_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cove/edge.h"
#include "cove/err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Creation flags. */
#define COVE_ENCLAVE_FLAG_DEBUG 0x1u          /* launch as a debug enclave (ATTRIBUTES.DEBUG); the SIGSTRUCT must allow it */
#define COVE_ENCLAVE_FLAG_EMULATED 0x2u       /* run on cove's emulated platform (the only platform of this build) */
#define COVE_ENCLAVE_FLAG_REQUIRE_SECRET 0x4u /* fail rather than fall back when memfd_secret is unavailable */

typedef struct cove_enclave_create_opts {
	const char *platform_dir; /* emulated platform state; NULL = cove_platform_default_dir() */
	const char *loader_path;  /* the loader executable; NULL = $COVE_LOADER or the built-in path */
	uint32_t spin_iterations; /* spins before a futex sleep; 0 = default */
	uint32_t call_timeout_ms; /* 0 = no limit: a call returns only with the enclave's answer or its death */
} cove_enclave_create_opts;

/*
 * Create an enclave from the signed image at `path`.  COVE_ERR_UNSUPPORTED
 * without COVE_ENCLAVE_FLAG_EMULATED (hardware SGX is not supported by this
 * build); COVE_ERR_VERIFY when the loader refuses the image (tampered image or
 * SIGSTRUCT, MRENCLAVE mismatch - the message carries the loader's reason);
 * COVE_ERR_POLICY for a debug launch the SIGSTRUCT forbids.
 */
cove_err cove_enclave_create(const char *path, uint32_t flags, const cove_enclave_create_opts *o, cove_enclave **out,
			     cove_error *e);

/* Stop the enclave process, wait for it, unmap everything; NULL is a no-op. */
void cove_enclave_terminate(cove_enclave *enc);

/* What the loader measured and runs. */
typedef struct cove_enclave_info {
	uint8_t mr_enclave[32];
	uint8_t mr_signer[32];
	uint16_t isv_prod_id;
	uint16_t isv_svn;
	uint64_t attr_flags;      /* ATTRIBUTES.FLAGS as launched */
	bool debug;
	bool secret_memory;       /* enclave data lives in memfd_secret memory */
	uint32_t tcs_count;
	uint32_t switchless_workers;
	pid_t pid;                /* the enclave process */
} cove_enclave_info;

cove_err cove_enclave_get_info(const cove_enclave *enc, cove_enclave_info *out, cove_error *e);

/*
 * Why the enclave is gone (crash, seccomp violation, termination), or NULL
 * while it runs.  Calls made after that return COVE_EDGE_ENCLAVE_LOST.
 */
const char *cove_enclave_lost_reason(const cove_enclave *enc);

/*
 * Host-side worker threads serving switchless ocalls (transition_using_threads);
 * 0 (the default) serves them as ordinary ocalls.  Call before the first ecall.
 */
cove_err cove_enclave_set_ocall_workers(cove_enclave *enc, uint32_t n, cove_error *e);

#ifdef __cplusplus
}
#endif
#endif
