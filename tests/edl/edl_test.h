/*
 * Shared helpers of the generated-bridge tests (tests/edl): checks made by
 * the trusted implementations inside the simulated enclave are counted here
 * and asserted by the host side after every call; snapshots of the simulated
 * enclave region prove refused calls leave it untouched.
 */
#ifndef COVE_EDL_TEST_H
#define COVE_EDL_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cove/edge.h"
#include "cove/edge_loopback.h"

/* Record a check made inside the enclave (prints the failing expression). */
void edl_check(int ok, const char *expr, const char *file, int line);
#define ENC_CHECK(c) edl_check((c) ? 1 : 0, #c, __FILE__, __LINE__)

/* Stop (1) or resume (0) printing failed checks: hostile cases expect some. */
void edl_quiet(int on);

/* Failed enclave checks since the last call, and reset the count. */
unsigned edl_take_failures(void);

/* Record the status of a call made by the enclave (a mark named after it) and return it. */
cove_edge_status edl_status(cove_edge_status st);

/* A call that should have succeeded: records its status, counts a failure otherwise, returns success. */
bool edl_ok(cove_edge_status st, const char *expr, const char *file, int line);
#define ENC_OK(call) edl_ok(edl_status(call), #call, __FILE__, __LINE__)

/* Number of times the enclave side ran a given trusted function (set by the enclave, read by the host). */
void edl_mark(const char *what);
unsigned edl_marks(const char *what);
void edl_marks_reset(void);

/* Copy of the simulated enclave region (free with free()). */
uint8_t *edl_snapshot_enclave(cove_edge_loopback *lb);
/* The region still equals the snapshot byte for byte. */
bool edl_enclave_unchanged(cove_edge_loopback *lb, const uint8_t *snap);

/* Loopbacks whose enclave regions edl_in_enclave() knows (host-side checks). */
void edl_watch(cove_edge_loopback *lb);
void edl_unwatch_all(void);
/* [p, p+n) overlaps the enclave region of a watched loopback. */
bool edl_in_enclave(const void *p, size_t n);

/*
 * A hostile host: after every read the enclave side makes of the shared
 * marshalling area, overwrite the bytes it just read with garbage.  Bridges
 * that read each shared byte exactly once are unaffected.
 */
void edl_scribble_hook(void *arg, void *shared, size_t n);
/* How many shared reads the scribbler has spoiled so far. */
unsigned edl_scribbles(void);

#endif
