/*
 * cove/edge_loopback.h - a test and development transport for the edge ABI
 * (cove/edge.h): the host and the "enclave" run in one process, on the
 * caller's thread.  It gives no isolation whatsoever; it exists so generated
 * bridges can be exercised (round trips, hostile-host tests) before and
 * independently of cove's process-isolated runtime.
 *
 * One anonymous mapping holds, in this order, the marshalling area shared by
 * both sides, the simulated enclave memory (the enclave face's heap, and what
 * is_within_enclave() answers for) and a guard page.  Because the enclave
 * region directly follows the marshalling area, a frame whose range runs past
 * the area points into enclave memory - exactly what the checks must refuse.
 * Both regions use a first-fit allocator that zeroes memory on free and
 * coalesces, so a region returns to its exact prior bytes once everything
 * allocated in it is freed (tests compare snapshots).
 */
#ifndef COVE_EDGE_LOOPBACK_H
#define COVE_EDGE_LOOPBACK_H

#include <stddef.h>
#include <stdint.h>

#include "cove/edge.h"
#include "cove/err.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cove_edge_loopback cove_edge_loopback;

typedef struct cove_edge_loopback_config {
	size_t shared_size;  /* marshalling area bytes; 0 = 1 MiB */
	size_t enclave_size; /* simulated enclave memory bytes; 0 = 4 MiB */
} cove_edge_loopback_config;

/* Counters of what went through the transport. */
typedef struct cove_edge_loopback_stats {
	uint64_t ecalls;            /* frames delivered to the enclave side */
	uint64_t ocalls;            /* frames delivered to the host side */
	uint64_t switchless_ecalls; /* of which flagged COVE_EDGE_CALL_SWITCHLESS */
	uint64_t switchless_ocalls;
	uint64_t refused_frames;    /* frames that failed cove_edge_frame_check */
} cove_edge_loopback_stats;

/* A loopback serving `ecalls` (a generated <name>_ecall_table); cfg may be NULL. */
cove_err cove_edge_loopback_new(const cove_edge_table *ecalls, const cove_edge_loopback_config *cfg,
				cove_edge_loopback **out, cove_error *e);
void cove_edge_loopback_free(cove_edge_loopback *lb);

/* The host's handle, for generated ecall proxies (owned by the loopback). */
cove_enclave *cove_edge_loopback_enclave(cove_edge_loopback *lb);

/* The two faces of the transport (tests call bridges and helpers with them directly). */
const cove_edge_transport *cove_edge_loopback_trusted(cove_edge_loopback *lb);
const cove_edge_transport *cove_edge_loopback_untrusted(cove_edge_loopback *lb);

/* Where the regions are. */
void cove_edge_loopback_shared_region(const cove_edge_loopback *lb, uint8_t **base, size_t *size);
void cove_edge_loopback_enclave_region(const cove_edge_loopback *lb, uint8_t **base, size_t *size);

/* Bytes currently allocated in each region (block headers included); 0 when nothing is. */
size_t cove_edge_loopback_shared_in_use(cove_edge_loopback *lb);
size_t cove_edge_loopback_enclave_in_use(cove_edge_loopback *lb);

/* Allocate / free in the simulated enclave memory from outside any call (e.g. to plant a secret). */
void *cove_edge_loopback_enclave_alloc(cove_edge_loopback *lb, size_t n);
void cove_edge_loopback_enclave_free(cove_edge_loopback *lb, void *p);

/*
 * A simulated hostile host: called after every copy the enclave face makes
 * out of the marshalling area (frame snapshots, input buffers, ocall outputs)
 * with the shared bytes just read, which it may rewrite - the "host thread
 * that changes the frame after the first read".  NULL removes it.
 */
typedef void (*cove_edge_loopback_hook)(void *arg, void *shared, size_t n);
void cove_edge_loopback_set_fetch_hook(cove_edge_loopback *lb, cove_edge_loopback_hook hook, void *arg);

/*
 * Deliver the frame at byte `frame_off` of the marshalling area to the
 * enclave side, as the host face's ecall does after writing it: snapshot,
 * cove_edge_frame_check(), dispatch through the ecall table with `ocalls`
 * serving nested ocalls.  The status is also stored in the shared frame.
 * Lets tests hand the enclave frames no proxy would write.
 */
cove_edge_status cove_edge_loopback_deliver(cove_edge_loopback *lb, size_t frame_off, const cove_edge_table *ocalls);

void cove_edge_loopback_get_stats(cove_edge_loopback *lb, cove_edge_loopback_stats *out);

#ifdef __cplusplus
}
#endif
#endif
