/*
 * Test hooks of the host runtime: what a hostile host could do with the
 * shared memory, made reachable for tests/runtime without a second
 * implementation of the channel.  Not part of the public API.
 */
#ifndef COVE_HOST_RUNTIME_TEST_H
#define COVE_HOST_RUNTIME_TEST_H

#include "cove/edge.h"
#include "cove/err.h"

/* Post `frame` verbatim as an ecall on a free enclave thread; *status is the enclave's answer. */
cove_err cove_host_test_raw_ecall(cove_enclave *enc, const cove_edge_frame *frame, cove_edge_status *status,
				  cove_error *e);

/* The area-relative offset of a host pointer into the marshalling area. */
cove_err cove_host_test_area(cove_enclave *enc, const void *p, size_t *offset, cove_error *e);

#endif
